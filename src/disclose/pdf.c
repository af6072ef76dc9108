/* pdf.c - the package PDF as a document: fonts, pages with header and footer, text blocks and tables that break across pages, and the two passes that render it. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pdf_int.h"
#include "evidence/bundle.h"

/* ---- the page engine ---- */

int pdf_fail(struct pdf_doc *d, int rc, const char *code, const char *fmt, const char *arg)
{
	if (d->rc == RC_OK) {
		d->rc = rc;
		err_set(d->e, rc, code, NULL, fmt, arg);
	}
	return d->rc;
}

static PangoLayout *layout_new(struct pdf_doc *d, enum pdf_style st, const char *markup,
			       double width)
{
	static const struct {
		const char *font;
	} styles[] = {
		[ST_TITLE] = {FONT_TEXT " Bold 19"},
		[ST_H1] = {FONT_TEXT " Bold 14"},
		[ST_H2] = {FONT_TEXT " Bold 10.5"},
		[ST_BODY] = {FONT_TEXT " 9.5"},
		[ST_SMALL] = {FONT_TEXT " 8"},
		[ST_CODE] = {FONT_MONO " 8"},
		[ST_CELL] = {FONT_TEXT " 8"},
		[ST_MARGIN] = {FONT_TEXT " 7"},
	};
	PangoLayout *l = pango_layout_new(d->pc);
	PangoFontDescription *fd = pango_font_description_from_string(styles[st].font);

	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	if (st == ST_BODY || st == ST_SMALL)
		pango_layout_set_spacing(l, (int)(2 * PANGO_SCALE));
	pango_layout_set_markup(l, markup, -1);
	return l;
}

static void draw_margin_text(struct pdf_doc *d, const char *text, double x, double y,
			     double width, PangoAlignment align)
{
	GString *m = g_string_new(SPAN_GREY);
	PangoLayout *l;

	pdf_mk_text(m, text);
	g_string_append(m, SPAN_END);
	l = layout_new(d, ST_MARGIN, m->str, width);
	pango_layout_set_alignment(l, align);
	pango_layout_set_wrap(l, PANGO_WRAP_CHAR);
	pango_layout_set_height(l, -1); /* one line */
	pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_MIDDLE);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, l);
	g_object_unref(l);
	g_string_free(m, TRUE);
}

