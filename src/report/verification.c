/* verification.c - merchants whose identity is due to be verified again, as JSON pages and CSV. */
#include "report/verification.h"

#include "core/jsonx.h"
#include "report/compliance.h"

#define DAY_MS ((int64_t)24 * 3600 * 1000)

/* One merchant of the report. New reference, or NULL when out of memory. */
static json_t *row_json(json_t *item, int64_t now, int64_t period)
{
	json_t *m = json_object_get(item, "merchant");
	int64_t at = json_integer_value(json_object_get(item, "verified_at"));

	/* ids only, as the compliance report: a regulator reads it, and an individual's name is
	 * personal data it has no basis for */
	return json_pack("{s:O, s:O, s:I, s:o, s:o, s:I}", "merchant",
			 json_object_get(m, "id"), "external_id",
			 json_object_get(m, "external_id") ? json_object_get(m, "external_id")
							   : json_null(),
			 "version",
			 (json_int_t)store_merchant_version_of(m), "verified_at", jx_time_json(at),
			 "due_at", jx_time_json(at + period), "days_overdue",
			 (json_int_t)((now - at - period) / DAY_MS));
}

int report_merchant_verification(struct store *st, int64_t now, int days, int64_t after,
				 int limit, json_t **out, int64_t *next, struct err *e)
{
	int64_t period = (int64_t)days * DAY_MS;
	json_t *items = NULL, *data = NULL, *it, *row;
	size_t i;
	int rc;

	*out = NULL;
	if (limit < 1 || limit > REPORT_VERIFICATION_PAGE_MAX)
		return err_set(e, RC_INVAL, "invalid_value", "limit",
			       "limit must be from 1 to %d", REPORT_VERIFICATION_PAGE_MAX);
	rc = store_merchant_unverified(st, now - period, after, limit, &items, next, e);
	if (rc)
		return rc;
	data = json_array();
	json_array_foreach(items, i, it) {
		row = data ? row_json(it, now, period) : NULL;
		if (!row || json_array_append_new(data, row)) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			goto out;
		}
	}
	*out = json_pack("{s:s, s:o, s:i, s:O, s:n}", "object", "merchant_verification_report",
			 "generated_at", jx_time_json(now), "reverify_days", days, "data", data,
			 "next_cursor");
	if (!*out)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
out:
	json_decref(items);
	json_decref(data);
	return rc;
}

static const char *const verification_cols[] = {"merchant", "external_id", "version",
						"verified_at", "due_at", "days_overdue", NULL};

int report_merchant_verification_csv(json_t *report, int header, struct buf *out,
				     struct err *e)
{
	return report_csv_table(out, json_object_get(report, "data"), verification_cols, header,
				e);
}
