/* seal.c - building each record's leaf inside its transaction, and integrating pending leaves into the log. */
#include "evidence/seal.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "evidence/blobstore.h"
#include "evidence/leaf.h"
#include "evidence/shred.h"

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
		p->version = store_merchant_seal_version(store_merchant_version_of(body));
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
	} else if (strcmp(kind, "ledger_entry") == 0) {
		/* every field of the entry: kind, reason, dispute, legs, links */
	} else if (strcmp(kind, "consumer_flag_event") == 0) {
		/* every field: a marking, clearing or appeal of a consumer's flag (risk/consumer.h) */
	} else if (strcmp(kind, "dispute_event") == 0) {
		json_t *data = json_object_get(body, "data");

		json_array_foreach(json_object_get(data, "evidence"), i, v)
			json_array_append(p->blobs, v);
		json_array_foreach(json_object_get(data, "attachments"), i, v)
			json_array_append(p->blobs, v);
	} else if (strcmp(kind, "disclosure_event") == 0) {
		v = json_object_get(json_object_get(body, "data"), "reference_document");
		if (json_is_string(v))
			json_array_append(p->blobs, v);
	} else if (strcmp(kind, "shredding") == 0) {
		/* an entry of the shredding register (shred.h): its records by digest */
		rc = shred_leaf_source(body, &src, e);
		if (rc) {
			seal_parts_release(p);
			return rc;
		}
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

/*
 * The leaf hashes link_to read, kept by each thread for the store it read
 * them from. A seal's leaf hash never changes once committed, so they hold
 * while nothing of that store was rolled back since (store_undone): a
 * rollback could take back a seal this thread's own transaction made.
 * Orders link the versions of the same few merchants and listings again
 * and again, so most links are found here, not read.
 */
#define LINKS_SEEN_MAX 4096

struct links_seen {
	uint64_t serial, undone;    /* the store, and its store_undone, when the hashes were read */
	GHashTable *hashes;         /* "kind version id" -> leaf hash */
};

static void links_seen_free(gpointer p)
{
	struct links_seen *s = p;

	g_hash_table_destroy(s->hashes);
	g_free(s);
}

static GPrivate links_seen_key = G_PRIVATE_INIT(links_seen_free);

/* This thread's leaf hashes read from `st`, still to be trusted (emptied when not). */
static GHashTable *links_seen(struct store *st)
{
	struct links_seen *s = g_private_get(&links_seen_key);

	if (!s) {
		s = g_new0(struct links_seen, 1);
		s->hashes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		g_private_set(&links_seen_key, s);
	}
	if (s->serial != store_serial(st) || s->undone != store_undone(st) ||
	    g_hash_table_size(s->hashes) >= LINKS_SEEN_MAX) {
		g_hash_table_remove_all(s->hashes);
		s->serial = store_serial(st);
		s->undone = store_undone(st);
	}
	return s->hashes;
}

/* The leaf hash of a record's seal, appended to `links`. */
static int link_to(struct store *st, const char *kind, const char *id, int64_t version,
		   json_t *links, struct err *e)
{
	GHashTable *seen = links_seen(st);
	const char *known;
	char hash[48], key[200];
	int rc;

	if (!id)
		return err_set(e, RC_INTERNAL, "bad_record", NULL, "order links a record with no id");
	if ((size_t)snprintf(key, sizeof(key), "%s %lld %s", kind, (long long)version, id) >=
	    sizeof(key))
		key[0] = '\0'; /* too long to keep: read every time */
	known = key[0] ? g_hash_table_lookup(seen, key) : NULL;
	if (known) {
		json_array_append_new(links, json_string(known));
		return RC_OK;
	}
	rc = store_seal_leaf_hash(st, kind, id, version, hash, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_INTERNAL, "seal_missing", NULL,
			       "the order's %s %s has no seal", kind, id);
	if (rc)
		return rc;
	if (key[0])
		g_hash_table_insert(seen, g_strdup(key), g_strdup(hash));
	json_array_append_new(links, json_string(hash));
	return RC_OK;
}

/*
 * Where a record of kind `kind` goes in its order's chain: *order (a copy
 * into `order`, "" for records outside any chain), the place after the
 * chain's head (h->seq, h->prev into `prev`), or for the order itself the
 * leaves it links (h->links, a new array).
 */
static int chain_place(struct store *st, const char *kind, json_t *body, struct leaf_head *h,
		       char *order, size_t order_cap, char *prev, size_t prev_cap, struct err *e)
{
	const char *oid = NULL;
	json_t *d = NULL, *it;
	char head_hash[48];
	int64_t head_seq = 0;
	size_t i;
	int rc = RC_OK;

	order[0] = '\0';
	if (strcmp(kind, "order") == 0 || strcmp(kind, "payment") == 0) {
		oid = str(body, "id");
	} else if (strcmp(kind, "logistics") == 0 || strcmp(kind, "message") == 0 ||
		   strcmp(kind, "disclosure_event") == 0) {
		oid = str(body, "order");
	} else if (strcmp(kind, "dispute_event") == 0) {
		rc = store_dispute_get(st, str(body, "dispute"), &d, e);
		if (rc)
			return rc;
		oid = str(d, "order");
	} else {
		return RC_OK;   /* merchants, listings, blobs: outside every chain */
	}
	if (!oid || (size_t)snprintf(order, order_cap, "%s", oid) >= order_cap) {
		json_decref(d);
		return err_set(e, RC_INTERNAL, "bad_record", NULL, "%s has no order", kind);
	}
	json_decref(d);
	h->order = order;
	if (strcmp(kind, "order") == 0) {
		h->seq = 0;
		h->links = json_array();
		if (!h->links)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		/* the merchant's version when the order was placed (1 for orders from before versions) */
		rc = link_to(st, "merchant", str(body, "merchant"),
			     store_merchant_seal_version(store_order_merchant_version(body)),
			     h->links, e);
		json_array_foreach(json_object_get(body, "items"), i, it) {
			if (rc)
				break;
			rc = link_to(st, "listing", str(it, "listing"),
				     json_integer_value(json_object_get(it, "listing_version")),
				     h->links, e);
		}
		return rc;
	}
	rc = store_seal_chain_tip(st, order, &head_seq, head_hash, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_INTERNAL, "seal_missing", NULL,
			       "order %s has no sealed chain to extend", order);
	if (rc)
		return rc;
	h->seq = head_seq + 1;
	snprintf(prev, prev_cap, "%s", head_hash);
	h->prev = prev;
	return RC_OK;
}

/* ---- leaves prepared before the writer ---- */

static _Thread_local struct seal_prep *prep_current;

int seal_prep_add(struct seal_prep *p, const char *kind, json_t *src, const char *const *skip,
		  struct err *e)
{
	struct seal_prep_entry *x;
	json_t *fields = NULL;
	int rc;

	if (p->n >= SEAL_PREP_MAX)
		return err_set(e, RC_INTERNAL, NULL, NULL, "too many prepared seals");
	x = &p->s[p->n];
	if ((size_t)snprintf(x->kind, sizeof(x->kind), "%s", kind) >= sizeof(x->kind))
		return err_set(e, RC_INTERNAL, NULL, NULL, "no leaf kind %s", kind);
	rc = leaf_fields(src, skip, &fields, e);
	if (rc)
		return rc;
	randombytes_buf(x->secret, sizeof(x->secret));
	rc = leaf_commitments(x->secret, fields, &x->known, e);
	json_decref(fields);
	if (rc) {
		sodium_memzero(x->secret, sizeof(x->secret));
		return rc;
	}
	x->used = 0;
	p->n++;
	return RC_OK;
}

void seal_prep_release(struct seal_prep *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		sodium_memzero(p->s[i].secret, sizeof(p->s[i].secret));
		json_decref(p->s[i].known);
		p->s[i].known = NULL;
	}
	p->n = 0;
}

