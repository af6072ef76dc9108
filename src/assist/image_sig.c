/* image_sig.c - one photo's signature: white balance, CIELAB, foreground, palette, colour histogram, aligned grid, HOG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "assist/image_int.h"

#define WB_SHARE   0.005 /* the brightest 0.5% of each channel set its white point */
#define WB_MAXGAIN 1.5  /* never brighten a channel more than this */
#define BG_L       93.0 /* background: lighter than this ... */
#define BG_C       6.0  /* ... and greyer than this (CIELAB chroma) */
#define KMEANS_IT  10
/*
 * Lightness is pulled towards 50 by this factor once the background is
 * found, so every colour distance after it weighs a lightness difference
 * half: exposure and tone edits move lightness most, and the textile
 * trade's CIEDE2000 (kL = 2) does the same.
 */
#define LIGHTNESS_WEIGHT 0.5

/*
 * Per-channel gains that map the brightest pixels (by R+G+B, the
 * brightest WB_SHARE of them, on average) to white: the "white patch"
 * assumption that a studio or paper background, or a highlight, is white.
 * Undoes a global exposure or colour cast; never darkens. Ranking pixels
 * by their sum, not each channel alone, keeps a saturated product (a pink
 * whose red is clipped) from passing for the white.
 */
static void white_gains(const unsigned char *rgb, size_t n, double gain[3])
{
	size_t hist[766] = {0}, acc = 0, count = 0;
	double sum[3] = {0, 0, 0};
	int cut;

	for (size_t i = 0; i < n; i++)
		hist[rgb[i * 3] + rgb[i * 3 + 1] + rgb[i * 3 + 2]]++;
	for (cut = 765; cut > 0; cut--) {
		acc += hist[cut];
		if ((double)acc > (double)n * WB_SHARE)
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (rgb[i * 3] + rgb[i * 3 + 1] + rgb[i * 3 + 2] >= cut) {
			for (int c = 0; c < 3; c++)
				sum[c] += rgb[i * 3 + c];
			count++;
		}
	for (int c = 0; c < 3; c++) {
		double white = count ? sum[c] / (double)count : 255.0;

		gain[c] = white > 1 ? 255.0 / white : WB_MAXGAIN;
		gain[c] = gain[c] < 1 ? 1 : gain[c] > WB_MAXGAIN ? WB_MAXGAIN : gain[c];
	}
}

/* White-balance the thumbnail and convert it to CIELAB; *lab is g_free'd by the caller. */
static int to_lab(const unsigned char *rgb, int w, int h, const char *name, float **lab,
		  struct err *e)
{
	size_t n = (size_t)w * h, size = 0;
	VipsImage *in = NULL, *out = NULL;
	double gain[3];
	float *lin;
	int rc = RC_OK;

	*lab = NULL;
	lin = malloc(n * 3 * sizeof(*lin));
	if (!lin)
		return err_set(e, RC_NOMEM, "nomem", NULL, "out of memory");
	white_gains(rgb, n, gain);
	for (size_t i = 0; i < n * 3; i++)
		lin[i] = (float)fmin(255.0, rgb[i] * gain[i % 3]);
	in = vips_image_new_from_memory(lin, n * 3 * sizeof(*lin), w, h, 3, VIPS_FORMAT_FLOAT);
	if (in)
		in->Type = VIPS_INTERPRETATION_sRGB;
	if (!in || vips_colourspace(in, &out, VIPS_INTERPRETATION_LAB, NULL) ||
	    !(*lab = vips_image_write_to_memory(out, &size)) || size != n * 3 * sizeof(float)) {
		g_free(*lab);
		*lab = NULL;
		vips_error_clear();
		rc = err_set(e, RC_INTERNAL, "image_internal", name, "cannot convert %s to CIELAB",
			     name);
	}
	if (out)
		g_object_unref(out);
	if (in)
		g_object_unref(in);
	free(lin);
	return rc;
}

static int is_background(const float *p)
{
	return p[0] > BG_L && hypot(p[1], p[2]) < BG_C;
}

int image_sig_bin(const float *p)
{
	int l = (int)(p[0] / SIG_BIN), a = (int)((p[1] + 128.0) / SIG_BIN);
	int b = (int)((p[2] + 128.0) / SIG_BIN);

	l = l < 0 ? 0 : l >= SIG_NL ? SIG_NL - 1 : l;
	a = a < 0 ? 0 : a >= SIG_NAB ? SIG_NAB - 1 : a;
	b = b < 0 ? 0 : b >= SIG_NAB ? SIG_NAB - 1 : b;
	return (l * SIG_NAB + a) * SIG_NAB + b;
}

/* The colour histogram of the foreground and its 3x3x3 neighbourhood sums. */
static void colour_histogram(const float *lab, const unsigned char *fg, size_t n,
			     struct image_sig *s)
{
	memset(s->hist, 0, sizeof(s->hist));
	for (size_t i = 0; i < n; i++)
		if (fg[i])
			s->hist[image_sig_bin(lab + i * 3)] += 1.0f / (float)s->nfg;
	for (int l = 0; l < SIG_NL; l++)
		for (int a = 0; a < SIG_NAB; a++)
			for (int b = 0; b < SIG_NAB; b++) {
				float sum = 0;

				for (int dl = l ? -1 : 0; dl <= 1 && l + dl < SIG_NL; dl++)
					for (int da = a ? -1 : 0; da <= 1 && a + da < SIG_NAB; da++)
						for (int db = b ? -1 : 0; db <= 1 && b + db < SIG_NAB; db++)
							sum += s->hist[((l + dl) * SIG_NAB + a + da) *
								       SIG_NAB + b + db];
				s->near[(l * SIG_NAB + a) * SIG_NAB + b] = sum;
			}
}

static int nearest(const float (*c)[3], const float *p)
{
	int best = 0;
	float bd = INFINITY;

	for (int k = 0; k < SIG_K; k++) {
		float d = 0;

		for (int j = 0; j < 3; j++)
			d += (p[j] - c[k][j]) * (p[j] - c[k][j]);
		if (d < bd) {
			bd = d;
			best = k;
		}
	}
	return best;
}

/*
 * k-means of the foreground's colours, seeded at the lightness quantiles
 * (so the seeds do not depend on where things are in the frame).
 */
static void palette(const float *lab, const unsigned char *fg, size_t n, struct image_sig *s)
{
	double sum[SIG_K][4];
	size_t lhist[101] = {0}, acc = 0;
	int k = 0;

	for (size_t i = 0; i < n; i++)
		if (fg[i])
			lhist[(int)fmin(100, fmax(0, lab[i * 3]))]++;
	for (int l = 0; l <= 100 && k < SIG_K; l++) {
		acc += lhist[l];
		while (k < SIG_K && acc * 2 * SIG_K > (size_t)(2 * k + 1) * (size_t)s->nfg) {
			s->pal[k][0] = (float)l;
			s->pal[k][1] = s->pal[k][2] = 0;
			k++;
		}
	}
	for (int it = 0; it < KMEANS_IT; it++) {
		memset(sum, 0, sizeof(sum));
		for (size_t i = 0; i < n; i++) {
			int c;

			if (!fg[i])
				continue;
			c = nearest((const float (*)[3])s->pal, lab + i * 3);
			for (int j = 0; j < 3; j++)
				sum[c][j] += lab[i * 3 + j];
			sum[c][3] += 1;
		}
		for (k = 0; k < SIG_K; k++) {
			for (int j = 0; j < 3 && sum[k][3] > 0; j++)
				s->pal[k][j] = (float)(sum[k][j] / sum[k][3]);
			s->palw[k] = (float)(sum[k][3] / s->nfg);
		}
	}
}

/* Sample the foreground's bounding box on a SIG_GRID square. */
static void aligned_grid(const float *lab, const unsigned char *fg, const int box[4],
			 struct image_sig *s)
{
	int bw = box[2] - box[0] + 1, bh = box[3] - box[1] + 1;

	for (int y = 0; y < SIG_GRID; y++)
		for (int x = 0; x < SIG_GRID; x++) {
			size_t i = (size_t)(box[1] + y * bh / SIG_GRID) * s->w + box[0] +
				   x * bw / SIG_GRID;

			memcpy(s->grid[y * SIG_GRID + x], lab + i * 3, sizeof(s->grid[0]));
			s->gridfg[y * SIG_GRID + x] = fg[i];
		}
}

/* Histograms of lightness-gradient orientation in SIG_CELLS^2 cells of the box, each L2-normalised. */
static void hog(const float *lab, const unsigned char *fg, const int box[4], struct image_sig *s)
{
	int w = s->w, bw = box[2] - box[0] + 1, bh = box[3] - box[1] + 1;

	memset(s->hog, 0, sizeof(s->hog));
	for (int y = box[1] > 0 ? box[1] : 1; y <= box[3] && y < s->h - 1; y++)
		for (int x = box[0] > 0 ? box[0] : 1; x <= box[2] && x < w - 1; x++) {
			size_t i = (size_t)y * w + x;
			double gx, gy, ang;
			int cx, cy, o;

			if (!fg[i])
				continue;
			gx = lab[(i + 1) * 3] - lab[(i - 1) * 3];
			gy = lab[(i + w) * 3] - lab[(i - w) * 3];
			ang = atan2(gy, gx);
			if (ang < 0)
				ang += M_PI;
			o = (int)(ang / M_PI * SIG_ORIENT) % SIG_ORIENT;
			cx = (x - box[0]) * SIG_CELLS / bw;
			cy = (y - box[1]) * SIG_CELLS / bh;
			s->hog[(cy * SIG_CELLS + cx) * SIG_ORIENT + o] += (float)hypot(gx, gy);
		}
	for (int c = 0; c < SIG_CELLS * SIG_CELLS; c++) {
		double t = 1e-3;

		for (int o = 0; o < SIG_ORIENT; o++)
			t += s->hog[c * SIG_ORIENT + o] * s->hog[c * SIG_ORIENT + o];
		for (int o = 0; o < SIG_ORIENT; o++)
			s->hog[c * SIG_ORIENT + o] /= (float)sqrt(t);
	}
}

int image_sig_build(const unsigned char *rgb, int w, int h, const char *name,
		    struct image_sig *s, struct err *e)
{
	size_t n = (size_t)w * h;
	unsigned char *fg = NULL;
	int box[4] = {w, h, -1, -1}; /* x0, y0, x1, y1 of the foreground */
	float *lab = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	s->w = w;
	s->h = h;
	if ((rc = to_lab(rgb, w, h, name, &lab, e)))
		return rc;
	fg = calloc(n, 1);
	if (!fg) {
		g_free(lab);
		return err_set(e, RC_NOMEM, "nomem", NULL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		int x = (int)(i % w), y = (int)(i / w);

		if (is_background(lab + i * 3))
			continue;
		fg[i] = 1;
		s->nfg++;
		box[0] = x < box[0] ? x : box[0];
		box[1] = y < box[1] ? y : box[1];
		box[2] = x > box[2] ? x : box[2];
		box[3] = y > box[3] ? y : box[3];
	}
	/* from here on lightness counts half (as kL = 2 in textile colour practice) */
	for (size_t i = 0; i < n; i++)
		lab[i * 3] = (float)(50.0 + (lab[i * 3] - 50.0) * LIGHTNESS_WEIGHT);
	if (s->nfg > 0) {
		colour_histogram(lab, fg, n, s);
		palette(lab, fg, n, s);
		aligned_grid(lab, fg, box, s);
		hog(lab, fg, box, s);
	}
	free(fg);
	g_free(lab);
	return RC_OK;
}
