/* test_calendar.c - unit tests of the statutory calendar: shipped holiday data, Civil Code period counting, bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/calendar.h"
#include "core/err.h"
#include "core/timeutil.h"

/* The shipped calendar (etc/calendar), loaded once for the whole group. */
static struct calendar *cal;

static int group_setup(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	if (calendar_load_dir(NULL, &cal, &e) != RC_OK) {
		fprintf(stderr, "cannot load etc/calendar: %s\n", e.message);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	calendar_free(cal);
	return 0;
}

/* An RFC 3339 time as UTC ms. */
static int64_t at(const char *s)
{
	int64_t ms = 0;

	assert_int_equal(time_parse(s, &ms), RC_OK);
	return ms;
}

/* Assert that `ms` is exactly the RFC 3339 time `want`. */
static void assert_time(int64_t ms, const char *want)
{
	char text[TIME_TEXT_MAX];

	time_format(ms, text);
	assert_string_equal(text, want);
}

/* n days from `start`; assert the end and that the calendar covered it. */
static void days_end(const char *start, int64_t n, const char *want)
{
	int64_t due = 0;
	int unc = -1;

	assert_int_equal(calendar_add_days(cal, at(start), n, &due, &unc), RC_OK);
	assert_time(due, want);
	assert_int_equal(unc, 0);
}

/* n working days from `start`; assert the end and that the calendar covered it. */
static void wdays_end(const char *start, int64_t n, const char *want)
{
	int64_t due = 0;
	int unc = -1;

	assert_int_equal(calendar_add_working_days(cal, at(start), n, &due, &unc), RC_OK);
	assert_time(due, want);
	assert_int_equal(unc, 0);
}

/* ---- the examples the issue specifies ---- */

static void seven_working_days_from_30_sep_2025_end_16_oct_at_any_hour(void **state)
{
	static const char *const starts[] = {
		"2025-09-30T00:00:00+08:00", "2025-09-30T09:30:00+08:00",
		"2025-09-30T23:59:59.999+08:00", "2025-09-29T16:00:00Z", "2025-09-30T15:59:59Z",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		wdays_end(starts[i], 7, "2025-10-16T16:00:00Z");
}

static void return_window_of_7_days_after_signed_30_sep_2025_ends_24_00_on_9_oct(void **state)
{
	char last[CALENDAR_DATE_TEXT_MAX];
	int64_t due = 0;

	(void)state;
	/* The 7th day, 7 Oct, is in the National Day break; 8 Oct is still off. */
	days_end("2025-09-30T11:20:00+08:00", 7, "2025-10-09T16:00:00Z");
	assert_int_equal(calendar_add_days(cal, at("2025-09-30T11:20:00+08:00"), 7, &due, NULL),
			 RC_OK);
	calendar_date_text(due - 1, last);
	assert_string_equal(last, "2025-10-09");
}

/* ---- the shipped data, checked day by day against the notices ---- */

struct span {
	const char *from, *to; /* inclusive */
};

/* A second transcription of the State Council notices, independent of etc/calendar. */
static const struct span holidays_2024[] = {
	{"2024-01-01", "2024-01-01"}, {"2024-02-10", "2024-02-17"}, {"2024-04-04", "2024-04-06"},
	{"2024-05-01", "2024-05-05"}, {"2024-06-08", "2024-06-10"}, {"2024-09-15", "2024-09-17"},
	{"2024-10-01", "2024-10-07"}, {NULL, NULL},
};
static const char *const workdays_2024[] = {
	"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
	"2024-09-29", "2024-10-12", NULL,
};
static const struct span holidays_2025[] = {
	{"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"}, {"2025-04-04", "2025-04-06"},
	{"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"},
	{NULL, NULL},
};
static const char *const workdays_2025[] = {
	"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11", NULL,
};
static const struct span holidays_2026[] = {
	{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
	{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
	{"2026-10-01", "2026-10-07"}, {NULL, NULL},
};
static const char *const workdays_2026[] = {
	"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10", NULL,
};

/*
 * Compare every day of `year` (2024..2026) with the lists and the day of the
 * week, and check how many holidays and adjusted working days there are.
 */
static void check_year(int year, const struct span *hol, const char *const *work,
		       int want_holidays, int want_workdays)
{
	char text[CALENDAR_DATE_TEXT_MAX];
	int64_t ms = at("2024-01-01T00:00:00+08:00"), day_ms = 86400000, idx;
	int y, m, d, nh = 0, nw = 0, listed_h, listed_w, weekend;
	enum calendar_day k, want;
	size_t i;

	/* Walk from 1 January of `year` (Beijing) to its end. */
	ms += (int64_t)(year - 2024) * 365 * day_ms + (year > 2024 ? day_ms : 0); /* 2024 is leap */
	for (;; ms += day_ms) {
		/* 1 January 2024 was a Monday. */
		idx = (ms - at("2024-01-01T00:00:00+08:00")) / day_ms;
		weekend = (idx + 1) % 7 == 0 || (idx + 1) % 7 == 6;
		calendar_beijing_date(ms, &y, &m, &d);
		if (y != year)
			break;
		calendar_date_text(ms, text);
		listed_h = listed_w = 0;
		for (i = 0; hol[i].from; i++)
			listed_h |= strcmp(text, hol[i].from) >= 0 && strcmp(text, hol[i].to) <= 0;
		for (i = 0; work[i]; i++)
			listed_w |= strcmp(text, work[i]) == 0;
		k = calendar_day_kind(cal, y, m, d);
		if (listed_h)
			want = CALENDAR_DAY_HOLIDAY;
		else if (listed_w)
			want = CALENDAR_DAY_ADJUSTED_WORKDAY;
		else
			want = weekend ? CALENDAR_DAY_WEEKEND : CALENDAR_DAY_WORKDAY;
		if (k != want)
			fail_msg("%s is %d, want %d", text, (int)k, (int)want);
		nh += k == CALENDAR_DAY_HOLIDAY;
		nw += k == CALENDAR_DAY_ADJUSTED_WORKDAY;
	}
	assert_int_equal(nh, want_holidays);
	assert_int_equal(nw, want_workdays);
}

static void shipped_years_match_the_state_council_notices_day_by_day(void **state)
{
	(void)state;
	assert_true(calendar_covers(cal, 2024));
	assert_true(calendar_covers(cal, 2025));
	assert_true(calendar_covers(cal, 2026));
	check_year(2024, holidays_2024, workdays_2024, 30, 8);
	check_year(2025, holidays_2025, workdays_2025, 28, 5);
	check_year(2026, holidays_2026, workdays_2026, 33, 6);
}

static void weekdays_and_weekends_fall_on_the_right_days(void **state)
{
	(void)state;
	/* 2025-09-29 was a Monday; 2024-02-29 a Thursday. */
	assert_int_equal(calendar_day_kind(cal, 2025, 9, 29), CALENDAR_DAY_WORKDAY);
	assert_int_equal(calendar_day_kind(cal, 2025, 9, 27), CALENDAR_DAY_WEEKEND);
	assert_int_equal(calendar_day_kind(cal, 2025, 9, 28), CALENDAR_DAY_ADJUSTED_WORKDAY);
	assert_int_equal(calendar_day_kind(cal, 2025, 10, 5), CALENDAR_DAY_HOLIDAY);
	assert_int_equal(calendar_day_kind(cal, 2024, 2, 29), CALENDAR_DAY_WORKDAY);
	assert_int_equal(calendar_day_kind(NULL, 1970, 1, 1), CALENDAR_DAY_WORKDAY);
	assert_int_equal(calendar_day_kind(NULL, 1970, 1, 3), CALENDAR_DAY_WEEKEND);
	assert_true(calendar_is_working_day(cal, 2025, 10, 11));
	assert_false(calendar_is_statutory_rest_day(cal, 2025, 10, 11));
	assert_true(calendar_is_statutory_rest_day(cal, 2025, 10, 12));
	assert_true(calendar_is_statutory_rest_day(cal, 2025, 10, 8));
	assert_false(calendar_is_working_day(cal, 2025, 10, 8));
}

static void invalid_dates_are_neither_working_nor_rest_days(void **state)
{
	(void)state;
	assert_int_equal(calendar_day_kind(cal, 2025, 2, 29), CALENDAR_DAY_INVALID);
	assert_int_equal(calendar_day_kind(cal, 2025, 13, 1), CALENDAR_DAY_INVALID);
	assert_int_equal(calendar_day_kind(cal, 2025, 4, 31), CALENDAR_DAY_INVALID);
	assert_int_equal(calendar_day_kind(cal, 1969, 12, 31), CALENDAR_DAY_INVALID);
	assert_int_equal(calendar_day_kind(cal, 2025, 1, 0), CALENDAR_DAY_INVALID);
	assert_false(calendar_is_working_day(cal, 2025, 2, 29));
	assert_false(calendar_is_statutory_rest_day(cal, 2025, 2, 29));
}

/* ---- Spring Festival ---- */

static void spring_festival_2024_eve_is_a_working_day_and_two_sundays_work(void **state)
{
	(void)state;
	/* 除夕 9 Feb 2024 was not a statutory rest day; 4 and 18 Feb (Sundays) were worked. */
	assert_true(calendar_is_working_day(cal, 2024, 2, 9));
	assert_true(calendar_is_working_day(cal, 2024, 2, 4));
	assert_true(calendar_is_working_day(cal, 2024, 2, 18));
	wdays_end("2024-02-08T10:00:00+08:00", 1, "2024-02-09T16:00:00Z");
	wdays_end("2024-02-08T10:00:00+08:00", 2, "2024-02-18T16:00:00Z");
	wdays_end("2024-02-08T10:00:00+08:00", 3, "2024-02-19T16:00:00Z");
	wdays_end("2024-02-02T10:00:00+08:00", 1, "2024-02-04T16:00:00Z");
	/* 3 Feb + 7 days = 10 Feb, first day of the break; the break runs to 17 Feb,
	 * and 18 Feb, a Sunday, is a working day, so the period ends then. */
	days_end("2024-02-03T10:00:00+08:00", 7, "2024-02-18T16:00:00Z");
}

static void spring_festival_2025_starts_on_new_years_eve(void **state)
{
	(void)state;
	assert_true(calendar_is_statutory_rest_day(cal, 2025, 1, 28));
	assert_true(calendar_is_working_day(cal, 2025, 1, 26));
	assert_true(calendar_is_working_day(cal, 2025, 2, 8));
	wdays_end("2025-01-24T18:00:00+08:00", 1, "2025-01-26T16:00:00Z");
	wdays_end("2025-01-24T18:00:00+08:00", 2, "2025-01-27T16:00:00Z");
	wdays_end("2025-01-24T18:00:00+08:00", 3, "2025-02-05T16:00:00Z");
	days_end("2025-01-25T08:00:00+08:00", 5, "2025-02-05T16:00:00Z");
	/* 3 Feb + 5 = 8 Feb, an adjusted Saturday: the period ends on it. */
	days_end("2025-02-03T08:00:00+08:00", 5, "2025-02-08T16:00:00Z");
}

static void spring_festival_2026_runs_nine_days(void **state)
{
	(void)state;
	assert_true(calendar_is_working_day(cal, 2026, 2, 14));
	assert_true(calendar_is_statutory_rest_day(cal, 2026, 2, 23));
	assert_true(calendar_is_working_day(cal, 2026, 2, 24));
	assert_true(calendar_is_working_day(cal, 2026, 2, 28));
	wdays_end("2026-02-13T12:00:00+08:00", 1, "2026-02-14T16:00:00Z");
	wdays_end("2026-02-13T12:00:00+08:00", 2, "2026-02-24T16:00:00Z");
	days_end("2026-02-10T12:00:00+08:00", 5, "2026-02-24T16:00:00Z");
	/* 3 working days from Wed 25 Feb: 26, 27 and Saturday 28 Feb. */
	wdays_end("2026-02-25T12:00:00+08:00", 3, "2026-02-28T16:00:00Z");
}

/* ---- other periods ---- */

static void adjusted_saturdays_and_sundays_count_as_working_days(void **state)
{
	(void)state;
	wdays_end("2025-10-10T12:00:00+08:00", 1, "2025-10-11T16:00:00Z");
	wdays_end("2024-10-11T12:00:00+08:00", 1, "2024-10-12T16:00:00Z");
	wdays_end("2026-05-08T12:00:00+08:00", 1, "2026-05-09T16:00:00Z");
	wdays_end("2025-09-26T12:00:00+08:00", 1, "2025-09-28T16:00:00Z");
	/* An ordinary weekend is skipped: Fri 2025-03-07 + 1 working day = Mon 10 Mar. */
	wdays_end("2025-03-07T12:00:00+08:00", 1, "2025-03-10T16:00:00Z");
	/* The platform-review example: 3 working days from 30 Sep 2025 end on Sat 11 Oct. */
	wdays_end("2025-09-30T12:00:00+08:00", 3, "2025-10-11T16:00:00Z");
}

static void a_last_day_on_a_weekend_moves_to_the_next_working_day(void **state)
{
	(void)state;
	/* Mon 3 Mar 2025 + 5 = Sat 8 Mar, a rest day: the period ends Mon 10 Mar. */
	days_end("2025-03-03T09:00:00+08:00", 5, "2025-03-10T16:00:00Z");
	/* + 4 = Fri 7 Mar: no change. */
	days_end("2025-03-03T09:00:00+08:00", 4, "2025-03-07T16:00:00Z");
	/* Sun 21 Sep 2025 + 7 = Sun 28 Sep, an adjusted working day: it stays. */
	days_end("2025-09-21T09:00:00+08:00", 7, "2025-09-28T16:00:00Z");
	/* Dragon Boat 2025: 31 May to 2 Jun; 25 May + 7 = 1 Jun, so 3 Jun. */
	days_end("2025-05-25T09:00:00+08:00", 7, "2025-06-03T16:00:00Z");
	/* Holidays inside a period change nothing (arts. 201-203): 28 Sep + 13 =
	 * Sat 11 Oct, an adjusted working day; + 14 = Sun 12 Oct, so Mon 13 Oct. */
	days_end("2025-09-28T09:00:00+08:00", 13, "2025-10-11T16:00:00Z");
	days_end("2025-09-28T09:00:00+08:00", 14, "2025-10-13T16:00:00Z");
}

static void a_period_may_start_inside_a_holiday(void **state)
{
	(void)state;
	days_end("2025-10-01T09:00:00+08:00", 3, "2025-10-09T16:00:00Z");
	days_end("2025-10-01T09:00:00+08:00", 8, "2025-10-09T16:00:00Z");
	days_end("2025-10-01T09:00:00+08:00", 10, "2025-10-11T16:00:00Z");
	wdays_end("2025-10-03T09:00:00+08:00", 1, "2025-10-09T16:00:00Z");
}

static void periods_cross_the_year_boundary(void **state)
{
	(void)state;
	/* 1-3 Jan 2026 off, Sunday 4 Jan worked. */
	wdays_end("2025-12-31T12:00:00+08:00", 1, "2026-01-04T16:00:00Z");
	wdays_end("2025-12-31T12:00:00+08:00", 2, "2026-01-05T16:00:00Z");
	days_end("2025-12-30T12:00:00+08:00", 2, "2026-01-04T16:00:00Z");
	/* 1 Jan 2025 alone was off. */
	days_end("2024-12-31T12:00:00+08:00", 1, "2025-01-02T16:00:00Z");
	wdays_end("2024-12-31T12:00:00+08:00", 1, "2025-01-02T16:00:00Z");
	/* 31 Dec 2025 at 23:59 Beijing is still 2025; at 00:00 it is 2026. */
	days_end("2025-12-31T15:59:59Z", 1, "2026-01-04T16:00:00Z");
	days_end("2025-12-31T16:00:00Z", 1, "2026-01-04T16:00:00Z");
	days_end("2025-12-31T16:00:00Z", 3, "2026-01-04T16:00:00Z");
	days_end("2025-12-31T16:00:00Z", 4, "2026-01-05T16:00:00Z");
}

static void the_starting_day_is_the_beijing_day_not_the_utc_day(void **state)
{
	int y, m, d;

	(void)state;
	/* 29 Sep 23:59:59.999 Beijing: starting day Monday 29 Sep. */
	wdays_end("2025-09-29T15:59:59.999Z", 7, "2025-10-15T16:00:00Z");
	/* One millisecond later it is 30 Sep in Beijing (still 29 Sep in UTC). */
	wdays_end("2025-09-29T16:00:00Z", 7, "2025-10-16T16:00:00Z");
	calendar_beijing_date(at("2025-09-29T16:00:00Z"), &y, &m, &d);
	assert_int_equal(y * 10000 + m * 100 + d, 20250930);
	calendar_beijing_date(at("2025-09-29T15:59:59.999Z"), &y, &m, &d);
	assert_int_equal(y * 10000 + m * 100 + d, 20250929);
	/* A Friday evening in UTC is already Saturday in Beijing. */
	days_end("2025-03-07T16:30:00Z", 1, "2025-03-10T16:00:00Z"); /* Sat 8 + 1 = Sun 9 → Mon 10 */
	days_end("2025-03-07T15:30:00Z", 1, "2025-03-10T16:00:00Z"); /* Fri 7 + 1 = Sat 8 → Mon 10 */
	days_end("2025-03-07T15:30:00Z", 4, "2025-03-11T16:00:00Z");
	days_end("2025-03-07T16:30:00Z", 4, "2025-03-12T16:00:00Z");
}

static void zero_and_one_day_periods(void **state)
{
	(void)state;
	/* n = 0 ends at 24:00 of the starting day, whatever the day is. */
	days_end("2025-10-03T09:00:00+08:00", 0, "2025-10-03T16:00:00Z");
	wdays_end("2025-10-03T09:00:00+08:00", 0, "2025-10-03T16:00:00Z");
	days_end("2025-09-30T23:59:59+08:00", 0, "2025-09-30T16:00:00Z");
	/* n = 1 */
	days_end("2025-09-24T09:00:00+08:00", 1, "2025-09-25T16:00:00Z");
	days_end("2025-09-26T09:00:00+08:00", 1, "2025-09-28T16:00:00Z");
	wdays_end("2025-09-30T09:00:00+08:00", 1, "2025-10-09T16:00:00Z");
	wdays_end("2025-09-24T09:00:00+08:00", 1, "2025-09-25T16:00:00Z");
}

static void a_year_without_data_counts_weekdays_and_says_so(void **state)
{
	int64_t due = 0;
	int unc = 0;

	(void)state;
	assert_false(calendar_covers(cal, 2023));
	assert_false(calendar_covers(cal, 2027));
	/* 1 Jan 2027 is a Friday: without data it is a working day. */
	assert_int_equal(calendar_day_kind(cal, 2027, 1, 1), CALENDAR_DAY_WORKDAY);
	assert_int_equal(calendar_day_kind(cal, 2027, 1, 2), CALENDAR_DAY_WEEKEND);
	assert_int_equal(calendar_add_working_days(cal, at("2026-12-31T10:00:00+08:00"), 1, &due,
						   &unc),
			 RC_OK);
	assert_time(due, "2027-01-01T16:00:00Z");
	assert_int_equal(unc, 2027);
	assert_int_equal(calendar_add_days(cal, at("2026-12-30T10:00:00+08:00"), 4, &due, &unc),
			 RC_OK);
	assert_time(due, "2027-01-04T16:00:00Z"); /* Sun 3 Jan → Mon 4 Jan */
	assert_int_equal(unc, 2027);
	/* Only the days looked at count: a period ending on 2 Jan 2024 never
	 * needs 2023, though it starts there. */
	assert_int_equal(calendar_add_days(cal, at("2023-12-29T10:00:00+08:00"), 3, &due, &unc),
			 RC_OK);
	assert_time(due, "2024-01-02T16:00:00Z");
	assert_int_equal(unc, 0);
	assert_int_equal(calendar_add_working_days(cal, at("2023-12-28T10:00:00+08:00"), 2, &due,
						   &unc),
			 RC_OK);
	assert_time(due, "2024-01-02T16:00:00Z"); /* Fri 29 Dec, (weekend, 1 Jan), Tue 2 Jan */
	assert_int_equal(unc, 2023);
	/* No calendar at all: National Day 2025 is counted as ordinary weekdays. */
	assert_int_equal(calendar_add_working_days(NULL, at("2025-09-30T10:00:00+08:00"), 7, &due,
						   &unc),
			 RC_OK);
	assert_time(due, "2025-10-09T16:00:00Z");
	assert_int_equal(unc, 2025);
}

static void hours_are_plain_elapsed_time(void **state)
{
	int64_t due = 0;

	(void)state;
	assert_int_equal(calendar_add_hours(at("2025-09-30T10:15:30.250Z"), 48, &due), RC_OK);
	assert_time(due, "2025-10-02T10:15:30.250Z");
	assert_int_equal(calendar_add_hours(at("2025-09-30T10:00:00Z"), 0, &due), RC_OK);
	assert_time(due, "2025-09-30T10:00:00Z");
	assert_int_equal(calendar_add_hours(at("2025-12-31T23:00:00Z"), 72, &due), RC_OK);
	assert_time(due, "2026-01-03T23:00:00Z");
}

static void out_of_range_arguments_are_refused(void **state)
{
	int64_t due = 42, start = at("2025-09-30T10:00:00Z");

	(void)state;
	assert_int_equal(calendar_add_days(cal, start, -1, &due, NULL), RC_INVAL);
	assert_int_equal(calendar_add_days(cal, start, CALENDAR_MAX_COUNT + 1, &due, NULL),
			 RC_INVAL);
	assert_int_equal(calendar_add_working_days(cal, start, -1, &due, NULL), RC_INVAL);
	assert_int_equal(calendar_add_working_days(cal, -1, 1, &due, NULL), RC_INVAL);
	assert_int_equal(calendar_add_hours(start, -1, &due), RC_INVAL);
	assert_int_equal(calendar_add_hours(start, (int64_t)CALENDAR_MAX_COUNT * 24 + 1, &due),
			 RC_INVAL);
	assert_int_equal(calendar_add_hours(INT64_MAX, 1, &due), RC_INVAL);
	assert_int_equal(calendar_add_hours(CALENDAR_MAX_MS, 1, &due), RC_INVAL);
	assert_int_equal(calendar_add_days(cal, at("9999-12-30T00:00:00Z"), 5, &due, NULL),
			 RC_INVAL);
	assert_int_equal(calendar_add_working_days(cal, at("9999-12-30T00:00:00Z"), 5, &due, NULL),
			 RC_INVAL);
	assert_int_equal(due, 42);
	assert_int_equal(calendar_add_days(cal, CALENDAR_MAX_COUNT, CALENDAR_MAX_COUNT, &due, NULL),
			 RC_OK);
	assert_int_equal(calendar_add_days(cal, 0, 0, &due, NULL), RC_OK);
	assert_time(due, "1970-01-01T16:00:00Z");
}

static void dates_parse_strictly(void **state)
{
	int y = 0, m = 0, d = 0;

	(void)state;
	assert_int_equal(calendar_parse_date("2025-10-09", &y, &m, &d), RC_OK);
	assert_int_equal(y * 10000 + m * 100 + d, 20251009);
	assert_int_equal(calendar_parse_date("2024-02-29", &y, &m, &d), RC_OK);
	assert_int_equal(calendar_parse_date("2025-02-29", &y, &m, &d), RC_INVAL);
	assert_int_equal(calendar_parse_date("2025-10-9", &y, &m, &d), RC_INVAL);
	assert_int_equal(calendar_parse_date("2025/10/09", &y, &m, &d), RC_INVAL);
	assert_int_equal(calendar_parse_date("2025-10-09 ", &y, &m, &d), RC_INVAL);
	assert_int_equal(calendar_parse_date("+025-10-09", &y, &m, &d), RC_INVAL);
	assert_int_equal(calendar_parse_date("1969-12-31", &y, &m, &d), RC_INVAL);
	assert_int_equal(calendar_parse_date("", &y, &m, &d), RC_INVAL);
	assert_int_equal(y * 10000 + m * 100 + d, 20240229);
}

static void date_text_is_the_beijing_date(void **state)
{
	char text[CALENDAR_DATE_TEXT_MAX];

	(void)state;
	calendar_date_text(at("2025-10-09T15:59:59.999Z"), text);
	assert_string_equal(text, "2025-10-09");
	calendar_date_text(at("2025-10-09T16:00:00Z"), text);
	assert_string_equal(text, "2025-10-10");
	calendar_date_text(at("9999-12-31T15:59:59Z"), text);
	assert_string_equal(text, "9999-12-31");
}

static void calendar_json_lists_years_sources_and_days(void **state)
{
	json_t *j = calendar_to_json(cal), *y25, *hol, *work;
	size_t i;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "time_zone")), "+08:00");
	assert_int_equal(json_array_size(json_object_get(j, "years")), 3);
	y25 = json_array_get(json_object_get(j, "years"), 1);
	assert_int_equal(json_integer_value(json_object_get(y25, "year")), 2025);
	assert_non_null(strstr(json_string_value(json_object_get(y25, "source")),
			       "国办发明电〔2024〕12号"));
	hol = json_object_get(y25, "holidays");
	work = json_object_get(y25, "workdays");
	assert_int_equal(json_array_size(hol), 28);
	assert_string_equal(json_string_value(json_array_get(hol, 0)), "2025-01-01");
	assert_string_equal(json_string_value(json_array_get(hol, 27)), "2025-10-08");
	assert_int_equal(json_array_size(work), 5);
	for (i = 0; i < json_array_size(work); i++)
		assert_int_equal(strlen(json_string_value(json_array_get(work, i))), 10);
	json_decref(j);
	j = calendar_to_json(NULL);
	assert_int_equal(json_array_size(json_object_get(j, "years")), 0);
	json_decref(j);
}

/* ---- loading ---- */

/* A scratch directory with at most one calendar file. */
struct scratch {
	char dir[64];
	char path[128];
};

static void scratch_write(struct scratch *s, const char *name, const char *text)
{
	FILE *f;

	snprintf(s->dir, sizeof(s->dir), "/tmp/disputed-cal-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	s->path[0] = '\0';
	if (!name)
		return;
	snprintf(s->path, sizeof(s->path), "%s/%s", s->dir, name);
	f = fopen(s->path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void scratch_remove(struct scratch *s)
{
	if (s->path[0])
		unlink(s->path);
	rmdir(s->dir);
}

/* Loading `text` as `name` fails with `code`, naming `param` and `line` (0: no line). */
static void load_fails(const char *name, const char *text, const char *code, const char *param,
		       int line)
{
	struct calendar *c = (struct calendar *)1;
	struct scratch s;
	struct err e;
	char want[160];

	err_clear(&e);
	scratch_write(&s, name, text);
	assert_int_equal(calendar_load_dir(s.dir, &c, &e), RC_INVAL);
	assert_null(c);
	assert_string_equal(e.code, code);
	assert_string_equal(e.param, param);
	if (line) {
		snprintf(want, sizeof(want), "%s:%d: ", s.path, line);
		if (strncmp(e.message, want, strlen(want)) != 0)
			fail_msg("message \"%s\" does not start \"%s\"", e.message, want);
	}
	scratch_remove(&s);
}

#define GOOD_HEAD "[calendar]\nyear = 2025\nsource = test\n"

static void a_well_formed_file_loads_and_a_missing_year_is_uncovered(void **state)
{
	struct calendar *c = NULL;
	struct scratch s;
	struct err e;

	(void)state;
	scratch_write(&s, "cn-2025.ini",
		      "# a test year\n" GOOD_HEAD
		      "holidays = 2025-10-01..2025-10-08 ; 2025-01-01;\n"
		      "workdays =\n");
	assert_int_equal(calendar_load_dir(s.dir, &c, &e), RC_OK);
	assert_true(calendar_covers(c, 2025));
	assert_false(calendar_covers(c, 2024));
	assert_true(calendar_is_statutory_rest_day(c, 2025, 10, 8));
	assert_true(calendar_is_statutory_rest_day(c, 2025, 1, 1));
	assert_false(calendar_is_working_day(c, 2025, 10, 11)); /* not adjusted in this file */
	calendar_free(c);
	scratch_remove(&s);
}

static void an_empty_directory_gives_a_calendar_without_years(void **state)
{
	struct calendar *c = NULL;
	struct scratch s;
	struct err e;

	(void)state;
	scratch_write(&s, NULL, NULL);
	assert_int_equal(calendar_load_dir(s.dir, &c, &e), RC_OK);
	assert_non_null(c);
	assert_false(calendar_covers(c, 2025));
	calendar_free(c);
	scratch_remove(&s);
	calendar_free(NULL);
}

static void a_missing_directory_is_an_io_error(void **state)
{
	struct calendar *c = (struct calendar *)1;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(calendar_load_dir("/nonexistent/calendar", &c, &e), RC_IO);
	assert_null(c);
	assert_non_null(strstr(e.message, "/nonexistent/calendar"));
}

static void bad_calendar_files_are_refused_naming_key_and_line(void **state)
{
	(void)state;
	load_fails("cn-2025.ini", GOOD_HEAD "holiday = 2025-01-01\nholidays = 2025-01-01\nworkdays =\n",
		   "unknown_key", "calendar.holiday", 4);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2025-01-01;2025-02-30\nworkdays =\n",
		   "invalid_value", "calendar.holidays", 4);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2025-01-01;20250102\nworkdays =\n",
		   "invalid_value", "calendar.holidays", 4);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2024-12-31..2025-01-01\nworkdays =\n",
		   "invalid_value", "calendar.holidays", 4);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2025-01-05..2025-01-01\nworkdays =\n",
		   "invalid_value", "calendar.holidays", 4);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2025-01-01;;2025-01-02\nworkdays =\n",
		   "invalid_value", "calendar.holidays", 4);
	/* 9 Oct 2025 is a Thursday: it cannot be an adjusted working day. */
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2025-01-01\n\nworkdays = 2025-10-09\n",
		   "invalid_value", "calendar.workdays", 6);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2025-10-01..2025-10-08\nworkdays = 2025-10-04\n",
		   "invalid_value", "calendar.workdays", 5);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays = 2025-10-01;2025-09-29..2025-10-02\nworkdays =\n",
		   "invalid_value", "calendar.holidays", 4);
	load_fails("cn-2025.ini", "[calendar]\nyear = 2024\nsource = x\nholidays =\nworkdays =\n",
		   "invalid_value", "calendar.year", 2);
	load_fails("cn-2025.ini", "[calendar]\nyear = 2025\nholidays =\nworkdays =\n",
		   "missing_key", "calendar.source", 1);
	load_fails("cn-2025.ini", GOOD_HEAD "workdays =\n", "missing_key", "calendar.holidays", 1);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays =\n", "missing_key", "calendar.workdays", 1);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays =\nworkdays =\nholidays = 2025-01-01\n",
		   "duplicate_key", "calendar.holidays", 6);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays =\nworkdays =\n[extra]\nx = 1\n",
		   "unknown_group", "extra", 6);
	load_fails("cn-2025.ini", GOOD_HEAD "holidays =\nworkdays =\njust some words\n",
		   "invalid_file", "", 6);
	load_fails("cn-25.ini", GOOD_HEAD "holidays =\nworkdays =\n", "invalid_file", "", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seven_working_days_from_30_sep_2025_end_16_oct_at_any_hour),
		cmocka_unit_test(return_window_of_7_days_after_signed_30_sep_2025_ends_24_00_on_9_oct),
		cmocka_unit_test(shipped_years_match_the_state_council_notices_day_by_day),
		cmocka_unit_test(weekdays_and_weekends_fall_on_the_right_days),
		cmocka_unit_test(invalid_dates_are_neither_working_nor_rest_days),
		cmocka_unit_test(spring_festival_2024_eve_is_a_working_day_and_two_sundays_work),
		cmocka_unit_test(spring_festival_2025_starts_on_new_years_eve),
		cmocka_unit_test(spring_festival_2026_runs_nine_days),
		cmocka_unit_test(adjusted_saturdays_and_sundays_count_as_working_days),
		cmocka_unit_test(a_last_day_on_a_weekend_moves_to_the_next_working_day),
		cmocka_unit_test(a_period_may_start_inside_a_holiday),
		cmocka_unit_test(periods_cross_the_year_boundary),
		cmocka_unit_test(the_starting_day_is_the_beijing_day_not_the_utc_day),
		cmocka_unit_test(zero_and_one_day_periods),
		cmocka_unit_test(a_year_without_data_counts_weekdays_and_says_so),
		cmocka_unit_test(hours_are_plain_elapsed_time),
		cmocka_unit_test(out_of_range_arguments_are_refused),
		cmocka_unit_test(dates_parse_strictly),
		cmocka_unit_test(date_text_is_the_beijing_date),
		cmocka_unit_test(calendar_json_lists_years_sources_and_days),
		cmocka_unit_test(a_well_formed_file_loads_and_a_missing_year_is_uncovered),
		cmocka_unit_test(an_empty_directory_gives_a_calendar_without_years),
		cmocka_unit_test(a_missing_directory_is_an_io_error),
		cmocka_unit_test(bad_calendar_files_are_refused_naming_key_and_line),
	};

	return cmocka_run_group_tests_name("calendar", tests, group_setup, group_teardown);
}
