/* store_sqlite.c - the SQLite backend of the store interface (WAL, foreign keys, numbered migrations). */
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"
#include "store/store_sqlite_int.h"



static const struct {
	const char *table;      /* table name */
	const char *name;       /* kind name, as in blob_refs.kind */
} kinds[STORE__KINDS] = {
	[STORE_MERCHANT] = {"merchants", "merchant"},
	[STORE_CONSUMER] = {"consumers", "consumer"},
	[STORE_LISTING] = {"listings", "listing"},
	[STORE_ORDER] = {"orders", "order"},
	[STORE_LOGISTICS] = {"logistics_events", "logistics"},
	[STORE_MESSAGE] = {"messages", "message"},
	[STORE_DISPUTE] = {"disputes", "dispute"},
};

int sq_fail(struct store *st, struct err *e, const char *what)
{
	st->failed = 1;
	return err_set(e, RC_DB, "database_error", NULL, "%s: %s", what,
		       sqlite3_errmsg(st->db));
}

int sq_prep(struct store *st, const char *sql, sqlite3_stmt **stmt, struct err *e)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return sq_fail(st, e, "prepare");
	return RC_OK;
}

int sq_prep_kept(struct store *st, const char *sql, sqlite3_stmt **stmt, struct err *e)
{
	int i, free_slot = -1;

	for (i = 0; i < SQ_KEPT_MAX; i++) {
		if (!st->kept[i]) {
			if (free_slot < 0)
				free_slot = i;
		} else if (!st->kept_busy[i] && strcmp(sqlite3_sql(st->kept[i]), sql) == 0) {
			st->kept_busy[i] = 1;
			*stmt = st->kept[i];
			return RC_OK;
		}
	}
	if (sq_prep(st, sql, stmt, e))
		return RC_DB;
	if (free_slot >= 0) {
		st->kept[free_slot] = *stmt;
		st->kept_busy[free_slot] = 1;
	}
	return RC_OK;
}

void sq_finish(struct store *st, sqlite3_stmt *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < SQ_KEPT_MAX; i++)
		if (st->kept[i] == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			st->kept_busy[i] = 0;
			return;
		}
	sqlite3_finalize(s);
}

void sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int sq_exec(struct store *st, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, RC_DB, "database_error", NULL, "%s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		st->failed = 1;
		return RC_DB;
	}
	return RC_OK;
}

