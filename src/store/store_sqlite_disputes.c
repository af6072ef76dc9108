/* store_sqlite_disputes.c - the SQLite side of disputes, their events and timers, and the platform's obligations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

static int sq_dispute_insert(struct store *st, const char *id, const char *order_id,
			     const char *merchant_id, const char *consumer_id, const char *state,
			     const char *tier, int64_t now, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO disputes (id, order_id, merchant_id, consumer_id, state, "
			 "tier, created_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		     &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, order_id);
		sq_bind_text(s, 3, merchant_id);
		sq_bind_text(s, 4, consumer_id);
		sq_bind_text(s, 5, state);
		sq_bind_text(s, 6, tier);
		sqlite3_bind_int64(s, 7, now);
		sqlite3_bind_int64(s, 8, now);
		sq_bind_text(s, 9, text);
		rc = sq_step_done(st, s, "insert dispute", e);
	}
	free(text);
	return rc;
}

static int sq_dispute_update(struct store *st, const char *id, const char *state, const char *tier,
			     int overdue, int64_t now, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "UPDATE disputes SET state = ?, tier = ?, overdue = ?, updated_at = ?, "
			 "body = ? WHERE id = ?", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, state);
		sq_bind_text(s, 2, tier);
		sqlite3_bind_int(s, 3, overdue);
		sqlite3_bind_int64(s, 4, now);
		sq_bind_text(s, 5, text);
		sq_bind_text(s, 6, id);
		rc = sq_step_done(st, s, "update dispute", e);
	}
	free(text);
	return rc;
}

static int sq_dispute_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM disputes WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no dispute %s", id);
	sqlite3_finalize(s);
	return rc;
}

/* Rows after `after`, at most `limit`, with the continuation row in *next. */
int sq_page(struct store *st, sqlite3_stmt *s, int limit, json_t **items, int64_t *next,
	    struct err *e)
{
	int64_t last = 0;
	int n = 0, step, rc = RC_OK;

	*items = json_array();
	*next = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == limit) {
			*next = last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		json_array_append_new(*items, sq_col_json(s, 1));
		n++;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = sq_fail(st, e, "list");
		json_decref(*items);
		*items = NULL;
		*next = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_dispute_list(struct store *st, const struct store_dispute_filter *f, int64_t after,
			   int limit, json_t **items, int64_t *next, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st,
			 "SELECT seq, body FROM disputes WHERE seq > ?1"
			 " AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR tier = ?3)"
			 " AND (?4 IS NULL OR merchant_id = ?4) AND (?5 IS NULL OR consumer_id = ?5)"
			 " AND (?6 IS NULL OR order_id = ?6) AND (?7 < 0 OR overdue = ?7)"
			 " ORDER BY seq LIMIT ?8",
			 &s, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sq_bind_text(s, 2, f->state);
	sq_bind_text(s, 3, f->tier);
	sq_bind_text(s, 4, f->merchant_id);
	sq_bind_text(s, 5, f->consumer_id);
	sq_bind_text(s, 6, f->order_id);
	sqlite3_bind_int(s, 7, f->overdue);
	sqlite3_bind_int(s, 8, limit + 1);
	return sq_page(st, s, limit, items, next, e);
}

static int sq_dispute_for_order(struct store *st, const char *order_id, const char *const *states,
				char id[ID_MAX], int *found, struct err *e)
{
	sqlite3_stmt *s;
	/* kept: every write to an order asks it (its assessment is queued if a dispute is open) */
	int rc = sq_prep_kept(st, "SELECT id, state FROM disputes WHERE order_id = ? ORDER BY seq DESC",
			      &s, e);
	size_t i;

	*found = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, order_id);
	while (!*found && sqlite3_step(s) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 1);

		for (i = 0; states[i]; i++)
			if (strcmp(states[i], state) == 0) {
				snprintf(id, ID_MAX, "%s", sqlite3_column_text(s, 0));
				*found = 1;
				break;
			}
	}
	sq_finish(st, s);
	return RC_OK;
}

static int sq_dispute_event_insert(struct store *st, const char *id, const char *dispute_id,
				   int64_t now, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO dispute_events (id, dispute_id, created_at, body) "
			 "VALUES (?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, dispute_id);
		sqlite3_bind_int64(s, 3, now);
		sq_bind_text(s, 4, text);
		rc = sq_step_done(st, s, "insert dispute event", e);
	}
	free(text);
	return rc;
}

static int sq_dispute_event_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM dispute_events WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no dispute event %s", id);
	sqlite3_finalize(s);
	return rc;
}

static int sq_dispute_event_list(struct store *st, const char *dispute_id, int64_t after, int limit,
				 json_t **items, int64_t *next, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq, body FROM dispute_events WHERE dispute_id = ? AND seq > ? "
			     "ORDER BY seq LIMIT ?", &s, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, dispute_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int(s, 3, limit + 1);
	return sq_page(st, s, limit, items, next, e);
}

