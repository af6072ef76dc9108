/* test_transitions.c - unit tests of the dispute transition table: every (state, event) pair's answer, the lifecycle it makes, who may act. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cases/dispute_int.h"
#include "cases/rules.h"
#include "cases/vocab.h"

/* One row as the lifecycle in docs/DESIGN.md wants it. */
struct want {
	enum dispute_state from;
	enum dispute_event event;
	unsigned who;
	int guarded;             /* 1 if a guard chooses or refuses it */
	enum dispute_state next; /* == from: it stays */
};

#define C WHO_CONSUMER
#define M WHO_MERCHANT
#define A WHO_AGENT
#define S WHO_SYSTEM

/*
 * awaiting_merchant → (negotiating) → platform_review → decided →
 * executing → resolved; withdrawn and external from any live state. For
 * one (state, event), the rows in the order they are tried.
 */
static const struct want wants[] = {
	/* an agreed outcome is final at once: carried out, no appeal */
	{DISPUTE_AWAITING_MERCHANT, EVENT_MERCHANT_ACCEPT, M, 1, DISPUTE_EXECUTING},
	{DISPUTE_AWAITING_MERCHANT, EVENT_MERCHANT_COUNTER, M, 1, DISPUTE_NEGOTIATING},
	{DISPUTE_AWAITING_MERCHANT, EVENT_MERCHANT_REJECT, M, 1, DISPUTE_NEGOTIATING},
	/* silence: a fast-lane claim is granted, any other goes to the platform */
	{DISPUTE_AWAITING_MERCHANT, EVENT_TIMEOUT_MERCHANT_RESPONSE, S, 1, DISPUTE_DECIDED},
	{DISPUTE_AWAITING_MERCHANT, EVENT_TIMEOUT_MERCHANT_RESPONSE, S, 0, DISPUTE_PLATFORM_REVIEW},
	/* so too on the consumer's counter-offer */
	{DISPUTE_NEGOTIATING, EVENT_TIMEOUT_MERCHANT_RESPONSE, S, 1, DISPUTE_DECIDED},
	{DISPUTE_NEGOTIATING, EVENT_TIMEOUT_MERCHANT_RESPONSE, S, 0, DISPUTE_PLATFORM_REVIEW},
	/* rounds: the standing offer is accepted by the party it was made to (the merchant's
	   by the consumer, the consumer's counter-offer by the merchant) */
	{DISPUTE_NEGOTIATING, EVENT_ACCEPT_OFFER, C | M, 1, DISPUTE_EXECUTING},
	{DISPUTE_NEGOTIATING, EVENT_ACCEPT_OFFER, C | M, 1, DISPUTE_EXECUTING},
	{DISPUTE_NEGOTIATING, EVENT_CONSUMER_COUNTER, C, 1, DISPUTE_NEGOTIATING},
	{DISPUTE_NEGOTIATING, EVENT_MERCHANT_ACCEPT, M, 1, DISPUTE_EXECUTING},
	{DISPUTE_NEGOTIATING, EVENT_MERCHANT_COUNTER, M, 1, DISPUTE_NEGOTIATING},
	{DISPUTE_NEGOTIATING, EVENT_MERCHANT_REJECT, M, 1, DISPUTE_PLATFORM_REVIEW},
	{DISPUTE_NEGOTIATING, EVENT_ESCALATE, C, 1, DISPUTE_PLATFORM_REVIEW},
	{DISPUTE_NEGOTIATING, EVENT_TIMEOUT_CONSUMER_REPLY, S, 0, DISPUTE_PLATFORM_REVIEW},
	/* a decision on appeal is final; a first one opens the appeal window; both must be
	   borne out by their reasons */
	{DISPUTE_PLATFORM_REVIEW, EVENT_DECISION, A, 1, DISPUTE_EXECUTING},
	{DISPUTE_PLATFORM_REVIEW, EVENT_DECISION, A, 1, DISPUTE_DECIDED},
	/* a missed deadline flags the dispute overdue, once, and it stays */
	{DISPUTE_PLATFORM_REVIEW, EVENT_TIMEOUT_PLATFORM_REVIEW, S, 1, DISPUTE_PLATFORM_REVIEW},
	{DISPUTE_DECIDED, EVENT_APPEAL, C | M, 1, DISPUTE_PLATFORM_REVIEW},
	/* both parties waiving makes the decision final at once */
	{DISPUTE_DECIDED, EVENT_WAIVE_APPEAL, C | M, 1, DISPUTE_EXECUTING},
	{DISPUTE_DECIDED, EVENT_WAIVE_APPEAL, C | M, 1, DISPUTE_DECIDED},
	/* the window closes: end a rejection with nothing to move, else carry it out */
	{DISPUTE_DECIDED, EVENT_TIMEOUT_APPEAL, S, 1, DISPUTE_RESOLVED},
	{DISPUTE_DECIDED, EVENT_TIMEOUT_APPEAL, S, 0, DISPUTE_EXECUTING},
	/* an agent cannot pay a refund that waits for the consumer's return */
	{DISPUTE_EXECUTING, EVENT_EXECUTED, A, 1, DISPUTE_RESOLVED},
	/* a return_refund: the return's logistics, then the merchant's confirmation or the
	   period's end pays the refund */
	{DISPUTE_EXECUTING, EVENT_RETURN_LOGISTICS, S, 1, DISPUTE_EXECUTING},
	{DISPUTE_EXECUTING, EVENT_CONFIRM_RETURN, M, 1, DISPUTE_EXECUTING},
	{DISPUTE_EXECUTING, EVENT_TIMEOUT_RETURN_RECEIPT, S, 1, DISPUTE_EXECUTING},
	/* the money has all moved: resolved without an agent */
	{DISPUTE_EXECUTING, EVENT_SETTLED, S, 0, DISPUTE_RESOLVED},
	{DISPUTE_EXECUTING, EVENT_TIMEOUT_EXECUTION, S, 1, DISPUTE_EXECUTING},
	{DISPUTE_AWAITING_MERCHANT, EVENT_WITHDRAW, C, 0, DISPUTE_WITHDRAWN},
	{DISPUTE_NEGOTIATING, EVENT_WITHDRAW, C, 0, DISPUTE_WITHDRAWN},
	{DISPUTE_PLATFORM_REVIEW, EVENT_WITHDRAW, C, 0, DISPUTE_WITHDRAWN},
	{DISPUTE_DECIDED, EVENT_WITHDRAW, C, 0, DISPUTE_WITHDRAWN},
	{DISPUTE_EXECUTING, EVENT_WITHDRAW, C, 0, DISPUTE_WITHDRAWN},
	{DISPUTE_AWAITING_MERCHANT, EVENT_EXTERNAL, C, 0, DISPUTE_EXTERNAL},
	{DISPUTE_NEGOTIATING, EVENT_EXTERNAL, C, 0, DISPUTE_EXTERNAL},
	{DISPUTE_PLATFORM_REVIEW, EVENT_EXTERNAL, C, 0, DISPUTE_EXTERNAL},
	{DISPUTE_DECIDED, EVENT_EXTERNAL, C, 0, DISPUTE_EXTERNAL},
	{DISPUTE_EXECUTING, EVENT_EXTERNAL, C, 0, DISPUTE_EXTERNAL},
	/* an outcome that stood when the consumer left is still carried out */
	{DISPUTE_WITHDRAWN, EVENT_EXECUTED, A, 1, DISPUTE_WITHDRAWN},
	{DISPUTE_EXTERNAL, EVENT_EXECUTED, A, 1, DISPUTE_EXTERNAL},
	/* goods sent back before the consumer left: the refund still follows them */
	{DISPUTE_WITHDRAWN, EVENT_RETURN_LOGISTICS, S, 1, DISPUTE_WITHDRAWN},
	{DISPUTE_EXTERNAL, EVENT_RETURN_LOGISTICS, S, 1, DISPUTE_EXTERNAL},
	{DISPUTE_WITHDRAWN, EVENT_CONFIRM_RETURN, M, 1, DISPUTE_WITHDRAWN},
	{DISPUTE_EXTERNAL, EVENT_CONFIRM_RETURN, M, 1, DISPUTE_EXTERNAL},
	{DISPUTE_WITHDRAWN, EVENT_TIMEOUT_RETURN_RECEIPT, S, 1, DISPUTE_WITHDRAWN},
	{DISPUTE_EXTERNAL, EVENT_TIMEOUT_RETURN_RECEIPT, S, 1, DISPUTE_EXTERNAL},
};

