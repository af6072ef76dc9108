/* test_shred.c - crypto-shredding: what each kind keeps, a shredded record's leaf rebuilt byte for byte from what is left and its sealed commitments, the retention policy's floor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "evidence/leaf.h"
#include "evidence/seal.h"
#include "evidence/shred.h"
#include "risk/retention.h"

static json_t *order_body(void)
{
	return json_loads("{\"object\":\"order\",\"id\":\"ord_1\",\"external_id\":\"o-1\","
			  "\"merchant\":\"mer_1\",\"consumer\":{\"id\":\"cus_1\",\"external_id\":"
			  "\"c-1\",\"name\":\"李四\",\"phone\":\"+86 138 0000 0000\"},"
			  "\"items\":[{\"listing\":\"lst_1\",\"listing_version\":1,\"quantity\":2,"
			  "\"unit_price\":{\"amount\":1000,\"currency\":\"CNY\"}}],"
			  "\"total\":{\"amount\":2000,\"currency\":\"CNY\"},"
			  "\"payment\":{\"channel\":\"alipay\",\"transaction_id\":\"txn-9\"},"
			  "\"paid_at\":\"2025-10-01T00:00:00Z\",\"created_at\":\"2025-10-01T00:00:01Z\"}",
			  0, NULL);
}

static void an_order_keeps_its_links_and_money_and_loses_its_consumer(void **state)
{
	json_t *o = order_body();
	struct err e;

	(void)state;
	assert_int_equal(shred_body("order", o, &e), RC_OK);
	assert_true(json_is_null(json_object_get(json_object_get(o, "consumer"), "name")));
	assert_true(json_is_null(json_object_get(json_object_get(o, "consumer"), "phone")));
	assert_true(json_is_null(json_object_get(json_object_get(o, "payment"), "transaction_id")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "consumer"), "id")),
			    "cus_1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "total"), "amount")),
			 2000);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(o, "items"), 0), "listing")),
			    "lst_1");
	assert_string_equal(json_string_value(json_object_get(o, "id")), "ord_1");
	assert_string_equal(json_string_value(json_object_get(o, "created_at")),
			    "2025-10-01T00:00:01Z");
	json_decref(o);
}

static void unknown_fields_are_shredded_and_unknown_kinds_refused(void **state)
{
	json_t *m = json_loads("{\"object\":\"message\",\"id\":\"msg_1\",\"order\":\"ord_1\","
			       "\"sender\":\"consumer\",\"text\":\"我家住在…\",\"new_field\":{\"a\":"
			       "[\"x\",1]},\"attachments\":[\"sha256:aa\"],\"sent_at\":\"t\"}",
			       0, NULL);
	struct err e;

	(void)state;
	assert_int_equal(shred_body("message", m, &e), RC_OK);
	assert_true(json_is_null(json_object_get(m, "text")));
	assert_true(json_is_null(json_array_get(json_object_get(json_object_get(m, "new_field"), "a"),
						0)));
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "attachments"), 0)),
			    "sha256:aa");
	assert_string_equal(json_string_value(json_object_get(m, "sender")), "consumer");
	assert_int_equal(shred_body("merchant", m, &e), RC_INTERNAL);
	json_decref(m);
}

/*
 * Seal an order, shred it, and rebuild: the same leaf; without the
 * register's list it is not. `legacy` seals as before secrets: the seal
 * keeps every field's salt as JSON.
 */
