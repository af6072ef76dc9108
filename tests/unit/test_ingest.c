/* test_ingest.c - unit tests of record validation and storage against a real store and blob directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/ids.h"
#include "evidence/blobstore.h"
#include "ingest/ingest.h"
#include "store/store.h"

#define NOW 1759212000000LL /* 2025-09-30T06:00:00Z */

/* The head of a 1x1 RGBA PNG: signature and IHDR with its CRC. */
static const char png[] = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0"
			  "\x1F\x15\xC4\x89";
/* A 1x1 JPEG's markers: SOI, APP0 (JFIF), SOF0, SOS, one byte of scan, EOI. */
static const char jpeg[] = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
			   "\xFF\xC0\x00\x0B\x08\x00\x01\x00\x01\x01\x01\x11\x00"
			   "\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x00\xFF\xD9";

/* One test's data directory with a store open on DIR/disputed.db, inside a transaction. */
struct fixture {
	char dir[64];          /* the data directory */
	struct store *st;      /* open, with a transaction begun */
	struct ingest_ctx c;   /* ingest context on `st` and `dir` */
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[128];
	struct err e;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/disputed-ingest-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/blobs", f->dir); /* as disputed init makes it */
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/disputed.db", f->dir);
	assert_int_equal(store_open(path, 1, &f->st, &e), RC_OK);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	f->c.st = f->st;
	f->c.data_dir = f->dir;
	f->c.now = NOW;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct err e;

	if (store_end(f->st, 1, &e))
		fprintf(stderr, "teardown: %s\n", e.message);
	store_close(f->st);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Commit what the test did so far and begin a new transaction. */
static void commit_and_begin(struct fixture *f)
{
	struct err e;

	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
}

static int64_t count(struct fixture *f, enum store_kind kind)
{
	struct err e;
	int64_t n = -1;

	assert_int_equal(store_count(f->st, kind, &n, &e), RC_OK);
	return n;
}

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &je);

	if (!v)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return v;
}

static const char *str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Store `len` bytes of `type` as a blob; its id ("sha256:…") goes into `id`. */
static void put_blob(struct fixture *f, const char *type, const void *data, size_t len,
		     char id[80])
{
	json_t *out = NULL;
	struct err e;
	int created = -1;

	err_clear(&e);
	assert_int_equal(ingest_blob(&f->c, type, data, len, &out, &created, &e), RC_OK);
	snprintf(id, 80, "%s", str(out, "id"));
	json_decref(out);
}

/* A valid company merchant body; the caller may change it. New reference. */
static json_t *company(const char *ext)
{
	json_t *m = parse("{\"kind\":\"company\",\"legal_name\":\"杭州示例科技有限公司\","
			  "\"uscc\":\"91350100M000100Y43\","
			  "\"registered_address\":\"杭州市西湖区文三路 1 号\","
			  "\"contact\":{\"phone\":\"+86 571 0000 0000\",\"email\":\"ops@example.cn\"}}");

	if (ext)
		json_object_set_new(m, "external_id", json_string(ext));
	return m;
}

/* Ingest `in` (taking its reference) with `fn`; the result, or NULL on failure. */
static json_t *run(struct fixture *f, int (*fn)(struct ingest_ctx *, json_t *, json_t **,
						struct err *),
		   json_t *in, int want_rc, struct err *e)
{
	json_t *out = (json_t *)1;
	int rc;

	err_clear(e);
	rc = fn(&f->c, in, &out, e);
	json_decref(in);
	if (rc != want_rc)
		fail_msg("rc %s, want %s: %s %s: %s", rc_strerror(rc), rc_strerror(want_rc),
			 e->code, e->param, e->message);
	if (rc)
		assert_null(out);
	return rc ? NULL : out;
}

/* Ingest a merchant that must be accepted; returns its mer_ id in `id`. */
static void add_merchant(struct fixture *f, const char *ext, char id[ID_MAX])
{
	struct err e;
	json_t *m = run(f, ingest_merchant, company(ext), RC_OK, &e);

	snprintf(id, ID_MAX, "%s", str(m, "id"));
	json_decref(m);
}

