/* ini.c - strict reading of the rules and calendar key files, with errors that name the line. */
#include "cases/cases_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * The lines of a key file as GKeyFile reads them: leading white space is
 * skipped; then a line is blank, a comment ('#'), a group ('[' up to the
 * last ']') or a key ('=' with the key before it, trailing space removed).
 */
enum ini_line_kind {
	INI_BLANK,
	INI_GROUP,
	INI_KEY,
	INI_BAD
};

struct ini_line {
	enum ini_line_kind kind; /* what the line is */
	const char *name;        /* group or key name, not NUL-terminated */
	size_t len;              /* length of `name` */
};

/* Classify the line [p, end). */
static void ini_classify(const char *p, const char *end, struct ini_line *l)
{
	const char *q;

	while (p < end && g_ascii_isspace(*p))
		p++;
	while (end > p && (end[-1] == '\r' || g_ascii_isspace(end[-1])))
		end--;
	l->name = p;
	l->len = 0;
	if (p == end || *p == '#') {
		l->kind = INI_BLANK;
		return;
	}
	if (*p == '[') {
		q = end;
		while (q > p && q[-1] != ']')
			q--;
		if (q - p < 2) {
			l->kind = INI_BAD;
			return;
		}
		l->kind = INI_GROUP;
		l->name = p + 1;
		l->len = (size_t)(q - 1 - (p + 1));
		return;
	}
	q = memchr(p, '=', (size_t)(end - p));
	if (!q) {
		l->kind = INI_BAD;
		return;
	}
	while (q > p && g_ascii_isspace(q[-1]))
		q--;
	l->kind = INI_KEY;
	l->len = (size_t)(q - p);
}

/* Does `name`/`len` equal the NUL-terminated `s`? */
static int ini_eq(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(name, s, len) == 0;
}

int cases_ini_line(const struct cases_ini *ini, const char *group, const char *key)
{
	const char *p = ini->text, *nl;
	int line = 0, in_group = 0;
	struct ini_line l;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		line++;
		ini_classify(p, nl, &l);
		if (l.kind == INI_GROUP) {
			in_group = ini_eq(l.name, l.len, group);
			if (in_group && !key)
				return line;
		} else if (l.kind == INI_KEY && in_group && key && ini_eq(l.name, l.len, key)) {
			return line;
		}
		p = *nl ? nl + 1 : nl;
	}
	return 0;
}

int cases_ini_fail(const struct cases_ini *ini, const char *group, const char *key,
		   const char *code, struct err *e, const char *fmt, ...)
{
	char msg[256], param[128];
	va_list ap;
	int line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key)
		snprintf(param, sizeof(param), "%s.%s", group, key);
	else
		snprintf(param, sizeof(param), "%s", group);
	line = cases_ini_line(ini, group, key);
	if (!line && key)
		line = cases_ini_line(ini, group, NULL);
	if (line)
		err_set(e, RC_INVAL, code, param, "%s:%d: %s: %s", ini->path, line, param, msg);
	else
		err_set(e, RC_INVAL, code, param, "%s: %s: %s", ini->path, param, msg);
	if (ini->all && e) {
		if (ini->all->n < ini->all->max)
			ini->all->list[ini->all->n++] = *e;
		else
			ini->all->dropped++;
	}
	return RC_INVAL;
}

/*
 * Refuse lines GKeyFile would misread or silently merge: junk lines, a group
 * header given twice and a key given twice in a group (GKeyFile keeps the
 * last, so an edit to the first copy would have no effect).
 */
static int ini_scan(struct cases_ini *ini, struct err *e)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const char *p = ini->text, *nl;
	char *group = NULL, *id;
	int line = 0, rc = RC_OK;
	struct ini_line l;
	gpointer prev;

	while (*p && !rc) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		line++;
		ini_classify(p, nl, &l);
		id = NULL;
		if (l.kind == INI_BAD) {
			rc = err_set(e, RC_INVAL, "invalid_file", NULL,
				     "%s:%d: not a [group], a key = value or a # comment",
				     ini->path, line);
		} else if (l.kind == INI_GROUP) {
			g_free(group);
			group = g_strndup(l.name, l.len);
			id = g_strdup_printf("[%s]", group);
		} else if (l.kind == INI_KEY) {
			if (!group)
				rc = err_set(e, RC_INVAL, "invalid_file", NULL,
					     "%s:%d: a key before the first [group]", ini->path,
					     line);
			else
				id = g_strdup_printf("%s.%.*s", group, (int)l.len, l.name);
		}
		if (id && g_hash_table_lookup_extended(seen, id, NULL, &prev)) {
			rc = err_set(e, RC_INVAL, "duplicate_key", id,
				     "%s:%d: %s is already given on line %d", ini->path, line,
				     id, GPOINTER_TO_INT(prev));
			g_free(id);
		} else if (id) {
			g_hash_table_insert(seen, id, GINT_TO_POINTER(line));
		}
		p = *nl ? nl + 1 : nl;
	}
	g_free(group);
	g_hash_table_destroy(seen);
	return rc;
}

void cases_ini_release(struct cases_ini *ini)
{
	if (ini->kf)
		g_key_file_free(ini->kf);
	g_free(ini->text);
	ini->kf = NULL;
	ini->text = NULL;
}