static int sq_dispute_event_each(struct store *st, const char *dispute_id,
				 int (*fn)(void *ctx, json_t *ev), void *ctx, struct err *e)
{
	json_t *items = NULL, *v;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	do {
		rc = sq_dispute_event_list(st, dispute_id, after, 200, &items, &next, e);
		json_array_foreach(items, i, v)
			if (!rc)
				rc = fn(ctx, v);
		json_decref(items);
		items = NULL;
		after = next;
	} while (!rc && next);
	return rc;
}

static int sq_assess_queue(struct store *st, const char *dispute_id, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "INSERT OR IGNORE INTO assess_queue (dispute_id, queued_at) "
				  "VALUES (?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, dispute_id);
	sqlite3_bind_int64(s, 2, now);
	return sq_step_done(st, s, "queue an assessment", e);
}

/* The first dispute id `sql` selects (bound to `arg` if not NULL) into `id`; *found. */
static int first_id(struct store *st, const char *sql, const char *arg, char id[ID_MAX],
		    int *found, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, sql, &s, e), step;

	*found = 0;
	if (rc)
		return rc;
	if (arg)
		sq_bind_text(s, 1, arg);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		snprintf(id, ID_MAX, "%s", sqlite3_column_text(s, 0));
		*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = sq_fail(st, e, "read the assessment queue");
	}
	sq_finish(st, s);
	return rc;
}

static int sq_assess_next(struct store *st, char id[ID_MAX], int *found, struct err *e)
{
	return first_id(st, "SELECT dispute_id FROM assess_queue ORDER BY queued_at, dispute_id "
			    "LIMIT 1", NULL, id, found, e);
}

static int sq_assess_queued(struct store *st, const char *dispute_id, int *queued, struct err *e)
{
	char id[ID_MAX];

	return first_id(st, "SELECT dispute_id FROM assess_queue WHERE dispute_id = ?",
			dispute_id, id, queued, e);
}

static int sq_assess_done(struct store *st, const char *dispute_id, int *was, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "DELETE FROM assess_queue WHERE dispute_id = ?", &s, e);

	*was = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, dispute_id);
	rc = sq_step_done(st, s, "take an assessment off the queue", e);
	if (!rc)
		*was = sqlite3_changes(st->db) > 0;
	return rc;
}

static int sq_timer_add(struct store *st, const char *dispute_id, const char *step,
			const char *state, int64_t due_at, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO timers (dispute_id, step, state, due_at) "
			     "VALUES (?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, dispute_id);
	sq_bind_text(s, 2, step);
	sq_bind_text(s, 3, state);
	sqlite3_bind_int64(s, 4, due_at);
	return sq_step_done(st, s, "insert timer", e);
}

static int sq_timer_due(struct store *st, int64_t now, struct store_timer *out, int max, int *n,
			struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq, dispute_id, step, state, due_at FROM timers "
			     "WHERE fired_at IS NULL AND due_at <= ? ORDER BY due_at, seq LIMIT ?",
			 &s, e);

	*n = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, max);
	while (*n < max && sqlite3_step(s) == SQLITE_ROW) {
		struct store_timer *t = &out[(*n)++];

		t->seq = sqlite3_column_int64(s, 0);
		snprintf(t->dispute_id, sizeof(t->dispute_id), "%s", sqlite3_column_text(s, 1));
		snprintf(t->step, sizeof(t->step), "%s", sqlite3_column_text(s, 2));
		snprintf(t->state, sizeof(t->state), "%s", sqlite3_column_text(s, 3));
		t->due_at = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return RC_OK;
}

static int sq_timer_fire(struct store *st, int64_t seq, int64_t now, const char *outcome,
			 struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE timers SET fired_at = ?, outcome = ? "
			     "WHERE seq = ? AND fired_at IS NULL", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, outcome);
	sqlite3_bind_int64(s, 3, seq);
	rc = sqlite3_step(s) == SQLITE_DONE ? RC_OK : sq_fail(st, e, "fire timer");
	sqlite3_finalize(s);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = err_set(e, RC_CONFLICT, "already_fired", NULL, "timer %lld already fired",
			     (long long)seq);
	return rc;
}

static int sq_obligation_add(struct store *st, const char *dispute_id, const char *kind,
			     int64_t now, int64_t due_at, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO obligations (dispute_id, kind, created_at, due_at) "
			     "VALUES (?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, dispute_id);
	sq_bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, due_at);
	return sq_step_done(st, s, "insert obligation", e);
}

static int sq_obligation_meet(struct store *st, const char *dispute_id, const char *kind,
			      int64_t now, int *met, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE obligations SET met_at = ? WHERE seq = (SELECT max(seq) FROM "
			     "obligations WHERE dispute_id = ? AND kind = ? AND met_at IS NULL)",
			 &s, e);

	*met = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, dispute_id);
	sq_bind_text(s, 3, kind);
	rc = sqlite3_step(s) == SQLITE_DONE ? RC_OK : sq_fail(st, e, "meet obligation");
	sqlite3_finalize(s);
	if (!rc)
		*met = sqlite3_changes(st->db) > 0;
	return rc;
}

