/* store_sqlite_rules.c - the SQLite side of the published rules: every version's text, kept for good. */
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_int.h"

int sq_rules_version_put(struct store *st, const struct store_rules_version *v, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO rules_versions (version, published_at, loaded_at, text, "
			     "digest) VALUES (?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, v->version);
	sqlite3_bind_int64(s, 2, v->published_at);
	sqlite3_bind_int64(s, 3, v->loaded_at);
	sqlite3_bind_text(s, 4, v->text, (int)v->len, SQLITE_TRANSIENT);
	sq_bind_text(s, 5, v->digest);
	rc = sq_step_done(st, s, "store rules version", e);
	if (rc == RC_CONFLICT)
		return err_set(e, RC_CONFLICT, "version_exists", "version",
			       "rules version %s is already published", v->version);
	return rc;
}

int sq_rules_version_each(struct store *st, int64_t after, int max,
			  int (*fn)(void *cls, const struct store_rules_version *v, struct err *e),
			  void *cls, struct err *e)
{
	struct store_rules_version v;
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT seq, version, published_at, loaded_at, text, digest "
				  "FROM rules_versions WHERE seq > ? ORDER BY seq LIMIT ?",
			      &s, e);
	int r;

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, max);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v.seq = sqlite3_column_int64(s, 0);
		v.version = (const char *)sqlite3_column_text(s, 1);
		v.published_at = sqlite3_column_int64(s, 2);
		v.loaded_at = sqlite3_column_int64(s, 3);
		v.text = (const char *)sqlite3_column_text(s, 4);
		v.len = (size_t)sqlite3_column_bytes(s, 4);
		v.digest = (const char *)sqlite3_column_text(s, 5);
		if (!v.version || !v.text || !v.digest) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		rc = fn(cls, &v, e);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = sq_fail(st, e, "list rules versions");
	sq_finish(st, s);
	return rc;
}
