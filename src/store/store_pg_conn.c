/* store_pg_conn.c - the PostgreSQL connection: URLs, prepared statements, rows, transactions, retries. */
#include "store/store_pg_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/timeutil.h"

/* ---- URLs ---- */

int store_pg_is_url(const char *db)
{
	return db && (strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0);
}

int store_pg_url_check(const char *url, struct err *e)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	int rc = RC_OK;

	if (!store_pg_is_url(url))
		return err_set(e, RC_INVAL, "invalid_setting", "db",
			       "db must be a URL postgres://USER@HOST:PORT/DATABASE");
	opts = PQconninfoParse(url, &msg);
	if (!opts) {
		/* libpq's message may quote the URL, password and all: keep it out */
		PQfreemem(msg);
		return err_set(e, RC_INVAL, "invalid_setting", "db",
			       "db is not a PostgreSQL URL libpq can read");
	}
	for (o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0])
			rc = err_set(e, RC_INVAL, "password_in_url", "db",
				     "db carries a password: keep it out of the URL, in a "
				     "password file (PGPASSFILE, default ~/.pgpass)");
	}
	PQconninfoFree(opts);
	return rc;
}

/* ---- connecting ---- */

static void pg_notice_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void pg_where(struct store_pg *pg)
{
	const char *host = PQhost(pg->conn), *port = PQport(pg->conn);

	snprintf(pg->where, sizeof(pg->where), "%s@%s:%s/%s", PQuser(pg->conn) ? PQuser(pg->conn) : "",
		 host && host[0] ? host : "localhost", port && port[0] ? port : "5432",
		 PQdb(pg->conn) ? PQdb(pg->conn) : "");
}

/* libpq's message, its trailing newline cut, into `out`. */
static void pg_message(const char *msg, char *out, size_t len)
{
	size_t n;

	snprintf(out, len, "%s", msg && msg[0] ? msg : "unknown error");
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

int pg_connect(const char *url, struct store_pg **out, struct err *e)
{
	/* the URL's own settings override those before it; the encoding after it is fixed */
	static const char *const keys[] = {"connect_timeout", "dbname", "fallback_application_name",
					   "client_encoding", NULL};
	const char *vals[] = {"10", url, "disputed", "UTF8", NULL};
	struct store_pg *pg;
	char msg[240];
	int rc;

	*out = NULL;
	rc = store_pg_url_check(url, e);
	if (rc)
		return rc;
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	pg->conn = PQconnectdbParams(keys, vals, 1);
	if (!pg->conn) {
		free(pg);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory connecting to PostgreSQL");
	}
	pg_where(pg);
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pg_message(PQerrorMessage(pg->conn), msg, sizeof(msg));
		rc = err_set(e, RC_DB, "database_unavailable", "db",
			     "cannot connect to PostgreSQL %s: %s", pg->where, msg);
		store_pg_close(pg);
		return rc;
	}
	PQsetNoticeProcessor(pg->conn, pg_notice_quiet, NULL);
	*out = pg;
	return RC_OK;
}

static void pg_forget_kept(struct store_pg *pg)
{
	for (int i = 0; i < PG_KEPT_MAX; i++) {
		free(pg->kept_sql[i]);
		pg->kept_sql[i] = NULL;
	}
}

int pg_reconnect_if_lost(struct store_pg *pg, struct err *e)
{
	char msg[240];

	if (PQstatus(pg->conn) == CONNECTION_OK)
		return RC_OK;
	/* a new session: the statements the old one had prepared are gone with it */
	pg_forget_kept(pg);
	pg->in_tx = pg->failed = pg->nsp = 0;
	/* whether or not it comes back, the old session and what it held are gone */
	pg->session++;
	PQreset(pg->conn);
	if (PQstatus(pg->conn) == CONNECTION_OK) {
		PQsetNoticeProcessor(pg->conn, pg_notice_quiet, NULL);
		return RC_OK;
	}
	pg_message(PQerrorMessage(pg->conn), msg, sizeof(msg));
	return err_set(e, RC_DB, "database_unavailable", NULL,
		       "connection to PostgreSQL %s lost and not regained: %s", pg->where, msg);
}

void store_pg_close(struct store_pg *pg)
{
	if (!pg)
		return;
	if (pg->conn)
		PQfinish(pg->conn);
	pg_forget_kept(pg);
	free(pg);
}

int store_pg_open(const char *url, struct store_pg **out, struct err *e)
{
	struct store_pg *pg;
	int rc;

	*out = NULL;
	rc = pg_connect(url, &pg, e);
	if (rc)
		return rc;
	rc = store_pg_migrate(pg, e);
	if (rc) {
		store_pg_close(pg);
		return rc;
	}
	*out = pg;
	return RC_OK;
}

