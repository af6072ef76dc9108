/* res_legal_holds.c - /v1/legal_holds: a court's or regulator's hold that keeps an order from retention's shredding. */
#include "http/http_int.h"

#include <string.h>

#include "core/jsonx.h"
#include "risk/retention.h"

/* A hold as stored (times in ms) made into its served shape (RFC 3339 times). */
static json_t *hold_view(json_t *h)
{
	static const char *const times[] = {"created_at", "lifted_at", NULL};
	size_t i;

	for (i = 0; times[i]; i++) {
		json_t *t = json_object_get(h, times[i]);

		if (json_is_integer(t))
			json_object_set_new(h, times[i], jx_time_json(json_integer_value(t)));
	}
	json_object_set_new(h, "active", json_boolean(json_is_null(json_object_get(h, "lifted_at"))));
	return h;
}

/* The order (and dispute) a new hold names: *order_id and *dispute_id (ID_MAX each). */
static int hold_target(struct http_req *r, json_t *in, char *order_id, char *dispute_id,
		       struct err *e)
{
	const char *oref = NULL, *dref = NULL;
	json_t *o = NULL, *d = NULL;
	int rc;

	dispute_id[0] = '\0';
	rc = jx_str(in, "order", "order", 0, 100, &oref, e);
	if (!rc)
		rc = jx_str(in, "dispute", "dispute", 0, 100, &dref, e);
	if (rc)
		return rc;
	if (!oref && !dref)
		return err_set(e, RC_INVAL, "parameter_missing", "order",
			       "name the order (order) or the dispute (dispute) to hold");
	if (oref && dref)
		return err_set(e, RC_INVAL, "invalid_value", "dispute",
			       "name the order or the dispute, not both: a dispute's hold keeps "
			       "its order");
	if (dref) {
		rc = store_dispute_get(r->srv->st, dref, &d, e);
		if (rc == RC_NOTFOUND)
			return err_set(e, RC_INVAL, "resource_missing", "dispute",
				       "no such dispute: %s", dref);
		if (rc)
			return rc;
		snprintf(dispute_id, ID_MAX, "%s", json_string_value(json_object_get(d, "id")));
		oref = json_string_value(json_object_get(d, "order"));
	}
	rc = oref ? store_get(r->srv->st, STORE_ORDER, oref, &o, e) : RC_NOTFOUND;
	if (rc == RC_NOTFOUND)
		rc = err_set(e, RC_INVAL, "resource_missing", "order", "no such order: %s",
			     oref ? oref : "");
	if (!rc)
		snprintf(order_id, ID_MAX, "%s", json_string_value(json_object_get(o, "id")));
	json_decref(o);
	json_decref(d);
	return rc;
}

int res_legal_hold_create(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"order", "dispute", "authority", "reference", "reason",
					     NULL};
	struct store_legal_hold_row row;
	const char *authority = NULL, *reference = NULL, *reason = NULL;
	char id[ID_MAX], order_id[ID_MAX], dispute_id[ID_MAX];
	json_t *in = NULL, *h = NULL;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = jx_only(in, fields, "", e);
	if (!rc)
		rc = jx_enum(in, "authority", "authority", 1, retention_authorities, &authority, e);
	if (!rc)
		rc = jx_str(in, "reference", "reference", 1, 200, &reference, e);
	if (!rc)
		rc = jx_str(in, "reason", "reason", 1, 1000, &reason, e);
	if (!rc)
		rc = hold_target(r, in, order_id, dispute_id, e);
	if (!rc) {
		id_new(id, "lgh");
		memset(&row, 0, sizeof(row));
		row.id = id;
		row.order_id = order_id;
		row.dispute_id = dispute_id[0] ? dispute_id : NULL;
		row.authority = authority;
		row.reference = reference;
		row.reason = reason;
		row.created_by = r->who.id;
		row.created_at = r->now;
		rc = store_legal_hold_insert(r->srv->st, &row, e);
	}
	if (!rc)
		rc = http_audit(r, id, "legal_hold.placed", e);
	if (!rc)
		rc = store_legal_hold_get(r->srv->st, id, &h, e);
	json_decref(in);
	if (rc)
		return rc;
	return http_reply_json(r, 201, hold_view(h));
}

int res_legal_hold_list(struct http_req *r, struct err *e)
{
	const char *order = http_query(r, "order"), *active = http_query(r, "active");
	json_t *items = NULL, *h, *o = NULL;
	char order_id[ID_MAX] = "";
	int64_t after = 0, next = 0;
	int limit = 0, only_active = 0, rc;
	size_t i;

	rc = http_page(r, &limit, &after, e);
	if (rc)
		return rc;
	if (active && strcmp(active, "true") == 0)
		only_active = 1;
	else if (active && strcmp(active, "false") != 0)
		return err_set(e, RC_INVAL, "invalid_value", "active", "active must be true or false");
	if (order) {
		rc = store_get(r->srv->st, STORE_ORDER, order, &o, e);
		if (rc == RC_NOTFOUND)
			return err_set(e, RC_INVAL, "resource_missing", "order", "no such order: %s",
				       order);
		if (rc)
			return rc;
		snprintf(order_id, sizeof(order_id), "%s", json_string_value(json_object_get(o, "id")));
		json_decref(o);
	}
	rc = store_legal_hold_list(r->srv->st, order_id[0] ? order_id : NULL, only_active, after,
				   limit, &items, &next, e);
	if (rc)
		return rc;
	json_array_foreach(items, i, h)
		hold_view(h);
	return http_reply_json(r, 200, http_list(items, next));
}

int res_legal_hold_lift(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"reason", NULL};
	const char *reason = http_query(r, "reason");
	json_t *in = NULL, *h = NULL;
	int rc = RC_OK;

	if (!reason) {
		rc = http_body_json(r, &in, e);
		if (!rc)
			rc = jx_only(in, fields, "", e);
		if (!rc)
			rc = jx_str(in, "reason", "reason", 1, 1000, &reason, e);
	} else if (!*reason || jx_utf8_chars(reason) > 1000) {
		rc = err_set(e, RC_INVAL, "invalid_value", "reason",
			     "reason must be 1 to 1000 characters");
	}
	if (!rc)
		rc = store_legal_hold_lift(r->srv->st, r->params[0], r->who.id, reason, r->now, e);
	if (!rc)
		rc = http_audit(r, r->params[0], "legal_hold.lifted", e);
	if (!rc)
		rc = store_legal_hold_get(r->srv->st, r->params[0], &h, e);
	json_decref(in);
	if (rc)
		return rc;
	return http_reply_json(r, 200, hold_view(h));
}
