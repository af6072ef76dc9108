/* test_core.c - unit tests of the core module: buffer, checks, time, numbers, JSON fields, config, ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/idcheck.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/num.h"
#include "core/timeutil.h"

/* Assert that `e` holds an RC_INVAL failure with this code and param. */
#define assert_err(e, c, p)                          \
	do {                                         \
		assert_int_equal((e).rc, RC_INVAL);  \
		assert_string_equal((e).code, (c));  \
		assert_string_equal((e).param, (p)); \
	} while (0)

/* ---- err ---- */

static void err_set_records_details_and_returns_rc(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(err_set(&e, RC_CONFLICT, "case_closed", "case_id",
				 "case %s is closed", "cas_1"),
			 RC_CONFLICT);
	assert_int_equal(e.rc, RC_CONFLICT);
	assert_string_equal(e.code, "case_closed");
	assert_string_equal(e.param, "case_id");
	assert_string_equal(e.message, "case cas_1 is closed");
	assert_int_equal(err_set(&e, RC_NOTFOUND, NULL, NULL, "gone"), RC_NOTFOUND);
	assert_string_equal(e.code, "notfound");
	assert_string_equal(e.param, "");
	assert_int_equal(err_set(NULL, RC_INVAL, "x", "y", "z"), RC_INVAL);
	err_clear(&e);
	assert_int_equal(e.rc, RC_OK);
	assert_string_equal(e.code, "");
}

static void rc_maps_to_http_status_and_name(void **state)
{
	(void)state;
	assert_int_equal(rc_http_status(RC_OK), 200);
	assert_int_equal(rc_http_status(RC_INVAL), 400);
	assert_int_equal(rc_http_status(RC_UNAUTH), 401);
	assert_int_equal(rc_http_status(RC_FORBIDDEN), 403);
	assert_int_equal(rc_http_status(RC_NOTFOUND), 404);
	assert_int_equal(rc_http_status(RC_CONFLICT), 409);
	assert_int_equal(rc_http_status(RC_TOOBIG), 413);
	assert_int_equal(rc_http_status(RC_UNSUPPORTED), 415);
	assert_int_equal(rc_http_status(RC_DB), 500);
	assert_int_equal(rc_http_status(-1), 500);
	assert_int_equal(rc_http_status(RC__COUNT), 500);
	assert_string_equal(rc_strerror(RC_TOOBIG), "toobig");
	assert_string_equal(rc_strerror(RC__COUNT), "unknown");
	assert_string_equal(rc_error_type(RC_INVAL), "invalid_request");
	assert_string_equal(rc_error_type(RC_INTERNAL), "api_error");
	assert_int_equal(rc_http_status(RC_UPSTREAM), 502);
	assert_string_equal(rc_strerror(RC_UPSTREAM), "upstream");
	assert_string_equal(rc_error_type(RC_UPSTREAM), "api_error");
}

/* ---- buf ---- */

static void buf_feed_drops_a_stream_past_the_cap_and_says_so(void **state)
{
	struct buf b;
	int over = 0;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_feed(&b, "abcd", 4, &over), RC_OK);
	assert_int_equal(over, 0);
	assert_string_equal(b.data, "abcd");
	assert_int_equal(buf_feed(&b, "efghi", 5, &over), RC_OK);
	assert_int_equal(over, 1);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_feed(&b, "j", 1, &over), RC_OK);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void buf_append_grows_past_first_allocation(void **state)
{
	struct buf b;
	char want[1001];
	int i;

	(void)state;
	buf_init(&b, 1 << 20);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_appends(&b, "0123456789"), RC_OK);
	for (i = 0; i < 1000; i++)
		want[i] = (char)('0' + i % 10);
	want[1000] = '\0';
	assert_int_equal(b.len, 1000);
	assert_true(b.alloc > 1000);
	assert_string_equal(b.data, want);
	assert_int_equal(buf_append(&b, "ab\0cd", 5), RC_OK);
	assert_int_equal(b.len, 1005);
	assert_memory_equal(b.data + 1000, "ab\0cd", 6);
	buf_release(&b);
}

static void buf_printf_grows_and_appends(void **state)
{
	struct buf b;
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 4096);
	assert_int_equal(buf_printf(&b, "n=%d ", 42), RC_OK);
	assert_int_equal(buf_printf(&b, "%s|%s", big, "end"), RC_OK);
	assert_int_equal(b.len, 5 + 299 + 4);
	assert_memory_equal(b.data, "n=42 xxx", 8);
	assert_string_equal(b.data + 5 + 299, "|end");
	buf_release(&b);
}

static void buf_cap_returns_toobig_and_keeps_content(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_appends(&b, "hello"), RC_OK);
	assert_int_equal(buf_appends(&b, "world!"), RC_TOOBIG);
	assert_string_equal(b.data, "hello");
	assert_int_equal(b.len, 5);
	assert_int_equal(buf_printf(&b, "%s", "123456"), RC_TOOBIG);
	assert_string_equal(b.data, "hello");
	assert_int_equal(b.len, 5);
	assert_int_equal(buf_appends(&b, "world"), RC_OK); /* exactly at the cap */
	assert_string_equal(b.data, "helloworld");
	assert_int_equal(buf_append(&b, "!", 1), RC_TOOBIG);
	assert_int_equal(buf_printf(&b, "!"), RC_TOOBIG);
	assert_string_equal(b.data, "helloworld");
	assert_int_equal(buf_append(&b, "", 0), RC_OK);
	assert_int_equal(b.len, 10);
	buf_release(&b);
}

static void buf_cap_on_empty_buffer_leaves_it_empty(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 3);
	assert_int_equal(buf_appends(&b, "four"), RC_TOOBIG);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), RC_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void buf_detach_hands_over_memory_and_empties_buffer(void **state)
{
	struct buf b;
	size_t len = 99;
	char *p;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_appends(&b, "payload"), RC_OK);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "payload");
	assert_int_equal(len, 7);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.cap, 100);
	/* The buffer is usable again and does not share the detached memory. */
	assert_int_equal(buf_appends(&b, "again"), RC_OK);
	assert_string_equal(p, "payload");
	assert_string_equal(b.data, "again");
	free(p);
	buf_release(&b);
}

static void buf_detach_of_empty_buffer_gives_freeable_empty_string(void **state)
{
	struct buf b;
	size_t len = 99;
	char *p;

	(void)state;
	buf_init(&b, 100);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	p = buf_detach(&b, NULL);
	assert_non_null(p);
	free(p);
	buf_release(&b);
}

static void buf_data_is_never_null(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_clear(&b);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_release(&b);
	assert_non_null(b.data);
	assert_int_equal(buf_appends(&b, "abc"), RC_OK);
	buf_clear(&b);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	buf_release(&b);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	buf_release(&b); /* releasing twice is harmless */
	assert_non_null(b.data);
}

static void buf_clear_keeps_memory(void **state)
{
	struct buf b;
	size_t alloc;

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(buf_appends(&b, "some text"), RC_OK);
	alloc = b.alloc;
	buf_clear(&b);
	assert_int_equal(b.alloc, alloc);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_appends(&b, "new"), RC_OK);
	assert_string_equal(b.data, "new");
	buf_release(&b);
}

/* ---- idcheck ---- */

static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Codes whose check characters were computed from GB 32100-2015 by hand. */
static const char *const valid_usccs[] = {
	"91350100M000100Y43", /* the widely published example */
	"91110000600037341L",
	"91310115MA1H7GUY00",
	"12100000400000000W",
	"52440300MJ00000003",
	"91440300MA5F000007",
	"Y1110108MA0000000L",
	NULL,
};

static const char *const valid_resident_ids[] = {
	"11010519491231002X", /* the GB 11643 example */
	"440304199001011233",
	"110105200002291235", /* 29 February of a leap year */
	"320106198808080002",
	"110105198001010008",
	NULL,
};

static void idcheck_uscc_accepts_valid_codes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; valid_usccs[i]; i++) {
		assert_true(idcheck_uscc(valid_usccs[i]));
		assert_int_equal(idcheck_uscc_check_char(valid_usccs[i]), valid_usccs[i][17]);
	}
}

static void idcheck_uscc_rejects_every_single_changed_character(void **state)
{
	char s[19];
	size_t i, pos, k;

	(void)state;
	for (i = 0; valid_usccs[i]; i++) {
		for (pos = 0; pos < 18; pos++) {
			for (k = 0; uscc_charset[k]; k++) {
				if (uscc_charset[k] == valid_usccs[i][pos])
					continue;
				memcpy(s, valid_usccs[i], sizeof(s));
				s[pos] = uscc_charset[k];
				if (idcheck_uscc(s))
					fail_msg("%s accepted", s);
			}
		}
	}
}

