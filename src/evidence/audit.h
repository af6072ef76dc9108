/* audit.h - recompute every seal from the stored records and blobs, and check the log and its checkpoints. */
#ifndef DISPUTED_AUDIT_H
#define DISPUTED_AUDIT_H

#include <stdint.h>

#include "core/err.h"
#include "core/problems.h"
#include "store/store.h"
#include "tlog/log.h"
#include "tlog/note.h"


/*
 * Walk the seals, the log and the records, each against the others:
 * - each seal: its leaf_hash is its leaf's hash (the log's entry at its
 *   index, or the copy a pending seal keeps, which must then equal the
 *   entry once there is one), its chain columns and record are its leaf's,
 *   the leaf recomputed from the record as stored now and its salts (as
 *   seal_salts gives them) is the sealed leaf, and no other seal claims
 *   that index;
 * - each leaf of the log: a seal claims it, and each leaf of an order's
 *   chain names the leaf holding the place before it (no gap, no fork); an
 *   order's links are leaves of the log;
 * - each stored record: it has its seal, in its order's chain, and the
 *   columns that link it (order_id, consumer_id, merchant_id, listing_id,
 *   dispute_id, a dispute's state) say what its body says; a dispute's
 *   state is where its sealed events left it;
 * - every blob file re-hashed; the log's tiles and bundles (tlog_log_audit);
 *   every kept checkpoint's signature with `log_key` and its consistency
 *   with the current tree.
 * - records the retention register (shred.h) lists as shredded: their
 *   leaves rebuilt from what they keep and, for each shredded field, the
 *   sealed commitment; each order shredded is reported to `shredded` (may
 *   be NULL; not a problem). A salt or value gone, or a blob file missing,
 *   that the register does not list is a problem (tampering).
 * The store is read in one read-only snapshot, so a running server's
 * writes go on; the log is read just before and just after it begins, so
 * what the server appends and records meanwhile is neither missing nor
 * beyond the log (a leaf appended after the snapshot began and claimed
 * by no seal in it is left to the next audit).
 * *problems gets the count, *records the number of seals checked,
 * *shredded_records (may be NULL) those found shredded as listed.
 */
int audit_run(struct store *st, struct tlog_log *log, const char *data_dir,
	      const struct tlog_verifier *log_key, problem_report_fn *report, void *ctx,
	      problem_report_fn *shredded, uint64_t *problems, uint64_t *records,
	      uint64_t *shredded_records, struct err *e) WARN_UNUSED;

#endif
