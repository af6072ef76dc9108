/* test_pipeline.c - unit tests of the write pipeline: a failing job fails alone, queued jobs share a transaction, every acknowledged leaf is in the log once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/err.h"
#include "evidence/pipeline.h"
#include "evidence/seal.h"
#include "evidence/sequencer.h"
#include "store/store.h"
#include "tlog/log.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

#include "store_fixture.h"

#define ORIGIN "test.example/pipeline"
#define JOBS 40

static struct tlog_signer log_key;

/* The group's backend: 0 SQLite, 1 PostgreSQL (a fresh database of DISPUTED_TEST_PG per test). */
static int on_pg;

struct fix {
	char dir[64];
	char db[512];             /* a file, or a URL */
	char pg_name[40];         /* the PostgreSQL database, "" on SQLite */
	struct store *st;
	struct tlog_log *log;
};

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fix_init(struct fix *f, int with_log)
{
	struct tlog_log_opts o;
	struct err e;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_pipeline.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->pg_name[0] = '\0';
	if (on_pg)
		store_pg_create_db(f->pg_name, f->db, sizeof(f->db));
	else
		snprintf(f->db, sizeof(f->db), "%s/disputed.db", f->dir);
	err_clear(&e);
	if (store_open(f->db, 1, &f->st, &e) != RC_OK)
		fail_msg("store_open: %s", e.message);
	f->log = NULL;
	if (!with_log)
		return;
	memset(&o, 0, sizeof(o));
	o.dir = f->dir;
	o.signer = &log_key;
	if (tlog_log_open(&o, &f->log, &e) != RC_OK)
		fail_msg("tlog_log_open: %s", e.message);
}

static void fix_remove(struct fix *f)
{
	tlog_log_close(f->log);
	store_close(f->st);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (f->pg_name[0])
		store_pg_drop_db(f->pg_name);
}

/* A job: writes a meta row and a pending seal; `fail` makes it fail after writing both. */
struct tjob {
	struct pipeline_job job;
	int i;
	int fail;                 /* 1: return RC_INVAL; 2: a duplicate insert (RC_CONFLICT) */
	char leaf[32];
	int64_t seq;
	pthread_mutex_t *gate;    /* held by the test while the job must not finish applying */
};

/* Jobs done so far, and a condition to wait on. */
static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done_count;
static int entered;       /* a gated job has begun to apply */

