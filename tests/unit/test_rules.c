/* test_rules.c - unit tests of the dispute rules: the shipped file, deadlines, return window, tiers, JSON, bad files. */
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

#include "cases/calendar.h"
#include "cases/rules.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "ingest/ingest.h"

/* The shipped rules and calendar, loaded once for the whole group. */
static struct rules *rules;
static struct calendar *cal;

static int group_setup(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	if (calendar_load_dir(NULL, &cal, &e) != RC_OK || rules_load(NULL, &rules, &e) != RC_OK) {
		fprintf(stderr, "cannot load etc/: %s\n", e.message);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rules_free(rules);
	calendar_free(cal);
	return 0;
}

static int64_t at(const char *s)
{
	int64_t ms = 0;

	assert_int_equal(time_parse(s, &ms), RC_OK);
	return ms;
}

static void assert_time(int64_t ms, const char *want)
{
	char text[TIME_TEXT_MAX];

	time_format(ms, text);
	assert_string_equal(text, want);
}

/* A small valid rules file; the line numbers are used by the bad-file tests. */
static const char base[] =
	"[rules]\n"                                  /* 1 */
	"version = 2025-10-01.1\n"                   /* 2 */
	"published_at = 2025-10-01T00:00:00+08:00\n" /* 3 */
	"title = test rules\n"                       /* 4 */
	"[deadlines]\n"                              /* 5 */
	"merchant_response = 48h\n"                  /* 6 */
	"consumer_reply = 72h\n"                     /* 7 */
	"platform_review = 3wd\n"                    /* 8 */
	"appeal = 7d\n"                              /* 9 */
	"execution = 3wd\n"                          /* 10 */
	"[no_reason_return]\n"                       /* 11 */
	"window = 7d\n"                              /* 12 */
	"excluded_flags = custom;perishable\n"       /* 13 */
	"[tiers]\n"                                  /* 14 */
	"serious_reasons = safety;counterfeit\n"     /* 15 */
	"flagged_merchant_serious = true\n"          /* 16 */
	"fast_lane_max = 200.00 CNY\n"               /* 17 */
	"[reason.not_delivered]\n"                   /* 18 */
	"zh = 未送达\n"                              /* 19 */
	"en = Not delivered\n"                       /* 20 */
	"[funds]\n"                                  /* 21 */
	"serious_hold = true\n"                      /* 22 */
	"return_receipt = 7d\n"                      /* 23 */
	"[disclosure]\n"                             /* 24 */
	"response = 5wd\n"                           /* 25 */
	"[assist]\n"                                 /* 26 */
	"auto_grant = not_received\n"                /* 27 */
	"auto_grant_confidence = 0.9\n"              /* 28 */
	"[negotiation]\n"                            /* 29 */
	"rounds = 3\n"                               /* 30 */
	"[burden]\n"                                 /* 31 */
	"admissions = 发错了;our mistake\n"          /* 32 */
	"[repeated_fraud]\n"                         /* 33 */
	"upheld = 3\n"                               /* 34 */
	"reasons = counterfeit;not_as_described\n"   /* 35 */
	"window = 90d\n"                             /* 36 */
	"pay_first = true\n";                        /* 37 */

/* `base` with the first `from` replaced by `to`. Freed with g_free. */
static char *edit(const char *from, const char *to)
{
	const char *p = strstr(base, from);

	assert_non_null(p);
	return g_strdup_printf("%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
}

/* Load `text` as a rules file; the path goes to `path`. */
static int load_text(const char *text, struct rules **r, char path[64], struct err *e)
{
	int fd, rc;

	snprintf(path, 64, "/tmp/disputed-rules-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = rules_load(path, r, e);
	unlink(path);
	return rc;
}

/* Loading `text` fails with `code` naming `param` and, unless 0, `line`. */
static void load_fails(const char *text, const char *code, const char *param, int line)
{
	struct rules *r = (struct rules *)1;
	char path[64], want[100];
	struct err e;

	err_clear(&e);
	assert_int_equal(load_text(text, &r, path, &e), RC_INVAL);
	assert_null(r);
	if (strcmp(e.code, code) != 0 || strcmp(e.param, param) != 0)
		fail_msg("got %s/%s (%s), want %s/%s", e.code, e.param, e.message, code, param);
	if (line) {
		snprintf(want, sizeof(want), "%s:%d: ", path, line);
		if (strncmp(e.message, want, strlen(want)) != 0)
			fail_msg("message \"%s\" does not start \"%s\"", e.message, want);
	}
}

/* Edit `base` and expect the load to fail. */
static void edit_fails(const char *from, const char *to, const char *code, const char *param,
		       int line)
{
	char *text = edit(from, to);

	load_fails(text, code, param, line);
	g_free(text);
}

/* ---- the shipped file ---- */

static void shipped_rules_hold_the_issue_defaults(void **state)
{
	static const char *const codes[] = {
		"not_delivered", "not_as_described", "quality_defect", "counterfeit_goods",
		"merchant_no_response", "consumer_evidence_insufficient", "return_window_closed",
		NULL,
	};
	size_t i;

	(void)state;
	assert_string_equal(rules->version, "2025-10-01.1");
	assert_int_equal(rules->published_at, at("2025-10-01T00:00:00+08:00"));
	assert_true(strlen(rules->title) > 0);
	assert_int_equal(rules->deadline[RULES_STEP_MERCHANT_RESPONSE].n, 48);
	assert_int_equal(rules->deadline[RULES_STEP_MERCHANT_RESPONSE].unit, RULES_UNIT_HOURS);
	assert_int_equal(rules->deadline[RULES_STEP_CONSUMER_REPLY].n, 72);
	assert_int_equal(rules->deadline[RULES_STEP_CONSUMER_REPLY].unit, RULES_UNIT_HOURS);
	assert_int_equal(rules->deadline[RULES_STEP_PLATFORM_REVIEW].n, 3);
	assert_int_equal(rules->deadline[RULES_STEP_PLATFORM_REVIEW].unit,
			 RULES_UNIT_WORKING_DAYS);
	assert_int_equal(rules->deadline[RULES_STEP_APPEAL].n, 7);
	assert_int_equal(rules->deadline[RULES_STEP_APPEAL].unit, RULES_UNIT_DAYS);
	assert_int_equal(rules->deadline[RULES_STEP_EXECUTION].n, 3);
	assert_int_equal(rules->deadline[RULES_STEP_EXECUTION].unit, RULES_UNIT_WORKING_DAYS);
	assert_int_equal(rules->return_window.n, 7);
	assert_int_equal(rules->return_window.unit, RULES_UNIT_DAYS);
	for (i = 0; listing_flag_names[i]; i++)
		assert_true(rules_return_excluded(rules, listing_flag_names[i]));
	assert_string_equal(rules->serious_reasons[0], "safety");
	assert_string_equal(rules->serious_reasons[1], "counterfeit");
	assert_null(rules->serious_reasons[2]);
	assert_true(rules->flagged_merchant_serious);
	assert_int_equal(rules->repeat_fraud_upheld, 3);
	assert_string_equal(rules->repeat_fraud_reasons[1], "not_as_described");
	assert_null(rules->repeat_fraud_reasons[2]);
	assert_int_equal(rules->repeat_fraud_window.n, 90);
	assert_true(rules->flagged_pay_first);
	assert_int_equal(rules->fast_lane_max, 20000);
	for (i = 0; codes[i]; i++) {
		const struct rules_reason *rr = rules_reason_find(rules, codes[i]);

		if (!rr)
			fail_msg("reason code %s is missing", codes[i]);
		assert_true(strlen(rr->zh) > 0 && strlen(rr->en) > 0);
	}
	assert_null(rules_reason_find(rules, "no_such_code"));
	assert_null(rules_reason_find(rules, NULL));
}

/* ---- deadlines ---- */

static void deadlines_run_in_their_units_from_30_sep_2025(void **state)
{
	int64_t start = at("2025-09-30T10:00:00+08:00"), due = 0;
	int unc = -1;

	(void)state;
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_MERCHANT_RESPONSE, start, &due, &unc),
			 RC_OK);
	assert_time(due, "2025-10-02T02:00:00Z"); /* 48 elapsed hours, holiday or not */
	assert_int_equal(unc, 0);
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_CONSUMER_REPLY, start, &due, NULL),
			 RC_OK);
	assert_time(due, "2025-10-03T02:00:00Z");
	/* 3 working days: 9, 10 and Saturday 11 Oct (adjusted). */
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_PLATFORM_REVIEW, start, &due, &unc),
			 RC_OK);
	assert_time(due, "2025-10-11T16:00:00Z");
	assert_int_equal(unc, 0);
	/* 7 days: 7 Oct is in the break, 8 Oct too, 9 Oct works. */
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_APPEAL, start, &due, NULL), RC_OK);
	assert_time(due, "2025-10-09T16:00:00Z");
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_EXECUTION, start, &due, NULL), RC_OK);
	assert_time(due, "2025-10-11T16:00:00Z");
}

