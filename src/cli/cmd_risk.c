/* cmd_risk.c - `disputed risk scan` raises early-warning alerts and repeated_fraud proposals as of a time; `disputed risk eval` measures the test's alarms over a data directory's history. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cases/rules.h"
#include "cli/cli.h"
#include "core/timeutil.h"
#include "risk/risk.h"

static void risk_usage(FILE *f)
{
	fprintf(f,
		"usage: disputed risk scan --data DIR [--now TIME]\n"
		"       disputed risk eval --data DIR [--from TIME] [--to TIME]\n\n"
		"scan: test the week holding TIME (default: now) for spikes of one dispute\n"
		"focus per merchant, listing and category, keep each new alarm as an alert\n"
		"(GET /v1/alerts; once per scope, focus and week) with an alert.raised\n"
		"webhook, and propose the repeated_fraud flag where the rules'\n"
		"[repeated_fraud] say so. Prints what it did as one JSON line.\n\n"
		"eval: run the same test over every week of the history, from --from\n"
		"(default: the first order) to --to (default: now), storing nothing; print\n"
		"each alarm, then the alarms, the tests and their ratio (the false-alarm\n"
		"rate, on a history without spikes). docs/risk.md states the test.\n\n"
		"  --data DIR   the data directory (works while a server runs on it)\n"
		"  TIME         an RFC 3339 time, e.g. 2025-10-01T00:00:00+08:00\n\n"
		"Exit status: 0 on success, 1 on failure, 2 for a usage error.\n");
}

static int time_opt(const char *name, const char *v, int64_t *ms)
{
	if (time_parse(v, ms) == RC_OK)
		return 0;
	fprintf(stderr, "disputed: --%s must be an RFC 3339 time such as "
			"2025-10-01T00:00:00+08:00, not '%s'\n", name, v);
	return 2;
}

static void print_alarm(void *ctx, int64_t week, const char *scope, const char *id,
			const char *focus, int64_t x, double lambda, double p)
{
	char at[TIME_TEXT_MAX];

	(void)ctx;
	time_format(week, at);
	printf("alarm week=%s scope=%s id=%s focus=%s observed=%lld expected=%.4f p=%.3g\n", at,
	       scope, id, focus, (long long)x, lambda, p);
}

/* Run `what` (scan or eval) on the open store, in one transaction. */
static int run(struct store *st, const struct rules *rules, const char *what, int64_t from,
	       int64_t to, struct risk_tally *t, struct err *e)
{
	int scan = strcmp(what, "scan") == 0;
	/* eval stores nothing: a snapshot, beside a running server's writes */
	int rc = scan ? store_begin(st, e) : store_begin_read(st, e);

	if (rc)
		return rc;
	if (scan)
		rc = risk_scan(st, rules, to, t, e);
	else if (from == 0)
		rc = store_risk_first_order(st, STORE_RISK_PLATFORM, NULL, &from, e);
	if (!rc && !scan && from)
		rc = risk_eval(st, from, to, t, print_alarm, NULL, e);
	if (store_end(st, scan && rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	return rc;
}

int cmd_risk(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"now", required_argument, NULL, 'n'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *what;
	int64_t now = time_now_ms(), from = 0;
	struct rules *rules = NULL;
	struct store *st = NULL;
	struct risk_tally t;
	struct config cfg;
	struct err e;
	int c, rc, scan;

	err_clear(&e);
	memset(&t, 0, sizeof(t));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		risk_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	what = argv[1];
	if (strcmp(what, "scan") != 0 && strcmp(what, "eval") != 0) {
		fprintf(stderr, "disputed: unknown risk command '%s'\n\n", what);
		risk_usage(stderr);
		return 2;
	}
	scan = what[0] == 's';
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'n':
		case 't':
			if ((c == 'n') != scan) {
				risk_usage(stderr);
				return 2;
			}
			if (time_opt(c == 'n' ? "now" : "to", optarg, &now))
				return 2;
			break;
		case 'f':
			if (scan || time_opt("from", optarg, &from)) {
				if (scan)
					risk_usage(stderr);
				return 2;
			}
			break;
		case 'h': risk_usage(stdout); return 0;
		default: risk_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc - 1) {
		risk_usage(stderr);
		return 2;
	}
	if (cli_load_config(&cfg, NULL, data, &e))
		return cli_fail("%s", e.message);
	rc = rules_load(cfg.rules_path, &rules, &e);
	if (!rc)
		rc = cli_open_store(data, cfg.db, &st, &e);
	if (!rc)
		rc = run(st, rules, what, from, now, &t, &e);
	store_close(st);
	rules_free(rules);
	if (rc)
		return cli_fail("risk %s failed: %s", what, e.message);
	if (scan)
		printf("{\"tests\":%lld,\"alarms\":%lld,\"alerts_raised\":%lld,\"proposals\":%lld}\n",
		       (long long)t.tests, (long long)t.alarms, (long long)t.raised,
		       (long long)t.proposed);
	else
		printf("alarms %lld, tests %lld, false-alarm rate %.4f (alpha %g, min count %d)\n",
		       (long long)t.alarms, (long long)t.tests,
		       t.tests ? (double)t.alarms / (double)t.tests : 0.0, RISK_ALPHA,
		       RISK_MIN_COUNT);
	return 0;
}
