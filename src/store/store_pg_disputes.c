/* store_pg_disputes.c - the PostgreSQL side of store_disputes.h (disputes): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgd_dispute_insert(struct store *st, const char *id, const char *order_id,
			      const char *merchant_id, const char *consumer_id, const char *state,
			      const char *tier, int64_t now, json_t *body, struct err *e)
{
	(void)id;
	(void)order_id;
	(void)merchant_id;
	(void)consumer_id;
	(void)state;
	(void)tier;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("dispute_insert", e);
}

static int pgd_dispute_update(struct store *st, const char *id, const char *state, const char *tier,
			      int overdue, int64_t now, json_t *body, struct err *e)
{
	(void)id;
	(void)state;
	(void)tier;
	(void)overdue;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("dispute_update", e);
}

static int pgd_dispute_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("dispute_get", e);
}

static int pgd_dispute_list(struct store *st, const struct store_dispute_filter *f, int64_t after,
			    int limit, json_t **items, int64_t *next, struct err *e)
{
	(void)f;
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("dispute_list", e);
}

static int pgd_dispute_for_order(struct store *st, const char *order_id, const char *const *states,
				 char id[ID_MAX], int *found, struct err *e)
{
	(void)order_id;
	(void)states;
	(void)id;
	(void)found;
	(void)st;
	return pg_not_yet("dispute_for_order", e);
}

static int pgd_dispute_event_insert(struct store *st, const char *id, const char *dispute_id,
				    int64_t now, json_t *body, struct err *e)
{
	(void)id;
	(void)dispute_id;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("dispute_event_insert", e);
}

static int pgd_dispute_event_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("dispute_event_get", e);
}

static int pgd_dispute_event_list(struct store *st, const char *dispute_id, int64_t after,
				  int limit, json_t **items, int64_t *next, struct err *e)
{
	(void)dispute_id;
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("dispute_event_list", e);
}

static int pgd_dispute_event_each(struct store *st, const char *dispute_id,
				  int (*fn)(void *ctx, json_t *ev), void *ctx, struct err *e)
{
	(void)dispute_id;
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("dispute_event_each", e);
}

static int pgd_assess_queue(struct store *st, const char *dispute_id, int64_t now, struct err *e)
{
	(void)dispute_id;
	(void)now;
	(void)st;
	return pg_not_yet("assess_queue", e);
}

static int pgd_assess_next(struct store *st, char id[ID_MAX], int *found, struct err *e)
{
	(void)id;
	(void)found;
	(void)st;
	return pg_not_yet("assess_next", e);
}

static int pgd_assess_queued(struct store *st, const char *dispute_id, int *queued, struct err *e)
{
	(void)dispute_id;
	(void)queued;
	(void)st;
	return pg_not_yet("assess_queued", e);
}

static int pgd_assess_done(struct store *st, const char *dispute_id, int *was, struct err *e)
{
	(void)dispute_id;
	(void)was;
	(void)st;
	return pg_not_yet("assess_done", e);
}

static int pgd_timer_add(struct store *st, const char *dispute_id, const char *step,
			 const char *state, int64_t due_at, struct err *e)
{
	(void)dispute_id;
	(void)step;
	(void)state;
	(void)due_at;
	(void)st;
	return pg_not_yet("timer_add", e);
}

static int pgd_timer_due(struct store *st, int64_t now, struct store_timer *out, int max, int *n,
			 struct err *e)
{
	(void)now;
	(void)out;
	(void)max;
	(void)n;
	(void)st;
	return pg_not_yet("timer_due", e);
}

static int pgd_timer_fire(struct store *st, int64_t seq, int64_t now, const char *outcome,
			  struct err *e)
{
	(void)seq;
	(void)now;
	(void)outcome;
	(void)st;
	return pg_not_yet("timer_fire", e);
}

static int pgd_obligation_add(struct store *st, const char *dispute_id, const char *kind,
			      int64_t now, int64_t due_at, struct err *e)
{
	(void)dispute_id;
	(void)kind;
	(void)now;
	(void)due_at;
	(void)st;
	return pg_not_yet("obligation_add", e);
}

static int pgd_obligation_meet(struct store *st, const char *dispute_id, const char *kind,
			       int64_t now, int *met, struct err *e)
{
	(void)dispute_id;
	(void)kind;
	(void)now;
	(void)met;
	(void)st;
	return pg_not_yet("obligation_meet", e);
}

static int pgd_obligation_cancel_open(struct store *st, const char *dispute_id, const char *reason,
				      int64_t now, struct err *e)
{
	(void)dispute_id;
	(void)reason;
	(void)now;
	(void)st;
	return pg_not_yet("obligation_cancel_open", e);
}

static int pgd_obligation_breach(struct store *st, const char *dispute_id, const char *kind,
				 int64_t now, struct err *e)
{
	(void)dispute_id;
	(void)kind;
	(void)now;
	(void)st;
	return pg_not_yet("obligation_breach", e);
}

static int pgd_obligation_each(struct store *st, int64_t from, int64_t to,
			       int (*fn)(void *ctx, const struct store_obligation *o,
					 struct err *e),
			       void *ctx, struct err *e)
{
	(void)from;
	(void)to;
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("obligation_each", e);
}

static int pgd_dispute_opened_each(struct store *st, int64_t from, int64_t to,
				   int (*fn)(void *ctx, int64_t created_at, const char *tier,
					     const char *reason, struct err *e),
				   void *ctx, struct err *e)
{
	(void)from;
	(void)to;
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("dispute_opened_each", e);
}

static int pgd_rules_version_put(struct store *st, const struct store_rules_version *v,
				 struct err *e)
{
	(void)v;
	(void)st;
	return pg_not_yet("rules_version_put", e);
}

static int pgd_rules_version_each(struct store *st, int64_t after, int max,
				  int (*fn)(void *cls, const struct store_rules_version *v,
					    struct err *e),
				  void *cls, struct err *e)
{
	(void)after;
	(void)max;
	(void)fn;
	(void)cls;
	(void)st;
	return pg_not_yet("rules_version_each", e);
}

static int pgd_dispute_queue(struct store *st, const struct store_dispute_filter *f, json_t *states,
			     json_t *tiers, const struct store_queue_pos *after, int limit,
			     json_t **items, struct store_queue_pos *last, int *more, struct err *e)
{
	(void)f;
	(void)states;
	(void)tiers;
	(void)after;
	(void)limit;
	(void)items;
	(void)last;
	(void)more;
	(void)st;
	return pg_not_yet("dispute_queue", e);
}

static int pgd_suspension_insert(struct store *st, const char *id, const char *listing_id,
				 const char *dispute_id, int64_t now, json_t *body, struct err *e)
{
	(void)id;
	(void)listing_id;
	(void)dispute_id;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("suspension_insert", e);
}

static int pgd_suspension_active(struct store *st, const char *listing_id, json_t **body,
				 struct err *e)
{
	(void)listing_id;
	(void)body;
	(void)st;
	return pg_not_yet("suspension_active", e);
}

static int pgd_suspensions_of_dispute(struct store *st, const char *dispute_id, json_t **listings,
				      struct err *e)
{
	(void)dispute_id;
	(void)listings;
	(void)st;
	return pg_not_yet("suspensions_of_dispute", e);
}

static int pgd_suspension_lift(struct store *st, const char *id, int64_t now, json_t *body,
			       struct err *e)
{
	(void)id;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("suspension_lift", e);
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
