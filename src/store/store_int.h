/* store_int.h - what the store's neutral code (store.c) knows of its backends: how each opens. */
#ifndef DISPUTED_STORE_INT_H
#define DISPUTED_STORE_INT_H

#include "store/store.h"

/* store_open for a SQLite file at `path` (store_sqlite.c). */
int store_sqlite_open(const char *path, int create, struct store **out,
		      struct err *e) WARN_UNUSED;

/*
 * store_open for a postgres:// URL (store_pg_store.c): connect, migrate,
 * and with `create` refuse a database that holds a deployment already.
 */
int store_pg_store_open(const char *url, int create, struct store **out,
			struct err *e) WARN_UNUSED;

#endif
