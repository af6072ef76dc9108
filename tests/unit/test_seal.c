/* test_seal.c - unit tests of integrating seals into the log: crash recovery and concurrent callers never append a leaf twice; what a seal keeps (a secret, and its leaf only until the log holds it). */
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
#include "evidence/leaf.h"
#include "evidence/seal.h"
#include "store/store.h"
#include "tlog/log.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

#include "store_fixture.h"

#define ORIGIN "test.example/seal"

static struct tlog_signer log_key;

/* The group's backend: 0 SQLite, 1 PostgreSQL (a fresh database of DISPUTED_TEST_PG per test). */
static int on_pg;

struct fix {
	char dir[64];             /* the data directory */
	char db[512];             /* its database: a file, or a URL */
	char pg_name[40];         /* the PostgreSQL database, "" on SQLite */
	struct store *st;
	struct tlog_log *log;
};

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fix_open(struct fix *f, int create)
{
	struct tlog_log_opts o;
	struct err e;

	err_clear(&e);
	if (store_open(f->db, create, &f->st, &e) != RC_OK)
		fail_msg("store_open: %s", e.message);
	memset(&o, 0, sizeof(o));
	o.dir = f->dir;
	o.signer = &log_key;
	o.batch_ms = 1;
	if (tlog_log_open(&o, &f->log, &e) != RC_OK)
		fail_msg("tlog_log_open: %s", e.message);
}

static void fix_close(struct fix *f)
{
	tlog_log_close(f->log);
	store_close(f->st);
	f->log = NULL;
	f->st = NULL;
}

static void fix_init(struct fix *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_seal.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->pg_name[0] = '\0';
	if (on_pg)
		store_pg_create_db(f->pg_name, f->db, sizeof(f->db));
	else
		snprintf(f->db, sizeof(f->db), "%s/disputed.db", f->dir);
	fix_open(f, 1);
}

static void fix_remove(struct fix *f)
{
	fix_close(f);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (f->pg_name[0])
		store_pg_drop_db(f->pg_name);
}