void seal_prep_use(struct seal_prep *p)
{
	prep_current = p;
}

void seal_prep_made_reset(struct seal_prep *p)
{
	if (p)
		p->nmade = 0;
}

/* Note in the current prep (if any, and while there is room) the seal `row` just added as `seq`. */
static void prep_made(const struct store_seal *row, int64_t seq)
{
	struct seal_prep *p = prep_current;
	struct seal_made *m;

	if (!p || p->nmade >= SEAL_MADE_MAX)
		return;
	m = &p->made[p->nmade++];
	m->seq = seq;
	snprintf(m->kind, sizeof(m->kind), "%s", row->kind);
	snprintf(m->record_id, sizeof(m->record_id), "%s", row->record_id);
	m->version = row->version;
	snprintf(m->leaf_hash, sizeof(m->leaf_hash), "%s", row->leaf_hash);
	m->leaf_index = -1;
}

/* The current prep's first unused entry for a seal of `kind`, now used; NULL if none. */
static struct seal_prep_entry *prep_take(const char *kind)
{
	struct seal_prep *p = prep_current;
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		if (p->s[i].used || strcmp(p->s[i].kind, kind) != 0)
			continue;
		p->s[i].used = 1;
		return &p->s[i];
	}
	return NULL;
}

int seal_record(struct store *st, const char *kind, json_t *body, int64_t now, int64_t *seq,
		struct err *e)
{
	struct seal_prep_entry *ahead;
	struct seal_parts p;
	struct leaf_head h;
	struct store_seal row;
	uint8_t hash[TLOG_HASH_SIZE];
	int64_t added = -1;
	char prev[48];
	struct buf leaf;
	int rc;

	memset(&h, 0, sizeof(h));
	memset(&row, 0, sizeof(row));
	buf_init(&leaf, LEAF_MAX + 1024);
	rc = seal_parts_of(kind, body, &p, e);
	if (rc)
		return rc;
	h.type = kind;
	h.id = p.id;
	h.time_ms = p.time_ms;
	rc = chain_place(st, kind, body, &h, row.chain_order, sizeof(row.chain_order), prev,
			 sizeof(prev), e);
	/* a secret drawn ahead, with what was committed ahead under it (see seal_prep) */
	ahead = rc ? NULL : prep_take(kind);
	if (ahead)
		memcpy(row.secret, ahead->secret, sizeof(row.secret));
	else
		randombytes_buf(row.secret, sizeof(row.secret));
	row.has_secret = 1;
	if (!rc)
		rc = leaf_seal_known(&h, p.fields, p.blobs, row.secret,
				     ahead ? ahead->known : NULL, &leaf, e);
	if (rc)
		goto out;
	tlog_leaf_hash(leaf.data, leaf.len, hash);
	sodium_bin2base64(row.leaf_hash, sizeof(row.leaf_hash), hash, sizeof(hash),
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(row.kind, sizeof(row.kind), "%s", kind);
	snprintf(row.record_id, sizeof(row.record_id), "%s", p.id);
	row.version = p.version;
	row.leaf = (unsigned char *)leaf.data;
	row.leaf_len = leaf.len;
	row.salts = NULL;   /* they derive from row.secret */
	row.chain_seq = h.order ? h.seq : -1;
	/* the row's own time is the real clock's: the sweeper ages pending seals by it */
	(void)now;
	row.created_at = time_now_ms();
	rc = store_seal_add(st, &row, &added, e);
	if (!rc) {
		if (seq)
			*seq = added;
		prep_made(&row, added);
	}
out:
	sodium_memzero(row.secret, sizeof(row.secret));
	json_decref(h.links);
	buf_release(&leaf);
	seal_parts_release(&p);
	return rc;
}

/* ---- claims: which call integrates which seal ---- */

/*
 * A seal's leaf goes to the log only from the call that holds the seal's
 * claim, and the claim is held from before the call reads whether the seal
 * is pending until its leaf index is recorded (seal.h). When the log took
 * the leaf but recording its index failed, the claim stays in the table
 * without an owner, with the index, for the next claimant to record.
 */
struct claim {
	const struct tlog_log *log; /* the log the seal goes into */
	int64_t seq;                /* the seal's row */
	const void *owner;          /* the call holding it; NULL for none */
	int64_t index;              /* its leaf index when known but not recorded; else -1 */
};

/* The table: CLAIM_BUCKETS lists of claims, by seq. */
#define CLAIM_BUCKETS 256

struct claim_bucket {
	struct claim *c;   /* in no order */
	size_t n;          /* in use */
	size_t alloc;      /* allocated */
};

static pthread_mutex_t claims_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t claims_cv = PTHREAD_COND_INITIALIZER; /* broadcast when claims are dropped */
static struct claim_bucket claims[CLAIM_BUCKETS];

static struct claim_bucket *claim_bucket_of(int64_t seq)
{
	return &claims[(uint64_t)seq % CLAIM_BUCKETS];
}

static struct claim *claim_find(const struct tlog_log *log, int64_t seq)
{
	struct claim_bucket *b = claim_bucket_of(seq);
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->c[i].seq == seq && b->c[i].log == log)
			return &b->c[i];
	return NULL;
}

