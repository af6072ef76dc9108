/* store_sqlite_webhooks.c - the SQLite side of webhooks: endpoints, the event outbox and the delivery queue. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* The endpoint of the current row of "SELECT id, url, events, created_at …". */
static json_t *endpoint_row(sqlite3_stmt *s)
{
	json_t *events = sq_col_json(s, 2);

	return json_pack("{s:s, s:s, s:o, s:I}", "id", sqlite3_column_text(s, 0), "url",
			 sqlite3_column_text(s, 1), "events", events ? events : json_array(),
			 "created_at", (json_int_t)sqlite3_column_int64(s, 3));
}

static int sq_webhook_endpoint_insert(struct store *st, const char *id, const char *url,
				      const char *events, const char *secret, int64_t now,
				      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO webhook_endpoints (id, url, events, secret, created_at) "
			     "VALUES (?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sq_bind_text(s, 2, url);
	sq_bind_text(s, 3, events);
	sq_bind_text(s, 4, secret);
	sqlite3_bind_int64(s, 5, now);
	return sq_step_done(st, s, "insert webhook endpoint", e);
}

static int sq_webhook_endpoint_get(struct store *st, const char *id, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT id, url, events, created_at FROM webhook_endpoints "
			     "WHERE id = ? AND disabled_at IS NULL", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = endpoint_row(s);
		rc = *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no webhook endpoint %s", id);
	} else {
		rc = sq_fail(st, e, "get webhook endpoint");
	}
	sqlite3_finalize(s);
	return rc;
}

static int sq_webhook_endpoint_list(struct store *st, int64_t after, int limit, json_t **items,
				    int64_t *next, struct err *e)
{
	sqlite3_stmt *s;
	int64_t last = 0;
	int rc, n = 0, r;

	*items = NULL;
	*next = 0;
	rc = sq_prep(st, "SELECT id, url, events, created_at, seq FROM webhook_endpoints "
			 "WHERE seq > ? AND disabled_at IS NULL ORDER BY seq LIMIT ?", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit + 1);
	*items = json_array();
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == limit) {
			*next = last;
			break;
		}
		last = sqlite3_column_int64(s, 4);
		if (json_array_append_new(*items, endpoint_row(s))) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		n++;
	}
	if (!rc && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = sq_fail(st, e, "list webhook endpoints");
	sqlite3_finalize(s);
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}

static int sq_webhook_endpoint_disable(struct store *st, const char *id, int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE webhook_endpoints SET disabled_at = ? "
			     "WHERE id = ? AND disabled_at IS NULL", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, id);
	rc = sq_step_done(st, s, "disable webhook endpoint", e);
	if (rc)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no webhook endpoint %s", id);
	rc = sq_prep(st, "UPDATE deliveries SET failed_at = ?, last_error = 'endpoint disabled' "
			 "WHERE endpoint_id = ? AND delivered_at IS NULL AND failed_at IS NULL",
		     &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sq_bind_text(s, 2, id);
	return sq_step_done(st, s, "give up deliveries", e);
}

