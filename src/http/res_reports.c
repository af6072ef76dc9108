/* res_reports.c - /v1/reports: the compliance report on the platform's own duties in disputes. */
#include "http/http_int.h"

#include "core/timeutil.h"
#include "report/compliance.h"
#include "report/verification.h"

/* A required RFC 3339 query parameter, as ms. */
static int query_time(struct http_req *r, const char *name, int64_t *ms, struct err *e)
{
	const char *v = http_query(r, name);

	if (!v || !*v)
		return err_set(e, RC_INVAL, "required", name,
			       "%s is required: an RFC 3339 time such as 2025-10-01T00:00:00+08:00",
			       name);
	if (time_parse(v, ms))
		return err_set(e, RC_INVAL, "invalid_value", name,
			       "%s must be an RFC 3339 time such as 2025-10-01T00:00:00+08:00 "
			       "(write + in an offset as %%2B)", name);
	return RC_OK;
}

int res_report_compliance(struct http_req *r, struct err *e)
{
	int64_t from = 0, to = 0;
	json_t *report = NULL;
	int rc;

	if ((rc = query_time(r, "from", &from, e)) || (rc = query_time(r, "to", &to, e)))
		return rc;
	if (from >= to)
		return err_set(e, RC_INVAL, "invalid_value", "to", "to must be later than from");
	rc = report_compliance(r->srv->st, from, to, r->now, &report, e);
	if (rc)
		return rc;
	r->verbatim = 1;
	return http_reply_json(r, 200, report);
}

/*
 * GET /v1/reports/merchant_verification: the merchants whose identity is
 * due to be verified again ([merchants] reverify_days), a page at a time.
 */
int res_report_merchant_verification(struct http_req *r, struct err *e)
{
	json_t *report = NULL, *page;
	int64_t after = 0, next = 0;
	int limit = 0;
	int rc = http_page(r, &limit, &after, e);

	if (!rc)
		rc = report_merchant_verification(r->srv->st, r->now,
						  r->srv->cfg->merchant_reverify_days, after, limit,
						  &report, &next, e);
	if (rc)
		return rc;
	/* the cursor as every list encodes it */
	page = http_list(json_array(), next);
	json_object_set(report, "next_cursor", json_object_get(page, "next_cursor"));
	json_decref(page);
	r->verbatim = 1;
	return http_reply_json(r, 200, report);
}
