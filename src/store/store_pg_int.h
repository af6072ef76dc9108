/* store_pg_int.h - what the PostgreSQL backend's files share: the connection handle, statement and transaction helpers. */
#ifndef DISPUTED_STORE_PG_INT_H
#define DISPUTED_STORE_PG_INT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_pg.h"

/* Statements a connection keeps prepared (pg_query); past this they run unnamed. */
#define PG_KEPT_MAX 128
/* Most parameters of one statement. */
#define PG_PARAMS_MAX 32
/* Savepoints open at once inside one transaction. */
#define PG_SAVEPOINT_MAX 16
/* Tries of a transaction that keeps meeting serialization failures or deadlocks. */
#define PG_RETRY_MAX 10
/* Backoff before the second try, doubled each try up to PG_BACKOFF_MAX_MS, with jitter. */
#define PG_BACKOFF_FIRST_MS 2
#define PG_BACKOFF_MAX_MS 200
/* Room for a 64-bit integer as text, sign and NUL included (pg_i64). */
#define PG_I64_TEXT 21

/*
 * Isolation of a transaction.
 *
 * Writes run SERIALIZABLE. The store's invariants are more than "no lost
 * update" on one row: money must not overdraw across a hold and a
 * transfer on the same account, an idempotency key or a ledger operation
 * must be taken once, a timer fired once, and the SQLite backend gets all
 * of this from running one writer at a time. SERIALIZABLE gives the same
 * outcome as some one-at-a-time order for every transaction without each
 * query having to remember which rows to lock (REPEATABLE READ would need
 * SELECT ... FOR UPDATE on every row a decision reads, and one forgotten
 * lock is a silent overdraft: write skew). The price is that PostgreSQL
 * aborts one of two conflicting transactions with SQLSTATE 40001 (or
 * 40P01 for a deadlock); pg_transact runs the transaction again, bounded.
 * The schema's CHECK constraints (balances, holds) stay as the last line.
 *
 * Reads that need one consistent view run REPEATABLE READ READ ONLY: a
 * snapshot, never a serialization failure. Work queues across nodes
 * (FOR UPDATE SKIP LOCKED) may use READ COMMITTED.
 */
enum pg_isolation {
	PG_SERIALIZABLE = 0,       /* writes (the default) */
	PG_REPEATABLE_READ_RO,     /* consistent read-only snapshot */
	PG_READ_COMMITTED,         /* each statement sees what is committed when it starts */
};

struct store_pg {
	PGconn *conn;                 /* the connection */
	char where[300];              /* user@host:port/database, for messages (no password) */
	char sqlstate[6];             /* SQLSTATE of the last failed statement, "" if none */
	int in_tx;                    /* a transaction is open */
	int failed;                   /* a statement failed inside this transaction */
	int lazy;                     /* the open transaction commits without waiting (store_begin_lazy) */
	int nsp;                      /* savepoints open */
	int sp_failed[PG_SAVEPOINT_MAX]; /* `failed` as it stood when each savepoint opened */
	int schema_version;           /* after migrations */
	int retries;                  /* transactions run again since the connection opened */
	unsigned session;             /* bumped by each reconnect: what a session held (advisory
					 locks, LISTENs) is gone when it changes */
	char *kept_sql[PG_KEPT_MAX];  /* text of each statement prepared as "k<i>", NULL where free */
};

/* The rows of one statement, read with pg_step. */
struct pg_rows {
	PGresult *res;  /* the result, NULL when none */
	int nrows;      /* rows in it */
	int row;        /* the current row after pg_step, -1 before the first */
};

/*
 * Connect to `url` without migrating: store_pg_url_check, then libpq with
 * application_name "disputed", UTF-8 client encoding and a 10 s connect
 * timeout. *out is the caller's (store_pg_close). On error *out is NULL.
 */
int pg_connect(const char *url, struct store_pg **out, struct err *e) WARN_UNUSED;

/*
 * Between transactions: when the connection was lost (the server
 * restarted, the session was ended), connect again with the same
 * settings (a new session: pg->session changes); its kept statements are
 * prepared again as they are next run.
 * RC_DB ("database_unavailable") when the server cannot be reached.
 */
int pg_reconnect_if_lost(struct store_pg *pg, struct err *e) WARN_UNUSED;

/* Apply the migrations the database has not had, each in its own transaction (store_pg_migrations.c). */
int store_pg_migrate(struct store_pg *pg, struct err *e) WARN_UNUSED;

/* Describe a failed result or connection, mark the transaction failed, keep the SQLSTATE; returns the rc. */
int pg_fail(struct store_pg *pg, PGresult *res, const char *what, struct err *e);

