/* res_funds.c - /v1/funds (credits, the guarantee fund, holds, transfers, advances, accounts, entries) and /v1/payouts. */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "evidence/blobstore.h"
#include "funds/funds.h"

/*
 * The key that makes a money operation happen once: the caller's
 * Idempotency-Key under its principal, or a fresh one when it sent none.
 */
static void op_key(struct http_req *r, char *key, size_t cap)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Idempotency-Key");
	char rnd[ID_MAX];

	if (h && *h) {
		snprintf(key, cap, "http:%s:%s", r->who.id, h);
		return;
	}
	id_new(rnd, "op");
	snprintf(key, cap, "auto:%s", rnd);
}

/* `amount` as fen: an integer, or {"amount":…,"currency":"CNY"}. */
static int read_amount(json_t *in, int64_t *amount, struct err *e)
{
	json_t *v = json_object_get(in, "amount");
	char cur[4];
	int rc;

	if (!v || json_is_null(v))
		return err_set(e, RC_INVAL, "required", "amount", "amount is required");
	if (json_is_integer(v))
		return jx_int(in, "amount", "amount", 1, 1, FUNDS_AMOUNT_MAX, amount, e);
	if (!json_is_object(v))
		return err_set(e, RC_INVAL, "invalid_type", "amount",
			       "amount must be fen as an integer or {\"amount\", \"currency\"}");
	rc = jx_money(in, "amount", "amount", 1, amount, cur, e);
	if (!rc && strcmp(cur, "CNY") != 0)
		rc = err_set(e, RC_INVAL, "invalid_value", "amount.currency",
			     "the ledger keeps CNY only");
	if (!rc && *amount <= 0)
		rc = err_set(e, RC_INVAL, "invalid_value", "amount.amount",
			     "amount.amount must be a positive number of fen");
	return rc;
}

