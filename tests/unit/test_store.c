/* test_store.c - unit tests of the store interface on each backend: a SQLite file in a temporary directory, a fresh PostgreSQL database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/ids.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"
#include "store_fixture.h"


/* Is the fixture's store PostgreSQL? */
static int on_pg(const struct store_fixture *f)
{
	return f->pg_name[0] != '\0';
}

static void begin(struct store *st)
{
	struct err e;

	assert_int_equal(store_begin(st, &e), RC_OK);
}

static void commit(struct store *st)
{
	struct err e;

	assert_int_equal(store_end(st, 1, &e), RC_OK);
}

/* ---- helpers that put rows with the columns the store finds them by ---- */

static int put_row(struct store *st, enum store_kind kind, const char *id, const char *ext,
		   int64_t version, const char *mer, const char *cus, const char *ord,
		   json_t *body, struct err *e)
{
	struct store_row row;
	int rc;

	memset(&row, 0, sizeof(row));
	row.id = id;
	row.external_id = ext;
	row.version = version;
	row.merchant_id = mer;
	row.consumer_id = cus;
	row.order_id = ord;
	row.created_at = 1700000000000;
	row.body = body;
	err_clear(e);
	rc = store_put(st, kind, &row, e);
	json_decref(body);
	return rc;
}

static void put_merchant(struct store *st, const char *id, const char *ext)
{
	struct err e;

	assert_int_equal(put_row(st, STORE_MERCHANT, id, ext, 0, NULL, NULL, NULL,
				 json_pack("{s:s, s:s}", "object", "merchant", "id", id), &e),
			 RC_OK);
}

static void put_consumer(struct store *st, const char *id, const char *ext)
{
	struct err e;

	assert_int_equal(put_row(st, STORE_CONSUMER, id, ext, 0, NULL, NULL, NULL,
				 json_pack("{s:s, s:s}", "object", "consumer", "id", id), &e),
			 RC_OK);
}

static void put_listing(struct store *st, const char *id, const char *ext, int64_t version,
			const char *mer, const char *title)
{
	struct err e;

	assert_int_equal(put_row(st, STORE_LISTING, id, ext, version, mer, NULL, NULL,
				 json_pack("{s:s, s:s, s:I, s:s, s:s}", "object", "listing",
					   "id", id, "version", (json_int_t)version,
					   "merchant", mer, "title", title),
				 &e),
			 RC_OK);
}

/* An order of one item: version `version` of listing `lst`. */
static void put_order(struct store *st, const char *id, const char *ext, const char *mer,
		      const char *cus, const char *lst, int64_t version)
{
	struct err e;

	assert_int_equal(put_row(st, STORE_ORDER, id, ext, 0, mer, cus, NULL,
				 json_pack("{s:s, s:s, s:[{s:s, s:I}]}", "object", "order",
					   "id", id, "items", "listing", lst,
					   "listing_version", (json_int_t)version),
				 &e),
			 RC_OK);
}

static void put_child(struct store *st, enum store_kind kind, const char *id, const char *ord)
{
	struct err e;

	assert_int_equal(put_row(st, kind, id, NULL, 0, NULL, NULL, ord,
				 json_pack("{s:s, s:s}", "id", id, "order", ord), &e),
			 RC_OK);
}

static int64_t count(struct store *st, enum store_kind kind)
{
	struct err e;
	int64_t n = -1;

	assert_int_equal(store_count(st, kind, &n, &e), RC_OK);
	return n;
}

/* The "id" of a body; borrowed. */
static const char *body_id(json_t *body)
{
	return json_string_value(json_object_get(body, "id"));
}

/* A hex digest made of one repeated character (distinct test digests). */
static void digest_of(char out[65], char c)
{
	memset(out, c, 64);
	out[64] = '\0';
}

/* ---- opening and schema ---- */

static void open_with_create_on_existing_path_is_conflict(void **state)
{
	struct store_fixture f;
	struct store *st = (struct store *)1;
	struct err e;
	int fd;

	(void)state;
	store_fixture_dir(&f);
	fd = open(f.path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	err_clear(&e);
	assert_int_equal(store_open(f.path, 1, &st, &e), RC_CONFLICT);
	assert_null(st);
	assert_int_equal(e.rc, RC_CONFLICT);
	unlink(f.path);
	rmdir(f.dir);
}

static void open_without_create_on_missing_path_is_notfound(void **state)
{
	struct store_fixture f;
	struct store *st = (struct store *)1;
	struct err e;

	(void)state;
	store_fixture_dir(&f);
	err_clear(&e);
	assert_int_equal(store_open(f.path, 0, &st, &e), RC_NOTFOUND);
	assert_null(st);
	assert_int_equal(access(f.path, F_OK), -1); /* nothing was created */
	rmdir(f.dir);
}

/* A PostgreSQL URL chooses a backend not built yet: RC_UNSUPPORTED, and no file appears. */
/* A postgres:// URL is the PostgreSQL backend: a password in it is refused, no file is made. */
static void open_postgres_url_is_the_postgresql_backend(void **state)
{
	struct store *st = (struct store *)1;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(store_open("postgres://u:s3cret@localhost/disputed", 1, &st, &e), RC_INVAL);
	assert_null(st);
	assert_string_equal(e.code, "password_in_url");
	assert_null(strstr(e.message, "s3cret"));
	err_clear(&e);
	assert_int_equal(store_open("postgresql://nobody@127.0.0.1:1/nothing", 0, &st, &e), RC_DB);
	assert_null(st);
	assert_string_equal(e.code, "database_unavailable");
	assert_int_equal(access("postgres:", F_OK), -1);
	assert_int_equal(access("postgresql:", F_OK), -1);
}

/* "sqlite:PATH" is the SQLite file at PATH, the same as PATH alone. */
static void open_sqlite_scheme_is_the_file_at_its_path(void **state)
{
	struct store_fixture f;
	char url[160];
	struct store *st = NULL;
	struct err e;

	(void)state;
	store_fixture_dir(&f);
	snprintf(url, sizeof(url), "sqlite:%s", f.path);
	err_clear(&e);
	assert_int_equal(store_open(url, 1, &st, &e), RC_OK);
	assert_int_equal(access(f.path, F_OK), 0);
	assert_string_equal(STORE_OPS(st)->name, "sqlite");
	store_close(st);
	assert_int_equal(store_open(f.path, 0, &st, &e), RC_OK);
	assert_int_equal(store_schema_version(st), (int)store_migration_count());
	store_close(st);
	nftw(f.dir, store_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Every pointer-sized member of a backend's table is set (a NULL one would crash its caller). */
static void assert_table_filled(const void *table, size_t size)
{
	const unsigned char *p = table;
	uintptr_t v;
	size_t i;

	assert_int_equal(size % sizeof(v), 0);
	for (i = 0; i < size; i += sizeof(v)) {
		memcpy(&v, p + i, sizeof(v));
		assert_true(v != 0);
	}
}

/* The SQLite backend fills in every member of every table of the interface. */
static void sqlite_backend_fills_every_member_of_its_tables(void **state)
{
	const struct store_ops *o = &store_sqlite_ops;

	(void)state;
	assert_table_filled(o, sizeof(*o));
	assert_table_filled(o->access, sizeof(*o->access));
	assert_table_filled(o->records, sizeof(*o->records));
	assert_table_filled(o->seals, sizeof(*o->seals));
	assert_table_filled(o->disputes, sizeof(*o->disputes));
	assert_table_filled(o->funds, sizeof(*o->funds));
	assert_table_filled(o->disclosures, sizeof(*o->disclosures));
	assert_table_filled(o->webhooks, sizeof(*o->webhooks));
	assert_table_filled(o->risk, sizeof(*o->risk));
	assert_table_filled(o->consumer_flags, sizeof(*o->consumer_flags));
	assert_table_filled(o->retention, sizeof(*o->retention));
}

/* PRAGMA `pragma` of the database file, read over a connection of our own. */
static char *file_pragma(const char *path, const char *pragma)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char sql[64], *v = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA %s", pragma);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void migrations_reach_latest_version_and_reopen_is_noop(void **state)
{
	struct store_fixture *f = *state;
	char want[16], *got;
	json_t *body = NULL;
	struct err e;

	snprintf(want, sizeof(want), "%zu", store_migration_count());
	assert_true(store_migration_count() >= 1);
	assert_int_equal(store_schema_version(f->st), (int)store_migration_count());
	got = file_pragma(f->path, "user_version");
	assert_string_equal(got, want);
	free(got);

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	commit(f->st);
	store_close(f->st);
	f->st = NULL;

	assert_int_equal(store_open(f->path, 0, &f->st, &e), RC_OK);
	assert_int_equal(store_schema_version(f->st), (int)store_migration_count());
	got = file_pragma(f->path, "user_version");
	assert_string_equal(got, want);
	free(got);
	begin(f->st);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &body, &e), RC_OK);
	assert_string_equal(body_id(body), "mer_000000000000000000000001");
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	commit(f->st);
	json_decref(body);
}

static void wal_mode_is_on(void **state)
{
	struct store_fixture *f = *state;
	char *mode = file_pragma(f->path, "journal_mode");

	assert_string_equal(mode, "wal");
	free(mode);
}

static void order_with_unknown_merchant_is_refused_by_foreign_key(void **state)
{
	struct store_fixture *f = *state;
	struct err e;
	int rc;

	begin(f->st);
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	rc = put_row(f->st, STORE_ORDER, "ord_000000000000000000000001", NULL, 0,
		     "mer_00000000000000000000dead", "cus_000000000000000000000001", NULL,
		     json_pack("{s:s, s:[]}", "id", "ord_000000000000000000000001", "items"), &e);
	assert_int_not_equal(rc, RC_OK);
	/* a failed statement fails the transaction (PostgreSQL reads no more in it) */
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	begin(f->st);
	assert_int_equal(count(f->st, STORE_ORDER), 0);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

static void commit_after_failed_statement_rolls_back_everything(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	assert_int_not_equal(put_row(f->st, STORE_ORDER, "ord_000000000000000000000001", NULL, 0,
				     "mer_00000000000000000000dead",
				     "cus_000000000000000000000001", NULL,
				     json_pack("{s:[]}", "items"), &e),
			     RC_OK);
	err_clear(&e);
	assert_int_equal(store_end(f->st, 1, &e), RC_DB);
	begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 0);
	assert_int_equal(count(f->st, STORE_CONSUMER), 0);
	commit(f->st);
}

/* ---- records ---- */

static void put_then_get_by_id_and_by_external_id(void **state)
{
	struct store_fixture *f = *state;
	json_t *a = NULL, *b = NULL;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	put_merchant(f->st, "mer_000000000000000000000002", NULL);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "mer_000000000000000000000001", &a, &e),
			 RC_OK);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &b, &e), RC_OK);
	assert_true(json_equal(a, b));
	assert_string_equal(json_string_value(json_object_get(a, "object")), "merchant");
	assert_string_equal(body_id(a), "mer_000000000000000000000001");
	json_decref(a);
	json_decref(b);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "mer_000000000000000000000002", &a, &e),
			 RC_OK);
	assert_string_equal(body_id(a), "mer_000000000000000000000002");
	json_decref(a);
	err_clear(&e);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-2", &a, &e), RC_NOTFOUND);
	assert_null(a);
	assert_int_equal(e.rc, RC_NOTFOUND);
	/* A record of one kind is not found as another. */
	assert_int_equal(store_get(f->st, STORE_CONSUMER, "m-1", &a, &e), RC_NOTFOUND);
	commit(f->st);
}

