/* funds.h - the double-entry ledger: credits, holds, transfers, pay-first advances with recourse, payouts, exactly once by key. */
#ifndef DISPUTED_FUNDS_H
#define DISPUTED_FUNDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/*
 * Money the platform holds, kept as a double-entry journal. Every movement
 * is one entry whose legs sum to zero; entries are appended, never
 * changed; each account's cached balance is the sum of its legs, updated
 * in the same transaction. Amounts are int64_t fen, every sum overflow
 * checked; all accounts are in CNY.
 *
 * Accounts (owner, name):
 *   mer_…     settlement  sale proceeds the platform holds for the merchant   >= 0
 *             deposit     the merchant's deposit (保证金), under its terms       >= 0
 *             receivable  what the merchant owes back after the platform paid >= 0
 *                         first (the sum of its unrecovered receivables)
 *   cus_…     payable     owed to the consumer until paid out                 >= 0
 *   platform  guarantee   the platform's guarantee fund (先行赔付)             >= 0
 *             receivable  the contra of every merchant's receivable: minus    <= 0
 *                         their sum, so booking a receivable balances
 *             world       money entering (credits) and leaving (payouts)      any sign
 * Accounts come into being at their first leg; one that has none reads 0.
 *
 * Holds reserve part of a merchant's settlement, then deposit, for one
 * dispute: available = balance - held. A hold ends once: released, or
 * consumed by a transfer for its dispute (what it held beyond the
 * transfer is freed with it).
 *
 * Calling: every operation runs inside the caller's open store
 * transaction (store_begin) with a funds_ctx, so a dispute can move money
 * in the same transaction as its own change. Each takes `key`, which makes
 * it happen exactly once: a second call with the same key and the same
 * arguments returns the first call's result (c->replayed is set, nothing
 * is written); with other arguments it fails with RC_CONFLICT, code
 * "idempotency_key_reused". Keys never expire; a dispute should derive
 * them from its own ids ("dsp_…/execute"), the HTTP layer uses the
 * caller's Idempotency-Key.
 *
 * Failures write nothing: an overdraft is RC_CONFLICT with code
 * "insufficient_funds" and param "amount", found before any write; an
 * unknown merchant or consumer is RC_NOTFOUND with param "merchant" /
 * "consumer"; a bad amount (<= 0 or above FUNDS_AMOUNT_MAX) is RC_INVAL
 * with param "amount"; a balance that would pass INT64 limits is
 * RC_CONFLICT, code "balance_overflow". Store failures mark the
 * transaction failed, so it cannot commit half an operation.
 *
 * Sealing: every entry is sealed into the evidence log (leaf kind
 * "ledger_entry", outside every order's chain) in the same transaction;
 * the seals' rows go into c->seals for the caller to integrate after
 * commit (seal_wait). Past FUNDS_MAX_SEALS the rest stay pending and the
 * server's worker integrates them (seal_pending).
 *
 * Results (*out, a new reference; a replay gives the stored copy):
 *   a ledger entry  {"object":"ledger_entry","id":"jnl_…","kind","reason",
 *                    "dispute","reference","legs":[{"owner","account",
 *                    "amount":{"amount","currency"}}…],"created_at"} plus the
 *                    links of its kind ("hold","receivable","payout");
 *   a credit's entry carries "recoveries": [the recovery entries it caused];
 *   a hold          {"object":"hold","id":"hld_…","merchant","dispute",
 *                    "requested":money,"amount":money,"shortfall":money,
 *                    "parts":[{"account","amount":money}],"state","created_at"};
 *   a payout        {"object":"payout","id":"pay_…","consumer","amount":money,
 *                    "state":"requested"|"paid"|"failed","entry","closing_entry",
 *                    "reason","created_at","updated_at"}.
 */

#define FUNDS_MAX_SEALS 16
/* The largest single amount an operation takes, in fen (10^13: ¥100 billion). */
#define FUNDS_AMOUNT_MAX 10000000000000LL

struct funds_ctx {
	struct store *st;                 /* open, inside store_begin */
	int64_t now;                      /* ms: created_at of what is written */
	int64_t seals[FUNDS_MAX_SEALS];   /* pending seals written, to integrate after commit */
	size_t nseals;
	int replayed;                     /* the last operation returned a stored result */
};

/* Credit a merchant's `account` ("settlement" or "deposit") from the world.
 * A deposit needs `terms` (a non-empty string or "sha256:…" blob id, the
 * agreed terms of its use and return; RC_INVAL param "terms" without).
 * A settlement credit then recovers the merchant's open receivables,
 * oldest first, each recovery its own entry, from what this credit
 * brought in and is available. `reference` (may be NULL) is the
 * platform's reference for the money. */
int funds_credit(struct funds_ctx *c, const char *key, const char *merchant_id,
		 const char *account, int64_t amount, const char *reference,
		 const char *terms, json_t **out, struct err *e) WARN_UNUSED;

/* Pay `amount` into the platform's guarantee fund from the world. */
int funds_guarantee_add(struct funds_ctx *c, const char *key, int64_t amount,
			const char *reference, json_t **out, struct err *e) WARN_UNUSED;

/*
 * Hold `amount` of the merchant's available settlement, then deposit, for
 * `dispute_id` (may be NULL). Without `partial`, less than `amount`
 * available is insufficient_funds; with it, what is available is held
 * (maybe 0) and the hold's "shortfall" says what is missing. *held (may be
 * NULL) gets the amount held.
 */
int funds_hold(struct funds_ctx *c, const char *key, const char *merchant_id, int64_t amount,
	       const char *dispute_id, int partial, int64_t *held, json_t **out,
	       struct err *e) WARN_UNUSED;

/* Release an active hold (RC_NOTFOUND if none; RC_CONFLICT "hold_closed" if ended). */
int funds_hold_release(struct funds_ctx *c, const char *key, const char *hold_id,
		       json_t **out, struct err *e) WARN_UNUSED;

/*
 * Transfer `amount` (划拨) from the merchant to the consumer's payable: from
 * the merchant's active hold for `dispute_id` first (which is consumed),
 * then available settlement, then available deposit. `reason` may be NULL.
 */
int funds_transfer(struct funds_ctx *c, const char *key, const char *merchant_id,
		   const char *consumer_id, int64_t amount, const char *dispute_id,
		   const char *reason, json_t **out, struct err *e) WARN_UNUSED;

/*
 * Pay the consumer first (先行赔付) from the guarantee fund, which may not
 * go below zero (insufficient_funds), and book a receivable of `amount`
 * against the merchant, recovered from its later settlement credits. The
 * entry carries "receivable": "rcv_…".
 */
int funds_advance(struct funds_ctx *c, const char *key, const char *merchant_id,
		  const char *consumer_id, int64_t amount, const char *dispute_id,
		  const char *reason, json_t **out, struct err *e) WARN_UNUSED;

/*
 * Carry out a decision: pay `amount` to the consumer as a transfer from
 * the dispute's hold, settlement and deposit as far as they reach, and the
 * rest as an advance from the guarantee fund. Fails with
 * insufficient_funds, writing nothing, if the fund cannot cover the rest.
 * *out is {"object":"execution","transfer":entry|null,"advance":entry|null}.
 */
int funds_execute(struct funds_ctx *c, const char *key, const char *merchant_id,
		  const char *consumer_id, int64_t amount, const char *dispute_id,
		  const char *reason, json_t **out, struct err *e) WARN_UNUSED;

/*
 * Reimburse a merchant from the guarantee fund into its settlement (an
 * appeal the merchant won after the consumer was paid).
 */
int funds_reimburse(struct funds_ctx *c, const char *key, const char *merchant_id,
		    int64_t amount, const char *dispute_id, const char *reason, json_t **out,
		    struct err *e) WARN_UNUSED;

/*
 * Pay the consumer's payable out: the money leaves to the world at once,
 * and a signed "payout.requested" webhook tells the platform to send it.
 * The platform then confirms (state "paid") or reports a failure (state
 * "failed": the money returns to the payable). A payout not "requested"
 * any more is RC_CONFLICT, code "payout_closed".
 */
int funds_payout_request(struct funds_ctx *c, const char *key, const char *consumer_id,
			 int64_t amount, json_t **out, struct err *e) WARN_UNUSED;
int funds_payout_confirm(struct funds_ctx *c, const char *key, const char *payout_id,
			 json_t **out, struct err *e) WARN_UNUSED;
int funds_payout_fail(struct funds_ctx *c, const char *key, const char *payout_id,
		      const char *reason, json_t **out, struct err *e) WARN_UNUSED;

/* ---- reading (inside a store transaction) ---- */

/*
 * True if `owner` names an owner of accounts: "platform", or an existing
 * merchant or consumer (RC_NOTFOUND otherwise). *kind gets 'p', 'm' or 'c'.
 */
int funds_owner_check(struct store *st, const char *owner, char *kind, struct err *e) WARN_UNUSED;

/*
 * {"owner":…,"accounts":[{"account","balance","held","available"}…]}: every
 * account an owner of its kind has, in the order of the table above.
 */
int funds_accounts(struct store *st, const char *owner, json_t **out, struct err *e) WARN_UNUSED;

/* One account's numbers, 0 if it has no legs yet. */
int funds_balance(struct store *st, const char *owner, const char *account, int64_t *balance,
		  int64_t *held, struct err *e) WARN_UNUSED;

/* Entries with a leg on the owner's accounts (`account` NULL for all), paginated like store_list. */
int funds_entries(struct store *st, const char *owner, const char *account, int64_t after,
		  int limit, json_t **items, int64_t *next, struct err *e) WARN_UNUSED;

/* ---- audit ---- */

/*
 * Check the ledger inside the caller's store transaction: every entry
 * balanced, of at least two legs in one currency, and sealed; every cached
 * balance the sum of its legs, every held the sum of its active hold
 * parts and within its balance; no account below zero that may not be; a
 * merchant's receivable the sum of its unrecovered receivables, and the
 * platform's the contra of them all; every hold's parts its amount; every
 * payout in one known state with the entries that state needs. `report`
 * is called per problem; *problems gets their count.
 */
int funds_audit(struct store *st, void (*report)(void *ctx, const char *where, const char *what),
		void *ctx, uint64_t *problems, struct err *e) WARN_UNUSED;

#endif