/* The table's rows for (s, ev), in order; returns how many. */
static size_t rows_for(enum dispute_state s, enum dispute_event ev,
		       const struct transition **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < dispute_transitions_len; i++)
		if (dispute_transitions[i].event == ev && (dispute_transitions[i].from & STATE(s)) &&
		    n < max)
			out[n++] = &dispute_transitions[i];
	return n;
}

static size_t wants_for(enum dispute_state s, enum dispute_event ev, const struct want **out,
			size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++)
		if (wants[i].from == s && wants[i].event == ev && n < max)
			out[n++] = &wants[i];
	return n;
}

static void every_state_and_event_gets_the_designed_answer(void **state)
{
	const struct transition *got[8];
	const struct want *want[8];
	size_t n, k;
	int s, ev;

	(void)state;
	for (s = 0; s < DISPUTE_STATE__COUNT; s++)
		for (ev = 0; ev < EVENT__COUNT; ev++) {
			n = rows_for(s, ev, got, 8);
			if (n != wants_for(s, ev, want, 8))
				fail_msg("%s in %s: %zu rows, designed %zu", dispute_event_names[ev],
					 dispute_state_names[s], n, wants_for(s, ev, want, 8));
			for (k = 0; k < n; k++) {
				assert_int_equal(got[k]->who, want[k]->who);
				assert_int_equal(got[k]->guard != NULL, want[k]->guarded);
				if (got[k]->next != want[k]->next)
					fail_msg("%s in %s goes to %s, designed %s",
						 dispute_event_names[ev], dispute_state_names[s],
						 dispute_state_names[got[k]->next],
						 dispute_state_names[want[k]->next]);
				assert_non_null(got[k]->why);
			}
		}
}