static void page_end(struct pdf_doc *d)
{
	char text[128];

	if (d->page == 0 || !d->cr)
		return;
	snprintf(text, sizeof text, "第 %d 页，共 %d 页 · Page %d of %d", d->page, d->npages,
		 d->page, d->npages);
	cairo_set_source_rgb(d->cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(d->cr, 0.5);
	cairo_move_to(d->cr, MARGIN_X, BODY_BOTTOM + 14);
	cairo_line_to(d->cr, PAGE_W - MARGIN_X, BODY_BOTTOM + 14);
	cairo_stroke(d->cr);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	draw_margin_text(d, text, MARGIN_X, BODY_BOTTOM + 20, BODY_W, PANGO_ALIGN_CENTER);
	cairo_show_page(d->cr);
}

static void draw_cells(struct pdf_doc *d, PangoLayout **cells, const double *widths, int n,
		       int border, int shade);

/* The head row of table `t`, shaded; then `t` is the open table (not while its head is drawn). */
static void draw_head(struct pdf_doc *d, const struct pdf_table *t)
{
	PangoLayout *head[PDF_MAX_COLS];
	int i;

	d->table = NULL;
	for (i = 0; i < t->ncols && i < PDF_MAX_COLS; i++)
		head[i] = layout_new(d, ST_CELL, t->head[i], t->widths[i] - 2 * CELL_PAD);
	draw_cells(d, head, t->widths, i, 1, 1);
	while (i-- > 0)
		g_object_unref(head[i]);
	d->table = t;
}

void pdf_page_new(struct pdf_doc *d)
{
	char left[320], right[160];
	const struct pdf_table *t = d->table;

	page_end(d);
	d->page++;
	d->y = BODY_TOP;
	if (d->cr) {
		snprintf(left, sizeof left, "证据材料 Evidence package · %s", d->package_id);
		snprintf(right, sizeof right, "订单 Order %s", d->order_id);
		draw_margin_text(d, left, MARGIN_X, 34, BODY_W * 0.6, PANGO_ALIGN_LEFT);
		draw_margin_text(d, right, MARGIN_X + BODY_W * 0.6, 34, BODY_W * 0.4,
				 PANGO_ALIGN_RIGHT);
		cairo_set_source_rgb(d->cr, 0.6, 0.6, 0.6);
		cairo_set_line_width(d->cr, 0.5);
		cairo_move_to(d->cr, MARGIN_X, 50);
		cairo_line_to(d->cr, PAGE_W - MARGIN_X, 50);
		cairo_stroke(d->cr);
		cairo_set_source_rgb(d->cr, 0, 0, 0);
	}
	if (t)
		draw_head(d, t); /* the table's head again */
	d->fresh_y = d->y;
}

/* Lines of a layout, their vertical extents in points, drawn in slices across pages. */
struct flow {
	PangoLayout *layout; /* borrowed */
	int nlines;          /* lines in it */
	int next;            /* the first line not yet drawn */
	double *top;         /* nlines tops */
	double *bottom;      /* nlines bottoms */
	double *baseline;    /* nlines baselines */
};

static int flow_init(struct flow *f, PangoLayout *l)
{
	PangoLayoutIter *it;
	int i = 0, y0, y1;

	memset(f, 0, sizeof *f);
	f->layout = l;
	f->nlines = pango_layout_get_line_count(l);
	f->top = calloc((size_t)f->nlines + 1, 3 * sizeof(double));
	if (!f->top)
		return RC_NOMEM;
	f->bottom = f->top + f->nlines;
	f->baseline = f->bottom + f->nlines;
	it = pango_layout_get_iter(l);
	do {
		if (i >= f->nlines)
			break;
		pango_layout_iter_get_line_yrange(it, &y0, &y1);
		f->top[i] = (double)y0 / PANGO_SCALE;
		f->bottom[i] = (double)y1 / PANGO_SCALE;
		f->baseline[i] = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		i++;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	f->nlines = i;
	return RC_OK;
}

static double flow_height(const struct flow *f)
{
	return f->nlines ? f->bottom[f->nlines - 1] - f->top[0] : 0;
}

/*
 * Draw a row of cells (a paragraph is a row of one borderless cell) from
 * d->y: on this page if it fits, else on the next; a row taller than a
 * page goes on in slices, line by line, each cell where it stopped.
 */
static void draw_cells(struct pdf_doc *d, PangoLayout **cells, const double *widths, int n,
		       int border, int shade)
{
	struct flow f[PDF_MAX_COLS];
	double pad = border ? CELL_PAD : 0, full = 0, need, avail, x, used;
	int i, k, left, first = 1;

	if (n > PDF_MAX_COLS)
		n = PDF_MAX_COLS;
	for (i = 0; i < n; i++) {
		if (flow_init(&f[i], cells[i]) != RC_OK) {
			while (i-- > 0)
				free(f[i].top);
			pdf_fail(d, RC_NOMEM, "nomem", "out of memory%s", "");
			return;
		}
		if (flow_height(&f[i]) > full)
			full = flow_height(&f[i]);
	}
	for (;;) {
		left = 0;
		need = 0;
		for (i = 0; i < n; i++) {
			if (f[i].next >= f[i].nlines)
				continue;
			left = 1;
			if (f[i].bottom[f[i].next] - f[i].top[f[i].next] > need)
				need = f[i].bottom[f[i].next] - f[i].top[f[i].next];
		}
		if (!left)
			break;
		avail = BODY_BOTTOM - d->y - 2 * pad;
		/* a new page when the next lines do not fit, or to keep a row whole that fits on one */
		if (avail < need ||
		    (first && full > avail && full <= BODY_BOTTOM - d->fresh_y - 2 * pad)) {
			if (d->y > d->fresh_y + 0.5) {
				pdf_page_new(d);
				first = 0;
				continue;
			}
			if (avail < need)
				avail = need; /* a line taller than a page: let it overflow */
		}
		first = 0;
		used = 0;
		for (i = 0; i < n; i++) {
			double start;

			if (f[i].next >= f[i].nlines)
				continue;
			start = f[i].top[f[i].next];
			for (k = f[i].next; k < f[i].nlines; k++)
				if (f[i].bottom[k] - start > avail && k > f[i].next)
					break;
			if (f[i].bottom[k - 1] - start > used)
				used = f[i].bottom[k - 1] - start;
		}
		x = MARGIN_X;
		if (d->cr && shade) {
			cairo_set_source_rgb(d->cr, 0.93, 0.93, 0.93);
			cairo_rectangle(d->cr, x, d->y, BODY_W, used + 2 * pad);
			cairo_fill(d->cr);
		}
		for (i = 0; i < n; i++) {
			double start;

			if (f[i].next < f[i].nlines) {
				start = f[i].top[f[i].next];
				for (k = f[i].next; k < f[i].nlines; k++) {
					if (f[i].bottom[k] - start > avail && k > f[i].next)
						break;
					if (d->cr) {
						cairo_set_source_rgb(d->cr, 0, 0, 0);
						cairo_move_to(d->cr, x + pad,
							      d->y + pad + f[i].baseline[k] - start);
						pango_cairo_show_layout_line(
							d->cr, pango_layout_get_line_readonly(f[i].layout, k));
					}
				}
				f[i].next = k;
			}
			if (d->cr && border) {
				cairo_set_source_rgb(d->cr, 0.55, 0.55, 0.55);
				cairo_set_line_width(d->cr, 0.4);
				cairo_rectangle(d->cr, x, d->y, widths[i], used + 2 * pad);
				cairo_stroke(d->cr);
			}
			x += widths[i];
		}
		d->y += used + 2 * pad;
	}
	for (i = 0; i < n; i++)
		free(f[i].top);
}

/* A block of text in `st`, full width, then `after` points of space. */
void pdf_block(struct pdf_doc *d, enum pdf_style st, const char *markup, double after)
{
	static const double widths[1] = {BODY_W};
	PangoLayout *l;

	if (d->rc)
		return;
	l = layout_new(d, st, markup, BODY_W);
	draw_cells(d, &l, widths, 1, 0, 0);
	g_object_unref(l);
	d->y += after;
}

/* A block of markup in `st`, boxed, as one cell of the open table if there is one. */
void pdf_box(struct pdf_doc *d, enum pdf_style st, const char *markup)
{
	static const double widths[1] = {BODY_W};
	PangoLayout *l;

	if (d->rc)
		return;
	l = layout_new(d, st, markup, BODY_W - 2 * CELL_PAD);
	draw_cells(d, &l, widths, 1, 1, 0);
	g_object_unref(l);
}

/* Plain text (escaped here) as a block. */
void pdf_text(struct pdf_doc *d, enum pdf_style st, const char *text, double after)
{
	GString *m = g_string_new(NULL);

	pdf_mk_text(m, text);
	pdf_block(d, st, m->str, after);
	g_string_free(m, TRUE);
}

/* A section heading that starts a new page, or a sub-heading kept with what follows. */
void pdf_heading(struct pdf_doc *d, const char *text, int new_page)
{
	if (new_page)
		pdf_page_new(d);
	else if (d->y + 60 > BODY_BOTTOM)
		pdf_page_new(d);
	pdf_text(d, new_page ? ST_H1 : ST_H2, text, new_page ? 8 : 4);
}

void pdf_table_begin(struct pdf_doc *d, const struct pdf_table *t)
{
	if (d->rc)
		return;
	if (d->y + 50 > BODY_BOTTOM)
		pdf_page_new(d);
	draw_head(d, t);
}

/* One row; frees the markups. */
void pdf_table_row(struct pdf_doc *d, GString **cells)
{
	const struct pdf_table *t = d->table;
	PangoLayout *l[PDF_MAX_COLS];
	int i;

	for (i = 0; t && !d->rc && i < t->ncols && i < PDF_MAX_COLS; i++)
		l[i] = layout_new(d, ST_CELL, cells[i]->str, t->widths[i] - 2 * CELL_PAD);
	if (t && !d->rc)
		draw_cells(d, l, t->widths, i, 1, 0);
	for (i = 0; t && !d->rc && i < t->ncols && i < PDF_MAX_COLS; i++)
		g_object_unref(l[i]);
	for (i = 0; t && i < t->ncols && i < PDF_MAX_COLS; i++)
		g_string_free(cells[i], TRUE);
}

void pdf_table_end(struct pdf_doc *d, double after)
{
	d->table = NULL;
	d->y += after;
}

void pdf_cells_new(GString **c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		c[i] = g_string_new(NULL);
}

/* ---- the document ---- */

static int bundle_check(const json_t *b, struct err *e)
{
	const json_t *r;
	size_t i;
	char param[64];

	if (!json_is_object(b) || !pdf_str(b, "format") ||
	    strcmp(pdf_str(b, "format"), BUNDLE_FORMAT) != 0)
		return err_set(e, RC_INVAL, "invalid_bundle", "format",
			       "bundle is not in the format " BUNDLE_FORMAT);
	if (!json_is_array(json_object_get(b, "records")))
		return err_set(e, RC_INVAL, "invalid_bundle", "records", "bundle has no records array");
	json_array_foreach(json_object_get(b, "records"), i, r) {
		snprintf(param, sizeof param, "records[%zu]", i);
		if (!pdf_str(r, "type") || !pdf_str(r, "id") ||
		    !json_is_object(json_object_get(r, "fields")))
			return err_set(e, RC_INVAL, "invalid_bundle", param,
				       "record has no type, id or fields");
	}
	if (json_object_get(b, "blobs") && !json_is_array(json_object_get(b, "blobs")))
		return err_set(e, RC_INVAL, "invalid_bundle", "blobs", "bundle blobs are not an array");
	return RC_OK;
}

/* Load each face through fontconfig; fail if fontconfig substitutes another family. */
static int fonts_check(PangoFontMap *map, PangoContext *pc, struct err *e)
{
	static const char *const families[] = {FONT_TEXT, FONT_MONO};
	size_t i;

	for (i = 0; i < sizeof families / sizeof families[0]; i++) {
		PangoFontDescription *want = pango_font_description_from_string(families[i]);
		PangoFont *font = pango_font_map_load_font(map, pc, want);
		PangoFontDescription *got = font ? pango_font_describe(font) : NULL;
		const char *fam = got ? pango_font_description_get_family(got) : NULL;
		int ok = fam && g_ascii_strcasecmp(fam, families[i]) == 0;

		if (got)
			pango_font_description_free(got);
		if (font)
			g_object_unref(font);
		pango_font_description_free(want);
		if (!ok)
			return err_set(e, RC_INTERNAL, "font_missing", NULL,
				       "font %s is not installed (Debian package " FONT_PACKAGE
				       "), fontconfig offered %s instead",
				       families[i], fam ? fam : "nothing");
	}
	return RC_OK;
}

static int doc_fonts_init(struct pdf_doc *d)
{
	cairo_font_options_t *fo;

	d->fontmap = pango_cairo_font_map_new();
	if (!d->fontmap)
		return err_set(d->e, RC_NOMEM, "nomem", NULL, "cannot make a font map");
	d->pc = pango_font_map_create_context(d->fontmap);
	if (!d->pc)
		return err_set(d->e, RC_NOMEM, "nomem", NULL, "cannot make a pango context");
	/* unhinted metrics: the same layout in the counting and the drawing pass, as in print */
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(d->pc, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_language(d->pc, pango_language_from_string("zh-cn"));
	return fonts_check(d->fontmap, d->pc, d->e);
}

static void doc_render(struct pdf_doc *d)
{
	d->page = 0;
	d->y = BODY_TOP;
	d->table = NULL;
	d->nmasked = 0;
	pdf_section_cover(d);
	pdf_section_catalogue(d);
	pdf_section_transaction(d);
	pdf_section_chat(d);
	pdf_section_logistics(d);
	pdf_section_timeline(d);
	pdf_section_images(d);
	pdf_section_verify(d);
	page_end(d);
}

static cairo_status_t doc_write(void *arg, const unsigned char *data, unsigned int len)
{
	struct pdf_doc *d = arg;
	int rc;

	if (d->write_rc)
		return CAIRO_STATUS_WRITE_ERROR;
	rc = d->write(d->write_arg, data, len);
	if (rc != RC_OK) {
		d->write_rc = rc;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

int pdf_render_package_to(const json_t *bundle, const struct pdf_cover *cover,
			  const char *data_dir, pdf_write_fn *write, void *arg, struct err *e)
{
	static const struct pdf_cover none;
	struct pdf_doc d;
	char title[320];
	int rc;

	memset(&d, 0, sizeof d);
	d.e = e;
	d.write = write;
	d.write_arg = arg;
	d.bundle = bundle;
	d.cover = cover ? cover : &none;
	d.data_dir = data_dir;
	rc = bundle_check(bundle, e);
	if (rc)
		goto out;
	d.records = json_object_get(bundle, "records");
	d.order_id = pdf_str(bundle, "order") ? pdf_str(bundle, "order") : "—";
	d.package_id = d.cover->package_id ? d.cover->package_id : d.order_id;
	rc = pdf_masked_load(&d);
	if (rc) {
		err_set(e, rc, "nomem", NULL, "out of memory reading the masked renderings");
		goto out;
	}
	rc = doc_fonts_init(&d);
	if (rc)
		goto out;

	/* first pass: lay out without drawing, to count the pages */
	doc_render(&d);
	rc = d.rc;
	if (rc)
		goto out;
	d.npages = d.page;

	d.surface = cairo_pdf_surface_create_for_stream(doc_write, &d, PAGE_W, PAGE_H);
	d.cr = cairo_create(d.surface);
	if (cairo_status(d.cr) != CAIRO_STATUS_SUCCESS) {
		rc = err_set(e, RC_NOMEM, "nomem", NULL, "cannot start the pdf: %s",
			     cairo_status_to_string(cairo_status(d.cr)));
		goto out;
	}
	snprintf(title, sizeof title, "证据材料 Evidence package %s", d.package_id);
	cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_CREATOR, "disputed");
	doc_render(&d);
	rc = d.rc;
	if (rc)
		goto out;
	if (d.page != d.npages) {
		rc = err_set(e, RC_INTERNAL, "pdf_layout", NULL,
			     "pdf layout changed between passes (%d pages, then %d)", d.npages, d.page);
		goto out;
	}
	cairo_surface_finish(d.surface);
	if (d.write_rc) {
		rc = d.write_rc;
		if (e && e->rc != rc)
			err_set(e, rc, "write_failed", NULL, "writing the pdf failed");
		goto out;
	}
	if (cairo_status(d.cr) != CAIRO_STATUS_SUCCESS ||
	    cairo_surface_status(d.surface) != CAIRO_STATUS_SUCCESS) {
		rc = err_set(e, RC_IO, "pdf_failed", NULL, "cairo failed: %s",
			     cairo_status_to_string(cairo_status(d.cr) ? cairo_status(d.cr)
								  : cairo_surface_status(d.surface)));
		goto out;
	}
out:
	if (d.cr)
		cairo_destroy(d.cr);
	if (d.surface)
		cairo_surface_destroy(d.surface);
	if (d.pc)
		g_object_unref(d.pc);
	if (d.fontmap)
		g_object_unref(d.fontmap);
	json_decref(d.masked);
	return rc;
}

static int buf_sink(void *arg, const unsigned char *data, size_t len)
{
	return buf_append(arg, data, len);
}

int pdf_render_package(const json_t *bundle, const struct pdf_cover *cover,
		       const char *data_dir, struct buf *out, struct err *e)
{
	return pdf_render_package_to(bundle, cover, data_dir, buf_sink, out, e);
}

int pdf_fonts_check(struct err *e)
{
	PangoFontMap *map = pango_cairo_font_map_new();
	PangoContext *pc = map ? pango_font_map_create_context(map) : NULL;
	int rc;

	if (!pc)
		rc = err_set(e, RC_NOMEM, "nomem", NULL, "cannot make a font map");
	else
		rc = fonts_check(map, pc, e);
	if (pc)
		g_object_unref(pc);
	if (map)
		g_object_unref(map);
	return rc;
}
