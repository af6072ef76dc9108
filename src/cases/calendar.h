/* calendar.h - China's statutory holiday calendar and Civil Code period counting in Beijing time. */
#ifndef DISPUTED_CALENDAR_H
#define DISPUTED_CALENDAR_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"

/*
 * Days are Beijing dates: UTC+8 all year (China keeps no daylight saving),
 * worked out by arithmetic on the date, never through the TZ database.
 * Times are UTC milliseconds since the epoch, as everywhere in the project.
 *
 * The holiday data is one key file per year, cn-YYYY.ini, in a directory
 * (etc/calendar by default; format in docs/rules.md). A year without a
 * file is counted as if it had no holidays and no adjusted working days:
 * Monday to Friday work, Saturday and Sunday rest. Every counting function
 * says when it had to do that (`uncovered_year`), so callers can warn.
 *
 * A loaded calendar is never changed, so one may be read by many threads.
 * Every function that only reads `cal` accepts NULL as a calendar with no
 * years.
 */

#define CALENDAR_DEFAULT_DIR "etc/calendar"

/* Buffer size for a date written as "2025-10-09". */
#define CALENDAR_DATE_TEXT_MAX 11

/* Most days, working days or hours (×24) one period may count. */
#define CALENDAR_MAX_COUNT 3660

/* Beijing time is UTC+8, in milliseconds. */
#define CALENDAR_UTC_OFFSET_MS (8LL * 3600 * 1000)

/* The last moment this module computes with: 9999-12-31T23:59:59.999Z. */
#define CALENDAR_MAX_MS 253402300799999LL

/* What one day is. */
enum calendar_day {
	CALENDAR_DAY_INVALID = -1,     /* not a date */
	CALENDAR_DAY_WORKDAY,          /* Monday to Friday and no holiday */
	CALENDAR_DAY_ADJUSTED_WORKDAY, /* a Saturday or Sunday made a working day (调休上班) */
	CALENDAR_DAY_WEEKEND,          /* a Saturday or Sunday off */
	CALENDAR_DAY_HOLIDAY           /* a rest day of a statutory holiday break (法定节假日) */
};

struct calendar;

/* An empty calendar (no years). Returns NULL if out of memory. */
struct calendar *calendar_new(void);

/* Free `cal` and everything it holds. calendar_free(NULL) does nothing. */
void calendar_free(struct calendar *cal);

/*
 * Load every cn-*.ini in `dir` (NULL means CALENDAR_DEFAULT_DIR) into a new
 * calendar, which the caller frees with calendar_free. A directory with no
 * such file gives a calendar with no years. On error *out is NULL and `e`
 * names the file, line and key: RC_IO if the directory or a file cannot be
 * read, RC_INVAL if a file is wrong (see calendar_add_file).
 */
int calendar_load_dir(const char *dir, struct calendar **out, struct err *e) WARN_UNUSED;

/*
 * Add one year from the key file at `path`, which must be named
 * cn-YYYY.ini and hold [calendar] year = YYYY, source, holidays and
 * workdays (see docs/rules.md). Fails with RC_INVAL, leaving `cal` as it
 * was, on an unknown key, a missing one, a date that does not exist or is
 * outside the year, an adjusted working day that is not a Saturday or
 * Sunday, a date listed twice or in both lists, or a year already loaded.
 */
int calendar_add_file(struct calendar *cal, const char *path, struct err *e) WARN_UNUSED;

/* True if holiday data for `year` is loaded. */
int calendar_covers(const struct calendar *cal, int year);

/*
 * The loaded years as JSON, for publishing beside the rules:
 * {"time_zone":"+08:00","years":[{"year":2025,"source":"…","holidays":
 * ["2025-01-01",…],"workdays":[…]}]}. New reference; NULL if out of memory.
 */
json_t *calendar_to_json(const struct calendar *cal);

/* What the Beijing date y-m-d is; CALENDAR_DAY_INVALID if no such date. */
enum calendar_day calendar_day_kind(const struct calendar *cal, int y, int m, int d);

/* True if y-m-d is a working day (including an adjusted one); 0 for an invalid date. */
int calendar_is_working_day(const struct calendar *cal, int y, int m, int d);

/*
 * True if y-m-d is a statutory rest day (法定休假日): a holiday, or a
 * Saturday or Sunday that is not an adjusted working day. 0 for an invalid
 * date.
 */
int calendar_is_statutory_rest_day(const struct calendar *cal, int y, int m, int d);

/*
 * Parse "YYYY-MM-DD" (exactly that form, years 1970 to 9999) into its
 * parts. Returns RC_OK, or RC_INVAL for anything else or a date that does
 * not exist.
 */
int calendar_parse_date(const char *s, int *y, int *m, int *d) WARN_UNUSED;

/* The Beijing date of the moment `ms`. */
void calendar_beijing_date(int64_t ms, int *y, int *m, int *d);

/* The Beijing date of the moment `ms` as "YYYY-MM-DD". */
void calendar_date_text(int64_t ms, char out[CALENDAR_DATE_TEXT_MAX]);

/*
 * Periods, as the Civil Code counts them (arts. 201-203). Each writes the
 * end of the period to *due_ms: a period in hours ends that many hours after
 * `start_ms`; a period in days or working days ends at 24:00 Beijing time of
 * its last day, written as 00:00 Beijing of the next day (UTC ms). The last
 * day itself is calendar_date_text(*due_ms - 1).
 *
 * `uncovered_year`, if not NULL, is set to the first year the count had to
 * look at without holiday data, or 0 when every day looked at was covered.
 *
 * They fail with RC_INVAL, leaving *due_ms alone, when `start_ms` is before
 * 1970 or after CALENDAR_MAX_MS, `n` is negative or above
 * CALENDAR_MAX_COUNT (×24 for hours), or the end would pass
 * CALENDAR_MAX_MS.
 */

/* `hours` elapsed hours after `start_ms` (art. 201 para. 2). */
int calendar_add_hours(int64_t start_ms, int64_t hours, int64_t *due_ms) WARN_UNUSED;

/*
 * `n` calendar days: the day of `start_ms` is not counted (art. 201), the
 * nth day after it is the last day, and when that is a statutory rest day
 * the last day moves to the first working day after the rest run (art. 203:
 * 法定休假日 covers weekends as well as holidays). With n = 0 the period
 * ends at 24:00 of the starting day, whatever that day is.
 */
int calendar_add_days(const struct calendar *cal, int64_t start_ms, int64_t n,
		      int64_t *due_ms, int *uncovered_year) WARN_UNUSED;

/*
 * `n` working days: the day of `start_ms` is not counted, and the period
 * ends at 24:00 of the nth working day after it. With n = 0 it ends at
 * 24:00 of the starting day.
 */
int calendar_add_working_days(const struct calendar *cal, int64_t start_ms, int64_t n,
			      int64_t *due_ms, int *uncovered_year) WARN_UNUSED;

#endif
