/* test_llm.c - unit tests of the language model's client apart from the network: URLs, request bodies, answers and error bodies read, task answers checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assist/llm.h"
#include "core/config.h"

/* Assert that `e` holds a failure with this rc and code. */
#define assert_fail(e, r, c)                        \
	do {                                        \
		assert_int_equal((e).rc, (r));      \
		assert_string_equal((e).code, (c)); \
	} while (0)

static const char *const nine_codes[] = {
	"not_received", "not_as_described", "quality", "counterfeit", "false_advertising",
	"price", "after_sales", "safety", "no_claim",
};

static void test_config(struct llm_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->url, sizeof(c->url), "http://127.0.0.1:8080");
	c->timeout_ms = 1000;
	c->max_tokens = 400;
	c->enabled = 1;
}

/* ---- configuration and URLs ---- */

static void config_from_copies_settings_and_is_off_without_url(void **state)
{
	struct llm_config lc;
	struct config c;

	(void)state;
	config_defaults(&c);
	llm_config_from(&lc, &c);
	assert_int_equal(lc.enabled, 0);
	assert_int_equal(lc.timeout_ms, 10000);
	assert_int_equal(lc.max_tokens, 400);
	assert_true(lc.temperature == 0);
	snprintf(c.llm_url, sizeof(c.llm_url), "https://api.deepseek.com");
	snprintf(c.llm_model, sizeof(c.llm_model), "deepseek-chat");
	snprintf(c.llm_api_key_env, sizeof(c.llm_api_key_env), "DEEPSEEK_API_KEY");
	c.llm_temperature = 0.5;
	llm_config_from(&lc, &c);
	assert_int_equal(lc.enabled, 1);
	assert_string_equal(lc.url, "https://api.deepseek.com");
	assert_string_equal(lc.model, "deepseek-chat");
	assert_string_equal(lc.api_key_env, "DEEPSEEK_API_KEY");
	assert_true(lc.temperature == 0.5);
}

static void endpoint_follows_the_documented_rule(void **state)
{
	static const char *const cases[][2] = {
		{"https://api.deepseek.com", "https://api.deepseek.com/v1/chat/completions"},
		{"https://api.deepseek.com/", "https://api.deepseek.com/v1/chat/completions"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"},
		{"http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1/chat/completions"},
		{"http://127.0.0.1:8000/v1//", "http://127.0.0.1:8000/v1/chat/completions"},
		{"http://gw.example/llm/v1/chat/completions",
		 "http://gw.example/llm/v1/chat/completions"},
		{"http://gw.example/proxy", "http://gw.example/proxy/v1/chat/completions"},
		{"HTTPS://API.example", "HTTPS://API.example/v1/chat/completions"},
	};
	char out[1100];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(llm_endpoint(cases[i][0], out, sizeof(out)), RC_OK);
		assert_string_equal(out, cases[i][1]);
	}
}

static void endpoint_refuses_what_is_not_an_http_url(void **state)
{
	static const char *const bad[] = {
		"", "api.deepseek.com", "ftp://x", "http://", "https:///v1", "http://a b",
		"http://x\n/v1", "file:///etc/passwd", "http://例子.cn",
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (llm_endpoint(bad[i], out, sizeof(out)) != RC_INVAL)
			fail_msg("accepted '%s'", bad[i]);
	/* does not fit */
	assert_int_equal(llm_endpoint("http://a.example.com", out, 30), RC_INVAL);
}

/* ---- the request ---- */

static void request_body_is_chat_completions_json(void **state)
{
	struct llm_config c;
	json_t *root, *msgs;
	char *body = NULL;
	struct err e;

	(void)state;
	test_config(&c);
	snprintf(c.model, sizeof(c.model), "deepseek-chat");
	c.max_tokens = 123;
	c.temperature = 0.7;
	err_clear(&e);
	assert_int_equal(llm_request_body(&c, "be neutral", "投诉：耳机坏了", &body, &e), RC_OK);
	/* compact, the model first, the temperature as written */
	assert_non_null(strstr(body, "{\"model\":\"deepseek-chat\",\"messages\":["));
	assert_non_null(strstr(body, "\"temperature\":0.7,"));
	root = json_loads(body, 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "model")), "deepseek-chat");
	assert_int_equal(json_integer_value(json_object_get(root, "max_tokens")), 123);
	assert_true(json_is_false(json_object_get(root, "stream")));
	msgs = json_object_get(root, "messages");
	assert_int_equal(json_array_size(msgs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
			    "system");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "content")),
			    "be neutral");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "role")),
			    "user");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
			    "投诉：耳机坏了");
	json_decref(root);
	free(body);
}

