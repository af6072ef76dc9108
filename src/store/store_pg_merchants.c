/* store_pg_merchants.c - the PostgreSQL side of merchants' identity versions and when each was last verified. */
#include "store/store_pg_int.h"

#include <stdlib.h>

int pg_merchant_verified(struct store *st, const char *id, int64_t verified_at, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, verified_at), id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "UPDATE merchants SET verified_at = $1 WHERE id = $2", 2, p,
			  &rows, e);

	if (rc)
		return rc;
	if (pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no merchant %s", id);
	pg_rows_clear(&rows);
	return rc;
}

/* The current body of merchant `id` and its version. */
static int current(struct store *st, const char *id, json_t **body, int64_t *version,
		   struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT body FROM merchants WHERE id = $1", 1, p, &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows))
		*body = pg_col_json(&rows, 0);
	pg_rows_clear(&rows);
	if (!*body)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no merchant %s", id);
	*version = store_merchant_version_of(*body);
	return RC_OK;
}

int pg_merchant_update(struct store *st, const char *id, json_t *body, int64_t verified_at,
		       int64_t now, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT];
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
	text = pg_dump(body);
	old_text = pg_dump(old);
	if (!text || !old_text) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	/* the superseded version, kept whole with the time it was superseded */
	{
		const char *p[] = {id, pg_i64(t1, version), pg_i64(t2, now), old_text};

		rc = pg_query(st->pg, "INSERT INTO merchant_versions (id, version, superseded_at, "
			      "body) VALUES ($1, $2, $3, $4)", 4, p, NULL, e);
	}
	if (!rc) {
		const char *p[] = {text, pg_i64(t3, verified_at), id};

		rc = pg_query(st->pg, "UPDATE merchants SET body = $1, verified_at = $2 "
			      "WHERE id = $3", 3, p, NULL, e);
	}
out:
	free(text);
	free(old_text);
	json_decref(old);
	return rc;
}

int pg_merchant_version(struct store *st, const char *id, int64_t version, json_t **body,
			struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {id, pg_i64(t, version)};
	struct pg_rows rows;
	int64_t have = 0;
	int rc = pg_query(st->pg, "SELECT body FROM merchant_versions WHERE id = $1 "
			  "AND version = $2", 2, p, &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows))
		*body = pg_col_json(&rows, 0);
	pg_rows_clear(&rows);
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

int pg_merchant_unverified(struct store *st, int64_t before, int64_t after, int limit,
			   json_t **items, int64_t *next, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), pg_i64(t2, before), pg_i64(t3, (int64_t)limit + 1)};
	struct pg_rows rows;
	int64_t last = 0;
	int n = 0;
	int rc = pg_query(st->pg, "SELECT seq, body, coalesce(verified_at, created_at) "
			  "FROM merchants WHERE seq > $1 AND coalesce(verified_at, created_at) < $2 "
			  "ORDER BY seq LIMIT $3", 3, p, &rows, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	*items = json_array();
	while (*items && pg_step(&rows)) {
		json_t *m;

		if (n == limit) {
			*next = last;
			break;
		}
		last = pg_col_int64(&rows, 0);
		m = pg_col_json(&rows, 1);
		if (!m) {
			rc = err_set(e, RC_DB, "database_error", NULL, "corrupt merchant record");
			break;
		}
		json_array_append_new(*items, json_pack("{s:o, s:I}", "merchant", m, "verified_at",
							(json_int_t)pg_col_int64(&rows, 2)));
		n++;
	}
	pg_rows_clear(&rows);
	if (!*items)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (rc) {
		json_decref(*items);
		*items = NULL;
		*next = 0;
	}
	return rc;
}
