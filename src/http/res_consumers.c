/* res_consumers.c - GET /v1/consumers/{id} and GET /v1/audit_events. */
#include "http/http_int.h"

#include <string.h>

#include "core/jsonx.h"

int res_consumer_get(struct http_req *r, struct err *e)
{
	json_t *c = NULL, *v = NULL;
	int rc = store_get(r->srv->st, STORE_CONSUMER, r->params[0], &c, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such consumer");
	if (!rc)
		rc = http_view(r, DISCLOSE_CONSUMER, c, &v, e);
	json_decref(c);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

int res_audit_list(struct http_req *r, struct err *e)
{
	json_t *items = NULL, *it;
	int64_t after, next;
	int limit, rc;
	size_t i;

	rc = http_page(r, &limit, &after, e);
	if (!rc)
		rc = store_audit_list(r->srv->st, after, limit, &items, &next, e);
	if (rc)
		return rc;
	json_array_foreach(items, i, it) {
		const char *fields = json_string_value(json_object_get(it, "fields"));
		json_t *arr = json_array();
		const char *p = fields, *comma;

		while (p && *p) {
			comma = strchr(p, ',');
			json_array_append_new(arr, comma ? json_stringn(p, (size_t)(comma - p))
							 : json_string(p));
			p = comma ? comma + 1 : NULL;
		}
		json_object_set_new(it, "fields", arr);
		json_object_set_new(it, "at",
				    jx_time_json(json_integer_value(json_object_get(it, "at"))));
	}
	return http_reply_json(r, 200, http_list(items, next));
}
