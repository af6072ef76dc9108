/* test_witness.c - unit tests of the tlog witness: durable per-origin records, and add-checkpoint answered as C2SP tlog-witness says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/witness.h"
#include "tlog/witness_server.h"
#include "tlog/witness_state.h"

#define ORIGIN "shop.example/disputed"
#define NOW 1700000000u

/* ---- fixtures ---- */

/* A fresh temporary directory; removed (one level deep) by rm_dir. */
static char *tmp_dir(void)
{
	char *d = strdup("/tmp/disputed-witness-XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_dir(char *d)
{
	char path[4200];
	struct dirent *de;
	DIR *dir = opendir(d);

	if (dir) {
		while ((de = readdir(dir)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", d, de->d_name);
			unlink(path);
		}
		closedir(dir);
	}
	rmdir(d);
	free(d);
}

/* Entries of `d` other than . and .. and the lock file. */
static int dir_entries(const char *d)
{
	struct dirent *de;
	DIR *dir = opendir(d);
	int n = 0;

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, ".lock") != 0)
			n++;
	closedir(dir);
	return n;
}

/* The leaf hashes of "<prefix><i>" for i below n. */
static uint8_t *leaves_of(const char *prefix, uint64_t n)
{
	uint8_t *l = malloc(n ? n * TLOG_HASH_SIZE : 1);
	char text[64];
	uint64_t i;

	assert_non_null(l);
	for (i = 0; i < n; i++) {
		int len = snprintf(text, sizeof(text), "%s%llu", prefix, (unsigned long long)i);

		tlog_leaf_hash(text, (size_t)len, l + i * TLOG_HASH_SIZE);
	}
	return l;
}

struct tree {
	uint8_t *leaves; /* size leaf hashes */
	uint64_t size;   /* leaves in the tree */
};

static int tree_hash(void *ctx, uint64_t level, uint64_t index, uint8_t out[TLOG_HASH_SIZE])
{
	struct tree *t = ctx;
	uint64_t n = (uint64_t)1 << level;

	if (level >= 32 || (index + 1) * n > t->size)
		return RC_NOTFOUND;
	tlog_root_from_leaves(t->leaves + index * n * TLOG_HASH_SIZE, n, out);
	return RC_OK;
}

/*
 * An add-checkpoint body: old size `old`, a consistency proof from it, and
 * the checkpoint of the tree of `size` leaves "<prefix><i>" signed by `s`.
 */
static void make_request(struct buf *body, const struct tlog_signer *s, const char *origin,
			 uint64_t old, uint64_t size, const char *prefix)
{
	struct tree t = {leaves_of(prefix, size), size};
	struct tlog_checkpoint c;
	struct tlog_proof p;
	struct buf text, note;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", origin);
	c.size = size;
	tlog_root_from_leaves(t.leaves, size, c.root);
	buf_init(&text, 4096);
	buf_init(&note, 4096);
	assert_int_equal(tlog_checkpoint_format(&c, &text), RC_OK);
	assert_int_equal(tlog_note_sign(&note, s, text.data, text.len, NULL), RC_OK);
	assert_int_equal(tlog_prove_consistency(old <= size ? old : size, size, tree_hash, &t, &p,
						NULL), RC_OK);
	buf_clear(body);
	assert_int_equal(tlog_witness_request_format(body, old, &p, note.data, note.len), RC_OK);
	buf_release(&text);
	buf_release(&note);
	free(t.leaves);
}

static void root_of(const char *prefix, uint64_t size, uint8_t root[TLOG_HASH_SIZE])
{
	uint8_t *l = leaves_of(prefix, size);

	tlog_root_from_leaves(l, size, root);
	free(l);
}

/* A witness on its own directory, trusting one log key. */
struct fixture {
	char *dir;
	struct tlog_signer log;       /* the log's key, named ORIGIN */
	struct tlog_signer cosigner;  /* the witness's key */
	struct tlog_verifier log_v;
	struct tlog_verifier cosigner_v;
	struct tlog_witness *w;
	struct buf body;              /* a request body to reuse */
	struct tlog_witness_reply reply;
};

static void fixture_open(struct fixture *f)
{
	struct tlog_witness_opts o;

	o.state_dir = f->dir;
	o.signer = &f->cosigner;
	o.logs = &f->log_v;
	o.nlogs = 1;
	assert_int_equal(tlog_witness_open(&o, &f->w, NULL), RC_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tmp_dir();
	assert_int_equal(tlog_key_generate(&f->log, ORIGIN, TLOG_KEY_ED25519, NULL), RC_OK);
	assert_int_equal(tlog_key_generate(&f->cosigner, "witness.court.example", TLOG_KEY_COSIG,
					   NULL), RC_OK);
	tlog_signer_verifier(&f->log, &f->log_v);
	tlog_signer_verifier(&f->cosigner, &f->cosigner_v);
	buf_init(&f->body, 1 << 20);
	tlog_witness_reply_init(&f->reply);
	fixture_open(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tlog_witness_close(f->w);
	tlog_witness_reply_release(&f->reply);
	buf_release(&f->body);
	tlog_signer_clear(&f->log);
	tlog_signer_clear(&f->cosigner);
	rm_dir(f->dir);
	free(f);
	return 0;
}

/* Submit f->body; returns the status. */
static int submit(struct fixture *f, struct err *e)
{
	if (tlog_witness_add_checkpoint(f->w, f->body.data, f->body.len, NOW, &f->reply, e)) {
		/* the status says what happened */
	}
	return f->reply.status;
}

static uint64_t latest(struct fixture *f)
{
	uint64_t size = 99;

	assert_int_equal(tlog_witness_latest(f->w, ORIGIN, &size, NULL), RC_OK);
	return size;
}

/* Does the reply carry a valid cosignature, by the witness, of the checkpoint in f->body? */
static int cosignature_verifies(struct fixture *f, uint64_t *timestamp)
{
	struct tlog_witness_request r;
	struct tlog_note n;
	struct buf note;
	size_t i;
	int rc;

	tlog_witness_request_init(&r);
	tlog_note_init(&n);
	buf_init(&note, 1 << 20);
	assert_int_equal(tlog_witness_request_parse(&r, f->body.data, f->body.len, NULL), RC_OK);
	assert_int_equal(buf_append(&note, r.note.text, r.note.text_len), RC_OK);
	assert_int_equal(buf_appends(&note, "\n"), RC_OK);
	assert_int_equal(buf_append(&note, f->reply.body.data, f->reply.body.len), RC_OK);
	rc = tlog_note_open(&n, note.data, note.len, &f->cosigner_v, 1, NULL);
	for (i = 0; rc == RC_OK && i < n.nsigs; i++)
		if (n.sigs[i].verified)
			*timestamp = n.sigs[i].timestamp;
	tlog_note_release(&n);
	tlog_witness_request_release(&r);
	buf_release(&note);
	return rc == RC_OK;
}

/* ---- state files ---- */

static void state_records_round_trip_and_replace_each_other(void **state)
{
	char *d = tmp_dir();
	uint8_t r1[32], r2[32], got[32];
	uint64_t size = 7;
	struct err e;

	(void)state;
	root_of("a-", 10, r1);
	root_of("a-", 20, r2);
	err_clear(&e);
	assert_int_equal(tlog_witness_state_load(d, ORIGIN, &size, got, &e), RC_NOTFOUND);
	assert_string_equal(e.code, "no_state");
	assert_int_equal(size, 7);
	assert_int_equal(tlog_witness_state_save(d, ORIGIN, 10, r1, NULL), RC_OK);
	assert_int_equal(tlog_witness_state_load(d, ORIGIN, &size, got, NULL), RC_OK);
	assert_int_equal(size, 10);
	assert_memory_equal(got, r1, 32);
	assert_int_equal(tlog_witness_state_save(d, ORIGIN, 20, r2, NULL), RC_OK);
	assert_int_equal(tlog_witness_state_load(d, ORIGIN, &size, got, NULL), RC_OK);
	assert_int_equal(size, 20);
	assert_memory_equal(got, r2, 32);
	/* one file per origin, no temporary left behind */
	assert_int_equal(dir_entries(d), 1);
	/* origins are kept apart, whatever characters they hold */
	assert_int_equal(tlog_witness_state_save(d, "other.example/log/../x", 3, r1, NULL), RC_OK);
	assert_int_equal(tlog_witness_state_load(d, "other.example/log/../x", &size, got, NULL),
			 RC_OK);
	assert_int_equal(size, 3);
	assert_int_equal(tlog_witness_state_load(d, ORIGIN, &size, got, NULL), RC_OK);
	assert_int_equal(size, 20);
	assert_int_equal(dir_entries(d), 2);
	rm_dir(d);
}

/* The path of ORIGIN's record in `d`: the only file there. */
static void only_file(const char *d, char *path, size_t len)
{
	struct dirent *de;
	DIR *dir = opendir(d);

	assert_non_null(dir);
	path[0] = '\0';
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			snprintf(path, len, "%s/%s", d, de->d_name);
	closedir(dir);
	assert_true(path[0] != '\0');
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void state_records_are_checkpoint_bodies_and_corruption_is_refused(void **state)
{
	char *d = tmp_dir(), path[4300], text[512], other[512];
	uint8_t r[32], got[32];
	uint64_t size;
	struct err e;
	FILE *fp;
	size_t n;

	(void)state;
	root_of("a-", 5, r);
	assert_int_equal(tlog_witness_state_save(d, ORIGIN, 5, r, NULL), RC_OK);
	only_file(d, path, sizeof(path));
	/* the record is a tlog-checkpoint body anyone can read */
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	assert_int_equal(strncmp(text, ORIGIN "\n5\n", strlen(ORIGIN) + 3), 0);
	assert_int_equal(n, strlen(ORIGIN) + 3 + 45);

	/* another origin's record under this origin's name is not taken for it */
	snprintf(other, sizeof(other), "b.example\n5\n%s", text + strlen(ORIGIN) + 3);
	write_text(path, other);
	err_clear(&e);
	assert_int_equal(tlog_witness_state_load(d, ORIGIN, &size, got, &e), RC_INVAL);
	assert_string_equal(e.code, "corrupt_state");
	/* nor is a torn or empty record read as anything, least of all size 0 */
	text[strlen(ORIGIN) + 3 + 20] = '\0';
	write_text(path, text);
	assert_int_equal(tlog_witness_state_load(d, ORIGIN, &size, got, NULL), RC_INVAL);
	write_text(path, "");
	assert_int_equal(tlog_witness_state_load(d, ORIGIN, &size, got, NULL), RC_INVAL);
	rm_dir(d);
}

static void state_save_that_fails_leaves_nothing_behind(void **state)
{
	char *d = tmp_dir(), missing[4200];
	uint8_t r[32];
	struct err e;

	(void)state;
	root_of("a-", 5, r);
	snprintf(missing, sizeof(missing), "%s/gone", d);
	err_clear(&e);
	assert_int_equal(tlog_witness_state_save(missing, ORIGIN, 5, r, &e), RC_IO);
	assert_non_null(strstr(e.message, "cannot create"));
	assert_int_equal(dir_entries(d), 0);
	rm_dir(d);
}

/* ---- the add-checkpoint handler ---- */

static void first_checkpoint_is_recorded_then_cosigned(void **state)
{
	struct fixture *f = *state;
	uint8_t root[32], want[32];
	uint64_t ts = 0, size = 0;

	make_request(&f->body, &f->log, ORIGIN, 0, 10, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	assert_string_equal(f->reply.type, "text/plain; charset=utf-8");
	assert_true(f->reply.body.len > 4 && memcmp(f->reply.body.data, "\xe2\x80\x94 ", 4) == 0);
	assert_int_equal(f->reply.body.data[f->reply.body.len - 1], '\n');
	assert_true(cosignature_verifies(f, &ts));
	assert_int_equal(ts, NOW);
	assert_int_equal(latest(f), 10);
	/* durable: the record on disk already says 10 */
	root_of("leaf-", 10, want);
	assert_int_equal(tlog_witness_state_load(f->dir, ORIGIN, &size, root, NULL), RC_OK);
	assert_int_equal(size, 10);
	assert_memory_equal(root, want, 32);
	/* and it grows with a consistency proof */
	make_request(&f->body, &f->log, ORIGIN, 10, 37, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	assert_true(cosignature_verifies(f, &ts));
	assert_int_equal(latest(f), 37);
	/* the same checkpoint again is cosigned again */
	make_request(&f->body, &f->log, ORIGIN, 37, 37, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	assert_int_equal(latest(f), 37);
}

static void stale_old_size_gets_409_with_the_latest_size(void **state)
{
	struct fixture *f = *state;
	struct err e;

	make_request(&f->body, &f->log, ORIGIN, 0, 12, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	make_request(&f->body, &f->log, ORIGIN, 0, 20, "leaf-");
	err_clear(&e);
	assert_int_equal(submit(f, &e), 409);
	assert_string_equal(e.code, "old_size_mismatch");
	assert_string_equal(f->reply.type, "text/x.tlog.size");
	assert_int_equal(f->reply.body.len, 3);
	assert_memory_equal(f->reply.body.data, "12\n", 3);
	/* an old size the witness never cosigned, even one below the latest */
	make_request(&f->body, &f->log, ORIGIN, 5, 20, "leaf-");
	assert_int_equal(submit(f, NULL), 409);
	assert_memory_equal(f->reply.body.data, "12\n", 3);
	/* the same size with another root */
	make_request(&f->body, &f->log, ORIGIN, 12, 12, "fork-");
	err_clear(&e);
	assert_int_equal(submit(f, &e), 409);
	assert_string_equal(e.code, "root_mismatch");
	assert_memory_equal(f->reply.body.data, "12\n", 3);
	assert_int_equal(latest(f), 12);
}

static void unknown_origin_gets_404(void **state)
{
	struct fixture *f = *state;
	struct tlog_signer other;

	assert_int_equal(tlog_key_generate(&other, "other.example/log", TLOG_KEY_ED25519, NULL),
			 RC_OK);
	make_request(&f->body, &other, "other.example/log", 0, 3, "leaf-");
	assert_int_equal(submit(f, NULL), 404);
	assert_string_equal(f->reply.origin, "other.example/log");
	tlog_signer_clear(&other);
	assert_int_equal(latest(f), 0);
}

static void signature_by_an_untrusted_key_gets_403(void **state)
{
	struct fixture *f = *state;
	struct tlog_signer impostor;

	/* the right name, another key */
	assert_int_equal(tlog_key_generate(&impostor, ORIGIN, TLOG_KEY_ED25519, NULL), RC_OK);
	make_request(&f->body, &impostor, ORIGIN, 0, 3, "leaf-");
	assert_int_equal(submit(f, NULL), 403);
	tlog_signer_clear(&impostor);
	/* the right key, a flipped signature bit */
	make_request(&f->body, &f->log, ORIGIN, 0, 3, "leaf-");
	/* another base64 letter inside the signature: still well-formed, no longer valid */
	f->body.data[f->body.len - 20] = f->body.data[f->body.len - 20] == 'A' ? 'B' : 'A';
	assert_int_equal(submit(f, NULL), 403);
	assert_int_equal(latest(f), 0);
	assert_int_equal(dir_entries(f->dir), 0);
}

static void malformed_bodies_and_old_above_size_get_400(void **state)
{
	struct fixture *f = *state;
	static const char *bad[] = {
		"", "garbage", "old 0\n", "old -1\n\n", "old 01\n\n",
		"old 0\n\n" ORIGIN "\n3\nnot-base64\n\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tlog_witness_add_checkpoint(f->w, bad[i], strlen(bad[i]), NOW,
							     &f->reply, NULL),
				 RC_INVAL);
		assert_int_equal(f->reply.status, 400);
		assert_string_equal(f->reply.type, "text/plain; charset=utf-8");
		assert_int_equal(f->reply.origin[0], '\0');
	}
	make_request(&f->body, &f->log, ORIGIN, 9, 3, "leaf-");
	assert_int_equal(submit(f, NULL), 400);
	assert_int_equal(latest(f), 0);
}

static void failing_consistency_proof_gets_422(void **state)
{
	struct fixture *f = *state;
	struct err e;

	make_request(&f->body, &f->log, ORIGIN, 0, 8, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	/* a tree that does not extend the cosigned one, with its own (valid-looking) proof */
	make_request(&f->body, &f->log, ORIGIN, 8, 13, "fork-");
	err_clear(&e);
	assert_int_equal(submit(f, &e), 422);
	assert_string_equal(e.code, "inconsistent_checkpoint");
	assert_int_equal(latest(f), 8);
}

static void restart_remembers_the_latest_checkpoint(void **state)
{
	struct fixture *f = *state;
	uint8_t root[32], want[32];
	uint64_t size;

	make_request(&f->body, &f->log, ORIGIN, 0, 21, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	tlog_witness_close(f->w);
	f->w = NULL;
	fixture_open(f);
	root_of("leaf-", 21, want);
	assert_int_equal(tlog_witness_latest(f->w, ORIGIN, &size, root), RC_OK);
	assert_int_equal(size, 21);
	assert_memory_equal(root, want, 32);
	make_request(&f->body, &f->log, ORIGIN, 0, 30, "leaf-");
	assert_int_equal(submit(f, NULL), 409);
	assert_memory_equal(f->reply.body.data, "21\n", 3);
	make_request(&f->body, &f->log, ORIGIN, 21, 30, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
}

static void no_cosignature_when_the_record_cannot_be_saved(void **state)
{
	struct fixture *f = *state;
	char moved[4200];
	struct err e;

	make_request(&f->body, &f->log, ORIGIN, 0, 4, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	/* the state directory disappears from under the witness */
	snprintf(moved, sizeof(moved), "%s.moved", f->dir);
	assert_int_equal(rename(f->dir, moved), 0);
	make_request(&f->body, &f->log, ORIGIN, 4, 9, "leaf-");
	err_clear(&e);
	assert_int_equal(submit(f, &e), 500);
	assert_int_equal(e.rc, RC_IO);
	assert_null(strstr(f->reply.body.data, "\xe2\x80\x94"));
	assert_string_equal(f->reply.body.data, "internal error\n");
	assert_int_equal(latest(f), 4);
	assert_int_equal(rename(moved, f->dir), 0);
	assert_int_equal(submit(f, NULL), 200);
	assert_int_equal(latest(f), 9);
}

static void a_second_witness_on_the_same_directory_is_refused(void **state)
{
	struct fixture *f = *state;
	struct tlog_witness_opts o;
	struct tlog_witness *w2 = NULL;
	struct err e;

	o.state_dir = f->dir;
	o.signer = &f->cosigner;
	o.logs = &f->log_v;
	o.nlogs = 1;
	err_clear(&e);
	assert_int_equal(tlog_witness_open(&o, &w2, &e), RC_CONFLICT);
	assert_string_equal(e.code, "witness_locked");
	assert_null(w2);
}

static void open_checks_key_types_and_corrupt_records(void **state)
{
	struct fixture *f = *state;
	struct tlog_witness_opts o;
	struct tlog_witness *w2 = NULL;
	char path[4300];
	FILE *fp;

	tlog_witness_close(f->w);
	f->w = NULL;
	o.state_dir = f->dir;
	o.signer = &f->log; /* not a cosigner key */
	o.logs = &f->log_v;
	o.nlogs = 1;
	assert_int_equal(tlog_witness_open(&o, &w2, NULL), RC_INVAL);
	o.signer = &f->cosigner;
	o.logs = &f->cosigner_v; /* not a log key */
	assert_int_equal(tlog_witness_open(&o, &w2, NULL), RC_INVAL);
	o.nlogs = 0;
	assert_int_equal(tlog_witness_open(&o, &w2, NULL), RC_INVAL);
	/* a corrupt record stops the witness rather than let it forget */
	o.logs = &f->log_v;
	o.nlogs = 1;
	assert_int_equal(tlog_witness_state_save(f->dir, ORIGIN, 3, f->log_v.pub, NULL), RC_OK);
	only_file(f->dir, path, sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("junk\n", fp);
	fclose(fp);
	assert_int_equal(tlog_witness_open(&o, &w2, NULL), RC_INVAL);
	assert_null(w2);
	unlink(path);
	fixture_open(f);
}

static void several_keys_of_one_log_make_one_origin(void **state)
{
	struct fixture *f = *state;
	struct tlog_signer rotated;
	struct tlog_verifier keys[2];
	struct tlog_witness_opts o;

	tlog_witness_close(f->w);
	f->w = NULL;
	assert_int_equal(tlog_key_generate(&rotated, ORIGIN, TLOG_KEY_ED25519, NULL), RC_OK);
	keys[0] = f->log_v;
	tlog_signer_verifier(&rotated, &keys[1]);
	o.state_dir = f->dir;
	o.signer = &f->cosigner;
	o.logs = keys;
	o.nlogs = 2;
	assert_int_equal(tlog_witness_open(&o, &f->w, NULL), RC_OK);
	assert_int_equal(tlog_witness_origin_count(f->w), 1);
	assert_string_equal(tlog_witness_origin(f->w, 0), ORIGIN);
	make_request(&f->body, &f->log, ORIGIN, 0, 5, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	make_request(&f->body, &rotated, ORIGIN, 5, 9, "leaf-");
	assert_int_equal(submit(f, NULL), 200);
	assert_int_equal(latest(f), 9);
	tlog_signer_clear(&rotated);
}

/* ---- concurrency ---- */

#define RACERS 8

struct racer {
	struct tlog_witness *w;    /* the witness all racers share */
	struct buf body;           /* this racer's request */
	int status;                /* the status it got */
	pthread_barrier_t *start;  /* releases every racer at once */
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct tlog_witness_reply reply;

	tlog_witness_reply_init(&reply);
	pthread_barrier_wait(r->start);
	if (tlog_witness_add_checkpoint(r->w, r->body.data, r->body.len, NOW, &reply, NULL)) {
		/* the status is what the test looks at */
	}
	r->status = reply.status;
	tlog_witness_reply_release(&reply);
	return NULL;
}

/* Run RACERS submissions at once; returns how many got 200. */
static int run_race(struct fixture *f, struct racer *rs)
{
	pthread_barrier_t start;
	pthread_t th[RACERS];
	int i, ok = 0;

	pthread_barrier_init(&start, NULL, RACERS);
	for (i = 0; i < RACERS; i++) {
		rs[i].w = f->w;
		rs[i].start = &start;
		assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
	}
	for (i = 0; i < RACERS; i++) {
		pthread_join(th[i], NULL);
		if (rs[i].status == 200)
			ok++;
		else
			assert_int_equal(rs[i].status, 409);
	}
	pthread_barrier_destroy(&start);
	return ok;
}

static void conflicting_checkpoints_at_once_get_one_cosignature(void **state)
{
	struct fixture *f = *state;
	struct racer rs[RACERS];
	char prefix[32], path[4300];
	uint8_t root[32], want[32];
	uint64_t size;
	int i, round, winner;

	for (round = 0; round < 20; round++) {
		/* a witness that never cosigned, and RACERS forks of one size from old 0 */
		for (i = 0; i < RACERS; i++) {
			snprintf(prefix, sizeof(prefix), "r%d-t%d-", round, i);
			buf_init(&rs[i].body, 1 << 20);
			make_request(&rs[i].body, &f->log, ORIGIN, 0, 16, prefix);
		}
		assert_int_equal(run_race(f, rs), 1);
		winner = -1;
		for (i = 0; i < RACERS; i++)
			if (rs[i].status == 200)
				winner = i;
		assert_int_equal(tlog_witness_latest(f->w, ORIGIN, &size, root), RC_OK);
		assert_int_equal(size, 16);
		snprintf(prefix, sizeof(prefix), "r%d-t%d-", round, winner);
		root_of(prefix, 16, want);
		assert_memory_equal(root, want, 32);
		for (i = 0; i < RACERS; i++)
			buf_release(&rs[i].body);
		/* forget, for the next round */
		tlog_witness_close(f->w);
		f->w = NULL;
		only_file(f->dir, path, sizeof(path));
		assert_int_equal(unlink(path), 0);
		fixture_open(f);
	}
}

static void growing_checkpoints_at_once_from_one_old_size_get_one_cosignature(void **state)
{
	struct fixture *f = *state;
	struct racer rs[RACERS];
	uint64_t size, base = 0;
	int i, round;

	for (round = 0; round < 20; round++) {
		/* one tree, RACERS sizes, each proven from the latest cosigned size */
		for (i = 0; i < RACERS; i++) {
			buf_init(&rs[i].body, 1 << 20);
			make_request(&rs[i].body, &f->log, ORIGIN, base, base + 1 + (uint64_t)i,
				     "leaf-");
		}
		assert_int_equal(run_race(f, rs), 1);
		for (i = 0; i < RACERS; i++) {
			if (rs[i].status == 200)
				base = base + 1 + (uint64_t)i;
			buf_release(&rs[i].body);
		}
		assert_int_equal(tlog_witness_latest(f->w, ORIGIN, &size, NULL), RC_OK);
		assert_int_equal(size, base);
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_records_round_trip_and_replace_each_other),
		cmocka_unit_test(state_records_are_checkpoint_bodies_and_corruption_is_refused),
		cmocka_unit_test(state_save_that_fails_leaves_nothing_behind),
		cmocka_unit_test_setup_teardown(first_checkpoint_is_recorded_then_cosigned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(stale_old_size_gets_409_with_the_latest_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unknown_origin_gets_404, setup, teardown),
		cmocka_unit_test_setup_teardown(signature_by_an_untrusted_key_gets_403, setup,
						teardown),
		cmocka_unit_test_setup_teardown(malformed_bodies_and_old_above_size_get_400, setup,
						teardown),
		cmocka_unit_test_setup_teardown(failing_consistency_proof_gets_422, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_remembers_the_latest_checkpoint, setup,
						teardown),
		cmocka_unit_test_setup_teardown(no_cosignature_when_the_record_cannot_be_saved,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_second_witness_on_the_same_directory_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(open_checks_key_types_and_corrupt_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(several_keys_of_one_log_make_one_origin, setup,
						teardown),
		cmocka_unit_test_setup_teardown(conflicting_checkpoints_at_once_get_one_cosignature,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			growing_checkpoints_at_once_from_one_old_size_get_one_cosignature, setup,
			teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
