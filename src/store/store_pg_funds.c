/* store_pg_funds.c - the PostgreSQL side of store_funds.h (funds): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgf_fund_party_id(struct store *st, enum store_kind kind, const char *ref,
			     char id[ID_MAX], struct err *e)
{
	(void)kind;
	(void)ref;
	(void)id;
	(void)st;
	return pg_not_yet("fund_party_id", e);
}

static int pgf_fund_account(struct store *st, const char *owner, const char *name,
			    const char *currency, int create, int64_t now,
			    struct store_account *out, struct err *e)
{
	(void)owner;
	(void)name;
	(void)currency;
	(void)create;
	(void)now;
	(void)out;
	(void)st;
	return pg_not_yet("fund_account", e);
}

static int pgf_fund_entry_insert(struct store *st, const char *id, const char *kind,
				 const char *dispute_id, int64_t created_at, json_t *body,
				 const struct store_leg *legs, size_t n, struct err *e)
{
	(void)id;
	(void)kind;
	(void)dispute_id;
	(void)created_at;
	(void)body;
	(void)legs;
	(void)n;
	(void)st;
	return pg_not_yet("fund_entry_insert", e);
}

static int pgf_fund_entry_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	(void)id;
	(void)body;
	(void)st;
	return pg_not_yet("fund_entry_get", e);
}

static int pgf_fund_entry_list(struct store *st, const char *owner, const char *account,
			       int64_t after, int limit, json_t **items, int64_t *next,
			       struct err *e)
{
	(void)owner;
	(void)account;
	(void)after;
	(void)limit;
	(void)items;
	(void)next;
	(void)st;
	return pg_not_yet("fund_entry_list", e);
}

static int pgf_fund_hold_insert(struct store *st, const char *id, const char *merchant_id,
				const char *dispute_id, int64_t requested, int64_t amount,
				int64_t now, json_t *body, const struct store_leg *parts, size_t n,
				struct err *e)
{
	(void)id;
	(void)merchant_id;
	(void)dispute_id;
	(void)requested;
	(void)amount;
	(void)now;
	(void)body;
	(void)parts;
	(void)n;
	(void)st;
	return pg_not_yet("fund_hold_insert", e);
}

static int pgf_fund_hold_get(struct store *st, const char *id, struct store_hold *out,
			     struct err *e)
{
	(void)id;
	(void)out;
	(void)st;
	return pg_not_yet("fund_hold_get", e);
}

static int pgf_fund_hold_active_for(struct store *st, const char *merchant_id,
				    const char *dispute_id, char id[ID_MAX], int *found,
				    struct err *e)
{
	(void)merchant_id;
	(void)dispute_id;
	(void)id;
	(void)found;
	(void)st;
	return pg_not_yet("fund_hold_active_for", e);
}

static int pgf_fund_hold_close(struct store *st, const char *id, const char *state, int64_t now,
			       struct err *e)
{
	(void)id;
	(void)state;
	(void)now;
	(void)st;
	return pg_not_yet("fund_hold_close", e);
}

static int pgf_fund_receivable_insert(struct store *st, const char *id, const char *merchant_id,
				      const char *dispute_id, const char *entry_id, int64_t amount,
				      int64_t now, struct err *e)
{
	(void)id;
	(void)merchant_id;
	(void)dispute_id;
	(void)entry_id;
	(void)amount;
	(void)now;
	(void)st;
	return pg_not_yet("fund_receivable_insert", e);
}

static int pgf_fund_receivable_open(struct store *st, const char *merchant_id,
				    struct store_receivable *out, int max, int *n, struct err *e)
{
	(void)merchant_id;
	(void)out;
	(void)max;
	(void)n;
	(void)st;
	return pg_not_yet("fund_receivable_open", e);
}

static int pgf_fund_receivable_recover(struct store *st, const char *id, int64_t amount,
				       struct err *e)
{
	(void)id;
	(void)amount;
	(void)st;
	return pg_not_yet("fund_receivable_recover", e);
}

static int pgf_fund_payout_insert(struct store *st, const char *id, const char *consumer_id,
				  int64_t amount, const char *currency, const char *entry_id,
				  int64_t now, json_t *body, struct err *e)
{
	(void)id;
	(void)consumer_id;
	(void)amount;
	(void)currency;
	(void)entry_id;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("fund_payout_insert", e);
}

static int pgf_fund_payout_get(struct store *st, const char *id, json_t **body, char state[12],
			       struct err *e)
{
	(void)id;
	(void)body;
	(void)state;
	(void)st;
	return pg_not_yet("fund_payout_get", e);
}

static int pgf_fund_payout_close(struct store *st, const char *id, const char *state,
				 const char *closing_entry_id, int64_t now, json_t *body,
				 struct err *e)
{
	(void)id;
	(void)state;
	(void)closing_entry_id;
	(void)now;
	(void)body;
	(void)st;
	return pg_not_yet("fund_payout_close", e);
}

static int pgf_fund_op_get(struct store *st, const char *key, char hash[65], json_t **result,
			   struct err *e)
{
	(void)key;
	(void)hash;
	(void)result;
	(void)st;
	return pg_not_yet("fund_op_get", e);
}

static int pgf_fund_op_put(struct store *st, const char *key, const char *hash, json_t *result,
			   int64_t now, struct err *e)
{
	(void)key;
	(void)hash;
	(void)result;
	(void)now;
	(void)st;
	return pg_not_yet("fund_op_put", e);
}

static int pgf_fund_walk(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	(void)w;
	(void)st;
	return pg_not_yet("fund_walk", e);
}

const struct store_funds_ops pg_funds_ops = {
	.fund_party_id = pgf_fund_party_id,
	.fund_account = pgf_fund_account,
	.fund_entry_insert = pgf_fund_entry_insert,
	.fund_entry_get = pgf_fund_entry_get,
	.fund_entry_list = pgf_fund_entry_list,
	.fund_hold_insert = pgf_fund_hold_insert,
	.fund_hold_get = pgf_fund_hold_get,
	.fund_hold_active_for = pgf_fund_hold_active_for,
	.fund_hold_close = pgf_fund_hold_close,
	.fund_receivable_insert = pgf_fund_receivable_insert,
	.fund_receivable_open = pgf_fund_receivable_open,
	.fund_receivable_recover = pgf_fund_receivable_recover,
	.fund_payout_insert = pgf_fund_payout_insert,
	.fund_payout_get = pgf_fund_payout_get,
	.fund_payout_close = pgf_fund_payout_close,
	.fund_op_get = pgf_fund_op_get,
	.fund_op_put = pgf_fund_op_put,
	.fund_walk = pgf_fund_walk,
};
