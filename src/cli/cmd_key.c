/* cmd_key.c - `disputed key create|list|revoke`: the API keys of the platform, agents, courts and others. */
#include <getopt.h>
#include <glib.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/vocab.h"
#include "cli/cli.h"
#include "core/ids.h"
#include "core/timeutil.h"

/* The roles that hold keys; consumers and merchants get tokens (POST /v1/tokens). */
static const int key_roles[] = {ACTOR_PLATFORM, ACTOR_AGENT,     ACTOR_COURT,
				ACTOR_ASSOCIATION, ACTOR_REGULATOR, ACTOR_WITNESS};

static void key_usage(FILE *f)
{
	fprintf(f, "usage: disputed key create --data DIR --role ROLE --name NAME\n"
		   "       disputed key list --data DIR\n"
		   "       disputed key revoke --data DIR KEY_ID\n\n"
		   "create prints the new secret token, and only it, on stdout; it is shown\n"
		   "once and stored only as a hash. ROLE is one of platform, agent, court,\n"
		   "association, regulator, witness. NAME is any UTF-8 text. Changes take\n"
		   "effect at once, also on a server running on the same data directory.\n");
}

static int role_ok(const char *r)
{
	size_t i;

	for (i = 0; i < sizeof(key_roles) / sizeof(key_roles[0]); i++)
		if (strcmp(actor_role_names[key_roles[i]], r) == 0)
			return 1;
	return 0;
}

int cmd_key(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"role", required_argument, NULL, 'r'},
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *role = NULL, *name = NULL, *verb;
	struct store *st = NULL;
	struct err e;
	int c, rc = 0;

	err_clear(&e);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		key_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	verb = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'h': key_usage(stdout); return 0;
		default: key_usage(stderr); return 2;
		}
	}
	if (!data) {
		key_usage(stderr);
		return 2;
	}
	if (strcmp(verb, "create") == 0) {
		char token[TOKEN_MAX];

		if (!role || !name || optind != argc - 1) {
			key_usage(stderr);
			return 2;
		}
		if (!role_ok(role))
			return cli_fail("unknown role '%s': use platform, agent, court, association, "
					"regulator or witness", role);
		if (!*name || !g_utf8_validate(name, -1, NULL))
			return cli_fail("--name must be non-empty UTF-8 text");
		if (cli_open_store(data, NULL, &st, &e))
			return cli_fail("%s", e.message);
		if (cli_key_create(st, role, name, token, &e))
			rc = cli_fail("%s", e.message);
		else
			printf("%s\n", token);
		sodium_memzero(token, sizeof(token));
	} else if (strcmp(verb, "list") == 0) {
		json_t *keys = NULL, *k;
		size_t i;

		if (optind != argc - 1) {
			key_usage(stderr);
			return 2;
		}
		if (cli_open_store(data, NULL, &st, &e))
			return cli_fail("%s", e.message);
		if (store_begin_read(st, &e) || store_key_list(st, &keys, &e) ||
		    store_end(st, 0, &e)) {
			rc = cli_fail("%s", e.message);
		} else {
			printf("%-28s %-12s %-20s %-9s %s\n", "ID", "ROLE", "CREATED", "STATUS",
			       "NAME");
			json_array_foreach(keys, i, k) {
				char created[TIME_TEXT_MAX];

				time_format(json_integer_value(json_object_get(k, "created_at")),
					    created);
				printf("%-28s %-12s %-20s %-9s %s\n",
				       json_string_value(json_object_get(k, "id")),
				       json_string_value(json_object_get(k, "role")), created,
				       json_is_null(json_object_get(k, "revoked_at")) ? "active"
										: "revoked",
				       json_string_value(json_object_get(k, "name")));
			}
		}
		json_decref(keys);
	} else if (strcmp(verb, "revoke") == 0) {
		const char *id;

		if (optind != argc - 2) {
			key_usage(stderr);
			return 2;
		}
		id = argv[optind + 1];
		if (cli_open_store(data, NULL, &st, &e))
			return cli_fail("%s", e.message);
		if (store_begin(st, &e) == RC_OK) {
			rc = store_key_revoke(st, id, time_now_ms(), &e);
			if (store_end(st, rc == RC_OK, rc ? NULL : &e) && !rc)
				rc = 1;
		} else {
			rc = 1;
		}
		if (rc)
			rc = cli_fail("%s", e.message);
		else
			printf("revoked %s\n", id);
	} else {
		key_usage(stderr);
		return 2;
	}
	store_close(st);
	return rc;
}
