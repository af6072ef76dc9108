/* suspension.c - E-Commerce Law art. 38 measures: staff suspend a listing pending a serious safety dispute, and reinstate it. */
#include "cases/suspension.h"

#include <string.h>

#include "cases/dispute_int.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "notify/webhook.h"

#define REASON_MAX 1000

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* 1 if the dispute's order has an item of `listing_id`. */
static int order_has_listing(struct cases *c, json_t *d, const char *listing_id, int *has,
			     struct err *e)
{
	json_t *order = NULL, *it;
	size_t i;
	int rc = store_get(c->st, STORE_ORDER, str(d, "order"), &order, e);

	*has = 0;
	if (rc)
		return rc;
	json_array_foreach(json_object_get(order, "items"), i, it)
		if (str(it, "listing") && strcmp(str(it, "listing"), listing_id) == 0)
			*has = 1;
	json_decref(order);
	return RC_OK;
}

/* 1 if the dispute is in a live state. */
static int is_live(json_t *d)
{
	enum dispute_state s;

	return !dispute_state_parse(str(d, "state"), &s) && (STATE(s) & STATES_LIVE);
}

/* Why the rules do not let `d` suspend `listing_id` (RC_CONFLICT), or RC_OK. */
static int check_measure(struct cases *c, json_t *d, const char *listing_id, struct err *e)
{
	int has = 0, rc;

	if (vocab_find(rules_tier_names, str(d, "tier")) != RULES_TIER_SERIOUS)
		return err_set(e, RC_CONFLICT, "not_serious", "dispute",
			       "dispute %s is %s, not serious: only a serious dispute suspends a "
			       "listing", str(d, "id"), str(d, "tier"));
	if (vocab_find(dispute_reason_names, str(d, "reason")) != REASON_SAFETY)
		return err_set(e, RC_CONFLICT, "not_safety", "dispute",
			       "dispute %s is about %s: only a safety dispute suspends a listing",
			       str(d, "id"), str(d, "reason"));
	if (!is_live(d))
		return err_set(e, RC_CONFLICT, "dispute_not_live", "dispute",
			       "dispute %s is %s: a listing is suspended only pending the decision",
			       str(d, "id"), str(d, "state"));
	rc = order_has_listing(c, d, listing_id, &has, e);
	if (!rc && !has)
		rc = err_set(e, RC_CONFLICT, "listing_not_in_dispute", "dispute",
			     "dispute %s is not about an order of listing %s", str(d, "id"),
			     listing_id);
	return rc;
}

/* Note `type` in the suspension's dispute timeline (sealed) and send the webhook of that name. */
static int record(struct cases *c, const struct actor *a, const char *type, json_t *sus,
		  const char *reason, int64_t now, struct dispute_call *dc, struct err *e)
{
	int rc = dispute_note(c, a, str(sus, "dispute"), type,
			      json_pack("{s:s, s:s, s:s?}", "suspension", str(sus, "id"), "listing",
					str(sus, "listing"), "reason", reason),
			      now, dc, e);

	if (!rc)
		rc = webhook_emit(c->st, type, sus, now, e);
	return rc;
}

int listing_suspend(struct cases *c, const struct actor *a, json_t *listing, json_t *in,
		    int64_t now, json_t **out, struct dispute_call *dc, struct err *e)
{
	static const char *const fields[] = {"dispute", "reason", NULL};
	const char *lid = str(listing, "id"), *ref = NULL, *reason = NULL;
	json_t *d = NULL, *sus = NULL, *active = NULL;
	char id[ID_MAX];
	int rc;

	*out = NULL;
	if ((rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_str(in, "dispute", "dispute", 1, 64, &ref, e)) ||
	    (rc = jx_str(in, "reason", "reason", 1, REASON_MAX, &reason, e)))
		return rc;
	rc = store_dispute_get(c->st, ref, &d, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_INVAL, "resource_missing", "dispute", "no dispute %s", ref);
	if (!rc)
		rc = check_measure(c, d, lid, e);
	if (!rc) {
		rc = store_suspension_active(c->st, lid, &active, e);
		if (rc == RC_NOTFOUND) {
			err_clear(e);
			rc = RC_OK;
		} else if (!rc) {
			rc = err_set(e, RC_CONFLICT, "already_suspended", NULL,
				     "listing %s is already suspended (%s, for dispute %s)", lid,
				     str(active, "id"), str(active, "dispute"));
		}
	}
	if (rc)
		goto out;
	id_new(id, "lsp");
	sus = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:n}", "object", "listing_suspension",
			"id", id, "listing", lid, "dispute", str(d, "id"), "reason", reason, "by",
			dispute_actor_json(a), "at", jx_time_json(now), "lifted");
	if (!sus) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = store_suspension_insert(c->st, id, lid, str(d, "id"), now, sus, e);
	if (!rc)
		rc = record(c, a, "listing.suspended", sus, reason, now, dc, e);
	if (!rc) {
		*out = sus;
		sus = NULL;
	}
