/* dispute_reasons.c - what a decision's reasons must be: published codes, evidence that is the dispute's own, and the minimal burden of proof. */
#include "cases/dispute_int.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "evidence/blobstore.h"
#include "ingest/ingest.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Page through the order's records of `kind`, oldest first, each passed to `fn`. */
static int each_of_order(struct cases *c, enum store_kind kind, const char *order_id,
			 int (*fn)(json_t *item, void *ctx), void *ctx, struct err *e)
{
	struct store_filter f = {NULL, NULL, order_id};
	json_t *items = NULL, *it;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	do {
		rc = store_list(c->st, kind, &f, after, 100, &items, &next, e);
		json_array_foreach(items, i, it)
			if (!rc)
				rc = fn(it, ctx);
		json_decref(items);
		items = NULL;
		after = next;
	} while (!rc && next > 0);
	return rc;
}

/* ---- what a reason may cite ---- */

/*
 * The references a reason's `evidence` may hold, as {reference: kind}: each
 * record of the frozen evidence set (by its id, and as "type:id"), the
 * order's later logistics events and messages, the dispute itself (its
 * opening), its parties' events and its assessments, and every blob the
 * parties attached to the dispute or the order's chat ("sha256:…").
 */
struct citable {
	json_t *refs;   /* {reference: kind} */
	const char *dispute_id;
};

static void cite(struct citable *ct, const char *kind, const char *id)
{
	char typed[300];

	if (!id || !*id)
		return;
	if (!json_object_get(ct->refs, id))
		json_object_set_new(ct->refs, id, json_string(kind));
	if (snprintf(typed, sizeof(typed), "%s:%s", kind, id) < (int)sizeof(typed))
		json_object_set_new(ct->refs, typed, json_string(kind));
}

static void cite_blobs(struct citable *ct, json_t *ids)
{
	char hex[65];
	json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (json_is_string(v) && blob_parse_id(json_string_value(v), hex))
			cite(ct, "blob", json_string_value(v));
}

static int cite_event(void *ctx, json_t *ev)
{
	struct citable *ct = ctx;
	const char *role = str(json_object_get(ev, "actor"), "role");
	json_t *data = json_object_get(ev, "data");

	if (is(str(ev, "type"), "assessment")) {
		cite(ct, "dispute_event", str(ev, "id"));
	} else if (is(role, actor_role_names[ACTOR_CONSUMER]) ||
		   is(role, actor_role_names[ACTOR_MERCHANT])) {
		cite(ct, "dispute_event", str(ev, "id"));
		cite_blobs(ct, json_object_get(data, "evidence"));
		cite_blobs(ct, json_object_get(data, "attachments"));
	}
	return RC_OK;
}

static int cite_message(json_t *msg, void *ctx)
{
	struct citable *ct = ctx;

	cite(ct, "message", str(msg, "id"));
	cite_blobs(ct, json_object_get(msg, "attachments"));
	return RC_OK;
}

static int cite_logistics(json_t *ev, void *ctx)
{
	cite(ctx, "logistics", str(ev, "id"));
	return RC_OK;
}

static int citable_build(struct move *m, struct citable *ct, struct err *e)
{
	json_t *r;
	size_t i;
	int rc;

	ct->refs = json_object();
	ct->dispute_id = str(m->d, "id");
	if (!ct->refs)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_array_foreach(json_object_get(json_object_get(m->d, "evidence_set"), "records"), i, r)
		cite(ct, str(r, "type"), str(r, "id"));
	cite(ct, "dispute", ct->dispute_id);
	cite_blobs(ct, json_object_get(m->d, "evidence"));
	rc = store_dispute_event_each(m->c->st, ct->dispute_id, cite_event, ct, e);
	if (!rc)
		rc = each_of_order(m->c, STORE_MESSAGE, str(m->d, "order"), cite_message, ct, e);
	if (!rc)
		rc = each_of_order(m->c, STORE_LOGISTICS, str(m->d, "order"), cite_logistics, ct, e);
	return rc;
}

/* 1 if `text` holds something besides white space. */
static int has_text(const char *text)
{
	for (; text && *text; text++)
		if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r')
			return 1;
	return 0;
}