static int sq_webhook_event_add(struct store *st, const char *id, const char *type,
				const char *body, int64_t now, int64_t *deliveries, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (deliveries)
		*deliveries = 0;
	rc = sq_prep(st, "INSERT INTO outbox (id, type, created_at, body) VALUES (?, ?, ?, ?)",
		     &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sq_bind_text(s, 2, type);
	sqlite3_bind_int64(s, 3, now);
	sq_bind_text(s, 4, body);
	rc = sq_step_done(st, s, "insert event", e);
	if (rc)
		return rc;
	rc = sq_prep(st, "INSERT INTO deliveries (event_id, endpoint_id, next_at) "
			 "SELECT ?1, w.id, ?2 FROM webhook_endpoints AS w "
			 "WHERE w.disabled_at IS NULL AND EXISTS "
			 "(SELECT 1 FROM json_each(w.events) AS t WHERE t.value IN (?3, '*')) "
			 "ORDER BY w.seq", &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	sq_bind_text(s, 3, type);
	rc = sq_step_done(st, s, "queue deliveries", e);
	if (!rc && deliveries)
		*deliveries = sqlite3_changes(st->db);
	return rc;
}

/* Push the claimed delivery `seq`'s next_at to `lease_until`. */
static int sq_lease(struct store *st, int64_t seq, int64_t lease_until, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "UPDATE deliveries SET next_at = ? WHERE seq = ?", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, lease_until);
	sqlite3_bind_int64(s, 2, seq);
	return sq_step_done(st, s, "lease delivery", e);
}

/*
 * The due deliveries, then each one's lease. The transaction is the
 * store's one writer (BEGIN IMMEDIATE), so no other claim reads between
 * the SELECT and the UPDATEs.
 */
static int sq_webhook_claim(struct store *st, int64_t now, int64_t lease_until,
			    struct store_delivery *out, int max, int *n, struct err *e)
{
	sqlite3_stmt *s;
	int rc, r = SQLITE_DONE, i;

	*n = 0;
	rc = sq_prep(st, "SELECT d.seq, d.event_id, d.endpoint_id, d.attempts, w.url, w.secret, "
			 "o.body FROM deliveries AS d "
			 "JOIN webhook_endpoints AS w ON w.id = d.endpoint_id "
			 "JOIN outbox AS o ON o.id = d.event_id "
			 "WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_at <= ? "
			 "ORDER BY d.next_at, d.seq LIMIT ?", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, max);
	while (*n < max && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_delivery *d = &out[*n];

		memset(d, 0, sizeof(*d));
		d->seq = sqlite3_column_int64(s, 0);
		snprintf(d->event_id, sizeof(d->event_id), "%s", sqlite3_column_text(s, 1));
		snprintf(d->endpoint_id, sizeof(d->endpoint_id), "%s", sqlite3_column_text(s, 2));
		d->attempts = sqlite3_column_int(s, 3);
		d->lease_until = lease_until;
		d->url = sq_dup_text(s, 4);
		d->secret = sq_dup_text(s, 5);
		d->body = sq_dup_text(s, 6);
		(*n)++;
		if (!d->url || !d->secret || !d->body) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	if (!rc && *n < max && r != SQLITE_DONE)
		rc = sq_fail(st, e, "due deliveries");
	sqlite3_finalize(s);
	for (i = 0; !rc && i < *n; i++)
		rc = sq_lease(st, out[i].seq, lease_until, e);
	if (rc) {
		while (*n > 0)
			store_delivery_release(&out[--*n]);
	}
	return rc;
}

/* Why an UPDATE of delivery `seq` under a claim changed nothing: RC_NOTFOUND or RC_CONFLICT. */
static int sq_claim_lost(struct store *st, int64_t seq, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT 1 FROM deliveries WHERE seq = ?", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = err_set(e, RC_CONFLICT, "stale_claim", NULL,
			     "delivery %lld no longer holds this claim", (long long)seq);
	else if (rc == SQLITE_DONE)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no delivery %lld",
			     (long long)seq);
	else
		rc = sq_fail(st, e, "find delivery");
	sq_finish(st, s);
	return rc;
}

static int sq_webhook_attempt(struct store *st, const struct store_attempt *a, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE deliveries SET attempts = ?, next_at = ?, delivered_at = ?, "
			     "failed_at = ?, last_status = ?, last_error = ? WHERE seq = ? "
			     "AND attempts = ? AND next_at = ? "
			     "AND delivered_at IS NULL AND failed_at IS NULL", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, a->attempts);
	sqlite3_bind_int64(s, 2, a->next_at);
	if (a->delivered_at)
		sqlite3_bind_int64(s, 3, a->delivered_at);
	else
		sqlite3_bind_null(s, 3);
	if (a->failed_at)
		sqlite3_bind_int64(s, 4, a->failed_at);
	else
		sqlite3_bind_null(s, 4);
	if (a->status)
		sqlite3_bind_int(s, 5, a->status);
	else
		sqlite3_bind_null(s, 5);
	sq_bind_text(s, 6, a->error);
	sqlite3_bind_int64(s, 7, a->seq);
	sqlite3_bind_int(s, 8, a->attempts - 1);
	sqlite3_bind_int64(s, 9, a->lease_until);
	rc = sq_step_done(st, s, "record delivery attempt", e);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = sq_claim_lost(st, a->seq, e);
	return rc;
}

static int sq_webhook_release(struct store *st, const struct store_delivery *d, int64_t now,
			      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE deliveries SET next_at = ? WHERE seq = ? AND attempts = ? "
			     "AND next_at = ? AND delivered_at IS NULL AND failed_at IS NULL",
			 &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, d->seq);
	sqlite3_bind_int(s, 3, d->attempts);
	sqlite3_bind_int64(s, 4, d->lease_until);
	rc = sq_step_done(st, s, "release delivery", e);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = sq_claim_lost(st, d->seq, e);
	return rc;
}

const struct store_webhooks_ops sq_webhooks_ops = {
	.webhook_endpoint_insert = sq_webhook_endpoint_insert,
	.webhook_endpoint_get = sq_webhook_endpoint_get,
	.webhook_endpoint_list = sq_webhook_endpoint_list,
	.webhook_endpoint_disable = sq_webhook_endpoint_disable,
	.webhook_event_add = sq_webhook_event_add,
	.webhook_claim = sq_webhook_claim,
	.webhook_attempt = sq_webhook_attempt,
	.webhook_release = sq_webhook_release,
};
