/* test_log_cache.c - unit tests of the log's hash cache: proofs and tiles from memory equal those computed from scratch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/log.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tiles.h"

/* Most leaves a test appends. */
#define MAX_LEAVES 70000
#define LOG_FIXTURE_LEAVES MAX_LEAVES
#include "log_fixture.h"

static struct tlog_log *open_log(const char *dir, size_t cache_bytes, int read_only)
{
	return fixture_log_open(dir, read_only, 0, cache_bytes);
}

/* Inclusion and consistency proofs at `size` from the log equal the reference's, and verify. */
static void check_proofs(struct tlog_log *l, uint64_t size, uint64_t seed)
{
	struct tlog_proof got, want;
	uint8_t root[TLOG_HASH_SIZE];
	uint64_t picks[6], k, old;
	struct err e;

	err_clear(&e);
	assert_int_equal(tlog_tree_root(size, scratch_hash, NULL, root, &e), RC_OK);
	picks[0] = 0;
	picks[1] = size - 1;
	picks[2] = size / 2;
	picks[3] = (seed * 7919) % size;
	picks[4] = (seed * 104729 + 13) % size;
	picks[5] = size > 256 ? size - 257 : size / 3;
	for (k = 0; k < 6; k++) {
		assert_int_equal(tlog_log_prove_inclusion(l, picks[k], size, &got, &e), RC_OK);
		assert_int_equal(tlog_prove_inclusion(picks[k], size, scratch_hash, NULL, &want, &e),
				 RC_OK);
		assert_int_equal(got.n, want.n);
		assert_memory_equal(got.hash, want.hash, got.n * TLOG_HASH_SIZE);
		assert_int_equal(tlog_verify_inclusion(picks[k], size, leaves[picks[k]], &got, root,
						       &e),
				 RC_OK);
		old = picks[k] + 1;
		assert_int_equal(tlog_log_prove_consistency(l, old, size, &got, &e), RC_OK);
		assert_int_equal(tlog_prove_consistency(old, size, scratch_hash, NULL, &want, &e),
				 RC_OK);
		assert_int_equal(got.n, want.n);
		assert_memory_equal(got.hash, want.hash, got.n * TLOG_HASH_SIZE);
	}
}

/* Sizes to append up to, none of them but one a multiple of 256. */
static const uint64_t grow[] = {1, 2, 3, 7, 255, 256, 257, 300, 511, 1000, 4097, 5000,
				65535, 65537, 69999};

static void proofs_equal_scratch_proofs(size_t cache_bytes)
{
	char *dir = tmp_dir();
	struct tlog_log *l = open_log(dir, cache_bytes, 0), *ro;
	struct tlog_cache_stats st;
	uint64_t have = 0, s;
	size_t i;

	for (i = 0; i < sizeof(grow) / sizeof(grow[0]); i++) {
		append_range(l, have, grow[i]);
		have = grow[i];
		/* the latest size and a few older ones, after each append */
		check_proofs(l, have, i);
		for (s = 1; s < have; s = s * 3 + 1)
			check_proofs(l, s, i + s);
	}
	tlog_log_cache_stats(l, &st);
	assert_true(st.hits > 0);
	assert_true(st.bytes <= st.bytes_max);
	tlog_log_close(l);

	/* a fresh reader, whose cache starts empty, says the same */
	ro = open_log(dir, cache_bytes, 1);
	check_proofs(ro, have, 99);
	check_proofs(ro, 65536, 5);
	check_proofs(ro, 257, 3);
	tlog_log_close(ro);
	tmp_remove(dir);
}

static void proofs_from_the_default_cache_equal_proofs_from_scratch(void **state)
{
	(void)state;
	proofs_equal_scratch_proofs(0);
}

static void proofs_with_a_tiny_cache_that_evicts_equal_proofs_from_scratch(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l;
	struct tlog_cache_stats st;

	(void)state;
	proofs_equal_scratch_proofs(1);
	/* the smallest cache evicts, and keeps to its bound */
	l = open_log(dir, 1, 0);
	append_range(l, 0, 65537);
	check_proofs(l, 65537, 1);
	check_proofs(l, 40000, 2);
	tlog_log_cache_stats(l, &st);
	assert_true(st.evictions > 0);
	assert_true(st.bytes <= st.bytes_max);
	assert_true(st.bytes_max < ((size_t)2 << 20));
	tlog_log_close(l);
	tmp_remove(dir);
}