static void duplicate_external_id_is_conflict(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = NULL;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	assert_int_equal(put_row(f->st, STORE_MERCHANT, "mer_000000000000000000000002", "m-1", 0,
				 NULL, NULL, NULL, json_pack("{s:s}", "object", "merchant"), &e),
			 RC_CONFLICT);
	assert_int_equal(e.rc, RC_CONFLICT);
	assert_string_equal(e.code, "duplicate_external_id");
	assert_string_equal(e.param, "external_id");
	/* The conflict does not spoil the transaction: the first row commits. */
	commit(f->st);
	begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &body, &e), RC_OK);
	assert_string_equal(body_id(body), "mer_000000000000000000000001");
	commit(f->st);
	json_decref(body);
}

static void get_returns_newest_listing_version_and_each_version_is_kept(void **state)
{
	struct store_fixture *f = *state;
	const char *lst = "lst_000000000000000000000001";
	json_t *body = NULL, *items = NULL;
	int64_t next = -1;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", NULL);
	put_listing(f->st, lst, "sku-1", 1, "mer_000000000000000000000001", "first");
	put_listing(f->st, lst, "sku-1", 2, "mer_000000000000000000000001", "second");

	assert_int_equal(store_get(f->st, STORE_LISTING, lst, &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "title")), "second");
	json_decref(body);
	assert_int_equal(store_get(f->st, STORE_LISTING, "sku-1", &body, &e), RC_OK);
	assert_int_equal(json_integer_value(json_object_get(body, "version")), 2);
	json_decref(body);

	assert_int_equal(store_listing_version(f->st, lst, 1, &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "title")), "first");
	json_decref(body);
	assert_int_equal(store_listing_version(f->st, lst, 2, &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "title")), "second");
	json_decref(body);
	assert_int_equal(store_listing_version(f->st, lst, 3, &body, &e), RC_NOTFOUND);
	assert_null(body);

	/* A list shows the listing once, by its newest version. */
	assert_int_equal(store_list(f->st, STORE_LISTING, NULL, 0, 10, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title")),
			    "second");
	assert_int_equal(next, 0);
	json_decref(items);
	assert_int_equal(count(f->st, STORE_LISTING), 2);
	commit(f->st);
}

static void list_pages_walk_every_row_once(void **state)
{
	struct store_fixture *f = *state;
	char id[ID_MAX], seen[5][ID_MAX];
	json_t *items = NULL, *it;
	int64_t after = 0, next = -1;
	int pages = 0, n = 0, i, k;
	size_t j;
	struct err e;

	begin(f->st);
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "mer_00000000000000000000000%c", (char)('0' + i));
		put_merchant(f->st, id, NULL);
	}
	do {
		assert_int_equal(store_list(f->st, STORE_MERCHANT, NULL, after, 2, &items, &next,
					    &e),
				 RC_OK);
		assert_true(json_array_size(items) <= 2);
		assert_true(json_array_size(items) >= 1);
		json_array_foreach(items, j, it) {
			for (k = 0; k < n; k++)
				assert_string_not_equal(seen[k], body_id(it));
			assert_true(n < 5);
			snprintf(seen[n++], ID_MAX, "%s", body_id(it));
		}
		json_decref(items);
		after = next;
		pages++;
	} while (next != 0 && pages < 10);
	assert_int_equal(pages, 3);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++) { /* oldest first */
		snprintf(id, sizeof(id), "mer_00000000000000000000000%c", (char)('0' + i));
		assert_string_equal(seen[i], id);
	}

	/* A page that ends exactly at the last row says there is nothing more. */
	assert_int_equal(store_list(f->st, STORE_MERCHANT, NULL, 0, 5, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 5);
	assert_int_equal(next, 0);
	json_decref(items);
	commit(f->st);
}

/* The ids of a store_list result, joined by spaces, into `out`. */
static void list_ids(struct store *st, enum store_kind kind, const struct store_filter *flt,
		     char *out, size_t n)
{
	json_t *items = NULL, *it;
	int64_t next = -1;
	struct err e;
	size_t i;

	assert_int_equal(store_list(st, kind, flt, 0, 100, &items, &next, &e), RC_OK);
	assert_int_equal(next, 0);
	out[0] = '\0';
	json_array_foreach(items, i, it) {
		size_t used = strlen(out);

		snprintf(out + used, n - used, "%s%s", i ? " " : "", body_id(it));
	}
	json_decref(items);
}

static void list_filters_by_merchant_consumer_and_order(void **state)
{
	struct store_fixture *f = *state;
	const char *m1 = "mer_000000000000000000000001", *m2 = "mer_000000000000000000000002";
	const char *c1 = "cus_000000000000000000000001", *c2 = "cus_000000000000000000000002";
	const char *l1 = "lst_000000000000000000000001", *l2 = "lst_000000000000000000000002";
	struct store_filter flt;
	char got[512];

	begin(f->st);
	put_merchant(f->st, m1, NULL);
	put_merchant(f->st, m2, NULL);
	put_consumer(f->st, c1, "c-1");
	put_consumer(f->st, c2, "c-2");
	put_listing(f->st, l1, NULL, 1, m1, "one");
	put_listing(f->st, l2, NULL, 1, m2, "two");
	put_order(f->st, "ord_000000000000000000000001", NULL, m1, c1, l1, 1);
	put_order(f->st, "ord_000000000000000000000002", NULL, m2, c1, l2, 1);
	put_order(f->st, "ord_000000000000000000000003", NULL, m1, c2, l1, 1);
	put_child(f->st, STORE_LOGISTICS, "lge_000000000000000000000001",
		  "ord_000000000000000000000001");
	put_child(f->st, STORE_LOGISTICS, "lge_000000000000000000000002",
		  "ord_000000000000000000000002");
	put_child(f->st, STORE_MESSAGE, "msg_000000000000000000000001",
		  "ord_000000000000000000000003");

	memset(&flt, 0, sizeof(flt));
	list_ids(f->st, STORE_ORDER, &flt, got, sizeof(got));
	assert_string_equal(got, "ord_000000000000000000000001 ord_000000000000000000000002 "
				 "ord_000000000000000000000003");
	flt.merchant_id = m1;
	list_ids(f->st, STORE_ORDER, &flt, got, sizeof(got));
	assert_string_equal(got, "ord_000000000000000000000001 ord_000000000000000000000003");
	flt.consumer_id = c1;
	list_ids(f->st, STORE_ORDER, &flt, got, sizeof(got));
	assert_string_equal(got, "ord_000000000000000000000001");
	flt.merchant_id = NULL;
	list_ids(f->st, STORE_ORDER, &flt, got, sizeof(got));
	assert_string_equal(got, "ord_000000000000000000000001 ord_000000000000000000000002");

	memset(&flt, 0, sizeof(flt));
	flt.merchant_id = m2;
	list_ids(f->st, STORE_LISTING, &flt, got, sizeof(got));
	assert_string_equal(got, l2);

	memset(&flt, 0, sizeof(flt));
	flt.order_id = "ord_000000000000000000000002";
	list_ids(f->st, STORE_LOGISTICS, &flt, got, sizeof(got));
	assert_string_equal(got, "lge_000000000000000000000002");
	list_ids(f->st, STORE_MESSAGE, &flt, got, sizeof(got));
	assert_string_equal(got, "");
	flt.order_id = "ord_000000000000000000000003";
	list_ids(f->st, STORE_MESSAGE, &flt, got, sizeof(got));
	assert_string_equal(got, "msg_000000000000000000000001");
	commit(f->st);
}

