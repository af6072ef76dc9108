/* store_pg_webhooks.c - the PostgreSQL side of store_webhooks.h (webhooks): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgw_webhook_endpoint_insert(struct store *st, const char *id, const char *url,
				       const char *events, const char *secret, int64_t now,
				       struct err *e)
{
	(void)id;
	(void)url;
	(void)events;
	(void)secret;
	(void)now;
	(void)st;
	return pg_not_yet("webhook_endpoint_insert", e);
}

static int pgw_webhook_endpoint_get(struct store *st, const char *id, json_t **out, struct err *e)
{
	(void)id;
	(void)out;
	(void)st;
	return pg_not_yet("webhook_endpoint_get", e);
}

static int pgw_webhook_endpoint_list(struct store *st, int64_t after, int limit, json_t **items,
				     int64_t *next, struct err *e)
{
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("webhook_endpoint_list", e);
}

static int pgw_webhook_endpoint_disable(struct store *st, const char *id, int64_t now,
					struct err *e)
{
	(void)id;
	(void)now;
	(void)st;
	return pg_not_yet("webhook_endpoint_disable", e);
}

static int pgw_webhook_event_add(struct store *st, const char *id, const char *type,
				 const char *body, int64_t now, int64_t *deliveries, struct err *e)
{
	(void)id;
	(void)type;
	(void)body;
	(void)now;
	(void)deliveries;
	(void)st;
	return pg_not_yet("webhook_event_add", e);
}

static int pgw_webhook_due(struct store *st, int64_t now, struct store_delivery *out, int max,
			   int *n, struct err *e)
{
	(void)now;
	(void)out;
	(void)max;
	(void)n;
	(void)st;
	return pg_not_yet("webhook_due", e);
}

static int pgw_webhook_attempt(struct store *st, const struct store_attempt *a, struct err *e)
{
	(void)a;
	(void)st;
	return pg_not_yet("webhook_attempt", e);
}

const struct store_webhooks_ops pg_webhooks_ops = {
	.webhook_endpoint_insert = pgw_webhook_endpoint_insert,
	.webhook_endpoint_get = pgw_webhook_endpoint_get,
	.webhook_endpoint_list = pgw_webhook_endpoint_list,
	.webhook_endpoint_disable = pgw_webhook_endpoint_disable,
	.webhook_event_add = pgw_webhook_event_add,
	.webhook_due = pgw_webhook_due,
	.webhook_attempt = pgw_webhook_attempt,
};