static int sq_obligation_cancel_open(struct store *st, const char *dispute_id, const char *reason,
				     int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE obligations SET cancelled_at = ?, cancel_reason = ? "
			     "WHERE dispute_id = ? AND met_at IS NULL AND breached = 0 "
			     "AND cancelled_at IS NULL", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, reason);
	sq_bind_text(s, 3, dispute_id);
	return sq_step_done(st, s, "cancel obligations", e);
}

static int sq_obligation_breach(struct store *st, const char *dispute_id, const char *kind,
				int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE obligations SET breached = 1, breached_at = ? WHERE seq = "
			     "(SELECT max(seq) FROM obligations WHERE dispute_id = ? AND kind = ? "
			     "AND met_at IS NULL AND breached = 0 AND cancelled_at IS NULL)", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, dispute_id);
	sq_bind_text(s, 3, kind);
	return sq_step_done(st, s, "breach obligation", e);
}

int sq_merchant_flag_set(struct store *st, const char *merchant_id, const char *flag,
			 const char *reason, const char *set_by, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO merchant_flags (merchant_id, flag, reason, set_by, "
			     "created_at) VALUES (?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, merchant_id);
	sq_bind_text(s, 2, flag);
	sq_bind_text(s, 3, reason);
	sq_bind_text(s, 4, set_by);
	sqlite3_bind_int64(s, 5, now);
	rc = sq_step_done(st, s, "set merchant flag", e);
	if (rc == RC_CONFLICT)
		return err_set(e, RC_CONFLICT, "flag_set", "flag", "the merchant is already flagged %s",
			       flag);
	return rc;
}

int sq_merchant_flag_clear(struct store *st, const char *merchant_id, const char *flag,
			   const char *cleared_by, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE merchant_flags SET cleared_at = ?, cleared_by = ? "
			     "WHERE merchant_id = ? AND flag = ? AND cleared_at IS NULL", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, cleared_by);
	sq_bind_text(s, 3, merchant_id);
	sq_bind_text(s, 4, flag);
	rc = sqlite3_step(s) == SQLITE_DONE ? RC_OK : sq_fail(st, e, "clear merchant flag");
	sqlite3_finalize(s);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "the merchant is not flagged %s", flag);
	return rc;
}

int sq_merchant_flags(struct store *st, const char *merchant_id, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT flag, reason, set_by, created_at, evidence FROM merchant_flags "
			     "WHERE merchant_id = ? AND cleared_at IS NULL ORDER BY seq", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, merchant_id);
	*out = json_array();
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *f = json_pack("{s:s, s:s, s:s, s:I}", "flag", sqlite3_column_text(s, 0),
				      "reason", sqlite3_column_text(s, 1),
				      "set_by", sqlite3_column_text(s, 2),
				      "created_at", (json_int_t)sqlite3_column_int64(s, 3));
		json_t *ev = sq_col_json(s, 4);

		/* the evidence staff gave (risk proposals), where they gave any */
		if (f && ev)
			json_object_set_new(f, "evidence", ev);
		else
			json_decref(ev);
		json_array_append_new(*out, f);
	}
	sqlite3_finalize(s);
	return RC_OK;
}

const struct store_disputes_ops sq_disputes_ops = {
	.dispute_insert = sq_dispute_insert,
	.dispute_update = sq_dispute_update,
	.dispute_get = sq_dispute_get,
	.dispute_list = sq_dispute_list,
	.dispute_for_order = sq_dispute_for_order,
	.dispute_event_insert = sq_dispute_event_insert,
	.dispute_event_get = sq_dispute_event_get,
	.dispute_event_list = sq_dispute_event_list,
	.dispute_event_each = sq_dispute_event_each,
	.assess_queue = sq_assess_queue,
	.assess_next = sq_assess_next,
	.assess_queued = sq_assess_queued,
	.assess_done = sq_assess_done,
	.timer_add = sq_timer_add,
	.timer_due = sq_timer_due,
	.timer_fire = sq_timer_fire,
	.obligation_add = sq_obligation_add,
	.obligation_meet = sq_obligation_meet,
	.obligation_cancel_open = sq_obligation_cancel_open,
	.obligation_breach = sq_obligation_breach,
	.obligation_each = sq_obligation_each,
	.dispute_opened_each = sq_dispute_opened_each,
	.rules_version_put = sq_rules_version_put,
	.rules_version_each = sq_rules_version_each,
	.dispute_queue = sq_dispute_queue,
	.suspension_insert = sq_suspension_insert,
	.suspension_active = sq_suspension_active,
	.suspensions_of_dispute = sq_suspensions_of_dispute,
	.suspension_lift = sq_suspension_lift,
};
