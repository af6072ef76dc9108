/* calendar.c - statutory holidays from cn-YYYY.ini files, and periods counted in Beijing days. */
#include "cases/calendar.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases_int.h"
#include "core/num.h"

#define DAY_MS 86400000LL

/* What the year's file says of one day. */
enum cal_mark {
	MARK_NONE = 0,  /* nothing: a weekday works, a weekend rests */
	MARK_HOLIDAY,   /* listed in holidays */
	MARK_WORKDAY    /* listed in workdays */
};

/* One year's holiday data. */
struct calendar_year {
	int year;                /* the year, 1970..9999 */
	char *source;            /* the notice the data comes from (g_malloc'd) */
	int64_t first_day;       /* day number (days since 1970-01-01) of 1 January */
	unsigned char mark[366]; /* enum cal_mark of each day of the year, from 0 */
};

struct calendar {
	struct calendar_year *years; /* sorted by year, no two alike */
	size_t n;                    /* entries in `years` */
};

/* ---- date arithmetic (proleptic Gregorian, after H. Hinnant) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of day number `z`. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

static int valid_date(int y, int m, int d)
{
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

/* The Beijing day number of the moment `ms`. */
static int64_t beijing_day(int64_t ms)
{
	return floor_div(ms + CALENDAR_UTC_OFFSET_MS, DAY_MS);
}

/* 00:00 Beijing time of day number `day`, as UTC ms. */
static int64_t day_start_ms(int64_t day)
{
	return day * DAY_MS - CALENDAR_UTC_OFFSET_MS;
}

int calendar_parse_date(const char *s, int *y, int *m, int *d)
{
	int i, v[3] = {0, 0, 0}, part = 0;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return RC_INVAL;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			part++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return RC_INVAL;
		v[part] = v[part] * 10 + (s[i] - '0');
	}
	if (!valid_date(v[0], v[1], v[2]))
		return RC_INVAL;
	*y = v[0];
	*m = v[1];
	*d = v[2];
	return RC_OK;
}

void calendar_beijing_date(int64_t ms, int *y, int *m, int *d)
{
	civil_from_days(beijing_day(ms), y, m, d);
}

static void day_text(int64_t day, char out[CALENDAR_DATE_TEXT_MAX])
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	/* Years past 9999 are refused before they get here; the modulos bound the output. */
	snprintf(out, CALENDAR_DATE_TEXT_MAX, "%04u-%02u-%02u", (unsigned)y % 10000u,
		 (unsigned)m % 100u, (unsigned)d % 100u);
}

void calendar_date_text(int64_t ms, char out[CALENDAR_DATE_TEXT_MAX])
{
	day_text(beijing_day(ms), out);
}

/* ---- lookups ---- */

static const struct calendar_year *cal_year(const struct calendar *cal, int year)
{
	size_t lo = 0, hi, mid;

	if (!cal)
		return NULL;
	hi = cal->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cal->years[mid].year == year)
			return &cal->years[mid];
		if (cal->years[mid].year < year)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * What day number `day` is. When its year has no data, and `uncovered` is
 * not NULL and still 0, the year is written there.
 */
static enum calendar_day kind_of_day(const struct calendar *cal, int64_t day, int *uncovered)
{
	const struct calendar_year *cy;
	int y, m, d, weekend;
	int64_t wd = day + 4 - floor_div(day + 4, 7) * 7; /* 1970-01-01 was a Thursday; 0 is Sunday */

	civil_from_days(day, &y, &m, &d);
	weekend = wd == 0 || wd == 6;
	cy = cal_year(cal, y);
	if (cy) {
		switch (cy->mark[day - cy->first_day]) {
		case MARK_HOLIDAY:
			return CALENDAR_DAY_HOLIDAY;
		case MARK_WORKDAY:
			return CALENDAR_DAY_ADJUSTED_WORKDAY;
		default:
			break;
		}
	} else if (uncovered && !*uncovered) {
		*uncovered = y;
	}
	return weekend ? CALENDAR_DAY_WEEKEND : CALENDAR_DAY_WORKDAY;
}

