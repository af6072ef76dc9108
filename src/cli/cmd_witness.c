/* cmd_witness.c - `disputed witness init|vkey|serve`: run a C2SP tlog-witness that cosigns logs' checkpoints. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/log.h"
#include "tlog/keyfile.h"
#include "tlog/note.h"
#include "tlog/witness_server.h"

/* The key files WDIR/witness.skey and WDIR/witness.vkey. */
#define WITNESS_KEY_BASE "witness"
#define WITNESS_LISTEN_DEFAULT "127.0.0.1:8071"
/* Worker threads: requests for one log wait on each other anyway. */
#define WITNESS_THREADS 4u

static void witness_usage(FILE *f)
{
	fprintf(f, "usage: disputed witness init --data WDIR --name NAME\n"
		   "       disputed witness vkey --data WDIR\n"
		   "       disputed witness serve --data WDIR --log VKEY [--log VKEY...]\n"
		   "                              [--listen ADDR:PORT]\n\n"
		   "A transparency log witness (C2SP tlog-witness v1.0.0): it checks that each\n"
		   "checkpoint a log submits is consistent with the last one it cosigned, and\n"
		   "only then cosigns it (C2SP tlog-cosignature v1.0.1). Run by a party\n"
		   "independent of the log, such as a court or a consumer association.\n"
		   "Run 'disputed witness SUBCOMMAND --help' for details.\n");
}

static void init_usage(FILE *f)
{
	fprintf(f, "usage: disputed witness init --data WDIR --name NAME\n\n"
		   "Create a witness data directory: its cosigning key (WDIR/witness.skey,\n"
		   "keep it secret; WDIR/witness.vkey) and WDIR/state/, where the latest\n"
		   "checkpoint cosigned for each log is kept. Prints the witness's verifier\n"
		   "key: the text a log operator configures as [witness] vkey and a court\n"
		   "passes to `disputed verify --witness`. Never replaces an existing key.\n\n"
		   "  --data WDIR   the directory to create (may exist if it holds no key)\n"
		   "  --name NAME   the witness's name, e.g. witness.court.example\n");
}

static void vkey_usage(FILE *f)
{
	fprintf(f, "usage: disputed witness vkey --data WDIR\n\n"
		   "Print the witness's verifier key (name+hexid+base64 key). Works while\n"
		   "the witness is serving.\n");
}

static void serve_usage(FILE *f)
{
	fprintf(f, "usage: disputed witness serve --data WDIR --log VKEY [--log VKEY...]\n"
		   "                              [--listen ADDR:PORT]\n\n"
		   "Serve POST /add-checkpoint in the foreground for the logs whose verifier\n"
		   "keys are given, logging JSON lines on stderr, until SIGINT or SIGTERM,\n"
		   "which finish the requests in flight. A log's origin is its key's name;\n"
		   "several keys with one name are keys of one log. A checkpoint is cosigned\n"
		   "only after it is durably recorded in WDIR/state/.\n\n"
		   "  --data WDIR        the witness directory (made by disputed witness init)\n"
		   "  --log VKEY         a log's verifier key, as `disputed log vkey` prints it\n"
		   "  --listen ADDR:PORT default " WITNESS_LISTEN_DEFAULT "\n");
}

static int is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static int witness_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *name = NULL;
	char state[4200];
	struct buf b;
	struct err e;
	int c;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'n': name = optarg; break;
		case 'h': init_usage(stdout); return 0;
		default: init_usage(stderr); return 2;
		}
	}
	if (!data || !name || optind != argc) {
		init_usage(stderr);
		return 2;
	}
	if (!tlog_name_valid(name))
		return cli_fail("--name must be a key name: non-empty UTF-8 without spaces or "
				"'+', such as witness.court.example");
	if ((size_t)snprintf(state, sizeof(state), "%s/state", data) >= sizeof(state))
		return cli_fail("--data is too long");
	if (mkdir(data, 0700) != 0 && errno != EEXIST)
		return cli_fail("cannot create %s: %s", data, strerror(errno));
	if (tlog_keyfile_create(data, WITNESS_KEY_BASE, name, TLOG_KEY_COSIG, &e)) {
		if (e.rc == RC_CONFLICT)
			return cli_fail("%s already holds a witness key; refusing to replace it",
					data);
		return cli_fail("%s", e.message);
	}
	if (mkdir(state, 0700) != 0 && errno != EEXIST)
		return cli_fail("cannot create %s: %s", state, strerror(errno));
	buf_init(&b, 4096);
	if (tlog_keyfile_vkey(data, WITNESS_KEY_BASE, &b, &e)) {
		buf_release(&b);
		return cli_fail("%s", e.message);
	}
	printf("%s\n", b.data);
	buf_release(&b);
	return 0;
}

