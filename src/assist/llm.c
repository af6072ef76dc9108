/* llm.c - the language model's transport: one chat-completions POST with libcurl, bounded in time and size. */
#include "assist/llm.h"

#include <curl/curl.h>
#include <glib.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"

/* Longest wait for the connection (TLS included), when timeout_ms is longer. */
#define LLM_CONNECT_MS 5000
/* The chat-completions path, and the version prefix a base URL may end in. */
#define LLM_PATH "/chat/completions"
#define LLM_V1 "/v1"

static pthread_once_t llm_curl_once = PTHREAD_ONCE_INIT;
static CURLcode llm_curl_rc;

static void llm_curl_init(void)
{
	llm_curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void llm_config_from(struct llm_config *lc, const struct config *c)
{
	memset(lc, 0, sizeof(*lc));
	snprintf(lc->url, sizeof(lc->url), "%s", c->llm_url);
	snprintf(lc->model, sizeof(lc->model), "%s", c->llm_model);
	snprintf(lc->api_key_env, sizeof(lc->api_key_env), "%s", c->llm_api_key_env);
	lc->timeout_ms = c->llm_timeout_ms;
	lc->max_tokens = c->llm_max_tokens;
	lc->temperature = c->llm_temperature;
	lc->enabled = c->llm_url[0] != '\0';
}

/* True if the `n` bytes at `s` end with the text `tail`. */
static int llm_ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n >= t && memcmp(s + n - t, tail, t) == 0;
}

int llm_endpoint(const char *url, char *out, size_t size)
{
	size_t scheme, n = strlen(url);
	const char *add, *p;
	int len;

	scheme = g_ascii_strncasecmp(url, "https://", 8) == 0  ? 8
		 : g_ascii_strncasecmp(url, "http://", 7) == 0 ? 7
							       : 0;
	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return RC_INVAL;
	while (n > scheme && url[n - 1] == '/')
		n--;
	if (!scheme || n == scheme || url[scheme] == '/' || n > (size_t)INT32_MAX)
		return RC_INVAL;
	if (llm_ends_with(url, n, LLM_PATH))
		add = "";
	else if (llm_ends_with(url, n, LLM_V1))
		add = LLM_PATH;
	else
		add = LLM_V1 LLM_PATH;
	len = snprintf(out, size, "%.*s%s", (int)n, url, add);
	if (len < 0 || (size_t)len >= size)
		return RC_INVAL;
	return RC_OK;
}

void llm_reply_init(struct llm_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->prompt_tokens = -1;
	r->completion_tokens = -1;
	r->total_tokens = -1;
}

void llm_reply_release(struct llm_reply *r)
{
	free(r->content);
	free(r->request);
	free(r->response);
	llm_reply_init(r);
}

