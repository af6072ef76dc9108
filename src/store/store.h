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
	STORE_DISPUTE,       /* only as the owner of blobs (store_blob_ref) */
	STORE__KINDS
};

/*
 * Open (with `create`, make) the database at `path`, apply pending schema
 * migrations and return the handle in *out. Creating fails with
 * RC_CONFLICT if the file exists; opening fails with RC_NOTFOUND if it
 * does not.
 */
int store_open(const char *path, int create, struct store **out, struct err *e) WARN_UNUSED;

/*
 * A second connection to the database of `st`, for reads that should not
 * wait for its writer: inside store_begin_read transactions it sees the
 * last commit (SQLite's WAL lets readers and the one writer go on at
 * once). It has a lock of its own, and is closed with store_close, before
 * `st`. The schema must be current (store_open of `st` migrated it).
 */
int store_open_reader(struct store *st, struct store **out, struct err *e) WARN_UNUSED;

/*
 * Take the store's lock and start a read-only transaction (a deferred
 * BEGIN, which takes no write lock): for a reader (store_open_reader). End
 * it with store_end(st, 0, …).
 */
int store_begin_read(struct store *st, struct err *e) WARN_UNUSED;

/* Close the store. NULL is a no-op. */
void store_close(struct store *st);

/* Schema version after migrations. */
int store_schema_version(struct store *st);

/* Take the store's lock and start a transaction. */
int store_begin(struct store *st, struct err *e) WARN_UNUSED;

/*
 * Commit (if `commit` and nothing failed) or roll back, then release the
 * lock. Returns the commit's result; a rollback always returns RC_OK. When
 * this thread holds no transaction (its store_begin failed), nothing
 * happens: a rollback returns RC_OK, a commit RC_DB.
 */
int store_end(struct store *st, int commit, struct err *e) WARN_UNUSED;

/*
 * Commit like store_end(st, 1, e), without waiting for the disk: the
 * transaction is in the WAL, visible to every later one and kept when the
 * process dies, and becomes durable with the next transaction that commits
 * normally. A power loss before then may lose it, so use it only for what
 * recovery rebuilds (a seal's leaf index: seal_recover).
 */
int store_end_lazy(struct store *st, struct err *e) WARN_UNUSED;

/* The most savepoints open at once inside one transaction. */
#define STORE_SAVEPOINT_MAX 8

/*
 * Savepoints inside the open transaction (the write pipeline runs each
 * request in one): store_savepoint opens one (RC_INTERNAL past
 * STORE_SAVEPOINT_MAX); store_savepoint_end releases the newest, keeping
 * what was written since it opened (`keep`), or rolls back to it, which
 * also forgets a statement that failed since, so the transaction can still
 * commit. Keeping a savepoint in which a statement failed rolls it back
 * and returns RC_DB.
 */
int store_savepoint(struct store *st, struct err *e) WARN_UNUSED;
int store_savepoint_end(struct store *st, int keep, struct err *e) WARN_UNUSED;

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
/*
 * Revoke the key and every token it minted (tokens.created_by), at once.
 * RC_NOTFOUND if no such key, RC_CONFLICT if already revoked.
 */
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

/* What an order needs of a merchant or listing it names, read without its body. */
struct store_ref {
	char id[64];           /* the record's id */
	int64_t version;       /* a listing's version; a merchant's (1 before versions) */
	char merchant_id[64];  /* a listing's merchant; "" for a merchant */
};

/*
 * As store_get, for merchants and listings: the id, version and merchant
 * of the record (for listings, the newest version) by id or external id,
 * without reading its body into JSON. RC_NOTFOUND if none.
 */
int store_ref_get(struct store *st, enum store_kind kind, const char *ref,
		  struct store_ref *out, struct err *e) WARN_UNUSED;

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
 * Record that a consumer or merchant (`role`, `subject` its cus_/mer_ id)
 * uploaded the blob, which makes it visible to them (store_blob_visible).
 * *first is 1 if this party had not uploaded it before; *at is when it
 * first did (now, if first).
 */
int store_blob_upload(struct store *st, const char *digest_hex, const char *role,
		      const char *subject, int64_t now, int *first, int64_t *at,
		      struct err *e) WARN_UNUSED;
/*
 * Whether a merchant or consumer may see the blob: they uploaded it, it
 * belongs to one of the merchant's records, to a listing or message of one
 * of their orders, or to one of their disputes. Either id may be NULL.
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
/*
 * Store the reply to (principal, key). `principal` is the caller's key_ or
 * tok_ id, never a secret; `response` must hold no secret either (the
 * caller's job: see idem_put_secret in http/server.c).
 */
int store_idem_put(struct store *st, const char *principal, const char *key,
		   const char *hash, int status, const char *response, int64_t now,
		   struct err *e) WARN_UNUSED;
/* Forget every stored reply created before `before` (ms). */
int store_idem_purge(struct store *st, int64_t before, struct err *e) WARN_UNUSED;

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
	char kind[24];            /* leaf type: merchant, listing, order, payment, … */
	char record_id[80];       /* the record's id */
	int64_t version;          /* listings: the version; merchants: store_merchant_seal_version;
				     else 0 */
	unsigned char *leaf;      /* the leaf's bytes (malloc'd; never NULL once read) */
	size_t leaf_len;          /* 0 once the log holds the leaf (store_seal_set_index) */
	char leaf_hash[48];       /* base64 of the RFC 9162 leaf hash */
	char *salts;              /* JSON object name -> base64 salt (malloc'd); "" when the
				     salts derive from `secret` */
	uint8_t secret[32];       /* the record's salt secret (leaf.h), when has_secret */
	int has_secret;           /* 0 for seals made before secrets, and shredded ones */
	int64_t leaf_index;       /* -1 until integrated into the log */
	int64_t created_at;
	char chain_order[80];     /* the order whose chain holds the leaf; "" for none */
	int64_t chain_seq;        /* its place in that chain; -1 for none */
};

/* Free the members of a seal (not the struct). NULL is a no-op. */
void store_seal_release(struct store_seal *s);

/*
 * Record a new leaf, not yet in the log: kind, record_id, version, leaf,
 * leaf_len, leaf_hash, salts (NULL for ""), secret (when has_secret),
 * created_at, chain_order and chain_seq of `in` are kept (seq and
 * leaf_index are not read). A second leaf at the same
 * place of one order's chain is RC_CONFLICT. *seq gets its row number.
 */
int store_seal_add(struct store *st, const struct store_seal *in, int64_t *seq,
		   struct err *e) WARN_UNUSED;

/* The last seal of an order's chain (the highest chain_seq). RC_NOTFOUND if none. */
int store_seal_chain_head(struct store *st, const char *order_id, struct store_seal *out,
			  struct err *e) WARN_UNUSED;

/*
 * Call `fn` for every seal of an order's chain, in chain order; stops at
 * the first non-zero return of `fn`, which is returned.
 */