/* A pending seal whose leaf is `leaf` (any bytes: the log does not read them); its row. */
static int64_t seal_add(struct store *st, const char *leaf)
{
	uint8_t h[TLOG_HASH_SIZE];
	struct store_seal row;
	int64_t seq = 0;
	struct err e;

	memset(&row, 0, sizeof(row));
	tlog_leaf_hash(leaf, strlen(leaf), h);
	sodium_bin2base64(row.leaf_hash, sizeof(row.leaf_hash), h, sizeof(h),
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(row.kind, sizeof(row.kind), "message");
	snprintf(row.record_id, sizeof(row.record_id), "rec_%s", leaf);
	row.leaf = (unsigned char *)leaf;
	row.leaf_len = strlen(leaf);
	row.salts = "{}";
	row.created_at = 1;
	row.chain_seq = -1;
	err_clear(&e);
	assert_int_equal(store_begin(st, &e), RC_OK);
	assert_int_equal(store_seal_add(st, &row, &seq, &e), RC_OK);
	assert_int_equal(store_end(st, 1, &e), RC_OK);
	return seq;
}

static int64_t seal_index(struct store *st, int64_t seq)
{
	struct store_seal s;
	struct err e;
	int64_t index;

	err_clear(&e);
	assert_int_equal(store_begin(st, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(st, seq, &s, &e), RC_OK);
	assert_int_equal(store_end(st, 0, NULL), RC_OK);
	index = s.leaf_index;
	store_seal_release(&s);
	return index;
}

static uint64_t log_size_of(struct tlog_log *l)
{
	uint64_t size = 0;
	struct err e;

	assert_int_equal(tlog_log_checkpoint(l, &size, NULL, NULL, &e), RC_OK);
	return size;
}

/* Every entry of the log is a different leaf, and entry `index` is `leaf`. */
static void assert_log_once(struct tlog_log *l, uint64_t index, const char *leaf)
{
	uint64_t size = log_size_of(l), i, j, hits = 0;
	struct buf a, b;
	struct err e;

	buf_init(&a, 1 << 16);
	buf_init(&b, 1 << 16);
	for (i = 0; i < size; i++) {
		buf_clear(&a);
		assert_int_equal(tlog_log_entry(l, i, &a, &e), RC_OK);
		if (a.len == strlen(leaf) && memcmp(a.data, leaf, a.len) == 0) {
			hits++;
			assert_int_equal(i, index);
		}
		for (j = i + 1; j < size; j++) {
			buf_clear(&b);
			assert_int_equal(tlog_log_entry(l, j, &b, &e), RC_OK);
			if (a.len == b.len && memcmp(a.data, b.data, a.len) == 0)
				fail_msg("entries %llu and %llu are the same leaf",
					 (unsigned long long)i, (unsigned long long)j);
		}
	}
	assert_int_equal(hits, 1);
	buf_release(&a);
	buf_release(&b);
}

static void a_crash_after_the_append_gets_the_existing_index_not_a_second_leaf(void **state)
{
	struct tlog_entry ent[2];
	struct fix f;
	struct err e;
	int64_t s0, s1, s2, s3, matched = -1, count = -1;
	uint64_t idx[2];

	(void)state;
	fix_init(&f);
	s0 = seal_add(f.st, "leaf-zero");
	err_clear(&e);
	assert_int_equal(seal_wait(f.st, f.log, &s0, 1, &e), RC_OK);
	assert_int_equal(seal_index(f.st, s0), 0);

	/* Two more seals reach the log; the crash comes before the store records where. */
	s1 = seal_add(f.st, "leaf-one");
	s2 = seal_add(f.st, "leaf-two");
	ent[0].data = "leaf-one";
	ent[0].len = strlen("leaf-one");
	ent[1].data = "leaf-two";
	ent[1].len = strlen("leaf-two");
	assert_int_equal(tlog_log_append(f.log, ent, 2, idx, &e), RC_OK);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	s3 = seal_add(f.st, "leaf-three"); /* pending, never appended */
	fix_close(&f);

	fix_open(&f, 0);
	assert_int_equal(seal_index(f.st, s1), -1);
	assert_int_equal(seal_recover(f.st, f.log, &matched, &e), RC_OK);
	assert_int_equal(matched, 2);
	assert_int_equal(seal_index(f.st, s1), 1);
	assert_int_equal(seal_index(f.st, s2), 2);
	assert_int_equal(seal_index(f.st, s3), -1);
	assert_int_equal(log_size_of(f.log), 3);
	/* the sweep (and any request) now appends only what the log lacks */
	assert_int_equal(seal_pending(f.st, f.log, INT64_MAX, &count, &e), RC_OK);
	assert_int_equal(count, 1);
	assert_int_equal(seal_index(f.st, s3), 3);
	assert_int_equal(seal_wait(f.st, f.log, &s1, 1, &e), RC_OK);
	assert_int_equal(log_size_of(f.log), 4);
	assert_log_once(f.log, 0, "leaf-zero");
	assert_log_once(f.log, 1, "leaf-one");
	assert_log_once(f.log, 2, "leaf-two");
	assert_log_once(f.log, 3, "leaf-three");
	/* a second recovery finds nothing more */
	assert_int_equal(seal_recover(f.st, f.log, &matched, &e), RC_OK);
	assert_int_equal(matched, 0);
	fix_remove(&f);
}

static void recovery_finds_a_leaf_below_an_index_recorded_after_it(void **state)
{
	struct tlog_entry ent;
	struct fix f;
	struct err e;
	int64_t a, b, matched = -1;
	uint64_t idx;

	(void)state;
	fix_init(&f);
	/* a's append returns first, b's after; b's index is recorded, then the crash */
	a = seal_add(f.st, "leaf-a");
	b = seal_add(f.st, "leaf-b");
	ent.data = "leaf-a";
	ent.len = strlen("leaf-a");
	err_clear(&e);
	assert_int_equal(tlog_log_append(f.log, &ent, 1, &idx, &e), RC_OK);
	assert_int_equal(seal_wait(f.st, f.log, &b, 1, &e), RC_OK);
	assert_int_equal(seal_index(f.st, b), 1);
	fix_close(&f);

	fix_open(&f, 0);
	assert_int_equal(seal_recover(f.st, f.log, &matched, &e), RC_OK);
	assert_int_equal(matched, 1);
	assert_int_equal(seal_index(f.st, a), 0);
	assert_int_equal(seal_wait(f.st, f.log, &a, 1, &e), RC_OK);
	assert_int_equal(log_size_of(f.log), 2);
	assert_log_once(f.log, 0, "leaf-a");
	fix_remove(&f);
}

/* The mark recovery keeps of how far it reconciled the log: "" if there is none. */
static void mark_get(struct store *st, char *out, size_t cap)
{
	char *v = NULL;
	struct err e;

	out[0] = '\0';
	assert_int_equal(store_begin(st, &e), RC_OK);
	if (store_meta_get(st, "seals_recovered_through", &v, &e) == RC_OK)
		snprintf(out, cap, "%s", v);
	assert_int_equal(store_end(st, 0, NULL), RC_OK);
	free(v);
}

static void mark_set(struct store *st, const char *v)
{
	struct err e;

	assert_int_equal(store_begin(st, &e), RC_OK);
	assert_int_equal(store_meta_set(st, "seals_recovered_through", v, &e), RC_OK);
	assert_int_equal(store_end(st, 1, &e), RC_OK);
}

/*
 * Recovery keeps how far it reconciled the log and starts the next time
 * from there, so a server's start does not read every recorded index of a
 * large log; a mark it cannot trust (not a number, past the log's end)
 * sends it back to the first entry.
 */
static void recovery_starts_where_the_last_one_reached(void **state)
{
	struct tlog_entry ent;
	struct fix f;
	struct err e;
	char mark[32];
	int64_t a, matched = -1;
	uint64_t idx;

	(void)state;
	fix_init(&f);
	a = seal_add(f.st, "leaf-a");
	ent.data = "leaf-a";
	ent.len = strlen("leaf-a");
	err_clear(&e);
	assert_int_equal(tlog_log_append(f.log, &ent, 1, &idx, &e), RC_OK);
	fix_close(&f); /* the crash: appended, its index not recorded */

	fix_open(&f, 0);
	mark_get(f.st, mark, sizeof(mark));
	assert_string_equal(mark, "");
	/* a mark past the entry: recovery trusts it and looks only after it */
	mark_set(f.st, "1");
	assert_int_equal(seal_recover(f.st, f.log, &matched, &e), RC_OK);
	assert_int_equal(matched, 0);
	assert_int_equal(seal_index(f.st, a), -1);
	/* marks it cannot trust: from the first entry, which it then records */
	mark_set(f.st, "2");
	assert_int_equal(seal_recover(f.st, f.log, &matched, &e), RC_OK);
	assert_int_equal(matched, 1);
	assert_int_equal(seal_index(f.st, a), 0);
	mark_get(f.st, mark, sizeof(mark));
	assert_string_equal(mark, "1");
	mark_set(f.st, "1x");
	assert_int_equal(seal_recover(f.st, f.log, &matched, &e), RC_OK);
	assert_int_equal(matched, 0);
	mark_get(f.st, mark, sizeof(mark));
	assert_string_equal(mark, "1");
	assert_int_equal(seal_wait(f.st, f.log, &a, 1, &e), RC_OK);
	assert_int_equal(log_size_of(f.log), 1);
	assert_log_once(f.log, 0, "leaf-a");
	fix_remove(&f);
}

static void a_clean_close_moves_the_mark_only_when_no_seal_is_pending(void **state)
{
	struct fix f;
	struct err e;
	char mark[32];
	int64_t a, b;

	(void)state;
	fix_init(&f);
	err_clear(&e);
	a = seal_add(f.st, "leaf-a");
	assert_int_equal(seal_wait(f.st, f.log, &a, 1, &e), RC_OK);
	b = seal_add(f.st, "leaf-b"); /* committed, not yet in the log */
	mark_set(f.st, "0");
	assert_int_equal(seal_close_mark(f.st, f.log, &e), RC_OK);
	mark_get(f.st, mark, sizeof(mark));
	assert_string_equal(mark, "0");
	assert_int_equal(seal_wait(f.st, f.log, &b, 1, &e), RC_OK);
	assert_int_equal(seal_close_mark(f.st, f.log, &e), RC_OK);
	mark_get(f.st, mark, sizeof(mark));
	assert_string_equal(mark, "2");
	assert_int_equal(log_size_of(f.log), 2);
	assert_int_equal(seal_index(f.st, a), 0);
	assert_int_equal(seal_index(f.st, b), 1);
	fix_remove(&f);
}

#define RACE_SEALS 40
#define RACE_THREADS 6

struct race {
	struct fix *f;
	int64_t *seqs;
	int sweeper;
	int rc;
};

static void *race_main(void *arg)
{
	struct race *r = arg;
	struct err e;
	int64_t count;
	int i;

	err_clear(&e);
	for (i = 0; i < 5 && !r->rc; i++) {
		if (r->sweeper)
			r->rc = seal_pending(r->f->st, r->f->log, INT64_MAX, &count, &e);
		else
			r->rc = seal_wait(r->f->st, r->f->log, r->seqs, RACE_SEALS, &e);
	}
	return NULL;
}

static void request_threads_and_the_sweeper_never_append_a_seal_twice(void **state)
{
	pthread_t th[RACE_THREADS];
	struct race r[RACE_THREADS];
	int64_t seqs[RACE_SEALS];
	char leaf[32];
	struct fix f;
	int i;

	(void)state;
	fix_init(&f);
	for (i = 0; i < RACE_SEALS; i++) {
		snprintf(leaf, sizeof(leaf), "race-%d", i);
		seqs[i] = seal_add(f.st, leaf);
	}
	/* the same seals from every thread, two of them sweeping, all at once */
	for (i = 0; i < RACE_THREADS; i++) {
		r[i].f = &f;
		r[i].seqs = seqs;
		r[i].sweeper = i < 2;
		r[i].rc = 0;
		assert_int_equal(pthread_create(&th[i], NULL, race_main, &r[i]), 0);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].rc, RC_OK);
	}
	assert_int_equal(log_size_of(f.log), RACE_SEALS);
	for (i = 0; i < RACE_SEALS; i++) {
		int64_t index = seal_index(f.st, seqs[i]);

		assert_true(index >= 0 && index < RACE_SEALS);
		snprintf(leaf, sizeof(leaf), "race-%d", i);
		assert_log_once(f.log, (uint64_t)index, leaf);
	}
	fix_remove(&f);
}

