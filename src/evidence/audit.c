/* audit.c - detecting records, blobs, tiles or checkpoints changed behind the server's back. */
#include "evidence/audit.h"

#include <glib.h>

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "core/problems.h"
#include "evidence/blobstore.h"
#include "evidence/leaf.h"
#include "evidence/seal.h"
#include "evidence/shred.h"
#include "funds/funds.h"
#include "tlog/checkpoint.h"

struct audit {
	struct store *st;
	struct tlog_log *log;
	const char *data_dir;
	struct problems found;            /* what it found, reported as it goes */
	uint64_t records;
	uint64_t size;                    /* the log's size, read after the store's snapshot began */
	uint8_t root[TLOG_HASH_SIZE];     /* and root */
	uint64_t before;                  /* its size before: each leaf below has its seal in the snapshot */
	const struct tlog_verifier *key;
	uint8_t *claimed;                 /* claimed[i]: a seal names log leaf i */
	GHashTable *places;               /* "order seq" -> struct place, from the log */
	GHashTable *leaves;               /* leaf hash text -> 1, every leaf of the log */
	GHashTable *pending;              /* leaf hash text -> 1, every pending seal's leaf */
	GHashTable *states;               /* dispute id -> the state its last event left */
	struct store_seal seal;           /* scratch: the seal a record walk looks up */
	struct shred_register reg;        /* what the retention register lists as shredded */
	uint64_t shredded;                /* seals found shredded as the register lists */
};

/* One leaf of an order's chain, as the log holds it. */
struct place {
	uint64_t index;                   /* its leaf index */
	char hash[48];                    /* its leaf hash, base64 */
	char prev[48];                    /* the hash it names as the one before, or "" */
	char what[128];                   /* "type id" */
	json_t *links;                    /* seq 0: the leaves it links */
};

static void place_free(gpointer p)
{
	struct place *x = p;

	json_decref(x->links);
	free(x);
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
		problems_add(&a->found, where, "the stored record no longer matches its sealed leaf");
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
	problems_add(&a->found, where, "the stored record was changed after sealing: %s",
		list[0] ? list : "its fields");
out:
	json_decref(sealed);
	json_decref(again);
}

