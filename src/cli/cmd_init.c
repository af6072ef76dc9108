/* cmd_init.c - `disputed init`: create a data directory. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store_pg.h"
#include "tlog/note.h"

static void init_usage(FILE *f)
{
	fprintf(f, "usage: disputed init --data DIR [--origin NAME] [--db postgres://USER@HOST:PORT/DB]\n\n"
		   "Create a data directory: the SQLite database, the blob store and\n"
		   "the log's keys. Refuses to touch a directory that already holds one.\n\n"
		   "  --data DIR      the directory to create (may exist if empty)\n"
		   "  --origin NAME   the evidence log's origin line, e.g. shop.example.com/disputed\n"
		   "                  (default: HOSTNAME/disputed)\n"
		   "  --db URL        keep the records in PostgreSQL at URL instead of SQLite\n"
		   "                  (default: $DISPUTED_DB if it is a postgres:// URL): the\n"
		   "                  database is migrated and DIR/disputed.conf names it. No\n"
		   "                  password in the URL: put it in ~/.pgpass or $PGPASSFILE.\n"
		   "                  (On PostgreSQL so far: keys, tokens and records; the rest\n"
		   "                  says it is not on PostgreSQL yet: see docs/postgres.md.)\n");
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"origin", required_argument, NULL, 'o'},
		{"db", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *origin = NULL, *db = NULL;
	char host[256], def_origin[300];
	struct err e;
	int c;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'o': origin = optarg; break;
		case 'b': db = optarg; break;
		case 'h': init_usage(stdout); return 0;
		default: init_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc) {
		init_usage(stderr);
		return 2;
	}
	if (!origin) {
		if (gethostname(host, sizeof(host)) != 0 || !host[0])
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(def_origin, sizeof(def_origin), "%s/disputed", host);
		origin = def_origin;
	}
	if (!tlog_name_valid(origin))
		return cli_fail("--origin must be a log name: non-empty UTF-8 without spaces "
				"or '+', such as shop.example.com/disputed");
	if (!db && store_pg_is_url(getenv("DISPUTED_DB")))
		db = getenv("DISPUTED_DB");
	if (db && !store_pg_is_url(db))
		return cli_fail("--db takes a postgres:// URL; SQLite, the default, needs no --db");
	if (db ? cli_init_data_pg(data, origin, db, &e) : cli_init_data(data, origin, &e))
		return cli_fail("%s", e.message);
	if (db)
		printf("initialised %s (origin %s) on PostgreSQL\n", data, origin);
	else
		printf("initialised %s (origin %s)\n", data, origin);
	return 0;
}