static void idcheck_uscc_rejects_wrong_length(void **state)
{
	(void)state;
	assert_false(idcheck_uscc(""));
	assert_false(idcheck_uscc("91350100M000100Y4"));
	assert_false(idcheck_uscc("91350100M000100Y430"));
	assert_false(idcheck_uscc("91350100M000100Y43 "));
}

static void idcheck_uscc_rejects_letters_outside_code_set(void **state)
{
	static const char forbidden[] = "IOSVZ";
	char s[19];
	size_t k;

	(void)state;
	/* Forbidden letters, wherever they are, even in the check position. */
	for (k = 0; forbidden[k]; k++) {
		memcpy(s, "91350100M000100Y43", sizeof(s));
		s[8] = forbidden[k];
		assert_false(idcheck_uscc(s));
		memcpy(s, "91350100M000100Y43", sizeof(s));
		s[17] = forbidden[k];
		assert_false(idcheck_uscc(s));
	}
	assert_int_equal(idcheck_uscc_check_char("91350100I000100Y4"), 0);
	assert_int_equal(idcheck_uscc_check_char("9135"), 0);
	/* The code set is uppercase. */
	assert_false(idcheck_uscc("91350100m000100y43"));
	assert_false(idcheck_uscc("91110000600037341l"));
}

static void idcheck_resident_id_accepts_valid_numbers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; valid_resident_ids[i]; i++) {
		assert_true(idcheck_resident_id(valid_resident_ids[i]));
		assert_int_equal(idcheck_resident_check_char(valid_resident_ids[i]),
				 valid_resident_ids[i][17]);
	}
}

static void idcheck_resident_id_accepts_lowercase_x(void **state)
{
	(void)state;
	assert_true(idcheck_resident_id("11010519491231002x"));
	assert_int_equal(idcheck_resident_check_char("11010519491231002"), 'X');
}

static void idcheck_resident_id_rejects_every_single_changed_character(void **state)
{
	static const char chars[] = "0123456789X";
	char s[19];
	size_t i, pos, k;

	(void)state;
	for (i = 0; valid_resident_ids[i]; i++) {
		for (pos = 0; pos < 18; pos++) {
			for (k = 0; chars[k]; k++) {
				if (chars[k] == valid_resident_ids[i][pos])
					continue;
				memcpy(s, valid_resident_ids[i], sizeof(s));
				s[pos] = chars[k];
				if (idcheck_resident_id(s))
					fail_msg("%s accepted", s);
			}
		}
	}
}

static void idcheck_resident_id_rejects_wrong_length_and_letters(void **state)
{
	(void)state;
	assert_false(idcheck_resident_id(""));
	assert_false(idcheck_resident_id("11010519491231002"));
	assert_false(idcheck_resident_id("11010519491231002X0"));
	assert_false(idcheck_resident_id("110105194912310"));   /* old 15-digit form */
	assert_false(idcheck_resident_id("1101051949123100XX"));
	assert_false(idcheck_resident_id("11010519491231002Y"));
	assert_int_equal(idcheck_resident_check_char("1101051949123100A"), 0);
	assert_int_equal(idcheck_resident_check_char("1101"), 0);
}

static void idcheck_resident_id_rejects_impossible_birth_dates(void **state)
{
	/* Each has the right check digit for its first 17 characters. */
	static const char *const bad[] = {
		"110105194902300020", /* 30 February */
		"110105194913310021", /* month 13 */
		"11010519490001002X", /* month 0 */
		"110105194912000021", /* day 0 */
		"110105194912320025", /* 32 December */
		"110105190002290025", /* 29 February 1900, not a leap year */
		"110105189912310023", /* before 1900 */
		"110105210001010023", /* after 2099 */
		NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		assert_int_equal(idcheck_resident_check_char(bad[i]), bad[i][17]);
		if (idcheck_resident_id(bad[i]))
			fail_msg("%s accepted", bad[i]);
	}
	assert_true(idcheck_resident_id("110105200002291235")); /* 2000 is a leap year */
}

/* ---- timeutil ---- */

#define T_20250930_1405Z 1759241100000LL

