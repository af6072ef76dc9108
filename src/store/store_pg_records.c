/* store_pg_records.c - the PostgreSQL side of store_records.h: records, blobs, counts. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *table;      /* table name */
	const char *name;       /* kind name, as in blob_refs.kind */
} kinds[STORE__KINDS] = {
	[STORE_MERCHANT] = {"merchants", "merchant"},
	[STORE_CONSUMER] = {"consumers", "consumer"},
	[STORE_LISTING] = {"listings", "listing"},
	[STORE_ORDER] = {"orders", "order"},
	[STORE_LOGISTICS] = {"logistics_events", "logistics"},
	[STORE_MESSAGE] = {"messages", "message"},
	[STORE_DISPUTE] = {"disputes", "dispute"},
};

/*
 * The insert of each kind. $1 id, $2 external_id, $3 merchant, $4
 * consumer, $5 order, $6 created_at, $7 body, $8 version: every text
 * names all eight, so PostgreSQL can give each a type when it prepares
 * it; the columns a kind does not have are passed as NULL, which its
 * "WHERE $n IS NULL" holds (pgr_put). A unique key
 * taken is "no row inserted" (ON CONFLICT DO NOTHING), not a failed
 * statement: PostgreSQL would fail the whole transaction, SQLite only
 * the statement, and a duplicate external id leaves the transaction
 * usable on both.
 */
static const char *const put_sql[STORE__KINDS] = {
	[STORE_MERCHANT] = "INSERT INTO merchants (id, external_id, created_at, body) "
			   "SELECT $1, $2, $6, $7 WHERE $3::text IS NULL AND $4::text IS NULL "
			   "AND $5::text IS NULL AND $8::bigint IS NOT NULL "
			   "ON CONFLICT DO NOTHING",
	[STORE_CONSUMER] = "INSERT INTO consumers (id, external_id, created_at, body) "
			   "SELECT $1, $2, $6, $7 WHERE $3::text IS NULL AND $4::text IS NULL "
			   "AND $5::text IS NULL AND $8::bigint IS NOT NULL "
			   "ON CONFLICT DO NOTHING",
	[STORE_LISTING] = "INSERT INTO listings (id, version, external_id, merchant_id, "
			  "created_at, body, category) SELECT $1, $8, $2, $3, $6, $7::text, "
			  "$7::text::json ->> 'category' WHERE $4::text IS NULL AND $5::text IS NULL "
			  "ON CONFLICT DO NOTHING",
	[STORE_ORDER] = "INSERT INTO orders (id, external_id, merchant_id, consumer_id, "
			"created_at, body) SELECT $1, $2, $3, $4, $6, $7 "
			"WHERE $5::text IS NULL AND $8::bigint IS NOT NULL ON CONFLICT DO NOTHING",
	[STORE_LOGISTICS] = "INSERT INTO logistics_events (id, order_id, created_at, body) "
			    "SELECT $1, $5, $6, $7 WHERE $2::text IS NULL AND $3::text IS NULL "
			    "AND $4::text IS NULL AND $8::bigint IS NOT NULL "
			    "ON CONFLICT DO NOTHING",
	[STORE_MESSAGE] = "INSERT INTO messages (id, order_id, created_at, body) "
			  "SELECT $1, $5, $6, $7 WHERE $2::text IS NULL AND $3::text IS NULL "
			  "AND $4::text IS NULL AND $8::bigint IS NOT NULL "
			  "ON CONFLICT DO NOTHING",
};

/* The order's items' listing versions, for visibility and integrity. */
static int put_items(struct store *st, const struct store_row *row, struct err *e)
{
	json_t *items = json_object_get(row->body, "items"), *it;
	char i_text[PG_I64_TEXT], v_text[PG_I64_TEXT];
	size_t i;
	int rc = RC_OK;

	json_array_foreach(items, i, it) {
		const char *p[] = {row->id, pg_i64(i_text, (int64_t)i),
				   json_string_value(json_object_get(it, "listing")),
				   pg_i64(v_text, json_integer_value(
							  json_object_get(it, "listing_version")))};

		rc = pg_query(st->pg, "INSERT INTO order_items (order_id, idx, listing_id, "
			      "listing_version) VALUES ($1, $2, $3, $4)", 4, p, NULL, e);
		if (rc)
			break;
	}
	return rc;
}

