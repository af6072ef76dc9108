/* store_sqlite_consumer_flags.c - the SQLite side of staff's flags on consumers, their appeals and sealed history, and what the abuse signals read. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* The columns a flag is read with, in the order flag_json takes them. */
#define FLAG_COLS "id, consumer_id, flag, reason, evidence, set_by, created_at, cleared_at, " \
		  "cleared_by, clear_reason, appeal_text, appealed_at, appeal_decision, "      \
		  "appeal_reason, appeal_decided_by, appeal_decided_at"

static json_t *text_or_null(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL
		       ? json_null()
		       : json_string((const char *)sqlite3_column_text(s, col));
}

static json_t *int_or_null(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL
		       ? json_null()
		       : json_integer((json_int_t)sqlite3_column_int64(s, col));
}

/* One flag row (FLAG_COLS) as store.h describes it; NULL when out of memory. */
static json_t *flag_json(sqlite3_stmt *s)
{
	json_t *ev = sq_col_json(s, 4), *appeal = json_null();

	if (sqlite3_column_type(s, 10) != SQLITE_NULL)
		appeal = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "text", text_or_null(s, 10),
				   "filed_at", int_or_null(s, 11), "decision", text_or_null(s, 12),
				   "reason", text_or_null(s, 13), "decided_by", text_or_null(s, 14),
				   "decided_at", int_or_null(s, 15));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:o, s:o, s:o, s:o}",
			 "id", (const char *)sqlite3_column_text(s, 0),
			 "consumer", (const char *)sqlite3_column_text(s, 1),
			 "flag", (const char *)sqlite3_column_text(s, 2),
			 "reason", (const char *)sqlite3_column_text(s, 3),
			 "evidence", ev ? ev : json_array(),
			 "set_by", (const char *)sqlite3_column_text(s, 5),
			 "created_at", (json_int_t)sqlite3_column_int64(s, 6),
			 "cleared_at", int_or_null(s, 7), "cleared_by", text_or_null(s, 8),
			 "clear_reason", text_or_null(s, 9), "appeal", appeal);
}

static int sq_consumer_flag_insert(struct store *st, const char *id, const char *consumer_id,
				   const char *flag, const char *reason, json_t *evidence,
				   const char *set_by, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(evidence);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO consumer_flags (id, consumer_id, flag, reason, evidence, "
			 "set_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, consumer_id);
		sq_bind_text(s, 3, flag);
		sq_bind_text(s, 4, reason);
		sq_bind_text(s, 5, text);
		sq_bind_text(s, 6, set_by);
		sqlite3_bind_int64(s, 7, now);
		rc = sq_step_done(st, s, "set consumer flag", e);
	}
	free(text);
	if (rc == RC_CONFLICT)
		return err_set(e, RC_CONFLICT, "flag_set", "flag",
			       "the consumer is already flagged %s", flag);
	return rc;
}

/* Run `s` (bound) and collect its FLAG_COLS rows into a new array *out. */
static int flag_rows(struct store *st, sqlite3_stmt *s, json_t **out, struct err *e)
{
	int step, rc = RC_OK;
	json_t *f;

	*out = json_array();
	while (*out && (step = sqlite3_step(s)) == SQLITE_ROW) {
		f = flag_json(s);
		if (!f || json_array_append_new(*out, f)) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	if (!*out)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	else if (!rc && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read consumer flags");
	sqlite3_finalize(s);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int sq_consumer_flag_live(struct store *st, const char *consumer_id, const char *flag,
				 json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	json_t *rows = NULL;
	int rc = sq_prep(st, "SELECT " FLAG_COLS " FROM consumer_flags WHERE consumer_id = ? "
			     "AND flag = ? AND cleared_at IS NULL", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, consumer_id);
	sq_bind_text(s, 2, flag);
	rc = flag_rows(st, s, &rows, e);
	if (rc)
		return rc;
	if (json_array_size(rows) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "the consumer is not flagged %s", flag);
	else
		*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return rc;
}

static int sq_consumer_flags(struct store *st, const char *consumer_id, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT " FLAG_COLS " FROM consumer_flags WHERE consumer_id = ? "
			     "AND cleared_at IS NULL ORDER BY seq", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, consumer_id);
	return flag_rows(st, s, out, e);
}

static int sq_consumer_flagged(struct store *st, const char *consumer_id, const char *flag,
			       int *yes, struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep_kept(st, "SELECT 1 FROM consumer_flags WHERE consumer_id = ? "
				    "AND flag = ? AND cleared_at IS NULL", &s, e);

	*yes = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, consumer_id);
	sq_bind_text(s, 2, flag);
	step = sqlite3_step(s);
	*yes = step == SQLITE_ROW;
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? RC_OK : sq_fail(st, e, "read consumer flag");
	sq_finish(st, s);
	return rc;
}

/* Run an UPDATE of one flag row; RC_CONFLICT with `code` and `msg` if it changed nothing. */
static int update_one(struct store *st, sqlite3_stmt *s, const char *code, const char *param,
		      const char *msg, struct err *e)
{
	int rc = sqlite3_step(s) == SQLITE_DONE ? RC_OK : sq_fail(st, e, "update consumer flag");

	sqlite3_finalize(s);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = err_set(e, RC_CONFLICT, code, param, "%s", msg);
	return rc;
}

static int sq_consumer_flag_clear(struct store *st, const char *flag_id, const char *cleared_by,
				  const char *reason, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE consumer_flags SET cleared_at = ?, cleared_by = ?, "
			     "clear_reason = ? WHERE id = ? AND cleared_at IS NULL", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, cleared_by);
	sq_bind_text(s, 3, reason);
	sq_bind_text(s, 4, flag_id);
	return update_one(st, s, "flag_cleared", NULL, "the flag is already cleared", e);
}

