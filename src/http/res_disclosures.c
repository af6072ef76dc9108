/* res_disclosures.c - the disclosure desk: requests, the agent's answers, and the packages a requester takes away. */
#include "http/http_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "core/log.h"
#include "core/spool.h"
#include "disclose/pdf.h"
#include "disclose/request.h"
#include "evidence/bundle.h"
#include "evidence/seal.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void who_of(struct http_req *r, struct disclose_who *w)
{
	w->role = r->who.role;
	w->id = r->who.subject;
}

static void ctx_init(struct http_req *r, struct disclose_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->st = r->srv->st;
	c->rules = r->srv->rules;
	c->cal = r->srv->cal;
	c->now = r->now;
}

/* The order (and dispute) a request names, if the caller may ask about it: 404 otherwise. */
static int target(struct http_req *r, json_t *in, json_t **order, json_t **dispute,
		  struct err *e)
{
	const char *oref = str(in, "order"), *dref = str(in, "dispute");
	int rc;

	*order = *dispute = NULL;
	if (!oref && !dref)
		return err_set(e, RC_INVAL, "missing_field", "order",
			       "name the order (or the dispute) the request is about");
	if (dref) {
		rc = store_dispute_get(r->srv->st, dref, dispute, e);
		if (rc == RC_NOTFOUND)
			return err_set(e, RC_INVAL, "resource_missing", "dispute", "no dispute %s",
				       dref);
		if (rc)
			return rc;
		if (oref && strcmp(oref, str(*dispute, "order")) != 0)
			return err_set(e, RC_INVAL, "invalid_value", "dispute",
				       "the dispute is about another order");
		oref = str(*dispute, "order");
	}
	rc = store_get(r->srv->st, STORE_ORDER, oref, order, e);
	/* a consumer asks about their own orders; anything else reads as missing */
	if (!rc && http_is(r, ROLE_CONSUMER) &&
	    strcmp(str(json_object_get(*order, "consumer"), "id"), r->who.subject) != 0) {
		json_decref(*order);
		*order = NULL;
		rc = RC_NOTFOUND;
	}
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_INVAL, "resource_missing", dref ? "dispute" : "order",
			       "no order %s", oref);
	return rc;
}

int res_disclosure_create(struct http_req *r, struct err *e)
{
	struct disclose_ctx c;
	struct disclose_who w;
	json_t *in = NULL, *order = NULL, *dispute = NULL, *out = NULL;
	int rc;

	ctx_init(r, &c);
	who_of(r, &w);
	rc = http_body_json(r, &in, e);
	if (!rc)
		rc = target(r, in, &order, &dispute, e);
	if (!rc)
		rc = disclose_request(&c, &w, order, dispute, in, &out, e);
	if (!rc) {
		http_keep_seals(r, c.seals, c.nseals);
		rc = http_reply_json(r, 201, out);
	}
	json_decref(in);
	json_decref(order);
	json_decref(dispute);
	return rc;
}

int res_disclosure_list(struct http_req *r, struct err *e)
{
	struct store_disclosure_filter f = {NULL, NULL, NULL, NULL};
	json_t *items = NULL, *qo;
	int64_t after = 0, next = 0;
	const char *q;
	int limit = 20, rc;

	rc = http_page(r, &limit, &after, e);
	if (rc)
		return rc;
	/* query values are checked like body fields */
	qo = json_object();
	if ((q = http_query(r, "state")))
		json_object_set_new(qo, "state", json_string(q));
	rc = jx_enum(qo, "state", "state", 0, disclose_state_names, &f.state, e);
	if (!rc && (q = http_query(r, "order")))
		f.order_id = q;
	if (rc) {
		json_decref(qo);
		return rc;
	}
	if (!http_is(r, ROLE_PLATFORM | ROLE_AGENT)) {
		/* everyone else lists their own requests */
		f.requester_role = r->who.role;
		f.requester_id = r->who.subject;
	}
	rc = store_disclosure_list(r->srv->st, &f, after, limit, &items, &next, e);
	json_decref(qo);   /* after the list: f.state points into it */
	if (rc)
		return rc;
	return http_reply_json(r, 200, http_list(items, next));
}

int res_disclosure_get(struct http_req *r, struct err *e)
{
	struct disclose_ctx c;
	struct disclose_who w;
	json_t *d = NULL;
	int rc;

	ctx_init(r, &c);
	who_of(r, &w);
	rc = disclose_get(&c, &w, r->params[0], &d, e);
	if (!rc)
		rc = http_reply_json(r, 200, d);
	return rc;
}

