/* cmd_migrate.c - `disputed migrate`: move a stopped deployment's records from SQLite to PostgreSQL. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "store/store_migrate.h"
#include "store/store_pg.h"

static void migrate_usage(FILE *f)
{
	fprintf(f, "usage: disputed migrate --from sqlite:DIR --to postgres://USER@HOST:PORT/DB\n"
		   "       disputed migrate --data DIR --to postgres://USER@HOST:PORT/DB\n\n"
		   "Move a deployment's records from its SQLite database to PostgreSQL. The\n"
		   "server must be stopped. Every table is copied in one transaction and\n"
		   "checked (row count and SHA-256 of the rows, read from both sides); only\n"
		   "then is DIR/disputed.conf made to name the PostgreSQL database. The\n"
		   "evidence log, the keys and the blobs stay in DIR; DIR/disputed.db is\n"
		   "left as it was. Refuses a target that already holds a deployment.\n\n"
		   "  --from sqlite:DIR  the data directory to move (or --data DIR)\n"
		   "  --to URL           the PostgreSQL database (no password in it: put it\n"
		   "                     in ~/.pgpass or $PGPASSFILE); migrated first\n");
}

/* [store] db of DIR/disputed.conf into `out` ("" when none); the environment is not read. */
static int migrate_config_db(const char *dir, char *out, size_t len, struct err *e)
{
	char path[4200];
	GKeyFile *kf;
	GError *gerr = NULL;
	gchar *db;
	int rc = RC_OK;

	out[0] = '\0';
	if (cli_data_config_path(dir, path, sizeof(path)))
		return err_set(e, RC_INVAL, NULL, "data", "data directory path is too long");
	if (access(path, F_OK) != 0)
		return RC_OK;
	kf = g_key_file_new();
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr))
		rc = err_set(e, RC_INVAL, "invalid_config", NULL, "%s: %s", path, gerr->message);
	db = rc ? NULL : g_key_file_get_string(kf, "store", "db", NULL);
	if (db)
		snprintf(out, len, "%s", db);
	g_free(db);
	g_clear_error(&gerr);
	g_key_file_free(kf);
	return rc;
}

/*
 * Set [store] db = url in DIR/disputed.conf, keeping whatever else it
 * holds: written to a temporary file (mode 0600), synced, renamed over.
 */
static int migrate_write_config(const char *dir, const char *url, struct err *e)
{
	char path[4200], tmp[4300];
	GKeyFile *kf = g_key_file_new();
	gchar *text = NULL;
	gsize n;
	ssize_t w;
	int fd, rc = RC_OK;

	if (cli_data_config_path(dir, path, sizeof(path)) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.migrate", path) >= sizeof(tmp)) {
		g_key_file_free(kf);
		return err_set(e, RC_INVAL, NULL, "data", "data directory path is too long");
	}
	if (access(path, F_OK) == 0 &&
	    !g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_COMMENTS, NULL)) {
		g_key_file_free(kf);
		return err_set(e, RC_IO, NULL, "data", "cannot read %s", path);
	}
	if (access(path, F_OK) != 0)
		g_key_file_set_comment(kf, NULL, NULL,
				       " disputed.conf - written by `disputed migrate`: this data "
				       "directory's database\n is PostgreSQL. Its password, if any, "
				       "lives in a password file\n (PGPASSFILE, default ~/.pgpass), "
				       "never here.", NULL);
	g_key_file_set_string(kf, "store", "db", url);
	text = g_key_file_to_data(kf, &n, NULL);
	g_key_file_free(kf);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_free(text);
		return err_set(e, RC_IO, NULL, "data", "cannot create %s: %s", tmp, strerror(errno));
	}
	w = write(fd, text, n);
	if (w < 0 || (gsize)w != n || fsync(fd) != 0)
		rc = err_set(e, RC_IO, NULL, "data", "cannot write %s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = err_set(e, RC_IO, NULL, "data", "cannot write %s: %s", tmp, strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = err_set(e, RC_IO, NULL, "data", "cannot rename %s: %s", tmp, strerror(errno));
	if (rc)
		unlink(tmp);
	g_free(text);
	return rc;
}

