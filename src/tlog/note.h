/* note.h - C2SP signed notes: keys in the Go note formats, parsing, verification and Ed25519 signing. */
#ifndef DISPUTED_TLOG_NOTE_H
#define DISPUTED_TLOG_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * A signed note (c2sp.org/signed-note@v1.0.0) is a text ending in a newline,
 * a blank line, and one or more lines "— <key name> base64(key ID || sig)".
 *
 * Keys use the formats of Go's golang.org/x/mod/sumdb/note:
 *   verifier key  <name>+<8 hex key ID>+base64(type || 32-byte public key)
 *   signer key    PRIVATE+KEY+<name>+<8 hex key ID>+base64(type || 32-byte seed)
 * where key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian.
 * Two types are known: TLOG_KEY_ED25519 (0x01, plain note signatures, what
 * logs sign checkpoints with) and TLOG_KEY_COSIG (0x04, timestamped witness
 * cosignatures of c2sp.org/tlog-cosignature@v1.0.1, see cosig.h). Go knows
 * only 0x01; a 0x04 signer key in the same layout is this project's own.
 *
 * libsodium must be initialised (sodium_init) before any of this is used.
 */

#define TLOG_KEY_ED25519 0x01
#define TLOG_KEY_COSIG   0x04

/* Longest key name held in a key, with its terminator. */
#define TLOG_NAME_MAX 256
/* Most signature lines accepted in one note (the spec asks for at least 16). */
#define TLOG_NOTE_MAX_SIGS 100

/* A public key that notes are checked against. */
struct tlog_verifier {
	char name[TLOG_NAME_MAX]; /* key name, valid per tlog_name_valid */
	uint32_t id;              /* key ID, as computed from name, type and pub */
	uint8_t type;             /* TLOG_KEY_ED25519 or TLOG_KEY_COSIG */
	uint8_t pub[32];          /* Ed25519 public key */
};

/* A private key that signs notes. Secret: wipe with tlog_signer_clear. */
struct tlog_signer {
	char name[TLOG_NAME_MAX]; /* key name */
	uint32_t id;              /* key ID */
	uint8_t type;             /* TLOG_KEY_ED25519 or TLOG_KEY_COSIG */
	uint8_t pub[32];          /* Ed25519 public key */
	uint8_t sk[64];           /* libsodium secret key (seed || public key) */
};

/* One signature line of a parsed note. Pointers are into the note's storage. */
struct tlog_note_sig {
	const char *name;       /* key name, NUL-terminated */
	uint32_t id;            /* key ID: the first four signature bytes */
	const uint8_t *sig;     /* the signature after the key ID */
	size_t sig_len;         /* bytes at sig, at least 1 */
	const char *line;       /* the whole line without its newline, NUL-terminated */
	int verified;           /* set by tlog_note_verify: a known key's signature that verified */
	uint64_t timestamp;     /* for a verified cosignature: its POSIX time, else 0 */
};

/* A parsed note. Initialise with tlog_note_init; release with tlog_note_release. */
struct tlog_note {
	char *text;                 /* note text with its final newline, NUL-terminated; owned */
	size_t text_len;            /* bytes of text, without the terminator */
	struct tlog_note_sig *sigs; /* nsigs signature lines in note order; owned */
	size_t nsigs;               /* at least 1 once parsed */
	char *store;                /* what the sigs point into; owned */
};

/* Key name rule: non-empty UTF-8 without Unicode spaces, '+' or control characters. */
int tlog_name_valid(const char *name);

/* SHA-256(name || 0x0A || type || pub)[:4] as a big-endian number. */
uint32_t tlog_key_id(const char *name, uint8_t type, const uint8_t pub[32]);

/*
 * Parse a verifier key (the NUL-terminated `text`, no surrounding space).
 * RC_INVAL with a message on a bad layout, name, key ID, type or length;
 * RC_TOOBIG if the name is longer than TLOG_NAME_MAX - 1 bytes.
 */
int tlog_verifier_parse(struct tlog_verifier *v, const char *text, struct err *e) WARN_UNUSED;

