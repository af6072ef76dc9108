/* assess.c - a dispute's assessment made from its gathered evidence: focus, photos, logistics, the merchant's answer, and the outcome it suggests, each reason naming its evidence. */
#include "assist/assess.h"

#include <glib.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "assist/image.h"
#include "core/jsonx.h"
#include "core/sha256.h"
#include "disclose/disclose.h"
#include "evidence/blobstore.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* ---- the focus ---- */

/* The consumer's own words, joined, at most FOCUS_MAX_TEXT bytes; their ids into `sources`. */
static char *consumer_text(const struct assess_input *in, json_t *sources)
{
	GString *t = g_string_new(NULL);
	json_t *x;
	size_t i;

	json_array_foreach(in->texts, i, x) {
		const char *s = str(x, "text");

		if (!is(str(x, "by"), "consumer") || t->len + strlen(s) + 3 > FOCUS_MAX_TEXT)
			continue;
		if (t->len)
			g_string_append(t, "。");
		g_string_append(t, s);
		json_array_append(sources, json_object_get(x, "source"));
	}
	return g_string_free(t, FALSE);
}

static json_t *focus_json(const struct assess_env *env, const struct assess_input *in,
			  char **text_out)
{
	const char *reason = str(in->dispute, "reason");
	json_t *sources = json_array(), *detected = json_null();
	char *text = consumer_text(in, sources);
	struct focus_result r;
	struct err e;

	if (env->focus && *text && !focus_classify(env->focus, text, strlen(text), &r, &e))
		detected = focus_result_json(&r);
	*text_out = text;
	return json_pack("{s:o, s:b, s:o}", "detected", detected, "agrees",
			 json_is_object(detected) && is(str(detected, "primary"), reason),
			 "sources", sources);
}

/* ---- photos ---- */

/* The bytes of blob `id` (malloc'd) or NULL, with why in `e`. */
static char *blob_bytes(const char *data_dir, const char *id, size_t *len, struct err *e)
{
	char hex[65], *data = NULL;

	if (!id || !blob_parse_id(id, hex)) {
		err_set(e, RC_INVAL, NULL, NULL, "not a blob id");
		return NULL;
	}
	return blobstore_get(data_dir, hex, &data, len, e) ? NULL : data;
}

static json_t *compare_one(const struct assess_env *env, const char *a, const char *b)
{
	struct image_verdict v;
	size_t la = 0, lb = 0;
	struct err e;
	char *da, *db = NULL;
	json_t *out;
	int rc;

	err_clear(&e);
	da = blob_bytes(env->data_dir, a, &la, &e);
	if (da)
		db = blob_bytes(env->data_dir, b, &lb, &e);
	rc = da && db ? image_compare_buffers(da, la, db, lb, a, b, &v, &e) : e.rc ? e.rc : RC_IO;
	free(da);
	free(db);
	if (rc)
		return json_pack("{s:s, s:s, s:s}", "listing_image", a, "consumer_image", b, "error",
				 e.message);
	out = json_pack("{s:s, s:s, s:s, s:f, s:f, s:s}", "listing_image", a, "consumer_image",
			b, "verdict", image_verdict_name(v.verdict), "similarity", v.similarity,
			"colour_difference", v.colour_difference, "explanation", v.explanation);
	return out;
}

static json_t *images_json(const struct assess_env *env, const struct assess_input *in)
{
	json_t *out = json_array(), *a, *b;
	size_t i, j;

	json_array_foreach(in->listing_images, i, a) {
		if (i >= ASSESS_MAX_LISTING_IMAGES)
			break;
		json_array_foreach(in->consumer_images, j, b) {
			if (j >= ASSESS_MAX_CONSUMER_IMAGES)
				break;
			json_array_append_new(out, compare_one(env, json_string_value(a),
							       str(b, "blob")));
		}
	}
	return out;
}

/* ---- logistics and the merchant ---- */