static void rolled_back_put_is_not_visible(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = NULL;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	begin(f->st);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &body, &e), RC_NOTFOUND);
	assert_int_equal(count(f->st, STORE_MERCHANT), 0);
	/* The external id is free again. */
	put_merchant(f->st, "mer_000000000000000000000002", "m-1");
	commit(f->st);
}

static void replace_updates_consumer_body(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = NULL;
	struct err e;

	begin(f->st);
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	body = json_pack("{s:s, s:s}", "id", "cus_000000000000000000000001", "name", "new");
	assert_int_equal(store_replace(f->st, STORE_CONSUMER, "cus_000000000000000000000001",
				       body, &e),
			 RC_OK);
	json_decref(body);
	assert_int_equal(store_get(f->st, STORE_CONSUMER, "c-1", &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "name")), "new");
	json_decref(body);
	commit(f->st);
}

static void meta_set_then_get_and_overwrite(void **state)
{
	struct store_fixture *f = *state;
	char *v = NULL;
	struct err e;

	begin(f->st);
	assert_int_equal(store_meta_get(f->st, "origin", &v, &e), RC_NOTFOUND);
	assert_null(v);
	assert_int_equal(store_meta_set(f->st, "origin", "a", &e), RC_OK);
	assert_int_equal(store_meta_set(f->st, "origin", "b", &e), RC_OK);
	assert_int_equal(store_meta_get(f->st, "origin", &v, &e), RC_OK);
	assert_string_equal(v, "b");
	free(v);
	commit(f->st);
}

/* ---- keys and tokens ---- */

static void auth_lookup_finds_live_key_by_hash(void **state)
{
	struct store_fixture *f = *state;
	char hash[65], other[65];
	struct principal p;
	json_t *keys = NULL;
	struct err e;

	token_hash("dsk_secret", hash);
	token_hash("dsk_other", other);
	begin(f->st);
	assert_int_equal(store_key_insert(f->st, "key_000000000000000000000001", "platform",
					  "shop", hash, 1000, &e),
			 RC_OK);
	assert_int_equal(store_auth_lookup(f->st, hash, 2000, &p, &e), RC_OK);
	assert_string_equal(p.via, "key");
	assert_string_equal(p.id, "key_000000000000000000000001");
	assert_string_equal(p.role, "platform");
	assert_string_equal(p.subject, "shop");
	assert_int_equal(p.expires_at, 0);
	err_clear(&e);
	assert_int_equal(store_auth_lookup(f->st, other, 2000, &p, &e), RC_UNAUTH);
	assert_int_equal(e.rc, RC_UNAUTH);

	assert_int_equal(store_key_list(f->st, &keys, &e), RC_OK);
	assert_int_equal(json_array_size(keys), 1);
	assert_true(json_is_null(json_object_get(json_array_get(keys, 0), "revoked_at")));
	json_decref(keys);
	commit(f->st);
}

static void revoked_key_is_unauth_and_second_revoke_conflicts(void **state)
{
	struct store_fixture *f = *state;
	char hash[65];
	struct principal p;
	json_t *keys = NULL;
	struct err e;

	token_hash("dsk_secret", hash);
	begin(f->st);
	assert_int_equal(store_key_insert(f->st, "key_000000000000000000000001", "platform",
					  "shop", hash, 1000, &e),
			 RC_OK);
	assert_int_equal(store_key_revoke(f->st, "key_000000000000000000000001", 1500, &e),
			 RC_OK);
	assert_int_equal(store_auth_lookup(f->st, hash, 2000, &p, &e), RC_UNAUTH);
	err_clear(&e);
	assert_int_equal(store_key_revoke(f->st, "key_000000000000000000000001", 1600, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "already_revoked");
	err_clear(&e);
	assert_int_equal(store_key_revoke(f->st, "key_00000000000000000000dead", 1600, &e),
			 RC_NOTFOUND);
	assert_int_equal(store_key_list(f->st, &keys, &e), RC_OK);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(keys, 0),
							     "revoked_at")),
			 1500);
	json_decref(keys);
	commit(f->st);
}

static void token_is_live_until_expiry_and_revocable_once(void **state)
{
	struct store_fixture *f = *state;
	char hash[65];
	struct principal p;
	struct err e;

	token_hash("dtk_secret", hash);
	begin(f->st);
	assert_int_equal(store_token_insert(f->st, "tok_000000000000000000000001", "consumer",
					    "cus_000000000000000000000001", hash,
					    "key_000000000000000000000001", 1000, 5000, &e),
			 RC_OK);
	assert_int_equal(store_auth_lookup(f->st, hash, 4999, &p, &e), RC_OK);
	assert_string_equal(p.via, "token");
	assert_string_equal(p.id, "tok_000000000000000000000001");
	assert_string_equal(p.role, "consumer");
	assert_string_equal(p.subject, "cus_000000000000000000000001");
	assert_int_equal(p.expires_at, 5000);
	assert_int_equal(store_auth_lookup(f->st, hash, 5000, &p, &e), RC_UNAUTH);
	assert_int_equal(store_auth_lookup(f->st, hash, 9000, &p, &e), RC_UNAUTH);

	assert_int_equal(store_token_revoke(f->st, "tok_000000000000000000000001", 2000, &e),
			 RC_OK);
	assert_int_equal(store_auth_lookup(f->st, hash, 3000, &p, &e), RC_UNAUTH);
	assert_int_equal(store_token_revoke(f->st, "tok_000000000000000000000001", 2000, &e),
			 RC_CONFLICT);
	assert_int_equal(store_token_revoke(f->st, "tok_00000000000000000000dead", 2000, &e),
			 RC_NOTFOUND);
	/* A key id is not revoked through the token table. */
	assert_int_equal(store_token_revoke(f->st, "key_000000000000000000000001", 2000, &e),
			 RC_NOTFOUND);
	commit(f->st);
}

/* ---- idempotency and audit ---- */

static void idempotency_record_round_trips(void **state)
{
	struct store_fixture *f = *state;
	char hash[65], want[65], *resp = NULL;
	int status = 0;
	struct err e;

	sha256_hex("body", 4, want);
	begin(f->st);
	assert_int_equal(store_idem_get(f->st, "key_1", "k1", hash, &status, &resp, &e),
			 RC_NOTFOUND);
	assert_null(resp);
	assert_int_equal(store_idem_put(f->st, "key_1", "k1", want, 201, "{\"id\":\"x\"}", 1000,
					&e),
			 RC_OK);
	assert_int_equal(store_idem_get(f->st, "key_1", "k1", hash, &status, &resp, &e), RC_OK);
	assert_string_equal(hash, want);
	assert_int_equal(status, 201);
	assert_string_equal(resp, "{\"id\":\"x\"}");
	free(resp);
	resp = NULL;
	/* Keys are per principal. */
	assert_int_equal(store_idem_get(f->st, "key_2", "k1", hash, &status, &resp, &e),
			 RC_NOTFOUND);
	assert_int_equal(store_idem_put(f->st, "key_1", "k1", want, 200, "{}", 1000, &e),
			 RC_CONFLICT);
	commit(f->st);
}

