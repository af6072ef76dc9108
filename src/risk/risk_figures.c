/* risk_figures.c - a merchant's risk figures over rolling windows, and the ranked list of merchants. */
#include "risk/risk.h"

#include <math.h>
#include <string.h>

#include "core/jsonx.h"

int64_t risk_week_start(int64_t t)
{
	/* Monday 5 January 1970, 00:00 Beijing */
	const int64_t origin = 4 * RISK_DAY_MS - 8 * 3600 * 1000LL;
	int64_t d = t - origin, q = d / RISK_WEEK_MS;

	if (d % RISK_WEEK_MS < 0)
		q--;
	return origin + q * RISK_WEEK_MS;
}

double risk_poisson_tail(int64_t x, double lambda)
{
	double term, sum = 0;
	int64_t k;

	if (x <= 0)
		return 1;
	if (!(lambda > 0))
		return 0;
	if ((double)x <= lambda) {
		/* the tail is large: one less the lower sum */
		for (k = 0; k < x; k++)
			sum += exp(-lambda + (double)k * log(lambda) - lgamma((double)k + 1));
		sum = 1 - sum;
	} else {
		/* the tail is small: sum it from x up until its terms vanish */
		term = exp(-lambda + (double)x * log(lambda) - lgamma((double)x + 1));
		for (k = x; term > 0 && k < x + 100000; k++) {
			sum += term;
			if (term < sum * 1e-17)
				break;
			term *= lambda / (double)(k + 1);
		}
	}
	return sum < 0 ? 0 : sum > 1 ? 1 : sum;
}

/* num / den as a JSON real, or null when den is 0. */
static json_t *ratio(double num, int64_t den)
{
	return den > 0 ? json_real(num / (double)den) : json_null();
}

/* Counts by focus with their shares of `total`, and the most repeated (count >= 2) or null. */
static json_t *repeat_of(json_t *counts, int64_t total)
{
	json_t *c, *top = json_null();
	size_t i;

	json_array_foreach(counts, i, c)
		json_object_set_new(c, "share",
				    ratio((double)json_integer_value(json_object_get(c, "count")),
					  total));
	c = json_array_get(counts, 0);
	if (c && json_integer_value(json_object_get(c, "count")) >= 2)
		top = json_deep_copy(c);
	return json_pack("{s:O, s:o}", "counts", counts, "most_repeated", top);
}

/* One window's figures: [now - days, now). */
static int window(struct store *st, const char *mid, int64_t now, int days, json_t **out,
		  struct err *e)
{
	/* the window ends at now, which it holds: what happened at this very moment counts */
	int64_t from = now - days * RISK_DAY_MS, to = now + 1, orders = 0, due;
	struct store_risk_counts c;
	json_t *by_reason = NULL, *by_focus = NULL;
	int rc;

	*out = NULL;
	rc = store_risk_orders(st, STORE_RISK_MERCHANT, mid, from, to, &orders, e);
	if (!rc)
		rc = store_risk_merchant_counts(st, mid, from, to, &c, e);
	if (!rc)
		rc = store_risk_merchant_foci(st, mid, "reason", from, to, &by_reason, e);
	if (!rc)
		rc = store_risk_merchant_foci(st, mid, "assessment", from, to, &by_focus, e);
	if (rc)
		goto out;
	due = c.responded + c.missed;
	*out = json_pack("{s:i, s:o, s:o, s:I, s:I, s:o, s:I, s:I, s:o, s:I, s:I, s:o,"
			 " s:{s:o, s:o}}",
			 "days", days, "from", jx_time_json(from), "to", jx_time_json(now),
			 "orders", (json_int_t)orders, "disputes", (json_int_t)c.disputes,
			 "disputes_per_1000_orders", ratio(1000.0 * (double)c.disputes, orders),
			 "closed", (json_int_t)c.closed, "upheld", (json_int_t)c.upheld,
			 "upheld_rate", ratio((double)c.upheld, c.closed),
			 "responses_due", (json_int_t)due, "responded_on_time",
			 (json_int_t)c.responded, "on_time_response_rate",
			 ratio((double)c.responded, due), "repeat", "reason",
			 repeat_of(by_reason, c.disputes), "assessment",
			 repeat_of(by_focus, c.disputes));
	if (!*out)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
out:
	json_decref(by_reason);
	json_decref(by_focus);
	return rc;
}

/* The ranking score of a merchant's counts (risk.h). */
static double score_of(int64_t orders, int64_t disputes, int64_t upheld)
{
	return 1000.0 * (double)(disputes + upheld) / (double)(orders > 0 ? orders : 1);
}

int risk_merchant_figures(struct store *st, const char *merchant_id, int64_t now, json_t **out,
			  struct err *e)
{
	static const int days[] = {RISK_WINDOW_SHORT_DAYS, RISK_WINDOW_LONG_DAYS};
	json_t *windows = json_array(), *w = NULL, *last;
	size_t i;
	int rc = RC_OK;

	*out = NULL;
	for (i = 0; !rc && i < sizeof(days) / sizeof(days[0]); i++) {
		rc = window(st, merchant_id, now, days[i], &w, e);
		if (!rc)
			json_array_append_new(windows, w);
	}
	if (rc) {
		json_decref(windows);
		return rc;
	}
	last = json_array_get(windows, json_array_size(windows) - 1);
	*out = json_pack("{s:s, s:s, s:o, s:f, s:o}", "object", "merchant_risk", "merchant",
			 merchant_id, "as_of", jx_time_json(now), "score",
			 score_of(json_integer_value(json_object_get(last, "orders")),
				  json_integer_value(json_object_get(last, "disputes")),
				  json_integer_value(json_object_get(last, "upheld"))),
			 "windows", windows);
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

int risk_rank(struct store *st, int64_t now, int64_t offset, int limit, json_t **items,
	      int *more, struct err *e)
{
	int64_t from = now - RISK_WINDOW_LONG_DAYS * RISK_DAY_MS;
	json_t *m;
	size_t i;
	int rc = store_risk_rank(st, from, now + 1, offset, limit, RISK_RANK_MAX, items, more, e);

	if (rc)
		return rc;
	json_array_foreach(*items, i, m) {
		int64_t o = json_integer_value(json_object_get(m, "orders"));
		int64_t d = json_integer_value(json_object_get(m, "disputes"));
		int64_t u = json_integer_value(json_object_get(m, "upheld"));

		json_object_set_new(m, "rank", json_integer(offset + (int64_t)i + 1));
		json_object_set_new(m, "score", json_real(score_of(o, d, u)));
		json_object_set_new(m, "disputes_per_1000_orders", ratio(1000.0 * (double)d, o));
	}
	return RC_OK;
}
