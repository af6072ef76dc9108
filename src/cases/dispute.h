/* dispute.h - the dispute lifecycle: opening, the parties' and the platform's actions, and timeouts, under the published rules. */
#ifndef DISPUTED_DISPUTE_H
#define DISPUTED_DISPUTE_H

#include <jansson.h>
#include <stdint.h>

#include "cases/calendar.h"
#include "cases/rules.h"
#include "cases/vocab.h"
#include "core/err.h"
#include "store/store.h"

/*
 * A dispute moves through the states of enum dispute_state (vocab.h).
 * Every move is a row of one transition table (dispute.c): states, event,
 * who may, guard, next state, effect. Every move is recorded as a dispute
 * event (actor, time, reason) and sealed into the evidence log; deadlines
 * come from the published rules and run as persisted timers that fire
 * exactly once; the platform's own duties are obligations with due and met
 * times, for the compliance report.
 *
 * All functions run inside the caller's store transaction. The seals they
 * make (events, the opening) are listed in `struct dispute_call` for the
 * caller to integrate into the log after committing.
 */

/*
 * A dispute is a JSON object, stored and served as it is, with these
 * members in this order (docs/openapi.yaml, Dispute):
 *
 *   object         "dispute"
 *   id             "dsp_…"
 *   order          the order's "ord_…"
 *   merchant       "mer_…", the order's merchant
 *   consumer       "cus_…", the order's consumer
 *   state          a dispute_state_names entry
 *   tier           a rules_tier_names entry, fixed at opening
 *   tier_reason    why that tier, in English (rules_tier)
 *   rules_version  the rules it is judged under
 *   claim          {"type": a claim_type_names entry, "amount": money}
 *   reason         a dispute_reason_names entry
 *   description    the consumer's text, or null
 *   evidence       blob ids the consumer cited at opening
 *   evidence_set   {"frozen_at", "records": [{"type", "id", "version"?,
 *                  "leaf_hash", "leaf_index"?}]}: the order's sealed records
 *   offer          the standing offer {"id": "ofr_…", "type", "amount",
 *                  "made_at", "by" (merchant or consumer), "round", "text"?}:
 *                  the merchant's, or the consumer's counter-offer; or null
 *   negotiation    the rounds so far, [{"round", "by", "action" (offer,
 *                  reject, counter), "offer" (or null), "at"}], two a round at
 *                  most (dispute_negotiate.c)
 *   outcome        {"outcome": an outcome_names entry, "amount" (money or
 *                  null), "reasons": [{"code", "text", "evidence"?}] (a
 *                  decision's: dispute_reasons.c),
 *                  "source": timeout|merchant|agreement|platform,
 *                  "decided_by": actor, "decided_at"}, or null
 *   external       {"body": court|association, "reference", "at"}, or null
 *   overdue        true while the platform is past its own deadline
 *   appealed       true once a party has appealed (once only)
 *   deadlines      every step started: [{"step", "actor", "due_at"}]
 *   next           the step in progress {"actor", "action", "due_at" (or null
 *                  when the step has no deadline)}, or null
 *   platform_liable, funds, appeal_waived (see dispute_int.h)
 *   return         a return_refund's return: null until its outcome is carried
 *                  out, then {"status", "logistics", "signed_at",
 *                  "refund_due_at", "received_at"} (dispute_int.h)
 *   executed_at
 *   created_at, updated_at
 *
 * Money is {"amount": fen, "currency"}; times are RFC 3339 UTC.
 */

/* What the lifecycle needs: the store, the rules in force and the calendar. */
struct cases {
	struct store *st;
	const struct rules *rules;
	const struct calendar *cal;
};

/* Who is acting. */
struct actor {
	const char *role;     /* an actor_role_names entry: consumer, merchant, agent, platform, system */
	const char *id;       /* cus_/mer_ id, key or token id, or "timer" */
	const char *name;     /* an agent's name, a key's name; may be NULL */
};

#define DISPUTE_MAX_SEALS 64

/* What one call did that the caller finishes after committing. */
struct dispute_call {
	int64_t seals[DISPUTE_MAX_SEALS]; /* pending seals to integrate */
	size_t nseals;
	int fired;                        /* timers fired (dispute_fire_due) */
	json_t *support;                  /* a decision refused for the burden of proof
					     (code burden_of_proof): the records that support
					     the claim, [{"kind", "record", "why"}]; owned by the
					     caller, who frees it; NULL otherwise */
};

/*
 * Open a dispute on `order` (a stored order the actor may see) from the
 * request body `in`; *out is the new dispute as served. RC_INVAL for a bad
 * body (e->param names the field), RC_CONFLICT for a dispute the rules do
 * not take (code return_window_closed, return_excluded, dispute_open, …).
 */
int dispute_open(struct cases *c, const struct actor *a, json_t *order, json_t *in,
		 int64_t now, json_t **out, struct dispute_call *dc, struct err *e) WARN_UNUSED;

/*
 * Apply `action` by `a` to the stored dispute `d`
 * with body `in`. RC_FORBIDDEN for the wrong actor, RC_INVAL for a bad
 * body, RC_UNPROCESSABLE for a decision's reason whose code the rules do
 * not publish or whose evidence is not the dispute's, RC_CONFLICT (saying
 * why) in the wrong state or past the deadline, or a decision that the
 * burden of proof forbids (dc->support then lists why; the caller frees it).
 * *out is the dispute after the action.
 */
int dispute_act(struct cases *c, const struct actor *a, enum dispute_action action, json_t *d,
		json_t *in, int64_t now, json_t **out, struct dispute_call *dc,
		struct err *e) WARN_UNUSED;

/* Fire every timer due by `now` (each exactly once); dc->fired counts them. */
int dispute_fire_due(struct cases *c, int64_t now, struct dispute_call *dc,
		     struct err *e) WARN_UNUSED;

/*
 * A logistics event `ev` (as stored) came in for its order. If it is the
 * consumer's return (direction "return") and the order's dispute waits on
 * it, the dispute records it in its timeline; a `signed` one starts the
 * rules' return_receipt period, after which the refund is paid unless the
 * merchant confirms receipt sooner. *applied says whether a dispute took
 * it. Inside the caller's transaction, like the rest.
 */
int dispute_on_logistics(struct cases *c, json_t *ev, int64_t now, struct dispute_call *dc,
			 int *applied, struct err *e) WARN_UNUSED;

/*
 * 1 if `role` may ever take `action`: the platform always, anyone else if
 * the transition table lets it fire one of the action's events.
 */
int dispute_action_allowed(enum dispute_action action, const char *role);

/*
 * CPL art. 44: *out is {"basis": "cpl_44", "reason", "text"} when the
 * platform cannot give the merchant's identity (flagged
 * identity_unverifiable, or its record lacks a real name, an address or
 * any contact), else JSON null. New reference. Disclosures ask it too: a package
 * about such a merchant says so plainly.
 */
int dispute_liability(struct cases *c, const char *merchant_id, json_t **out,
		      struct err *e) WARN_UNUSED;

/*
 * Note in dispute `dispute_id`'s timeline (a sealed event both parties see,
 * no change of state) that something outside the lifecycle happened to it:
 * e.g. "disclosure_released" with {disclosure, to, scope, basis}. `data` is
 * taken. Inside the caller's transaction; the event's seal goes to `dc`.
 */
int dispute_note(struct cases *c, const struct actor *a, const char *dispute_id,
		 const char *type, json_t *data, int64_t now, struct dispute_call *dc,
		 struct err *e) WARN_UNUSED;

#endif
