/* dispute_return.c - a return_refund carried out in two steps: the consumer's return shipment, then the refund on the merchant's confirmation or after the rules' period. */
#include "cases/dispute_int.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "core/timeutil.h"
#include "ingest/ingest.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The dispute's return status, or -1 when it has no return. */
static int return_status(json_t *d)
{
	return vocab_find(return_status_names, str(json_object_get(d, "return"), "status"));
}

static void set_status(json_t *d, enum return_status s)
{
	json_object_set_new(json_object_get(d, "return"), "status",
			    json_string(return_status_names[s]));
}

/* The claim type the outcome grants: the accepted offer's, else the claim's. */
static int granted_type(json_t *d)
{
	json_t *o = json_object_get(d, "outcome");
	json_t *from = strcmp(str(o, "source") ? str(o, "source") : "", "agreement") == 0
			       ? json_object_get(d, "offer")
			       : json_object_get(d, "claim");

	return vocab_find(claim_type_names, str(from, "type"));
}

int dispute_return_needed(json_t *d)
{
	int o = vocab_find(outcome_names, str(json_object_get(d, "outcome"), "outcome"));
	int64_t paid = json_integer_value(json_object_get(
		json_object_get(json_object_get(d, "funds"), "paid"), "amount"));

	return (o == OUTCOME_FULL_REFUND || o == OUTCOME_PARTIAL_REFUND) &&
	       granted_type(d) == CLAIM_RETURN_REFUND && dispute_outcome_fen(d) > paid &&
	       !json_is_object(json_object_get(d, "return"));
}

int dispute_return_pending(json_t *d)
{
	int s = return_status(d);

	return s == RETURN_AWAITING_SHIPMENT || s == RETURN_SHIPPED || s == RETURN_SIGNED;
}

int dispute_return_blocks(json_t *d)
{
	return dispute_return_pending(d) || return_status(d) == RETURN_CANCELLED;
}

int dispute_return_timer_current(json_t *d, int64_t due_at)
{
	return return_status(d) == RETURN_SIGNED &&
	       dispute_ms_of(json_object_get(json_object_get(d, "return"), "refund_due_at")) ==
		       due_at;
}

static void set_next(json_t *d, const char *actor, const char *action, int64_t due)
{
	json_object_set_new(d, "next", json_pack("{s:s, s:s, s:o}", "actor", actor, "action",
						 action, "due_at",
						 due ? jx_time_json(due) : json_null()));
}

/* ---- the first step: the sum is held and the consumer sends the goods back ---- */

int dispute_return_await(struct move *m, struct err *e)
{
	json_t *f = json_object_get(m->d, "funds");
	int64_t paid = json_integer_value(json_object_get(json_object_get(f, "paid"), "amount"));
	int64_t owed = dispute_outcome_fen(m->d) - paid, have;
	int rc = RC_OK;

	have = json_integer_value(json_object_get(json_object_get(f, "held"), "amount")) +
	       json_integer_value(json_object_get(json_object_get(f, "shortfall"), "amount"));
	/* a hold that already stands for the sum (a decision's) is kept */
	if (!json_is_string(json_object_get(f, "hold")) || have != owed)
		rc = dispute_funds_hold(m, owed, "return", e);
	if (rc)
		return rc;
	json_object_set_new(m->d, "return",
			    json_pack("{s:s, s:[], s:n, s:n, s:n}", "status",
				      return_status_names[RETURN_AWAITING_SHIPMENT], "logistics",
				      "signed_at", "refund_due_at", "received_at"));
	set_next(m->d, "consumer", "return_goods", 0);
	return RC_OK;
}

/* ---- the return's logistics ---- */

int dispute_g_return_open(struct move *m, struct err *e)
{
	(void)e;
	return dispute_return_pending(m->d);
}

/* The return is signed for at `at`: the merchant has the period to confirm, then it is paid. */
static int return_signed(struct move *m, int64_t at, struct err *e)
{
	json_t *ret = json_object_get(m->d, "return");
	int64_t due = 0;
	int uncovered = 0, rc;

	if (at > m->now)
		at = m->now; /* a time in the future is not believed */
	if (rules_return_receipt_due(m->c->rules, m->c->cal, at, &due, &uncovered))
		return err_set(e, RC_INVAL, NULL, NULL, "cannot compute the return receipt deadline");
	set_status(m->d, RETURN_SIGNED);
	json_object_set_new(ret, "signed_at", jx_time_json(at));
	json_object_set_new(ret, "refund_due_at", jx_time_json(due));
	json_array_append_new(json_object_get(m->d, "deadlines"),
			      json_pack("{s:s, s:s, s:o}", "step", DISPUTE_RETURN_STEP, "actor",
					"merchant", "due_at", jx_time_json(due)));
	set_next(m->d, "merchant", "confirm_return", due);
	rc = store_timer_add(m->c->st, str(m->d, "id"), DISPUTE_RETURN_STEP, str(m->d, "state"),
			     due, e);
	if (!rc && due - m->now > REMIND_BEFORE_MS)
		rc = store_timer_add(m->c->st, str(m->d, "id"), "reminder:" DISPUTE_RETURN_STEP,
				     str(m->d, "state"), due - REMIND_BEFORE_MS, e);
	return rc;
}

