/* cmd_rules.c - `disputed rules check|publish|list`: a draft of the dispute rules checked, published with notice, the versions listed. */
#include <getopt.h>
#include <glib.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cases/rules_set.h"
#include "cli/cli.h"
#include "core/timeutil.h"

static void rules_usage(FILE *f)
{
	fprintf(f, "usage: disputed rules check FILE\n"
		   "       disputed rules publish --data DIR FILE\n"
		   "       disputed rules list --data DIR\n\n"
		   "check reads a draft of the rules (etc/rules.ini's format, docs/rules.md)\n"
		   "without a data directory: it prints the version, when it takes effect and\n"
		   "a summary and exits 0, or prints every error as FILE:LINE: message and\n"
		   "exits 1 (2 if FILE cannot be read).\n\n"
		   "publish stores FILE as a new version of the published rules. Its\n"
		   "published_at must be at least 7 days from now (E-Commerce Law art. 34)\n"
		   "and after every earlier version's; a version once published never\n"
		   "changes. A server running on DIR takes it at once; disputes keep the\n"
		   "version in force when they opened.\n\n"
		   "list prints every published version, the one in force now marked *.\n");
}

/* One line on what the rules say: the deadlines, the return window, the tiers. */
static void print_summary(const struct rules *r)
{
	char d[RULES_DURATION_TEXT_MAX];
	size_t i;

	printf("summary:");
	for (i = 0; i < RULES_STEP__COUNT; i++) {
		rules_duration_text(&r->deadline[i], d);
		printf("%s %s %s", i ? "," : "", rules_step_name((enum rules_step)i), d);
	}
	rules_duration_text(&r->return_window, d);
	printf("; return window %s; fast lane up to %" PRId64 ".%02" PRId64 " CNY", d,
	       r->fast_lane_max / 100, r->fast_lane_max % 100);
	printf("; serious:");
	for (i = 0; r->serious_reasons[i]; i++)
		printf("%s %s", i ? "," : "", r->serious_reasons[i]);
	if (!r->serious_reasons[0])
		printf(" none");
	printf("; %zu reason codes\n", r->n_reasons);
}

static int rules_check(const char *path)
{
	struct rules_check all;
	struct rules *r = NULL;
	char *text = NULL, at[TIME_TEXT_MAX];
	size_t len = 0, i;
	struct err e;

	err_clear(&e);
	if (rules_file_read(path, &text, &len, &e)) {
		fprintf(stderr, "%s\n", e.message);
		return 2;
	}
	if (rules_parse(path, text, len, &all, &r, &e)) {
		for (i = 0; i < all.n; i++)
			fprintf(stderr, "%s\n", all.errors[i].message);
		if (all.dropped)
			fprintf(stderr, "%s: and %zu more errors\n", path, all.dropped);
		g_free(text);
		return 1;
	}
	time_format(r->published_at, at);
	printf("version: %s\npublished_at: %s\n", r->version, at);
	print_summary(r);
	rules_free(r);
	g_free(text);
	return 0;
}

/* The versions of the data directory's store, the configured file the first if there is none. */
static int open_set(const char *data, struct store **st, struct rules_set **set, struct err *e)
{
	struct config cfg;
	char note[RULES_NOTE_MAX];
	int rc = cli_load_config(&cfg, NULL, data, e);

	if (!rc)
		rc = cli_open_store(data, NULL, st, e);
	if (!rc)
		rc = store_begin(*st, e);
	if (rc)
		return rc;
	rc = rules_set_open(*st, cfg.rules_path, time_now_ms(), set, note, e);
	if (store_end(*st, rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	return rc;
}

static int rules_publish(const char *data, const char *path)
{
	struct store *st = NULL;
	struct rules_set *set = NULL;
	json_t *out = NULL;
	char *text = NULL;
	size_t len = 0;
	struct err e;
	int rc;

	err_clear(&e);
	if (rules_file_read(path, &text, &len, &e)) {
		g_free(text);
		return cli_fail("%s", e.message);
	}
	rc = open_set(data, &st, &set, &e);
	if (!rc)
		rc = store_begin(st, &e);
	if (!rc) {
		rc = rules_set_publish(set, st, path, text, len, time_now_ms(), NULL, &out, &e);
		if (store_end(st, rc == RC_OK, rc ? NULL : &e) && !rc)
			rc = e.rc;
	}
	if (rc)
		rc = cli_fail("%s", e.message);
	else
		printf("published rules version %s: takes effect at %s (loaded at %s), %s\n",
		       json_string_value(json_object_get(out, "version")),
		       json_string_value(json_object_get(out, "published_at")),
		       json_string_value(json_object_get(out, "loaded_at")),
		       json_string_value(json_object_get(out, "digest")));
	json_decref(out);
	rules_set_free(set);
	store_close(st);
	g_free(text);
	return rc;
}

static int rules_list(const char *data)
{
	struct store *st = NULL;
	struct rules_set *set = NULL;
	json_t *list = NULL, *v;
	struct err e;
	size_t i;
	int rc;

	err_clear(&e);
	rc = open_set(data, &st, &set, &e);
	if (!rc)
		list = rules_set_versions_json(set, time_now_ms());
	if (rc || !list) {
		rc = cli_fail("%s", rc ? e.message : "out of memory");
	} else {
		printf("  %-16s %-22s %-22s %s\n", "VERSION", "PUBLISHED_AT", "LOADED_AT", "DIGEST");
		json_array_foreach(list, i, v)
			printf("%s %-16s %-22s %-22s %s\n",
			       json_is_true(json_object_get(v, "in_force")) ? "*" : " ",
			       json_string_value(json_object_get(v, "version")),
			       json_string_value(json_object_get(v, "published_at")),
			       json_string_value(json_object_get(v, "loaded_at")),
			       json_string_value(json_object_get(v, "digest")));
	}
	json_decref(list);
	rules_set_free(set);
	store_close(st);
	return rc;
}

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *verb;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	verb = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'h': rules_usage(stdout); return 0;
		default: rules_usage(stderr); return 2;
		}
	}
	if (strcmp(verb, "check") == 0 && !data && optind == argc - 2)
		return rules_check(argv[optind + 1]);
	if (strcmp(verb, "publish") == 0 && data && optind == argc - 2)
		return rules_publish(data, argv[optind + 1]);
	if (strcmp(verb, "list") == 0 && data && optind == argc - 1)
		return rules_list(data);
	rules_usage(stderr);
	return 2;
}
