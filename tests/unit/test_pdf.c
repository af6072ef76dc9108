/* test_pdf.c - unit tests of the package PDF: Chinese text extractable, withheld fields bound but hidden or masked, long tables broken across pages, PNG and JPEG embedded, failures reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>

#include "core/buf.h"
#include "core/err.h"
#include "disclose/pdf.h"

#define MERCHANT_NAME "杭州云杉数码专营店有限公司"
#define CHAT_TEXT "耳机左边没有声音，请尽快处理"
#define SECRET_PHONE "13912345678"
#define NMESSAGES 90

/* ---- a bundle built here: records with disclosed and withheld fields, blobs in base64 ---- */

static char *b64(const void *data, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(n);

	assert_non_null(s);
	sodium_bin2base64(s, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

static json_t *disclosed(const char *value)
{
	unsigned char salt[32];
	char *s;
	json_t *f;

	randombytes_buf(salt, sizeof salt);
	s = b64(salt, sizeof salt);
	f = json_pack("{s:s, s:s}", "value", value, "salt", s);
	free(s);
	return f;
}

static json_t *withheld(void)
{
	unsigned char c[32];
	char *s;
	json_t *f;

	randombytes_buf(c, sizeof c);
	s = b64(c, sizeof c);
	f = json_pack("{s:s}", "commitment", s);
	free(s);
	return f;
}

static json_t *record(const char *type, const char *id, long long leaf_index)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:[], s:{}, s:[]}", "type", type, "id", id, "time",
			 "2025-11-04T01:30:02.118Z", "leaf_index", leaf_index, "blobs", "fields",
			 "inclusion_proof");
}

static void field(json_t *rec, const char *name, json_t *f)
{
	assert_int_equal(json_object_set_new(json_object_get(rec, "fields"), name, f), 0);
}

static cairo_status_t png_sink(void *arg, const unsigned char *data, unsigned int len)
{
	return buf_append(arg, data, len) == RC_OK ? CAIRO_STATUS_SUCCESS
						   : CAIRO_STATUS_WRITE_ERROR;
}

static void make_png(struct buf *out)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 40, 30);
	cairo_t *cr = cairo_create(s);

	cairo_set_source_rgb(cr, 0.2, 0.5, 0.8);
	cairo_paint(cr);
	cairo_destroy(cr);
	assert_int_equal(cairo_surface_write_to_png_stream(s, png_sink, out), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
}

static void make_jpeg(struct buf *out)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *mem = NULL, row[48 * 3];
	unsigned long len = 0;
	JSAMPROW rp = row;
	int i;

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &len);
	c.image_width = 48;
	c.image_height = 32;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_start_compress(&c, TRUE);
	for (i = 0; i < 48 * 3; i++)
		row[i] = (unsigned char)(i * 5);
	while (c.next_scanline < c.image_height)
		jpeg_write_scanlines(&c, &rp, 1);
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	assert_int_equal(buf_append(out, mem, len), RC_OK);
	free(mem);
}