int store_seal_chain_each(struct store *st, const char *order_id,
			  int (*fn)(void *ctx, const struct store_seal *s), void *ctx,
			  struct err *e) WARN_UNUSED;

/* The seal of row `seq`. RC_NOTFOUND if none. */
int store_seal_by_seq(struct store *st, int64_t seq, struct store_seal *out,
		      struct err *e) WARN_UNUSED;

/*
 * Only the leaf hash of a record's seal (store_seal_get's key) into
 * `hash`: what an order's leaf links, without reading the row's leaf.
 */
int store_seal_leaf_hash(struct store *st, const char *kind, const char *record_id,
			 int64_t version, char hash[48], struct err *e) WARN_UNUSED;

/* Only the chain_seq and leaf hash of an order's chain head (store_seal_chain_head). */
int store_seal_chain_tip(struct store *st, const char *order_id, int64_t *chain_seq,
			 char hash[48], struct err *e) WARN_UNUSED;

/* The seal of a record (version 0 for all but listings). RC_NOTFOUND if none. */
int store_seal_get(struct store *st, const char *kind, const char *record_id,
		   int64_t version, struct store_seal *out, struct err *e) WARN_UNUSED;

/* Row numbers of up to `limit` seals not yet in the log, oldest first. */
int store_seal_pending(struct store *st, int limit, int64_t *seqs, int *n,
		       struct err *e) WARN_UNUSED;

/* As store_seal_pending, only of the seals whose row was made before `before` (ms). */
int store_seal_pending_before(struct store *st, int64_t before, int limit, int64_t *seqs,
			      int *n, struct err *e) WARN_UNUSED;

/*
 * The leaf indexes in [from, size) that no seal holds, smallest first: up
 * to `cap` of them into idx, their number into *n.
 */
int store_seal_unrecorded(struct store *st, int64_t from, int64_t size, int64_t *idx,
			  int cap, int *n, struct err *e) WARN_UNUSED;

/* The row of the pending seal whose leaf hash (base64) is `leaf_hash`. RC_NOTFOUND if none. */
int store_seal_pending_by_hash(struct store *st, const char *leaf_hash, int64_t *seq,
			       struct err *e) WARN_UNUSED;

/*
 * Note where the log put a seal's leaf, and forget the seal's copy of the
 * leaf's bytes: from now on the log's entry is the one copy (seal.h,
 * seal_leaf). Call only once the log holds the leaf durably.
 */
int store_seal_set_index(struct store *st, int64_t seq, int64_t leaf_index,
			 struct err *e) WARN_UNUSED;

/*
 * Call `fn` for every seal in leaf index order (pending ones last); stops
 * at the first non-zero return of `fn`, which is returned.
 */
int store_seal_each(struct store *st, int (*fn)(void *ctx, const struct store_seal *s),
		    void *ctx, struct err *e) WARN_UNUSED;

/* One stored record as an audit walks it (store_record_each). */
struct store_record_ref {
	const char *kind;         /* merchant, listing, order, logistics, message, disclosure_event,
				     dispute_event, dispute, consumer_flag_event, blob,
				     shredding */
	const char *id;           /* its id ("sha256:<hex>" for a blob) */
	int64_t version;          /* listings: the version; merchants: their seal's
				     (store_merchant_seal_version); else 0 */
	json_t *body;             /* the stored body; NULL if it is not JSON */
	json_t *links;            /* the row's columns that link it to other records, as
				     stored: merchant_id, consumer_id, order_id, dispute_id,
				     state, and for an order "items": [{listing_id,
				     listing_version}] */
};

/*
 * Call `fn` for every stored record, kind by kind (merchants, each of
 * their versions, listings, orders, logistics events, messages, dispute
 * events, disputes, blobs, the shredding register's entries),
 * each kind in the order it was stored; members of `r` live until `fn`
 * returns. Stops at the first non-zero return of `fn`, which is returned.
 */
int store_record_each(struct store *st, int (*fn)(void *ctx, const struct store_record_ref *r),
		      void *ctx, struct err *e) WARN_UNUSED;

/* Keep a signed checkpoint (idempotent by size). */
int store_checkpoint_add(struct store *st, int64_t size, const char *root_b64,
			 const char *note, int64_t now, struct err *e) WARN_UNUSED;
/* Call `fn` for every kept checkpoint, smallest first. */
int store_checkpoint_each(struct store *st,
			  int (*fn)(void *ctx, int64_t size, const char *root, const char *note),
			  void *ctx, struct err *e) WARN_UNUSED;

/* ---- disclosure requests (store_disclosures.c) ---- */

/* A new disclosure request's row. */
struct store_disclosure_row {
	const char *id;             /* "dsc_…" */
	const char *order_id;       /* the order it is about */
	const char *dispute_id;     /* or NULL */
	const char *requester_role; /* consumer, court, association, regulator, agent, platform */
	const char *requester_id;   /* the principal's subject (cus_…, or the body's name) */
	const char *state;          /* pending, released, partially_released, refused */
	int64_t created_at;         /* ms */
	int64_t due_at;             /* ms; 0 when answered at once */
	json_t *body;               /* the disclosure as served (borrowed) */
};

/* Filters for store_disclosure_list; NULL members match everything. */
struct store_disclosure_filter {
	const char *requester_role;
	const char *requester_id;
	const char *state;
	const char *order_id;
};

/* The most events one disclosure keeps (a request, its answer, package views). */
#define STORE_DISCLOSURE_MAX_EVENTS 1000

int store_disclosure_insert(struct store *st, const struct store_disclosure_row *row,
			    struct err *e) WARN_UNUSED;
/* Set a disclosure's state, when it was answered (ms) and its body. RC_NOTFOUND if none. */
int store_disclosure_update(struct store *st, const char *id, const char *state,
			    int64_t decided_at, json_t *body, struct err *e) WARN_UNUSED;
/* *body is a new reference. RC_NOTFOUND if none. */
int store_disclosure_get(struct store *st, const char *id, json_t **body,
			 struct err *e) WARN_UNUSED;
/* A page of disclosures, oldest first, as store_list pages. */
int store_disclosure_list(struct store *st, const struct store_disclosure_filter *f,
			  int64_t after, int limit, json_t **items, int64_t *next,
			  struct err *e) WARN_UNUSED;
int store_disclosure_event_insert(struct store *st, const char *id, const char *disclosure_id,
				  const char *order_id, int64_t now, json_t *body,
				  struct err *e) WARN_UNUSED;
int store_disclosure_event_get(struct store *st, const char *id, json_t **body,
			       struct err *e) WARN_UNUSED;
/* A disclosure's events, oldest first (at most STORE_DISCLOSURE_MAX_EVENTS). */
int store_disclosure_events(struct store *st, const char *disclosure_id, json_t **items,
			    struct err *e) WARN_UNUSED;

/* ---- disputes (store_disputes.c) ---- */

