/* log_fixture.h - what the unit tests of the durable log share: temporary directories, entries appended with their reference leaf hashes, the reference tree. */
#ifndef DISPUTED_TESTS_LOG_FIXTURE_H
#define DISPUTED_TESTS_LOG_FIXTURE_H

/*
 * Include after cmocka.h, with LOG_FIXTURE_LEAVES defined to the most
 * leaves a test appends. The including file generates `log_key` (its name
 * ORIGIN) before its tests run.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/err.h"
#include "tlog/log.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

#ifndef LOG_FIXTURE_LEAVES
#error "define LOG_FIXTURE_LEAVES before including log_fixture.h"
#endif

#define ORIGIN "test.example/log"

static struct tlog_signer log_key;
/* The leaf hashes of the entries appended so far, the reference tree. */
static uint8_t leaves[LOG_FIXTURE_LEAVES][TLOG_HASH_SIZE];

static inline int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A new empty directory under /tmp; tmp_remove deletes it and what it holds. */
static inline char *tmp_dir(void)
{
	char *d = strdup("/tmp/test_log.XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static inline void tmp_remove(char *d)
{
	nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
}

/*
 * Open a log on `dir` with the tests' batches (65,536 entries, 1 ms): the
 * writer (read_only 0) or a reader, following the writer every
 * `follow_ms` (0: a snapshot); `cache_bytes` 0 for the default cache.
 */
static inline struct tlog_log *fixture_log_open(const char *dir, int read_only,
						unsigned follow_ms, size_t cache_bytes)
{
	struct tlog_log_opts o;
	struct tlog_log *l = NULL;
	struct err e;

	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.signer = &log_key;
	o.batch_max = 65536;
	o.batch_ms = 1;
	o.read_only = read_only;
	o.follow_ms = follow_ms;
	o.cache_bytes = cache_bytes;
	err_clear(&e);
	if (tlog_log_open(&o, &l, &e) != RC_OK)
		fail_msg("open %s: %s (%s)", dir, e.message, e.code);
	return l;
}

/* A test file's main: the log's key made, the group run, the key wiped. */
#define LOG_FIXTURE_MAIN(tests) log_fixture_main(#tests, tests, sizeof(tests) / sizeof((tests)[0]))

static inline int log_fixture_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	struct err e;
	int rc;

	if (sodium_init() < 0 ||
	    tlog_key_generate(&log_key, ORIGIN, TLOG_KEY_ED25519, &e) != RC_OK)
		return 1;
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	tlog_signer_clear(&log_key);
	return rc;
}

/* The entry of leaf i: its decimal index. */
static inline size_t entry_of(uint64_t i, char *out)
{
	return (size_t)snprintf(out, 24, "%llu", (unsigned long long)i);
}

/* Append leaves [from, to) in one call, noting their hashes. */
static inline void append_range(struct tlog_log *l, uint64_t from, uint64_t to)
{
	size_t n = (size_t)(to - from), k;
	struct tlog_entry *ent = calloc(n, sizeof(*ent));
	char (*text)[24] = calloc(n, sizeof(*text));
	uint64_t *idx = calloc(n, sizeof(*idx));
	struct err e;

	assert_true(ent && text && idx && to <= LOG_FIXTURE_LEAVES);
	for (k = 0; k < n; k++) {
		ent[k].len = entry_of(from + k, text[k]);
		ent[k].data = text[k];
		tlog_leaf_hash(text[k], ent[k].len, leaves[from + k]);
	}
	err_clear(&e);
	if (tlog_log_append(l, ent, n, idx, &e) != RC_OK)
		fail_msg("append: %s", e.message);
	assert_int_equal(idx[0], from);
	free(ent);
	free(text);
	free(idx);
}

/* tlog_hash_fn of the reference tree: every subtree hashed from its leaves. */
static inline int scratch_hash(void *ctx, uint64_t level, uint64_t index,
			       uint8_t out[TLOG_HASH_SIZE])
{
	(void)ctx;
	tlog_root_from_leaves(leaves[index << level], (uint64_t)1 << level, out);
	return RC_OK;
}

#endif
