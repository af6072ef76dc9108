/* risk_alerts.c - early warning: a week's disputes of one focus for a merchant, listing or category tested against its history (or its category's), kept as alerts. */
#include "risk/risk.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "notify/webhook.h"

#define CATEGORY_MAX 128

static const char *const scope_names[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "merchant",
	[STORE_RISK_LISTING] = "listing",
	[STORE_RISK_CATEGORY] = "category",
	[STORE_RISK_PLATFORM] = "platform",
};

/* One test of one (scope, focus, week). */
struct focus_test {
	enum store_risk_scope scope;
	const char *id;                 /* the scope's id (borrowed) */
	const char *focus;              /* a dispute reason (borrowed) */
	int64_t start, end;             /* the week */
	int64_t observed;               /* its disputes of the focus */
	/* filled by run_test */
	int ran;                        /* a basis was found to compare with */
	int alarm;                      /* past the threshold */
	int64_t exposure;               /* the scope's orders in the exposure days before `end` */
	enum store_risk_scope basis;    /* whose history: the scope's own, its category's, the platform's */
	char category[CATEGORY_MAX];    /* the basis category, "" if none */
	int64_t hist_disputes;          /* the basis's disputes of the focus in the history weeks */
	int64_t hist_exposure;          /* the sum of its weekly exposures over them */
	double rate, expected, p;
};

/* Orders of the exposure period ending at `end`. */
static int exposure(struct store *st, enum store_risk_scope scope, const char *id, int64_t end,
		    int64_t *n, struct err *e)
{
	return store_risk_orders(st, scope, id, end - RISK_EXPOSURE_DAYS * RISK_DAY_MS, end, n, e);
}

/* Which history to compare with: the scope's own if it has enough, else its category's or the platform's. */
static int choose_basis(struct store *st, struct focus_test *t, const char **basis_id,
			struct err *e)
{
	int64_t first = 0;
	int rc = store_risk_first_order(st, t->scope, t->id, &first, e);

	t->category[0] = '\0';
	*basis_id = t->id;
	t->basis = t->scope;
	if (rc || (first && first <= t->start - RISK_MIN_HISTORY_WEEKS * RISK_WEEK_MS))
		return rc;
	if (t->scope == STORE_RISK_CATEGORY) {
		t->basis = STORE_RISK_PLATFORM;
		*basis_id = NULL;
		return RC_OK;
	}
	rc = store_risk_category_of(st, t->scope, t->id, t->category, sizeof(t->category), e);
	if (rc)
		return rc;
	t->basis = t->category[0] ? STORE_RISK_CATEGORY : STORE_RISK_PLATFORM;
	*basis_id = t->category[0] ? t->category : NULL;
	return RC_OK;
}

/* Compute λ and the tail probability of the observed count (risk.h). */
static int run_test(struct store *st, struct focus_test *t, struct err *e)
{
	const char *bid = NULL;
	int64_t n = 0, end;
	int k, rc;

	t->ran = t->alarm = 0;
	t->hist_exposure = 0;
	rc = exposure(st, t->scope, t->id, t->end, &t->exposure, e);
	if (!rc)
		rc = choose_basis(st, t, &bid, e);
	if (!rc)
		rc = store_risk_disputes(st, t->basis, bid, t->focus,
					 t->start - RISK_HISTORY_WEEKS * RISK_WEEK_MS, t->start,
					 &t->hist_disputes, NULL, 0, e);
	for (k = 0; !rc && k < RISK_HISTORY_WEEKS; k++) {
		end = t->start - (int64_t)k * RISK_WEEK_MS;
		rc = exposure(st, t->basis, bid, end, &n, e);
		t->hist_exposure += n;
	}
	if (rc || t->hist_exposure == 0)
		return rc; /* nothing to compare with: no test */
	t->ran = 1;
	t->rate = ((double)t->hist_disputes + 0.5) / (double)t->hist_exposure;
	t->expected = t->rate * (double)(t->exposure > 0 ? t->exposure : 1);
	t->p = risk_poisson_tail(t->observed, t->expected);
	t->alarm = t->observed >= RISK_MIN_COUNT && t->p < RISK_ALPHA;
	return RC_OK;
}

/* The merchant a scope belongs to (a merchant's own id, a listing's merchant), or "" for a category. */
static int merchant_of(struct store *st, const struct focus_test *t, char out[ID_MAX],
		       struct err *e)
{
	json_t *l = NULL;
	int rc;

	out[0] = '\0';
	if (t->scope == STORE_RISK_MERCHANT) {
		snprintf(out, ID_MAX, "%s", t->id);
		return RC_OK;
	}
	if (t->scope != STORE_RISK_LISTING)
		return RC_OK;
	rc = store_get(st, STORE_LISTING, t->id, &l, e);
	if (!rc)
		snprintf(out, ID_MAX, "%s", json_string_value(json_object_get(l, "merchant")));
	json_decref(l);
	return rc;
}

