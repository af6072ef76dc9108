/* res_webhooks.c - /v1/webhook_endpoints: where the platform wants signed event notifications sent. */
#include "http/http_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "notify/destination.h"
#include "notify/webhook.h"

/* Most event types one endpoint lists. */
#define EVENTS_MAX 32

/* The API's view of a stored endpoint row (borrowed): never its secret. */
static json_t *endpoint_view(json_t *row)
{
	return json_pack("{s:s, s:O, s:O, s:O, s:o}", "object", "webhook_endpoint", "id",
			 json_object_get(row, "id"), "url", json_object_get(row, "url"), "events",
			 json_object_get(row, "events"), "created_at",
			 jx_time_json(json_integer_value(json_object_get(row, "created_at"))));
}

/* Check the requested event types; *out is a new array of them without repeats. */
static int parse_events(json_t *in, json_t **out, struct err *e)
{
	char param[32], list[512] = "*";
	json_t *arr = NULL, *v, *seen;
	size_t i, j, used = 1;
	int rc;

	*out = NULL;
	rc = jx_arr(in, "events", "events", 1, EVENTS_MAX, &arr, e);
	if (rc)
		return rc;
	if (json_array_size(arr) == 0)
		return err_set(e, RC_INVAL, "invalid_value", "events",
			       "events must list at least one event type, or \"*\" for all");
	for (j = 0; webhook_event_types[j] && used < sizeof(list); j++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, ", %s",
					 webhook_event_types[j]);
	seen = json_array();
	if (!seen)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_array_foreach(arr, i, v) {
		const char *t = json_string_value(v);
		size_t k;
		int known = 0, dup = 0;
		json_t *s;

		snprintf(param, sizeof(param), "events[%zu]", i);
		if (!json_is_string(v)) {
			rc = err_set(e, RC_INVAL, "invalid_type", param, "%s must be a string", param);
			break;
		}
		known = strcmp(t, "*") == 0 && json_string_length(v) == 1;
		for (j = 0; !known && webhook_event_types[j]; j++)
			known = strcmp(t, webhook_event_types[j]) == 0 &&
				json_string_length(v) == strlen(t);
		if (!known) {
			rc = err_set(e, RC_INVAL, "invalid_enum", param, "%s must be one of: %s",
				     param, list);
			break;
		}
		json_array_foreach(seen, k, s)
			dup |= strcmp(json_string_value(s), t) == 0;
		if (!dup && json_array_append(seen, v)) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	if (rc) {
		json_decref(seen);
		return rc;
	}
	*out = seen;
	return RC_OK;
}

/*
 * The route's step outside the store: the url's name resolved (and again
 * before each delivery), which can take seconds; the store's lock does
 * not wait for it. What the body holds is checked by the handler, which
 * then takes this result.
 */
int res_webhook_endpoint_resolve(struct http_req *r, struct err *e)
{
	json_t *in = r->body.len ? json_loadb(r->body.data, r->body.len, JSON_ALLOW_NUL, NULL)
				 : NULL;
	const char *url = json_string_value(json_object_get(in, "url"));
	struct dest dst;
	int rc;

	/* a body without one is refused by the handler's checks before this is read */
	rc = url ? dest_resolve(url, r->srv->cfg->webhook_allow_private, &dst, e)
		 : err_set(e, RC_INVAL, "invalid_value", "url", "url must be a string");
	json_decref(in);
	return rc;
}

int res_webhook_endpoint_create(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"url", "events", NULL};
	const char *url = NULL;
	json_t *in = NULL, *events = NULL, *reply;
	char id[ID_MAX], secret[TOKEN_MAX], *events_text = NULL;
	int rc;

	rc = http_body_json(r, &in, e);
	if (rc)
		return rc;
	if ((rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_str(in, "url", "url", 1, DEST_URL_MAX, &url, e)) ||
	    (rc = parse_events(in, &events, e)))
		goto out;
	/* resolved before the transaction began (res_webhook_endpoint_resolve) */
	if (!r->outside_done) {
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "the endpoint's name was not resolved");
		goto out;
	}
	if (r->outside_err.rc) {
		*e = r->outside_err;
		rc = e->rc;
		goto out;
	}
	events_text = json_dumps(events, JSON_COMPACT);
	if (!events_text) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	id_new(id, "whe");
	token_new(secret, "whsec");
	rc = store_webhook_endpoint_insert(r->srv->st, id, url, events_text, secret, r->now, e);
	if (!rc) {
		/* the only time the secret is shown */
		reply = json_pack("{s:s, s:s, s:s, s:O, s:s, s:o}", "object", "webhook_endpoint",
				  "id", id, "url", url, "events", events, "secret", secret,
				  "created_at", jx_time_json(r->now));
		rc = http_reply_json(r, 201, reply);
		snprintf(r->secret_of, sizeof(r->secret_of), "%s", id);
	}
	sodium_memzero(secret, sizeof(secret));
out:
	free(events_text);
	json_decref(events);
	json_decref(in);
	return rc;
}

int res_webhook_endpoint_list(struct http_req *r, struct err *e)
{
	json_t *items = NULL, *row;
	int64_t after, next;
	int limit, rc;
	size_t i;

	rc = http_page(r, &limit, &after, e);
	if (!rc)
		rc = store_webhook_endpoint_list(r->srv->st, after, limit, &items, &next, e);
	if (rc)
		return rc;
	json_array_foreach(items, i, row) {
		json_t *v = endpoint_view(row);

		if (!v) {
			json_decref(items);
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		}
		json_array_set_new(items, i, v);
	}
	return http_reply_json(r, 200, http_list(items, next));
}

int res_webhook_endpoint_delete(struct http_req *r, struct err *e)
{
	json_t *row = NULL, *v;
	int rc = store_webhook_endpoint_get(r->srv->st, r->params[0], &row, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such webhook endpoint");
	if (!rc)
		rc = store_webhook_endpoint_disable(r->srv->st, r->params[0], r->now, e);
	if (rc) {
		json_decref(row);
		return rc;
	}
	v = endpoint_view(row);
	json_decref(row);
	if (!v)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_set_new(v, "disabled_at", jx_time_json(r->now));
	return http_reply_json(r, 200, v);
}