static int store_migrate(struct store *st, struct err *e)
{
	sqlite3_stmt *s = NULL;
	int version = 0, rc;
	size_t i;

	rc = sq_prep(st, "PRAGMA user_version", &s, e);
	if (rc)
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if ((size_t)version > store_migration_count())
		return err_set(e, RC_DB, "schema_too_new", NULL,
			       "database schema %d is newer than this program (%zu)",
			       version, store_migration_count());
	for (i = (size_t)version; i < store_migration_count(); i++) {
		char pragma[64];

		rc = sq_exec(st, "BEGIN IMMEDIATE", e);
		if (rc)
			return rc;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", i + 1);
		rc = sq_exec(st, store_migration_sql(i), e);
		if (!rc)
			rc = sq_exec(st, pragma, e);
		if (!rc)
			rc = sq_exec(st, "COMMIT", e);
		if (rc) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	st->schema_version = (int)store_migration_count();
	st->failed = 0;
	return RC_OK;
}

static void sq_close(struct store *st);

int store_sqlite_open(const char *path, int create, struct store **out, struct err *e)
{
	struct store *st;
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
	int rc;

	*out = NULL;
	if (create && stat(path, &sb) == 0)
		return err_set(e, RC_CONFLICT, "exists", NULL, "%s already exists", path);
	if (!create && stat(path, &sb) != 0)
		return err_set(e, RC_NOTFOUND, "not_found", NULL,
			       "no database at %s (run disputed init first)", path);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	st = calloc(1, sizeof(*st));
	if (!st)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	store_head_init(&st->head, &store_sqlite_ops);
	pthread_mutex_init(&st->lock, NULL);
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		rc = err_set(e, RC_DB, "database_error", NULL, "cannot open %s: %s", path,
			     st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	rc = sq_exec(st, "PRAGMA journal_mode = WAL;"
			  "PRAGMA synchronous = FULL;"
			  "PRAGMA foreign_keys = ON;"
			  "PRAGMA temp_store = MEMORY;"
			  "PRAGMA cache_size = -65536;", e);
	if (!rc) {
		char limit[64];

		snprintf(limit, sizeof(limit), "PRAGMA journal_size_limit = %lld", SQ_WAL_LIMIT);
		rc = sq_exec(st, limit, e);
	}
	if (rc)
		goto fail;
	rc = store_migrate(st, e);
	if (!rc)
		rc = sq_ckpt_start(st, e);
	if (rc)
		goto fail;
	*out = st;
	return RC_OK;
fail:
	sq_close(st);
	return rc;
}

static int sq_open_reader(struct store *st, struct store **out, struct err *e)
{
	const char *path = sqlite3_db_filename(st->db, "main");
	struct store *rd;
	int rc;

	*out = NULL;
	if (!path || !path[0])
		return err_set(e, RC_INTERNAL, NULL, NULL, "the store has no file to read");
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	store_head_init(&rd->head, &store_sqlite_ops);
	pthread_mutex_init(&rd->lock, NULL);
	if (sqlite3_open_v2(path, &rd->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = err_set(e, RC_DB, "database_error", NULL, "cannot open %s: %s", path,
			     rd->db ? sqlite3_errmsg(rd->db) : "out of memory");
		sq_close(rd);
		return rc;
	}
	sqlite3_busy_timeout(rd->db, 10000);
	rc = sq_exec(rd, "PRAGMA foreign_keys = ON;", e);
	if (rc) {
		sq_close(rd);
		return rc;
	}
	rd->schema_version = st->schema_version;
	rd->failed = 0;
	*out = rd;
	return RC_OK;
}

static void sq_close(struct store *st)
{
	int i;

	if (!st)
		return;
	sq_ckpt_stop(st);
	for (i = 0; i < SQ_KEPT_MAX; i++)
		sqlite3_finalize(st->kept[i]);
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static int sq_schema_version(struct store *st)
{
	return st->schema_version;
}

/*
 * Run a statement that returns no rows, kept prepared: the transaction and
 * savepoint statements run on every request, and parsing them anew cost
 * more than running them.
 */
static int run_kept(struct store *st, const char *sql, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, sql, &s, e);

	if (rc)
		return rc;
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(st, e, sql);
	sq_finish(st, s);
	return rc;
}

/* The store whose transaction this thread holds, if any. */
static __thread struct store *held_here;

/*
 * Take the store's lock and open a transaction with `begin` ("BEGIN
 * IMMEDIATE" or "BEGIN"); with `lazy` one whose commit does not fsync
 * (store_begin_lazy). In WAL mode synchronous NORMAL commits without an
 * fsync, and the next FULL commit syncs what it left; SQLite refuses to
 * change it inside a transaction, so it is set here, before BEGIN, and
 * FULL again at the end (sq_end), or before the next transaction if that
 * failed.
 */
static int begin_with(struct store *st, const char *begin, int lazy, struct err *e)
{
	int rc;

	/* this thread's own transaction is open: waiting for the lock would never end */
	if (held_here == st)
		return err_set(e, RC_INTERNAL, "nested_transaction", NULL,
			       "a transaction is already open in this thread");
	pthread_mutex_lock(&st->lock);
	st->failed = 0;
	if (lazy || st->lazy) {
		rc = run_kept(st, lazy ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL",
			      e);
		if (rc) {
			pthread_mutex_unlock(&st->lock);
			return rc;
		}
		st->lazy = lazy;
	}
	rc = run_kept(st, begin, e);
	if (rc) {
		pthread_mutex_unlock(&st->lock);
		return rc;
	}
	held_here = st;
	st->nsp = 0;
	return RC_OK;
}

static int sq_begin(struct store *st, struct err *e)
{
	return begin_with(st, "BEGIN IMMEDIATE", 0, e);
}

static int sq_begin_lazy(struct store *st, struct err *e)
{
	return begin_with(st, "BEGIN IMMEDIATE", 1, e);
}

static int sq_begin_read(struct store *st, struct err *e)
{
	return begin_with(st, "BEGIN", 0, e);
}

static int sq_end(struct store *st, int commit, struct err *e)
{
	struct err ignore;
	int rc = RC_OK;

	/*
	 * Ending a transaction this thread does not hold (its store_begin
	 * failed) is a no-op: it must never release another thread's lock.
	 */
	if (held_here != st)
		return commit ? err_set(e, RC_DB, "database_error", NULL, "no transaction is open")
			      : RC_OK;
	/*
	 * Savepoints open: the caller runs inside a batch of the write
	 * pipeline, whose transaction is not its to end.
	 */
	if (st->nsp > 0) {
		st->failed = 1;
		return err_set(e, RC_INTERNAL, "nested_transaction", NULL,
			       "a transaction was ended inside a savepoint");
	}
	if (commit && !st->failed) {
		rc = run_kept(st, "COMMIT", e);
		if (rc)
			(void)run_kept(st, "ROLLBACK", &ignore);
	} else {
		(void)run_kept(st, "ROLLBACK", &ignore);
		if (commit)
			rc = err_set(e, RC_DB, "database_error", NULL,
				     "transaction rolled back after a failed statement");
	}
	/* FULL again (outside the transaction, where SQLite allows it); else the next begin does */
	if (st->lazy && run_kept(st, "PRAGMA synchronous = FULL", &ignore) == RC_OK)
		st->lazy = 0;
	st->failed = 0;
	st->nsp = 0;
	held_here = NULL;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int sq_savepoint(struct store *st, struct err *e)
{
	int rc;

	if (held_here != st)
		return err_set(e, RC_DB, "database_error", NULL, "no transaction is open");
	if (st->nsp >= STORE_SAVEPOINT_MAX)
		return err_set(e, RC_INTERNAL, NULL, NULL, "too many savepoints");
	rc = run_kept(st, "SAVEPOINT sp", e);
	if (rc)
		return rc;
	st->sp_failed[st->nsp++] = st->failed;
	return RC_OK;
}

static int sq_savepoint_end(struct store *st, int keep, struct err *e)
{
	int rc = RC_OK, was;
	struct err ignore;

	if (held_here != st || st->nsp == 0)
		return err_set(e, RC_DB, "database_error", NULL, "no savepoint is open");
	was = st->sp_failed[--st->nsp];
	if (keep && st->failed && !was) {
		keep = 0;
		rc = err_set(e, RC_DB, "database_error", NULL,
			     "savepoint rolled back after a failed statement");
	}
	if (keep)
		return run_kept(st, "RELEASE sp", e);
	/* ROLLBACK TO leaves the savepoint open: release it too */
	err_clear(&ignore);
	if (run_kept(st, "ROLLBACK TO sp", rc ? &ignore : e) ||
	    run_kept(st, "RELEASE sp", rc ? &ignore : e))
		return rc ? rc : RC_DB;
	st->failed = was;
	return rc;
}

static int sq_failed(struct store *st)
{
	return held_here == st && st->failed;
}

/* Step a statement that returns no rows; finalizes it. */
int sq_step_done(struct store *st, sqlite3_stmt *s, const char *what, struct err *e)
{
	int r = sqlite3_step(s);
	int rc = RC_OK;

	if (r == SQLITE_CONSTRAINT)
		rc = err_set(e, RC_CONFLICT, "conflict", NULL, "%s: %s", what,
			     sqlite3_errmsg(st->db));
	else if (r != SQLITE_DONE)
		rc = sq_fail(st, e, what);
	sq_finish(st, s);
	return rc;
}

char *sq_dup_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t ? strdup((const char *)t) : NULL;
}

json_t *sq_col_json(sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);

	return t ? json_loads(t, 0, NULL) : NULL;
}

char *sq_dump(json_t *body)
{
	return json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static int sq_meta_get(struct store *st, const char *key, char **out, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT value FROM meta WHERE key = ?", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*out = sq_dup_text(s, 0);
		rc = *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no setting %s", key);
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_meta_set(struct store *st, const char *key, const char *value, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO meta (key, value) VALUES (?, ?) "
			  "ON CONFLICT (key) DO UPDATE SET value = excluded.value", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, value);
	return sq_step_done(st, s, "meta", e);
}

/* ---- keys and tokens ---- */

static int sq_key_insert(struct store *st, const char *id, const char *role, const char *name,
			 const char *hash, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO api_keys (id, role, name, hash, created_at) "
			  "VALUES (?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sq_bind_text(s, 2, role);
	sq_bind_text(s, 3, name);
	sq_bind_text(s, 4, hash);
	sqlite3_bind_int64(s, 5, now);
	return sq_step_done(st, s, "insert key", e);
}

static int sq_key_list(struct store *st, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	json_t *arr;
	int rc = sq_prep(st, "SELECT id, role, name, created_at, revoked_at FROM api_keys "
			  "ORDER BY created_at, id", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	arr = json_array();
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *k = json_pack("{s:s, s:s, s:s, s:I, s:o}",
				      "id", sqlite3_column_text(s, 0),
				      "role", sqlite3_column_text(s, 1),
				      "name", sqlite3_column_text(s, 2),
				      "created_at", (json_int_t)sqlite3_column_int64(s, 3),
				      "revoked_at",
				      sqlite3_column_type(s, 4) == SQLITE_NULL
					      ? json_null()
					      : json_integer(sqlite3_column_int64(s, 4)));
		json_array_append_new(arr, k);
	}
	sqlite3_finalize(s);
	*out = arr;
	return RC_OK;
}

static int revoke(struct store *st, const char *table, const char *id, int64_t now,
		  struct err *e)
{
	char sql[160];
	sqlite3_stmt *s;
	int rc, revoked = -1;

	snprintf(sql, sizeof(sql), "SELECT revoked_at IS NOT NULL FROM %s WHERE id = ?", table);
	rc = sq_prep(st, sql, &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		revoked = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (revoked < 0)
		return err_set(e, RC_NOTFOUND, "not_found", "id", "no such key or token %s", id);
	if (revoked)
		return err_set(e, RC_CONFLICT, "already_revoked", "id", "%s is already revoked", id);
	snprintf(sql, sizeof(sql), "UPDATE %s SET revoked_at = ? WHERE id = ?", table);
	rc = sq_prep(st, sql, &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, id);
	return sq_step_done(st, s, "revoke", e);
}

static int sq_key_revoke(struct store *st, const char *id, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = revoke(st, "api_keys", id, now, e);

	if (rc)
		return rc;
	/* the tokens the key minted go with it */
	rc = sq_prep(st, "UPDATE tokens SET revoked_at = ? WHERE created_by = ? "
		      "AND revoked_at IS NULL", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, id);
	return sq_step_done(st, s, "revoke the key's tokens", e);
}

static int sq_token_insert(struct store *st, const char *id, const char *role, const char *subject,
			   const char *hash, const char *created_by, int64_t now,
			   int64_t expires_at, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO tokens (id, role, subject, hash, created_by, "
			  "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sq_bind_text(s, 2, role);
	sq_bind_text(s, 3, subject);
	sq_bind_text(s, 4, hash);
	sq_bind_text(s, 5, created_by);
	sqlite3_bind_int64(s, 6, now);
	sqlite3_bind_int64(s, 7, expires_at);
	return sq_step_done(st, s, "insert token", e);
}

static int sq_token_revoke(struct store *st, const char *id, int64_t now, struct err *e)
{
	return revoke(st, "tokens", id, now, e);
}

static int sq_auth_lookup(struct store *st, const char *hash, int64_t now, struct principal *out,
			  struct err *e)
{
	sqlite3_stmt *s;
	/* kept: every request asks it, and parsing it cost more than running it */
	int rc = sq_prep_kept(st,
		      "SELECT 'key', id, role, name, 0 FROM api_keys "
		      " WHERE hash = ?1 AND revoked_at IS NULL "
		      "UNION ALL "
		      "SELECT 'token', id, role, subject, expires_at FROM tokens "
		      " WHERE hash = ?1 AND revoked_at IS NULL AND expires_at > ?2"
		      /* and the key that minted it still stands (tokens revoked before
		       * store_key_revoke revoked them too) */
		      " AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = tokens.created_by"
		      "  AND k.revoked_at IS NOT NULL)",
		      &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, hash);
	sqlite3_bind_int64(s, 2, now);
	if (sqlite3_step(s) == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		snprintf(out->via, sizeof(out->via), "%s", sqlite3_column_text(s, 0));
		snprintf(out->id, sizeof(out->id), "%s", sqlite3_column_text(s, 1));
		snprintf(out->role, sizeof(out->role), "%s", sqlite3_column_text(s, 2));
		snprintf(out->subject, sizeof(out->subject), "%s", sqlite3_column_text(s, 3));
		out->expires_at = sqlite3_column_int64(s, 4);
		rc = RC_OK;
	} else {
		rc = err_set(e, RC_UNAUTH, "unauthenticated", NULL,
			     "the bearer token is unknown, revoked or expired");
	}
	sq_finish(st, s);
	return rc;
}

/* ---- records ---- */

static int sq_put(struct store *st, enum store_kind kind, const struct store_row *row,
		  struct err *e)
{
	sqlite3_stmt *s = NULL;
	char *body = sq_dump(row->body);
	int rc, r;

	if (!body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	switch (kind) {
	case STORE_MERCHANT:
		rc = sq_prep_kept(st, "INSERT INTO merchants (id, external_id, created_at, body) "
				   "VALUES (?1, ?2, ?6, ?7)", &s, e);
		break;
	case STORE_CONSUMER:
		rc = sq_prep_kept(st, "INSERT INTO consumers (id, external_id, created_at, body) "
				   "VALUES (?1, ?2, ?6, ?7)", &s, e);
		break;
	case STORE_LISTING:
		rc = sq_prep_kept(st, "INSERT INTO listings (id, version, external_id, merchant_id, "
				   "created_at, body, category) VALUES (?1, ?8, ?2, ?3, ?6, ?7, "
				   "json_extract(?7, '$.category'))", &s, e);
		break;
	case STORE_ORDER:
		rc = sq_prep_kept(st, "INSERT INTO orders (id, external_id, merchant_id, consumer_id, "
				   "created_at, body) VALUES (?1, ?2, ?3, ?4, ?6, ?7)", &s, e);
		break;
	case STORE_LOGISTICS:
		rc = sq_prep_kept(st, "INSERT INTO logistics_events (id, order_id, created_at, body) "
				   "VALUES (?1, ?5, ?6, ?7)", &s, e);
		break;
	case STORE_MESSAGE:
		rc = sq_prep_kept(st, "INSERT INTO messages (id, order_id, created_at, body) "
				   "VALUES (?1, ?5, ?6, ?7)", &s, e);
		break;
	default:
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "bad record kind");
	}
	if (rc)
		goto out;
	sq_bind_text(s, 1, row->id);
	sq_bind_text(s, 2, row->external_id);
	sq_bind_text(s, 3, row->merchant_id);
	sq_bind_text(s, 4, row->consumer_id);
	sq_bind_text(s, 5, row->order_id);
	sqlite3_bind_int64(s, 6, row->created_at);
	sq_bind_text(s, 7, body);
	sqlite3_bind_int64(s, 8, row->version);
	r = sqlite3_step(s);
	if (r == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE && row->external_id)
		rc = err_set(e, RC_CONFLICT, "duplicate_external_id", "external_id",
			     "a %s with external_id %s already exists", kinds[kind].name,
			     row->external_id);
	else if (r != SQLITE_DONE)
		rc = sq_fail(st, e, "insert record");
	if (!rc && kind == STORE_ORDER) {
		/* The items' listing versions, for visibility and integrity. */
		json_t *items = json_object_get(row->body, "items"), *it;
		size_t i;

		sq_finish(st, s);
		s = NULL;
		rc = sq_prep_kept(st, "INSERT INTO order_items (order_id, idx, listing_id, "
				   "listing_version) VALUES (?, ?, ?, ?)", &s, e);
		json_array_foreach(items, i, it) {
			if (rc)
				break;
			sqlite3_reset(s);
			sq_bind_text(s, 1, row->id);
			sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
			sq_bind_text(s, 3, json_string_value(json_object_get(it, "listing")));
			sqlite3_bind_int64(s, 4, json_integer_value(
							 json_object_get(it, "listing_version")));
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = sq_fail(st, e, "insert order item");
		}
	}
out:
	sq_finish(st, s);
	free(body);
	return rc;
}

static int sq_replace(struct store *st, enum store_kind kind, const char *id, json_t *body,
		      struct err *e)
{
	char sql[128];
	sqlite3_stmt *s;
	char *text;
	int rc;

	if (kind != STORE_CONSUMER)
		return err_set(e, RC_INTERNAL, NULL, NULL, "only consumers are updated");
	text = sq_dump(body);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	snprintf(sql, sizeof(sql), "UPDATE %s SET body = ? WHERE id = ?", kinds[kind].table);
	rc = sq_prep(st, sql, &s, e);
	if (!rc) {
		sq_bind_text(s, 1, text);
		sq_bind_text(s, 2, id);
		rc = sq_step_done(st, s, "update record", e);
	}
	free(text);
	return rc;
}

static int sq_get(struct store *st, enum store_kind kind, const char *ref, json_t **body,
		  struct err *e)
{
	char sql[256];
	sqlite3_stmt *s;
	int rc;

	*body = NULL;
	if (kind == STORE_LOGISTICS || kind == STORE_MESSAGE)
		snprintf(sql, sizeof(sql), "SELECT body FROM %s WHERE id = ?1",
			 kinds[kind].table);
	else
		/* the newest row by id, else by external_id: each a covering index search,
		 * no sort (an OR with ORDER BY built a temporary b-tree on every call) */
		snprintf(sql, sizeof(sql),
			 "SELECT body FROM %s WHERE seq = coalesce("
			 "(SELECT max(seq) FROM %s WHERE id = ?1), "
			 "(SELECT max(seq) FROM %s WHERE external_id = ?1))",
			 kinds[kind].table, kinds[kind].table, kinds[kind].table);
	rc = sq_prep_kept(st, sql, &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, ref);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*body = sq_col_json(s, 0);
		if (!*body)
			rc = err_set(e, RC_DB, "database_error", NULL, "corrupt record %s", ref);
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no %s %s", kinds[kind].name, ref);
	}
	sq_finish(st, s);
	return rc;
}

static int sq_ref_get(struct store *st, enum store_kind kind, const char *ref,
		      struct store_ref *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (kind == STORE_MERCHANT)
		rc = sq_prep_kept(st, "SELECT id, json_extract(body, '$.version'), '' FROM merchants "
				   "WHERE seq = coalesce((SELECT max(seq) FROM merchants WHERE id = ?1), "
				   "(SELECT max(seq) FROM merchants WHERE external_id = ?1))", &s, e);
	else if (kind == STORE_LISTING)
		rc = sq_prep_kept(st, "SELECT id, version, merchant_id FROM listings "
				   "WHERE seq = coalesce((SELECT max(seq) FROM listings WHERE id = ?1), "
				   "(SELECT max(seq) FROM listings WHERE external_id = ?1))", &s, e);
	else
		return err_set(e, RC_INTERNAL, NULL, NULL, "only merchants and listings");
	if (rc)
		return rc;
	sq_bind_text(s, 1, ref);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out->id, sizeof(out->id), "%s", sqlite3_column_text(s, 0));
		/* a merchant's version as store_merchant_version_of reads it */
		out->version = sqlite3_column_type(s, 1) == SQLITE_INTEGER
				       ? sqlite3_column_int64(s, 1) : 0;
		if (kind == STORE_MERCHANT && out->version < 1)
			out->version = 1;
		snprintf(out->merchant_id, sizeof(out->merchant_id), "%s",
			 sqlite3_column_text(s, 2));
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no %s %s", kinds[kind].name, ref);
	}
	sq_finish(st, s);
	return rc;
}

static int sq_listing_version(struct store *st, const char *listing_id, int64_t version,
			      json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM listings WHERE id = ? AND version = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, listing_id);
	sqlite3_bind_int64(s, 2, version);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no version %lld of listing %s",
			     (long long)version, listing_id);
	sqlite3_finalize(s);
	return rc;
}

