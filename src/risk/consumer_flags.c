/* consumer_flags.c - staff's abusive flag on a consumer: set only with evidence, told to the consumer, appealed once, kept as sealed history. */
#include "risk/consumer.h"

#include <stdio.h>
#include <string.h>

#include "cases/vocab.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "evidence/blobstore.h"
#include "evidence/seal.h"
#include "notify/webhook.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A member in ms as RFC 3339, or null. New reference. */
static json_t *time_or_null(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? jx_time_json(json_integer_value(v)) : json_null();
}

json_t *risk_flag_json(json_t *stored)
{
	json_t *a = json_object_get(stored, "appeal"), *appeal = json_null();

	if (json_is_object(a))
		appeal = json_pack("{s:O, s:o, s:O, s:O, s:O, s:o}", "text", json_object_get(a, "text"),
				   "filed_at", time_or_null(a, "filed_at"), "decision",
				   json_object_get(a, "decision"), "reason",
				   json_object_get(a, "reason"), "decided_by",
				   json_object_get(a, "decided_by"), "decided_at",
				   time_or_null(a, "decided_at"));
	return json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:o, s:O, s:O, s:o}", "object",
			 "consumer_flag", "id", json_object_get(stored, "id"), "consumer",
			 json_object_get(stored, "consumer"), "flag", json_object_get(stored, "flag"),
			 "reason", json_object_get(stored, "reason"), "evidence",
			 json_object_get(stored, "evidence"), "set_by",
			 json_object_get(stored, "set_by"), "created_at",
			 time_or_null(stored, "created_at"), "cleared_at",
			 time_or_null(stored, "cleared_at"), "cleared_by",
			 json_object_get(stored, "cleared_by"), "clear_reason",
			 json_object_get(stored, "clear_reason"), "appeal", appeal);
}

int risk_consumer_flag_view(struct store *st, const char *consumer_id, json_t **flags,
			    json_t **history, struct err *e)
{
	json_t *rows = NULL, *f;
	size_t i;
	int rc = store_consumer_flags(st, consumer_id, &rows, e);

	*flags = *history = NULL;
	if (rc)
		return rc;
	*flags = json_array();
	json_array_foreach(rows, i, f)
		json_array_append_new(*flags, risk_flag_json(f));
	json_decref(rows);
	rc = store_consumer_flag_events(st, consumer_id, RISK_FLAG_HISTORY_MAX, history, e);
	if (rc) {
		json_decref(*flags);
		*flags = NULL;
	}
	return rc;
}

/* ---- evidence ---- */

/* 1 if `id` is a dispute of the consumer. */
static int own_dispute(struct store *st, const char *consumer_id, const char *id, int *yes,
		       struct err *e)
{
	json_t *d = NULL;
	int rc = store_dispute_get(st, id, &d, e);

	*yes = 0;
	if (rc == RC_NOTFOUND) {
		err_clear(e);
		return RC_OK;
	}
	if (!rc)
		*yes = strcmp(str(d, "consumer") ? str(d, "consumer") : "", consumer_id) == 0;
	json_decref(d);
	return rc;
}

/* Check one evidence item `v` at index `i`: a dispute or blob of this consumer. */
static int check_item(struct store *st, const char *consumer_id, json_t *list, size_t i,
		      struct err *e)
{
	json_t *v = json_array_get(list, i), *w;
	const char *id = json_string_value(v);
	char param[32], hex[65];
	size_t j;
	int yes = 0, rc = RC_OK;

