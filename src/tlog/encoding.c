/* encoding.c - base64, strict decimals and text rules shared by the tlog formats. */
#include "tlog/tlog_int.h"

#include <glib.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int tlog_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n = 0;

	/* A NULL b64_end makes libsodium insist on consuming every character. */
	if (sodium_base642bin(out, cap, s, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return RC_INVAL;
	*outlen = n;
	return RC_OK;
}

int tlog_b64_append(struct buf *b, const uint8_t *data, size_t len)
{
	size_t need = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char stackbuf[256];
	char *tmp = stackbuf;
	int rc;

	if (need > sizeof(stackbuf)) {
		tmp = malloc(need);
		if (!tmp)
			return RC_NOMEM;
	}
	sodium_bin2base64(tmp, need, data, len, sodium_base64_VARIANT_ORIGINAL);
	rc = buf_append(b, tmp, need - 1);
	sodium_memzero(tmp, need); /* it may have held a secret key */
	if (tmp != stackbuf)
		free(tmp);
	return rc;
}

int tlog_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, d;
	size_t i;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return RC_INVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return RC_INVAL;
		d = (uint64_t)(s[i] - '0');
		if (v > max / 10 || (v == max / 10 && d > max % 10))
			return RC_INVAL;
		v = v * 10 + d;
	}
	*out = v;
	return RC_OK;
}

int tlog_text_valid(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
			return 0;
	return g_utf8_validate_len(s, len, NULL);
}

int tlog_name_valid_len(const char *s, size_t len)
{
	const char *p, *end = s + len;
	gunichar c;

	if (len == 0 || !tlog_text_valid(s, len) || memchr(s, '\n', len) || memchr(s, '+', len))
		return 0;
	/* Go's unicode.IsSpace: the Unicode separators, plus U+0085. */
	for (p = s; p < end; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char(p);
		if (g_unichar_isspace(c) || c == 0x85)
			return 0;
	}
	return 1;
}

long tlog_line_len(const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);

	return nl ? (long)(nl - s) : -1;
}

int tlog_proof_and_note_append(struct buf *out, const struct tlog_proof *p, const char *note,
			       size_t note_len)
{
	size_t i;
	int rc = RC_OK;

	for (i = 0; !rc && i < p->n; i++) {
		rc = tlog_b64_append(out, p->hash[i], TLOG_HASH_SIZE);
		if (!rc)
			rc = buf_append(out, "\n", 1);
	}
	if (!rc)
		rc = buf_append(out, "\n", 1);
	if (!rc)
		rc = buf_append(out, note, note_len);
	return rc;
}
