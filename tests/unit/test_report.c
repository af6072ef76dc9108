/* test_report.c - unit tests of the compliance report over obligations written with known times into a real store, on SQLite and on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "report/compliance.h"
#include "store/store.h"
#include "store_fixture.h"

#define SEC 1000LL
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

/* One test's database (store_fixture.h, either backend), with one order to hang disputes on. */
struct fixture {
	void *store;           /* the store's fixture */
	int pg;                /* on PostgreSQL */
	struct store *st;      /* open on it */
	int64_t t0;            /* 2025-10-20T02:00:00Z: the period starts here */
};

static void put(struct store *st, enum store_kind kind, const char *id, const char *mer,
		const char *cus, json_t *body)
{
	struct store_row row;
	struct err e;

	memset(&row, 0, sizeof(row));
	row.id = id;
	row.external_id = kind == STORE_CONSUMER ? "c-1" : NULL;
	row.version = kind == STORE_LISTING ? 1 : 0;
	row.merchant_id = mer;
	row.consumer_id = cus;
	row.created_at = 1700000000000;
	row.body = body;
	err_clear(&e);
	if (store_put(st, kind, &row, &e))
		fail_msg("store_put %s: %s", id, e.message);
	json_decref(body);
}

static int setup_on(void **state, int pg)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;

	assert_non_null(f);
	f->pg = pg;
	if (pg)
		store_setup_pg(&f->store);
	else
		store_setup(&f->store);
	f->st = ((struct store_fixture *)f->store)->st;
	err_clear(&e);
	assert_int_equal(time_parse("2025-10-20T02:00:00Z", &f->t0), RC_OK);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	put(f->st, STORE_MERCHANT, "mer_000000000000000000000001", NULL, NULL,
	    json_pack("{s:s}", "object", "merchant"));
	put(f->st, STORE_CONSUMER, "cus_000000000000000000000001", NULL, NULL,
	    json_pack("{s:s}", "object", "consumer"));
	put(f->st, STORE_LISTING, "lst_000000000000000000000001", "mer_000000000000000000000001",
	    NULL, json_pack("{s:s}", "object", "listing"));
	put(f->st, STORE_ORDER, "ord_000000000000000000000001", "mer_000000000000000000000001",
	    "cus_000000000000000000000001",
	    json_pack("{s:s, s:[{s:s, s:i}]}", "object", "order", "items", "listing",
		      "lst_000000000000000000000001", "listing_version", 1));
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_on(state, 0);
}

static int setup_pg(void **state)
{
	return setup_on(state, 1);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->pg)
		store_teardown_pg(&f->store);
	else
		store_teardown(&f->store);
	free(f);
	return 0;
}

/* dsp_ id number n. */
static void dispute_id(int n, char out[ID_MAX])
{
	snprintf(out, ID_MAX, "dsp_%024d", n);
}

/*
 * Dispute n with one obligation of `kind`, created at `created`, due at
 * `due`; breached by its timer at `breach_at` and met at `met_at` (each
 * when not 0, the breach first), all through the store's own functions.
 */
static void oblige(struct fixture *f, int n, const char *kind, int64_t created, int64_t due,
		   int64_t breach_at, int64_t met_at)
{
	json_t *body = json_object();
	char id[ID_MAX];
	struct err e;
	int met = 0;

	assert_non_null(body);
	dispute_id(n, id);
	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(store_dispute_insert(f->st, id, "ord_000000000000000000000001",
					      "mer_000000000000000000000001",
					      "cus_000000000000000000000001", "platform_review",
					      "standard", created, body, &e),
			 RC_OK);
	json_decref(body);
	assert_int_equal(store_obligation_add(f->st, id, kind, created, due, &e), RC_OK);
	if (breach_at)
		assert_int_equal(store_obligation_breach(f->st, id, kind, breach_at, &e), RC_OK);
	if (met_at) {
		assert_int_equal(store_obligation_meet(f->st, id, kind, met_at, &met, &e), RC_OK);
		assert_int_equal(met, 1);
	}
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
}