	snprintf(param, sizeof(param), "evidence[%zu]", i);
	if (!id)
		return err_set(e, RC_INVAL, "invalid_type", param,
			       "each evidence item is a dispute id or a blob id (text)");
	for (j = 0; j < i; j++)
		if ((w = json_array_get(list, j)) && json_equal(w, v))
			return err_set(e, RC_UNPROCESSABLE, "duplicate_evidence", param,
				       "%s is cited twice", id);
	if (strncmp(id, "dsp_", 4) == 0)
		rc = own_dispute(st, consumer_id, id, &yes, e);
	else if (blob_parse_id(id, hex))
		rc = store_consumer_blob_cited(st, consumer_id, hex, &yes, e);
	if (!rc && !yes)
		rc = err_set(e, RC_UNPROCESSABLE, "evidence_not_found", param,
			     "%.64s is not a dispute of this consumer nor a file they uploaded or "
			     "cited in one", id);
	return rc;
}

static int check_evidence(struct store *st, const char *consumer_id, json_t *in, json_t **list,
			  struct err *e)
{
	size_t i;
	int rc = jx_arr(in, "evidence", "evidence", 1, RISK_FLAG_EVIDENCE_MAX, list, e);

	if (rc)
		return rc;
	if (json_array_size(*list) == 0)
		return err_set(e, RC_INVAL, "required", "evidence",
			       "a consumer is marked only with evidence: cite at least one of their "
			       "disputes or files");
	for (i = 0; i < json_array_size(*list); i++)
		if ((rc = check_item(st, consumer_id, *list, i, e)))
			return rc;
	return RC_OK;
}

/* ---- telling: history, timelines, webhook ---- */

/* What one action records about a flag. */
struct telling {
	struct cases *c;
	const struct actor *a;
	json_t *flag;            /* the flag after the action, served shape (borrowed) */
	const char *type;        /* marked, cleared, appealed, appeal_decided */
	const char *webhook;     /* consumer.flagged, … */
	json_t *detail;          /* what the event adds: reason, evidence, text, decision (borrowed) */
	int64_t now;
	struct dispute_call *dc;
};

/* The actor as a history event records it: {"role", "id", "name"?}. New reference. */
static json_t *actor_json(const struct actor *a)
{
	json_t *j = json_pack("{s:s, s:s}", "role", a->role, "id", a->id);

	if (j && a->name)
		json_object_set_new(j, "name", json_string(a->name));
	return j;
}

static void keep_seal(struct dispute_call *dc, int64_t seq)
{
	if (dc->nseals < DISPUTE_MAX_SEALS)
		dc->seals[dc->nseals++] = seq;
}

/* The sealed history event. */
static int record_event(struct telling *t, struct err *e)
{
	char id[ID_MAX];
	json_t *ev;
	int64_t seq = 0;
	int rc;

	id_new(id, "cfe");
	ev = json_pack("{s:s, s:s, s:O, s:O, s:O, s:s, s:o, s:O, s:o}", "object",
		       "consumer_flag_event", "id", id, "consumer",
		       json_object_get(t->flag, "consumer"), "flag_id", json_object_get(t->flag, "id"),
		       "flag", json_object_get(t->flag, "flag"), "type", t->type, "actor",
		       actor_json(t->a), "detail", t->detail, "created_at",
		       jx_time_json(t->now));
	if (!ev)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_consumer_flag_event_insert(t->c->st, id, str(t->flag, "id"),
					      str(t->flag, "consumer"), t->type, t->now, ev, e);
	if (!rc)
		rc = seal_record(t->c->st, "consumer_flag_event", ev, t->now, &seq, e);
	if (!rc)
		keep_seal(t->dc, seq);
	json_decref(ev);
	return rc;
}

