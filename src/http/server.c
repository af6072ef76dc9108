/* server.c - libmicrohttpd plumbing: bodies with caps, auth, the route checks, transactions, idempotency, replies. */
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/netaddr.h"
#include "core/num.h"
#include "core/sha256.h"
#include "core/timeutil.h"
#include "evidence/seal.h"
#include "ingest/ingest.h"
#include "tlog/keyfile.h"
#include "http/http_int.h"

/* Match `path` against a pattern, filling the request's path parameters. */
static int route_match(const char *pattern, int rest, const char *path, struct http_req *r)
{
	int np = 0;

	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *pe = strchr(pattern, '}');
			size_t n = rest && pe && pe[1] == '\0' ? strlen(path) : strcspn(path, "/");

			if (!pe || n == 0 || n >= sizeof(r->params[0]) || np >= HTTP_MAX_PARAMS)
				return 0;
			memcpy(r->params[np], path, n);
			r->params[np][n] = '\0';
			np++;
			pattern = pe + 1;
			path += n;
		} else if (*pattern++ != *path++) {
			return 0;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

static void route_find(struct http_req *r)
{
	size_t i;

	for (i = 0; i < http_route_count; i++) {
		if (!route_match(http_routes[i].pattern, http_routes[i].rest, r->path, r))
			continue;
		r->path_matched = 1;
		snprintf(r->allow + strlen(r->allow), sizeof(r->allow) - strlen(r->allow), "%s%s",
			 r->allow[0] ? ", " : "", http_routes[i].method);
		if (strcmp(http_routes[i].method, r->method) == 0) {
			r->route = &http_routes[i];
			return;
		}
	}
	/* leave the parameters of the last candidate; they are unused */
}

/* Forget a streamed reply the handler set, freeing its source. */
static void drop_stream(struct http_req *r)
{
	json_decref(r->resp_json); /* whatever replaces the body replaces it too */
	r->resp_json = NULL;
	if (r->stream_free && r->stream_cls)
		r->stream_free(r->stream_cls);
	r->stream_read = NULL;
	r->stream_free = NULL;
	r->stream_cls = NULL;
	if (r->have_fd)
		close(r->resp_fd);
	r->have_fd = 0;
}

int http_reply_fd(struct http_req *r, int status, const char *type, int fd, uint64_t size)
{
	drop_stream(r);
	free(r->resp_body);
	r->resp_body = NULL;
	r->resp_len = 0;
	r->stream_size = size;
	r->have_fd = 1;
	r->resp_fd = fd;
	r->resp_type = type;
	r->status = status;
	r->verbatim = 1;
	return RC_OK;
}

int http_reply_stream(struct http_req *r, int status, const char *type, uint64_t size,
		      http_stream_read_fn *read, void *cls, void (*free_cls)(void *cls))
{
	drop_stream(r);
	free(r->resp_body);
	r->resp_body = NULL;
	r->resp_len = 0;
	r->stream_size = size;
	r->stream_read = read;
	r->stream_cls = cls;
	r->stream_free = free_cls;
	r->resp_type = type;
	r->status = status;
	return RC_OK;
}

int http_reply_bytes(struct http_req *r, int status, const char *type, const void *data,
		     size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return RC_NOMEM;
	drop_stream(r);
	if (len)
		memcpy(copy, data, len);
	free(r->resp_body);
	r->resp_body = copy;
	r->resp_len = len;
	r->resp_type = type;
	r->status = status;
	return RC_OK;
}

int http_reply_json(struct http_req *r, int status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	if (!text) {
		json_decref(v);
		return RC_NOMEM;
	}
	drop_stream(r);
	r->resp_json = v; /* kept for the seals (annotate_reply_from) */
	free(r->resp_body);
	r->resp_body = text;
	r->resp_len = strlen(text);
	r->resp_type = "application/json";
	r->status = status;
	return RC_OK;
}

/*
 * A JSON string of `text`, which may hold bytes a client sent: if it is not
 * valid UTF-8, each byte outside printable ASCII becomes '?'.
 */
static json_t *safe_string(const char *text)
{
	char clean[sizeof(((struct err *)0)->message)];
	json_t *v = json_string(text);
	size_t i;

	if (v)
		return v;
	snprintf(clean, sizeof(clean), "%s", text);
	for (i = 0; clean[i]; i++)
		if ((unsigned char)clean[i] < 0x20 || (unsigned char)clean[i] > 0x7e)
			clean[i] = '?';
	return json_string(clean);
}

void http_reply_error(struct http_req *r, const struct err *e)
{
	int status = rc_http_status(e->rc);
	json_t *body;

	if (status >= 500)
		body = json_pack("{s:{s:s, s:s, s:s, s:n}}", "error", "type", "api_error",
				 "code", "internal_error", "message",
				 "the server failed to handle the request", "param");
	else
		body = json_pack("{s:{s:s, s:s, s:o, s:o}}", "error", "type",
				 rc_error_type(e->rc), "code", e->code, "message",
				 safe_string(e->message), "param",
				 e->param[0] ? safe_string(e->param) : json_null());
	if (body && status < 500 && r->error_extra)
		json_object_update_missing(json_object_get(body, "error"), r->error_extra);
	json_decref(r->error_extra);
	r->error_extra = NULL;
	if (http_reply_json(r, status, body) != RC_OK)
		r->status = status;
}

/* Reply with the error in `e` under `status` rather than the one its code maps to. */
static void reply_error_status(struct http_req *r, const struct err *e, int status)
{
	http_reply_error(r, e);
	r->status = status;
}

int http_body_json(struct http_req *r, json_t **out, struct err *e)
{
	json_error_t je;
	json_t *v;

	*out = NULL;
	if (r->body_parsed) {
		/* parsed before the request was queued: the handler takes it */
		r->body_parsed = 0;
		if (!r->body_json) {
			*e = r->body_err;
			return e->rc;
		}
		*out = r->body_json;
		r->body_json = NULL;
		return RC_OK;
	}
	if (r->body.len == 0)
		return err_set(e, RC_INVAL, "invalid_json", "body",
			       "the request body must be a JSON object");
	/*
	 * JSON_DECODE_ANY: a valid JSON scalar is a body of the wrong type, not
	 * invalid JSON. JSON_ALLOW_NUL: "\u0000" is valid JSON; the field getters
	 * (jx_str, jx_time, blob references) reject it with the field's name.
	 */
	v = json_loadb(r->body.data, r->body.len,
		       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!v) {
		char path[256];

		/* a number past 64 bits is the fault of its field, not of the body */
		if (json_error_code(&je) == json_error_numeric_overflow &&
		    jx_overflow_path(r->body.data, r->body.len, path, sizeof(path)))
			return err_set(e, RC_INVAL, "invalid_value", path,
				       "%s is out of range", path);
		if (json_error_code(&je) == json_error_invalid_utf8)
			return err_set(e, RC_INVAL, "invalid_utf8", "body",
				       "the request body is not valid UTF-8");
		return err_set(e, RC_INVAL, "invalid_json", "body",
			       "the request body is not valid JSON: %s at line %d column %d",
			       je.text, je.line, je.column);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return err_set(e, RC_INVAL, "invalid_type", "body",
			       "the request body must be a JSON object");
	}
	*out = v;
	return RC_OK;
}

const char *http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_page(struct http_req *r, int *limit, int64_t *after, struct err *e)
{
	const char *l = http_query(r, "limit"), *c = http_query(r, "cursor");
	unsigned char raw[64];
	size_t rawlen = 0;
	int64_t n;

	*limit = 20;
	*after = 0;
	if (l) {
		if (num_parse_i64(l, 1, 100, &n))
			return err_set(e, RC_INVAL, "invalid_value", "limit",
				       "limit must be an integer from 1 to 100");
		*limit = (int)n;
	}
	if (c) {
		char text[65];

		if (sodium_base642bin(raw, sizeof(raw) - 1, c, strlen(c), NULL, &rawlen, NULL,
				      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
		    rawlen < 4 || memcmp(raw, "c1:", 3) != 0)
			goto bad;
		memcpy(text, raw + 3, rawlen - 3);
		text[rawlen - 3] = '\0';
		if (num_parse_i64(text, 1, INT64_MAX, &n))
			goto bad;
		*after = n;
	}
	return RC_OK;
bad:
	return err_set(e, RC_INVAL, "invalid_cursor", "cursor",
		       "cursor is not one this server gave out");
}

json_t *http_list(json_t *items, int64_t next)
{
	json_t *cursor = json_null();

	if (next > 0) {
		char raw[40], b64[64];
		int n = snprintf(raw, sizeof(raw), "c1:%lld", (long long)next);

		sodium_bin2base64(b64, sizeof(b64), (unsigned char *)raw, (size_t)n,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		cursor = json_string(b64);
	}
	return json_pack("{s:s, s:o, s:o}", "object", "list", "data", items, "next_cursor",
			 cursor);
}

int http_audit(struct http_req *r, const char *object_id, const char *fields,
	       struct err *e)
{
	char route[160];

	snprintf(route, sizeof(route), "%s %s", r->method, r->route ? r->route->pattern : "");
	return store_audit_add(r->srv->st, r->now, &r->who, object_id, fields, route, e);
}

void http_keep_seals(struct http_req *r, const int64_t *seals, size_t n)
{
	size_t i;

	for (i = 0; i < n && r->nseals < sizeof(r->seals) / sizeof(r->seals[0]); i++)
		r->seals[r->nseals++] = seals[i];
}

/*
 * Run `each` on the record (or each record of a list) of a 2xx JSON reply,
 * then write the reply's text again; nothing when `each` fails (its code).
 */
static int reply_records(struct http_req *r, int (*each)(void *ctx, json_t *rec, struct err *e),
			 void *ctx, struct err *e)
{
	json_t *v, *items, *it;
	char *text;
	size_t i;
	int rc = RC_OK;

	if (r->status < 200 || r->status >= 300 || r->verbatim ||
	    strcmp(r->resp_type, "application/json") != 0)
		return RC_OK;
	/* the reply's own JSON when the handler gave one, else a parse of its text */
	v = r->resp_json ? json_incref(r->resp_json) : json_loadb(r->resp_body, r->resp_len, 0, NULL);
	if (!v)
		return RC_OK;
	items = json_object_get(v, "data");
	if (json_is_array(items) && json_is_string(json_object_get(v, "object")) &&
	    strcmp(json_string_value(json_object_get(v, "object")), "list") == 0) {
		json_array_foreach(items, i, it) {
			rc = each(ctx, it, e);
			if (rc)
				break;
		}
	} else {
		rc = each(ctx, v, e);
	}
	if (!rc) {
		text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text) {
			free(r->resp_body);
			r->resp_body = text;
			r->resp_len = strlen(text);
		}
	}
	json_decref(v);
	return rc;
}

static int from_store(void *st, json_t *rec, struct err *e)
{
	return seal_annotate(st, rec, e);
}

/* RC_NOTFOUND for a record whose seal the request did not make, or not seen sealed. */
static int from_made(void *prep, json_t *rec, struct err *e)
{
	(void)e;
	return seal_annotate_made(prep, rec) ? RC_OK : RC_NOTFOUND;
}

/*
 * Add "sealed" to the record (or each record of a list) in a JSON reply,
 * from the seals as they stand. Call inside a store transaction.
 */
static int annotate_reply_from(struct http_req *r, struct store *st, struct err *e)
{
	return reply_records(r, from_store, st, e);
}

/* annotate_reply_from the request's own store. */
static int annotate_reply(struct http_req *r, struct err *e)
{
	return annotate_reply_from(r, r->srv->st, e);
}

int http_is(struct http_req *r, unsigned roles)
{
	return r->authed && (http_role_bit(r->who.role) & roles) != 0;
}

/* 401 unless a valid bearer token is presented. */
static int authenticate(struct http_req *r, struct err *e)
{
	struct store *rd = r->srv->rd ? r->srv->rd : r->srv->st;
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
	char hash[65];
	int rc;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7])
		return err_set(e, RC_UNAUTH, "unauthenticated", NULL,
			       "send an API key or token as Authorization: Bearer TOKEN");
	token_hash(h + 7, hash);
	rc = r->srv->rd ? store_begin_read(rd, e) : store_begin(rd, e);
	if (rc)
		return rc;
	rc = store_auth_lookup(rd, hash, r->now, &r->who, e);
	if (store_end(rd, 0, NULL)) {
		/* a rollback of a read cannot fail in a way that matters */
	}
	if (rc)
		return rc;
	r->authed = 1;
	return RC_OK;
}

