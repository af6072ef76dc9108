/* num.h - checked parsing of numbers that come from outside (strtonum style). */
#ifndef DISPUTED_NUM_H
#define DISPUTED_NUM_H

#include <stdint.h>

#include "core/err.h"

/*
 * Parse all of `s` as a decimal integer within [min, max]. Leading or
 * trailing junk, an empty string or overflow fail with RC_INVAL; `*out` is
 * set only on success.
 */
int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out) WARN_UNUSED;

#endif
