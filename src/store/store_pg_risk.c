/* store_pg_risk.c - the PostgreSQL side of risk: merchant flags, counts over windows of time for the figures and early warnings, alerts, and flag proposals. */
#include "store/store_pg_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Bodies are TEXT (byte for byte as sealed); a member is read with
 * `body::json`, which keeps the text as it is. Names are ordered
 * COLLATE "C", bytewise, as SQLite orders them.
 */
#define J(col, path) "(" col "::json #>> '{" path "}')"

/* The upheld test of a dispute row `d` (an outcome stands and it is not a rejection). */
#define UPHELD(d) "(" J(d "body", "outcome,outcome") " IS NOT NULL AND " \
		  J(d "body", "outcome,outcome") " <> 'rejected')"

static const char *const orders_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT count(*) FROM orders WHERE merchant_id = $1 "
				"AND created_at >= $2 AND created_at < $3",
	[STORE_RISK_LISTING] = "SELECT count(DISTINCT o.id) FROM order_items i "
			       "JOIN orders o ON o.id = i.order_id WHERE i.listing_id = $1 "
			       "AND o.created_at >= $2 AND o.created_at < $3",
	[STORE_RISK_CATEGORY] = "SELECT count(DISTINCT o.id) FROM listings l "
				"JOIN order_items i ON i.listing_id = l.id AND "
				"i.listing_version = l.version JOIN orders o ON o.id = i.order_id "
				"WHERE l.category = $1 AND o.created_at >= $2 AND o.created_at < $3",
	[STORE_RISK_PLATFORM] = "SELECT count(*) FROM orders WHERE ($1::text IS NULL OR true) "
				"AND created_at >= $2 AND created_at < $3",
};

static const char *const first_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT min(created_at) FROM orders WHERE merchant_id = $1",
	[STORE_RISK_LISTING] = "SELECT min(o.created_at) FROM order_items i "
			       "JOIN orders o ON o.id = i.order_id WHERE i.listing_id = $1",
	[STORE_RISK_CATEGORY] = "SELECT min(o.created_at) FROM listings l "
				"JOIN order_items i ON i.listing_id = l.id AND "
				"i.listing_version = l.version JOIN orders o ON o.id = i.order_id "
				"WHERE l.category = $1",
	[STORE_RISK_PLATFORM] = "SELECT min(created_at) FROM orders WHERE ($1::text IS NULL OR true)",
};

/* Disputes opened in [$2, $3) of the scope $1, with reason $4 (NULL: any). */
static const char *const disputes_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT id FROM disputes WHERE merchant_id = $1 "
				"AND created_at >= $2 AND created_at < $3 "
				"AND ($4::text IS NULL OR " J("body", "reason") " = $4::text) "
				"ORDER BY created_at, seq",
	[STORE_RISK_LISTING] = "SELECT d.id FROM disputes d WHERE d.created_at >= $2 "
			       "AND d.created_at < $3 "
			       "AND ($4::text IS NULL OR " J("d.body", "reason") " = $4::text) "
			       "AND EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = d.order_id "
			       "AND i.listing_id = $1::text) ORDER BY d.created_at, d.seq",
	[STORE_RISK_CATEGORY] = "SELECT d.id FROM disputes d WHERE d.created_at >= $2 "
				"AND d.created_at < $3 "
				"AND ($4::text IS NULL OR " J("d.body", "reason") " = $4::text) "
				"AND EXISTS (SELECT 1 FROM order_items i JOIN listings l "
				"ON l.id = i.listing_id AND l.version = i.listing_version "
				"WHERE i.order_id = d.order_id AND l.category = $1::text) "
				"ORDER BY d.created_at, d.seq",
	[STORE_RISK_PLATFORM] = "SELECT id FROM disputes WHERE ($1::text IS NULL OR true) "
				"AND created_at >= $2 AND created_at < $3 "
				"AND ($4::text IS NULL OR " J("body", "reason") " = $4::text) "
				"ORDER BY created_at, seq",
};

