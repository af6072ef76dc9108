/* compliance.c - the compliance report: counts, durations and breaches of the platform's obligations, as JSON, CSV or a table. */
#include "report/compliance.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/rules.h"
#include "cases/vocab.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "risk/risk.h"

/* the report counts the duties the lifecycle records (enum duty) */
const char *const *const compliance_kinds = duty_names;

/* The four known kinds, and room for kinds a later lifecycle may add. */
#define KINDS_MAX 8

/* Growable list of durations in whole seconds. */
struct durations {
	int64_t *v;     /* malloc'd, or NULL while empty */
	size_t n;       /* values held */
	size_t alloc;   /* values allocated */
};

/* What the report counts for one kind. */
struct kind_tally {
	char name[16];          /* the kind */
	int64_t total;          /* obligations of the kind */
	int64_t met_on_time;    /* met_at <= due_at */
	int64_t met_late;       /* met_at > due_at */
	int64_t open;           /* not met */
	int64_t breached;       /* flagged, overdue unmet, or met late */
	struct durations took;  /* created_at to met_at of the met ones, seconds */
};

/* One breached obligation, for the list. */
struct breach {
	int64_t seq;            /* creation order, to break ties */
	char dispute[ID_MAX];   /* dsp_… */
	size_t kind;            /* index into the tallies */
	int64_t due_at;         /* ms */
	int64_t breached_at;    /* ms */
	int met;                /* met_at is meaningful */
	int64_t met_at;         /* ms */
	int64_t late_seconds;   /* >= 0 */
};

/* What the report counts for one week (Monday 00:00 Beijing) of the period. */
struct week_tally {
	int64_t duties;                   /* obligations that arose in the week */
	int64_t met_on_time, met_late;    /* of them, as for a kind */
	int64_t open, breached;
	int64_t disputes;                 /* disputes opened in the week */
	int64_t tier[RULES_TIER__COUNT];  /* of them, by tier (rules_tier_names) */
	int64_t focus[REASON__COUNT];     /* of them, by reason (dispute_reason_names) */
};

/* Everything one report gathers while the store walks the obligations. */
struct tally {
	int64_t now;                      /* the report is judged as of this time */
	struct kind_tally k[KINDS_MAX];   /* k[0..nkinds) */
	size_t nkinds;
	struct breach *b;                 /* malloc'd, b[0..nb) */
	size_t nb, balloc;
	json_t *cancelled;                /* the duties that fell away, with why (owned) */
	int64_t first_week;               /* start of the week holding `from` */
	struct week_tally *w;             /* calloc'd, w[0..nweeks) */
	size_t nweeks;
};

/* The next allocation size for an array of `alloc` elements of `size` bytes; 0 on overflow. */
static size_t next_alloc(size_t alloc, size_t size)
{
	size_t want = alloc ? alloc * 2 : 16;

	return want < alloc || want > SIZE_MAX / size ? 0 : want;
}

/* Append `v` to `d`. RC_NOMEM (and `d` unchanged) if it cannot grow. */
static int durations_push(struct durations *d, int64_t v)
{
	if (d->n == d->alloc) {
		size_t want = next_alloc(d->alloc, sizeof(*d->v));
		int64_t *np = want ? realloc(d->v, want * sizeof(*d->v)) : NULL;

		if (!np)
			return RC_NOMEM;
		d->v = np;
		d->alloc = want;
	}
	d->v[d->n++] = v;
	return RC_OK;
}

/* A new, zeroed breach at the end of the list, or NULL if it cannot grow. */
static struct breach *breach_new(struct tally *t)
{
	struct breach *b;

	if (t->nb == t->balloc) {
		size_t want = next_alloc(t->balloc, sizeof(*t->b));
		struct breach *np = want ? realloc(t->b, want * sizeof(*t->b)) : NULL;

		if (!np)
			return NULL;
		t->b = np;
		t->balloc = want;
	}
	b = &t->b[t->nb++];
	memset(b, 0, sizeof(*b));
	return b;
}

static int64_t whole_seconds(int64_t ms)
{
	return ms > 0 ? ms / 1000 : 0;
}

/* The tally of `kind`, added after the known ones if new; NULL when there is no room. */
static struct kind_tally *tally_kind(struct tally *t, const char *kind, size_t *index)
{
	size_t i;

