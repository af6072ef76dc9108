/* store_pg_disputes.c - the PostgreSQL side of store_disputes.h: disputes, their events, the assessment queue, timers, obligations, the agent queue, suspensions, rules versions and the reports' walks. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run `sql` with `n` parameters, no rows wanted; *changed the rows it touched when not NULL. */
static int run(struct store *st, const char *sql, int n, const char *const *p, int64_t *changed,
	       struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, n, p, &rows, e);

	if (!rc && changed)
		*changed = pg_rows_changed(&rows);
	pg_rows_clear(&rows);
	return rc;
}

/* The body one row of `sql` ($1 = id) selects, else RC_NOTFOUND "no <what> <id>". */
static int get_body(struct store *st, const char *sql, const char *what, const char *id,
		    json_t **body, struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, 1, p, &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows))
		*body = pg_col_json(&rows, 0);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no %s %s", what, id);
	pg_rows_clear(&rows);
	return rc;
}

static int pgd_dispute_insert(struct store *st, const char *id, const char *order_id,
			      const char *merchant_id, const char *consumer_id, const char *state,
			      const char *tier, int64_t now, json_t *body, struct err *e)
{
	char t[PG_I64_TEXT], *text = pg_dump(body);
	int64_t n = 0;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {id, order_id, merchant_id, consumer_id, state, tier,
				   pg_i64(t, now), text};

		rc = run(st, "INSERT INTO disputes (id, order_id, merchant_id, consumer_id, state, "
			 "tier, created_at, updated_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7, "
			 "$7, $8) ON CONFLICT (id) DO NOTHING", 8, p, &n, e);
	}
	free(text);
	if (!rc && n == 0)
		rc = err_set(e, RC_CONFLICT, "conflict", NULL, "insert dispute: dispute %s exists",
			     id);
	return rc;
}

static int pgd_dispute_update(struct store *st, const char *id, const char *state, const char *tier,
			      int overdue, int64_t now, json_t *body, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], *text = pg_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {state, tier, pg_i64(t1, overdue), pg_i64(t2, now), text, id};

		rc = run(st, "UPDATE disputes SET state = $1, tier = $2, overdue = $3, "
			 "updated_at = $4, body = $5 WHERE id = $6", 6, p, NULL, e);
	}
	free(text);
	return rc;
}

static int pgd_dispute_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return get_body(st, "SELECT body FROM disputes WHERE id = $1", "dispute", id, body, e);
}

static int pgd_dispute_list(struct store *st, const struct store_dispute_filter *f, int64_t after,
			    int limit, json_t **items, int64_t *next, struct err *e)
{
	char t1[PG_I64_TEXT], t7[PG_I64_TEXT], t8[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), f->state, f->tier, f->merchant_id, f->consumer_id,
			   f->order_id, pg_i64(t7, f->overdue), pg_i64(t8, (int64_t)limit + 1)};
	struct pg_rows rows;
	int rc;

	*items = NULL;
	*next = 0;
	rc = pg_query(st->pg, "SELECT seq, body FROM disputes WHERE seq > $1"
		      " AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR tier = $3)"
		      " AND ($4::text IS NULL OR merchant_id = $4)"
		      " AND ($5::text IS NULL OR consumer_id = $5)"
		      " AND ($6::text IS NULL OR order_id = $6)"
		      " AND ($7::bigint < 0 OR overdue = $7) ORDER BY seq LIMIT $8",
		      8, p, &rows, e);
	if (rc)
		return rc;
	return pg_page(&rows, limit, items, next, e);
}

