/* store_risk.h - risk figures, warnings, proposals, merchant and consumer flags (part of store.h). */
#ifndef DISPUTED_STORE_RISK_H
#define DISPUTED_STORE_RISK_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_flag_counts;
struct store_risk_counts;

/* What a count of orders or disputes is over (a listing: any of its versions). */
enum store_risk_scope {
	STORE_RISK_MERCHANT,  /* id: mer_… */
	STORE_RISK_LISTING,   /* id: lst_… */
	STORE_RISK_CATEGORY,  /* id: a listing category */
	STORE_RISK_PLATFORM,  /* id ignored: every order */
	STORE_RISK__SCOPES
};

/*
 * A backend's risk figures, alerts, proposals, merchant flags. Each member
 * does what the store_* function of its name below says, under the rules
 * in store.h.
 */
struct store_risk_ops {
	int (*merchant_flag_set)(struct store *st, const char *merchant_id, const char *flag,
				 const char *reason, const char *set_by, int64_t now,
				 struct err *e);
	int (*merchant_flag_clear)(struct store *st, const char *merchant_id, const char *flag,
				   const char *cleared_by, int64_t now, struct err *e);
	int (*merchant_flags)(struct store *st, const char *merchant_id, json_t **out,
			      struct err *e);
	int (*risk_orders)(struct store *st, enum store_risk_scope scope, const char *id,
			   int64_t from, int64_t to, int64_t *n, struct err *e);
	int (*risk_disputes)(struct store *st, enum store_risk_scope scope, const char *id,
			     const char *reason, int64_t from, int64_t to, int64_t *n, json_t **ids,
			     size_t max, struct err *e);
	int (*risk_first_order)(struct store *st, enum store_risk_scope scope, const char *id,
				int64_t *at, struct err *e);
	int (*risk_category_of)(struct store *st, enum store_risk_scope scope, const char *id,
				char *out, size_t size, struct err *e);
	int (*risk_merchant_counts)(struct store *st, const char *merchant_id, int64_t from,
				    int64_t to, struct store_risk_counts *c, struct err *e);
	int (*risk_merchant_foci)(struct store *st, const char *merchant_id, const char *source,
				  int64_t from, int64_t to, json_t **out, struct err *e);
	int (*risk_rank)(struct store *st, int64_t from, int64_t to, int64_t offset, int limit,
			 int64_t cap, json_t **out, int *more, struct err *e);
	int (*risk_candidates)(struct store *st, enum store_risk_scope scope, int64_t from,
			       int64_t to, size_t max,
			       int (*fn)(void *ctx, const char *id, const char *reason, int64_t n),
			       void *ctx, struct err *e);
	int (*risk_upheld)(struct store *st, const char *merchant_id, char *const *reasons,
			   int64_t from, int64_t to, size_t max, int64_t *n, json_t **ids,
			   struct err *e);
	int (*risk_repeat_merchants)(struct store *st, char *const *reasons, int64_t from,
				     int64_t to, int64_t k, size_t max, json_t **out,
				     struct err *e);
	int (*alert_insert)(struct store *st, const char *id, const char *scope,
			    const char *scope_id, const char *focus, int64_t window_start,
			    int64_t window_end, const char *merchant_id, int64_t now, json_t *body,
			    int *inserted, struct err *e);
	int (*alert_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*alert_list)(struct store *st, const char *scope, const char *merchant_id,
			  const char *focus, int64_t after, int limit, json_t **items,
			  int64_t *next, struct err *e);
	int (*proposal_insert)(struct store *st, const char *id, const char *merchant_id,
			       const char *flag, int64_t upheld, int64_t now, json_t *body,
			       struct err *e);
	int (*proposal_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*proposal_list)(struct store *st, const char *state, int64_t after, int limit,
			     json_t **items, int64_t *next, struct err *e);
	int (*proposal_decide)(struct store *st, const char *id, const char *state, int64_t now,
			       json_t *body, struct err *e);
	int (*proposal_state)(struct store *st, const char *merchant_id, const char *flag,
			      int *open, int64_t *dismissed_upheld, struct err *e);
	int (*merchant_flag_evidence)(struct store *st, const char *merchant_id, const char *flag,
				      const char *evidence, struct err *e);
};

/*
 * A backend's consumer flags and abuse signals. Each member does what the
 * store_* function of its name below says, under the rules in store.h.
 */
