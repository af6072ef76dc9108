/* ingest.h - validating and storing the records a platform pushes: merchants, blobs, listings, orders, logistics, messages. */
#ifndef DISPUTED_INGEST_H
#define DISPUTED_INGEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/*
 * The same code takes records from the HTTP API and from `disputed import`.
 * Each function validates the whole input first (RC_INVAL with the field
 * in e->param, nothing written), then stores the record inside the
 * caller's open store transaction, with its evidence leaf as a pending
 * seal (row numbers in c->seals). After committing, the caller integrates
 * the seals with seal_wait. On success *out is a new reference to the
 * stored object, in full (callers redact it for who is asking).
 */
#define INGEST_MAX_SEALS 4

/*
 * A listing may record the merchant's own promise of compensation as a
 * multiplier of the price (`compensation_multiplier`, e.g. 3 for 假一赔三):
 * from 2 to this.
 */
#define INGEST_MAX_COMPENSATION_MULTIPLIER 10

struct ingest_ctx {
	struct store *st;      /* open, inside store_begin */
	const char *data_dir;  /* for the blob store */
	int64_t now;           /* ms: created_at of new records */
	int64_t seals[INGEST_MAX_SEALS]; /* pending seals this call made (seal.h), to integrate after commit */
	size_t nseals;
};

/*
 * The `return_exclusion` a listing may carry: goods the no-reason return
 * rules may exclude (CPL art. 25). Which of them do is the rules' choice
 * (rules.h, no_reason_return.excluded_flags).
 */
enum listing_flag {
	LISTING_CUSTOM,           /* made to the consumer's order */
	LISTING_PERISHABLE,       /* fresh, live or perishable goods */
	LISTING_DIGITAL_UNSEALED, /* audio, video, software once unsealed */
	LISTING_PERIODICAL,       /* newspapers and periodicals delivered */
	LISTING_FLAG__COUNT
};

/* The flags' names, indexed by enum listing_flag, NULL-terminated. */
extern const char *const listing_flag_names[];

/*
 * Which way a logistics event's parcel goes (`direction`): the merchant's
 * shipment to the consumer, or the consumer's return of the goods (a
 * return_refund's first step).
 */
enum logistics_direction {
	LOGISTICS_OUTBOUND, /* the default */
	LOGISTICS_RETURN,
	LOGISTICS_DIRECTION__COUNT
};

/* The directions' names, indexed by enum logistics_direction, NULL-terminated. */
extern const char *const logistics_direction_names[];

int ingest_merchant(struct ingest_ctx *c, json_t *in, json_t **out, struct err *e) WARN_UNUSED;
/*
 * A new version of merchant `cur` (its current body) from `in`, the fields
 * that change (kind, legal_name, uscc, id_number, registered_address,
 * contact as a whole, licence_image; null drops an optional one) and
 * verified_at, when the platform checked the identity (default: as
 * before; not in the future, not before the last verification). Every
 * update is a new version, sealed, a verification that changed nothing
 * too. The merged identity is checked as ingest_merchant checks it;
 * external_id cannot change, and an empty body is refused.
 */
int ingest_merchant_update(struct ingest_ctx *c, json_t *cur, json_t *in, json_t **out,
			   struct err *e) WARN_UNUSED;
int ingest_listing(struct ingest_ctx *c, json_t *in, json_t **out, struct err *e) WARN_UNUSED;
int ingest_order(struct ingest_ctx *c, json_t *in, json_t **out, struct err *e) WARN_UNUSED;

/* `order` is the stored order the event or message belongs to. */
int ingest_logistics(struct ingest_ctx *c, json_t *order, json_t *in, json_t **out,
		     struct err *e) WARN_UNUSED;
int ingest_message(struct ingest_ctx *c, json_t *order, json_t *in, json_t **out,
		   struct err *e) WARN_UNUSED;

/*
 * Store a blob of `content_type`; *created says whether it is new. The
 * bytes go to the blob store before the row is written, so a row always
 * has its file.
 */
int ingest_blob(struct ingest_ctx *c, const char *content_type, const void *data,
		size_t len, json_t **out, int *created, struct err *e) WARN_UNUSED;

/*
 * One line of an import file: an object with "type" (merchant, listing,
 * order, logistics, message, blob) and the API body; logistics and
 * messages name their order in "order", blobs carry "content_type" and
 * "content_base64".
 */
int ingest_record(struct ingest_ctx *c, json_t *line, json_t **out, struct err *e) WARN_UNUSED;

/*
 * Who cites blobs. The platform and its staff (pass NULL) may cite any
 * stored blob; a consumer or merchant (one of the ids set) only one it may
 * already see (store_blob_visible), so that citing cannot be used to read
 * another party's file or to learn whether it exists.
 */
struct blob_citer {
	const char *merchant_id;   /* mer_ id of a citing merchant, or NULL */
	const char *consumer_id;   /* cus_ id of a citing consumer, or NULL */
};

/*
 * Check in[key], an optional array of at most 20 blob ids that must all be
 * stored already and, for a party `who`, visible to it. A missing blob and
 * one `who` may not see get the same error: 400 resource_missing naming
 * the element, with the same message. *ids gets a new array of them (also
 * on failure; the caller frees it).
 */
int ingest_blob_list(struct store *st, const struct blob_citer *who, json_t *in,
		     const char *key, json_t **ids, struct err *e) WARN_UNUSED;

struct seal_prep;

/*
 * Off the writer (seal.h, seal_prep): prepare in `p` the leaves a write of
 * `type` ("order": the order and its payment; "logistics", "message"; any
 * other type prepares nothing) with request body `in` is expected to seal,
 * from `in` as sent (times normalised as they are stored). `order_id` is
 * the order a logistics event or message names in its path, or NULL
 * (an import line names it in `in`). Nothing is checked here, and nothing
 * may fail: a field the stored record has otherwise (an id resolved or
 * assigned by the writer, a value the checks change) the writer commits
 * to itself.
 */
void ingest_prepare(const char *type, json_t *in, const char *order_id, struct seal_prep *p);

/* ingest_prepare for one line of an import file (ingest_record's input). */
void ingest_prepare_line(json_t *line, struct seal_prep *p);

/* Limit on blob size for import lines (the server uses its own setting). */
#define INGEST_IMPORT_BLOB_MAX (20 << 20)

#endif
