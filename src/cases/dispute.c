/* dispute.c - the dispute lifecycle as one transition table, with its guards, actions, deadlines and obligations. */
#include "cases/dispute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"
#include "evidence/seal.h"
#include "ingest/ingest.h"
#include "notify/webhook.h"

/* Who may fire an event. */
enum {
	WHO_CONSUMER = 1 << 0,
	WHO_MERCHANT = 1 << 1,
	WHO_AGENT = 1 << 2,     /* platform staff: agents and the platform key */
	WHO_SYSTEM = 1 << 3,    /* timers */
};

/* Everything a guard or an action may look at. */
struct move {
	struct cases *c;
	const struct actor *a;
	json_t *d;              /* the dispute, changed in place */
	json_t *in;             /* the request body (NULL for timers) */
	int64_t now;
	struct dispute_call *dc;
	const char *event;
};

typedef int guard_fn(struct move *m, struct err *e);
typedef int action_fn(struct move *m, struct err *e);

struct transition {
	const char *state;      /* from; "*" for every live state */
	const char *event;
	unsigned who;
	guard_fn *guard;        /* NULL: always; else 1 to take this row */
	const char *next;       /* to; NULL to stay */
	action_fn *action;      /* NULL: nothing beyond the move itself */
	const char *why;        /* the event's reason, as recorded */
};

static const char *const live_states[] = {"awaiting_merchant", "negotiating", "platform_review",
					  "decided", "executing", NULL};

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int is_live(const char *state)
{
	size_t i;

	for (i = 0; live_states[i]; i++)
		if (strcmp(live_states[i], state) == 0)
			return 1;
	return 0;
}

static int64_t ms_of(json_t *v)
{
	int64_t ms = 0;

	if (!json_is_string(v) || time_parse(json_string_value(v), &ms))
		return 0;
	return ms;
}

/* The deadline of the step in progress (the one `next` names), or 0. */
static int64_t current_due(json_t *d)
{
	return ms_of(json_object_get(json_object_get(d, "next"), "due_at"));
}

/* ---- deadlines, timers, obligations ---- */

/* dispute.deadline_approaching goes out this long before a deadline. */
#define REMIND_BEFORE_MS (24LL * 3600 * 1000)

/* Tell the platform's webhooks; `type` is dispute.created, dispute.updated, … */
static int notify(struct move *m, const char *type, struct err *e)
{
	return webhook_emit(m->c->st, type, m->d, m->now, e);
}

static int start_step(struct move *m, enum rules_step step, const char *actor,
		      const char *action, const char *state, struct err *e)
{
	int64_t due = 0;
	int uncovered = 0;
	json_t *dl;
	int rc;

	rc = rules_deadline(m->c->rules, m->c->cal, step, m->now, &due, &uncovered);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot compute the %s deadline",
			       rules_step_name(step));
	dl = json_object_get(m->d, "deadlines");
	json_array_append_new(dl, json_pack("{s:s, s:s, s:o}", "step", rules_step_name(step),
					    "actor", actor, "due_at", jx_time_json(due)));
	json_object_set_new(m->d, "next", json_pack("{s:s, s:s, s:o}", "actor", actor, "action",
						   action, "due_at", jx_time_json(due)));
	rc = store_timer_add(m->c->st, str(m->d, "id"), rules_step_name(step), state, due, e);
	if (!rc && due - m->now > REMIND_BEFORE_MS) {
		char reminder[48];

		snprintf(reminder, sizeof(reminder), "reminder:%s", rules_step_name(step));
		rc = store_timer_add(m->c->st, str(m->d, "id"), reminder, state,
				     due - REMIND_BEFORE_MS, e);
	}
	return rc;
}

static int oblige(struct move *m, const char *kind, int64_t due, struct err *e)
{
	return store_obligation_add(m->c->st, str(m->d, "id"), kind, m->now, due, e);
}

static int meet(struct move *m, const char *kind, struct err *e)
{
	int met;

	return store_obligation_meet(m->c->st, str(m->d, "id"), kind, m->now, &met, e);
}

/* ---- the record of what happened ---- */

static json_t *actor_json(const struct actor *a)
{
	json_t *j = json_pack("{s:s, s:s}", "role", a->role, "id", a->id);

	if (j && a->name)
		json_object_set_new(j, "name", json_string(a->name));
	return j;
}

/* The parties see each other's evidence: the dispute owns the blobs its events attach. */
static int ref_blobs(struct store *st, const char *dispute_id, json_t *data, struct err *e)
{
	static const char *const keys[] = {"evidence", "attachments", NULL};
	char hex[65];
	json_t *v;
	size_t i, k;
	int rc;

	for (k = 0; keys[k]; k++)
		json_array_foreach(json_object_get(data, keys[k]), i, v) {
			if (!json_is_string(v) || !blob_parse_id(json_string_value(v), hex))
				continue;
			rc = store_blob_ref(st, hex, STORE_DISPUTE, dispute_id, e);
			if (rc)
				return rc;
		}
	return RC_OK;
}

static int record(struct move *m, const char *type, const char *from, const char *to,
		  const char *reason, json_t *data, struct err *e)
{
	char id[ID_MAX];
	json_t *ev;
	int64_t seq;
	int rc;

	id_new(id, "dev");
	ev = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "object",
		       "dispute_event", "id", id, "dispute", str(m->d, "id"), "type", type, "actor",
		       actor_json(m->a), "from", from ? json_string(from) : json_null(), "to",
		       to ? json_string(to) : json_null(), "reason",
		       reason ? json_string(reason) : json_null(), "data",
		       data ? data : json_object(), "created_at", jx_time_json(m->now));
	if (!ev)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_dispute_event_insert(m->c->st, id, str(m->d, "id"), m->now, ev, e);
	if (!rc)
		rc = ref_blobs(m->c->st, str(m->d, "id"), json_object_get(ev, "data"), e);
	if (!rc)
		rc = seal_record(m->c->st, "dispute_event", ev, m->now, &seq, e);
	if (!rc && m->dc->nseals < DISPUTE_MAX_SEALS)
		m->dc->seals[m->dc->nseals++] = seq;
	json_decref(ev);
	return rc;
}

