/* store_disclosures.h - disclosure requests and their events (part of store.h). */
#ifndef DISPUTED_STORE_DISCLOSURES_H
#define DISPUTED_STORE_DISCLOSURES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_disclosure_filter;
struct store_disclosure_row;

/*
 * A backend's disclosure requests. Each member does what the store_*
 * function of its name below says, under the rules in store.h.
 */
struct store_disclosures_ops {
	int (*disclosure_insert)(struct store *st, const struct store_disclosure_row *row,
				 struct err *e);
	int (*disclosure_update)(struct store *st, const char *id, const char *state,
				 int64_t decided_at, json_t *body, struct err *e);
	int (*disclosure_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*disclosure_list)(struct store *st, const struct store_disclosure_filter *f,
			       int64_t after, int limit, json_t **items, int64_t *next,
			       struct err *e);
	int (*disclosure_event_insert)(struct store *st, const char *id, const char *disclosure_id,
				       const char *order_id, int64_t now, json_t *body,
				       struct err *e);
	int (*disclosure_event_get)(struct store *st, const char *id, json_t **body, struct err *e);
	int (*disclosure_events)(struct store *st, const char *disclosure_id, json_t **items,
				 struct err *e);
};

/* ---- disclosure requests (store_sqlite_disclosures.c) ---- */

/* A new disclosure request's row. */
struct store_disclosure_row {
	const char *id;             /* "dsc_…" */
	const char *order_id;       /* the order it is about */
	const char *dispute_id;     /* or NULL */
	const char *requester_role; /* consumer, court, association, regulator, agent, platform */
	const char *requester_id;   /* the principal's subject (cus_…, or the body's name) */
	const char *state;          /* pending, released, partially_released, refused */
	int64_t created_at;         /* ms */
	int64_t due_at;             /* ms; 0 when answered at once */
	json_t *body;               /* the disclosure as served (borrowed) */
};

/* Filters for store_disclosure_list; NULL members match everything. */
struct store_disclosure_filter {
	const char *requester_role;
	const char *requester_id;
	const char *state;
	const char *order_id;
};

/* The most events one disclosure keeps (a request, its answer, package views). */
#define STORE_DISCLOSURE_MAX_EVENTS 1000

static inline WARN_UNUSED int store_disclosure_insert(struct store *st,
						      const struct store_disclosure_row *row,
						      struct err *e)
{
	return STORE_OPS(st)->disclosures->disclosure_insert(st, row, e);
}
/* Set a disclosure's state, when it was answered (ms) and its body. RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_disclosure_update(struct store *st, const char *id,
						      const char *state, int64_t decided_at,
						      json_t *body, struct err *e)
{
	return STORE_OPS(st)->disclosures->disclosure_update(st, id, state, decided_at, body, e);
}
/* *body is a new reference. RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_disclosure_get(struct store *st, const char *id, json_t **body,
						   struct err *e)
{
	return STORE_OPS(st)->disclosures->disclosure_get(st, id, body, e);
}
/* A page of disclosures, oldest first, as store_list pages. */
static inline WARN_UNUSED int store_disclosure_list(struct store *st,
						    const struct store_disclosure_filter *f,
						    int64_t after, int limit, json_t **items,
						    int64_t *next, struct err *e)
{
	return STORE_OPS(st)->disclosures->disclosure_list(st, f, after, limit, items, next, e);
}
static inline WARN_UNUSED int store_disclosure_event_insert(struct store *st, const char *id,
							    const char *disclosure_id,
							    const char *order_id, int64_t now,
							    json_t *body, struct err *e)
{
	return STORE_OPS(st)->disclosures->disclosure_event_insert(st, id, disclosure_id, order_id,
								   now, body, e);
}
static inline WARN_UNUSED int store_disclosure_event_get(struct store *st, const char *id,
							 json_t **body, struct err *e)
{
	return STORE_OPS(st)->disclosures->disclosure_event_get(st, id, body, e);
}
/* A disclosure's events, oldest first (at most STORE_DISCLOSURE_MAX_EVENTS). */
static inline WARN_UNUSED int store_disclosure_events(struct store *st, const char *disclosure_id,
						      json_t **items, struct err *e)
{
	return STORE_OPS(st)->disclosures->disclosure_events(st, disclosure_id, items, e);
}

#endif
