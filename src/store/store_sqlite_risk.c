/* store_sqlite_risk.c - the SQLite side of risk: counts over windows of time for the figures and early warnings, alerts, and flag proposals. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

/* The upheld test of a dispute row `d` (an outcome stands and it is not a rejection). */
#define UPHELD(d) "(json_extract(" d "body, '$.outcome.outcome') IS NOT NULL AND " \
		  "json_extract(" d "body, '$.outcome.outcome') <> 'rejected')"

static const char *const orders_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT count(*) FROM orders WHERE merchant_id = ?1 "
				"AND created_at >= ?2 AND created_at < ?3",
	[STORE_RISK_LISTING] = "SELECT count(DISTINCT o.id) FROM order_items i "
			       "JOIN orders o ON o.id = i.order_id WHERE i.listing_id = ?1 "
			       "AND o.created_at >= ?2 AND o.created_at < ?3",
	[STORE_RISK_CATEGORY] = "SELECT count(DISTINCT o.id) FROM listings l "
				"JOIN order_items i ON i.listing_id = l.id AND "
				"i.listing_version = l.version JOIN orders o ON o.id = i.order_id "
				"WHERE l.category = ?1 AND o.created_at >= ?2 AND o.created_at < ?3",
	[STORE_RISK_PLATFORM] = "SELECT count(*) FROM orders WHERE (?1 IS NULL OR 1) "
				"AND created_at >= ?2 AND created_at < ?3",
};

static const char *const first_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT min(created_at) FROM orders WHERE merchant_id = ?1",
	[STORE_RISK_LISTING] = "SELECT min(o.created_at) FROM order_items i "
			       "JOIN orders o ON o.id = i.order_id WHERE i.listing_id = ?1",
	[STORE_RISK_CATEGORY] = "SELECT min(o.created_at) FROM listings l "
				"JOIN order_items i ON i.listing_id = l.id AND "
				"i.listing_version = l.version JOIN orders o ON o.id = i.order_id "
				"WHERE l.category = ?1",
	[STORE_RISK_PLATFORM] = "SELECT min(created_at) FROM orders WHERE (?1 IS NULL OR 1)",
};

/* Disputes opened in [?2, ?3) of the scope ?1, with reason ?4 (NULL: any). */
static const char *const disputes_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT id FROM disputes WHERE merchant_id = ?1 "
				"AND created_at >= ?2 AND created_at < ?3 "
				"AND (?4 IS NULL OR json_extract(body, '$.reason') = ?4) "
				"ORDER BY created_at, seq",
	[STORE_RISK_LISTING] = "SELECT d.id FROM disputes d WHERE d.created_at >= ?2 "
			       "AND d.created_at < ?3 "
			       "AND (?4 IS NULL OR json_extract(d.body, '$.reason') = ?4) "
			       "AND EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = d.order_id "
			       "AND i.listing_id = ?1) ORDER BY d.created_at, d.seq",
	[STORE_RISK_CATEGORY] = "SELECT d.id FROM disputes d WHERE d.created_at >= ?2 "
				"AND d.created_at < ?3 "
				"AND (?4 IS NULL OR json_extract(d.body, '$.reason') = ?4) "
				"AND EXISTS (SELECT 1 FROM order_items i JOIN listings l "
				"ON l.id = i.listing_id AND l.version = i.listing_version "
				"WHERE i.order_id = d.order_id AND l.category = ?1) "
				"ORDER BY d.created_at, d.seq",
	[STORE_RISK_PLATFORM] = "SELECT id FROM disputes WHERE (?1 IS NULL OR 1) "
				"AND created_at >= ?2 AND created_at < ?3 "
				"AND (?4 IS NULL OR json_extract(body, '$.reason') = ?4) "
				"ORDER BY created_at, seq",
};

