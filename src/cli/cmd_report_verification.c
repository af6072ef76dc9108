/* cmd_report_verification.c - `disputed report merchant_verification`: merchants due to be verified again, as JSON or CSV. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/num.h"
#include "core/timeutil.h"
#include "report/verification.h"

/* Largest CSV page the command renders at once. */
#define VERIFICATION_PAGE_TEXT_MAX ((size_t)1 << 20)

static void verification_usage(FILE *f)
{
	fprintf(f,
		"usage: disputed report merchant_verification --data DIR [--format json|csv]\n"
		"                                             [--as-of TIME] [--reverify-days N]\n\n"
		"The merchants whose identity was last verified more than N days ago\n"
		"(E-Commerce Law art. 27): each with its current version, when it was last\n"
		"verified, when it was due again and the whole days it is overdue, oldest\n"
		"record first. docs/reports.md defines each field.\n\n"
		"  --data DIR          the data directory (works while a server runs on it)\n"
		"  --format FORMAT     json (default: every merchant in one report, as\n"
		"                      GET /v1/reports/merchant_verification returns a page)\n"
		"                      or csv (a header line, then a line per merchant)\n"
		"  --as-of TIME        judge as of TIME, RFC 3339 (default: now)\n"
		"  --reverify-days N   the period, 1 to 3650 (default: [merchants]\n"
		"                      reverify_days of the config, 365)\n\n"
		"Exit status: 0 on success, 1 if the report could not be made, 2 for a\n"
		"usage error.\n");
}

/* Every page of the report, printed as it is read: one JSON report or one CSV table. */
static int print_all(struct store *st, int64_t now, int days, int csv, struct err *e)
{
	json_t *all = NULL, *page = NULL;
	int64_t after = 0, next = 0;
	struct buf out;
	int rc = RC_OK, first = 1;

	buf_init(&out, VERIFICATION_PAGE_TEXT_MAX);
	do {
		rc = store_begin_read(st, e); /* a snapshot: a running server goes on writing */
		if (rc)
			break;
		rc = report_merchant_verification(st, now, days, after, REPORT_VERIFICATION_PAGE_MAX,
						  &page, &next, e);
		/* a read: nothing to commit */
		if (store_end(st, 0, rc ? NULL : e) && !rc)
			rc = RC_DB;
		if (rc)
			break;
		if (csv) {
			buf_clear(&out);
			rc = report_merchant_verification_csv(page, first, &out, e);
			if (!rc && fwrite(out.data, 1, out.len, stdout) != out.len)
				rc = err_set(e, RC_IO, NULL, NULL, "cannot write the report to stdout");
		} else if (!all) {
			all = json_incref(page);
		} else {
			json_array_extend(json_object_get(all, "data"), json_object_get(page, "data"));
		}
		json_decref(page);
		page = NULL;
		first = 0;
		after = next;
	} while (!rc && next > 0);
	if (!rc && all) {
		char *text = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (!text || fputs(text, stdout) < 0 || fputc('\n', stdout) == EOF)
			rc = err_set(e, RC_IO, NULL, NULL, "cannot write the report to stdout");
		free(text);
	}
	if (!rc && fflush(stdout) != 0)
		rc = err_set(e, RC_IO, NULL, NULL, "cannot write the report to stdout");
	json_decref(all);
	buf_release(&out);
	return rc;
}

int cmd_report_verification(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'F'},
		{"as-of", required_argument, NULL, 'a'},
		{"reverify-days", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *format = "json", *asof_s = NULL, *days_s = NULL;
	int64_t now = time_now_ms(), days = 0;
	struct store *st = NULL;
	struct config cfg;
	struct err e;
	int c, rc;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'F': format = optarg; break;
		case 'a': asof_s = optarg; break;
		case 'r': days_s = optarg; break;
		case 'h': verification_usage(stdout); return 0;
		default: verification_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc - 1) {
		verification_usage(stderr);
		return 2;
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
		fprintf(stderr, "disputed: --format must be json or csv, not '%s'\n", format);
		return 2;
	}
	if (asof_s && time_parse(asof_s, &now)) {
		fprintf(stderr, "disputed: --as-of must be an RFC 3339 time such as "
				"2025-10-01T00:00:00+08:00, not '%s'\n", asof_s);
		return 2;
	}
	if (days_s && num_parse_i64(days_s, 1, 3650, &days)) {
		fprintf(stderr, "disputed: --reverify-days must be an integer from 1 to 3650, "
				"not '%s'\n", days_s);
		return 2;
	}
	rc = cli_load_config(&cfg, NULL, data, &e);
	if (!rc && !days_s)
		days = cfg.merchant_reverify_days;
	if (!rc)
		rc = cli_open_store(data, NULL, &st, &e);
	if (!rc)
		rc = print_all(st, now, (int)days, strcmp(format, "csv") == 0, &e);
	store_close(st);
	if (rc)
		return cli_fail("cannot make the merchant verification report: %s", e.message);
	return 0;
}