static void audit_entries_list_oldest_first_in_pages(void **state)
{
	struct store_fixture *f = *state;
	struct principal p;
	json_t *items = NULL, *a;
	int64_t next = -1;
	struct err e;
	int i;

	memset(&p, 0, sizeof(p));
	snprintf(p.role, sizeof(p.role), "agent");
	snprintf(p.id, sizeof(p.id), "key_000000000000000000000001");
	snprintf(p.subject, sizeof(p.subject), "helpdesk");
	begin(f->st);
	for (i = 0; i < 3; i++)
		assert_int_equal(store_audit_add(f->st, 1000 + i, &p,
						 i == 2 ? "cus_000000000000000000000002"
							: "cus_000000000000000000000001",
						 "phone", "GET /v1/consumers/{id}", &e),
				 RC_OK);
	assert_int_equal(store_audit_list(f->st, 0, 2, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 2);
	assert_int_not_equal(next, 0);
	a = json_array_get(items, 0);
	assert_string_equal(json_string_value(json_object_get(a, "object")), "audit_event");
	assert_int_equal(json_integer_value(json_object_get(a, "at")), 1000);
	assert_string_equal(json_string_value(json_object_get(a, "object_id")),
			    "cus_000000000000000000000001");
	assert_string_equal(json_string_value(json_object_get(a, "fields")), "phone");
	assert_string_equal(json_string_value(json_object_get(a, "route")),
			    "GET /v1/consumers/{id}");
	a = json_object_get(a, "actor");
	assert_string_equal(json_string_value(json_object_get(a, "role")), "agent");
	assert_string_equal(json_string_value(json_object_get(a, "id")),
			    "key_000000000000000000000001");
	assert_string_equal(json_string_value(json_object_get(a, "subject")), "helpdesk");
	json_decref(items);

	assert_int_equal(store_audit_list(f->st, next, 2, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(next, 0);
	a = json_array_get(items, 0);
	assert_int_equal(json_integer_value(json_object_get(a, "at")), 1002);
	assert_string_equal(json_string_value(json_object_get(a, "object_id")),
			    "cus_000000000000000000000002");
	json_decref(items);
	commit(f->st);
}

/* ---- blobs ---- */

static void blob_put_then_get_and_put_again_keeps_first(void **state)
{
	struct store_fixture *f = *state;
	char d[65], id[80];
	json_t *meta = NULL;
	struct err e;

	digest_of(d, 'a');
	snprintf(id, sizeof(id), "sha256:%s", d);
	begin(f->st);
	assert_int_equal(store_blob_get(f->st, d, &meta, &e), RC_NOTFOUND);
	assert_null(meta);
	assert_int_equal(store_blob_put(f->st, d, 42, "image/png", 1000, &e), RC_OK);
	assert_int_equal(store_blob_put(f->st, d, 42, "image/png", 2000, &e), RC_OK);
	assert_int_equal(store_blob_get(f->st, d, &meta, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(meta, "object")), "blob");
	assert_string_equal(json_string_value(json_object_get(meta, "id")), id);
	assert_int_equal(json_integer_value(json_object_get(meta, "size")), 42);
	assert_string_equal(json_string_value(json_object_get(meta, "content_type")), "image/png");
	assert_int_equal(json_integer_value(json_object_get(meta, "created_at")), 1000);
	json_decref(meta);
	commit(f->st);
}

/* Whether the merchant or consumer (either may be NULL) may see the blob. */
static int visible(struct store *st, const char *digest, const char *mer, const char *cus)
{
	struct err e;
	int yes = -1;

	assert_int_equal(store_blob_visible(st, digest, mer, cus, &yes, &e), RC_OK);
	return yes;
}

static void blob_visible_to_owners_and_buyers_only(void **state)
{
	struct store_fixture *f = *state;
	const char *m1 = "mer_000000000000000000000001", *m2 = "mer_000000000000000000000002";
	const char *c1 = "cus_000000000000000000000001", *c2 = "cus_000000000000000000000002";
	const char *l1 = "lst_000000000000000000000001", *l2 = "lst_000000000000000000000002";
	const char *o1 = "ord_000000000000000000000001";
	const char *g1 = "msg_000000000000000000000001";
	char licence[65], image[65], other_image[65], attachment[65], loose[65];
	struct err e;

	digest_of(licence, '1');
	digest_of(image, '2');
	digest_of(other_image, '3');
	digest_of(attachment, '4');
	digest_of(loose, '5');
	begin(f->st);
	assert_int_equal(store_blob_put(f->st, licence, 1, "image/png", 1, &e), RC_OK);
	assert_int_equal(store_blob_put(f->st, image, 1, "image/png", 1, &e), RC_OK);
	assert_int_equal(store_blob_put(f->st, other_image, 1, "image/png", 1, &e), RC_OK);
	assert_int_equal(store_blob_put(f->st, attachment, 1, "image/png", 1, &e), RC_OK);
	assert_int_equal(store_blob_put(f->st, loose, 1, "image/png", 1, &e), RC_OK);
	put_merchant(f->st, m1, NULL);
	put_merchant(f->st, m2, NULL);
	put_consumer(f->st, c1, "c-1");
	put_consumer(f->st, c2, "c-2");
	put_listing(f->st, l1, NULL, 1, m1, "one");
	put_listing(f->st, l2, NULL, 1, m2, "two");
	put_order(f->st, o1, NULL, m1, c1, l1, 1);
	put_order(f->st, "ord_000000000000000000000002", NULL, m2, c2, l2, 1);
	put_child(f->st, STORE_MESSAGE, g1, o1);
	assert_int_equal(store_blob_ref(f->st, licence, STORE_MERCHANT, m1, &e), RC_OK);
	assert_int_equal(store_blob_ref(f->st, image, STORE_LISTING, l1, &e), RC_OK);
	assert_int_equal(store_blob_ref(f->st, other_image, STORE_LISTING, l2, &e), RC_OK);
	assert_int_equal(store_blob_ref(f->st, attachment, STORE_MESSAGE, g1, &e), RC_OK);
	assert_int_equal(store_blob_ref(f->st, attachment, STORE_MESSAGE, g1, &e), RC_OK);

	/* The merchant: its licence, its listings' images, its orders' attachments. */
	assert_true(visible(f->st, licence, m1, NULL));
	assert_true(visible(f->st, image, m1, NULL));
	assert_true(visible(f->st, attachment, m1, NULL));
	assert_false(visible(f->st, other_image, m1, NULL));
	assert_false(visible(f->st, loose, m1, NULL));
	/* Another merchant sees none of those. */
	assert_false(visible(f->st, licence, m2, NULL));
	assert_false(visible(f->st, image, m2, NULL));
	assert_false(visible(f->st, attachment, m2, NULL));
	assert_true(visible(f->st, other_image, m2, NULL));

	/* The buyer: images of listings they ordered, attachments of their orders. */
	assert_true(visible(f->st, image, NULL, c1));
	assert_true(visible(f->st, attachment, NULL, c1));
	assert_false(visible(f->st, licence, NULL, c1));
	assert_false(visible(f->st, other_image, NULL, c1));
	assert_false(visible(f->st, loose, NULL, c1));
	/* Another consumer sees none of them. */
	assert_false(visible(f->st, image, NULL, c2));
	assert_false(visible(f->st, attachment, NULL, c2));
	assert_false(visible(f->st, licence, NULL, c2));
	assert_true(visible(f->st, other_image, NULL, c2));
	/* Nobody at all sees nothing. */
	assert_false(visible(f->st, licence, NULL, NULL));
	assert_false(visible(f->st, image, NULL, NULL));
	commit(f->st);
}

static void consumer_has_merchant_and_listing_only_through_own_orders(void **state)
{
	struct store_fixture *f = *state;
	const char *m1 = "mer_000000000000000000000001", *m2 = "mer_000000000000000000000002";
	const char *c1 = "cus_000000000000000000000001", *c2 = "cus_000000000000000000000002";
	const char *l1 = "lst_000000000000000000000001", *l2 = "lst_000000000000000000000002";
	struct err e;
	int yes = -1;

	begin(f->st);
	put_merchant(f->st, m1, NULL);
	put_merchant(f->st, m2, NULL);
	put_consumer(f->st, c1, "c-1");
	put_consumer(f->st, c2, "c-2");
	put_listing(f->st, l1, NULL, 1, m1, "one v1");
	put_listing(f->st, l1, NULL, 2, m1, "one v2");
	put_listing(f->st, l2, NULL, 1, m2, "two");
	put_order(f->st, "ord_000000000000000000000001", NULL, m1, c1, l1, 1);

	assert_int_equal(store_consumer_has_merchant(f->st, c1, m1, &yes, &e), RC_OK);
	assert_true(yes);
	assert_int_equal(store_consumer_has_merchant(f->st, c1, m2, &yes, &e), RC_OK);
	assert_false(yes);
	assert_int_equal(store_consumer_has_merchant(f->st, c2, m1, &yes, &e), RC_OK);
	assert_false(yes);
	/* Having ordered version 1 counts for the listing, whatever its newest version. */
	assert_int_equal(store_consumer_has_listing(f->st, c1, l1, &yes, &e), RC_OK);
	assert_true(yes);
	assert_int_equal(store_consumer_has_listing(f->st, c1, l2, &yes, &e), RC_OK);
	assert_false(yes);
	assert_int_equal(store_consumer_has_listing(f->st, c2, l1, &yes, &e), RC_OK);
	assert_false(yes);
	commit(f->st);
}

static void order_item_naming_missing_listing_version_is_refused(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", NULL);
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	put_listing(f->st, "lst_000000000000000000000001", NULL, 1,
		    "mer_000000000000000000000001", "one");
	assert_int_not_equal(
		put_row(f->st, STORE_ORDER, "ord_000000000000000000000001", NULL, 0,
			"mer_000000000000000000000001", "cus_000000000000000000000001", NULL,
			json_pack("{s:[{s:s, s:i}]}", "items", "listing",
				  "lst_000000000000000000000001", "listing_version", 7),
			&e),
		RC_OK);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

/* store_record_each: note each merchant version walked, as "id@seal_version". */
static int walk_merchants(void *ctx, const struct store_record_ref *r)
{
	json_t *seen = ctx;

	if (strcmp(r->kind, "merchant") == 0)
		json_array_append_new(seen, json_sprintf("%s@%lld", r->id, (long long)r->version));
	return 0;
}

static void merchant_versions_keep_the_old_and_serve_the_current(void **state)
{
	struct store_fixture *f = *state;
	const char *id = "mer_000000000000000000000001";
	json_t *body = NULL, *v2, *v4, *seen = json_array(), *items = NULL;
	int64_t next = 0;
	struct err e;

	begin(f->st);
	/* recorded before merchants had versions: no "version", no verified_at column */
	put_merchant(f->st, id, "m-1");
	put_merchant(f->st, "mer_000000000000000000000002", "m-2");
	assert_int_equal(store_merchant_verified(f->st, "mer_000000000000000000000002",
						 1800000000000, &e), RC_OK);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, id, &body, &e), RC_OK);
	assert_int_equal(store_merchant_version_of(body), 1);
	json_decref(body);
	assert_int_equal(store_merchant_version(f->st, id, 1, &body, &e), RC_OK);
	json_decref(body);

	v2 = json_pack("{s:s, s:s, s:i, s:s}", "object", "merchant", "id", id, "version", 2,
		       "legal_name", "new");
	v4 = json_pack("{s:s, s:s, s:i}", "object", "merchant", "id", id, "version", 4);
	/* only the next version may follow */
	assert_int_equal(store_merchant_update(f->st, id, v4, 1, 2, &e), RC_CONFLICT);
	assert_string_equal(e.code, "version_conflict");
	assert_int_equal(store_merchant_update(f->st, id, v2, 1750000000000, 1750000000000, &e),
			 RC_OK);
	assert_int_equal(store_merchant_update(f->st, "mer_000000000000000000000009", v2, 1, 2,
					       &e), RC_NOTFOUND);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "legal_name")), "new");
	json_decref(body);
	assert_int_equal(store_merchant_version(f->st, id, 1, &body, &e), RC_OK);
	assert_null(json_object_get(body, "legal_name"));
	json_decref(body);
	assert_int_equal(store_merchant_version(f->st, id, 2, &body, &e), RC_OK);
	json_decref(body);
	assert_int_equal(store_merchant_version(f->st, id, 3, &body, &e), RC_NOTFOUND);
	assert_null(body);

	/* the walk holds each version once, by its seal's version (seals: SQLite only so far) */
	if (!on_pg(f)) {
		assert_int_equal(store_record_each(f->st, walk_merchants, seen, &e), RC_OK);
		assert_int_equal(json_array_size(seen), 3);
		assert_string_equal(json_string_value(json_array_get(seen, 0)),
				    "mer_000000000000000000000001@2");
		assert_string_equal(json_string_value(json_array_get(seen, 1)),
				    "mer_000000000000000000000002@0");
		assert_string_equal(json_string_value(json_array_get(seen, 2)),
				    "mer_000000000000000000000001@0");
	}

	/* last verified before 1.76e12: the first (1.75e12), not the second (1.8e12) */
	assert_int_equal(store_merchant_unverified(f->st, 1760000000000, 0, 10, &items, &next, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0),
							    "verified_at")), 1750000000000);
	assert_int_equal(next, 0);
	json_decref(items);
	/* and a merchant never noted as verified counts from its first record (1.7e12) */
	assert_int_equal(store_merchant_unverified(f->st, 1900000000000, 0, 1, &items, &next, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_true(next > 0);
	json_decref(items);
	commit(f->st);
	assert_int_equal(store_merchant_seal_version(1), 0);
	assert_int_equal(store_merchant_seal_version(2), 2);
	json_decref(v2);
	json_decref(v4);
	json_decref(seen);
}

/* A reference that is one record's id and another's external_id names the first. */
static void get_prefers_the_id_over_another_records_external_id(void **state)
{
	struct store_fixture *f = *state;
	json_t *a = NULL;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	put_merchant(f->st, "mer_000000000000000000000002", "mer_000000000000000000000001");
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "mer_000000000000000000000001", &a, &e),
			 RC_OK);
	assert_string_equal(body_id(a), "mer_000000000000000000000001");
	json_decref(a);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &a, &e), RC_OK);
	assert_string_equal(body_id(a), "mer_000000000000000000000001");
	json_decref(a);
	commit(f->st);
}