struct store_consumer_flags_ops {
	int (*consumer_flag_insert)(struct store *st, const char *id, const char *consumer_id,
				    const char *flag, const char *reason, json_t *evidence,
				    const char *set_by, int64_t now, struct err *e);
	int (*consumer_flag_live)(struct store *st, const char *consumer_id, const char *flag,
				  json_t **out, struct err *e);
	int (*consumer_flags)(struct store *st, const char *consumer_id, json_t **out,
			      struct err *e);
	int (*consumer_flagged)(struct store *st, const char *consumer_id, const char *flag,
				int *yes, struct err *e);
	int (*consumer_flag_clear)(struct store *st, const char *flag_id, const char *cleared_by,
				   const char *reason, int64_t now, struct err *e);
	int (*consumer_flag_appeal)(struct store *st, const char *flag_id, const char *text,
				    int64_t now, struct err *e);
	int (*consumer_flag_decide)(struct store *st, const char *flag_id, const char *decision,
				    const char *reason, const char *decided_by, int64_t now,
				    struct err *e);
	int (*consumer_flag_event_insert)(struct store *st, const char *id, const char *flag_id,
					  const char *consumer_id, const char *type, int64_t now,
					  json_t *body, struct err *e);
	int (*consumer_flag_event_get)(struct store *st, const char *id, json_t **body,
				       struct err *e);
	int (*consumer_flag_events)(struct store *st, const char *consumer_id, int limit,
				    json_t **items, struct err *e);
	int (*consumer_flag_counts)(struct store *st, int64_t from, int64_t to, int64_t now,
				    struct store_flag_counts *out, struct err *e);
	int (*consumer_blob_cited)(struct store *st, const char *consumer_id,
				   const char *digest_hex, int *yes, struct err *e);
	int (*consumer_order_count)(struct store *st, const char *consumer_id, int64_t *n,
				    struct err *e);
	int (*consumer_disputes)(struct store *st, const char *consumer_id, int limit,
				 json_t **items, int *more, struct err *e);
};

/* ---- merchant risk flags (store_sqlite_disputes.c) ---- */

/* Set a flag; RC_CONFLICT (code "flag_set") if it is already set. */
static inline WARN_UNUSED int store_merchant_flag_set(struct store *st, const char *merchant_id,
						      const char *flag, const char *reason,
						      const char *set_by, int64_t now,
						      struct err *e)
{
	return STORE_OPS(st)->risk->merchant_flag_set(st, merchant_id, flag, reason, set_by, now,
						      e);
}
/* Clear a set flag; RC_NOTFOUND if it is not set. */
static inline WARN_UNUSED int store_merchant_flag_clear(struct store *st, const char *merchant_id,
							const char *flag, const char *cleared_by,
							int64_t now, struct err *e)
{
	return STORE_OPS(st)->risk->merchant_flag_clear(st, merchant_id, flag, cleared_by, now, e);
}
/* The set flags of a merchant: [{"flag","reason","set_by","created_at"}], times in ms. */
static inline WARN_UNUSED int store_merchant_flags(struct store *st, const char *merchant_id,
						   json_t **out, struct err *e)
{
	return STORE_OPS(st)->risk->merchant_flags(st, merchant_id, out, e);
}

/* ---- consumer flags and abuse signals (store_sqlite_consumer_flags.c; rules in risk/consumer.h) ---- */

/*
 * Keep a new flag `id` (cfl_…) on a consumer with its reason, evidence
 * (an array, kept as JSON text) and who set it. RC_CONFLICT (code
 * "flag_set", param "flag") if the consumer already carries it.
 */
static inline WARN_UNUSED int store_consumer_flag_insert(struct store *st, const char *id,
							 const char *consumer_id, const char *flag,
							 const char *reason, json_t *evidence,
							 const char *set_by, int64_t now,
							 struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_insert(st, id, consumer_id, flag,
								   reason, evidence, set_by, now,
								   e);
}
/*
 * A flag as stored: {"id","consumer","flag","reason","evidence":[…],"set_by",
 * "created_at","cleared_at","cleared_by","clear_reason","appeal"} with
 * times in ms (null when unset) and "appeal" null or {"text","filed_at",
 * "decision","reason","decided_by","decided_at"}. The consumer's live
 * `flag` (RC_NOTFOUND if none), or all their live flags, oldest first.
 */