static void request_body_leaves_out_an_empty_model_and_refuses_bad_utf8(void **state)
{
	struct llm_config c;
	char *body = NULL;
	struct err e;

	(void)state;
	test_config(&c);
	err_clear(&e);
	assert_int_equal(llm_request_body(&c, "s", "u", &body, &e), RC_OK);
	assert_null(strstr(body, "\"model\""));
	assert_non_null(strstr(body, "\"temperature\":0.0,"));
	free(body);
	body = NULL;
	assert_int_equal(llm_request_body(&c, "s", "bad \xff byte", &body, &e), RC_INVAL);
	assert_fail(e, RC_INVAL, "invalid_text");
	assert_null(body);
	snprintf(c.model, sizeof(c.model), "m\xc3");
	assert_int_equal(llm_request_body(&c, "s", "u", &body, &e), RC_INVAL);
	assert_fail(e, RC_INVAL, "invalid_setting");
	assert_null(body);
}

/* ---- the answer's body ---- */

static void response_parse_reads_content_model_and_usage(void **state)
{
	static const char body[] =
		"{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"deepseek-chat\","
		"\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
		"\"content\":\"答案\"},\"finish_reason\":\"stop\"}],"
		"\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";
	struct llm_reply r;
	struct err e;

	(void)state;
	llm_reply_init(&r);
	err_clear(&e);
	assert_int_equal(llm_response_parse(body, strlen(body), &r, &e), RC_OK);
	assert_string_equal(r.content, "答案");
	assert_string_equal(r.model, "deepseek-chat");
	assert_string_equal(r.finish_reason, "stop");
	assert_int_equal(r.prompt_tokens, 12);
	assert_int_equal(r.completion_tokens, 3);
	assert_int_equal(r.total_tokens, 15);
	llm_reply_release(&r);
	assert_null(r.content);
	assert_int_equal(r.total_tokens, -1);
}

static void response_parse_takes_missing_model_and_usage_as_unknown(void **state)
{
	static const char body[] = "{\"choices\":[{\"message\":{\"content\":\"ok\"}}],"
				   "\"usage\":{\"prompt_tokens\":-4,\"total_tokens\":\"9\"}}";
	struct llm_reply r;
	struct err e;

	(void)state;
	llm_reply_init(&r);
	assert_int_equal(llm_response_parse(body, strlen(body), &r, &e), RC_OK);
	assert_string_equal(r.content, "ok");
	assert_string_equal(r.model, "");
	assert_string_equal(r.finish_reason, "");
	assert_int_equal(r.prompt_tokens, -1);
	assert_int_equal(r.completion_tokens, -1);
	assert_int_equal(r.total_tokens, -1);
	llm_reply_release(&r);
}

static void response_parse_cuts_a_long_model_name_between_characters(void **state)
{
	char body[1024], name[300];
	struct llm_reply r;
	struct err e;
	size_t i;

	(void)state;
	/* 'a' then 3-byte characters: a cut at 127 bytes falls inside one */
	name[0] = 'a';
	for (i = 0; i < 90; i++)
		memcpy(name + 1 + 3 * i, "模", 3);
	name[1 + 3 * 90] = '\0';
	snprintf(body, sizeof(body), "{\"model\":\"%s\",\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
		 name);
	llm_reply_init(&r);
	assert_int_equal(llm_response_parse(body, strlen(body), &r, &e), RC_OK);
	assert_int_equal(strlen(r.model), 1 + 3 * 42);
	assert_memory_equal(r.model, name, strlen(r.model));
	llm_reply_release(&r);
}

