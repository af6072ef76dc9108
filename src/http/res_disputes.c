/* res_disputes.c - /v1/disputes: opening, the timeline, every party's actions; the test clock. */
#include "http/http_int.h"

#include <string.h>

#include "cases/dispute.h"
#include "core/clock.h"
#include "core/jsonx.h"
#include "evidence/seal.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Who the caller is, as the lifecycle records actors: a party by its id, staff by key and name. */
static void actor_of(struct http_req *r, struct actor *a)
{
	int party = http_is(r, ROLE_CONSUMER | ROLE_MERCHANT);

	a->role = r->who.role;
	a->id = party ? r->who.subject : r->who.id;
	a->name = http_is(r, ROLE_AGENT | ROLE_PLATFORM) ? r->who.subject : NULL;
}

static struct cases *cases_of(struct http_req *r)
{
	static __thread struct cases c;

	c.st = r->srv->st;
	c.rules = r->srv->rules;
	c.cal = r->srv->cal;
	return &c;
}

/* The dispute in the path, if the caller may see it (404 otherwise). */
static int find_dispute(struct http_req *r, json_t **d, struct err *e)
{
	json_t *stored = NULL;
	int rc = store_dispute_get(r->srv->st, r->params[0], &stored, e);

	*d = NULL;
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such dispute");
	if (!rc)
		rc = http_view(r, DISCLOSE_DISPUTE, stored, d, e);
	json_decref(stored);
	return rc;
}

static void keep(struct http_req *r, const struct dispute_call *dc)
{
	http_keep_seals(r, dc->seals, dc->nseals);
}

int res_dispute_create(struct http_req *r, struct err *e)
{
	struct dispute_call dc;
	struct actor a;
	const char *ref = NULL;
	json_t *in = NULL, *order = NULL, *d = NULL;
	int rc;

	memset(&dc, 0, sizeof(dc));
	actor_of(r, &a);
	rc = http_body_json(r, &in, e);
	if (rc)
		return rc;
	rc = jx_str(in, "order", "order", 1, 128, &ref, e);
	if (!rc) {
		rc = find_order(r, ref, &order, e);
		if (rc == RC_NOTFOUND)
			rc = err_set(e, RC_INVAL, "resource_missing", "order", "no order %s", ref);
	}
	if (!rc)
		rc = dispute_open(cases_of(r), &a, order, in, r->now, &d, &dc, e);
	if (!rc)
		rc = http_assess_queue(r, str(d, "id"), e);
	if (!rc) {
		keep(r, &dc);
		rc = http_reply_json(r, 201, d);
	}
	json_decref(in);
	json_decref(order);
	return rc;
}

int res_dispute_get(struct http_req *r, struct err *e)
{
	json_t *d = NULL;
	int rc = find_dispute(r, &d, e);

	if (rc)
		return rc;
	return http_reply_json(r, 200, d);
}