/* Run SQL with no parameters and no rows wanted (one or more statements). */
int pg_exec(struct store_pg *pg, const char *sql, struct err *e) WARN_UNUSED;

/*
 * Run `sql` ($1..$n placeholders) with `nparams` text parameters (NULL
 * for SQL NULL). The first run of a text on this connection prepares it
 * (PQprepare, by name) and keeps it; later runs of the same text only
 * execute it (PQexecPrepared). `rows` may be NULL when none are wanted;
 * otherwise it holds the result until pg_rows_clear (also on error, when
 * it is empty). Constraint violations (SQLSTATE class 23) are
 * RC_CONFLICT, everything else RC_DB.
 */
int pg_query(struct store_pg *pg, const char *sql, int nparams, const char *const *params,
	     struct pg_rows *rows, struct err *e) WARN_UNUSED;

/* Advance to the next row: 1 when there is one, 0 at the end. */
int pg_step(struct pg_rows *rows);
/* Free the result. Safe on an empty or cleared one. */
void pg_rows_clear(struct pg_rows *rows);
/* Is the current row's column NULL? */
int pg_col_null(const struct pg_rows *rows, int col);
/* The current row's column as text, owned by `rows`; NULL for SQL NULL. */
const char *pg_col_text(const struct pg_rows *rows, int col);
/* A malloc'd copy of pg_col_text, or NULL (SQL NULL or out of memory). */
char *pg_col_dup(const struct pg_rows *rows, int col);
/* The column as a 64-bit integer; NULL, or not an integer, is 0. */
int64_t pg_col_int64(const struct pg_rows *rows, int col);
/* A text column parsed as JSON (new reference), or NULL. */
json_t *pg_col_json(const struct pg_rows *rows, int col);
/*
 * A BYTEA column's bytes, malloc'd, its length in *len; NULL for SQL NULL
 * or out of memory.
 */
unsigned char *pg_col_bytea(const struct pg_rows *rows, int col, size_t *len);

/* `v` as decimal text in `buf` (PG_I64_TEXT bytes); returns buf, for params. */
const char *pg_i64(char buf[PG_I64_TEXT], int64_t v);
/* `n` bytes as a BYTEA text parameter ("\x" and hex), malloc'd; NULL when out of memory. */
char *pg_bytea_param(const unsigned char *bytes, size_t n);
/*
 * v[0..n) as a bigint[] text parameter ("{1,2,3}"; "{}" for none), for
 * one statement over many rows ($1::bigint[]), malloc'd; NULL when out of
 * memory.
 */
char *pg_i64_array(const int64_t *v, size_t n);

/* BEGIN at `iso`. RC_INTERNAL if a transaction is already open. */
int pg_begin(struct store_pg *pg, enum pg_isolation iso, struct err *e) WARN_UNUSED;
/*
 * COMMIT when `commit` and no statement failed, else ROLLBACK. A failed
 * statement under `commit` is that failure's rc (the transaction is rolled
 * back); a COMMIT that fails (a serialization failure can surface there)
 * is RC_DB with the SQLSTATE kept. Ending no transaction is a no-op.
 */
int pg_end(struct store_pg *pg, int commit, struct err *e) WARN_UNUSED;

/* SAVEPOINT: what follows can be undone alone (pg_savepoint_end). */
int pg_savepoint(struct store_pg *pg, struct err *e) WARN_UNUSED;
/*
 * Close the newest savepoint: with `keep` release it (its work stays in the
 * transaction), else roll back to it, which also forgets failures since it
 * opened.
 */
int pg_savepoint_end(struct store_pg *pg, int keep, struct err *e) WARN_UNUSED;

/* Did the last failure abort the transaction for being run concurrently (40001, 40P01)? */
int pg_retryable(const struct store_pg *pg);

/* The body of a transaction for pg_transact: RC_OK to commit, anything else to roll back. */
typedef int (*pg_txn_fn)(struct store_pg *pg, void *arg, struct err *e);

/*
 * Run `fn` in a transaction at `iso` and commit it; when the transaction
 * fails with a serialization failure or a deadlock (pg_retryable), at
 * BEGIN, in `fn` or at COMMIT, roll back, wait a bounded, jittered
 * backoff and run it again, up to PG_RETRY_MAX tries. `fn` must therefore
 * have no effects outside the database (or ones safe to repeat). Any
 * other failure is returned at once; the last one after PG_RETRY_MAX
 * tries, code "serialization_failure".
 */
int pg_transact(struct store_pg *pg, enum pg_isolation iso, pg_txn_fn fn, void *arg,
		struct err *e) WARN_UNUSED;

/* ---- the store interface on PostgreSQL (store_pg_store.c and store_pg_<concern>.c) ---- */

