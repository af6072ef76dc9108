/* test_rules_set.c - unit tests of the published rules versions: the first from the file, lookups by version and time, publishing with notice, checks that report every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/rules_set.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "store_fixture.h"

#define DAY_MS (24LL * 3600 * 1000)

struct fx {
	char dir[64];         /* a temporary directory */
	void *store;          /* the store's fixture (store_fixture.h), on either backend */
	int pg;               /* on PostgreSQL */
	char file[96];        /* its rules file: the shipped one */
	char *text;           /* the shipped rules */
	struct store *st;
	int64_t now;          /* 2025-09-29T02:00:00Z */
};

static int64_t at(const char *s)
{
	int64_t ms = 0;

	assert_int_equal(time_parse(s, &ms), RC_OK);
	return ms;
}

static void write_file(const char *path, const char *text)
{
	assert_true(g_file_set_contents(path, text, -1, NULL));
}

/* A fresh store on SQLite, or on PostgreSQL when `pg`, and the shipped rules file. */
static int setup_on(void **state, int pg)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pg = pg;
	if (pg)
		store_setup_pg(&f->store);
	else
		store_setup(&f->store);
	f->st = ((struct store_fixture *)f->store)->st;
	snprintf(f->dir, sizeof(f->dir), "/tmp/disputed-rset-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->file, sizeof(f->file), "%s/rules.ini", f->dir);
	assert_true(g_file_get_contents(RULES_DEFAULT_PATH, &f->text, NULL, NULL));
	write_file(f->file, f->text);
	f->now = at("2025-09-29T02:00:00Z");
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_on(state, 0);
}