/* Once the log holds a seal's leaf, the seal keeps none: the log's entry is the one copy. */
static void an_integrated_seal_keeps_no_leaf_and_reads_it_from_the_log(void **state)
{
	struct fix f;
	struct store_seal s;
	struct err e;
	int64_t seq;

	(void)state;
	fix_init(&f);
	err_clear(&e);
	seq = seal_add(f.st, "leaf-lean");
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(f.st, seq, &s, &e), RC_OK);
	assert_int_equal(store_end(f.st, 0, NULL), RC_OK);
	assert_int_equal(s.leaf_len, strlen("leaf-lean")); /* pending: kept for the append */
	assert_int_equal(seal_leaf(f.log, &s, &e), RC_OK);
	assert_memory_equal(s.leaf, "leaf-lean", s.leaf_len);
	store_seal_release(&s);

	assert_int_equal(seal_wait(f.st, f.log, &seq, 1, &e), RC_OK);
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(f.st, seq, &s, &e), RC_OK);
	assert_int_equal(store_end(f.st, 0, NULL), RC_OK);
	assert_int_equal(s.leaf_index, 0);
	assert_int_equal(s.leaf_len, 0);                   /* integrated: the log's copy only */
	assert_int_equal(seal_leaf(f.log, &s, &e), RC_OK);
	assert_int_equal(s.leaf_len, strlen("leaf-lean"));
	assert_memory_equal(s.leaf, "leaf-lean", s.leaf_len);

	/* an entry that is not the seal's leaf (a moved index, an edited entry) is refused */
	s.leaf_len = 0;
	snprintf(s.leaf_hash, sizeof(s.leaf_hash), "%043d=", 0);
	assert_int_equal(seal_leaf(f.log, &s, &e), RC_IO);
	assert_string_equal(e.code, "leaf_mismatch");
	/* a pending seal that lost its leaf has none to give */
	s.leaf_index = -1;
	assert_int_equal(seal_leaf(f.log, &s, &e), RC_NOTFOUND);
	store_seal_release(&s);
	fix_remove(&f);
}