/* (scope id, reason, count) of the disputes opened in [$1, $2), at most $3 rows. */
static const char *const candidates_sql[STORE_RISK__SCOPES] = {
	[STORE_RISK_MERCHANT] = "SELECT merchant_id, " J("body", "reason") ", count(*) "
				"FROM disputes WHERE created_at >= $1 AND created_at < $2 "
				"GROUP BY 1, 2 ORDER BY merchant_id COLLATE \"C\", "
				J("body", "reason") " COLLATE \"C\" LIMIT $3",
	[STORE_RISK_LISTING] = "SELECT i.listing_id, " J("d.body", "reason") ", "
			       "count(DISTINCT d.id) FROM disputes d JOIN order_items i "
			       "ON i.order_id = d.order_id WHERE d.created_at >= $1 "
			       "AND d.created_at < $2 GROUP BY 1, 2 ORDER BY i.listing_id "
			       "COLLATE \"C\", " J("d.body", "reason") " COLLATE \"C\" LIMIT $3",
	[STORE_RISK_CATEGORY] = "SELECT l.category, " J("d.body", "reason") ", "
				"count(DISTINCT d.id) FROM disputes d JOIN order_items i "
				"ON i.order_id = d.order_id JOIN listings l ON l.id = i.listing_id "
				"AND l.version = i.listing_version WHERE d.created_at >= $1 "
				"AND d.created_at < $2 AND l.category IS NOT NULL "
				"GROUP BY 1, 2 ORDER BY l.category COLLATE \"C\", "
				J("d.body", "reason") " COLLATE \"C\" LIMIT $3",
	[STORE_RISK_PLATFORM] = NULL,
};

static int bad_scope(enum store_risk_scope scope, struct err *e)
{
	return err_set(e, RC_INTERNAL, NULL, NULL, "bad risk scope %d", (int)scope);
}

/* Run `sql` for one integer (NULL reads 0) into *out. */
static int one_int(struct store *st, const char *sql, int nparams, const char *const *p,
		   int64_t *out, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, nparams, p, &rows, e);

	*out = 0;
	if (!rc && pg_step(&rows))
		*out = pg_col_int64(&rows, 0);
	pg_rows_clear(&rows);
	return rc;
}

/* A row's first column as a JSON string (NULL, skipped, when it is NULL). */
static json_t *row_id(const struct pg_rows *r)
{
	const char *v = pg_col_text(r, 0);

	return v ? json_string(v) : NULL;
}

/*
 * Run `sql` and read its rows: each made a JSON value by `row` (a row it
 * makes NULL is skipped), the first `max` of them appended to a new array
 * *out (NULL: none kept), every row counted in *n (may be NULL). On
 * failure *out is NULL.
 */