/* Ingest a listing of `merchant` priced 100.00 CNY; returns the stored body. */
static json_t *add_listing(struct fixture *f, const char *merchant, const char *ext,
			   const char *title)
{
	struct err e;
	json_t *in = json_pack("{s:s, s:s, s:{s:i, s:s}}", "merchant", merchant, "title", title,
			       "price", "amount", 10000, "currency", "CNY");

	if (ext)
		json_object_set_new(in, "external_id", json_string(ext));
	return run(f, ingest_listing, in, RC_OK, &e);
}

/* An order body for one unit of `listing` by consumer `cext` named `name`. New reference. */
static json_t *order_body(const char *merchant, const char *listing, const char *cext,
			  const char *name)
{
	return json_pack("{s:{s:s, s:s, s:s}, s:s, s:[{s:s, s:i, s:{s:i, s:s}}], "
			 "s:{s:i, s:s}, s:s, s:{s:s, s:s}}",
			 "consumer", "external_id", cext, "name", name, "phone", "13800000000",
			 "merchant", merchant,
			 "items", "listing", listing, "quantity", 1, "unit_price", "amount", 10000,
			 "currency", "CNY",
			 "total", "amount", 10000, "currency", "CNY",
			 "paid_at", "2025-09-30T14:05:00+08:00",
			 "payment", "channel", "alipay", "transaction_id", "2025093022001");
}

/* ---- merchants ---- */

static void company_merchant_is_stored_with_identity_complete(void **state)
{
	struct fixture *f = *state;
	json_t *in = company("m-1"), *out, *got = NULL;
	char licence[80];
	struct err e;

	put_blob(f, "image/png", png, sizeof(png) - 1, licence);
	json_object_set_new(in, "licence_image", json_string(licence));
	out = run(f, ingest_merchant, in, RC_OK, &e);
	assert_true(id_is(str(out, "id"), "mer"));
	assert_string_equal(str(out, "object"), "merchant");
	assert_string_equal(str(out, "external_id"), "m-1");
	assert_string_equal(str(out, "kind"), "company");
	assert_string_equal(str(out, "uscc"), "91350100M000100Y43");
	assert_null(json_object_get(out, "id_number"));
	assert_string_equal(str(json_object_get(out, "contact"), "email"), "ops@example.cn");
	assert_string_equal(str(out, "licence_image"), licence);
	assert_true(json_is_true(json_object_get(out, "identity_complete")));
	assert_string_equal(str(out, "created_at"), "2025-09-30T06:00:00Z");

	commit_and_begin(f);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &got, &e), RC_OK);
	assert_true(json_equal(got, out));
	json_decref(got);
	json_decref(out);
}

static void individual_merchant_without_licence_is_not_identity_complete(void **state)
{
	struct fixture *f = *state;
	json_t *out, *got = NULL;
	struct err e;

	out = run(f, ingest_merchant,
		  parse("{\"kind\":\"individual\",\"legal_name\":\"张三\","
			"\"id_number\":\"11010519491231002x\",\"registered_address\":\"北京\","
			"\"contact\":{\"phone\":\"13800000000\"}}"),
		  RC_OK, &e);
	assert_string_equal(str(out, "kind"), "individual");
	assert_string_equal(str(out, "id_number"), "11010519491231002X");
	assert_null(json_object_get(out, "uscc"));
	assert_true(json_is_null(json_object_get(out, "external_id")));
	assert_true(json_is_null(json_object_get(json_object_get(out, "contact"), "email")));
	assert_true(json_is_null(json_object_get(out, "licence_image")));
	assert_true(json_is_false(json_object_get(out, "identity_complete")));
	assert_int_equal(store_get(f->st, STORE_MERCHANT, str(out, "id"), &got, &e), RC_OK);
	assert_true(json_equal(got, out));
	json_decref(got);
	json_decref(out);
}