/* (scope id, reason, count) of the disputes opened in [?1, ?2), at most ?3 rows. */
static const char *const candidates_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT merchant_id, json_extract(body, '$.reason'), count(*) "
				"FROM disputes WHERE created_at >= ?1 AND created_at < ?2 "
				"GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ?3",
	[STORE_RISK_LISTING] = "SELECT i.listing_id, json_extract(d.body, '$.reason'), "
			       "count(DISTINCT d.id) FROM disputes d JOIN order_items i "
			       "ON i.order_id = d.order_id WHERE d.created_at >= ?1 "
			       "AND d.created_at < ?2 GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ?3",
	[STORE_RISK_CATEGORY] = "SELECT l.category, json_extract(d.body, '$.reason'), "
				"count(DISTINCT d.id) FROM disputes d JOIN order_items i "
				"ON i.order_id = d.order_id JOIN listings l ON l.id = i.listing_id "
				"AND l.version = i.listing_version WHERE d.created_at >= ?1 "
				"AND d.created_at < ?2 AND l.category IS NOT NULL "
				"GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ?3",
	[STORE_RISK_PLATFORM] = NULL,
};

static int bad_scope(enum store_risk_scope scope, struct err *e)
{
	return err_set(e, RC_INTERNAL, NULL, NULL, "bad risk scope %d", (int)scope);
}

/* Step `s` for one integer (NULL reads 0), then finalize it. */
static int one_int(struct store *st, sqlite3_stmt *s, int64_t *out, struct err *e)
{
	int step = sqlite3_step(s), rc = RC_OK;

	*out = 0;
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else if (step != SQLITE_DONE)
		rc = sq_fail(st, e, "count for risk");
	sqlite3_finalize(s);
	return rc;
}

/* A row's first column as a JSON string (NULL, skipped, when it is NULL). */
static json_t *row_id(sqlite3_stmt *s)
{
	const char *v = (const char *)sqlite3_column_text(s, 0);

	return v ? json_string(v) : NULL;
}

/*
 * Step `s` to its end and finalize it: each row made a JSON value by `row`
 * (a row it makes NULL is skipped), the first `max` of them appended to a
 * new array *out (NULL: none kept), every row counted in *n (may be NULL).
 * On failure *out is NULL and the error names `what`.
 */
static int rows_json(struct store *st, sqlite3_stmt *s, json_t *(*row)(sqlite3_stmt *s),
		     size_t max, int64_t *n, json_t **out, const char *what, struct err *e)
{
	json_t *arr = out ? json_array() : NULL, *v;
	int64_t count = 0;
	int rc = RC_OK, step;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		count++;
		if (arr && json_array_size(arr) < max && (v = row(s)))
			json_array_append_new(arr, v);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(st, e, what);
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(s);
	if (n)
		*n = count;
	if (out)
		*out = arr;
	return rc;
}

/* A focus row: {focus, count}; NULL when the focus is. */
static json_t *row_focus(sqlite3_stmt *s)
{
	const char *f = (const char *)sqlite3_column_text(s, 0);

	return f ? json_pack("{s:s, s:I}", "focus", f, "count",
			     (json_int_t)sqlite3_column_int64(s, 1))
		 : NULL;
}

/* A ranked merchant's row: its id, orders, disputes and upheld disputes. */
static json_t *row_rank(sqlite3_stmt *s)
{
	return json_pack("{s:s, s:I, s:I, s:I}", "merchant", sqlite3_column_text(s, 0), "orders",
			 (json_int_t)sqlite3_column_int64(s, 1), "disputes",
			 (json_int_t)sqlite3_column_int64(s, 2), "upheld",
			 (json_int_t)sqlite3_column_int64(s, 3));
}

static int sq_risk_orders(struct store *st, enum store_risk_scope scope, const char *id,
			  int64_t from, int64_t to, int64_t *n, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES)
		return bad_scope(scope, e);
	rc = sq_prep(st, orders_sql[scope], &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	return one_int(st, s, n, e);
}

