/* ids.h - prefixed opaque identifiers, random secrets and their hashes. */
#ifndef DISPUTED_IDS_H
#define DISPUTED_IDS_H

#include <stddef.h>

#include "core/err.h"

/* Longest id, with its terminator: a prefix of up to 4 characters, '_', 24 hex. */
#define ID_MAX 32

/*
 * Write `prefix` + "_" + 24 random lowercase hex digits into `out`
 * (ID_MAX bytes). `prefix` is a short lowercase word such as "mer".
 */
void id_new(char out[ID_MAX], const char *prefix);

/* True if `s` looks like an id of this prefix ("mer_" + 24 hex digits). */
int id_is(const char *s, const char *prefix);

/* Longest secret token, with its terminator. */
#define TOKEN_MAX 64

/*
 * Write a fresh secret token: `prefix` + "_" + 43 characters of unpadded
 * URL-safe base64 carrying 32 random bytes. `prefix` is at most 19
 * characters, so the token is never cut short.
 */
void token_new(char out[TOKEN_MAX], const char *prefix);

/* Write the lowercase hex SHA-256 of `token` (65 bytes with terminator). */
void token_hash(const char *token, char out[65]);

/* Write the lowercase hex SHA-256 of `len` bytes at `data`. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
