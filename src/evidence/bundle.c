/* bundle.c - building an order's evidence bundle from the store, the blob store and the log. */
#include "evidence/bundle.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/jsonx.h"
#include "core/sha256.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"
#include "evidence/leaf.h"
#include "evidence/seal.h"
#include "evidence/shred.h"
#include "tlog/checkpoint.h"

/* One record going into the bundle: its body and leaf kind. */
struct item {
	const char *kind;
	json_t *body;            /* owned */
	struct store_seal seal;  /* its seal */
	int shown;               /* its fields disclosed (else all as commitments) */
	int content;             /* a blob: its bytes go in (a shown record names it) */
	json_t *gone;            /* its fields shredded under retention (borrowed), or NULL */
	int shredded;            /* a blob whose file was shredded */
};

/* Tries (50 ms apart) to find every record of an order sealed before giving up. */
#define BUNDLE_SEAL_WAIT_TRIES 60

struct collect {
	struct item *items;
	size_t n, cap;
	json_t *blob_ids;        /* unique "sha256:…" in first-seen order */
	struct store *st;        /* the store being read */
	struct err *e;           /* where a chain walk's errors go */
	json_t *shredding;       /* the order's entry in the retention register, or NULL */
};

static int add_item(struct collect *c, const char *kind, json_t *body, struct err *e)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct item *p = realloc(c->items, cap * sizeof(*p));

		if (!p) {
			json_decref(body);
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		}
		c->items = p;
		c->cap = cap;
	}
	memset(&c->items[c->n], 0, sizeof(c->items[c->n]));
	c->items[c->n].kind = kind;
	c->items[c->n].body = body;
	c->n++;
	return RC_OK;
}

static void note_blob(struct collect *c, json_t *id)
{
	size_t i;
	json_t *v;

	if (!json_is_string(id))
		return;
	json_array_foreach(c->blob_ids, i, v)
		if (json_equal(v, id))
			return;
	json_array_append(c->blob_ids, id);
}

static void note_blobs(struct collect *c, json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		note_blob(c, v);
}

/* Kinds of record in an order's chain, as the bundle names them. */
static const char *chained_kind(const char *kind)
{
	static const char *const kinds[] = {"order", "payment", "logistics", "message",
					    "dispute_event", "disclosure_event", NULL};
	size_t i;

	for (i = 0; kinds[i]; i++)
		if (strcmp(kinds[i], kind) == 0)
			return kinds[i];
	return NULL;
}

/* store_seal_chain_each: one link of the order's chain, with its record and seal. */
static int add_chained(void *ctx, const struct store_seal *s)
{
	struct collect *c = ctx;
	const char *kind = chained_kind(s->kind);
	json_t *body = NULL, *data;
	struct item *x;
	int rc;

	if (!kind)
		return err_set(c->e, RC_INTERNAL, "bad_seal", NULL, "seal of kind %s in a chain",
			       s->kind);
	rc = seal_load_record(c->st, s, &body, c->e);
	if (rc == RC_NOTFOUND)
		rc = err_set(c->e, RC_CONFLICT, "record_missing", NULL,
			     "%s %s of the order's chain is missing from the database", s->kind,
			     s->record_id);
	if (rc)
		return rc;
	if (strcmp(kind, "message") == 0)
		note_blobs(c, json_object_get(body, "attachments"));
	data = json_object_get(body, "data");
	if (strcmp(kind, "dispute_event") == 0) {
		note_blobs(c, json_object_get(data, "evidence"));
		note_blobs(c, json_object_get(data, "attachments"));
	}
	if (strcmp(kind, "disclosure_event") == 0)
		note_blob(c, json_object_get(data, "reference_document"));
	rc = add_item(c, kind, body, c->e);
	if (rc)
		return rc;
	x = &c->items[c->n - 1];
	return store_seal_by_seq(c->st, s->seq, &x->seal, c->e);
}