static int sq_risk_disputes(struct store *st, enum store_risk_scope scope, const char *id,
			    const char *reason, int64_t from, int64_t to, int64_t *n, json_t **ids,
			    size_t max, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (ids)
		*ids = NULL;
	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES)
		return bad_scope(scope, e);
	rc = sq_prep(st, disputes_sql[scope], &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	sq_bind_text(s, 4, reason);
	return rows_json(st, s, row_id, max, n, ids, "list disputes for risk", e);
}

static int sq_risk_first_order(struct store *st, enum store_risk_scope scope, const char *id,
			       int64_t *at, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*at = 0;
	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES)
		return bad_scope(scope, e);
	rc = sq_prep(st, first_sql[scope], &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	return one_int(st, s, at, e);
}

static int sq_risk_category_of(struct store *st, enum store_risk_scope scope, const char *id,
			       char *out, size_t size, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	out[0] = '\0';
	if (scope == STORE_RISK_LISTING)
		rc = sq_prep(st, "SELECT category FROM listings WHERE id = ? "
				 "ORDER BY version DESC LIMIT 1", &s, e);
	else if (scope == STORE_RISK_MERCHANT)
		rc = sq_prep(st, "SELECT category FROM listings WHERE merchant_id = ? "
				 "AND category IS NOT NULL GROUP BY category "
				 "ORDER BY count(DISTINCT id) DESC, category LIMIT 1", &s, e);
	else
		return RC_OK;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, size, "%s", sqlite3_column_text(s, 0));
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? RC_OK : sq_fail(st, e, "category");
	sqlite3_finalize(s);
	return rc;
}

