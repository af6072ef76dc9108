/* store_pg_retention.c - the PostgreSQL side of legal holds, orders due for shredding, shredded bodies and salts, and the shredding register. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- legal holds ---- */

static int pgrt_legal_hold_insert(struct store *st, const struct store_legal_hold_row *row,
				  struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {row->id,        row->order_id,   row->dispute_id,
			   row->authority, row->reference,  row->reason,
			   row->created_by, pg_i64(t, row->created_at)};

	return pg_query(st->pg, "INSERT INTO legal_holds (id, order_id, dispute_id, authority, "
			"reference, reason, created_by, created_at) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8, p, NULL, e);
}

/* A hold row as its JSON body, built by PostgreSQL (members in SQLite's order). */
#define HOLD_JSON                                                                        \
	"json_build_object('object', 'legal_hold', 'id', id, 'order', order_id, "        \
	"'dispute', dispute_id, 'authority', authority, 'reference', reference, "        \
	"'reason', reason, 'created_by', created_by, 'created_at', created_at, "         \
	"'lifted_at', lifted_at, 'lifted_by', lifted_by, 'lift_reason', lift_reason)"

static int pgrt_legal_hold_get(struct store *st, const char *id, json_t **out, struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT " HOLD_JSON " FROM legal_holds WHERE id = $1", 1, p,
			  &rows, e);

	*out = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*out = pg_col_json(&rows, 0);
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such legal hold");
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgrt_legal_hold_list(struct store *st, const char *order_id, int active, int64_t after,
				int limit, json_t **items, int64_t *next, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), order_id, pg_i64(t2, active),
			   pg_i64(t3, (int64_t)limit + 1)};
	struct pg_rows rows;
	int rc;

	*items = NULL;
	*next = 0;
	rc = pg_query(st->pg, "SELECT seq, " HOLD_JSON " FROM legal_holds WHERE seq > $1 "
		      "AND ($2::text IS NULL OR order_id = $2) AND ($3::bigint = 0 OR "
		      "lifted_at IS NULL) ORDER BY seq LIMIT $4", 4, p, &rows, e);
	if (rc)
		return rc;
	return pg_page(&rows, limit, items, next, e);
}

static int pgrt_legal_hold_lift(struct store *st, const char *id, const char *by,
				const char *reason, int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p1[] = {id};
	const char *p2[] = {pg_i64(t, now), by, reason, id};
	struct pg_rows rows;
	int lifted = 0, rc = pg_query(st->pg, "SELECT lifted_at IS NOT NULL FROM legal_holds "
				      "WHERE id = $1", 1, p1, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows))
		lifted = strcmp(pg_col_text(&rows, 0), "t") == 0;
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such legal hold");
	pg_rows_clear(&rows);
	if (rc)
		return rc;
	if (lifted)
		return err_set(e, RC_CONFLICT, "hold_lifted", NULL, "the legal hold was lifted already");
	return pg_query(st->pg, "UPDATE legal_holds SET lifted_at = $1, lifted_by = $2, "
			"lift_reason = $3 WHERE id = $4", 4, p2, NULL, e);
}

/* Run a query of one integer with one or two text parameters ($1, $2). */
static int one_int(struct store *st, const char *sql, const char *a, const char *b, int64_t *out,
		   struct err *e)
{
	const char *p[] = {a, b};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, b ? 2 : 1, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows))
		*out = pg_col_int64(&rows, 0);
	else
		rc = err_set(e, RC_DB, "database_error", NULL, "read: no row");
	pg_rows_clear(&rows);
	return rc;
}

static int pgrt_order_held(struct store *st, const char *order_id, int *held, struct err *e)
{
	int64_t n = 0;
	int rc = one_int(st, "SELECT count(*) FROM legal_holds WHERE order_id = $1 "
			 "AND lifted_at IS NULL", order_id, NULL, &n, e);

	*held = n > 0;
	return rc;
}

/* ---- what is due ---- */

/* An order's last activity, as one expression over its row `o` (NULLs count as 0). */
#define LAST_ACTIVITY                                                                            \
	"greatest(o.created_at,"                                                                 \
	" coalesce((SELECT max(created_at) FROM logistics_events WHERE order_id = o.id), 0),"    \
	" coalesce((SELECT max(created_at) FROM messages WHERE order_id = o.id), 0),"            \
	" coalesce((SELECT max(updated_at) FROM disputes WHERE order_id = o.id), 0),"            \
	" coalesce((SELECT max(v.created_at) FROM dispute_events v JOIN disputes d"              \
	"   ON d.id = v.dispute_id WHERE d.order_id = o.id), 0),"                                \
	" coalesce((SELECT greatest(max(created_at), coalesce(max(decided_at), 0))"              \
	"   FROM disclosures WHERE order_id = o.id), 0),"                                        \
	" coalesce((SELECT max(v.created_at) FROM disclosure_events v JOIN disclosures s"        \
	"   ON s.id = v.disclosure_id WHERE s.order_id = o.id), 0))"

