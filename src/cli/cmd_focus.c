/* cmd_focus.c - `disputed focus`: train, run and measure the dispute-focus classifier. */
#include <getopt.h>
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "assist/focus.h"
#include "assist/focus_train.h"
#include "cli/cli.h"
#include "core/num.h"

/* Most --data files one command reads. */
#define MAX_DATA_FILES 64

static void focus_usage(FILE *f)
{
	fprintf(f,
		"usage: disputed focus classify [--model MODEL]\n"
		"       disputed focus eval --data FILE.tsv [--data FILE.tsv]... [--model MODEL | --baseline] [--json]\n"
		"       disputed focus train --data FILE.tsv [--data FILE.tsv]... --out MODEL [TRAINING OPTIONS]\n"
		"       disputed focus cv --data FILE.tsv [--data FILE.tsv]... [--folds K] [--repeats R] [--json]\n"
		"                         [TRAINING OPTIONS]\n\n"
		"Name the dispute focus of Chinese complaint texts: not_received, not_as_described,\n"
		"quality, counterfeit, false_advertising, price, after_sales, safety or no_claim.\n\n"
		"classify  reads one text per line on stdin and writes one JSON object per line:\n"
		"          {\"primary\":…,\"scores\":{nine classes, summing to 1},\"phrases\":[…]}.\n"
		"          A line longer than 65536 bytes, or not UTF-8, gets {\"error\":{…}} in its\n"
		"          place instead, and the exit status is then 1.\n"
		"eval      prints accuracy, macro-F1 and the confusion matrix on labelled data; a\n"
		"          prediction equal to the text's primary or secondary label is right.\n"
		"          --baseline measures the keyword baseline instead of a model.\n"
		"train     trains a model (LIBLINEAR) and writes it to --out; the same data and\n"
		"          options give the same file, byte for byte.\n"
		"cv        stratified K-fold cross-validation (default 5), repeated R times with\n"
		"          fixed shuffles (default 5): how options compare.\n\n"
		"Data files are tab-separated with the header: id cat primary secondary text.\n"
		"Without --model, the shipped model is used (etc/focus.model in a checkout,\n"
		"beside the program, or /etc/disputed/focus.model).\n\n"
		"training options (defaults are the measured choice, docs/assist.md):\n"
		"  --solver lr|svm|cs|l1lr   --c C   --ngrams MIN-MAX   --split space|punct\n"
		"  --weighting binary|tfidf  --balanced | --no-balanced\n"
		"  --secondary | --no-secondary   (texts also train their secondary label)\n"
		"  --keywords | --no-keywords     (a feature per keyword list of the baseline)\n"
		"  --min-df N   --max-features N\n\n"
		"Exit status: 0 done, 1 failed, 2 usage.\n");
}

/* What the command line said. */
struct focus_args {
	const char *data[MAX_DATA_FILES]; /* --data files */
	int ndata;                        /* how many */
	const char *model;                /* --model, or NULL */
	const char *out;                  /* --out, or NULL */
	int json;                         /* --json */
	int baseline;                     /* --baseline */
	int folds, repeats;               /* --folds, --repeats */
	struct focus_options opts;        /* training options */
	unsigned seen;                    /* OPT_* bits of the options given */
};

enum {
	OPT_DATA = 1 << 0, OPT_MODEL = 1 << 1, OPT_OUT = 1 << 2, OPT_JSON = 1 << 3,
	OPT_BASELINE = 1 << 4, OPT_CV = 1 << 5, OPT_TRAIN = 1 << 6,
};