/* Add a blob record and its content; `lie` gives content that does not hash to the id. */
static char *add_blob(json_t *bundle, const struct buf *bytes, const char *ctype, int lie)
{
	unsigned char d[32];
	char hex[65], *id, *content;
	json_t *rec;

	crypto_hash_sha256(d, (const unsigned char *)bytes->data, bytes->len);
	if (lie)
		d[0] ^= 1;
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	assert_true(asprintf(&id, "sha256:%s", hex) > 0);
	rec = record("blob", id, 0);
	json_array_append_new(json_object_get(rec, "blobs"), json_string(id));
	field(rec, "content_type", disclosed(ctype));
	field(rec, "size", json_pack("{s:s, s:s}", "value", "1", "salt",
				     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	json_array_append_new(json_object_get(bundle, "records"), rec);
	content = b64(bytes->data, bytes->len);
	json_array_append_new(json_object_get(bundle, "blobs"),
			      json_pack("{s:s, s:s, s:I, s:s}", "id", id, "content_type", ctype,
					"size", (json_int_t)bytes->len, "content_base64", content));
	free(content);
	return id;
}

static json_t *make_bundle(int nmessages, int lie)
{
	json_t *b = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:[], s:[], s:[]}", "format",
			      "disputed-bundle/v2", "order", "ord_000000000000000000000001", "log",
			      "origin", "test.example/log", "vkey",
			      "test.example/log+0badc0de+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			      "checkpoint",
			      "test.example/log\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n"
			      "— test.example/log C63AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
			      "witnesses", "records", "blobs");
	json_t *recs = json_object_get(b, "records"), *r;
	struct buf png, jpg;
	char *png_id, *jpg_id, id[64], text[64];
	int i;

	buf_init(&png, 1 << 20);
	buf_init(&jpg, 1 << 20);
	make_png(&png);
	make_jpeg(&jpg);

	r = record("merchant", "mer_000000000000000000000001", 1);
	field(r, "kind", disclosed("company"));
	field(r, "legal_name", disclosed(MERCHANT_NAME));
	field(r, "uscc", disclosed("91350100M000100Y43"));
	field(r, "contact.phone", withheld());
	json_array_append_new(recs, r);

	r = record("order", "ord_000000000000000000000001", 2);
	json_object_set_new(r, "chain", json_pack("{s:s, s:i, s:[]}", "order",
						  "ord_000000000000000000000001", "seq", 0, "links"));
	field(r, "consumer.name", disclosed("李四"));
	field(r, "consumer.phone", withheld());
	field(r, "total.amount", disclosed("1999"));
	json_array_append_new(recs, r);

	r = record("logistics", "lge_000000000000000000000001", 3);
	field(r, "carrier", disclosed("顺丰速运"));
	field(r, "status", disclosed("signed"));
	field(r, "location", disclosed("杭州市西湖区"));
	field(r, "occurred_at", disclosed("2025-11-02T10:00:00Z"));
	json_array_append_new(recs, r);

	png_id = add_blob(b, &png, "image/png", lie);
	jpg_id = add_blob(b, &jpg, "image/jpeg", 0);
	for (i = 0; i < nmessages; i++) {
		snprintf(id, sizeof id, "msg_%024d", i + 1);
		r = record("message", id, 10 + i);
		field(r, "sender", disclosed(i % 2 ? "merchant" : "consumer"));
		if (i == 0) {
			field(r, "text", disclosed(CHAT_TEXT));
			json_array_append_new(json_object_get(r, "blobs"), json_string(png_id));
			json_array_append_new(json_object_get(r, "blobs"), json_string(jpg_id));
		} else if (i == 1) {
			/* a message taller than a page: its row goes on over the next */
			struct buf t;
			int k;

			buf_init(&t, 1 << 20);
			for (k = 0; k < 400; k++)
				assert_int_equal(buf_appends(&t, "这是一条很长的消息。"), RC_OK);
			assert_int_equal(buf_appends(&t, "LONGMESSAGEEND"), RC_OK);
			field(r, "text", disclosed(t.data));
			buf_release(&t);
		} else if (i == 2) {
			field(r, "text", withheld());
		} else {
			snprintf(text, sizeof text, "第%d条 row%dmark", i + 1, i + 1);
			field(r, "text", disclosed(text));
		}
		json_array_append_new(recs, r);
	}
	free(png_id);
	free(jpg_id);
	buf_release(&png);
	buf_release(&jpg);
	return b;
}

/* ---- running poppler's tools on a rendered PDF ---- */

struct rendered {
	char path[64];     /* the PDF file */
	struct buf pdf;    /* its bytes */
};

static void render(json_t *bundle, const struct pdf_cover *cover, struct rendered *out)
{
	struct err e;
	FILE *f;
	int fd;

	buf_init(&out->pdf, 64u << 20);
	err_clear(&e);
	assert_int_equal(pdf_render_package(bundle, cover, NULL, &out->pdf, &e), RC_OK);
	snprintf(out->path, sizeof out->path, "/tmp/test_pdf_XXXXXX");
	fd = mkstemp(out->path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(out->pdf.data, 1, out->pdf.len, f), out->pdf.len);
	assert_int_equal(fclose(f), 0);
}

static void rendered_free(struct rendered *r)
{
	unlink(r->path);
	buf_release(&r->pdf);
}

/* The standard output of `cmd` (with %s the PDF's path), whole. */
static char *run(const char *fmt, const char *path)
{
	char cmd[256];
	struct buf out;
	char chunk[4096];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof cmd, fmt, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	buf_init(&out, 64u << 20);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		assert_int_equal(buf_append(&out, chunk, n), RC_OK);
	assert_int_equal(pclose(p), 0);
	return buf_detach(&out, &n);
}

/* pdftotext's text with every line break removed, so wrapped text reads whole. */
static char *pdf_text(const char *path)
{
	char *t = run("pdftotext -enc UTF-8 %s -", path), *r, *w;

	for (r = w = t; *r; r++)
		if (*r != '\n' && *r != '\f')
			*w++ = *r;
	*w = '\0';
	return t;
}