static int pgrt_retention_due(struct store *st, int64_t cutoff, int64_t after, int limit,
			      char (*ids)[ID_MAX], int64_t *last, int *n, int64_t *next,
			      struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), pg_i64(t2, cutoff), pg_i64(t3, (int64_t)limit + 1)};
	struct pg_rows rows;
	int64_t seq = 0;
	int rc;

	*n = 0;
	*next = 0;
	rc = pg_query(st->pg, "SELECT seq, id, last FROM (SELECT o.seq AS seq, o.id AS id, "
		      LAST_ACTIVITY " AS last FROM orders o WHERE o.seq > $1 AND NOT EXISTS "
		      "(SELECT 1 FROM shreddings h WHERE h.order_id = o.id)) AS t "
		      "WHERE last < $2 ORDER BY seq LIMIT $3", 3, p, &rows, e);
	if (rc)
		return rc;
	while (pg_step(&rows)) {
		if (*n == limit) {
			*next = seq;
			break;
		}
		seq = pg_col_int64(&rows, 0);
		snprintf(ids[*n], ID_MAX, "%s", pg_col_text(&rows, 1));
		if (last)
			last[*n] = pg_col_int64(&rows, 2);
		(*n)++;
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

/* ---- shredding ---- */

static int pgrt_body_shred(struct store *st, const char *kind, const char *id, json_t *body,
			   struct err *e)
{
	/* one statement text per table, so each is prepared once */
	static const struct {
		const char *kind, *sql;
	} tables[] = {
		{"order", "UPDATE orders SET body = $1 WHERE id = $2"},
		{"logistics", "UPDATE logistics_events SET body = $1 WHERE id = $2"},
		{"message", "UPDATE messages SET body = $1 WHERE id = $2"},
		{"dispute_event", "UPDATE dispute_events SET body = $1 WHERE id = $2"},
		{"disclosure_event", "UPDATE disclosure_events SET body = $1 WHERE id = $2"},
		{"dispute", "UPDATE disputes SET body = $1 WHERE id = $2"},
		{"disclosure", "UPDATE disclosures SET body = $1 WHERE id = $2"},
		{"consumer", "UPDATE consumers SET body = $1 WHERE id = $2"},
	};
	const char *sql = NULL, *p[2];
	struct pg_rows rows;
	char *text;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(tables[i].kind, kind) == 0)
			sql = tables[i].sql;
	if (!sql)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no shredding of %s records", kind);
	text = pg_dump(body);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	p[0] = text;
	p[1] = id;
	rc = pg_query(st->pg, sql, 2, p, &rows, e);
	free(text);
	if (rc)
		return rc;
	if (pg_rows_changed(&rows) != 1)
		rc = err_set(e, RC_NOTFOUND, NULL, NULL, "no %s %s to shred", kind, id);
	pg_rows_clear(&rows);
	return rc;
}

static int pgrt_seal_salts_shred(struct store *st, int64_t seq, const char *salts, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {salts, pg_i64(t, seq)};

	return pg_query(st->pg, "UPDATE seals SET salts = $1, secret = NULL WHERE seq = $2", 2, p,
			NULL, e);
}

static int pgrt_consumer_live_orders(struct store *st, const char *consumer_id, int64_t *n,
				     struct err *e)
{
	return one_int(st, "SELECT count(*) FROM orders o WHERE o.consumer_id = $1 AND NOT EXISTS "
		       "(SELECT 1 FROM shreddings h WHERE h.order_id = o.id)", consumer_id, NULL,
		       n, e);
}

static int pgrt_blob_cited_elsewhere(struct store *st, const char *digest_hex, const char *order_id,
				     int *yes, struct err *e)
{
	int64_t n = 0;
	int rc = one_int(st,
			 "SELECT count(*) FROM blob_refs r WHERE r.digest = $1 AND NOT ("
			 " (r.kind = 'message' AND EXISTS (SELECT 1 FROM messages m WHERE"
			 "   m.id = r.owner_id AND (m.order_id = $2 OR m.order_id IN"
			 "   (SELECT order_id FROM shreddings))))"
			 " OR (r.kind = 'dispute' AND EXISTS (SELECT 1 FROM disputes d WHERE"
			 "   d.id = r.owner_id AND (d.order_id = $2 OR d.order_id IN"
			 "   (SELECT order_id FROM shreddings)))))",
			 digest_hex, order_id ? order_id : "", &n, e);

	*yes = n > 0;
	return rc;
}

static int pgrt_purge_mentions(struct store *st, const char *needle, struct err *e)
{
	static const char *const sql[] = {
		"DELETE FROM idempotency WHERE strpos(response, $1) > 0",
		"DELETE FROM deliveries WHERE event_id IN "
		"(SELECT id FROM outbox WHERE strpos(body, $1) > 0)",
		"DELETE FROM outbox WHERE strpos(body, $1) > 0",
	};
	const char *p[] = {needle};
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]) && !rc; i++)
		rc = pg_query(st->pg, sql[i], 1, p, NULL, e);
	return rc;
}

/* ---- the register ---- */

