/* log.c - the durable log: open and recovery, group-committed appends, checkpoints, proofs and entries. */
#include "tlog/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "tlog/checkpoint.h"
#include "tlog/log_int.h"

/* Leaf hashes an append computes on its stack before it needs the heap. */
#define APPEND_STACK_LEAVES 8

/* ---- the sequencer's in-memory right edge ---- */

static int edge_reserve(struct log_edge *ed, size_t n)
{
	size_t a = ed->alloc ? ed->alloc : TLOG_TILE_WIDTH;
	uint8_t *p;

	if (n <= ed->alloc)
		return RC_OK;
	while (a < n)
		a *= 2;
	p = realloc(ed->hash, a * TLOG_HASH_SIZE);
	if (!p)
		return RC_NOMEM;
	ed->hash = p;
	ed->alloc = a;
	return RC_OK;
}

/*
 * tlog_emit_fn: keep the hashes at tile levels (tree levels 0, 8, 16, ...)
 * for the tiles, and stage every hash for the hash cache.
 */
static int seq_emit(void *ctx, uint64_t level, uint64_t index, const uint8_t hash[TLOG_HASH_SIZE])
{
	struct tlog_log *l = ctx;
	struct log_edge *ed;
	int rc;

	log_cache_stage(&l->cache, (unsigned)level, index, hash);
	if (level % TLOG_TILE_HEIGHT)
		return RC_OK;
	ed = &l->edge[level / TLOG_TILE_HEIGHT];
	if (index != ed->base + ed->n)
		return RC_INTERNAL;
	rc = edge_reserve(ed, ed->n + 1);
	if (rc)
		return rc;
	memcpy(ed->hash + ed->n * TLOG_HASH_SIZE, hash, TLOG_HASH_SIZE);
	ed->n++;
	return RC_OK;
}

static int bundle_push(struct log_bundle *b, const void *data, size_t len)
{
	size_t a;
	size_t *p;
	int rc;

	if (b->n + 2 > b->alloc) {
		a = b->alloc ? b->alloc * 2 : 2 * TLOG_TILE_WIDTH;
		p = realloc(b->off, a * sizeof(*p));
		if (!p)
			return RC_NOMEM;
		if (!b->off)
			p[0] = 0;
		b->off = p;
		b->alloc = a;
	}
	rc = tlog_bundle_append(&b->data, data, len);
	if (rc)
		return rc;
	b->off[++b->n] = b->data.len;
	return RC_OK;
}

/* Drop what lies before the right-edge tiles of a tree of `size` leaves. */
static void edge_trim(struct tlog_log *l, uint64_t size)
{
	struct log_bundle *b = &l->bundle;
	uint64_t hashes, base, drop;
	size_t i, bytes;
	unsigned level;

	for (level = 0; level < LOG_LEVELS; level++) {
		struct log_edge *ed = &l->edge[level];

		hashes = size >> (level * TLOG_TILE_HEIGHT);
		base = hashes - hashes % TLOG_TILE_WIDTH;
		if (base <= ed->base)
			continue;
		drop = base - ed->base;
		memmove(ed->hash, ed->hash + drop * TLOG_HASH_SIZE,
			(ed->n - drop) * TLOG_HASH_SIZE);
		ed->n -= drop;
		ed->base = base;
	}
	base = size - size % TLOG_TILE_WIDTH;
	if (base > b->base) {
		drop = base - b->base;
		bytes = b->off[drop];
		memmove(b->data.data, b->data.data + bytes, b->data.len - bytes);
		b->data.len -= bytes;
		b->data.data[b->data.len] = '\0';
		for (i = 0; i + drop <= b->n; i++)
			b->off[i] = b->off[i + drop] - bytes;
		b->n -= drop;
		b->base = base;
	}
}

/* ---- checkpoints ---- */

/* Sign the checkpoint (size, root): its body into `body`, the signed note into `note`. */
static int log_sign(struct tlog_log *l, uint64_t size, const uint8_t root[TLOG_HASH_SIZE],
		    struct buf *body, struct buf *note, struct err *e)
{
	struct tlog_checkpoint c;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", l->signer.name);
	c.size = size;
	memcpy(c.root, root, TLOG_HASH_SIZE);
	buf_clear(body);
	buf_clear(note);
	if (tlog_checkpoint_format(&c, body) != RC_OK)
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot format a checkpoint");
	return tlog_note_sign(note, &l->signer, body->data, body->len, e);
}

/* Make (size, root, note, body) the latest checkpoint. The caller holds ckpt_mu. */
static void state_publish(struct tlog_log *l, uint64_t size, const uint8_t root[TLOG_HASH_SIZE],
			  struct buf *note, struct buf *body)
{
	struct buf t;

	pthread_mutex_lock(&l->st_mu);
	l->size = size;
	memcpy(l->root, root, TLOG_HASH_SIZE);
	t = l->note;
	l->note = *note;
	*note = t;
	t = l->body;
	l->body = *body;
	*body = t;
	l->seq++;
	pthread_cond_broadcast(&l->w_cv);
	pthread_mutex_unlock(&l->st_mu);
}

/* ---- the sequencer ---- */

struct seq_ctx {
	struct tlog_log *l;
	struct log_files files; /* tiles and bundles written, to fsync */
	struct log_dirs dirs;   /* directories to fsync before the checkpoint */
	struct err *e;
};