/* Final states take no event but what carries out an outcome that survived (the agent's
 * `executed`, a return's logistics, confirmation and period), staying put, guarded. */
static void final_states_take_no_event_but_a_surviving_execution(void **state)
{
	const struct transition *got[8];
	int s, ev;

	(void)state;
	for (s = DISPUTE_STATE__FINAL; s < DISPUTE_STATE__COUNT; s++) {
		assert_false(dispute_state_is_live(s));
		for (ev = 0; ev < EVENT__COUNT; ev++) {
			size_t n = rows_for(s, ev, got, 8);

			if ((ev != EVENT_EXECUTED && ev != EVENT_RETURN_LOGISTICS &&
			     ev != EVENT_CONFIRM_RETURN && ev != EVENT_TIMEOUT_RETURN_RECEIPT) ||
			    s == DISPUTE_RESOLVED) {
				assert_int_equal(n, 0);
				continue;
			}
			assert_int_equal(n, 1);
			assert_int_equal(got[0]->next, s);
			assert_non_null(got[0]->guard);
		}
	}
}

static void withdrawn_and_external_from_every_live_state_by_the_consumer(void **state)
{
	const struct transition *got[8];
	int s;

	(void)state;
	for (s = 0; s < DISPUTE_STATE__FINAL; s++) {
		assert_true(dispute_state_is_live(s));
		assert_int_equal(rows_for(s, EVENT_WITHDRAW, got, 8), 1);
		assert_int_equal(got[0]->next, DISPUTE_WITHDRAWN);
		assert_int_equal(got[0]->who, WHO_CONSUMER);
		assert_null(got[0]->guard);
		assert_int_equal(rows_for(s, EVENT_EXTERNAL, got, 8), 1);
		assert_int_equal(got[0]->next, DISPUTE_EXTERNAL);
		assert_int_equal(got[0]->who, WHO_CONSUMER);
		assert_null(got[0]->guard);
	}
}

/* The state (s, ev) leads to by its last row, the one taken when no guard chooses another. */
static enum dispute_state step(enum dispute_state s, enum dispute_event ev)
{
	const struct transition *got[8];
	size_t n = rows_for(s, ev, got, 8);

	if (n == 0)
		fail_msg("no row for %s in %s", dispute_event_names[ev], dispute_state_names[s]);
	return got[n - 1]->next;
}

