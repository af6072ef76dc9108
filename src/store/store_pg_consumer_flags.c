/* store_pg_consumer_flags.c - the PostgreSQL side of store_risk.h (consumer_flags): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgcf_consumer_flag_insert(struct store *st, const char *id, const char *consumer_id,
				     const char *flag, const char *reason, json_t *evidence,
				     const char *set_by, int64_t now, struct err *e)
{
	(void)id;
	(void)consumer_id;
	(void)flag;
	(void)reason;
	(void)evidence;
	(void)set_by;
	(void)now;
	(void)st;
	return pg_not_yet("consumer_flag_insert", e);
}

static int pgcf_consumer_flag_live(struct store *st, const char *consumer_id, const char *flag,
				   json_t **out, struct err *e)
{
	(void)consumer_id;
	(void)flag;
	(void)out;
	(void)st;
	return pg_not_yet("consumer_flag_live", e);
}

static int pgcf_consumer_flags(struct store *st, const char *consumer_id, json_t **out,
			       struct err *e)
{
	(void)consumer_id;
	(void)out;
	(void)st;
	return pg_not_yet("consumer_flags", e);
}

static int pgcf_consumer_flagged(struct store *st, const char *consumer_id, const char *flag,
				 int *yes, struct err *e)
{
	(void)consumer_id;
	(void)flag;
	(void)yes;
	(void)st;
	return pg_not_yet("consumer_flagged", e);
}

static int pgcf_consumer_flag_clear(struct store *st, const char *flag_id, const char *cleared_by,
				    const char *reason, int64_t now, struct err *e)
{
	(void)flag_id;
	(void)cleared_by;
	(void)reason;
	(void)now;
	(void)st;
	return pg_not_yet("consumer_flag_clear", e);
}

static int pgcf_consumer_flag_appeal(struct store *st, const char *flag_id, const char *text,
				     int64_t now, struct err *e)
{
	(void)flag_id;
	(void)text;
	(void)now;
	(void)st;
	return pg_not_yet("consumer_flag_appeal", e);
}

static int pgcf_consumer_flag_decide(struct store *st, const char *flag_id, const char *decision,
				     const char *reason, const char *decided_by, int64_t now,
				     struct err *e)
{
	(void)flag_id;
	(void)decision;
	(void)reason;
	(void)decided_by;
	(void)now;
	(void)st;
	return pg_not_yet("consumer_flag_decide", e);
}

static int pgcf_consumer_flag_event_insert(struct store *st, const char *id, const char *flag_id,
					   const char *consumer_id, const char *type, int64_t now,
					   json_t *body, struct err *e)
{
	(void)id;
	(void)flag_id;
	(void)consumer_id;
	(void)type;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("consumer_flag_event_insert", e);
}

static int pgcf_consumer_flag_event_get(struct store *st, const char *id, json_t **body,
					struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("consumer_flag_event_get", e);
}

static int pgcf_consumer_flag_events(struct store *st, const char *consumer_id, int limit,
				     json_t **items, struct err *e)
{
	(void)consumer_id;
	(void)limit;
	(void)items;
	(void)st;
	return pg_not_yet("consumer_flag_events", e);
}

static int pgcf_consumer_flag_counts(struct store *st, int64_t from, int64_t to, int64_t now,
				     struct store_flag_counts *out, struct err *e)
{
	(void)from;
	(void)to;
	(void)now;
	(void)out;
	(void)st;
	return pg_not_yet("consumer_flag_counts", e);
}

static int pgcf_consumer_blob_cited(struct store *st, const char *consumer_id,
				    const char *digest_hex, int *yes, struct err *e)
{
	(void)consumer_id;
	(void)digest_hex;
	(void)yes;
	(void)st;
	return pg_not_yet("consumer_blob_cited", e);
}

static int pgcf_consumer_order_count(struct store *st, const char *consumer_id, int64_t *n,
				     struct err *e)
{
	(void)consumer_id;
	(void)n;
	(void)st;
	return pg_not_yet("consumer_order_count", e);
}

static int pgcf_consumer_disputes(struct store *st, const char *consumer_id, int limit,
				  json_t **items, int *more, struct err *e)
{
	(void)consumer_id;
	(void)limit;
	(void)items;
	(void)more;
	(void)st;
	return pg_not_yet("consumer_disputes", e);
}

const struct store_consumer_flags_ops pg_consumer_flags_ops = {
	.consumer_flag_insert = pgcf_consumer_flag_insert,
	.consumer_flag_live = pgcf_consumer_flag_live,
	.consumer_flags = pgcf_consumer_flags,
	.consumer_flagged = pgcf_consumer_flagged,
	.consumer_flag_clear = pgcf_consumer_flag_clear,
	.consumer_flag_appeal = pgcf_consumer_flag_appeal,
	.consumer_flag_decide = pgcf_consumer_flag_decide,
	.consumer_flag_event_insert = pgcf_consumer_flag_event_insert,
	.consumer_flag_event_get = pgcf_consumer_flag_event_get,
	.consumer_flag_events = pgcf_consumer_flag_events,
	.consumer_flag_counts = pgcf_consumer_flag_counts,
	.consumer_blob_cited = pgcf_consumer_blob_cited,
	.consumer_order_count = pgcf_consumer_order_count,
	.consumer_disputes = pgcf_consumer_disputes,
};