static int64_t add_seal(struct store *st, const char *leaf, struct err *e, int *rc)
{
	uint8_t h[TLOG_HASH_SIZE];
	struct store_seal row;
	int64_t seq = 0;

	memset(&row, 0, sizeof(row));
	tlog_leaf_hash(leaf, strlen(leaf), h);
	sodium_bin2base64(row.leaf_hash, sizeof(row.leaf_hash), h, sizeof(h),
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(row.kind, sizeof(row.kind), "message");
	snprintf(row.record_id, sizeof(row.record_id), "rec_%s", leaf);
	row.leaf = (unsigned char *)leaf;
	row.leaf_len = strlen(leaf);
	row.salts = "{}";
	row.created_at = 1;
	row.chain_seq = -1;
	*rc = store_seal_add(st, &row, &seq, e);
	return seq;
}

static int tjob_apply(struct pipeline_job *j, struct store *st, struct err *e)
{
	struct tjob *t = j->ctx;
	char key[32];
	int rc;

	if (t->gate) {
		pthread_mutex_lock(&done_mu);
		entered = 1;
		pthread_cond_broadcast(&done_cv);
		pthread_mutex_unlock(&done_mu);
		pthread_mutex_lock(t->gate);
		pthread_mutex_unlock(t->gate);
	}
	snprintf(key, sizeof(key), "job_%d", t->i);
	rc = store_meta_set(st, key, "written", e);
	if (rc)
		return rc;
	t->seq = add_seal(st, t->leaf, e, &rc);
	if (rc)
		return rc;
	if (t->fail == 1)
		return err_set(e, RC_INVAL, "invalid_value", "field", "job %d is refused", t->i);
	if (t->fail == 2) {
		/* the same record sealed twice: the store refuses the second */
		(void)add_seal(st, t->leaf, e, &rc);
		if (rc)
			return rc;
	}
	j->seals = &t->seq;
	j->nseals = 1;
	return RC_OK;
}

static void tjob_done(struct pipeline_job *j)
{
	(void)j;
	pthread_mutex_lock(&done_mu);
	done_count++;
	pthread_cond_broadcast(&done_cv);
	pthread_mutex_unlock(&done_mu);
}

static void wait_done(int n)
{
	pthread_mutex_lock(&done_mu);
	while (done_count < n)
		pthread_cond_wait(&done_cv, &done_mu);
	pthread_mutex_unlock(&done_mu);
}

/* Wait until a gated job has begun to apply. */
static void wait_entered(void)
{
	pthread_mutex_lock(&done_mu);
	while (!entered)
		pthread_cond_wait(&done_cv, &done_mu);
	pthread_mutex_unlock(&done_mu);
}

static void tjob_init(struct tjob *t, int i)
{
	memset(t, 0, sizeof(*t));
	t->i = i;
	snprintf(t->leaf, sizeof(t->leaf), "leaf-%d", i);
	t->job.apply = tjob_apply;
	t->job.done = tjob_done;
	t->job.ctx = t;
}

static int meta_has(struct store *st, int i)
{
	char key[32], *v = NULL;
	struct err e;
	int rc;

	snprintf(key, sizeof(key), "job_%d", i);
	err_clear(&e);
	assert_int_equal(store_begin(st, &e), RC_OK);
	rc = store_meta_get(st, key, &v, &e);
	assert_int_equal(store_end(st, 0, NULL), RC_OK);
	free(v);
	return rc == RC_OK && v != NULL;
}

static int pending_count(struct store *st)
{
	int64_t seqs[64];
	struct err e;
	int n = 0;

	err_clear(&e);
	assert_int_equal(store_begin(st, &e), RC_OK);
	assert_int_equal(store_seal_pending(st, 64, seqs, &n, &e), RC_OK);
	assert_int_equal(store_end(st, 0, NULL), RC_OK);
	return n;
}

static int64_t seal_index(struct store *st, int64_t seq)
{
	struct store_seal s;
	struct err e;
	int64_t index;

	err_clear(&e);
	assert_int_equal(store_begin(st, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(st, seq, &s, &e), RC_OK);
	assert_int_equal(store_end(st, 0, NULL), RC_OK);
	index = s.leaf_index;
	store_seal_release(&s);
	return index;
}

static uint64_t log_size(struct tlog_log *log)
{
	uint64_t size = 0;
	struct err e;

	err_clear(&e);
	assert_int_equal(tlog_log_checkpoint(log, &size, NULL, NULL, &e), RC_OK);
	return size;
}

/*
 * Jobs queued while the writer is busy go in one transaction; the ones
 * that fail (a refusal, a constraint) leave nothing behind and the rest
 * are stored and sealed, each leaf in the log once, where its seal says.
 * Replayable jobs (pipeline_job.replayable) end the same, the batch with
 * failures having run twice.
 */
static void failing_jobs_fail_alone(int replayable)
{
	static struct tjob jobs[JOBS];
	pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
	uint8_t seen[JOBS] = {0};
	struct pipeline *p = NULL;
	const struct timespec held = {0, 50 * 1000000};
	struct pipeline_stats ps;
	uint64_t size;
	struct fix f;
	struct err e;
	int i, ok = 0;

	fix_init(&f, 1);
	err_clear(&e);
	done_count = 0;
	assert_int_equal(pipeline_start(f.st, f.log, &p, &e), RC_OK);
	/* the first job holds the writer until every other job is queued */
	pthread_mutex_lock(&gate);
	entered = 0;
	for (i = 0; i < JOBS; i++) {
		tjob_init(&jobs[i], i);
		jobs[i].job.replayable = replayable;
		jobs[i].fail = i == 7 ? 1 : i == 13 ? 2 : 0;
		if (i == 0)
			jobs[i].gate = &gate;
		pipeline_submit(p, &jobs[i].job);
		if (i > 0)
			continue;
		wait_entered();
	}
	/* the writer is held in the first job's apply; the others wait queued */
	nanosleep(&held, NULL);
	pthread_mutex_unlock(&gate);
	wait_done(JOBS);
	pipeline_stats(p, &ps);
	assert_int_equal(ps.jobs, JOBS);
	/* the first job alone, then the other 39 together */
	assert_int_equal(ps.batches, 2);
	/* without savepoints first, then again in them for the two that fail */
	assert_int_equal(ps.batches_replayed, replayable ? 1 : 0);
	/* where the time went: the hold in the writer's apply, the others' wait in the queue */
	assert_true(ps.writer_apply_s >= 0.05);
	assert_true(ps.job_queued_s >= (JOBS - 1) * 0.05);
	assert_true(ps.job_batch_s >= 0.05);
	assert_true(ps.writer_commit_s > 0 && ps.sealer_append_s > 0);
	assert_true(ps.sealer_record_s + ps.writer_record_s > 0);
	/* every job sealed waited for its batch's append */
	assert_true(ps.job_sealing_s >= ps.sealer_append_s);
	pipeline_free(p);

	assert_int_equal(jobs[7].job.rc, RC_INVAL);
	assert_string_equal(jobs[7].job.err.code, "invalid_value");
	assert_int_equal(jobs[13].job.rc, RC_CONFLICT);
	size = log_size(f.log);
	for (i = 0; i < JOBS; i++) {
		int64_t index;

		if (jobs[i].fail) {
			assert_false(meta_has(f.st, i));
			continue;
		}
		assert_int_equal(jobs[i].job.rc, RC_OK);
		assert_true(meta_has(f.st, i));
		index = seal_index(f.st, jobs[i].seq);
		assert_true(index >= 0 && (uint64_t)index < size);
		assert_false(seen[index]);
		seen[index] = 1;
		ok++;
	}
	assert_int_equal(size, (uint64_t)ok);
	assert_int_equal(pending_count(f.st), 0);
	fix_remove(&f);
}

static void test_a_failing_job_fails_alone_and_the_rest_are_sealed(void **state)
{
	(void)state;
	failing_jobs_fail_alone(0);
}

static void test_replayable_jobs_run_again_in_savepoints_when_one_fails(void **state)
{
	(void)state;
	failing_jobs_fail_alone(1);
}

/* After a batch ran twice, the next ones go in savepoints at once: a failing job runs once. */
static void test_after_a_replay_failing_jobs_are_not_replayed_again_at_once(void **state)
{
	struct pipeline_stats ps;
	struct pipeline *p = NULL;
	struct tjob t;
	struct fix f;
	struct err e;
	int i;

	(void)state;
	fix_init(&f, 1);
	err_clear(&e);
	assert_int_equal(pipeline_start(f.st, f.log, &p, &e), RC_OK);
	for (i = 0; i < 4; i++) {
		tjob_init(&t, i);
		t.fail = 1;
		t.job.replayable = 1;
		t.job.done = NULL;
		assert_int_equal(pipeline_run(p, &t.job, &e), RC_INVAL);
		assert_false(meta_has(f.st, i));
	}
	tjob_init(&t, 9);
	t.job.replayable = 1;
	t.job.done = NULL;
	assert_int_equal(pipeline_run(p, &t.job, &e), RC_OK);
	assert_true(meta_has(f.st, 9));
	assert_true(seal_index(f.st, t.seq) >= 0);
	pipeline_stats(p, &ps);
	assert_int_equal(ps.batches_replayed, 1);
	pipeline_free(p);
	fix_remove(&f);
}

/* Without a log, jobs are done at the commit and their seals wait, pending, for the log's holder. */
static void test_without_a_log_seals_stay_pending_until_integrated(void **state)
{
	static struct tjob jobs[5];
	struct pipeline *p = NULL;
	struct tlog_log_opts o;
	struct fix f;
	struct err e;
	int64_t n = 0, matched = 0;
	int i;

	(void)state;
	fix_init(&f, 0);
	err_clear(&e);
	done_count = 0;
	assert_int_equal(pipeline_start(f.st, NULL, &p, &e), RC_OK);
	for (i = 0; i < 5; i++) {
		tjob_init(&jobs[i], i);
		pipeline_submit(p, &jobs[i].job);
	}
	pipeline_free(p); /* finishes what is queued */
	assert_int_equal(done_count, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(jobs[i].job.rc, RC_OK);
		assert_int_equal(seal_index(f.st, jobs[i].seq), -1);
	}
	assert_int_equal(pending_count(f.st), 5);

	memset(&o, 0, sizeof(o));
	o.dir = f.dir;
	o.signer = &log_key;
	assert_int_equal(tlog_log_open(&o, &f.log, &e), RC_OK);
	assert_int_equal(seal_recover(f.st, f.log, &matched, &e), RC_OK);
	assert_int_equal(matched, 0);
	assert_int_equal(seal_pending(f.st, f.log, INT64_MAX, &n, &e), RC_OK);
	assert_int_equal(n, 5);
	assert_int_equal(pending_count(f.st), 0);
	assert_int_equal(log_size(f.log), 5);
	fix_remove(&f);
}

/* pipeline_run waits for its job; a job submitted once the pipeline stops fails cleanly. */
static void test_run_waits_and_a_stopped_pipeline_refuses(void **state)
{
	struct pipeline *p = NULL;
	struct tjob t;
	struct fix f;
	struct err e;

	(void)state;
	fix_init(&f, 1);
	err_clear(&e);
	assert_int_equal(pipeline_start(f.st, f.log, &p, &e), RC_OK);
	tjob_init(&t, 1);
	t.job.done = NULL;
	assert_int_equal(pipeline_run(p, &t.job, &e), RC_OK);
	assert_true(seal_index(f.st, t.seq) >= 0);
	tjob_init(&t, 2);
	t.fail = 1;
	t.job.done = NULL;
	assert_int_equal(pipeline_run(p, &t.job, &e), RC_INVAL);
	assert_string_equal(e.param, "field");
	assert_false(meta_has(f.st, 2));
	pipeline_stop(p);
	tjob_init(&t, 3);
	t.job.done = NULL;
	assert_int_equal(pipeline_run(p, &t.job, &e), RC_INTERNAL);
	assert_string_equal(e.code, "pipeline_stopped");
	assert_false(meta_has(f.st, 3));
	pipeline_free(p);
	fix_remove(&f);
}

/* A savepoint rolled back forgets a failed statement; the transaction still commits. */
static void test_savepoint_rollback_keeps_the_transaction_usable(void **state)
{
	struct fix f;
	struct err e;
	int rc;

	(void)state;
	fix_init(&f, 0);
	err_clear(&e);
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	assert_int_equal(store_meta_set(f.st, "job_1", "kept", &e), RC_OK);
	assert_int_equal(store_savepoint(f.st, &e), RC_OK);
	assert_int_equal(store_meta_set(f.st, "job_2", "dropped", &e), RC_OK);
	assert_int_equal(store_savepoint_end(f.st, 0, &e), RC_OK);
	/* ending the transaction from inside a savepoint is refused */
	assert_int_equal(store_savepoint(f.st, &e), RC_OK);
	rc = store_end(f.st, 1, &e);
	assert_int_equal(rc, RC_INTERNAL);
	assert_int_equal(store_savepoint_end(f.st, 0, &e), RC_OK);
	assert_int_equal(store_end(f.st, 1, &e), RC_OK);
	assert_true(meta_has(f.st, 1));
	assert_false(meta_has(f.st, 2));
	fix_remove(&f);
}

/* ---- several nodes (PostgreSQL): the pipeline waits for whichever sequencer leads ---- */

/* The sequencers' way to the log: the fixture's directory, for writing. */
static int open_writer(void *ctx, struct tlog_log **log, struct err *e)
{
	struct tlog_log_opts o;

	memset(&o, 0, sizeof(o));
	o.dir = ctx;
	o.signer = &log_key;
	return tlog_log_open(&o, log, e);
}

/* Which of the two leads, once one does (-1 if neither within ~5 s). */
static int leader_of(struct sequencer *a, struct sequencer *b)
{
	const struct timespec tick = {0, 20 * 1000 * 1000};
	int i;

	for (i = 0; i < 250; i++) {
		if (sequencer_leading(a))
			return 0;
		if (sequencer_leading(b))
			return 1;
		nanosleep(&tick, NULL);
	}
	return -1;
}

/* Submit jobs [from, to) and wait until each is done; every one succeeds. */
static void run_jobs(struct pipeline *p, struct tjob *jobs, int from, int to)
{
	int i;

	done_count = 0;
	for (i = from; i < to; i++) {
		tjob_init(&jobs[i], i);
		pipeline_submit(p, &jobs[i].job);
	}
	wait_done(to - from);
	for (i = from; i < to; i++)
		assert_int_equal(jobs[i].job.rc, RC_OK);
}

/*
 * Two sequencers on one database and one log directory (two nodes in one
 * process: the log's file lock is per open file, so only one can hold it).
 * One leads; a pipeline on a read-only following log acknowledges jobs only
 * once sealed; the leader stops and the other takes over; every leaf is in
 * the log once, where its seal says, and the follower sees all of them.
 */
static void test_two_sequencers_take_turns_and_every_job_is_sealed_once(void **state)
{
	static struct tjob jobs[2 * JOBS];
	struct sequencer *seq[2] = {NULL, NULL};
	struct tlog_log_opts o;
	struct tlog_log *follower = NULL;
	struct pipeline *p = NULL;
	uint8_t seen[2 * JOBS] = {0};
	struct fix f;
	struct err e;
	int i, lead;

	(void)state;
	fix_init(&f, 0);
	err_clear(&e);
	for (i = 0; i < 2; i++) {
		struct sequencer_opts so = {f.st, open_writer, f.dir};

		assert_int_equal(sequencer_start(&so, &seq[i], &e), RC_OK);
	}
	lead = leader_of(seq[0], seq[1]);
	assert_true(lead >= 0);
	memset(&o, 0, sizeof(o));
	o.dir = f.dir;
	o.signer = &log_key;
	o.read_only = 1;
	o.follow_ms = 1;
	assert_int_equal(tlog_log_open(&o, &follower, &e), RC_OK);
	assert_int_equal(pipeline_start(f.st, follower, &p, &e), RC_OK);

	run_jobs(p, jobs, 0, JOBS);
	for (i = 0; i < JOBS; i++)
		assert_true(seal_index(f.st, jobs[i].seq) >= 0);
	assert_int_equal(log_size(follower), JOBS);

	/* the leader goes; the other takes the lock and the log, and jobs go on */
	sequencer_stop(seq[lead]);
	seq[lead] = NULL;
	assert_int_equal(leader_of(seq[0] ? seq[0] : seq[1], seq[0] ? seq[0] : seq[1]), 0);
	run_jobs(p, jobs, JOBS, 2 * JOBS);
	assert_int_equal(log_size(follower), 2 * JOBS);
	for (i = 0; i < 2 * JOBS; i++) {
		int64_t at = seal_index(f.st, jobs[i].seq);

		assert_true(at >= 0 && at < 2 * JOBS);
		assert_int_equal(seen[at], 0);
		seen[at] = 1;
	}
	assert_int_equal(pending_count(f.st), 0);
	pipeline_free(p);
	sequencer_stop(seq[0]);
	sequencer_stop(seq[1]);
	tlog_log_close(follower);
	fix_remove(&f);
}

/* Wait (up to 5 s) until the pipeline's stats say `cond`; the stats in *ps. */
#define WAIT_STATS(p, ps, cond)                                                   \
	do {                                                                      \
		const struct timespec tick_ = {0, 200 * 1000};                    \
		int n_ = 0;                                                       \
		for (pipeline_stats((p), (ps)); !(cond) && n_ < 25000; n_++) {    \
			nanosleep(&tick_, NULL);                                  \
			pipeline_stats((p), (ps));                                \
		}                                                                 \
		assert_true(cond);                                                \
	} while (0)

static int done_now(void)
{
	int n;

	pthread_mutex_lock(&done_mu);
	n = done_count;
	pthread_mutex_unlock(&done_mu);
	return n;
}

/*
 * A batch the sealer appends while the writer holds the next one's
 * transaction open has its indexes recorded by that transaction, and its
 * job is done only once that transaction has committed. (Whether the
 * sealer's append ends before or after the writer opens the next
 * transaction is a race: the test tries until it has seen the hand-over.)
 */
static void test_the_writer_records_what_the_sealer_appended_meanwhile(void **state)
{
	static struct tjob a, b;
	pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
	struct pipeline_stats before, ps;
	struct pipeline *p = NULL;
	struct fix f;
	struct err e;
	int tries, handed = 0, pre;

	(void)state;
	fix_init(&f, 1);
	err_clear(&e);
	assert_int_equal(pipeline_start(f.st, f.log, &p, &e), RC_OK);
	for (tries = 0; tries < 20 && !handed; tries++) {
		done_count = 0;
		entered = 0;
		tjob_init(&a, 2 * tries);
		tjob_init(&b, 2 * tries + 1);
		b.gate = &gate;
		pipeline_stats(p, &before);
		pipeline_submit(p, &a.job);
		/* a's batch committed: the sealer appends it; b holds the writer's next transaction */
		WAIT_STATS(p, &ps, ps.batches > before.batches);
		pthread_mutex_lock(&gate);
		pipeline_submit(p, &b.job);
		wait_entered();
		/* a's leaves appended while b holds the writer's transaction open (or before it began) */
		WAIT_STATS(p, &ps, ps.appends > before.appends);
		pre = done_now();
		pthread_mutex_unlock(&gate);
		wait_done(2);
		pipeline_stats(p, &ps);
		handed = ps.recorded_by_writer > before.recorded_by_writer;
		/* recorded by b's transaction: a was not done until that transaction committed */
		if (handed)
			assert_int_equal(pre, 0);
		assert_int_equal(a.job.rc, RC_OK);
		assert_int_equal(b.job.rc, RC_OK);
		assert_true(seal_index(f.st, a.seq) >= 0);
		assert_true(seal_index(f.st, b.seq) > seal_index(f.st, a.seq));
	}
	pipeline_free(p);
	assert_true(handed);
	assert_int_equal(pending_count(f.st), 0);
	fix_remove(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_failing_job_fails_alone_and_the_rest_are_sealed),
		cmocka_unit_test(test_replayable_jobs_run_again_in_savepoints_when_one_fails),
		cmocka_unit_test(test_after_a_replay_failing_jobs_are_not_replayed_again_at_once),
		cmocka_unit_test(test_without_a_log_seals_stay_pending_until_integrated),
		cmocka_unit_test(test_run_waits_and_a_stopped_pipeline_refuses),
		cmocka_unit_test(test_savepoint_rollback_keeps_the_transaction_usable),
		cmocka_unit_test(test_the_writer_records_what_the_sealer_appended_meanwhile),
	};
	struct err e;
	int failed;

	if (sodium_init() < 0)
		return 1;
	err_clear(&e);
	if (tlog_key_generate(&log_key, ORIGIN, TLOG_KEY_ED25519, &e) != RC_OK)
		return 1;
	failed = cmocka_run_group_tests_name("pipeline on SQLite", tests, NULL, NULL);
	if (store_test_pg()) {
		on_pg = 1;
		failed += cmocka_run_group_tests_name("pipeline on PostgreSQL", tests, NULL, NULL);
	} else {
		printf("pipeline on PostgreSQL: skipped, DISPUTED_TEST_PG is not set\n");
	}
	if (store_test_pg()) {
		const struct CMUnitTest nodes[] = {
			cmocka_unit_test(test_two_sequencers_take_turns_and_every_job_is_sealed_once),
		};

		failed += cmocka_run_group_tests_name("several nodes on PostgreSQL", nodes, NULL,
						      NULL);
	}
	tlog_signer_clear(&log_key);
	return failed;
}
