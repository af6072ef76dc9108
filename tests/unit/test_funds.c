/* test_funds.c - unit tests of the ledger on both backends: balanced entries, overflow, overdrafts, holds, advances and the order of recovery, keys, the audit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/ids.h"
#include "funds/funds.h"
#include "funds/funds_int.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "store_fixture.h"

/*
 * One test's ledger: a fresh store (store_fixture.h: SQLite, or a fresh
 * PostgreSQL database) with a merchant and a consumer, inside a
 * transaction.
 */
struct fixture {
	struct store_fixture *sf;
	char dir[64];            /* the data directory (blobs), the SQLite file's */
	struct store *st;
	struct funds_ctx c;
	char mer[ID_MAX];
	char cus[ID_MAX];
	int key;                 /* counter for fresh keys */
	int not_yet;             /* on PostgreSQL, a concern the ledger needs is not built yet */
	char why[200];           /* which, as the store said */
};

/*
 * Every test starts here: on PostgreSQL while a concern the ledger needs
 * (the seals of its entries, the webhooks of payouts) is not built yet, it
 * is skipped and says which (ok() does the same midway).
 */
#define FIXTURE(f)                                                                               \
	struct fixture *f = *state;                                                              \
	if (f->not_yet) {                                                                        \
		print_message("skipped: %s\n", f->why);                                          \
		skip();                                                                          \
	}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t money(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(o, k), "amount"));
}

/* Was `rc` a concern not on PostgreSQL yet? Then the fixture's tests are skipped, saying why. */
static int not_yet(struct fixture *f, int rc, const struct err *e)
{
	if (rc != RC_UNSUPPORTED || !f->sf->pg_name[0])
		return 0;
	f->not_yet = 1;
	snprintf(f->why, sizeof(f->why), "%.190s", e->message);
	return 1;
}

/* The fixture on the store `open` gives (store_setup or store_setup_pg). */
static int setup_on(void **state, int (*open)(void **))
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ingest_ctx ic;
	json_t *m = NULL, *l = NULL, *o = NULL, *in;
	void *sf = NULL;
	struct err e;
	int rc;

	assert_non_null(f);
	assert_int_equal(open(&sf), 0);
	f->sf = sf;
	f->st = f->sf->st;
	if (f->sf->pg_name[0]) {
		snprintf(f->dir, sizeof(f->dir), "/tmp/disputed-funds-XXXXXX");
		assert_non_null(mkdtemp(f->dir));
	} else {
		snprintf(f->dir, sizeof(f->dir), "%s", f->sf->dir);
	}
	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	f->c.st = f->st;
	f->c.now = 1759200000000LL;
	*state = f;
	memset(&ic, 0, sizeof(ic));
	ic.st = f->st;
	ic.data_dir = f->dir;
	ic.now = 1759200000000LL;
	in = json_loads("{\"kind\":\"company\",\"legal_name\":\"杭州示例科技有限公司\","
			"\"uscc\":\"91350100M000100Y43\",\"registered_address\":\"杭州市西湖区文三路 1 号\","
			"\"contact\":{\"phone\":\"+86 571 0000 0000\"}}", 0, NULL);
	rc = ingest_merchant(&ic, in, &m, &e);
	json_decref(in);
	if (not_yet(f, rc, &e))
		return 0;
	assert_int_equal(rc, RC_OK);
	snprintf(f->mer, sizeof(f->mer), "%s", str(m, "id"));
	in = json_pack("{s:s, s:s, s:{s:i, s:s}}", "merchant", f->mer, "title", "杯子", "price",
		       "amount", 10000, "currency", "CNY");
	rc = ingest_listing(&ic, in, &l, &e);
	json_decref(in);
	if (not_yet(f, rc, &e)) {
		json_decref(m);
		return 0;
	}
	assert_int_equal(rc, RC_OK);
	in = json_pack("{s:{s:s, s:s, s:s}, s:s, s:[{s:s, s:i, s:{s:i, s:s}}], s:{s:i, s:s}, "
		       "s:s, s:{s:s, s:s}}", "consumer", "external_id", "u-1", "name", "李四",
		       "phone", "13800000000", "merchant", f->mer, "items", "listing",
		       str(l, "id"), "quantity", 1, "unit_price", "amount", 10000, "currency", "CNY",
		       "total", "amount", 10000, "currency", "CNY", "paid_at",
		       "2025-09-30T14:05:00+08:00", "payment", "channel", "alipay",
		       "transaction_id", "t-1");
	rc = ingest_order(&ic, in, &o, &e);
	json_decref(in);
	if (not_yet(f, rc, &e)) {
		json_decref(m);
		json_decref(l);
		return 0;
	}
	assert_int_equal(rc, RC_OK);
	snprintf(f->cus, sizeof(f->cus), "%s", str(json_object_get(o, "consumer"), "id"));
	json_decref(m);
	json_decref(l);
	json_decref(o);
	return 0;
}

