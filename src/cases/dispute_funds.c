/* dispute_funds.c - the money a dispute moves: the hold, execution from the merchant's funds or the guarantee fund, reimbursement, and who is liable. */
#include "cases/dispute_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "funds/funds.h"

#define CURRENCY "CNY"
#define KEY_MAX 160

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t fen(json_t *money)
{
	return json_integer_value(json_object_get(money, "amount"));
}

json_t *dispute_funds_json(void)
{
	return json_pack("{s:n, s:o, s:o, s:o, s:o, s:n}", "hold", "held",
			 jx_money_json(0, CURRENCY), "shortfall", jx_money_json(0, CURRENCY),
			 "paid", jx_money_json(0, CURRENCY), "reimbursed",
			 jx_money_json(0, CURRENCY), "blocked");
}

/* The dispute's "funds" member, made if an older dispute has none. */
static json_t *funds_of(json_t *d)
{
	json_t *f = json_object_get(d, "funds");

	if (!json_is_object(f)) {
		f = dispute_funds_json();
		json_object_set_new(d, "funds", f);
	}
	return f;
}

static int64_t funds_fen(json_t *d, const char *key)
{
	return fen(json_object_get(funds_of(d), key));
}

static void funds_set(json_t *d, const char *key, int64_t amount)
{
	json_object_set_new(funds_of(d), key, jx_money_json(amount, CURRENCY));
}

int64_t dispute_outcome_fen(json_t *d)
{
	return fen(json_object_get(json_object_get(d, "outcome"), "amount"));
}

int dispute_outcome_is_money(json_t *d)
{
	int o = vocab_find(outcome_names, str(json_object_get(d, "outcome"), "outcome"));

	return o == OUTCOME_FULL_REFUND || o == OUTCOME_PARTIAL_REFUND || o == OUTCOME_REJECTED;
}

int dispute_funds_pending(json_t *d)
{
	int64_t target = dispute_outcome_fen(d), paid = funds_fen(d, "paid");

	return target > paid || paid - funds_fen(d, "reimbursed") > target ||
	       json_is_string(json_object_get(funds_of(d), "hold"));
}

/* ---- what a move records about money ---- */

/* An entry as the timeline shows it: id, kind, reason and its legs. New reference. */
static json_t *entry_brief(json_t *entry)
{
	return json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(entry, "id"), "kind",
			 json_object_get(entry, "kind"), "reason", json_object_get(entry, "reason"),
			 "legs", json_object_get(entry, "legs"));
}

/* Queue a "funds" event of `operation` for `amount` with `extra` (stolen) members. */
static void moved(struct move *m, const char *operation, int64_t amount, const char *why,
		  json_t *extra)
{
	json_t *ev = json_pack("{s:s, s:o, s:s}", "operation", operation, "amount",
			       jx_money_json(amount, CURRENCY), "reason", why);

	if (extra)
		json_object_update(ev, extra);
	json_decref(extra);
	if (!m->moved)
		m->moved = json_array();
	json_array_append_new(m->moved, ev);
}

int dispute_record_moved(struct move *m, struct err *e)
{
	const char *state = str(m->d, "state");
	json_t *ev;
	size_t i;
	int rc = RC_OK;

	json_array_foreach(m->moved, i, ev) {
		rc = dispute_record(m, "funds", state, state, str(ev, "reason"), json_incref(ev), e);
		if (rc)
			break;
	}
	json_decref(m->moved);
	m->moved = NULL;
	return rc;
}

/* The funds operations' seals go with the dispute's, to integrate after commit. */
static void keep_seals(struct move *m, const struct funds_ctx *fc)
{
	size_t i;

	for (i = 0; i < fc->nseals && m->dc->nseals < DISPUTE_MAX_SEALS; i++)
		m->dc->seals[m->dc->nseals++] = fc->seals[i];
}

static void ctx_init(struct funds_ctx *fc, struct move *m)
{
	memset(fc, 0, sizeof(*fc));
	fc->st = m->c->st;
	fc->now = m->now;
}

