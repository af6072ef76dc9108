/* sequencer.c - several nodes: the thread that becomes the log's sequencer when the store's lock is free, and seals every node's pending records while it holds it. */
#include "evidence/sequencer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "evidence/seal.h"

/* How long to wait for a previous sequencer's process to let go of the log's file. */
#define FILE_RETRY_MS 100

/* sequencer_stats: process-wide, since a process runs one sequencer at most. */
static atomic_int stat_leading;
static atomic_uint_fast64_t stat_appends;
static atomic_uint_fast64_t stat_sealed;

struct sequencer {
	struct sequencer_opts o;
	struct store *st;        /* the thread's own connection: the lock is held on it */
	struct tlog_log *log;    /* open for writing while leading, else NULL */
	atomic_int stopping;
	atomic_int leading;
	pthread_t thread;
};

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

static void report(enum log_level level, const char *msg, const struct err *e)
{
	log_event(level, msg, e ? json_pack("{s:s, s:s}", "code", e->code, "detail", e->message)
				: NULL);
}

/* Give up leading: close the log (its file lock goes with it). */
static void step_down(struct sequencer *s, const char *why, const struct err *e)
{
	tlog_log_close(s->log);
	s->log = NULL;
	atomic_store(&s->leading, 0);
	atomic_store(&stat_leading, 0);
	report(LOG_WARN, why, e);
}

/* The lock is ours: open the log and reconcile its tail with the store. */
static int take_over(struct sequencer *s, struct err *e)
{
	int64_t matched = 0;
	int rc;

	rc = s->o.open_log(s->o.ctx, &s->log, e);
	if (rc)
		return rc;
	rc = seal_recover(s->st, s->log, &matched, e);
	if (rc) {
		tlog_log_close(s->log);
		s->log = NULL;
		return rc;
	}
	atomic_store(&s->leading, 1);
	atomic_store(&stat_leading, 1);
	log_event(LOG_INFO, "sequencing the evidence log",
		  json_pack("{s:I}", "recovered", (json_int_t)matched));
	return RC_OK;
}

/* Not leading: try the lock, and the log once it is ours. */
static void follow(struct sequencer *s)
{
	struct err e;
	int held = 0;

	err_clear(&e);
	if (store_sequencer_hold(s->st, &held, &e)) {
		report(LOG_ERROR, "cannot try the sequencer lock", &e);
		sleep_ms(SEQUENCER_TRY_MS);
		return;
	}
	if (!held) {
		sleep_ms(SEQUENCER_TRY_MS);
		return;
	}
	if (take_over(s, &e)) {
		/* a dying sequencer's process may hold the log's file a moment longer */
		if (e.rc == RC_CONFLICT) {
			sleep_ms(FILE_RETRY_MS);
			return;
		}
		/* another node may fare better with the log: let it try */
		report(LOG_ERROR, "cannot take over the evidence log", &e);
		err_clear(&e);
		if (store_sequencer_release(s->st, &e))
			report(LOG_WARN, "cannot give up the sequencer lock", &e);
		sleep_ms(SEQUENCER_TRY_MS);
	}
}

/* Leading: seal what is pending, or wait for a writer's signal. */
static void lead(struct sequencer *s, int64_t *checked)
{
	int64_t n = 0, now = time_now_ms();
	struct err e;
	int held = 0, got = 0;

	err_clear(&e);
	if (now - *checked >= SEQUENCER_CHECK_MS || *checked == 0) {
		if (store_sequencer_hold(s->st, &held, &e) || !held) {
			step_down(s, "no longer the evidence log's sequencer", e.rc ? &e : NULL);
			return;
		}
		*checked = now;
	}
	if (seal_pending(s->st, s->log, INT64_MAX, &n, &e)) {
		report(LOG_ERROR, "sealing the nodes' pending records failed", &e);
		*checked = 0; /* the connection may be gone: check the lock first */
		sleep_ms(SEQUENCER_POLL_MS);
		return;
	}
	if (n) {
		atomic_fetch_add(&stat_appends, 1);
		atomic_fetch_add(&stat_sealed, (uint64_t)n);
		return; /* more may have come meanwhile */
	}
	if (store_signal_wait(s->st, STORE_SIG_SEALS_PENDING, SEQUENCER_POLL_MS, &got, &e)) {
		*checked = 0;
		sleep_ms(SEQUENCER_POLL_MS);
	}
}

static void *sequencer_main(void *arg)
{
	struct sequencer *s = arg;
	int64_t checked = 0;

	pthread_setname_np(pthread_self(), "dsp-sequencer");
	while (!atomic_load(&s->stopping)) {
		if (s->log)
			lead(s, &checked);
		else
			follow(s);
		if (!s->log)
			checked = 0;
	}
	if (s->log) {
		struct err e;

		err_clear(&e);
		if (seal_close_mark(s->st, s->log, &e))
			report(LOG_WARN, "cannot keep where the next recovery starts", &e);
		tlog_log_close(s->log);
		s->log = NULL;
		atomic_store(&stat_leading, 0);
		err_clear(&e);
		if (store_sequencer_release(s->st, &e))
			report(LOG_WARN, "cannot give up the sequencer lock", &e);
	}
	return NULL;
}

int sequencer_start(const struct sequencer_opts *o, struct sequencer **out, struct err *e)
{
	struct sequencer *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	s->o = *o;
	atomic_init(&s->stopping, 0);
	atomic_init(&s->leading, 0);
	rc = store_open_reader(o->st, &s->st, e);
	if (rc) {
		free(s);
		return rc;
	}
	if (pthread_create(&s->thread, NULL, sequencer_main, s) != 0) {
		store_close(s->st);
		free(s);
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the sequencer: %s",
			       strerror(errno));
	}
	*out = s;
	return RC_OK;
}

int sequencer_leading(struct sequencer *s)
{
	return s && atomic_load(&s->leading);
}

void sequencer_stats(int *leading, uint64_t *appends, uint64_t *sealed)
{
	*leading = atomic_load(&stat_leading);
	*appends = atomic_load(&stat_appends);
	*sealed = atomic_load(&stat_sealed);
}

void sequencer_stop(struct sequencer *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	pthread_join(s->thread, NULL);
	store_close(s->st);
	free(s);
}