static void time_parse_accepts_utc_and_offsets(void **state)
{
	int64_t ms = 0;

	(void)state;
	assert_int_equal(time_parse("2025-09-30T14:05:00Z", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z);
	ms = 0;
	assert_int_equal(time_parse("2025-09-30T22:05:00+08:00", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z);
	ms = 0;
	assert_int_equal(time_parse("2025-09-30T08:35:00-05:30", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z);
	ms = 0;
	assert_int_equal(time_parse("2025-09-30t14:05:00z", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z);
	assert_int_equal(time_parse("2025-10-01T06:05:00+16:00", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z);
	assert_int_equal(time_parse("1970-01-01T00:00:00Z", &ms), RC_OK);
	assert_int_equal(ms, 0);
	assert_int_equal(time_parse("2024-02-29T00:00:00Z", &ms), RC_OK);
	assert_int_equal(ms, 1709164800000LL);
	assert_int_equal(time_parse("9999-12-31T23:59:59Z", &ms), RC_OK);
	assert_int_equal(ms, 253402300799000LL);
}

static void time_parse_truncates_fractions_to_milliseconds(void **state)
{
	int64_t ms = 0;

	(void)state;
	assert_int_equal(time_parse("2025-09-30T14:05:00.250Z", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z + 250);
	assert_int_equal(time_parse("2025-09-30T14:05:00.2Z", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z + 200);
	assert_int_equal(time_parse("2025-09-30T14:05:00.05Z", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z + 50);
	assert_int_equal(time_parse("2025-09-30T14:05:00.123999999Z", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z + 123);
	assert_int_equal(time_parse("2025-09-30T22:05:00.9999+08:00", &ms), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z + 999);
}

static void time_parse_rejects_bad_text_and_leaves_output(void **state)
{
	static const char *const bad[] = {
		"",
		"2025-09-30",
		"2025-09-30T14:05:00",       /* no zone */
		"2025-09-30T14:05:00.250",   /* no zone */
		"2025-02-29T00:00:00Z",      /* not a leap year */
		"2025-04-31T00:00:00Z",
		"2025-13-01T00:00:00Z",
		"2025-00-01T00:00:00Z",
		"2025-09-00T00:00:00Z",
		"2025-09-30T24:00:00Z",
		"2025-09-30T14:60:00Z",
		"2025-09-30T14:05:61Z",
		"2025-09-30T14:05:00Zjunk",
		"2025-09-30T14:05:00Z ",
		"2025-09-30T22:05:00+08:00x",
		"2025-09-30T22:05:00+0800",
		"2025-09-30T22:05:00+08",
		"2025-09-30T22:05:00+24:00",
		"2025-09-30T22:05:00+08:60",
		"2025-09-30T14:05:00.Z",
		"2025-09-30T14:05Z",
		"2025-9-30T14:05:00Z",
		"2025/09/30T14:05:00Z",
		"2025-09-30X14:05:00Z",
		" 2025-09-30T14:05:00Z",
		"1969-12-31T23:59:59Z",      /* before 1970 */
		"1970-01-01T00:00:00+01:00", /* before the epoch once in UTC */
		"9999-12-31T23:45:00-05:30", /* after 9999 once in UTC */
		"+2025-09-30T14:05:00Z",
		NULL,
	};
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		ms = -7;
		if (time_parse(bad[i], &ms) != RC_INVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(ms, -7);
	}
}

static void time_format_writes_milliseconds_only_when_nonzero(void **state)
{
	char t[TIME_TEXT_MAX];

	(void)state;
	time_format(T_20250930_1405Z, t);
	assert_string_equal(t, "2025-09-30T14:05:00Z");
	time_format(T_20250930_1405Z + 250, t);
	assert_string_equal(t, "2025-09-30T14:05:00.250Z");
	time_format(T_20250930_1405Z + 7, t);
	assert_string_equal(t, "2025-09-30T14:05:00.007Z");
	time_format(0, t);
	assert_string_equal(t, "1970-01-01T00:00:00Z");
	time_format(253402300799999LL, t);
	assert_string_equal(t, "9999-12-31T23:59:59.999Z");
}

static void time_format_round_trips_through_parse(void **state)
{
	static const int64_t times[] = {
		0, 1, 999, 1000, T_20250930_1405Z, T_20250930_1405Z + 250,
		1709164800000LL, 253402300799999LL,
	};
	char t[TIME_TEXT_MAX];
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		time_format(times[i], t);
		ms = -1;
		assert_int_equal(time_parse(t, &ms), RC_OK);
		assert_int_equal(ms, times[i]);
	}
}

static void time_now_ms_is_recent(void **state)
{
	int64_t now = time_now_ms();

	(void)state;
	assert_true(now > T_20250930_1405Z - 86400000LL * 365);
	assert_true(now < 253402300799999LL);
}

/* ---- num ---- */

static void num_parse_i64_accepts_bounds(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(num_parse_i64("1", 1, 256, &v), RC_OK);
	assert_int_equal(v, 1);
	assert_int_equal(num_parse_i64("256", 1, 256, &v), RC_OK);
	assert_int_equal(v, 256);
	assert_int_equal(num_parse_i64("-5", -10, 10, &v), RC_OK);
	assert_int_equal(v, -5);
	assert_int_equal(num_parse_i64("0", 0, 0, &v), RC_OK);
	assert_int_equal(v, 0);
	assert_int_equal(num_parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &v),
			 RC_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(num_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v),
			 RC_OK);
	assert_true(v == INT64_MIN);
}

static void num_parse_i64_rejects_and_leaves_output(void **state)
{
	static const char *const bad[] = {
		"0",   /* below min */
		"257", /* above max */
		"-1",
		"",
		" 5",
		"5 ",
		"\t5",
		"5\n",
		"12a",
		"a12",
		"1.5",
		"1e3",
		"0x10",
		"-",
		"+",
		"9223372036854775808",
		"-9223372036854775809",
		"99999999999999999999999",
		NULL,
	};
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		v = 77;
		if (num_parse_i64(bad[i], 1, 256, &v) != RC_INVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(v, 77);
	}
	v = 77;
	assert_int_equal(num_parse_i64(NULL, 1, 256, &v), RC_INVAL);
	assert_int_equal(num_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v),
			 RC_INVAL);
	assert_int_equal(num_parse_i64("-9223372036854775809", INT64_MIN, INT64_MAX, &v),
			 RC_INVAL);
	assert_int_equal(v, 77);
}

/* ---- jsonx ---- */

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (!j)
		fail_msg("bad test JSON: %s", jerr.text);
	return j;
}

static void jx_has_is_false_for_missing_and_null(void **state)
{
	json_t *o = parse("{\"a\": 1, \"b\": null, \"c\": false}");

	(void)state;
	assert_true(jx_has(o, "a"));
	assert_true(jx_has(o, "c"));
	assert_false(jx_has(o, "b"));
	assert_false(jx_has(o, "d"));
	json_decref(o);
}

static void jx_str_reads_string(void **state)
{
	json_t *o = parse("{\"name\": \"Acme\", \"cn\": \"争议案\", \"emoji\": \"\xf0\x9f\x98\x80\"}");
	const char *s = NULL;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_str(o, "name", "name", 1, 10, &s, &e), RC_OK);
	assert_string_equal(s, "Acme");
	/* 9 bytes but 3 characters: the limit counts characters. */
	assert_int_equal(jx_str(o, "cn", "cn", 1, 3, &s, &e), RC_OK);
	assert_string_equal(s, "争议案");
	assert_int_equal(jx_str(o, "emoji", "emoji", 1, 1, &s, &e), RC_OK);
	assert_int_equal(jx_str(o, "name", "name", 1, 0, &s, &e), RC_OK); /* no limit */
	assert_int_equal(e.rc, RC_OK);
	json_decref(o);
}

static void jx_str_counts_length_in_unicode_characters(void **state)
{
	json_t *o = parse("{\"cn\": \"争议案\", \"cn4\": \"争议案件\"}");
	const char *s = "untouched";
	struct err e;

	(void)state;
	assert_int_equal(jx_utf8_chars("争议案"), 3);
	assert_int_equal(jx_utf8_chars("a\xc3\xa9\xf0\x9f\x98\x80"), 3);
	assert_int_equal(jx_utf8_chars(""), 0);
	err_clear(&e);
	assert_int_equal(jx_str(o, "cn", "title", 1, 2, &s, &e), RC_INVAL);
	assert_err(e, "too_long", "title");
	assert_string_equal(e.message, "title must be at most 2 characters");
	assert_string_equal(s, "untouched");
	err_clear(&e);
	assert_int_equal(jx_str(o, "cn4", "title", 1, 3, &s, &e), RC_INVAL);
	assert_err(e, "too_long", "title");
	json_decref(o);
}

static void jx_str_missing_is_required_or_untouched(void **state)
{
	json_t *o = parse("{\"nothing\": null}");
	const char *s = "untouched";
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_str(o, "name", "contact.name", 0, 10, &s, &e), RC_OK);
	assert_int_equal(jx_str(o, "nothing", "nothing", 0, 10, &s, &e), RC_OK);
	assert_string_equal(s, "untouched");
	assert_int_equal(e.rc, RC_OK);
	assert_int_equal(jx_str(o, "name", "contact.name", 1, 10, &s, &e), RC_INVAL);
	assert_err(e, "required", "contact.name");
	assert_string_equal(e.message, "contact.name is required");
	err_clear(&e);
	assert_int_equal(jx_str(o, "nothing", "nothing", 1, 10, &s, &e), RC_INVAL);
	assert_err(e, "required", "nothing");
	assert_string_equal(s, "untouched");
	json_decref(o);
}

static void jx_str_rejects_wrong_type_empty_and_nul(void **state)
{
	json_t *o = parse("{\"n\": 5, \"a\": [\"x\"], \"b\": true, \"empty\": \"\"}");
	const char *s = "untouched";
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_str(o, "n", "items[0].name", 1, 10, &s, &e), RC_INVAL);
	assert_err(e, "invalid_type", "items[0].name");
	assert_string_equal(e.message, "items[0].name must be a string");
	err_clear(&e);
	assert_int_equal(jx_str(o, "a", "a", 0, 10, &s, &e), RC_INVAL);
	assert_err(e, "invalid_type", "a");
	err_clear(&e);
	assert_int_equal(jx_str(o, "b", "b", 0, 10, &s, &e), RC_INVAL);
	assert_err(e, "invalid_type", "b");
	err_clear(&e);
	assert_int_equal(jx_str(o, "empty", "empty", 0, 10, &s, &e), RC_INVAL);
	assert_err(e, "invalid_value", "empty");
	assert_string_equal(e.message, "empty must not be empty");
	err_clear(&e);
	assert_int_equal(json_object_set_new(o, "nul", json_stringn("a\0b", 3)), 0);
	assert_int_equal(jx_str(o, "nul", "nul", 1, 10, &s, &e), RC_INVAL);
	assert_err(e, "invalid_value", "nul");
	assert_string_equal(e.message, "nul must not contain NUL characters");
	assert_string_equal(s, "untouched");
	json_decref(o);
}

static void jx_int_reads_integer_in_range(void **state)
{
	json_t *o = parse("{\"q\": 3, \"lo\": -10, \"hi\": 9223372036854775807}");
	int64_t v = 0;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_int(o, "q", "q", 1, 1, 3, &v, &e), RC_OK);
	assert_int_equal(v, 3);
	assert_int_equal(jx_int(o, "lo", "lo", 1, -10, 0, &v, &e), RC_OK);
	assert_int_equal(v, -10);
	assert_int_equal(jx_int(o, "hi", "hi", 1, 0, INT64_MAX, &v, &e), RC_OK);
	assert_true(v == INT64_MAX);
	v = 42;
	assert_int_equal(jx_int(o, "missing", "missing", 0, 0, 1, &v, &e), RC_OK);
	assert_int_equal(v, 42);
	assert_int_equal(e.rc, RC_OK);
	json_decref(o);
}

static void jx_int_rejects_missing_wrong_type_and_out_of_range(void **state)
{
	json_t *o = parse("{\"q\": 4, \"neg\": -1, \"real\": 1.0, \"str\": \"1\", \"b\": true}");
	int64_t v = 42;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_int(o, "missing", "items[1].quantity", 1, 1, 3, &v, &e), RC_INVAL);
	assert_err(e, "required", "items[1].quantity");
	err_clear(&e);
	assert_int_equal(jx_int(o, "q", "items[1].quantity", 1, 1, 3, &v, &e), RC_INVAL);
	assert_err(e, "invalid_value", "items[1].quantity");
	assert_string_equal(e.message, "items[1].quantity must be from 1 to 3");
	err_clear(&e);
	assert_int_equal(jx_int(o, "neg", "neg", 1, 0, 3, &v, &e), RC_INVAL);
	assert_err(e, "invalid_value", "neg");
	err_clear(&e);
	assert_int_equal(jx_int(o, "real", "real", 1, 0, 3, &v, &e), RC_INVAL);
	assert_err(e, "invalid_type", "real");
	assert_string_equal(e.message, "real must be an integer");
	err_clear(&e);
	assert_int_equal(jx_int(o, "str", "str", 1, 0, 3, &v, &e), RC_INVAL);
	assert_err(e, "invalid_type", "str");
	err_clear(&e);
	assert_int_equal(jx_int(o, "b", "b", 1, 0, 3, &v, &e), RC_INVAL);
	assert_err(e, "invalid_type", "b");
	assert_int_equal(v, 42);
	json_decref(o);
}