/* A pending seal of `kind` `id`, at place `cseq` of order `order`'s chain ("" for none). */
static void seal_row_add(struct store *st, const char *kind, const char *id, int64_t version,
			 const char *order, int64_t cseq, const char *hash)
{
	struct store_seal row;
	int64_t seq = 0;
	struct err e;

	memset(&row, 0, sizeof(row));
	snprintf(row.kind, sizeof(row.kind), "%s", kind);
	snprintf(row.record_id, sizeof(row.record_id), "%s", id);
	snprintf(row.leaf_hash, sizeof(row.leaf_hash), "%s", hash);
	snprintf(row.chain_order, sizeof(row.chain_order), "%s", order);
	row.version = version;
	row.leaf = (unsigned char *)"leaf";
	row.leaf_len = 4;
	row.salts = "";
	row.created_at = 1;
	row.chain_seq = cseq;
	assert_int_equal(store_seal_add(st, &row, &seq, &e), RC_OK);
}

/* The light reads of a seal (what an order links, where a chain ends) agree with the full ones. */
static void seal_leaf_hash_and_chain_tip_agree_with_the_rows(void **state)
{
	struct store_fixture *f = *state;
	struct store_seal s;
	char hash[48];
	int64_t cseq = -1;
	struct err e;

	begin(f->st);
	seal_row_add(f->st, "listing", "lst_1", 1, "", -1, "L1");
	seal_row_add(f->st, "listing", "lst_1", 2, "", -1, "L2");
	seal_row_add(f->st, "order", "ord_1", 0, "ord_1", 0, "O0");
	seal_row_add(f->st, "payment", "ord_1", 0, "ord_1", 1, "P1");
	seal_row_add(f->st, "order", "ord_2", 0, "ord_2", 0, "Q0");
	assert_int_equal(store_seal_leaf_hash(f->st, "listing", "lst_1", 1, hash, &e), RC_OK);
	assert_string_equal(hash, "L1");
	assert_int_equal(store_seal_leaf_hash(f->st, "listing", "lst_1", 2, hash, &e), RC_OK);
	assert_string_equal(hash, "L2");
	assert_int_equal(store_seal_get(f->st, "listing", "lst_1", 2, &s, &e), RC_OK);
	assert_string_equal(s.leaf_hash, hash);
	store_seal_release(&s);
	assert_int_equal(store_seal_leaf_hash(f->st, "listing", "lst_1", 3, hash, &e),
			 RC_NOTFOUND);
	assert_int_equal(store_seal_chain_tip(f->st, "ord_1", &cseq, hash, &e), RC_OK);
	assert_int_equal(cseq, 1);
	assert_string_equal(hash, "P1");
	assert_int_equal(store_seal_chain_head(f->st, "ord_1", &s, &e), RC_OK);
	assert_int_equal(s.chain_seq, cseq);
	assert_string_equal(s.leaf_hash, hash);
	store_seal_release(&s);
	assert_int_equal(store_seal_chain_tip(f->st, "ord_2", &cseq, hash, &e), RC_OK);
	assert_int_equal(cseq, 0);
	assert_string_equal(hash, "Q0");
	assert_int_equal(store_seal_chain_tip(f->st, "ord_3", &cseq, hash, &e), RC_NOTFOUND);
	commit(f->st);
}