static json_t *logistics_json(const struct assess_input *in)
{
	json_t *ev, *signed_ev = NULL, *last = NULL;
	int shipped = 0, delivered = 0, lost = 0, returned = 0;
	size_t i, n = 0;

	json_array_foreach(in->logistics, i, ev) {
		const char *st = str(ev, "status");

		if (is(str(ev, "direction"), "return"))
			continue;
		n++;
		last = ev;
		shipped = 1;
		delivered |= is(st, "delivered") || is(st, "signed");
		lost |= is(st, "lost");
		returned |= is(st, "returned");
		if (is(st, "signed"))
			signed_ev = ev;
	}
	return json_pack("{s:I, s:b, s:b, s:b, s:O, s:O, s:b, s:b, s:O}", "events", (json_int_t)n,
			 "shipped", shipped, "delivered", delivered, "signed", signed_ev != NULL,
			 "signed_at", signed_ev ? json_object_get(signed_ev, "occurred_at") : json_null(),
			 "signed_detail",
			 signed_ev && json_object_get(signed_ev, "detail")
				 ? json_object_get(signed_ev, "detail") : json_null(),
			 "lost", lost, "returned", returned, "last",
			 last ? json_object_get(last, "id") : json_null());
}

/* The merchant's standing offer: the dispute's, unless that is the consumer's counter-offer,
 * then the merchant's last in the negotiation. */
static json_t *merchant_offer(json_t *d)
{
	json_t *offer = json_object_get(d, "offer"), *h = json_object_get(d, "negotiation"), *st;
	size_t i = json_array_size(h);

	if (!is(str(offer, "by"), "consumer"))
		return offer;
	while (i-- > 0) {
		st = json_array_get(h, i);
		if (is(str(st, "by"), "merchant"))
			return json_object_get(st, "offer");
	}
	return NULL;
}

static json_t *merchant_json(const struct assess_input *in)
{
	json_t *said = json_array(), *ev, *response = json_null();
	json_t *offer = merchant_offer(in->dispute);
	size_t i;

	json_array_foreach(in->merchant_said, i, ev) {
		const char *t = str(ev, "type");

		json_array_append(said, json_object_get(ev, "id"));
		if (t && strncmp(t, "merchant_", 9) == 0) {
			json_decref(response);
			response = json_pack("{s:s, s:O}", "type", t + 9, "event",
					     json_object_get(ev, "id"));
		}
	}
	return json_pack("{s:b, s:o, s:O, s:o}", "responded", json_is_object(response),
			 "response", response, "offer", offer ? offer : json_null(), "said", said);
}

/* ---- the suggestion ---- */

struct suggestion {
	int grant;              /* grant the claim in full, else reject */
	double confidence;
	json_t *reasons;        /* [{"code", "text", "evidence"}] */
};

static void because(struct suggestion *s, const char *code, const char *text, json_t *evidence)
{
	json_array_append_new(s->reasons, json_pack("{s:s, s:s, s:o}", "code", code, "text", text,
						    "evidence", evidence ? evidence : json_array()));
}

static json_t *ids(json_t *one)
{
	json_t *a = json_array();

	if (json_is_string(one))
		json_array_append(a, one);
	return a;
}

static void suggest_not_received(struct suggestion *s, json_t *lg, json_t *order_id)
{
	json_t *last = json_object_get(lg, "last");
	const char *detail = str(lg, "signed_detail");

	s->grant = 1;
	if (json_is_true(json_object_get(lg, "lost"))) {
		s->confidence = 0.95;
		because(s, "not_delivered", "the carrier reported the parcel lost", ids(last));
	} else if (json_is_true(json_object_get(lg, "returned"))) {
		s->confidence = 0.9;
		because(s, "not_delivered", "the parcel went back to the sender", ids(last));
	} else if (!json_is_true(json_object_get(lg, "delivered"))) {
		s->confidence = 0.9;
		because(s, "not_delivered", "no logistics event shows delivery or a signature",
			ids(json_is_string(last) ? last : order_id));
	} else if (detail && strstr(detail, "本人")) {
		s->grant = 0;
		s->confidence = 0.6;
		because(s, "consumer_evidence_insufficient",
			"the logistics record says the consumer signed in person", ids(last));
	} else {
		s->confidence = 0.65;
		because(s, "delivery_signed_not_received",
			"signed for, but not by the consumer in person (a locker, a station or "
			"someone else)", ids(last));
	}
}

