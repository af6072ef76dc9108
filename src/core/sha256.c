/* sha256.c - SHA-256 through OpenSSL's EVP interface (one digest fetched once, one context per thread), with libsodium as the build-time alternative and the fallback. */
#include "core/sha256.h"

#include <stdio.h>
#include <stdlib.h>

/* libsodium: the whole backend with `make SHA256=sodium`, the fallback otherwise. */
static void sodium_parts(uint8_t out[SHA256_SIZE], const struct sha256_part *p, size_t n)
{
	crypto_hash_sha256_state st;
	size_t i;

	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++)
		if (p[i].len)
			crypto_hash_sha256_update(&st, p[i].data, (unsigned long long)p[i].len);
	crypto_hash_sha256_final(&st, out);
}

#ifdef DISPUTED_SHA256_SODIUM

const char *sha256_backend(void)
{
	return "libsodium";
}

void sha256_parts(uint8_t out[SHA256_SIZE], const struct sha256_part *parts, size_t n)
{
	sodium_parts(out, parts, n);
}

void sha256_init(struct sha256_ctx *c)
{
	c->evp = NULL;
	crypto_hash_sha256_init(&c->sodium);
}

void sha256_update(struct sha256_ctx *c, const void *in, size_t len)
{
	if (len)
		crypto_hash_sha256_update(&c->sodium, in, (unsigned long long)len);
}

void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_SIZE])
{
	crypto_hash_sha256_final(&c->sodium, out);
}

void sha256_release(struct sha256_ctx *c)
{
	(void)c;
}

#else /* OpenSSL */

#include <openssl/evp.h>
#include <pthread.h>

static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;        /* fetched once (no lookup per hash); NULL: use sodium */
static pthread_key_t sha256_key; /* each thread's EVP_MD_CTX for sha256_parts */
static int sha256_key_made;      /* sha256_key exists */

static void thread_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sha256_setup(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	sha256_key_made = pthread_key_create(&sha256_key, thread_ctx_free) == 0;
}

/* A step after a successful init failed: only a bug in how libcrypto is called can do that. */
static void evp_broken(const char *what)
{
	fprintf(stderr, "sha256: libcrypto's %s failed\n", what);
	abort();
}

/* This thread's context, made on first use; NULL if it cannot be made. */
static EVP_MD_CTX *thread_ctx(void)
{
	EVP_MD_CTX *ctx;

	pthread_once(&sha256_once, sha256_setup);
	if (!sha256_md || !sha256_key_made)
		return NULL;
	ctx = pthread_getspecific(sha256_key);
	if (ctx)
		return ctx;
	ctx = EVP_MD_CTX_new();
	if (ctx && pthread_setspecific(sha256_key, ctx) != 0) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

const char *sha256_backend(void)
{
	return "openssl";
}

void sha256_parts(uint8_t out[SHA256_SIZE], const struct sha256_part *parts, size_t n)
{
	EVP_MD_CTX *ctx = thread_ctx();
	size_t i;

	if (!ctx || !EVP_DigestInit_ex(ctx, sha256_md, NULL)) {
		sodium_parts(out, parts, n);
		return;
	}
	for (i = 0; i < n; i++)
		if (parts[i].len && !EVP_DigestUpdate(ctx, parts[i].data, parts[i].len))
			evp_broken("EVP_DigestUpdate");
	if (!EVP_DigestFinal_ex(ctx, out, NULL))
		evp_broken("EVP_DigestFinal_ex");
}

void sha256_init(struct sha256_ctx *c)
{
	pthread_once(&sha256_once, sha256_setup);
	c->evp = sha256_md ? EVP_MD_CTX_new() : NULL;
	if (c->evp && !EVP_DigestInit_ex(c->evp, sha256_md, NULL)) {
		EVP_MD_CTX_free(c->evp);
		c->evp = NULL;
	}
	if (!c->evp)
		crypto_hash_sha256_init(&c->sodium);
}

void sha256_update(struct sha256_ctx *c, const void *in, size_t len)
{
	if (!len)
		return;
	if (!c->evp)
		crypto_hash_sha256_update(&c->sodium, in, (unsigned long long)len);
	else if (!EVP_DigestUpdate(c->evp, in, len))
		evp_broken("EVP_DigestUpdate");
}

void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_SIZE])
{
	if (!c->evp) {
		crypto_hash_sha256_final(&c->sodium, out);
		return;
	}
	if (!EVP_DigestFinal_ex(c->evp, out, NULL))
		evp_broken("EVP_DigestFinal_ex");
	sha256_release(c);
}

void sha256_release(struct sha256_ctx *c)
{
	EVP_MD_CTX_free(c->evp);
	c->evp = NULL;
}

#endif

void sha256(uint8_t out[SHA256_SIZE], const void *in, size_t len)
{
	struct sha256_part p = {in, len};

	sha256_parts(out, &p, 1);
}
