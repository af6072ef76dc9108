/* merkle.c - RFC 9162 Merkle tree hashes, the append frontier, and proof generation and verification. */
#include "tlog/merkle.h"

#include <string.h>

#include "core/sha256.h"

void tlog_leaf_hash(const void *data, size_t len, uint8_t out[TLOG_HASH_SIZE])
{
	static const uint8_t prefix = 0x00;
	const struct sha256_part parts[] = {{&prefix, 1}, {data, len}};

	sha256_parts(out, parts, 2);
}

void tlog_node_hash(const uint8_t left[TLOG_HASH_SIZE],
		    const uint8_t right[TLOG_HASH_SIZE], uint8_t out[TLOG_HASH_SIZE])
{
	uint8_t in[1 + 2 * TLOG_HASH_SIZE];

	in[0] = 0x01;
	memcpy(in + 1, left, TLOG_HASH_SIZE);
	memcpy(in + 1 + TLOG_HASH_SIZE, right, TLOG_HASH_SIZE);
	sha256(out, in, sizeof(in));
}

void tlog_empty_root(uint8_t out[TLOG_HASH_SIZE])
{
	sha256(out, NULL, 0);
}

/* Largest power of two strictly below n (n >= 2): the k of RFC 9162 2.1.1. */
static uint64_t merkle_split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static int merkle_is_pow2(uint64_t n)
{
	return n && (n & (n - 1)) == 0;
}

static unsigned merkle_log2(uint64_t n)
{
	unsigned l = 0;

	while (n >>= 1)
		l++;
	return l;
}

/* MTH(D[0:n]) for n >= 1, by the RFC's recursion. */
static void merkle_mth(const uint8_t *leaves, uint64_t n, uint8_t out[TLOG_HASH_SIZE])
{
	uint8_t l[TLOG_HASH_SIZE], r[TLOG_HASH_SIZE];
	uint64_t k;

	if (n == 1) {
		memcpy(out, leaves, TLOG_HASH_SIZE);
		return;
	}
	k = merkle_split(n);
	merkle_mth(leaves, k, l);
	merkle_mth(leaves + k * TLOG_HASH_SIZE, n - k, r);
	tlog_node_hash(l, r, out);
}

void tlog_root_from_leaves(const uint8_t *leaves, uint64_t n, uint8_t out[TLOG_HASH_SIZE])
{
	if (n == 0)
		tlog_empty_root(out);
	else
		merkle_mth(leaves, n, out);
}

/* ---- frontier ---- */

