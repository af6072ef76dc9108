/* funds_int.h - what the ledger's files share: posting an entry, operation keys, owners and amounts. */
#ifndef DISPUTED_FUNDS_INT_H
#define DISPUTED_FUNDS_INT_H

#include "funds/funds.h"

/* One leg to post: an account by owner and name, and a signed amount. */
struct funds_leg {
	const char *owner;      /* mer_…, cus_…, "platform" */
	const char *account;    /* settlement, deposit, receivable, guarantee, payable, world */
	int64_t amount;         /* fen, non-zero */
};

/* Longest list of legs an entry has. */
#define FUNDS_MAX_LEGS 6

/*
 * Append and seal one entry of `kind`: check first (distinct accounts, legs
 * summing to zero without overflow, no balance passing INT64 limits, no
 * account that must stay >= 0 — or >= its holds when debited — going below:
 * RC_CONFLICT "insufficient_funds" with `who` naming the payer), then
 * write. `links` (may be NULL, borrowed) adds its members to the body.
 * *entry (may be NULL) gets the body (new reference).
 */
int funds_post(struct funds_ctx *c, const char *kind, const char *reason,
	       const char *dispute_id, const char *reference, json_t *links,
	       const struct funds_leg *legs, size_t n, json_t **entry, struct err *e) WARN_UNUSED;

/*
 * Start an operation keyed `key` with arguments `args` (taken), its hash
 * into `hash`: RC_OK with *out set (c->replayed) when the key already ran
 * with the same arguments, RC_OK with *out NULL when it is new,
 * RC_CONFLICT "idempotency_key_reused" when it ran with others.
 */
int funds_key_begin(struct funds_ctx *c, const char *key, json_t *args, char hash[65],
		    json_t **out, struct err *e) WARN_UNUSED;
/*
 * Keep the result of a new keyed operation, in the transaction that made
 * it. Ledger entries in it are kept by id (the journal holds their bodies,
 * append-only) and read back on a replay: a result may hold entries only
 * as funds_post returned them, plus a "recoveries" member.
 */
int funds_key_end(struct funds_ctx *c, const char *key, const char hash[65], json_t *result,
		  struct err *e) WARN_UNUSED;

/* A positive amount within FUNDS_AMOUNT_MAX, else RC_INVAL naming `param`. */
int funds_amount_ok(int64_t amount, const char *param, struct err *e) WARN_UNUSED;

/* The id (into `id`) of the merchant or consumer `ref` (id or external id); RC_NOTFOUND naming `param`. */
int funds_resolve(struct store *st, enum store_kind kind, const char *ref, const char *param,
		  char id[ID_MAX], struct err *e) WARN_UNUSED;

/* An account's balance and held (0 and 0 if it does not exist yet). */
int funds_read(struct store *st, const char *owner, const char *account,
	       struct store_account *a, struct err *e) WARN_UNUSED;

/* RC_CONFLICT "insufficient_funds" (param "amount"). */
int funds_insufficient(struct err *e, const char *owner, const char *account, int64_t have,
		       int64_t need);

#endif
