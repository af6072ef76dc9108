/* holds.c - reserving part of a merchant's settlement, then deposit, for one dispute, and releasing it. */
#include "funds/funds_int.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"

#define CURRENCY "CNY"

int funds_hold(struct funds_ctx *c, const char *key, const char *merchant_id, int64_t amount,
	       const char *dispute_id, int partial, int64_t *held, json_t **out, struct err *e)
{
	struct store_account s, d;
	struct store_leg parts[2];
	json_t *jparts = NULL;
	char mid[ID_MAX], hid[ID_MAX], hash[65];
	int64_t from_s, from_d, total;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (held)
		*held = 0;
	rc = funds_amount_ok(amount, "amount", e);
	if (!rc)
		rc = funds_resolve(c->st, STORE_MERCHANT, merchant_id, "merchant", mid, e);
	if (!rc) {
		rc = funds_key_begin(c, key, json_pack("{s:s, s:s, s:I, s:o, s:b}", "op", "hold",
						       "merchant", mid, "amount", (json_int_t)amount,
						       "dispute", dispute_id ? json_string(dispute_id)
									     : json_null(),
						       "partial", partial),
				     hash, out, e);
		if (!rc && *out && held)
			*held = json_integer_value(json_object_get(json_object_get(*out, "amount"),
								   "amount"));
	}
	if (rc || *out)
		return rc;
	rc = funds_read(c->st, mid, "settlement", &s, e);
	if (!rc)
		rc = funds_read(c->st, mid, "deposit", &d, e);
	if (rc)
		return rc;
	from_s = s.balance - s.held < amount ? s.balance - s.held : amount;
	if (from_s < 0)
		from_s = 0;
	from_d = d.balance - d.held < amount - from_s ? d.balance - d.held : amount - from_s;
	if (from_d < 0)
		from_d = 0;
	total = from_s + from_d;
	if (total < amount && !partial)
		return funds_insufficient(e, mid, "settlement and deposit", total, amount);
	jparts = json_array();
	if (from_s) {
		rc = store_fund_account(c->st, mid, "settlement", CURRENCY, 1, c->now, &s, e);
		parts[n++] = (struct store_leg){s.seq, from_s};
		json_array_append_new(jparts, json_pack("{s:s, s:o}", "account", "settlement",
							"amount", jx_money_json(from_s, CURRENCY)));
	}
	if (!rc && from_d) {
		rc = store_fund_account(c->st, mid, "deposit", CURRENCY, 1, c->now, &d, e);
		parts[n++] = (struct store_leg){d.seq, from_d};
		json_array_append_new(jparts, json_pack("{s:s, s:o}", "account", "deposit",
							"amount", jx_money_json(from_d, CURRENCY)));
	}
	if (rc) {
		json_decref(jparts);
		return rc;
	}
	id_new(hid, "hld");
	*out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "object", "hold",
			 "id", hid, "merchant", mid, "dispute",
			 dispute_id ? json_string(dispute_id) : json_null(), "requested",
			 jx_money_json(amount, CURRENCY), "amount", jx_money_json(total, CURRENCY),
			 "shortfall", jx_money_json(amount - total, CURRENCY), "parts", jparts,
			 "state", "active", "created_at", jx_time_json(c->now));
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_fund_hold_insert(c->st, hid, mid, dispute_id, amount, total, c->now, *out,
				    parts, n, e);
	if (!rc)
		rc = funds_key_end(c, key, hash, *out, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	} else if (held) {
		*held = total;
	}
	return rc;
}

int funds_hold_release(struct funds_ctx *c, const char *key, const char *hold_id,
		       json_t **out, struct err *e)
{
	struct store_hold h;
	char hash[65];
	int rc;

	*out = NULL;
	memset(&h, 0, sizeof(h));
	rc = store_fund_hold_get(c->st, hold_id, &h, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", "id", "no hold %s", hold_id);
	if (!rc) {
		rc = funds_key_begin(c, key, json_pack("{s:s, s:s}", "op", "release", "hold", hold_id),
				     hash, out, e);
		if (!rc && !*out) {
			rc = store_fund_hold_close(c->st, hold_id, "released", c->now, e);
			if (!rc) {
				*out = json_deep_copy(h.body);
				json_object_set_new(*out, "state", json_string("released"));
				json_object_set_new(*out, "released_at", jx_time_json(c->now));
				rc = funds_key_end(c, key, hash, *out, e);
			}
			if (rc) {
				json_decref(*out);
				*out = NULL;
			}
		}
	}
	store_hold_release(&h);
	return rc;
}