static inline WARN_UNUSED int store_consumer_flag_live(struct store *st, const char *consumer_id,
						       const char *flag, json_t **out,
						       struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_live(st, consumer_id, flag, out, e);
}
static inline WARN_UNUSED int store_consumer_flags(struct store *st, const char *consumer_id,
						   json_t **out, struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flags(st, consumer_id, out, e);
}
/* *yes: whether the consumer carries `flag` now. */
static inline WARN_UNUSED int store_consumer_flagged(struct store *st, const char *consumer_id,
						     const char *flag, int *yes, struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flagged(st, consumer_id, flag, yes, e);
}
/* Clear a live flag. RC_CONFLICT (code "flag_cleared") if it is not live. */
static inline WARN_UNUSED int store_consumer_flag_clear(struct store *st, const char *flag_id,
							const char *cleared_by, const char *reason,
							int64_t now, struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_clear(st, flag_id, cleared_by, reason,
								  now, e);
}
/* File the one appeal of a live flag. RC_CONFLICT (code "appeal_filed") if it has one. */
static inline WARN_UNUSED int store_consumer_flag_appeal(struct store *st, const char *flag_id,
							 const char *text, int64_t now,
							 struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_appeal(st, flag_id, text, now, e);
}
/* Decide a flag's appeal. RC_CONFLICT (code "no_appeal") unless one waits for a decision. */
static inline WARN_UNUSED int store_consumer_flag_decide(struct store *st, const char *flag_id,
							 const char *decision, const char *reason,
							 const char *decided_by, int64_t now,
							 struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_decide(st, flag_id, decision, reason,
								   decided_by, now, e);
}
/* Append one event of a flag's history (append-only; sealed by the caller). */
static inline WARN_UNUSED int store_consumer_flag_event_insert(struct store *st, const char *id,
							       const char *flag_id,
							       const char *consumer_id,
							       const char *type, int64_t now,
							       json_t *body, struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_event_insert(st, id, flag_id,
									 consumer_id, type, now,
									 body, e);
}
/* One history event by id (RC_NOTFOUND if none). */
static inline WARN_UNUSED int store_consumer_flag_event_get(struct store *st, const char *id,
							    json_t **body, struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_event_get(st, id, body, e);
}
/* The consumer's newest `limit` history events, oldest first. */
static inline WARN_UNUSED int store_consumer_flag_events(struct store *st, const char *consumer_id,
							 int limit, json_t **items, struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_events(st, consumer_id, limit, items,
								   e);
}

/* Staff's decisions on consumer flags in a period (the compliance report). */
struct store_flag_counts {
	int64_t marked;             /* flags set */
	int64_t cleared;            /* flags cleared by staff (not by an overturned appeal) */
	int64_t appeals_filed;      /* appeals filed */
	int64_t appeals_upheld;     /* appeals decided: the flag stands */
	int64_t appeals_overturned; /* appeals decided: the flag is cleared */
	int64_t appeals_pending;    /* filed in the period, undecided and the flag live at `now` */
};
static inline WARN_UNUSED int store_consumer_flag_counts(struct store *st, int64_t from, int64_t to,
							 int64_t now, struct store_flag_counts *out,
							 struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_flag_counts(st, from, to, now, out, e);
}

/* *yes: the consumer uploaded the blob, or it is cited in one of their disputes. */
static inline WARN_UNUSED int store_consumer_blob_cited(struct store *st, const char *consumer_id,
							const char *digest_hex, int *yes,
							struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_blob_cited(st, consumer_id, digest_hex, yes,
								  e);
}
/* How many orders the consumer has. */
static inline WARN_UNUSED int store_consumer_order_count(struct store *st, const char *consumer_id,
							 int64_t *n, struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_order_count(st, consumer_id, n, e);
}
/* The consumer's newest `limit` disputes (bodies), newest first; *more if there are others. */
static inline WARN_UNUSED int store_consumer_disputes(struct store *st, const char *consumer_id,
						      int limit, json_t **items, int *more,
						      struct err *e)
{
	return STORE_OPS(st)->consumer_flags->consumer_disputes(st, consumer_id, limit, items, more,
								e);
}

/* ---- risk: figures, early warnings, flag proposals (store_sqlite_risk.c; rules in risk/risk.h) ---- */


