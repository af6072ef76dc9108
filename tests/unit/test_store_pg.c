/* test_store_pg.c - unit tests of the PostgreSQL connection and schema against a real throwaway cluster ($DISPUTED_TEST_PG). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "store/store_pg.h"
#include "store/store_pg_int.h"

/* One test's database: a fresh one in the cluster, dropped after. */
struct fixture {
	char name[40];        /* the database's name */
	char url[512];        /* its URL */
	struct store_pg *pg;  /* connected (not migrated) */
};

static const char *test_pg(void)
{
	const char *url = getenv("DISPUTED_TEST_PG");

	return url && url[0] ? url : NULL;
}

/* The cluster's URL with its database replaced by `name`. */
static void url_with_db(const char *url, const char *name, char *out, size_t len)
{
	const char *slash = strrchr(url, '/');
	int n = (int)(slash - url);

	assert_non_null(slash);
	assert_true((size_t)snprintf(out, len, "%.*s/%s", n, url, name) < len);
}

static void admin_exec(const char *sql)
{
	struct store_pg *admin;
	struct err e;

	err_clear(&e);
	assert_int_equal(pg_connect(test_pg(), &admin, &e), RC_OK);
	assert_int_equal(pg_exec(admin, sql, &e), RC_OK);
	store_pg_close(admin);
}

static int setup(void **state)
{
	struct fixture *f;
	char sql[128];
	struct err e;

	if (!test_pg()) {
		*state = NULL;
		return 0;
	}
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->name, sizeof(f->name), "t_%08x%08x", randombytes_random(), randombytes_random());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->name);
	admin_exec(sql);
	url_with_db(test_pg(), f->name, f->url, sizeof(f->url));
	err_clear(&e);
	assert_int_equal(pg_connect(f->url, &f->pg, &e), RC_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char sql[128];

	if (!f)
		return 0;
	store_pg_close(f->pg);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", f->name);
	admin_exec(sql);
	free(f);
	return 0;
}

/* Skip (saying why) when no cluster was given; the fixture otherwise. */
#define NEED_PG(state)                                                                         \
	do {                                                                                   \
		if (!*(state)) {                                                               \
			print_message("skipped: DISPUTED_TEST_PG is not set (make unit starts "  \
				      "a cluster: tests/e2e/pg_cluster.py run -- ...)\n");     \
			skip();                                                                \
		}                                                                              \
	} while (0)

/* The one integer a query returns. */
static int64_t query_int(struct store_pg *pg, const char *sql)
{
	struct pg_rows rows;
	struct err e;
	int64_t v;

	err_clear(&e);
	assert_int_equal(pg_query(pg, sql, 0, NULL, &rows, &e), RC_OK);
	assert_int_equal(pg_step(&rows), 1);
	v = pg_col_int64(&rows, 0);
	pg_rows_clear(&rows);
	return v;
}

/* ---- URLs and connecting (no cluster needed) ---- */

static void test_a_url_with_a_password_is_refused_without_repeating_it(void **state)
{
	struct store_pg *pg = (struct store_pg *)1;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(store_pg_url_check("postgres://app:s3cret-pw@db.example:5432/disputed", &e),
			 RC_INVAL);
	assert_string_equal(e.code, "password_in_url");
	assert_string_equal(e.param, "db");
	assert_null(strstr(e.message, "s3cret-pw"));
	assert_non_null(strstr(e.message, "PGPASSFILE"));
	err_clear(&e);
	assert_int_equal(pg_connect("postgresql://app@h/d?password=s3cret-pw", &pg, &e), RC_INVAL);
	assert_null(pg);
	assert_null(strstr(e.message, "s3cret-pw"));
	err_clear(&e);
	assert_int_equal(store_pg_url_check("postgres://app@db.example:5432/disputed", &e), RC_OK);
	assert_int_equal(store_pg_url_check("sqlite:/var/lib/disputed.db", &e), RC_INVAL);
	assert_int_equal(store_pg_url_check("postgres://app@h:notaport:/d?x=%zz", &e), RC_INVAL);
	assert_true(store_pg_is_url("postgresql://h/d"));
	assert_false(store_pg_is_url("sqlite:x"));
}

static void test_a_server_that_is_not_there_is_named_in_the_error(void **state)
{
	struct store_pg *pg = (struct store_pg *)1;
	struct err e;

	(void)state;
	err_clear(&e);
	/* port 1 on loopback: nothing listens there */
	assert_int_equal(pg_connect("postgres://nobody@127.0.0.1:1/nothing", &pg, &e), RC_DB);
	assert_null(pg);
	assert_string_equal(e.code, "database_unavailable");
	assert_non_null(strstr(e.message, "nobody@127.0.0.1:1/nothing"));
}

