/* request.c - disclosure requests: the basic duty answered at once, the agent queue with its deadline, releases with their basis, and a sealed event for every step. */
#include "disclose/request.h"

#include <string.h>

#include "cases/dispute.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"
#include "evidence/seal.h"
#include "notify/webhook.h"

const char *const disclosure_scope_names[] = {
	[SCOPE_MERCHANT_IDENTITY] = "merchant_identity",
	[SCOPE_ORDER] = "order",
	[SCOPE_LISTING] = "listing",
	[SCOPE_PAYMENT] = "payment",
	[SCOPE_LOGISTICS] = "logistics",
	[SCOPE_MESSAGES] = "messages",
	[SCOPE_DISPUTE_RECORD] = "dispute_record",
	[SCOPE__COUNT] = NULL,
};

const char *const disclose_state_names[] = {
	[DISCLOSURE_PENDING] = "pending",
	[DISCLOSURE_RELEASED] = "released",
	[DISCLOSURE_PARTIALLY_RELEASED] = "partially_released",
	[DISCLOSURE_REFUSED] = "refused",
	[DISCLOSURE__COUNT] = NULL,
};

/*
 * cpl_44: CPL art. 44 and E-Commerce Law art. 61, the consumer's right to
 * the merchant's real identity; pipl_13_1_N: PIPL art. 13(1)(N) — 1
 * consent, 2 a contract the person is party to, 3 a statutory duty (a
 * court's or a regulator's demand, Civil Procedure Law art. 70), 4 public
 * health or emergency, 5 news and public-interest supervision, 6 lawfully
 * published information, 7 otherwise as laws provide.
 */