/* Index of `s` in the NULL-terminated `names`, or -1. */
static int name_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int parse_int(const char *opt, const char *s, int64_t min, int64_t max, int *out)
{
	int64_t v;

	if (num_parse_i64(s, min, max, &v)) {
		fprintf(stderr, "disputed: %s must be an integer from %lld to %lld\n", opt,
			(long long)min, (long long)max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* One training option, `c` being its getopt value; -1 with a message if bad. */
static int parse_training(int c, const char *arg, struct focus_options *o)
{
	char *end = NULL;
	int used;

	switch (c) {
	case 's': o->solver = name_index(focus_solver_names, arg); return o->solver < 0 ? -1 : 0;
	case 'w': o->weighting = name_index(focus_weighting_names, arg);
		return o->weighting < 0 ? -1 : 0;
	case 'p': o->split = name_index(focus_split_names, arg); return o->split < 0 ? -1 : 0;
	case 'C':
		o->c = g_ascii_strtod(arg, &end);
		return end == arg || *end || !(o->c > 0) ? -1 : 0;
	case 'n':
		used = 0;
		return sscanf(arg, "%d-%d%n", &o->nmin, &o->nmax, &used) != 2 || arg[used] ? -1 : 0;
	case 'b': o->balanced = 1; return 0;
	case 'B': o->balanced = 0; return 0;
	case 'y': o->secondary = 1; return 0;
	case 'Y': o->secondary = 0; return 0;
	case 'K': o->keywords = 1; return 0;
	case 'Q': o->keywords = 0; return 0;
	case 'm': return parse_int("--min-df", arg, 1, 1000000, &o->min_df);
	case 'x': return parse_int("--max-features", arg, 1, FOCUS_MAX_FEATURES, &o->max_features);
	}
	return -1;
}

/* Parse argv into `a`; 0, or the exit status of a usage error or --help (-1 → 0). */
static int parse_args(int argc, char **argv, struct focus_args *a)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'}, {"model", required_argument, NULL, 'M'},
		{"out", required_argument, NULL, 'o'}, {"json", no_argument, NULL, 'j'},
		{"baseline", no_argument, NULL, 'L'}, {"folds", required_argument, NULL, 'k'},
		{"repeats", required_argument, NULL, 'r'}, {"solver", required_argument, NULL, 's'},
		{"c", required_argument, NULL, 'C'}, {"ngrams", required_argument, NULL, 'n'},
		{"split", required_argument, NULL, 'p'}, {"weighting", required_argument, NULL, 'w'},
		{"balanced", no_argument, NULL, 'b'}, {"no-balanced", no_argument, NULL, 'B'},
		{"secondary", no_argument, NULL, 'y'}, {"no-secondary", no_argument, NULL, 'Y'},
		{"keywords", no_argument, NULL, 'K'}, {"no-keywords", no_argument, NULL, 'Q'},
		{"min-df", required_argument, NULL, 'm'},
		{"max-features", required_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, idx = 0;

	memset(a, 0, sizeof(*a));
	a->folds = a->repeats = 5;
	focus_options_default(&a->opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 'd':
			if (a->ndata == MAX_DATA_FILES) {
				fprintf(stderr, "disputed: at most %d --data files\n", MAX_DATA_FILES);
				return 2;
			}
			a->data[a->ndata++] = optarg;
			a->seen |= OPT_DATA;
			break;
		case 'M': a->model = optarg; a->seen |= OPT_MODEL; break;
		case 'o': a->out = optarg; a->seen |= OPT_OUT; break;
		case 'j': a->json = 1; a->seen |= OPT_JSON; break;
		case 'L': a->baseline = 1; a->seen |= OPT_BASELINE; break;
		case 'k':
		case 'r':
			a->seen |= OPT_CV;
			if (parse_int(c == 'k' ? "--folds" : "--repeats", optarg, c == 'k' ? 2 : 1,
				      100, c == 'k' ? &a->folds : &a->repeats))
				return 2;
			break;
		case 'h': focus_usage(stdout); return -1;
		case '?': focus_usage(stderr); return 2;
		default:
			a->seen |= OPT_TRAIN;
			if (parse_training(c, optarg, &a->opts)) {
				fprintf(stderr, "disputed: bad value for --%s (see --help)\n",
					opts[idx].name);
				return 2;
			}
		}
	}
	if (optind != argc) {
		fprintf(stderr, "disputed: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* Fail with usage if an option outside `allowed` was given, or a `required` one is missing. */
static int check_seen(const char *sub, const struct focus_args *a, unsigned allowed,
		      unsigned required)
{
	if (a->seen & ~allowed) {
		fprintf(stderr, "disputed: an option given does not apply to 'focus %s' "
				"(see disputed focus --help)\n", sub);
		return 2;
	}
	if ((a->seen & required) != required) {
		fprintf(stderr, "disputed: 'focus %s' needs %s\n", sub,
			(required & ~a->seen & OPT_DATA) ? "--data FILE.tsv" : "--out MODEL");
		return 2;
	}
	return 0;
}

static int read_data(const struct focus_args *a, struct focus_data *d)
{
	struct err e;
	int i;

	err_clear(&e);
	for (i = 0; i < a->ndata; i++)
		if (focus_data_read(d, a->data[i], &e))
			return cli_fail("%s", e.message);
	if (d->n == 0)
		return cli_fail("no labelled texts in the data given");
	return 0;
}

/* Load --model, or the shipped model wherever it is found. */
static int load_model(const struct focus_args *a, struct focus_model **m)
{
	char path[4096];
	struct err e;

	err_clear(&e);
	if (a->model) {
		g_strlcpy(path, a->model, sizeof(path));
	} else {
		g_strlcpy(path, FOCUS_DEFAULT_MODEL, sizeof(path));
		cli_find_shipped(path, sizeof(path), FOCUS_DEFAULT_MODEL);
	}
	if (focus_load(path, m, &e))
		return cli_fail("%s", e.message);
	return 0;
}

/* ---- classify ---- */

/*
 * Read one line into `buf` (cap + 1 bytes), without its "\n" or "\r\n". A
 * line of more than `cap` bytes is read to its end and *too_long set.
 * Returns 0 at the end of input, else 1.
 */
static int read_line(FILE *in, char *buf, size_t cap, size_t *len, int *too_long)
{
	int ch = EOF;
	size_t n = 0;

	*too_long = 0;
	while ((ch = getc(in)) != EOF && ch != '\n') {
		if (n <= cap)
			buf[n++] = (char)ch;
		else
			*too_long = 1;
	}
	if (ch == EOF && n == 0)
		return 0;
	if (n && buf[n - 1] == '\r')
		n--;
	if (n > cap)
		*too_long = 1;
	*len = n;
	return 1;
}

static void print_json_line(json_t *o)
{
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
					       JSON_REAL_PRECISION(6)) : NULL;

	puts(text ? text : "{\"error\":{\"code\":\"nomem\",\"message\":\"out of memory\"}}");
	fflush(stdout);
	free(text);
	json_decref(o);
}

static int focus_classify_cmd(const struct focus_args *a)
{
	struct focus_model *m = NULL;
	struct focus_result r;
	size_t len, lineno = 0, failed = 0;
	char *buf, msg[400];
	struct err e;
	int too_long;

	if (check_seen("classify", a, OPT_MODEL, 0))
		return 2;
	if (load_model(a, &m))
		return 1;
	buf = g_malloc(FOCUS_MAX_TEXT + 1);
	while (read_line(stdin, buf, FOCUS_MAX_TEXT, &len, &too_long)) {
		lineno++;
		err_clear(&e);
		if (too_long)
			err_set(&e, RC_TOOBIG, "too_long", NULL,
				"the text is longer than %d bytes", FOCUS_MAX_TEXT);
		if (too_long || focus_classify(m, buf, len, &r, &e)) {
			failed++;
			snprintf(msg, sizeof(msg), "line %zu: %s", lineno, e.message);
			print_json_line(json_pack("{s:{s:s,s:s}}", "error", "code", e.code,
						  "message", msg));
			continue;
		}
		print_json_line(focus_result_json(&r));
	}
	g_free(buf);
	focus_free(m);
	if (ferror(stdin))
		return cli_fail("cannot read the texts on stdin");
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail("cannot write the results");
	if (failed)
		return cli_fail("%zu of %zu lines could not be classified", failed, lineno);
	return 0;
}

/* ---- eval and cv: printing the figures ---- */

/* Column heads of the confusion matrix, by enum focus_class. */
static const char *const abbrev[FOCUS__COUNT] = {
	"recv", "desc", "qual", "fake", "advt", "pric", "aftr", "safe", "none",
};

static void print_figures(const struct focus_eval *ev)
{
	struct focus_scores s;
	int k, j;

	focus_eval_scores(ev, &s);
	printf("\n%-18s %9s %7s %7s %8s\n", "class", "precision", "recall", "f1", "support");
	for (k = 0; k < FOCUS__COUNT; k++)
		if (s.present[k])
			printf("%-18s %9.3f %7.3f %7.3f %8lld\n", focus_class_names[k],
			       s.precision[k], s.recall[k], s.f1[k], (long long)s.support[k]);
	printf("\nconfusion: rows are the labelled primary, columns the prediction\n"
	       "(a prediction equal to the secondary label is counted as the primary)\n%-18s",
	       "");
	for (k = 0; k < FOCUS__COUNT; k++)
		printf(" %5s", abbrev[k]);
	for (k = 0; k < FOCUS__COUNT; k++) {
		if (!s.present[k])
			continue;
		printf("\n%-18s", focus_class_names[k]);
		for (j = 0; j < FOCUS__COUNT; j++)
			printf(" %5lld", (long long)ev->confusion[k][j]);
	}
	printf("\n");
}

/* The figures of `ev` as JSON members of `o`. */
static void add_figures(json_t *o, const struct focus_eval *ev)
{
	json_t *present = json_array(), *per = json_object(), *labels = json_array();
	json_t *matrix = json_array(), *row;
	struct focus_scores s;
	int k, j;

	focus_eval_scores(ev, &s);
	for (k = 0; k < FOCUS__COUNT; k++) {
		json_array_append_new(labels, json_string(focus_class_names[k]));
		row = json_array();
		for (j = 0; j < FOCUS__COUNT; j++)
			json_array_append_new(row, json_integer(ev->confusion[k][j]));
		json_array_append_new(matrix, row);
		if (!s.present[k])
			continue;
		json_array_append_new(present, json_string(focus_class_names[k]));
		json_object_set_new(per, focus_class_names[k],
				    json_pack("{s:f,s:f,s:f,s:I}", "precision", s.precision[k],
					      "recall", s.recall[k], "f1", s.f1[k], "support",
					      (json_int_t)s.support[k]));
	}
	json_object_set_new(o, "texts", json_integer(ev->n));
	json_object_set_new(o, "right", json_integer(ev->right));
	if (!json_object_get(o, "accuracy"))
		json_object_set_new(o, "accuracy", json_real(s.accuracy));
	if (!json_object_get(o, "macro_f1"))
		json_object_set_new(o, "macro_f1", json_real(s.macro_f1));
	json_object_set_new(o, "classes_present", present);
	json_object_set_new(o, "per_class", per);
	json_object_set_new(o, "confusion", json_pack("{s:s,s:s,s:o,s:o}", "rows", "primary",
						      "columns", "predicted", "labels", labels,
						      "matrix", matrix));
}

static void print_json(json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));

	if (text)
		puts(text);
	free(text);
	json_decref(o);
}

/* ---- eval ---- */

/* Count the predictions of the model (or the baseline when m is NULL) on `d`. */
static int predict_all(const struct focus_model *m, const struct focus_data *d,
		       struct focus_eval *ev)
{
	struct focus_result r;
	struct err e;
	size_t i;

	err_clear(&e);
	focus_eval_init(ev);
	for (i = 0; i < d->n; i++) {
		const struct focus_row *row = &d->rows[i];

		if (m && focus_classify(m, row->text, strlen(row->text), &r, &e))
			return cli_fail("text %s: %s", row->id, e.message);
		if (!m)
			r.primary = focus_baseline(row->text, strlen(row->text));
		if (r.primary < 0)
			return cli_fail("out of memory");
		focus_eval_add(ev, row->primary, row->secondary, r.primary);
	}
	return 0;
}

static int focus_eval_cmd(const struct focus_args *a)
{
	struct focus_data d;
	struct focus_model *m = NULL;
	struct focus_scores s;
	struct focus_eval ev;
	int rc;

	if (check_seen("eval", a, OPT_DATA | OPT_MODEL | OPT_JSON | OPT_BASELINE, OPT_DATA))
		return 2;
	if (a->baseline && a->model) {
		fprintf(stderr, "disputed: give --model or --baseline, not both\n");
		return 2;
	}
	focus_data_init(&d);
	rc = read_data(a, &d);
	if (!rc && !a->baseline)
		rc = load_model(a, &m);
	if (!rc)
		rc = predict_all(m, &d, &ev);
	if (!rc && a->json) {
		json_t *o = json_pack("{s:s}", "predictor", a->baseline ? "baseline" : "model");

		add_figures(o, &ev);
		print_json(o);
	} else if (!rc) {
		focus_eval_scores(&ev, &s);
		printf("%s on %lld texts\naccuracy  %.4f  (%lld right)\n"
		       "macro-F1  %.4f  (mean over the %d classes present)\n",
		       a->baseline ? "keyword baseline" : "model", (long long)ev.n, s.accuracy,
		       (long long)ev.right, s.macro_f1, s.npresent);
		print_figures(&ev);
	}
	focus_free(m);
	focus_data_release(&d);
	return rc;
}

/* ---- train and cv ---- */

static int focus_train_cmd(const struct focus_args *a)
{
	struct focus_model *m = NULL;
	struct focus_data d;
	struct err e;
	int rc;

	if (check_seen("train", a, OPT_DATA | OPT_OUT | OPT_TRAIN, OPT_DATA | OPT_OUT))
		return 2;
	err_clear(&e);
	focus_data_init(&d);
	rc = read_data(a, &d);
	if (!rc && (focus_train(&d, &a->opts, &m, &e) || focus_save(m, a->out, &e)))
		rc = cli_fail("%s", e.message);
	if (!rc)
		printf("trained on %zu texts; wrote %s\n", d.n, a->out);
	focus_free(m);
	focus_data_release(&d);
	return rc;
}

static int focus_cv_cmd(const struct focus_args *a)
{
	struct focus_data d;
	struct focus_cv cv;
	struct err e;
	int rc;

	if (check_seen("cv", a, OPT_DATA | OPT_JSON | OPT_CV | OPT_TRAIN, OPT_DATA))
		return 2;
	err_clear(&e);
	focus_data_init(&d);
	rc = read_data(a, &d);
	if (!rc && focus_cv_run(&d, &a->opts, a->folds, a->repeats, &cv, &e))
		rc = cli_fail("%s", e.message);
	if (!rc && a->json) {
		json_t *o = json_pack("{s:i,s:i,s:f,s:f,s:f,s:f}", "folds", cv.folds, "repeats",
				      cv.repeats, "accuracy", cv.accuracy, "accuracy_sd",
				      cv.accuracy_sd, "macro_f1", cv.macro_f1, "macro_f1_sd",
				      cv.macro_f1_sd);

		add_figures(o, &cv.pooled);
		/* the figures per class are over every repeat's predictions */
		json_object_set_new(o, "texts", json_integer((json_int_t)d.n));
		json_object_set_new(o, "predictions", json_integer(cv.pooled.n));
		print_json(o);
	} else if (!rc) {
		printf("%d-fold cross-validation, %d repeats, %zu texts\n"
		       "accuracy  %.4f ± %.4f\nmacro-F1  %.4f ± %.4f\n"
		       "(mean ± sd over repeats; the table is every repeat's predictions together)\n",
		       cv.folds, cv.repeats, d.n, cv.accuracy, cv.accuracy_sd, cv.macro_f1,
		       cv.macro_f1_sd);
		print_figures(&cv.pooled);
	}
	focus_data_release(&d);
	return rc;
}

int cmd_focus(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct focus_args *);
	} subs[] = {
		{"classify", focus_classify_cmd}, {"eval", focus_eval_cmd},
		{"train", focus_train_cmd}, {"cv", focus_cv_cmd},
	};
	struct focus_args a;
	size_t i;
	int rc;

	if (argc < 2) {
		focus_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		focus_usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		rc = parse_args(argc - 1, argv + 1, &a);
		if (rc)
			return rc < 0 ? 0 : rc;
		return subs[i].fn(&a);
	}
	fprintf(stderr, "disputed: unknown focus command '%s'\n\n", argv[1]);
	focus_usage(stderr);
	return 2;
}
