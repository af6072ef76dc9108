/* log.h - a durable, batching transparency log stored as C2SP tlog-tiles under a directory. */
#ifndef DISPUTED_TLOG_LOG_H
#define DISPUTED_TLOG_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/*
 * Layout under `dir` (the data directory):
 *   dir/checkpoint                 the latest signed checkpoint (with cosignatures)
 *   dir/tile/<L>/<N>[.p/<W>]       hash tiles, C2SP tlog-tiles v0.1.0
 *   dir/tile/entries/<N>[.p/<W>]   entry bundles
 *   dir/tile/.lock                 held (flock) by the one process that writes
 * Any static file server pointed at dir serves the log's read API.
 *
 * Appends are sequenced in batches: a batch closes when it holds
 * `batch_max` entries or `batch_ms` milliseconds after its first entry,
 * whichever comes first. A batch's tiles and bundles are written and
 * fsynced, then a checkpoint for the new size is signed and atomically
 * renamed into place and fsynced; only then do the appenders of the batch
 * return. A crash before that loses only unacknowledged entries, which the
 * next open discards (files past the checkpoint's size are rewritten).
 * The log only ever signs a checkpoint that extends the previous one.
 *
 * Witnesses: after each checkpoint the log submits it (with a consistency
 * proof from the size each witness last cosigned) to every configured
 * witness in a background thread, and attaches the cosignatures that come
 * back to the checkpoint it serves; appends do not wait for witnesses.
 */
struct tlog_log;

struct tlog_witness_conf {
	const char *url;      /* base URL; the log POSTs to <url>/add-checkpoint */
	const char *vkey;     /* the witness's verifier key (cosignature/v1, type 0x04) */
};

struct tlog_log_opts {
	const char *dir;                  /* the data directory */
	const struct tlog_signer *signer; /* the log's Ed25519 key; its name is the origin */
	unsigned batch_max;               /* entries per batch; 0 means 4096 */
	unsigned batch_ms;                /* most ms a batch stays open; 0 means 10 */
	const struct tlog_witness_conf *witnesses;
	size_t nwitnesses;
	int read_only;                    /* open to read and prove only: no lock, no appends */
};

/*
 * Open (creating the files of an empty log if there are none) and, unless
 * read_only, take the writer's lock and start the sequencer thread. A
 * second writer on the same directory fails with RC_CONFLICT (code
 * "log_locked"). The stored checkpoint must verify under the signer's key.
 */
int tlog_log_open(const struct tlog_log_opts *o, struct tlog_log **out, struct err *e) WARN_UNUSED;

/* Finish the batch in progress, stop the threads, release the lock, free. NULL is a no-op. */
void tlog_log_close(struct tlog_log *l);

/* One entry to append: at most 65535 bytes. */
struct tlog_entry {
	const void *data;
	size_t len;
};

/*
 * Append `n` entries and wait until they are integrated and durable;
 * indexes[i] gets entry i's leaf index (consecutive, in order). Safe from
 * any number of threads at once; that is how batches fill.
 */
int tlog_log_append(struct tlog_log *l, const struct tlog_entry *entries, size_t n,
		    uint64_t *indexes, struct err *e) WARN_UNUSED;

/*
 * The latest checkpoint: its size and root, and (if `note` is not NULL)
 * the signed note text with any cosignatures, appended to `note`.
 */
int tlog_log_checkpoint(struct tlog_log *l, uint64_t *size, uint8_t root[TLOG_HASH_SIZE],
			struct buf *note, struct err *e) WARN_UNUSED;

/* Proofs against the tree of `size` leaves (at most the latest checkpoint's size). */
int tlog_log_prove_inclusion(struct tlog_log *l, uint64_t index, uint64_t size,
			     struct tlog_proof *p, struct err *e) WARN_UNUSED;
int tlog_log_prove_consistency(struct tlog_log *l, uint64_t old_size, uint64_t size,
			       struct tlog_proof *p, struct err *e) WARN_UNUSED;

/* Append the bytes of entry `index` to `out`. */
int tlog_log_entry(struct tlog_log *l, uint64_t index, struct buf *out, struct err *e) WARN_UNUSED;

/* The hash of the complete subtree at (level, index), read from the tiles. */
int tlog_log_hash(struct tlog_log *l, uint64_t level, uint64_t index,
		  uint8_t out[TLOG_HASH_SIZE], struct err *e) WARN_UNUSED;

/*
 * Check the stored log against itself: every entry bundle re-hashed into
 * the level-0 tiles, every tile recomputed from the level below, the root
 * from the tiles equal to the checkpoint's, the checkpoint's signature.
 * Each problem is passed to `report` (with the file's path relative to
 * dir); returns the number of problems found in *problems.
 */
int tlog_log_audit(struct tlog_log *l,
		   void (*report)(void *ctx, const char *where, const char *what), void *ctx,
		   uint64_t *problems, struct err *e) WARN_UNUSED;

#endif
