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
	assert_table_filled(o->cluster, sizeof(*o->cluster));
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

	fx_begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	fx_commit(f->st);
	store_close(f->st);
	f->st = NULL;

	assert_int_equal(store_open(f->path, 0, &f->st, &e), RC_OK);
	assert_int_equal(store_schema_version(f->st), (int)store_migration_count());
	got = file_pragma(f->path, "user_version");
	assert_string_equal(got, want);
	free(got);
	fx_begin(f->st);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &body, &e), RC_OK);
	assert_string_equal(body_id(body), "mer_000000000000000000000001");
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	fx_commit(f->st);
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

	fx_begin(f->st);
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	rc = put_row(f->st, STORE_ORDER, "ord_000000000000000000000001", NULL, 0,
		     "mer_00000000000000000000dead", "cus_000000000000000000000001", NULL,
		     json_pack("{s:s, s:[]}", "id", "ord_000000000000000000000001", "items"), &e);
	assert_int_not_equal(rc, RC_OK);
	/* a failed statement fails the transaction (PostgreSQL reads no more in it) */
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	fx_begin(f->st);
	assert_int_equal(count(f->st, STORE_ORDER), 0);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

static void commit_after_failed_statement_rolls_back_everything(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	fx_begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	assert_int_not_equal(put_row(f->st, STORE_ORDER, "ord_000000000000000000000001", NULL, 0,
				     "mer_00000000000000000000dead",
				     "cus_000000000000000000000001", NULL,
				     json_pack("{s:[]}", "items"), &e),
			     RC_OK);
	err_clear(&e);
	assert_int_equal(store_end(f->st, 1, &e), RC_DB);
	fx_begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 0);
	assert_int_equal(count(f->st, STORE_CONSUMER), 0);
	fx_commit(f->st);
}

/* ---- records ---- */

static void put_then_get_by_id_and_by_external_id(void **state)
{
	struct store_fixture *f = *state;
	json_t *a = NULL, *b = NULL;
	struct err e;

	fx_begin(f->st);
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
	fx_commit(f->st);
}

static void duplicate_external_id_is_conflict(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = NULL;
	struct err e;

	fx_begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	assert_int_equal(put_row(f->st, STORE_MERCHANT, "mer_000000000000000000000002", "m-1", 0,
				 NULL, NULL, NULL, json_pack("{s:s}", "object", "merchant"), &e),
			 RC_CONFLICT);
	assert_int_equal(e.rc, RC_CONFLICT);
	assert_string_equal(e.code, "duplicate_external_id");
	assert_string_equal(e.param, "external_id");
	/* The conflict does not spoil the transaction: the first row commits. */
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &body, &e), RC_OK);
	assert_string_equal(body_id(body), "mer_000000000000000000000001");
	fx_commit(f->st);
	json_decref(body);
}

static void get_returns_newest_listing_version_and_each_version_is_kept(void **state)
{
	struct store_fixture *f = *state;
	const char *lst = "lst_000000000000000000000001";
	json_t *body = NULL, *items = NULL;
	int64_t next = -1;
	struct err e;

	fx_begin(f->st);
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
	fx_commit(f->st);
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

	fx_begin(f->st);
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
	fx_commit(f->st);
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

	fx_begin(f->st);
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
	fx_commit(f->st);
}

static void rolled_back_put_is_not_visible(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = NULL;
	struct err e;

	fx_begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	fx_begin(f->st);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &body, &e), RC_NOTFOUND);
	assert_int_equal(count(f->st, STORE_MERCHANT), 0);
	/* The external id is free again. */
	put_merchant(f->st, "mer_000000000000000000000002", "m-1");
	fx_commit(f->st);
}

static void replace_updates_consumer_body(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = NULL;
	struct err e;

	fx_begin(f->st);
	put_consumer(f->st, "cus_000000000000000000000001", "c-1");
	body = json_pack("{s:s, s:s}", "id", "cus_000000000000000000000001", "name", "new");
	assert_int_equal(store_replace(f->st, STORE_CONSUMER, "cus_000000000000000000000001",
				       body, &e),
			 RC_OK);
	json_decref(body);
	assert_int_equal(store_get(f->st, STORE_CONSUMER, "c-1", &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "name")), "new");
	json_decref(body);
	fx_commit(f->st);
}

static void meta_set_then_get_and_overwrite(void **state)
{
	struct store_fixture *f = *state;
	char *v = NULL;
	struct err e;

	fx_begin(f->st);
	assert_int_equal(store_meta_get(f->st, "origin", &v, &e), RC_NOTFOUND);
	assert_null(v);
	assert_int_equal(store_meta_set(f->st, "origin", "a", &e), RC_OK);
	assert_int_equal(store_meta_set(f->st, "origin", "b", &e), RC_OK);
	assert_int_equal(store_meta_get(f->st, "origin", &v, &e), RC_OK);
	assert_string_equal(v, "b");
	free(v);
	fx_commit(f->st);
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
	fx_begin(f->st);
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
	fx_commit(f->st);
}

static void revoked_key_is_unauth_and_second_revoke_conflicts(void **state)
{
	struct store_fixture *f = *state;
	char hash[65];
	struct principal p;
	json_t *keys = NULL;
	struct err e;

	token_hash("dsk_secret", hash);
	fx_begin(f->st);
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
	fx_commit(f->st);
}

static void token_is_live_until_expiry_and_revocable_once(void **state)
{
	struct store_fixture *f = *state;
	char hash[65];
	struct principal p;
	struct err e;

	token_hash("dtk_secret", hash);
	fx_begin(f->st);
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
	fx_commit(f->st);
}

/* ---- idempotency and audit ---- */

static void idempotency_record_round_trips(void **state)
{
	struct store_fixture *f = *state;
	char hash[65], want[65], *resp = NULL;
	int status = 0;
	struct err e;

	sha256_hex("body", 4, want);
	fx_begin(f->st);
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
	fx_commit(f->st);
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
	fx_begin(f->st);
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
	fx_commit(f->st);
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
	fx_begin(f->st);
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
	fx_commit(f->st);
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
	fx_begin(f->st);
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
	fx_commit(f->st);
}

static void consumer_has_merchant_and_listing_only_through_own_orders(void **state)
{
	struct store_fixture *f = *state;
	const char *m1 = "mer_000000000000000000000001", *m2 = "mer_000000000000000000000002";
	const char *c1 = "cus_000000000000000000000001", *c2 = "cus_000000000000000000000002";
	const char *l1 = "lst_000000000000000000000001", *l2 = "lst_000000000000000000000002";
	struct err e;
	int yes = -1;

	fx_begin(f->st);
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
	fx_commit(f->st);
}

static void order_item_naming_missing_listing_version_is_refused(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	fx_begin(f->st);
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

	fx_begin(f->st);
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

	/* the walk holds each version once, by its seal's version */
	assert_int_equal(store_record_each(f->st, walk_merchants, seen, &e), RC_OK);
	assert_int_equal(json_array_size(seen), 3);
	assert_string_equal(json_string_value(json_array_get(seen, 0)),
			    "mer_000000000000000000000001@2");
	assert_string_equal(json_string_value(json_array_get(seen, 1)),
			    "mer_000000000000000000000002@0");
	assert_string_equal(json_string_value(json_array_get(seen, 2)),
			    "mer_000000000000000000000001@0");

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
	fx_commit(f->st);
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

	fx_begin(f->st);
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	put_merchant(f->st, "mer_000000000000000000000002", "mer_000000000000000000000001");
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "mer_000000000000000000000001", &a, &e),
			 RC_OK);
	assert_string_equal(body_id(a), "mer_000000000000000000000001");
	json_decref(a);
	assert_int_equal(store_get(f->st, STORE_MERCHANT, "m-1", &a, &e), RC_OK);
	assert_string_equal(body_id(a), "mer_000000000000000000000001");
	json_decref(a);
	fx_commit(f->st);
}

/* The record walk: note "kind id" of every record but merchants, count those; keep the order's links and a blob's body. */
struct walked {
	json_t *seen;
	int merchants;
	json_t *order_links;
	json_t *blob_body;
};

static int note_record(void *ctx, const struct store_record_ref *r)
{
	struct walked *w = ctx;

	if (strcmp(r->kind, "merchant") == 0) {
		w->merchants++;
		return 0;
	}
	json_array_append_new(w->seen, json_sprintf("%s %s", r->kind, r->id));
	if (strcmp(r->kind, "order") == 0)
		w->order_links = json_deep_copy(r->links);
	if (strcmp(r->kind, "blob") == 0 && !w->blob_body)
		w->blob_body = json_deep_copy(r->body);
	return 0;
}