static int witness_vkey(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL;
	struct buf b;
	struct err e;
	int c;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'h': vkey_usage(stdout); return 0;
		default: vkey_usage(stderr); return 2;
		}
	}
	if (!data || optind != argc) {
		vkey_usage(stderr);
		return 2;
	}
	buf_init(&b, 4096);
	if (tlog_keyfile_vkey(data, WITNESS_KEY_BASE, &b, &e)) {
		buf_release(&b);
		return cli_fail("%s", e.message);
	}
	printf("%s\n", b.data);
	buf_release(&b);
	return 0;
}

/* Serve until SIGINT or SIGTERM; the signals are blocked in every thread and taken with sigwait. */
static int serve_until_signal(struct tlog_witness *w, const char *listen, const char *data,
			      const char *name)
{
	struct tlog_witness_http *h = NULL;
	json_t *origins;
	struct err e;
	sigset_t set;
	size_t i;
	int sig = 0;

	err_clear(&e);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (tlog_witness_http_start(w, listen, WITNESS_THREADS, 0, &h, &e))
		return cli_fail("%s", e.message);
	origins = json_array();
	for (i = 0; origins && i < tlog_witness_origin_count(w); i++)
		json_array_append_new(origins, json_string(tlog_witness_origin(w, i)));
	log_event(LOG_INFO, "listening",
		  json_pack("{s:s, s:i, s:s, s:s, s:o*}", "listen", listen, "port",
			    tlog_witness_http_port(h), "data", data, "witness", name, "logs",
			    origins));
	sigwait(&set, &sig);
	log_event(LOG_INFO, "stopping", json_pack("{s:s}", "signal", strsignal(sig)));
	tlog_witness_http_stop(h);
	log_event(LOG_INFO, "stopped", NULL);
	return 0;
}

static int witness_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"log", required_argument, NULL, 'g'},
		{"listen", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *listen = WITNESS_LISTEN_DEFAULT;
	struct tlog_witness_opts wo;
	struct tlog_witness *w = NULL;
	struct tlog_verifier *logs = NULL, *grown;
	struct tlog_signer signer;
	char state[4200], addr[128];
	size_t nlogs = 0;
	struct err e;
	int c, port, rc = 2;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'l': listen = optarg; break;
		case 'g':
			grown = realloc(logs, (nlogs + 1) * sizeof(*logs));
			if (!grown) {
				rc = cli_fail("out of memory");
				goto out;
			}
			logs = grown;
			if (tlog_verifier_parse(&logs[nlogs], optarg, &e)) {
				rc = cli_fail("--log %s: %s", optarg, e.message);
				goto out;
			}
			if (logs[nlogs].type != TLOG_KEY_ED25519) {
				rc = cli_fail("--log %s: not a log's Ed25519 key (a witness's "
					      "cosignature key?)", optarg);
				goto out;
			}
			nlogs++;
			break;
		case 'h': serve_usage(stdout); rc = 0; goto out;
		default: serve_usage(stderr); goto out;
		}
	}
	if (!data || nlogs == 0 || optind != argc) {
		serve_usage(stderr);
		goto out;
	}
	if (config_split_listen(listen, addr, sizeof(addr), &port)) {
		rc = cli_fail("--listen must be ADDR:PORT, not '%s'", listen);
		goto out;
	}
	if ((size_t)snprintf(state, sizeof(state), "%s/state", data) >= sizeof(state)) {
		rc = cli_fail("--data is too long");
		goto out;
	}
	if (tlog_keyfile_read_signer(data, WITNESS_KEY_BASE, &signer, &e)) {
		rc = cli_fail("%s (make one with disputed witness init)", e.message);
		goto out;
	}
	wo.state_dir = state;
	wo.signer = &signer;
	wo.logs = logs;
	wo.nlogs = nlogs;
	if (tlog_witness_open(&wo, &w, &e)) {
		tlog_signer_clear(&signer);
		rc = cli_fail("%s", e.message);
		goto out;
	}
	rc = serve_until_signal(w, listen, data, signer.name);
	tlog_signer_clear(&signer);
	tlog_witness_close(w);
out:
	free(logs);
	return rc;
}

int cmd_witness(int argc, char **argv)
{
	if (argc < 2 || is_help(argv[1])) {
		witness_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return witness_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "vkey") == 0)
		return witness_vkey(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return witness_serve(argc - 1, argv + 1);
	fprintf(stderr, "disputed: unknown witness command '%s'\n\n", argv[1]);
	witness_usage(stderr);
	return 2;
}
