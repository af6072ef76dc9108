/* res_merchants.c - /v1/merchants: the identity (Art. 27) of the platform's merchants. */
#include "http/http_int.h"

#include "core/jsonx.h"
#include "core/num.h"
#include "ingest/ingest.h"

int res_merchant_create(struct http_req *r, struct err *e)
{
	struct ingest_ctx c = {.st = r->srv->st, .data_dir = r->srv->data_dir, .now = r->now};
	json_t *in = NULL, *m = NULL, *v = NULL;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = ingest_merchant(&c, in, &m, e);
	if (!rc)
		http_keep_seals(r, c.seals, c.nseals);
	if (!rc)
		rc = http_view_merchant(r, m, &v, e);
	if (!rc)
		rc = http_reply_json(r, 201, v);
	json_decref(in);
	json_decref(m);
	return rc;
}

int res_merchant_list(struct http_req *r, struct err *e)
{
	json_t *items = NULL, *m;
	int64_t after, next;
	int limit, rc;
	size_t i;

	rc = http_page(r, &limit, &after, e);
	if (!rc)
		rc = store_list(r->srv->st, STORE_MERCHANT, NULL, after, limit, &items, &next, e);
	if (rc)
		return rc;
	json_array_foreach(items, i, m) {
		json_t *v;

		rc = http_view_merchant(r, m, &v, e);
		if (rc) {
			json_decref(items);
			return rc;
		}
		json_array_set_new(items, i, v);
	}
	return http_reply_json(r, 200, http_list(items, next));
}

int res_merchant_get(struct http_req *r, struct err *e)
{
	json_t *m = NULL, *v = NULL;
	int rc = store_get(r->srv->st, STORE_MERCHANT, r->params[0], &m, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such merchant");
	if (!rc)
		rc = http_view_merchant(r, m, &v, e);
	json_decref(m);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

/*
 * PATCH /v1/merchants/{id}: a new version of the merchant's identity
 * (ingest_merchant_update), sealed; the reply is the new version.
 */
int res_merchant_update(struct http_req *r, struct err *e)
{
	struct ingest_ctx c = {.st = r->srv->st, .data_dir = r->srv->data_dir, .now = r->now};
	json_t *cur = NULL, *in = NULL, *m = NULL, *v = NULL;
	int rc = store_get(r->srv->st, STORE_MERCHANT, r->params[0], &cur, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such merchant");
	if (!rc)
		rc = http_body_json(r, &in, e);
	if (!rc)
		rc = ingest_merchant_update(&c, cur, in, &m, e);
	if (!rc)
		http_keep_seals(r, c.seals, c.nseals);
	if (!rc)
		rc = http_view_merchant(r, m, &v, e);
	if (!rc)
		rc = http_reply_json(r, 200, v);
	json_decref(cur);
	json_decref(in);
	json_decref(m);
	return rc;
}

/* GET /v1/merchants/{id}/versions/{version}: any version, seen as the merchant is. */
int res_merchant_version(struct http_req *r, struct err *e)
{
	json_t *m = NULL, *mv = NULL, *v = NULL;
	int64_t version;
	int rc = store_get(r->srv->st, STORE_MERCHANT, r->params[0], &m, e);

	if (rc == RC_NOTFOUND || num_parse_i64(r->params[1], 1, INT32_MAX, &version)) {
		json_decref(m);
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such merchant version");
	}
	if (rc)
		return rc;
	/* who may see the merchant may see its versions; others learn nothing of them */
	rc = http_view_merchant(r, m, &v, e);
	json_decref(v);
	v = NULL;
	if (!rc) {
		rc = store_merchant_version(r->srv->st, json_string_value(json_object_get(m, "id")),
					    version, &mv, e);
		if (rc == RC_NOTFOUND)
			rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such merchant version");
	}
	json_decref(m);
	if (!rc)
		rc = http_view_merchant(r, mv, &v, e);
	json_decref(mv);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

/* The merchant in the path, for staff (404 if none). */
static int flag_target(struct http_req *r, json_t **m, struct err *e)
{
	int rc = store_get(r->srv->st, STORE_MERCHANT, r->params[0], m, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such merchant");
	return rc;
}

int res_merchant_flag_set(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"flag", "reason", "proposal", "evidence", NULL};
	const char *flag = NULL, *reason = NULL, *mid;
	json_t *m = NULL, *in = NULL, *proposal = NULL, *evidence = NULL, *out;
	int rc = flag_target(r, &m, e);

	mid = json_string_value(json_object_get(m, "id"));
	if (!rc)
		rc = http_body_json(r, &in, e);
	if (!rc && !(rc = jx_only(in, fields, "", e)) &&
	    !(rc = jx_enum(in, "flag", "flag", 1, merchant_flag_names, &flag, e)) &&
	    !(rc = jx_str(in, "reason", "reason", 1, 1000, &reason, e)) &&
	    !(rc = http_flag_evidence(r, mid, flag, in, &proposal, &evidence, e)))
		rc = store_merchant_flag_set(r->srv->st, mid, flag, reason, r->who.id, r->now, e);
	/* a proposal staff confirm becomes confirmed; the evidence stays with the flag */
	if (!rc)
		rc = http_flag_confirm(r, mid, flag, reason, proposal, evidence, e);
	if (!rc) {
		out = json_pack("{s:s, s:O, s:s, s:s, s:s, s:o}", "object", "merchant_flag",
				"merchant", json_object_get(m, "id"), "flag", flag, "reason",
				reason, "set_by", r->who.id, "created_at", jx_time_json(r->now));
		if (out && evidence)
			json_object_set(out, "evidence", evidence);
		rc = http_reply_json(r, 201, out);
	}
	json_decref(proposal);
	json_decref(evidence);
	json_decref(in);
	json_decref(m);
	return rc;
}

int res_merchant_flag_clear(struct http_req *r, struct err *e)
{
	json_t *m = NULL;
	int rc = flag_target(r, &m, e);

	if (!rc)
		rc = store_merchant_flag_clear(r->srv->st,
					       json_string_value(json_object_get(m, "id")),
					       r->params[1], r->who.id, r->now, e);
	if (!rc)
		rc = http_reply_json(r, 200,
				     json_pack("{s:s, s:O, s:s, s:b}", "object", "merchant_flag",
					       "merchant", json_object_get(m, "id"), "flag",
					       r->params[1], "cleared", 1));
	json_decref(m);
	return rc;
}
