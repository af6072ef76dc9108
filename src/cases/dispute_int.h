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
 * opening; dispute_actions.c the actions' bodies; dispute_return.c the
 * return of a return_refund.
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
	struct cases *c;        /* points at `governed` (move_init) */
	struct cases governed;  /* the caller's, with the rules the dispute is judged under: the
				   version it recorded (rules_version), for every step to its end */
	const struct actor *a;  /* who acts */
	json_t *d;              /* the dispute, changed in place (borrowed) */
	json_t *in;             /* the request body (borrowed; NULL for timers) */
	int64_t now;            /* when, UTC ms */
	struct dispute_call *dc; /* where the seals made go */
	enum dispute_event event; /* the table event it fires, once known */
	json_t *moved;          /* money the effect moved, recorded after the move as "funds"
				   events (owned; dispute_record_moved frees it) */
	enum dispute_state from; /* the state the move leaves (set by dispute_apply) */
	int settled;            /* the effect carried the outcome's money out completely */
	const char *party;      /* waive_appeal: the party waiving (a name in actor_role_names) */
};

/* A move by `a` on `d` at `now` under the rules of d's rules_version; `in` may be NULL. Nothing is allocated until an effect
 * moves money (m->moved, freed when dispute_apply records it, or by move_release). */
void move_init(struct move *m, struct cases *c, const struct actor *a, json_t *d, json_t *in,
	       int64_t now, struct dispute_call *dc);

/* Free what a move holds that was not recorded. */
void move_release(struct move *m);

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
	json_t *platform_liable;   /* dispute_liability's answer */
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

/* ---- money (dispute_funds.c) ---- */

/*
 * A dispute's "funds" member: {"hold": "hld_…" or null, "held", "shortfall",
 * "paid", "reimbursed" (money), "blocked": why money could not move, or
 * null}. `paid` is what the consumer was paid for the dispute, `reimbursed`
 * what the guarantee fund paid back to the merchant after an appeal it won.
 * Every operation is keyed by the dispute's id and these amounts, so it
 * happens once. New reference.
 */
json_t *dispute_funds_json(void);

/* The outcome's amount in fen (0 for none). */
int64_t dispute_outcome_fen(json_t *d);

/* 1 if the outcome is carried out by moving money alone: refunds, and rejected (nothing). */
int dispute_outcome_is_money(json_t *d);

/* 1 if money is still to move or a hold still stands for the outcome. */
int dispute_funds_pending(json_t *d);

/*
 * Hold `amount` fen of the merchant's available settlement, then deposit,
 * for the dispute, replacing the hold it had (none for amount 0): as much
 * as is available, the shortfall recorded. `tag` names the hold in its key.
 */
int dispute_funds_hold(struct move *m, int64_t amount, const char *tag, struct err *e) WARN_UNUSED;

/* Release the dispute's active hold, if it has one. */
int dispute_funds_release(struct move *m, struct err *e) WARN_UNUSED;

/*
 * Bring the money in line with the outcome: pay the consumer what it
 * grants beyond what was paid (funds_execute: the hold, settlement,
 * deposit, then the guarantee fund paying first; funds_advance for all of
 * it when the platform is liable), or reimburse the merchant from the
 * guarantee fund what it paid beyond it; then release the hold. *settled
 * is 1 when nothing is left to move. A guarantee fund that cannot cover
 * the rest is no error: nothing moves, funds.blocked says why, *settled 0.
 */
int dispute_funds_settle(struct move *m, int *settled, struct err *e) WARN_UNUSED;

/*
 * The rules' [repeated_fraud] pay_first: a decision that grants the
 * consumer `owed` more fen against a merchant flagged repeated_fraud is
 * paid at once by the guarantee fund paying first (funds_advance: a
 * receivable is booked against the merchant), the hold released and
 * funds.paid_first set. *paid says whether it was; a rule that is off, a
 * merchant not flagged, nothing owed or a guarantee fund too small pays
 * nothing here (the hold and the usual execution follow).
 */
int dispute_funds_pay_first(struct move *m, int64_t owed, int *paid, struct err *e) WARN_UNUSED;

/* Record the "funds" events of what the move's effects moved (m->moved), in order. */
int dispute_record_moved(struct move *m, struct err *e) WARN_UNUSED;

/* *has: whether staff set `flag` on the merchant. */
int dispute_merchant_flagged(struct cases *c, const char *merchant_id, enum merchant_flag flag,
			     int *has, struct err *e) WARN_UNUSED;

/* Set the dispute's platform_liable if the merchant has become so since (once liable, it stays). */
int dispute_liability_update(struct move *m, struct err *e) WARN_UNUSED;

/*
 * The outcome is final and carried out now: the execution step and the
 * platform's duty start, and a money outcome is paid at once (m->settled
 * says whether all of it moved). dispute.c.
 */
int dispute_carry_out(struct move *m, struct err *e) WARN_UNUSED;

/* The guard that takes a row only before the step's deadline (dispute.c): else 409. */
int dispute_g_in_time(struct move *m, struct err *e);

/* ---- negotiation in rounds (dispute_negotiate.c) ---- */

/* The round the negotiation is in: 0 before the merchant's first answer. */
int dispute_round(json_t *d);

/* Whose turn it is to answer in negotiating: "consumer" or "merchant"; NULL in other states. */
const char *dispute_turn(json_t *d);