/* seal_record keeps 32 bytes of secret and no salts; the salts it derives rebuild the leaf. */
static void a_sealed_record_keeps_a_secret_whose_salts_rebuild_its_leaf(void **state)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "object", "merchant", "id",
				 "mer_lean", "created_at", "2025-10-01T08:00:00Z", "legal_name",
				 "福州测试商贸有限公司", "contact", "phone", "+86 591 8888 0000");
	json_t *salts = NULL, *decoded = NULL;
	struct seal_parts parts;
	struct leaf_head h;
	struct store_seal s;
	struct buf again;
	struct fix f;
	struct err e;
	int64_t seq = 0;

	(void)state;
	fix_init(&f);
	err_clear(&e);
	buf_init(&again, LEAF_MAX);
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	assert_int_equal(seal_record(f.st, "merchant", body, 0, &seq, &e), RC_OK);
	assert_int_equal(store_end(f.st, 1, &e), RC_OK);
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(f.st, seq, &s, &e), RC_OK);
	assert_int_equal(store_end(f.st, 0, NULL), RC_OK);
	assert_true(s.has_secret);
	assert_string_equal(s.salts, "");
	assert_int_equal(seal_parts_of("merchant", body, &parts, &e), RC_OK);
	assert_int_equal(seal_salts(&s, parts.fields, &salts, &e), RC_OK);
	assert_int_equal(json_object_size(salts), 2);  /* legal_name, contact.phone */
	assert_int_equal(leaf_decode((const char *)s.leaf, s.leaf_len, &decoded, &e), RC_OK);
	leaf_head_of(decoded, &h);
	assert_int_equal(leaf_rebuild(&h, parts.fields, parts.blobs, salts, &again, &e), RC_OK);
	assert_int_equal(again.len, s.leaf_len);
	assert_memory_equal(again.data, s.leaf, s.leaf_len);
	/* another record's secret: other salts */
	{
		struct store_seal other = s;
		json_t *osalts = NULL;

		other.secret[0] ^= 1;
		assert_int_equal(seal_salts(&other, parts.fields, &osalts, &e), RC_OK);
		assert_string_not_equal(json_string_value(json_object_get(osalts, "legal_name")),
					json_string_value(json_object_get(salts, "legal_name")));
		json_decref(osalts);
	}
	seal_parts_release(&parts);
	json_decref(salts);
	json_decref(decoded);
	json_decref(body);
	buf_release(&again);
	store_seal_release(&s);
	fix_remove(&f);
}

