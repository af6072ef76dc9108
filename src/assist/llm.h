/* llm.h - the optional language model: an OpenAI-compatible chat-completions client, a neutral case summary and a second opinion on the focus. */
#ifndef DISPUTED_LLM_H
#define DISPUTED_LLM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"

/*
 * The model is any server that speaks the chat-completions API (DeepSeek's,
 * a local llama.cpp or vLLM server). It is off unless a URL is configured,
 * and what it says is only ever a suggestion for a person to confirm: the
 * caller falls back on the local models whenever a call fails, and seals
 * every exchange (the request body sent and the raw answer, both kept in
 * struct llm_reply) in the dispute's timeline.
 *
 * A call blocks for at most the configured timeout (name resolution
 * included: libcurl resolves in a thread of its own); do not hold a store
 * transaction across it. Any
 * number of threads may call at once: each call uses its own connection.
 *
 * How calls fail (err.code, err.rc), with a message that says why:
 *
 *   llm_off           RC_INVAL     no URL is configured
 *   llm_no_key        RC_INVAL     api_key_env names a variable that is unset,
 *                                  empty or not a usable key
 *   invalid_text      RC_INVAL     the text is empty or not UTF-8
 *   too_big           RC_TOOBIG    the text is over LLM_MAX_TEXT bytes
 *   llm_unreachable   RC_UPSTREAM  the host cannot be resolved, connected to,
 *                                  or spoken to over TLS (the certificate is
 *                                  always verified)
 *   llm_timeout       RC_UPSTREAM  no whole answer within timeout_ms
 *   llm_failed        RC_UPSTREAM  the exchange broke off another way
 *   llm_http_error    RC_UPSTREAM  a status other than 2xx (redirects are not
 *                                  followed); the message quotes the server's
 *                                  own error message
 *   llm_too_big       RC_UPSTREAM  the answer's body passed LLM_MAX_RESPONSE
 *   llm_bad_response  RC_UPSTREAM  the body is not chat-completions JSON, or
 *                                  has no choices[0].message.content
 *   llm_bad_answer    RC_UPSTREAM  the content is not what the task asked for
 *                                  (an unknown focus code, missing fields, an
 *                                  empty or cut-off summary)
 *   nomem             RC_NOMEM
 */

/* Most bytes of an answer's body read; the transfer stops past it. */
#define LLM_MAX_RESPONSE ((size_t)1 << 20)
/* Most bytes of a text (case or complaint) sent to the model. */
#define LLM_MAX_TEXT ((size_t)64 << 10)
/* Most bytes of a summary or a reason taken from an answer. */
#define LLM_MAX_ANSWER ((size_t)4096)
/* Bytes of a focus code with its terminator ("false_advertising" is the longest). */
#define LLM_FOCUS_CODE_MAX 24

/*
 * Where and how to ask. The request goes to:
 *   URL                      when URL ends in /chat/completions
 *   URL/chat/completions     when URL ends in /v1
 *   URL/v1/chat/completions  otherwise (https://api.deepseek.com,
 *                            http://127.0.0.1:8080)
 * with trailing slashes of URL ignored.
 */
struct llm_config {
	char url[1024];       /* base URL, http:// or https://; empty when off */
	char model[128];      /* "model" of the request; empty: none sent (the server's default) */
	char api_key_env[128]; /* NAME of the environment variable holding the API key, never the
				  key; empty: no Authorization header */
	int timeout_ms;       /* the whole request, connecting included */
	int max_tokens;       /* "max_tokens" of the request */
	double temperature;   /* "temperature" of the request, 0 to 2 */
	int enabled;          /* url is set: the model may be asked */
};

/* What a chat call sent and got back. Initialised and owned as llm_chat says. */
struct llm_reply {
	char *content;            /* choices[0].message.content; NULL unless the call succeeded */
	char model[128];          /* the model the server said answered; "" if it did not say */
	char finish_reason[32];   /* choices[0].finish_reason ("stop", "length"…); "" if none */
	int64_t prompt_tokens;    /* usage.prompt_tokens; -1 if not given */
	int64_t completion_tokens; /* usage.completion_tokens; -1 if not given */
	int64_t total_tokens;     /* usage.total_tokens; -1 if not given */
	char endpoint[1100];      /* the URL the request went to; "" if none was made */
	char *request;            /* the exact request body sent (JSON); NULL if none was built */
	char *response;           /* the raw answer body, NUL-terminated; NULL if none came or
				     it passed LLM_MAX_RESPONSE */
	size_t response_len;      /* bytes of `response` */
	int status;               /* the answer's HTTP status; 0 if none came */
	int64_t elapsed_ms;       /* how long the exchange took */
};

/* A neutral summary of a case, for the agent. */
struct llm_summary {
	char *text;               /* the summary, trimmed, at most LLM_MAX_ANSWER bytes; or NULL */
	struct llm_reply reply;   /* the exchange, to seal */
};