static void claim_remove(struct claim *c)
{
	struct claim_bucket *b = claim_bucket_of(c->seq);

	*c = b->c[--b->n];
}

/* Room in the buckets for a new claim of each of seqs[0..n). */
static int claims_reserve(const int64_t *seqs, size_t n)
{
	size_t need[CLAIM_BUCKETS] = {0}, i, a, k;
	struct claim_bucket *b;
	struct claim *p;

	for (i = 0; i < n; i++)
		need[(uint64_t)seqs[i] % CLAIM_BUCKETS]++;
	for (k = 0; k < CLAIM_BUCKETS; k++) {
		b = &claims[k];
		if (b->n + need[k] <= b->alloc)
			continue;
		a = b->alloc ? b->alloc : 8;
		while (a < b->n + need[k])
			a *= 2;
		p = realloc(b->c, a * sizeof(*p));
		if (!p)
			return RC_NOMEM;
		b->c = p;
		b->alloc = a;
	}
	return RC_OK;
}

/*
 * Claim seals seqs[0..n) for `owner`: with `wait`, once no other call holds
 * any of them; without, skipping those another call holds. taken[i] says
 * whether seqs[i] was claimed by this call (0 for a repeat of an earlier
 * seqs[j]); known[i] the leaf index the log already gave it, or -1.
 */
static int claims_take(const struct tlog_log *log, const int64_t *seqs, size_t n,
		       const void *owner, int wait, uint8_t *taken, int64_t *known)
{
	struct claim_bucket *b;
	struct claim *c;
	size_t i, busy;

	pthread_mutex_lock(&claims_mu);
	for (;;) {
		for (i = 0, busy = 0; wait && i < n && !busy; i++) {
			c = claim_find(log, seqs[i]);
			busy = c && c->owner && c->owner != owner;
		}
		if (!busy)
			break;
		pthread_cond_wait(&claims_cv, &claims_mu);
	}
	if (claims_reserve(seqs, n) != RC_OK) {
		pthread_mutex_unlock(&claims_mu);
		return RC_NOMEM;
	}
	for (i = 0; i < n; i++) {
		taken[i] = 0;
		known[i] = -1;
		c = claim_find(log, seqs[i]);
		if (c && c->owner)
			continue; /* another call's, or this one's already */
		if (!c) {
			b = claim_bucket_of(seqs[i]);
			c = &b->c[b->n++];
			c->log = log;
			c->seq = seqs[i];
			c->index = -1;
		}
		c->owner = owner;
		taken[i] = 1;
		known[i] = c->index;
	}
	pthread_mutex_unlock(&claims_mu);
	return RC_OK;
}

/*
 * Drop the claims `owner` took (taken[i]); where keep[i] >= 0 the log holds
 * that seal's leaf at keep[i] but the store has not recorded it: keep that.
 */
static void claims_drop(const struct tlog_log *log, const int64_t *seqs, size_t n,
			const void *owner, const uint8_t *taken, const int64_t *keep)
{
	struct claim *c;
	size_t i;

	pthread_mutex_lock(&claims_mu);
	for (i = 0; i < n; i++) {
		if (!taken[i])
			continue;
		c = claim_find(log, seqs[i]);
		if (!c || c->owner != owner)
			continue;
		c->owner = NULL;
		c->index = keep ? keep[i] : -1;
		if (c->index < 0)
			claim_remove(c);
	}
	pthread_cond_broadcast(&claims_cv);
	pthread_mutex_unlock(&claims_mu);
}

/* Forget the unowned claims of `log`: what they knew, recovery finds in the log. */
static void claims_forget(const struct tlog_log *log)
{
	struct claim_bucket *b;
	size_t i, k;

	pthread_mutex_lock(&claims_mu);
	for (k = 0; k < CLAIM_BUCKETS; k++) {
		b = &claims[k];
		for (i = 0; i < b->n;) {
			if (b->c[i].log == log && !b->c[i].owner)
				b->c[i] = b->c[--b->n];
			else
				i++;
		}
	}
	pthread_mutex_unlock(&claims_mu);
}

/* Keep the log's latest checkpoint in the store too; call inside a transaction. */
static int keep_checkpoint(struct store *st, struct tlog_log *log, struct err *e)
{
	uint8_t root[TLOG_HASH_SIZE];
	char root_b64[48];
	uint64_t size = 0;
	struct buf note;
	int rc;

	buf_init(&note, 1 << 20);
	rc = tlog_log_checkpoint(log, &size, root, &note, e);
	if (!rc) {
		sodium_bin2base64(root_b64, sizeof(root_b64), root, sizeof(root),
				  sodium_base64_VARIANT_ORIGINAL);
		rc = store_checkpoint_add(st, (int64_t)size, root_b64, note.data, time_now_ms(), e);
	}
	buf_release(&note);
	return rc;
}

