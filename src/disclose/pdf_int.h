/* pdf_int.h - what the package PDF's files share: the document being drawn, its page engine, and how a record's fields read. */
#ifndef DISPUTED_PDF_INT_H
#define DISPUTED_PDF_INT_H

#include <cairo.h>
#include <jansson.h>
#include <pango/pangocairo.h>
#include <stddef.h>

#include "core/err.h"
#include "disclose/pdf.h"

/*
 * The PDF is drawn twice by the same code (pdf.c: pdf_render_package_to):
 * a counting pass with no cairo context (d->cr NULL) that lays everything
 * out to learn the number of pages, then the drawing pass. Whatever the
 * sections decide must therefore depend on the bundle alone, never on the
 * pass. A failure is kept in d->rc (pdf_fail); the engine's calls do
 * nothing once it is set, so sections draw on without checking each call.
 *
 * Files: pdf.c (the document, fonts, page engine, entry points),
 * pdf_fields.c (a record's fields as markup), pdf_sections.c (cover,
 * evidence list, transaction, chat, logistics, timeline, how to verify),
 * pdf_images.c (PNG and JPEG decoding, the images section).
 */

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

/* The most columns a table has. */
#define PDF_MAX_COLS 16

/* Markup spans used in cells. */
#define SPAN_MONO "<span font_family=\"" FONT_MONO "\" size=\"6600\">"
#define SPAN_GREY "<span foreground=\"#555555\">"
#define SPAN_UTC "<span foreground=\"#555555\" size=\"6600\">"
#define SPAN_HELD "<span foreground=\"#8a1c1c\">"
#define SPAN_MASKED "<span foreground=\"#8a1c1c\" size=\"6600\">"
#define SPAN_END "</span>"

/* Styles of the text blocks. */
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
	int ncols;                 /* columns, at most PDF_MAX_COLS */
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
	double fresh_y;               /* y where this page's body starts (below a repeated table head) */
	const struct pdf_table *table; /* the table being drawn: its head repeats on a new page */
	const json_t *bundle;         /* borrowed */
	const json_t *records;        /* the bundle's records array */
	const char *package_id;       /* header text */
	const char *order_id;         /* the bundle's order */
	const struct pdf_cover *cover; /* never NULL (an empty cover when the caller gave none) */
	const char *data_dir;         /* blob store, or NULL */
	json_t *masked;               /* masked renderings of withheld fields, {record id: {field: text}},
				       * from the package_viewed event pdf_masked_load chose; owned; NULL if none */
	size_t masked_event;          /* that event's number in the evidence list; 0 if none */
	int nmasked;                  /* masked renderings shown so far in this pass */
	pdf_write_fn *write;          /* the caller's sink */
	void *write_arg;              /* its argument */
	int write_rc;                 /* what the sink returned when it failed */
	int rc;                       /* the first failure */
	struct err *e;                /* its details */
};

/* ---- pdf.c: the page engine ---- */

/* Keep the first failure in d->rc and its message (fmt with one %s, arg) in d->e; returns d->rc. */
int pdf_fail(struct pdf_doc *d, int rc, const char *code, const char *fmt, const char *arg);

/* End the current page (its footer) and start the next (its header, and the open table's head). */
void pdf_page_new(struct pdf_doc *d);

/* A block of markup in `st`, full width, breaking across pages, then `after` points of space. */
void pdf_block(struct pdf_doc *d, enum pdf_style st, const char *markup, double after);

/* A block of markup in `st`, full width, boxed, breaking across pages (a command, a checkpoint). */
void pdf_box(struct pdf_doc *d, enum pdf_style st, const char *markup);

/* Plain text (escaped here) as a block. */
void pdf_text(struct pdf_doc *d, enum pdf_style st, const char *text, double after);

/* A section heading that starts a new page, or a sub-heading kept with what follows. */
void pdf_heading(struct pdf_doc *d, const char *text, int new_page);

/* Start table `t` (static: it is kept while the table is drawn) with its head row. */
void pdf_table_begin(struct pdf_doc *d, const struct pdf_table *t);

/* One row of the open table from its ncols cell markups, which are freed here. */
void pdf_table_row(struct pdf_doc *d, GString **cells);

