/* dispute_open.c - opening a dispute: the claim checked, the no-reason return window, the tier, the order's evidence frozen. */
#include "cases/dispute_int.h"

#include <string.h>

#include "cases/compensation.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "ingest/ingest.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Call fn(item, ctx) for every stored record of `kind` (logistics, messages) of the order. */
static int each_of_order(struct cases *c, enum store_kind kind, const char *order_id,
			 void (*fn)(json_t *item, void *ctx), void *ctx, struct err *e)
{
	struct store_filter f = {NULL, NULL, order_id};
	json_t *items = NULL, *it;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	do {
		rc = store_list(c->st, kind, &f, after, 100, &items, &next, e);
		if (rc)
			return rc;
		json_array_foreach(items, i, it)
			fn(it, ctx);
		json_decref(items);
		after = next;
	} while (next > 0);
	return RC_OK;
}

/* each_of_order: keep the latest `signed` delivery to the consumer in *(int64_t *)ctx (a
 * return signed for by the merchant is no delivery). */
static void latest_signed(json_t *it, void *ctx)
{
	int64_t *at = ctx, t = dispute_ms_of(json_object_get(it, "occurred_at"));

	if (strcmp(str(it, "status"), "signed") == 0 &&
	    vocab_find(logistics_direction_names, str(it, "direction")) != LOGISTICS_RETURN &&
	    t > *at)
		*at = t;
}

/* The latest `signed` logistics event of the order, as ms (0 if none). */
static int signed_at(struct cases *c, const char *order_id, int64_t *at, struct err *e)
{
	*at = 0;
	return each_of_order(c, STORE_LOGISTICS, order_id, latest_signed, at, e);
}

/* RC_CONFLICT if a listing of the order carries a flag the rules exclude from no-reason returns. */
static int check_return_excluded(struct cases *c, json_t *order, struct err *e)
{
	json_t *it;
	size_t i;
	int rc;

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
	return RC_OK;
}