static void deadlines_report_years_without_calendar_data(void **state)
{
	int64_t due = 0;
	int unc = 0;

	(void)state;
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_PLATFORM_REVIEW,
					at("2026-12-30T10:00:00+08:00"), &due, &unc),
			 RC_OK);
	assert_time(due, "2027-01-04T16:00:00Z"); /* 31 Dec, (Fri) 1 Jan, Mon 4 Jan */
	assert_int_equal(unc, 2027);
	unc = 5;
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_MERCHANT_RESPONSE,
					at("2026-12-31T10:00:00+08:00"), &due, &unc),
			 RC_OK);
	assert_int_equal(unc, 0); /* hours need no calendar */
}

static void deadlines_refuse_unknown_steps_and_bad_times(void **state)
{
	int64_t due = 7;

	(void)state;
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP__COUNT, 0, &due, NULL), RC_INVAL);
	assert_int_equal(rules_deadline(rules, cal, (enum rules_step)-1, 0, &due, NULL), RC_INVAL);
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_APPEAL, -5, &due, NULL), RC_INVAL);
	assert_int_equal(rules_deadline(rules, cal, RULES_STEP_APPEAL, CALENDAR_MAX_MS, &due, NULL),
			 RC_INVAL);
	assert_int_equal(due, 7);
}