/* The hash that ties an Idempotency-Key to one request. */
static int request_hash(struct http_req *r, char hash[65])
{
	const struct sha256_part parts[] = {
		{r->method, strlen(r->method)}, {" ", 1}, {r->path, strlen(r->path)}, {"\n", 1},
		{r->body.data, r->body.len},
	};
	uint8_t d[SHA256_SIZE];

	sha256_parts(d, parts, sizeof(parts) / sizeof(parts[0]));
	sodium_bin2hex(hash, 65, d, sizeof(d));
	return RC_OK;
}

/*
 * An Idempotency-Key header of `n` bytes, as MHD_lookup_connection_value_n
 * counts them: any NUL it reports is refused like every other control byte.
 * (libmicrohttpd 0.9.75 itself ends a header value at its first NUL, so
 * there the rest never reaches us.)
 */
static int check_idem_key(const char *key, size_t n, struct err *e)
{
	size_t i;

	if (n == 0 || n > 255)
		return err_set(e, RC_INVAL, "invalid_value", "Idempotency-Key",
			       "Idempotency-Key must be 1 to 255 characters");
	for (i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return err_set(e, RC_INVAL, "invalid_value", "Idempotency-Key",
				       "Idempotency-Key must be printable ASCII");
	return RC_OK;
}

/*
 * The replay record of a reply that showed a secret once (a minted token, a
 * webhook endpoint's signing secret): the secret is never stored, so a
 * replay cannot return it. What is kept is a 409 that names what the first
 * request created, for the client to revoke or use and then retry with a
 * new key. No part of the original reply is stored.
 */
static int idem_put_secret(struct http_req *r, const char *key, const char *hash,
			   struct err *e)
{
	char msg[256];
	json_t *body;
	char *text;
	int rc;

	snprintf(msg, sizeof(msg),
		 "this Idempotency-Key already created %s, whose secret is shown only once and "
		 "is not kept for replay: use or revoke it, or send the request again with a "
		 "new Idempotency-Key",
		 r->secret_of);
	body = json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "type",
			 rc_error_type(RC_CONFLICT), "code", "idempotency_secret_not_replayed",
			 "message", msg, "param", "Idempotency-Key");
	text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(body);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_idem_put(r->srv->st, r->who.id, key, hash, rc_http_status(RC_CONFLICT), text,
			    r->now, e);
	free(text);
	return rc;
}

