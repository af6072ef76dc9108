/* dispute.c - the dispute lifecycle as one transition table, with its guards and effects, and the timers that fire it. */
#include "cases/dispute_int.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "core/timeutil.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* ---- guards ---- */

static int g_in_time(struct move *m, struct err *e)
{
	int64_t due = dispute_current_due(m->d);
	char t[TIME_TEXT_MAX];

	if (due && m->now >= due) {
		time_format(due, t);
		err_set(e, RC_CONFLICT, "deadline_passed", NULL,
			"the deadline for this step passed at %s", t);
		return 0;
	}
	return 1;
}

/* A fast-lane claim, of a consumer staff have not marked abusive since (then a person reviews it). */
static int g_fast_lane(struct move *m, struct err *e)
{
	int flagged = 0;

	if (vocab_find(rules_tier_names, str(m->d, "tier")) != RULES_TIER_FAST_LANE)
		return 0;
	if (store_consumer_flagged(m->c->st, str(m->d, "consumer"),
				   consumer_flag_names[CONSUMER_FLAG_ABUSIVE], &flagged, e))
		return 0;
	return !flagged;
}

/* A missed deadline is flagged once, however many timers name it. */
static int g_not_overdue(struct move *m, struct err *e)
{
	(void)e;
	return !json_is_true(json_object_get(m->d, "overdue"));
}

int dispute_g_in_time(struct move *m, struct err *e)
{
	return g_in_time(m, e);
}

/* 1 if `party` (consumer, merchant) waived its appeal. */
static int waived(struct move *m, const char *party)
{
	json_t *w;
	size_t i;

	json_array_foreach(json_object_get(m->d, "appeal_waived"), i, w)
		if (party && strcmp(json_string_value(w), party) == 0)
			return 1;
	return 0;
}

static int g_appeal(struct move *m, struct err *e)
{
	if (!g_in_time(m, e))
		return 0;
	if (json_is_true(json_object_get(m->d, "appealed"))) {
		err_set(e, RC_CONFLICT, "appeal_used", NULL,
			"this dispute has already been appealed once");
		return 0;
	}
	if (waived(m, m->a->role)) {
		err_set(e, RC_CONFLICT, "appeal_waived", NULL,
			"the %s waived its appeal of this decision", m->a->role);
		return 0;
	}
	return 1;
}

/* A party waives once, in time; the row that makes the decision final needs the other's too. */
static int g_waive(struct move *m, struct err *e)
{
	if (!g_in_time(m, e))
		return 0;
	if (waived(m, m->party)) {
		err_set(e, RC_CONFLICT, "appeal_waived", NULL, "the %s already waived its appeal",
			m->party);
		return 0;
	}
	return 1;
}

static int g_waive_last(struct move *m, struct err *e)
{
	const char *other = strcmp(m->party, actor_role_names[ACTOR_CONSUMER]) == 0
				    ? actor_role_names[ACTOR_MERCHANT]
				    : actor_role_names[ACTOR_CONSUMER];

	return g_waive(m, e) && waived(m, other);
}

/* A decision on appeal is final. */
static int g_appealed(struct move *m, struct err *e)
{
	(void)e;
	return json_is_true(json_object_get(m->d, "appealed"));
}

/* The appeal window closes on an outcome with nothing to carry out. */
static int g_nothing_to_do(struct move *m, struct err *e)
{
	(void)e;
	return vocab_find(outcome_names, str(json_object_get(m->d, "outcome"), "outcome")) ==
		       OUTCOME_REJECTED &&
	       !dispute_funds_pending(m->d);
}

/* After the consumer ended the dispute, an outcome that stood is still carried out. */
static int g_execution_open(struct move *m, struct err *e)
{
	(void)e;
	return json_is_object(json_object_get(m->d, "outcome")) &&
	       !json_is_string(json_object_get(m->d, "executed_at")) &&
	       !dispute_return_blocks(m->d) &&
	       vocab_find(outcome_names, str(json_object_get(m->d, "outcome"), "outcome")) !=
		       OUTCOME_REJECTED;
}

/* ---- effects ---- */

/* The platform's duty in review: to decide, or to decide an appeal. */
static enum duty review_duty(struct move *m)
{
	return json_is_true(json_object_get(m->d, "appealed")) ? DUTY_APPEAL : DUTY_DECIDE;
}

