/* focus_model.c - the focus model file: writing it, and reading it back with every line checked. */
#include "assist/focus_int.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/num.h"

struct focus_model *focus_model_alloc(size_t nfeat, int ngroups, int nclass)
{
	struct focus_model *m = g_try_new0(struct focus_model, 1);

	if (!m)
		return NULL;
	m->nclass = nclass;
	m->nfeat = nfeat;
	m->ngroups = ngroups;
	m->names = g_try_new0(char *, nfeat + 1);
	m->idf = g_try_new0(double, nfeat + 1);
	m->w = g_try_new0(double, (nfeat + (size_t)ngroups) * (size_t)nclass + 1);
	if (!m->names || !m->idf || !m->w) {
		focus_free(m);
		return NULL;
	}
	return m;
}

void focus_free(struct focus_model *m)
{
	int g;

	if (!m)
		return;
	for (g = 0; g < m->ngroups; g++)
		g_free(m->groups[g].words);
	g_free(m->names);
	g_free(m->idf);
	g_free(m->w);
	g_free(m->strings);
	g_free(m);
}

int focus_model_classes(const struct focus_model *m, int out[FOCUS__COUNT])
{
	memcpy(out, m->classes, sizeof(m->classes));
	return m->nclass;
}

/* ---- writing ---- */

/* Append `d` with six significant digits, in the C locale, never "-0". */
static void put_num(GString *s, char sep, double d)
{
	char text[G_ASCII_DTOSTR_BUF_SIZE];

	if (d == 0)
		d = 0;
	g_string_append_c(s, sep);
	g_string_append(s, g_ascii_formatd(text, sizeof(text), "%.6g", d));
}

static void put_header(GString *s, const struct focus_model *m)
{
	const struct focus_options *o = &m->opts;
	int k;

	g_string_append(s, FOCUS_MODEL_MAGIC "\nclasses");
	for (k = 0; k < m->nclass; k++)
		g_string_append_printf(s, " %s", focus_class_names[m->classes[k]]);
	g_string_append_printf(s, "\nngrams %d %d\nsplit %s\nweighting %s\nsolver %s\nc", o->nmin,
			       o->nmax, focus_split_names[o->split],
			       focus_weighting_names[o->weighting], focus_solver_names[o->solver]);
	put_num(s, ' ', o->c);
	g_string_append_printf(s, "\nbalanced %d\nsecondary %d\nmin_df %d\nmax_features %d\n"
				  "rows %lld\nfeatures %zu\nkeywords %d\nbias",
			       o->balanced, o->secondary, o->min_df, o->max_features,
			       (long long)m->rows, m->nfeat, m->ngroups);
	for (k = 0; k < m->nclass; k++)
		put_num(s, ' ', m->bias[k]);
	g_string_append_c(s, '\n');
}

/* "CLASS\tWORD|WORD…\tWEIGHTS" for each keyword list. */
static void put_groups(GString *s, const struct focus_model *m)
{
	const struct focus_group *g;
	size_t i;
	int k;

	for (g = m->groups; g < m->groups + m->ngroups; g++) {
		g_string_append(s, focus_class_names[g->cls]);
		for (i = 0; i < g->nwords; i++) {
			g_string_append_c(s, i ? '|' : '\t');
			g_string_append(s, g->words[i]);
		}
		for (k = 0; k < m->nclass; k++)
			put_num(s, k ? ' ' : '\t',
				m->w[(m->nfeat + (size_t)(g - m->groups)) * (size_t)m->nclass + (size_t)k]);
		g_string_append_c(s, '\n');
	}
}

int focus_save(const struct focus_model *m, const char *path, struct err *e)
{
	GString *s = g_string_sized_new(4096 + m->nfeat * (size_t)(16 + 10 * m->nclass));
	GError *gerr = NULL;
	gchar *sum;
	size_t i;
	int k, rc = RC_OK;

	put_header(s, m);
	put_groups(s, m);
	for (i = 0; i < m->nfeat; i++) {
		g_string_append(s, m->names[i]);
		put_num(s, '\t', m->idf[i]);
		for (k = 0; k < m->nclass; k++)
			put_num(s, k ? ' ' : '\t', m->w[i * (size_t)m->nclass + (size_t)k]);
		g_string_append_c(s, '\n');
	}
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)s->str, s->len);
	g_string_append_printf(s, "end %s\n", sum);
	g_free(sum);
	if (!g_file_set_contents(path, s->str, (gssize)s->len, &gerr)) {
		rc = err_set(e, RC_IO, "io", NULL, "cannot write %s: %s", path, gerr->message);
		g_error_free(gerr);
	}
	g_string_free(s, TRUE);
	return rc;
}

