/* store_seals.h - evidence seals, the walk over every record, checkpoints (part of store.h). */
#ifndef DISPUTED_STORE_SEALS_H
#define DISPUTED_STORE_SEALS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_record_ref;
struct store_seal;

/*
 * A backend's seals, the record walk, checkpoints. Each member does what
 * the store_* function of its name below says, under the rules in store.h.
 */
struct store_seals_ops {
	int (*seal_add)(struct store *st, const struct store_seal *in, int64_t *seq, struct err *e);
	int (*seal_chain_head)(struct store *st, const char *order_id, struct store_seal *out,
			       struct err *e);
	int (*seal_chain_each)(struct store *st, const char *order_id,
			       int (*fn)(void *ctx, const struct store_seal *s), void *ctx,
			       struct err *e);
	int (*seal_by_seq)(struct store *st, int64_t seq, struct store_seal *out, struct err *e);
	int (*seal_leaf_hash)(struct store *st, const char *kind, const char *record_id,
			      int64_t version, char hash[48], struct err *e);
	int (*seal_chain_tip)(struct store *st, const char *order_id, int64_t *chain_seq,
			      char hash[48], struct err *e);
	int (*seal_get)(struct store *st, const char *kind, const char *record_id, int64_t version,
			struct store_seal *out, struct err *e);
	int (*seal_pending)(struct store *st, int limit, int64_t *seqs, int *n, struct err *e);
	int (*seal_pending_before)(struct store *st, int64_t before, int limit, int64_t *seqs,
				   int *n, struct err *e);
	int (*seal_unrecorded)(struct store *st, int64_t from, int64_t size, int64_t *idx, int cap,
			       int *n, struct err *e);
	int (*seal_pending_by_hash)(struct store *st, const char *leaf_hash, int64_t *seq,
				    struct err *e);
	int (*seal_set_index)(struct store *st, int64_t seq, int64_t leaf_index, struct err *e);
	int (*seals_by_seq)(struct store *st, const int64_t *seqs, size_t n,
			    struct store_seal *out, uint8_t *found, struct err *e);
	int (*seal_set_indexes)(struct store *st, const int64_t *seqs, const int64_t *idx,
				size_t n, struct err *e);
	int (*seal_each)(struct store *st, int (*fn)(void *ctx, const struct store_seal *s),
			 void *ctx, struct err *e);
	int (*record_each)(struct store *st, int (*fn)(void *ctx, const struct store_record_ref *r),
			   void *ctx, struct err *e);
	int (*checkpoint_add)(struct store *st, int64_t size, const char *root_b64,
			      const char *note, int64_t now, struct err *e);
	int (*checkpoint_each)(struct store *st,
			       int (*fn)(void *ctx, int64_t size, const char *root, const char *note),
			       void *ctx, struct err *e);
};

/* ---- evidence seals ---- */

/* The most seals store_seals_by_seq and store_seal_set_indexes take at once. */
#define STORE_SEALS_BATCH_MAX 4096

/* One record's sealed leaf. */
struct store_seal {
	int64_t seq;              /* row number */
	char kind[24];            /* leaf type: merchant, listing, order, payment, … */
	char record_id[80];       /* the record's id */
	int64_t version;          /* listings: the version; merchants: store_merchant_seal_version;
				     else 0 */
	unsigned char *leaf;      /* the leaf's bytes (malloc'd; never NULL once read) */
	size_t leaf_len;          /* 0 once the log holds the leaf (store_seal_set_index) */
	char leaf_hash[48];       /* base64 of the RFC 9162 leaf hash */
	char *salts;              /* JSON object name -> base64 salt (malloc'd); "" when the
				     salts derive from `secret` */
	uint8_t secret[32];       /* the record's salt secret (leaf.h), when has_secret */
	int has_secret;           /* 0 for seals made before secrets, and shredded ones */
	int64_t leaf_index;       /* -1 until integrated into the log */
	int64_t created_at;
	char chain_order[80];     /* the order whose chain holds the leaf; "" for none */
	int64_t chain_seq;        /* its place in that chain; -1 for none */
};

/* Free the members of a seal (not the struct). NULL is a no-op. */
void store_seal_release(struct store_seal *s);

