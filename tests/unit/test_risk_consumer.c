/* test_risk_consumer.c - a consumer's abuse signals, exact on hand-made histories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "core/err.h"
#include "core/timeutil.h"
#include "risk/consumer.h"

#define DAY (24LL * 3600 * 1000)

/* 2025-10-01T00:00:00Z */
static const int64_t NOW = 1759276800000LL;

static json_t *event(const char *type, const char *role, const char *from, const char *to,
		     json_t *data)
{
	return json_pack("{s:s, s:{s:s}, s:s?, s:s?, s:o}", "type", type, "actor", "role", role,
			 "from", from, "to", to, "data", data ? data : json_object());
}

/* A dispute `id` on `order` opened `days_ago`, in `state`, with `outcome` (or NULL). */
static json_t *dispute(const char *id, const char *order, int64_t days_ago, const char *state,
		       const char *outcome, json_t *evidence, json_t *events)
{
	char at[TIME_TEXT_MAX];

	time_format(NOW - days_ago * DAY, at);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", id, "order", order,
			 "state", state, "created_at", at, "outcome",
			 outcome ? json_pack("{s:s}", "outcome", outcome) : json_null(), "evidence",
			 evidence ? evidence : json_array(), "events",
			 events ? events : json_array());
}

static json_t *signals(json_t *disputes, int64_t orders)
{
	json_t *out = NULL;
	struct err e;

	assert_int_equal(risk_signals_of(disputes, orders, NOW, &out, &e), RC_OK);
	json_decref(disputes);
	return out;
}

static json_t *sig(json_t *s, const char *name)
{
	return json_object_get(s, name);
}

static int64_t num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void no_history_has_zero_figures_and_null_ratios(void **state)
{
	json_t *s = signals(json_array(), 0);

	(void)state;
	assert_int_equal(num(sig(s, "dispute_rate"), "figure"), 0);
	assert_true(json_is_null(json_object_get(sig(s, "dispute_rate"), "per_order")));
	assert_true(json_is_null(json_object_get(sig(s, "rejected_share"), "figure")));
	assert_int_equal(num(sig(s, "photo_reuse"), "figure"), 0);
	assert_int_equal(num(sig(s, "withdrawn_after_payment"), "figure"), 0);
	json_decref(s);
}

static void the_rate_counts_the_window_and_divides_by_orders(void **state)
{
	json_t *s = signals(json_pack("[o, o, o]", dispute("dsp_c", "ord_3", 10, "awaiting_merchant",
							   NULL, NULL, NULL),
				      dispute("dsp_b", "ord_2", 89, "resolved", NULL, NULL, NULL),
				      dispute("dsp_a", "ord_1", 91, "resolved", NULL, NULL, NULL)),
			    8);
	json_t *r = sig(s, "dispute_rate");

	(void)state;
	assert_int_equal(num(r, "figure"), 2);
	assert_int_equal(num(r, "disputes"), 3);
	assert_int_equal(num(r, "orders"), 8);
	assert_true(json_real_value(json_object_get(r, "per_order")) == 0.375);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r, "evidence"), "disputes")),
			 2);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(r, "evidence"), "disputes"), 1)),
			    "dsp_b");
	json_decref(s);
}

static void rejected_share_is_over_decided_disputes_only(void **state)
{
	json_t *s = signals(json_pack("[o, o, o, o]",
				      dispute("dsp_d", "ord_4", 1, "decided", "rejected", NULL, NULL),
				      dispute("dsp_c", "ord_3", 2, "resolved", "full_refund", NULL, NULL),
				      dispute("dsp_b", "ord_2", 3, "resolved", "rejected", NULL, NULL),
				      dispute("dsp_a", "ord_1", 4, "platform_review", NULL, NULL, NULL)),
			    4);
	json_t *r = sig(s, "rejected_share");

	(void)state;
	assert_int_equal(num(r, "decided"), 3);
	assert_int_equal(num(r, "rejected"), 2);
	assert_true(json_real_value(json_object_get(r, "figure")) == 0.6667);
	json_decref(s);
}

