/* pdf.h - the readable PDF of an evidence package: cover, evidence list (证据目录), tables, images and how to verify, set in Noto CJK with cairo and pango. */
#ifndef DISPUTED_PDF_H
#define DISPUTED_PDF_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * The PDF is a reading copy of an evidence bundle (docs/formats.md,
 * "Evidence bundles", format disputed-bundle/v2): the JSON bundle is what a
 * court verifies; the PDF says so on its cover and tells how. The renderer
 * reads the bundle as it is and does not verify it (that is `disputed
 * verify`'s work); for each record it shows the leaf hash recomputed from
 * the record, so a reader can find the record in the log.
 *
 * Pages, in order:
 *   1. cover: title, package id, order, parties, the merchant's identity,
 *      requester, purpose, legal basis, reference, scope, release time, log;
 *   2. 证据目录 / evidence list: every record numbered, with its type in
 *      Chinese and English, source, time (UTC+8 and UTC), leaf index, id,
 *      leaf hash, and the digests of the files it names;
 *   3. the merchant, listing, order and payment records, field by field;
 *   4. chat messages (time / sender / text) and logistics events (time /
 *      status / location / carrier) as tables;
 *   5. the dispute timeline;
 *   6. images, embedded (PNG, JPEG; other files by digest);
 *   7. 如何核验 / how to verify: the `disputed verify` command with the
 *      log's key, the log origin, the checkpoint's size and root hash, and
 *      the checkpoint text.
 * Every page carries a header with the package id and a footer "第 n 页，
 * 共 m 页 / page n of m". Text wraps; tables break across pages and repeat
 * their header row.
 *
 * A withheld field ({"commitment"} in the bundle) is shown as
 * "已隐去 (withheld): commitment <base64>": the reader sees what is hidden
 * and that it is bound, never its value (which the bundle does not hold).
 * A withheld field for which the package carries a masked rendering is
 * shown as that text followed by "（已遮蔽 / masked）", and the how-to-verify
 * page then says where the masked texts are recorded. The renderings are
 * those of a sealed disclosure_event of type package_viewed (its fields
 * data.masked[N].record, .field and .value): the last by chain seq of the
 * events whose `disclosure` is cover->package_id, else the last of all.
 * Whatever the cover says is printed as given: the caller (the disclosure
 * route) decides which cover texts a requester may see, masked or not.
 *
 * Fonts: "Noto Serif CJK SC" for text and "Noto Sans Mono CJK SC" for
 * hashes and commands, through fontconfig (Debian: fonts-noto-cjk),
 * embedded as subsets.
 * Each call builds its own pango font map, so renders may run in several
 * threads at once.
 */

/* The cover's texts. Every member may be NULL: it is then taken from the bundle where it can be, else left out. */
struct pdf_cover {
	const char *package_id;      /* shown in every page header, e.g. "dsc_…"; default: the bundle's order id */
	const char *consumer;        /* the consumer party, e.g. "李四 (cus_…)"; default: the order's consumer.name and consumer.id as disclosed */
	const char *merchant;        /* the merchant party; default: its legal_name and id as disclosed */
	/* The merchant's identity (Art. 27/61, CPL art. 44); defaults are the merchant record's disclosed fields. */
	const char *merchant_kind;        /* "company" / "individual" or a text */
	const char *merchant_legal_name;  /* legal name or, for an individual, the name */
	const char *merchant_uscc;        /* unified social credit code */
	const char *merchant_id_number;   /* an individual's ID number, masked as the caller wants it shown */
	const char *merchant_address;     /* registered address */
	const char *merchant_contact;     /* a working contact: phone and/or email */
	const char *merchant_identity_note; /* e.g. "identity incomplete: …"; printed prominently when set */
	const char *requester;       /* who asked: "某某人民法院 (court, key_…)" */
	const char *purpose;         /* why */
	const char *legal_basis;     /* e.g. "PIPL art. 13(1)(3)" */
	const char *reference;       /* a court's or association's case or file number */
	const char *scope;           /* what was released, e.g. "merchant_identity, order, messages" */
	const char *released_at;     /* RFC 3339 time of the release */
	const char *log_origin;      /* default: the bundle's log.origin */
	const char *log_vkey;        /* default: the bundle's log.vkey */
	const char *checkpoint;      /* signed checkpoint text; default: the bundle's checkpoint */
};

/*
 * Receives the PDF's bytes, in order, in pieces. Returns RC_OK, or an
 * error code that stops the rendering (e.g. the client went away), which
 * pdf_render_package_to then returns.
 */
typedef int pdf_write_fn(void *arg, const unsigned char *data, size_t len);

/*
 * Render the PDF of `bundle` (a parsed disputed-bundle/v2 object,
 * borrowed, not changed) with `cover` (may be NULL) and stream it to
 * `write`. Blob content is taken from the bundle's "content_base64" or,
 * for a bundle of digests only, from `data_dir`'s blob store (may be
 * NULL: such images are then shown as a placeholder naming the digest);
 * bytes that do not hash to their digest are never shown as that blob.
 * Memory stays bounded by one page and one image at a time, plus the
 * fonts, whatever the number of records.
 *
 * Returns RC_OK; RC_INVAL (code "invalid_bundle", param naming the member)
 * when the bundle is not shaped as a bundle; RC_INTERNAL (code
 * "font_missing") when a Noto CJK font is not installed; RC_NOMEM; RC_IO
 * when cairo fails; or the code `write` returned. `e` says which. After a
 * failure `write` may have received part of a PDF, to be discarded.
 */
int pdf_render_package_to(const json_t *bundle, const struct pdf_cover *cover,
			  const char *data_dir, pdf_write_fn *write, void *arg,
			  struct err *e) WARN_UNUSED;

/*
 * As pdf_render_package_to, appending the whole PDF to `out` (whose cap
 * applies: RC_TOOBIG when the PDF passes it). On failure `out` is left
 * with what was appended before, to be released by the caller.
 */
int pdf_render_package(const json_t *bundle, const struct pdf_cover *cover,
		       const char *data_dir, struct buf *out, struct err *e) WARN_UNUSED;

/*
 * Check that the fonts the PDF is set in are installed, e.g. when the
 * server starts. RC_OK, or RC_INTERNAL (code "font_missing") naming the
 * font and the Debian package that brings it.
 */
int pdf_fonts_check(struct err *e) WARN_UNUSED;

#endif
