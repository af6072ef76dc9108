/* witness_server.h - a C2SP tlog-witness: the add-checkpoint handler with its persistence rule, and its HTTP endpoint. */
#ifndef DISPUTED_TLOG_WITNESS_SERVER_H
#define DISPUTED_TLOG_WITNESS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"

/*
 * A witness (c2sp.org/tlog-witness@v1.0.0) trusts a fixed set of logs, each
 * named by its origin and known by one or more Ed25519 verifier keys whose
 * key name is that origin. For each origin it remembers the latest
 * checkpoint it cosigned (witness_state.h), and it answers add-checkpoint
 * requests as the spec says: 404 unknown origin, 403 no trusted
 * signature, 400 malformed body or old size above the checkpoint's, 409
 * old size not the latest cosigned one (or the same size with another
 * root), 422 a consistency proof that fails, else 200 with a
 * c2sp.org/tlog-cosignature@v1.0.1 line - but only after the new
 * checkpoint is durably recorded.
 *
 * Requests for one origin are serialised by a mutex held from the check
 * against the latest checkpoint to the end of the save, so two requests
 * can never both pass against the same old state: the witness never
 * cosigns two inconsistent checkpoints, and never moves back. Requests for
 * different origins run in parallel. The state directory is locked
 * (flock) for as long as the witness is open, so a second witness process
 * on it fails to open instead of racing the first.
 *
 * Knows nothing about disputes; any log in these formats can use it.
 */

struct tlog_witness;

struct tlog_witness_opts {
	const char *state_dir;            /* where the records are kept; must exist; copied */
	const struct tlog_signer *signer; /* the witness's TLOG_KEY_COSIG key; copied */
	const struct tlog_verifier *logs; /* the trusted logs' TLOG_KEY_ED25519 keys; copied */
	size_t nlogs;                     /* at least one; keys with one name make one origin */
};

/*
 * Open a witness: check the keys, lock the state directory and load the
 * record of every origin. RC_INVAL (code "invalid_key") for a signer that
 * is not a cosigner key or a log key that is not Ed25519, or no log key;
 * RC_CONFLICT (code "witness_locked") if another open witness holds the
 * directory; the errors of tlog_witness_state_load for an unreadable or
 * corrupt record (the witness refuses to start rather than forget what it
 * cosigned); RC_NOMEM, RC_IO. On success *out is the witness, to be
 * closed with tlog_witness_close.
 */
int tlog_witness_open(const struct tlog_witness_opts *o, struct tlog_witness **out,
		      struct err *e) WARN_UNUSED;

/* Release the lock, wipe the signer key and free. NULL is a no-op. */
void tlog_witness_close(struct tlog_witness *w);

/* The number of distinct origins the witness serves. */
size_t tlog_witness_origin_count(const struct tlog_witness *w);

/* The name of origin `i` (below tlog_witness_origin_count), owned by `w`. */
const char *tlog_witness_origin(const struct tlog_witness *w, size_t i);

/*
 * The latest cosigned size of `origin` (0 if none yet) and, if `root` is
 * not NULL, its root (the empty tree's root if none). RC_NOTFOUND if the
 * witness does not serve `origin`.
 */
int tlog_witness_latest(struct tlog_witness *w, const char *origin, uint64_t *size,
			uint8_t root[TLOG_HASH_SIZE]) WARN_UNUSED;

/* What to answer an add-checkpoint request. Initialise with tlog_witness_reply_init. */
struct tlog_witness_reply {
	int status;                   /* HTTP status */
	const char *type;             /* Content-Type of body, a static string */
	struct buf body;              /* the response body; owned */
	char origin[TLOG_ORIGIN_MAX]; /* the checkpoint's origin, or "" if the body did not parse */
	uint64_t old_size;            /* the request's old size, when it parsed */
	uint64_t size;                /* the checkpoint's size, when it parsed */
};

/* Make `r` an empty reply (status 500), so tlog_witness_reply_release is safe. */
void tlog_witness_reply_init(struct tlog_witness_reply *r);

/* Free what `r` owns and leave it initialised. */
void tlog_witness_reply_release(struct tlog_witness_reply *r);

/*
 * Handle the body of one POST add-checkpoint request at POSIX time `now`
 * (seconds; the cosignature's timestamp). Safe from any number of threads.
 *
 * `reply` (initialised; its old contents are replaced) always gets a
 * complete answer: 200 with the cosignature line (text/plain); 409 with
 * "<latest size>\n" (text/x.tlog.size), also when the size matches and
 * the root does not; for other failures one line of text/plain saying
 * what was wrong, except for 5xx, whose body says nothing of the cause.
 * The return value is RC_OK for 200, else the failure's code with the
 * details in `e` (for the operator's log).
 */
int tlog_witness_add_checkpoint(struct tlog_witness *w, const char *body, size_t len,
				uint64_t now, struct tlog_witness_reply *reply,
				struct err *e) WARN_UNUSED;

/* ---- the HTTP endpoint (libmicrohttpd) ---- */

struct tlog_witness_http;

/* Largest request body accepted unless the caller asks otherwise: 1 MiB. */
#define TLOG_WITNESS_BODY_MAX ((size_t)1 << 20)

/*
 * Serve `w` on `listen` ("ADDR:PORT", IPv4 or [IPv6]; port 0 picks a free
 * one) with `threads` worker threads: POST /add-checkpoint only (404 for
 * other paths, 405 with Allow: POST for other methods), bodies of at most
 * `max_body` bytes (0 means TLOG_WITNESS_BODY_MAX; larger ones get 413).
 * Each request is logged as a JSON line (core/log.h); a checkpoint whose
 * log signature verified but that is inconsistent with what the witness
 * cosigned is logged as a warning with the whole request, as evidence of
 * the log's misbehaviour. `w` must outlive the server. RC_INVAL for a bad
 * address, RC_IO if it cannot listen.
 */
int tlog_witness_http_start(struct tlog_witness *w, const char *listen, unsigned threads,
			    size_t max_body, struct tlog_witness_http **out,
			    struct err *e) WARN_UNUSED;

/* The port actually bound. */
int tlog_witness_http_port(const struct tlog_witness_http *h);

/* Stop accepting, let requests in flight finish (up to 5 s), and free. NULL is a no-op. */
void tlog_witness_http_stop(struct tlog_witness_http *h);

#endif
