/* store_pg_consumer_flags.c - the PostgreSQL side of staff's flags on consumers, their appeals and sealed history, and what the abuse signals read. */
#include "store/store_pg_int.h"

#include <stdlib.h>
#include <string.h>

/* The columns a flag is read with, in the order flag_json takes them. */
#define FLAG_COLS "id, consumer_id, flag, reason, evidence, set_by, created_at, cleared_at, " \
		  "cleared_by, clear_reason, appeal_text, appealed_at, appeal_decision, "      \
		  "appeal_reason, appeal_decided_by, appeal_decided_at"

static json_t *text_or_null(const struct pg_rows *r, int col)
{
	return pg_col_null(r, col) ? json_null() : json_string(pg_col_text(r, col));
}

static json_t *int_or_null(const struct pg_rows *r, int col)
{
	return pg_col_null(r, col) ? json_null() : json_integer((json_int_t)pg_col_int64(r, col));
}

/* One flag row (FLAG_COLS) as store.h describes it; NULL when out of memory. */
static json_t *flag_json(const struct pg_rows *r)
{
	json_t *ev = pg_col_json(r, 4), *appeal = json_null();

	if (!pg_col_null(r, 10))
		appeal = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "text", text_or_null(r, 10),
				   "filed_at", int_or_null(r, 11), "decision", text_or_null(r, 12),
				   "reason", text_or_null(r, 13), "decided_by", text_or_null(r, 14),
				   "decided_at", int_or_null(r, 15));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:o, s:o, s:o, s:o}",
			 "id", pg_col_text(r, 0),
			 "consumer", pg_col_text(r, 1),
			 "flag", pg_col_text(r, 2),
			 "reason", pg_col_text(r, 3),
			 "evidence", ev ? ev : json_array(),
			 "set_by", pg_col_text(r, 5),
			 "created_at", (json_int_t)pg_col_int64(r, 6),
			 "cleared_at", int_or_null(r, 7), "cleared_by", text_or_null(r, 8),
			 "clear_reason", text_or_null(r, 9), "appeal", appeal);
}

static int pgcf_consumer_flag_insert(struct store *st, const char *id, const char *consumer_id,
				     const char *flag, const char *reason, json_t *evidence,
				     const char *set_by, int64_t now, struct err *e)
{
	char *text = pg_dump(evidence), t[PG_I64_TEXT];
	const char *p[] = {id, consumer_id, flag, reason, text, set_by, pg_i64(t, now)};
	struct pg_rows rows;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	/* a live flag set already leaves the transaction usable, as on SQLite */
	rc = pg_query(st->pg, "INSERT INTO consumer_flags (id, consumer_id, flag, reason, evidence, "
		      "set_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
		      "ON CONFLICT DO NOTHING", 7, p, &rows, e);
	if (rc == RC_CONFLICT || (!rc && pg_rows_changed(&rows) == 0))
		rc = err_set(e, RC_CONFLICT, "flag_set", "flag",
			     "the consumer is already flagged %s", flag);
	pg_rows_clear(&rows);
	free(text);
	return rc;
}

/* Run `sql` and collect its FLAG_COLS rows into a new array *out. */
static int flag_rows(struct store *st, const char *sql, int nparams, const char *const *p,
		     json_t **out, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, nparams, p, &rows, e);
	json_t *f;

	*out = rc ? NULL : json_array();
	if (!rc && !*out)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	while (!rc && pg_step(&rows)) {
		f = flag_json(&rows);
		if (!f || json_array_append_new(*out, f))
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	pg_rows_clear(&rows);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int pgcf_consumer_flag_live(struct store *st, const char *consumer_id, const char *flag,
				   json_t **out, struct err *e)
{
	const char *p[] = {consumer_id, flag};
	json_t *rows = NULL;
	int rc = flag_rows(st, "SELECT " FLAG_COLS " FROM consumer_flags WHERE consumer_id = $1 "
			   "AND flag = $2 AND cleared_at IS NULL", 2, p, &rows, e);

	*out = NULL;
	if (rc)
		return rc;
	if (json_array_size(rows) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "the consumer is not flagged %s", flag);
	else
		*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return rc;
}

static int pgcf_consumer_flags(struct store *st, const char *consumer_id, json_t **out,
			       struct err *e)
{
	const char *p[] = {consumer_id};

	return flag_rows(st, "SELECT " FLAG_COLS " FROM consumer_flags WHERE consumer_id = $1 "
			 "AND cleared_at IS NULL ORDER BY seq", 1, p, out, e);
}

static int pgcf_consumer_flagged(struct store *st, const char *consumer_id, const char *flag,
				 int *yes, struct err *e)
{
	const char *p[] = {consumer_id, flag};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT 1 FROM consumer_flags WHERE consumer_id = $1 "
			  "AND flag = $2 AND cleared_at IS NULL", 2, p, &rows, e);

	*yes = !rc && pg_step(&rows);
	pg_rows_clear(&rows);
	return rc;
}

