/* log_audit.c - check a stored log against itself: bundles against leaf hashes, tiles against the level below, partial files and packs against their tiles, the root against the checkpoint. */
#include "tlog/log_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/problems.h"
#include "tlog/checkpoint.h"

struct audit_level {
	uint8_t stored[TLOG_TILE_WIDTH * TLOG_HASH_SIZE]; /* the tile as stored */
	uint8_t below[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];  /* the same recomputed from below */
	uint8_t bad[TLOG_TILE_WIDTH];                     /* that child tile is itself wrong */
};

struct audit {
	struct tlog_log *l;
	uint64_t size;                 /* the checkpoint's size */
	uint8_t root[TLOG_HASH_SIZE];  /* and root */
	int root_ok;                   /* the stored tiles hash to that root */
	struct problems found;         /* what it found, reported as it goes */
	struct buf bundle;             /* the bundle being read */
	struct buf part;               /* the partial file being read */
	uint8_t packed[LOG_TILE_BYTES]; /* a full level-0 tile as its pack holds it */
	struct audit_level lv[LOG_LEVELS];
};

static void tile_name(int level, uint64_t index, unsigned width, char out[TLOG_TILE_PATH_MAX])
{
	struct tlog_tile t = {level, index, width};

	if (tlog_tile_path(&t, out) != RC_OK)
		snprintf(out, TLOG_TILE_PATH_MAX, "tile/%d/?", level);
}

/* tlog_hash_fn straight from the tile files, past the cache: what is on disk now. */
static int audit_hash(void *ctx, uint64_t level, uint64_t index, uint8_t out[TLOG_HASH_SIZE])
{
	struct audit *a = ctx;
	uint8_t data[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];
	struct tlog_tile t;
	unsigned first, count, width;
	size_t len;
	int rc;

	tlog_tile_for_hash(level, index, &t, &first, &count);
	rc = log_tile_read(a->l, t.level, t.index, a->size, data, sizeof(data), &width, &len,
			   NULL);
	if (rc)
		return rc;
	t.width = width;
	return tlog_tile_hash(&t, data, len, level, index, out);
}

/* The leaf hashes of bundle `index` (width `width`) into `out`; 0 if it cannot be used. */
static int audit_bundle(struct audit *a, uint64_t index, unsigned width, uint8_t *out)
{
	char path[TLOG_TILE_PATH_MAX];
	const uint8_t *p, *ent;
	struct err e;
	size_t left, elen;
	unsigned got, n = 0;
	int rc;

	buf_clear(&a->bundle);
	err_clear(&e);
	rc = log_bundle_read(a->l, index, a->size, &a->bundle, &got, &e);
	tile_name(TLOG_TILE_ENTRIES, index, rc ? width : got, path);
	if (rc) {
		problems_add(&a->found, path, "%s", e.message);
		return 0;
	}
	p = (const uint8_t *)a->bundle.data;
	left = a->bundle.len;
	while ((rc = tlog_bundle_next(&p, &left, &ent, &elen)) == RC_OK) {
		if (n < width)
			tlog_leaf_hash(ent, elen, out + (size_t)n * TLOG_HASH_SIZE);
		n++;
	}
	if (rc != RC_NOTFOUND) {
		problems_add(&a->found, path, "the bundle is truncated after %u entries", n);
		return 0;
	}
	if (n != got) {
		problems_add(&a->found, path, "the bundle holds %u entries, not %u", n, got);
		return 0;
	}
	return 1;
}

/* The first of `n` hashes at which `got` and `want` differ, and how many do. */
static unsigned hashes_differ(const uint8_t *got, const uint8_t *want, unsigned n, unsigned *first)
{
	unsigned i, differ = 0;

	for (i = 0; i < n; i++)
		if (memcmp(got + (size_t)i * TLOG_HASH_SIZE, want + (size_t)i * TLOG_HASH_SIZE,
			   TLOG_HASH_SIZE) != 0 && !differ++)
			*first = i;
	return differ;
}

/* Partial hash tile `path` of width w: the first w of `ref`, byte for byte. */
static void audit_partial_tile(struct audit *a, const char *path, unsigned w, const uint8_t *ref,
			       const char *main)
{
	unsigned first = 0, differ;

	if (a->part.len != (size_t)w * TLOG_HASH_SIZE) {
		problems_add(&a->found, path, "%s has %zu bytes, not %zu", path, a->part.len,
			     (size_t)w * TLOG_HASH_SIZE);
		return;
	}
	differ = hashes_differ((const uint8_t *)a->part.data, ref, w, &first);
	if (differ)
		problems_add(&a->found, path,
			     "hash %u is not the tree's (in %s) (%u of %u hashes differ)", first,
			     main, differ, w);
}

