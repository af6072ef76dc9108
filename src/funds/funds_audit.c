/* funds_audit.c - the ledger's part of `disputed audit`: balanced, sealed entries, true cached balances, sane holds and payouts. */
#include "funds/funds_int.h"

#include <stdio.h>
#include <string.h>

#include "core/problems.h"

struct faudit {
	struct store *st;
	struct problems found;          /* what it found, reported as it goes */
	int64_t merchant_receivables;   /* the sum of merchants' receivable balances */
	int64_t platform_receivable;    /* the platform's contra balance */
	int overflow;                   /* the sum above overflowed */
};

static int check_entry(void *ctx, const struct store_entry_check *c)
{
	struct faudit *a = ctx;
	struct store_seal s;
	char where[96];
	struct err e;
	int rc;

	snprintf(where, sizeof(where), "ledger entry %s", c->id);
	if (c->legs < 2)
		problems_add(&a->found, where, "it has %lld legs; an entry moves money between at least two "
			"accounts", (long long)c->legs);
	if (c->sum != 0)
		problems_add(&a->found, where, "its legs sum to %lld fen, not zero", (long long)c->sum);
	if (c->accounts > 1)
		problems_add(&a->found, where, "its legs are in %lld currencies", (long long)c->accounts);
	err_clear(&e);
	rc = store_seal_get(a->st, "ledger_entry", c->id, 0, &s, &e);
	if (rc == RC_NOTFOUND)
		problems_add(&a->found, where, "unsealed: it has no ledger_entry seal (added behind the server's "
			"back, or its seal was deleted)");
	else if (rc)
		return rc;
	else
		store_seal_release(&s);
	return RC_OK;
}

static int check_account(void *ctx, const struct store_account_check *c)
{
	struct faudit *a = ctx;
	const struct store_account *x = c->a;
	int platform = strcmp(x->owner, "platform") == 0;
	int negative_ok = strcmp(x->name, "world") == 0 ||
			  (platform && strcmp(x->name, "receivable") == 0);
	char where[96];

	snprintf(where, sizeof(where), "account %s %s", x->owner, x->name);
	if (x->balance != c->legs_sum)
		problems_add(&a->found, where, "its balance reads %lld fen, but its legs sum to %lld",
			(long long)x->balance, (long long)c->legs_sum);
	if (x->held != c->parts_sum)
		problems_add(&a->found, where, "it reads %lld fen held, but its active holds hold %lld",
			(long long)x->held, (long long)c->parts_sum);
	if (x->held > 0 && x->held > x->balance)
		problems_add(&a->found, where, "it holds %lld fen of a balance of %lld", (long long)x->held,
			(long long)x->balance);
	if (!negative_ok && x->balance < 0)
		problems_add(&a->found, where, "its balance is %lld fen, below zero", (long long)x->balance);
	if (platform && strcmp(x->name, "receivable") == 0)
		a->platform_receivable = x->balance;
	if (!platform && strcmp(x->name, "receivable") == 0) {
		if (x->balance != c->outstanding)
			problems_add(&a->found, where, "it reads %lld fen owed, but the merchant's receivables "
				"leave %lld unrecovered", (long long)x->balance,
				(long long)c->outstanding);
		if (__builtin_add_overflow(a->merchant_receivables, x->balance,
					   &a->merchant_receivables))
			a->overflow = 1;
	}
	return RC_OK;
}

static int check_hold(void *ctx, const struct store_hold_check *c)
{
	struct faudit *a = ctx;
	char where[96];

	snprintf(where, sizeof(where), "hold %s", c->id);
	if (c->parts_sum != c->amount)
		problems_add(&a->found, where, "it holds %lld fen, but its parts hold %lld", (long long)c->amount,
			(long long)c->parts_sum);
	if (c->amount > c->requested)
		problems_add(&a->found, where, "it holds %lld fen, more than the %lld asked for",
			(long long)c->amount, (long long)c->requested);
	if (c->nparts > 2)
		problems_add(&a->found, where, "it has %lld parts; a hold takes settlement, then deposit",
			(long long)c->nparts);
	if (strcmp(c->state, "active") != 0 && strcmp(c->state, "released") != 0 &&
	    strcmp(c->state, "consumed") != 0)
		problems_add(&a->found, where, "its state %s is none of active, released, consumed", c->state);
	return RC_OK;
}

static int check_payout(void *ctx, const struct store_payout_check *c)
{
	struct faudit *a = ctx;
	char where[96];

	snprintf(where, sizeof(where), "payout %s", c->id);
	if (strcmp(c->state, "failed") == 0) {
		if (!c->closing_entry_id)
			problems_add(&a->found, where, "it failed, but no entry returned its money");
	} else if (strcmp(c->state, "requested") == 0 || strcmp(c->state, "paid") == 0) {
		if (c->closing_entry_id)
			problems_add(&a->found, where, "it is %s, yet an entry returned its money", c->state);
	} else {
		problems_add(&a->found, where, "its state %s is none of requested, paid, failed", c->state);
	}
	return RC_OK;
}

static int check_receivable(void *ctx, const struct store_receivable_check *c)
{
	struct faudit *a = ctx;
	char where[96];

	snprintf(where, sizeof(where), "receivable %s", c->id);
	if (c->recovered < 0 || c->recovered > c->amount)
		problems_add(&a->found, where, "%lld fen recovered of %lld", (long long)c->recovered,
			(long long)c->amount);
	return RC_OK;
}

int funds_audit(struct store *st, void (*report)(void *ctx, const char *where, const char *what),
		void *ctx, uint64_t *problems, struct err *e)
{
	struct faudit a;
	struct store_fund_walk w = {check_entry, check_account, check_hold, check_payout,
				    check_receivable, &a};
	int rc;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.found.report = report;
	a.found.ctx = ctx;
	rc = store_fund_walk(st, &w, e);
	if (!rc && (a.overflow || a.merchant_receivables + a.platform_receivable != 0))
		problems_add(&a.found, "account platform receivable",
			"it reads %lld fen, but the merchants' receivables add up to %lld",
			(long long)a.platform_receivable, (long long)a.merchant_receivables);
	*problems = a.found.count;
	return rc;
}
