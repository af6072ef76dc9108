/* dispute_actions.c - the parties' and the platform's actions on a dispute: one checker per action's body, then the table. */
#include "cases/dispute_int.h"

#include <stdio.h>
#include <string.h>

#include "cases/suspension.h"
#include "core/jsonx.h"
#include "core/timeutil.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/*
 * A checker reads m->in (its members already limited to the action's
 * `fields`), sets m->event to the table event it fires and fills `data`,
 * what the event records. RC_INVAL (e->param naming the field) for a bad
 * body.
 */
typedef int check_fn(struct move *m, json_t *data, struct err *e);

/* One action: its body's members, its checker and the events it may fire. */
struct action_spec {
	const char *fields[5];      /* the members its body may hold; NULL after the last */
	check_fn *check;            /* NULL: no transition (messages) */
	enum dispute_event fires[RESPONSE__COUNT]; /* the events it may fire, the first unless
						      its checker chooses (responses: by
						      enum merchant_response) */
	size_t nfires;              /* how many; 0 for messages */
	unsigned who;               /* who may take an action that fires nothing */
};

static const struct action_spec actions[ACTION__COUNT];

/* The claim's currency, which offers and decisions must use. */
static const char *claim_currency(struct move *m)
{
	return str(json_object_get(json_object_get(m->d, "claim"), "amount"), "currency");
}

/*
 * Money the platform moves for a dispute never exceeds its cap: what the
 * consumer paid, or what the claim's basis of compensation computes
 * (compensation.h), as the dispute recorded it when it opened.
 */
static int within_order(struct move *m, int64_t amount, const char *param, struct err *e)
{
	json_t *claim = json_object_get(m->d, "claim"), *order = NULL;
	const char *basis = str(claim, "basis");
	int64_t cap;
	int rc;

	if (json_is_object(json_object_get(claim, "cap"))) {
		cap = json_integer_value(json_object_get(json_object_get(claim, "cap"), "amount"));
	} else {
		/* a dispute opened before caps were recorded: the order's total */
		rc = store_get(m->c->st, STORE_ORDER, str(m->d, "order"), &order, e);
		if (rc)
			return rc;
		cap = json_integer_value(json_object_get(json_object_get(order, "total"), "amount"));
		json_decref(order);
	}
	if (amount > cap && !basis)
		return err_set(e, RC_INVAL, "amount_exceeds_order", param,
			       "%s (%lld fen) is more than the order's total (%lld fen)", param,
			       (long long)amount, (long long)cap);
	if (amount > cap)
		return err_set(e, RC_INVAL, "amount_exceeds_basis", param,
			       "%s (%lld fen) is more than %s allows for this order (%lld fen)",
			       param, (long long)amount, basis, (long long)cap);
	return RC_OK;
}

/* An amount in[key] in the claim's currency and within the order; `param` names it. */
static int check_amount(struct move *m, const char *cur, int64_t amount, const char *param,
			const char *what, struct err *e)
{
	char cparam[64];

	if (strcmp(cur, claim_currency(m)) != 0) {
		snprintf(cparam, sizeof(cparam), "%s.currency", param);
		return err_set(e, RC_INVAL, "currency_mismatch", cparam,
			       "%s must be in the claim's currency", what);
	}
	return within_order(m, amount, param, e);
}

/* in.message (required or not) and the blobs in.evidence, into `data`. */
static int check_message(struct move *m, int required, int with_evidence, json_t *data,
			 struct err *e)
{
	const char *msg = NULL;
	json_t *ev = NULL;
	int rc;

	rc = jx_str(m->in, "message", "message", required, 5000, &msg, e);
	if (!rc && with_evidence)
		rc = dispute_cite_blobs(m->c->st, m->a, m->in, "evidence", &ev, e);
	if (!rc && msg)
		json_object_set_new(data, "message", json_string(msg));
	if (!rc && ev && json_array_size(ev))
		json_object_set(data, "evidence", ev);
	json_decref(ev);
	return rc;
}

/* A counter-offer: {type, amount}, a claim type and at most the order. */
static int check_offer(struct move *m, json_t *data, struct err *e)
{
	static const char *const fields[] = {"type", "amount", NULL};
	json_t *offer = NULL;
	const char *type = NULL;
	int64_t amount = 0;
	char cur[4];
	int rc;

	if ((rc = jx_obj(m->in, "offer", "offer", 1, &offer, e)) ||
	    (rc = jx_only(offer, fields, "offer", e)) ||
	    (rc = jx_enum(offer, "type", "offer.type", 1, claim_type_names, &type, e)) ||
	    (rc = jx_money(offer, "amount", "offer.amount", 1, &amount, cur, e)) ||
	    (rc = check_amount(m, cur, amount, "offer.amount", "the offer", e)))
		return rc;
	json_object_set(data, "offer", offer);
	return RC_OK;
}