static int setup(void **state)
{
	return setup_on(state, store_setup);
}

static int setup_pg(void **state)
{
	return setup_on(state, store_setup_pg);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	void *sf = f->sf;

	if (store_end(f->st, 0, NULL)) {
		/* a rollback */
	}
	if (f->sf->pg_name[0]) {
		nftw(f->dir, store_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		store_teardown_pg(&sf);
	} else {
		store_teardown(&sf);
	}
	free(f);
	return 0;
}

static const char *fresh_key(struct fixture *f)
{
	static char k[32];

	snprintf(k, sizeof(k), "k-%d", ++f->key);
	return k;
}

static int64_t bal(struct fixture *f, const char *owner, const char *account)
{
	int64_t b, h;
	struct err e;

	assert_int_equal(funds_balance(f->st, owner, account, &b, &h, &e), RC_OK);
	return b;
}

static int64_t held(struct fixture *f, const char *owner, const char *account)
{
	int64_t b, h;
	struct err e;

	assert_int_equal(funds_balance(f->st, owner, account, &b, &h, &e), RC_OK);
	return h;
}

static void ok(int rc, const struct err *e)
{
	if (rc == RC_UNSUPPORTED && strcmp(e->code, "not_on_postgresql") == 0) {
		print_message("skipped: %s\n", e->message);
		skip();
	}
	if (rc)
		fail_msg("rc %s: %s %s: %s", rc_strerror(rc), e->code, e->param, e->message);
}

static void credit(struct fixture *f, const char *account, int64_t amount)
{
	json_t *out = NULL;
	struct err e;

	ok(funds_credit(&f->c, fresh_key(f), f->mer, account, amount, "ref",
			strcmp(account, "deposit") == 0 ? "returned when the shop closes" : NULL,
			&out, &e), &e);
	json_decref(out);
}

static void guarantee(struct fixture *f, int64_t amount)
{
	json_t *out = NULL;
	struct err e;

	ok(funds_guarantee_add(&f->c, fresh_key(f), amount, "g", &out, &e), &e);
	json_decref(out);
}

static void count_problem(void *ctx, const char *where, const char *what)
{
	(void)where;
	(void)what;
	(*(int *)ctx)++;
}

static int audit(struct fixture *f)
{
	uint64_t n = 0;
	int seen = 0;
	struct err e;

	ok(funds_audit(f->st, count_problem, &seen, &n, &e), &e);
	assert_int_equal((int)n, seen);
	return seen;
}

static int64_t entries(struct fixture *f, const char *owner)
{
	json_t *items = NULL;
	int64_t next, n;
	struct err e;

	ok(funds_entries(f->st, owner, NULL, 0, 100, &items, &next, &e), &e);
	n = (int64_t)json_array_size(items);
	json_decref(items);
	return n;
}

/* ---- tests ---- */

static void credit_then_transfer_keeps_every_entry_balanced_and_sealed(void **state)
{
	FIXTURE(f);
	json_t *out = NULL, *leg;
	struct err e;
	int64_t sum = 0;
	size_t i;

	credit(f, "settlement", 5000);
	ok(funds_transfer(&f->c, fresh_key(f), f->mer, f->cus, 1999, NULL, NULL, &out, &e), &e);
	assert_string_equal(str(out, "kind"), "transfer");
	json_array_foreach(json_object_get(out, "legs"), i, leg)
		sum += money(leg, "amount");
	assert_int_equal(sum, 0);
	json_decref(out);
	assert_int_equal(bal(f, f->mer, "settlement"), 3001);
	assert_int_equal(bal(f, f->cus, "payable"), 1999);
	assert_int_equal(bal(f, "platform", "world"), -5000);
	assert_int_equal(f->c.nseals, 2);
	assert_int_equal(audit(f), 0);
}

static void overdraft_is_insufficient_funds_and_writes_nothing(void **state)
{
	FIXTURE(f);
	json_t *out = (json_t *)1;
	struct err e;

	credit(f, "settlement", 100);
	err_clear(&e);
	assert_int_equal(funds_transfer(&f->c, fresh_key(f), f->mer, f->cus, 101, NULL, NULL, &out,
					&e), RC_CONFLICT);
	assert_null(out);
	assert_string_equal(e.code, "insufficient_funds");
	assert_string_equal(e.param, "amount");
	assert_int_equal(bal(f, f->mer, "settlement"), 100);
	assert_int_equal(entries(f, f->cus), 0);
	assert_int_equal(entries(f, f->mer), 1);
	/* the guarantee fund never goes below zero either */
	assert_int_equal(funds_advance(&f->c, fresh_key(f), f->mer, f->cus, 1, NULL, NULL, &out, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "insufficient_funds");
	assert_int_equal(audit(f), 0);
}

static void amounts_out_of_range_are_invalid_naming_amount(void **state)
{
	FIXTURE(f);
	const int64_t bad[] = {0, -1, FUNDS_AMOUNT_MAX + 1, INT64_MIN};
	json_t *out = NULL;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(funds_credit(&f->c, fresh_key(f), f->mer, "settlement", bad[i], "r",
					      NULL, &out, &e), RC_INVAL);
		assert_string_equal(e.param, "amount");
	}
	assert_int_equal(funds_credit(&f->c, fresh_key(f), "mer_000000000000000000000000",
				      "settlement", 1, "r", NULL, &out, &e), RC_NOTFOUND);
	assert_string_equal(e.param, "merchant");
	assert_int_equal(entries(f, "platform"), 0);
}

static void balance_and_leg_overflow_are_refused(void **state)
{
	FIXTURE(f);
	struct funds_leg big[] = {{"platform", "world", -INT64_MAX}, {f->mer, "settlement", INT64_MAX}};
	struct funds_leg one[] = {{"platform", "world", -1}, {f->mer, "settlement", 1}};
	struct funds_leg wrap[] = {{"platform", "world", INT64_MAX},
				   {f->mer, "deposit", INT64_MAX},
				   {f->cus, "payable", 2}};
	struct err e;

	ok(funds_post(&f->c, "credit", NULL, NULL, NULL, NULL, big, 2, NULL, &e), &e);
	err_clear(&e);
	assert_int_equal(funds_post(&f->c, "credit", NULL, NULL, NULL, NULL, one, 2, NULL, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "balance_overflow");
	assert_int_equal(bal(f, f->mer, "settlement"), INT64_MAX);
	assert_int_equal(funds_post(&f->c, "credit", NULL, NULL, NULL, NULL, wrap, 3, NULL, &e),
			 RC_INTERNAL);
	assert_int_equal(bal(f, f->cus, "payable"), 0);
}

static void deposit_without_terms_is_refused(void **state)
{
	FIXTURE(f);
	json_t *out = NULL;
	struct err e;

	err_clear(&e);
	assert_int_equal(funds_credit(&f->c, fresh_key(f), f->mer, "deposit", 500, "r", NULL, &out,
				      &e), RC_INVAL);
	assert_string_equal(e.param, "terms");
	assert_int_equal(funds_credit(&f->c, fresh_key(f), f->mer, "deposit", 500, "r", "", &out,
				      &e), RC_INVAL);
	credit(f, "deposit", 500);
	assert_int_equal(bal(f, f->mer, "deposit"), 500);
}

static void a_hold_is_released_or_consumed_never_both(void **state)
{
	FIXTURE(f);
	json_t *h1 = NULL, *h2 = NULL, *out = NULL;
	char id1[ID_MAX], id2[ID_MAX];
	int64_t got;
	struct err e;

	credit(f, "settlement", 500);
	ok(funds_hold(&f->c, fresh_key(f), f->mer, 300, "dsp_a", 0, &got, &h1, &e), &e);
	assert_int_equal(got, 300);
	snprintf(id1, sizeof(id1), "%s", str(h1, "id"));
	assert_int_equal(held(f, f->mer, "settlement"), 300);
	/* available is balance - held: 200 */
	assert_int_equal(funds_transfer(&f->c, fresh_key(f), f->mer, f->cus, 201, NULL, NULL, &out,
					&e), RC_CONFLICT);
	/* a transfer for the hold's dispute consumes it */
	ok(funds_transfer(&f->c, fresh_key(f), f->mer, f->cus, 250, "dsp_a", NULL, &out, &e), &e);
	assert_string_equal(str(out, "hold"), id1);
	json_decref(out);
	assert_int_equal(held(f, f->mer, "settlement"), 0);
	assert_int_equal(bal(f, f->mer, "settlement"), 250);
	err_clear(&e);
	assert_int_equal(funds_hold_release(&f->c, fresh_key(f), id1, &out, &e), RC_CONFLICT);
	assert_string_equal(e.code, "hold_closed");
	/* released once, then neither released nor consumed again */
	ok(funds_hold(&f->c, fresh_key(f), f->mer, 100, "dsp_b", 0, NULL, &h2, &e), &e);
	snprintf(id2, sizeof(id2), "%s", str(h2, "id"));
	ok(funds_hold_release(&f->c, fresh_key(f), id2, &out, &e), &e);
	assert_string_equal(str(out, "state"), "released");
	json_decref(out);
	assert_int_equal(funds_hold_release(&f->c, fresh_key(f), id2, &out, &e), RC_CONFLICT);
	ok(funds_transfer(&f->c, fresh_key(f), f->mer, f->cus, 250, "dsp_b", NULL, &out, &e), &e);
	assert_null(json_object_get(out, "hold"));
	json_decref(out);
	assert_int_equal(bal(f, f->mer, "settlement"), 0);
	assert_int_equal(audit(f), 0);
	json_decref(h1);
	json_decref(h2);
}

static void a_partial_hold_takes_settlement_then_deposit_and_records_the_shortfall(void **state)
{
	FIXTURE(f);
	json_t *h = NULL, *out = NULL;
	int64_t got;
	struct err e;

	credit(f, "settlement", 100);
	credit(f, "deposit", 50);
	assert_int_equal(funds_hold(&f->c, fresh_key(f), f->mer, 400, "dsp_x", 0, &got, &out, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "insufficient_funds");
	ok(funds_hold(&f->c, fresh_key(f), f->mer, 400, "dsp_x", 1, &got, &h, &e), &e);
	assert_int_equal(got, 150);
	assert_int_equal(money(h, "shortfall"), 250);
	assert_string_equal(str(json_array_get(json_object_get(h, "parts"), 0), "account"),
			    "settlement");
	assert_string_equal(str(json_array_get(json_object_get(h, "parts"), 1), "account"),
			    "deposit");
	assert_int_equal(held(f, f->mer, "settlement"), 100);
	assert_int_equal(held(f, f->mer, "deposit"), 50);
	assert_int_equal(audit(f), 0);
	json_decref(h);
}

static void advances_book_receivables_recovered_oldest_first_each_its_own_entry(void **state)
{
	FIXTURE(f);
	json_t *a1 = NULL, *a2 = NULL, *c = NULL, *rec;
	struct err e;

	guarantee(f, 1000);
	ok(funds_advance(&f->c, fresh_key(f), f->mer, f->cus, 300, "dsp_1", NULL, &a1, &e), &e);
	ok(funds_advance(&f->c, fresh_key(f), f->mer, f->cus, 200, "dsp_2", NULL, &a2, &e), &e);
	assert_int_equal(bal(f, "platform", "guarantee"), 500);
	assert_int_equal(bal(f, f->mer, "receivable"), 500);
	assert_int_equal(bal(f, "platform", "receivable"), -500);
	assert_int_equal(bal(f, f->cus, "payable"), 500);
	ok(funds_credit(&f->c, fresh_key(f), f->mer, "settlement", 400, "sale", NULL, &c, &e), &e);
	rec = json_object_get(c, "recoveries");
	assert_int_equal(json_array_size(rec), 2);
	assert_string_equal(str(json_array_get(rec, 0), "receivable"), str(a1, "receivable"));
	assert_string_equal(str(json_array_get(rec, 1), "receivable"), str(a2, "receivable"));
	assert_int_equal(money(json_array_get(json_object_get(json_array_get(rec, 0), "legs"), 0),
			       "amount"), -300);
	assert_int_equal(money(json_array_get(json_object_get(json_array_get(rec, 1), "legs"), 0),
			       "amount"), -100);
	assert_int_equal(bal(f, f->mer, "settlement"), 0);
	assert_int_equal(bal(f, f->mer, "receivable"), 100);
	assert_int_equal(bal(f, "platform", "guarantee"), 900);
	/* a deposit is not taken for recovery */
	credit(f, "deposit", 1000);
	assert_int_equal(bal(f, f->mer, "receivable"), 100);
	assert_int_equal(audit(f), 0);
	json_decref(a1);
	json_decref(a2);
	json_decref(c);
}

static void a_key_runs_once_and_refuses_other_arguments(void **state)
{
	FIXTURE(f);
	json_t *a = NULL, *b = NULL;
	struct err e;

	ok(funds_credit(&f->c, "same", f->mer, "settlement", 700, "r", NULL, &a, &e), &e);
	assert_int_equal(f->c.replayed, 0);
	ok(funds_credit(&f->c, "same", f->mer, "settlement", 700, "r", NULL, &b, &e), &e);
	assert_int_equal(f->c.replayed, 1);
	assert_string_equal(str(a, "id"), str(b, "id"));
	assert_int_equal(bal(f, f->mer, "settlement"), 700);
	json_decref(b);
	b = NULL;
	err_clear(&e);
	assert_int_equal(funds_credit(&f->c, "same", f->mer, "settlement", 701, "r", NULL, &b, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "idempotency_key_reused");
	assert_int_equal(bal(f, f->mer, "settlement"), 700);
	json_decref(a);
}

static void execute_pays_from_hold_then_settlement_then_deposit_then_guarantee(void **state)
{
	FIXTURE(f);
	json_t *h = NULL, *x = NULL;
	struct err e;

	credit(f, "settlement", 300);
	credit(f, "deposit", 100);
	guarantee(f, 1000);
	ok(funds_hold(&f->c, fresh_key(f), f->mer, 200, "dsp_e", 0, NULL, &h, &e), &e);
	/* the guarantee cannot cover what is missing: nothing moves */
	assert_int_equal(funds_execute(&f->c, fresh_key(f), f->mer, f->cus, 1401, "dsp_e", NULL,
				       &x, &e), RC_CONFLICT);
	assert_int_equal(held(f, f->mer, "settlement"), 200);
	ok(funds_execute(&f->c, fresh_key(f), f->mer, f->cus, 1000, "dsp_e", NULL, &x, &e), &e);
	assert_int_equal(money(json_array_get(json_object_get(json_object_get(x, "transfer"),
							       "legs"), 0), "amount"), -300);
	assert_int_equal(money(json_array_get(json_object_get(json_object_get(x, "transfer"),
							       "legs"), 1), "amount"), -100);
	assert_int_equal(bal(f, f->cus, "payable"), 1000);
	assert_int_equal(bal(f, "platform", "guarantee"), 400);
	assert_int_equal(bal(f, f->mer, "receivable"), 600);
	assert_int_equal(held(f, f->mer, "settlement"), 0);
	assert_int_equal(audit(f), 0);
	json_decref(h);
	json_decref(x);
}

static void a_failed_payout_returns_its_money_and_a_closed_one_stays_closed(void **state)
{
	FIXTURE(f);
	json_t *p = NULL, *out = NULL;
	char id[ID_MAX];
	struct err e;

	credit(f, "settlement", 500);
	ok(funds_transfer(&f->c, fresh_key(f), f->mer, f->cus, 500, NULL, NULL, &out, &e), &e);
	json_decref(out);
	assert_int_equal(funds_payout_request(&f->c, fresh_key(f), f->cus, 501, &p, &e),
			 RC_CONFLICT);
	ok(funds_payout_request(&f->c, fresh_key(f), f->cus, 200, &p, &e), &e);
	snprintf(id, sizeof(id), "%s", str(p, "id"));
	assert_int_equal(bal(f, f->cus, "payable"), 300);
	ok(funds_payout_fail(&f->c, fresh_key(f), id, "bank refused", &out, &e), &e);
	assert_string_equal(str(out, "state"), "failed");
	json_decref(out);
	assert_int_equal(bal(f, f->cus, "payable"), 500);
	err_clear(&e);
	assert_int_equal(funds_payout_confirm(&f->c, fresh_key(f), id, &out, &e), RC_CONFLICT);
	assert_string_equal(e.code, "payout_closed");
	json_decref(p);
	ok(funds_payout_request(&f->c, fresh_key(f), f->cus, 500, &p, &e), &e);
	snprintf(id, sizeof(id), "%s", str(p, "id"));
	ok(funds_payout_confirm(&f->c, fresh_key(f), id, &out, &e), &e);
	assert_string_equal(str(out, "state"), "paid");
	assert_int_equal(bal(f, f->cus, "payable"), 0);
	assert_int_equal(audit(f), 0);
	json_decref(out);
	json_decref(p);
}

/* Run `sql` on the fixture's database behind the store's back: 1 if it was done. */
static int behind_the_back(struct fixture *f, const char *sql)
{
	int done;

	if (f->sf->pg_name[0]) {
		PGconn *c = PQconnectdb(f->sf->url);
		PGresult *r;

		assert_int_equal(PQstatus(c), CONNECTION_OK);
		r = PQexec(c, sql);
		done = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;

		assert_int_equal(sqlite3_open(f->sf->path, &db), SQLITE_OK);
		done = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_close(db);
	}
	return done;
}

static void legs_are_append_only_and_a_changed_balance_is_caught(void **state)
{
	FIXTURE(f);
	struct err e;

	credit(f, "settlement", 500);
	ok(store_end(f->st, 1, &e), &e);
	assert_false(behind_the_back(f, "UPDATE fund_legs SET amount = 1"));
	assert_false(behind_the_back(f, "DELETE FROM fund_entries"));
	assert_true(behind_the_back(f, "UPDATE fund_accounts SET balance = balance + 1 "
				    "WHERE name = 'settlement'"));
	ok(store_begin(f->st, &e), &e);
	assert_int_equal(audit(f), 1);
}

/* The tests, with the fixture `su` (setup or setup_pg). */
#define TESTS(su)                                                                                \
	cmocka_unit_test_setup_teardown(credit_then_transfer_keeps_every_entry_balanced_and_sealed, \
					su, teardown),                                           \
	cmocka_unit_test_setup_teardown(overdraft_is_insufficient_funds_and_writes_nothing, su,  \
					teardown),                                               \
	cmocka_unit_test_setup_teardown(amounts_out_of_range_are_invalid_naming_amount, su,      \
					teardown),                                               \
	cmocka_unit_test_setup_teardown(balance_and_leg_overflow_are_refused, su, teardown),     \
	cmocka_unit_test_setup_teardown(deposit_without_terms_is_refused, su, teardown),         \
	cmocka_unit_test_setup_teardown(a_hold_is_released_or_consumed_never_both, su, teardown), \
	cmocka_unit_test_setup_teardown(                                                         \
		a_partial_hold_takes_settlement_then_deposit_and_records_the_shortfall, su,      \
		teardown),                                                                       \
	cmocka_unit_test_setup_teardown(                                                         \
		advances_book_receivables_recovered_oldest_first_each_its_own_entry, su,         \
		teardown),                                                                       \
	cmocka_unit_test_setup_teardown(a_key_runs_once_and_refuses_other_arguments, su,         \
					teardown),                                               \
	cmocka_unit_test_setup_teardown(                                                         \
		execute_pays_from_hold_then_settlement_then_deposit_then_guarantee, su,          \
		teardown),                                                                       \
	cmocka_unit_test_setup_teardown(                                                         \
		a_failed_payout_returns_its_money_and_a_closed_one_stays_closed, su, teardown),  \
	cmocka_unit_test_setup_teardown(legs_are_append_only_and_a_changed_balance_is_caught, su, \
					teardown)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {TESTS(setup)};
	const struct CMUnitTest pg_tests[] = {TESTS(setup_pg)};
	int failed = cmocka_run_group_tests_name("funds on SQLite", sqlite_tests, NULL, NULL);

	if (!store_test_pg()) {
		printf("funds on PostgreSQL: skipped, DISPUTED_TEST_PG is not set (make unit starts "
		       "a cluster: tests/e2e/pg_cluster.py run -- ...)\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("funds on PostgreSQL", pg_tests, NULL, NULL);
}
