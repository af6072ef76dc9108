/* store_pg_retention.c - the PostgreSQL side of store_retention.h (retention): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgrt_legal_hold_insert(struct store *st, const struct store_legal_hold_row *row,
				  struct err *e)
{
	(void)row;
	(void)st;
	return pg_not_yet("legal_hold_insert", e);
}

static int pgrt_legal_hold_get(struct store *st, const char *id, json_t **out, struct err *e)
{
	(void)id;
	(void)out;
	(void)st;
	return pg_not_yet("legal_hold_get", e);
}

static int pgrt_legal_hold_list(struct store *st, const char *order_id, int active, int64_t after,
				int limit, json_t **items, int64_t *next, struct err *e)
{
	(void)order_id;
	(void)active;
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("legal_hold_list", e);
}

static int pgrt_legal_hold_lift(struct store *st, const char *id, const char *by,
				const char *reason, int64_t now, struct err *e)
{
	(void)id;
	(void)by;
	(void)reason;
	(void)now;
	(void)st;
	return pg_not_yet("legal_hold_lift", e);
}

static int pgrt_order_held(struct store *st, const char *order_id, int *held, struct err *e)
{
	(void)order_id;
	(void)held;
	(void)st;
	return pg_not_yet("order_held", e);
}

static int pgrt_retention_due(struct store *st, int64_t cutoff, int64_t after, int limit,
			      char (*ids)[ID_MAX], int64_t *last, int *n, int64_t *next,
			      struct err *e)
{
	(void)cutoff;
	(void)after;
	(void)limit;
	(void)ids;
	(void)last;
	(void)n;
	(void)next;
	(void)st;
	return pg_not_yet("retention_due", e);
}

static int pgrt_body_shred(struct store *st, const char *kind, const char *id, json_t *body,
			   struct err *e)
{
	(void)kind;
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("body_shred", e);
}

static int pgrt_seal_salts_shred(struct store *st, int64_t seq, const char *salts, struct err *e)
{
	(void)seq;
	(void)salts;
	(void)st;
	return pg_not_yet("seal_salts_shred", e);
}

static int pgrt_consumer_live_orders(struct store *st, const char *consumer_id, int64_t *n,
				     struct err *e)
{
	(void)consumer_id;
	(void)n;
	(void)st;
	return pg_not_yet("consumer_live_orders", e);
}

static int pgrt_blob_cited_elsewhere(struct store *st, const char *digest_hex, const char *order_id,
				     int *yes, struct err *e)
{
	(void)digest_hex;
	(void)order_id;
	(void)yes;
	(void)st;
	return pg_not_yet("blob_cited_elsewhere", e);
}

static int pgrt_purge_mentions(struct store *st, const char *needle, struct err *e)
{
	(void)needle;
	(void)st;
	return pg_not_yet("purge_mentions", e);
}

static int pgrt_shredding_insert(struct store *st, const char *id, const char *order_id,
				 int64_t created_at, json_t *body, struct err *e)
{
	(void)id;
	(void)order_id;
	(void)created_at;
	(void)body;
	(void)st;
	return pg_not_yet("shredding_insert", e);
}

static int pgrt_blob_shredded(struct store *st, const char *digest_hex, int *yes, struct err *e)
{
	(void)digest_hex;
	(void)yes;
	(void)st;
	return pg_not_yet("blob_shredded", e);
}

static int pgrt_shredding_of_order(struct store *st, const char *order_id, json_t **body,
				   struct err *e)
{
	(void)order_id;
	(void)body;
	(void)st;
	return pg_not_yet("shredding_of_order", e);
}

static int pgrt_shredding_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("shredding_get", e);
}

static int pgrt_shredding_each(struct store *st, int (*fn)(void *ctx, json_t *body), void *ctx,
			       struct err *e)
{
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("shredding_each", e);
}

static int pgrt_secure_delete(struct store *st, int on, struct err *e)
{
	(void)on;
	(void)st;
	return pg_not_yet("secure_delete", e);
}

static int pgrt_compact(struct store *st, struct err *e)
{
	(void)st;
	return pg_not_yet("compact", e);
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
