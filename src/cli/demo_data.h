/* demo_data.h - deterministic, realistic demo records for `disputed demo` and tests. */
#ifndef DISPUTED_DEMO_DATA_H
#define DISPUTED_DEMO_DATA_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/*
 * Realistic demo records in import order (merchants, listings, orders,
 * logistics, messages), each a JSON object with a "type" field and otherwise
 * exactly the API body (see notes/api-spec.md), i.e. one NDJSON import line.
 *
 * What comes out:
 * - 40 merchants ("shop-NNNNN"): about two thirds "company" with a valid
 *   USCC (a few of them 个体工商户, USCC type '2'), the rest "individual"
 *   with a valid resident ID number; four have no email, so they show
 *   identity_complete:false. No licence images (no blobs).
 * - 3-5 listings per merchant ("sku-NNNNN-NN"), all version 1 lines first,
 *   then 15 version 2 lines (new price, title or description) ordered by
 *   when they took effect.
 * - 400 orders ("T" + Beijing paid time + sequence) by 150 consumers
 *   ("u-NNNNNNN"), sorted by paid_at. An item paid before its listing's
 *   version 2 took effect names "listing_version": 1; other items leave the
 *   version out (newest). unit_price is the price of that version, total
 *   is the sum of quantity * unit_price.
 * - Logistics events (referring to orders by external_id) sorted by time:
 *   most physical orders go shipped, in_transit, delivered, signed; some
 *   stall in transit, a few are lost or returned, a few never ship;
 *   download cards have none.
 * - Chat messages for about 40% of orders, many of them dispute-like
 *   (quality, not as described, not received, return refused), sorted by
 *   time.
 *
 * Every time is a whole second in [now_ms - 60 days, now_ms]; orders are
 * paid within that window and nothing happens after `now_ms`. The result
 * depends only on `seed` and `now_ms` (no global state, no clock, no rand()).
 *
 * Returns a new jansson array the caller owns (json_decref), or NULL on
 * allocation failure (nothing is leaked) or when `now_ms` (UTC milliseconds
 * since the epoch) is not after 1970-03-02, so the window would start
 * before the epoch.
 */
json_t *demo_records(uint32_t seed, int64_t now_ms);

/*
 * Load demo_records(seed, now) into the store through ingest, in one
 * transaction, each order arriving when it was paid (the risk figures
 * count orders by that time) and the rest at `now`; blobs go under
 * `data`. *count gets the records loaded. Any rejection is a bug in the
 * demo, reported naming the record.
 */
int demo_data_load(struct store *st, const char *data, uint32_t seed, int64_t now,
		   int64_t *count, struct err *e) WARN_UNUSED;

#endif