/* An optional dispute: it must exist and be against `merchant` (the merchant's id or ref). */
static int read_dispute(struct http_req *r, json_t *in, const char *merchant,
			const char **dispute, struct err *e)
{
	json_t *d = NULL, *m = NULL;
	const char *dm;
	int rc = jx_str(in, "dispute", "dispute", 0, 64, dispute, e);

	if (rc || !*dispute)
		return rc;
	rc = store_dispute_get(r->srv->st, *dispute, &d, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", "dispute", "no dispute %s", *dispute);
	if (!rc && merchant)
		rc = store_get(r->srv->st, STORE_MERCHANT, merchant, &m, e);
	if (rc == RC_NOTFOUND)
		rc = err_set(e, RC_NOTFOUND, "not_found", "merchant", "no merchant %s", merchant);
	dm = json_string_value(json_object_get(d, "merchant"));
	if (!rc && m && (!dm || strcmp(dm, json_string_value(json_object_get(m, "id"))) != 0))
		rc = err_set(e, RC_INVAL, "invalid_value", "dispute",
			     "dispute %s is not against merchant %s", *dispute, merchant);
	json_decref(d);
	json_decref(m);
	return rc;
}

/* Reply with an operation's result, keeping its seals for after the commit. */
static int done(struct http_req *r, struct funds_ctx *c, int status, int rc, json_t *out)
{
	if (rc) {
		json_decref(out);
		return rc;
	}
	http_keep_seals(r, c->seals, c->nseals);
	return http_reply_json(r, status, out);
}

#define CTX(r) {.st = (r)->srv->st, .now = (r)->now}

int res_funds_credit(struct http_req *r, struct err *e)
{
	static const char *const allowed[] = {"merchant", "account", "amount", "reference",
					      "terms", NULL};
	static const char *const accounts[] = {"settlement", "deposit", NULL};
	struct funds_ctx c = CTX(r);
	const char *merchant = NULL, *account = NULL, *reference = NULL, *terms = NULL;
	json_t *in = NULL, *out = NULL;
	char key[320], hex[65];
	int64_t amount = 0;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = jx_only(in, allowed, NULL, e);
	if (!rc)
		rc = jx_str(in, "merchant", "merchant", 1, 64, &merchant, e);
	if (!rc)
		rc = jx_enum(in, "account", "account", 1, accounts, &account, e);
	if (!rc)
		rc = read_amount(in, &amount, e);
	if (!rc)
		rc = jx_str(in, "reference", "reference", 1, 200, &reference, e);
	if (!rc)
		rc = jx_str(in, "terms", "terms", strcmp(account, "deposit") == 0, 20000, &terms, e);
	if (!rc && terms && strncmp(terms, "sha256:", 7) == 0) {
		json_t *b = NULL;

		if (!blob_parse_id(terms, hex))
			rc = err_set(e, RC_INVAL, "invalid_value", "terms",
				     "terms must be text or a blob id sha256:<64 hex>");
		else if (store_blob_get(r->srv->st, hex, &b, e) == RC_NOTFOUND)
			rc = err_set(e, RC_NOTFOUND, "not_found", "terms", "no blob %s", terms);
		json_decref(b);
	}
	if (!rc && strcmp(account, "deposit") != 0)
		terms = NULL;
	op_key(r, key, sizeof(key));
	if (!rc)
		rc = funds_credit(&c, key, merchant, account, amount, reference, terms, &out, e);
	json_decref(in);
	return done(r, &c, 201, rc, out);
}

int res_funds_guarantee(struct http_req *r, struct err *e)
{
	static const char *const allowed[] = {"amount", "reference", NULL};
	struct funds_ctx c = CTX(r);
	const char *reference = NULL;
	json_t *in = NULL, *out = NULL;
	char key[320];
	int64_t amount = 0;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = jx_only(in, allowed, NULL, e);
	if (!rc)
		rc = read_amount(in, &amount, e);
	if (!rc)
		rc = jx_str(in, "reference", "reference", 1, 200, &reference, e);
	op_key(r, key, sizeof(key));
	if (!rc)
		rc = funds_guarantee_add(&c, key, amount, reference, &out, e);
	json_decref(in);
	return done(r, &c, 201, rc, out);
}

int res_funds_hold(struct http_req *r, struct err *e)
{
	static const char *const allowed[] = {"merchant", "amount", "dispute", "partial", NULL};
	struct funds_ctx c = CTX(r);
	const char *merchant = NULL, *dispute = NULL;
	json_t *in = NULL, *out = NULL, *p;
	char key[320];
	int64_t amount = 0;
	int partial = 0, rc = http_body_json(r, &in, e);

	if (!rc)
		rc = jx_only(in, allowed, NULL, e);
	if (!rc)
		rc = jx_str(in, "merchant", "merchant", 1, 64, &merchant, e);
	if (!rc)
		rc = read_amount(in, &amount, e);
	if (!rc) {
		p = json_object_get(in, "partial");
		if (p && !json_is_boolean(p) && !json_is_null(p))
			rc = err_set(e, RC_INVAL, "invalid_type", "partial",
				     "partial must be true or false");
		partial = json_is_true(p);
	}
	if (!rc)
		rc = read_dispute(r, in, merchant, &dispute, e);
	op_key(r, key, sizeof(key));
	if (!rc)
		rc = funds_hold(&c, key, merchant, amount, dispute, partial, NULL, &out, e);
	json_decref(in);
	return done(r, &c, 201, rc, out);
}

int res_funds_hold_release(struct http_req *r, struct err *e)
{
	struct funds_ctx c = CTX(r);
	json_t *out = NULL;
	char key[320];
	int rc;

	op_key(r, key, sizeof(key));
	rc = funds_hold_release(&c, key, r->params[0], &out, e);
	return done(r, &c, 200, rc, out);
}

/* Transfers and advances share their body. */
static int pay(struct http_req *r, int advance, struct err *e)
{
	static const char *const allowed[] = {"merchant", "consumer", "amount", "dispute",
					      "reason", NULL};
	struct funds_ctx c = CTX(r);
	const char *merchant = NULL, *consumer = NULL, *dispute = NULL, *reason = NULL;
	json_t *in = NULL, *out = NULL;
	char key[320];
	int64_t amount = 0;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = jx_only(in, allowed, NULL, e);
	if (!rc)
		rc = jx_str(in, "merchant", "merchant", 1, 64, &merchant, e);
	if (!rc)
		rc = jx_str(in, "consumer", "consumer", 1, 64, &consumer, e);
	if (!rc)
		rc = read_amount(in, &amount, e);
	if (!rc)
		rc = jx_str(in, "reason", "reason", 0, 500, &reason, e);
	if (!rc)
		rc = read_dispute(r, in, merchant, &dispute, e);
	op_key(r, key, sizeof(key));
	if (!rc && advance)
		rc = funds_advance(&c, key, merchant, consumer, amount, dispute, reason, &out, e);
	else if (!rc)
		rc = funds_transfer(&c, key, merchant, consumer, amount, dispute, reason, &out, e);
	json_decref(in);
	return done(r, &c, 201, rc, out);
}

int res_funds_transfer(struct http_req *r, struct err *e)
{
	return pay(r, 0, e);
}

int res_funds_advance(struct http_req *r, struct err *e)
{
	return pay(r, 1, e);
}

int res_payout_create(struct http_req *r, struct err *e)
{
	static const char *const allowed[] = {"consumer", "amount", NULL};
	struct funds_ctx c = CTX(r);
	const char *consumer = NULL;
	json_t *in = NULL, *out = NULL;
	char key[320];
	int64_t amount = 0;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = jx_only(in, allowed, NULL, e);
	if (!rc)
		rc = jx_str(in, "consumer", "consumer", 1, 64, &consumer, e);
	if (!rc)
		rc = read_amount(in, &amount, e);
	op_key(r, key, sizeof(key));
	if (!rc)
		rc = funds_payout_request(&c, key, consumer, amount, &out, e);
	json_decref(in);
	return done(r, &c, 201, rc, out);
}

/* An optional JSON body with an optional "reason". */
static int close_body(struct http_req *r, const char **reason, json_t **in, struct err *e)
{
	static const char *const allowed[] = {"reason", NULL};
	int rc;

	*in = NULL;
	*reason = NULL;
	if (r->body.len == 0)
		return RC_OK;
	rc = http_body_json(r, in, e);
	if (!rc)
		rc = jx_only(*in, allowed, NULL, e);
	if (!rc)
		rc = jx_str(*in, "reason", "reason", 0, 500, reason, e);
	return rc;
}

int res_payout_confirm(struct http_req *r, struct err *e)
{
	struct funds_ctx c = CTX(r);
	const char *reason;
	json_t *in = NULL, *out = NULL;
	char key[320];
	int rc = close_body(r, &reason, &in, e);

	op_key(r, key, sizeof(key));
	if (!rc)
		rc = funds_payout_confirm(&c, key, r->params[0], &out, e);
	json_decref(in);
	return done(r, &c, 200, rc, out);
}

int res_payout_fail(struct http_req *r, struct err *e)
{
	struct funds_ctx c = CTX(r);
	const char *reason;
	json_t *in = NULL, *out = NULL;
	char key[320];
	int rc = close_body(r, &reason, &in, e);

	op_key(r, key, sizeof(key));
	if (!rc)
		rc = funds_payout_fail(&c, key, r->params[0], reason, &out, e);
	json_decref(in);
	return done(r, &c, 200, rc, out);
}

/*
 * Whether the caller may read `owner`'s accounts, as disclose/ says (staff
 * all; a merchant or consumer its own). Others, and owners one may not
 * see, are 404 as if they did not exist.
 */
static int may_read(struct http_req *r, const char *owner, struct err *e)
{
	json_t *rec = json_pack("{s:s}", "owner", owner ? owner : "");
	int rc;

	if (!rec)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = http_may_see(r, DISCLOSE_ACCOUNTS, rec, e);
	json_decref(rec);
	if (rc == RC_NOTFOUND)
		rc = err_set(e, RC_NOTFOUND, "not_found", "owner", "no owner of accounts %s",
			     owner ? owner : "");
	return rc;
}

int res_funds_accounts(struct http_req *r, struct err *e)
{
	json_t *out = NULL;
	int rc = may_read(r, r->params[0], e);

	if (!rc)
		rc = funds_accounts(r->srv->st, r->params[0], &out, e);
	if (rc)
		return rc;
	return http_reply_json(r, 200, out);
}

int res_funds_entries(struct http_req *r, struct err *e)
{
	const char *owner = http_query(r, "owner"), *account = http_query(r, "account");
	json_t *items = NULL;
	int64_t after, next;
	int limit, rc;

	if (!owner || !*owner)
		return err_set(e, RC_INVAL, "required", "owner", "owner is required");
	rc = http_page(r, &limit, &after, e);
	if (!rc)
		rc = may_read(r, owner, e);
	if (!rc && http_is(r, ROLE_CONSUMER) && account && strcmp(account, "payable") != 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", "account",
			     "a consumer has only its payable");
	if (!rc)
		rc = funds_entries(r->srv->st, owner, account, after, limit, &items, &next, e);
	if (rc)
		return rc;
	return http_reply_json(r, 200, http_list(items, next));
}
