/* cmd_image.c - `disputed image compare`: a listing photo against a photo of what arrived, one pair or a TSV of pairs on a thread pool. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

#include "assist/image.h"
#include "cli/cli.h"

#define MAX_PAIRS 1000000 /* lines of a --pairs file */
#define MAX_LINE  8192    /* bytes of one line */
#define MAX_JOBS  64

struct pair {
	char *a, *b;   /* file names as given, under the --dir */
	char *line;    /* the JSON line to print, once done */
	int failed;    /* 1 if the line is an error */
};

struct pool {
	struct pair *pairs;   /* the work, in input order */
	size_t n;             /* pairs */
	size_t next;          /* the next pair a worker takes */
	const char *dir;      /* where the files are */
	int scores;           /* 1 to print the measurements too */
	pthread_mutex_t lock; /* guards next and every pair's line */
	pthread_cond_t done;  /* signalled when a line is ready */
};

static void image_usage(FILE *f)
{
	fprintf(f, "usage: disputed image compare [--scores] A B\n"
		   "       disputed image compare --pairs FILE.tsv --dir DIR [--jobs N] [--scores]\n\n"
		   "Compare a listing photo (A) with a photo of what arrived (B): prints\n"
		   "{\"a\",\"b\",\"verdict\",\"similarity\",\"colour_difference\",\"explanation\"}\n"
		   "as one JSON line, where verdict is same, colour_mismatch, different or\n"
		   "inconclusive, similarity is 0..1 and colour_difference a CIEDE2000 distance\n"
		   "(see docs/assist.md). A suggestion for a person to confirm.\n\n"
		   "  --pairs FILE  a header line, then tab-separated columns a and b (others\n"
		   "                are ignored): one JSON line per pair, in input order; a pair\n"
		   "                that cannot be compared gets {\"a\",\"b\",\"error\"}\n"
		   "  --dir DIR     where the --pairs files are\n"
		   "  --jobs N      worker threads (default: the number of processors)\n"
		   "  --scores      add the measurements behind each verdict\n\n"
		   "JPEG, PNG and WebP up to 32 MiB and 100 megapixels. Exit status: 0 done,\n"
		   "1 a photo could not be compared (why, on stderr), 2 usage.\n");
}

static double round4(double x)
{
	return round(x * 1e4) / 1e4;
}

/* The JSON line for one result; NULL if out of memory. */
static char *result_line(const char *a, const char *b, const struct image_verdict *v,
			 const struct err *e, int scores)
{
	json_t *o;
	char *s;

	if (e)
		o = json_pack("{s:s, s:s, s:s}", "a", a, "b", b, "error", e->message);
	else
		o = json_pack("{s:s, s:s, s:s, s:f, s:f, s:s}", "a", a, "b", b, "verdict",
			      image_verdict_name(v->verdict), "similarity", round4(v->similarity),
			      "colour_difference", round4(v->colour_difference), "explanation",
			      v->explanation);
	if (o && !e && scores) {
		const struct image_scores *sc = &v->scores;

		json_object_set_new(o, "scores", json_pack(
			"{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
			"palette_distance", round4(sc->palette_distance), "novel", round4(sc->novel),
			"dominant", round4(sc->dominant), "dominant_lost", round4(sc->dominant_lost),
			"aligned", round4(sc->aligned), "aligned_change", round4(sc->aligned_change),
			"structure", round4(sc->structure), "colour_score", round4(sc->colour_score),
			"foreground_a", round4(sc->foreground_a),
			"foreground_b", round4(sc->foreground_b)));
	}
	s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	return s;
}

/* Compare one pair of files under `dir` (NULL: as given) into p->line. */
static void run_pair(struct pair *p, const char *dir, int scores)
{
	struct image_verdict v;
	char pa[4096], pb[4096];
	struct err e;
	int bad_name;

	err_clear(&e);
	memset(&v, 0, sizeof(v));
	bad_name = dir && (p->a[0] == '/' || p->b[0] == '/' || strstr(p->a, "..") ||
			   strstr(p->b, ".."));
	if (bad_name)
		err_set(&e, RC_INVAL, "bad_name", NULL, "file names must stay under %s", dir);
	else if (dir && ((size_t)snprintf(pa, sizeof(pa), "%s/%s", dir, p->a) >= sizeof(pa) ||
			 (size_t)snprintf(pb, sizeof(pb), "%s/%s", dir, p->b) >= sizeof(pb)))
		err_set(&e, RC_INVAL, "bad_name", NULL, "a file name is too long");
	else if (image_compare_files(dir ? pa : p->a, dir ? pb : p->b, &v, &e) == RC_OK)
		err_clear(&e);
	p->failed = e.rc != RC_OK;
	p->line = result_line(p->a, p->b, &v, p->failed ? &e : NULL, scores);
	if (p->failed)
		fprintf(stderr, "disputed: %s\n", e.message);
}

static void *worker(void *arg)
{
	struct pool *pool = arg;

	for (;;) {
		struct pair *p;

		pthread_mutex_lock(&pool->lock);
		p = pool->next < pool->n ? &pool->pairs[pool->next++] : NULL;
		pthread_mutex_unlock(&pool->lock);
		if (!p)
			break;
		{
			struct pair done = *p;

			run_pair(&done, pool->dir, pool->scores);
			pthread_mutex_lock(&pool->lock);
			p->failed = done.failed;
			p->line = done.line ? done.line : strdup("{\"error\":\"out of memory\"}");
			pthread_cond_broadcast(&pool->done);
			pthread_mutex_unlock(&pool->lock);
		}
	}
	vips_thread_shutdown();
	return NULL;
}

