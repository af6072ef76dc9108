/* store_webhooks.h - webhook endpoints, the event outbox and its deliveries (part of store.h). */
#ifndef DISPUTED_STORE_WEBHOOKS_H
#define DISPUTED_STORE_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_attempt;
struct store_delivery;

/*
 * A backend's webhook endpoints and deliveries. Each member does what the
 * store_* function of its name below says, under the rules in store.h.
 */
struct store_webhooks_ops {
	int (*webhook_endpoint_insert)(struct store *st, const char *id, const char *url,
				       const char *events, const char *secret, int64_t now,
				       struct err *e);
	int (*webhook_endpoint_get)(struct store *st, const char *id, json_t **out, struct err *e);
	int (*webhook_endpoint_list)(struct store *st, int64_t after, int limit, json_t **items,
				     int64_t *next, struct err *e);
	int (*webhook_endpoint_disable)(struct store *st, const char *id, int64_t now,
					struct err *e);
	int (*webhook_event_add)(struct store *st, const char *id, const char *type,
				 const char *body, int64_t now, int64_t *deliveries, struct err *e);
	int (*webhook_claim)(struct store *st, int64_t now, int64_t lease_until,
			     struct store_delivery *out, int max, int *n, struct err *e);
	int (*webhook_attempt)(struct store *st, const struct store_attempt *a, struct err *e);
	int (*webhook_release)(struct store *st, const struct store_delivery *d, int64_t now,
			       struct err *e);
};

/* ---- webhooks (store_sqlite_webhooks.c) ---- */

/*
 * Register an endpoint: `events` is the JSON text of its array of event
 * types, `secret` the signing secret (kept as given: it keys the HMAC).
 */
static inline WARN_UNUSED int store_webhook_endpoint_insert(struct store *st, const char *id,
							    const char *url, const char *events,
							    const char *secret, int64_t now,
							    struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_endpoint_insert(st, id, url, events, secret, now,
								e);
}
/*
 * An enabled endpoint as {"id","url","events":[…],"created_at":ms}, without
 * its secret. RC_NOTFOUND if there is none or it was disabled.
 */
static inline WARN_UNUSED int store_webhook_endpoint_get(struct store *st, const char *id,
							 json_t **out, struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_endpoint_get(st, id, out, e);
}
/* Enabled endpoints, oldest first, in the shape above, paginated like store_list. */
static inline WARN_UNUSED int store_webhook_endpoint_list(struct store *st, int64_t after,
							  int limit, json_t **items, int64_t *next,
							  struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_endpoint_list(st, after, limit, items, next, e);
}
/*
 * Disable an endpoint and give up its pending deliveries. RC_NOTFOUND if
 * there is no enabled endpoint `id`.
 */
static inline WARN_UNUSED int store_webhook_endpoint_disable(struct store *st, const char *id,
							     int64_t now, struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_endpoint_disable(st, id, now, e);
}

/*
 * Put event `id` of `type` (body: its JSON text, sent as is) in the outbox,
 * with a delivery due at `now` for each enabled endpoint whose events hold
 * `type` or "*". *deliveries (may be NULL) gets how many were queued.
 */
static inline WARN_UNUSED int store_webhook_event_add(struct store *st, const char *id,
						      const char *type, const char *body,
						      int64_t now, int64_t *deliveries,
						      struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_event_add(st, id, type, body, now, deliveries, e);
}

/*
 * Deliveries are claimed with a lease, so that any number of workers (on
 * one node or several, on one connection or many) send each one once: a
 * claim sets the delivery's next_at to the end of its lease and commits,
 * so no other claim takes it until then; the claimer then sends it and
 * records the attempt, which sets next_at anew. A claimer that dies
 * leaves the delivery to be claimed again once the lease has passed (at
 * least once, after a crash). An attempt or a release only lands while
 * the row still holds the claim it was made under (its attempts count and
 * lease): a claimer whose lease passed and whose delivery was claimed
 * again, delivered or given up meanwhile changes nothing.
 */

/* A claimed delivery with what sending it needs. */
struct store_delivery {
	int64_t seq;                /* the delivery's row */
	char event_id[ID_MAX];      /* evt_… */
	char endpoint_id[ID_MAX];   /* whe_… */
	int attempts;               /* attempts made before this claim */
	int64_t lease_until;        /* the claim's lease: the row's next_at while it holds */
	char *url;                  /* the endpoint's URL (malloc'd) */
	char *secret;               /* its signing secret (malloc'd, wiped on release) */
	char *body;                 /* the event's JSON text (malloc'd) */
};

/* Free the members of a delivery (not the struct), wiping the secret. NULL is a no-op. */
void store_delivery_release(struct store_delivery *d);

/*
 * Claim up to `max` pending deliveries (neither delivered nor given up)
 * due at or before `now`, earliest first, into out[0..*n): each one's
 * next_at becomes `lease_until` (> now), so that no claim before that
 * time takes it again. Run it in a write transaction (store_begin) and
 * commit before sending: the commit is what makes the claim hold. On
 * PostgreSQL rows another transaction has locked are skipped, not waited
 * for. The caller releases each with store_delivery_release.
 */
static inline WARN_UNUSED int store_webhook_claim(struct store *st, int64_t now,
						  int64_t lease_until,
						  struct store_delivery *out, int max, int *n,
						  struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_claim(st, now, lease_until, out, max, n, e);
}

/* The outcome of one attempt at a claimed delivery. */
struct store_attempt {
	int64_t seq;           /* the delivery's row */
	int attempts;          /* attempts made, this one included (the claim's count + 1) */
	int64_t lease_until;   /* the claim's lease (store_delivery.lease_until) */
	int64_t next_at;       /* when to try again; meaningless once delivered or given up */
	int64_t delivered_at;  /* ms, or 0 if not delivered */
	int64_t failed_at;     /* ms when given up, or 0 */
	int status;            /* the receiver's HTTP status, or 0 if there was none */
	const char *error;     /* what went wrong, or NULL */
};

/*
 * Record an attempt made under a claim. RC_NOTFOUND if the delivery is not
 * there; RC_CONFLICT, code "stale_claim", with nothing written, if it no
 * longer holds that claim (pending, with attempts = a->attempts - 1 and
 * next_at = a->lease_until).
 */
static inline WARN_UNUSED int store_webhook_attempt(struct store *st, const struct store_attempt *a,
						    struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_attempt(st, a, e);
}

/*
 * Give back a claim under which nothing was sent (the worker stops, or the
 * lease has too little time left for a request): the delivery is due
 * again at `now`. RC_NOTFOUND and RC_CONFLICT ("stale_claim") as for
 * store_webhook_attempt, with nothing written.
 */
static inline WARN_UNUSED int store_webhook_release(struct store *st,
						    const struct store_delivery *d, int64_t now,
						    struct err *e)
{
	return STORE_OPS(st)->webhooks->webhook_release(st, d, now, e);
}

#endif
