/* res_app.c - the pages under /app/: web/'s files with their types, caching and security headers. */
#include "http/http_int.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"

/*
 * Layout of the web directory (config [server] web):
 *
 *   pages/NAME.html   the page at /app/NAME (/app/ is pages/index.html)
 *   assets/…          scripts, styles, images: /app/assets/VERSION/…
 *   i18n/…            message catalogues:      /app/assets/VERSION/i18n/…
 *
 * VERSION is the first 16 hex digits of a SHA-256 over every file of
 * assets/ and i18n/ (names and contents), taken when the server starts, so
 * an asset's URL changes whenever any asset does and assets can be cached
 * for a year ("immutable"); the pages themselves are "no-cache". A page
 * names its assets through the placeholder {{assets}} (the versioned
 * prefix) and may show the log's verifier key through {{log_vkey}}.
 */

#define APP_MAX_FILES 2000                 /* files hashed into the version */
#define APP_MAX_FILE ((size_t)16 << 20)    /* largest file served */
#define APP_SEGMENT_MAX 128                /* bytes of one path segment */

/* The Content-Type of a file, from its extension; NULL for one not served. */
static const char *app_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".jpg", "image/jpeg"},
		{".webp", "image/webp"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');
	size_t i;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/*
 * True if `path` is safe to join to a directory: segments of letters,
 * digits, '-', '_' and '.', none empty or starting with '.'.
 */
static int app_path_valid(const char *path)
{
	size_t seg = 0;
	const char *p;

	if (!*path)
		return 0;
	for (p = path; *p; p++) {
		char c = *p;

		if (c == '/') {
			if (seg == 0)
				return 0;
			seg = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
		if (seg == 0 && c == '.')
			return 0;
		if (++seg > APP_SEGMENT_MAX)
			return 0;
	}
	return seg > 0;
}

static gint app_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Add the relative names of the regular files under dir/rel to `names`, recursively. */
static void app_list(const char *dir, const char *rel, GPtrArray *names, int depth)
{
	char *path = rel[0] ? g_build_filename(dir, rel, NULL) : g_strdup(dir);
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;

	if (d && depth < 8) {
		while ((n = g_dir_read_name(d)) && names->len < APP_MAX_FILES) {
			char *sub = rel[0] ? g_strdup_printf("%s/%s", rel, n) : g_strdup(n);
			char *full = g_build_filename(dir, sub, NULL);

			if (n[0] != '.' && g_file_test(full, G_FILE_TEST_IS_DIR))
				app_list(dir, sub, names, depth + 1);
			if (n[0] != '.' && g_file_test(full, G_FILE_TEST_IS_REGULAR))
				g_ptr_array_add(names, sub);
			else
				g_free(sub);
			g_free(full);
		}
	}
	if (d)
		g_dir_close(d);
	g_free(path);
}

/* Hash every file of web/`top` (names and bytes) into `c`. */
static void app_hash_tree(struct sha256_ctx *c, const char *web, const char *top)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	char *dir = g_build_filename(web, top, NULL);
	guint i;

	app_list(dir, "", names, 0);
	g_ptr_array_sort(names, app_cmp);
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *full = g_build_filename(dir, name, NULL), *data = NULL;
		gsize len = 0;

		sha256_update(c, top, strlen(top) + 1);
		sha256_update(c, name, strlen(name) + 1);
		if (g_file_get_contents(full, &data, &len, NULL))
			sha256_update(c, data, len);
		sha256_update(c, "\n", 1);
		g_free(data);
		g_free(full);
	}
	g_free(dir);
	g_ptr_array_unref(names);
}

void http_app_init(struct http_server *srv, const char *web_dir)
{
	struct sha256_ctx c;
	uint8_t h[SHA256_SIZE];
	char *pages = g_build_filename(web_dir, "pages", NULL);
	int i;

	srv->web_version[0] = '\0';
	if (!g_file_test(pages, G_FILE_TEST_IS_DIR)) {
		g_free(pages);
		return;
	}
	g_free(pages);
	sha256_init(&c);
	app_hash_tree(&c, web_dir, "assets");
	app_hash_tree(&c, web_dir, "i18n");
	sha256_final(&c, h);
	for (i = 0; i < 8; i++)
		snprintf(srv->web_version + 2 * i, 3, "%02x", h[i]);
}

static int app_not_found(struct http_req *r, struct err *e)
{
	return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such page or file %s", r->path);
}