static int sq_list(struct store *st, enum store_kind kind, const struct store_filter *f,
		   int64_t after, int limit, json_t **items, int64_t *next, struct err *e)
{
	char sql[512];
	sqlite3_stmt *s;
	const char *where;
	int rc, n = 0, step;
	int64_t last = 0;

	*items = NULL;
	*next = 0;
	switch (kind) {
	case STORE_ORDER:
		where = "(?2 IS NULL OR merchant_id = ?2) AND (?3 IS NULL OR consumer_id = ?3)";
		break;
	case STORE_LISTING:
		where = "(?2 IS NULL OR merchant_id = ?2) AND seq IN "
			"(SELECT max(seq) FROM listings GROUP BY id)";
		break;
	case STORE_LOGISTICS:
	case STORE_MESSAGE:
		where = "order_id = ?4";
		break;
	default:
		where = "1";
	}
	snprintf(sql, sizeof(sql),
		 "SELECT seq, body FROM %s WHERE seq > ?1 AND %s ORDER BY seq LIMIT ?5",
		 kinds[kind].table, where);
	rc = sq_prep(st, sql, &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sq_bind_text(s, 2, f ? f->merchant_id : NULL);
	sq_bind_text(s, 3, f ? f->consumer_id : NULL);
	sq_bind_text(s, 4, f ? f->order_id : NULL);
	sqlite3_bind_int(s, 5, limit + 1);
	*items = json_array();
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
		/* a page cut short by an error is an error, not a shorter page */
		rc = sq_fail(st, e, "list records");
		json_decref(*items);
		*items = NULL;
		*next = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_consumer_has_merchant(struct store *st, const char *consumer_id,
				    const char *merchant_id, int *yes, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT 1 FROM orders WHERE consumer_id = ? AND merchant_id = ? "
			  "LIMIT 1", &s, e);

	*yes = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, consumer_id);
	sq_bind_text(s, 2, merchant_id);
	*yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return RC_OK;
}

