/* cmd_report.c - `disputed report compliance`: the platform's own duties in disputes, as JSON, CSV or a table. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "report/compliance.h"

/* Largest rendered report (CSV or table) the command prints. */
#define REPORT_TEXT_MAX ((size_t)512 << 20)

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: disputed report compliance --data DIR --from TIME --to TIME\n"
		"                                  [--format json|csv|table] [--as-of TIME]\n\n"
		"How the platform met its own duties in disputes (acknowledge, decide,\n"
		"appeal, execute) for the obligations that arose from --from (inclusive) to\n"
		"--to (exclusive): per kind the total, met on time, met late, open and\n"
		"breached counts with the median and 90th percentile time to meet them,\n"
		"then every breach. docs/reports.md defines each number.\n\n"
		"  --data DIR       the data directory (works while a server runs on it)\n"
		"  --from, --to     RFC 3339 times, e.g. 2025-10-01T00:00:00+08:00\n"
		"  --format FORMAT  json (default: what GET /v1/reports/compliance returns),\n"
		"                   csv (the kinds, an empty line, then the breaches, each\n"
		"                   table with its header line) or table (for people)\n"
		"  --as-of TIME     judge open duties as of TIME (default: now); a duty\n"
		"                   still unmet past its deadline at TIME counts as breached\n\n"
		"Exit status: 0 on success, 1 if the report could not be made, 2 for a\n"
		"usage error.\n\n"
		"disputed report merchant_verification --help: the merchants due to be\n"
		"verified again.\n");
}

/* Parse the time option `name`; 0 on success, else prints why. */
static int time_opt(const char *name, const char *v, int64_t *ms)
{
	if (time_parse(v, ms) == RC_OK)
		return 0;
	fprintf(stderr, "disputed: --%s must be an RFC 3339 time such as "
			"2025-10-01T00:00:00+08:00, not '%s'\n", name, v);
	return 2;
}

/* Print the report in `format` on stdout. */
static int print_report(json_t *report, const char *format, struct err *e)
{
	struct buf out;
	int rc;

	if (strcmp(format, "json") == 0) {
		char *text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (!text)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		rc = fputs(text, stdout) < 0 || fputc('\n', stdout) == EOF ? RC_IO : RC_OK;
		free(text);
	} else {
		buf_init(&out, REPORT_TEXT_MAX);
		rc = strcmp(format, "csv") == 0 ? report_compliance_csv(report, &out, e)
						: report_compliance_table(report, &out, e);
		if (!rc && fwrite(out.data, 1, out.len, stdout) != out.len)
			rc = RC_IO;
		buf_release(&out);
	}
	if (rc == RC_IO || (!rc && fflush(stdout) != 0))
		return err_set(e, RC_IO, NULL, NULL, "cannot write the report to stdout");
	return rc;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'F'},
		{"as-of", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *from_s = NULL, *to_s = NULL, *format = "json", *asof_s = NULL;
	int64_t from = 0, to = 0, now = time_now_ms();
	struct store *st = NULL;
	json_t *report = NULL;
	struct err e;
	int c, rc;

	err_clear(&e);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		report_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "merchant_verification") == 0)
		return cmd_report_verification(argc, argv);
	if (strcmp(argv[1], "compliance") != 0) {
		fprintf(stderr, "disputed: unknown report '%s'\n\n", argv[1]);
		report_usage(stderr);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'f': from_s = optarg; break;
		case 't': to_s = optarg; break;
		case 'F': format = optarg; break;
		case 'a': asof_s = optarg; break;
		case 'h': report_usage(stdout); return 0;
		default: report_usage(stderr); return 2;
		}
	}
	if (!data || !from_s || !to_s || optind != argc - 1) {
		report_usage(stderr);
		return 2;
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "table") != 0) {
		fprintf(stderr, "disputed: --format must be json, csv or table, not '%s'\n", format);
		return 2;
	}
	if (time_opt("from", from_s, &from) || time_opt("to", to_s, &to) ||
	    (asof_s && time_opt("as-of", asof_s, &now)))
		return 2;
	if (from >= to) {
		fprintf(stderr, "disputed: --to must be later than --from\n");
		return 2;
	}
	rc = cli_open_store(data, NULL, &st, &e);
	if (!rc) {
		rc = store_begin_read(st, &e); /* a snapshot: a running server goes on writing */
		if (!rc) {
			rc = report_compliance(st, from, to, now, &report, &e);
			/* a read: nothing to commit */
			if (store_end(st, 0, rc ? NULL : &e) && !rc)
				rc = RC_DB;
		}
	}
	store_close(st);
	if (!rc)
		rc = print_report(report, format, &e);
	json_decref(report);
	if (rc)
		return cli_fail("cannot make the compliance report: %s", e.message);
	return 0;
}
