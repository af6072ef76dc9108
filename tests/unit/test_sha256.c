/* test_sha256.c - unit tests of SHA-256 (src/core/sha256.c): published vectors, and every way in agreeing with libsodium byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/sha256.h"

static void hex_of(const uint8_t h[SHA256_SIZE], char out[65])
{
	sodium_bin2hex(out, 65, h, SHA256_SIZE);
}

static void assert_sha256_hex(const void *in, size_t len, const char *want)
{
	uint8_t h[SHA256_SIZE];
	char hex[65];

	sha256(h, in, len);
	hex_of(h, hex);
	assert_string_equal(hex, want);
}

/* FIPS 180-2 appendix B and the hash of nothing. */
static void sha256_gives_the_published_digests(void **state)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million = malloc(1000000);

	(void)state;
	assert_sha256_hex(NULL, 0,
			  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_sha256_hex("abc", 3,
			  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_sha256_hex(two_blocks, strlen(two_blocks),
			  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	assert_sha256_hex(million, 1000000,
			  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void sha256_backend_is_the_one_built(void **state)
{
	(void)state;
#ifdef DISPUTED_SHA256_SODIUM
	assert_string_equal(sha256_backend(), "libsodium");
#else
	assert_string_equal(sha256_backend(), "openssl");
#endif
}

/* Every length from 0 to 1100 bytes (past several 64-byte blocks), as libsodium hashes it. */
static void sha256_agrees_with_libsodium_at_every_length(void **state)
{
	uint8_t in[1100], got[SHA256_SIZE], want[SHA256_SIZE];
	size_t len;

	(void)state;
	randombytes_buf(in, sizeof(in));
	for (len = 0; len <= sizeof(in); len++) {
		sha256(got, in, len);
		crypto_hash_sha256(want, in, len);
		assert_memory_equal(got, want, SHA256_SIZE);
	}
}

/* Cut anywhere into three parts (some empty), the message hashes as one piece. */
static void sha256_parts_equals_the_joined_message(void **state)
{
	uint8_t in[300], got[SHA256_SIZE], want[SHA256_SIZE];
	size_t a, b;

	(void)state;
	randombytes_buf(in, sizeof(in));
	crypto_hash_sha256(want, in, sizeof(in));
	for (a = 0; a <= sizeof(in); a += 7) {
		for (b = a; b <= sizeof(in); b += 13) {
			struct sha256_part p[3] = {
				{in, a}, {in + a, b - a}, {in + b, sizeof(in) - b}};

			sha256_parts(got, p, 3);
			assert_memory_equal(got, want, SHA256_SIZE);
		}
	}
	/* no parts, and empty parts with no data, are the empty message */
	{
		struct sha256_part none[2] = {{NULL, 0}, {NULL, 0}};

		crypto_hash_sha256(want, NULL, 0);
		sha256_parts(got, none, 0);
		assert_memory_equal(got, want, SHA256_SIZE);
		sha256_parts(got, none, 2);
		assert_memory_equal(got, want, SHA256_SIZE);
	}
}

/* Fed in chunks of any size, a stream hashes as one piece; a context is reusable after final. */
static void sha256_stream_equals_one_shot(void **state)
{
	static const size_t chunks[] = {1, 3, 63, 64, 65, 1000, 4096};
	uint8_t *in = malloc(10000), got[SHA256_SIZE], want[SHA256_SIZE];
	struct sha256_ctx c;
	size_t i, at;

	(void)state;
	assert_non_null(in);
	randombytes_buf(in, 10000);
	crypto_hash_sha256(want, in, 10000);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		sha256_init(&c);
		for (at = 0; at < 10000; at += chunks[i])
			sha256_update(&c, in + at, 10000 - at < chunks[i] ? 10000 - at : chunks[i]);
		sha256_update(&c, NULL, 0);
		sha256_final(&c, got);
		assert_memory_equal(got, want, SHA256_SIZE);
		sha256_release(&c); /* a finished context: nothing to free */
	}
	free(in);
}

/* Two streams interleaved on one thread, with one-shot hashes between their steps, keep apart. */
static void sha256_streams_and_one_shots_interleave(void **state)
{
	uint8_t a[500], b[700], got[SHA256_SIZE], want[SHA256_SIZE], x[SHA256_SIZE];
	struct sha256_ctx ca, cb;

	(void)state;
	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	sha256_init(&ca);
	sha256_init(&cb);
	sha256_update(&ca, a, 200);
	sha256(x, "abc", 3);
	sha256_update(&cb, b, 350);
	sha256_update(&ca, a + 200, 300);
	sha256(x, b, 10);
	sha256_update(&cb, b + 350, 350);
	sha256_final(&ca, got);
	crypto_hash_sha256(want, a, sizeof(a));
	assert_memory_equal(got, want, SHA256_SIZE);
	sha256_final(&cb, got);
	crypto_hash_sha256(want, b, sizeof(b));
	assert_memory_equal(got, want, SHA256_SIZE);
}

/* A stream given up half way is released without leaking (ASan builds check). */
static void sha256_release_frees_an_abandoned_stream(void **state)
{
	struct sha256_ctx c;

	(void)state;
	memset(&c, 0, sizeof(c));
	sha256_release(&c); /* zeroed: a no-op */
	sha256_init(&c);
	sha256_update(&c, "half", 4);
	sha256_release(&c);
	sha256_release(&c); /* twice: still a no-op */
}

/* sha256_hex, which ids and blob digests use, is the hex of the same bytes. */
static void sha256_hex_is_lowercase_hex_of_the_digest(void **state)
{
	char hex[65];

	(void)state;
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#define THREADS 4
#define PER_THREAD 20000

struct hasher {
	uint8_t seed;  /* what this thread hashes differs from the others */
	int mismatches; /* results that differ from libsodium's */
};

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;
	uint8_t in[300], got[SHA256_SIZE], want[SHA256_SIZE];
	int i;

	memset(in, h->seed, sizeof(in));
	for (i = 0; i < PER_THREAD; i++) {
		memcpy(in, &i, sizeof(i));
		sha256(got, in, 64 + (size_t)(i % 237));
		crypto_hash_sha256(want, in, 64 + (unsigned long long)(i % 237));
		h->mismatches += memcmp(got, want, SHA256_SIZE) != 0;
	}
	return NULL;
}

/* Each thread has its own context: threads hashing at once never mix their messages. */
static void sha256_is_right_on_many_threads_at_once(void **state)
{
	pthread_t t[THREADS];
	struct hasher h[THREADS];
	int i;

	(void)state;
	for (i = 0; i < THREADS; i++) {
		h[i].seed = (uint8_t)(i + 1);
		h[i].mismatches = 0;
		assert_int_equal(pthread_create(&t[i], NULL, hasher_main, &h[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(h[i].mismatches, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_gives_the_published_digests),
		cmocka_unit_test(sha256_backend_is_the_one_built),
		cmocka_unit_test(sha256_agrees_with_libsodium_at_every_length),
		cmocka_unit_test(sha256_parts_equals_the_joined_message),
		cmocka_unit_test(sha256_stream_equals_one_shot),
		cmocka_unit_test(sha256_streams_and_one_shots_interleave),
		cmocka_unit_test(sha256_release_frees_an_abandoned_stream),
		cmocka_unit_test(sha256_hex_is_lowercase_hex_of_the_digest),
		cmocka_unit_test(sha256_is_right_on_many_threads_at_once),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