static const char *const status_values[] = {"open", "closed", "settled", NULL};

static void jx_enum_returns_the_listed_value(void **state)
{
	json_t *o = parse("{\"status\": \"closed\"}");
	const char *s = NULL;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_enum(o, "status", "status", 1, status_values, &s, &e), RC_OK);
	assert_ptr_equal(s, status_values[1]); /* the table's string, not the JSON's */
	s = "untouched";
	assert_int_equal(jx_enum(o, "other", "other", 0, status_values, &s, &e), RC_OK);
	assert_string_equal(s, "untouched");
	json_decref(o);
}

static void jx_enum_error_lists_allowed_values(void **state)
{
	json_t *o = parse("{\"status\": \"pending\", \"upper\": \"OPEN\", \"n\": 1}");
	const char *s = "untouched";
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_enum(o, "status", "filter.status", 1, status_values, &s, &e),
			 RC_INVAL);
	assert_err(e, "invalid_enum", "filter.status");
	assert_string_equal(e.message, "filter.status must be one of: open, closed, settled");
	err_clear(&e);
	assert_int_equal(jx_enum(o, "upper", "upper", 1, status_values, &s, &e), RC_INVAL);
	assert_err(e, "invalid_enum", "upper");
	err_clear(&e);
	assert_int_equal(jx_enum(o, "n", "n", 1, status_values, &s, &e), RC_INVAL);
	assert_err(e, "invalid_type", "n");
	err_clear(&e);
	assert_int_equal(jx_enum(o, "missing", "missing", 1, status_values, &s, &e), RC_INVAL);
	assert_err(e, "required", "missing");
	assert_string_equal(s, "untouched");
	json_decref(o);
}

static void jx_time_reads_rfc3339(void **state)
{
	json_t *o = parse("{\"at\": \"2025-09-30T22:05:00.250+08:00\", \"bad\": \"2025-09-30 14:05\","
			  " \"n\": 1759241100}");
	int64_t ms = 0;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_time(o, "at", "at", 1, &ms, &e), RC_OK);
	assert_int_equal(ms, T_20250930_1405Z + 250);
	ms = 5;
	assert_int_equal(jx_time(o, "missing", "missing", 0, &ms, &e), RC_OK);
	assert_int_equal(ms, 5);
	assert_int_equal(jx_time(o, "missing", "deadline", 1, &ms, &e), RC_INVAL);
	assert_err(e, "required", "deadline");
	err_clear(&e);
	assert_int_equal(jx_time(o, "bad", "bad", 1, &ms, &e), RC_INVAL);
	assert_err(e, "invalid_value", "bad");
	err_clear(&e);
	assert_int_equal(jx_time(o, "n", "n", 1, &ms, &e), RC_INVAL);
	assert_err(e, "invalid_type", "n");
	assert_int_equal(ms, 5);
	json_decref(o);
}

static void jx_obj_and_arr_check_type_and_size(void **state)
{
	json_t *o = parse("{\"o\": {\"k\": 1}, \"a\": [1, 2, 3], \"s\": \"x\"}");
	json_t *v = NULL;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_obj(o, "o", "o", 1, &v, &e), RC_OK);
	assert_ptr_equal(v, json_object_get(o, "o"));
	assert_int_equal(jx_arr(o, "a", "a", 1, 3, &v, &e), RC_OK);
	assert_ptr_equal(v, json_object_get(o, "a"));
	assert_int_equal(jx_arr(o, "a", "a", 1, 0, &v, &e), RC_OK);
	v = NULL;
	assert_int_equal(jx_obj(o, "missing", "missing", 0, &v, &e), RC_OK);
	assert_int_equal(jx_arr(o, "missing", "missing", 0, 3, &v, &e), RC_OK);
	assert_null(v);
	assert_int_equal(jx_obj(o, "a", "contact", 1, &v, &e), RC_INVAL);
	assert_err(e, "invalid_type", "contact");
	err_clear(&e);
	assert_int_equal(jx_obj(o, "missing", "contact", 1, &v, &e), RC_INVAL);
	assert_err(e, "required", "contact");
	err_clear(&e);
	assert_int_equal(jx_arr(o, "s", "items", 1, 3, &v, &e), RC_INVAL);
	assert_err(e, "invalid_type", "items");
	err_clear(&e);
	assert_int_equal(jx_arr(o, "a", "items", 1, 2, &v, &e), RC_INVAL);
	assert_err(e, "too_long", "items");
	assert_string_equal(e.message, "items must have at most 2 elements");
	err_clear(&e);
	assert_int_equal(jx_arr(o, "missing", "items", 1, 2, &v, &e), RC_INVAL);
	assert_err(e, "required", "items");
	assert_null(v);
	json_decref(o);
}

/* Run jx_money on {"price": <money>} and expect it to fail at `param` with `code`. */
static void money_fails(const char *money, const char *code, const char *param)
{
	char text[256];
	json_t *o;
	int64_t amount = -1;
	char cur[4] = "---";
	struct err e;

	snprintf(text, sizeof(text), "{\"price\": %s}", money);
	o = parse(text);
	err_clear(&e);
	if (jx_money(o, "price", "price", 1, &amount, cur, &e) != RC_INVAL)
		fail_msg("%s accepted", money);
	assert_err(e, code, param);
	assert_string_equal(cur, "---");
	json_decref(o);
}

static void jx_money_reads_amount_and_currency(void **state)
{
	json_t *o = parse("{\"price\": {\"amount\": 1999, \"currency\": \"CNY\"},"
			  " \"zero\": {\"currency\": \"USD\", \"amount\": 0},"
			  " \"max\": {\"amount\": 10000000000000, \"currency\": \"CNY\"}}");
	int64_t amount = -1;
	char cur[4] = "";
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_money(o, "price", "price", 1, &amount, cur, &e), RC_OK);
	assert_int_equal(amount, 1999);
	assert_string_equal(cur, "CNY");
	assert_int_equal(jx_money(o, "zero", "zero", 1, &amount, cur, &e), RC_OK);
	assert_int_equal(amount, 0);
	assert_string_equal(cur, "USD");
	assert_int_equal(jx_money(o, "max", "max", 1, &amount, cur, &e), RC_OK);
	assert_int_equal(amount, 10000000000000LL);
	amount = 7;
	assert_int_equal(jx_money(o, "missing", "missing", 0, &amount, cur, &e), RC_OK);
	assert_int_equal(amount, 7);
	assert_string_equal(cur, "CNY");
	assert_int_equal(e.rc, RC_OK);
	json_decref(o);
}

static void jx_money_rejects_bad_amounts(void **state)
{
	(void)state;
	money_fails("{\"amount\": -1, \"currency\": \"CNY\"}", "invalid_value", "price.amount");
	money_fails("{\"amount\": 10000000000001, \"currency\": \"CNY\"}", "invalid_value",
		    "price.amount");
	money_fails("{\"amount\": 19.99, \"currency\": \"CNY\"}", "invalid_type", "price.amount");
	money_fails("{\"amount\": \"1999\", \"currency\": \"CNY\"}", "invalid_type",
		    "price.amount");
	money_fails("{\"currency\": \"CNY\"}", "required", "price.amount");
	money_fails("1999", "invalid_type", "price");
	money_fails("null", "required", "price");
}

static void jx_money_rejects_bad_currencies(void **state)
{
	(void)state;
	money_fails("{\"amount\": 1, \"currency\": \"cny\"}", "invalid_value", "price.currency");
	money_fails("{\"amount\": 1, \"currency\": \"Cny\"}", "invalid_value", "price.currency");
	money_fails("{\"amount\": 1, \"currency\": \"CN\"}", "invalid_value", "price.currency");
	money_fails("{\"amount\": 1, \"currency\": \"C1Y\"}", "invalid_value", "price.currency");
	money_fails("{\"amount\": 1, \"currency\": \"CNYY\"}", "too_long", "price.currency");
	money_fails("{\"amount\": 1, \"currency\": \"\"}", "invalid_value", "price.currency");
	money_fails("{\"amount\": 1, \"currency\": 156}", "invalid_type", "price.currency");
	money_fails("{\"amount\": 1}", "required", "price.currency");
	money_fails("{\"amount\": 1, \"currency\": \"CNY\", \"fen\": 1}", "unknown_parameter",
		    "price.fen");
}