static int save(struct move *m, struct err *e)
{
	json_object_set_new(m->d, "updated_at", jx_time_json(m->now));
	return store_dispute_update(m->c->st, str(m->d, "id"), str(m->d, "state"),
				    str(m->d, "tier"), json_is_true(json_object_get(m->d, "overdue")),
				    m->now, m->d, e);
}

/* ---- body checks ---- */

/* The blob ids in in[key], each one the actor may cite (ingest_blob_list). */
static int cite_blobs(struct store *st, const struct actor *a, json_t *in, const char *key,
		      json_t **ids, struct err *e)
{
	struct blob_citer who = {NULL, NULL};

	if (strcmp(a->role, "consumer") == 0)
		who.consumer_id = a->id;
	else if (strcmp(a->role, "merchant") == 0)
		who.merchant_id = a->id;
	else if (strcmp(a->role, "platform") != 0 && strcmp(a->role, "agent") != 0)
		/* anyone else (none today) sees no party's blobs */
		who.consumer_id = who.merchant_id = "";
	return ingest_blob_list(st, who.consumer_id || who.merchant_id ? &who : NULL, in, key,
				ids, e);
}


static const char *const claim_types[] = {"refund", "return_refund", "exchange", "repair",
					  "compensation", NULL};
static const char *const outcomes[] = {"full_refund", "partial_refund", "replace", "repair",
				       "rejected", NULL};

/* The outcome granting a claim as made. */
static const char *claim_outcome(const char *type)
{
	if (strcmp(type, "exchange") == 0)
		return "replace";
	if (strcmp(type, "repair") == 0)
		return "repair";
	if (strcmp(type, "compensation") == 0)
		return "partial_refund";
	return "full_refund";
}

/* `amount` may be NULL (rejected, replace, repair without money): it is recorded as null. */
static int set_outcome(struct move *m, const char *outcome, json_t *amount, json_t *reasons,
		       const char *source)
{
	json_object_set_new(m->d, "outcome",
			    json_pack("{s:s, s:O?, s:O, s:s, s:o, s:o}", "outcome", outcome,
				      "amount", amount, "reasons", reasons, "source", source,
				      "decided_by", actor_json(m->a), "decided_at",
				      jx_time_json(m->now)));
	return RC_OK;
}

/* ---- guards ---- */

static int g_in_time(struct move *m, struct err *e)
{
	int64_t due = current_due(m->d);
	char t[TIME_TEXT_MAX];

	if (due && m->now >= due) {
		time_format(due, t);
		err_set(e, RC_CONFLICT, "deadline_passed", NULL,
			"the deadline for this step passed at %s", t);
		return 0;
	}
	return 1;
}

static int g_fast_lane(struct move *m, struct err *e)
{
	(void)e;
	return strcmp(str(m->d, "tier"), "fast_lane") == 0;
}

/* A missed deadline is flagged once, however many timers name it. */
static int g_not_overdue(struct move *m, struct err *e)
{
	(void)e;
	return !json_is_true(json_object_get(m->d, "overdue"));
}

static int g_needs_action(struct move *m, struct err *e)
{
	(void)e;
	return strcmp(str(json_object_get(m->d, "outcome"), "outcome"), "rejected") != 0;
}

static int g_offer(struct move *m, struct err *e)
{
	json_t *offer = json_object_get(m->d, "offer");
	const char *want = NULL;

	if (!g_in_time(m, e))
		return 0;
	if (jx_str(m->in, "offer", "offer", 1, 64, &want, e))
		return 0;
	if (!json_is_object(offer)) {
		err_set(e, RC_CONFLICT, "no_offer", "offer",
			"the merchant has made no offer to accept; escalate instead");
		return 0;
	}
	if (strcmp(str(offer, "id"), want) != 0) {
		err_set(e, RC_CONFLICT, "offer_mismatch", "offer",
			"offer %s is not the merchant's current offer (%s)", want, str(offer, "id"));
		return 0;
	}
	return 1;
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
	return 1;
}

/* ---- actions ---- */

static int a_outcome_claim(struct move *m, struct err *e)
{
	json_t *claim = json_object_get(m->d, "claim");
	json_t *reasons = json_pack(
		"[{s:s, s:s}]", "code",
		strcmp(m->a->role, "system") == 0 ? "merchant_no_response" : "merchant_accepted",
		"text",
		strcmp(m->a->role, "system") == 0
			? "the merchant did not answer in time; the claim is granted"
			: "the merchant accepted the claim");
	int rc;

	set_outcome(m, claim_outcome(str(claim, "type")), json_object_get(claim, "amount"), reasons,
		    strcmp(m->a->role, "system") == 0 ? "timeout" : "merchant");
	json_decref(reasons);
	rc = start_step(m, RULES_STEP_APPEAL, "parties", "appeal", "decided", e);
	return rc;
}

static int a_offer(struct move *m, struct err *e)
{
	json_t *offer = json_object_get(m->in, "offer");
	char id[ID_MAX];

	id_new(id, "ofr");
	json_object_set_new(m->d, "offer",
			    json_pack("{s:s, s:O, s:O, s:o}", "id", id, "type",
				      json_object_get(offer, "type"), "amount",
				      json_object_get(offer, "amount"), "made_at",
				      jx_time_json(m->now)));
	return start_step(m, RULES_STEP_CONSUMER_REPLY, "consumer", "accept_offer_or_escalate",
			  "negotiating", e);
}