/*
 * report_compliance, but on PostgreSQL a test whose report reaches a
 * concern not built there yet (not_on_postgresql: the consumer flags'
 * counts, until that concern is built) is skipped, saying which; the
 * transaction the test opened for the report is ended first.
 */
static int compliance(struct store *st, int64_t from, int64_t to, int64_t now, json_t **r,
		      struct err *e)
{
	int rc = report_compliance(st, from, to, now, r, e);

	if (rc == RC_UNSUPPORTED && strcmp(e->code, "not_on_postgresql") == 0) {
		struct err e2;

		json_set_alloc_funcs(malloc, free);
		print_message("skipped: %s\n", e->message);
		/* the caller's transaction ends here, as it would have after the report */
		assert_int_equal(store_end(st, 0, &e2), RC_OK);
		skip();
	}
	return rc;
}

static json_t *report(struct fixture *f, int64_t from, int64_t to, int64_t now)
{
	json_t *r = NULL;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(compliance(f->st, from, to, now, &r, &e), RC_OK);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	assert_non_null(r);
	return r;
}

/* The entry of `kind` in the report's obligations (which must be at `index`). */
static json_t *kind_at(json_t *r, size_t index, const char *kind)
{
	json_t *k = json_array_get(json_object_get(r, "obligations"), index);

	assert_non_null(k);
	assert_string_equal(json_string_value(json_object_get(k, "kind")), kind);
	return k;
}

static int64_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return (int64_t)json_integer_value(v);
}

static void assert_counts(json_t *k, int64_t total, int64_t on_time, int64_t late,
			  int64_t open, int64_t breached)
{
	assert_int_equal(num(k, "total"), total);
	assert_int_equal(num(k, "met_on_time"), on_time);
	assert_int_equal(num(k, "met_late"), late);
	assert_int_equal(num(k, "open"), open);
	assert_int_equal(num(k, "breached"), breached);
	assert_int_equal(num(k, "total"), num(k, "met_on_time") + num(k, "met_late") +
						  num(k, "open"));
}

static void assert_time(json_t *o, const char *key, int64_t ms)
{
	char want[TIME_TEXT_MAX];

	time_format(ms, want);
	assert_string_equal(json_string_value(json_object_get(o, key)), want);
}

/*
 * The standard scene, in [t0, t0 + 30 d), judged at now = t0 + 10 d:
 *   acknowledge: four met on time, after 0, 1.5, 2.999 and 10 s (due in 60 s)
 *   decide 1: on time (met after 1 h, due in 3 d)
 *   decide 2: met 2 h late, before any timer ran (not flagged)
 *   decide 3: open, due after now
 *   decide 4: open, overdue by 6 d, not flagged (its timer has not run)
 *   decide 5: breached by its timer at due, then met a day late
 *   decide 6: breached by its timer 30 s after due, still open
 *   execute 1: met exactly at its deadline (on time)
 *   execute 2: open, due exactly now (not overdue yet)
 *   outside: created 1 ms before t0 and exactly at the period's end
 */
static void scene(struct fixture *f)
{
	int64_t t = f->t0;

	oblige(f, 1, "acknowledge", t, t + 60 * SEC, 0, t);
	oblige(f, 2, "acknowledge", t + 1, t + 1 + 60 * SEC, 0, t + 1 + 1500);
	oblige(f, 3, "acknowledge", t + 2, t + 2 + 60 * SEC, 0, t + 2 + 2999);
	oblige(f, 4, "acknowledge", t + 3, t + 3 + 60 * SEC, 0, t + 3 + 10 * SEC);
	oblige(f, 11, "decide", t, t + 3 * DAY, 0, t + HOUR);
	oblige(f, 12, "decide", t + HOUR, t + HOUR + DAY, 0, t + 3 * HOUR + DAY);
	oblige(f, 13, "decide", t + 2 * DAY, t + 20 * DAY, 0, 0);
	oblige(f, 14, "decide", t + 3 * DAY, t + 4 * DAY, 0, 0);
	oblige(f, 15, "decide", t + 4 * DAY, t + 5 * DAY, t + 5 * DAY, t + 6 * DAY);
	oblige(f, 16, "decide", t + 5 * DAY, t + 6 * DAY, t + 6 * DAY + 30 * SEC, 0);
	oblige(f, 21, "execute", t + 7 * DAY, t + 8 * DAY, 0, t + 8 * DAY);
	oblige(f, 22, "execute", t + 9 * DAY, t + 10 * DAY, 0, 0);
	oblige(f, 31, "decide", t - 1, t, 0, 0);
	oblige(f, 32, "decide", t + 30 * DAY, t + 31 * DAY, 0, 0);
}

