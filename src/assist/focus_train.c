/* focus_train.c - training a focus model with LIBLINEAR: the n-gram vocabulary, the problem, the weights taken out. */
#include "assist/focus_int.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const focus_solver_names[FOCUS_SOLVER__COUNT + 1] = {"lr", "svm", "cs", "l1lr", NULL};
const char *const focus_weighting_names[FOCUS_WEIGHT__COUNT + 1] = {"binary", "tfidf", NULL};
const char *const focus_split_names[FOCUS_SPLIT__COUNT + 1] = {"space", "punct", NULL};

/* LIBLINEAR's solver and its default stopping tolerance, by enum focus_solver. */
static const struct {
	int type;
	double eps;
} solvers[FOCUS_SOLVER__COUNT] = {
	{L2R_LR, 0.01},
	{L2R_L2LOSS_SVC_DUAL, 0.1},
	{MCSVM_CS, 0.1},
	{L1R_LR, 0.01},
};

void focus_options_default(struct focus_options *o)
{
	memset(o, 0, sizeof(*o));
	o->solver = FOCUS_SOLVER_LR;
	o->c = 5;
	o->nmin = 1;
	o->nmax = 2;
	o->split = FOCUS_SPLIT_PUNCT;
	o->weighting = FOCUS_WEIGHT_TFIDF;
	o->balanced = 1;
	o->secondary = 1;
	o->keywords = 0; /* measured on 4,800 texts: 0.811 without, 0.803 with (docs/assist.md) */
	o->min_df = 2;
	o->max_features = 200000;
}

int focus_options_check(const struct focus_options *o, struct err *e)
{
	if (o->solver < 0 || o->solver >= FOCUS_SOLVER__COUNT)
		return err_set(e, RC_INVAL, "invalid_option", "solver", "unknown solver");
	if (!(o->c > 0 && o->c <= 1e6))
		return err_set(e, RC_INVAL, "invalid_option", "c", "c must be above 0, at most 1e6");
	if (o->nmin < 1 || o->nmin > o->nmax || o->nmax > FOCUS_MAX_N)
		return err_set(e, RC_INVAL, "invalid_option", "ngrams",
			       "n-gram lengths must be MIN-MAX with 1 <= MIN <= MAX <= %d",
			       FOCUS_MAX_N);
	if (o->split < 0 || o->split >= FOCUS_SPLIT__COUNT)
		return err_set(e, RC_INVAL, "invalid_option", "split", "unknown split");
	if (o->weighting < 0 || o->weighting >= FOCUS_WEIGHT__COUNT)
		return err_set(e, RC_INVAL, "invalid_option", "weighting", "unknown weighting");
	if (o->min_df < 1)
		return err_set(e, RC_INVAL, "invalid_option", "min_df", "min_df must be at least 1");
	if (o->max_features < 1 || o->max_features > FOCUS_MAX_FEATURES)
		return err_set(e, RC_INVAL, "invalid_option", "max_features",
			       "max_features must be from 1 to %d", FOCUS_MAX_FEATURES);
	return RC_OK;
}

/* ---- the vocabulary ---- */

/* An n-gram seen in training: in how many texts, and the last text it was counted for. */
struct seen {
	int df;     /* texts it occurs in */
	size_t doc; /* last text counted, + 1 */
};

/* The vocabulary being counted. */
struct vocab {
	GHashTable *table; /* n-gram (owned) → struct seen (owned) */
	size_t doc;        /* the text being read, + 1 */
};

static void count_gram(const char *gram, size_t glen, void *arg)
{
	struct vocab *v = arg;
	char key[FOCUS_PHRASE_MAX];
	struct seen *s;

	memcpy(key, gram, glen);
	key[glen] = '\0';
	s = g_hash_table_lookup(v->table, key);
	if (!s) {
		s = g_new0(struct seen, 1);
		g_hash_table_insert(v->table, g_strdup(key), s);
	}
	if (s->doc != v->doc) {
		s->doc = v->doc;
		s->df++;
	}
}

/* A kept n-gram, for sorting. */
struct kept {
	const char *name; /* borrowed from the vocabulary's table */
	int df;           /* its document frequency */
};

static int by_df(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	if (x->df != y->df)
		return x->df > y->df ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct kept *)a)->name, ((const struct kept *)b)->name);
}

/* How many classes have keyword lists. */
static int count_lists(void)
{
	int k, n = 0;

	for (k = 0; k < FOCUS__COUNT; k++)
		n += focus_keywords(k) != NULL;
	return n;
}

/* Give the model (with room for them) its own copy of the keyword lists, by class. */
static void copy_lists(struct focus_model *m)
{
	const char *const *words;
	struct focus_group *g = m->groups;
	int k;

	for (k = 0; k < FOCUS__COUNT && g < m->groups + m->ngroups; k++) {
		words = focus_keywords(k);
		if (!words)
			continue;
		g->cls = k;
		for (g->nwords = 0; words[g->nwords]; g->nwords++)
			;
		g->words = g_new(const char *, g->nwords + 1);
		memcpy(g->words, words, sizeof(*words) * (g->nwords + 1));
		g++;
	}
}

