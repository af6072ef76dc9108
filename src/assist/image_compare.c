/* image_compare.c - two signatures to a verdict: palette distance, novel colours, alignment, structure. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

#include "assist/image_int.h"

/*
 * The thresholds and the colour model's weights. How they were chosen,
 * and what they measure on the shared photo set, is in docs/assist.md
 * ("Photo comparison"); scripts/image-eval.py refits and re-measures them.
 */
#define MIN_FOREGROUND  0.02  /* less of a photo than this stands out: inconclusive */
#define PAL_MIN_WEIGHT  0.02  /* A's palette colours smaller than this are ignored */
#define NOVEL_MASS      0.01  /* a colour is A's if A has this share near it */
#define SIM_SCALE       12.0  /* similarity = exp(-palette distance / this) * (1 - novel) */
#define ALIGNED_MIN     0.90  /* lightness correlation from which B is A's photo, re-coloured */
#define CHANGE_DE       10.0  /* an aligned pixel's colour moved if CIEDE2000 passes this */
#define DOMINANT_FLOOR  0.02  /* added to both shares of the dominant colour */
/* colour model: log-odds = W0 + W_PAL*d + W_NOVEL*sqrt(n) + W_LOST*m + W_AL*sqrt(c) */
#define W0      (-4.228)
#define W_PAL   0.3464
#define W_NOVEL 7.379
#define W_LOST  1.226
#define W_AL    12.415
#define SCORE_SAME      (-1.0) /* below: same; from SCORE_FLAG: flagged; between: inconclusive */
#define SCORE_FLAG      0.0
#define DIFF_STRUCTURE  0.36   /* flagged, with structure and similarity below these: different */
#define DIFF_SIMILARITY 0.20

static double de00(const float *p, const float *q)
{
	return vips_col_dE00(p[0], p[1], p[2], q[0], q[1], q[2]);
}

/* Mass-weighted CIEDE2000 distance from B's palette colours to A's nearest one. */
static double palette_distance(const struct image_sig *a, const struct image_sig *b)
{
	double total = 0;

	for (int k = 0; k < SIG_K; k++) {
		double best = INFINITY;

		if (b->palw[k] <= 0)
			continue;
		for (int j = 0; j < SIG_K; j++)
			if (a->palw[j] >= PAL_MIN_WEIGHT)
				best = fmin(best, de00(b->pal[k], a->pal[j]));
		total += b->palw[k] * (isfinite(best) ? best : 100.0);
	}
	return total;
}

/* Share of B's foreground whose colour A lacks (less than NOVEL_MASS near it). */
static double novel(const struct image_sig *a, const struct image_sig *b)
{
	double n = 0;

	for (int i = 0; i < SIG_NBINS; i++)
		if (b->hist[i] > 0 && a->near[i] < NOVEL_MASS)
			n += b->hist[i];
	return fmin(1.0, n);
}

/*
 * Lightness correlation over grid points that are foreground in both, and
 * the share of grid points (foreground in either) whose colour moved.
 */
static void aligned(const struct image_sig *a, const struct image_sig *b, double *corr,
		    double *change)
{
	double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, va, vb;
	int both = 0, either = 0, moved = 0;

	for (int i = 0; i < SIG_GRID * SIG_GRID; i++) {
		double x = a->grid[i][0], y = b->grid[i][0];

		if (!a->gridfg[i] && !b->gridfg[i])
			continue;
		either++;
		moved += de00(a->grid[i], b->grid[i]) > CHANGE_DE;
		if (!a->gridfg[i] || !b->gridfg[i])
			continue;
		both++;
		sa += x;
		sb += y;
		saa += x * x;
		sbb += y * y;
		sab += x * y;
	}
	*change = either ? (double)moved / either : 0;
	*corr = 0;
	if (both < 100)
		return;
	va = saa / both - (sa / both) * (sa / both);
	vb = sbb / both - (sb / both) * (sb / both);
	if (va > 1e-6 && vb > 1e-6)
		*corr = (sab / both - sa / both * sb / both) / sqrt(va * vb);
}

/*
 * How much more of B than of A is in B's main (largest) palette colour, as
 * a log ratio: a black tee arriving for a red one is mostly black, while
 * the red listing photo is black only in its hair and shoes.
 */
