/* cli.h - the subcommands of the `disputed` command and what they share. */
#ifndef DISPUTED_CLI_H
#define DISPUTED_CLI_H

#include "core/config.h"
#include "core/err.h"
#include "store/store.h"
#include "tlog/log.h"

/* Each returns the process exit status. argv[0] is the subcommand's name. */
int cmd_init(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_privacy(int argc, char **argv);
int cmd_focus(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* `disputed report merchant_verification` (argv[1] is the report's name). */
int cmd_report_verification(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_llm(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_risk(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_migrate(int argc, char **argv);

/* Print "disputed: <message>" on stderr; returns 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The database path of a data directory ("DIR/disputed.db"). */
int cli_db_path(const char *data_dir, char *out, size_t len) WARN_UNUSED;

/*
 * Create a data directory: DIR itself (which must not exist, or be empty),
 * DIR/blobs, and the database with its origin name. Fails if DIR already
 * holds a database.
 */
int cli_init_data(const char *data_dir, const char *origin, struct err *e) WARN_UNUSED;

/*
 * Open the store of an existing data directory: the database named by
 * `db` ("sqlite:PATH") if it is not NULL or empty, else the one the
 * directory names (cli_data_db), else DIR/disputed.db. A postgres:// URL
 * opens that PostgreSQL database (store_open); the store's concerns not
 * yet on PostgreSQL answer RC_UNSUPPORTED when called (docs/postgres.md).
 */
int cli_open_store(const char *data_dir, const char *db, struct store **st,
		   struct err *e) WARN_UNUSED;

/*
 * Create a data directory whose database is PostgreSQL at `url` (no
 * password in it: store_pg_url_check): migrate the database and record the
 * origin there, create DIR, DIR/blobs and the log's keys, and write
 * DIR/disputed.conf ([store] db = URL, mode 0600). Fails, touching
 * nothing, if DIR holds a database or a config, or the database a
 * deployment (cli_pg.c).
 */
int cli_init_data_pg(const char *data_dir, const char *origin, const char *url,
		     struct err *e) WARN_UNUSED;

/* DIR/disputed.conf into `out`; RC_INVAL when it does not fit. */
int cli_data_config_path(const char *data_dir, char *out, size_t len) WARN_UNUSED;

/*
 * The database a data directory names: $DISPUTED_DB if set and not empty,
 * else [store] db of DIR/disputed.conf, else "" (DIR/disputed.db). Only
 * that key of the file is read. Fails on an unreadable config file.
 */
int cli_data_db(const char *data_dir, char *out, size_t len, struct err *e) WARN_UNUSED;

/* Create an API key; writes the secret into `token` (TOKEN_MAX bytes). */
int cli_key_create(struct store *st, const char *role, const char *name, char *token,
		   struct err *e) WARN_UNUSED;

/* Load a config file, then DISPUTED_* variables, over the defaults. */
int cli_load_config(struct config *cfg, const char *file, const char *data_dir,
		    struct err *e) WARN_UNUSED;

/*
 * Files shipped with the program (the rules, the calendar, the focus model)
 * are found by a relative default `def` ("etc/…", right in a checkout).
 * When `setting` still holds that default and it is not there, look beside
 * the program (build/disputed → etc/, bin/disputed → etc/disputed/) and in
 * /etc/disputed, and put the first found in `setting` (`size` bytes), so
 * the commands work from any directory. Otherwise `setting` is unchanged.
 */
void cli_find_shipped(char *setting, size_t size, const char *def);

/*
 * The pages (web/, with its pages/ folder) are found the same way: when
 * `setting` is still the default "web" and ./web/pages is not there, look
 * beside the program (build/disputed → web/, bin/disputed →
 * share/disputed/web) and in /usr/share/disputed/web.
 */
void cli_find_web(char *setting, size_t size);

/* Serve until SIGINT or SIGTERM; returns the exit status. */
int cli_serve_until_signal(struct config *cfg, struct store *st);

/*
 * The data directory's evidence log, opened for writing and reconciled
 * with the store (the leaves a crash left unrecorded get their indexes:
 * *matched counts them); *log is NULL, and RC_OK, when a server holds it.
 */
int cli_log_take(const char *data_dir, struct store *st, struct tlog_log **log,
		 int64_t *matched, struct err *e) WARN_UNUSED;

/*
 * Integrate every pending seal into the data directory's evidence log.
 * When a server holds the log, nothing is done and *deferred is set: the
 * server integrates them itself. *count gets how many were integrated.
 */
int cli_seal_pending(const char *data_dir, struct store *st, int64_t *count, int *deferred,
		     struct err *e) WARN_UNUSED;

/*
 * Import NDJSON lines from a stream; prints rejected lines. With `log`
 * (cli_log_take) each batch of lines is sealed into it as the next is
 * written, and *sealed counts their leaves; without, their seals stay
 * pending for the server that holds the log.
 */
int cli_import_stream(struct store *st, const char *data_dir, struct tlog_log *log, FILE *in,
		      const char *name, int64_t *imported, int64_t *rejected, int64_t *sealed,
		      struct err *e) WARN_UNUSED;

#endif