static int is_working(enum calendar_day k)
{
	return k == CALENDAR_DAY_WORKDAY || k == CALENDAR_DAY_ADJUSTED_WORKDAY;
}

int calendar_covers(const struct calendar *cal, int year)
{
	return cal_year(cal, year) != NULL;
}

enum calendar_day calendar_day_kind(const struct calendar *cal, int y, int m, int d)
{
	if (!valid_date(y, m, d))
		return CALENDAR_DAY_INVALID;
	return kind_of_day(cal, days_from_civil(y, m, d), NULL);
}

int calendar_is_working_day(const struct calendar *cal, int y, int m, int d)
{
	return is_working(calendar_day_kind(cal, y, m, d));
}

int calendar_is_statutory_rest_day(const struct calendar *cal, int y, int m, int d)
{
	enum calendar_day k = calendar_day_kind(cal, y, m, d);

	return k == CALENDAR_DAY_WEEKEND || k == CALENDAR_DAY_HOLIDAY;
}

/* ---- periods ---- */

static int start_ok(int64_t start_ms, int64_t n, int64_t max)
{
	return start_ms >= 0 && start_ms <= CALENDAR_MAX_MS && n >= 0 && n <= max;
}

int calendar_add_hours(int64_t start_ms, int64_t hours, int64_t *due_ms)
{
	int64_t due;

	if (!start_ok(start_ms, hours, (int64_t)CALENDAR_MAX_COUNT * 24))
		return RC_INVAL;
	due = start_ms + hours * 3600 * 1000;
	if (due > CALENDAR_MAX_MS)
		return RC_INVAL;
	*due_ms = due;
	return RC_OK;
}

/* Write 24:00 of day `last` to *due_ms unless it is past the range. */
static int end_of_day(int64_t last, int64_t *due_ms)
{
	int64_t due = day_start_ms(last + 1);

	if (due > CALENDAR_MAX_MS)
		return RC_INVAL;
	*due_ms = due;
	return RC_OK;
}

int calendar_add_days(const struct calendar *cal, int64_t start_ms, int64_t n,
		      int64_t *due_ms, int *uncovered_year)
{
	int64_t last, max_day = beijing_day(CALENDAR_MAX_MS);
	int unc = 0, rc;

	if (!start_ok(start_ms, n, CALENDAR_MAX_COUNT))
		return RC_INVAL;
	last = beijing_day(start_ms) + n;
	/* Art. 203: a last day that is a rest day gives way to the day after the rest. */
	while (n > 0 && last <= max_day && !is_working(kind_of_day(cal, last, &unc)))
		last++;
	rc = end_of_day(last, due_ms);
	if (rc == RC_OK && uncovered_year)
		*uncovered_year = unc;
	return rc;
}

int calendar_add_working_days(const struct calendar *cal, int64_t start_ms, int64_t n,
			      int64_t *due_ms, int *uncovered_year)
{
	int64_t day, count = 0, max_day = beijing_day(CALENDAR_MAX_MS);
	int unc = 0, rc;

	if (!start_ok(start_ms, n, CALENDAR_MAX_COUNT))
		return RC_INVAL;
	day = beijing_day(start_ms);
	while (count < n && day <= max_day) {
		day++;
		if (is_working(kind_of_day(cal, day, &unc)))
			count++;
	}
	rc = end_of_day(day, due_ms);
	if (rc == RC_OK && uncovered_year)
		*uncovered_year = unc;
	return rc;
}

/* ---- loading ---- */

struct calendar *calendar_new(void)
{
	return calloc(1, sizeof(struct calendar));
}

void calendar_free(struct calendar *cal)
{
	size_t i;

	if (!cal)
		return;
	for (i = 0; i < cal->n; i++)
		g_free(cal->years[i].source);
	free(cal->years);
	free(cal);
}

