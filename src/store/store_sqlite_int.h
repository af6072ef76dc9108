/* store_sqlite_int.h - what the SQLite backend's files share: the handle and statement helpers. */
#ifndef DISPUTED_STORE_SQLITE_INT_H
#define DISPUTED_STORE_SQLITE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

/* How many statements a store keeps prepared (sq_prep_kept). */
#define SQ_KEPT_MAX 128

/*
 * The bytes the WAL file is cut back to when it starts over (PRAGMA
 * journal_size_limit): above what the checkpointer lets it reach under a
 * steady load (about 8,000 frames), so that only a WAL a long reader made
 * grow is cut.
 */
#define SQ_WAL_LIMIT (64LL * 1024 * 1024)

struct store {
	struct store_head head;  /* first: the backend's table (store_sqlite_ops) */
	sqlite3 *db;            /* the connection */
	pthread_mutex_t lock;   /* held from store_begin to store_end */
	int failed;             /* a statement failed inside this transaction */
	int schema_version;     /* after migrations */
	sqlite3_stmt *kept[SQ_KEPT_MAX]; /* statements kept prepared, NULL where free */
	int kept_busy[SQ_KEPT_MAX];      /* 1 while its statement is handed out */
	int sp_failed[STORE_SAVEPOINT_MAX]; /* `failed` as it stood when each savepoint opened */
	int nsp;                         /* savepoints open */
	int lazy;                        /* synchronous may be NORMAL (store_begin_lazy): FULL again first */
	struct sq_ckpt *ckpt;            /* the WAL's checkpointer (the writer's store only), or NULL */
};

/*
 * The WAL's checkpointer (store_sqlite_ckpt.c): a thread with a connection
 * of its own that checkpoints once a commit leaves 1,000 frames or more in
 * the WAL, instead of the committing writer (SQLite's automatic
 * checkpoint); the writer still checkpoints itself past 16,000, so the
 * WAL stays bounded. sq_ckpt_hold keeps it out (waiting for a checkpoint
 * under way) until sq_ckpt_release, for work that must own the WAL.
 */
int sq_ckpt_start(struct store *st, struct err *e);
void sq_ckpt_stop(struct store *st);
void sq_ckpt_hold(struct store *st);
void sq_ckpt_release(struct store *st);

/* Mark the transaction failed and describe the database's error. Returns RC_DB. */
int sq_fail(struct store *st, struct err *e, const char *what);
/* Prepare `sql`; RC_DB on failure. */
int sq_prep(struct store *st, const char *sql, sqlite3_stmt **stmt, struct err *e);
/*
 * Like sq_prep, for statements run on every request: the first call
 * prepares `sql` and the store keeps it, later calls with the same text
 * hand the kept statement out again (reset, no bindings) instead of
 * parsing it anew. Give it back with sq_finish (or sq_step_done), never
 * sqlite3_finalize. A statement already handed out, or one past
 * SQ_KEPT_MAX, is prepared afresh and finalized by sq_finish.
 */
int sq_prep_kept(struct store *st, const char *sql, sqlite3_stmt **stmt, struct err *e);
/* Done with a statement: a kept one is reset and its bindings cleared, any other finalized. */
void sq_finish(struct store *st, sqlite3_stmt *s);
/* Bind text, or NULL for a NULL pointer. */
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Run SQL with no rows. */
int sq_exec(struct store *st, const char *sql, struct err *e);
/* Step a statement that returns no rows, then sq_finish it; constraint failures are RC_CONFLICT. */
int sq_step_done(struct store *st, sqlite3_stmt *s, const char *what, struct err *e);
/* A malloc'd copy of a text column, or NULL. */
char *sq_dup_text(sqlite3_stmt *s, int col);
/* A text column parsed as JSON (new reference), or NULL. */
json_t *sq_col_json(sqlite3_stmt *s, int col);

/* A body's stored text: compact JSON, members in order. malloc'd; NULL when out of memory. */
char *sq_dump(json_t *body);