out:
	json_decref(d);
	json_decref(sus);
	json_decref(active);
	return rc;
}

/* Lift the active suspension `sus` (borrowed, changed in place) for `reason` (may be NULL). */
static int lift(struct cases *c, const struct actor *a, json_t *sus, const char *reason,
		int64_t now, struct dispute_call *dc, struct err *e)
{
	int rc;

	json_object_set_new(sus, "lifted",
			    json_pack("{s:o, s:o, s:o}", "by", dispute_actor_json(a), "at",
				      jx_time_json(now), "reason",
				      reason ? json_string(reason) : json_null()));
	rc = store_suspension_lift(c->st, str(sus, "id"), now, sus, e);
	if (!rc)
		rc = record(c, a, "listing.reinstated", sus, reason, now, dc, e);
	return rc;
}

int listing_reinstate(struct cases *c, const struct actor *a, json_t *listing, json_t *in,
		      int64_t now, json_t **out, struct dispute_call *dc, struct err *e)
{
	static const char *const fields[] = {"reason", NULL};
	const char *lid = str(listing, "id"), *reason = NULL;
	json_t *sus = NULL;
	int rc = RC_OK;

	*out = NULL;
	if (in && ((rc = jx_only(in, fields, "", e)) ||
		   (rc = jx_str(in, "reason", "reason", 0, REASON_MAX, &reason, e))))
		return rc;
	rc = store_suspension_active(c->st, lid, &sus, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_CONFLICT, "not_suspended", NULL, "listing %s is not suspended",
			       lid);
	if (!rc)
		rc = lift(c, a, sus, reason, now, dc, e);
	if (!rc)
		*out = sus;
	else
		json_decref(sus);
	return rc;
}

int listing_suspension_get(struct store *st, const char *listing_id, json_t **out,
			   struct err *e)
{
	int rc = store_suspension_active(st, listing_id, out, e);

	if (rc == RC_NOTFOUND) {
		err_clear(e);
		*out = json_null();
		return RC_OK;
	}
	return rc;
}

/* Lift the active suspension of `listing_id` after a rejection. */
static int lift_rejected(struct cases *c, const struct actor *a, const char *listing_id,
			 int64_t now, struct dispute_call *dc, struct err *e)
{
	json_t *sus = NULL;
	int rc = store_suspension_active(c->st, listing_id, &sus, e);

	if (!rc)
		rc = lift(c, a, sus, "the decision rejected the claim", now, dc, e);
	json_decref(sus);
	return rc;
}

int listing_suspensions_decided(struct cases *c, const struct actor *a, json_t *d, int64_t now,
				struct dispute_call *dc, struct err *e)
{
	json_t *listings = NULL, *v;
	size_t i;
	int rc;

	if (vocab_find(outcome_names, str(json_object_get(d, "outcome"), "outcome")) !=
	    OUTCOME_REJECTED)
		return RC_OK;
	rc = store_suspensions_of_dispute(c->st, str(d, "id"), &listings, e);
	json_array_foreach(listings, i, v) {
		if (rc)
			break;
		rc = lift_rejected(c, a, json_string_value(v), now, dc, e);
	}
	json_decref(listings);
	return rc;
}