/* Count in how many of the n texts `norm` each n-gram is; NULL on allocation failure. */
static GHashTable *count_vocab(char **norm, size_t n, const struct focus_options *o)
{
	struct vocab v = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free), 0};
	size_t i;

	for (i = 0; i < n; i++) {
		v.doc = i + 1;
		if (focus_ngrams(norm[i], strlen(norm[i]), o->nmin, o->nmax, o->split, count_gram,
				 &v)) {
			g_hash_table_destroy(v.table);
			return NULL;
		}
	}
	return v.table;
}

/*
 * The n-grams of `table` in at least min_df texts, the max_features most
 * frequent of them (ties by name), sorted by name; *nkeep says how many.
 */
static struct kept *select_vocab(GHashTable *table, const struct focus_options *o,
				 size_t *nkeep)
{
	struct kept *keep = g_new(struct kept, g_hash_table_size(table) + 1);
	GHashTableIter it;
	gpointer key, val;
	size_t n = 0;

	g_hash_table_iter_init(&it, table);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (((struct seen *)val)->df >= o->min_df)
			keep[n++] = (struct kept){key, ((struct seen *)val)->df};
	if (n > (size_t)o->max_features) {
		qsort(keep, n, sizeof(*keep), by_df);
		n = (size_t)o->max_features;
	}
	qsort(keep, n, sizeof(*keep), by_name);
	*nkeep = n;
	return keep;
}

/*
 * A model holding the vocabulary of `norm` (n texts) under `o`: the n-grams
 * select_vocab keeps, with their smoothed idf ln((1 + n) / (1 + df)) + 1,
 * and the keyword lists if `o` asks for them. NULL on allocation failure.
 */
static struct focus_model *vocab_model(char **norm, size_t n, const struct focus_options *o,
				       int nclass)
{
	GHashTable *table = count_vocab(norm, n, o);
	struct focus_model *m = NULL;
	struct kept *keep;
	size_t i, nkeep, bytes = 0;
	char *p;

	if (!table)
		return NULL;
	keep = select_vocab(table, o, &nkeep);
	for (i = 0; i < nkeep; i++)
		bytes += strlen(keep[i].name) + 1;
	m = focus_model_alloc(nkeep, o->keywords ? count_lists() : 0, nclass);
	if (m)
		m->strings = g_try_malloc(bytes + 1);
	if (m && m->strings) {
		p = m->strings;
		for (i = 0; i < nkeep; i++) {
			m->names[i] = p;
			p = g_stpcpy(p, keep[i].name) + 1;
			m->idf[i] = log((1.0 + (double)n) / (1.0 + keep[i].df)) + 1.0;
		}
		m->opts = *o;
		copy_lists(m);
	} else {
		focus_free(m);
		m = NULL;
	}
	g_free(keep);
	g_hash_table_destroy(table);
	return m;
}

/* ---- the problem ---- */

/* What LIBLINEAR is given, and what it takes to free it. */
struct lproblem {
	struct problem prob;            /* rows, labels, vectors */
	int counts[FOCUS__COUNT];       /* rows per class */
	int labels[FOCUS__COUNT];       /* classes with rows (weight_label) */
	double weights[FOCUS__COUNT];   /* their weights when balanced */
	int nlabel;                     /* classes with rows */
};

static void lproblem_release(struct lproblem *lp)
{
	int i;

	for (i = 0; i < lp->prob.l; i++)
		if (i == 0 || lp->prob.x[i] != lp->prob.x[i - 1])
			g_free(lp->prob.x[i]);
	g_free(lp->prob.x);
	g_free(lp->prob.y);
}

/* Add a row of class `y` with vector `x` (which may be the previous row's). */
static void add_row(struct lproblem *lp, struct feature_node *x, int y)
{
	lp->prob.x[lp->prob.l] = x;
	lp->prob.y[lp->prob.l++] = y;
	lp->counts[y]++;
}

/* Build the problem from the rows' normalised texts `norm` over the features of `m`. */
static int build_problem(const struct focus_data *d, char **norm, const struct focus_model *m,
			 struct lproblem *lp)
{
	struct feature_node *x;
	size_t i, nx;
	int k;

