/* fuzz_llm_answer.c - libFuzzer target: a language model's answer body, its content as a focus or a summary, and an error body are read without crashing, and only well-formed results are accepted. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assist/llm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const codes[] = {
	"not_received", "not_as_described", "quality", "counterfeit", "false_advertising",
	"price", "after_sales", "safety", "no_claim", NULL,
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_llm_answer: %s\n", what);
	abort();
}

/* The content as a focus answer and as a summary: an accepted one is well formed. */
static void check_answers(const char *content)
{
	struct llm_summary s;
	struct llm_focus f;
	struct err e;
	size_t i;

	llm_focus_init(&f);
	if (llm_focus_parse(content, &f, &e) == RC_OK) {
		for (i = 0; codes[i] && strcmp(codes[i], f.primary) != 0; i++)
			;
		if (!codes[i])
			fail("accepted a focus that is not one of the nine");
		if (!f.reason || !f.reason[0] || strlen(f.reason) > LLM_MAX_ANSWER)
			fail("accepted an empty or long reason");
	} else if (f.reason || f.primary[0]) {
		fail("a refused focus answer changed the result");
	}
	llm_focus_release(&f);
	llm_summary_init(&s);
	if (llm_summary_parse(content, &s, &e) == RC_OK &&
	    (!s.text[0] || strlen(s.text) > LLM_MAX_ANSWER))
		fail("accepted an empty or long summary");
	llm_summary_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct llm_reply r;
	struct err e;
	char msg[200], *text;
	size_t i, n;

	/* as an answer body */
	llm_reply_init(&r);
	if (llm_response_parse(body, size, &r, &e) == RC_OK) {
		if (!r.content)
			fail("an accepted body has no content");
		check_answers(r.content);
	}
	llm_reply_release(&r);
	/* as an error body: always a printable, terminated, UTF-8 message that fits */
	llm_error_message(body, size, msg, sizeof(msg));
	n = strlen(msg);
	if (n >= sizeof(msg) || !g_utf8_validate(msg, (gssize)n, NULL))
		fail("an error message is too long or not UTF-8");
	for (i = 0; i < n; i++)
		if ((unsigned char)msg[i] < ' ' || msg[i] == 0x7f)
			fail("an error message holds a control character");
	/* as the content itself */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_answers(text);
	free(text);
	return 0;
}