static int pgrt_shredding_insert(struct store *st, const char *id, const char *order_id,
				 int64_t created_at, json_t *body, struct err *e)
{
	char t[PG_I64_TEXT], *text = pg_dump(body);
	const char *p[] = {id, order_id, pg_i64(t, created_at), text};
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = pg_query(st->pg, "INSERT INTO shreddings (id, order_id, created_at, body) "
		      "VALUES ($1, $2, $3, $4)", 4, p, NULL, e);
	free(text);
	return rc;
}

static int pgrt_blob_shredded(struct store *st, const char *digest_hex, int *yes, struct err *e)
{
	char id[80];
	int64_t n = 0;
	int rc;

	snprintf(id, sizeof(id), "sha256:%s", digest_hex);
	rc = one_int(st, "SELECT count(*) FROM shreddings h, json_array_elements_text(CASE WHEN "
		     "json_typeof(h.body::json -> 'blobs') = 'array' THEN h.body::json -> 'blobs' "
		     "ELSE '[]'::json END) b WHERE b = $1", id, NULL, &n, e);
	*yes = n > 0;
	return rc;
}

/* The body of the one shredding `sql` ($1) finds: *body NULL when none. */
static int one_body(struct store *st, const char *sql, const char *key, json_t **body,
		    struct err *e)
{
	const char *p[] = {key};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, 1, p, &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*body = pg_col_json(&rows, 0);
		if (!*body)
			rc = err_set(e, RC_INTERNAL, NULL, NULL, "the shredding of %s is not JSON",
				     key);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgrt_shredding_of_order(struct store *st, const char *order_id, json_t **body,
				   struct err *e)
{
	return one_body(st, "SELECT body FROM shreddings WHERE order_id = $1", order_id, body, e);
}

static int pgrt_shredding_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	int rc = one_body(st, "SELECT body FROM shreddings WHERE id = $1", id, body, e);

	if (!rc && !*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such shredding");
	return rc;
}

static int pgrt_shredding_each(struct store *st, int (*fn)(void *ctx, json_t *body), void *ctx,
			       struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT body FROM shreddings ORDER BY seq", 0, NULL, &rows, e);

	if (rc)
		return rc;
	while (!rc && pg_step(&rows)) {
		json_t *body = pg_col_json(&rows, 0);

		if (!body)
			body = json_null(); /* unreadable: the callback says so */
		rc = fn(ctx, body);
		json_decref(body);
	}
	pg_rows_clear(&rows);
	return rc;
}

/* ---- leaving nothing on the disk ---- */

/*
 * PostgreSQL has no secure_delete: an UPDATE writes a new row version and
 * leaves the old one in its page until VACUUM prunes it and a later row
 * takes its place (docs/postgres.md, "Shredding"). Nothing to switch on.
 */
static int pgrt_secure_delete(struct store *st, int on, struct err *e)
{
	(void)st;
	(void)on;
	(void)e;
	return RC_OK;
}

/*
 * The tables shredding rewrites or deletes from: VACUUM prunes their dead
 * row versions (the shredded bodies, salts and secrets) so no query and no
 * index reaches them and their space is reused. It neither rewrites the
 * files nor touches the WAL, its archive or replicas (docs/postgres.md).
 */
static const char *const compact_sql[] = {
	"VACUUM orders",           "VACUUM logistics_events", "VACUUM messages",
	"VACUUM dispute_events",   "VACUUM disclosure_events", "VACUUM disputes",
	"VACUUM disclosures",      "VACUUM consumers",        "VACUUM seals",
	"VACUUM idempotency",      "VACUUM deliveries",       "VACUUM outbox",
};

static int pgrt_compact(struct store *st, struct err *e)
{
	size_t i;
	int rc;

	pthread_mutex_lock(&st->lock);
	if (st->pg->in_tx) {
		pthread_mutex_unlock(&st->lock);
		return err_set(e, RC_INTERNAL, NULL, NULL, "compact inside a transaction");
	}
	rc = pg_reconnect_if_lost(st->pg, e);
	/* each on its own: VACUUM runs in no transaction block, not even an implicit one */
	for (i = 0; i < sizeof(compact_sql) / sizeof(compact_sql[0]) && !rc; i++)
		rc = pg_exec(st->pg, compact_sql[i], e);
	st->pg->failed = 0;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

const struct store_retention_ops pg_retention_ops = {
	.legal_hold_insert = pgrt_legal_hold_insert,
	.legal_hold_get = pgrt_legal_hold_get,
	.legal_hold_list = pgrt_legal_hold_list,
	.legal_hold_lift = pgrt_legal_hold_lift,
	.order_held = pgrt_order_held,
	.retention_due = pgrt_retention_due,
	.body_shred = pgrt_body_shred,
	.seal_salts_shred = pgrt_seal_salts_shred,
	.consumer_live_orders = pgrt_consumer_live_orders,
	.blob_cited_elsewhere = pgrt_blob_cited_elsewhere,
	.purge_mentions = pgrt_purge_mentions,
	.shredding_insert = pgrt_shredding_insert,
	.blob_shredded = pgrt_blob_shredded,
	.shredding_of_order = pgrt_shredding_of_order,
	.shredding_get = pgrt_shredding_get,
	.shredding_each = pgrt_shredding_each,
	.secure_delete = pgrt_secure_delete,
	.compact = pgrt_compact,
};