/* Close the open table, then `after` points of space. */
void pdf_table_end(struct pdf_doc *d, double after);

/* n new empty markups, for pdf_table_row. */
void pdf_cells_new(GString **c, int n);

/* ---- pdf_fields.c: a record's fields as markup ---- */

/* A string member of `o`, or NULL. */
const char *pdf_str(const json_t *o, const char *key);

/* The field object of a record, or NULL. */
const json_t *pdf_rec_field(const json_t *rec, const char *name);

/* A disclosed field's value, or NULL (withheld or absent). */
const char *pdf_rec_value(const json_t *rec, const char *name);

/* Text (may be NULL: nothing), escaped for markup. */
void pdf_mk_text(GString *m, const char *text);

/* Text in a span opened by `span` (one of the SPAN_ macros). */
void pdf_mk_span(GString *m, const char *span, const char *text);

/*
 * A field as shown: its value; withheld, its masked rendering if the
 * package has one (counted in d->nmasked), else "已隐去 (withheld):
 * commitment …"; a dash when the record has no such field.
 */
void pdf_mk_field(struct pdf_doc *d, GString *m, const json_t *rec, const char *name);

/*
 * Find the masked renderings the package carries: in the sealed
 * disclosure_event of type package_viewed that the PDF is of (the last by
 * chain seq of those whose `disclosure` is the cover's package id, else the
 * last of all), the disclosed fields data.masked[N].record (a record id),
 * .field (a field name of that record) and .value (the masked text), into
 * d->masked. RC_OK (d->masked stays NULL when there is no such event), or
 * RC_NOMEM.
 */
int pdf_masked_load(struct pdf_doc *d) WARN_UNUSED;

/* Money in fen as "19.99 (1999 分 fen)", else the text itself. */
void pdf_mk_amount(GString *m, const char *fen);

/* An RFC 3339 time as "2025-10-03 18:00:00 (UTC+8)" and, below, the UTC text; a dash for NULL. */
void pdf_mk_time(GString *m, const char *rfc);

/* The vocabularies: a bundle's words as the reader sees them. */
enum pdf_vocab {
	VOCAB_TYPE,   /* record types: "订单 Order" */
	VOCAB_ROLE,   /* actors' roles: "消费者 consumer" */
	VOCAB_STATUS, /* logistics statuses: "已签收 signed" */
	VOCAB_FIELD,  /* Chinese labels of the fields readers meet most */
};

/* The word `key` of vocabulary `v` as shown, or NULL if it has none. */
const char *pdf_word(enum pdf_vocab v, const char *key);

/* A field whose value is a word of `v`: shown as that word, else as pdf_mk_field shows it. */
void pdf_mk_word_field(struct pdf_doc *d, GString *m, const json_t *rec, const char *name,
		       enum pdf_vocab v);

/* A field name that holds money in fen (ends in "amount"), or a time (ends in "_at"). */
int pdf_is_amount_field(const char *name);
int pdf_is_time_field(const char *name);

/* Where a record comes from, for the evidence list ("平台订单系统 Platform order system"). */
void pdf_mk_source(struct pdf_doc *d, GString *m, const json_t *rec);

/* The leaf hash of a record, recomputed from it (base64 into out[45]); RC_INVAL if it cannot be. */
int pdf_record_leaf_hash(const json_t *rec, char out[45]);

/* The first record of `type`, or NULL. */
const json_t *pdf_record_of(const struct pdf_doc *d, const char *type);

/* The evidence-list number (from 1) of the record with `id` and `type`, or 0. */
size_t pdf_record_number(const struct pdf_doc *d, const char *type, const char *id);

/* How many records are of `type`. */
size_t pdf_count_type(const struct pdf_doc *d, const char *type);

/* ---- the sections, in the order they are drawn ---- */

void pdf_section_cover(struct pdf_doc *d);
void pdf_section_catalogue(struct pdf_doc *d);
void pdf_section_transaction(struct pdf_doc *d);
void pdf_section_chat(struct pdf_doc *d);
void pdf_section_logistics(struct pdf_doc *d);
void pdf_section_timeline(struct pdf_doc *d);
void pdf_section_images(struct pdf_doc *d);
void pdf_section_verify(struct pdf_doc *d);

#endif