static void hash_text(const void *data, size_t len, char out[48])
{
	uint8_t h[TLOG_HASH_SIZE];

	tlog_leaf_hash(data, len, h);
	sodium_bin2base64(out, 48, h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
}

/*
 * The seal row against its leaf (its own copy, or with `from_log` the
 * log's entry at its index): hash, chain columns. *decoded is the leaf, or
 * NULL.
 */
static void check_seal_row(struct audit *a, const char *where, const struct store_seal *s,
			   int from_log, json_t **decoded)
{
	char h[48];
	struct err ignore;
	const char *order;

	hash_text(s->leaf, s->leaf_len, h);
	if (strcmp(h, s->leaf_hash) != 0 && from_log)
		problems_add(&a->found, where, "log entry %lld is not the sealed leaf: its hash %s is not "
			"the seal's leaf_hash %s (the entry, the seal's leaf_index or its leaf_hash "
			"was changed)", (long long)s->leaf_index, h, s->leaf_hash);
	else if (strcmp(h, s->leaf_hash) != 0)
		problems_add(&a->found, where, "the seal's leaf_hash %s is not the hash of its leaf (%s)",
			s->leaf_hash, h);
	if (leaf_decode((const char *)s->leaf, s->leaf_len, decoded, &ignore)) {
		problems_add(&a->found, where, "the sealed leaf is not a canonical evidence leaf");
		*decoded = NULL;
		return;
	}
	order = json_string_value(json_object_get(*decoded, "order"));
	if (strcmp(order ? order : "", s->chain_order) != 0 ||
	    (order && json_integer_value(json_object_get(*decoded, "seq")) != s->chain_seq))
		problems_add(&a->found, where, "the seal row puts it at place %lld of order %s's chain; its "
			"sealed leaf says place %lld of order %s", (long long)s->chain_seq,
			s->chain_order[0] ? s->chain_order : "(none)",
			(long long)json_integer_value(json_object_get(*decoded, "seq")),
			order ? order : "(none)");
	if (strcmp(json_string_value(json_object_get(*decoded, "type")), s->kind) != 0 ||
	    strcmp(json_string_value(json_object_get(*decoded, "id")), s->record_id) != 0)
		problems_add(&a->found, where, "the seal row names a record other than its sealed leaf does");
}

/*
 * A record that the register does not list as shredded, yet whose sealed
 * leaf has fields that the record or its salts have lost: tampering.
 * Returns 1 when it found (and reported) such fields.
 */
static int missing_fields(struct audit *a, const char *where, json_t *decoded, json_t *fields,
			  json_t *salts)
{
	char list[256] = "";
	size_t used = 0;
	const char *name;
	json_t *v;

	json_object_foreach(json_object_get(decoded, "fields"), name, v)
		if ((!json_object_get(fields, name) || !json_object_get(salts, name)) &&
		    used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
						 used ? ", " : "", name);
	if (!used)
		return 0;
	problems_add(&a->found, where, "TAMPERED: the salt or the value of %s is gone, and the "
		"retention register lists no shredding of it", list);
	return 1;
}

/*
 * The names whose salts the audit needs: the record's fields as stored now
 * and the sealed leaf's (`decoded`, may be NULL). *out is new.
 */
static int salt_names(json_t *fields, json_t *decoded, json_t **out)
{
	*out = json_object();
	if (!*out || json_object_update(*out, fields) ||
	    (decoded && json_object_update_missing(*out, json_object_get(decoded, "fields")))) {
		json_decref(*out);
		*out = NULL;
		return RC_NOMEM;
	}
	return RC_OK;
}

/*
 * The seal's leaf as the audit checks it: its own copy while it keeps one
 * (pending seals, and seals made before the log became the one copy), else
 * the log's entry at its index, read into `entry`. *from_log says which;
 * 0 when neither can be read (reported).
 */
static int seal_leaf_of(struct audit *a, const char *where, const struct store_seal *row,
			struct store_seal *view, struct buf *entry, int *entry_ok, int *from_log)
{
	struct err e;

	*view = *row;
	*from_log = 0;
	*entry_ok = 0;
	err_clear(&e);
	if (row->leaf_index >= 0 && (uint64_t)row->leaf_index < a->size) {
		if (tlog_log_entry(a->log, (uint64_t)row->leaf_index, entry, &e) == RC_OK)
			*entry_ok = 1;
		else
			problems_add(&a->found, where, "log entry %lld cannot be read: %s",
				(long long)row->leaf_index, e.message);
	}
	if (row->leaf_len)
		return 1;
	if (!*entry_ok) {
		if (row->leaf_index < 0)
			problems_add(&a->found, where, "the pending seal keeps no leaf to append");
		return 0;
	}
	view->leaf = (unsigned char *)entry->data;
	view->leaf_len = entry->len;
	*from_log = 1;
	return 1;
}

static int check_seal(void *ctx, const struct store_seal *row)
{
	struct audit *a = ctx;
	char where[160], hex[65], digest[65];
	struct seal_parts parts;
	struct leaf_head head;
	struct store_seal view;
	const struct store_seal *s = &view;
	json_t *body = NULL, *salts = NULL, *decoded = NULL, *names = NULL;
	struct buf now, entry;
	int have_leaf, entry_ok, from_log;
	struct err e;

	a->records++;
	buf_init(&now, LEAF_MAX + 1024);
	buf_init(&entry, LEAF_MAX + 1024);
	err_clear(&e);
	if (row->version)
		snprintf(where, sizeof(where), "%s %s version %lld", row->kind, row->record_id,
			 (long long)row->version);
	else
		snprintf(where, sizeof(where), "%s %s", row->kind, row->record_id);
	have_leaf = seal_leaf_of(a, where, row, &view, &entry, &entry_ok, &from_log);
	if (have_leaf)
		check_seal_row(a, where, s, from_log, &decoded);
	if (s->leaf_index >= 0 && (uint64_t)s->leaf_index < a->size) {
		if (a->claimed[s->leaf_index])
			problems_add(&a->found, where, "log leaf %lld is claimed by two seals",
				(long long)s->leaf_index);
		a->claimed[s->leaf_index] = 1;
	}
	if (seal_load_record(a->st, s, &body, &e)) {
		problems_add(&a->found, where, "the sealed record is missing from the database");
		goto log;
	}
	if (seal_parts_of(s->kind, body, &parts, &e)) {
		problems_add(&a->found, where, "the record cannot be read");
		goto log;
	}
	if (salt_names(parts.fields, decoded, &names) || seal_salts(s, names, &salts, &e)) {
		problems_add(&a->found, where, "the salts of the record cannot be read");
		seal_parts_release(&parts);
		goto log;
	}
	if (decoded) {
		json_t *gone = shred_register_fields(&a->reg, s->kind, s->record_id, s->version);

		leaf_head_of(decoded, &head);
		head.time_ms = parts.time_ms;
		head.type = s->kind;
		head.id = parts.id;
		if (gone && s->has_secret)
			problems_add(&a->found, where, "the retention register lists it as shredded, yet "
				"its seal still keeps the secret its salts derive from");
		if (gone) {
			if (shred_rebuild(&head, parts.fields, parts.blobs, salts, gone, decoded,
					  &now, &e))
				problems_add(&a->found, where, "TAMPERED: the shredded record no longer "
					"matches its salts and the register: %s", e.message);
			else if (now.len != s->leaf_len || memcmp(now.data, s->leaf, now.len) != 0)
				diff_fields(a, where, s, &now);
			else
				a->shredded++;
		} else if (missing_fields(a, where, decoded, parts.fields, salts)) {
			/* reported: shredded by someone, but not by the retention run */
		} else if (leaf_rebuild(&head, parts.fields, parts.blobs, salts, &now, &e))
			problems_add(&a->found, where, "the stored record no longer matches its salts: %s",
				e.message);
		else if (now.len != s->leaf_len || memcmp(now.data, s->leaf, now.len) != 0)
			diff_fields(a, where, s, &now);
	}
	seal_parts_release(&parts);
log:
	if (s->leaf_index < 0) {
		problems_add(&a->found, where, "not yet in the evidence log (pending)");
		if (have_leaf) {
			char h[48];

			hash_text(s->leaf, s->leaf_len, h);
			g_hash_table_replace(a->pending, g_strdup(h), GINT_TO_POINTER(1));
		}
	} else if ((uint64_t)s->leaf_index >= a->size) {
		problems_add(&a->found, where, "sealed at leaf %lld, beyond the log's checkpoint (size %llu)",
			(long long)s->leaf_index, (unsigned long long)a->size);
	} else if (entry_ok && !from_log &&
		   (entry.len != s->leaf_len || memcmp(entry.data, s->leaf, entry.len) != 0)) {
		problems_add(&a->found, where, "log entry %lld differs from the sealed leaf kept in the database",
			(long long)s->leaf_index);
	}
	if (strcmp(s->kind, "blob") == 0 && blob_parse_id(s->record_id, hex)) {
		char *bytes = NULL, file[96];
		size_t len = 0;

		snprintf(file, sizeof(file), "blobs/%.2s/%s", hex, hex);
		if (json_object_get(a->reg.blobs, s->record_id)) {
			if (blobstore_get(a->data_dir, hex, &bytes, &len, &e) == RC_OK) {
				problems_add(&a->found, file, "the retention register lists the blob "
					"file as shredded, yet it is still on disk");
				free(bytes);
			}
		} else if (blobstore_get(a->data_dir, hex, &bytes, &len, &e)) {
			problems_add(&a->found, file, "TAMPERED: the blob file is missing or unreadable, "
				"and the retention register lists no shredding of it");
		} else {
			sha256_hex(bytes, len, digest);
			if (strcmp(digest, hex) != 0)
				problems_add(&a->found, file, "the blob file's bytes do not match its SHA-256 name");
			free(bytes);
		}
	}
	json_decref(decoded);
	json_decref(body);
	json_decref(salts);
	json_decref(names);
	buf_release(&now);
	buf_release(&entry);
	return RC_OK;
}

/* ---- the log, leaf by leaf: every leaf claimed, every chain unbroken ---- */

static int check_log_leaf(void *ctx, uint64_t index, const void *data, size_t len)
{
	struct audit *a = ctx;
	json_t *leaf = NULL;
	struct place *x;
	char where[64], *key;
	struct err ignore;
	const char *order;

	snprintf(where, sizeof(where), "log leaf %llu", (unsigned long long)index);
	if (leaf_decode(data, len, &leaf, &ignore)) {
		problems_add(&a->found, where, "not a canonical evidence leaf");
		return RC_OK;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		json_decref(leaf);
		return RC_NOMEM;
	}
	x->index = index;
	hash_text(data, len, x->hash);
	snprintf(x->what, sizeof(x->what), "%s %s", json_string_value(json_object_get(leaf, "type")),
		 json_string_value(json_object_get(leaf, "id")));
	/* a sequencer that stopped between appending and recording: its next one records it */
	if (!a->claimed[index] && g_hash_table_contains(a->pending, x->hash))
		problems_add(&a->found, where, "%s is in the log, and its seal does not record the index "
			"yet (pending)", x->what);
	else if (!a->claimed[index] && index < a->before)
		problems_add(&a->found, where, "%s is in the log but no seal in the database claims it: the "
			"record or its seal was deleted", x->what);
	/* one appended later may be a seal that committed after the snapshot: the next audit checks it */
	g_hash_table_replace(a->leaves, g_strdup(x->hash), GINT_TO_POINTER(1));
	order = json_string_value(json_object_get(leaf, "order"));
	if (!order) {
		free(x);
		json_decref(leaf);
		return RC_OK;
	}
	snprintf(x->prev, sizeof(x->prev), "%s",
		 json_string_value(json_object_get(leaf, "prev")) ?
			 json_string_value(json_object_get(leaf, "prev")) : "");
	x->links = json_incref(json_object_get(leaf, "links"));
	key = g_strdup_printf("%s %lld", order, (long long)json_integer_value(json_object_get(leaf, "seq")));
	if (g_hash_table_contains(a->places, key)) {
		struct place *other = g_hash_table_lookup(a->places, key);

		problems_add(&a->found, where, "%s holds place %s of an order's chain, as does leaf %llu (%s): "
			"the chain forks", x->what, key, (unsigned long long)other->index,
			other->what);
		g_free(key);
		place_free(x);
	} else {
		g_hash_table_insert(a->places, key, x);
	}
	json_decref(leaf);
	return RC_OK;
}

/* After the log walk: each chain link names the leaf before it; each order links leaves that exist. */
static void check_chains(struct audit *a)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, a->places);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct place *x = v;
		const char *sp = strrchr(k, ' ');
		long long seq = atoll(sp + 1);
		char where[64], *before;
		struct place *p;
		json_t *l;
		size_t i;

		snprintf(where, sizeof(where), "log leaf %llu", (unsigned long long)x->index);
		if (seq == 0) {
			json_array_foreach(x->links, i, l)
				if (!g_hash_table_contains(a->leaves, json_string_value(l)))
					problems_add(&a->found, where, "%s links leaf %s, which is not in the log",
						x->what, json_string_value(l));
			continue;
		}
		before = g_strdup_printf("%.*s %lld", (int)(sp - (const char *)k), (const char *)k,
					 seq - 1);
		p = g_hash_table_lookup(a->places, before);
		if (!p)
			problems_add(&a->found, where, "%s is at place %lld of order %.*s's chain, but no leaf of "
				"the log holds place %lld", x->what, seq, (int)(sp - (const char *)k),
				(const char *)k, seq - 1);
		else if (strcmp(p->hash, x->prev) != 0)
			problems_add(&a->found, where, "%s does not follow leaf %llu (%s), which holds the place "
				"before it", x->what, (unsigned long long)p->index, p->what);
		g_free(before);
	}
}

