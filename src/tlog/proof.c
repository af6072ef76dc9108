/* proof.c - formatting, parsing and verifying c2sp.org/tlog-proof@v1 files. */
#include "tlog/proof.h"

#include <stdlib.h>
#include <string.h>

#include "tlog/tlog_int.h"

void tlog_proof_file_init(struct tlog_proof_file *f)
{
	memset(f, 0, sizeof(*f));
}

void tlog_proof_file_release(struct tlog_proof_file *f)
{
	free(f->extra);
	free(f->checkpoint);
	tlog_proof_file_init(f);
}

int tlog_proof_file_format(struct buf *out, const uint8_t *extra, size_t extra_len,
			   uint64_t index, const struct tlog_proof *p, const char *ckpt,
			   size_t ckpt_len)
{
	int rc;

	if (index >= TLOG_MAX_SIZE || p->n > TLOG_MAX_PROOF || ckpt_len == 0)
		return RC_INVAL;
	rc = buf_appends(out, TLOG_PROOF_HEADER "\n");
	if (!rc && extra && extra_len) {
		rc = buf_appends(out, "extra ");
		if (!rc)
			rc = tlog_b64_append(out, extra, extra_len);
		if (!rc)
			rc = buf_append(out, "\n", 1);
	}
	if (!rc)
		rc = buf_printf(out, "index %llu\n", (unsigned long long)index);
	if (!rc)
		rc = tlog_proof_and_note_append(out, p, ckpt, ckpt_len);
	return rc;
}

static int proof_bad(struct err *e, const char *what)
{
	return err_set(e, RC_INVAL, "malformed_proof", "proof", "%s", what);
}

int tlog_proof_file_parse(struct tlog_proof_file *f, const char *data, size_t len,
			  struct err *e)
{
	const char *p = data, *end = data + len;
	size_t hlen = strlen(TLOG_PROOF_HEADER), n;
	long l;
	int rc;

	tlog_proof_file_release(f);
	l = tlog_line_len(p, len);
	if (l < 0 || (size_t)l != hlen || memcmp(p, TLOG_PROOF_HEADER, hlen) != 0)
		return proof_bad(e, "proof does not start with " TLOG_PROOF_HEADER);
	p += l + 1;

	l = tlog_line_len(p, (size_t)(end - p));
	if (l >= 6 && memcmp(p, "extra ", 6) == 0) {
		f->extra = malloc((size_t)l);
		if (!f->extra) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory parsing a proof");
			goto out;
		}
		if (l == 6 || tlog_b64_decode(p + 6, (size_t)l - 6, f->extra, (size_t)l,
					      &f->extra_len) != RC_OK) {
			rc = proof_bad(e, "proof extra data is not base64");
			goto out;
		}
		p += l + 1;
		l = tlog_line_len(p, (size_t)(end - p));
	}
	if (l < 6 || memcmp(p, "index ", 6) != 0 ||
	    tlog_parse_u64(p + 6, (size_t)l - 6, TLOG_MAX_SIZE - 1, &f->index) != RC_OK) {
		rc = proof_bad(e, "proof has no index line with a decimal without leading zeroes");
		goto out;
	}
	p += l + 1;

	for (;;) {
		l = tlog_line_len(p, (size_t)(end - p));
		if (l < 0) {
			rc = proof_bad(e, "proof has no blank line before its checkpoint");
			goto out;
		}
		if (l == 0)
			break;
		if (f->proof.n >= TLOG_MAX_PROOF) {
			rc = proof_bad(e, "proof has too many hashes");
			goto out;
		}
		if (l != 44 || tlog_b64_decode(p, 44, f->proof.hash[f->proof.n], TLOG_HASH_SIZE,
					       &n) != RC_OK || n != TLOG_HASH_SIZE) {
			rc = proof_bad(e, "proof hash is not padded base64 of 32 bytes");
			goto out;
		}
		f->proof.n++;
		p += l + 1;
	}
	p++;
	if (p >= end) {
		rc = proof_bad(e, "proof has no checkpoint");
		goto out;
	}
	f->checkpoint_len = (size_t)(end - p);
	f->checkpoint = malloc(f->checkpoint_len + 1);
	if (!f->checkpoint) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory parsing a proof");
		goto out;
	}
	memcpy(f->checkpoint, p, f->checkpoint_len);
	f->checkpoint[f->checkpoint_len] = '\0';
	rc = RC_OK;
out:
	if (rc)
		tlog_proof_file_release(f);
	return rc;
}

int tlog_proof_file_verify(const struct tlog_proof_file *f, const uint8_t leaf[TLOG_HASH_SIZE],
			   const char *origin, const struct tlog_verifier *keys, size_t nkeys,
			   struct tlog_checkpoint *c, struct tlog_note *n, struct err *e)
{
	struct tlog_checkpoint tmp;
	int rc;

	rc = tlog_checkpoint_open(&tmp, n, f->checkpoint, f->checkpoint_len, origin, keys,
				  nkeys, e);
	if (rc)
		return rc;
	rc = tlog_verify_inclusion(f->index, tmp.size, leaf, &f->proof, tmp.root, e);
	if (rc) {
		if (n)
			tlog_note_release(n);
		return rc;
	}
	if (c)
		*c = tmp;
	return RC_OK;
}