/*
 * store_seals_by_seq over any number of seals, STORE_SEALS_BATCH_MAX at a
 * time (one round trip each on PostgreSQL). On error nothing is left to
 * release.
 */
static int seals_read(struct store *st, const int64_t *seqs, size_t n, struct store_seal *out,
		      uint8_t *found, struct err *e)
{
	size_t i = 0, k = 0, j;
	int rc = RC_OK;

	while (i < n) {
		k = n - i < STORE_SEALS_BATCH_MAX ? n - i : STORE_SEALS_BATCH_MAX;
		rc = store_seals_by_seq(st, seqs + i, k, out + i, found + i, e);
		if (rc)
			break;
		i += k;
	}
	for (j = 0; rc && j < i; j++)
		store_seal_release(&out[j]);
	return rc;
}

/* store_seal_set_indexes over any number of seals, STORE_SEALS_BATCH_MAX at a time. */
static int seals_record(struct store *st, const int64_t *seqs, const int64_t *idx, size_t n,
			struct err *e)
{
	size_t i, k;
	int rc = RC_OK;

	for (i = 0; i < n && !rc; i += k) {
		k = n - i < STORE_SEALS_BATCH_MAX ? n - i : STORE_SEALS_BATCH_MAX;
		rc = store_seal_set_indexes(st, seqs + i, idx + i, k, e);
	}
	return rc;
}

/*
 * seal_wait, and seal_pending's part: with `wait`, seals another call is
 * integrating are waited for; without, they are left to it. *done (may be
 * NULL) gets how many seals this call integrated (appended, or recorded at
 * the index the log had already given them).
 */
static int seal_integrate(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
			  int wait, int64_t *done, struct err *e)
{
	struct store_seal *s = NULL;
	struct tlog_entry *entries = NULL;
	uint64_t *idx = NULL;
	int64_t *known = NULL, *at = NULL, *want = NULL, *put = NULL;
	uint8_t *taken = NULL, *found = NULL;
	size_t *row = NULL, i, j, m = 0, nr = 0, nread = 0;
	int rc, rc2, claimed = 0;

	if (done)
		*done = 0;
	if (n == 0)
		return RC_OK;
	s = calloc(n, sizeof(*s));
	entries = calloc(n, sizeof(*entries));
	idx = calloc(n, sizeof(*idx));
	known = calloc(n, sizeof(*known));
	at = calloc(n, sizeof(*at));
	want = calloc(n, sizeof(*want));
	put = calloc(n, sizeof(*put));
	taken = calloc(n, sizeof(*taken));
	found = calloc(n, sizeof(*found));
	row = calloc(n, sizeof(*row));
	if (!s || !entries || !idx || !known || !at || !want || !put || !taken || !found || !row) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	/* `s` is this call's own: its address is the owner of the claims. */
	rc = claims_take(log, seqs, n, s, wait, taken, known);
	if (rc) {
		rc = err_set(e, rc, NULL, NULL, "out of memory");
		goto out;
	}
	claimed = 1;
	for (i = 0; i < n; i++) {
		at[i] = known[i];
		if (taken[i])
			want[nread++] = seqs[i];
	}
	/*
	 * Under the claims: which are still pending, and which of those the
	 * log has already. All claimed seals are read at once, then kept in
	 * s[0..nr) (the pending ones, moved down) in the order of seqs.
	 */
	rc = store_begin(st, e);
	if (rc)
		goto out;
	rc = seals_read(st, want, nread, s, found, e);
	if (rc)
		nread = 0; /* nothing read is left to release */
	for (i = 0, j = 0; i < n && !rc; i++) {
		if (!taken[i])
			continue;
		if (!found[j]) {
			rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal %lld",
				     (long long)seqs[i]);
			break;
		}
		if (s[j].leaf_index >= 0) {
			store_seal_release(&s[j++]);
			continue;
		}
		if (nr != j) {
			s[nr] = s[j];
			memset(&s[j], 0, sizeof(s[j]));
		}
		j++;
		row[nr++] = i;
		if (known[i] < 0 && s[nr - 1].leaf_len == 0) {
			/* the store drops a leaf only with the index that says where the log has it */
			rc = err_set(e, RC_INTERNAL, "seal_leaf_missing", NULL,
				     "the pending seal %lld keeps no leaf", (long long)seqs[i]);
			break;
		}
		if (known[i] < 0) {
			entries[m].data = s[nr - 1].leaf;
			entries[m].len = s[nr - 1].leaf_len;
			idx[m++] = i; /* which seqs[] entry m is, until the log overwrites idx */
		}
	}
	rc2 = store_end(st, 0, NULL);
	(void)rc2;
	if (rc || nr == 0)
		goto out;
	if (m) {
		uint64_t *pos = calloc(m, sizeof(*pos));

		if (!pos) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			goto out;
		}
		rc = tlog_log_append(log, entries, m, pos, e);
		for (i = 0; !rc && i < m; i++)
			at[idx[i]] = (int64_t)pos[i];
		free(pos);
		if (rc)
			goto out;
	}
	for (i = 0; i < nr; i++) {
		want[i] = seqs[row[i]];
		put[i] = at[row[i]];
	}
	rc = store_begin_lazy(st, e);
	if (rc)
		goto out;
	rc = seals_record(st, want, put, nr, e);
	if (!rc)
		rc = keep_checkpoint(st, log, e);
	if (!rc)
		rc = store_signal(st, STORE_SIG_SEALS_INDEXED, e);
	/*
	 * The indexes need no fsync of their own: the records and their seals
	 * were durable before the log took the leaves, the log's fsync made
	 * the leaves durable, and if the indexes are lost seal_recover finds
	 * them in the log again.
	 */
	rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
	if (!rc)
		rc = rc2;
	if (!rc && done)
		*done = (int64_t)nr;