/* The raw answer as JSON: a string, base64 under another key when it is not UTF-8, or null. */
static json_t *llm_response_json(const struct llm_reply *r, const char **key)
{
	json_t *v;
	char *b64;
	size_t n;

	*key = "response";
	if (!r->response)
		return json_null();
	if (g_utf8_validate(r->response, (gssize)r->response_len, NULL))
		return json_stringn(r->response, r->response_len);
	*key = "response_base64";
	n = sodium_base64_encoded_len(r->response_len, sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(n);
	if (!b64)
		return NULL;
	sodium_bin2base64(b64, n, (const unsigned char *)r->response, r->response_len,
			  sodium_base64_VARIANT_ORIGINAL);
	v = json_string(b64);
	free(b64);
	return v;
}

/* The token counts the server gave, or null when it gave none. */
static json_t *llm_usage_json(const struct llm_reply *r)
{
	static const char *const names[] = {"prompt_tokens", "completion_tokens", "total_tokens"};
	const int64_t n[] = {r->prompt_tokens, r->completion_tokens, r->total_tokens};
	json_t *u;
	size_t i;

	if (n[0] < 0 && n[1] < 0 && n[2] < 0)
		return json_null();
	u = json_object();
	for (i = 0; u && i < 3; i++)
		if (n[i] >= 0 && json_object_set_new(u, names[i], json_integer(n[i]))) {
			json_decref(u);
			u = NULL;
		}
	return u;
}

json_t *llm_reply_json(const struct llm_reply *r)
{
	const char *key;
	json_t *o, *resp;

	/* json_object_set_new takes the value even when it fails, and refuses NULL */
	o = json_pack("{s:s, s:s?, s:i}", "endpoint", r->endpoint, "request", r->request,
		      "status", r->status);
	if (!o)
		return NULL;
	resp = llm_response_json(r, &key);
	if (json_object_set_new(o, key, resp) ||
	    json_object_set_new(o, "model", r->model[0] ? json_string(r->model) : json_null()) ||
	    json_object_set_new(o, "finish_reason", r->finish_reason[0]
							    ? json_string(r->finish_reason)
							    : json_null()) ||
	    json_object_set_new(o, "usage", llm_usage_json(r)) ||
	    json_object_set_new(o, "elapsed_ms", json_integer(r->elapsed_ms)))
		goto nomem;
	return o;
nomem:
	json_decref(o);
	return NULL;
}

/* Where the answer's body goes while it arrives. */
struct llm_sink {
	struct buf body; /* capped at LLM_MAX_RESPONSE */
	int too_big;     /* the body passed the cap: the transfer was stopped */
	int nomem;       /* allocation failed: the transfer was stopped */
};

static size_t llm_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct llm_sink *s = ud;
	size_t n = size * nmemb;
	int rc = buf_append(&s->body, ptr, n);

	if (rc == RC_TOOBIG)
		s->too_big = 1;
	else if (rc)
		s->nomem = 1;
	return rc ? 0 : n; /* a short count stops the transfer */
}

/* Append a header line; on failure the whole list is freed and *list is NULL. */
static int llm_header(struct curl_slist **list, const char *h)
{
	struct curl_slist *n = curl_slist_append(*list, h);

	if (!n) {
		curl_slist_free_all(*list);
		*list = NULL;
		return RC_NOMEM;
	}
	*list = n;
	return RC_OK;
}

/* Free a header list after wiping every line of it (one carries the API key). */
static void llm_headers_free(struct curl_slist *list)
{
	struct curl_slist *p;

	for (p = list; p; p = p->next)
		sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(list);
}

/*
 * The Authorization line for the key in the variable `name` into *line
 * (the caller wipes and frees it); *line stays NULL when `name` is empty.
 * Fails with llm_no_key, never quoting the key.
 */
static int llm_auth_line(const char *name, char **line, struct err *e)
{
	static const char prefix[] = "Authorization: Bearer ";
	const char *key, *p;
	size_t n;

	*line = NULL;
	if (!name[0])
		return RC_OK;
	key = getenv(name);
	if (!key || !key[0])
		return err_set(e, RC_INVAL, "llm_no_key", "llm.api_key_env",
			       "llm.api_key_env names %s, but that environment variable is "
			       "not set or empty", name);
	for (p = key; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return err_set(e, RC_INVAL, "llm_no_key", "llm.api_key_env",
				       "the API key in %s holds a space, control or non-ASCII "
				       "character", name);
	n = sizeof(prefix) + strlen(key);
	*line = malloc(n);
	if (!*line)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	snprintf(*line, n, "%s%s", prefix, key);
	return RC_OK;
}

/*
 * Turn a transfer that did not end with CURLE_OK, after `elapsed` ms of
 * which at most `connect_ms` could go to connecting, into an error naming
 * the endpoint.
 */
static int llm_transfer_error(const struct llm_config *c, const char *endpoint, CURLcode cc,
			      const struct llm_sink *s, const char *cerr, int64_t elapsed,
			      long connect_ms, struct err *e)
{
	const char *why = cerr[0] ? cerr : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_WRITE_ERROR:
		if (s->too_big)
			return err_set(e, RC_UPSTREAM, "llm_too_big", NULL,
				       "the language model's answer from %s is over %zu bytes",
				       endpoint, LLM_MAX_RESPONSE);
		if (s->nomem)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (elapsed < c->timeout_ms && connect_ms < c->timeout_ms)
			return err_set(e, RC_UPSTREAM, "llm_timeout", NULL,
				       "the language model at %s did not take the connection "
				       "within %ld ms", endpoint, connect_ms);
		return err_set(e, RC_UPSTREAM, "llm_timeout", NULL,
			       "the language model at %s did not answer within %d ms", endpoint,
			       c->timeout_ms);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return err_set(e, RC_UPSTREAM, "llm_unreachable", NULL,
			       "cannot reach the language model at %s: %s", endpoint, why);
	default:
		break;
	}
	return err_set(e, RC_UPSTREAM, "llm_failed", NULL,
		       "the request to the language model at %s failed: %s", endpoint, why);
}