/* Partial entry bundle `path` of width w: w entries whose leaf hashes are the first w of `ref`. */
static void audit_partial_bundle(struct audit *a, const char *path, uint64_t index, unsigned w,
				 const uint8_t *ref)
{
	uint8_t leaf[TLOG_HASH_SIZE];
	const uint8_t *p = (const uint8_t *)a->part.data, *ent;
	size_t left = a->part.len, elen;
	unsigned n = 0, differ = 0, first = 0;
	int rc;

	while ((rc = tlog_bundle_next(&p, &left, &ent, &elen)) == RC_OK) {
		if (n < w) {
			tlog_leaf_hash(ent, elen, leaf);
			if (memcmp(leaf, ref + (size_t)n * TLOG_HASH_SIZE, TLOG_HASH_SIZE) != 0 &&
			    !differ++)
				first = n;
		}
		n++;
	}
	if (rc != RC_NOTFOUND)
		problems_add(&a->found, path, "the bundle is truncated after %u entries", n);
	else if (n != w)
		problems_add(&a->found, path, "the bundle holds %u entries, not %u", n, w);
	else if (differ)
		problems_add(&a->found, path,
			     "entry %u (leaf %llu) is not the tree's: its leaf hash differs "
			     "(%u of %u entries differ)",
			     first, (unsigned long long)(index * TLOG_TILE_WIDTH + first), differ, w);
}

/*
 * The partial files of tile (level, index) narrower than `width`, the
 * width the audited tree gives it, and at level 0 those of its entry
 * bundle: each must be the prefix of what the tree says, `ref` (the
 * tile's `width` hashes as checked). Wider partials, and files of tiles
 * past the tree, lie past the checkpoint (a writer may be making them)
 * and are not looked at.
 */
static void audit_partials(struct audit *a, unsigned level, uint64_t index, unsigned width,
			   const uint8_t *ref)
{
	uint8_t have[TLOG_TILE_WIDTH];
	char path[TLOG_TILE_PATH_MAX], main[TLOG_TILE_PATH_MAX];
	struct tlog_tile t;
	struct err e;
	unsigned kind, w;
	int rc;

	for (kind = 0; kind < (level == 0 ? 2u : 1u); kind++) {
		t.level = kind ? TLOG_TILE_ENTRIES : (int)level;
		t.index = index;
		t.width = width;
		tile_name(t.level, index, width, main);
		err_clear(&e);
		if (log_partials_list(a->l, &t, have, &e) != RC_OK) {
			problems_add(&a->found, main, "cannot list its partial files: %s", e.message);
			continue;
		}
		for (w = 1; w < width; w++) {
			if (!have[w])
				continue;
			tile_name(t.level, index, w, path);
			buf_clear(&a->part);
			err_clear(&e);
			rc = log_file_read(a->l, path, &a->part,
					   kind ? LOG_BUNDLE_MAX : (size_t)TLOG_TILE_WIDTH * TLOG_HASH_SIZE,
					   &e);
			if (rc == RC_NOTFOUND)
				continue; /* deleted since it was listed: its full tile is there */
			if (rc)
				problems_add(&a->found, path, "%s", e.message);
			else if (kind)
				audit_partial_bundle(a, path, index, w, ref);
			else
				audit_partial_tile(a, path, w, ref, main);
		}
	}
}

static void audit_tile_main(struct audit *a, unsigned level, uint64_t index,
			    const uint8_t *parent, uint8_t root[TLOG_HASH_SIZE], int *bad,
			    int *stored_ok, int *below_ok);

/*
 * Full level-0 tile `index`'s place in its pack: the tile as checked
 * (`ref`), byte for byte; once a pack is found wrong the log's proofs
 * read no pack. A pack missing or short is no problem: the log rebuilds
 * it from the tiles at its next open, and proofs read the tiles until
 * then.
 */