/* ---- no-reason returns ---- */

static void return_window_after_signed_30_sep_2025_ends_24_00_on_9_oct(void **state)
{
	char last[CALENDAR_DATE_TEXT_MAX];
	int64_t end = 0;
	int unc = -1;

	(void)state;
	assert_int_equal(rules_return_window(rules, cal, at("2025-09-30T14:05:00+08:00"), &end,
					     last, &unc),
			 RC_OK);
	assert_time(end, "2025-10-09T16:00:00Z");
	assert_string_equal(last, "2025-10-09");
	assert_int_equal(unc, 0);
	/* Signed at 00:30 on 1 Oct Beijing (30 Sep in UTC): 8 Oct, a holiday, then 9 Oct. */
	assert_int_equal(rules_return_window(rules, cal, at("2025-09-30T16:30:00Z"), &end, last,
					     NULL),
			 RC_OK);
	assert_string_equal(last, "2025-10-09");
	/* An ordinary week: signed Mon 3 Mar 2025, the 7th day is Mon 10 Mar. */
	assert_int_equal(rules_return_window(rules, cal, at("2025-03-03T20:00:00+08:00"), &end, last,
					     NULL),
			 RC_OK);
	assert_string_equal(last, "2025-03-10");
	assert_time(end, "2025-03-10T16:00:00Z");
	/* Signed Sat 1 Mar: the 7th day is Sat 8 Mar, so it runs to Mon 10 Mar. */
	assert_int_equal(rules_return_window(rules, cal, at("2025-03-01T09:00:00+08:00"), &end, last,
					     NULL),
			 RC_OK);
	assert_string_equal(last, "2025-03-10");
	/* Spring Festival 2026: signed 9 Feb, the 7th day 16 Feb is in the break to 23 Feb. */
	assert_int_equal(rules_return_window(rules, cal, at("2026-02-09T09:00:00+08:00"), &end, last,
					     NULL),
			 RC_OK);
	assert_string_equal(last, "2026-02-24");
}