/* Run an UPDATE of one flag row; RC_CONFLICT with `code` and `msg` if it changed nothing. */
static int update_one(struct store *st, const char *sql, int nparams, const char *const *p,
		      const char *code, const char *msg, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, nparams, p, &rows, e);

	if (!rc && pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_CONFLICT, code, NULL, "%s", msg);
	pg_rows_clear(&rows);
	return rc;
}

static int pgcf_consumer_flag_clear(struct store *st, const char *flag_id, const char *cleared_by,
				    const char *reason, int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), cleared_by, reason, flag_id};

	return update_one(st, "UPDATE consumer_flags SET cleared_at = $1, cleared_by = $2, "
			  "clear_reason = $3 WHERE id = $4 AND cleared_at IS NULL", 4, p,
			  "flag_cleared", "the flag is already cleared", e);
}

static int pgcf_consumer_flag_appeal(struct store *st, const char *flag_id, const char *text,
				     int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {text, pg_i64(t, now), flag_id};

	return update_one(st, "UPDATE consumer_flags SET appeal_text = $1, appealed_at = $2 "
			  "WHERE id = $3 AND cleared_at IS NULL AND appeal_text IS NULL", 3, p,
			  "appeal_filed", "this marking was already appealed: one appeal per marking",
			  e);
}

static int pgcf_consumer_flag_decide(struct store *st, const char *flag_id, const char *decision,
				     const char *reason, const char *decided_by, int64_t now,
				     struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {decision, reason, decided_by, pg_i64(t, now), flag_id};

	return update_one(st, "UPDATE consumer_flags SET appeal_decision = $1, appeal_reason = $2, "
			  "appeal_decided_by = $3, appeal_decided_at = $4 WHERE id = $5 "
			  "AND appeal_text IS NOT NULL AND appeal_decision IS NULL", 5, p,
			  "no_appeal", "the marking has no appeal waiting for a decision", e);
}

static int pgcf_consumer_flag_event_insert(struct store *st, const char *id, const char *flag_id,
					   const char *consumer_id, const char *type, int64_t now,
					   json_t *body, struct err *e)
{
	char *text = pg_dump(body), t[PG_I64_TEXT];
	const char *p[] = {id, flag_id, consumer_id, type, pg_i64(t, now), text};
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = pg_query(st->pg, "INSERT INTO consumer_flag_events (id, flag_id, consumer_id, type, "
		      "created_at, body) VALUES ($1, $2, $3, $4, $5, $6)", 6, p, NULL, e);
	free(text);
	return rc;
}

static int pgcf_consumer_flag_event_get(struct store *st, const char *id, json_t **body,
					struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT body FROM consumer_flag_events WHERE id = $1", 1, p,
			  &rows, e);

	*body = NULL;
	if (!rc && pg_step(&rows))
		*body = pg_col_json(&rows, 0);
	pg_rows_clear(&rows);
	if (rc)
		return rc;
	return *body ? RC_OK : err_set(e, RC_NOTFOUND, "not_found", NULL, "no such event");
}

/* Run `sql` and collect the bodies of its first column into a new array *items. */
static int body_rows(struct store *st, const char *sql, int nparams, const char *const *p,
		     int limit, json_t **items, int *more, struct err *e)
{
	struct pg_rows rows;
	json_t *b;
	int n = 0, rc = pg_query(st->pg, sql, nparams, p, &rows, e);

	*items = rc ? NULL : json_array();
	if (!rc && !*items)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	while (!rc && pg_step(&rows)) {
		if (more && n++ == limit) {
			*more = 1;
			continue;
		}
		if ((b = pg_col_json(&rows, 0)))
			json_array_append_new(*items, b);
	}
	pg_rows_clear(&rows);
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}

static int pgcf_consumer_flag_events(struct store *st, const char *consumer_id, int limit,
				     json_t **items, struct err *e)
{
	char l[PG_I64_TEXT];
	const char *p[] = {consumer_id, pg_i64(l, limit)};

	return body_rows(st, "SELECT body FROM (SELECT seq, body FROM consumer_flag_events "
			 "WHERE consumer_id = $1 ORDER BY seq DESC LIMIT $2) q ORDER BY seq", 2, p,
			 limit, items, NULL, e);
}

