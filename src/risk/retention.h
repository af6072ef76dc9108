/* retention.h - the retention policy (E-Commerce Law art. 31), legal holds, and shredding the personal data of orders past it. */
#ifndef DISPUTED_RETENTION_H
#define DISPUTED_RETENTION_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "tlog/log.h"

/*
 * The platform keeps an order's records at least RETENTION_MIN_YEARS years
 * (E-Commerce Law art. 31: no less than three years from the transaction's
 * completion), counted from the order's last activity: the latest time at
 * which the order, its logistics events, messages, disputes and their
 * events, or a disclosure about it was recorded. Past that, unless a legal
 * hold (a court's or a regulator's) names the order or one of its
 * disputes, retention_run shreds the order's personal data (shred.h):
 * what is shredded, and what stays, is docs/retention.md.
 */

#define RETENTION_MIN_YEARS 3
#define RETENTION_MAX_YEARS 100
/* Orders read per transaction while looking for those past retention. */
#define RETENTION_BATCH 64

/* Who may place a legal hold; NULL-terminated. */
extern const char *const retention_authorities[];

/* The instant `years` calendar years before `now` (ms, UTC). */
int64_t retention_cutoff(int64_t now, int years);

/* What a run did. */
struct retention_summary {
	int64_t now;          /* the time the run acted as of (ms) */
	int64_t cutoff;       /* orders whose last activity is before it were due (ms) */
	int years;            /* the policy */
	int64_t orders;       /* orders shredded */
	int64_t records;      /* sealed records of theirs shredded */
	int64_t blobs;        /* blob files removed */
	int64_t consumers;    /* consumer records shredded (no order of theirs left) */
	int64_t held;         /* orders past retention kept by a legal hold */
};

/*
 * Shred every order whose last activity is before `years` years before
 * `now` and that no legal hold keeps, each in its own transaction: its
 * records' personal fields (plaintext and salts), its disputes' and
 * disclosures' personal text, its consumer's when no other order of
 * theirs is kept, the copies of its text in stored replies and webhook
 * events, and the blob files only it cites; each order's shredding is
 * registered and sealed into `log` (opened for writing: no server may hold
 * it). Then the database is compacted so that nothing shredded stays in
 * its free pages or its WAL. `years` below RETENTION_MIN_YEARS is RC_INVAL.
 */
int retention_run(struct store *st, struct tlog_log *log, const char *data_dir, int years,
		  int64_t now, struct retention_summary *sum, struct err *e) WARN_UNUSED;

#endif