int store_pg_schema_version(const struct store_pg *pg)
{
	return pg->schema_version;
}

int store_pg_unsupported(struct err *e)
{
	return err_set(e, RC_UNSUPPORTED, "unsupported_database", "db",
		       "the PostgreSQL backend is not complete yet: its connection and schema "
		       "exist (disputed init --db applies them), the store's functions over it "
		       "come next (issue 14, store_pg_*.c); use SQLite (the default) meanwhile");
}

/* ---- statements ---- */

static int pg_sqlstate_is(const struct store_pg *pg, const char *state)
{
	return strcmp(pg->sqlstate, state) == 0;
}

int pg_retryable(const struct store_pg *pg)
{
	return pg_sqlstate_is(pg, "40001") || pg_sqlstate_is(pg, "40P01");
}

int pg_fail(struct store_pg *pg, PGresult *res, const char *what, struct err *e)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[240];

	snprintf(pg->sqlstate, sizeof(pg->sqlstate), "%s", state ? state : "");
	if (pg->in_tx)
		pg->failed = 1;
	pg_message(primary ? primary : PQerrorMessage(pg->conn), msg, sizeof(msg));
	if (state && strncmp(state, "23", 2) == 0)
		return err_set(e, RC_CONFLICT, "conflict", NULL, "%s: %s", what, msg);
	if (pg_retryable(pg))
		return err_set(e, RC_DB, "serialization_failure", NULL, "%s: %s (SQLSTATE %s)",
			       what, msg, state);
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return err_set(e, RC_DB, "database_unavailable", NULL,
			       "%s: connection to PostgreSQL %s lost: %s", what, pg->where, msg);
	return err_set(e, RC_DB, "database_error", NULL, "%s: %s%s%s", what, msg,
		       state ? " SQLSTATE " : "", state ? state : "");
}

/* Did `res` succeed? Clears it and fails otherwise. */
static int pg_result_ok(struct store_pg *pg, PGresult *res, const char *what, struct err *e)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		pg->sqlstate[0] = '\0';
		return RC_OK;
	}
	rc = pg_fail(pg, res, what, e);
	PQclear(res);
	return rc;
}

int pg_exec(struct store_pg *pg, const char *sql, struct err *e)
{
	PGresult *res = PQexec(pg->conn, sql);
	int rc = pg_result_ok(pg, res, sql, e);

	if (!rc)
		PQclear(res);
	return rc;
}

/* The slot of `sql` among the kept statements, preparing it there if new; -1 when all are taken. */
static int pg_kept_slot(struct store_pg *pg, const char *sql, int nparams, int *slot,
			struct err *e)
{
	char name[16];
	PGresult *res;
	int i, free_slot = -1, rc;

	*slot = -1;
	for (i = 0; i < PG_KEPT_MAX; i++) {
		if (!pg->kept_sql[i]) {
			if (free_slot < 0)
				free_slot = i;
		} else if (strcmp(pg->kept_sql[i], sql) == 0) {
			*slot = i;
			return RC_OK;
		}
	}
	if (free_slot < 0)
		return RC_OK;
	snprintf(name, sizeof(name), "k%d", free_slot);
	res = PQprepare(pg->conn, name, sql, nparams, NULL);
	rc = pg_result_ok(pg, res, sql, e);
	if (rc)
		return rc;
	PQclear(res);
	pg->kept_sql[free_slot] = strdup(sql);
	if (!pg->kept_sql[free_slot]) {
		/* prepared but not remembered: drop them all so the names can be reused */
		PQclear(PQexec(pg->conn, "DEALLOCATE ALL"));
		pg_forget_kept(pg);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	*slot = free_slot;
	return RC_OK;
}

int pg_query(struct store_pg *pg, const char *sql, int nparams, const char *const *params,
	     struct pg_rows *rows, struct err *e)
{
	PGresult *res;
	char name[16];
	int slot, rc;

	if (rows)
		memset(rows, 0, sizeof(*rows));
	if (nparams < 0 || nparams > PG_PARAMS_MAX)
		return err_set(e, RC_INTERNAL, NULL, NULL, "%d parameters: at most %d", nparams,
			       PG_PARAMS_MAX);
	rc = pg_kept_slot(pg, sql, nparams, &slot, e);
	if (rc)
		return rc;
	if (slot >= 0) {
		snprintf(name, sizeof(name), "k%d", slot);
		res = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0);
	} else {
		res = PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	}
	rc = pg_result_ok(pg, res, sql, e);
	if (rc)
		return rc;
	if (rows) {
		rows->res = res;
		rows->nrows = PQntuples(res);
		rows->row = -1;
	} else {
		PQclear(res);
	}
	return RC_OK;
}

