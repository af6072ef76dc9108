/* ingest.c - validation and storage of platform records (Art. 27 identity, listings, orders, logistics, chat). */
#include "ingest/ingest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcheck.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"
#include "evidence/seal.h"

#define TRY(x)                 \
	do {                   \
		rc = (x);      \
		if (rc)        \
			goto out; \
	} while (0)

const char *const listing_flag_names[] = {
	[LISTING_CUSTOM] = "custom",
	[LISTING_PERISHABLE] = "perishable",
	[LISTING_DIGITAL_UNSEALED] = "digital_unsealed",
	[LISTING_PERIODICAL] = "periodical",
	[LISTING_FLAG__COUNT] = NULL,
};

const char *const logistics_direction_names[] = {
	[LOGISTICS_OUTBOUND] = "outbound",
	[LOGISTICS_RETURN] = "return",
	[LOGISTICS_DIRECTION__COUNT] = NULL,
};

static const char *const our_prefixes[] = {"mer", "cus", "lst", "ord", "lge", "msg",
					   "tok", "key", "dsp", NULL};

/*
 * An external_id in in["external_id"], named `param`: printable, not shaped
 * like one of our ids (a reference may be either, so they must not collide).
 */
static int check_external_id(json_t *in, const char *param, int required, const char **out,
			     struct err *e)
{
	const char *s = NULL;
	size_t i;
	int rc = jx_str(in, "external_id", param, required, 128, &s, e);

	if (rc || !s)
		return rc;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return err_set(e, RC_INVAL, "invalid_value", param,
				       "%s must not contain control characters", param);
	for (i = 0; our_prefixes[i]; i++)
		if (id_is(s, our_prefixes[i]))
			return err_set(e, RC_INVAL, "invalid_value", param,
				       "%s must not look like a disputed id", param);
	*out = s;
	return RC_OK;
}

/*
 * A plausible address, local@domain.tld: one '@'; a local part of 1 to 64
 * bytes without spaces or controls; a domain of at least two dot-separated
 * labels (letters, digits, '-' not at either end, or UTF-8 for IDNs) whose
 * last, the TLD, has two or more characters and is not all digits.
 */
static int email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;
	size_t labels = 0, len;
	int digits_only = 1;

	if (!at || at == s || at - s > 64 || strchr(at + 1, '@'))
		return 0;
	for (p = s; p < at; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			len = (size_t)(p - label);
			if (len == 0 || len > 63 || label[0] == '-' || p[-1] == '-')
				return 0;
			labels++;
			if (*p == '\0')
				break;
			label = p + 1;
			digits_only = 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || (unsigned char)*p >= 0x80))
			return 0;
		if (*p < '0' || *p > '9')
			digits_only = 0;
	}
	return labels >= 2 && p - label >= 2 && !digits_only;
}

/* A body field that names a blob which must already be stored, and visible to `who`. */
static int check_blob_ref(struct store *st, const struct blob_citer *who, json_t *v,
			  const char *param, char hex[65], struct err *e)
{
	json_t *meta = NULL;
	struct err ignore;
	int rc, yes = 1;

	if (!json_is_string(v))
		return err_set(e, RC_INVAL, "invalid_type", param,
			       "%s must be a blob id string", param);
	if (json_string_length(v) != strlen(json_string_value(v)) ||
	    !blob_parse_id(json_string_value(v), hex))
		return err_set(e, RC_INVAL, "invalid_value", param,
			       "%s must be a blob id such as sha256:<64 hex digits>", param);
	if (who) {
		rc = store_blob_visible(st, hex, who->merchant_id, who->consumer_id, &yes, e);
		if (rc)
			return rc;
	}
	/* one answer for "not stored" and "not yours": citing is no probe */
	if (!yes || store_blob_get(st, hex, &meta, &ignore))
		return err_set(e, RC_INVAL, "resource_missing", param,
			       "no blob %s: upload it with POST /v1/blobs first",
			       json_string_value(v));
	json_decref(meta);
	return RC_OK;
}

/* Check a list of blob ids in in[key]; returns a new array of them in *ids. */
int ingest_blob_list(struct store *st, const struct blob_citer *who, json_t *in,
		     const char *key, json_t **ids, struct err *e)
{
	json_t *arr = NULL, *v;
	char param[64], hex[65];
	size_t i;
	int rc = jx_arr(in, key, key, 0, 20, &arr, e);

	*ids = json_array();
	if (rc || !arr)
		return rc;
	json_array_foreach(arr, i, v) {
		snprintf(param, sizeof(param), "%s[%zu]", key, i);
		rc = check_blob_ref(st, who, v, param, hex, e);
		if (rc)
			return rc;
		json_array_append(*ids, v);
	}
	return RC_OK;
}

static int ref_blobs(struct ingest_ctx *c, json_t *ids, enum store_kind kind,
		     const char *owner, struct err *e)
{
	json_t *v;
	size_t i;
	char hex[65];
	int rc;

	json_array_foreach(ids, i, v) {
		if (!blob_parse_id(json_string_value(v), hex))
			continue;
		rc = store_blob_ref(c->st, hex, kind, owner, e);
		if (rc)
			return rc;
	}
	return RC_OK;
}