/* Ingest `in` as a merchant; it must fail with RC_INVAL `code` at `param`, writing nothing. */
static void merchant_refused(struct fixture *f, json_t *in, const char *code, const char *param)
{
	struct err e;

	assert_null(run(f, ingest_merchant, in, RC_INVAL, &e));
	assert_int_equal(e.rc, RC_INVAL);
	assert_string_equal(e.code, code);
	assert_string_equal(e.param, param);
	assert_int_equal(count(f, STORE_MERCHANT), 0);
}

static void merchant_validation_errors_name_code_and_field(void **state)
{
	struct fixture *f = *state;
	json_t *in;

	in = company(NULL);
	json_object_del(in, "legal_name");
	merchant_refused(f, in, "required", "legal_name");

	in = company(NULL);
	json_object_set_new(in, "uscc", json_string("91350100M000100Y44"));
	merchant_refused(f, in, "invalid_checksum", "uscc");

	in = company(NULL);
	json_object_set_new(in, "fax", json_string("0571"));
	merchant_refused(f, in, "unknown_parameter", "fax");

	in = company(NULL);
	json_object_set_new(json_object_get(in, "contact"), "fax", json_string("0571"));
	merchant_refused(f, in, "unknown_parameter", "contact.fax");

	in = company(NULL);
	json_object_del(json_object_get(in, "contact"), "phone");
	merchant_refused(f, in, "required", "contact.phone");

	in = company(NULL);
	json_object_set_new(in, "licence_image",
			    json_string("sha256:0000000000000000000000000000000000000000000000000000000000000000"));
	merchant_refused(f, in, "resource_missing", "licence_image");

	in = company(NULL);
	json_object_set_new(in, "licence_image", json_string("licence.png"));
	merchant_refused(f, in, "invalid_value", "licence_image");

	in = company(NULL);
	json_object_set_new(in, "id_number", json_string("11010519491231002X"));
	merchant_refused(f, in, "unknown_parameter", "id_number");

	in = company(NULL);
	json_object_set_new(in, "kind", json_string("partnership"));
	merchant_refused(f, in, "invalid_enum", "kind");

	in = company("mer_0123456789abcdef01234567");
	merchant_refused(f, in, "invalid_value", "external_id");

	in = company("line\nbreak");
	merchant_refused(f, in, "invalid_value", "external_id");

	in = company(NULL);
	json_object_set_new(json_object_get(in, "contact"), "email", json_string("ops"));
	merchant_refused(f, in, "invalid_value", "contact.email");
}

static void duplicate_merchant_external_id_is_conflict(void **state)
{
	struct fixture *f = *state;
	char id[ID_MAX];
	struct err e;

	add_merchant(f, "m-1", id);
	assert_null(run(f, ingest_merchant, company("m-1"), RC_CONFLICT, &e));
	assert_string_equal(e.code, "duplicate_external_id");
	assert_string_equal(e.param, "external_id");
	assert_int_equal(count(f, STORE_MERCHANT), 1);
}

/* ---- listings ---- */

static void listing_with_same_external_id_becomes_new_version(void **state)
{
	struct fixture *f = *state;
	json_t *v1, *v2, *got = NULL;
	char mer[ID_MAX], image[80];
	struct err e;
	int yes = 0;

	add_merchant(f, "m-1", mer);
	put_blob(f, "image/jpeg", jpeg, sizeof(jpeg) - 1, image);
	v1 = add_listing(f, "m-1", "sku-1", "teapot");
	assert_true(id_is(str(v1, "id"), "lst"));
	assert_int_equal(json_integer_value(json_object_get(v1, "version")), 1);
	assert_string_equal(str(v1, "merchant"), mer);
	assert_true(json_is_null(json_object_get(v1, "return_exclusion")));

	v2 = run(f, ingest_listing,
		 json_pack("{s:s, s:s, s:s, s:{s:i, s:s}, s:[s], s:s}", "external_id", "sku-1",
			   "merchant", mer, "title", "teapot, blue", "price", "amount", 12000,
			   "currency", "CNY", "images", image, "return_exclusion", "custom"),
		 RC_OK, &e);
	assert_string_equal(str(v2, "id"), str(v1, "id"));
	assert_int_equal(json_integer_value(json_object_get(v2, "version")), 2);
	assert_string_equal(str(v2, "return_exclusion"), "custom");

	assert_int_equal(store_get(f->st, STORE_LISTING, "sku-1", &got, &e), RC_OK);
	assert_true(json_equal(got, v2));
	json_decref(got);
	assert_int_equal(store_listing_version(f->st, str(v1, "id"), 1, &got, &e), RC_OK);
	assert_true(json_equal(got, v1));
	json_decref(got);
	assert_int_equal(count(f, STORE_LISTING), 2);
	/* The image was recorded as the listing's, so its merchant may see it. */
	assert_int_equal(store_blob_visible(f->st, image + 7, mer, NULL, &yes, &e), RC_OK);
	assert_true(yes);
	json_decref(v1);
	json_decref(v2);
}