/* ---- rows ---- */

int pg_step(struct pg_rows *rows)
{
	if (!rows->res || rows->row + 1 >= rows->nrows)
		return 0;
	rows->row++;
	return 1;
}

void pg_rows_clear(struct pg_rows *rows)
{
	PQclear(rows->res);
	memset(rows, 0, sizeof(*rows));
}

static int pg_col_valid(const struct pg_rows *rows, int col)
{
	return rows->res && rows->row >= 0 && rows->row < rows->nrows && col >= 0 &&
	       col < PQnfields(rows->res);
}

int pg_col_null(const struct pg_rows *rows, int col)
{
	return !pg_col_valid(rows, col) || PQgetisnull(rows->res, rows->row, col);
}

const char *pg_col_text(const struct pg_rows *rows, int col)
{
	return pg_col_null(rows, col) ? NULL : PQgetvalue(rows->res, rows->row, col);
}

char *pg_col_dup(const struct pg_rows *rows, int col)
{
	const char *t = pg_col_text(rows, col);

	return t ? strdup(t) : NULL;
}

int64_t pg_col_int64(const struct pg_rows *rows, int col)
{
	const char *t = pg_col_text(rows, col);
	char *end;
	long long v;

	if (!t)
		return 0;
	errno = 0;
	v = strtoll(t, &end, 10);
	if (errno || end == t || *end)
		return 0;
	return (int64_t)v;
}

json_t *pg_col_json(const struct pg_rows *rows, int col)
{
	const char *t = pg_col_text(rows, col);

	return t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
}

unsigned char *pg_col_bytea(const struct pg_rows *rows, int col, size_t *len)
{
	const char *t = pg_col_text(rows, col);
	unsigned char *raw, *copy;
	size_t n;

	*len = 0;
	if (!t)
		return NULL;
	raw = PQunescapeBytea((const unsigned char *)t, &n);
	if (!raw)
		return NULL;
	copy = malloc(n ? n : 1);
	if (copy) {
		memcpy(copy, raw, n);
		*len = n;
	}
	PQfreemem(raw);
	return copy;
}

const char *pg_i64(char buf[PG_I64_TEXT], int64_t v)
{
	snprintf(buf, PG_I64_TEXT, "%" PRId64, v);
	return buf;
}

char *pg_bytea_param(const unsigned char *bytes, size_t n)
{
	char *p;

	if (n > (SIZE_MAX - 3) / 2)
		return NULL;
	p = malloc(2 * n + 3);
	if (!p)
		return NULL;
	p[0] = '\\';
	p[1] = 'x';
	sodium_bin2hex(p + 2, 2 * n + 1, bytes, n);
	return p;
}

char *pg_i64_array(const int64_t *v, size_t n)
{
	size_t room, i, used = 1;
	char *p;

	/* each number with its comma, the braces, the NUL */
	if (n > (SIZE_MAX - 3) / PG_I64_TEXT)
		return NULL;
	room = n * PG_I64_TEXT + 3;
	p = malloc(room);
	if (!p)
		return NULL;
	p[0] = '{';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(p + used, room - used, "%s%" PRId64, i ? "," : "", v[i]);
	snprintf(p + used, room - used, "}");
	return p;
}

/* ---- transactions ---- */

int pg_begin(struct store_pg *pg, enum pg_isolation iso, struct err *e)
{
	static const char *const begin[] = {
		[PG_SERIALIZABLE] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
		[PG_REPEATABLE_READ_RO] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		[PG_READ_COMMITTED] = "BEGIN ISOLATION LEVEL READ COMMITTED",
	};
	int rc;

	if (pg->in_tx)
		return err_set(e, RC_INTERNAL, "nested_transaction", NULL,
			       "a transaction is already open on this connection");
	if ((unsigned)iso >= sizeof(begin) / sizeof(begin[0]))
		return err_set(e, RC_INTERNAL, NULL, NULL, "no such isolation level %d", (int)iso);
	rc = pg_exec(pg, begin[iso], e);
	if (rc)
		return rc;
	pg->in_tx = 1;
	pg->failed = 0;
	pg->nsp = 0;
	return RC_OK;
}

