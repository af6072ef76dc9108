/* webhook_worker.c - the delivery worker: sends due deliveries with libcurl, signed, and records each outcome. */
#include "notify/webhook.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "notify/destination.h"

/* Deliveries read from the queue at a time. */
#define W_BATCH 16
/* A request's whole time, connect included (libcurl's TIMEOUT), unless the conf says; the most it may say. */
#define W_TIMEOUT_MS 10000
#define W_TIMEOUT_MAX_MS 20000
#define W_CONNECT_MS 5000
/*
 * Lease time kept, past a request's longest run, for recording its outcome:
 * a write transaction, which on PostgreSQL waits for every node's writers.
 */
#define W_RECORD_MS 20000
#define W_POLL_MS 1000
#define W_POLL_TEST_MS 50
/* Wait after the store failed. */
#define W_ERROR_WAIT_MS 1000

/*
 * A request starts only while its claim has its whole time and the
 * recording left, so the lease never passes while it is in flight; the
 * rest of the lease is slack for a batch (a request to a quick receiver
 * takes milliseconds; 16 slow ones do not fit, and the unsent ones go back).
 */
_Static_assert(WEBHOOK_LEASE_MS >= W_TIMEOUT_MAX_MS + W_RECORD_MS + 10000,
	       "the lease outlasts the longest request and its recording");

/* The one worker of the process. `lock` guards every member but `stop`. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;        /* signalled by kicks and stop */
	pthread_t thread;
	int running;                /* a thread was started and not yet joined */
	int kicked;                 /* look at the queue without waiting */
	struct store *st;
	struct webhook_conf conf;
} w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, {0, 0, 0}};

/* Set to stop the worker; read by libcurl's progress callback without the lock. */
static atomic_int w_stop;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The receiver's reply body is not used: read and drop it. */
static size_t w_discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

static int w_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		      curl_off_t ulnow)
{
	(void)ud;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&w_stop) ? 1 : 0;
}

/* The whole time of a request under `conf`. */
static int w_timeout_ms(const struct webhook_conf *conf)
{
	if (conf->timeout_ms <= 0)
		return W_TIMEOUT_MS;
	return conf->timeout_ms < W_TIMEOUT_MAX_MS ? conf->timeout_ms : W_TIMEOUT_MAX_MS;
}

/* Outcome of one POST. */
struct w_result {
	int unsent;         /* not an attempt: stopped mid-request, or the lease too short to start */
	int status;         /* HTTP status, 0 if none */
	char error[sizeof(((struct err *)0)->message)]; /* why it failed, empty if it did not */
};

/* Append a header; RC_NOMEM (with *list freed) on failure. */
static int w_header(struct curl_slist **list, const char *h)
{
	struct curl_slist *n = curl_slist_append(*list, h);

	if (!n) {
		curl_slist_free_all(*list);
		*list = NULL;
		return RC_NOMEM;
	}
	*list = n;
	return RC_OK;
}