/*
 * After a commit: integrate the request's seals into the log and show them
 * in the reply. A failure here leaves the record stored with its seal
 * pending (the server integrates it later); the client sees a 5xx and can
 * retry with its Idempotency-Key.
 */
static int seal_reply(struct http_req *r, struct err *e)
{
	int rc;

	if (!r->srv->log)
		return RC_OK;
	rc = seal_wait(r->srv->st, r->srv->log, r->seals, r->nseals, e);
	if (rc)
		return rc;
	rc = store_begin(r->srv->st, e);
	if (rc)
		return rc;
	rc = annotate_reply(r, e);
	if (store_end(r->srv->st, 0, NULL)) {
		/* a read: nothing to lose */
	}
	return rc;
}

/*
 * A money operation refused for want of funds is the key's answer, kept as
 * a success would be: a retry of the same request, even one that reaches
 * the server before or after the first, gets the same 409 and never moves
 * the money the client was told did not move. Call inside the transaction,
 * once the handler's writes are rolled back: the reply is set to the
 * refusal `e`; RC_OK when it is kept (r->refused), else the refusal.
 */
static int keep_refusal(struct http_req *r, const struct err *e)
{
	struct err e2;

	r->nseals = 0;
	http_reply_error(r, e);
	err_clear(&e2);
	if (store_idem_put(r->srv->st, r->who.id, r->idem_key, r->idem_hash, r->status,
			   r->resp_body, r->now, &e2))
		return e->rc; /* not kept: a retry runs the request again */
	r->refused = 1;
	return RC_OK;
}

