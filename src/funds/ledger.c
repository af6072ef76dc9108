/* ledger.c - posting balanced entries (checked before written, then sealed), operation keys, account reads. */
#include "funds/funds_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "evidence/seal.h"

#define CURRENCY "CNY"

/* Accounts whose balance may go below zero. */
static int may_be_negative(const char *owner, const char *account)
{
	return strcmp(account, "world") == 0 ||
	       (strcmp(owner, "platform") == 0 && strcmp(account, "receivable") == 0);
}

int funds_insufficient(struct err *e, const char *owner, const char *account, int64_t have,
		       int64_t need)
{
	return err_set(e, RC_CONFLICT, "insufficient_funds", "amount",
		       "insufficient funds: %s %s has %lld fen available, %lld needed", owner,
		       account, (long long)have, (long long)need);
}

int funds_amount_ok(int64_t amount, const char *param, struct err *e)
{
	if (amount <= 0 || amount > FUNDS_AMOUNT_MAX)
		return err_set(e, RC_INVAL, "invalid_value", param,
			       "%s must be a positive number of fen up to %lld", param,
			       (long long)FUNDS_AMOUNT_MAX);
	return RC_OK;
}

int funds_resolve(struct store *st, enum store_kind kind, const char *ref, const char *param,
		  char id[ID_MAX], struct err *e)
{
	int rc;

	if (!ref || !*ref)
		return err_set(e, RC_INVAL, "required", param, "%s is required", param);
	rc = store_fund_party_id(st, kind, ref, id, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", param, "no %s %s", param, ref);
	return rc;
}

int funds_read(struct store *st, const char *owner, const char *account,
	       struct store_account *a, struct err *e)
{
	int rc = store_fund_account(st, owner, account, CURRENCY, 0, 0, a, e);

	if (rc == RC_NOTFOUND) {
		err_clear(e);
		memset(a, 0, sizeof(*a));
		snprintf(a->owner, sizeof(a->owner), "%s", owner);
		snprintf(a->name, sizeof(a->name), "%s", account);
		snprintf(a->currency, sizeof(a->currency), CURRENCY);
		return RC_OK;
	}
	return rc;
}

int funds_post(struct funds_ctx *c, const char *kind, const char *reason,
	       const char *dispute_id, const char *reference, json_t *links,
	       const struct funds_leg *legs, size_t n, json_t **entry, struct err *e)
{
	struct store_account acc[FUNDS_MAX_LEGS];
	struct store_leg rows[FUNDS_MAX_LEGS];
	json_t *body = NULL, *jl = NULL;
	char id[ID_MAX];
	int64_t sum = 0, next, seq;
	size_t i, j;
	int rc = RC_OK;

	if (entry)
		*entry = NULL;
	if (n < 2 || n > FUNDS_MAX_LEGS)
		return err_set(e, RC_INTERNAL, "bad_entry", NULL, "an entry has 2 to %d legs",
			       FUNDS_MAX_LEGS);
	/* check everything before writing anything */
	for (i = 0; i < n; i++) {
		if (legs[i].amount == 0 || __builtin_add_overflow(sum, legs[i].amount, &sum))
			return err_set(e, RC_INTERNAL, "bad_entry", NULL, "a leg of %s is 0 or too large",
				       kind);
		for (j = 0; j < i; j++)
			if (strcmp(legs[i].owner, legs[j].owner) == 0 &&
			    strcmp(legs[i].account, legs[j].account) == 0)
				return err_set(e, RC_INTERNAL, "bad_entry", NULL,
					       "two legs of %s on one account", kind);
		rc = funds_read(c->st, legs[i].owner, legs[i].account, &acc[i], e);
		if (rc)
			return rc;
		if (strcmp(acc[i].currency, CURRENCY) != 0)
			return err_set(e, RC_CONFLICT, "currency_mismatch", "amount",
				       "%s %s is kept in %s", legs[i].owner, legs[i].account,
				       acc[i].currency);
		if (__builtin_add_overflow(acc[i].balance, legs[i].amount, &next))
			return err_set(e, RC_CONFLICT, "balance_overflow", "amount",
				       "%s %s would pass the largest balance", legs[i].owner,
				       legs[i].account);
		if (legs[i].amount < 0 && !may_be_negative(legs[i].owner, legs[i].account) &&
		    next < acc[i].held)
			return funds_insufficient(e, legs[i].owner, legs[i].account,
						  acc[i].balance - acc[i].held, -legs[i].amount);
	}
	if (sum != 0)
		return err_set(e, RC_INTERNAL, "bad_entry", NULL, "the legs of %s do not balance",
			       kind);
	id_new(id, "jnl");
	jl = json_array();
	body = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "object", "ledger_entry", "id", id,
			 "kind", kind, "reason", reason ? reason : kind,
			 "dispute", dispute_id ? json_string(dispute_id) : json_null(),
			 "reference", reference ? json_string(reference) : json_null());
	if (!jl || !body) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* read above; made now if it had no row yet (seq 0) */
		if (acc[i].seq == 0)
			rc = store_fund_account(c->st, legs[i].owner, legs[i].account, CURRENCY, 1,
						c->now, &acc[i], e);
		if (rc)
			goto out;
		rows[i].account_seq = acc[i].seq;
		rows[i].amount = legs[i].amount;
		json_array_append_new(jl, json_pack("{s:s, s:s, s:o}", "owner", legs[i].owner,
						    "account", legs[i].account, "amount",
						    jx_money_json(legs[i].amount, CURRENCY)));
	}
	json_object_set(body, "legs", jl);
	if (links)
		json_object_update(body, links);
	json_object_set_new(body, "created_at", jx_time_json(c->now));
	rc = store_fund_entry_insert(c->st, id, kind, dispute_id, c->now, body, rows, n, e);
	if (!rc)
		rc = seal_record(c->st, "ledger_entry", body, c->now, &seq, e);
	if (rc)
		goto out;
	if (c->nseals < FUNDS_MAX_SEALS)
		c->seals[c->nseals++] = seq;
	if (entry)
		*entry = json_incref(body);
