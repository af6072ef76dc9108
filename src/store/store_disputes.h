/* store_disputes.h - disputes, events, timers, obligations, queue, suspensions, rules (part of store.h). */
#ifndef DISPUTED_STORE_DISPUTES_H
#define DISPUTED_STORE_DISPUTES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_dispute_filter;
struct store_obligation;
struct store_queue_pos;
struct store_rules_version;
struct store_timer;

/*
 * A backend's disputes, timers, obligations, the queue, suspensions, rules
 * versions. Each member does what the store_* function of its name below
 * says, under the rules in store.h.
 */
struct store_disputes_ops {
	int (*dispute_insert)(struct store *st, const char *id, const char *order_id,
			      const char *merchant_id, const char *consumer_id, const char *state,
			      const char *tier, int64_t now, json_t *body, struct err *e);
	int (*dispute_update)(struct store *st, const char *id, const char *state, const char *tier,
			      int overdue, int64_t now, json_t *body, struct err *e);
	int (*dispute_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*dispute_list)(struct store *st, const struct store_dispute_filter *f, int64_t after,
			    int limit, json_t **items, int64_t *next, struct err *e);
	int (*dispute_for_order)(struct store *st, const char *order_id, const char *const *states,
				 char id[ID_MAX], int *found, struct err *e);
	int (*dispute_event_insert)(struct store *st, const char *id, const char *dispute_id,
				    int64_t now, json_t *body, struct err *e);
	int (*dispute_event_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*dispute_event_list)(struct store *st, const char *dispute_id, int64_t after,
				  int limit, json_t **items, int64_t *next, struct err *e);
	int (*dispute_event_each)(struct store *st, const char *dispute_id,
				  int (*fn)(void *ctx, json_t *ev), void *ctx, struct err *e);
	int (*assess_queue)(struct store *st, const char *dispute_id, int64_t now, struct err *e);
	int (*assess_next)(struct store *st, char id[ID_MAX], int *found, struct err *e);
	int (*assess_queued)(struct store *st, const char *dispute_id, int *queued, struct err *e);
	int (*assess_done)(struct store *st, const char *dispute_id, int *was, struct err *e);
	int (*timer_add)(struct store *st, const char *dispute_id, const char *step,
			 const char *state, int64_t due_at, struct err *e);
	int (*timer_due)(struct store *st, int64_t now, struct store_timer *out, int max, int *n,
			 struct err *e);
	int (*timer_fire)(struct store *st, int64_t seq, int64_t now, const char *outcome,
			  struct err *e);
	int (*obligation_add)(struct store *st, const char *dispute_id, const char *kind,
			      int64_t now, int64_t due_at, struct err *e);
	int (*obligation_meet)(struct store *st, const char *dispute_id, const char *kind,
			       int64_t now, int *met, struct err *e);
	int (*obligation_cancel_open)(struct store *st, const char *dispute_id, const char *reason,
				      int64_t now, struct err *e);
	int (*obligation_breach)(struct store *st, const char *dispute_id, const char *kind,
				 int64_t now, struct err *e);
	int (*obligation_each)(struct store *st, int64_t from, int64_t to,
			       int (*fn)(void *ctx, const struct store_obligation *o, struct err *e),
			       void *ctx, struct err *e);
	int (*dispute_opened_each)(struct store *st, int64_t from, int64_t to,
				   int (*fn)(void *ctx, int64_t created_at, const char *tier,
					     const char *reason, struct err *e),
				   void *ctx, struct err *e);
	int (*rules_version_put)(struct store *st, const struct store_rules_version *v,
				 struct err *e);
	int (*rules_version_each)(struct store *st, int64_t after, int max,
				  int (*fn)(void *cls, const struct store_rules_version *v, struct err *e),
				  void *cls, struct err *e);
	int (*dispute_queue)(struct store *st, const struct store_dispute_filter *f, json_t *states,
			     json_t *tiers, const struct store_queue_pos *after, int limit,
			     json_t **items, struct store_queue_pos *last, int *more,
			     struct err *e);
	int (*suspension_insert)(struct store *st, const char *id, const char *listing_id,
				 const char *dispute_id, int64_t now, json_t *body, struct err *e);
	int (*suspension_active)(struct store *st, const char *listing_id, json_t **body,
				 struct err *e);
	int (*suspensions_of_dispute)(struct store *st, const char *dispute_id, json_t **listings,
				      struct err *e);
	int (*suspension_lift)(struct store *st, const char *id, int64_t now, json_t *body,
			       struct err *e);
};