	for (i = 0; i < t->nkinds; i++)
		if (strcmp(t->k[i].name, kind) == 0)
			break;
	if (i == t->nkinds) {
		if (t->nkinds == KINDS_MAX)
			return NULL;
		snprintf(t->k[i].name, sizeof(t->k[i].name), "%s", kind);
		t->nkinds++;
	}
	*index = i;
	return &t->k[i];
}

/* The tally of the week holding `at`, which lies in the period. */
static struct week_tally *week_of(struct tally *t, int64_t at)
{
	size_t i = (size_t)((risk_week_start(at) - t->first_week) / RISK_WEEK_MS);

	assert(i < t->nweeks);
	return &t->w[i];
}

/* Count an obligation (not cancelled) in the week it arose. */
static void week_duty(struct tally *t, const struct store_obligation *o, int late, int overdue)
{
	struct week_tally *w = week_of(t, o->created_at);

	w->duties++;
	if (!o->met)
		w->open++;
	else if (late)
		w->met_late++;
	else
		w->met_on_time++;
	if (o->breached || overdue || late)
		w->breached++;
}

/* Count a dispute opened in the period in its week, by tier and by reason (names it does not know only in the total). */
static int week_dispute(void *ctx, int64_t created_at, const char *tier, const char *reason,
			struct err *e)
{
	struct week_tally *w = week_of(ctx, created_at);
	size_t i;

	(void)e;
	w->disputes++;
	for (i = 0; rules_tier_names[i]; i++)
		if (strcmp(rules_tier_names[i], tier) == 0)
			w->tier[i]++;
	for (i = 0; dispute_reason_names[i]; i++)
		if (strcmp(dispute_reason_names[i], reason) == 0)
			w->focus[i]++;
	return RC_OK;
}

static int count_one(void *ctx, const struct store_obligation *o, struct err *e)
{
	struct tally *t = ctx;
	struct kind_tally *k;
	struct breach *b;
	size_t ki;
	int late = o->met && o->met_at > o->due_at;
	int overdue = !o->met && o->due_at < t->now;

	/* a duty that fell away is not counted; it is listed with its reason */
	if (o->cancelled)
		return json_array_append_new(
			       t->cancelled,
			       json_pack("{s:s, s:s, s:o, s:o, s:o, s:s}", "dispute", o->dispute_id,
					 "kind", o->kind, "created_at", jx_time_json(o->created_at),
					 "due_at", jx_time_json(o->due_at), "cancelled_at",
					 jx_time_json(o->cancelled_at), "reason",
					 o->cancel_reason[0] ? o->cancel_reason : "unknown"))
			       ? err_set(e, RC_NOMEM, NULL, NULL, "out of memory")
			       : RC_OK;
	k = tally_kind(t, o->kind, &ki);
	if (!k)
		return err_set(e, RC_INTERNAL, NULL, NULL,
			       "more than %d kinds of obligation in the store", KINDS_MAX);
	k->total++;
	week_duty(t, o, late, overdue);
	if (!o->met) {
		k->open++;
	} else {
		if (late)
			k->met_late++;
		else
			k->met_on_time++;
		if (durations_push(&k->took, whole_seconds(o->met_at - o->created_at)))
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	if (!o->breached && !overdue && !late)
		return RC_OK;
	k->breached++;
	b = breach_new(t);
	if (!b)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	b->seq = o->seq;
	memcpy(b->dispute, o->dispute_id, sizeof(b->dispute));
	b->kind = ki;
	b->due_at = o->due_at;
	b->breached_at = o->breached && o->breached_at ? o->breached_at : o->due_at;
	b->met = o->met;
	b->met_at = o->met_at;
	b->late_seconds = whole_seconds((o->met ? o->met_at : t->now) - o->due_at);
	return RC_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_breach(const void *a, const void *b)
{
	const struct breach *x = a, *y = b;

	if (x->due_at != y->due_at)
		return (x->due_at > y->due_at) - (x->due_at < y->due_at);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Median (the mean of the middle two, rounded down, for an even count) of sorted v[0..n), n > 0. */
static int64_t median_of(const int64_t *v, size_t n)
{
	if (n % 2)
		return v[n / 2];
	/* both are >= 0: halve each to stay clear of overflow */
	return v[n / 2 - 1] / 2 + v[n / 2] / 2 + (v[n / 2 - 1] % 2 + v[n / 2] % 2) / 2;
}

/* Nearest-rank percentile `p` (1..100) of sorted v[0..n), n > 0: v at rank ceil(p/100 * n). */
static int64_t percentile_of(const int64_t *v, size_t n, unsigned p)
{
	size_t rank = (n / 100) * p + ((n % 100) * p + 99) / 100;

	return v[(rank ? rank : 1) - 1];
}

/* One kind's entry; NULL if out of memory. */
static json_t *kind_json(struct kind_tally *k)
{
	json_t *median = json_null(), *p90 = json_null();

	if (k->took.n) {
		qsort(k->took.v, k->took.n, sizeof(*k->took.v), cmp_i64);
		median = json_integer(median_of(k->took.v, k->took.n));
		p90 = json_integer(percentile_of(k->took.v, k->took.n, 90));
	}
	/* "o" with a NULL value fails the pack, which releases the other "o" values */
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "kind", k->name, "total",
			 (json_int_t)k->total, "met_on_time", (json_int_t)k->met_on_time, "met_late",
			 (json_int_t)k->met_late, "open", (json_int_t)k->open, "breached",
			 (json_int_t)k->breached, "median_seconds", median, "p90_seconds", p90);
}

/* One breach's entry; NULL if out of memory. */
static json_t *breach_json(const struct tally *t, const struct breach *b)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:I}", "dispute", b->dispute, "kind",
			 t->k[b->kind].name, "due_at", jx_time_json(b->due_at), "breached_at",
			 jx_time_json(b->breached_at), "met_at",
			 b->met ? jx_time_json(b->met_at) : json_null(), "late_seconds",
			 (json_int_t)b->late_seconds);
}

