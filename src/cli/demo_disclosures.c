/* demo_disclosures.c - the disclosure desk's demo: consumers' packages for court, and a court's, an association's and a regulator's requests. */
#include "cli/demo_disclosures.h"

#include <string.h>

#include "disclose/request.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A request from `who` about the order of `dispute`; answered by an agent as `answer` says. */
static int ask(struct disclose_ctx *c, const struct disclose_who *who, json_t *dispute,
	       const char *request, const char *answer, int64_t *count, struct err *e)
{
	static const struct disclose_who agent = {"agent", "demo dispute agent"};
	json_t *order = NULL, *in = json_loads(request, 0, NULL), *ans = NULL, *d = NULL, *out = NULL;
	int rc;

	json_object_set_new(in, "dispute", json_string(str(dispute, "id")));
	rc = store_get(c->st, STORE_ORDER, str(dispute, "order"), &order, e);
	if (!rc)
		rc = disclose_request(c, who, order, dispute, in, &d, e);
	if (!rc && answer) {
		ans = json_loads(answer, 0, NULL);
		rc = json_object_get(ans, "scope") || !json_object_get(ans, "refuse")
			     ? disclose_release(c, &agent, str(d, "id"), ans, &out, e)
			     : disclose_refuse(c, &agent, str(d, "id"),
					       json_object_get(ans, "refuse"), &out, e);
	}
	if (!rc)
		(*count)++;
	json_decref(order);
	json_decref(in);
	json_decref(ans);
	json_decref(d);
	json_decref(out);
	return rc;
}

/* The consumer's own package for every dispute taken outside. */
static int for_external(struct disclose_ctx *c, json_t **others, int64_t *count, struct err *e)
{
	struct store_dispute_filter f = {NULL, NULL, NULL, NULL, NULL, -1};
	json_t *page = NULL, *d, *out = NULL;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	*others = json_array();
	do {
		rc = store_dispute_list(c->st, &f, after, 100, &page, &next, e);
		json_array_foreach(page, i, d) {
			if (rc)
				break;
			if (strcmp(str(d, "state"), "external") != 0) {
				json_array_append(*others, d);
				continue;
			}
			rc = disclose_for_external(c, d, str(json_object_get(d, "external"), "body"),
						   &out, e);
			json_decref(out);
			out = NULL;
			if (!rc)
				(*count)++;
		}
		json_decref(page);
		page = NULL;
		after = next;
	} while (!rc && next > 0);
	return rc;
}

int demo_disclosures(struct store *st, const struct rules *r, const struct calendar *cal,
		     int64_t now, int64_t *count, struct err *e)
{
	static const struct disclose_who court = {"court", "demo internet court"};
	static const struct disclose_who association = {"association", "demo consumer association"};
	static const struct disclose_who regulator = {"regulator", "demo market regulator"};
	struct disclose_ctx c;
	json_t *others = NULL;
	int rc;

	*count = 0;
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.rules = r;
	c.cal = cal;
	c.now = now;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = for_external(&c, &others, count, e);
	if (!rc && json_array_size(others) > 0)
		rc = ask(&c, &court, json_array_get(others, 0),
			 "{\"scope\": [\"merchant_identity\", \"order\", \"payment\", \"messages\", "
			 "\"dispute_record\"], \"purpose\": \"审理网络购物合同纠纷\", "
			 "\"reference\": \"(2025)浙0192民初1001号\"}",
			 NULL, count, e);
	if (!rc && json_array_size(others) > 1)
		rc = ask(&c, &association, json_array_get(others, 1),
			 "{\"scope\": [\"merchant_identity\", \"messages\"], \"purpose\": "
			 "\"调解消费纠纷\", \"reference\": \"浙消协调(2025)208号\"}",
			 "{\"refuse\": {\"reasons\": [\"消费者尚未向协会投诉，请先由消费者提出\"]}}",
			 count, e);
	if (!rc && json_array_size(others) > 2)
		rc = ask(&c, &regulator, json_array_get(others, 2),
			 "{\"scope\": [\"merchant_identity\", \"order\", \"logistics\"], "
			 "\"purpose\": \"核查平台经营者履行协助义务情况\"}",
			 "{\"scope\": [\"merchant_identity\", \"order\"], \"reasons\": "
			 "[\"物流轨迹含个人行踪信息，非核查所必需\"]}",
			 count, e);
	/* the events are pending seals; the caller integrates them */
	if (store_end(st, rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	json_decref(others);
	return rc;
}