static void suggest_described(struct suggestion *s, json_t *images)
{
	json_t *x, *differ = json_array(), *alike = json_array();
	size_t i;

	json_array_foreach(images, i, x) {
		const char *v = str(x, "verdict");

		if (is(v, "colour_mismatch") || is(v, "different"))
			json_array_append(differ, json_object_get(x, "consumer_image"));
		else if (is(v, "same"))
			json_array_append(alike, json_object_get(x, "consumer_image"));
	}
	s->grant = json_array_size(differ) > 0 || json_array_size(alike) == 0;
	if (json_array_size(differ)) {
		s->confidence = 0.8;
		because(s, "not_as_described",
			"the consumer's photo does not match the listing's photos", differ);
		json_decref(alike);
	} else if (json_array_size(alike)) {
		s->confidence = 0.55;
		because(s, "consumer_evidence_insufficient",
			"the consumer's photos match the listing's photos", alike);
		json_decref(differ);
	} else {
		s->confidence = 0.5;
		because(s, "not_as_described",
			"no photo comparison decides it: the claim stands on the records", NULL);
		json_decref(differ);
		json_decref(alike);
	}
}

/* The published reason code and confidence for a claim that rests on the complaint's text. */
static const struct {
	const char *focus, *code, *text;
	double confidence;
} by_text[] = {
	{"quality", "quality_defect", "the complaint describes a defect", 0.7},
	{"counterfeit", "counterfeit_goods", "the complaint says the goods are not genuine", 0.7},
	{"safety", "safety_hazard", "the complaint describes a hazard to health or safety", 0.75},
	{"false_advertising", "false_advertising", "the complaint says the listing's claims were "
						   "false", 0.6},
	{"price", "price_violation", "the complaint is about the price or the invoice", 0.6},
	{"after_sales", "after_sales_refused", "the complaint says after-sales service was "
					       "refused", 0.6},
};

static void suggest(const struct assess_input *in, json_t *focus, json_t *images, json_t *lg,
		    json_t *merchant, struct suggestion *s)
{
	const char *reason = str(in->dispute, "reason");
	const char *detected = str(json_object_get(focus, "detected"), "primary");
	json_t *sources = json_object_get(focus, "sources");
	json_t *response = json_object_get(merchant, "response");
	const char *f = is(reason, "other") && detected ? detected : reason;
	size_t i;

	s->grant = 1;
	s->confidence = 0.5;
	if (is(str(response, "type"), "accept")) {
		s->confidence = 0.95;
		because(s, "merchant_accepted", "the merchant accepted the claim",
			ids(json_object_get(response, "event")));
		return;
	}
	if (is(f, "not_received")) {
		suggest_not_received(s, lg, json_object_get(in->dispute, "order"));
	} else if (is(f, "not_as_described")) {
		suggest_described(s, images);
	} else if (is(f, "no_claim")) {
		s->grant = 0;
		s->confidence = 0.6;
		because(s, "outside_platform_scope",
			"the complaint states an opinion with nothing to claim from the merchant",
			json_deep_copy(sources));
	} else {
		for (i = 0; i < sizeof(by_text) / sizeof(by_text[0]); i++)
			if (is(f, by_text[i].focus)) {
				s->confidence = by_text[i].confidence;
				because(s, by_text[i].code, by_text[i].text, json_deep_copy(sources));
			}
		if (!json_array_size(s->reasons))
			because(s, "merchant_evidence_insufficient",
				"the merchant's answer does not rebut the claim",
				json_deep_copy(json_object_get(merchant, "said")));
	}
	/* a reading of the text that disagrees with the consumer's reason weakens it */
	if (detected && !is(detected, reason) && !is(reason, "other"))
		s->confidence -= is(detected, "no_claim") ? 0.15 : 0.1;
}

/* The outcome that grants a claim of its type. */
static const char *grant_outcome(json_t *claim)
{
	const char *type = str(claim, "type");

	return is(type, "exchange") ? "replace" : is(type, "repair") ? "repair" : "full_refund";
}

