/* test_demo_data.c - unit tests of the demo records: deterministic, consistent, valid API bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/demo_data.h"
#include "core/idcheck.h"
#include "core/jsonx.h"
#include "core/timeutil.h"

#define NOW_MS 1760000000000LL /* 2025-10-09T08:53:20Z */
#define WINDOW_MS (60LL * 86400 * 1000)

static const uint32_t seeds[] = {1, 42, 20250930};

#define N_SEEDS (sizeof(seeds) / sizeof(seeds[0]))

static json_t *records(uint32_t seed)
{
	json_t *a = demo_records(seed, NOW_MS);

	assert_non_null(a);
	assert_true(json_is_array(a));
	return a;
}

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static const char *type_of(json_t *rec)
{
	return str(rec, "type");
}

/* A money object: {"amount": 0..10^13, "currency": "CNY"} and nothing else. */
static json_int_t money_amount(json_t *m)
{
	json_t *amount = json_object_get(m, "amount");

	assert_true(json_is_object(m));
	assert_int_equal(json_object_size(m), 2);
	assert_true(json_is_integer(amount));
	assert_string_equal(str(m, "currency"), "CNY");
	assert_true(json_integer_value(amount) >= 0);
	assert_true(json_integer_value(amount) <= 10000000000000LL);
	return json_integer_value(amount);
}

/* An RFC 3339 UTC time ("…Z") inside the 60 days up to now. */
static int64_t time_of(json_t *obj, const char *key)
{
	const char *s = str(obj, key);
	int64_t ms = 0;

	assert_int_equal(time_parse(s, &ms), RC_OK);
	assert_int_equal(s[strlen(s) - 1], 'Z');
	assert_true(ms <= NOW_MS);
	assert_true(ms >= NOW_MS - WINDOW_MS);
	return ms;
}

/* A string of 1..max characters. */
static void check_text(json_t *obj, const char *key, size_t max)
{
	const char *s = str(obj, key);

	assert_true(s[0] != '\0');
	assert_true(jx_utf8_chars(s) <= max);
}

/* Every key of `obj` is in the NULL-terminated `allowed`. */
static void check_keys(json_t *obj, const char *const *allowed)
{
	const char *key, *const *a;
	json_t *v;

	json_object_foreach(obj, key, v) {
		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (!*a)
			fail_msg("unexpected key \"%s\"", key);
	}
}

static void check_enum(json_t *obj, const char *key, const char *const *values)
{
	const char *s = str(obj, key), *const *v;

	for (v = values; *v && strcmp(*v, s); v++)
		;
	if (!*v)
		fail_msg("%s: unexpected value \"%s\"", key, s);
}

/* ---- what the test keeps of records seen so far ---- */

struct seen_listing {
	const char *ext;       /* borrowed from the records */
	const char *merchant;
	int versions;
	json_int_t price[8];   /* by version - 1 */
};

struct seen {
	struct seen_listing listings[512];
	int n_listings;
	const char *orders[1024];
	int64_t order_paid[1024];
	int64_t order_last[1024]; /* time of the order's latest logistics event so far */
	int n_orders;
	const char *merchants[128];
	int n_merchants;
};

static struct seen_listing *find_listing(struct seen *s, const char *ext)
{
	int i;

	for (i = 0; i < s->n_listings; i++)
		if (!strcmp(s->listings[i].ext, ext))
			return &s->listings[i];
	return NULL;
}

static int find_order(struct seen *s, const char *ext)
{
	int i;

	for (i = 0; i < s->n_orders; i++)
		if (!strcmp(s->orders[i], ext))
			return i;
	return -1;
}

static int find_merchant(struct seen *s, const char *ext)
{
	int i;

	for (i = 0; i < s->n_merchants; i++)
		if (!strcmp(s->merchants[i], ext))
			return i;
	return -1;
}

static int type_rank(const char *t)
{
	static const char *const order[] = {"merchant", "listing", "order", "logistics",
					    "message"};
	int i;

	for (i = 0; i < 5; i++)
		if (!strcmp(order[i], t))
			return i;
	fail_msg("unknown record type \"%s\"", t);
	return -1;
}

/* ---- tests ---- */

