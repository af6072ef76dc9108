/* seal.c - building each record's leaf inside its transaction, and integrating pending leaves into the log. */
#include "evidence/seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "evidence/leaf.h"

void seal_parts_release(struct seal_parts *p)
{
	json_decref(p->fields);
	json_decref(p->blobs);
	p->fields = NULL;
	p->blobs = NULL;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The record's created_at, which every body carries as RFC 3339 text. */
static int created_at(json_t *body, int64_t *ms, struct err *e)
{
	const char *t = str(body, "created_at");

	if (!t || time_parse(t, ms))
		return err_set(e, RC_INTERNAL, "bad_record", NULL, "record has no created_at");
	return RC_OK;
}

int seal_parts_of(const char *kind, json_t *body, struct seal_parts *p, struct err *e)
{
	static const char *const skip_common[] = {"object", "id", "created_at", NULL};
	static const char *const skip_order[] = {"object", "id", "created_at", "payment",
						 "paid_at", NULL};
	json_t *src = NULL, *v;
	const char *const *skip = skip_common;
	size_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->id = str(body, "id");
	if (!p->id)
		return err_set(e, RC_INTERNAL, "bad_record", NULL, "record has no id");
	rc = created_at(body, &p->time_ms, e);
	if (rc)
		return rc;
	p->blobs = json_array();
	if (!p->blobs)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (strcmp(kind, "merchant") == 0) {
		v = json_object_get(body, "licence_image");
		if (json_is_string(v))
			json_array_append(p->blobs, v);
	} else if (strcmp(kind, "listing") == 0) {
		p->version = json_integer_value(json_object_get(body, "version"));
		json_array_foreach(json_object_get(body, "images"), i, v)
			json_array_append(p->blobs, v);
	} else if (strcmp(kind, "order") == 0) {
		skip = skip_order;
	} else if (strcmp(kind, "payment") == 0) {
		json_t *pay = json_object_get(body, "payment");
		json_t *total = json_object_get(body, "total");

		src = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "order", p->id,
				"channel", json_object_get(pay, "channel"),
				"transaction_id", json_object_get(pay, "transaction_id"),
				"paid_at", json_object_get(body, "paid_at"),
				"amount", json_object_get(total, "amount"),
				"currency", json_object_get(total, "currency"));
		if (!src) {
			seal_parts_release(p);
			return err_set(e, RC_INTERNAL, "bad_record", NULL, "order has no payment");
		}
		skip = NULL;
	} else if (strcmp(kind, "logistics") == 0) {
		/* every field of the event */
	} else if (strcmp(kind, "message") == 0) {
		json_array_foreach(json_object_get(body, "attachments"), i, v)
			json_array_append(p->blobs, v);
	} else if (strcmp(kind, "blob") == 0) {
		json_array_append(p->blobs, json_object_get(body, "id"));
	} else if (strcmp(kind, "dispute_event") == 0) {
		json_t *data = json_object_get(body, "data");

		json_array_foreach(json_object_get(data, "evidence"), i, v)
			json_array_append(p->blobs, v);
		json_array_foreach(json_object_get(data, "attachments"), i, v)
			json_array_append(p->blobs, v);
	} else {
		seal_parts_release(p);
		return err_set(e, RC_INTERNAL, "bad_record", NULL, "no leaf kind %s", kind);
	}
	rc = leaf_fields(src ? src : body, skip, &p->fields, e);
	json_decref(src);
	if (rc)
		seal_parts_release(p);
	return rc;
}

int seal_record(struct store *st, const char *kind, json_t *body, int64_t now, int64_t *seq,
		struct err *e)
{
	struct seal_parts p;
	json_t *salts = NULL;
	uint8_t h[TLOG_HASH_SIZE];
	char hash[48], *salts_text = NULL;
	struct buf leaf;
	int rc;

	buf_init(&leaf, LEAF_MAX + 1024);
	rc = seal_parts_of(kind, body, &p, e);
	if (rc)
		return rc;
	rc = leaf_seal(kind, p.id, p.time_ms, p.fields, p.blobs, &salts, &leaf, e);
	if (rc)
		goto out;
	tlog_leaf_hash(leaf.data, leaf.len, h);
	sodium_bin2base64(hash, sizeof(hash), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	salts_text = json_dumps(salts, JSON_COMPACT | JSON_SORT_KEYS);
	if (!salts_text) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	/* the row's own time is the real clock's: the sweeper ages pending seals by it */
	(void)now;
	rc = store_seal_add(st, kind, p.id, p.version, leaf.data, leaf.len, hash, salts_text,
			    time_now_ms(), seq, e);
out:
	if (salts_text)
		sodium_memzero(salts_text, strlen(salts_text));
	free(salts_text);
	json_decref(salts);
	buf_release(&leaf);
	seal_parts_release(&p);
	return rc;
}

int seal_wait(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
	      struct err *e)
{
	struct store_seal *s = NULL;
	struct tlog_entry *entries = NULL;
	uint64_t *idx = NULL, size = 0;
	uint8_t root[TLOG_HASH_SIZE];
	char root_b64[48];
	struct buf note;
	size_t i, m = 0;
	int rc, rc2;