/* Orders of a scope created in [from, to) (ms), into *n. */
static inline WARN_UNUSED int store_risk_orders(struct store *st, enum store_risk_scope scope,
						const char *id, int64_t from, int64_t to,
						int64_t *n, struct err *e)
{
	return STORE_OPS(st)->risk->risk_orders(st, scope, id, from, to, n, e);
}
/*
 * Disputes of a scope opened in [from, to) whose reason is `reason` (NULL:
 * any), into *n; with `ids` not NULL, a new array of the first `max` ids
 * (oldest first) too.
 */
static inline WARN_UNUSED int store_risk_disputes(struct store *st, enum store_risk_scope scope,
						  const char *id, const char *reason, int64_t from,
						  int64_t to, int64_t *n, json_t **ids, size_t max,
						  struct err *e)
{
	return STORE_OPS(st)->risk->risk_disputes(st, scope, id, reason, from, to, n, ids, max, e);
}
/* When the scope's first order was created (ms), or 0 if it has none. */
static inline WARN_UNUSED int store_risk_first_order(struct store *st, enum store_risk_scope scope,
						     const char *id, int64_t *at, struct err *e)
{
	return STORE_OPS(st)->risk->risk_first_order(st, scope, id, at, e);
}
/*
 * The category of a listing (its newest version's) or of a merchant (the
 * one most of its listings have, the smaller name on a tie) into `out`
 * (`size` bytes); "" if none.
 */
static inline WARN_UNUSED int store_risk_category_of(struct store *st, enum store_risk_scope scope,
						     const char *id, char *out, size_t size,
						     struct err *e)
{
	return STORE_OPS(st)->risk->risk_category_of(st, scope, id, out, size, e);
}

/* A merchant's disputes opened in a window, counted for its risk figures (risk.h). */
struct store_risk_counts {
	int64_t disputes;   /* opened in the window */
	int64_t closed;     /* of those: with an outcome, or withdrawn or gone external */
	int64_t upheld;     /* of the closed: an outcome other than rejected */
	int64_t responded;  /* answered by the merchant before its merchant_response deadline */
	int64_t missed;     /* whose merchant_response deadline passed unanswered */
};
static inline WARN_UNUSED int store_risk_merchant_counts(struct store *st, const char *merchant_id,
							 int64_t from, int64_t to,
							 struct store_risk_counts *c, struct err *e)
{
	return STORE_OPS(st)->risk->risk_merchant_counts(st, merchant_id, from, to, c, e);
}
/*
 * The merchant's disputes opened in [from, to) counted by focus: `source`
 * "reason" (the consumer's reason) or "assessment" (the newest
 * assessment's detected focus, where one was made). *out is a new array of
 * {"focus", "count"}, most first, then by name.
 */
static inline WARN_UNUSED int store_risk_merchant_foci(struct store *st, const char *merchant_id,
						       const char *source, int64_t from, int64_t to,
						       json_t **out, struct err *e)
{
	return STORE_OPS(st)->risk->risk_merchant_foci(st, merchant_id, source, from, to, out, e);
}
/*
 * Merchants with disputes opened in [from, to), ranked: *out a new array of
 * {"merchant", "orders", "disputes", "upheld"} for the `limit` merchants
 * from `offset` (0-based) in the order of score =
 * 1000 × (disputes + upheld) / max(orders, 1), highest first, then by id;
 * *more is 1 if more follow. At most `cap` merchants are ranked.
 */
static inline WARN_UNUSED int store_risk_rank(struct store *st, int64_t from, int64_t to,
					      int64_t offset, int limit, int64_t cap, json_t **out,
					      int *more, struct err *e)
{
	return STORE_OPS(st)->risk->risk_rank(st, from, to, offset, limit, cap, out, more, e);
}
/*
 * Each (scope id, reason) with disputes opened in [from, to) for `scope`
 * (merchant, listing or category), as fn(ctx, id, reason, count); at most
 * `max` of them. A non-zero return of `fn` stops and is returned.
 */
static inline WARN_UNUSED int store_risk_candidates(struct store *st, enum store_risk_scope scope,
						    int64_t from, int64_t to, size_t max,
						    int (*fn)(void *ctx, const char *id, const char *reason, int64_t n),
						    void *ctx, struct err *e)
{
	return STORE_OPS(st)->risk->risk_candidates(st, scope, from, to, max, fn, ctx, e);
}
/*
 * The merchant's disputes opened in [from, to) whose reason is one of
 * `reasons` (NULL-terminated) and whose outcome upholds them (not
 * rejected): their number in *n and, a new array, the first `max` ids.
 */
