/* cmd_verify.c - `disputed verify`: check a bundle, checkpoint or tlog-proof offline, against keys the verifier trusts. */
#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "evidence/bundle.h"
#include "tlog/log.h"
#include "tlog/note.h"

#define MAX_WITNESSES 32

static void verify_usage(FILE *f)
{
	fprintf(f, "usage: disputed verify --vkey VKEY [--witness VKEY]... [--entry PATH] [--log DIR] FILE\n\n"
		   "Verify FILE offline, with no server and no network: an evidence bundle,\n"
		   "a signed checkpoint, or a c2sp.org/tlog-proof@v1 file (with --entry, the\n"
		   "bytes of the entry it proves). Says what it checked.\n\n"
		   "  --vkey VKEY      the log's verifier key, as `disputed log vkey` prints it\n"
		   "                   (name+hexid+base64), or a file holding it; the key\n"
		   "                   inside a bundle is never trusted on its own\n"
		   "  --witness VKEY   a witness whose cosignature the checkpoint must carry\n"
		   "                   (repeatable)\n"
		   "  --entry PATH     the entry's bytes, for a tlog-proof file\n"
		   "  --log DIR        a copy of the log (its checkpoint and tile/ directory, as\n"
		   "                   served at /checkpoint and /tile/): with it, a bundle is\n"
		   "                   shown complete to its checkpoint, last record included\n\n"
		   "Exit status: 0 valid, 1 invalid (and why), 2 unusable input.\n");
}

/* Parse a key given as text, or as a file holding the text. */
static int read_key(const char *arg, struct tlog_verifier *v)
{
	gchar *text = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	if (tlog_verifier_parse(v, arg, &e) == RC_OK)
		return 0;
	if (!g_file_get_contents(arg, &text, NULL, NULL))
		return -1;
	g_strstrip(text);
	rc = tlog_verifier_parse(v, text, &e);
	g_free(text);
	return rc ? -1 : 0;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vkey", required_argument, NULL, 'k'},
		{"witness", required_argument, NULL, 'w'},
		{"entry", required_argument, NULL, 'e'},
		{"log", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tlog_verifier log, w[MAX_WITNESSES];
	const char *vkey = NULL, *entry_path = NULL, *log_dir = NULL, *path;
	struct tlog_log *mirror = NULL;
	gchar *data = NULL, *entry = NULL;
	gsize len = 0, entry_len = 0;
	size_t nw = 0;
	GError *gerr = NULL;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': vkey = optarg; break;
		case 'w':
			if (nw == MAX_WITNESSES || read_key(optarg, &w[nw]) ||
			    w[nw].type != TLOG_KEY_COSIG) {
				fprintf(stderr, "disputed: --witness %s is not a witness's "
						"cosignature key\n", optarg);
				return 2;
			}
			nw++;
			break;
		case 'e': entry_path = optarg; break;
		case 'l': log_dir = optarg; break;
		case 'h': verify_usage(stdout); return 0;
		default: verify_usage(stderr); return 2;
		}
	}
	if (!vkey || optind != argc - 1) {
		verify_usage(stderr);
		return 2;
	}
	path = argv[optind];
	if (read_key(vkey, &log) || log.type != TLOG_KEY_ED25519) {
		fprintf(stderr, "disputed: --vkey is not a log verifier key (name+hexid+base64)\n");
		return 2;
	}
	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		fprintf(stderr, "disputed: cannot read %s: %s\n", path, gerr->message);
		g_error_free(gerr);
		return 2;
	}
	if (entry_path && !g_file_get_contents(entry_path, &entry, &entry_len, &gerr)) {
		fprintf(stderr, "disputed: cannot read %s: %s\n", entry_path, gerr->message);
		g_error_free(gerr);
		g_free(data);
		return 2;
	}
	if (log_dir) {
		struct tlog_log_opts o;
		struct err e;

		err_clear(&e);
		memset(&o, 0, sizeof(o));
		o.dir = log_dir;
		o.verifier = &log;
		o.read_only = 1;
		if (tlog_log_open(&o, &mirror, &e)) {
			fprintf(stderr, "disputed: cannot use the log copy in %s: %s\n", log_dir,
				e.message);
			g_free(data);
			g_free(entry);
			return 2;
		}
	}
	r = verify_file_in_log(data, len, &log, w, nw, entry, entry_len, entry_path != NULL,
			       mirror, stdout);
	tlog_log_close(mirror);
	g_free(data);
	g_free(entry);
	return (int)r;
}