/*
 * Slow work a write needs from outside the store (a name lookup): done on
 * the request's thread before its transaction, so that the store's lock
 * never waits for it. The handler, in one transaction as every other
 * runs, takes its result (r->outside_err) after its own checks.
 */
static const struct {
	http_handler handler, outside;
} outside_steps[] = {
	{res_webhook_endpoint_create, res_webhook_endpoint_resolve},
};

static void run_outside_step(struct http_req *r)
{
	size_t i;

	for (i = 0; i < sizeof(outside_steps) / sizeof(outside_steps[0]); i++) {
		if (r->route->handler != outside_steps[i].handler)
			continue;
		err_clear(&r->outside_err);
		if (outside_steps[i].outside(r, &r->outside_err)) {
			/* the handler meets the error after its checks of the body */
		}
		r->outside_done = 1;
	}
}

/*
 * The request's work inside an open transaction: its own, or its savepoint
 * of a pipeline batch. With an Idempotency-Key, a stored reply to the same
 * request is replayed, and a new successful reply is stored with what the
 * handler wrote. RC_OK keeps what was written (the reply is set); an
 * error rolls it back.
 */
static int handle_in_txn(struct http_req *r, struct err *e)
{
	struct store *st = r->srv->st;
	const char *key = r->has_key ? r->idem_key : NULL;
	char stored_hash[65], *stored = NULL;
	int rc, rc2, status = 0, refusal, sp = 0;

	r->nseals = 0;
	rc = http_rules_refresh(r->srv, r->now, e);
	if (rc)
		return rc;
	if (key) {
		/* keys older than the setting are forgotten (and may be used again) */
		rc = store_idem_purge(st, r->now - r->srv->cfg->idempotency_ttl_s * 1000, e);
		if (rc)
			return rc;
		rc = store_idem_get(st, r->who.id, key, stored_hash, &status, &stored, e);
		if (rc == RC_OK) {
			if (strcmp(stored_hash, r->idem_hash) != 0)
				rc = err_set(e, RC_CONFLICT, "idempotency_key_reused",
					     "Idempotency-Key",
					     "this Idempotency-Key was used with a different request");
			else if (http_reply_bytes(r, status, "application/json", stored,
						  strlen(stored)))
				rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			else
				r->replayed = 1;
			free(stored);
			if (!rc)
				rc = annotate_reply(r, e);
			return rc; /* a replay writes nothing */
		}
		if (rc != RC_NOTFOUND)
			return rc;
		err_clear(e);
		/* a refusal rolls back to here and keeps only itself (keep_refusal) */
		rc = store_savepoint(st, e);
		if (rc)
			return rc;
		sp = 1;
	}
	rc = r->route->handler(r, e);
	if (!rc && r->nseals == 0)
		rc = annotate_reply(r, e);
	if (sp) {
		refusal = rc == RC_CONFLICT && strcmp(e->code, "insufficient_funds") == 0;
		rc2 = store_savepoint_end(st, rc == RC_OK, rc ? NULL : e);
		if (!rc)
			rc = rc2;
		if (refusal)
			return keep_refusal(r, e);
	}
	if (rc)
		return rc;
	if (key && r->status >= 200 && r->status < 300 &&
	    strcmp(r->resp_type, "application/json") == 0)
		rc = r->secret_of[0] ? idem_put_secret(r, key, r->idem_hash, e)
				     : store_idem_put(st, r->who.id, key, r->idem_hash, r->status,
						      r->resp_body, r->now, e);
	return rc;
}

/* The pipeline's part of a request: on the writer thread, in the request's savepoint. */
static int job_apply(struct pipeline_job *j, struct store *st, struct err *e)
{
	struct http_req *r = j->ctx;
	int rc = handle_in_txn(r, e);

	(void)st;
	if (rc) {
		r->nseals = 0;
		return rc;
	}
	j->seals = r->seals;
	j->nseals = r->nseals;
	return RC_OK;
}

/* The pipeline is done with the request: its connection resumes (on_request replies). */
static void job_done(struct pipeline_job *j)
{
	struct http_req *r = j->ctx;

	atomic_store(&r->job_done, 1);
	MHD_resume_connection(r->conn);
}