static void test_the_unsupported_error_names_the_next_step(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(store_pg_unsupported(&e), RC_UNSUPPORTED);
	assert_string_equal(e.param, "db");
	assert_non_null(strstr(e.message, "issue 14"));
}

/* ---- migrations ---- */

static void test_migrations_bring_a_fresh_database_to_the_current_version(void **state)
{
	struct fixture *f;
	struct store_pg *pg;
	struct err e;
	size_t n = store_pg_migration_count();

	NEED_PG(state);
	f = *state;
	err_clear(&e);
	assert_true(n >= 19);
	assert_int_equal(store_pg_migrate(f->pg, &e), RC_OK);
	assert_int_equal(store_pg_schema_version(f->pg), (int)n);
	assert_int_equal(query_int(f->pg, "SELECT max(version) FROM schema_migrations"), (int64_t)n);
	assert_int_equal(query_int(f->pg, "SELECT count(*) FROM schema_migrations"), (int64_t)n);
	/* the last migration's table is there; the rename of 11 happened */
	assert_int_equal(query_int(f->pg, "SELECT count(*) FROM seal_leaves"), 0);
	assert_int_equal(query_int(f->pg, "SELECT count(*) FROM information_schema.tables "
					  "WHERE table_name = 'fund_ops_by_key'"), 0);
	/* opening again migrates nothing */
	assert_int_equal(store_pg_open(f->url, &pg, &e), RC_OK);
	assert_int_equal(store_pg_schema_version(pg), (int)n);
	assert_int_equal(query_int(pg, "SELECT count(*) FROM schema_migrations"), (int64_t)n);
	store_pg_close(pg);
}

static void test_a_body_comes_back_byte_for_byte(void **state)
{
	/* spacing, member order, escapes and CJK as a body was sealed: JSONB would change them */
	static const char body[] = "{\"z\":1,  \"a\":\"\\u00e9 \xe5\x95\x86\xe5\xae\xb6\",\"n\":1.50}";
	const char *params[2] = {"mer_1", body};
	struct fixture *f;
	struct pg_rows rows;
	struct err e;

	NEED_PG(state);
	f = *state;
	err_clear(&e);
	assert_int_equal(store_pg_migrate(f->pg, &e), RC_OK);
	assert_int_equal(pg_query(f->pg, "INSERT INTO merchants (id, created_at, body) "
					 "VALUES ($1, 0, $2)", 2, params, NULL, &e), RC_OK);
	assert_int_equal(pg_query(f->pg, "SELECT body, seq FROM merchants WHERE id = $1", 1, params,
				  &rows, &e), RC_OK);
	assert_int_equal(pg_step(&rows), 1);
	assert_string_equal(pg_col_text(&rows, 0), body);
	assert_int_equal(pg_col_int64(&rows, 1), 1);
	assert_int_equal(pg_step(&rows), 0);
	pg_rows_clear(&rows);
}

static void test_the_journal_is_append_only_and_balances_cannot_go_negative(void **state)
{
	struct fixture *f;
	struct err e;

	NEED_PG(state);
	f = *state;
	err_clear(&e);
	assert_int_equal(store_pg_migrate(f->pg, &e), RC_OK);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO fund_entries (id, kind, created_at, body) "
					"VALUES ('fe_1', 'transfer', 0, '{}')", &e), RC_OK);
	assert_int_equal(pg_exec(f->pg, "UPDATE fund_entries SET kind = 'x'", &e), RC_CONFLICT);
	assert_non_null(strstr(e.message, "append-only"));
	err_clear(&e);
	assert_int_equal(pg_exec(f->pg, "DELETE FROM fund_entries", &e), RC_CONFLICT);
	err_clear(&e);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO fund_accounts (owner, name, currency, balance, "
					"created_at) VALUES ('mer_1', 'available', 'CNY', -1, 0)", &e),
			 RC_CONFLICT);
	err_clear(&e);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO fund_accounts (owner, name, currency, balance, "
					"created_at) VALUES ('world', 'world', 'CNY', -1, 0)", &e),
			 RC_OK);
}

/* ---- statements ---- */