/* Compare tile `t` from the cache (if there) with its file. */
static int tile_matches_file(struct tlog_log *l, const char *dir, const struct tlog_tile *t)
{
	char rel[TLOG_TILE_PATH_MAX], path[512];
	uint8_t file[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];
	struct buf b;
	struct err e;
	size_t len;
	FILE *f;
	int rc;

	assert_int_equal(tlog_tile_path(t, rel), RC_OK);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(file, 1, sizeof(file), f);
	fclose(f);
	buf_init(&b, 1 << 20);
	err_clear(&e);
	rc = tlog_log_tile_cached(l, t, &b, &e);
	if (rc == RC_OK) {
		assert_int_equal(b.len, len);
		assert_memory_equal(b.data, file, len);
	} else {
		assert_int_equal(rc, RC_NOTFOUND);
	}
	buf_release(&b);
	return rc == RC_OK;
}

static void tiles_from_the_cache_equal_their_files(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l = open_log(dir, 0, 0), *ro;
	struct tlog_tile t;
	struct tlog_proof p;
	struct buf b;
	struct err e;

	(void)state;
	append_range(l, 0, 600);
	/* what the writer appended is cached: full tiles, the partial and level 1 */
	t.level = 0;
	t.width = 256;
	for (t.index = 0; t.index < 2; t.index++)
		assert_true(tile_matches_file(l, dir, &t));
	t.index = 2;
	t.width = 88;
	assert_true(tile_matches_file(l, dir, &t));
	t.level = 1;
	t.index = 0;
	t.width = 2;
	assert_true(tile_matches_file(l, dir, &t));
	/* past the checkpoint, or wider than the tree, is not a tile */
	buf_init(&b, 1 << 20);
	t.level = 0;
	t.index = 2;
	t.width = 89;
	assert_int_equal(tlog_log_tile_cached(l, &t, &b, &e), RC_NOTFOUND);
	t.index = 3;
	t.width = 1;
	assert_int_equal(tlog_log_tile_cached(l, &t, &b, &e), RC_NOTFOUND);
	tlog_log_close(l);

	/*
	 * A reader has nothing until a proof reads the tiles: its upper hashes'
	 * and, the cache having room, its leaves' (here all of the tile, for
	 * the nodes of levels 4 to 7 beside the path).
	 */
	ro = open_log(dir, 0, 1);
	t.level = 1;
	t.index = 0;
	t.width = 2;
	assert_false(tile_matches_file(ro, dir, &t));
	t.level = 0;
	t.index = 1;
	t.width = 256;
	assert_false(tile_matches_file(ro, dir, &t));
	assert_int_equal(tlog_log_prove_inclusion(ro, 300, 600, &p, &e), RC_OK);
	assert_true(tile_matches_file(ro, dir, &t));
	t.level = 1;
	t.index = 0;
	t.width = 2;
	assert_true(tile_matches_file(ro, dir, &t));
	tlog_log_close(ro);
	buf_release(&b);
	tmp_remove(dir);
}

/* Proofs with a right-edge memo, reused across proofs and sizes, equal proofs without one. */
static void proofs_with_the_right_edge_kept_equal_proofs_without(void **state)
{
	static const uint64_t sizes[] = {1, 2, 3, 5, 6, 7, 255, 257, 300, 1000, 4097, 5000, 4096};
	struct tlog_edge edge;
	struct tlog_proof got, want;
	uint64_t i, n, size, old;
	char text[24];
	struct err e;
	size_t k;

	(void)state;
	for (i = 0; i < 5000; i++)
		tlog_leaf_hash(text, entry_of(i, text), leaves[i]);
	/* a memo of another size, full of rubbish, must not be used */
	memset(&edge, 0xA5, sizeof(edge));
	edge.size = 999;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size = sizes[k];
		for (i = 0; i < size; i += 1 + size / 97) {
			err_clear(&e);
			assert_int_equal(tlog_prove_inclusion_edge(i, size, scratch_hash, NULL, &edge,
								   &got, &e),
					 RC_OK);
			assert_int_equal(tlog_prove_inclusion(i, size, scratch_hash, NULL, &want, &e),
					 RC_OK);
			assert_int_equal(edge.size, size);
			assert_int_equal(got.n, want.n);
			assert_memory_equal(got.hash, want.hash, got.n * TLOG_HASH_SIZE);
			old = size - i;
			assert_int_equal(tlog_prove_consistency_edge(old, size, scratch_hash, NULL,
								     &edge, &got, &e),
					 RC_OK);
			assert_int_equal(tlog_prove_consistency(old, size, scratch_hash, NULL, &want,
								&e),
					 RC_OK);
			assert_int_equal(got.n, want.n);
			assert_memory_equal(got.hash, want.hash, got.n * TLOG_HASH_SIZE);
		}
		/* a size of three set bits or more has ranges at its right edge that are kept */
		n = (uint64_t)__builtin_popcountll(size);
		assert_true(n >= 3 ? edge.have != 0 : edge.have == 0);
	}
}