/* tlog_tiles_new callback: write one tile (and, at level 0, its entry bundle). */
static int seq_write_tile(void *ctx, const struct tlog_tile *t)
{
	struct seq_ctx *c = ctx;
	struct tlog_log *l = c->l;
	struct log_edge *ed = &l->edge[t->level];
	struct log_bundle *b = &l->bundle;
	struct tlog_tile bt = *t;
	char path[TLOG_TILE_PATH_MAX];
	uint64_t first = t->index * TLOG_TILE_WIDTH;
	int rc;

	if (t->level >= LOG_LEVELS || first < ed->base || first - ed->base + t->width > ed->n ||
	    tlog_tile_path(t, path) != RC_OK)
		return err_set(c->e, RC_INTERNAL, NULL, NULL, "tile %d/%llu is not in memory",
			       t->level, (unsigned long long)t->index);
	rc = log_file_start(l, path, ed->hash + (first - ed->base) * TLOG_HASH_SIZE,
			    (size_t)t->width * TLOG_HASH_SIZE, &c->files, &c->dirs, c->e);
	if (!rc && t->level == 0 && t->width == TLOG_TILE_WIDTH)
		rc = log_pack_write(l, t->index, ed->hash + (first - ed->base) * TLOG_HASH_SIZE,
				    &c->dirs, c->e);
	if (rc || t->level != 0)
		return rc;
	bt.level = TLOG_TILE_ENTRIES;
	if (first < b->base || first - b->base + t->width > b->n ||
	    tlog_tile_path(&bt, path) != RC_OK)
		return err_set(c->e, RC_INTERNAL, NULL, NULL, "bundle %llu is not in memory",
			       (unsigned long long)t->index);
	first -= b->base;
	return log_file_start(l, path, b->data.data + b->off[first],
			      b->off[first + t->width] - b->off[first], &c->files, &c->dirs, c->e);
}

/*
 * Integrate one batch: extend the tree, write and fsync its tiles and
 * bundles, then sign, write and fsync the checkpoint. On failure before the
 * checkpoint is in place nothing changes; `*fatal` is set when it is in
 * place but may not be durable.
 */
static int seq_commit(struct tlog_log *l, struct log_req *head, int *fatal, struct err *e)
{
	struct tlog_frontier f = l->tree;
	struct seq_ctx c;
	struct buf body, note;
	struct log_req *r;
	size_t save_n[LOG_LEVELS], save_bn = l->bundle.n, save_blen = l->bundle.data.len, i;
	uint8_t root[TLOG_HASH_SIZE];
	uint64_t old = f.size;
	unsigned level;
	int rc = RC_OK, renamed = 0;

	c.l = l;
	c.files.n = 0;
	c.dirs.n = 0;
	c.e = e;
	buf_init(&body, LOG_NOTE_MAX);
	buf_init(&note, LOG_NOTE_MAX);
	for (level = 0; level < LOG_LEVELS; level++)
		save_n[level] = l->edge[level].n;
	for (r = head; r && !rc; r = r->next) {
		r->first = f.size;
		for (i = 0; i < r->n && !rc; i++) {
			rc = bundle_push(&l->bundle, r->entries[i].data, r->entries[i].len);
			if (!rc)
				rc = tlog_frontier_append(&f, r->leaves + i * TLOG_HASH_SIZE,
							  seq_emit, l);
		}
	}
	if (rc) {
		rc = err_set(e, rc, NULL, NULL, "cannot integrate a batch: %s", rc_strerror(rc));
		goto undo;
	}
	rc = tlog_tiles_new(old, f.size, seq_write_tile, &c);
	if (log_files_sync(&c.files, rc ? NULL : e) && !rc)
		rc = RC_IO;
	if (!rc)
		rc = log_pack_sync(l, e);
	if (rc)
		goto undo;
	tlog_frontier_root(&f, root);
	rc = log_sign(l, f.size, root, &body, &note, e);
	if (rc)
		goto undo;
	/*
	 * checkpoint.tmp first, then the tiles' directories (on a journalling
	 * file system the first fsync commits their entries too, which makes
	 * the second cheap), then the rename that publishes the checkpoint.
	 */
	pthread_mutex_lock(&l->ckpt_mu);
	rc = log_file_stage(l, "checkpoint", note.data, note.len, e);
	if (!rc)
		rc = log_dirs_sync(l, &c.dirs, e);
	if (!rc)
		rc = log_file_commit(l, "checkpoint", &renamed, e);
	if (rc && !renamed) {
		pthread_mutex_unlock(&l->ckpt_mu);
		goto undo;
	}
	/* The new checkpoint is in place: from here on the tree is the new one. */
	if (rc)
		*fatal = 1;
	state_publish(l, f.size, root, &note, &body);
	pthread_mutex_unlock(&l->ckpt_mu);
	l->tree = f;
	log_cache_commit(&l->cache);
	edge_trim(l, f.size);
	buf_release(&body);
	buf_release(&note);
	return rc;
undo:
	log_cache_drop(&l->cache);
	log_pack_close(l); /* reopened, and its directory synced, by the next batch */
	for (level = 0; level < LOG_LEVELS; level++)
		l->edge[level].n = save_n[level];
	l->bundle.n = save_bn;
	if (l->bundle.data.len < save_blen) {
		/* a failed allocation released the right-edge bundle: it cannot go on */
		*fatal = 1;
	} else if (l->bundle.data.alloc) {
		l->bundle.data.len = save_blen;
		l->bundle.data.data[save_blen] = '\0';
	}
	buf_release(&body);
	buf_release(&note);
	return rc;
}