/* The alert of an alarm, as served (docs/openapi.yaml, Alert). */
static json_t *alert_json(const char *id, const struct focus_test *t, const char *merchant,
			  json_t *disputes, int64_t now)
{
	static const char *const basis_names[STORE_RISK__SCOPES] = {
		[STORE_RISK_MERCHANT] = "own_history", [STORE_RISK_LISTING] = "own_history",
		[STORE_RISK_CATEGORY] = "category_baseline",
		[STORE_RISK_PLATFORM] = "platform_baseline",
	};
	const char *basis = t->basis == t->scope ? "own_history" : basis_names[t->basis];

	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:{s:o, s:o}, s:I, s:f, s:f,"
		" s:{s:s, s:f, s:i}, s:{s:I, s:i},"
		" s:{s:s, s:o, s:i, s:o, s:o, s:I, s:I, s:f}, s:O, s:o}",
		"object", "alert", "id", id, "type", "focus_spike", "scope", scope_names[t->scope],
		"scope_id", t->id, "merchant", merchant[0] ? json_string(merchant) : json_null(),
		"focus", t->focus, "focus_source", "reason",
		"window", "start", jx_time_json(t->start), "end", jx_time_json(t->end),
		"observed", (json_int_t)t->observed, "expected", t->expected, "p_value", t->p,
		"test", "name", "poisson_upper_tail", "alpha", RISK_ALPHA, "min_count",
		RISK_MIN_COUNT,
		"exposure", "orders", (json_int_t)t->exposure, "days", RISK_EXPOSURE_DAYS,
		"basis", "kind", basis, "category",
		t->category[0] && t->basis == STORE_RISK_CATEGORY ? json_string(t->category)
								  : json_null(),
		"history_weeks", RISK_HISTORY_WEEKS, "from",
		jx_time_json(t->start - RISK_HISTORY_WEEKS * RISK_WEEK_MS), "to",
		jx_time_json(t->start), "disputes", (json_int_t)t->hist_disputes, "exposure",
		(json_int_t)t->hist_exposure, "rate", t->rate,
		"disputes", disputes, "created_at", jx_time_json(now));
}

/* Keep an alarm as an alert, once per (scope, focus, week), and tell the webhooks. */
static int raise_alert(struct store *st, const struct focus_test *t, int64_t now, int *raised,
		       struct err *e)
{
	char id[ID_MAX], merchant[ID_MAX];
	json_t *ids = NULL, *a = NULL;
	int64_t n = 0;
	int rc;

	*raised = 0;
	id_new(id, "alr");
	rc = merchant_of(st, t, merchant, e);
	if (!rc)
		rc = store_risk_disputes(st, t->scope, t->id, t->focus, t->start, t->end, &n, &ids,
					 RISK_MAX_EVIDENCE, e);
	if (!rc) {
		a = alert_json(id, t, merchant, ids, now);
		if (!a)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	if (!rc)
		rc = store_alert_insert(st, id, scope_names[t->scope], t->id, t->focus, t->start,
					t->end, merchant[0] ? merchant : NULL, now, a, raised, e);
	if (!rc && *raised)
		rc = webhook_emit(st, "alert.raised", a, now, e);
	json_decref(ids);
	json_decref(a);
	return rc;
}

/* A scan or an evaluation of one week. */
struct week_run {
	struct store *st;
	enum store_risk_scope scope;
	int64_t start, end, now;
	int store;                      /* keep alarms as alerts */
	struct risk_tally *t;
	void (*fn)(void *ctx, int64_t week, const char *scope, const char *id, const char *focus,
		   int64_t x, double lambda, double p);
	void *ctx;
	struct err *e;
};

static int candidate(void *ctx, const char *id, const char *reason, int64_t n)
{
	struct week_run *w = ctx;
	struct focus_test t;
	int raised = 0, rc;

	memset(&t, 0, sizeof(t));
	t.scope = w->scope;
	t.id = id;
	t.focus = reason;
	t.start = w->start;
	t.end = w->end;
	t.observed = n;
	rc = run_test(w->st, &t, w->e);
	if (rc || !t.ran)
		return rc;
	w->t->tests++;
	if (!t.alarm)
		return RC_OK;
	w->t->alarms++;
	if (w->fn)
		w->fn(w->ctx, w->start, scope_names[t.scope], id, reason, n, t.expected, t.p);
	if (w->store)
		rc = raise_alert(w->st, &t, w->now, &raised, w->e);
	w->t->raised += raised;
	return rc;
}

/* Test every scope with disputes in the week starting `start`. */
static int run_week(struct week_run *w, int64_t start)
{
	static const enum store_risk_scope scopes[] = {STORE_RISK_MERCHANT, STORE_RISK_LISTING,
						       STORE_RISK_CATEGORY};
	size_t i;
	int rc = RC_OK;

	w->start = start;
	w->end = start + RISK_WEEK_MS;
	for (i = 0; !rc && i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		w->scope = scopes[i];
		rc = store_risk_candidates(w->st, scopes[i], w->start, w->end, RISK_MAX_CANDIDATES,
					   candidate, w, w->e);
	}
	return rc;
}

int risk_scan(struct store *st, const struct rules *r, int64_t now, struct risk_tally *t,
	      struct err *e)
{
	struct week_run w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.st = st;
	w.now = now;
	w.store = 1;
	w.t = t;
	w.e = e;
	rc = run_week(&w, risk_week_start(now));
	if (!rc && r)
		rc = risk_propose(st, r, now, t, e);
	return rc;
}

int risk_eval(struct store *st, int64_t from, int64_t to, struct risk_tally *t,
	      void (*fn)(void *ctx, int64_t week, const char *scope, const char *id,
			 const char *focus, int64_t x, double lambda, double p),
	      void *ctx, struct err *e)
{
	struct week_run w;
	int64_t week;
	int rc = RC_OK;

	memset(&w, 0, sizeof(w));
	w.st = st;
	w.now = to;
	w.t = t;
	w.fn = fn;
	w.ctx = ctx;
	w.e = e;
	for (week = risk_week_start(from); !rc && week <= to; week += RISK_WEEK_MS)
		rc = run_week(&w, week);
	return rc;
}
