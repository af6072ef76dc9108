/* views.c - replies show what disclose/ allows: ask it, audit-log the personal data it says the reply reads. */
#include "http/http_int.h"

#include <string.h>

#include "core/jsonx.h"

int http_view(struct http_req *r, enum disclose_kind kind, json_t *record, json_t **out,
	      struct err *e)
{
	struct disclose_view v;
	int rc = disclose_view(r->srv->st, &r->who, kind, record, &v, e);

	*out = NULL;
	if (!rc && v.audit[0])
		rc = http_audit(r, json_string_value(json_object_get(record, "id")), v.audit, e);
	if (!rc) {
		*out = v.body;
		v.body = NULL;
	}
	disclose_view_release(&v);
	return rc;
}

int http_may_see(struct http_req *r, enum disclose_kind kind, json_t *record, struct err *e)
{
	struct disclose_view v;
	int rc = disclose_view(r->srv->st, &r->who, kind, record, &v, e);

	disclose_view_release(&v);
	return rc;
}

int http_view_merchant(struct http_req *r, json_t *m, json_t **out, struct err *e)
{
	/* a merchant recorded before merchants had versions is at its first */
	if (!json_object_get(m, "version"))
		json_object_set_new(m, "version", json_integer(1));
	/* the platform's own flags on the merchant, for the roles the table shows them to */
	if (disclose_rule_of(DISCLOSE_MERCHANT, r->who.role, "flags").action == DISCLOSE_SHOW) {
		json_t *flags = NULL, *f;
		size_t i;
		int rc = store_merchant_flags(r->srv->st, json_string_value(json_object_get(m, "id")),
					      &flags, e);

		if (rc)
			return rc;
		json_array_foreach(flags, i, f)
			json_object_set_new(f, "created_at",
					    jx_time_json(json_integer_value(
						    json_object_get(f, "created_at"))));
		json_object_set_new(m, "flags", flags);
	}
	return http_view(r, DISCLOSE_MERCHANT, m, out, e);
}

/*
 * Narrow a list's filter to the records the caller may list (disclose/):
 * a filter naming someone else's records matches nothing.
 */
void http_narrow(struct http_req *r, enum disclose_kind kind, struct store_filter *f)
{
	struct disclose_scope s;

	disclose_scope_of(&r->who, kind, &s);
	/* none, or access only through a stored relation: no list of those */
	if (s.none || (!s.all && !s.merchant_id && !s.consumer_id))
		f->merchant_id = "-";
	if (s.merchant_id)
		f->merchant_id = f->merchant_id && strcmp(f->merchant_id, s.merchant_id) != 0
					 ? "-" : s.merchant_id;
	if (s.consumer_id)
		f->consumer_id = f->consumer_id && strcmp(f->consumer_id, s.consumer_id) != 0
					 ? "-" : s.consumer_id;
}

int find_order(struct http_req *r, const char *ref, json_t **order, struct err *e)
{
	json_t *o = NULL;
	int rc = store_get(r->srv->st, STORE_ORDER, ref, &o, e);

	*order = NULL;
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such order");
	if (rc)
		return rc;
	/* whether the caller may see it, without the audit entry: the caller decides what it shows */
	rc = http_may_see(r, DISCLOSE_ORDER, o, e);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*order = o;
	return RC_OK;
}
