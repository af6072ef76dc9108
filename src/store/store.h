/* store.h - the storage interface: the only way the rest of disputed reaches the database. */
#ifndef DISPUTED_STORE_H
#define DISPUTED_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ids.h"

/*
 * A store is one database opened by one process. Every use of it happens
 * between store_begin and store_end: that takes the store's lock (so a
 * store may be shared by threads, one transaction at a time) and a
 * database transaction, so reads see one consistent state and a failed
 * request writes nothing. Records are kept as JSON bodies beside the
 * columns needed to find them; bodies go in and come out as jansson values.
 *
 * Backends: store_sqlite.c (embedded default). A PostgreSQL backend
 * implements this same interface.
 */
struct store;

/* The kinds of record the platform pushes. */
enum store_kind {
	STORE_MERCHANT,
	STORE_CONSUMER,
	STORE_LISTING,
	STORE_ORDER,
	STORE_LOGISTICS,
	STORE_MESSAGE,
	STORE__KINDS
};

/*
 * Open (with `create`, make) the database at `path`, apply pending schema
 * migrations and return the handle in *out. Creating fails with
 * RC_CONFLICT if the file exists; opening fails with RC_NOTFOUND if it
 * does not.
 */
int store_open(const char *path, int create, struct store **out, struct err *e) WARN_UNUSED;

/* Close the store. NULL is a no-op. */
void store_close(struct store *st);

/* Schema version after migrations. */
int store_schema_version(struct store *st);

/* Take the store's lock and start a transaction. */
int store_begin(struct store *st, struct err *e) WARN_UNUSED;

/*
 * Commit (if `commit` and nothing failed) or roll back, then release the
 * lock. Returns the commit's result; a rollback always returns RC_OK.
 */
int store_end(struct store *st, int commit, struct err *e) WARN_UNUSED;

/* Settings kept in the database (origin name, …). *out is malloc'd. */
int store_meta_get(struct store *st, const char *key, char **out, struct err *e) WARN_UNUSED;
int store_meta_set(struct store *st, const char *key, const char *value, struct err *e) WARN_UNUSED;

/* ---- API keys and minted tokens ---- */

/* Who made a request, as found from its bearer token. */
struct principal {
	char via[8];          /* "key" (an API key) or "token" (a minted token) */
	char id[ID_MAX];      /* key_… or tok_… */
	char role[16];        /* platform, agent, consumer, merchant, court, … */
	char subject[256];    /* cus_/mer_ id, agent or key name */
	int64_t expires_at;   /* ms; 0 for API keys */
};

int store_key_insert(struct store *st, const char *id, const char *role,
		     const char *name, const char *hash, int64_t now,
		     struct err *e) WARN_UNUSED;
/* An array of {"id","role","name","created_at","revoked_at"}. */
int store_key_list(struct store *st, json_t **out, struct err *e) WARN_UNUSED;
/* RC_NOTFOUND if no such key, RC_CONFLICT if already revoked. */
int store_key_revoke(struct store *st, const char *id, int64_t now, struct err *e) WARN_UNUSED;

int store_token_insert(struct store *st, const char *id, const char *role,
		       const char *subject, const char *hash,
		       const char *created_by, int64_t now, int64_t expires_at,
		       struct err *e) WARN_UNUSED;
int store_token_revoke(struct store *st, const char *id, int64_t now, struct err *e) WARN_UNUSED;

/*
 * Find the live key or token whose SHA-256 hex is `hash`. RC_UNAUTH when
 * there is none, or it was revoked or has expired by `now`.
 */
int store_auth_lookup(struct store *st, const char *hash, int64_t now,
		      struct principal *out, struct err *e) WARN_UNUSED;

/* ---- records ---- */

/* One stored record and the columns it is found by. */
struct store_row {
	const char *id;           /* prefixed id; with a version, shared by versions */
	const char *external_id;  /* platform's id, or NULL */
	int64_t version;          /* listings: 1, 2, …; others 0 */
	const char *merchant_id;  /* owning merchant, or NULL */
	const char *consumer_id;  /* owning consumer, or NULL */
	const char *order_id;     /* parent order, or NULL */
	int64_t created_at;       /* ms */
	json_t *body;             /* the record as served (borrowed) */
};

/*
 * Insert a record. RC_CONFLICT (code "duplicate_external_id", param
 * "external_id") if `external_id` is taken by another record of the kind;
 * listing versions share an external_id.
 */
int store_put(struct store *st, enum store_kind kind, const struct store_row *row,
	      struct err *e) WARN_UNUSED;

/* Replace the body of an existing record (consumers only: contact updates). */
int store_replace(struct store *st, enum store_kind kind, const char *id,
		  json_t *body, struct err *e) WARN_UNUSED;

/*
 * Fetch a record by its id or external id (for listings, the newest
 * version). *body is a new reference. RC_NOTFOUND if none.
 */
int store_get(struct store *st, enum store_kind kind, const char *ref,
	      json_t **body, struct err *e) WARN_UNUSED;

/* A listing's given version. RC_NOTFOUND if none. */
int store_listing_version(struct store *st, const char *listing_id,
			  int64_t version, json_t **body, struct err *e) WARN_UNUSED;

/* Filters for store_list; NULL members match everything. */
struct store_filter {
	const char *merchant_id;
	const char *consumer_id;
	const char *order_id;
};

/*
 * List records of `kind` matching `f`, oldest first, after row `after`
 * (0 for the start), at most `limit`. *items is a new array; *next is the
 * row to continue after, or 0 when there is nothing more. Listings are
 * listed by their newest versions.
 */