/* What of an item the order's shredding removed: its fields, or a blob's file. */
static void mark_shredded(struct collect *c, struct item *x)
{
	json_t *r, *b;
	size_t i;

	if (strcmp(x->kind, "blob") == 0) {
		json_array_foreach(json_object_get(c->shredding, "blobs"), i, b)
			if (json_equal(b, json_object_get(x->body, "id")))
				x->shredded = 1;
		return;
	}
	json_array_foreach(json_object_get(c->shredding, "records"), i, r)
		if (strcmp(json_string_value(json_object_get(r, "kind")) ?
				   json_string_value(json_object_get(r, "kind")) : "", x->kind) == 0 &&
		    strcmp(json_string_value(json_object_get(r, "id")) ?
				   json_string_value(json_object_get(r, "id")) : "",
			   x->seal.record_id) == 0 &&
		    json_integer_value(json_object_get(r, "version")) == x->seal.version)
			x->gone = json_object_get(r, "fields");
}

/* Every record of the order, in bundle order, read in one transaction. */
static int collect_records(struct store *st, const char *order_ref, struct collect *c,
			   struct err *e)
{
	json_t *order = NULL, *m = NULL, *it;
	struct store_filter f = {NULL, NULL, NULL};
	size_t i, j;
	int rc;

	c->st = st;
	c->e = e;
	rc = store_get(st, STORE_ORDER, order_ref, &order, e);
	if (rc)
		return rc;
	/* the merchant's identity as the order's leaf links it: the version of the order's time */
	rc = store_merchant_version(st, json_string_value(json_object_get(order, "merchant")),
				    store_order_merchant_version(order), &m, e);
	if (rc)
		goto out;
	note_blob(c, json_object_get(m, "licence_image"));
	rc = add_item(c, "merchant", m, e);
	if (rc)
		goto out;
	json_array_foreach(json_object_get(order, "items"), i, it) {
		const char *lid = json_string_value(json_object_get(it, "listing"));
		int64_t ver = json_integer_value(json_object_get(it, "listing_version"));
		json_t *l = NULL;
		int seen = 0;

		for (j = 0; j < c->n; j++)
			if (strcmp(c->items[j].kind, "listing") == 0 &&
			    strcmp(json_string_value(json_object_get(c->items[j].body, "id")),
				   lid) == 0 &&
			    json_integer_value(json_object_get(c->items[j].body, "version")) == ver)
				seen = 1;
		if (seen)
			continue;
		rc = store_listing_version(st, lid, ver, &l, e);
		if (rc)
			goto out;
		note_blobs(c, json_object_get(l, "images"));
		rc = add_item(c, "listing", l, e);
		if (rc)
			goto out;
	}
	f.order_id = json_string_value(json_object_get(order, "id"));
	json_decref(c->shredding);
	c->shredding = NULL;
	rc = store_shredding_of_order(st, f.order_id, &c->shredding, e);
	if (!rc)
		rc = store_seal_chain_each(st, f.order_id, add_chained, c, e);
	if (rc)
		goto out;
	json_array_foreach(c->blob_ids, i, it) {
		char hex[65];
		json_t *meta = NULL;

		if (rc || !blob_parse_id(json_string_value(it), hex))
			continue;
		rc = store_blob_get(st, hex, &meta, e);
		if (rc)
			break;
		json_object_set_new(meta, "created_at",
				    jx_time_json(json_integer_value(
					    json_object_get(meta, "created_at"))));
		rc = add_item(c, "blob", meta, e);
	}
	for (i = 0; i < c->n && !rc; i++) {
		struct item *x = &c->items[i];
		const char *id = json_string_value(json_object_get(x->body, "id"));
		int64_t ver = strcmp(x->kind, "listing") == 0
				      ? json_integer_value(json_object_get(x->body, "version"))
				      : 0;

		if (strcmp(x->kind, "merchant") == 0)
			ver = store_merchant_seal_version(store_merchant_version_of(x->body));

		if (x->seal.seq)
			rc = RC_OK;   /* a link of the chain: read with its seal */
		else
			rc = store_seal_get(st, x->kind, id, ver, &x->seal, e);
		if (!rc && c->shredding)
			mark_shredded(c, x);
		if (rc == RC_NOTFOUND)
			rc = err_set(e, RC_CONFLICT, "seal_pending", NULL,
				     "%s %s has no seal; it cannot be proven", x->kind, id);
		else if (!rc && x->seal.leaf_index < 0)
			rc = err_set(e, RC_CONFLICT, "seal_pending", NULL,
				     "%s %s is not yet in the evidence log; try again shortly",
				     x->kind, id);
	}
out:
	json_decref(order);
	return rc;
}

