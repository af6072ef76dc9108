/* llm_wire.c - the chat-completions wire format: the request body built, an answer or an error body read, all with jansson. */
#include "assist/llm.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Copy `src` into `dst` (`size` bytes), cut at a UTF-8 character boundary if it does not fit. */
static void llm_copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int llm_request_body(const struct llm_config *c, const char *system, const char *user,
		     char **out, struct err *e)
{
	json_t *body = NULL, *msgs, *model = NULL;
	int rc = RC_OK;

	*out = NULL;
	if (c->model[0]) {
		model = json_string(c->model);
		if (!model)
			return err_set(e, RC_INVAL, "invalid_setting", "llm.model",
				       "llm.model is not UTF-8");
	}
	msgs = json_pack("[{s:s, s:s}, {s:s, s:s}]", "role", "system", "content", system, "role",
			 "user", "content", user);
	if (!msgs) {
		json_decref(model);
		return err_set(e, RC_INVAL, "invalid_text", NULL,
			       "a message to the language model is not UTF-8");
	}
	/* in OpenAI's order; json_object_set_new takes what it is given even when it fails */
	body = json_object();
	if (!body || (model && json_object_set_new(body, "model", model))) {
		if (!body)
			json_decref(model);
		json_decref(msgs);
		goto nomem;
	}
	if (json_object_set_new(body, "messages", msgs) ||
	    json_object_set_new(body, "max_tokens", json_integer(c->max_tokens)) ||
	    json_object_set_new(body, "temperature", json_real(c->temperature)) ||
	    json_object_set_new(body, "stream", json_false()))
		goto nomem;
	*out = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	if (!*out)
		goto nomem;
	goto out;
nomem:
	rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
out:
	json_decref(body);
	return rc;
}

/* A non-negative integer member of `o`, or -1. */
static int64_t llm_count(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (int64_t)json_integer_value(v)
								 : -1;
}

int llm_response_parse(const char *body, size_t len, struct llm_reply *r, struct err *e)
{
	json_t *root, *choice, *content, *usage, *v;
	json_error_t jerr;
	int rc = RC_OK;

	root = body ? json_loadb(body, len, 0, &jerr) : NULL;
	if (!json_is_object(root)) {
		rc = err_set(e, RC_UPSTREAM, "llm_bad_response", NULL,
			     "the language model's answer is not a JSON object%s%s",
			     root ? "" : ": ", root ? "" : body ? jerr.text : "it is empty");
		goto out;
	}
	choice = json_array_get(json_object_get(root, "choices"), 0);
	content = json_object_get(json_object_get(choice, "message"), "content");
	if (!json_is_string(content)) {
		rc = err_set(e, RC_UPSTREAM, "llm_bad_response", NULL,
			     "the language model's answer has no choices[0].message.content");
		goto out;
	}
	r->content = strdup(json_string_value(content));
	if (!r->content) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	v = json_object_get(root, "model");
	llm_copy_text(r->model, sizeof(r->model), json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(choice, "finish_reason");
	llm_copy_text(r->finish_reason, sizeof(r->finish_reason),
		      json_is_string(v) ? json_string_value(v) : "");
	usage = json_object_get(root, "usage");
	r->prompt_tokens = llm_count(usage, "prompt_tokens");
	r->completion_tokens = llm_count(usage, "completion_tokens");
	r->total_tokens = llm_count(usage, "total_tokens");
out:
	json_decref(root);
	return rc;
}

/*
 * `s` (`n` bytes) into `out` (`size` bytes), made printable: control
 * characters become spaces, and so does all of non-ASCII unless it is
 * UTF-8; cut with "..." at a character boundary when it does not fit.
 */
static void llm_printable(const char *s, size_t n, char *out, size_t size)
{
	size_t i, keep = n;
	int utf8;

	if (size < 4) {
		if (size)
			out[0] = '\0';
		return;
	}
	if (n >= size) {
		keep = size - 4; /* room for "..." and the terminator */
		while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
			keep--;
	}
	utf8 = g_utf8_validate(s, (gssize)keep, NULL);
	for (i = 0; i < keep; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[i] = ch < ' ' || ch == 0x7f || (ch >= 0x80 && !utf8) ? ' ' : (char)ch;
	}
	if (keep < n) {
		memcpy(out + keep, "...", 3);
		keep += 3;
	}
	out[keep] = '\0';
}

void llm_error_message(const char *body, size_t len, char *out, size_t size)
{
	json_t *root, *err, *v = NULL;

	if (size == 0)
		return;
	if (!body || !len) {
		llm_printable("(no body)", 9, out, size);
		return;
	}
	root = json_loadb(body, len, 0, NULL);
	err = json_object_get(root, "error");
	if (json_is_string(err))
		v = err;
	else if (json_is_string(json_object_get(err, "message")))
		v = json_object_get(err, "message");
	else if (json_is_string(json_object_get(root, "message")))
		v = json_object_get(root, "message");
	else if (json_is_string(json_object_get(root, "detail")))
		v = json_object_get(root, "detail");
	if (v)
		llm_printable(json_string_value(v), json_string_length(v), out, size);
	else
		llm_printable(body, len, out, size);
	json_decref(root);
}
