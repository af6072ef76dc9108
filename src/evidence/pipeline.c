/* pipeline.c - the write pipeline: a writer thread that applies queued jobs in one transaction per batch, and a sealer thread that seals each batch into the log. */
#include "evidence/pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "evidence/seal.h"

struct pipeline {
	struct store *st;
	struct tlog_log *log;           /* NULL: seals stay pending */
	int await;                      /* several nodes: the sequencer seals, the sealer waits */
	struct store *wst;              /* await: the sealer's own connection, for signals */
	pthread_mutex_t mu;             /* guards everything below */
	pthread_cond_t work_cv;         /* the writer: jobs queued, or stopping */
	pthread_cond_t room_cv;         /* submitters: room in the queue, or stopping */
	pthread_cond_t seal_cv;         /* the sealer: committed jobs, or the writer finished */
	struct pipeline_job *head;      /* queued, oldest first */
	struct pipeline_job **tail;
	size_t queued;
	struct pipeline_job *shead;     /* committed, waiting for the log, oldest first */
	struct pipeline_job **stail;
	struct seal_batch *sbatch;      /* their seals, to append as one (NULL when none) */
	int in_txn;                     /* the writer's transaction is open and takes to_record */
	int bare_rest;                  /* the writer's: batches still to run in savepoints after a replay */
	struct appended *to_record;     /* appended, for the writer's open transaction to record */
	struct appended *recorded;      /* back from the writer: committed, or to record here */
	int stopping;                   /* no new jobs; the threads finish what they hold */
	int writer_done;                /* the writer has exited */
	pthread_t writer, sealer;
	struct pipeline_stats stats;    /* pipeline_stats */
};

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* A batch the sealer appended, with its jobs, on its way through the writer's transaction. */
struct appended {
	struct seal_batch *b;
	struct pipeline_job *jobs;
	int recorded;                   /* the writer's transaction recorded it and committed */
	struct appended *next;
};

/* Someone waiting in pipeline_run. */
struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
};