static int a_reject(struct move *m, struct err *e)
{
	json_object_set_new(m->d, "offer", json_null());
	return start_step(m, RULES_STEP_CONSUMER_REPLY, "consumer", "escalate", "negotiating", e);
}

static int a_review(struct move *m, struct err *e)
{
	int rc = start_step(m, RULES_STEP_PLATFORM_REVIEW, "platform", "decide", "platform_review",
			    e);

	if (!rc)
		rc = oblige(m, json_is_true(json_object_get(m->d, "appealed")) ? "appeal" : "decide",
			    current_due(m->d), e);
	return rc;
}

static int a_outcome_offer(struct move *m, struct err *e)
{
	json_t *offer = json_object_get(m->d, "offer");
	json_t *reasons = json_pack("[{s:s, s:s}]", "code", "offer_accepted", "text",
				    "the consumer accepted the merchant's offer");
	const char *outcome = claim_outcome(str(offer, "type"));

	/* a refund of less than the claim is a partial refund, not a full one */
	if (strcmp(outcome, "full_refund") == 0 &&
	    json_integer_value(json_object_get(json_object_get(offer, "amount"), "amount")) <
		    json_integer_value(json_object_get(
			    json_object_get(json_object_get(m->d, "claim"), "amount"), "amount")))
		outcome = "partial_refund";
	set_outcome(m, outcome, json_object_get(offer, "amount"), reasons, "agreement");
	json_decref(reasons);
	return start_step(m, RULES_STEP_APPEAL, "parties", "appeal", "decided", e);
}

static int a_decide(struct move *m, struct err *e)
{
	int rc = meet(m, json_is_true(json_object_get(m->d, "appealed")) ? "appeal" : "decide", e);

	if (rc)
		return rc;
	set_outcome(m, str(m->in, "outcome"), json_object_get(m->in, "amount"),
		    json_object_get(m->in, "reasons"), "platform");
	json_object_set_new(m->d, "overdue", json_false());
	if (json_is_true(json_object_get(m->d, "appealed"))) {
		/* a decision on appeal is final: no second window */
		json_object_set_new(m->d, "next", json_null());
		return store_timer_add(m->c->st, str(m->d, "id"), "appeal", "decided", m->now, e);
	}
	return start_step(m, RULES_STEP_APPEAL, "parties", "appeal", "decided", e);
}

static int a_overdue(struct move *m, struct err *e)
{
	const char *kind = strcmp(str(m->d, "state"), "executing") == 0
				   ? "execute"
				   : json_is_true(json_object_get(m->d, "appealed")) ? "appeal"
										      : "decide";

	json_object_set_new(m->d, "overdue", json_true());
	return store_obligation_breach(m->c->st, str(m->d, "id"), kind, m->now, e);
}

static int a_appeal(struct move *m, struct err *e)
{
	json_object_set_new(m->d, "appealed", json_true());
	return a_review(m, e);
}

static int a_execute(struct move *m, struct err *e)
{
	int rc = start_step(m, RULES_STEP_EXECUTION, "platform", "execute", "executing", e);

	if (!rc)
		rc = oblige(m, "execute", current_due(m->d), e);
	return rc;
}

static int a_end(struct move *m, struct err *e)
{
	(void)e;
	json_object_set_new(m->d, "next", json_null());
	json_object_set_new(m->d, "overdue", json_false());
	return RC_OK;
}

static int a_executed(struct move *m, struct err *e)
{
	int rc = meet(m, "execute", e);

	if (!rc)
		rc = a_end(m, e);
	return rc;
}

/* The consumer ended the dispute: the platform's open duties fall away. */
static int a_close(struct move *m, struct err *e)
{
	int rc = store_obligation_cancel_open(m->c->st, str(m->d, "id"), m->now, e);

	if (!rc)
		rc = a_end(m, e);
	return rc;
}

static int a_external(struct move *m, struct err *e)
{
	json_object_set_new(m->d, "external",
			    json_pack("{s:O, s:O, s:o}", "body", json_object_get(m->in, "body"),
				      "reference",
				      json_object_get(m->in, "reference")
					      ? json_object_get(m->in, "reference")
					      : json_null(),
				      "at", jx_time_json(m->now)));
	return a_close(m, e);
}

/*
 * The lifecycle. Rows are tried in order; for one state and event the
 * first row whose guard holds is taken (timeouts choose by guard; an
 * action's guard failing is a 409 saying why).
 */