/* The appeal window opens on an outcome. */
static int open_appeal(struct move *m, struct err *e)
{
	return dispute_start_step(m, RULES_STEP_APPEAL, "parties", "appeal", DISPUTE_DECIDED, e);
}

/* The claim as made, granted: by the merchant's acceptance or its silence. */
static void outcome_claim(struct move *m)
{
	json_t *claim = json_object_get(m->d, "claim");
	int timer = strcmp(m->a->role, actor_role_names[ACTOR_SYSTEM]) == 0;
	json_t *reasons = json_pack(
		"[{s:s, s:s}]", "code", timer ? "merchant_no_response" : "merchant_accepted",
		"text",
		timer ? "the merchant did not answer in time; the claim is granted"
		      : "the merchant accepted the claim");
	int type = vocab_find(claim_type_names, str(claim, "type"));

	dispute_set_outcome(m, outcome_of_claim((enum dispute_claim_type)type),
			    json_object_get(claim, "amount"), reasons, timer ? "timeout" : "merchant");
	json_decref(reasons);
}

/* The outcome is done: money moved or the agent confirmed it. */
static void mark_executed(struct move *m)
{
	json_object_set_new(m->d, "executed_at", jx_time_json(m->now));
}

/* Carry the outcome's money out now; m->settled says whether all of it moved. */
static int settle(struct move *m, struct err *e)
{
	int settled = 0, rc = dispute_funds_settle(m, &settled, e);

	m->settled = !rc && settled;
	return rc;
}

int dispute_carry_out(struct move *m, struct err *e)
{
	int rc = dispute_start_step(m, RULES_STEP_EXECUTION, "platform", "execute",
				    DISPUTE_EXECUTING, e);

	if (!rc)
		rc = dispute_oblige(m, DUTY_EXECUTE, dispute_current_due(m->d), e);
	if (!rc && dispute_outcome_is_money(m->d))
		rc = settle(m, e);
	/* goods or a repair moves no money: what a serious claim or a decision held is freed */
	else if (!rc)
		rc = dispute_funds_release(m, e);
	return rc;
}

/*
 * The outcome is final: carried out at once, its money moved, unless it
 * refunds a return_refund, which first waits for the goods to come back.
 */
static int a_execute(struct move *m, struct err *e)
{
	if (dispute_return_needed(m->d))
		return dispute_return_await(m, e);
	return dispute_carry_out(m, e);
}

/* The merchant accepted the claim: agreed, final, carried out at once. */
static int a_agreed_claim(struct move *m, struct err *e)
{
	outcome_claim(m);
	return a_execute(m, e);
}

/* A fast-lane claim granted on the merchant's silence is paid at once; the appeal window opens. */
static int a_granted(struct move *m, struct err *e)
{
	int rc;

	outcome_claim(m);
	rc = open_appeal(m, e);
	if (!rc)
		rc = settle(m, e);
	return rc;
}

static int a_review(struct move *m, struct err *e)
{
	int rc = dispute_start_step(m, RULES_STEP_PLATFORM_REVIEW, "platform", "decide",
				    DISPUTE_PLATFORM_REVIEW, e);

	if (!rc)
		rc = dispute_oblige(m, review_duty(m), dispute_current_due(m->d), e);
	return rc;
}

/* The merchant rejected the consumer's counter-offer: the platform decides. */
static int a_reject_counter(struct move *m, struct err *e)
{
	int rc = dispute_a_reject_counter(m, e);

	return rc ? rc : a_review(m, e);
}

/* A decision's reasons must bear it out (dispute_reasons.c); one on appeal is final. */
static int g_appealed_decision(struct move *m, struct err *e)
{
	return g_appealed(m, e) && dispute_g_decision(m, e);
}

/*
 * A party accepted the other's standing offer (the consumer the merchant's,
 * the merchant the consumer's counter-offer): agreed, final, carried out at once.
 */
