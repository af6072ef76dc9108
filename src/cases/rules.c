/* rules.c - loading, checking, publishing and applying the dispute rules file. */
#include "cases/rules.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases_int.h"
#include "cases/vocab.h"
#include "core/jsonx.h"
#include "core/num.h"
#include "core/timeutil.h"
#include "ingest/ingest.h"

/* Largest fast-lane amount, in fen: the project's cap on money (jx_money). */
#define RULES_MONEY_MAX 10000000000000LL

const char *const rules_tier_names[] = {
	[RULES_TIER_SERIOUS] = "serious",
	[RULES_TIER_FAST_LANE] = "fast_lane",
	[RULES_TIER_STANDARD] = "standard",
	[RULES_TIER__COUNT] = NULL,
};

static const char *const step_names[RULES_STEP__COUNT + 1] = {
	[RULES_STEP_MERCHANT_RESPONSE] = "merchant_response",
	[RULES_STEP_CONSUMER_REPLY] = "consumer_reply",
	[RULES_STEP_PLATFORM_REVIEW] = "platform_review",
	[RULES_STEP_APPEAL] = "appeal",
	[RULES_STEP_EXECUTION] = "execution",
	[RULES_STEP__COUNT] = NULL,
};

/* The key file's layout: every group and key, all required. */
static const char *const keys_rules[] = {"version", "published_at", "title", NULL};
static const char *const keys_return[] = {"window", "excluded_flags", NULL};
static const char *const keys_tiers[] = {
	"serious_reasons", "flagged_merchant_serious", "fast_lane_max", NULL
};
static const char *const keys_reason[] = {"zh", "en", NULL};
static const char *const keys_funds[] = {"serious_hold", "return_receipt", NULL};
static const char *const keys_disclosure[] = {"response", NULL};
static const char *const keys_assist[] = {"auto_grant", "auto_grant_confidence", NULL};
static const char *const keys_negotiation[] = {"rounds", NULL};
static const char *const keys_burden[] = {"admissions", NULL};
static const char *const keys_repeated_fraud[] = {"upheld", "reasons", "window", "pay_first",
						   NULL};

static const struct cases_ini_group rules_spec[] = {
	{"rules", keys_rules},
	{"deadlines", step_names}, /* a deadline per step */
	{"no_reason_return", keys_return},
	{"tiers", keys_tiers},
	{"funds", keys_funds},
	{"disclosure", keys_disclosure},
	{"assist", keys_assist},
	{"repeated_fraud", keys_repeated_fraud},
	{"reason.", keys_reason},
	{"negotiation", keys_negotiation},
	{"burden", keys_burden},
};

#define REASON_PREFIX "reason."

/* ---- names ---- */

const char *rules_step_name(enum rules_step step)
{
	if ((int)step < 0 || step >= RULES_STEP__COUNT)
		return "";
	return step_names[step];
}

int rules_step_parse(const char *name, enum rules_step *step)
{
	int i;

	for (i = 0; i < RULES_STEP__COUNT; i++) {
		if (strcmp(name, step_names[i]) == 0) {
			*step = (enum rules_step)i;
			return RC_OK;
		}
	}
	return RC_INVAL;
}

const char *rules_unit_name(enum rules_unit unit)
{
	switch (unit) {
	case RULES_UNIT_HOURS:
		return "hours";
	case RULES_UNIT_DAYS:
		return "days";
	case RULES_UNIT_WORKING_DAYS:
		return "working_days";
	}
	return "";
}

const char *rules_tier_name(enum rules_tier tier)
{
	if ((int)tier < 0 || tier >= RULES_TIER__COUNT)
		return "";
	return rules_tier_names[tier];
}

/* ---- value syntax ---- */

