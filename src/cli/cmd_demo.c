/* cmd_demo.c - `disputed demo`: a fresh data directory with realistic demo data, then serve it. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cases/rules_set.h"
#include "cli/cli.h"
#include "cli/demo_data.h"
#include "cli/demo_disclosures.h"
#include "cli/demo_disputes.h"
#include "cli/demo_newcomer.h"
#include "core/ids.h"
#include "core/timeutil.h"
#include "ingest/ingest.h"
#include "store/store_pg.h"

/* Orders the links' consumer has not disputed yet: one for a walk-through in each language. */
#define NEWCOMER_ORDERS 2

static void demo_usage(FILE *f)
{
	fprintf(f, "usage: disputed demo [--data DIR] [--listen ADDR:PORT] [--seed N]\n"
		   "                     [--db postgres://USER@HOST:PORT/DB]\n\n"
		   "Create a fresh data directory (default: a new one under /tmp), fill it\n"
		   "with demo merchants, listings, orders, logistics, chat and disputes in every\n"
		   "state, print API keys and example commands, then serve it like disputed\n"
		   "serve.\n\n"
		   "  --db URL   keep the demo's records in the empty PostgreSQL database at URL\n"
		   "             instead of SQLite, as disputed init --db does (default:\n"
		   "             $DISPUTED_DB if it is a postgres:// URL); make demo DB=postgres\n"
		   "             starts a local cluster for it (scripts/demo-pg.sh)\n");
}

/* The data directory's published rules: the configured file becomes the first version. */
static int demo_rules(const struct config *cfg, struct store *st, struct rules_set **set,
		      struct err *e)
{
	char note[RULES_NOTE_MAX];
	int rc = store_begin(st, e);

