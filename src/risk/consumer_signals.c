/* consumer_signals.c - a consumer's abuse signals: dispute rate, rejected share, photos reused across orders, withdrawals after payment. */
#include "risk/consumer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "core/timeutil.h"

#define DAY_MS (24LL * 3600 * 1000)

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* An RFC 3339 member as ms; 0 if absent or bad. */
static int64_t ms_of(json_t *o, const char *k)
{
	int64_t ms = 0;
	const char *t = str(o, k);

	return t && !time_parse(t, &ms) ? ms : 0;
}

/* num / den to 4 decimals, or null when den is 0. New reference. */
static json_t *ratio(int64_t num, int64_t den)
{
	return den > 0 ? json_real(round((double)num / (double)den * 10000.0) / 10000.0)
		       : json_null();
}

/* Append `v` (a new reference) to the bounded list `list`, noting in `sig` when it is full. */
static void bounded_add(json_t *sig, json_t *list, json_t *v)
{
	if (json_array_size(list) < RISK_EVIDENCE_MAX)
		json_array_append_new(list, v);
	else {
		json_decref(v);
		json_object_set_new(sig, "evidence_truncated", json_true());
	}
}

/* A signal object: {"figure": null, "evidence": {<kind>: []}, "evidence_truncated": false}. */
static json_t *signal_new(const char *kind)
{
	return json_pack("{s:n, s:{s:[]}, s:b}", "figure", "evidence", kind, "evidence_truncated", 0);
}

static json_t *evidence_of(json_t *sig, const char *kind)
{
	return json_object_get(json_object_get(sig, "evidence"), kind);
}

static void rate(json_t *disputes, int64_t orders, int64_t now, json_t *sig)
{
	int64_t since = now - RISK_WINDOW_DAYS * DAY_MS, recent = 0;
	json_t *d;
	size_t i;

	json_array_foreach(disputes, i, d) {
		int64_t at = ms_of(d, "created_at");

		if (at > since && at <= now) {
			recent++;
			bounded_add(sig, evidence_of(sig, "disputes"), json_string(str(d, "id")));
		}
	}
	json_object_set_new(sig, "figure", json_integer(recent));
	json_object_set_new(sig, "disputes_90d", json_integer(recent));
	json_object_set_new(sig, "disputes", json_integer((json_int_t)json_array_size(disputes)));
	json_object_set_new(sig, "orders", json_integer(orders));
	json_object_set_new(sig, "per_order", ratio((int64_t)json_array_size(disputes), orders));
}

static void rejected(json_t *disputes, json_t *sig)
{
	int64_t decided = 0, rej = 0;
	json_t *d, *o;
	size_t i;

	json_array_foreach(disputes, i, d) {
		o = json_object_get(d, "outcome");
		if (!json_is_object(o))
			continue;
		decided++;
		if (is(str(o, "outcome"), "rejected")) {
			rej++;
			bounded_add(sig, evidence_of(sig, "disputes"), json_string(str(d, "id")));
		}
	}
	json_object_set_new(sig, "figure", ratio(rej, decided));
	json_object_set_new(sig, "decided", json_integer(decided));
	json_object_set_new(sig, "rejected", json_integer(rej));
}

/* Append string `v` to `list` unless it holds it already. */
static void add_once(json_t *list, const char *v)
{
	json_t *x;
	size_t i;

	json_array_foreach(list, i, x)
		if (is(json_string_value(x), v))
			return;
	json_array_append_new(list, json_string(v));
}

/* Note that dispute `d` cites blob `v`: blobs[digest] gets its order and dispute, once each. */
static void cite(json_t *blobs, json_t *d, json_t *v)
{
	const char *id = json_string_value(v);
	json_t *b;

	if (!id || strncmp(id, "sha256:", 7) != 0 || !str(d, "order") || !str(d, "id"))
		return;
	b = json_object_get(blobs, id);
	if (!b) {
		b = json_pack("{s:s, s:[], s:[]}", "blob", id, "orders", "disputes");
		if (!b || json_object_set_new(blobs, id, b))
			return;
	}
	add_once(json_object_get(b, "orders"), str(d, "order"));
	add_once(json_object_get(b, "disputes"), str(d, "id"));
}

