/* store_sqlite_retention.c - the SQLite side of legal holds, orders due for shredding, shredded bodies and salts, and the shredding register. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* ---- legal holds ---- */

static int sq_legal_hold_insert(struct store *st, const struct store_legal_hold_row *row,
				struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO legal_holds (id, order_id, dispute_id, authority, "
			 "reference, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			 &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, row->id);
	sq_bind_text(s, 2, row->order_id);
	sq_bind_text(s, 3, row->dispute_id);
	sq_bind_text(s, 4, row->authority);
	sq_bind_text(s, 5, row->reference);
	sq_bind_text(s, 6, row->reason);
	sq_bind_text(s, 7, row->created_by);
	sqlite3_bind_int64(s, 8, row->created_at);
	return sq_step_done(st, s, "insert legal hold", e);
}

/* A hold row as its JSON body, built by SQLite. */
#define HOLD_JSON                                                                        \
	"json_object('object', 'legal_hold', 'id', id, 'order', order_id, 'dispute', "   \
	"dispute_id, 'authority', authority, 'reference', reference, 'reason', reason, " \
	"'created_by', created_by, 'created_at', created_at, 'lifted_at', lifted_at, "   \
	"'lifted_by', lifted_by, 'lift_reason', lift_reason)"

static int sq_legal_hold_get(struct store *st, const char *id, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep(st, "SELECT " HOLD_JSON " FROM legal_holds WHERE id = ?", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*out = sq_col_json(s, 0);
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such legal hold");
	} else {
		rc = sq_fail(st, e, "read legal hold");
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_legal_hold_list(struct store *st, const char *order_id, int active, int64_t after,
			      int limit, json_t **items, int64_t *next, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq, " HOLD_JSON " FROM legal_holds WHERE seq > ?1 "
			 "AND (?2 IS NULL OR order_id = ?2) AND (?3 = 0 OR lifted_at IS NULL) "
			 "ORDER BY seq LIMIT ?4", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sq_bind_text(s, 2, order_id);
	sqlite3_bind_int(s, 3, active);
	sqlite3_bind_int(s, 4, limit + 1);
	return sq_page(st, s, limit, items, next, e);
}

static int sq_legal_hold_lift(struct store *st, const char *id, const char *by, const char *reason,
			      int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int step, lifted = 0, rc = sq_prep(st, "SELECT lifted_at IS NOT NULL FROM legal_holds "
					   "WHERE id = ?", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		lifted = sqlite3_column_int(s, 0);
	else if (step == SQLITE_DONE)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such legal hold");
	else
		rc = sq_fail(st, e, "read legal hold");
	sqlite3_finalize(s);
	if (rc)
		return rc;
	if (lifted)
		return err_set(e, RC_CONFLICT, "hold_lifted", NULL, "the legal hold was lifted already");
	rc = sq_prep(st, "UPDATE legal_holds SET lifted_at = ?, lifted_by = ?, lift_reason = ? "
		     "WHERE id = ?", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, by);
	sq_bind_text(s, 3, reason);
	sq_bind_text(s, 4, id);
	return sq_step_done(st, s, "lift legal hold", e);
}

/* Run a query of one integer with one text parameter. */
static int one_int(struct store *st, const char *sql, const char *a, const char *b,
		   int64_t *out, struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep(st, sql, &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, a);
	if (b)
		sq_bind_text(s, 2, b);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else
		rc = sq_fail(st, e, "read");
	sqlite3_finalize(s);
	return rc;
}

static int sq_order_held(struct store *st, const char *order_id, int *held, struct err *e)
{
	int64_t n = 0;
	int rc = one_int(st, "SELECT count(*) FROM legal_holds WHERE order_id = ?1 "
			 "AND lifted_at IS NULL", order_id, NULL, &n, e);

	*held = n > 0;
	return rc;
}

/* ---- what is due ---- */

/* An order's last activity, as one expression over its row `o`. */
#define LAST_ACTIVITY                                                                           \
	"max(o.created_at,"                                                                     \
	" coalesce((SELECT max(created_at) FROM logistics_events WHERE order_id = o.id), 0),"   \
	" coalesce((SELECT max(created_at) FROM messages WHERE order_id = o.id), 0),"           \
	" coalesce((SELECT max(updated_at) FROM disputes WHERE order_id = o.id), 0),"           \
	" coalesce((SELECT max(v.created_at) FROM dispute_events v JOIN disputes d"             \
	"   ON d.id = v.dispute_id WHERE d.order_id = o.id), 0),"                               \
	" coalesce((SELECT max(max(created_at), coalesce(max(decided_at), 0)) FROM disclosures" \
	"   WHERE order_id = o.id), 0),"                                                        \
	" coalesce((SELECT max(v.created_at) FROM disclosure_events v JOIN disclosures s"       \
	"   ON s.id = v.disclosure_id WHERE s.order_id = o.id), 0))"

static int sq_retention_due(struct store *st, int64_t cutoff, int64_t after, int limit,
			    char (*ids)[ID_MAX], int64_t *last, int *n, int64_t *next,
			    struct err *e)
{
	sqlite3_stmt *s;
	int64_t seq = 0;
	int step = SQLITE_DONE, rc;

	*n = 0;
	*next = 0;
	rc = sq_prep(st, "SELECT seq, id, last FROM (SELECT o.seq AS seq, o.id AS id, "
		     LAST_ACTIVITY " AS last FROM orders o WHERE o.seq > ?1 AND NOT EXISTS "
		     "(SELECT 1 FROM shreddings h WHERE h.order_id = o.id) ORDER BY o.seq) "
		     "WHERE last < ?2 LIMIT ?3", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, cutoff);
	sqlite3_bind_int(s, 3, limit + 1);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == limit) {
			*next = seq;
			break;
		}
		seq = sqlite3_column_int64(s, 0);
		snprintf(ids[*n], ID_MAX, "%s", (const char *)sqlite3_column_text(s, 1));
		if (last)
			last[*n] = sqlite3_column_int64(s, 2);
		(*n)++;
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		rc = sq_fail(st, e, "find orders past retention");
	sqlite3_finalize(s);
	return rc;
}

/* ---- shredding ---- */

static int sq_body_shred(struct store *st, const char *kind, const char *id, json_t *body,
			 struct err *e)
{
	static const struct {
		const char *kind, *table;
	} tables[] = {
		{"order", "orders"},
		{"logistics", "logistics_events"},
		{"message", "messages"},
		{"dispute_event", "dispute_events"},
		{"disclosure_event", "disclosure_events"},
		{"dispute", "disputes"},
		{"disclosure", "disclosures"},
		{"consumer", "consumers"},
	};
	const char *table = NULL;
	char sql[128], *text;
	sqlite3_stmt *s;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(tables[i].kind, kind) == 0)
			table = tables[i].table;
	if (!table)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no shredding of %s records", kind);
	text = sq_dump(body);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	snprintf(sql, sizeof(sql), "UPDATE %s SET body = ? WHERE id = ?", table);
	rc = sq_prep(st, sql, &s, e);
	if (!rc) {
		sq_bind_text(s, 1, text);
		sq_bind_text(s, 2, id);
		rc = sq_step_done(st, s, "shred record", e);
	}
	free(text);
	if (!rc && sqlite3_changes(st->db) != 1)
		rc = err_set(e, RC_NOTFOUND, NULL, NULL, "no %s %s to shred", kind, id);
	return rc;
}

static int sq_seal_salts_shred(struct store *st, int64_t seq, const char *salts, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE seals SET salts = ?, secret = NULL WHERE seq = ?", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, salts);
	sqlite3_bind_int64(s, 2, seq);
	return sq_step_done(st, s, "shred salts", e);
}

static int sq_consumer_live_orders(struct store *st, const char *consumer_id, int64_t *n,
				   struct err *e)
{
	return one_int(st, "SELECT count(*) FROM orders o WHERE o.consumer_id = ?1 AND NOT EXISTS "
		       "(SELECT 1 FROM shreddings h WHERE h.order_id = o.id)", consumer_id, NULL,
		       n, e);
}

static int sq_blob_cited_elsewhere(struct store *st, const char *digest_hex, const char *order_id,
				   int *yes, struct err *e)
{
	int64_t n = 0;
	int rc = one_int(st,
			 "SELECT count(*) FROM blob_refs r WHERE r.digest = ?1 AND NOT ("
			 " (r.kind = 'message' AND EXISTS (SELECT 1 FROM messages m WHERE"
			 "   m.id = r.owner_id AND (m.order_id = ?2 OR m.order_id IN"
			 "   (SELECT order_id FROM shreddings))))"
			 " OR (r.kind = 'dispute' AND EXISTS (SELECT 1 FROM disputes d WHERE"
			 "   d.id = r.owner_id AND (d.order_id = ?2 OR d.order_id IN"
			 "   (SELECT order_id FROM shreddings)))))",
			 digest_hex, order_id, &n, e);

	*yes = n > 0;
	return rc;
}

static int sq_purge_mentions(struct store *st, const char *needle, struct err *e)
{
	static const char *const sql[] = {
		"DELETE FROM idempotency WHERE instr(response, ?1) > 0",
		"DELETE FROM deliveries WHERE event_id IN "
		"(SELECT id FROM outbox WHERE instr(body, ?1) > 0)",
		"DELETE FROM outbox WHERE instr(body, ?1) > 0",
	};
	sqlite3_stmt *s;
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]) && !rc; i++) {
		rc = sq_prep(st, sql[i], &s, e);
		if (rc)
			break;
		sq_bind_text(s, 1, needle);
		rc = sq_step_done(st, s, "forget copies of shredded text", e);
	}
	return rc;
}