/* A `consumer_flag` note in the timeline of each of the consumer's live disputes. */
static int note_disputes(struct telling *t, struct err *e)
{
	const char *live[DISPUTE_STATE__COUNT + 1];
	json_t *ds = NULL, *d, *data, *cited;
	int more = 0, told = 0, rc;
	size_t i;

	dispute_live_state_names(live);
	rc = store_consumer_disputes(t->c->st, str(t->flag, "consumer"), RISK_SIGNAL_DISPUTES, &ds,
				     &more, e);
	json_array_foreach(ds, i, d) {
		if (rc || told >= RISK_NOTICE_MAX)
			break;
		if (vocab_find(live, str(d, "state")) < 0)
			continue;
		/* "evidence" in a note's data names blobs the dispute owns: cite as "cited" */
		cited = json_object_get(t->flag, "evidence");
		data = json_pack("{s:s, s:O, s:O, s:O, s:O}", "action", t->type, "flag_id",
				 json_object_get(t->flag, "id"), "flag", json_object_get(t->flag, "flag"),
				 "reason", json_object_get(t->flag, "reason"), "cited", cited);
		if (!data) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		json_object_update(data, t->detail);
		json_object_del(data, "evidence");
		rc = dispute_note(t->c, t->a, str(d, "id"), "consumer_flag", data, t->now, t->dc, e);
		told++;
	}
	json_decref(ds);
	return rc;
}

static int tell(struct telling *t, struct err *e)
{
	int rc = record_event(t, e);

	if (!rc)
		rc = note_disputes(t, e);
	if (!rc)
		rc = webhook_emit(t->c->st, t->webhook, t->flag, t->now, e);
	return rc;
}

/* The consumer's live flag `flag` in served shape (*out, new). RC_NOTFOUND if not set. */
static int live_flag(struct store *st, const char *consumer_id, const char *flag, json_t **out,
		     struct err *e)
{
	json_t *f = NULL;
	int rc;

	*out = NULL;
	if (vocab_find(consumer_flag_names, flag) < 0)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such flag %.40s", flag);
	rc = store_consumer_flag_live(st, consumer_id, flag, &f, e);
	if (!rc)
		*out = risk_flag_json(f);
	json_decref(f);
	return rc;
}

