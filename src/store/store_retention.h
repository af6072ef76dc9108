/* store_retention.h - legal holds, retention and the shredding register (part of store.h). */
#ifndef DISPUTED_STORE_RETENTION_H
#define DISPUTED_STORE_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_legal_hold_row;

/*
 * A backend's legal holds, retention, shredding. Each member does what the
 * store_* function of its name below says, under the rules in store.h.
 */
struct store_retention_ops {
	int (*legal_hold_insert)(struct store *st, const struct store_legal_hold_row *row,
				 struct err *e);
	int (*legal_hold_get)(struct store *st, const char *id, json_t **out, struct err *e);
	int (*legal_hold_list)(struct store *st, const char *order_id, int active, int64_t after,
			       int limit, json_t **items, int64_t *next, struct err *e);
	int (*legal_hold_lift)(struct store *st, const char *id, const char *by, const char *reason,
			       int64_t now, struct err *e);
	int (*order_held)(struct store *st, const char *order_id, int *held, struct err *e);
	int (*retention_due)(struct store *st, int64_t cutoff, int64_t after, int limit,
			     char (*ids)[ID_MAX], int64_t *last, int *n, int64_t *next,
			     struct err *e);
	int (*body_shred)(struct store *st, const char *kind, const char *id, json_t *body,
			  struct err *e);
	int (*seal_salts_shred)(struct store *st, int64_t seq, const char *salts, struct err *e);
	int (*consumer_live_orders)(struct store *st, const char *consumer_id, int64_t *n,
				    struct err *e);
	int (*blob_cited_elsewhere)(struct store *st, const char *digest_hex, const char *order_id,
				    int *yes, struct err *e);
	int (*purge_mentions)(struct store *st, const char *needle, struct err *e);
	int (*shredding_insert)(struct store *st, const char *id, const char *order_id,
				int64_t created_at, json_t *body, struct err *e);
	int (*blob_shredded)(struct store *st, const char *digest_hex, int *yes, struct err *e);
	int (*shredding_of_order)(struct store *st, const char *order_id, json_t **body,
				  struct err *e);
	int (*shredding_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*shredding_each)(struct store *st, int (*fn)(void *ctx, json_t *body), void *ctx,
			      struct err *e);
	int (*secure_delete)(struct store *st, int on, struct err *e);
	int (*compact)(struct store *st, struct err *e);
};

/* ---- retention: legal holds and the shredding register (store_sqlite_retention.c) ---- */

/* A new legal hold. */
struct store_legal_hold_row {
	const char *id;            /* "lgh_…" */
	const char *order_id;      /* the order it holds */
	const char *dispute_id;    /* the dispute named, or NULL (the hold is then the order's) */
	const char *authority;     /* court, regulator, … */
	const char *reference;     /* the authority's case or document number */
	const char *reason;        /* why, in words */
	const char *created_by;    /* the staff principal's key_/tok_ id */
	int64_t created_at;        /* ms */
};

static inline WARN_UNUSED int store_legal_hold_insert(struct store *st,
						      const struct store_legal_hold_row *row,
						      struct err *e)
{
	return STORE_OPS(st)->retention->legal_hold_insert(st, row, e);
}
/*
 * A hold as served: {"object":"legal_hold","id","order","dispute","authority",
 * "reference","reason","created_by","created_at","lifted_at","lifted_by",
 * "lift_reason"} with times in ms (the caller formats them). RC_NOTFOUND if none.
 */
static inline WARN_UNUSED int store_legal_hold_get(struct store *st, const char *id, json_t **out,
						   struct err *e)
{
	return STORE_OPS(st)->retention->legal_hold_get(st, id, out, e);
}
/*
 * Holds, oldest first, paginated like store_list; `order_id` (may be NULL)
 * narrows to one order, `active` to holds not lifted.
 */
static inline WARN_UNUSED int store_legal_hold_list(struct store *st, const char *order_id,
						    int active, int64_t after, int limit,
						    json_t **items, int64_t *next, struct err *e)
{
	return STORE_OPS(st)->retention->legal_hold_list(st, order_id, active, after, limit, items,
							 next, e);
}
/* Lift a hold. RC_NOTFOUND if none, RC_CONFLICT (code "hold_lifted") if lifted already. */
static inline WARN_UNUSED int store_legal_hold_lift(struct store *st, const char *id,
						    const char *by, const char *reason, int64_t now,
						    struct err *e)
{
	return STORE_OPS(st)->retention->legal_hold_lift(st, id, by, reason, now, e);
}
/* Whether an order is under a hold not lifted (its own or one of its disputes'). */
static inline WARN_UNUSED int store_order_held(struct store *st, const char *order_id, int *held,
					       struct err *e)
{
	return STORE_OPS(st)->retention->order_held(st, order_id, held, e);
}

