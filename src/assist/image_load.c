/* image_load.c - decode a hostile photo safely: libvips set up once, type and size checked from the header, shrink-on-load. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <vips/vips.h>

#include "assist/image_int.h"

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_ready; /* 1 once vips_setup succeeded */

/* The loaders a photo may go through; every other loader is blocked. */
static const struct {
	const char *loader; /* what vips_foreign_find_load_buffer answers */
	const char *kind;   /* for messages */
	const char *exts;   /* the extensions of that type, space-separated */
} loaders[] = {
	{"VipsForeignLoadJpegBuffer", "JPEG", "jpg jpeg"},
	{"VipsForeignLoadPngBuffer", "PNG", "png"},
	{"VipsForeignLoadWebpBuffer", "WebP", "webp"},
};

/* libvips's own warnings (a tile it could not read ...): the errors we return say it. */
static void drop_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
		     gpointer data)
{
	(void)domain;
	(void)level;
	(void)message;
	(void)data;
}

static void vips_setup(void)
{
	size_t i;

	if (VIPS_INIT("disputed"))
		return;
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
			  drop_log, NULL);
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	/* our callers run photos in parallel; each pipeline keeps to its thread */
	vips_concurrency_set(1);
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		vips_operation_block_set(loaders[i].loader, FALSE);
	vips_ready = 1;
}

int image_init(struct err *e)
{
	if (pthread_once(&vips_once, vips_setup) != 0 || !vips_ready)
		return err_set(e, RC_INTERNAL, "image_init", NULL, "cannot initialise libvips");
	return RC_OK;
}

/* The first line of libvips's error text, which is then cleared. */
static void vips_detail(char *out, size_t len)
{
	char *text = vips_error_buffer_copy();
	char *nl;

	snprintf(out, len, "%s", text ? text : "");
	g_free(text);
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	if (!out[0])
		snprintf(out, len, "libvips failed");
}

/* 1 if `name` ends in one of the space-separated extensions `exts`. */
static int has_ext(const char *name, const char *exts)
{
	const char *dot = strrchr(name, '.'), *p = exts;
	size_t n;

	if (!dot || strchr(dot, '/'))
		return 0;
	dot++;
	while (*p) {
		n = strcspn(p, " ");
		if (strlen(dot) == n && strncasecmp(dot, p, n) == 0)
			return 1;
		p += n;
		p += *p == ' ';
	}
	return 0;
}

/* Check that the bytes are of a type in loaders[] that agrees with the name. */
static int sniff(const void *data, size_t len, const char *name, int ext_check, int *kind,
		 struct err *e)
{
	const char *found = vips_foreign_find_load_buffer(data, len);
	size_t i, j;

	vips_error_clear();
	for (i = 0; found && i < sizeof(loaders) / sizeof(loaders[0]); i++)
		if (strcmp(found, loaders[i].loader) == 0)
			break;
	if (!found || i == sizeof(loaders) / sizeof(loaders[0]))
		return err_set(e, RC_UNSUPPORTED, "not_an_image", name,
			       "%s is not a JPEG, PNG or WebP image", name);
	for (j = 0; ext_check && j < sizeof(loaders) / sizeof(loaders[0]); j++)
		if (j != i && has_ext(name, loaders[j].exts))
			return err_set(e, RC_UNSUPPORTED, "type_mismatch", name,
				       "%s is a %s image, not the %s its name says", name,
				       loaders[i].kind, loaders[j].kind);
	*kind = (int)i;
	return RC_OK;
}

/* Read the header only and refuse dimensions past the limits; *w and *h get them. */
static int check_header(const void *data, size_t len, const char *name, int *w, int *h,
			struct err *e)
{
	VipsImage *hdr;
	char detail[200];
	double pixels;
	int rc = RC_OK;

	hdr = vips_image_new_from_buffer(data, len, "", "fail_on", VIPS_FAIL_ON_ERROR, NULL);
	if (!hdr) {
		vips_detail(detail, sizeof(detail));
		return err_set(e, RC_INVAL, "undecodable", name, "cannot read the header of %s: %s",
			       name, detail);
	}
	*w = hdr->Xsize;
	*h = hdr->Ysize;
	pixels = (double)hdr->Xsize * (double)hdr->Ysize;
	if (hdr->Xsize > IMAGE_MAX_SIDE || hdr->Ysize > IMAGE_MAX_SIDE || pixels > IMAGE_MAX_PIXELS)
		rc = err_set(e, RC_TOOBIG, "image_too_large", name,
			     "%s declares %dx%d pixels, more than %d a side or %.0f megapixels",
			     name, hdr->Xsize, hdr->Ysize, IMAGE_MAX_SIDE, IMAGE_MAX_PIXELS / 1e6);
	g_object_unref(hdr);
	return rc;
}

