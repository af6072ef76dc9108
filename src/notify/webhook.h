/* webhook.h - signed event notifications: the outbox written with each change, and the worker that delivers it. */
#ifndef DISPUTED_WEBHOOK_H
#define DISPUTED_WEBHOOK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/*
 * The platform registers endpoints (URL, event types, a secret made by
 * disputed). Code that changes something calls webhook_emit inside its
 * own store transaction: the event goes into the outbox, with one pending
 * delivery per endpoint that wants it, so an event exists if and only if
 * the change committed. A worker thread POSTs each pending delivery, and
 * retries failures with exponential backoff; the deliveries table is the
 * queue, so deliveries survive restarts. Delivery is at least once: a
 * receiver deduplicates by the event id.
 *
 * Each POST carries:
 *   Content-Type: application/json
 *   Disputed-Event-Id: evt_…
 *   Disputed-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 * where the HMAC key is the endpoint's secret string ("whsec_…") exactly
 * as it was returned at creation, and <body> the exact bytes sent.
 */

/* Event types endpoints may subscribe to, besides "*" (every type). NULL-terminated. */
extern const char *const webhook_event_types[];

/* Longest event type, with its terminator. */
#define WEBHOOK_TYPE_MAX 64

/*
 * True if `type` is well formed: dotted lowercase words of [a-z0-9_], each
 * starting with a letter, at least two of them ("dispute.created"), shorter
 * than WEBHOOK_TYPE_MAX.
 */
int webhook_type_valid(const char *type);

/*
 * Write event `type` about `object` (borrowed; copied into the event) to
 * the outbox, and a delivery due at `now` for every enabled endpoint
 * subscribed to `type` or to "*". Must run inside the caller's open
 * transaction (store_begin); the worker, if one runs, is woken and sends
 * the event once that transaction has ended. The event is
 *   {"id":"evt_…","object":"event","type":TYPE,"created_at":RFC 3339,
 *    "data":{"object":OBJECT}}
 * RC_INVAL if `type` is not well formed or `object` is not an object; a
 * store failure fails the transaction (RC_DB).
 */
int webhook_emit(struct store *st, const char *type, json_t *object, int64_t now,
		 struct err *e) WARN_UNUSED;

/* Longest Disputed-Signature value, with its terminator. */
#define WEBHOOK_SIG_MAX 112

/*
 * Write the Disputed-Signature value "t=<t>,v1=<64 lowercase hex>" of
 * `len` bytes of `body` sent at `t` (unix seconds, >= 0) under `secret`
 * (any length; its bytes are the HMAC key). RC_INVAL if t < 0.
 */
int webhook_sign(const char *secret, int64_t t, const void *body, size_t len,
		 char out[WEBHOOK_SIG_MAX]) WARN_UNUSED;

/* Attempts made before a delivery is given up (failed_at set). */
#define WEBHOOK_MAX_ATTEMPTS 12
/* The wait after the first failure, and the longest wait. */
#define WEBHOOK_BACKOFF_BASE_MS (30 * 1000)
#define WEBHOOK_BACKOFF_MAX_MS (6 * 3600 * 1000)

/*
 * The wait before the next attempt after `failures` failed attempts (>= 1):
 * min(30 s × 2^(failures-1), 6 h), less a jitter of up to a fifth of it
 * taken from `rnd` (any value; a random one in use), so the result lies in
 * [0.8 × base, base] and never passes 6 h.
 */
int64_t webhook_backoff_ms(int failures, uint32_t rnd);

/*
 * How long a worker's claim on a delivery lasts: 60 s. Claiming a due
 * delivery pushes its next_at that far ahead and commits before the POST,
 * so no other worker, on this node or another on the same database, takes
 * it meanwhile; the attempt, once recorded, sets next_at anew. A request
 * (10 s at most by default, 20 s whatever the conf, connect included)
 * starts only while the lease has its whole time and 20 s for recording
 * the outcome left, so a live worker's lease never passes mid-request:
 * each delivery is sent once. A worker that dies mid-request leaves its
 * claims due again when they end: the event may then arrive twice, which
 * is why receivers deduplicate by its id.
 */
#define WEBHOOK_LEASE_MS (60 * 1000)

/* How the delivery worker behaves. */
struct webhook_conf {
	int allow_private;   /* deliver to loopback and private addresses (tests, intranets) */
	int timeout_ms;      /* whole request; 0 means 10 s, at most 20 s */
	int poll_ms;         /* longest sleep between looks at the queue; 0 means 1 s (50 ms on the test clock) */
};

/*
 * Claim the deliveries due by the server clock (clock_now_ms), at most
 * `limit` of them, for WEBHOOK_LEASE_MS; deliver them one at a time and
 * record each result. Claims it did not get to send (the worker stops, or
 * the lease runs short behind slow receivers) it gives back, due at once.
 * The store lock is held only to claim, record and give back, never
 * during an HTTP call. *n (may be NULL) gets the number attempted. Fails
 * only when the store does. Callers may run at once, on one store or on
 * several on the same database (several nodes): each delivery goes to
 * one of them. One slow receiver (up to the timeout) delays the
 * deliveries behind it.
 */
int webhook_run_once(struct store *st, const struct webhook_conf *conf, int limit, int *n,
		     struct err *e) WARN_UNUSED;

/*
 * Start the one delivery worker thread on `st` (which must outlive it);
 * `conf` is copied. RC_CONFLICT if a worker already runs.
 */
int webhook_worker_start(struct store *st, const struct webhook_conf *conf,
			 struct err *e) WARN_UNUSED;

/* Stop the worker: abort a request in flight (its claim is given back) and join the thread. No-op if none runs. */
void webhook_worker_stop(void);

/* Wake the worker to look at the queue now. No-op if none runs. */
void webhook_worker_kick(void);

#endif