/* ---- disputes (store_sqlite_disputes.c) ---- */

/* Filters for store_dispute_list; NULL members (and overdue -1) match everything. */
struct store_dispute_filter {
	const char *state;
	const char *tier;
	const char *merchant_id;
	const char *consumer_id;
	const char *order_id;
	int overdue;              /* 1 or 0 to filter; -1 for any */
};

static inline WARN_UNUSED int store_dispute_insert(struct store *st, const char *id,
						   const char *order_id, const char *merchant_id,
						   const char *consumer_id, const char *state,
						   const char *tier, int64_t now, json_t *body,
						   struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_insert(st, id, order_id, merchant_id, consumer_id,
						       state, tier, now, body, e);
}
/* Replace a dispute's body and the columns it is found by. */
static inline WARN_UNUSED int store_dispute_update(struct store *st, const char *id,
						   const char *state, const char *tier, int overdue,
						   int64_t now, json_t *body, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_update(st, id, state, tier, overdue, now, body, e);
}
/* RC_NOTFOUND if none. *body is a new reference. */
static inline WARN_UNUSED int store_dispute_get(struct store *st, const char *id, json_t **body,
						struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_get(st, id, body, e);
}
/* Newest first is not needed: oldest first, paginated like store_list. */
static inline WARN_UNUSED int store_dispute_list(struct store *st,
						 const struct store_dispute_filter *f,
						 int64_t after, int limit, json_t **items,
						 int64_t *next, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_list(st, f, after, limit, items, next, e);
}
/* The id of the order's dispute in one of the NULL-terminated `states`, if any (*found). */
static inline WARN_UNUSED int store_dispute_for_order(struct store *st, const char *order_id,
						      const char *const *states, char id[ID_MAX],
						      int *found, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_for_order(st, order_id, states, id, found, e);
}

static inline WARN_UNUSED int store_dispute_event_insert(struct store *st, const char *id,
							 const char *dispute_id, int64_t now,
							 json_t *body, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_event_insert(st, id, dispute_id, now, body, e);
}
/* One dispute event by id (RC_NOTFOUND if none). */
static inline WARN_UNUSED int store_dispute_event_get(struct store *st, const char *id,
						      json_t **body, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_event_get(st, id, body, e);
}
static inline WARN_UNUSED int store_dispute_event_list(struct store *st, const char *dispute_id,
						       int64_t after, int limit, json_t **items,
						       int64_t *next, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_event_list(st, dispute_id, after, limit, items,
							   next, e);
}
/* Call `fn` with each of a dispute's events, oldest first; a non-zero return stops and is returned. */
static inline WARN_UNUSED int store_dispute_event_each(struct store *st, const char *dispute_id,
						       int (*fn)(void *ctx, json_t *ev), void *ctx,
						       struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_event_each(st, dispute_id, fn, ctx, e);
}

/*
 * The queue of disputes to assess again: queue one (once; queuing it again
 * keeps its place), the oldest queued (*found 0 when none), whether one is
 * queued, and take one off (*was 1 if it was queued).
 */
static inline WARN_UNUSED int store_assess_queue(struct store *st, const char *dispute_id,
						 int64_t now, struct err *e)
{
	return STORE_OPS(st)->disputes->assess_queue(st, dispute_id, now, e);
}
static inline WARN_UNUSED int store_assess_next(struct store *st, char id[ID_MAX], int *found,
						struct err *e)
{
	return STORE_OPS(st)->disputes->assess_next(st, id, found, e);
}
static inline WARN_UNUSED int store_assess_queued(struct store *st, const char *dispute_id,
						  int *queued, struct err *e)
{
	return STORE_OPS(st)->disputes->assess_queued(st, dispute_id, queued, e);
}
static inline WARN_UNUSED int store_assess_done(struct store *st, const char *dispute_id, int *was,
						struct err *e)
{
	return STORE_OPS(st)->disputes->assess_done(st, dispute_id, was, e);
}

/* A timer: fires `step`'s timeout for a dispute if it is still in `state`. */
struct store_timer {
	int64_t seq;
	char dispute_id[ID_MAX];
	char step[32];
	char state[32];
	int64_t due_at;
};