static void response_parse_refuses_what_is_not_a_chat_completion(void **state)
{
	static const char *const bad[] = {
		"",
		"{not json",
		"[1,2]",
		"\"text\"",
		"{}",
		"{\"choices\":[]}",
		"{\"choices\":{}}",
		"{\"choices\":[{}]}",
		"{\"choices\":[{\"message\":{}}]}",
		"{\"choices\":[{\"message\":{\"content\":null}}]}",
		"{\"choices\":[{\"message\":{\"content\":42}}]}",
		"{\"choices\":[{\"message\":{\"content\":\"x\"}}]} trailing",
	};
	struct llm_reply r;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		llm_reply_init(&r);
		err_clear(&e);
		if (llm_response_parse(bad[i], strlen(bad[i]), &r, &e) != RC_UPSTREAM)
			fail_msg("accepted '%s'", bad[i]);
		assert_fail(e, RC_UPSTREAM, "llm_bad_response");
		assert_null(r.content);
		llm_reply_release(&r);
	}
	llm_reply_init(&r);
	assert_int_equal(llm_response_parse(NULL, 0, &r, &e), RC_UPSTREAM);
	assert_non_null(strstr(e.message, "empty"));
}

static void error_message_quotes_the_servers_own_words(void **state)
{
	static const char *const cases[][2] = {
		{"{\"error\":{\"message\":\"Insufficient Balance\",\"type\":\"x\"}}",
		 "Insufficient Balance"},
		{"{\"error\":\"model not loaded\"}", "model not loaded"},
		{"{\"object\":\"error\",\"message\":\"bad max_tokens\"}", "bad max_tokens"},
		{"{\"detail\":\"Not Found\"}", "Not Found"},
		{"<html>502 Bad\nGateway</html>", "<html>502 Bad Gateway</html>"},
		{"{\"error\":{\"message\":\"line\\none\"}}", "line one"},
		{"", "(no body)"},
	};
	char out[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		llm_error_message(cases[i][0], strlen(cases[i][0]), out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	llm_error_message(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "(no body)");
}

static void error_message_is_cut_to_fit_between_characters(void **state)
{
	char body[400], out[20];
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++)
		memcpy(body + 3 * i, "错", 3);
	body[300] = '\0';
	llm_error_message(body, strlen(body), out, sizeof(out));
	/* 15 bytes of room before "...": five whole characters */
	assert_string_equal(out, "错错错错错...");
	/* bytes that are not UTF-8 become spaces */
	llm_error_message("bad \xff\xfe end", 10, out, sizeof(out));
	assert_string_equal(out, "bad    end");
	llm_error_message("abc", 3, out, 3);
	assert_string_equal(out, "");
}

/* ---- the exchange as sealed ---- */

static void reply_json_holds_the_exchange(void **state)
{
	struct llm_reply r;
	json_t *j;

	(void)state;
	llm_reply_init(&r);
	j = llm_reply_json(&r);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "request")));
	assert_true(json_is_null(json_object_get(j, "response")));
	assert_true(json_is_null(json_object_get(j, "usage")));
	assert_true(json_is_null(json_object_get(j, "model")));
	json_decref(j);

	snprintf(r.endpoint, sizeof(r.endpoint), "http://h/v1/chat/completions");
	r.request = strdup("{\"messages\":[]}");
	r.response = strdup("{\"ok\":1}");
	r.response_len = 8;
	r.status = 200;
	r.completion_tokens = 7;
	snprintf(r.model, sizeof(r.model), "m");
	j = llm_reply_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "request")), "{\"messages\":[]}");
	assert_string_equal(json_string_value(json_object_get(j, "response")), "{\"ok\":1}");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 200);
	assert_string_equal(json_string_value(json_object_get(j, "model")), "m");
	assert_int_equal(json_object_size(json_object_get(j, "usage")), 1);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "usage"), "completion_tokens")),
		7);
	json_decref(j);

	/* a body that is not UTF-8 is kept whole, as base64 */
	free(r.response);
	r.response = malloc(3);
	memcpy(r.response, "\xff\x00\x80", 3);
	r.response_len = 3;
	j = llm_reply_json(&r);
	assert_null(json_object_get(j, "response"));
	assert_string_equal(json_string_value(json_object_get(j, "response_base64")), "/wCA");
	json_decref(j);
	llm_reply_release(&r);
}