static int setup_pg(void **state)
{
	return setup_on(state, 1);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	if (f->pg)
		store_teardown_pg(&f->store);
	else
		store_teardown(&f->store);
	g_free(f->text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The shipped rules with `version`, `published_at` and merchant_response changed. Freed with g_free. */
static char *draft(struct fx *f, const char *version, int64_t published_at, const char *merchant)
{
	char when[TIME_TEXT_MAX], *a, *b, *c;
	GRegex *re;

	time_format(published_at, when);
	re = g_regex_new("^version = .*$", G_REGEX_MULTILINE, 0, NULL);
	c = g_strdup_printf("version = %s", version);
	a = g_regex_replace_literal(re, f->text, -1, 0, c, 0, NULL);
	g_regex_unref(re);
	g_free(c);
	re = g_regex_new("^published_at = .*$", G_REGEX_MULTILINE, 0, NULL);
	c = g_strdup_printf("published_at = %s", when);
	b = g_regex_replace_literal(re, a, -1, 0, c, 0, NULL);
	g_regex_unref(re);
	g_free(c);
	g_free(a);
	re = g_regex_new("^merchant_response = .*$", G_REGEX_MULTILINE, 0, NULL);
	c = g_strdup_printf("merchant_response = %s", merchant);
	a = g_regex_replace_literal(re, b, -1, 0, c, 0, NULL);
	g_regex_unref(re);
	g_free(c);
	g_free(b);
	return a;
}

/* Open the set in its own transaction. */
static struct rules_set *open_set(struct fx *f, char note[RULES_NOTE_MAX])
{
	struct rules_set *s = NULL;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	if (rules_set_open(f->st, f->file, f->now, &s, note, &e))
		fail_msg("rules_set_open: %s", e.message);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
	return s;
}

/* Publish `text` at `now` in its own transaction: the result, `e` saying why. */
static int publish(struct fx *f, struct rules_set *s, const char *text, int64_t now,
		   struct err *e)
{
	int rc;

	err_clear(e);
	assert_int_equal(store_begin(f->st, e), RC_OK);
	rc = rules_set_publish(s, f->st, "text", text, strlen(text), now, NULL, NULL, e);
	assert_int_equal(store_end(f->st, rc == RC_OK, NULL), RC_OK);
	return rc;
}

static void sync_set(struct fx *f, struct rules_set *s)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(rules_set_sync(s, f->st, &e), RC_OK);
	assert_int_equal(store_end(f->st, 0, NULL), RC_OK);
}

static size_t count(const struct rules_set *s)
{
	json_t *v = rules_set_versions_json(s, 0);
	size_t n = json_array_size(v);

	json_decref(v);
	return n;
}

static void the_file_becomes_the_first_version_and_is_kept(void **state)
{
	struct fx *f = *state;
	struct rules_version_info info;
	struct rules_set *s, *again;
	char note[RULES_NOTE_MAX], want[RULES_DIGEST_MAX];
	const struct rules *r;

	s = open_set(f, note);
	assert_string_equal(note, "");
	r = rules_set_at(s, f->now);
	assert_non_null(r);
	assert_string_equal(r->version, "2025-10-01.1");
	assert_ptr_equal(r->set, s);
	assert_int_equal(rules_set_info(s, "2025-10-01.1", &info), RC_OK);
	assert_int_equal(info.loaded_at, f->now);
	rules_digest(f->text, strlen(f->text), want);
	assert_string_equal(info.digest, want);
	assert_int_equal(strncmp(want, "sha256:", 7), 0);
	assert_int_equal(strlen(want), 7 + 64);
	/* a second opening reads it back and stores nothing more */
	f->now += DAY_MS;
	again = open_set(f, note);
	assert_string_equal(note, "");
	assert_int_equal(count(again), 1);
	assert_int_equal(rules_set_info(again, "2025-10-01.1", &info), RC_OK);
	assert_int_equal(info.loaded_at, f->now - DAY_MS);
	rules_set_free(again);
	rules_set_free(s);
}

static void before_the_first_published_at_the_first_version_is_in_force(void **state)
{
	struct fx *f = *state;
	char note[RULES_NOTE_MAX];
	struct rules_set *s = open_set(f, note);
	const struct rules *first = rules_set_find(s, "2025-10-01.1");

	assert_non_null(first);
	assert_ptr_equal(rules_set_at(s, 0), first);
	assert_ptr_equal(rules_set_at(s, first->published_at - 1), first);
	assert_ptr_equal(rules_set_at(s, INT64_MAX), first);
	assert_null(rules_set_find(s, "2025-10-02.1"));
	assert_int_equal(rules_set_info(s, "2025-10-02.1", &(struct rules_version_info){0}),
			 RC_NOTFOUND);
	rules_set_free(s);
}

static void a_new_version_takes_effect_at_its_published_at(void **state)
{
	struct fx *f = *state;
	char note[RULES_NOTE_MAX];
	struct rules_set *s = open_set(f, note);
	int64_t when = f->now + RULES_NOTICE_MS;
	char *text = draft(f, "2025-09-29.1", when, "24h");
	const struct rules *first = rules_set_find(s, "2025-10-01.1"), *next;
	struct err e;
	json_t *list;

	assert_int_equal(publish(f, s, text, f->now, &e), RC_OK);
	/* the set takes it when it next reads the store, after the commit */
	assert_null(rules_set_find(s, "2025-09-29.1"));
	sync_set(f, s);
	next = rules_set_find(s, "2025-09-29.1");
	assert_non_null(next);
	assert_ptr_equal(next->set, s);
	assert_int_equal(next->deadline[RULES_STEP_MERCHANT_RESPONSE].n, 24);
	assert_ptr_equal(rules_set_at(s, when - 1), first);
	assert_ptr_equal(rules_set_at(s, when), next);
	/* each dispute keeps the version it recorded */
	assert_ptr_equal(rules_governing(next, "2025-10-01.1"), first);
	assert_ptr_equal(rules_governing(first, "2025-09-29.1"), next);
	assert_ptr_equal(rules_governing(next, "1999-01-01.1"), next);
	assert_ptr_equal(rules_governing(next, NULL), next);
	list = rules_set_versions_json(s, when);
	assert_int_equal(json_array_size(list), 2);
	assert_false(json_is_true(json_object_get(json_array_get(list, 0), "in_force")));
	assert_true(json_is_true(json_object_get(json_array_get(list, 1), "in_force")));
	json_decref(list);
	g_free(text);
	rules_set_free(s);
}

static void rules_loaded_alone_govern_every_dispute(void **state)
{
	struct rules *r = NULL;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(rules_load(NULL, &r, &e), RC_OK);
	assert_null(r->set);
	assert_ptr_equal(rules_governing(r, "2025-09-29.1"), r);
	assert_null(rules_governing(NULL, "2025-09-29.1"));
	rules_free(r);
}

static void less_than_seven_days_notice_is_refused_and_stores_nothing(void **state)
{
	struct fx *f = *state;
	char note[RULES_NOTE_MAX], earliest[TIME_TEXT_MAX];
	struct rules_set *s = open_set(f, note);
	char *text = draft(f, "2025-09-29.1", f->now + RULES_NOTICE_MS - 1, "24h");
	struct err e;

	assert_int_equal(publish(f, s, text, f->now, &e), RC_CONFLICT);
	assert_string_equal(e.code, "notice_too_short");
	assert_string_equal(e.param, "published_at");
	time_format(f->now + RULES_NOTICE_MS, earliest);
	assert_non_null(strstr(e.message, earliest));
	sync_set(f, s);
	assert_int_equal(count(s), 1);
	g_free(text);
	/* the notice counts from when it is loaded, not from the version's date */
	text = draft(f, "2025-09-29.1", f->now + RULES_NOTICE_MS, "24h");
	assert_int_equal(publish(f, s, text, f->now + 1, &e), RC_CONFLICT);
	assert_string_equal(e.code, "notice_too_short");
	assert_int_equal(publish(f, s, text, f->now, &e), RC_OK);
	g_free(text);
	rules_set_free(s);
}

static void a_version_is_published_once_and_versions_go_forward(void **state)
{
	struct fx *f = *state;
	char note[RULES_NOTE_MAX];
	struct rules_set *s = open_set(f, note);
	int64_t when = f->now + 8 * DAY_MS;
	char *text = draft(f, "2025-09-29.1", when, "24h");
	char *other = draft(f, "2025-09-29.1", when, "12h");
	char *first = draft(f, "2025-10-01.1", when + DAY_MS, "48h");
	char *earlier = draft(f, "2025-09-29.2", when, "24h");
	struct err e;

	assert_int_equal(publish(f, s, text, f->now, &e), RC_OK);
	assert_int_equal(publish(f, s, text, f->now, &e), RC_CONFLICT);
	assert_string_equal(e.code, "version_exists");
	assert_null(strstr(e.message, "other text"));
	assert_int_equal(publish(f, s, other, f->now, &e), RC_CONFLICT);
	assert_string_equal(e.code, "version_exists");
	assert_non_null(strstr(e.message, "other text"));
	assert_int_equal(publish(f, s, first, f->now, &e), RC_CONFLICT);
	assert_string_equal(e.code, "version_exists");
	assert_int_equal(publish(f, s, earlier, f->now, &e), RC_CONFLICT);
	assert_string_equal(e.code, "published_before_latest");
	assert_string_equal(e.param, "published_at");
	sync_set(f, s);
	assert_int_equal(count(s), 2);
	g_free(text);
	g_free(other);
	g_free(first);
	g_free(earlier);
	rules_set_free(s);
}

static void a_bad_draft_is_refused_with_its_line(void **state)
{
	struct fx *f = *state;
	char note[RULES_NOTE_MAX];
	struct rules_set *s = open_set(f, note);
	char *text = draft(f, "2025-09-29.1", f->now + 8 * DAY_MS, "2 days");
	struct err e;

	assert_int_equal(publish(f, s, text, f->now, &e), RC_INVAL);
	assert_string_equal(e.code, "invalid_duration");
	assert_string_equal(e.param, "deadlines.merchant_response");
	assert_int_equal(strncmp(e.message, "text:", 5), 0);
	sync_set(f, s);
	assert_int_equal(count(s), 1);
	g_free(text);
	rules_set_free(s);
}

static void another_process_publishing_is_seen_at_the_next_sync(void **state)
{
	struct fx *f = *state;
	char note[RULES_NOTE_MAX];
	struct rules_set *server = open_set(f, note), *cli = open_set(f, note);
	char *text = draft(f, "2025-09-29.1", f->now + 8 * DAY_MS, "24h");
	struct err e;

	assert_int_equal(publish(f, cli, text, f->now, &e), RC_OK);
	assert_null(rules_set_find(server, "2025-09-29.1"));
	sync_set(f, server);
	assert_non_null(rules_set_find(server, "2025-09-29.1"));
	sync_set(f, server);
	assert_int_equal(count(server), 2);
	g_free(text);
	rules_set_free(cli);
	rules_set_free(server);
}

static void a_file_unlike_the_published_versions_is_noted_not_used(void **state)
{
	struct fx *f = *state;
	char note[RULES_NOTE_MAX];
	struct rules_set *s = open_set(f, note);
	char *text;

	rules_set_free(s);
	/* a version never published */
	text = draft(f, "2025-11-01.1", f->now + DAY_MS, "24h");
	write_file(f->file, text);
	g_free(text);
	s = open_set(f, note);
	assert_non_null(strstr(note, "2025-11-01.1"));
	assert_non_null(strstr(note, "not published"));
	assert_int_equal(count(s), 1);
	assert_string_equal(rules_set_at(s, INT64_MAX)->version, "2025-10-01.1");
	rules_set_free(s);
	/* other text under the published version */
	text = draft(f, "2025-10-01.1", at("2025-10-01T00:00:00+08:00"), "24h");
	write_file(f->file, text);
	g_free(text);
	s = open_set(f, note);
	assert_non_null(strstr(note, "other text"));
	assert_int_equal(rules_set_at(s, INT64_MAX)->deadline[RULES_STEP_MERCHANT_RESPONSE].n, 48);
	rules_set_free(s);
}

static void a_check_reports_every_error(void **state)
{
	struct fx *f = *state;
	char *text = draft(f, "2025-13-01.1", f->now, "2 days");
	struct rules_check all;
	struct rules *r = NULL;
	struct err e;
	char *bad;

	bad = g_strconcat(text, "[bogus]\nx = 1\n", NULL);
	err_clear(&e);
	assert_int_equal(rules_parse("draft.ini", bad, strlen(bad), &all, &r, &e), RC_INVAL);
	assert_null(r);
	assert_int_equal(all.n, 3);
	assert_int_equal(all.dropped, 0);
	/* `e` is the first; every message names the file and the line */
	assert_string_equal(e.message, all.errors[0].message);
	assert_string_equal(all.errors[0].param, "bogus");
	assert_string_equal(all.errors[1].param, "rules.version");
	assert_string_equal(all.errors[2].param, "deadlines.merchant_response");
	assert_int_equal(strncmp(all.errors[1].message, "draft.ini:", 10), 0);
	/* without `all`, the first error alone, as rules_load gives it */
	assert_int_equal(rules_parse("draft.ini", bad, strlen(bad), NULL, &r, &e), RC_INVAL);
	assert_string_equal(e.param, "bogus");
	g_free(bad);
	g_free(text);
}

/* The tests that open a store, with the fixture `su` (one backend) and `td`. */
#define STORED(su, td)                                                                           \
	cmocka_unit_test_setup_teardown(the_file_becomes_the_first_version_and_is_kept, su, td), \
	cmocka_unit_test_setup_teardown(before_the_first_published_at_the_first_version_is_in_force, \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(a_new_version_takes_effect_at_its_published_at, su, td), \
	cmocka_unit_test_setup_teardown(less_than_seven_days_notice_is_refused_and_stores_nothing, \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(a_version_is_published_once_and_versions_go_forward, su, \
					td),                                                     \
	cmocka_unit_test_setup_teardown(a_bad_draft_is_refused_with_its_line, su, td),          \
	cmocka_unit_test_setup_teardown(another_process_publishing_is_seen_at_the_next_sync, su, \
					td),                                                     \
	cmocka_unit_test_setup_teardown(a_file_unlike_the_published_versions_is_noted_not_used, \
					su, td),                                                 \
	cmocka_unit_test_setup_teardown(a_check_reports_every_error, su, td)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_loaded_alone_govern_every_dispute),
		STORED(setup, teardown),
	};
	const struct CMUnitTest pg_tests[] = {
		STORED(setup_pg, teardown),
	};
	int failed = cmocka_run_group_tests_name("rules versions on SQLite", tests, NULL, NULL);

	if (!store_test_pg()) {
		printf("rules versions on PostgreSQL: skipped, DISPUTED_TEST_PG is not set\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("rules versions on PostgreSQL", pg_tests, NULL,
						    NULL);
}
