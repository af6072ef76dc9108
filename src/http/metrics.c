/* metrics.c - request counts and latency histograms by route, method and status, in Prometheus text. */
#include "http/http_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

/*
 * Every label value is one of a closed set, whatever clients send: the
 * route is a pattern of the table or "unmatched", the method one the table
 * uses or "OTHER", the status one the server replies with. The cap on
 * series is a second wall behind that; past it, requests are counted in
 * disputed_http_requests_unlabelled_total instead.
 */
#define METRICS_MAX_SERIES 1024

struct series {
	const char *route;              /* static: a route pattern or "unmatched" */
	const char *method;             /* static: a method of the route table or "OTHER" */
	int status;                     /* 100 to 599 */
	uint64_t count;
	double sum;                     /* seconds */
	uint64_t buckets[NBOUNDS];      /* non-cumulative counts per bucket */
	struct series *next;
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct series *all;
static size_t nseries;
static uint64_t unlabelled;     /* requests that found the series full */

void metrics_observe(const char *route, const char *method, int status, double seconds)
{
	const char *m = http_method_known(method);
	struct series *s;
	size_t i;

	if (!m)
		m = "OTHER";
	if (status < 100 || status > 599)
		status = 500;
	pthread_mutex_lock(&metrics_lock);
	for (s = all; s; s = s->next)
		if (s->route == route && s->status == status && s->method == m)
			break;
	if (!s) {
		s = nseries < METRICS_MAX_SERIES ? calloc(1, sizeof(*s)) : NULL;
		if (!s) {
			unlabelled++;
			pthread_mutex_unlock(&metrics_lock);
			return;
		}
		nseries++;
		s->route = route;
		s->method = m;
		s->status = status;
		s->next = all;
		all = s;
	}
	s->count++;
	s->sum += seconds;
	for (i = 0; i < NBOUNDS; i++) {
		if (seconds <= bounds[i]) {
			s->buckets[i]++;
			break;
		}
	}
	pthread_mutex_unlock(&metrics_lock);
}

int metrics_render(struct buf *out)
{
	struct series *s;
	int rc = RC_OK;
	size_t i;

	pthread_mutex_lock(&metrics_lock);
	rc = buf_appends(out,
			 "# HELP disputed_http_requests_total HTTP requests handled.\n"
			 "# TYPE disputed_http_requests_total counter\n");
	for (s = all; s && !rc; s = s->next)
		rc = buf_printf(out,
				"disputed_http_requests_total{route=\"%s\",method=\"%s\","
				"status=\"%d\"} %llu\n",
				s->route, s->method, s->status, (unsigned long long)s->count);
	if (!rc)
		rc = buf_printf(out,
				"# HELP disputed_http_requests_unlabelled_total HTTP requests not "
				"counted by route because the series were full.\n"
				"# TYPE disputed_http_requests_unlabelled_total counter\n"
				"disputed_http_requests_unlabelled_total %llu\n",
				(unsigned long long)unlabelled);
	if (!rc)
		rc = buf_appends(out,
				 "# HELP disputed_http_request_duration_seconds Time to handle "
				 "a request.\n"
				 "# TYPE disputed_http_request_duration_seconds histogram\n");
	for (s = all; s && !rc; s = s->next) {
		uint64_t cum = 0;

		for (i = 0; i < NBOUNDS && !rc; i++) {
			cum += s->buckets[i];
			rc = buf_printf(out,
					"disputed_http_request_duration_seconds_bucket{route=\"%s\","
					"method=\"%s\",status=\"%d\",le=\"%g\"} %llu\n",
					s->route, s->method, s->status, bounds[i],
					(unsigned long long)cum);
		}
		if (!rc)
			rc = buf_printf(out,
					"disputed_http_request_duration_seconds_bucket{route=\"%s\","
					"method=\"%s\",status=\"%d\",le=\"+Inf\"} %llu\n"
					"disputed_http_request_duration_seconds_sum{route=\"%s\","
					"method=\"%s\",status=\"%d\"} %.6f\n"
					"disputed_http_request_duration_seconds_count{route=\"%s\","
					"method=\"%s\",status=\"%d\"} %llu\n",
					s->route, s->method, s->status, (unsigned long long)s->count,
					s->route, s->method, s->status, s->sum, s->route, s->method,
					s->status, (unsigned long long)s->count);
	}
	pthread_mutex_unlock(&metrics_lock);
	return rc;
}