/* ---- the focus answer ---- */

static void focus_parse_accepts_each_of_the_nine_codes(void **state)
{
	struct llm_focus f;
	char answer[256];
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nine_codes) / sizeof(nine_codes[0]); i++) {
		llm_focus_init(&f);
		snprintf(answer, sizeof(answer), "{\"primary\": \"%s\", \"reason\": \"因为\"}",
			 nine_codes[i]);
		err_clear(&e);
		assert_int_equal(llm_focus_parse(answer, &f, &e), RC_OK);
		assert_string_equal(f.primary, nine_codes[i]);
		assert_string_equal(f.reason, "因为");
		llm_focus_release(&f);
	}
}

static void focus_parse_tolerates_a_json_fence_and_white_space(void **state)
{
	static const char *const good[] = {
		"```json\n{\"primary\":\"safety\",\"reason\":\"rash\"}\n```",
		"  \n```JSON \n{\"primary\":\"safety\",\"reason\":\"rash\"}\n```\n",
		"```\n{\"primary\":\"safety\",\"reason\":\"rash\"}```",
		"\n{\"primary\":\"safety\",\"reason\":\"  rash \",\"secondary\":\"quality\"}\n",
	};
	struct llm_focus f;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		llm_focus_init(&f);
		err_clear(&e);
		if (llm_focus_parse(good[i], &f, &e) != RC_OK)
			fail_msg("refused '%s': %s", good[i], e.message);
		assert_string_equal(f.primary, "safety");
		assert_string_equal(f.reason, "rash");
		llm_focus_release(&f);
	}
}

static void focus_parse_refuses_unknown_codes_and_missing_fields(void **state)
{
	static const struct {
		const char *answer;
		const char *says; /* part of the message */
	} bad[] = {
		{"{\"primary\":\"shipping_delay\",\"reason\":\"late\"}", "unknown focus \"shipping_delay\""},
		{"{\"primary\":\"Quality\",\"reason\":\"x\"}", "unknown focus \"Quality\""},
		{"{\"primary\":\" quality\",\"reason\":\"x\"}", "unknown focus"},
		{"{\"primary\":\"\",\"reason\":\"x\"}", "unknown focus"},
		{"{\"reason\":\"x\"}", "\"primary\""},
		{"{\"primary\":3,\"reason\":\"x\"}", "\"primary\""},
		{"{\"primary\":\"quality\"}", "\"reason\""},
		{"{\"primary\":\"quality\",\"reason\":null}", "\"reason\""},
		{"{\"primary\":\"quality\",\"reason\":\" \\n \"}", "reason is empty"},
		{"{\"primary\":\"quality\",\"reason\":\"x\",\"primary\":\"price\"}", "not one JSON object"},
		{"[\"quality\"]", "not one JSON object"},
		{"quality", "not one JSON object"},
		{"The focus is quality.", "not one JSON object"},
		{"{\"primary\":\"quality\",\"reason\":\"x\"} hope this helps", "not one JSON object"},
		{"Sure: ```json\n{\"primary\":\"quality\",\"reason\":\"x\"}\n```", "not one JSON object"},
		{"```json\n{\"primary\":\"quality\",\"reason\":\"x\"}", "does not close"},
		{"```json {\"primary\":\"quality\",\"reason\":\"x\"}```", "does not close"},
		{"```python\n{\"primary\":\"quality\",\"reason\":\"x\"}\n```", "other than JSON"},
		{"", "not one JSON object"},
	};
	struct llm_focus f;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		llm_focus_init(&f);
		err_clear(&e);
		if (llm_focus_parse(bad[i].answer, &f, &e) != RC_UPSTREAM)
			fail_msg("accepted '%s'", bad[i].answer);
		assert_fail(e, RC_UPSTREAM, "llm_bad_answer");
		if (!strstr(e.message, bad[i].says))
			fail_msg("for '%s' the message '%s' lacks '%s'", bad[i].answer, e.message,
				 bad[i].says);
		/* a refused answer leaves the result as it was */
		assert_string_equal(f.primary, "");
		assert_null(f.reason);
		llm_focus_release(&f);
	}
}