static void listing_external_id_of_another_merchant_is_conflict(void **state)
{
	struct fixture *f = *state;
	char m1[ID_MAX], m2[ID_MAX];
	struct err e;

	add_merchant(f, "m-1", m1);
	add_merchant(f, "m-2", m2);
	json_decref(add_listing(f, "m-1", "sku-1", "teapot"));
	assert_null(run(f, ingest_listing,
			json_pack("{s:s, s:s, s:s, s:{s:i, s:s}}", "external_id", "sku-1",
				  "merchant", m2, "title", "not mine", "price", "amount", 1,
				  "currency", "CNY"),
			RC_CONFLICT, &e));
	assert_string_equal(e.code, "listing_merchant_mismatch");
	assert_string_equal(e.param, "merchant");
	assert_int_equal(count(f, STORE_LISTING), 1);
}

static void listing_of_unknown_merchant_is_resource_missing(void **state)
{
	struct fixture *f = *state;
	struct err e;

	assert_null(run(f, ingest_listing,
			json_pack("{s:s, s:s, s:{s:i, s:s}}", "merchant", "m-404", "title", "x",
				  "price", "amount", 1, "currency", "CNY"),
			RC_INVAL, &e));
	assert_string_equal(e.code, "resource_missing");
	assert_string_equal(e.param, "merchant");
}

/* ---- orders ---- */

static void second_order_of_consumer_updates_name_and_keeps_id(void **state)
{
	struct fixture *f = *state;
	json_t *o1, *o2, *cus = NULL, *lst;
	char mer[ID_MAX];
	struct err e;

	add_merchant(f, "m-1", mer);
	lst = add_listing(f, mer, "sku-1", "teapot");
	o1 = run(f, ingest_order, order_body("m-1", "sku-1", "u-42", "李四"), RC_OK, &e);
	assert_true(id_is(str(o1, "id"), "ord"));
	assert_string_equal(str(o1, "merchant"), mer);
	assert_string_equal(str(json_array_get(json_object_get(o1, "items"), 0), "listing"),
			    str(lst, "id"));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(o1, "items"), 0), "listing_version")),
			 1);
	assert_string_equal(str(o1, "paid_at"), "2025-09-30T06:05:00Z");
	assert_true(id_is(str(json_object_get(o1, "consumer"), "id"), "cus"));

	f->c.now = NOW + 60000;
	o2 = run(f, ingest_order, order_body(mer, str(lst, "id"), "u-42", "李四四"), RC_OK, &e);
	assert_string_equal(str(json_object_get(o2, "consumer"), "id"),
			    str(json_object_get(o1, "consumer"), "id"));
	assert_string_equal(str(json_object_get(o2, "consumer"), "name"), "李四四");
	assert_int_equal(count(f, STORE_CONSUMER), 1);
	assert_int_equal(count(f, STORE_ORDER), 2);

	assert_int_equal(store_get(f->st, STORE_CONSUMER, "u-42", &cus, &e), RC_OK);
	assert_string_equal(str(cus, "id"), str(json_object_get(o1, "consumer"), "id"));
	assert_string_equal(str(cus, "name"), "李四四");
	assert_string_equal(str(cus, "created_at"), "2025-09-30T06:00:00Z");
	assert_string_equal(str(cus, "updated_at"), "2025-09-30T06:01:00Z");
	json_decref(cus);
	json_decref(lst);
	json_decref(o1);
	json_decref(o2);
}

