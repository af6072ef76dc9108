/* focus_data.c - labelled complaint texts read from the focus data's TSV files. */
#include "assist/focus_train.h"

#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define HEADER "id\tcat\tprimary\tsecondary\ttext"

void focus_data_init(struct focus_data *d)
{
	memset(d, 0, sizeof(*d));
}

/* Free the rows from `from` on and forget them. */
static void drop_rows(struct focus_data *d, size_t from)
{
	size_t i;

	for (i = from; i < d->n; i++) {
		g_free(d->rows[i].id);
		g_free(d->rows[i].text);
	}
	d->n = from;
}

void focus_data_release(struct focus_data *d)
{
	drop_rows(d, 0);
	g_free(d->rows);
	focus_data_init(d);
}

/* A file being read: for messages. */
struct tsv {
	const char *path; /* the file */
	int line;         /* the line being read */
	struct err *e;    /* where a failure goes */
};

static int bad(struct tsv *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fail with "PATH:LINE: …". */
static int bad(struct tsv *t, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return err_set(t->e, RC_INVAL, "invalid_data", NULL, "%s:%d: %s", t->path, t->line, what);
}

/* Split `line` at tabs into exactly five columns, in place. */
static int columns(struct tsv *t, char *line, char *col[5])
{
	int n = 0;

	col[n++] = line;
	for (; *line; line++) {
		if (*line != '\t')
			continue;
		if (n == 5)
			return bad(t, "more than five tab-separated columns");
		*line = '\0';
		col[n++] = line + 1;
	}
	if (n != 5)
		return bad(t, "expected five tab-separated columns (id cat primary secondary "
			      "text), found %d", n);
	return RC_OK;
}

/* Parse one data line into a new row of `d`. */
static int parse_row(struct tsv *t, char *line, struct focus_data *d)
{
	struct focus_row row;
	char *col[5];
	size_t len;
	int rc;

	rc = columns(t, line, col);
	if (rc)
		return rc;
	row.primary = focus_class_parse(col[2], strlen(col[2]));
	if (row.primary < 0)
		return bad(t, "unknown primary label '%.40s'", col[2]);
	row.secondary = *col[3] ? focus_class_parse(col[3], strlen(col[3])) : -1;
	if (*col[3] && row.secondary < 0)
		return bad(t, "unknown secondary label '%.40s'", col[3]);
	if (row.secondary == row.primary)
		row.secondary = -1;
	len = strlen(col[4]);
	if (!*col[0] || len == 0)
		return bad(t, "a row needs an id and a text");
	if (len > FOCUS_MAX_TEXT)
		return bad(t, "the text is longer than %d bytes", FOCUS_MAX_TEXT);
	if (!g_utf8_validate(col[0], -1, NULL) || !g_utf8_validate(col[4], (gssize)len, NULL))
		return bad(t, "not valid UTF-8");
	if (d->n == FOCUS_MAX_ROWS)
		return bad(t, "more than %d rows", FOCUS_MAX_ROWS);
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 256;
		d->rows = g_renew(struct focus_row, d->rows, d->alloc);
	}
	row.id = g_strdup(col[0]);
	row.text = g_strdup(col[4]);
	d->rows[d->n++] = row;
	return RC_OK;
}

/* Parse the whole file's text, header first. */
static int parse_file(struct tsv *t, char *text, struct focus_data *d)
{
	char *line = text, *nl;
	size_t n;
	int rc = RC_OK;

	if (strncmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	for (t->line = 1; line && !rc; t->line++) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (t->line == 1 && strcmp(line, HEADER) != 0)
			rc = bad(t, "the header must be the columns id, cat, primary, secondary, "
				    "text, separated by tabs");
		else if (t->line > 1 && n)
			rc = parse_row(t, line, d);
		line = nl ? nl + 1 : NULL;
	}
	return rc;
}

int focus_data_read(struct focus_data *d, const char *path, struct err *e)
{
	struct tsv t = {path, 0, e};
	GError *gerr = NULL;
	size_t from = d->n;
	gchar *text = NULL;
	gsize len = 0;
	struct stat sb;
	int rc;

	if (stat(path, &sb) != 0)
		return err_set(e, RC_IO, "io", NULL, "cannot read %s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > FOCUS_MAX_DATA_BYTES)
		return err_set(e, RC_INVAL, "invalid_data", NULL,
			       "%s is not a file of at most %zu bytes", path, FOCUS_MAX_DATA_BYTES);
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		rc = err_set(e, RC_IO, "io", NULL, "cannot read %s: %s", path, gerr->message);
		g_error_free(gerr);
		return rc;
	}
	if (strlen(text) != len)
		rc = err_set(e, RC_INVAL, "invalid_data", NULL, "%s holds a NUL byte", path);
	else
		rc = parse_file(&t, text, d);
	if (rc)
		drop_rows(d, from);
	g_free(text);
	return rc;
}
