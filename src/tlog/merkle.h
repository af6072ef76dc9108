/* merkle.h - RFC 9162 Merkle tree hashing, a streaming frontier, and inclusion and consistency proofs. */
#ifndef DISPUTED_TLOG_MERKLE_H
#define DISPUTED_TLOG_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * The tree of RFC 9162 section 2.1 (the same as RFC 6962's) over SHA-256:
 * a leaf hashes as H(0x00 || data), an interior node as H(0x01 || left ||
 * right), and the empty tree as H() (SHA-256 of nothing). Hashes are raw
 * 32-byte arrays; base64 belongs to the text formats.
 *
 * "The subtree at (level, index)" is always a complete one: the 2^level
 * leaves [index * 2^level, (index + 1) * 2^level). Level 0 holds the leaf
 * hashes themselves. These are what a log stores (in tiles), and what the
 * proof generators ask for through a tlog_hash_fn.
 *
 * Sizes and indexes are below TLOG_MAX_SIZE (2^63); larger ones are
 * rejected with RC_INVAL, never wrapped.
 */

#define TLOG_HASH_SIZE 32
/* Largest tree size plus one: sizes are at most 2^63 - 1. */
#define TLOG_MAX_SIZE ((uint64_t)1 << 63)
/* Most hashes in any inclusion or consistency proof of such a tree. */
#define TLOG_MAX_PROOF 64

/*
 * A Merkle audit path (inclusion proof) or consistency proof, in RFC 9162
 * order: the hash next to the leaf (or the old tree) first, the one next to
 * the root last. 2 KiB: fine on the stack of a request handler.
 */
struct tlog_proof {
	size_t n;                                     /* hashes in use, at most TLOG_MAX_PROOF */
	uint8_t hash[TLOG_MAX_PROOF][TLOG_HASH_SIZE]; /* the hashes, hash[0] nearest the leaf */
};

/*
 * Write the hash of the complete subtree at (level, index) to `out`.
 * Return RC_OK, or any other result code (RC_NOTFOUND, RC_IO, RC_DB, ...),
 * which the caller passes back unchanged. `ctx` is the caller's.
 */
typedef int tlog_hash_fn(void *ctx, uint64_t level, uint64_t index,
			 uint8_t out[TLOG_HASH_SIZE]);

/* H(0x00 || data). `data` may be NULL when `len` is 0. */
void tlog_leaf_hash(const void *data, size_t len, uint8_t out[TLOG_HASH_SIZE]);

/* H(0x01 || left || right). `out` may alias either input. */
void tlog_node_hash(const uint8_t left[TLOG_HASH_SIZE],
		    const uint8_t right[TLOG_HASH_SIZE], uint8_t out[TLOG_HASH_SIZE]);

/* The root of the empty tree, SHA-256 of nothing. */
void tlog_empty_root(uint8_t out[TLOG_HASH_SIZE]);

/*
 * The root of the tree whose leaf hashes are the `n` consecutive 32-byte
 * hashes at `leaves` (MTH of RFC 9162 2.1.1, computed by its recursive
 * definition; n may be 0). Needs no memory beyond a few frames per level.
 */
void tlog_root_from_leaves(const uint8_t *leaves, uint64_t n,
			   uint8_t out[TLOG_HASH_SIZE]);

/*
 * The frontier (or "compact range") of a growing tree: the roots of the
 * complete subtrees that make up its first `size` leaves, one per set bit of
 * `size`. Appending costs one hash per completed subtree (two on average),
 * and the root is available at any size, in O(log n) memory and time.
 * Initialise with tlog_frontier_init or tlog_frontier_load; it owns no
 * memory, so copying one is a snapshot.
 */
struct tlog_frontier {
	uint64_t size;                        /* leaves appended so far */
	uint8_t hash[64][TLOG_HASH_SIZE];     /* hash[k]: a 2^k-leaf subtree root, if bit k of size is set */
};

/* Start an empty tree. */
void tlog_frontier_init(struct tlog_frontier *f);

/*
 * Called by tlog_frontier_append for each complete subtree the new leaf
 * finishes, lowest level first: the leaf itself at (0, index), then every
 * parent it completes. A non-zero return stops the append and is passed
 * back; the frontier is then left unchanged.
 */
typedef int tlog_emit_fn(void *ctx, uint64_t level, uint64_t index,
			 const uint8_t hash[TLOG_HASH_SIZE]);

/*
 * Append one leaf hash (already H(0x00 || data)). `emit` may be NULL; a
 * sequencer uses it to store the hashes that tiles are built from.
 * Fails with RC_TOOBIG when the tree already holds TLOG_MAX_SIZE - 1
 * leaves, or with what `emit` returned.
 */
