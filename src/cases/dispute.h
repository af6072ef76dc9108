/* dispute.h - the dispute lifecycle: opening, the parties' and the platform's actions, and timeouts, under the published rules. */
#ifndef DISPUTED_DISPUTE_H
#define DISPUTED_DISPUTE_H

#include <jansson.h>
#include <stdint.h>

#include "cases/calendar.h"
#include "cases/rules.h"
#include "core/err.h"
#include "store/store.h"

/*
 * A dispute moves through the states awaiting_merchant, negotiating,
 * platform_review, decided, executing, resolved, withdrawn and external.
 * Every move is a row of one transition table (dispute.c): state, event,
 * who may, guard, next state, action. Every move is recorded as a dispute
 * event (actor, time, reason) and sealed into the evidence log; deadlines
 * come from the published rules and run as persisted timers that fire
 * exactly once; the platform's own duties are obligations with due and met
 * times, for the compliance report.
 *
 * All functions run inside the caller's store transaction. The seals they
 * make (events, the opening) are listed in `struct dispute_call` for the
 * caller to integrate into the log after committing.
 */

/* What the lifecycle needs: the store, the rules in force and the calendar. */
struct cases {
	struct store *st;
	const struct rules *rules;
	const struct calendar *cal;
};

/* Who is acting. */
struct actor {
	const char *role;     /* consumer, merchant, agent, platform, system */
	const char *id;       /* cus_/mer_ id, key or token id, or "timer" */
	const char *name;     /* an agent's name, a key's name; may be NULL */
};

#define DISPUTE_MAX_SEALS 64

/* What one call did that the caller finishes after committing. */
struct dispute_call {
	int64_t seals[DISPUTE_MAX_SEALS]; /* pending seals to integrate */
	size_t nseals;
	int fired;                        /* timers fired (dispute_fire_due) */
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
 * Apply `action` (responses, accept_offer, escalate, withdraw, external,
 * decision, appeal, executed, messages) by `a` to the stored dispute `d`
 * with body `in`. RC_FORBIDDEN for the wrong actor, RC_INVAL for a bad
 * body, RC_CONFLICT (saying why) in the wrong state or past the deadline.
 * *out is the dispute after the action.
 */
int dispute_act(struct cases *c, const struct actor *a, const char *action, json_t *d,
		json_t *in, int64_t now, json_t **out, struct dispute_call *dc,
		struct err *e) WARN_UNUSED;

/* Fire every timer due by `now` (each exactly once); dc->fired counts them. */
int dispute_fire_due(struct cases *c, int64_t now, struct dispute_call *dc,
		     struct err *e) WARN_UNUSED;

/* The actions a role may take, for the route table: 1 if `role` may ever call `action`. */
int dispute_action_allowed(const char *action, const char *role);

#endif
