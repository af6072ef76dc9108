/* risk.h - merchant risk: its figures over rolling windows, the ranked list, early warnings of dispute-focus spikes, and proposals of the repeated_fraud flag. */
#ifndef DISPUTED_RISK_H
#define DISPUTED_RISK_H

#include <jansson.h>
#include <stdint.h>

#include "cases/rules.h"
#include "core/err.h"
#include "store/store.h"

/*
 * Everything here reads the store inside the caller's transaction, with
 * indexed queries over windows of time (store_risk_*), so the work is
 * bounded by the records in a window, never by the whole history. Times
 * are UTC ms; `now` is the server's clock (the test clock in tests).
 * docs/risk.md explains every measure, window and threshold.
 */

#define RISK_DAY_MS (24LL * 3600 * 1000)
#define RISK_WEEK_MS (7 * RISK_DAY_MS)

/* The rolling windows of a merchant's figures, ending at now: 30 and 90 days. */
#define RISK_WINDOW_SHORT_DAYS 30
#define RISK_WINDOW_LONG_DAYS 90

/* Most merchants ranked in one list (GET /v1/risk/merchants). */
#define RISK_RANK_MAX 10000

/* Most dispute ids an alert or a proposal names as its evidence. */
#define RISK_MAX_EVIDENCE 50

/*
 * The early-warning test (docs/risk.md): a scope's disputes of one focus
 * (the consumer's reason) opened in one week, x, against λ = r × n: n the
 * scope's orders created in the RISK_EXPOSURE_DAYS before the week's end
 * (at least 1), r the same focus's disputes per order of exposure over
 * the RISK_HISTORY_WEEKS weeks before it, (d + 0.5) / Σ n_h. A scope whose
 * first order is less than RISK_MIN_HISTORY_WEEKS before the week is
 * compared with its category's r (a category, or a merchant or listing
 * without one: the platform's). Alert when x >= RISK_MIN_COUNT and
 * P(X >= x | λ) < RISK_ALPHA.
 */
#define RISK_ALPHA 0.001
#define RISK_MIN_COUNT 3
#define RISK_HISTORY_WEEKS 12
#define RISK_MIN_HISTORY_WEEKS 8
#define RISK_EXPOSURE_DAYS 28
/* Most (scope, focus) pairs one scan tests per kind of scope. */
#define RISK_MAX_CANDIDATES 5000

/* The week [start, start + RISK_WEEK_MS) holding `t`: weeks start Monday 00:00 Beijing (+08:00). */
int64_t risk_week_start(int64_t t);

/* P(X >= x) for X ~ Poisson(lambda), lambda >= 0: 1 for x <= 0, 0 for lambda 0 and x > 0. */
double risk_poisson_tail(int64_t x, double lambda);

/*
 * The figures of merchant `merchant_id` (an existing merchant's id) as of
 * `now`, a new object (docs/openapi.yaml, MerchantRisk):
 *   {"object":"merchant_risk","merchant","as_of","score","windows":[{"days",
 *    "from","to","orders","disputes","disputes_per_1000_orders","closed",
 *    "upheld","upheld_rate","responses_due","responded_on_time",
 *    "on_time_response_rate","repeat":{"reason":{"counts":[{"focus","count",
 *    "share"}],"most_repeated"},"assessment":{…}}}]}
 * Rates are null when their denominator is 0.
 */
int risk_merchant_figures(struct store *st, const char *merchant_id, int64_t now, json_t **out,
			  struct err *e) WARN_UNUSED;

/*
 * The merchants with disputes opened in the RISK_WINDOW_LONG_DAYS before
 * `now`, ranked by score = 1000 × (disputes + upheld) / max(orders, 1)
 * (highest first, then by id): `limit` of them from `offset` into *items
 * (a new array of {"rank","merchant","score","orders","disputes","upheld",
 * "disputes_per_1000_orders"}), *more if more follow.
 */
int risk_rank(struct store *st, int64_t now, int64_t offset, int limit, json_t **items,
	      int *more, struct err *e) WARN_UNUSED;

/* What one scan or evaluation did. */
struct risk_tally {
	int64_t tests;     /* (scope, focus, week) tested: some disputes seen, a basis to compare */
	int64_t alarms;    /* of those, past the threshold */
	int64_t raised;    /* alerts newly stored (a scan; an evaluation stores none) */
	int64_t proposed;  /* repeated_fraud proposals newly made */
};

/*
 * Test the week holding `now` for every merchant, listing and category
 * with disputes in it; keep each alarm as an alert (once per scope, focus
 * and week: a second scan of the same week raises nothing new) and emit
 * `alert.raised` for each new one. Then propose the repeated_fraud flag
 * for every merchant the rules' [repeated_fraud] picks that is not
 * flagged, has no open proposal and was not dismissed on as many upheld
 * disputes (risk_propose). Adds to *t. Inside the caller's transaction.
 */
int risk_scan(struct store *st, const struct rules *r, int64_t now, struct risk_tally *t,
	      struct err *e) WARN_UNUSED;

/*
 * Run the test over every week from `from` to the week holding `to`,
 * storing nothing: *t counts the tests and alarms (the false-alarm rate
 * on a history without spikes is alarms / tests). `fn` (may be NULL) is
 * told each alarm: the week's start, scope, id, focus, x, λ and p.
 */
int risk_eval(struct store *st, int64_t from, int64_t to, struct risk_tally *t,
	      void (*fn)(void *ctx, int64_t week, const char *scope, const char *id,
			 const char *focus, int64_t x, double lambda, double p),
	      void *ctx, struct err *e) WARN_UNUSED;

/* Make the repeated_fraud proposals due at `now` (see risk_scan); adds to t->proposed. */
int risk_propose(struct store *st, const struct rules *r, int64_t now, struct risk_tally *t,
		 struct err *e) WARN_UNUSED;

#endif
