/* witness.h - C2SP tlog-witness add-checkpoint: the request body and the witness's checks. */
#ifndef DISPUTED_TLOG_WITNESS_H
#define DISPUTED_TLOG_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/*
 * c2sp.org/tlog-witness@v1.0.0, POST <prefix>/add-checkpoint. The body is
 *
 *     old <size>\n
 *     <base64 consistency proof hash>\n     0 to 63 lines, none if old is 0
 *     \n
 *     <signed checkpoint>
 *
 * A witness answers 404 for an unknown origin, 403 when no trusted log
 * signature verifies, 400 for a malformed body or old size above the
 * checkpoint's, 409 (body "<latest size>\n", Content-Type
 * text/x.tlog.size) when the old size is not the latest it cosigned or a
 * same-size checkpoint has another root, 422 when the consistency proof
 * fails, else 200 with its cosignature lines (tlog_cosig_sign over
 * r->note.text) after atomically recording the new checkpoint.
 */

#define TLOG_WITNESS_MAX_PROOF 63

/* A parsed add-checkpoint request. Initialise with tlog_witness_request_init. */
struct tlog_witness_request {
	uint64_t old_size;           /* the latest size the witness cosigned, as the client believes */
	struct tlog_proof proof;     /* consistency proof from old_size to ckpt.size */
	struct tlog_note note;       /* the submitted checkpoint, signatures unchecked; owned */
	struct tlog_checkpoint ckpt; /* its body, parsed strictly */
};

void tlog_witness_request_init(struct tlog_witness_request *r);
void tlog_witness_request_release(struct tlog_witness_request *r);

/*
 * Append a request body to `out`; `ckpt` is the signed checkpoint note.
 * RC_INVAL for a proof of more than 63 hashes.
 */
int tlog_witness_request_format(struct buf *out, uint64_t old_size, const struct tlog_proof *p,
				const char *ckpt, size_t ckpt_len) WARN_UNUSED;

/*
 * Parse a request body: old line, proof lines, blank line, a note whose
 * text is a strict checkpoint. RC_INVAL (HTTP 400, code "malformed_request"
 * or the note/checkpoint codes) otherwise. Then look r->ckpt.origin up
 * (404 when unknown) and call tlog_witness_check.
 */
int tlog_witness_request_parse(struct tlog_witness_request *r, const char *body, size_t len,
			       struct err *e) WARN_UNUSED;

/*
 * The witness's checks for a known origin, given the log's keys and the
 * latest checkpoint it cosigned for that origin (latest_size 0 and
 * latest_root NULL if none). `*status` gets the HTTP status to answer:
 * 200 (RC_OK: cosign and record), 403 (RC_FORBIDDEN), 400 (RC_INVAL),
 * 409 (RC_CONFLICT) or 422 (RC_INVAL, code "inconsistent_checkpoint").
 */
int tlog_witness_check(struct tlog_witness_request *r, const struct tlog_verifier *keys,
		       size_t nkeys, uint64_t latest_size, const uint8_t *latest_root,
		       int *status, struct err *e) WARN_UNUSED;

#endif