static int check_responses(struct move *m, json_t *data, struct err *e)
{
	const char *kind = NULL;
	json_t *rest = json_object();
	int rc, k;

	/* message and evidence go after action (and offer) in what is recorded */
	rc = jx_enum(m->in, "action", "action", 1, merchant_response_names, &kind, e);
	if (!rc)
		rc = check_message(m, 0, 1, rest, e);
	if (rc)
		goto out;
	k = vocab_find(merchant_response_names, kind);
	if (k == RESPONSE_COUNTER) {
		rc = check_offer(m, data, e);
	} else if (jx_has(m->in, "offer")) {
		rc = err_set(e, RC_INVAL, "unknown_parameter", "offer",
			     "offer goes only with action counter");
	}
	if (rc)
		goto out;
	m->event = actions[ACTION_RESPONSES].fires[k];
	json_object_set_new(data, "action", json_string(kind));
	json_object_update(data, rest);
out:
	json_decref(rest);
	return rc;
}

/* The consumer's counter-offer: {type, amount, text?}, at most what it claimed. */
static int check_counter(struct move *m, json_t *data, struct err *e)
{
	json_t *claim = json_object_get(json_object_get(m->d, "claim"), "amount");
	const char *type = NULL, *text = NULL;
	int64_t amount = 0;
	char cur[4];
	int rc;

	if ((rc = jx_enum(m->in, "type", "type", 1, claim_type_names, &type, e)) ||
	    (rc = jx_money(m->in, "amount", "amount", 1, &amount, cur, e)) ||
	    (rc = jx_str(m->in, "text", "text", 0, 2000, &text, e)) ||
	    (rc = check_amount(m, cur, amount, "amount", "the counter-offer", e)))
		return rc;
	if (amount > json_integer_value(json_object_get(claim, "amount")))
		return err_set(e, RC_INVAL, "amount_exceeds_claim", "amount",
			       "a counter-offer (%lld fen) asks at most the claim (%lld fen)",
			       (long long)amount,
			       (long long)json_integer_value(json_object_get(claim, "amount")));
	json_object_set_new(data, "offer", json_pack("{s:s, s:O}", "type", type, "amount",
						     json_object_get(m->in, "amount")));
	if (text)
		json_object_set_new(data, "text", json_string(text));
	return RC_OK;
}

static int check_accept_offer(struct move *m, json_t *data, struct err *e)
{
	const char *offer = NULL;
	int rc = jx_str(m->in, "offer", "offer", 1, 64, &offer, e);

	if (!rc)
		json_object_set_new(data, "offer", json_string(offer));
	return rc;
}

static int check_escalate(struct move *m, json_t *data, struct err *e)
{
	return check_message(m, 0, 1, data, e);
}

/* An appeal brings new information: its message is required. */
static int check_appeal(struct move *m, json_t *data, struct err *e)
{
	return check_message(m, 1, 1, data, e);
}

static int check_note(struct move *m, json_t *data, struct err *e)
{
	return check_message(m, 0, 0, data, e);
}

static int check_external(struct move *m, json_t *data, struct err *e)
{
	static const int which[] = {ACTOR_COURT, ACTOR_ASSOCIATION};
	const char *bodies[sizeof(which) / sizeof(which[0]) + 1];
	const char *body = NULL, *ref = NULL;
	int rc;

	vocab_subset(actor_role_names, which, sizeof(which) / sizeof(which[0]), bodies);
	if ((rc = jx_enum(m->in, "body", "body", 1, bodies, &body, e)) ||
	    (rc = jx_str(m->in, "reference", "reference", 0, 200, &ref, e)))
		return rc;
	json_object_set_new(data, "body", json_string(body));
	if (ref)
		json_object_set_new(data, "reference", json_string(ref));
	return RC_OK;
}

/* Who waives: the party acting, or the one the platform key names in `party`. */
static int check_waive(struct move *m, json_t *data, struct err *e)
{
	static const int which[] = {ACTOR_CONSUMER, ACTOR_MERCHANT};
	const char *parties[3];
	const char *party = NULL;
	int rc;

	vocab_subset(actor_role_names, which, 2, parties);
	if (vocab_find(parties, m->a->role) >= 0) {
		if (jx_has(m->in, "party"))
			return err_set(e, RC_INVAL, "unknown_parameter", "party",
				       "party is for the platform acting on a party's behalf");
		party = m->a->role;
	} else if ((rc = jx_enum(m->in, "party", "party", 1, parties, &party, e))) {
		return rc;
	}
	m->party = vocab_find(parties, party) == 0 ? parties[0] : parties[1];
	json_object_set_new(data, "party", json_string(m->party));
	return check_message(m, 0, 0, data, e);
}

