/* res_listings.c - /v1/listings: immutable listing versions, as the consumer saw them. */
#include "http/http_int.h"

#include <string.h>

#include "core/num.h"
#include "ingest/ingest.h"

int res_listing_create(struct http_req *r, struct err *e)
{
	struct ingest_ctx c = {.st = r->srv->st, .data_dir = r->srv->data_dir, .now = r->now};
	json_t *in = NULL, *l = NULL;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = ingest_listing(&c, in, &l, e);
	if (!rc)
		http_keep_seals(r, c.seals, c.nseals);
	json_decref(in);
	if (rc)
		return rc;
	return http_reply_json(r, 201, l);
}

int res_listing_list(struct http_req *r, struct err *e)
{
	struct store_filter f = {NULL, NULL, NULL};
	const char *m = http_query(r, "merchant");
	json_t *items = NULL, *merchant = NULL;
	int64_t after, next;
	int limit, rc;

	rc = http_page(r, &limit, &after, e);
	if (rc)
		return rc;
	if (m) {
		if (store_get(r->srv->st, STORE_MERCHANT, m, &merchant, e) == RC_OK)
			f.merchant_id = json_string_value(json_object_get(merchant, "id"));
		else
			f.merchant_id = "-"; /* matches nothing: an empty list */
		err_clear(e);
	}
	http_narrow(r, DISCLOSE_LISTING, &f);
	rc = store_list(r->srv->st, STORE_LISTING, &f, after, limit, &items, &next, e);
	json_decref(merchant);
	if (rc)
		return rc;
	return http_reply_json(r, 200, http_list(items, next));
}

static int reply_listing(struct http_req *r, json_t *l, struct err *e)
{
	json_t *v = NULL;
	int rc = http_view(r, DISCLOSE_LISTING, l, &v, e);

	json_decref(l);
	if (rc)
		return rc;
	return http_reply_json(r, 200, v);
}

int res_listing_get(struct http_req *r, struct err *e)
{
	json_t *l = NULL;
	int rc = store_get(r->srv->st, STORE_LISTING, r->params[0], &l, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such listing");
	if (rc)
		return rc;
	return reply_listing(r, l, e);
}

int res_listing_version(struct http_req *r, struct err *e)
{
	json_t *l = NULL, *lv = NULL;
	int64_t version;
	int rc = store_get(r->srv->st, STORE_LISTING, r->params[0], &l, e);

	if (rc == RC_NOTFOUND || num_parse_i64(r->params[1], 1, INT32_MAX, &version)) {
		json_decref(l);
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such listing version");
	}
	if (rc)
		return rc;
	rc = store_listing_version(r->srv->st, json_string_value(json_object_get(l, "id")),
				   version, &lv, e);
	json_decref(l);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such listing version");
	if (rc)
		return rc;
	return reply_listing(r, lv, e);
}