static int rows_json(struct store *st, const char *sql, int nparams, const char *const *p,
		     json_t *(*row)(const struct pg_rows *r), size_t max, int64_t *n,
		     json_t **out, struct err *e)
{
	struct pg_rows rows;
	json_t *arr = NULL, *v;
	int64_t count = 0;
	int rc = pg_query(st->pg, sql, nparams, p, &rows, e);

	if (!rc) {
		arr = out ? json_array() : NULL;
		while (pg_step(&rows)) {
			count++;
			if (arr && json_array_size(arr) < max && (v = row(&rows)))
				json_array_append_new(arr, v);
		}
		if (out && !arr)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	pg_rows_clear(&rows);
	if (n)
		*n = count;
	if (out)
		*out = arr;
	return rc;
}

/* A focus row: {focus, count}; NULL when the focus is. */
static json_t *row_focus(const struct pg_rows *r)
{
	const char *f = pg_col_text(r, 0);

	return f ? json_pack("{s:s, s:I}", "focus", f, "count", (json_int_t)pg_col_int64(r, 1))
		 : NULL;
}

/* A ranked merchant's row: its id, orders, disputes and upheld disputes. */
static json_t *row_rank(const struct pg_rows *r)
{
	return json_pack("{s:s, s:I, s:I, s:I}", "merchant", pg_col_text(r, 0), "orders",
			 (json_int_t)pg_col_int64(r, 1), "disputes", (json_int_t)pg_col_int64(r, 2),
			 "upheld", (json_int_t)pg_col_int64(r, 3));
}

/* ---- merchant flags ---- */

static int pgr_merchant_flag_set(struct store *st, const char *merchant_id, const char *flag,
				 const char *reason, const char *set_by, int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {merchant_id, flag, reason, set_by, pg_i64(t, now)};
	struct pg_rows rows;
	int rc;

	/* a live flag set already leaves the transaction usable, as on SQLite */
	rc = pg_query(st->pg, "INSERT INTO merchant_flags (merchant_id, flag, reason, set_by, "
		      "created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", 5, p,
		      &rows, e);
	if (rc == RC_CONFLICT || (!rc && pg_rows_changed(&rows) == 0))
		rc = err_set(e, RC_CONFLICT, "flag_set", "flag",
			     "the merchant is already flagged %s", flag);
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_merchant_flag_clear(struct store *st, const char *merchant_id, const char *flag,
				   const char *cleared_by, int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), cleared_by, merchant_id, flag};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "UPDATE merchant_flags SET cleared_at = $1, cleared_by = $2 "
			  "WHERE merchant_id = $3 AND flag = $4 AND cleared_at IS NULL", 4, p,
			  &rows, e);

	if (!rc && pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "the merchant is not flagged %s",
			     flag);
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_merchant_flags(struct store *st, const char *merchant_id, json_t **out,
			      struct err *e)
{
	const char *p[] = {merchant_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT flag, reason, set_by, created_at, evidence "
			  "FROM merchant_flags WHERE merchant_id = $1 AND cleared_at IS NULL "
			  "ORDER BY seq", 1, p, &rows, e);

	*out = NULL;
	if (rc) {
		pg_rows_clear(&rows);
		return rc;
	}
	*out = json_array();
	while (*out && pg_step(&rows)) {
		json_t *f = json_pack("{s:s, s:s, s:s, s:I}", "flag", pg_col_text(&rows, 0),
				      "reason", pg_col_text(&rows, 1),
				      "set_by", pg_col_text(&rows, 2),
				      "created_at", (json_int_t)pg_col_int64(&rows, 3));
		json_t *ev = pg_col_json(&rows, 4);

		/* the evidence staff gave (risk proposals), where they gave any */
		if (f && ev)
			json_object_set_new(f, "evidence", ev);
		else
			json_decref(ev);
		json_array_append_new(*out, f);
	}
	pg_rows_clear(&rows);
	return *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

/* ---- counts over windows ---- */

static int pgr_risk_orders(struct store *st, enum store_risk_scope scope, const char *id,
			   int64_t from, int64_t to, int64_t *n, struct err *e)
{
	char f[PG_I64_TEXT], t[PG_I64_TEXT];
	const char *p[] = {id, pg_i64(f, from), pg_i64(t, to)};

	*n = 0;
	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES)
		return bad_scope(scope, e);
	return one_int(st, orders_sql[scope], 3, p, n, e);
}

static int pgr_risk_disputes(struct store *st, enum store_risk_scope scope, const char *id,
			     const char *reason, int64_t from, int64_t to, int64_t *n, json_t **ids,
			     size_t max, struct err *e)
{
	char f[PG_I64_TEXT], t[PG_I64_TEXT];
	const char *p[] = {id, pg_i64(f, from), pg_i64(t, to), reason};

	*n = 0;
	if (ids)
		*ids = NULL;
	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES)
		return bad_scope(scope, e);
	return rows_json(st, disputes_sql[scope], 4, p, row_id, max, n, ids, e);
}

static int pgr_risk_first_order(struct store *st, enum store_risk_scope scope, const char *id,
				int64_t *at, struct err *e)
{
	const char *p[] = {id};

	*at = 0;
	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES)
		return bad_scope(scope, e);
	return one_int(st, first_sql[scope], 1, p, at, e);
}