/* POST a delivery's event to the checked destination `dst`. */
static void w_post(const struct webhook_conf *conf, const struct store_delivery *d,
		   const struct dest *dst, struct w_result *res)
{
	char sig[WEBHOOK_SIG_MAX], line[WEBHOOK_SIG_MAX + 64], pin[1024];
	char cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL, *resolve = NULL;
	size_t len = strlen(d->body);
	long status = 0;
	CURLcode cc;
	CURL *c = NULL;

	if (webhook_sign(d->secret, clock_now_ms() / 1000, d->body, len, sig) ||
	    dest_pin(dst, pin, sizeof(pin))) {
		snprintf(res->error, sizeof(res->error), "cannot sign or pin the request");
		return;
	}
	snprintf(line, sizeof(line), "Disputed-Signature: %s", sig);
	if (w_header(&hdr, "Content-Type: application/json") || w_header(&hdr, line))
		goto nomem;
	snprintf(line, sizeof(line), "Disputed-Event-Id: %s", d->event_id);
	/* "Expect:" turns off 100-continue, which would stall bodies over 1 KiB */
	if (w_header(&hdr, line) || w_header(&hdr, "Expect:"))
		goto nomem;
	if (pin[0] && w_header(&resolve, pin))
		goto nomem;
	c = curl_easy_init();
	if (!c)
		goto nomem;
	curl_easy_setopt(c, CURLOPT_URL, d->url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	/* connect only to the addresses just checked (no second, different DNS answer) */
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	/* no proxy from the environment, no redirect to somewhere unchecked */
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, w_discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w_timeout_ms(conf));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)W_CONNECT_MS);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, w_progress);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "disputed-webhooks/1");
	cc = curl_easy_perform(c);
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		res->unsent = 1;
	} else if (cc != CURLE_OK) {
		snprintf(res->error, sizeof(res->error), "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		res->status = (int)status;
		if (status < 200 || status > 299)
			snprintf(res->error, sizeof(res->error), "the receiver answered %ld", status);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	curl_slist_free_all(resolve);
	return;
nomem:
	curl_slist_free_all(hdr);
	curl_slist_free_all(resolve);
	snprintf(res->error, sizeof(res->error), "out of memory");
}

/*
 * One attempt at a delivery: check the destination again, then POST, if
 * the request can end and be recorded before the claim's lease does
 * (getaddrinfo, in dest_resolve, has no timeout of ours).
 */
static void w_deliver(const struct webhook_conf *conf, const struct store_delivery *d,
		      struct w_result *res)
{
	struct dest dst;
	struct err e;

	memset(res, 0, sizeof(*res));
	err_clear(&e);
	if (dest_resolve(d->url, conf->allow_private, &dst, &e)) {
		snprintf(res->error, sizeof(res->error), "%s", e.message);
		return;
	}
	if (clock_now_ms() + w_timeout_ms(conf) + W_RECORD_MS > d->lease_until) {
		res->unsent = 1;
		return;
	}
	w_post(conf, d, &dst, res);
}

/* Record the outcome of an attempt at `d`, and log it. */
static int w_record(struct store *st, const struct store_delivery *d,
		    const struct w_result *res, struct err *e)
{
	struct store_attempt a;
	int64_t now = clock_now_ms();
	int rc, rc2;

	memset(&a, 0, sizeof(a));
	a.seq = d->seq;
	a.attempts = d->attempts + 1;
	a.lease_until = d->lease_until;
	a.next_at = now;
	a.status = res->status;
	if (!res->error[0]) {
		a.delivered_at = now > 0 ? now : 1;
	} else {
		a.error = res->error;
		if (a.attempts >= WEBHOOK_MAX_ATTEMPTS)
			a.failed_at = now > 0 ? now : 1;
		else
			a.next_at = now + webhook_backoff_ms(a.attempts, randombytes_random());
	}
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_webhook_attempt(st, &a, e);
	rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
	if (!rc)
		rc = rc2;
	if (rc == RC_CONFLICT && strcmp(e->code, "stale_claim") == 0) {
		/* the lease passed and another claim took over: its outcome stands, not ours */
		log_event(LOG_WARN, "webhook attempt not recorded: the claim was taken over",
			  json_pack("{s:s, s:s, s:i, s:i}", "event", d->event_id, "endpoint",
				    d->endpoint_id, "attempts", a.attempts, "status", a.status));
		return RC_OK;
	}
	log_event(a.delivered_at ? LOG_INFO : LOG_WARN,
		  a.delivered_at ? "webhook delivered"
		  : a.failed_at  ? "webhook given up"
				 : "webhook attempt failed",
		  json_pack("{s:s, s:s, s:i, s:i, s:s*}", "event", d->event_id, "endpoint",
			    d->endpoint_id, "attempts", a.attempts, "status", a.status, "error",
			    a.error));
	return rc;
}

/*
 * Claim up to `limit` due deliveries into ds[0..*got) for WEBHOOK_LEASE_MS
 * and commit, so that no other worker takes them while they are sent.
 */
static int w_claim(struct store *st, struct store_delivery *ds, int limit, int *got,
		   struct err *e)
{
	int64_t now = clock_now_ms();
	int rc, rc2;

	*got = 0;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_webhook_claim(st, now, now + WEBHOOK_LEASE_MS, ds, limit, got, e);
	rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
	if (!rc && rc2) {
		while (*got > 0)
			store_delivery_release(&ds[--*got]);
		rc = rc2;
	}
	return rc;
}

/*
 * Give back the claims on ds[0..n), none of them sent, so they are due at
 * once rather than when their lease ends. One another claim took over is
 * left to it.
 */
static int w_release(struct store *st, const struct store_delivery *ds, int n, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc, rc2, i;

	rc = store_begin(st, e);
	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i++) {
		rc = store_webhook_release(st, &ds[i], now, e);
		if (rc == RC_CONFLICT && strcmp(e->code, "stale_claim") == 0) {
			err_clear(e);
			rc = RC_OK;
		}
	}
	rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
	return rc ? rc : rc2;
}