static void counts_medians_and_p90_per_kind(void **state)
{
	struct fixture *f = *state;
	int64_t t = f->t0;
	json_t *r, *k;

	scene(f);
	r = report(f, t, t + 30 * DAY, t + 10 * DAY);
	assert_string_equal(json_string_value(json_object_get(r, "object")), "compliance_report");
	assert_time(r, "from", t);
	assert_time(r, "to", t + 30 * DAY);
	assert_time(r, "generated_at", t + 10 * DAY);
	assert_int_equal(json_array_size(json_object_get(r, "obligations")), 4);

	k = kind_at(r, 0, "acknowledge");
	assert_counts(k, 4, 4, 0, 0, 0);
	/* 0, 1, 2, 10 s: the mean of 1 and 2 rounded down; rank ceil(3.6) = 4 */
	assert_int_equal(num(k, "median_seconds"), 1);
	assert_int_equal(num(k, "p90_seconds"), 10);

	k = kind_at(r, 1, "decide");
	assert_counts(k, 6, 1, 2, 3, 4);
	/* met after 3600, 93600 and 172800 s; rank ceil(2.7) = 3 */
	assert_int_equal(num(k, "median_seconds"), 93600);
	assert_int_equal(num(k, "p90_seconds"), 172800);

	k = kind_at(r, 2, "appeal");
	assert_counts(k, 0, 0, 0, 0, 0);
	assert_true(json_is_null(json_object_get(k, "median_seconds")));
	assert_true(json_is_null(json_object_get(k, "p90_seconds")));

	k = kind_at(r, 3, "execute");
	assert_counts(k, 2, 1, 0, 1, 0);
	assert_int_equal(num(k, "median_seconds"), 86400);
	assert_int_equal(num(k, "p90_seconds"), 86400);
	json_decref(r);
}

static void breaches_list_each_missed_deadline_in_due_order(void **state)
{
	struct fixture *f = *state;
	int64_t t = f->t0;
	char id[ID_MAX];
	json_t *r, *b, *x;

	scene(f);
	r = report(f, t, t + 30 * DAY, t + 10 * DAY);
	b = json_object_get(r, "breaches");
	assert_int_equal(json_array_size(b), 4);

	/* decide 2: met late, never flagged: breached at its deadline */
	x = json_array_get(b, 0);
	dispute_id(12, id);
	assert_string_equal(json_string_value(json_object_get(x, "dispute")), id);
	assert_string_equal(json_string_value(json_object_get(x, "kind")), "decide");
	assert_time(x, "due_at", t + HOUR + DAY);
	assert_time(x, "breached_at", t + HOUR + DAY);
	assert_time(x, "met_at", t + 3 * HOUR + DAY);
	assert_int_equal(num(x, "late_seconds"), 7200);

	/* decide 4: overdue and open, its timer not run yet */
	x = json_array_get(b, 1);
	dispute_id(14, id);
	assert_string_equal(json_string_value(json_object_get(x, "dispute")), id);
	assert_time(x, "due_at", t + 4 * DAY);
	assert_time(x, "breached_at", t + 4 * DAY);
	assert_true(json_is_null(json_object_get(x, "met_at")));
	assert_int_equal(num(x, "late_seconds"), 6 * 86400);

	/* decide 5: flagged by its timer, then met */
	x = json_array_get(b, 2);
	dispute_id(15, id);
	assert_string_equal(json_string_value(json_object_get(x, "dispute")), id);
	assert_time(x, "breached_at", t + 5 * DAY);
	assert_time(x, "met_at", t + 6 * DAY);
	assert_int_equal(num(x, "late_seconds"), 86400);

	/* decide 6: flagged 30 s after due, still open: late as of now */
	x = json_array_get(b, 3);
	dispute_id(16, id);
	assert_string_equal(json_string_value(json_object_get(x, "dispute")), id);
	assert_time(x, "due_at", t + 6 * DAY);
	assert_time(x, "breached_at", t + 6 * DAY + 30 * SEC);
	assert_true(json_is_null(json_object_get(x, "met_at")));
	assert_int_equal(num(x, "late_seconds"), 4 * 86400);
	json_decref(r);
}

