/* cmd_llm.c - `disputed llm summarise|focus`: ask the configured language model about a text on stdin, to try it out. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assist/llm.h"
#include "cli/cli.h"
#include "core/buf.h"

static void llm_usage(FILE *f)
{
	fprintf(f,
		"usage: disputed llm summarise|focus [--data DIR] [--config FILE] [--url URL]\n"
		"                                    [--model NAME] [--exchange] < TEXT\n\n"
		"Ask the language model of the [llm] settings about the text on standard\n"
		"input (UTF-8, at most %zu bytes) and print its reply as JSON:\n\n"
		"  summarise  a neutral summary of a case for the agent:\n"
		"             {\"summary\", \"model\", \"usage\", \"elapsed_ms\"}\n"
		"  focus      a second opinion on a complaint's dispute focus:\n"
		"             {\"primary\", \"reason\", \"model\", \"usage\", \"elapsed_ms\"}\n\n"
		"Both are suggestions for a person to confirm. \"model\" is the model the\n"
		"server said answered, \"usage\" its token counts (null if it gave none).\n\n"
		"  --data DIR     read DIR/disputed.conf if there is one\n"
		"  --config FILE  the settings file (default $DISPUTED_CONFIG, else\n"
		"                 DIR/disputed.conf); DISPUTED_LLM_* variables override it\n"
		"  --url URL      the server's base URL, over the settings (a request goes\n"
		"                 to URL/v1/chat/completions; etc/disputed.conf has the rule)\n"
		"  --model NAME   the model to ask for, over the settings\n"
		"  --exchange     add \"exchange\": the request body sent and the raw answer,\n"
		"                 as a dispute's timeline would seal them\n\n"
		"The API key is read from the environment variable that [llm] api_key_env\n"
		"names, never from a file or an option.\n\n"
		"Exit status: 0 on success, 1 if the model could not be asked or its answer\n"
		"was unusable, 2 for a usage error.\n",
		LLM_MAX_TEXT);
}

/*
 * Settings: the defaults, then the file (--config, else $DISPUTED_CONFIG,
 * else DIR/disputed.conf if there is one), then the environment.
 */
