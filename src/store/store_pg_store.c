/* store_pg_store.c - the PostgreSQL backend of the store interface: opening, transactions, savepoints, settings. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* The store whose transaction this thread holds, if any. */
static __thread struct store *held_here;

int pg_not_yet(const char *what, struct err *e)
{
	return err_set(e, RC_UNSUPPORTED, "not_on_postgresql", NULL,
		       "store_%s is not on PostgreSQL yet (issue 14: store_pg_*.c); use SQLite "
		       "(the default) meanwhile", what);
}

char *pg_dump(json_t *body)
{
	return json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int64_t pg_rows_changed(const struct pg_rows *rows)
{
	const char *n = rows->res ? PQcmdTuples(rows->res) : NULL;

	return n && n[0] ? strtoll(n, NULL, 10) : 0;
}

int pg_page(struct pg_rows *rows, int limit, json_t **items, int64_t *next, struct err *e)
{
	int64_t last = 0;
	int n = 0, rc = RC_OK;

	*next = 0;
	*items = json_array();
	while (*items && pg_step(rows)) {
		json_t *body;

		if (n == limit) {
			*next = last;
			break;
		}
		last = pg_col_int64(rows, 0);
		body = pg_col_json(rows, 1);
		if (!body) {
			rc = err_set(e, RC_DB, "database_error", NULL, "corrupt record body");
			break;
		}
		json_array_append_new(*items, body);
		n++;
	}
	pg_rows_clear(rows);
	if (!*items)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (rc) {
		json_decref(*items);
		*items = NULL;
		*next = 0;
	}
	return rc;
}

/* ---- opening ---- */

static void pgs_close(struct store *st);

/* Wrap a connection (the store's from then on) in a store opened on `url`. */
static int wrap(struct store_pg *pg, const char *url, struct store **out, struct err *e)
{
	struct store *st = calloc(1, sizeof(*st));

	if (st)
		st->url = strdup(url);
	if (!st || !st->url) {
		free(st);
		store_pg_close(pg);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	store_head_init(&st->head, &store_pg_ops);
	st->pg = pg;
	pthread_mutex_init(&st->lock, NULL);
	*out = st;
	return RC_OK;
}

/*
 * `create` asks for a database of its own: PostgreSQL's database is made
 * by its operator (disputed init --db records the deployment in it), so
 * creating refuses one that already holds a deployment (an origin in
 * meta), and opening is otherwise the same.
 */
int store_pg_store_open(const char *url, int create, struct store **out, struct err *e)
{
	struct store_pg *pg;
	char *origin = NULL;
	int rc;

	*out = NULL;
	rc = store_pg_open(url, &pg, e);
	if (rc)
		return rc;
	rc = wrap(pg, url, out, e);
	if (rc || !create)
		return rc;
	rc = store_begin(*out, e);
	if (!rc) {
		rc = store_meta_get(*out, "origin", &origin, e);
		if (store_end(*out, 0, e))
			rc = RC_DB;
	}
	free(origin);
	if (rc == RC_NOTFOUND) {
		err_clear(e);
		return RC_OK;
	}
	store_close(*out);
	*out = NULL;
	return rc ? rc : err_set(e, RC_CONFLICT, "exists", NULL,
				 "the PostgreSQL database already holds a deployment");
}

static int pgs_open_reader(struct store *st, struct store **out, struct err *e)
{
	struct store_pg *pg;
	int rc;

	*out = NULL;
	rc = pg_connect(st->url, &pg, e);
	if (rc)
		return rc;
	pg->schema_version = st->pg->schema_version;
	return wrap(pg, st->url, out, e);
}

static void pgs_close(struct store *st)
{
	if (!st)
		return;
	store_pg_close(st->pg);
	pthread_mutex_destroy(&st->lock);
	free(st->url);
	free(st);
}

static int pgs_schema_version(struct store *st)
{
	return st->pg->schema_version;
}

/* ---- transactions ---- */

/* Take the store's lock and open a transaction at `iso`; a writer also takes PG_WRITE_LOCK. */
static int begin_with(struct store *st, enum pg_isolation iso, struct err *e)
{
	int rc;

	/* this thread's own transaction is open: waiting for the lock would never end */
	if (held_here == st)
		return err_set(e, RC_INTERNAL, "nested_transaction", NULL,
			       "a transaction is already open in this thread");
	pthread_mutex_lock(&st->lock);
	st->pg->lazy = 0;
	rc = pg_reconnect_if_lost(st->pg, e);
	if (!rc)
		rc = pg_begin(st->pg, iso, e);
	/* LOCK takes no snapshot: the transaction's is taken after the last writer committed */
	if (!rc && iso == PG_SERIALIZABLE)
		rc = pg_exec(st->pg, PG_WRITE_LOCK, e);
	if (rc) {
		struct err ignore;

		if (pg_end(st->pg, 0, &ignore))
			rc = rc ? rc : RC_DB;
		pthread_mutex_unlock(&st->lock);
		return rc;
	}
	held_here = st;
	return RC_OK;
}

int pg_outside_lock(struct store *st, struct err *e)
{
	int rc;

	if (held_here == st)
		return err_set(e, RC_INTERNAL, "nested_transaction", NULL,
			       "this runs outside a transaction, and one is open in this thread");
	pthread_mutex_lock(&st->lock);
	rc = pg_reconnect_if_lost(st->pg, e);
	if (rc)
		pthread_mutex_unlock(&st->lock);
	return rc;
}

void pg_outside_unlock(struct store *st)
{
	pthread_mutex_unlock(&st->lock);
}

static int pgs_begin(struct store *st, struct err *e)
{
	return begin_with(st, PG_SERIALIZABLE, e);
}

static int pgs_begin_lazy(struct store *st, struct err *e)
{
	int rc = begin_with(st, PG_SERIALIZABLE, e);

	if (!rc)
		st->pg->lazy = 1;
	return rc;
}

static int pgs_begin_read(struct store *st, struct err *e)
{
	return begin_with(st, PG_REPEATABLE_READ_RO, e);
}

static int pgs_end(struct store *st, int commit, struct err *e)
{
	struct store_pg *pg = st->pg;
	int rc = RC_OK;

	/* ending a transaction this thread does not hold never releases another's lock */
	if (held_here != st)
		return commit ? err_set(e, RC_DB, "database_error", NULL, "no transaction is open")
			      : RC_OK;
	/* savepoints open: the caller runs inside a batch whose transaction is not its to end */
	if (pg->nsp > 0) {
		pg->failed = 1;
		return err_set(e, RC_INTERNAL, "nested_transaction", NULL,
			       "a transaction was ended inside a savepoint");
	}
	/* not waiting for the disk: visible at once, kept unless the server itself dies */
	if (commit && pg->lazy && !pg->failed &&
	    pg_exec(pg, "SET LOCAL synchronous_commit = off", e))
		pg->failed = 1;
	pg->lazy = 0;
	if (commit && pg->failed) {
		struct err ignore;

		if (pg_end(pg, 0, &ignore))
			rc = RC_DB;
		rc = err_set(e, RC_DB, "database_error", NULL,
			     "transaction rolled back after a failed statement");
	} else if (commit) {
		rc = pg_end(pg, 1, e);
		if (rc && pg_retryable(pg))
			rc = err_set(e, RC_CONFLICT, "serialization_failure", NULL,
				     "the transaction conflicted with a concurrent one and was "
				     "rolled back: run it again");
	} else {
		struct err ignore;

		if (pg_end(pg, 0, &ignore))
			rc = RC_OK;
	}
	held_here = NULL;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int pgs_savepoint(struct store *st, struct err *e)
{
	if (held_here != st)
		return err_set(e, RC_DB, "database_error", NULL, "no transaction is open");
	if (st->pg->nsp >= STORE_SAVEPOINT_MAX)
		return err_set(e, RC_INTERNAL, NULL, NULL, "too many savepoints");
	return pg_savepoint(st->pg, e);
}

static int pgs_savepoint_end(struct store *st, int keep, struct err *e)
{
	struct store_pg *pg = st->pg;
	int rc;

	if (held_here != st || pg->nsp == 0)
		return err_set(e, RC_DB, "database_error", NULL, "no savepoint is open");
	/* keeping one in which a statement failed rolls it back and says so */
	if (keep && pg->failed && !pg->sp_failed[pg->nsp - 1]) {
		rc = pg_savepoint_end(pg, 0, e);
		return rc ? rc
			  : err_set(e, RC_DB, "database_error", NULL,
				    "savepoint rolled back after a failed statement");
	}
	return pg_savepoint_end(pg, keep, e);
}

static int pgs_failed(struct store *st)
{
	return held_here == st && st->pg->failed;
}

/* ---- settings ---- */

static int pgs_meta_get(struct store *st, const char *key, char **out, struct err *e)
{
	const char *p[] = {key};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT value FROM meta WHERE key = $1", 1, p, &rows, e);

	*out = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*out = pg_col_dup(&rows, 0);
		rc = *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no setting %s", key);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgs_meta_set(struct store *st, const char *key, const char *value, struct err *e)
{
	const char *p[] = {key, value};

	return pg_query(st->pg, "INSERT INTO meta (key, value) VALUES ($1, $2) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value", 2, p, NULL, e);
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open_reader = pgs_open_reader,
	.begin_read = pgs_begin_read,
	.close = pgs_close,
	.schema_version = pgs_schema_version,
	.begin = pgs_begin,
	.end = pgs_end,
	.begin_lazy = pgs_begin_lazy,
	.savepoint = pgs_savepoint,
	.savepoint_end = pgs_savepoint_end,
	.failed = pgs_failed,
	.meta_get = pgs_meta_get,
	.meta_set = pgs_meta_set,
	.access = &pg_access_ops,
	.records = &pg_records_ops,
	.seals = &pg_seals_ops,
	.disputes = &pg_disputes_ops,
	.funds = &pg_funds_ops,
	.disclosures = &pg_disclosures_ops,
	.webhooks = &pg_webhooks_ops,
	.risk = &pg_risk_ops,
	.consumer_flags = &pg_consumer_flags_ops,
	.retention = &pg_retention_ops,
	.cluster = &pg_cluster_ops,
};
