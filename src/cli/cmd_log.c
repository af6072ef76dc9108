/* cmd_log.c - `disputed log vkey`: the evidence log's verifier key, for courts and witnesses. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "tlog/keyfile.h"

static void log_usage(FILE *f)
{
	fprintf(f, "usage: disputed log vkey --data DIR\n\n"
		   "Print the evidence log's verifier key (name+hexid+base64 key), the text\n"
		   "a court or witness passes to `disputed verify --vkey`. Works while a\n"
		   "server runs on DIR.\n");
}

int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL;
	char keys[4200];
	struct buf b;
	struct err e;
	int c;

	err_clear(&e);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		log_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "vkey") != 0) {
		log_usage(stderr);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'h': log_usage(stdout); return 0;
		default: log_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc - 1) {
		log_usage(stderr);
		return 2;
	}
	snprintf(keys, sizeof(keys), "%s/keys", data);
	buf_init(&b, 4096);
	if (tlog_keyfile_vkey(keys, "log", &b, &e)) {
		buf_release(&b);
		return cli_fail("%s", e.message);
	}
	printf("%s\n", b.data);
	buf_release(&b);
	return 0;
}