static void listing_flags_exclude_no_reason_returns(void **state)
{
	(void)state;
	assert_true(rules_return_excluded(rules, "custom"));
	assert_true(rules_return_excluded(rules, "perishable"));
	assert_true(rules_return_excluded(rules, "digital_unsealed"));
	assert_true(rules_return_excluded(rules, "periodical"));
	assert_false(rules_return_excluded(rules, NULL));
	assert_false(rules_return_excluded(rules, ""));
	assert_false(rules_return_excluded(rules, "Perishable"));
}

/* ---- tiers ---- */

static void tier_of(const struct rules *r, const char *reason, int64_t amount, int flagged,
		    enum rules_tier want, const char *why_has)
{
	char why[RULES_TIER_REASON_MAX] = "";
	enum rules_tier t = RULES_TIER_STANDARD;

	assert_int_equal(rules_tier(r, reason, amount, flagged, &t, why), RC_OK);
	if (t != want)
		fail_msg("%s, %lld fen, flagged %d: tier %s, want %s", reason, (long long)amount,
			 flagged, rules_tier_name(t), rules_tier_name(want));
	if (!strstr(why, why_has))
		fail_msg("\"%s\" does not say \"%s\"", why, why_has);
}

static void tiers_follow_reason_then_merchant_flag_then_amount(void **state)
{
	char why[RULES_TIER_REASON_MAX] = "untouched";
	enum rules_tier t = RULES_TIER_FAST_LANE;

	(void)state;
	tier_of(rules, "safety", 100, 0, RULES_TIER_SERIOUS,
		"reason safety is serious under rules 2025-10-01.1");
	tier_of(rules, "counterfeit", 5000000, 0, RULES_TIER_SERIOUS, "reason counterfeit");
	tier_of(rules, "counterfeit", 100, 1, RULES_TIER_SERIOUS, "flagged for repeated fraud");
	tier_of(rules, "quality", 100, 1, RULES_TIER_SERIOUS,
		"the merchant is flagged for repeated fraud");
	tier_of(rules, "quality", 20000, 0, RULES_TIER_FAST_LANE,
		"claim 200.00 CNY is within the fast-lane maximum 200.00 CNY");
	tier_of(rules, "other", 0, 0, RULES_TIER_FAST_LANE, "claim 0.00 CNY is within");
	tier_of(rules, "not_received", 20001, 0, RULES_TIER_STANDARD,
		"claim 200.01 CNY is above the fast-lane maximum 200.00 CNY");
	tier_of(rules, NULL, 99999, 0, RULES_TIER_STANDARD, "is above");
	assert_int_equal(rules_tier(rules, "quality", -1, 0, &t, why), RC_INVAL);
	assert_int_equal(t, RULES_TIER_FAST_LANE);
	assert_string_equal(why, "untouched");
}

/* `text` with every `from` replaced by `to`; takes and gives a g_malloc'd string. */
static char *swap(char *text, const char *from, const char *to)
{
	gchar **parts = g_strsplit(text, from, -1);
	char *out;

	assert_true(g_strv_length(parts) > 1);
	out = g_strjoinv(to, parts);
	g_strfreev(parts);
	g_free(text);
	return out;
}

static void tiers_follow_edited_rules(void **state)
{
	char *text = g_strdup(base), path[64];
	struct rules *r = NULL;
	struct err e;

	(void)state;
	/* Flagged merchants no longer serious, only safety serious, fast lane up to 50.50 CNY. */
	text = swap(text, "flagged_merchant_serious = true", "flagged_merchant_serious = false");
	text = swap(text, "safety;counterfeit", "safety");
	text = swap(text, "200.00 CNY", "50.50 CNY");
	assert_int_equal(load_text(text, &r, path, &e), RC_OK);
	g_free(text);
	tier_of(r, "counterfeit", 100, 1, RULES_TIER_FAST_LANE, "within the fast-lane maximum 50.50");
	tier_of(r, "counterfeit", 5051, 1, RULES_TIER_STANDARD, "claim 50.51 CNY is above");
	tier_of(r, "safety", 5051, 1, RULES_TIER_SERIOUS, "reason safety is serious");
	rules_free(r);
}

