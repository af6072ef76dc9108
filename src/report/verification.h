/* verification.h - the report of merchants whose identity is due to be verified again (E-Commerce Law art. 27). */
#ifndef DISPUTED_VERIFICATION_H
#define DISPUTED_VERIFICATION_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/* Most merchants on one page of the report. */
#define REPORT_VERIFICATION_PAGE_MAX 100

/*
 * One page of the merchants not verified within `days` days of `now`
 * (ms): those whose last verification (their current version's
 * verified_at; for a merchant recorded before merchants had versions, its
 * first record) is before now - days. Oldest record first, after row
 * `after` (0 for the start), at most `limit` (1 to
 * REPORT_VERIFICATION_PAGE_MAX). *out is a new object:
 *   {"object":"merchant_verification_report","generated_at","reverify_days",
 *    "data":[{"merchant","external_id","version","verified_at",
 *             "due_at","days_overdue"}, …], "next_cursor"}
 * with times as RFC 3339 UTC text; due_at is verified_at + days, and
 * days_overdue the whole days from due_at to now. *next is the row to
 * continue after, or 0 at the end; next_cursor is null, for the caller to
 * set to its own encoding of *next. Runs inside the caller's store
 * transaction.
 */
int report_merchant_verification(struct store *st, int64_t now, int days, int64_t after,
				 int limit, json_t **out, int64_t *next,
				 struct err *e) WARN_UNUSED;

/*
 * The rows of one or more such pages as CSV, appended to `out`: a header
 *   merchant,external_id,version,verified_at,due_at,days_overdue
 * (when `header`), then a line per merchant of `report`'s data, as
 * report_compliance_csv writes its tables. RC_TOOBIG past the buffer's
 * cap, RC_NOMEM (the buffer is then released).
 */
int report_merchant_verification_csv(json_t *report, int header, struct buf *out,
				     struct err *e) WARN_UNUSED;

#endif