int res_dispute_list(struct http_req *r, struct err *e)
{
	struct store_dispute_filter f = {NULL, NULL, NULL, NULL, NULL, -1};
	const char *q;
	json_t *items = NULL, *hold = NULL, *qo = json_object();
	int64_t after, next = 0;
	int limit = 0, rc, nothing = 0; /* the filter matches no dispute the caller may see */
	int priority = 0;                /* sort=priority: the agent queue (res_queue.c) */

	after = 0;
	rc = http_dispute_sort(r, &priority, e);
	if (!rc && !priority)
		rc = http_page(r, &limit, &after, e);
	if (rc)
		goto out;
	/* query values are checked like body fields */
	if ((q = http_query(r, "state")))
		json_object_set_new(qo, "state", json_string(q));
	if ((q = http_query(r, "tier")))
		json_object_set_new(qo, "tier", json_string(q));
	if ((rc = jx_enum(qo, "state", "state", 0, dispute_state_names, &f.state, e)) ||
	    (rc = jx_enum(qo, "tier", "tier", 0, rules_tier_names, &f.tier, e)))
		goto out;
	if ((q = http_query(r, "overdue"))) {
		if (strcmp(q, "true") != 0 && strcmp(q, "false") != 0) {
			rc = err_set(e, RC_INVAL, "invalid_value", "overdue",
				     "overdue must be true or false");
			goto out;
		}
		f.overdue = q[0] == 't';
	}
	if ((q = http_query(r, "merchant"))) {
		struct err ignore;

		if (store_get(r->srv->st, STORE_MERCHANT, q, &hold, &ignore) == RC_OK)
			f.merchant_id = str(hold, "id");
		else
			nothing = 1;
	}
	if ((q = http_query(r, "order")))
		f.order_id = q;
	{
		/* only the disputes the caller may see (disclose/) */
		struct store_filter sf = {f.merchant_id, f.consumer_id, NULL};

		http_narrow(r, DISCLOSE_DISPUTE, &sf);
		if ((sf.merchant_id && strcmp(sf.merchant_id, "-") == 0) ||
		    (sf.consumer_id && strcmp(sf.consumer_id, "-") == 0))
			nothing = 1;
		f.merchant_id = sf.merchant_id;
		f.consumer_id = sf.consumer_id;
	}
	if (priority)
		rc = http_dispute_queue(r, &f, nothing, e);
	else if (nothing)
		items = json_array();
	else
		rc = store_dispute_list(r->srv->st, &f, after, limit, &items, &next, e);
	if (!rc && !priority) {
		rc = http_reply_json(r, 200, http_list(items, next));
		items = NULL;
	}
out:
	json_decref(items);
	json_decref(qo);
	json_decref(hold);
	return rc;
}

/*
 * Notes of staff's flags on the consumer (risk/consumer.h) are shown to
 * the roles the table shows the consumer's flags to: never to the merchant.
 */
static void hide_consumer_flags(struct http_req *r, json_t *items)
{
	size_t i = json_array_size(items);

	if (disclose_rule_of(DISCLOSE_CONSUMER, r->who.role, "flags").action == DISCLOSE_SHOW)
		return;
	while (i-- > 0)
		if (strcmp(str(json_array_get(items, i), "type") ? str(json_array_get(items, i), "type")
								  : "", "consumer_flag") == 0)
			json_array_remove(items, i);
}

int res_dispute_events(struct http_req *r, struct err *e)
{
	json_t *d = NULL, *items = NULL;
	int64_t after, next;
	int limit, rc = find_dispute(r, &d, e);

	if (!rc)
		rc = http_page(r, &limit, &after, e);
	if (!rc)
		rc = store_dispute_event_list(r->srv->st, str(d, "id"), after, limit, &items, &next, e);
	json_decref(d);
	if (rc)
		return rc;
	hide_consumer_flags(r, items);
	return http_reply_json(r, 200, http_list(items, next));
}