static int sq_consumer_flag_appeal(struct store *st, const char *flag_id, const char *text,
				   int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE consumer_flags SET appeal_text = ?, appealed_at = ? "
			     "WHERE id = ? AND cleared_at IS NULL AND appeal_text IS NULL", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, text);
	sqlite3_bind_int64(s, 2, now);
	sq_bind_text(s, 3, flag_id);
	return update_one(st, s, "appeal_filed", NULL,
			  "this marking was already appealed: one appeal per marking", e);
}

static int sq_consumer_flag_decide(struct store *st, const char *flag_id, const char *decision,
				   const char *reason, const char *decided_by, int64_t now,
				   struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE consumer_flags SET appeal_decision = ?, appeal_reason = ?, "
			     "appeal_decided_by = ?, appeal_decided_at = ? WHERE id = ? "
			     "AND appeal_text IS NOT NULL AND appeal_decision IS NULL", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, decision);
	sq_bind_text(s, 2, reason);
	sq_bind_text(s, 3, decided_by);
	sqlite3_bind_int64(s, 4, now);
	sq_bind_text(s, 5, flag_id);
	return update_one(st, s, "no_appeal", NULL,
			  "the marking has no appeal waiting for a decision", e);
}

static int sq_consumer_flag_event_insert(struct store *st, const char *id, const char *flag_id,
					 const char *consumer_id, const char *type, int64_t now,
					 json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO consumer_flag_events (id, flag_id, consumer_id, type, "
			 "created_at, body) VALUES (?, ?, ?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, flag_id);
		sq_bind_text(s, 3, consumer_id);
		sq_bind_text(s, 4, type);
		sqlite3_bind_int64(s, 5, now);
		sq_bind_text(s, 6, text);
		rc = sq_step_done(st, s, "record consumer flag event", e);
	}
	free(text);
	return rc;
}

static int sq_consumer_flag_event_get(struct store *st, const char *id, json_t **body,
				      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM consumer_flag_events WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	sqlite3_finalize(s);
	return *body ? RC_OK : err_set(e, RC_NOTFOUND, "not_found", NULL, "no such event");
}

static int sq_consumer_flag_events(struct store *st, const char *consumer_id, int limit,
				   json_t **items, struct err *e)
{
	sqlite3_stmt *s;
	json_t *b;
	int step, rc = sq_prep(st, "SELECT body FROM (SELECT seq, body FROM consumer_flag_events "
				   "WHERE consumer_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
			       &s, e);

	*items = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, consumer_id);
	sqlite3_bind_int(s, 2, limit);
	*items = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((b = sq_col_json(s, 0)))
			json_array_append_new(*items, b);
	rc = step == SQLITE_DONE ? RC_OK : sq_fail(st, e, "read consumer flag events");
	sqlite3_finalize(s);
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}