static void the_designed_path_runs_from_opening_to_resolved(void **state)
{
	enum dispute_state s = DISPUTE_AWAITING_MERCHANT;

	(void)state;
	s = step(s, EVENT_MERCHANT_COUNTER);
	assert_int_equal(s, DISPUTE_NEGOTIATING);
	s = step(s, EVENT_ESCALATE);
	assert_int_equal(s, DISPUTE_PLATFORM_REVIEW);
	s = step(s, EVENT_DECISION);
	assert_int_equal(s, DISPUTE_DECIDED);
	s = step(s, EVENT_TIMEOUT_APPEAL);
	assert_int_equal(s, DISPUTE_EXECUTING);
	s = step(s, EVENT_SETTLED);
	assert_int_equal(s, DISPUTE_RESOLVED);
}

static void negotiating_is_optional(void **state)
{
	const struct transition *got[8];
	size_t n;

	(void)state;
	/* the merchant's silence: past negotiating, straight to review (unless granted) */
	n = rows_for(DISPUTE_AWAITING_MERCHANT, EVENT_TIMEOUT_MERCHANT_RESPONSE, got, 8);
	assert_true(n > 0);
	assert_int_equal(got[n - 1]->next, DISPUTE_PLATFORM_REVIEW);
	assert_null(got[n - 1]->guard);
	/* the merchant accepting: agreed, straight to executing */
	assert_int_equal(step(DISPUTE_AWAITING_MERCHANT, EVENT_MERCHANT_ACCEPT), DISPUTE_EXECUTING);
}

static void only_an_appeal_goes_back(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < dispute_transitions_len; i++) {
		const struct transition *t = &dispute_transitions[i];
		int s;

		for (s = 0; s < DISPUTE_STATE__COUNT; s++)
			if ((t->from & STATE(s)) && t->next < (enum dispute_state)s)
				assert_int_equal(t->event, EVENT_APPEAL);
	}
}

static void every_state_is_reachable_from_opening(void **state)
{
	unsigned seen = STATE(DISPUTE_AWAITING_MERCHANT), before;
	size_t i;

	(void)state;
	do {
		before = seen;
		for (i = 0; i < dispute_transitions_len; i++)
			if (dispute_transitions[i].from & seen)
				seen |= STATE(dispute_transitions[i].next);
	} while (seen != before);
	assert_int_equal(seen, STATE(DISPUTE_STATE__COUNT) - 1u);
}

static void timers_fire_timeouts_and_only_timeouts(void **state)
{
	char name[64];
	size_t i;
	int step, found;

	(void)state;
	for (i = 0; i < dispute_transitions_len; i++) {
		const struct transition *t = &dispute_transitions[i];

		/* the system fires the timeouts, settles an execution whose money moved, and
		   records a return's logistics */
		assert_int_equal(t->who == WHO_SYSTEM,
				 dispute_event_is_timeout(t->event) || t->event == EVENT_SETTLED ||
					 t->event == EVENT_RETURN_LOGISTICS);
	}
	/* every timeout is "timeout:" and a rules step or the return's period, which is what a
	   timer names */
	for (i = 0; i < EVENT__COUNT; i++) {
		if (!dispute_event_is_timeout(i))
			continue;
		found = strcmp(dispute_event_names[i], "timeout:" DISPUTE_RETURN_STEP) == 0;
		for (step = 0; step < RULES_STEP__COUNT; step++) {
			snprintf(name, sizeof(name), "timeout:%s", rules_step_name(step));
			found |= strcmp(name, dispute_event_names[i]) == 0;
		}
		if (!found)
			fail_msg("%s names no rules step", dispute_event_names[i]);
	}
}