int tlog_frontier_append(struct tlog_frontier *f, const uint8_t leaf[TLOG_HASH_SIZE],
			 tlog_emit_fn *emit, void *ctx) WARN_UNUSED;

/* The root of the tree of f->size leaves (tlog_empty_root when empty). */
void tlog_frontier_root(const struct tlog_frontier *f, uint8_t out[TLOG_HASH_SIZE]);

/*
 * Rebuild the frontier of a stored tree of `size` leaves, asking `get_hash`
 * for its at most 64 complete subtrees. On failure `f` is left empty and the
 * callback's result code (or RC_INVAL for a size out of range) is returned.
 */
int tlog_frontier_load(struct tlog_frontier *f, uint64_t size,
		       tlog_hash_fn *get_hash, void *ctx, struct err *e) WARN_UNUSED;

/*
 * The root of a stored tree of `size` leaves (any size, complete or not),
 * from its complete subtrees. Empty trees need no callback.
 */
int tlog_tree_root(uint64_t size, tlog_hash_fn *get_hash, void *ctx,
		   uint8_t out[TLOG_HASH_SIZE], struct err *e) WARN_UNUSED;

/*
 * PATH(index, D[0:size]) of RFC 9162 2.1.3.1, from stored subtree hashes.
 * Fails with RC_INVAL unless index < size < TLOG_MAX_SIZE, or with what
 * `get_hash` returned. `p` is written only on success.
 */
int tlog_prove_inclusion(uint64_t index, uint64_t size, tlog_hash_fn *get_hash,
			 void *ctx, struct tlog_proof *p, struct err *e) WARN_UNUSED;

/*
 * PROOF(old_size, D[0:size]) of RFC 9162 2.1.4.1. Empty when old_size is 0
 * or equal to size. Fails with RC_INVAL unless old_size <= size <
 * TLOG_MAX_SIZE, or with what `get_hash` returned.
 */
int tlog_prove_consistency(uint64_t old_size, uint64_t size, tlog_hash_fn *get_hash,
			   void *ctx, struct tlog_proof *p, struct err *e) WARN_UNUSED;

/*
 * Hashes of a tree's right edge: MTH(D[lo:size]) of the ranges ending at
 * `size` whose length is not a power of two, which every proof against
 * `size` asks for in part. A range is known by the highest set bit of its
 * length, b: hash[b]. The caller owns it; it is only a memo.
 */
struct tlog_edge {
	uint64_t size;                     /* the tree size they belong to; 0: none */
	uint64_t have;                     /* bit b: hash[b] holds the range b */
	uint8_t hash[64][TLOG_HASH_SIZE];
};

/*
 * tlog_prove_inclusion and tlog_prove_consistency taking the right-edge
 * hashes from `edge` when it is of `size` (NULL: none), and adding to it
 * those they compute (it is first emptied when of another size).
 */
int tlog_prove_inclusion_edge(uint64_t index, uint64_t size, tlog_hash_fn *get_hash,
			      void *ctx, struct tlog_edge *edge, struct tlog_proof *p,
			      struct err *e) WARN_UNUSED;
int tlog_prove_consistency_edge(uint64_t old_size, uint64_t size, tlog_hash_fn *get_hash,
				void *ctx, struct tlog_edge *edge, struct tlog_proof *p,
				struct err *e) WARN_UNUSED;

/*
 * RFC 9162 2.1.3.2: does `p` prove the leaf hash `leaf` is at `index` in
 * the tree of `size` leaves with root `root`? RC_OK if so, else RC_INVAL
 * with code "invalid_proof". As in the RFC (and Go's tlog), the size only
 * fixes the shape of the path, so a proof can also verify at another size
 * with the same shape; callers bind the size through a signed checkpoint.
 */
int tlog_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[TLOG_HASH_SIZE],
			  const struct tlog_proof *p, const uint8_t root[TLOG_HASH_SIZE],
			  struct err *e) WARN_UNUSED;

/*
 * RFC 9162 2.1.4.2: does `p` prove the tree of `old_size` leaves with root
 * `old_root` is a prefix of the tree of `size` leaves with root `root`?
 * When old_size equals size the proof must be empty and the roots equal;
 * an empty old tree (old_root must then be the empty root) is a prefix of
 * every tree, with an empty proof. RC_OK if so, else RC_INVAL with code
 * "invalid_proof".
 */
int tlog_verify_consistency(uint64_t old_size, uint64_t size,
			    const uint8_t old_root[TLOG_HASH_SIZE],
			    const uint8_t root[TLOG_HASH_SIZE],
			    const struct tlog_proof *p, struct err *e) WARN_UNUSED;

#endif