/* The model's opinion on a complaint's dispute focus. */
struct llm_focus {
	char primary[LLM_FOCUS_CODE_MAX]; /* one of the nine focus codes; "" on failure */
	char *reason;             /* why, in the model's words, at most LLM_MAX_ANSWER bytes; or NULL */
	struct llm_reply reply;   /* the exchange, to seal */
};

/* The [llm] settings of `c` as a client configuration; enabled when the URL is set. */
void llm_config_from(struct llm_config *lc, const struct config *c);

/*
 * Write the chat-completions URL for the base `url` into `out` (`size`
 * bytes) by the rule of struct llm_config. RC_INVAL if `url` is not
 * http(s)://HOST… or the result does not fit.
 */
int llm_endpoint(const char *url, char *out, size_t size) WARN_UNUSED;

/*
 * Ask the model: one system message, one user message (both UTF-8). `out`
 * is initialised by the call and must be released with llm_reply_release
 * whether it succeeded or not: on failure it still holds what was sent and
 * whatever came back, for the record. On success out->content is the
 * answer. Fails as the table above says; never with the API key in a
 * message, the request body or the log.
 */
int llm_chat(const struct llm_config *c, const char *system, const char *user,
	     struct llm_reply *out, struct err *e) WARN_UNUSED;

/* Make `r` empty (no allocations). */
void llm_reply_init(struct llm_reply *r);
/* Free what `r` holds and leave it empty. */
void llm_reply_release(struct llm_reply *r);

/*
 * The exchange in `r` as a JSON object, for sealing: {"endpoint", "request"
 * (the body sent, as a string, byte for byte), "status", "response" (the
 * raw body as a string; "response_base64" instead when it is not UTF-8;
 * null when none came), "model" and "finish_reason" (null when the server
 * did not say), "usage" ({prompt_tokens,
 * completion_tokens, total_tokens}, each only when given; null when none
 * was), "elapsed_ms"}. Returns a new reference, or NULL on allocation
 * failure.
 */
json_t *llm_reply_json(const struct llm_reply *r);

/*
 * The wire format, apart from the transport so it can be tested alone.
 *
 * llm_request_body: the request body for `c` with a system and a user
 * message, as compact JSON, into *out (the caller frees it). RC_INVAL
 * (invalid_text) if a message is not UTF-8.
 *
 * llm_response_parse: read a 2xx body (`len` bytes) into r->content (owned
 * by `r`), r->model, r->finish_reason and the token counts. Fails with
 * llm_bad_response.
 *
 * llm_error_message: the server's own message in an error body (OpenAI's
 * {"error":{"message"}}, {"error":"…"}, {"message"} or {"detail"}; else
 * the start of the body), made printable and cut to fit `size` bytes.
 */
int llm_request_body(const struct llm_config *c, const char *system, const char *user,
		     char **out, struct err *e) WARN_UNUSED;
int llm_response_parse(const char *body, size_t len, struct llm_reply *r,
		       struct err *e) WARN_UNUSED;
void llm_error_message(const char *body, size_t len, char *out, size_t size);

/*
 * Ask for a neutral summary of `case_text` (UTF-8, at most LLM_MAX_TEXT
 * bytes) for the agent: in the case's language, at most 200 characters
 * (Chinese) or words, taking no side and deciding nothing. `out` is
 * initialised by the call; release it with llm_summary_release either way.
 */
int llm_summarise_case(const struct llm_config *c, const char *case_text,
		       struct llm_summary *out, struct err *e) WARN_UNUSED;

/*
 * Ask for the dispute focus of `complaint` (UTF-8, at most LLM_MAX_TEXT
 * bytes) as strict JSON {"primary": one of the nine focus codes, "reason":
 * "…"}. `out` is initialised by the call; release it with
 * llm_focus_release either way.
 */
int llm_focus_opinion(const struct llm_config *c, const char *complaint,
		      struct llm_focus *out, struct err *e) WARN_UNUSED;

/*
 * The task answers' parsers, apart from the transport so they can be
 * tested alone. Both fail with llm_bad_answer, leaving `out` as it was.
 *
 * llm_summary_parse: `answer` trimmed of white space into out->text;
 * refuses an empty one or one over LLM_MAX_ANSWER bytes.
 *
 * llm_focus_parse: `answer` must be one JSON object, bare or inside one
 * ``` (or ```json) fence, with "primary" one of the nine focus codes and
 * "reason" a non-empty string of at most LLM_MAX_ANSWER bytes (other
 * members are ignored); fills out->primary and out->reason.
 */
int llm_summary_parse(const char *answer, struct llm_summary *out, struct err *e) WARN_UNUSED;
int llm_focus_parse(const char *answer, struct llm_focus *out, struct err *e) WARN_UNUSED;

void llm_summary_init(struct llm_summary *s);
void llm_summary_release(struct llm_summary *s);
void llm_focus_init(struct llm_focus *f);
void llm_focus_release(struct llm_focus *f);

#endif
