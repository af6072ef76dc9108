/* fuzz_image.c - libFuzzer target: any bytes as the received photo are compared with a real one or refused, never a crash, within the limits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "assist/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A listing photo made once: a red block on white, as a PNG. */
static void *listing;
static size_t listing_len;

static void make_listing(void)
{
	VipsImage *black, *img;
	double red[3] = {200, 30, 40};
	struct err e;

	err_clear(&e);
	if (image_init(&e) || vips_black(&black, 96, 128, "bands", 3, NULL) ||
	    vips_linear1(black, &img, 1, 255, "uchar", TRUE, NULL))
		abort();
	g_object_unref(black);
	black = vips_image_copy_memory(img);
	g_object_unref(img);
	if (!black || vips_draw_rect(black, red, 3, 24, 24, 48, 80, "fill", TRUE, NULL) ||
	    vips_image_write_to_buffer(black, ".png", &listing, &listing_len, NULL))
		abort();
	g_object_unref(black);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_verdict v;
	struct err e;
	int rc;

	if (!listing)
		make_listing();
	err_clear(&e);
	rc = image_compare_buffers(listing, listing_len, data, size, "listing", "fuzz", &v, &e);
	if (rc == RC_OK && (v.similarity < 0 || v.similarity > 1 || !v.explanation[0])) {
		fprintf(stderr, "fuzz_image: similarity %g, explanation \"%s\"\n", v.similarity,
			v.explanation);
		abort();
	}
	if (rc != RC_OK && !e.message[0]) {
		fprintf(stderr, "fuzz_image: refused without a message (%d)\n", rc);
		abort();
	}
	return 0;
}