int store_list(struct store *st, enum store_kind kind, const struct store_filter *f,
	       int64_t after, int limit, json_t **items, int64_t *next,
	       struct err *e) WARN_UNUSED;

/* Whether the consumer has an order with the merchant. */
int store_consumer_has_merchant(struct store *st, const char *consumer_id,
				const char *merchant_id, int *yes, struct err *e) WARN_UNUSED;

/* Whether the consumer has ordered (any version of) the listing. */
int store_consumer_has_listing(struct store *st, const char *consumer_id,
			       const char *listing_id, int *yes, struct err *e) WARN_UNUSED;

/* ---- blobs ---- */

int store_blob_put(struct store *st, const char *digest_hex, int64_t size,
		   const char *content_type, int64_t now, struct err *e) WARN_UNUSED;
/* {"id":"sha256:…","size":…,"content_type":…,"created_at":…} or RC_NOTFOUND. */
int store_blob_get(struct store *st, const char *digest_hex, json_t **out, struct err *e) WARN_UNUSED;
/* Note that record `owner_id` of `kind` refers to the blob. */
int store_blob_ref(struct store *st, const char *digest_hex, enum store_kind kind,
		   const char *owner_id, struct err *e) WARN_UNUSED;
/*
 * Whether a merchant or consumer may see the blob: it belongs to one of the
 * merchant's records, or to a listing or message of one of their orders.
 */
int store_blob_visible(struct store *st, const char *digest_hex,
		       const char *merchant_id, const char *consumer_id,
		       int *yes, struct err *e) WARN_UNUSED;

/* ---- idempotency and audit ---- */

/*
 * Look up a stored response for (principal, key). RC_NOTFOUND if none;
 * otherwise *hash (the request's hash, 65 bytes), *status and *response
 * (malloc'd) are set.
 */
int store_idem_get(struct store *st, const char *principal, const char *key,
		   char hash[65], int *status, char **response, struct err *e) WARN_UNUSED;
int store_idem_put(struct store *st, const char *principal, const char *key,
		   const char *hash, int status, const char *response, int64_t now,
		   struct err *e) WARN_UNUSED;

/* Record that `actor` was shown personal `fields` (comma-separated) of `object_id`. */
int store_audit_add(struct store *st, int64_t now, const struct principal *actor,
		    const char *object_id, const char *fields, const char *route,
		    struct err *e) WARN_UNUSED;
/* Audit entries, oldest first, paginated like store_list. */
int store_audit_list(struct store *st, int64_t after, int limit, json_t **items,
		     int64_t *next, struct err *e) WARN_UNUSED;

/* ---- evidence seals ---- */

/* One record's sealed leaf. */
struct store_seal {
	int64_t seq;              /* row number */
	char kind[16];            /* leaf type: merchant, listing, order, payment, … */
	char record_id[80];       /* the record's id */
	int64_t version;          /* listings: the version; else 0 */
	unsigned char *leaf;      /* the leaf's bytes (malloc'd) */
	size_t leaf_len;
	char leaf_hash[48];       /* base64 of the RFC 9162 leaf hash */
	char *salts;              /* JSON object name -> base64 salt (malloc'd) */
	int64_t leaf_index;       /* -1 until integrated into the log */
	int64_t created_at;
};

/* Free the members of a seal (not the struct). NULL is a no-op. */
void store_seal_release(struct store_seal *s);

/* Record a new leaf, not yet in the log; *seq gets its row number. */
int store_seal_add(struct store *st, const char *kind, const char *record_id,
		   int64_t version, const void *leaf, size_t leaf_len, const char *leaf_hash,
		   const char *salts, int64_t now, int64_t *seq, struct err *e) WARN_UNUSED;

/* The seal of row `seq`. RC_NOTFOUND if none. */
int store_seal_by_seq(struct store *st, int64_t seq, struct store_seal *out,
		      struct err *e) WARN_UNUSED;

/* The seal of a record (version 0 for all but listings). RC_NOTFOUND if none. */
int store_seal_get(struct store *st, const char *kind, const char *record_id,
		   int64_t version, struct store_seal *out, struct err *e) WARN_UNUSED;

/* Row numbers of up to `limit` seals not yet in the log, oldest first. */
int store_seal_pending(struct store *st, int limit, int64_t *seqs, int *n,
		       struct err *e) WARN_UNUSED;

/* Note where the log put a seal's leaf. */
int store_seal_set_index(struct store *st, int64_t seq, int64_t leaf_index,
			 struct err *e) WARN_UNUSED;

/*
 * Call `fn` for every seal in leaf index order (pending ones last); stops
 * at the first non-zero return of `fn`, which is returned.
 */
int store_seal_each(struct store *st, int (*fn)(void *ctx, const struct store_seal *s),
		    void *ctx, struct err *e) WARN_UNUSED;

/* Keep a signed checkpoint (idempotent by size). */
int store_checkpoint_add(struct store *st, int64_t size, const char *root_b64,
			 const char *note, int64_t now, struct err *e) WARN_UNUSED;
/* Call `fn` for every kept checkpoint, smallest first. */
int store_checkpoint_each(struct store *st,
			  int (*fn)(void *ctx, int64_t size, const char *root, const char *note),
			  void *ctx, struct err *e) WARN_UNUSED;

/* Number of records of a kind (for tests and the demo banner). */
int store_count(struct store *st, enum store_kind kind, int64_t *n, struct err *e) WARN_UNUSED;

#endif
