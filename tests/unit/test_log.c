/* test_log.c - unit tests of the durable log: batching, tiles on disk, proofs, recovery, audit, locking, witnesses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/log.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tiles.h"
#include "tlog/witness.h"

#define ORIGIN "test.example/log"

/* ---- helpers ---- */

static struct tlog_signer log_key;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh temporary directory; the caller frees the string. */
static char *tmp_dir(void)
{
	char *d = strdup("/tmp/test_log.XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void tmp_remove(char *d)
{
	nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
}

static struct tlog_log *log_open_with(const char *dir, unsigned batch_max, unsigned batch_ms,
				      int read_only)
{
	struct tlog_log_opts o;
	struct tlog_log *l = NULL;
	struct err e;

	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.signer = &log_key;
	o.batch_max = batch_max;
	o.batch_ms = batch_ms;
	o.read_only = read_only;
	err_clear(&e);
	if (tlog_log_open(&o, &l, &e) != RC_OK)
		fail_msg("open %s: %s (%s)", dir, e.message, e.code);
	return l;
}

static char *file_read(const char *dir, const char *name, size_t *len)
{
	char path[512];
	struct stat sb;
	char *data;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	assert_int_equal(fstat(fileno(f), &sb), 0);
	data = malloc((size_t)sb.st_size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)sb.st_size, f), (size_t)sb.st_size);
	data[sb.st_size] = '\0';
	fclose(f);
	*len = (size_t)sb.st_size;
	return data;
}