/* Seal a stored record: its leaf waits, pending, for the commit. */
static int seal(struct ingest_ctx *c, const char *kind, json_t *body, struct err *e)
{
	int64_t seq;
	int rc;

	if (c->nseals >= INGEST_MAX_SEALS)
		return err_set(e, RC_INTERNAL, NULL, NULL, "too many seals in one call");
	rc = seal_record(c->st, kind, body, c->now, &seq, e);
	if (!rc)
		c->seals[c->nseals++] = seq;
	return rc;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The identity fields a merchant's version holds, as the API names them. */
#define MERCHANT_IDENTITY_FIELDS "kind", "legal_name", "uscc", "id_number", \
	"registered_address", "contact", "licence_image"

/*
 * A merchant's version `version` of id `id` from `in` (its whole identity,
 * checked as ingest_merchant says), recorded now and verified at
 * `verified_at` (ms): *body a new object, *licence its licence blob id or
 * NULL (borrowed from `in`).
 */
static int merchant_body(struct ingest_ctx *c, json_t *in, const char *id, int64_t version,
			 int64_t verified_at, json_t **body, const char **licence, struct err *e)
{
	static const char *const contact_fields[] = {"phone", "email", NULL};
	static const char *const kinds[] = {"company", "individual", NULL};
	const char *ext = NULL, *kind = NULL, *name = NULL, *uscc = NULL, *idn = NULL;
	const char *addr = NULL, *phone = NULL, *email = NULL;
	json_t *contact = NULL, *b;
	char hex[65], ts[TIME_TEXT_MAX];
	int rc;

	*body = NULL;
	*licence = NULL;
	TRY(check_external_id(in, "external_id", 0, &ext, e));
	TRY(jx_enum(in, "kind", "kind", 1, kinds, &kind, e));
	TRY(jx_str(in, "legal_name", "legal_name", 1, 200, &name, e));
	if (strcmp(kind, "company") == 0) {
		if (jx_has(in, "id_number"))
			return err_set(e, RC_INVAL, "unknown_parameter", "id_number",
				       "id_number is for individual merchants; a company has a uscc");
		TRY(jx_str(in, "uscc", "uscc", 1, 18, &uscc, e));
		if (strlen(uscc) != 18)
			return err_set(e, RC_INVAL, "invalid_value", "uscc",
				       "uscc must be 18 characters");
		if (!idcheck_uscc(uscc))
			return err_set(e, RC_INVAL, "invalid_checksum", "uscc",
				       "uscc is not a valid unified social credit code "
				       "(GB 32100-2015 check character)");
	} else {
		if (jx_has(in, "uscc"))
			return err_set(e, RC_INVAL, "unknown_parameter", "uscc",
				       "uscc is for companies; an individual merchant has an id_number");
		TRY(jx_str(in, "id_number", "id_number", 1, 18, &idn, e));
		if (strlen(idn) != 18)
			return err_set(e, RC_INVAL, "invalid_value", "id_number",
				       "id_number must be 18 characters");
		if (!idcheck_resident_id(idn))
			return err_set(e, RC_INVAL, "invalid_checksum", "id_number",
				       "id_number is not a valid resident identity number "
				       "(GB 11643 date of birth and check character)");
	}
	TRY(jx_str(in, "registered_address", "registered_address", 1, 500, &addr, e));
	TRY(jx_obj(in, "contact", "contact", 1, &contact, e));
	TRY(jx_only(contact, contact_fields, "contact", e));
	TRY(jx_str(contact, "phone", "contact.phone", 1, 40, &phone, e));
	TRY(jx_str(contact, "email", "contact.email", 0, 254, &email, e));
	if (email && !email_ok(email))
		return err_set(e, RC_INVAL, "invalid_value", "contact.email",
			       "contact.email must be an email address such as "
			       "shop@example.com");
	if (jx_has(in, "licence_image")) {
		TRY(check_blob_ref(c->st, NULL, json_object_get(in, "licence_image"), "licence_image",
				   hex, e));
		*licence = json_string_value(json_object_get(in, "licence_image"));
	}

	time_format(c->now, ts);
	b = json_pack("{s:s, s:s, s:I, s:o, s:s, s:s}", "object", "merchant", "id", id,
		      "version", (json_int_t)version, "external_id", str_or_null(ext), "kind",
		      kind, "legal_name", name);
	if (!b)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (uscc)
		json_object_set_new(b, "uscc", json_string(uscc));
	if (idn) {
		char upper[19];

		memcpy(upper, idn, 19);
		if (upper[17] == 'x')
			upper[17] = 'X';
		json_object_set_new(b, "id_number", json_string(upper));
	}
	json_object_set_new(b, "registered_address", json_string(addr));
	json_object_set_new(b, "contact", json_pack("{s:s, s:o}", "phone", phone,
						    "email", str_or_null(email)));
	json_object_set_new(b, "licence_image", str_or_null(*licence));
	json_object_set_new(b, "identity_complete",
			    json_boolean(email != NULL && *licence != NULL));
	json_object_set_new(b, "verified_at", jx_time_json(verified_at));
	json_object_set_new(b, "created_at", json_string(ts));
	*body = b;
out:
	return rc;
}

/* in["verified_at"]: when the platform checked the identity; not after now nor before `floor`. */
static int check_verified_at(struct ingest_ctx *c, json_t *in, int64_t floor, int64_t *ms,
			     struct err *e)
{
	int rc = jx_time(in, "verified_at", "verified_at", 0, ms, e);

	if (rc)
		return rc;
	if (*ms > c->now)
		return err_set(e, RC_INVAL, "invalid_value", "verified_at",
			       "verified_at must not be in the future");
	if (*ms < floor)
		return err_set(e, RC_INVAL, "invalid_value", "verified_at",
			       "verified_at must not be earlier than the merchant's last "
			       "verification");
	return RC_OK;
}

/* Store a merchant version's blob reference and seal it. */
static int merchant_sealed(struct ingest_ctx *c, json_t *body, const char *licence,
			   struct err *e)
{
	const char *id = json_string_value(json_object_get(body, "id"));
	char hex[65];
	int rc = RC_OK;

	if (licence && blob_parse_id(licence, hex))
		rc = store_blob_ref(c->st, hex, STORE_MERCHANT, id, e);
	if (!rc)
		rc = seal(c, "merchant", body, e);
	return rc;
}

int ingest_merchant(struct ingest_ctx *c, json_t *in, json_t **out, struct err *e)
{
	static const char *const fields[] = {"external_id", MERCHANT_IDENTITY_FIELDS,
					     "verified_at", NULL};
	const char *licence = NULL;
	json_t *body = NULL;
	char id[ID_MAX];
	int64_t verified_at = c->now;
	struct store_row row;
	int rc;

	c->nseals = 0;

	*out = NULL;
	TRY(jx_only(in, fields, "", e));
	/* registered after the platform checked it: verified now unless it says when */
	TRY(check_verified_at(c, in, INT64_MIN, &verified_at, e));
	id_new(id, "mer");
	TRY(merchant_body(c, in, id, 1, verified_at, &body, &licence, e));

	memset(&row, 0, sizeof(row));
	row.id = id;
	row.external_id = json_string_value(json_object_get(body, "external_id"));
	row.created_at = c->now;
	row.body = body;
	TRY(store_put(c->st, STORE_MERCHANT, &row, e));
	TRY(store_merchant_verified(c->st, id, verified_at, e));
	TRY(merchant_sealed(c, body, licence, e));
	*out = body;
	body = NULL;
out:
	json_decref(body);
	return rc;
}

/*
 * The whole identity an update asks for: the current version's, with the
 * kind's number dropped when the kind changes, and every field of `in`
 * over it (a null drops an optional one). A new object.
 */
static json_t *merchant_merged(json_t *cur, json_t *in)
{
	static const char *const kept[] = {"external_id", MERCHANT_IDENTITY_FIELDS, NULL};
	json_t *m = json_object(), *v;
	const char *k;
	size_t i;

	if (!m)
		return NULL;
	for (i = 0; kept[i]; i++) {
		v = json_object_get(cur, kept[i]);
		if (v && !json_is_null(v))
			json_object_set_new(m, kept[i], json_deep_copy(v));
	}
	v = json_object_get(m, "contact");
	if (json_is_object(v) && json_is_null(json_object_get(v, "email")))
		json_object_del(v, "email");
	if (jx_has(in, "kind") && !json_equal(json_object_get(in, "kind"),
					      json_object_get(cur, "kind"))) {
		json_object_del(m, "uscc");
		json_object_del(m, "id_number");
	}
	json_object_foreach(in, k, v) {
		if (strcmp(k, "verified_at") == 0)
			continue;
		if (json_is_null(v))
			json_object_del(m, k);
		else
			json_object_set(m, k, v);
	}
	return m;
}

/* A stored RFC 3339 time as ms; RC_INVAL when `v` is none. */
static int time_of(json_t *v, int64_t *ms)
{
	const char *s = json_string_value(v);

	return s ? time_parse(s, ms) : RC_INVAL;
}

int ingest_merchant_update(struct ingest_ctx *c, json_t *cur, json_t *in, json_t **out,
			   struct err *e)
{
	static const char *const fields[] = {MERCHANT_IDENTITY_FIELDS, "verified_at", NULL};
	const char *id = json_string_value(json_object_get(cur, "id")), *licence = NULL;
	json_t *merged = NULL, *body = NULL;
	int64_t version = store_merchant_version_of(cur), last = 0, verified_at;
	int rc;

	c->nseals = 0;

	*out = NULL;
	if (json_object_get(in, "external_id"))
		return err_set(e, RC_INVAL, "immutable", "external_id",
			       "external_id cannot be changed: it names the merchant");
	TRY(jx_only(in, fields, "", e));
	if (json_object_size(in) == 0)
		return err_set(e, RC_INVAL, "empty_update", "body",
			       "name at least one field to change, or verified_at for a "
			       "verification that changed nothing");
	/* the last verification; a merchant from before versions was verified when recorded */
	if (time_of(json_object_get(cur, "verified_at"), &last) &&
	    time_of(json_object_get(cur, "created_at"), &last))
		last = 0;
	verified_at = last;
	TRY(check_verified_at(c, in, last, &verified_at, e));
	merged = merchant_merged(cur, in);
	if (!merged) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	TRY(merchant_body(c, merged, id, version + 1, verified_at, &body, &licence, e));
	TRY(store_merchant_update(c->st, id, body, verified_at, c->now, e));
	TRY(merchant_sealed(c, body, licence, e));
	*out = body;
	body = NULL;
out:
	json_decref(merged);
	json_decref(body);
	return rc;
}

/* Resolve a reference (id or external_id) that a body field makes. */
static int resolve(struct ingest_ctx *c, enum store_kind kind, json_t *in, const char *key,
		   const char *param, json_t **obj, struct err *e)
{
	const char *ref = NULL;
	struct err ignore;
	int rc = jx_str(in, key, param, 1, 128, &ref, e);

	if (rc)
		return rc;
	if (store_get(c->st, kind, ref, obj, &ignore))
		return err_set(e, RC_INVAL, "resource_missing", param, "%s names no known record: %s",
			       param, ref);
	return RC_OK;
}

/* As resolve, for a merchant or listing an order names: what the order needs of it, no body. */
static int resolve_ref(struct ingest_ctx *c, enum store_kind kind, json_t *in, const char *key,
		       const char *param, struct store_ref *ref, struct err *e)
{
	const char *text = NULL;
	struct err ignore;
	int rc = jx_str(in, key, param, 1, 128, &text, e);

	if (rc)
		return rc;
	if (store_ref_get(c->st, kind, text, ref, &ignore))
		return err_set(e, RC_INVAL, "resource_missing", param, "%s names no known record: %s",
			       param, text);
	return RC_OK;
}

int ingest_listing(struct ingest_ctx *c, json_t *in, json_t **out, struct err *e)
{
	static const char *const fields[] = {"external_id", "merchant", "title", "description",
					     "price", "images", "return_exclusion",
					     "compensation_multiplier", "category", NULL};
	const char *ext = NULL, *title = NULL, *desc = NULL, *excl = NULL, *mid, *cat = NULL;
	json_t *merchant = NULL, *images = NULL, *prev = NULL, *body = NULL;
	char id[ID_MAX], cur[4], ts[TIME_TEXT_MAX];
	int64_t price = 0, version = 1, multiplier = 0;
	struct store_row row;
	struct err ignore;
	int rc;

	c->nseals = 0;

	*out = NULL;
	TRY(jx_only(in, fields, "", e));
	TRY(check_external_id(in, "external_id", 0, &ext, e));
	TRY(resolve(c, STORE_MERCHANT, in, "merchant", "merchant", &merchant, e));
	TRY(jx_str(in, "title", "title", 1, 200, &title, e));
	TRY(jx_str(in, "description", "description", 0, 20000, &desc, e));
	TRY(jx_money(in, "price", "price", 1, &price, cur, e));
	TRY(ingest_blob_list(c->st, NULL, in, "images", &images, e));
	TRY(jx_enum(in, "return_exclusion", "return_exclusion", 0, listing_flag_names, &excl,
		    e));
	/* the merchant's own promise of compensation, e.g. 假一赔三 (3 times the price) */
	TRY(jx_int(in, "compensation_multiplier", "compensation_multiplier", 0, 2,
		   INGEST_MAX_COMPENSATION_MULTIPLIER, &multiplier, e));
	/* the platform's own category of the goods, for early warnings by category (src/risk/) */
	TRY(jx_str(in, "category", "category", 0, 64, &cat, e));
	mid = json_string_value(json_object_get(merchant, "id"));

	if (ext && store_get(c->st, STORE_LISTING, ext, &prev, &ignore) == RC_OK) {
		const char *pm = json_string_value(json_object_get(prev, "merchant"));

		if (strcmp(pm, mid) != 0) {
			rc = err_set(e, RC_CONFLICT, "listing_merchant_mismatch", "merchant",
				     "listing %s belongs to merchant %s; a new version must too",
				     ext, pm);
			goto out;
		}
		snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(prev, "id")));
		version = json_integer_value(json_object_get(prev, "version")) + 1;
	} else {
		id_new(id, "lst");
	}
	time_format(c->now, ts);
	body = json_pack("{s:s, s:s, s:I, s:o, s:s, s:s, s:o, s:o, s:O, s:o, s:s}",
			 "object", "listing", "id", id, "version", (json_int_t)version,
			 "external_id", str_or_null(ext), "merchant", mid, "title", title,
			 "description", str_or_null(desc),
			 "price", jx_money_json(price, cur), "images", images,
			 "return_exclusion", str_or_null(excl), "created_at", ts);
	if (body && multiplier)
		json_object_set_new(body, "compensation_multiplier", json_integer(multiplier));
	if (body && cat)
		json_object_set_new(body, "category", json_string(cat));
	if (!body) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.external_id = ext;
	row.version = version;
	row.merchant_id = mid;
	row.created_at = c->now;
	row.body = body;
	TRY(store_put(c->st, STORE_LISTING, &row, e));
	TRY(ref_blobs(c, images, STORE_LISTING, id, e));
	TRY(seal(c, "listing", body, e));
	*out = body;
	body = NULL;