static int pgd_dispute_for_order(struct store *st, const char *order_id, const char *const *states,
				 char id[ID_MAX], int *found, struct err *e)
{
	const char *p[] = {order_id};
	struct pg_rows rows;
	size_t i;
	int rc;

	*found = 0;
	rc = pg_query(st->pg, "SELECT id, state FROM disputes WHERE order_id = $1 ORDER BY seq DESC",
		      1, p, &rows, e);
	if (rc)
		return rc;
	while (!*found && pg_step(&rows)) {
		const char *state = pg_col_text(&rows, 1);

		for (i = 0; states[i]; i++)
			if (state && strcmp(states[i], state) == 0) {
				snprintf(id, ID_MAX, "%s", pg_col_text(&rows, 0));
				*found = 1;
				break;
			}
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgd_dispute_event_insert(struct store *st, const char *id, const char *dispute_id,
				    int64_t now, json_t *body, struct err *e)
{
	char t[PG_I64_TEXT], *text = pg_dump(body);
	int64_t n = 0;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {id, dispute_id, pg_i64(t, now), text};

		rc = run(st, "INSERT INTO dispute_events (id, dispute_id, created_at, body) "
			 "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING", 4, p, &n, e);
	}
	free(text);
	if (!rc && n == 0)
		rc = err_set(e, RC_CONFLICT, "conflict", NULL,
			     "insert dispute event: event %s exists", id);
	return rc;
}

static int pgd_dispute_event_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return get_body(st, "SELECT body FROM dispute_events WHERE id = $1", "dispute event", id,
			body, e);
}

static int pgd_dispute_event_list(struct store *st, const char *dispute_id, int64_t after,
				  int limit, json_t **items, int64_t *next, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {dispute_id, pg_i64(t1, after), pg_i64(t2, (int64_t)limit + 1)};
	struct pg_rows rows;
	int rc;

	*items = NULL;
	*next = 0;
	rc = pg_query(st->pg, "SELECT seq, body FROM dispute_events WHERE dispute_id = $1 "
		      "AND seq > $2 ORDER BY seq LIMIT $3", 3, p, &rows, e);
	if (rc)
		return rc;
	return pg_page(&rows, limit, items, next, e);
}

static int pgd_dispute_event_each(struct store *st, const char *dispute_id,
				  int (*fn)(void *ctx, json_t *ev), void *ctx, struct err *e)
{
	json_t *items = NULL, *v;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	do {
		rc = pgd_dispute_event_list(st, dispute_id, after, 200, &items, &next, e);
		json_array_foreach(items, i, v)
			if (!rc)
				rc = fn(ctx, v);
		json_decref(items);
		items = NULL;
		after = next;
	} while (!rc && next);
	return rc;
}

static int pgd_assess_queue(struct store *st, const char *dispute_id, int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {dispute_id, pg_i64(t, now)};

	return run(st, "INSERT INTO assess_queue (dispute_id, queued_at) VALUES ($1, $2) "
		   "ON CONFLICT (dispute_id) DO NOTHING", 2, p, NULL, e);
}

/* The first dispute id `sql` selects ($1 = `arg` when not NULL) into `id`; *found. */
static int first_id(struct store *st, const char *sql, const char *arg, char id[ID_MAX],
		    int *found, struct err *e)
{
	const char *p[] = {arg};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, arg ? 1 : 0, p, &rows, e);

	*found = 0;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		snprintf(id, ID_MAX, "%s", pg_col_text(&rows, 0));
		*found = 1;
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgd_assess_next(struct store *st, char id[ID_MAX], int *found, struct err *e)
{
	return first_id(st, "SELECT dispute_id FROM assess_queue "
			"ORDER BY queued_at, dispute_id COLLATE \"C\" LIMIT 1", NULL, id, found, e);
}

static int pgd_assess_queued(struct store *st, const char *dispute_id, int *queued, struct err *e)
{
	char id[ID_MAX];

	return first_id(st, "SELECT dispute_id FROM assess_queue WHERE dispute_id = $1",
			dispute_id, id, queued, e);
}

static int pgd_assess_done(struct store *st, const char *dispute_id, int *was, struct err *e)
{
	const char *p[] = {dispute_id};
	int64_t n = 0;
	int rc = run(st, "DELETE FROM assess_queue WHERE dispute_id = $1", 1, p, &n, e);

	*was = !rc && n > 0;
	return rc;
}

static int pgd_timer_add(struct store *st, const char *dispute_id, const char *step,
			 const char *state, int64_t due_at, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {dispute_id, step, state, pg_i64(t, due_at)};

	return run(st, "INSERT INTO timers (dispute_id, step, state, due_at) "
		   "VALUES ($1, $2, $3, $4)", 4, p, NULL, e);
}

/*
 * Due timers, oldest first. FOR UPDATE SKIP LOCKED: a timer another
 * connection has taken in its open transaction is passed over, not
 * waited for, so each is taken once however many nodes look.
 */
