/* store_funds.h - the double-entry ledger and the audit's walk over it (part of store.h). */
#ifndef DISPUTED_STORE_FUNDS_H
#define DISPUTED_STORE_FUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_account;
struct store_fund_walk;
struct store_hold;
struct store_leg;
struct store_receivable;

/*
 * A backend's ledger. Every entry balances (its legs sum to zero) and no
 * account goes below zero: fund_account and the writes that move money
 * must read and change balances so that two transactions at once can
 * neither lose an update nor overdraw (SQLite: one writer at a time;
 * PostgreSQL: SERIALIZABLE, or SELECT … FOR UPDATE on the accounts
 * touched, retried on serialization failure). Each member does what the
 * store_* function of its name below says, under the rules in store.h.
 */
struct store_funds_ops {
	int (*fund_party_id)(struct store *st, enum store_kind kind, const char *ref,
			     char id[ID_MAX], struct err *e);
	int (*fund_account)(struct store *st, const char *owner, const char *name,
			    const char *currency, int create, int64_t now,
			    struct store_account *out, struct err *e);
	int (*fund_entry_insert)(struct store *st, const char *id, const char *kind,
				 const char *dispute_id, int64_t created_at, json_t *body,
				 const struct store_leg *legs, size_t n, struct err *e);
	int (*fund_entry_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*fund_entry_list)(struct store *st, const char *owner, const char *account,
			       int64_t after, int limit, json_t **items, int64_t *next,
			       struct err *e);
	int (*fund_hold_insert)(struct store *st, const char *id, const char *merchant_id,
				const char *dispute_id, int64_t requested, int64_t amount,
				int64_t now, json_t *body, const struct store_leg *parts, size_t n,
				struct err *e);
	int (*fund_hold_get)(struct store *st, const char *id, struct store_hold *out,
			     struct err *e);
	int (*fund_hold_active_for)(struct store *st, const char *merchant_id,
				    const char *dispute_id, char id[ID_MAX], int *found,
				    struct err *e);
	int (*fund_hold_close)(struct store *st, const char *id, const char *state, int64_t now,
			       struct err *e);
	int (*fund_receivable_insert)(struct store *st, const char *id, const char *merchant_id,
				      const char *dispute_id, const char *entry_id, int64_t amount,
				      int64_t now, struct err *e);
	int (*fund_receivable_open)(struct store *st, const char *merchant_id,
				    struct store_receivable *out, int max, int *n, struct err *e);
	int (*fund_receivable_recover)(struct store *st, const char *id, int64_t amount,
				       struct err *e);
	int (*fund_payout_insert)(struct store *st, const char *id, const char *consumer_id,
				  int64_t amount, const char *currency, const char *entry_id,
				  int64_t now, json_t *body, struct err *e);
	int (*fund_payout_get)(struct store *st, const char *id, json_t **body, char state[12],
			       struct err *e);
	int (*fund_payout_close)(struct store *st, const char *id, const char *state,
				 const char *closing_entry_id, int64_t now, json_t *body,
				 struct err *e);
	int (*fund_op_get)(struct store *st, const char *key, char hash[65], json_t **result,
			   struct err *e);
	int (*fund_op_put)(struct store *st, const char *key, const char *hash, json_t *result,
			   int64_t now, struct err *e);
	int (*fund_walk)(struct store *st, const struct store_fund_walk *w, struct err *e);
};

/* ---- funds: the double-entry ledger (store_sqlite_funds.c; rules in funds/funds.h) ---- */

/* One ledger account. */
struct store_account {
	int64_t seq;              /* row number */
	char owner[ID_MAX];       /* mer_…, cus_… or "platform" */
	char name[16];            /* settlement, deposit, receivable, guarantee, payable, world */
	char currency[4];         /* "CNY" */
	int64_t balance;          /* fen: always the sum of the account's legs */
	int64_t held;             /* fen: the sum of its active hold parts */
};

/* One leg of a journal entry, or one part of a hold: an account and a signed amount. */
struct store_leg {
	int64_t account_seq;      /* the account's row */
	int64_t amount;           /* fen; legs: non-zero, parts: > 0 */
};

/*
 * The id (into `id`) of the merchant or consumer (`kind` STORE_MERCHANT or
 * STORE_CONSUMER) whose id or external id is `ref`, the id first, as
 * store_get finds it, without reading its body. RC_NOTFOUND if none.
 */
static inline WARN_UNUSED int store_fund_party_id(struct store *st, enum store_kind kind,
						  const char *ref, char id[ID_MAX], struct err *e)
{
	return STORE_OPS(st)->funds->fund_party_id(st, kind, ref, id, e);
}