static void test_statements_are_prepared_once_and_kept(void **state)
{
	static const char sql[] = "SELECT $1::bigint + 1, $2::text IS NULL, $3::bytea";
	static const unsigned char bytes[] = {0, 1, 0xff, '\\', 'x'};
	char a[PG_I64_TEXT], *hex;
	const char *params[3];
	struct fixture *f;
	struct pg_rows rows;
	unsigned char *back;
	size_t len;
	struct err e;

	NEED_PG(state);
	f = *state;
	err_clear(&e);
	hex = pg_bytea_param(bytes, sizeof(bytes));
	assert_non_null(hex);
	for (int i = 0; i < 3; i++) {
		params[0] = pg_i64(a, INT64_MAX - 1 - i);
		params[1] = NULL;
		params[2] = hex;
		assert_int_equal(pg_query(f->pg, sql, 3, params, &rows, &e), RC_OK);
		assert_int_equal(pg_step(&rows), 1);
		assert_int_equal(pg_col_int64(&rows, 0), INT64_MAX - i);
		assert_string_equal(pg_col_text(&rows, 1), "t");
		back = pg_col_bytea(&rows, 2, &len);
		assert_int_equal(len, sizeof(bytes));
		assert_memory_equal(back, bytes, sizeof(bytes));
		free(back);
		pg_rows_clear(&rows);
	}
	free(hex);
	assert_int_equal(query_int(f->pg, "SELECT count(*) FROM pg_prepared_statements "
					  "WHERE statement LIKE 'SELECT $1::bigint + 1%'"), 1);
}

static void test_a_failed_statement_fails_the_commit_and_a_savepoint_undoes_it(void **state)
{
	struct fixture *f;
	struct err e;

	NEED_PG(state);
	f = *state;
	err_clear(&e);
	assert_int_equal(pg_exec(f->pg, "CREATE TABLE t (k TEXT PRIMARY KEY)", &e), RC_OK);

	/* a failure inside a savepoint rolled back to: the rest commits */
	assert_int_equal(pg_begin(f->pg, PG_SERIALIZABLE, &e), RC_OK);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO t VALUES ('a')", &e), RC_OK);
	assert_int_equal(pg_savepoint(f->pg, &e), RC_OK);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO t VALUES ('a')", &e), RC_CONFLICT);
	err_clear(&e);
	assert_int_equal(pg_savepoint_end(f->pg, 0, &e), RC_OK);
	assert_int_equal(pg_savepoint(f->pg, &e), RC_OK);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO t VALUES ('b')", &e), RC_OK);
	assert_int_equal(pg_savepoint_end(f->pg, 1, &e), RC_OK);
	assert_int_equal(pg_end(f->pg, 1, &e), RC_OK);
	assert_int_equal(query_int(f->pg, "SELECT count(*) FROM t"), 2);

	/* a failure outside one: nothing commits */
	assert_int_equal(pg_begin(f->pg, PG_SERIALIZABLE, &e), RC_OK);
	assert_int_equal(pg_begin(f->pg, PG_SERIALIZABLE, &e), RC_INTERNAL);
	err_clear(&e);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO t VALUES ('c')", &e), RC_OK);
	assert_int_equal(pg_exec(f->pg, "INSERT INTO t VALUES ('a')", &e), RC_CONFLICT);
	assert_int_equal(pg_end(f->pg, 1, &e), RC_CONFLICT);
	assert_int_equal(query_int(f->pg, "SELECT count(*) FROM t"), 2);
}

/* ---- transactions under concurrency ---- */

/* Read the counter, then write it back plus one: a lost update if two interleave unguarded. */
static int increment(struct store_pg *pg, struct err *e)
{
	char v[PG_I64_TEXT];
	const char *params[1];
	struct pg_rows rows;
	int64_t n;
	int rc;

	rc = pg_query(pg, "SELECT n FROM counter WHERE id = 1", 0, NULL, &rows, e);
	if (rc)
		return rc;
	n = pg_step(&rows) ? pg_col_int64(&rows, 0) : -1;
	pg_rows_clear(&rows);
	params[0] = pg_i64(v, n + 1);
	return pg_query(pg, "UPDATE counter SET n = $1 WHERE id = 1", 1, params, NULL, e);
}

struct interleave {
	struct store_pg *other;  /* the second connection */
	int tries;               /* how many times the first transaction ran */
};

static int increment_other(struct store_pg *pg, void *arg, struct err *e)
{
	(void)arg;
	return increment(pg, e);
}