/* The job's result is final: tell its owner. */
static void finish(struct pipeline *p, struct pipeline_job *j)
{
	struct waiter *w = j->waiter;
	int64_t now = clock_mono_ns();

	pthread_mutex_lock(&p->mu);
	p->stats.jobs++;
	if (j->taken_ns) {
		p->stats.job_queued_s += secs(j->taken_ns - j->queued_ns);
		p->stats.job_batch_s += secs((j->committed_ns ? j->committed_ns : now) - j->taken_ns);
	}
	if (j->committed_ns)
		p->stats.job_sealing_s += secs(now - j->committed_ns);
	pthread_mutex_unlock(&p->mu);
	if (!w) {
		j->done(j);
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Fail every job of the list `j` with `e`. */
static void fail_all(struct pipeline *p, struct pipeline_job *j, const struct err *e)
{
	struct pipeline_job *next;

	for (; j; j = next) {
		next = j->next;
		j->rc = e->rc ? e->rc : RC_DB;
		j->err = *e;
		j->nseals = 0;
		finish(p, j);
	}
}

/* Run one job's apply, from a clean slate: its result, its seals set. */
static int apply_bare(struct store *st, struct pipeline_job *j)
{
	int rc;

	err_clear(&j->err);
	j->seals = NULL;
	j->nseals = 0;
	seal_prep_made_reset(j->prep);
	seal_prep_use(j->prep);
	rc = j->apply(j, st, &j->err);
	seal_prep_use(NULL);
	return rc;
}

/* Run one job in its own savepoint; RC_OK when what it wrote is kept. */
static int apply_one(struct store *st, struct pipeline_job *j)
{
	int rc, rc2;

	rc = store_savepoint(st, &j->err);
	if (rc)
		return rc;
	rc = apply_bare(st, j);
	rc2 = store_savepoint_end(st, rc == RC_OK, rc ? NULL : &j->err);
	return rc ? rc : rc2;
}

/* After a batch ran twice, the batches that run in savepoints at once before trying bare again. */
#define PIPELINE_REPLAY_REST 8

static int all_replayable(const struct pipeline_job *batch)
{
	for (; batch; batch = batch->next)
		if (!batch->replayable)
			return 0;
	return 1;
}

/*
 * A batch of replayable jobs (pipeline_job) in the open transaction with
 * no savepoint: 1 when every job applied, 0 when one failed or left a
 * failed statement behind (what the others wrote is then lost with it:
 * the caller rolls back and runs the batch again in savepoints).
 */
static int apply_all_bare(struct store *st, struct pipeline_job *batch)
{
	struct pipeline_job *j;

	for (j = batch; j; j = j->next)
		if (apply_bare(st, j) || store_failed(st))
			return 0;
	return 1;
}

/* The seals of every job of list `jobs` in one array (*seqs malloc'd, *n of them; NULL for none). */
static int seals_of(const struct pipeline_job *jobs, int64_t **seqs, size_t *n, struct err *e)
{
	const struct pipeline_job *j;
	size_t k;

	*seqs = NULL;
	*n = 0;
	for (j = jobs; j; j = j->next)
		*n += j->nseals;
	if (*n == 0)
		return RC_OK;
	*seqs = malloc(*n * sizeof(**seqs));
	if (!*seqs)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	*n = 0;
	for (j = jobs; j; j = j->next)
		for (k = 0; k < j->nseals; k++)
			(*seqs)[(*n)++] = j->seals[k];
	return RC_OK;
}

/* The seals of the jobs of list `jobs`, taken for the log inside the open transaction. */
static int take_seals(struct pipeline *p, struct pipeline_job *jobs, struct seal_batch **b,
		      struct err *e)
{
	int64_t *seqs;
	size_t n;
	int rc;

	*b = NULL;
	if (!p->log || p->await)
		return RC_OK;
	rc = seals_of(jobs, &seqs, &n, e);
	if (!rc && n)
		rc = seal_batch_take(p->st, p->log, seqs, n, b, e);
	free(seqs);
	return rc;
}

static int has_seals(const struct pipeline_job *jobs)
{
	for (; jobs; jobs = jobs->next)
		if (jobs->nseals)
			return 1;
	return 0;
}

/* List `a` followed by list `b`. */
static struct appended *appended_join(struct appended *a, struct appended *b)
{
	struct appended *t = a;

	if (!a)
		return b;
	while (t->next)
		t = t->next;
	t->next = b;
	return a;
}

/*
 * Inside the writer's open transaction: record the indexes of the batches
 * the sealer appended meanwhile (each in a savepoint: one that fails is
 * left for the sealer to record itself). Returns the list.
 */
static struct appended *record_appended(struct pipeline *p)
{
	struct appended *list, *a;
	struct err e;

	pthread_mutex_lock(&p->mu);
	p->in_txn = 0;
	list = p->to_record;
	p->to_record = NULL;
	pthread_mutex_unlock(&p->mu);
	for (a = list; a; a = a->next) {
		err_clear(&e);
		a->recorded = !store_savepoint(p->st, &e);
		if (a->recorded) {
			int rc = seal_batch_record(p->st, a->b, &e);

			a->recorded = !store_savepoint_end(p->st, rc == RC_OK, &e) && rc == RC_OK;
		}
	}
	return list;
}

/* Hand the batches of `list` back to the sealer; `committed` says whether their recording held. */
static void return_appended(struct pipeline *p, struct appended *list, int committed)
{
	struct appended *a, *last = NULL;

	if (!list)
		return;
	for (a = list; a; a = a->next) {
		a->recorded = a->recorded && committed;
		last = a;
	}
	pthread_mutex_lock(&p->mu);
	for (a = list; a; a = a->next)
		p->stats.recorded_by_writer += a->recorded;
	last->next = p->recorded;
	p->recorded = list;
	pthread_cond_signal(&p->seal_cv);
	pthread_mutex_unlock(&p->mu);
}

/*
 * Apply the jobs of list `batch` in the open transaction: *kept gets the
 * list of those whose writes are kept; those that failed are done. A
 * batch of replayable jobs goes first with no savepoint, and again in
 * savepoints if one of them fails. Fails (the batch untouched, no
 * transaction open) only when the transaction cannot begin again.
 */
static int apply_batch(struct pipeline *p, struct pipeline_job *batch,
		       struct pipeline_job **kept, struct err *e)
{
	struct pipeline_job *j, *next, **kt = kept;
	int rc;

	*kept = NULL;
	if (p->bare_rest > 0) {
		p->bare_rest--;
	} else if (all_replayable(batch)) {
		if (apply_all_bare(p->st, batch)) {
			*kept = batch;
			return RC_OK;
		}
		if (store_end(p->st, 0, NULL)) {
			/* a rollback: nothing to report */
		}
		/* lines that fail often (a file with many bad ones) would make most batches run twice */
		p->bare_rest = PIPELINE_REPLAY_REST;
		pthread_mutex_lock(&p->mu);
		p->stats.batches_replayed++;
		pthread_mutex_unlock(&p->mu);
		rc = store_begin(p->st, e);
		if (rc)
			return rc;
	}
	for (j = batch; j; j = next) {
		next = j->next;
		j->next = NULL;
		j->rc = apply_one(p->st, j);
		if (j->rc) {
			j->nseals = 0;
			finish(p, j);   /* rolled back: its result is known now */
			continue;
		}
		*kt = j;
		kt = &j->next;
	}
	return RC_OK;
}

/*
 * One batch: every job in one transaction (apply_batch); failed jobs
 * are done at once, the rest at the commit (no seals, or no log) or once
 * the sealer has sealed them. Their leaves are read inside the transaction,
 * so the sealer needs nothing from the store but to record their indexes.
 */
static void run_batch(struct pipeline *p, struct pipeline_job *batch)
{
	struct pipeline_job *j, *next, *kept = NULL, *seal = NULL, **stl = &seal;
	struct appended *appended;
	struct seal_batch *b = NULL;
	struct err e;
	int64_t t0 = clock_mono_ns(), t1, t2;
	int rc;

	for (j = batch; j; j = j->next)
		j->taken_ns = t0;
	err_clear(&e);
	rc = store_begin(p->st, &e);
	if (rc) {
		fail_all(p, batch, &e);
		return;
	}
	if (p->log && !p->await) {
		pthread_mutex_lock(&p->mu);
		p->in_txn = 1;
		pthread_mutex_unlock(&p->mu);
	}
	rc = apply_batch(p, batch, &kept, &e);
	if (rc) {
		/* no transaction open any more: what the sealer handed over goes back */
		pthread_mutex_lock(&p->mu);
		p->in_txn = 0;
		appended = p->to_record;
		p->to_record = NULL;
		pthread_mutex_unlock(&p->mu);
		return_appended(p, appended, 0);
		fail_all(p, batch, &e);
		return;
	}
	rc = take_seals(p, kept, &b, &e);
	if (!rc && p->await && has_seals(kept))
		rc = store_signal(p->st, STORE_SIG_SEALS_PENDING, &e);
	t1 = clock_mono_ns();
	appended = rc ? NULL : record_appended(p);
	t2 = clock_mono_ns();
	if (rc) {
		if (store_end(p->st, 0, NULL)) {
			/* rolled back: every job of the batch fails */
		}
	} else {
		rc = store_end(p->st, 1, &e);
	}
	pthread_mutex_lock(&p->mu);
	p->in_txn = 0; /* whatever was handed over since, the sealer takes back below */
	appended = appended_join(appended, p->to_record);
	p->to_record = NULL;
	p->stats.writer_apply_s += secs(t1 - t0);
	p->stats.writer_record_s += secs(t2 - t1);
	t0 = clock_mono_ns();
	p->stats.writer_commit_s += secs(t0 - t2);
	pthread_mutex_unlock(&p->mu);
	return_appended(p, appended, rc == RC_OK);
	for (j = kept; j; j = j->next)
		j->committed_ns = t0;
	if (rc) {
		seal_batch_free(b);
		fail_all(p, kept, &e);
		return;
	}
	for (j = kept; j; j = next) {
		next = j->next;
		j->next = NULL;
		if (j->nseals == 0 || (!b && !p->await)) {
			finish(p, j);   /* durable now; pending seals, if any, are the log holder's */
			continue;
		}
		*stl = j;
		stl = &j->next;
	}
	pthread_mutex_lock(&p->mu);
	p->stats.batches++;
	rc = RC_OK;
	if (b && p->sbatch)
		rc = seal_batch_merge(p->sbatch, b, &e);
	else if (b)
		p->sbatch = b;
	if (!rc && seal) {
		*p->stail = seal;
		p->stail = stl;
		pthread_cond_signal(&p->seal_cv);
	}
	pthread_mutex_unlock(&p->mu);
	if (rc) {
		/* stored, with their seals pending: the sweeper integrates them later */
		seal_batch_free(b);
		fail_all(p, seal, &e);
	}
}

static void *writer_main(void *arg)
{
	struct pipeline *p = arg;
	struct pipeline_job *batch, **bt, *j;
	size_t n;

	/* named for the benchmarks' per-thread CPU (/proc/PID/task/TID/comm) */
	pthread_setname_np(pthread_self(), "dsp-writer");
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (!p->head)
			break;
		batch = NULL;
		bt = &batch;
		for (n = 0; p->head && n < PIPELINE_BATCH_MAX; n++) {
			j = p->head;
			p->head = j->next;
			j->next = NULL;
			*bt = j;
			bt = &j->next;
		}
		if (!p->head)
			p->tail = &p->head;
		p->queued -= n;
		pthread_cond_broadcast(&p->room_cv);
		pthread_mutex_unlock(&p->mu);
		run_batch(p, batch);
		pthread_mutex_lock(&p->mu);
	}
	p->writer_done = 1;
	pthread_cond_signal(&p->seal_cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * The jobs of list `jobs` are sealed (rc RC_OK) or not (their error in
 * `e`: stored, with their seals pending, which the sweeper or the
 * sequencer integrates later): finish each.
 */
static void sealed(struct pipeline *p, struct pipeline_job *jobs, int rc, const struct err *e)
{
	struct pipeline_job *j, *next;

	if (rc) {
		fail_all(p, jobs, e);
		return;
	}
	for (j = jobs; j; j = next) {
		next = j->next;
		j->rc = RC_OK;
		finish(p, j);
	}
}

/* Record the indexes of appended batch `b` in a transaction of the sealer's own, then finish its jobs. */
static void record_here(struct pipeline *p, struct pipeline_job *jobs, struct seal_batch *b)
{
	int64_t t0 = clock_mono_ns(), t1, t2;
	struct err e;
	int rc, rc2;

	err_clear(&e);
	/* no fsync of its own: see seal_integrate */
	rc = store_begin_lazy(p->st, &e);
	t1 = clock_mono_ns();
	if (!rc) {
		rc = seal_batch_record(p->st, b, &e);
		rc2 = store_end(p->st, rc == RC_OK, rc ? NULL : &e);
		if (!rc)
			rc = rc2;
	}
	t2 = clock_mono_ns();
	rc2 = seal_batch_settle(p->st, b, rc == RC_OK, rc ? NULL : &e);
	if (!rc)
		rc = rc2;
	pthread_mutex_lock(&p->mu);
	p->stats.sealer_lock_s += secs(t1 - t0);
	p->stats.sealer_record_s += secs(t2 - t1);
	pthread_mutex_unlock(&p->mu);
	seal_batch_free(b);
	sealed(p, jobs, rc, &e);
}

/* A batch back from the writer: recorded and committed there, or to record here. */
static void settle_appended(struct pipeline *p, struct appended *a)
{
	struct err e;
	int rc;

	if (!a->recorded) {
		record_here(p, a->jobs, a->b);
		free(a);
		return;
	}
	err_clear(&e);
	rc = seal_batch_settle(p->st, a->b, 1, &e);
	seal_batch_free(a->b);
	sealed(p, a->jobs, rc, &e);
	free(a);
}

/*
 * Append the seals of list `jobs` (batch `b`) to the log with one append;
 * then their indexes are recorded by the writer's transaction if one is
 * open (it commits anyway: no wait for the store's one write transaction,
 * and the pages it has just written), else here; then they are finished.
 */
static void seal_jobs(struct pipeline *p, struct pipeline_job *jobs, struct seal_batch *b)
{
	struct seal_prep **preps;
	struct pipeline_job *j;
	struct appended *a;
	int64_t t0 = clock_mono_ns();
	struct err e;
	size_t n = 0;
	int rc;

	err_clear(&e);
	rc = seal_batch_log(b, &e);
	pthread_mutex_lock(&p->mu);
	p->stats.sealer_append_s += secs(clock_mono_ns() - t0);
	p->stats.appends += !rc;
	pthread_mutex_unlock(&p->mu);
	if (rc) {
		seal_batch_free(b);
		sealed(p, jobs, rc, &e);
		return;
	}
	/* where each job's leaves went, for its reply */
	for (j = jobs; j; j = j->next)
		n++;
	preps = malloc((n ? n : 1) * sizeof(*preps));
	if (preps) {
		n = 0;
		for (j = jobs; j; j = j->next)
			preps[n++] = j->prep;
		seal_batch_indexes(b, preps, n);
		free(preps);
	}
	a = calloc(1, sizeof(*a));
	if (a) {
		a->b = b;
		a->jobs = jobs;
		pthread_mutex_lock(&p->mu);
		if (p->in_txn) {
			a->next = p->to_record;
			p->to_record = a;
			a = NULL;
		}
		pthread_mutex_unlock(&p->mu);
		if (!a)
			return; /* back through p->recorded once the writer has committed */
		free(a);
	}
	record_here(p, jobs, b);
}

/* Several nodes: wait until the sequencer has sealed the jobs of list `jobs`, then finish them. */
static void await_jobs(struct pipeline *p, struct pipeline_job *jobs)
{
	int64_t *seqs;
	struct err e;
	size_t n;
	int rc;

	err_clear(&e);
	rc = seals_of(jobs, &seqs, &n, &e);
	if (!rc)
		rc = seal_await(p->wst, p->log, seqs, n, 1, &e);
	free(seqs);
	sealed(p, jobs, rc, &e);
}

static void *sealer_main(void *arg)
{
	struct pipeline *p = arg;
	struct pipeline_job *jobs;
	struct seal_batch *b;

	pthread_setname_np(pthread_self(), "dsp-sealer");
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->shead && !p->recorded && !p->writer_done)
			pthread_cond_wait(&p->seal_cv, &p->mu);
		if (p->recorded) {
			struct appended *a = p->recorded, *next;

			p->recorded = NULL;
			pthread_mutex_unlock(&p->mu);
			for (; a; a = next) {
				next = a->next;
				settle_appended(p, a);
			}
			pthread_mutex_lock(&p->mu);
			continue;
		}
		if (!p->shead)
			break;
		/* every batch committed meanwhile goes into the one append */
		jobs = p->shead;
		b = p->sbatch;
		p->shead = NULL;
		p->stail = &p->shead;
		p->sbatch = NULL;
		pthread_mutex_unlock(&p->mu);
		if (p->await)
			await_jobs(p, jobs);
		else
			seal_jobs(p, jobs, b);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int pipeline_start(struct store *st, struct tlog_log *log, struct pipeline **out,
		   struct err *e)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	p->st = st;
	p->log = log;
	if (log && tlog_log_read_only(log)) {
		int got;

		p->await = 1;
		/* its own connection, listening from the start so that no signal is missed */
		if (store_open_reader(st, &p->wst, e) ||
		    store_signal_wait(p->wst, STORE_SIG_SEALS_INDEXED, 0, &got, e)) {
			store_close(p->wst);
			free(p);
			return e->rc;
		}
	}
	p->tail = &p->head;
	p->stail = &p->shead;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->room_cv, NULL);
	pthread_cond_init(&p->seal_cv, NULL);
	if (pthread_create(&p->sealer, NULL, sealer_main, p) != 0) {
		store_close(p->wst);
		free(p);
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the sealer: %s",
			       strerror(errno));
	}
	if (pthread_create(&p->writer, NULL, writer_main, p) != 0) {
		pthread_mutex_lock(&p->mu);
		p->writer_done = 1;
		pthread_cond_signal(&p->seal_cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->sealer, NULL);
		store_close(p->wst);
		free(p);
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the writer: %s",
			       strerror(errno));
	}
	*out = p;
	return RC_OK;
}