static void shred_and_rebuild(int legacy)
{
	json_t *o = order_body(), *salts = NULL, *sealed = NULL, *gone = NULL, *left;
	struct seal_parts before, after;
	struct leaf_head h;
	struct store_seal s;
	struct buf leaf, again;
	char *shredded_salts = NULL, *salts_text = NULL;
	struct err e;

	memset(&h, 0, sizeof(h));
	buf_init(&leaf, LEAF_MAX);
	buf_init(&again, LEAF_MAX);
	assert_int_equal(seal_parts_of("order", o, &before, &e), RC_OK);
	h.type = "order";
	h.id = "ord_1";
	h.time_ms = before.time_ms;
	memset(&s, 0, sizeof(s));
	randombytes_buf(s.secret, sizeof(s.secret));
	s.has_secret = 1;
	assert_int_equal(leaf_seal(&h, before.fields, before.blobs, s.secret, &leaf, &e), RC_OK);
	s.leaf = (unsigned char *)leaf.data;
	s.leaf_len = leaf.len;
	if (legacy) {
		assert_int_equal(leaf_salts(s.secret, before.fields, &salts, &e), RC_OK);
		salts_text = json_dumps(salts, JSON_COMPACT | JSON_SORT_KEYS);
		s.salts = salts_text;
		s.has_secret = 0;
	}

	assert_int_equal(shred_body("order", o, &e), RC_OK);
	assert_int_equal(seal_parts_of("order", o, &after, &e), RC_OK);
	assert_int_equal(shred_gone_fields(&s, after.fields, &gone, &e), RC_OK);
	assert_int_equal(json_array_size(gone), 3); /* consumer.external_id, .name, .phone */
	assert_string_equal(json_string_value(json_array_get(gone, 1)), "consumer.name");
	assert_int_equal(shred_seal_salts(&s, after.fields, gone, &shredded_salts, &e), RC_OK);
	assert_null(strstr(shredded_salts, "consumer.name"));
	assert_non_null(strstr(shredded_salts, "total.amount"));
	left = json_loads(shredded_salts, 0, NULL);
	assert_int_equal(json_object_size(left), json_object_size(after.fields));
	assert_int_equal(leaf_decode(leaf.data, leaf.len, &sealed, &e), RC_OK);
	assert_int_equal(shred_rebuild(&h, after.fields, after.blobs, left, gone, sealed, &again, &e),
			 RC_OK);
	assert_int_equal(again.len, leaf.len);
	assert_memory_equal(again.data, leaf.data, leaf.len);
	/* a salt the register does not list as shredded: refused */
	json_object_del(left, "total.amount");
	buf_clear(&again);
	assert_int_equal(shred_rebuild(&h, after.fields, after.blobs, left, gone, sealed, &again, &e),
			 RC_INVAL);
	/* and the ordinary rebuild of the shredded record fails: not silently accepted */
	buf_clear(&again);
	assert_int_not_equal(leaf_rebuild(&h, after.fields, after.blobs, left, &again, &e), RC_OK);

	json_decref(left);
	json_decref(sealed);
	json_decref(gone);
	json_decref(salts);
	free(salts_text);
	free(shredded_salts);
	seal_parts_release(&before);
	seal_parts_release(&after);
	buf_release(&leaf);
	buf_release(&again);
	json_decref(o);
}

static void a_shredded_leaf_rebuilds_from_what_is_left_and_its_commitments(void **state)
{
	(void)state;
	shred_and_rebuild(0);
}

static void a_seal_from_before_secrets_shreds_and_rebuilds_alike(void **state)
{
	(void)state;
	shred_and_rebuild(1);
}

static void the_policy_counts_calendar_years_and_refuses_less_than_three(void **state)
{
	struct config c;
	struct err e;
	int64_t now, want;
	FILE *f;
	char path[] = "/tmp/disputed-test-shred-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(time_parse("2029-01-06T02:00:00.250Z", &now), 0);
	assert_int_equal(time_parse("2026-01-06T02:00:00.250Z", &want), 0);
	assert_true(retention_cutoff(now, 3) == want);
	config_defaults(&c);
	assert_int_equal(c.retention_years, 3);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[retention]\nyears = 2\n", f);
	fclose(f);
	assert_int_equal(config_load_file(&c, path, 1, &e), RC_INVAL);
	assert_string_equal(e.param, "retention.years");
	f = fopen(path, "w");
	fputs("[retention]\nyears = 7\n", f);
	fclose(f);
	assert_int_equal(config_load_file(&c, path, 1, &e), RC_OK);
	assert_int_equal(c.retention_years, 7);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_order_keeps_its_links_and_money_and_loses_its_consumer),
		cmocka_unit_test(unknown_fields_are_shredded_and_unknown_kinds_refused),
		cmocka_unit_test(a_shredded_leaf_rebuilds_from_what_is_left_and_its_commitments),
		cmocka_unit_test(a_seal_from_before_secrets_shreds_and_rebuilds_alike),
		cmocka_unit_test(the_policy_counts_calendar_years_and_refuses_less_than_three),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
