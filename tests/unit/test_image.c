/* test_image.c - unit tests of the photo comparison: synthetic photos made with libvips (a shape on white, its recolour, crop, other light, another shape) and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>
#include <zlib.h>

#include "assist/image.h"
#include "core/err.h"

static const double RED[3] = {200, 30, 40};
static const double BLUE[3] = {30, 60, 190};
static const double GREEN[3] = {40, 150, 60};

enum shape { TEE, DISC, BLANK };

struct photo {
	void *data; /* encoded bytes, g_free */
	size_t len;
};

/* A white canvas with a "tee" (body, sleeves, darker seams) or a disc and a bar, in `ink`. */
static VipsImage *draw(enum shape shape, const double ink[3], int w, int h)
{
	VipsImage *black, *white, *img;
	double dark[3] = {ink[0] * 0.6, ink[1] * 0.6, ink[2] * 0.6};

	assert_int_equal(vips_black(&black, w, h, "bands", 3, NULL), 0);
	assert_int_equal(vips_linear1(black, &white, 1, 255, "uchar", TRUE, NULL), 0);
	img = vips_image_copy_memory(white);
	assert_non_null(img);
	g_object_unref(black);
	g_object_unref(white);
	if (shape == TEE) {
		assert_int_equal(vips_draw_rect(img, (double *)ink, 3, w * 3 / 10, h / 5, w * 4 / 10,
						h * 6 / 10, "fill", TRUE, NULL), 0);
		assert_int_equal(vips_draw_rect(img, (double *)ink, 3, w / 6, h / 5, w * 3 / 10,
						h / 6, "fill", TRUE, NULL), 0);
		assert_int_equal(vips_draw_rect(img, (double *)ink, 3, w * 8 / 15, h / 5, w * 3 / 10,
						h / 6, "fill", TRUE, NULL), 0);
		for (int i = 0; i < 4; i++)
			assert_int_equal(vips_draw_rect(img, dark, 3, w * 3 / 10 + i * w / 10 + 4,
							h / 5, 3, h * 6 / 10, "fill", TRUE, NULL), 0);
	} else if (shape == DISC) {
		assert_int_equal(vips_draw_circle(img, (double *)ink, 3, w / 2, h / 2, w / 4,
						  "fill", TRUE, NULL), 0);
		assert_int_equal(vips_draw_rect(img, dark, 3, w / 8, h * 7 / 8, w * 3 / 4, h / 20,
						"fill", TRUE, NULL), 0);
	}
	return img;
}

/* Encode `img` (which is unreffed) as `format` (".png", ".jpg[Q=70]" ...). */
static struct photo encode(VipsImage *img, const char *format)
{
	struct photo p = {NULL, 0};

	assert_int_equal(vips_image_write_to_buffer(img, format, &p.data, &p.len, NULL), 0);
	g_object_unref(img);
	return p;
}

static struct photo photo(enum shape shape, const double ink[3], const char *format)
{
	return encode(draw(shape, ink, 600, 800), format);
}

static struct image_verdict compare(struct photo a, struct photo b)
{
	struct image_verdict v;
	struct err e;

	err_clear(&e);
	assert_int_equal(image_compare_buffers(a.data, a.len, b.data, b.len, "a", "b", &v, &e), RC_OK);
	assert_true(v.similarity >= 0 && v.similarity <= 1);
	assert_true(v.explanation[0] != '\0');
	g_free(a.data);
	g_free(b.data);
	return v;
}

static void setup_vips(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(image_init(&e), RC_OK);
	assert_int_equal(image_init(&e), RC_OK); /* twice is fine */
}

/* ---- verdicts ---- */

static void the_same_photo_reencoded_is_the_same(void **state)
{
	struct image_verdict v;

	(void)state;
	v = compare(photo(TEE, RED, ".png"), photo(TEE, RED, ".jpg[Q=40]"));
	assert_int_equal(v.verdict, IMAGE_SAME);
	assert_true(v.similarity > 0.8);
	assert_true(v.colour_difference < 3);
}

static void a_recolour_is_a_colour_mismatch(void **state)
{
	struct image_verdict v;

	(void)state;
	v = compare(photo(TEE, RED, ".png"), photo(TEE, BLUE, ".png"));
	assert_int_equal(v.verdict, IMAGE_COLOUR_MISMATCH);
	assert_true(v.colour_difference > 20);
	assert_true(v.similarity < 0.5);
	assert_non_null(strstr(v.explanation, "colour"));
}

static void a_crop_at_half_size_is_the_same(void **state)
{
	VipsImage *full = draw(TEE, GREEN, 600, 800), *cropped, *half;
	struct image_verdict v;

	(void)state;
	assert_int_equal(vips_crop(full, &cropped, 30, 40, 540, 720, NULL), 0);
	assert_int_equal(vips_resize(cropped, &half, 0.5, NULL), 0);
	g_object_unref(cropped);
	v = compare(encode(full, ".jpg"), encode(half, ".jpg[Q=60]"));
	assert_int_equal(v.verdict, IMAGE_SAME);
	assert_true(v.similarity > 0.6);
}

