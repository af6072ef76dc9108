/* main.c - the `disputed` command: dispatch to its subcommands. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{"init", cmd_init, "create a data directory (database, blob store, keys)"},
	{"key", cmd_key, "create, list and revoke API keys"},
	{"serve", cmd_serve, "serve the HTTP API"},
	{"demo", cmd_demo, "fill a fresh data directory with demo data and serve it"},
	{"log", cmd_log, "print the evidence log's verifier key"},
	{"witness", cmd_witness, "run a transparency log witness that cosigns checkpoints"},
	{"verify", cmd_verify, "verify a bundle, checkpoint or tlog-proof offline"},
	{"audit", cmd_audit, "recompute every seal, tile and checkpoint and report tampering"},
	{"report", cmd_report, "print the compliance report on the platform's own duties"},
	{"focus", cmd_focus, "name the dispute focus of complaint texts; train and measure it"},
	{"import", cmd_import, "bulk-load platform records from an NDJSON file"},
	{"routes", cmd_routes, "print the routes the HTTP API serves"},
	{"privacy", cmd_privacy, "print who sees which fields of which records (docs/privacy.md)"},
	{"llm", cmd_llm, "ask the optional language model for a case summary or a focus opinion"},
	{"image", cmd_image, "compare a listing photo with a photo of what arrived"},
	{"rules", cmd_rules, "check a draft of the dispute rules, publish it with notice, list versions"},
	{"risk", cmd_risk, "raise early-warning alerts and flag proposals; measure the test's alarms"},
	{"retention", cmd_retention, "shred the personal data of orders past the retention policy"},
	{"migrate", cmd_migrate, "move a stopped deployment's records from SQLite to PostgreSQL"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: disputed COMMAND [OPTIONS]\n\n"
		   "disputed settles consumer-merchant disputes for an e-commerce platform\n"
		   "and keeps the evidence (PRC E-Commerce Law art. 61).\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'disputed COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (sodium_init() < 0) {
		fprintf(stderr, "disputed: cannot initialise libsodium\n");
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("disputed 0.1.0\n");
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "disputed: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
