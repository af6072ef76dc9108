/* witness.c - tlog-witness add-checkpoint request bodies and the checks a witness makes before cosigning. */
#include "tlog/witness.h"

#include <string.h>

#include "tlog/tlog_int.h"

void tlog_witness_request_init(struct tlog_witness_request *r)
{
	memset(r, 0, sizeof(*r));
	tlog_note_init(&r->note);
}

void tlog_witness_request_release(struct tlog_witness_request *r)
{
	tlog_note_release(&r->note);
	tlog_witness_request_init(r);
}

int tlog_witness_request_format(struct buf *out, uint64_t old_size, const struct tlog_proof *p,
				const char *ckpt, size_t ckpt_len)
{
	int rc;

	if (p->n > TLOG_WITNESS_MAX_PROOF || old_size >= TLOG_MAX_SIZE)
		return RC_INVAL;
	rc = buf_printf(out, "old %llu\n", (unsigned long long)old_size);
	if (!rc)
		rc = tlog_proof_and_note_append(out, p, ckpt, ckpt_len);
	return rc;
}

static int request_bad(struct err *e, const char *what)
{
	return err_set(e, RC_INVAL, "malformed_request", "body", "%s", what);
}

int tlog_witness_request_parse(struct tlog_witness_request *r, const char *body, size_t len,
			       struct err *e)
{
	const char *p = body, *end = body + len;
	size_t n;
	long l;
	int rc;

	tlog_witness_request_release(r);
	l = tlog_line_len(p, len);
	if (l < 4 || memcmp(p, "old ", 4) != 0 ||
	    tlog_parse_u64(p + 4, (size_t)l - 4, TLOG_MAX_SIZE - 1, &r->old_size) != RC_OK)
		return request_bad(e, "request does not start with an old size line");
	p += l + 1;
	for (;;) {
		l = tlog_line_len(p, (size_t)(end - p));
		if (l < 0)
			return request_bad(e, "request has no blank line before its checkpoint");
		if (l == 0)
			break;
		if (r->proof.n >= TLOG_WITNESS_MAX_PROOF)
			return request_bad(e, "request has more than 63 proof lines");
		if (l != 44 || tlog_b64_decode(p, 44, r->proof.hash[r->proof.n], TLOG_HASH_SIZE,
					       &n) != RC_OK || n != TLOG_HASH_SIZE)
			return request_bad(e, "proof line is not padded base64 of 32 bytes");
		r->proof.n++;
		p += l + 1;
	}
	p++;
	if (r->old_size == 0 && r->proof.n != 0)
		return request_bad(e, "a request from old size 0 takes no proof");
	rc = tlog_note_parse(&r->note, p, (size_t)(end - p), e);
	if (!rc)
		rc = tlog_checkpoint_parse(&r->ckpt, r->note.text, r->note.text_len, e);
	if (rc)
		tlog_witness_request_release(r);
	return rc;
}

int tlog_witness_check(struct tlog_witness_request *r, const struct tlog_verifier *keys,
		       size_t nkeys, uint64_t latest_size, const uint8_t *latest_root,
		       int *status, struct err *e)
{
	uint8_t empty[TLOG_HASH_SIZE];
	int rc;

	*status = 403;
	rc = tlog_note_verify(&r->note, keys, nkeys, e);
	if (rc)
		return rc;
	*status = 400;
	if (r->old_size > r->ckpt.size)
		return err_set(e, RC_INVAL, "invalid_old_size", "old",
			       "old size %llu is above the checkpoint size %llu",
			       (unsigned long long)r->old_size, (unsigned long long)r->ckpt.size);
	*status = 409;
	if (r->old_size != latest_size)
		return err_set(e, RC_CONFLICT, "old_size_mismatch", "old",
			       "the latest cosigned size is %llu", (unsigned long long)latest_size);
	if (latest_size == 0) {
		tlog_empty_root(empty);
		latest_root = empty;
	}
	if (r->old_size == r->ckpt.size && memcmp(latest_root, r->ckpt.root, TLOG_HASH_SIZE) != 0)
		return err_set(e, RC_CONFLICT, "root_mismatch", "checkpoint",
			       "checkpoint has the latest cosigned size but another root");
	*status = 422;
	rc = tlog_verify_consistency(r->old_size, r->ckpt.size, latest_root, r->ckpt.root,
				     &r->proof, e);
	if (rc)
		return err_set(e, RC_INVAL, "inconsistent_checkpoint", "proof",
			       "consistency proof from size %llu does not verify",
			       (unsigned long long)r->old_size);
	*status = 200;
	return RC_OK;
}
