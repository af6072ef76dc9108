/* test_leaf.c - evidence leaves: commitments and the encoding match values computed independently (Python hashlib), byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "core/timeutil.h"
#include "evidence/leaf.h"
#include "tlog/merkle.h"

static const char golden_leaf[] =
	"disputed-leaf/v2\n"
	"type logistics\n"
	"id lge_000000000000000000000001\n"
	"time 2025-11-01T10:00:02.417Z\n"
	"order ord_000000000000000000000009\n"
	"seq 3\n"
	"prev AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
	"blob sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
	"blob sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	"field carrier EQWPyfitXE7fT6wsBtXeLJWh+KbplJVnVWaAcJHhLJY=\n"
	"field status 8CcwjLB5Hj4A8+Pwmy01i4e7NqlEh20fr4Fq92mb344=\n";

static void b64(const uint8_t *d, size_t n, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, d, n, sodium_base64_VARIANT_ORIGINAL);
}

static void commitment_matches_independent_computation(void **state)
{
	uint8_t salt[32], c[32];
	char text[48];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		salt[i] = (uint8_t)i;
	leaf_commit("carrier", salt, "顺丰速运", strlen("顺丰速运"), c);
	b64(c, 32, text, sizeof(text));
	assert_string_equal(text, "EQWPyfitXE7fT6wsBtXeLJWh+KbplJVnVWaAcJHhLJY=");
	leaf_commit("status", salt, "shipped", 7, c);
	b64(c, 32, text, sizeof(text));
	assert_string_equal(text, "8CcwjLB5Hj4A8+Pwmy01i4e7NqlEh20fr4Fq92mb344=");
}

static void encoding_sorts_dedups_and_matches_the_golden_bytes(void **state)
{
	json_t *blobs = json_pack("[s, s, s]",
				  "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				  "sha256:0000000000000000000000000000000000000000000000000000000000000000",
				  "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	json_t *cm = json_pack("{s:s, s:s}", "status", "8CcwjLB5Hj4A8+Pwmy01i4e7NqlEh20fr4Fq92mb344=",
			       "carrier", "EQWPyfitXE7fT6wsBtXeLJWh+KbplJVnVWaAcJHhLJY=");
	struct leaf_head hd = {"logistics", "lge_000000000000000000000001", 0,
			       "ord_000000000000000000000009", 3,
			       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", NULL};
	uint8_t h[32];
	char text[48];
	struct buf out;

	(void)state;
	buf_init(&out, LEAF_MAX);
	assert_int_equal(time_parse("2025-11-01T10:00:02.417Z", &hd.time_ms), RC_OK);
	assert_int_equal(leaf_encode(&hd, blobs, cm, &out, NULL), RC_OK);
	assert_string_equal(out.data, golden_leaf);
	tlog_leaf_hash(out.data, out.len, h);
	b64(h, 32, text, sizeof(text));
	assert_string_equal(text, "qsTELltwOlWsL0emlsenq/1tx0lOXnxwvT1SxHYRKT8=");
	/* a chain's first leaf has links and no prev; a later one a prev and no links */
	hd.seq = 0;
	assert_int_not_equal(leaf_encode(&hd, blobs, cm, &out, NULL), RC_OK);
	hd.prev = NULL;
	hd.links = json_pack("[s]", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	assert_int_equal(leaf_encode(&hd, blobs, cm, &out, NULL), RC_OK);
	assert_non_null(strstr(out.data, "\nseq 0\nlink AAEC"));
	hd.seq = 1;
	assert_int_not_equal(leaf_encode(&hd, blobs, cm, &out, NULL), RC_OK);
	json_decref(hd.links);
	buf_release(&out);
	json_decref(blobs);
	json_decref(cm);
}