/* One statement text per kind (put_sql), parameters in one order. */
static int pgr_put(struct store *st, enum store_kind kind, const struct store_row *row,
		   struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[8];
	struct pg_rows rows;
	char *body;
	int rc;

	if ((unsigned)kind >= STORE__KINDS || !put_sql[kind])
		return err_set(e, RC_INTERNAL, NULL, NULL, "bad record kind");
	body = pg_dump(row->body);
	if (!body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	p[0] = row->id;
	p[1] = kind == STORE_LOGISTICS || kind == STORE_MESSAGE ? NULL : row->external_id;
	p[2] = kind == STORE_LISTING || kind == STORE_ORDER ? row->merchant_id : NULL;
	p[3] = kind == STORE_ORDER ? row->consumer_id : NULL;
	p[4] = kind == STORE_LOGISTICS || kind == STORE_MESSAGE ? row->order_id : NULL;
	p[5] = pg_i64(t1, row->created_at);
	p[6] = body;
	p[7] = pg_i64(t2, row->version);
	rc = pg_query(st->pg, put_sql[kind], 8, p, &rows, e);
	free(body);
	if (rc)
		return rc;
	if (pg_rows_changed(&rows) == 0) {
		if (row->external_id)
			rc = err_set(e, RC_CONFLICT, "duplicate_external_id", "external_id",
				     "a %s with external_id %s already exists", kinds[kind].name,
				     row->external_id);
		else
			rc = err_set(e, RC_CONFLICT, "conflict", NULL, "a %s %s already exists",
				     kinds[kind].name, row->id);
	}
	pg_rows_clear(&rows);
	if (!rc && kind == STORE_ORDER)
		rc = put_items(st, row, e);
	return rc;
}

static int pgr_replace(struct store *st, enum store_kind kind, const char *id, json_t *body,
		       struct err *e)
{
	const char *p[2];
	char *text;
	int rc;

	if (kind != STORE_CONSUMER)
		return err_set(e, RC_INTERNAL, NULL, NULL, "only consumers are updated");
	text = pg_dump(body);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	p[0] = text;
	p[1] = id;
	rc = pg_query(st->pg, "UPDATE consumers SET body = $1 WHERE id = $2", 2, p, NULL, e);
	free(text);
	return rc;
}

/* The newest row of `table` by id, else by external id: its seq, as a subquery on $1. */
#define NEWEST(table)                                                                            \
	"coalesce((SELECT max(seq) FROM " table " WHERE id = $1), "                              \
	"(SELECT max(seq) FROM " table " WHERE external_id = $1))"

static const char *const get_sql[STORE__KINDS] = {
	[STORE_MERCHANT] = "SELECT body FROM merchants WHERE seq = " NEWEST("merchants"),
	[STORE_CONSUMER] = "SELECT body FROM consumers WHERE seq = " NEWEST("consumers"),
	[STORE_LISTING] = "SELECT body FROM listings WHERE seq = " NEWEST("listings"),
	[STORE_ORDER] = "SELECT body FROM orders WHERE seq = " NEWEST("orders"),
	[STORE_LOGISTICS] = "SELECT body FROM logistics_events WHERE id = $1",
	[STORE_MESSAGE] = "SELECT body FROM messages WHERE id = $1",
	[STORE_DISPUTE] = "SELECT body FROM disputes WHERE id = $1",
};

static int pgr_get(struct store *st, enum store_kind kind, const char *ref, json_t **body,
		   struct err *e)
{
	const char *p[] = {ref};
	struct pg_rows rows;
	int rc;

	*body = NULL;
	if ((unsigned)kind >= STORE__KINDS)
		return err_set(e, RC_INTERNAL, NULL, NULL, "bad record kind");
	rc = pg_query(st->pg, get_sql[kind], 1, p, &rows, e);
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*body = pg_col_json(&rows, 0);
		if (!*body)
			rc = err_set(e, RC_DB, "database_error", NULL, "corrupt record %s", ref);
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no %s %s", kinds[kind].name, ref);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_ref_get(struct store *st, enum store_kind kind, const char *ref,
		       struct store_ref *out, struct err *e)
{
	const char *p[] = {ref};
	struct pg_rows rows;
	int rc;

	memset(out, 0, sizeof(*out));
	if (kind == STORE_MERCHANT)
		/* a merchant's version as store_merchant_version_of reads it: an integer, else 1 */
		rc = pg_query(st->pg, "SELECT id, CASE WHEN json_typeof(body::json -> 'version') = "
			      "'number' THEN body::json ->> 'version' END, '' FROM merchants "
			      "WHERE seq = " NEWEST("merchants"), 1, p, &rows, e);
	else if (kind == STORE_LISTING)
		rc = pg_query(st->pg, "SELECT id, version, merchant_id FROM listings "
			      "WHERE seq = " NEWEST("listings"), 1, p, &rows, e);
	else
		return err_set(e, RC_INTERNAL, NULL, NULL, "only merchants and listings");
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		snprintf(out->id, sizeof(out->id), "%s", pg_col_text(&rows, 0));
		out->version = pg_col_int64(&rows, 1);
		if (kind == STORE_MERCHANT && out->version < 1)
			out->version = 1;
		snprintf(out->merchant_id, sizeof(out->merchant_id), "%s", pg_col_text(&rows, 2));
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no %s %s", kinds[kind].name, ref);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_listing_version(struct store *st, const char *listing_id, int64_t version,
			       json_t **body, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {listing_id, pg_i64(t, version)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT body FROM listings WHERE id = $1 AND version = $2", 2, p,
			  &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows))
		*body = pg_col_json(&rows, 0);
	pg_rows_clear(&rows);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no version %lld of listing %s",
			     (long long)version, listing_id);
	return rc;
}