/* ---- the records, row by row: each sealed, each linked as its body says ---- */

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Problem if the row's column `col` is not `want` (the body's value). */
static void same_link(struct audit *a, const char *where, const struct store_record_ref *r,
		      const char *col, const char *want)
{
	const char *have = str(r->links, col);

	if (!have || !want || strcmp(have, want) != 0)
		problems_add(&a->found, where, "its %s column reads %s, but its record says %s", col,
			have ? have : "(null)", want ? want : "(nothing)");
}

/* Problem if the record has no seal of kind `kind`; else the seal's chain order must be `order`. */
static void has_seal(struct audit *a, const char *where, const char *kind,
		     const struct store_record_ref *r, const char *order)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = store_seal_get(a->st, kind, r->id, r->version, &a->seal, &e);
	if (rc) {
		problems_add(&a->found, where, "%s: it has no %s seal (added behind the server's back, or its "
			"seal was deleted)", rc == RC_NOTFOUND ? "unsealed" : e.message, kind);
		return;
	}
	if (order && strcmp(a->seal.chain_order, order) != 0)
		problems_add(&a->found, where, "it belongs to order %s, but its %s seal is in order %s's chain",
			order, kind, a->seal.chain_order[0] ? a->seal.chain_order : "(no)");
	store_seal_release(&a->seal);
}

