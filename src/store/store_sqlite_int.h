/* store_sqlite_int.h - what the SQLite backend's files share: the handle and statement helpers. */
#ifndef DISPUTED_STORE_SQLITE_INT_H
#define DISPUTED_STORE_SQLITE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

/* How many statements a store keeps prepared (sq_prep_kept). */
#define SQ_KEPT_MAX 64

struct store {
	sqlite3 *db;            /* the connection */
	pthread_mutex_t lock;   /* held from store_begin to store_end */
	int failed;             /* a statement failed inside this transaction */
	int schema_version;     /* after migrations */
	sqlite3_stmt *kept[SQ_KEPT_MAX]; /* statements kept prepared, NULL where free */
	int kept_busy[SQ_KEPT_MAX];      /* 1 while its statement is handed out */
	int sp_failed[STORE_SAVEPOINT_MAX]; /* `failed` as it stood when each savepoint opened */
	int nsp;                         /* savepoints open */
};

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

#endif