out:
	json_decref(jl);
	json_decref(body);
	return rc;
}

/*
 * A result as kept under its key: each ledger entry in it (an object
 * "ledger_entry") stands as {"ledger_entry": id} and its "recoveries", the
 * one member added after posting, since the journal keeps its body. A new
 * reference, or NULL when out of memory.
 */
static json_t *result_compact(json_t *v)
{
	json_t *out, *m;
	const char *k;
	size_t i;

	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, m)
			if (!out || json_array_append_new(out, result_compact(m))) {
				json_decref(out);
				return NULL;
			}
		return out;
	}
	if (!json_is_object(v))
		return json_incref(v);
	if (json_string_value(json_object_get(v, "object")) &&
	    strcmp(json_string_value(json_object_get(v, "object")), "ledger_entry") == 0 &&
	    json_is_string(json_object_get(v, "id"))) {
		out = json_pack("{s:O}", "ledger_entry", json_object_get(v, "id"));
		m = json_object_get(v, "recoveries");
		if (out && m && json_object_set_new(out, "recoveries", result_compact(m))) {
			json_decref(out);
			return NULL;
		}
		return out;
	}
	out = json_object();
	json_object_foreach(v, k, m)
		if (!out || json_object_set_new(out, k, result_compact(m))) {
			json_decref(out);
			return NULL;
		}
	return out;
}

/* Undo result_compact in place: each {"ledger_entry": id, …} becomes the entry's body and its other members. */
static int result_expand(struct store *st, json_t **v, struct err *e)
{
	json_t *m, *body = NULL;
	const char *k, *id;
	size_t i;
	int rc = RC_OK;

	if (json_is_array(*v)) {
		for (i = 0; i < json_array_size(*v) && !rc; i++) {
			m = json_incref(json_array_get(*v, i));
			rc = result_expand(st, &m, e);
			if (!rc && json_array_set_new(*v, i, m))
				rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			if (rc)
				json_decref(m);
		}
		return rc;
	}
	if (!json_is_object(*v))
		return RC_OK;
	id = json_string_value(json_object_get(*v, "ledger_entry"));
	if (id) {
		rc = store_fund_entry_get(st, id, &body, e);
		if (rc)
			return rc;
	}
	json_object_foreach(*v, k, m) {
		if (id && strcmp(k, "ledger_entry") == 0)
			continue;
		m = json_incref(m);
		rc = result_expand(st, &m, e);
		if (!rc && json_object_set_new(body ? body : *v, k, m))
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		if (rc) {
			json_decref(m);
			break;
		}
	}
	if (rc) {
		json_decref(body);
		return rc;
	}
	if (body) {
		json_decref(*v);
		*v = body;
	}
	return RC_OK;
}

int funds_key_begin(struct funds_ctx *c, const char *key, json_t *args, char hash[65],
		    json_t **out, struct err *e)
{
	char stored[65], *text;
	int rc;

	*out = NULL;
	c->replayed = 0;
	if (!args)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (!key || !*key || strlen(key) > 600) {
		json_decref(args);
		return err_set(e, RC_INVAL, "invalid_value", "key",
			       "a money operation needs a key of 1 to 600 bytes");
	}
	text = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(args);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	sha256_hex(text, strlen(text), hash);
	free(text);
	rc = store_fund_op_get(c->st, key, stored, out, e);
	if (rc == RC_NOTFOUND) {
		err_clear(e);   /* a new operation */
		return RC_OK;
	}
	if (rc)
		return rc;
	if (sodium_memcmp(stored, hash, 64) != 0) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, RC_CONFLICT, "idempotency_key_reused", "Idempotency-Key",
			       "this key was used for a different money operation");
	}
	rc = result_expand(c->st, out, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	c->replayed = 1;
	return RC_OK;
}

int funds_key_end(struct funds_ctx *c, const char *key, const char hash[65], json_t *result,
		  struct err *e)
{
	json_t *kept = result_compact(result);
	int rc;

	if (!kept)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_fund_op_put(c->st, key, hash, kept, c->now, e);
	json_decref(kept);
	return rc;
}