/* ---- the register ---- */

static int sq_shredding_insert(struct store *st, const char *id, const char *order_id,
			       int64_t created_at, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO shreddings (id, order_id, created_at, body) "
		     "VALUES (?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, order_id);
		sqlite3_bind_int64(s, 3, created_at);
		sq_bind_text(s, 4, text);
		rc = sq_step_done(st, s, "register shredding", e);
	}
	free(text);
	return rc;
}

static int sq_blob_shredded(struct store *st, const char *digest_hex, int *yes, struct err *e)
{
	char id[80];
	int64_t n = 0;
	int rc;

	snprintf(id, sizeof(id), "sha256:%s", digest_hex);
	rc = one_int(st, "SELECT count(*) FROM shreddings h, json_each(h.body, '$.blobs') b "
		     "WHERE b.value = ?1", id, NULL, &n, e);
	*yes = n > 0;
	return rc;
}

static int sq_shredding_of_order(struct store *st, const char *order_id, json_t **body,
				 struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep(st, "SELECT body FROM shreddings WHERE order_id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, order_id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*body = sq_col_json(s, 0);
		if (!*body)
			rc = err_set(e, RC_INTERNAL, NULL, NULL, "the shredding of %s is not JSON",
				     order_id);
	} else if (step != SQLITE_DONE) {
		rc = sq_fail(st, e, "read shredding");
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_shredding_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int step, rc = sq_prep(st, "SELECT body FROM shreddings WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*body = sq_col_json(s, 0);
		if (!*body)
			rc = err_set(e, RC_INTERNAL, NULL, NULL, "shredding %s is not JSON", id);
	} else if (step == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such shredding");
	} else {
		rc = sq_fail(st, e, "read shredding");
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_shredding_each(struct store *st, int (*fn)(void *ctx, json_t *body), void *ctx,
			     struct err *e)
{
	sqlite3_stmt *s;
	int step = SQLITE_DONE, rc = sq_prep(st, "SELECT body FROM shreddings ORDER BY seq", &s, e);

	if (rc)
		return rc;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *body = sq_col_json(s, 0);

		if (!body)
			body = json_null(); /* unreadable: the callback says so */
		rc = fn(ctx, body);
		json_decref(body);
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read the shredding register");
	sqlite3_finalize(s);
	return rc;
}

/* ---- leaving nothing on the disk ---- */

static int sq_secure_delete(struct store *st, int on, struct err *e)
{
	int rc;

	pthread_mutex_lock(&st->lock);
	rc = sq_exec(st, on ? "PRAGMA secure_delete = ON" : "PRAGMA secure_delete = OFF", e);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int sq_compact(struct store *st, struct err *e)
{
	int rc;

	pthread_mutex_lock(&st->lock);
	/* the checkpointer kept out: a checkpoint of its own would leave TRUNCATE undone */
	sq_ckpt_hold(st);
	rc = sq_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", e);
	if (!rc)
		rc = sq_exec(st, "VACUUM", e);
	if (!rc)
		rc = sq_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", e);
	sq_ckpt_release(st);
	st->failed = 0;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

const struct store_retention_ops sq_retention_ops = {
	.legal_hold_insert = sq_legal_hold_insert,
	.legal_hold_get = sq_legal_hold_get,
	.legal_hold_list = sq_legal_hold_list,
	.legal_hold_lift = sq_legal_hold_lift,
	.order_held = sq_order_held,
	.retention_due = sq_retention_due,
	.body_shred = sq_body_shred,
	.seal_salts_shred = sq_seal_salts_shred,
	.consumer_live_orders = sq_consumer_live_orders,
	.blob_cited_elsewhere = sq_blob_cited_elsewhere,
	.purge_mentions = sq_purge_mentions,
	.shredding_insert = sq_shredding_insert,
	.blob_shredded = sq_blob_shredded,
	.shredding_of_order = sq_shredding_of_order,
	.shredding_get = sq_shredding_get,
	.shredding_each = sq_shredding_each,
	.secure_delete = sq_secure_delete,
	.compact = sq_compact,
};