static void jx_money_error_message_names_field(void **state)
{
	json_t *o = parse("{\"price\": {\"amount\": 1, \"currency\": \"cny\"}}");
	int64_t amount;
	char cur[4];
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_money(o, "price", "items[0].price", 1, &amount, cur, &e), RC_INVAL);
	assert_err(e, "invalid_value", "items[0].price.currency");
	assert_string_equal(e.message,
			    "items[0].price.currency must be an ISO 4217 code such as CNY");
	json_decref(o);
}

static void jx_only_names_unknown_field_with_prefix(void **state)
{
	static const char *const allowed[] = {"name", "phone", NULL};
	json_t *ok = parse("{\"name\": \"a\", \"phone\": \"b\"}");
	json_t *bad = parse("{\"name\": \"a\", \"fax\": \"b\"}");
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(jx_only(ok, allowed, "contact", &e), RC_OK);
	assert_int_equal(jx_only(ok, allowed, NULL, &e), RC_OK);
	assert_int_equal(e.rc, RC_OK);
	assert_int_equal(jx_only(bad, allowed, "contact", &e), RC_INVAL);
	assert_err(e, "unknown_parameter", "contact.fax");
	assert_string_equal(e.message, "unknown field contact.fax");
	err_clear(&e);
	assert_int_equal(jx_only(bad, allowed, "items[2].contact", &e), RC_INVAL);
	assert_err(e, "unknown_parameter", "items[2].contact.fax");
	err_clear(&e);
	assert_int_equal(jx_only(bad, allowed, NULL, &e), RC_INVAL);
	assert_err(e, "unknown_parameter", "fax");
	err_clear(&e);
	assert_int_equal(jx_only(bad, allowed, "", &e), RC_INVAL);
	assert_err(e, "unknown_parameter", "fax");
	json_decref(ok);
	json_decref(bad);
}

static void jx_time_and_money_json_render_values(void **state)
{
	json_t *t = jx_time_json(T_20250930_1405Z + 250);
	json_t *m = jx_money_json(1999, "CNY");
	char *text;

	(void)state;
	assert_non_null(t);
	assert_string_equal(json_string_value(t), "2025-09-30T14:05:00.250Z");
	assert_non_null(m);
	text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"amount\":1999,\"currency\":\"CNY\"}");
	free(text);
	json_decref(t);
	json_decref(m);
}

/* ---- config ---- */

static const char *const config_env_names[] = {
	"DISPUTED_LISTEN", "DISPUTED_DATA", "DISPUTED_DB", "DISPUTED_THREADS",
	"DISPUTED_MAX_BODY_BYTES", "DISPUTED_MAX_BLOB_BYTES", "DISPUTED_LOG_LEVEL",
	"DISPUTED_LOG_BATCH_MAX", "DISPUTED_LOG_BATCH_MS", "DISPUTED_WITNESS_URL",
	"DISPUTED_WITNESS_VKEY", "DISPUTED_WEBHOOK_ALLOW_PRIVATE", "DISPUTED_RULES",
	"DISPUTED_CALENDAR", "DISPUTED_MAX_CONNECTIONS", "DISPUTED_MAX_CONNECTIONS_PER_IP",
	"DISPUTED_IDLE_TIMEOUT_SECONDS", "DISPUTED_LLM_URL", "DISPUTED_LLM_MODEL",
	"DISPUTED_LLM_API_KEY_ENV", "DISPUTED_LLM_TIMEOUT_MS", "DISPUTED_LLM_MAX_TOKENS",
	"DISPUTED_LLM_TEMPERATURE", "DISPUTED_WEB",
	NULL,
};

static void config_env_clear(void)
{
	size_t i;

	for (i = 0; config_env_names[i]; i++)
		unsetenv(config_env_names[i]);
}

/* Write `text` to a fresh temporary file; its name goes into `path`. */
static void write_temp(char path[64], const char *text)
{
	int fd;
	size_t n = strlen(text);

	snprintf(path, 64, "/tmp/disputed-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* Load `text` as a config file into `c` (from defaults); returns the rc. */
static int load_text(struct config *c, const char *text, struct err *e)
{
	char path[64];
	int rc;

	write_temp(path, text);
	config_defaults(c);
	err_clear(e);
	rc = config_load_file(c, path, 1, e);
	unlink(path);
	return rc;
}

static void config_defaults_are_documented_values(void **state)
{
	struct config c;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8061");
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
	assert_string_equal(c.data_dir, "");
	assert_string_equal(c.db, "");
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.max_body_bytes, 1 << 20);
	assert_int_equal(c.max_blob_bytes, 20 << 20);
	assert_int_equal(c.max_connections, 512);
	assert_int_equal(c.max_connections_per_ip, 64);
	assert_int_equal(c.idle_timeout_seconds, 10);
	assert_int_equal(c.idempotency_ttl_s, 24 * 3600);
	assert_int_equal(c.log_level, LOG_INFO);
}

static void config_load_file_reads_every_section(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	assert_int_equal(load_text(&c,
				   "# a comment\n"
				   "[server]\n"
				   "listen=0.0.0.0:9000\n"
				   "threads=8\n"
				   "max_body_bytes=2048\n"
				   "max_blob_bytes=4096\n"
				   "[store]\n"
				   "data=/var/lib/disputed\n"
				   "db=sqlite:/var/lib/disputed/d.db\n"
				   "[log]\n"
				   "level=debug\n",
				   &e),
			 RC_OK);
	assert_int_equal(e.rc, RC_OK);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.threads, 8);
	assert_int_equal(c.max_body_bytes, 2048);
	assert_int_equal(c.max_blob_bytes, 4096);
	assert_string_equal(c.data_dir, "/var/lib/disputed");
	assert_string_equal(c.db, "sqlite:/var/lib/disputed/d.db");
	assert_int_equal(c.log_level, LOG_DEBUG);
	/* a PostgreSQL database (docs/postgres.md) is named by its URL */
	assert_int_equal(load_text(&c, "[store]\ndb=postgres://disputed@db.internal:5432/disputed\n",
				   &e), RC_OK);
	assert_string_equal(c.db, "postgres://disputed@db.internal:5432/disputed");
}

static void config_load_file_reads_log_witness_webhook_and_cases(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	assert_int_equal(load_text(&c,
				   "[log]\n"
				   "batch_max=512\n"
				   "batch_ms=7\n"
				   "[witness]\n"
				   "url=http://127.0.0.1:8071;https://witness.example\n"
				   "vkey=a+01020304+BAAA;b+05060708+BAAA\n"
				   "[webhook]\n"
				   "allow_private=yes\n"
				   "[cases]\n"
				   "rules=/etc/disputed/rules.ini\n"
				   "calendar=/etc/disputed/calendar\n",
				   &e),
			 RC_OK);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_int_equal(c.log_batch_max, 512);
	assert_int_equal(c.log_batch_ms, 7);
	assert_int_equal(c.nwitness_url, 2);
	assert_int_equal(c.nwitness_vkey, 2);
	assert_string_equal(c.witness_url[1], "https://witness.example");
	assert_string_equal(c.witness_vkey[0], "a+01020304+BAAA");
	assert_int_equal(c.webhook_allow_private, 1);
	assert_string_equal(c.rules_path, "/etc/disputed/rules.ini");
	assert_string_equal(c.calendar_dir, "/etc/disputed/calendar");
}

static void config_witness_urls_and_keys_must_pair_up(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	assert_int_equal(load_text(&c, "[witness]\nurl=http://a;http://b\nvkey=a+01020304+BAAA\n",
				   &e),
			 RC_OK);
	assert_int_not_equal(config_load_env(&c, &e), RC_OK);
	assert_int_equal(e.rc, RC_INVAL);
	assert_non_null(strstr(e.message, "witness"));
}