/* The first transaction: reads, lets the other commit its increment, then writes. */
static int increment_interleaved(struct store_pg *pg, void *arg, struct err *e)
{
	struct interleave *il = arg;
	char v[PG_I64_TEXT];
	const char *params[1];
	struct pg_rows rows;
	struct err e2;
	int64_t n;
	int rc;

	il->tries++;
	rc = pg_query(pg, "SELECT n FROM counter WHERE id = 1", 0, NULL, &rows, e);
	if (rc)
		return rc;
	n = pg_step(&rows) ? pg_col_int64(&rows, 0) : -1;
	pg_rows_clear(&rows);
	if (il->tries == 1) {
		err_clear(&e2);
		assert_int_equal(pg_transact(il->other, PG_SERIALIZABLE, increment_other, NULL, &e2),
				 RC_OK);
	}
	params[0] = pg_i64(v, n + 1);
	return pg_query(pg, "UPDATE counter SET n = $1 WHERE id = 1", 1, params, NULL, e);
}

static void make_counter(struct store_pg *pg)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(pg_exec(pg, "CREATE TABLE counter (id INT PRIMARY KEY, n BIGINT NOT NULL);"
				     "INSERT INTO counter VALUES (1, 0)", &e), RC_OK);
}

static void test_a_conflicting_transaction_is_retried_and_no_update_is_lost(void **state)
{
	struct interleave il = {NULL, 0};
	struct fixture *f;
	struct err e;

	NEED_PG(state);
	f = *state;
	err_clear(&e);
	make_counter(f->pg);
	assert_int_equal(pg_connect(f->url, &il.other, &e), RC_OK);
	assert_int_equal(pg_transact(f->pg, PG_SERIALIZABLE, increment_interleaved, &il, &e), RC_OK);
	/* the first try met the other's commit (40001), the second went through */
	assert_int_equal(il.tries, 2);
	assert_int_equal(f->pg->retries, 1);
	assert_int_equal(query_int(f->pg, "SELECT n FROM counter"), 2);
	store_pg_close(il.other);
}

#define WORKERS 2
#define INCREMENTS 40

struct worker {
	const char *url;  /* where to connect */
	int done;         /* increments committed */
	int retries;      /* transactions run again */
};

/* An increment with a pause between its read and its write, so the two writers overlap. */
static int increment_fn(struct store_pg *pg, void *arg, struct err *e)
{
	struct pg_rows rows;
	int rc;

	(void)arg;
	rc = pg_query(pg, "SELECT n FROM counter WHERE id = 1", 0, NULL, &rows, e);
	pg_rows_clear(&rows);
	if (!rc)
		rc = pg_exec(pg, "SELECT pg_sleep(0.002)", e);
	return rc ? rc : increment(pg, e);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct store_pg *pg;
	struct err e;

	err_clear(&e);
	if (pg_connect(w->url, &pg, &e))
		return NULL;
	for (int i = 0; i < INCREMENTS; i++)
		if (pg_transact(pg, PG_SERIALIZABLE, increment_fn, NULL, &e) == RC_OK)
			w->done++;
	w->retries = pg->retries;
	store_pg_close(pg);
	return NULL;
}

static void test_two_writers_racing_lose_no_update(void **state)
{
	struct worker w[WORKERS];
	pthread_t t[WORKERS];
	struct fixture *f;

	NEED_PG(state);
	f = *state;
	make_counter(f->pg);
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){f->url, 0, 0};
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < WORKERS; i++)
		assert_int_equal(w[i].done, INCREMENTS);
	assert_int_equal(query_int(f->pg, "SELECT n FROM counter"), WORKERS * INCREMENTS);
	print_message("%d increments, %d retried\n", WORKERS * INCREMENTS,
		      w[0].retries + w[1].retries);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_url_with_a_password_is_refused_without_repeating_it),
		cmocka_unit_test(test_a_server_that_is_not_there_is_named_in_the_error),
		cmocka_unit_test(test_the_unsupported_error_names_the_next_step),
		cmocka_unit_test_setup_teardown(test_migrations_bring_a_fresh_database_to_the_current_version,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_body_comes_back_byte_for_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_journal_is_append_only_and_balances_cannot_go_negative,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_statements_are_prepared_once_and_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_failed_statement_fails_the_commit_and_a_savepoint_undoes_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_conflicting_transaction_is_retried_and_no_update_is_lost,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_writers_racing_lose_no_update, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	if (!test_pg())
		fprintf(stderr, "test_store_pg: DISPUTED_TEST_PG is not set: the tests that need a "
				"PostgreSQL cluster are skipped (make unit starts one)\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