static int sq_consumer_has_listing(struct store *st, const char *consumer_id,
				   const char *listing_id, int *yes, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_id "
			  "WHERE i.listing_id = ? AND o.consumer_id = ? LIMIT 1", &s, e);

	*yes = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, listing_id);
	sq_bind_text(s, 2, consumer_id);
	*yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return RC_OK;
}

/* ---- blobs ---- */

static int sq_blob_put(struct store *st, const char *digest_hex, int64_t size,
		       const char *content_type, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO blobs (digest, size, content_type, created_at) "
			  "VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, digest_hex);
	sqlite3_bind_int64(s, 2, size);
	sq_bind_text(s, 3, content_type);
	sqlite3_bind_int64(s, 4, now);
	return sq_step_done(st, s, "insert blob", e);
}

static int sq_blob_get(struct store *st, const char *digest_hex, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	char id[80];
	int rc = sq_prep(st, "SELECT size, content_type, created_at FROM blobs WHERE digest = ?",
		      &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, digest_hex);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(id, sizeof(id), "sha256:%s", digest_hex);
		*out = json_pack("{s:s, s:s, s:I, s:s, s:I}", "object", "blob", "id", id,
				 "size", (json_int_t)sqlite3_column_int64(s, 0),
				 "content_type", sqlite3_column_text(s, 1),
				 "created_at", (json_int_t)sqlite3_column_int64(s, 2));
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no blob sha256:%s", digest_hex);
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_blob_ref(struct store *st, const char *digest_hex, enum store_kind kind,
		       const char *owner_id, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO blob_refs (digest, kind, owner_id) VALUES (?, ?, ?) "
			  "ON CONFLICT DO NOTHING", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, digest_hex);
	sq_bind_text(s, 2, kinds[kind].name);
	sq_bind_text(s, 3, owner_id);
	return sq_step_done(st, s, "insert blob reference", e);
}

