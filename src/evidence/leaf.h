/* leaf.h - evidence leaves: a record's type, id, time, blob digests and salted field commitments, encoded canonically. */
#ifndef DISPUTED_LEAF_H
#define DISPUTED_LEAF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * The byte-exact encoding is specified in docs/formats.md ("Evidence
 * leaves"). In short, UTF-8 lines ending in "\n":
 *
 *   disputed-leaf/v2
 *   type <type>
 *   id <id>
 *   time <RFC 3339 UTC time>
 *   order <order id>                   (records of an order's chain)
 *   seq <n>                            (their place in it: 0 is the order)
 *   prev <base64 leaf hash>            (seq > 0: the chain's previous leaf)
 *   link <base64 leaf hash>            (seq 0: merchant and listing versions)
 *   blob sha256:<hex>                  (zero or more, ascending, unique)
 *   field <name> <base64 commitment>   (one or more, ascending by name)
 *
 * A field's commitment is SHA-256("disputed-field/v1" 0x00 name 0x00 salt
 * value), with a 32-byte salt per field, so a disclosure can reveal a
 * field (value and salt) while withheld fields stay bound but hidden. The
 * salts of a record are derived from one random 32-byte secret per record
 * (leaf_salt), so a store keeps 32 bytes per record, not one salt per field.
 */

#define LEAF_MAGIC "disputed-leaf/v2"
#define LEAF_SALT_SIZE 32
#define LEAF_SECRET_SIZE 32    /* a record's salt secret: crypto_kdf_KEYBYTES */
#define LEAF_MAX (64 * 1024)   /* the tiles format's limit on an entry */

/*
 * The lines of a leaf before its blobs and fields. Every record of an order
 * (the order itself, its payment, logistics events, messages and dispute
 * events) is a link of the order's chain: `seq` counts from 0 (the order),
 * and each later leaf names the hash of the one before it, so a record
 * cannot leave the chain, or move to another order's, unseen. The order's
 * own leaf links the leaves of the merchant and the listing versions its
 * items point at. Records outside any chain (merchants, listings, blobs)
 * have `order` NULL.
 */
struct leaf_head {
	const char *type;         /* leaf type */
	const char *id;           /* record id */
	int64_t time_ms;          /* the record's created_at */
	const char *order;        /* the chain's order id, or NULL */
	int64_t seq;              /* place in the chain (0: the order itself) */
	const char *prev;         /* seq > 0: base64 hash of the previous leaf; else NULL */
	json_t *links;            /* seq 0: array of base64 leaf hashes (borrowed); else NULL */
};

/*
 * Flatten a record body into its fields: an object of name → string value.
 * Nested objects give "a.b", arrays "a[0]"; numbers and booleans become
 * their JSON text; nulls are left out; keys named in the NULL-terminated
 * `skip` (top level only) are left out. *out is a new object.
 */
int leaf_fields(json_t *body, const char *const *skip, json_t **out, struct err *e) WARN_UNUSED;

/* True if `name` may be a field name: 1..200 bytes of [a-z0-9_.[]]. */
int leaf_name_valid(const char *name);

/* The commitment to one field's value under its salt. */
void leaf_commit(const char *name, const uint8_t salt[LEAF_SALT_SIZE], const char *value,
		 size_t value_len, uint8_t out[32]);

/*
 * Encode a leaf. `blobs` is an array of "sha256:<hex>" strings (any order,
 * duplicates allowed: the encoding sorts and dedups them); `commitments`
 * an object of name → base64 commitment. Fails with RC_TOOBIG past LEAF_MAX.
 */
int leaf_encode(const struct leaf_head *h, json_t *blobs, json_t *commitments,
		struct buf *out, struct err *e) WARN_UNUSED;

/*
 * The salt of field `name` under a record's `secret`: libsodium's
 * crypto_kdf_derive_from_key (BLAKE2b) with context "dspsalt1" and, as the
 * subkey id, the first 8 bytes (little-endian) of SHA-256("disputed-salt/v1"
 * 0x00 name): each field's salt depends on its name alone, never on which
 * other fields the record has (docs/formats.md).
 */
void leaf_salt(const uint8_t secret[LEAF_SECRET_SIZE], const char *name,
	       uint8_t salt[LEAF_SALT_SIZE]);

/*
 * The salts under `secret` of every field named by a key of `names` (an
 * object; its values are not read): *salts is a new object name → base64
 * salt, as bundles disclose them.
 */
int leaf_salts(const uint8_t secret[LEAF_SECRET_SIZE], json_t *names, json_t **salts,
	       struct err *e) WARN_UNUSED;

/*
 * Seal a record: commit to every field under its salt derived from
 * `secret` (leaf_salt; the caller draws the secret and keeps it, so that
 * fields can be disclosed later), and encode the leaf into `out`.
 */
int leaf_seal(const struct leaf_head *h, json_t *fields, json_t *blobs,
	      const uint8_t secret[LEAF_SECRET_SIZE], struct buf *out, struct err *e) WARN_UNUSED;

/*
 * Commitments made ahead, off the writer (seal.h, seal_prep): for every
 * field of `fields` (name → string value, as leaf_fields gives them), its
 * commitment under its salt derived from `secret`. *out is a new object
 * name → [value, base64 commitment].
 */
int leaf_commitments(const uint8_t secret[LEAF_SECRET_SIZE], json_t *fields, json_t **out,
		     struct err *e) WARN_UNUSED;

/*
 * leaf_seal, taking each field's commitment from `known` (leaf_commitments
 * under the same secret; NULL for none) where it holds one to the same
 * name and the same value, and making the others. The leaf's bytes are
 * those leaf_seal gives.
 */
int leaf_seal_known(const struct leaf_head *h, json_t *fields, json_t *blobs,
		    const uint8_t secret[LEAF_SECRET_SIZE], json_t *known, struct buf *out,
		    struct err *e) WARN_UNUSED;

/*
 * Recompute the leaf of a record from its fields and the salts kept for
 * it (used by audit and by bundles). Fields without a salt, or salts
 * without a field, are an error (RC_INVAL, code "field_mismatch").
 */
int leaf_rebuild(const struct leaf_head *h, json_t *fields, json_t *blobs, json_t *salts,
		 struct buf *out, struct err *e) WARN_UNUSED;

/*
 * Decode a leaf: *out is a new object {"type","id","time","blobs":[…],
 * "fields":{name: commitment}}, with "order", "seq" and "prev" or "links"
 * for a record of a chain. RC_INVAL if it is not in canonical form.
 */
int leaf_decode(const char *data, size_t len, json_t **out, struct err *e) WARN_UNUSED;

/*
 * The head of a decoded leaf (leaf_decode's object), borrowing its strings:
 * `decoded` must outlive `h`.
 */
void leaf_head_of(json_t *decoded, struct leaf_head *h);

/* True if `s` is base64 of 32 bytes in canonical form (a hash or commitment). */
int leaf_hash_text_valid(const char *s);

#endif
