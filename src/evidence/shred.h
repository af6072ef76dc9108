/* shred.h - crypto-shredding sealed records: which fields are personal, shredding a record's plaintext and salts, and the register that audits and bundles read. */
#ifndef DISPUTED_SHRED_H
#define DISPUTED_SHRED_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "evidence/leaf.h"
#include "store/store.h"

/*
 * A sealed record's leaf holds only salted commitments (leaf.h). Shredding
 * a record destroys the salt and the stored plaintext of each of its
 * personal fields (its seal's secret goes, and only the salts of the
 * fields it keeps are kept, as JSON): the leaf, its hash, its place in the log and every
 * proof stay exactly as they were, while nobody, the platform included,
 * can any longer open or confirm the commitment (without the salt even a
 * guessed phone number cannot be checked against it).
 *
 * What each kind keeps is a list of field names (docs/retention.md): the
 * ids and links that hold the evidence together (order, dispute, chain),
 * the money, the states and the times. Every other field is personal and
 * shredded, so a field added later is shredded unless it is listed.
 *
 * Each order shredded is one entry of the register (the `shreddings`
 * table), itself sealed as a leaf of kind "shredding" outside every
 * chain: {"object":"shredding","id":"shr_…","order","policy","cutoff",
 * "as_of","last_activity","records":[{"kind","id","version","fields":[…]}],
 * "blobs":["sha256:…"],"created_at"}. Its leaf commits to "records"
 * through "records_sha256" (SHA-256 of its compact JSON text, keys
 * sorted) and "records_count", so the leaf stays small however many
 * records the order had.
 */

/*
 * Shred the personal fields of a stored body in place: every value (at
 * any depth) whose flattened name is not kept for `body_kind` becomes
 * null. `body_kind` is the table's kind: "order" (which covers the order's
 * and its payment's leaves), "logistics", "message", "dispute_event",
 * "disclosure_event", or the unsealed "dispute", "disclosure", "consumer".
 * RC_INTERNAL for another kind.
 */
int shred_body(const char *body_kind, json_t *body, struct err *e) WARN_UNUSED;

/*
 * The names of a sealed leaf's fields that `fields` (the record's fields
 * as stored now, seal_parts_of) no longer has: *gone is a new sorted array.
 */
int shred_gone_fields(const struct store_seal *s, json_t *fields, json_t **gone,
		      struct err *e) WARN_UNUSED;

/*
 * The salts a seal keeps once shredded: those of the fields the record
 * still has (`fields`), derived from its secret (which the store then
 * destroys) or taken from its kept salts, without the `gone` fields'. *out
 * is new JSON text (malloc'd; the caller wipes and frees it).
 */
int shred_seal_salts(const struct store_seal *s, json_t *fields, json_t *gone, char **out,
		     struct err *e) WARN_UNUSED;

/*
 * The leaf of a shredded record rebuilt: fields it still has committed
 * from their values and salts, each of `gone` taken from the sealed leaf
 * (`sealed`, leaf_decode's object). Fields without a salt, salts without
 * a field, or a `gone` name that the record still has or the leaf lacks
 * are RC_INVAL (code "field_mismatch").
 */
int shred_rebuild(const struct leaf_head *h, json_t *fields, json_t *blobs, json_t *salts,
		  json_t *gone, json_t *sealed, struct buf *out, struct err *e) WARN_UNUSED;

/* The register as the audit and bundles read it: what was shredded, record by record. */
struct shred_register {
	json_t *records;   /* "kind id version" -> {"fields":[…],"order","at"} */
	json_t *blobs;     /* "sha256:…" -> the order whose shredding removed the file */
	json_t *orders;    /* order id -> the register entry */
};

void shred_register_release(struct shred_register *r);

/* Load the whole register (inside a transaction). */
int shred_register_load(struct store *st, struct shred_register *r, struct err *e) WARN_UNUSED;

/* The fields shredded of a record, or NULL when the register does not list it. */
json_t *shred_register_fields(const struct shred_register *r, const char *kind, const char *id,
			      int64_t version);

/*
 * The fields of a shredding entry that its leaf commits to: the entry
 * without "object", "id", "created_at" and "records", with
 * "records_sha256" and "records_count" instead. *out is new.
 */
int shred_leaf_source(json_t *body, json_t **out, struct err *e) WARN_UNUSED;

#endif