static int sq_blob_upload(struct store *st, const char *digest_hex, const char *role,
			  const char *subject, int64_t now, int *first, int64_t *at, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO blob_uploads (digest, role, subject, created_at) "
			  "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", &s, e);

	*first = 0;
	*at = now;
	if (rc)
		return rc;
	sq_bind_text(s, 1, digest_hex);
	sq_bind_text(s, 2, role);
	sq_bind_text(s, 3, subject);
	sqlite3_bind_int64(s, 4, now);
	rc = sq_step_done(st, s, "insert blob upload", e);
	if (rc)
		return rc;
	*first = sqlite3_changes(st->db) > 0;
	if (*first)
		return RC_OK;
	rc = sq_prep(st, "SELECT created_at FROM blob_uploads WHERE digest = ? AND role = ? "
		      "AND subject = ?", &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, digest_hex);
	sq_bind_text(s, 2, role);
	sq_bind_text(s, 3, subject);
	if (sqlite3_step(s) == SQLITE_ROW)
		*at = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return RC_OK;
}

static int sq_blob_visible(struct store *st, const char *digest_hex, const char *merchant_id,
			   const char *consumer_id, int *yes, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st,
		      "SELECT 1 FROM blob_uploads u WHERE u.digest = ?1 AND ("
		      " (u.role = 'merchant' AND u.subject = ?2)"
		      " OR (u.role = 'consumer' AND u.subject = ?3)) "
		      "UNION ALL "
		      "SELECT 1 FROM blob_refs r WHERE r.digest = ?1 AND ("
		      " (r.kind = 'merchant' AND r.owner_id = ?2)"
		      " OR (r.kind = 'listing' AND EXISTS (SELECT 1 FROM listings l"
		      "     WHERE l.id = r.owner_id AND l.merchant_id = ?2))"
		      " OR (r.kind = 'listing' AND EXISTS (SELECT 1 FROM order_items i"
		      "     JOIN orders o ON o.id = i.order_id"
		      "     WHERE i.listing_id = r.owner_id AND o.consumer_id = ?3))"
		      " OR (r.kind = 'message' AND EXISTS (SELECT 1 FROM messages m"
		      "     JOIN orders o ON o.id = m.order_id WHERE m.id = r.owner_id"
		      "     AND (o.merchant_id = ?2 OR o.consumer_id = ?3)))"
		      " OR (r.kind = 'dispute' AND EXISTS (SELECT 1 FROM disputes d"
		      "     WHERE d.id = r.owner_id"
		      "     AND (d.merchant_id = ?2 OR d.consumer_id = ?3)))"
		      ") LIMIT 1",
		      &s, e);

	*yes = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, digest_hex);
	sq_bind_text(s, 2, merchant_id);
	sq_bind_text(s, 3, consumer_id);
	*yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return RC_OK;
}