static double dominant(const struct image_sig *a, const struct image_sig *b)
{
	int k = 0, bin;

	for (int j = 1; j < SIG_K; j++)
		if (b->palw[j] > b->palw[k])
			k = j;
	bin = image_sig_bin(b->pal[k]);
	return log((b->near[bin] + DOMINANT_FLOOR) / (a->near[bin] + DOMINANT_FLOOR));
}

static double structure(const struct image_sig *a, const struct image_sig *b)
{
	double ab = 0, aa = 1e-9, bb = 1e-9;

	for (int i = 0; i < SIG_CELLS * SIG_CELLS * SIG_ORIENT; i++) {
		ab += a->hog[i] * b->hog[i];
		aa += a->hog[i] * a->hog[i];
		bb += b->hog[i] * b->hog[i];
	}
	return fmax(0, ab / sqrt(aa * bb));
}

static void explain(struct image_verdict *v)
{
	const struct image_scores *s = &v->scores;
	char colours[128];

	snprintf(colours, sizeof(colours), "CIEDE2000 palette distance %.1f; %.0f%% of it in colours the listing lacks",
		 s->palette_distance, 100 * s->novel);
	switch (v->verdict) {
	case IMAGE_SAME:
		snprintf(v->explanation, sizeof(v->explanation), "The received item's colours match the listing's (%s).",
			 colours);
		break;
	case IMAGE_COLOUR_MISMATCH:
		if (s->aligned >= ALIGNED_MIN)
			snprintf(v->explanation, sizeof(v->explanation),
				 "The received item's photo is the listing's photo with %.0f%% of it in other colours (%s).",
				 100 * s->aligned_change, colours);
		else
			snprintf(v->explanation, sizeof(v->explanation),
				 "The received item's main colours differ from the listing's (%s) while its shape is alike (structure %.2f).",
				 colours, s->structure);
		break;
	case IMAGE_DIFFERENT:
		snprintf(v->explanation, sizeof(v->explanation),
			 "Neither the colours (%s) nor the shapes (structure %.2f) of the received item agree with the listing's.",
			 colours, s->structure);
		break;
	case IMAGE_INCONCLUSIVE:
		snprintf(v->explanation, sizeof(v->explanation),
			 "The colour evidence is borderline (%s); a person should look.", colours);
		break;
	}
}

void image_sig_compare(const struct image_sig *a, const struct image_sig *b,
		       struct image_verdict *v)
{
	struct image_scores *s = &v->scores;
	double al;

	memset(v, 0, sizeof(*v));
	s->foreground_a = (double)a->nfg / ((double)a->w * a->h);
	s->foreground_b = (double)b->nfg / ((double)b->w * b->h);
	if (s->foreground_a < MIN_FOREGROUND || s->foreground_b < MIN_FOREGROUND) {
		v->verdict = IMAGE_INCONCLUSIVE;
		snprintf(v->explanation, sizeof(v->explanation),
			 "Too little of %s stands out from its background to compare (%.1f%% of the photo).",
			 s->foreground_a < MIN_FOREGROUND ? "the listing photo" : "the received item's photo",
			 100 * fmin(s->foreground_a, s->foreground_b));
		return;
	}
	s->palette_distance = palette_distance(a, b);
	s->novel = novel(a, b);
	aligned(a, b, &s->aligned, &s->aligned_change);
	s->dominant = dominant(a, b);
	s->dominant_lost = dominant(b, a);
	s->structure = structure(a, b);
	al = s->aligned >= ALIGNED_MIN ? sqrt(s->aligned_change) : 0;
	s->colour_score = W0 + W_PAL * s->palette_distance + W_NOVEL * sqrt(s->novel) +
			  W_LOST * s->dominant_lost + W_AL * al;
	v->similarity = exp(-s->palette_distance / SIM_SCALE) * (1 - s->novel);
	v->colour_difference = s->palette_distance;
	if (s->colour_score < SCORE_SAME)
		v->verdict = IMAGE_SAME;
	else if (s->colour_score < SCORE_FLAG)
		v->verdict = IMAGE_INCONCLUSIVE;
	else if (s->structure < DIFF_STRUCTURE && v->similarity < DIFF_SIMILARITY)
		v->verdict = IMAGE_DIFFERENT;
	else
		v->verdict = IMAGE_COLOUR_MISMATCH;
	explain(v);
}
