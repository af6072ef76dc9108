/* audit.c - detecting records, blobs, tiles or checkpoints changed behind the server's back. */
#include "evidence/audit.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "evidence/blobstore.h"
#include "evidence/leaf.h"
#include "evidence/seal.h"
#include "tlog/checkpoint.h"

struct audit {
	struct store *st;
	struct tlog_log *log;
	const char *data_dir;
	audit_report_fn *report;
	void *ctx;
	uint64_t problems;
	uint64_t records;
	uint64_t size;                    /* the log's current size */
	uint8_t root[TLOG_HASH_SIZE];     /* and root */
	const struct tlog_verifier *key;
};

static void problem(struct audit *a, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct audit *a, const char *where, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	a->problems++;
	a->report(a->ctx, where, what);
}

/* The record a seal was made from, as the store holds it now. */
static int load_record(struct audit *a, const struct store_seal *s, json_t **body,
		       struct err *e)
{
	char hex[65];
	int rc;

	*body = NULL;
	if (strcmp(s->kind, "merchant") == 0)
		return store_get(a->st, STORE_MERCHANT, s->record_id, body, e);
	if (strcmp(s->kind, "listing") == 0)
		return store_listing_version(a->st, s->record_id, s->version, body, e);
	if (strcmp(s->kind, "order") == 0 || strcmp(s->kind, "payment") == 0)
		return store_get(a->st, STORE_ORDER, s->record_id, body, e);
	if (strcmp(s->kind, "logistics") == 0)
		return store_get(a->st, STORE_LOGISTICS, s->record_id, body, e);
	if (strcmp(s->kind, "message") == 0)
		return store_get(a->st, STORE_MESSAGE, s->record_id, body, e);
	if (strcmp(s->kind, "dispute_event") == 0)
		return store_dispute_event_get(a->st, s->record_id, body, e);
	if (strcmp(s->kind, "blob") == 0) {
		if (!blob_parse_id(s->record_id, hex))
			return err_set(e, RC_NOTFOUND, NULL, NULL, "bad blob id");
		rc = store_blob_get(a->st, hex, body, e);
		if (!rc)
			json_object_set_new(*body, "created_at",
					    jx_time_json(json_integer_value(
						    json_object_get(*body, "created_at"))));
		return rc;
	}
	return err_set(e, RC_NOTFOUND, NULL, NULL, "unknown kind %s", s->kind);
}

/* Name the fields whose commitments differ between two leaves. */
static void diff_fields(struct audit *a, const char *where, const struct store_seal *s,
			const struct buf *now)
{
	json_t *sealed = NULL, *again = NULL, *sf, *af, *v;
	const char *name;
	struct err ignore;
	char list[256] = "";
	size_t used = 0;

	if (leaf_decode((const char *)s->leaf, s->leaf_len, &sealed, &ignore) ||
	    leaf_decode(now->data, now->len, &again, &ignore)) {
		problem(a, where, "the stored record no longer matches its sealed leaf");
		goto out;
	}
	sf = json_object_get(sealed, "fields");
	af = json_object_get(again, "fields");
	json_object_foreach(sf, name, v)
		if (!json_equal(v, json_object_get(af, name)) && used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
						 used ? ", " : "", name);
	json_object_foreach(af, name, v)
		if (!json_object_get(sf, name) && used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s (new)",
						 used ? ", " : "", name);
	if (!json_equal(json_object_get(sealed, "blobs"), json_object_get(again, "blobs")) &&
	    used < sizeof(list))
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%sblobs",
					 used ? ", " : "");
	if (!json_equal(json_object_get(sealed, "time"), json_object_get(again, "time")) &&
	    used < sizeof(list))
		snprintf(list + used, sizeof(list) - used, "%stime", used ? ", " : "");
	problem(a, where, "the stored record was changed after sealing: %s",
		list[0] ? list : "its fields");
out:
	json_decref(sealed);
	json_decref(again);
}