static const struct transition table[] = {
	{"awaiting_merchant", "merchant_accept", WHO_MERCHANT, g_in_time, "decided",
	 a_outcome_claim, "the merchant accepted the claim"},
	{"awaiting_merchant", "merchant_counter", WHO_MERCHANT, g_in_time, "negotiating", a_offer,
	 "the merchant made a counter-offer"},
	{"awaiting_merchant", "merchant_reject", WHO_MERCHANT, g_in_time, "negotiating", a_reject,
	 "the merchant rejected the claim"},
	{"awaiting_merchant", "timeout:merchant_response", WHO_SYSTEM, g_fast_lane, "decided",
	 a_outcome_claim, "the merchant did not respond in time; a fast-lane claim is granted"},
	{"awaiting_merchant", "timeout:merchant_response", WHO_SYSTEM, NULL, "platform_review",
	 a_review, "the merchant did not respond in time; the platform reviews the claim"},
	{"negotiating", "accept_offer", WHO_CONSUMER, g_offer, "decided", a_outcome_offer,
	 "the consumer accepted the merchant's offer"},
	{"negotiating", "escalate", WHO_CONSUMER, g_in_time, "platform_review", a_review,
	 "the consumer asked the platform to decide"},
	{"negotiating", "timeout:consumer_reply", WHO_SYSTEM, NULL, "platform_review", a_review,
	 "the consumer did not reply in time; the platform reviews the claim"},
	{"platform_review", "decision", WHO_AGENT, NULL, "decided", a_decide,
	 "the platform decided"},
	{"platform_review", "timeout:platform_review", WHO_SYSTEM, g_not_overdue, NULL, a_overdue,
	 "the platform missed its decision deadline: the dispute is overdue"},
	{"decided", "appeal", WHO_CONSUMER | WHO_MERCHANT, g_appeal, "platform_review", a_appeal,
	 "a party appealed the decision with new information"},
	{"decided", "timeout:appeal", WHO_SYSTEM, g_needs_action, "executing", a_execute,
	 "the appeal window closed; the decision is carried out"},
	{"decided", "timeout:appeal", WHO_SYSTEM, NULL, "resolved", a_end,
	 "the appeal window closed; nothing is left to do"},
	{"executing", "executed", WHO_AGENT, NULL, "resolved", a_executed,
	 "the platform carried out the decision"},
	{"executing", "timeout:execution", WHO_SYSTEM, g_not_overdue, NULL, a_overdue,
	 "the platform missed its execution deadline: the dispute is overdue"},
	{"*", "withdraw", WHO_CONSUMER, NULL, "withdrawn", a_close, "the consumer withdrew"},
	{"*", "external", WHO_CONSUMER, NULL, "external", a_external,
	 "the consumer took the dispute to a court or consumer association"},
};

static unsigned who_bit(const struct actor *a)
{
	if (strcmp(a->role, "consumer") == 0)
		return WHO_CONSUMER;
	if (strcmp(a->role, "merchant") == 0)
		return WHO_MERCHANT;
	if (strcmp(a->role, "system") == 0)
		return WHO_SYSTEM;
	return WHO_AGENT;
}

/* The event type recorded for a table event. */
static const char *event_type(const char *event)
{
	return strncmp(event, "timeout:", 8) == 0 ? "timeout" : event;
}

/*
 * Take the table's row for (state, event). `on_behalf` lets the platform
 * act for a party (it pushes what its users do in its own app).
 */
static int apply(struct move *m, int on_behalf, json_t *data, struct err *e)
{
	const char *state = str(m->d, "state");
	const struct transition *row = NULL;
	char from[32];
	size_t i;
	int matched = 0, rc;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct transition *t = &table[i];

		if (strcmp(t->event, m->event) != 0)
			continue;
		if (strcmp(t->state, "*") == 0 ? !is_live(state) : strcmp(t->state, state) != 0)
			continue;
		matched = 1;
		if (!(t->who & who_bit(m->a)) && !(on_behalf && who_bit(m->a) == WHO_AGENT))
			return err_set(e, RC_FORBIDDEN, "forbidden", NULL,
				       "a %s may not %s a dispute", m->a->role, m->event);
		err_clear(e);
		if (t->guard && !t->guard(m, e)) {
			if (e->rc)
				return e->rc;
			continue;
		}
		row = t;
		break;
	}
	if (!row) {
		if (matched)
			return err_set(e, RC_CONFLICT, "wrong_state", NULL,
				       "no transition for %s in state %s", m->event, state);
		return err_set(e, RC_CONFLICT, "wrong_state", NULL,
			       "a dispute in state %s cannot take %s", state, m->event);
	}
	snprintf(from, sizeof(from), "%s", state);
	if (row->next)
		json_object_set_new(m->d, "state", json_string(row->next));
	if (row->action) {
		rc = row->action(m, e);
		if (rc)
			return rc;
	}
	rc = record(m, event_type(m->event), from, row->next ? row->next : from, row->why,
		    json_incref(data), e);
	if (!rc)
		rc = save(m, e);
	if (!rc)
		rc = notify(m, "dispute.updated", e);
	if (!rc && row->next && strcmp(row->next, from) != 0) {
		const char *special = strcmp(row->next, "decided") == 0     ? "dispute.decided"
				      : strcmp(row->next, "resolved") == 0  ? "dispute.resolved"
				      : strcmp(row->next, "withdrawn") == 0 ? "dispute.withdrawn"
				      : strcmp(row->next, "external") == 0  ? "dispute.external"
									    : NULL;

		if (special)
			rc = notify(m, special, e);
	}
	return rc;
}

/* ---- opening ---- */

static const char *const dispute_reasons[] = {"not_received", "not_as_described", "quality",
					      "counterfeit", "false_advertising", "price",
					      "after_sales", "safety", "other", NULL};

/* The latest `signed` logistics event of the order, as ms (0 if none). */
static int signed_at(struct cases *c, const char *order_id, int64_t *at, struct err *e)
{
	struct store_filter f = {NULL, NULL, order_id};
	json_t *items = NULL, *it;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	*at = 0;
	do {
		rc = store_list(c->st, STORE_LOGISTICS, &f, after, 100, &items, &next, e);
		if (rc)
			return rc;
		json_array_foreach(items, i, it)
			if (strcmp(str(it, "status"), "signed") == 0 &&
			    ms_of(json_object_get(it, "occurred_at")) > *at)
				*at = ms_of(json_object_get(it, "occurred_at"));
		json_decref(items);
		after = next;
	} while (next > 0);
	return RC_OK;
}