static void order_item_with_missing_listing_version_is_resource_missing(void **state)
{
	struct fixture *f = *state;
	json_t *in;
	char mer[ID_MAX];
	struct err e;

	add_merchant(f, "m-1", mer);
	json_decref(add_listing(f, mer, "sku-1", "teapot"));
	in = order_body(mer, "sku-1", "u-42", "李四");
	json_object_set_new(json_array_get(json_object_get(in, "items"), 0), "listing_version",
			    json_integer(2));
	assert_null(run(f, ingest_order, in, RC_INVAL, &e));
	assert_string_equal(e.code, "resource_missing");
	assert_string_equal(e.param, "items[0].listing_version");
	assert_int_equal(count(f, STORE_ORDER), 0);
	assert_int_equal(count(f, STORE_CONSUMER), 0);
}

static void order_item_of_another_merchant_is_refused(void **state)
{
	struct fixture *f = *state;
	char m1[ID_MAX], m2[ID_MAX];
	struct err e;

	add_merchant(f, "m-1", m1);
	add_merchant(f, "m-2", m2);
	json_decref(add_listing(f, m2, "sku-2", "not m-1's"));
	assert_null(run(f, ingest_order, order_body(m1, "sku-2", "u-42", "李四"), RC_INVAL, &e));
	assert_string_equal(e.code, "listing_merchant_mismatch");
	assert_string_equal(e.param, "items[0].listing");
}

static void order_consumer_external_id_shaped_like_our_id_is_invalid(void **state)
{
	struct fixture *f = *state;
	json_t *o1, *cus = NULL;
	char mer[ID_MAX];
	struct err e;

	add_merchant(f, "m-1", mer);
	json_decref(add_listing(f, mer, "sku-1", "teapot"));
	o1 = run(f, ingest_order, order_body(mer, "sku-1", "u-42", "李四"), RC_OK, &e);
	/* Naming the first consumer by its cus_ id must not rewrite that consumer. */
	assert_null(run(f, ingest_order,
			order_body(mer, "sku-1", str(json_object_get(o1, "consumer"), "id"),
				   "Mallory"),
			RC_INVAL, &e));
	assert_string_equal(e.code, "invalid_value");
	assert_string_equal(e.param, "consumer.external_id");
	assert_int_equal(store_get(f->st, STORE_CONSUMER, "u-42", &cus, &e), RC_OK);
	assert_string_equal(str(cus, "name"), "李四");
	json_decref(cus);
	json_decref(o1);
}

static void failed_order_rolled_back_leaves_counts_unchanged(void **state)
{
	struct fixture *f = *state;
	json_t *in;
	char mer[ID_MAX];
	struct err e;

	add_merchant(f, "m-1", mer);
	json_decref(add_listing(f, mer, "sku-1", "teapot"));
	in = order_body(mer, "sku-1", "u-1", "李四");
	json_object_set_new(in, "external_id", json_string("o-1"));
	json_decref(run(f, ingest_order, in, RC_OK, &e));
	commit_and_begin(f);

	/* A new consumer is written before the order's duplicate external_id is found. */
	in = order_body(mer, "sku-1", "u-2", "王五");
	json_object_set_new(in, "external_id", json_string("o-1"));
	assert_null(run(f, ingest_order, in, RC_CONFLICT, &e));
	assert_string_equal(e.code, "duplicate_external_id");
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(count(f, STORE_MERCHANT), 1);
	assert_int_equal(count(f, STORE_LISTING), 1);
	assert_int_equal(count(f, STORE_CONSUMER), 1);
	assert_int_equal(count(f, STORE_ORDER), 1);
}

/* ---- blobs ---- */

