/* res_orders.c - /v1/orders with their logistics events and chat messages. */
#include "http/http_int.h"

#include <string.h>

#include "cases/dispute.h"
#include "ingest/ingest.h"

int res_order_create(struct http_req *r, struct err *e)
{
	struct ingest_ctx c = {.st = r->srv->st, .data_dir = r->srv->data_dir, .now = r->now};
	json_t *in = NULL, *o = NULL, *v = NULL;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = ingest_order(&c, in, &o, e);
	if (!rc)
		http_keep_seals(r, c.seals, c.nseals);
	if (!rc)
		rc = http_view(r, DISCLOSE_ORDER, o, &v, e);
	if (!rc)
		rc = http_reply_json(r, 201, v);
	json_decref(in);
	json_decref(o);
	return rc;
}

/* Resolve a ?merchant= or ?consumer= filter to an id ("-" matches nothing). */
static const char *filter_ref(struct http_req *r, enum store_kind kind, const char *q,
			      json_t **hold)
{
	const char *ref = http_query(r, q);
	struct err ignore;

	if (!ref)
		return NULL;
	if (store_get(r->srv->st, kind, ref, hold, &ignore) != RC_OK)
		return "-";
	return json_string_value(json_object_get(*hold, "id"));
}

int res_order_list(struct http_req *r, struct err *e)
{
	struct store_filter f = {NULL, NULL, NULL};
	json_t *items = NULL, *hm = NULL, *hc = NULL, *o;
	int64_t after, next;
	int limit, rc;
	size_t i;

	rc = http_page(r, &limit, &after, e);
	if (rc)
		return rc;
	f.merchant_id = filter_ref(r, STORE_MERCHANT, "merchant", &hm);
	f.consumer_id = filter_ref(r, STORE_CONSUMER, "consumer", &hc);
	http_narrow(r, DISCLOSE_ORDER, &f);
	rc = store_list(r->srv->st, STORE_ORDER, &f, after, limit, &items, &next, e);
	json_decref(hm);
	json_decref(hc);
	if (rc)
		return rc;
	json_array_foreach(items, i, o) {
		json_t *v;

		rc = http_view(r, DISCLOSE_ORDER, o, &v, e);
		if (rc) {
			json_decref(items);
			return rc;
		}
		json_array_set_new(items, i, v);
	}
	return http_reply_json(r, 200, http_list(items, next));
}

int res_order_get(struct http_req *r, struct err *e)
{
	json_t *o = NULL, *v = NULL;
	int rc = find_order(r, r->params[0], &o, e);

	if (!rc)
		rc = http_view(r, DISCLOSE_ORDER, o, &v, e);
	json_decref(o);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

typedef int (*child_ingest)(struct ingest_ctx *, json_t *, json_t *, json_t **, struct err *);

static int child_create(struct http_req *r, child_ingest fn, struct err *e)
{
	struct ingest_ctx c = {.st = r->srv->st, .data_dir = r->srv->data_dir, .now = r->now};
	json_t *order = NULL, *in = NULL, *out = NULL;
	int rc = find_order(r, r->params[0], &order, e);

	if (!rc)
		rc = http_body_json(r, &in, e);
	if (!rc)
		rc = fn(&c, order, in, &out, e);
	/* the order's dispute, if one is live, has new evidence to assess */
	if (!rc)
		rc = http_assess_queue_order(r, json_string_value(json_object_get(order, "id")), e);
	if (!rc)
		http_keep_seals(r, c.seals, c.nseals);
	json_decref(order);
	json_decref(in);
	if (rc)
		return rc;
	return http_reply_json(r, 201, out);
}

static int child_list(struct http_req *r, enum store_kind kind, struct err *e)
{
	struct store_filter f = {NULL, NULL, NULL};
	json_t *order = NULL, *items = NULL;
	int64_t after, next;
	int limit, rc = find_order(r, r->params[0], &order, e);

	if (!rc)
		rc = http_page(r, &limit, &after, e);
	if (!rc) {
		f.order_id = json_string_value(json_object_get(order, "id"));
		rc = store_list(r->srv->st, kind, &f, after, limit, &items, &next, e);
	}
	json_decref(order);
	if (rc)
		return rc;
	return http_reply_json(r, 200, http_list(items, next));
}

/*
 * A logistics event; the consumer's return (direction "return") also moves
 * the order's dispute that waits on it (dispute_on_logistics), in the same
 * transaction.
 */
int res_logistics_create(struct http_req *r, struct err *e)
{
	struct ingest_ctx c = {.st = r->srv->st, .data_dir = r->srv->data_dir, .now = r->now};
	struct cases cs = {r->srv->st, r->srv->rules, r->srv->cal};
	struct dispute_call dc;
	json_t *order = NULL, *in = NULL, *out = NULL;
	int applied = 0, rc = find_order(r, r->params[0], &order, e);

	memset(&dc, 0, sizeof(dc));
	if (!rc)
		rc = http_body_json(r, &in, e);
	if (!rc)
		rc = ingest_logistics(&c, order, in, &out, e);
	if (!rc)
		rc = dispute_on_logistics(&cs, out, r->now, &dc, &applied, e);
	if (!rc)
		rc = http_assess_queue_order(r, json_string_value(json_object_get(order, "id")), e);
	if (!rc) {
		http_keep_seals(r, c.seals, c.nseals);
		http_keep_seals(r, dc.seals, dc.nseals);
	}
	json_decref(order);
	json_decref(in);
	if (rc) {
		json_decref(out);
		return rc;
	}
	return http_reply_json(r, 201, out);
}

int res_logistics_list(struct http_req *r, struct err *e)
{
	return child_list(r, STORE_LOGISTICS, e);
}

int res_message_create(struct http_req *r, struct err *e)
{
	return child_create(r, ingest_message, e);
}

int res_message_list(struct http_req *r, struct err *e)
{
	return child_list(r, STORE_MESSAGE, e);
}