/* store_record_each walks kind by kind, each in stored order (blobs by digest), orders with their items. */
static void record_walk_links_orders_to_items_and_blobs_by_digest(void **state)
{
	struct store_fixture *f = *state;
	struct walked w = {json_array(), 0, NULL, NULL};
	char d_a[65], d_b[65], id[40];
	struct err e;
	int i;

	digest_of(d_a, 'a');
	digest_of(d_b, 'b');
	fx_begin(f->st);
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "mer_%024d", i);
		put_merchant(f->st, id, NULL);
	}
	put_consumer(f->st, "cus_1", "c-1");
	put_listing(f->st, "lst_1", NULL, 1, "mer_000000000000000000000000", "t");
	put_order(f->st, "ord_1", NULL, "mer_000000000000000000000000", "cus_1", "lst_1", 1);
	put_child(f->st, STORE_LOGISTICS, "lgx_1", "ord_1");
	put_child(f->st, STORE_MESSAGE, "msg_1", "ord_1");
	assert_int_equal(store_blob_put(f->st, d_b, 7, "text/plain", 1000, &e), RC_OK);
	assert_int_equal(store_blob_put(f->st, d_a, 42, "image/png", 2000, &e), RC_OK);
	assert_int_equal(store_record_each(f->st, note_record, &w, &e), RC_OK);
	fx_commit(f->st);

	assert_int_equal(w.merchants, 300);
	assert_int_equal(json_array_size(w.seen), 6);
	assert_string_equal(json_string_value(json_array_get(w.seen, 0)), "listing lst_1");
	assert_string_equal(json_string_value(json_array_get(w.seen, 1)), "order ord_1");
	assert_string_equal(json_string_value(json_array_get(w.seen, 2)), "logistics lgx_1");
	assert_string_equal(json_string_value(json_array_get(w.seen, 3)), "message msg_1");
	snprintf(id, sizeof(id), "blob sha256:%.8s", d_a);
	assert_int_equal(strncmp(json_string_value(json_array_get(w.seen, 4)), id, strlen(id)), 0);
	snprintf(id, sizeof(id), "blob sha256:%.8s", d_b);
	assert_int_equal(strncmp(json_string_value(json_array_get(w.seen, 5)), id, strlen(id)), 0);
	assert_string_equal(json_string_value(json_object_get(w.order_links, "merchant_id")),
			    "mer_000000000000000000000000");
	assert_string_equal(json_string_value(json_object_get(w.order_links, "consumer_id")),
			    "cus_1");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(w.order_links, "items"), 0),
				    "listing_id")), "lst_1");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(w.order_links, "items"), 0),
				 "listing_version")), 1);
	assert_int_equal(json_integer_value(json_object_get(w.blob_body, "size")), 42);
	assert_string_equal(json_string_value(json_object_get(w.blob_body, "content_type")),
			    "image/png");
	assert_int_equal(json_integer_value(json_object_get(w.blob_body, "created_at")), 2000);
	json_decref(w.seen);
	json_decref(w.order_links);
	json_decref(w.blob_body);
}

/* What an order reads of a merchant or listing it names agrees with the bodies store_get gives. */
static void ref_get_reads_the_id_version_and_merchant_without_the_body(void **state)
{
	struct store_fixture *f = *state;
	const char *lst = "lst_000000000000000000000001";
	struct store_ref ref;
	struct err e;

	fx_begin(f->st);
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
	fx_commit(f->st);
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
	assert_table_filled(o->cluster, sizeof(*o->cluster));
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
	fx_begin(f->st);
	assert_int_equal(store_begin(f->st, &e), RC_INTERNAL);
	assert_string_equal(e.code, "nested_transaction");
	put_merchant(f->st, "mer_000000000000000000000001", "m-1");
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	fx_commit(f->st);
}

/* A failure inside a savepoint rolled back to is forgotten; kept, it rolls back and is RC_DB. */
static void savepoints_undo_alone_and_nest_to_their_bound(void **state)
{
	struct store_fixture *f = *state;
	struct err e;
	int i;

	fx_begin(f->st);
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
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(count(f->st, STORE_MERCHANT), 1);
	assert_int_equal(count(f->st, STORE_CONSUMER), 0);
	assert_int_equal(count(f->st, STORE_ORDER), 0);
	fx_commit(f->st);
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

	fx_begin(f->st);
	assert_int_equal(put_row(f->st, STORE_CONSUMER, "cus_000000000000000000000001", "c-1", 0,
				 NULL, NULL, NULL, json_loads(text, 0, NULL), &e),
			 RC_OK);
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_get(f->st, STORE_CONSUMER, "c-1", &body, &e), RC_OK);
	fx_commit(f->st);
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
	assert_int_equal(store_begin_lazy(f->st, &e), RC_OK);
	assert_int_equal(store_meta_set(f->st, "k", "one", &e), RC_OK);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
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

	fx_begin(f->st);
	assert_int_equal(store_meta_set(f->st, "n", "0", &e), RC_OK);
	fx_commit(f->st);
	assert_int_equal(pthread_create(&ta, NULL, incr_run, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, incr_run, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.failures, 0);
	assert_int_equal(b.failures, 0);
	fx_begin(f->st);
	assert_int_equal(store_meta_get(f->st, "n", &v, &e), RC_OK);
	fx_commit(f->st);
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
	fx_begin(f->st);
	assert_int_equal(store_meta_set(f->st, "k", "before", &e), RC_OK);
	fx_commit(f->st);
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
	fx_begin(f->st);
	assert_int_equal(store_meta_get(f->st, "k", &v, &e), RC_OK);
	assert_string_equal(v, "before");
	fx_commit(f->st);
	free(v);
}

/* What a member of a concern not yet on PostgreSQL returns (store_pg_int.h, which names another struct store). */
int pg_not_yet(const char *what, struct err *e);

/* ---- disclosures and webhooks ---- */

/* A merchant, a consumer, a listing and order ord_…01 for disclosures to be about. */
static void put_an_order(struct store *st)
{
	put_merchant(st, "mer_000000000000000000000001", "m-1");
	put_consumer(st, "cus_000000000000000000000001", "c-1");
	put_listing(st, "lst_000000000000000000000001", "l-1", 1, "mer_000000000000000000000001",
		    "cup");
	put_order(st, "ord_000000000000000000000001", "o-1", "mer_000000000000000000000001",
		  "cus_000000000000000000000001", "lst_000000000000000000000001", 1);
}

static void put_disclosure(struct store *st, const char *id, const char *role,
			   const char *requester, const char *state, int64_t due_at)
{
	struct store_disclosure_row row;
	json_t *body = json_pack("{s:s, s:s, s:s}", "id", id, "state", state, "z", "\u00e9");
	struct err e;

	memset(&row, 0, sizeof(row));
	row.id = id;
	row.order_id = "ord_000000000000000000000001";
	row.requester_role = role;
	row.requester_id = requester;
	row.state = state;
	row.created_at = 1700000000000;
	row.due_at = due_at;
	row.body = body;
	err_clear(&e);
	assert_int_equal(store_disclosure_insert(st, &row, &e), RC_OK);
	json_decref(body);
}

/* The ids of a disclosure list's page, joined by ",". */
static void disclosure_ids(struct store *st, const struct store_disclosure_filter *flt,
			   int64_t after, int limit, char *out, size_t size, int64_t *next)
{
	json_t *items = NULL, *it;
	struct err e;
	size_t i;

	out[0] = '\0';
	assert_int_equal(store_disclosure_list(st, flt, after, limit, &items, next, &e), RC_OK);
	json_array_foreach(items, i, it)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "," : "",
			 body_id(it) + 27);
	json_decref(items);
}

