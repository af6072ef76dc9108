/* risk_proposals.c - repeat-fraud detection: proposals of the repeated_fraud flag, with their evidence, for staff to confirm or dismiss. */
#include "risk/risk.h"

#include <string.h>

#include "cases/vocab.h"
#include "core/ids.h"
#include "core/jsonx.h"

/* Most merchants one scan proposes for. */
#define PROPOSE_MAX 1000

static json_t *strings(char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Whether the merchant already carries `flag`. */
static int flagged(struct store *st, const char *merchant_id, const char *flag, int *has,
		   struct err *e)
{
	json_t *flags = NULL, *f;
	size_t i;
	int rc = store_merchant_flags(st, merchant_id, &flags, e);

	*has = 0;
	json_array_foreach(flags, i, f)
		if (strcmp(json_string_value(json_object_get(f, "flag")), flag) == 0)
			*has = 1;
	json_decref(flags);
	return rc;
}

/* Propose the flag for one merchant, unless it is flagged, proposed or dismissed on as much. */
static int propose_one(struct store *st, const struct rules *r, const char *mid, int64_t from,
		       int64_t now, struct risk_tally *t, struct err *e)
{
	const char *flag = merchant_flag_names[MERCHANT_FLAG_REPEATED_FRAUD];
	int64_t n = 0, dismissed = -1;
	json_t *ids = NULL, *p = NULL;
	char id[ID_MAX];
	int has = 0, open = 0;
	int rc = flagged(st, mid, flag, &has, e);

	if (!rc && !has)
		rc = store_proposal_state(st, mid, flag, &open, &dismissed, e);
	if (rc || has || open)
		return rc;
	rc = store_risk_upheld(st, mid, r->repeat_fraud_reasons, from, now, RISK_MAX_EVIDENCE, &n,
			       &ids, e);
	if (rc || n < r->repeat_fraud_upheld || n <= dismissed) {
		json_decref(ids);
		return rc;
	}
	id_new(id, "rpr");
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:o, s:I},"
		      " s:{s:I, s:O, s:{s:o, s:o}}, s:o, s:n, s:n, s:n, s:n}",
		      "object", "risk_proposal", "id", id, "merchant", mid, "flag", flag, "state",
		      "proposed", "rule", "upheld", (json_int_t)r->repeat_fraud_upheld, "reasons",
		      strings(r->repeat_fraud_reasons), "window_days",
		      (json_int_t)r->repeat_fraud_window.n, "evidence", "upheld", (json_int_t)n,
		      "disputes", ids, "window", "from", jx_time_json(from), "to",
		      jx_time_json(now), "created_at", jx_time_json(now), "decided_at",
		      "decided_by", "reason", "flag_set");
	json_decref(ids);
	if (!p)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_proposal_insert(st, id, mid, flag, n, now, p, e);
	json_decref(p);
	if (!rc)
		t->proposed++;
	return rc;
}

int risk_propose(struct store *st, const struct rules *r, int64_t now, struct risk_tally *t,
		 struct err *e)
{
	int64_t from = now - r->repeat_fraud_window.n * RISK_DAY_MS;
	json_t *mids = NULL, *m;
	size_t i;
	int rc = store_risk_repeat_merchants(st, r->repeat_fraud_reasons, from, now,
					     r->repeat_fraud_upheld, PROPOSE_MAX, &mids, e);

	json_array_foreach(mids, i, m) {
		if (rc)
			break;
		rc = propose_one(st, r, json_string_value(m), from, now, t, e);
	}
	json_decref(mids);
	return rc;
}
