/* dispute_negotiate.c - negotiation in rounds: the merchant's offers, the consumer's counter-offers, whose turn it is, and the history both parties see. */
#include "cases/dispute_int.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"

/*
 * A round is the merchant's offer (its first answer to the claim, a
 * rejection being an answer without an offer, or a revised offer) and the
 * consumer's answer to it. The consumer answers by accepting, escalating
 * or, before the rules' last round, with a counter-offer; the merchant
 * answers a counter-offer by accepting it, rejecting it (the platform
 * decides) or with a revised offer, which opens the next round. The
 * dispute's "offer" is the standing offer, whoever made it; its
 * "negotiation" lists every step as {"round", "by", "action" (offer,
 * reject, counter), "offer" (or null), "at"}, at most two a round.
 */

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The history, made an array if the dispute has none (one opened before rounds). */
static json_t *history(json_t *d)
{
	json_t *h = json_object_get(d, "negotiation");

	if (!json_is_array(h)) {
		h = json_array();
		json_object_set_new(d, "negotiation", h);
	}
	return h;
}

int dispute_round(json_t *d)
{
	json_t *h = json_object_get(d, "negotiation");
	size_t n = json_array_size(h);

	if (n)
		return (int)json_integer_value(json_object_get(json_array_get(h, n - 1), "round"));
	/* a dispute negotiating before rounds were recorded is in its first */
	return is(str(d, "state"), dispute_state_names[DISPUTE_NEGOTIATING]) ? 1 : 0;
}

const char *dispute_turn(json_t *d)
{
	json_t *h = json_object_get(d, "negotiation");
	size_t n = json_array_size(h);
	const char *consumer = actor_role_names[ACTOR_CONSUMER];

	if (!is(str(d, "state"), dispute_state_names[DISPUTE_NEGOTIATING]))
		return NULL;
	if (n && is(str(json_array_get(h, n - 1), "by"), consumer))
		return actor_role_names[ACTOR_MERCHANT];
	return consumer;
}

/* The party acting: consumer or merchant, or NULL for staff acting for whoever is due. */
static const char *party(struct move *m)
{
	if (is(m->a->role, actor_role_names[ACTOR_CONSUMER]) ||
	    is(m->a->role, actor_role_names[ACTOR_MERCHANT]))
		return m->a->role;
	return NULL;
}

/* 1 if it is `who`'s turn; else 0 with a 409 saying whose it is. */
static int turn_of(struct move *m, const char *who, struct err *e)
{
	const char *turn = dispute_turn(m->d);

	if (is(turn, who))
		return 1;
	err_set(e, RC_CONFLICT, "wrong_state", NULL,
		"the dispute is negotiating and waits for the %s to answer (round %d)",
		turn ? turn : "platform", dispute_round(m->d));
	return 0;
}

