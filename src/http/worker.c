/* worker.c - the server's background work: firing due timers on the real clock, and sealing what is left pending. */
#include "http/http_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "cases/dispute.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "evidence/seal.h"

/* Seals pending this long (a crash, an import) are the worker's to integrate. */
#define SWEEP_AGE_MS 3000
#define TICK_MS 1000
/* Ticks between purges of expired idempotency records. */
#define IDEM_PURGE_TICKS 60

/* The timers' work, as a pipeline job: fire what is due now. */
struct timers_job {
	struct http_server *srv;
	struct dispute_call dc;
};

static int timers_apply(struct pipeline_job *j, struct store *st, struct err *e)
{
	struct timers_job *t = j->ctx;
	struct cases c = {st, NULL, t->srv->cal};
	int rc = http_rules_refresh(t->srv, clock_now_ms(), e);

	memset(&t->dc, 0, sizeof(t->dc));
	c.rules = t->srv->rules;
	if (!rc)
		rc = dispute_fire_due(&c, clock_now_ms(), &t->dc, e);
	if (!rc) {
		j->seals = t->dc.seals;
		j->nseals = t->dc.nseals;
	}
	return rc;
}

static void tick(struct http_server *srv)
{
	struct dispute_call dc;
	struct err e;
	int64_t n = 0;
	int rc = RC_OK;

	/* disputes whose evidence changed are assessed again, on any clock */
	http_assess_sweep(srv);
	err_clear(&e);
	memset(&dc, 0, sizeof(dc));
	/* on the test clock, timers fire only when the clock is moved */
	if (!clock_is_test() && srv->pipe) {
		struct timers_job t;
		struct pipeline_job j;

		memset(&t, 0, sizeof(t));
		t.srv = srv;
		memset(&j, 0, sizeof(j));
		j.apply = timers_apply;
		j.ctx = &t;
		rc = pipeline_run(srv->pipe, &j, &e);
		dc.fired = t.dc.fired;
		if (rc)
			log_event(LOG_ERROR, "timers failed", json_pack("{s:s}", "detail", e.message));
		else if (dc.fired)
			log_event(LOG_INFO, "timers fired", json_pack("{s:i}", "count", dc.fired));
	}
	/* early warnings and repeated_fraud proposals (src/risk/), every few minutes */
	http_risk_sweep(srv);
	/* replies kept for Idempotency-Key replays expire (requests purge too, on any clock) */
	if (!clock_is_test() && ++srv->idem_ticks >= IDEM_PURGE_TICKS) {
		srv->idem_ticks = 0;
		err_clear(&e);
		rc = store_begin(srv->st, &e);
		if (!rc) {
			rc = store_idem_purge(srv->st,
					      clock_now_ms() - srv->cfg->idempotency_ttl_s * 1000, &e);
			if (store_end(srv->st, rc == RC_OK, rc ? NULL : &e) && !rc)
				rc = e.rc;
		}
		if (rc)
			log_event(LOG_ERROR, "forgetting old idempotency keys failed",
				  json_pack("{s:s}", "detail", e.message));
	}
	/* with several nodes the log's sequencer seals (evidence/sequencer.h) */
	if (srv->log && !tlog_log_read_only(srv->log)) {
		err_clear(&e);
		if (seal_pending(srv->st, srv->log, time_now_ms() - SWEEP_AGE_MS, &n, &e))
			log_event(LOG_ERROR, "sealing pending records failed",
				  json_pack("{s:s}", "detail", e.message));
		else if (n)
			log_event(LOG_INFO, "sealed pending records", json_pack("{s:I}", "count",
									     (json_int_t)n));
	}
}

static void *worker_main(void *arg)
{
	struct http_server *srv = arg;
	struct timespec until;

	pthread_setname_np(pthread_self(), "dsp-worker");
	pthread_mutex_lock(&srv->worker_lock);
	while (!srv->stopping) {
		pthread_mutex_unlock(&srv->worker_lock);
		tick(srv);
		pthread_mutex_lock(&srv->worker_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TICK_MS / 1000;
		while (!srv->stopping &&
		       pthread_cond_timedwait(&srv->worker_wake, &srv->worker_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&srv->worker_lock);
	return NULL;
}

int http_worker_start(struct http_server *srv, struct err *e)
{
	pthread_mutex_init(&srv->worker_lock, NULL);
	pthread_cond_init(&srv->worker_wake, NULL);
	srv->stopping = 0;
	if (pthread_create(&srv->worker, NULL, worker_main, srv) != 0)
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the worker: %s",
			       strerror(errno));
	srv->worker_running = 1;
	return RC_OK;
}

void http_worker_stop(struct http_server *srv)
{
	if (!srv->worker_running)
		return;
	pthread_mutex_lock(&srv->worker_lock);
	srv->stopping = 1;
	pthread_cond_signal(&srv->worker_wake);
	pthread_mutex_unlock(&srv->worker_lock);
	pthread_join(srv->worker, NULL);
	srv->worker_running = 0;
	pthread_mutex_destroy(&srv->worker_lock);
	pthread_cond_destroy(&srv->worker_wake);
}
