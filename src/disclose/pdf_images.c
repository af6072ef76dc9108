/* pdf_images.c - the package PDF's images and files: PNG and JPEG decoded into cairo surfaces within fixed bounds, blob bytes checked against their digests, and the section that shows them. */
#include <cairo.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "core/sha256.h"
#include "disclose/pdf_int.h"
#include "evidence/blobstore.h"

/* Images: the most pixels decoded (bounded memory), the widest kept, the tallest drawn. */
#define IMAGE_MAX_PIXELS (24u * 1024 * 1024)
#define IMAGE_MAX_SIDE 20000u
#define IMAGE_MAX_H 330.0
#define JPEG_TARGET_W 2000u

struct mem_reader {
	const unsigned char *data; /* the bytes */
	size_t len;                /* how many */
	size_t pos;                /* read so far */
};

static cairo_status_t png_read(void *arg, unsigned char *out, unsigned int len)
{
	struct mem_reader *r = arg;

	if (len > r->len - r->pos)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(out, r->data + r->pos, len);
	r->pos += len;
	return CAIRO_STATUS_SUCCESS;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG as a cairo surface, or NULL with *why set. Its size is checked before it is decoded. */
static cairo_surface_t *png_surface(const unsigned char *data, size_t len, const char **why)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	struct mem_reader r = {data, len, 0};
	cairo_surface_t *s;
	uint32_t w, h;

	/* the IHDR chunk is first, at a fixed place (PNG spec 5.2, 11.2.2) */
	if (len < 33 || memcmp(data, sig, 8) != 0 || memcmp(data + 12, "IHDR", 4) != 0) {
		*why = "不是有效的 PNG 文件 not a valid PNG";
		return NULL;
	}
	w = be32(data + 16);
	h = be32(data + 20);
	if (!w || !h || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE ||
	    (uint64_t)w * h > IMAGE_MAX_PIXELS) {
		*why = "图片过大 image too large to embed";
		return NULL;
	}
	s = cairo_image_surface_create_from_png_stream(png_read, &r);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		*why = "PNG 无法解码 the PNG cannot be decoded";
		return NULL;
	}
	return s;
}

struct jpeg_fail {
	struct jpeg_error_mgr mgr; /* libjpeg's, first */
	jmp_buf jump;              /* where a failure returns to */
};

static void jpeg_on_error(j_common_ptr cinfo)
{
	struct jpeg_fail *f = (struct jpeg_fail *)cinfo->err;

	longjmp(f->jump, 1);
}

static void jpeg_on_message(j_common_ptr cinfo)
{
	(void)cinfo; /* warnings are not printed */
}

/*
 * A JPEG decoded by libjpeg into a cairo surface, scaled down by libjpeg
 * to about JPEG_TARGET_W pixels wide; unscaled, the JPEG itself is attached
 * (when `attach`) so the PDF embeds it as is. NULL with *why set on failure.
 */
static cairo_surface_t *jpeg_surface(const unsigned char *data, size_t len, int attach,
				     const char **why)
{
	struct jpeg_decompress_struct ci;
	struct jpeg_fail fail;
	cairo_surface_t *volatile s = NULL;
	unsigned char *row, *copy;
	volatile unsigned int denom = 1;
	int stride;

	memset(&ci, 0, sizeof ci);
	ci.err = jpeg_std_error(&fail.mgr);
	fail.mgr.error_exit = jpeg_on_error;
	fail.mgr.output_message = jpeg_on_message;
	if (setjmp(fail.jump)) {
		jpeg_destroy_decompress(&ci);
		if (s)
			cairo_surface_destroy(s);
		*why = "JPEG 无法解码 the JPEG cannot be decoded";
		return NULL;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, data, (unsigned long)len);
	jpeg_read_header(&ci, TRUE);
	if (ci.image_width > IMAGE_MAX_SIDE || ci.image_height > IMAGE_MAX_SIDE) {
		jpeg_destroy_decompress(&ci);
		*why = "图片过大 image too large to embed";
		return NULL;
	}
	while (denom < 8 && ci.image_width / denom > JPEG_TARGET_W)
		denom *= 2;
	ci.scale_num = 1;
	ci.scale_denom = denom;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	ci.out_color_space = JCS_EXT_BGRX; /* cairo's RGB24 in memory order */
#else
	ci.out_color_space = JCS_EXT_XRGB;
#endif
	jpeg_calc_output_dimensions(&ci);
	if ((uint64_t)ci.output_width * ci.output_height > IMAGE_MAX_PIXELS) {
		jpeg_destroy_decompress(&ci);
		*why = "图片过大 image too large to embed";
		return NULL;
	}
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ci.output_width,
				       (int)ci.output_height);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		jpeg_destroy_decompress(&ci);
		cairo_surface_destroy(s);
		*why = "内存不足 out of memory";
		return NULL;
	}
	cairo_surface_flush(s);
	stride = cairo_image_surface_get_stride(s);
	jpeg_start_decompress(&ci);
	while (ci.output_scanline < ci.output_height) {
		row = cairo_image_surface_get_data(s) + (size_t)ci.output_scanline * (size_t)stride;
		jpeg_read_scanlines(&ci, &row, 1);
	}
	jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	cairo_surface_mark_dirty(s);
	if (attach && denom == 1 && (copy = malloc(len)) != NULL) {
		memcpy(copy, data, len);
		if (cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, copy, len, free, copy) !=
		    CAIRO_STATUS_SUCCESS)
			free(copy);
	}
	return s;
}

