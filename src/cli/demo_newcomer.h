/* demo_newcomer.h - the orders a newcomer to `make demo` opens a dispute on. */
#ifndef DISPUTED_DEMO_NEWCOMER_H
#define DISPUTED_DEMO_NEWCOMER_H

#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/*
 * Import `n` orders of the consumer `consumer_id` from the merchant
 * `merchant_id` (the parties `make demo`'s links sign in), each paid about
 * a day before `now` for one of the merchant's listings and signed for two
 * hours before it, with no dispute: the printed consumer link can open a
 * dispute on each at once, and the merchant link answers it. One
 * transaction; the records still need sealing (cli_seal_pending).
 */
int demo_newcomer_orders(struct store *st, const char *data, const char *consumer_id,
			 const char *merchant_id, int n, int64_t now, struct err *e) WARN_UNUSED;

#endif
