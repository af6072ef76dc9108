/* store_pg_webhooks.c - the PostgreSQL side of store_webhooks.h: endpoints, the event outbox and the delivery queue. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The endpoint of the current row of "SELECT id, url, events, created_at …". */
static json_t *endpoint_row(const struct pg_rows *rows)
{
	json_t *events = pg_col_json(rows, 2);

	return json_pack("{s:s, s:s, s:o, s:I}", "id", pg_col_text(rows, 0), "url",
			 pg_col_text(rows, 1), "events", events ? events : json_array(),
			 "created_at", (json_int_t)pg_col_int64(rows, 3));
}

static int pgw_webhook_endpoint_insert(struct store *st, const char *id, const char *url,
				       const char *events, const char *secret, int64_t now,
				       struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {id, url, events, secret, pg_i64(t, now)};

	return pg_query(st->pg, "INSERT INTO webhook_endpoints (id, url, events, secret, "
			"created_at) VALUES ($1, $2, $3, $4, $5)", 5, p, NULL, e);
}

static int pgw_webhook_endpoint_get(struct store *st, const char *id, json_t **out, struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT id, url, events, created_at FROM webhook_endpoints "
			  "WHERE id = $1 AND disabled_at IS NULL", 1, p, &rows, e);

	*out = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*out = endpoint_row(&rows);
		rc = *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no webhook endpoint %s", id);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgw_webhook_endpoint_list(struct store *st, int64_t after, int limit, json_t **items,
				     int64_t *next, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), pg_i64(t2, (int64_t)limit + 1)};
	struct pg_rows rows;
	int64_t last = 0;
	int n = 0;
	int rc = pg_query(st->pg, "SELECT id, url, events, created_at, seq FROM webhook_endpoints "
			  "WHERE seq > $1 AND disabled_at IS NULL ORDER BY seq LIMIT $2", 2, p,
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
		last = pg_col_int64(&rows, 4);
		if (json_array_append_new(*items, endpoint_row(&rows))) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
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

static int pgw_webhook_endpoint_disable(struct store *st, const char *id, int64_t now,
					struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "UPDATE webhook_endpoints SET disabled_at = $1 "
			  "WHERE id = $2 AND disabled_at IS NULL", 2, p, &rows, e);

	if (rc)
		return rc;
	if (pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no webhook endpoint %s", id);
	pg_rows_clear(&rows);
	if (rc)
		return rc;
	return pg_query(st->pg, "UPDATE deliveries SET failed_at = $1, "
			"last_error = 'endpoint disabled' WHERE endpoint_id = $2 "
			"AND delivered_at IS NULL AND failed_at IS NULL", 2, p, NULL, e);
}

static int pgw_webhook_event_add(struct store *st, const char *id, const char *type,
				 const char *body, int64_t now, int64_t *deliveries, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {id, type, pg_i64(t, now), body};
	const char *q[] = {id, t, type};
	struct pg_rows rows;
	int rc;

	if (deliveries)
		*deliveries = 0;
	rc = pg_query(st->pg, "INSERT INTO outbox (id, type, created_at, body) "
		      "VALUES ($1, $2, $3, $4)", 4, p, NULL, e);
	if (rc)
		return rc;
	/* the endpoints whose array of event types holds `type` or "*", oldest first */
	rc = pg_query(st->pg, "INSERT INTO deliveries (event_id, endpoint_id, next_at) "
		      "SELECT $1::text, w.id, $2::bigint FROM webhook_endpoints AS w "
		      "WHERE w.disabled_at IS NULL AND EXISTS "
		      "(SELECT 1 FROM json_array_elements(w.events::json) AS t(v) "
		      " WHERE json_typeof(t.v) = 'string' AND t.v #>> '{}' IN ($3::text, '*')) "
		      "ORDER BY w.seq", 3, q, &rows, e);
	if (rc)
		return rc;
	if (deliveries)
		*deliveries = pg_rows_changed(&rows);
	pg_rows_clear(&rows);
	return RC_OK;
}

/* Fill `d` from the current row of the claim query; RC_NOMEM when a copy fails. */
static int delivery_row(const struct pg_rows *rows, int64_t lease_until, struct store_delivery *d,
			struct err *e)
{
	memset(d, 0, sizeof(*d));
	d->seq = pg_col_int64(rows, 0);
	snprintf(d->event_id, sizeof(d->event_id), "%s", pg_col_text(rows, 1));
	snprintf(d->endpoint_id, sizeof(d->endpoint_id), "%s", pg_col_text(rows, 2));
	d->attempts = (int)pg_col_int64(rows, 3);
	d->lease_until = lease_until;
	d->url = pg_col_dup(rows, 4);
	d->secret = pg_col_dup(rows, 5);
	d->body = pg_col_dup(rows, 6);
	if (!d->url || !d->secret || !d->body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

/*
 * The due deliveries, as SQLite picks them, locked FOR UPDATE and leased
 * in one statement. SKIP LOCKED: another connection's claim passes over
 * the rows this transaction holds instead of waiting for them. (While
 * writers are serial behind PG_WRITE_LOCK, two claims never overlap
 * anyway; the lease on next_at is what keeps a delivery claimed once the
 * transaction has committed.)
 */
static int pgw_webhook_claim(struct store *st, int64_t now, int64_t lease_until,
			     struct store_delivery *out, int max, int *n, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, now), pg_i64(t2, max), pg_i64(t3, lease_until)};
	struct pg_rows rows;
	int rc;

	*n = 0;
	rc = pg_query(st->pg, "WITH c AS (SELECT seq, next_at FROM deliveries "
		      "WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= $1 "
		      "ORDER BY next_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED), "
		      "u AS (UPDATE deliveries AS d SET next_at = $3 FROM c WHERE d.seq = c.seq "
		      "RETURNING d.seq, d.event_id, d.endpoint_id, d.attempts) "
		      "SELECT u.seq, u.event_id, u.endpoint_id, u.attempts, w.url, w.secret, "
		      "o.body FROM u JOIN c ON c.seq = u.seq "
		      "JOIN webhook_endpoints AS w ON w.id = u.endpoint_id "
		      "JOIN outbox AS o ON o.id = u.event_id ORDER BY c.next_at, c.seq", 3, p,
		      &rows, e);
	if (rc)
		return rc;
	while (*n < max && pg_step(&rows)) {
		rc = delivery_row(&rows, lease_until, &out[*n], e);
		(*n)++;
		if (rc)
			break;
	}
	pg_rows_clear(&rows);
	if (rc) {
		while (*n > 0)
			store_delivery_release(&out[--*n]);
	}
	return rc;
}

/* Why an UPDATE of delivery `seq` under a claim changed nothing: RC_NOTFOUND or RC_CONFLICT. */
static int claim_lost(struct store *st, int64_t seq, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, seq)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT 1 FROM deliveries WHERE seq = $1", 1, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows))
		rc = err_set(e, RC_CONFLICT, "stale_claim", NULL,
			     "delivery %lld no longer holds this claim", (long long)seq);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no delivery %lld",
			     (long long)seq);
	pg_rows_clear(&rows);
	return rc;
}