out:
	/* Leaves the log holds but the store did not record stay known (at[]) for the next call. */
	if (claimed)
		claims_drop(log, seqs, n, s, taken, rc ? at : NULL);
	for (i = 0; s && i < nread; i++)
		store_seal_release(&s[i]); /* moved and released ones are no-ops */
	free(s);
	free(entries);
	free(idx);
	free(known);
	free(at);
	free(want);
	free(put);
	free(taken);
	free(found);
	free(row);
	return rc;
}

int seal_wait(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
	      struct err *e)
{
	if (tlog_log_read_only(log))
		return seal_await(st, log, seqs, n, 0, e);
	return seal_integrate(st, log, seqs, n, 1, NULL, e);
}

/* ---- the write pipeline's batches ---- */

struct seal_batch {
	struct tlog_log *log;
	int64_t *seqs;               /* the batch's seals */
	size_t n;
	uint8_t *taken;              /* claimed by this batch (its address is the owner) */
	int64_t *at;                 /* leaf index, once known; else -1 */
	struct tlog_entry *entries;  /* leaves to append (copies, in `leaves`) */
	size_t *entry_of;            /* which seqs[] each entry is */
	size_t m;
	unsigned char **leaves;      /* owned copies */
	int claimed;                 /* claims still held */
	int appended;                /* seal_batch_log appended the leaves */
};

void seal_batch_free(struct seal_batch *b)
{
	size_t i;

	if (!b)
		return;
	if (b->claimed)
		claims_drop(b->log, b->seqs, b->n, b, b->taken, NULL);
	for (i = 0; b->leaves && i < b->m; i++)
		free(b->leaves[i]);
	free(b->seqs);
	free(b->taken);
	free(b->at);
	free(b->entries);
	free(b->entry_of);
	free(b->leaves);
	free(b);
}

/*
 * The leaves of the seals b->seqs[0..n) this batch claimed and the log
 * has not taken (known[i] < 0), read at once: each pending one's leaf
 * becomes an entry to append; one recorded already gets its index.
 */
static int batch_leaves(struct store *st, struct seal_batch *b, const int64_t *known,
			struct err *e)
{
	struct store_seal *s = calloc(b->n ? b->n : 1, sizeof(*s));
	int64_t *want = malloc((b->n ? b->n : 1) * sizeof(*want));
	uint8_t *found = calloc(b->n ? b->n : 1, sizeof(*found));
	size_t i, j, k = 0;
	int rc;

	if (!s || !want || !found) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < b->n; i++)
		if (b->taken[i] && known[i] < 0)
			want[k++] = b->seqs[i];
	rc = seals_read(st, want, k, s, found, e);
	if (rc)
		k = 0; /* nothing read is left to release */
	for (i = 0, j = 0; i < b->n && !rc; i++) {
		if (!b->taken[i] || known[i] >= 0)
			continue;
		if (!found[j]) {
			rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal %lld",
				     (long long)b->seqs[i]);
			break;
		}
		if (s[j].leaf_index >= 0) {
			b->at[i] = s[j].leaf_index; /* recorded already: nothing to append */
		} else {
			b->leaves[b->m] = s[j].leaf;
			s[j].leaf = NULL;
			b->entries[b->m].data = b->leaves[b->m];
			b->entries[b->m].len = s[j].leaf_len;
			b->entry_of[b->m++] = i;
		}
		store_seal_release(&s[j++]);
	}
out:
	for (i = 0; s && i < k; i++)
		store_seal_release(&s[i]);
	free(s);
	free(want);
	free(found);
	return rc;
}

int seal_batch_take(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
		    struct seal_batch **out, struct err *e)
{
	struct seal_batch *b = calloc(1, sizeof(*b));
	int64_t *known = NULL;
	size_t i;
	int rc = RC_OK;

	*out = NULL;
	if (!b)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	b->log = log;
	b->n = n;
	b->seqs = malloc((n ? n : 1) * sizeof(*b->seqs));
	b->taken = calloc(n ? n : 1, sizeof(*b->taken));
	b->at = malloc((n ? n : 1) * sizeof(*b->at));
	b->entries = calloc(n ? n : 1, sizeof(*b->entries));
	b->entry_of = calloc(n ? n : 1, sizeof(*b->entry_of));
	b->leaves = calloc(n ? n : 1, sizeof(*b->leaves));
	known = malloc((n ? n : 1) * sizeof(*known));
	if (!b->seqs || !b->taken || !b->at || !b->entries || !b->entry_of || !b->leaves ||
	    !known) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	if (n)
		memcpy(b->seqs, seqs, n * sizeof(*seqs));
	/* without waiting: a transaction is open (seal.h) */
	rc = claims_take(log, seqs, n, b, 0, b->taken, known);
	if (rc) {
		rc = err_set(e, rc, NULL, NULL, "out of memory");
		goto out;
	}
	b->claimed = 1;
	for (i = 0; i < n; i++)
		b->at[i] = known[i];
	rc = batch_leaves(st, b, known, e);
out:
	free(known);
	if (rc) {
		seal_batch_free(b);
		return rc;
	}
	*out = b;
	return RC_OK;
}