/*
 * Which records show their fields (bundle_opts.shown; all without it), and
 * which blobs go in with their bytes: those a shown record names. A blob's
 * own record always shows its type and size, which name no one.
 */
static int mark_shown(struct collect *c, const struct bundle_opts *o, struct err *e)
{
	json_t *named = json_array(), *v;
	struct seal_parts parts;
	size_t i, k;
	int rc = RC_OK;

	if (!named)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	for (i = 0; i < c->n && !rc; i++) {
		struct item *x = &c->items[i];

		if (strcmp(x->kind, "blob") == 0)
			continue;
		x->shown = !o->shown || o->shown(o->shown_ctx, x->kind, x->body);
		if (!x->shown)
			continue;
		rc = seal_parts_of(x->kind, x->body, &parts, e);
		if (!rc)
			json_array_extend(named, parts.blobs);
		seal_parts_release(&parts);
	}
	for (i = 0; i < c->n && !rc; i++) {
		struct item *x = &c->items[i];

		if (strcmp(x->kind, "blob") != 0)
			continue;
		x->shown = 1;
		json_array_foreach(named, k, v)
			if (json_equal(v, json_object_get(x->body, "id")))
				x->content = !x->shredded;
	}
	json_decref(named);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, unique copy of an array of strings (the leaf's order of blobs). */
static json_t *sorted_unique(json_t *arr)
{
	const char **v = calloc(json_array_size(arr) + 1, sizeof(*v));
	json_t *out = json_array(), *x;
	size_t i, n = 0;

	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	json_array_foreach(arr, i, x)
		v[n++] = json_string_value(x);
	qsort(v, n, sizeof(*v), cmp_names);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			json_array_append_new(out, json_string(v[i]));
	free(v);
	return out;
}

static int withheld(const struct bundle_opts *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nwithhold; i++)
		if (strcmp(o->withhold[i], name) == 0)
			return 1;
	return 0;
}

static json_t *b64(const uint8_t *d, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(len);
	json_t *v;

	if (!s)
		return NULL;
	sodium_bin2base64(s, len, d, n, sodium_base64_VARIANT_ORIGINAL);
	v = json_string(s);
	free(s);
	return v;
}

/*
 * A record's place in its order's chain, as its sealed leaf says: *chain is
 * {"order","seq","links"} or {"order","seq","prev"}, or NULL outside chains.
 */
static int chain_json(const struct store_seal *s, json_t **chain, struct err *e)
{
	json_t *leaf = NULL;
	int rc;

	*chain = NULL;
	rc = leaf_decode((const char *)s->leaf, s->leaf_len, &leaf, e);
	if (rc)
		return err_set(e, RC_INTERNAL, "bad_seal", NULL, "the seal of %s %s is unreadable",
			       s->kind, s->record_id);
	if (json_object_get(leaf, "order")) {
		*chain = json_pack("{s:O, s:O}", "order", json_object_get(leaf, "order"), "seq",
				   json_object_get(leaf, "seq"));
		if (*chain && json_object_get(leaf, "prev"))
			json_object_set(*chain, "prev", json_object_get(leaf, "prev"));
		else if (*chain)
			json_object_set(*chain, "links", json_object_get(leaf, "links"));
		if (!*chain)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	json_decref(leaf);
	return rc;
}

static void collect_clear(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		json_decref(c->items[i].body);
		store_seal_release(&c->items[i].seal);
	}
	c->n = 0;
	json_array_clear(c->blob_ids);
}

/*
 * collect_records in a transaction of its own; a record sealed a moment
 * ago (the server's own background work, such as an assessment) is waited
 * for, a little: past the wait the bundle is refused with "seal_pending".
 */
static int collect_waiting(struct store *st, const char *order_ref, struct collect *c,
			   struct err *e)
{
	const struct timespec pause = {0, 50 * 1000 * 1000};
	int tries, ended, rc = RC_OK;

	for (tries = 0; tries < BUNDLE_SEAL_WAIT_TRIES; tries++) {
		if (tries) {
			collect_clear(c);
			nanosleep(&pause, NULL);
		}
		rc = store_begin(st, e);
		if (rc)
			return rc;
		rc = collect_records(st, order_ref, c, e);
		ended = store_end(st, 0, NULL); /* a read: nothing to commit */
		(void)ended;
		if (rc != RC_CONFLICT || strcmp(e->code, "seal_pending") != 0)
			break;
	}
	return rc;
}

/* The bundle's entry for one record: its leaf's parts, disclosures and proof. */
static int record_json(struct item *x, const struct bundle_opts *o, const struct tlog_proof *p,
		       json_t **out, struct err *e)
{
	struct seal_parts parts;
	json_t *salts, *fields, *proof, *v, *chain = NULL, *sealed = NULL;
	const char *name;
	char ts[TIME_TEXT_MAX];
	size_t i;
	int rc;

	*out = NULL;
	rc = seal_parts_of(x->kind, x->body, &parts, e);
	if (rc)
		return rc;
	/* salts of the fields it has: derived from the seal's secret, or as it keeps them */
	rc = seal_salts(&x->seal, parts.fields, &salts, e);
	fields = json_object();
	proof = json_array();
	if (rc)
		goto out;
	if (!fields || !proof) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	/* fields in the leaf's order: sorted by name; shredded ones as the leaf commits them */
	if (x->gone) {
		rc = leaf_decode((const char *)x->seal.leaf, x->seal.leaf_len, &sealed, e);
		if (rc)
			goto out;
	}
	{
		const char **names = calloc(json_object_size(parts.fields) + json_array_size(x->gone) + 1,
					    sizeof(*names));
		size_t n = 0;

		if (!names) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			goto out;
		}
		json_object_foreach(parts.fields, name, v)
			names[n++] = name;
		json_array_foreach(x->gone, i, v)
			if (!json_object_get(parts.fields, json_string_value(v)))
				names[n++] = json_string_value(v);
		qsort(names, n, sizeof(*names), cmp_names);
		for (i = 0; i < n && !rc; i++) {
			const char *salt = json_string_value(json_object_get(salts, names[i]));
			json_t *value = json_object_get(parts.fields, names[i]);

			if (!value) {
				json_t *cm = json_object_get(json_object_get(sealed, "fields"),
							     names[i]);

				if (!json_is_string(cm)) {
					rc = err_set(e, RC_INTERNAL, NULL, NULL,
						     "shredded field %s of %s is not in its leaf",
						     names[i], parts.id);
					break;
				}
				json_object_set_new(fields, names[i],
						    json_pack("{s:O, s:b}", "commitment", cm,
							      "shredded", 1));
				continue;
			}
			if (!salt) {
				rc = err_set(e, RC_INTERNAL, NULL, NULL, "no salt for %s of %s",
					     names[i], parts.id);
				break;
			}
			if (!x->shown || withheld(o, names[i]) ||
			    (o->field_shown &&
			     !o->field_shown(o->shown_ctx, x->kind, x->body, names[i]))) {
				uint8_t salt_bin[LEAF_SALT_SIZE], c[32];
				size_t sl = 0;

				if (sodium_base642bin(salt_bin, sizeof(salt_bin), salt, strlen(salt),
						      NULL, &sl, NULL,
						      sodium_base64_VARIANT_ORIGINAL) ||
				    sl != sizeof(salt_bin)) {
					rc = err_set(e, RC_INTERNAL, NULL, NULL, "bad salt");
					break;
				}
				leaf_commit(names[i], salt_bin, json_string_value(value),
					    json_string_length(value), c);
				json_object_set_new(fields, names[i],
						    json_pack("{s:o}", "commitment", b64(c, 32)));
			} else {
				json_object_set_new(fields, names[i],
						    json_pack("{s:O, s:s}", "value", value, "salt",
							      salt));
			}
		}
		free(names);
	}
	for (i = 0; i < p->n; i++)
		json_array_append_new(proof, b64(p->hash[i], TLOG_HASH_SIZE));
	time_format(parts.time_ms, ts);
	rc = chain_json(&x->seal, &chain, e);
	if (rc)
		goto out;
	*out = json_pack("{s:s, s:s, s:s}", "type", x->kind, "id", parts.id, "time", ts);
	if (*out && chain)
		json_object_set(*out, "chain", chain);
	if (!*out || json_object_set_new(*out, "leaf_index", json_integer(x->seal.leaf_index)) ||
	    json_object_set_new(*out, "blobs", sorted_unique(parts.blobs)) ||
	    json_object_set(*out, "fields", fields) ||
	    json_object_set(*out, "inclusion_proof", proof))
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
out:
	json_decref(sealed);
	json_decref(salts);
	json_decref(fields);
	json_decref(proof);
	json_decref(chain);
	seal_parts_release(&parts);
	return rc;
}

