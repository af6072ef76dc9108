/* store_access.h - API keys, minted tokens, idempotency keys, the audit log (part of store.h). */
#ifndef DISPUTED_STORE_ACCESS_H
#define DISPUTED_STORE_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct principal;

/*
 * A backend's API keys, tokens, idempotency keys, the audit log. Each
 * member does what the store_* function of its name below says, under the
 * rules in store.h.
 */
struct store_access_ops {
	int (*key_insert)(struct store *st, const char *id, const char *role, const char *name,
			  const char *hash, int64_t now, struct err *e);
	int (*key_list)(struct store *st, json_t **out, struct err *e);
	int (*key_revoke)(struct store *st, const char *id, int64_t now, struct err *e);
	int (*token_insert)(struct store *st, const char *id, const char *role, const char *subject,
			    const char *hash, const char *created_by, int64_t now,
			    int64_t expires_at, struct err *e);
	int (*token_revoke)(struct store *st, const char *id, int64_t now, struct err *e);
	int (*auth_lookup)(struct store *st, const char *hash, int64_t now, struct principal *out,
			   struct err *e);
	int (*idem_get)(struct store *st, const char *principal, const char *key, char hash[65],
			int *status, char **response, struct err *e);
	int (*idem_put)(struct store *st, const char *principal, const char *key, const char *hash,
			int status, const char *response, int64_t now, struct err *e);
	int (*idem_purge)(struct store *st, int64_t before, struct err *e);
	int (*audit_add)(struct store *st, int64_t now, const struct principal *actor,
			 const char *object_id, const char *fields, const char *route,
			 struct err *e);
	int (*audit_list)(struct store *st, int64_t after, int limit, json_t **items, int64_t *next,
			  struct err *e);
};

/* ---- API keys and minted tokens ---- */

/* Who made a request, as found from its bearer token. */
struct principal {
	char via[8];          /* "key" (an API key) or "token" (a minted token) */
	char id[ID_MAX];      /* key_… or tok_… */
	char role[16];        /* platform, agent, consumer, merchant, court, … */
	char subject[256];    /* cus_/mer_ id, agent or key name */
	int64_t expires_at;   /* ms; 0 for API keys */
};

static inline WARN_UNUSED int store_key_insert(struct store *st, const char *id, const char *role,
					       const char *name, const char *hash, int64_t now,
					       struct err *e)
{
	return STORE_OPS(st)->access->key_insert(st, id, role, name, hash, now, e);
}
/* An array of {"id","role","name","created_at","revoked_at"}. */
static inline WARN_UNUSED int store_key_list(struct store *st, json_t **out, struct err *e)
{
	return STORE_OPS(st)->access->key_list(st, out, e);
}
/*
 * Revoke the key and every token it minted (tokens.created_by), at once.
 * RC_NOTFOUND if no such key, RC_CONFLICT if already revoked.
 */
static inline WARN_UNUSED int store_key_revoke(struct store *st, const char *id, int64_t now,
					       struct err *e)
{
	return STORE_OPS(st)->access->key_revoke(st, id, now, e);
}

static inline WARN_UNUSED int store_token_insert(struct store *st, const char *id, const char *role,
						 const char *subject, const char *hash,
						 const char *created_by, int64_t now,
						 int64_t expires_at, struct err *e)
{
	return STORE_OPS(st)->access->token_insert(st, id, role, subject, hash, created_by, now,
						   expires_at, e);
}
static inline WARN_UNUSED int store_token_revoke(struct store *st, const char *id, int64_t now,
						 struct err *e)
{
	return STORE_OPS(st)->access->token_revoke(st, id, now, e);
}

/*
 * Find the live key or token whose SHA-256 hex is `hash`. RC_UNAUTH when
 * there is none, or it was revoked or has expired by `now`.
 */
static inline WARN_UNUSED int store_auth_lookup(struct store *st, const char *hash, int64_t now,
						struct principal *out, struct err *e)
{
	return STORE_OPS(st)->access->auth_lookup(st, hash, now, out, e);
}

/* ---- idempotency and audit ---- */

/*
 * Look up a stored response for (principal, key). RC_NOTFOUND if none;
 * otherwise *hash (the request's hash, 65 bytes), *status and *response
 * (malloc'd) are set.
 */
static inline WARN_UNUSED int store_idem_get(struct store *st, const char *principal,
					     const char *key, char hash[65], int *status,
					     char **response, struct err *e)
{
	return STORE_OPS(st)->access->idem_get(st, principal, key, hash, status, response, e);
}
/*
 * Store the reply to (principal, key). `principal` is the caller's key_ or
 * tok_ id, never a secret; `response` must hold no secret either (the
 * caller's job: see idem_put_secret in http/server.c).
 */
static inline WARN_UNUSED int store_idem_put(struct store *st, const char *principal,
					     const char *key, const char *hash, int status,
					     const char *response, int64_t now, struct err *e)
{
	return STORE_OPS(st)->access->idem_put(st, principal, key, hash, status, response, now, e);
}
/* Forget every stored reply created before `before` (ms). */
static inline WARN_UNUSED int store_idem_purge(struct store *st, int64_t before, struct err *e)
{
	return STORE_OPS(st)->access->idem_purge(st, before, e);
}

/* Record that `actor` was shown personal `fields` (comma-separated) of `object_id`. */
static inline WARN_UNUSED int store_audit_add(struct store *st, int64_t now,
					      const struct principal *actor, const char *object_id,
					      const char *fields, const char *route, struct err *e)
{
	return STORE_OPS(st)->access->audit_add(st, now, actor, object_id, fields, route, e);
}
/* Audit entries, oldest first, paginated like store_list. */
static inline WARN_UNUSED int store_audit_list(struct store *st, int64_t after, int limit,
					       json_t **items, int64_t *next, struct err *e)
{
	return STORE_OPS(st)->access->audit_list(st, after, limit, items, next, e);
}

#endif