out:
	json_decref(body);
	json_decref(merchant);
	json_decref(images);
	json_decref(prev);
	return rc;
}

/* Create or update the consumer named by the order's consumer object. */
static int upsert_consumer(struct ingest_ctx *c, const char *ext, const char *name,
			   const char *phone, char id[ID_MAX], struct err *e)
{
	json_t *cons = NULL, *body = NULL;
	struct store_row row;
	struct err ignore;
	char ts[TIME_TEXT_MAX];
	int rc = RC_OK;

	time_format(c->now, ts);
	if (store_get(c->st, STORE_CONSUMER, ext, &cons, &ignore) == RC_OK) {
		snprintf(id, ID_MAX, "%s", json_string_value(json_object_get(cons, "id")));
		if (strcmp(json_string_value(json_object_get(cons, "name")), name) != 0 ||
		    strcmp(json_string_value(json_object_get(cons, "phone")), phone) != 0) {
			json_object_set_new(cons, "name", json_string(name));
			json_object_set_new(cons, "phone", json_string(phone));
			json_object_set_new(cons, "updated_at", json_string(ts));
			rc = store_replace(c->st, STORE_CONSUMER, id, cons, e);
		}
		json_decref(cons);
		return rc;
	}
	/*
	 * Random, not time-ordered as an order's: a merchant sees its buyers'
	 * consumer ids on their orders but not the consumer's record, whose
	 * created_at (when the platform first sent us this buyer, for any shop)
	 * an ordered id would show.
	 */
	id_new(id, "cus");
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "object", "consumer", "id", id,
			 "external_id", ext, "name", name, "phone", phone, "created_at", ts,
			 "updated_at", ts);
	if (!body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.external_id = ext;
	row.created_at = c->now;
	row.body = body;
	rc = store_put(c->st, STORE_CONSUMER, &row, e);
	json_decref(body);
	return rc;
}