/* ---- idempotency and audit ---- */

static int sq_idem_get(struct store *st, const char *principal, const char *key, char hash[65],
		       int *status, char **response, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT request_hash, status, response FROM idempotency "
			  "WHERE principal = ? AND key = ?", &s, e);

	*response = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, principal);
	sq_bind_text(s, 2, key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(hash, 65, "%s", sqlite3_column_text(s, 0));
		*status = sqlite3_column_int(s, 1);
		*response = sq_dup_text(s, 2);
		rc = *response ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = RC_NOTFOUND;
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_idem_put(struct store *st, const char *principal, const char *key, const char *hash,
		       int status, const char *response, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO idempotency (principal, key, request_hash, status, "
			  "response, created_at) VALUES (?, ?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, principal);
	sq_bind_text(s, 2, key);
	sq_bind_text(s, 3, hash);
	sqlite3_bind_int(s, 4, status);
	sq_bind_text(s, 5, response);
	sqlite3_bind_int64(s, 6, now);
	return sq_step_done(st, s, "insert idempotency record", e);
}

static int sq_idem_purge(struct store *st, int64_t before, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "DELETE FROM idempotency WHERE created_at < ?", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, before);
	return sq_step_done(st, s, "forget old idempotency records", e);
}

static int sq_audit_add(struct store *st, int64_t now, const struct principal *actor,
			const char *object_id, const char *fields, const char *route, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO audit_log (at, actor_role, actor_id, actor_subject, "
			  "object_id, fields, route) VALUES (?, ?, ?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, actor->role);
	sq_bind_text(s, 3, actor->id);
	sq_bind_text(s, 4, actor->subject);
	sq_bind_text(s, 5, object_id);
	sq_bind_text(s, 6, fields);
	sq_bind_text(s, 7, route);
	return sq_step_done(st, s, "insert audit entry", e);
}

static int sq_audit_list(struct store *st, int64_t after, int limit, json_t **items, int64_t *next,
			 struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq, at, actor_role, actor_id, actor_subject, object_id, "
			  "fields, route FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
		      &s, e);
	int n = 0;

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit + 1);
	*items = json_array();
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *row;

		if (n == limit) {
			*next = json_integer_value(json_object_get(
				json_array_get(*items, (size_t)n - 1), "id"));
			break;
		}
		row = json_pack("{s:s, s:I, s:I, s:{s:s, s:s, s:s}, s:s, s:s, s:s}",
				"object", "audit_event",
				"id", (json_int_t)sqlite3_column_int64(s, 0),
				"at", (json_int_t)sqlite3_column_int64(s, 1),
				"actor", "role", sqlite3_column_text(s, 2),
				"id", sqlite3_column_text(s, 3),
				"subject", sqlite3_column_text(s, 4),
				"object_id", sqlite3_column_text(s, 5),
				"fields", sqlite3_column_text(s, 6),
				"route", sqlite3_column_text(s, 7));
		json_array_append_new(*items, row);
		n++;
	}
	sqlite3_finalize(s);
	return RC_OK;
}