int webhook_run_once(struct store *st, const struct webhook_conf *conf, int limit, int *n,
		     struct err *e)
{
	struct store_delivery ds[W_BATCH];
	int rc, i, got = 0;

	if (n)
		*n = 0;
	if (limit < 1 || limit > W_BATCH)
		limit = W_BATCH;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot initialise libcurl");
	rc = w_claim(st, ds, limit, &got, e);
	if (rc)
		return rc;
	for (i = 0; i < got; i++) {
		struct w_result res;
		struct err le;

		if (atomic_load(&w_stop))
			break;
		w_deliver(conf, &ds[i], &res);
		if (res.unsent)
			break; /* stopping, or the lease is running out: this one and the rest go back */
		if (n)
			(*n)++;
		err_clear(&le);
		if (w_record(st, &ds[i], &res, &le) && !rc) {
			*e = le;
			rc = le.rc;
		}
	}
	if (i < got) {
		struct err le;

		err_clear(&le);
		/* a failed release only delays them: due again when their lease ends */
		if (w_release(st, &ds[i], got - i, &le) && !rc) {
			*e = le;
			rc = le.rc;
		}
	}
	for (i = 0; i < got; i++)
		store_delivery_release(&ds[i]);
	return rc;
}

/* Sleep up to `ms`, or until kicked or stopped. */
static void w_wait(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w.lock);
	while (!w.kicked && !atomic_load(&w_stop))
		if (pthread_cond_timedwait(&w.cond, &w.lock, &ts) == ETIMEDOUT)
			break;
	w.kicked = 0;
	pthread_mutex_unlock(&w.lock);
}

static void *w_main(void *arg)
{
	struct webhook_conf conf;
	struct store *st;
	int n, rc, poll;

	(void)arg;
	pthread_setname_np(pthread_self(), "dsp-webhooks");
	pthread_mutex_lock(&w.lock);
	conf = w.conf;
	st = w.st;
	pthread_mutex_unlock(&w.lock);
	while (!atomic_load(&w_stop)) {
		struct err e;

		err_clear(&e);
		n = 0;
		rc = webhook_run_once(st, &conf, W_BATCH, &n, &e);
		if (rc) {
			log_event(LOG_ERROR, "webhook worker failed",
				  json_pack("{s:s, s:s}", "code", rc_strerror(rc), "detail",
					    e.message));
			w_wait(W_ERROR_WAIT_MS);
		} else if (n < W_BATCH) {
			poll = conf.poll_ms > 0 ? conf.poll_ms
			       : clock_is_test() ? W_POLL_TEST_MS
						 : W_POLL_MS;
			w_wait(poll);
		}
	}
	return NULL;
}

int webhook_worker_start(struct store *st, const struct webhook_conf *conf, struct err *e)
{
	int rc = RC_OK;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot initialise libcurl");
	pthread_mutex_lock(&w.lock);
	if (w.running) {
		rc = err_set(e, RC_CONFLICT, NULL, NULL, "a webhook worker already runs");
		goto out;
	}
	w.st = st;
	w.conf = *conf;
	w.kicked = 1;
	atomic_store(&w_stop, 0);
	if (pthread_create(&w.thread, NULL, w_main, NULL) != 0) {
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the webhook worker");
		goto out;
	}
	w.running = 1;
out:
	pthread_mutex_unlock(&w.lock);
	return rc;
}

void webhook_worker_stop(void)
{
	pthread_t t;

	pthread_mutex_lock(&w.lock);
	if (!w.running) {
		pthread_mutex_unlock(&w.lock);
		return;
	}
	atomic_store(&w_stop, 1);
	pthread_cond_broadcast(&w.cond);
	t = w.thread;
	pthread_mutex_unlock(&w.lock);
	pthread_join(t, NULL);
	pthread_mutex_lock(&w.lock);
	w.running = 0;
	w.st = NULL;
	atomic_store(&w_stop, 0);
	pthread_mutex_unlock(&w.lock);
}

void webhook_worker_kick(void)
{
	pthread_mutex_lock(&w.lock);
	if (w.running) {
		w.kicked = 1;
		pthread_cond_signal(&w.cond);
	}
	pthread_mutex_unlock(&w.lock);
}