/* Delete the partials of a full tile (and, at level 0, of its bundle). */
static void prune_tile(struct tlog_log *l, struct tlog_tile t)
{
	log_partials_delete(l, &t);
	if (t.level == 0) {
		t.level = TLOG_TILE_ENTRIES;
		log_partials_delete(l, &t);
	}
}

/* Unlink the file of tile `t` if it exists; 1 if it did. */
static int unlink_if(struct tlog_log *l, const struct tlog_tile *t)
{
	char path[TLOG_TILE_PATH_MAX];

	return tlog_tile_path(t, path) == RC_OK && unlinkat(l->dirfd, path, 0) == 0;
}

/*
 * Delete what batches cut short by a crash wrote past the checkpoint, on
 * every tile level and for the entry bundles: the right-edge tile's full
 * file and its partials wider than the checkpoint's, and the tiles after
 * it (probed in order until LOG_PRUNE_MAX in a row are missing). Left in
 * place, a later, longer tree would cover them and they would be served
 * with leaves that never made it into the log. Failures are ignored: what
 * remains is again past the checkpoint at the next open, or the audit
 * reports it.
 */
static void prune_past(struct tlog_log *l)
{
	uint8_t have[TLOG_TILE_WIDTH];
	char path[TLOG_TILE_PATH_MAX];
	struct tlog_tile t;
	uint64_t hashes, index;
	unsigned level, w, kind, misses;
	struct stat sb;
	int found;

	for (level = 0; level < LOG_LEVELS; level++) {
		hashes = l->size >> (level * TLOG_TILE_HEIGHT);
		for (kind = 0; kind < (level == 0 ? 2u : 1u); kind++) {
			t.level = kind ? TLOG_TILE_ENTRIES : (int)level;
			t.index = hashes / TLOG_TILE_WIDTH;
			t.width = TLOG_TILE_WIDTH;
			(void)unlink_if(l, &t);
			if (log_partials_list(l, &t, have, NULL) == RC_OK) {
				for (w = (unsigned)(hashes % TLOG_TILE_WIDTH) + 1; w < TLOG_TILE_WIDTH;
				     w++) {
					t.width = w;
					if (have[w])
						(void)unlink_if(l, &t);
				}
			}
			for (index = t.index + 1, misses = 0; misses < LOG_PRUNE_MAX; index++) {
				t.index = index;
				t.width = TLOG_TILE_WIDTH;
				found = unlink_if(l, &t);
				t.width = 1;
				if (tlog_tile_path(&t, path) == RC_OK) {
					*strrchr(path, '/') = '\0'; /* ".../N.p" */
					if (fstatat(l->dirfd, path, &sb, 0) == 0) {
						log_partials_delete(l, &t);
						found = 1;
					}
				}
				misses = found ? 0 : misses + 1;
			}
		}
	}
}

/*
 * Hand the janitor the tiles that became full between the two sizes, whose
 * partials can go now that a checkpoint covers them. Deleting files is kept
 * off the sequencer's path; if memory runs out, they stay (harmless).
 */
static void prune_queue(struct tlog_log *l, uint64_t old, uint64_t size)
{
	struct tlog_tile t, *p;
	unsigned level, shift;
	size_t a;

	pthread_mutex_lock(&l->jan_mu);
	for (level = 0; level < LOG_LEVELS; level++) {
		shift = level * TLOG_TILE_HEIGHT;
		t.level = (int)level;
		t.width = TLOG_TILE_WIDTH;
		for (t.index = (old >> shift) / TLOG_TILE_WIDTH;
		     t.index < (size >> shift) / TLOG_TILE_WIDTH; t.index++) {
			if (l->nprune == l->prune_alloc) {
				a = l->prune_alloc ? l->prune_alloc * 2 : 64;
				p = realloc(l->prune, a * sizeof(*p));
				if (!p)
					break;
				l->prune = p;
				l->prune_alloc = a;
			}
			l->prune[l->nprune++] = t;
		}
	}
	pthread_cond_signal(&l->jan_cv);
	pthread_mutex_unlock(&l->jan_mu);
}

static void *jan_main(void *arg)
{
	struct tlog_log *l = arg;
	struct tlog_tile t;

	pthread_setname_np(pthread_self(), "dsp-log-janitor");
	pthread_mutex_lock(&l->jan_mu);
	for (;;) {
		while (!l->nprune && !l->jan_stop)
			pthread_cond_wait(&l->jan_cv, &l->jan_mu);
		if (!l->nprune)
			break;
		t = l->prune[--l->nprune];
		pthread_mutex_unlock(&l->jan_mu);
		prune_tile(l, t);
		pthread_mutex_lock(&l->jan_mu);
	}
	pthread_mutex_unlock(&l->jan_mu);
	return NULL;
}