const char *const disclose_basis_names[] = {
	"cpl_44", "pipl_13_1_1", "pipl_13_1_2", "pipl_13_1_3", "pipl_13_1_4",
	"pipl_13_1_5", "pipl_13_1_6", "pipl_13_1_7", NULL,
};

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int name_index(const char *const *names, const char *name)
{
	int i;

	for (i = 0; name && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static int is_role(const struct disclose_who *w, const char *role)
{
	return strcmp(w->role, role) == 0;
}

static int is_staff(const struct disclose_who *w)
{
	return is_role(w, "platform") || is_role(w, "agent");
}

/* The basis a release records unless the agent names another. */
static const char *default_basis(const char *requester_role)
{
	return strcmp(requester_role, "consumer") == 0 ? "cpl_44" : "pipl_13_1_3";
}

/* ---- checks ---- */

/*
 * in[key]: a non-empty list of scope names, each once; *scope gets a new
 * array of them in the vocabulary's order.
 */
static int check_scope(json_t *in, const char *key, int required, json_t **scope,
		       struct err *e)
{
	json_t *arr = NULL, *v;
	int seen[SCOPE__COUNT] = {0}, i;
	size_t k;
	int rc;

	*scope = NULL;
	rc = jx_arr(in, key, key, required, SCOPE__COUNT, &arr, e);
	if (rc || !arr)
		return rc;
	if (json_array_size(arr) == 0)
		return err_set(e, RC_INVAL, "invalid_value", key, "%s names at least one scope",
			       key);
	json_array_foreach(arr, k, v) {
		i = name_index(disclosure_scope_names, json_string_value(v));
		if (i < 0 || seen[i])
			return err_set(e, RC_INVAL, "invalid_enum", key,
				       "%s[%zu] must be one of merchant_identity, order, listing, "
				       "payment, logistics, messages, dispute_record, each once", key,
				       k);
		seen[i] = 1;
	}
	*scope = json_array();
	for (i = 0; *scope && i < SCOPE__COUNT; i++)
		if (seen[i])
			json_array_append_new(*scope, json_string(disclosure_scope_names[i]));
	return *scope ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

/* in["reasons"]: 1..DISCLOSE_MAX_REASONS non-empty texts. *reasons a new copy. */
static int check_reasons(json_t *in, json_t **reasons, struct err *e)
{
	json_t *arr = NULL, *v;
	char param[32];
	size_t k;
	int rc;

	*reasons = NULL;
	rc = jx_arr(in, "reasons", "reasons", 1, DISCLOSE_MAX_REASONS, &arr, e);
	if (rc)
		return rc;
	if (json_array_size(arr) == 0)
		return err_set(e, RC_INVAL, "invalid_value", "reasons", "give at least one reason");
	json_array_foreach(arr, k, v) {
		size_t n = json_is_string(v) ? jx_utf8_chars(json_string_value(v)) : 0;

		snprintf(param, sizeof(param), "reasons[%zu]", k);
		if (n == 0 || n > DISCLOSE_REASON_MAX)
			return err_set(e, RC_INVAL, "invalid_value", param,
				       "%s must be a text of 1 to %d characters", param,
				       DISCLOSE_REASON_MAX);
	}
	*reasons = json_deep_copy(arr);
	return *reasons ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

/* ---- events ---- */

/* Record (and seal, in the order's chain) one step of disclosure `d`. `data` is taken. */
static int record(struct disclose_ctx *c, json_t *d, const char *type,
		  const struct disclose_who *actor, json_t *data, struct err *e)
{
	char id[ID_MAX];
	json_t *ev;
	int64_t seq = 0;
	int rc;

	id_new(id, "dse");
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:o}", "object",
		       "disclosure_event", "id", id, "disclosure", str(d, "id"), "order",
		       str(d, "order"), "type", type, "actor", "role", actor->role, "id",
		       actor->id, "data", data ? data : json_object(), "created_at",
		       jx_time_json(c->now));
	if (!ev)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_disclosure_event_insert(c->st, id, str(d, "id"), str(d, "order"), c->now, ev, e);
	if (!rc)
		rc = seal_record(c->st, "disclosure_event", ev, c->now, &seq, e);
	if (!rc && c->nseals < DISCLOSE_MAX_SEALS)
		c->seals[c->nseals++] = seq;
	json_decref(ev);
	return rc;
}

/* Tell the platform's integrations (and, through them, the merchant). */
static int notify(struct disclose_ctx *c, json_t *d, const char *type, struct err *e)
{
	json_t *o = json_deep_copy(d);
	int rc;

	if (!o)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_set_new(o, "package_url",
			    json_sprintf("/v1/disclosures/%s/package", str(d, "id")));
	rc = webhook_emit(c->st, type, o, c->now, e);
	json_decref(o);
	return rc;
}

/* ---- the request ---- */

/* The request body checked: scope, purpose, reference, document, confidentiality. */
struct ask {
	json_t *scope;              /* owned */
	const char *purpose;
	const char *reference;      /* or NULL */
	const char *document;       /* a blob id, or NULL */
	const char *confidential;   /* the court's reason, or NULL */
};

static int check_ask(struct disclose_ctx *c, const struct disclose_who *who, json_t *in,
		     struct ask *a, struct err *e)
{
	static const char *const fields[] = {"order", "dispute", "scope", "purpose", "reference",
					     "reference_document", "confidential", NULL};
	static const char *const conf_fields[] = {"reason", NULL};
	int body = is_role(who, "court") || is_role(who, "association");
	json_t *conf = NULL, *blob = NULL;
	char hex[65];
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = jx_only(in, fields, "", e)) || (rc = check_scope(in, "scope", 1, &a->scope, e)) ||
	    (rc = jx_str(in, "purpose", "purpose", 1, 2000, &a->purpose, e)) ||
	    (rc = jx_str(in, "reference", "reference", body, 200, &a->reference, e)) ||
	    (rc = jx_str(in, "reference_document", "reference_document", 0, 80, &a->document,
			 e)) ||
	    (rc = jx_obj(in, "confidential", "confidential", 0, &conf, e)))
		return rc;
	if (a->document && (!blob_parse_id(a->document, hex) ||
			    store_blob_get(c->st, hex, &blob, NULL) != RC_OK))
		return err_set(e, RC_INVAL, "resource_missing", "reference_document",
			       "reference_document must be the id of a blob stored with the platform");
	json_decref(blob);
	if (conf) {
		if (!is_role(who, "court"))
			return err_set(e, RC_INVAL, "not_allowed", "confidential",
				       "only a court may ask that the merchant not be told");
		if ((rc = jx_only(conf, conf_fields, "confidential", e)) ||
		    (rc = jx_str(conf, "reason", "confidential.reason", 1, 2000, &a->confidential,
				 e)))
			return rc;
	}
	return RC_OK;
}