static int check_seal(void *ctx, const struct store_seal *s)
{
	struct audit *a = ctx;
	char where[160], hex[65], digest[65];
	struct seal_parts parts;
	json_t *body = NULL, *salts = NULL;
	struct buf now, entry;
	struct err e;

	a->records++;
	buf_init(&now, LEAF_MAX + 1024);
	buf_init(&entry, LEAF_MAX + 1024);
	err_clear(&e);
	if (s->version)
		snprintf(where, sizeof(where), "%s %s version %lld", s->kind, s->record_id,
			 (long long)s->version);
	else
		snprintf(where, sizeof(where), "%s %s", s->kind, s->record_id);
	if (load_record(a, s, &body, &e)) {
		problem(a, where, "the sealed record is missing from the database");
		goto out;
	}
	salts = json_loads(s->salts, 0, NULL);
	if (!salts || seal_parts_of(s->kind, body, &parts, &e)) {
		problem(a, where, "the record or its salts cannot be read");
		goto out;
	}
	if (leaf_rebuild(s->kind, parts.id, parts.time_ms, parts.fields, parts.blobs, salts, &now,
			 &e)) {
		problem(a, where, "the stored record no longer matches its salts: %s", e.message);
	} else if (now.len != s->leaf_len || memcmp(now.data, s->leaf, now.len) != 0) {
		diff_fields(a, where, s, &now);
	}
	seal_parts_release(&parts);
	if (s->leaf_index < 0) {
		problem(a, where, "not yet in the evidence log (pending)");
	} else if ((uint64_t)s->leaf_index >= a->size) {
		problem(a, where, "sealed at leaf %lld, beyond the log's checkpoint (size %llu)",
			(long long)s->leaf_index, (unsigned long long)a->size);
	} else if (tlog_log_entry(a->log, (uint64_t)s->leaf_index, &entry, &e)) {
		problem(a, where, "log entry %lld cannot be read: %s", (long long)s->leaf_index,
			e.message);
	} else if (entry.len != s->leaf_len || memcmp(entry.data, s->leaf, entry.len) != 0) {
		problem(a, where, "log entry %lld differs from the sealed leaf kept in the database",
			(long long)s->leaf_index);
	}
	if (strcmp(s->kind, "blob") == 0 && blob_parse_id(s->record_id, hex)) {
		char *bytes = NULL, file[96];
		size_t len = 0;

		snprintf(file, sizeof(file), "blobs/%.2s/%s", hex, hex);
		if (blobstore_get(a->data_dir, hex, &bytes, &len, &e)) {
			problem(a, file, "the blob file is missing or unreadable");
		} else {
			sha256_hex(bytes, len, digest);
			if (strcmp(digest, hex) != 0)
				problem(a, file, "the blob file's bytes do not match its SHA-256 name");
			free(bytes);
		}
	}
out:
	json_decref(body);
	json_decref(salts);
	buf_release(&now);
	buf_release(&entry);
	return RC_OK;
}

static void tile_problem(void *ctx, const char *where, const char *what)
{
	problem(ctx, where, "%s", what);
}

static int check_checkpoint(void *ctx, int64_t size, const char *root, const char *note)
{
	struct audit *a = ctx;
	struct tlog_checkpoint c;
	struct tlog_proof p;
	char where[64];
	struct err e;

	err_clear(&e);
	snprintf(where, sizeof(where), "checkpoint of size %lld", (long long)size);
	if (tlog_checkpoint_open(&c, NULL, note, strlen(note), a->key->name, a->key, 1, &e)) {
		problem(a, where, "its signature does not verify: %s", e.message);
		return RC_OK;
	}
	{
		char b64[48];

		sodium_bin2base64(b64, sizeof(b64), c.root, sizeof(c.root),
				  sodium_base64_VARIANT_ORIGINAL);
		if ((int64_t)c.size != size || strcmp(b64, root) != 0)
			problem(a, where, "the kept size or root differs from the signed note");
	}
	if (c.size > a->size) {
		problem(a, where, "larger than the log's current tree (size %llu)",
			(unsigned long long)a->size);
		return RC_OK;
	}
	if (tlog_log_prove_consistency(a->log, c.size, a->size, &p, &e) ||
	    tlog_verify_consistency(c.size, a->size, c.root, a->root, &p, &e))
		problem(a, where, "not consistent with the log's current tree: %s", e.message);
	return RC_OK;
}

int audit_run(struct store *st, struct tlog_log *log, const char *data_dir,
	      const struct tlog_verifier *log_key, audit_report_fn *report, void *ctx,
	      uint64_t *problems, uint64_t *records, struct err *e)
{
	struct audit a;
	uint64_t tile_problems = 0;
	int rc, rc2;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.log = log;
	a.data_dir = data_dir;
	a.report = report;
	a.ctx = ctx;
	a.key = log_key;
	rc = tlog_log_audit(log, tile_problem, &a, &tile_problems, e);
	if (rc)
		return rc;
	rc = tlog_log_checkpoint(log, &a.size, a.root, NULL, e);
	if (rc)
		return rc;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_seal_each(st, check_seal, &a, e);
	if (!rc)
		rc = store_checkpoint_each(st, check_checkpoint, &a, e);
	rc2 = store_end(st, 0, NULL);
	(void)rc2;
	*problems = a.problems;
	*records = a.records;
	return rc;
}