static void open_duties_count_as_breached_only_once_past_due(void **state)
{
	struct fixture *f = *state;
	int64_t t = f->t0;
	json_t *r;

	scene(f);
	/* a millisecond after execute 2's deadline, it too is breached */
	r = report(f, t, t + 30 * DAY, t + 10 * DAY + 1);
	assert_counts(kind_at(r, 3, "execute"), 2, 1, 0, 1, 1);
	assert_int_equal(json_array_size(json_object_get(r, "breaches")), 5);
	json_decref(r);
	/* judged before any deadline, only what was met late or flagged is breached */
	r = report(f, t, t + 30 * DAY, t);
	assert_counts(kind_at(r, 1, "decide"), 6, 1, 2, 3, 3);
	json_decref(r);
}

static void period_bounds_are_from_inclusive_to_exclusive(void **state)
{
	struct fixture *f = *state;
	int64_t t = f->t0;
	json_t *r;

	scene(f);
	r = report(f, t - 1, t, t + 10 * DAY);
	assert_counts(kind_at(r, 1, "decide"), 1, 0, 0, 1, 1);
	json_decref(r);
	r = report(f, t + 30 * DAY, t + 30 * DAY + 1, t + 40 * DAY);
	assert_counts(kind_at(r, 1, "decide"), 1, 0, 0, 1, 1);
	json_decref(r);
}

static void empty_period_has_every_kind_with_zeros_and_nulls(void **state)
{
	struct fixture *f = *state;
	int64_t t = f->t0;
	json_t *r, *k;
	size_t i;

	scene(f);
	r = report(f, t + 100 * DAY, t + 130 * DAY, t + 200 * DAY);
	for (i = 0; compliance_kinds[i]; i++) {
		k = kind_at(r, i, compliance_kinds[i]);
		assert_counts(k, 0, 0, 0, 0, 0);
		assert_true(json_is_null(json_object_get(k, "median_seconds")));
		assert_true(json_is_null(json_object_get(k, "p90_seconds")));
	}
	assert_int_equal(i, 4);
	assert_int_equal(json_array_size(json_object_get(r, "breaches")), 0);
	json_decref(r);
}

