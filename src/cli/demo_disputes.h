/* demo_disputes.h - disputes in every state for `disputed demo`, played out over the demo orders' past. */
#ifndef DISPUTED_DEMO_DISPUTES_H
#define DISPUTED_DEMO_DISPUTES_H

#include <stdint.h>

#include "cases/calendar.h"
#include "cases/rules.h"
#include "core/err.h"
#include "store/store.h"

/*
 * Open and play out about 25 disputes on the demo orders already in `st`
 * (demo_records, loaded through ingest), so that every state holds at
 * least two: awaiting_merchant, negotiating (an offer pending, a claim
 * rejected), platform_review (escalated, overdue, after merchant silence),
 * decided (merchant accepted, agent decision, fast lane granted on
 * silence), executing (one overdue), resolved (carried out, rejected and
 * closed, decided on appeal), withdrawn and external (court and
 * association). Tiers of all three kinds occur; there are no-reason
 * returns; both parties post messages; agent decisions give reasons whose
 * codes the rules publish. No evidence blobs are used.
 *
 * Each dispute runs through the real lifecycle (dispute_open, dispute_act,
 * dispute_fire_due) with times in the past: it opens some hours or days
 * before `now` (UTC ms), after the order's chat or delivery, and every
 * action and timer happens at or before `now`. Deadlines that depend on
 * the calendar (working days, the appeal window) are found from the rules
 * and calendar, so the states come out right on any date. Finally every
 * timer due by `now` has fired, and staff have marked the consumer of the
 * rejected claim abusive, with that claim as evidence (a consumer under
 * review, docs/abuse.md). Orders are chosen by what their chat says
 * (quality, not as described, not received, …) and, for no-reason returns,
 * by their signed delivery; a scene with no fitting order is left out.
 *
 * Runs in its own store transaction (store_begin … store_end): call it
 * outside any. The dispute events are sealed as pending seals; the caller
 * integrates them into the log afterwards (cli_seal_pending). The result
 * depends only on the stored orders, `seed` and `now` (dispute ids are
 * random). *count gets the number of disputes made.
 *
 * Returns RC_OK, or the error of the store or of a lifecycle call that
 * failed (a bug in the demo's scripts), with nothing written.
 */
int demo_disputes(struct store *st, const struct rules *r, const struct calendar *cal,
		  uint32_t seed, int64_t now, int64_t *count, struct err *e) WARN_UNUSED;

#endif
