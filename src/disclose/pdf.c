/* pdf.c - renders an evidence bundle as a readable PDF with cairo and pango: page engine, tables that break across pages, sections, embedded images. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pango/pangocairo.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpeglib.h>
#include <setjmp.h>

#include "core/timeutil.h"
#include "disclose/pdf.h"
#include "evidence/blobstore.h"
#include "evidence/bundle.h"
#include "evidence/leaf.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/* A4 in points, and the body of each page between header and footer. */
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN_X 48.0
#define BODY_TOP 66.0
#define BODY_BOTTOM (PAGE_H - 58.0)
#define BODY_W (PAGE_W - 2 * MARGIN_X)
#define CELL_PAD 3.0

/*
 * Text in Noto Serif CJK SC (宋体 style, as Chinese court papers are set),
 * hashes and commands in Noto Sans Mono CJK SC. Noto Sans CJK SC is left
 * out on purpose: cairo 1.16 does not subset its CFF subroutines, so each
 * face of it used adds about 0.9 MB to every PDF (the serif, 0.3 MB).
 */
#define FONT_TEXT "Noto Serif CJK SC"
#define FONT_MONO "Noto Sans Mono CJK SC"
#define FONT_PACKAGE "fonts-noto-cjk"

/* Images: the most pixels decoded (bounded memory), the widest kept, the tallest drawn. */
#define IMAGE_MAX_PIXELS (24u * 1024 * 1024)
#define IMAGE_MAX_SIDE 20000u
#define IMAGE_MAX_H 330.0
#define JPEG_TARGET_W 2000u

/* Markup spans used in cells. */
#define SPAN_MONO "<span font_family=\"" FONT_MONO "\" size=\"6600\">"
#define SPAN_GREY "<span foreground=\"#555555\">"
#define SPAN_UTC "<span foreground=\"#555555\" size=\"6600\">"
#define SPAN_HELD "<span foreground=\"#8a1c1c\">"
#define SPAN_END "</span>"

/* Styles of the text blocks outside tables. */
enum pdf_style {
	ST_TITLE,  /* the cover's title */
	ST_H1,     /* a section heading */
	ST_H2,     /* a sub-heading */
	ST_BODY,   /* running text */
	ST_SMALL,  /* notes */
	ST_CODE,   /* commands and the checkpoint */
	ST_CELL,   /* table cells */
	ST_MARGIN, /* page header and footer */
};

struct pdf_table {
	int ncols;                 /* columns */
	const double *widths;      /* ncols widths in points, summing to BODY_W */
	const char *const *head;   /* ncols header markups */
};

struct pdf_doc {
	cairo_surface_t *surface;     /* the PDF surface; NULL in the counting pass */
	cairo_t *cr;                  /* drawing context; NULL in the counting pass */
	PangoFontMap *fontmap;        /* this render's own font map (thread safety) */
	PangoContext *pc;             /* layouts are made here, the same in both passes */
	int page;                     /* current page, from 1; 0 before the first */
	int npages;                   /* pages in all, from the counting pass; 0 during it */
	double y;                     /* next free y on the page */
	double fresh_y;               /* y where the current page's body (below a repeated table head) starts */
	const struct pdf_table *table; /* the table being drawn: its head repeats on a new page */
	const json_t *bundle;         /* borrowed */
	const json_t *records;        /* the bundle's records array */
	const char *package_id;       /* header text */
	const char *order_id;         /* the bundle's order */
	const struct pdf_cover *cover; /* never NULL (an empty cover when the caller gave none) */
	const char *data_dir;         /* blob store, or NULL */
	pdf_write_fn *write;          /* the caller's sink */
	void *write_arg;              /* its argument */
	int write_rc;                 /* what the sink returned when it failed */
	int rc;                       /* the first failure */
	struct err *e;                /* its details */
};

/* ---- small helpers ---- */

static int doc_fail(struct pdf_doc *d, int rc, const char *code, const char *fmt, const char *arg)
{
	if (d->rc == RC_OK) {
		d->rc = rc;
		err_set(d->e, rc, code, NULL, fmt, arg);
	}
	return d->rc;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The field object of a record, or NULL. */
static const json_t *rec_field(const json_t *rec, const char *name)
{
	return json_object_get(json_object_get(rec, "fields"), name);
}

/* A disclosed field's value, or NULL (withheld or absent). */
static const char *rec_value(const json_t *rec, const char *name)
{
	return jstr(rec_field(rec, name), "value");
}

static void mk_text(GString *m, const char *text)
{
	char *esc = g_markup_escape_text(text ? text : "", -1);

	g_string_append(m, esc);
	g_free(esc);
}

static void mk_span(GString *m, const char *span, const char *text)
{
	g_string_append(m, span);
	mk_text(m, text);
	g_string_append(m, SPAN_END);
}

/* A field as shown: its value, "已隐去 (withheld): commitment …", or a dash. */
static void mk_field(GString *m, const json_t *rec, const char *name)
{
	const json_t *f = rec_field(rec, name);
	const char *v = jstr(f, "value"), *c = jstr(f, "commitment");

	if (v) {
		mk_text(m, v);
	} else if (c) {
		g_string_append(m, SPAN_HELD "已隐去 (withheld): commitment " SPAN_END);
		mk_span(m, SPAN_MONO, c);
	} else {
		g_string_append(m, "—");
	}
}

/* Money in fen as "19.99 (1999 分 fen)", else the text itself. */
static void mk_amount(GString *m, const char *fen)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = fen ? strtoll(fen, &end, 10) : 0;
	if (!fen || errno || end == fen || *end || v == LLONG_MIN) {
		mk_text(m, fen);
		return;
	}
	g_string_append_printf(m, "%s%lld.%02lld (%lld 分 fen)", v < 0 ? "-" : "",
			       llabs(v) / 100, llabs(v) % 100, v);
}

