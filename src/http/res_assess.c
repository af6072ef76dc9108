/* res_assess.c - dispute assessments: queued when the evidence changes, made outside the store's lock, recorded sealed in the timeline, served to staff at /v1/disputes/{id}/assessment. */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>

#include "assist/assess.h"
#include "cases/dispute.h"
#include "core/clock.h"
#include "core/log.h"
#include "evidence/seal.h"

/* Disputes the worker assesses in one tick, at most. */
#define ASSESS_PER_TICK 8

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* store_dispute_event_each: keep the newest assessment's JSON. */
static int keep_assessment(void *ctx, json_t *ev)
{
	json_t **out = ctx;
	const char *text = str(json_object_get(ev, "data"), "assessment");

	if (strcmp(str(ev, "type"), "assessment") == 0 && text) {
		json_decref(*out);
		*out = json_loads(text, 0, NULL);
	}
	return RC_OK;
}

/* The newest recorded assessment of a dispute (new reference), or NULL. */
static int latest(struct store *st, const char *dispute_id, json_t **out, struct err *e)
{
	*out = NULL;
	return store_dispute_event_each(st, dispute_id, keep_assessment, out, e);
}

/*
 * The timeline event's data: the assessment as one JSON text (a leaf
 * holds text and integers, and the assessment has fractions), beside its
 * digest and what it suggests.
 */
static json_t *recorded(json_t *a)
{
	char *text = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_t *sug = json_object_get(a, "suggested_outcome");
	json_t *out = json_pack("{s:O, s:O, s:s}", "inputs_digest",
				json_object_get(a, "inputs_digest"), "suggested",
				json_object_get(sug, "outcome"), "assessment", text ? text : "");

	free(text);
	return out;
}

/*
 * Record assessment `a` of dispute `id` (inside a transaction) unless
 * another took it off the queue first; and where the rules let a
 * fast-lane claim be granted by itself, grant it, with the assessment's
 * reasons as the decision's.
 */
static int record(struct http_server *srv, const char *id, json_t *a, struct dispute_call *dc,
		  struct err *e)
{
	struct cases c = {srv->st, srv->rules, srv->cal};
	struct actor assist = {"platform", "assist", "automatic assessment"};
	const struct rules *gov = NULL; /* the rules the dispute is judged under */
	json_t *d = NULL, *prev = NULL, *in, *out = NULL;
	int was = 0, flagged = 0, rc = store_assess_done(srv->st, id, &was, e);

	if (!rc && !was)
		rc = latest(srv->st, id, &prev, e);
	if (rc || (!was && prev)) {
		json_decref(prev);
		return rc; /* assessed meanwhile */
	}
	rc = dispute_note(&c, &assist, id, "assessment", recorded(a), clock_now_ms(), dc, e);
	if (!rc)
		rc = store_dispute_get(srv->st, id, &d, e);
	if (!rc)
		gov = rules_governing(c.rules, json_string_value(json_object_get(d, "rules_version")));
	/* a consumer staff marked abusive has their claims decided by a person (risk/consumer.h) */
	if (!rc)
		rc = store_consumer_flagged(srv->st, str(d, "consumer"),
					    consumer_flag_names[CONSUMER_FLAG_ABUSIVE], &flagged, e);
	if (!rc && !flagged && assess_auto_grants(d, a, gov->auto_grant, gov->auto_grant_confidence)) {
		json_t *sug = json_object_get(a, "suggested_outcome");

		in = json_pack("{s:O, s:O}", "outcome", json_object_get(sug, "outcome"), "reasons",
			       json_object_get(sug, "reasons"));
		rc = dispute_act(&c, &assist, ACTION_DECISION, d, in, clock_now_ms(), &out, dc, e);
		json_decref(in);
		json_decref(out);
	}
	json_decref(d);
	return rc;
}