/* The new disclosure's body, pending or answered at once. New reference. */
static json_t *disclosure_json(const char *id, json_t *order, json_t *dispute,
			       const struct disclose_who *who, const struct ask *a,
			       const char *for_body, int64_t now, int64_t due)
{
	json_t *d = json_object();

	json_object_set_new(d, "object", json_string("disclosure"));
	json_object_set_new(d, "id", json_string(id));
	json_object_set_new(d, "order", json_string(str(order, "id")));
	json_object_set_new(d, "dispute", dispute ? json_string(str(dispute, "id")) : json_null());
	json_object_set_new(d, "merchant", json_string(str(order, "merchant")));
	json_object_set_new(d, "requester", json_pack("{s:s, s:s}", "role", who->role, "id", who->id));
	json_object_set_new(d, "for", for_body ? json_string(for_body) : json_null());
	json_object_set(d, "scope", a->scope);
	json_object_set_new(d, "purpose", json_string(a->purpose));
	json_object_set_new(d, "reference", a->reference ? json_string(a->reference) : json_null());
	json_object_set_new(d, "reference_document",
			    a->document ? json_string(a->document) : json_null());
	json_object_set_new(d, "confidential",
			    a->confidential ? json_pack("{s:s}", "reason", a->confidential)
					    : json_null());
	json_object_set_new(d, "state", json_string(disclose_state_names[DISCLOSURE_PENDING]));
	json_object_set_new(d, "due_at", due > 0 ? jx_time_json(due) : json_null());
	json_object_set_new(d, "released", json_null());
	json_object_set_new(d, "refused", json_null());
	json_object_set_new(d, "created_at", jx_time_json(now));
	json_object_set_new(d, "updated_at", jx_time_json(now));
	return d;
}

/*
 * The merchant's identity as it stands now, when it changed since the
 * order (whose records, and so the package's bundle, keep the version of
 * the order's time): the release carries the current version's name,
 * registered address, contact and verification, with its leaf, as
 * rel's "merchant_current", so that a consumer who sues has the address
 * that holds today (CPL art. 44) beside the one the evidence froze.
 */
static int identity_current(struct disclose_ctx *c, json_t *d, json_t *rel, struct err *e)
{
	json_t *order = NULL, *cur = NULL;
	struct store_seal s;
	int64_t then, now;
	int rc = store_get(c->st, STORE_ORDER, str(d, "order"), &order, e);

	if (!rc)
		rc = store_get(c->st, STORE_MERCHANT, str(d, "merchant"), &cur, e);
	if (rc)
		goto out;
	then = store_order_merchant_version(order);
	now = store_merchant_version_of(cur);
	if (now == then)
		goto out;
	rc = store_seal_get(c->st, "merchant", str(cur, "id"), store_merchant_seal_version(now),
			    &s, e);
	if (rc)
		goto out;
	json_object_set_new(rel, "merchant_current",
			    json_pack("{s:I, s:I, s:O, s:O, s:O, s:O, s:s}", "version",
				      (json_int_t)now, "order_version", (json_int_t)then,
				      "legal_name", json_object_get(cur, "legal_name"),
				      "registered_address",
				      json_object_get(cur, "registered_address"), "contact",
				      json_object_get(cur, "contact"), "verified_at",
				      json_object_get(cur, "verified_at") ? json_object_get(cur, "verified_at")
									 : json_null(),
				      "leaf_hash", s.leaf_hash));
	store_seal_release(&s);
out:
	json_decref(order);
	json_decref(cur);
	return rc;
}

/*
 * A release of the merchant's identity about a merchant whose identity the
 * platform cannot give says so plainly, in the sealed release: CPL art. 44
 * then makes the platform pay first (rel's "platform_liable"). A merchant
 * whose identity changed since the order is shown as it is now too
 * (identity_current).
 */
static int identity_note(struct disclose_ctx *c, json_t *d, json_t *scope, json_t *rel,
			 struct err *e)
{
	struct cases cs = {c->st, c->rules, c->cal};
	json_t *liable = NULL, *v;
	size_t k;
	int asked = 0, rc;

	json_array_foreach(scope, k, v)
		asked |= name_index(disclosure_scope_names, json_string_value(v)) ==
			 SCOPE_MERCHANT_IDENTITY;
	if (!asked)
		return RC_OK;
	rc = dispute_liability(&cs, str(d, "merchant"), &liable, e);
	if (!rc && json_is_object(liable))
		json_object_set(rel, "platform_liable", liable);
	json_decref(liable);
	if (!rc)
		rc = identity_current(c, d, rel, e);
	return rc;
}