/* ---- holds ---- */

int dispute_funds_release(struct move *m, struct err *e)
{
	const char *did = str(m->d, "id");
	struct funds_ctx fc;
	char hid[ID_MAX], key[KEY_MAX];
	json_t *out = NULL;
	int found = 0, rc;

	rc = store_fund_hold_active_for(m->c->st, str(m->d, "merchant"), did, hid, &found, e);
	if (!rc && found) {
		ctx_init(&fc, m);
		snprintf(key, sizeof(key), "%s/release:%s", did, hid);
		rc = funds_hold_release(&fc, key, hid, &out, e);
		keep_seals(m, &fc);
		if (!rc)
			moved(m, "release", fen(json_object_get(out, "amount")),
			      "the hold on the merchant's funds is released",
			      json_pack("{s:s}", "hold", hid));
		json_decref(out);
	}
	if (!rc) {
		json_object_set_new(funds_of(m->d), "hold", json_null());
		funds_set(m->d, "held", 0);
		funds_set(m->d, "shortfall", 0);
	}
	return rc;
}

int dispute_funds_hold(struct move *m, int64_t amount, const char *tag, struct err *e)
{
	const char *did = str(m->d, "id");
	struct funds_ctx fc;
	char key[KEY_MAX];
	json_t *out = NULL;
	int64_t held = 0;
	int rc = dispute_funds_release(m, e);

	if (rc || amount <= 0)
		return rc;
	ctx_init(&fc, m);
	snprintf(key, sizeof(key), "%s/hold:%s", did, tag);
	rc = funds_hold(&fc, key, str(m->d, "merchant"), amount, did, 1, &held, &out, e);
	keep_seals(m, &fc);
	if (rc)
		return rc;
	json_object_set(funds_of(m->d), "hold", json_object_get(out, "id"));
	funds_set(m->d, "held", held);
	funds_set(m->d, "shortfall", amount - held);
	moved(m, "hold", held,
	      held < amount ? "part of the sum is held of the merchant's funds; the shortfall is "
			      "covered when the outcome is carried out"
			    : "the sum is held of the merchant's funds",
	      json_pack("{s:O, s:O, s:O, s:O}", "hold", json_object_get(out, "id"), "requested",
			json_object_get(out, "requested"), "shortfall",
			json_object_get(out, "shortfall"), "parts", json_object_get(out, "parts")));
	json_decref(out);
	return RC_OK;
}

/* ---- paying and paying back ---- */

/* A guarantee fund too small is no failure of the move: the money waits, and says why. */
static int blocked(struct move *m, int rc, struct err *e)
{
	if (rc != RC_CONFLICT || strcmp(e->code, "insufficient_funds") != 0)
		return rc;
	json_object_set_new(funds_of(m->d), "blocked", json_string(e->message));
	moved(m, "blocked", 0, "the money cannot move yet: the guarantee fund cannot cover it",
	      json_pack("{s:s}", "detail", e->message));
	err_clear(e);
	return RC_OK;
}

/* Pay the consumer `owed` more: a transfer as far as the merchant's money reaches, the rest
 * (or, when the platform is liable, all of it) paid first by the guarantee fund. */