static void check_order_items(struct audit *a, const char *where,
			      const struct store_record_ref *r)
{
	json_t *rows = json_object_get(r->links, "items"), *items = json_object_get(r->body, "items");
	json_t *row, *it;
	size_t i;

	if (json_array_size(rows) != json_array_size(items)) {
		problems_add(&a->found, where, "it has %zu item rows, but its record lists %zu items",
			json_array_size(rows), json_array_size(items));
		return;
	}
	json_array_foreach(rows, i, row) {
		it = json_array_get(items, i);
		if (!str(it, "listing") || strcmp(str(row, "listing_id"), str(it, "listing")) != 0 ||
		    json_integer_value(json_object_get(row, "listing_version")) !=
			    json_integer_value(json_object_get(it, "listing_version")))
			problems_add(&a->found, where, "item %zu row points at listing %s version %lld, but its "
				"record says %s version %lld", i, str(row, "listing_id"),
				(long long)json_integer_value(json_object_get(row, "listing_version")),
				str(it, "listing") ? str(it, "listing") : "(nothing)",
				(long long)json_integer_value(json_object_get(it, "listing_version")));
	}
}

static int check_record(void *ctx, const struct store_record_ref *r)
{
	struct audit *a = ctx;
	char where[160];
	const char *k = r->kind;

	if (r->version)
		snprintf(where, sizeof(where), "%s %s version %lld", k, r->id, (long long)r->version);
	else
		snprintf(where, sizeof(where), "%s %s", k, r->id);
	if (!json_is_object(r->body)) {
		problems_add(&a->found, where, "its stored body is not a JSON object");
		return RC_OK;
	}
	if (strcmp(k, "merchant") == 0 || strcmp(k, "blob") == 0) {
		has_seal(a, where, k, r, NULL);
	} else if (strcmp(k, "consumer_flag_event") == 0) {
		has_seal(a, where, k, r, NULL);
		same_link(a, where, r, "consumer_id", str(r->body, "consumer"));
	} else if (strcmp(k, "listing") == 0) {
		has_seal(a, where, k, r, NULL);
		same_link(a, where, r, "merchant_id", str(r->body, "merchant"));
	} else if (strcmp(k, "order") == 0) {
		has_seal(a, where, "order", r, r->id);
		if (json_is_object(json_object_get(r->body, "payment")))
			has_seal(a, where, "payment", r, r->id);
		same_link(a, where, r, "merchant_id", str(r->body, "merchant"));
		same_link(a, where, r, "consumer_id", str(json_object_get(r->body, "consumer"), "id"));
		check_order_items(a, where, r);
	} else if (strcmp(k, "logistics") == 0 || strcmp(k, "message") == 0 ||
		   strcmp(k, "disclosure_event") == 0) {
		has_seal(a, where, k, r, str(r->body, "order"));
		same_link(a, where, r, "order_id", str(r->body, "order"));
	} else if (strcmp(k, "dispute_event") == 0) {
		has_seal(a, where, k, r, NULL);
		same_link(a, where, r, "dispute_id", str(r->body, "dispute"));
		if (str(r->body, "dispute") && str(r->body, "to"))
			g_hash_table_replace(a->states, g_strdup(str(r->body, "dispute")),
					     g_strdup(str(r->body, "to")));
	} else if (strcmp(k, "shredding") == 0) {
		has_seal(a, where, k, r, NULL);
		same_link(a, where, r, "order_id", str(r->body, "order"));
	} else if (strcmp(k, "dispute") == 0) {
		const char *sealed = g_hash_table_lookup(a->states, r->id);

		same_link(a, where, r, "order_id", str(r->body, "order"));
		same_link(a, where, r, "merchant_id", str(r->body, "merchant"));
		same_link(a, where, r, "consumer_id", str(r->body, "consumer"));
		same_link(a, where, r, "state", str(r->body, "state"));
		if (!sealed || strcmp(sealed, str(r->body, "state") ? str(r->body, "state") : "") != 0)
			problems_add(&a->found, where, "its state is %s, but its sealed events leave it %s",
				str(r->body, "state") ? str(r->body, "state") : "(none)",
				sealed ? sealed : "with no state");
	}
	return RC_OK;
}