static int sq_count(struct store *st, enum store_kind kind, int64_t *n, struct err *e)
{
	char sql[128];
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", kinds[kind].table);
	rc = sq_prep(st, sql, &s, e);
	if (rc)
		return rc;
	*n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return RC_OK;
}

const struct store_access_ops sq_access_ops = {
	.key_insert = sq_key_insert,
	.key_list = sq_key_list,
	.key_revoke = sq_key_revoke,
	.token_insert = sq_token_insert,
	.token_revoke = sq_token_revoke,
	.auth_lookup = sq_auth_lookup,
	.idem_get = sq_idem_get,
	.idem_put = sq_idem_put,
	.idem_purge = sq_idem_purge,
	.audit_add = sq_audit_add,
	.audit_list = sq_audit_list,
};

const struct store_records_ops sq_records_ops = {
	.put = sq_put,
	.replace = sq_replace,
	.ref_get = sq_ref_get,
	.get = sq_get,
	.listing_version = sq_listing_version,
	.list = sq_list,
	.consumer_has_merchant = sq_consumer_has_merchant,
	.consumer_has_listing = sq_consumer_has_listing,
	.blob_put = sq_blob_put,
	.blob_get = sq_blob_get,
	.blob_ref = sq_blob_ref,
	.blob_upload = sq_blob_upload,
	.blob_visible = sq_blob_visible,
	.merchant_verified = sq_merchant_verified,
	.merchant_update = sq_merchant_update,
	.merchant_version = sq_merchant_version,
	.merchant_unverified = sq_merchant_unverified,
	.count = sq_count,
};

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open_reader = sq_open_reader,
	.begin_read = sq_begin_read,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.begin = sq_begin,
	.end = sq_end,
	.begin_lazy = sq_begin_lazy,
	.savepoint = sq_savepoint,
	.savepoint_end = sq_savepoint_end,
	.failed = sq_failed,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.access = &sq_access_ops,
	.records = &sq_records_ops,
	.seals = &sq_seals_ops,
	.disputes = &sq_disputes_ops,
	.funds = &sq_funds_ops,
	.disclosures = &sq_disclosures_ops,
	.webhooks = &sq_webhooks_ops,
	.risk = &sq_risk_ops,
	.consumer_flags = &sq_consumer_flags_ops,
	.retention = &sq_retention_ops,
	.cluster = &sq_cluster_ops,
};