/* Filters for store_dispute_list; NULL members (and overdue -1) match everything. */
struct store_dispute_filter {
	const char *state;
	const char *tier;
	const char *merchant_id;
	const char *consumer_id;
	const char *order_id;
	int overdue;              /* 1 or 0 to filter; -1 for any */
};

int store_dispute_insert(struct store *st, const char *id, const char *order_id,
			 const char *merchant_id, const char *consumer_id, const char *state,
			 const char *tier, int64_t now, json_t *body, struct err *e) WARN_UNUSED;
/* Replace a dispute's body and the columns it is found by. */
int store_dispute_update(struct store *st, const char *id, const char *state,
			 const char *tier, int overdue, int64_t now, json_t *body,
			 struct err *e) WARN_UNUSED;
/* RC_NOTFOUND if none. *body is a new reference. */
int store_dispute_get(struct store *st, const char *id, json_t **body, struct err *e) WARN_UNUSED;
/* Newest first is not needed: oldest first, paginated like store_list. */
int store_dispute_list(struct store *st, const struct store_dispute_filter *f, int64_t after,
		       int limit, json_t **items, int64_t *next, struct err *e) WARN_UNUSED;
/* The id of the order's dispute in one of the NULL-terminated `states`, if any (*found). */
int store_dispute_for_order(struct store *st, const char *order_id, const char *const *states,
			    char id[ID_MAX], int *found, struct err *e) WARN_UNUSED;

int store_dispute_event_insert(struct store *st, const char *id, const char *dispute_id,
			       int64_t now, json_t *body, struct err *e) WARN_UNUSED;
/* One dispute event by id (RC_NOTFOUND if none). */
int store_dispute_event_get(struct store *st, const char *id, json_t **body,
			    struct err *e) WARN_UNUSED;
int store_dispute_event_list(struct store *st, const char *dispute_id, int64_t after,
			     int limit, json_t **items, int64_t *next, struct err *e) WARN_UNUSED;
/* Call `fn` with each of a dispute's events, oldest first; a non-zero return stops and is returned. */
int store_dispute_event_each(struct store *st, const char *dispute_id,
			     int (*fn)(void *ctx, json_t *ev), void *ctx,
			     struct err *e) WARN_UNUSED;

/*
 * The queue of disputes to assess again: queue one (once; queuing it again
 * keeps its place), the oldest queued (*found 0 when none), whether one is
 * queued, and take one off (*was 1 if it was queued).
 */
int store_assess_queue(struct store *st, const char *dispute_id, int64_t now,
		       struct err *e) WARN_UNUSED;
int store_assess_next(struct store *st, char id[ID_MAX], int *found, struct err *e) WARN_UNUSED;
int store_assess_queued(struct store *st, const char *dispute_id, int *queued,
			struct err *e) WARN_UNUSED;
int store_assess_done(struct store *st, const char *dispute_id, int *was,
		      struct err *e) WARN_UNUSED;

/* A timer: fires `step`'s timeout for a dispute if it is still in `state`. */
struct store_timer {
	int64_t seq;
	char dispute_id[ID_MAX];
	char step[32];
	char state[32];
	int64_t due_at;
};

int store_timer_add(struct store *st, const char *dispute_id, const char *step,
		    const char *state, int64_t due_at, struct err *e) WARN_UNUSED;
/* Up to `max` unfired timers due at or before `now`, earliest first. */
int store_timer_due(struct store *st, int64_t now, struct store_timer *out, int max, int *n,
		    struct err *e) WARN_UNUSED;
/* Mark a timer fired (exactly once: RC_CONFLICT if it already was). */
int store_timer_fire(struct store *st, int64_t seq, int64_t now, const char *outcome,
		     struct err *e) WARN_UNUSED;

/* An obligation the platform owes in a dispute (kind: acknowledge, decide, execute, appeal). */
int store_obligation_add(struct store *st, const char *dispute_id, const char *kind,
			 int64_t now, int64_t due_at, struct err *e) WARN_UNUSED;
/* Meet the open obligation of that kind (if any); *met says whether one was open. */
int store_obligation_meet(struct store *st, const char *dispute_id, const char *kind,
			  int64_t now, int *met, struct err *e) WARN_UNUSED;
/*
 * Cancel the dispute's obligations that are neither met nor breached: the
 * duty fell away (the consumer withdrew, or went to a court before any
 * outcome). `reason` (a snake_case code) is kept; the compliance report
 * lists cancelled obligations with it.
 */
int store_obligation_cancel_open(struct store *st, const char *dispute_id, const char *reason,
				 int64_t now, struct err *e) WARN_UNUSED;

/* Mark the open, unmet obligation of that kind breached (once). */
int store_obligation_breach(struct store *st, const char *dispute_id, const char *kind,
			    int64_t now, struct err *e) WARN_UNUSED;

/* ---- reports (store_reports.c) ---- */

/* One obligation row, as the compliance report reads it. */
struct store_obligation {
	int64_t seq;               /* row number: the order the duties arose in */
	char dispute_id[ID_MAX];   /* dsp_…, or for a disclosure duty its dsc_… */
	char kind[16];             /* acknowledge, decide, appeal, execute, disclose */
	int64_t created_at;        /* ms: when the duty arose */
	int64_t due_at;            /* ms: when it had to be met by */
	int met;                   /* 1 if met_at is set */
	int64_t met_at;            /* ms; 0 unless met */
	int breached;              /* 1 if a timer found it unmet past due_at */
	int64_t breached_at;       /* ms; 0 unless breached */
	int cancelled;             /* 1 if the duty fell away unmet */
	int64_t cancelled_at;      /* ms; 0 unless cancelled */
	char cancel_reason[40];    /* why, e.g. consumer_withdrew; "" unless cancelled */
};

/*
 * Call `fn` for every obligation created in [from, to) (cancelled ones too,
 * marked), in the order they were created, then every disclosure request
 * an agent had to answer (kind "disclose", met when answered), likewise; `o` is valid only during the call. Stops at the first
 * non-zero return of `fn`, which is returned (fn sets `e` itself). RC_DB
 * if the database fails, RC_INTERNAL for a row the schema should not allow
 * (a kind longer than the struct holds).
 */
int store_obligation_each(struct store *st, int64_t from, int64_t to,
			  int (*fn)(void *ctx, const struct store_obligation *o, struct err *e),
			  void *ctx, struct err *e) WARN_UNUSED;

/*
 * Call `fn` for every dispute opened in [from, to), in the order they were
 * opened, with its created_at (ms), its tier and its reason (the consumer's
 * focus; "" where the body has none); the strings are valid only during the
 * call. Stops at the first non-zero return of `fn`, which is returned.
 * RC_DB if the database fails.
 */
int store_dispute_opened_each(struct store *st, int64_t from, int64_t to,
			      int (*fn)(void *ctx, int64_t created_at, const char *tier,
					const char *reason, struct err *e),
			      void *ctx, struct err *e) WARN_UNUSED;

/* ---- webhooks (store_webhooks.c) ---- */