/* Who may take each action (the route table asks dispute_action_allowed). */
static void who_may_act_follows_the_table(void **state)
{
	static const struct {
		enum dispute_action action;
		unsigned who; /* besides the platform, which may take every action */
	} may[] = {
		{ACTION_RESPONSES, M},    {ACTION_ACCEPT_OFFER, C | M}, {ACTION_ESCALATE, C},
		{ACTION_WITHDRAW, C},     {ACTION_EXTERNAL, C},     {ACTION_DECISION, A},
		{ACTION_APPEAL, C | M},   {ACTION_MESSAGES, C | M}, {ACTION_EXECUTED, A},
		{ACTION_WAIVE_APPEAL, C | M}, {ACTION_CONFIRM_RETURN, M}, {ACTION_COUNTER, C},
	};
	/* the roles the dispute routes admit, and the timers; the route table keeps others off */
	static const int roles[] = {ACTOR_PLATFORM, ACTOR_AGENT, ACTOR_CONSUMER, ACTOR_MERCHANT,
				    ACTOR_SYSTEM};
	size_t i, k;
	int r, want;

	(void)state;
	assert_int_equal(sizeof(may) / sizeof(may[0]), ACTION__COUNT);
	for (i = 0; i < ACTION__COUNT; i++)
		for (k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
			r = roles[k];
			want = r == ACTOR_PLATFORM ||
			       (r != ACTOR_SYSTEM && (may[i].who & WHO(r)) != 0);
			if (dispute_action_allowed(may[i].action, actor_role_names[r]) != want)
				fail_msg("%s %s %s", actor_role_names[r], want ? "may" : "may not",
					 dispute_action_names[may[i].action]);
		}
}

/* Every name table has one name per value, then NULL, and finds its own names. */
static void name_tables_match_their_enums(void **state)
{
	static const struct {
		const char *const *names;
		int count;
	} tables[] = {
		{dispute_state_names, DISPUTE_STATE__COUNT},
		{claim_type_names, CLAIM__COUNT},
		{dispute_reason_names, REASON__COUNT},
		{outcome_names, OUTCOME__COUNT},
		{dispute_action_names, ACTION__COUNT},
		{merchant_response_names, RESPONSE__COUNT},
		{dispute_event_names, EVENT__COUNT},
		{actor_role_names, ACTOR__COUNT},
		{merchant_flag_names, MERCHANT_FLAG__COUNT},
		{return_status_names, RETURN__COUNT},
		{rules_tier_names, RULES_TIER__COUNT},
	};
	size_t t;
	int i;

	(void)state;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (i = 0; i < tables[t].count; i++) {
			assert_non_null(tables[t].names[i]);
			assert_int_equal(vocab_find(tables[t].names, tables[t].names[i]), i);
		}
		assert_null(tables[t].names[tables[t].count]);
		assert_int_equal(vocab_find(tables[t].names, "no_such_name"), -1);
	}
}

/* ---- negotiation in rounds: the guards on a dispute as stored ---- */

/* A negotiating dispute whose history holds `steps` ("m" merchant offer, "c" counter). */
static json_t *negotiating(const char *steps)
{
	json_t *d = json_pack("{s:s, s:s, s:[], s:n, s:{s:s, s:s, s:s}}", "id", "dsp_x", "state",
			      "negotiating", "negotiation", "offer", "next", "actor", "consumer",
			      "action", "x", "due_at", "2025-10-02T02:00:00Z");
	json_t *h = json_object_get(d, "negotiation");
	int round = 0;

	for (; *steps; steps++) {
		int merchant = *steps == 'm';

		round += merchant;
		json_array_append_new(h, json_pack("{s:i, s:s, s:s}", "round", round, "by",
						   merchant ? "merchant" : "consumer", "action",
						   merchant ? "offer" : "counter"));
		json_object_set_new(d, "offer", json_pack("{s:s, s:s}", "id", "ofr_1", "by",
							  merchant ? "merchant" : "consumer"));
	}
	return d;
}

/* Run `guard` on `d` as `role` with `in` at 2025-10-01; 1 if it takes the row, else the error. */
static int try_guard(guard_fn *guard, json_t *d, const char *role, enum dispute_event ev,
		     json_t *in, int64_t now, struct err *e)
{
	static struct rules r;
	struct cases c = {NULL, &r, NULL};
	struct actor a = {role, "x", NULL};
	struct dispute_call dc;
	struct move m;
	int took;

	r.negotiation_rounds = 3;
	r.version = "test";
	memset(&dc, 0, sizeof(dc));
	move_init(&m, &c, &a, d, in, now ? now : 1759284000000LL, &dc);
	m.event = ev;
	err_clear(e);
	took = guard(&m, e);
	move_release(&m);
	return took;
}

