/* cmd_retention.c - `disputed retention run`: shred the personal data of orders past the retention policy. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "evidence/seal.h"
#include "risk/retention.h"
#include "tlog/keyfile.h"

static void retention_usage(FILE *f)
{
	fprintf(f, "usage: disputed retention run --data DIR [--now TIME] [--config FILE]\n\n"
		   "Shred the personal data of every order whose last activity (the latest\n"
		   "record of the order, its logistics, messages, disputes and disclosures)\n"
		   "is more than [retention] years (default 3, at least 3: E-Commerce Law\n"
		   "art. 31) before TIME, unless a legal hold keeps it: the salts and the\n"
		   "plaintext of its records' personal fields, its disputes' and disclosures'\n"
		   "personal text, its consumer's record when no other order of theirs is\n"
		   "kept, and the blob files only it cites. Every leaf, tile, checkpoint and\n"
		   "proof stays valid; each order's shredding is registered and sealed, so\n"
		   "`disputed audit` tells it from tampering. The database is then compacted\n"
		   "(secure delete, WAL truncated, VACUUM) so nothing shredded stays on disk.\n"
		   "TIME is RFC 3339 (default: now): the run acts as if it were TIME.\n"
		   "The data directory must not be in use: stop the server first.\n"
		   "Exit status: 0 done, 1 failed (or the data directory is in use), 2 usage.\n");
}

/* Open DIR's evidence log for writing, and integrate seals left pending. */
static int open_log_exclusive(const char *data, struct store *st, struct tlog_log **log,
			      struct err *e)
{
	struct tlog_log_opts o;
	struct tlog_signer signer;
	int64_t matched = 0, count = 0;
	char keys[4200];
	int rc;

	snprintf(keys, sizeof(keys), "%s/keys", data);
	rc = tlog_keyfile_read_signer(keys, "log", &signer, e);
	if (rc)
		return rc;
	memset(&o, 0, sizeof(o));
	o.dir = data;
	o.signer = &signer;
	rc = tlog_log_open(&o, log, e);
	tlog_signer_clear(&signer);
	if (rc == RC_CONFLICT)
		return err_set(e, RC_CONFLICT, "data_in_use", "data",
			       "the data directory %s is in use: another process (a running "
			       "server?) holds its evidence log; stop it and run again", data);
	if (rc)
		return rc;
	rc = seal_recover(st, *log, &matched, e);
	if (!rc)
		rc = seal_pending(st, *log, INT64_MAX, &count, e);
	return rc;
}

/* Keep the summary in the audit log, where reads of personal data are kept too. */
static int audit_summary(struct store *st, const struct retention_summary *s, const char *text,
			 struct err *e)
{
	struct principal who;
	int rc, rc2;

	memset(&who, 0, sizeof(who));
	snprintf(who.via, sizeof(who.via), "cli");
	snprintf(who.id, sizeof(who.id), "retention");
	snprintf(who.role, sizeof(who.role), "system");
	snprintf(who.subject, sizeof(who.subject), "disputed retention run");
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_audit_add(st, time_now_ms(), &who, "retention", text, "disputed retention run",
			     e);
	rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
	(void)s;
	return rc ? rc : rc2;
}

static int retention_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"now", required_argument, NULL, 'n'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct retention_summary sum;
	struct config cfg;
	struct store *st = NULL;
	struct tlog_log *log = NULL;
	const char *data = NULL, *now_text = NULL, *config = NULL;
	char now_s[TIME_TEXT_MAX], cut_s[TIME_TEXT_MAX], text[600];
	int64_t now = time_now_ms();
	struct err e;
	int c, rc;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'n': now_text = optarg; break;
		case 'c': config = optarg; break;
		case 'h': retention_usage(stdout); return 0;
		default: retention_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc) {
		retention_usage(stderr);
		return 2;
	}
	if (now_text && time_parse(now_text, &now)) {
		fprintf(stderr, "disputed: --now must be an RFC 3339 time, not %s\n", now_text);
		return 2;
	}
	if (cli_load_config(&cfg, config, data, &e)) {
		fprintf(stderr, "disputed: %s\n", e.message);
		return 2;
	}
	rc = cli_open_store(data, cfg.db, &st, &e);
	if (!rc)
		rc = open_log_exclusive(data, st, &log, &e);
	if (!rc)
		rc = retention_run(st, log, data, cfg.retention_years, now, &sum, &e);
	tlog_log_close(log);
	if (rc) {
		store_close(st);
		return cli_fail("retention run failed: %s", e.message);
	}
	time_format(sum.now, now_s);
	time_format(sum.cutoff, cut_s);
	snprintf(text, sizeof(text),
		 "retention run as of %s (retention.years=%d: last activity before %s): "
		 "%lld orders shredded, %lld records, %lld blob files, %lld consumers; "
		 "%lld held orders skipped",
		 now_s, sum.years, cut_s, (long long)sum.orders, (long long)sum.records,
		 (long long)sum.blobs, (long long)sum.consumers, (long long)sum.held);
	rc = audit_summary(st, &sum, text, &e);
	store_close(st);
	if (rc)
		return cli_fail("retention run done, but its summary is not in the audit log: %s",
				e.message);
	printf("%s\n", text);
	printf("orders shredded: %lld\nrecords shredded: %lld\nblob files removed: %lld\n"
	       "consumers shredded: %lld\nheld orders skipped: %lld\n", (long long)sum.orders,
	       (long long)sum.records, (long long)sum.blobs, (long long)sum.consumers,
	       (long long)sum.held);
	return 0;
}

int cmd_retention(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return retention_cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		retention_usage(stdout);
		return 0;
	}
	retention_usage(stderr);
	return 2;
}