static int pgr_risk_category_of(struct store *st, enum store_risk_scope scope, const char *id,
				char *out, size_t size, struct err *e)
{
	const char *p[] = {id}, *sql;
	struct pg_rows rows;
	int rc;

	out[0] = '\0';
	if (scope == STORE_RISK_LISTING)
		sql = "SELECT category FROM listings WHERE id = $1 ORDER BY version DESC LIMIT 1";
	else if (scope == STORE_RISK_MERCHANT)
		sql = "SELECT category FROM listings WHERE merchant_id = $1 "
		      "AND category IS NOT NULL GROUP BY category "
		      "ORDER BY count(DISTINCT id) DESC, category COLLATE \"C\" LIMIT 1";
	else
		return RC_OK;
	rc = pg_query(st->pg, sql, 1, p, &rows, e);
	if (!rc && pg_step(&rows) && pg_col_text(&rows, 0))
		snprintf(out, size, "%s", pg_col_text(&rows, 0));
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_risk_merchant_counts(struct store *st, const char *merchant_id, int64_t from,
				    int64_t to, struct store_risk_counts *c, struct err *e)
{
	char f[PG_I64_TEXT], t[PG_I64_TEXT];
	const char *p[] = {merchant_id, pg_i64(f, from), pg_i64(t, to)};
	struct pg_rows rows;
	int rc = pg_query(st->pg,
			  "SELECT count(*),"
			  " count(*) FILTER (WHERE " J("d.body", "outcome") " IS NOT NULL"
			  "  OR d.state IN ('withdrawn', 'external')),"
			  " count(*) FILTER (WHERE " UPHELD("d.") "),"
			  " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM dispute_events v"
			  "  WHERE v.dispute_id = d.id AND " J("v.body", "type") " IN"
			  "  ('merchant_accept', 'merchant_counter', 'merchant_reject'))),"
			  " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM dispute_events v"
			  "  WHERE v.dispute_id = d.id AND " J("v.body", "type") " = 'timeout'"
			  "  AND " J("v.body", "from") " = 'awaiting_merchant'))"
			  " FROM disputes d WHERE d.merchant_id = $1 AND d.created_at >= $2"
			  " AND d.created_at < $3",
			  3, p, &rows, e);

	memset(c, 0, sizeof(*c));
	if (!rc && pg_step(&rows)) {
		c->disputes = pg_col_int64(&rows, 0);
		c->closed = pg_col_int64(&rows, 1);
		c->upheld = pg_col_int64(&rows, 2);
		c->responded = pg_col_int64(&rows, 3);
		c->missed = pg_col_int64(&rows, 4);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_risk_merchant_foci(struct store *st, const char *merchant_id, const char *source,
				  int64_t from, int64_t to, json_t **out, struct err *e)
{
	char f[PG_I64_TEXT], t[PG_I64_TEXT];
	const char *p[] = {merchant_id, pg_i64(f, from), pg_i64(t, to)}, *sql;

	*out = NULL;
	if (strcmp(source, "reason") == 0)
		sql = "SELECT " J("body", "reason") " AS f, count(*) FROM disputes "
		      "WHERE merchant_id = $1 AND created_at >= $2 AND created_at < $3 "
		      "GROUP BY 1 ORDER BY 2 DESC, " J("body", "reason") " COLLATE \"C\"";
	else
		sql = "SELECT f, count(*) FROM (SELECT (SELECT (" J("v.body", "data,assessment")
		      "::json #>> '{focus,detected,primary}') FROM dispute_events v "
		      "WHERE v.dispute_id = d.id AND " J("v.body", "type") " = 'assessment' "
		      "ORDER BY v.seq DESC LIMIT 1) AS f FROM disputes d "
		      "WHERE d.merchant_id = $1 AND d.created_at >= $2 "
		      "AND d.created_at < $3) q WHERE f IS NOT NULL "
		      "GROUP BY f ORDER BY 2 DESC, f COLLATE \"C\"";
	return rows_json(st, sql, 3, p, row_focus, SIZE_MAX, NULL, out, e);
}

static int pgr_risk_rank(struct store *st, int64_t from, int64_t to, int64_t offset, int limit,
			 int64_t cap, json_t **out, int *more, struct err *e)
{
	char f[PG_I64_TEXT], t[PG_I64_TEXT], l[PG_I64_TEXT], o[PG_I64_TEXT], c[PG_I64_TEXT];
	const char *p[] = {pg_i64(f, from), pg_i64(t, to), pg_i64(l, (int64_t)limit + 1),
			   pg_i64(o, offset), pg_i64(c, cap)};
	int64_t n = 0;
	int rc;

	*out = NULL;
	*more = 0;
	rc = rows_json(st,
		       "WITH d AS (SELECT merchant_id AS m, count(*) AS n, "
		       "  count(*) FILTER (WHERE " UPHELD("") ") AS u FROM disputes "
		       "  WHERE created_at >= $1 AND created_at < $2 GROUP BY merchant_id "
		       "  ORDER BY merchant_id COLLATE \"C\" LIMIT $5), "
		       "r AS (SELECT m, n, u, (SELECT count(*) FROM orders o "
		       "  WHERE o.merchant_id = d.m AND o.created_at >= $1 "
		       "  AND o.created_at < $2) AS o FROM d) "
		       "SELECT m, o, n, u FROM r "
		       "ORDER BY 1000.0 * (n + u) / GREATEST(o, 1) DESC, m COLLATE \"C\" "
		       "LIMIT $3 OFFSET $4",
		       5, p, row_rank, (size_t)limit, &n, out, e);
	*more = !rc && n > limit;
	return rc;
}

static int pgr_risk_candidates(struct store *st, enum store_risk_scope scope, int64_t from,
			       int64_t to, size_t max,
			       int (*fn)(void *ctx, const char *id, const char *reason, int64_t n),
			       void *ctx, struct err *e)
{
	char f[PG_I64_TEXT], t[PG_I64_TEXT], m[PG_I64_TEXT];
	const char *p[] = {pg_i64(f, from), pg_i64(t, to), pg_i64(m, (int64_t)max)};
	struct pg_rows rows;
	int rc;

	if ((int)scope < 0 || scope >= STORE_RISK__SCOPES || !candidates_sql[scope])
		return bad_scope(scope, e);
	rc = pg_query(st->pg, candidates_sql[scope], 3, p, &rows, e);
	while (!rc && pg_step(&rows)) {
		const char *id = pg_col_text(&rows, 0), *reason = pg_col_text(&rows, 1);

		if (!id || !reason)
			continue;
		rc = fn(ctx, id, reason, pg_col_int64(&rows, 2));
	}
	pg_rows_clear(&rows);
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

static int pgr_risk_upheld(struct store *st, const char *merchant_id, char *const *reasons,
			   int64_t from, int64_t to, size_t max, int64_t *n, json_t **ids,
			   struct err *e)
{
	char *text = reasons_text(reasons), f[PG_I64_TEXT], t[PG_I64_TEXT];
	const char *p[] = {merchant_id, pg_i64(f, from), pg_i64(t, to), text};
	int rc;

	*n = 0;
	*ids = NULL;
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = rows_json(st, "SELECT id FROM disputes WHERE merchant_id = $1 AND created_at >= $2 "
		       "AND created_at < $3 AND " J("body", "reason") " IN "
		       "(SELECT json_array_elements_text($4::json)) AND " UPHELD("")
		       " ORDER BY created_at, seq", 4, p, row_id, max, n, ids, e);
	free(text);
	return rc;
}

static int pgr_risk_repeat_merchants(struct store *st, char *const *reasons, int64_t from,
				     int64_t to, int64_t k, size_t max, json_t **out, struct err *e)
{
	char *text = reasons_text(reasons), f[PG_I64_TEXT], t[PG_I64_TEXT], kt[PG_I64_TEXT],
	     m[PG_I64_TEXT];
	const char *p[] = {pg_i64(f, from), pg_i64(t, to), text, pg_i64(kt, k),
			   pg_i64(m, (int64_t)max)};
	int rc;

	*out = NULL;
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = rows_json(st, "SELECT merchant_id FROM disputes WHERE created_at >= $1 "
		       "AND created_at < $2 AND " J("body", "reason") " IN "
		       "(SELECT json_array_elements_text($3::json)) AND " UPHELD("")
		       " GROUP BY merchant_id HAVING count(*) >= $4 "
		       "ORDER BY merchant_id COLLATE \"C\" LIMIT $5",
		       5, p, row_id, SIZE_MAX, NULL, out, e);
	free(text);
	return rc;
}

/* ---- alerts ---- */

static int pgr_alert_insert(struct store *st, const char *id, const char *scope,
			    const char *scope_id, const char *focus, int64_t window_start,
			    int64_t window_end, const char *merchant_id, int64_t now, json_t *body,
			    int *inserted, struct err *e)
{
	char *text = pg_dump(body), ws[PG_I64_TEXT], we[PG_I64_TEXT], t[PG_I64_TEXT];
	const char *p[] = {id, scope, scope_id, focus, pg_i64(ws, window_start),
			   pg_i64(we, window_end), merchant_id, pg_i64(t, now), text};
	struct pg_rows rows;
	int rc;

	*inserted = 0;
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = pg_query(st->pg, "INSERT INTO risk_alerts (id, scope, scope_id, focus, "
		      "window_start, window_end, merchant_id, created_at, body) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING", 9, p,
		      &rows, e);
	if (!rc)
		*inserted = pg_rows_changed(&rows) > 0;
	pg_rows_clear(&rows);
	free(text);
	return rc;
}

/* The body of the row `sql` selects by id $1; RC_NOTFOUND naming `noun` if none. */
static int body_by_id(struct store *st, const char *sql, const char *noun, const char *id,
		      json_t **body, struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, 1, p, &rows, e);

	*body = NULL;
	if (!rc && pg_step(&rows))
		*body = pg_col_json(&rows, 0);
	pg_rows_clear(&rows);
	if (!rc && !*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such %s", noun);
	return rc;
}

static int pgr_alert_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return body_by_id(st, "SELECT body FROM risk_alerts WHERE id = $1", "alert", id, body, e);
}

static int pgr_alert_list(struct store *st, const char *scope, const char *merchant_id,
			  const char *focus, int64_t after, int limit, json_t **items,
			  int64_t *next, struct err *e)
{
	char a[PG_I64_TEXT], l[PG_I64_TEXT];
	const char *p[] = {pg_i64(a, after), scope, merchant_id, focus,
			   pg_i64(l, (int64_t)limit + 1)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT seq, body FROM risk_alerts WHERE seq > $1 "
			  "AND ($2::text IS NULL OR scope = $2::text) "
			  "AND ($3::text IS NULL OR merchant_id = $3::text) "
			  "AND ($4::text IS NULL OR focus = $4::text) ORDER BY seq LIMIT $5",
			  5, p, &rows, e);

	*items = NULL;
	*next = 0;
	if (rc) {
		pg_rows_clear(&rows);
		return rc;
	}
	return pg_page(&rows, limit, items, next, e);
}

/* ---- flag proposals ---- */

static int pgr_proposal_insert(struct store *st, const char *id, const char *merchant_id,
			       const char *flag, int64_t upheld, int64_t now, json_t *body,
			       struct err *e)
{
	char *text = pg_dump(body), u[PG_I64_TEXT], t[PG_I64_TEXT];
	const char *p[] = {id, merchant_id, flag, pg_i64(u, upheld), pg_i64(t, now), text};
	struct pg_rows rows;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	/* an open proposal of the flag leaves the transaction usable, as on SQLite */
	rc = pg_query(st->pg, "INSERT INTO risk_proposals (id, merchant_id, flag, state, upheld, "
		      "created_at, body) VALUES ($1, $2, $3, 'proposed', $4, $5, $6) "
		      "ON CONFLICT DO NOTHING", 6, p, &rows, e);
	if (!rc && pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_CONFLICT, "conflict", NULL,
			     "insert proposal: a proposal of %s is open for %s", flag, merchant_id);
	pg_rows_clear(&rows);
	free(text);
	return rc;
}

static int pgr_proposal_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return body_by_id(st, "SELECT body FROM risk_proposals WHERE id = $1", "proposal", id,
			  body, e);
}

static int pgr_proposal_list(struct store *st, const char *state, int64_t after, int limit,
			     json_t **items, int64_t *next, struct err *e)
{
	char a[PG_I64_TEXT], l[PG_I64_TEXT];
	const char *p[] = {pg_i64(a, after), state, pg_i64(l, (int64_t)limit + 1)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT seq, body FROM risk_proposals WHERE seq > $1 "
			  "AND ($2::text IS NULL OR state = $2::text) ORDER BY seq LIMIT $3",
			  3, p, &rows, e);

	*items = NULL;
	*next = 0;
	if (rc) {
		pg_rows_clear(&rows);
		return rc;
	}
	return pg_page(&rows, limit, items, next, e);
}

static int pgr_proposal_decide(struct store *st, const char *id, const char *state, int64_t now,
			       json_t *body, struct err *e)
{
	char *text = pg_dump(body), t[PG_I64_TEXT];
	const char *p[] = {state, pg_i64(t, now), text, id};
	struct pg_rows rows;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = pg_query(st->pg, "UPDATE risk_proposals SET state = $1, decided_at = $2, body = $3 "
		      "WHERE id = $4 AND state = 'proposed'", 4, p, &rows, e);
	if (!rc && pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_CONFLICT, "proposal_closed", NULL,
			     "proposal %s is no longer open", id);
	pg_rows_clear(&rows);
	free(text);
	return rc;
}

static int pgr_proposal_state(struct store *st, const char *merchant_id, const char *flag,
			      int *open, int64_t *dismissed_upheld, struct err *e)
{
	const char *p[] = {merchant_id, flag};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT count(*) FILTER (WHERE state = 'proposed'), "
			  "coalesce(max(upheld) FILTER (WHERE state = 'dismissed'), -1) "
			  "FROM risk_proposals WHERE merchant_id = $1 AND flag = $2", 2, p, &rows,
			  e);

	*open = 0;
	*dismissed_upheld = -1;
	if (!rc && pg_step(&rows)) {
		*open = pg_col_int64(&rows, 0) > 0;
		*dismissed_upheld = pg_col_int64(&rows, 1);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_merchant_flag_evidence(struct store *st, const char *merchant_id, const char *flag,
				      const char *evidence, struct err *e)
{
	const char *p[] = {evidence, merchant_id, flag};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "UPDATE merchant_flags SET evidence = $1 WHERE merchant_id = $2 "
			  "AND flag = $3 AND cleared_at IS NULL", 3, p, &rows, e);

	if (!rc && pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "the merchant is not flagged %s",
			     flag);
	pg_rows_clear(&rows);
	return rc;
}

const struct store_risk_ops pg_risk_ops = {
	.merchant_flag_set = pgr_merchant_flag_set,
	.merchant_flag_clear = pgr_merchant_flag_clear,
	.merchant_flags = pgr_merchant_flags,
	.risk_orders = pgr_risk_orders,
	.risk_disputes = pgr_risk_disputes,
	.risk_first_order = pgr_risk_first_order,
	.risk_category_of = pgr_risk_category_of,
	.risk_merchant_counts = pgr_risk_merchant_counts,
	.risk_merchant_foci = pgr_risk_merchant_foci,
	.risk_rank = pgr_risk_rank,
	.risk_candidates = pgr_risk_candidates,
	.risk_upheld = pgr_risk_upheld,
	.risk_repeat_merchants = pgr_risk_repeat_merchants,
	.alert_insert = pgr_alert_insert,
	.alert_get = pgr_alert_get,
	.alert_list = pgr_alert_list,
	.proposal_insert = pgr_proposal_insert,
	.proposal_get = pgr_proposal_get,
	.proposal_list = pgr_proposal_list,
	.proposal_decide = pgr_proposal_decide,
	.proposal_state = pgr_proposal_state,
	.merchant_flag_evidence = pgr_merchant_flag_evidence,
};