static void tile_problem(void *ctx, const char *where, const char *what)
{
	struct audit *a = ctx;

	problems_add(&a->found, where, "%s", what);
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
		problems_add(&a->found, where, "its signature does not verify: %s", e.message);
		return RC_OK;
	}
	{
		char b64[48];

		sodium_bin2base64(b64, sizeof(b64), c.root, sizeof(c.root),
				  sodium_base64_VARIANT_ORIGINAL);
		if ((int64_t)c.size != size || strcmp(b64, root) != 0)
			problems_add(&a->found, where, "the kept size or root differs from the signed note");
	}
	if (c.size > a->size) {
		problems_add(&a->found, where, "larger than the log's current tree (size %llu)",
			(unsigned long long)a->size);
		return RC_OK;
	}
	if (tlog_log_prove_consistency(a->log, c.size, a->size, &p, &e) ||
	    tlog_verify_consistency(c.size, a->size, c.root, a->root, &p, &e))
		problems_add(&a->found, where, "not consistent with the log's current tree: %s", e.message);
	return RC_OK;
}

/* Report each order the register lists as shredded: expected, not a problem. */
static void report_shredded(struct audit *a, problem_report_fn *shredded, void *ctx)
{
	const char *order;
	json_t *x, *b;
	char where[120], what[400];
	size_t i, nb;

	if (!shredded)
		return;
	json_object_foreach(a->reg.orders, order, x) {
		nb = 0;
		json_array_foreach(json_object_get(x, "blobs"), i, b)
			nb++;
		snprintf(where, sizeof(where), "order %s", order);
		snprintf(what, sizeof(what), "personal data shredded as of %s under %s (%s): %zu "
			 "records, %zu blob files",
			 json_string_value(json_object_get(x, "as_of")) ?
				 json_string_value(json_object_get(x, "as_of")) : "?",
			 json_string_value(json_object_get(x, "policy")) ?
				 json_string_value(json_object_get(x, "policy")) : "?",
			 json_string_value(json_object_get(x, "id")) ?
				 json_string_value(json_object_get(x, "id")) : "?",
			 json_array_size(json_object_get(x, "records")), nb);
		shredded(ctx, where, what);
	}
}

