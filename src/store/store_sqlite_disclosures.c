/* store_sqlite_disclosures.c - the SQLite backend's disclosure requests and their events. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "store/store_sqlite_int.h"

static int sq_disclosure_insert(struct store *st, const struct store_disclosure_row *row,
				struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(row->body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO disclosures (id, order_id, dispute_id, requester_role, "
			 "requester_id, state, created_at, due_at, decided_at, body) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, row->id);
		sq_bind_text(s, 2, row->order_id);
		sq_bind_text(s, 3, row->dispute_id);
		sq_bind_text(s, 4, row->requester_role);
		sq_bind_text(s, 5, row->requester_id);
		sq_bind_text(s, 6, row->state);
		sqlite3_bind_int64(s, 7, row->created_at);
		if (row->due_at > 0)
			sqlite3_bind_int64(s, 8, row->due_at);
		else
			sqlite3_bind_null(s, 8);
		sq_bind_text(s, 9, text);
		rc = sq_step_done(st, s, "insert disclosure", e);
	}
	free(text);
	return rc;
}

static int sq_disclosure_update(struct store *st, const char *id, const char *state,
				int64_t decided_at, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "UPDATE disclosures SET state = ?, decided_at = ?, body = ? WHERE id = ?",
		     &s, e);
	if (!rc) {
		sq_bind_text(s, 1, state);
		sqlite3_bind_int64(s, 2, decided_at);
		sq_bind_text(s, 3, text);
		sq_bind_text(s, 4, id);
		rc = sq_step_done(st, s, "update disclosure", e);
	}
	free(text);
	if (!rc && sqlite3_changes(st->db) != 1)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no disclosure %s", id);
	return rc;
}

/* The body in column 0 of the one row `s` selects, or RC_NOTFOUND naming `what`. */
static int one_body(struct store *st, sqlite3_stmt *s, const char *what, const char *id,
		    json_t **body, struct err *e)
{
	int step = sqlite3_step(s), rc = RC_OK;

	*body = NULL;
	if (step == SQLITE_ROW) {
		*body = sq_col_json(s, 0);
		if (!*body)
			rc = err_set(e, RC_DB, "database_error", NULL, "%s %s is not JSON", what, id);
	} else if (step == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such %s", what);
	} else {
		rc = sq_fail(st, e, what);
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_disclosure_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM disclosures WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	return one_body(st, s, "disclosure", id, body, e);
}

static int sq_disclosure_list(struct store *st, const struct store_disclosure_filter *f,
			      int64_t after, int limit, json_t **items, int64_t *next,
			      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st,
			 "SELECT seq, body FROM disclosures WHERE seq > ?1"
			 " AND (?2 IS NULL OR requester_role = ?2) AND (?3 IS NULL OR requester_id = ?3)"
			 " AND (?4 IS NULL OR state = ?4) AND (?5 IS NULL OR order_id = ?5)"
			 " ORDER BY seq LIMIT ?6",
			 &s, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sq_bind_text(s, 2, f->requester_role);
	sq_bind_text(s, 3, f->requester_id);
	sq_bind_text(s, 4, f->state);
	sq_bind_text(s, 5, f->order_id);
	sqlite3_bind_int(s, 6, limit + 1);
	return sq_page(st, s, limit, items, next, e);
}

static int sq_disclosure_event_insert(struct store *st, const char *id, const char *disclosure_id,
				      const char *order_id, int64_t now, json_t *body,
				      struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO disclosure_events (id, disclosure_id, order_id, created_at, "
			 "body) VALUES (?, ?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, disclosure_id);
		sq_bind_text(s, 3, order_id);
		sqlite3_bind_int64(s, 4, now);
		sq_bind_text(s, 5, text);
		rc = sq_step_done(st, s, "insert disclosure event", e);
	}
	free(text);
	return rc;
}

static int sq_disclosure_event_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM disclosure_events WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	return one_body(st, s, "disclosure event", id, body, e);
}

static int sq_disclosure_events(struct store *st, const char *disclosure_id, json_t **items,
				struct err *e)
{
	sqlite3_stmt *s;
	int64_t next = 0;
	int rc = sq_prep(st, "SELECT seq, body FROM disclosure_events WHERE disclosure_id = ?1 "
			     "ORDER BY seq LIMIT ?2", &s, e);

	*items = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, disclosure_id);
	sqlite3_bind_int(s, 2, STORE_DISCLOSURE_MAX_EVENTS + 1);
	return sq_page(st, s, STORE_DISCLOSURE_MAX_EVENTS, items, &next, e);
}

const struct store_disclosures_ops sq_disclosures_ops = {
	.disclosure_insert = sq_disclosure_insert,
	.disclosure_update = sq_disclosure_update,
	.disclosure_get = sq_disclosure_get,
	.disclosure_list = sq_disclosure_list,
	.disclosure_event_insert = sq_disclosure_event_insert,
	.disclosure_event_get = sq_disclosure_event_get,
	.disclosure_events = sq_disclosure_events,
};