/* An RFC 3339 time as "2025-10-03 18:00:00 (UTC+8)" and, below, the UTC text. */
static void mk_time(GString *m, const char *rfc)
{
	int64_t ms;
	time_t t;
	struct tm tm;
	char local[40];

	if (!rfc) {
		g_string_append(m, "—");
		return;
	}
	if (time_parse(rfc, &ms) != RC_OK) {
		mk_text(m, rfc);
		return;
	}
	t = (time_t)(ms / 1000) + 8 * 3600;
	if (!gmtime_r(&t, &tm) || !strftime(local, sizeof local, "%Y-%m-%d %H:%M:%S", &tm)) {
		mk_text(m, rfc);
		return;
	}
	g_string_append_printf(m, "%s (UTC+8)\n", local);
	mk_span(m, SPAN_UTC, rfc);
}

struct vocab {
	const char *key;  /* the bundle's word */
	const char *text; /* what the reader sees */
};

static const char *vocab_find(const struct vocab *v, const char *key)
{
	for (; key && v->key; v++)
		if (strcmp(v->key, key) == 0)
			return v->text;
	return NULL;
}

static const struct vocab type_names[] = {
	{"merchant", "经营者身份 Merchant identity"},
	{"listing", "商品页面 Listing"},
	{"order", "订单 Order"},
	{"payment", "支付凭证 Payment"},
	{"logistics", "物流记录 Logistics event"},
	{"message", "聊天记录 Chat message"},
	{"dispute_event", "争议记录 Dispute event"},
	{"blob", "文件 File"},
	{"ledger_entry", "资金记录 Ledger entry"},
	{NULL, NULL},
};

static const struct vocab role_names[] = {
	{"consumer", "消费者 consumer"},
	{"merchant", "经营者 merchant"},
	{"platform", "平台 platform"},
	{"agent", "平台客服 agent"},
	{"system", "系统 system"},
	{"court", "法院 court"},
	{"association", "消费者协会 association"},
	{"regulator", "监管部门 regulator"},
	{NULL, NULL},
};

static const struct vocab status_names[] = {
	{"shipped", "已发货 shipped"},
	{"in_transit", "运输中 in transit"},
	{"delivered", "已送达 delivered"},
	{"signed", "已签收 signed"},
	{"returned", "已退回 returned"},
	{"lost", "丢失 lost"},
	{NULL, NULL},
};

/* Chinese labels of the fields readers meet most; others show their name only. */
static const struct vocab field_names[] = {
	{"kind", "主体类型"},
	{"legal_name", "名称"},
	{"uscc", "统一社会信用代码"},
	{"id_number", "身份证件号码"},
	{"registered_address", "注册地址"},
	{"contact.phone", "联系电话"},
	{"contact.email", "电子邮箱"},
	{"licence_image", "营业执照"},
	{"identity_complete", "身份信息完整"},
	{"external_id", "平台编号"},
	{"version", "版本"},
	{"merchant", "经营者"},
	{"title", "标题"},
	{"description", "描述"},
	{"price.amount", "价格"},
	{"price.currency", "币种"},
	{"return_exclusion", "不适用七日无理由退货"},
	{"compensation_multiplier", "赔偿倍数承诺"},
	{"consumer.id", "消费者编号"},
	{"consumer.external_id", "消费者平台编号"},
	{"consumer.name", "消费者姓名"},
	{"consumer.phone", "消费者电话"},
	{"total.amount", "订单总额"},
	{"total.currency", "币种"},
	{"order", "订单"},
	{"channel", "支付渠道"},
	{"transaction_id", "交易号"},
	{"paid_at", "支付时间"},
	{"amount", "金额"},
	{"currency", "币种"},
	{NULL, NULL},
};

static int is_amount_field(const char *name)
{
	size_t n = strlen(name);

	return n >= 6 && strcmp(name + n - 6, "amount") == 0;
}

static int is_time_field(const char *name)
{
	size_t n = strlen(name);

	return n >= 3 && (strcmp(name + n - 3, "_at") == 0);
}

/* ---- the page engine ---- */

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

	mk_text(m, text);
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