/* No-reason returns (CPL art. 25): the window, and listings the rules exclude. */
static int check_no_reason_return(struct cases *c, json_t *order, int64_t now, struct err *e)
{
	char last_day[CALENDAR_DATE_TEXT_MAX];
	int64_t at = 0, end = 0;
	json_t *it;
	size_t i;
	int uncovered = 0, rc;

	json_array_foreach(json_object_get(order, "items"), i, it) {
		json_t *l = NULL;
		const char *flag;

		rc = store_listing_version(c->st, str(it, "listing"),
					   json_integer_value(json_object_get(it, "listing_version")),
					   &l, e);
		if (rc)
			return rc;
		flag = str(l, "return_exclusion");
		if (flag && rules_return_excluded(c->rules, flag)) {
			rc = err_set(e, RC_CONFLICT, "return_excluded", "claim.type",
				     "%s (%s) is excluded from no-reason returns; claim with a reason "
				     "instead", str(it, "listing"), flag);
			json_decref(l);
			return rc;
		}
		json_decref(l);
	}
	rc = signed_at(c, str(order, "id"), &at, e);
	if (rc)
		return rc;
	if (!at)
		return err_set(e, RC_CONFLICT, "not_signed", "claim.type",
			       "the order has no signed delivery yet; the no-reason return window "
			       "starts the day after the consumer signs for it");
	rc = rules_return_window(c->rules, c->cal, at, &end, last_day, &uncovered);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot compute the return window");
	if (now >= end)
		return err_set(e, RC_CONFLICT, "return_window_closed", "claim.type",
			       "the no-reason return window closed at the end of %s (Beijing "
			       "time); claim with a reason instead", last_day);
	return RC_OK;
}

/* The order's sealed records, frozen into the dispute's evidence set. */
static int freeze_evidence(struct cases *c, json_t *order, json_t **set, struct err *e)
{
	const char *oid = str(order, "id");
	struct store_filter f = {NULL, NULL, oid};
	struct store_seal s;
	json_t *items, *it;
	int64_t after, next;
	size_t i, k;
	int rc;

	*set = json_array();
#define FREEZE(kind, id, ver)                                                              \
	do {                                                                                \
		if (store_seal_get(c->st, kind, id, ver, &s, e) == RC_OK) {                  \
			json_t *r = json_pack("{s:s, s:s, s:s}", "type", kind, "id", id,          \
					      "leaf_hash", s.leaf_hash);                          \
			if (ver)                                                             \
				json_object_set_new(r, "version", json_integer(ver));        \
			if (s.leaf_index >= 0)                                               \
				json_object_set_new(r, "leaf_index",                         \
						    json_integer(s.leaf_index));             \
			json_array_append_new(*set, r);                                      \
			store_seal_release(&s);                                              \
		}                                                                            \
		err_clear(e);                                                                \
	} while (0)
	FREEZE("merchant", str(order, "merchant"), 0);
	json_array_foreach(json_object_get(order, "items"), i, it)
		FREEZE("listing", str(it, "listing"),
		       json_integer_value(json_object_get(it, "listing_version")));
	FREEZE("order", oid, 0);
	FREEZE("payment", oid, 0);
	for (k = 0; k < 2; k++) {
		after = 0;
		do {
			rc = store_list(c->st, k ? STORE_MESSAGE : STORE_LOGISTICS, &f, after, 100,
					&items, &next, e);
			if (rc)
				return rc;
			json_array_foreach(items, i, it)
				FREEZE(k ? "message" : "logistics", str(it, "id"), 0);
			json_decref(items);
			after = next;
		} while (next > 0);
	}
#undef FREEZE
	return RC_OK;
}