int dispute_check_reasons(struct move *m, json_t *reasons, struct err *e)
{
	struct citable ct = {NULL, NULL};
	json_t *r, *ref;
	char param[96];
	size_t i, j;
	int rc = RC_OK;

	json_array_foreach(reasons, i, r) {
		const char *code = str(r, "code");

		snprintf(param, sizeof(param), "reasons[%zu].code", i);
		if (is(code, dispute_reason_names[REASON_OTHER])) {
			if (!has_text(str(r, "text")))
				return err_set(e, RC_UNPROCESSABLE, "text_required", param,
					       "a reason of code other says what it is in its text");
		} else if (!rules_reason_find(m->c->rules, code)) {
			return err_set(e, RC_UNPROCESSABLE, "unknown_reason", param,
				       "%s is not a reason code of rules %s: use a published one "
				       "(GET /v1/rules) or other with a text", code,
				       m->c->rules->version);
		}
	}
	json_array_foreach(reasons, i, r) {
		json_array_foreach(json_object_get(r, "evidence"), j, ref) {
			if (!ct.refs && (rc = citable_build(m, &ct, e)))
				goto out;
			if (json_object_get(ct.refs, json_string_value(ref)))
				continue;
			snprintf(param, sizeof(param), "reasons[%zu].evidence", i);
			rc = err_set(e, RC_UNPROCESSABLE, "unknown_evidence", param,
				     "%s[%zu] (%.100s) is not a record, blob or message of dispute "
				     "%s", param, j, json_string_value(ref), ct.dispute_id);
			goto out;
		}
	}
out:
	json_decref(ct.refs);
	return rc;
}

/* ---- the minimal burden of proof ---- */

/* What the records say for the claim: [{"kind", "record", "why"}], at most SUPPORT_MAX. */
#define SUPPORT_MAX 8

struct support {
	struct move *m;
	json_t *items;
};

static void support_add(struct support *s, const char *kind, const char *record,
			const char *why)
{
	if (json_array_size(s->items) < SUPPORT_MAX)
		json_array_append_new(s->items, json_pack("{s:s, s:s?, s:s}", "kind", kind,
							  "record", record, "why", why));
}

/* 1 if the decision goes against the consumer: rejected, or less money than claimed. */
static int against_consumer(struct move *m)
{
	json_t *amount = json_object_get(m->in, "amount");
	json_t *claim = json_object_get(json_object_get(m->d, "claim"), "amount");

	if (vocab_find(outcome_names, str(m->in, "outcome")) == OUTCOME_REJECTED)
		return 1;
	return json_is_object(amount) &&
	       json_integer_value(json_object_get(amount, "amount")) <
		       json_integer_value(json_object_get(claim, "amount"));
}

/* 1 if every reason is "the evidence is insufficient" and nothing else. */
static int only_insufficient(json_t *reasons)
{
	json_t *r;
	size_t i;

	json_array_foreach(reasons, i, r)
		if (!is(str(r, "code"), RULES_REASON_INSUFFICIENT))
			return 0;
	return json_array_size(reasons) > 0;
}

/* (a) the goods never arrived, and no frozen logistics record shows a signature. */
static int unsigned_delivery(struct support *s, struct err *e)
{
	struct move *m = s->m;
	json_t *r, *ev = NULL, *last = NULL;
	size_t i, n = 0;
	char why[200];
	int rc = RC_OK, signed_for = 0;

	if (vocab_find(dispute_reason_names, str(m->d, "reason")) != REASON_NOT_RECEIVED)
		return RC_OK;
	json_array_foreach(json_object_get(json_object_get(m->d, "evidence_set"), "records"), i, r) {
		if (!is(str(r, "type"), "logistics"))
			continue;
		rc = store_get(m->c->st, STORE_LOGISTICS, str(r, "id"), &ev, e);
		if (rc == RC_NOTFOUND) {
			err_clear(e);
			rc = RC_OK;
			continue;
		}
		if (rc)
			return rc;
		if (vocab_find(logistics_direction_names, str(ev, "direction")) != LOGISTICS_RETURN) {
			n++;
			signed_for |= is(str(ev, "status"), "signed");
			last = r;
		}
		json_decref(ev);
		ev = NULL;
	}
	if (signed_for)
		return RC_OK;
	snprintf(why, sizeof(why),
		 "the claim is that the goods were not received, and none of the %zu frozen "
		 "logistics records of the order shows a signature", n);
	support_add(s, "logistics_unsigned", last ? str(last, "id") : str(m->d, "order"), why);
	return RC_OK;
}