static int pgcf_consumer_flag_counts(struct store *st, int64_t from, int64_t to, int64_t now,
				     struct store_flag_counts *out, struct err *e)
{
	char f[PG_I64_TEXT], t[PG_I64_TEXT], n[PG_I64_TEXT];
	const char *p[] = {pg_i64(f, from), pg_i64(t, to), pg_i64(n, now)};
	struct pg_rows rows;
	int rc = pg_query(
		st->pg,
		"SELECT"
		" count(*) FILTER (WHERE created_at >= $1 AND created_at < $2),"
		" count(*) FILTER (WHERE cleared_at >= $1 AND cleared_at < $2"
		"   AND NOT (appeal_decision IS NOT DISTINCT FROM 'overturned'"
		"   AND appeal_decided_at IS NOT DISTINCT FROM cleared_at)),"
		" count(*) FILTER (WHERE appealed_at >= $1 AND appealed_at < $2),"
		" count(*) FILTER (WHERE appeal_decision = 'upheld'"
		"   AND appeal_decided_at >= $1 AND appeal_decided_at < $2),"
		" count(*) FILTER (WHERE appeal_decision = 'overturned'"
		"   AND appeal_decided_at >= $1 AND appeal_decided_at < $2),"
		" count(*) FILTER (WHERE appealed_at >= $1 AND appealed_at < $2"
		"   AND appealed_at <= $3 AND (appeal_decided_at IS NULL OR appeal_decided_at > $3)"
		"   AND (cleared_at IS NULL OR cleared_at > $3))"
		" FROM consumer_flags",
		3, p, &rows, e);

	memset(out, 0, sizeof(*out));
	if (!rc && pg_step(&rows)) {
		out->marked = pg_col_int64(&rows, 0);
		out->cleared = pg_col_int64(&rows, 1);
		out->appeals_filed = pg_col_int64(&rows, 2);
		out->appeals_upheld = pg_col_int64(&rows, 3);
		out->appeals_overturned = pg_col_int64(&rows, 4);
		out->appeals_pending = pg_col_int64(&rows, 5);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgcf_consumer_blob_cited(struct store *st, const char *consumer_id,
				    const char *digest_hex, int *yes, struct err *e)
{
	const char *p[] = {digest_hex, consumer_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg,
			  "SELECT 1 FROM blob_uploads WHERE digest = $1 AND role = 'consumer' "
			  "AND subject = $2 UNION ALL "
			  "SELECT 1 FROM blob_refs r JOIN disputes d ON d.id = r.owner_id "
			  "WHERE r.digest = $1 AND r.kind = 'dispute' AND d.consumer_id = $2 LIMIT 1",
			  2, p, &rows, e);

	*yes = !rc && pg_step(&rows);
	pg_rows_clear(&rows);
	return rc;
}

static int pgcf_consumer_order_count(struct store *st, const char *consumer_id, int64_t *n,
				     struct err *e)
{
	const char *p[] = {consumer_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT count(*) FROM orders WHERE consumer_id = $1", 1, p,
			  &rows, e);

	*n = 0;
	if (!rc && pg_step(&rows))
		*n = pg_col_int64(&rows, 0);
	pg_rows_clear(&rows);
	return rc;
}

static int pgcf_consumer_disputes(struct store *st, const char *consumer_id, int limit,
				  json_t **items, int *more, struct err *e)
{
	char l[PG_I64_TEXT];
	const char *p[] = {consumer_id, pg_i64(l, (int64_t)limit + 1)};

	*more = 0;
	return body_rows(st, "SELECT body FROM disputes WHERE consumer_id = $1 "
			 "ORDER BY seq DESC LIMIT $2", 2, p, limit, items, more, e);
}

const struct store_consumer_flags_ops pg_consumer_flags_ops = {
	.consumer_flag_insert = pgcf_consumer_flag_insert,
	.consumer_flag_live = pgcf_consumer_flag_live,
	.consumer_flags = pgcf_consumer_flags,
	.consumer_flagged = pgcf_consumer_flagged,
	.consumer_flag_clear = pgcf_consumer_flag_clear,
	.consumer_flag_appeal = pgcf_consumer_flag_appeal,
	.consumer_flag_decide = pgcf_consumer_flag_decide,
	.consumer_flag_event_insert = pgcf_consumer_flag_event_insert,
	.consumer_flag_event_get = pgcf_consumer_flag_event_get,
	.consumer_flag_events = pgcf_consumer_flag_events,
	.consumer_flag_counts = pgcf_consumer_flag_counts,
	.consumer_blob_cited = pgcf_consumer_blob_cited,
	.consumer_order_count = pgcf_consumer_order_count,
	.consumer_disputes = pgcf_consumer_disputes,
};