/*
 * The account (owner, name) in *out; with `create`, made (balance 0, in
 * `currency`) if it is not there. RC_NOTFOUND without `create` if none.
 */
static inline WARN_UNUSED int store_fund_account(struct store *st, const char *owner,
						 const char *name, const char *currency, int create,
						 int64_t now, struct store_account *out,
						 struct err *e)
{
	return STORE_OPS(st)->funds->fund_account(st, owner, name, currency, create, now, out, e);
}

/*
 * Append a journal entry `id` of `kind` (dispute_id may be NULL; body is
 * its JSON as served) with its legs `legs[0..n)`, and add each leg to its
 * account's cached balance, in the caller's transaction. The schema keeps
 * entries and legs append-only and refuses a balance below its holds, or
 * below zero on accounts that may not go there (RC_CONFLICT); the caller
 * checks first (funds.h) and guarantees the legs sum to zero.
 */
static inline WARN_UNUSED int store_fund_entry_insert(struct store *st, const char *id,
						      const char *kind, const char *dispute_id,
						      int64_t created_at, json_t *body,
						      const struct store_leg *legs, size_t n,
						      struct err *e)
{
	return STORE_OPS(st)->funds->fund_entry_insert(st, id, kind, dispute_id, created_at, body,
						       legs, n, e);
}

/* An entry's body by id (new reference). RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_fund_entry_get(struct store *st, const char *id, json_t **body,
						   struct err *e)
{
	return STORE_OPS(st)->funds->fund_entry_get(st, id, body, e);
}

/*
 * Entries with a leg on an account of `owner` (and of name `account`,
 * unless NULL), oldest first, paginated like store_list.
 */
static inline WARN_UNUSED int store_fund_entry_list(struct store *st, const char *owner,
						    const char *account, int64_t after, int limit,
						    json_t **items, int64_t *next, struct err *e)
{
	return STORE_OPS(st)->funds->fund_entry_list(st, owner, account, after, limit, items, next,
						     e);
}

/*
 * Record hold `id` (body: its JSON) of `amount` (<= requested) on
 * `parts[0..n)`, and add each part to its account's held, which must stay
 * within its balance (else RC_CONFLICT). *seq (may be NULL) gets its row.
 */
static inline WARN_UNUSED int store_fund_hold_insert(struct store *st, const char *id,
						     const char *merchant_id,
						     const char *dispute_id, int64_t requested,
						     int64_t amount, int64_t now, json_t *body,
						     const struct store_leg *parts, size_t n,
						     struct err *e)
{
	return STORE_OPS(st)->funds->fund_hold_insert(st, id, merchant_id, dispute_id, requested,
						      amount, now, body, parts, n, e);
}

/* A hold as stored. */
struct store_hold {
	int64_t seq;
	char id[ID_MAX];
	char merchant_id[ID_MAX];
	char dispute_id[80];      /* "" if none */
	int64_t requested;        /* what was asked for */
	int64_t amount;           /* what is held (the parts' sum) */
	char state[12];           /* active, released, consumed */
	struct store_leg parts[2];/* settlement then deposit */
	size_t nparts;
	json_t *body;             /* as served when created (owned; store_hold_release) */
};

void store_hold_release(struct store_hold *h);

/* Hold `id`; RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_fund_hold_get(struct store *st, const char *id,
						  struct store_hold *out, struct err *e)
{
	return STORE_OPS(st)->funds->fund_hold_get(st, id, out, e);
}
/* The id of the merchant's active hold for `dispute_id`, if any (*found). */
static inline WARN_UNUSED int store_fund_hold_active_for(struct store *st, const char *merchant_id,
							 const char *dispute_id, char id[ID_MAX],
							 int *found, struct err *e)
{
	return STORE_OPS(st)->funds->fund_hold_active_for(st, merchant_id, dispute_id, id, found,
							  e);
}
/*
 * Close an active hold as `state` ("released" or "consumed") and take its
 * parts off its accounts' held. RC_CONFLICT (code "hold_closed") if it is
 * not active: a hold is released or consumed, once.
 */
static inline WARN_UNUSED int store_fund_hold_close(struct store *st, const char *id,
						    const char *state, int64_t now, struct err *e)
{
	return STORE_OPS(st)->funds->fund_hold_close(st, id, state, now, e);
}

/* An open (not fully recovered) receivable. */
struct store_receivable {
	char id[ID_MAX];
	int64_t amount;
	int64_t recovered;
};

