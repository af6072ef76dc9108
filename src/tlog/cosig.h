/* cosig.h - tlog-cosignature/v1: timestamped Ed25519 witness cosignatures over checkpoints. */
#ifndef DISPUTED_TLOG_COSIG_H
#define DISPUTED_TLOG_COSIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/note.h"

/*
 * c2sp.org/tlog-cosignature@v1.0.1, Ed25519 type. A cosigner key has type
 * TLOG_KEY_COSIG (0x04), so its key ID is SHA-256(name || 0x0A || 0x04 ||
 * public key)[:4]. The signed message is
 *
 *     "cosignature/v1\n" "time <POSIX seconds>\n" <checkpoint note text>
 *
 * and the note signature is base64(key ID || 8-byte big-endian timestamp
 * || 64-byte Ed25519 signature). The timestamp is at most 2^63 - 1.
 * A witness holds such a signer key; clients verify with tlog_note_verify
 * given the cosigner's verifier key, or with tlog_cosig_verify.
 */

/* Bytes of a cosignature after its key ID: timestamp and Ed25519 signature. */
#define TLOG_COSIG_SIG_LEN (8 + 64)
/* Largest timestamp a cosignature may carry. */
#define TLOG_COSIG_MAX_TIME ((uint64_t)INT64_MAX)

/* Append the message a cosignature signs to `out`. */
int tlog_cosig_message(struct buf *out, uint64_t timestamp, const char *text,
		       size_t len) WARN_UNUSED;

/*
 * Append a cosignature line "— name base64(...)\n" by cosigner `s` over
 * the checkpoint note text (`len` bytes, a strict checkpoint body) at
 * `timestamp`. RC_INVAL if `s` is not a TLOG_KEY_COSIG key, the text is not
 * a checkpoint, or the timestamp is out of range; RC_NOMEM/RC_TOOBIG from
 * `out`.
 */
int tlog_cosig_sign(struct buf *out, const struct tlog_signer *s, const char *text,
		    size_t len, uint64_t timestamp, struct err *e) WARN_UNUSED;

/*
 * Check the cosignature bytes `sig` (after the key ID: TLOG_COSIG_SIG_LEN
 * bytes) by cosigner `v` over the note text. On success `*timestamp` (may
 * be NULL) gets the signed time. RC_FORBIDDEN with code "invalid_signature"
 * if it does not verify, RC_INVAL if `v` is not a cosigner key.
 */
int tlog_cosig_verify(const struct tlog_verifier *v, const char *text, size_t len,
		      const uint8_t *sig, size_t sig_len, uint64_t *timestamp,
		      struct err *e) WARN_UNUSED;

#endif
