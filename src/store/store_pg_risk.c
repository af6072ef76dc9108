/* store_pg_risk.c - the PostgreSQL side of store_risk.h (risk): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgr_merchant_flag_set(struct store *st, const char *merchant_id, const char *flag,
				 const char *reason, const char *set_by, int64_t now, struct err *e)
{
	(void)merchant_id;
	(void)flag;
	(void)reason;
	(void)set_by;
	(void)now;
	(void)st;
	return pg_not_yet("merchant_flag_set", e);
}

static int pgr_merchant_flag_clear(struct store *st, const char *merchant_id, const char *flag,
				   const char *cleared_by, int64_t now, struct err *e)
{
	(void)merchant_id;
	(void)flag;
	(void)cleared_by;
	(void)now;
	(void)st;
	return pg_not_yet("merchant_flag_clear", e);
}

static int pgr_merchant_flags(struct store *st, const char *merchant_id, json_t **out,
			      struct err *e)
{
	(void)merchant_id;
	(void)out;
	(void)st;
	return pg_not_yet("merchant_flags", e);
}

static int pgr_risk_orders(struct store *st, enum store_risk_scope scope, const char *id,
			   int64_t from, int64_t to, int64_t *n, struct err *e)
{
	(void)scope;
	(void)id;
	(void)from;
	(void)to;
	(void)n;
	(void)st;
	return pg_not_yet("risk_orders", e);
}

static int pgr_risk_disputes(struct store *st, enum store_risk_scope scope, const char *id,
			     const char *reason, int64_t from, int64_t to, int64_t *n, json_t **ids,
			     size_t max, struct err *e)
{
	(void)scope;
	(void)id;
	(void)reason;
	(void)from;
	(void)to;
	(void)n;
	(void)ids;
	(void)max;
	(void)st;
	return pg_not_yet("risk_disputes", e);
}

static int pgr_risk_first_order(struct store *st, enum store_risk_scope scope, const char *id,
				int64_t *at, struct err *e)
{
	(void)scope;
	(void)id;
	(void)at;
	(void)st;
	return pg_not_yet("risk_first_order", e);
}

static int pgr_risk_category_of(struct store *st, enum store_risk_scope scope, const char *id,
				char *out, size_t size, struct err *e)
{
	(void)scope;
	(void)id;
	(void)out;
	(void)size;
	(void)st;
	return pg_not_yet("risk_category_of", e);
}

static int pgr_risk_merchant_counts(struct store *st, const char *merchant_id, int64_t from,
				    int64_t to, struct store_risk_counts *c, struct err *e)
{
	(void)merchant_id;
	(void)from;
	(void)to;
	(void)c;
	(void)st;
	return pg_not_yet("risk_merchant_counts", e);
}

static int pgr_risk_merchant_foci(struct store *st, const char *merchant_id, const char *source,
				  int64_t from, int64_t to, json_t **out, struct err *e)
{
	(void)merchant_id;
	(void)source;
	(void)from;
	(void)to;
	(void)out;
	(void)st;
	return pg_not_yet("risk_merchant_foci", e);
}

static int pgr_risk_rank(struct store *st, int64_t from, int64_t to, int64_t offset, int limit,
			 int64_t cap, json_t **out, int *more, struct err *e)
{
	(void)from;
	(void)to;
	(void)offset;
	(void)limit;
	(void)cap;
	(void)out;
	(void)more;
	(void)st;
	return pg_not_yet("risk_rank", e);
}

static int pgr_risk_candidates(struct store *st, enum store_risk_scope scope, int64_t from,
			       int64_t to, size_t max,
			       int (*fn)(void *ctx, const char *id, const char *reason, int64_t n),
			       void *ctx, struct err *e)
{
	(void)scope;
	(void)from;
	(void)to;
	(void)max;
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("risk_candidates", e);
}

static int pgr_risk_upheld(struct store *st, const char *merchant_id, char *const *reasons,
			   int64_t from, int64_t to, size_t max, int64_t *n, json_t **ids,
			   struct err *e)
{
	(void)merchant_id;
	(void)reasons;
	(void)from;
	(void)to;
	(void)max;
	(void)n;
	(void)ids;
	(void)st;
	return pg_not_yet("risk_upheld", e);
}

static int pgr_risk_repeat_merchants(struct store *st, char *const *reasons, int64_t from,
				     int64_t to, int64_t k, size_t max, json_t **out, struct err *e)
{
	(void)reasons;
	(void)from;
	(void)to;
	(void)k;
	(void)max;
	(void)out;
	(void)st;
	return pg_not_yet("risk_repeat_merchants", e);
}

static int pgr_alert_insert(struct store *st, const char *id, const char *scope,
			    const char *scope_id, const char *focus, int64_t window_start,
			    int64_t window_end, const char *merchant_id, int64_t now, json_t *body,
			    int *inserted, struct err *e)
{
	(void)id;
	(void)scope;
	(void)scope_id;
	(void)focus;
	(void)window_start;
	(void)window_end;
	(void)merchant_id;
	(void)now;
	(void)body;
	(void)inserted;
	(void)st;
	return pg_not_yet("alert_insert", e);
}

static int pgr_alert_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("alert_get", e);
}

static int pgr_alert_list(struct store *st, const char *scope, const char *merchant_id,
			  const char *focus, int64_t after, int limit, json_t **items,
			  int64_t *next, struct err *e)
{
	(void)scope;
	(void)merchant_id;
	(void)focus;
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("alert_list", e);
}

static int pgr_proposal_insert(struct store *st, const char *id, const char *merchant_id,
			       const char *flag, int64_t upheld, int64_t now, json_t *body,
			       struct err *e)
{
	(void)id;
	(void)merchant_id;
	(void)flag;
	(void)upheld;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("proposal_insert", e);
}

static int pgr_proposal_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("proposal_get", e);
}

static int pgr_proposal_list(struct store *st, const char *state, int64_t after, int limit,
			     json_t **items, int64_t *next, struct err *e)
{
	(void)state;
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("proposal_list", e);
}

static int pgr_proposal_decide(struct store *st, const char *id, const char *state, int64_t now,
			       json_t *body, struct err *e)
{
	(void)id;
	(void)state;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("proposal_decide", e);
}

static int pgr_proposal_state(struct store *st, const char *merchant_id, const char *flag,
			      int *open, int64_t *dismissed_upheld, struct err *e)
{
	(void)merchant_id;
	(void)flag;
	(void)open;
	(void)dismissed_upheld;
	(void)st;
	return pg_not_yet("proposal_state", e);
}

static int pgr_merchant_flag_evidence(struct store *st, const char *merchant_id, const char *flag,
				      const char *evidence, struct err *e)
{
	(void)merchant_id;
	(void)flag;
	(void)evidence;
	(void)st;
	return pg_not_yet("merchant_flag_evidence", e);
}

const struct store_risk_ops pg_risk_ops = {
	.merchant_flag_set = pgr_merchant_flag_set,
	.merchant_flag_clear = pgr_merchant_flag_clear,
	.merchant_flags = pgr_merchant_flags,
	.risk_orders = pgr_risk_orders,
	.risk_disputes = pgr_risk_disputes,
	.risk_first_order = pgr_risk_first_order,
	.risk_category_of = pgr_risk_category_of,
	.risk_merchant_counts = pgr_risk_merchant_counts,
	.risk_merchant_foci = pgr_risk_merchant_foci,
	.risk_rank = pgr_risk_rank,
	.risk_candidates = pgr_risk_candidates,
	.risk_upheld = pgr_risk_upheld,
	.risk_repeat_merchants = pgr_risk_repeat_merchants,
	.alert_insert = pgr_alert_insert,
	.alert_get = pgr_alert_get,
	.alert_list = pgr_alert_list,
	.proposal_insert = pgr_proposal_insert,
	.proposal_get = pgr_proposal_get,
	.proposal_list = pgr_proposal_list,
	.proposal_decide = pgr_proposal_decide,
	.proposal_state = pgr_proposal_state,
	.merchant_flag_evidence = pgr_merchant_flag_evidence,
};