static int a_agreed_offer(struct move *m, struct err *e)
{
	json_t *offer = json_object_get(m->d, "offer");
	int counter = str(offer, "by") &&
		      strcmp(str(offer, "by"), actor_role_names[ACTOR_CONSUMER]) == 0;
	json_t *reasons = json_pack("[{s:s, s:s}]", "code",
				    counter ? "merchant_accepted" : "offer_accepted", "text",
				    counter ? "the merchant accepted the consumer's counter-offer"
					    : "the consumer accepted the merchant's offer");
	int type = vocab_find(claim_type_names, str(offer, "type"));
	enum dispute_outcome outcome = outcome_of_claim((enum dispute_claim_type)type);

	/* a refund of less than the claim is a partial refund, not a full one */
	if (outcome == OUTCOME_FULL_REFUND &&
	    json_integer_value(json_object_get(json_object_get(offer, "amount"), "amount")) <
		    json_integer_value(json_object_get(
			    json_object_get(json_object_get(m->d, "claim"), "amount"), "amount")))
		outcome = OUTCOME_PARTIAL_REFUND;
	dispute_set_outcome(m, outcome, json_object_get(offer, "amount"), reasons, "agreement");
	json_decref(reasons);
	return a_execute(m, e);
}

/* The platform's decision stands as the outcome; its duty is met. */
static int decide(struct move *m, struct err *e)
{
	int outcome = vocab_find(outcome_names, str(m->in, "outcome"));
	int rc = dispute_meet(m, review_duty(m), e);

	if (rc)
		return rc;
	dispute_set_outcome(m, (enum dispute_outcome)outcome, json_object_get(m->in, "amount"),
			    json_object_get(m->in, "reasons"), "platform");
	json_object_set_new(m->d, "overdue", json_false());
	return RC_OK;
}

/* A decision: the sum it grants (beyond what was paid) is held at once; the appeal window opens. */
static int a_decide(struct move *m, struct err *e)
{
	int64_t owed;
	int paid = 0, rc = decide(m, e);

	if (rc)
		return rc;
	owed = dispute_outcome_fen(m->d) -
	       json_integer_value(json_object_get(
		       json_object_get(json_object_get(m->d, "funds"), "paid"), "amount"));
	/* against a merchant flagged for repeated fraud the rules may pay first at once */
	rc = dispute_funds_pay_first(m, owed, &paid, e);
	if (!rc && !paid)
		rc = dispute_funds_hold(m, dispute_outcome_is_money(m->d) ? owed : 0, "decision",
					e);
	if (!rc)
		rc = open_appeal(m, e);
	return rc;
}

/* A decision on appeal is final: carried out at once. */
static int a_decide_final(struct move *m, struct err *e)
{
	int rc = decide(m, e);

	if (!rc)
		rc = a_execute(m, e);
	return rc;
}

static int a_overdue(struct move *m, struct err *e)
{
	enum duty duty = vocab_find(dispute_state_names, str(m->d, "state")) == DISPUTE_EXECUTING
				 ? DUTY_EXECUTE
				 : review_duty(m);

	json_object_set_new(m->d, "overdue", json_true());
	return store_obligation_breach(m->c->st, str(m->d, "id"), duty_names[duty], m->now, e);
}

static int a_appeal(struct move *m, struct err *e)
{
	json_object_set_new(m->d, "appealed", json_true());
	return a_review(m, e);
}

static void add_waiver(struct move *m)
{
	json_t *w = json_object_get(m->d, "appeal_waived");

	if (!json_is_array(w)) {
		w = json_array();
		json_object_set_new(m->d, "appeal_waived", w);
	}
	json_array_append_new(w, json_string(m->party));
}

static int a_waive(struct move *m, struct err *e)
{
	(void)e;
	add_waiver(m);
	return RC_OK;
}

/* Both parties waived: the decision is final and carried out at once. */
static int a_waive_execute(struct move *m, struct err *e)
{
	add_waiver(m);
	return a_execute(m, e);
}

static int a_end(struct move *m, struct err *e)
{
	(void)e;
	json_object_set_new(m->d, "next", json_null());
	json_object_set_new(m->d, "overdue", json_false());
	return RC_OK;
}

/* The appeal window closed on a rejection with nothing held or paid. */
static int a_conclude(struct move *m, struct err *e)
{
	int rc = dispute_funds_release(m, e);

	if (!rc)
		rc = a_end(m, e);
	return rc;
}

/*
 * The agent says the outcome is carried out: for one without money, its
 * word; for a money outcome whose execution could not complete (the
 * guarantee fund was short), a retry that must now move it all.
 */