/* A reason code: a lowercase letter, then lowercase letters, digits and '_'. */
static int code_ok(const char *code)
{
	size_t j;

	if (code[0] < 'a' || code[0] > 'z')
		return 0;
	for (j = 0; code[j]; j++)
		if (!((code[j] >= 'a' && code[j] <= 'z') || (code[j] >= '0' && code[j] <= '9') ||
		      code[j] == '_'))
			return 0;
	return 1;
}

/* reasons[i]: {code, text, evidence?}. */
static int check_reason(json_t *r, size_t i, struct err *e)
{
	static const char *const fields[] = {"code", "text", "evidence", NULL};
	const char *code = NULL, *text = NULL;
	json_t *refs = NULL, *x;
	char param[96];
	size_t j;
	int rc;

	snprintf(param, sizeof(param), "reasons[%zu]", i);
	if (!json_is_object(r))
		return err_set(e, RC_INVAL, "invalid_type", param, "%s must be an object", param);
	if ((rc = jx_only(r, fields, param, e)))
		return rc;
	snprintf(param, sizeof(param), "reasons[%zu].code", i);
	if ((rc = jx_str(r, "code", param, 1, 64, &code, e)))
		return rc;
	if (!code_ok(code))
		return err_set(e, RC_INVAL, "invalid_value", param,
			       "%s must be a snake_case token starting with a letter", param);
	snprintf(param, sizeof(param), "reasons[%zu].text", i);
	if ((rc = jx_str(r, "text", param, 1, 2000, &text, e)))
		return rc;
	snprintf(param, sizeof(param), "reasons[%zu].evidence", i);
	if ((rc = jx_arr(r, "evidence", param, 0, 20, &refs, e)))
		return rc;
	json_array_foreach(refs, j, x)
		if (!json_is_string(x) || json_string_length(x) == 0 ||
		    json_string_length(x) > 200) {
			snprintf(param, sizeof(param), "reasons[%zu].evidence[%zu]", i, j);
			return err_set(e, RC_INVAL, "invalid_type", param,
				       "%s must be a reference string", param);
		}
	return RC_OK;
}

static int check_decision(struct move *m, json_t *data, struct err *e)
{
	json_t *in = m->in, *reasons = NULL, *r;
	const char *kind = NULL;
	int64_t amount = 0;
	char cur[4];
	size_t i;
	int rc, outcome;

	if ((rc = jx_enum(in, "outcome", "outcome", 1, outcome_names, &kind, e)))
		return rc;
	outcome = vocab_find(outcome_names, kind);
	if ((rc = jx_money(in, "amount", "amount", outcome == OUTCOME_PARTIAL_REFUND, &amount, cur,
			   e)) ||
	    (rc = jx_arr(in, "reasons", "reasons", 1, 20, &reasons, e)))
		return rc;
	if (json_array_size(reasons) == 0)
		return err_set(e, RC_INVAL, "invalid_value", "reasons",
			       "a decision gives at least one reason");
	json_array_foreach(reasons, i, r)
		if ((rc = check_reason(r, i, e)))
			return rc;
	if (jx_has(in, "amount")) {
		rc = check_amount(m, cur, amount, "amount", "the amount", e);
		if (rc)
			return rc;
	} else if (outcome == OUTCOME_FULL_REFUND) {
		/* a full refund is of the claim as made */
		json_object_set(in, "amount", json_object_get(json_object_get(m->d, "claim"), "amount"));
	}
	json_object_set_new(data, "outcome", json_string(kind));
	json_object_set(data, "reasons", reasons);
	if (json_object_get(in, "amount"))
		json_object_set(data, "amount", json_object_get(in, "amount"));
	return RC_OK;
}

/* Rolling evidence: a message or attachments from either party, until the step's deadline. */
static int add_message(struct move *m, struct err *e)
{
	const char *text = NULL, *state = str(m->d, "state");
	json_t *atts = NULL;
	int64_t due = dispute_current_due(m->d);
	char t[TIME_TEXT_MAX];
	int rc;

	if ((rc = jx_str(m->in, "text", "text", 1, 10000, &text, e)) ||
	    (rc = dispute_cite_blobs(m->c->st, m->a, m->in, "attachments", &atts, e)))
		goto out;
	if (!dispute_state_name_is_live(state)) {
		rc = err_set(e, RC_CONFLICT, "wrong_state", NULL,
			     "the dispute is %s: it takes no more messages", state);
		goto out;
	}
	if (due && m->now >= due) {
		time_format(due, t);
		rc = err_set(e, RC_CONFLICT, "deadline_passed", NULL,
			     "evidence for this step closed at %s", t);
		goto out;
	}
	rc = dispute_record(m, "message", state, state, NULL,
			    json_pack("{s:s, s:O}", "text", text, "attachments", atts), e);
	if (!rc)
		rc = dispute_save(m, e);
	if (!rc)
		rc = dispute_notify(m, "dispute.updated", e);
out:
	json_decref(atts);
	return rc;
}