/* What an order reads of a merchant or listing it names agrees with the bodies store_get gives. */
static void ref_get_reads_the_id_version_and_merchant_without_the_body(void **state)
{
	struct store_fixture *f = *state;
	const char *lst = "lst_000000000000000000000001";
	struct store_ref ref;
	struct err e;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	assert_int_equal(put_row(f->st, STORE_MERCHANT, "mer_000000000000000000000002", "m-2", 0,
				 NULL, NULL, NULL,
				 json_pack("{s:s, s:s, s:i}", "object", "merchant", "id",
					   "mer_000000000000000000000002", "version", 3), &e),
			 RC_OK);
	put_listing(f->st, lst, "sku-1", 1, "mer_000000000000000000000001", "first");
	put_listing(f->st, lst, "sku-1", 2, "mer_000000000000000000000001", "second");

	assert_int_equal(store_ref_get(f->st, STORE_MERCHANT, "m-1", &ref, &e), RC_OK);
	assert_string_equal(ref.id, "mer_000000000000000000000001");
	assert_int_equal(ref.version, 1);   /* no version in the body: 1 */
	assert_int_equal(store_ref_get(f->st, STORE_MERCHANT, "mer_000000000000000000000002", &ref,
				       &e), RC_OK);
	assert_string_equal(ref.id, "mer_000000000000000000000002");
	assert_int_equal(ref.version, 3);
	assert_int_equal(store_ref_get(f->st, STORE_LISTING, "sku-1", &ref, &e), RC_OK);
	assert_string_equal(ref.id, lst);
	assert_int_equal(ref.version, 2);   /* the newest */
	assert_string_equal(ref.merchant_id, "mer_000000000000000000000001");
	assert_int_equal(store_ref_get(f->st, STORE_LISTING, lst, &ref, &e), RC_OK);
	assert_int_equal(ref.version, 2);
	err_clear(&e);
	assert_int_equal(store_ref_get(f->st, STORE_LISTING, "sku-2", &ref, &e), RC_NOTFOUND);
	assert_int_equal(e.rc, RC_NOTFOUND);
	assert_int_equal(store_ref_get(f->st, STORE_MERCHANT, "sku-1", &ref, &e), RC_NOTFOUND);
	commit(f->st);
}

/* ---- the rules of store.h, on each backend ---- */

/* The open store's backend fills in every member of every table of the interface. */
static void backend_fills_every_member_of_its_tables(void **state)
{
	struct store_fixture *f = *state;
	const struct store_ops *o = STORE_OPS(f->st);

	assert_string_equal(o->name, on_pg(f) ? "postgresql" : "sqlite");
	assert_table_filled(o, sizeof(*o));
	assert_table_filled(o->access, sizeof(*o->access));
	assert_table_filled(o->records, sizeof(*o->records));
	assert_table_filled(o->seals, sizeof(*o->seals));
	assert_table_filled(o->disputes, sizeof(*o->disputes));
	assert_table_filled(o->funds, sizeof(*o->funds));
	assert_table_filled(o->disclosures, sizeof(*o->disclosures));
	assert_table_filled(o->webhooks, sizeof(*o->webhooks));
	assert_table_filled(o->risk, sizeof(*o->risk));
	assert_table_filled(o->consumer_flags, sizeof(*o->consumer_flags));
	assert_table_filled(o->retention, sizeof(*o->retention));
	assert_int_equal(store_schema_version(f->st), (int)store_migration_count());
}

/* begin inside this thread's own transaction is RC_INTERNAL, not a deadlock; ending none is a no-op. */
static void nested_begin_is_internal_and_ending_nothing_is_a_noop(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	assert_int_equal(store_end(f->st, 1, &e), RC_DB);
	begin(f->st);
	assert_int_equal(store_begin(f->st, &e), RC_INTERNAL);
	assert_string_equal(e.code, "nested_transaction");
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	commit(f->st);
	begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	commit(f->st);
}

/* A failure inside a savepoint rolled back to is forgotten; kept, it rolls back and is RC_DB. */
static void savepoints_undo_alone_and_nest_to_their_bound(void **state)
{
	struct store_fixture *f = *state;
	struct err e;
	int i;

	begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	assert_int_equal(store_savepoint(f->st, &e), RC_OK);
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	assert_int_not_equal(put_row(f->st, STORE_ORDER, "ord_000000000000000000000001", NULL, 0,
				     "mer_00000000000000000000dead",
				     "cus_000000000000000000000001", NULL,
				     json_pack("{s:[]}", "items"), &e),
			     RC_OK);
	assert_int_equal(store_savepoint_end(f->st, 0, &e), RC_OK);
	/* ending a transaction inside a savepoint is refused */
	assert_int_equal(store_savepoint(f->st, &e), RC_OK);
	assert_int_equal(store_end(f->st, 1, &e), RC_INTERNAL);
	assert_int_equal(store_savepoint_end(f->st, 0, &e), RC_OK);
	for (i = 0; i < STORE_SAVEPOINT_MAX; i++)
		assert_int_equal(store_savepoint(f->st, &e), RC_OK);
	assert_int_equal(store_savepoint(f->st, &e), RC_INTERNAL);
	for (i = 0; i < STORE_SAVEPOINT_MAX; i++)
		assert_int_equal(store_savepoint_end(f->st, 1, &e), RC_OK);
	/* keeping a savepoint whose statement failed rolls it back */
	assert_int_equal(store_savepoint(f->st, &e), RC_OK);
	assert_int_not_equal(put_row(f->st, STORE_ORDER, "ord_000000000000000000000002", NULL, 0,
				     "mer_00000000000000000000dead",
				     "cus_000000000000000000000001", NULL,
				     json_pack("{s:[]}", "items"), &e),
			     RC_OK);
	assert_int_equal(store_savepoint_end(f->st, 1, &e), RC_DB);
	commit(f->st);
	begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	assert_int_equal(count(f->st, STORE_CONSUMER), 0);
	assert_int_equal(count(f->st, STORE_ORDER), 0);
	commit(f->st);
}

/* A body comes back byte for byte: member order, spacing, escapes, big integers. */
static void body_comes_back_byte_for_byte(void **state)
{
	struct store_fixture *f = *state;
	const char *text = "{\"z\":1,\"id\":\"cus_000000000000000000000001\",\"a\":\"\\u00E9\\u4E2D"
			   "\\\"q\\\"\",\"n\":9007199254740993,\"f\":0.5,\"x\":[null,true,{}]}";
	char *back;
	json_t *body = NULL;
	struct err e;

	begin(f->st);
	assert_int_equal(put_row(f->st, STORE_CONSUMER, "cus_000000000000000000000001", "c-1", 0,
				 NULL, NULL, NULL, json_loads(text, 0, NULL), &e),
			 RC_OK);
	commit(f->st);
	begin(f->st);
	assert_int_equal(store_get(f->st, STORE_CONSUMER, "c-1", &body, &e), RC_OK);
	commit(f->st);
	back = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	assert_string_equal(back, text);
	free(back);
	json_decref(body);
}

/* A reader sees what was committed; a lazy commit is committed. */
static void reader_sees_the_last_commit_and_lazy_commits(void **state)
{
	struct store_fixture *f = *state;
	struct store *rd = NULL;
	char *v = NULL;
	struct err e;

	assert_int_equal(store_open_reader(f->st, &rd, &e), RC_OK);
	begin(f->st);
	assert_int_equal(store_meta_set(f->st, "k", "one", &e), RC_OK);
	assert_int_equal(store_end_lazy(f->st, &e), RC_OK);
	assert_int_equal(store_begin_read(rd, &e), RC_OK);
	assert_int_equal(store_meta_get(rd, "k", &v, &e), RC_OK);
	assert_string_equal(v, "one");
	assert_int_equal(store_end(rd, 0, &e), RC_OK);
	free(v);
	store_close(rd);
}

/* Increments of meta "n", read then written, on a store of one's own. */
struct incr {
	const char *where;  /* path or URL */
	int times;
	int failures;       /* transactions that did not commit */
};

static void *incr_run(void *arg)
{
	struct incr *in = arg;
	struct store *st = NULL;
	struct err e;
	int i;

	if (store_open(in->where, 0, &st, &e)) {
		in->failures = in->times;
		return NULL;
	}
	for (i = 0; i < in->times; i++) {
		char *v = NULL, next[24];
		int rc = store_begin(st, &e);

		if (!rc)
			rc = store_meta_get(st, "n", &v, &e);
		if (!rc) {
			snprintf(next, sizeof(next), "%d", atoi(v) + 1);
			rc = store_meta_set(st, "n", next, &e);
		}
		free(v);
		if (store_end(st, rc == RC_OK, &e) || rc)
			in->failures++;
	}
	store_close(st);
	return NULL;
}

