/* test_demo_disputes.c - unit tests of the demo disputes: every state, timelines in order, deadlines that fit their states, all tiers, deterministic. */
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
#include <sys/stat.h>

#include "cases/calendar.h"
#include "cases/rules.h"
#include "cli/demo_data.h"
#include "cli/demo_disputes.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "funds/funds.h"
#include "ingest/ingest.h"
#include "risk/risk.h"
#include "store/store.h"

/* A data directory holding the demo records and disputes of one seed at one time. */
struct world {
	uint32_t seed;
	int64_t now;         /* ms */
	char dir[64];
	struct store *st;
	int64_t count;       /* what demo_disputes said it made */
	json_t *disputes;    /* every dispute, as stored, in list order */
	json_t *events;      /* dispute id -> its events, oldest first */
};

/*
 * The worlds every test looks at: an ordinary week, the days just after
 * National Day 2025 (1-8 October) and after the Spring Festival 2026
 * (15-23 February), when working-day deadlines stretch; the last one
 * repeats the first, for determinism.
 */
static struct world worlds[] = {
	{.seed = 61, .now = 1763611200000LL},   /* 2025-11-20T04:00:00Z */
	{.seed = 7, .now = 1759975200000LL},    /* 2025-10-09T02:00:00Z */
	{.seed = 2025, .now = 1772074800000LL}, /* 2026-02-26T03:00:00Z */
	{.seed = 61, .now = 1763611200000LL},
};

#define N_WORLDS (sizeof(worlds) / sizeof(worlds[0]))

static struct rules *rules;
static struct calendar *cal;

static const char *const states[] = {"awaiting_merchant", "negotiating", "platform_review",
				     "decided", "executing", "resolved", "withdrawn",
				     "external"};

#define N_STATES (sizeof(states) / sizeof(states[0]))

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t ms(json_t *v)
{
	int64_t t = 0;

	assert_true(json_is_string(v));
	assert_int_equal(time_parse(json_string_value(v), &t), RC_OK);
	return t;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Load the demo records as `disputed demo` does. */
static void load_records(struct world *w)
{
	int64_t n = 0;
	struct err e;

	if (demo_data_load(w->st, w->dir, w->seed, w->now, &n, &e))
		fail_msg("demo records: %s", e.message);
	assert_true(n > 0);
}

/* Read back every dispute and its events. */
static void read_back(struct world *w)
{
	struct store_dispute_filter f = {NULL, NULL, NULL, NULL, NULL, -1};
	json_t *page = NULL, *d;
	int64_t after = 0, next = 0;
	struct err e;
	size_t i;

	w->disputes = json_array();
	w->events = json_object();
	assert_int_equal(store_begin(w->st, &e), RC_OK);
	do {
		assert_int_equal(store_dispute_list(w->st, &f, after, 100, &page, &next, &e), RC_OK);
		assert_int_equal(json_array_extend(w->disputes, page), 0);
		json_decref(page);
		after = next;
	} while (next > 0);
	json_array_foreach(w->disputes, i, d) {
		json_t *evs = json_array();
		int64_t eafter = 0, enext = 0;

		do {
			assert_int_equal(store_dispute_event_list(w->st, str(d, "id"), eafter, 100,
								  &page, &enext, &e),
					 RC_OK);
			assert_int_equal(json_array_extend(evs, page), 0);
			json_decref(page);
			eafter = enext;
		} while (enext > 0);
		json_object_set_new(w->events, str(d, "id"), evs);
	}
	assert_int_equal(store_end(w->st, 0, NULL), RC_OK);
}

static int group_setup(void **state)
{
	struct err e;
	size_t i;

	(void)state;
	if (calendar_load_dir(NULL, &cal, &e) || rules_load(NULL, &rules, &e)) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	for (i = 0; i < N_WORLDS; i++) {
		struct world *w = &worlds[i];
		char path[128];

		snprintf(w->dir, sizeof(w->dir), "/tmp/disputed-demo-disputes-XXXXXX");
		if (!mkdtemp(w->dir))
			return -1;
		snprintf(path, sizeof(path), "%s/blobs", w->dir);
		if (mkdir(path, 0700))
			return -1;
		snprintf(path, sizeof(path), "%s/disputed.db", w->dir);
		if (store_open(path, 1, &w->st, &e)) {
			fprintf(stderr, "setup: %s\n", e.message);
			return -1;
		}
		load_records(w);
		if (demo_disputes(w->st, rules, cal, w->seed, w->now, &w->count, &e)) {
			fprintf(stderr, "setup: seed %u: %s\n", (unsigned)w->seed, e.message);
			return -1;
		}
		read_back(w);
	}
	return 0;
}

static int group_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		store_close(worlds[i].st);
		if (worlds[i].dir[0])
			nftw(worlds[i].dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		json_decref(worlds[i].disputes);
		json_decref(worlds[i].events);
	}
	rules_free(rules);
	calendar_free(cal);
	return 0;
}

