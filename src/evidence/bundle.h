/* bundle.h - evidence bundles: one JSON file with an order's records, disclosures, blobs and proofs, and its offline verification. */
#ifndef DISPUTED_BUNDLE_H
#define DISPUTED_BUNDLE_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"
#include "tlog/log.h"
#include "tlog/note.h"

/* The format is specified byte for byte in docs/formats.md ("Evidence bundles"). */
#define BUNDLE_FORMAT "disputed-bundle/v2"

struct bundle_opts {
	const char *log_vkey;              /* the log's verifier key text */
	const char *const *witness_vkeys;  /* witnesses' verifier keys (cosignature/v1) */
	size_t nwitnesses;
	const char *const *withhold;       /* field names shown only as commitments */
	size_t nwithhold;
	int blob_content;                  /* include the blobs' bytes (else digests only) */
	/*
	 * Which records show their fields: NULL for all; else called for each
	 * record but blobs, with its leaf kind and stored body, and a record
	 * it refuses shows every field as a commitment only (still bound, and
	 * still a link of the chain, so the bundle stays complete). A blob's
	 * bytes go in only when a shown record names it.
	 */
	int (*shown)(void *ctx, const char *kind, json_t *body);
	/*
	 * Which fields of a shown record show their values: NULL for every
	 * one not in `withhold`; else called for each, with the record's
	 * flattened field name, and a field it refuses is a commitment only.
	 */
	int (*field_shown)(void *ctx, const char *kind, json_t *body, const char *field);
	void *shown_ctx;

};

/*
 * An order's bundle ready to be read out, in bounded memory: its text is
 * held but for the blobs' contents, which are read from their files (and
 * checked against their digests) as the bundle is read.
 */
struct bundle;

/*
 * Open the bundle of order `order_ref`: as bundle_build, but *out is the
 * bundle to read with bundle_read (free it with bundle_free).
 */
int bundle_open(struct store *st, struct tlog_log *log, const char *data_dir,
		const char *order_ref, const struct bundle_opts *o, struct bundle **out,
		struct err *e) WARN_UNUSED;

/* The bundle's length in bytes, known before it is read. */
uint64_t bundle_size(const struct bundle *b);

/*
 * Read the bundle's next bytes, in order, into `out` (up to `cap`); *n gets
 * how many, 0 at the end. RC_IO (code "blob_changed") if a blob file no
 * longer has its sealed size or digest: the bundle cannot be finished.
 */
int bundle_read(struct bundle *b, char *out, size_t cap, size_t *n, struct err *e) WARN_UNUSED;

/* Free a bundle; NULL is a no-op. */
void bundle_free(struct bundle *b);

/*
 * Build the bundle of order `order_ref` (id or external id): the merchant's
 * identity, the listing versions its items point at, then the order's
 * chain (the order, its payment, logistics events, messages and dispute
 * events, as they arrived), and the blobs they name, each
 * with its fields (disclosed with their salts, or withheld as commitments)
 * and an inclusion proof to the log's latest checkpoint. Runs its own store
 * transactions. RC_NOTFOUND for no such order; RC_CONFLICT (code
 * "seal_pending") while one of its records is not yet in the log.
 */
int bundle_build(struct store *st, struct tlog_log *log, const char *data_dir,
		 const char *order_ref, const struct bundle_opts *o, struct buf *out,
		 struct err *e) WARN_UNUSED;

/* What verification found. */
enum verify_result {
	VERIFY_VALID = 0,    /* every check passed */
	VERIFY_INVALID = 1,  /* something does not check out; the report says what */
	VERIFY_UNUSABLE = 2, /* the input cannot be read as anything verifiable */
};

/*
 * Verify a file offline against the log key the verifier trusts (`vkey`,
 * never the one inside the file) and, for each of `witnesses`, a valid
 * cosignature. The file may be a bundle, a signed checkpoint, or a
 * c2sp.org/tlog-proof@v1 file (then `entry` holds the entry's bytes, or is
 * NULL when none was given, which makes the input unusable). Each check and
 * its outcome is written to `report` as a line of text.
 */
enum verify_result verify_file(const char *data, size_t len, const struct tlog_verifier *vkey,
			       const struct tlog_verifier *witnesses, size_t nwitnesses,
			       const char *entry, size_t entry_len, int have_entry, FILE *report);

/*
 * As verify_file, and for a bundle, with `mirror` (a copy of the log opened
 * read-only under the trusted key; may be NULL): the copy must be intact,
 * its tree must extend the bundle's checkpoint, and every leaf of the
 * bundle's order up to the checkpoint's size must be a record of the
 * bundle, which shows the bundle complete to the checkpoint, its last
 * record included.
 */
enum verify_result verify_file_in_log(const char *data, size_t len,
				      const struct tlog_verifier *vkey,
				      const struct tlog_verifier *witnesses, size_t nwitnesses,
				      const char *entry, size_t entry_len, int have_entry,
				      struct tlog_log *mirror, FILE *report);

#endif