/* Tell of an action after which the consumer's `flag` stays live; *out is the flag then. */
static int after(struct cases *c, const struct actor *a, const char *consumer_id,
		 const char *flag, const char *type, const char *webhook, json_t *detail,
		 int64_t now, json_t **out, struct dispute_call *dc, struct err *e)
{
	struct telling t = {c, a, NULL, type, webhook, detail, now, dc};
	int rc = live_flag(c->st, consumer_id, flag, out, e);

	if (rc)
		return rc;
	t.flag = *out;
	rc = tell(&t, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int risk_consumer_flag_set(struct cases *c, const struct actor *a, const char *consumer_id,
			   json_t *in, int64_t now, json_t **out, struct dispute_call *dc,
			   struct err *e)
{
	static const char *const fields[] = {"flag", "reason", "evidence", NULL};
	const char *flag = NULL, *reason = NULL;
	json_t *evidence = NULL, *detail;
	char id[ID_MAX];
	int rc;

	*out = NULL;
	if ((rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_enum(in, "flag", "flag", 1, consumer_flag_names, &flag, e)) ||
	    (rc = jx_str(in, "reason", "reason", 1, 1000, &reason, e)) ||
	    (rc = check_evidence(c->st, consumer_id, in, &evidence, e)))
		return rc;
	id_new(id, "cfl");
	rc = store_consumer_flag_insert(c->st, id, consumer_id, flag, reason, evidence, a->id, now,
					e);
	if (rc)
		return rc;
	detail = json_pack("{s:s, s:O}", "reason", reason, "evidence", evidence);
	rc = after(c, a, consumer_id, flag, "marked", "consumer.flagged", detail, now, out, dc, e);
	json_decref(detail);
	return rc;
}

/* Clear the live flag `f` (served shape) and tell, as `type` with `detail`. */
static int clear_and_tell(struct cases *c, const struct actor *a, json_t *f, const char *type,
			  const char *webhook, json_t *detail, int64_t now,
			  struct dispute_call *dc, struct err *e)
{
	struct telling t = {c, a, f, type, webhook, detail, now, dc};
	const char *reason = str(detail, "reason");
	int rc = store_consumer_flag_clear(c->st, str(f, "id"), a->id, reason, now, e);

	if (rc)
		return rc;
	json_object_set_new(f, "cleared_at", jx_time_json(now));
	json_object_set_new(f, "cleared_by", json_string(a->id));
	json_object_set_new(f, "clear_reason", json_string(reason));
	return tell(&t, e);
}

int risk_consumer_flag_clear(struct cases *c, const struct actor *a, const char *consumer_id,
			     const char *flag, json_t *in, int64_t now, json_t **out,
			     struct dispute_call *dc, struct err *e)
{
	static const char *const fields[] = {"reason", NULL};
	const char *reason = NULL;
	json_t *f = NULL, *detail;
	int rc;

	*out = NULL;
	if ((rc = live_flag(c->st, consumer_id, flag, &f, e)) ||
	    (rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_str(in, "reason", "reason", 1, 1000, &reason, e))) {
		json_decref(f);
		return rc;
	}
	detail = json_pack("{s:s}", "reason", reason);
	rc = clear_and_tell(c, a, f, "cleared", "consumer.flag_cleared", detail, now, dc, e);
	json_decref(detail);
	if (rc)
		json_decref(f);
	else
		*out = f;
	return rc;
}

int risk_consumer_flag_appeal(struct cases *c, const struct actor *a, const char *consumer_id,
			      const char *flag, json_t *in, int64_t now, json_t **out,
			      struct dispute_call *dc, struct err *e)
{
	static const char *const fields[] = {"text", NULL};
	const char *text = NULL;
	json_t *f = NULL, *detail;
	int rc;

	*out = NULL;
	if ((rc = live_flag(c->st, consumer_id, flag, &f, e)) ||
	    (rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_str(in, "text", "text", 1, 5000, &text, e)) ||
	    (rc = store_consumer_flag_appeal(c->st, str(f, "id"), text, now, e))) {
		json_decref(f);
		return rc;
	}
	json_decref(f);
	detail = json_pack("{s:s}", "text", text);
	rc = after(c, a, consumer_id, flag, "appealed", "consumer.flag_appealed", detail, now, out,
		   dc, e);
	json_decref(detail);
	return rc;
}

int risk_consumer_flag_decide(struct cases *c, const struct actor *a, const char *consumer_id,
			      const char *flag, json_t *in, int64_t now, json_t **out,
			      struct dispute_call *dc, struct err *e)
{
	static const char *const fields[] = {"decision", "reason", NULL};
	const char *decision = NULL, *reason = NULL;
	json_t *f = NULL, *detail = NULL;
	int rc;

	*out = NULL;
	if ((rc = live_flag(c->st, consumer_id, flag, &f, e)) ||
	    (rc = jx_only(in, fields, "", e)) ||
	    (rc = jx_enum(in, "decision", "decision", 1, consumer_flag_appeal_decisions, &decision,
			  e)) ||
	    (rc = jx_str(in, "reason", "reason", 1, 1000, &reason, e)) ||
	    (rc = store_consumer_flag_decide(c->st, str(f, "id"), decision, reason, a->id, now, e)))
		goto out;
	json_decref(f);
	f = NULL;
	detail = json_pack("{s:s, s:s}", "decision", decision, "reason", reason);
	if (strcmp(decision, "upheld") == 0) {
		rc = after(c, a, consumer_id, flag, "appeal_decided", "consumer.flag_appeal_decided",
			   detail, now, out, dc, e);
		goto out;
	}
	/* overturned: the flag is cleared by the decision itself */
	rc = live_flag(c->st, consumer_id, flag, &f, e);
	if (!rc)
		rc = clear_and_tell(c, a, f, "appeal_decided", "consumer.flag_appeal_decided", detail,
				    now, dc, e);
	if (!rc) {
		*out = f;
		f = NULL;
	}
out:
	json_decref(detail);
	json_decref(f);
	return rc;
}