/* ---- JSON ---- */

static void rules_json_holds_every_setting_version_and_reason_codes(void **state)
{
	json_t *j = rules_to_json(rules, NULL), *d, *c;
	size_t i;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "version")), "2025-10-01.1");
	assert_string_equal(json_string_value(json_object_get(j, "published_at")),
			    "2025-09-30T16:00:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "time_zone")), "+08:00");
	assert_non_null(json_object_get(json_object_get(j, "counting"), "working_days"));
	d = json_object_get(j, "deadlines");
	assert_int_equal(json_object_size(d), RULES_STEP__COUNT);
	for (i = 0; i < RULES_STEP__COUNT; i++)
		assert_non_null(json_object_get(d, rules_step_name((enum rules_step)i)));
	d = json_object_get(d, "platform_review");
	assert_int_equal(json_integer_value(json_object_get(d, "value")), 3);
	assert_string_equal(json_string_value(json_object_get(d, "unit")), "working_days");
	assert_string_equal(json_string_value(json_object_get(d, "text")), "3wd");
	d = json_object_get(json_object_get(j, "deadlines"), "merchant_response");
	assert_string_equal(json_string_value(json_object_get(d, "unit")), "hours");
	d = json_object_get(j, "no_reason_return");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(d, "window"), "unit")), "days");
	assert_int_equal(json_array_size(json_object_get(d, "excluded_flags")), 4);
	d = json_object_get(j, "tiers");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "fast_lane_max"),
							    "amount")),
			 20000);
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "fast_lane_max"),
							      "currency")),
			    "CNY");
	assert_true(json_is_true(json_object_get(d, "flagged_merchant_serious")));
	assert_int_equal(json_array_size(json_object_get(d, "serious_reasons")), 2);
	c = json_object_get(j, "reason_codes");
	assert_int_equal(json_array_size(c), rules->n_reasons);
	assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "code")),
			    rules->reasons[0].code);
	assert_non_null(json_object_get(json_array_get(c, 0), "zh"));
	assert_non_null(json_object_get(json_array_get(c, 0), "en"));
	assert_null(json_object_get(j, "calendar"));
	json_decref(j);

	j = rules_to_json(rules, cal);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "calendar"), "years")),
			 3);
	json_decref(j);
}

/* ---- syntax ---- */

static void durations_parse_strictly(void **state)
{
	static const char *const bad[] = {
		"", "48", "h", "0h", "0d", "-1d", "+1d", "48 h", " 48h", "48h ", "48H", "007d",
		"3.5d", "48hours", "7days", "3w", "3dw", "99999999999999999999h", "3661d",
		"87841h", "3661wd", "1e3h", NULL,
	};
	struct rules_duration d = {99, RULES_UNIT_DAYS};
	char text[RULES_DURATION_TEXT_MAX];
	size_t i;

	(void)state;
	assert_int_equal(rules_duration_parse("48h", &d), RC_OK);
	assert_int_equal(d.n, 48);
	assert_int_equal(d.unit, RULES_UNIT_HOURS);
	rules_duration_text(&d, text);
	assert_string_equal(text, "48h");
	assert_int_equal(rules_duration_parse("3wd", &d), RC_OK);
	assert_int_equal(d.unit, RULES_UNIT_WORKING_DAYS);
	rules_duration_text(&d, text);
	assert_string_equal(text, "3wd");
	assert_int_equal(rules_duration_parse("7d", &d), RC_OK);
	assert_int_equal(d.unit, RULES_UNIT_DAYS);
	assert_int_equal(rules_duration_parse("3660d", &d), RC_OK);
	assert_int_equal(rules_duration_parse("87840h", &d), RC_OK);
	for (i = 0; bad[i]; i++)
		if (rules_duration_parse(bad[i], &d) != RC_INVAL)
			fail_msg("\"%s\" was accepted", bad[i]);
	assert_int_equal(d.n, 87840);
}

