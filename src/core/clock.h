/* clock.h - the server's clock: the real one, or a test clock that moves only when told. */
#ifndef DISPUTED_CLOCK_H
#define DISPUTED_CLOCK_H

#include <stdint.h>

/*
 * Every time disputed records (created_at, deadlines, timers) comes from
 * clock_now_ms. Normally that is the real-time clock. `disputed serve
 * --test-clock` switches to a test clock that starts at a given time and
 * advances only through clock_advance, so tests can run deadlines and
 * calendar dates without sleeping. Safe from any thread.
 */

/* Now, in ms since the epoch (UTC). */
int64_t clock_now_ms(void);

/* Switch to a test clock starting at `start_ms`. */
void clock_use_test(int64_t start_ms);

/* True when the test clock is in use. */
int clock_is_test(void);

/*
 * Elapsed time, in ns from an arbitrary start (CLOCK_MONOTONIC): for
 * timeouts and durations, never moved by the test clock.
 */
int64_t clock_mono_ns(void);

/* Move the test clock forward by `ms` (>= 0); returns the new time. No-op on the real clock. */
int64_t clock_advance(int64_t ms);

#endif
