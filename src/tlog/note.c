/* note.c - signed notes: Go-format keys, strict parsing, verification against known keys, Ed25519 signing. */
#include "tlog/note.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "tlog/cosig.h"
#include "tlog/tlog_int.h"

#define SKEY_PREFIX "PRIVATE+KEY+"
#define SKEY_PREFIX_LEN 12

_Static_assert(sizeof(((struct tlog_signer *)0)->sk) == crypto_sign_SECRETKEYBYTES,
	       "signer secret key size");
_Static_assert(crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_SEEDBYTES == 32,
	       "Ed25519 key sizes");

int tlog_name_valid(const char *name)
{
	return tlog_name_valid_len(name, strlen(name));
}

uint32_t tlog_key_id(const char *name, uint8_t type, const uint8_t pub[32])
{
	static const uint8_t nl = '\n';
	const struct sha256_part parts[] = {{name, strlen(name)}, {&nl, 1}, {&type, 1}, {pub, 32}};
	uint8_t h[SHA256_SIZE];

	sha256_parts(h, parts, 4);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static int key_type_known(uint8_t type)
{
	return type == TLOG_KEY_ED25519 || type == TLOG_KEY_COSIG;
}

/*
 * Split "name+hexid+base64" (the verifier layout, and the signer layout
 * after its prefix) and decode it: `name` gets the name, `*id` the key ID,
 * `key` the 33 decoded bytes (type || key material).
 */
static int key_split(const char *text, const char *what, char name[TLOG_NAME_MAX],
		     uint32_t *id, uint8_t key[33], struct err *e)
{
	const char *p1, *p2;
	size_t nlen, klen;
	uint64_t v = 0;
	int i;

	p1 = strchr(text, '+');
	p2 = p1 ? strchr(p1 + 1, '+') : NULL;
	if (!p1 || !p2)
		return err_set(e, RC_INVAL, "invalid_key", what,
			       "key is not of the form name+id+key");
	nlen = (size_t)(p1 - text);
	if (!tlog_name_valid_len(text, nlen))
		return err_set(e, RC_INVAL, "invalid_key", what, "key name is not valid");
	if (nlen >= TLOG_NAME_MAX)
		return err_set(e, RC_TOOBIG, "invalid_key", what,
			       "key name is longer than %d bytes", TLOG_NAME_MAX - 1);
	if (p2 - p1 - 1 != 8)
		return err_set(e, RC_INVAL, "invalid_key", what,
			       "key ID is not 8 hex digits");
	for (i = 0; i < 8; i++) {
		char c = p1[1 + i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return err_set(e, RC_INVAL, "invalid_key", what,
				       "key ID is not 8 hex digits");
		v = v << 4 | (uint64_t)d;
	}
	if (tlog_b64_decode(p2 + 1, strlen(p2 + 1), key, 33, &klen) != RC_OK || klen == 0)
		return err_set(e, RC_INVAL, "invalid_key", what, "key is not base64");
	if (!key_type_known(key[0]))
		return err_set(e, RC_INVAL, "unknown_key_type", what,
			       "key type 0x%02x is not supported", key[0]);
	if (klen != 33)
		return err_set(e, RC_INVAL, "invalid_key", what,
			       "key is not 32 bytes long");
	memcpy(name, text, nlen);
	name[nlen] = '\0';
	*id = (uint32_t)v;
	return RC_OK;
}

int tlog_verifier_set(struct tlog_verifier *v, const char *name, uint8_t type,
		      const uint8_t pub[32], struct err *e)
{
	if (!tlog_name_valid(name))
		return err_set(e, RC_INVAL, "invalid_key", "name", "key name is not valid");
	if (strlen(name) >= TLOG_NAME_MAX)
		return err_set(e, RC_TOOBIG, "invalid_key", "name",
			       "key name is longer than %d bytes", TLOG_NAME_MAX - 1);
	if (!key_type_known(type))
		return err_set(e, RC_INVAL, "unknown_key_type", "type",
			       "key type 0x%02x is not supported", type);
	memset(v, 0, sizeof(*v));
	strcpy(v->name, name);
	v->type = type;
	memcpy(v->pub, pub, 32);
	v->id = tlog_key_id(v->name, type, pub);
	return RC_OK;
}

int tlog_verifier_parse(struct tlog_verifier *v, const char *text, struct err *e)
{
	struct tlog_verifier tmp;
	uint8_t key[33];
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = key_split(text, "vkey", tmp.name, &tmp.id, key, e);
	if (rc)
		return rc;
	tmp.type = key[0];
	memcpy(tmp.pub, key + 1, 32);
	if (tlog_key_id(tmp.name, tmp.type, tmp.pub) != tmp.id)
		return err_set(e, RC_INVAL, "invalid_key", "vkey",
			       "key ID does not match the key");
	*v = tmp;
	return RC_OK;
}

static int key_format(struct buf *out, const char *prefix, const char *name, uint32_t id,
		      uint8_t type, const uint8_t material[32])
{
	uint8_t key[33];
	int rc;

	key[0] = type;
	memcpy(key + 1, material, 32);
	rc = buf_printf(out, "%s%s+%08lx+", prefix, name, (unsigned long)id);
	if (!rc)
		rc = tlog_b64_append(out, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	return rc;
}

int tlog_verifier_format(const struct tlog_verifier *v, struct buf *out)
{
	return key_format(out, "", v->name, v->id, v->type, v->pub);
}

int tlog_signer_parse(struct tlog_signer *s, const char *text, struct err *e)
{
	uint8_t key[33];
	int rc;

	memset(s, 0, sizeof(*s));
	if (strncmp(text, SKEY_PREFIX, SKEY_PREFIX_LEN) != 0)
		return err_set(e, RC_INVAL, "invalid_key", "skey",
			       "signer key does not start with " SKEY_PREFIX);
	rc = key_split(text + SKEY_PREFIX_LEN, "skey", s->name, &s->id, key, e);
	if (rc)
		goto out;
	s->type = key[0];
	crypto_sign_seed_keypair(s->pub, s->sk, key + 1);
	if (tlog_key_id(s->name, s->type, s->pub) != s->id)
		rc = err_set(e, RC_INVAL, "invalid_key", "skey",
			     "key ID does not match the key");
out:
	sodium_memzero(key, sizeof(key));
	if (rc)
		tlog_signer_clear(s);
	return rc;
}

int tlog_signer_format(const struct tlog_signer *s, struct buf *out)
{
	/* libsodium's secret key starts with the seed. */
	return key_format(out, SKEY_PREFIX, s->name, s->id, s->type, s->sk);
}

void tlog_signer_verifier(const struct tlog_signer *s, struct tlog_verifier *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->name, s->name, sizeof(v->name));
	v->id = s->id;
	v->type = s->type;
	memcpy(v->pub, s->pub, 32);
}

void tlog_signer_clear(struct tlog_signer *s)
{
	sodium_memzero(s, sizeof(*s));
}

int tlog_key_generate(struct tlog_signer *s, const char *name, uint8_t type, struct err *e)
{
	struct tlog_verifier v;
	int rc;

	memset(s, 0, sizeof(*s));
	crypto_sign_keypair(s->pub, s->sk);
	rc = tlog_verifier_set(&v, name, type, s->pub, e);
	if (rc) {
		tlog_signer_clear(s);
		return rc;
	}
	memcpy(s->name, v.name, sizeof(s->name));
	s->type = type;
	s->id = v.id;
	return RC_OK;
}

/* ---- notes ---- */

void tlog_note_init(struct tlog_note *n)
{
	memset(n, 0, sizeof(*n));
}

void tlog_note_release(struct tlog_note *n)
{
	free(n->text);
	free(n->sigs);
	free(n->store);
	tlog_note_init(n);
}

static int note_malformed(struct err *e, const char *what)
{
	return err_set(e, RC_INVAL, "malformed_note", "note", "%s", what);
}

/* Last occurrence of "\n\n" in msg, or NULL. */
static const char *note_last_split(const char *msg, size_t len)
{
	size_t i;

	for (i = len; i >= 2; i--)
		if (msg[i - 2] == '\n' && msg[i - 1] == '\n')
			return msg + i - 2;
	return NULL;
}

int tlog_note_parse(struct tlog_note *n, const char *msg, size_t len, struct err *e)
{
	const char *split, *sigs, *end = msg + len, *p;
	size_t nlines = 0, sigs_len, off = 0;
	struct tlog_note_sig *sig;
	int rc;

	tlog_note_release(n);
	if (!tlog_text_valid(msg, len))
		return note_malformed(e, "note is not UTF-8 text without control characters");
	split = note_last_split(msg, len);
	if (!split)
		return note_malformed(e, "note has no blank line before its signatures");
	sigs = split + 2;
	sigs_len = (size_t)(end - sigs);
	if (sigs_len == 0 || end[-1] != '\n')
		return note_malformed(e, "note signatures do not end in a newline");
	for (p = sigs; p < end; p++)
		if (*p == '\n')
			nlines++;
	if (nlines > TLOG_NOTE_MAX_SIGS)
		return err_set(e, RC_TOOBIG, "too_many_signatures", "note",
			       "note has more than %d signatures", TLOG_NOTE_MAX_SIGS);

	n->text_len = (size_t)(split + 1 - msg);
	n->text = malloc(n->text_len + 1);
	n->sigs = calloc(nlines, sizeof(*n->sigs));
	/* Per line: copies of the line and the name, and the decoded bytes: each fits the line. */
	n->store = malloc(3 * (sigs_len + nlines));
	if (!n->text || !n->sigs || !n->store) {
		rc = RC_NOMEM;
		goto out;
	}
	memcpy(n->text, msg, n->text_len);
	n->text[n->text_len] = '\0';

	for (p = sigs; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *name = p + TLOG_SIG_PREFIX_LEN, *sp;
		size_t llen = (size_t)(nl - p), nlen, blen, slen;
		char *line_copy, *name_copy;
		uint8_t *bytes;

		if (llen < TLOG_SIG_PREFIX_LEN ||
		    memcmp(p, TLOG_SIG_PREFIX, TLOG_SIG_PREFIX_LEN) != 0) {
			rc = note_malformed(e, "signature line does not start with an em dash");
			goto out;
		}
		sp = memchr(name, ' ', (size_t)(nl - name));
		if (!sp) {
			rc = note_malformed(e, "signature line has no signature");
			goto out;
		}
		nlen = (size_t)(sp - name);
		blen = (size_t)(nl - sp - 1);
		if (!tlog_name_valid_len(name, nlen)) {
			rc = note_malformed(e, "signature line has an invalid key name");
			goto out;
		}
		line_copy = n->store + off;
		memcpy(line_copy, p, llen);
		line_copy[llen] = '\0';
		off += llen + 1;
		name_copy = n->store + off;
		memcpy(name_copy, name, nlen);
		name_copy[nlen] = '\0';
		off += nlen + 1;
		bytes = (uint8_t *)n->store + off;
		if (blen == 0 || tlog_b64_decode(sp + 1, blen, bytes, blen, &slen) != RC_OK ||
		    slen < 5) {
			rc = note_malformed(e, "signature is not base64 of a key ID and bytes");
			goto out;
		}
		off += slen;

		sig = &n->sigs[n->nsigs++];
		sig->name = name_copy;
		sig->line = line_copy;
		sig->id = (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
			  (uint32_t)bytes[2] << 8 | bytes[3];
		sig->sig = bytes + 4;
		sig->sig_len = slen - 4;
		p = nl + 1;
	}
	rc = RC_OK;
out:
	if (rc) {
		if (rc == RC_NOMEM)
			err_set(e, RC_NOMEM, "nomem", NULL, "out of memory parsing a note");
		tlog_note_release(n);
	}
	return rc;
}

static const struct tlog_verifier *note_known(const struct tlog_verifier *keys, size_t nkeys,
					      const struct tlog_note_sig *sig)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (keys[i].id == sig->id && strcmp(keys[i].name, sig->name) == 0)
			return &keys[i];
	return NULL;
}

int tlog_note_verify(struct tlog_note *n, const struct tlog_verifier *keys, size_t nkeys,
		     struct err *e)
{
	const struct tlog_verifier *v;
	struct tlog_note_sig *sig;
	size_t i, good = 0;
	int ok;

	for (i = 0; i < n->nsigs; i++) {
		sig = &n->sigs[i];
		sig->verified = 0;
		sig->timestamp = 0;
		v = note_known(keys, nkeys, sig);
		if (!v)
			continue; /* unknown keys are ignored */
		if (v->type == TLOG_KEY_COSIG)
			ok = tlog_cosig_verify(v, n->text, n->text_len, sig->sig, sig->sig_len,
					       &sig->timestamp, NULL) == RC_OK;
		else
			ok = sig->sig_len == crypto_sign_BYTES &&
			     crypto_sign_verify_detached(sig->sig, (const uint8_t *)n->text,
							 n->text_len, v->pub) == 0;
		if (!ok) {
			for (i = 0; i < n->nsigs; i++)
				n->sigs[i].verified = 0;
			return err_set(e, RC_FORBIDDEN, "invalid_signature", "note",
				       "signature by %s+%08lx does not verify", v->name,
				       (unsigned long)v->id);
		}
		sig->verified = 1;
		good++;
	}
	if (!good)
		return err_set(e, RC_FORBIDDEN, "unverified_note", "note",
			       "note is not signed by a known key");
	return RC_OK;
}

int tlog_note_open(struct tlog_note *n, const char *msg, size_t len,
		   const struct tlog_verifier *keys, size_t nkeys, struct err *e)
{
	int rc = tlog_note_parse(n, msg, len, e);

	if (rc)
		return rc;
	return tlog_note_verify(n, keys, nkeys, e);
}

int tlog_note_sig_line(struct buf *out, const struct tlog_signer *s, const char *text,
		       size_t len, struct err *e)
{
	uint8_t sig[4 + crypto_sign_BYTES];
	int rc;

	if (s->type != TLOG_KEY_ED25519)
		return err_set(e, RC_INVAL, "wrong_key_type", "skey",
			       "only Ed25519 note keys sign notes directly");
	if (len == 0 || text[len - 1] != '\n' || !tlog_text_valid(text, len))
		return err_set(e, RC_INVAL, "malformed_note", "text",
			       "note text must be UTF-8 without controls, ending in a newline");
	sig[0] = (uint8_t)(s->id >> 24);
	sig[1] = (uint8_t)(s->id >> 16);
	sig[2] = (uint8_t)(s->id >> 8);
	sig[3] = (uint8_t)s->id;
	crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, len, s->sk);
	rc = buf_printf(out, TLOG_SIG_PREFIX "%s ", s->name);
	if (!rc)
		rc = tlog_b64_append(out, sig, sizeof(sig));
	if (!rc)
		rc = buf_append(out, "\n", 1);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot append a signature line");
	return RC_OK;
}

int tlog_note_sign(struct buf *out, const struct tlog_signer *s, const char *text,
		   size_t len, struct err *e)
{
	struct buf line;
	int rc;

	buf_init(&line, 16384);
	rc = tlog_note_sig_line(&line, s, text, len, e);
	if (rc)
		goto out;
	rc = buf_append(out, text, len);
	if (!rc)
		rc = buf_append(out, "\n", 1);
	if (!rc)
		rc = buf_append(out, line.data, line.len);
	if (rc)
		err_set(e, rc, NULL, NULL, "cannot append a signed note");
out:
	buf_release(&line);
	return rc;
}