/* Split `line` (modified) on tabs into at most `max` fields; returns how many. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

/* Read the pairs of a TSV file with a header naming columns a and b. */
static int read_pairs(const char *path, struct pair **out, size_t *n)
{
	char line[MAX_LINE], *f[64];
	int ia = -1, ib = -1, nf, rc = 1;
	size_t alloc = 0, lineno = 1;
	struct pair *pairs = NULL;
	FILE *in = fopen(path, "r");

	*n = 0;
	if (!in)
		return cli_fail("cannot open %s", path);
	if (!fgets(line, sizeof(line), in)) {
		cli_fail("%s is empty: it needs a header line with columns a and b", path);
		goto out;
	}
	nf = split_tabs(line, f, 64);
	for (int i = 0; i < nf; i++) {
		if (strcmp(f[i], "a") == 0 && ia < 0)
			ia = i;
		else if (strcmp(f[i], "b") == 0 && ib < 0)
			ib = i;
	}
	if (ia < 0 || ib < 0) {
		cli_fail("%s: the header line names no columns a and b", path);
		goto out;
	}
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(in)) {
			cli_fail("%s:%zu: line longer than %d bytes", path, lineno, MAX_LINE);
			goto out;
		}
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		nf = split_tabs(line, f, 64);
		if (nf <= ia || nf <= ib || !f[ia][0] || !f[ib][0]) {
			cli_fail("%s:%zu: no a or b", path, lineno);
			goto out;
		}
		if (*n == MAX_PAIRS) {
			cli_fail("%s: more than %d pairs", path, MAX_PAIRS);
			goto out;
		}
		if (*n == alloc) {
			struct pair *grown;

			alloc = alloc ? alloc * 2 : 256;
			grown = realloc(pairs, alloc * sizeof(*pairs));
			if (!grown) {
				cli_fail("out of memory");
				goto out;
			}
			pairs = grown;
		}
		memset(&pairs[*n], 0, sizeof(pairs[0]));
		pairs[*n].a = strdup(f[ia]);
		pairs[*n].b = strdup(f[ib]);
		(*n)++;
		if (!pairs[*n - 1].a || !pairs[*n - 1].b) {
			cli_fail("out of memory");
			goto out;
		}
	}
	rc = ferror(in) ? cli_fail("cannot read %s", path) : 0;
out:
	fclose(in);
	*out = pairs;
	return rc;
}

static void free_pairs(struct pair *pairs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pairs[i].a);
		free(pairs[i].b);
		free(pairs[i].line);
	}
	free(pairs);
}

/* Run the pairs on `jobs` threads, printing each line in input order as it is ready. */
static int run_pool(struct pool *pool, int jobs)
{
	pthread_t tid[MAX_JOBS];
	int started = 0, failed = 0;

	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->done, NULL);
	while (started < jobs && (size_t)started < pool->n &&
	       pthread_create(&tid[started], NULL, worker, pool) == 0)
		started++;
	if (started == 0 && pool->n > 0)
		worker(pool);
	for (size_t i = 0; i < pool->n; i++) {
		pthread_mutex_lock(&pool->lock);
		while (!pool->pairs[i].line)
			pthread_cond_wait(&pool->done, &pool->lock);
		pthread_mutex_unlock(&pool->lock);
		printf("%s\n", pool->pairs[i].line);
		fflush(stdout);
		failed |= pool->pairs[i].failed;
	}
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_cond_destroy(&pool->done);
	pthread_mutex_destroy(&pool->lock);
	return failed;
}

static int compare_pairs(const char *file, const char *dir, int jobs, int scores)
{
	struct pool pool;
	int failed;

	memset(&pool, 0, sizeof(pool));
	if (read_pairs(file, &pool.pairs, &pool.n)) {
		free_pairs(pool.pairs, pool.n);
		return 1;
	}
	pool.dir = dir;
	pool.scores = scores;
	failed = run_pool(&pool, jobs);
	free_pairs(pool.pairs, pool.n);
	return failed ? 1 : 0;
}

static int compare_one(const char *a, const char *b, int scores)
{
	struct pair p;
	int failed;

	memset(&p, 0, sizeof(p));
	p.a = (char *)a;
	p.b = (char *)b;
	run_pair(&p, NULL, scores);
	failed = p.failed;
	if (!p.line)
		failed = cli_fail("out of memory");
	else if (!failed)
		printf("%s\n", p.line);
	free(p.line);
	return failed ? 1 : 0;
}

int cmd_image(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pairs", required_argument, NULL, 'p'},
		{"dir", required_argument, NULL, 'd'},
		{"jobs", required_argument, NULL, 'j'},
		{"scores", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *pairs = NULL, *dir = NULL;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int c, scores = 0;
	char *end;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		image_usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "compare") != 0) {
		image_usage(stderr);
		return 2;
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pairs = optarg; break;
		case 'd': dir = optarg; break;
		case 'j':
			jobs = strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > MAX_JOBS) {
				fprintf(stderr, "disputed: --jobs takes 1 to %d\n", MAX_JOBS);
				return 2;
			}
			break;
		case 's': scores = 1; break;
		case 'h': image_usage(stdout); return 0;
		default: image_usage(stderr); return 2;
		}
	}
	jobs = jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : jobs;
	if (pairs && dir && optind == argc)
		return compare_pairs(pairs, dir, (int)jobs, scores);
	if (!pairs && !dir && optind == argc - 2)
		return compare_one(argv[optind], argv[optind + 1], scores);
	image_usage(stderr);
	return 2;
}
