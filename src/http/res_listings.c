/* res_listings.c - /v1/listings: immutable listing versions, as the consumer saw them. */
#include "http/http_int.h"

#include <string.h>

#include "cases/suspension.h"
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

/* The listing in the path (newest version; 404 if none). */
static int find_listing(struct http_req *r, json_t **l, struct err *e)
{
	int rc = store_get(r->srv->st, STORE_LISTING, r->params[0], l, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such listing");
	return rc;
}

int res_listing_get(struct http_req *r, struct err *e)
{
	json_t *l = NULL, *sus = NULL;
	int rc = find_listing(r, &l, e);

	/* an art. 38 suspension is the listing's, whichever version: shown as the table says */
	if (!rc)
		rc = listing_suspension_get(r->srv->st, json_string_value(json_object_get(l, "id")),
					    &sus, e);
	if (rc) {
		json_decref(l);
		return rc;
	}
	json_object_set_new(l, "suspension", sus);
	return reply_listing(r, l, e);
}

/* POST and DELETE /v1/listings/{id}/suspension: staff act on the listing for a dispute. */
static int measure(struct http_req *r, int suspend, struct err *e)
{
	struct cases c = {r->srv->st, r->srv->rules, r->srv->cal};
	struct actor a = {r->who.role, r->who.id, r->who.subject};
	struct dispute_call dc;
	json_t *l = NULL, *in = NULL, *out = NULL;
	int rc;

	memset(&dc, 0, sizeof(dc));
	rc = find_listing(r, &l, e);
	/* lifting takes an optional body: {"reason"} */
	if (!rc && (suspend || r->body.len > 0))
		rc = http_body_json(r, &in, e);
	if (!rc && suspend)
		rc = listing_suspend(&c, &a, l, in, r->now, &out, &dc, e);
	else if (!rc)
		rc = listing_reinstate(&c, &a, l, in, r->now, &out, &dc, e);
	json_decref(l);
	json_decref(in);
	if (rc)
		return rc;
	http_keep_seals(r, dc.seals, dc.nseals);
	return http_reply_json(r, suspend ? 201 : 200, out);
}

int res_listing_suspend(struct http_req *r, struct err *e)
{
	return measure(r, 1, e);
}

int res_listing_reinstate(struct http_req *r, struct err *e)
{
	return measure(r, 0, e);
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