static void other_light_is_the_same(void **state)
{
	VipsImage *img = draw(TEE, RED, 600, 800), *dim;
	double gain[3] = {0.85 * 1.06, 0.85, 0.85 * 0.9}, offset[3] = {0, 0, 0};
	struct image_verdict v;

	(void)state;
	assert_int_equal(vips_linear(img, &dim, gain, offset, 3, "uchar", TRUE, NULL), 0);
	v = compare(encode(img, ".png"), encode(dim, ".jpg"));
	assert_int_equal(v.verdict, IMAGE_SAME);
}

static void another_shape_in_another_colour_is_flagged(void **state)
{
	struct image_verdict v;

	(void)state;
	v = compare(photo(TEE, RED, ".png"), photo(DISC, GREEN, ".png"));
	assert_true(v.verdict == IMAGE_DIFFERENT || v.verdict == IMAGE_COLOUR_MISMATCH);
	assert_true(v.similarity < 0.3);
	assert_true(v.scores.structure < 0.9);
}

static void a_blank_or_tiny_photo_is_inconclusive(void **state)
{
	VipsImage *tiny = draw(TEE, RED, 20, 24);
	struct image_verdict v;

	(void)state;
	v = compare(photo(TEE, RED, ".png"), photo(TEE, RED, ".png"));
	assert_int_equal(v.verdict, IMAGE_SAME); /* a control: a real photo decides */
	v = compare(photo(TEE, RED, ".png"), encode(draw(BLANK, RED, 600, 800), ".png"));
	assert_int_equal(v.verdict, IMAGE_INCONCLUSIVE);
	assert_non_null(strstr(v.explanation, "background"));
	v = compare(photo(TEE, RED, ".png"), encode(tiny, ".png"));
	assert_int_equal(v.verdict, IMAGE_INCONCLUSIVE);
	assert_non_null(strstr(v.explanation, "too small"));
}

/* ---- hostile input ---- */

static int refuse(const void *data, size_t len, struct err *e)
{
	struct photo ok = photo(TEE, RED, ".png");
	struct image_verdict v;
	int rc;

	err_clear(e);
	rc = image_compare_buffers(ok.data, ok.len, data, len, "a.png", "hostile", &v, e);
	g_free(ok.data);
	if (rc)
		assert_non_null(strstr(e->message, "hostile"));
	return rc;
}

static void empty_text_and_truncated_input_are_refused(void **state)
{
	const char text[] = "this is not a photo\n";
	struct photo jpeg = photo(TEE, RED, ".jpg");
	struct err e;

	(void)state;
	assert_int_equal(refuse("", 0, &e), RC_UNSUPPORTED);
	assert_int_equal(refuse(text, sizeof(text) - 1, &e), RC_UNSUPPORTED);
	assert_int_equal(refuse(jpeg.data, jpeg.len / 2, &e), RC_INVAL);
	assert_int_equal(refuse(jpeg.data, 200, &e), RC_INVAL);
	g_free(jpeg.data);
}

/* A PNG whose header claims w x h (the IHDR patched, its CRC recomputed). */
static struct photo png_claiming(uint32_t w, uint32_t h)
{
	struct photo p = encode(draw(TEE, RED, 64, 64), ".png");
	unsigned char *ihdr = (unsigned char *)p.data + 12; /* "IHDR" after signature and length */
	uLong crc;