int dispute_open(struct cases *c, const struct actor *a, json_t *order, json_t *in,
		 int64_t now, json_t **out, struct dispute_call *dc, struct err *e)
{
	static const char *const fields[] = {"order", "claim", "reason", "description",
					     "evidence", NULL};
	static const char *const cfields[] = {"type", "amount", NULL};
	const char *type = NULL, *reason = NULL, *desc = NULL, *oid = str(order, "id");
	json_t *claim = NULL, *evidence = NULL, *d = NULL, *set = NULL, *total;
	char id[ID_MAX], cur[4], why[RULES_TIER_REASON_MAX], existing[ID_MAX];
	enum rules_tier tier;
	int64_t amount = 0;
	struct move m;
	int rc, found = 0, flagged = 0;

	*out = NULL;
	if ((rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_obj(in, "claim", "claim", 1, &claim, e)) ||
	    (rc = jx_only(claim, cfields, "claim", e)) ||
	    (rc = jx_enum(claim, "type", "claim.type", 1, claim_types, &type, e)) ||
	    (rc = jx_money(claim, "amount", "claim.amount", 1, &amount, cur, e)) ||
	    (rc = jx_enum(in, "reason", "reason", 1, dispute_reasons, &reason, e)) ||
	    (rc = jx_str(in, "description", "description", 0, 5000, &desc, e)) ||
	    (rc = cite_blobs(c->st, a, in, "evidence", &evidence, e)))
		goto out;
	total = json_object_get(order, "total");
	if (strcmp(cur, str(total, "currency")) != 0) {
		rc = err_set(e, RC_INVAL, "currency_mismatch", "claim.amount.currency",
			     "the claim must be in the order's currency (%s)", str(total, "currency"));
		goto out;
	}
	if (amount > json_integer_value(json_object_get(total, "amount"))) {
		rc = err_set(e, RC_INVAL, "amount_exceeds_order", "claim.amount",
			     "the claim (%lld fen) is more than the order's total (%lld fen)",
			     (long long)amount,
			     (long long)json_integer_value(json_object_get(total, "amount")));
		goto out;
	}
	rc = store_dispute_for_order(c->st, oid, live_states, existing, &found, e);
	if (rc)
		goto out;
	if (found) {
		rc = err_set(e, RC_CONFLICT, "dispute_open", "order",
			     "the order already has a dispute in progress: %s", existing);
		goto out;
	}
	if (strcmp(type, "return_refund") == 0 && strcmp(reason, "other") == 0) {
		rc = check_no_reason_return(c, order, now, e);
		if (rc)
			goto out;
	}
	{
		json_t *flags = NULL;
		size_t k;
		json_t *f;

		rc = store_merchant_flags(c->st, str(order, "merchant"), &flags, e);
		if (rc)
			goto out;
		json_array_foreach(flags, k, f)
			if (strcmp(str(f, "flag"), "repeated_fraud") == 0)
				flagged = 1;
		json_decref(flags);
	}
	rc = rules_tier(c->rules, reason, amount, flagged, &tier, why);
	if (rc) {
		rc = err_set(e, rc, NULL, NULL, "cannot tier the dispute");
		goto out;
	}
	rc = freeze_evidence(c, order, &set, e);
	if (rc)
		goto out;
	id_new(id, "dsp");
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:o}, s:s, s:o, "
		      "s:O, s:{s:o, s:O}, s:n, s:n, s:n, s:b, s:b, s:[], s:n, s:o, s:o}",
		      "object", "dispute", "id", id, "order", oid, "merchant", str(order, "merchant"),
		      "consumer", str(json_object_get(order, "consumer"), "id"), "state",
		      "awaiting_merchant", "tier", rules_tier_name(tier), "tier_reason", why,
		      "rules_version", c->rules->version, "claim", "type", type, "amount",
		      jx_money_json(amount, cur), "reason", reason, "description",
		      desc ? json_string(desc) : json_null(), "evidence", evidence,
		      "evidence_set", "frozen_at", jx_time_json(now), "records", set, "offer",
		      "outcome", "external", "overdue", 0, "appealed", 0, "deadlines", "next",
		      "created_at", jx_time_json(now), "updated_at", jx_time_json(now));
	if (!d) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = store_dispute_insert(c->st, id, oid, str(order, "merchant"), str(d, "consumer"),
				  "awaiting_merchant", rules_tier_name(tier), now, d, e);
	if (rc)
		goto out;
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.a = a;
	m.d = d;
	m.in = in;
	m.now = now;
	m.dc = dc;
	m.event = "opened";
	rc = start_step(&m, RULES_STEP_MERCHANT_RESPONSE, "merchant", "respond",
			"awaiting_merchant", e);
	/* the platform took the complaint at once: its first duty is met on the spot */
	if (!rc)
		rc = oblige(&m, "acknowledge", now, e);
	if (!rc)
		rc = meet(&m, "acknowledge", e);
	if (!rc)
		rc = record(&m, "opened", NULL, "awaiting_merchant", why,
			    json_pack("{s:O, s:s, s:O}", "claim", json_object_get(d, "claim"),
				      "reason", reason, "evidence", evidence), e);
	if (!rc)
		rc = save(&m, e);
	if (!rc)
		rc = notify(&m, "dispute.created", e);
	if (!rc) {
		*out = d;
		d = NULL;
	}
out:
	json_decref(d);
	json_decref(evidence);
	json_decref(set);
	return rc;
}

/* ---- actions ---- */

static const struct {
	const char *action;
	unsigned who;
} action_roles[] = {
	{"responses", WHO_MERCHANT},    {"accept_offer", WHO_CONSUMER},
	{"escalate", WHO_CONSUMER},     {"withdraw", WHO_CONSUMER},
	{"external", WHO_CONSUMER},     {"decision", WHO_AGENT},
	{"appeal", WHO_CONSUMER | WHO_MERCHANT},
	{"messages", WHO_CONSUMER | WHO_MERCHANT},
	{"executed", WHO_AGENT},
};

int dispute_action_allowed(const char *action, const char *role)
{
	struct actor a = {role, "", NULL};
	size_t i;

	for (i = 0; i < sizeof(action_roles) / sizeof(action_roles[0]); i++)
		if (strcmp(action_roles[i].action, action) == 0)
			return strcmp(role, "platform") == 0 ||
			       (action_roles[i].who & who_bit(&a)) != 0;
	return 0;
}

/* Check an action's body; *event gets the table event it fires. */
/* Money the platform moves for a dispute never exceeds what the consumer paid. */
static int within_order(struct move *m, int64_t amount, const char *param, struct err *e)
{
	json_t *order = NULL;
	int64_t total;
	int rc = store_get(m->c->st, STORE_ORDER, str(m->d, "order"), &order, e);

	if (rc)
		return rc;
	total = json_integer_value(json_object_get(json_object_get(order, "total"), "amount"));
	json_decref(order);
	if (amount > total)
		return err_set(e, RC_INVAL, "amount_exceeds_order", param,
			       "%s (%lld fen) is more than the order's total (%lld fen)", param,
			       (long long)amount, (long long)total);
	return RC_OK;
}

static int check_body(struct move *m, const char *action, const char **event, json_t **data,
		      struct err *e)
{
	json_t *in = m->in, *ev = NULL, *offer = NULL, *reasons = NULL, *r;
	const char *s = NULL, *msg = NULL, *kind = NULL;
	char param[96], cur[4];
	int64_t amount = 0;
	size_t i;
	int rc;