static void file_write(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512], sub[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* mkdir -p of the parents */
	snprintf(sub, sizeof(sub), "%s", path);
	for (slash = strchr(sub + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(sub, 0755);
		*slash = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int file_exists(const char *dir, const char *name)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

/* Flip one bit of byte `at` of a file. */
static void file_flip(const char *dir, const char *name, size_t at)
{
	size_t len;
	char *d = file_read(dir, name, &len);

	assert_non_null(d);
	assert_true(at < len);
	d[at] ^= 0x01;
	file_write(dir, name, d, len);
	free(d);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What was appended: entry bytes and leaf hashes by index. */
struct model {
	pthread_mutex_t mu;
	size_t cap;
	uint64_t n;            /* highest index + 1 seen */
	char **entry;          /* entry[i], NUL-terminated */
	uint8_t *leaf;         /* leaf hash i at leaf + 32 i */
	uint8_t *seen;         /* index i was returned */
};

static void model_init(struct model *m, size_t cap)
{
	pthread_mutex_init(&m->mu, NULL);
	m->cap = cap;
	m->n = 0;
	m->entry = calloc(cap, sizeof(char *));
	m->leaf = calloc(cap, TLOG_HASH_SIZE);
	m->seen = calloc(cap, 1);
	assert_non_null(m->entry);
	assert_non_null(m->leaf);
	assert_non_null(m->seen);
}

static void model_free(struct model *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->entry[i]);
	free(m->entry);
	free(m->leaf);
	free(m->seen);
	pthread_mutex_destroy(&m->mu);
}

static void model_put(struct model *m, uint64_t index, const char *text)
{
	pthread_mutex_lock(&m->mu);
	assert_true(index < m->cap);
	assert_false(m->seen[index]);
	m->seen[index] = 1;
	m->entry[index] = strdup(text);
	tlog_leaf_hash(text, strlen(text), m->leaf + index * TLOG_HASH_SIZE);
	if (index + 1 > m->n)
		m->n = index + 1;
	pthread_mutex_unlock(&m->mu);
}

/* Append `count` entries "<tag>-<k>" in calls of `per_call`, recording them. */
static void append_some(struct tlog_log *l, struct model *m, const char *tag, unsigned count,
			unsigned per_call)
{
	char text[64][80];
	struct tlog_entry ent[64];
	uint64_t idx[64];
	unsigned k = 0, i, n;
	struct err e;

	assert_true(per_call <= 64);
	while (k < count) {
		n = count - k < per_call ? count - k : per_call;
		for (i = 0; i < n; i++) {
			snprintf(text[i], sizeof(text[i]), "%s-%u%s", tag, k + i,
				 (k + i) % 7 == 0 ? "-a-somewhat-longer-entry-to-vary-lengths" : "");
			ent[i].data = text[i];
			ent[i].len = strlen(text[i]);
		}
		err_clear(&e);
		if (tlog_log_append(l, ent, n, idx, &e) != RC_OK)
			fail_msg("append: %s", e.message);
		for (i = 0; i < n; i++) {
			if (i)
				assert_int_equal(idx[i], idx[i - 1] + 1);
			model_put(m, idx[i], text[i]);
		}
		k += n;
	}
}

/* The model's hash of the complete subtree (level, index). */
static int model_hash(void *ctx, uint64_t level, uint64_t index, uint8_t out[TLOG_HASH_SIZE])
{
	struct model *m = ctx;
	uint64_t n = (uint64_t)1 << level;

	if ((index + 1) * n > m->n)
		return RC_NOTFOUND;
	tlog_root_from_leaves(m->leaf + index * n * TLOG_HASH_SIZE, n, out);
	return RC_OK;
}

/*
 * Every tile and bundle a tree of m->n leaves has is on disk with the bytes
 * tlog_tile_build gives; if `closed`, the partials of full tiles are gone.
 */
static void check_tiles_on_disk(const char *dir, struct model *m, int closed)
{
	uint8_t want[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];
	char path[TLOG_TILE_PATH_MAX], pdir[TLOG_TILE_PATH_MAX + 8];
	struct tlog_tile t;
	struct buf b;
	struct err e;
	uint64_t i, k;
	size_t len;
	char *got;
	int level;

	for (level = 0; level < 8; level++) {
		if ((m->n >> (8 * level)) == 0)
			break;
		for (t.index = 0; (t.width = tlog_tile_width(level, t.index, m->n)) > 0; t.index++) {
			t.level = level;
			assert_int_equal(tlog_tile_path(&t, path), RC_OK);
			assert_int_equal(tlog_tile_build(&t, model_hash, m, want, &e), RC_OK);
			got = file_read(dir, path, &len);
			if (!got)
				fail_msg("%s is missing", path);
			assert_int_equal(len, (size_t)t.width * TLOG_HASH_SIZE);
			if (memcmp(got, want, len) != 0)
				fail_msg("%s differs from tlog_tile_build", path);
			free(got);
			if (closed && t.width == TLOG_TILE_WIDTH) {
				/* a full tile's partials are gone */
				t.width = 1;
				assert_int_equal(tlog_tile_path(&t, path), RC_OK);
				snprintf(pdir, sizeof(pdir), "%s", path);
				*strrchr(pdir, '/') = '\0';
				assert_false(file_exists(dir, pdir));
				t.width = TLOG_TILE_WIDTH;
			}
			if (level != 0)
				continue;
			/* the entry bundle of the same width */
			t.level = TLOG_TILE_ENTRIES;
			assert_int_equal(tlog_tile_path(&t, path), RC_OK);
			buf_init(&b, 1 << 24);
			for (k = 0; k < t.width; k++) {
				i = t.index * TLOG_TILE_WIDTH + k;
				assert_int_equal(tlog_bundle_append(&b, m->entry[i],
								   strlen(m->entry[i])),
						 RC_OK);
			}
			got = file_read(dir, path, &len);
			if (!got)
				fail_msg("%s is missing", path);
			assert_int_equal(len, b.len);
			assert_memory_equal(got, b.data, len);
			free(got);
			buf_release(&b);
		}
	}
}

/* The log's checkpoint is for the model's leaves, and DIR/checkpoint holds it, signed. */
static void check_checkpoint(const char *dir, struct tlog_log *l, struct model *m)
{
	struct tlog_verifier v;
	struct tlog_checkpoint c;
	uint8_t root[TLOG_HASH_SIZE], want[TLOG_HASH_SIZE];
	uint64_t size, i;
	struct buf note;
	struct err e;
	size_t len;
	char *file;

	for (i = 0; i < m->n; i++)
		assert_true(m->seen[i]);
	buf_init(&note, 1 << 16);
	assert_int_equal(tlog_log_checkpoint(l, &size, root, &note, &e), RC_OK);
	assert_int_equal(size, m->n);
	tlog_root_from_leaves(m->leaf, m->n, want);
	assert_memory_equal(root, want, TLOG_HASH_SIZE);
	file = file_read(dir, "checkpoint", &len);
	assert_non_null(file);
	assert_int_equal(len, note.len);
	assert_memory_equal(file, note.data, len);
	tlog_signer_verifier(&log_key, &v);
	err_clear(&e);
	if (tlog_checkpoint_open(&c, NULL, file, len, ORIGIN, &v, 1, &e) != RC_OK)
		fail_msg("checkpoint: %s", e.message);
	assert_int_equal(c.size, m->n);
	assert_memory_equal(c.root, want, TLOG_HASH_SIZE);
	free(file);
	buf_release(&note);
}

/* Inclusion proofs of `count` leaves and consistency proofs between sizes, all verified. */
static void check_proofs(struct tlog_log *l, struct model *m, unsigned count)
{
	uint8_t root[TLOG_HASH_SIZE], old_root[TLOG_HASH_SIZE];
	struct tlog_proof p;
	struct err e;
	uint64_t size, old, idx;
	unsigned k;

	for (k = 0; k < count; k++) {
		size = 1 + randombytes_uniform((uint32_t)m->n);
		idx = randombytes_uniform((uint32_t)size);
		if (k == 0) {
			size = m->n;
			idx = m->n - 1;
		}
		tlog_root_from_leaves(m->leaf, size, root);
		err_clear(&e);
		if (tlog_log_prove_inclusion(l, idx, size, &p, &e) != RC_OK)
			fail_msg("prove %llu in %llu: %s", (unsigned long long)idx,
				 (unsigned long long)size, e.message);
		assert_int_equal(tlog_verify_inclusion(idx, size, m->leaf + idx * TLOG_HASH_SIZE,
						       &p, root, &e),
				 RC_OK);
		old = randombytes_uniform((uint32_t)size + 1);
		tlog_root_from_leaves(m->leaf, old, old_root);
		if (tlog_log_prove_consistency(l, old, size, &p, &e) != RC_OK)
			fail_msg("prove %llu..%llu: %s", (unsigned long long)old,
				 (unsigned long long)size, e.message);
		assert_int_equal(tlog_verify_consistency(old, size, old_root, root, &p, &e), RC_OK);
	}
	/* Past the checkpoint: refused. */
	assert_int_equal(tlog_log_prove_inclusion(l, 0, m->n + 1, &p, &e), RC_INVAL);
}

/* ---- tests ---- */

static void an_empty_directory_starts_at_size_0_with_a_signed_checkpoint(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l;
	struct model m;

	(void)state;
	model_init(&m, 4);
	l = log_open_with(dir, 0, 0, 0);
	check_checkpoint(dir, l, &m);
	tlog_log_close(l);
	/* and a second open finds the same */
	l = log_open_with(dir, 0, 0, 0);
	check_checkpoint(dir, l, &m);
	tlog_log_close(l);
	model_free(&m);
	tmp_remove(dir);
}

struct appender {
	struct tlog_log *l;
	struct model *m;
	int id;
	unsigned count;
};

static void *appender_main(void *arg)
{
	struct appender *a = arg;
	char tag[16];

	snprintf(tag, sizeof(tag), "t%d", a->id);
	append_some(a->l, a->m, tag, a->count, 1 + (unsigned)a->id % 3);
	return NULL;
}

/* A reader that proves against whatever checkpoint it sees while appends go on. */
struct prover {
	struct tlog_log *l;
	atomic_int stop;
	unsigned proofs;
	int failures;
};

static void *prover_main(void *arg)
{
	struct prover *p = arg;
	uint8_t root[TLOG_HASH_SIZE], old_root[TLOG_HASH_SIZE], leaf[TLOG_HASH_SIZE];
	uint64_t size, old_size = 0, idx;
	struct tlog_proof pr;
	struct buf ent;
	struct err e;

	tlog_empty_root(old_root);
	buf_init(&ent, 1 << 17);
	while (!atomic_load(&p->stop)) {
		if (tlog_log_checkpoint(p->l, &size, root, NULL, &e) != RC_OK) {
			p->failures++;
			break;
		}
		if (size == 0)
			continue;
		idx = randombytes_uniform((uint32_t)size);
		buf_clear(&ent);
		if (tlog_log_entry(p->l, idx, &ent, &e) != RC_OK ||
		    tlog_log_prove_inclusion(p->l, idx, size, &pr, &e) != RC_OK) {
			p->failures++;
			continue;
		}
		tlog_leaf_hash(ent.data, ent.len, leaf);
		if (tlog_verify_inclusion(idx, size, leaf, &pr, root, &e) != RC_OK)
			p->failures++;
		if (tlog_log_prove_consistency(p->l, old_size, size, &pr, &e) != RC_OK ||
		    tlog_verify_consistency(old_size, size, old_root, root, &pr, &e) != RC_OK)
			p->failures++;
		old_size = size;
		memcpy(old_root, root, TLOG_HASH_SIZE);
		p->proofs++;
	}
	buf_release(&ent);
	return NULL;
}

static void concurrent_appends_get_consecutive_indexes_and_the_right_root(void **state)
{
	enum { THREADS = 12, EACH = 250 };
	char *dir = tmp_dir();
	struct appender a[THREADS];
	pthread_t th[THREADS], pt;
	struct prover pv;
	struct tlog_log *l;
	struct model m;
	int i;

	(void)state;
	model_init(&m, THREADS * EACH);
	l = log_open_with(dir, 64, 2, 0);
	memset(&pv, 0, sizeof(pv));
	pv.l = l;
	assert_int_equal(pthread_create(&pt, NULL, prover_main, &pv), 0);
	for (i = 0; i < THREADS; i++) {
		a[i].l = l;
		a[i].m = &m;
		a[i].id = i;
		a[i].count = EACH;
		assert_int_equal(pthread_create(&th[i], NULL, appender_main, &a[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	atomic_store(&pv.stop, 1);
	pthread_join(pt, NULL);
	assert_int_equal(pv.failures, 0);
	assert_true(pv.proofs > 0);
	assert_int_equal(m.n, THREADS * EACH);
	check_checkpoint(dir, l, &m);
	check_proofs(l, &m, 300);
	tlog_log_close(l);
	check_tiles_on_disk(dir, &m, 1);
	model_free(&m);
	tmp_remove(dir);
}

static void a_tree_past_65536_leaves_has_level_2_tiles_identical_to_tile_build(void **state)
{
	enum { N = 70000 };
	char *dir = tmp_dir();
	struct tlog_entry ent[4096];
	static char text[4096][16];
	uint64_t idx[4096];
	struct tlog_log *l;
	struct model m;
	struct err e;
	unsigned k, i, n;

	(void)state;
	model_init(&m, N);
	l = log_open_with(dir, 8192, 1, 0);
	for (k = 0; k < N; k += n) {
		n = N - k < 4096 ? N - k : 4096;
		for (i = 0; i < n; i++) {
			snprintf(text[i], sizeof(text[i]), "e%u", k + i);
			ent[i].data = text[i];
			ent[i].len = strlen(text[i]);
		}
		assert_int_equal(tlog_log_append(l, ent, n, idx, &e), RC_OK);
		for (i = 0; i < n; i++)
			model_put(&m, idx[i], text[i]);
	}
	check_checkpoint(dir, l, &m);
	check_tiles_on_disk(dir, &m, 0);
	check_proofs(l, &m, 60);
	tlog_log_close(l);
	model_free(&m);
	tmp_remove(dir);
}

static void entries_read_back_and_hashes_come_from_the_tiles(void **state)
{
	char *dir = tmp_dir();
	uint8_t h[TLOG_HASH_SIZE], want[TLOG_HASH_SIZE];
	struct tlog_log *l;
	struct model m;
	struct buf b;
	struct err e;
	uint64_t i;

	(void)state;
	model_init(&m, 700);
	l = log_open_with(dir, 0, 1, 0);
	append_some(l, &m, "x", 700, 50);
	buf_init(&b, 1 << 17);
	for (i = 0; i < 700; i += 13) {
		buf_clear(&b);
		assert_int_equal(tlog_log_entry(l, i, &b, &e), RC_OK);
		assert_string_equal(b.data, m.entry[i]);
	}
	assert_int_equal(tlog_log_entry(l, 700, &b, &e), RC_NOTFOUND);
	for (i = 0; i < 10; i++) {
		assert_int_equal(tlog_log_hash(l, i, 0, h, &e), RC_OK);
		assert_int_equal(model_hash(&m, i, 0, want), RC_OK);
		assert_memory_equal(h, want, TLOG_HASH_SIZE);
	}
	assert_int_equal(tlog_log_hash(l, 8, 1, h, &e), RC_OK);       /* leaves 256..511 */
	assert_int_equal(model_hash(&m, 8, 1, want), RC_OK);
	assert_memory_equal(h, want, TLOG_HASH_SIZE);
	assert_int_equal(tlog_log_hash(l, 8, 2, h, &e), RC_NOTFOUND); /* 512..767: not all there */
	assert_int_equal(tlog_log_hash(l, 9, 1, h, &e), RC_NOTFOUND);
	buf_release(&b);
	tlog_log_close(l);
	model_free(&m);
	tmp_remove(dir);
}

static void reopening_resumes_at_the_same_size_and_root(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *l;
	struct model m;

	(void)state;
	model_init(&m, 1000);
	l = log_open_with(dir, 0, 1, 0);
	append_some(l, &m, "a", 300, 7);
	tlog_log_close(l);
	l = log_open_with(dir, 0, 1, 0);
	check_checkpoint(dir, l, &m);
	append_some(l, &m, "b", 301, 5);
	check_checkpoint(dir, l, &m);
	tlog_log_close(l);
	l = log_open_with(dir, 0, 1, 0);
	check_checkpoint(dir, l, &m);
	check_tiles_on_disk(dir, &m, 0);
	check_proofs(l, &m, 100);
	tlog_log_close(l);
	model_free(&m);
	tmp_remove(dir);
}

static void audit_count(void *ctx, const char *where, const char *what);

struct audit_log {
	unsigned n;
	char where[8][96];
	char what[8][512];
};

static void audit_count(void *ctx, const char *where, const char *what)
{
	struct audit_log *a = ctx;

	if (a->n < 8) {
		snprintf(a->where[a->n], sizeof(a->where[0]), "%s", where);
		snprintf(a->what[a->n], sizeof(a->what[0]), "%s", what);
	}
	a->n++;
}

/* Audit `dir` read-only with the public key alone; the problems found. */
static struct audit_log audit_dir(const char *dir)
{
	struct tlog_log_opts o;
	struct tlog_verifier v;
	struct tlog_log *l = NULL;
	struct audit_log a;
	uint64_t problems = 0;
	struct err e;

	memset(&a, 0, sizeof(a));
	tlog_signer_verifier(&log_key, &v);
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.verifier = &v;
	o.read_only = 1;
	err_clear(&e);
	if (tlog_log_open(&o, &l, &e) != RC_OK)
		fail_msg("read-only open: %s", e.message);
	assert_int_equal(tlog_log_audit(l, audit_count, &a, &problems, &e), RC_OK);
	assert_int_equal(problems, a.n);
	tlog_log_close(l);
	return a;
}

static void a_crash_past_the_checkpoint_recovers_to_the_checkpoint(void **state)
{
	char *dir = tmp_dir();
	uint8_t junk[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];
	struct audit_log a;
	struct tlog_log *l;
	struct model m;
	struct err e;
	size_t len;
	char *saved;

	(void)state;
	model_init(&m, 2000);
	l = log_open_with(dir, 0, 1, 0);
	append_some(l, &m, "c", 300, 9); /* tile 0 full, tile 1 at 44, tile 1/0 at 1 */
	tlog_log_close(l);
	/* What a batch cut short by a crash leaves: tiles and bundles past 300. */
	memset(junk, 0xAB, sizeof(junk));
	file_write(dir, "tile/0/001", junk, sizeof(junk));
	file_write(dir, "tile/0/001.p/50", junk, 50 * 32);
	file_write(dir, "tile/0/001.p/60", junk, 17);   /* torn */
	file_write(dir, "tile/entries/001.p/50", junk, 1000);
	file_write(dir, "tile/entries/001", junk, 77);
	file_write(dir, "tile/1/000.p/2", junk, 64);
	file_write(dir, "tile/0/002.p/3", junk, 96);
	file_write(dir, "checkpoint.tmp", junk, 10);
	file_write(dir, "tile/0/001.p/50.tmp", junk, 5);

	l = log_open_with(dir, 0, 1, 0);
	/* what lay past the checkpoint is gone: a longer tree would otherwise cover it */
	assert_false(file_exists(dir, "tile/0/001"));
	assert_false(file_exists(dir, "tile/0/001.p/50"));
	assert_false(file_exists(dir, "tile/0/001.p/60"));
	assert_false(file_exists(dir, "tile/entries/001.p/50"));
	assert_false(file_exists(dir, "tile/entries/001"));
	assert_false(file_exists(dir, "tile/1/000.p/2"));
	assert_false(file_exists(dir, "tile/0/002.p/3"));
	assert_true(file_exists(dir, "tile/0/001.p/44"));
	assert_true(file_exists(dir, "tile/1/000.p/1"));
	check_checkpoint(dir, l, &m);
	check_proofs(l, &m, 50);
	append_some(l, &m, "d", 400, 11);
	check_checkpoint(dir, l, &m);
	check_tiles_on_disk(dir, &m, 0);
	tlog_log_close(l);
	a = audit_dir(dir);
	assert_int_equal(a.n, 0);

	/* A crash cannot lose the checkpoint's own right edge; if it is gone and junk
	 * stands in its place, the writer refuses to extend the tree. */
	saved = file_read(dir, "tile/0/002.p/188", &len);
	assert_non_null(saved);
	assert_int_equal(len, 188 * 32);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/tile/0/002.p/188", dir);
		assert_int_equal(unlink(path), 0);
	}
	file_write(dir, "tile/0/002", junk, sizeof(junk));
	{
		struct tlog_log_opts o;

		memset(&o, 0, sizeof(o));
		o.dir = dir;
		o.signer = &log_key;
		l = NULL;
		err_clear(&e);
		assert_int_equal(tlog_log_open(&o, &l, &e), RC_IO);
		assert_string_equal(e.code, "log_corrupt");
		assert_null(l);
	}
	free(saved);
	model_free(&m);
	tmp_remove(dir);
}

/* Every file under DIR/tile/ whose name ends in ".p/<digits>": the partials on disk. */
static char partial_names[1024][96];
static size_t npartials;

static int collect_partial(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	const char *p = strstr(path, "/tile/"), *dot;

	(void)sb;
	(void)ftw;
	if (flag != FTW_F || !p || npartials == 1024)
		return 0;
	dot = strstr(p, ".p/");
	if (!dot || strspn(dot + 3, "0123456789") != strlen(dot + 3))
		return 0;
	snprintf(partial_names[npartials++], sizeof(partial_names[0]), "%s", p + 1);
	return 0;
}

static void list_partials(const char *dir)
{
	char tile[512];

	npartials = 0;
	snprintf(tile, sizeof(tile), "%s/tile", dir);
	assert_int_equal(nftw(tile, collect_partial, 16, FTW_PHYS), 0);
}

static void a_flipped_byte_in_any_partial_file_is_reported_with_its_path(void **state)
{
	static const char *const left[] = {"tile/0/000.p/37", "tile/entries/000.p/37"};
	char *dir = tmp_dir();
	struct audit_log a;
	struct tlog_log *l;
	struct model m;
	size_t i, len, audited = 0;
	char *orig, *full;

	(void)state;
	model_init(&m, 700);
	l = log_open_with(dir, 0, 1, 0);
	append_some(l, &m, "p", 600, 37); /* right edge 002.p/88, with older widths before it */
	tlog_log_close(l);
	/* Partials of a full tile that the janitor had not deleted yet: the tile's prefix. */
	full = file_read(dir, "tile/0/000", &len);
	assert_non_null(full);
	file_write(dir, left[0], full, 37 * TLOG_HASH_SIZE);
	free(full);
	{
		struct buf b;

		buf_init(&b, 1 << 20);
		for (i = 0; i < 37; i++)
			assert_int_equal(tlog_bundle_append(&b, m.entry[i], strlen(m.entry[i])), RC_OK);
		file_write(dir, left[1], b.data, b.len);
		buf_release(&b);
	}
	a = audit_dir(dir);
	if (a.n)
		fail_msg("%u problems before any flip, first at %s: %s", a.n, a.where[0], a.what[0]);

	list_partials(dir);
	assert_true(npartials > 8);
	for (i = 0; i < npartials; i++) {
		const char *name = partial_names[i];

		if (strstr(name, "/002.p/88") || strstr(name, "/1/000.p/2"))
			continue; /* the right edge itself: audited as the tile it is */
		orig = file_read(dir, name, &len);
		assert_non_null(orig);
		file_flip(dir, name, len / 2);
		a = audit_dir(dir);
		if (a.n != 1 || strcmp(a.where[0], name) != 0)
			fail_msg("flipping %s: %u problems, first at %s: %s", name, a.n,
				 a.n ? a.where[0] : "-", a.n ? a.what[0] : "-");
		file_write(dir, name, orig, len);
		free(orig);
		audited++;
	}
	assert_true(audited >= npartials - 4);
	/* A partial bundle cut short is reported too. */
	orig = file_read(dir, left[1], &len);
	assert_non_null(orig);
	file_write(dir, left[1], orig, len - 1);
	a = audit_dir(dir);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.where[0], left[1]);
	file_write(dir, left[1], orig, len);
	free(orig);
	a = audit_dir(dir);
	assert_int_equal(a.n, 0);
	model_free(&m);
	tmp_remove(dir);
}

static void tampered_tiles_and_bundles_are_reported_with_their_paths(void **state)
{
	static const struct {
		const char *file;
		size_t at;
	} cases[] = {
		{"tile/entries/001", 100},      /* a full bundle */
		{"tile/0/000", 5 * 32 + 3},      /* a full level-0 tile */
		{"tile/0/002.p/88", 40 * 32},    /* the right-edge tile */
		{"tile/entries/002.p/88", 300},  /* the right-edge bundle */
		{"tile/1/000.p/2", 33},          /* the level-1 tile */
	};
	char *dir = tmp_dir();
	struct audit_log a;
	struct tlog_log *l;
	struct model m;
	size_t i, len;
	char *orig;

	(void)state;
	model_init(&m, 600);
	l = log_open_with(dir, 0, 1, 0);
	append_some(l, &m, "t", 600, 37);
	tlog_log_close(l);
	a = audit_dir(dir);
	assert_int_equal(a.n, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		orig = file_read(dir, cases[i].file, &len);
		assert_non_null(orig);
		file_flip(dir, cases[i].file, cases[i].at);
		a = audit_dir(dir);
		if (a.n != 1 || strcmp(a.where[0], cases[i].file) != 0)
			fail_msg("flipping %s: %u problems, first at %s: %s", cases[i].file, a.n,
				 a.n ? a.where[0] : "-", a.n ? a.what[0] : "-");
		file_write(dir, cases[i].file, orig, len);
		free(orig);
	}
	/* A missing tile is a problem too. */
	orig = file_read(dir, "tile/0/001", &len);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/tile/0/001", dir);
		assert_int_equal(unlink(path), 0);
	}
	a = audit_dir(dir);
	assert_true(a.n >= 1);
	assert_string_equal(a.where[0], "tile/0/001");
	file_write(dir, "tile/0/001", orig, len);
	free(orig);
	a = audit_dir(dir);
	assert_int_equal(a.n, 0);
	/* A changed checkpoint does not open. */
	file_flip(dir, "checkpoint", strlen(ORIGIN) + 6);
	{
		struct tlog_log_opts o;
		struct err e;

		memset(&o, 0, sizeof(o));
		o.dir = dir;
		o.signer = &log_key;
		o.read_only = 1;
		l = NULL;
		assert_int_not_equal(tlog_log_open(&o, &l, &e), RC_OK);
		assert_null(l);
	}
	model_free(&m);
	tmp_remove(dir);
}

static void a_second_writer_is_refused_and_readers_need_no_lock(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log_opts o;
	struct tlog_log *l, *l2 = NULL, *ro;
	uint8_t root[TLOG_HASH_SIZE];
	uint64_t size;
	struct model m;
	struct buf b;
	struct err e;

	(void)state;
	model_init(&m, 200);
	l = log_open_with(dir, 0, 1, 0);
	append_some(l, &m, "w", 100, 10);
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.signer = &log_key;
	err_clear(&e);
	assert_int_equal(tlog_log_open(&o, &l2, &e), RC_CONFLICT);
	assert_string_equal(e.code, "log_locked");
	assert_null(l2);

	ro = log_open_with(dir, 0, 0, 1);
	assert_int_equal(tlog_log_checkpoint(ro, &size, root, NULL, &e), RC_OK);
	assert_int_equal(size, 100);
	check_proofs(ro, &m, 50);
	assert_int_equal(tlog_log_append(ro, &(struct tlog_entry){"x", 1}, 1, &size, &e),
			 RC_INVAL);
	append_some(l, &m, "w2", 100, 10); /* the writer goes on; the reader's snapshot stays */
	assert_int_equal(tlog_log_checkpoint(ro, &size, root, NULL, &e), RC_OK);
	assert_int_equal(size, 100);
	buf_init(&b, 1 << 16);
	assert_int_equal(tlog_log_entry(ro, 99, &b, &e), RC_OK);
	assert_string_equal(b.data, m.entry[99]);
	buf_release(&b);
	tlog_log_close(ro);
	tlog_log_close(l);
	/* the lock goes with the writer */
	l = log_open_with(dir, 0, 1, 0);
	tlog_log_close(l);
	model_free(&m);
	tmp_remove(dir);
}

struct one_append {
	struct tlog_log *l;
	int64_t ms;
	uint64_t index;
	int rc;
};

static void *one_append_main(void *arg)
{
	struct one_append *a = arg;
	int64_t t0 = now_ms();
	struct err e;

	a->rc = tlog_log_append(a->l, &(struct tlog_entry){"batch", 5}, 1, &a->index, &e);
	a->ms = now_ms() - t0;
	return NULL;
}

static void a_batch_closes_at_batch_max_or_after_batch_ms(void **state)
{
	char *dir = tmp_dir();
	struct one_append a[4];
	pthread_t th[4];
	struct tlog_log *l;
	uint64_t size;
	struct err e;
	int i;

	(void)state;
	/* batch_max 4 with a 20 s timer: four appends close it at once */
	l = log_open_with(dir, 4, 20000, 0);
	for (i = 0; i < 4; i++) {
		a[i].l = l;
		assert_int_equal(pthread_create(&th[i], NULL, one_append_main, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(a[i].rc, RC_OK);
		assert_true(a[i].ms < 5000);
	}
	assert_int_equal(tlog_log_checkpoint(l, &size, NULL, NULL, &e), RC_OK);
	assert_int_equal(size, 4);
	tlog_log_close(l);

	/* batch_max 1000 with a 150 ms timer: one append waits for the timer */
	l = log_open_with(dir, 1000, 150, 0);
	a[0].l = l;
	one_append_main(&a[0]);
	assert_int_equal(a[0].rc, RC_OK);
	assert_int_equal(a[0].index, 4);
	assert_true(a[0].ms >= 140);
	assert_true(a[0].ms < 5000);
	tlog_log_close(l);
	tmp_remove(dir);
}

static void bad_entries_and_options_are_refused(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log_opts o;
	struct tlog_log *l = NULL;
	char *big = calloc(1, 70000);
	uint64_t idx;
	struct err e;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(tlog_log_open(&o, &l, &e), RC_INVAL);
	o.dir = "/nonexistent/dir/for/test_log";
	o.signer = &log_key;
	assert_int_equal(tlog_log_open(&o, &l, &e), RC_NOTFOUND);
	l = log_open_with(dir, 0, 1, 0);
	assert_int_equal(tlog_log_append(l, &(struct tlog_entry){big, 65536}, 1, &idx, &e),
			 RC_TOOBIG);
	assert_string_equal(e.code, "entry_too_large");
	assert_int_equal(tlog_log_append(l, &(struct tlog_entry){big, 65535}, 1, &idx, &e),
			 RC_OK);
	assert_int_equal(idx, 0);
	assert_int_equal(tlog_log_append(l, &(struct tlog_entry){NULL, 0}, 1, &idx, &e), RC_OK);
	assert_int_equal(idx, 1);
	tlog_log_close(l);
	/* tiles without a checkpoint: no new log on top of them */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/checkpoint", dir);
		assert_int_equal(unlink(path), 0);
	}
	l = NULL;
	assert_int_equal(tlog_log_open(&o, &l, &e), RC_NOTFOUND);
	o.dir = dir;
	assert_int_equal(tlog_log_open(&o, &l, &e), RC_IO);
	assert_string_equal(e.code, "checkpoint_missing");
	free(big);
	tmp_remove(dir);
}

/* ---- a witness, for the client's sake (libmicrohttpd, as c2sp.org/tlog-witness) ---- */

struct fake_witness {
	struct MHD_Daemon *d;
	int port;
	struct tlog_signer key;       /* its cosigner key */
	struct tlog_verifier log;     /* the log it trusts */
	pthread_mutex_t mu;
	uint64_t size;                /* latest cosigned */
	uint8_t root[TLOG_HASH_SIZE];
	unsigned ok, conflicts, other;
};

struct fw_req {
	struct buf body;
};

static enum MHD_Result fw_reply(struct MHD_Connection *c, unsigned status, const char *type,
				const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
								  MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result fw_handle(void *cls, struct MHD_Connection *c, const char *url,
				 const char *method, const char *version, const char *data,
				 size_t *data_size, void **con_cls)
{
	struct fake_witness *w = cls;
	struct fw_req *q = *con_cls;
	struct tlog_witness_request r;
	struct buf out;
	struct err e;
	enum MHD_Result ret;
	int status = 500;

	(void)version;
	if (!q) {
		q = calloc(1, sizeof(*q));
		buf_init(&q->body, 1 << 20);
		*con_cls = q;
		return MHD_YES;
	}
	if (*data_size) {
		if (buf_append(&q->body, data, *data_size) != RC_OK)
			return MHD_NO;
		*data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0 || strcmp(url, "/add-checkpoint") != 0)
		return fw_reply(c, 404, "text/plain", "no\n", 3);
	tlog_witness_request_init(&r);
	buf_init(&out, 1 << 16);
	err_clear(&e);
	pthread_mutex_lock(&w->mu);
	if (tlog_witness_request_parse(&r, q->body.data, q->body.len, &e) != RC_OK)
		status = 400;
	else if (tlog_witness_check(&r, &w->log, 1, w->size, w->size ? w->root : NULL, &status,
				    &e) != RC_OK && status == 200)
		status = 500;
	if (status == 200 &&
	    tlog_cosig_sign(&out, &w->key, r.note.text, r.note.text_len, (uint64_t)time(NULL),
			    &e) == RC_OK) {
		w->size = r.ckpt.size;
		memcpy(w->root, r.ckpt.root, TLOG_HASH_SIZE);
		w->ok++;
		ret = fw_reply(c, 200, "text/plain; charset=utf-8", out.data, out.len);
	} else if (status == 409) {
		w->conflicts++;
		buf_clear(&out);
		assert_int_equal(buf_printf(&out, "%llu\n", (unsigned long long)w->size), RC_OK);
		ret = fw_reply(c, 409, "text/x.tlog.size", out.data, out.len);
	} else {
		w->other++;
		ret = fw_reply(c, (unsigned)status, "text/plain", e.message, strlen(e.message));
	}
	pthread_mutex_unlock(&w->mu);
	tlog_witness_request_release(&r);
	buf_release(&out);
	return ret;
}

static void fw_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct fw_req *q = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (q) {
		buf_release(&q->body);
		free(q);
	}
	*con_cls = NULL;
}

static void fw_start(struct fake_witness *w)
{
	const union MHD_DaemonInfo *info;
	struct err e;

	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	assert_int_equal(tlog_key_generate(&w->key, "witness.test.example", TLOG_KEY_COSIG, &e),
			 RC_OK);
	tlog_signer_verifier(&log_key, &w->log);
	w->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				fw_handle, w, MHD_OPTION_NOTIFY_COMPLETED, fw_done, NULL,
				MHD_OPTION_END);
	assert_non_null(w->d);
	info = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	w->port = info->port;
}

static void fw_stop(struct fake_witness *w)
{
	MHD_stop_daemon(w->d);
	pthread_mutex_destroy(&w->mu);
	tlog_signer_clear(&w->key);
}

/* Wait up to 10 s until the log's checkpoint has `size` and a line by `name`. */
static int wait_cosigned(struct tlog_log *l, uint64_t size, const char *name, struct buf *note)
{
	int64_t until = now_ms() + 10000;
	uint64_t got;
	struct err e;

	while (now_ms() < until) {
		buf_clear(note);
		assert_int_equal(tlog_log_checkpoint(l, &got, NULL, note, &e), RC_OK);
		if (got == size && strstr(note->data, name))
			return 1;
		usleep(10000);
	}
	return 0;
}

static void witnesses_cosign_new_checkpoints_and_appends_do_not_wait(void **state)
{
	char *dir = tmp_dir(), url[64], dead[64], *file;
	struct tlog_witness_conf wc[2];
	struct tlog_verifier keys[2];
	struct fake_witness w;
	struct tlog_log_opts o;
	struct tlog_checkpoint c;
	struct tlog_note n;
	struct tlog_log *l = NULL;
	struct buf vk, note, text;
	struct model m;
	struct err e;
	uint64_t size;
	size_t len;
	int64_t t0;

	(void)state;
	fw_start(&w);
	model_init(&m, 100);
	buf_init(&vk, 1024);
	buf_init(&note, 1 << 16);
	buf_init(&text, 1 << 16);
	tlog_signer_verifier(&w.key, &keys[1]);
	assert_int_equal(tlog_verifier_format(&keys[1], &vk), RC_OK);
	tlog_signer_verifier(&log_key, &keys[0]);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", w.port);
	snprintf(dead, sizeof(dead), "http://127.0.0.1:1");
	wc[0].url = url;
	wc[0].vkey = vk.data;
	wc[1].url = dead;
	wc[1].vkey = vk.data;
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.signer = &log_key;
	o.batch_ms = 1;
	o.witnesses = wc;
	o.nwitnesses = 2;
	assert_int_equal(tlog_log_open(&o, &l, &e), RC_OK);
	t0 = now_ms();
	append_some(l, &m, "w", 10, 3);
	assert_true(now_ms() - t0 < 2000); /* the dead witness holds nothing up */
	assert_true(wait_cosigned(l, 10, "witness.test.example", &note));
	/* both signatures verify, and the file is what the log serves */
	tlog_note_init(&n);
	assert_int_equal(tlog_note_open(&n, note.data, note.len, keys, 2, &e), RC_OK);
	assert_int_equal(n.nsigs, 2);
	assert_true(n.sigs[0].verified && n.sigs[1].verified);
	tlog_note_release(&n);
	file = file_read(dir, "checkpoint", &len);
	assert_int_equal(len, note.len);
	assert_memory_equal(file, note.data, len);
	free(file);
	/* every witness must cosign for tlog_log_witnessed: the dead one never does */
	assert_int_equal(tlog_log_witnessed(l, &size, NULL, NULL, &e), RC_NOTFOUND);
	tlog_log_close(l);

	/* Lose the witness state and the cosignature: the witness answers 409 with
	 * the size it holds, and the log proves consistency from there. */
	assert_int_equal(tlog_checkpoint_open(&c, NULL, note.data, note.len, ORIGIN, keys, 1, &e),
			 RC_OK);
	assert_int_equal(tlog_checkpoint_format(&c, &text), RC_OK);
	buf_clear(&note);
	assert_int_equal(tlog_note_sign(&note, &log_key, text.data, text.len, &e), RC_OK);
	file_write(dir, "checkpoint", note.data, note.len);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/witness-state", dir);
		assert_int_equal(unlink(path), 0);
	}
	o.nwitnesses = 1;
	l = NULL;
	assert_int_equal(tlog_log_open(&o, &l, &e), RC_OK);
	append_some(l, &m, "v", 7, 2);
	assert_true(wait_cosigned(l, 17, "witness.test.example", &note));
	pthread_mutex_lock(&w.mu);
	assert_true(w.conflicts >= 1);
	assert_int_equal(w.size, 17);
	assert_int_equal(w.other, 0);
	pthread_mutex_unlock(&w.mu);
	buf_clear(&note);
	assert_int_equal(tlog_log_witnessed(l, &size, NULL, &note, &e), RC_OK);
	assert_int_equal(size, 17);
	tlog_log_close(l);
	file = file_read(dir, "witness-state", &len);
	assert_non_null(file);
	assert_non_null(strstr(file, " 17\n"));
	free(file);

	buf_release(&vk);
	buf_release(&note);
	buf_release(&text);
	model_free(&m);
	fw_stop(&w);
	tmp_remove(dir);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_empty_directory_starts_at_size_0_with_a_signed_checkpoint),
		cmocka_unit_test(concurrent_appends_get_consecutive_indexes_and_the_right_root),
		cmocka_unit_test(a_tree_past_65536_leaves_has_level_2_tiles_identical_to_tile_build),
		cmocka_unit_test(entries_read_back_and_hashes_come_from_the_tiles),
		cmocka_unit_test(reopening_resumes_at_the_same_size_and_root),
		cmocka_unit_test(a_crash_past_the_checkpoint_recovers_to_the_checkpoint),
		cmocka_unit_test(tampered_tiles_and_bundles_are_reported_with_their_paths),
		cmocka_unit_test(a_flipped_byte_in_any_partial_file_is_reported_with_its_path),
		cmocka_unit_test(a_second_writer_is_refused_and_readers_need_no_lock),
		cmocka_unit_test(a_batch_closes_at_batch_max_or_after_batch_ms),
		cmocka_unit_test(bad_entries_and_options_are_refused),
		cmocka_unit_test(witnesses_cosign_new_checkpoints_and_appends_do_not_wait),
	};
	struct err e;
	int failed;

	if (sodium_init() < 0)
		return 1;
	if (tlog_key_generate(&log_key, ORIGIN, TLOG_KEY_ED25519, &e) != RC_OK)
		return 1;
	failed = cmocka_run_group_tests_name("log", tests, NULL, NULL);
	tlog_signer_clear(&log_key);
	return failed;
}