/* ---- reading ---- */

/* A model file being read: its bytes (NUL-terminated lines once read) and a cursor. */
struct reader {
	const char *path; /* for messages */
	char *p;          /* the next line */
	char *end;        /* end of the lines before the "end" line */
	int line;         /* number of the line last read */
	struct err *e;    /* where a failure goes */
};

static int bad(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fail with "focus model PATH line N: …" (without the line before any is read). */
static int bad(struct reader *r, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (r->line == 0)
		return err_set(r->e, RC_INVAL, "invalid_model", NULL, "focus model %s: %s",
			       r->path, what);
	return err_set(r->e, RC_INVAL, "invalid_model", NULL, "focus model %s line %d: %s",
		       r->path, r->line, what);
}

/* The next line, NUL-terminated in place; NULL at the end. */
static char *next_line(struct reader *r)
{
	char *line = r->p, *nl;

	if (r->p >= r->end)
		return NULL;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*nl = '\0';
	r->p = nl + 1;
	r->line++;
	return line;
}

/* The next line, which must be "KEY VALUE"; the value, or NULL (failure set). */
static char *keyed(struct reader *r, const char *key)
{
	char *line = next_line(r);
	size_t n = strlen(key);

	if (!line) {
		r->line++;
		bad(r, "missing %s line", key);
		return NULL;
	}
	if (strncmp(line, key, n) != 0 || line[n] != ' ') {
		bad(r, "expected the %s line", key);
		return NULL;
	}
	return line + n + 1;
}

static int read_int(struct reader *r, const char *key, int64_t min, int64_t max, int64_t *out)
{
	char *v = keyed(r, key);

	if (!v)
		return RC_INVAL;
	if (num_parse_i64(v, min, max, out))
		return bad(r, "%s must be an integer from %lld to %lld", key, (long long)min,
			   (long long)max);
	return RC_OK;
}

static int read_name(struct reader *r, const char *key, const char *const *names, int *out)
{
	char *v = keyed(r, key);
	int i;

	if (!v)
		return RC_INVAL;
	for (i = 0; names[i]; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return RC_OK;
		}
	return bad(r, "unknown %s '%.40s'", key, v);
}

/* Parse `n` numbers separated by single spaces from `s`, which must then end. */
static int read_nums(struct reader *r, char *s, double *out, int n)
{
	char *end;
	int k;

	for (k = 0; k < n; k++) {
		if (k && *s++ != ' ')
			return bad(r, "expected %d numbers", n);
		out[k] = g_ascii_strtod(s, &end);
		if (end == s || !isfinite(out[k]) || *s == ' ')
			return bad(r, "expected %d numbers", n);
		s = end;
	}
	if (*s)
		return bad(r, "junk after %d numbers", n);
	return RC_OK;
}

static int read_classes(struct reader *r, struct focus_model *m)
{
	char *v = keyed(r, "classes"), *tok, *save = NULL;
	int k;

	if (!v)
		return RC_INVAL;
	m->nclass = 0;
	for (tok = strtok_r(v, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		k = focus_class_parse(tok, strlen(tok));
		if (k < 0)
			return bad(r, "unknown class '%.40s'", tok);
		if (m->nclass && k <= m->classes[m->nclass - 1])
			return bad(r, "classes must be listed once each, in the taxonomy's order");
		m->classes[m->nclass++] = k;
	}
	if (m->nclass < 2)
		return bad(r, "a model scores at least two classes");
	return RC_OK;
}

static int read_ngrams(struct reader *r, struct focus_options *o)
{
	char *v = keyed(r, "ngrams");

	if (!v)
		return RC_INVAL;
	if (sscanf(v, "%d %d", &o->nmin, &o->nmax) != 2 || o->nmin < 1 || o->nmin > o->nmax ||
	    o->nmax > FOCUS_MAX_N)
		return bad(r, "ngrams must be two lengths, 1 <= min <= max <= %d", FOCUS_MAX_N);
	return RC_OK;
}

static int read_c(struct reader *r, double *c)
{
	char *v = keyed(r, "c");

	if (!v)
		return RC_INVAL;
	if (read_nums(r, v, c, 1) || *c <= 0)
		return bad(r, "c must be a number above 0");
	return RC_OK;
}

/* The header lines, up to and with "features N"; `size` bounds N. */
static int read_header(struct reader *r, struct focus_model *m, size_t size)
{
	struct focus_options *o = &m->opts;
	int64_t v[7];
	char *line;
	int rc;

	line = next_line(r);
	if (!line || strcmp(line, FOCUS_MODEL_MAGIC) != 0)
		return bad(r, "not a focus model of version 1 (first line '%s')",
			   FOCUS_MODEL_MAGIC);
	rc = read_classes(r, m);
	if (!rc)
		rc = read_ngrams(r, o);
	if (!rc)
		rc = read_name(r, "split", focus_split_names, &o->split);
	if (!rc)
		rc = read_name(r, "weighting", focus_weighting_names, &o->weighting);
	if (!rc)
		rc = read_name(r, "solver", focus_solver_names, &o->solver);
	if (!rc)
		rc = read_c(r, &o->c);
	if (!rc)
		rc = read_int(r, "balanced", 0, 1, &v[0]);
	if (!rc)
		rc = read_int(r, "secondary", 0, 1, &v[1]);
	if (!rc)
		rc = read_int(r, "min_df", 1, INT32_MAX, &v[2]);
	if (!rc)
		rc = read_int(r, "max_features", 1, FOCUS_MAX_FEATURES, &v[3]);
	if (!rc)
		rc = read_int(r, "rows", 0, INT64_MAX, &v[4]);
	/* a feature's line takes at least six bytes */
	if (!rc)
		rc = read_int(r, "features", 0, MIN((int64_t)(size / 6), FOCUS_MAX_FEATURES), &v[5]);
	if (!rc)
		rc = read_int(r, "keywords", 0, FOCUS__COUNT, &v[6]);
	if (rc)
		return rc;
	o->balanced = (int)v[0];
	o->secondary = (int)v[1];
	o->min_df = (int)v[2];
	o->max_features = (int)v[3];
	m->rows = v[4];
	m->nfeat = (size_t)v[5];
	m->ngroups = (int)v[6];
	o->keywords = m->ngroups > 0;
	return RC_OK;
}

/* One line "NGRAM\tIDF\tW1 … WK" for feature i. */
static int read_feature(struct reader *r, struct focus_model *m, size_t i)
{
	char *line = next_line(r), *tab, *tab2;
	size_t nchar;

	if (!line) {
		r->line++;
		return bad(r, "the file ends before its %zu features do", m->nfeat);
	}
	tab = strchr(line, '\t');
	tab2 = tab ? strchr(tab + 1, '\t') : NULL;
	if (!tab || !tab2)
		return bad(r, "expected NGRAM, IDF and weights separated by tabs");
	*tab = *tab2 = '\0';
	nchar = g_utf8_strlen(line, -1);
	if (strchr(line, ' ') || nchar < (size_t)m->opts.nmin || nchar > (size_t)m->opts.nmax ||
	    tab - line >= FOCUS_PHRASE_MAX)
		return bad(r, "n-gram '%.40s' is not %d to %d characters without a space",
			   line, m->opts.nmin, m->opts.nmax);
	if (i && strcmp(m->names[i - 1], line) >= 0)
		return bad(r, "n-grams must be sorted and unique ('%.40s')", line);
	m->names[i] = line;
	if (read_nums(r, tab + 1, &m->idf[i], 1) || m->idf[i] < 0)
		return bad(r, "idf must be a number, at least 0");
	return read_nums(r, tab2 + 1, m->w + i * (size_t)m->nclass, m->nclass);
}

/* Split `s` at '|' into g->words (a new array), each checked. */
static int read_words(struct reader *r, char *s, struct focus_group *g)
{
	char *p;
	size_t n;

	g->words = g_try_new0(const char *, FOCUS_MAX_KEYWORDS);
	if (!g->words)
		return err_set(r->e, RC_NOMEM, NULL, NULL, "out of memory");
	for (g->nwords = 0; s; s = p) {
		p = strchr(s, '|');
		if (p)
			*p++ = '\0';
		n = strlen(s);
		if (n == 0 || n >= FOCUS_PHRASE_MAX || strchr(s, ' '))
			return bad(r, "a keyword must be 1 to %d bytes without a space",
				   FOCUS_PHRASE_MAX - 1);
		if (g->nwords == FOCUS_MAX_KEYWORDS)
			return bad(r, "a list holds at most %d keywords", FOCUS_MAX_KEYWORDS);
		g->words[g->nwords++] = s;
	}
	return RC_OK;
}

/* One line "CLASS\tWORD|WORD…\tW1 … WK" for keyword list g. */
static int read_group(struct reader *r, struct focus_model *m, int g)
{
	char *line = next_line(r), *tab, *tab2;
	struct focus_group *grp = &m->groups[g];
	int rc;

	if (!line) {
		r->line++;
		return bad(r, "the file ends before its %d keyword lists do", m->ngroups);
	}
	tab = strchr(line, '\t');
	tab2 = tab ? strchr(tab + 1, '\t') : NULL;
	if (!tab || !tab2)
		return bad(r, "expected CLASS, keywords and weights separated by tabs");
	*tab = *tab2 = '\0';
	grp->cls = focus_class_parse(line, strlen(line));
	if (grp->cls < 0 || (g && grp->cls <= m->groups[g - 1].cls))
		return bad(r, "keyword lists must be of known classes, once each, in order");
	rc = read_words(r, tab + 1, grp);
	if (!rc)
		rc = read_nums(r, tab2 + 1, m->w + (m->nfeat + (size_t)g) * (size_t)m->nclass,
			       m->nclass);
	return rc;
}

/*
 * Check that `data` ends with a line "end SHA256" whose hash is of every
 * byte before it, and set r->end there.
 */
static int check_sum(struct reader *r, char *data, size_t len)
{
	char *last;
	gchar *sum;
	int ok;

	if (len == 0 || data[len - 1] != '\n')
		return bad(r, "the file is truncated (it does not end with a line break)");
	data[len - 1] = '\0';
	last = strrchr(data, '\n');
	last = last ? last + 1 : data;
	if (strncmp(last, "end ", 4) != 0)
		return bad(r, "the file is truncated (no end line)");
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data,
					  (gsize)(last - data));
	ok = strcmp(sum, last + 4) == 0;
	g_free(sum);
	if (!ok)
		return bad(r, "the checksum on the end line does not match: the file is "
			      "damaged, truncated or was edited");
	r->end = last;
	return RC_OK;
}

/* Parse the checked bytes of a model file into *out (set even on failure, for the caller to free). */
static int load_text(struct reader *r, char *data, size_t len, struct focus_model **out)
{
	struct focus_model head, *m;
	char *line;
	size_t i;
	int g, rc;

	memset(&head, 0, sizeof(head));
	rc = check_sum(r, data, len);
	if (!rc && !g_utf8_validate(data, (gssize)(r->end - data), NULL))
		rc = bad(r, "the file is not UTF-8");
	if (!rc)
		rc = read_header(r, &head, len);
	if (rc)
		return rc;
	m = focus_model_alloc(head.nfeat, head.ngroups, head.nclass);
	if (!m)
		return err_set(r->e, RC_NOMEM, NULL, NULL, "out of memory");
	*out = m;
	m->opts = head.opts;
	m->rows = head.rows;
	memcpy(m->classes, head.classes, sizeof(m->classes));
	line = keyed(r, "bias");
	rc = line ? read_nums(r, line, m->bias, m->nclass) : RC_INVAL;
	for (g = 0; !rc && g < m->ngroups; g++)
		rc = read_group(r, m, g);
	for (i = 0; !rc && i < m->nfeat; i++)
		rc = read_feature(r, m, i);
	if (!rc && next_line(r))
		rc = bad(r, "more lines than its %zu features", m->nfeat);
	return rc;
}

int focus_load(const char *path, struct focus_model **out, struct err *e)
{
	struct reader r = {path, NULL, NULL, 0, e};
	struct focus_model *m = NULL;
	GError *gerr = NULL;
	gchar *data = NULL;
	gsize len = 0;
	struct stat sb;
	int rc;

	*out = NULL;
	if (!path)
		path = r.path = FOCUS_DEFAULT_MODEL;
	if (stat(path, &sb) != 0)
		return err_set(e, RC_IO, "io", NULL, "cannot read focus model %s: %s", path,
			       strerror(errno));
	if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > FOCUS_MAX_MODEL_BYTES)
		return err_set(e, RC_INVAL, "invalid_model", NULL,
			       "focus model %s is not a file of at most %zu bytes", path,
			       FOCUS_MAX_MODEL_BYTES);
	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		rc = err_set(e, RC_IO, "io", NULL, "cannot read focus model %s: %s", path,
			     gerr->message);
		g_error_free(gerr);
		return rc;
	}
	r.p = data;
	rc = load_text(&r, data, len, &m);
	if (rc) {
		focus_free(m);
		g_free(data);
		return rc;
	}
	m->strings = data;
	*out = m;
	return RC_OK;
}