static void names_of_steps_units_and_tiers(void **state)
{
	enum rules_step s = RULES_STEP_EXECUTION;
	int i;

	(void)state;
	for (i = 0; i < RULES_STEP__COUNT; i++) {
		assert_int_equal(rules_step_parse(rules_step_name((enum rules_step)i), &s), RC_OK);
		assert_int_equal(s, i);
	}
	assert_string_equal(rules_step_name(RULES_STEP_CONSUMER_REPLY), "consumer_reply");
	assert_string_equal(rules_step_name(RULES_STEP__COUNT), "");
	assert_int_equal(rules_step_parse("review", &s), RC_INVAL);
	assert_string_equal(rules_unit_name(RULES_UNIT_WORKING_DAYS), "working_days");
	assert_string_equal(rules_unit_name(RULES_UNIT_HOURS), "hours");
	assert_string_equal(rules_unit_name(RULES_UNIT_DAYS), "days");
	assert_string_equal(rules_tier_name(RULES_TIER_FAST_LANE), "fast_lane");
	assert_string_equal(rules_tier_name(RULES_TIER_SERIOUS), "serious");
	assert_string_equal(rules_tier_name(RULES_TIER_STANDARD), "standard");
}

/* ---- bad files ---- */

static void the_small_test_file_loads(void **state)
{
	struct rules *r = NULL;
	char path[64];
	struct err e;

	(void)state;
	assert_int_equal(load_text(base, &r, path, &e), RC_OK);
	assert_int_equal(r->n_reasons, 1);
	assert_string_equal(r->reasons[0].zh, "未送达");
	assert_false(rules_return_excluded(r, "periodical"));
	rules_free(r);
	rules_free(NULL);
}

static void an_unknown_key_is_refused_naming_it_and_its_line(void **state)
{
	(void)state;
	edit_fails("appeal = 7d\n", "appeal = 7d\nappeals = 7d\n", "unknown_key",
		   "deadlines.appeals", 10);
	edit_fails("title = test rules\n", "title = test rules\ntitle[en] = x\n", "unknown_key",
		   "rules.title[en]", 5);
	edit_fails("zh = 未送达\n", "zh = 未送达\nfr = x\n", "unknown_key", "reason.not_delivered.fr",
		   20);
	edit_fails("[tiers]", "[tier]", "unknown_group", "tier", 14);
	edit_fails("[reason.not_delivered]", "[reason.]", "unknown_group", "reason.", 18);
}

static void a_bad_duration_is_refused_naming_the_key_and_line(void **state)
{
	static const char *const bad[] = {
		"3 days", "3", "3 wd", "3WD", "0wd", "7d # a week", "-3wd", "3wd;", NULL,
	};
	struct rules *r = NULL;
	char path[64], *text, line[64];
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		snprintf(line, sizeof(line), "platform_review = %s\n", bad[i]);
		edit_fails("platform_review = 3wd\n", line, "invalid_duration",
			   "deadlines.platform_review", 8);
	}
	text = edit("platform_review = 3wd", "platform_review = 3 days");
	assert_int_equal(load_text(text, &r, path, &e), RC_INVAL);
	assert_non_null(strstr(e.message, "\"3 days\""));
	assert_non_null(strstr(e.message, "48h, 7d, 3wd"));
	g_free(text);
	/* The return window is in days only. */
	edit_fails("window = 7d", "window = 168h", "invalid_duration", "no_reason_return.window",
		   12);
	edit_fails("window = 7d", "window = 5wd", "invalid_duration", "no_reason_return.window",
		   12);
}

static void a_missing_key_is_refused_naming_it(void **state)
{
	(void)state;
	edit_fails("version = 2025-10-01.1\n", "", "missing_key", "rules.version", 1);
	edit_fails("version = 2025-10-01.1\n", "version =\n", "invalid_value", "rules.version", 2);
	edit_fails("execution = 3wd\n", "", "missing_key", "deadlines.execution", 5);
	edit_fails("excluded_flags = custom;perishable\n", "", "missing_key",
		   "no_reason_return.excluded_flags", 11);
	edit_fails("en = Not delivered\n", "", "missing_key", "reason.not_delivered.en", 18);
	edit_fails("[deadlines]\n", "[deadline]\n", "unknown_group", "deadline", 5);
}