static int pay(struct move *m, int64_t owed, int *done, struct err *e)
{
	const char *did = str(m->d, "id");
	int liable = json_is_object(json_object_get(m->d, "platform_liable"));
	int64_t paid = funds_fen(m->d, "paid");
	struct funds_ctx fc;
	char key[KEY_MAX];
	json_t *out = NULL, *entries = json_array(), *t, *a;
	int rc;

	*done = 0;
	ctx_init(&fc, m);
	snprintf(key, sizeof(key), "%s/execute:%lld", did, (long long)paid);
	if (liable)
		rc = funds_advance(&fc, key, str(m->d, "merchant"), str(m->d, "consumer"), owed, did,
				   "paid first by the platform, liable under CPL art. 44", &out, e);
	else
		rc = funds_execute(&fc, key, str(m->d, "merchant"), str(m->d, "consumer"), owed,
				   did, "the dispute's outcome carried out", &out, e);
	keep_seals(m, &fc);
	if (rc) {
		json_decref(entries);
		return blocked(m, rc, e);
	}
	t = liable ? NULL : json_object_get(out, "transfer");
	a = liable ? out : json_object_get(out, "advance");
	if (json_is_object(t))
		json_array_append_new(entries, entry_brief(t));
	if (json_is_object(a))
		json_array_append_new(entries, entry_brief(a));
	funds_set(m->d, "paid", paid + owed);
	json_object_set_new(funds_of(m->d), "hold", json_null());
	funds_set(m->d, "held", 0);
	funds_set(m->d, "shortfall", 0);
	json_object_set_new(funds_of(m->d), "blocked", json_null());
	moved(m, "execute", owed,
	      json_is_object(a) ? (json_is_object(t) ? "paid to the consumer from the merchant's "
						       "funds, the rest first by the guarantee fund"
						     : "paid to the consumer first by the guarantee "
						       "fund; the merchant owes it back")
				: "paid to the consumer from the merchant's funds",
	      json_pack("{s:o}", "entries", entries));
	json_decref(out);
	*done = 1;
	return RC_OK;
}

/* The merchant paid `back` beyond the final outcome: the guarantee fund makes it whole. */
static int pay_back(struct move *m, int64_t back, int *done, struct err *e)
{
	const char *did = str(m->d, "id");
	int64_t reimbursed = funds_fen(m->d, "reimbursed");
	struct funds_ctx fc;
	char key[KEY_MAX];
	json_t *out = NULL;
	int rc;

	*done = 0;
	ctx_init(&fc, m);
	snprintf(key, sizeof(key), "%s/reimburse:%lld", did, (long long)reimbursed);
	rc = funds_reimburse(&fc, key, str(m->d, "merchant"), back, did,
			     "the merchant's appeal succeeded; the consumer keeps what was paid",
			     &out, e);
	keep_seals(m, &fc);
	if (rc)
		return blocked(m, rc, e);
	funds_set(m->d, "reimbursed", reimbursed + back);
	json_object_set_new(funds_of(m->d), "blocked", json_null());
	moved(m, "reimburse", back,
	      "the guarantee fund reimburses the merchant; the consumer keeps what was paid",
	      json_pack("{s:[o]}", "entries", entry_brief(out)));
	json_decref(out);
	*done = 1;
	return RC_OK;
}

int dispute_funds_pay_first(struct move *m, int64_t owed, int *paid, struct err *e)
{
	const char *did = str(m->d, "id");
	int64_t before = funds_fen(m->d, "paid");
	struct funds_ctx fc;
	char key[KEY_MAX];
	json_t *out = NULL;
	int has = 0, rc;

	*paid = 0;
	if (!m->c->rules->flagged_pay_first || owed <= 0 || !dispute_outcome_is_money(m->d))
		return RC_OK;
	rc = dispute_merchant_flagged(m->c, str(m->d, "merchant"), MERCHANT_FLAG_REPEATED_FRAUD,
				      &has, e);
	if (rc || !has)
		return rc;
	ctx_init(&fc, m);
	snprintf(key, sizeof(key), "%s/pay_first:%lld", did, (long long)before);
	rc = funds_advance(&fc, key, str(m->d, "merchant"), str(m->d, "consumer"), owed, did,
			   "paid first by the platform at once: the merchant is flagged for "
			   "repeated fraud", &out, e);
	keep_seals(m, &fc);
	if (rc == RC_CONFLICT && strcmp(e->code, "insufficient_funds") == 0) {
		/* the fund cannot: the merchant's money is held and paid as usual */
		err_clear(e);
		return RC_OK;
	}
	if (rc)
		return rc;
	funds_set(m->d, "paid", before + owed);
	json_object_set_new(funds_of(m->d), "paid_first", json_true());
	moved(m, "pay_first", owed,
	      "paid to the consumer at once, first by the guarantee fund: the merchant is "
	      "flagged for repeated fraud and owes the sum back",
	      json_pack("{s:[o]}", "entries", entry_brief(out)));
	json_decref(out);
	*paid = 1;
	return dispute_funds_release(m, e);
}