static int check_item(struct ingest_ctx *c, json_t *it, size_t i, const char *mid,
		      char *cur, json_t **item, struct err *e)
{
	static const char *const fields[] = {"listing", "listing_version", "quantity",
					     "unit_price", NULL};
	char param[64], prefix[32], icur[4];
	struct store_ref listing;
	json_t *ver = NULL;
	int64_t version = 0, qty = 0, price = 0;
	const char *lid;
	int rc;

	*item = NULL;
	snprintf(prefix, sizeof(prefix), "items[%zu]", i);
	if (!json_is_object(it))
		return err_set(e, RC_INVAL, "invalid_type", prefix, "%s must be an object", prefix);
	TRY(jx_only(it, fields, prefix, e));
	snprintf(param, sizeof(param), "%s.listing", prefix);
	TRY(resolve_ref(c, STORE_LISTING, it, "listing", param, &listing, e));
	lid = listing.id;
	if (strcmp(listing.merchant_id, mid) != 0) {
		rc = err_set(e, RC_INVAL, "listing_merchant_mismatch", param,
			     "%s belongs to another merchant than the order's", param);
		goto out;
	}
	version = listing.version;
	snprintf(param, sizeof(param), "%s.listing_version", prefix);
	if (jx_has(it, "listing_version")) {
		struct err ignore;

		TRY(jx_int(it, "listing_version", param, 1, 1, INT32_MAX, &version, e));
		if (store_listing_version(c->st, lid, version, &ver, &ignore)) {
			rc = err_set(e, RC_INVAL, "resource_missing", param,
				     "listing %s has no version %lld", lid, (long long)version);
			goto out;
		}
	}
	snprintf(param, sizeof(param), "%s.quantity", prefix);
	TRY(jx_int(it, "quantity", param, 1, 1, 1000000, &qty, e));
	snprintf(param, sizeof(param), "%s.unit_price", prefix);
	TRY(jx_money(it, "unit_price", param, 1, &price, icur, e));
	if (cur[0] && strcmp(cur, icur) != 0) {
		snprintf(param, sizeof(param), "%s.unit_price.currency", prefix);
		rc = err_set(e, RC_INVAL, "currency_mismatch", param,
			     "all amounts of an order must be in one currency (%s)", cur);
		goto out;
	}
	memcpy(cur, icur, 4);
	*item = json_pack("{s:s, s:I, s:I, s:o}", "listing", lid, "listing_version",
			  (json_int_t)version, "quantity", (json_int_t)qty, "unit_price",
			  jx_money_json(price, icur));
	if (!*item)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
out:
	json_decref(ver);
	return rc;
}

