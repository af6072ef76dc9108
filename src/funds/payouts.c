/* payouts.c - paying a consumer's payable out: a signed instruction by webhook, then the channel's confirmation or failure. */
#include "funds/funds_int.h"

#include <string.h>

#include "core/jsonx.h"
#include "notify/webhook.h"

#define CURRENCY "CNY"

int funds_payout_request(struct funds_ctx *c, const char *key, const char *consumer_id,
			 int64_t amount, json_t **out, struct err *e)
{
	char cid[ID_MAX], pid[ID_MAX], hash[65];
	json_t *entry = NULL, *links;
	int rc;

	*out = NULL;
	rc = funds_amount_ok(amount, "amount", e);
	if (!rc)
		rc = funds_resolve(c->st, STORE_CONSUMER, consumer_id, "consumer", cid, e);
	if (!rc)
		rc = funds_key_begin(c, key, json_pack("{s:s, s:s, s:I}", "op", "payout", "consumer",
						       cid, "amount", (json_int_t)amount),
				     hash, out, e);
	if (rc || *out)
		return rc;
	id_new(pid, "pay");
	{
		struct funds_leg legs[] = {{cid, "payable", -amount}, {"platform", "world", amount}};

		links = json_pack("{s:s}", "payout", pid);
		rc = funds_post(c, "payout", "paid out to the consumer", NULL, NULL, links, legs, 2,
				&entry, e);
		json_decref(links);
	}
	if (!rc) {
		*out = json_pack("{s:s, s:s, s:s, s:o, s:s, s:O, s:n, s:n, s:o, s:o}", "object",
				 "payout", "id", pid, "consumer", cid, "amount",
				 jx_money_json(amount, CURRENCY), "state", "requested", "entry",
				 json_object_get(entry, "id"), "closing_entry", "reason",
				 "created_at", jx_time_json(c->now), "updated_at",
				 jx_time_json(c->now));
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	if (!rc)
		rc = store_fund_payout_insert(c->st, pid, cid, amount, CURRENCY,
					      json_string_value(json_object_get(entry, "id")), c->now,
					      *out, e);
	if (!rc)
		rc = webhook_emit(c->st, "payout.requested", *out, c->now, e);
	if (!rc)
		rc = funds_key_end(c, key, hash, *out, e);
	json_decref(entry);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* Close a requested payout as paid, or as failed with the money back in the payable. */
static int close_payout(struct funds_ctx *c, const char *key, const char *payout_id,
			int failed, const char *reason, json_t **out, struct err *e)
{
	json_t *body = NULL, *entry = NULL, *links;
	char state[12], hash[65];
	int rc;

	*out = NULL;
	rc = store_fund_payout_get(c->st, payout_id, &body, state, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", "id", "no payout %s", payout_id);
	if (!rc)
		rc = funds_key_begin(c, key, json_pack("{s:s, s:s, s:o}", "op",
						       failed ? "payout_fail" : "payout_confirm",
						       "payout", payout_id, "reason",
						       reason ? json_string(reason) : json_null()),
				     hash, out, e);
	if (rc || *out) {
		json_decref(body);
		return rc;
	}
	if (strcmp(state, "requested") != 0) {
		json_decref(body);
		return err_set(e, RC_CONFLICT, "payout_closed", NULL, "payout %s is already %s",
			       payout_id, state);
	}
	if (failed) {
		const char *cid = json_string_value(json_object_get(body, "consumer"));
		int64_t amount = json_integer_value(
			json_object_get(json_object_get(body, "amount"), "amount"));
		struct funds_leg legs[] = {{"platform", "world", -amount}, {cid, "payable", amount}};

		links = json_pack("{s:s}", "payout", payout_id);
		rc = funds_post(c, "payout_failed", "payout failed: the money is back in the payable",
				NULL, NULL, links, legs, 2, &entry, e);
		json_decref(links);
		if (!rc)
			json_object_set(body, "closing_entry", json_object_get(entry, "id"));
	}
	if (!rc) {
		json_object_set_new(body, "state", json_string(failed ? "failed" : "paid"));
		json_object_set_new(body, "reason", reason ? json_string(reason) : json_null());
		json_object_set_new(body, "updated_at", jx_time_json(c->now));
		rc = store_fund_payout_close(c->st, payout_id, failed ? "failed" : "paid",
					     entry ? json_string_value(json_object_get(entry, "id"))
						   : NULL,
					     c->now, body, e);
	}
	if (!rc)
		rc = funds_key_end(c, key, hash, body, e);
	json_decref(entry);
	if (rc) {
		json_decref(body);
		return rc;
	}
	*out = body;
	return RC_OK;
}

int funds_payout_confirm(struct funds_ctx *c, const char *key, const char *payout_id,
			 json_t **out, struct err *e)
{
	return close_payout(c, key, payout_id, 0, NULL, out, e);
}

int funds_payout_fail(struct funds_ctx *c, const char *key, const char *payout_id,
		      const char *reason, json_t **out, struct err *e)
{
	return close_payout(c, key, payout_id, 1, reason, out, e);
}