static int pgd_timer_due(struct store *st, int64_t now, struct store_timer *out, int max, int *n,
			 struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, now), pg_i64(t2, max)};
	struct pg_rows rows;
	int rc;

	*n = 0;
	rc = pg_query(st->pg, "SELECT seq, dispute_id, step, state, due_at FROM timers "
		      "WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at, seq LIMIT $2 "
		      "FOR UPDATE SKIP LOCKED", 2, p, &rows, e);
	if (rc)
		return rc;
	while (*n < max && pg_step(&rows)) {
		struct store_timer *t = &out[(*n)++];

		t->seq = pg_col_int64(&rows, 0);
		snprintf(t->dispute_id, sizeof(t->dispute_id), "%s", pg_col_text(&rows, 1));
		snprintf(t->step, sizeof(t->step), "%s", pg_col_text(&rows, 2));
		snprintf(t->state, sizeof(t->state), "%s", pg_col_text(&rows, 3));
		t->due_at = pg_col_int64(&rows, 4);
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgd_timer_fire(struct store *st, int64_t seq, int64_t now, const char *outcome,
			  struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, now), outcome, pg_i64(t2, seq)};
	int64_t n = 0;
	int rc = run(st, "UPDATE timers SET fired_at = $1, outcome = $2 "
		     "WHERE seq = $3 AND fired_at IS NULL", 3, p, &n, e);

	if (!rc && n == 0)
		rc = err_set(e, RC_CONFLICT, "already_fired", NULL, "timer %lld already fired",
			     (long long)seq);
	return rc;
}

static int pgd_obligation_add(struct store *st, const char *dispute_id, const char *kind,
			      int64_t now, int64_t due_at, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {dispute_id, kind, pg_i64(t1, now), pg_i64(t2, due_at)};

	return run(st, "INSERT INTO obligations (dispute_id, kind, created_at, due_at) "
		   "VALUES ($1, $2, $3, $4)", 4, p, NULL, e);
}

static int pgd_obligation_meet(struct store *st, const char *dispute_id, const char *kind,
			       int64_t now, int *met, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), dispute_id, kind};
	int64_t n = 0;
	int rc = run(st, "UPDATE obligations SET met_at = $1 WHERE seq = (SELECT max(seq) FROM "
		     "obligations WHERE dispute_id = $2 AND kind = $3 AND met_at IS NULL)",
		     3, p, &n, e);

	*met = !rc && n > 0;
	return rc;
}

static int pgd_obligation_cancel_open(struct store *st, const char *dispute_id, const char *reason,
				      int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), reason, dispute_id};

	return run(st, "UPDATE obligations SET cancelled_at = $1, cancel_reason = $2 "
		   "WHERE dispute_id = $3 AND met_at IS NULL AND breached = 0 "
		   "AND cancelled_at IS NULL", 3, p, NULL, e);
}

static int pgd_obligation_breach(struct store *st, const char *dispute_id, const char *kind,
				 int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, now), dispute_id, kind};

	return run(st, "UPDATE obligations SET breached = 1, breached_at = $1 WHERE seq = "
		   "(SELECT max(seq) FROM obligations WHERE dispute_id = $2 AND kind = $3 "
		   "AND met_at IS NULL AND breached = 0 AND cancelled_at IS NULL)", 3, p, NULL, e);
}

/* Copy a text column into a fixed field; 0 if it fits (NULL reads as ""). */
static int col_text(const struct pg_rows *rows, int col, char *out, size_t len)
{
	const char *v = pg_col_text(rows, col);
	int n = snprintf(out, len, "%s", v ? v : "");

	return n < 0 || (size_t)n >= len;
}

