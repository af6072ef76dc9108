/* sha256.h - SHA-256 for every hash in disputed: from OpenSSL's libcrypto, or from libsodium when built with `make SHA256=sodium`. */
#ifndef DISPUTED_SHA256_H
#define DISPUTED_SHA256_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Which library computes the hashes is chosen when building: OpenSSL's
 * libcrypto by default (its SHA-256 uses the CPU's SHA extensions where
 * there are any), libsodium with `make SHA256=sodium`
 * (DISPUTED_SHA256_SODIUM). Both give the same bytes; nothing stored or
 * sent depends on the choice. Ed25519 signing stays with libsodium.
 *
 * None of these functions fail. The OpenSSL backend keeps one digest
 * context per thread (made on the thread's first hash, freed when the
 * thread ends); should libcrypto ever fail (it only can when it cannot
 * allocate that context), the hash is computed by libsodium instead.
 * Every function is safe to call from any thread.
 */

#define SHA256_SIZE 32

/* Name of the library computing the hashes: "openssl" or "libsodium". */
const char *sha256_backend(void);

/* out = SHA-256 of `len` bytes at `in` (`in` may be NULL when `len` is 0). */
void sha256(uint8_t out[SHA256_SIZE], const void *in, size_t len);

/* One piece of a message hashed by sha256_parts. */
struct sha256_part {
	const void *data; /* may be NULL when len is 0 */
	size_t len;       /* bytes at data */
};

/*
 * out = SHA-256 of the `n` parts one after the other, without copying them
 * together: e.g. RFC 9162's leaf hash, SHA-256(0x00 || entry).
 */
void sha256_parts(uint8_t out[SHA256_SIZE], const struct sha256_part *parts, size_t n);

/*
 * A message hashed as it arrives (a file read in chunks). sha256_init,
 * any number of sha256_update, then sha256_final, which releases the
 * context's resources. A context abandoned before its final must be
 * given to sha256_release. Between final (or release) and the next init
 * the context holds nothing; a zeroed context may be released.
 */
struct sha256_ctx {
	struct evp_md_ctx_st *evp;       /* libcrypto's context, or NULL: sodium is used */
	crypto_hash_sha256_state sodium; /* the state when evp is NULL */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *in, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_SIZE]);
/* Free what an unfinished context holds; a no-op on a finished or zeroed one. */
void sha256_release(struct sha256_ctx *c);

#endif