/*
 * Record a new leaf, not yet in the log: kind, record_id, version, leaf,
 * leaf_len, leaf_hash, salts (NULL for ""), secret (when has_secret),
 * created_at, chain_order and chain_seq of `in` are kept (seq and
 * leaf_index are not read). A second leaf at the same
 * place of one order's chain is RC_CONFLICT. *seq gets its row number.
 */
static inline WARN_UNUSED int store_seal_add(struct store *st, const struct store_seal *in,
					     int64_t *seq, struct err *e)
{
	return STORE_OPS(st)->seals->seal_add(st, in, seq, e);
}

/* The last seal of an order's chain (the highest chain_seq). RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_seal_chain_head(struct store *st, const char *order_id,
						    struct store_seal *out, struct err *e)
{
	return STORE_OPS(st)->seals->seal_chain_head(st, order_id, out, e);
}

/*
 * Call `fn` for every seal of an order's chain, in chain order; stops at
 * the first non-zero return of `fn`, which is returned.
 */
static inline WARN_UNUSED int store_seal_chain_each(struct store *st, const char *order_id,
						    int (*fn)(void *ctx, const struct store_seal *s),
						    void *ctx, struct err *e)
{
	return STORE_OPS(st)->seals->seal_chain_each(st, order_id, fn, ctx, e);
}

/* The seal of row `seq`. RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_seal_by_seq(struct store *st, int64_t seq,
						struct store_seal *out, struct err *e)
{
	return STORE_OPS(st)->seals->seal_by_seq(st, seq, out, e);
}

/*
 * Only the leaf hash of a record's seal (store_seal_get's key) into
 * `hash`: what an order's leaf links, without reading the row's leaf.
 */
static inline WARN_UNUSED int store_seal_leaf_hash(struct store *st, const char *kind,
						   const char *record_id, int64_t version,
						   char hash[48], struct err *e)
{
	return STORE_OPS(st)->seals->seal_leaf_hash(st, kind, record_id, version, hash, e);
}

/* Only the chain_seq and leaf hash of an order's chain head (store_seal_chain_head). */
static inline WARN_UNUSED int store_seal_chain_tip(struct store *st, const char *order_id,
						   int64_t *chain_seq, char hash[48], struct err *e)
{
	return STORE_OPS(st)->seals->seal_chain_tip(st, order_id, chain_seq, hash, e);
}

/* The seal of a record (version 0 for all but listings). RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_seal_get(struct store *st, const char *kind,
					     const char *record_id, int64_t version,
					     struct store_seal *out, struct err *e)
{
	return STORE_OPS(st)->seals->seal_get(st, kind, record_id, version, out, e);
}

/* Row numbers of up to `limit` seals not yet in the log, oldest first. */
static inline WARN_UNUSED int store_seal_pending(struct store *st, int limit, int64_t *seqs, int *n,
						 struct err *e)
{
	return STORE_OPS(st)->seals->seal_pending(st, limit, seqs, n, e);
}

/* As store_seal_pending, only of the seals whose row was made before `before` (ms). */
static inline WARN_UNUSED int store_seal_pending_before(struct store *st, int64_t before, int limit,
							int64_t *seqs, int *n, struct err *e)
{
	return STORE_OPS(st)->seals->seal_pending_before(st, before, limit, seqs, n, e);
}

/*
 * The leaf indexes in [from, size) that no seal holds, smallest first: up
 * to `cap` of them into idx, their number into *n.
 */
static inline WARN_UNUSED int store_seal_unrecorded(struct store *st, int64_t from, int64_t size,
						    int64_t *idx, int cap, int *n, struct err *e)
{
	return STORE_OPS(st)->seals->seal_unrecorded(st, from, size, idx, cap, n, e);
}

/* The row of the pending seal whose leaf hash (base64) is `leaf_hash`. RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_seal_pending_by_hash(struct store *st, const char *leaf_hash,
							 int64_t *seq, struct err *e)
{
	return STORE_OPS(st)->seals->seal_pending_by_hash(st, leaf_hash, seq, e);
}

/*
 * The seals of rows seqs[0..n) at once (the sequencer's round reads all
 * it claimed with one statement on PostgreSQL): out[i] and found[i] for
 * seqs[i], in the order of seqs; a seq with no row leaves out[i] zeroed
 * and found[i] 0, and a seq given twice gets two copies. The caller
 * releases each out[i] (store_seal_release; a zeroed one is a no-op). On
 * error nothing is left to release. n ≤ STORE_SEALS_BATCH_MAX, else
 * RC_INVAL; n = 0 reads nothing.
 */
