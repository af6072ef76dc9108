/* store_sqlite_int.h - what the SQLite backend's files share: the handle and statement helpers. */
#ifndef DISPUTED_STORE_SQLITE_INT_H
#define DISPUTED_STORE_SQLITE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

struct store {
	sqlite3 *db;            /* the connection */
	pthread_mutex_t lock;   /* held from store_begin to store_end */
	int failed;             /* a statement failed inside this transaction */
	int schema_version;     /* after migrations */
};

/* Mark the transaction failed and describe the database's error. Returns RC_DB. */
int sq_fail(struct store *st, struct err *e, const char *what);
/* Prepare `sql`; RC_DB on failure. */
int sq_prep(struct store *st, const char *sql, sqlite3_stmt **stmt, struct err *e);
/* Bind text, or NULL for a NULL pointer. */
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Run SQL with no rows. */
int sq_exec(struct store *st, const char *sql, struct err *e);
/* Step a statement that returns no rows, then finalize it; constraint failures are RC_CONFLICT. */
int sq_step_done(struct store *st, sqlite3_stmt *s, const char *what, struct err *e);
/* A malloc'd copy of a text column, or NULL. */
char *sq_dup_text(sqlite3_stmt *s, int col);
/* A text column parsed as JSON (new reference), or NULL. */
json_t *sq_col_json(sqlite3_stmt *s, int col);

#endif