/* POST /v1/disputes/{id}/{action}: the action is the route's last path segment. */
static int act(struct http_req *r, enum dispute_action action, struct err *e)
{
	struct dispute_call dc;
	struct actor a;
	json_t *d = NULL, *in = NULL, *out = NULL;
	int rc;

	memset(&dc, 0, sizeof(dc));
	actor_of(r, &a);
	if (!dispute_action_allowed(action, r->who.role))
		return err_set(e, RC_FORBIDDEN, "forbidden", NULL, "the %s role may not %s",
			       r->who.role, dispute_action_names[action]);
	rc = find_dispute(r, &d, e);
	if (!rc)
		rc = http_body_json(r, &in, e);
	if (!rc)
		rc = dispute_act(cases_of(r), &a, action, d, in, r->now, &out, &dc, e);
	/* a decision the burden of proof refuses says which records support the claim */
	if (rc && dc.support) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:O}", "support", dc.support);
	}
	json_decref(dc.support);
	/* a party's action is new evidence; the platform's own decisions are not */
	if (!rc && (action == ACTION_RESPONSES || action == ACTION_MESSAGES ||
		    action == ACTION_ESCALATE || action == ACTION_APPEAL ||
		    action == ACTION_COUNTER))
		rc = http_assess_queue(r, str(d, "id"), e);
	if (!rc)
		keep(r, &dc);
	/* to a court or an association: the consumer takes the disclosure package along */
	if (!rc && action == ACTION_EXTERNAL) {
		json_t *dsc = NULL;

		rc = res_disclosure_for_external(r, out, str(in, "body"), &dsc, e);
		if (!rc)
			json_object_set_new(out, "disclosure",
					    json_pack("{s:O, s:O, s:s++}", "id",
						      json_object_get(dsc, "id"), "state",
						      json_object_get(dsc, "state"), "package_url",
						      "/v1/disclosures/", str(dsc, "id"), "/package"));
		json_decref(dsc);
	}
	if (!rc)
		rc = http_reply_json(r, 200, out);
	else
		json_decref(out);
	json_decref(d);
	json_decref(in);
	return rc;
}

int res_dispute_responses(struct http_req *r, struct err *e)
{
	return act(r, ACTION_RESPONSES, e);
}

int res_dispute_accept_offer(struct http_req *r, struct err *e)
{
	return act(r, ACTION_ACCEPT_OFFER, e);
}

int res_dispute_escalate(struct http_req *r, struct err *e)
{
	return act(r, ACTION_ESCALATE, e);
}

int res_dispute_withdraw(struct http_req *r, struct err *e)
{
	return act(r, ACTION_WITHDRAW, e);
}

int res_dispute_external(struct http_req *r, struct err *e)
{
	return act(r, ACTION_EXTERNAL, e);
}

int res_dispute_decision(struct http_req *r, struct err *e)
{
	return act(r, ACTION_DECISION, e);
}

int res_dispute_appeal(struct http_req *r, struct err *e)
{
	return act(r, ACTION_APPEAL, e);
}

int res_dispute_messages(struct http_req *r, struct err *e)
{
	return act(r, ACTION_MESSAGES, e);
}

int res_dispute_executed(struct http_req *r, struct err *e)
{
	return act(r, ACTION_EXECUTED, e);
}

int res_dispute_waive_appeal(struct http_req *r, struct err *e)
{
	return act(r, ACTION_WAIVE_APPEAL, e);
}

int res_dispute_counter(struct http_req *r, struct err *e)
{
	return act(r, ACTION_COUNTER, e);
}

int res_dispute_confirm_return(struct http_req *r, struct err *e)
{
	return act(r, ACTION_CONFIRM_RETURN, e);
}

int res_test_clock(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"advance_seconds", NULL};
	struct dispute_call dc;
	json_t *in = NULL;
	int64_t secs = 0, now;
	int rc;

	memset(&dc, 0, sizeof(dc));
	if (!clock_is_test())
		return err_set(e, RC_NOTFOUND, "not_found", NULL,
			       "the test clock is off (start the server with --test-clock)");
	rc = http_body_json(r, &in, e);
	if (!rc)
		rc = jx_only(in, fields, "", e);
	if (!rc)
		rc = jx_int(in, "advance_seconds", "advance_seconds", 1, 0, 10LL * 366 * 86400,
			    &secs, e);
	json_decref(in);
	if (rc)
		return rc;
	now = clock_advance(secs * 1000);
	r->now = now;
	rc = dispute_fire_due(cases_of(r), now, &dc, e);
	/* the periodic risk scan runs on the test clock when it moves */
	if (!rc)
		rc = http_risk_scan(r->srv, now, e);
	if (rc)
		return rc;
	keep(r, &dc);
	return http_reply_json(r, 200,
			       json_pack("{s:s, s:o, s:i}", "object", "test_clock", "now",
					 jx_time_json(now), "fired", dc.fired));
}
