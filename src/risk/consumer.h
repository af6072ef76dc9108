/* consumer.h - abusive complainants: a consumer's abuse signals, and staff's flag on them with its evidence, notice and appeal. */
#ifndef DISPUTED_RISK_CONSUMER_H
#define DISPUTED_RISK_CONSUMER_H

#include <jansson.h>
#include <stdint.h>

#include "cases/dispute.h"
#include "core/err.h"
#include "store/store.h"

/*
 * The other side of the platform's duty (seed §4.3.2): not to be used by
 * abusive complainants against honest merchants, and never to brand a
 * consumer so by itself. Signals are figures with their evidence, for a
 * person to read; only staff set the `abusive` flag, and only with
 * evidence; the consumer is told and may appeal once per marking.
 *
 * Signals (risk_consumer_signals), over the newest RISK_SIGNAL_DISPUTES
 * of the consumer's disputes:
 *
 *   dispute_rate      figure: disputes opened in the RISK_WINDOW_DAYS up to
 *                     now; also all disputes read, all orders, and
 *                     per_order = disputes / orders (4 decimals; null
 *                     without orders). Evidence: the window's disputes.
 *   rejected_share    figure: rejected / decided, where decided are the
 *                     disputes with an outcome and rejected those whose
 *                     outcome is `rejected` (4 decimals; null when none was
 *                     decided). Evidence: the rejected disputes.
 *   photo_reuse       figure: blobs the consumer cited in disputes on two or
 *                     more different orders (cited: the dispute's opening
 *                     evidence, and the evidence and attachments of the
 *                     consumer's own events). Evidence: each such blob with
 *                     its orders and disputes.
 *   withdrawn_after_payment
 *                     figure: disputes the consumer withdrew after money
 *                     was paid to them in it (a `funds` event of operation
 *                     `execute` with a positive amount before the move to
 *                     `withdrawn`); also all withdrawn. Evidence: those
 *                     disputes.
 *
 * Every evidence list holds at most RISK_EVIDENCE_MAX items (newest
 * first; blobs by digest), with "evidence_truncated" saying whether more
 * were left out.
 */

#define RISK_WINDOW_DAYS 90
#define RISK_SIGNAL_DISPUTES 500   /* disputes read for the signals, newest first */
#define RISK_EVIDENCE_MAX 20       /* items per signal's evidence list */
#define RISK_FLAG_EVIDENCE_MAX 20  /* evidence items a marking may cite */
#define RISK_FLAG_HISTORY_MAX 50   /* history events shown on the consumer's record */
#define RISK_NOTICE_MAX 50         /* live disputes told of a marking in their timeline */

/*
 * The signals of a history: `disputes` is an array of the consumer's
 * dispute bodies, newest first, each with an "events" member (its events,
 * oldest first); `orders` how many orders the consumer has; `truncated`
 * whether older disputes were left out. *out (new) is the "signals"
 * object above. Pure: no store, for the unit tests.
 */
int risk_signals_of(json_t *disputes, int64_t orders, int64_t now, json_t **out,
		    struct err *e) WARN_UNUSED;

/*
 * GET /v1/consumers/{id}/signals: {"object":"consumer_signals","consumer",
 * "window_days","computed_at","disputes_read","truncated","signals":{…}}
 * for a stored consumer. Inside the caller's transaction.
 */
int risk_consumer_signals(struct store *st, const char *consumer_id, int64_t now, json_t **out,
			  struct err *e) WARN_UNUSED;

/*
 * A flag as served ({"object":"consumer_flag","id":"cfl_…","consumer",
 * "flag","reason","evidence","set_by","created_at","cleared_at",
 * "cleared_by","clear_reason","appeal"}, times RFC 3339) from the store's
 * shape (store_consumer_flag_live). New reference.
 */
json_t *risk_flag_json(json_t *stored);

/*
 * What the consumer's record shows of their flags: *flags the live ones
 * (served shape), *history their newest RISK_FLAG_HISTORY_MAX history
 * events, oldest first. Both new.
 */
int risk_consumer_flag_view(struct store *st, const char *consumer_id, json_t **flags,
			    json_t **history, struct err *e) WARN_UNUSED;

/*
 * The actions, each inside the caller's transaction, by actor `a` on
 * consumer `consumer_id` (a stored consumer's id), with request body `in`.
 * Each records a history event sealed as leaf kind `consumer_flag_event`
 * (its seal, and those of the notes, go to `dc`), notes it in the timeline
 * of each of the consumer's live disputes (an event of type
 * `consumer_flag`, which merchants are not shown), and emits the webhook
 * event consumer.flagged, consumer.flag_cleared, consumer.flag_appealed
 * or consumer.flag_appeal_decided with the flag. *out is the flag after
 * the action (served shape, new).
 *
 * set: {"flag", "reason", "evidence": [ids]}: every item a dispute
 *      ("dsp_…") or blob ("sha256:…") of this consumer, 1 to
 *      RISK_FLAG_EVIDENCE_MAX of them, no repeats; else RC_UNPROCESSABLE
 *      naming "evidence[N]" (RC_INVAL for a missing or empty list).
 *      RC_CONFLICT "flag_set" if the consumer already carries it.
 * clear: {"reason"}: RC_NOTFOUND if the flag is not set.
 * appeal: {"text"}, by the consumer (or the platform for them): once per
 *      marking, RC_CONFLICT "appeal_filed" after.
 * decide: {"decision": upheld|overturned, "reason"}: RC_CONFLICT
 *      "no_appeal" unless an appeal waits; overturned clears the flag.
 */
int risk_consumer_flag_set(struct cases *c, const struct actor *a, const char *consumer_id,
			   json_t *in, int64_t now, json_t **out, struct dispute_call *dc,
			   struct err *e) WARN_UNUSED;
int risk_consumer_flag_clear(struct cases *c, const struct actor *a, const char *consumer_id,
			     const char *flag, json_t *in, int64_t now, json_t **out,
			     struct dispute_call *dc, struct err *e) WARN_UNUSED;
int risk_consumer_flag_appeal(struct cases *c, const struct actor *a, const char *consumer_id,
			      const char *flag, json_t *in, int64_t now, json_t **out,
			      struct dispute_call *dc, struct err *e) WARN_UNUSED;
int risk_consumer_flag_decide(struct cases *c, const struct actor *a, const char *consumer_id,
			      const char *flag, json_t *in, int64_t now, json_t **out,
			      struct dispute_call *dc, struct err *e) WARN_UNUSED;

#endif
