/* timeutil.h - wall-clock time as int64 milliseconds since the epoch, RFC 3339 text. */
#ifndef DISPUTED_TIMEUTIL_H
#define DISPUTED_TIMEUTIL_H

#include <stdint.h>

#include "core/err.h"

/* Buffer size that fits any time written by time_format. */
#define TIME_TEXT_MAX 32

/* Milliseconds since 1970-01-01T00:00:00Z, from the real-time clock. */
int64_t time_now_ms(void);

/*
 * Parse an RFC 3339 date-time ("2025-09-30T14:05:00Z",
 * "2025-09-30T22:05:00.250+08:00") into UTC milliseconds. Fractions finer
 * than a millisecond are truncated. Returns RC_OK or RC_INVAL; `*ms` is set
 * only on success. Times from 1970 to 9999 are accepted, in UTC: an offset
 * that moves a time out of that range makes it invalid.
 */
int time_parse(const char *s, int64_t *ms) WARN_UNUSED;

/*
 * Write `ms` as RFC 3339 UTC: "2025-09-30T06:05:00Z", with ".250" before the Z
 * when the milliseconds are not zero.
 */
void time_format(int64_t ms, char out[TIME_TEXT_MAX]);

#endif