	memset(lp, 0, sizeof(*lp));
	lp->prob.x = g_new(struct feature_node *, 2 * d->n);
	lp->prob.y = g_new(double, 2 * d->n);
	lp->prob.n = (int)m->nfeat + m->ngroups + 1;
	lp->prob.bias = 1;
	for (i = 0; i < d->n; i++) {
		if (focus_vector(m, norm[i], strlen(norm[i]), &x, &nx))
			return RC_NOMEM;
		x[nx].index = (int)m->nfeat + m->ngroups + 1;
		x[nx].value = 1;
		x[nx + 1].index = -1;
		add_row(lp, x, d->rows[i].primary);
		if (m->opts.secondary && d->rows[i].secondary >= 0)
			add_row(lp, x, d->rows[i].secondary);
	}
	for (k = 0; k < FOCUS__COUNT; k++) {
		if (!lp->counts[k])
			continue;
		lp->labels[lp->nlabel] = k;
		lp->weights[lp->nlabel++] = (double)lp->prob.l / lp->counts[k];
	}
	for (k = 0; k < lp->nlabel; k++)
		lp->weights[k] /= lp->nlabel;
	return RC_OK;
}

/* ---- training ---- */

static void quiet(const char *s)
{
	(void)s;
}

/* Copy LIBLINEAR's weights (n-grams, then lists, then bias) into `m`, whose classes are the problem's labels, ascending. */
static void take_weights(const struct model *lm, struct focus_model *m)
{
	int label[FOCUS__COUNT], j, k;
	size_t i;

	get_labels(lm, label);
	for (j = 0; j < lm->nr_class; j++) {
		for (k = 0; m->classes[k] != label[j]; k++)
			;
		for (i = 0; i < m->nfeat + (size_t)m->ngroups; i++)
			m->w[i * (size_t)m->nclass + (size_t)k] =
				get_decfun_coef(lm, (int)i + 1, j);
		m->bias[k] = get_decfun_bias(lm, j);
	}
}

/* Run LIBLINEAR on `lp` and keep its weights in `m`. */
static int run_liblinear(struct lproblem *lp, struct focus_model *m, struct err *e)
{
	struct parameter param;
	struct model *lm;
	const char *why;

	memset(&param, 0, sizeof(param));
	param.solver_type = solvers[m->opts.solver].type;
	param.eps = solvers[m->opts.solver].eps;
	param.C = m->opts.c;
	param.p = 0.1;
	if (m->opts.balanced) {
		param.nr_weight = lp->nlabel;
		param.weight_label = lp->labels;
		param.weight = lp->weights;
	}
	why = check_parameter(&lp->prob, &param);
	if (why)
		return err_set(e, RC_INVAL, "invalid_option", NULL, "liblinear: %s", why);
	set_print_string_function(quiet);
	srand(1);
	lm = train(&lp->prob, &param);
	if (!lm)
		return err_set(e, RC_NOMEM, NULL, NULL, "liblinear could not train");
	take_weights(lm, m);
	free_and_destroy_model(&lm);
	return RC_OK;
}

/* The normalised texts of `d`'s rows (g_strfreev), or NULL on allocation failure. */
static char **normalize_rows(const struct focus_data *d)
{
	char **norm = g_new0(char *, d->n + 1);
	size_t i, len;

	for (i = 0; i < d->n; i++) {
		norm[i] = focus_normalize(d->rows[i].text, strlen(d->rows[i].text), &len);
		if (!norm[i]) {
			g_strfreev(norm);
			return NULL;
		}
	}
	return norm;
}

/* The classes with rows in `d` (as primary, or as secondary when those train), ascending. */
static int classes_of(const struct focus_data *d, const struct focus_options *o,
		      int classes[FOCUS__COUNT])
{
	int has[FOCUS__COUNT] = {0}, k, n = 0;
	size_t i;

	for (i = 0; i < d->n; i++) {
		has[d->rows[i].primary] = 1;
		if (o->secondary && d->rows[i].secondary >= 0)
			has[d->rows[i].secondary] = 1;
	}
	for (k = 0; k < FOCUS__COUNT; k++)
		if (has[k])
			classes[n++] = k;
	return n;
}

int focus_train(const struct focus_data *d, const struct focus_options *o,
		struct focus_model **out, struct err *e)
{
	struct lproblem lp;
	struct focus_model *m = NULL;
	int classes[FOCUS__COUNT], nclass, rc;
	char **norm;

	*out = NULL;
	rc = focus_options_check(o, e);
	if (rc)
		return rc;
	nclass = classes_of(d, o, classes);
	if (nclass < 2)
		return err_set(e, RC_INVAL, "too_few_classes", NULL,
			       "training needs texts of at least two classes");
	norm = normalize_rows(d);
	if (!norm)
		return err_set(e, RC_INVAL, "invalid_data", NULL, "a text is not valid UTF-8");
	m = vocab_model(norm, d->n, o, nclass);
	if (!m) {
		g_strfreev(norm);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	memcpy(m->classes, classes, sizeof(classes));
	m->rows = (int64_t)d->n;
	rc = build_problem(d, norm, m, &lp);
	if (rc)
		err_set(e, rc, NULL, NULL, "out of memory");
	else
		rc = run_liblinear(&lp, m, e);
	lproblem_release(&lp);
	g_strfreev(norm);
	if (rc) {
		focus_free(m);
		return rc;
	}
	*out = m;
	return RC_OK;
}