	*data = json_object();
#define ONLY(...)                                                                  \
	do {                                                                        \
		static const char *const f_[] = {__VA_ARGS__, NULL};                \
		rc = jx_only(in, f_, "", e);                                        \
		if (rc)                                                             \
			return rc;                                                  \
	} while (0)
	if (strcmp(action, "responses") == 0) {
		static const char *const acts[] = {"accept", "counter", "reject", NULL};

		ONLY("action", "offer", "message", "evidence");
		if ((rc = jx_enum(in, "action", "action", 1, acts, &kind, e)) ||
		    (rc = jx_str(in, "message", "message", 0, 5000, &msg, e)) ||
		    (rc = cite_blobs(m->c->st, m->a, in, "evidence", &ev, e)))
			goto out;
		if (strcmp(kind, "counter") == 0) {
			static const char *const of[] = {"type", "amount", NULL};

			if ((rc = jx_obj(in, "offer", "offer", 1, &offer, e)) ||
			    (rc = jx_only(offer, of, "offer", e)) ||
			    (rc = jx_enum(offer, "type", "offer.type", 1, claim_types, &s, e)) ||
			    (rc = jx_money(offer, "amount", "offer.amount", 1, &amount, cur, e)))
				goto out;
			if (strcmp(cur, str(json_object_get(json_object_get(m->d, "claim"), "amount"),
					    "currency")) != 0) {
				rc = err_set(e, RC_INVAL, "currency_mismatch", "offer.amount.currency",
					     "the offer must be in the claim's currency");
				goto out;
			}
			rc = within_order(m, amount, "offer.amount", e);
			if (rc)
				goto out;
			json_object_set(*data, "offer", offer);
		} else if (jx_has(in, "offer")) {
			rc = err_set(e, RC_INVAL, "unknown_parameter", "offer",
				     "offer goes only with action counter");
			goto out;
		}
		*event = strcmp(kind, "accept") == 0   ? "merchant_accept"
			 : strcmp(kind, "counter") == 0 ? "merchant_counter"
							: "merchant_reject";
		json_object_set_new(*data, "action", json_string(kind));
	} else if (strcmp(action, "accept_offer") == 0) {
		ONLY("offer");
		if ((rc = jx_str(in, "offer", "offer", 1, 64, &s, e)))
			goto out;
		json_object_set_new(*data, "offer", json_string(s));
		*event = "accept_offer";
	} else if (strcmp(action, "escalate") == 0 || strcmp(action, "appeal") == 0) {
		ONLY("message", "evidence");
		if ((rc = jx_str(in, "message", "message", action[0] == 'a', 5000, &msg, e)) ||
		    (rc = cite_blobs(m->c->st, m->a, in, "evidence", &ev, e)))
			goto out;
		*event = action;
	} else if (strcmp(action, "withdraw") == 0 || strcmp(action, "executed") == 0) {
		ONLY("message");
		if ((rc = jx_str(in, "message", "message", 0, 5000, &msg, e)))
			goto out;
		*event = action;
	} else if (strcmp(action, "external") == 0) {
		static const char *const bodies[] = {"court", "association", NULL};

		ONLY("body", "reference");
		if ((rc = jx_enum(in, "body", "body", 1, bodies, &kind, e)) ||
		    (rc = jx_str(in, "reference", "reference", 0, 200, &s, e)))
			goto out;
		json_object_set_new(*data, "body", json_string(kind));
		if (s)
			json_object_set_new(*data, "reference", json_string(s));
		*event = "external";
	} else if (strcmp(action, "decision") == 0) {
		ONLY("outcome", "amount", "reasons");
		if ((rc = jx_enum(in, "outcome", "outcome", 1, outcomes, &kind, e)) ||
		    (rc = jx_money(in, "amount", "amount",
				   strcmp(kind, "partial_refund") == 0, &amount, cur, e)) ||
		    (rc = jx_arr(in, "reasons", "reasons", 1, 20, &reasons, e)))
			goto out;
		if (json_array_size(reasons) == 0) {
			rc = err_set(e, RC_INVAL, "invalid_value", "reasons",
				     "a decision gives at least one reason");
			goto out;
		}
		json_array_foreach(reasons, i, r) {
			static const char *const rf[] = {"code", "text", "evidence", NULL};
			const char *code = NULL;
			json_t *refs = NULL, *x;
			size_t j;

			snprintf(param, sizeof(param), "reasons[%zu]", i);
			if (!json_is_object(r)) {
				rc = err_set(e, RC_INVAL, "invalid_type", param,
					     "%s must be an object", param);
				goto out;
			}
			if ((rc = jx_only(r, rf, param, e)))
				goto out;
			snprintf(param, sizeof(param), "reasons[%zu].code", i);
			if ((rc = jx_str(r, "code", param, 1, 64, &code, e)))
				goto out;
			for (j = 0; code[j]; j++)
				if (!((code[j] >= 'a' && code[j] <= 'z') ||
				      (code[j] >= '0' && code[j] <= '9') || code[j] == '_'))
					break;
			if (code[j] || code[0] < 'a' || code[0] > 'z') {
				rc = err_set(e, RC_INVAL, "invalid_value", param,
					     "%s must be a snake_case token starting with a letter",
					     param);
				goto out;
			}
			snprintf(param, sizeof(param), "reasons[%zu].text", i);
			if ((rc = jx_str(r, "text", param, 1, 2000, &s, e)))
				goto out;
			snprintf(param, sizeof(param), "reasons[%zu].evidence", i);
			if ((rc = jx_arr(r, "evidence", param, 0, 20, &refs, e)))
				goto out;
			json_array_foreach(refs, j, x)
				if (!json_is_string(x) || json_string_length(x) == 0 ||
				    json_string_length(x) > 200) {
					snprintf(param, sizeof(param), "reasons[%zu].evidence[%zu]", i,
						 j);
					rc = err_set(e, RC_INVAL, "invalid_type", param,
						     "%s must be a reference string", param);
					goto out;
				}
		}
		if (jx_has(in, "amount")) {
			json_t *claim = json_object_get(m->d, "claim");

			if (strcmp(cur, str(json_object_get(claim, "amount"), "currency")) != 0) {
				rc = err_set(e, RC_INVAL, "currency_mismatch", "amount.currency",
					     "the amount must be in the claim's currency");
				goto out;
			}
			rc = within_order(m, amount, "amount", e);
			if (rc)
				goto out;
		} else if (strcmp(kind, "full_refund") == 0) {
			/* a full refund is of the claim as made */
			json_object_set(in, "amount",
					json_object_get(json_object_get(m->d, "claim"), "amount"));
		}
		json_object_set_new(*data, "outcome", json_string(kind));
		json_object_set(*data, "reasons", reasons);
		if (json_object_get(in, "amount"))
			json_object_set(*data, "amount", json_object_get(in, "amount"));
		*event = "decision";
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no action %s", action);
		goto out;
	}
#undef ONLY
	if (msg)
		json_object_set_new(*data, "message", json_string(msg));
	if (ev && json_array_size(ev))
		json_object_set(*data, "evidence", ev);
	rc = RC_OK;
out:
	json_decref(ev);
	return rc;
}