/* ---- the table ---- */

static const struct action_spec actions[ACTION__COUNT] = {
	[ACTION_RESPONSES] = {{"action", "offer", "message", "evidence"}, check_responses,
			      {[RESPONSE_ACCEPT] = EVENT_MERCHANT_ACCEPT,
			       [RESPONSE_COUNTER] = EVENT_MERCHANT_COUNTER,
			       [RESPONSE_REJECT] = EVENT_MERCHANT_REJECT}, RESPONSE__COUNT, 0},
	[ACTION_ACCEPT_OFFER] = {{"offer"}, check_accept_offer, {EVENT_ACCEPT_OFFER}, 1, 0},
	[ACTION_ESCALATE] = {{"message", "evidence"}, check_escalate, {EVENT_ESCALATE}, 1, 0},
	[ACTION_WITHDRAW] = {{"message"}, check_note, {EVENT_WITHDRAW}, 1, 0},
	[ACTION_EXTERNAL] = {{"body", "reference"}, check_external, {EVENT_EXTERNAL}, 1, 0},
	[ACTION_DECISION] = {{"outcome", "amount", "reasons"}, check_decision, {EVENT_DECISION},
			     1, 0},
	[ACTION_APPEAL] = {{"message", "evidence"}, check_appeal, {EVENT_APPEAL}, 1, 0},
	[ACTION_MESSAGES] = {{"text", "attachments"}, NULL, {0}, 0,
			     WHO_CONSUMER | WHO_MERCHANT},
	[ACTION_EXECUTED] = {{"message"}, check_note, {EVENT_EXECUTED}, 1, 0},
	[ACTION_WAIVE_APPEAL] = {{"party", "message"}, check_waive, {EVENT_WAIVE_APPEAL}, 1, 0},
	[ACTION_CONFIRM_RETURN] = {{"message"}, check_note, {EVENT_CONFIRM_RETURN}, 1, 0},
	[ACTION_COUNTER] = {{"type", "amount", "text"}, check_counter, {EVENT_CONSUMER_COUNTER},
			    1, 0},
};

/* Who may take `action`: whoever the table lets fire one of its events. */
static unsigned action_who(enum dispute_action action)
{
	const struct action_spec *s = &actions[action];
	unsigned who = s->who;
	size_t i;

	for (i = 0; i < s->nfires; i++)
		who |= dispute_event_who(s->fires[i]);
	return who;
}

int dispute_action_allowed(enum dispute_action action, const char *role)
{
	struct actor a = {role, "", NULL};

	if ((int)action < 0 || action >= ACTION__COUNT)
		return 0;
	return strcmp(role, actor_role_names[ACTOR_PLATFORM]) == 0 ||
	       (action_who(action) & dispute_who_bit(&a)) != 0;
}

int dispute_act(struct cases *c, const struct actor *a, enum dispute_action action, json_t *d,
		json_t *in, int64_t now, json_t **out, struct dispute_call *dc, struct err *e)
{
	const struct action_spec *s;
	struct move m;
	json_t *data = NULL;
	int rc;

	*out = NULL;
	if (!dispute_action_allowed(action, a->role))
		return err_set(e, RC_FORBIDDEN, "forbidden", NULL, "a %s may not %s", a->role,
			       dispute_action_names[action]);
	s = &actions[action];
	move_init(&m, c, a, d, in, now, dc);
	m.event = s->fires[0];
	rc = jx_only(in, s->fields, "", e);
	if (rc)
		return rc;
	if (!s->check) {
		rc = add_message(&m, e);
	} else {
		data = json_object();
		rc = s->check(&m, data, e);
		if (!rc)
			rc = dispute_apply(&m, strcmp(a->role, actor_role_names[ACTOR_PLATFORM]) == 0,
					   data, e);
	}
	json_decref(data);
	/* art. 38: a rejection lifts the listing suspensions the dispute asked for */
	if (!rc && action == ACTION_DECISION)
		rc = listing_suspensions_decided(c, a, d, now, dc, e);
	if (!rc)
		*out = json_incref(d);
	return rc;
}
