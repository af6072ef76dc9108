/* cosig.c - tlog-cosignature/v1 signing and verification with a witness key. */
#include "tlog/cosig.h"

#include <sodium.h>
#include <string.h>

#include "tlog/checkpoint.h"
#include "tlog/tlog_int.h"

int tlog_cosig_message(struct buf *out, uint64_t timestamp, const char *text, size_t len)
{
	int rc = buf_printf(out, "cosignature/v1\ntime %llu\n", (unsigned long long)timestamp);

	return rc ? rc : buf_append(out, text, len);
}

int tlog_cosig_sign(struct buf *out, const struct tlog_signer *s, const char *text,
		    size_t len, uint64_t timestamp, struct err *e)
{
	uint8_t sig[4 + TLOG_COSIG_SIG_LEN];
	struct tlog_checkpoint c;
	struct buf msg;
	int i, rc;

	buf_init(&msg, len + 64);
	if (s->type != TLOG_KEY_COSIG)
		return err_set(e, RC_INVAL, "wrong_key_type", "skey",
			       "cosignatures take a cosigner key (type 0x04)");
	if (timestamp > TLOG_COSIG_MAX_TIME)
		return err_set(e, RC_INVAL, "invalid_time", "timestamp",
			       "cosignature time is out of range");
	rc = tlog_checkpoint_parse(&c, text, len, e);
	if (rc)
		return rc;
	rc = tlog_cosig_message(&msg, timestamp, text, len);
	if (rc)
		goto out;
	sig[0] = (uint8_t)(s->id >> 24);
	sig[1] = (uint8_t)(s->id >> 16);
	sig[2] = (uint8_t)(s->id >> 8);
	sig[3] = (uint8_t)s->id;
	for (i = 0; i < 8; i++)
		sig[4 + i] = (uint8_t)(timestamp >> (56 - 8 * i));
	crypto_sign_detached(sig + 12, NULL, (const uint8_t *)msg.data, msg.len, s->sk);
	rc = buf_printf(out, TLOG_SIG_PREFIX "%s ", s->name);
	if (!rc)
		rc = tlog_b64_append(out, sig, sizeof(sig));
	if (!rc)
		rc = buf_append(out, "\n", 1);
out:
	buf_release(&msg);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot append a cosignature");
	return RC_OK;
}

int tlog_cosig_verify(const struct tlog_verifier *v, const char *text, size_t len,
		      const uint8_t *sig, size_t sig_len, uint64_t *timestamp,
		      struct err *e)
{
	struct buf msg;
	uint64_t t = 0;
	int i, rc;

	if (v->type != TLOG_KEY_COSIG)
		return err_set(e, RC_INVAL, "wrong_key_type", "vkey",
			       "cosignatures are checked with a cosigner key (type 0x04)");
	if (sig_len != TLOG_COSIG_SIG_LEN)
		return err_set(e, RC_FORBIDDEN, "invalid_signature", "note",
			       "cosignature by %s is not %d bytes long", v->name,
			       4 + TLOG_COSIG_SIG_LEN);
	for (i = 0; i < 8; i++)
		t = t << 8 | sig[i];
	if (t > TLOG_COSIG_MAX_TIME)
		return err_set(e, RC_FORBIDDEN, "invalid_signature", "note",
			       "cosignature by %s has a time out of range", v->name);
	buf_init(&msg, len + 64);
	rc = tlog_cosig_message(&msg, t, text, len);
	if (rc) {
		buf_release(&msg);
		return err_set(e, rc, NULL, NULL, "cannot build a cosigned message");
	}
	rc = crypto_sign_verify_detached(sig + 8, (const uint8_t *)msg.data, msg.len, v->pub);
	buf_release(&msg);
	if (rc != 0)
		return err_set(e, RC_FORBIDDEN, "invalid_signature", "note",
			       "cosignature by %s does not verify", v->name);
	if (timestamp)
		*timestamp = t;
	return RC_OK;
}