static int a_executed(struct move *m, struct err *e)
{
	int rc = RC_OK;

	if (dispute_outcome_is_money(m->d)) {
		rc = settle(m, e);
		if (!rc && !m->settled)
			return err_set(e, RC_CONFLICT, "insufficient_funds", NULL,
				       "the outcome's money cannot move yet: %s",
				       str(json_object_get(m->d, "funds"), "blocked"));
	}
	if (!rc)
		rc = dispute_meet(m, DUTY_EXECUTE, e);
	if (!rc) {
		mark_executed(m);
		rc = a_end(m, e);
	}
	return rc;
}

/* The money has all moved: the outcome is carried out without an agent. */
static int a_settled(struct move *m, struct err *e)
{
	int rc = dispute_meet(m, DUTY_EXECUTE, e);

	if (!rc) {
		mark_executed(m);
		rc = a_end(m, e);
	}
	return rc;
}

/* Why the consumer's end of the dispute cancels a duty, as the report lists it. */
static const char *close_reason(struct move *m)
{
	return m->event == EVENT_EXTERNAL ? "consumer_went_external" : "consumer_withdrew";
}

/*
 * The consumer ended the dispute. Without an outcome, the platform's open
 * duties fall away (cancelled, with the reason) and the hold is released.
 * An outcome that stands survives: its money moves now and the duty to
 * carry it out stays open until it is met.
 */
static int a_close(struct move *m, struct err *e)
{
	const char *id = str(m->d, "id");
	int64_t due = 0;
	int uncovered = 0, rc = RC_OK;

	/* a refund that waits for the goods: it follows them if they were sent back */
	if (dispute_return_needed(m->d) || dispute_return_pending(m->d))
		return dispute_return_close(m, close_reason(m), e);
	/* no outcome, or a rejection that stood: nothing is owed, what is open falls away */
	if (!json_is_object(json_object_get(m->d, "outcome")) ||
	    (vocab_find(outcome_names, str(json_object_get(m->d, "outcome"), "outcome")) ==
		     OUTCOME_REJECTED &&
	     !dispute_funds_pending(m->d))) {
		rc = store_obligation_cancel_open(m->c->st, id, close_reason(m), m->now, e);
		if (!rc)
			rc = dispute_funds_release(m, e);
		return rc ? rc : a_end(m, e);
	}
	/* in decided the appeal window ran: the duty to execute arises now */
	if (m->from == DISPUTE_DECIDED) {
		if (rules_deadline(m->c->rules, m->c->cal, RULES_STEP_EXECUTION, m->now, &due,
				   &uncovered))
			return err_set(e, RC_INVAL, NULL, NULL,
				       "cannot compute the execution deadline");
		rc = dispute_oblige(m, DUTY_EXECUTE, due, e);
	}
	if (!rc && dispute_outcome_is_money(m->d)) {
		rc = settle(m, e);
		if (!rc && m->settled) {
			rc = dispute_meet(m, DUTY_EXECUTE, e);
			mark_executed(m);
		}
	}
	return rc ? rc : a_end(m, e);
}

static int a_external(struct move *m, struct err *e)
{
	json_t *ref = json_object_get(m->in, "reference");

	json_object_set_new(m->d, "external",
			    json_pack("{s:O, s:O, s:o}", "body", json_object_get(m->in, "body"),
				      "reference", ref ? ref : json_null(), "at",
				      jx_time_json(m->now)));
	return a_close(m, e);
}

/* ---- the table ---- */

#define AWAITING STATE(DISPUTE_AWAITING_MERCHANT)
#define NEGOTIATING STATE(DISPUTE_NEGOTIATING)
#define REVIEW STATE(DISPUTE_PLATFORM_REVIEW)
#define DECIDED STATE(DISPUTE_DECIDED)
#define EXECUTING STATE(DISPUTE_EXECUTING)
#define WITHDRAWN STATE(DISPUTE_WITHDRAWN)
#define EXTERNAL STATE(DISPUTE_EXTERNAL)

/*
 * The lifecycle. Rows are tried in order; for one state and event the
 * first row whose guard holds is taken (timeouts choose by guard; an
 * action's guard failing is a 409 saying why).
 */
