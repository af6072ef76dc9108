/* audit.h - recompute every seal from the stored records and blobs, and check the log and its checkpoints. */
#ifndef DISPUTED_AUDIT_H
#define DISPUTED_AUDIT_H

#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "tlog/log.h"
#include "tlog/note.h"

/* Called once per problem: `where` says which record or file, `what` what is wrong. */
typedef void audit_report_fn(void *ctx, const char *where, const char *what);

/*
 * Recompute each sealed record's leaf from the record as stored now and its
 * salts, and compare it with the sealed leaf and with the log's entry;
 * re-hash every blob file; check the log's tiles and bundles
 * (tlog_log_audit); verify every kept checkpoint's signature with `log_key`
 * and its consistency with the current tree. *problems gets the count,
 * *records the number of seals checked.
 */
int audit_run(struct store *st, struct tlog_log *log, const char *data_dir,
	      const struct tlog_verifier *log_key, audit_report_fn *report, void *ctx,
	      uint64_t *problems, uint64_t *records, struct err *e) WARN_UNUSED;

#endif
