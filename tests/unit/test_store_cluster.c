/* test_store_cluster.c - unit tests of store_cluster.h: the sequencer lock, signals between connections and seal progress, on SQLite and on a real PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "store/store.h"
#include "store_fixture.h"

/* How long a test waits for the server to notice a session that ended. */
#define GONE_WAIT_MS 5000

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void end(struct store *st, int commit)
{
	struct err e;

	assert_int_equal(store_end(st, commit, &e), RC_OK);
}

/* A second store on the fixture's PostgreSQL database: another node's connection. */
static struct store *other_node(const struct store_fixture *f)
{
	struct store *st = NULL;
	struct err e;

	assert_int_equal(store_open(f->url, 0, &st, &e), RC_OK);
	return st;
}

static int holds(struct store *st)
{
	struct err e;
	int held = -1;

	assert_int_equal(store_sequencer_hold(st, &held, &e), RC_OK);
	return held;
}

/* Ask `st` for the lock until it gets it (the server ends an old session in its own time). */
static int takes_within(struct store *st, int ms)
{
	int64_t until = mono_ms() + ms;

	while (!holds(st)) {
		if (mono_ms() > until)
			return 0;
		sleep_ms(20);
	}
	return 1;
}

/* Run `sql` (which returns rows) on the cluster's own database; the rows it found. */
static int admin_rows(const char *sql)
{
	PGconn *c = PQconnectdb(store_test_pg());
	PGresult *r;
	int n;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	n = PQntuples(r);
	PQclear(r);
	PQfinish(c);
	return n;
}

/* End the session that holds the sequencer lock on database `db`, as a server restart would. */
static void kill_the_holder(const char *db)
{
	char sql[400];

	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
		 "JOIN pg_database d ON d.oid = l.database WHERE d.datname = '%s' "
		 "AND l.locktype = 'advisory' AND l.objid = 1970562404 AND l.granted", db);
	assert_int_equal(admin_rows(sql), 1);
}

/* A pending seal of a record `id`; its row number. */
static int64_t pending_seal(struct store *st, const char *id)
{
	struct store_seal row;
	int64_t seq = 0;
	struct err e;

	memset(&row, 0, sizeof(row));
	snprintf(row.kind, sizeof(row.kind), "message");
	snprintf(row.record_id, sizeof(row.record_id), "%s", id);
	snprintf(row.leaf_hash, sizeof(row.leaf_hash), "hash-%s", id);
	row.leaf = (unsigned char *)"leaf";
	row.leaf_len = 4;
	row.salts = "";
	row.created_at = 1;
	row.chain_seq = -1;
	assert_int_equal(store_seal_add(st, &row, &seq, &e), RC_OK);
	return seq;
}

static size_t unindexed(struct store *st, const int64_t *seqs, size_t n)
{
	size_t left = 99999;
	struct err e;

	assert_int_equal(store_seal_unindexed(st, seqs, n, &left, &e), RC_OK);
	return left;
}

/* ---- both backends ---- */

/* Seals count as unindexed until their index is set; a missing row counts, a repeat twice. */
static void unindexed_counts_seals_until_their_index_is_set(void **state)
{
	struct store_fixture *f = *state;
	int64_t seqs[5], *many;
	size_t left = 7;
	struct err e;

	fx_begin(f->st);
	seqs[0] = pending_seal(f->st, "msg_1");
	seqs[1] = pending_seal(f->st, "msg_2");
	seqs[2] = pending_seal(f->st, "msg_3");
	end(f->st, 1);

	fx_begin(f->st);
	assert_int_equal(unindexed(f->st, seqs, 3), 3);
	assert_int_equal(unindexed(f->st, seqs, 0), 0);
	assert_int_equal(store_seal_set_index(f->st, seqs[1], 0, &e), RC_OK);
	assert_int_equal(unindexed(f->st, seqs, 3), 2);
	end(f->st, 1);

	fx_begin(f->st);
	assert_int_equal(store_seal_set_index(f->st, seqs[0], 1, &e), RC_OK);
	assert_int_equal(store_seal_set_index(f->st, seqs[2], 2, &e), RC_OK);
	assert_int_equal(unindexed(f->st, seqs, 3), 0);
	seqs[3] = 999999;  /* no such row */
	seqs[4] = seqs[3];
	assert_int_equal(unindexed(f->st, seqs, 5), 2);
	end(f->st, 1);

	/* at the bound it still answers; one past it is refused */
	many = calloc(STORE_UNINDEXED_MAX + 1, sizeof(*many));
	assert_non_null(many);
	for (size_t i = 0; i <= STORE_UNINDEXED_MAX; i++)
		many[i] = seqs[i % 3];
	fx_begin(f->st);
	assert_int_equal(unindexed(f->st, many, STORE_UNINDEXED_MAX), 0);
	assert_int_equal(store_seal_unindexed(f->st, many, STORE_UNINDEXED_MAX + 1, &left, &e),
			 RC_INVAL);
	assert_int_equal(left, 0);
	end(f->st, 0);
	free(many);
}