static void every_state_holds_at_least_two_disputes(void **state)
{
	size_t i, j, k;
	json_t *d;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		size_t n[N_STATES] = {0};

		assert_int_equal((size_t)worlds[i].count, json_array_size(worlds[i].disputes));
		json_array_foreach(worlds[i].disputes, j, d)
			for (k = 0; k < N_STATES; k++)
				if (strcmp(str(d, "state"), states[k]) == 0)
					n[k]++;
		for (k = 0; k < N_STATES; k++)
			if (n[k] < 2)
				fail_msg("seed %u: %zu dispute(s) %s", (unsigned)worlds[i].seed, n[k],
					 states[k]);
	}
}

static void timelines_run_in_time_order_up_to_now(void **state)
{
	size_t i, j, k;
	json_t *d, *ev;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		json_array_foreach(worlds[i].disputes, j, d) {
			json_t *evs = json_object_get(worlds[i].events, str(d, "id"));
			int64_t last = 0;

			assert_true(json_array_size(evs) >= 2);
			assert_string_equal(str(json_array_get(evs, 0), "type"), "opened");
			assert_true(ms(json_object_get(d, "created_at")) ==
				    ms(json_object_get(json_array_get(evs, 0), "created_at")));
			json_array_foreach(evs, k, ev) {
				int64_t t = ms(json_object_get(ev, "created_at"));

				assert_true(t >= last);
				last = t;
			}
			assert_true(last <= worlds[i].now);
			assert_true(ms(json_object_get(d, "updated_at")) <= worlds[i].now);
			/* the last move leads to the state the dispute is in (a note, e.g. of a
			 * consumer marked for review, moves nothing: its "to" is null) */
			k = json_array_size(evs);
			while (k > 1 && !str(json_array_get(evs, k - 1), "to"))
				k--;
			assert_string_equal(str(json_array_get(evs, k - 1), "to"), str(d, "state"));
		}
	}
}

static void deadlines_fit_the_states(void **state)
{
	size_t i, j;
	json_t *d;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		int overdue_review = 0, overdue_execution = 0;

		json_array_foreach(worlds[i].disputes, j, d) {
			const char *s = str(d, "state");
			json_t *next = json_object_get(d, "next");
			int overdue = json_is_true(json_object_get(d, "overdue"));

			const char *ret = str(json_object_get(d, "return"), "status");
			int returning = ret && (strcmp(ret, "awaiting_shipment") == 0 ||
						strcmp(ret, "shipped") == 0);

			if (strcmp(s, "resolved") == 0 || strcmp(s, "withdrawn") == 0 ||
			    strcmp(s, "external") == 0) {
				assert_true(json_is_null(next));
				assert_false(overdue);
				continue;
			}
			assert_true(json_is_object(next));
			/* the goods on their way back have no deadline until they are signed for */
			if (returning) {
				assert_true(json_is_null(json_object_get(next, "due_at")));
				continue;
			}
			if (overdue) {
				/* the platform missed its deadline: only its own steps go overdue */
				assert_true(strcmp(s, "platform_review") == 0 ||
					    strcmp(s, "executing") == 0);
				assert_true(ms(json_object_get(next, "due_at")) <= worlds[i].now);
				overdue_review += strcmp(s, "platform_review") == 0;
				overdue_execution += strcmp(s, "executing") == 0;
			} else {
				if (ms(json_object_get(next, "due_at")) <= worlds[i].now)
					fail_msg("seed %u: %s %s is due at %s, not after now",
						 (unsigned)worlds[i].seed, s, str(d, "id"),
						 str(next, "due_at"));
			}
		}
		assert_true(overdue_review >= 1);
		assert_true(overdue_execution >= 1);
	}
}

static void tiers_of_all_three_kinds(void **state)
{
	size_t i, j;
	json_t *d;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		int serious = 0, fast = 0, standard = 0;

		json_array_foreach(worlds[i].disputes, j, d) {
			const char *tier = str(d, "tier");

			if (strcmp(tier, "serious") == 0) {
				serious++;
				assert_true(strcmp(str(d, "reason"), "safety") == 0 ||
					    strcmp(str(d, "reason"), "counterfeit") == 0);
			}
			fast += strcmp(tier, "fast_lane") == 0;
			standard += strcmp(tier, "standard") == 0;
		}
		assert_true(serious >= 1);
		assert_true(fast >= 1);
		assert_true(standard >= 1);
	}
}