	assert_memory_equal(ihdr, "IHDR", 4);
	for (int i = 0; i < 4; i++) {
		ihdr[4 + i] = (unsigned char)(w >> (24 - 8 * i));
		ihdr[8 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	crc = crc32(crc32(0L, Z_NULL, 0), ihdr, 17);
	for (int i = 0; i < 4; i++)
		ihdr[17 + i] = (unsigned char)(crc >> (24 - 8 * i));
	return p;
}

/* A baseline JPEG whose SOF0 claims w x h. */
static struct photo jpeg_claiming(unsigned w, unsigned h)
{
	struct photo p = encode(draw(TEE, RED, 64, 64), ".jpg");
	unsigned char *d = p.data;
	size_t i;

	for (i = 2; i + 9 < p.len; i++)
		if (d[i] == 0xFF && d[i + 1] == 0xC0)
			break;
	assert_true(i + 9 < p.len);
	d[i + 5] = (unsigned char)(h >> 8);
	d[i + 6] = (unsigned char)h;
	d[i + 7] = (unsigned char)(w >> 8);
	d[i + 8] = (unsigned char)w;
	return p;
}

static void decompression_bombs_are_refused_from_the_header(void **state)
{
	struct photo png = png_claiming(100000, 100000), jpeg = jpeg_claiming(60000, 60000);
	struct photo wide = png_claiming(30000, 10);
	struct err e;

	(void)state;
	assert_int_equal(refuse(png.data, png.len, &e), RC_TOOBIG);
	assert_non_null(strstr(e.message, "100000x100000"));
	assert_int_equal(refuse(jpeg.data, jpeg.len, &e), RC_TOOBIG);
	assert_int_equal(refuse(wide.data, wide.len, &e), RC_TOOBIG);
	g_free(png.data);
	g_free(jpeg.data);
	g_free(wide.data);
}

static char tmpdir[64];

static void write_file(const char *name, const void *data, size_t len, char *path)
{
	FILE *f;

	snprintf(path, 128, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void files_that_lie_or_are_not_files_are_refused(void **state)
{
	struct photo png = photo(TEE, RED, ".png"), jpeg = photo(TEE, RED, ".jpg");
	char good[128], liar[128], text[128], big[128];
	struct image_verdict v;
	struct err e;
	int fd;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/disputed-test-image-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	write_file("good.jpg", jpeg.data, jpeg.len, good);
	write_file("liar.jpg", png.data, png.len, liar);
	write_file("text.jpg", "hello\n", 6, text);
	snprintf(big, sizeof(big), "%s/big.jpg", tmpdir);
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)IMAGE_MAX_BYTES + 1), 0);
	close(fd);

	err_clear(&e);
	assert_int_equal(image_compare_files(good, good, &v, &e), RC_OK);
	assert_int_equal(v.verdict, IMAGE_SAME);
	assert_int_equal(image_compare_files(good, liar, &v, &e), RC_UNSUPPORTED);
	assert_non_null(strstr(e.message, "is a PNG image"));
	assert_int_equal(image_compare_files(good, text, &v, &e), RC_UNSUPPORTED);
	assert_int_equal(image_compare_files(good, big, &v, &e), RC_TOOBIG);
	assert_int_equal(image_compare_files(good, tmpdir, &v, &e), RC_IO);
	assert_non_null(strstr(e.message, "not a regular file"));
	snprintf(big, sizeof(big), "%s/missing.jpg", tmpdir);
	assert_int_equal(image_compare_files(good, big, &v, &e), RC_IO);
	/* the same bytes from memory have no name to lie with */
	assert_int_equal(image_compare_buffers(jpeg.data, jpeg.len, png.data, png.len, NULL, NULL,
					       &v, &e), RC_OK);
	g_free(png.data);
	g_free(jpeg.data);
	for (size_t i = 0; i < 4; i++) {
		static const char *const names[] = {"good.jpg", "liar.jpg", "text.jpg", "big.jpg"};

		snprintf(big, sizeof(big), "%s/%s", tmpdir, names[i]);
		assert_int_equal(unlink(big), 0);
	}
	assert_int_equal(rmdir(tmpdir), 0);
}

/* ---- threads ---- */

struct job {
	struct photo a, b; /* compared many times */
	int same;          /* how often the verdict was same */
};

static void *compare_many(void *arg)
{
	struct job *j = arg;
	struct image_verdict v;

	for (int i = 0; i < 8; i++) {
		if (image_compare_buffers(j->a.data, j->a.len, j->b.data, j->b.len, NULL, NULL, &v,
					  NULL) == RC_OK && v.verdict == IMAGE_SAME)
			j->same++;
	}
	vips_thread_shutdown();
	return NULL;
}

static void comparisons_run_in_parallel(void **state)
{
	struct job j[3];
	pthread_t t[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		j[i].a = photo(TEE, RED, ".png");
		j[i].b = photo(TEE, RED, ".jpg");
		j[i].same = 0;
		assert_int_equal(pthread_create(&t[i], NULL, compare_many, &j[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(j[i].same, 8);
		g_free(j[i].a.data);
		g_free(j[i].b.data);
	}
}

static void verdicts_have_their_contract_names(void **state)
{
	(void)state;
	assert_string_equal(image_verdict_name(IMAGE_SAME), "same");
	assert_string_equal(image_verdict_name(IMAGE_COLOUR_MISMATCH), "colour_mismatch");
	assert_string_equal(image_verdict_name(IMAGE_DIFFERENT), "different");
	assert_string_equal(image_verdict_name(IMAGE_INCONCLUSIVE), "inconclusive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(setup_vips),
		cmocka_unit_test(the_same_photo_reencoded_is_the_same),
		cmocka_unit_test(a_recolour_is_a_colour_mismatch),
		cmocka_unit_test(a_crop_at_half_size_is_the_same),
		cmocka_unit_test(other_light_is_the_same),
		cmocka_unit_test(another_shape_in_another_colour_is_flagged),
		cmocka_unit_test(a_blank_or_tiny_photo_is_inconclusive),
		cmocka_unit_test(empty_text_and_truncated_input_are_refused),
		cmocka_unit_test(decompression_bombs_are_refused_from_the_header),
		cmocka_unit_test(files_that_lie_or_are_not_files_are_refused),
		cmocka_unit_test(comparisons_run_in_parallel),
		cmocka_unit_test(verdicts_have_their_contract_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