/* ---- SQLite ---- */

/* One process holds the file: never shared, always the sequencer, release changes nothing. */
static void sqlite_is_one_process_and_always_the_sequencer(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	assert_int_equal(store_shared(f->st), 0);
	assert_int_equal(holds(f->st), 1);
	assert_int_equal(store_sequencer_release(f->st, &e), RC_OK);
	assert_int_equal(holds(f->st), 1);
}

/* No other node to tell: signalling is nothing, waiting sleeps at most 50 ms and gets nothing. */
static void sqlite_signals_nothing_and_waits_at_most_50_ms(void **state)
{
	struct store_fixture *f = *state;
	int64_t t0;
	int got = -1;
	struct err e;

	fx_begin(f->st);
	assert_int_equal(store_signal(f->st, STORE_SIG_SEALS_PENDING, &e), RC_OK);
	end(f->st, 1);
	t0 = mono_ms();
	assert_int_equal(store_signal_wait(f->st, STORE_SIG_SEALS_PENDING, 5000, &got, &e), RC_OK);
	assert_int_equal(got, 0);
	assert_true(mono_ms() - t0 >= 45);
	assert_true(mono_ms() - t0 < 1000);
	t0 = mono_ms();
	assert_int_equal(store_signal_wait(f->st, STORE_SIG_SEALS_INDEXED, 10, &got, &e), RC_OK);
	assert_int_equal(got, 0);
	assert_true(mono_ms() - t0 >= 9);
	assert_true(mono_ms() - t0 < 45);
	assert_int_equal(store_signal_wait(f->st, STORE_SIG_SEALS_INDEXED, -1, &got, &e), RC_INVAL);
}

/* ---- PostgreSQL ---- */

static void postgresql_is_shared(void **state)
{
	struct store_fixture *f = *state;

	assert_int_equal(store_shared(f->st), 1);
}

/* Two nodes: one holds the lock; asking again keeps it once; release hands it over. */
static void only_one_node_holds_the_sequencer_until_it_releases(void **state)
{
	struct store_fixture *f = *state;
	struct store *b = other_node(f);
	struct err e;

	assert_int_equal(holds(f->st), 1);
	assert_int_equal(holds(b), 0);
	assert_int_equal(holds(f->st), 1);  /* checked, not taken a second time */
	assert_int_equal(holds(b), 0);
	assert_int_equal(store_sequencer_release(f->st, &e), RC_OK);
	assert_int_equal(holds(b), 1);
	assert_int_equal(holds(f->st), 0);
	assert_int_equal(store_sequencer_release(f->st, &e), RC_OK);  /* not held: no error */
	assert_int_equal(store_sequencer_release(b, &e), RC_OK);
	assert_int_equal(holds(f->st), 1);
	store_close(b);
}

/* Closing the holder's store ends its session: the other node takes the lock. */
static void closing_the_holder_hands_the_sequencer_over(void **state)
{
	struct store_fixture *f = *state;
	struct store *a = other_node(f);

	assert_int_equal(holds(a), 1);
	assert_int_equal(holds(f->st), 0);
	store_close(a);
	assert_true(takes_within(f->st, GONE_WAIT_MS));
}

/*
 * The holder's connection is lost: the lock goes with its session, another
 * node takes it, and the old holder, reconnected, knows it no longer holds
 * it; once free again, it takes it back.
 */
static void lost_connection_loses_the_sequencer_and_knows_it(void **state)
{
	struct store_fixture *f = *state;
	struct store *b = other_node(f);
	int held = -1, rc;
	struct err e;

	assert_int_equal(holds(f->st), 1);
	kill_the_holder(f->pg_name);
	assert_true(takes_within(b, GONE_WAIT_MS));
	/* the first ask finds the connection gone (an error) or already reconnected */
	rc = store_sequencer_hold(f->st, &held, &e);
	assert_int_equal(held, 0);
	assert_true(rc == RC_OK || rc == RC_DB);
	assert_int_equal(holds(f->st), 0);
	/* a transaction reconnects too, and still the lock is not ours */
	fx_begin(f->st);
	end(f->st, 1);
	assert_int_equal(holds(f->st), 0);
	assert_int_equal(store_sequencer_release(b, &e), RC_OK);
	assert_int_equal(holds(f->st), 1);
	assert_int_equal(holds(b), 0);
	store_close(b);
}