/*
 * Up to `limit` orders not yet shredded whose last activity (the latest
 * created_at among the order, its logistics events, messages, disputes'
 * events and updates, disclosures and their events) is before `cutoff`,
 * after row `after`, by row: ids into ids[0..*n), their last activity into
 * last[0..*n) (may be NULL); *next is the row to continue after, 0 at the end.
 */
static inline WARN_UNUSED int store_retention_due(struct store *st, int64_t cutoff, int64_t after,
						  int limit, char (*ids)[ID_MAX], int64_t *last,
						  int *n, int64_t *next, struct err *e)
{
	return STORE_OPS(st)->retention->retention_due(st, cutoff, after, limit, ids, last, n, next,
						       e);
}

/*
 * Replace the body of a record of kind `kind` ("order", "logistics",
 * "message", "dispute_event", "disclosure_event", "dispute", "disclosure",
 * "consumer") with its shredded body. RC_NOTFOUND if there is none.
 */
static inline WARN_UNUSED int store_body_shred(struct store *st, const char *kind, const char *id,
					       json_t *body, struct err *e)
{
	return STORE_OPS(st)->retention->body_shred(st, kind, id, body, e);
}
/*
 * Replace a seal's salts (JSON object text) and destroy its secret: the
 * shredded fields' salts are gone.
 */
static inline WARN_UNUSED int store_seal_salts_shred(struct store *st, int64_t seq,
						     const char *salts, struct err *e)
{
	return STORE_OPS(st)->retention->seal_salts_shred(st, seq, salts, e);
}
/* How many of the consumer's orders are not shredded. */
static inline WARN_UNUSED int store_consumer_live_orders(struct store *st, const char *consumer_id,
							 int64_t *n, struct err *e)
{
	return STORE_OPS(st)->retention->consumer_live_orders(st, consumer_id, n, e);
}
/*
 * Whether any record outside the shredded orders (and `order_id`, being
 * shredded now) cites the blob: a merchant, a listing, or a message or
 * dispute of an order not shredded.
 */
static inline WARN_UNUSED int store_blob_cited_elsewhere(struct store *st, const char *digest_hex,
							 const char *order_id, int *yes,
							 struct err *e)
{
	return STORE_OPS(st)->retention->blob_cited_elsewhere(st, digest_hex, order_id, yes, e);
}
/*
 * Forget the copies of a shredded order's text kept outside its records:
 * stored idempotent replies and webhook events (with their deliveries)
 * whose text holds `needle` (an order's or a dispute's id).
 */
static inline WARN_UNUSED int store_purge_mentions(struct store *st, const char *needle,
						   struct err *e)
{
	return STORE_OPS(st)->retention->purge_mentions(st, needle, e);
}

/* Append a shredding to the register (append-only: the schema refuses changes). */
static inline WARN_UNUSED int store_shredding_insert(struct store *st, const char *id,
						     const char *order_id, int64_t created_at,
						     json_t *body, struct err *e)
{
	return STORE_OPS(st)->retention->shredding_insert(st, id, order_id, created_at, body, e);
}
/* Whether the register lists the blob's file (hex digest) as shredded. */
static inline WARN_UNUSED int store_blob_shredded(struct store *st, const char *digest_hex,
						  int *yes, struct err *e)
{
	return STORE_OPS(st)->retention->blob_shredded(st, digest_hex, yes, e);
}
/* The shredding of an order, if it was shredded: *body new, or NULL when it was not. */
static inline WARN_UNUSED int store_shredding_of_order(struct store *st, const char *order_id,
						       json_t **body, struct err *e)
{
	return STORE_OPS(st)->retention->shredding_of_order(st, order_id, body, e);
}
/* One shredding's body by id. RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_shredding_get(struct store *st, const char *id, json_t **body,
						  struct err *e)
{
	return STORE_OPS(st)->retention->shredding_get(st, id, body, e);
}
/* Call `fn` with every shredding's body, oldest first; a non-zero return stops and is returned. */
static inline WARN_UNUSED int store_shredding_each(struct store *st,
						   int (*fn)(void *ctx, json_t *body), void *ctx,
						   struct err *e)
{
	return STORE_OPS(st)->retention->shredding_each(st, fn, ctx, e);
}

/*
 * Shred at the storage level: with `on`, SQLite overwrites deleted and
 * replaced content with zeros (secure_delete). Call outside a transaction.
 */
static inline WARN_UNUSED int store_secure_delete(struct store *st, int on, struct err *e)
{
	return STORE_OPS(st)->retention->secure_delete(st, on, e);
}
/*
 * Leave no old page anywhere in the database's files: checkpoint the WAL
 * into the database and truncate it, rebuild the database without free
 * pages (VACUUM), and checkpoint and truncate again. Call outside a
 * transaction, with no other connection writing.
 */
static inline WARN_UNUSED int store_compact(struct store *st, struct err *e)
{
	return STORE_OPS(st)->retention->compact(st, e);
}

#endif
