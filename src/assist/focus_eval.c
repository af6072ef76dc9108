/* focus_eval.c - measuring the focus classifier: the counting rule, accuracy and macro-F1, stratified k-fold cross-validation. */
#include "assist/focus_int.h"

#include <glib.h>
#include <math.h>
#include <string.h>

void focus_eval_init(struct focus_eval *ev)
{
	memset(ev, 0, sizeof(*ev));
}

void focus_eval_add(struct focus_eval *ev, int primary, int secondary, int predicted)
{
	int right = predicted == primary || (secondary >= 0 && predicted == secondary);

	ev->confusion[primary][right ? primary : predicted]++;
	ev->n++;
	ev->right += right;
}

void focus_eval_scores(const struct focus_eval *ev, struct focus_scores *s)
{
	int64_t col;
	double sum = 0;
	int k, j;

	memset(s, 0, sizeof(*s));
	s->accuracy = ev->n ? (double)ev->right / (double)ev->n : 0;
	for (k = 0; k < FOCUS__COUNT; k++) {
		col = 0;
		for (j = 0; j < FOCUS__COUNT; j++) {
			s->support[k] += ev->confusion[k][j];
			col += ev->confusion[j][k];
		}
		s->present[k] = s->support[k] > 0;
		s->precision[k] = col ? (double)ev->confusion[k][k] / (double)col : 0;
		s->recall[k] = s->support[k] ? (double)ev->confusion[k][k] / (double)s->support[k] : 0;
		if (s->precision[k] + s->recall[k] > 0)
			s->f1[k] = 2 * s->precision[k] * s->recall[k] /
				   (s->precision[k] + s->recall[k]);
		if (s->present[k]) {
			s->npresent++;
			sum += s->f1[k];
		}
	}
	s->macro_f1 = s->npresent ? sum / s->npresent : 0;
}

/* ---- cross-validation ---- */

/*
 * Assign each row of `d` a fold in 0..folds-1: shuffle the rows with a
 * generator seeded by `seed` (GLib's Mersenne Twister: the same on every
 * machine), then deal each class's rows in turn round the folds, so every
 * fold holds about its share of each class.
 */
static void deal_folds(const struct focus_data *d, int folds, guint32 seed, int *fold)
{
	GRand *g = g_rand_new_with_seed(seed);
	size_t *perm = g_new(size_t, d->n + 1), i, j, t, dealt = 0;
	int k;

	for (i = 0; i < d->n; i++)
		perm[i] = i;
	for (i = d->n; i > 1; i--) {
		j = (size_t)g_rand_int_range(g, 0, (gint32)i);
		t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (k = 0; k < FOCUS__COUNT; k++)
		for (i = 0; i < d->n; i++)
			if (d->rows[perm[i]].primary == k)
				fold[perm[i]] = (int)(dealt++ % (size_t)folds);
	g_free(perm);
	g_rand_free(g);
}

/* Train on every fold but `f` and count the predictions for fold `f` into `ev`. */
static int run_fold(const struct focus_data *d, const int *fold, int f,
		    const struct focus_options *o, struct focus_eval *ev, struct err *e)
{
	struct focus_data train = {g_new(struct focus_row, d->n + 1), 0, d->n};
	struct focus_model *m = NULL;
	struct focus_result r;
	size_t i;
	int rc;

	for (i = 0; i < d->n; i++)
		if (fold[i] != f)
			train.rows[train.n++] = d->rows[i];
	rc = focus_train(&train, o, &m, e);
	for (i = 0; !rc && i < d->n; i++) {
		if (fold[i] != f)
			continue;
		rc = focus_classify(m, d->rows[i].text, strlen(d->rows[i].text), &r, e);
		if (!rc)
			focus_eval_add(ev, d->rows[i].primary, d->rows[i].secondary, r.primary);
	}
	focus_free(m);
	g_free(train.rows); /* the rows themselves are d's */
	return rc;
}

/* Mean and sample standard deviation of n values. */
static void mean_sd(const double *v, int n, double *mean, double *sd)
{
	double sum = 0, sq = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	*mean = sum / n;
	for (i = 0; i < n; i++)
		sq += (v[i] - *mean) * (v[i] - *mean);
	*sd = n > 1 ? sqrt(sq / (n - 1)) : 0;
}

int focus_cv_run(const struct focus_data *d, const struct focus_options *o, int folds,
		 int repeats, struct focus_cv *out, struct err *e)
{
	double acc[100], f1[100];
	struct focus_scores s;
	struct focus_eval ev;
	int *fold, r, f, k, j, rc = RC_OK;

	memset(out, 0, sizeof(*out));
	if (folds < 2 || (size_t)folds > d->n)
		return err_set(e, RC_INVAL, "invalid_option", "folds",
			       "folds must be from 2 to the number of rows (%zu)", d->n);
	if (repeats < 1 || repeats > 100)
		return err_set(e, RC_INVAL, "invalid_option", "repeats",
			       "repeats must be from 1 to 100");
	out->folds = folds;
	out->repeats = repeats;
	fold = g_new(int, d->n + 1);
	for (r = 0; r < repeats && !rc; r++) {
		deal_folds(d, folds, 20251001u + (guint32)r, fold);
		focus_eval_init(&ev);
		for (f = 0; f < folds && !rc; f++)
			rc = run_fold(d, fold, f, o, &ev, e);
		focus_eval_scores(&ev, &s);
		acc[r] = s.accuracy;
		f1[r] = s.macro_f1;
		for (k = 0; k < FOCUS__COUNT; k++)
			for (j = 0; j < FOCUS__COUNT; j++)
				out->pooled.confusion[k][j] += ev.confusion[k][j];
		out->pooled.n += ev.n;
		out->pooled.right += ev.right;
	}
	g_free(fold);
	if (rc)
		return rc;
	mean_sd(acc, repeats, &out->accuracy, &out->accuracy_sd);
	mean_sd(f1, repeats, &out->macro_f1, &out->macro_f1_sd);
	return RC_OK;
}