/* What a waiting thread saw. */
struct waiter {
	struct store *st;
	enum store_signal sig;
	int timeout_ms;
	int rc, got;
	int64_t took_ms;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	int64_t t0 = mono_ms();
	struct err e;

	w->rc = store_signal_wait(w->st, w->sig, w->timeout_ms, &w->got, &e);
	w->took_ms = mono_ms() - t0;
	return NULL;
}

/* Start waiting for `sig` on `st` once (a zero wait), so that it listens before anything is sent. */
static void listen_now(struct store *st, enum store_signal sig)
{
	int got = -1;
	struct err e;

	assert_int_equal(store_signal_wait(st, sig, 0, &got, &e), RC_OK);
	assert_int_equal(got, 0);
}

static void signal_in_transaction(struct store *st, enum store_signal sig, int commit)
{
	struct err e;

	fx_begin(st);
	assert_int_equal(store_signal(st, sig, &e), RC_OK);
	end(st, commit);
}

/* A committed signal wakes a node waiting on another connection well within its timeout. */
static void committed_signal_wakes_a_waiter_on_another_node(void **state)
{
	struct store_fixture *f = *state;
	struct store *b = other_node(f);
	struct waiter w = {b, STORE_SIG_SEALS_PENDING, 5000, -1, -1, 0};
	pthread_t t;

	listen_now(b, STORE_SIG_SEALS_PENDING);
	assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
	sleep_ms(100);
	signal_in_transaction(f->st, STORE_SIG_SEALS_PENDING, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.rc, RC_OK);
	assert_int_equal(w.got, 1);
	assert_true(w.took_ms < 2000);
	store_close(b);
}

/* A rolled-back transaction's signal is never sent. */
static void rolled_back_signal_wakes_nobody(void **state)
{
	struct store_fixture *f = *state;
	struct store *b = other_node(f);
	int got = -1;
	struct err e;

	listen_now(b, STORE_SIG_SEALS_INDEXED);
	signal_in_transaction(f->st, STORE_SIG_SEALS_INDEXED, 0);
	assert_int_equal(store_signal_wait(b, STORE_SIG_SEALS_INDEXED, 300, &got, &e), RC_OK);
	assert_int_equal(got, 0);
	store_close(b);
}

/* With nothing sent a wait returns after about its timeout. */
static void wait_with_nothing_times_out_in_about_its_timeout(void **state)
{
	struct store_fixture *f = *state;
	int64_t t0 = mono_ms(), took;
	int got = -1;
	struct err e;

	assert_int_equal(store_signal_wait(f->st, STORE_SIG_SEALS_PENDING, 300, &got, &e), RC_OK);
	took = mono_ms() - t0;
	assert_int_equal(got, 0);
	assert_true(took >= 295);
	assert_true(took < 1000);
}

/*
 * A signal that came between waits is returned by the next wait for it,
 * at once and once; a wait for the other signal leaves it there.
 */
static void signal_between_waits_returns_at_once_and_once(void **state)
{
	struct store_fixture *f = *state;
	struct store *b = other_node(f);
	int64_t t0;
	int got = -1;
	struct err e;

	listen_now(b, STORE_SIG_SEALS_PENDING);
	listen_now(b, STORE_SIG_SEALS_INDEXED);
	signal_in_transaction(f->st, STORE_SIG_SEALS_INDEXED, 1);
	sleep_ms(100);
	assert_int_equal(store_signal_wait(b, STORE_SIG_SEALS_PENDING, 100, &got, &e), RC_OK);
	assert_int_equal(got, 0);
	t0 = mono_ms();
	assert_int_equal(store_signal_wait(b, STORE_SIG_SEALS_INDEXED, 2000, &got, &e), RC_OK);
	assert_int_equal(got, 1);
	assert_true(mono_ms() - t0 < 1000);
	assert_int_equal(store_signal_wait(b, STORE_SIG_SEALS_INDEXED, 50, &got, &e), RC_OK);
	assert_int_equal(got, 0);
	store_close(b);
}