/*
 * The order's total is what its items add up to: the sum of quantity ×
 * unit_price.amount. (The API has no discounts or shipping fees; a
 * platform that has them sends the price actually paid per item.)
 */
static int check_total(json_t *items, int64_t total, struct err *e)
{
	int64_t sum = 0, line;
	json_t *it;
	size_t i;
	int over = 0;

	json_array_foreach(items, i, it) {
		int64_t qty = json_integer_value(json_object_get(it, "quantity"));
		int64_t price = json_integer_value(
			json_object_get(json_object_get(it, "unit_price"), "amount"));

		over |= __builtin_mul_overflow(qty, price, &line);
		over |= __builtin_add_overflow(sum, line, &sum);
	}
	if (over || sum != total)
		return err_set(e, RC_INVAL, "total_mismatch", "total.amount",
			       over ? "total.amount must equal the items' sum, which is out of range"
				    : "total.amount (%lld fen) must equal the sum of the items' "
				      "quantity × unit_price.amount (%lld fen)",
			       (long long)total, (long long)sum);
	return RC_OK;
}

int ingest_order(struct ingest_ctx *c, json_t *in, json_t **out, struct err *e)
{
	static const char *const fields[] = {"external_id", "consumer", "merchant", "items",
					     "total", "paid_at", "payment", NULL};
	static const char *const cfields[] = {"external_id", "name", "phone", NULL};
	static const char *const pfields[] = {"channel", "transaction_id", NULL};
	const char *ext = NULL, *cext = NULL, *cname = NULL, *cphone = NULL, *mid;
	const char *channel = NULL, *txn = NULL;
	json_t *consumer = NULL, *items = NULL, *payment = NULL;
	json_t *out_items = NULL, *body = NULL, *it;
	char id[ID_MAX], cid[ID_MAX], cur[4] = "", tcur[4], ts[TIME_TEXT_MAX];
	struct store_ref merchant;
	int64_t total = 0, paid_at = 0;
	struct store_row row;
	size_t i;
	int rc;

	c->nseals = 0;

	*out = NULL;
	TRY(jx_only(in, fields, "", e));
	TRY(check_external_id(in, "external_id", 0, &ext, e));
	TRY(jx_obj(in, "consumer", "consumer", 1, &consumer, e));
	TRY(jx_only(consumer, cfields, "consumer", e));
	TRY(check_external_id(consumer, "consumer.external_id", 1, &cext, e));
	TRY(jx_str(consumer, "name", "consumer.name", 1, 100, &cname, e));
	TRY(jx_str(consumer, "phone", "consumer.phone", 1, 40, &cphone, e));
	TRY(resolve_ref(c, STORE_MERCHANT, in, "merchant", "merchant", &merchant, e));
	mid = merchant.id;
	TRY(jx_arr(in, "items", "items", 1, 100, &items, e));
	if (json_array_size(items) == 0) {
		rc = err_set(e, RC_INVAL, "invalid_value", "items", "items must not be empty");
		goto out;
	}
	out_items = json_array();
	json_array_foreach(items, i, it) {
		json_t *item;

		TRY(check_item(c, it, i, mid, cur, &item, e));
		json_array_append_new(out_items, item);
	}
	TRY(jx_money(in, "total", "total", 1, &total, tcur, e));
	if (strcmp(tcur, cur) != 0) {
		rc = err_set(e, RC_INVAL, "currency_mismatch", "total.currency",
			     "total must be in the items' currency (%s)", cur);
		goto out;
	}
	TRY(check_total(out_items, total, e));
	TRY(jx_time(in, "paid_at", "paid_at", 1, &paid_at, e));
	TRY(jx_obj(in, "payment", "payment", 1, &payment, e));
	TRY(jx_only(payment, pfields, "payment", e));
	TRY(jx_str(payment, "channel", "payment.channel", 1, 40, &channel, e));
	TRY(jx_str(payment, "transaction_id", "payment.transaction_id", 1, 128, &txn, e));

	TRY(upsert_consumer(c, cext, cname, cphone, cid, e));
	id_new_ordered(id, "ord", c->now); /* appended in bulk: ids.h */
	time_format(c->now, ts);
	body = json_pack("{s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s}, s:O, s:o, s:o, "
			 "s:{s:s, s:s}, s:s}",
			 "object", "order", "id", id, "external_id", str_or_null(ext),
			 "merchant", mid, "consumer", "id", cid, "external_id", cext,
			 "name", cname, "phone", cphone, "items", out_items,
			 "total", jx_money_json(total, tcur), "paid_at", jx_time_json(paid_at),
			 "payment", "channel", channel, "transaction_id", txn,
			 "created_at", ts);
	if (!body) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	/* the merchant's identity as it stood when the order was placed (its leaf links it) */
	json_object_set_new(body, "merchant_version",
			    json_integer(merchant.version));
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.external_id = ext;
	row.merchant_id = mid;
	row.consumer_id = cid;
	row.created_at = c->now;
	row.body = body;
	TRY(store_put(c->st, STORE_ORDER, &row, e));
	TRY(seal(c, "order", body, e));
	TRY(seal(c, "payment", body, e));
	*out = body;
	body = NULL;
out:
	json_decref(body);
	json_decref(out_items);
	return rc;
}

