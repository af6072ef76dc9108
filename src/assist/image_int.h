/* image_int.h - what the files of the image comparison share: one photo's signature and its steps. */
#ifndef DISPUTED_IMAGE_INT_H
#define DISPUTED_IMAGE_INT_H

#include <stddef.h>

#include "assist/image.h"

#define SIG_SIDE    160 /* photos are shrunk to fit this box (shrink-on-load) */
#define SIG_K       8   /* palette colours (k-means in CIELAB) */
#define SIG_GRID    64  /* aligned grid over the foreground box, per side */
#define SIG_CELLS   8   /* HOG cells per side of the foreground box */
#define SIG_ORIENT  9   /* HOG orientation bins (unsigned, 0..180 degrees) */
#define SIG_BIN     9.0 /* CIELAB bin width of the colour histogram */
#define SIG_NL      13  /* lightness bins: 0..100 / SIG_BIN, plus spare */
#define SIG_NAB     30  /* a* and b* bins: -128..128 / SIG_BIN, plus spare */
#define SIG_NBINS   (SIG_NL * SIG_NAB * SIG_NAB)

/*
 * One photo reduced to what the comparison needs. Built by image_sig_build
 * from a small sRGB thumbnail; holds no pointers, so it can be copied.
 */
struct image_sig {
	int w, h;                                  /* thumbnail size, pixels */
	int nfg;                                   /* foreground pixels */
	float pal[SIG_K][3];                       /* palette colours, CIELAB */
	float palw[SIG_K];                         /* share of the foreground of each */
	float hist[SIG_NBINS];                     /* foreground colour histogram, sums to 1 */
	float near[SIG_NBINS];                     /* hist summed over each bin's 27 neighbours */
	float grid[SIG_GRID * SIG_GRID][3];        /* CIELAB on the foreground box's grid */
	unsigned char gridfg[SIG_GRID * SIG_GRID]; /* 1 where the grid point is foreground */
	float hog[SIG_CELLS * SIG_CELLS * SIG_ORIENT]; /* cell-normalised orientation histograms */
};

/*
 * Decode the image in `data` (len bytes, which the caller keeps) into an
 * sRGB thumbnail of at most SIG_SIDE pixels a side, checking type and
 * declared size first. `name` labels errors; `ext_check` makes a name's
 * image extension that disagrees with the bytes an error. On RC_OK, *rgb
 * (3 bytes a pixel, freed with g_free) and *w, *h are set.
 */
int image_load_thumbnail(const void *data, size_t len, const char *name, int ext_check,
			 unsigned char **rgb, int *w, int *h, struct err *e) WARN_UNUSED;

/*
 * Build the signature of an sRGB thumbnail (w*h pixels, 3 bytes each):
 * white balance from the brightest pixels, CIELAB, the foreground mask and
 * everything above. `name` labels errors. Returns RC_OK, RC_NOMEM or
 * RC_INTERNAL (a libvips failure).
 */
int image_sig_build(const unsigned char *rgb, int w, int h, const char *name,
		    struct image_sig *sig, struct err *e) WARN_UNUSED;

/* The colour histogram bin of a CIELAB colour. */
int image_sig_bin(const float *lab);

/* Compare two signatures; fills every field of *out. Never fails. */
void image_sig_compare(const struct image_sig *a, const struct image_sig *b,
		       struct image_verdict *out);

#endif