static int sq_risk_merchant_counts(struct store *st, const char *merchant_id, int64_t from,
				   int64_t to, struct store_risk_counts *c, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st,
			 "SELECT count(*),"
			 " coalesce(sum(json_extract(d.body, '$.outcome') IS NOT NULL"
			 "  OR d.state IN ('withdrawn', 'external')), 0),"
			 " coalesce(sum(" UPHELD("d.") "), 0),"
			 " coalesce(sum(EXISTS (SELECT 1 FROM dispute_events v"
			 "  WHERE v.dispute_id = d.id AND json_extract(v.body, '$.type') IN"
			 "  ('merchant_accept', 'merchant_counter', 'merchant_reject'))), 0),"
			 " coalesce(sum(EXISTS (SELECT 1 FROM dispute_events v"
			 "  WHERE v.dispute_id = d.id AND json_extract(v.body, '$.type') = 'timeout'"
			 "  AND json_extract(v.body, '$.from') = 'awaiting_merchant')), 0)"
			 " FROM disputes d WHERE d.merchant_id = ?1 AND d.created_at >= ?2"
			 " AND d.created_at < ?3",
			 &s, e);

	memset(c, 0, sizeof(*c));
	if (rc)
		return rc;
	sq_bind_text(s, 1, merchant_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->disputes = sqlite3_column_int64(s, 0);
		c->closed = sqlite3_column_int64(s, 1);
		c->upheld = sqlite3_column_int64(s, 2);
		c->responded = sqlite3_column_int64(s, 3);
		c->missed = sqlite3_column_int64(s, 4);
		rc = RC_OK;
	} else {
		rc = sq_fail(st, e, "count a merchant's disputes");
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_risk_merchant_foci(struct store *st, const char *merchant_id, const char *source,
				 int64_t from, int64_t to, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (strcmp(source, "reason") == 0)
		rc = sq_prep(st, "SELECT json_extract(body, '$.reason') AS f, count(*) FROM disputes "
				 "WHERE merchant_id = ?1 AND created_at >= ?2 AND created_at < ?3 "
				 "GROUP BY f ORDER BY 2 DESC, f", &s, e);
	else
		rc = sq_prep(st, "SELECT f, count(*) FROM (SELECT (SELECT json_extract("
				 "json_extract(v.body, '$.data.assessment'), "
				 "'$.focus.detected.primary') FROM dispute_events v "
				 "WHERE v.dispute_id = d.id AND json_extract(v.body, '$.type') = "
				 "'assessment' ORDER BY v.seq DESC LIMIT 1) AS f FROM disputes d "
				 "WHERE d.merchant_id = ?1 AND d.created_at >= ?2 "
				 "AND d.created_at < ?3) WHERE f IS NOT NULL "
				 "GROUP BY f ORDER BY 2 DESC, f", &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, merchant_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	return rows_json(st, s, row_focus, SIZE_MAX, NULL, out, "count a merchant's dispute foci",
			 e);
}

static int sq_risk_rank(struct store *st, int64_t from, int64_t to, int64_t offset, int limit,
			int64_t cap, json_t **out, int *more, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st,
			 "WITH d AS (SELECT merchant_id AS m, count(*) AS n, "
			 "  coalesce(sum(" UPHELD("") "), 0) AS u FROM disputes "
			 "  WHERE created_at >= ?1 AND created_at < ?2 GROUP BY merchant_id "
			 "  ORDER BY merchant_id LIMIT ?5), "
			 "r AS (SELECT m, n, u, (SELECT count(*) FROM orders o WHERE o.merchant_id = d.m "
			 "  AND o.created_at >= ?1 AND o.created_at < ?2) AS o FROM d) "
			 "SELECT m, o, n, u FROM r ORDER BY 1000.0 * (n + u) / max(o, 1) DESC, m "
			 "LIMIT ?3 OFFSET ?4",
			 &s, e);
	int64_t n = 0;

	*out = NULL;
	*more = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	sqlite3_bind_int(s, 3, limit + 1);
	sqlite3_bind_int64(s, 4, offset);
	sqlite3_bind_int64(s, 5, cap);
	rc = rows_json(st, s, row_rank, (size_t)limit, &n, out, "rank merchants", e);
	*more = !rc && n > limit;
	return rc;
}

static int sq_risk_candidates(struct store *st, enum store_risk_scope scope, int64_t from,
			      int64_t to, size_t max,
			      int (*fn)(void *ctx, const char *id, const char *reason, int64_t n),
			      void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc, step;

	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES || !candidates_sql[scope])
		return bad_scope(scope, e);
	rc = sq_prep(st, candidates_sql[scope], &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		const char *reason = (const char *)sqlite3_column_text(s, 1);

		if (!id || !reason)
			continue;
		rc = fn(ctx, id, reason, sqlite3_column_int64(s, 2));
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = sq_fail(st, e, "find early-warning candidates");
	sqlite3_finalize(s);
	return rc;
}

/* The NULL-terminated `reasons` as the JSON text of an array (malloc'd), or NULL. */
static char *reasons_text(char *const *reasons)
{
	json_t *a = json_array();
	char *text;
	size_t i;

	for (i = 0; reasons && reasons[i]; i++)
		json_array_append_new(a, json_string(reasons[i]));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

static int sq_risk_upheld(struct store *st, const char *merchant_id, char *const *reasons,
			  int64_t from, int64_t to, size_t max, int64_t *n, json_t **ids,
			  struct err *e)
{
	char *text = reasons_text(reasons);
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	*ids = NULL;
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "SELECT id FROM disputes WHERE merchant_id = ?1 AND created_at >= ?2 "
			 "AND created_at < ?3 AND json_extract(body, '$.reason') IN "
			 "(SELECT value FROM json_each(?4)) AND " UPHELD("")
			 " ORDER BY created_at, seq", &s, e);
	if (rc) {
		free(text);
		return rc;
	}
	sq_bind_text(s, 1, merchant_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	sq_bind_text(s, 4, text);
	rc = rows_json(st, s, row_id, max, n, ids, "count upheld disputes", e);
	free(text);
	return rc;
}

static int sq_risk_repeat_merchants(struct store *st, char *const *reasons, int64_t from,
				    int64_t to, int64_t k, size_t max, json_t **out, struct err *e)
{
	char *text = reasons_text(reasons);
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "SELECT merchant_id FROM disputes WHERE created_at >= ?1 "
			 "AND created_at < ?2 AND json_extract(body, '$.reason') IN "
			 "(SELECT value FROM json_each(?3)) AND " UPHELD("")
			 " GROUP BY merchant_id HAVING count(*) >= ?4 ORDER BY merchant_id LIMIT ?5",
		     &s, e);
	if (rc) {
		free(text);
		return rc;
	}
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	sq_bind_text(s, 3, text);
	sqlite3_bind_int64(s, 4, k);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)max);
	rc = rows_json(st, s, row_id, SIZE_MAX, NULL, out, "find repeat-fraud merchants", e);
	free(text);
	return rc;
}