static inline WARN_UNUSED int store_risk_upheld(struct store *st, const char *merchant_id,
						char *const *reasons, int64_t from, int64_t to,
						size_t max, int64_t *n, json_t **ids, struct err *e)
{
	return STORE_OPS(st)->risk->risk_upheld(st, merchant_id, reasons, from, to, max, n, ids, e);
}
/*
 * Merchants with at least `k` such disputes in [from, to): a new array of
 * up to `max` ids.
 */
static inline WARN_UNUSED int store_risk_repeat_merchants(struct store *st, char *const *reasons,
							  int64_t from, int64_t to, int64_t k,
							  size_t max, json_t **out, struct err *e)
{
	return STORE_OPS(st)->risk->risk_repeat_merchants(st, reasons, from, to, k, max, out, e);
}

/*
 * Keep an alert unless one for the same (scope, scope id, focus, window
 * start) exists: *inserted says which. `body` is its JSON as served.
 */
static inline WARN_UNUSED int store_alert_insert(struct store *st, const char *id,
						 const char *scope, const char *scope_id,
						 const char *focus, int64_t window_start,
						 int64_t window_end, const char *merchant_id,
						 int64_t now, json_t *body, int *inserted,
						 struct err *e)
{
	return STORE_OPS(st)->risk->alert_insert(st, id, scope, scope_id, focus, window_start,
						 window_end, merchant_id, now, body, inserted, e);
}
/* An alert's body (new reference). RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_alert_get(struct store *st, const char *id, json_t **body,
					      struct err *e)
{
	return STORE_OPS(st)->risk->alert_get(st, id, body, e);
}
/* Alerts, newest first is not needed: oldest first, filtered (NULL: any), paginated like store_list. */
static inline WARN_UNUSED int store_alert_list(struct store *st, const char *scope,
					       const char *merchant_id, const char *focus,
					       int64_t after, int limit, json_t **items,
					       int64_t *next, struct err *e)
{
	return STORE_OPS(st)->risk->alert_list(st, scope, merchant_id, focus, after, limit, items,
					       next, e);
}

/* A new proposal of `flag` for a merchant, on `upheld` disputes. RC_CONFLICT if one is open. */
static inline WARN_UNUSED int store_proposal_insert(struct store *st, const char *id,
						    const char *merchant_id, const char *flag,
						    int64_t upheld, int64_t now, json_t *body,
						    struct err *e)
{
	return STORE_OPS(st)->risk->proposal_insert(st, id, merchant_id, flag, upheld, now, body,
						    e);
}
/* A proposal's body (new reference). RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_proposal_get(struct store *st, const char *id, json_t **body,
						 struct err *e)
{
	return STORE_OPS(st)->risk->proposal_get(st, id, body, e);
}
/* Proposals in `state` (NULL: any), oldest first, paginated like store_list. */
static inline WARN_UNUSED int store_proposal_list(struct store *st, const char *state,
						  int64_t after, int limit, json_t **items,
						  int64_t *next, struct err *e)
{
	return STORE_OPS(st)->risk->proposal_list(st, state, after, limit, items, next, e);
}
/*
 * Close an open proposal as `state` (confirmed, dismissed) with its new
 * body. RC_CONFLICT (code "proposal_closed") if it is not open.
 */
static inline WARN_UNUSED int store_proposal_decide(struct store *st, const char *id,
						    const char *state, int64_t now, json_t *body,
						    struct err *e)
{
	return STORE_OPS(st)->risk->proposal_decide(st, id, state, now, body, e);
}
/*
 * Whether the merchant has an open proposal of `flag` (*open), and the
 * most upheld disputes a dismissed one was made on (*dismissed_upheld, -1
 * if none was dismissed).
 */
static inline WARN_UNUSED int store_proposal_state(struct store *st, const char *merchant_id,
						   const char *flag, int *open,
						   int64_t *dismissed_upheld, struct err *e)
{
	return STORE_OPS(st)->risk->proposal_state(st, merchant_id, flag, open, dismissed_upheld,
						   e);
}
/* Keep the evidence (JSON text) of the merchant's live `flag`. RC_NOTFOUND if it is not set. */
static inline WARN_UNUSED int store_merchant_flag_evidence(struct store *st,
							   const char *merchant_id,
							   const char *flag, const char *evidence,
							   struct err *e)
{
	return STORE_OPS(st)->risk->merchant_flag_evidence(st, merchant_id, flag, evidence, e);
}

#endif