/*
 * Register an endpoint: `events` is the JSON text of its array of event
 * types, `secret` the signing secret (kept as given: it keys the HMAC).
 */
int store_webhook_endpoint_insert(struct store *st, const char *id, const char *url,
				  const char *events, const char *secret, int64_t now,
				  struct err *e) WARN_UNUSED;
/*
 * An enabled endpoint as {"id","url","events":[…],"created_at":ms}, without
 * its secret. RC_NOTFOUND if there is none or it was disabled.
 */
int store_webhook_endpoint_get(struct store *st, const char *id, json_t **out,
			       struct err *e) WARN_UNUSED;
/* Enabled endpoints, oldest first, in the shape above, paginated like store_list. */
int store_webhook_endpoint_list(struct store *st, int64_t after, int limit, json_t **items,
				int64_t *next, struct err *e) WARN_UNUSED;
/*
 * Disable an endpoint and give up its pending deliveries. RC_NOTFOUND if
 * there is no enabled endpoint `id`.
 */
int store_webhook_endpoint_disable(struct store *st, const char *id, int64_t now,
				   struct err *e) WARN_UNUSED;

/*
 * Put event `id` of `type` (body: its JSON text, sent as is) in the outbox,
 * with a delivery due at `now` for each enabled endpoint whose events hold
 * `type` or "*". *deliveries (may be NULL) gets how many were queued.
 */
int store_webhook_event_add(struct store *st, const char *id, const char *type,
			    const char *body, int64_t now, int64_t *deliveries,
			    struct err *e) WARN_UNUSED;

/* A pending delivery with what sending it needs. */
struct store_delivery {
	int64_t seq;                /* the delivery's row */
	char event_id[ID_MAX];      /* evt_… */
	char endpoint_id[ID_MAX];   /* whe_… */
	int attempts;               /* attempts made so far */
	char *url;                  /* the endpoint's URL (malloc'd) */
	char *secret;               /* its signing secret (malloc'd, wiped on release) */
	char *body;                 /* the event's JSON text (malloc'd) */
};

/* Free the members of a delivery (not the struct), wiping the secret. NULL is a no-op. */
void store_delivery_release(struct store_delivery *d);

/*
 * Up to `max` pending deliveries (neither delivered nor given up) due at
 * or before `now`, earliest first, into out[0..*n). The caller releases
 * each with store_delivery_release.
 */
int store_webhook_due(struct store *st, int64_t now, struct store_delivery *out, int max,
		      int *n, struct err *e) WARN_UNUSED;

/* The outcome of one attempt at a delivery. */
struct store_attempt {
	int64_t seq;           /* the delivery's row */
	int attempts;          /* attempts made, this one included */
	int64_t next_at;       /* when to try again; meaningless once delivered or given up */
	int64_t delivered_at;  /* ms, or 0 if not delivered */
	int64_t failed_at;     /* ms when given up, or 0 */
	int status;            /* the receiver's HTTP status, or 0 if there was none */
	const char *error;     /* what went wrong, or NULL */
};

/* Record an attempt. RC_NOTFOUND if the delivery is not there. */
int store_webhook_attempt(struct store *st, const struct store_attempt *a,
			  struct err *e) WARN_UNUSED;

/* ---- merchant risk flags (store_disputes.c) ---- */

/* Set a flag; RC_CONFLICT (code "flag_set") if it is already set. */
int store_merchant_flag_set(struct store *st, const char *merchant_id, const char *flag,
			    const char *reason, const char *set_by, int64_t now,
			    struct err *e) WARN_UNUSED;
/* Clear a set flag; RC_NOTFOUND if it is not set. */
int store_merchant_flag_clear(struct store *st, const char *merchant_id, const char *flag,
			      const char *cleared_by, int64_t now, struct err *e) WARN_UNUSED;
/* The set flags of a merchant: [{"flag","reason","set_by","created_at"}], times in ms. */
int store_merchant_flags(struct store *st, const char *merchant_id, json_t **out,
			 struct err *e) WARN_UNUSED;

/* ---- consumer flags and abuse signals (store_consumer_flags.c; rules in risk/consumer.h) ---- */

/*
 * Keep a new flag `id` (cfl_…) on a consumer with its reason, evidence
 * (an array, kept as JSON text) and who set it. RC_CONFLICT (code
 * "flag_set", param "flag") if the consumer already carries it.
 */
int store_consumer_flag_insert(struct store *st, const char *id, const char *consumer_id,
			       const char *flag, const char *reason, json_t *evidence,
			       const char *set_by, int64_t now, struct err *e) WARN_UNUSED;
/*
 * A flag as stored: {"id","consumer","flag","reason","evidence":[…],"set_by",
 * "created_at","cleared_at","cleared_by","clear_reason","appeal"} with
 * times in ms (null when unset) and "appeal" null or {"text","filed_at",
 * "decision","reason","decided_by","decided_at"}. The consumer's live
 * `flag` (RC_NOTFOUND if none), or all their live flags, oldest first.
 */
int store_consumer_flag_live(struct store *st, const char *consumer_id, const char *flag,
			     json_t **out, struct err *e) WARN_UNUSED;
int store_consumer_flags(struct store *st, const char *consumer_id, json_t **out,
			 struct err *e) WARN_UNUSED;
/* *yes: whether the consumer carries `flag` now. */
int store_consumer_flagged(struct store *st, const char *consumer_id, const char *flag,
			   int *yes, struct err *e) WARN_UNUSED;
/* Clear a live flag. RC_CONFLICT (code "flag_cleared") if it is not live. */
int store_consumer_flag_clear(struct store *st, const char *flag_id, const char *cleared_by,
			      const char *reason, int64_t now, struct err *e) WARN_UNUSED;
/* File the one appeal of a live flag. RC_CONFLICT (code "appeal_filed") if it has one. */
int store_consumer_flag_appeal(struct store *st, const char *flag_id, const char *text,
			       int64_t now, struct err *e) WARN_UNUSED;
/* Decide a flag's appeal. RC_CONFLICT (code "no_appeal") unless one waits for a decision. */
int store_consumer_flag_decide(struct store *st, const char *flag_id, const char *decision,
			       const char *reason, const char *decided_by, int64_t now,
			       struct err *e) WARN_UNUSED;
/* Append one event of a flag's history (append-only; sealed by the caller). */
int store_consumer_flag_event_insert(struct store *st, const char *id, const char *flag_id,
				     const char *consumer_id, const char *type, int64_t now,
				     json_t *body, struct err *e) WARN_UNUSED;
/* One history event by id (RC_NOTFOUND if none). */
int store_consumer_flag_event_get(struct store *st, const char *id, json_t **body,
				  struct err *e) WARN_UNUSED;
/* The consumer's newest `limit` history events, oldest first. */
int store_consumer_flag_events(struct store *st, const char *consumer_id, int limit,
			       json_t **items, struct err *e) WARN_UNUSED;