static void blob_is_stored_once_with_its_file(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;
	char digest[65], id[80], *bytes = NULL;
	size_t len = 0;
	int created = -1;
	struct err e;

	sha256_hex(png, sizeof(png) - 1, digest);
	snprintf(id, sizeof(id), "sha256:%s", digest);
	assert_int_equal(ingest_blob(&f->c, "image/png", png, sizeof(png) - 1, &out, &created, &e),
			 RC_OK);
	assert_int_equal(created, 1);
	assert_string_equal(str(out, "object"), "blob");
	assert_string_equal(str(out, "id"), id);
	assert_int_equal(json_integer_value(json_object_get(out, "size")), sizeof(png) - 1);
	assert_string_equal(str(out, "content_type"), "image/png");
	assert_string_equal(str(out, "created_at"), "2025-09-30T06:00:00Z");
	json_decref(out);
	assert_int_equal(ingest_blob(&f->c, "IMAGE/PNG", png, sizeof(png) - 1, &out, &created, &e),
			 RC_OK);
	assert_int_equal(created, 0);
	assert_string_equal(str(out, "id"), id);
	json_decref(out);
	assert_int_equal(blobstore_get(f->dir, digest, &bytes, &len, &e), RC_OK);
	assert_int_equal(len, sizeof(png) - 1);
	assert_memory_equal(bytes, png, len);
	free(bytes);

	assert_int_equal(ingest_blob(&f->c, "text/plain; charset=utf-8", "备注", strlen("备注"),
				     &out, &created, &e),
			 RC_OK);
	assert_string_equal(str(out, "content_type"), "text/plain");
	json_decref(out);
}

static void blob_type_must_match_bytes_and_be_accepted(void **state)
{
	struct fixture *f = *state;
	json_t *out = (json_t *)1;
	int created = -1;
	struct err e;

	err_clear(&e);
	assert_int_equal(ingest_blob(&f->c, "image/jpeg", png, sizeof(png) - 1, &out, &created, &e),
			 RC_INVAL);
	assert_null(out);
	assert_string_equal(e.code, "content_type_mismatch");
	err_clear(&e);
	assert_int_equal(ingest_blob(&f->c, "application/zip", "PK\3\4", 4, &out, &created, &e),
			 RC_UNSUPPORTED);
	assert_string_equal(e.code, "unsupported_media_type");
	err_clear(&e);
	assert_int_equal(ingest_blob(&f->c, "image/png", "", 0, &out, &created, &e), RC_INVAL);
	assert_int_equal(created, 0);
}