/* One row of obligation_each's walk as a struct store_obligation; RC_INTERNAL when a field is too long. */
static int read_obligation(const struct pg_rows *rows, struct store_obligation *o, struct err *e)
{
	memset(o, 0, sizeof(*o));
	o->seq = pg_col_int64(rows, 0);
	if (col_text(rows, 1, o->dispute_id, sizeof(o->dispute_id)) ||
	    col_text(rows, 2, o->kind, sizeof(o->kind)))
		return err_set(e, RC_INTERNAL, NULL, NULL,
			       "obligation %lld has a dispute id or kind too long to read",
			       (long long)o->seq);
	o->created_at = pg_col_int64(rows, 3);
	o->due_at = pg_col_int64(rows, 4);
	o->met = !pg_col_null(rows, 5);
	o->met_at = o->met ? pg_col_int64(rows, 5) : 0;
	o->breached = pg_col_int64(rows, 6) != 0;
	o->breached_at = o->breached && !pg_col_null(rows, 7) ? pg_col_int64(rows, 7) : 0;
	o->cancelled = !pg_col_null(rows, 8);
	o->cancelled_at = o->cancelled ? pg_col_int64(rows, 8) : 0;
	if (o->cancelled && !pg_col_null(rows, 9) &&
	    col_text(rows, 9, o->cancel_reason, sizeof(o->cancel_reason)))
		snprintf(o->cancel_reason, sizeof(o->cancel_reason), "other");
	return RC_OK;
}

static int pgd_obligation_each(struct store *st, int64_t from, int64_t to,
			       int (*fn)(void *ctx, const struct store_obligation *o,
					 struct err *e),
			       void *ctx, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, from), pg_i64(t2, to)};
	struct store_obligation o;
	struct pg_rows rows;
	/* a disclosure request an agent must answer is a duty too: kind "disclose" */
	int rc = pg_query(st->pg, "SELECT seq, dispute_id, kind, created_at, due_at, met_at, "
			  "breached, breached_at, cancelled_at, cancel_reason, 0 AS src "
			  "FROM obligations WHERE created_at >= $1 AND created_at < $2 "
			  "UNION ALL "
			  "SELECT seq, id, 'disclose', created_at, due_at, decided_at, 0, "
			  "NULL::bigint, NULL::bigint, NULL::text, 1 FROM disclosures "
			  "WHERE due_at IS NOT NULL AND created_at >= $1 AND created_at < $2 "
			  "ORDER BY src, seq", 2, p, &rows, e);

	if (rc)
		return rc;
	while (!rc && pg_step(&rows)) {
		rc = read_obligation(&rows, &o, e);
		if (!rc)
			rc = fn(ctx, &o, e);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgd_dispute_opened_each(struct store *st, int64_t from, int64_t to,
				   int (*fn)(void *ctx, int64_t created_at, const char *tier,
					     const char *reason, struct err *e),
				   void *ctx, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, from), pg_i64(t2, to)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT created_at, tier, body::json ->> 'reason' FROM disputes "
			  "WHERE created_at >= $1 AND created_at < $2 ORDER BY seq", 2, p, &rows, e);

	if (rc)
		return rc;
	while (!rc && pg_step(&rows)) {
		const char *tier = pg_col_text(&rows, 1), *reason = pg_col_text(&rows, 2);

		rc = fn(ctx, pg_col_int64(&rows, 0), tier ? tier : "", reason ? reason : "", e);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgd_rules_version_put(struct store *st, const struct store_rules_version *v,
				 struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], *text;
	int64_t n = 0;
	int rc;

	if (memchr(v->text, 0, v->len))
		return err_set(e, RC_INVAL, "invalid", "text", "rules text holds a NUL byte");
	text = strndup(v->text, v->len);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {v->version, pg_i64(t1, v->published_at),
				   pg_i64(t2, v->loaded_at), text, v->digest};

		rc = run(st, "INSERT INTO rules_versions (version, published_at, loaded_at, text, "
			 "digest) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO NOTHING",
			 5, p, &n, e);
	}
	free(text);
	if (!rc && n == 0)
		rc = err_set(e, RC_CONFLICT, "version_exists", "version",
			     "rules version %s is already published", v->version);
	return rc;
}

static int pgd_rules_version_each(struct store *st, int64_t after, int max,
				  int (*fn)(void *cls, const struct store_rules_version *v,
					    struct err *e),
				  void *cls, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), pg_i64(t2, max)};
	struct store_rules_version v;
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT seq, version, published_at, loaded_at, text, digest "
			  "FROM rules_versions WHERE seq > $1 ORDER BY seq LIMIT $2", 2, p, &rows,
			  e);

	if (rc)
		return rc;
	while (!rc && pg_step(&rows)) {
		v.seq = pg_col_int64(&rows, 0);
		v.version = pg_col_text(&rows, 1);
		v.published_at = pg_col_int64(&rows, 2);
		v.loaded_at = pg_col_int64(&rows, 3);
		v.text = pg_col_text(&rows, 4);
		v.len = v.text ? strlen(v.text) : 0;
		v.digest = pg_col_text(&rows, 5);
		if (!v.version || !v.text || !v.digest)
			rc = err_set(e, RC_DB, "database_error", NULL, "corrupt rules version");
		else
			rc = fn(cls, &v, e);
	}
	pg_rows_clear(&rows);
	return rc;
}