/* Tell both parties in the dispute's timeline what was released, to whom, on what basis. */
static int note_in_dispute(struct disclose_ctx *c, json_t *d, const struct disclose_who *by,
			   json_t *rel, struct err *e)
{
	struct cases cs = {c->st, c->rules, c->cal};
	struct actor a = {by->role, by->id, NULL};
	struct dispute_call dc;
	size_t i;
	int rc;

	memset(&dc, 0, sizeof(dc));
	rc = dispute_note(&cs, &a, str(d, "dispute"), "disclosure_released",
			  json_pack("{s:s, s:O, s:O, s:O}", "disclosure", str(d, "id"), "to",
				    json_object_get(rel, "to"), "scope",
				    json_object_get(rel, "scope"), "basis",
				    json_object_get(rel, "basis")),
			  c->now, &dc, e);
	for (i = 0; !rc && i < dc.nseals && c->nseals < DISCLOSE_MAX_SEALS; i++)
		c->seals[c->nseals++] = dc.seals[i];
	return rc;
}

/* Release `scope` of `d` now, by `by`, on `basis`, for `reasons` (taken). */
static int release(struct disclose_ctx *c, json_t *d, const struct disclose_who *by,
		   json_t *scope, const char *basis, json_t *reasons, struct err *e)
{
	int partial = json_array_size(scope) < json_array_size(json_object_get(d, "scope"));
	const char *state = disclose_state_names[partial ? DISCLOSURE_PARTIALLY_RELEASED
							 : DISCLOSURE_RELEASED];
	json_t *rel;
	int rc;

	rel = json_pack("{s:O, s:s, s:o, s:{s:s, s:s}, s:O, s:o}", "scope", scope, "basis", basis,
			"reasons", reasons, "by", "role", by->role, "id", by->id, "to",
			json_object_get(d, "requester"), "at", jx_time_json(c->now));
	if (!rel)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = identity_note(c, d, scope, rel, e);
	if (rc) {
		json_decref(rel);
		return rc;
	}
	json_object_set_new(d, "state", json_string(state));
	json_object_set_new(d, "released", rel);
	json_object_set_new(d, "updated_at", jx_time_json(c->now));
	rc = store_disclosure_update(c->st, str(d, "id"), state, c->now, d, e);
	if (!rc)
		rc = record(c, d, state, by, json_deep_copy(rel), e);
	/* the merchant is told, unless a court asked for confidentiality with a reason */
	if (!rc && !json_is_object(json_object_get(d, "confidential")))
		rc = notify(c, d, "disclosure.released", e);
	if (!rc && !json_is_object(json_object_get(d, "confidential")) &&
	    json_is_string(json_object_get(d, "dispute")))
		rc = note_in_dispute(c, d, by, rel, e);
	return rc;
}

/* Store and record a new disclosure; the consumer's basic right is answered at once. */
static int open_disclosure(struct disclose_ctx *c, const struct disclose_who *who,
			   json_t *order, json_t *dispute, const struct ask *a,
			   const char *for_body, json_t **out, struct err *e)
{
	struct store_disclosure_row row;
	char id[ID_MAX];
	int64_t due = 0;
	int at_once = is_role(who, "consumer");
	json_t *d;
	int rc, uncovered = 0;

	if (!at_once && rules_disclosure_due(c->rules, c->cal, c->now, &due, &uncovered))
		return err_set(e, RC_INTERNAL, "calendar_missing", NULL,
			       "the holiday calendar does not cover %d", uncovered);
	id_new(id, "dsc");
	d = disclosure_json(id, order, dispute, who, a, for_body, c->now, due);
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.order_id = str(order, "id");
	row.dispute_id = dispute ? str(dispute, "id") : NULL;
	row.requester_role = who->role;
	row.requester_id = who->id;
	row.state = disclose_state_names[DISCLOSURE_PENDING];
	row.created_at = c->now;
	row.due_at = due;
	row.body = d;
	rc = store_disclosure_insert(c->st, &row, e);
	if (!rc)
		rc = record(c, d, "requested", who,
			    json_pack("{s:O, s:s, s:o, s:o, s:o}", "scope", a->scope, "purpose",
				      a->purpose, "reference",
				      a->reference ? json_string(a->reference) : json_null(),
				      "reference_document",
				      a->document ? json_string(a->document) : json_null(), "for",
				      for_body ? json_string(for_body) : json_null()),
			    e);
	if (!rc && at_once) {
		static const struct disclose_who duty = {"platform", "basic_duty"};

		rc = release(c, d, &duty, a->scope, default_basis(who->role),
			     json_pack("[s]", "the consumer's own order: the merchant's identity "
					      "and the transaction's records are theirs to have "
					      "(CPL art. 44, E-Commerce Law art. 61)"),
			     e);
	} else if (!rc) {
		rc = notify(c, d, "disclosure.requested", e);
	}
	if (rc) {
		json_decref(d);
		return rc;
	}
	*out = d;
	return RC_OK;
}

