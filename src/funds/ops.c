/* ops.c - the money operations: credits with automatic recovery, the guarantee fund, transfers, advances, execution. */
#include "funds/funds_int.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"

#define MAX_RECOVERIES 64

/* Start a keyed operation: a replay sets *out; a new one leaves it NULL. */
static int key_start(struct funds_ctx *c, const char *key, json_t *args, char hash[65],
		     json_t **out, struct err *e)
{
	return funds_key_begin(c, key, args, hash, out, e);
}

/* Finish a new keyed operation whose result is *out. */
static int key_finish(struct funds_ctx *c, const char *key, const char hash[65], int rc,
		      json_t **out, struct err *e)
{
	if (!rc)
		rc = funds_key_end(c, key, hash, *out, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Recover the merchant's open receivables, oldest first, from up to `budget` of its settlement. */
static int recover(struct funds_ctx *c, const char *merchant_id, int64_t budget,
		   json_t *recoveries, struct err *e)
{
	struct store_receivable open[MAX_RECOVERIES];
	struct store_account s;
	int n, i, rc;

	rc = store_fund_receivable_open(c->st, merchant_id, open, MAX_RECOVERIES, &n, e);
	for (i = 0; i < n && !rc && budget > 0; i++) {
		int64_t left = open[i].amount - open[i].recovered, take;
		json_t *entry = NULL, *links;
		char reason[80];

		rc = funds_read(c->st, merchant_id, "settlement", &s, e);
		if (rc)
			break;
		take = left < budget ? left : budget;
		if (take > s.balance - s.held)
			take = s.balance - s.held;
		if (take <= 0)
			break;
		{
			struct funds_leg legs[] = {
				{merchant_id, "settlement", -take},
				{"platform", "guarantee", take},
				{merchant_id, "receivable", -take},
				{"platform", "receivable", take},
			};

			snprintf(reason, sizeof(reason), "recovery of receivable %.31s", open[i].id);
			links = json_pack("{s:s}", "receivable", open[i].id);
			rc = funds_post(c, "recovery", reason, NULL, NULL, links, legs, 4, &entry, e);
			json_decref(links);
		}
		if (!rc)
			rc = store_fund_receivable_recover(c->st, open[i].id, take, e);
		if (!rc)
			json_array_append_new(recoveries, entry);
		else
			json_decref(entry);
		budget -= take;
	}
	return rc;
}

int funds_credit(struct funds_ctx *c, const char *key, const char *merchant_id,
		 const char *account, int64_t amount, const char *reference,
		 const char *terms, json_t **out, struct err *e)
{
	char mid[ID_MAX], hash[65];
	json_t *recoveries = NULL, *links = NULL;
	int deposit, rc;

	*out = NULL;
	if (!account || (strcmp(account, "settlement") != 0 && strcmp(account, "deposit") != 0))
		return err_set(e, RC_INVAL, "invalid_enum", "account",
			       "account must be settlement or deposit");
	deposit = strcmp(account, "deposit") == 0;
	if (deposit && (!terms || !*terms))
		return err_set(e, RC_INVAL, "required", "terms",
			       "a deposit needs the agreed terms of its use and return (Art. 58)");
	rc = funds_amount_ok(amount, "amount", e);
	if (!rc)
		rc = funds_resolve(c->st, STORE_MERCHANT, merchant_id, "merchant", mid, e);
	if (!rc)
		rc = key_start(c, key, json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "op", "credit",
						 "merchant", mid, "account", account, "amount",
						 (json_int_t)amount, "reference", opt_str(reference),
						 "terms", opt_str(deposit ? terms : NULL)),
			       hash, out, e);
	if (rc || *out)
		return rc;
	{
		struct funds_leg legs[] = {{"platform", "world", -amount}, {mid, account, amount}};

		links = deposit ? json_pack("{s:s}", "terms", terms) : NULL;
		rc = funds_post(c, "credit", deposit ? "deposit" : "settlement credit", NULL,
				reference, links, legs, 2, out, e);
		json_decref(links);
	}
	recoveries = json_array();
	if (!rc && !deposit)
		rc = recover(c, mid, amount, recoveries, e);
	if (!rc)
		json_object_set(*out, "recoveries", recoveries);
	json_decref(recoveries);
	return key_finish(c, key, hash, rc, out, e);
}

int funds_guarantee_add(struct funds_ctx *c, const char *key, int64_t amount,
			const char *reference, json_t **out, struct err *e)
{
	char hash[65];
	int rc;

	*out = NULL;
	rc = funds_amount_ok(amount, "amount", e);
	if (!rc)
		rc = key_start(c, key, json_pack("{s:s, s:I, s:o}", "op", "guarantee", "amount",
						 (json_int_t)amount, "reference", opt_str(reference)),
			       hash, out, e);
	if (rc || *out)
		return rc;
	{
		struct funds_leg legs[] = {{"platform", "world", -amount},
					   {"platform", "guarantee", amount}};

		rc = funds_post(c, "guarantee", "guarantee fund top-up", NULL, reference, NULL, legs,
				2, out, e);
	}
	return key_finish(c, key, hash, rc, out, e);
}

/* ---- transfers and advances ---- */

/*
 * What a transfer of up to `want` for `dispute_id` would take: from the
 * dispute's active hold (hold_id set, its parts), then available
 * settlement and deposit. *settle / *deposit are the legs' sizes.
 */
struct plan {
	char hold_id[ID_MAX];      /* "" if no hold is consumed */
	int64_t settle, deposit;   /* what leaves each account */
};

static int plan_transfer(struct store *st, const char *mid, const char *dispute_id,
			 int64_t want, struct plan *p, int64_t *covered, struct err *e)
{
	struct store_account s, d;
	struct store_hold h;
	int64_t hs = 0, hd = 0, left = want, take;
	int found = 0, rc;

	memset(p, 0, sizeof(*p));
	memset(&h, 0, sizeof(h));
	rc = funds_read(st, mid, "settlement", &s, e);
	if (!rc)
		rc = funds_read(st, mid, "deposit", &d, e);
	if (!rc && dispute_id)
		rc = store_fund_hold_active_for(st, mid, dispute_id, p->hold_id, &found, e);
	if (!rc && found) {
		size_t i;

		rc = store_fund_hold_get(st, p->hold_id, &h, e);
		for (i = 0; !rc && i < h.nparts; i++) {
			if (h.parts[i].account_seq == s.seq)
				hs = h.parts[i].amount;
			else if (h.parts[i].account_seq == d.seq)
				hd = h.parts[i].amount;
		}
		store_hold_release(&h);
	}
	if (rc)
		return rc;
	/* the hold's own parts first */
	take = hs < left ? hs : left;
	p->settle += take;
	left -= take;
	take = hd < left ? hd : left;
	p->deposit += take;
	left -= take;
	/* then what is available besides every hold */
	take = s.balance - s.held < left ? s.balance - s.held : left;
	if (take > 0) {
		p->settle += take;
		left -= take;
	}
	take = d.balance - d.held < left ? d.balance - d.held : left;
	if (take > 0) {
		p->deposit += take;
		left -= take;
	}
	*covered = want - left;
	return RC_OK;
}

/* Carry out a plan for `total` (the plan's sum) to the consumer. */
static int do_transfer(struct funds_ctx *c, const char *mid, const char *cid,
		       const struct plan *p, const char *dispute_id, const char *reason,
		       json_t **out, struct err *e)
{
	struct funds_leg legs[3];
	json_t *links = NULL;
	size_t n = 0;
	int rc = RC_OK;

	if (p->settle)
		legs[n++] = (struct funds_leg){mid, "settlement", -p->settle};
	if (p->deposit)
		legs[n++] = (struct funds_leg){mid, "deposit", -p->deposit};
	legs[n++] = (struct funds_leg){cid, "payable", p->settle + p->deposit};
	if (p->hold_id[0]) {
		rc = store_fund_hold_close(c->st, p->hold_id, "consumed", c->now, e);
		links = json_pack("{s:s}", "hold", p->hold_id);
	}
	if (!rc)
		rc = funds_post(c, "transfer", reason ? reason : "transfer to the consumer",
				dispute_id, NULL, links, legs, n, out, e);
	json_decref(links);
	return rc;
}

/* The guarantee fund pays the consumer; a receivable is booked against the merchant. */
static int do_advance(struct funds_ctx *c, const char *mid, const char *cid, int64_t amount,
		      const char *dispute_id, const char *reason, json_t **out, struct err *e)
{
	struct funds_leg legs[] = {
		{"platform", "guarantee", -amount},
		{cid, "payable", amount},
		{mid, "receivable", amount},
		{"platform", "receivable", -amount},
	};
	char rid[ID_MAX];
	json_t *links;
	int rc;

	id_new(rid, "rcv");
	links = json_pack("{s:s}", "receivable", rid);
	rc = funds_post(c, "advance", reason ? reason : "paid first from the guarantee fund",
			dispute_id, NULL, links, legs, 4, out, e);
	json_decref(links);
	if (!rc)
		rc = store_fund_receivable_insert(c->st, rid, mid, dispute_id,
						  json_string_value(json_object_get(*out, "id")),
						  amount, c->now, e);
	return rc;
}

/* The parties of a transfer or advance, resolved, with its amount checked. */
static int parties(struct funds_ctx *c, const char *merchant_id, const char *consumer_id,
		   int64_t amount, char mid[ID_MAX], char cid[ID_MAX], struct err *e)
{
	int rc = funds_amount_ok(amount, "amount", e);

	if (!rc)
		rc = funds_resolve(c->st, STORE_MERCHANT, merchant_id, "merchant", mid, e);
	if (!rc)
		rc = funds_resolve(c->st, STORE_CONSUMER, consumer_id, "consumer", cid, e);
	return rc;
}

static json_t *pay_args(const char *op, const char *mid, const char *cid, int64_t amount,
			const char *dispute_id, const char *reason)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "op", op, "merchant", mid, "consumer",
			 cid, "amount", (json_int_t)amount, "dispute", opt_str(dispute_id),
			 "reason", opt_str(reason));
}