/* Whether a request goes through the write pipeline: every write. */
static int pipelined(const struct http_req *r)
{
	return r->srv->pipe && strcmp(r->method, "GET") != 0;
}

/*
 * The leaves a queued write will seal, prepared on this thread (seal.h,
 * seal_prep) so that the writer only checks and reuses their commitments.
 * Best effort: the writer makes whatever is not prepared.
 */
static void prepare_leaves(struct http_req *r)
{
	const char *type = NULL;

	if (!r->body_json)
		return;
	if (r->route->handler == res_order_create)
		type = "order";
	else if (r->route->handler == res_logistics_create)
		type = "logistics";
	else if (r->route->handler == res_message_create)
		type = "message";
	if (type)
		ingest_prepare(type, r->body_json, r->params[0][0] ? r->params[0] : NULL, &r->prep);
}

/*
 * Run the handler. A write goes to the pipeline: what needs no store (the
 * key's check, the request's hash, parsing the body) is done here, then the
 * connection is suspended until the pipeline is done with it (r->queued);
 * the reply is made when it resumes (finish_queued). Anything else runs
 * here inside one transaction, which commits only if it succeeds.
 */
static int run_handler(struct http_req *r, struct err *e)
{
	struct store *st = r->srv->st;
	const char *key = NULL;
	size_t key_len = 0;
	int rc;

	/* the log's read API and the pages touch no table: no transaction, no wait for writers */
	if (res_log_storeless(r->route->handler) || r->route->handler == res_app)
		return r->route->handler(r, e);
	if (strcmp(r->method, "POST") == 0 &&
	    MHD_lookup_connection_value_n(r->conn, MHD_HEADER_KIND, "Idempotency-Key",
					  strlen("Idempotency-Key"), &key, &key_len) != MHD_YES)
		key = NULL;
	if (key) {
		rc = check_idem_key(key, key_len, e);
		if (rc)
			return rc;
		memcpy(r->idem_key, key, key_len);
		r->idem_key[key_len] = '\0';
		r->has_key = 1;
		request_hash(r, r->idem_hash);
	}
	run_outside_step(r);
	if (pipelined(r)) {
		if (!r->route->raw_body && r->body.len) {
			err_clear(&r->body_err);
			if (http_body_json(r, &r->body_json, &r->body_err)) {
				/* the handler meets the error where it reads the body */
			}
			r->body_parsed = 1;
		}
		prepare_leaves(r);
		memset(&r->job, 0, sizeof(r->job));
		r->job.apply = job_apply;
		r->job.done = job_done;
		r->job.ctx = r;
		r->job.prep = &r->prep;
		r->queued = 1;
		/* suspended first: the pipeline may be done before this returns */
		MHD_suspend_connection(r->conn);
		pipeline_submit(r->srv->pipe, &r->job);
		return RC_OK;
	}
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = handle_in_txn(r, e);
	if (rc) {
		if (store_end(st, 0, NULL)) {
			/* a rollback adds nothing to the result at hand */
		}
		return rc;
	}
	rc = store_end(st, 1, e);
	if (rc || r->refused || r->nseals == 0)
		return rc;
	return seal_reply(r, e);
}

/* Log a failed request's 5xx, and reply with its error. */
static void reply_failure(struct http_req *r, int rc, const struct err *e)
{
	if (rc_http_status(rc) >= 500) {
		json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "request_id", r->request_id, "code",
				      rc_strerror(rc), "detail", e->message, "path", r->path);

		log_event(LOG_ERROR, "request failed", f);
	}
	http_reply_error(r, e);
}

/*
 * A queued request the pipeline is done with: its records durable and
 * sealed (or its error). The reply shows the seals, read from the store.
 */
static void finish_queued(struct http_req *r)
{
	struct store *rd;
	struct err e;
	int rc = r->job.rc;

	err_clear(&e);
	if (rc) {
		reply_failure(r, rc, &r->job.err);
		return;
	}
	if (r->refused || r->nseals == 0)
		return;
	/* the records the request sealed, as its sealer saw them go into the log */
	if (r->prep.nmade && reply_records(r, from_made, &r->prep, &e) == RC_OK)
		return;
	err_clear(&e);
	/* the sealer has recorded the indexes: any reader sees them */
	rd = r->srv->rd ? r->srv->rd : r->srv->st;
	rc = r->srv->rd ? store_begin_read(rd, &e) : store_begin(rd, &e);
	if (!rc) {
		rc = annotate_reply_from(r, rd, &e);
		if (store_end(rd, 0, NULL)) {
			/* a read: nothing to lose */
		}
	}
	if (rc)
		reply_failure(r, rc, &e);
}