/* The first admission phrase of the rules in `text`, case-insensitively for ASCII; or NULL. */
static const char *admission_in(struct move *m, const char *text)
{
	char *const *phrases = m->c->rules->admissions;
	const char *found = NULL;
	char *hay, *needle;
	size_t i;

	if (!text || !phrases)
		return NULL;
	hay = g_ascii_strdown(text, -1);
	for (i = 0; !found && phrases[i]; i++) {
		needle = g_ascii_strdown(phrases[i], -1);
		if (*needle && strstr(hay, needle))
			found = phrases[i];
		g_free(needle);
	}
	g_free(hay);
	return found;
}

static void admission_check(struct support *s, const char *record, const char *text,
			    const char *where)
{
	const char *phrase = admission_in(s->m, text);
	char why[300];

	if (!phrase)
		return;
	snprintf(why, sizeof(why), "the merchant wrote \"%s\" %s, admitting the fault", phrase,
		 where);
	support_add(s, "merchant_admission", record, why);
}

/* (b) the merchant admits the fault in the order's chat ... */
static int admission_in_chat(json_t *msg, void *ctx)
{
	if (is(str(msg, "sender"), actor_role_names[ACTOR_MERCHANT]))
		admission_check(ctx, str(msg, "id"), str(msg, "text"), "in the order's chat");
	return RC_OK;
}

/* ... or in the dispute (its messages, responses and appeals); (c) the latest assessment. */
struct dispute_walk {
	struct support *s;
	json_t *assessment; /* the latest assessment event (owned) */
};

static int walk_event(void *ctx, json_t *ev)
{
	struct dispute_walk *w = ctx;
	json_t *data = json_object_get(ev, "data");

	if (is(str(ev, "type"), "assessment")) {
		json_decref(w->assessment);
		w->assessment = json_incref(ev);
	} else if (is(str(json_object_get(ev, "actor"), "role"), actor_role_names[ACTOR_MERCHANT])) {
		admission_check(w->s, str(ev, "id"),
				str(data, "text") ? str(data, "text") : str(data, "message"),
				"in the dispute");
	}
	return RC_OK;
}

static void assessment_check(struct support *s, json_t *ev)
{
	const char *suggested = str(json_object_get(ev, "data"), "suggested");
	char why[200];

	if (!suggested || vocab_find(outcome_names, suggested) < 0 ||
	    vocab_find(outcome_names, suggested) == OUTCOME_REJECTED)
		return;
	snprintf(why, sizeof(why), "the dispute's latest assessment suggests %s for the consumer",
		 suggested);
	support_add(s, "assessment", str(ev, "id"), why);
}

int dispute_burden_support(struct move *m, json_t **out, struct err *e)
{
	struct support s = {m, json_array()};
	struct dispute_walk w = {&s, NULL};
	int rc;

	*out = NULL;
	if (!s.items)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = unsigned_delivery(&s, e);
	if (!rc)
		rc = each_of_order(m->c, STORE_MESSAGE, str(m->d, "order"), admission_in_chat, &s, e);
	if (!rc)
		rc = store_dispute_event_each(m->c->st, str(m->d, "id"), walk_event, &w, e);
	if (!rc && w.assessment)
		assessment_check(&s, w.assessment);
	json_decref(w.assessment);
	if (rc) {
		json_decref(s.items);
		return rc;
	}
	*out = s.items;
	return RC_OK;
}

int dispute_g_decision(struct move *m, struct err *e)
{
	json_t *support = NULL, *x;
	char kinds[160] = "";
	size_t i;

	if (dispute_check_reasons(m, json_object_get(m->in, "reasons"), e))
		return 0;
	if (!against_consumer(m) || !only_insufficient(json_object_get(m->in, "reasons")))
		return 1;
	if (dispute_burden_support(m, &support, e))
		return 0;
	if (!json_array_size(support)) {
		json_decref(support);
		return 1;
	}
	json_array_foreach(support, i, x) {
		size_t len = strlen(kinds);

		snprintf(kinds + len, sizeof(kinds) - len, "%s%s %s", i ? "; " : "", str(x, "kind"),
			 str(x, "record") ? str(x, "record") : "");
	}
	err_set(e, RC_CONFLICT, "burden_of_proof", "reasons",
		"the frozen records support the claim, so insufficient_evidence alone cannot "
		"decide against the consumer (%s): cite the evidence that outweighs them",
		kinds);
	json_decref(m->dc->support);
	m->dc->support = support;
	return 0;
}