static void disclosures_are_listed_by_filter_updated_and_keep_their_events(void **state)
{
	struct store_fixture *f = *state;
	struct store_disclosure_filter flt;
	json_t *body = NULL, *items = NULL;
	char ids[64];
	int64_t next = 0;
	struct err e;

	fx_begin(f->st);
	put_an_order(f->st);
	put_disclosure(f->st, "dsc_000000000000000000000001", "court", "court-a", "pending", 5);
	put_disclosure(f->st, "dsc_000000000000000000000002", "consumer",
		       "cus_000000000000000000000001", "released", 0);
	put_disclosure(f->st, "dsc_000000000000000000000003", "court", "court-b", "pending", 0);
	fx_commit(f->st);

	fx_begin(f->st);
	memset(&flt, 0, sizeof(flt));
	disclosure_ids(f->st, &flt, 0, 2, ids, sizeof(ids), &next);
	assert_string_equal(ids, "1,2");
	assert_true(next > 0);
	disclosure_ids(f->st, &flt, next, 2, ids, sizeof(ids), &next);
	assert_string_equal(ids, "3");
	assert_int_equal(next, 0);
	flt.requester_role = "court";
	disclosure_ids(f->st, &flt, 0, 10, ids, sizeof(ids), &next);
	assert_string_equal(ids, "1,3");
	flt.requester_id = "court-b";
	disclosure_ids(f->st, &flt, 0, 10, ids, sizeof(ids), &next);
	assert_string_equal(ids, "3");
	memset(&flt, 0, sizeof(flt));
	flt.state = "released";
	flt.order_id = "ord_000000000000000000000001";
	disclosure_ids(f->st, &flt, 0, 10, ids, sizeof(ids), &next);
	assert_string_equal(ids, "2");
	flt.order_id = "ord_000000000000000000000009";
	disclosure_ids(f->st, &flt, 0, 10, ids, sizeof(ids), &next);
	assert_string_equal(ids, "");

	/* decided: the new state and body; an unknown one is not found */
	body = json_pack("{s:s, s:s}", "id", "dsc_000000000000000000000001", "state", "refused");
	assert_int_equal(store_disclosure_update(f->st, "dsc_000000000000000000000001", "refused",
						 7, body, &e), RC_OK);
	assert_int_equal(store_disclosure_update(f->st, "dsc_000000000000000000000009", "refused",
						 7, body, &e), RC_NOTFOUND);
	json_decref(body);
	assert_int_equal(store_disclosure_get(f->st, "dsc_000000000000000000000001", &body, &e),
			 RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "state")), "refused");
	json_decref(body);
	assert_int_equal(store_disclosure_get(f->st, "dsc_000000000000000000000009", &body, &e),
			 RC_NOTFOUND);
	assert_null(body);

	/* events, oldest first */
	body = json_pack("{s:s}", "id", "dse_000000000000000000000002");
	assert_int_equal(store_disclosure_event_insert(f->st, "dse_000000000000000000000002",
						       "dsc_000000000000000000000001",
						       "ord_000000000000000000000001", 8, body, &e),
			 RC_OK);
	json_decref(body);
	body = json_pack("{s:s}", "id", "dse_000000000000000000000001");
	assert_int_equal(store_disclosure_event_insert(f->st, "dse_000000000000000000000001",
						       "dsc_000000000000000000000001",
						       "ord_000000000000000000000001", 9, body, &e),
			 RC_OK);
	json_decref(body);
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_disclosure_events(f->st, "dsc_000000000000000000000001", &items, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(body_id(json_array_get(items, 0)), "dse_000000000000000000000002");
	assert_string_equal(body_id(json_array_get(items, 1)), "dse_000000000000000000000001");
	json_decref(items);
	assert_int_equal(store_disclosure_events(f->st, "dsc_000000000000000000000002", &items, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	assert_int_equal(store_disclosure_event_get(f->st, "dse_000000000000000000000001", &body,
						    &e), RC_OK);
	assert_string_equal(body_id(body), "dse_000000000000000000000001");
	json_decref(body);
	assert_int_equal(store_disclosure_event_get(f->st, "dse_000000000000000000000009", &body,
						    &e), RC_NOTFOUND);
	fx_commit(f->st);
}

static void webhook_events_queue_for_subscribers_and_attempts_are_recorded(void **state)
{
	struct store_fixture *f = *state;
	struct store_delivery ds[4], held[2];
	struct store_attempt a;
	json_t *items = NULL, *ep = NULL;
	int64_t next = 0, queued = -1;
	struct err e;
	int n = -1, i;

	fx_begin(f->st);
	assert_int_equal(store_webhook_endpoint_insert(f->st, "whe_000000000000000000000001",
						       "https://a.example/h", "[\"dispute.created\"]",
						       "sec1", 1, &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_insert(f->st, "whe_000000000000000000000002",
						       "https://b.example/h", "[\"*\"]", "sec2", 2,
						       &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_insert(f->st, "whe_000000000000000000000003",
						       "https://c.example/h", "[\"order.paid\"]",
						       "sec3", 3, &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_insert(f->st, "whe_000000000000000000000004",
						       "https://d.example/h", "[\"dispute.created\"]",
						       "sec4", 4, &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_disable(f->st, "whe_000000000000000000000004", 5,
							&e), RC_OK);
	assert_int_equal(store_webhook_endpoint_disable(f->st, "whe_000000000000000000000004", 5,
							&e), RC_NOTFOUND);
	assert_int_equal(store_webhook_event_add(f->st, "evt_000000000000000000000001",
						 "dispute.created", "{\"n\":1}", 100, &queued, &e),
			 RC_OK);
	assert_int_equal(queued, 2);
	assert_int_equal(store_webhook_event_add(f->st, "evt_000000000000000000000002",
						 "order.paid", "{\"n\":2}", 50, NULL, &e), RC_OK);
	fx_commit(f->st);

	fx_begin(f->st);
	/* enabled endpoints only, oldest first, in pages, without the secret */
	assert_int_equal(store_webhook_endpoint_list(f->st, 0, 2, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(body_id(json_array_get(items, 1)), "whe_000000000000000000000002");
	assert_null(json_object_get(json_array_get(items, 0), "secret"));
	json_decref(items);
	assert_true(next > 0);
	assert_int_equal(store_webhook_endpoint_list(f->st, next, 2, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(next, 0);
	json_decref(items);
	assert_int_equal(store_webhook_endpoint_get(f->st, "whe_000000000000000000000003", &ep, &e),
			 RC_OK);
	assert_string_equal(json_string_value(json_array_get(json_object_get(ep, "events"), 0)),
			    "order.paid");
	assert_int_equal(json_integer_value(json_object_get(ep, "created_at")), 3);
	json_decref(ep);
	assert_int_equal(store_webhook_endpoint_get(f->st, "whe_000000000000000000000004", &ep, &e),
			 RC_NOTFOUND);

	/* claimed: earliest first (next_at, then queue order), none before its time */
	assert_int_equal(store_webhook_claim(f->st, 49, 10000, ds, 4, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_webhook_claim(f->st, 100, 10000, ds, 4, &n, &e), RC_OK);
	assert_int_equal(n, 4);
	assert_string_equal(ds[0].event_id, "evt_000000000000000000000002");
	assert_string_equal(ds[0].endpoint_id, "whe_000000000000000000000002");
	assert_string_equal(ds[1].endpoint_id, "whe_000000000000000000000003");
	assert_string_equal(ds[2].event_id, "evt_000000000000000000000001");
	assert_string_equal(ds[2].endpoint_id, "whe_000000000000000000000001");
	assert_string_equal(ds[2].url, "https://a.example/h");
	assert_string_equal(ds[2].secret, "sec1");
	assert_string_equal(ds[2].body, "{\"n\":1}");
	assert_int_equal(ds[2].attempts, 0);
	assert_int_equal(ds[2].lease_until, 10000);
	assert_string_equal(ds[3].endpoint_id, "whe_000000000000000000000002");
	fx_commit(f->st);

	/* one delivered, one to retry later, one given up, one not touched */
	fx_begin(f->st);
	memset(&a, 0, sizeof(a));
	a.seq = ds[0].seq;
	a.attempts = 1;
	a.lease_until = 10000;
	a.delivered_at = 110;
	a.status = 200;
	assert_int_equal(store_webhook_attempt(f->st, &a, &e), RC_OK);
	/* recorded once: the same attempt again finds the claim gone */
	assert_int_equal(store_webhook_attempt(f->st, &a, &e), RC_CONFLICT);
	assert_string_equal(e.code, "stale_claim");
	a.seq = ds[1].seq;
	a.delivered_at = 0;
	a.next_at = 500;
	a.status = 500;
	a.error = "the receiver answered 500";
	assert_int_equal(store_webhook_attempt(f->st, &a, &e), RC_OK);
	a.seq = ds[2].seq;
	a.failed_at = 120;
	a.status = 0;
	a.error = "gave up";
	assert_int_equal(store_webhook_attempt(f->st, &a, &e), RC_OK);
	a.seq = ds[3].seq + 1000;
	assert_int_equal(store_webhook_attempt(f->st, &a, &e), RC_NOTFOUND);
	fx_commit(f->st);

	fx_begin(f->st);
	/* ds[3] is still leased: only ds[1]'s retry comes due */
	assert_int_equal(store_webhook_claim(f->st, 499, 20000, &held[0], 4, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_webhook_claim(f->st, 500, 20000, &held[0], 4, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(held[0].endpoint_id, "whe_000000000000000000000003");
	assert_int_equal(held[0].attempts, 1);
	/* a claim given back is due at once */
	assert_int_equal(store_webhook_release(f->st, &ds[3], 600, &e), RC_OK);
	assert_int_equal(store_webhook_claim(f->st, 600, 20000, &held[1], 4, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(held[1].seq, ds[3].seq);
	/* the old claim cannot give back the new one */
	assert_int_equal(store_webhook_release(f->st, &ds[3], 700, &e), RC_CONFLICT);
	assert_string_equal(e.code, "stale_claim");
	/* disabling an endpoint gives up what it still had pending, claimed or not */
	assert_int_equal(store_webhook_endpoint_disable(f->st, "whe_000000000000000000000002", 600,
							&e), RC_OK);
	a.seq = held[1].seq;
	a.attempts = 1;
	a.lease_until = 20000;
	assert_int_equal(store_webhook_attempt(f->st, &a, &e), RC_CONFLICT);
	store_delivery_release(&ds[3]);
	assert_int_equal(store_webhook_claim(f->st, 19999, 30000, ds + 3, 1, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_webhook_claim(f->st, 20000, 30000, ds + 3, 1, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ds[3].seq, held[0].seq);
	fx_commit(f->st);
	for (i = 0; i < 4; i++)
		store_delivery_release(&ds[i]);
	store_delivery_release(&held[0]);
	store_delivery_release(&held[1]);
}

/* `n` deliveries of one event to one endpoint, due at 100. */
static void queue_deliveries(struct store *st, int n)
{
	char id[ID_MAX];
	struct err e;
	int i;

	fx_begin(st);
	assert_int_equal(store_webhook_endpoint_insert(st, "whe_000000000000000000000001",
						       "https://a.example/h", "[\"*\"]", "sec1", 1,
						       &e), RC_OK);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "evt_%024d", i + 1);
		assert_int_equal(store_webhook_event_add(st, id, "dispute.created", "{}", 100, NULL,
							 &e), RC_OK);
	}
	fx_commit(st);
}

/* A claim on a connection of its own, in a transaction of its own. */
struct claimer {
	const char *where;               /* path or URL */
	pthread_barrier_t *start;        /* both claim at once */
	int64_t now;
	struct store_delivery ds[8];
	int n;
	int rc;
};

static void *claim_run(void *arg)
{
	struct claimer *c = arg;
	struct store *st = NULL;
	struct err e;

	c->rc = store_open(c->where, 0, &st, &e);
	pthread_barrier_wait(c->start);
	if (c->rc)
		return NULL;
	c->rc = store_begin(st, &e);
	if (!c->rc)
		c->rc = store_webhook_claim(st, c->now, c->now + 1000, c->ds, 6, &c->n, &e);
	if (store_end(st, c->rc == RC_OK, &e) && !c->rc)
		c->rc = RC_DB;
	store_close(st);
	return NULL;
}

/* Two connections claiming at once: between them every due delivery, none twice. */
static void webhook_claims_at_once_are_disjoint(void **state)
{
	struct store_fixture *f = *state;
	struct claimer a = {.where = on_pg(f) ? f->url : f->path, .now = 100}, b;
	pthread_barrier_t start;
	pthread_t ta, tb;
	int64_t seen[10];
	int i, j, k = 0;

	queue_deliveries(f->st, 10);
	pthread_barrier_init(&start, NULL, 2);
	a.start = &start;
	b = a;
	assert_int_equal(pthread_create(&ta, NULL, claim_run, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, claim_run, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(a.rc, RC_OK);
	assert_int_equal(b.rc, RC_OK);
	/* one took six, the other the four left */
	assert_int_equal(a.n + b.n, 10);
	assert_true(a.n == 6 || b.n == 6);
	for (i = 0; i < a.n; i++)
		seen[k++] = a.ds[i].seq;
	for (i = 0; i < b.n; i++)
		seen[k++] = b.ds[i].seq;
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++)
			assert_true(seen[i] != seen[j]);
	for (i = 0; i < a.n; i++)
		store_delivery_release(&a.ds[i]);
	for (i = 0; i < b.n; i++)
		store_delivery_release(&b.ds[i]);
}

/*
 * A delivery claimed on one connection is not due on another until the
 * lease ends; then the second claims it, and the first, late, records
 * nothing over the second's attempt.
 */
static void webhook_lease_hides_a_claim_until_it_ends(void **state)
{
	struct store_fixture *f = *state;
	struct store_delivery d1, d2;
	struct store_attempt a;
	struct store *st2 = NULL;
	struct err e;
	int n = -1;

	queue_deliveries(f->st, 1);
	assert_int_equal(store_open(on_pg(f) ? f->url : f->path, 0, &st2, &e), RC_OK);
	fx_begin(f->st);
	assert_int_equal(store_webhook_claim(f->st, 100, 1100, &d1, 1, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	fx_commit(f->st);
	fx_begin(st2);
	assert_int_equal(store_webhook_claim(st2, 1099, 2099, &d2, 1, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_webhook_claim(st2, 1100, 2100, &d2, 1, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(d2.seq, d1.seq);
	assert_int_equal(d2.attempts, 0);
	fx_commit(st2);

	/* the second claimer's attempt lands; the first's, later, finds its claim gone */
	memset(&a, 0, sizeof(a));
	a.seq = d2.seq;
	a.attempts = 1;
	a.lease_until = d2.lease_until;
	a.next_at = 40000;
	a.status = 503;
	a.error = "the receiver answered 503";
	fx_begin(st2);
	assert_int_equal(store_webhook_attempt(st2, &a, &e), RC_OK);
	fx_commit(st2);
	a.lease_until = d1.lease_until;
	a.delivered_at = 1200;
	a.status = 200;
	a.error = NULL;
	fx_begin(f->st);
	assert_int_equal(store_webhook_attempt(f->st, &a, &e), RC_CONFLICT);
	assert_string_equal(e.code, "stale_claim");
	assert_int_equal(store_webhook_release(f->st, &d1, 1200, &e), RC_CONFLICT);
	fx_commit(f->st);
	store_delivery_release(&d1);
	/* what the second recorded stands: due again at its retry, not before */
	fx_begin(f->st);
	assert_int_equal(store_webhook_claim(f->st, 39999, 50000, &d1, 1, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_webhook_claim(f->st, 40000, 50000, &d1, 1, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(d1.attempts, 1);
	fx_commit(f->st);
	store_delivery_release(&d1);
	store_delivery_release(&d2);
	store_close(st2);
}

/* On PostgreSQL, a concern not built yet says so instead of crashing or pretending. */
static void concern_not_built_is_unsupported(void **state)
{
	struct store_fixture *f = *state;
	struct err e;

	assert_true(on_pg(f));
	err_clear(&e);
	assert_int_equal(pg_not_yet("seal_each", &e), RC_UNSUPPORTED);
	assert_string_equal(e.code, "not_on_postgresql");
	assert_non_null(strstr(e.message, "store_seal_each"));
}

/* ---- retention: legal holds, shredding, the register ---- */

/* A merchant, a consumer, a listing and two orders of it, o_1 and o_2. */
static void put_two_orders(struct store *st)
{
	fx_begin(st);
	put_merchant(st, "mer_1", "m-1");
	put_consumer(st, "cus_1", "c-1");
	put_listing(st, "lst_1", "l-1", 1, "mer_1", "Lamp");
	put_order(st, "ord_1", "o-1", "mer_1", "cus_1", "lst_1", 1);
	put_order(st, "ord_2", "o-2", "mer_1", "cus_1", "lst_1", 1);
	fx_commit(st);
}

static void put_hold(struct store *st, const char *id, const char *ord)
{
	struct store_legal_hold_row h = {id, ord, NULL, "court", "C-1/26", "litigation",
					 "key_staff", 1700000000500};
	struct err e;

	assert_int_equal(store_legal_hold_insert(st, &h, &e), RC_OK);
}

static void legal_holds_hold_an_order_until_lifted_once(void **state)
{
	struct store_fixture *f = *state;
	json_t *items = NULL, *hold = NULL;
	int64_t next = 0;
	int held = -1;
	struct err e;

	put_two_orders(f->st);
	fx_begin(f->st);
	put_hold(f->st, "lgh_1", "ord_1");
	put_hold(f->st, "lgh_2", "ord_1");
	fx_commit(f->st);

	fx_begin(f->st);
	assert_int_equal(store_order_held(f->st, "ord_1", &held, &e), RC_OK);
	assert_int_equal(held, 1);
	assert_int_equal(store_order_held(f->st, "ord_2", &held, &e), RC_OK);
	assert_int_equal(held, 0);
	assert_int_equal(store_legal_hold_get(f->st, "lgh_1", &hold, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(hold, "object")), "legal_hold");
	assert_string_equal(json_string_value(json_object_get(hold, "order")), "ord_1");
	assert_true(json_is_null(json_object_get(hold, "dispute")));
	assert_true(json_is_null(json_object_get(hold, "lifted_at")));
	assert_int_equal(json_integer_value(json_object_get(hold, "created_at")), 1700000000500);
	json_decref(hold);
	assert_int_equal(store_legal_hold_get(f->st, "lgh_none", &hold, &e), RC_NOTFOUND);
	assert_null(hold);
	/* pages of one, oldest first */
	assert_int_equal(store_legal_hold_list(f->st, "ord_1", 0, 0, 1, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(body_id(json_array_get(items, 0)), "lgh_1");
	assert_true(next > 0);
	json_decref(items);
	assert_int_equal(store_legal_hold_list(f->st, NULL, 0, next, 1, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(body_id(json_array_get(items, 0)), "lgh_2");
	assert_int_equal(next, 0);
	json_decref(items);
	assert_int_equal(store_legal_hold_list(f->st, "ord_2", 0, 0, 10, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	/* lifted once; again is a conflict, an unknown hold not found */
	assert_int_equal(store_legal_hold_lift(f->st, "lgh_1", "key_staff", "settled", 1700000000900,
					       &e), RC_OK);
	assert_int_equal(store_legal_hold_lift(f->st, "lgh_1", "key_staff", "again", 1700000000901,
					       &e), RC_CONFLICT);
	assert_string_equal(e.code, "hold_lifted");
	assert_int_equal(store_legal_hold_lift(f->st, "lgh_none", "key_staff", "x", 1, &e),
			 RC_NOTFOUND);
	fx_commit(f->st);

	fx_begin(f->st);
	assert_int_equal(store_legal_hold_list(f->st, "ord_1", 1, 0, 10, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(body_id(json_array_get(items, 0)), "lgh_2");
	json_decref(items);
	assert_int_equal(store_legal_hold_get(f->st, "lgh_1", &hold, &e), RC_OK);
	assert_int_equal(json_integer_value(json_object_get(hold, "lifted_at")), 1700000000900);
	assert_string_equal(json_string_value(json_object_get(hold, "lift_reason")), "settled");
	json_decref(hold);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

static int count_body(void *ctx, json_t *body)
{
	assert_true(json_is_object(body));
	(*(int *)ctx)++;
	return 0;
}

/* Orders past the cutoff, a page of `limit` after `after`: their ids joined by spaces in `out`. */
static void due(struct store *st, int64_t cutoff, int64_t after, int limit, char *out, size_t size,
		int64_t *next)
{
	char ids[4][ID_MAX];
	int64_t last[4];
	int n = -1, i;
	struct err e;

	assert_int_equal(store_retention_due(st, cutoff, after, limit, ids, last, &n, next, &e),
			 RC_OK);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		assert_int_equal(last[i], 1700000000000);
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", ids[i]);
	}
}

static void shredding_is_registered_once_and_the_order_is_no_longer_due(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = NULL, *reg;
	char seen[64];
	int64_t next = 0, n = -1;
	int yes = -1, each = 0;
	struct err e;

	put_two_orders(f->st);
	fx_begin(f->st);
	due(f->st, 1700000000001, 0, 1, seen, sizeof(seen), &next);
	assert_string_equal(seen, "ord_1");
	assert_true(next > 0);
	due(f->st, 1700000000001, next, 1, seen, sizeof(seen), &next);
	assert_string_equal(seen, "ord_2");
	assert_int_equal(next, 0);
	due(f->st, 1700000000000, 0, 4, seen, sizeof(seen), &next);
	assert_string_equal(seen, "");
	/* the order's body replaced; an unknown record or kind refused */
	body = json_pack("{s:s, s:s, s:b}", "object", "order", "id", "ord_1", "shredded", 1);
	assert_int_equal(store_body_shred(f->st, "order", "ord_1", body, &e), RC_OK);
	assert_int_equal(store_body_shred(f->st, "order", "ord_none", body, &e), RC_NOTFOUND);
	assert_int_equal(store_body_shred(f->st, "listing", "lst_1", body, &e), RC_INTERNAL);
	json_decref(body);
	assert_int_equal(store_consumer_live_orders(f->st, "cus_1", &n, &e), RC_OK);
	assert_int_equal(n, 2);
	reg = json_pack("{s:s, s:s, s:s, s:[s]}", "object", "shredding", "id", "shr_1", "order",
			"ord_1", "blobs", "sha256:ab12");
	assert_int_equal(store_shredding_insert(f->st, "shr_1", "ord_1", 1700000001000, reg, &e),
			 RC_OK);
	assert_int_equal(store_blob_shredded(f->st, "ab12", &yes, &e), RC_OK);
	assert_int_equal(yes, 1);
	assert_int_equal(store_blob_shredded(f->st, "cd34", &yes, &e), RC_OK);
	assert_int_equal(yes, 0);
	assert_int_equal(store_blob_cited_elsewhere(f->st, "ab12", "ord_1", &yes, &e), RC_OK);
	assert_int_equal(yes, 0);
	assert_int_equal(store_purge_mentions(f->st, "ord_1", &e), RC_OK);
	fx_commit(f->st);

	fx_begin(f->st);
	due(f->st, 1700000000001, 0, 4, seen, sizeof(seen), &next);
	assert_string_equal(seen, "ord_2");
	assert_int_equal(store_consumer_live_orders(f->st, "cus_1", &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_get(f->st, STORE_ORDER, "ord_1", &body, &e), RC_OK);
	assert_true(json_is_true(json_object_get(body, "shredded")));
	json_decref(body);
	assert_int_equal(store_shredding_get(f->st, "shr_1", &body, &e), RC_OK);
	assert_true(json_equal(body, reg));
	json_decref(body);
	assert_int_equal(store_shredding_get(f->st, "shr_none", &body, &e), RC_NOTFOUND);
	assert_int_equal(store_shredding_of_order(f->st, "ord_1", &body, &e), RC_OK);
	assert_true(json_equal(body, reg));
	json_decref(body);
	assert_int_equal(store_shredding_of_order(f->st, "ord_2", &body, &e), RC_OK);
	assert_null(body);
	assert_int_equal(store_shredding_each(f->st, count_body, &each, &e), RC_OK);
	assert_int_equal(each, 1);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);

	/* one shredding per order: the second is refused, nothing written */
	fx_begin(f->st);
	assert_int_equal(store_shredding_insert(f->st, "shr_2", "ord_1", 1700000002000, reg, &e),
			 RC_CONFLICT);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
	json_decref(reg);

	/* outside a transaction: storage-level shredding and compaction */
	assert_int_equal(store_secure_delete(f->st, 1, &e), RC_OK);
	assert_int_equal(store_compact(f->st, &e), RC_OK);
	fx_begin(f->st);
	each = 0;
	assert_int_equal(store_shredding_each(f->st, count_body, &each, &e), RC_OK);
	assert_int_equal(each, 1);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

/* ---- risk: merchant flags, consumer flags, alerts, proposals ---- */

#define MER1 "mer_000000000000000000000001"
#define CUS1 "cus_000000000000000000000001"

/* The store borrows the bodies it is given: each kept in `keep` (freed with it), and returned. */
static json_t *kept(json_t *keep, json_t *v)
{
	json_array_append_new(keep, v);
	return v;
}

/* A merchant flag is set once while live, keeps its evidence, and is cleared once. */
static void merchant_flag_is_set_once_keeps_evidence_and_clears_once(void **state)
{
	struct store_fixture *f = *state;
	json_t *flags = NULL;
	struct err e;

	fx_begin(f->st);
	put_merchant(f->st, MER1, "m-1");
	assert_int_equal(store_merchant_flag_set(f->st, MER1, "repeated_fraud", "three upheld",
						 "staff", 1000, &e), RC_OK);
	err_clear(&e);
	assert_int_equal(store_merchant_flag_set(f->st, MER1, "repeated_fraud", "again", "staff",
						 2000, &e), RC_CONFLICT);
	assert_string_equal(e.code, "flag_set");
	assert_string_equal(e.param, "flag");
	/* the conflict leaves the transaction usable: the first flag commits */
	assert_int_equal(store_merchant_flag_evidence(f->st, MER1, "repeated_fraud",
						      "{\"disputes\":[\"dsp_1\"]}", &e), RC_OK);
	assert_int_equal(store_merchant_flag_evidence(f->st, MER1, "other", "[]", &e),
			 RC_NOTFOUND);
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_merchant_flags(f->st, MER1, &flags, &e), RC_OK);
	assert_int_equal(json_array_size(flags), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(flags, 0), "reason")),
			    "three upheld");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(flags, 0),
							    "created_at")), 1000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
				    json_object_get(json_array_get(flags, 0), "evidence"),
				    "disputes"), 0)), "dsp_1");
	json_decref(flags);
	assert_int_equal(store_merchant_flag_clear(f->st, MER1, "repeated_fraud", "staff", 3000,
						   &e), RC_OK);
	assert_int_equal(store_merchant_flag_clear(f->st, MER1, "repeated_fraud", "staff", 3000,
						   &e), RC_NOTFOUND);
	assert_int_equal(store_merchant_flags(f->st, MER1, &flags, &e), RC_OK);
	assert_int_equal(json_array_size(flags), 0);
	json_decref(flags);
	/* cleared, it may be set again */
	assert_int_equal(store_merchant_flag_set(f->st, MER1, "repeated_fraud", "back", "staff",
						 4000, &e), RC_OK);
	fx_commit(f->st);
}

/* A consumer flag: set once, one appeal, one decision, cleared once, counted, its history kept. */
static void consumer_flag_is_appealed_decided_cleared_and_counted(void **state)
{
	struct store_fixture *f = *state;
	json_t *keep = json_array();
	struct store_flag_counts c;
	json_t *fl = NULL, *ev = NULL, *body;
	int64_t n = -1;
	int yes = -1;
	struct err e;

	fx_begin(f->st);
	put_consumer(f->st, CUS1, "c-1");
	assert_int_equal(store_consumer_flag_insert(f->st, "cfl_1", CUS1, "abusive", "spam",
						    kept(keep, json_pack("[s]", "dsp_1")), "staff", 1000, &e),
			 RC_OK);
	err_clear(&e);
	assert_int_equal(store_consumer_flag_insert(f->st, "cfl_2", CUS1, "abusive", "again",
						    kept(keep, json_array()), "staff", 1500, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "flag_set");
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_consumer_flagged(f->st, CUS1, "abusive", &yes, &e), RC_OK);
	assert_int_equal(yes, 1);
	assert_int_equal(store_consumer_flagged(f->st, CUS1, "other", &yes, &e), RC_OK);
	assert_int_equal(yes, 0);
	assert_int_equal(store_consumer_flag_live(f->st, CUS1, "other", &fl, &e), RC_NOTFOUND);
	assert_int_equal(store_consumer_flag_appeal(f->st, "cfl_1", "not me", 2000, &e), RC_OK);
	err_clear(&e);
	assert_int_equal(store_consumer_flag_appeal(f->st, "cfl_1", "twice", 2100, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "appeal_filed");
	assert_int_equal(store_consumer_flag_decide(f->st, "cfl_1", "upheld", "it was", "lead",
						    3000, &e), RC_OK);
	err_clear(&e);
	assert_int_equal(store_consumer_flag_decide(f->st, "cfl_1", "upheld", "again", "lead",
						    3100, &e), RC_CONFLICT);
	assert_string_equal(e.code, "no_appeal");
	assert_int_equal(store_consumer_flag_live(f->st, CUS1, "abusive", &fl, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(fl, "id")), "cfl_1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(fl, "evidence"), 0)),
			    "dsp_1");
	assert_true(json_is_null(json_object_get(fl, "cleared_at")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(fl, "appeal"),
							      "decision")), "upheld");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(fl, "appeal"),
							    "filed_at")), 2000);
	json_decref(fl);
	assert_int_equal(store_consumer_flag_event_insert(f->st, "cfe_1", "cfl_1", CUS1, "marked",
							  1000, kept(keep, json_pack("{s:s}", "type", "marked")),
							  &e), RC_OK);
	assert_int_equal(store_consumer_flag_event_insert(f->st, "cfe_2", "cfl_1", CUS1, "cleared",
							  4000, kept(keep, json_pack("{s:s}", "type", "cleared")),
							  &e), RC_OK);
	assert_int_equal(store_consumer_flag_clear(f->st, "cfl_1", "staff", "done", 4000, &e),
			 RC_OK);
	err_clear(&e);
	assert_int_equal(store_consumer_flag_clear(f->st, "cfl_1", "staff", "done", 4000, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "flag_cleared");
	assert_int_equal(store_consumer_flags(f->st, CUS1, &fl, &e), RC_OK);
	assert_int_equal(json_array_size(fl), 0);
	json_decref(fl);
	assert_int_equal(store_consumer_flag_events(f->st, CUS1, 1, &ev, &e), RC_OK);
	assert_int_equal(json_array_size(ev), 1); /* the newest one */
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "type")),
			    "cleared");
	json_decref(ev);
	assert_int_equal(store_consumer_flag_event_get(f->st, "cfe_1", &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "type")), "marked");
	json_decref(body);
	assert_int_equal(store_consumer_flag_event_get(f->st, "cfe_9", &body, &e), RC_NOTFOUND);
	assert_int_equal(store_consumer_flag_counts(f->st, 0, 5000, 5000, &c, &e), RC_OK);
	assert_int_equal(c.marked, 1);
	assert_int_equal(c.cleared, 1);
	assert_int_equal(c.appeals_filed, 1);
	assert_int_equal(c.appeals_upheld, 1);
	assert_int_equal(c.appeals_overturned, 0);
	assert_int_equal(c.appeals_pending, 0);
	assert_int_equal(store_consumer_order_count(f->st, CUS1, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	fx_commit(f->st);
	json_decref(keep);
}

/* An alert is kept once per (scope, id, focus, window); alerts list oldest first in pages. */
static void alerts_are_kept_once_and_listed_in_pages(void **state)
{
	struct store_fixture *f = *state;
	json_t *keep = json_array();
	json_t *items = NULL, *body = NULL;
	int64_t next = -1;
	int inserted = -1, i;
	char id[32];
	struct err e;

	fx_begin(f->st);
	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "ral_%d", i);
		assert_int_equal(store_alert_insert(f->st, id, i == 2 ? "listing" : "merchant",
						    "mer_1", i ? "quality" : "counterfeit", 100, 200,
						    "mer_1", 150, kept(keep, json_pack("{s:s}", "id", id)),
						    &inserted, &e), RC_OK);
		assert_int_equal(inserted, 1);
	}
	assert_int_equal(store_alert_insert(f->st, "ral_9", "merchant", "mer_1", "counterfeit",
					    100, 200, "mer_1", 160, kept(keep, json_pack("{s:s}", "id", "x")),
					    &inserted, &e), RC_OK);
	assert_int_equal(inserted, 0);
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_alert_get(f->st, "ral_0", &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "id")), "ral_0");
	json_decref(body);
	assert_int_equal(store_alert_get(f->st, "ral_9", &body, &e), RC_NOTFOUND);
	assert_int_equal(store_alert_list(f->st, "merchant", NULL, NULL, 0, 1, &items, &next, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_true(next > 0);
	json_decref(items);
	assert_int_equal(store_alert_list(f->st, "merchant", NULL, NULL, next, 1, &items, &next,
					  &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")),
			    "ral_1");
	assert_int_equal(next, 0);
	json_decref(items);
	assert_int_equal(store_alert_list(f->st, NULL, "mer_1", "quality", 0, 10, &items, &next,
					  &e), RC_OK);
	assert_int_equal(json_array_size(items), 2);
	json_decref(items);
	fx_commit(f->st);
	json_decref(keep);
}

/* One open proposal of a flag per merchant; decided once; its state read back. */
static void proposals_are_open_once_and_decided_once(void **state)
{
	struct store_fixture *f = *state;
	json_t *keep = json_array();
	json_t *items = NULL, *body = NULL;
	int64_t next = -1, dismissed = 0;
	int open = -1;
	struct err e;

	fx_begin(f->st);
	put_merchant(f->st, MER1, "m-1");
	assert_int_equal(store_proposal_state(f->st, MER1, "repeated_fraud", &open, &dismissed, &e),
			 RC_OK);
	assert_int_equal(open, 0);
	assert_int_equal(dismissed, -1);
	assert_int_equal(store_proposal_insert(f->st, "rpr_1", MER1, "repeated_fraud", 3, 100,
					       kept(keep, json_pack("{s:s}", "id", "rpr_1")), &e), RC_OK);
	err_clear(&e);
	assert_int_equal(store_proposal_insert(f->st, "rpr_2", MER1, "repeated_fraud", 4, 100,
					       kept(keep, json_pack("{s:s}", "id", "rpr_2")), &e), RC_CONFLICT);
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_proposal_state(f->st, MER1, "repeated_fraud", &open, &dismissed, &e),
			 RC_OK);
	assert_int_equal(open, 1);
	assert_int_equal(store_proposal_decide(f->st, "rpr_1", "dismissed", 200,
					       kept(keep, json_pack("{s:s, s:s}", "id", "rpr_1",
								     "state", "dismissed")), &e), RC_OK);
	err_clear(&e);
	assert_int_equal(store_proposal_decide(f->st, "rpr_1", "confirmed", 300,
					       kept(keep, json_pack("{s:s}", "id", "rpr_1")), &e), RC_CONFLICT);
	assert_string_equal(e.code, "proposal_closed");
	assert_int_equal(store_proposal_state(f->st, MER1, "repeated_fraud", &open, &dismissed, &e),
			 RC_OK);
	assert_int_equal(open, 0);
	assert_int_equal(dismissed, 3);
	assert_int_equal(store_proposal_get(f->st, "rpr_1", &body, &e), RC_OK);
	assert_string_equal(json_string_value(json_object_get(body, "state")), "dismissed");
	json_decref(body);
	assert_int_equal(store_proposal_get(f->st, "rpr_2", &body, &e), RC_NOTFOUND);
	assert_int_equal(store_proposal_list(f->st, "dismissed", 0, 10, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(next, 0);
	json_decref(items);
	assert_int_equal(store_proposal_list(f->st, "proposed", 0, 10, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	fx_commit(f->st);
	json_decref(keep);
}

/* ---- disputes, their events, timers, the queues and suspensions ---- */

#define DSP_MER "mer_000000000000000000000001"
#define DSP_CUS "cus_000000000000000000000001"
#define DSP_LST "lst_000000000000000000000001"
#define DSP_ORD "ord_000000000000000000000001"

/* Dispute `id` on the one order, in `state` and `tier`, its next step due at `due` (NULL: none). */
static void put_dispute(struct store *st, const char *id, const char *state, const char *tier,
			int64_t at, const char *due)
{
	json_t *body = due ? json_pack("{s:s, s:s, s:{s:s}}", "id", id, "reason", "not_received",
				       "next", "due_at", due)
			   : json_pack("{s:s, s:s}", "id", id, "reason", "not_received");
	struct err e;

	assert_int_equal(store_dispute_insert(st, id, DSP_ORD, DSP_MER, DSP_CUS, state, tier, at,
					      body, &e), RC_OK);
	json_decref(body);
}

static void dispute_scene(struct store *st)
{
	fx_begin(st);
	put_merchant(st, DSP_MER, "m-1");
	put_consumer(st, DSP_CUS, "c-1");
	put_listing(st, DSP_LST, "l-1", 1, DSP_MER, "a kettle");
	put_order(st, DSP_ORD, "o-1", DSP_MER, DSP_CUS, DSP_LST, 1);
	fx_commit(st);
}

/* Disputes page by seq under their filters; a dispute's events page in order; ids are unique. */
static void disputes_and_events_page_filter_and_conflict(void **state)
{
	struct store_fixture *f = *state;
	struct store_dispute_filter flt = {NULL, NULL, NULL, NULL, NULL, -1};
	const char *live[] = {"open", NULL}, *closed[] = {"closed", NULL};
	json_t *items = NULL, *body = NULL;
	char id[ID_MAX], eid[ID_MAX];
	int64_t next = 0;
	int found = 0, i;
	struct err e;

	dispute_scene(f->st);
	fx_begin(f->st);
	put_dispute(f->st, "dsp_1", "open", "standard", 10, NULL);
	put_dispute(f->st, "dsp_2", "closed", "fast", 20, NULL);
	put_dispute(f->st, "dsp_3", "open", "fast", 30, NULL);
	body = json_object();
	assert_int_equal(store_dispute_insert(f->st, "dsp_1", DSP_ORD, DSP_MER, DSP_CUS, "open",
					      "standard", 40, body, &e), RC_CONFLICT);
	for (i = 0; i < 5; i++) {
		snprintf(eid, sizeof(eid), "dev_%d", i);
		assert_int_equal(store_dispute_event_insert(f->st, eid, "dsp_1", 100 + i, body, &e),
				 RC_OK);
	}
	json_object_set_new(body, "id", json_string("dsp_3"));
	assert_int_equal(store_dispute_update(f->st, "dsp_3", "open", "fast", 1, 50, body, &e),
			 RC_OK);
	json_decref(body);
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_dispute_list(f->st, &flt, 0, 2, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(body_id(json_array_get(items, 1)), "dsp_2");
	json_decref(items);
	assert_int_equal(store_dispute_list(f->st, &flt, next, 2, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(next, 0);
	json_decref(items);
	flt.state = "open";
	flt.overdue = 1;
	assert_int_equal(store_dispute_list(f->st, &flt, 0, 10, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(body_id(json_array_get(items, 0)), "dsp_3");
	json_decref(items);
	assert_int_equal(store_dispute_for_order(f->st, DSP_ORD, live, id, &found, &e), RC_OK);
	assert_int_equal(found, 1);
	assert_string_equal(id, "dsp_3");
	assert_int_equal(store_dispute_for_order(f->st, DSP_ORD, closed, id, &found, &e), RC_OK);
	assert_string_equal(id, "dsp_2");
	assert_int_equal(store_dispute_get(f->st, "dsp_9", &body, &e), RC_NOTFOUND);
	assert_int_equal(store_dispute_event_list(f->st, "dsp_1", 0, 3, &items, &next, &e), RC_OK);
	assert_int_equal(json_array_size(items), 3);
	json_decref(items);
	assert_int_equal(store_dispute_event_list(f->st, "dsp_1", next, 3, &items, &next, &e),
			 RC_OK);
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(next, 0);
	json_decref(items);
	assert_int_equal(store_dispute_event_get(f->st, "dev_9", &body, &e), RC_NOTFOUND);
	assert_int_equal(store_end(f->st, 0, &e), RC_OK);
}

/* A due timer is listed oldest first until fired, and fires once. */
static void timers_come_due_in_order_and_fire_once(void **state)
{
	struct store_fixture *f = *state;
	struct store_timer t[4];
	struct err e;
	int n = 0;

	dispute_scene(f->st);
	fx_begin(f->st);
	put_dispute(f->st, "dsp_1", "open", "standard", 10, NULL);
	assert_int_equal(store_timer_add(f->st, "dsp_1", "respond", "open", 300, &e), RC_OK);
	assert_int_equal(store_timer_add(f->st, "dsp_1", "review", "open", 100, &e), RC_OK);
	assert_int_equal(store_timer_add(f->st, "dsp_1", "later", "open", 900, &e), RC_OK);
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_timer_due(f->st, 500, t, 4, &n, &e), RC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].step, "review");
	assert_int_equal(t[0].due_at, 100);
	assert_string_equal(t[1].step, "respond");
	assert_int_equal(store_timer_fire(f->st, t[0].seq, 500, "fired", &e), RC_OK);
	assert_int_equal(store_timer_fire(f->st, t[0].seq, 501, "fired", &e), RC_CONFLICT);
	assert_string_equal(e.code, "already_fired");
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_timer_due(f->st, 500, t, 4, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].step, "respond");
	fx_commit(f->st);
}

struct fire_all {
	const char *where;  /* path or URL */
	int fired;          /* timers this connection fired */
	int failures;       /* transactions that did not commit */
};

/* Fire every due timer, one per transaction, on a connection of its own. */
static void *fire_run(void *arg)
{
	struct fire_all *fa = arg;
	struct store *st = NULL;
	struct store_timer t;
	struct err e;
	int n = 1;

	if (store_open(fa->where, 0, &st, &e)) {
		fa->failures++;
		return NULL;
	}
	while (n) {
		int rc = store_begin(st, &e);

		if (!rc)
			rc = store_timer_due(st, 1000, &t, 1, &n, &e);
		if (!rc && n)
			rc = store_timer_fire(st, t.seq, 1000, "fired", &e);
		if (store_end(st, rc == RC_OK, &e) || rc) {
			fa->failures++;
			break;
		}
		fa->fired += n;
	}
	store_close(st);
	return NULL;
}

/* Two connections firing the same due timers: each timer is taken once, none left. */
static void timers_are_taken_once_across_connections(void **state)
{
	struct store_fixture *f = *state;
	struct fire_all a = {on_pg(f) ? f->url : f->path, 0, 0}, b = a;
	struct store_timer t;
	pthread_t ta, tb;
	struct err e;
	int i, n = 0;

	dispute_scene(f->st);
	fx_begin(f->st);
	put_dispute(f->st, "dsp_1", "open", "standard", 10, NULL);
	for (i = 0; i < 30; i++)
		assert_int_equal(store_timer_add(f->st, "dsp_1", "respond", "open", i, &e), RC_OK);
	fx_commit(f->st);
	assert_int_equal(pthread_create(&ta, NULL, fire_run, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, fire_run, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.failures + b.failures, 0);
	assert_int_equal(a.fired + b.fired, 30);
	fx_begin(f->st);
	assert_int_equal(store_timer_due(f->st, 1000, &t, 1, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	fx_commit(f->st);
}

/*
 * One racer of the once-only rules, on a connection of its own: in one
 * write transaction, check (a due timer, or an Idempotency-Key), pause
 * so that the other racer can check too if writers were not serial, then
 * write (fire it, or do the work and keep the reply under the key).
 */
struct racer {
	const char *where;          /* path or URL */
	pthread_barrier_t *start;   /* both race at once */
	int won;                    /* this one fired the timer, or did the keyed work */
	int replayed;               /* this one found the key's reply and replayed it */
	char reply[48];             /* the reply it gave */
	int rc;
};

static void *timer_race_run(void *arg)
{
	struct racer *ra = arg;
	struct store *st = NULL;
	struct store_timer t;
	struct err e;
	int n = 0, rc;

	ra->rc = store_open(ra->where, 0, &st, &e);
	pthread_barrier_wait(ra->start);
	if (ra->rc)
		return NULL;
	rc = store_begin(st, &e);
	if (!rc)
		rc = store_timer_due(st, 1000, &t, 1, &n, &e);
	usleep(50 * 1000);
	if (!rc && n)
		rc = store_timer_fire(st, t.seq, 1000, "fired", &e);
	ra->rc = store_end(st, rc == RC_OK, &e);
	if (!ra->rc)
		ra->rc = rc;
	ra->won = !ra->rc && n;
	store_close(st);
	return NULL;
}

static void *idem_race_run(void *arg)
{
	static const char hash[] = "4a5f0f6b1c8e2d7a9b3c5e7f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b";
	struct racer *ra = arg;
	struct store *st = NULL;
	char stored_hash[65], *stored = NULL, *v = NULL, next[24];
	struct err e;
	int status = 0, rc;

	ra->rc = store_open(ra->where, 0, &st, &e);
	pthread_barrier_wait(ra->start);
	if (ra->rc)
		return NULL;
	rc = store_begin(st, &e);
	if (!rc)
		rc = store_idem_get(st, "key_racer", "idem-1", stored_hash, &status, &stored, &e);
	if (rc == RC_OK) {
		ra->replayed = 1;
		snprintf(ra->reply, sizeof(ra->reply), "%s", stored);
	} else if (rc == RC_NOTFOUND) {
		/* the keyed work: count it, and keep the reply naming it */
		usleep(50 * 1000);
		rc = store_meta_get(st, "done", &v, &e);
		if (!rc) {
			snprintf(next, sizeof(next), "%d", atoi(v) + 1);
			snprintf(ra->reply, sizeof(ra->reply), "{\"work\":%s}", next);
			rc = store_meta_set(st, "done", next, &e);
		}
		if (!rc)
			rc = store_idem_put(st, "key_racer", "idem-1", hash, 201, ra->reply, 1000, &e);
		ra->won = !rc;
	}
	free(stored);
	free(v);
	ra->rc = store_end(st, rc == RC_OK, &e);
	if (!ra->rc)
		ra->rc = rc;
	store_close(st);
	return NULL;
}

/* Race two connections with `fn` (timer_race_run or idem_race_run) into *a and *b. */
static void race(struct store_fixture *f, void *(*fn)(void *), struct racer *a, struct racer *b)
{
	pthread_barrier_t start;
	pthread_t ta, tb;

	memset(a, 0, sizeof(*a));
	a->where = on_pg(f) ? f->url : f->path;
	pthread_barrier_init(&start, NULL, 2);
	a->start = &start;
	*b = *a;
	assert_int_equal(pthread_create(&ta, NULL, fn, a), 0);
	assert_int_equal(pthread_create(&tb, NULL, fn, b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(a->rc, RC_OK);
	assert_int_equal(b->rc, RC_OK);
}

/*
 * Two connections (two nodes) race to fire the same due timer, each
 * checking and firing in one transaction: one fires it, the other, whose
 * check comes after that commit, finds nothing due.
 */
static void same_timer_raced_fires_once(void **state)
{
	struct store_fixture *f = *state;
	struct racer a, b;
	struct err e;

	dispute_scene(f->st);
	fx_begin(f->st);
	put_dispute(f->st, "dsp_1", "open", "standard", 10, NULL);
	assert_int_equal(store_timer_add(f->st, "dsp_1", "respond", "open", 500, &e), RC_OK);
	fx_commit(f->st);
	race(f, timer_race_run, &a, &b);
	assert_int_equal(a.won + b.won, 1);
}

/*
 * Two connections race a request with the same Idempotency-Key, as
 * handle_in_txn runs it (look the key up, do the work, keep the reply,
 * in one transaction): the work is done once, and the loser replays the
 * winner's reply.
 */
static void same_idempotency_key_raced_works_once(void **state)
{
	struct store_fixture *f = *state;
	struct racer a, b;
	char *v = NULL;
	struct err e;

	fx_begin(f->st);
	assert_int_equal(store_meta_set(f->st, "done", "0", &e), RC_OK);
	fx_commit(f->st);
	race(f, idem_race_run, &a, &b);
	assert_int_equal(a.won + b.won, 1);
	assert_int_equal(a.replayed + b.replayed, 1);
	assert_string_equal(a.reply, b.reply);
	assert_string_equal(a.reply, "{\"work\":1}");
	fx_begin(f->st);
	assert_int_equal(store_meta_get(f->st, "done", &v, &e), RC_OK);
	fx_commit(f->st);
	assert_string_equal(v, "1");
	free(v);
}

/* The assessment queue: once per dispute, oldest first, taken off once. */
static void assessment_queue_holds_each_dispute_once(void **state)
{
	struct store_fixture *f = *state;
	char id[ID_MAX];
	int found = 0, was = 0;
	struct err e;

	dispute_scene(f->st);
	fx_begin(f->st);
	put_dispute(f->st, "dsp_1", "open", "standard", 10, NULL);
	put_dispute(f->st, "dsp_2", "open", "standard", 10, NULL);
	assert_int_equal(store_assess_queue(f->st, "dsp_2", 5, &e), RC_OK);
	assert_int_equal(store_assess_queue(f->st, "dsp_1", 7, &e), RC_OK);
	assert_int_equal(store_assess_queue(f->st, "dsp_2", 9, &e), RC_OK);
	assert_int_equal(store_assess_next(f->st, id, &found, &e), RC_OK);
	assert_int_equal(found, 1);
	assert_string_equal(id, "dsp_2");
	assert_int_equal(store_assess_done(f->st, "dsp_2", &was, &e), RC_OK);
	assert_int_equal(was, 1);
	assert_int_equal(store_assess_done(f->st, "dsp_2", &was, &e), RC_OK);
	assert_int_equal(was, 0);
	assert_int_equal(store_assess_queued(f->st, "dsp_2", &found, &e), RC_OK);
	assert_int_equal(found, 0);
	assert_int_equal(store_assess_queued(f->st, "dsp_1", &found, &e), RC_OK);
	assert_int_equal(found, 1);
	fx_commit(f->st);
}

/* The agent queue: by tier's place, then next due time, then id; pages neither repeat nor skip. */
static void agent_queue_orders_by_tier_due_and_id_in_pages(void **state)
{
	struct store_fixture *f = *state;
	struct store_dispute_filter flt = {NULL, NULL, NULL, NULL, NULL, -1};
	const char *want[] = {"dsp_4", "dsp_3", "dsp_1", "dsp_2", "dsp_5"};
	json_t *states = json_pack("[s]", "open"), *tiers = json_pack("[s, s]", "fast", "standard");
	struct store_queue_pos pos, last;
	json_t *items = NULL;
	int more = 1, k = 0;
	size_t i;
	struct err e;

	dispute_scene(f->st);
	fx_begin(f->st);
	put_dispute(f->st, "dsp_1", "open", "standard", 10, "2025-10-01T00:00:00Z");
	put_dispute(f->st, "dsp_2", "open", "standard", 10, "2025-10-01T00:00:00.500Z");
	put_dispute(f->st, "dsp_3", "open", "fast", 10, NULL);
	put_dispute(f->st, "dsp_4", "open", "fast", 10, "2025-10-02T08:00:00+08:00");
	put_dispute(f->st, "dsp_5", "open", "other", 10, "2025-09-01T00:00:00Z");
	put_dispute(f->st, "dsp_6", "closed", "fast", 10, "2025-09-01T00:00:00Z");
	fx_commit(f->st);
	memset(&pos, 0, sizeof(pos));
	fx_begin(f->st);
	while (more) {
		assert_int_equal(store_dispute_queue(f->st, &flt, states, tiers, &pos, 2, &items, &last,
						     &more, &e), RC_OK);
		for (i = 0; i < json_array_size(items); i++, k++) {
			assert_true(k < 5);
			assert_string_equal(body_id(json_array_get(items, i)), want[k]);
		}
		json_decref(items);
		pos = last;
	}
	assert_int_equal(k, 5);
	assert_int_equal(last.rank, 2);
	assert_int_equal(last.due, 1756684800000LL);
	fx_commit(f->st);
	json_decref(states);
	json_decref(tiers);
}

/* One active suspension per listing; lifted once; a dispute's active ones listed. */
static void a_listing_is_suspended_once_until_lifted(void **state)
{
	struct store_fixture *f = *state;
	json_t *body = json_pack("{s:s}", "id", "sus_1"), *got = NULL, *listings = NULL;
	struct err e;

	dispute_scene(f->st);
	fx_begin(f->st);
	put_dispute(f->st, "dsp_1", "open", "standard", 10, NULL);
	assert_int_equal(store_suspension_insert(f->st, "sus_1", DSP_LST, "dsp_1", 10, body, &e),
			 RC_OK);
	assert_int_equal(store_suspension_insert(f->st, "sus_2", DSP_LST, "dsp_1", 11, body, &e),
			 RC_CONFLICT);
	assert_string_equal(e.code, "already_suspended");
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_suspension_active(f->st, DSP_LST, &got, &e), RC_OK);
	assert_string_equal(body_id(got), "sus_1");
	json_decref(got);
	assert_int_equal(store_suspensions_of_dispute(f->st, "dsp_1", &listings, &e), RC_OK);
	assert_int_equal(json_array_size(listings), 1);
	json_decref(listings);
	assert_int_equal(store_suspension_lift(f->st, "sus_1", 20, body, &e), RC_OK);
	assert_int_equal(store_suspension_lift(f->st, "sus_1", 21, body, &e), RC_NOTFOUND);
	assert_int_equal(store_suspension_active(f->st, DSP_LST, &got, &e), RC_NOTFOUND);
	assert_int_equal(store_suspension_insert(f->st, "sus_2", DSP_LST, "dsp_1", 30, body, &e),
			 RC_OK);
	fx_commit(f->st);
	json_decref(body);
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

struct ledger_walked {
	int entries, unbalanced, accounts, wrong;
};

static int walk_entry(void *ctx, const struct store_entry_check *c)
{
	struct ledger_walked *w = ctx;

	w->entries++;
	w->unbalanced += c->sum != 0 || c->legs != 2 || c->accounts != 1;
	return RC_OK;
}

static int walk_account(void *ctx, const struct store_account_check *c)
{
	struct ledger_walked *w = ctx;

	w->accounts++;
	w->wrong += c->a->balance != c->legs_sum || c->a->held != c->parts_sum;
	return RC_OK;
}

static void ledger_entries_move_balances_and_list_by_owner_in_pages(void **state)
{
	struct store_fixture *f = *state;
	struct store_account world, settle, pay, a;
	struct ledger_walked w = {0};
	struct store_fund_walk walk = {walk_entry, walk_account, NULL, NULL, NULL, &w};
	json_t *items = NULL, *body = NULL;
	char id[ID_MAX];
	int64_t next;
	struct err e;

	fx_begin(f->st);
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
	fx_commit(f->st);

	fx_begin(f->st);
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
	fx_commit(f->st);
}

static void an_overdraft_is_refused_by_the_schema_and_nothing_of_it_commits(void **state)
{
	struct store_fixture *f = *state;
	struct store_account world, settle, pay;
	json_t *body = NULL;
	struct err e;

	fx_begin(f->st);
	world = account(f->st, "platform", "world");
	settle = account(f->st, MER1, "settlement");
	pay = account(f->st, "cus_000000000000000000000001", "payable");
	assert_int_equal(move(f->st, "led_1", &world, &settle, 100, &e), RC_OK);
	fx_commit(f->st);
	fx_begin(f->st);
	err_clear(&e);
	assert_int_equal(move(f->st, "led_2", &settle, &pay, 101, &e), RC_CONFLICT);
	assert_int_not_equal(store_end(f->st, 1, &e), RC_OK);
	fx_begin(f->st);
	assert_int_equal(balance_of(f->st, MER1, "settlement"), 100);
	assert_int_equal(balance_of(f->st, "cus_000000000000000000000001", "payable"), 0);
	assert_int_equal(store_fund_entry_get(f->st, "led_2", &body, &e), RC_NOTFOUND);
	fx_commit(f->st);
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

	fx_begin(f->st);
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
	fx_commit(f->st);
	fx_begin(f->st);
	assert_int_equal(store_fund_op_get(f->st, "k-1", hash, &got, &e), RC_OK);
	assert_string_equal(hash, "ab12");
	assert_true(json_equal(got, body));
	json_decref(got);
	fx_commit(f->st);
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
	cmocka_unit_test_setup_teardown(legal_holds_hold_an_order_until_lifted_once, su, td), \
	cmocka_unit_test_setup_teardown(shredding_is_registered_once_and_the_order_is_no_longer_due, su, td), \
	cmocka_unit_test_setup_teardown(record_walk_links_orders_to_items_and_blobs_by_digest, su, td), \
	cmocka_unit_test_setup_teardown(disclosures_are_listed_by_filter_updated_and_keep_their_events, su, td), \
	cmocka_unit_test_setup_teardown( webhook_events_queue_for_subscribers_and_attempts_are_recorded, su, td), \
	cmocka_unit_test_setup_teardown(webhook_claims_at_once_are_disjoint, su, td), \
	cmocka_unit_test_setup_teardown(webhook_lease_hides_a_claim_until_it_ends, su, td), \
	cmocka_unit_test_setup_teardown(merchant_flag_is_set_once_keeps_evidence_and_clears_once, su, td), \
	cmocka_unit_test_setup_teardown(consumer_flag_is_appealed_decided_cleared_and_counted, su, td), \
	cmocka_unit_test_setup_teardown(alerts_are_kept_once_and_listed_in_pages, su, td), \
	cmocka_unit_test_setup_teardown(proposals_are_open_once_and_decided_once, su, td), \
	cmocka_unit_test_setup_teardown(disputes_and_events_page_filter_and_conflict, su, td), \
	cmocka_unit_test_setup_teardown(timers_come_due_in_order_and_fire_once, su, td), \
	cmocka_unit_test_setup_teardown(timers_are_taken_once_across_connections, su, td), \
	cmocka_unit_test_setup_teardown(same_timer_raced_fires_once, su, td), \
	cmocka_unit_test_setup_teardown(same_idempotency_key_raced_works_once, su, td), \
	cmocka_unit_test_setup_teardown(assessment_queue_holds_each_dispute_once, su, td), \
	cmocka_unit_test_setup_teardown(agent_queue_orders_by_tier_due_and_id_in_pages, su, td), \
	cmocka_unit_test_setup_teardown(a_listing_is_suspended_once_until_lifted, su, td), \
	cmocka_unit_test_setup_teardown(ledger_entries_move_balances_and_list_by_owner_in_pages, su, td), \
	cmocka_unit_test_setup_teardown( an_overdraft_is_refused_by_the_schema_and_nothing_of_it_commits, su, td), \
	cmocka_unit_test_setup_teardown( holds_and_payouts_close_once_and_receivables_recover_oldest_first, su, td)

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