static int occurrences(const char *text, const char *s)
{
	int n = 0;

	for (text = strstr(text, s); text; text = strstr(text + strlen(s), s))
		n++;
	return n;
}

static int pages(const char *path)
{
	char *info = run("pdfinfo %s", path), *p = strstr(info, "Pages:");
	int n = p ? atoi(p + 6) : -1;

	free(info);
	return n;
}

/* ---- tests ---- */

static void renders_a_pdf_from_header_to_trailer(void **state)
{
	json_t *b = make_bundle(3, 0);
	struct rendered r;

	(void)state;
	render(b, NULL, &r);
	assert_true(r.pdf.len > 1000);
	assert_memory_equal(r.pdf.data, "%PDF-1.", 7);
	assert_non_null(strstr(r.pdf.data + r.pdf.len - 16, "%%EOF"));
	rendered_free(&r);
	json_decref(b);
}

static void chinese_text_cover_and_verify_page_are_extractable(void **state)
{
	struct pdf_cover cover;
	json_t *b = make_bundle(3, 0);
	struct rendered r;
	char *text, *fonts;

	(void)state;
	memset(&cover, 0, sizeof cover);
	cover.package_id = "dsc_000000000000000000000007";
	cover.requester = "杭州互联网法院";
	cover.purpose = "审理网络购物合同纠纷";
	cover.legal_basis = "PIPL art. 13(1)(3)";
	cover.reference = "(2025)浙0192民初1234号";
	cover.merchant_identity_note = "身份信息不完整 identity incomplete";
	render(b, &cover, &r);
	text = pdf_text(r.path);
	assert_non_null(strstr(text, MERCHANT_NAME));
	assert_non_null(strstr(text, CHAT_TEXT));
	assert_non_null(strstr(text, "证据目录"));
	assert_non_null(strstr(text, "杭州互联网法院"));
	assert_non_null(strstr(text, "(2025)浙0192民初1234号"));
	assert_non_null(strstr(text, "身份信息不完整"));
	assert_non_null(strstr(text, "dsc_000000000000000000000007"));
	assert_non_null(strstr(text, "已签收")); /* a logistics status in Chinese */
	assert_non_null(strstr(text, "19.99 (1999 分 fen)"));
	assert_non_null(strstr(text, "09:30:02 (UTC+8)"));
	assert_non_null(strstr(text, "2025-11-04T01:30:02.118Z"));
	/* how to verify: the command with the bundle's key, the checkpoint's size and root */
	assert_non_null(strstr(text, "如何核验"));
	assert_non_null(strstr(text, "disputed verify \\--vkey test.example/log+0badc0de+"));
	assert_non_null(strstr(text, "package.json"));
	assert_non_null(strstr(text, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
	assert_non_null(strstr(text, "第 1 页，共"));
	fonts = run("pdffonts %s", r.path);
	assert_non_null(strstr(fonts, "NotoSerifCJKsc-Regular"));
	assert_non_null(strstr(fonts, "NotoSansMonoCJKsc-Regular"));
	free(fonts);
	free(text);
	rendered_free(&r);
	json_decref(b);
}

static void withheld_fields_show_their_commitment_only(void **state)
{
	json_t *b = make_bundle(3, 0), *mer = json_array_get(json_object_get(b, "records"), 0);
	const char *c = json_string_value(json_object_get(
		json_object_get(json_object_get(mer, "fields"), "contact.phone"), "commitment"));
	struct pdf_cover cover;
	struct rendered r;
	char *text;

	(void)state;
	/* the caller's cover text is printed as given; the bundle's withheld field is not */
	memset(&cover, 0, sizeof cover);
	cover.package_id = "dsc_1";
	render(b, &cover, &r);
	text = pdf_text(r.path);
	assert_non_null(strstr(text, "已隐去 (withheld): commitment"));
	assert_non_null(strstr(text, c));
	assert_null(strstr(text, SECRET_PHONE));
	free(text);
	rendered_free(&r);
	json_decref(b);
}

/* A sealed package_viewed event of disclosure `dsc` at chain `seq`, with masked renderings: triples of record, field, text (a NULL text: withheld). */
static void add_view(json_t *bundle, const char *dsc, int seq, const char *const *masked, int n)
{
	char id[64], name[64];
	json_t *r;
	int i;

	snprintf(id, sizeof id, "dse_%024d", seq);
	r = record("disclosure_event", id, 200 + seq);
	json_object_set_new(r, "chain", json_pack("{s:s, s:i, s:[]}", "order",
						  "ord_000000000000000000000001", "seq", seq,
						  "links"));
	field(r, "type", disclosed("package_viewed"));
	field(r, "disclosure", disclosed(dsc));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "data.masked[%d].record", i);
		field(r, name, disclosed(masked[3 * i]));
		snprintf(name, sizeof name, "data.masked[%d].field", i);
		field(r, name, disclosed(masked[3 * i + 1]));
		snprintf(name, sizeof name, "data.masked[%d].value", i);
		field(r, name, masked[3 * i + 2] ? disclosed(masked[3 * i + 2]) : withheld());
	}
	json_array_append_new(json_object_get(bundle, "records"), r);
}

