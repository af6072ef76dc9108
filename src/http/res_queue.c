/* res_queue.c - the agent queue, GET /v1/disputes?sort=priority: live disputes serious first, then by their next deadline, with a cursor on that order. */
#include "http/http_int.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cases/rules.h"
#include "cases/vocab.h"
#include "core/num.h"

/* "q1:<rank>:<due ms>:<id>": the last dispute of a page, base64url without padding. */
#define CURSOR_RAW_MAX 96

static int bad_cursor(struct err *e)
{
	return err_set(e, RC_INVAL, "invalid_cursor", "cursor",
		       "cursor is not one this list returned");
}

/* Parse a "q1:" cursor into *pos. */
static int cursor_parse(const char *c, struct store_queue_pos *pos, struct err *e)
{
	unsigned char raw[CURSOR_RAW_MAX];
	char text[CURSOR_RAW_MAX], *rank, *due, *id, *save = NULL;
	size_t len = 0, i;
	int64_t n;

	if (sodium_base642bin(raw, sizeof(raw) - 1, c, strlen(c), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len < 4 || memcmp(raw, "q1:", 3) != 0)
		return bad_cursor(e);
	memcpy(text, raw + 3, len - 3);
	text[len - 3] = '\0';
	rank = strtok_r(text, ":", &save);
	due = rank ? strtok_r(NULL, ":", &save) : NULL;
	id = due ? strtok_r(NULL, ":", &save) : NULL;
	if (!id || strtok_r(NULL, ":", &save) || strlen(id) >= sizeof(pos->id))
		return bad_cursor(e);
	for (i = 0; id[i]; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_')
			return bad_cursor(e);
	if (num_parse_i64(rank, 0, RULES_TIER__COUNT, &n))
		return bad_cursor(e);
	pos->rank = (int)n;
	if (num_parse_i64(due, 0, INT64_MAX, &pos->due))
		return bad_cursor(e);
	snprintf(pos->id, sizeof(pos->id), "%s", id);
	return RC_OK;
}

/* The list reply, with the cursor after `last` when `more`. */
static json_t *queue_list(json_t *items, const struct store_queue_pos *last, int more)
{
	char raw[CURSOR_RAW_MAX], b64[2 * CURSOR_RAW_MAX];
	json_t *cursor = json_null();
	int n;

	if (more) {
		n = snprintf(raw, sizeof(raw), "q1:%d:%lld:%s", last->rank, (long long)last->due,
			     last->id);
		if (n > 0 && (size_t)n < sizeof(raw)) {
			sodium_bin2base64(b64, sizeof(b64), (unsigned char *)raw, (size_t)n,
					  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			cursor = json_string(b64);
		}
	}
	return json_pack("{s:s, s:o, s:o}", "object", "list", "data", items, "next_cursor",
			 cursor);
}

int http_dispute_sort(struct http_req *r, int *priority, struct err *e)
{
	const char *s = http_query(r, "sort");

	*priority = 0;
	if (!s || strcmp(s, "created") == 0)
		return RC_OK;
	if (strcmp(s, "priority") != 0)
		return err_set(e, RC_INVAL, "invalid_enum", "sort",
			       "sort must be created or priority");
	if (!http_is(r, ROLE_PLATFORM | ROLE_AGENT))
		return err_set(e, RC_FORBIDDEN, "forbidden", "sort",
			       "the agent queue (sort=priority) is for the platform's staff");
	*priority = 1;
	return RC_OK;
}

int http_dispute_queue(struct http_req *r, const struct store_dispute_filter *f, int nothing,
		       struct err *e)
{
	const char *l = http_query(r, "limit"), *c = http_query(r, "cursor");
	const char *live[DISPUTE_STATE__COUNT + 1];
	struct store_queue_pos after, last;
	json_t *states = json_array(), *tiers = json_array(), *items = NULL;
	int64_t limit = 20;
	int more = 0, rc = RC_OK;
	size_t i;

	memset(&after, 0, sizeof(after));
	memset(&last, 0, sizeof(last));
	if (l && num_parse_i64(l, 1, 100, &limit))
		rc = err_set(e, RC_INVAL, "invalid_value", "limit",
			     "limit must be an integer from 1 to 100");
	if (!rc && c)
		rc = cursor_parse(c, &after, e);
	if (rc)
		goto out;
	dispute_live_state_names(live);
	for (i = 0; live[i]; i++)
		json_array_append_new(states, json_string(live[i]));
	for (i = 0; rules_tier_names[i]; i++) /* most urgent first */
		json_array_append_new(tiers, json_string(rules_tier_names[i]));
	if (nothing)
		items = json_array();
	else
		rc = store_dispute_queue(r->srv->st, f, states, tiers, c ? &after : NULL, (int)limit,
					 &items, &last, &more, e);
	if (!rc) {
		rc = http_reply_json(r, 200, queue_list(items, &last, more));
		items = NULL;
	}
out:
	json_decref(items);
	json_decref(states);
	json_decref(tiers);
	return rc;
}