static int pgr_list(struct store *st, enum store_kind kind, const struct store_filter *f,
		    int64_t after, int limit, json_t **items, int64_t *next, struct err *e)
{
	char sql[512], t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), f ? f->merchant_id : NULL, f ? f->consumer_id : NULL,
			   f ? f->order_id : NULL, pg_i64(t2, (int64_t)limit + 1)};
	struct pg_rows rows;
	const char *where;
	int rc;

	*items = NULL;
	*next = 0;
	if ((unsigned)kind >= STORE__KINDS)
		return err_set(e, RC_INTERNAL, NULL, NULL, "bad record kind");
	switch (kind) {
	case STORE_ORDER:
		where = "($2::text IS NULL OR merchant_id = $2) AND "
			"($3::text IS NULL OR consumer_id = $3)";
		break;
	case STORE_LISTING:
		where = "($2::text IS NULL OR merchant_id = $2) AND seq IN "
			"(SELECT max(seq) FROM listings GROUP BY id)";
		break;
	case STORE_LOGISTICS:
	case STORE_MESSAGE:
		where = "order_id = $4";
		break;
	default:
		where = "TRUE";
	}
	/* every statement names all five parameters, so each has a type */
	snprintf(sql, sizeof(sql),
		 "SELECT seq, body FROM %s WHERE seq > $1 AND %s AND ($2::text, $3::text, "
		 "$4::text) IS NOT DISTINCT FROM ($2, $3, $4) ORDER BY seq LIMIT $5",
		 kinds[kind].table, where);
	rc = pg_query(st->pg, sql, 5, p, &rows, e);
	if (rc)
		return rc;
	return pg_page(&rows, limit, items, next, e);
}

/* Whether `sql` (two text parameters) returns a row. */
static int exists(struct store *st, const char *sql, const char *a, const char *b, int *yes,
		  struct err *e)
{
	const char *p[] = {a, b};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, 2, p, &rows, e);

	*yes = 0;
	if (rc)
		return rc;
	*yes = pg_step(&rows);
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgr_consumer_has_merchant(struct store *st, const char *consumer_id,
				     const char *merchant_id, int *yes, struct err *e)
{
	return exists(st, "SELECT 1 FROM orders WHERE consumer_id = $1 AND merchant_id = $2 "
		      "LIMIT 1", consumer_id, merchant_id, yes, e);
}

static int pgr_consumer_has_listing(struct store *st, const char *consumer_id,
				    const char *listing_id, int *yes, struct err *e)
{
	return exists(st, "SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_id "
		      "WHERE i.listing_id = $2 AND o.consumer_id = $1 LIMIT 1", consumer_id,
		      listing_id, yes, e);
}

/* ---- blobs ---- */

static int pgr_blob_put(struct store *st, const char *digest_hex, int64_t size,
			const char *content_type, int64_t now, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {digest_hex, pg_i64(t1, size), content_type, pg_i64(t2, now)};

	return pg_query(st->pg, "INSERT INTO blobs (digest, size, content_type, created_at) "
			"VALUES ($1, $2, $3, $4) ON CONFLICT (digest) DO NOTHING", 4, p, NULL, e);
}