/* The names of staff's decisions on consumer flags, as the report counts them. */
static const char *const flag_decisions[] = {"marked", "cleared", "appeals_filed",
					     "appeals_upheld", "appeals_overturned",
					     "appeals_pending", NULL};

/* Staff's decisions on consumer flags in [from, to): {"marked", …} (flag_decisions). */
static int flag_counts(struct store *st, int64_t from, int64_t to, int64_t now, json_t **out,
		       struct err *e)
{
	struct store_flag_counts n;
	int rc = store_consumer_flag_counts(st, from, to, now, &n, e);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "marked", (json_int_t)n.marked,
			 "cleared", (json_int_t)n.cleared, "appeals_filed",
			 (json_int_t)n.appeals_filed, "appeals_upheld", (json_int_t)n.appeals_upheld,
			 "appeals_overturned", (json_int_t)n.appeals_overturned, "appeals_pending",
			 (json_int_t)n.appeals_pending);
	return *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

/* Whether the report holds any decision on a consumer flag. */
static int any_flag_decision(json_t *report)
{
	json_t *f = json_object_get(report, "consumer_flags");
	size_t i;

	for (i = 0; flag_decisions[i]; i++)
		if (json_integer_value(json_object_get(f, flag_decisions[i])) > 0)
			return 1;
	return 0;
}

/* An object of `names` (NULL-terminated) to the counts in `n`; NULL if out of memory. */
static json_t *counts_json(const char *const *names, const int64_t *n)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; o && names[i]; i++)
		if (json_object_set_new(o, names[i], json_integer(n[i]))) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

/* One week's entry; NULL if out of memory. */
static json_t *week_json(const struct tally *t, size_t i)
{
	const struct week_tally *w = &t->w[i];
	json_t *tiers = counts_json(rules_tier_names, w->tier);
	json_t *foci = tiers ? counts_json(dispute_reason_names, w->focus) : NULL;

	if (!foci) {
		json_decref(tiers);
		return NULL;
	}
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "week_start",
			 jx_time_json(t->first_week + (int64_t)i * RISK_WEEK_MS), "duties",
			 (json_int_t)w->duties, "met_on_time", (json_int_t)w->met_on_time,
			 "met_late", (json_int_t)w->met_late, "open", (json_int_t)w->open,
			 "breached", (json_int_t)w->breached, "disputes", (json_int_t)w->disputes,
			 "by_tier", tiers, "by_focus", foci);
}