static int llm_load_config(struct config *cfg, const char *file, const char *data, struct err *e)
{
	char path[4200];
	struct stat sb;
	int rc = RC_OK;

	config_defaults(cfg);
	if (data && (stat(data, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		return err_set(e, RC_INVAL, "invalid_setting", "data",
			       "%s is not a data directory", data);
	if (!file)
		file = getenv("DISPUTED_CONFIG");
	if (file) {
		rc = config_load_file(cfg, file, 1, e);
	} else if (data) {
		snprintf(path, sizeof(path), "%s/disputed.conf", data);
		rc = config_load_file(cfg, path, 0, e);
	}
	if (!rc)
		rc = config_load_env(cfg, e);
	return rc;
}

/* All of standard input into `b`; fails past LLM_MAX_TEXT bytes. */
static int llm_read_stdin(struct buf *b, struct err *e)
{
	char chunk[8192];
	size_t n;
	int overflow = 0;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_feed(b, chunk, n, &overflow))
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (ferror(stdin))
		return err_set(e, RC_IO, NULL, NULL, "cannot read standard input");
	if (overflow)
		return err_set(e, RC_TOOBIG, "too_big", NULL,
			       "the text on standard input is over %zu bytes", LLM_MAX_TEXT);
	if (memchr(b->data, '\0', b->len))
		return err_set(e, RC_INVAL, "invalid_text", NULL,
			       "the text on standard input holds a NUL byte");
	return RC_OK;
}

/* Add the reply's model, usage and time to `o`, and its whole exchange if asked. */
static int llm_add_reply(json_t *o, const struct llm_reply *r, int exchange)
{
	json_t *ex = llm_reply_json(r);
	int rc;

	if (!ex)
		return RC_NOMEM;
	rc = json_object_set(o, "model", json_object_get(ex, "model")) ||
	     json_object_set(o, "usage", json_object_get(ex, "usage")) ||
	     json_object_set(o, "elapsed_ms", json_object_get(ex, "elapsed_ms")) ||
	     (exchange && json_object_set(o, "exchange", ex));
	json_decref(ex);
	return rc ? RC_NOMEM : RC_OK;
}

/* Run the task on `text` and print its reply; returns the exit status. */
static int llm_run(const struct llm_config *lc, int focus, const char *text, int exchange)
{
	struct llm_summary sum;
	struct llm_focus foc;
	json_t *o = NULL;
	char *out = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	if (focus) {
		rc = llm_focus_opinion(lc, text, &foc, &e);
		if (!rc)
			o = json_pack("{s:s, s:s}", "primary", foc.primary, "reason", foc.reason);
		if (o && llm_add_reply(o, &foc.reply, exchange)) {
			json_decref(o);
			o = NULL;
		}
		llm_focus_release(&foc);
	} else {
		rc = llm_summarise_case(lc, text, &sum, &e);
		if (!rc)
			o = json_pack("{s:s}", "summary", sum.text);
		if (o && llm_add_reply(o, &sum.reply, exchange)) {
			json_decref(o);
			o = NULL;
		}
		llm_summary_release(&sum);
	}
	if (rc)
		return cli_fail("llm %s: %s", focus ? "focus" : "summarise", e.message);
	if (o)
		out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!out)
		return cli_fail("llm: out of memory");
	rc = puts(out) == EOF || fflush(stdout) != 0;
	free(out);
	if (rc)
		return cli_fail("llm: cannot write to standard output");
	return 0;
}

int cmd_llm(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"url", required_argument, NULL, 'u'},
		{"model", required_argument, NULL, 'm'},
		{"exchange", no_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *file = NULL, *url = NULL, *model = NULL;
	char endpoint[sizeof(((struct llm_reply *)0)->endpoint)];
	struct llm_config lc;
	struct config cfg;
	struct buf text;
	struct err e;
	int c, focus, exchange = 0, status;

	err_clear(&e);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		llm_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "focus") == 0) {
		focus = 1;
	} else if (strcmp(argv[1], "summarise") == 0 || strcmp(argv[1], "summarize") == 0) {
		focus = 0;
	} else {
		fprintf(stderr, "disputed: unknown llm task '%s'\n\n", argv[1]);
		llm_usage(stderr);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'c': file = optarg; break;
		case 'u': url = optarg; break;
		case 'm': model = optarg; break;
		case 'x': exchange = 1; break;
		case 'h': llm_usage(stdout); return 0;
		default: llm_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		llm_usage(stderr);
		return 2;
	}
	if (llm_load_config(&cfg, file, data, &e))
		return cli_fail("%s", e.message);
	llm_config_from(&lc, &cfg);
	if (url) {
		if (llm_endpoint(url, endpoint, sizeof(endpoint)) ||
		    (size_t)snprintf(lc.url, sizeof(lc.url), "%s", url) >= sizeof(lc.url))
			return cli_fail("--url must be an http:// or https:// URL of at most "
					"%zu bytes, not '%s'", sizeof(lc.url) - 1, url);
		lc.enabled = 1;
	}
	if (model && (size_t)snprintf(lc.model, sizeof(lc.model), "%s", model) >= sizeof(lc.model))
		return cli_fail("--model must be at most %zu bytes", sizeof(lc.model) - 1);
	if (!lc.enabled)
		return cli_fail("no language model is configured: set [llm] url in the config "
				"file or DISPUTED_LLM_URL, or give --url");
	buf_init(&text, LLM_MAX_TEXT);
	if (llm_read_stdin(&text, &e)) {
		buf_release(&text);
		return cli_fail("llm: %s", e.message);
	}
	status = llm_run(&lc, focus, text.data, exchange);
	buf_release(&text);
	return status;
}
