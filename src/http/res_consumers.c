/* res_consumers.c - /v1/consumers/{id} with staff's flags, their appeal and the abuse signals, and GET /v1/audit_events. */
#include "http/http_int.h"

#include <string.h>

#include "core/jsonx.h"
#include "risk/consumer.h"

/* The consumer's flags and their history on the record, for the roles the table shows them to. */
static int with_flags(struct http_req *r, json_t *c, struct err *e)
{
	json_t *flags = NULL, *history = NULL;
	int rc;

	if (disclose_rule_of(DISCLOSE_CONSUMER, r->who.role, "flags").action != DISCLOSE_SHOW)
		return RC_OK;
	rc = risk_consumer_flag_view(r->srv->st, json_string_value(json_object_get(c, "id")),
				     &flags, &history, e);
	if (rc)
		return rc;
	json_object_set_new(c, "flags", flags);
	json_object_set_new(c, "flag_history", history);
	return RC_OK;
}

int res_consumer_get(struct http_req *r, struct err *e)
{
	json_t *c = NULL, *v = NULL;
	int rc = store_get(r->srv->st, STORE_CONSUMER, r->params[0], &c, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such consumer");
	/* whether the caller may see the consumer at all, before anything is read for it */
	if (!rc)
		rc = http_may_see(r, DISCLOSE_CONSUMER, c, e);
	if (!rc)
		rc = with_flags(r, c, e);
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

/* ---- flags on consumers (src/risk/consumer.h) ---- */

/* The consumer in the path, for a caller who may see it (404 otherwise): its id into `id`. */
static int flag_target(struct http_req *r, char id[ID_MAX], struct err *e)
{
	json_t *c = NULL;
	int rc = store_get(r->srv->st, STORE_CONSUMER, r->params[0], &c, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such consumer");
	if (!rc)
		rc = http_may_see(r, DISCLOSE_CONSUMER, c, e);
	if (!rc)
		snprintf(id, ID_MAX, "%s", json_string_value(json_object_get(c, "id")));
	json_decref(c);
	return rc;
}

static void flag_actor(struct http_req *r, struct actor *a)
{
	a->role = r->who.role;
	a->id = http_is(r, ROLE_CONSUMER) ? r->who.subject : r->who.id;
	a->name = http_is(r, ROLE_AGENT | ROLE_PLATFORM) ? r->who.subject : NULL;
}

static struct cases *flag_cases(struct http_req *r, struct cases *c)
{
	c->st = r->srv->st;
	c->rules = r->srv->rules;
	c->cal = r->srv->cal;
	return c;
}

/* The action's body: JSON; for a DELETE, also none, with ?reason= instead. */
static int flag_body(struct http_req *r, json_t **in, struct err *e)
{
	const char *reason = http_query(r, "reason");

	if (strcmp(r->method, "DELETE") == 0 && r->body.len == 0) {
		*in = reason ? json_pack("{s:s}", "reason", reason) : json_object();
		return *in ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	return http_body_json(r, in, e);
}

typedef int flag_action_fn(struct cases *c, const struct actor *a, const char *consumer_id,
			   const char *flag, json_t *in, int64_t now, json_t **out,
			   struct dispute_call *dc, struct err *e);

/* Run a flag action on the consumer in the path; reply `status` with the flag. */
static int flag_act(struct http_req *r, flag_action_fn *fn, int status, struct err *e)
{
	struct dispute_call dc;
	struct cases c;
	struct actor a;
	char id[ID_MAX];
	json_t *in = NULL, *out = NULL;
	int rc = flag_target(r, id, e);

	memset(&dc, 0, sizeof(dc));
	flag_actor(r, &a);
	if (!rc)
		rc = flag_body(r, &in, e);
	if (!rc)
		rc = fn(flag_cases(r, &c), &a, id, r->params[1], in, r->now, &out, &dc, e);
	json_decref(in);
	if (rc)
		return rc;
	http_keep_seals(r, dc.seals, dc.nseals);
	return http_reply_json(r, status, out);
}

static int set_fn(struct cases *c, const struct actor *a, const char *consumer_id,
		  const char *flag, json_t *in, int64_t now, json_t **out, struct dispute_call *dc,
		  struct err *e)
{
	(void)flag;
	return risk_consumer_flag_set(c, a, consumer_id, in, now, out, dc, e);
}

int res_consumer_flag_set(struct http_req *r, struct err *e)
{
	return flag_act(r, set_fn, 201, e);
}

int res_consumer_flag_clear(struct http_req *r, struct err *e)
{
	return flag_act(r, risk_consumer_flag_clear, 200, e);
}

int res_consumer_flag_appeal(struct http_req *r, struct err *e)
{
	return flag_act(r, risk_consumer_flag_appeal, 201, e);
}

int res_consumer_flag_decide(struct http_req *r, struct err *e)
{
	return flag_act(r, risk_consumer_flag_decide, 200, e);
}

int res_consumer_signals(struct http_req *r, struct err *e)
{
	char id[ID_MAX];
	json_t *out = NULL;
	int rc = flag_target(r, id, e);

	if (!rc)
		rc = risk_consumer_signals(r->srv->st, id, r->now, &out, e);
	if (rc)
		return rc;
	return http_reply_json(r, 200, out);
}