static void a_photo_counts_once_cited_on_two_orders_by_the_consumer(void **state)
{
	const char *p = "sha256:aa", *q = "sha256:bb", *m = "sha256:cc";
	json_t *ev2 = json_pack("[o, o]", event("responses", "consumer", NULL, NULL,
						json_pack("{s:[s]}", "attachments", q)),
				event("responses", "merchant", NULL, NULL,
				      json_pack("{s:[s]}", "evidence", m)));
	json_t *s = signals(
		json_pack("[o, o, o, o]",
			  dispute("dsp_d", "ord_3", 1, "resolved", NULL, json_pack("[s]", m), NULL),
			  dispute("dsp_c", "ord_2", 2, "resolved", NULL, json_pack("[s, s]", p, q),
				  ev2),
			  dispute("dsp_b", "ord_1", 3, "resolved", NULL, json_pack("[s]", q), NULL),
			  dispute("dsp_a", "ord_1", 4, "resolved", NULL, json_pack("[s]", p), NULL)),
		3);
	json_t *r = sig(s, "photo_reuse"), *blobs = json_object_get(json_object_get(r, "evidence"),
								     "blobs");

	(void)state;
	/* p: ord_2 and ord_1; q: ord_2 and ord_1; m: only the merchant cited it on ord_2 */
	assert_int_equal(num(r, "figure"), 2);
	assert_int_equal(json_array_size(blobs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(blobs, 0), "blob")), p);
	assert_int_equal(json_array_size(json_object_get(json_array_get(blobs, 0), "orders")), 2);
	assert_int_equal(json_array_size(json_object_get(json_array_get(blobs, 0), "disputes")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(blobs, 1), "blob")), q);
	assert_int_equal(json_array_size(json_object_get(json_array_get(blobs, 1), "disputes")), 2);
	json_decref(s);
}

static void a_withdrawal_counts_only_after_money_was_paid(void **state)
{
	json_t *paid = json_pack("{s:s, s:{s:i}}", "operation", "execute", "amount", "amount", 500);
	json_t *held = json_pack("{s:s, s:{s:i}}", "operation", "hold", "amount", "amount", 500);
	json_t *after = json_pack("{s:s, s:{s:i}}", "operation", "execute", "amount", "amount", 500);
	json_t *s = signals(
		json_pack("[o, o, o]",
			  dispute("dsp_c", "ord_3", 1, "withdrawn", "full_refund", NULL,
				  json_pack("[o, o]", event("funds", "system", "decided", "decided", paid),
					    event("withdraw", "consumer", "decided", "withdrawn", NULL))),
			  dispute("dsp_b", "ord_2", 2, "withdrawn", NULL, NULL,
				  json_pack("[o, o]", event("funds", "system", NULL, NULL, held),
					    event("withdraw", "consumer", "awaiting_merchant",
						  "withdrawn", NULL))),
			  dispute("dsp_a", "ord_1", 3, "withdrawn", "full_refund", NULL,
				  json_pack("[o, o]",
					    event("withdraw", "consumer", "decided", "withdrawn", NULL),
					    event("funds", "system", "withdrawn", "withdrawn", after)))),
		3);
	json_t *r = sig(s, "withdrawn_after_payment");

	(void)state;
	assert_int_equal(num(r, "figure"), 1);
	assert_int_equal(num(r, "withdrawn"), 3);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(r, "evidence"), "disputes"), 0)),
			    "dsp_c");
	json_decref(s);
}

static void evidence_lists_are_bounded(void **state)
{
	json_t *ds = json_array(), *s, *r;
	char id[32], order[32];
	int i;

	(void)state;
	for (i = 0; i < RISK_EVIDENCE_MAX + 5; i++) {
		snprintf(id, sizeof(id), "dsp_%d", i);
		snprintf(order, sizeof(order), "ord_%d", i);
		json_array_append_new(ds, dispute(id, order, 1, "decided", "rejected", NULL, NULL));
	}
	s = signals(ds, RISK_EVIDENCE_MAX + 5);
	r = sig(s, "rejected_share");
	assert_int_equal(num(r, "rejected"), RISK_EVIDENCE_MAX + 5);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r, "evidence"), "disputes")),
			 RISK_EVIDENCE_MAX);
	assert_true(json_is_true(json_object_get(r, "evidence_truncated")));
	assert_true(json_is_false(json_object_get(sig(s, "photo_reuse"), "evidence_truncated")));
	json_decref(s);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(no_history_has_zero_figures_and_null_ratios),
		T(the_rate_counts_the_window_and_divides_by_orders),
		T(rejected_share_is_over_decided_disputes_only),
		T(a_photo_counts_once_cited_on_two_orders_by_the_consumer),
		T(a_withdrawal_counts_only_after_money_was_paid),
		T(evidence_lists_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