const struct transition dispute_transitions[] = {
	{AWAITING, EVENT_MERCHANT_ACCEPT, WHO_MERCHANT, g_in_time, DISPUTE_EXECUTING,
	 a_agreed_claim, "the merchant accepted the claim: the outcome is agreed, final and "
	 "carried out at once"},
	{AWAITING, EVENT_MERCHANT_COUNTER, WHO_MERCHANT, g_in_time, DISPUTE_NEGOTIATING,
	 dispute_a_offer, "the merchant made a counter-offer: round 1 of the negotiation"},
	{AWAITING, EVENT_MERCHANT_REJECT, WHO_MERCHANT, g_in_time, DISPUTE_NEGOTIATING,
	 dispute_a_reject, "the merchant rejected the claim"},
	/* the merchant silent on the claim, or on the consumer's counter-offer */
	{AWAITING | NEGOTIATING, EVENT_TIMEOUT_MERCHANT_RESPONSE, WHO_SYSTEM, g_fast_lane,
	 DISPUTE_DECIDED, a_granted, "the merchant did not respond in time; a fast-lane claim is "
	 "granted and paid at once"},
	{AWAITING | NEGOTIATING, EVENT_TIMEOUT_MERCHANT_RESPONSE, WHO_SYSTEM, NULL,
	 DISPUTE_PLATFORM_REVIEW, a_review,
	 "the merchant did not respond in time; the platform reviews the claim"},
	/* negotiation in rounds (dispute_negotiate.c): the standing offer is accepted by the
	   party it was made to */
	{NEGOTIATING, EVENT_ACCEPT_OFFER, WHO_CONSUMER | WHO_MERCHANT,
	 dispute_g_accept_merchant_offer, DISPUTE_EXECUTING, a_agreed_offer,
	 "the consumer accepted the merchant's offer: the outcome is agreed, final and carried "
	 "out at once"},
	{NEGOTIATING, EVENT_ACCEPT_OFFER, WHO_CONSUMER | WHO_MERCHANT, dispute_g_accept_counter,
	 DISPUTE_EXECUTING, a_agreed_offer,
	 "the merchant accepted the consumer's counter-offer: the outcome is agreed, final and "
	 "carried out at once"},
	{NEGOTIATING, EVENT_CONSUMER_COUNTER, WHO_CONSUMER, dispute_g_counter, DISPUTE_NEGOTIATING,
	 dispute_a_counter, "the consumer answered the merchant with a counter-offer"},
	{NEGOTIATING, EVENT_MERCHANT_ACCEPT, WHO_MERCHANT, dispute_g_accept_counter,
	 DISPUTE_EXECUTING, a_agreed_offer,
	 "the merchant accepted the consumer's counter-offer: the outcome is agreed, final and "
	 "carried out at once"},
	{NEGOTIATING, EVENT_MERCHANT_COUNTER, WHO_MERCHANT, dispute_g_revise, DISPUTE_NEGOTIATING,
	 dispute_a_offer, "the merchant revised its offer: the next round of the negotiation"},
	{NEGOTIATING, EVENT_MERCHANT_REJECT, WHO_MERCHANT, dispute_g_merchant_turn,
	 DISPUTE_PLATFORM_REVIEW, a_reject_counter,
	 "the merchant rejected the consumer's counter-offer; the platform reviews the claim"},
	{NEGOTIATING, EVENT_ESCALATE, WHO_CONSUMER, g_in_time, DISPUTE_PLATFORM_REVIEW, a_review,
	 "the consumer asked the platform to decide"},
	{NEGOTIATING, EVENT_TIMEOUT_CONSUMER_REPLY, WHO_SYSTEM, NULL, DISPUTE_PLATFORM_REVIEW,
	 a_review, "the consumer did not reply in time; the platform reviews the claim"},
	{REVIEW, EVENT_DECISION, WHO_AGENT, g_appealed_decision, DISPUTE_EXECUTING, a_decide_final,
	 "the platform decided the appeal: the decision is final and carried out"},
	{REVIEW, EVENT_DECISION, WHO_AGENT, dispute_g_decision, DISPUTE_DECIDED, a_decide,
	 "the platform decided"},
	{REVIEW, EVENT_TIMEOUT_PLATFORM_REVIEW, WHO_SYSTEM, g_not_overdue, DISPUTE_PLATFORM_REVIEW,
	 a_overdue, "the platform missed its decision deadline: the dispute is overdue"},
	{DECIDED, EVENT_APPEAL, WHO_CONSUMER | WHO_MERCHANT, g_appeal, DISPUTE_PLATFORM_REVIEW,
	 a_appeal, "a party appealed the decision with new information"},
	{DECIDED, EVENT_WAIVE_APPEAL, WHO_CONSUMER | WHO_MERCHANT, g_waive_last, DISPUTE_EXECUTING,
	 a_waive_execute, "both parties waived their appeal: the decision is final and carried "
	 "out"},
	{DECIDED, EVENT_WAIVE_APPEAL, WHO_CONSUMER | WHO_MERCHANT, g_waive, DISPUTE_DECIDED,
	 a_waive, "a party waived its appeal"},
	{DECIDED, EVENT_TIMEOUT_APPEAL, WHO_SYSTEM, g_nothing_to_do, DISPUTE_RESOLVED, a_conclude,
	 "the appeal window closed; nothing is left to do"},
	{DECIDED, EVENT_TIMEOUT_APPEAL, WHO_SYSTEM, NULL, DISPUTE_EXECUTING, a_execute,
	 "the appeal window closed; the decision is carried out"},
	{EXECUTING, EVENT_EXECUTED, WHO_AGENT, dispute_g_no_return_wait, DISPUTE_RESOLVED,
	 a_executed, "the platform carried out the decision"},
	{EXECUTING, EVENT_SETTLED, WHO_SYSTEM, NULL, DISPUTE_RESOLVED, a_settled,
	 "the money has all moved: the outcome is carried out"},
	{EXECUTING, EVENT_TIMEOUT_EXECUTION, WHO_SYSTEM, g_not_overdue, DISPUTE_EXECUTING,
	 a_overdue, "the platform missed its execution deadline: the dispute is overdue"},
	{EXECUTING, EVENT_RETURN_LOGISTICS, WHO_SYSTEM, dispute_g_return_open, DISPUTE_EXECUTING,
	 dispute_return_logistics, "the consumer's return shipment moved"},
	{EXECUTING, EVENT_CONFIRM_RETURN, WHO_MERCHANT, dispute_g_return_shipped,
	 DISPUTE_EXECUTING, dispute_return_received,
	 "the merchant confirmed it received the return: the refund is carried out"},
	{EXECUTING, EVENT_TIMEOUT_RETURN_RECEIPT, WHO_SYSTEM, dispute_g_return_signed,
	 DISPUTE_EXECUTING, dispute_return_received,
	 "the merchant did not confirm the return within the rules' period after it was signed "
	 "for: the refund is carried out"},
	{STATES_LIVE, EVENT_WITHDRAW, WHO_CONSUMER, NULL, DISPUTE_WITHDRAWN, a_close,
	 "the consumer withdrew"},
	{STATES_LIVE, EVENT_EXTERNAL, WHO_CONSUMER, NULL, DISPUTE_EXTERNAL, a_external,
	 "the consumer took the dispute to a court or consumer association"},
	{WITHDRAWN, EVENT_EXECUTED, WHO_AGENT, g_execution_open, DISPUTE_WITHDRAWN, a_executed,
	 "the platform carried out the outcome that stood when the consumer withdrew"},
	{EXTERNAL, EVENT_EXECUTED, WHO_AGENT, g_execution_open, DISPUTE_EXTERNAL, a_executed,
	 "the platform carried out the outcome that stood when the consumer went elsewhere"},
	/* goods already sent back when the consumer left: the refund still follows them */
	{WITHDRAWN, EVENT_RETURN_LOGISTICS, WHO_SYSTEM, dispute_g_return_open, DISPUTE_WITHDRAWN,
	 dispute_return_logistics, "the consumer's return shipment moved"},
	{EXTERNAL, EVENT_RETURN_LOGISTICS, WHO_SYSTEM, dispute_g_return_open, DISPUTE_EXTERNAL,
	 dispute_return_logistics, "the consumer's return shipment moved"},
	{WITHDRAWN, EVENT_CONFIRM_RETURN, WHO_MERCHANT, dispute_g_return_shipped,
	 DISPUTE_WITHDRAWN, dispute_return_received,
	 "the merchant confirmed it received the return: the refund is carried out"},
	{EXTERNAL, EVENT_CONFIRM_RETURN, WHO_MERCHANT, dispute_g_return_shipped, DISPUTE_EXTERNAL,
	 dispute_return_received,
	 "the merchant confirmed it received the return: the refund is carried out"},
	{WITHDRAWN, EVENT_TIMEOUT_RETURN_RECEIPT, WHO_SYSTEM, dispute_g_return_signed,
	 DISPUTE_WITHDRAWN, dispute_return_received,
	 "the merchant did not confirm the return within the rules' period after it was signed "
	 "for: the refund is carried out"},
	{EXTERNAL, EVENT_TIMEOUT_RETURN_RECEIPT, WHO_SYSTEM, dispute_g_return_signed,
	 DISPUTE_EXTERNAL, dispute_return_received,
	 "the merchant did not confirm the return within the rules' period after it was signed "
	 "for: the refund is carried out"},
};