static void bad_values_are_refused_naming_the_key(void **state)
{
	(void)state;
	edit_fails("2025-10-01.1", "2025-10-01", "invalid_value", "rules.version", 2);
	edit_fails("2025-10-01.1", "v1", "invalid_value", "rules.version", 2);
	edit_fails("2025-10-01.1", "2025-02-30.1", "invalid_value", "rules.version", 2);
	edit_fails("2025-10-01.1", "2025-10-01.01", "invalid_value", "rules.version", 2);
	edit_fails("2025-10-01T00:00:00+08:00", "1 October 2025", "invalid_value",
		   "rules.published_at", 3);
	edit_fails("custom;perishable", "custom;perishabel", "invalid_value",
		   "no_reason_return.excluded_flags", 13);
	edit_fails("custom;perishable", "custom;custom", "invalid_value",
		   "no_reason_return.excluded_flags", 13);
	edit_fails("safety;counterfeit", "safety;counterfiet", "invalid_value",
		   "tiers.serious_reasons", 15);
	edit_fails("= true", "= yes", "invalid_value", "tiers.flagged_merchant_serious", 16);
	edit_fails("200.00 CNY", "200", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "¥200", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "200.001 CNY", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "-5 CNY", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "0200 CNY", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "200.00 USD", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "200. CNY", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "200.00  CNY", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("200.00 CNY", "100000000001 CNY", "invalid_value", "tiers.fast_lane_max", 17);
	edit_fails("[reason.not_delivered]", "[reason.Not-Delivered]", "invalid_value",
		   "reason.Not-Delivered", 18);
	edit_fails("zh = 未送达", "zh =", "invalid_value", "reason.not_delivered.zh", 19);
	edit_fails("auto_grant = not_received", "auto_grant = not_recieved", "invalid_value",
		   "assist.auto_grant", 27);
	edit_fails("confidence = 0.9", "confidence = 0", "invalid_value",
		   "assist.auto_grant_confidence", 28);
	edit_fails("confidence = 0.9", "confidence = 1.5", "invalid_value",
		   "assist.auto_grant_confidence", 28);
	edit_fails("confidence = 0.9", "confidence = 90%", "invalid_value",
		   "assist.auto_grant_confidence", 28);
	edit_fails("rounds = 3", "rounds = 0", "invalid_value", "negotiation.rounds", 30);
	edit_fails("rounds = 3", "rounds = 21", "invalid_value", "negotiation.rounds", 30);
	edit_fails("rounds = 3", "rounds = three", "invalid_value", "negotiation.rounds", 30);
	edit_fails("rounds = 3", "rounds = 03", "invalid_value", "negotiation.rounds", 30);
	edit_fails("rounds = 3\n", "", "missing_key", "negotiation.rounds", 0);
	edit_fails("发错了;our mistake", "发错了;发错了", "invalid_value", "burden.admissions", 32);
	edit_fails("admissions = 发错了;our mistake\n", "", "missing_key", "burden.admissions", 0);
	edit_fails("upheld = 3", "upheld = 0", "invalid_value", "repeated_fraud.upheld", 34);
	edit_fails("upheld = 3", "upheld = three", "invalid_value", "repeated_fraud.upheld", 34);
	edit_fails("not_as_described\n", "not_as_descrbed\n", "invalid_value",
		   "repeated_fraud.reasons", 35);
	edit_fails("window = 90d", "window = 90h", "invalid_duration", "repeated_fraud.window", 36);
	edit_fails("pay_first = true", "pay_first = 1", "invalid_value",
		   "repeated_fraud.pay_first", 37);
}

static void negotiation_rounds_and_admissions_load_and_publish(void **state)
{
	struct rules *r = NULL;
	char path[64], *text;
	json_t *j;
	struct err e;

	(void)state;
	assert_int_equal(rules->negotiation_rounds, 3);
	assert_string_equal(rules->admissions[0], "发错了");
	assert_non_null(rules_reason_find(rules, RULES_REASON_INSUFFICIENT));
	text = edit("admissions = 发错了;our mistake", "admissions =");
	assert_int_equal(load_text(text, &r, path, &e), RC_OK);
	assert_null(r->admissions[0]);
	assert_int_equal(r->negotiation_rounds, 3);
	j = rules_to_json(r, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "negotiation"),
							    "rounds")), 3);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "burden"),
							 "admissions")), 0);
	json_decref(j);
	rules_free(r);
	g_free(text);
	j = rules_to_json(rules, NULL);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(json_object_get(j, "burden"), "admissions"), 0)), "发错了");
	json_decref(j);
}

