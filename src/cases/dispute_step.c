/* dispute_step.c - what every move of a dispute does: deadlines and timers, obligations, the sealed event record, saving, webhooks. */
#include "cases/dispute_int.h"

#include <stdio.h>
#include <string.h>

#include "cases/rules_set.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"
#include "evidence/seal.h"
#include "ingest/ingest.h"
#include "notify/webhook.h"

void move_init(struct move *m, struct cases *c, const struct actor *a, json_t *d, json_t *in,
	       int64_t now, struct dispute_call *dc)
{
	memset(m, 0, sizeof(*m));
	m->governed = *c;
	m->governed.rules = rules_governing(c->rules,
					    json_string_value(json_object_get(d, "rules_version")));
	m->c = &m->governed;
	m->a = a;
	m->d = d;
	m->in = in;
	m->now = now;
	m->dc = dc;
}

void move_release(struct move *m)
{
	json_decref(m->moved);
	m->moved = NULL;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int64_t dispute_ms_of(json_t *v)
{
	int64_t ms = 0;

	if (!json_is_string(v) || time_parse(json_string_value(v), &ms))
		return 0;
	return ms;
}

int64_t dispute_current_due(json_t *d)
{
	return dispute_ms_of(json_object_get(json_object_get(d, "next"), "due_at"));
}

/* ---- deadlines, timers, obligations ---- */

int dispute_notify(struct move *m, const char *type, struct err *e)
{
	return webhook_emit(m->c->st, type, m->d, m->now, e);
}

int dispute_start_step(struct move *m, enum rules_step step, const char *actor,
		       const char *action, enum dispute_state state, struct err *e)
{
	const char *id = str(m->d, "id"), *sname = dispute_state_name(state);
	int64_t due = 0;
	int uncovered = 0;
	json_t *dl;
	int rc;

	rc = rules_deadline(m->c->rules, m->c->cal, step, m->now, &due, &uncovered);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot compute the %s deadline",
			       rules_step_name(step));
	dl = json_object_get(m->d, "deadlines");
	json_array_append_new(dl, json_pack("{s:s, s:s, s:o}", "step", rules_step_name(step),
					    "actor", actor, "due_at", jx_time_json(due)));
	json_object_set_new(m->d, "next", json_pack("{s:s, s:s, s:o}", "actor", actor, "action",
						   action, "due_at", jx_time_json(due)));
	rc = store_timer_add(m->c->st, id, rules_step_name(step), sname, due, e);
	if (!rc && due - m->now > REMIND_BEFORE_MS) {
		char reminder[48];

		snprintf(reminder, sizeof(reminder), "reminder:%s", rules_step_name(step));
		rc = store_timer_add(m->c->st, id, reminder, sname, due - REMIND_BEFORE_MS, e);
	}
	return rc;
}

int dispute_oblige(struct move *m, enum duty duty, int64_t due, struct err *e)
{
	return store_obligation_add(m->c->st, str(m->d, "id"), duty_names[duty], m->now, due, e);
}

int dispute_meet(struct move *m, enum duty duty, struct err *e)
{
	int met;

	return store_obligation_meet(m->c->st, str(m->d, "id"), duty_names[duty], m->now, &met,
				     e);
}

/* ---- the record of what happened ---- */

json_t *dispute_actor_json(const struct actor *a)
{
	json_t *j = json_pack("{s:s, s:s}", "role", a->role, "id", a->id);

	if (j && a->name)
		json_object_set_new(j, "name", json_string(a->name));
	return j;
}

/* The parties see each other's evidence: the dispute owns the blobs its events attach. */
static int ref_blobs(struct store *st, const char *dispute_id, json_t *data, struct err *e)
{
	static const char *const keys[] = {"evidence", "attachments", NULL};
	char hex[65];
	json_t *v;
	size_t i, k;
	int rc;

	for (k = 0; keys[k]; k++)
		json_array_foreach(json_object_get(data, keys[k]), i, v) {
			if (!json_is_string(v) || !blob_parse_id(json_string_value(v), hex))
				continue;
			rc = store_blob_ref(st, hex, STORE_DISPUTE, dispute_id, e);
			if (rc)
				return rc;
		}
	return RC_OK;
}

int dispute_record(struct move *m, const char *type, const char *from, const char *to,
		   const char *reason, json_t *data, struct err *e)
{
	const char *did = str(m->d, "id");
	char id[ID_MAX];
	json_t *ev;
	int64_t seq;
	int rc;

	id_new(id, "dev");
	ev = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "object",
		       "dispute_event", "id", id, "dispute", did, "type", type, "actor",
		       dispute_actor_json(m->a), "from", from ? json_string(from) : json_null(),
		       "to", to ? json_string(to) : json_null(), "reason",
		       reason ? json_string(reason) : json_null(), "data",
		       data ? data : json_object(), "created_at", jx_time_json(m->now));
	if (!ev)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_dispute_event_insert(m->c->st, id, did, m->now, ev, e);
	if (!rc)
		rc = ref_blobs(m->c->st, did, json_object_get(ev, "data"), e);
	if (!rc)
		rc = seal_record(m->c->st, "dispute_event", ev, m->now, &seq, e);
	if (!rc && m->dc->nseals < DISPUTE_MAX_SEALS)
		m->dc->seals[m->dc->nseals++] = seq;
	json_decref(ev);
	return rc;
}

int dispute_save(struct move *m, struct err *e)
{
	json_object_set_new(m->d, "updated_at", jx_time_json(m->now));
	return store_dispute_update(m->c->st, str(m->d, "id"), str(m->d, "state"),
				    str(m->d, "tier"),
				    json_is_true(json_object_get(m->d, "overdue")), m->now, m->d, e);
}

/* ---- what a move cites and decides ---- */

int dispute_cite_blobs(struct store *st, const struct actor *a, json_t *in, const char *key,
		       json_t **ids, struct err *e)
{
	struct blob_citer who = {NULL, NULL};
	enum actor_role role = ACTOR_SYSTEM;

	if (actor_role_parse(a->role, &role))
		role = ACTOR_SYSTEM;
	if (role == ACTOR_CONSUMER)
		who.consumer_id = a->id;
	else if (role == ACTOR_MERCHANT)
		who.merchant_id = a->id;
	else if (role != ACTOR_PLATFORM && role != ACTOR_AGENT)
		/* anyone else (none today) sees no party's blobs */
		who.consumer_id = who.merchant_id = "";
	return ingest_blob_list(st, who.consumer_id || who.merchant_id ? &who : NULL, in, key,
				ids, e);
}

void dispute_set_outcome(struct move *m, enum dispute_outcome outcome, json_t *amount,
			 json_t *reasons, const char *source)
{
	json_object_set_new(m->d, "outcome",
			    json_pack("{s:s, s:O?, s:O, s:s, s:o, s:o}", "outcome",
				      outcome_names[outcome], "amount", amount, "reasons", reasons,
				      "source", source, "decided_by", dispute_actor_json(m->a),
				      "decided_at", jx_time_json(m->now)));
}

int dispute_note(struct cases *c, const struct actor *a, const char *dispute_id,
		 const char *type, json_t *data, int64_t now, struct dispute_call *dc,
		 struct err *e)
{
	json_t *d = NULL;
	struct move m;
	int rc = store_dispute_get(c->st, dispute_id, &d, e);

	if (rc) {
		json_decref(data);
		return rc;
	}
	move_init(&m, c, a, d, NULL, now, dc);
	rc = dispute_record(&m, type, NULL, NULL, NULL, data, e);
	if (!rc)
		rc = dispute_save(&m, e);
	move_release(&m);
	json_decref(d);
	return rc;
}
