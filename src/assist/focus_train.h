/* focus_train.h - labelled complaint texts, training the focus classifier with LIBLINEAR, and measuring it (cross-validation, metrics, a keyword baseline). */
#ifndef DISPUTED_FOCUS_TRAIN_H
#define DISPUTED_FOCUS_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "assist/focus.h"
#include "core/err.h"

/* ---- labelled data ---- */

/* Most rows all the files of one data set may hold together. */
#define FOCUS_MAX_ROWS 1000000
/* Largest data file read, in bytes. */
#define FOCUS_MAX_DATA_BYTES ((size_t)256 << 20)

/* One labelled text. */
struct focus_row {
	char *id;      /* the file's id column (owned) */
	int primary;   /* enum focus_class */
	int secondary; /* enum focus_class, or -1 when the text has none */
	char *text;    /* the complaint, valid UTF-8 (owned) */
};

/* A growable list of rows; focus_data_release frees them. */
struct focus_data {
	struct focus_row *rows; /* n rows */
	size_t n;               /* rows in use */
	size_t alloc;           /* rows allocated */
};

void focus_data_init(struct focus_data *d);
void focus_data_release(struct focus_data *d);

/*
 * Append the rows of the TSV file at `path`: a header row
 * "id\tcat\tprimary\tsecondary\ttext", then one text per line, five
 * tab-separated columns, no quoting; blank lines are skipped. A missing
 * file is RC_IO; a wrong header, a row without five columns, an unknown
 * label, an empty, non-UTF-8 or too long text is RC_INVAL with a message
 * "PATH:LINE: …". On failure no row of the file is kept.
 */
int focus_data_read(struct focus_data *d, const char *path, struct err *e) WARN_UNUSED;

/* ---- training ---- */

/* LIBLINEAR's solvers the trainer offers. */
enum focus_solver {
	FOCUS_SOLVER_LR,   /* L2-regularised logistic regression (one vs rest) */
	FOCUS_SOLVER_SVM,  /* L2-regularised L2-loss linear SVM, dual (one vs rest) */
	FOCUS_SOLVER_CS,   /* Crammer-Singer multi-class SVM */
	FOCUS_SOLVER_L1LR, /* L1-regularised logistic regression (sparse) */
	FOCUS_SOLVER__COUNT
};

/* How an n-gram's presence becomes a feature value. */
enum focus_weighting {
	FOCUS_WEIGHT_BINARY, /* 1 if present */
	FOCUS_WEIGHT_TFIDF,  /* (1 + ln tf) × idf, the vector scaled to length 1 */
	FOCUS_WEIGHT__COUNT
};

/* Where n-grams stop. */
enum focus_split {
	FOCUS_SPLIT_SPACE, /* at white space only: punctuation is part of n-grams */
	FOCUS_SPLIT_PUNCT, /* at white space, punctuation and symbols */
	FOCUS_SPLIT__COUNT
};

/* Names of the three enums above, indexed by them, then NULL. */
extern const char *const focus_solver_names[FOCUS_SOLVER__COUNT + 1];
extern const char *const focus_weighting_names[FOCUS_WEIGHT__COUNT + 1];
extern const char *const focus_split_names[FOCUS_SPLIT__COUNT + 1];

/* Most features (distinct n-grams) a model may hold. */
#define FOCUS_MAX_FEATURES 1000000

/* How to train. focus_options_default gives the choice docs/assist.md explains. */
struct focus_options {
	int solver;       /* enum focus_solver */
	double c;         /* LIBLINEAR's cost C, > 0 */
	int nmin, nmax;   /* n-gram lengths in characters, 1 <= nmin <= nmax <= FOCUS_MAX_N */
	int split;        /* enum focus_split */
	int weighting;    /* enum focus_weighting */
	int balanced;     /* weigh each class's errors by n / (classes × its rows) */
	int secondary;    /* a text with a secondary label also trains that class */
	int keywords;     /* a feature per baseline keyword list: its words in the text */
	int min_df;       /* keep n-grams found in at least this many training texts */
	int max_features; /* keep at most this many n-grams (the most frequent), <= FOCUS_MAX_FEATURES */
};

