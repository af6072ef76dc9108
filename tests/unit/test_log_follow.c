/* test_log_follow.c - unit tests of a read-only log that follows its writer: the same checkpoint, proofs and tiles as the writer's, rewound and forged checkpoints refused, readers on threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
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

/* Most leaves a test appends: past a full pack of 65,536. */
#define LOG_FIXTURE_LEAVES 70000
#include "log_fixture.h"

/* Open a log on `dir`: the writer (read_only 0), or a reader following every `follow_ms`. */
static struct tlog_log *open_log(const char *dir, int read_only, unsigned follow_ms)
{
	return fixture_log_open(dir, read_only, follow_ms, 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Read file `name` under `dir` into `out` (emptied first). */
static void file_get(const char *dir, const char *name, struct buf *out)
{
	char path[512], chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	buf_clear(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(out, chunk, n), RC_OK);
	fclose(f);
}

/* Replace DIR/checkpoint with `data` as the writer does: a new file renamed into place. */
static void ckpt_put(const char *dir, const void *data, size_t len)
{
	char tmp[512], path[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/checkpoint.test", dir);
	snprintf(path, sizeof(path), "%s/checkpoint", dir);
	f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* The follower's checkpoint (size, root and note) is the writer's. */
static void assert_same_checkpoint(struct tlog_log *w, struct tlog_log *f)
{
	uint8_t wroot[TLOG_HASH_SIZE], froot[TLOG_HASH_SIZE];
	uint64_t wsize, fsize;
	struct buf wnote, fnote;
	struct err e;

	buf_init(&wnote, 65536);
	buf_init(&fnote, 65536);
	err_clear(&e);
	assert_int_equal(tlog_log_checkpoint(w, &wsize, wroot, &wnote, &e), RC_OK);
	assert_int_equal(tlog_log_checkpoint(f, &fsize, froot, &fnote, &e), RC_OK);
	assert_int_equal(fsize, wsize);
	assert_memory_equal(froot, wroot, TLOG_HASH_SIZE);
	assert_int_equal(fnote.len, wnote.len);
	assert_memory_equal(fnote.data, wnote.data, wnote.len);
	buf_release(&wnote);
	buf_release(&fnote);
}

/*
 * At `size`, the follower's proofs equal the writer's and verify against
 * the reference root, its entries are the appended ones, and the tiles it
 * serves from its cache equal the writer's files.
 */
static void assert_follower_proves(struct tlog_log *w, struct tlog_log *f, const char *dir,
				   uint64_t size)
{
	struct tlog_proof got, want;
	uint8_t root[TLOG_HASH_SIZE], h[TLOG_HASH_SIZE], ref[TLOG_HASH_SIZE];
	uint64_t picks[5], k;
	char text[24], path[TLOG_TILE_PATH_MAX];
	struct buf entry, tile, file;
	struct tlog_tile t;
	struct err e;

	err_clear(&e);
	assert_int_equal(tlog_tree_root(size, scratch_hash, NULL, root, &e), RC_OK);
	picks[0] = 0;
	picks[1] = size - 1;
	picks[2] = size / 2;
	picks[3] = size > 256 ? size - 257 : size / 3;
	picks[4] = (size * 7919) % size;
	buf_init(&entry, 65536);
	for (k = 0; k < 5; k++) {
		assert_int_equal(tlog_log_prove_inclusion(f, picks[k], size, &got, &e), RC_OK);
		assert_int_equal(tlog_log_prove_inclusion(w, picks[k], size, &want, &e), RC_OK);
		assert_int_equal(got.n, want.n);
		assert_memory_equal(got.hash, want.hash, got.n * TLOG_HASH_SIZE);
		assert_int_equal(tlog_verify_inclusion(picks[k], size, leaves[picks[k]], &got, root,
						       &e),
				 RC_OK);
		assert_int_equal(tlog_log_prove_consistency(f, picks[k] + 1, size, &got, &e), RC_OK);
		assert_int_equal(tlog_prove_consistency(picks[k] + 1, size, scratch_hash, NULL, &want,
							&e),
				 RC_OK);
		assert_int_equal(got.n, want.n);
		assert_memory_equal(got.hash, want.hash, got.n * TLOG_HASH_SIZE);
		buf_clear(&entry);
		assert_int_equal(tlog_log_entry(f, picks[k], &entry, &e), RC_OK);
		assert_int_equal(entry.len, entry_of(picks[k], text));
		assert_memory_equal(entry.data, text, entry.len);
	}
	buf_release(&entry);
	/* the right-edge tiles of levels 0 and 1, and a subtree hash on each */
	buf_init(&tile, 65536);
	buf_init(&file, 65536);
	for (t.level = 0; t.level < 2; t.level++) {
		uint64_t hashes = size >> (8 * t.level);

		if (hashes == 0)
			continue;
		t.index = (hashes - 1) / 256;
		t.width = tlog_tile_width(t.level, t.index, size);
		buf_clear(&tile);
		if (tlog_log_tile_cached(f, &t, &tile, &e) == RC_OK) {
			assert_int_equal(tlog_tile_path(&t, path), RC_OK);
			file_get(dir, path, &file);
			assert_int_equal(tile.len, file.len);
			assert_memory_equal(tile.data, file.data, file.len);
		}
		assert_int_equal(tlog_log_hash(f, 8 * (uint64_t)t.level, hashes - 1, h, &e), RC_OK);
		scratch_hash(NULL, 8 * (uint64_t)t.level, hashes - 1, ref);
		assert_memory_equal(h, ref, TLOG_HASH_SIZE);
	}
	buf_release(&tile);
	buf_release(&file);
}

/* Sizes across tile and pack boundaries. */
static const uint64_t steps[] = {1, 255, 256, 257, 300, 511, 512, 65535, 65536, 65537, 66000};

static void followers_see_what_the_writer_appends_across_tiles_and_packs(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *f = open_log(dir, 1, 1), *snap = open_log(dir, 1, 0);
	uint64_t size, prev = 0;
	struct err e;
	size_t i;

	(void)state;
	err_clear(&e);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		append_range(w, prev, steps[i]);
		/* the snapshot stays where it was until refreshed */
		assert_int_equal(tlog_log_checkpoint(snap, &size, NULL, NULL, &e), RC_OK);
		assert_int_equal(size, prev);
		if (prev)
			assert_int_equal(tlog_log_prove_inclusion(snap, 0, steps[i], NULL, &e),
					 RC_INVAL);
		assert_int_equal(tlog_log_refresh(snap, &e), RC_OK);
		assert_same_checkpoint(w, snap);
		assert_follower_proves(w, snap, dir, steps[i]);
		/* the follower looks again once follow_ms has passed */
		sleep_ms(3);
		assert_same_checkpoint(w, f);
		assert_follower_proves(w, f, dir, steps[i]);
		prev = steps[i];
	}
	/* nothing changed: a refresh keeps the view */
	assert_int_equal(tlog_log_refresh(f, &e), RC_OK);
	assert_same_checkpoint(w, f);
	tlog_log_close(snap);
	tlog_log_close(f);
	tlog_log_close(w);
	tmp_remove(dir);
}

static void only_a_read_only_log_refreshes_or_follows(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *l = NULL;
	struct tlog_log_opts o;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(tlog_log_refresh(w, &e), RC_INVAL);
	assert_string_equal(e.code, "log_not_read_only");
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.signer = &log_key;
	o.follow_ms = 5;
	tlog_log_close(w);
	assert_int_equal(tlog_log_open(&o, &l, &e), RC_INVAL);
	assert_null(l);
	tmp_remove(dir);
}

/* A snapshot reaches for a size it has not seen (tlog_log_reach), and only then re-reads. */
static void a_snapshot_reaches_a_size_only_when_it_lacks_it(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *s;
	uint64_t size = 0;
	struct err e;

	(void)state;
	err_clear(&e);
	append_range(w, 0, 10);
	s = open_log(dir, 1, 0);
	append_range(w, 10, 20);
	assert_int_equal(tlog_log_reach(w, 1000, &e), RC_OK); /* the writer: as it is */
	assert_int_equal(tlog_log_reach(s, 10, &e), RC_OK);
	assert_int_equal(tlog_log_checkpoint(s, &size, NULL, NULL, &e), RC_OK);
	assert_int_equal(size, 10); /* had them: not re-read */
	assert_int_equal(tlog_log_reach(s, 11, &e), RC_OK);
	assert_same_checkpoint(w, s);
	tlog_log_close(s);
	tlog_log_close(w);
	tmp_remove(dir);
}

/* A follower opened before the writer made the log sees it once it is made. */
static void a_follower_of_an_empty_directory_sees_the_new_log(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *f = open_log(dir, 1, 1), *w;
	uint64_t size = 1;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(tlog_log_checkpoint(f, &size, NULL, NULL, &e), RC_OK);
	assert_int_equal(size, 0);
	assert_int_equal(tlog_log_refresh(f, &e), RC_OK);
	w = open_log(dir, 0, 0);
	append_range(w, 0, 10);
	sleep_ms(3);
	assert_same_checkpoint(w, f);
	assert_follower_proves(w, f, dir, 10);
	tlog_log_close(w);
	tlog_log_close(f);
	tmp_remove(dir);
}

static void rewound_and_forged_checkpoints_are_refused_and_the_view_kept(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *f = open_log(dir, 1, 1), *snap;
	struct tlog_checkpoint c;
	struct tlog_signer other;
	struct buf old, now, body, forged;
	uint64_t size;
	struct err e;

	(void)state;
	err_clear(&e);
	buf_init(&old, 65536);
	buf_init(&now, 65536);
	buf_init(&body, 65536);
	buf_init(&forged, 65536);
	append_range(w, 0, 100);
	file_get(dir, "checkpoint", &old);
	append_range(w, 100, 300);
	file_get(dir, "checkpoint", &now);
	tlog_log_close(w); /* nobody writes while the files are swapped */
	snap = open_log(dir, 1, 0);
	sleep_ms(3);
	assert_int_equal(tlog_log_checkpoint(f, &size, NULL, NULL, &e), RC_OK);
	assert_int_equal(size, 300);

	/* rewound: the older checkpoint copied back */
	ckpt_put(dir, old.data, old.len);
	assert_int_equal(tlog_log_refresh(snap, &e), RC_IO);
	assert_string_equal(e.code, "log_rewound");
	sleep_ms(3);
	err_clear(&e);
	assert_int_equal(tlog_log_checkpoint(f, &size, NULL, NULL, &e), RC_OK); /* logged, kept */
	assert_int_equal(size, 300);
	assert_int_equal(tlog_log_refresh(f, &e), RC_IO);
	assert_string_equal(e.code, "log_rewound");
	assert_follower_proves(f, snap, dir, 300);

	/* forged: a checkpoint of the same origin signed by another key */
	assert_int_equal(tlog_key_generate(&other, ORIGIN, TLOG_KEY_ED25519, &e), RC_OK);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = 400;
	randombytes_buf(c.root, sizeof(c.root));
	assert_int_equal(tlog_checkpoint_format(&c, &body), RC_OK);
	assert_int_equal(tlog_note_sign(&forged, &other, body.data, body.len, &e), RC_OK);
	ckpt_put(dir, forged.data, forged.len);
	err_clear(&e);
	assert_int_not_equal(tlog_log_refresh(snap, &e), RC_OK);
	assert_int_not_equal(tlog_log_refresh(f, &e), RC_OK);
	assert_int_equal(tlog_log_checkpoint(snap, &size, NULL, NULL, &e), RC_OK);
	assert_int_equal(size, 300);

	/* forked: signed by the log's key, at the same size with another root */
	buf_clear(&body);
	buf_clear(&forged);
	c.size = 300;
	assert_int_equal(tlog_checkpoint_format(&c, &body), RC_OK);
	assert_int_equal(tlog_note_sign(&forged, &log_key, body.data, body.len, &e), RC_OK);
	ckpt_put(dir, forged.data, forged.len);
	assert_int_equal(tlog_log_refresh(snap, &e), RC_IO);
	assert_string_equal(e.code, "log_forked");

	/* the right one back: taken, and the proofs still hold */
	ckpt_put(dir, now.data, now.len);
	assert_int_equal(tlog_log_refresh(snap, &e), RC_OK);
	sleep_ms(3);
	assert_same_checkpoint(snap, f);
	assert_follower_proves(snap, f, dir, 300);
	w = open_log(dir, 0, 0);
	append_range(w, 300, 700);
	sleep_ms(3);
	assert_same_checkpoint(w, f);
	assert_follower_proves(w, f, dir, 700);

	tlog_signer_clear(&other);
	buf_release(&old);
	buf_release(&now);
	buf_release(&body);
	buf_release(&forged);
	tlog_log_close(w);
	tlog_log_close(snap);
	tlog_log_close(f);
	tmp_remove(dir);
}

/* Copy everything of the log in `from` over the log in `to` (its tiles, packs and checkpoint). */
static void log_copy(const char *from, const char *to)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "cp -a '%s/tile' '%s/pack' '%s/checkpoint' '%s/' 2>/dev/null || "
		 "cp -a '%s/tile' '%s/checkpoint' '%s/'", from, from, from, to, from, from, to);
	assert_int_equal(system(cmd), 0);
}

/*
 * A longer tree of another history, signed by the log's key, with tiles
 * that hash to its root: "log_forked", and the follower keeps its view
 * (and its cache, which the check did not fill with the other history).
 */
static void a_longer_tree_of_another_history_is_a_fork(void **state)
{
	char *dir = tmp_dir(), *dir2 = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *w2, *f;
	struct tlog_entry ent = {"another history", 15};
	struct tlog_cache_stats st;
	uint8_t root[TLOG_HASH_SIZE], froot[TLOG_HASH_SIZE];
	uint64_t idx, size, k;
	struct err e;

	(void)state;
	err_clear(&e);
	append_range(w, 0, 300);
	tlog_log_close(w);
	f = open_log(dir, 1, 0);
	w2 = open_log(dir2, 0, 0);
	for (k = 0; k < 600; k++)
		assert_int_equal(tlog_log_append(w2, &ent, 1, &idx, &e), RC_OK);
	tlog_log_close(w2);
	log_copy(dir2, dir);
	assert_int_equal(tlog_log_refresh(f, &e), RC_IO);
	assert_string_equal(e.code, "log_forked");
	assert_int_equal(tlog_log_checkpoint(f, &size, froot, NULL, &e), RC_OK);
	assert_int_equal(size, 300);
	assert_int_equal(tlog_tree_root(300, scratch_hash, NULL, root, &e), RC_OK);
	assert_memory_equal(froot, root, TLOG_HASH_SIZE);
	/* the check read the other history's tiles, and kept none of their hashes */
	tlog_log_cache_stats(f, &st);
	assert_int_equal(st.chunks, 0);
	tlog_log_close(f);
	tmp_remove(dir);
	tmp_remove(dir2);
}

/*
 * A follower keeps packs open across writers: a pack that a writer's open
 * rebuilt as a new file (the old one unlinked) is read anew, not the old
 * file, which has no room for the tiles added since.
 */
static void a_follower_reads_a_pack_rebuilt_by_the_next_writer(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *f;
	char path[512];

	(void)state;
	append_range(w, 0, 300);
	f = open_log(dir, 1, 0);
	assert_follower_proves(w, f, dir, 300); /* pack/0 open, with one tile */
	tlog_log_close(w);
	snprintf(path, sizeof(path), "%s/pack/0", dir);
	assert_int_equal(unlink(path), 0);
	w = open_log(dir, 0, 0); /* makes pack/0 anew */
	append_range(w, 300, 600);
	tlog_log_close(w);
	/* tile 1's leaves are in the new pack only */
	snprintf(path, sizeof(path), "%s/tile/0/001", dir);
	assert_int_equal(unlink(path), 0);
	w = open_log(dir, 1, 0);
	assert_int_equal(tlog_log_refresh(f, &(struct err){0}), RC_OK);
	assert_follower_proves(w, f, dir, 600);
	tlog_log_close(w);
	tlog_log_close(f);
	tmp_remove(dir);
}

/* A follower given the witnesses' keys serves the stored checkpoint once all have cosigned it. */
static void a_follower_serves_the_cosigned_checkpoint(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *f;
	struct tlog_signer wk;
	struct tlog_verifier wv;
	struct tlog_witness_conf wc;
	struct tlog_log_opts o;
	struct buf note, vkey, body, got;
	uint64_t size;
	struct err e;

	(void)state;
	err_clear(&e);
	buf_init(&note, 65536);
	buf_init(&vkey, 4096);
	buf_init(&body, 65536);
	buf_init(&got, 65536);
	assert_int_equal(tlog_key_generate(&wk, "witness.test.example", TLOG_KEY_COSIG, &e), RC_OK);
	tlog_signer_verifier(&wk, &wv);
	assert_int_equal(tlog_verifier_format(&wv, &vkey), RC_OK);
	wc.url = "http://127.0.0.1:9";
	wc.vkey = vkey.data;
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.signer = &log_key;
	o.read_only = 1;
	o.follow_ms = 1;
	o.witnesses = &wc;
	o.nwitnesses = 1;
	append_range(w, 0, 20);
	assert_int_equal(tlog_log_open(&o, &f, &e), RC_OK);
	assert_int_equal(tlog_log_witnessed(f, &size, NULL, NULL, &e), RC_NOTFOUND);

	/* the witness's cosignature attached to the stored checkpoint, as the writer does */
	tlog_log_close(w);
	file_get(dir, "checkpoint", &note);
	assert_int_equal(tlog_log_checkpoint(f, NULL, NULL, &body, &e), RC_OK);
	assert_int_equal(body.len, note.len);
	buf_clear(&body);
	assert_int_equal(buf_append(&body, note.data, (size_t)(strstr(note.data, "\n\n") - note.data) + 1),
			 RC_OK);
	assert_int_equal(tlog_cosig_sign(&note, &wk, body.data, body.len, 1700000000, &e), RC_OK);
	ckpt_put(dir, note.data, note.len);
	sleep_ms(3);
	assert_int_equal(tlog_log_witnessed(f, &size, NULL, &got, &e), RC_OK);
	assert_int_equal(size, 20);
	assert_int_equal(got.len, note.len);
	assert_memory_equal(got.data, note.data, note.len);
	/* a later checkpoint without it leaves the witnessed one */
	w = open_log(dir, 0, 0);
	append_range(w, 20, 30);
	sleep_ms(3);
	assert_int_equal(tlog_log_checkpoint(f, &size, NULL, NULL, &e), RC_OK);
	assert_int_equal(size, 30);
	assert_int_equal(tlog_log_witnessed(f, &size, NULL, NULL, &e), RC_OK);
	assert_int_equal(size, 20);

	tlog_signer_clear(&wk);
	buf_release(&note);
	buf_release(&vkey);
	buf_release(&body);
	buf_release(&got);
	tlog_log_close(w);
	tlog_log_close(f);
	tmp_remove(dir);
}

/* ---- readers on threads while the writer appends and the follower refreshes ---- */

struct reader {
	struct tlog_log *f;
	const struct tlog_verifier *key;
	atomic_int *stop;
	unsigned seed;
	int bad;        /* views or proofs that were wrong */
	uint64_t seen;  /* the largest size seen */
};

/* One view of the follower, whole: its note says its size and root, proofs verify against it. */
static void *read_views(void *arg)
{
	struct reader *r = arg;
	uint8_t root[TLOG_HASH_SIZE], last_root[TLOG_HASH_SIZE], leaf[TLOG_HASH_SIZE];
	struct tlog_checkpoint c;
	struct tlog_proof p;
	struct buf note, entry;
	uint64_t size, last = 0, at;
	struct err e;

	buf_init(&note, 65536);
	buf_init(&entry, 65536);
	while (!atomic_load(r->stop)) {
		buf_clear(&note);
		if (tlog_log_checkpoint(r->f, &size, root, &note, &e) != RC_OK) {
			r->bad++;
			break;
		}
		if (size == 0)
			continue;
		if (tlog_checkpoint_open(&c, NULL, note.data, note.len, ORIGIN, r->key, 1, &e) ||
		    c.size != size || memcmp(c.root, root, TLOG_HASH_SIZE) != 0 || size < last)
			r->bad++;
		at = (uint64_t)rand_r(&r->seed) % size;
		buf_clear(&entry);
		if (tlog_log_entry(r->f, at, &entry, &e) != RC_OK)
			r->bad++;
		tlog_leaf_hash(entry.data, entry.len, leaf);
		if (tlog_log_prove_inclusion(r->f, at, size, &p, &e) != RC_OK ||
		    tlog_verify_inclusion(at, size, leaf, &p, root, &e) != RC_OK)
			r->bad++;
		if (last && (tlog_log_prove_consistency(r->f, last, size, &p, &e) != RC_OK ||
			     tlog_verify_consistency(last, size, last_root, root, &p, &e) != RC_OK))
			r->bad++;
		last = size;
		memcpy(last_root, root, TLOG_HASH_SIZE);
	}
	r->seen = last;
	buf_release(&note);
	buf_release(&entry);
	return NULL;
}

static void *refresh_loop(void *arg)
{
	struct reader *r = arg;
	struct err e;

	while (!atomic_load(r->stop))
		if (tlog_log_refresh(r->f, &e) != RC_OK)
			r->bad++;
	return NULL;
}

static void readers_on_threads_see_whole_views_while_the_log_grows(void **state)
{
	char *dir = tmp_dir();
	struct tlog_log *w = open_log(dir, 0, 0), *f = open_log(dir, 1, 1);
	struct tlog_verifier key;
	struct reader r[5];
	pthread_t t[5];
	atomic_int stop;
	uint64_t size = 0, next;
	int k;

	(void)state;
	tlog_signer_verifier(&log_key, &key);
	atomic_init(&stop, 0);
	append_range(w, 0, 1);
	size = 1;
	for (k = 0; k < 5; k++) {
		r[k].f = f;
		r[k].key = &key;
		r[k].stop = &stop;
		r[k].seed = (unsigned)k + 1;
		r[k].bad = 0;
		r[k].seen = 0;
		assert_int_equal(pthread_create(&t[k], NULL, k < 4 ? read_views : refresh_loop, &r[k]),
				 0);
	}
	/* steps of every width, across tiles and into the second pack */
	for (k = 0; size < 66000; k++) {
		next = size + 1 + (uint64_t)(k * 977) % 3000;
		if (next > 66000)
			next = 66000;
		append_range(w, size, next);
		size = next;
	}
	sleep_ms(20);
	atomic_store(&stop, 1);
	for (k = 0; k < 5; k++) {
		pthread_join(t[k], NULL);
		assert_int_equal(r[k].bad, 0);
	}
	for (k = 0; k < 4; k++)
		assert_true(r[k].seen > 1);
	assert_same_checkpoint(w, f);
	tlog_log_close(f);
	tlog_log_close(w);
	tmp_remove(dir);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(followers_see_what_the_writer_appends_across_tiles_and_packs),
		cmocka_unit_test(only_a_read_only_log_refreshes_or_follows),
		cmocka_unit_test(a_snapshot_reaches_a_size_only_when_it_lacks_it),
		cmocka_unit_test(a_follower_of_an_empty_directory_sees_the_new_log),
		cmocka_unit_test(rewound_and_forged_checkpoints_are_refused_and_the_view_kept),
		cmocka_unit_test(a_longer_tree_of_another_history_is_a_fork),
		cmocka_unit_test(a_follower_reads_a_pack_rebuilt_by_the_next_writer),
		cmocka_unit_test(a_follower_serves_the_cosigned_checkpoint),
		cmocka_unit_test(readers_on_threads_see_whole_views_while_the_log_grows),
	};

	return LOG_FIXTURE_MAIN(tests);
}
