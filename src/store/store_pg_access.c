/* store_pg_access.c - the PostgreSQL side of store_access.h: API keys, tokens, auth, idempotency, the audit log. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys and tokens ---- */

static int pga_key_insert(struct store *st, const char *id, const char *role, const char *name,
			  const char *hash, int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {id, role, name, hash, pg_i64(t, now)};

	return pg_query(st->pg, "INSERT INTO api_keys (id, role, name, hash, created_at) "
			"VALUES ($1, $2, $3, $4, $5)", 5, p, NULL, e);
}

static int pga_key_list(struct store *st, json_t **out, struct err *e)
{
	struct pg_rows rows;
	json_t *arr;
	int rc = pg_query(st->pg, "SELECT id, role, name, created_at, revoked_at FROM api_keys "
			  "ORDER BY created_at, id", 0, NULL, &rows, e);

	*out = NULL;
	if (rc)
		return rc;
	arr = json_array();
	while (arr && pg_step(&rows)) {
		json_t *k = json_pack("{s:s, s:s, s:s, s:I, s:o}",
				      "id", pg_col_text(&rows, 0),
				      "role", pg_col_text(&rows, 1),
				      "name", pg_col_text(&rows, 2),
				      "created_at", (json_int_t)pg_col_int64(&rows, 3),
				      "revoked_at",
				      pg_col_null(&rows, 4) ? json_null()
							    : json_integer(pg_col_int64(&rows, 4)));
		json_array_append_new(arr, k);
	}
	pg_rows_clear(&rows);
	if (!arr)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	*out = arr;
	return RC_OK;
}

/* Revoke key or token `id` of `table` (a fixed name, never input). */
static int revoke(struct store *st, const char *table, const char *id, int64_t now,
		  struct err *e)
{
	char sql[160], t[PG_I64_TEXT];
	const char *p[] = {id, pg_i64(t, now)};
	struct pg_rows rows;
	int rc, revoked = -1;

	snprintf(sql, sizeof(sql), "SELECT revoked_at IS NOT NULL FROM %s WHERE id = $1", table);
	rc = pg_query(st->pg, sql, 1, p, &rows, e);
	if (rc)
		return rc;
	if (pg_step(&rows))
		revoked = strcmp(pg_col_text(&rows, 0), "t") == 0;
	pg_rows_clear(&rows);
	if (revoked < 0)
		return err_set(e, RC_NOTFOUND, "not_found", "id", "no such key or token %s", id);
	if (revoked)
		return err_set(e, RC_CONFLICT, "already_revoked", "id", "%s is already revoked", id);
	snprintf(sql, sizeof(sql), "UPDATE %s SET revoked_at = $2 WHERE id = $1", table);
	return pg_query(st->pg, sql, 2, p, NULL, e);
}

static int pga_key_revoke(struct store *st, const char *id, int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), id};
	int rc = revoke(st, "api_keys", id, now, e);

	if (rc)
		return rc;
	/* the tokens the key minted go with it */
	return pg_query(st->pg, "UPDATE tokens SET revoked_at = $1 WHERE created_by = $2 "
			"AND revoked_at IS NULL", 2, p, NULL, e);
}

static int pga_token_insert(struct store *st, const char *id, const char *role,
			    const char *subject, const char *hash, const char *created_by,
			    int64_t now, int64_t expires_at, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {id, role, subject, hash, created_by, pg_i64(t1, now),
			   pg_i64(t2, expires_at)};

	return pg_query(st->pg, "INSERT INTO tokens (id, role, subject, hash, created_by, "
			"created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, p, NULL,
			e);
}

static int pga_token_revoke(struct store *st, const char *id, int64_t now, struct err *e)
{
	return revoke(st, "tokens", id, now, e);
}

static int pga_auth_lookup(struct store *st, const char *hash, int64_t now,
			   struct principal *out, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {hash, pg_i64(t, now)};
	struct pg_rows rows;
	int rc = pg_query(st->pg,
			  "SELECT 'key', id, role, name, 0 FROM api_keys "
			  " WHERE hash = $1 AND revoked_at IS NULL "
			  "UNION ALL "
			  "SELECT 'token', id, role, subject, expires_at FROM tokens "
			  " WHERE hash = $1 AND revoked_at IS NULL AND expires_at > $2"
			  /* and the key that minted it still stands */
			  " AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = tokens.created_by"
			  "  AND k.revoked_at IS NOT NULL)",
			  2, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows)) {
		memset(out, 0, sizeof(*out));
		snprintf(out->via, sizeof(out->via), "%s", pg_col_text(&rows, 0));
		snprintf(out->id, sizeof(out->id), "%s", pg_col_text(&rows, 1));
		snprintf(out->role, sizeof(out->role), "%s", pg_col_text(&rows, 2));
		snprintf(out->subject, sizeof(out->subject), "%s", pg_col_text(&rows, 3));
		out->expires_at = pg_col_int64(&rows, 4);
	} else {
		rc = err_set(e, RC_UNAUTH, "unauthenticated", NULL,
			     "the bearer token is unknown, revoked or expired");
	}
	pg_rows_clear(&rows);
	return rc;
}