/*
 * The PostgreSQL struct store (store.h): one connection, used by one
 * thread at a time between store_begin and store_end, as SQLite's is.
 *
 * How writers stay serializable (store.h's isolation rule): every write
 * transaction runs SERIALIZABLE and first takes one lock (PG_WRITE_LOCK),
 * so the writes of every connection to the database, on every node, run
 * one at a time, as SQLite's writer does. It is a table lock, not an
 * advisory one: LOCK takes no snapshot, so the transaction's snapshot is
 * taken after the lock, when the writer before has committed (a SELECT of
 * pg_advisory_xact_lock would take it before, and then conflict).
 * That is the first step: no serialization failure can then arise
 * between writers, and the callers, which run their own store_begin …
 * store_end, need not re-run anything. Should one still surface (a
 * deadlock with a maintenance session, a later step that drops the lock),
 * store_end reports it as RC_CONFLICT, code "serialization_failure", with
 * nothing written: the caller may run its transaction again.
 * Readers (store_begin_read) take a REPEATABLE READ READ ONLY snapshot
 * and no lock.
 */
/*
 * What a store's session holds for several nodes (store_pg_cluster.c).
 * Each part is true only while the connection's session is the one it
 * names: a reconnect drops the lock and the LISTENs with the old session.
 */
struct pg_cluster {
	int seq_held;             /* the session holds the sequencer lock */
	unsigned seq_session;     /* pg->session that took it */
	unsigned listening;       /* a bit (1 << enum store_signal) per channel LISTENed on */
	unsigned arrived;         /* a bit per signal that came and no wait has returned yet */
	unsigned listen_session;  /* pg->session of `listening` and `arrived` */
};

struct store {
	struct store_head head;   /* first: the backend's table (store_pg_ops) */
	struct store_pg *pg;      /* the connection */
	pthread_mutex_t lock;     /* held from store_begin to store_end */
	char *url;                /* what it was opened with, for store_open_reader */
	struct pg_cluster cluster; /* under `lock` */
};

/*
 * For the members that run outside a transaction (store_cluster.h): take
 * the store's lock, then reconnect if the connection was lost. RC_INTERNAL
 * ("nested_transaction") when this thread holds the store's transaction;
 * on any error the lock is not held. pg_outside_unlock gives it back.
 */
int pg_outside_lock(struct store *st, struct err *e) WARN_UNUSED;
void pg_outside_unlock(struct store *st);

/*
 * What every write transaction runs first: EXCLUSIVE on meta conflicts
 * with itself and with writes to meta, not with reads (ACCESS SHARE), so
 * snapshot readers never wait for it.
 */
#define PG_WRITE_LOCK "LOCK TABLE meta IN EXCLUSIVE MODE"

/* What a member of a concern not yet on PostgreSQL returns: RC_UNSUPPORTED naming store_<what>. */
int pg_not_yet(const char *what, struct err *e);

/* A body's stored text: compact JSON, members in order (as SQLite's). malloc'd; NULL when out of memory. */
char *pg_dump(json_t *body);

/* Rows affected by the statement whose result `rows` holds. */
int64_t pg_rows_changed(const struct pg_rows *rows);

/*
 * Read a page of rows (key, body) from `rows` (limit + 1 selected) and
 * clear them: *items the bodies, *next the last key when more follow.
 */
int pg_page(struct pg_rows *rows, int limit, json_t **items, int64_t *next, struct err *e);

/* The backend's tables, one per concern, each in its file store_pg_<concern>.c. */
extern const struct store_ops store_pg_ops;
extern const struct store_access_ops pg_access_ops;
extern const struct store_records_ops pg_records_ops;
extern const struct store_seals_ops pg_seals_ops;
extern const struct store_disputes_ops pg_disputes_ops;
extern const struct store_funds_ops pg_funds_ops;
extern const struct store_disclosures_ops pg_disclosures_ops;
extern const struct store_webhooks_ops pg_webhooks_ops;
extern const struct store_risk_ops pg_risk_ops;
extern const struct store_consumer_flags_ops pg_consumer_flags_ops;
extern const struct store_retention_ops pg_retention_ops;
extern const struct store_cluster_ops pg_cluster_ops;

/* Members of the records table kept in store_pg_merchants.c. */
int pg_merchant_verified(struct store *st, const char *id, int64_t verified_at, struct err *e);
int pg_merchant_update(struct store *st, const char *id, json_t *body, int64_t verified_at,
		       int64_t now, struct err *e);
int pg_merchant_version(struct store *st, const char *id, int64_t version, json_t **body,
			struct err *e);
int pg_merchant_unverified(struct store *st, int64_t before, int64_t after, int limit,
			   json_t **items, int64_t *next, struct err *e);

#endif