static void *seq_main(void *arg)
{
	struct tlog_log *l = arg;
	struct log_req *head, *r, *next;
	struct timespec ts;
	pthread_setname_np(pthread_self(), "dsp-log-seq");
	struct err e;
	int64_t deadline;
	uint64_t old;
	int rc, fatal;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->head && !l->stopping)
			pthread_cond_wait(&l->seq_cv, &l->mu);
		if (!l->head)
			break;
		/*
		 * Close the batch at batch_max entries, batch_ms after its first
		 * one, or once it is as large as the previous batch: under a
		 * steady load the same callers are back, and waiting longer
		 * would only add to their latency.
		 */
		deadline = l->first_ns + (int64_t)l->batch_ms * 1000000;
		while (!l->stopping && !l->flush && l->pending < l->batch_max &&
		       (l->last_batch == 0 || l->pending < l->last_batch) &&
		       clock_mono_ns() < deadline) {
			ts.tv_sec = (time_t)(deadline / 1000000000);
			ts.tv_nsec = (long)(deadline % 1000000000);
			pthread_cond_timedwait(&l->seq_cv, &l->mu, &ts);
		}
		head = l->head;
		l->head = NULL;
		l->tail = &l->head;
		l->last_batch = l->pending;
		l->pending = 0;
		l->flush = 0;
		pthread_cond_broadcast(&l->space_cv);
		pthread_mutex_unlock(&l->mu);

		err_clear(&e);
		fatal = 0;
		old = l->tree.size;
		if (l->failed) /* read without mu: only this thread sets it */
			rc = err_set(&e, RC_IO, "log_failed", NULL,
				     "the log could not make a batch durable; reopen it");
		else
			rc = seq_commit(l, head, &fatal, &e);
		for (r = head; r; r = next) {
			next = r->next; /* r may be gone once posted */
			r->rc = rc;
			if (rc)
				r->err = e;
			sem_post(&r->done);
		}
		if (!rc)
			prune_queue(l, old, l->tree.size);

		pthread_mutex_lock(&l->mu);
		if (fatal)
			l->failed = 1;
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* tlog_log_append; with `now`, tlog_log_append_now. */
static int append(struct tlog_log *l, const struct tlog_entry *entries, size_t n,
		  uint64_t *indexes, int now, struct err *e)
{
	uint8_t stack[APPEND_STACK_LEAVES * TLOG_HASH_SIZE], *leaves = stack;
	struct log_req req;
	size_t i;
	int rc = RC_OK;

	if (n == 0)
		return RC_OK;
	for (i = 0; i < n; i++) {
		if (entries[i].len > TLOG_ENTRY_MAX)
			return err_set(e, RC_TOOBIG, "entry_too_large", "entry",
				       "entry %zu has %zu bytes; the log takes at most %d", i,
				       entries[i].len, TLOG_ENTRY_MAX);
		if (!entries[i].data && entries[i].len)
			return err_set(e, RC_INVAL, "invalid_entry", "entry", "entry %zu has no data",
				       i);
	}
	if (l->read_only)
		return err_set(e, RC_INVAL, "log_read_only", NULL, "the log is open read-only");
	if (n > APPEND_STACK_LEAVES) {
		leaves = malloc(n * TLOG_HASH_SIZE);
		if (!leaves)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	for (i = 0; i < n; i++)
		tlog_leaf_hash(entries[i].data, entries[i].len, leaves + i * TLOG_HASH_SIZE);
	memset(&req, 0, sizeof(req));
	req.entries = entries;
	req.n = n;
	req.leaves = leaves;
	if (sem_init(&req.done, 0, 0) != 0) {
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "cannot make a semaphore");
		goto out;
	}

	pthread_mutex_lock(&l->mu);
	/* A batch holds at most batch_max entries unless one call brings more. */
	while (!l->stopping && !l->failed && l->pending && l->pending + n > l->batch_max) {
		pthread_cond_signal(&l->seq_cv);
		pthread_cond_wait(&l->space_cv, &l->mu);
	}
	if (l->stopping || l->failed) {
		pthread_mutex_unlock(&l->mu);
		rc = l->failed ? err_set(e, RC_IO, "log_failed", NULL,
					 "the log could not make a batch durable; reopen it")
			       : err_set(e, RC_INVAL, "log_closed", NULL, "the log is closing");
		sem_destroy(&req.done);
		goto out;
	}
	*l->tail = &req;
	l->tail = &req.next;
	if (l->pending == 0) {
		l->first_ns = clock_mono_ns();
		pthread_cond_signal(&l->seq_cv);
	}
	l->pending += n;
	if (now)
		l->flush = 1;
	if (l->flush || l->pending >= l->batch_max || l->pending >= l->last_batch)
		pthread_cond_signal(&l->seq_cv);
	pthread_mutex_unlock(&l->mu);

	while (sem_wait(&req.done) != 0)
		; /* EINTR */
	sem_destroy(&req.done);
	rc = req.rc;
	if (rc) {
		if (e)
			*e = req.err;
	} else {
		for (i = 0; i < n; i++)
			indexes[i] = req.first + i;
	}
out:
	if (leaves != stack)
		free(leaves);
	return rc;
}

int tlog_log_append(struct tlog_log *l, const struct tlog_entry *entries, size_t n,
		    uint64_t *indexes, struct err *e)
{
	return append(l, entries, n, indexes, 0, e);
}

int tlog_log_append_now(struct tlog_log *l, const struct tlog_entry *entries, size_t n,
			uint64_t *indexes, struct err *e)
{
	return append(l, entries, n, indexes, 1, e);
}

/* ---- open and recovery ---- */

