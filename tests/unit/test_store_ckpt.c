/* test_store_ckpt.c - the SQLite store's WAL is checkpointed by its own thread, not by the committing writer, and stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"
#include "store_fixture.h"

/* `n` transactions, each putting `per` consumers with 3 KB of body: a page or so each. */
static void write_rows(struct store *st, int from, int n, int per)
{
	char id[40], pad[3000];
	struct err e;
	int i, k;

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (i = 0; i < n; i++) {
		assert_int_equal(store_begin(st, &e), RC_OK);
		for (k = 0; k < per; k++) {
			struct store_row row = {0};

			snprintf(id, sizeof(id), "cus_%08d_%04d", from + i, k);
			row.id = id;
			row.external_id = id;
			row.created_at = 1700000000000;
			row.body = json_pack("{s:s, s:s, s:s}", "object", "consumer", "id", id, "pad", pad);
			assert_int_equal(store_put(st, STORE_CONSUMER, &row, &e), RC_OK);
			json_decref(row.body);
		}
		assert_int_equal(store_end(st, 1, &e), RC_OK);
	}
}

/*
 * Is a thread of this process named `name`? Its "SigBlk" mask into
 * *blocked (0 when there is none).
 */
static int thread_named(const char *name, unsigned long long *blocked)
{
	char path[300], line[128];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");
	int found = 0;

	assert_non_null(dir);
	*blocked = 0;
	while (!found && (d = readdir(dir)) != NULL) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f))
			found = strncmp(line, name, strlen(name)) == 0;
		if (f)
			fclose(f);
		if (!found)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (strncmp(line, "SigBlk:", 7) == 0)
				*blocked = strtoull(line + 7, NULL, 16);
		if (f)
			fclose(f);
	}
	closedir(dir);
	return found;
}

static long long wal_bytes(const struct store_fixture *f)
{
	char path[200];
	struct stat sb;

	snprintf(path, sizeof(path), "%s-wal", f->path);
	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static long long db_bytes(const struct store_fixture *f)
{
	struct stat sb;

	return stat(f->path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static void the_checkpointer_runs_beside_the_writer(void **state)
{
	struct store_fixture *f = *state;
	unsigned long long blocked;

	assert_true(thread_named("dsp-checkpoint", &blocked));
	assert_non_null(f->st->ckpt);
	/* it takes no signal (SIGTERM there would end a server unhandled), though this thread blocks none */
	assert_int_equal(blocked & (1ULL << (SIGTERM - 1)), 1ULL << (SIGTERM - 1));
	assert_int_equal(blocked & (1ULL << (SIGINT - 1)), 1ULL << (SIGINT - 1));
}

static void commits_past_a_thousand_frames_are_checkpointed_by_the_thread(void **state)
{
	struct store_fixture *f = *state;
	long long before = db_bytes(f);
	int tries;

	/* the thread kept out: some 2,500 frames of commits leave the database file as it was */
	sq_ckpt_hold(f->st);
	write_rows(f->st, 0, 30, 100);
	assert_true(wal_bytes(f) > 2000LL * 4096);
	assert_int_equal(db_bytes(f), before);
	/* let go, the thread copies them into it with no commit to prompt it */
	sq_ckpt_release(f->st);
	for (tries = 0; tries < 100 && db_bytes(f) < before + 2000LL * 4096; tries++)
		usleep(50 * 1000);
	assert_true(db_bytes(f) >= before + 2000LL * 4096);
}

/*
 * A steady stream of commits, the thread free: the WAL starts over from its
 * head well before the writer's backstop, and the thread does not
 * checkpoint after every commit once the WAL is long.
 */
static void the_wal_starts_over_under_a_steady_stream_of_commits(void **state)
{
	struct store_fixture *f = *state;

	/* some 25,000 frames in commits of about 80 */
	write_rows(f->st, 2000, 300, 100);
	assert_true(wal_bytes(f) <= 8000LL * 4120);
}

/* The connection's synchronous setting: 1 NORMAL, 2 FULL. */
static int synchronous(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA synchronous", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/*
 * A lazy transaction commits without an fsync (synchronous NORMAL, which
 * SQLite lets change only outside a transaction), every other with one.
 */
static void a_lazy_transaction_commits_without_an_fsync_and_no_other_does(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin_lazy(f->st, &e), RC_OK);
	assert_int_equal(synchronous(f->st), 1);
	assert_int_equal(store_meta_set(f->st, "k", "lazy", &e), RC_OK);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
	assert_int_equal(synchronous(f->st), 2);
	fx_begin(f->st);
	assert_int_equal(synchronous(f->st), 2);
	assert_int_equal(store_meta_set(f->st, "k", "full", &e), RC_OK);
	fx_commit(f->st);
	/* rolled back, too */
	assert_int_equal(store_begin_lazy(f->st, &e), RC_OK);
	assert_int_equal(store_end(f->st, 0, NULL), RC_OK);
	assert_int_equal(synchronous(f->st), 2);
}

static void the_wal_stays_bounded_when_the_thread_is_held_up(void **state)
{
	struct store_fixture *f = *state;
	long long before = db_bytes(f);

	/* some 20,000 frames of commits while the thread cannot checkpoint: the writer does at 16,000 */
	sq_ckpt_hold(f->st);
	write_rows(f->st, 1000, 240, 100);
	assert_true(db_bytes(f) > before);
	assert_true(wal_bytes(f) <= 16500LL * 4120);
	sq_ckpt_release(f->st);
}

/*
 * A reader holding its snapshot (an audit or a report beside a server)
 * keeps every frame since in the WAL, however long it grows; once it is
 * gone and the WAL starts over, the file shrinks back to the store's limit
 * (SQ_WAL_LIMIT) instead of keeping its largest size on disk.
 */
static void the_wal_file_shrinks_back_once_a_long_reader_is_gone(void **state)
{
	struct store_fixture *f = *state;
	struct store *rd = NULL;
	struct err e;
	char *v = NULL;
	int got;

	err_clear(&e);
	assert_int_equal(store_open_reader(f->st, &rd, &e), RC_OK);
	assert_int_equal(store_begin_read(rd, &e), RC_OK);
	/* its first read fixes the snapshot */
	got = store_meta_get(rd, "origin", &v, &e);
	assert_true(got == RC_OK || got == RC_NOTFOUND);
	free(v);
	/* some 25,000 frames, none of which a checkpoint may copy while the reader holds them */
	write_rows(f->st, 3000, 300, 100);
	assert_true(wal_bytes(f) > 20000LL * 4096);
	assert_true(wal_bytes(f) > SQ_WAL_LIMIT);
	assert_int_equal(store_end(rd, 0, NULL), RC_OK);
	store_close(rd);
	/* the next commits copy it all and start the WAL over */
	write_rows(f->st, 4000, 20, 100);
	assert_true(wal_bytes(f) <= SQ_WAL_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_checkpointer_runs_beside_the_writer, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(commits_past_a_thousand_frames_are_checkpointed_by_the_thread, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(the_wal_stays_bounded_when_the_thread_is_held_up, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(the_wal_starts_over_under_a_steady_stream_of_commits, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(a_lazy_transaction_commits_without_an_fsync_and_no_other_does, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(the_wal_file_shrinks_back_once_a_long_reader_is_gone, store_setup, store_teardown),
	};

	return cmocka_run_group_tests_name("the WAL's checkpointer", tests, NULL, NULL);
}