static void withheld_fields_show_the_masked_rendering_of_the_last_view(void **state)
{
	static const char *const latest[] = {
		"msg_000000000000000000000003", "text", "耳机**没有声音MASKED",
		"lge_000000000000000000000001", "detail", "快递员张** 138****5678 已签收",
		"mer_000000000000000000000001", "contact.phone", "139****5678",
		"mer_000000000000000000000001", "legal_name", "NOTSHOWN-disclosed-field",
		"ord_000000000000000000000001", "consumer.phone", NULL,
	};
	static const char *const older[] = {
		"msg_000000000000000000000003", "text", "OLDERVIEWMASK",
	};
	json_t *b = make_bundle(3, 0), *recs = json_object_get(b, "records");
	json_t *lge = json_array_get(recs, 2), *msg = json_array_get(recs, 7);
	const char *msg_c;
	struct pdf_cover cover;
	struct rendered r;
	char *text;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(msg, "id")),
			    "msg_000000000000000000000003");
	msg_c = json_string_value(json_object_get(
		json_object_get(json_object_get(msg, "fields"), "text"), "commitment"));
	assert_non_null(msg_c);
	field(lge, "detail", withheld());
	/* the newest view first by chain seq, though not in the array */
	add_view(b, "dsc_1", 9, latest, 5);
	add_view(b, "dsc_1", 4, older, 1);
	memset(&cover, 0, sizeof cover);
	cover.package_id = "dsc_1";
	render(b, &cover, &r);
	text = pdf_text(r.path);
	/* each masked text, then the note (pdftotext may put a space between: the note is smaller) */
	assert_non_null(strstr(text, "耳机**没有声音MASKED"));
	assert_non_null(strstr(text, "快递员张** 138****5678 已签收"));
	assert_non_null(strstr(text, "139****5678"));
	assert_true(occurrences(text, "（已遮蔽 / masked）") >= 3);
	assert_non_null(strstr(text, "5. 标为“已遮蔽”的字段同样未予提供"));
	/* the masked text stands in for the commitment; the value is nowhere */
	assert_null(strstr(text, msg_c));
	assert_null(strstr(text, SECRET_PHONE));
	assert_null(strstr(text, "OLDERVIEWMASK"));
	/* a disclosed field shows its value; a withheld one without a rendering, its commitment */
	assert_null(strstr(text, "NOTSHOWN-disclosed-field"));
	assert_non_null(strstr(text, MERCHANT_NAME));
	assert_non_null(strstr(text, "已隐去 (withheld): commitment"));
	free(text);
	rendered_free(&r);

	/* the PDF of another disclosure shows its own view's renderings */
	add_view(b, "dsc_2", 2, older, 1);
	cover.package_id = "dsc_2";
	render(b, &cover, &r);
	text = pdf_text(r.path);
	assert_non_null(strstr(text, "OLDERVIEWMASK"));
	assert_true(occurrences(text, "（已遮蔽 / masked）") >= 1);
	assert_null(strstr(text, "耳机**没有声音MASKED"));
	free(text);
	rendered_free(&r);
	json_decref(b);
}

static void without_a_masked_rendering_the_verify_page_says_nothing_of_masking(void **state)
{
	json_t *b = make_bundle(3, 0);
	struct rendered r;
	char *text;

	(void)state;
	add_view(b, "dsc_1", 9, NULL, 0);
	render(b, NULL, &r);
	text = pdf_text(r.path);
	assert_null(strstr(text, "已遮蔽"));
	assert_non_null(strstr(text, "已隐去 (withheld): commitment"));
	free(text);
	rendered_free(&r);
	json_decref(b);
}