/* One POST of out->request to out->endpoint; fills out->status and out->response. */
static int llm_post(const struct llm_config *c, const char *auth, struct llm_reply *out,
		    struct err *e)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	struct llm_sink sink = {.too_big = 0, .nomem = 0};
	long status = 0, connect_ms;
	int64_t t0;
	CURLcode cc;
	CURL *h = NULL;
	int rc = RC_OK;

	pthread_once(&llm_curl_once, llm_curl_init);
	if (llm_curl_rc != CURLE_OK)
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot initialise libcurl");
	buf_init(&sink.body, LLM_MAX_RESPONSE);
	/* "Expect:" turns off 100-continue, which would stall bodies over 1 KiB */
	if (llm_header(&hdr, "Content-Type: application/json") ||
	    llm_header(&hdr, "Accept: application/json") || llm_header(&hdr, "Expect:") ||
	    (auth && llm_header(&hdr, auth))) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	h = curl_easy_init();
	if (!h) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	connect_ms = c->timeout_ms < LLM_CONNECT_MS ? c->timeout_ms : LLM_CONNECT_MS;
	curl_easy_setopt(h, CURLOPT_URL, out->endpoint);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, out->request);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(out->request));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, llm_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "disputed-llm/1");
	t0 = clock_mono_ns() / 1000000;
	cc = curl_easy_perform(h);
	out->elapsed_ms = clock_mono_ns() / 1000000 - t0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	out->status = (int)status;
	if (!sink.too_big && !sink.nomem && (sink.body.len || status)) {
		out->response_len = sink.body.len;
		out->response = buf_detach(&sink.body, NULL);
		if (!out->response) {
			out->response_len = 0;
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			goto out;
		}
	}
	if (cc != CURLE_OK)
		rc = llm_transfer_error(c, out->endpoint, cc, &sink, cerr, out->elapsed_ms,
					connect_ms, e);
out:
	curl_easy_cleanup(h);
	llm_headers_free(hdr);
	buf_release(&sink.body);
	return rc;
}

int llm_chat(const struct llm_config *c, const char *system, const char *user,
	     struct llm_reply *out, struct err *e)
{
	char *auth = NULL, msg[200];
	int rc;

	llm_reply_init(out);
	if (!c->enabled || !c->url[0])
		return err_set(e, RC_INVAL, "llm_off", "llm.url",
			       "no language model is configured (llm.url is empty)");
	if (c->timeout_ms <= 0 || c->max_tokens <= 0)
		return err_set(e, RC_INVAL, "invalid_setting", NULL,
			       "llm.timeout_ms and llm.max_tokens must be positive");
	if (llm_endpoint(c->url, out->endpoint, sizeof(out->endpoint))) {
		out->endpoint[0] = '\0';
		return err_set(e, RC_INVAL, "invalid_setting", "llm.url",
			       "llm.url must be an http:// or https:// URL of at most %zu bytes",
			       sizeof(c->url) - 1);
	}
	rc = llm_auth_line(c->api_key_env, &auth, e);
	if (!rc)
		rc = llm_request_body(c, system, user, &out->request, e);
	if (!rc)
		rc = llm_post(c, auth, out, e);
	if (auth) {
		sodium_memzero(auth, strlen(auth));
		free(auth);
	}
	if (rc)
		return rc;
	if (out->status < 200 || out->status > 299) {
		llm_error_message(out->response, out->response_len, msg, sizeof(msg));
		return err_set(e, RC_UPSTREAM, "llm_http_error", NULL,
			       "the language model at %s answered %d: %s", out->endpoint,
			       out->status, msg);
	}
	return llm_response_parse(out->response, out->response_len, out, e);
}