static void cite_all(json_t *blobs, json_t *d, json_t *list)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		cite(blobs, d, v);
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int reuse(json_t *disputes, json_t *sig, struct err *e)
{
	json_t *blobs = json_object(), *d, *ev, *b;
	const char *key, **keys;
	size_t i, j, n = 0;
	int64_t reused = 0;

	if (!blobs)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_array_foreach(disputes, i, d) {
		cite_all(blobs, d, json_object_get(d, "evidence"));
		json_array_foreach(json_object_get(d, "events"), j, ev) {
			if (!is(str(json_object_get(ev, "actor"), "role"), "consumer"))
				continue;
			cite_all(blobs, d, json_object_get(json_object_get(ev, "data"), "evidence"));
			cite_all(blobs, d, json_object_get(json_object_get(ev, "data"), "attachments"));
		}
	}
	keys = calloc(json_object_size(blobs) + 1, sizeof(*keys));
	if (!keys) {
		json_decref(blobs);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	json_object_foreach(blobs, key, b)
		if (json_array_size(json_object_get(b, "orders")) >= 2)
			keys[n++] = key;
	qsort(keys, n, sizeof(*keys), cmp_blob);
	for (i = 0; i < n; i++, reused++)
		bounded_add(sig, evidence_of(sig, "blobs"), json_incref(json_object_get(blobs, keys[i])));
	free(keys);
	json_decref(blobs);
	json_object_set_new(sig, "figure", json_integer(reused));
	return RC_OK;
}

/* Whether money was paid to the consumer in the dispute before it moved to withdrawn. */
static int paid_then_withdrawn(json_t *d)
{
	json_t *ev, *data;
	size_t i;
	int paid = 0;

	json_array_foreach(json_object_get(d, "events"), i, ev) {
		data = json_object_get(ev, "data");
		if (is(str(ev, "type"), "funds") && is(str(data, "operation"), "execute") &&
		    json_integer_value(json_object_get(json_object_get(data, "amount"), "amount")) > 0)
			paid = 1;
		if (is(str(ev, "to"), "withdrawn") && !is(str(ev, "from"), "withdrawn"))
			return paid;
	}
	return 0;
}

static void withdrawals(json_t *disputes, json_t *sig)
{
	int64_t n = 0, all = 0;
	json_t *d;
	size_t i;

	json_array_foreach(disputes, i, d) {
		if (!is(str(d, "state"), "withdrawn"))
			continue;
		all++;
		if (paid_then_withdrawn(d)) {
			n++;
			bounded_add(sig, evidence_of(sig, "disputes"), json_string(str(d, "id")));
		}
	}
	json_object_set_new(sig, "figure", json_integer(n));
	json_object_set_new(sig, "withdrawn", json_integer(all));
}

int risk_signals_of(json_t *disputes, int64_t orders, int64_t now, json_t **out, struct err *e)
{
	json_t *s = json_pack("{s:o, s:o, s:o, s:o}", "dispute_rate", signal_new("disputes"),
			      "rejected_share", signal_new("disputes"), "photo_reuse",
			      signal_new("blobs"), "withdrawn_after_payment", signal_new("disputes"));
	int rc;

	*out = NULL;
	if (!s)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rate(disputes, orders, now, json_object_get(s, "dispute_rate"));
	rejected(disputes, json_object_get(s, "rejected_share"));
	withdrawals(disputes, json_object_get(s, "withdrawn_after_payment"));
	rc = reuse(disputes, json_object_get(s, "photo_reuse"), e);
	if (rc) {
		json_decref(s);
		return rc;
	}
	*out = s;
	return RC_OK;
}

/* store_dispute_event_each: collect the events into the array `ctx`. */
static int collect(void *ctx, json_t *ev)
{
	return json_array_append(ctx, ev) ? RC_NOMEM : RC_OK;
}

int risk_consumer_signals(struct store *st, const char *consumer_id, int64_t now, json_t **out,
			  struct err *e)
{
	json_t *disputes = NULL, *d, *signals = NULL;
	int64_t orders = 0;
	int more = 0, rc;
	size_t i;

	*out = NULL;
	rc = store_consumer_disputes(st, consumer_id, RISK_SIGNAL_DISPUTES, &disputes, &more, e);
	if (!rc)
		rc = store_consumer_order_count(st, consumer_id, &orders, e);
	json_array_foreach(disputes, i, d) {
		json_t *events = json_array();

		if (rc)
			break;
		json_object_set_new(d, "events", events);
		rc = store_dispute_event_each(st, str(d, "id"), collect, events, e);
	}
	if (!rc)
		rc = risk_signals_of(disputes, orders, now, &signals, e);
	if (!rc) {
		*out = json_pack("{s:s, s:s, s:i, s:o, s:I, s:b, s:o}", "object", "consumer_signals",
				 "consumer", consumer_id, "window_days", RISK_WINDOW_DAYS,
				 "computed_at", jx_time_json(now), "disputes_read",
				 (json_int_t)json_array_size(disputes), "truncated", more, "signals",
				 signals);
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	json_decref(disputes);
	return rc;
}