static void money_in_yuan_becomes_fen(void **state)
{
	static const struct {
		const char *text;
		int64_t fen;
	} cases[] = {
		{"0 CNY", 0}, {"0.01 CNY", 1}, {"199.5 CNY", 19950}, {"200 CNY", 20000},
		{"100000000000 CNY", 10000000000000LL},
	};
	struct rules *r = NULL;
	char path[64], *text, with[64];
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(with, sizeof(with), "fast_lane_max = %s", cases[i].text);
		text = edit("fast_lane_max = 200.00 CNY", with);
		assert_int_equal(load_text(text, &r, path, &e), RC_OK);
		assert_int_equal(r->fast_lane_max, cases[i].fen);
		rules_free(r);
		g_free(text);
	}
}

static void a_key_given_twice_or_a_junk_line_is_refused(void **state)
{
	(void)state;
	edit_fails("appeal = 7d\n", "appeal = 7d\nappeal = 14d\n", "duplicate_key",
		   "deadlines.appeal", 10);
	edit_fails("[tiers]\n", "[tiers]\n[deadlines]\n", "duplicate_key", "[deadlines]", 15);
	edit_fails("appeal = 7d\n", "appeal 7d\n", "invalid_file", "", 9);
	load_fails("version = 1\n[rules]\n", "invalid_file", "", 1);
}

static void a_missing_file_is_an_io_error(void **state)
{
	struct rules *r = (struct rules *)1;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(rules_load("/nonexistent/rules.ini", &r, &e), RC_IO);
	assert_null(r);
	assert_non_null(strstr(e.message, "/nonexistent/rules.ini"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_rules_hold_the_issue_defaults),
		cmocka_unit_test(deadlines_run_in_their_units_from_30_sep_2025),
		cmocka_unit_test(deadlines_report_years_without_calendar_data),
		cmocka_unit_test(deadlines_refuse_unknown_steps_and_bad_times),
		cmocka_unit_test(return_window_after_signed_30_sep_2025_ends_24_00_on_9_oct),
		cmocka_unit_test(listing_flags_exclude_no_reason_returns),
		cmocka_unit_test(tiers_follow_reason_then_merchant_flag_then_amount),
		cmocka_unit_test(tiers_follow_edited_rules),
		cmocka_unit_test(rules_json_holds_every_setting_version_and_reason_codes),
		cmocka_unit_test(durations_parse_strictly),
		cmocka_unit_test(names_of_steps_units_and_tiers),
		cmocka_unit_test(the_small_test_file_loads),
		cmocka_unit_test(an_unknown_key_is_refused_naming_it_and_its_line),
		cmocka_unit_test(a_bad_duration_is_refused_naming_the_key_and_line),
		cmocka_unit_test(a_missing_key_is_refused_naming_it),
		cmocka_unit_test(bad_values_are_refused_naming_the_key),
		cmocka_unit_test(money_in_yuan_becomes_fen),
		cmocka_unit_test(negotiation_rounds_and_admissions_load_and_publish),
		cmocka_unit_test(a_key_given_twice_or_a_junk_line_is_refused),
		cmocka_unit_test(a_missing_file_is_an_io_error),
	};

	return cmocka_run_group_tests_name("rules", tests, group_setup, group_teardown);
}
