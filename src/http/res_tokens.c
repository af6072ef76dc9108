/* res_tokens.c - POST /v1/tokens mints short-lived tokens for the platform's users; DELETE revokes one. */
#include "http/http_int.h"

#include <sodium.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"

int res_token_create(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"role", "subject", "ttl_seconds", NULL};
	/* the platform's users: its parties and its staff */
	static const int token_roles[] = {ACTOR_CONSUMER, ACTOR_MERCHANT, ACTOR_AGENT, ACTOR_COURT,
					  ACTOR_ASSOCIATION};
	const char *roles[sizeof(token_roles) / sizeof(token_roles[0]) + 1];
	const char *role = NULL, *subject = NULL;
	json_t *in = NULL, *rec = NULL, *reply;
	char id[ID_MAX], token[TOKEN_MAX], hash[65], subj[256];
	int64_t ttl = 3600, expires;
	int rc;

	vocab_subset(actor_role_names, token_roles, sizeof(token_roles) / sizeof(token_roles[0]),
		     roles);
	rc = http_body_json(r, &in, e);
	if (rc)
		return rc;
	if ((rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_enum(in, "role", "role", 1, roles, &role, e)) ||
	    (rc = jx_str(in, "subject", "subject", 1, 200, &subject, e)) ||
	    (rc = jx_int(in, "ttl_seconds", "ttl_seconds", 0, 1, 2592000, &ttl, e)))
		goto out;
	snprintf(subj, sizeof(subj), "%s", subject);
	/* consumers and merchants are records; staff, courts and associations are named */
	if (vocab_find(actor_role_names, role) == ACTOR_CONSUMER ||
	    vocab_find(actor_role_names, role) == ACTOR_MERCHANT) {
		enum store_kind kind = vocab_find(actor_role_names, role) == ACTOR_CONSUMER
					       ? STORE_CONSUMER
					       : STORE_MERCHANT;
		struct err ignore;

		if (store_get(r->srv->st, kind, subject, &rec, &ignore)) {
			rc = err_set(e, RC_INVAL, "resource_missing", "subject",
				     "no %s %s", role, subject);
			goto out;
		}
		snprintf(subj, sizeof(subj), "%s", json_string_value(json_object_get(rec, "id")));
	}
	id_new(id, "tok");
	token_new(token, "dtk");
	token_hash(token, hash);
	expires = r->now + ttl * 1000;
	rc = store_token_insert(r->srv->st, id, role, subj, hash, r->who.id, r->now, expires, e);
	if (rc)
		goto out;
	reply = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "object", "token", "id", id,
			  "role", role, "subject", subj, "token", token, "expires_at",
			  jx_time_json(expires), "created_at", jx_time_json(r->now));
	sodium_memzero(token, sizeof(token));
	rc = http_reply_json(r, 201, reply);
	/* shown once: an Idempotency-Key replay gets a 409, not the token */
	snprintf(r->secret_of, sizeof(r->secret_of), "%s", id);
out:
	json_decref(in);
	json_decref(rec);
	return rc;
}

int res_token_revoke(struct http_req *r, struct err *e)
{
	int rc = store_token_revoke(r->srv->st, r->params[0], r->now, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no token %s", r->params[0]);
	if (rc && rc != RC_CONFLICT)
		return rc;
	err_clear(e);
	return http_reply_json(r, 200, json_pack("{s:s, s:s, s:b}", "object", "token", "id",
						 r->params[0], "revoked", 1));
}

/*
 * GET /v1/whoami: the caller's own credential, so a page signed in by a
 * token knows whose home to open. It names only what the caller presented
 * (its role, its subject, its expiry), never anyone else's data.
 */
int res_whoami(struct http_req *r, struct err *e)
{
	json_t *reply;

	(void)e;
	reply = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "object", "principal", "id", r->who.id,
			  "via", r->who.via, "role", r->who.role, "subject", r->who.subject,
			  "expires_at",
			  r->who.expires_at ? jx_time_json(r->who.expires_at) : json_null());
	return http_reply_json(r, 200, reply);
}