static void page_new(struct pdf_doc *d)
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
	if (t) {
		/* the table's head again, as a row that never splits */
		PangoLayout *head[16];
		int i;

		d->table = NULL;
		for (i = 0; i < t->ncols && i < 16; i++)
			head[i] = layout_new(d, ST_CELL, t->head[i], t->widths[i] - 2 * CELL_PAD);
		draw_cells(d, head, t->widths, i, 1, 1);
		while (i-- > 0)
			g_object_unref(head[i]);
		d->table = t;
	}
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
	struct flow f[16];
	double pad = border ? CELL_PAD : 0, full = 0, need, avail, x, used;
	int i, k, left, first = 1;

	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++) {
		if (flow_init(&f[i], cells[i]) != RC_OK) {
			while (i-- > 0)
				free(f[i].top);
			doc_fail(d, RC_NOMEM, "nomem", "out of memory%s", "");
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
				page_new(d);
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
static void doc_block(struct pdf_doc *d, enum pdf_style st, const char *markup, double after)
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

/* Plain text (escaped here) as a block. */
static void doc_text(struct pdf_doc *d, enum pdf_style st, const char *text, double after)
{
	GString *m = g_string_new(NULL);

	mk_text(m, text);
	doc_block(d, st, m->str, after);
	g_string_free(m, TRUE);
}

/* A section heading that starts a new page, or a sub-heading kept with what follows. */
static void doc_heading(struct pdf_doc *d, const char *text, int new_page)
{
	if (new_page)
		page_new(d);
	else if (d->y + 60 > BODY_BOTTOM)
		page_new(d);
	doc_text(d, new_page ? ST_H1 : ST_H2, text, new_page ? 8 : 4);
}

static void table_begin(struct pdf_doc *d, const struct pdf_table *t)
{
	PangoLayout *head[16];
	int i;

	if (d->rc)
		return;
	if (d->y + 50 > BODY_BOTTOM)
		page_new(d);
	for (i = 0; i < t->ncols && i < 16; i++)
		head[i] = layout_new(d, ST_CELL, t->head[i], t->widths[i] - 2 * CELL_PAD);
	draw_cells(d, head, t->widths, i, 1, 1);
	while (i-- > 0)
		g_object_unref(head[i]);
	d->table = t;
}

/* One row; frees the markups. */
static void table_row(struct pdf_doc *d, GString **cells)
{
	const struct pdf_table *t = d->table;
	PangoLayout *l[16];
	int i;

	for (i = 0; t && !d->rc && i < t->ncols && i < 16; i++)
		l[i] = layout_new(d, ST_CELL, cells[i]->str, t->widths[i] - 2 * CELL_PAD);
	if (t && !d->rc)
		draw_cells(d, l, t->widths, i, 1, 0);
	for (i = 0; t && !d->rc && i < t->ncols && i < 16; i++)
		g_object_unref(l[i]);
	for (i = 0; t && i < t->ncols && i < 16; i++)
		g_string_free(cells[i], TRUE);
}

static void table_end(struct pdf_doc *d, double after)
{
	d->table = NULL;
	d->y += after;
}

static void cells_new(GString **c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		c[i] = g_string_new(NULL);
}

/* ---- records ---- */

/* The leaf hash of a record, recomputed from it (base64 into out[45]); RC_INVAL if it cannot be. */
static int record_leaf_hash(const json_t *rec, char out[45])
{
	struct leaf_head h;
	struct buf leaf;
	struct err e;
	json_t *commits = json_object(), *chain = json_object_get(rec, "chain");
	const json_t *fields = json_object_get(rec, "fields"), *blobs = json_object_get(rec, "blobs");
	const char *name;
	json_t *f;
	uint8_t salt[LEAF_SALT_SIZE], c[32], hash[TLOG_HASH_SIZE];
	char text[64];
	size_t n;
	int rc = RC_INVAL;

	buf_init(&leaf, LEAF_MAX + 1);
	memset(&h, 0, sizeof h);
	h.type = jstr(rec, "type");
	h.id = jstr(rec, "id");
	if (!commits || !h.type || !h.id || !json_is_object(fields) || !json_is_array(blobs) ||
	    !jstr(rec, "time") || time_parse(jstr(rec, "time"), &h.time_ms) != RC_OK)
		goto out;
	if (chain) {
		h.order = jstr(chain, "order");
		h.seq = json_integer_value(json_object_get(chain, "seq"));
		h.prev = jstr(chain, "prev");
		h.links = json_object_get(chain, "links");
	}
	json_object_foreach((json_t *)fields, name, f) {
		const char *v = jstr(f, "value"), *s = jstr(f, "salt"), *cm = jstr(f, "commitment");

		if (cm) {
			if (json_object_set_new(commits, name, json_string(cm)))
				goto out;
			continue;
		}
		if (!v || !s ||
		    sodium_base642bin(salt, sizeof salt, s, strlen(s), NULL, &n, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 || n != sizeof salt)
			goto out;
		leaf_commit(name, salt, v, strlen(v), c);
		sodium_bin2base64(text, sizeof text, c, sizeof c, sodium_base64_VARIANT_ORIGINAL);
		if (json_object_set_new(commits, name, json_string(text)))
			goto out;
	}
	if (leaf_encode(&h, (json_t *)blobs, commits, &leaf, &e) != RC_OK)
		goto out;
	tlog_leaf_hash(leaf.data, leaf.len, hash);
	sodium_bin2base64(out, 45, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
	rc = RC_OK;
out:
	json_decref(commits);
	buf_release(&leaf);
	return rc;
}

/* The first record of `type`, or NULL. */
static const json_t *record_of(const struct pdf_doc *d, const char *type)
{
	size_t i;
	const json_t *r;

	json_array_foreach(d->records, i, r)
		if (jstr(r, "type") && strcmp(jstr(r, "type"), type) == 0)
			return r;
	return NULL;
}

/* The evidence-list number (from 1) of the record with `id` and `type`, or 0. */
static size_t record_number(const struct pdf_doc *d, const char *type, const char *id)
{
	size_t i;
	const json_t *r;

	json_array_foreach(d->records, i, r)
		if (jstr(r, "type") && jstr(r, "id") && strcmp(jstr(r, "type"), type) == 0 &&
		    strcmp(jstr(r, "id"), id) == 0)
			return i + 1;
	return 0;
}

static void mk_source(GString *m, const json_t *r)
{
	const char *t = jstr(r, "type");

	if (strcmp(t, "merchant") == 0) {
		g_string_append(m, "经营者登记\nMerchant registration");
	} else if (strcmp(t, "listing") == 0) {
		g_string_append(m, "经营者发布\nPublished by the merchant");
	} else if (strcmp(t, "order") == 0) {
		g_string_append(m, "平台订单系统\nPlatform order system");
	} else if (strcmp(t, "payment") == 0) {
		g_string_append(m, "支付渠道 Payment channel: ");
		mk_field(m, r, "channel");
	} else if (strcmp(t, "logistics") == 0) {
		g_string_append(m, "承运人 Carrier: ");
		mk_field(m, r, "carrier");
	} else if (strcmp(t, "message") == 0) {
		const char *s = rec_value(r, "sender");

		g_string_append(m, "发送方 Sender: ");
		if (s && vocab_find(role_names, s))
			mk_text(m, vocab_find(role_names, s));
		else
			mk_field(m, r, "sender");
	} else if (strcmp(t, "dispute_event") == 0) {
		const char *s = rec_value(r, "actor.role");

		g_string_append(m, "争议处理 Dispute: ");
		if (s && vocab_find(role_names, s))
			mk_text(m, vocab_find(role_names, s));
		else
			mk_field(m, r, "actor.role");
	} else if (strcmp(t, "blob") == 0) {
		g_string_append(m, "上传文件 Upload\n");
		mk_field(m, r, "content_type");
		g_string_append(m, ", ");
		mk_field(m, r, "size");
		g_string_append(m, " 字节 bytes");
	} else {
		g_string_append(m, "平台 Platform");
	}
}

/* ---- sections ---- */

static void cover_row(struct pdf_doc *d, const char *label, const char *given, const json_t *rec,
		      const char *field)
{
	GString *c[2];

	if (!given && !rec_field(rec, field))
		return;
	cells_new(c, 2);
	g_string_append(c[0], label);
	if (given)
		mk_text(c[1], given);
	else
		mk_field(c[1], rec, field);
	table_row(d, c);
}

static void section_cover(struct pdf_doc *d)
{
	static const double w[] = {176, BODY_W - 176};
	static const char *const head[] = {"<b>项目 Item</b>", "<b>内容 Content</b>"};
	static const struct pdf_table t = {2, w, head};
	const struct pdf_cover *cv = d->cover;
	const json_t *mer = record_of(d, "merchant"), *ord = record_of(d, "order");
	struct tlog_checkpoint ck;
	struct tlog_note note;
	struct err e;
	GString *m = g_string_new(NULL);
	char size[32] = "";

	page_new(d);
	d->y += 6;
	doc_text(d, ST_TITLE, "电子商务争议证据材料", 2);
	doc_text(d, ST_H1, "Evidence package of an e-commerce dispute", 4);
	doc_text(d, ST_SMALL,
		 "依据《中华人民共和国电子商务法》第六十一条、第六十二条提供 · "
		 "Provided under Articles 61 and 62 of the PRC E-Commerce Law", 18);

	table_begin(d, &t);
	cover_row(d, "材料编号 Package", d->package_id, NULL, NULL);
	cover_row(d, "订单 Order", d->order_id, NULL, NULL);
	if (cv->released_at) {
		GString *c[2];

		cells_new(c, 2);
		g_string_append(c[0], "提供时间 Released at");
		mk_time(c[1], cv->released_at);
		table_row(d, c);
	}
	if (cv->consumer) {
		cover_row(d, "消费者 Consumer", cv->consumer, NULL, NULL);
	} else if (ord) {
		GString *c[2];

		cells_new(c, 2);
		g_string_append(c[0], "消费者 Consumer");
		mk_field(c[1], ord, "consumer.name");
		g_string_append(c[1], "\n");
		mk_field(c[1], ord, "consumer.id");
		table_row(d, c);
	}
	if (cv->merchant) {
		cover_row(d, "经营者 Merchant", cv->merchant, NULL, NULL);
	} else if (mer) {
		GString *c[2];

		cells_new(c, 2);
		g_string_append(c[0], "经营者 Merchant");
		mk_field(c[1], mer, "legal_name");
		g_string_append(c[1], "\n");
		mk_text(c[1], jstr(mer, "id"));
		table_row(d, c);
	}
	table_end(d, 6);

	doc_heading(d, "经营者身份信息 Merchant identity", 0);
	if (cv->merchant_identity_note) {
		g_string_truncate(m, 0);
		g_string_append(m, "<b>" SPAN_HELD "注意 Note: ");
		mk_text(m, cv->merchant_identity_note);
		g_string_append(m, SPAN_END "</b>");
		doc_block(d, ST_BODY, m->str, 4);
	}
	table_begin(d, &t);
	cover_row(d, "主体类型 Kind", cv->merchant_kind, mer, "kind");
	cover_row(d, "名称 Legal name", cv->merchant_legal_name, mer, "legal_name");
	cover_row(d, "统一社会信用代码 USCC", cv->merchant_uscc, mer, "uscc");
	cover_row(d, "身份证件号码 ID number", cv->merchant_id_number, mer, "id_number");
	cover_row(d, "注册地址 Registered address", cv->merchant_address, mer, "registered_address");
	if (cv->merchant_contact) {
		cover_row(d, "联系方式 Contact", cv->merchant_contact, NULL, NULL);
	} else {
		cover_row(d, "联系电话 Phone", NULL, mer, "contact.phone");
		cover_row(d, "电子邮箱 Email", NULL, mer, "contact.email");
	}
	cover_row(d, "身份信息完整 Identity complete", NULL, mer, "identity_complete");
	table_end(d, 6);

	doc_heading(d, "提供情况 Release", 0);
	table_begin(d, &t);
	cover_row(d, "申请人 Requester", cv->requester ? cv->requester : "—", NULL, NULL);
	cover_row(d, "用途 Purpose", cv->purpose ? cv->purpose : "—", NULL, NULL);
	cover_row(d, "法律依据 Legal basis", cv->legal_basis ? cv->legal_basis : "—", NULL, NULL);
	cover_row(d, "文号 Reference", cv->reference, NULL, NULL);
	cover_row(d, "提供范围 Scope", cv->scope, NULL, NULL);
	{
		GString *c[2];
		const char *cp = cv->checkpoint ? cv->checkpoint : jstr(d->bundle, "checkpoint");

		cells_new(c, 2);
		g_string_append(c[0], "日志 Log");
		mk_span(c[1], SPAN_MONO, cv->log_origin ? cv->log_origin
				: jstr(json_object_get(d->bundle, "log"), "origin"));
		tlog_note_init(&note);
		if (cp && tlog_note_parse(&note, cp, strlen(cp), &e) == RC_OK &&
		    tlog_checkpoint_parse(&ck, note.text, note.text_len, &e) == RC_OK)
			snprintf(size, sizeof size, "%" PRIu64, ck.size);
		tlog_note_release(&note);
		g_string_append_printf(c[1], "\n检查点 checkpoint: %s 条 entries; %zu 项记录 records",
				       size[0] ? size : "—", json_array_size(d->records));
		table_row(d, c);
	}
	table_end(d, 14);

	doc_block(d, ST_SMALL,
		  "本 PDF 是证据包的阅读副本。具有证明力的是同时提供的 JSON 证据包（package.json）：其中每一项记录都由"
		  "透明日志的签名检查点约束，任何人可离线核验，方法见“如何核验”一页。标为“已隐去”的字段未予提供，"
		  "但其加盐承诺值已在日志中固定，内容不可更改。\n"
		  "This PDF is a reading copy. The evidence is the JSON package (package.json) it comes with: "
		  "every record in it is bound to a signed checkpoint of a transparency log and can be verified "
		  "offline, as the page “How to verify” explains. Fields marked “withheld” were not released, "
		  "yet their salted commitments are fixed in the log and cannot change.",
		  0);
	g_string_free(m, TRUE);
}

static void section_catalogue(struct pdf_doc *d)
{
	static const double w[] = {26, 64, 66, 96, 28, BODY_W - 280};
	static const char *const head[] = {
		"<b>序号</b>\nNo.", "<b>类型</b>\nType", "<b>来源</b>\nSource",
		"<b>时间</b>\nTime", "<b>叶</b>\nLeaf",
		"<b>记录编号 / 叶哈希 / 文件摘要</b>\nRecord id / leaf hash / file digest"};
	static const struct pdf_table t = {6, w, head};
	const json_t *r, *b;
	size_t i, j;
	char hash[45];

	doc_heading(d, "证据目录 Evidence list", 1);
	doc_block(d, ST_SMALL,
		  "每一项记录在透明日志中为一个叶子（leaf）。叶哈希由记录本身重新计算，可在日志中查到。"
		  "时间为平台收到记录的时间。\nEach record is one leaf of the transparency log; its leaf hash "
		  "is recomputed from the record and can be looked up in the log. Times are when the platform "
		  "received the record.",
		  6);
	table_begin(d, &t);
	json_array_foreach(d->records, i, r) {
		GString *c[6];
		const char *type = jstr(r, "type");

		cells_new(c, 6);
		g_string_append_printf(c[0], "%zu", i + 1);
		mk_text(c[1], vocab_find(type_names, type) ? vocab_find(type_names, type) : type);
		mk_source(c[2], r);
		mk_time(c[3], jstr(r, "time"));
		if (json_is_integer(json_object_get(r, "leaf_index")))
			g_string_append_printf(c[4], "%" JSON_INTEGER_FORMAT,
					       json_integer_value(json_object_get(r, "leaf_index")));
		g_string_append(c[5], SPAN_MONO);
		mk_text(c[5], jstr(r, "id"));
		g_string_append(c[5], SPAN_END "\n" SPAN_GREY "leaf " SPAN_END SPAN_MONO);
		mk_text(c[5], record_leaf_hash(r, hash) == RC_OK ? hash : "— (cannot be computed)");
		g_string_append(c[5], SPAN_END);
		json_array_foreach(json_object_get(r, "blobs"), j, b) {
			if (strcmp(type, "blob") == 0)
				break; /* a file's digest is its id */
			g_string_append(c[5], "\n" SPAN_GREY "file " SPAN_END SPAN_MONO);
			mk_text(c[5], json_string_value(b));
			g_string_append(c[5], SPAN_END);
		}
		table_row(d, c);
	}
	table_end(d, 8);
}

/* Every field of a record as a two-column table. */
static void record_fields(struct pdf_doc *d, const json_t *r)
{
	static const double w[] = {170, BODY_W - 170};
	static const char *const head[] = {"<b>字段 Field</b>", "<b>内容 Value</b>"};
	static const struct pdf_table t = {2, w, head};
	const char *name;
	const json_t *f;
	GString *m = g_string_new(NULL);
	const char *type = jstr(r, "type");

	g_string_append_printf(m, "%s · ", vocab_find(type_names, type) ? vocab_find(type_names, type)
								  : type);
	g_string_append_printf(m, "证据 #%zu · %s", record_number(d, type, jstr(r, "id")),
			       jstr(r, "id"));
	doc_heading(d, m->str, 0);
	g_string_free(m, TRUE);
	table_begin(d, &t);
	json_object_foreach((json_t *)json_object_get(r, "fields"), name, f) {
		GString *c[2];
		const char *label = vocab_find(field_names, name), *v = jstr(f, "value");

		cells_new(c, 2);
		if (label) {
			mk_text(c[0], label);
			g_string_append(c[0], "\n");
		}
		mk_span(c[0], SPAN_MONO, name);
		if (v && is_amount_field(name))
			mk_amount(c[1], v);
		else if (v && is_time_field(name))
			mk_time(c[1], v);
		else
			mk_field(c[1], r, name);
		table_row(d, c);
	}
	table_end(d, 10);
}

static void section_transaction(struct pdf_doc *d)
{
	static const char *const types[] = {"merchant", "listing", "order", "payment", NULL};
	const json_t *r;
	size_t i;
	int k;

	doc_heading(d, "交易信息 Order, listing and payment", 1);
	for (k = 0; types[k]; k++)
		json_array_foreach(d->records, i, r)
			if (strcmp(jstr(r, "type"), types[k]) == 0)
				record_fields(d, r);
}

/* The files a record names, with their numbers in the evidence list. */
static void mk_attachments(struct pdf_doc *d, GString *m, const json_t *r)
{
	const json_t *b;
	size_t j;

	json_array_foreach(json_object_get(r, "blobs"), j, b) {
		size_t no = record_number(d, "blob", json_string_value(b));

		g_string_append(m, "\n" SPAN_GREY "附件 attachment");
		if (no)
			g_string_append_printf(m, " (证据 #%zu)", no);
		g_string_append(m, ": " SPAN_END SPAN_MONO);
		mk_text(m, json_string_value(b));
		g_string_append(m, SPAN_END);
	}
}

static size_t count_type(const struct pdf_doc *d, const char *type)
{
	const json_t *r;
	size_t i, n = 0;

	json_array_foreach(d->records, i, r)
		n += strcmp(jstr(r, "type"), type) == 0;
	return n;
}

static void section_chat(struct pdf_doc *d)
{
	static const double w[] = {30, 96, 80, BODY_W - 206};
	static const char *const head[] = {"<b>序号</b>\nNo.", "<b>时间</b>\nTime",
					   "<b>发送方</b>\nSender", "<b>内容</b>\nText"};
	static const struct pdf_table t = {4, w, head};
	const json_t *r;
	size_t i;

	doc_heading(d, "聊天记录 Chat messages", 1);
	if (!count_type(d, "message")) {
		doc_text(d, ST_BODY, "本证据包中没有聊天记录。No chat messages in this package.", 8);
		return;
	}
	table_begin(d, &t);
	json_array_foreach(d->records, i, r) {
		GString *c[4];
		const char *s;

		if (strcmp(jstr(r, "type"), "message") != 0)
			continue;
		cells_new(c, 4);
		g_string_append_printf(c[0], "%zu", i + 1);
		if (rec_value(r, "sent_at"))
			mk_time(c[1], rec_value(r, "sent_at"));
		else
			mk_time(c[1], jstr(r, "time"));
		s = rec_value(r, "sender");
		if (s && vocab_find(role_names, s))
			mk_text(c[2], vocab_find(role_names, s));
		else
			mk_field(c[2], r, "sender");
		mk_field(c[3], r, "text");
		mk_attachments(d, c[3], r);
		table_row(d, c);
	}
	table_end(d, 10);
}

static void section_logistics(struct pdf_doc *d)
{
	static const double w[] = {30, 96, 80, 110, BODY_W - 316};
	static const char *const head[] = {"<b>序号</b>\nNo.", "<b>时间</b>\nTime",
					   "<b>状态</b>\nStatus", "<b>地点</b>\nLocation",
					   "<b>承运人 / 运单号</b>\nCarrier / tracking no."};
	static const struct pdf_table t = {5, w, head};
	const json_t *r;
	size_t i;

	if (d->y + 80 > BODY_BOTTOM)
		page_new(d);
	else
		d->y += 10;
	doc_text(d, ST_H1, "物流记录 Logistics", 8);
	if (!count_type(d, "logistics")) {
		doc_text(d, ST_BODY, "本证据包中没有物流记录。No logistics events in this package.", 8);
		return;
	}
	table_begin(d, &t);
	json_array_foreach(d->records, i, r) {
		GString *c[5];
		const char *s;

		if (strcmp(jstr(r, "type"), "logistics") != 0)
			continue;
		cells_new(c, 5);
		g_string_append_printf(c[0], "%zu", i + 1);
		if (rec_value(r, "occurred_at"))
			mk_time(c[1], rec_value(r, "occurred_at"));
		else
			mk_field(c[1], r, "occurred_at");
		s = rec_value(r, "status");
		if (s && vocab_find(status_names, s))
			mk_text(c[2], vocab_find(status_names, s));
		else
			mk_field(c[2], r, "status");
		mk_field(c[3], r, "location");
		mk_field(c[4], r, "carrier");
		g_string_append(c[4], "\n");
		mk_field(c[4], r, "tracking_number");
		if (rec_field(r, "detail")) {
			g_string_append(c[4], "\n");
			mk_field(c[4], r, "detail");
		}
		table_row(d, c);
	}
	table_end(d, 10);
}

static void section_timeline(struct pdf_doc *d)
{
	static const double w[] = {30, 96, 110, 90, BODY_W - 326};
	static const char *const head[] = {"<b>序号</b>\nNo.", "<b>时间</b>\nTime",
					   "<b>事件</b>\nEvent", "<b>操作方</b>\nActor",
					   "<b>说明</b>\nDetails"};
	static const struct pdf_table t = {5, w, head};
	const json_t *r, *f;
	const char *name;
	size_t i;

	if (d->y + 80 > BODY_BOTTOM)
		page_new(d);
	else
		d->y += 10;
	doc_text(d, ST_H1, "争议处理经过 Dispute timeline", 8);
	if (!count_type(d, "dispute_event")) {
		doc_text(d, ST_BODY, "本订单没有争议记录。No dispute events for this order.", 8);
		return;
	}
	table_begin(d, &t);
	json_array_foreach(d->records, i, r) {
		GString *c[5];
		const char *s;

		if (strcmp(jstr(r, "type"), "dispute_event") != 0)
			continue;
		cells_new(c, 5);
		g_string_append_printf(c[0], "%zu", i + 1);
		mk_time(c[1], jstr(r, "time"));
		mk_field(c[2], r, "type");
		if (rec_field(r, "from") || rec_field(r, "to")) {
			g_string_append(c[2], "\n");
			if (rec_field(r, "from")) {
				mk_field(c[2], r, "from");
				g_string_append(c[2], " → ");
			} else {
				g_string_append(c[2], "→ ");
			}
			mk_field(c[2], r, "to");
		}
		s = rec_value(r, "actor.role");
		if (s && vocab_find(role_names, s))
			mk_text(c[3], vocab_find(role_names, s));
		else
			mk_field(c[3], r, "actor.role");
		if (rec_field(r, "actor.name")) {
			g_string_append(c[3], "\n");
			mk_field(c[3], r, "actor.name");
		}
		if (rec_field(r, "actor.id")) {
			g_string_append(c[3], "\n" SPAN_MONO);
			mk_field(c[3], r, "actor.id");
			g_string_append(c[3], SPAN_END);
		}
		if (rec_field(r, "reason"))
			mk_field(c[4], r, "reason");
		json_object_foreach((json_t *)json_object_get(r, "fields"), name, f) {
			const char *v = jstr(f, "value");

			if (strncmp(name, "data.", 5) != 0)
				continue;
			if (c[4]->len)
				g_string_append(c[4], "\n");
			mk_span(c[4], SPAN_GREY, name + 5);
			g_string_append(c[4], ": ");
			if (v && is_amount_field(name))
				mk_amount(c[4], v);
			else
				mk_field(c[4], r, name);
		}
		table_row(d, c);
	}
	table_end(d, 10);
}

/* ---- images ---- */

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
	const char *b64 = jstr(entry, "content_base64");
	char hex[65], got[65];
	unsigned char digest[crypto_hash_sha256_BYTES], *data = NULL;
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
	crypto_hash_sha256(digest, data, n);
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

	table_begin(d, &t);
	cells_new(c, 1);
	mk_text(c[0], why);
	g_string_append(c[0], "\n");
	mk_text(c[0], ctype ? ctype : "—");
	g_string_append(c[0], " · " SPAN_MONO);
	mk_text(c[0], id);
	g_string_append(c[0], SPAN_END);
	table_row(d, c);
	table_end(d, 10);
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
		page_new(d);
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
		if (strcmp(jstr(r, "type"), "blob") == 0)
			continue;
		json_array_foreach(json_object_get(r, "blobs"), j, b) {
			if (json_string_value(b) && strcmp(json_string_value(b), id) == 0) {
				g_string_append_printf(m, "%s#%zu %s", any ? ", " : "", i + 1,
						       jstr(r, "type"));
				any = 1;
				break;
			}
		}
	}
	if (!any)
		g_string_append(m, "—");
}

static void section_images(struct pdf_doc *d)
{
	const json_t *r, *entry, *blobs = json_object_get(d->bundle, "blobs");
	size_t i, j, n = 0;

	doc_heading(d, "图片与文件 Images and files", 1);
	json_array_foreach(d->records, i, r) {
		const char *id = jstr(r, "id"), *ctype = rec_value(r, "content_type"), *why = NULL;
		unsigned char *data = NULL;
		size_t len = 0;
		cairo_surface_t *s = NULL;
		GString *m;

		if (d->rc)
			return;
		if (strcmp(jstr(r, "type"), "blob") != 0)
			continue;
		entry = NULL;
		json_array_foreach(blobs, j, entry)
			if (jstr(entry, "id") && strcmp(jstr(entry, "id"), id) == 0)
				break;
		if (j == json_array_size(blobs))
			entry = NULL;
		n++;
		m = g_string_new(NULL);
		g_string_append_printf(m, "<b>文件 %zu · File %zu</b> · 证据 #%zu\n", n, n, i + 1);
		g_string_append(m, SPAN_MONO);
		mk_text(m, id);
		g_string_append(m, SPAN_END "\n" SPAN_GREY "类型 type: ");
		mk_field(m, r, "content_type");
		g_string_append(m, " · 大小 size: ");
		mk_field(m, r, "size");
		g_string_append(m, " · 引用于 named by: ");
		mk_referrers(d, m, id);
		g_string_append(m, SPAN_END);
		if (d->y + 90 > BODY_BOTTOM)
			page_new(d);
		doc_block(d, ST_SMALL, m->str, 4);
		g_string_free(m, TRUE);

		if (!ctype || (strcmp(ctype, "image/png") != 0 && strcmp(ctype, "image/jpeg") != 0)) {
			image_placeholder(d, id, ctype,
					  ctype && strncmp(ctype, "image/", 6) == 0
						  ? "此图片格式不能嵌入 this image format is not embedded"
						  : "非图片文件，以摘要标识 not an image: identified by its digest");
			continue;
		}
		if (blob_bytes(d, entry, id, &data, &len, &why) != RC_OK) {
			doc_fail(d, RC_NOMEM, "nomem", "out of memory reading a blob%s", "");
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
		doc_text(d, ST_BODY, "本证据包中没有文件。No files in this package.", 8);
}

static void section_verify(struct pdf_doc *d)
{
	static const double w[] = {150, BODY_W - 150};
	static const char *const head[] = {"<b>项目 Item</b>", "<b>内容 Content</b>"};
	static const struct pdf_table t = {2, w, head};
	const struct pdf_cover *cv = d->cover;
	const json_t *log = json_object_get(d->bundle, "log"), *wk;
	const char *origin = cv->log_origin ? cv->log_origin : jstr(log, "origin");
	const char *vkey = cv->log_vkey ? cv->log_vkey : jstr(log, "vkey");
	const char *cp = cv->checkpoint ? cv->checkpoint : jstr(d->bundle, "checkpoint");
	struct tlog_checkpoint ck;
	struct tlog_note note;
	struct err e;
	GString *m = g_string_new(NULL), *c[2];
	char root[64] = "—", size[32] = "—";
	size_t i;

	tlog_note_init(&note);
	if (cp && tlog_note_parse(&note, cp, strlen(cp), &e) == RC_OK &&
	    tlog_checkpoint_parse(&ck, note.text, note.text_len, &e) == RC_OK) {
		snprintf(size, sizeof size, "%" PRIu64, ck.size);
		sodium_bin2base64(root, sizeof root, ck.root, sizeof ck.root,
				  sodium_base64_VARIANT_ORIGINAL);
	}
	tlog_note_release(&note);

	doc_heading(d, "如何核验 How to verify", 1);
	doc_block(d, ST_BODY,
		  "1. 取得与本 PDF 一同提供的 JSON 证据包（下称 package.json），并从独立渠道（如平台公布的页面）"
		  "核对下列日志公钥。\n"
		  "1. Take the JSON package that came with this PDF (package.json below) and check the log key "
		  "below against one you obtained independently (e.g. the platform's published page).",
		  4);
	doc_block(d, ST_BODY,
		  "2. 运行以下命令（disputed 为开源程序；网页核验器亦可）。退出码 0 表示每条记录、每个已提供的字段"
		  "和每个文件都与日志的签名检查点一致。\n"
		  "2. Run this command (or use the web verifier). Exit status 0 means every record, every "
		  "released field and every file is bound to the log's signed checkpoint:",
		  4);
	/* one option a line, as a shell command that can be pasted */
	mk_text(m, "disputed verify \\\n  --vkey ");
	mk_text(m, vkey ? vkey : "—");
	json_array_foreach(json_object_get(d->bundle, "witnesses"), i, wk) {
		mk_text(m, " \\\n  --witness ");
		mk_text(m, json_string_value(wk));
	}
	mk_text(m, " \\\n  package.json");
	{
		static const double cw[] = {BODY_W};
		static const char *const ch[] = {"<b>命令 Command</b>"};
		static const struct pdf_table ct = {1, cw, ch};
		PangoLayout *l;

		table_begin(d, &ct);
		l = layout_new(d, ST_CODE, m->str, BODY_W - 2 * CELL_PAD);
		draw_cells(d, &l, cw, 1, 1, 0);
		g_object_unref(l);
		table_end(d, 8);
	}
	doc_block(d, ST_BODY,
		  "3. 如需确认证据包未遗漏该订单的任何记录，可用日志副本运行 "
		  SPAN_MONO "disputed verify --vkey … --log DIR package.json" SPAN_END
		  "（日志的检查点与瓦片公开于 /checkpoint 与 /tile/）。\n"
		  "3. To check that no record of the order is missing, run it against a copy of the log: "
		  SPAN_MONO "disputed verify --vkey … --log DIR package.json" SPAN_END
		  " (the log's checkpoint and tiles are public at /checkpoint and /tile/).",
		  4);
	doc_block(d, ST_BODY,
		  "4. “已隐去”的字段只以承诺值（SHA-256 加盐哈希）出现：其值未提供，但已被日志固定；"
		  "日后若提供其值与盐，任何人可重新计算并比对。\n"
		  "4. A “withheld” field appears only as its commitment (a salted SHA-256 hash): its value was "
		  "not released but is fixed by the log; if value and salt are released later, anyone can "
		  "recompute and compare it.",
		  10);

	doc_heading(d, "日志与检查点 Log and checkpoint", 0);
	table_begin(d, &t);
	cells_new(c, 2);
	g_string_append(c[0], "日志来源 Log origin");
	mk_span(c[1], SPAN_MONO, origin ? origin : "—");
	table_row(d, c);
	cells_new(c, 2);
	g_string_append(c[0], "日志公钥 Log key (vkey)");
	mk_span(c[1], SPAN_MONO, vkey ? vkey : "—");
	table_row(d, c);
	cells_new(c, 2);
	g_string_append(c[0], "检查点大小 Checkpoint size");
	g_string_append_printf(c[1], "%s", size);
	table_row(d, c);
	cells_new(c, 2);
	g_string_append(c[0], "根哈希 Root hash");
	mk_span(c[1], SPAN_MONO, root);
	table_row(d, c);
	json_array_foreach(json_object_get(d->bundle, "witnesses"), i, wk) {
		cells_new(c, 2);
		g_string_append(c[0], "见证者 Witness");
		mk_span(c[1], SPAN_MONO, json_string_value(wk));
		table_row(d, c);
	}
	table_end(d, 8);
	doc_text(d, ST_SMALL, "签名检查点全文 The signed checkpoint, verbatim:", 2);
	{
		static const double cw[] = {BODY_W};
		PangoLayout *l;

		g_string_truncate(m, 0);
		mk_text(m, cp ? cp : "—");
		while (m->len && m->str[m->len - 1] == '\n')
			g_string_truncate(m, m->len - 1);
		l = layout_new(d, ST_CODE, m->str, BODY_W - 2 * CELL_PAD);
		draw_cells(d, &l, cw, 1, 1, 0);
		g_object_unref(l);
	}
	g_string_free(m, TRUE);
}

/* ---- the document ---- */

static int bundle_check(const json_t *b, struct err *e)
{
	const json_t *r;
	size_t i;
	char param[64];

	if (!json_is_object(b) || !jstr(b, "format") || strcmp(jstr(b, "format"), BUNDLE_FORMAT) != 0)
		return err_set(e, RC_INVAL, "invalid_bundle", "format",
			       "bundle is not in the format " BUNDLE_FORMAT);
	if (!json_is_array(json_object_get(b, "records")))
		return err_set(e, RC_INVAL, "invalid_bundle", "records", "bundle has no records array");
	json_array_foreach(json_object_get(b, "records"), i, r) {
		snprintf(param, sizeof param, "records[%zu]", i);
		if (!jstr(r, "type") || !jstr(r, "id") || !json_is_object(json_object_get(r, "fields")))
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
	section_cover(d);
	section_catalogue(d);
	section_transaction(d);
	section_chat(d);
	section_logistics(d);
	section_timeline(d);
	section_images(d);
	section_verify(d);
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
	d.order_id = jstr(bundle, "order") ? jstr(bundle, "order") : "—";
	d.package_id = d.cover->package_id ? d.cover->package_id : d.order_id;
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