void pipeline_stop(struct pipeline *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	p->stopping = 1;
	pthread_cond_broadcast(&p->work_cv);
	pthread_cond_broadcast(&p->room_cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->writer, NULL);
	pthread_join(p->sealer, NULL);
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	pipeline_stop(p);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->room_cv);
	pthread_cond_destroy(&p->seal_cv);
	store_close(p->wst);
	free(p);
}

void pipeline_submit(struct pipeline *p, struct pipeline_job *j)
{
	j->next = NULL;
	j->queued_ns = clock_mono_ns();
	j->taken_ns = j->committed_ns = 0;
	pthread_mutex_lock(&p->mu);
	while (!p->stopping && p->queued >= PIPELINE_QUEUE_MAX)
		pthread_cond_wait(&p->room_cv, &p->mu);
	if (p->stopping) {
		pthread_mutex_unlock(&p->mu);
		j->rc = err_set(&j->err, RC_INTERNAL, "pipeline_stopped", NULL,
				"the write pipeline has stopped");
		j->nseals = 0;
		finish(p, j);
		return;
	}
	*p->tail = j;
	p->tail = &j->next;
	p->queued++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
}

int pipeline_run(struct pipeline *p, struct pipeline_job *j, struct err *e)
{
	struct waiter w;

	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	w.done = 0;
	j->done = NULL;
	j->waiter = &w;
	pipeline_submit(p, j);
	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	j->waiter = NULL;
	if (j->rc && e)
		*e = j->err;
	return j->rc;
}

void pipeline_stats(struct pipeline *p, struct pipeline_stats *out)
{
	pthread_mutex_lock(&p->mu);
	*out = p->stats;
	pthread_mutex_unlock(&p->mu);
}
