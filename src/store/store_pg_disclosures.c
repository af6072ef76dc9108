/* store_pg_disclosures.c - the PostgreSQL side of store_disclosures.h (disclosures): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgdc_disclosure_insert(struct store *st, const struct store_disclosure_row *row,
				  struct err *e)
{
	(void)row;
	(void)st;
	return pg_not_yet("disclosure_insert", e);
}

static int pgdc_disclosure_update(struct store *st, const char *id, const char *state,
				  int64_t decided_at, json_t *body, struct err *e)
{
	(void)id;
	(void)state;
	(void)decided_at;
	(void)body;
	(void)st;
	return pg_not_yet("disclosure_update", e);
}

static int pgdc_disclosure_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("disclosure_get", e);
}

static int pgdc_disclosure_list(struct store *st, const struct store_disclosure_filter *f,
				int64_t after, int limit, json_t **items, int64_t *next,
				struct err *e)
{
	(void)f;
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("disclosure_list", e);
}

static int pgdc_disclosure_event_insert(struct store *st, const char *id, const char *disclosure_id,
					const char *order_id, int64_t now, json_t *body,
					struct err *e)
{
	(void)id;
	(void)disclosure_id;
	(void)order_id;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("disclosure_event_insert", e);
}

static int pgdc_disclosure_event_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("disclosure_event_get", e);
}

static int pgdc_disclosure_events(struct store *st, const char *disclosure_id, json_t **items,
				  struct err *e)
{
	(void)disclosure_id;
	(void)items;
	(void)st;
	return pg_not_yet("disclosure_events", e);
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
