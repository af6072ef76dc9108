/* ids.h - prefixed opaque identifiers, random secrets and their hashes. */
#ifndef DISPUTED_IDS_H
#define DISPUTED_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Longest id, with its terminator: a prefix of up to 4 characters, '_', 24 hex. */
#define ID_MAX 32

/*
 * Write `prefix` + "_" + 24 random lowercase hex digits into `out`
 * (ID_MAX bytes). `prefix` is a short lowercase word such as "mer".
 */
void id_new(char out[ID_MAX], const char *prefix);

/*
 * As id_new, but the first 12 hex digits are `now_ms` (milliseconds since
 * the epoch, big-endian: 48 bits) and only the last 12 are random, so ids
 * made later sort after earlier ones. For records a store appends in bulk
 * and whose creation time every reader may see (orders): an index on a
 * random id takes each insert on a random page, so the pages a batch
 * writes grow with the table until each row costs several pages of WAL
 * and page-cache misses; an index on these takes them at its end. The time they reveal is the record's own
 * `created_at` (its leaf's time line says as much); 48 random bits keep
 * ids of the same millisecond apart. A clock that steps back only puts a
 * few ids out of order.
 */
void id_new_ordered(char out[ID_MAX], const char *prefix, int64_t now_ms);

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