/* The weeks the period [from, to) touches, zeroed; RC_INVAL past REPORT_WEEKS_MAX. */
static int weeks_init(struct tally *t, int64_t from, int64_t to, struct err *e)
{
	int64_t last = risk_week_start(to - 1);

	t->first_week = risk_week_start(from);
	if ((last - t->first_week) / RISK_WEEK_MS >= REPORT_WEEKS_MAX)
		return err_set(e, RC_INVAL, "invalid_value", "to",
			       "to must be at most %d weeks after from (twenty years)",
			       REPORT_WEEKS_MAX);
	t->nweeks = (size_t)((last - t->first_week) / RISK_WEEK_MS) + 1;
	t->w = calloc(t->nweeks, sizeof(*t->w));
	return t->w ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

static void tally_release(struct tally *t)
{
	size_t i;

	free(t->w);
	for (i = 0; i < KINDS_MAX; i++)
		free(t->k[i].took.v);
	free(t->b);
	json_decref(t->cancelled);
}

int report_compliance(struct store *st, int64_t from, int64_t to, int64_t now, json_t **out,
		      struct err *e)
{
	struct tally t;
	json_t *r = NULL, *obl, *br, *v;
	size_t i;
	int rc;

	*out = NULL;
	if (from >= to)
		return err_set(e, RC_INVAL, "invalid_value", "to", "to must be later than from");
	memset(&t, 0, sizeof(t));
	t.now = now;
	t.cancelled = json_array();
	for (i = 0; compliance_kinds[i]; i++) {
		snprintf(t.k[i].name, sizeof(t.k[i].name), "%s", compliance_kinds[i]);
		t.nkinds++;
	}
	rc = weeks_init(&t, from, to, e);
	if (!rc)
		rc = store_obligation_each(st, from, to, count_one, &t, e);
	if (!rc)
		rc = store_dispute_opened_each(st, from, to, week_dispute, &t, e);
	if (rc)
		goto out;
	if (t.nb)
		qsort(t.b, t.nb, sizeof(*t.b), cmp_breach);
	r = json_pack("{s:s, s:o, s:o, s:o, s:[], s:[]}", "object", "compliance_report", "from",
		      jx_time_json(from), "to", jx_time_json(to), "generated_at", jx_time_json(now),
		      "obligations", "breaches");
	if (!r)
		goto nomem;
	obl = json_object_get(r, "obligations");
	br = json_object_get(r, "breaches");
	for (i = 0; i < t.nkinds; i++) {
		v = kind_json(&t.k[i]);
		if (!v || json_array_append_new(obl, v))
			goto nomem;
	}
	for (i = 0; i < t.nb; i++) {
		v = breach_json(&t, &t.b[i]);
		if (!v || json_array_append_new(br, v))
			goto nomem;
	}
	if (json_object_set(r, "cancelled", t.cancelled))
		goto nomem;
	rc = flag_counts(st, from, to, now, &v, e);
	if (rc)
		goto out;
	if (json_object_set_new(r, "consumer_flags", v))
		goto nomem;
	v = json_array();
	if (json_object_set_new(r, "weeks", v))
		goto nomem;
	for (i = 0; i < t.nweeks; i++) {
		json_t *wk = week_json(&t, i);

		if (!wk || json_array_append_new(v, wk))
			goto nomem;
	}
	*out = r;
	r = NULL;
	rc = RC_OK;
	goto out;
nomem:
	rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
out:
	json_decref(r);
	tally_release(&t);
	return rc;
}

/* ---- rendering ---- */

static const char *sget(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Fail for a buffer error: RC_TOOBIG or RC_NOMEM (the buffer is released on the latter). */
static int buf_fail(struct buf *out, int rc, struct err *e)
{
	if (rc == RC_NOMEM) {
		buf_release(out);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	return err_set(e, rc, NULL, NULL, "the report is larger than its output buffer");
}

/* Write the JSON value `v` as one CSV field: integers as they are, null empty, strings quoted if need be. */
static int csv_field(struct buf *out, json_t *v, int last)
{
	int rc = RC_OK;

	if (json_is_integer(v)) {
		rc = buf_printf(out, "%lld", (long long)json_integer_value(v));
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (strpbrk(s, ",\"\r\n") == NULL) {
			rc = buf_appends(out, s);
		} else {
			rc = buf_appends(out, "\"");
			for (; !rc && *s; s++)
				rc = *s == '"' ? buf_appends(out, "\"\"") : buf_append(out, s, 1);
			if (!rc)
				rc = buf_appends(out, "\"");
		}
	}
	if (!rc)
		rc = buf_appends(out, last ? "\n" : ",");
	return rc;
}

/* One CSV table: a header line of `cols`, then a line for each object of `rows`. */
static int csv_table(struct buf *out, json_t *rows, const char *const *cols)
{
	json_t *row;
	size_t i, c;
	int rc = RC_OK;

	for (c = 0; !rc && cols[c]; c++)
		rc = buf_printf(out, "%s%s", cols[c], cols[c + 1] ? "," : "\n");
	json_array_foreach(rows, i, row)
		for (c = 0; !rc && cols[c]; c++)
			rc = csv_field(out, json_object_get(row, cols[c]), cols[c + 1] == NULL);
	return rc;
}

static const char *const obligation_cols[] = {"kind", "total", "met_on_time", "met_late", "open",
					      "breached", "median_seconds", "p90_seconds", NULL};
static const char *const breach_cols[] = {"dispute", "kind", "due_at", "breached_at", "met_at",
					  "late_seconds", NULL};

int report_compliance_csv(json_t *report, struct buf *out, struct err *e)
{
	int rc = csv_table(out, json_object_get(report, "obligations"), obligation_cols);

	if (!rc)
		rc = buf_appends(out, "\n");
	if (!rc)
		rc = csv_table(out, json_object_get(report, "breaches"), breach_cols);
	/* a third table, when staff decided on consumer flags in the period */
	if (!rc && any_flag_decision(report)) {
		json_t *f = json_object_get(report, "consumer_flags");
		size_t i;

		rc = buf_appends(out, "\nconsumer_flag_decision,count\n");
		for (i = 0; !rc && flag_decisions[i]; i++)
			rc = buf_printf(out, "%s,%lld\n", flag_decisions[i],
					(long long)json_integer_value(json_object_get(f, flag_decisions[i])));
	}
	return rc ? buf_fail(out, rc, e) : RC_OK;
}

/* A duration in seconds as "[Nd ]HH:MM:SS", or "-" for null. */
static void duration_text(json_t *v, char *out, size_t len)
{
	long long s;

	if (!json_is_integer(v)) {
		snprintf(out, len, "-");
		return;
	}
	s = (long long)json_integer_value(v);
	if (s >= 86400)
		snprintf(out, len, "%lldd %02lld:%02lld:%02lld", s / 86400, s % 86400 / 3600,
			 s % 3600 / 60, s % 60);
	else
		snprintf(out, len, "%02lld:%02lld:%02lld", s / 3600, s % 3600 / 60, s % 60);
}

#define CELL_MAX 48

/*
 * Append a table with the headings `head` (ncol of them) and rows of
 * cells[row * ncol + col], each column as wide as its widest cell; columns
 * whose bit is set in `right` are right-aligned.
 */
static int put_table(struct buf *out, const char *const *head, size_t ncol, unsigned right,
		     char (*cells)[CELL_MAX], size_t nrows)
{
	size_t w[16], r, c;
	int rc = RC_OK;

	for (c = 0; c < ncol && c < 16; c++) {
		w[c] = strlen(head[c]);
		for (r = 0; r < nrows; r++)
			if (strlen(cells[r * ncol + c]) > w[c])
				w[c] = strlen(cells[r * ncol + c]);
	}
	for (r = 0; !rc && r <= nrows; r++)
		for (c = 0; !rc && c < ncol && c < 16; c++) {
			const char *s = r == 0 ? head[c] : cells[(r - 1) * ncol + c];
			int width = (int)w[c];

			rc = buf_printf(out, (right >> c) & 1 ? "%s%*s" : "%s%-*s", c ? "  " : "",
					c + 1 == ncol && !((right >> c) & 1) ? 0 : width, s);
			if (!rc && c + 1 == ncol)
				rc = buf_appends(out, "\n");
		}
	return rc;
}

/* The duties that fell away, one line each, after the breaches; nothing if none. */
static int cancelled_table(json_t *list, struct buf *out)
{
	static const char *const head[] = {"DISPUTE", "KIND", "DUE AT", "CANCELLED AT", "REASON"};
	size_t n = json_array_size(list), i;
	char (*cells)[CELL_MAX];
	json_t *it;
	int rc;

	if (n == 0)
		return RC_OK;
	cells = calloc(n * 5, CELL_MAX);
	if (!cells)
		return RC_NOMEM;
	json_array_foreach(list, i, it) {
		snprintf(cells[i * 5], CELL_MAX, "%s", sget(it, "dispute"));
		snprintf(cells[i * 5 + 1], CELL_MAX, "%s", sget(it, "kind"));
		snprintf(cells[i * 5 + 2], CELL_MAX, "%s", sget(it, "due_at"));
		snprintf(cells[i * 5 + 3], CELL_MAX, "%s", sget(it, "cancelled_at"));
		snprintf(cells[i * 5 + 4], CELL_MAX, "%s", sget(it, "reason"));
	}
	rc = buf_printf(out, "\nCancelled (the duty fell away): %zu\n", n);
	if (!rc)
		rc = put_table(out, head, 5, 0, cells, n);
	free(cells);
	return rc;
}

int report_compliance_table(json_t *report, struct buf *out, struct err *e)
{
	static const char *const ohead[] = {"KIND", "TOTAL", "ON TIME", "LATE", "OPEN",
					    "BREACHED", "MEDIAN", "P90"};
	static const char *const bhead[] = {"DISPUTE", "KIND", "DUE AT", "BREACHED AT", "MET AT",
					    "LATE"};
	json_t *obl = json_object_get(report, "obligations");
	json_t *br = json_object_get(report, "breaches");
	size_t no = json_array_size(obl), nb = json_array_size(br), i, rows;
	char (*cells)[CELL_MAX];
	json_t *it;
	int rc;

	rows = no > nb ? no : nb;
	cells = calloc(rows ? rows * 8 : 1, CELL_MAX);
	if (!cells)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = buf_printf(out, "Compliance report: obligations created from %s to %s\n"
			     "Judged as of %s\n\n",
			sget(report, "from"), sget(report, "to"), sget(report, "generated_at"));
	json_array_foreach(obl, i, it) {
		char (*row)[CELL_MAX] = cells + i * 8;
		static const char *const nums[] = {"total", "met_on_time", "met_late", "open",
						   "breached"};
		size_t c;

		snprintf(row[0], CELL_MAX, "%s", sget(it, "kind"));
		for (c = 0; c < 5; c++)
			snprintf(row[c + 1], CELL_MAX, "%lld",
				 (long long)json_integer_value(json_object_get(it, nums[c])));
		duration_text(json_object_get(it, "median_seconds"), row[6], CELL_MAX);
		duration_text(json_object_get(it, "p90_seconds"), row[7], CELL_MAX);
	}
	if (!rc)
		rc = put_table(out, ohead, 8, 0xFE, cells, no);
	if (!rc && nb == 0)
		rc = buf_appends(out, "\nNo breaches.\n");
	if (!rc && nb > 0) {
		memset(cells, 0, rows * 8 * CELL_MAX);
		json_array_foreach(br, i, it) {
			char (*row)[CELL_MAX] = cells + i * 6;
			json_t *met = json_object_get(it, "met_at");

			snprintf(row[0], CELL_MAX, "%s", sget(it, "dispute"));
			snprintf(row[1], CELL_MAX, "%s", sget(it, "kind"));
			snprintf(row[2], CELL_MAX, "%s", sget(it, "due_at"));
			snprintf(row[3], CELL_MAX, "%s", sget(it, "breached_at"));
			snprintf(row[4], CELL_MAX, "%s",
				 json_is_string(met) ? json_string_value(met) : "not met");
			duration_text(json_object_get(it, "late_seconds"), row[5], CELL_MAX);
		}
		rc = buf_printf(out, "\nBreaches: %zu\n", nb);
		if (!rc)
			rc = put_table(out, bhead, 6, 1u << 5, cells, nb);
	}
	free(cells);
	if (!rc)
		rc = cancelled_table(json_object_get(report, "cancelled"), out);
	if (!rc && any_flag_decision(report)) {
		json_t *f = json_object_get(report, "consumer_flags");

		rc = buf_printf(out, "\nConsumers marked abusive: %lld marked, %lld cleared; appeals: "
				     "%lld filed, %lld upheld, %lld overturned, %lld pending\n",
				(long long)json_integer_value(json_object_get(f, "marked")),
				(long long)json_integer_value(json_object_get(f, "cleared")),
				(long long)json_integer_value(json_object_get(f, "appeals_filed")),
				(long long)json_integer_value(json_object_get(f, "appeals_upheld")),
				(long long)json_integer_value(json_object_get(f, "appeals_overturned")),
				(long long)json_integer_value(json_object_get(f, "appeals_pending")));
	}
	return rc ? buf_fail(out, rc, e) : RC_OK;
}

/* One CSV table for the other reports (verification.h): csv_table, its header if `header`. */
int report_csv_table(struct buf *out, json_t *rows, const char *const *cols, int header,
		     struct err *e)
{
	json_t *row;
	size_t i, c;
	int rc;

	if (header)
		return (rc = csv_table(out, rows, cols)) ? buf_fail(out, rc, e) : RC_OK;
	rc = RC_OK;
	json_array_foreach(rows, i, row)
		for (c = 0; !rc && cols[c]; c++)
			rc = csv_field(out, json_object_get(row, cols[c]), cols[c + 1] == NULL);
	return rc ? buf_fail(out, rc, e) : RC_OK;
}