/* Image bytes must be an image's structure, not its first few bytes and junk. */
static void images_with_a_bad_header_are_not_images(void **state)
{
	struct fixture *f = *state;
	char buf[sizeof(jpeg) + 8];
	json_t *out = NULL;
	int created = -1;
	struct err e;
	struct {
		const char *type, *what;
		const char *bytes;
		size_t len;
	} bad[] = {
		{"image/png", "signature and junk", "\x89PNG\r\n\x1A\njunk-junk-junk-junk-junk-junk", 36},
		{"image/png", "signature only", png, 8},
		{"image/png", "truncated IHDR", png, sizeof(png) - 5},
		{"image/jpeg", "SOI and junk", "\xFF\xD8\xFFjunk-junk-junk", 18},
		{"image/jpeg", "segment past the end", jpeg, 30},
		{"image/jpeg", "scan without a frame", "\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 12},
		{"image/png", "bad CRC", buf, sizeof(png) - 1},
		{"image/png", "zero width", buf + 100, 0},
	};
	size_t i;

	/* a flipped CRC byte; a zero width (same CRC, which no longer matches either) */
	memcpy(buf, png, sizeof(png) - 1);
	buf[sizeof(png) - 2] ^= 1;
	bad[6].bytes = buf;
	{
		static char zw[sizeof(png)];

		memcpy(zw, png, sizeof(png));
		zw[19] = 0;
		bad[7].bytes = zw;
		bad[7].len = sizeof(png) - 1;
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		print_message("%s: %s\n", bad[i].type, bad[i].what);
		assert_int_equal(ingest_blob(&f->c, bad[i].type, bad[i].bytes, bad[i].len, &out,
					     &created, &e),
				 RC_INVAL);
		assert_string_equal(e.code, "content_type_mismatch");
		assert_string_equal(e.param, "Content-Type");
		assert_null(out);
	}
	/* the real ones pass */
	err_clear(&e);
	assert_int_equal(ingest_blob(&f->c, "image/jpeg", jpeg, sizeof(jpeg) - 1, &out, &created,
				     &e),
			 RC_OK);
	json_decref(out);
}

/* ---- import lines ---- */

/* ingest_record of `text`; the stored object, or NULL on failure (rc and e set). */
static json_t *line(struct fixture *f, const char *text, int want_rc, struct err *e)
{
	json_t *in = parse(text), *out = (json_t *)1;
	int rc;

	err_clear(e);
	rc = ingest_record(&f->c, in, &out, e);
	json_decref(in);
	if (rc != want_rc)
		fail_msg("rc %s, want %s: %s %s: %s for %s", rc_strerror(rc),
			 rc_strerror(want_rc), e->code, e->param, e->message, text);
	if (rc)
		assert_null(out);
	return rc ? NULL : out;
}

static void import_lines_dispatch_on_type(void **state)
{
	struct fixture *f = *state;
	char b64[256], text[1024], blob_id[80];
	json_t *out, *order;
	struct err e;

	out = line(f, "{\"type\":\"merchant\",\"external_id\":\"m-1\",\"kind\":\"company\","
		      "\"legal_name\":\"示例\",\"uscc\":\"91110000600037341L\","
		      "\"registered_address\":\"北京\",\"contact\":{\"phone\":\"010\"}}",
		   RC_OK, &e);
	assert_string_equal(str(out, "object"), "merchant");
	assert_null(json_object_get(out, "type"));
	json_decref(out);

	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)png, sizeof(png) - 1,
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(text, sizeof(text),
		 "{\"type\":\"blob\",\"content_type\":\"image/png\",\"content_base64\":\"%s\"}", b64);
	out = line(f, text, RC_OK, &e);
	assert_string_equal(str(out, "object"), "blob");
	assert_int_equal(json_integer_value(json_object_get(out, "size")), sizeof(png) - 1);
	snprintf(blob_id, sizeof(blob_id), "%s", str(out, "id"));
	json_decref(out);

	snprintf(text, sizeof(text),
		 "{\"type\":\"listing\",\"external_id\":\"sku-1\",\"merchant\":\"m-1\","
		 "\"title\":\"茶壶\",\"price\":{\"amount\":9900,\"currency\":\"CNY\"},"
		 "\"images\":[\"%s\"]}",
		 blob_id);
	out = line(f, text, RC_OK, &e);
	assert_string_equal(str(out, "object"), "listing");
	json_decref(out);

	order = line(f, "{\"type\":\"order\",\"external_id\":\"o-1\",\"merchant\":\"m-1\","
			"\"consumer\":{\"external_id\":\"u-1\",\"name\":\"李四\",\"phone\":\"138\"},"
			"\"items\":[{\"listing\":\"sku-1\",\"quantity\":2,"
			"\"unit_price\":{\"amount\":9900,\"currency\":\"CNY\"}}],"
			"\"total\":{\"amount\":19800,\"currency\":\"CNY\"},"
			"\"paid_at\":\"2025-09-30T08:00:00Z\","
			"\"payment\":{\"channel\":\"wechat_pay\",\"transaction_id\":\"t1\"}}",
		     RC_OK, &e);
	assert_string_equal(str(order, "object"), "order");

	out = line(f, "{\"type\":\"logistics\",\"order\":\"o-1\",\"carrier\":\"SF\","
		      "\"tracking_number\":\"SF1\",\"status\":\"shipped\","
		      "\"occurred_at\":\"2025-10-01T09:00:00+08:00\"}",
		   RC_OK, &e);
	assert_string_equal(str(out, "object"), "logistics_event");
	assert_true(id_is(str(out, "id"), "lge"));
	assert_string_equal(str(out, "order"), str(order, "id"));
	assert_string_equal(str(out, "occurred_at"), "2025-10-01T01:00:00Z");
	assert_true(json_is_null(json_object_get(out, "location")));
	json_decref(out);

	snprintf(text, sizeof(text),
		 "{\"type\":\"message\",\"order\":\"%s\",\"sender\":\"consumer\","
		 "\"text\":\"到了吗？\",\"attachments\":[\"%s\"],"
		 "\"sent_at\":\"2025-10-02T10:00:00Z\"}",
		 str(order, "id"), blob_id);
	out = line(f, text, RC_OK, &e);
	assert_string_equal(str(out, "object"), "message");
	assert_string_equal(str(out, "order"), str(order, "id"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "attachments"), 0)),
			    blob_id);
	json_decref(out);

	assert_int_equal(count(f, STORE_MERCHANT), 1);
	assert_int_equal(count(f, STORE_LISTING), 1);
	assert_int_equal(count(f, STORE_ORDER), 1);
	assert_int_equal(count(f, STORE_LOGISTICS), 1);
	assert_int_equal(count(f, STORE_MESSAGE), 1);
	json_decref(order);
}