int ingest_logistics(struct ingest_ctx *c, json_t *order, json_t *in, json_t **out,
		     struct err *e)
{
	static const char *const fields[] = {"carrier", "tracking_number", "status",
					     "occurred_at", "location", "detail", "direction",
					     NULL};
	static const char *const statuses[] = {"shipped", "in_transit", "delivered", "signed",
					       "returned", "lost", NULL};
	const char *carrier = NULL, *tracking = NULL, *status = NULL, *loc = NULL, *detail = NULL;
	const char *direction = NULL;
	const char *oid = json_string_value(json_object_get(order, "id"));
	char id[ID_MAX], ts[TIME_TEXT_MAX];
	int64_t at = 0;
	struct store_row row;
	json_t *body;
	int rc;

	c->nseals = 0;

	*out = NULL;
	TRY(jx_only(in, fields, "", e));
	TRY(jx_str(in, "carrier", "carrier", 1, 100, &carrier, e));
	TRY(jx_str(in, "tracking_number", "tracking_number", 1, 100, &tracking, e));
	TRY(jx_enum(in, "status", "status", 1, statuses, &status, e));
	TRY(jx_time(in, "occurred_at", "occurred_at", 1, &at, e));
	TRY(jx_str(in, "location", "location", 0, 200, &loc, e));
	TRY(jx_str(in, "detail", "detail", 0, 1000, &detail, e));
	TRY(jx_enum(in, "direction", "direction", 0, logistics_direction_names, &direction, e));
	if (!direction)
		direction = logistics_direction_names[LOGISTICS_OUTBOUND];
	id_new(id, "lge");
	time_format(c->now, ts);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}",
			 "object", "logistics_event", "id", id, "order", oid, "direction", direction,
			 "carrier", carrier, "tracking_number", tracking, "status", status,
			 "occurred_at", jx_time_json(at), "location", str_or_null(loc),
			 "detail", str_or_null(detail), "created_at", ts);
	if (!body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.order_id = oid;
	row.created_at = c->now;
	row.body = body;
	rc = store_put(c->st, STORE_LOGISTICS, &row, e);
	if (!rc)
		rc = seal(c, "logistics", body, e);
	if (rc) {
		json_decref(body);
		return rc;
	}
	*out = body;
out:
	return rc;
}

