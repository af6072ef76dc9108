/* store_sqlite_reports.c - the SQLite side of reports: the platform's obligations and the disputes opened, read back row by row. */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

/* Copy a text column into a fixed field; 0 if it fits (NULL reads as ""). */
static int col_text(sqlite3_stmt *s, int col, char *out, size_t len)
{
	const unsigned char *v = sqlite3_column_text(s, col);
	int n = snprintf(out, len, "%s", v ? (const char *)v : "");

	return n < 0 || (size_t)n >= len;
}

int sq_obligation_each(struct store *st, int64_t from, int64_t to,
		       int (*fn)(void *ctx, const struct store_obligation *o, struct err *e),
		       void *ctx, struct err *e)
{
	struct store_obligation o;
	sqlite3_stmt *s;
	/* a disclosure request an agent must answer is a duty too: kind "disclose" */
	int rc = sq_prep(st, "SELECT seq, dispute_id, kind, created_at, due_at, met_at, breached, "
			     "breached_at, cancelled_at, cancel_reason, 0 AS src FROM obligations "
			     "WHERE created_at >= ?1 AND created_at < ?2 "
			     "UNION ALL "
			     "SELECT seq, id, 'disclose', created_at, due_at, decided_at, 0, NULL, "
			     "NULL, NULL, 1 FROM disclosures WHERE due_at IS NOT NULL "
			     "AND created_at >= ?1 AND created_at < ?2 ORDER BY src, seq", &s, e);
	int step;

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		o.seq = sqlite3_column_int64(s, 0);
		if (col_text(s, 1, o.dispute_id, sizeof(o.dispute_id)) ||
		    col_text(s, 2, o.kind, sizeof(o.kind))) {
			rc = err_set(e, RC_INTERNAL, NULL, NULL,
				     "obligation %lld has a dispute id or kind too long to read",
				     (long long)o.seq);
			break;
		}
		o.created_at = sqlite3_column_int64(s, 3);
		o.due_at = sqlite3_column_int64(s, 4);
		o.met = sqlite3_column_type(s, 5) != SQLITE_NULL;
		o.met_at = o.met ? sqlite3_column_int64(s, 5) : 0;
		o.breached = sqlite3_column_int(s, 6) != 0;
		o.breached_at = o.breached && sqlite3_column_type(s, 7) != SQLITE_NULL
					? sqlite3_column_int64(s, 7)
					: 0;
		o.cancelled = sqlite3_column_type(s, 8) != SQLITE_NULL;
		o.cancelled_at = o.cancelled ? sqlite3_column_int64(s, 8) : 0;
		if (o.cancelled && sqlite3_column_type(s, 9) != SQLITE_NULL &&
		    col_text(s, 9, o.cancel_reason, sizeof(o.cancel_reason)))
			snprintf(o.cancel_reason, sizeof(o.cancel_reason), "other");
		rc = fn(ctx, &o, e);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read obligations");
	sqlite3_finalize(s);
	return rc;
}

int sq_dispute_opened_each(struct store *st, int64_t from, int64_t to,
			   int (*fn)(void *ctx, int64_t created_at, const char *tier,
				     const char *reason, struct err *e),
			   void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT created_at, tier, json_extract(body, '$.reason') FROM disputes "
			     "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY seq", &s, e);
	int step;

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *tier = sqlite3_column_text(s, 1);
		const unsigned char *reason = sqlite3_column_text(s, 2);

		rc = fn(ctx, sqlite3_column_int64(s, 0), tier ? (const char *)tier : "",
			reason ? (const char *)reason : "", e);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read disputes for the report");
	sqlite3_finalize(s);
	return rc;
}