static void focus_parse_never_echoes_a_long_or_odd_code(void **state)
{
	struct llm_focus f;
	char answer[512];
	struct err e;

	(void)state;
	llm_focus_init(&f);
	snprintf(answer, sizeof(answer), "{\"primary\":\"%0200d\",\"reason\":\"x\"}", 7);
	assert_int_equal(llm_focus_parse(answer, &f, &e), RC_UPSTREAM);
	assert_null(strstr(e.message, "0000000000"));
	assert_int_equal(llm_focus_parse("{\"primary\":\"a\\nb\\u001b[31m\",\"reason\":\"x\"}", &f,
					 &e),
			 RC_UPSTREAM);
	assert_null(strchr(e.message, '\n'));
	assert_null(strchr(e.message, '\x1b'));
	llm_focus_release(&f);
}

static void focus_parse_refuses_a_reason_too_long(void **state)
{
	struct llm_focus f;
	size_t n = LLM_MAX_ANSWER + 64;
	char *answer = malloc(n);
	struct err e;
	int len;

	(void)state;
	llm_focus_init(&f);
	len = snprintf(answer, n, "{\"primary\":\"price\",\"reason\":\"%0*d\"}",
		       (int)LLM_MAX_ANSWER, 0);
	assert_true(len > 0 && (size_t)len < n);
	assert_int_equal(llm_focus_parse(answer, &f, &e), RC_OK);
	assert_int_equal(strlen(f.reason), LLM_MAX_ANSWER);
	llm_focus_release(&f);
	len = snprintf(answer, n, "{\"primary\":\"price\",\"reason\":\"%0*d\"}",
		       (int)LLM_MAX_ANSWER + 1, 0);
	assert_int_equal(llm_focus_parse(answer, &f, &e), RC_UPSTREAM);
	assert_non_null(strstr(e.message, "too long"));
	free(answer);
}

/* ---- the summary answer ---- */

static void summary_parse_trims_and_bounds_the_text(void **state)
{
	struct llm_summary s;
	char *big = malloc(LLM_MAX_ANSWER + 2);
	struct err e;

	(void)state;
	llm_summary_init(&s);
	assert_int_equal(llm_summary_parse("\n  消费者称耳机无声。 \n", &s, &e), RC_OK);
	assert_string_equal(s.text, "消费者称耳机无声。");
	memset(big, 'a', LLM_MAX_ANSWER);
	big[LLM_MAX_ANSWER] = '\0';
	assert_int_equal(llm_summary_parse(big, &s, &e), RC_OK);
	assert_int_equal(strlen(s.text), LLM_MAX_ANSWER);
	big[LLM_MAX_ANSWER] = 'a';
	big[LLM_MAX_ANSWER + 1] = '\0';
	assert_int_equal(llm_summary_parse(big, &s, &e), RC_UPSTREAM);
	assert_fail(e, RC_UPSTREAM, "llm_bad_answer");
	assert_int_equal(strlen(s.text), LLM_MAX_ANSWER); /* as it was */
	assert_int_equal(llm_summary_parse(" \t\r\n", &s, &e), RC_UPSTREAM);
	assert_non_null(strstr(e.message, "empty"));
	llm_summary_release(&s);
	assert_null(s.text);
	free(big);
}

/* ---- what fails before any request is made ---- */

