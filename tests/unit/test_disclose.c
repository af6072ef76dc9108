/* test_disclose.c - unit tests of the visibility table: every role × kind × field decision, masking, views, scopes, bundles, and docs/privacy.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "disclose/disclose.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "store_fixture.h"

#define NOW 1759212000000LL /* 2025-09-30T06:00:00Z */
#define NROLES 8

static const char *const roles[NROLES] = {"platform", "agent",       "consumer",  "merchant",
					  "court",    "association", "regulator", "witness"};

/*
 * The expected table, written out by hand: kind, field ("" for the record
 * itself), then for each role (in `roles` order) "action:reason".
 */
struct expect {
	enum disclose_kind kind;
	const char *field;
	const char *cells[NROLES];
};

#define OUT4(x) x, x, x, x
static const struct expect table[] = {
	{DISCLOSE_MERCHANT, "", {"show:staff", "show:staff", "show:party", "show:own",
				 OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "id_number", {"show:staff", "show:staff", "mask:sensitive_pi",
					  "show:own", OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "registered_address", {"show:staff", "show:staff",
						   "show:cpl_44_identity", "show:own",
						   OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "contact.phone", {"show:staff", "show:staff", "show:cpl_44_identity",
					      "show:own", OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "contact.email", {"show:staff", "show:staff", "show:cpl_44_identity",
					      "show:own", OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "licence_image", {"show:staff", "show:staff",
					      "withhold:minimum_necessary", "show:own",
					      OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "flags", {"show:staff", "show:staff", "withhold:platform_internal",
				      "withhold:platform_internal", OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "legal_name", {"show:staff", "show:staff", "show:party", "show:own",
					   OUT4("withhold:no_basis")}},
	{DISCLOSE_MERCHANT, "uscc", {"show:staff", "show:staff", "show:party", "show:own",
				     OUT4("withhold:no_basis")}},
	{DISCLOSE_LISTING, "", {"show:staff", "show:staff", "show:party", "show:own",
				OUT4("withhold:no_basis")}},
	{DISCLOSE_LISTING, "title", {"show:staff", "show:staff", "show:party", "show:own",
				     OUT4("withhold:no_basis")}},
	{DISCLOSE_ORDER, "", {"show:staff", "show:staff", "show:party", "show:party",
			      OUT4("withhold:no_basis")}},
	{DISCLOSE_ORDER, "consumer.name", {"show:staff", "show:staff", "show:own", "show:party",
					   OUT4("withhold:no_basis")}},
	{DISCLOSE_ORDER, "consumer.phone", {"show:staff", "show:staff", "show:own",
					    "withhold:minimum_necessary",
					    OUT4("withhold:no_basis")}},
	{DISCLOSE_ORDER, "total", {"show:staff", "show:staff", "show:party", "show:party",
				   OUT4("withhold:no_basis")}},
	{DISCLOSE_CONSUMER, "", {"show:staff", "show:staff", "show:own",
				 "withhold:minimum_necessary", OUT4("withhold:no_basis")}},
	{DISCLOSE_CONSUMER, "name", {"show:staff", "show:staff", "show:own",
				     "withhold:minimum_necessary", OUT4("withhold:no_basis")}},
	{DISCLOSE_CONSUMER, "phone", {"show:staff", "show:staff", "show:own",
				      "withhold:minimum_necessary", OUT4("withhold:no_basis")}},
	{DISCLOSE_DISPUTE, "", {"show:staff", "show:staff", "show:party", "show:party",
				OUT4("withhold:no_basis")}},
	{DISCLOSE_BLOB, "", {"show:staff", "show:staff", "show:party", "show:party",
			     OUT4("withhold:no_basis")}},
	{DISCLOSE_ACCOUNTS, "", {"show:staff", "show:staff", "show:own", "show:own",
				 OUT4("withhold:no_basis")}},
	{DISCLOSE_BUNDLE, "", {"show:staff", "show:staff", "show:party",
			       "withhold:minimum_necessary", OUT4("withhold:no_basis")}},
};

static void every_role_kind_and_field_decision_is_the_documented_one(void **state)
{
	size_t i, r;
	char got[96];

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		for (r = 0; r < NROLES; r++) {
			struct disclose_rule d = disclose_rule_of(
				table[i].kind, roles[r], table[i].field[0] ? table[i].field : NULL);

			snprintf(got, sizeof(got), "%s:%s", disclose_action_names[d.action], d.reason);
			if (strcmp(got, table[i].cells[r]) != 0)
				fail_msg("%s %s for %s: got %s, want %s",
					 disclose_kind_names[table[i].kind], table[i].field, roles[r],
					 got, table[i].cells[r]);
		}
	/* the table has exactly these roles, in this order */
	for (r = 0; r < NROLES; r++)
		assert_string_equal(disclose_roles[r], roles[r]);
	assert_null(disclose_roles[NROLES]);
}

static void unknown_roles_and_kinds_get_nothing(void **state)
{
	struct disclose_rule d;

	(void)state;
	d = disclose_rule_of(DISCLOSE_ORDER, "system", "consumer.phone");
	assert_int_equal(d.action, DISCLOSE_WITHHOLD);
	assert_string_equal(d.reason, "no_basis");
	d = disclose_rule_of(DISCLOSE_KIND_COUNT, "platform", NULL);
	assert_int_equal(d.action, DISCLOSE_WITHHOLD);
	d = disclose_rule_of(DISCLOSE_ORDER, NULL, NULL);
	assert_int_equal(d.action, DISCLOSE_WITHHOLD);
}

static void masks_keep_the_ends_and_hide_the_middle(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(disclose_mask("11010519491231002X", 3, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "110***********002X");
	assert_int_equal(disclose_mask("13800001234", 3, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "138****1234");
	/* separators stay, only letters and digits are hidden */
	assert_int_equal(disclose_mask("+86 591 8888 0000", 3, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "+86 *** **** 0000");
	/* too short to keep both ends: masked whole */
	assert_int_equal(disclose_mask("1234567", 3, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "*******");
	assert_int_equal(disclose_mask("11010519491231002X", 3, 4, out, 10), -1);
}

/* ---- views over real records in a real store ---- */

struct fixture {
	char dir[64];                /* the data directory: its blob store */
	struct store_fixture *sf;    /* the store on SQLite or PostgreSQL (store_fixture.h) */
	struct store *st;            /* sf->st */
	struct ingest_ctx c;
	json_t *merchant; /* an individual merchant */
	json_t *other;    /* a company nobody here ordered from */
	json_t *order;    /* one order from `merchant` */
	int unsupported;  /* the backend does not have what ingest needs yet (PostgreSQL) */
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Run an ingest function that must accept `in` (taken); the stored body. */
static json_t *must(struct fixture *f, int (*fn)(struct ingest_ctx *, json_t *, json_t **,
						 struct err *),
		    json_t *in)
{
	json_t *out = NULL;
	struct err e;

	err_clear(&e);
	if (fn(&f->c, in, &out, &e))
		fail_msg("%s: %s", e.code, e.message);
	json_decref(in);
	return out;
}

/* Records in a fresh store that `store_setup_fn` opens, inside a transaction. */
static int setup_with(void **state, int (*store_setup_fn)(void **))
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[128];
	void *sf = NULL;
	json_t *in, *l;
	struct err e;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/disputed-disclose-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/blobs", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	store_setup_fn(&sf);
	f->sf = sf;
	f->st = f->sf->st;
	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	f->c.st = f->st;
	f->c.data_dir = f->dir;
	f->c.now = NOW;
	in = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "kind", "individual", "legal_name",
		       "张三", "id_number", "11010519491231002X", "registered_address",
		       "福建省福州市鼓楼区测试路1号", "contact", "phone", "+86 591 8888 0000",
		       "email", "shop@example.com");
	if (ingest_merchant(&f->c, in, &f->merchant, &e) == RC_UNSUPPORTED) {
		/* ingest seals what it stores: on PostgreSQL once the seals concern is there */
		printf("  skipped on this backend: %s\n", e.message);
		json_decref(in);
		f->unsupported = 1;
		*state = f;
		return 0;
	}
	if (!f->merchant)
		fail_msg("%s: %s", e.code, e.message);
	json_decref(in);
	in = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "kind", "company", "legal_name",
		       "杭州示例科技有限公司", "uscc", "91350100M000100Y43", "registered_address",
		       "杭州市西湖区文三路 1 号", "contact", "phone", "+86 571 0000 0000");
	f->other = must(f, ingest_merchant, in);
	in = json_pack("{s:s, s:s, s:{s:i, s:s}}", "merchant",
		       json_string_value(json_object_get(f->merchant, "id")), "title", "茶杯",
		       "price", "amount", 10000, "currency", "CNY");
	l = must(f, ingest_listing, in);
	in = json_pack("{s:{s:s, s:s, s:s}, s:s, s:[{s:s, s:i, s:{s:i, s:s}}], "
		       "s:{s:i, s:s}, s:s, s:{s:s, s:s}}",
		       "consumer", "external_id", "u-1", "name", "李四", "phone", "13800001234",
		       "merchant", json_string_value(json_object_get(f->merchant, "id")), "items",
		       "listing", json_string_value(json_object_get(l, "id")), "quantity", 1,
		       "unit_price", "amount", 10000, "currency", "CNY", "total", "amount", 10000,
		       "currency", "CNY", "paid_at", "2025-09-30T14:05:00+08:00", "payment",
		       "channel", "alipay", "transaction_id", "2025093022001");
	f->order = must(f, ingest_order, in);
	json_decref(l);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, store_setup);
}

static int setup_pg(void **state)
{
	return setup_with(state, store_setup_pg);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	void *sf = f->sf;
	struct err e;

	if (store_end(f->st, 1, &e))
		fprintf(stderr, "teardown: %s\n", e.message);
	if (f->sf->pg_name[0])
		store_teardown_pg(&sf);
	else
		store_teardown(&sf);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	json_decref(f->merchant);
	json_decref(f->other);
	json_decref(f->order);
	free(f);
	return 0;
}

/* The fixture of a test over a real store; the test is skipped where the backend cannot hold it yet. */
static struct fixture *stored(void **state)
{
	struct fixture *f = *state;

	if (f->unsupported)
		skip();
	return f;
}

static void principal(struct principal *p, const char *role, const char *subject)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->role, sizeof(p->role), "%s", role);
	snprintf(p->subject, sizeof(p->subject), "%s", subject);
}

static const char *sget(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

static const char *consumer_id(struct fixture *f)
{
	return sget(f->order, "consumer", "id");
}

static void the_consumer_party_sees_the_merchants_address_and_contact_and_a_masked_id(
	void **state)
{
	struct fixture *f = stored(state);
	struct disclose_view v;
	struct principal p;
	struct err e;

	principal(&p, "consumer", consumer_id(f));
	assert_int_equal(disclose_view(f->st, &p, DISCLOSE_MERCHANT, f->merchant, &v, &e), RC_OK);
	assert_string_equal(v.reason, "party");
	assert_string_equal(sget(v.body, "legal_name", NULL), "张三");
	assert_string_equal(sget(v.body, "registered_address", NULL), "福建省福州市鼓楼区测试路1号");
	assert_string_equal(sget(v.body, "contact", "phone"), "+86 591 8888 0000");
	assert_string_equal(sget(v.body, "contact", "email"), "shop@example.com");
	assert_string_equal(sget(v.body, "id_number", NULL), "110***********002X");
	assert_null(json_object_get(v.body, "licence_image"));
	assert_string_equal(v.audit,
			    "id_number(masked),registered_address,contact.phone,contact.email");
	/* the stored record is not changed */
	assert_string_equal(sget(f->merchant, "id_number", NULL), "11010519491231002X");
	disclose_view_release(&v);
}

static void a_consumer_who_never_ordered_from_a_merchant_sees_nothing_of_it(void **state)
{
	struct fixture *f = stored(state);
	struct disclose_view v;
	struct principal p;
	struct err e;

	principal(&p, "consumer", consumer_id(f));
	assert_int_equal(disclose_view(f->st, &p, DISCLOSE_MERCHANT, f->other, &v, &e),
			 RC_NOTFOUND);
	assert_null(v.body);
	assert_string_equal(v.reason, "not_a_party");
	assert_string_equal(e.message, "no such merchant");
	disclose_view_release(&v);
}

static void staff_see_everything_and_every_personal_field_is_audited(void **state)
{
	struct fixture *f = stored(state);
	struct disclose_view v;
	struct principal p;
	struct err e;

	principal(&p, "agent", "agent 1");
	assert_int_equal(disclose_view(f->st, &p, DISCLOSE_MERCHANT, f->merchant, &v, &e), RC_OK);
	assert_string_equal(sget(v.body, "id_number", NULL), "11010519491231002X");
	assert_string_equal(v.audit, "id_number,registered_address,contact.phone,contact.email");
	disclose_view_release(&v);
	assert_int_equal(disclose_view(NULL, &p, DISCLOSE_ORDER, f->order, &v, &e), RC_OK);
	assert_string_equal(sget(v.body, "consumer", "phone"), "13800001234");
	assert_string_equal(v.audit, "consumer.name,consumer.phone");
	disclose_view_release(&v);
}

static void the_merchant_never_sees_the_consumers_phone(void **state)
{
	struct fixture *f = stored(state);
	struct disclose_view v;
	struct principal p;
	struct err e;
	char *text;
	size_t i;
	int found = 0;

	principal(&p, "merchant", sget(f->merchant, "id", NULL));
	assert_int_equal(disclose_view(NULL, &p, DISCLOSE_ORDER, f->order, &v, &e), RC_OK);
	assert_null(json_object_get(json_object_get(v.body, "consumer"), "phone"));
	assert_string_equal(sget(v.body, "consumer", "name"), "李四");
	text = json_dumps(v.body, 0);
	assert_non_null(text);
	assert_null(strstr(text, "13800001234"));
	free(text);
	for (i = 0; i < v.nfields; i++)
		if (strcmp(v.fields[i].field, "consumer.phone") == 0) {
			found = 1;
			assert_int_equal(v.fields[i].action, DISCLOSE_WITHHOLD);
			assert_string_equal(v.fields[i].reason, "minimum_necessary");
		}
	assert_true(found);
	assert_string_equal(v.audit, "consumer.name");
	disclose_view_release(&v);
	/* another merchant: not a party */
	principal(&p, "merchant", sget(f->other, "id", NULL));
	assert_int_equal(disclose_view(NULL, &p, DISCLOSE_ORDER, f->order, &v, &e), RC_NOTFOUND);
	assert_string_equal(v.reason, "not_a_party");
	disclose_view_release(&v);
}

static void own_records_are_shown_whole_and_not_audited(void **state)
{
	struct fixture *f = stored(state);
	struct disclose_view v;
	struct principal p;
	struct err e;

	principal(&p, "consumer", consumer_id(f));
	assert_int_equal(disclose_view(NULL, &p, DISCLOSE_ORDER, f->order, &v, &e), RC_OK);
	assert_string_equal(sget(v.body, "consumer", "phone"), "13800001234");
	assert_string_equal(v.audit, "");
	disclose_view_release(&v);
	principal(&p, "merchant", sget(f->merchant, "id", NULL));
	assert_int_equal(disclose_view(NULL, &p, DISCLOSE_MERCHANT, f->merchant, &v, &e), RC_OK);
	assert_string_equal(sget(v.body, "id_number", NULL), "11010519491231002X");
	assert_string_equal(v.audit, "");
	disclose_view_release(&v);
}

static void courts_associations_and_regulators_see_no_record_yet(void **state)
{
	struct fixture *f = stored(state);
	static const char *const outsiders[] = {"court", "association", "regulator", "witness"};
	struct disclose_view v;
	struct principal p;
	struct err e;
	size_t i;

	for (i = 0; i < 4; i++) {
		principal(&p, outsiders[i], "someone");
		assert_int_equal(disclose_view(f->st, &p, DISCLOSE_MERCHANT, f->merchant, &v, &e),
				 RC_NOTFOUND);
		assert_string_equal(v.reason, "no_basis");
		disclose_view_release(&v);
		assert_int_equal(disclose_view(NULL, &p, DISCLOSE_ORDER, f->order, &v, &e),
				 RC_NOTFOUND);
		disclose_view_release(&v);
	}
}

static void list_scopes_follow_the_access_rules(void **state)
{
	struct disclose_scope s;
	struct principal p;

	(void)state;
	principal(&p, "agent", "a");
	disclose_scope_of(&p, DISCLOSE_DISPUTE, &s);
	assert_true(s.all);
	principal(&p, "consumer", "cus_1");
	disclose_scope_of(&p, DISCLOSE_DISPUTE, &s);
	assert_false(s.all || s.none);
	assert_string_equal(s.consumer_id, "cus_1");
	assert_null(s.merchant_id);
	principal(&p, "merchant", "mer_1");
	disclose_scope_of(&p, DISCLOSE_ORDER, &s);
	assert_string_equal(s.merchant_id, "mer_1");
	assert_null(s.consumer_id);
	principal(&p, "court", "c");
	disclose_scope_of(&p, DISCLOSE_ORDER, &s);
	assert_true(s.none);
	/* a consumer reaches listings only through its orders: no filter, each item asked */
	principal(&p, "consumer", "cus_1");
	disclose_scope_of(&p, DISCLOSE_LISTING, &s);
	assert_false(s.all || s.none || s.merchant_id || s.consumer_id);
}

static void bundles_withhold_what_a_view_would_mask_or_withhold(void **state)
{
	const char *names[8];
	char audit[256];
	struct principal p;
	struct err e;
	size_t n;

	(void)state;
	principal(&p, "consumer", "cus_1");
	assert_int_equal(disclose_bundle_fields(&p, names, 8, &n, audit, sizeof(audit), &e), RC_OK);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "id_number");
	assert_string_equal(names[1], "licence_image");
	assert_string_equal(names[2], "flags");
	assert_string_equal(audit, "merchant.registered_address,merchant.contact.phone,"
				   "merchant.contact.email");
	principal(&p, "platform", "p");
	assert_int_equal(disclose_bundle_fields(&p, names, 8, &n, audit, sizeof(audit), &e), RC_OK);
	assert_int_equal(n, 0);
	assert_string_equal(audit, "merchant.id_number,merchant.registered_address,"
				   "merchant.contact.phone,merchant.contact.email,"
				   "order.consumer.name,order.consumer.phone");
	principal(&p, "consumer", "cus_1");
	assert_int_equal(disclose_bundle_fields(&p, names, 2, &n, audit, sizeof(audit), &e),
			 RC_TOOBIG);
}

static void docs_privacy_md_is_the_table_rendered(void **state)
{
	struct buf want;
	FILE *fp = fopen("docs/privacy.md", "rb");
	char *have;
	long len;

	(void)state;
	if (!fp)
		fail_msg("cannot open docs/privacy.md (run from the repository root)");
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	rewind(fp);
	have = malloc((size_t)len + 1);
	assert_non_null(have);
	assert_int_equal(fread(have, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	have[len] = '\0';
	buf_init(&want, 1 << 20);
	assert_int_equal(disclose_table_markdown(&want), RC_OK);
	if ((size_t)len != want.len || memcmp(have, want.data, want.len) != 0)
		fail_msg("docs/privacy.md differs from the table: regenerate it with "
			 "`build/disputed privacy > docs/privacy.md`");
	buf_release(&want);
	free(have);
}

/* ---- packages ---- */

struct package_expect {
	const char *kind, *field, *basis;
	const char *cells[NROLES];
};

static const struct package_expect package_table[] = {
	{"merchant", "id_number", "pipl_13_1_3",
	 {"show:staff", "show:staff", "mask:sensitive_pi", "withhold:no_basis",
	  "show:statutory_duty", "mask:sensitive_pi", "show:statutory_duty", "withhold:no_basis"}},
	{"order", "consumer.phone", "pipl_13_1_3",
	 {"show:staff", "show:staff", "show:own", "withhold:no_basis", "show:statutory_duty",
	  "mask:minimum_necessary", "mask:minimum_necessary", "withhold:no_basis"}},
	/* the location trail: only under a basis that covers it, or the consumer's own */
	{"logistics", "location", "pipl_13_1_3",
	 {"show:staff", "show:staff", "show:own", "withhold:no_basis", "show:sensitive_pi",
	  "show:sensitive_pi", "show:sensitive_pi", "withhold:no_basis"}},
	{"logistics", "location", "pipl_13_1_1",
	 {"show:staff", "show:staff", "show:own", "withhold:no_basis", OUT4("withhold:no_basis")}},
	{"logistics", "location", "pipl_13_1_5",
	 {"show:staff", "show:staff", "show:own", "withhold:no_basis", OUT4("withhold:no_basis")}},
	{"logistics", "detail", "pipl_13_1_1",
	 {"show:staff", "show:staff", "redact:third_parties", "withhold:no_basis",
	  "redact:third_parties", "redact:third_parties", "redact:third_parties",
	  "withhold:no_basis"}},
	{"message", "text", "cpl_44",
	 {"show:staff", "show:staff", "redact:third_parties", "withhold:no_basis",
	  "redact:third_parties", "redact:third_parties", "redact:third_parties",
	  "withhold:no_basis"}},
	{"message", "sender", "cpl_44",
	 {"show:requester", "show:requester", "show:requester", "withhold:no_basis",
	  "show:requester", "show:requester", "show:requester", "withhold:no_basis"}},
};

static void package_rules_follow_the_requester_and_the_basis(void **state)
{
	size_t i, r;
	char got[96];

	(void)state;
	for (i = 0; i < sizeof(package_table) / sizeof(package_table[0]); i++)
		for (r = 0; r < NROLES; r++) {
			const struct package_expect *x = &package_table[i];
			struct disclose_rule d =
				disclose_package_rule(roles[r], x->basis, x->kind, x->field);

			snprintf(got, sizeof(got), "%s:%s", disclose_action_names[d.action], d.reason);
			if (strcmp(got, x->cells[r]) != 0)
				fail_msg("package %s.%s under %s for %s: got %s, want %s", x->kind,
					 x->field, x->basis, roles[r], got, x->cells[r]);
		}
}

static void redact_one(const struct disclose_parties *p, const char *in, const char *want,
		       int want_changed)
{
	struct buf out;
	struct err e;
	int changed = -1;

	buf_init(&out, 4096);
	assert_int_equal(disclose_redact(in, p, &out, &changed, &e), RC_OK);
	if (strcmp(out.data, want) != 0 || changed != want_changed)
		fail_msg("redact '%s': got '%s' (changed %d), want '%s' (%d)", in, out.data, changed,
			 want, want_changed);
	buf_release(&out);
}

static void redaction_masks_the_names_and_numbers_of_people_who_are_not_parties(void **state)
{
	struct disclose_parties p;
	struct buf out;
	struct err e;
	int changed;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.names[0] = "王芳";
	p.phones[0] = "139-0000-1111";
	p.names[1] = "陈记数码";
	p.phones[1] = "021-55556666";
	p.emails[0] = "shop@example.com";
	/* couriers and people who signed, by the words that mark a name */
	redact_one(&p, "快递员张三说明天到，电话13812345678", "快递员张*说明天到，电话138****5678", 1);
	redact_one(&p, "已签收，签收人：李小龙", "已签收，签收人：李**", 1);
	redact_one(&p, "赵师傅已取件", "*师傅已取件", 1);
	redact_one(&p, "联系人是刘德华", "联系人是刘**", 1);
	/* numbers: a landline with its area code, an ID number, an email address */
	redact_one(&p, "请打010-62345678", "请打010-****5678", 1);
	redact_one(&p, "身份证110101199003074514", "身份证110***********4514", 1);
	redact_one(&p, "发到zhang.san@example.net了", "发到z***@example.net了", 1);
	redact_one(&p, "手机 138 1234 5678", "手机 138 **** 5678", 1);
	/* the parties' own names and numbers stay, as do numbers that are not a person's */
	redact_one(&p, "王先生您好，请拨13900001111或021-55556666", "王先生您好，请拨13900001111或021-55556666", 0);
	redact_one(&p, "签收人：王芳", "签收人：王芳", 0);
	redact_one(&p, "邮件shop@example.com", "邮件shop@example.com", 0);
	redact_one(&p, "单号SF1234567890123，订单20250930123456，价格199元",
		   "单号SF1234567890123，订单20250930123456，价格199元", 0);
	redact_one(&p, "快递员说明天到", "快递员说明天到", 0);
	redact_one(&p, "", "", 0);
	/* text that is not UTF-8 is refused */
	buf_init(&out, 64);
	assert_int_equal(disclose_redact("\xff\xfe", &p, &out, &changed, &e), RC_INVAL);
	buf_release(&out);
}

static void a_package_withholds_what_it_masks_and_renders_it_for_the_event(void **state)
{
	struct disclose_parties p;
	struct disclose_package_reader court = {"court", "pipl_13_1_3", &p};
	struct disclose_package_reader assoc = {"association", "pipl_13_1_1", &p};
	json_t *msg = json_pack("{s:s, s:s, s:s}", "id", "msg_1", "sender", "merchant", "text",
				"快递员张三电话13812345678");
	json_t *plain = json_pack("{s:s, s:s}", "id", "msg_2", "text", "好的，明天发货");
	json_t *lge = json_pack("{s:s, s:s, s:s}", "id", "lge_1", "location", "上海市浦东新区",
				"detail", "已签收");
	json_t *mer = json_pack("{s:s, s:s}", "id", "mer_1", "id_number", "110101199003074514");
	json_t *masks = json_array();
	struct err e;
	int show = -1;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(disclose_package_shows(&court, "message", msg, "text", &show, &e), RC_OK);
	assert_int_equal(show, 0);
	assert_int_equal(disclose_package_shows(&court, "message", plain, "text", &show, &e), RC_OK);
	assert_int_equal(show, 1);
	assert_int_equal(disclose_package_shows(&court, "message", msg, "sender", &show, &e), RC_OK);
	assert_int_equal(show, 1);
	assert_int_equal(disclose_package_shows(&court, "logistics", lge, "location", &show, &e),
			 RC_OK);
	assert_int_equal(show, 1);
	assert_int_equal(disclose_package_shows(&assoc, "logistics", lge, "location", &show, &e),
			 RC_OK);
	assert_int_equal(show, 0);
	assert_int_equal(disclose_package_shows(&assoc, "merchant", mer, "id_number", &show, &e),
			 RC_OK);
	assert_int_equal(show, 0);

	assert_int_equal(disclose_package_masks(&court, "message", msg, masks, 10, &e), RC_OK);
	assert_int_equal(disclose_package_masks(&court, "message", plain, masks, 10, &e), RC_OK);
	assert_int_equal(disclose_package_masks(&assoc, "logistics", lge, masks, 10, &e), RC_OK);
	assert_int_equal(disclose_package_masks(&assoc, "merchant", mer, masks, 10, &e), RC_OK);
	assert_int_equal(json_array_size(masks), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(masks, 0), "value")),
			    "快递员张*电话138****5678");
	assert_string_equal(json_string_value(json_object_get(json_array_get(masks, 1), "field")),
			    "id_number");
	assert_string_equal(json_string_value(json_object_get(json_array_get(masks, 1), "value")),
			    "110***********4514");
	/* past the cap, an error the caller turns into a bare commitment */
	assert_int_equal(disclose_package_masks(&court, "message", msg, masks, 2, &e), RC_TOOBIG);
	json_decref(msg);
	json_decref(plain);
	json_decref(lge);
	json_decref(mer);
	json_decref(masks);
}

#define T(fn) cmocka_unit_test(fn)
#define TF(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TP(fn) cmocka_unit_test_setup_teardown(fn, setup_pg, teardown)

/* The tests over a real store, with the fixture macro `t` (TF on SQLite, TP on PostgreSQL). */
#define STORED(t)                                                                     \
	t(the_consumer_party_sees_the_merchants_address_and_contact_and_a_masked_id), \
	t(a_consumer_who_never_ordered_from_a_merchant_sees_nothing_of_it),           \
	t(staff_see_everything_and_every_personal_field_is_audited),                  \
	t(the_merchant_never_sees_the_consumers_phone),                               \
	t(own_records_are_shown_whole_and_not_audited),                               \
	t(courts_associations_and_regulators_see_no_record_yet)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(every_role_kind_and_field_decision_is_the_documented_one),
		T(unknown_roles_and_kinds_get_nothing),
		T(masks_keep_the_ends_and_hide_the_middle),
		STORED(TF),
		T(list_scopes_follow_the_access_rules),
		T(bundles_withhold_what_a_view_would_mask_or_withhold),
		T(docs_privacy_md_is_the_table_rendered),
		T(package_rules_follow_the_requester_and_the_basis),
		T(redaction_masks_the_names_and_numbers_of_people_who_are_not_parties),
		T(a_package_withholds_what_it_masks_and_renders_it_for_the_event),
	};
	const struct CMUnitTest pg_tests[] = {
		STORED(TP),
	};
	int failed = cmocka_run_group_tests_name("disclosure on SQLite", tests, NULL, NULL);

	if (!store_test_pg()) {
		printf("disclosure on PostgreSQL: skipped, DISPUTED_TEST_PG is not set\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("disclosure on PostgreSQL", pg_tests, NULL,
						    NULL);
}