static inline WARN_UNUSED int store_timer_add(struct store *st, const char *dispute_id,
					      const char *step, const char *state, int64_t due_at,
					      struct err *e)
{
	return STORE_OPS(st)->disputes->timer_add(st, dispute_id, step, state, due_at, e);
}
/* Up to `max` unfired timers due at or before `now`, earliest first. */
static inline WARN_UNUSED int store_timer_due(struct store *st, int64_t now,
					      struct store_timer *out, int max, int *n,
					      struct err *e)
{
	return STORE_OPS(st)->disputes->timer_due(st, now, out, max, n, e);
}
/* Mark a timer fired (exactly once: RC_CONFLICT if it already was). */
static inline WARN_UNUSED int store_timer_fire(struct store *st, int64_t seq, int64_t now,
					       const char *outcome, struct err *e)
{
	return STORE_OPS(st)->disputes->timer_fire(st, seq, now, outcome, e);
}

/* An obligation the platform owes in a dispute (kind: acknowledge, decide, execute, appeal). */
static inline WARN_UNUSED int store_obligation_add(struct store *st, const char *dispute_id,
						   const char *kind, int64_t now, int64_t due_at,
						   struct err *e)
{
	return STORE_OPS(st)->disputes->obligation_add(st, dispute_id, kind, now, due_at, e);
}
/* Meet the open obligation of that kind (if any); *met says whether one was open. */
static inline WARN_UNUSED int store_obligation_meet(struct store *st, const char *dispute_id,
						    const char *kind, int64_t now, int *met,
						    struct err *e)
{
	return STORE_OPS(st)->disputes->obligation_meet(st, dispute_id, kind, now, met, e);
}
/*
 * Cancel the dispute's obligations that are neither met nor breached: the
 * duty fell away (the consumer withdrew, or went to a court before any
 * outcome). `reason` (a snake_case code) is kept; the compliance report
 * lists cancelled obligations with it.
 */
static inline WARN_UNUSED int store_obligation_cancel_open(struct store *st, const char *dispute_id,
							   const char *reason, int64_t now,
							   struct err *e)
{
	return STORE_OPS(st)->disputes->obligation_cancel_open(st, dispute_id, reason, now, e);
}

/* Mark the open, unmet obligation of that kind breached (once). */
static inline WARN_UNUSED int store_obligation_breach(struct store *st, const char *dispute_id,
						      const char *kind, int64_t now, struct err *e)
{
	return STORE_OPS(st)->disputes->obligation_breach(st, dispute_id, kind, now, e);
}

/* ---- reports (store_sqlite_reports.c) ---- */

/* One obligation row, as the compliance report reads it. */
struct store_obligation {
	int64_t seq;               /* row number: the order the duties arose in */
	char dispute_id[ID_MAX];   /* dsp_…, or for a disclosure duty its dsc_… */
	char kind[16];             /* acknowledge, decide, appeal, execute, disclose */
	int64_t created_at;        /* ms: when the duty arose */
	int64_t due_at;            /* ms: when it had to be met by */
	int met;                   /* 1 if met_at is set */
	int64_t met_at;            /* ms; 0 unless met */
	int breached;              /* 1 if a timer found it unmet past due_at */
	int64_t breached_at;       /* ms; 0 unless breached */
	int cancelled;             /* 1 if the duty fell away unmet */
	int64_t cancelled_at;      /* ms; 0 unless cancelled */
	char cancel_reason[40];    /* why, e.g. consumer_withdrew; "" unless cancelled */
};

/*
 * Call `fn` for every obligation created in [from, to) (cancelled ones too,
 * marked), in the order they were created, then every disclosure request
 * an agent had to answer (kind "disclose", met when answered), likewise; `o` is valid only during the call. Stops at the first
 * non-zero return of `fn`, which is returned (fn sets `e` itself). RC_DB
 * if the database fails, RC_INTERNAL for a row the schema should not allow
 * (a kind longer than the struct holds).
 */
static inline WARN_UNUSED int store_obligation_each(struct store *st, int64_t from, int64_t to,
						    int (*fn)(void *ctx, const struct store_obligation *o, struct err *e),
						    void *ctx, struct err *e)
{
	return STORE_OPS(st)->disputes->obligation_each(st, from, to, fn, ctx, e);
}

/*
 * Call `fn` for every dispute opened in [from, to), in the order they were
 * opened, with its created_at (ms), its tier and its reason (the consumer's
 * focus; "" where the body has none); the strings are valid only during the
 * call. Stops at the first non-zero return of `fn`, which is returned.
 * RC_DB if the database fails.
 */