static void long_tables_break_across_pages_and_keep_every_row(void **state)
{
	json_t *b = make_bundle(NMESSAGES, 0);
	struct rendered r;
	char *text, mark[32];
	int i;

	(void)state;
	render(b, NULL, &r);
	text = pdf_text(r.path);
	for (i = 4; i <= NMESSAGES; i++) {
		snprintf(mark, sizeof mark, "row%dmark", i);
		assert_non_null(strstr(text, mark));
	}
	assert_non_null(strstr(text, "LONGMESSAGEEND"));
	assert_true(pages(r.path) >= 8);
	/* each page says which it is of how many */
	snprintf(mark, sizeof mark, "共 %d 页", pages(r.path));
	assert_non_null(strstr(text, mark));
	free(text);
	rendered_free(&r);
	json_decref(b);
}

static void png_and_jpeg_are_embedded_and_bad_bytes_are_not(void **state)
{
	json_t *b = make_bundle(3, 0), *bad = make_bundle(3, 1);
	struct rendered r, rb;
	char *list, *text;

	(void)state;
	render(b, NULL, &r);
	list = run("pdfimages -list %s", r.path);
	assert_non_null(strstr(list, "   40    30  rgb"));
	assert_non_null(strstr(list, "jpeg")); /* the JPEG itself, not re-encoded */
	free(list);
	rendered_free(&r);

	/* a PNG whose bytes do not hash to its id is named, not shown */
	render(bad, NULL, &rb);
	list = run("pdfimages -list %s", rb.path);
	assert_null(strstr(list, "   40    30  rgb"));
	assert_non_null(strstr(list, "jpeg"));
	text = pdf_text(rb.path);
	assert_non_null(strstr(text, "content does not match its digest"));
	free(text);
	free(list);
	rendered_free(&rb);
	json_decref(b);
	json_decref(bad);
}

static void a_bundle_of_another_shape_is_refused(void **state)
{
	json_t *b = json_pack("{s:s, s:[{s:s}]}", "format", "disputed-bundle/v2", "records", "type",
			      "order");
	json_t *old = json_pack("{s:s}", "format", "disputed-bundle/v1");
	struct buf out;
	struct err e;

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(pdf_render_package(b, NULL, NULL, &out, &e), RC_INVAL);
	assert_string_equal(e.code, "invalid_bundle");
	assert_string_equal(e.param, "records[0]");
	assert_int_equal(pdf_render_package(old, NULL, NULL, &out, &e), RC_INVAL);
	assert_string_equal(e.param, "format");
	assert_int_equal(out.len, 0);
	buf_release(&out);
	json_decref(b);
	json_decref(old);
}

struct failing_sink {
	size_t taken;  /* bytes accepted so far */
	size_t limit;  /* then RC_IO */
};

static int failing_write(void *arg, const unsigned char *data, size_t len)
{
	struct failing_sink *s = arg;

	(void)data;
	if (s->taken + len > s->limit)
		return RC_IO;
	s->taken += len;
	return RC_OK;
}

static void a_failing_sink_or_a_full_buffer_stops_the_render(void **state)
{
	json_t *b = make_bundle(3, 0);
	struct failing_sink s = {0, 4096};
	struct buf small;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(pdf_render_package_to(b, NULL, NULL, failing_write, &s, &e), RC_IO);
	assert_true(s.taken <= 4096);
	buf_init(&small, 2048);
	assert_int_equal(pdf_render_package(b, NULL, NULL, &small, &e), RC_TOOBIG);
	buf_release(&small);
	json_decref(b);
}

static void the_fonts_are_installed(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(pdf_fonts_check(&e), RC_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_fonts_are_installed),
		cmocka_unit_test(renders_a_pdf_from_header_to_trailer),
		cmocka_unit_test(chinese_text_cover_and_verify_page_are_extractable),
		cmocka_unit_test(withheld_fields_show_their_commitment_only),
		cmocka_unit_test(withheld_fields_show_the_masked_rendering_of_the_last_view),
		cmocka_unit_test(without_a_masked_rendering_the_verify_page_says_nothing_of_masking),
		cmocka_unit_test(long_tables_break_across_pages_and_keep_every_row),
		cmocka_unit_test(png_and_jpeg_are_embedded_and_bad_bytes_are_not),
		cmocka_unit_test(a_bundle_of_another_shape_is_refused),
		cmocka_unit_test(a_failing_sink_or_a_full_buffer_stops_the_render),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