/* ---- idempotency and audit ---- */

static int pga_idem_get(struct store *st, const char *principal, const char *key, char hash[65],
			int *status, char **response, struct err *e)
{
	const char *p[] = {principal, key};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT request_hash, status, response FROM idempotency "
			  "WHERE principal = $1 AND key = $2", 2, p, &rows, e);

	*response = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		snprintf(hash, 65, "%s", pg_col_text(&rows, 0));
		*status = (int)pg_col_int64(&rows, 1);
		*response = pg_col_dup(&rows, 2);
		rc = *response ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = RC_NOTFOUND;
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pga_idem_put(struct store *st, const char *principal, const char *key,
			const char *hash, int status, const char *response, int64_t now,
			struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {principal, key, hash, pg_i64(t1, status), response, pg_i64(t2, now)};

	struct pg_rows rows;
	int rc;

	/* a key stored already is a conflict that leaves the transaction usable, as on SQLite */
	rc = pg_query(st->pg, "INSERT INTO idempotency (principal, key, request_hash, status, "
		      "response, created_at) VALUES ($1, $2, $3, $4, $5, $6) "
		      "ON CONFLICT DO NOTHING", 6, p, &rows, e);
	if (rc)
		return rc;
	if (pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_CONFLICT, "conflict", NULL,
			     "a reply to idempotency key %s is stored already", key);
	pg_rows_clear(&rows);
	return rc;
}

static int pga_idem_purge(struct store *st, int64_t before, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, before)};

	return pg_query(st->pg, "DELETE FROM idempotency WHERE created_at < $1", 1, p, NULL, e);
}

static int pga_audit_add(struct store *st, int64_t now, const struct principal *actor,
			 const char *object_id, const char *fields, const char *route,
			 struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), actor->role, actor->id, actor->subject, object_id,
			   fields, route};

	return pg_query(st->pg, "INSERT INTO audit_log (at, actor_role, actor_id, actor_subject, "
			"object_id, fields, route) VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, p, NULL,
			e);
}

static int pga_audit_list(struct store *st, int64_t after, int limit, json_t **items,
			  int64_t *next, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), pg_i64(t2, (int64_t)limit + 1)};
	struct pg_rows rows;
	int64_t last = 0;
	int n = 0;
	int rc = pg_query(st->pg, "SELECT seq, at, actor_role, actor_id, actor_subject, object_id, "
			  "fields, route FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", 2, p,
			  &rows, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	*items = json_array();
	while (*items && pg_step(&rows)) {
		if (n == limit) {
			*next = last;
			break;
		}
		last = pg_col_int64(&rows, 0);
		json_array_append_new(*items,
				      json_pack("{s:s, s:I, s:I, s:{s:s, s:s, s:s}, s:s, s:s, s:s}",
						"object", "audit_event",
						"id", (json_int_t)last,
						"at", (json_int_t)pg_col_int64(&rows, 1),
						"actor", "role", pg_col_text(&rows, 2),
						"id", pg_col_text(&rows, 3),
						"subject", pg_col_text(&rows, 4),
						"object_id", pg_col_text(&rows, 5),
						"fields", pg_col_text(&rows, 6),
						"route", pg_col_text(&rows, 7)));
		n++;
	}
	pg_rows_clear(&rows);
	if (!*items)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

const struct store_access_ops pg_access_ops = {
	.key_insert = pga_key_insert,
	.key_list = pga_key_list,
	.key_revoke = pga_key_revoke,
	.token_insert = pga_token_insert,
	.token_revoke = pga_token_revoke,
	.auth_lookup = pga_auth_lookup,
	.idem_get = pga_idem_get,
	.idem_put = pga_idem_put,
	.idem_purge = pga_idem_purge,
	.audit_add = pga_audit_add,
	.audit_list = pga_audit_list,
};
