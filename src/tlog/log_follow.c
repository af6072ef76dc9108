/* log_follow.c - a read-only log that follows its writer: the stored checkpoint read again, checked to extend the log's view, and swapped in. */
#include "tlog/log_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "tlog/checkpoint.h"

/*
 * The view (size, root, note, body, witnessed) is what st_mu guards, as
 * for the writer: readers copy it under st_mu, or take the size once and
 * prove against it. A refresh reads, verifies and checks the new
 * checkpoint holding only follow_mu, which readers never wait on (they
 * trylock it, and go on with the view they have when it is taken), and
 * then swaps the view in under st_mu, held for a few copies. Nothing else
 * needs to change with the view: the hash cache holds hashes of complete
 * subtrees by (level, index), which are the same in every tree that
 * extends the one they were read from (and the refresh puts nothing of a
 * tree not yet checked to extend it there); its right edge is keyed by
 * tree size; the open packs only ever grow in place.
 */

void log_follow_open(struct tlog_log *l, unsigned follow_ms)
{
	pthread_mutex_init(&l->follow_mu, NULL);
	l->follow_ms = follow_ms;
	atomic_init(&l->follow_next_ns, 0);
	l->seen_fd = -1;
	memset(&l->seen, 0, sizeof(l->seen));
	l->follow_code[0] = '\0';
}

void log_follow_release(struct tlog_log *l)
{
	if (l->seen_fd >= 0)
		close(l->seen_fd);
	l->seen_fd = -1;
	pthread_mutex_destroy(&l->follow_mu);
}

