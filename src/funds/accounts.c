/* accounts.c - reading the ledger: an owner's accounts with balance, held and available, and its entries. */
#include "funds/funds_int.h"

#include <string.h>

#include "core/jsonx.h"

#define CURRENCY "CNY"

static const char *const merchant_accounts[] = {"settlement", "deposit", "receivable", NULL};
static const char *const consumer_accounts[] = {"payable", NULL};
static const char *const platform_accounts[] = {"guarantee", "receivable", "world", NULL};

int funds_owner_check(struct store *st, const char *owner, char *kind, struct err *e)
{
	json_t *body = NULL;
	int rc;

	*kind = 0;
	if (owner && strcmp(owner, "platform") == 0) {
		*kind = 'p';
		return RC_OK;
	}
	if (owner && id_is(owner, "mer")) {
		rc = store_get(st, STORE_MERCHANT, owner, &body, e);
		*kind = 'm';
	} else if (owner && id_is(owner, "cus")) {
		rc = store_get(st, STORE_CONSUMER, owner, &body, e);
		*kind = 'c';
	} else {
		rc = RC_NOTFOUND;
	}
	json_decref(body);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", "owner", "no owner of accounts %s",
			       owner ? owner : "");
	return rc;
}

int funds_balance(struct store *st, const char *owner, const char *account, int64_t *balance,
		  int64_t *held, struct err *e)
{
	struct store_account a;
	int rc = funds_read(st, owner, account, &a, e);

	*balance = rc ? 0 : a.balance;
	*held = rc ? 0 : a.held;
	return rc;
}

int funds_accounts(struct store *st, const char *owner, json_t **out, struct err *e)
{
	const char *const *names;
	json_t *list;
	char kind;
	size_t i;
	int rc;

	*out = NULL;
	rc = funds_owner_check(st, owner, &kind, e);
	if (rc)
		return rc;
	names = kind == 'm' ? merchant_accounts : kind == 'c' ? consumer_accounts
							      : platform_accounts;
	list = json_array();
	for (i = 0; names[i] && !rc; i++) {
		struct store_account a;

		rc = funds_read(st, owner, names[i], &a, e);
		if (!rc)
			json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:o}", "account",
							      names[i], "balance",
							      jx_money_json(a.balance, a.currency),
							      "held", jx_money_json(a.held, a.currency),
							      "available",
							      jx_money_json(a.balance - a.held,
									    a.currency)));
	}
	if (rc) {
		json_decref(list);
		return rc;
	}
	*out = json_pack("{s:s, s:o}", "owner", owner, "accounts", list);
	return *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

int funds_entries(struct store *st, const char *owner, const char *account, int64_t after,
		  int limit, json_t **items, int64_t *next, struct err *e)
{
	static const char *const all[] = {"settlement", "deposit", "receivable", "guarantee",
					  "payable", "world", NULL};
	char kind;
	size_t i;
	int rc, known = 0;

	*items = NULL;
	*next = 0;
	rc = funds_owner_check(st, owner, &kind, e);
	if (rc)
		return rc;
	if (account) {
		for (i = 0; all[i]; i++)
			known |= strcmp(all[i], account) == 0;
		if (!known)
			return err_set(e, RC_INVAL, "invalid_enum", "account",
				       "account must be one of settlement, deposit, receivable, "
				       "guarantee, payable, world");
	}
	return store_fund_entry_list(st, owner, account, after, limit, items, next, e);
}