/*
 * A leaf prepared off the writer (seal_prep): the seal of its kind takes
 * the prep's secret, once (a second seal of the kind draws its own), the
 * field the prep foresaw wrongly is committed to anew, and the stored
 * leaf is the one its salts rebuild.
 */
static void a_prepared_seal_takes_its_secret_once_and_rebuilds_the_same_leaf(void **state)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "object", "merchant", "id",
				 "mer_prep", "created_at", "2025-10-01T08:00:00Z", "legal_name",
				 "福州测试商贸有限公司", "contact", "phone", "+86 591 8888 0000");
	json_t *guess = json_pack("{s:s, s:{s:s}}", "legal_name", "福州测试商贸有限公司",
				  "contact", "phone", "guessed wrong");
	json_t *salts = NULL, *decoded = NULL;
	struct seal_prep prep;
	struct seal_parts parts;
	struct leaf_head h;
	struct store_seal s, s2;
	struct buf again;
	struct fix f;
	struct err e;
	int64_t seq = 0, seq2 = 0;

	(void)state;
	fix_init(&f);
	err_clear(&e);
	memset(&prep, 0, sizeof(prep));
	buf_init(&again, LEAF_MAX);
	assert_int_equal(seal_prep_add(&prep, "merchant", guess, NULL, &e), RC_OK);
	assert_int_equal(prep.n, 1);
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	seal_prep_use(&prep);
	assert_int_equal(seal_record(f.st, "merchant", body, 0, &seq, &e), RC_OK);
	json_object_set_new(body, "id", json_string("mer_prep2"));
	assert_int_equal(seal_record(f.st, "merchant", body, 0, &seq2, &e), RC_OK);
	seal_prep_use(NULL);
	assert_int_equal(store_end(f.st, 1, &e), RC_OK);
	assert_true(prep.s[0].used);
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(f.st, seq, &s, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(f.st, seq2, &s2, &e), RC_OK);
	assert_int_equal(store_end(f.st, 0, NULL), RC_OK);
	assert_memory_equal(s.secret, prep.s[0].secret, LEAF_SECRET_SIZE);
	assert_memory_not_equal(s2.secret, prep.s[0].secret, LEAF_SECRET_SIZE);
	json_object_set_new(body, "id", json_string("mer_prep"));
	assert_int_equal(seal_parts_of("merchant", body, &parts, &e), RC_OK);
	assert_int_equal(seal_salts(&s, parts.fields, &salts, &e), RC_OK);
	assert_int_equal(leaf_decode((const char *)s.leaf, s.leaf_len, &decoded, &e), RC_OK);
	leaf_head_of(decoded, &h);
	assert_int_equal(leaf_rebuild(&h, parts.fields, parts.blobs, salts, &again, &e), RC_OK);
	assert_int_equal(again.len, s.leaf_len);
	assert_memory_equal(again.data, s.leaf, s.leaf_len);
	seal_prep_release(&prep);
	assert_int_equal(prep.n, 0);
	seal_parts_release(&parts);
	json_decref(salts);
	json_decref(decoded);
	json_decref(body);
	json_decref(guess);
	buf_release(&again);
	store_seal_release(&s);
	store_seal_release(&s2);
	fix_remove(&f);
}