static void decode_round_trips_and_refuses_non_canonical_leaves(void **state)
{
	json_t *leaf = NULL;
	char bad[sizeof(golden_leaf)];

	(void)state;
	assert_int_equal(leaf_decode(golden_leaf, strlen(golden_leaf), &leaf, NULL), RC_OK);
	assert_string_equal(json_string_value(json_object_get(leaf, "type")), "logistics");
	assert_int_equal(json_array_size(json_object_get(leaf, "blobs")), 2);
	assert_int_equal(json_object_size(json_object_get(leaf, "fields")), 2);
	assert_string_equal(json_string_value(json_object_get(leaf, "order")),
			    "ord_000000000000000000000009");
	assert_int_equal(json_integer_value(json_object_get(leaf, "seq")), 3);
	assert_string_equal(json_string_value(json_object_get(leaf, "prev")),
			    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	json_decref(leaf);
	/* a place in the chain spelt with a leading zero */
	{
		char zero[sizeof(golden_leaf) + 1];
		size_t at = (size_t)(strstr(golden_leaf, "seq 3") - golden_leaf) + 4;

		memcpy(zero, golden_leaf, at);
		zero[at] = '0';
		memcpy(zero + at + 1, golden_leaf + at, sizeof(golden_leaf) - at);
		assert_non_null(strstr(zero, "\nseq 03\nprev "));
		assert_int_not_equal(leaf_decode(zero, strlen(zero), &leaf, NULL), RC_OK);
	}
	/* fields out of order */
	memcpy(bad, golden_leaf, sizeof(bad));
	memcpy(strstr(bad, "field carrier"), "field status  ", 13);
	assert_int_not_equal(leaf_decode(bad, strlen(bad), &leaf, NULL), RC_OK);
	/* a missing final newline */
	assert_int_not_equal(leaf_decode(golden_leaf, strlen(golden_leaf) - 1, &leaf, NULL), RC_OK);
	/* an extra space */
	memcpy(bad, golden_leaf, sizeof(bad));
	bad[strlen("disputed-leaf/v2\ntype")] = '\t';
	assert_int_not_equal(leaf_decode(bad, strlen(bad), &leaf, NULL), RC_OK);
}

static void fields_flatten_nested_objects_and_arrays(void **state)
{
	static const char *const skip[] = {"object", "id", "created_at", NULL};
	json_t *body = json_loads("{\"object\":\"order\",\"id\":\"ord_1\",\"created_at\":\"x\","
				  "\"consumer\":{\"name\":\"李娜\",\"phone\":null},"
				  "\"items\":[{\"quantity\":2,\"gift\":true}],\"note\":\"\"}", 0, NULL);
	json_t *f = NULL;

	(void)state;
	assert_int_equal(leaf_fields(body, skip, &f, NULL), RC_OK);
	assert_int_equal(json_object_size(f), 4);
	assert_string_equal(json_string_value(json_object_get(f, "consumer.name")), "李娜");
	assert_null(json_object_get(f, "consumer.phone"));
	assert_string_equal(json_string_value(json_object_get(f, "items[0].quantity")), "2");
	assert_string_equal(json_string_value(json_object_get(f, "items[0].gift")), "true");
	assert_string_equal(json_string_value(json_object_get(f, "note")), "");
	assert_null(json_object_get(f, "object"));
	json_decref(f);
	json_decref(body);
}

/* Numbers and array indexes flatten to the text "%lld" and "[%zu]" give, at every size. */
static void fields_write_numbers_and_indexes_as_printf_does(void **state)
{
	static const long long nums[] = {0, 7, -1, 10, -10, 45600, 2147483648LL, INT64_MAX,
					 INT64_MIN + 1};
	json_t *body = json_object(), *arr = json_array(), *f = NULL;
	char name[32], want[32];
	size_t i;

	(void)state;
	for (i = 0; i < 12; i++)
		json_array_append_new(arr, json_integer(nums[i % 9]));
	json_object_set_new(body, "n", arr);
	assert_int_equal(leaf_fields(body, NULL, &f, NULL), RC_OK);
	assert_int_equal(json_object_size(f), 12);
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "n[%zu]", i);
		snprintf(want, sizeof(want), "%lld", nums[i % 9]);
		assert_string_equal(json_string_value(json_object_get(f, name)), want);
	}
	json_decref(f);
	json_decref(body);
}