static int pgr_blob_get(struct store *st, const char *digest_hex, json_t **out, struct err *e)
{
	const char *p[] = {digest_hex};
	struct pg_rows rows;
	char id[80];
	int rc = pg_query(st->pg, "SELECT size, content_type, created_at FROM blobs "
			  "WHERE digest = $1", 1, p, &rows, e);

	*out = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		snprintf(id, sizeof(id), "sha256:%s", digest_hex);
		*out = json_pack("{s:s, s:s, s:I, s:s, s:I}", "object", "blob", "id", id,
				 "size", (json_int_t)pg_col_int64(&rows, 0),
				 "content_type", pg_col_text(&rows, 1),
				 "created_at", (json_int_t)pg_col_int64(&rows, 2));
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no blob sha256:%s", digest_hex);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgr_blob_ref(struct store *st, const char *digest_hex, enum store_kind kind,
			const char *owner_id, struct err *e)
{
	const char *p[3];

	if ((unsigned)kind >= STORE__KINDS)
		return err_set(e, RC_INTERNAL, NULL, NULL, "bad record kind");
	p[0] = digest_hex;
	p[1] = kinds[kind].name;
	p[2] = owner_id;
	return pg_query(st->pg, "INSERT INTO blob_refs (digest, kind, owner_id) "
			"VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, p, NULL, e);
}

static int pgr_blob_upload(struct store *st, const char *digest_hex, const char *role,
			   const char *subject, int64_t now, int *first, int64_t *at,
			   struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {digest_hex, role, subject, pg_i64(t, now)};
	struct pg_rows rows;
	int rc;

	*first = 0;
	*at = now;
	/* the row inserted, or the one there before: its created_at either way */
	rc = pg_query(st->pg, "WITH ins AS (INSERT INTO blob_uploads (digest, role, subject, "
		      "created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING "
		      "RETURNING created_at) "
		      "SELECT 1, created_at FROM ins UNION ALL "
		      "SELECT 0, created_at FROM blob_uploads WHERE digest = $1 AND role = $2 "
		      "AND subject = $3", 4, p, &rows, e);
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*first = pg_col_int64(&rows, 0) == 1;
		*at = pg_col_int64(&rows, 1);
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgr_blob_visible(struct store *st, const char *digest_hex, const char *merchant_id,
			    const char *consumer_id, int *yes, struct err *e)
{
	const char *p[] = {digest_hex, merchant_id, consumer_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg,
			  "SELECT 1 FROM blob_uploads u WHERE u.digest = $1 AND ("
			  " (u.role = 'merchant' AND u.subject = $2::text)"
			  " OR (u.role = 'consumer' AND u.subject = $3::text)) "
			  "UNION ALL "
			  "SELECT 1 FROM blob_refs r WHERE r.digest = $1 AND ("
			  " (r.kind = 'merchant' AND r.owner_id = $2)"
			  " OR (r.kind = 'listing' AND EXISTS (SELECT 1 FROM listings l"
			  "     WHERE l.id = r.owner_id AND l.merchant_id = $2))"
			  " OR (r.kind = 'listing' AND EXISTS (SELECT 1 FROM order_items i"
			  "     JOIN orders o ON o.id = i.order_id"
			  "     WHERE i.listing_id = r.owner_id AND o.consumer_id = $3))"
			  " OR (r.kind = 'message' AND EXISTS (SELECT 1 FROM messages m"
			  "     JOIN orders o ON o.id = m.order_id WHERE m.id = r.owner_id"
			  "     AND (o.merchant_id = $2 OR o.consumer_id = $3)))"
			  " OR (r.kind = 'dispute' AND EXISTS (SELECT 1 FROM disputes d"
			  "     WHERE d.id = r.owner_id"
			  "     AND (d.merchant_id = $2 OR d.consumer_id = $3)))"
			  ") LIMIT 1",
			  3, p, &rows, e);

	*yes = 0;
	if (rc)
		return rc;
	*yes = pg_step(&rows);
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgr_count(struct store *st, enum store_kind kind, int64_t *n, struct err *e)
{
	char sql[128];
	struct pg_rows rows;
	int rc;

	*n = 0;
	if ((unsigned)kind >= STORE__KINDS)
		return err_set(e, RC_INTERNAL, NULL, NULL, "bad record kind");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", kinds[kind].table);
	rc = pg_query(st->pg, sql, 0, NULL, &rows, e);
	if (rc)
		return rc;
	if (pg_step(&rows))
		*n = pg_col_int64(&rows, 0);
	pg_rows_clear(&rows);
	return RC_OK;
}

const struct store_records_ops pg_records_ops = {
	.put = pgr_put,
	.replace = pgr_replace,
	.ref_get = pgr_ref_get,
	.get = pgr_get,
	.listing_version = pgr_listing_version,
	.list = pgr_list,
	.consumer_has_merchant = pgr_consumer_has_merchant,
	.consumer_has_listing = pgr_consumer_has_listing,
	.blob_put = pgr_blob_put,
	.blob_get = pgr_blob_get,
	.blob_ref = pgr_blob_ref,
	.blob_upload = pgr_blob_upload,
	.blob_visible = pgr_blob_visible,
	.merchant_verified = pg_merchant_verified,
	.merchant_update = pg_merchant_update,
	.merchant_version = pg_merchant_version,
	.merchant_unverified = pg_merchant_unverified,
	.count = pgr_count,
};