int disclose_request(struct disclose_ctx *c, const struct disclose_who *who, json_t *order,
		     json_t *dispute, json_t *in, json_t **out, struct err *e)
{
	struct ask a;
	int rc;

	*out = NULL;
	if (is_role(who, "merchant"))
		return err_set(e, RC_FORBIDDEN, "forbidden", NULL,
			       "a merchant cannot request a disclosure");
	rc = check_ask(c, who, in, &a, e);
	if (!rc && dispute && strcmp(str(dispute, "order"), str(order, "id")) != 0)
		rc = err_set(e, RC_INVAL, "invalid_value", "dispute",
			     "the dispute is about another order");
	if (!rc)
		rc = open_disclosure(c, who, order, dispute, &a, NULL, out, e);
	json_decref(a.scope);
	return rc;
}

int disclose_for_external(struct disclose_ctx *c, json_t *dispute, const char *body_kind,
			  json_t **out, struct err *e)
{
	struct disclose_who consumer = {"consumer", str(dispute, "consumer")};
	json_t *order = NULL;
	struct ask a;
	int i, rc;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	rc = store_get(c->st, STORE_ORDER, str(dispute, "order"), &order, e);
	if (rc)
		return rc;
	a.scope = json_array();
	for (i = 0; a.scope && i < SCOPE__COUNT; i++)
		json_array_append_new(a.scope, json_string(disclosure_scope_names[i]));
	a.purpose = strcmp(body_kind, "court") == 0
			    ? "to bring the dispute to a people's court (诉讼)"
			    : "to bring the dispute to a consumer association (投诉调解)";
	rc = a.scope ? open_disclosure(c, &consumer, order, dispute, &a, body_kind, out, e)
		     : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_decref(a.scope);
	json_decref(order);
	return rc;
}

/* ---- the agent's answer ---- */

static int load_pending(struct disclose_ctx *c, const char *id, json_t **d, struct err *e)
{
	int rc = store_disclosure_get(c->st, id, d, e);

	if (rc)
		return rc;
	if (strcmp(str(*d, "state"), disclose_state_names[DISCLOSURE_PENDING]) != 0) {
		rc = err_set(e, RC_CONFLICT, "wrong_state", NULL,
			     "the disclosure was already answered (it is %s)", str(*d, "state"));
		json_decref(*d);
		*d = NULL;
	}
	return rc;
}

int disclose_release(struct disclose_ctx *c, const struct disclose_who *agent, const char *id,
		     json_t *in, json_t **out, struct err *e)
{
	static const char *const fields[] = {"scope", "reasons", "basis", NULL};
	json_t *d = NULL, *scope = NULL, *reasons = NULL, *v;
	const char *basis = NULL;
	size_t k;
	int rc;

	*out = NULL;
	if ((rc = jx_only(in, fields, "", e)) || (rc = check_scope(in, "scope", 0, &scope, e)) ||
	    (rc = check_reasons(in, &reasons, e)) ||
	    (rc = jx_enum(in, "basis", "basis", 0, disclose_basis_names, &basis, e)) ||
	    (rc = load_pending(c, id, &d, e)))
		goto out;
	if (!scope)
		scope = json_incref(json_object_get(d, "scope"));
	json_array_foreach(scope, k, v) {
		size_t j;
		json_t *w;
		int asked = 0;

		json_array_foreach(json_object_get(d, "scope"), j, w)
			asked |= json_equal(v, w);
		if (!asked) {
			rc = err_set(e, RC_INVAL, "invalid_value", "scope",
				     "scope %s was not requested", json_string_value(v));
			goto out;
		}
	}
	if (!basis)
		basis = default_basis(str(json_object_get(d, "requester"), "role"));
	rc = release(c, d, agent, scope, basis, reasons, e);
	reasons = NULL;
	if (!rc) {
		*out = d;
		d = NULL;
	}
out:
	json_decref(d);
	json_decref(scope);
	json_decref(reasons);
	return rc;
}