/*
 * A class of the cache uses what the others leave free: a 4 MiB cache
 * (one eighth of it for recent tiles, some 60 chunks) holds every leaf
 * tile of 30,000 leaves (207 chunks with levels 1 and 2), the upper levels
 * taking little of their share; and it still keeps to its bound.
 */
static void idle_shares_of_the_cache_are_lent(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l = open_log(dir, (size_t)4 << 20, 0);
	struct tlog_cache_stats st;
	struct tlog_tile t;

	(void)state;
	append_range(l, 0, 30000);
	t.level = 0;
	t.width = 256;
	for (t.index = 0; t.index < 30000 / 256; t.index++)
		assert_true(tile_matches_file(l, dir, &t));
	check_proofs(l, 30000, 4);
	tlog_log_cache_stats(l, &st);
	assert_true(st.bytes <= st.bytes_max);
	assert_int_equal(st.evictions, 0);
	/* more than fits: now it evicts, and still keeps to its bound */
	append_range(l, 30000, 69999);
	check_proofs(l, 69999, 5);
	tlog_log_cache_stats(l, &st);
	assert_true(st.evictions > 0);
	assert_true(st.bytes <= st.bytes_max);
	tlog_log_close(l);
	tmp_remove(dir);
}

struct prover {
	struct tlog_log *l;
	uint64_t size;
	const uint8_t *root;
	unsigned seed;
	int bad;        /* proofs that failed or did not verify */
};

static void *prove_many(void *arg)
{
	struct prover *p = arg;
	struct tlog_proof proof;
	uint64_t at, old;
	struct err e;
	int i;

	for (i = 0; i < 1500; i++) {
		at = (uint64_t)rand_r(&p->seed) % p->size;
		if (tlog_log_prove_inclusion(p->l, at, p->size, &proof, &e) != RC_OK ||
		    tlog_verify_inclusion(at, p->size, leaves[at], &proof, p->root, &e) != RC_OK)
			p->bad++;
		old = 1 + (uint64_t)rand_r(&p->seed) % p->size;
		if (tlog_log_prove_consistency(p->l, old, p->size, &proof, &e) != RC_OK)
			p->bad++;
	}
	return NULL;
}

/*
 * Threads proving from one log at once, through the smallest cache and
 * more tiles than it keeps open, all get proofs that verify.
 */
static void threads_proving_at_once_get_proofs_that_verify(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l = open_log(dir, 0, 0), *ro;
	struct prover p[4];
	pthread_t t[4];
	uint8_t root[TLOG_HASH_SIZE];
	struct tlog_cache_stats st;
	struct err e;
	int k;

	(void)state;
	append_range(l, 0, 69999);
	tlog_log_close(l);
	err_clear(&e);
	assert_int_equal(tlog_tree_root(69999, scratch_hash, NULL, root, &e), RC_OK);
	ro = open_log(dir, 1, 1);
	for (k = 0; k < 4; k++) {
		p[k].l = ro;
		p[k].size = 69999;
		p[k].seed = (unsigned)k + 1;
		p[k].bad = 0;
		p[k].root = root;
	}
	for (k = 0; k < 4; k++)
		assert_int_equal(pthread_create(&t[k], NULL, prove_many, &p[k]), 0);
	for (k = 0; k < 4; k++) {
		pthread_join(t[k], NULL);
		assert_int_equal(p[k].bad, 0);
	}
	tlog_log_cache_stats(ro, &st);
	assert_true(st.hits > 0);
	assert_true(st.bytes <= st.bytes_max);
	tlog_log_close(ro);
	tmp_remove(dir);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(proofs_from_the_default_cache_equal_proofs_from_scratch),
		cmocka_unit_test(proofs_with_a_tiny_cache_that_evicts_equal_proofs_from_scratch),
		cmocka_unit_test(tiles_from_the_cache_equal_their_files),
		cmocka_unit_test(proofs_with_the_right_edge_kept_equal_proofs_without),
		cmocka_unit_test(idle_shares_of_the_cache_are_lent),
		cmocka_unit_test(threads_proving_at_once_get_proofs_that_verify),
	};

	return LOG_FIXTURE_MAIN(tests);
}
