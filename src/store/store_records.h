/* store_records.h - the records the platform pushes, blobs, merchant versions (part of store.h). */
#ifndef DISPUTED_STORE_RECORDS_H
#define DISPUTED_STORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_filter;
struct store_ref;
struct store_row;

/*
 * A backend's records, blobs, merchant versions. Each member does what the
 * store_* function of its name below says, under the rules in store.h.
 */
struct store_records_ops {
	int (*put)(struct store *st, enum store_kind kind, const struct store_row *row,
		   struct err *e);
	int (*replace)(struct store *st, enum store_kind kind, const char *id, json_t *body,
		       struct err *e);
	int (*ref_get)(struct store *st, enum store_kind kind, const char *ref,
		       struct store_ref *out, struct err *e);
	int (*get)(struct store *st, enum store_kind kind, const char *ref, json_t **body,
		   struct err *e);
	int (*listing_version)(struct store *st, const char *listing_id, int64_t version,
			       json_t **body, struct err *e);
	int (*list)(struct store *st, enum store_kind kind, const struct store_filter *f,
		    int64_t after, int limit, json_t **items, int64_t *next, struct err *e);
	int (*consumer_has_merchant)(struct store *st, const char *consumer_id,
				     const char *merchant_id, int *yes, struct err *e);
	int (*consumer_has_listing)(struct store *st, const char *consumer_id,
				    const char *listing_id, int *yes, struct err *e);
	int (*blob_put)(struct store *st, const char *digest_hex, int64_t size,
			const char *content_type, int64_t now, struct err *e);
	int (*blob_get)(struct store *st, const char *digest_hex, json_t **out, struct err *e);
	int (*blob_ref)(struct store *st, const char *digest_hex, enum store_kind kind,
			const char *owner_id, struct err *e);
	int (*blob_upload)(struct store *st, const char *digest_hex, const char *role,
			   const char *subject, int64_t now, int *first, int64_t *at,
			   struct err *e);
	int (*blob_visible)(struct store *st, const char *digest_hex, const char *merchant_id,
			    const char *consumer_id, int *yes, struct err *e);
	int (*merchant_verified)(struct store *st, const char *id, int64_t verified_at,
				 struct err *e);
	int (*merchant_update)(struct store *st, const char *id, json_t *body, int64_t verified_at,
			       int64_t now, struct err *e);
	int (*merchant_version)(struct store *st, const char *id, int64_t version, json_t **body,
				struct err *e);
	int (*merchant_unverified)(struct store *st, int64_t before, int64_t after, int limit,
				   json_t **items, int64_t *next, struct err *e);
	int (*count)(struct store *st, enum store_kind kind, int64_t *n, struct err *e);
};

/* ---- records ---- */

/* One stored record and the columns it is found by. */
struct store_row {
	const char *id;           /* prefixed id; with a version, shared by versions */
	const char *external_id;  /* platform's id, or NULL */
	int64_t version;          /* listings: 1, 2, …; others 0 */
	const char *merchant_id;  /* owning merchant, or NULL */
	const char *consumer_id;  /* owning consumer, or NULL */
	const char *order_id;     /* parent order, or NULL */
	int64_t created_at;       /* ms */
	json_t *body;             /* the record as served (borrowed) */
};

/*
 * Insert a record. RC_CONFLICT (code "duplicate_external_id", param
 * "external_id") if `external_id` is taken by another record of the kind;
 * listing versions share an external_id.
 */
static inline WARN_UNUSED int store_put(struct store *st, enum store_kind kind,
					const struct store_row *row, struct err *e)
{
	return STORE_OPS(st)->records->put(st, kind, row, e);
}

/* Replace the body of an existing record (consumers only: contact updates). */
static inline WARN_UNUSED int store_replace(struct store *st, enum store_kind kind, const char *id,
					    json_t *body, struct err *e)
{
	return STORE_OPS(st)->records->replace(st, kind, id, body, e);
}

/* What an order needs of a merchant or listing it names, read without its body. */
struct store_ref {
	char id[64];           /* the record's id */
	int64_t version;       /* a listing's version; a merchant's (1 before versions) */
	char merchant_id[64];  /* a listing's merchant; "" for a merchant */
};

/*
 * As store_get, for merchants and listings: the id, version and merchant
 * of the record (for listings, the newest version) by id or external id,
 * without reading its body into JSON. RC_NOTFOUND if none.
 */
static inline WARN_UNUSED int store_ref_get(struct store *st, enum store_kind kind, const char *ref,
					    struct store_ref *out, struct err *e)
{
	return STORE_OPS(st)->records->ref_get(st, kind, ref, out, e);
}

/*
 * Fetch a record by its id or external id (for listings, the newest
 * version). *body is a new reference. RC_NOTFOUND if none.
 */
static inline WARN_UNUSED int store_get(struct store *st, enum store_kind kind, const char *ref,
					json_t **body, struct err *e)
{
	return STORE_OPS(st)->records->get(st, kind, ref, body, e);
}

/* A listing's given version. RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_listing_version(struct store *st, const char *listing_id,
						    int64_t version, json_t **body, struct err *e)
{
	return STORE_OPS(st)->records->listing_version(st, listing_id, version, body, e);
}

/* Filters for store_list; NULL members match everything. */
struct store_filter {
	const char *merchant_id;
	const char *consumer_id;
	const char *order_id;
};

/*
 * List records of `kind` matching `f`, oldest first, after row `after`
 * (0 for the start), at most `limit`. *items is a new array; *next is the
 * row to continue after, or 0 when there is nothing more. Listings are
 * listed by their newest versions.
 */
static inline WARN_UNUSED int store_list(struct store *st, enum store_kind kind,
					 const struct store_filter *f, int64_t after, int limit,
					 json_t **items, int64_t *next, struct err *e)
{
	return STORE_OPS(st)->records->list(st, kind, f, after, limit, items, next, e);
}