static void from_not_before_to_is_invalid(void **state)
{
	struct fixture *f = *state;
	json_t *r = NULL;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(compliance(f->st, f->t0, f->t0, f->t0, &r, &e), RC_INVAL);
	assert_string_equal(e.param, "to");
	assert_null(r);
	assert_int_equal(compliance(f->st, f->t0 + 1, f->t0, f->t0, &r, &e), RC_INVAL);
	assert_null(r);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

/* Dispute n, opened at `created` in `tier` for `reason`, with no obligation. */
static void opened(struct fixture *f, int n, const char *tier, const char *reason,
		   int64_t created)
{
	json_t *body = json_pack("{s:s}", "reason", reason);
	char id[ID_MAX];
	struct err e;

	assert_non_null(body);
	dispute_id(n, id);
	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(store_dispute_insert(f->st, id, "ord_000000000000000000000001",
					      "mer_000000000000000000000001",
					      "cus_000000000000000000000001", "awaiting_merchant",
					      tier, created, body, &e),
			 RC_OK);
	json_decref(body);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
}

static void weeks_count_duties_and_disputes_by_tier_and_focus(void **state)
{
	struct fixture *f = *state;
	json_t *r, *w0, *w1, *w4;
	int64_t week0;

	/* t0 is Monday 10:00 Beijing: its week began at 00:00 Beijing, 16:00 UTC the day before */
	assert_int_equal(time_parse("2025-10-19T16:00:00Z", &week0), RC_OK);
	oblige(f, 51, "acknowledge", f->t0, f->t0 + 60 * SEC, 0, f->t0 + SEC);
	oblige(f, 52, "decide", f->t0 + 8 * DAY, f->t0 + 9 * DAY, 0, 0);
	opened(f, 53, "fast_lane", "quality", f->t0 + 8 * DAY);
	opened(f, 54, "serious", "counterfeit", f->t0 - 1);
	opened(f, 55, "serious", "counterfeit", f->t0 + 30 * DAY);
	r = report(f, f->t0, f->t0 + 30 * DAY, f->t0 + 10 * DAY);
	assert_int_equal(json_array_size(json_object_get(r, "weeks")), 5);
	w0 = json_array_get(json_object_get(r, "weeks"), 0);
	w1 = json_array_get(json_object_get(r, "weeks"), 1);
	w4 = json_array_get(json_object_get(r, "weeks"), 4);
	assert_time(w0, "week_start", week0);
	assert_time(w1, "week_start", week0 + 7 * DAY);
	assert_time(w4, "week_start", week0 + 28 * DAY);
	assert_int_equal(num(w0, "duties"), 1);
	assert_int_equal(num(w0, "met_on_time"), 1);
	assert_int_equal(num(w0, "breached"), 0);
	assert_int_equal(num(w0, "disputes"), 1);
	assert_int_equal(num(json_object_get(w0, "by_tier"), "standard"), 1);
	/* the decide duty is overdue and open: breached, in the week it arose */
	assert_int_equal(num(w1, "duties"), 1);
	assert_int_equal(num(w1, "open"), 1);
	assert_int_equal(num(w1, "breached"), 1);
	assert_int_equal(num(w1, "disputes"), 2);
	assert_int_equal(num(json_object_get(w1, "by_tier"), "fast_lane"), 1);
	assert_int_equal(num(json_object_get(w1, "by_tier"), "serious"), 0);
	assert_int_equal(num(json_object_get(w1, "by_focus"), "quality"), 1);
	assert_int_equal(num(json_object_get(w1, "by_focus"), "counterfeit"), 0);
	/* every tier and every focus, zeros too; disputes outside the period are not counted */
	assert_int_equal(json_object_size(json_object_get(w4, "by_tier")), 3);
	assert_int_equal(json_object_size(json_object_get(w4, "by_focus")), 9);
	assert_int_equal(num(w4, "disputes"), 0);
	assert_int_equal(num(w4, "duties"), 0);
	json_decref(r);
}

static void a_period_of_more_than_twenty_years_is_invalid(void **state)
{
	struct fixture *f = *state;
	json_t *r = NULL;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(compliance(f->st, f->t0, f->t0 + 1100 * 7 * DAY, f->t0, &r, &e),
			 RC_INVAL);
	assert_string_equal(e.param, "to");
	assert_null(r);
	assert_int_equal(compliance(f->st, f->t0, f->t0 + 1000 * 7 * DAY, f->t0, &r, &e),
			 RC_OK);
	assert_int_equal(json_array_size(json_object_get(r, "weeks")), 1001);
	json_decref(r);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

static void a_kind_the_report_does_not_know_is_listed_after_the_four(void **state)
{
	struct fixture *f = *state;
	json_t *r;

	oblige(f, 41, "refund", f->t0, f->t0 + DAY, 0, f->t0 + HOUR);
	r = report(f, f->t0, f->t0 + DAY, f->t0 + DAY);
	assert_int_equal(json_array_size(json_object_get(r, "obligations")), 5);
	assert_counts(kind_at(r, 3, "execute"), 0, 0, 0, 0, 0);
	assert_counts(kind_at(r, 4, "refund"), 1, 1, 0, 0, 0);
	assert_int_equal(num(kind_at(r, 4, "refund"), "median_seconds"), 3600);
	json_decref(r);
}

static const char golden_csv[] =
	"kind,total,met_on_time,met_late,open,breached,median_seconds,p90_seconds\n"
	"acknowledge,4,4,0,0,0,1,10\n"
	"decide,6,1,2,3,4,93600,172800\n"
	"appeal,0,0,0,0,0,,\n"
	"execute,2,1,0,1,0,86400,86400\n"
	"\n"
	"dispute,kind,due_at,breached_at,met_at,late_seconds\n"
	"dsp_000000000000000000000012,decide,2025-10-21T03:00:00Z,2025-10-21T03:00:00Z,"
	"2025-10-21T05:00:00Z,7200\n"
	"dsp_000000000000000000000014,decide,2025-10-24T02:00:00Z,2025-10-24T02:00:00Z,,518400\n"
	"dsp_000000000000000000000015,decide,2025-10-25T02:00:00Z,2025-10-25T02:00:00Z,"
	"2025-10-26T02:00:00Z,86400\n"
	"dsp_000000000000000000000016,decide,2025-10-26T02:00:00Z,2025-10-26T02:00:30Z,,345600\n";

static void csv_matches_the_golden_bytes(void **state)
{
	struct fixture *f = *state;
	int64_t t = f->t0;
	struct buf out;
	struct err e;
	json_t *r;

	scene(f);
	r = report(f, t, t + 30 * DAY, t + 10 * DAY);
	buf_init(&out, 1 << 20);
	assert_int_equal(report_compliance_csv(r, &out, &e), RC_OK);
	assert_string_equal(out.data, golden_csv);
	buf_release(&out);
	json_decref(r);
}

static void csv_of_an_empty_period_still_has_both_headers(void **state)
{
	struct fixture *f = *state;
	struct buf out;
	struct err e;
	json_t *r = report(f, f->t0, f->t0 + DAY, f->t0 + DAY);

	buf_init(&out, 1 << 20);
	assert_int_equal(report_compliance_csv(r, &out, &e), RC_OK);
	assert_string_equal(out.data,
			    "kind,total,met_on_time,met_late,open,breached,median_seconds,"
			    "p90_seconds\n"
			    "acknowledge,0,0,0,0,0,,\n"
			    "decide,0,0,0,0,0,,\n"
			    "appeal,0,0,0,0,0,,\n"
			    "execute,0,0,0,0,0,,\n"
			    "\n"
			    "dispute,kind,due_at,breached_at,met_at,late_seconds\n");
	buf_release(&out);
	json_decref(r);
}

static void csv_past_the_buffer_cap_is_toobig(void **state)
{
	struct fixture *f = *state;
	struct buf out;
	struct err e;
	json_t *r;

	scene(f);
	r = report(f, f->t0, f->t0 + 30 * DAY, f->t0 + 10 * DAY);
	buf_init(&out, 64);
	assert_int_equal(report_compliance_csv(r, &out, &e), RC_TOOBIG);
	buf_release(&out);
	json_decref(r);
}

static void table_aligns_columns_and_shows_durations(void **state)
{
	struct fixture *f = *state;
	int64_t t = f->t0;
	struct buf out;
	struct err e;
	json_t *r;

	scene(f);
	r = report(f, t, t + 30 * DAY, t + 10 * DAY);
	buf_init(&out, 1 << 20);
	assert_int_equal(report_compliance_table(r, &out, &e), RC_OK);
	assert_string_equal(
		out.data,
		"Compliance report: obligations created from 2025-10-20T02:00:00Z to "
		"2025-11-19T02:00:00Z\n"
		"Judged as of 2025-10-30T02:00:00Z\n"
		"\n"
		"KIND         TOTAL  ON TIME  LATE  OPEN  BREACHED       MEDIAN          P90\n"
		"acknowledge      4        4     0     0         0     00:00:01     00:00:10\n"
		"decide           6        1     2     3         4  1d 02:00:00  2d 00:00:00\n"
		"appeal           0        0     0     0         0            -            -\n"
		"execute          2        1     0     1         0  1d 00:00:00  1d 00:00:00\n"
		"\n"
		"Breaches: 4\n"
		"DISPUTE                       KIND    DUE AT                BREACHED AT           "
		"MET AT                       LATE\n"
		"dsp_000000000000000000000012  decide  2025-10-21T03:00:00Z  2025-10-21T03:00:00Z  "
		"2025-10-21T05:00:00Z     02:00:00\n"
		"dsp_000000000000000000000014  decide  2025-10-24T02:00:00Z  2025-10-24T02:00:00Z  "
		"not met               6d 00:00:00\n"
		"dsp_000000000000000000000015  decide  2025-10-25T02:00:00Z  2025-10-25T02:00:00Z  "
		"2025-10-26T02:00:00Z  1d 00:00:00\n"
		"dsp_000000000000000000000016  decide  2025-10-26T02:00:00Z  2025-10-26T02:00:30Z  "
		"not met               4d 00:00:00\n");
	buf_release(&out);
	json_decref(r);
}

/* ---- allocation failure ---- */

static long allocs_left;

static void *failing_malloc(size_t n)
{
	if (allocs_left-- <= 0)
		return NULL;
	return malloc(n);
}

static void allocation_failure_is_nomem_and_leaves_no_report(void **state)
{
	struct fixture *f = *state;
	json_t *r = NULL;
	struct err e;
	long n;
	int rc;

	scene(f);
	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	for (n = 0;; n++) {
		allocs_left = n;
		json_set_alloc_funcs(failing_malloc, free);
		rc = compliance(f->st, f->t0, f->t0 + 30 * DAY, f->t0 + 10 * DAY, &r, &e);
		json_set_alloc_funcs(malloc, free);
		if (rc == RC_OK)
			break;
		assert_int_equal(rc, RC_NOMEM);
		assert_null(r);
	}
	assert_true(n > 10);
	assert_int_equal(json_array_size(json_object_get(r, "breaches")), 4);
	json_decref(r);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

/* Every test, with the fixture `su` (one backend) and `td`. */
#define ALL(su, td) \
	cmocka_unit_test_setup_teardown(counts_medians_and_p90_per_kind, su, td), \
	cmocka_unit_test_setup_teardown(breaches_list_each_missed_deadline_in_due_order, su, td), \
	cmocka_unit_test_setup_teardown(open_duties_count_as_breached_only_once_past_due, su, td), \
	cmocka_unit_test_setup_teardown(period_bounds_are_from_inclusive_to_exclusive, su, td), \
	cmocka_unit_test_setup_teardown(empty_period_has_every_kind_with_zeros_and_nulls, su, td), \
	cmocka_unit_test_setup_teardown(from_not_before_to_is_invalid, su, td), \
	cmocka_unit_test_setup_teardown(a_kind_the_report_does_not_know_is_listed_after_the_four, su, td), \
	cmocka_unit_test_setup_teardown(weeks_count_duties_and_disputes_by_tier_and_focus, su, td), \
	cmocka_unit_test_setup_teardown(a_period_of_more_than_twenty_years_is_invalid, su, td), \
	cmocka_unit_test_setup_teardown(csv_matches_the_golden_bytes, su, td), \
	cmocka_unit_test_setup_teardown(csv_of_an_empty_period_still_has_both_headers, su, td), \
	cmocka_unit_test_setup_teardown(csv_past_the_buffer_cap_is_toobig, su, td), \
	cmocka_unit_test_setup_teardown(table_aligns_columns_and_shows_durations, su, td), \
	cmocka_unit_test_setup_teardown(allocation_failure_is_nomem_and_leaves_no_report, su, td)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ALL(setup, teardown),
	};
	const struct CMUnitTest pg_tests[] = {
		ALL(setup_pg, teardown),
	};
	int failed = cmocka_run_group_tests_name("report on SQLite", tests, NULL, NULL);

	if (!store_test_pg()) {
		printf("report on PostgreSQL: skipped, DISPUTED_TEST_PG is not set\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("report on PostgreSQL", pg_tests, NULL, NULL);
}