int disclose_refuse(struct disclose_ctx *c, const struct disclose_who *agent, const char *id,
		    json_t *in, json_t **out, struct err *e)
{
	static const char *const fields[] = {"reasons", NULL};
	const char *refused = disclose_state_names[DISCLOSURE_REFUSED];
	json_t *d = NULL, *reasons = NULL, *ref;
	int rc;

	*out = NULL;
	if ((rc = jx_only(in, fields, "", e)) || (rc = check_reasons(in, &reasons, e)) ||
	    (rc = load_pending(c, id, &d, e)))
		goto out;
	ref = json_pack("{s:O, s:{s:s, s:s}, s:o}", "reasons", reasons, "by", "role", agent->role,
			"id", agent->id, "at", jx_time_json(c->now));
	json_object_set_new(d, "state", json_string(refused));
	json_object_set_new(d, "refused", ref);
	json_object_set_new(d, "updated_at", jx_time_json(c->now));
	rc = store_disclosure_update(c->st, id, refused, c->now, d, e);
	if (!rc)
		rc = record(c, d, refused, agent, json_deep_copy(ref), e);
	if (!rc) {
		*out = d;
		d = NULL;
	}
out:
	json_decref(d);
	json_decref(reasons);
	return rc;
}

/* ---- reads ---- */

int disclose_get(struct disclose_ctx *c, const struct disclose_who *who, const char *id,
		 json_t **out, struct err *e)
{
	json_t *req;
	int rc = store_disclosure_get(c->st, id, out, e);

	if (rc)
		return rc;
	req = json_object_get(*out, "requester");
	if (is_staff(who) ||
	    (strcmp(str(req, "role"), who->role) == 0 && strcmp(str(req, "id"), who->id) == 0))
		return RC_OK;
	json_decref(*out);
	*out = NULL;
	return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such disclosure");
}

/* The order and merchant of disclosure `d`: the package's parties and its reader. */
static int package_load(struct disclose_ctx *c, json_t *d, struct disclose_package *pkg,
			struct err *e)
{
	json_t *rel = json_object_get(d, "released");
	int rc;

	pkg->disclosure = d;
	rc = store_get(c->st, STORE_ORDER, str(d, "order"), &pkg->order, e);
	if (!rc)
		/* the identity the package's bundle holds: the version the order links */
		rc = store_merchant_version(c->st, str(d, "merchant"),
					    store_order_merchant_version(pkg->order), &pkg->merchant,
					    e);
	if (rc)
		return rc;
	disclose_parties_of(pkg->order, pkg->merchant, &pkg->parties);
	pkg->reader.role = str(json_object_get(d, "requester"), "role");
	pkg->reader.basis = str(rel, "basis");
	pkg->reader.parties = &pkg->parties;
	pkg->masked = json_array();
	return pkg->masked ? RC_OK : err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
}

/* store_seal_chain_each: the masked renderings of one record of the order's chain. */
struct chain_masks {
	struct disclose_ctx *c;
	struct disclose_package *pkg;
	struct err *e;
};

static int chain_record_masks(void *ctx, const struct store_seal *s)
{
	struct chain_masks *m = ctx;
	json_t *body = NULL;
	int rc;

	if (strcmp(s->kind, "order") == 0 || strcmp(s->kind, "payment") == 0 ||
	    strcmp(s->kind, "disclosure_event") == 0 ||
	    !disclose_package_record(m->pkg, s->kind, NULL))
		return RC_OK;
	rc = seal_load_record(m->c->st, s, &body, m->e);
	if (!rc)
		rc = disclose_package_masks(&m->pkg->reader, s->kind, body, m->pkg->masked,
					    DISCLOSE_MAX_MASKED, m->e);
	json_decref(body);
	return rc;
}

/*
 * The masked renderings the package shows in place of withheld fields, for
 * the view's event: up to DISCLOSE_MAX_MASKED; past them a field stays a
 * bare commitment (*truncated).
 */
