/* proof.h - c2sp.org/tlog-proof@v1 files: an entry's index, inclusion proof and signed checkpoint. */
#ifndef DISPUTED_TLOG_PROOF_H
#define DISPUTED_TLOG_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/*
 * A proof file (extension .tlog-proof):
 *
 *     c2sp.org/tlog-proof@v1
 *     [extra <base64 opaque data>]
 *     index <decimal, no leading zeroes>
 *     <base64 proof hash>          zero or more, leaf side first
 *
 *     <signed checkpoint, verbatim, with its signature lines>
 *
 * The extra data is not authenticated: callers must not trust it.
 */

#define TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"

struct tlog_proof_file {
	uint8_t *extra;          /* opaque extra data, or NULL if none; owned */
	size_t extra_len;        /* bytes at extra */
	uint64_t index;          /* the entry's index in the log */
	struct tlog_proof proof; /* inclusion proof in the checkpointed tree */
	char *checkpoint;        /* the signed checkpoint note, NUL-terminated; owned */
	size_t checkpoint_len;   /* bytes at checkpoint */
};

/* Make `f` empty, so tlog_proof_file_release is safe. */
void tlog_proof_file_init(struct tlog_proof_file *f);

/* Free what `f` owns and leave it empty. */
void tlog_proof_file_release(struct tlog_proof_file *f);

/*
 * Append a proof file to `out`. `extra` may be NULL (no extra line, as when
 * extra_len is 0); `ckpt` is the signed checkpoint note, copied verbatim.
 * RC_INVAL if the index is out of range or the checkpoint is empty.
 */
int tlog_proof_file_format(struct buf *out, const uint8_t *extra, size_t extra_len,
			   uint64_t index, const struct tlog_proof *p, const char *ckpt,
			   size_t ckpt_len) WARN_UNUSED;

/*
 * Parse a proof file's layout (the checkpoint is kept verbatim, not yet
 * checked). RC_INVAL with code "malformed_proof" on a bad header, extra or
 * index line, proof hash, more than TLOG_MAX_PROOF hashes, or a missing
 * blank line or checkpoint. `f` must be initialised; its old contents are
 * released, and on failure it is left empty.
 */
int tlog_proof_file_parse(struct tlog_proof_file *f, const char *data, size_t len,
			  struct err *e) WARN_UNUSED;

/*
 * Verify a parsed proof file for the entry whose leaf hash is `leaf`: the
 * checkpoint opens against the log's keys with origin `origin`
 * (tlog_checkpoint_open), and the inclusion proof leads from `leaf` at
 * f->index to its root. `c` (may be NULL) receives the checkpoint; `n` (may
 * be NULL, else initialised) receives the note, so that the caller can
 * apply its witness policy with tlog_note_verify and the cosigner keys.
 * RC_INVAL (code "invalid_proof") when the proof fails, else as
 * tlog_checkpoint_open.
 */
int tlog_proof_file_verify(const struct tlog_proof_file *f, const uint8_t leaf[TLOG_HASH_SIZE],
			   const char *origin, const struct tlog_verifier *keys, size_t nkeys,
			   struct tlog_checkpoint *c, struct tlog_note *n,
			   struct err *e) WARN_UNUSED;

#endif
