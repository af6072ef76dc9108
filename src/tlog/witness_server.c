/* witness_server.c - a tlog-witness: trusted logs by origin, the add-checkpoint handler, and record-before-cosign. */
#include "tlog/witness_server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "tlog/cosig.h"
#include "tlog/witness.h"
#include "tlog/witness_state.h"

/* Longest state directory path accepted, with its terminator. */
#define WITNESS_DIR_MAX 4096

/* One log the witness serves. */
struct witness_origin {
	char name[TLOG_NAME_MAX];     /* the origin line: the log keys' name */
	struct tlog_verifier *keys;   /* the log's keys; owned */
	size_t nkeys;                 /* at least 1 */
	pthread_mutex_t lock;         /* held from the check to the end of the save */
	uint64_t size;                /* latest cosigned size, 0 if none */
	uint8_t root[TLOG_HASH_SIZE]; /* its root; the empty tree's if none */
};

struct tlog_witness {
	char dir[WITNESS_DIR_MAX];         /* the state directory */
	int lock_fd;                       /* DIR/.lock, flocked while open; -1 if not */
	struct tlog_signer signer;         /* the cosigner key; secret, wiped on close */
	struct witness_origin *origins;    /* norigins logs, in the order first given; owned */
	size_t norigins;                   /* distinct origins, at least 1 once open */
};

static struct witness_origin *origin_find(struct tlog_witness *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->norigins; i++)
		if (strcmp(w->origins[i].name, name) == 0)
			return &w->origins[i];
	return NULL;
}

/* Add `v` to its origin, making the origin if it is new. */
static int origin_add_key(struct tlog_witness *w, const struct tlog_verifier *v,
			  struct err *e)
{
	struct witness_origin *o = origin_find(w, v->name);
	struct tlog_verifier *keys;

	if (!o) {
		o = &w->origins[w->norigins];
		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "%s", v->name);
		tlog_empty_root(o->root);
		if (pthread_mutex_init(&o->lock, NULL) != 0)
			return err_set(e, RC_NOMEM, NULL, NULL, "cannot create a mutex");
		w->norigins++;
	}
	keys = realloc(o->keys, (o->nkeys + 1) * sizeof(*keys));
	if (!keys)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	o->keys = keys;
	o->keys[o->nkeys++] = *v;
	return RC_OK;
}

static int lock_dir(struct tlog_witness *w, struct err *e)
{
	char path[WITNESS_DIR_MAX + 16];

	snprintf(path, sizeof(path), "%s/.lock", w->dir);
	w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (w->lock_fd < 0)
		return err_set(e, RC_IO, NULL, NULL, "cannot open %s: %s", path, strerror(errno));
	if (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;

		close(w->lock_fd);
		w->lock_fd = -1;
		if (err == EWOULDBLOCK)
			return err_set(e, RC_CONFLICT, "witness_locked", NULL,
				       "another witness is running on %s", w->dir);
		return err_set(e, RC_IO, NULL, NULL, "cannot lock %s: %s", path, strerror(err));
	}
	return RC_OK;
}

int tlog_witness_open(const struct tlog_witness_opts *o, struct tlog_witness **out,
		      struct err *e)
{
	struct tlog_witness *w;
	size_t i;
	int rc;

	*out = NULL;
	if (o->signer->type != TLOG_KEY_COSIG)
		return err_set(e, RC_INVAL, "invalid_key", "signer",
			       "the witness key %s is not a cosignature/v1 key", o->signer->name);
	if (o->nlogs == 0)
		return err_set(e, RC_INVAL, "invalid_key", "logs", "a witness needs a log key");
	for (i = 0; i < o->nlogs; i++)
		if (o->logs[i].type != TLOG_KEY_ED25519)
			return err_set(e, RC_INVAL, "invalid_key", "logs",
				       "the log key %s is not an Ed25519 key", o->logs[i].name);
	w = calloc(1, sizeof(*w));
	if (!w)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	w->lock_fd = -1;
	w->signer = *o->signer;
	w->origins = calloc(o->nlogs, sizeof(*w->origins));
	if (!w->origins) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto fail;
	}
	if ((size_t)snprintf(w->dir, sizeof(w->dir), "%s", o->state_dir) >= sizeof(w->dir)) {
		rc = err_set(e, RC_INVAL, "invalid_path", NULL, "state directory path is too long");
		goto fail;
	}
	for (i = 0; i < o->nlogs; i++) {
		rc = origin_add_key(w, &o->logs[i], e);
		if (rc)
			goto fail;
	}
	rc = lock_dir(w, e);
	if (rc)
		goto fail;
	for (i = 0; i < w->norigins; i++) {
		struct witness_origin *wo = &w->origins[i];

		rc = tlog_witness_state_load(w->dir, wo->name, &wo->size, wo->root, e);
		if (rc == RC_NOTFOUND) {
			err_clear(e);
			rc = RC_OK;
		}
		if (rc)
			goto fail;
	}
	*out = w;
	return RC_OK;
