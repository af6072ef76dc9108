/* focus_int.h - what the focus classifier's files share: the model in memory, text normalisation, n-grams, feature vectors. */
#ifndef DISPUTED_FOCUS_INT_H
#define DISPUTED_FOCUS_INT_H

#include <linear.h>
#include <stddef.h>
#include <stdint.h>

#include "assist/focus.h"
#include "assist/focus_train.h"
#include "core/err.h"

/* The model file's first line. */
#define FOCUS_MODEL_MAGIC "disputed-focus-model 1"
/* Largest model file read, in bytes. */
#define FOCUS_MAX_MODEL_BYTES ((size_t)256 << 20)

/* Most words of one keyword list. */
#define FOCUS_MAX_KEYWORDS 64

/*
 * A keyword list, one feature: its value is how many of the words the
 * normalised text holds.
 */
struct focus_group {
	int cls;            /* enum focus_class whose list it is */
	size_t nwords;      /* words in the list */
	const char **words; /* normalised, without white space; the array is the
			       model's, the strings its `strings` or static */
};

/*
 * A model. Feature i < nfeat is the n-gram names[i]; names are unique and
 * sorted by strcmp (so lookups are a binary search), contain no white
 * space, and point into `strings`. Feature nfeat + g is keyword list
 * groups[g]. Feature i's weight for the model's class k is
 * w[i * nclass + k]. Nothing here changes after focus_train or focus_load.
 */
struct focus_model {
	int nclass;                 /* classes scored, 2..FOCUS__COUNT */
	int classes[FOCUS__COUNT];  /* their enum focus_class, ascending */
	struct focus_options opts;  /* how it was trained; n-grams, split and weighting
				       also say how a text becomes features */
	int64_t rows;               /* training rows it saw */
	size_t nfeat;               /* n-gram features */
	char **names;               /* nfeat n-grams */
	double *idf;                /* nfeat inverse document frequencies */
	int ngroups;                /* keyword-list features, 0..FOCUS__COUNT */
	struct focus_group groups[FOCUS__COUNT]; /* ngroups lists, ascending by class */
	double *w;                  /* (nfeat + ngroups) × nclass weights */
	double bias[FOCUS__COUNT];  /* per model class */
	char *strings;              /* owns the names */
};

/* Allocate an empty model for `nfeat` n-grams and `ngroups` lists; NULL on allocation failure. */
struct focus_model *focus_model_alloc(size_t nfeat, int ngroups, int nclass);

/*
 * The baseline's keyword list of class `cls` (focus_baseline.c), normalised
 * and NULL-terminated; NULL for no_claim, which has none.
 */
const char *const *focus_keywords(int cls);

/*
 * Normalise `len` bytes of valid UTF-8: full-width forms become ASCII
 * (U+FF01..U+FF5E, U+3000), letters lowercase, every run of digits one
 * '0', white space and control characters one space, none at either end.
 * Returns a new NUL-terminated string (g_free) and its length in *outlen,
 * or NULL if `text` is not valid UTF-8 (or on allocation failure).
 */
char *focus_normalize(const char *text, size_t len, size_t *outlen);

/*
 * Call `fn` for each n-gram of normalised text `s` (nmin..nmax characters,
 * never across the breaks `split` names), in order of position then length.
 * `fn` gets a pointer into `s` and the n-gram's byte length. Returns 0, or
 * -1 on allocation failure.
 */
int focus_ngrams(const char *s, size_t len, int nmin, int nmax, int split,
		 void (*fn)(const char *gram, size_t glen, void *arg), void *arg);

/* The index of the n-gram (`gram`, `glen` bytes) in the model, or -1. */
long focus_feature_find(const struct focus_model *m, const char *gram, size_t glen);

/*
 * The feature vector of normalised text `s` under model `m`: its known
 * n-grams valued as m's weighting says, then its keyword lists with hits,
 * valued by their count; ascending by index (LIBLINEAR's 1-based index =
 * feature + 1). There is room after them for two more nodes (a bias and the
 * terminator, index -1, which is set). *x is g_malloc'ed; *nx counts the
 * features. Returns RC_OK or RC_NOMEM.
 */
int focus_vector(const struct focus_model *m, const char *s, size_t len, struct feature_node **x,
		 size_t *nx) WARN_UNUSED;

/* Decision values of `x` (nx features) for each model class: bias + Σ value × weight. */
void focus_decisions(const struct focus_model *m, const struct feature_node *x, size_t nx,
		     double dec[FOCUS__COUNT]);

#endif
