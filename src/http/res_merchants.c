/* res_merchants.c - /v1/merchants: the identity (Art. 27) of the platform's merchants. */
#include "http/http_int.h"

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
		rc = view_merchant(r, m, &v, e);
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

		rc = view_merchant(r, m, &v, e);
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
		rc = view_merchant(r, m, &v, e);
	json_decref(m);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}