/*
 * The log's size now into *size, and its root into a->root: a read-only
 * log reads its checkpoint again first. A checkpoint it refuses keeps the
 * view it had (the tile audit names what is wrong with it).
 */
static int log_view(struct audit *a, uint64_t *size, struct err *e)
{
	struct err refused;

	err_clear(&refused);
	if (tlog_log_read_only(a->log) && tlog_log_refresh(a->log, &refused) != RC_OK)
		err_clear(&refused);
	return tlog_log_checkpoint(a->log, size, a->root, NULL, e);
}

int audit_run(struct store *st, struct tlog_log *log, const char *data_dir,
	      const struct tlog_verifier *log_key, problem_report_fn *report, void *ctx,
	      problem_report_fn *shredded, uint64_t *problems, uint64_t *records,
	      uint64_t *shredded_records, struct err *e)
{
	struct audit a;
	uint64_t tile_problems = 0;
	int rc, rc2;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.log = log;
	a.data_dir = data_dir;
	a.found.report = report;
	a.found.ctx = ctx;
	a.key = log_key;
	rc = tlog_log_audit(log, tile_problem, &a, &tile_problems, e);
	if (rc)
		return rc;
	a.places = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, place_free);
	a.leaves = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	a.pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	a.states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	/*
	 * A running server appends a leaf after its seal commits and records
	 * the index after the append. So the log is read on both sides of the
	 * store's snapshot: every leaf below the size before it has its seal in
	 * the snapshot, and every index and checkpoint the snapshot records is
	 * below the size after it.
	 */
	rc = log_view(&a, &a.before, e);
	if (rc)
		goto out;
	rc = store_begin_read(st, e); /* a snapshot: the server goes on writing */
	if (rc)
		goto out;
	rc = shred_register_load(st, &a.reg, e); /* its read fixes the snapshot */
	if (!rc)
		rc = log_view(&a, &a.size, e);
	if (!rc) {
		a.claimed = calloc(a.size + 1, 1);
		if (!a.claimed)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	if (!rc)
		rc = store_seal_each(st, check_seal, &a, e);
	if (!rc) {
		rc = tlog_log_each_entry(log, a.size, check_log_leaf, &a, e);
		if (rc == RC_IO) {
			/* the tile audit names the file; the walk stops where the log does */
			problems_add(&a.found, "log", "the log's entries cannot all be read: %s", e->message);
			rc = RC_OK;
			err_clear(e);
		} else if (rc == RC_NOMEM) {
			err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		} else if (!rc) {
			check_chains(&a);
		}
	}
	if (!rc)
		rc = store_record_each(st, check_record, &a, e);
	if (!rc)
		rc = store_checkpoint_each(st, check_checkpoint, &a, e);
	if (!rc) {
		uint64_t ledger = 0;

		rc = funds_audit(st, report, ctx, &ledger, e);
		a.found.count += ledger;
	}
	if (!rc)
		report_shredded(&a, shredded, ctx);
	rc2 = store_end(st, 0, NULL);
	(void)rc2;
out:
	shred_register_release(&a.reg);
	if (shredded_records)
		*shredded_records = a.shredded;
	free(a.claimed);
	g_hash_table_destroy(a.places);
	g_hash_table_destroy(a.leaves);
	g_hash_table_destroy(a.pending);
	g_hash_table_destroy(a.states);
	*problems = a.found.count;
	*records = a.records;
	return rc;
}