/* Rolling evidence: a message or attachments from either party, until the step's deadline. */
static int add_message(struct move *m, struct err *e)
{
	static const char *const f[] = {"text", "attachments", NULL};
	const char *text = NULL;
	json_t *atts = NULL;
	int64_t due = current_due(m->d);
	char t[TIME_TEXT_MAX];
	int rc;

	if ((rc = jx_only(m->in, f, "", e)) ||
	    (rc = jx_str(m->in, "text", "text", 1, 10000, &text, e)) ||
	    (rc = cite_blobs(m->c->st, m->a, m->in, "attachments", &atts, e)))
		goto out;
	if (!is_live(str(m->d, "state"))) {
		rc = err_set(e, RC_CONFLICT, "wrong_state", NULL,
			     "the dispute is %s: it takes no more messages", str(m->d, "state"));
		goto out;
	}
	if (due && m->now >= due) {
		time_format(due, t);
		rc = err_set(e, RC_CONFLICT, "deadline_passed", NULL,
			     "evidence for this step closed at %s", t);
		goto out;
	}
	rc = record(m, "message", str(m->d, "state"), str(m->d, "state"), NULL,
		    json_pack("{s:s, s:O}", "text", text, "attachments", atts), e);
	if (!rc)
		rc = save(m, e);
	if (!rc)
		rc = notify(m, "dispute.updated", e);
out:
	json_decref(atts);
	return rc;
}

int dispute_act(struct cases *c, const struct actor *a, const char *action, json_t *d,
		json_t *in, int64_t now, json_t **out, struct dispute_call *dc, struct err *e)
{
	struct move m;
	const char *event = NULL;
	json_t *data = NULL;
	int rc;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.a = a;
	m.d = d;
	m.in = in;
	m.now = now;
	m.dc = dc;
	if (!dispute_action_allowed(action, a->role))
		return err_set(e, RC_FORBIDDEN, "forbidden", NULL, "a %s may not %s", a->role,
			       action);
	if (strcmp(action, "messages") == 0) {
		rc = add_message(&m, e);
	} else {
		rc = check_body(&m, action, &event, &data, e);
		if (!rc) {
			m.event = event;
			rc = apply(&m, strcmp(a->role, "platform") == 0, data, e);
		}
	}
	json_decref(data);
	if (!rc)
		*out = json_incref(d);
	return rc;
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
	int64_t due = current_due(d);

	if (strcmp(str(d, "state"), t->state) != 0)
		return 0;
	if (strncmp(t->step, "reminder:", 9) == 0)
		return due && due == t->due_at + REMIND_BEFORE_MS;
	return !due || due == t->due_at;
}

int dispute_fire_due(struct cases *c, int64_t now, struct dispute_call *dc, struct err *e)
{
	static const struct actor timer = {"system", "timer", NULL};
	struct store_timer t[32];
	int n, i, rc;

	do {
		rc = store_timer_due(c->st, now, t, 32, &n, e);
		if (rc)
			return rc;
		for (i = 0; i < n; i++) {
			json_t *d = NULL;
			struct move m;
			char event[64];
			const char *outcome = "void";

			rc = store_dispute_get(c->st, t[i].dispute_id, &d, e);
			if (rc)
				return rc;
			if (strncmp(t[i].step, "reminder:", 9) == 0) {
				if (timer_is_current(d, &t[i])) {
					memset(&m, 0, sizeof(m));
					m.c = c;
					m.a = &timer;
					m.d = d;
					m.now = now;
					m.dc = dc;
					rc = notify(&m, "dispute.deadline_approaching", e);
					outcome = "fired";
				}
			} else if (timer_is_current(d, &t[i])) {
				memset(&m, 0, sizeof(m));
				m.c = c;
				m.a = &timer;
				m.d = d;
				m.now = t[i].due_at > now ? now : t[i].due_at;
				m.dc = dc;
				snprintf(event, sizeof(event), "timeout:%s", t[i].step);
				m.event = event;
				rc = apply(&m, 0, NULL, e);
				if (rc == RC_CONFLICT) {
					err_clear(e);
					rc = RC_OK;
				} else if (!rc) {
					outcome = "fired";
				}
			}
			json_decref(d);
			if (!rc)
				rc = store_timer_fire(c->st, t[i].seq, now, outcome, e);
			if (rc)
				return rc;
			dc->fired++;
		}
	} while (n > 0); /* until a pass finds nothing: firing may start timers already due */
	return RC_OK;
}