static int take_lock(struct tlog_log *l, struct err *e)
{
	if (mkdirat(l->dirfd, "tile", 0755) == 0) {
		if (fsync(l->dirfd) != 0)
			return err_set(e, RC_IO, "log_write_failed", NULL,
				       "cannot fsync the data directory: %s", strerror(errno));
	} else if (errno != EEXIST) {
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot create tile/: %s",
			       strerror(errno));
	}
	l->lockfd = openat(l->dirfd, "tile/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (l->lockfd < 0)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot open tile/.lock: %s",
			       strerror(errno));
	if (flock(l->lockfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return err_set(e, RC_CONFLICT, "log_locked", NULL,
				       "another writer holds the log's lock (tile/.lock)");
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot lock tile/.lock: %s",
			       strerror(errno));
	}
	return RC_OK;
}

static int path_exists(struct tlog_log *l, const char *path)
{
	struct stat sb;

	return fstatat(l->dirfd, path, &sb, 0) == 0;
}

/*
 * Read and verify DIR/checkpoint into the state; *missing when there is
 * none. A read-only log keeps the file open, as the one it last looked at
 * (log_follow.c).
 */
static int load_checkpoint(struct tlog_log *l, int *missing, struct err *e)
{
	struct tlog_checkpoint c;
	struct stat sb;
	struct buf b;
	int rc, fd = -1;

	*missing = 0;
	buf_init(&b, LOG_NOTE_MAX);
	rc = log_ckpt_read(l, &fd, &sb, &b, e);
	if (rc == RC_NOTFOUND) {
		buf_release(&b);
		if (path_exists(l, "tile/0") || path_exists(l, "tile/entries"))
			return err_set(e, RC_IO, "checkpoint_missing", NULL,
				       "the log has tiles but no checkpoint; restore the "
				       "checkpoint file rather than start a new log over them");
		err_clear(e);
		*missing = 1;
		l->size = 0;
		tlog_empty_root(l->root);
		return RC_OK;
	}
	if (!rc)
		rc = tlog_checkpoint_open(&c, NULL, b.data, b.len, l->verifier.name, &l->verifier,
					  1, e);
	if (!rc && tlog_checkpoint_format(&c, &l->body) != RC_OK)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (rc) {
		buf_release(&b);
		if (fd >= 0)
			close(fd);
		if (e)
			snprintf(e->param, sizeof(e->param), "checkpoint");
		return rc;
	}
	l->size = c.size;
	memcpy(l->root, c.root, TLOG_HASH_SIZE);
	buf_release(&l->note);
	l->note = b;
	if (l->read_only) {
		l->seen_fd = fd;
		l->seen = sb;
	} else {
		close(fd);
	}
	return RC_OK;
}

static int corrupt(struct err *e, const struct err *why, const char *what)
{
	int detail = why && why->message[0];

	return err_set(e, RC_IO, "log_corrupt", NULL, "%s%s%s", what, detail ? ": " : "",
		       detail ? why->message : "");
}

/*
 * The writer's recovery: rebuild the tree from the tiles of the stored
 * checkpoint's size (whatever lies beyond was never acknowledged), check
 * it against the checkpoint's root, and load the right-edge tiles and
 * bundle that the next batch extends.
 */
static int recover(struct tlog_log *l, int missing, struct err *e)
{
	struct log_hash_ctx hc;
	uint8_t root[TLOG_HASH_SIZE], data[TLOG_TILE_WIDTH * TLOG_HASH_SIZE], leaf[TLOG_HASH_SIZE];
	struct buf b;
	const uint8_t *p, *ent;
	size_t left, elen, len;
	uint64_t hashes, k;
	unsigned level, width, n;
	int rc;

	if (missing) {
		struct buf body, note;

		buf_init(&body, LOG_NOTE_MAX);
		buf_init(&note, LOG_NOTE_MAX);
		rc = log_sign(l, 0, l->root, &body, &note, e);
		if (!rc)
			rc = log_file_replace(l, "checkpoint", note.data, note.len, e);
		if (!rc) {
			buf_release(&l->note);
			buf_release(&l->body);
			l->note = note;
			l->body = body;
		} else {
			buf_release(&note);
			buf_release(&body);
		}
		return rc;
	}
	log_hash_ctx_init(&hc, l, l->size);
	rc = tlog_frontier_load(&l->tree, l->size, log_hash_get, &hc, e);
	if (rc)
		return corrupt(e, &hc.err, "cannot rebuild the tree from the tiles");
	tlog_frontier_root(&l->tree, root);
	if (memcmp(root, l->root, TLOG_HASH_SIZE) != 0)
		return corrupt(e, NULL, "the tiles do not hash to the checkpoint's root");
	for (level = 0; level < LOG_LEVELS; level++) {
		struct log_edge *ed = &l->edge[level];

		hashes = l->size >> (level * TLOG_TILE_HEIGHT);
		n = (unsigned)(hashes % TLOG_TILE_WIDTH);
		ed->base = hashes - n;
		ed->n = 0;
		if (n == 0)
			continue;
		err_clear(&hc.err);
		rc = log_tile_read(l, (int)level, ed->base / TLOG_TILE_WIDTH, l->size, data,
				   sizeof(data), &width, &len, &hc.err);
		if (!rc && width < n)
			rc = RC_IO;
		if (rc)
			return corrupt(e, &hc.err, "cannot read a right-edge tile");
		rc = edge_reserve(ed, n);
		if (rc)
			return err_set(e, rc, NULL, NULL, "out of memory");
		memcpy(ed->hash, data, (size_t)n * TLOG_HASH_SIZE);
		ed->n = n;
	}
	/* The right-edge bundle, checked against the level-0 tile it goes with. */
	n = (unsigned)(l->size % TLOG_TILE_WIDTH);
	l->bundle.base = l->size - n;
	if (n == 0)
		return RC_OK;
	buf_init(&b, LOG_BUNDLE_MAX);
	err_clear(&hc.err);
	rc = log_bundle_read(l, l->bundle.base / TLOG_TILE_WIDTH, l->size, &b, &width, &hc.err);
	if (rc) {
		buf_release(&b);
		return corrupt(e, &hc.err, "cannot read the right-edge entry bundle");
	}
	p = (const uint8_t *)b.data;
	left = b.len;
	for (k = 0; k < n && !rc; k++) {
		rc = tlog_bundle_next(&p, &left, &ent, &elen);
		if (rc)
			break;
		tlog_leaf_hash(ent, elen, leaf);
		if (memcmp(leaf, l->edge[0].hash + k * TLOG_HASH_SIZE, TLOG_HASH_SIZE) != 0)
			rc = RC_IO;
		else
			rc = bundle_push(&l->bundle, ent, elen);
	}
	buf_release(&b);
	if (rc == RC_NOMEM)
		return err_set(e, rc, NULL, NULL, "out of memory");
	if (rc)
		return corrupt(e, NULL, "the right-edge entry bundle does not match its tile");
	return RC_OK;
}

