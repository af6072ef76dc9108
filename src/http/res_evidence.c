/* res_evidence.c - an order's evidence bundle, and tlog-proof files for single log entries. */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/num.h"
#include "evidence/bundle.h"
#include "tlog/proof.h"

#define MAX_WITHHOLD 64

/* http_stream_read_fn over a bundle, read front to back. */
static ssize_t read_bundle(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct bundle *b = cls;
	struct err e;
	size_t n = 0;

	(void)pos;
	err_clear(&e);
	if (bundle_read(b, buf, max, &n, &e)) {
		log_event(LOG_ERROR, "bundle cut short",
			  json_pack("{s:s}", "detail", e.message));
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void free_bundle(void *cls)
{
	bundle_free(cls);
}

int res_order_bundle(struct http_req *r, struct err *e)
{
	struct bundle_opts o;
	const char *withhold[MAX_WITHHOLD];
	const char *q = http_query(r, "withhold"), *content = http_query(r, "blob_content");
	char *list = NULL, *tok, *save = NULL, disp[160], audit[DISCLOSE_AUDIT_MAX + 8];
	json_t *order = NULL;
	struct bundle *b = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	if (!r->srv->log)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no evidence log");
	/* who may have the order's bundle, and what it withholds from them: disclose/ */
	rc = store_get(r->srv->st, STORE_ORDER, r->params[0], &order, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such order");
	if (!rc)
		rc = http_may_see(r, DISCLOSE_BUNDLE, order, e);
	if (!rc) {
		memcpy(audit, "bundle:", 8);
		rc = disclose_bundle_fields(&r->who, withhold, MAX_WITHHOLD, &o.nwithhold,
					    audit + 7, sizeof(audit) - 7, e);
	}
	if (rc) {
		json_decref(order);
		return rc;
	}
	o.withhold = withhold;
	if (content && strcmp(content, "true") != 0 && strcmp(content, "false") != 0) {
		json_decref(order);
		return err_set(e, RC_INVAL, "invalid_value", "blob_content",
			       "blob_content must be true or false");
	}
	o.blob_content = !content || strcmp(content, "true") == 0;
	if (q) {
		list = strdup(q);
		for (tok = list ? strtok_r(list, ",", &save) : NULL; tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (o.nwithhold == MAX_WITHHOLD) {
				rc = err_set(e, RC_INVAL, "too_long", "withhold",
					     "withhold names at most %d fields", MAX_WITHHOLD);
				goto out;
			}
			withhold[o.nwithhold++] = tok;
		}
	}
	o.log_vkey = r->srv->log_vkey;
	o.witness_vkeys = r->srv->witness_vkeys;
	o.nwitnesses = r->srv->nwitness_vkeys;
	/* the bundle reads the store itself: leave the request's transaction (which
	 * has written nothing yet), and begin another after */
	rc = store_end(r->srv->st, 0, NULL);
	if (!rc)
		rc = bundle_open(r->srv->st, r->srv->log, r->srv->data_dir,
				 json_string_value(json_object_get(order, "id")), &o, &b, e);
	if (store_begin(r->srv->st, rc ? NULL : e) && !rc)
		rc = e->rc;
	/*
	 * Every bundle read, by staff or by the order's consumer, is audited in
	 * the transaction the handler commits: after the bundle is built (an
	 * entry written before leaving the first transaction would be rolled
	 * back), and the reply goes out only if the entry commits.
	 */
	if (!rc)
		rc = http_audit(r, json_string_value(json_object_get(order, "id")),
				audit, e);
	if (!rc) {
		rc = http_reply_stream(r, 200, "application/json", bundle_size(b), read_bundle, b,
				       free_bundle);
		b = NULL;
	}
	r->verbatim = 1;
	if (!rc) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s.bundle.json\"",
			 json_string_value(json_object_get(order, "id")));
		snprintf(r->disposition, sizeof(r->disposition), "%s", disp);
	}
	bundle_free(b);
out:
	free(list);
	json_decref(order);
	return rc;
}

int res_log_proof(struct http_req *r, struct err *e)
{
	struct tlog_proof p;
	struct buf note, out;
	uint8_t root[TLOG_HASH_SIZE];
	uint64_t size = 0;
	int64_t index;
	int rc;

	if (!r->srv->log)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no evidence log");
	buf_init(&note, 1 << 20);
	buf_init(&out, 1 << 20);
	rc = num_parse_i64(r->params[0], 0, INT64_MAX, &index) ? RC_NOTFOUND : RC_OK;
	/* several nodes: another node's sequencer may have sealed it a moment ago */
	if (!rc)
		rc = tlog_log_reach(r->srv->log, (uint64_t)index + 1, e);
	if (!rc)
		rc = tlog_log_checkpoint(r->srv->log, &size, root, &note, e);
	if (rc == RC_NOTFOUND || (!rc && (uint64_t)index >= size))
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no entry %s in the log",
			     r->params[0]);
	if (!rc)
		rc = tlog_log_prove_inclusion(r->srv->log, (uint64_t)index, size, &p, e);
	if (!rc && tlog_proof_file_format(&out, NULL, 0, (uint64_t)index, &p, note.data, note.len))
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "cannot format the proof");
	if (!rc)
		rc = http_reply_bytes(r, 200, "text/plain; charset=utf-8", out.data, out.len);
	buf_release(&note);
	buf_release(&out);
	return rc;
}
