/* ids.c - prefixed opaque identifiers and secret tokens, from libsodium's RNG. */
#include "core/ids.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/sha256.h"

void id_new(char out[ID_MAX], const char *prefix)
{
	unsigned char raw[12];
	char hex[25];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(out, ID_MAX, "%s_%s", prefix, hex);
}

void id_new_ordered(char out[ID_MAX], const char *prefix, int64_t now_ms)
{
	uint64_t ms = now_ms > 0 ? (uint64_t)now_ms : 0;
	unsigned char raw[12];
	char hex[25];
	int i;

	for (i = 0; i < 6; i++)
		raw[i] = (unsigned char)(ms >> (8 * (5 - i)));
	randombytes_buf(raw + 6, sizeof(raw) - 6);
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(out, ID_MAX, "%s_%s", prefix, hex);
}

int id_is(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	size_t i;

	if (strncmp(s, prefix, n) != 0 || s[n] != '_')
		return 0;
	s += n + 1;
	for (i = 0; i < 24; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[24] == '\0';
}

void token_new(char out[TOKEN_MAX], const char *prefix)
{
	unsigned char raw[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

	assert(strlen(prefix) + 1 + sizeof(b64) <= TOKEN_MAX);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	snprintf(out, TOKEN_MAX, "%s_%s", prefix, b64);
	sodium_memzero(b64, sizeof(b64));
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	uint8_t h[SHA256_SIZE];

	sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void token_hash(const char *token, char out[65])
{
	sha256_hex(token, strlen(token), out);
}