/* An agent's answer: release (`refuse` 0) or refuse. */
static int answer(struct http_req *r, int refuse, struct err *e)
{
	struct disclose_ctx c;
	struct disclose_who w;
	json_t *in = NULL, *out = NULL;
	int rc;

	ctx_init(r, &c);
	who_of(r, &w);
	rc = http_body_json(r, &in, e);
	if (!rc && refuse)
		rc = disclose_refuse(&c, &w, r->params[0], in, &out, e);
	else if (!rc)
		rc = disclose_release(&c, &w, r->params[0], in, &out, e);
	if (rc == RC_NOTFOUND)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no such disclosure");
	if (!rc) {
		http_keep_seals(r, c.seals, c.nseals);
		rc = http_reply_json(r, 200, out);
	}
	json_decref(in);
	return rc;
}

int res_disclosure_approve(struct http_req *r, struct err *e)
{
	return answer(r, 0, e);
}

int res_disclosure_refuse(struct http_req *r, struct err *e)
{
	return answer(r, 1, e);
}

/* ---- the package ---- */

static ssize_t read_package(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct bundle *b = cls;
	struct err e;
	size_t n = 0;

	(void)pos;
	err_clear(&e);
	if (bundle_read(b, buf, max, &n, &e)) {
		log_event(LOG_ERROR, "package cut short", json_pack("{s:s}", "detail", e.message));
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void free_package(void *cls)
{
	bundle_free(cls);
}

/*
 * Record the view (a sealed event of the order's chain, with the masked
 * renderings the package shows) and make it durable in the log before the
 * bundle is read, so the package holds its own view.
 */
static int record_view(struct http_req *r, const char *id, const char *format,
		       struct disclose_package *pkg, struct err *e)
{
	struct disclose_ctx c;
	struct disclose_who w;
	int rc;

	ctx_init(r, &c);
	who_of(r, &w);
	rc = disclose_package_viewed(&c, &w, id, format, pkg, e);
	if (!rc)
		rc = http_audit(r, id, "package", e);
	if (!rc)
		rc = store_end(r->srv->st, 1, e);
	if (rc)
		return rc;
	rc = seal_wait(r->srv->st, r->srv->log, c.seals, c.nseals, e);
	if (store_begin(r->srv->st, rc ? NULL : e) && !rc)
		rc = e->rc;
	return rc;
}

/* Bundle options for a package: only its released scope shows, and of it what the table allows. */
static void package_opts(struct http_req *r, struct disclose_package *pkg, int content,
			 struct bundle_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->log_vkey = r->srv->log_vkey;
	o->witness_vkeys = r->srv->witness_vkeys;
	o->nwitnesses = r->srv->nwitness_vkeys;
	o->blob_content = content;
	o->shown = disclose_package_record;
	o->field_shown = disclose_package_field;
	o->shown_ctx = pkg;
}

/* The PDF's cover texts from the disclosure (the merchant's from the bundle, as disclosed). */
static void cover_of(json_t *d, struct pdf_cover *cv, char *requester, size_t rlen,
		     char *scope, size_t slen)
{
	json_t *rel = json_object_get(d, "released"), *req = json_object_get(d, "requester"), *v;
	size_t k, used = 0;

	memset(cv, 0, sizeof(*cv));
	snprintf(requester, rlen, "%s (%s)", str(req, "id"), str(req, "role"));
	scope[0] = '\0';
	json_array_foreach(json_object_get(rel, "scope"), k, v)
		if (used < slen)
			used += (size_t)snprintf(scope + used, slen - used, "%s%s", k ? ", " : "",
						 json_string_value(v));
	cv->package_id = str(d, "id");
	cv->requester = requester;
	cv->purpose = str(d, "purpose");
	cv->legal_basis = str(rel, "basis");
	cv->reference = str(d, "reference");
	cv->scope = scope;
	cv->released_at = str(rel, "at");
	cv->merchant_identity_note = str(json_object_get(rel, "platform_liable"), "text");
}

/*
 * The cover's note when the merchant's identity changed since the order
 * (the release's merchant_current): the evidence keeps the order's version,
 * the note gives the address that holds now. Into `note`; the platform's
 * liability, when there is one, stays the note.
 */
static void current_identity_note(json_t *d, struct pdf_cover *cv, char *note, size_t len)
{
	json_t *cur = json_object_get(json_object_get(d, "released"), "merchant_current");

	if (!json_is_object(cur) || cv->merchant_identity_note)
		return;
	snprintf(note, len,
		 "经营者身份信息已更新（第%lld版，核验于%s）：现注册地址 %s，联系电话 %s。"
		 "下表为订单时的第%lld版。 The merchant's identity has changed since the order "
		 "(version %lld, verified %s): registered address now %s, phone %s. The table "
		 "shows version %lld, of the order's time.",
		 (long long)json_integer_value(json_object_get(cur, "version")),
		 str(cur, "verified_at") ? str(cur, "verified_at") : "—",
		 str(cur, "registered_address") ? str(cur, "registered_address") : "—",
		 str(json_object_get(cur, "contact"), "phone")
			 ? str(json_object_get(cur, "contact"), "phone") : "—",
		 (long long)json_integer_value(json_object_get(cur, "order_version")),
		 (long long)json_integer_value(json_object_get(cur, "version")),
		 str(cur, "verified_at") ? str(cur, "verified_at") : "—",
		 str(cur, "registered_address") ? str(cur, "registered_address") : "—",
		 str(json_object_get(cur, "contact"), "phone")
			 ? str(json_object_get(cur, "contact"), "phone") : "—",
		 (long long)json_integer_value(json_object_get(cur, "order_version")));
	cv->merchant_identity_note = note;
}

static int spool_sink(void *arg, const unsigned char *data, size_t len)
{
	return spool_write(arg, data, len);
}

static ssize_t read_spool(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n = spool_read(cls, pos, buf, max);

	if (n < 0) {
		log_event(LOG_ERROR, "package cut short",
			  json_pack("{s:s}", "detail", strerror(errno)));
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return n ? n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void free_spool(void *cls)
{
	spool_free(cls);
}

/*
 * The package as a PDF: the bundle built whole (blobs by digest, within
 * the text buffer's cap), rendered into a spool file under the data
 * directory, then streamed from it with its length: the server holds one
 * page and one image at a time, whatever the size of the PDF.
 */
static int package_pdf(struct http_req *r, struct disclose_package *pkg, struct err *e)
{
	json_t *d = pkg->disclosure;
	char requester[300], scope[200], note[4096];
	struct bundle_opts o;
	struct pdf_cover cv;
	struct buf text;
	struct spool *pdf = NULL;
	json_t *bundle = NULL;
	int rc;

	buf_init(&text, (size_t)64 << 20);
	package_opts(r, pkg, 0, &o);
	rc = store_end(r->srv->st, 1, e);
	if (!rc)
		rc = bundle_build(r->srv->st, r->srv->log, r->srv->data_dir, str(d, "order"), &o,
				  &text, e);
	if (!rc) {
		bundle = json_loadb(text.data, text.len, 0, NULL);
		buf_release(&text); /* parsed: the text is not needed while rendering */
		rc = bundle ? spool_open(r->srv->data_dir, &pdf, e)
			    : err_set(e, RC_INTERNAL, NULL, NULL, "the package is not JSON");
	}
	if (!rc) {
		cover_of(d, &cv, requester, sizeof(requester), scope, sizeof(scope));
		current_identity_note(d, &cv, note, sizeof(note));
		rc = pdf_render_package_to(bundle, &cv, r->srv->data_dir, spool_sink, pdf, e);
	}
	if (store_begin(r->srv->st, rc ? NULL : e) && !rc)
		rc = e->rc;
	if (!rc) {
		rc = http_reply_stream(r, 200, "application/pdf", pdf->size, read_spool, pdf,
				       free_spool);
		pdf = NULL;
	}
	spool_free(pdf);
	json_decref(bundle);
	buf_release(&text);
	return rc;
}

int res_disclosure_package(struct http_req *r, struct err *e)
{
	const char *format = http_query(r, "format");
	struct disclose_package pkg;
	struct bundle_opts o;
	struct bundle *b = NULL;
	char disp[160];
	int rc, pdf;

	if (!r->srv->log)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no evidence log");
	if (format && strcmp(format, "json") != 0 && strcmp(format, "pdf") != 0)
		return err_set(e, RC_INVAL, "invalid_enum", "format", "format must be json or pdf");
	pdf = format && strcmp(format, "pdf") == 0;
	rc = record_view(r, r->params[0], pdf ? "pdf" : "json", &pkg, e);
	if (rc) {
		disclose_package_release(&pkg);
		return rc;
	}
	r->verbatim = 1;
	if (pdf) {
		rc = package_pdf(r, &pkg, e);
	} else {
		package_opts(r, &pkg, 1, &o);
		/* the bundle reads the store itself: leave the request's transaction, then begin
		 * another */
		rc = store_end(r->srv->st, 1, e);
		if (!rc)
			rc = bundle_open(r->srv->st, r->srv->log, r->srv->data_dir,
					 str(pkg.disclosure, "order"), &o, &b, e);
		if (store_begin(r->srv->st, rc ? NULL : e) && !rc)
			rc = e->rc;
		if (!rc) {
			rc = http_reply_stream(r, 200, "application/json", bundle_size(b),
					       read_package, b, free_package);
			b = NULL;
		}
	}
	if (!rc) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%.64s.package.%s\"",
			 str(pkg.disclosure, "id"), pdf ? "pdf" : "json");
		snprintf(r->disposition, sizeof(r->disposition), "%s", disp);
	}
	bundle_free(b);
	disclose_package_release(&pkg);
	return rc;
}

int res_disclosure_for_external(struct http_req *r, json_t *dispute, const char *body_kind,
				json_t **out, struct err *e)
{
	struct disclose_ctx c;
	int rc;

	ctx_init(r, &c);
	rc = disclose_for_external(&c, dispute, body_kind, out, e);
	if (!rc)
		http_keep_seals(r, c.seals, c.nseals);
	return rc;
}