static int sq_consumer_flag_counts(struct store *st, int64_t from, int64_t to, int64_t now,
				   struct store_flag_counts *out, struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep(
		st,
		"SELECT"
		" (SELECT count(*) FROM consumer_flags WHERE created_at >= ?1 AND created_at < ?2),"
		" (SELECT count(*) FROM consumer_flags WHERE cleared_at >= ?1 AND cleared_at < ?2"
		"   AND NOT (appeal_decision IS 'overturned' AND appeal_decided_at = cleared_at)),"
		" (SELECT count(*) FROM consumer_flags WHERE appealed_at >= ?1 AND appealed_at < ?2),"
		" (SELECT count(*) FROM consumer_flags WHERE appeal_decision = 'upheld'"
		"   AND appeal_decided_at >= ?1 AND appeal_decided_at < ?2),"
		" (SELECT count(*) FROM consumer_flags WHERE appeal_decision = 'overturned'"
		"   AND appeal_decided_at >= ?1 AND appeal_decided_at < ?2),"
		" (SELECT count(*) FROM consumer_flags WHERE appealed_at >= ?1 AND appealed_at < ?2"
		"   AND appealed_at <= ?3 AND (appeal_decided_at IS NULL OR appeal_decided_at > ?3)"
		"   AND (cleared_at IS NULL OR cleared_at > ?3))",
		&s, e);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	sqlite3_bind_int64(s, 3, now);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		out->marked = sqlite3_column_int64(s, 0);
		out->cleared = sqlite3_column_int64(s, 1);
		out->appeals_filed = sqlite3_column_int64(s, 2);
		out->appeals_upheld = sqlite3_column_int64(s, 3);
		out->appeals_overturned = sqlite3_column_int64(s, 4);
		out->appeals_pending = sqlite3_column_int64(s, 5);
	}
	rc = step == SQLITE_ROW ? RC_OK : sq_fail(st, e, "count consumer flag decisions");
	sqlite3_finalize(s);
	return rc;
}

static int sq_consumer_blob_cited(struct store *st, const char *consumer_id, const char *digest_hex,
				  int *yes, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st,
			 "SELECT 1 FROM blob_uploads WHERE digest = ?1 AND role = 'consumer' "
			 "AND subject = ?2 UNION ALL "
			 "SELECT 1 FROM blob_refs r JOIN disputes d ON d.id = r.owner_id "
			 "WHERE r.digest = ?1 AND r.kind = 'dispute' AND d.consumer_id = ?2 LIMIT 1",
			 &s, e);

	*yes = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, digest_hex);
	sq_bind_text(s, 2, consumer_id);
	*yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return RC_OK;
}

static int sq_consumer_order_count(struct store *st, const char *consumer_id, int64_t *n,
				   struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT count(*) FROM orders WHERE consumer_id = ?", &s, e);

	*n = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, consumer_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		rc = sq_fail(st, e, "count orders");
	sqlite3_finalize(s);
	return rc;
}

static int sq_consumer_disputes(struct store *st, const char *consumer_id, int limit,
				json_t **items, int *more, struct err *e)
{
	sqlite3_stmt *s;
	json_t *b;
	int step, n = 0, rc = sq_prep(st, "SELECT body FROM disputes WHERE consumer_id = ? "
					  "ORDER BY seq DESC LIMIT ?", &s, e);

	*items = NULL;
	*more = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, consumer_id);
	sqlite3_bind_int(s, 2, limit + 1);
	*items = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == limit) {
			*more = 1;
			continue;
		}
		if ((b = sq_col_json(s, 0)))
			json_array_append_new(*items, b);
	}
	rc = step == SQLITE_DONE ? RC_OK : sq_fail(st, e, "read the consumer's disputes");
	sqlite3_finalize(s);
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}

const struct store_consumer_flags_ops sq_consumer_flags_ops = {
	.consumer_flag_insert = sq_consumer_flag_insert,
	.consumer_flag_live = sq_consumer_flag_live,
	.consumer_flags = sq_consumer_flags,
	.consumer_flagged = sq_consumer_flagged,
	.consumer_flag_clear = sq_consumer_flag_clear,
	.consumer_flag_appeal = sq_consumer_flag_appeal,
	.consumer_flag_decide = sq_consumer_flag_decide,
	.consumer_flag_event_insert = sq_consumer_flag_event_insert,
	.consumer_flag_event_get = sq_consumer_flag_event_get,
	.consumer_flag_events = sq_consumer_flag_events,
	.consumer_flag_counts = sq_consumer_flag_counts,
	.consumer_blob_cited = sq_consumer_blob_cited,
	.consumer_order_count = sq_consumer_order_count,
	.consumer_disputes = sq_consumer_disputes,
};