/* Staff's decisions on consumer flags in a period (the compliance report). */
struct store_flag_counts {
	int64_t marked;             /* flags set */
	int64_t cleared;            /* flags cleared by staff (not by an overturned appeal) */
	int64_t appeals_filed;      /* appeals filed */
	int64_t appeals_upheld;     /* appeals decided: the flag stands */
	int64_t appeals_overturned; /* appeals decided: the flag is cleared */
	int64_t appeals_pending;    /* filed in the period, undecided and the flag live at `now` */
};
int store_consumer_flag_counts(struct store *st, int64_t from, int64_t to, int64_t now,
			       struct store_flag_counts *out, struct err *e) WARN_UNUSED;

/* *yes: the consumer uploaded the blob, or it is cited in one of their disputes. */
int store_consumer_blob_cited(struct store *st, const char *consumer_id, const char *digest_hex,
			      int *yes, struct err *e) WARN_UNUSED;
/* How many orders the consumer has. */
int store_consumer_order_count(struct store *st, const char *consumer_id, int64_t *n,
			       struct err *e) WARN_UNUSED;
/* The consumer's newest `limit` disputes (bodies), newest first; *more if there are others. */
int store_consumer_disputes(struct store *st, const char *consumer_id, int limit, json_t **items,
			    int *more, struct err *e) WARN_UNUSED;

/* ---- funds: the double-entry ledger (store_funds.c; rules in funds/funds.h) ---- */

/* One ledger account. */
struct store_account {
	int64_t seq;              /* row number */
	char owner[ID_MAX];       /* mer_…, cus_… or "platform" */
	char name[16];            /* settlement, deposit, receivable, guarantee, payable, world */
	char currency[4];         /* "CNY" */
	int64_t balance;          /* fen: always the sum of the account's legs */
	int64_t held;             /* fen: the sum of its active hold parts */
};

/* One leg of a journal entry, or one part of a hold: an account and a signed amount. */
struct store_leg {
	int64_t account_seq;      /* the account's row */
	int64_t amount;           /* fen; legs: non-zero, parts: > 0 */
};

/*
 * The id (into `id`) of the merchant or consumer (`kind` STORE_MERCHANT or
 * STORE_CONSUMER) whose id or external id is `ref`, the id first, as
 * store_get finds it, without reading its body. RC_NOTFOUND if none.
 */
int store_fund_party_id(struct store *st, enum store_kind kind, const char *ref,
			char id[ID_MAX], struct err *e) WARN_UNUSED;

/*
 * The account (owner, name) in *out; with `create`, made (balance 0, in
 * `currency`) if it is not there. RC_NOTFOUND without `create` if none.
 */
int store_fund_account(struct store *st, const char *owner, const char *name,
		       const char *currency, int create, int64_t now, struct store_account *out,
		       struct err *e) WARN_UNUSED;

/*
 * Append a journal entry `id` of `kind` (dispute_id may be NULL; body is
 * its JSON as served) with its legs `legs[0..n)`, and add each leg to its
 * account's cached balance, in the caller's transaction. The schema keeps
 * entries and legs append-only and refuses a balance below its holds, or
 * below zero on accounts that may not go there (RC_CONFLICT); the caller
 * checks first (funds.h) and guarantees the legs sum to zero.
 */
int store_fund_entry_insert(struct store *st, const char *id, const char *kind,
			    const char *dispute_id, int64_t created_at, json_t *body,
			    const struct store_leg *legs, size_t n, struct err *e) WARN_UNUSED;

/* An entry's body by id (new reference). RC_NOTFOUND if none. */
int store_fund_entry_get(struct store *st, const char *id, json_t **body,
			 struct err *e) WARN_UNUSED;

/*
 * Entries with a leg on an account of `owner` (and of name `account`,
 * unless NULL), oldest first, paginated like store_list.
 */
int store_fund_entry_list(struct store *st, const char *owner, const char *account,
			  int64_t after, int limit, json_t **items, int64_t *next,
			  struct err *e) WARN_UNUSED;

/*
 * Record hold `id` (body: its JSON) of `amount` (<= requested) on
 * `parts[0..n)`, and add each part to its account's held, which must stay
 * within its balance (else RC_CONFLICT). *seq (may be NULL) gets its row.
 */
int store_fund_hold_insert(struct store *st, const char *id, const char *merchant_id,
			   const char *dispute_id, int64_t requested, int64_t amount,
			   int64_t now, json_t *body, const struct store_leg *parts, size_t n,
			   struct err *e) WARN_UNUSED;

/* A hold as stored. */
struct store_hold {
	int64_t seq;
	char id[ID_MAX];
	char merchant_id[ID_MAX];
	char dispute_id[80];      /* "" if none */
	int64_t requested;        /* what was asked for */
	int64_t amount;           /* what is held (the parts' sum) */
	char state[12];           /* active, released, consumed */
	struct store_leg parts[2];/* settlement then deposit */
	size_t nparts;
	json_t *body;             /* as served when created (owned; store_hold_release) */
};

void store_hold_release(struct store_hold *h);

/* Hold `id`; RC_NOTFOUND if none. */
int store_fund_hold_get(struct store *st, const char *id, struct store_hold *out,
			struct err *e) WARN_UNUSED;
/* The id of the merchant's active hold for `dispute_id`, if any (*found). */
int store_fund_hold_active_for(struct store *st, const char *merchant_id,
			       const char *dispute_id, char id[ID_MAX], int *found,
			       struct err *e) WARN_UNUSED;
/*
 * Close an active hold as `state` ("released" or "consumed") and take its
 * parts off its accounts' held. RC_CONFLICT (code "hold_closed") if it is
 * not active: a hold is released or consumed, once.
 */
int store_fund_hold_close(struct store *st, const char *id, const char *state, int64_t now,
			  struct err *e) WARN_UNUSED;

/* An open (not fully recovered) receivable. */
struct store_receivable {
	char id[ID_MAX];
	int64_t amount;
	int64_t recovered;
};

int store_fund_receivable_insert(struct store *st, const char *id, const char *merchant_id,
				 const char *dispute_id, const char *entry_id, int64_t amount,
				 int64_t now, struct err *e) WARN_UNUSED;
/* Up to `max` of the merchant's open receivables, oldest first. */
int store_fund_receivable_open(struct store *st, const char *merchant_id,
			       struct store_receivable *out, int max, int *n,
			       struct err *e) WARN_UNUSED;
/* Add `amount` to a receivable's recovered (never past its amount: RC_CONFLICT). */
int store_fund_receivable_recover(struct store *st, const char *id, int64_t amount,
				  struct err *e) WARN_UNUSED;

int store_fund_payout_insert(struct store *st, const char *id, const char *consumer_id,
			     int64_t amount, const char *currency, const char *entry_id,
			     int64_t now, json_t *body, struct err *e) WARN_UNUSED;
/* A payout's body (new reference) and state (12 bytes). RC_NOTFOUND if none. */
int store_fund_payout_get(struct store *st, const char *id, json_t **body, char state[12],
			  struct err *e) WARN_UNUSED;
