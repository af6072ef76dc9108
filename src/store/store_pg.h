/* store_pg.h - the PostgreSQL store's entry points: URLs, opening a migrated connection, closing it. */
#ifndef DISPUTED_STORE_PG_H
#define DISPUTED_STORE_PG_H

#include <stddef.h>

#include "core/err.h"

/*
 * The PostgreSQL backend is being built behind the store interface (issue
 * 14). What exists: a connection with prepared statements, transactions
 * retried on serialization failures, and the numbered schema
 * (store_pg_migrations.c), and the store interface over it
 * (store_pg_store.c: store_open takes a postgres:// URL) with its access
 * and records concerns; the other concerns (store_pg_<concern>.c) answer
 * RC_UNSUPPORTED until built.
 */

struct store_pg;

/* Is `db` a PostgreSQL URL (postgres:// or postgresql://)? */
int store_pg_is_url(const char *db);

/*
 * Check a PostgreSQL URL without connecting: it must parse (libpq's URI
 * syntax) and carry no password, which belongs in a password file
 * (PGPASSFILE, default ~/.pgpass) where it is not copied into config files,
 * process lists and logs. RC_INVAL with param "db" otherwise; the message
 * never repeats the URL.
 */
int store_pg_url_check(const char *url, struct err *e) WARN_UNUSED;

/*
 * Connect to `url` (store_pg_url_check first), then bring its schema up to
 * date (store_pg_migrate). On success *out is the caller's, to give to
 * store_pg_close. On error *out is NULL, the message names the server
 * (user@host:port/database, never a password) and what failed.
 * A handle is for one thread at a time.
 */
int store_pg_open(const char *url, struct store_pg **out, struct err *e) WARN_UNUSED;

/*
 * Does the database hold a deployment (an origin in its meta)? *existed
 * says; when it does not and `origin` is given, record `origin` and the
 * creation time, in one serializable transaction (two inits racing: one
 * records, the other sees *existed). NULL `origin` only looks.
 */
int store_pg_deployment(struct store_pg *pg, const char *origin, int *existed,
			struct err *e) WARN_UNUSED;

/* Disconnect and free. NULL is a no-op. */
void store_pg_close(struct store_pg *pg);

/* The schema version of an open store (migrations applied). */
int store_pg_schema_version(const struct store_pg *pg);

/* How many migrations the PostgreSQL schema has (the version a current database has). */
size_t store_pg_migration_count(void);

/*
 * The error for a postgres:// database where PostgreSQL is not complete:
 * RC_UNSUPPORTED, param "db", naming the next step. No command gives it
 * now (the store's own members say which of them is missing: pg_not_yet).
 * Returns RC_UNSUPPORTED.
 */
int store_pg_unsupported(struct err *e);

#endif