int tlog_log_open(const struct tlog_log_opts *o, struct tlog_log **out, struct err *e)
{
	pthread_condattr_t ca;
	struct tlog_log *l;
	unsigned level;
	int rc, missing = 0;

	*out = NULL;
	if (!o->dir || (!o->signer && !(o->read_only && o->verifier)))
		return err_set(e, RC_INVAL, "invalid_log_options", NULL,
			       "a log needs its directory and its key");
	if (o->follow_ms && !o->read_only)
		return err_set(e, RC_INVAL, "invalid_log_options", NULL,
			       "only a read-only log follows a writer");
	if ((o->signer ? o->signer->type : o->verifier->type) != TLOG_KEY_ED25519)
		return err_set(e, RC_INVAL, "wrong_key_type", NULL,
			       "a log signs checkpoints with an Ed25519 note key");
	l = calloc(1, sizeof(*l));
	if (!l)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	l->dirfd = -1;
	l->lockfd = -1;
	l->pack_wfd = -1;
	log_follow_open(l, o->read_only ? o->follow_ms : 0);
	atomic_init(&l->pack_ok, o->read_only); /* a writable open repairs the packs first */
	l->read_only = o->read_only;
	pthread_mutex_init(&l->mu, NULL);
	pthread_mutex_init(&l->st_mu, NULL);
	pthread_mutex_init(&l->ckpt_mu, NULL);
	pthread_mutex_init(&l->jan_mu, NULL);
	pthread_cond_init(&l->jan_cv, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->seq_cv, &ca);
	pthread_cond_init(&l->w_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&l->space_cv, NULL);
	atomic_init(&l->w_stop, 0);
	l->tail = &l->head;
	buf_init(&l->note, LOG_NOTE_MAX);
	buf_init(&l->body, LOG_NOTE_MAX);
	buf_init(&l->witnessed, LOG_NOTE_MAX);
	buf_init(&l->bundle.data, (size_t)1 << 40);
	if (o->signer) {
		l->signer = *o->signer;
		l->have_signer = 1;
		tlog_signer_verifier(&l->signer, &l->verifier);
	} else {
		l->verifier = *o->verifier;
	}
	l->batch_max = o->batch_max ? o->batch_max : TLOG_LOG_BATCH_MAX;
	l->batch_ms = o->batch_ms ? o->batch_ms : TLOG_LOG_BATCH_MS;
	tlog_frontier_init(&l->tree);
	for (level = 0; level < LOG_LEVELS; level++) {
		rc = edge_reserve(&l->edge[level], TLOG_TILE_WIDTH);
		if (rc) {
			rc = err_set(e, rc, NULL, NULL, "out of memory");
			goto fail;
		}
	}

	if (log_cache_init(&l->cache, o->cache_bytes) != RC_OK) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto fail;
	}
	l->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0) {
		rc = err_set(e, errno == ENOENT ? RC_NOTFOUND : RC_IO, "log_dir", "dir",
			     "cannot open the log directory %s: %s", o->dir, strerror(errno));
		goto fail;
	}
	if (!l->read_only) {
		rc = take_lock(l, e);
		if (rc)
			goto fail;
	}
	rc = load_checkpoint(l, &missing, e);
	if (rc || l->read_only) {
		if (!rc && o->nwitnesses)
			rc = log_witness_setup(l, o->witnesses, o->nwitnesses, e);
		if (!rc && log_note_witnessed(l, &l->note))
			log_witnessed_set(l, &l->note, l->size, l->root);
		goto done;
	}
	rc = recover(l, missing, e);
	/*
	 * Partials that a crash left behind the right edge: at most the
	 * LOG_PRUNE_MAX last full tiles of a level can still have them.
	 */
	if (!rc)
		prune_past(l);
	for (level = 0; !rc && level < LOG_LEVELS; level++) {
		uint64_t full = (l->size >> (level * TLOG_TILE_HEIGHT)) / TLOG_TILE_WIDTH;
		struct tlog_tile t = {(int)level, full > LOG_PRUNE_MAX ? full - LOG_PRUNE_MAX : 0,
				      TLOG_TILE_WIDTH};

		for (; t.index < full; t.index++)
			prune_tile(l, t);
	}
	if (!rc)
		log_pack_repair(l);
	if (!rc && o->nwitnesses) {
		rc = log_witness_setup(l, o->witnesses, o->nwitnesses, e);
		if (!rc)
			log_witness_mark(l);
	}
	if (rc)
		goto fail;
	if (pthread_create(&l->jan_thread, NULL, jan_main, l) != 0) {
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the janitor thread");
		goto fail;
	}
	l->jan_started = 1;
	if (pthread_create(&l->seq_thread, NULL, seq_main, l) != 0) {
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the sequencer thread");
		goto fail;
	}
	l->seq_started = 1;
	if (l->nw)
		rc = log_witness_start(l, e);