/*
 * Move a `requested` payout to `state` (paid, failed) with its closing
 * entry (may be NULL) and new body. RC_CONFLICT (code "payout_closed") if
 * it is no longer requested.
 */
int store_fund_payout_close(struct store *st, const char *id, const char *state,
			    const char *closing_entry_id, int64_t now, json_t *body,
			    struct err *e) WARN_UNUSED;

/*
 * The stored result of the money operation keyed `key`: RC_NOTFOUND if
 * none; else *hash (65 bytes) and *result (new reference).
 */
int store_fund_op_get(struct store *st, const char *key, char hash[65], json_t **result,
		      struct err *e) WARN_UNUSED;
int store_fund_op_put(struct store *st, const char *key, const char *hash, json_t *result,
		      int64_t now, struct err *e) WARN_UNUSED;

/* ---- funds: what the audit walks (store_funds.c) ---- */

/* An entry as the audit sees it. */
struct store_entry_check {
	const char *id;
	int64_t legs;             /* how many legs */
	int64_t sum;              /* their sum (0 when balanced) */
	int64_t accounts;         /* distinct currencies among its accounts */
};
/* An account with its cached numbers and what they should be. */
struct store_account_check {
	const struct store_account *a;
	int64_t legs_sum;         /* the sum of its legs */
	int64_t parts_sum;        /* the sum of its active hold parts */
	int64_t outstanding;      /* a merchant's receivable: its receivables' unrecovered sum */
};
/* A hold with its parts' sum. */
struct store_hold_check {
	const char *id;
	const char *state;
	int64_t requested, amount, parts_sum;
	int64_t nparts;
};
/* A payout with its state and entries. */
struct store_payout_check {
	const char *id;
	const char *state;
	const char *entry_id;
	const char *closing_entry_id; /* NULL if none */
};
/* A receivable and its recovery. */
struct store_receivable_check {
	const char *id;
	const char *merchant_id;
	int64_t amount, recovered;
};

/*
 * Walk the ledger for the audit: each callback is called for every row of
 * its kind (NULL callbacks are skipped); a non-zero return stops the walk
 * and is returned.
 */
struct store_fund_walk {
	int (*entry)(void *ctx, const struct store_entry_check *c);
	int (*account)(void *ctx, const struct store_account_check *c);
	int (*hold)(void *ctx, const struct store_hold_check *c);
	int (*payout)(void *ctx, const struct store_payout_check *c);
	int (*receivable)(void *ctx, const struct store_receivable_check *c);
	void *ctx;
};
int store_fund_walk(struct store *st, const struct store_fund_walk *w, struct err *e) WARN_UNUSED;

/* ---- risk: figures, early warnings, flag proposals (store_risk.c; rules in risk/risk.h) ---- */

/* What a count of orders or disputes is over (a listing: any of its versions). */
enum store_risk_scope {
	STORE_RISK_MERCHANT,  /* id: mer_… */
	STORE_RISK_LISTING,   /* id: lst_… */
	STORE_RISK_CATEGORY,  /* id: a listing category */
	STORE_RISK_PLATFORM,  /* id ignored: every order */
	STORE_RISK__SCOPES
};

/* Orders of a scope created in [from, to) (ms), into *n. */
int store_risk_orders(struct store *st, enum store_risk_scope scope, const char *id,
		      int64_t from, int64_t to, int64_t *n, struct err *e) WARN_UNUSED;
/*
 * Disputes of a scope opened in [from, to) whose reason is `reason` (NULL:
 * any), into *n; with `ids` not NULL, a new array of the first `max` ids
 * (oldest first) too.
 */
int store_risk_disputes(struct store *st, enum store_risk_scope scope, const char *id,
			const char *reason, int64_t from, int64_t to, int64_t *n, json_t **ids,
			size_t max, struct err *e) WARN_UNUSED;
/* When the scope's first order was created (ms), or 0 if it has none. */
int store_risk_first_order(struct store *st, enum store_risk_scope scope, const char *id,
			   int64_t *at, struct err *e) WARN_UNUSED;
/*
 * The category of a listing (its newest version's) or of a merchant (the
 * one most of its listings have, the smaller name on a tie) into `out`
 * (`size` bytes); "" if none.
 */
int store_risk_category_of(struct store *st, enum store_risk_scope scope, const char *id,
			   char *out, size_t size, struct err *e) WARN_UNUSED;

/* A merchant's disputes opened in a window, counted for its risk figures (risk.h). */
struct store_risk_counts {
	int64_t disputes;   /* opened in the window */
	int64_t closed;     /* of those: with an outcome, or withdrawn or gone external */
	int64_t upheld;     /* of the closed: an outcome other than rejected */
	int64_t responded;  /* answered by the merchant before its merchant_response deadline */
	int64_t missed;     /* whose merchant_response deadline passed unanswered */
};
int store_risk_merchant_counts(struct store *st, const char *merchant_id, int64_t from,
			       int64_t to, struct store_risk_counts *c, struct err *e) WARN_UNUSED;
/*
 * The merchant's disputes opened in [from, to) counted by focus: `source`
 * "reason" (the consumer's reason) or "assessment" (the newest
 * assessment's detected focus, where one was made). *out is a new array of
 * {"focus", "count"}, most first, then by name.
 */
int store_risk_merchant_foci(struct store *st, const char *merchant_id, const char *source,
			     int64_t from, int64_t to, json_t **out, struct err *e) WARN_UNUSED;
/*
 * Merchants with disputes opened in [from, to), ranked: *out a new array of
 * {"merchant", "orders", "disputes", "upheld"} for the `limit` merchants
 * from `offset` (0-based) in the order of score =
 * 1000 × (disputes + upheld) / max(orders, 1), highest first, then by id;
 * *more is 1 if more follow. At most `cap` merchants are ranked.
 */
int store_risk_rank(struct store *st, int64_t from, int64_t to, int64_t offset, int limit,
		    int64_t cap, json_t **out, int *more, struct err *e) WARN_UNUSED;
/*
 * Each (scope id, reason) with disputes opened in [from, to) for `scope`
 * (merchant, listing or category), as fn(ctx, id, reason, count); at most
 * `max` of them. A non-zero return of `fn` stops and is returned.
 */
int store_risk_candidates(struct store *st, enum store_risk_scope scope, int64_t from,
			  int64_t to, size_t max,
			  int (*fn)(void *ctx, const char *id, const char *reason, int64_t n),
			  void *ctx, struct err *e) WARN_UNUSED;
/*
 * The merchant's disputes opened in [from, to) whose reason is one of
 * `reasons` (NULL-terminated) and whose outcome upholds them (not
 * rejected): their number in *n and, a new array, the first `max` ids.
 */
int store_risk_upheld(struct store *st, const char *merchant_id, char *const *reasons,
		      int64_t from, int64_t to, size_t max, int64_t *n, json_t **ids,
		      struct err *e) WARN_UNUSED;
