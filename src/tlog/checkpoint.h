/* checkpoint.h - C2SP tlog-checkpoint bodies: strict parsing, formatting and opening signed checkpoints. */
#ifndef DISPUTED_TLOG_CHECKPOINT_H
#define DISPUTED_TLOG_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/*
 * c2sp.org/tlog-checkpoint@v1.0.0: the note text
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n]...
 *
 * The origin is non-empty; the size is ASCII decimal without leading zeroes
 * (below TLOG_MAX_SIZE); the root is 44 characters of padded standard
 * base64 of 32 bytes; extension lines are opaque and non-empty.
 */

/* Longest origin held, with its terminator. */
#define TLOG_ORIGIN_MAX 256
/* Most bytes of extension lines held, with the terminator. */
#define TLOG_EXT_MAX 1024

struct tlog_checkpoint {
	char origin[TLOG_ORIGIN_MAX]; /* first line, without its newline */
	uint64_t size;                /* tree size */
	uint8_t root[TLOG_HASH_SIZE]; /* root hash at that size */
	char ext[TLOG_EXT_MAX];       /* extension lines, each with its newline; "" if none */
};

/*
 * Parse `len` bytes of note text as a checkpoint body, strictly. RC_INVAL
 * (code "malformed_checkpoint", a message naming the line) for anything the
 * spec does not allow: a missing line or final newline, an empty origin, a
 * size with a sign, leading zero or overflow, a root that is not exactly
 * 44 padded base64 characters of 32 bytes, an empty extension line.
 * RC_TOOBIG when the origin or extensions pass the limits above.
 */
int tlog_checkpoint_parse(struct tlog_checkpoint *c, const char *text, size_t len,
			  struct err *e) WARN_UNUSED;

/* Append the body of `c` to `out`. RC_INVAL if its origin or extensions break the rules. */
int tlog_checkpoint_format(const struct tlog_checkpoint *c, struct buf *out) WARN_UNUSED;

/*
 * Open a signed checkpoint: tlog_note_open against the `nkeys` log keys,
 * a strict body, and - unless `origin` is NULL - an origin line equal to
 * `origin` (RC_INVAL, code "wrong_origin", otherwise). `n` (may be NULL)
 * receives the parsed note, e.g. to cosign or merge signatures; it must be
 * initialised and is released on failure. `c` is written on success only.
 */
int tlog_checkpoint_open(struct tlog_checkpoint *c, struct tlog_note *n, const char *msg,
			 size_t len, const char *origin, const struct tlog_verifier *keys,
			 size_t nkeys, struct err *e) WARN_UNUSED;

#endif