static void config_env_sets_cases_paths_and_batches(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	config_defaults(&c);
	assert_string_equal(c.rules_path, "etc/rules.ini");
	assert_string_equal(c.calendar_dir, "etc/calendar");
	setenv("DISPUTED_RULES", "/srv/rules.ini", 1);
	setenv("DISPUTED_CALENDAR", "/srv/calendar", 1);
	setenv("DISPUTED_LOG_BATCH_MS", "3", 1);
	err_clear(&e);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_string_equal(c.rules_path, "/srv/rules.ini");
	assert_string_equal(c.calendar_dir, "/srv/calendar");
	assert_int_equal(c.log_batch_ms, 3);
	setenv("DISPUTED_RULES", "", 1);
	assert_int_not_equal(config_load_env(&c, &e), RC_OK);
	assert_string_equal(e.param, "DISPUTED_RULES");
	config_env_clear();
}

static void config_load_file_keeps_defaults_for_absent_keys(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	assert_int_equal(load_text(&c, "[server]\nthreads=2\n", &e), RC_OK);
	assert_int_equal(c.threads, 2);
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
	assert_int_equal(c.log_level, LOG_INFO);
	assert_int_equal(load_text(&c, "", &e), RC_OK);
	assert_int_equal(c.threads, 4);
}

static void config_load_file_rejects_unknown_keys(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	assert_int_equal(load_text(&c, "[server]\nlisten=127.0.0.1:1\nbogus=1\n", &e), RC_INVAL);
	assert_err(e, "unknown_setting", "server.bogus");
	assert_int_equal(load_text(&c, "[bogus]\nlevel=debug\n", &e), RC_INVAL);
	assert_err(e, "unknown_setting", "bogus.level");
	/* A key of another section is unknown here. */
	assert_int_equal(load_text(&c, "[log]\nthreads=2\n", &e), RC_INVAL);
	assert_err(e, "unknown_setting", "log.threads");
}

static void config_load_file_rejects_bad_values(void **state)
{
	static const struct {
		const char *text;
		const char *param;
	} bad[] = {
		{"[server]\nthreads=0\n", "server.threads"},
		{"[server]\nthreads=257\n", "server.threads"},
		{"[server]\nthreads=abc\n", "server.threads"},
		{"[server]\nthreads=\n", "server.threads"},
		{"[server]\nthreads=4x\n", "server.threads"},
		{"[server]\nmax_body_bytes=1023\n", "server.max_body_bytes"},
		{"[server]\nmax_blob_bytes=-5\n", "server.max_blob_bytes"},
		{"[server]\nidempotency_ttl_seconds=0\n", "server.idempotency_ttl_seconds"},
		{"[server]\nidempotency_ttl_seconds=2592001\n", "server.idempotency_ttl_seconds"},
		{"[server]\nlisten=localhost\n", "server.listen"},
		{"[server]\nlisten=127.0.0.1:70000\n", "server.listen"},
		{"[store]\ndb=mysql://localhost/d\n", "store.db"},
		{"[log]\nlevel=verbose\n", "log.level"},
		{"[log]\nlevel=DEBUG\n", "log.level"},
		{"[server]\nmax_connections=0\n", "server.max_connections"},
		{"[server]\nmax_connections=65537\n", "server.max_connections"},
		{"[server]\nmax_connections_per_ip=-1\n", "server.max_connections_per_ip"},
		{"[server]\nmax_connections_per_ip=many\n", "server.max_connections_per_ip"},
		{"[server]\nidle_timeout_seconds=0\n", "server.idle_timeout_seconds"},
		{"[server]\nidle_timeout_seconds=3601\n", "server.idle_timeout_seconds"},
		{"[server]\nidle_timeout_seconds=1.5\n", "server.idle_timeout_seconds"},
	};
	struct config c;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load_text(&c, bad[i].text, &e) != RC_INVAL)
			fail_msg("accepted: %s", bad[i].text);
		assert_err(e, "invalid_setting", bad[i].param);
	}
}

static void config_connection_limits_from_file_and_env(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	assert_int_equal(load_text(&c,
				   "[server]\n"
				   "max_connections=100\n"
				   "max_connections_per_ip=5\n"
				   "idle_timeout_seconds=3\n",
				   &e),
			 RC_OK);
	assert_int_equal(c.max_connections, 100);
	assert_int_equal(c.max_connections_per_ip, 5);
	assert_int_equal(c.idle_timeout_seconds, 3);
	setenv("DISPUTED_MAX_CONNECTIONS", "40", 1);
	setenv("DISPUTED_MAX_CONNECTIONS_PER_IP", "2", 1);
	setenv("DISPUTED_IDLE_TIMEOUT_SECONDS", "7", 1);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_int_equal(c.max_connections, 40);
	assert_int_equal(c.max_connections_per_ip, 2);
	assert_int_equal(c.idle_timeout_seconds, 7);
	setenv("DISPUTED_IDLE_TIMEOUT_SECONDS", "0", 1);
	err_clear(&e);
	assert_int_equal(config_load_env(&c, &e), RC_INVAL);
	assert_err(e, "invalid_setting", "DISPUTED_IDLE_TIMEOUT_SECONDS");
	config_env_clear();
}

static void config_rejects_listen_too_long_to_keep(void **state)
{
	char text[512], host[200];
	struct config c;
	struct err e;

	(void)state;
	/* A long host name fits the address but the whole value does not
	 * fit `listen`: it must fail, not be cut to another port. */
	memset(host, 'h', 123);
	host[123] = '\0';
	snprintf(text, sizeof(text), "[server]\nlisten=%s:8061\n", host);
	assert_int_equal(load_text(&c, text, &e), RC_INVAL);
	assert_err(e, "invalid_setting", "server.listen");
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
}

static void config_load_file_missing_file(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_defaults(&c);
	err_clear(&e);
	assert_int_equal(config_load_file(&c, "/nonexistent/disputed.conf", 0, &e), RC_OK);
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
	assert_int_equal(config_load_file(&c, "/nonexistent/disputed.conf", 1, &e), RC_INVAL);
	assert_err(e, "invalid_config", "/nonexistent/disputed.conf");
}

static void config_load_file_rejects_malformed_file(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	assert_int_equal(load_text(&c, "threads=2\n", &e), RC_INVAL); /* no section */
	assert_int_equal(e.rc, RC_INVAL);
	assert_string_equal(e.code, "invalid_config");
}

static void config_web_dir_from_file_and_env(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	config_defaults(&c);
	assert_string_equal(c.web_dir, "web");
	assert_int_equal(load_text(&c, "[server]\nweb=/usr/share/disputed/web\n", &e), RC_OK);
	assert_string_equal(c.web_dir, "/usr/share/disputed/web");
	setenv("DISPUTED_WEB", "/srv/pages", 1);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_string_equal(c.web_dir, "/srv/pages");
	setenv("DISPUTED_WEB", "", 1);
	assert_int_equal(config_load_env(&c, &e), RC_INVAL);
	assert_err(e, "invalid_setting", "DISPUTED_WEB");
	config_env_clear();
	assert_int_equal(load_text(&c, "[cases]\nweb=x\n", &e), RC_INVAL); /* only in [server] */
	assert_err(e, "unknown_setting", "cases.web");
}

static void config_load_env_overrides_file(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	assert_int_equal(load_text(&c, "[server]\nlisten=0.0.0.0:9000\nthreads=8\n", &e), RC_OK);
	setenv("DISPUTED_LISTEN", "[::1]:9100", 1);
	setenv("DISPUTED_DATA", "/srv/d", 1);
	setenv("DISPUTED_DB", "sqlite:/srv/d/x.db", 1);
	setenv("DISPUTED_THREADS", "16", 1);
	setenv("DISPUTED_MAX_BODY_BYTES", "65536", 1);
	setenv("DISPUTED_MAX_BLOB_BYTES", "1048576", 1);
	setenv("DISPUTED_LOG_LEVEL", "error", 1);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	config_env_clear();
	assert_string_equal(c.listen, "[::1]:9100");
	assert_string_equal(c.data_dir, "/srv/d");
	assert_string_equal(c.db, "sqlite:/srv/d/x.db");
	assert_int_equal(c.threads, 16);
	assert_int_equal(c.max_body_bytes, 65536);
	assert_int_equal(c.max_blob_bytes, 1048576);
	assert_int_equal(c.log_level, LOG_ERROR);
}

static void config_load_env_without_variables_changes_nothing(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	config_defaults(&c);
	err_clear(&e);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
	assert_int_equal(c.threads, 4);
	setenv("DISPUTED_THREADS", "6", 1);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	config_env_clear();
	assert_int_equal(c.threads, 6);
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
}