int dispute_funds_settle(struct move *m, int *settled, struct err *e)
{
	int64_t target = dispute_outcome_fen(m->d), paid, reimbursed;
	int liable, done = 1, rc;

	*settled = 0;
	rc = dispute_liability_update(m, e);
	if (rc)
		return rc;
	liable = json_is_object(json_object_get(m->d, "platform_liable"));
	paid = funds_fen(m->d, "paid");
	reimbursed = funds_fen(m->d, "reimbursed");
	if (target > paid)
		rc = pay(m, target - paid, &done, e);
	else if (!liable && !json_is_true(json_object_get(funds_of(m->d), "paid_first")) &&
		 paid - reimbursed > target)
		rc = pay_back(m, paid - reimbursed - target, &done, e);
	if (!rc && done)
		rc = dispute_funds_release(m, e);
	if (!rc)
		*settled = done;
	return rc;
}

/* ---- CPL art. 44: a merchant whose identity cannot be given ---- */

static int blank(const char *s)
{
	if (!s)
		return 1;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* Why the platform cannot give the merchant's identity, or NULL if it can. */
static const char *identity_gap(json_t *mer, json_t *flags)
{
	json_t *contact = json_object_get(mer, "contact"), *f;
	size_t i;

	json_array_foreach(flags, i, f)
		if (vocab_find(merchant_flag_names, str(f, "flag")) ==
		    MERCHANT_FLAG_IDENTITY_UNVERIFIABLE)
			return "identity_unverifiable";
	if (blank(str(mer, "legal_name")))
		return "no_real_name";
	if (blank(str(mer, "registered_address")))
		return "no_address";
	if (blank(str(contact, "phone")) && blank(str(contact, "email")))
		return "no_contact";
	return NULL;
}

int dispute_merchant_flagged(struct cases *c, const char *merchant_id, enum merchant_flag flag,
			     int *has, struct err *e)
{
	json_t *flags = NULL, *f;
	size_t k;
	int rc = store_merchant_flags(c->st, merchant_id, &flags, e);

	*has = 0;
	if (rc)
		return rc;
	json_array_foreach(flags, k, f)
		if (vocab_find(merchant_flag_names, str(f, "flag")) == (int)flag)
			*has = 1;
	json_decref(flags);
	return RC_OK;
}

int dispute_liability(struct cases *c, const char *merchant_id, json_t **out, struct err *e)
{
	json_t *mer = NULL, *flags = NULL;
	const char *gap;
	int rc;

	*out = json_null();
	rc = store_get(c->st, STORE_MERCHANT, merchant_id, &mer, e);
	if (!rc)
		rc = store_merchant_flags(c->st, merchant_id, &flags, e);
	if (!rc && (gap = identity_gap(mer, flags))) {
		json_decref(*out);
		*out = json_pack("{s:s, s:s, s:s}", "basis", "cpl_44", "reason", gap, "text",
				 "the platform cannot provide the merchant's real name, address "
				 "and valid contact: it pays first and recovers from the merchant "
				 "(Consumer Protection Law art. 44)");
	}
	json_decref(mer);
	json_decref(flags);
	return rc;
}

int dispute_liability_update(struct move *m, struct err *e)
{
	json_t *now = NULL;
	int rc;

	if (json_is_object(json_object_get(m->d, "platform_liable")))
		return RC_OK; /* once liable, the dispute stays so */
	rc = dispute_liability(m->c, str(m->d, "merchant"), &now, e);
	if (!rc)
		json_object_set(m->d, "platform_liable", now);
	json_decref(now);
	return rc;
}