/* Decide the reply to a complete request, in the documented order of checks. */
static void dispatch(struct http_req *r)
{
	struct err e;
	int rc = RC_OK;

	err_clear(&e);
	if (!http_method_known(r->method)) {
		/* any path: a method no route uses is refused before the path is looked at */
		err_set(&e, RC_INVAL, "method_not_allowed", "method",
			"%.40s is not a method this server serves",
			r->method);
		reply_error_status(r, &e, 405);
		return;
	}
	if (!r->route) {
		if (r->path_matched) {
			err_set(&e, RC_INVAL, "method_not_allowed", "method",
				"%s is not allowed on %s", r->method, r->path);
			reply_error_status(r, &e, 405);
		} else {
			err_set(&e, RC_NOTFOUND, "not_found", NULL, "no such route %s", r->path);
			http_reply_error(r, &e);
		}
		return;
	}
	if (!(r->route->roles & ROLE_PUBLIC)) {
		rc = authenticate(r, &e);
		if (!rc && !(http_role_bit(r->who.role) & r->route->roles))
			rc = err_set(&e, RC_FORBIDDEN, "forbidden", NULL,
				     "the %s role may not use %s %s", r->who.role,
				     r->route->method, r->route->pattern);
	}
	if (!rc && r->too_big)
		rc = err_set(&e, RC_TOOBIG, "body_too_large", "body",
			     "the request body is larger than %zu bytes", r->body.cap);
	if (!rc)
		rc = run_handler(r, &e);
	if (rc)
		reply_failure(r, rc, &e);
}

static void log_request(struct http_req *r, double secs)
{
	json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f}", "request_id", r->request_id,
			      "method", r->method, "path", r->path, "route",
			      r->route ? r->route->pattern : "", "status", r->status, "ms",
			      secs * 1000.0);

	if (f && r->authed)
		json_object_set_new(f, "principal", json_string(r->who.id));
	log_event(LOG_INFO, "request", f);
}

/*
 * On a test clock, the Date header says the server's time, which is the
 * test clock's: the pages count deadlines down from it (api.js learns the
 * offset from Date), so they must see the time the deadlines were set by.
 * On the real clock libmicrohttpd adds its own Date to every reply.
 */