static int package_masks(struct disclose_ctx *c, struct disclose_package *pkg, int *truncated,
			 struct err *e)
{
	int rc = RC_OK;

	*truncated = 0;
	if (disclose_package_record(pkg, "merchant", NULL))
		rc = disclose_package_masks(&pkg->reader, "merchant", pkg->merchant, pkg->masked,
					    DISCLOSE_MAX_MASKED, e);
	if (!rc && disclose_package_record(pkg, "order", NULL))
		rc = disclose_package_masks(&pkg->reader, "order", pkg->order, pkg->masked,
					    DISCLOSE_MAX_MASKED, e);
	if (!rc) {
		struct chain_masks m = {c, pkg, e};

		rc = store_seal_chain_each(c->st, str(pkg->disclosure, "order"), chain_record_masks,
					   &m, e);
	}
	if (rc == RC_TOOBIG) {
		*truncated = 1;
		return RC_OK;
	}
	return rc;
}

int disclose_package_viewed(struct disclose_ctx *c, const struct disclose_who *who,
			    const char *id, const char *format, struct disclose_package *pkg,
			    struct err *e)
{
	json_t *d = NULL, *data;
	const char *state;
	int rc = disclose_get(c, who, id, &d, e), truncated = 0;

	memset(pkg, 0, sizeof(*pkg));
	if (rc)
		return rc;
	state = str(d, "state");
	if (strcmp(state, disclose_state_names[DISCLOSURE_RELEASED]) != 0 &&
	    strcmp(state, disclose_state_names[DISCLOSURE_PARTIALLY_RELEASED]) != 0) {
		rc = err_set(e, RC_CONFLICT, "not_released", NULL,
			     "nothing of this disclosure is released (it is %s)", state);
		json_decref(d); /* `state` was d's */
		return rc;
	}
	rc = package_load(c, d, pkg, e);
	if (!rc)
		rc = package_masks(c, pkg, &truncated, e);
	if (!rc) {
		data = json_pack("{s:s, s:O}", "format", format, "masked", pkg->masked);
		if (data && truncated)
			json_object_set_new(data, "masked_truncated", json_true());
		rc = record(c, d, "package_viewed", who, data, e);
	}
	if (rc)
		disclose_package_release(pkg);
	return rc;
}

void disclose_package_release(struct disclose_package *pkg)
{
	json_decref(pkg->disclosure);
	json_decref(pkg->order);
	json_decref(pkg->merchant);
	json_decref(pkg->masked);
	memset(pkg, 0, sizeof(*pkg));
}

/* ---- what a package shows ---- */

/* The scope a record of leaf kind `kind` falls under, or -1 for none. */
static int scope_of_kind(const char *kind)
{
	static const struct {
		const char *kind;
		enum disclosure_scope scope;
	} map[] = {
		{"merchant", SCOPE_MERCHANT_IDENTITY}, {"order", SCOPE_ORDER},
		{"listing", SCOPE_LISTING},            {"payment", SCOPE_PAYMENT},
		{"logistics", SCOPE_LOGISTICS},        {"message", SCOPE_MESSAGES},
		{"dispute_event", SCOPE_DISPUTE_RECORD},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].kind, kind) == 0)
			return (int)map[i].scope;
	return -1;
}

int disclose_package_record(void *package, const char *kind, json_t *body)
{
	struct disclose_package *pkg = package;
	json_t *d = pkg->disclosure;
	json_t *released = json_object_get(json_object_get(d, "released"), "scope"), *v;
	size_t k;
	int s;

	if (strcmp(kind, "disclosure_event") == 0)
		return strcmp(str(body, "disclosure") ? str(body, "disclosure") : "",
			      str(d, "id")) == 0;
	s = scope_of_kind(kind);
	if (s < 0)
		return 0;
	json_array_foreach(released, k, v)
		if (name_index(disclosure_scope_names, json_string_value(v)) == s)
			return 1;
	return 0;
}

int disclose_package_field(void *package, const char *kind, json_t *body, const char *field)
{
	struct disclose_package *pkg = package;
	struct err e;
	int show = 0;

	if (strcmp(kind, "disclosure_event") == 0)
		return 1;
	err_clear(&e);
	/* a field that cannot be decided is withheld: it stays bound as its commitment */
	return disclose_package_shows(&pkg->reader, kind, body, field, &show, &e) ? 0 : show;
}