/* Length of the run of ASCII digits at `s`. */
static size_t digit_run(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

int rules_duration_parse(const char *s, struct rules_duration *d)
{
	size_t nd = digit_run(s);
	char num[8];
	int64_t n, max = CALENDAR_MAX_COUNT;
	enum rules_unit unit;

	if (nd == 0 || nd >= sizeof(num) || s[0] == '0')
		return RC_INVAL;
	if (strcmp(s + nd, "h") == 0) {
		unit = RULES_UNIT_HOURS;
		max *= 24;
	} else if (strcmp(s + nd, "d") == 0) {
		unit = RULES_UNIT_DAYS;
	} else if (strcmp(s + nd, "wd") == 0) {
		unit = RULES_UNIT_WORKING_DAYS;
	} else {
		return RC_INVAL;
	}
	memcpy(num, s, nd);
	num[nd] = '\0';
	if (num_parse_i64(num, 1, max, &n))
		return RC_INVAL;
	d->n = n;
	d->unit = unit;
	return RC_OK;
}

void rules_duration_text(const struct rules_duration *d, char out[RULES_DURATION_TEXT_MAX])
{
	const char *u = d->unit == RULES_UNIT_HOURS ? "h" : d->unit == RULES_UNIT_DAYS ? "d" : "wd";

	snprintf(out, RULES_DURATION_TEXT_MAX, "%" PRId64 "%s", d->n, u);
}

/*
 * An amount of money in yuan: "200 CNY", "199.5 CNY", "0.01 CNY" (at most
 * two decimals, no sign, no leading zeros, one space, then CNY), as fen.
 */
static int money_parse(const char *s, int64_t *fen)
{
	size_t nd = digit_run(s), nf = 0;
	char num[16];
	const char *p = s + nd;
	int64_t yuan, frac = 0;

	if (nd == 0 || nd >= sizeof(num) || (s[0] == '0' && nd > 1))
		return RC_INVAL;
	memcpy(num, s, nd);
	num[nd] = '\0';
	if (num_parse_i64(num, 0, RULES_MONEY_MAX / 100, &yuan))
		return RC_INVAL;
	if (*p == '.') {
		nf = digit_run(p + 1);
		if (nf < 1 || nf > 2)
			return RC_INVAL;
		frac = (p[1] - '0') * 10 + (nf == 2 ? p[2] - '0' : 0);
		p += 1 + nf;
	}
	if (strcmp(p, " CNY") != 0)
		return RC_INVAL;
	if (yuan * 100 + frac > RULES_MONEY_MAX)
		return RC_INVAL;
	*fen = yuan * 100 + frac;
	return RC_OK;
}

/* "YYYY-MM-DD.N": the date the version was made and its number that day. */
static int version_ok(const char *s)
{
	char date[CALENDAR_DATE_TEXT_MAX];
	size_t nd;
	int y, m, d;

	if (strlen(s) < 12 || s[10] != '.')
		return 0;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (calendar_parse_date(date, &y, &m, &d))
		return 0;
	nd = digit_run(s + 11);
	return nd >= 1 && nd <= 4 && s[11] != '0' && s[11 + nd] == '\0';
}

/* A reason code: a lowercase letter, then lowercase letters, digits and '_'; under 48 bytes. */
static int code_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 47 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* ---- loading ---- */

void rules_free(struct rules *r)
{
	size_t i;

	if (!r)
		return;
	g_free(r->version);
	g_free(r->title);
	g_strfreev(r->return_excluded);
	g_strfreev(r->serious_reasons);
	g_strfreev(r->auto_grant);
	g_strfreev(r->admissions);
	g_strfreev(r->repeat_fraud_reasons);
	for (i = 0; i < r->n_reasons; i++) {
		g_free(r->reasons[i].code);
		g_free(r->reasons[i].zh);
		g_free(r->reasons[i].en);
	}
	g_free(r->reasons);
	g_free(r);
}

static int load_duration(const struct cases_ini *ini, const char *group, const char *key,
			 struct rules_duration *d, struct err *e)
{
	char *v = NULL;
	int rc;

	rc = cases_ini_string(ini, group, key, &v, e);
	if (rc == RC_OK && rules_duration_parse(v, d))
		rc = cases_ini_fail(ini, group, key, "invalid_duration", e,
				    "bad duration \"%s\": write a whole number from 1 and its unit, "
				    "h (hours), d (days) or wd (working days), e.g. 48h, 7d, 3wd",
				    v);
	g_free(v);
	return rc;
}

/* A list whose every item must be in `allowed`. */
static int load_set(const struct cases_ini *ini, const char *group, const char *key,
		    const char *const *allowed, const char *what, char ***out, struct err *e)
{
	char **v = NULL, *all;
	int rc;
	size_t i, j;

	rc = cases_ini_list(ini, group, key, &v, e);
	for (i = 0; rc == RC_OK && v[i]; i++) {
		if (vocab_find(allowed, v[i]) < 0) {
			all = g_strjoinv(", ", (char **)allowed);
			rc = cases_ini_fail(ini, group, key, "invalid_value", e,
					    "\"%s\" is not a %s (one of %s)", v[i], what, all);
			g_free(all);
		}
		for (j = 0; rc == RC_OK && j < i; j++)
			if (strcmp(v[i], v[j]) == 0)
				rc = cases_ini_fail(ini, group, key, "invalid_value", e,
						    "\"%s\" is listed twice", v[i]);
	}
	if (rc) {
		g_strfreev(v);
		return rc;
	}
	*out = v;
	return RC_OK;
}

/* Keep the first failure in `e`; later ones are only collected (ini->all). */
static void keep_first(int *rc, int step_rc, struct err *e, const struct err *step_e)
{
	if (step_rc && !*rc) {
		*rc = step_rc;
		if (e)
			*e = *step_e;
	}
}

static int load_header(const struct cases_ini *ini, struct rules *r, struct err *e)
{
	struct err se;
	char *at = NULL;
	int rc = RC_OK, r1;

	err_clear(&se);
	r1 = cases_ini_string(ini, "rules", "version", &r->version, &se);
	if (!r1 && !version_ok(r->version))
		r1 = cases_ini_fail(ini, "rules", "version", "invalid_value", &se,
				    "bad version \"%s\": write YYYY-MM-DD.N, the date and "
				    "the number of the version that day, e.g. 2025-10-01.1",
				    r->version);
	keep_first(&rc, r1, e, &se);
	r1 = cases_ini_string(ini, "rules", "published_at", &at, &se);
	if (r1 == RC_OK && time_parse(at, &r->published_at))
		r1 = cases_ini_fail(ini, "rules", "published_at", "invalid_value", &se,
				    "bad time \"%s\": write RFC 3339, e.g. "
				    "2025-10-01T00:00:00+08:00", at);
	g_free(at);
	keep_first(&rc, r1, e, &se);
	keep_first(&rc, cases_ini_string(ini, "rules", "title", &r->title, &se), e, &se);
	return rc;
}

/* A required true or false into *out. */
static int load_bool(const struct cases_ini *ini, const char *group, const char *key, int *out,
		     struct err *e)
{
	char *v = NULL;
	int rc = cases_ini_string(ini, group, key, &v, e);

	if (rc == RC_OK) {
		if (strcmp(v, "true") == 0)
			*out = 1;
		else if (strcmp(v, "false") == 0)
			*out = 0;
		else
			rc = cases_ini_fail(ini, group, key, "invalid_value", e,
					    "\"%s\" is not true or false", v);
	}
	g_free(v);
	return rc;
}

static int load_tiers(const struct cases_ini *ini, struct rules *r, struct err *e)
{
	struct err se;
	char *v = NULL;
	int rc = RC_OK, r1;

	err_clear(&se);
	keep_first(&rc, load_set(ini, "tiers", "serious_reasons", dispute_reason_names,
				 "dispute reason", &r->serious_reasons, &se), e, &se);
	keep_first(&rc, load_bool(ini, "tiers", "flagged_merchant_serious",
				  &r->flagged_merchant_serious, &se), e, &se);
	r1 = cases_ini_string(ini, "tiers", "fast_lane_max", &v, &se);
	if (r1 == RC_OK && money_parse(v, &r->fast_lane_max))
		r1 = cases_ini_fail(ini, "tiers", "fast_lane_max", "invalid_value", &se,
				    "bad amount \"%s\": write yuan with at most two decimals, "
				    "a space and CNY, e.g. 200.00 CNY", v);
	g_free(v);
	keep_first(&rc, r1, e, &se);
	return rc;
}

/* [assist]: which fast-lane claims an assessment may grant by itself, and how sure it must be. */
static int load_assist(const struct cases_ini *ini, struct rules *r, struct err *e)
{
	struct err se;
	char *v = NULL, *end = NULL;
	int rc = RC_OK, r1;

	err_clear(&se);
	keep_first(&rc, load_set(ini, "assist", "auto_grant", dispute_reason_names,
				 "dispute reason", &r->auto_grant, &se), e, &se);
	r1 = cases_ini_string(ini, "assist", "auto_grant_confidence", &v, &se);
	if (!r1) {
		r->auto_grant_confidence = g_ascii_strtod(v, &end);
		if (!*v || *end || !(r->auto_grant_confidence > 0 && r->auto_grant_confidence <= 1))
			r1 = cases_ini_fail(ini, "assist", "auto_grant_confidence", "invalid_value",
					    &se, "\"%s\" is not a confidence above 0 and at most 1, "
					    "e.g. 0.9", v);
	}
	g_free(v);
	keep_first(&rc, r1, e, &se);
	return rc;
}

/* [negotiation] rounds: a whole number from 1 to RULES_MAX_ROUNDS. */
static int load_negotiation(const struct cases_ini *ini, struct rules *r, struct err *e)
{
	char *v = NULL;
	int64_t n = 0;
	int rc = cases_ini_string(ini, "negotiation", "rounds", &v, e);

	if (!rc && (v[0] == '0' || num_parse_i64(v, 1, RULES_MAX_ROUNDS, &n)))
		rc = cases_ini_fail(ini, "negotiation", "rounds", "invalid_value", e,
				    "\"%s\" is not a number of rounds from 1 to %d", v,
				    RULES_MAX_ROUNDS);
	if (!rc)
		r->negotiation_rounds = (int)n;
	g_free(v);
	return rc;
}

/* [burden] admissions: at most RULES_MAX_ADMISSIONS phrases, each short and listed once. */
static int load_burden(const struct cases_ini *ini, struct rules *r, struct err *e)
{
	char **v = NULL;
	size_t i, j;
	int rc = cases_ini_list(ini, "burden", "admissions", &v, e);

	for (i = 0; rc == RC_OK && v[i]; i++) {
		if (i >= RULES_MAX_ADMISSIONS)
			rc = cases_ini_fail(ini, "burden", "admissions", "invalid_value", e,
					    "more than %d phrases", RULES_MAX_ADMISSIONS);
		else if (strlen(v[i]) > RULES_ADMISSION_MAX_BYTES)
			rc = cases_ini_fail(ini, "burden", "admissions", "invalid_value", e,
					    "\"%.40s…\" is longer than %d bytes", v[i],
					    RULES_ADMISSION_MAX_BYTES);
		for (j = 0; rc == RC_OK && j < i; j++)
			if (strcmp(v[i], v[j]) == 0)
				rc = cases_ini_fail(ini, "burden", "admissions", "invalid_value", e,
						    "\"%s\" is listed twice", v[i]);
	}
	if (rc) {
		g_strfreev(v);
		return rc;
	}
	r->admissions = v;
	return RC_OK;
}

/* [repeated_fraud]: when the repeated_fraud flag is proposed to staff, and what it does once set. */
static int load_repeated_fraud(const struct cases_ini *ini, struct rules *r, struct err *e)
{
	char *v = NULL;
	int rc = cases_ini_string(ini, "repeated_fraud", "upheld", &v, e);

	if (!rc && num_parse_i64(v, 1, 1000, &r->repeat_fraud_upheld))
		rc = cases_ini_fail(ini, "repeated_fraud", "upheld", "invalid_value", e,
				    "\"%s\" is not a whole number of disputes from 1 to 1000", v);
	g_free(v);
	if (!rc)
		rc = load_set(ini, "repeated_fraud", "reasons", dispute_reason_names,
			      "dispute reason", &r->repeat_fraud_reasons, e);
	if (!rc && !r->repeat_fraud_reasons[0])
		rc = cases_ini_fail(ini, "repeated_fraud", "reasons", "invalid_value", e,
				    "name at least one dispute reason");
	if (!rc)
		rc = load_duration(ini, "repeated_fraud", "window", &r->repeat_fraud_window, e);
	if (!rc && r->repeat_fraud_window.unit != RULES_UNIT_DAYS)
		rc = cases_ini_fail(ini, "repeated_fraud", "window", "invalid_duration", e,
				    "the window is counted in days (d), e.g. 90d");
	if (!rc)
		rc = load_bool(ini, "repeated_fraud", "pay_first", &r->flagged_pay_first, e);
	return rc;
}

static int load_reasons(const struct cases_ini *ini, struct rules *r, struct err *e)
{
	gchar **groups = g_key_file_get_groups(ini->kf, NULL);
	struct rules_reason *rr;
	const char *code;
	struct err se;
	int rc = RC_OK;
	size_t i, n = 0;

	err_clear(&se);
	for (i = 0; groups[i]; i++)
		n += g_str_has_prefix(groups[i], REASON_PREFIX);
	r->reasons = g_new0(struct rules_reason, n ? n : 1);
	for (i = 0; groups[i] && (rc == RC_OK || ini->all); i++) {
		if (!g_str_has_prefix(groups[i], REASON_PREFIX))
			continue;
		code = groups[i] + strlen(REASON_PREFIX);
		if (!code_ok(code)) {
			keep_first(&rc, cases_ini_fail(ini, groups[i], NULL, "invalid_value", &se,
						       "bad reason code \"%s\": use lowercase "
						       "letters, digits and _, starting with a "
						       "letter, at most 47", code), e, &se);
			continue;
		}
		rr = &r->reasons[r->n_reasons++];
		rr->code = g_strdup(code);
		keep_first(&rc, cases_ini_string(ini, groups[i], "zh", &rr->zh, &se), e, &se);
		keep_first(&rc, cases_ini_string(ini, groups[i], "en", &rr->en, &se), e, &se);
	}
	g_strfreev(groups);
	return rc;
}

/*
 * Read the loaded key file into a new struct: every key is read even after
 * a failure, so that `ini->all` collects them all; `e` keeps the first.
 */
static int rules_read(struct cases_ini *ini, struct rules **out, struct err *e)
{
	struct rules *r = g_new0(struct rules, 1);
	struct err se;
	int rc = RC_OK, r1, i;

	err_clear(&se);
	keep_first(&rc, cases_ini_check(ini, rules_spec,
					sizeof(rules_spec) / sizeof(rules_spec[0]), &se), e, &se);
	if (rc && !ini->all)
		goto out;
	keep_first(&rc, load_header(ini, r, &se), e, &se);
	for (i = 0; i < RULES_STEP__COUNT; i++)
		keep_first(&rc, load_duration(ini, "deadlines", step_names[i], &r->deadline[i], &se),
			   e, &se);
	r1 = load_duration(ini, "no_reason_return", "window", &r->return_window, &se);
	if (r1 == RC_OK && r->return_window.unit != RULES_UNIT_DAYS)
		r1 = cases_ini_fail(ini, "no_reason_return", "window", "invalid_duration", &se,
				    "the return window is counted in days (d), e.g. 7d");
	keep_first(&rc, r1, e, &se);
	keep_first(&rc, load_set(ini, "no_reason_return", "excluded_flags", listing_flag_names,
				 "listing return_exclusion flag", &r->return_excluded, &se), e, &se);
	keep_first(&rc, load_tiers(ini, r, &se), e, &se);
	keep_first(&rc, load_bool(ini, "funds", "serious_hold", &r->serious_hold, &se), e, &se);
	keep_first(&rc, load_duration(ini, "funds", "return_receipt", &r->return_receipt, &se), e,
		   &se);
	keep_first(&rc, load_duration(ini, "disclosure", "response", &r->disclosure_response, &se),
		   e, &se);
	keep_first(&rc, load_assist(ini, r, &se), e, &se);
	keep_first(&rc, load_reasons(ini, r, &se), e, &se);
	keep_first(&rc, load_negotiation(ini, r, &se), e, &se);
	keep_first(&rc, load_burden(ini, r, &se), e, &se);
	keep_first(&rc, load_repeated_fraud(ini, r, &se), e, &se);
out:
	if (rc) {
		rules_free(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

int rules_load(const char *path, struct rules **out, struct err *e)
{
	struct cases_ini ini;
	int rc;

	*out = NULL;
	if (!path)
		path = RULES_DEFAULT_PATH;
	rc = cases_ini_load(&ini, path, e);
	if (rc)
		return rc;
	rc = rules_read(&ini, out, e);
	cases_ini_release(&ini);
	return rc;
}

int rules_parse(const char *name, const char *text, size_t len, struct rules_check *all,
		struct rules **out, struct err *e)
{
	struct cases_ini_errors sink = {NULL, 0, 0, 0};
	struct cases_ini ini;
	int rc;

	*out = NULL;
	if (all) {
		all->n = all->dropped = 0;
		sink.list = all->errors;
		sink.max = RULES_CHECK_MAX_ERRORS;
	}
	rc = cases_ini_load_text(&ini, name, text, len, e);
	if (rc) {
		if (all && e)
			all->errors[all->n++] = *e;
		return rc;
	}
	ini.all = all ? &sink : NULL;
	rc = rules_read(&ini, out, e);
	if (all) {
		all->n = sink.n;
		all->dropped = sink.dropped;
		if (rc && all->n == 0 && e)
			all->errors[all->n++] = *e;
	}
	cases_ini_release(&ini);
	return rc;
}

int rules_file_read(const char *path, char **text, size_t *len, struct err *e)
{
	GError *gerr = NULL;
	gsize n = 0;
	int rc;

	*text = NULL;
	*len = 0;
	if (!g_file_get_contents(path, text, &n, &gerr)) {
		rc = err_set(e, RC_IO, "unreadable_file", NULL, "cannot read %s: %s", path,
			     gerr->message);
		g_error_free(gerr);
		return rc;
	}
	if (n > CASES_INI_MAX_BYTES) {
		g_free(*text);
		*text = NULL;
		return err_set(e, RC_INVAL, "invalid_file", NULL, "%s: larger than %d bytes", path,
			       CASES_INI_MAX_BYTES);
	}
	*len = n;
	return RC_OK;
}

/* ---- applying ---- */

static int run_duration(const struct calendar *cal, const struct rules_duration *d,
			int64_t start_ms, int64_t *due_ms, int *uncovered_year)
{
	switch (d->unit) {
	case RULES_UNIT_HOURS:
		if (uncovered_year)
			*uncovered_year = 0;
		return calendar_add_hours(start_ms, d->n, due_ms);
	case RULES_UNIT_DAYS:
		return calendar_add_days(cal, start_ms, d->n, due_ms, uncovered_year);
	case RULES_UNIT_WORKING_DAYS:
		return calendar_add_working_days(cal, start_ms, d->n, due_ms, uncovered_year);
	}
	return RC_INVAL;
}

int rules_deadline(const struct rules *r, const struct calendar *cal, enum rules_step step,
		   int64_t start_ms, int64_t *due_ms, int *uncovered_year)
{
	if ((int)step < 0 || step >= RULES_STEP__COUNT)
		return RC_INVAL;
	return run_duration(cal, &r->deadline[step], start_ms, due_ms, uncovered_year);
}

int rules_return_receipt_due(const struct rules *r, const struct calendar *cal,
			     int64_t signed_at_ms, int64_t *due_ms, int *uncovered_year)
{
	return run_duration(cal, &r->return_receipt, signed_at_ms, due_ms, uncovered_year);
}

int rules_return_window(const struct rules *r, const struct calendar *cal,
			int64_t signed_at_ms, int64_t *last_day_end_ms,
			char last_day[CALENDAR_DATE_TEXT_MAX], int *uncovered_year)
{
	int64_t due;
	int rc;

	rc = calendar_add_days(cal, signed_at_ms, r->return_window.n, &due, uncovered_year);
	if (rc)
		return rc;
	*last_day_end_ms = due;
	calendar_date_text(due - 1, last_day);
	return RC_OK;
}

int rules_disclosure_due(const struct rules *r, const struct calendar *cal, int64_t start_ms,
			 int64_t *due_ms, int *uncovered_year)
{
	return run_duration(cal, &r->disclosure_response, start_ms, due_ms, uncovered_year);
}

int rules_return_excluded(const struct rules *r, const char *return_exclusion)
{
	return vocab_find((const char *const *)r->return_excluded, return_exclusion) >= 0;
}

const struct rules_reason *rules_reason_find(const struct rules *r, const char *code)
{
	size_t i;

	for (i = 0; code && i < r->n_reasons; i++)
		if (strcmp(r->reasons[i].code, code) == 0)
			return &r->reasons[i];
	return NULL;
}

int rules_tier(const struct rules *r, const char *reason, int64_t claim_amount,
	       int merchant_flagged, enum rules_tier *tier, char why[RULES_TIER_REASON_MAX])
{
	int64_t max = r->fast_lane_max;

	if (claim_amount < 0)
		return RC_INVAL;
	if (vocab_find((const char *const *)r->serious_reasons, reason) >= 0) {
		*tier = RULES_TIER_SERIOUS;
		snprintf(why, RULES_TIER_REASON_MAX, "reason %s is serious under rules %s%s",
			 reason, r->version,
			 merchant_flagged && r->flagged_merchant_serious
				 ? ", and the merchant is flagged for repeated fraud"
				 : "");
	} else if (merchant_flagged && r->flagged_merchant_serious) {
		*tier = RULES_TIER_SERIOUS;
		snprintf(why, RULES_TIER_REASON_MAX,
			 "the merchant is flagged for repeated fraud (rules %s)", r->version);
	} else if (claim_amount <= max) {
		*tier = RULES_TIER_FAST_LANE;
		snprintf(why, RULES_TIER_REASON_MAX,
			 "claim %" PRId64 ".%02" PRId64 " CNY is within the fast-lane maximum %"
			 PRId64 ".%02" PRId64 " CNY (rules %s)",
			 claim_amount / 100, claim_amount % 100, max / 100, max % 100, r->version);
	} else {
		*tier = RULES_TIER_STANDARD;
		snprintf(why, RULES_TIER_REASON_MAX,
			 "claim %" PRId64 ".%02" PRId64 " CNY is above the fast-lane maximum %"
			 PRId64 ".%02" PRId64 " CNY (rules %s)",
			 claim_amount / 100, claim_amount % 100, max / 100, max % 100, r->version);
	}
	return RC_OK;
}

/* ---- publishing ---- */

static json_t *duration_json(const struct rules_duration *d)
{
	char text[RULES_DURATION_TEXT_MAX];

	rules_duration_text(d, text);
	return json_pack("{s:I, s:s, s:s}", "value", (json_int_t)d->n, "unit",
			 rules_unit_name(d->unit), "text", text);
}

static json_t *strings_json(char *const *list)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && list && list[i]; i++) {
		if (json_array_append_new(a, json_string(list[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *counting_json(void)
{
	return json_pack(
		"{s:s, s:s, s:s, s:s}",
		"law", "Civil Code of the PRC, arts. 201-203",
		"hours", "elapsed hours from the moment the step starts",
		"days", "calendar days in Beijing time: the starting day is not counted; the "
			"period ends at 24:00 of its last day; a last day that is a statutory "
			"rest day (a holiday, or a weekend day that is not an adjusted working "
			"day) moves to the first working day after it",
		"working_days", "working days in Beijing time after the starting day, under the "
				"State Council holiday calendar with its adjusted working days; "
				"the period ends at 24:00 of the last one");
}

json_t *rules_to_json(const struct rules *r, const struct calendar *cal)
{
	char at[TIME_TEXT_MAX];
	json_t *out = NULL, *deadlines = json_object(), *reasons = json_array(), *v;
	size_t i;

	if (!deadlines || !reasons)
		goto fail;
	for (i = 0; i < RULES_STEP__COUNT; i++) {
		v = duration_json(&r->deadline[i]);
		if (!v || json_object_set_new(deadlines, step_names[i], v))
			goto fail;
	}
	for (i = 0; i < r->n_reasons; i++) {
		v = json_pack("{s:s, s:s, s:s}", "code", r->reasons[i].code, "zh",
			      r->reasons[i].zh, "en", r->reasons[i].en);
		if (!v || json_array_append_new(reasons, v))
			goto fail;
	}
	time_format(r->published_at, at);
	out = json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:o,"
		" s:{s:o, s:s, s:o},"
		" s:{s:o, s:o, s:b, s:o},"
		" s:{s:b, s:o}, s:o}",
		"version", r->version, "title", r->title, "published_at", at,
		"time_zone", "+08:00", "counting", counting_json(), "deadlines", deadlines,
		"no_reason_return", "window", duration_json(&r->return_window), "starts",
		"the day after the order's signed logistics event", "excluded_flags",
		strings_json(r->return_excluded),
		"tiers", "order", strings_json((char *const *)rules_tier_names), "serious_reasons",
		strings_json(r->serious_reasons), "flagged_merchant_serious",
		r->flagged_merchant_serious, "fast_lane_max",
		jx_money_json(r->fast_lane_max, "CNY"),
		"funds", "serious_hold", r->serious_hold, "return_receipt",
		duration_json(&r->return_receipt), "reason_codes", reasons);
	if (out && json_object_set_new(out, "disclosure",
				       json_pack("{s:o}", "response",
						 duration_json(&r->disclosure_response))))
		json_decref(out), out = NULL;
	if (out && json_object_set_new(out, "assist",
				       json_pack("{s:o, s:f}", "auto_grant",
						 strings_json(r->auto_grant),
						 "auto_grant_confidence",
						 r->auto_grant_confidence)))
		json_decref(out), out = NULL;
	if (out && json_object_set_new(out, "negotiation",
				       json_pack("{s:i}", "rounds", r->negotiation_rounds)))
		json_decref(out), out = NULL;
	if (out && json_object_set_new(out, "burden",
				       json_pack("{s:o}", "admissions",
						 strings_json(r->admissions))))
		json_decref(out), out = NULL;
	if (out && json_object_set_new(out, "repeated_fraud",
				       json_pack("{s:I, s:o, s:o, s:b}", "upheld",
						 (json_int_t)r->repeat_fraud_upheld, "reasons",
						 strings_json(r->repeat_fraud_reasons), "window",
						 duration_json(&r->repeat_fraud_window), "pay_first",
						 r->flagged_pay_first)))
		json_decref(out), out = NULL;
	deadlines = reasons = NULL; /* json_pack took them, even on failure */
	if (out && cal) {
		v = calendar_to_json(cal);
		if (!v || json_object_set_new(out, "calendar", v)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
fail:
	json_decref(deadlines);
	json_decref(reasons);
	return NULL;
}