static void config_load_env_rejects_bad_values_naming_variable(void **state)
{
	static const struct {
		const char *name;
		const char *value;
	} bad[] = {
		{"DISPUTED_THREADS", "abc"},
		{"DISPUTED_THREADS", "0"},
		{"DISPUTED_LISTEN", "8061"},
		{"DISPUTED_DB", "mysql://x"},
		{"DISPUTED_LOG_LEVEL", "loud"},
		{"DISPUTED_MAX_BODY_BYTES", "1e6"},
		{"DISPUTED_MAX_BLOB_BYTES", "99999999999"},
	};
	struct config c;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_env_clear();
		config_defaults(&c);
		err_clear(&e);
		setenv(bad[i].name, bad[i].value, 1);
		if (config_load_env(&c, &e) != RC_INVAL)
			fail_msg("accepted %s=%s", bad[i].name, bad[i].value);
		assert_err(e, "invalid_setting", bad[i].name);
	}
	config_env_clear();
}

/* ---- config: [llm] ---- */

static void config_llm_section_reads_every_key_apart_from_witness_url(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	assert_int_equal(load_text(&c,
				   "[witness]\n"
				   "url=http://127.0.0.1:8071\n"
				   "vkey=a+01020304+BAAA\n"
				   "[llm]\n"
				   "url=https://api.deepseek.com\n"
				   "model=deepseek-chat\n"
				   "api_key_env=DEEPSEEK_API_KEY\n"
				   "timeout_ms=2500\n"
				   "max_tokens=300\n"
				   "temperature=0.3\n",
				   &e),
			 RC_OK);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_string_equal(c.llm_url, "https://api.deepseek.com");
	assert_string_equal(c.llm_model, "deepseek-chat");
	assert_string_equal(c.llm_api_key_env, "DEEPSEEK_API_KEY");
	assert_int_equal(c.llm_timeout_ms, 2500);
	assert_int_equal(c.llm_max_tokens, 300);
	assert_true(c.llm_temperature > 0.299 && c.llm_temperature < 0.301);
	/* the two url keys are told apart by their group */
	assert_int_equal(c.nwitness_url, 1);
	assert_string_equal(c.witness_url[0], "http://127.0.0.1:8071");
	/* an empty url is the default: no language model */
	assert_int_equal(load_text(&c, "[llm]\nurl=\nmodel=m\n", &e), RC_OK);
	assert_string_equal(c.llm_url, "");
	assert_int_equal(c.nwitness_url, 0);
}
static void config_llm_rejects_bad_values_naming_the_key(void **state)
{
	static const char *const bad[][2] = {
		{"url=ftp://models.example", "llm.url"},
		{"url=api.deepseek.com", "llm.url"},
		{"url=http://", "llm.url"},
		{"url=https:///v1", "llm.url"},
		{"url=http://a b/v1", "llm.url"},
		{"model=a\tb", "llm.model"},
		{"model=m\xff", "llm.model"},
		{"api_key_env=sk-0123456789abcdef", "llm.api_key_env"},
		{"api_key_env=1KEY", "llm.api_key_env"},
		{"api_key_env=MY KEY", "llm.api_key_env"},
		{"timeout_ms=99", "llm.timeout_ms"},
		{"timeout_ms=600001", "llm.timeout_ms"},
		{"timeout_ms=10s", "llm.timeout_ms"},
		{"max_tokens=0", "llm.max_tokens"},
		{"max_tokens=65537", "llm.max_tokens"},
		{"temperature=2.5", "llm.temperature"},
		{"temperature=-0.1", "llm.temperature"},
		{"temperature=nan", "llm.temperature"},
		{"temperature=0.5x", "llm.temperature"},
		{"temperature=", "llm.temperature"},
	};
	char text[256];
	struct config c;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[llm]\n%s\n", bad[i][0]);
		if (load_text(&c, text, &e) != RC_INVAL)
			fail_msg("accepted: %s", bad[i][0]);
		assert_err(e, "invalid_setting", bad[i][1]);
	}
	/* the message about a key given instead of its variable's name does not repeat the key */
	assert_int_equal(load_text(&c, "[llm]\napi_key_env=sk-0123456789abcdef\n", &e), RC_INVAL);
	assert_null(strstr(e.message, "sk-0123456789abcdef"));
	assert_int_equal(load_text(&c, "[llm]\nbogus=1\n", &e), RC_INVAL);
	assert_err(e, "unknown_setting", "llm.bogus");
}
static void config_llm_env_overrides_file_and_names_variable(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	config_env_clear();
	assert_int_equal(load_text(&c, "[llm]\nurl=http://127.0.0.1:8080\nmodel=local\n", &e),
			 RC_OK);
	setenv("DISPUTED_LLM_URL", "http://127.0.0.1:9090/v1", 1);
	setenv("DISPUTED_LLM_MODEL", "qwen2.5-7b", 1);
	setenv("DISPUTED_LLM_API_KEY_ENV", "LOCAL_KEY", 1);
	setenv("DISPUTED_LLM_TIMEOUT_MS", "1500", 1);
	setenv("DISPUTED_LLM_MAX_TOKENS", "64", 1);
	setenv("DISPUTED_LLM_TEMPERATURE", "1", 1);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_string_equal(c.llm_url, "http://127.0.0.1:9090/v1");
	assert_string_equal(c.llm_model, "qwen2.5-7b");
	assert_string_equal(c.llm_api_key_env, "LOCAL_KEY");
	assert_int_equal(c.llm_timeout_ms, 1500);
	assert_int_equal(c.llm_max_tokens, 64);
	assert_true(c.llm_temperature == 1);
	/* set but empty: off */
	setenv("DISPUTED_LLM_URL", "", 1);
	assert_int_equal(config_load_env(&c, &e), RC_OK);
	assert_string_equal(c.llm_url, "");
	setenv("DISPUTED_LLM_TIMEOUT_MS", "fast", 1);
	assert_int_equal(config_load_env(&c, &e), RC_INVAL);
	assert_err(e, "invalid_setting", "DISPUTED_LLM_TIMEOUT_MS");
	config_env_clear();
}
static void config_split_listen_splits_v4_and_v6(void **state)
{
	char addr[64];
	int port = -1;

	(void)state;
	assert_int_equal(config_split_listen("127.0.0.1:8061", addr, sizeof(addr), &port), RC_OK);
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 8061);
	assert_int_equal(config_split_listen("[::1]:80", addr, sizeof(addr), &port), RC_OK);
	assert_string_equal(addr, "::1");
	assert_int_equal(port, 80);
	assert_int_equal(config_split_listen("localhost:65535", addr, sizeof(addr), &port), RC_OK);
	assert_string_equal(addr, "localhost");
	assert_int_equal(port, 65535);
	assert_int_equal(config_split_listen("0.0.0.0:0", addr, sizeof(addr), &port), RC_OK);
	assert_string_equal(addr, "0.0.0.0");
	assert_int_equal(port, 0);
}

static void config_split_listen_rejects_bad_ports_and_addresses(void **state)
{
	static const char *const bad[] = {
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:80x",
		"127.0.0.1: 80",
		"127.0.0.1:http",
		"127.0.0.1:99999999999999999999",
		":80",
		"[::1]",
		"",
		NULL,
	};
	char addr[64];
	int port;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		port = -7;
		if (config_split_listen(bad[i], addr, sizeof(addr), &port) != RC_INVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(port, -7);
	}
	/* The address must fit the caller's buffer with its terminator. */
	assert_int_equal(config_split_listen("127.0.0.1:80", addr, 9, &port), RC_INVAL);
	assert_int_equal(config_split_listen("127.0.0.1:80", addr, 10, &port), RC_OK);
	assert_string_equal(addr, "127.0.0.1");
}

static void log_level_parse_knows_four_levels(void **state)
{
	(void)state;
	assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
	assert_int_equal(log_level_parse("info"), LOG_INFO);
	assert_int_equal(log_level_parse("warn"), LOG_WARN);
	assert_int_equal(log_level_parse("error"), LOG_ERROR);
	assert_int_equal(log_level_parse("warning"), -1);
	assert_int_equal(log_level_parse(""), -1);
}

/* ---- ids ---- */

static int is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void id_new_is_prefix_and_24_hex_digits(void **state)
{
	char id[ID_MAX];

	(void)state;
	id_new(id, "mer");
	assert_int_equal(strlen(id), 3 + 1 + 24);
	assert_memory_equal(id, "mer_", 4);
	assert_true(is_lower_hex(id + 4, 24));
	assert_true(id_is(id, "mer"));
	assert_false(id_is(id, "ord"));
	assert_false(id_is(id, "me"));
	id_new(id, "case");
	assert_int_equal(strlen(id), 4 + 1 + 24);
	assert_true(id_is(id, "case"));
}