fail:
	tlog_witness_close(w);
	return rc;
}

void tlog_witness_close(struct tlog_witness *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->norigins; i++) {
		pthread_mutex_destroy(&w->origins[i].lock);
		free(w->origins[i].keys);
	}
	free(w->origins);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	tlog_signer_clear(&w->signer);
	free(w);
}

size_t tlog_witness_origin_count(const struct tlog_witness *w)
{
	return w->norigins;
}

const char *tlog_witness_origin(const struct tlog_witness *w, size_t i)
{
	return i < w->norigins ? w->origins[i].name : NULL;
}

int tlog_witness_latest(struct tlog_witness *w, const char *origin, uint64_t *size,
			uint8_t root[TLOG_HASH_SIZE])
{
	struct witness_origin *o = origin_find(w, origin);

	if (!o)
		return RC_NOTFOUND;
	pthread_mutex_lock(&o->lock);
	*size = o->size;
	if (root)
		memcpy(root, o->root, TLOG_HASH_SIZE);
	pthread_mutex_unlock(&o->lock);
	return RC_OK;
}

void tlog_witness_reply_init(struct tlog_witness_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->type = "text/plain; charset=utf-8";
	/* a cosignature line is ~150 bytes; an error line is short */
	buf_init(&r->body, 4096);
}

void tlog_witness_reply_release(struct tlog_witness_reply *r)
{
	buf_release(&r->body);
	tlog_witness_reply_init(r);
}

/* The body of a failure: the latest size for 409, a line of text otherwise. */
static void reply_failure(struct tlog_witness_reply *reply, int status, uint64_t latest,
			  const struct err *e)
{
	int rc;

	buf_clear(&reply->body);
	reply->status = status;
	reply->type = "text/plain; charset=utf-8";
	if (status == 409) {
		reply->type = "text/x.tlog.size";
		rc = buf_printf(&reply->body, "%llu\n", (unsigned long long)latest);
	} else if (status >= 500) {
		rc = buf_appends(&reply->body, "internal error\n");
	} else {
		rc = buf_printf(&reply->body, "%s\n", e->message[0] ? e->message : "bad request");
	}
	if (rc) {
		/* an out-of-memory reply is a bare 500 */
		buf_release(&reply->body);
		reply->status = 500;
		reply->type = "text/plain; charset=utf-8";
	}
}

int tlog_witness_add_checkpoint(struct tlog_witness *w, const char *body, size_t len,
				uint64_t now, struct tlog_witness_reply *reply, struct err *e)
{
	struct tlog_witness_request r;
	struct witness_origin *o;
	struct err local;
	uint64_t latest = 0;
	int rc, status = 500, changed;

	if (!e)
		e = &local;
	err_clear(e);
	tlog_witness_reply_release(reply);
	tlog_witness_request_init(&r);
	rc = tlog_witness_request_parse(&r, body, len, e);
	if (rc) {
		status = rc == RC_NOMEM ? 500 : 400;
		if (rc == RC_TOOBIG) /* too many signatures, too long an origin: still a bad body */
			rc = e->rc = RC_INVAL;
		goto out;
	}
	snprintf(reply->origin, sizeof(reply->origin), "%s", r.ckpt.origin);
	reply->old_size = r.old_size;
	reply->size = r.ckpt.size;
	o = origin_find(w, r.ckpt.origin);
	if (!o) {
		status = 404;
		rc = err_set(e, RC_NOTFOUND, "unknown_origin", "checkpoint",
			     "this witness does not witness the log %s", r.ckpt.origin);
		goto out;
	}

	pthread_mutex_lock(&o->lock);
	rc = tlog_witness_check(&r, o->keys, o->nkeys, o->size, o->size ? o->root : NULL,
				&status, e);
	if (!rc) {
		status = 500;
		rc = tlog_cosig_sign(&reply->body, &w->signer, r.note.text, r.note.text_len, now,
				     e);
	}
	/* The persistence rule: the record is durable before any cosignature leaves. */
	changed = r.ckpt.size != o->size || memcmp(r.ckpt.root, o->root, TLOG_HASH_SIZE) != 0;
	if (!rc && changed)
		rc = tlog_witness_state_save(w->dir, o->name, r.ckpt.size, r.ckpt.root, e);
	if (!rc) {
		o->size = r.ckpt.size;
		memcpy(o->root, r.ckpt.root, TLOG_HASH_SIZE);
		status = 200;
	}
	latest = o->size;
	pthread_mutex_unlock(&o->lock);

out:
	tlog_witness_request_release(&r);
	if (rc) {
		reply_failure(reply, status, latest, e);
		return rc;
	}
	reply->status = 200;
	reply->type = "text/plain; charset=utf-8";
	return RC_OK;
}
