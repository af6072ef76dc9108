/* store_pg_disclosures.c - the PostgreSQL side of store_disclosures.h: disclosure requests and their events. */
#include "store/store_pg_int.h"

#include <stdlib.h>

static int pgdc_disclosure_insert(struct store *st, const struct store_disclosure_row *row,
				  struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	char *text = pg_dump(row->body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {row->id, row->order_id, row->dispute_id, row->requester_role,
				   row->requester_id, row->state, pg_i64(t1, row->created_at),
				   row->due_at > 0 ? pg_i64(t2, row->due_at) : NULL, text};

		rc = pg_query(st->pg, "INSERT INTO disclosures (id, order_id, dispute_id, "
			      "requester_role, requester_id, state, created_at, due_at, decided_at, "
			      "body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)", 9, p, NULL,
			      e);
	}
	free(text);
	return rc;
}

static int pgdc_disclosure_update(struct store *st, const char *id, const char *state,
				  int64_t decided_at, json_t *body, struct err *e)
{
	char t[PG_I64_TEXT];
	char *text = pg_dump(body);
	struct pg_rows rows;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {state, pg_i64(t, decided_at), text, id};

		rc = pg_query(st->pg, "UPDATE disclosures SET state = $1, decided_at = $2, "
			      "body = $3 WHERE id = $4", 4, p, &rows, e);
	}
	free(text);
	if (rc)
		return rc;
	if (pg_rows_changed(&rows) != 1)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no disclosure %s", id);
	pg_rows_clear(&rows);
	return rc;
}

/* The body in column 0 of the one row `sql` selects by id, or RC_NOTFOUND naming `what`. */
static int one_body(struct store *st, const char *sql, const char *what, const char *id,
		    json_t **body, struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, 1, p, &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*body = pg_col_json(&rows, 0);
		if (!*body)
			rc = err_set(e, RC_DB, "database_error", NULL, "%s %s is not JSON", what, id);
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such %s", what);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgdc_disclosure_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return one_body(st, "SELECT body FROM disclosures WHERE id = $1", "disclosure", id, body,
			e);
}

static int pgdc_disclosure_list(struct store *st, const struct store_disclosure_filter *f,
				int64_t after, int limit, json_t **items, int64_t *next,
				struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), f->requester_role, f->requester_id, f->state,
			   f->order_id, pg_i64(t2, (int64_t)limit + 1)};
	struct pg_rows rows;
	int rc = pg_query(st->pg,
			  "SELECT seq, body FROM disclosures WHERE seq > $1"
			  " AND ($2::text IS NULL OR requester_role = $2)"
			  " AND ($3::text IS NULL OR requester_id = $3)"
			  " AND ($4::text IS NULL OR state = $4)"
			  " AND ($5::text IS NULL OR order_id = $5)"
			  " ORDER BY seq LIMIT $6",
			  6, p, &rows, e);

	*items = NULL;
	*next = 0;
	if (rc)
		return rc;
	return pg_page(&rows, limit, items, next, e);
}

static int pgdc_disclosure_event_insert(struct store *st, const char *id, const char *disclosure_id,
					const char *order_id, int64_t now, json_t *body,
					struct err *e)
{
	char t[PG_I64_TEXT];
	char *text = pg_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {id, disclosure_id, order_id, pg_i64(t, now), text};

		rc = pg_query(st->pg, "INSERT INTO disclosure_events (id, disclosure_id, order_id, "
			      "created_at, body) VALUES ($1, $2, $3, $4, $5)", 5, p, NULL, e);
	}
	free(text);
	return rc;
}

static int pgdc_disclosure_event_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	return one_body(st, "SELECT body FROM disclosure_events WHERE id = $1", "disclosure event",
			id, body, e);
}

static int pgdc_disclosure_events(struct store *st, const char *disclosure_id, json_t **items,
				  struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {disclosure_id, pg_i64(t, (int64_t)STORE_DISCLOSURE_MAX_EVENTS + 1)};
	struct pg_rows rows;
	int64_t next = 0;
	int rc = pg_query(st->pg, "SELECT seq, body FROM disclosure_events WHERE disclosure_id = $1 "
			  "ORDER BY seq LIMIT $2", 2, p, &rows, e);

	*items = NULL;
	if (rc)
		return rc;
	return pg_page(&rows, STORE_DISCLOSURE_MAX_EVENTS, items, &next, e);
}

const struct store_disclosures_ops pg_disclosures_ops = {
	.disclosure_insert = pgdc_disclosure_insert,
	.disclosure_update = pgdc_disclosure_update,
	.disclosure_get = pgdc_disclosure_get,
	.disclosure_list = pgdc_disclosure_list,
	.disclosure_event_insert = pgdc_disclosure_event_insert,
	.disclosure_event_get = pgdc_disclosure_event_get,
	.disclosure_events = pgdc_disclosure_events,
};