/* The year in a file name "cn-YYYY.ini" (any directory before it), or 0. */
static int file_year(const char *path)
{
	const char *base = strrchr(path, '/');
	int i, y = 0;

	base = base ? base + 1 : path;
	if (strlen(base) != 11 || strncmp(base, "cn-", 3) != 0 || strcmp(base + 7, ".ini") != 0)
		return 0;
	for (i = 3; i < 7; i++) {
		if (base[i] < '0' || base[i] > '9')
			return 0;
		y = y * 10 + (base[i] - '0');
	}
	return y >= 1970 && y <= 9999 ? y : 0;
}

/*
 * Mark every day an item of a list names: "YYYY-MM-DD" or an inclusive
 * range "YYYY-MM-DD..YYYY-MM-DD", all inside the year. A day already marked
 * is an error.
 */
static int mark_item(const struct cases_ini *ini, const char *key, const char *item,
		     struct calendar_year *cy, enum cal_mark mark, struct err *e)
{
	char first[CALENDAR_DATE_TEXT_MAX], text[CALENDAR_DATE_TEXT_MAX];
	const char *dots = strstr(item, "..");
	const char *last = dots ? dots + 2 : item;
	int y1, m1, d1, y2, m2, d2;
	size_t len = dots ? (size_t)(dots - item) : strlen(item);
	int64_t a, b, day, wd;

	if (len >= sizeof(first) || calendar_parse_date(last, &y2, &m2, &d2))
		goto bad;
	memcpy(first, item, len);
	first[len] = '\0';
	if (calendar_parse_date(first, &y1, &m1, &d1))
		goto bad;
	if (y1 != cy->year || y2 != cy->year)
		return cases_ini_fail(ini, "calendar", key, "invalid_value", e,
				      "%s is not in %d", item, cy->year);
	a = days_from_civil(y1, m1, d1);
	b = days_from_civil(y2, m2, d2);
	if (b < a)
		return cases_ini_fail(ini, "calendar", key, "invalid_value", e,
				      "%s ends before it starts", item);
	for (day = a; day <= b; day++) {
		day_text(day, text);
		if (cy->mark[day - cy->first_day] != MARK_NONE)
			return cases_ini_fail(ini, "calendar", key, "invalid_value", e,
					      "%s is listed twice (in holidays or workdays)",
					      text);
		wd = day + 4 - floor_div(day + 4, 7) * 7;
		if (mark == MARK_WORKDAY && wd != 0 && wd != 6)
			return cases_ini_fail(ini, "calendar", key, "invalid_value", e,
					      "%s is a weekday; an adjusted working day must be a Saturday or Sunday",
					      text);
		cy->mark[day - cy->first_day] = (unsigned char)mark;
	}
	return RC_OK;
bad:
	return cases_ini_fail(ini, "calendar", key, "invalid_value", e,
			      "\"%s\" is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
			      item);
}

static int mark_list(const struct cases_ini *ini, const char *key, struct calendar_year *cy,
		     enum cal_mark mark, struct err *e)
{
	char **items = NULL;
	int rc;
	size_t i;

	rc = cases_ini_list(ini, "calendar", key, &items, e);
	for (i = 0; rc == RC_OK && items[i]; i++)
		rc = mark_item(ini, key, items[i], cy, mark, e);
	g_strfreev(items);
	return rc;
}