/* Two connections racing read-then-write transactions: every one commits, none is lost. */
static void writers_on_two_connections_lose_no_update(void **state)
{
	struct store_fixture *f = *state;
	struct incr a = {on_pg(f) ? f->url : f->path, 40, 0}, b = a;
	pthread_t ta, tb;
	char *v = NULL;
	struct err e;

	begin(f->st);
	assert_int_equal(store_meta_set(f->st, "n", "0", &e), RC_OK);
	commit(f->st);
	assert_int_equal(pthread_create(&ta, NULL, incr_run, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, incr_run, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.failures, 0);
	assert_int_equal(b.failures, 0);
	begin(f->st);
	assert_int_equal(store_meta_get(f->st, "n", &v, &e), RC_OK);
	commit(f->st);
	assert_string_equal(v, "80");
	free(v);
}

/* A connection the server ended fails its transaction; the next one connects again. */
static void lost_connection_is_regained_at_the_next_transaction(void **state)
{
	struct store_fixture *f = *state;
	char sql[256], *v = NULL;
	struct err e;

	assert_true(on_pg(f));
	begin(f->st);
	assert_int_equal(store_meta_set(f->st, "k", "before", &e), RC_OK);
	commit(f->st);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		 "WHERE datname = '%s' AND pid <> pg_backend_pid()", f->pg_name);
	{
		PGconn *c = PQconnectdb(store_test_pg());
		PGresult *r = PQexec(c, sql);

		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		PQclear(r);
		PQfinish(c);
	}
	err_clear(&e);
	/* the first use finds the connection gone: an error, never a hang or a crash */
	if (store_begin(f->st, &e) == RC_OK) {
		assert_int_not_equal(store_meta_get(f->st, "k", &v, &e), RC_OK);
		assert_int_equal(store_end(f->st, 1, &e), RC_DB);
	}
	begin(f->st);
	assert_int_equal(store_meta_get(f->st, "k", &v, &e), RC_OK);
	assert_string_equal(v, "before");
	commit(f->st);
	free(v);
}

/* On PostgreSQL, a concern not built yet says so instead of crashing or pretending. */
static void concern_not_built_is_unsupported(void **state)
{
	struct store_fixture *f = *state;
	json_t *seen = json_array();
	struct err e;

	assert_true(on_pg(f));
	begin(f->st);
	err_clear(&e);
	assert_int_equal(store_record_each(f->st, walk_merchants, seen, &e), RC_UNSUPPORTED);
	assert_string_equal(e.code, "not_on_postgresql");
	assert_non_null(strstr(e.message, "record_each"));
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	json_decref(seen);
}

/* ---- funds: the ledger's store functions on both backends ---- */

#define MER1 "mer_000000000000000000000001"

/* The account (owner, name), made if missing. */
static struct store_account account(struct store *st, const char *owner, const char *name)
{
	struct store_account a;
	struct err e;

	assert_int_equal(store_fund_account(st, owner, name, "CNY", 1, 1000, &a, &e), RC_OK);
	return a;
}

/* Append entry `id` moving `amount` from account `from` to account `to`. */
static int move(struct store *st, const char *id, const struct store_account *from,
		const struct store_account *to, int64_t amount, struct err *e)
{
	struct store_leg legs[] = {{from->seq, -amount}, {to->seq, amount}};
	json_t *body = json_pack("{s:s, s:s, s:I}", "id", id, "object", "ledger_entry", "amount",
				 (json_int_t)amount);
	int rc = store_fund_entry_insert(st, id, "credit", NULL, 2000, body, legs, 2, e);

	json_decref(body);
	return rc;
}

static int64_t balance_of(struct store *st, const char *owner, const char *name)
{
	struct store_account a;
	struct err e;

	assert_int_equal(store_fund_account(st, owner, name, "CNY", 0, 0, &a, &e), RC_OK);
	return a.balance;
}

struct walked {
	int entries, unbalanced, accounts, wrong;
};

static int walk_entry(void *ctx, const struct store_entry_check *c)
{
	struct walked *w = ctx;

	w->entries++;
	w->unbalanced += c->sum != 0 || c->legs != 2 || c->accounts != 1;
	return RC_OK;
}

static int walk_account(void *ctx, const struct store_account_check *c)
{
	struct walked *w = ctx;

	w->accounts++;
	w->wrong += c->a->balance != c->legs_sum || c->a->held != c->parts_sum;
	return RC_OK;
}

