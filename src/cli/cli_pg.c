/* cli_pg.c - a data directory whose database is PostgreSQL: `init --db postgres://…`, and which database a directory names. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_pg.h"
#include "tlog/keyfile.h"

int cli_data_config_path(const char *data_dir, char *out, size_t len)
{
	if ((size_t)snprintf(out, len, "%s/disputed.conf", data_dir) >= len)
		return RC_INVAL;
	return RC_OK;
}

int cli_data_db(const char *data_dir, char *out, size_t len, struct err *e)
{
	const char *env = getenv("DISPUTED_DB");
	char path[4200];
	GKeyFile *kf;
	GError *gerr = NULL;
	gchar *db;
	int rc = RC_OK;

	out[0] = '\0';
	if (env && env[0]) {
		if ((size_t)snprintf(out, len, "%s", env) >= len)
			return err_set(e, RC_INVAL, "invalid_setting", "DISPUTED_DB",
				       "DISPUTED_DB is too long");
		return RC_OK;
	}
	if (!data_dir || cli_data_config_path(data_dir, path, sizeof(path)) ||
	    access(path, F_OK) != 0)
		return RC_OK;
	kf = g_key_file_new();
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
		rc = err_set(e, RC_INVAL, "invalid_config", NULL, "%s: %s", path, gerr->message);
		goto out;
	}
	db = g_key_file_get_string(kf, "store", "db", NULL);
	if (db && (size_t)snprintf(out, len, "%s", db) >= len)
		rc = err_set(e, RC_INVAL, "invalid_setting", "db", "%s: [store] db is too long", path);
	g_free(db);
out:
	g_clear_error(&gerr);
	g_key_file_free(kf);
	return rc;
}

/* Write DIR/disputed.conf naming `url` as the database: created afresh, mode 0600. */
static int write_config(const char *data_dir, const char *url, struct err *e)
{
	char path[4200];
	GKeyFile *kf = g_key_file_new();
	gchar *text;
	gsize n;
	ssize_t w;
	int fd, rc = RC_OK;

	if (cli_data_config_path(data_dir, path, sizeof(path))) {
		g_key_file_free(kf);
		return err_set(e, RC_INVAL, NULL, "data", "data directory path is too long");
	}
	g_key_file_set_comment(kf, NULL, NULL,
			       " disputed.conf - written by `disputed init --db`: this data "
			       "directory's database\n is PostgreSQL. Its password, if any, lives "
			       "in a password file\n (PGPASSFILE, default ~/.pgpass), never here.",
			       NULL);
	g_key_file_set_string(kf, "store", "db", url);
	text = g_key_file_to_data(kf, &n, NULL);
	g_key_file_free(kf);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_free(text);
		return err_set(e, RC_IO, NULL, "data", "cannot create %s: %s", path, strerror(errno));
	}
	w = write(fd, text, n);
	if (w < 0 || (gsize)w != n || fsync(fd) != 0)
		rc = err_set(e, RC_IO, NULL, "data", "cannot write %s: %s", path, strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = err_set(e, RC_IO, NULL, "data", "cannot write %s: %s", path, strerror(errno));
	g_free(text);
	return rc;
}

static int pg_init_exists(struct err *e)
{
	return err_set(e, RC_CONFLICT, "exists", "db",
		       "the PostgreSQL database already holds a disputed deployment; "
		       "refusing to initialise it again");
}

static int make_dir(const char *path, struct err *e)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return err_set(e, RC_IO, NULL, NULL, "cannot create %s: %s", path, strerror(errno));
	return RC_OK;
}

int cli_init_data_pg(const char *data_dir, const char *origin, const char *url, struct err *e)
{
	struct store_pg *pg = NULL;
	int existed = 0;
	char path[4200], sub[4200];
	int rc;

	rc = store_pg_url_check(url, e);
	if (rc)
		return rc;
	if (cli_db_path(data_dir, path, sizeof(path)) || access(path, F_OK) == 0 ||
	    cli_data_config_path(data_dir, path, sizeof(path)) || access(path, F_OK) == 0)
		return err_set(e, RC_CONFLICT, "exists", "data",
			       "%s already holds a disputed database or config; refusing to "
			       "overwrite it", data_dir);
	/* the database first: a wrong URL leaves no directory behind */
	rc = store_pg_open(url, &pg, e);
	if (rc)
		return rc;
	rc = store_pg_deployment(pg, NULL, &existed, e);
	if (!rc && existed)
		rc = pg_init_exists(e);
	if (!rc)
		rc = make_dir(data_dir, e);
	if (!rc) {
		snprintf(sub, sizeof(sub), "%s/blobs", data_dir);
		rc = make_dir(sub, e);
	}
	if (!rc) {
		snprintf(sub, sizeof(sub), "%s/keys", data_dir);
		rc = make_dir(sub, e);
	}
	if (!rc)
		rc = tlog_keyfile_create(sub, "log", origin, TLOG_KEY_ED25519, e);
	if (!rc)
		rc = write_config(data_dir, url, e);
	if (!rc) {
		rc = store_pg_deployment(pg, origin, &existed, e);
		if (!rc && existed) /* another init got there in between */
			rc = pg_init_exists(e);
	}
	store_pg_close(pg);
	return rc;
}
