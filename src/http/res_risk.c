/* res_risk.c - merchant risk figures, the ranked list, early-warning alerts and repeated_fraud proposals (src/risk/), and the periodic scan that raises them. */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "risk/risk.h"

/* Worker ticks (about a second each) between scans on the real clock. */
#define RISK_SCAN_TICKS 300

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The merchant in the path (404 if none), its id into `id`. */
static int merchant_ref(struct http_req *r, char id[ID_MAX], struct err *e)
{
	int rc = store_fund_party_id(r->srv->st, STORE_MERCHANT, r->params[0], id, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such merchant");
	return rc;
}

/* GET /v1/merchants/{id}/risk */
int res_merchant_risk(struct http_req *r, struct err *e)
{
	char mid[ID_MAX];
	json_t *who = NULL, *fig = NULL, *v = NULL;
	int rc = merchant_ref(r, mid, e);

	if (!rc) {
		/* a merchant sees its own figures only: ask before computing anything */
		who = json_pack("{s:s}", "merchant", mid);
		rc = http_may_see(r, DISCLOSE_MERCHANT_RISK, who, e);
	}
	if (!rc)
		rc = risk_merchant_figures(r->srv->st, mid, r->now, &fig, e);
	if (!rc)
		rc = http_view(r, DISCLOSE_MERCHANT_RISK, fig, &v, e);
	json_decref(who);
	json_decref(fig);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

/* Replace each item of `items` by what the caller may see of it as `kind`. */
static int view_all(struct http_req *r, enum disclose_kind kind, json_t *items, struct err *e)
{
	json_t *it, *v;
	size_t i;
	int rc;

	json_array_foreach(items, i, it) {
		rc = http_view(r, kind, it, &v, e);
		if (rc)
			return rc;
		json_array_set_new(items, i, v);
	}
	return RC_OK;
}

/* GET /v1/risk/merchants: ranked by score, a page at a time (the cursor is the offset). */
int res_risk_merchants(struct http_req *r, struct err *e)
{
	json_t *items = NULL, *out;
	int64_t offset;
	int limit, more = 0, rc = http_page(r, &limit, &offset, e);

	if (!rc)
		rc = risk_rank(r->srv->st, r->now, offset, limit, &items, &more, e);
	if (!rc)
		rc = view_all(r, DISCLOSE_MERCHANT_RISK, items, e);
	if (rc) {
		json_decref(items);
		return rc;
	}
	out = http_list(items, more ? offset + limit : 0);
	json_object_set_new(out, "window_days", json_integer(RISK_WINDOW_LONG_DAYS));
	json_object_set_new(out, "as_of", jx_time_json(r->now));
	return http_reply_json(r, 200, out);
}

/* GET /v1/alerts?scope=&merchant=&focus= */
int res_alert_list(struct http_req *r, struct err *e)
{
	static const char *const scopes[] = {"merchant", "listing", "category", NULL};
	const char *scope = NULL, *focus = NULL, *q;
	json_t *items = NULL, *qo = json_object();
	char mid[ID_MAX];
	int64_t after, next = 0;
	int limit, rc = http_page(r, &limit, &after, e);

	if ((q = http_query(r, "scope")))
		json_object_set_new(qo, "scope", json_string(q));
	if ((q = http_query(r, "focus")))
		json_object_set_new(qo, "focus", json_string(q));
	if (!rc)
		rc = jx_enum(qo, "scope", "scope", 0, scopes, &scope, e);
	if (!rc)
		rc = jx_enum(qo, "focus", "focus", 0, dispute_reason_names, &focus, e);
	mid[0] = '\0';
	if (!rc && (q = http_query(r, "merchant"))) {
		struct err ignore;

		/* an unknown merchant has no alerts */
		if (store_fund_party_id(r->srv->st, STORE_MERCHANT, q, mid, &ignore) != RC_OK)
			snprintf(mid, sizeof(mid), "-");
	}
	if (!rc)
		rc = store_alert_list(r->srv->st, scope, mid[0] ? mid : NULL, focus, after, limit,
				      &items, &next, e);
	if (!rc)
		rc = view_all(r, DISCLOSE_ALERT, items, e);
	json_decref(qo);
	if (rc) {
		json_decref(items);
		return rc;
	}
	return http_reply_json(r, 200, http_list(items, next));
}

/* GET /v1/alerts/{id} */
int res_alert_get(struct http_req *r, struct err *e)
{
	json_t *a = NULL, *v = NULL;
	int rc = store_alert_get(r->srv->st, r->params[0], &a, e);

	if (!rc)
		rc = http_view(r, DISCLOSE_ALERT, a, &v, e);
	json_decref(a);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

/* GET /v1/risk/proposals?state= */
int res_proposal_list(struct http_req *r, struct err *e)
{
	static const char *const states[] = {"proposed", "confirmed", "dismissed", NULL};
	const char *state = NULL, *q;
	json_t *items = NULL, *qo = json_object();
	int64_t after, next = 0;
	int limit, rc = http_page(r, &limit, &after, e);

	if ((q = http_query(r, "state")))
		json_object_set_new(qo, "state", json_string(q));
	if (!rc)
		rc = jx_enum(qo, "state", "state", 0, states, &state, e);
	if (!rc)
		rc = store_proposal_list(r->srv->st, state, after, limit, &items, &next, e);
	if (!rc)
		rc = view_all(r, DISCLOSE_RISK_PROPOSAL, items, e);
	json_decref(qo);
	if (rc) {
		json_decref(items);
		return rc;
	}
	return http_reply_json(r, 200, http_list(items, next));
}

/* The proposal's body with its decision: `state`, by whom, when, why. */
static void decided(json_t *p, const char *state, struct http_req *r, const char *reason)
{
	json_object_set_new(p, "state", json_string(state));
	json_object_set_new(p, "decided_at", jx_time_json(r->now));
	json_object_set_new(p, "decided_by", json_string(r->who.id));
	json_object_set_new(p, "reason", json_string(reason));
	json_object_set_new(p, "flag_set", json_boolean(strcmp(state, "confirmed") == 0));
}

/* POST /v1/risk/proposals/{id}/dismiss {"reason"} */
int res_proposal_dismiss(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"reason", NULL};
	const char *reason = NULL;
	json_t *p = NULL, *in = NULL, *v = NULL;
	int rc = store_proposal_get(r->srv->st, r->params[0], &p, e);

	if (!rc)
		rc = http_body_json(r, &in, e);
	if (!rc)
		rc = jx_only(in, fields, "", e);
	if (!rc)
		rc = jx_str(in, "reason", "reason", 1, 1000, &reason, e);
	if (!rc && strcmp(str(p, "state"), "proposed") != 0)
		rc = err_set(e, RC_CONFLICT, "proposal_closed", NULL, "the proposal is already %s",
			     str(p, "state"));
	if (!rc) {
		decided(p, "dismissed", r, reason);
		rc = store_proposal_decide(r->srv->st, r->params[0], "dismissed", r->now, p, e);
	}
	if (!rc)
		rc = http_view(r, DISCLOSE_RISK_PROPOSAL, p, &v, e);
	json_decref(in);
	json_decref(p);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

/* ---- confirming a proposal through POST /v1/merchants/{id}/flags ---- */

int http_flag_evidence(struct http_req *r, const char *merchant_id, const char *flag,
		       json_t *in, json_t **proposal, json_t **evidence, struct err *e)
{
	const char *pid = NULL;
	json_t *ids = NULL, *d = NULL, *v;
	size_t i;
	int rc;

	*proposal = NULL;
	*evidence = NULL;
	rc = jx_str(in, "proposal", "proposal", 0, ID_MAX - 1, &pid, e);
	if (!rc)
		rc = jx_arr(in, "evidence", "evidence", 0, RISK_MAX_EVIDENCE, &ids, e);
	if (!rc && ids && json_array_size(ids) == 0)
		rc = err_set(e, RC_INVAL, "invalid_value", "evidence",
			     "evidence names at least one dispute");
	/* each piece of evidence is a dispute against this merchant */
	json_array_foreach(ids, i, v) {
		char param[32];

		if (rc)
			break;
		snprintf(param, sizeof(param), "evidence[%zu]", i);
		if (!json_is_string(v)) {
			rc = err_set(e, RC_INVAL, "invalid_type", param, "%s must be a string", param);
			break;
		}
		if (store_dispute_get(r->srv->st, json_string_value(v), &d, e) != RC_OK ||
		    strcmp(str(d, "merchant"), merchant_id) != 0) {
			err_clear(e);
			rc = err_set(e, RC_INVAL, "invalid_evidence", param,
				     "%s is not a dispute against merchant %s", param, merchant_id);
		}
		json_decref(d);
		d = NULL;
	}
	if (!rc && pid) {
		rc = store_proposal_get(r->srv->st, pid, proposal, e);
		if (rc == RC_NOTFOUND)
			rc = err_set(e, RC_NOTFOUND, "not_found", "proposal", "no such proposal");
		else if (!rc && (strcmp(str(*proposal, "merchant"), merchant_id) != 0 ||
				 strcmp(str(*proposal, "flag"), flag) != 0))
			rc = err_set(e, RC_CONFLICT, "proposal_mismatch", "proposal",
				     "proposal %s is not of flag %s for merchant %s", pid, flag,
				     merchant_id);
		else if (!rc && strcmp(str(*proposal, "state"), "proposed") != 0)
			rc = err_set(e, RC_CONFLICT, "proposal_closed", "proposal",
				     "the proposal is already %s", str(*proposal, "state"));
	}
	if (!rc && (ids || *proposal))
		*evidence = json_pack("{s:o, s:O}", "proposal",
				      *proposal ? json_string(pid) : json_null(), "disputes",
				      ids ? ids
					  : json_object_get(json_object_get(*proposal, "evidence"),
							    "disputes"));
	if (rc) {
		json_decref(*proposal);
		*proposal = NULL;
	}
	return rc;
}

int http_flag_confirm(struct http_req *r, const char *merchant_id, const char *flag,
		      const char *reason, json_t *proposal, json_t *evidence, struct err *e)
{
	char *text;
	int rc;

	if (!evidence)
		return RC_OK;
	text = json_dumps(evidence, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_merchant_flag_evidence(r->srv->st, merchant_id, flag, text, e);
	free(text);
	if (!rc && proposal) {
		decided(proposal, "confirmed", r, reason);
		rc = store_proposal_decide(r->srv->st, str(proposal, "id"), "confirmed", r->now,
					   proposal, e);
	}
	return rc;
}

/* ---- the scan ---- */

int http_risk_scan(struct http_server *srv, int64_t now, struct err *e)
{
	struct risk_tally t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = risk_scan(srv->st, srv->rules, now, &t, e);
	if (!rc && (t.raised || t.proposed))
		log_event(LOG_INFO, "risk scan",
			  json_pack("{s:I, s:I, s:I}", "tests", (json_int_t)t.tests, "alerts",
				    (json_int_t)t.raised, "proposals", (json_int_t)t.proposed));
	return rc;
}

void http_risk_sweep(struct http_server *srv)
{
	struct err e;
	int rc;

	/* on the test clock, the scan runs when the clock is moved (res_test_clock); on the
	 * real clock at the first tick, then every RISK_SCAN_TICKS */
	if (clock_is_test() || srv->risk_ticks++ % RISK_SCAN_TICKS != 0)
		return;
	err_clear(&e);
	rc = store_begin(srv->st, &e);
	if (!rc) {
		rc = http_risk_scan(srv, clock_now_ms(), &e);
		if (store_end(srv->st, rc == RC_OK, rc ? NULL : &e) && !rc)
			rc = e.rc;
	}
	if (rc)
		log_event(LOG_ERROR, "risk scan failed", json_pack("{s:s}", "detail", e.message));
}
