/* store_sqlite_walk.c - the SQLite side of walking every stored record with the columns that link it to others, for audits. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/*
 * One query per kind of record: its id, version, body, then the columns
 * that link it, named as they are in the table (each becomes a member of
 * the record's "links" object).
 */
static const struct walk_query {
	const char *kind;
	const char *sql;
	const char *const cols[5];
} queries[] = {
	/* a merchant's versions: the seal's version (store_merchant_seal_version) */
	{"merchant", "SELECT id, CASE WHEN json_extract(body, '$.version') > 1 "
		     "THEN json_extract(body, '$.version') ELSE 0 END, body FROM merchants "
		     "ORDER BY seq", {NULL}},
	{"merchant", "SELECT id, CASE WHEN version > 1 THEN version ELSE 0 END, body "
		     "FROM merchant_versions ORDER BY seq", {NULL}},
	{"listing", "SELECT id, version, body, merchant_id FROM listings ORDER BY seq",
	 {"merchant_id", NULL}},
	{"order", "SELECT id, 0, body, merchant_id, consumer_id FROM orders ORDER BY seq",
	 {"merchant_id", "consumer_id", NULL}},
	{"logistics", "SELECT id, 0, body, order_id FROM logistics_events ORDER BY seq",
	 {"order_id", NULL}},
	{"message", "SELECT id, 0, body, order_id FROM messages ORDER BY seq", {"order_id", NULL}},
	{"dispute_event", "SELECT id, 0, body, dispute_id FROM dispute_events ORDER BY seq",
	 {"dispute_id", NULL}},
	{"disclosure_event", "SELECT id, 0, body, order_id FROM disclosure_events ORDER BY seq",
	 {"order_id", NULL}},
	{"dispute", "SELECT id, 0, body, order_id, merchant_id, consumer_id, state "
		    "FROM disputes ORDER BY seq",
	 {"order_id", "merchant_id", "consumer_id", "state", NULL}},
	{"consumer_flag_event", "SELECT id, 0, body, consumer_id FROM consumer_flag_events "
				"ORDER BY seq",
	 {"consumer_id", NULL}},
	{"blob", "SELECT 'sha256:' || digest, 0, json_object('id', 'sha256:' || digest, "
		 "'content_type', content_type, 'size', size, 'created_at', created_at) "
		 "FROM blobs ORDER BY digest",
	 {NULL}},
	{"shredding", "SELECT id, 0, body, order_id FROM shreddings ORDER BY seq",
	 {"order_id", NULL}},
};

/* An order's item rows: [{"listing_id", "listing_version"}] in index order. */
static int order_items(struct store *st, const char *order_id, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	int step = SQLITE_DONE, rc = sq_prep(st, "SELECT listing_id, listing_version FROM order_items "
				  "WHERE order_id = ? ORDER BY idx", &s, e);

	*out = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, order_id);
	*out = json_array();
	while (*out && (step = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, json_pack("{s:s, s:I}", "listing_id",
						      (const char *)sqlite3_column_text(s, 0),
						      "listing_version", (json_int_t)sqlite3_column_int64(s, 1)));
	if (!*out)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	else if (step != SQLITE_DONE)
		rc = sq_fail(st, e, "read order items");
	sqlite3_finalize(s);
	return rc;
}

static int walk_one(struct store *st, const struct walk_query *q,
		    int (*fn)(void *ctx, const struct store_record_ref *r), void *ctx,
		    struct err *e)
{
	sqlite3_stmt *s;
	struct store_record_ref r;
	int step = SQLITE_DONE, rc = sq_prep(st, q->sql, &s, e);
	size_t i;

	if (rc)
		return rc;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.kind = q->kind;
		r.id = (const char *)sqlite3_column_text(s, 0);
		r.version = sqlite3_column_int64(s, 1);
		r.body = sq_col_json(s, 2);
		r.links = json_object();
		for (i = 0; q->cols[i] && r.links; i++)
			json_object_set_new(r.links, q->cols[i],
					    sqlite3_column_type(s, (int)i + 3) == SQLITE_NULL
						    ? json_null()
						    : json_string((const char *)sqlite3_column_text(
							      s, (int)i + 3)));
		if (!r.links || !r.id)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		else if (strcmp(q->kind, "order") == 0) {
			json_t *items = NULL;

			rc = order_items(st, r.id, &items, e);
			if (!rc)
				json_object_set_new(r.links, "items", items);
		}
		if (!rc)
			rc = fn(ctx, &r);
		json_decref(r.body);
		json_decref(r.links);
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read records");
	sqlite3_finalize(s);
	return rc;
}

int sq_record_each(struct store *st, int (*fn)(void *ctx, const struct store_record_ref *r),
		   void *ctx, struct err *e)
{
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]) && !rc; i++)
		rc = walk_one(st, &queries[i], fn, ctx, e);
	return rc;
}