static json_t *suggestion_json(const struct assess_input *in, struct suggestion *s)
{
	json_t *claim = json_object_get(in->dispute, "claim");
	double c = s->confidence < 0.05 ? 0.05 : s->confidence;

	return json_pack("{s:s, s:O, s:f, s:o}", "outcome",
			 s->grant ? grant_outcome(claim) : "rejected", "amount",
			 s->grant ? json_object_get(claim, "amount") : json_null(), "confidence",
			 (double)(int)(c * 100 + 0.5) / 100, "reasons", s->reasons);
}

/* ---- the language model, if any ---- */

static json_t *llm_json(const struct assess_env *env, const char *text)
{
	struct llm_summary sum;
	struct llm_focus foc;
	json_t *out, *ex;
	struct err e;
	int rs, rf;

	static const struct disclose_parties nobody;
	struct buf sent;
	int changed;

	if (!env->llm || !env->llm->enabled || !*text)
		return json_null();
	ex = json_array();
	/* what leaves the platform carries nobody's name or number (PIPL art. 6) */
	buf_init(&sent, FOCUS_MAX_TEXT * 2);
	if (disclose_redact(text, &nobody, &sent, &changed, &e)) {
		buf_release(&sent);
		json_decref(ex);
		return json_null();
	}
	rs = llm_summarise_case(env->llm, sent.data, &sum, &e);
	json_array_append_new(ex, llm_reply_json(&sum.reply));
	rf = llm_focus_opinion(env->llm, sent.data, &foc, &e);
	buf_release(&sent);
	json_array_append_new(ex, llm_reply_json(&foc.reply));
	out = json_pack("{s:o, s:o, s:o}", "summary", rs ? json_null() : json_string(sum.text),
			"focus",
			rf ? json_null()
			   : json_pack("{s:s, s:s}", "primary", foc.primary, "reason", foc.reason),
			"exchanges", ex);
	llm_summary_release(&sum);
	llm_focus_release(&foc);
	return out;
}

/* ---- the whole ---- */

static int digest_of(const struct assess_input *in, char hex[65])
{
	json_t *d = in->dispute;
	json_t *what = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "reason",
				 json_object_get(d, "reason"), "claim", json_object_get(d, "claim"),
				 "texts", in->texts, "listing_images", in->listing_images,
				 "consumer_images", in->consumer_images, "logistics", in->logistics,
				 "merchant", in->merchant_said, "offer", json_object_get(d, "offer"));
	char *text = what ? json_dumps(what, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	uint8_t h[SHA256_SIZE];

	json_decref(what);
	if (!text)
		return -1;
	sha256(h, text, strlen(text));
	sodium_bin2hex(hex, 65, h, sizeof(h));
	free(text);
	return 0;
}

int assess_compute(const struct assess_env *env, const struct assess_input *in, int64_t now,
		   json_t **out, struct err *e)
{
	struct suggestion s = {0, 0, json_array()};
	json_t *focus, *images, *lg, *merchant;
	char hex[65], *text = NULL;

	*out = NULL;
	if (digest_of(in, hex))
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	focus = focus_json(env, in, &text);
	images = images_json(env, in);
	lg = logistics_json(in);
	merchant = merchant_json(in);
	suggest(in, focus, images, lg, merchant, &s);
	*out = json_pack("{s:s, s:O, s:s, s:O, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "object",
			 "assessment", "dispute", json_object_get(in->dispute, "id"),
			 "inputs_digest", hex, "reason", json_object_get(in->dispute, "reason"),
			 "focus", focus, "images", images, "logistics", lg, "merchant", merchant,
			 "suggested_outcome", suggestion_json(in, &s), "llm", llm_json(env, text),
			 "computed_at", jx_time_json(now));
	g_free(text);
	return *out ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

int assess_auto_grants(json_t *dispute, json_t *a, char *const *reasons, double confidence)
{
	json_t *sug = json_object_get(a, "suggested_outcome");
	const char *reason = str(dispute, "reason");
	size_t i;
	int listed = 0;

	for (i = 0; reasons && reasons[i]; i++)
		listed |= is(reasons[i], reason);
	return listed && is(str(dispute, "tier"), "fast_lane") &&
	       is(str(dispute, "state"), "platform_review") &&
	       !is(str(sug, "outcome"), "rejected") &&
	       json_real_value(json_object_get(sug, "confidence")) >= confidence - 1e-9;
}