/* Seal `merchant` and then `order` in the open transaction; the order's first link and the merchant's leaf hash. */
static void seal_merchant_and_order(struct store *st, json_t *merchant, json_t *order,
				    char link[48], char merchant_hash[48])
{
	struct store_seal ms, os;
	json_t *decoded = NULL;
	int64_t mseq = 0, oseq = 0;
	struct err e;

	err_clear(&e);
	assert_int_equal(seal_record(st, "merchant", merchant, 0, &mseq, &e), RC_OK);
	assert_int_equal(seal_record(st, "order", order, 0, &oseq, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(st, mseq, &ms, &e), RC_OK);
	assert_int_equal(store_seal_by_seq(st, oseq, &os, &e), RC_OK);
	assert_int_equal(leaf_decode((const char *)os.leaf, os.leaf_len, &decoded, &e), RC_OK);
	assert_int_equal(json_array_size(json_object_get(decoded, "links")), 1);
	snprintf(link, 48, "%s", json_string_value(json_array_get(json_object_get(decoded, "links"), 0)));
	snprintf(merchant_hash, 48, "%s", ms.leaf_hash);
	json_decref(decoded);
	store_seal_release(&ms);
	store_seal_release(&os);
}

/*
 * An order links the leaf of its merchant's version as its own
 * transaction sees it. The leaf hashes an order links are kept aside
 * between orders; a seal that a rollback (of the transaction, or of a
 * savepoint) took back and that was made again, under another secret, is
 * linked as made again.
 */
static void an_order_links_the_merchant_seal_made_again_after_a_rollback(void **state)
{
	json_t *merchant = json_pack("{s:s, s:s, s:i, s:s, s:s}", "object", "merchant", "id",
				     "mer_link", "version", 2, "created_at", "2025-10-01T08:00:00Z",
				     "legal_name", "福州测试商贸有限公司");
	json_t *order = json_pack("{s:s, s:s, s:s, s:i, s:s, s:[]}", "object", "order", "id",
				  "ord_link1", "merchant", "mer_link", "merchant_version", 2,
				  "created_at", "2025-10-02T08:00:00Z", "items");
	char link[48], hash[48], before[48];
	struct fix f;
	struct err e;

	(void)state;
	fix_init(&f);
	err_clear(&e);
	/* a transaction that rolls back */
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	seal_merchant_and_order(f.st, merchant, order, link, hash);
	assert_string_equal(link, hash);
	snprintf(before, sizeof(before), "%s", hash);
	assert_int_equal(store_end(f.st, 0, NULL), RC_OK);
	/* made again: another secret, another leaf */
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	json_object_set_new(order, "id", json_string("ord_link2"));
	seal_merchant_and_order(f.st, merchant, order, link, hash);
	assert_string_not_equal(hash, before);
	assert_string_equal(link, hash);
	assert_int_equal(store_end(f.st, 1, &e), RC_OK);
	/* committed: a later order links the same leaf */
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	{
		json_t *later = json_pack("{s:s, s:s, s:s, s:i, s:s, s:[]}", "object", "order", "id",
					  "ord_link3", "merchant", "mer_link", "merchant_version", 2,
					  "created_at", "2025-10-03T08:00:00Z", "items");
		struct store_seal os;
		json_t *decoded = NULL;
		int64_t oseq = 0;

		assert_int_equal(seal_record(f.st, "order", later, 0, &oseq, &e), RC_OK);
		assert_int_equal(store_seal_by_seq(f.st, oseq, &os, &e), RC_OK);
		assert_int_equal(leaf_decode((const char *)os.leaf, os.leaf_len, &decoded, &e), RC_OK);
		assert_string_equal(json_string_value(json_array_get(json_object_get(decoded, "links"), 0)),
				    hash);
		json_decref(decoded);
		json_decref(later);
		store_seal_release(&os);
	}
	assert_int_equal(store_end(f.st, 1, &e), RC_OK);
	/* a savepoint rolled back inside a transaction, then version 3 made twice */
	json_object_set_new(merchant, "version", json_integer(3));
	json_object_set_new(order, "merchant_version", json_integer(3));
	assert_int_equal(store_begin(f.st, &e), RC_OK);
	assert_int_equal(store_savepoint(f.st, &e), RC_OK);
	json_object_set_new(order, "id", json_string("ord_link4"));
	seal_merchant_and_order(f.st, merchant, order, link, hash);
	snprintf(before, sizeof(before), "%s", hash);
	assert_int_equal(store_savepoint_end(f.st, 0, &e), RC_OK);
	json_object_set_new(order, "id", json_string("ord_link5"));
	seal_merchant_and_order(f.st, merchant, order, link, hash);
	assert_string_not_equal(hash, before);
	assert_string_equal(link, hash);
	assert_int_equal(store_end(f.st, 1, &e), RC_OK);
	json_decref(merchant);
	json_decref(order);
	fix_remove(&f);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_crash_after_the_append_gets_the_existing_index_not_a_second_leaf),
		cmocka_unit_test(recovery_finds_a_leaf_below_an_index_recorded_after_it),
		cmocka_unit_test(recovery_starts_where_the_last_one_reached),
		cmocka_unit_test(a_clean_close_moves_the_mark_only_when_no_seal_is_pending),
		cmocka_unit_test(request_threads_and_the_sweeper_never_append_a_seal_twice),
		cmocka_unit_test(an_integrated_seal_keeps_no_leaf_and_reads_it_from_the_log),
		cmocka_unit_test(a_sealed_record_keeps_a_secret_whose_salts_rebuild_its_leaf),
		cmocka_unit_test(a_prepared_seal_takes_its_secret_once_and_rebuilds_the_same_leaf),
		cmocka_unit_test(an_order_links_the_merchant_seal_made_again_after_a_rollback),
	};
	struct err e;
	int failed;

	if (sodium_init() < 0)
		return 1;
	if (tlog_key_generate(&log_key, ORIGIN, TLOG_KEY_ED25519, &e) != RC_OK)
		return 1;
	failed = cmocka_run_group_tests_name("seal on SQLite", tests, NULL, NULL);
	if (store_test_pg()) {
		on_pg = 1;
		failed += cmocka_run_group_tests_name("seal on PostgreSQL", tests, NULL, NULL);
	} else {
		printf("seal on PostgreSQL: skipped, DISPUTED_TEST_PG is not set\n");
	}
	tlog_signer_clear(&log_key);
	return failed;
}