int ingest_message(struct ingest_ctx *c, json_t *order, json_t *in, json_t **out,
		   struct err *e)
{
	static const char *const fields[] = {"sender", "text", "attachments", "sent_at", NULL};
	static const char *const senders[] = {"consumer", "merchant", "platform", NULL};
	const char *sender = NULL, *text = NULL;
	const char *oid = json_string_value(json_object_get(order, "id"));
	json_t *atts = NULL, *body = NULL;
	char id[ID_MAX], ts[TIME_TEXT_MAX];
	int64_t at = 0;
	struct store_row row;
	int rc;

	c->nseals = 0;

	*out = NULL;
	TRY(jx_only(in, fields, "", e));
	TRY(jx_enum(in, "sender", "sender", 1, senders, &sender, e));
	TRY(jx_str(in, "text", "text", 1, 10000, &text, e));
	TRY(ingest_blob_list(c->st, NULL, in, "attachments", &atts, e));
	TRY(jx_time(in, "sent_at", "sent_at", 1, &at, e));
	id_new(id, "msg");
	time_format(c->now, ts);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:s}",
			 "object", "message", "id", id, "order", oid, "sender", sender,
			 "text", text, "attachments", atts, "sent_at", jx_time_json(at),
			 "created_at", ts);
	if (!body) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.order_id = oid;
	row.created_at = c->now;
	row.body = body;
	TRY(store_put(c->st, STORE_MESSAGE, &row, e));
	TRY(ref_blobs(c, atts, STORE_MESSAGE, id, e));
	TRY(seal(c, "message", body, e));
	*out = body;
	body = NULL;
out:
	json_decref(body);
	json_decref(atts);
	return rc;
}

int ingest_blob(struct ingest_ctx *c, const char *content_type, const void *data,
		size_t len, json_t **out, int *created, struct err *e)
{
	char bare[64], digest[65];
	json_t *meta = NULL;
	struct err ignore;
	int rc;

	c->nseals = 0;

	*out = NULL;
	*created = 0;
	if (len == 0)
		return err_set(e, RC_INVAL, "invalid_value", "body", "a blob must not be empty");
	TRY(blob_check_type(content_type, data, len, bare, e));
	TRY(blobstore_put(c->data_dir, data, len, digest, e));
	if (store_blob_get(c->st, digest, &meta, &ignore) != RC_OK) {
		TRY(store_blob_put(c->st, digest, (int64_t)len, bare, c->now, e));
		TRY(store_blob_get(c->st, digest, &meta, e));
		*created = 1;
	}
	json_object_set_new(meta, "created_at",
			    jx_time_json(json_integer_value(json_object_get(meta, "created_at"))));
	if (*created)
		TRY(seal(c, "blob", meta, e));
	*out = meta;
out:
	return rc;
}