void tlog_frontier_init(struct tlog_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

int tlog_frontier_append(struct tlog_frontier *f, const uint8_t leaf[TLOG_HASH_SIZE],
			 tlog_emit_fn *emit, void *ctx)
{
	uint8_t h[TLOG_HASH_SIZE];
	uint64_t index = f->size;
	unsigned k = 0;
	int rc;

	if (f->size >= TLOG_MAX_SIZE - 1)
		return RC_TOOBIG;
	memcpy(h, leaf, TLOG_HASH_SIZE);
	for (;;) {
		if (emit) {
			rc = emit(ctx, k, index >> k, h);
			if (rc)
				return rc;
		}
		if (!(f->size >> k & 1))
			break;
		/* Bit k set: the subtree at level k is complete; merge upwards. */
		tlog_node_hash(f->hash[k], h, h);
		k++;
	}
	memcpy(f->hash[k], h, TLOG_HASH_SIZE);
	f->size++;
	return RC_OK;
}

void tlog_frontier_root(const struct tlog_frontier *f, uint8_t out[TLOG_HASH_SIZE])
{
	uint8_t r[TLOG_HASH_SIZE];
	unsigned k;
	int have = 0;

	if (f->size == 0) {
		tlog_empty_root(out);
		return;
	}
	/* Fold the subtrees right to left: smallest (rightmost) first. */
	for (k = 0; k < 64; k++) {
		if (!(f->size >> k & 1))
			continue;
		if (!have) {
			memcpy(r, f->hash[k], TLOG_HASH_SIZE);
			have = 1;
		} else {
			tlog_node_hash(f->hash[k], r, r);
		}
	}
	memcpy(out, r, TLOG_HASH_SIZE);
}

int tlog_frontier_load(struct tlog_frontier *f, uint64_t size,
		       tlog_hash_fn *get_hash, void *ctx, struct err *e)
{
	unsigned k;
	int rc;

	tlog_frontier_init(f);
	if (size >= TLOG_MAX_SIZE)
		return err_set(e, RC_INVAL, "invalid_size", "size",
			       "tree size %llu is too large", (unsigned long long)size);
	for (k = 0; k < 64; k++) {
		if (!(size >> k & 1))
			continue;
		rc = get_hash(ctx, k, (size >> k) - 1, f->hash[k]);
		if (rc) {
			tlog_frontier_init(f);
			return err_set(e, rc, "hash_unavailable", NULL,
				       "cannot read the subtree hash at level %u", k);
		}
	}
	f->size = size;
	return RC_OK;
}

/* ---- hashes of stored ranges ---- */

/*
 * MTH(D[lo:hi]) for lo < hi, where the range is one the RFC recursion
 * reaches: complete aligned subtrees are read, others split at k.
 */
static int merkle_range(uint64_t lo, uint64_t hi, tlog_hash_fn *get_hash, void *ctx,
			uint8_t out[TLOG_HASH_SIZE])
{
	uint8_t l[TLOG_HASH_SIZE], r[TLOG_HASH_SIZE];
	uint64_t n = hi - lo, k;
	int rc;

	if (merkle_is_pow2(n) && lo % n == 0)
		return get_hash(ctx, merkle_log2(n), lo / n, out);
	k = merkle_split(n);
	rc = merkle_range(lo, lo + k, get_hash, ctx, l);
	if (rc)
		return rc;
	rc = merkle_range(lo + k, hi, get_hash, ctx, r);
	if (rc)
		return rc;
	tlog_node_hash(l, r, out);
	return RC_OK;
}

int tlog_tree_root(uint64_t size, tlog_hash_fn *get_hash, void *ctx,
		   uint8_t out[TLOG_HASH_SIZE], struct err *e)
{
	int rc;

	if (size >= TLOG_MAX_SIZE)
		return err_set(e, RC_INVAL, "invalid_size", "size",
			       "tree size %llu is too large", (unsigned long long)size);
	if (size == 0) {
		tlog_empty_root(out);
		return RC_OK;
	}
	rc = merkle_range(0, size, get_hash, ctx, out);
	if (rc)
		return err_set(e, rc, "hash_unavailable", NULL,
			       "cannot read the hashes of a tree of size %llu",
			       (unsigned long long)size);
	return RC_OK;
}

/* ---- proof generation ---- */

/* Bit length of n, less one: which hash of a struct tlog_edge holds a range of n leaves. */
static unsigned edge_slot(uint64_t n)
{
	return 63u - (unsigned)__builtin_clzll(n);
}

static int proof_push(struct tlog_proof *p, uint64_t lo, uint64_t hi,
		      tlog_hash_fn *get_hash, void *ctx, struct tlog_edge *edge)
{
	uint64_t n = hi - lo;
	unsigned b = edge_slot(n);
	int rc;

	if (p->n >= TLOG_MAX_PROOF)
		return RC_INTERNAL;
	if (!edge || hi != edge->size || merkle_is_pow2(n))
		return merkle_range(lo, hi, get_hash, ctx, p->hash[p->n++]);
	if (edge->have >> b & 1) {
		memcpy(p->hash[p->n++], edge->hash[b], TLOG_HASH_SIZE);
		return RC_OK;
	}
	rc = merkle_range(lo, hi, get_hash, ctx, p->hash[p->n]);
	if (rc)
		return rc;
	memcpy(edge->hash[b], p->hash[p->n++], TLOG_HASH_SIZE);
	edge->have |= (uint64_t)1 << b;
	return RC_OK;
}

/* PATH(m, D[lo:hi]), appended leaf side first. */
static int merkle_path(uint64_t m, uint64_t lo, uint64_t hi, tlog_hash_fn *get_hash,
		       void *ctx, struct tlog_edge *edge, struct tlog_proof *p)
{
	uint64_t n = hi - lo, k;
	int rc;

	if (n == 1)
		return RC_OK;
	k = merkle_split(n);
	if (m < k) {
		rc = merkle_path(m, lo, lo + k, get_hash, ctx, edge, p);
		return rc ? rc : proof_push(p, lo + k, hi, get_hash, ctx, edge);
	}
	rc = merkle_path(m - k, lo + k, hi, get_hash, ctx, edge, p);
	return rc ? rc : proof_push(p, lo, lo + k, get_hash, ctx, edge);
}

/* SUBPROOF(m, D[lo:hi], b), appended old tree side first. */
static int merkle_subproof(uint64_t m, uint64_t lo, uint64_t hi, int b,
			   tlog_hash_fn *get_hash, void *ctx, struct tlog_edge *edge,
			   struct tlog_proof *p)
{
	uint64_t n = hi - lo, k;
	int rc;

	if (m == n)
		return b ? RC_OK : proof_push(p, lo, hi, get_hash, ctx, edge);
	k = merkle_split(n);
	if (m <= k) {
		rc = merkle_subproof(m, lo, lo + k, b, get_hash, ctx, edge, p);
		return rc ? rc : proof_push(p, lo + k, hi, get_hash, ctx, edge);
	}
	rc = merkle_subproof(m - k, lo + k, hi, 0, get_hash, ctx, edge, p);
	return rc ? rc : proof_push(p, lo, lo + k, get_hash, ctx, edge);
}

/* An edge memo of another size is emptied for this one. */
static void edge_for(struct tlog_edge *edge, uint64_t size)
{
	if (edge && edge->size != size) {
		edge->size = size;
		edge->have = 0;
	}
}

int tlog_prove_inclusion_edge(uint64_t index, uint64_t size, tlog_hash_fn *get_hash,
			      void *ctx, struct tlog_edge *edge, struct tlog_proof *p,
			      struct err *e)
{
	struct tlog_proof tmp;
	int rc;

	if (size >= TLOG_MAX_SIZE || index >= size)
		return err_set(e, RC_INVAL, "invalid_index", "index",
			       "leaf %llu is not in a tree of size %llu",
			       (unsigned long long)index, (unsigned long long)size);
	edge_for(edge, size);
	tmp.n = 0;
	rc = merkle_path(index, 0, size, get_hash, ctx, edge, &tmp);
	if (rc)
		return err_set(e, rc, "hash_unavailable", NULL,
			       "cannot read the hashes for an inclusion proof");
	memcpy(p, &tmp, sizeof(tmp));
	return RC_OK;
}

int tlog_prove_inclusion(uint64_t index, uint64_t size, tlog_hash_fn *get_hash,
			 void *ctx, struct tlog_proof *p, struct err *e)
{
	return tlog_prove_inclusion_edge(index, size, get_hash, ctx, NULL, p, e);
}

int tlog_prove_consistency_edge(uint64_t old_size, uint64_t size, tlog_hash_fn *get_hash,
				void *ctx, struct tlog_edge *edge, struct tlog_proof *p,
				struct err *e)
{
	struct tlog_proof tmp;
	int rc;

	if (size >= TLOG_MAX_SIZE || old_size > size)
		return err_set(e, RC_INVAL, "invalid_size", "old_size",
			       "tree size %llu is not a prefix of size %llu",
			       (unsigned long long)old_size, (unsigned long long)size);
	edge_for(edge, size);
	tmp.n = 0;
	if (old_size > 0 && old_size < size) {
		rc = merkle_subproof(old_size, 0, size, 1, get_hash, ctx, edge, &tmp);
		if (rc)
			return err_set(e, rc, "hash_unavailable", NULL,
				       "cannot read the hashes for a consistency proof");
	}
	memcpy(p, &tmp, sizeof(tmp));
	return RC_OK;
}

int tlog_prove_consistency(uint64_t old_size, uint64_t size, tlog_hash_fn *get_hash,
			   void *ctx, struct tlog_proof *p, struct err *e)
{
	return tlog_prove_consistency_edge(old_size, size, get_hash, ctx, NULL, p, e);
}

/* ---- verification (RFC 9162 2.1.3.2 and 2.1.4.2, step by step) ---- */

static int proof_fail(struct err *e, const char *what)
{
	return err_set(e, RC_INVAL, "invalid_proof", "proof", "%s", what);
}

int tlog_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[TLOG_HASH_SIZE],
			  const struct tlog_proof *p, const uint8_t root[TLOG_HASH_SIZE],
			  struct err *e)
{
	uint8_t r[TLOG_HASH_SIZE];
	uint64_t fn, sn;
	size_t i;