static void ledger_entries_move_balances_and_list_by_owner_in_pages(void **state)
{
	struct store_fixture *f = *state;
	struct store_account world, settle, pay, a;
	struct walked w = {0};
	struct store_fund_walk walk = {walk_entry, walk_account, NULL, NULL, NULL, &w};
	json_t *items = NULL, *body = NULL;
	char id[ID_MAX];
	int64_t next;
	struct err e;

	begin(f->st);
	put_merchant(f->st, MER1, "m-1");
	assert_int_equal(store_fund_party_id(f->st, STORE_MERCHANT, "m-1", id, &e), RC_OK);
	assert_string_equal(id, MER1);
	err_clear(&e);
	assert_int_equal(store_fund_party_id(f->st, STORE_CONSUMER, "m-1", id, &e), RC_NOTFOUND);
	assert_int_equal(store_fund_account(f->st, MER1, "settlement", "CNY", 0, 0, &a, &e),
			 RC_NOTFOUND);
	world = account(f->st, "platform", "world");
	settle = account(f->st, MER1, "settlement");
	pay = account(f->st, "cus_000000000000000000000001", "payable");
	assert_int_equal(account(f->st, MER1, "settlement").seq, settle.seq);
	assert_int_equal(move(f->st, "led_1", &world, &settle, 500, &e), RC_OK);
	assert_int_equal(move(f->st, "led_2", &settle, &pay, 200, &e), RC_OK);
	assert_int_equal(move(f->st, "led_3", &world, &settle, 100, &e), RC_OK);
	commit(f->st);

	begin(f->st);
	assert_int_equal(balance_of(f->st, MER1, "settlement"), 400);
	assert_int_equal(balance_of(f->st, "platform", "world"), -600);
	assert_int_equal(store_fund_entry_get(f->st, "led_2", &body, &e), RC_OK);
	assert_int_equal(json_integer_value(json_object_get(body, "amount")), 200);
	json_decref(body);
	assert_int_equal(store_fund_entry_get(f->st, "led_9", &body, &e), RC_NOTFOUND);
	/* the merchant's three entries, two to a page, oldest first */
	assert_int_equal(store_fund_entry_list(f->st, MER1, NULL, 0, 2, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(body_id(json_array_get(items, 0)), "led_1");
	assert_string_equal(body_id(json_array_get(items, 1)), "led_2");
	assert_true(next > 0);
	json_decref(items);
	assert_int_equal(store_fund_entry_list(f->st, MER1, NULL, next, 2, &items, &next, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(body_id(json_array_get(items, 0)), "led_3");
	assert_int_equal(next, 0);
	json_decref(items);
	assert_int_equal(store_fund_entry_list(f->st, "cus_000000000000000000000001", "payable", 0,
					       10, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);
	assert_int_equal(store_fund_entry_list(f->st, MER1, "deposit", 0, 10, &items, &next, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	assert_int_equal(store_fund_walk(f->st, &walk, &e), RC_OK);
	assert_int_equal(w.entries, 3);
	assert_int_equal(w.unbalanced, 0);
	assert_int_equal(w.accounts, 3);
	assert_int_equal(w.wrong, 0);
	commit(f->st);
}

static void an_overdraft_is_refused_by_the_schema_and_nothing_of_it_commits(void **state)
{
	struct store_fixture *f = *state;
	struct store_account world, settle, pay;
	json_t *body = NULL;
	struct err e;

	begin(f->st);
	world = account(f->st, "platform", "world");
	settle = account(f->st, MER1, "settlement");
	pay = account(f->st, "cus_000000000000000000000001", "payable");
	assert_int_equal(move(f->st, "led_1", &world, &settle, 100, &e), RC_OK);
	commit(f->st);
	begin(f->st);
	err_clear(&e);
	assert_int_equal(move(f->st, "led_2", &settle, &pay, 101, &e), RC_CONFLICT);
	assert_int_not_equal(store_end(f->st, 1, &e), RC_OK);
	begin(f->st);
	assert_int_equal(balance_of(f->st, MER1, "settlement"), 100);
	assert_int_equal(balance_of(f->st, "cus_000000000000000000000001", "payable"), 0);
	assert_int_equal(store_fund_entry_get(f->st, "led_2", &body, &e), RC_NOTFOUND);
	commit(f->st);
}

static void holds_and_payouts_close_once_and_receivables_recover_oldest_first(void **state)
{
	struct store_fixture *f = *state;
	struct store_account world, settle, pay;
	struct store_receivable open[4];
	struct store_hold h;
	json_t *body = json_pack("{s:s}", "object", "thing"), *got = NULL;
	char id[ID_MAX], hash[65], pstate[12];
	int found, n;
	struct err e;

	begin(f->st);
	world = account(f->st, "platform", "world");
	settle = account(f->st, MER1, "settlement");
	pay = account(f->st, "cus_000000000000000000000001", "payable");
	assert_int_equal(move(f->st, "led_1", &world, &settle, 500, &e), RC_OK);
	{
		struct store_leg part = {settle.seq, 300};

		assert_int_equal(store_fund_hold_insert(f->st, "hold_1", MER1, "dsp_1", 400, 300,
							3000, body, &part, 1, &e), RC_OK);
	}
	assert_int_equal(account(f->st, MER1, "settlement").held, 300);
	assert_int_equal(store_fund_hold_get(f->st, "hold_1", &h, &e), RC_OK);
	assert_int_equal(h.requested, 400);
	assert_int_equal(h.amount, 300);
	assert_string_equal(h.state, "active");
	assert_string_equal(h.dispute_id, "dsp_1");
	assert_int_equal((int)h.nparts, 1);
	assert_int_equal(h.parts[0].account_seq, settle.seq);
	assert_true(json_equal(h.body, body));
	store_hold_release(&h);
	assert_int_equal(store_fund_hold_active_for(f->st, MER1, "dsp_1", id, &found, &e), RC_OK);
	assert_int_equal(found, 1);
	assert_string_equal(id, "hold_1");
	assert_int_equal(store_fund_hold_close(f->st, "hold_1", "released", 4000, &e), RC_OK);
	assert_int_equal(account(f->st, MER1, "settlement").held, 0);
	err_clear(&e);
	assert_int_equal(store_fund_hold_close(f->st, "hold_1", "consumed", 4000, &e), RC_CONFLICT);
	assert_string_equal(e.code, "hold_closed");
	assert_int_equal(store_fund_hold_active_for(f->st, MER1, "dsp_1", id, &found, &e), RC_OK);
	assert_int_equal(found, 0);
	assert_int_equal(store_fund_hold_get(f->st, "hold_9", &h, &e), RC_NOTFOUND);

	/* payouts: requested, then paid once */
	assert_int_equal(move(f->st, "led_2", &settle, &pay, 200, &e), RC_OK);
	assert_int_equal(store_fund_payout_insert(f->st, "po_1", "cus_000000000000000000000001",
						  200, "CNY", "led_2", 5000, body, &e), RC_OK);
	assert_int_equal(store_fund_payout_get(f->st, "po_1", &got, pstate, &e), RC_OK);
	assert_string_equal(pstate, "requested");
	json_decref(got);
	assert_int_equal(store_fund_payout_close(f->st, "po_1", "paid", NULL, 6000, body, &e),
			 RC_OK);
	err_clear(&e);
	assert_int_equal(store_fund_payout_close(f->st, "po_1", "failed", NULL, 6000, body, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "payout_closed");
	assert_int_equal(store_fund_payout_get(f->st, "po_1", &got, pstate, &e), RC_OK);
	assert_string_equal(pstate, "paid");
	json_decref(got);
	assert_int_equal(store_fund_payout_get(f->st, "po_9", &got, pstate, &e), RC_NOTFOUND);

	/* receivables: the open ones oldest first, a recovered one gone */
	assert_int_equal(store_fund_receivable_insert(f->st, "rcv_1", MER1, "dsp_1", "led_1", 300,
						      7000, &e), RC_OK);
	assert_int_equal(store_fund_receivable_insert(f->st, "rcv_2", MER1, NULL, "led_2", 200,
						      7001, &e), RC_OK);
	assert_int_equal(store_fund_receivable_open(f->st, MER1, open, 4, &n, &e), RC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(open[0].id, "rcv_1");
	assert_string_equal(open[1].id, "rcv_2");
	assert_int_equal(store_fund_receivable_open(f->st, MER1, open, 1, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_fund_receivable_recover(f->st, "rcv_1", 300, &e), RC_OK);
	assert_int_equal(store_fund_receivable_recover(f->st, "rcv_2", 50, &e), RC_OK);
	assert_int_equal(store_fund_receivable_open(f->st, MER1, open, 4, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(open[0].id, "rcv_2");
	assert_int_equal(open[0].recovered, 50);

	/* operation keys: kept once; a second put is a conflict the transaction survives */
	assert_int_equal(store_fund_op_get(f->st, "k-1", hash, &got, &e), RC_NOTFOUND);
	assert_int_equal(store_fund_op_put(f->st, "k-1", "ab12", body, 8000, &e), RC_OK);
	err_clear(&e);
	assert_int_equal(store_fund_op_put(f->st, "k-1", "cd34", body, 8000, &e), RC_CONFLICT);
	commit(f->st);
	begin(f->st);
	assert_int_equal(store_fund_op_get(f->st, "k-1", hash, &got, &e), RC_OK);
	assert_string_equal(hash, "ab12");
	assert_true(json_equal(got, body));
	json_decref(got);
	commit(f->st);
	json_decref(body);
}

#define T(name) cmocka_unit_test_setup_teardown(name, store_setup, store_teardown)

/* The tests of the concerns both backends have, with the fixture `su`/`td`. */
#define SHARED(su, td)                                                                           \
	cmocka_unit_test_setup_teardown(backend_fills_every_member_of_its_tables, su, td),      \
	cmocka_unit_test_setup_teardown(nested_begin_is_internal_and_ending_nothing_is_a_noop, su, \
					td),                                                     \
	cmocka_unit_test_setup_teardown(savepoints_undo_alone_and_nest_to_their_bound, su, td), \
	cmocka_unit_test_setup_teardown(body_comes_back_byte_for_byte, su, td),                 \
	cmocka_unit_test_setup_teardown(reader_sees_the_last_commit_and_lazy_commits, su, td),  \
	cmocka_unit_test_setup_teardown(writers_on_two_connections_lose_no_update, su, td),     \
	cmocka_unit_test_setup_teardown(order_with_unknown_merchant_is_refused_by_foreign_key,  \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(commit_after_failed_statement_rolls_back_everything, su, \
					td),                                                     \
	cmocka_unit_test_setup_teardown(put_then_get_by_id_and_by_external_id, su, td),         \
	cmocka_unit_test_setup_teardown(duplicate_external_id_is_conflict, su, td),             \
	cmocka_unit_test_setup_teardown(get_returns_newest_listing_version_and_each_version_is_kept, \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(list_pages_walk_every_row_once, su, td),                \
	cmocka_unit_test_setup_teardown(list_filters_by_merchant_consumer_and_order, su, td),   \
	cmocka_unit_test_setup_teardown(rolled_back_put_is_not_visible, su, td),                \
	cmocka_unit_test_setup_teardown(replace_updates_consumer_body, su, td),                 \
	cmocka_unit_test_setup_teardown(meta_set_then_get_and_overwrite, su, td),               \
	cmocka_unit_test_setup_teardown(auth_lookup_finds_live_key_by_hash, su, td),            \
	cmocka_unit_test_setup_teardown(revoked_key_is_unauth_and_second_revoke_conflicts, su,  \
					td),                                                     \
	cmocka_unit_test_setup_teardown(token_is_live_until_expiry_and_revocable_once, su, td), \
	cmocka_unit_test_setup_teardown(idempotency_record_round_trips, su, td),                \
	cmocka_unit_test_setup_teardown(audit_entries_list_oldest_first_in_pages, su, td),      \
	cmocka_unit_test_setup_teardown(blob_put_then_get_and_put_again_keeps_first, su, td),   \
	cmocka_unit_test_setup_teardown(blob_visible_to_owners_and_buyers_only, su, td),        \
	cmocka_unit_test_setup_teardown(consumer_has_merchant_and_listing_only_through_own_orders, \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(order_item_naming_missing_listing_version_is_refused,   \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(merchant_versions_keep_the_old_and_serve_the_current,   \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(get_prefers_the_id_over_another_records_external_id, su, \
					td),                                                     \
	cmocka_unit_test_setup_teardown(ref_get_reads_the_id_version_and_merchant_without_the_body, \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(ledger_entries_move_balances_and_list_by_owner_in_pages, su, \
					td),                                                     \
	cmocka_unit_test_setup_teardown(                                                         \
		an_overdraft_is_refused_by_the_schema_and_nothing_of_it_commits, su, td),        \
	cmocka_unit_test_setup_teardown(                                                         \
		holds_and_payouts_close_once_and_receivables_recover_oldest_first, su, td)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		cmocka_unit_test(open_with_create_on_existing_path_is_conflict),
		cmocka_unit_test(open_without_create_on_missing_path_is_notfound),
		cmocka_unit_test(open_postgres_url_is_the_postgresql_backend),
		cmocka_unit_test(open_sqlite_scheme_is_the_file_at_its_path),
		cmocka_unit_test(sqlite_backend_fills_every_member_of_its_tables),
		T(migrations_reach_latest_version_and_reopen_is_noop),
		T(wal_mode_is_on),
		T(seal_leaf_hash_and_chain_tip_agree_with_the_rows),
		SHARED(store_setup, store_teardown),
	};
	const struct CMUnitTest pg_tests[] = {
		SHARED(store_setup_pg, store_teardown_pg),
		cmocka_unit_test_setup_teardown(concern_not_built_is_unsupported, store_setup_pg,
						store_teardown_pg),
		cmocka_unit_test_setup_teardown(lost_connection_is_regained_at_the_next_transaction,
						store_setup_pg, store_teardown_pg),
	};
	int failed = cmocka_run_group_tests_name("store on SQLite", sqlite_tests, NULL, NULL);

	if (!store_test_pg()) {
		printf("store on PostgreSQL: skipped, DISPUTED_TEST_PG is not set (make unit starts "
		       "a cluster: tests/e2e/pg_cluster.py run -- ...)\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("store on PostgreSQL", pg_tests, NULL, NULL);
}