static void seal_then_rebuild_gives_the_same_leaf_and_a_change_shows(void **state)
{
	json_t *fields = json_pack("{s:s, s:s}", "legal_name", "杭州云栖数码科技有限公司",
				   "contact.phone", "0571-88886666");
	json_t *blobs = json_array(), *salts = NULL;
	struct leaf_head h = {"merchant", "mer_1", 1000, NULL, 0, NULL, NULL};
	uint8_t secret[LEAF_SECRET_SIZE];
	struct buf a, b;

	(void)state;
	buf_init(&a, LEAF_MAX);
	buf_init(&b, LEAF_MAX);
	randombytes_buf(secret, sizeof(secret));
	assert_int_equal(leaf_seal(&h, fields, blobs, secret, &a, NULL), RC_OK);
	assert_int_equal(leaf_salts(secret, fields, &salts, NULL), RC_OK);
	assert_int_equal(json_object_size(salts), 2);
	assert_int_equal(leaf_rebuild(&h, fields, blobs, salts, &b, NULL),
			 RC_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	json_object_set_new(fields, "legal_name", json_string("某某冒名公司"));
	assert_int_equal(leaf_rebuild(&h, fields, blobs, salts, &b, NULL),
			 RC_OK);
	assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
	/* the secret differs per seal: the same record sealed twice gives another leaf */
	randombytes_buf(secret, sizeof(secret));
	assert_int_equal(leaf_seal(&h, fields, blobs, secret, &b, NULL), RC_OK);
	assert_memory_not_equal(a.data, b.data, a.len < b.len ? a.len : b.len);
	buf_release(&a);
	buf_release(&b);
	json_decref(salts);
	json_decref(fields);
	json_decref(blobs);
}

/* The salts of one secret: one per name, each the name's alone, and another secret's all differ. */
static void salts_derive_from_the_secret_and_the_field_name_alone(void **state)
{
	uint8_t k1[LEAF_SECRET_SIZE], k2[LEAF_SECRET_SIZE], s1[LEAF_SALT_SIZE],
		s2[LEAF_SALT_SIZE], s3[LEAF_SALT_SIZE];
	json_t *few = json_pack("{s:s}", "consumer.name", "x");
	json_t *more = json_pack("{s:s, s:s, s:s}", "a", "1", "consumer.name", "x", "zz", "2");
	json_t *sf = NULL, *sm = NULL;
	char b64[48];

	(void)state;
	memset(k1, 1, sizeof(k1));
	memset(k2, 2, sizeof(k2));
	leaf_salt(k1, "consumer.name", s1);
	leaf_salt(k1, "consumer.name", s2);
	assert_memory_equal(s1, s2, sizeof(s1));      /* stable */
	leaf_salt(k1, "consumer.phone", s3);
	assert_memory_not_equal(s1, s3, sizeof(s1));  /* per name */
	leaf_salt(k2, "consumer.name", s3);
	assert_memory_not_equal(s1, s3, sizeof(s1));  /* per secret */
	/* a field's salt does not depend on which other fields the record has */
	assert_int_equal(leaf_salts(k1, few, &sf, NULL), RC_OK);
	assert_int_equal(leaf_salts(k1, more, &sm, NULL), RC_OK);
	assert_int_equal(json_object_size(sm), 3);
	assert_string_equal(json_string_value(json_object_get(sf, "consumer.name")),
			    json_string_value(json_object_get(sm, "consumer.name")));
	sodium_bin2base64(b64, sizeof(b64), s1, sizeof(s1), sodium_base64_VARIANT_ORIGINAL);
	assert_string_equal(json_string_value(json_object_get(sf, "consumer.name")), b64);
	/* the derivation is crypto_kdf with context "dspsalt1" and the name's subkey id */
	{
		crypto_hash_sha256_state h;
		uint8_t d[32], want[LEAF_SALT_SIZE];
		uint64_t id = 0;
		int i;

		crypto_hash_sha256_init(&h);
		crypto_hash_sha256_update(&h, (const unsigned char *)"disputed-salt/v1\0consumer.name",
					  strlen("disputed-salt/v1") + 1 + strlen("consumer.name"));
		crypto_hash_sha256_final(&h, d);
		for (i = 7; i >= 0; i--)
			id = (id << 8) | d[i];
		assert_int_equal(crypto_kdf_derive_from_key(want, sizeof(want), id, "dspsalt1", k1), 0);
		assert_memory_equal(want, s1, sizeof(want));
	}
	/* the example of docs/formats.md ("Salts") */
	{
		uint8_t k[LEAF_SECRET_SIZE], salt[LEAF_SALT_SIZE];
		int i;

		for (i = 0; i < LEAF_SECRET_SIZE; i++)
			k[i] = (uint8_t)i;
		leaf_salt(k, "tracking_number", salt);
		sodium_bin2base64(b64, sizeof(b64), salt, sizeof(salt),
				  sodium_base64_VARIANT_ORIGINAL);
		assert_string_equal(b64, "y/MQYAbpjH9NeyQkWlcNo0eGRAfhxSvsOFwl4pTaRkU=");
	}
	json_decref(sf);
	json_decref(sm);
	json_decref(few);
	json_decref(more);
}

/* The independent derivation of a field's salt (docs/formats.md, "Salts"). */
static void salt_by_hand(const uint8_t *k, const char *name, uint8_t out[LEAF_SALT_SIZE])
{
	crypto_hash_sha256_state h;
	uint8_t d[32];
	uint64_t id = 0;
	int i;

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)"disputed-salt/v1", 17);
	crypto_hash_sha256_update(&h, (const unsigned char *)name, strlen(name));
	crypto_hash_sha256_final(&h, d);
	for (i = 7; i >= 0; i--)
		id = (id << 8) | d[i];
	assert_int_equal(crypto_kdf_derive_from_key(out, LEAF_SALT_SIZE, id, "dspsalt1", k), 0);
}