static inline WARN_UNUSED int store_dispute_opened_each(struct store *st, int64_t from, int64_t to,
							int (*fn)(void *ctx, int64_t created_at,
								  const char *tier, const char *reason,
								  struct err *e),
							void *ctx, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_opened_each(st, from, to, fn, ctx, e);
}

/* ---- published versions of the dispute rules (cases/rules_set.h) ---- */

/* One stored version; all strings borrowed. */
struct store_rules_version {
	int64_t seq;          /* its row, in the order versions were stored */
	const char *version;  /* "YYYY-MM-DD.N" */
	int64_t published_at; /* when it takes effect, UTC ms */
	int64_t loaded_at;    /* when the platform loaded it, UTC ms */
	const char *text;     /* the rules file as published, NUL-terminated */
	size_t len;           /* its length */
	const char *digest;   /* "sha256:" and the text's SHA-256 in hex */
};

/*
 * Store a version (v->seq is ignored). RC_CONFLICT if the version is
 * stored already: versions never change.
 */
static inline WARN_UNUSED int store_rules_version_put(struct store *st,
						      const struct store_rules_version *v,
						      struct err *e)
{
	return STORE_OPS(st)->disputes->rules_version_put(st, v, e);
}

/*
 * Call `fn` for each stored version after row `after` (0 for all), in
 * order, at most `max` of them; a non-zero return from `fn` stops the walk
 * and is returned.
 */
static inline WARN_UNUSED int store_rules_version_each(struct store *st, int64_t after, int max,
						       int (*fn)(void *cls, const struct store_rules_version *v, struct err *e),
						       void *cls, struct err *e)
{
	return STORE_OPS(st)->disputes->rules_version_each(st, after, max, fn, cls, e);
}

/* ---- the agent queue and listing suspensions (store_sqlite_queue.c, store_sqlite_suspensions.c) ---- */

/* Where a page of the agent queue ends: the last dispute's sort key. */
struct store_queue_pos {
	int rank;                 /* the tier's place in `tiers` (past the list: its length) */
	int64_t due;              /* next.due_at in ms; INT64_MAX when there is none */
	char id[ID_MAX];          /* the dispute's id; "" before the first page */
};

/*
 * The agent queue: disputes in one of `states` (a JSON array of state
 * names, borrowed) that match `f`, ordered by the place of their tier in
 * `tiers` (a JSON array; a tier not in it comes last), then by the due time
 * of their `next` step (none last), then by id; only those after `after`
 * (NULL for the first page). At most `limit` bodies go into *items; *more
 * is 1 when others follow, and *last then holds the last one's key.
 */
static inline WARN_UNUSED int store_dispute_queue(struct store *st,
						  const struct store_dispute_filter *f,
						  json_t *states, json_t *tiers,
						  const struct store_queue_pos *after, int limit,
						  json_t **items, struct store_queue_pos *last,
						  int *more, struct err *e)
{
	return STORE_OPS(st)->disputes->dispute_queue(st, f, states, tiers, after, limit, items,
						      last, more, e);
}

/*
 * Listing suspensions (E-Commerce Law art. 38 measures): at most one
 * active per listing. Insert a new active one (RC_CONFLICT, code
 * "already_suspended", if the listing has one); *body is the stored JSON.
 */
static inline WARN_UNUSED int store_suspension_insert(struct store *st, const char *id,
						      const char *listing_id,
						      const char *dispute_id, int64_t now,
						      json_t *body, struct err *e)
{
	return STORE_OPS(st)->disputes->suspension_insert(st, id, listing_id, dispute_id, now, body,
							  e);
}
/* The listing's active suspension (new reference); RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_suspension_active(struct store *st, const char *listing_id,
						      json_t **body, struct err *e)
{
	return STORE_OPS(st)->disputes->suspension_active(st, listing_id, body, e);
}
/* The listings a dispute's active suspensions hold, as a new JSON array of ids. */
static inline WARN_UNUSED int store_suspensions_of_dispute(struct store *st, const char *dispute_id,
							   json_t **listings, struct err *e)
{
	return STORE_OPS(st)->disputes->suspensions_of_dispute(st, dispute_id, listings, e);
}
/* End an active suspension with its final body; RC_NOTFOUND if it is not active. */
static inline WARN_UNUSED int store_suspension_lift(struct store *st, const char *id, int64_t now,
						    json_t *body, struct err *e)
{
	return STORE_OPS(st)->disputes->suspension_lift(st, id, now, body, e);
}

#endif