static void id_new_gives_different_ids(void **state)
{
	char a[ID_MAX], b[ID_MAX];

	(void)state;
	id_new(a, "ord");
	id_new(b, "ord");
	assert_string_not_equal(a, b);
}

/* Later ids sort after earlier ones, so an index on them appends (ids.h). */
static void id_new_ordered_sorts_by_time(void **state)
{
	const int64_t t = 1796601600000; /* 2026-12-07 */
	char a[ID_MAX], b[ID_MAX], c[ID_MAX], d[ID_MAX];
	int i;

	(void)state;
	id_new_ordered(a, "ord", t);
	assert_true(id_is(a, "ord"));
	assert_memory_equal(a, "ord_01a24dccd800", 16); /* the time, big-endian, in hex */
	for (i = 0; i < 100; i++) {
		id_new_ordered(b, "ord", t + 1);
		id_new_ordered(c, "ord", t + 1);
		id_new_ordered(d, "ord", t + 1000);
		assert_true(strcmp(a, b) < 0);
		assert_true(strcmp(b, d) < 0 && strcmp(c, d) < 0);
	}
	/* the same millisecond: told apart by the random half */
	assert_string_not_equal(b, c);
	id_new_ordered(a, "cus", -5);
	assert_memory_equal(a, "cus_000000000000", 16);
}

static void id_is_rejects_malformed_ids(void **state)
{
	(void)state;
	assert_true(id_is("mer_0123456789abcdef01234567", "mer"));
	assert_false(id_is("mer_0123456789abcdef0123456", "mer"));   /* 23 digits */
	assert_false(id_is("mer_0123456789abcdef012345678", "mer")); /* 25 digits */
	assert_false(id_is("mer_0123456789ABCDEF01234567", "mer"));  /* uppercase */
	assert_false(id_is("mer_0123456789abcdeg01234567", "mer"));
	assert_false(id_is("mer-0123456789abcdef01234567", "mer"));
	assert_false(id_is("mer0123456789abcdef01234567", "mer"));
	assert_false(id_is("0123456789abcdef01234567", "mer"));
	assert_false(id_is("mer_", "mer"));
	assert_false(id_is("", "mer"));
}

static void token_new_is_prefix_and_43_base64url_characters(void **state)
{
	char a[TOKEN_MAX], b[TOKEN_MAX];
	size_t i;

	(void)state;
	token_new(a, "sk_live");
	assert_int_equal(strlen(a), 7 + 1 + 43);
	assert_memory_equal(a, "sk_live_", 8);
	for (i = 8; a[i]; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-_", a[i]));
	token_new(b, "sk_live");
	assert_string_not_equal(a, b);
	/* The longest prefix the header allows still gives a whole token. */
	token_new(a, "abcdefghijklmnopqrs");
	assert_int_equal(strlen(a), 19 + 1 + 43);
}

static void token_hash_is_hex_sha256(void **state)
{
	char h[65];

	(void)state;
	token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	token_hash("", h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("a\0c", 3, h); /* bytes, not a C string */
	assert_int_equal(strlen(h), 64);
	assert_true(is_lower_hex(h, 64));
	assert_string_not_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_feed_drops_a_stream_past_the_cap_and_says_so),
		cmocka_unit_test(err_set_records_details_and_returns_rc),
		cmocka_unit_test(rc_maps_to_http_status_and_name),

		cmocka_unit_test(buf_append_grows_past_first_allocation),
		cmocka_unit_test(buf_printf_grows_and_appends),
		cmocka_unit_test(buf_cap_returns_toobig_and_keeps_content),
		cmocka_unit_test(buf_cap_on_empty_buffer_leaves_it_empty),
		cmocka_unit_test(buf_detach_hands_over_memory_and_empties_buffer),
		cmocka_unit_test(buf_detach_of_empty_buffer_gives_freeable_empty_string),
		cmocka_unit_test(buf_data_is_never_null),
		cmocka_unit_test(buf_clear_keeps_memory),

		cmocka_unit_test(idcheck_uscc_accepts_valid_codes),
		cmocka_unit_test(idcheck_uscc_rejects_every_single_changed_character),
		cmocka_unit_test(idcheck_uscc_rejects_wrong_length),
		cmocka_unit_test(idcheck_uscc_rejects_letters_outside_code_set),
		cmocka_unit_test(idcheck_resident_id_accepts_valid_numbers),
		cmocka_unit_test(idcheck_resident_id_accepts_lowercase_x),
		cmocka_unit_test(idcheck_resident_id_rejects_every_single_changed_character),
		cmocka_unit_test(idcheck_resident_id_rejects_wrong_length_and_letters),
		cmocka_unit_test(idcheck_resident_id_rejects_impossible_birth_dates),

		cmocka_unit_test(time_parse_accepts_utc_and_offsets),
		cmocka_unit_test(time_parse_truncates_fractions_to_milliseconds),
		cmocka_unit_test(time_parse_rejects_bad_text_and_leaves_output),
		cmocka_unit_test(time_format_writes_milliseconds_only_when_nonzero),
		cmocka_unit_test(time_format_round_trips_through_parse),
		cmocka_unit_test(time_now_ms_is_recent),

		cmocka_unit_test(num_parse_i64_accepts_bounds),
		cmocka_unit_test(num_parse_i64_rejects_and_leaves_output),

		cmocka_unit_test(jx_has_is_false_for_missing_and_null),
		cmocka_unit_test(jx_str_reads_string),
		cmocka_unit_test(jx_str_counts_length_in_unicode_characters),
		cmocka_unit_test(jx_str_missing_is_required_or_untouched),
		cmocka_unit_test(jx_str_rejects_wrong_type_empty_and_nul),
		cmocka_unit_test(jx_int_reads_integer_in_range),
		cmocka_unit_test(jx_int_rejects_missing_wrong_type_and_out_of_range),
		cmocka_unit_test(jx_enum_returns_the_listed_value),
		cmocka_unit_test(jx_enum_error_lists_allowed_values),
		cmocka_unit_test(jx_time_reads_rfc3339),
		cmocka_unit_test(jx_obj_and_arr_check_type_and_size),
		cmocka_unit_test(jx_money_reads_amount_and_currency),
		cmocka_unit_test(jx_money_rejects_bad_amounts),
		cmocka_unit_test(jx_money_rejects_bad_currencies),
		cmocka_unit_test(jx_money_error_message_names_field),
		cmocka_unit_test(jx_only_names_unknown_field_with_prefix),
		cmocka_unit_test(jx_time_and_money_json_render_values),

		cmocka_unit_test(config_defaults_are_documented_values),
		cmocka_unit_test(config_load_file_reads_every_section),
		cmocka_unit_test(config_load_file_keeps_defaults_for_absent_keys),
		cmocka_unit_test(config_load_file_reads_log_witness_webhook_and_cases),
		cmocka_unit_test(config_witness_urls_and_keys_must_pair_up),
		cmocka_unit_test(config_env_sets_cases_paths_and_batches),
		cmocka_unit_test(config_load_file_rejects_unknown_keys),
		cmocka_unit_test(config_load_file_rejects_bad_values),
		cmocka_unit_test(config_connection_limits_from_file_and_env),
		cmocka_unit_test(config_rejects_listen_too_long_to_keep),
		cmocka_unit_test(config_load_file_missing_file),
		cmocka_unit_test(config_load_file_rejects_malformed_file),
		cmocka_unit_test(config_load_env_overrides_file),
		cmocka_unit_test(config_web_dir_from_file_and_env),
		cmocka_unit_test(config_load_env_without_variables_changes_nothing),
		cmocka_unit_test(config_load_env_rejects_bad_values_naming_variable),
		cmocka_unit_test(config_llm_section_reads_every_key_apart_from_witness_url),
		cmocka_unit_test(config_llm_rejects_bad_values_naming_the_key),
		cmocka_unit_test(config_llm_env_overrides_file_and_names_variable),
		cmocka_unit_test(config_split_listen_splits_v4_and_v6),
		cmocka_unit_test(config_split_listen_rejects_bad_ports_and_addresses),
		cmocka_unit_test(log_level_parse_knows_four_levels),

		cmocka_unit_test(id_new_is_prefix_and_24_hex_digits),
		cmocka_unit_test(id_new_gives_different_ids),
		cmocka_unit_test(id_new_ordered_sorts_by_time),
		cmocka_unit_test(id_is_rejects_malformed_ids),
		cmocka_unit_test(token_new_is_prefix_and_43_base64url_characters),
		cmocka_unit_test(token_hash_is_hex_sha256),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