/*
 * The agent queue, keyed as SQLite's (store_sqlite_queue.c): the tier's
 * place in $2 (a JSON array, else after them all), the next step's due
 * time in ms from its RFC 3339 text (text that is not one reads as
 * "never", as julianday's NULL does, rather than failing the statement),
 * and the id in bytewise order. Row values compare the key with the
 * previous page's last one.
 */
static const char queue_sql[] =
	"SELECT rank, due, id, body FROM ("
	" SELECT id, body,"
	"  COALESCE((SELECT t.ord - 1 FROM json_array_elements_text($2::json) WITH ORDINALITY"
	"            AS t(v, ord) WHERE t.v = tier LIMIT 1), json_array_length($2::json)) AS rank,"
	"  COALESCE((SELECT round(extract(epoch FROM d.v::timestamptz) * 1000)::bigint"
	"            FROM (SELECT body::json #>> '{next,due_at}' AS v) d"
	"            WHERE d.v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}"
	"(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'),"
	"           9223372036854775807) AS due"
	" FROM disputes"
	" WHERE state IN (SELECT json_array_elements_text($1::json))"
	"  AND ($3::text IS NULL OR state = $3) AND ($4::text IS NULL OR tier = $4)"
	"  AND ($5::text IS NULL OR merchant_id = $5) AND ($6::text IS NULL OR consumer_id = $6)"
	"  AND ($7::text IS NULL OR order_id = $7) AND ($8::bigint < 0 OR overdue = $8)) q"
	" WHERE $9::text IS NULL OR (rank, due, id COLLATE \"C\") > ($10::bigint, $11::bigint, $9)"
	" ORDER BY rank, due, id COLLATE \"C\" LIMIT $12";

/* Read the queue's rows (limit + 1 selected) into *items, the last key into *last. */
static int queue_page(struct pg_rows *rows, int limit, json_t **items,
		      struct store_queue_pos *last, int *more, struct err *e)
{
	int n = 0, rc = RC_OK;

	*items = json_array();
	while (*items && !rc && pg_step(rows)) {
		json_t *body;

		if (n == limit) {
			*more = 1;
			break;
		}
		last->rank = (int)pg_col_int64(rows, 0);
		last->due = pg_col_int64(rows, 1);
		snprintf(last->id, sizeof(last->id), "%s", pg_col_text(rows, 2));
		body = pg_col_json(rows, 3);
		if (!body)
			rc = err_set(e, RC_DB, "database_error", NULL, "corrupt dispute body");
		else
			json_array_append_new(*items, body);
		n++;
	}
	if (!*items)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (rc) {
		json_decref(*items);
		*items = NULL;
		*more = 0;
	}
	return rc;
}