/* Append a step to the history; `offer` (borrowed) may be NULL. */
static int add_step(struct move *m, int round, const char *by, const char *action,
		    json_t *offer, struct err *e)
{
	json_t *h = history(m->d);

	if (json_array_size(h) >= 2 * RULES_MAX_ROUNDS + 2)
		return err_set(e, RC_CONFLICT, "rounds_exhausted", NULL,
			       "the negotiation has no more rounds");
	if (json_array_append_new(h, json_pack("{s:i, s:s, s:s, s:O, s:o}", "round", round, "by",
					       by, "action", action, "offer",
					       offer ? offer : json_null(), "at",
					       jx_time_json(m->now))))
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

/* The new standing offer of `by` in `round` from body `src` {type, amount}, text if any. */
static json_t *new_offer(struct move *m, json_t *src, const char *by, int round,
			 const char *text)
{
	char id[ID_MAX];
	json_t *o;

	id_new(id, "ofr");
	o = json_pack("{s:s, s:O, s:O, s:o, s:s, s:i}", "id", id, "type",
		      json_object_get(src, "type"), "amount", json_object_get(src, "amount"),
		      "made_at", jx_time_json(m->now), "by", by, "round", round);
	if (o && text)
		json_object_set_new(o, "text", json_string(text));
	return o;
}

/* ---- guards ---- */

/*
 * Accepting the standing offer: the body names it, and the acceptor is the
 * party it was made to. `need_id`: accept_offer names it; a merchant's
 * `accept` response accepts the counter-offer standing.
 */
static int accept_checks(struct move *m, const char *to, struct err *e)
{
	json_t *offer = json_object_get(m->d, "offer");
	const char *want = NULL, *who = party(m);

	if (!dispute_g_in_time(m, e))
		return 0;
	if (m->event == EVENT_ACCEPT_OFFER && jx_str(m->in, "offer", "offer", 1, 64, &want, e))
		return 0;
	if (who && !is(who, to)) {
		err_set(e, RC_FORBIDDEN, "forbidden", NULL,
			"a %s may not %s its own offer: the %s is to answer it", who,
			dispute_event_names[m->event], to);
		return 0;
	}
	if (want && !is(str(offer, "id"), want)) {
		err_set(e, RC_CONFLICT, "offer_mismatch", "offer",
			"offer %s is not the current offer (%s)", want, str(offer, "id"));
		return 0;
	}
	return 1;
}

int dispute_g_accept_merchant_offer(struct move *m, struct err *e)
{
	json_t *offer = json_object_get(m->d, "offer");

	if (json_is_object(offer) && is(str(offer, "by"), actor_role_names[ACTOR_CONSUMER]))
		return 0; /* the consumer's counter-offer: the next row */
	if (!json_is_object(offer)) {
		const char *want = NULL;

		if (!dispute_g_in_time(m, e))
			return 0;
		if (jx_str(m->in, "offer", "offer", 1, 64, &want, e))
			return 0;
		err_set(e, RC_CONFLICT, "no_offer", "offer",
			"the merchant has made no offer to accept; escalate instead");
		return 0;
	}
	return accept_checks(m, actor_role_names[ACTOR_CONSUMER], e);
}

int dispute_g_accept_counter(struct move *m, struct err *e)
{
	json_t *offer = json_object_get(m->d, "offer");

	if (!json_is_object(offer) || !is(str(offer, "by"), actor_role_names[ACTOR_CONSUMER])) {
		/* accept_offer: the merchant's offer was the row before; an `accept` response
		   has no counter-offer to accept */
		if (m->event != EVENT_ACCEPT_OFFER && turn_of(m, actor_role_names[ACTOR_MERCHANT], e))
			err_set(e, RC_CONFLICT, "no_offer", NULL,
				"the consumer has made no counter-offer to accept");
		return 0;
	}
	return accept_checks(m, actor_role_names[ACTOR_MERCHANT], e);
}

int dispute_g_counter(struct move *m, struct err *e)
{
	int round = dispute_round(m->d);

	if (!dispute_g_in_time(m, e) || !turn_of(m, actor_role_names[ACTOR_CONSUMER], e))
		return 0;
	if (round >= m->c->rules->negotiation_rounds) {
		err_set(e, RC_CONFLICT, "rounds_exhausted", NULL,
			"round %d is the last the rules allow (%d): accept the merchant's offer or "
			"escalate", round, m->c->rules->negotiation_rounds);
		return 0;
	}
	return 1;
}

int dispute_g_merchant_turn(struct move *m, struct err *e)
{
	return dispute_g_in_time(m, e) && turn_of(m, actor_role_names[ACTOR_MERCHANT], e);
}

int dispute_g_revise(struct move *m, struct err *e)
{
	int round = dispute_round(m->d);

	if (!dispute_g_merchant_turn(m, e))
		return 0;
	if (round >= m->c->rules->negotiation_rounds) {
		err_set(e, RC_CONFLICT, "rounds_exhausted", NULL,
			"round %d is the last the rules allow (%d): accept the counter-offer or "
			"reject it", round, m->c->rules->negotiation_rounds);
		return 0;
	}
	return 1;
}

/* ---- effects ---- */

/* The consumer's turn: its deadline runs. */
static int consumer_step(struct move *m, const char *action, struct err *e)
{
	return dispute_start_step(m, RULES_STEP_CONSUMER_REPLY, "consumer", action,
				  DISPUTE_NEGOTIATING, e);
}

/* The merchant's first offer opens round 1; a revised one, the next round. */
int dispute_a_offer(struct move *m, struct err *e)
{
	int round = m->from == DISPUTE_AWAITING_MERCHANT ? 1 : dispute_round(m->d) + 1;
	const char *by = actor_role_names[ACTOR_MERCHANT];
	json_t *offer = new_offer(m, json_object_get(m->in, "offer"), by, round, NULL);
	int rc;

	if (!offer)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_set_new(m->d, "offer", offer);
	rc = add_step(m, round, by, "offer", offer, e);
	return rc ? rc : consumer_step(m, "accept_offer_or_escalate", e);
}

/* The merchant's first answer rejects the claim: round 1 without an offer. */
int dispute_a_reject(struct move *m, struct err *e)
{
	int rc;

	json_object_set_new(m->d, "offer", json_null());
	rc = add_step(m, 1, actor_role_names[ACTOR_MERCHANT], "reject", NULL, e);
	return rc ? rc : consumer_step(m, "escalate", e);
}

/* The merchant rejects the consumer's counter-offer: the round ends without agreement. */
int dispute_a_reject_counter(struct move *m, struct err *e)
{
	return add_step(m, dispute_round(m->d), actor_role_names[ACTOR_MERCHANT], "reject", NULL,
			e);
}

int dispute_a_counter(struct move *m, struct err *e)
{
	int round = dispute_round(m->d);
	const char *by = actor_role_names[ACTOR_CONSUMER];
	json_t *offer = new_offer(m, m->in, by, round, str(m->in, "text"));
	int rc;

	if (!offer)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_set_new(m->d, "offer", offer);
	rc = add_step(m, round, by, "counter", offer, e);
	if (!rc)
		rc = dispute_start_step(m, RULES_STEP_MERCHANT_RESPONSE, "merchant",
					"accept_counter_revise_or_reject", DISPUTE_NEGOTIATING, e);
	return rc;
}