int funds_transfer(struct funds_ctx *c, const char *key, const char *merchant_id,
		   const char *consumer_id, int64_t amount, const char *dispute_id,
		   const char *reason, json_t **out, struct err *e)
{
	char mid[ID_MAX], cid[ID_MAX], hash[65];
	struct plan p;
	int64_t covered;
	int rc;

	*out = NULL;
	rc = parties(c, merchant_id, consumer_id, amount, mid, cid, e);
	if (!rc)
		rc = key_start(c, key, pay_args("transfer", mid, cid, amount, dispute_id, reason),
			       hash, out, e);
	if (rc || *out)
		return rc;
	rc = plan_transfer(c->st, mid, dispute_id, amount, &p, &covered, e);
	if (!rc && covered < amount)
		rc = funds_insufficient(e, mid, "settlement and deposit", covered, amount);
	if (!rc)
		rc = do_transfer(c, mid, cid, &p, dispute_id, reason, out, e);
	return key_finish(c, key, hash, rc, out, e);
}

int funds_advance(struct funds_ctx *c, const char *key, const char *merchant_id,
		  const char *consumer_id, int64_t amount, const char *dispute_id,
		  const char *reason, json_t **out, struct err *e)
{
	char mid[ID_MAX], cid[ID_MAX], hash[65];
	int rc;

	*out = NULL;
	rc = parties(c, merchant_id, consumer_id, amount, mid, cid, e);
	if (!rc)
		rc = key_start(c, key, pay_args("advance", mid, cid, amount, dispute_id, reason),
			       hash, out, e);
	if (rc || *out)
		return rc;
	rc = do_advance(c, mid, cid, amount, dispute_id, reason, out, e);
	return key_finish(c, key, hash, rc, out, e);
}