int http_assess_run(struct http_server *srv, const char *id, json_t **out, struct err *e)
{
	struct assess_env env = {srv->data_dir, srv->focus, &srv->llm};
	struct assess_input in;
	struct dispute_call dc;
	int rc;

	*out = NULL;
	memset(&dc, 0, sizeof(dc));
	rc = store_begin(srv->st, e);
	if (rc)
		return rc;
	rc = assess_gather(srv->st, id, &in, e);
	if (store_end(srv->st, 0, rc ? NULL : e) && !rc)
		rc = e->rc;
	/* photos and the language model take their time: no lock is held */
	if (!rc)
		rc = assess_compute(&env, &in, clock_now_ms(), out, e);
	assess_input_release(&in);
	if (rc)
		return rc;
	rc = store_begin(srv->st, e);
	if (!rc) {
		rc = record(srv, id, *out, &dc, e);
		if (store_end(srv->st, rc == RC_OK, rc ? NULL : e) && !rc)
			rc = e->rc;
	}
	if (!rc && dc.nseals && srv->log)
		rc = seal_wait(srv->st, srv->log, dc.seals, dc.nseals, e);
	json_decref(dc.support);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

void http_assess_sweep(struct http_server *srv)
{
	char id[ID_MAX];
	json_t *a = NULL;
	struct err e;
	int i, found = 0, rc;

	for (i = 0; i < ASSESS_PER_TICK; i++) {
		err_clear(&e);
		rc = store_begin(srv->st, &e);
		if (!rc) {
			rc = store_assess_next(srv->st, id, &found, &e);
			if (store_end(srv->st, 0, rc ? NULL : &e) && !rc)
				rc = e.rc;
		}
		if (!rc && !found)
			return;
		if (!rc)
			rc = http_assess_run(srv, id, &a, &e);
		json_decref(a);
		a = NULL;
		if (rc) {
			log_event(LOG_ERROR, "assessment failed",
				  json_pack("{s:s, s:s}", "dispute", found ? id : "", "detail",
					    e.message));
			/* leave it queued for the next tick, and let the others wait too */
			return;
		}
	}
}

int http_assess_queue(struct http_req *r, const char *dispute_id, struct err *e)
{
	return store_assess_queue(r->srv->st, dispute_id, r->now, e);
}

int http_assess_queue_order(struct http_req *r, const char *order_id, struct err *e)
{
	const char *live[DISPUTE_STATE__COUNT + 1];
	char id[ID_MAX];
	int found = 0, rc;

	dispute_live_state_names(live);
	rc = store_dispute_for_order(r->srv->st, order_id, live, id, &found, e);
	return !rc && found ? store_assess_queue(r->srv->st, id, r->now, e) : rc;
}

/* GET /v1/disputes/{id}/assessment: the newest, made now if the evidence changed since. */
int res_dispute_assessment(struct http_req *r, struct err *e)
{
	json_t *d = NULL, *a = NULL, *shown = NULL;
	int queued = 0, rc = store_dispute_get(r->srv->st, r->params[0], &d, e);

	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such dispute");
	if (!rc)
		rc = http_view(r, DISCLOSE_ASSESSMENT, d, &shown, e);
	json_decref(shown);
	if (!rc)
		rc = store_assess_queued(r->srv->st, r->params[0], &queued, e);
	if (!rc && !queued)
		rc = latest(r->srv->st, r->params[0], &a, e);
	if (!rc && !a) {
		/* assessing reads and writes the store itself: leave the request's transaction */
		rc = store_end(r->srv->st, 1, e);
		if (!rc)
			rc = http_assess_run(r->srv, r->params[0], &a, e);
		if (store_begin(r->srv->st, rc ? NULL : e) && !rc)
			rc = e->rc;
		if (!rc && !a)
			rc = latest(r->srv->st, r->params[0], &a, e);
	}
	json_decref(d);
	if (!rc)
		return http_reply_json(r, 200, a);
	json_decref(a);
	return rc;
}
