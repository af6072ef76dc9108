/* cases_int.h - helpers shared inside the cases module: strict reading of GLib key files with line numbers. */
#ifndef DISPUTED_CASES_INT_H
#define DISPUTED_CASES_INT_H

#include <glib.h>
#include <stdint.h>

#include "core/err.h"

/* Largest rules or calendar file read, in bytes. */
#define CASES_INI_MAX_BYTES (1 << 20)

/*
 * Every failure of a check, where a caller wants them all rather than the
 * first (`disputed rules check`): cases_ini_fail appends a copy of each.
 * At most `max` are kept in `list` (the caller's); `dropped` counts the rest.
 */
struct cases_ini_errors {
	struct err *list; /* room for `max` failures (borrowed) */
	size_t max;       /* its size */
	size_t n;         /* failures kept */
	size_t dropped;   /* failures past `max` */
};

/*
 * A key file held with its text, so that errors can name the line of the
 * key at fault (GKeyFile keeps no line numbers). `text` and `kf` are owned;
 * cases_ini_release frees them and is safe on a zeroed struct.
 */
struct cases_ini {
	const char *path; /* the file's path as given, borrowed, for messages */
	char *text;       /* the whole file, NUL-terminated */
	GKeyFile *kf;     /* the parsed file */
	struct cases_ini_errors *all; /* collects every failure, or NULL (borrowed) */
};

/*
 * The keys a group may hold. `group` is an exact name, or a prefix ending
 * in '.' ("reason.") that matches every group starting with it. `keys` is
 * NULL-terminated.
 */
struct cases_ini_group {
	const char *group;       /* group name, or a prefix ending in '.' */
	const char *const *keys; /* the keys it may hold */
};

/*
 * Read and parse `path`. Besides what GKeyFile refuses, a line that is not
 * blank, a comment, a [group] or a key = value, and a key given twice in a
 * group, are errors naming the line. On error `ini` is released and `e`
 * says why (RC_IO if the file cannot be read, RC_INVAL if it is malformed).
 */
int cases_ini_load(struct cases_ini *ini, const char *path, struct err *e) WARN_UNUSED;

/*
 * As cases_ini_load, from `len` bytes of `text` (copied) named `name` in
 * messages (a path, or "text" for a request body). `name` is borrowed.
 */
int cases_ini_load_text(struct cases_ini *ini, const char *name, const char *text, size_t len,
			struct err *e) WARN_UNUSED;

void cases_ini_release(struct cases_ini *ini);

/*
 * The line (from 1) of `key` in `group`, or of the [group] header when `key`
 * is NULL; 0 when not found.
 */
int cases_ini_line(const struct cases_ini *ini, const char *group, const char *key);

/*
 * Fail with RC_INVAL when the file holds a group or a key that `spec` (an
 * array of `n` entries) does not list. The error names "group.key" and its
 * line. With `ini->all` set, every such key is reported, not just the first.
 */
int cases_ini_check(const struct cases_ini *ini, const struct cases_ini_group *spec,
		    size_t n, struct err *e) WARN_UNUSED;

/*
 * Record a failure about `group`.`key` (key may be NULL for the group) as
 * RC_INVAL with `code`, param "group.key" and the message
 * "PATH:LINE: group.key: <fmt>", also in `ini->all` when set. Returns RC_INVAL.
 */
int cases_ini_fail(const struct cases_ini *ini, const char *group, const char *key,
		   const char *code, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * The value of a required key, with GKeyFile's escapes (\s, \n, \t, \\)
 * undone and surrounding white space removed. Fails with "missing_key" when
 * absent, "invalid_value" when empty or not valid UTF-8. The caller frees
 * *out with g_free.
 */
int cases_ini_string(const struct cases_ini *ini, const char *group, const char *key,
		     char **out, struct err *e) WARN_UNUSED;

/*
 * A required list: items separated by ';' (a trailing ';' is allowed), each
 * stripped of surrounding white space; an empty item is an error. An empty
 * value gives an empty list. *out is NULL-terminated and freed with
 * g_strfreev.
 */
int cases_ini_list(const struct cases_ini *ini, const char *group, const char *key,
		   char ***out, struct err *e) WARN_UNUSED;

#endif