static void rounds_alternate_and_end_at_the_rules_limit(void **state)
{
	json_t *d, *in = json_pack("{s:s}", "offer", "ofr_1");
	struct err e;

	(void)state;
	/* round 1: the merchant offered; the consumer may counter, the merchant not revise */
	d = negotiating("m");
	assert_int_equal(dispute_round(d), 1);
	assert_string_equal(dispute_turn(d), "consumer");
	assert_true(try_guard(dispute_g_counter, d, "consumer", EVENT_CONSUMER_COUNTER, NULL, 0,
			      &e));
	assert_false(try_guard(dispute_g_revise, d, "merchant", EVENT_MERCHANT_COUNTER, NULL, 0,
			       &e));
	assert_string_equal(e.code, "wrong_state");
	assert_non_null(strstr(e.message, "consumer"));
	/* the merchant may not accept its own offer, the consumer may */
	assert_false(try_guard(dispute_g_accept_merchant_offer, d, "merchant", EVENT_ACCEPT_OFFER,
			       in, 0, &e));
	assert_int_equal(e.rc, RC_FORBIDDEN);
	assert_true(try_guard(dispute_g_accept_merchant_offer, d, "consumer", EVENT_ACCEPT_OFFER,
			      in, 0, &e));
	/* past the step's deadline a counter-offer is refused */
	assert_false(try_guard(dispute_g_counter, d, "consumer", EVENT_CONSUMER_COUNTER, NULL,
			       1759370400000LL, &e));
	assert_string_equal(e.code, "deadline_passed");
	json_decref(d);
	/* the consumer countered: the merchant's turn, to revise, accept or reject */
	d = negotiating("mc");
	assert_string_equal(dispute_turn(d), "merchant");
	assert_true(try_guard(dispute_g_revise, d, "merchant", EVENT_MERCHANT_COUNTER, NULL, 0, &e));
	assert_true(try_guard(dispute_g_merchant_turn, d, "merchant", EVENT_MERCHANT_REJECT, NULL,
			      0, &e));
	assert_false(try_guard(dispute_g_counter, d, "consumer", EVENT_CONSUMER_COUNTER, NULL, 0,
			       &e));
	assert_string_equal(e.code, "wrong_state");
	/* accept_offer: the first row leaves a counter-offer to the second */
	assert_false(try_guard(dispute_g_accept_merchant_offer, d, "merchant", EVENT_ACCEPT_OFFER,
			       in, 0, &e));
	assert_int_equal(e.rc, RC_OK);
	assert_true(try_guard(dispute_g_accept_counter, d, "merchant", EVENT_ACCEPT_OFFER, in, 0,
			      &e));
	assert_false(try_guard(dispute_g_accept_counter, d, "consumer", EVENT_ACCEPT_OFFER, in, 0,
			       &e));
	assert_int_equal(e.rc, RC_FORBIDDEN);
	json_decref(d);
	/* round 3 of 3: no counter-offer, only accept or escalate */
	d = negotiating("mcmcm");
	assert_int_equal(dispute_round(d), 3);
	assert_false(try_guard(dispute_g_counter, d, "consumer", EVENT_CONSUMER_COUNTER, NULL, 0,
			       &e));
	assert_string_equal(e.code, "rounds_exhausted");
	assert_true(try_guard(dispute_g_accept_merchant_offer, d, "consumer", EVENT_ACCEPT_OFFER,
			      in, 0, &e));
	json_decref(d);
	json_decref(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_state_and_event_gets_the_designed_answer),
		cmocka_unit_test(final_states_take_no_event_but_a_surviving_execution),
		cmocka_unit_test(withdrawn_and_external_from_every_live_state_by_the_consumer),
		cmocka_unit_test(the_designed_path_runs_from_opening_to_resolved),
		cmocka_unit_test(negotiating_is_optional),
		cmocka_unit_test(only_an_appeal_goes_back),
		cmocka_unit_test(every_state_is_reachable_from_opening),
		cmocka_unit_test(timers_fire_timeouts_and_only_timeouts),
		cmocka_unit_test(who_may_act_follows_the_table),
		cmocka_unit_test(name_tables_match_their_enums),
		cmocka_unit_test(rounds_alternate_and_end_at_the_rules_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