static void add_test_clock_date(struct MHD_Response *resp)
{
	char date[40];
	time_t secs;
	struct tm tm;

	if (!clock_is_test())
		return;
	secs = (time_t)(clock_now_ms() / 1000);
	if (!gmtime_r(&secs, &tm))
		return;
	if (strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		return;
	MHD_add_response_header(resp, "Date", date);
}

static enum MHD_Result send_reply(struct http_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	double secs;

	secs = (double)(clock_mono_ns() - r->start_ns) / 1e9;
	metrics_observe(r->route ? r->route->pattern : "unmatched", r->method, r->status, secs);
	log_request(r, secs);
	if (r->have_fd) {
		/* the response owns the file from here, and closes it when done */
		resp = MHD_create_response_from_fd64(r->stream_size, r->resp_fd);
		if (!resp)
			return MHD_NO;
		r->have_fd = 0;
	} else if (r->stream_read) {
		/* the response owns the source from here, and frees it when done */
		resp = MHD_create_response_from_callback(r->stream_size, 64 * 1024, r->stream_read,
							 r->stream_cls, r->stream_free);
		if (!resp)
			return MHD_NO;
		r->stream_read = NULL;
		r->stream_free = NULL;
		r->stream_cls = NULL;
	} else {
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp_body,
						       MHD_RESPMEM_MUST_FREE);
		if (!resp)
			return MHD_NO;
		r->resp_body = NULL;
	}
	MHD_add_response_header(resp, "Content-Type", r->resp_type);
	MHD_add_response_header(resp, "Request-Id", r->request_id);
	MHD_add_response_header(resp, "Cache-Control",
				r->cache_control ? r->cache_control : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	add_test_clock_date(resp);
	if (r->page_headers) {
		MHD_add_response_header(resp, "Content-Security-Policy", HTTP_PAGES_CSP);
		MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	}
	if (r->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	if (r->status == 405 && r->allow[0])
		MHD_add_response_header(resp, "Allow", r->allow);
	if (r->disposition[0] && r->status == 200)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * Sizes of a request's head that the server answers itself, with a JSON
 * error, instead of leaving them to libmicrohttpd, whose own replies are
 * HTML. Its per-connection memory (HTTP_CONN_MEMORY) holds the request
 * line and headers while they are parsed; it is set well above these caps
 * so that heads between them and it reach on_request and get 414 or 431
 * from here. Only a head near HTTP_CONN_MEMORY (over about 120 KiB) still
 * gets the library's reply. No larger: libmicrohttpd zeroes the whole of
 * it before each request of a connection, which at 256 KiB was a fifth of
 * the request threads' time under load.
 */
#define HTTP_MAX_TARGET (8 * 1024)         /* path and query string */
#define HTTP_MAX_HEADER_BYTES (32 * 1024)  /* all header fields, names and values */
#define HTTP_CONN_MEMORY ((size_t)128 * 1024)

struct head_size {
	size_t total;           /* bytes of all fields seen */
	size_t largest;         /* bytes of the largest one */
	const char *largest_name; /* its name */
};

static enum MHD_Result head_size_add(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct head_size *h = cls;
	size_t n = strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF, or "=" and "&" */

	(void)kind;
	h->total += n;
	if (n > h->largest) {
		h->largest = n;
		h->largest_name = key;
	}
	return MHD_YES;
}

/*
 * Check the request line and headers before any body is read: sizes,
 * Host, and the transfer coding. On failure the reply is set in `r` and
 * the error returned; libmicrohttpd then skips the body and closes.
 */
static int check_head(struct http_req *r, const char *url, const char *version,
		      struct err *e)
{
	struct head_size q = {0, 0, NULL}, h = {0, 0, NULL};
	int status = 0;

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, head_size_add, &q);
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, head_size_add, &h);
	if (strlen(url) >= sizeof(r->path) || strlen(url) + q.total > HTTP_MAX_TARGET) {
		status = 414;
		err_set(e, RC_TOOBIG, "uri_too_long", "path",
			"the request target is longer than %zu bytes (the path %zu)",
			(size_t)HTTP_MAX_TARGET, sizeof(r->path) - 1);
	} else if (h.total > HTTP_MAX_HEADER_BYTES) {
		status = 431;
		err_set(e, RC_TOOBIG, "header_too_large", h.largest_name,
			"the header fields are larger than %d bytes in all", HTTP_MAX_HEADER_BYTES);
	} else if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
		   !MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host")) {
		status = 400;
		err_set(e, RC_INVAL, "missing_header", "Host",
			"an HTTP/1.1 request must have a Host header");
	} else if (MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Transfer-Encoding")) {
		/* bodies are capped and sent whole: a Content-Length says how big */
		status = 411;
		err_set(e, RC_INVAL, "length_required", "Transfer-Encoding",
			"send the request body with a Content-Length, not a Transfer-Encoding");
	}
	if (!status)
		return RC_OK;
	r->route = NULL;
	reply_error_status(r, e, status);
	return e->rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;

	if (!r) {
		static _Thread_local int named;
		const char *cl;
		size_t cap;
		struct err e;

		if (!named) {
			/* for the benchmarks' per-thread CPU (/proc/PID/task/TID/comm) */
			pthread_setname_np(pthread_self(), "dsp-http");
			named = 1;
		}
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->srv = srv;
		r->conn = conn;
		r->method = method;
		r->start_ns = clock_mono_ns();
		r->now = clock_now_ms();
		r->status = 500;
		r->resp_type = "application/json";
		id_new(r->request_id, "req");
		atomic_fetch_add(&srv->in_flight, 1);
		snprintf(r->path, sizeof(r->path), "%s", url);
		route_find(r);
		cap = r->route && r->route->raw_body ? (size_t)srv->cfg->max_blob_bytes
						     : (size_t)srv->cfg->max_body_bytes;
		buf_init(&r->body, cap);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl) {
			int64_t n;

			if (num_parse_i64(cl, 0, INT64_MAX, &n) == RC_OK && (uint64_t)n > cap)
				r->too_big = 1;
		}
		*con_cls = r;
		err_clear(&e);
		if (check_head(r, url, version, &e))
			return send_reply(r);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (buf_feed(&r->body, upload_data, *upload_data_size, &r->too_big))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->queued) {
		/* resumed: the pipeline is done with the request */
		if (!atomic_load(&r->job_done))
			return MHD_YES;
		finish_queued(r);
		return send_reply(r);
	}
	dispatch(r);
	if (r->queued)
		return MHD_YES; /* suspended until the pipeline is done */
	return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;

	(void)conn;
	(void)toe;
	if (!r)
		return;
	buf_release(&r->body);
	drop_stream(r);
	free(r->resp_body);
	json_decref(r->error_extra);
	json_decref(r->body_json);
	seal_prep_release(&r->prep);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	(void)cls;
	log_event(LOG_ERROR, "libmicrohttpd panic",
		  json_pack("{s:s, s:i, s:s}", "file", file, "line", (int)line, "reason",
			    reason ? reason : ""));
	abort();
}

int http_rules_refresh(struct http_server *srv, int64_t now, struct err *e)
{
	int rc = rules_set_sync(srv->rules_set, srv->st, e);

	if (!rc)
		srv->rules = rules_set_at(srv->rules_set, now);
	return rc;
}

/*
 * The published rules versions of the store, the configured file the first
 * of them when there is none yet (rules_set_open); a file that differs from
 * what is published is logged.
 */