const size_t dispute_transitions_len = sizeof(dispute_transitions) / sizeof(dispute_transitions[0]);

unsigned dispute_event_who(enum dispute_event ev)
{
	unsigned who = 0;
	size_t i;

	for (i = 0; i < dispute_transitions_len; i++)
		if (dispute_transitions[i].event == ev)
			who |= dispute_transitions[i].who;
	return who;
}

unsigned dispute_who_bit(const struct actor *a)
{
	enum actor_role r;

	if (actor_role_parse(a->role, &r))
		return WHO_AGENT;
	switch (r) {
	case ACTOR_CONSUMER:
	case ACTOR_MERCHANT:
	case ACTOR_SYSTEM:
		return WHO(r);
	default:
		return WHO_AGENT;
	}
}

/* The event type recorded for a table event. */
static const char *event_type(enum dispute_event ev)
{
	return dispute_event_is_timeout(ev) ? "timeout" : dispute_event_names[ev];
}

/* The webhook that says a dispute entered `state`, besides dispute.updated; NULL if none. */
static const char *entered_hook(enum dispute_state state)
{
	switch (state) {
	case DISPUTE_DECIDED:
		return "dispute.decided";
	case DISPUTE_RESOLVED:
		return "dispute.resolved";
	case DISPUTE_WITHDRAWN:
		return "dispute.withdrawn";
	case DISPUTE_EXTERNAL:
		return "dispute.external";
	default:
		return NULL;
	}
}