void focus_options_default(struct focus_options *o);

/* Check `o`'s ranges: RC_INVAL with a message naming the option. */
int focus_options_check(const struct focus_options *o, struct err *e) WARN_UNUSED;

/*
 * Train a model on the rows of `d` with options `o`. Deterministic: the
 * same rows in the same order give a model that focus_save writes byte for
 * byte the same. Needs rows of at least two classes. Not thread-safe
 * (LIBLINEAR draws from rand(), which this seeds, and prints through a
 * process-wide function).
 */
int focus_train(const struct focus_data *d, const struct focus_options *o,
		struct focus_model **out, struct err *e) WARN_UNUSED;

/*
 * Write `m` to `path` in the model file format, replacing the file at once
 * (a reader sees the old file or the new one). Weights are written with
 * six significant digits. RC_IO on failure.
 */
int focus_save(const struct focus_model *m, const char *path, struct err *e) WARN_UNUSED;

/* ---- measuring ---- */

/*
 * A confusion matrix under the counting rule of the focus data: a
 * prediction is right when it is the text's primary or its secondary
 * label, and a right one is counted as the primary class (the diagonal).
 */
struct focus_eval {
	int64_t confusion[FOCUS__COUNT][FOCUS__COUNT]; /* [primary][counted prediction] */
	int64_t n;                                     /* texts counted */
	int64_t right;                                 /* of which right */
};

/* Figures of a focus_eval. */
struct focus_scores {
	double accuracy;                  /* right / n; 0 when n is 0 */
	double macro_f1;                  /* mean f1 over the classes present */
	int npresent;                     /* classes present: some text's primary */
	int present[FOCUS__COUNT];        /* 1 if present */
	int64_t support[FOCUS__COUNT];    /* texts with that primary */
	double precision[FOCUS__COUNT];   /* diagonal / column; 0 if nothing predicted */
	double recall[FOCUS__COUNT];      /* diagonal / row; 0 if absent */
	double f1[FOCUS__COUNT];          /* harmonic mean, 0 if both are 0 */
};

void focus_eval_init(struct focus_eval *ev);

/* Count one prediction; `secondary` is -1 when the text has none. */
void focus_eval_add(struct focus_eval *ev, int primary, int secondary, int predicted);

/* Compute accuracy, per-class precision, recall and F1, and macro-F1. */
void focus_eval_scores(const struct focus_eval *ev, struct focus_scores *s);

/* What focus_cv measured. */
struct focus_cv {
	int folds, repeats;      /* the k of k-fold, and how many shuffles */
	double accuracy;         /* mean over repeats */
	double accuracy_sd;      /* sample standard deviation over repeats (0 for one) */
	double macro_f1;         /* mean over repeats */
	double macro_f1_sd;      /* sample standard deviation over repeats */
	struct focus_eval pooled; /* every repeat's predictions counted together */
};

/*
 * Stratified k-fold cross-validation, repeated `repeats` times with
 * different (fixed, seeded) shuffles: each fold's model is trained only on
 * the other folds. Deterministic. 2 <= folds <= rows; 1 <= repeats <= 100.
 */
int focus_cv_run(const struct focus_data *d, const struct focus_options *o, int folds,
		 int repeats, struct focus_cv *out, struct err *e) WARN_UNUSED;

/*
 * The keyword baseline: the class whose list (focus_baseline.c, written from
 * the taxonomy's definitions) has the most keywords in the normalised text,
 * ties going to the more specific class; no_claim when none is found.
 * `text` is valid UTF-8. Returns an enum focus_class, or -1 on RC_NOMEM.
 */
int focus_baseline(const char *text, size_t len);

#endif
