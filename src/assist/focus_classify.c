/* focus_classify.c - classifying a complaint with a loaded focus model: features, scores, and the phrases that weighed most. */
#include "assist/focus_int.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const focus_class_names[FOCUS__COUNT + 1] = {
	"not_received", "not_as_described", "quality", "counterfeit", "false_advertising",
	"price", "after_sales", "safety", "no_claim", NULL,
};

int focus_class_parse(const char *s, size_t len)
{
	int k;

	for (k = 0; k < FOCUS__COUNT; k++)
		if (strlen(focus_class_names[k]) == len && memcmp(focus_class_names[k], s, len) == 0)
			return k;
	return -1;
}

/* Compare an n-gram of `glen` bytes with a NUL-terminated name, as strcmp would. */
static int gram_cmp(const char *gram, size_t glen, const char *name)
{
	int c = strncmp(gram, name, glen);

	if (c)
		return c;
	return name[glen] ? -1 : 0;
}

long focus_feature_find(const struct focus_model *m, const char *gram, size_t glen)
{
	size_t lo = 0, hi = m->nfeat, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = gram_cmp(gram, glen, m->names[mid]);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The feature indexes of a text's n-grams, one per occurrence, as focus_ngrams finds them. */
struct hits {
	const struct focus_model *m; /* whose features */
	long *idx;                   /* n indexes found */
	size_t n, alloc;             /* used, allocated */
	int nomem;                   /* an append failed */
};

static void hit_add(const char *gram, size_t glen, void *arg)
{
	struct hits *h = arg;
	long i = focus_feature_find(h->m, gram, glen);
	long *grown;

	if (i < 0 || h->nomem)
		return;
	if (h->n == h->alloc) {
		h->alloc = h->alloc ? h->alloc * 2 : 64;
		grown = g_try_renew(long, h->idx, h->alloc);
		if (!grown) {
			h->nomem = 1;
			return;
		}
		h->idx = grown;
	}
	h->idx[h->n++] = i;
}

static int long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Value the counted features of `x` as the model's weighting says. */
static void weigh(const struct focus_model *m, struct feature_node *x, size_t nx)
{
	double norm = 0;
	size_t i;

	if (m->opts.weighting == FOCUS_WEIGHT_BINARY) {
		for (i = 0; i < nx; i++)
			x[i].value = 1.0;
		return;
	}
	for (i = 0; i < nx; i++) {
		x[i].value = (1.0 + log(x[i].value)) * m->idf[x[i].index - 1];
		norm += x[i].value * x[i].value;
	}
	norm = sqrt(norm);
	for (i = 0; norm > 0 && i < nx; i++)
		x[i].value /= norm;
}

/* Append to `v` (n nodes) a node per keyword list with words in `s`; returns the new count. */
static size_t add_groups(const struct focus_model *m, const char *s, struct feature_node *v,
			 size_t n)
{
	size_t i, hits;
	int g;

	for (g = 0; g < m->ngroups; g++) {
		hits = 0;
		for (i = 0; i < m->groups[g].nwords; i++)
			hits += strstr(s, m->groups[g].words[i]) != NULL;
		if (!hits)
			continue;
		v[n].index = (int)m->nfeat + g + 1;
		v[n++].value = (double)hits;
	}
	v[n].index = -1;
	return n;
}

int focus_vector(const struct focus_model *m, const char *s, size_t len, struct feature_node **x,
		 size_t *nx)
{
	struct hits h = {m, NULL, 0, 0, 0};
	struct feature_node *v;
	size_t i, n = 0;

	*x = NULL;
	*nx = 0;
	if (focus_ngrams(s, len, m->opts.nmin, m->opts.nmax, m->opts.split, hit_add, &h) ||
	    h.nomem) {
		g_free(h.idx);
		return RC_NOMEM;
	}
	if (h.n)
		qsort(h.idx, h.n, sizeof(*h.idx), long_cmp);
	v = g_try_new(struct feature_node, h.n + (size_t)m->ngroups + 2);
	if (!v) {
		g_free(h.idx);
		return RC_NOMEM;
	}
	for (i = 0; i < h.n; i++) {
		if (n && v[n - 1].index == (int)h.idx[i] + 1) {
			v[n - 1].value += 1;
			continue;
		}
		v[n].index = (int)h.idx[i] + 1;
		v[n++].value = 1;
	}
	g_free(h.idx);
	weigh(m, v, n);
	*x = v;
	*nx = add_groups(m, s, v, n);
	return RC_OK;
}

void focus_decisions(const struct focus_model *m, const struct feature_node *x, size_t nx,
		     double dec[FOCUS__COUNT])
{
	const double *w;
	size_t i;
	int k;

	for (k = 0; k < m->nclass; k++)
		dec[k] = m->bias[k];
	for (i = 0; i < nx; i++) {
		w = m->w + (size_t)(x[i].index - 1) * (size_t)m->nclass;
		for (k = 0; k < m->nclass; k++)
			dec[k] += x[i].value * w[k];
	}
}

/* A feature's part in the winning class's decision value. */
struct part {
	const char *name; /* the n-gram */
	double weight;    /* value × weight */
};

static int part_cmp(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Whether `gram` is part of a phrase already chosen. */
static int inside_chosen(const struct focus_result *r, const char *gram)
{
	int i;

	for (i = 0; i < r->nphrases; i++)
		if (strstr(r->phrases[i], gram))
			return 1;
	return 0;
}

/*
 * Add to `parts` (n of them) the words of keyword list `g` found in `s`,
 * each weighing the list's weight `c`; returns the new count.
 */
static size_t group_parts(const struct focus_group *g, const char *s, double c,
			  struct part *parts, size_t n)
{
	size_t i;

	for (i = 0; i < g->nwords; i++)
		if (strstr(s, g->words[i]))
			parts[n++] = (struct part){g->words[i], c};
	return n;
}

/*
 * Fill r->phrases: the n-grams and keywords of normalised text `s` (vector
 * `x`) that raised model class `k` most, none inside another chosen before it.
 */
static int pick_phrases(const struct focus_model *m, const char *s, const struct feature_node *x,
			size_t nx, int k, struct focus_result *r)
{
	struct part *parts = g_try_new(struct part, nx + (size_t)m->ngroups * FOCUS_MAX_KEYWORDS + 1);
	size_t i, f, n = 0;
	double c;

	if (!parts)
		return RC_NOMEM;
	for (i = 0; i < nx; i++) {
		f = (size_t)x[i].index - 1;
		c = m->w[f * (size_t)m->nclass + (size_t)k];
		if (c <= 0)
			continue;
		if (f < m->nfeat)
			parts[n++] = (struct part){m->names[f], x[i].value * c};
		else
			n = group_parts(&m->groups[f - m->nfeat], s, c, parts, n);
	}
	qsort(parts, n, sizeof(*parts), part_cmp);
	r->nphrases = 0;
	for (i = 0; i < n && r->nphrases < FOCUS_MAX_PHRASES; i++) {
		if (inside_chosen(r, parts[i].name))
			continue;
		g_strlcpy(r->phrases[r->nphrases++], parts[i].name, FOCUS_PHRASE_MAX);
	}
	g_free(parts);
	return RC_OK;
}

/* Scores from decision values: each class's logistic, scaled to sum to 1 (LIBLINEAR's way). */
static int score(const struct focus_model *m, const double dec[FOCUS__COUNT],
		 struct focus_result *r)
{
	double p[FOCUS__COUNT], sum = 0;
	int k, best = 0;

	for (k = 0; k < m->nclass; k++) {
		p[k] = 1.0 / (1.0 + exp(-dec[k]));
		sum += p[k];
		if (dec[k] > dec[best])
			best = k;
	}
	memset(r->scores, 0, sizeof(r->scores));
	for (k = 0; k < m->nclass; k++)
		r->scores[m->classes[k]] = sum > 0 ? p[k] / sum : 1.0 / m->nclass;
	r->primary = m->classes[best];
	return best;
}

int focus_classify(const struct focus_model *m, const char *text, size_t len,
		   struct focus_result *r, struct err *e)
{
	struct feature_node *x = NULL;
	double dec[FOCUS__COUNT];
	size_t nlen, nx;
	char *norm;
	int rc;

	if (len > FOCUS_MAX_TEXT)
		return err_set(e, RC_TOOBIG, "too_long", "text",
			       "the text is longer than %d bytes", FOCUS_MAX_TEXT);
	if (!g_utf8_validate(text, (gssize)len, NULL))
		return err_set(e, RC_INVAL, "invalid_utf8", "text", "the text is not valid UTF-8");
	norm = focus_normalize(text, len, &nlen);
	if (!norm)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = focus_vector(m, norm, nlen, &x, &nx);
	if (!rc) {
		focus_decisions(m, x, nx, dec);
		rc = pick_phrases(m, norm, x, nx, score(m, dec, r), r);
	}
	g_free(x);
	g_free(norm);
	if (rc)
		return err_set(e, rc, NULL, NULL, "out of memory");
	return RC_OK;
}

json_t *focus_result_json(const struct focus_result *r)
{
	json_t *o = json_object(), *scores = json_object(), *phrases = json_array();
	int k, bad = !o || !scores || !phrases;

	for (k = 0; !bad && k < FOCUS__COUNT; k++)
		bad = json_object_set_new(scores, focus_class_names[k], json_real(r->scores[k]));
	for (k = 0; !bad && k < r->nphrases; k++)
		bad = json_array_append_new(phrases, json_string(r->phrases[k]));
	if (!bad)
		bad = json_object_set_new(o, "primary", json_string(focus_class_names[r->primary]));
	if (!bad) {
		bad = json_object_set_new(o, "scores", scores) |
		      json_object_set_new(o, "phrases", phrases);
		scores = phrases = NULL;
	}
	json_decref(scores);
	json_decref(phrases);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