int log_ckpt_read(struct tlog_log *l, int *fd, struct stat *sb, struct buf *b, struct err *e)
{
	int rc;

	*fd = openat(l->dirfd, "checkpoint", O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return err_set(e, errno == ENOENT ? RC_NOTFOUND : RC_IO, "log_read_failed", NULL,
			       "cannot open checkpoint: %s", strerror(errno));
	if (fstat(*fd, sb) != 0)
		rc = err_set(e, RC_IO, "log_read_failed", NULL, "cannot stat checkpoint: %s",
			     strerror(errno));
	else
		rc = log_fd_read(*fd, "checkpoint", b, LOG_NOTE_MAX, e);
	if (rc) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* ---- the witnessed checkpoint ---- */

int log_note_witnessed(struct tlog_log *l, const struct buf *note)
{
	struct tlog_note n;
	size_t i;
	int all;

	if (l->nw == 0 || note->len == 0)
		return 0;
	tlog_note_init(&n);
	all = tlog_note_parse(&n, note->data, note->len, NULL) == RC_OK;
	for (i = 0; all && i < l->nw; i++)
		all = tlog_note_verify(&n, &l->w[i].v, 1, NULL) == RC_OK;
	tlog_note_release(&n);
	return all;
}

void log_witnessed_set(struct tlog_log *l, const struct buf *note, uint64_t size,
		       const uint8_t root[TLOG_HASH_SIZE])
{
	buf_clear(&l->witnessed);
	if (buf_append(&l->witnessed, note->data, note->len) != RC_OK) {
		buf_clear(&l->witnessed); /* none, rather than a torn one */
		return;
	}
	l->witnessed_size = size;
	memcpy(l->witnessed_root, root, TLOG_HASH_SIZE);
}

/* ---- refreshing ---- */

/* Keep `fd` (with its fstat `sb`) as the checkpoint file last looked at. */
static void seen_take(struct tlog_log *l, int *fd, const struct stat *sb)
{
	if (l->seen_fd >= 0)
		close(l->seen_fd);
	l->seen_fd = *fd;
	l->seen = *sb;
	*fd = -1;
}

/*
 * Whether DIR/checkpoint is another file, or the same one written since,
 * than the one last looked at. The last one is kept open, so a new file
 * cannot have its inode; an in-place write is told by its size or mtime.
 */
static int ckpt_changed(struct tlog_log *l)
{
	struct stat sb;

	if (fstatat(l->dirfd, "checkpoint", &sb, 0) != 0)
		return errno != ENOENT || l->seen_fd >= 0;
	return l->seen_fd < 0 || sb.st_dev != l->seen.st_dev || sb.st_ino != l->seen.st_ino ||
	       sb.st_size != l->seen.st_size ||
	       sb.st_mtim.tv_sec != l->seen.st_mtim.tv_sec ||
	       sb.st_mtim.tv_nsec != l->seen.st_mtim.tv_nsec;
}

static int forked(struct err *e, uint64_t old_size, uint64_t size)
{
	return err_set(e, RC_IO, "log_forked", NULL,
		       "the stored checkpoint of %llu leaves does not extend the tree of %llu the "
		       "log has seen", (unsigned long long)size, (unsigned long long)old_size);
}

/*
 * Whether the tree of `c` extends the view (old_size, old_root): a
 * consistency proof from the tiles, computed without putting anything in
 * the cache, must verify between the two roots. *final is set when the
 * answer is no (the file is refused for good), not when tiles could not
 * be read (another look may do better).
 */
static int extends(struct tlog_log *l, uint64_t old_size, const uint8_t old_root[TLOG_HASH_SIZE],
		   const struct tlog_checkpoint *c, int *final, struct err *e)
{
	struct log_hash_ctx hc;
	struct tlog_proof p;
	int rc;

	*final = 0;
	if (c->size < old_size) {
		*final = 1;
		return err_set(e, RC_IO, "log_rewound", NULL,
			       "the stored checkpoint has %llu leaves, fewer than the %llu the log "
			       "has seen", (unsigned long long)c->size,
			       (unsigned long long)old_size);
	}
	if (c->size == old_size) {
		*final = memcmp(c->root, old_root, TLOG_HASH_SIZE) != 0;
		return *final ? forked(e, old_size, c->size) : RC_OK;
	}
	if (old_size == 0)
		return RC_OK;
	log_hash_ctx_init(&hc, l, c->size);
	hc.probe = 1;
	rc = tlog_prove_consistency(old_size, c->size, log_hash_get, &hc, &p, e);
	if (rc) {
		if (hc.err.rc && e)
			*e = hc.err;
		return rc;
	}
	if (tlog_verify_consistency(old_size, c->size, old_root, c->root, &p, NULL) != RC_OK) {
		*final = 1;
		return forked(e, old_size, c->size);
	}
	return RC_OK;
}

/* Swap in the view of checkpoint `c`, whose note is `note` and body `body` (swapped out). */
static void view_swap(struct tlog_log *l, const struct tlog_checkpoint *c, struct buf *note,
		      struct buf *body, int witnessed)
{
	struct buf t;

	pthread_mutex_lock(&l->st_mu);
	l->size = c->size;
	memcpy(l->root, c->root, TLOG_HASH_SIZE);
	t = l->note;
	l->note = *note;
	*note = t;
	t = l->body;
	l->body = *body;
	*body = t;
	if (witnessed)
		log_witnessed_set(l, &l->note, l->size, l->root);
	pthread_mutex_unlock(&l->st_mu);
}

/* tlog_log_refresh with follow_mu held. */
static int refresh_locked(struct tlog_log *l, struct err *e)
{
	struct tlog_checkpoint c;
	struct buf note, body;
	struct stat sb;
	uint8_t old_root[TLOG_HASH_SIZE];
	uint64_t old_size;
	int fd = -1, rc, final = 0;

	buf_init(&note, LOG_NOTE_MAX);
	buf_init(&body, LOG_NOTE_MAX);
	rc = log_ckpt_read(l, &fd, &sb, &note, e);
	if (rc == RC_NOTFOUND) {
		if (log_size(l) == 0 && l->seen_fd < 0) {
			err_clear(e); /* there was none, and there still is none */
			rc = RC_OK;
		} else {
			rc = err_set(e, RC_IO, "checkpoint_missing", NULL,
				     "the log's checkpoint is gone");
		}
		goto out;
	}
	if (rc)
		goto out;
	rc = tlog_checkpoint_open(&c, NULL, note.data, note.len, l->verifier.name, &l->verifier,
				  1, e);
	if (rc) {
		if (e)
			snprintf(e->param, sizeof(e->param), "checkpoint");
		final = rc != RC_NOMEM;
		goto out;
	}
	if (tlog_checkpoint_format(&c, &body) != RC_OK) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&l->st_mu);
	old_size = l->size;
	memcpy(old_root, l->root, TLOG_HASH_SIZE);
	pthread_mutex_unlock(&l->st_mu);
	rc = extends(l, old_size, old_root, &c, &final, e);
	if (rc)
		goto out;
	/* the same checkpoint with other cosignatures is taken too */
	view_swap(l, &c, &note, &body, log_note_witnessed(l, &note));
	final = 1;
out:
	if (final)
		seen_take(l, &fd, &sb);
	if (fd >= 0)
		close(fd);
	buf_release(&note);
	buf_release(&body);
	return rc;
}

int tlog_log_refresh(struct tlog_log *l, struct err *e)
{
	int rc;

	if (!l->read_only)
		return err_set(e, RC_INVAL, "log_not_read_only", NULL,
			       "only a read-only log is refreshed: the writer's is always current");
	pthread_mutex_lock(&l->follow_mu);
	rc = refresh_locked(l, e);
	if (!rc)
		l->follow_code[0] = '\0';
	atomic_store(&l->follow_next_ns, clock_mono_ns() + (int64_t)l->follow_ms * 1000000);
	pthread_mutex_unlock(&l->follow_mu);
	return rc;
}

int tlog_log_reach(struct tlog_log *l, uint64_t size, struct err *e)
{
	uint64_t have = 0;
	int rc;

	if (!l->read_only || size == 0)
		return RC_OK;
	rc = tlog_log_checkpoint(l, &have, NULL, NULL, e);
	if (!rc && have < size)
		rc = tlog_log_refresh(l, e);
	return rc;
}

/* Log a refusal met while following, once until the next success or another refusal. */
static void follow_report(struct tlog_log *l, int rc, const struct err *e)
{
	const char *code = e->code[0] ? e->code : rc_strerror(rc);

	if (!rc) {
		l->follow_code[0] = '\0';
		return;
	}
	if (strcmp(code, l->follow_code) == 0)
		return;
	snprintf(l->follow_code, sizeof(l->follow_code), "%s", code);
	log_event(LOG_WARN, "the log keeps its view: the stored checkpoint was refused",
		  json_pack("{s:s,s:s}", "code", code, "error", e->message));
}

void log_follow(struct tlog_log *l)
{
	struct err e;
	int64_t now;
	int rc;

	if (!l->follow_ms)
		return;
	now = clock_mono_ns();
	if (now < atomic_load_explicit(&l->follow_next_ns, memory_order_acquire))
		return;
	if (pthread_mutex_trylock(&l->follow_mu) != 0)
		return; /* another thread is looking: go on with the view there is */
	if (now >= atomic_load(&l->follow_next_ns) && ckpt_changed(l)) {
		err_clear(&e);
		rc = refresh_locked(l, &e);
		follow_report(l, rc, &e);
	}
	atomic_store(&l->follow_next_ns, clock_mono_ns() + (int64_t)l->follow_ms * 1000000);
	pthread_mutex_unlock(&l->follow_mu);
}
