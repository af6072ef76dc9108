/* test_log_pack.c - unit tests of the log's packed hash files: written with the tiles, equal to them, rebuilt from them, audited against them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/log.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tiles.h"

/* Leaves of the test tree: a full pack, then two full tiles and a partial one. */
#define LEAVES (65536 + 600)
/* Bytes of a full hash tile, and of a full pack. */
#define TILE_BYTES (256 * 32)
#define PACK_BYTES (256 * TILE_BYTES)

#define LOG_FIXTURE_LEAVES LEAVES
#include "log_fixture.h"

static struct tlog_log *open_log(const char *dir, int read_only)
{
	return fixture_log_open(dir, read_only, 0, 0);
}

/* A log of LEAVES leaves in `dir`, appended in three batches that end inside packs. */
static void make_log(const char *dir)
{
	struct tlog_log *l = open_log(dir, 0);

	append_range(l, 0, 1000);
	append_range(l, 1000, 65800);
	append_range(l, 65800, LEAVES);
	tlog_log_close(l);
}

/* Read all of file `name` under `dir` (at most `cap` bytes) into `out`; its length, or -1. */
static long read_file(const char *dir, const char *name, uint8_t *out, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	n = fread(out, 1, cap, f);
	fclose(f);
	return (long)n;
}

static long file_size(const char *dir, const char *name)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Pack `p` holds exactly the full level-0 tiles 256p.. of a tree of LEAVES leaves. */
static void assert_pack_equals_tiles(const char *dir, uint64_t p)
{
	static uint8_t pack[PACK_BYTES + 1];
	uint8_t tile[TILE_BYTES + 1];
	char name[64], tpath[TLOG_TILE_PATH_MAX];
	uint64_t full = LEAVES / 256, i, n = full - p * 256 < 256 ? full - p * 256 : 256;
	struct tlog_tile t;

	snprintf(name, sizeof(name), "pack/%llu", (unsigned long long)p);
	assert_int_equal(read_file(dir, name, pack, sizeof(pack)), (long)(n * TILE_BYTES));
	for (i = 0; i < n; i++) {
		t.level = 0;
		t.index = p * 256 + i;
		t.width = 256;
		assert_int_equal(tlog_tile_path(&t, tpath), RC_OK);
		assert_int_equal(read_file(dir, tpath, tile, sizeof(tile)), TILE_BYTES);
		assert_memory_equal(pack + i * TILE_BYTES, tile, TILE_BYTES);
		/* and the tile is the reference tree's leaf hashes */
		assert_memory_equal(tile, leaves[t.index * 256], TILE_BYTES);
	}
}

/* Inclusion proofs of leaves all over the tree verify against the reference root. */
static void assert_proofs_verify(struct tlog_log *l)
{
	uint8_t root[TLOG_HASH_SIZE];
	struct tlog_proof p;
	uint64_t k, at;
	struct err e;

	err_clear(&e);
	tlog_root_from_leaves(leaves[0], LEAVES, root);
	for (k = 0; k < 400; k++) {
		at = (k * 7919 + k * k * 104729) % LEAVES;
		assert_int_equal(tlog_log_prove_inclusion(l, at, LEAVES, &p, &e), RC_OK);
		assert_int_equal(tlog_verify_inclusion(at, LEAVES, leaves[at], &p, root, &e), RC_OK);
	}
}

struct found {
	unsigned n;       /* problems reported */
	char where[64];   /* where the first was */
};

static void found_add(void *ctx, const char *where, const char *what)
{
	struct found *f = ctx;

	(void)what;
	if (f->n++ == 0)
		snprintf(f->where, sizeof(f->where), "%s", where);
}

/* The audit of `dir` from a read-only open. */
static struct found audit_dir(const char *dir)
{
	struct tlog_log *l = open_log(dir, 1);
	struct found f;
	uint64_t problems;
	struct err e;

	memset(&f, 0, sizeof(f));
	err_clear(&e);
	assert_int_equal(tlog_log_audit(l, found_add, &f, &problems, &e), RC_OK);
	assert_int_equal(problems, f.n);
	tlog_log_close(l);
	return f;
}

static void remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(remove(path), 0);
}

static void truncate_file(const char *dir, const char *name, off_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(truncate(path, len), 0);
}

static void write_at(const char *dir, const char *name, const void *data, size_t len, off_t off)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, off), (ssize_t)len);
	close(fd);
}

static void packs_hold_the_full_tiles_the_log_wrote(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l;

	(void)state;
	make_log(dir);
	assert_pack_equals_tiles(dir, 0);
	assert_pack_equals_tiles(dir, 1);
	assert_int_equal(file_size(dir, "pack/2"), -1);
	l = open_log(dir, 1);
	assert_proofs_verify(l);
	tlog_log_close(l);
	assert_int_equal(audit_dir(dir).n, 0);
	tmp_remove(dir);
}

static void missing_short_and_overlong_packs_are_repaired_at_open(void **state)
{
	static const uint8_t junk[3 * TILE_BYTES] = {7};
	char *dir = tmp_dir();
	struct tlog_log *l;

	(void)state;
	make_log(dir);
	/* pack 0 cut inside a tile, pack 1 longer than the checkpoint, a pack 2 past it */
	truncate_file(dir, "pack/0", 1000 * 32 + 5);
	write_at(dir, "pack/1", junk, sizeof(junk), 2 * TILE_BYTES);
	write_at(dir, "pack/2", junk, sizeof(junk), 0);
	/* a read-only open proves from the tiles meanwhile, and the audit finds nothing wrong */
	l = open_log(dir, 1);
	assert_proofs_verify(l);
	tlog_log_close(l);
	assert_int_equal(audit_dir(dir).n, 0);
	/* a writable open puts them right */
	l = open_log(dir, 0);
	assert_proofs_verify(l);
	tlog_log_close(l);
	assert_pack_equals_tiles(dir, 0);
	assert_pack_equals_tiles(dir, 1);
	assert_int_equal(file_size(dir, "pack/2"), -1);
	assert_int_equal(audit_dir(dir).n, 0);
	tmp_remove(dir);
}

static void a_directory_without_packs_gets_them_and_grows_them(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l;

	(void)state;
	l = open_log(dir, 0);
	append_range(l, 0, 40000);
	tlog_log_close(l);
	/* as a directory made before packs were */
	remove_file(dir, "pack/0");
	remove_file(dir, "pack");
	l = open_log(dir, 0);
	append_range(l, 40000, LEAVES);
	assert_proofs_verify(l);
	tlog_log_close(l);
	assert_pack_equals_tiles(dir, 0);
	assert_pack_equals_tiles(dir, 1);
	assert_int_equal(audit_dir(dir).n, 0);
	tmp_remove(dir);
}

static void an_edited_pack_is_reported_by_the_audit(void **state)
{
	static const uint8_t flip[1] = {0x5a};
	char *dir = tmp_dir();
	struct found f;

	(void)state;
	make_log(dir);
	write_at(dir, "pack/0", flip, 1, 77 * TILE_BYTES + 40 * 32 + 3);
	f = audit_dir(dir);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.where, "pack/0");
	tmp_remove(dir);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(packs_hold_the_full_tiles_the_log_wrote),
		cmocka_unit_test(missing_short_and_overlong_packs_are_repaired_at_open),
		cmocka_unit_test(a_directory_without_packs_gets_them_and_grows_them),
		cmocka_unit_test(an_edited_pack_is_reported_by_the_audit),
	};

	return LOG_FIXTURE_MAIN(tests);
}