/* Read web/`rel` whole into *data (g_free it); RC_NOTFOUND if it is not a regular file. */
static int app_read(struct http_req *r, const char *rel, char **data, gsize *len,
		    struct err *e)
{
	char *full = g_build_filename(r->srv->cfg->web_dir, rel, NULL);
	int ok = g_file_test(full, G_FILE_TEST_IS_REGULAR) &&
		 g_file_get_contents(full, data, len, NULL);

	g_free(full);
	if (!ok)
		return app_not_found(r, e);
	if (*len > APP_MAX_FILE) {
		g_free(*data);
		*data = NULL;
		return err_set(e, RC_INTERNAL, NULL, NULL, "%s is too large to serve", rel);
	}
	return RC_OK;
}

/* Append `s` to `out` with HTML's special characters escaped. */
static void app_escape(GString *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\'': g_string_append(out, "&#39;"); break;
		default: g_string_append_c(out, *s);
		}
	}
}

/* A page: pages/NAME.html with its placeholders filled in. */
static int app_page(struct http_req *r, const char *name, struct err *e)
{
	char rel[APP_SEGMENT_MAX + 32], assets[64];
	const char *c;
	char *data = NULL, *p, *at;
	GString *out;
	gsize len = 0;
	int rc;

	for (c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return app_not_found(r, e);
	if (strlen(name) > APP_SEGMENT_MAX)
		return app_not_found(r, e);
	snprintf(rel, sizeof(rel), "pages/%s.html", name);
	rc = app_read(r, rel, &data, &len, e);
	if (rc)
		return rc;
	snprintf(assets, sizeof(assets), "/app/assets/%s", r->srv->web_version);
	out = g_string_sized_new(len + 256);
	for (p = data; (at = strstr(p, "{{")) != NULL; p = at) {
		g_string_append_len(out, p, at - p);
		if (strncmp(at, "{{assets}}", 10) == 0) {
			g_string_append(out, assets);
			at += 10;
		} else if (strncmp(at, "{{log_vkey}}", 12) == 0) {
			app_escape(out, r->srv->log_vkey);
			at += 12;
		} else {
			g_string_append_len(out, at, 2);
			at += 2;
		}
	}
	g_string_append(out, p);
	g_free(data);
	rc = http_reply_bytes(r, 200, "text/html; charset=utf-8", out->str, out->len);
	g_string_free(out, TRUE);
	if (rc)
		return err_set(e, rc, NULL, NULL, "out of memory");
	r->cache_control = "no-cache";
	return RC_OK;
}

/* An asset: assets/VERSION/PATH is web/assets/PATH, or web/i18n/… for PATH i18n/…. */
static int app_asset(struct http_req *r, const char *rest, struct err *e)
{
	const char *slash = strchr(rest, '/'), *sub, *type;
	size_t vlen = slash ? (size_t)(slash - rest) : 0;
	char rel[512];
	char *data = NULL;
	gsize len = 0;
	int rc;

	if (!slash || vlen != strlen(r->srv->web_version) ||
	    strncmp(rest, r->srv->web_version, vlen) != 0)
		return app_not_found(r, e);
	sub = slash + 1;
	type = app_type(sub);
	if (!type || !app_path_valid(sub) || strlen(sub) > 400)
		return app_not_found(r, e);
	if (strncmp(sub, "i18n/", 5) == 0)
		snprintf(rel, sizeof(rel), "%s", sub);
	else
		snprintf(rel, sizeof(rel), "assets/%s", sub);
	rc = app_read(r, rel, &data, &len, e);
	if (rc)
		return rc;
	rc = http_reply_bytes(r, 200, type, data, len);
	g_free(data);
	if (rc)
		return err_set(e, rc, NULL, NULL, "out of memory");
	r->cache_control = "public, max-age=31536000, immutable";
	return RC_OK;
}

int res_app(struct http_req *r, struct err *e)
{
	const char *path = strcmp(r->route->pattern, "/app/") == 0 ? "" : r->params[0];

	r->page_headers = 1;
	if (!r->srv->web_version[0])
		return err_set(e, RC_NOTFOUND, "not_found", NULL,
			       "the pages are not installed here (no web directory: set [server] "
			       "web or DISPUTED_WEB)");
	if (!*path)
		return app_page(r, "index", e);
	if (strncmp(path, "assets/", 7) == 0)
		return app_asset(r, path + 7, e);
	return app_page(r, path, e);
}
