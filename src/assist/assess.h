/* assess.h - a dispute's assessment: its focus, the photos compared, the logistics facts, the merchant's answer, and a suggested outcome with reasons that point at the evidence. */
#ifndef DISPUTED_ASSESS_H
#define DISPUTED_ASSESS_H

#include <jansson.h>
#include <stdint.h>

#include "assist/focus.h"
#include "assist/llm.h"
#include "core/err.h"
#include "store/store.h"

/*
 * An assessment suggests; a person decides (the rules' [assist]
 * auto_grant is the one exception, applied by the caller). It is made in
 * two steps so that no store lock is held while photos are decoded or a
 * language model answers: assess_gather reads what the dispute's evidence
 * is, inside the caller's store transaction; assess_compute works on that
 * copy alone. The result is a JSON object (docs/assist.md, "Assessment"):
 *
 *   object          "assessment"
 *   dispute         "dsp_…"
 *   inputs_digest   SHA-256 (hex) of the evidence it was made from: the same
 *                   evidence gives the same digest
 *   reason          the reason the consumer chose
 *   focus           {"detected": {primary, scores, phrases} or null,
 *                    "agrees": whether it is the consumer's reason,
 *                    "sources": the ids of the texts read}
 *   images          [{"listing_image", "consumer_image", "verdict",
 *                    "similarity", "colour_difference", "explanation"}]
 *   logistics       {"events", "shipped", "delivered", "signed", "signed_at",
 *                    "signed_detail", "lost", "returned", "last": id or null}
 *   merchant        {"responded", "response", "offer", "said": [ids]}
 *   suggested_outcome {"outcome", "amount", "confidence", "reasons":
 *                    [{"code", "text", "evidence": [ids]}]}
 *   llm             {"summary", "focus", "exchanges": [sealed exchanges]}
 *                   or null when no language model is configured
 *   computed_at
 */

/* Most photos of each side compared (the rest are listed as not compared). */
#define ASSESS_MAX_LISTING_IMAGES 4
#define ASSESS_MAX_CONSUMER_IMAGES 4

/* What the computation needs besides the evidence. */
struct assess_env {
	const char *data_dir;             /* where the blobs are */
	const struct focus_model *focus;  /* NULL: no focus detected */
	const struct llm_config *llm;     /* NULL or disabled: no language model */
};

/* A dispute's evidence, copied out of the store. */
struct assess_input {
	json_t *dispute;         /* as stored */
	json_t *texts;           /* [{"source": id, "by": role, "text"}] */
	json_t *listing_images;  /* blob ids of the order's listing versions' photos */
	json_t *consumer_images; /* [{"blob": id, "source": id}] photos the consumer gave */
	json_t *logistics;       /* the order's logistics events, as stored */
	json_t *merchant_said;   /* the merchant's dispute events, as stored */
};

/* Read dispute `dispute_id`'s evidence into `in` (inside a store transaction). */
int assess_gather(struct store *st, const char *dispute_id, struct assess_input *in,
		  struct err *e) WARN_UNUSED;
void assess_input_release(struct assess_input *in);

/* The assessment of `in` at time `now` (ms); *out a new reference. Outside any transaction. */
int assess_compute(const struct assess_env *env, const struct assess_input *in, int64_t now,
		   json_t **out, struct err *e) WARN_UNUSED;

/*
 * Whether `a` (an assessment) grants its dispute's claim by itself under
 * the rules' [assist] settings: the dispute is fast_lane, under platform
 * review, its reason is one of `reasons` (NULL-terminated), and the
 * suggestion is to grant in full with at least `confidence`.
 */
int assess_auto_grants(json_t *dispute, json_t *a, char *const *reasons, double confidence);

#endif