/* Check and parse ini->text (`len` bytes), read from ini->path. */
static int ini_parse(struct cases_ini *ini, size_t len, struct err *e)
{
	const char *path = ini->path;
	GError *gerr = NULL;
	int rc = RC_OK;

	if (len > CASES_INI_MAX_BYTES) {
		rc = err_set(e, RC_INVAL, "invalid_file", NULL, "%s: larger than %d bytes",
			     path, CASES_INI_MAX_BYTES);
		goto out;
	}
	if (strlen(ini->text) != len) {
		rc = err_set(e, RC_INVAL, "invalid_file", NULL, "%s: holds a NUL byte", path);
		goto out;
	}
	if (!g_utf8_validate(ini->text, (gssize)len, NULL)) {
		rc = err_set(e, RC_INVAL, "invalid_file", NULL, "%s: not valid UTF-8", path);
		goto out;
	}
	rc = ini_scan(ini, e);
	if (rc)
		goto out;
	ini->kf = g_key_file_new();
	/* Keep key[locale] entries, which GKeyFile would otherwise drop unseen, so
	 * that cases_ini_check refuses them as unknown keys. */
	if (!g_key_file_load_from_data(ini->kf, ini->text, len, G_KEY_FILE_KEEP_TRANSLATIONS,
				       &gerr)) {
		rc = err_set(e, RC_INVAL, "invalid_file", NULL, "%s: %s", path, gerr->message);
		goto out;
	}
out:
	if (gerr)
		g_error_free(gerr);
	if (rc)
		cases_ini_release(ini);
	return rc;
}

int cases_ini_load(struct cases_ini *ini, const char *path, struct err *e)
{
	GError *gerr = NULL;
	gsize len = 0;
	int rc;

	memset(ini, 0, sizeof(*ini));
	ini->path = path;
	if (!g_file_get_contents(path, &ini->text, &len, &gerr)) {
		rc = err_set(e, RC_IO, "unreadable_file", NULL, "cannot read %s: %s", path,
			     gerr->message);
		g_error_free(gerr);
		return rc;
	}
	return ini_parse(ini, len, e);
}

int cases_ini_load_text(struct cases_ini *ini, const char *name, const char *text, size_t len,
			struct err *e)
{
	memset(ini, 0, sizeof(*ini));
	ini->path = name;
	if (len > CASES_INI_MAX_BYTES)
		return err_set(e, RC_INVAL, "invalid_file", NULL, "%s: larger than %d bytes",
			       name, CASES_INI_MAX_BYTES);
	ini->text = g_malloc(len + 1);
	memcpy(ini->text, text, len);
	ini->text[len] = '\0';
	return ini_parse(ini, len, e);
}

/* The entry of `spec` that covers `group`, or NULL. */
static const struct cases_ini_group *ini_spec(const struct cases_ini_group *spec, size_t n,
					      const char *group)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(spec[i].group);
		if (len && spec[i].group[len - 1] == '.') {
			if (strncmp(group, spec[i].group, len) == 0 && group[len])
				return &spec[i];
		} else if (strcmp(group, spec[i].group) == 0) {
			return &spec[i];
		}
	}
	return NULL;
}

int cases_ini_check(const struct cases_ini *ini, const struct cases_ini_group *spec,
		    size_t n, struct err *e)
{
	gchar **groups = g_key_file_get_groups(ini->kf, NULL), **keys = NULL;
	const struct cases_ini_group *g;
	int rc = RC_OK, known;
	size_t i, j, k;

	for (i = 0; groups[i] && (!rc || ini->all); i++) {
		g = ini_spec(spec, n, groups[i]);
		if (!g) {
			rc = cases_ini_fail(ini, groups[i], NULL, "unknown_group", e,
					    "unknown group [%s]", groups[i]);
			continue;
		}
		keys = g_key_file_get_keys(ini->kf, groups[i], NULL, NULL);
		for (j = 0; keys && keys[j] && (!rc || ini->all); j++) {
			known = 0;
			for (k = 0; g->keys[k] && !known; k++)
				known = strcmp(keys[j], g->keys[k]) == 0;
			if (!known)
				rc = cases_ini_fail(ini, groups[i], keys[j], "unknown_key", e,
						    "unknown key %s in [%s]", keys[j],
						    groups[i]);
		}
		g_strfreev(keys);
		keys = NULL;
	}
	g_strfreev(groups);
	return rc;
}

int cases_ini_string(const struct cases_ini *ini, const char *group, const char *key,
		     char **out, struct err *e)
{
	GError *gerr = NULL;
	char *v;

	*out = NULL;
	if (!g_key_file_has_key(ini->kf, group, key, NULL))
		return cases_ini_fail(ini, group, key, "missing_key", e, "required key is missing");
	v = g_key_file_get_string(ini->kf, group, key, &gerr);
	if (gerr) {
		int rc = cases_ini_fail(ini, group, key, "invalid_value", e, "%s",
					gerr->message);

		g_error_free(gerr);
		g_free(v);
		return rc;
	}
	g_strstrip(v);
	if (!*v) {
		g_free(v);
		return cases_ini_fail(ini, group, key, "invalid_value", e, "must not be empty");
	}
	*out = v;
	return RC_OK;
}

int cases_ini_list(const struct cases_ini *ini, const char *group, const char *key,
		   char ***out, struct err *e)
{
	GError *gerr = NULL;
	gchar **v;
	gsize i, n = 0;
	int rc;

	*out = NULL;
	if (!g_key_file_has_key(ini->kf, group, key, NULL))
		return cases_ini_fail(ini, group, key, "missing_key", e, "required key is missing");
	v = g_key_file_get_string_list(ini->kf, group, key, &n, &gerr);
	if (gerr || !v) {
		rc = cases_ini_fail(ini, group, key, "invalid_value", e, "%s",
				    gerr ? gerr->message : "not a list");
		if (gerr)
			g_error_free(gerr);
		g_strfreev(v);
		return rc;
	}
	for (i = 0; i < n; i++) {
		g_strstrip(v[i]);
		if (!*v[i]) {
			g_strfreev(v);
			return cases_ini_fail(ini, group, key, "invalid_value", e,
					      "item %zu of the list is empty", i + 1);
		}
	}
	*out = v;
	return RC_OK;
}