static void decisions_give_published_reasons(void **state)
{
	size_t i, j, k;
	json_t *d, *ev, *r;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		int decisions = 0;

		json_array_foreach(worlds[i].disputes, j, d)
			json_array_foreach(json_object_get(worlds[i].events, str(d, "id")), k, ev) {
				size_t m;

				if (strcmp(str(ev, "type"), "decision") != 0)
					continue;
				decisions++;
				assert_string_equal(str(json_object_get(ev, "actor"), "role"), "agent");
				assert_string_equal(str(json_object_get(ev, "actor"), "name"),
						    "张敏（纠纷专员）");
				assert_true(json_array_size(json_object_get(json_object_get(ev, "data"),
									    "reasons")) >= 1);
				json_array_foreach(json_object_get(json_object_get(ev, "data"), "reasons"),
						   m, r) {
					if (!rules_reason_find(rules, str(r, "code")))
						fail_msg("reason code %s is not in the rules",
							 str(r, "code"));
					assert_true(strlen(str(r, "text")) > 0);
				}
			}
		assert_true(decisions >= 5);
	}
}

static void both_parties_talk_and_returns_are_played(void **state)
{
	size_t i, j, k;
	json_t *d, *ev;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		int from_consumer = 0, from_merchant = 0, returns = 0, court = 0, association = 0;

		json_array_foreach(worlds[i].disputes, j, d) {
			json_t *ext = json_object_get(d, "external");

			returns += strcmp(str(json_object_get(d, "claim"), "type"), "return_refund") == 0 &&
				   strcmp(str(d, "reason"), "other") == 0;
			court += json_is_object(ext) && strcmp(str(ext, "body"), "court") == 0;
			association += json_is_object(ext) &&
				       strcmp(str(ext, "body"), "association") == 0;
			assert_true(str(d, "description")[0] != '\0');
			assert_true(jx_utf8_chars(str(d, "description")) <= 5000);
			json_array_foreach(json_object_get(worlds[i].events, str(d, "id")), k, ev) {
				const char *role = str(json_object_get(ev, "actor"), "role");

				if (strcmp(str(ev, "type"), "message") != 0)
					continue;
				from_consumer += strcmp(role, "consumer") == 0;
				from_merchant += strcmp(role, "merchant") == 0;
			}
		}
		assert_true(from_consumer >= 1);
		assert_true(from_merchant >= 1);
		assert_true(returns >= 2);
		assert_true(court >= 1);
		assert_true(association >= 1);
	}
}

static void count_problem(void *ctx, const char *where, const char *what)
{
	(void)where;
	(void)what;
	(*(int *)ctx)++;
}

/* Resolved refunds moved real money, decided refunds hold or paid theirs, and the ledger audits clean. */
static void outcomes_moved_real_money(void **state)
{
	size_t w, j;

	(void)state;
	for (w = 0; w < N_WORLDS; w++) {
		int resolved_paid = 0, problems = 0;
		uint64_t n = 0;
		struct err e;
		json_t *d;

		json_array_foreach(worlds[w].disputes, j, d) {
			json_t *o = json_object_get(d, "outcome"), *f = json_object_get(d, "funds");
			const char *kind = str(o, "outcome");
			int64_t want, paid;

			if (!kind || strcmp(str(d, "state"), "resolved") != 0 ||
			    (strcmp(kind, "full_refund") != 0 && strcmp(kind, "partial_refund") != 0))
				continue;
			want = json_integer_value(json_object_get(json_object_get(o, "amount"), "amount"));
			paid = json_integer_value(json_object_get(json_object_get(f, "paid"), "amount"));
			assert_true(want > 0);
			assert_true(paid == want);
			assert_true(json_is_string(json_object_get(d, "executed_at")));
			resolved_paid++;
		}
		assert_true(resolved_paid >= 3);
		err_clear(&e);
		assert_int_equal(store_begin(worlds[w].st, &e), RC_OK);
		assert_int_equal(funds_audit(worlds[w].st, count_problem, &problems, &n, &e), RC_OK);
		assert_int_equal(store_end(worlds[w].st, 0, NULL), RC_OK);
		assert_int_equal(problems, 0);
		assert_true(n == 0);
	}
}

/* The opening time of the dispute `id` of world `w`, or 0. */
static int64_t opened_at(const struct world *w, const char *id)
{
	size_t i;
	json_t *d;

	json_array_foreach(w->disputes, i, d)
		if (strcmp(str(d, "id"), id) == 0)
			return ms(json_object_get(d, "created_at"));
	return 0;
}