	if (rc)
		return rc;
	rc = rules_set_open(st, cfg->rules_path, time_now_ms(), set, note, e);
	if (store_end(st, rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	return rc;
}

/* Play out the demo disputes under the configured rules and calendar, up to now. */
static int demo_cases(const struct config *cfg, struct store *st, uint32_t seed, int64_t *count,
		      struct err *e)
{
	struct calendar *cal = NULL;
	struct rules_set *set = NULL;
	const struct rules *rules = NULL;
	int64_t disclosures = 0;
	int rc = calendar_load_dir(cfg->calendar_dir, &cal, e);

	if (!rc)
		rc = demo_rules(cfg, st, &set, e);
	if (!rc)
		rules = rules_set_at(set, time_now_ms());
	if (!rc)
		rc = demo_disputes(st, rules, cal, seed, time_now_ms(), count, e);
	if (!rc)
		rc = demo_disclosures(st, rules, cal, time_now_ms(), &disclosures, e);
	rules_set_free(set);
	calendar_free(cal);
	return rc;
}

/*
 * Mint a token for the demo party `subject` (a cus_ or mer_ id) of `role`
 * as the platform key `platform` would with POST /v1/tokens, into `token`;
 * it lasts a day. On error, e says why.
 */
static int demo_token(struct store *st, const char *platform, const char *role,
		      const char *subject, char token[TOKEN_MAX], struct err *e)
{
	struct principal by;
	char id[ID_MAX], hash[65];
	int64_t now = time_now_ms();
	int rc;

	token_hash(platform, hash);
	id_new(id, "tok");
	token_new(token, "dtk");
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_auth_lookup(st, hash, now, &by, e);
	token_hash(token, hash);
	if (!rc)
		rc = store_token_insert(st, id, role, subject, hash, by.id, now,
					now + (int64_t)24 * 3600 * 1000, e);
	if (store_end(st, rc == RC_OK, e) && !rc)
		rc = e->rc;
	return rc;
}

/* The parties the consumer's and merchant's links sign in, and the consumer's id as the platform knows it. */
struct link_parties {
	char consumer[200];
	char consumer_id[ID_MAX];
	char merchant_id[ID_MAX];
};

/* The first record of `kind` listed: its "id", and its "external_id" into `ext` when asked. */
static void first_of(struct store *st, enum store_kind kind, char id[ID_MAX], char *ext,
		     size_t ext_n)
{
	json_t *first = NULL, *rec;
	struct err e;
	int64_t next;

	err_clear(&e);
	if (store_list(st, kind, NULL, 0, 1, &first, &next, &e) == RC_OK &&
	    json_array_size(first) == 1) {
		rec = json_array_get(first, 0);
		if (json_is_string(json_object_get(rec, "id")))
			snprintf(id, ID_MAX, "%s", json_string_value(json_object_get(rec, "id")));
		if (ext && json_is_string(json_object_get(rec, "external_id")))
			snprintf(ext, ext_n, "%s", json_string_value(json_object_get(rec, "external_id")));
	}
	json_decref(first);
}

/*
 * The parties the printed links sign in: those of the first dispute, so
 * that the consumer's and the merchant's pages open on something; the
 * first consumer and merchant listed when there is no dispute.
 */
static void demo_link_parties(struct store *st, struct link_parties *lp)
{
	struct store_dispute_filter f = {.overdue = -1};
	json_t *first = NULL, *who = NULL, *d;
	struct err e;
	int64_t next;

	err_clear(&e);
	if (store_begin_read(st, &e))
		return;
	first_of(st, STORE_CONSUMER, lp->consumer_id, lp->consumer, sizeof(lp->consumer));
	first_of(st, STORE_MERCHANT, lp->merchant_id, NULL, 0);
	if (store_dispute_list(st, &f, 0, 1, &first, &next, &e) == RC_OK &&
	    json_array_size(first) == 1) {
		d = json_array_get(first, 0);
		if (json_is_string(json_object_get(d, "consumer")) &&
		    json_is_string(json_object_get(d, "merchant")) &&
		    store_get(st, STORE_CONSUMER, json_string_value(json_object_get(d, "consumer")),
			      &who, &e) == RC_OK) {
			snprintf(lp->consumer_id, ID_MAX, "%s",
				 json_string_value(json_object_get(d, "consumer")));
			snprintf(lp->merchant_id, ID_MAX, "%s",
				 json_string_value(json_object_get(d, "merchant")));
			if (json_is_string(json_object_get(who, "external_id")))
				snprintf(lp->consumer, sizeof(lp->consumer), "%s",
					 json_string_value(json_object_get(who, "external_id")));
		}
	}
	json_decref(who);
	json_decref(first);
	if (store_end(st, 0, NULL)) {
		/* a read-only transaction: nothing to lose */
	}
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"seed", required_argument, NULL, 's'},
		{"db", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const roles[][2] = {
		{"platform", "demo platform backend"}, {"agent", "demo dispute agent"},
		{"court", "demo internet court"},       {"association", "demo consumer association"},
		{"regulator", "demo market regulator"}, {"witness", "demo witness"},
	};
	const char *data = NULL, *listen = NULL, *db = NULL;
	char tmpl[] = "/tmp/disputed-demo-XXXXXX", platform[TOKEN_MAX] = "";
	char link[TOKEN_MAX] = "", agent[TOKEN_MAX] = "", regulator[TOKEN_MAX] = "";
	struct link_parties lp = {.consumer = "u-0000000"};
	unsigned long seed = 61;
	struct config cfg;
	struct store *st = NULL;
	int64_t n = 0, disputes = 0;
	struct err e;
	size_t i;
	int c, rc;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'l': listen = optarg; break;
		case 's': seed = strtoul(optarg, NULL, 10); break;
		case 'b': db = optarg; break;
		case 'h': demo_usage(stdout); return 0;
		default: demo_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		demo_usage(stderr);
		return 2;
	}
	/* as init does: a PostgreSQL URL from --db or DISPUTED_DB, else SQLite */
	if (!db && store_pg_is_url(getenv("DISPUTED_DB")))
		db = getenv("DISPUTED_DB");
	if (db && !store_pg_is_url(db))
		return cli_fail("--db takes a postgres:// URL; SQLite, the default, needs no --db");
	if (!data) {
		if (!mkdtemp(tmpl))
			return cli_fail("cannot create a directory under /tmp");
		data = tmpl;
	}
	if (db ? cli_init_data_pg(data, "demo.disputed.local/log", db, &e)
	       : cli_init_data(data, "demo.disputed.local/log", &e))
		return cli_fail("%s", e.message);
	if (cli_load_config(&cfg, NULL, data, &e))
		return cli_fail("%s", e.message);
	if (listen && (size_t)snprintf(cfg.listen, sizeof(cfg.listen), "%s", listen) >=
			      sizeof(cfg.listen))
		return cli_fail("--listen is too long");
	if (cli_open_store(data, NULL, &st, &e))
		return cli_fail("%s", e.message);
	rc = demo_data_load(st, data, (uint32_t)seed, time_now_ms(), &n, &e);
	if (rc) {
		store_close(st);
		return cli_fail("%s", e.message);
	}
	{
		int64_t sealed = 0;
		int deferred = 0;

		/*
		 * records first, so the disputes' frozen evidence names their log
		 * entries; then the orders the links' consumer can open a dispute on
		 */
		if (cli_seal_pending(data, st, &sealed, &deferred, &e) ||
		    demo_cases(&cfg, st, (uint32_t)seed, &disputes, &e)) {
			store_close(st);
			return cli_fail("%s", e.message);
		}
		demo_link_parties(st, &lp);
		if ((lp.consumer_id[0] && lp.merchant_id[0] &&
		     demo_newcomer_orders(st, data, lp.consumer_id, lp.merchant_id, NEWCOMER_ORDERS,
					  time_now_ms(), &e)) ||
		    cli_seal_pending(data, st, &sealed, &deferred, &e)) {
			store_close(st);
			return cli_fail("%s", e.message);
		}
	}
	if (db)
		printf("disputed demo: records on PostgreSQL %s\n", db);
	printf("disputed demo: %lld records loaded into %s, each sealed in the evidence log\n"
	       "disputed demo: %lld disputes in every state, with their timelines, and the\n"
	       "disputed demo: disclosure desk (packages for court, requests in the queue)\n\n",
	       (long long)n, data, (long long)disputes);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		char token[TOKEN_MAX];

		if (cli_key_create(st, roles[i][0], roles[i][1], token, &e)) {
			store_close(st);
			return cli_fail("%s", e.message);
		}
		printf("%s key: %s\n", roles[i][0], token);
		if (i == 0)
			memcpy(platform, token, sizeof(platform));
		if (i == 1)
			memcpy(agent, token, sizeof(agent));
		if (i == 4)
			memcpy(regulator, token, sizeof(regulator));
	}
	/* the consumer's pages, signed in as the platform's app would link them */
	if (lp.consumer_id[0] &&
	    demo_token(st, platform, "consumer", lp.consumer_id, link, &e) == RC_OK)
		printf("consumer link: http://%s/app/#token=%s\n", cfg.listen, link);
	err_clear(&e);
	if (lp.merchant_id[0] &&
	    demo_token(st, platform, "merchant", lp.merchant_id, link, &e) == RC_OK)
		printf("merchant link: http://%s/app/#token=%s\n", cfg.listen, link);
	err_clear(&e);
	/* a court and a consumer association: request a package, then verify it offline */
	if (demo_token(st, platform, "court", "demo internet court", link, &e) == RC_OK)
		printf("court link: http://%s/app/#token=%s\n", cfg.listen, link);
	err_clear(&e);
	if (demo_token(st, platform, "association", "demo consumer association", link, &e) ==
	    RC_OK)
		printf("association link: http://%s/app/#token=%s\n", cfg.listen, link);
	err_clear(&e);
	/* staff sign in with their key the same way */
	printf("agent link: http://%s/app/#token=%s\n", cfg.listen, agent);
	printf("regulator link: http://%s/app/#token=%s\n", cfg.listen, regulator);
	printf("\nTry:\n"
	       "  curl -s http://%s/healthz\n"
	       "  curl -s -H 'Authorization: Bearer %s' 'http://%s/v1/orders?limit=2'\n"
	       "  curl -s -H 'Authorization: Bearer %s' 'http://%s/v1/merchants?limit=2'\n"
	       "  curl -s -H 'Authorization: Bearer %s' 'http://%s/v1/disputes?state=platform_review'\n"
	       "  curl -s -H 'Authorization: Bearer %s' 'http://%s/v1/disclosures?state=pending'\n"
	       "  curl -s -H 'Authorization: Bearer %s' 'http://%s/v1/risk/merchants?limit=3'\n"
	       "  curl -s -H 'Authorization: Bearer %s' 'http://%s/v1/alerts'\n"
	       "  curl -s -X POST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n"
	       "       -d '{\"role\":\"consumer\",\"subject\":\"%s\",\"ttl_seconds\":600}' "
	       "http://%s/v1/tokens\n\n"
	       "Stop with Ctrl-C.\n\n",
	       cfg.listen, platform, cfg.listen, platform, cfg.listen, platform, cfg.listen,
	       platform, cfg.listen, platform, cfg.listen, platform, cfg.listen, platform,
	       lp.consumer, cfg.listen);
	fflush(stdout);
	rc = cli_serve_until_signal(&cfg, st);
	store_close(st);
	return rc;
}