/* Grow the array at *pp (a pointer to any pointer) to `want` items of `size` bytes; 0 or -1. */
static int grow(void *pp, size_t want, size_t size)
{
	void **p = pp, *q;

	q = realloc(*p, (want ? want : 1) * size);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

int seal_batch_merge(struct seal_batch *into, struct seal_batch *from, struct err *e)
{
	size_t n = into->n + from->n, m = into->m + from->m, i;
	struct claim *c;

	if (grow(&into->seqs, n, sizeof(*into->seqs)) ||
	    grow(&into->taken, n, sizeof(*into->taken)) ||
	    grow(&into->at, n, sizeof(*into->at)) ||
	    grow(&into->entries, m, sizeof(*into->entries)) ||
	    grow(&into->entry_of, m, sizeof(*into->entry_of)) ||
	    grow(&into->leaves, m, sizeof(*into->leaves)))
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	/* the claims change hands: `from`'s address owns them until now */
	pthread_mutex_lock(&claims_mu);
	for (i = 0; i < from->n; i++) {
		if (!from->taken[i])
			continue;
		c = claim_find(from->log, from->seqs[i]);
		if (c && c->owner == from)
			c->owner = into;
	}
	pthread_mutex_unlock(&claims_mu);
	memcpy(into->seqs + into->n, from->seqs, from->n * sizeof(*from->seqs));
	memcpy(into->taken + into->n, from->taken, from->n * sizeof(*from->taken));
	memcpy(into->at + into->n, from->at, from->n * sizeof(*from->at));
	for (i = 0; i < from->m; i++) {
		into->leaves[into->m + i] = from->leaves[i];
		into->entries[into->m + i] = from->entries[i];
		into->entry_of[into->m + i] = into->n + from->entry_of[i];
	}
	into->n = n;
	into->m = m;
	into->claimed = into->claimed || from->claimed;
	from->m = 0;         /* the leaves are `into`'s now */
	from->claimed = 0;   /* and so are the claims */
	seal_batch_free(from);
	return RC_OK;
}

/* A seal's row and where the log put its leaf. */
struct seq_at {
	int64_t seq, at;
};

static int cmp_seq_at(const void *a, const void *b)
{
	const struct seq_at *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

void seal_batch_indexes(const struct seal_batch *b, struct seal_prep *const *preps, size_t n)
{
	struct seq_at *v = malloc((b->n ? b->n : 1) * sizeof(*v)), key, *hit;
	size_t i, k, m = 0;

	if (!v)
		return; /* the replies read their seals from the store instead */
	for (i = 0; i < b->n; i++)
		if (b->taken[i] && b->at[i] >= 0)
			v[m++] = (struct seq_at){b->seqs[i], b->at[i]};
	qsort(v, m, sizeof(*v), cmp_seq_at);
	for (i = 0; i < n; i++)
		for (k = 0; preps[i] && k < preps[i]->nmade; k++) {
			key.seq = preps[i]->made[k].seq;
			hit = bsearch(&key, v, m, sizeof(*v), cmp_seq_at);
			if (hit)
				preps[i]->made[k].leaf_index = hit->at;
		}
	free(v);
}

/* The seals another call had claimed when the batch was taken: waited for as seal_wait does. */
static int batch_wait_others(struct store *st, struct seal_batch *b, struct err *e)
{
	int64_t *rest = malloc((b->n ? b->n : 1) * sizeof(*rest));
	size_t i, k = 0;
	int rc;

	if (!rest)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	for (i = 0; i < b->n; i++)
		if (!b->taken[i])
			rest[k++] = b->seqs[i];
	rc = seal_wait(st, b->log, rest, k, e);
	free(rest);
	return rc;
}

int seal_batch_log(struct seal_batch *b, struct err *e)
{
	uint64_t *pos;
	size_t i;
	int rc;

	if (!b->m)
		return RC_OK;
	pos = calloc(b->m, sizeof(*pos));
	if (!pos)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = tlog_log_append_now(b->log, b->entries, b->m, pos, e);
	for (i = 0; !rc && i < b->m; i++)
		b->at[b->entry_of[i]] = (int64_t)pos[i];
	free(pos);
	b->appended = !rc;
	return rc; /* on failure nothing was appended: seal_batch_free drops the claims */
}

int seal_batch_record(struct store *st, struct seal_batch *b, struct err *e)
{
	int64_t *want, *put;
	size_t i, k = 0;
	int rc;

	want = malloc((b->n ? b->n : 1) * sizeof(*want));
	put = malloc((b->n ? b->n : 1) * sizeof(*put));
	if (!want || !put) {
		free(want);
		free(put);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	for (i = 0; i < b->n; i++) {
		if (b->taken[i] && b->at[i] >= 0) {
			want[k] = b->seqs[i];
			put[k++] = b->at[i];
		}
	}
	rc = seals_record(st, want, put, k, e);
	if (!rc && b->appended)
		rc = keep_checkpoint(st, b->log, e);
	free(want);
	free(put);
	return rc;
}

int seal_batch_settle(struct store *st, struct seal_batch *b, int recorded, struct err *e)
{
	/* leaves the log holds but the store did not record stay known for the next call */
	claims_drop(b->log, b->seqs, b->n, b, b->taken, recorded ? NULL : b->at);
	b->claimed = 0;
	return recorded ? batch_wait_others(st, b, e) : RC_OK;
}

/*
 * Most seals seal_pending integrates with one append: an import leaves tens
 * of thousands pending, and each append costs the log's fsyncs.
 */
#define SEAL_PENDING_CHUNK 4096

int seal_pending(struct store *st, struct tlog_log *log, int64_t older_than, int64_t *count,
		 struct err *e)
{
	int64_t *seqs, done;
	int n;
	int rc;

	if (count)
		*count = 0;
	seqs = malloc(SEAL_PENDING_CHUNK * sizeof(*seqs));
	if (!seqs)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	for (;;) {
		rc = store_begin(st, e);
		if (rc)
			break;
		rc = store_seal_pending_before(st, older_than, SEAL_PENDING_CHUNK, seqs, &n, e);
		if (store_end(st, 0, NULL)) {
			/* a read: nothing to lose */
		}
		if (rc || n == 0)
			break;
		/* seals another call is integrating are that call's: not waited for */
		rc = seal_integrate(st, log, seqs, (size_t)n, 0, &done, e);
		if (rc)
			break;
		if (count)
			*count += done;
		if (n < SEAL_PENDING_CHUNK || done < n)
			break;
	}
	free(seqs);
	return rc;
}

/* The record a seal was made from, as the store holds it now. */
int seal_load_record(struct store *st, const struct store_seal *s, json_t **body,
		     struct err *e)
{
	char hex[65];
	int rc;

	*body = NULL;
	if (strcmp(s->kind, "merchant") == 0)
		return store_merchant_version(st, s->record_id, s->version ? s->version : 1, body,
					      e);
	if (strcmp(s->kind, "listing") == 0)
		return store_listing_version(st, s->record_id, s->version, body, e);
	if (strcmp(s->kind, "order") == 0 || strcmp(s->kind, "payment") == 0)
		return store_get(st, STORE_ORDER, s->record_id, body, e);
	if (strcmp(s->kind, "logistics") == 0)
		return store_get(st, STORE_LOGISTICS, s->record_id, body, e);
	if (strcmp(s->kind, "message") == 0)
		return store_get(st, STORE_MESSAGE, s->record_id, body, e);
	if (strcmp(s->kind, "dispute_event") == 0)
		return store_dispute_event_get(st, s->record_id, body, e);
	if (strcmp(s->kind, "disclosure_event") == 0)
		return store_disclosure_event_get(st, s->record_id, body, e);
	if (strcmp(s->kind, "ledger_entry") == 0)
		return store_fund_entry_get(st, s->record_id, body, e);
	if (strcmp(s->kind, "consumer_flag_event") == 0)
		return store_consumer_flag_event_get(st, s->record_id, body, e);
	if (strcmp(s->kind, "shredding") == 0)
		return store_shredding_get(st, s->record_id, body, e);
	if (strcmp(s->kind, "blob") == 0) {
		if (!blob_parse_id(s->record_id, hex))
			return err_set(e, RC_NOTFOUND, NULL, NULL, "bad blob id");
		rc = store_blob_get(st, hex, body, e);
		if (!rc)
			json_object_set_new(*body, "created_at",
					    jx_time_json(json_integer_value(
						    json_object_get(*body, "created_at"))));
		return rc;
	}
	return err_set(e, RC_NOTFOUND, NULL, NULL, "unknown kind %s", s->kind);
}

/* The meta key under which recovery keeps how far it has reconciled the log (seal.h). */
#define RECOVERED_KEY "seals_recovered_through"

/* Where this recovery starts: the last one's mark, if the log still reaches it; else 0. */
static int64_t recovered_through(struct store *st, uint64_t size)
{
	char *text = NULL, *end = NULL;
	long long v = -1;
	struct err ignore;
	int rc;

	if (store_begin(st, &ignore) == RC_OK) {
		if (store_meta_get(st, RECOVERED_KEY, &text, &ignore) == RC_OK && text) {
			errno = 0;
			v = strtoll(text, &end, 10);
			if (errno || end == text || *end)
				v = -1;
		}
		rc = store_end(st, 0, NULL);
		(void)rc;
	}
	free(text);
	return v >= 0 && (uint64_t)v <= size ? (int64_t)v : 0;
}

/* Keep `through` as the mark the next recovery starts from. */
static int recovered_keep(struct store *st, int64_t through, struct err *e)
{
	char text[24];
	int rc = store_begin(st, e), rc2;

	if (rc)
		return rc;
	snprintf(text, sizeof(text), "%lld", (long long)through);
	rc = store_meta_set(st, RECOVERED_KEY, text, e);
	rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
	return rc ? rc : rc2;
}

int seal_close_mark(struct store *st, struct tlog_log *log, struct err *e)
{
	uint64_t size = 0;
	int64_t seq;
	int n = 0, rc, rc2;

	/*
	 * The size first: every entry below it was appended from a seal
	 * committed before, so once no seal is pending, each is recorded or no
	 * pending seal's leaf, for good, as recovery's mark needs.
	 */
	rc = tlog_log_checkpoint(log, &size, NULL, NULL, e);
	if (rc)
		return rc;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_seal_pending(st, 1, &seq, &n, e);
	rc2 = store_end(st, 0, NULL);
	(void)rc2;
	if (rc || n > 0)
		return rc;
	return recovered_keep(st, (int64_t)size, e);
}

int seal_recover(struct store *st, struct tlog_log *log, int64_t *matched, struct err *e)
{
	int64_t gaps[512], from, seq, through;
	uint8_t h[TLOG_HASH_SIZE], taken;
	char hash[48];
	uint64_t size = 0;
	struct store_seal s;
	struct buf entry;
	int64_t known;
	int n = 0, i, rc, rc2;

	*matched = 0;
	claims_forget(log);
	buf_init(&entry, LEAF_MAX + 1024);
	rc = tlog_log_checkpoint(log, &size, NULL, NULL, e);
	from = rc ? 0 : recovered_through(st, size);
	through = (int64_t)size; /* lowered to the first gap left to another call */
	while (!rc) {
		rc = store_begin(st, e);
		if (rc)
			break;
		rc = store_seal_unrecorded(st, from, (int64_t)size, gaps, 512, &n, e);
		rc2 = store_end(st, 0, NULL);
		(void)rc2;
		for (i = 0; i < n && !rc; i++) {
			buf_clear(&entry);
			rc = tlog_log_entry(log, (uint64_t)gaps[i], &entry, e);
			if (rc)
				break;
			tlog_leaf_hash(entry.data, entry.len, h);
			sodium_bin2base64(hash, sizeof(hash), h, sizeof(h),
					  sodium_base64_VARIANT_ORIGINAL);
			rc = store_begin(st, e);
			if (rc)
				break;
			rc = store_seal_pending_by_hash(st, hash, &seq, e);
			rc2 = store_end(st, 0, NULL);
			(void)rc2;
			if (rc == RC_NOTFOUND) { /* no seal's leaf, or recorded already */
				err_clear(e);
				rc = RC_OK;
				continue;
			}
			if (rc)
				break;
			/* Under its claim: still pending, with these very bytes? Then it is here. */
			rc = claims_take(log, &seq, 1, &s, 0, &taken, &known);
			if (rc) {
				rc = err_set(e, rc, NULL, NULL, "out of memory");
				break;
			}
			if (!taken) { /* another call is integrating it */
				if (gaps[i] < through)
					through = gaps[i];
				continue;
			}
			rc = store_begin(st, e);
			if (!rc) {
				int have, hit = 0;

				rc = store_seal_by_seq(st, seq, &s, e);
				have = rc == RC_OK;
				if (have && s.leaf_index < 0 && s.leaf_len == entry.len &&
				    memcmp(s.leaf, entry.data, entry.len) == 0) {
					rc = store_seal_set_index(st, seq, gaps[i], e);
					if (!rc)
						rc = keep_checkpoint(st, log, e);
					if (!rc)
						rc = store_signal(st, STORE_SIG_SEALS_INDEXED, e);
					hit = 1;
				}
				if (have)
					store_seal_release(&s);
				rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
				if (!rc)
					rc = rc2;
				if (!rc && hit)
					(*matched)++;
			}
			claims_drop(log, &seq, 1, &s, &taken, NULL);
		}
		if (rc || n < 512)
			break;
		from = gaps[n - 1] + 1;
	}
	/*
	 * Every entry below `through` now has its index recorded or is no
	 * pending seal's leaf, for good: an entry is appended only from a seal
	 * already committed, so no seal whose leaf it is can come later.
	 */
	if (!rc)
		rc = recovered_keep(st, through, e);
	buf_release(&entry);
	return rc;
}

/*
 * Where the leaf of the seal of (kind, id, version) is: 1 with *index and
 * hash (48 bytes) when it is in the log, 0 when it has none there (yet),
 * or an RC_ code < 0 negated, with `e`.
 */
typedef int seal_find_fn(void *ctx, const char *kind, const char *id, int64_t version,
			 int64_t *index, char *hash, struct err *e);

/* seal_find_fn from the store: the seal as it stands. */
static int find_stored(void *ctx, const char *kind, const char *id, int64_t version,
		       int64_t *index, char *hash, struct err *e)
{
	struct store_seal s;
	int rc = store_seal_get(ctx, kind, id, version, &s, e);

	if (rc == RC_NOTFOUND) {
		err_clear(e);
		return 0;
	}
	if (rc)
		return -rc;
	*index = s.leaf_index;
	memcpy(hash, s.leaf_hash, sizeof(s.leaf_hash));
	store_seal_release(&s);
	return *index >= 0;
}

/* What seal_annotate_made asks a prep for; `missed` once a record was not there. */
struct made_ctx {
	const struct seal_prep *p;
	int missed;
};

/* seal_find_fn from the seals a prep made and the indexes its sealer gave them. */
static int find_made(void *ctx, const char *kind, const char *id, int64_t version,
		     int64_t *index, char *hash, struct err *e)
{
	struct made_ctx *c = ctx;
	size_t i;

	(void)e;
	for (i = c->p->nmade; i-- > 0;) {
		const struct seal_made *m = &c->p->made[i];

		if (m->leaf_index >= 0 && m->version == version && strcmp(m->kind, kind) == 0 &&
		    strcmp(m->record_id, id) == 0) {
			*index = m->leaf_index;
			memcpy(hash, m->leaf_hash, sizeof(m->leaf_hash));
			return 1;
		}
	}
	c->missed = 1;
	return 0;
}

static int annotate_one(seal_find_fn *find, void *ctx, json_t *obj, const char *kind,
			const char *id, int64_t version, struct err *e)
{
	char hash[48];
	int64_t index = -1;
	int found = find(ctx, kind, id, version, &index, hash, e);

	if (found < 0)
		return -found;
	if (found)
		json_object_set_new(obj, "sealed",
				    json_pack("{s:I, s:s}", "leaf_index", (json_int_t)index,
					      "leaf_hash", hash));
	return RC_OK;
}

static int annotate_with(seal_find_fn *find, void *ctx, json_t *obj, struct err *e)
{
	static const char *const plain[][2] = {
		{"logistics_event", "logistics"}, {"message", "message"}, {"blob", "blob"},
		{"dispute_event", "dispute_event"}, {"disclosure_event", "disclosure_event"},
		{"ledger_entry", "ledger_entry"},
	};
	const char *object = str(obj, "object"), *id = str(obj, "id");
	size_t i;
	int rc;

	if (!object || !id)
		return RC_OK;
	if (strcmp(object, "merchant") == 0)
		return annotate_one(find, ctx, obj, "merchant", id,
				    store_merchant_seal_version(store_merchant_version_of(obj)), e);
	if (strcmp(object, "listing") == 0)
		return annotate_one(find, ctx, obj, "listing", id,
				    json_integer_value(json_object_get(obj, "version")), e);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(object, plain[i][0]) == 0)
			return annotate_one(find, ctx, obj, plain[i][1], id, 0, e);
	if (strcmp(object, "order") == 0) {
		rc = annotate_one(find, ctx, obj, "order", id, 0, e);
		if (!rc && json_is_object(json_object_get(obj, "payment")))
			rc = annotate_one(find, ctx, json_object_get(obj, "payment"), "payment", id,
					  0, e);
		return rc;
	}
	return RC_OK;
}

int seal_annotate(struct store *st, json_t *obj, struct err *e)
{
	return annotate_with(find_stored, st, obj, e);
}

int seal_annotate_made(const struct seal_prep *p, json_t *obj)
{
	struct made_ctx c = {p, 0};
	struct err e;

	err_clear(&e);
	return annotate_with(find_made, &c, obj, &e) == RC_OK && !c.missed;
}