/*
 * Guards. Accepting the standing offer: the merchant's by the consumer (no
 * offer: 409 no_offer), the consumer's counter-offer by the merchant (with
 * accept_offer, or its `accept` response); accepting one's own offer is 403.
 * A counter-offer: the consumer's turn, in time, before the rules' last
 * round (else 409 rounds_exhausted). The merchant's turn: its answer to a
 * counter-offer; a revised offer also needs a round left. Not one's turn:
 * 409 wrong_state, saying whose it is.
 */
int dispute_g_accept_merchant_offer(struct move *m, struct err *e);
int dispute_g_accept_counter(struct move *m, struct err *e);
int dispute_g_counter(struct move *m, struct err *e);
int dispute_g_merchant_turn(struct move *m, struct err *e);
int dispute_g_revise(struct move *m, struct err *e);

/*
 * Effects: the merchant's offer (m->in.offer: round 1 from awaiting_merchant,
 * else the next) and its first rejection start the consumer's step; the
 * consumer's counter-offer (m->in {type, amount, text}) starts the
 * merchant's; a rejected counter-offer is recorded (the caller starts the
 * review). Each is a step in the dispute's "negotiation".
 */
int dispute_a_offer(struct move *m, struct err *e) WARN_UNUSED;
int dispute_a_reject(struct move *m, struct err *e) WARN_UNUSED;
int dispute_a_counter(struct move *m, struct err *e) WARN_UNUSED;
int dispute_a_reject_counter(struct move *m, struct err *e) WARN_UNUSED;

/* ---- a decision's reasons (dispute_reasons.c) ---- */

/*
 * Each reason of a decision (already well-formed) has a code the rules
 * publish, or "other" with a text; each of its evidence references is one
 * the dispute may cite: a record of its frozen evidence set (its id, or
 * "type:id", e.g. "payment:ord_…"), a later logistics event or message of
 * the order, the dispute itself, an event of its parties or an assessment
 * ("dev_…"), or a blob the parties attached to it or to the order's chat
 * ("sha256:…"). RC_UNPROCESSABLE naming "reasons[N].code" or
 * "reasons[N].evidence" otherwise.
 */
int dispute_check_reasons(struct move *m, json_t *reasons, struct err *e) WARN_UNUSED;

/*
 * What the records say for the consumer's claim, as a new array of
 * {"kind", "record", "why"}: a not_received claim whose frozen logistics
 * show no signature (logistics_unsigned), a merchant's message in the
 * order's chat or the dispute holding one of the rules' [burden]
 * admissions (merchant_admission), the latest assessment suggesting an
 * outcome for the consumer (assessment). Bounded; empty when none.
 */
int dispute_burden_support(struct move *m, json_t **out, struct err *e) WARN_UNUSED;

/*
 * The guard of a decision, once the state and the actor are right: its
 * reasons pass dispute_check_reasons (else 422); and one against the
 * consumer (rejected, or less than the claim) whose only reason is
 * insufficient_evidence is refused with 409 burden_of_proof when
 * dispute_burden_support finds anything, the list going to m->dc->support.
 */
int dispute_g_decision(struct move *m, struct err *e);

/* ---- the return of a return_refund (dispute_return.c) ---- */

/* The timer step of the return's period: rules funds.return_receipt after it is signed for. */
#define DISPUTE_RETURN_STEP "return_receipt"

/*
 * A dispute's "return" member: null, or {"status": a return_status_names
 * entry, "logistics": the ids of the return's logistics events,
 * "signed_at", "refund_due_at", "received_at" (times or null)}.
 */

/* 1 if the outcome refunds a return_refund (claimed, or the offer accepted) whose return has
 * not started: it is paid only once the goods come back. */
int dispute_return_needed(json_t *d);

/* 1 while the return is awaited, on its way, or signed for and not yet confirmed. */
int dispute_return_pending(json_t *d);

/* 1 if the return keeps the refund from being paid on an agent's word: pending or cancelled. */
int dispute_return_blocks(json_t *d);

/* 1 if a return_receipt timer due at `due_at` is the one the dispute's return is waiting on. */
int dispute_return_timer_current(json_t *d, int64_t due_at);

/* The first step: hold the sum (keeping a hold that stands for it) and wait for the goods. */
int dispute_return_await(struct move *m, struct err *e) WARN_UNUSED;

/* Guards: the return is pending; shipped or signed (else a 409 saying why); signed; not
 * pending (else a 409: an agent cannot pay what waits for the return). */
int dispute_g_return_open(struct move *m, struct err *e);
int dispute_g_return_shipped(struct move *m, struct err *e);
int dispute_g_return_signed(struct move *m, struct err *e);
int dispute_g_no_return_wait(struct move *m, struct err *e);

/* A return logistics event (m->in, as stored) is recorded; `signed` starts the period. */
int dispute_return_logistics(struct move *m, struct err *e) WARN_UNUSED;

/* The second step: the goods are back (confirmed or the period passed): the refund is paid. */
int dispute_return_received(struct move *m, struct err *e) WARN_UNUSED;

/*
 * The consumer ends the dispute while a return is needed or pending: goods
 * already on their way keep the refund coming; a return never shipped
 * cancels it (open duties cancelled with `why`, the hold released).
 */
int dispute_return_close(struct move *m, const char *why, struct err *e) WARN_UNUSED;

#endif