/*
 * Read a page of rows (seq, body) from `s` (which selects limit + 1 rows),
 * then finalize it: *items the bodies, *next the last seq when there are
 * more (else 0). A read cut short by the database is RC_DB.
 */
int sq_page(struct store *st, sqlite3_stmt *s, int limit, json_t **items, int64_t *next,
	    struct err *e);

/* The backend's tables (store.h: struct store_ops), one per concern, each in its file. */
extern const struct store_ops store_sqlite_ops;
extern const struct store_access_ops sq_access_ops;
extern const struct store_records_ops sq_records_ops;
extern const struct store_seals_ops sq_seals_ops;
extern const struct store_disputes_ops sq_disputes_ops;
extern const struct store_funds_ops sq_funds_ops;
extern const struct store_disclosures_ops sq_disclosures_ops;
extern const struct store_webhooks_ops sq_webhooks_ops;
extern const struct store_risk_ops sq_risk_ops;
extern const struct store_consumer_flags_ops sq_consumer_flags_ops;
extern const struct store_retention_ops sq_retention_ops;
extern const struct store_cluster_ops sq_cluster_ops;

/*
 * Members of those tables defined in a file other than their table's;
 * each does what the store_* function of its name says.
 */
/* store_sqlite_walk.c */
int sq_record_each(struct store *st, int (*fn)(void *ctx, const struct store_record_ref *r),
		   void *ctx, struct err *e);
/* store_sqlite_disputes.c */
int sq_merchant_flag_set(struct store *st, const char *merchant_id, const char *flag,
			 const char *reason, const char *set_by, int64_t now, struct err *e);
int sq_merchant_flag_clear(struct store *st, const char *merchant_id, const char *flag,
			   const char *cleared_by, int64_t now, struct err *e);
int sq_merchant_flags(struct store *st, const char *merchant_id, json_t **out, struct err *e);
/* store_sqlite_reports.c */
int sq_obligation_each(struct store *st, int64_t from, int64_t to,
		       int (*fn)(void *ctx, const struct store_obligation *o, struct err *e),
		       void *ctx, struct err *e);
int sq_dispute_opened_each(struct store *st, int64_t from, int64_t to,
			   int (*fn)(void *ctx, int64_t created_at, const char *tier,
				     const char *reason, struct err *e),
			   void *ctx, struct err *e);
/* store_sqlite_merchants.c */
int sq_merchant_verified(struct store *st, const char *id, int64_t verified_at, struct err *e);
int sq_merchant_update(struct store *st, const char *id, json_t *body, int64_t verified_at,
		       int64_t now, struct err *e);
int sq_merchant_version(struct store *st, const char *id, int64_t version, json_t **body,
			struct err *e);
int sq_merchant_unverified(struct store *st, int64_t before, int64_t after, int limit,
			   json_t **items, int64_t *next, struct err *e);
/* store_sqlite_rules.c */
int sq_rules_version_put(struct store *st, const struct store_rules_version *v, struct err *e);
int sq_rules_version_each(struct store *st, int64_t after, int max,
			  int (*fn)(void *cls, const struct store_rules_version *v, struct err *e),
			  void *cls, struct err *e);
/* store_sqlite_queue.c */
int sq_dispute_queue(struct store *st, const struct store_dispute_filter *f, json_t *states,
		     json_t *tiers, const struct store_queue_pos *after, int limit, json_t **items,
		     struct store_queue_pos *last, int *more, struct err *e);
/* store_sqlite_suspensions.c */
int sq_suspension_insert(struct store *st, const char *id, const char *listing_id,
			 const char *dispute_id, int64_t now, json_t *body, struct err *e);
int sq_suspension_active(struct store *st, const char *listing_id, json_t **body, struct err *e);
int sq_suspensions_of_dispute(struct store *st, const char *dispute_id, json_t **listings,
			      struct err *e);
int sq_suspension_lift(struct store *st, const char *id, int64_t now, json_t *body, struct err *e);

/* Number of schema migrations; migration i brings the schema to version i+1. */
size_t store_migration_count(void);
/* SQL of migration i (0-based), or NULL past the end. */
const char *store_migration_sql(size_t i);

#endif