/* Append the verifier key text of `v` to `out`. */
int tlog_verifier_format(const struct tlog_verifier *v, struct buf *out) WARN_UNUSED;

/*
 * Fill `v` for a name, type and public key; the key ID is computed.
 * RC_INVAL for a bad name or type, RC_TOOBIG for a name too long.
 */
int tlog_verifier_set(struct tlog_verifier *v, const char *name, uint8_t type,
		      const uint8_t pub[32], struct err *e) WARN_UNUSED;

/*
 * Parse a signer key. As tlog_verifier_parse; also checks that the key ID
 * matches the public key derived from the seed. Temporary copies of the
 * seed are wiped; on failure `s` is wiped too.
 */
int tlog_signer_parse(struct tlog_signer *s, const char *text, struct err *e) WARN_UNUSED;

/*
 * Append the signer key text of `s` to `out`. The text is the secret: the
 * caller wipes `out` (sodium_memzero of out->data) before releasing it.
 */
int tlog_signer_format(const struct tlog_signer *s, struct buf *out) WARN_UNUSED;

/* The verifier key of a signer. */
void tlog_signer_verifier(const struct tlog_signer *s, struct tlog_verifier *v);

/* Wipe a signer key. */
void tlog_signer_clear(struct tlog_signer *s);

/*
 * Generate a new key pair of `type` for `name` from libsodium's RNG.
 * RC_INVAL for a bad name or type, RC_TOOBIG for a name too long.
 */
int tlog_key_generate(struct tlog_signer *s, const char *name, uint8_t type,
		      struct err *e) WARN_UNUSED;

/* Make `n` empty, so that tlog_note_release is safe. */
void tlog_note_init(struct tlog_note *n);

/* Free what `n` owns and leave it empty. */
void tlog_note_release(struct tlog_note *n);

/*
 * Parse `len` bytes as a signed note, without checking signatures: valid
 * UTF-8 without control characters but newline; text ending in a newline,
 * then a blank line (the last one in the note), then 1 to
 * TLOG_NOTE_MAX_SIGS lines "— name base64" each ending in a newline, with
 * valid names and at least 5 signature bytes. RC_INVAL (code
 * "malformed_note") otherwise, RC_TOOBIG past the signature limit,
 * RC_NOMEM. `n` must be initialised; its old contents are released, and on
 * failure it is left empty.
 */
int tlog_note_parse(struct tlog_note *n, const char *msg, size_t len, struct err *e) WARN_UNUSED;

/*
 * Check the signatures of a parsed note against `nkeys` known keys. A line
 * is by a known key when both name and key ID match; other lines are
 * ignored. Every line by a known key must verify (Ed25519 keys over the
 * text; cosigner keys as tlog-cosignature/v1) and be marked `verified`;
 * at least one must exist. RC_OK, or RC_FORBIDDEN with code
 * "invalid_signature" (a known key's signature failed) or "unverified_note"
 * (no known key signed).
 */
int tlog_note_verify(struct tlog_note *n, const struct tlog_verifier *keys, size_t nkeys,
		     struct err *e) WARN_UNUSED;

/* tlog_note_parse, then tlog_note_verify. */
int tlog_note_open(struct tlog_note *n, const char *msg, size_t len,
		   const struct tlog_verifier *keys, size_t nkeys, struct err *e) WARN_UNUSED;

/*
 * Append one signature line "— name base64(id || Ed25519(text))\n" by an
 * Ed25519 signer to `out`. The text must be a valid note text (non-empty,
 * ending in a newline, rules above): RC_INVAL otherwise, or for a cosigner
 * key (use tlog_cosig_sign).
 */
int tlog_note_sig_line(struct buf *out, const struct tlog_signer *s, const char *text,
		       size_t len, struct err *e) WARN_UNUSED;

/* Append a whole signed note: the text, a blank line, and the signature line of `s`. */
int tlog_note_sign(struct buf *out, const struct tlog_signer *s, const char *text,
		   size_t len, struct err *e) WARN_UNUSED;

#endif