/*
 * Merchants with at least `k` such disputes in [from, to): a new array of
 * up to `max` ids.
 */
int store_risk_repeat_merchants(struct store *st, char *const *reasons, int64_t from,
				int64_t to, int64_t k, size_t max, json_t **out,
				struct err *e) WARN_UNUSED;

/*
 * Keep an alert unless one for the same (scope, scope id, focus, window
 * start) exists: *inserted says which. `body` is its JSON as served.
 */
int store_alert_insert(struct store *st, const char *id, const char *scope, const char *scope_id,
		       const char *focus, int64_t window_start, int64_t window_end,
		       const char *merchant_id, int64_t now, json_t *body, int *inserted,
		       struct err *e) WARN_UNUSED;
/* An alert's body (new reference). RC_NOTFOUND if none. */
int store_alert_get(struct store *st, const char *id, json_t **body, struct err *e) WARN_UNUSED;
/* Alerts, newest first is not needed: oldest first, filtered (NULL: any), paginated like store_list. */
int store_alert_list(struct store *st, const char *scope, const char *merchant_id,
		     const char *focus, int64_t after, int limit, json_t **items, int64_t *next,
		     struct err *e) WARN_UNUSED;

/* A new proposal of `flag` for a merchant, on `upheld` disputes. RC_CONFLICT if one is open. */
int store_proposal_insert(struct store *st, const char *id, const char *merchant_id,
			  const char *flag, int64_t upheld, int64_t now, json_t *body,
			  struct err *e) WARN_UNUSED;
/* A proposal's body (new reference). RC_NOTFOUND if none. */
int store_proposal_get(struct store *st, const char *id, json_t **body, struct err *e) WARN_UNUSED;
/* Proposals in `state` (NULL: any), oldest first, paginated like store_list. */
int store_proposal_list(struct store *st, const char *state, int64_t after, int limit,
			json_t **items, int64_t *next, struct err *e) WARN_UNUSED;
/*
 * Close an open proposal as `state` (confirmed, dismissed) with its new
 * body. RC_CONFLICT (code "proposal_closed") if it is not open.
 */
int store_proposal_decide(struct store *st, const char *id, const char *state, int64_t now,
			  json_t *body, struct err *e) WARN_UNUSED;
/*
 * Whether the merchant has an open proposal of `flag` (*open), and the
 * most upheld disputes a dismissed one was made on (*dismissed_upheld, -1
 * if none was dismissed).
 */
int store_proposal_state(struct store *st, const char *merchant_id, const char *flag, int *open,
			 int64_t *dismissed_upheld, struct err *e) WARN_UNUSED;
/* Keep the evidence (JSON text) of the merchant's live `flag`. RC_NOTFOUND if it is not set. */
int store_merchant_flag_evidence(struct store *st, const char *merchant_id, const char *flag,
				 const char *evidence, struct err *e) WARN_UNUSED;

/* ---- retention: legal holds and the shredding register (store_retention.c) ---- */

/* A new legal hold. */
struct store_legal_hold_row {
	const char *id;            /* "lgh_…" */
	const char *order_id;      /* the order it holds */
	const char *dispute_id;    /* the dispute named, or NULL (the hold is then the order's) */
	const char *authority;     /* court, regulator, … */
	const char *reference;     /* the authority's case or document number */
	const char *reason;        /* why, in words */
	const char *created_by;    /* the staff principal's key_/tok_ id */
	int64_t created_at;        /* ms */
};

int store_legal_hold_insert(struct store *st, const struct store_legal_hold_row *row,
			    struct err *e) WARN_UNUSED;
/*
 * A hold as served: {"object":"legal_hold","id","order","dispute","authority",
 * "reference","reason","created_by","created_at","lifted_at","lifted_by",
 * "lift_reason"} with times in ms (the caller formats them). RC_NOTFOUND if none.
 */
int store_legal_hold_get(struct store *st, const char *id, json_t **out,
			 struct err *e) WARN_UNUSED;
/*
 * Holds, oldest first, paginated like store_list; `order_id` (may be NULL)
 * narrows to one order, `active` to holds not lifted.
 */
int store_legal_hold_list(struct store *st, const char *order_id, int active, int64_t after,
			  int limit, json_t **items, int64_t *next, struct err *e) WARN_UNUSED;
/* Lift a hold. RC_NOTFOUND if none, RC_CONFLICT (code "hold_lifted") if lifted already. */
int store_legal_hold_lift(struct store *st, const char *id, const char *by, const char *reason,
			  int64_t now, struct err *e) WARN_UNUSED;
/* Whether an order is under a hold not lifted (its own or one of its disputes'). */
int store_order_held(struct store *st, const char *order_id, int *held,
		     struct err *e) WARN_UNUSED;

/*
 * Up to `limit` orders not yet shredded whose last activity (the latest
 * created_at among the order, its logistics events, messages, disputes'
 * events and updates, disclosures and their events) is before `cutoff`,
 * after row `after`, by row: ids into ids[0..*n), their last activity into
 * last[0..*n) (may be NULL); *next is the row to continue after, 0 at the end.
 */
int store_retention_due(struct store *st, int64_t cutoff, int64_t after, int limit,
			char (*ids)[ID_MAX], int64_t *last, int *n, int64_t *next,
			struct err *e) WARN_UNUSED;

/*
 * Replace the body of a record of kind `kind` ("order", "logistics",
 * "message", "dispute_event", "disclosure_event", "dispute", "disclosure",
 * "consumer") with its shredded body. RC_NOTFOUND if there is none.
 */
int store_body_shred(struct store *st, const char *kind, const char *id, json_t *body,
		     struct err *e) WARN_UNUSED;
/*
 * Replace a seal's salts (JSON object text) and destroy its secret: the
 * shredded fields' salts are gone.
 */
int store_seal_salts_shred(struct store *st, int64_t seq, const char *salts,
			   struct err *e) WARN_UNUSED;
/* How many of the consumer's orders are not shredded. */
int store_consumer_live_orders(struct store *st, const char *consumer_id, int64_t *n,
			       struct err *e) WARN_UNUSED;
/*
 * Whether any record outside the shredded orders (and `order_id`, being
 * shredded now) cites the blob: a merchant, a listing, or a message or
 * dispute of an order not shredded.
 */
int store_blob_cited_elsewhere(struct store *st, const char *digest_hex, const char *order_id,
			       int *yes, struct err *e) WARN_UNUSED;
/*
 * Forget the copies of a shredded order's text kept outside its records:
 * stored idempotent replies and webhook events (with their deliveries)
 * whose text holds `needle` (an order's or a dispute's id).
 */
int store_purge_mentions(struct store *st, const char *needle, struct err *e) WARN_UNUSED;

/* Append a shredding to the register (append-only: the schema refuses changes). */
int store_shredding_insert(struct store *st, const char *id, const char *order_id,
			   int64_t created_at, json_t *body, struct err *e) WARN_UNUSED;