/*
 * The bytes of blob `id`: from the bundle's content_base64, else from the
 * blob store. *why says why not (NULL and RC_OK: none to show); bytes
 * that do not hash to the digest are refused. RC_NOMEM only is an error.
 */
static int blob_bytes(struct pdf_doc *d, const json_t *entry, const char *id,
		      unsigned char **out, size_t *len, const char **why)
{
	const char *b64 = pdf_str(entry, "content_base64");
	char hex[65], got[65];
	unsigned char digest[SHA256_SIZE], *data = NULL;
	size_t n = 0;
	struct err e;

	*out = NULL;
	*len = 0;
	if (!blob_parse_id(id, hex)) {
		*why = "文件编号无效 invalid file id";
		return RC_OK;
	}
	if (b64) {
		size_t cap = strlen(b64) / 4 * 3 + 3;

		data = malloc(cap);
		if (!data)
			return RC_NOMEM;
		if (sodium_base642bin(data, cap, b64, strlen(b64), NULL, &n, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0) {
			free(data);
			*why = "内容编码无效 content is not valid base64";
			return RC_OK;
		}
	} else if (d->data_dir) {
		char *raw = NULL;

		if (blobstore_get(d->data_dir, hex, &raw, &n, &e) != RC_OK) {
			*why = "内容不在本证据包中 content not included in the package";
			return e.rc == RC_NOMEM ? RC_NOMEM : RC_OK;
		}
		data = (unsigned char *)raw;
	} else {
		*why = "内容不在本证据包中 content not included in the package";
		return RC_OK;
	}
	sha256(digest, data, n);
	sodium_bin2hex(got, sizeof got, digest, sizeof digest);
	if (strcmp(got, hex) != 0) {
		free(data);
		*why = "内容与摘要不符，未显示 content does not match its digest: not shown";
		return RC_OK;
	}
	*out = data;
	*len = n;
	return RC_OK;
}

/* A box in place of an image, naming its digest and why it is not shown. */
static void image_placeholder(struct pdf_doc *d, const char *id, const char *ctype, const char *why)
{
	static const double w[] = {BODY_W};
	static const char *const head[] = {"<b>未嵌入 Not embedded</b>"};
	static const struct pdf_table t = {1, w, head};
	GString *c[1];

	pdf_table_begin(d, &t);
	pdf_cells_new(c, 1);
	pdf_mk_text(c[0], why);
	g_string_append(c[0], "\n");
	pdf_mk_text(c[0], ctype ? ctype : "—");
	g_string_append(c[0], " · " SPAN_MONO);
	pdf_mk_text(c[0], id);
	g_string_append(c[0], SPAN_END);
	pdf_table_row(d, c);
	pdf_table_end(d, 10);
}

static void image_draw(struct pdf_doc *d, cairo_surface_t *s)
{
	double w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	double fit = BODY_W / w, small = 48.0 / (w > h ? w : h);

	if (IMAGE_MAX_H / h < fit)
		fit = IMAGE_MAX_H / h;
	if (small < 0.75)
		small = 0.75; /* 96 dpi */
	if (small < fit)
		fit = small;
	if (d->y + h * fit + 6 > BODY_BOTTOM)
		pdf_page_new(d);
	if (d->cr) {
		cairo_save(d->cr);
		cairo_translate(d->cr, MARGIN_X, d->y);
		cairo_scale(d->cr, fit, fit);
		cairo_set_source_surface(d->cr, s, 0, 0);
		if (fit > 2)
			cairo_pattern_set_filter(cairo_get_source(d->cr), CAIRO_FILTER_NEAREST);
		cairo_paint(d->cr);
		cairo_restore(d->cr);
		cairo_set_source_rgb(d->cr, 0.55, 0.55, 0.55);
		cairo_set_line_width(d->cr, 0.4);
		cairo_rectangle(d->cr, MARGIN_X, d->y, w * fit, h * fit);
		cairo_stroke(d->cr);
	}
	d->y += h * fit + 12;
}

/* The records that name file `id`, as "证据 #3, #5". */
static void mk_referrers(struct pdf_doc *d, GString *m, const char *id)
{
	const json_t *r, *b;
	size_t i, j;
	int any = 0;

	json_array_foreach(d->records, i, r) {
		if (strcmp(pdf_str(r, "type"), "blob") == 0)
			continue;
		json_array_foreach(json_object_get(r, "blobs"), j, b) {
			if (json_string_value(b) && strcmp(json_string_value(b), id) == 0) {
				g_string_append_printf(m, "%s#%zu %s", any ? ", " : "", i + 1,
						       pdf_str(r, "type"));
				any = 1;
				break;
			}
		}
	}
	if (!any)
		g_string_append(m, "—");
}

void pdf_section_images(struct pdf_doc *d)
{
	const json_t *r, *entry, *blobs = json_object_get(d->bundle, "blobs");
	size_t i, j, n = 0;

	pdf_heading(d, "图片与文件 Images and files", 1);
	json_array_foreach(d->records, i, r) {
		const char *id = pdf_str(r, "id"), *ctype = pdf_rec_value(r, "content_type"), *why = NULL;
		unsigned char *data = NULL;
		size_t len = 0;
		cairo_surface_t *s = NULL;
		GString *m;

		if (d->rc)
			return;
		if (strcmp(pdf_str(r, "type"), "blob") != 0)
			continue;
		entry = NULL;
		json_array_foreach(blobs, j, entry)
			if (pdf_str(entry, "id") && strcmp(pdf_str(entry, "id"), id) == 0)
				break;
		if (j == json_array_size(blobs))
			entry = NULL;
		n++;
		m = g_string_new(NULL);
		g_string_append_printf(m, "<b>文件 %zu · File %zu</b> · 证据 #%zu\n", n, n, i + 1);
		g_string_append(m, SPAN_MONO);
		pdf_mk_text(m, id);
		g_string_append(m, SPAN_END "\n" SPAN_GREY "类型 type: ");
		pdf_mk_field(d, m, r, "content_type");
		g_string_append(m, " · 大小 size: ");
		pdf_mk_field(d, m, r, "size");
		g_string_append(m, " · 引用于 named by: ");
		mk_referrers(d, m, id);
		g_string_append(m, SPAN_END);
		if (d->y + 90 > BODY_BOTTOM)
			pdf_page_new(d);
		pdf_block(d, ST_SMALL, m->str, 4);
		g_string_free(m, TRUE);

		if (!ctype || (strcmp(ctype, "image/png") != 0 && strcmp(ctype, "image/jpeg") != 0)) {
			image_placeholder(d, id, ctype,
					  ctype && strncmp(ctype, "image/", 6) == 0
						  ? "此图片格式不能嵌入 this image format is not embedded"
						  : "非图片文件，以摘要标识 not an image: identified by its digest");
			continue;
		}
		if (blob_bytes(d, entry, id, &data, &len, &why) != RC_OK) {
			pdf_fail(d, RC_NOMEM, "nomem", "out of memory reading a blob%s", "");
			return;
		}
		if (data && strcmp(ctype, "image/png") == 0)
			s = png_surface(data, len, &why);
		else if (data)
			s = jpeg_surface(data, len, d->cr != NULL, &why);
		free(data);
		if (!s) {
			image_placeholder(d, id, ctype, why ? why : "无法显示 cannot be shown");
			continue;
		}
		image_draw(d, s);
		cairo_surface_destroy(s);
	}
	if (!n)
		pdf_text(d, ST_BODY, "本证据包中没有文件。No files in this package.", 8);
}