/* A store's own commit's signal comes to it too, and a signal outside a transaction is a bug. */
static void own_signal_comes_back_and_needs_a_transaction(void **state)
{
	struct store_fixture *f = *state;
	int got = -1;
	struct err e;

	listen_now(f->st, STORE_SIG_SEALS_PENDING);
	signal_in_transaction(f->st, STORE_SIG_SEALS_PENDING, 1);
	assert_int_equal(store_signal_wait(f->st, STORE_SIG_SEALS_PENDING, 2000, &got, &e), RC_OK);
	assert_int_equal(got, 1);
	assert_int_equal(store_signal(f->st, STORE_SIG_SEALS_PENDING, &e), RC_INTERNAL);
	fx_begin(f->st);
	assert_int_equal(store_signal_wait(f->st, STORE_SIG_SEALS_PENDING, 0, &got, &e),
			 RC_INTERNAL);
	assert_int_equal(store_sequencer_hold(f->st, &got, &e), RC_INTERNAL);
	end(f->st, 0);
}

/* While one thread waits on a store, another runs its transactions on it without waiting. */
static void waiting_store_still_runs_transactions(void **state)
{
	struct store_fixture *f = *state;
	struct store *b = other_node(f);
	struct waiter w = {f->st, STORE_SIG_SEALS_INDEXED, 3000, -1, -1, 0};
	pthread_t t;
	int64_t t0;
	char *v = NULL;
	struct err e;

	listen_now(f->st, STORE_SIG_SEALS_INDEXED);
	assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
	sleep_ms(100);
	t0 = mono_ms();
	fx_begin(f->st);
	assert_int_equal(store_meta_set(f->st, "k", "v", &e), RC_OK);
	end(f->st, 1);
	fx_begin(f->st);
	assert_int_equal(store_meta_get(f->st, "k", &v, &e), RC_OK);
	end(f->st, 0);
	free(v);
	assert_true(mono_ms() - t0 < 1000);
	signal_in_transaction(b, STORE_SIG_SEALS_INDEXED, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.rc, RC_OK);
	assert_int_equal(w.got, 1);
	assert_true(w.took_ms < 2500);
	store_close(b);
}

/* A waiter's lost connection is an error; the next wait reconnects, listens again and wakes. */
static void lost_waiter_connection_is_an_error_then_listens_again(void **state)
{
	struct store_fixture *f = *state;
	struct store *b;
	char sql[256];
	int got = -1, rc;
	struct err e;

	listen_now(f->st, STORE_SIG_SEALS_PENDING);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		 "WHERE datname = '%s' AND pid <> pg_backend_pid()", f->pg_name);
	assert_int_equal(admin_rows(sql), 1);
	rc = store_signal_wait(f->st, STORE_SIG_SEALS_PENDING, 2000, &got, &e);
	assert_int_equal(rc, RC_DB);
	assert_string_equal(e.code, "database_unavailable");
	assert_int_equal(got, 0);
	listen_now(f->st, STORE_SIG_SEALS_PENDING);
	b = other_node(f);
	signal_in_transaction(b, STORE_SIG_SEALS_PENDING, 1);
	assert_int_equal(store_signal_wait(f->st, STORE_SIG_SEALS_PENDING, 2000, &got, &e), RC_OK);
	assert_int_equal(got, 1);
	store_close(b);
}

#define T(name, su, td) cmocka_unit_test_setup_teardown(name, su, td)
#define PG(name) T(name, store_setup_pg, store_teardown_pg)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		T(sqlite_is_one_process_and_always_the_sequencer, store_setup, store_teardown),
		T(sqlite_signals_nothing_and_waits_at_most_50_ms, store_setup, store_teardown),
		T(unindexed_counts_seals_until_their_index_is_set, store_setup, store_teardown),
	};
	const struct CMUnitTest pg_tests[] = {
		PG(postgresql_is_shared),
		PG(unindexed_counts_seals_until_their_index_is_set),
		PG(only_one_node_holds_the_sequencer_until_it_releases),
		PG(closing_the_holder_hands_the_sequencer_over),
		PG(lost_connection_loses_the_sequencer_and_knows_it),
		PG(committed_signal_wakes_a_waiter_on_another_node),
		PG(rolled_back_signal_wakes_nobody),
		PG(wait_with_nothing_times_out_in_about_its_timeout),
		PG(signal_between_waits_returns_at_once_and_once),
		PG(own_signal_comes_back_and_needs_a_transaction),
		PG(waiting_store_still_runs_transactions),
		PG(lost_waiter_connection_is_an_error_then_listens_again),
	};
	int failed = cmocka_run_group_tests_name("cluster on SQLite", sqlite_tests, NULL, NULL);

	if (!store_test_pg()) {
		printf("cluster on PostgreSQL: skipped, DISPUTED_TEST_PG is not set (make unit "
		       "starts a cluster: tests/e2e/pg_cluster.py run -- ...)\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("cluster on PostgreSQL", pg_tests, NULL, NULL);
}