static int pgw_webhook_attempt(struct store *st, const struct store_attempt *a, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT], t4[PG_I64_TEXT], t5[PG_I64_TEXT],
		t6[PG_I64_TEXT], t7[PG_I64_TEXT], t8[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, a->attempts), pg_i64(t2, a->next_at),
			   a->delivered_at ? pg_i64(t3, a->delivered_at) : NULL,
			   a->failed_at ? pg_i64(t4, a->failed_at) : NULL,
			   a->status ? pg_i64(t5, a->status) : NULL, a->error,
			   pg_i64(t6, a->seq), pg_i64(t7, (int64_t)a->attempts - 1),
			   pg_i64(t8, a->lease_until)};
	struct pg_rows rows;
	int64_t changed;
	int rc = pg_query(st->pg, "UPDATE deliveries SET attempts = $1, next_at = $2, "
			  "delivered_at = $3, failed_at = $4, last_status = $5, last_error = $6 "
			  "WHERE seq = $7 AND attempts = $8 AND next_at = $9 "
			  "AND delivered_at IS NULL AND failed_at IS NULL", 9, p, &rows, e);

	if (rc)
		return rc;
	changed = pg_rows_changed(&rows);
	pg_rows_clear(&rows);
	return changed ? RC_OK : claim_lost(st, a->seq, e);
}

static int pgw_webhook_release(struct store *st, const struct store_delivery *d, int64_t now,
			       struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT], t4[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, now), pg_i64(t2, d->seq), pg_i64(t3, d->attempts),
			   pg_i64(t4, d->lease_until)};
	struct pg_rows rows;
	int64_t changed;
	int rc = pg_query(st->pg, "UPDATE deliveries SET next_at = $1 WHERE seq = $2 "
			  "AND attempts = $3 AND next_at = $4 "
			  "AND delivered_at IS NULL AND failed_at IS NULL", 4, p, &rows, e);

	if (rc)
		return rc;
	changed = pg_rows_changed(&rows);
	pg_rows_clear(&rows);
	return changed ? RC_OK : claim_lost(st, d->seq, e);
}

const struct store_webhooks_ops pg_webhooks_ops = {
	.webhook_endpoint_insert = pgw_webhook_endpoint_insert,
	.webhook_endpoint_get = pgw_webhook_endpoint_get,
	.webhook_endpoint_list = pgw_webhook_endpoint_list,
	.webhook_endpoint_disable = pgw_webhook_endpoint_disable,
	.webhook_event_add = pgw_webhook_event_add,
	.webhook_claim = pgw_webhook_claim,
	.webhook_attempt = pgw_webhook_attempt,
	.webhook_release = pgw_webhook_release,
};