/*
 * Take the evidence log's writer lock (DIR/tile/.lock), which a running
 * server holds: refused while one runs, and no server can start meanwhile.
 * *fd is -1 when the log has no tiles yet (nothing to hold).
 */
static int migrate_lock(const char *dir, int *fd, struct err *e)
{
	char path[4200];

	*fd = -1;
	snprintf(path, sizeof(path), "%s/tile/.lock", dir);
	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT ? RC_OK
				       : err_set(e, RC_IO, NULL, "data", "cannot open %s: %s", path,
						 strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return err_set(e, RC_CONFLICT, "server_running", "data",
			       "a server is running on %s (it holds the evidence log's lock): "
			       "stop it before migrating", dir);
	}
	return RC_OK;
}

static void migrate_print(const struct migrate_result *r)
{
	char hex[17];
	int64_t total = 0;

	printf("%-28s %12s  %s\n", "table", "rows", "sha256 (first 8 bytes)");
	for (int i = 0; i < r->ntables; i++) {
		const struct migrate_table *t = &r->tables[i];

		sodium_bin2hex(hex, sizeof(hex), t->digest, 8);
		printf("%-28s %12" PRId64 "  %s\n", t->name, t->rows, hex);
		total += t->rows;
	}
	printf("moved %d tables, %" PRId64 " rows, schema version %d; every table checked\n",
	       r->ntables, total, r->schema_version);
}

/* Which directory: --from sqlite:DIR or --data DIR, not both, not another kind. */
static int migrate_dir(const char *from, const char *data, const char **dir)
{
	*dir = data;
	if (from && data)
		return cli_fail("give --from sqlite:DIR or --data DIR, not both");
	if (from && strncmp(from, "sqlite:", 7) != 0)
		return cli_fail("--from takes sqlite:DIR, the data directory to move");
	if (from)
		*dir = from + 7;
	if (!*dir || !**dir)
		return 2;
	return 0;
}

static int migrate_run(const char *dir, const char *to)
{
	static struct migrate_result res;
	char db[4200], path[4200];
	struct err e;
	int fd, rc;

	err_clear(&e);
	if (migrate_config_db(dir, db, sizeof(db), &e))
		return cli_fail("%s", e.message);
	if (db[0])
		return cli_fail("%s already names its database (%s): it was migrated before, "
				"or never was SQLite; nothing to do", dir,
				store_pg_is_url(db) ? "PostgreSQL" : db);
	if (cli_db_path(dir, path, sizeof(path)) || access(path, F_OK) != 0)
		return cli_fail("%s holds no SQLite database (disputed.db)", dir);
	if (migrate_lock(dir, &fd, &e))
		return cli_fail("%s", e.message);
	rc = migrate_sqlite_to_pg(path, to, &res, &e);
	if (!rc)
		migrate_print(&res);
	if (!rc && migrate_write_config(dir, to, &e))
		rc = cli_fail("the records were moved and checked, but %s; put `[store]` "
			      "`db=<the URL>` into %s/disputed.conf by hand", e.message, dir);
	else if (rc)
		rc = cli_fail("%s", e.message);
	else
		printf("%s/disputed.conf now names the PostgreSQL database; the evidence log, "
		       "keys and blobs stay in %s\n", dir, dir);
	if (fd >= 0)
		close(fd);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"data", required_argument, NULL, 'd'},
		{"to", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *data = NULL, *to = NULL, *dir;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'd': data = optarg; break;
		case 't': to = optarg; break;
		case 'h': migrate_usage(stdout); return 0;
		default: migrate_usage(stderr); return 2;
		}
	}
	rc = migrate_dir(from, data, &dir);
	if (rc == 1)
		return rc;
	if (rc || !to || optind != argc) {
		migrate_usage(stderr);
		return 2;
	}
	if (!store_pg_is_url(to))
		return cli_fail("--to takes a postgres:// URL");
	return migrate_run(dir, to);
}