done:
	if (rc)
		goto fail;
	*out = l;
	return RC_OK;
fail:
	tlog_log_close(l);
	return rc;
}

int tlog_log_read_only(const struct tlog_log *l)
{
	return l->read_only;
}

void tlog_log_close(struct tlog_log *l)
{
	unsigned level;

	if (!l)
		return;
	if (l->seq_started) {
		pthread_mutex_lock(&l->mu);
		l->stopping = 1;
		pthread_cond_broadcast(&l->seq_cv);
		pthread_cond_broadcast(&l->space_cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->seq_thread, NULL);
	}
	if (l->jan_started) {
		pthread_mutex_lock(&l->jan_mu);
		l->jan_stop = 1;
		pthread_cond_signal(&l->jan_cv);
		pthread_mutex_unlock(&l->jan_mu);
		pthread_join(l->jan_thread, NULL);
	}
	log_witness_stop(l);
	log_witness_release(l);
	log_pack_close(l);
	if (l->lockfd >= 0)
		close(l->lockfd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	for (level = 0; level < LOG_LEVELS; level++)
		free(l->edge[level].hash);
	free(l->bundle.off);
	buf_release(&l->bundle.data);
	log_cache_release(&l->cache);
	log_follow_release(l);
	buf_release(&l->note);
	buf_release(&l->body);
	buf_release(&l->witnessed);
	pthread_cond_destroy(&l->seq_cv);
	pthread_cond_destroy(&l->space_cv);
	pthread_cond_destroy(&l->w_cv);
	pthread_mutex_destroy(&l->mu);
	pthread_mutex_destroy(&l->st_mu);
	pthread_mutex_destroy(&l->ckpt_mu);
	pthread_mutex_destroy(&l->jan_mu);
	pthread_cond_destroy(&l->jan_cv);
	free(l->prune);
	tlog_signer_clear(&l->signer);
	free(l);
}

/* ---- reading ---- */

int tlog_log_checkpoint(struct tlog_log *l, uint64_t *size, uint8_t root[TLOG_HASH_SIZE],
			struct buf *note, struct err *e)
{
	int rc = RC_OK;

	log_follow(l);
	pthread_mutex_lock(&l->st_mu);
	if (size)
		*size = l->size;
	if (root)
		memcpy(root, l->root, TLOG_HASH_SIZE);
	if (note)
		rc = buf_append(note, l->note.data, l->note.len);
	pthread_mutex_unlock(&l->st_mu);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot copy the checkpoint");
	return RC_OK;
}

int tlog_log_witnessed(struct tlog_log *l, uint64_t *size, uint8_t root[TLOG_HASH_SIZE],
		       struct buf *note, struct err *e)
{
	int rc = RC_OK;

	log_follow(l);
	pthread_mutex_lock(&l->st_mu);
	if (l->witnessed.len == 0) {
		rc = err_set(e, RC_NOTFOUND, "not_witnessed", NULL,
			     "no checkpoint carries every witness's cosignature yet");
	} else {
		if (size)
			*size = l->witnessed_size;
		if (root)
			memcpy(root, l->witnessed_root, TLOG_HASH_SIZE);
		if (note && buf_append(note, l->witnessed.data, l->witnessed.len) != RC_OK)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "cannot copy the checkpoint");
	}
	pthread_mutex_unlock(&l->st_mu);
	return rc;
}

/* A failed proof's error: the tile reader's detail if it had one. */
static int proof_err(int rc, const struct log_hash_ctx *c, struct err *e)
{
	if (c->err.rc && e)
		*e = c->err;
	return rc;
}

/* Proofs are against a checkpointed tree: one of at most the latest size. */
static int proof_ctx(struct tlog_log *l, uint64_t size, struct log_hash_ctx *c, struct err *e)
{
	log_follow(l);
	log_hash_ctx_init(c, l, log_size(l));
	if (size > c->size)
		return err_set(e, RC_INVAL, "invalid_size", "size",
			       "tree size %llu is past the latest checkpoint's %llu",
			       (unsigned long long)size, (unsigned long long)c->size);
	return RC_OK;
}

int tlog_log_prove_inclusion(struct tlog_log *l, uint64_t index, uint64_t size,
			     struct tlog_proof *p, struct err *e)
{
	struct log_hash_ctx c;
	struct tlog_edge edge;
	uint64_t had;
	int rc = proof_ctx(l, size, &c, e);