static int pgd_dispute_queue(struct store *st, const struct store_dispute_filter *f, json_t *states,
			     json_t *tiers, const struct store_queue_pos *after, int limit,
			     json_t **items, struct store_queue_pos *last, int *more, struct err *e)
{
	char t8[PG_I64_TEXT], t10[PG_I64_TEXT], t11[PG_I64_TEXT], t12[PG_I64_TEXT];
	char *js = json_dumps(states, JSON_COMPACT), *jt = json_dumps(tiers, JSON_COMPACT);
	struct pg_rows rows;
	int rc;

	*items = NULL;
	*more = 0;
	memset(last, 0, sizeof(*last));
	if (!js || !jt) {
		free(js);
		free(jt);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	{
		const char *p[] = {js, jt, f->state, f->tier, f->merchant_id, f->consumer_id,
				   f->order_id, pg_i64(t8, f->overdue),
				   after && after->id[0] ? after->id : NULL,
				   pg_i64(t10, after ? after->rank : 0),
				   pg_i64(t11, after ? after->due : 0),
				   pg_i64(t12, (int64_t)limit + 1)};

		rc = pg_query(st->pg, queue_sql, 12, p, &rows, e);
	}
	free(js);
	free(jt);
	if (!rc)
		rc = queue_page(&rows, limit, items, last, more, e);
	pg_rows_clear(&rows);
	return rc;
}

static int pgd_suspension_insert(struct store *st, const char *id, const char *listing_id,
				 const char *dispute_id, int64_t now, json_t *body, struct err *e)
{
	char t[PG_I64_TEXT], *text = pg_dump(body);
	int64_t n = 0;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {id, listing_id, dispute_id, pg_i64(t, now), text};

		/* an active suspension of the listing, or the id taken: no row, not a failure */
		rc = run(st, "INSERT INTO listing_suspensions (id, listing_id, dispute_id, "
			 "created_at, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
			 5, p, &n, e);
	}
	free(text);
	if (rc == RC_CONFLICT || (!rc && n == 0))
		return err_set(e, RC_CONFLICT, "already_suspended", "listing",
			       "listing %s is already suspended", listing_id);
	return rc;
}

static int pgd_suspension_active(struct store *st, const char *listing_id, json_t **body,
				 struct err *e)
{
	const char *p[] = {listing_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT body FROM listing_suspensions WHERE listing_id = $1 "
			  "AND lifted_at IS NULL", 1, p, &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*body = pg_col_json(&rows, 0);
		if (!*body)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "listing %s is not suspended",
			     listing_id);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgd_suspensions_of_dispute(struct store *st, const char *dispute_id, json_t **listings,
				      struct err *e)
{
	const char *p[] = {dispute_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT listing_id FROM listing_suspensions WHERE dispute_id = $1 "
			  "AND lifted_at IS NULL ORDER BY seq", 1, p, &rows, e);

	*listings = NULL;
	if (rc)
		return rc;
	*listings = json_array();
	while (*listings && pg_step(&rows))
		json_array_append_new(*listings, json_string(pg_col_text(&rows, 0)));
	pg_rows_clear(&rows);
	if (!*listings)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

static int pgd_suspension_lift(struct store *st, const char *id, int64_t now, json_t *body,
			       struct err *e)
{
	char t[PG_I64_TEXT], *text = pg_dump(body);
	int64_t n = 0;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {pg_i64(t, now), text, id};

		rc = run(st, "UPDATE listing_suspensions SET lifted_at = $1, body = $2 "
			 "WHERE id = $3 AND lifted_at IS NULL", 3, p, &n, e);
	}
	free(text);
	if (!rc && n == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "suspension %s is not active", id);
	return rc;
}

const struct store_disputes_ops pg_disputes_ops = {
	.dispute_insert = pgd_dispute_insert,
	.dispute_update = pgd_dispute_update,
	.dispute_get = pgd_dispute_get,
	.dispute_list = pgd_dispute_list,
	.dispute_for_order = pgd_dispute_for_order,
	.dispute_event_insert = pgd_dispute_event_insert,
	.dispute_event_get = pgd_dispute_event_get,
	.dispute_event_list = pgd_dispute_event_list,
	.dispute_event_each = pgd_dispute_event_each,
	.assess_queue = pgd_assess_queue,
	.assess_next = pgd_assess_next,
	.assess_queued = pgd_assess_queued,
	.assess_done = pgd_assess_done,
	.timer_add = pgd_timer_add,
	.timer_due = pgd_timer_due,
	.timer_fire = pgd_timer_fire,
	.obligation_add = pgd_obligation_add,
	.obligation_meet = pgd_obligation_meet,
	.obligation_cancel_open = pgd_obligation_cancel_open,
	.obligation_breach = pgd_obligation_breach,
	.obligation_each = pgd_obligation_each,
	.dispute_opened_each = pgd_dispute_opened_each,
	.rules_version_put = pgd_rules_version_put,
	.rules_version_each = pgd_rules_version_each,
	.dispute_queue = pgd_dispute_queue,
	.suspension_insert = pgd_suspension_insert,
	.suspension_active = pgd_suspension_active,
	.suspensions_of_dispute = pgd_suspensions_of_dispute,
	.suspension_lift = pgd_suspension_lift,
};