	if (n == 0)
		return RC_OK;
	buf_init(&note, 1 << 20);
	s = calloc(n, sizeof(*s));
	entries = calloc(n, sizeof(*entries));
	idx = calloc(n, sizeof(*idx));
	if (!s || !entries || !idx) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = store_begin(st, e);
	if (rc)
		goto out;
	for (i = 0; i < n && !rc; i++) {
		rc = store_seal_by_seq(st, seqs[i], &s[m], e);
		if (!rc && s[m].leaf_index < 0) {
			entries[m].data = s[m].leaf;
			entries[m].len = s[m].leaf_len;
			m++;
		} else if (!rc) {
			store_seal_release(&s[m]);
		}
	}
	rc2 = store_end(st, 0, NULL);
	if (rc || m == 0)
		goto out;
	(void)rc2;
	rc = tlog_log_append(log, entries, m, idx, e);
	if (rc)
		goto out;
	rc = tlog_log_checkpoint(log, &size, root, &note, e);
	if (rc)
		goto out;
	sodium_bin2base64(root_b64, sizeof(root_b64), root, sizeof(root),
			  sodium_base64_VARIANT_ORIGINAL);
	rc = store_begin(st, e);
	if (rc)
		goto out;
	for (i = 0; i < m && !rc; i++)
		rc = store_seal_set_index(st, s[i].seq, (int64_t)idx[i], e);
	if (!rc)
		rc = store_checkpoint_add(st, (int64_t)size, root_b64, note.data, time_now_ms(), e);
	rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
	if (!rc)
		rc = rc2;
out:
	for (i = 0; s && i < m; i++)
		store_seal_release(&s[i]);
	free(s);
	free(entries);
	free(idx);
	buf_release(&note);
	return rc;
}

int seal_pending(struct store *st, struct tlog_log *log, int64_t older_than, int64_t *count,
		 struct err *e)
{
	int64_t seqs[512], ready[512];
	int n, i, m;
	int rc;

	if (count)
		*count = 0;
	for (;;) {
		rc = store_begin(st, e);
		if (rc)
			return rc;
		rc = store_seal_pending(st, 512, seqs, &n, e);
		m = 0;
		for (i = 0; i < n && !rc; i++) {
			struct store_seal s;

			rc = store_seal_by_seq(st, seqs[i], &s, e);
			if (!rc && s.created_at < older_than)
				ready[m++] = seqs[i];
			store_seal_release(&s);
		}
		if (store_end(st, 0, NULL)) {
			/* a read: nothing to lose */
		}
		if (rc || m == 0)
			return rc;
		rc = seal_wait(st, log, ready, (size_t)m, e);
		if (rc)
			return rc;
		if (count)
			*count += m;
		if (m < 512)
			return RC_OK;
	}
}

static int annotate_one(struct store *st, json_t *obj, const char *kind, const char *id,
			int64_t version, struct err *e)
{
	struct store_seal s;
	int rc = store_seal_get(st, kind, id, version, &s, e);

	if (rc == RC_NOTFOUND) {
		err_clear(e);
		return RC_OK;
	}
	if (rc)
		return rc;
	if (s.leaf_index >= 0)
		json_object_set_new(obj, "sealed",
				    json_pack("{s:I, s:s}", "leaf_index", (json_int_t)s.leaf_index,
					      "leaf_hash", s.leaf_hash));
	store_seal_release(&s);
	return RC_OK;
}

int seal_annotate(struct store *st, json_t *obj, struct err *e)
{
	const char *object = str(obj, "object"), *id = str(obj, "id");
	int rc;

	if (!object || !id)
		return RC_OK;
	if (strcmp(object, "merchant") == 0)
		return annotate_one(st, obj, "merchant", id, 0, e);
	if (strcmp(object, "listing") == 0)
		return annotate_one(st, obj, "listing", id,
				    json_integer_value(json_object_get(obj, "version")), e);
	if (strcmp(object, "logistics_event") == 0)
		return annotate_one(st, obj, "logistics", id, 0, e);
	if (strcmp(object, "message") == 0)
		return annotate_one(st, obj, "message", id, 0, e);
	if (strcmp(object, "blob") == 0)
		return annotate_one(st, obj, "blob", id, 0, e);
	if (strcmp(object, "dispute_event") == 0)
		return annotate_one(st, obj, "dispute_event", id, 0, e);
	if (strcmp(object, "order") == 0) {
		rc = annotate_one(st, obj, "order", id, 0, e);
		if (!rc && json_is_object(json_object_get(obj, "payment")))
			rc = annotate_one(st, json_object_get(obj, "payment"), "payment", id, 0, e);
		return rc;
	}
	return RC_OK;
}