static void past_weeks_have_claims_and_this_week_raises_an_alert(void **state)
{
	size_t i, j, k;
	json_t *d, *alerts, *a, *id;
	int64_t next = 0, week;
	struct err e;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		int past = 0;

		/* claims settled and withdrawn before the scenes' three weeks */
		json_array_foreach(worlds[i].disputes, j, d)
			past += strcmp(str(d, "state"), "withdrawn") == 0 &&
				ms(json_object_get(d, "created_at")) <
					worlds[i].now - 21 * 24 * 3600 * 1000LL;
		assert_true(past >= 3);
		/* this week's spike raised an alert, citing claims opened this week */
		week = risk_week_start(worlds[i].now);
		assert_int_equal(store_begin(worlds[i].st, &e), RC_OK);
		assert_int_equal(store_alert_list(worlds[i].st, NULL, NULL, NULL, 0, 100, &alerts,
						  &next, &e), RC_OK);
		assert_int_equal(store_end(worlds[i].st, 0, &e), RC_OK);
		assert_true(json_array_size(alerts) >= 1);
		json_array_foreach(alerts, j, a) {
			assert_true(json_integer_value(json_object_get(a, "observed")) >= 3);
			json_array_foreach(json_object_get(a, "disputes"), k, id) {
				int64_t t = opened_at(&worlds[i], json_string_value(id));

				assert_true(t >= week && t <= worlds[i].now);
			}
		}
		json_decref(alerts);
	}
}

static void a_consumer_is_under_review(void **state)
{
	size_t i, j;
	json_t *d, *flags;
	struct err e;

	(void)state;
	for (i = 0; i < N_WORLDS; i++) {
		int marked = 0;

		assert_int_equal(store_begin(worlds[i].st, &e), RC_OK);
		/* the consumer of the rejected, closed claim is marked abusive, citing it */
		json_array_foreach(worlds[i].disputes, j, d) {
			json_t *o = json_object_get(d, "outcome");

			if (strcmp(str(d, "state"), "resolved") != 0 || !json_is_object(o) ||
			    strcmp(str(o, "outcome"), "rejected") != 0)
				continue;
			assert_int_equal(store_consumer_flags(worlds[i].st, str(d, "consumer"), &flags,
							      &e), RC_OK);
			if (json_array_size(flags) == 1 &&
			    strcmp(str(json_array_get(flags, 0), "flag"), "abusive") == 0 &&
			    strcmp(json_string_value(json_array_get(json_object_get(
					   json_array_get(flags, 0), "evidence"), 0)),
				   str(d, "id")) == 0)
				marked = 1;
			json_decref(flags);
		}
		assert_int_equal(store_end(worlds[i].st, 0, &e), RC_OK);
		assert_true(marked);
	}
}

static void same_seed_and_now_give_the_same_disputes(void **state)
{
	json_t *a = worlds[0].disputes, *b = worlds[N_WORLDS - 1].disputes;
	size_t j;

	(void)state;
	assert_int_equal(worlds[0].seed, worlds[N_WORLDS - 1].seed);
	assert_true(worlds[0].now == worlds[N_WORLDS - 1].now);
	assert_int_equal(json_array_size(a), json_array_size(b));
	for (j = 0; j < json_array_size(a); j++) {
		json_t *x = json_array_get(a, j), *y = json_array_get(b, j);

		assert_string_equal(str(x, "state"), str(y, "state"));
		assert_string_equal(str(x, "tier"), str(y, "tier"));
		assert_true(json_equal(json_object_get(x, "claim"), json_object_get(y, "claim")));
		assert_string_equal(str(x, "reason"), str(y, "reason"));
		assert_string_equal(str(x, "description"), str(y, "description"));
		assert_true(ms(json_object_get(x, "created_at")) ==
			    ms(json_object_get(y, "created_at")));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_state_holds_at_least_two_disputes),
		cmocka_unit_test(timelines_run_in_time_order_up_to_now),
		cmocka_unit_test(deadlines_fit_the_states),
		cmocka_unit_test(tiers_of_all_three_kinds),
		cmocka_unit_test(decisions_give_published_reasons),
		cmocka_unit_test(both_parties_talk_and_returns_are_played),
		cmocka_unit_test(outcomes_moved_real_money),
		cmocka_unit_test(a_consumer_is_under_review),
		cmocka_unit_test(past_weeks_have_claims_and_this_week_raises_an_alert),
		cmocka_unit_test(same_seed_and_now_give_the_same_disputes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
