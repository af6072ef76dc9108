/* image.h - compare a listing photo with a consumer's photo of what arrived: same, colour mismatch or different. */
#ifndef DISPUTED_IMAGE_H
#define DISPUTED_IMAGE_H

#include <stddef.h>

#include "core/err.h"

/*
 * What the comparison suggests; a person confirms it. The verdict reads B
 * (what arrived) against A (the listing):
 *   IMAGE_SAME            B's colours are A's: nothing to flag
 *   IMAGE_COLOUR_MISMATCH B's main colours are not A's, while the two look
 *                         alike in shape
 *   IMAGE_DIFFERENT       neither colours nor shape agree
 *   IMAGE_INCONCLUSIVE    too small, too little product on the photo, or the
 *                         scores fall in the band where no call is safe
 */
enum image_verdict_kind {
	IMAGE_SAME = 0,
	IMAGE_COLOUR_MISMATCH,
	IMAGE_DIFFERENT,
	IMAGE_INCONCLUSIVE,
};

/* The measurements behind a verdict, for evaluation and debugging. */
struct image_scores {
	double palette_distance; /* CIEDE2000, mass-weighted, B's palette to A's nearest colours */
	double novel;            /* share of B's foreground in colours A lacks, 0..1 */
	double dominant;         /* log share of B's main colour in B against in A */
	double dominant_lost;    /* log share of A's main colour in A against in B */
	double aligned;          /* Pearson correlation of lightness, foreground boxes aligned */
	double aligned_change;   /* share of aligned pixels whose colour moved (if aligned) */
	double structure;        /* gradient-orientation (HOG) cosine over the foreground, 0..1 */
	double colour_score;     /* the colour model's log-odds of a colour mismatch */
	double foreground_a;     /* share of A that is not background, 0..1 */
	double foreground_b;     /* same for B */
};

struct image_verdict {
	enum image_verdict_kind verdict;
	double similarity;        /* 0..1: how much of B's appearance A has (see docs/assist.md) */
	double colour_difference; /* CIEDE2000 distance of B's palette from A's (palette_distance) */
	char explanation[256];    /* one English sentence naming what drove the verdict */
	struct image_scores scores;
};

/* Limits on the input, checked before anything is decoded. */
#define IMAGE_MAX_BYTES  (32u << 20) /* a file or blob larger than this is refused */
#define IMAGE_MAX_SIDE   20000       /* pixels on either side, from the header */
#define IMAGE_MAX_PIXELS 100000000.0 /* width times height, from the header */
#define IMAGE_MIN_SIDE   32          /* smaller images are inconclusive */

/*
 * Initialise libvips once for the process, safely from any thread: caches
 * off, one vips worker per pipeline, and every loader blocked but JPEG, PNG
 * and WebP from memory (libvips's untrusted-operation block on as well).
 * The compare functions call it themselves. Returns RC_OK or RC_INTERNAL.
 */
int image_init(struct err *e) WARN_UNUSED;

/*
 * Compare the photo in file `a` (the listing) with the one in `b` (what
 * arrived) and fill *out. Each file must be a regular file of 1 byte to
 * IMAGE_MAX_BYTES holding a JPEG, PNG or WebP image whose type agrees with
 * its name's extension (.jpg/.jpeg, .png, .webp; other names are not
 * checked), and whose header declares at most IMAGE_MAX_SIDE pixels a side
 * and IMAGE_MAX_PIXELS in all. Returns RC_OK; RC_IO if a file cannot be
 * read (or is a directory); RC_TOOBIG past a limit; RC_UNSUPPORTED if it is
 * not such an image or lies about its type; RC_INVAL if it cannot be
 * decoded (truncated, corrupt). The message in `e` names the file.
 * Thread-safe; *out is only meaningful on RC_OK.
 */
int image_compare_files(const char *a, const char *b, struct image_verdict *out,
			struct err *e) WARN_UNUSED;

/*
 * The same for photos in memory (e.g. blobs in the store); the caller keeps
 * the bytes, which are only read. `name_a` and `name_b` label errors and
 * may be NULL. No extension check: the bytes alone decide the type.
 */
int image_compare_buffers(const void *a, size_t a_len, const void *b, size_t b_len,
			  const char *name_a, const char *name_b, struct image_verdict *out,
			  struct err *e) WARN_UNUSED;

/* "same", "colour_mismatch", "different" or "inconclusive". Never NULL. */
const char *image_verdict_name(enum image_verdict_kind v);

#endif
