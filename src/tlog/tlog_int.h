/* tlog_int.h - helpers shared by the files of the tlog module: base64, strict decimals, note text rules. */
#ifndef DISPUTED_TLOG_INT_H
#define DISPUTED_TLOG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "tlog/merkle.h"
#include "core/err.h"

/* The em dash (U+2014) and space that open a note signature line. */
#define TLOG_SIG_PREFIX "\xe2\x80\x94 "
#define TLOG_SIG_PREFIX_LEN 4

/*
 * Decode exactly `len` characters of standard, padded base64 (RFC 4648
 * section 4) into `out`, which has room for `cap` bytes; `*outlen` gets the
 * decoded length. Anything else - missing padding, stray characters,
 * non-zero pad bits, too much data - is RC_INVAL.
 */
int tlog_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap,
		    size_t *outlen) WARN_UNUSED;

/* Append the standard padded base64 of `len` bytes to `b`. */
int tlog_b64_append(struct buf *b, const uint8_t *data, size_t len) WARN_UNUSED;

/*
 * The tail that tlog-proof files and tlog-witness requests share: one
 * base64 line per proof hash, a blank line, then the signed note verbatim.
 */
int tlog_proof_and_note_append(struct buf *out, const struct tlog_proof *p, const char *note,
			       size_t note_len) WARN_UNUSED;

/*
 * Parse `len` characters as a decimal number at most `max`: digits only,
 * no sign, no leading zero unless the number is 0. RC_INVAL otherwise.
 */
int tlog_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out) WARN_UNUSED;

/*
 * True if `len` bytes at `s` are valid UTF-8 with no ASCII control
 * character other than newline (the rule for signed notes).
 */
int tlog_text_valid(const char *s, size_t len);

/* True if `len` bytes at `s` are a valid key name (see tlog_name_valid). */
int tlog_name_valid_len(const char *s, size_t len);

/* Length of the line at `s` without its '\n', or -1 if no newline within `len` bytes. */
long tlog_line_len(const char *s, size_t len);

#endif