/* The row for the dispute's state and m->event, or NULL with `e` saying why. */
static const struct transition *find_row(struct move *m, int on_behalf, struct err *e)
{
	const char *state = str(m->d, "state"), *event = dispute_event_names[m->event];
	enum dispute_state s;
	unsigned who = dispute_who_bit(m->a);
	int matched = 0;
	size_t i;

	if (dispute_state_parse(state, &s)) {
		err_set(e, RC_CONFLICT, "wrong_state", NULL, "a dispute in state %s cannot take %s",
			state, event);
		return NULL;
	}
	for (i = 0; i < dispute_transitions_len; i++) {
		const struct transition *t = &dispute_transitions[i];

		if (t->event != m->event || !(t->from & STATE(s)))
			continue;
		matched = 1;
		if (!(t->who & who) && !(on_behalf && who == WHO_AGENT)) {
			err_set(e, RC_FORBIDDEN, "forbidden", NULL, "a %s may not %s a dispute",
				m->a->role, event);
			return NULL;
		}
		err_clear(e);
		if (t->guard && !t->guard(m, e)) {
			if (e->rc)
				return NULL;
			continue;
		}
		return t;
	}
	if (matched)
		err_set(e, RC_CONFLICT, "wrong_state", NULL, "no transition for %s in state %s",
			event, state);
	else
		err_set(e, RC_CONFLICT, "wrong_state", NULL, "a dispute in state %s cannot take %s",
			state, event);
	return NULL;
}

/* An executing outcome whose money has all moved is resolved, by the system, at once. */
static int settled(struct move *m, struct err *e)
{
	static const struct actor sys = {"system", "funds", NULL};
	struct move next;

	move_init(&next, m->c, &sys, m->d, NULL, m->now, m->dc);
	next.event = EVENT_SETTLED;
	return dispute_apply(&next, 0, NULL, e);
}