/* No-reason returns (CPL art. 25): the window, and listings the rules exclude. */
static int check_no_reason_return(struct cases *c, json_t *order, int64_t now, struct err *e)
{
	char last_day[CALENDAR_DATE_TEXT_MAX];
	int64_t at = 0, end = 0;
	int uncovered = 0, rc;

	rc = check_return_excluded(c, order, e);
	if (!rc)
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

/* Add the seal of record (kind, id, version; 0 for unversioned) to `set`, if it is sealed. */
static void freeze_one(struct cases *c, json_t *set, const char *kind, const char *id,
		       int64_t ver, struct err *e)
{
	struct store_seal s;
	json_t *r;

	if (store_seal_get(c->st, kind, id, ver, &s, e) == RC_OK) {
		r = json_pack("{s:s, s:s, s:s}", "type", kind, "id", id, "leaf_hash", s.leaf_hash);
		if (ver)
			json_object_set_new(r, "version", json_integer(ver));
		if (s.leaf_index >= 0)
			json_object_set_new(r, "leaf_index", json_integer(s.leaf_index));
		json_array_append_new(set, r);
		store_seal_release(&s);
	}
	err_clear(e);
}

/*
 * The merchant's identity as the order links it (the version in force when
 * it was placed), named by its version in the set whichever it is.
 */
static void freeze_merchant(struct cases *c, json_t *set, json_t *order, struct err *e)
{
	int64_t ver = store_order_merchant_version(order);
	size_t n = json_array_size(set);

	freeze_one(c, set, "merchant", str(order, "merchant"), store_merchant_seal_version(ver), e);
	if (json_array_size(set) > n)
		json_object_set_new(json_array_get(set, n), "version", json_integer(ver));
}

/* What freezing a list of the order's records needs. */
struct freezer {
	struct cases *c;
	json_t *set;      /* the evidence set being built */
	const char *kind; /* the records' seal kind: "logistics", "message" */
	struct err *e;
};

/* each_of_order: freeze one record. */
static void freeze_item(json_t *it, void *ctx)
{
	struct freezer *z = ctx;

	freeze_one(z->c, z->set, z->kind, str(it, "id"), 0, z->e);
}

/* Freeze every record of `kind` (STORE_LOGISTICS, STORE_MESSAGE) listed for the order. */
static int freeze_list(struct cases *c, json_t *set, enum store_kind kind, const char *name,
		       const char *oid, struct err *e)
{
	struct freezer z = {c, set, name, e};

	return each_of_order(c, kind, oid, freeze_item, &z, e);
}

/* The order's sealed records, frozen into the dispute's evidence set. */
static int freeze_evidence(struct cases *c, json_t *order, json_t **set, struct err *e)
{
	const char *oid = str(order, "id");
	json_t *it;
	size_t i;
	int rc;

	*set = json_array();
	freeze_merchant(c, *set, order, e);
	json_array_foreach(json_object_get(order, "items"), i, it)
		freeze_one(c, *set, "listing", str(it, "listing"),
			   json_integer_value(json_object_get(it, "listing_version")), e);
	freeze_one(c, *set, "order", oid, 0, e);
	freeze_one(c, *set, "payment", oid, 0, e);
	rc = freeze_list(c, *set, STORE_LOGISTICS, "logistics", oid, e);
	if (!rc)
		rc = freeze_list(c, *set, STORE_MESSAGE, "message", oid, e);
	return rc;
}

/* The claim in the body, checked against the order. */
struct claim {
	const char *type;        /* a claim_type_names entry */
	int64_t amount;          /* fen, at most the cap */
	char currency[4];        /* the order's */
	const char *basis;       /* a compensation_basis_names entry, or NULL */
	int64_t cap;             /* the order's total, or what the basis computes */
	const char *reason;      /* a dispute_reason_names entry */
	const char *description; /* or NULL */
	json_t *evidence;        /* blob ids the consumer cites (owned) */
};

static int check_claim(struct cases *c, const struct actor *a, json_t *order, json_t *in,
		       struct claim *cl, struct err *e)
{
	static const char *const fields[] = {"order", "claim", "reason", "description",
					     "evidence", NULL};
	static const char *const cfields[] = {"type", "amount", "basis", NULL};
	json_t *claim = NULL, *total = json_object_get(order, "total");
	int rc;

	if ((rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_obj(in, "claim", "claim", 1, &claim, e)) ||
	    (rc = jx_only(claim, cfields, "claim", e)) ||
	    (rc = jx_enum(claim, "type", "claim.type", 1, claim_type_names, &cl->type, e)) ||
	    (rc = jx_money(claim, "amount", "claim.amount", 1, &cl->amount, cl->currency, e)) ||
	    (rc = jx_enum(claim, "basis", "claim.basis", 0, compensation_basis_names, &cl->basis,
			  e)) ||
	    (rc = jx_enum(in, "reason", "reason", 1, dispute_reason_names, &cl->reason, e)) ||
	    (rc = jx_str(in, "description", "description", 0, 5000, &cl->description, e)) ||
	    (rc = dispute_cite_blobs(c->st, a, in, "evidence", &cl->evidence, e)))
		return rc;
	if (strcmp(cl->currency, str(total, "currency")) != 0)
		return err_set(e, RC_INVAL, "currency_mismatch", "claim.amount.currency",
			       "the claim must be in the order's currency (%s)",
			       str(total, "currency"));
	if (cl->basis && vocab_find(claim_type_names, cl->type) != CLAIM_COMPENSATION)
		return err_set(e, RC_INVAL, "basis_not_applicable", "claim.basis",
			       "only a compensation claim names a basis");
	rc = compensation_cap(c->st, order, compensation_basis_of(cl->basis), &cl->cap, e);
	if (rc)
		return rc;
	if (cl->amount > cl->cap && !cl->basis)
		return err_set(e, RC_INVAL, "amount_exceeds_order", "claim.amount",
			       "the claim (%lld fen) is more than the order's total (%lld fen)",
			       (long long)cl->amount, (long long)cl->cap);
	if (cl->amount > cl->cap)
		return err_set(e, RC_INVAL, "amount_exceeds_basis", "claim.amount",
			       "the claim (%lld fen) is more than %s allows for this order "
			       "(%lld fen)", (long long)cl->amount, cl->basis, (long long)cl->cap);
	return RC_OK;
}

/* Whether the rules take the claim on this order now: one live dispute, the return window. */
static int check_admissible(struct cases *c, json_t *order, const struct claim *cl, int64_t now,
			    struct err *e)
{
	const char *live[DISPUTE_STATE__COUNT + 1];
	char existing[ID_MAX];
	int found = 0, rc;

	dispute_live_state_names(live);
	rc = store_dispute_for_order(c->st, str(order, "id"), live, existing, &found, e);
	if (rc)
		return rc;
	if (found)
		return err_set(e, RC_CONFLICT, "dispute_open", "order",
			       "the order already has a dispute in progress: %s", existing);
	if (vocab_find(claim_type_names, cl->type) == CLAIM_RETURN_REFUND &&
	    vocab_find(dispute_reason_names, cl->reason) == REASON_OTHER)
		return check_no_reason_return(c, order, now, e);
	return RC_OK;
}

/* A new dispute as dispute.h describes it, in the state it opens in. New reference. */
static json_t *opening_json(const struct dispute_opening *o)
{
	json_t *d = json_object();

	json_object_set_new(d, "object", json_string("dispute"));
	json_object_set_new(d, "id", json_string(o->id));
	json_object_set_new(d, "order", json_string(o->order));
	json_object_set_new(d, "merchant", json_string(o->merchant));
	json_object_set_new(d, "consumer", json_string(o->consumer));
	json_object_set_new(d, "state", json_string(dispute_state_name(DISPUTE_AWAITING_MERCHANT)));
	json_object_set_new(d, "tier", json_string(rules_tier_name(o->tier)));
	json_object_set_new(d, "tier_reason", json_string(o->tier_reason));
	json_object_set_new(d, "rules_version", json_string(o->rules_version));
	json_object_set_new(d, "claim",
			    json_pack("{s:s, s:o, s:o, s:o}", "type", o->claim_type, "amount",
				      jx_money_json(o->amount, o->currency), "basis",
				      o->basis ? json_string(o->basis) : json_null(), "cap",
				      jx_money_json(o->cap, o->currency)));
	json_object_set_new(d, "reason", json_string(o->reason));
	json_object_set_new(d, "description",
			    o->description ? json_string(o->description) : json_null());
	json_object_set(d, "evidence", o->evidence);
	json_object_set_new(d, "evidence_set",
			    json_pack("{s:o, s:O}", "frozen_at", jx_time_json(o->now), "records",
				      o->records));
	json_object_set_new(d, "offer", json_null());
	json_object_set_new(d, "negotiation", json_array());
	json_object_set_new(d, "outcome", json_null());
	json_object_set_new(d, "external", json_null());
	json_object_set_new(d, "overdue", json_false());
	json_object_set_new(d, "appealed", json_false());
	json_object_set_new(d, "deadlines", json_array());
	json_object_set_new(d, "next", json_null());
	json_object_set(d, "platform_liable", o->platform_liable);
	json_object_set_new(d, "funds", dispute_funds_json());
	json_object_set_new(d, "appeal_waived", json_array());
	json_object_set_new(d, "return", json_null());
	json_object_set_new(d, "executed_at", json_null());
	json_object_set_new(d, "created_at", jx_time_json(o->now));
	json_object_set_new(d, "updated_at", jx_time_json(o->now));
	return d;
}

/* 1 if a claim of `type` asks for money (a refund or compensation), not goods or a repair. */
static int claim_is_money(const char *type)
{
	int t = vocab_find(claim_type_names, type);

	return t == CLAIM_REFUND || t == CLAIM_RETURN_REFUND || t == CLAIM_COMPENSATION;
}

/* Store the new dispute, start the merchant's step, meet the first duty, record and tell. */
static int open_stored(struct move *m, const struct dispute_opening *o, struct err *e)
{
	const char *opened = dispute_state_name(DISPUTE_AWAITING_MERCHANT);
	int rc;

	rc = store_dispute_insert(m->c->st, o->id, o->order, o->merchant, o->consumer, opened,
				  rules_tier_name(o->tier), o->now, m->d, e);
	if (!rc)
		rc = dispute_start_step(m, RULES_STEP_MERCHANT_RESPONSE, "merchant", "respond",
					DISPUTE_AWAITING_MERCHANT, e);
	/* the platform took the complaint at once: its first duty is met on the spot */
	if (!rc)
		rc = dispute_oblige(m, DUTY_ACKNOWLEDGE, o->now, e);
	if (!rc)
		rc = dispute_meet(m, DUTY_ACKNOWLEDGE, e);
	/* a serious dispute about money holds what is claimed, as far as the merchant's money
	 * reaches */
	if (!rc && o->tier == RULES_TIER_SERIOUS && m->c->rules->serious_hold &&
	    claim_is_money(o->claim_type))
		rc = dispute_funds_hold(m, o->amount, "opening", e);
	if (!rc)
		rc = dispute_record(m, "opened", NULL, opened, o->tier_reason,
				    json_pack("{s:O, s:s, s:O}", "claim",
					      json_object_get(m->d, "claim"), "reason", o->reason,
					      "evidence", o->evidence),
				    e);
	if (!rc)
		rc = dispute_record_moved(m, e);
	move_release(m);
	if (!rc)
		rc = dispute_save(m, e);
	if (!rc)
		rc = dispute_notify(m, "dispute.created", e);
	return rc;
}

/*
 * A consumer staff marked abusive (risk/consumer.h) has their claims
 * reviewed by a person: a claim the rules would put in the fast lane is
 * standard instead. The reason does not name the flag, which the merchant,
 * who reads it, is never shown.
 */
static int review_in_person(struct cases *c, json_t *order, enum rules_tier *tier,
			    char why[RULES_TIER_REASON_MAX], struct err *e)
{
	int flagged = 0;
	int rc = store_consumer_flagged(c->st, str(json_object_get(order, "consumer"), "id"),
					consumer_flag_names[CONSUMER_FLAG_ABUSIVE], &flagged, e);

	if (rc || !flagged || *tier != RULES_TIER_FAST_LANE)
		return rc;
	*tier = RULES_TIER_STANDARD;
	snprintf(why, RULES_TIER_REASON_MAX,
		 "a person reviews this claim: the platform takes this consumer's claims out of "
		 "the fast lane for now (rules %s)", c->rules->version);
	return RC_OK;
}

int dispute_open(struct cases *c, const struct actor *a, json_t *order, json_t *in,
		 int64_t now, json_t **out, struct dispute_call *dc, struct err *e)
{
	struct claim cl = {0};
	struct dispute_opening o = {0};
	char id[ID_MAX], why[RULES_TIER_REASON_MAX];
	json_t *d = NULL, *set = NULL, *liable = NULL;
	struct move m;
	int rc, flagged = 0;

	*out = NULL;
	rc = check_claim(c, a, order, in, &cl, e);
	if (!rc)
		rc = check_admissible(c, order, &cl, now, e);
	if (!rc)
		rc = dispute_merchant_flagged(c, str(order, "merchant"),
					      MERCHANT_FLAG_REPEATED_FRAUD, &flagged, e);
	if (!rc)
		rc = dispute_liability(c, str(order, "merchant"), &liable, e);
	if (rc)
		goto out;
	if (rules_tier(c->rules, cl.reason, cl.amount, flagged, &o.tier, why)) {
		rc = err_set(e, RC_INVAL, NULL, NULL, "cannot tier the dispute");
		goto out;
	}
	rc = review_in_person(c, order, &o.tier, why, e);
	if (!rc)
		rc = freeze_evidence(c, order, &set, e);
	if (rc)
		goto out;
	id_new(id, "dsp");
	o.id = id;
	o.order = str(order, "id");
	o.merchant = str(order, "merchant");
	o.consumer = str(json_object_get(order, "consumer"), "id");
	o.tier_reason = why;
	o.rules_version = c->rules->version;
	o.claim_type = cl.type;
	o.amount = cl.amount;
	o.currency = cl.currency;
	o.basis = cl.basis;
	o.cap = cl.cap;
	o.reason = cl.reason;
	o.description = cl.description;
	o.evidence = cl.evidence;
	o.records = set;
	o.platform_liable = liable;
	o.now = now;
	d = opening_json(&o);
	move_init(&m, c, a, d, in, now, dc);
	rc = open_stored(&m, &o, e);
	if (!rc) {
		*out = d;
		d = NULL;
	}
out:
	json_decref(d);
	json_decref(cl.evidence);
	json_decref(set);
	json_decref(liable);
	return rc;
}