static void audit_pack(struct audit *a, uint64_t index, const uint8_t *ref)
{
	char path[LOG_PACK_PATH_MAX], tile[TLOG_TILE_PATH_MAX];
	unsigned i, differ = 0, first = 0;
	struct err e;
	int rc;

	err_clear(&e);
	rc = log_pack_read_tile(a->l, index, a->packed, &e);
	log_pack_path(index / LOG_PACK_TILES, path);
	if (rc == RC_NOTFOUND)
		return;
	if (rc) {
		problems_add(&a->found, path, "%s", e.message);
		return;
	}
	for (i = 0; i < TLOG_TILE_WIDTH; i++)
		if (memcmp(a->packed + (size_t)i * TLOG_HASH_SIZE, ref + (size_t)i * TLOG_HASH_SIZE,
			   TLOG_HASH_SIZE) != 0 && !differ++)
			first = i;
	if (!differ)
		return;
	/* this log's proofs read the tiles from now on, so what follows is held to them */
	atomic_store(&a->l->pack_ok, 0);
	tile_name(0, index, TLOG_TILE_WIDTH, tile);
	problems_add(&a->found, path,
		     "leaf hash %u of %s (leaf %llu) is not the tile's (%u of %u hashes differ)",
		     first, tile, (unsigned long long)(index * TLOG_TILE_WIDTH + first), differ,
		     TLOG_TILE_WIDTH);
}

/*
 * Check tile (level, index) and, below it, everything it covers, and then
 * its narrower partial files. `parent` is the hash its parent tile stores
 * for it (NULL for a partial tile, which only the checkpoint's root
 * covers). `*root` gets the root of the stored tile, `*bad` whether the
 * stored tile itself was found wrong.
 */
static void audit_tile(struct audit *a, unsigned level, uint64_t index, const uint8_t *parent,
		       uint8_t root[TLOG_HASH_SIZE], int *bad)
{
	struct audit_level *lv = &a->lv[level];
	unsigned width = tlog_tile_width((int)level, index, a->size);
	int stored_ok = 0, below_ok = 0;
	const uint8_t *ref = NULL;

	audit_tile_main(a, level, index, parent, root, bad, &stored_ok, &below_ok);
	/* the partials and packs are held to the tile as checked, or else to what lies below it */
	if (stored_ok && !*bad)
		ref = lv->stored;
	else if (below_ok)
		ref = lv->below;
	if (ref)
		audit_partials(a, level, index, width, ref);
	if (ref && level == 0 && width == TLOG_TILE_WIDTH)
		audit_pack(a, index, ref);
}

/* audit_tile without the partials; *stored_ok and *below_ok say which of lv's tiles were read. */
static void audit_tile_main(struct audit *a, unsigned level, uint64_t index,
			    const uint8_t *parent, uint8_t root[TLOG_HASH_SIZE], int *bad,
			    int *stored_ok, int *below_ok)
{
	struct audit_level *lv = &a->lv[level];
	char path[TLOG_TILE_PATH_MAX], other[TLOG_TILE_PATH_MAX];
	unsigned width = tlog_tile_width((int)level, index, a->size), got = 0, i, first = 0;
	unsigned differ = 0, edge;
	int have_stored, have_below = 1, up_ok, child_bad;
	uint8_t child_root[TLOG_HASH_SIZE];
	struct err e;
	size_t len;

	*bad = 0;
	memset(root, 0, TLOG_HASH_SIZE);
	err_clear(&e);
	have_stored = log_tile_read(a->l, (int)level, index, a->size, lv->stored,
				    sizeof(lv->stored), &got, &len, &e) == RC_OK;
	tile_name((int)level, index, have_stored ? got : width, path);
	*stored_ok = have_stored;
	if (!have_stored) {
		problems_add(&a->found, path, "%s", e.message);
		*bad = 1;
	}
	if (have_stored && width == TLOG_TILE_WIDTH)
		tlog_root_from_leaves(lv->stored, TLOG_TILE_WIDTH, root);
	if (!have_stored)
		up_ok = 0;
	else if (parent)
		up_ok = memcmp(root, parent, TLOG_HASH_SIZE) == 0;
	else
		up_ok = a->root_ok;

	if (level == 0) {
		have_below = audit_bundle(a, index, width, lv->below);
	} else {
		for (i = 0; i < width; i++) {
			audit_tile(a, level - 1, index * TLOG_TILE_WIDTH + i,
				   have_stored ? lv->stored + (size_t)i * TLOG_HASH_SIZE : NULL,
				   lv->below + (size_t)i * TLOG_HASH_SIZE, &child_bad);
			lv->bad[i] = (uint8_t)child_bad;
		}
		/* The partial tile below the right edge, covered by the root only. */
		edge = tlog_tile_width((int)level - 1, index * TLOG_TILE_WIDTH + width, a->size);
		if (edge && edge < TLOG_TILE_WIDTH)
			audit_tile(a, level - 1, index * TLOG_TILE_WIDTH + width, NULL, child_root,
				   &child_bad);
	}
	*below_ok = have_below;
	if (!have_stored || !have_below)
		return;
	for (i = 0; i < width; i++) {
		if (memcmp(lv->stored + (size_t)i * TLOG_HASH_SIZE,
			   lv->below + (size_t)i * TLOG_HASH_SIZE, TLOG_HASH_SIZE) == 0)
			continue;
		if (level > 0 && lv->bad[i])
			continue; /* that child is wrong, and reported */
		if (!differ++)
			first = i;
	}
	if (!differ)
		return;
	if (level == 0) {
		tile_name(TLOG_TILE_ENTRIES, index, got, other);
		if (up_ok) {
			problems_add(&a->found, other,
				     "entry %u (leaf %llu) does not hash to its leaf hash in %s "
				     "(%u of %u entries differ)",
				     first, (unsigned long long)(index * TLOG_TILE_WIDTH + first), path,
				     differ, width);
			return;
		}
		problems_add(&a->found, path,
			     "leaf hash %u (leaf %llu) is not the hash of the entry in %s, and the "
			     "tile does not hash to %s (%u of %u hashes differ)",
			     first, (unsigned long long)(index * TLOG_TILE_WIDTH + first), other,
			     parent ? "the hash its parent tile holds" : "the checkpoint's root",
			     differ, width);
	} else {
		tile_name((int)level - 1, index * TLOG_TILE_WIDTH + first, TLOG_TILE_WIDTH, other);
		problems_add(&a->found, path, "hash %u is not the root of %s (%u of %u hashes differ)",
			     first, other, differ, width);
	}
	*bad = 1;
}

