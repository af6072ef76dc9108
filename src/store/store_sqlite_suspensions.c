/* store_sqlite_suspensions.c - the SQLite side of listing suspensions: at most one active per listing. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

int sq_suspension_insert(struct store *st, const char *id, const char *listing_id,
			 const char *dispute_id, int64_t now, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO listing_suspensions (id, listing_id, dispute_id, created_at, "
			 "body) VALUES (?, ?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, listing_id);
		sq_bind_text(s, 3, dispute_id);
		sqlite3_bind_int64(s, 4, now);
		sq_bind_text(s, 5, text);
		rc = sq_step_done(st, s, "insert listing suspension", e);
	}
	free(text);
	if (rc == RC_CONFLICT)
		return err_set(e, RC_CONFLICT, "already_suspended", "listing",
			       "listing %s is already suspended", listing_id);
	return rc;
}

int sq_suspension_active(struct store *st, const char *listing_id, json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep(st, "SELECT body FROM listing_suspensions WHERE listing_id = ? "
				   "AND lifted_at IS NULL", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, listing_id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*body = sq_col_json(s, 0);
		if (!*body)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "listing %s is not suspended",
			     listing_id);
	} else {
		rc = sq_fail(st, e, "read listing suspension");
	}
	sqlite3_finalize(s);
	return rc;
}

int sq_suspensions_of_dispute(struct store *st, const char *dispute_id, json_t **listings,
			      struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep(st, "SELECT listing_id FROM listing_suspensions WHERE dispute_id = ? "
				   "AND lifted_at IS NULL ORDER BY seq", &s, e);

	*listings = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, dispute_id);
	*listings = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*listings, json_string((const char *)sqlite3_column_text(s, 0)));
	if (step != SQLITE_DONE) {
		rc = sq_fail(st, e, "list a dispute's listing suspensions");
		json_decref(*listings);
		*listings = NULL;
	}
	sqlite3_finalize(s);
	return rc;
}

int sq_suspension_lift(struct store *st, const char *id, int64_t now, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "UPDATE listing_suspensions SET lifted_at = ?, body = ? "
			 "WHERE id = ? AND lifted_at IS NULL", &s, e);
	if (!rc) {
		sqlite3_bind_int64(s, 1, now);
		sq_bind_text(s, 2, text);
		sq_bind_text(s, 3, id);
		rc = sq_step_done(st, s, "lift listing suspension", e);
	}
	free(text);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "suspension %s is not active", id);
	return rc;
}