static inline WARN_UNUSED int store_fund_receivable_insert(struct store *st, const char *id,
							   const char *merchant_id,
							   const char *dispute_id,
							   const char *entry_id, int64_t amount,
							   int64_t now, struct err *e)
{
	return STORE_OPS(st)->funds->fund_receivable_insert(st, id, merchant_id, dispute_id,
							    entry_id, amount, now, e);
}
/* Up to `max` of the merchant's open receivables, oldest first. */
static inline WARN_UNUSED int store_fund_receivable_open(struct store *st, const char *merchant_id,
							 struct store_receivable *out, int max,
							 int *n, struct err *e)
{
	return STORE_OPS(st)->funds->fund_receivable_open(st, merchant_id, out, max, n, e);
}
/* Add `amount` to a receivable's recovered (never past its amount: RC_CONFLICT). */
static inline WARN_UNUSED int store_fund_receivable_recover(struct store *st, const char *id,
							    int64_t amount, struct err *e)
{
	return STORE_OPS(st)->funds->fund_receivable_recover(st, id, amount, e);
}

static inline WARN_UNUSED int store_fund_payout_insert(struct store *st, const char *id,
						       const char *consumer_id, int64_t amount,
						       const char *currency, const char *entry_id,
						       int64_t now, json_t *body, struct err *e)
{
	return STORE_OPS(st)->funds->fund_payout_insert(st, id, consumer_id, amount, currency,
							entry_id, now, body, e);
}
/* A payout's body (new reference) and state (12 bytes). RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_fund_payout_get(struct store *st, const char *id, json_t **body,
						    char state[12], struct err *e)
{
	return STORE_OPS(st)->funds->fund_payout_get(st, id, body, state, e);
}
/*
 * Move a `requested` payout to `state` (paid, failed) with its closing
 * entry (may be NULL) and new body. RC_CONFLICT (code "payout_closed") if
 * it is no longer requested.
 */
static inline WARN_UNUSED int store_fund_payout_close(struct store *st, const char *id,
						      const char *state,
						      const char *closing_entry_id, int64_t now,
						      json_t *body, struct err *e)
{
	return STORE_OPS(st)->funds->fund_payout_close(st, id, state, closing_entry_id, now, body,
						       e);
}

/*
 * The stored result of the money operation keyed `key`: RC_NOTFOUND if
 * none; else *hash (65 bytes) and *result (new reference).
 */
static inline WARN_UNUSED int store_fund_op_get(struct store *st, const char *key, char hash[65],
						json_t **result, struct err *e)
{
	return STORE_OPS(st)->funds->fund_op_get(st, key, hash, result, e);
}
static inline WARN_UNUSED int store_fund_op_put(struct store *st, const char *key, const char *hash,
						json_t *result, int64_t now, struct err *e)
{
	return STORE_OPS(st)->funds->fund_op_put(st, key, hash, result, now, e);
}

/* ---- funds: what the audit walks (store_sqlite_funds.c) ---- */

/* An entry as the audit sees it. */
struct store_entry_check {
	const char *id;
	int64_t legs;             /* how many legs */
	int64_t sum;              /* their sum (0 when balanced) */
	int64_t accounts;         /* distinct currencies among its accounts */
};
/* An account with its cached numbers and what they should be. */
struct store_account_check {
	const struct store_account *a;
	int64_t legs_sum;         /* the sum of its legs */
	int64_t parts_sum;        /* the sum of its active hold parts */
	int64_t outstanding;      /* a merchant's receivable: its receivables' unrecovered sum */
};
/* A hold with its parts' sum. */
struct store_hold_check {
	const char *id;
	const char *state;
	int64_t requested, amount, parts_sum;
	int64_t nparts;
};
/* A payout with its state and entries. */
struct store_payout_check {
	const char *id;
	const char *state;
	const char *entry_id;
	const char *closing_entry_id; /* NULL if none */
};
/* A receivable and its recovery. */
struct store_receivable_check {
	const char *id;
	const char *merchant_id;
	int64_t amount, recovered;
};

/*
 * Walk the ledger for the audit: each callback is called for every row of
 * its kind (NULL callbacks are skipped); a non-zero return stops the walk
 * and is returned.
 */
struct store_fund_walk {
	int (*entry)(void *ctx, const struct store_entry_check *c);
	int (*account)(void *ctx, const struct store_account_check *c);
	int (*hold)(void *ctx, const struct store_hold_check *c);
	int (*payout)(void *ctx, const struct store_payout_check *c);
	int (*receivable)(void *ctx, const struct store_receivable_check *c);
	void *ctx;
};
static inline WARN_UNUSED int store_fund_walk(struct store *st, const struct store_fund_walk *w,
					      struct err *e)
{
	return STORE_OPS(st)->funds->fund_walk(st, w, e);
}

#endif