int tlog_log_audit(struct tlog_log *l,
		   void (*report)(void *ctx, const char *where, const char *what), void *ctx,
		   uint64_t *problems, struct err *e)
{
	struct tlog_checkpoint c;
	struct audit *a;
	struct buf note;
	struct err ce;
	uint8_t root[TLOG_HASH_SIZE];
	unsigned top;
	int rc, bad;

	*problems = 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	a->l = l;
	a->found.report = report;
	a->found.ctx = ctx;
	buf_init(&a->bundle, LOG_BUNDLE_MAX);
	buf_init(&a->part, LOG_BUNDLE_MAX);
	pthread_mutex_lock(&l->st_mu);
	a->size = l->size;
	memcpy(a->root, l->root, TLOG_HASH_SIZE);
	pthread_mutex_unlock(&l->st_mu);

	/* The checkpoint as it is on disk now. */
	buf_init(&note, LOG_NOTE_MAX);
	err_clear(&ce);
	rc = log_file_read(l, "checkpoint", &note, LOG_NOTE_MAX, &ce);
	if (rc == RC_NOTFOUND && a->size == 0 && l->read_only) {
		/* a read-only look at a log that was never written */
	} else if (!rc) {
		rc = tlog_checkpoint_open(&c, NULL, note.data, note.len, l->verifier.name,
					  &l->verifier, 1, &ce);
		if (rc)
			problems_add(&a->found, "checkpoint", "%s", ce.message);
		else if (c.size < a->size)
			problems_add(&a->found, "checkpoint",
				     "the checkpoint is for size %llu, older than the %llu the log "
				     "had signed",
				     (unsigned long long)c.size, (unsigned long long)a->size);
		else {
			a->size = c.size;
			memcpy(a->root, c.root, TLOG_HASH_SIZE);
		}
	} else {
		problems_add(&a->found, "checkpoint", "%s", ce.message);
	}
	buf_release(&note);

	rc = tlog_tree_root(a->size, audit_hash, a, root, NULL);
	a->root_ok = rc == RC_OK && memcmp(root, a->root, TLOG_HASH_SIZE) == 0;
	if (a->size > 0) {
		for (top = 0; top + 1 < LOG_LEVELS &&
			      a->size >> ((top + 1) * TLOG_TILE_HEIGHT) > 0;
		     top++)
			;
		audit_tile(a, top, 0, NULL, root, &bad);
	}
	if (!a->root_ok && a->found.count == 0)
		problems_add(&a->found, "checkpoint",
			     "the tiles do not hash to the checkpoint's root for size %llu",
			     (unsigned long long)a->size);
	*problems = a->found.count;
	buf_release(&a->bundle);
	buf_release(&a->part);
	free(a);
	return RC_OK;
}