int funds_execute(struct funds_ctx *c, const char *key, const char *merchant_id,
		  const char *consumer_id, int64_t amount, const char *dispute_id,
		  const char *reason, json_t **out, struct err *e)
{
	char mid[ID_MAX], cid[ID_MAX], hash[65];
	json_t *t = NULL, *a = NULL;
	struct store_account g;
	struct plan p;
	int64_t covered;
	int rc;

	*out = NULL;
	rc = parties(c, merchant_id, consumer_id, amount, mid, cid, e);
	if (!rc)
		rc = key_start(c, key, pay_args("execute", mid, cid, amount, dispute_id, reason),
			       hash, out, e);
	if (rc || *out)
		return rc;
	rc = plan_transfer(c->st, mid, dispute_id, amount, &p, &covered, e);
	if (!rc && covered < amount) {
		rc = funds_read(c->st, "platform", "guarantee", &g, e);
		if (!rc && g.balance < amount - covered)
			rc = funds_insufficient(e, "platform", "guarantee", g.balance,
						amount - covered);
	}
	if (!rc && covered > 0)
		rc = do_transfer(c, mid, cid, &p, dispute_id, reason, &t, e);
	if (!rc && covered < amount)
		rc = do_advance(c, mid, cid, amount - covered, dispute_id, reason, &a, e);
	if (!rc) {
		*out = json_pack("{s:s, s:o, s:o}", "object", "execution", "transfer",
				 t ? json_incref(t) : json_null(), "advance",
				 a ? json_incref(a) : json_null());
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	json_decref(t);
	json_decref(a);
	return key_finish(c, key, hash, rc, out, e);
}

int funds_reimburse(struct funds_ctx *c, const char *key, const char *merchant_id,
		    int64_t amount, const char *dispute_id, const char *reason, json_t **out,
		    struct err *e)
{
	char mid[ID_MAX], hash[65];
	int rc;

	*out = NULL;
	rc = funds_amount_ok(amount, "amount", e);
	if (!rc)
		rc = funds_resolve(c->st, STORE_MERCHANT, merchant_id, "merchant", mid, e);
	if (!rc)
		rc = key_start(c, key, json_pack("{s:s, s:s, s:I, s:o, s:o}", "op", "reimburse",
						 "merchant", mid, "amount", (json_int_t)amount,
						 "dispute", opt_str(dispute_id), "reason",
						 opt_str(reason)),
			       hash, out, e);
	if (rc || *out)
		return rc;
	{
		struct funds_leg legs[] = {{"platform", "guarantee", -amount},
					   {mid, "settlement", amount}};

		rc = funds_post(c, "reimbursement",
				reason ? reason : "the merchant reimbursed from the guarantee fund",
				dispute_id, NULL, NULL, legs, 2, out, e);
	}
	return key_finish(c, key, hash, rc, out, e);
}