int pg_end(struct store_pg *pg, int commit, struct err *e)
{
	PGresult *res;
	int rc = RC_OK;

	if (!pg->in_tx)
		return RC_OK;
	if (commit && pg->failed)
		rc = e && e->rc ? e->rc
				: err_set(e, RC_DB, "database_error", NULL,
					  "a statement of this transaction failed");
	if (commit && !pg->failed) {
		res = PQexec(pg->conn, "COMMIT");
		rc = pg_result_ok(pg, res, "COMMIT", e);
		if (!rc)
			PQclear(res);
	} else {
		PQclear(PQexec(pg->conn, "ROLLBACK"));
	}
	pg->in_tx = 0;
	pg->failed = 0;
	pg->nsp = 0;
	return rc;
}

int pg_savepoint(struct store_pg *pg, struct err *e)
{
	int rc;

	if (!pg->in_tx)
		return err_set(e, RC_DB, "database_error", NULL, "no transaction is open");
	if (pg->nsp >= PG_SAVEPOINT_MAX)
		return err_set(e, RC_INTERNAL, NULL, NULL, "too many savepoints");
	rc = pg_exec(pg, "SAVEPOINT sp", e);
	if (rc)
		return rc;
	pg->sp_failed[pg->nsp++] = pg->failed;
	return RC_OK;
}

int pg_savepoint_end(struct store_pg *pg, int keep, struct err *e)
{
	int rc, was;

	if (!pg->in_tx || pg->nsp == 0)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no savepoint is open");
	was = pg->sp_failed[--pg->nsp];
	if (keep && !pg->failed)
		return pg_exec(pg, "RELEASE SAVEPOINT sp", e);
	/* a failed statement since the savepoint is undone with it */
	rc = pg_exec(pg, "ROLLBACK TO SAVEPOINT sp", e);
	if (!rc)
		rc = pg_exec(pg, "RELEASE SAVEPOINT sp", e);
	if (!rc)
		pg->failed = was;
	return rc;
}

/* Sleep before try `attempt` (2, 3, ...): exponential, capped, with full jitter. */
static void pg_backoff(int attempt)
{
	long cap = PG_BACKOFF_FIRST_MS;
	struct timespec ts;
	long ms;

	for (int i = 2; i < attempt && cap < PG_BACKOFF_MAX_MS; i++)
		cap *= 2;
	if (cap > PG_BACKOFF_MAX_MS)
		cap = PG_BACKOFF_MAX_MS;
	ms = cap / 2 + (long)randombytes_uniform((uint32_t)(cap / 2 + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int pg_transact(struct store_pg *pg, enum pg_isolation iso, pg_txn_fn fn, void *arg,
		struct err *e)
{
	int rc = RC_OK, attempt;

	for (attempt = 1; attempt <= PG_RETRY_MAX; attempt++) {
		if (attempt > 1) {
			pg->retries++;
			pg_backoff(attempt);
		}
		err_clear(e);
		rc = pg_begin(pg, iso, e);
		if (!rc) {
			int rc2;

			rc = fn(pg, arg, e);
			rc2 = pg_end(pg, rc == RC_OK, e);
			if (!rc)
				rc = rc2;
		}
		if (rc == RC_OK || !pg_retryable(pg))
			return rc;
	}
	return err_set(e, RC_DB, "serialization_failure", NULL,
		       "transaction kept conflicting with concurrent ones: gave up after %d tries "
		       "(SQLSTATE %s)", PG_RETRY_MAX, pg->sqlstate);
}

/* What store_pg_deployment's transaction looks at and does. */
struct pg_deployment {
	const char *origin;  /* the log's origin line to record, or NULL to only look */
	int existed;         /* out: the database already held a deployment */
};

/* One transaction: the deployment's origin and creation time, unless it has them already. */
static int deployment_meta(struct store_pg *pg, void *arg, struct err *e)
{
	struct pg_deployment *d = arg;
	char created[TIME_TEXT_MAX];
	const char *params[2];
	struct pg_rows rows;
	int rc;

	rc = pg_query(pg, "SELECT value FROM meta WHERE key = 'origin'", 0, NULL, &rows, e);
	if (rc)
		return rc;
	d->existed = pg_step(&rows);
	pg_rows_clear(&rows);
	if (d->existed || !d->origin)
		return RC_OK;
	time_format(time_now_ms(), created);
	params[0] = d->origin;
	params[1] = created;
	return pg_query(pg, "INSERT INTO meta (key, value) VALUES ('origin', $1), "
			    "('created_at', $2)", 2, params, NULL, e);
}

int store_pg_deployment(struct store_pg *pg, const char *origin, int *existed, struct err *e)
{
	struct pg_deployment d = {origin, 0};
	int rc = pg_transact(pg, PG_SERIALIZABLE, deployment_meta, &d, e);

	*existed = d.existed;
	return rc;
}