/*
 * Open the image to decode at the smallest scale the format offers that
 * still covers SIG_SIDE (JPEG's DCT scaling, WebP's scaled decode). Not
 * vips_thumbnail_buffer: in libvips 8.14 it does not pass fail_on to the
 * loader, so a truncated JPEG would decode as grey without an error.
 */
static VipsImage *open_shrunk(const void *data, size_t len, int kind, int w, int h)
{
	int side = w > h ? w : h, shrink = 1;

	while (shrink < 8 && side / (shrink * 2) >= SIG_SIDE)
		shrink *= 2;
	if (strcmp(loaders[kind].kind, "JPEG") == 0)
		return vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
						  "fail_on", VIPS_FAIL_ON_ERROR, "shrink", shrink,
						  NULL);
	if (strcmp(loaders[kind].kind, "WebP") == 0)
		return vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
						  "fail_on", VIPS_FAIL_ON_ERROR, "scale",
						  1.0 / shrink, NULL);
	return vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
					  "fail_on", VIPS_FAIL_ON_ERROR, NULL);
}

/* Shrink to fit SIG_SIDE, then make 3-band 8-bit sRGB, alpha flattened on white. */
static int decode(const void *data, size_t len, const char *name, int kind, int w, int h,
		  VipsImage **out, struct err *e)
{
	VipsImage *t[5] = {NULL, NULL, NULL, NULL, NULL};
	char detail[200];
	int rc = RC_OK;

	t[0] = open_shrunk(data, len, kind, w, h);
	if (!t[0] ||
	    vips_thumbnail_image(t[0], &t[1], SIG_SIDE, "height", SIG_SIDE, "size", VIPS_SIZE_DOWN,
				 NULL) ||
	    vips_colourspace(t[1], &t[2], VIPS_INTERPRETATION_sRGB, NULL)) {
		vips_detail(detail, sizeof(detail));
		rc = err_set(e, RC_INVAL, "undecodable", name, "cannot decode %s: %s", name, detail);
		goto out;
	}
	if (vips_image_hasalpha(t[2])) {
		double white[3] = {255, 255, 255};
		VipsArrayDouble *bg = vips_array_double_new(white, 3);

		rc = vips_flatten(t[2], &t[3], "background", bg, NULL);
		vips_area_unref(VIPS_AREA(bg));
	} else {
		rc = vips_copy(t[2], &t[3], NULL);
	}
	if (rc || vips_extract_band(t[3], &t[4], 0, "n", 3, NULL) || vips_cast_uchar(t[4], out, NULL)) {
		vips_detail(detail, sizeof(detail));
		rc = err_set(e, RC_INVAL, "undecodable", name, "cannot decode %s: %s", name, detail);
	}
out:
	for (size_t i = 0; i < 5; i++)
		if (t[i])
			g_object_unref(t[i]);
	return rc;
}

int image_load_thumbnail(const void *data, size_t len, const char *name, int ext_check,
			 unsigned char **rgb, int *w, int *h, struct err *e)
{
	VipsImage *img = NULL;
	size_t size = 0;
	int rc, kind = 0, full_w = 0, full_h = 0;

	*rgb = NULL;
	if (!name)
		name = "the image";
	if ((rc = image_init(e)))
		return rc;
	if (len == 0)
		return err_set(e, RC_UNSUPPORTED, "empty", name, "%s is empty", name);
	if (len > IMAGE_MAX_BYTES)
		return err_set(e, RC_TOOBIG, "file_too_large", name, "%s is larger than %u MiB",
			       name, IMAGE_MAX_BYTES >> 20);
	if ((rc = sniff(data, len, name, ext_check, &kind, e)) ||
	    (rc = check_header(data, len, name, &full_w, &full_h, e)) ||
	    (rc = decode(data, len, name, kind, full_w, full_h, &img, e)))
		return rc;
	*w = img->Xsize;
	*h = img->Ysize;
	*rgb = vips_image_write_to_memory(img, &size);
	g_object_unref(img);
	if (!*rgb) {
		char detail[200];

		vips_detail(detail, sizeof(detail));
		return err_set(e, RC_INVAL, "undecodable", name, "cannot decode %s: %s", name, detail);
	}
	if (size != (size_t)*w * (size_t)*h * 3) {
		g_free(*rgb);
		*rgb = NULL;
		return err_set(e, RC_INTERNAL, "image_internal", name, "unexpected pixel layout");
	}
	return RC_OK;
}