int dispute_apply(struct move *m, int on_behalf, json_t *data, struct err *e)
{
	const struct transition *row = find_row(m, on_behalf, e);
	enum dispute_state from;
	const char *hook;
	int rc;

	if (!row)
		return e->rc;
	from = (enum dispute_state)vocab_find(dispute_state_names, str(m->d, "state"));
	m->from = from;
	if (row->next != from)
		json_object_set_new(m->d, "state", json_string(dispute_state_name(row->next)));
	if (row->effect) {
		rc = row->effect(m, e);
		if (rc) {
			move_release(m);
			return rc;
		}
	}
	rc = dispute_record(m, event_type(m->event), dispute_state_name(from),
			    dispute_state_name(row->next), row->why, json_incref(data), e);
	if (!rc)
		rc = dispute_record_moved(m, e);
	move_release(m);
	if (!rc)
		rc = dispute_save(m, e);
	if (!rc)
		rc = dispute_notify(m, "dispute.updated", e);
	hook = entered_hook(row->next);
	if (!rc && row->next != from && hook)
		rc = dispute_notify(m, hook, e);
	if (!rc && row->next == DISPUTE_EXECUTING && m->settled)
		rc = settled(m, e);
	return rc;
}

/* ---- timers ---- */

/* 1 if `step` (or "reminder:<step>") is the step in progress: the last one started. */
static int is_current_step(json_t *d, const char *step)
{
	json_t *dl = json_object_get(d, "deadlines");
	const char *cur = str(json_array_get(dl, json_array_size(dl) - 1), "step");

	if (strncmp(step, "reminder:", 9) == 0)
		step += 9;
	return !cur || strcmp(cur, step) == 0;
}

/*
 * A timer belongs to the step in progress only if the dispute is still in the
 * timer's state and that step's deadline is the timer's: a state entered twice
 * (platform_review again after an appeal) leaves the first visit's timers
 * behind. A final decision on appeal has no next step; its immediate timer is
 * the current one.
 */
static int timer_is_current(json_t *d, const struct store_timer *t)
{
	int64_t due = dispute_current_due(d);

	/* the return's period belongs to the return, whichever state the dispute is in */
	if (strcmp(t->step, DISPUTE_RETURN_STEP) == 0)
		return dispute_return_timer_current(d, t->due_at);
	if (strcmp(str(d, "state"), t->state) != 0)
		return 0;
	/* a state that runs several steps (negotiating: the consumer's, then the merchant's)
	   leaves the earlier step's timers behind, even when their times coincide */
	if (due && !is_current_step(d, t->step))
		return 0;
	if (strncmp(t->step, "reminder:", 9) == 0)
		return due && due == t->due_at + REMIND_BEFORE_MS;
	return !due || due == t->due_at;
}

/* Fire one due timer of `d`; *fired says whether it still applied. */
static int fire_one(struct cases *c, json_t *d, const struct store_timer *t, int64_t now,
		    struct dispute_call *dc, int *fired, struct err *e)
{
	static const struct actor timer = {"system", "timer", NULL};
	struct move m;
	char event[64];
	int ev, rc;

	*fired = 0;
	if (!timer_is_current(d, t))
		return RC_OK;
	if (strncmp(t->step, "reminder:", 9) == 0) {
		move_init(&m, c, &timer, d, NULL, now, dc);
		*fired = 1;
		return dispute_notify(&m, "dispute.deadline_approaching", e);
	}
	move_init(&m, c, &timer, d, NULL, t->due_at > now ? now : t->due_at, dc);
	snprintf(event, sizeof(event), "timeout:%s", t->step);
	ev = vocab_find(dispute_event_names, event);
	if (ev < 0)
		return RC_OK; /* a step no row times out: nothing to do */
	m.event = (enum dispute_event)ev;
	rc = dispute_apply(&m, 0, NULL, e);
	if (rc == RC_CONFLICT) {
		err_clear(e);
		return RC_OK;
	}
	*fired = !rc;
	return rc;
}

int dispute_fire_due(struct cases *c, int64_t now, struct dispute_call *dc, struct err *e)
{
	struct store_timer t[32];
	int n, i, rc;

	do {
		rc = store_timer_due(c->st, now, t, 32, &n, e);
		if (rc)
			return rc;
		for (i = 0; i < n; i++) {
			json_t *d = NULL;
			int fired = 0;

			rc = store_dispute_get(c->st, t[i].dispute_id, &d, e);
			if (rc)
				return rc;
			rc = fire_one(c, d, &t[i], now, dc, &fired, e);
			json_decref(d);
			if (!rc)
				rc = store_timer_fire(c->st, t[i].seq, now, fired ? "fired" : "void",
						      e);
			if (rc)
				return rc;
			dc->fired++;
		}
	} while (n > 0); /* until a pass finds nothing: firing may start timers already due */
	return RC_OK;
}