int ingest_record(struct ingest_ctx *c, json_t *line, json_t **out, struct err *e)
{
	static const char *const types[] = {"merchant", "listing", "order", "logistics",
					    "message", "blob", NULL};
	const char *type = NULL;
	json_t *body = NULL, *order = NULL;
	int rc;

	*out = NULL;
	if (!json_is_object(line))
		return err_set(e, RC_INVAL, "invalid_type", NULL, "a line must be a JSON object");
	TRY(jx_enum(line, "type", "type", 1, types, &type, e));
	body = json_deep_copy(line);
	if (!body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_del(body, "type");
	if (strcmp(type, "merchant") == 0) {
		rc = ingest_merchant(c, body, out, e);
	} else if (strcmp(type, "listing") == 0) {
		rc = ingest_listing(c, body, out, e);
	} else if (strcmp(type, "order") == 0) {
		rc = ingest_order(c, body, out, e);
	} else if (strcmp(type, "logistics") == 0 || strcmp(type, "message") == 0) {
		TRY(resolve(c, STORE_ORDER, body, "order", "order", &order, e));
		json_object_del(body, "order");
		rc = type[0] == 'l' ? ingest_logistics(c, order, body, out, e)
				    : ingest_message(c, order, body, out, e);
	} else {
		static const char *const bfields[] = {"content_type", "content_base64", NULL};
		const char *ct = NULL, *b64 = NULL;
		unsigned char *bin = NULL;
		size_t blen = 0, b64len;
		int created;

		TRY(jx_only(body, bfields, "", e));
		TRY(jx_str(body, "content_type", "content_type", 1, 200, &ct, e));
		TRY(jx_str(body, "content_base64", "content_base64", 1, 0, &b64, e));
		b64len = strlen(b64);
		if (b64len / 4 * 3 > INGEST_IMPORT_BLOB_MAX) {
			rc = err_set(e, RC_TOOBIG, "body_too_large", "content_base64",
				     "a blob may be at most %d bytes", INGEST_IMPORT_BLOB_MAX);
			goto out;
		}
		bin = malloc(b64len / 4 * 3 + 3);
		if (!bin) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			goto out;
		}
		if (sodium_base642bin(bin, b64len / 4 * 3 + 3, b64, b64len, NULL, &blen, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0) {
			free(bin);
			rc = err_set(e, RC_INVAL, "invalid_value", "content_base64",
				     "content_base64 must be standard padded base64");
			goto out;
		}
		rc = ingest_blob(c, ct, bin, blen, out, &created, e);
		free(bin);
	}
out:
	json_decref(body);
	json_decref(order);
	return rc;
}

/* in[key], a time as sent, as the store writes it (left as it is if it is none). */
static void prep_time(json_t *in, const char *key)
{
	char ts[TIME_TEXT_MAX];
	int64_t ms;
	const char *t = json_string_value(json_object_get(in, key));

	if (t && time_parse(t, &ms) == 0) {
		time_format(ms, ts);
		json_object_set_new(in, key, json_string(ts));
	}
}

/* The payment's leaf source as the order's body will give it (seal_parts_of), but its order's id. */
static json_t *prep_payment(json_t *in)
{
	static const char *const from_payment[] = {"channel", "transaction_id", NULL};
	json_t *src = json_object(), *pay = json_object_get(in, "payment");
	json_t *total = json_object_get(in, "total");
	size_t i;

	if (!src)
		return NULL;
	for (i = 0; from_payment[i]; i++)
		if (json_object_get(pay, from_payment[i]))
			json_object_set(src, from_payment[i], json_object_get(pay, from_payment[i]));
	if (json_object_get(total, "amount"))
		json_object_set(src, "amount", json_object_get(total, "amount"));
	if (json_object_get(total, "currency"))
		json_object_set(src, "currency", json_object_get(total, "currency"));
	if (json_object_get(in, "paid_at"))
		json_object_set(src, "paid_at", json_object_get(in, "paid_at"));
	prep_time(src, "paid_at");
	return src;
}

void ingest_prepare(const char *type, json_t *in, const char *order_id, struct seal_prep *p)
{
	static const char *const skip[] = {"type", "object", "id", "created_at", NULL};
	static const char *const skip_order[] = {"type", "object", "id", "created_at",
						 "payment", "paid_at", NULL};
	json_t *src = NULL;
	struct err e;

	if (!json_is_object(in))
		return;
	err_clear(&e);
	/* a prep is best effort: what fails here the writer does itself */
	if (strcmp(type, "order") == 0) {
		if (seal_prep_add(p, "order", in, skip_order, &e) == RC_OK) {
			src = prep_payment(in);
			if (src && seal_prep_add(p, "payment", src, NULL, &e)) {
				/* the payment's leaf is the writer's */
			}
		}
	} else if (strcmp(type, "logistics") == 0 || strcmp(type, "message") == 0) {
		src = json_copy(in);
		if (!src)
			return;
		if (order_id)
			json_object_set_new(src, "order", json_string(order_id));
		if (type[0] == 'l') {
			prep_time(src, "occurred_at");
			if (!json_object_get(src, "direction"))
				json_object_set_new(
					src, "direction",
					json_string(logistics_direction_names[LOGISTICS_OUTBOUND]));
		} else {
			prep_time(src, "sent_at");
		}
		if (seal_prep_add(p, type[0] == 'l' ? "logistics" : "message", src, skip, &e)) {
			/* the writer's */
		}
	}
	json_decref(src);
}

void ingest_prepare_line(json_t *line, struct seal_prep *p)
{
	const char *type = json_string_value(json_object_get(line, "type"));

	if (type)
		ingest_prepare(type, line, NULL, p);
}