/* Cosignatures in the note by the configured witnesses: their keys, for the bundle. */
static json_t *witness_list(const char *note, size_t len, const struct bundle_opts *o)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; out && i < o->nwitnesses; i++) {
		struct tlog_verifier v;
		struct tlog_note n;
		struct err ignore;

		if (tlog_verifier_parse(&v, o->witness_vkeys[i], &ignore))
			continue;
		tlog_note_init(&n);
		if (tlog_note_open(&n, note, len, &v, 1, &ignore) == RC_OK)
			json_array_append_new(out, json_string(o->witness_vkeys[i]));
		tlog_note_release(&n);
	}
	return out;
}

/*
 * The note with only the signatures the bundle accounts for: the log's and
 * those of the listed witnesses. A note with fewer signatures is still the
 * same signed note, and a verifier then meets no signature it cannot check.
 */
static int filter_note(const char *note, size_t len, const struct tlog_verifier *log,
		       json_t *witnesses, struct buf *out, struct err *e)
{
	struct tlog_note n;
	size_t i, j;
	json_t *w;
	int rc;

	tlog_note_init(&n);
	rc = tlog_note_parse(&n, note, len, e);
	if (!rc)
		rc = buf_append(out, n.text, n.text_len) || buf_appends(out, "\n") ? RC_NOMEM : RC_OK;
	for (i = 0; !rc && i < n.nsigs; i++) {
		int keep = strcmp(n.sigs[i].name, log->name) == 0 && n.sigs[i].id == log->id;

		json_array_foreach(witnesses, j, w) {
			struct tlog_verifier v;
			struct err ignore;

			if (!tlog_verifier_parse(&v, json_string_value(w), &ignore) &&
			    strcmp(v.name, n.sigs[i].name) == 0 && v.id == n.sigs[i].id)
				keep = 1;
		}
		if (keep && (buf_appends(out, n.sigs[i].line) || buf_appends(out, "\n")))
			rc = RC_NOMEM;
	}
	tlog_note_release(&n);
	if (rc == RC_NOMEM)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return rc;
}