static void test_same_seed_gives_identical_json(void **state)
{
	json_t *a, *b, *c;
	char *da, *db, *dc;

	(void)state;
	a = records(42);
	b = records(42);
	c = records(43);
	da = json_dumps(a, JSON_COMPACT);
	db = json_dumps(b, JSON_COMPACT);
	dc = json_dumps(c, JSON_COMPACT);
	assert_non_null(da);
	assert_non_null(db);
	assert_non_null(dc);
	assert_string_equal(da, db);
	assert_true(strcmp(da, dc) != 0);
	free(da);
	free(db);
	free(dc);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void test_counts_are_in_range(void **state)
{
	size_t si, i;

	(void)state;
	for (si = 0; si < N_SEEDS; si++) {
		json_t *a = records(seeds[si]), *rec;
		const char *consumers[1024], *chat_orders[1024];
		int n_merchant = 0, n_company = 0, n_no_email = 0, n_listing_lines = 0;
		int n_listings = 0, n_order = 0, n_consumers = 0, n_logistics = 0;
		int n_chats = 0, chat_len = 0, n_lost = 0, n_returned = 0, n_signed = 0;
		int n_platform = 0, k;
		struct seen *s = calloc(1, sizeof(*s));

		assert_non_null(s);
		json_array_foreach(a, i, rec) {
			const char *t = type_of(rec);

			if (!strcmp(t, "merchant")) {
				n_merchant++;
				n_company += !strcmp(str(rec, "kind"), "company");
				n_no_email += !json_object_get(json_object_get(rec, "contact"), "email");
			} else if (!strcmp(t, "listing")) {
				n_listing_lines++;
				if (!find_listing(s, str(rec, "external_id"))) {
					s->listings[s->n_listings++].ext = str(rec, "external_id");
					n_listings++;
				}
			} else if (!strcmp(t, "order")) {
				const char *c = str(json_object_get(rec, "consumer"), "external_id");

				n_order++;
				for (k = 0; k < n_consumers && strcmp(consumers[k], c); k++)
					;
				if (k == n_consumers)
					consumers[n_consumers++] = c;
			} else if (!strcmp(t, "logistics")) {
				n_logistics++;
				n_lost += !strcmp(str(rec, "status"), "lost");
				n_returned += !strcmp(str(rec, "status"), "returned");
				n_signed += !strcmp(str(rec, "status"), "signed");
			} else {
				const char *o = str(rec, "order");

				n_platform += !strcmp(str(rec, "sender"), "platform");
				for (k = 0; k < n_chats && strcmp(chat_orders[k], o); k++)
					;
				if (k == n_chats)
					chat_orders[n_chats++] = o;
				chat_len++;
			}
		}
		assert_int_equal(n_merchant, 40);
		assert_in_range(n_company, 24, 30);          /* about two thirds */
		assert_in_range(n_no_email, 2, 6);
		assert_in_range(n_listings, 120, 200);       /* 3-5 per merchant */
		assert_in_range(n_listing_lines - n_listings, 10, 20); /* second versions */
		assert_int_equal(n_order, 400);
		assert_in_range(n_consumers, 140, 150);
		assert_in_range(n_chats, 120, 220);          /* about 40% of orders */
		assert_in_range(chat_len, 2 * n_chats, 8 * n_chats);
		assert_in_range(n_logistics, 1000, 2800);
		assert_true(n_signed >= 200);
		assert_true(n_lost >= 1);
		assert_true(n_returned >= 1);
		assert_true(n_platform >= 1);
		free(s);
		json_decref(a);
	}
}

static void test_merchant_identity_numbers_pass_checks(void **state)
{
	size_t si, i;

	(void)state;
	for (si = 0; si < N_SEEDS; si++) {
		json_t *a = records(seeds[si]), *rec;

		json_array_foreach(a, i, rec) {
			if (strcmp(type_of(rec), "merchant"))
				continue;
			if (!strcmp(str(rec, "kind"), "company")) {
				assert_true(idcheck_uscc(str(rec, "uscc")));
				assert_null(json_object_get(rec, "id_number"));
			} else {
				assert_string_equal(str(rec, "kind"), "individual");
				assert_true(idcheck_resident_id(str(rec, "id_number")));
				assert_null(json_object_get(rec, "uscc"));
			}
		}
		json_decref(a);
	}
}

static void test_order_items_reference_earlier_listings_of_same_merchant(void **state)
{
	size_t si, i, j;

	(void)state;
	for (si = 0; si < N_SEEDS; si++) {
		json_t *a = records(seeds[si]), *rec, *item;
		struct seen *s = calloc(1, sizeof(*s));
		int old_versions = 0;

		assert_non_null(s);
		json_array_foreach(a, i, rec) {
			const char *t = type_of(rec);

			if (!strcmp(t, "merchant")) {
				s->merchants[s->n_merchants++] = str(rec, "external_id");
			} else if (!strcmp(t, "listing")) {
				struct seen_listing *l = find_listing(s, str(rec, "external_id"));

				assert_true(find_merchant(s, str(rec, "merchant")) >= 0);
				if (!l) {
					l = &s->listings[s->n_listings++];
					l->ext = str(rec, "external_id");
					l->merchant = str(rec, "merchant");
				}
				assert_string_equal(l->merchant, str(rec, "merchant"));
				assert_true(l->versions < 8);
				l->price[l->versions++] = money_amount(json_object_get(rec, "price"));
			} else if (!strcmp(t, "order")) {
				const char *merchant = str(rec, "merchant");

				assert_true(find_merchant(s, merchant) >= 0);
				json_array_foreach(json_object_get(rec, "items"), j, item) {
					struct seen_listing *l = find_listing(s, str(item, "listing"));
					json_t *v = json_object_get(item, "listing_version");
					int version;

					assert_non_null(l);
					assert_string_equal(l->merchant, merchant);
					version = v ? (int)json_integer_value(v) : l->versions;
					old_versions += version < l->versions;
					assert_in_range(version, 1, l->versions);
					assert_int_equal(money_amount(json_object_get(item, "unit_price")),
							 l->price[version - 1]);
				}
			}
		}
		assert_true(old_versions >= 1); /* some orders predate a price change */
		free(s);
		json_decref(a);
	}
}

static void test_totals_equal_sum_of_items(void **state)
{
	size_t si, i, j;

	(void)state;
	for (si = 0; si < N_SEEDS; si++) {
		json_t *a = records(seeds[si]), *rec, *item;

		json_array_foreach(a, i, rec) {
			json_int_t sum = 0;

			if (strcmp(type_of(rec), "order"))
				continue;
			json_array_foreach(json_object_get(rec, "items"), j, item)
				sum += json_integer_value(json_object_get(item, "quantity")) *
				       money_amount(json_object_get(item, "unit_price"));
			assert_int_equal(money_amount(json_object_get(rec, "total")), sum);
		}
		json_decref(a);
	}
}

static void test_times_are_in_window_and_in_order(void **state)
{
	size_t si, i;

	(void)state;
	for (si = 0; si < N_SEEDS; si++) {
		json_t *a = records(seeds[si]), *rec;
		struct seen *s = calloc(1, sizeof(*s));
		int64_t last_paid = 0, last_event = 0, last_message = 0, t;
		int rank = 0, r, o;

		assert_non_null(s);
		json_array_foreach(a, i, rec) {
			const char *type = type_of(rec);

			r = type_rank(type);
			assert_true(r >= rank); /* merchants, listings, orders, logistics, messages */
			rank = r;
			if (!strcmp(type, "order")) {
				t = time_of(rec, "paid_at");
				assert_true(t >= last_paid);
				last_paid = t;
				assert_true(find_order(s, str(rec, "external_id")) < 0);
				s->order_paid[s->n_orders] = t;
				s->order_last[s->n_orders] = t;
				s->orders[s->n_orders++] = str(rec, "external_id");
			} else if (!strcmp(type, "logistics") || !strcmp(type, "message")) {
				int is_event = !strcmp(type, "logistics");

				o = find_order(s, str(rec, "order"));
				assert_true(o >= 0); /* an order emitted earlier */
				t = time_of(rec, is_event ? "occurred_at" : "sent_at");
				assert_true(t >= (is_event ? last_event : last_message));
				if (is_event) {
					last_event = t;
					assert_true(t > s->order_last[o]); /* after payment, in sequence */
					s->order_last[o] = t;
				} else {
					last_message = t;
					assert_true(t > s->order_paid[o]);
				}
			}
		}
		free(s);
		json_decref(a);
	}
}

static void test_records_are_valid_api_bodies(void **state)
{
	static const char *const merchant_keys[] = {"type", "external_id", "kind",
		"legal_name", "uscc", "id_number", "registered_address", "contact", NULL};
	static const char *const contact_keys[] = {"phone", "email", NULL};
	static const char *const listing_keys[] = {"type", "external_id", "merchant",
		"title", "description", "price", "return_exclusion", "category", NULL};
	static const char *const exclusions[] = {"custom", "perishable",
		"digital_unsealed", "periodical", NULL};
	static const char *const order_keys[] = {"type", "external_id", "consumer",
		"merchant", "items", "total", "paid_at", "payment", NULL};
	static const char *const consumer_keys[] = {"external_id", "name", "phone", NULL};
	static const char *const item_keys[] = {"listing", "listing_version", "quantity",
		"unit_price", NULL};
	static const char *const payment_keys[] = {"channel", "transaction_id", NULL};
	static const char *const logistics_keys[] = {"type", "order", "carrier",
		"tracking_number", "status", "occurred_at", "location", "detail", NULL};
	static const char *const statuses[] = {"shipped", "in_transit", "delivered",
		"signed", "returned", "lost", NULL};
	static const char *const message_keys[] = {"type", "order", "sender", "text",
		"sent_at", NULL};
	static const char *const senders[] = {"consumer", "merchant", "platform", NULL};
	static const char *const kinds[] = {"company", "individual", NULL};
	size_t si, i, j;

	(void)state;
	for (si = 0; si < N_SEEDS; si++) {
		json_t *a = records(seeds[si]), *rec, *item;

		json_array_foreach(a, i, rec) {
			const char *t = type_of(rec);

			if (!strcmp(t, "merchant")) {
				json_t *contact = json_object_get(rec, "contact");

				check_keys(rec, merchant_keys);
				check_text(rec, "external_id", 128);
				check_enum(rec, "kind", kinds);
				check_text(rec, "legal_name", 200);
				check_text(rec, "registered_address", 500);
				assert_true(json_is_object(contact));
				check_keys(contact, contact_keys);
				check_text(contact, "phone", 40);
				if (json_object_get(contact, "email")) {
					check_text(contact, "email", 254);
					assert_non_null(strchr(str(contact, "email"), '@'));
				}
				assert_null(json_object_get(rec, "licence_image"));
			} else if (!strcmp(t, "listing")) {
				check_keys(rec, listing_keys);
				check_text(rec, "external_id", 128);
				check_text(rec, "title", 200);
				check_text(rec, "description", 20000);
				money_amount(json_object_get(rec, "price"));
				check_text(rec, "category", 64);
				if (json_object_get(rec, "return_exclusion"))
					check_enum(rec, "return_exclusion", exclusions);
			} else if (!strcmp(t, "order")) {
				json_t *c = json_object_get(rec, "consumer");
				json_t *items = json_object_get(rec, "items");
				json_t *pay = json_object_get(rec, "payment");

				check_keys(rec, order_keys);
				check_text(rec, "external_id", 128);
				check_keys(c, consumer_keys);
				check_text(c, "external_id", 128);
				check_text(c, "name", 100);
				check_text(c, "phone", 40);
				assert_true(json_is_array(items));
				assert_in_range(json_array_size(items), 1, 3);
				json_array_foreach(items, j, item) {
					json_t *q = json_object_get(item, "quantity");
					json_t *v = json_object_get(item, "listing_version");

					check_keys(item, item_keys);
					assert_true(json_is_integer(q));
					assert_in_range(json_integer_value(q), 1, 1000000);
					assert_true(!v || (json_is_integer(v) && json_integer_value(v) >= 1));
					money_amount(json_object_get(item, "unit_price"));
				}
				check_keys(pay, payment_keys);
				check_text(pay, "channel", 40);
				check_text(pay, "transaction_id", 128);
			} else if (!strcmp(t, "logistics")) {
				check_keys(rec, logistics_keys);
				check_text(rec, "carrier", 100);
				check_text(rec, "tracking_number", 100);
				check_enum(rec, "status", statuses);
				check_text(rec, "location", 200);
				check_text(rec, "detail", 1000);
			} else {
				assert_string_equal(t, "message");
				check_keys(rec, message_keys);
				check_enum(rec, "sender", senders);
				check_text(rec, "text", 10000);
			}
		}
		json_decref(a);
	}
}

/* ---- allocation failure ---- */

static long allocs_left;

static void *failing_malloc(size_t n)
{
	if (allocs_left-- <= 0)
		return NULL;
	return malloc(n);
}

static void test_allocation_failure_returns_null(void **state)
{
	static const long fail_after[] = {0, 1, 2, 3, 7, 50, 400, 3000, 20000, 60000};
	size_t i;
	json_t *a;

	(void)state;
	for (i = 0; i < sizeof(fail_after) / sizeof(fail_after[0]); i++) {
		allocs_left = fail_after[i];
		json_set_alloc_funcs(failing_malloc, free);
		a = demo_records(42, NOW_MS);
		json_set_alloc_funcs(malloc, free);
		assert_null(a);
	}
	a = records(42); /* and it still works afterwards */
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_gives_identical_json),
		cmocka_unit_test(test_counts_are_in_range),
		cmocka_unit_test(test_merchant_identity_numbers_pass_checks),
		cmocka_unit_test(test_order_items_reference_earlier_listings_of_same_merchant),
		cmocka_unit_test(test_totals_equal_sum_of_items),
		cmocka_unit_test(test_times_are_in_window_and_in_order),
		cmocka_unit_test(test_records_are_valid_api_bodies),
		cmocka_unit_test(test_allocation_failure_returns_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
