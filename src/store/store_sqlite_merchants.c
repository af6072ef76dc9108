/* store_sqlite_merchants.c - the SQLite side of merchants' identity versions and when each was last verified. */
#include <stdlib.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

int sq_merchant_verified(struct store *st, const char *id, int64_t verified_at, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE merchants SET verified_at = ? WHERE id = ?", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, verified_at);
	sq_bind_text(s, 2, id);
	rc = sq_step_done(st, s, "note a merchant's verification", e);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no merchant %s", id);
	return rc;
}

/* The current body of merchant `id` and its version. */
static int current(struct store *st, const char *id, json_t **body, int64_t *version,
		   struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM merchants WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	sqlite3_finalize(s);
	if (!*body)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no merchant %s", id);
	*version = store_merchant_version_of(*body);
	return RC_OK;
}

int sq_merchant_update(struct store *st, const char *id, json_t *body, int64_t verified_at,
		       int64_t now, struct err *e)
{
	sqlite3_stmt *s = NULL;
	json_t *old = NULL;
	char *text = NULL, *old_text = NULL;
	int64_t version = 0;
	int rc = current(st, id, &old, &version, e);

	if (rc)
		return rc;
	if (store_merchant_version_of(body) != version + 1) {
		rc = err_set(e, RC_CONFLICT, "version_conflict", NULL,
			     "merchant %s is at version %lld; the next is %lld", id,
			     (long long)version, (long long)version + 1);
		goto out;
	}
	text = sq_dump(body);
	old_text = sq_dump(old);
	if (!text || !old_text) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	/* the superseded version, kept whole with the time it was superseded */
	rc = sq_prep(st, "INSERT INTO merchant_versions (id, version, superseded_at, body) "
		     "VALUES (?, ?, ?, ?)", &s, e);
	if (rc)
		goto out;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	sqlite3_bind_int64(s, 3, now);
	sq_bind_text(s, 4, old_text);
	rc = sq_step_done(st, s, "keep a merchant's version", e);
	if (rc)
		goto out;
	rc = sq_prep(st, "UPDATE merchants SET body = ?, verified_at = ? WHERE id = ?", &s, e);
	if (rc)
		goto out;
	sq_bind_text(s, 1, text);
	sqlite3_bind_int64(s, 2, verified_at);
	sq_bind_text(s, 3, id);
	rc = sq_step_done(st, s, "update a merchant", e);
out:
	free(text);
	free(old_text);
	json_decref(old);
	return rc;
}

int sq_merchant_version(struct store *st, const char *id, int64_t version, json_t **body,
			struct err *e)
{
	sqlite3_stmt *s;
	int64_t have = 0;
	int rc = sq_prep(st, "SELECT body FROM merchant_versions WHERE id = ? AND version = ?",
			 &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	sqlite3_finalize(s);
	if (*body)
		return RC_OK;
	rc = current(st, id, body, &have, e);
	if (!rc && have != version) {
		json_decref(*body);
		*body = NULL;
		rc = RC_NOTFOUND;
	}
	if (rc == RC_NOTFOUND)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no version %lld of merchant %s",
			     (long long)version, id);
	return rc;
}

int sq_merchant_unverified(struct store *st, int64_t before, int64_t after, int limit,
			   json_t **items, int64_t *next, struct err *e)
{
	sqlite3_stmt *s;
	int64_t last = 0;
	int n = 0, step = SQLITE_DONE;
	int rc = sq_prep(st, "SELECT seq, body, coalesce(verified_at, created_at) FROM merchants "
			 "WHERE seq > ?1 AND coalesce(verified_at, created_at) < ?2 "
			 "ORDER BY seq LIMIT ?3", &s, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, before);
	sqlite3_bind_int(s, 3, limit + 1);
	*items = json_array();
	while (*items && (step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *m;

		if (n == limit) {
			*next = last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		m = sq_col_json(s, 1);
		if (!m) {
			rc = err_set(e, RC_DB, "database_error", NULL, "corrupt merchant record");
			break;
		}
		json_array_append_new(*items, json_pack("{s:o, s:I}", "merchant", m, "verified_at",
							(json_int_t)sqlite3_column_int64(s, 2)));
		n++;
	}
	if (!*items)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	else if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(st, e, "list merchants to verify");
	if (rc) {
		json_decref(*items);
		*items = NULL;
		*next = 0;
	}
	sqlite3_finalize(s);
	return rc;
}