/*
 * A blob's entry. With content, "content_base64" holds `mark` for now: the
 * bundle's text keeps only the mark, and bundle_read puts the file's bytes,
 * in base64, in its place as the bundle is read out.
 */
static int blob_json(struct item *x, const char *mark, json_t **out, struct err *e)
{
	*out = json_pack("{s:O, s:O, s:O}", "id", json_object_get(x->body, "id"), "content_type",
			 json_object_get(x->body, "content_type"), "size",
			 json_object_get(x->body, "size"));
	if (*out && mark && json_object_set_new(*out, "content_base64", json_string(mark)))
		json_decref(*out), *out = NULL;
	if (*out && x->shredded && json_object_set_new(*out, "shredded", json_true()))
		json_decref(*out), *out = NULL;
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

/* One stretch of a bundle as it is read out: text of the skeleton, or a blob's content. */
struct piece {
	const char *text;            /* a span of bundle->text, or NULL for a blob */
	size_t len;                  /* its length */
	char hex[65];                /* a blob: its digest */
	uint64_t size;               /* and its size in bytes, as sealed */
};

#define RAW_CHUNK 49152          /* bytes of a blob encoded at a time: a multiple of 3 */

struct bundle {
	char *text;                  /* the bundle with each blob's content as a mark */
	struct piece *pieces;
	size_t npieces;
	uint64_t size;               /* bytes in all */
	char *data_dir;
	/* where reading is */
	size_t at;                   /* the piece */
	size_t off;                  /* into a text piece */
	int fd;                      /* a blob piece's file, or -1 */
	uint64_t raw;                /* its bytes read so far */
	struct sha256_ctx sha;       /* the blob being read's digest so far */
	char enc[RAW_CHUNK / 3 * 4 + 1]; /* base64 of the last bytes read */
	size_t enc_len, enc_off;
	unsigned char chunk[RAW_CHUNK];
};

void bundle_free(struct bundle *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	sha256_release(&b->sha);
	free(b->text);
	free(b->pieces);
	free(b->data_dir);
	free(b);
}

uint64_t bundle_size(const struct bundle *b)
{
	return b->size;
}

/*
 * Cut the dumped text at each mark (marks[i] for blob i, in the order they
 * appear) into pieces; the total size counts each blob as its base64.
 */
static int cut_pieces(struct bundle *b, json_t *marks, json_t *blobs, struct err *e)
{
	size_t n = json_array_size(marks), i;
	const char *from = b->text;

	b->pieces = calloc(2 * n + 1, sizeof(*b->pieces));
	if (!b->pieces)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	b->size = 0;
	for (i = 0; i < n; i++) {
		const char *mark = json_string_value(json_array_get(marks, i));
		const char *at = strstr(from, mark);
		json_t *blob = json_array_get(blobs, i);
		struct piece *t = &b->pieces[b->npieces++], *x;

		if (!at)
			return err_set(e, RC_INTERNAL, NULL, NULL, "a blob's place is lost");
		t->text = from;
		t->len = (size_t)(at - from);
		x = &b->pieces[b->npieces++];
		if (!blob_parse_id(json_string_value(json_object_get(blob, "id")), x->hex))
			return err_set(e, RC_INTERNAL, NULL, NULL, "bad blob id");
		x->size = (uint64_t)json_integer_value(json_object_get(blob, "size"));
		b->size += t->len + (x->size + 2) / 3 * 4;
		from = at + strlen(mark);
	}
	b->pieces[b->npieces].text = from;
	b->pieces[b->npieces].len = strlen(from);
	b->size += b->pieces[b->npieces++].len;
	return RC_OK;
}

/* Encode the next chunk of the blob being read; at its end, check its size and digest. */
static int next_chunk(struct bundle *b, struct piece *x, struct err *e)
{
	size_t want = (size_t)(x->size - b->raw < RAW_CHUNK ? x->size - b->raw : RAW_CHUNK);
	size_t got = 0;
	uint8_t digest[32];
	char hex[65];
	ssize_t r;

	if (b->fd < 0) {
		uint64_t size = 0;
		int rc = blobstore_open(b->data_dir, x->hex, &b->fd, &size, e);

		if (rc)
			return rc;
		if (size != x->size)
			return err_set(e, RC_IO, "blob_changed", NULL,
				       "blob %s is %llu bytes on disk, sealed as %llu", x->hex,
				       (unsigned long long)size, (unsigned long long)x->size);
		sha256_init(&b->sha);
		b->raw = 0;
	}
	while (got < want) {
		r = read(b->fd, b->chunk + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return err_set(e, RC_IO, "blob_changed", NULL, "blob %s ends early", x->hex);
		got += (size_t)r;
	}
	sha256_update(&b->sha, b->chunk, got);
	b->raw += got;
	sodium_bin2base64(b->enc, sizeof(b->enc), b->chunk, got, sodium_base64_VARIANT_ORIGINAL);
	b->enc_len = strlen(b->enc);
	b->enc_off = 0;
	if (b->raw < x->size)
		return RC_OK;
	sha256_final(&b->sha, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if (strcmp(hex, x->hex) != 0)
		return err_set(e, RC_IO, "blob_changed", NULL,
			       "blob %s no longer has its digest", x->hex);
	return RC_OK;
}

int bundle_read(struct bundle *b, char *out, size_t cap, size_t *n, struct err *e)
{
	int rc;

	*n = 0;
	while (*n < cap && b->at < b->npieces) {
		struct piece *x = &b->pieces[b->at];
		size_t take;

		if (x->text) {
			take = x->len - b->off < cap - *n ? x->len - b->off : cap - *n;
			memcpy(out + *n, x->text + b->off, take);
			*n += take;
			b->off += take;
			if (b->off == x->len) {
				b->at++;
				b->off = 0;
			}
			continue;
		}
		if (b->enc_off == b->enc_len) {
			if (b->fd >= 0 && b->raw == x->size) {
				close(b->fd);
				b->fd = -1;
				b->enc_len = b->enc_off = 0;
				b->at++;
				continue;
			}
			if (x->size == 0) {
				b->at++;
				continue;
			}
			rc = next_chunk(b, x, e);
			if (rc)
				return rc;
		}
		take = b->enc_len - b->enc_off < cap - *n ? b->enc_len - b->enc_off : cap - *n;
		memcpy(out + *n, b->enc + b->enc_off, take);
		*n += take;
		b->enc_off += take;
	}
	return RC_OK;
}

int bundle_open(struct store *st, struct tlog_log *log, const char *data_dir,
		const char *order_ref, const struct bundle_opts *o, struct bundle **out,
		struct err *e)
{
	struct collect c;
	struct tlog_verifier lv;
	json_t *bundle = NULL, *records = NULL, *blobs = NULL, *order = NULL, *witnesses = NULL;
	json_t *marks = NULL;
	uint8_t root[TLOG_HASH_SIZE], nonce[12];
	char root_b64[48], nonce_hex[25];
	uint64_t size = 0;
	struct buf note, signed_note;
	struct bundle *b = NULL;
	size_t i;
	int rc, rc2;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	buf_init(&note, 1 << 20);
	buf_init(&signed_note, 1 << 20);
	randombytes_buf(nonce, sizeof(nonce));
	sodium_bin2hex(nonce_hex, sizeof(nonce_hex), nonce, sizeof(nonce));
	c.blob_ids = json_array();
	records = json_array();
	blobs = json_array();
	marks = json_array();
	b = calloc(1, sizeof(*b));
	if (b) {
		b->fd = -1;
		b->data_dir = strdup(data_dir);
	}
	if (!c.blob_ids || !records || !blobs || !marks || !b || !b->data_dir) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = tlog_verifier_parse(&lv, o->log_vkey, e);
	if (rc)
		goto out;
	rc = collect_waiting(st, order_ref, &c, e);
	if (!rc)
		rc = mark_shown(&c, o, e);
	if (rc)
		goto out;
	/*
	 * Prefer the newest checkpoint the witnesses cosigned, when it covers
	 * every record; else the latest, which the log signed on its own.
	 */
	{
		int64_t top = -1;
		struct err ignore;

		for (i = 0; i < c.n; i++)
			if (c.items[i].seal.leaf_index > top)
				top = c.items[i].seal.leaf_index;
		/* several nodes: another node's sequencer may have sealed one a moment ago */
		rc = tlog_log_reach(log, (uint64_t)(top + 1), e);
		if (rc)
			goto out;
		if (tlog_log_witnessed(log, &size, root, &note, &ignore) != RC_OK ||
		    (int64_t)size <= top) {
			buf_clear(&note);
			rc = tlog_log_checkpoint(log, &size, root, &note, e);
			if (rc)
				goto out;
		}
	}
	for (i = 0; i < c.n && !rc; i++) {
		struct tlog_proof p;
		json_t *r = NULL;

		if ((uint64_t)c.items[i].seal.leaf_index >= size) {
			rc = err_set(e, RC_CONFLICT, "seal_pending", NULL,
				     "a record is not yet in the latest checkpoint");
			break;
		}
		rc = tlog_log_prove_inclusion(log, (uint64_t)c.items[i].seal.leaf_index, size, &p, e);
		if (!rc) /* its leaf: the log's entry is the one copy */
			rc = seal_leaf(log, &c.items[i].seal, e);
		if (!rc)
			rc = record_json(&c.items[i], o, &p, &r, e);
		if (!rc)
			json_array_append_new(records, r);
		if (!rc && strcmp(c.items[i].kind, "blob") == 0) {
			char mark[64];
			json_t *x = NULL;

			snprintf(mark, sizeof(mark), "disputed-blob-content-%s-%zu", nonce_hex,
				 json_array_size(marks));
			int content = o->blob_content && c.items[i].content;

			rc = blob_json(&c.items[i], content ? mark : NULL, &x, e);
			if (!rc && content) {
				json_array_append_new(marks, json_string(mark));
				json_array_append(blobs, x);
			} else if (!rc) {
				json_array_append(blobs, x);
			}
			json_decref(x);
		}
		if (!rc && strcmp(c.items[i].kind, "order") == 0)
			order = json_object_get(c.items[i].body, "id");
	}
	if (rc)
		goto out;
	witnesses = witness_list(note.data, note.len, o);
	if (!witnesses) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = filter_note(note.data, note.len, &lv, witnesses, &signed_note, e);
	if (rc)
		goto out;
	bundle = json_pack("{s:s, s:O, s:{s:s, s:s}, s:s, s:O, s:O, s:O}",
			   "format", BUNDLE_FORMAT, "order", order,
			   "log", "origin", lv.name, "vkey", o->log_vkey,
			   "checkpoint", signed_note.data,
			   "witnesses", witnesses,
			   "records", records, "blobs", blobs);
	if (!bundle) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	{
		char *text = json_dumps(bundle, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		size_t len = text ? strlen(text) : 0;

		b->text = text ? realloc(text, len + 2) : NULL;
		if (!b->text) {
			free(text);
			rc = err_set(e, RC_NOMEM, NULL, NULL, "the bundle is too large");
			goto out;
		}
		memcpy(b->text + len, "\n", 2);
	}
	rc = cut_pieces(b, marks, o->blob_content ? blobs : NULL, e);
	if (rc)
		goto out;
	/* keep the checkpoint the bundle relies on, for audits */
	sodium_bin2base64(root_b64, sizeof(root_b64), root, sizeof(root),
			  sodium_base64_VARIANT_ORIGINAL);
	rc = store_begin(st, e);
	if (!rc) {
		rc = store_checkpoint_add(st, (int64_t)size, root_b64, note.data, time_now_ms(), e);
		rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
		if (!rc)
			rc = rc2;
	}
	if (!rc) {
		*out = b;
		b = NULL;
	}
out:
	bundle_free(b);
	json_decref(marks);
	for (i = 0; i < c.n; i++) {
		json_decref(c.items[i].body);
		store_seal_release(&c.items[i].seal);
	}
	free(c.items);
	json_decref(c.blob_ids);
	json_decref(c.shredding);
	json_decref(records);
	json_decref(blobs);
	json_decref(bundle);
	json_decref(witnesses);
	buf_release(&note);
	buf_release(&signed_note);
	return rc;
}

int bundle_build(struct store *st, struct tlog_log *log, const char *data_dir,
		 const char *order_ref, const struct bundle_opts *o, struct buf *out,
		 struct err *e)
{
	struct bundle *b = NULL;
	char chunk[65536];
	size_t n;
	int rc = bundle_open(st, log, data_dir, order_ref, o, &b, e);

	while (!rc) {
		rc = bundle_read(b, chunk, sizeof(chunk), &n, e);
		if (rc || n == 0)
			break;
		if (buf_append(out, chunk, n))
			rc = err_set(e, RC_TOOBIG, "bundle_too_large", NULL, "the bundle is too large");
	}
	bundle_free(b);
	return rc;
}