/* Whether the register lists the blob's file (hex digest) as shredded. */
int store_blob_shredded(struct store *st, const char *digest_hex, int *yes,
			struct err *e) WARN_UNUSED;
/* The shredding of an order, if it was shredded: *body new, or NULL when it was not. */
int store_shredding_of_order(struct store *st, const char *order_id, json_t **body,
			     struct err *e) WARN_UNUSED;
/* One shredding's body by id. RC_NOTFOUND if none. */
int store_shredding_get(struct store *st, const char *id, json_t **body,
			struct err *e) WARN_UNUSED;
/* Call `fn` with every shredding's body, oldest first; a non-zero return stops and is returned. */
int store_shredding_each(struct store *st, int (*fn)(void *ctx, json_t *body), void *ctx,
			 struct err *e) WARN_UNUSED;

/*
 * Shred at the storage level: with `on`, SQLite overwrites deleted and
 * replaced content with zeros (secure_delete). Call outside a transaction.
 */
int store_secure_delete(struct store *st, int on, struct err *e) WARN_UNUSED;
/*
 * Leave no old page anywhere in the database's files: checkpoint the WAL
 * into the database and truncate it, rebuild the database without free
 * pages (VACUUM), and checkpoint and truncate again. Call outside a
 * transaction, with no other connection writing.
 */
int store_compact(struct store *st, struct err *e) WARN_UNUSED;

/* ---- merchant identity versions (store_merchants.c) ---- */

/*
 * A merchant's identity has versions 1, 2, … (E-Commerce Law art. 27:
 * kept current and verified again from time to time). `merchants` holds
 * the current version, which store_get and store_list serve; each version
 * it supersedes is kept whole. A body without "version" (recorded before
 * merchants had versions) is version 1.
 *
 * Their seals: version 1 is sealed as version 0, as every merchant was
 * before merchants had versions; version n > 1 as n.
 */
static inline int64_t store_merchant_seal_version(int64_t version)
{
	return version > 1 ? version : 0;
}

/* The merchant's version the body is (1 when it names none). */
int64_t store_merchant_version_of(json_t *body);

/* The merchant's version an order was placed under ("merchant_version"; 1 when it names none). */
int64_t store_order_merchant_version(json_t *order);

/* Note when merchant `id` was last verified (ms). RC_NOTFOUND if no such merchant. */
int store_merchant_verified(struct store *st, const char *id, int64_t verified_at,
			    struct err *e) WARN_UNUSED;

/*
 * Make `body` (borrowed) merchant `id`'s current version, keeping the
 * version it replaces (superseded at `now`, ms), and note `verified_at`
 * (ms). The body's version
 * must be the current one's plus one (else RC_CONFLICT, code
 * "version_conflict"). RC_NOTFOUND if no such merchant.
 */
int store_merchant_update(struct store *st, const char *id, json_t *body, int64_t verified_at,
			  int64_t now, struct err *e) WARN_UNUSED;

/* Version `version` of merchant `id` (an id, not an external id). RC_NOTFOUND if none. */
int store_merchant_version(struct store *st, const char *id, int64_t version, json_t **body,
			   struct err *e) WARN_UNUSED;

/*
 * Merchants last verified before `before` (ms; a merchant never noted as
 * verified counts from its first record), oldest record first, paginated
 * like store_list: *items an array of {"merchant": current body,
 * "verified_at": ms}.
 */
int store_merchant_unverified(struct store *st, int64_t before, int64_t after, int limit,
			      json_t **items, int64_t *next, struct err *e) WARN_UNUSED;

/* Number of records of a kind (for tests and the demo banner). */
int store_count(struct store *st, enum store_kind kind, int64_t *n, struct err *e) WARN_UNUSED;

/* ---- published versions of the dispute rules (cases/rules_set.h) ---- */

/* One stored version; all strings borrowed. */
struct store_rules_version {
	int64_t seq;          /* its row, in the order versions were stored */
	const char *version;  /* "YYYY-MM-DD.N" */
	int64_t published_at; /* when it takes effect, UTC ms */
	int64_t loaded_at;    /* when the platform loaded it, UTC ms */
	const char *text;     /* the rules file as published, NUL-terminated */
	size_t len;           /* its length */
	const char *digest;   /* "sha256:" and the text's SHA-256 in hex */
};

/*
 * Store a version (v->seq is ignored). RC_CONFLICT if the version is
 * stored already: versions never change.
 */
int store_rules_version_put(struct store *st, const struct store_rules_version *v,
			    struct err *e) WARN_UNUSED;

/*
 * Call `fn` for each stored version after row `after` (0 for all), in
 * order, at most `max` of them; a non-zero return from `fn` stops the walk
 * and is returned.
 */
int store_rules_version_each(struct store *st, int64_t after, int max,
			     int (*fn)(void *cls, const struct store_rules_version *v,
				       struct err *e),
			     void *cls, struct err *e) WARN_UNUSED;

/* ---- the agent queue and listing suspensions (store_queue.c, store_suspensions.c) ---- */

/* Where a page of the agent queue ends: the last dispute's sort key. */
struct store_queue_pos {
	int rank;                 /* the tier's place in `tiers` (past the list: its length) */
	int64_t due;              /* next.due_at in ms; INT64_MAX when there is none */
	char id[ID_MAX];          /* the dispute's id; "" before the first page */
};

/*
 * The agent queue: disputes in one of `states` (a JSON array of state
 * names, borrowed) that match `f`, ordered by the place of their tier in
 * `tiers` (a JSON array; a tier not in it comes last), then by the due time
 * of their `next` step (none last), then by id; only those after `after`
 * (NULL for the first page). At most `limit` bodies go into *items; *more
 * is 1 when others follow, and *last then holds the last one's key.
 */
int store_dispute_queue(struct store *st, const struct store_dispute_filter *f, json_t *states,
			json_t *tiers, const struct store_queue_pos *after, int limit,
			json_t **items, struct store_queue_pos *last, int *more,
			struct err *e) WARN_UNUSED;

/*
 * Listing suspensions (E-Commerce Law art. 38 measures): at most one
 * active per listing. Insert a new active one (RC_CONFLICT, code
 * "already_suspended", if the listing has one); *body is the stored JSON.
 */
int store_suspension_insert(struct store *st, const char *id, const char *listing_id,
			    const char *dispute_id, int64_t now, json_t *body,
			    struct err *e) WARN_UNUSED;
/* The listing's active suspension (new reference); RC_NOTFOUND if none. */
int store_suspension_active(struct store *st, const char *listing_id, json_t **body,
			    struct err *e) WARN_UNUSED;
/* The listings a dispute's active suspensions hold, as a new JSON array of ids. */
int store_suspensions_of_dispute(struct store *st, const char *dispute_id, json_t **listings,
				 struct err *e) WARN_UNUSED;
/* End an active suspension with its final body; RC_NOTFOUND if it is not active. */
int store_suspension_lift(struct store *st, const char *id, int64_t now, json_t *body,
			  struct err *e) WARN_UNUSED;

#endif