static void import_line_errors_name_code_and_field(void **state)
{
	struct fixture *f = *state;
	struct err e;

	assert_null(line(f, "[1]", RC_INVAL, &e));
	assert_string_equal(e.code, "invalid_type");
	assert_null(line(f, "{\"kind\":\"company\"}", RC_INVAL, &e));
	assert_string_equal(e.code, "required");
	assert_string_equal(e.param, "type");
	assert_null(line(f, "{\"type\":\"dispute\"}", RC_INVAL, &e));
	assert_string_equal(e.code, "invalid_enum");
	assert_string_equal(e.param, "type");
	assert_null(line(f, "{\"type\":\"logistics\",\"order\":\"o-404\",\"carrier\":\"SF\"}",
			 RC_INVAL, &e));
	assert_string_equal(e.code, "resource_missing");
	assert_string_equal(e.param, "order");
	assert_null(line(f, "{\"type\":\"blob\",\"content_type\":\"text/plain\","
			    "\"content_base64\":\"aGk\"}",
			 RC_INVAL, &e));
	assert_string_equal(e.code, "invalid_value");
	assert_string_equal(e.param, "content_base64");
	assert_null(line(f, "{\"type\":\"blob\",\"content_type\":\"text/plain\","
			    "\"content_base64\":\"aGk=\",\"name\":\"x\"}",
			 RC_INVAL, &e));
	assert_string_equal(e.code, "unknown_parameter");
	assert_string_equal(e.param, "name");
	assert_null(line(f, "{\"type\":\"merchant\",\"order\":\"o-1\"}", RC_INVAL, &e));
	assert_string_equal(e.code, "unknown_parameter");
	assert_string_equal(e.param, "order");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(company_merchant_is_stored_with_identity_complete),
		T(individual_merchant_without_licence_is_not_identity_complete),
		T(merchant_validation_errors_name_code_and_field),
		T(duplicate_merchant_external_id_is_conflict),

		T(listing_with_same_external_id_becomes_new_version),
		T(listing_external_id_of_another_merchant_is_conflict),
		T(listing_of_unknown_merchant_is_resource_missing),

		T(second_order_of_consumer_updates_name_and_keeps_id),
		T(order_item_with_missing_listing_version_is_resource_missing),
		T(order_item_of_another_merchant_is_refused),
		T(order_consumer_external_id_shaped_like_our_id_is_invalid),
		T(failed_order_rolled_back_leaves_counts_unchanged),

		T(blob_is_stored_once_with_its_file),
		T(blob_type_must_match_bytes_and_be_accepted),
		T(images_with_a_bad_header_are_not_images),

		T(import_lines_dispatch_on_type),
		T(import_line_errors_name_code_and_field),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