static inline WARN_UNUSED int store_seals_by_seq(struct store *st, const int64_t *seqs, size_t n,
						 struct store_seal *out, uint8_t *found,
						 struct err *e)
{
	return STORE_OPS(st)->seals->seals_by_seq(st, seqs, n, out, found, e);
}

/*
 * Note where the log put a seal's leaf, and forget the seal's copy of the
 * leaf's bytes: from now on the log's entry is the one copy (seal.h,
 * seal_leaf). Call only once the log holds the leaf durably. Recording
 * the index a seal has already is a no-op; an index another seal holds,
 * or a seal the log holds at another index, is RC_CONFLICT; no seal of
 * that row is RC_NOTFOUND. Refused, it writes nothing.
 */
static inline WARN_UNUSED int store_seal_set_index(struct store *st, int64_t seq,
						   int64_t leaf_index, struct err *e)
{
	return STORE_OPS(st)->seals->seal_set_index(st, seq, leaf_index, e);
}

/*
 * store_seal_set_index for seals seqs[0..n) at idx[0..n), all or none
 * (one statement on PostgreSQL). Refused as store_seal_set_index refuses
 * one, where a seq given twice at two indexes, or two seqs at one index,
 * is RC_CONFLICT too; the error names the first offending seq of `seqs`,
 * and nothing is written. n ≤ STORE_SEALS_BATCH_MAX, else RC_INVAL.
 */
static inline WARN_UNUSED int store_seal_set_indexes(struct store *st, const int64_t *seqs,
						     const int64_t *idx, size_t n, struct err *e)
{
	return STORE_OPS(st)->seals->seal_set_indexes(st, seqs, idx, n, e);
}

/*
 * Call `fn` for every seal in leaf index order (pending ones last); stops
 * at the first non-zero return of `fn`, which is returned.
 */
static inline WARN_UNUSED int store_seal_each(struct store *st,
					      int (*fn)(void *ctx, const struct store_seal *s),
					      void *ctx, struct err *e)
{
	return STORE_OPS(st)->seals->seal_each(st, fn, ctx, e);
}

/* One stored record as an audit walks it (store_record_each). */
struct store_record_ref {
	const char *kind;         /* merchant, listing, order, logistics, message, disclosure_event,
				     dispute_event, dispute, consumer_flag_event, blob,
				     shredding */
	const char *id;           /* its id ("sha256:<hex>" for a blob) */
	int64_t version;          /* listings: the version; merchants: their seal's
				     (store_merchant_seal_version); else 0 */
	json_t *body;             /* the stored body; NULL if it is not JSON */
	json_t *links;            /* the row's columns that link it to other records, as
				     stored: merchant_id, consumer_id, order_id, dispute_id,
				     state, and for an order "items": [{listing_id,
				     listing_version}] */
};

/*
 * Call `fn` for every stored record, kind by kind (merchants, each of
 * their versions, listings, orders, logistics events, messages, dispute
 * events, disputes, blobs, the shredding register's entries),
 * each kind in the order it was stored; members of `r` live until `fn`
 * returns. Stops at the first non-zero return of `fn`, which is returned.
 */
static inline WARN_UNUSED int store_record_each(struct store *st,
						int (*fn)(void *ctx, const struct store_record_ref *r),
						void *ctx, struct err *e)
{
	return STORE_OPS(st)->seals->record_each(st, fn, ctx, e);
}

/* Keep a signed checkpoint (idempotent by size). */
static inline WARN_UNUSED int store_checkpoint_add(struct store *st, int64_t size,
						   const char *root_b64, const char *note,
						   int64_t now, struct err *e)
{
	return STORE_OPS(st)->seals->checkpoint_add(st, size, root_b64, note, now, e);
}
/* Call `fn` for every kept checkpoint, smallest first. */
static inline WARN_UNUSED int store_checkpoint_each(struct store *st,
						    int (*fn)(void *ctx, int64_t size, const char *root, const char *note),
						    void *ctx, struct err *e)
{
	return STORE_OPS(st)->seals->checkpoint_each(st, fn, ctx, e);
}

#endif
