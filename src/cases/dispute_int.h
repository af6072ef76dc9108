/* dispute_int.h - what the dispute files share: the move in progress, the transition table, and the steps every move takes. */
#ifndef DISPUTED_DISPUTE_INT_H
#define DISPUTED_DISPUTE_INT_H

#include <jansson.h>
#include <stdint.h>

#include "cases/dispute.h"
#include "cases/vocab.h"
#include "core/err.h"

/*
 * dispute.c holds the lifecycle (the table, its guards and effects, the
 * timers); dispute_step.c the steps every move takes (deadlines,
 * obligations, the event record, saving, webhooks); dispute_open.c the
 * opening; dispute_actions.c the actions' bodies.
 */

/* Who may fire an event: a bit per enum actor_role. */
#define WHO(role) (1u << (role))
#define WHO_CONSUMER WHO(ACTOR_CONSUMER)
#define WHO_MERCHANT WHO(ACTOR_MERCHANT)
#define WHO_AGENT WHO(ACTOR_AGENT) /* platform staff: agents and the platform key */
#define WHO_SYSTEM WHO(ACTOR_SYSTEM) /* timers */

/* A set of states, a bit per enum dispute_state. */
#define STATE(s) (1u << (s))
#define STATES_LIVE (STATE(DISPUTE_STATE__FINAL) - 1u)

/* Everything a guard, an effect or a body check may look at. */
struct move {
	struct cases *c;
	const struct actor *a;  /* who acts */
	json_t *d;              /* the dispute, changed in place (borrowed) */
	json_t *in;             /* the request body (borrowed; NULL for timers) */
	int64_t now;            /* when, UTC ms */
	struct dispute_call *dc; /* where the seals made go */
	enum dispute_event event; /* the table event it fires, once known */
};

/* A move by `a` on `d` at `now`; `in` may be NULL. Nothing is allocated. */
void move_init(struct move *m, struct cases *c, const struct actor *a, json_t *d, json_t *in,
	       int64_t now, struct dispute_call *dc);

/* A guard: 1 to take the row; 0 to try the next, or to refuse if it set `e`. */
typedef int guard_fn(struct move *m, struct err *e);
/* An effect: what the row does beyond changing the state. RC_OK or an error. */
typedef int effect_fn(struct move *m, struct err *e);

/* One row of the lifecycle. */
struct transition {
	unsigned from;           /* the states it leaves, STATE() bits */
	enum dispute_event event; /* what fires it */
	unsigned who;            /* who may fire it, WHO() bits */
	guard_fn *guard;         /* NULL: always; else 1 to take this row */
	enum dispute_state next; /* the state it enters; the one it leaves if it stays */
	effect_fn *effect;       /* NULL: nothing beyond the move itself */
	const char *why;         /* the event's reason, as recorded */
};

/*
 * The lifecycle (dispute.c), `dispute_transitions_len` rows. Rows are tried
 * in order; for one state and event the first row whose guard holds is
 * taken.
 */
extern const struct transition dispute_transitions[];
extern const size_t dispute_transitions_len;

/* Who may fire `ev` in any state: the union of its rows' `who`. */
unsigned dispute_event_who(enum dispute_event ev);

/* The WHO() bit of an actor: the platform key acts as staff. */
unsigned dispute_who_bit(const struct actor *a);

/*
 * Take the table's row for the dispute's state and m->event and record it
 * with `data` (borrowed; may be NULL). `on_behalf` lets the platform act
 * for a party (it pushes what its users do in its own app). RC_FORBIDDEN
 * for the wrong actor, RC_CONFLICT when no row takes the event.
 */
int dispute_apply(struct move *m, int on_behalf, json_t *data, struct err *e) WARN_UNUSED;

/* What a new dispute is made of (dispute_open.c); all borrowed. */
struct dispute_opening {
	const char *id;            /* "dsp_…" */
	const char *order;         /* the order's id */
	const char *merchant;      /* the order's merchant */
	const char *consumer;      /* the order's consumer */
	enum rules_tier tier;      /* as rules_tier placed it */
	const char *tier_reason;   /* and why */
	const char *rules_version; /* the rules in force */
	const char *claim_type;    /* a claim_type_names entry */
	int64_t amount;            /* the claim, fen */
	const char *currency;      /* the order's currency */
	const char *basis;         /* a compensation_basis_names entry, or NULL */
	int64_t cap;               /* the most the dispute moves, fen (compensation.h) */
	const char *reason;        /* a dispute_reason_names entry */
	const char *description;   /* or NULL */
	json_t *evidence;          /* blob ids cited */
	json_t *records;           /* the frozen evidence set's records */
	int64_t now;               /* when it opens */
};

/* ---- the steps every move takes (dispute_step.c) ---- */

/* dispute.deadline_approaching goes out this long before a deadline. */
#define REMIND_BEFORE_MS (24LL * 3600 * 1000)

/* An RFC 3339 string as ms; 0 if `v` is not one. */
int64_t dispute_ms_of(json_t *v);

/* The deadline of the step in progress (the one `next` names), or 0. */
int64_t dispute_current_due(json_t *d);

/* Tell the platform's webhooks; `type` is dispute.created, dispute.updated, … */
int dispute_notify(struct move *m, const char *type, struct err *e) WARN_UNUSED;

/*
 * Start `step` now: its deadline under the rules goes into "deadlines" and
 * "next" (with `actor` and `action`), and a timer (and a reminder a day
 * before, when there is time for one) fires in `state` when it passes.
 */
int dispute_start_step(struct move *m, enum rules_step step, const char *actor,
		       const char *action, enum dispute_state state, struct err *e) WARN_UNUSED;

/* The platform owes `duty` by `due` / has met it now. */
int dispute_oblige(struct move *m, enum duty duty, int64_t due, struct err *e) WARN_UNUSED;
int dispute_meet(struct move *m, enum duty duty, struct err *e) WARN_UNUSED;

/* The actor as recorded: {"role", "id", "name"?}. New reference. */
json_t *dispute_actor_json(const struct actor *a);

/*
 * Record a dispute event of `type` from `from` to `to` (either NULL) with
 * `reason` and `data` (stolen; NULL for {}), store it, let the dispute own
 * the blobs it cites, and seal it (the seal goes to m->dc).
 */
int dispute_record(struct move *m, const char *type, const char *from, const char *to,
		   const char *reason, json_t *data, struct err *e) WARN_UNUSED;

/* Store the dispute as it now is, updated_at now. */
int dispute_save(struct move *m, struct err *e) WARN_UNUSED;

/*
 * The blob ids in in[key], each one the actor may cite (ingest_blob_list).
 * *ids is a new array, also on failure.
 */
int dispute_cite_blobs(struct store *st, const struct actor *a, json_t *in, const char *key,
		       json_t **ids, struct err *e) WARN_UNUSED;

/*
 * Set the dispute's "outcome": `outcome` for `amount` (borrowed; NULL for
 * none: rejected, replace, repair without money) with `reasons` (borrowed),
 * decided by the actor now, through `source` (timeout, merchant,
 * agreement, platform).
 */
void dispute_set_outcome(struct move *m, enum dispute_outcome outcome, json_t *amount,
			 json_t *reasons, const char *source);

#endif
