/* demo_disclosures.h - the disclosure desk in `disputed demo`: packages for consumers who went outside, and requests from a court, an association and a regulator. */
#ifndef DISPUTED_DEMO_DISCLOSURES_H
#define DISPUTED_DEMO_DISCLOSURES_H

#include <stdint.h>

#include "cases/calendar.h"
#include "cases/rules.h"
#include "core/err.h"
#include "store/store.h"

/*
 * After demo_disputes: every dispute taken to a court or an association
 * gets the consumer's disclosure (released at once, as the API opens it);
 * the demo court asks about one disputed order (left pending in the agents'
 * queue), the demo association about another (refused with reasons), and
 * the demo regulator about a third (released in part). Runs in its own
 * store transaction; the events are pending seals for the caller to
 * integrate. *count gets the number of disclosures made.
 */
int demo_disclosures(struct store *st, const struct rules *r, const struct calendar *cal,
		     int64_t now, int64_t *count, struct err *e) WARN_UNUSED;

#endif