static void tasks_refuse_bad_text_before_asking(void **state)
{
	struct llm_config c;
	struct llm_summary s;
	struct llm_focus f;
	char *big = malloc(LLM_MAX_TEXT + 2);
	struct err e;

	(void)state;
	/* a URL nobody serves: these must fail before any request */
	test_config(&c);
	snprintf(c.url, sizeof(c.url), "http://192.0.2.1:9");
	err_clear(&e);
	assert_int_equal(llm_summarise_case(&c, "  \n", &s, &e), RC_INVAL);
	assert_fail(e, RC_INVAL, "invalid_text");
	assert_null(s.reply.request);
	llm_summary_release(&s);
	assert_int_equal(llm_focus_opinion(&c, "bad \xc3\x28", &f, &e), RC_INVAL);
	assert_fail(e, RC_INVAL, "invalid_text");
	llm_focus_release(&f);
	assert_int_equal(llm_focus_opinion(&c, NULL, &f, &e), RC_INVAL);
	llm_focus_release(&f);
	memset(big, 'x', LLM_MAX_TEXT + 1);
	big[LLM_MAX_TEXT + 1] = '\0';
	assert_int_equal(llm_focus_opinion(&c, big, &f, &e), RC_TOOBIG);
	assert_fail(e, RC_TOOBIG, "too_big");
	llm_focus_release(&f);
	free(big);
}

static void chat_refuses_when_off_or_the_key_is_missing(void **state)
{
	struct llm_config c;
	struct llm_reply r;
	struct err e;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.timeout_ms = 1000;
	c.max_tokens = 10;
	err_clear(&e);
	assert_int_equal(llm_chat(&c, "s", "u", &r, &e), RC_INVAL);
	assert_fail(e, RC_INVAL, "llm_off");
	llm_reply_release(&r);

	test_config(&c);
	snprintf(c.url, sizeof(c.url), "http://192.0.2.1:9");
	snprintf(c.api_key_env, sizeof(c.api_key_env), "DISPUTED_TEST_LLM_KEY");
	unsetenv("DISPUTED_TEST_LLM_KEY");
	assert_int_equal(llm_chat(&c, "s", "u", &r, &e), RC_INVAL);
	assert_fail(e, RC_INVAL, "llm_no_key");
	assert_non_null(strstr(e.message, "DISPUTED_TEST_LLM_KEY"));
	assert_null(r.request);
	llm_reply_release(&r);
	/* a key that would split the header is refused, and not quoted */
	setenv("DISPUTED_TEST_LLM_KEY", "sk-abc\r\nX-Evil: 1", 1);
	assert_int_equal(llm_chat(&c, "s", "u", &r, &e), RC_INVAL);
	assert_fail(e, RC_INVAL, "llm_no_key");
	assert_null(strstr(e.message, "sk-abc"));
	llm_reply_release(&r);
	unsetenv("DISPUTED_TEST_LLM_KEY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_from_copies_settings_and_is_off_without_url),
		cmocka_unit_test(endpoint_follows_the_documented_rule),
		cmocka_unit_test(endpoint_refuses_what_is_not_an_http_url),
		cmocka_unit_test(request_body_is_chat_completions_json),
		cmocka_unit_test(request_body_leaves_out_an_empty_model_and_refuses_bad_utf8),
		cmocka_unit_test(response_parse_reads_content_model_and_usage),
		cmocka_unit_test(response_parse_takes_missing_model_and_usage_as_unknown),
		cmocka_unit_test(response_parse_cuts_a_long_model_name_between_characters),
		cmocka_unit_test(response_parse_refuses_what_is_not_a_chat_completion),
		cmocka_unit_test(error_message_quotes_the_servers_own_words),
		cmocka_unit_test(error_message_is_cut_to_fit_between_characters),
		cmocka_unit_test(reply_json_holds_the_exchange),
		cmocka_unit_test(focus_parse_accepts_each_of_the_nine_codes),
		cmocka_unit_test(focus_parse_tolerates_a_json_fence_and_white_space),
		cmocka_unit_test(focus_parse_refuses_unknown_codes_and_missing_fields),
		cmocka_unit_test(focus_parse_never_echoes_a_long_or_odd_code),
		cmocka_unit_test(focus_parse_refuses_a_reason_too_long),
		cmocka_unit_test(summary_parse_trims_and_bounds_the_text),
		cmocka_unit_test(tasks_refuse_bad_text_before_asking),
		cmocka_unit_test(chat_refuses_when_off_or_the_key_is_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