int calendar_add_file(struct calendar *cal, const char *path, struct err *e)
{
	static const char *const keys[] = {"year", "source", "holidays", "workdays", NULL};
	static const struct cases_ini_group spec[] = {{"calendar", keys}};
	struct cases_ini ini;
	struct calendar_year cy, *grown;
	char *text = NULL;
	int rc, want = file_year(path);
	int64_t year;
	size_t at;

	memset(&cy, 0, sizeof(cy));
	if (!want)
		return err_set(e, RC_INVAL, "invalid_file", NULL,
			       "%s: a calendar file must be named cn-YYYY.ini", path);
	rc = cases_ini_load(&ini, path, e);
	if (rc)
		return rc;
	rc = cases_ini_check(&ini, spec, 1, e);
	if (rc)
		goto out;
	rc = cases_ini_string(&ini, "calendar", "year", &text, e);
	if (rc)
		goto out;
	if (num_parse_i64(text, 1970, 9999, &year) || year != want) {
		rc = cases_ini_fail(&ini, "calendar", "year", "invalid_value", e,
				    "\"%s\" does not match the file name, which says %d", text,
				    want);
		goto out;
	}
	cy.year = want;
	cy.first_day = days_from_civil(want, 1, 1);
	if (cal_year(cal, want)) {
		rc = cases_ini_fail(&ini, "calendar", "year", "invalid_value", e,
				    "%d is already loaded", want);
		goto out;
	}
	rc = cases_ini_string(&ini, "calendar", "source", &cy.source, e);
	if (rc)
		goto out;
	rc = mark_list(&ini, "holidays", &cy, MARK_HOLIDAY, e);
	if (rc)
		goto out;
	rc = mark_list(&ini, "workdays", &cy, MARK_WORKDAY, e);
	if (rc)
		goto out;

	grown = realloc(cal->years, (cal->n + 1) * sizeof(*grown));
	if (!grown) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	cal->years = grown;
	for (at = cal->n; at > 0 && cal->years[at - 1].year > want; at--)
		cal->years[at] = cal->years[at - 1];
	cal->years[at] = cy;
	cal->n++;
	cy.source = NULL; /* now the calendar's */
out:
	g_free(text);
	g_free(cy.source);
	cases_ini_release(&ini);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int calendar_load_dir(const char *dir, struct calendar **out, struct err *e)
{
	GError *gerr = NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct calendar *cal = NULL;
	const char *name;
	GDir *d;
	char *path;
	int rc = RC_OK;
	guint i;

	*out = NULL;
	if (!dir)
		dir = CALENDAR_DEFAULT_DIR;
	d = g_dir_open(dir, 0, &gerr);
	if (!d) {
		rc = err_set(e, RC_IO, "unreadable_file", NULL,
			     "cannot read the calendar directory %s: %s", dir, gerr->message);
		goto out;
	}
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_prefix(name, "cn-") && g_str_has_suffix(name, ".ini"))
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	if (names->len)
		qsort(names->pdata, names->len, sizeof(char *), name_cmp);

	cal = calendar_new();
	if (!cal) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < names->len && rc == RC_OK; i++) {
		path = g_build_filename(dir, (const char *)names->pdata[i], NULL);
		rc = calendar_add_file(cal, path, e);
		g_free(path);
	}
	if (rc == RC_OK) {
		*out = cal;
		cal = NULL;
	}
out:
	calendar_free(cal);
	g_ptr_array_free(names, TRUE);
	if (gerr)
		g_error_free(gerr);
	return rc;
}

/* ---- publishing ---- */

/* Append to `arr` the dates of `cy` marked `mark`. Returns -1 if out of memory. */
static int dates_json(const struct calendar_year *cy, enum cal_mark mark, json_t *arr)
{
	char text[CALENDAR_DATE_TEXT_MAX];
	int64_t i, n = days_from_civil(cy->year + 1, 1, 1) - cy->first_day;

	for (i = 0; i < n; i++) {
		if (cy->mark[i] != mark)
			continue;
		day_text(cy->first_day + i, text);
		if (json_array_append_new(arr, json_string(text)))
			return -1;
	}
	return 0;
}

json_t *calendar_to_json(const struct calendar *cal)
{
	json_t *years = json_array(), *y, *hol, *work;
	size_t i;

	if (!years)
		return NULL;
	for (i = 0; cal && i < cal->n; i++) {
		hol = json_array();
		work = json_array();
		if (!hol || !work || dates_json(&cal->years[i], MARK_HOLIDAY, hol) ||
		    dates_json(&cal->years[i], MARK_WORKDAY, work)) {
			json_decref(hol);
			json_decref(work);
			goto nomem;
		}
		y = json_pack("{s:i, s:s, s:o, s:o}", "year", cal->years[i].year, "source",
			      cal->years[i].source, "holidays", hol, "workdays", work);
		if (!y || json_array_append_new(years, y))
			goto nomem;
	}
	return json_pack("{s:s, s:o}", "time_zone", "+08:00", "years", years);
nomem:
	json_decref(years);
	return NULL;
}
