/* fuzz_import_line.c - libFuzzer target: one NDJSON import line through json_loadb and ingest_record. */
#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "ingest/ingest.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Records the corpus lines refer to, committed once: a merchant "m-seed",
 * a PNG blob, a listing "sku-seed" with that image and an order "o-seed".
 */
static const char *const seed_lines[] = {
	"{\"type\":\"merchant\",\"external_id\":\"m-seed\",\"kind\":\"company\","
	"\"legal_name\":\"seed\",\"uscc\":\"91350100M000100Y43\","
	"\"registered_address\":\"seed\",\"contact\":{\"phone\":\"1\"}}",
	"{\"type\":\"blob\",\"content_type\":\"image/png\","
	"\"content_base64\":\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==\"}",
	"{\"type\":\"listing\",\"external_id\":\"sku-seed\",\"merchant\":\"m-seed\","
	"\"title\":\"seed\",\"price\":{\"amount\":100,\"currency\":\"CNY\"},\"images\":"
	"[\"sha256:4ff6ab670a58c14270e034e2090d9a432caa263a14e0a25785386b0c12f880b5\"]}",
	"{\"type\":\"order\",\"external_id\":\"o-seed\",\"merchant\":\"m-seed\","
	"\"consumer\":{\"external_id\":\"u-seed\",\"name\":\"seed\",\"phone\":\"1\"},"
	"\"items\":[{\"listing\":\"sku-seed\",\"quantity\":1,"
	"\"unit_price\":{\"amount\":100,\"currency\":\"CNY\"}}],"
	"\"total\":{\"amount\":100,\"currency\":\"CNY\"},\"paid_at\":\"2025-09-30T08:00:00Z\","
	"\"payment\":{\"channel\":\"alipay\",\"transaction_id\":\"t\"}}",
	NULL,
};

static char data_dir[4096];          /* the scratch data directory */
static struct store *st;             /* open on data_dir/disputed.db */
static struct ingest_ctx ctx;        /* ingest into `st` */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	store_close(st);
	st = NULL;
	nftw(data_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "fuzz_import_line: %s: %s\n", what, e ? e->message : "failed");
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char path[4200];
	struct err e;
	size_t i;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		die("sodium_init", NULL);
	snprintf(data_dir, sizeof(data_dir), "%s/disputed-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(data_dir))
		die("mkdtemp", NULL);
	snprintf(path, sizeof(path), "%s/blobs", data_dir);
	if (mkdir(path, 0700) != 0)
		die("mkdir blobs", NULL);
	snprintf(path, sizeof(path), "%s/disputed.db", data_dir);
	if (store_open(path, 1, &st, &e))
		die("store_open", &e);
	atexit(cleanup);
	ctx.st = st;
	ctx.data_dir = data_dir;
	ctx.now = 1759212000000LL;
	if (store_begin(st, &e))
		die("store_begin", &e);
	for (i = 0; seed_lines[i]; i++) {
		json_t *line = json_loads(seed_lines[i], 0, NULL), *out = NULL;

		if (!line || ingest_record(&ctx, line, &out, &e))
			die("seed line", &e);
		json_decref(line);
		json_decref(out);
	}
	if (store_end(st, 1, &e))
		die("store_end", &e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *line, *out = NULL;
	json_error_t je;
	struct err e;
	char *text;
	int rc;

	line = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!line)
		return 0;
	if (store_begin(st, &e))
		die("store_begin", &e);
	err_clear(&e);
	rc = ingest_record(&ctx, line, &out, &e);
	/* Input alone must never make a 5xx, and a result goes with success only. */
	if (rc_http_status(rc) >= 500) {
		fprintf(stderr, "fuzz_import_line: %s (%s %s): %s\n", rc_strerror(rc), e.code,
			e.param, e.message);
		abort();
	}
	if ((rc == RC_OK) != (out != NULL) || (rc && e.rc != rc))
		die("result and status disagree", &e);
	if (out) {
		text = json_dumps(out, JSON_COMPACT);
		if (!text)
			die("stored object does not serialise", NULL);
		free(text);
	}
	json_decref(out);
	json_decref(line);
	/* Roll back, so every input meets the same seeded database. */
	if (store_end(st, 0, &e))
		die("store_end", &e);
	return 0;
}