/*
 * Salts stay right however the names come: many names (more than the
 * remembered ones, so they evict each other), repeated, long and short.
 */
static void salts_stay_right_across_many_repeated_and_long_names(void **state)
{
	uint8_t k[LEAF_SECRET_SIZE], got[LEAF_SALT_SIZE], want[LEAF_SALT_SIZE];
	char name[128];
	int round, i;

	(void)state;
	memset(k, 7, sizeof(k));
	for (round = 0; round < 3; round++)
		for (i = 0; i < 600; i++) {
			int n = (i * 37 + round * 11) % 600;

			if (n % 50 == 0)
				snprintf(name, sizeof(name), "items[%d].a_rather_long_field_name_past_"
					 "what_a_cache_slot_holds", n);
			else
				snprintf(name, sizeof(name), "items[%d].quantity", n);
			leaf_salt(k, name, got);
			salt_by_hand(k, name, want);
			assert_memory_equal(got, want, sizeof(want));
		}
}

/*
 * Commitments made ahead (leaf_commitments, off the writer) give the very
 * bytes leaf_seal gives: reused where the name and value are the same,
 * made anew where the value changed or the field was not foreseen, and
 * the one foreseen field the record lacks is not in the leaf.
 */
static void commitments_made_ahead_give_the_same_leaf(void **state)
{
	json_t *ahead = json_pack("{s:s, s:s, s:s, s:s}", "legal_name", "杭州某某贸易有限公司",
				  "contact.phone", "0571-1", "kind", "company", "gone", "x");
	json_t *fields = json_pack("{s:s, s:s, s:s, s:s}", "legal_name", "杭州某某贸易有限公司",
				   "contact.phone", "0571-88886666", "kind", "company",
				   "merchant", "mer_2");
	json_t *blobs = json_array(), *known = NULL;
	struct leaf_head h = {"merchant", "mer_1", 1000, NULL, 0, NULL, NULL};
	uint8_t secret[LEAF_SECRET_SIZE];
	struct buf a, b;

	(void)state;
	buf_init(&a, LEAF_MAX);
	buf_init(&b, LEAF_MAX);
	randombytes_buf(secret, sizeof(secret));
	assert_int_equal(leaf_commitments(secret, ahead, &known, NULL), RC_OK);
	assert_int_equal(json_object_size(known), 4);
	assert_int_equal(leaf_seal(&h, fields, blobs, secret, &a, NULL), RC_OK);
	assert_int_equal(leaf_seal_known(&h, fields, blobs, secret, known, &b, NULL), RC_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_null(strstr(b.data, "field gone "));
	/* every field foreseen, under a new secret: every commitment reused, the same bytes */
	json_decref(known);
	randombytes_buf(secret, sizeof(secret));
	assert_int_equal(leaf_commitments(secret, fields, &known, NULL), RC_OK);
	buf_clear(&b);
	assert_int_equal(leaf_seal_known(&h, fields, blobs, secret, known, &b, NULL), RC_OK);
	buf_clear(&a);
	assert_int_equal(leaf_seal(&h, fields, blobs, secret, &a, NULL), RC_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	buf_release(&a);
	buf_release(&b);
	json_decref(known);
	json_decref(ahead);
	json_decref(fields);
	json_decref(blobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commitment_matches_independent_computation),
		cmocka_unit_test(encoding_sorts_dedups_and_matches_the_golden_bytes),
		cmocka_unit_test(decode_round_trips_and_refuses_non_canonical_leaves),
		cmocka_unit_test(fields_flatten_nested_objects_and_arrays),
		cmocka_unit_test(fields_write_numbers_and_indexes_as_printf_does),
		cmocka_unit_test(seal_then_rebuild_gives_the_same_leaf_and_a_change_shows),
		cmocka_unit_test(commitments_made_ahead_give_the_same_leaf),
		cmocka_unit_test(salts_derive_from_the_secret_and_the_field_name_alone),
		cmocka_unit_test(salts_stay_right_across_many_repeated_and_long_names),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