/* ---- alerts ---- */

static int sq_alert_insert(struct store *st, const char *id, const char *scope,
			   const char *scope_id, const char *focus, int64_t window_start,
			   int64_t window_end, const char *merchant_id, int64_t now, json_t *body,
			   int *inserted, struct err *e)
{
	char *text = sq_dump(body);
	sqlite3_stmt *s;
	int rc;

	*inserted = 0;
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT OR IGNORE INTO risk_alerts (id, scope, scope_id, focus, "
			 "window_start, window_end, merchant_id, created_at, body) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, scope);
		sq_bind_text(s, 3, scope_id);
		sq_bind_text(s, 4, focus);
		sqlite3_bind_int64(s, 5, window_start);
		sqlite3_bind_int64(s, 6, window_end);
		sq_bind_text(s, 7, merchant_id);
		sqlite3_bind_int64(s, 8, now);
		sq_bind_text(s, 9, text);
		rc = sq_step_done(st, s, "insert alert", e);
		if (!rc)
			*inserted = sqlite3_changes(st->db) > 0;
	}
	free(text);
	return rc;
}

/* The body of the row of `table` whose id is `id`; RC_NOTFOUND naming `noun` if none. */
static int body_by_id(struct store *st, const char *sql, const char *noun, const char *id,
		      json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, sql, &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such %s", noun);
	sqlite3_finalize(s);
	return rc;
}

static int sq_alert_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return body_by_id(st, "SELECT body FROM risk_alerts WHERE id = ?", "alert", id, body, e);
}

static int sq_alert_list(struct store *st, const char *scope, const char *merchant_id,
			 const char *focus, int64_t after, int limit, json_t **items, int64_t *next,
			 struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq, body FROM risk_alerts WHERE seq > ?1 "
			     "AND (?2 IS NULL OR scope = ?2) AND (?3 IS NULL OR merchant_id = ?3) "
			     "AND (?4 IS NULL OR focus = ?4) ORDER BY seq LIMIT ?5", &s, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sq_bind_text(s, 2, scope);
	sq_bind_text(s, 3, merchant_id);
	sq_bind_text(s, 4, focus);
	sqlite3_bind_int(s, 5, limit + 1);
	return sq_page(st, s, limit, items, next, e);
}

/* ---- flag proposals ---- */

static int sq_proposal_insert(struct store *st, const char *id, const char *merchant_id,
			      const char *flag, int64_t upheld, int64_t now, json_t *body,
			      struct err *e)
{
	char *text = sq_dump(body);
	sqlite3_stmt *s;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO risk_proposals (id, merchant_id, flag, state, upheld, "
			 "created_at, body) VALUES (?, ?, ?, 'proposed', ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, merchant_id);
		sq_bind_text(s, 3, flag);
		sqlite3_bind_int64(s, 4, upheld);
		sqlite3_bind_int64(s, 5, now);
		sq_bind_text(s, 6, text);
		rc = sq_step_done(st, s, "insert proposal", e);
	}
	free(text);
	return rc;
}