/* Whether the consumer has an order with the merchant. */
static inline WARN_UNUSED int store_consumer_has_merchant(struct store *st, const char *consumer_id,
							  const char *merchant_id, int *yes,
							  struct err *e)
{
	return STORE_OPS(st)->records->consumer_has_merchant(st, consumer_id, merchant_id, yes, e);
}

/* Whether the consumer has ordered (any version of) the listing. */
static inline WARN_UNUSED int store_consumer_has_listing(struct store *st, const char *consumer_id,
							 const char *listing_id, int *yes,
							 struct err *e)
{
	return STORE_OPS(st)->records->consumer_has_listing(st, consumer_id, listing_id, yes, e);
}

/* ---- blobs ---- */

static inline WARN_UNUSED int store_blob_put(struct store *st, const char *digest_hex, int64_t size,
					     const char *content_type, int64_t now, struct err *e)
{
	return STORE_OPS(st)->records->blob_put(st, digest_hex, size, content_type, now, e);
}
/* {"id":"sha256:…","size":…,"content_type":…,"created_at":…} or RC_NOTFOUND. */
static inline WARN_UNUSED int store_blob_get(struct store *st, const char *digest_hex, json_t **out,
					     struct err *e)
{
	return STORE_OPS(st)->records->blob_get(st, digest_hex, out, e);
}
/* Note that record `owner_id` of `kind` refers to the blob. */
static inline WARN_UNUSED int store_blob_ref(struct store *st, const char *digest_hex,
					     enum store_kind kind, const char *owner_id,
					     struct err *e)
{
	return STORE_OPS(st)->records->blob_ref(st, digest_hex, kind, owner_id, e);
}
/*
 * Record that a consumer or merchant (`role`, `subject` its cus_/mer_ id)
 * uploaded the blob, which makes it visible to them (store_blob_visible).
 * *first is 1 if this party had not uploaded it before; *at is when it
 * first did (now, if first).
 */
static inline WARN_UNUSED int store_blob_upload(struct store *st, const char *digest_hex,
						const char *role, const char *subject, int64_t now,
						int *first, int64_t *at, struct err *e)
{
	return STORE_OPS(st)->records->blob_upload(st, digest_hex, role, subject, now, first, at,
						   e);
}
/*
 * Whether a merchant or consumer may see the blob: they uploaded it, it
 * belongs to one of the merchant's records, to a listing or message of one
 * of their orders, or to one of their disputes. Either id may be NULL.
 */
static inline WARN_UNUSED int store_blob_visible(struct store *st, const char *digest_hex,
						 const char *merchant_id, const char *consumer_id,
						 int *yes, struct err *e)
{
	return STORE_OPS(st)->records->blob_visible(st, digest_hex, merchant_id, consumer_id, yes,
						    e);
}

/* ---- merchant identity versions (store_sqlite_merchants.c) ---- */

/*
 * A merchant's identity has versions 1, 2, … (E-Commerce Law art. 27:
 * kept current and verified again from time to time). `merchants` holds
 * the current version, which store_get and store_list serve; each version
 * it supersedes is kept whole. A body without "version" (recorded before
 * merchants had versions) is version 1.
 *
 * Their seals: version 1 is sealed as version 0, as every merchant was
 * before merchants had versions; version n > 1 as n.
 */
static inline int64_t store_merchant_seal_version(int64_t version)
{
	return version > 1 ? version : 0;
}

/* The merchant's version the body is (1 when it names none). */
int64_t store_merchant_version_of(json_t *body);

/* The merchant's version an order was placed under ("merchant_version"; 1 when it names none). */
int64_t store_order_merchant_version(json_t *order);

/* Note when merchant `id` was last verified (ms). RC_NOTFOUND if no such merchant. */
static inline WARN_UNUSED int store_merchant_verified(struct store *st, const char *id,
						      int64_t verified_at, struct err *e)
{
	return STORE_OPS(st)->records->merchant_verified(st, id, verified_at, e);
}

/*
 * Make `body` (borrowed) merchant `id`'s current version, keeping the
 * version it replaces (superseded at `now`, ms), and note `verified_at`
 * (ms). The body's version
 * must be the current one's plus one (else RC_CONFLICT, code
 * "version_conflict"). RC_NOTFOUND if no such merchant.
 */
static inline WARN_UNUSED int store_merchant_update(struct store *st, const char *id, json_t *body,
						    int64_t verified_at, int64_t now, struct err *e)
{
	return STORE_OPS(st)->records->merchant_update(st, id, body, verified_at, now, e);
}

/* Version `version` of merchant `id` (an id, not an external id). RC_NOTFOUND if none. */
static inline WARN_UNUSED int store_merchant_version(struct store *st, const char *id,
						     int64_t version, json_t **body, struct err *e)
{
	return STORE_OPS(st)->records->merchant_version(st, id, version, body, e);
}

/*
 * Merchants last verified before `before` (ms; a merchant never noted as
 * verified counts from its first record), oldest record first, paginated
 * like store_list: *items an array of {"merchant": current body,
 * "verified_at": ms}.
 */
static inline WARN_UNUSED int store_merchant_unverified(struct store *st, int64_t before,
							int64_t after, int limit, json_t **items,
							int64_t *next, struct err *e)
{
	return STORE_OPS(st)->records->merchant_unverified(st, before, after, limit, items, next,
							   e);
}

/* Number of records of a kind (for tests and the demo banner). */
static inline WARN_UNUSED int store_count(struct store *st, enum store_kind kind, int64_t *n,
					  struct err *e)
{
	return STORE_OPS(st)->records->count(st, kind, n, e);
}

#endif
