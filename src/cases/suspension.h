/* suspension.h - E-Commerce Law art. 38 measures: a listing suspended pending a serious safety dispute, and reinstated. */
#ifndef DISPUTED_SUSPENSION_H
#define DISPUTED_SUSPENSION_H

#include <jansson.h>
#include <stdint.h>

#include "cases/dispute.h"
#include "core/err.h"

/*
 * When a serious dispute's reason is `safety`, staff may suspend the
 * listing it is about until the decision. A suspension is
 *   {"object":"listing_suspension","id":"lsp_…","listing":"lst_…",
 *    "dispute":"dsp_…","reason":TEXT,"by":{actor},"at":RFC 3339,
 *    "lifted":null | {"by":{actor},"at":RFC 3339,"reason":TEXT}}
 * At most one is active per listing. Suspending and reinstating are each
 * noted in the dispute's timeline as a sealed event ("listing.suspended",
 * "listing.reinstated" with data {"suspension","listing","reason"}), which
 * is the record the evidence log keeps, and each sends the webhook of the
 * same name with the suspension as its object. A decision that rejects
 * the claim reinstates the listings its dispute suspended; any other
 * outcome leaves them suspended until staff lift them.
 *
 * Every function runs inside the caller's store transaction; the seals it
 * makes go to `dc` for the caller to integrate after commit.
 */

/*
 * Suspend `listing` (a stored listing body, borrowed) for the request body
 * `in` {"dispute","reason"}. RC_INVAL for a bad body (param names the
 * field; an unknown dispute is "resource_missing"); RC_CONFLICT when the
 * dispute is not serious ("not_serious"), its reason is not safety
 * ("not_safety"), it is over ("dispute_not_live"), its order has no item
 * of the listing ("listing_not_in_dispute"), or the listing is already
 * suspended ("already_suspended"). *out is the new suspension.
 */
int listing_suspend(struct cases *c, const struct actor *a, json_t *listing, json_t *in,
		    int64_t now, json_t **out, struct dispute_call *dc, struct err *e) WARN_UNUSED;

/*
 * Lift the listing's active suspension; `in` (may be NULL) is {"reason"?}.
 * RC_CONFLICT "not_suspended" if there is none. *out is the suspension as
 * lifted.
 */
int listing_reinstate(struct cases *c, const struct actor *a, json_t *listing, json_t *in,
		      int64_t now, json_t **out, struct dispute_call *dc,
		      struct err *e) WARN_UNUSED;

/* *out is the listing's active suspension, or JSON null (a new reference either way). */
int listing_suspension_get(struct store *st, const char *listing_id, json_t **out,
			   struct err *e) WARN_UNUSED;

/*
 * After a decision on dispute `d` by `a`: a rejection of the claim
 * reinstates every listing the dispute suspended.
 */
int listing_suspensions_decided(struct cases *c, const struct actor *a, json_t *d, int64_t now,
				struct dispute_call *dc, struct err *e) WARN_UNUSED;

#endif
