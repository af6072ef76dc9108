/* checkpoint.c - strict tlog-checkpoint body parsing and formatting, and opening signed checkpoints. */
#include "tlog/checkpoint.h"

#include <string.h>

#include "tlog/tlog_int.h"

#define ROOT_B64_LEN 44

static int ckpt_bad(struct err *e, const char *what)
{
	return err_set(e, RC_INVAL, "malformed_checkpoint", "checkpoint", "%s", what);
}

int tlog_checkpoint_parse(struct tlog_checkpoint *c, const char *text, size_t len,
			  struct err *e)
{
	struct tlog_checkpoint tmp;
	const char *p = text, *end = text + len;
	size_t rlen;
	long l;

	memset(&tmp, 0, sizeof(tmp));
	if (len == 0 || text[len - 1] != '\n')
		return ckpt_bad(e, "checkpoint does not end in a newline");
	if (!tlog_text_valid(text, len))
		return ckpt_bad(e, "checkpoint is not UTF-8 text without control characters");

	l = tlog_line_len(p, (size_t)(end - p));
	if (l <= 0)
		return ckpt_bad(e, "checkpoint origin line is empty");
	if ((size_t)l >= sizeof(tmp.origin))
		return err_set(e, RC_TOOBIG, "malformed_checkpoint", "checkpoint",
			       "checkpoint origin is longer than %d bytes", TLOG_ORIGIN_MAX - 1);
	memcpy(tmp.origin, p, (size_t)l);
	p += l + 1;

	l = p < end ? tlog_line_len(p, (size_t)(end - p)) : -1;
	if (l < 0)
		return ckpt_bad(e, "checkpoint has no tree size line");
	if (tlog_parse_u64(p, (size_t)l, TLOG_MAX_SIZE - 1, &tmp.size) != RC_OK)
		return ckpt_bad(e, "checkpoint tree size is not a decimal without leading zeroes");
	p += l + 1;

	l = p < end ? tlog_line_len(p, (size_t)(end - p)) : -1;
	if (l < 0)
		return ckpt_bad(e, "checkpoint has no root hash line");
	if (l != ROOT_B64_LEN ||
	    tlog_b64_decode(p, (size_t)l, tmp.root, sizeof(tmp.root), &rlen) != RC_OK ||
	    rlen != TLOG_HASH_SIZE)
		return ckpt_bad(e, "checkpoint root hash is not padded base64 of 32 bytes");
	p += l + 1;

	if ((size_t)(end - p) >= sizeof(tmp.ext))
		return err_set(e, RC_TOOBIG, "malformed_checkpoint", "checkpoint",
			       "checkpoint extension lines pass %d bytes", TLOG_EXT_MAX - 1);
	memcpy(tmp.ext, p, (size_t)(end - p));
	while (p < end) {
		l = tlog_line_len(p, (size_t)(end - p));
		if (l == 0)
			return ckpt_bad(e, "checkpoint has an empty extension line");
		p += l + 1;
	}
	*c = tmp;
	return RC_OK;
}

int tlog_checkpoint_format(const struct tlog_checkpoint *c, struct buf *out)
{
	size_t olen = strnlen(c->origin, sizeof(c->origin));
	size_t elen = strnlen(c->ext, sizeof(c->ext));
	const char *p, *end = c->ext + elen;
	long l;
	int rc;

	if (olen == 0 || olen == sizeof(c->origin) || memchr(c->origin, '\n', olen) ||
	    !tlog_text_valid(c->origin, olen) || c->size >= TLOG_MAX_SIZE ||
	    elen == sizeof(c->ext) || !tlog_text_valid(c->ext, elen) ||
	    (elen && c->ext[elen - 1] != '\n'))
		return RC_INVAL;
	for (p = c->ext; p < end; p += l + 1) {
		l = tlog_line_len(p, (size_t)(end - p));
		if (l <= 0)
			return RC_INVAL;
	}
	rc = buf_printf(out, "%s\n%llu\n", c->origin, (unsigned long long)c->size);
	if (!rc)
		rc = tlog_b64_append(out, c->root, TLOG_HASH_SIZE);
	if (!rc)
		rc = buf_append(out, "\n", 1);
	if (!rc)
		rc = buf_append(out, c->ext, elen);
	return rc;
}

int tlog_checkpoint_open(struct tlog_checkpoint *c, struct tlog_note *n, const char *msg,
			 size_t len, const char *origin, const struct tlog_verifier *keys,
			 size_t nkeys, struct err *e)
{
	struct tlog_checkpoint tmp;
	struct tlog_note local;
	struct tlog_note *note = n ? n : &local;
	int rc;

	if (!n)
		tlog_note_init(&local);
	rc = tlog_note_open(note, msg, len, keys, nkeys, e);
	if (rc)
		goto out;
	rc = tlog_checkpoint_parse(&tmp, note->text, note->text_len, e);
	if (rc)
		goto out;
	if (origin && strcmp(tmp.origin, origin) != 0) {
		rc = err_set(e, RC_INVAL, "wrong_origin", "checkpoint",
			     "checkpoint origin is not %s", origin);
		goto out;
	}
	*c = tmp;
out:
	if (!n || rc)
		tlog_note_release(note);
	return rc;
}