static int sq_proposal_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return body_by_id(st, "SELECT body FROM risk_proposals WHERE id = ?", "proposal", id, body,
			  e);
}

static int sq_proposal_list(struct store *st, const char *state, int64_t after, int limit,
			    json_t **items, int64_t *next, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq, body FROM risk_proposals WHERE seq > ?1 "
			     "AND (?2 IS NULL OR state = ?2) ORDER BY seq LIMIT ?3", &s, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sq_bind_text(s, 2, state);
	sqlite3_bind_int(s, 3, limit + 1);
	return sq_page(st, s, limit, items, next, e);
}

static int sq_proposal_decide(struct store *st, const char *id, const char *state, int64_t now,
			      json_t *body, struct err *e)
{
	char *text = sq_dump(body);
	sqlite3_stmt *s;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "UPDATE risk_proposals SET state = ?, decided_at = ?, body = ? "
			 "WHERE id = ? AND state = 'proposed'", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, state);
		sqlite3_bind_int64(s, 2, now);
		sq_bind_text(s, 3, text);
		sq_bind_text(s, 4, id);
		rc = sq_step_done(st, s, "decide proposal", e);
		if (!rc && sqlite3_changes(st->db) == 0)
			rc = err_set(e, RC_CONFLICT, "proposal_closed", NULL,
				     "proposal %s is no longer open", id);
	}
	free(text);
	return rc;
}

static int sq_proposal_state(struct store *st, const char *merchant_id, const char *flag, int *open,
			     int64_t *dismissed_upheld, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT coalesce(sum(state = 'proposed'), 0), "
			     "coalesce(max(CASE WHEN state = 'dismissed' THEN upheld END), -1) "
			     "FROM risk_proposals WHERE merchant_id = ? AND flag = ?", &s, e);

	*open = 0;
	*dismissed_upheld = -1;
	if (rc)
		return rc;
	sq_bind_text(s, 1, merchant_id);
	sq_bind_text(s, 2, flag);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*open = sqlite3_column_int64(s, 0) > 0;
		*dismissed_upheld = sqlite3_column_int64(s, 1);
	} else {
		rc = sq_fail(st, e, "read proposals");
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_merchant_flag_evidence(struct store *st, const char *merchant_id, const char *flag,
				     const char *evidence, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE merchant_flags SET evidence = ? WHERE merchant_id = ? "
			     "AND flag = ? AND cleared_at IS NULL", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, evidence);
	sq_bind_text(s, 2, merchant_id);
	sq_bind_text(s, 3, flag);
	rc = sq_step_done(st, s, "keep a flag's evidence", e);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "the merchant is not flagged %s",
			     flag);
	return rc;
}

const struct store_risk_ops sq_risk_ops = {
	.merchant_flag_set = sq_merchant_flag_set,
	.merchant_flag_clear = sq_merchant_flag_clear,
	.merchant_flags = sq_merchant_flags,
	.risk_orders = sq_risk_orders,
	.risk_disputes = sq_risk_disputes,
	.risk_first_order = sq_risk_first_order,
	.risk_category_of = sq_risk_category_of,
	.risk_merchant_counts = sq_risk_merchant_counts,
	.risk_merchant_foci = sq_risk_merchant_foci,
	.risk_rank = sq_risk_rank,
	.risk_candidates = sq_risk_candidates,
	.risk_upheld = sq_risk_upheld,
	.risk_repeat_merchants = sq_risk_repeat_merchants,
	.alert_insert = sq_alert_insert,
	.alert_get = sq_alert_get,
	.alert_list = sq_alert_list,
	.proposal_insert = sq_proposal_insert,
	.proposal_get = sq_proposal_get,
	.proposal_list = sq_proposal_list,
	.proposal_decide = sq_proposal_decide,
	.proposal_state = sq_proposal_state,
	.merchant_flag_evidence = sq_merchant_flag_evidence,
};