int dispute_return_logistics(struct move *m, struct err *e)
{
	json_t *ret = json_object_get(m->d, "return");

	json_array_append(json_object_get(ret, "logistics"), json_object_get(m->in, "id"));
	if (strcmp(str(m->in, "status"), "signed") == 0 && return_status(m->d) != RETURN_SIGNED)
		return return_signed(m, dispute_ms_of(json_object_get(m->in, "occurred_at")), e);
	if (return_status(m->d) == RETURN_AWAITING_SHIPMENT) {
		set_status(m->d, RETURN_SHIPPED);
		set_next(m->d, "merchant", "confirm_return", 0);
	}
	return RC_OK;
}

int dispute_on_logistics(struct cases *c, json_t *ev, int64_t now, struct dispute_call *dc,
			 int *applied, struct err *e)
{
	static const struct actor sys = {"system", "logistics", NULL};
	static const char *const states[] = {"executing", "withdrawn", "external", NULL};
	char id[ID_MAX];
	json_t *d = NULL, *data;
	struct move m;
	int found = 0, rc;

	*applied = 0;
	if (vocab_find(logistics_direction_names, str(ev, "direction")) != LOGISTICS_RETURN)
		return RC_OK;
	rc = store_dispute_for_order(c->st, str(ev, "order"), states, id, &found, e);
	if (rc || !found)
		return rc;
	rc = store_dispute_get(c->st, id, &d, e);
	if (rc || !dispute_return_pending(d)) {
		json_decref(d);
		return rc;
	}
	move_init(&m, c, &sys, d, ev, now, dc);
	m.event = EVENT_RETURN_LOGISTICS;
	data = json_pack("{s:O, s:O, s:O, s:O, s:O}", "logistics", json_object_get(ev, "id"),
			 "status", json_object_get(ev, "status"), "carrier",
			 json_object_get(ev, "carrier"), "tracking_number",
			 json_object_get(ev, "tracking_number"), "occurred_at",
			 json_object_get(ev, "occurred_at"));
	rc = dispute_apply(&m, 0, data, e);
	json_decref(data);
	json_decref(d);
	*applied = !rc;
	return rc;
}

/* ---- the second step: the refund ---- */

int dispute_g_return_shipped(struct move *m, struct err *e)
{
	int s = return_status(m->d);

	if (s == RETURN_SHIPPED || s == RETURN_SIGNED)
		return 1;
	if (s == RETURN_RECEIVED)
		err_set(e, RC_CONFLICT, "return_confirmed", NULL,
			"the return was already received and the refund carried out");
	else if (s == RETURN_AWAITING_SHIPMENT)
		err_set(e, RC_CONFLICT, "return_not_shipped", NULL,
			"no return shipment has been recorded for this dispute yet");
	else
		err_set(e, RC_CONFLICT, "no_return", NULL, "this dispute has no return to confirm");
	return 0;
}

int dispute_g_return_signed(struct move *m, struct err *e)
{
	(void)e;
	return return_status(m->d) == RETURN_SIGNED;
}

int dispute_g_no_return_wait(struct move *m, struct err *e)
{
	if (!dispute_return_pending(m->d))
		return 1;
	err_set(e, RC_CONFLICT, "return_pending", NULL,
		"the refund waits for the consumer's return: the merchant confirms receipt, or it "
		"is paid when the rules' period after the return is signed for ends");
	return 0;
}

/* After the consumer left: the duty to carry the refund out arises now, and the money moves. */
static int refund_after_close(struct move *m, struct err *e)
{
	int64_t due = 0;
	int uncovered = 0, settled = 0, rc;

	if (rules_deadline(m->c->rules, m->c->cal, RULES_STEP_EXECUTION, m->now, &due, &uncovered))
		return err_set(e, RC_INVAL, NULL, NULL, "cannot compute the execution deadline");
	rc = dispute_oblige(m, DUTY_EXECUTE, due, e);
	if (!rc)
		rc = dispute_funds_settle(m, &settled, e);
	if (!rc && settled) {
		rc = dispute_meet(m, DUTY_EXECUTE, e);
		json_object_set_new(m->d, "executed_at", jx_time_json(m->now));
	}
	json_object_set_new(m->d, "next", json_null());
	return rc;
}

int dispute_return_received(struct move *m, struct err *e)
{
	json_object_set_new(json_object_get(m->d, "return"), "received_at", jx_time_json(m->now));
	set_status(m->d, RETURN_RECEIVED);
	if (m->from == DISPUTE_EXECUTING)
		return dispute_carry_out(m, e);
	return refund_after_close(m, e);
}

int dispute_return_close(struct move *m, const char *why, struct err *e)
{
	int rc = RC_OK;

	json_object_set_new(m->d, "overdue", json_false());
	if (return_status(m->d) == RETURN_SHIPPED || return_status(m->d) == RETURN_SIGNED)
		return RC_OK; /* the goods are on their way back: the refund still follows them */
	if (!json_is_object(json_object_get(m->d, "return")))
		json_object_set_new(m->d, "return",
				    json_pack("{s:s, s:[], s:n, s:n, s:n}", "status", "", "logistics",
					      "signed_at", "refund_due_at", "received_at"));
	set_status(m->d, RETURN_CANCELLED);
	rc = store_obligation_cancel_open(m->c->st, str(m->d, "id"), why, m->now, e);
	if (!rc)
		rc = dispute_funds_release(m, e);
	json_object_set_new(m->d, "next", json_null());
	return rc;
}
