/* store_pg_seals.c - the PostgreSQL side of store_seals.h (seals): not built yet, each member RC_UNSUPPORTED. */
#include "store/store_pg_int.h"

/*
 * Each member below is replaced by its PostgreSQL version, mirroring
 * store_sqlite*.c, when this concern is built; until then the table is
 * full (no NULL member) and every call says what is missing.
 */

static int pgs_seal_add(struct store *st, const struct store_seal *in, int64_t *seq, struct err *e)
{
	(void)in;
	(void)seq;
	(void)st;
	return pg_not_yet("seal_add", e);
}

static int pgs_seal_chain_head(struct store *st, const char *order_id, struct store_seal *out,
			       struct err *e)
{
	(void)order_id;
	(void)out;
	(void)st;
	return pg_not_yet("seal_chain_head", e);
}

static int pgs_seal_chain_each(struct store *st, const char *order_id,
			       int (*fn)(void *ctx, const struct store_seal *s), void *ctx,
			       struct err *e)
{
	(void)order_id;
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("seal_chain_each", e);
}

static int pgs_seal_by_seq(struct store *st, int64_t seq, struct store_seal *out, struct err *e)
{
	(void)seq;
	(void)out;
	(void)st;
	return pg_not_yet("seal_by_seq", e);
}

static int pgs_seal_leaf_hash(struct store *st, const char *kind, const char *record_id,
			      int64_t version, char hash[48], struct err *e)
{
	(void)kind;
	(void)record_id;
	(void)version;
	(void)hash;
	(void)st;
	return pg_not_yet("seal_leaf_hash", e);
}

static int pgs_seal_chain_tip(struct store *st, const char *order_id, int64_t *chain_seq,
			      char hash[48], struct err *e)
{
	(void)order_id;
	(void)chain_seq;
	(void)hash;
	(void)st;
	return pg_not_yet("seal_chain_tip", e);
}

static int pgs_seal_get(struct store *st, const char *kind, const char *record_id, int64_t version,
			struct store_seal *out, struct err *e)
{
	(void)kind;
	(void)record_id;
	(void)version;
	(void)out;
	(void)st;
	return pg_not_yet("seal_get", e);
}

static int pgs_seal_pending(struct store *st, int limit, int64_t *seqs, int *n, struct err *e)
{
	(void)limit;
	(void)seqs;
	(void)n;
	(void)st;
	return pg_not_yet("seal_pending", e);
}

static int pgs_seal_pending_before(struct store *st, int64_t before, int limit, int64_t *seqs,
				   int *n, struct err *e)
{
	(void)before;
	(void)limit;
	(void)seqs;
	(void)n;
	(void)st;
	return pg_not_yet("seal_pending_before", e);
}

static int pgs_seal_unrecorded(struct store *st, int64_t from, int64_t size, int64_t *idx, int cap,
			       int *n, struct err *e)
{
	(void)from;
	(void)size;
	(void)idx;
	(void)cap;
	(void)n;
	(void)st;
	return pg_not_yet("seal_unrecorded", e);
}

static int pgs_seal_pending_by_hash(struct store *st, const char *leaf_hash, int64_t *seq,
				    struct err *e)
{
	(void)leaf_hash;
	(void)seq;
	(void)st;
	return pg_not_yet("seal_pending_by_hash", e);
}

static int pgs_seal_set_index(struct store *st, int64_t seq, int64_t leaf_index, struct err *e)
{
	(void)seq;
	(void)leaf_index;
	(void)st;
	return pg_not_yet("seal_set_index", e);
}

static int pgs_seal_each(struct store *st, int (*fn)(void *ctx, const struct store_seal *s),
			 void *ctx, struct err *e)
{
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("seal_each", e);
}

static int pgs_record_each(struct store *st, int (*fn)(void *ctx, const struct store_record_ref *r),
			   void *ctx, struct err *e)
{
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("record_each", e);
}

static int pgs_checkpoint_add(struct store *st, int64_t size, const char *root_b64,
			      const char *note, int64_t now, struct err *e)
{
	(void)size;
	(void)root_b64;
	(void)note;
	(void)now;
	(void)st;
	return pg_not_yet("checkpoint_add", e);
}

static int pgs_checkpoint_each(struct store *st,
			       int (*fn)(void *ctx, int64_t size, const char *root,
					 const char *note),
			       void *ctx, struct err *e)
{
	(void)fn;
	(void)ctx;
	(void)st;
	return pg_not_yet("checkpoint_each", e);
}

const struct store_seals_ops pg_seals_ops = {
	.seal_add = pgs_seal_add,
	.seal_chain_head = pgs_seal_chain_head,
	.seal_chain_each = pgs_seal_chain_each,
	.seal_by_seq = pgs_seal_by_seq,
	.seal_leaf_hash = pgs_seal_leaf_hash,
	.seal_chain_tip = pgs_seal_chain_tip,
	.seal_get = pgs_seal_get,
	.seal_pending = pgs_seal_pending,
	.seal_pending_before = pgs_seal_pending_before,
	.seal_unrecorded = pgs_seal_unrecorded,
	.seal_pending_by_hash = pgs_seal_pending_by_hash,
	.seal_set_index = pgs_seal_set_index,
	.seal_each = pgs_seal_each,
	.record_each = pgs_record_each,
	.checkpoint_add = pgs_checkpoint_add,
	.checkpoint_each = pgs_checkpoint_each,
};
