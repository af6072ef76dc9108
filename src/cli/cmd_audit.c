/* cmd_audit.c - `disputed audit`: recompute every seal, tile and checkpoint of a data directory and report tampering. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "evidence/audit.h"
#include "tlog/keyfile.h"

static void audit_usage(FILE *f)
{
	fprintf(f, "usage: disputed audit --data DIR\n\n"
		   "Recompute every sealed leaf from the records and blobs as stored now;\n"
		   "check that every leaf of the log is claimed by a seal and every order's\n"
		   "chain of leaves is unbroken; that every record is sealed and the columns\n"
		   "linking records say what the sealed records say; recompute the Merkle\n"
		   "tree from the log's entries, and check every kept checkpoint's signature\n"
		   "and consistency; and the ledger: every entry balanced and sealed, every\n"
		   "cached balance its legs, holds within what they hold, no account below\n"
		   "zero that must not be, every payout in one state. Each problem is\n"
		   "reported with where it is (PROBLEM lines). Personal data shredded by\n"
		   "`disputed retention run` is expected, not a problem: each order the\n"
		   "retention register lists is reported on a SHREDDED line, and its\n"
		   "records are checked against what the register says was shredded; a\n"
		   "salt, value or blob file gone without a register entry is TAMPERED.\n"
		   "Works while a server runs on DIR. Exit status: 0 if nothing is wrong,\n"
		   "1 if anything is, 2 if the audit could not run.\n");
}

static void print_problem(void *ctx, const char *where, const char *what)
{
	(void)ctx;
	printf("PROBLEM %s: %s\n", where, what);
}

static void print_shredded(void *ctx, const char *where, const char *what)
{
	(void)ctx;
	printf("SHREDDED %s: %s\n", where, what);
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tlog_log_opts o;
	struct tlog_signer signer;
	struct tlog_verifier key;
	struct tlog_log *log = NULL;
	struct store *st = NULL;
	const char *data = NULL;
	uint64_t problems = 0, records = 0, shredded = 0;
	char keys[4200];
	struct err e;
	int c, rc;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'h': audit_usage(stdout); return 0;
		default: audit_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc) {
		audit_usage(stderr);
		return 2;
	}
	snprintf(keys, sizeof(keys), "%s/keys", data);
	if (tlog_keyfile_read_signer(keys, "log", &signer, &e)) {
		fprintf(stderr, "disputed: %s\n", e.message);
		return 2;
	}
	tlog_signer_verifier(&signer, &key);
	memset(&o, 0, sizeof(o));
	o.dir = data;
	o.signer = &signer;
	o.read_only = 1;
	rc = cli_open_store(data, NULL, &st, &e);
	if (!rc)
		rc = tlog_log_open(&o, &log, &e);
	tlog_signer_clear(&signer);
	if (!rc)
		rc = audit_run(st, log, data, &key, print_problem, NULL, print_shredded, &problems,
			       &records, &shredded, &e);
	tlog_log_close(log);
	store_close(st);
	if (rc) {
		fprintf(stderr, "disputed: audit could not run: %s\n", e.message);
		return 2;
	}
	printf("shredded: %llu sealed records, as the retention register lists (expected)\n",
	       (unsigned long long)shredded);
	if (problems)
		printf("TAMPERED or damaged: %llu problem%s above\n", (unsigned long long)problems,
		       problems == 1 ? "" : "s");
	/* the last line, which scripts read */
	printf("audited %llu sealed records, their blobs, the log's tiles and checkpoints: "
	       "%llu problem%s\n", (unsigned long long)records, (unsigned long long)problems,
	       problems == 1 ? "" : "s");
	return problems ? 1 : 0;
}