	if (rc)
		return rc;
	log_cache_path_get(&l->cache, index, size, &c.path);
	log_cache_edge_get(&l->cache, size, &edge);
	had = edge.have;
	rc = tlog_prove_inclusion_edge(index, size, log_hash_get, &c, &edge, p, e);
	if (rc)
		return proof_err(rc, &c, e);
	if (edge.have != had)
		log_cache_edge_put(&l->cache, &edge);
	return RC_OK;
}

int tlog_log_prove_consistency(struct tlog_log *l, uint64_t old_size, uint64_t size,
			       struct tlog_proof *p, struct err *e)
{
	struct log_hash_ctx c;
	struct tlog_edge edge;
	uint64_t had;
	int rc = proof_ctx(l, size, &c, e);

	if (rc)
		return rc;
	log_cache_edge_get(&l->cache, size, &edge);
	had = edge.have;
	rc = tlog_prove_consistency_edge(old_size, size, log_hash_get, &c, &edge, p, e);
	if (rc)
		return proof_err(rc, &c, e);
	if (edge.have != had)
		log_cache_edge_put(&l->cache, &edge);
	return RC_OK;
}

int tlog_log_hash(struct tlog_log *l, uint64_t level, uint64_t index,
		  uint8_t out[TLOG_HASH_SIZE], struct err *e)
{
	struct log_hash_ctx c;
	int rc;

	log_follow(l);
	log_hash_ctx_init(&c, l, log_size(l));
	rc = log_hash_get(&c, level, index, out);
	return rc ? proof_err(rc, &c, e) : RC_OK;
}

int tlog_log_entry(struct tlog_log *l, uint64_t index, struct buf *out, struct err *e)
{
	uint64_t size, k;
	const uint8_t *p, *ent = NULL;
	size_t left, elen = 0;
	unsigned width;
	struct buf b;
	int rc;

	log_follow(l);
	size = log_size(l);
	if (index >= size)
		return err_set(e, RC_NOTFOUND, "not_found", "index",
			       "entry %llu is past the latest checkpoint's size %llu",
			       (unsigned long long)index, (unsigned long long)size);
	buf_init(&b, LOG_BUNDLE_MAX);
	rc = log_bundle_read(l, index / TLOG_TILE_WIDTH, size, &b, &width, e);
	if (rc)
		goto out;
	p = (const uint8_t *)b.data;
	left = b.len;
	for (k = 0; k <= index % TLOG_TILE_WIDTH && !rc; k++)
		rc = tlog_bundle_next(&p, &left, &ent, &elen);
	if (rc) {
		rc = err_set(e, RC_IO, "log_corrupt", NULL,
			     "the entry bundle of entry %llu is truncated",
			     (unsigned long long)index);
		goto out;
	}
	if (buf_append(out, ent, elen) != RC_OK)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "cannot hold entry %llu",
			     (unsigned long long)index);
out:
	buf_release(&b);
	return rc;
}

int tlog_log_each_entry(struct tlog_log *l, uint64_t size,
			int (*fn)(void *ctx, uint64_t index, const void *data, size_t len),
			void *ctx, struct err *e)
{
	uint64_t index = 0;
	const uint8_t *p, *ent = NULL;
	size_t left, elen = 0;
	unsigned width;
	struct buf b;
	uint64_t have;
	int rc = RC_OK;

	log_follow(l);
	have = log_size(l);
	if (size > have)
		return err_set(e, RC_INVAL, "bad_size", "size",
			       "size %llu is past the latest checkpoint's size %llu",
			       (unsigned long long)size, (unsigned long long)have);
	buf_init(&b, LOG_BUNDLE_MAX);
	while (index < size && !rc) {
		buf_clear(&b);
		rc = log_bundle_read(l, index / TLOG_TILE_WIDTH, size, &b, &width, e);
		if (rc)
			break;
		p = (const uint8_t *)b.data;
		left = b.len;
		do {
			if (tlog_bundle_next(&p, &left, &ent, &elen)) {
				rc = err_set(e, RC_IO, "log_corrupt", NULL,
					     "the entry bundle of entry %llu is truncated",
					     (unsigned long long)index);
				break;
			}
			rc = fn(ctx, index, ent, elen);
			index++;
		} while (!rc && index < size && index % TLOG_TILE_WIDTH != 0);
	}
	buf_release(&b);
	return rc;
}

int tlog_log_tile_cached(struct tlog_log *l, const struct tlog_tile *t, struct buf *out,
			 struct err *e)
{
	uint8_t data[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];

	log_follow(l);
	if (t->level < 0 || t->level >= LOG_LEVELS || t->width == 0 ||
	    t->width > TLOG_TILE_WIDTH ||
	    tlog_tile_width(t->level, t->index, log_size(l)) < t->width)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such tile");
	if (!log_cache_span(&l->cache, (unsigned)t->level * TLOG_TILE_HEIGHT,
			    t->index * TLOG_TILE_WIDTH, t->width, data))
		return err_set(e, RC_NOTFOUND, "not_cached", NULL, "the tile is not in the cache");
	if (buf_append(out, data, (size_t)t->width * TLOG_HASH_SIZE) != RC_OK)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

void tlog_log_cache_stats(struct tlog_log *l, struct tlog_cache_stats *s)
{
	log_cache_stats(&l->cache, s);
}
