/* cmd_serve.c - `disputed serve`, `disputed import` and `disputed routes`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "evidence/seal.h"
#include "http/http.h"

static void serve_usage(FILE *f)
{
	fprintf(f, "usage: disputed serve --data DIR [--listen ADDR:PORT] [--config FILE]\n"
		   "                      [--db sqlite:PATH] [--test-clock[=TIME]]\n\n"
		   "Serve the HTTP API in the foreground, logging JSON lines on stderr,\n"
		   "until SIGINT or SIGTERM, which finish the requests in flight.\n\n"
		   "  --data DIR          the data directory (made by disputed init)\n"
		   "  --listen ADDR:PORT  default 127.0.0.1:8061\n"
		   "  --db sqlite:PATH    the database (default DIR/disputed.db)\n"
		   "  --test-clock[=TIME] for tests only: run on a clock that starts at TIME\n"
		   "                      (RFC 3339; default now) and moves only by\n"
		   "                      POST /v1/test/clock {\"advance_seconds\": N}\n"
		   "  --config FILE       settings file (default DIR/disputed.conf if present);\n"
		   "                      DISPUTED_* environment variables override it\n");
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"config", required_argument, NULL, 'c'},
		{"db", required_argument, NULL, 'b'},
		{"test-clock", optional_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *listen = NULL, *file = NULL, *db = NULL;
	int test_clock = 0;
	int64_t test_start = 0;
	struct config cfg;
	struct store *st = NULL;
	struct err e;
	int c, rc;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'l': listen = optarg; break;
		case 'c': file = optarg; break;
		case 'b': db = optarg; break;
		case 't':
			test_clock = 1;
			test_start = time_now_ms();
			if (optarg && time_parse(optarg, &test_start))
				return cli_fail("--test-clock takes an RFC 3339 time, not '%s'", optarg);
			break;
		case 'h': serve_usage(stdout); return 0;
		default: serve_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		serve_usage(stderr);
		return 2;
	}
	if (cli_load_config(&cfg, file, data, &e))
		return cli_fail("%s", e.message);
	if (listen) {
		char addr[128];
		int port;

		if (config_split_listen(listen, addr, sizeof(addr), &port) ||
		    (size_t)snprintf(cfg.listen, sizeof(cfg.listen), "%s", listen) >=
			    sizeof(cfg.listen))
			return cli_fail("--listen must be ADDR:PORT, not '%s'", listen);
	}
	if (db && (size_t)snprintf(cfg.db, sizeof(cfg.db), "%s", db) >= sizeof(cfg.db))
		return cli_fail("--db is too long");
	if (test_clock) {
		clock_use_test(test_start);
		log_event(LOG_WARN, "test clock in use: time moves only by POST /v1/test/clock",
			  json_pack("{s:o}", "start", jx_time_json(test_start)));
	}
	if (cli_open_store(cfg.data_dir, cfg.db, &st, &e))
		return cli_fail("%s", e.message);
	rc = cli_serve_until_signal(&cfg, st);
	store_close(st);
	return rc;
}

static void import_usage(FILE *f)
{
	fprintf(f, "usage: disputed import --data DIR FILE.ndjson\n\n"
		   "Load platform records, one JSON object per line with a \"type\" of\n"
		   "merchant, listing, order, logistics, message or blob and otherwise the\n"
		   "API's body. Each line is loaded whole or not at all; rejected lines are\n"
		   "reported with their numbers. FILE may be - for standard input. Exits 1\n"
		   "if any line was rejected. Each batch of lines is sealed into the evidence\n"
		   "log while the next is written; when a server holds the log, the server\n"
		   "seals them.\n");
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *path;
	struct store *st = NULL;
	struct tlog_log *log = NULL;
	int64_t imported = 0, rejected = 0, sealed = 0, matched = 0;
	struct err e;
	FILE *in;
	int c, rc;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'h': import_usage(stdout); return 0;
		default: import_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc - 1) {
		import_usage(stderr);
		return 2;
	}
	path = argv[optind];
	in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!in)
		return cli_fail("cannot open %s", path);
	if (cli_open_store(data, NULL, &st, &e) || cli_log_take(data, st, &log, &matched, &e)) {
		if (in != stdin)
			fclose(in);
		store_close(st);
		return cli_fail("%s", e.message);
	}
	rc = cli_import_stream(st, data, log, in, path, &imported, &rejected, &sealed, &e);
	if (in != stdin)
		fclose(in);
	printf("imported %lld records, rejected %lld lines\n", (long long)imported,
	       (long long)rejected);
	if (!rc && log) {
		int64_t rest = 0;

		/* anything a failed append left pending, and what a crash left before */
		rc = seal_pending(st, log, INT64_MAX, &rest, &e);
		if (!rc)
			printf("sealed %lld leaves into the evidence log\n",
			       (long long)(sealed + rest + matched));
		/* only where the next start's recovery begins: an import that failed to keep it stands */
		if (!rc && seal_close_mark(st, log, &e))
			fprintf(stderr, "disputed: cannot keep where the next recovery starts: %s\n",
				e.message);
	} else if (!rc) {
		printf("the running server seals the imported records\n");
	}
	tlog_log_close(log);
	store_close(st);
	if (rc)
		return cli_fail("import stopped: %s", e.message);
	return rejected ? 1 : 0;
}

int cmd_routes(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: disputed routes\n\nPrint METHOD PATH for every route the "
		       "HTTP API serves.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: disputed routes\n");
		return 2;
	}
	http_routes_print(stdout);
	return 0;
}