static int server_rules_open(struct http_server *srv, const char *path, struct err *e)
{
	char note[RULES_NOTE_MAX];
	int64_t now = clock_now_ms();
	int rc = store_begin(srv->st, e);

	if (rc)
		return rc;
	rc = rules_set_open(srv->st, path, now, &srv->rules_set, note, e);
	if (store_end(srv->st, rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	if (rc)
		return rc;
	srv->rules = rules_set_at(srv->rules_set, now);
	if (note[0])
		log_event(LOG_WARN, "rules file not published", json_pack("{s:s}", "detail", note));
	return RC_OK;
}

/* Free what a server holds besides its daemon and worker, and the server. */
static void server_discard(struct http_server *srv)
{
	store_close(srv->rd);
	rules_set_free(srv->rules_set);
	calendar_free(srv->cal);
	focus_free(srv->focus);
	free(srv);
}

int http_server_start(const struct config *cfg, struct store *st, struct tlog_log *log,
		      const char *data_dir, struct http_server **out, struct err *e)
{
	size_t i;
	struct http_server *srv;
	struct sockaddr_storage ss;
	struct sockaddr *sa;
	int port, v6;
	/*
	 * poll(), not epoll: in libmicrohttpd 0.9.75 MHD_quiesce_daemon removes
	 * the listen socket from each worker's epoll set from the calling
	 * thread, racing the worker that removes it too, and panics (abort)
	 * when it loses (daemon.c, MHD_quiesce_daemon). With poll() it signals
	 * the workers instead. The connection limits keep the sets small.
	 */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;

	*out = NULL;
	if (netaddr_listen(cfg->listen, &ss, &v6, e))
		return e->rc;
	if (v6)
		flags |= MHD_USE_IPv6;
	port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			: ((struct sockaddr_in *)&ss)->sin_port);
	sa = (struct sockaddr *)&ss;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	atomic_init(&srv->in_flight, 0);
	srv->st = st;
	srv->log = log;
	srv->data_dir = data_dir;
	for (i = 0; i < (size_t)cfg->nwitness_vkey && i < CONFIG_MAX_WITNESSES; i++)
		srv->witness_vkeys[srv->nwitness_vkeys++] = cfg->witness_vkey[i];
	llm_config_from(&srv->llm, cfg);
	if (calendar_load_dir(cfg->calendar_dir, &srv->cal, e) ||
	    server_rules_open(srv, cfg->rules_path, e) ||
	    focus_load(cfg->focus_model, &srv->focus, e)) {
		char msg[sizeof(e->message)];

		snprintf(msg, sizeof(msg), "%s", e->message);
		err_set(e, e->rc ? e->rc : RC_INVAL, e->code, e->param,
			"%s (the rules, calendar and focus model are set by [cases] rules, "
			"calendar and focus_model, or DISPUTED_RULES, DISPUTED_CALENDAR and "
			"DISPUTED_FOCUS_MODEL)", msg);
		server_discard(srv);
		return e->rc;
	}
	{
		char keys[4200];
		struct buf vk;

		snprintf(keys, sizeof(keys), "%s/keys", data_dir);
		buf_init(&vk, sizeof(srv->log_vkey) - 1);
		if (log && tlog_keyfile_vkey(keys, "log", &vk, e)) {
			buf_release(&vk);
			server_discard(srv);
			return e->rc;
		}
		snprintf(srv->log_vkey, sizeof(srv->log_vkey), "%s", vk.data);
		buf_release(&vk);
	}
	if (cfg->max_connections < cfg->threads) {
		/* libmicrohttpd splits the limit among its threads: each needs one */
		server_discard(srv);
		return err_set(e, RC_INVAL, "invalid_setting", "server.max_connections",
			       "max_connections (%d) must be at least threads (%d)",
			       cfg->max_connections, cfg->threads);
	}
	srv->cfg = cfg;
	/* writes wait in the pipeline with their connections suspended (run_handler) */
	if (store_open_reader(st, &srv->rd, e) || pipeline_start(st, log, &srv->pipe, e)) {
		server_discard(srv);
		return e->rc;
	}
	http_app_init(srv, cfg->web_dir);
	MHD_set_panic_func(on_panic, NULL);
	srv->daemon = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		/*
		 * Limits (libmicrohttpd 0.9.75): past the total or the per-address
		 * limit a new connection is accepted and closed at once, without a
		 * reply. The total is split evenly among the worker threads, each
		 * of which stops accepting when its share is full; the per-address
		 * count is shared by all of them. The timeout closes a connection
		 * that has been silent that long, whatever its state: idle
		 * keep-alive, a request line or headers begun and not finished, a
		 * body that stopped coming.
		 */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout_seconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONN_MEMORY,
		MHD_OPTION_END);
	if (!srv->daemon) {
		pipeline_free(srv->pipe);
		server_discard(srv);
		return err_set(e, RC_IO, "listen_failed", "listen", "cannot listen on %s",
			       cfg->listen);
	}
	if (http_worker_start(srv, e)) {
		MHD_stop_daemon(srv->daemon);
		pipeline_free(srv->pipe);
		server_discard(srv);
		return e->rc;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : port;
	*out = srv;
	return RC_OK;
}

int http_server_port(const struct http_server *srv)
{
	return srv->port;
}

/* How long a stop waits for requests in flight before closing their connections. */
#define HTTP_DRAIN_MS 5000

void http_server_stop(struct http_server *srv)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	int64_t deadline;

	if (!srv)
		return;
	/* stop accepting, then let requests already begun finish (idle keep-alive
	 * connections hold no request and do not count) */
	MHD_quiesce_daemon(srv->daemon);
	deadline = clock_mono_ns() + (int64_t)HTTP_DRAIN_MS * 1000000;
	while (atomic_load(&srv->in_flight) > 0 && clock_mono_ns() < deadline)
		nanosleep(&tick, NULL);
	/*
	 * The worker (whose timers use the pipeline), then the pipeline, which
	 * finishes what is queued and resumes those connections, while the
	 * daemon still holds them; a request that comes later fails at once.
	 */
	http_worker_stop(srv);
	pipeline_stop(srv->pipe);
	MHD_stop_daemon(srv->daemon);
	pipeline_free(srv->pipe);
	server_discard(srv);
}