	/* 1. The index must be inside the tree. */
	if (size >= TLOG_MAX_SIZE || index >= size)
		return proof_fail(e, "leaf index is outside the tree");
	if (p->n > TLOG_MAX_PROOF)
		return proof_fail(e, "inclusion proof is too long");
	/* 2, 3. */
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, TLOG_HASH_SIZE);
	/* 4. */
	for (i = 0; i < p->n; i++) {
		if (sn == 0)
			return proof_fail(e, "inclusion proof is too long");
		if ((fn & 1) || fn == sn) {
			tlog_node_hash(p->hash[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			tlog_node_hash(r, p->hash[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	if (sn != 0)
		return proof_fail(e, "inclusion proof is too short");
	if (memcmp(r, root, TLOG_HASH_SIZE) != 0)
		return proof_fail(e, "inclusion proof does not lead to the root");
	return RC_OK;
}

int tlog_verify_consistency(uint64_t old_size, uint64_t size,
			    const uint8_t old_root[TLOG_HASH_SIZE],
			    const uint8_t root[TLOG_HASH_SIZE],
			    const struct tlog_proof *p, struct err *e)
{
	uint8_t fr[TLOG_HASH_SIZE], sr[TLOG_HASH_SIZE], empty[TLOG_HASH_SIZE];
	uint64_t fn, sn;
	size_t i = 0;

	if (size >= TLOG_MAX_SIZE || old_size > size)
		return proof_fail(e, "old tree is larger than the new tree");
	if (p->n > TLOG_MAX_PROOF)
		return proof_fail(e, "consistency proof is too long");
	if (old_size == 0) {
		tlog_empty_root(empty);
		if (p->n != 0 || memcmp(old_root, empty, TLOG_HASH_SIZE) != 0)
			return proof_fail(e, "an empty old tree takes an empty proof and root");
		return RC_OK;
	}
	if (old_size == size) {
		if (p->n != 0)
			return proof_fail(e, "trees of the same size take an empty proof");
		if (memcmp(old_root, root, TLOG_HASH_SIZE) != 0)
			return proof_fail(e, "trees of the same size have different roots");
		return RC_OK;
	}
	/* 1. */
	if (p->n == 0)
		return proof_fail(e, "consistency proof is empty");
	/* 2, 5: with first a power of two the path starts at first_hash. */
	if (merkle_is_pow2(old_size)) {
		memcpy(fr, old_root, TLOG_HASH_SIZE);
	} else {
		memcpy(fr, p->hash[0], TLOG_HASH_SIZE);
		i = 1;
	}
	memcpy(sr, fr, TLOG_HASH_SIZE);
	/* 3. */
	fn = old_size - 1;
	sn = size - 1;
	/* 4. */
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 6. */
	for (; i < p->n; i++) {
		if (sn == 0)
			return proof_fail(e, "consistency proof is too long");
		if ((fn & 1) || fn == sn) {
			tlog_node_hash(p->hash[i], fr, fr);
			tlog_node_hash(p->hash[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			tlog_node_hash(sr, p->hash[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* 7. */
	if (sn != 0)
		return proof_fail(e, "consistency proof is too short");
	if (memcmp(fr, old_root, TLOG_HASH_SIZE) != 0)
		return proof_fail(e, "consistency proof does not lead to the old root");
	if (memcmp(sr, root, TLOG_HASH_SIZE) != 0)
		return proof_fail(e, "consistency proof does not lead to the new root");
	return RC_OK;
}
