/* store_fixture.h - a unit test's fresh store on either backend: a SQLite file in a temporary directory, or a fresh database in the PostgreSQL cluster that make unit starts (DISPUTED_TEST_PG). */
#ifndef DISPUTED_TEST_STORE_FIXTURE_H
#define DISPUTED_TEST_STORE_FIXTURE_H

/* Include after <cmocka.h>. */
#include <ftw.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "store/store.h"

/*
 * One test's database, as cmocka setup and teardown functions whose state
 * is a struct store_fixture: a fresh file in a fresh directory
 * (store_setup, store_teardown), or a fresh database in the PostgreSQL
 * cluster DISPUTED_TEST_PG names (store_setup_pg, store_teardown_pg),
 * dropped after. A concern's tests run as two groups, one per backend; the
 * PostgreSQL group only when store_test_pg() names a cluster.
 */
struct store_fixture {
	char dir[64];          /* the temporary directory */
	char path[128];        /* the database file inside it */
	char pg_name[40];      /* the PostgreSQL database, "" on SQLite */
	char url[512];         /* its URL */
	struct store *st;      /* open on `path` or `url` */
};

static inline int store_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void store_fixture_dir(struct store_fixture *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/disputed-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/disputed.db", f->dir);
}

static inline int store_setup(void **state)
{
	struct store_fixture *f = calloc(1, sizeof(*f));
	struct err e;

	assert_non_null(f);
	store_fixture_dir(f);
	err_clear(&e);
	assert_int_equal(store_open(f->path, 1, &f->st, &e), RC_OK);
	*state = f;
	return 0;
}

static inline int store_teardown(void **state)
{
	struct store_fixture *f = *state;

	store_close(f->st);
	nftw(f->dir, store_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* The cluster's URL from make unit (tests/e2e/pg_cluster.py run), or NULL. */
static inline const char *store_test_pg(void)
{
	const char *url = getenv("DISPUTED_TEST_PG");

	return url && url[0] ? url : NULL;
}

/* Run `sql` on the cluster's own database (creating and dropping the tests' ones). */
static inline void store_pg_admin(const char *sql)
{
	PGconn *c = PQconnectdb(store_test_pg());
	PGresult *r;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
}

static inline int store_setup_pg(void **state)
{
	struct store_fixture *f = calloc(1, sizeof(*f));
	const char *slash = strrchr(store_test_pg(), '/');
	char sql[96];
	struct err e;

	assert_non_null(f);
	assert_non_null(slash);
	snprintf(f->pg_name, sizeof(f->pg_name), "ts_%08x%08x", randombytes_random(),
		 randombytes_random());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->pg_name);
	store_pg_admin(sql);
	snprintf(f->url, sizeof(f->url), "%.*s/%s", (int)(slash - store_test_pg()), store_test_pg(),
		 f->pg_name);
	err_clear(&e);
	assert_int_equal(store_open(f->url, 1, &f->st, &e), RC_OK);
	*state = f;
	return 0;
}

static inline int store_teardown_pg(void **state)
{
	struct store_fixture *f = *state;
	char sql[96];

	store_close(f->st);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", f->pg_name);
	store_pg_admin(sql);
	free(f);
	return 0;
}

/*
 * For tests that open and reopen a store themselves: a fresh database in
 * the cluster, its name into `name` and its URL into `url`; drop it with
 * store_pg_drop_db once every store on it is closed.
 */
static inline void store_pg_create_db(char name[40], char *url, size_t url_size)
{
	const char *slash = strrchr(store_test_pg(), '/');
	char sql[96];

	assert_non_null(slash);
	snprintf(name, 40, "ts_%08x%08x", randombytes_random(), randombytes_random());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	store_pg_admin(sql);
	snprintf(url, url_size, "%.*s/%s", (int)(slash - store_test_pg()), store_test_pg(), name);
}

static inline void store_pg_drop_db(const char *name)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", name);
	store_pg_admin(sql);
}

/* A write transaction on `st`, which must open. */
static inline void fx_begin(struct store *st)
{
	struct err e;

	assert_int_equal(store_begin(st, &e), RC_OK);
}

/* Commit it, which must succeed. */
static inline void fx_commit(struct store *st)
{
	struct err e;

	assert_int_equal(store_end(st, 1, &e), RC_OK);
}

#endif
