/* shred.c - crypto-shredding sealed records: keep-lists per kind, shredded bodies and salts, rebuilding shredded leaves, and reading the register. */
#include "evidence/shred.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/sha256.h"
#include "evidence/seal.h"

/*
 * What each kind keeps, by flattened field name with every array index
 * written "[]"; a name ending in '*' keeps every field it begins. Kept at
 * the top level of every body: object, id, created_at.
 */
static const char *const keep_order[] = {
	"merchant", "consumer.id", "items[].listing", "items[].listing_version",
	"items[].quantity", "items[].unit_price.amount", "items[].unit_price.currency",
	"total.amount", "total.currency", "external_id", "paid_at", "payment.channel", NULL};
static const char *const keep_logistics[] = {"order", "direction", "carrier", "status",
					     "occurred_at", NULL};
static const char *const keep_message[] = {"order", "sender", "sent_at", "attachments[]", NULL};
static const char *const keep_dispute_event[] = {
	"dispute", "type", "actor.role", "actor.id", "from", "to", "data.evidence[]",
	"data.attachments[]", NULL};
static const char *const keep_disclosure_event[] = {
	"disclosure", "order", "type", "actor.role", "actor.id", "data.reference_document", NULL};
static const char *const keep_dispute[] = {
	"order", "merchant", "consumer", "state", "tier", "tier_reason", "rules_version",
	"claim.type", "claim.amount.amount", "claim.amount.currency", "reason", "updated_at",
	"overdue", "appealed", "evidence[]", "evidence_set*", "deadlines*", "funds*",
	"platform_liable*", "appeal_waived*", NULL};
static const char *const keep_disclosure[] = {"order", "dispute", "state", "due_at",
					      "decided_at", "requester.role", NULL};
static const char *const keep_consumer[] = {"external_id", NULL};

static const struct {
	const char *kind;
	const char *const *keep;
} keep_lists[] = {
	{"order", keep_order},
	{"logistics", keep_logistics},
	{"message", keep_message},
	{"dispute_event", keep_dispute_event},
	{"disclosure_event", keep_disclosure_event},
	{"dispute", keep_dispute},
	{"disclosure", keep_disclosure},
	{"consumer", keep_consumer},
};

static int kept(const char *const *keep, const char *name)
{
	size_t i, n;

	for (i = 0; keep[i]; i++) {
		n = strlen(keep[i]);
		if (n && keep[i][n - 1] == '*') {
			if (strncmp(keep[i], name, n - 1) == 0)
				return 1;
		} else if (strcmp(keep[i], name) == 0) {
			return 1;
		}
	}
	return 0;
}

/* Null every scalar under `v` (named `name`, "[]" for indexes) that `keep` does not list. */
static void shred_walk(const char *const *keep, json_t *v, char *name, size_t len, size_t cap)
{
	const char *key;
	json_t *x;
	size_t i;
	int n;

	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			n = snprintf(name + len, cap - len, "%s%s", len ? "." : "", key);
			if (n < 0 || (size_t)n >= cap - len) {
				json_object_set_new(v, key, json_null()); /* too deep to name: gone */
				continue;
			}
			if (json_is_object(x) || json_is_array(x))
				shred_walk(keep, x, name, len + (size_t)n, cap);
			else if (!json_is_null(x) && !kept(keep, name))
				json_object_set_new(v, key, json_null());
			name[len] = '\0';
		}
	} else if (json_is_array(v)) {
		n = snprintf(name + len, cap - len, "[]");
		if (n < 0 || (size_t)n >= cap - len) {
			json_array_clear(v);
			return;
		}
		json_array_foreach(v, i, x) {
			if (json_is_object(x) || json_is_array(x))
				shred_walk(keep, x, name, len + (size_t)n, cap);
			else if (!json_is_null(x) && !kept(keep, name))
				json_array_set_new(v, i, json_null());
		}
		name[len] = '\0';
	}
}

int shred_body(const char *body_kind, json_t *body, struct err *e)
{
	static const char *const always[] = {"object", "id", "created_at"};
	const char *const *keep = NULL;
	char name[512];
	const char *key;
	json_t *x;
	size_t i;
	int skip;

	for (i = 0; i < sizeof(keep_lists) / sizeof(keep_lists[0]); i++)
		if (strcmp(keep_lists[i].kind, body_kind) == 0)
			keep = keep_lists[i].keep;
	if (!keep)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no shredding of %s records", body_kind);
	if (!json_is_object(body))
		return err_set(e, RC_INTERNAL, NULL, NULL, "a %s body is not an object", body_kind);
	json_object_foreach(body, key, x) {
		for (i = 0, skip = 0; i < sizeof(always) / sizeof(always[0]); i++)
			skip |= strcmp(always[i], key) == 0;
		if (skip)
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s", key) >= sizeof(name)) {
			json_object_set_new(body, key, json_null());
			continue;
		}
		if (json_is_object(x) || json_is_array(x))
			shred_walk(keep, x, name, strlen(name), sizeof(name));
		else if (!json_is_null(x) && !kept(keep, name))
			json_object_set_new(body, key, json_null());
	}
	return RC_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int shred_gone_fields(const struct store_seal *s, json_t *fields, json_t **gone, struct err *e)
{
	json_t *leaf = NULL, *v;
	const char **names = NULL;
	const char *name;
	size_t n = 0, i;
	int rc;

	*gone = NULL;
	rc = leaf_decode((const char *)s->leaf, s->leaf_len, &leaf, e);
	if (rc)
		return err_set(e, RC_INTERNAL, "bad_seal", NULL, "the seal of %s %s is unreadable",
			       s->kind, s->record_id);
	names = calloc(json_object_size(json_object_get(leaf, "fields")) + 1, sizeof(*names));
	*gone = json_array();
	if (!names || !*gone) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	json_object_foreach(json_object_get(leaf, "fields"), name, v)
		if (!json_object_get(fields, name))
			names[n++] = name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(*gone, json_string(names[i]));
out:
	if (rc) {
		json_decref(*gone);
		*gone = NULL;
	}
	free(names);
	json_decref(leaf);
	return rc;
}

int shred_seal_salts(const struct store_seal *s, json_t *fields, json_t *gone, char **out,
		     struct err *e)
{
	json_t *o = NULL, *g;
	size_t i;
	int rc;

	*out = NULL;
	rc = seal_salts(s, fields, &o, e);
	if (rc)
		return rc;
	json_array_foreach(gone, i, g)
		json_object_del(o, json_string_value(g));
	*out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	/* the salts object's strings are freed with it; jansson does not wipe them */
	json_decref(o);
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return RC_OK;
}

/* True if the array of strings `arr` holds `s`. */
static int holds(json_t *arr, const char *s)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (strcmp(json_string_value(x), s) == 0)
			return 1;
	return 0;
}

int shred_rebuild(const struct leaf_head *h, json_t *fields, json_t *blobs, json_t *salts,
		  json_t *gone, json_t *sealed, struct buf *out, struct err *e)
{
	json_t *commitments = json_object(), *v, *sf = json_object_get(sealed, "fields"), *g;
	uint8_t salt[LEAF_SALT_SIZE], c[32];
	char b64[48];
	const char *name;
	size_t i, n;
	int rc = RC_OK;

	if (!commitments)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_foreach(fields, name, v) {
		const char *st = json_string_value(json_object_get(salts, name));

		if (holds(gone, name)) {
			rc = err_set(e, RC_INVAL, "field_mismatch", NULL,
				     "field %s is registered as shredded but still holds a value", name);
			goto out;
		}
		if (!st || sodium_base642bin(salt, sizeof(salt), st, strlen(st), NULL, &n, NULL,
					     sodium_base64_VARIANT_ORIGINAL) || n != sizeof(salt)) {
			rc = err_set(e, RC_INVAL, "field_mismatch", NULL, "field %s has no salt", name);
			goto out;
		}
		leaf_commit(name, salt, json_string_value(v), json_string_length(v), c);
		sodium_bin2base64(b64, sizeof(b64), c, sizeof(c), sodium_base64_VARIANT_ORIGINAL);
		json_object_set_new(commitments, name, json_string(b64));
	}
	json_object_foreach(salts, name, v)
		if (!json_object_get(fields, name)) {
			rc = err_set(e, RC_INVAL, "field_mismatch", NULL,
				     "a salt for %s, which the record does not have", name);
			goto out;
		}
	json_array_foreach(gone, i, g) {
		v = json_object_get(sf, json_string_value(g));
		if (!json_is_string(v)) {
			rc = err_set(e, RC_INVAL, "field_mismatch", NULL,
				     "field %s is registered as shredded but its leaf has no such field",
				     json_string_value(g));
			goto out;
		}
		json_object_set(commitments, json_string_value(g), v);
	}
	rc = leaf_encode(h, blobs, commitments, out, e);
out:
	sodium_memzero(salt, sizeof(salt));
	json_decref(commitments);
	return rc;
}

void shred_register_release(struct shred_register *r)
{
	json_decref(r->records);
	json_decref(r->blobs);
	json_decref(r->orders);
	memset(r, 0, sizeof(*r));
}

static void record_key(char *out, size_t cap, const char *kind, const char *id, int64_t version)
{
	snprintf(out, cap, "%s %s %lld", kind, id, (long long)version);
}

static int register_add(void *ctx, json_t *body)
{
	struct shred_register *r = ctx;
	const char *order = json_string_value(json_object_get(body, "order"));
	json_t *x;
	size_t i;
	char key[200];

	if (!order)
		return RC_OK; /* unreadable: the audit's seal check of the entry says so */
	json_object_set(r->orders, order, body);
	json_array_foreach(json_object_get(body, "records"), i, x) {
		const char *kind = json_string_value(json_object_get(x, "kind"));
		const char *id = json_string_value(json_object_get(x, "id"));

		if (!kind || !id)
			continue;
		record_key(key, sizeof(key), kind, id,
			   json_integer_value(json_object_get(x, "version")));
		json_object_set_new(r->records, key,
				    json_pack("{s:O, s:s, s:O}", "fields",
					      json_object_get(x, "fields"), "order", order, "at",
					      json_object_get(body, "as_of")));
	}
	json_array_foreach(json_object_get(body, "blobs"), i, x)
		if (json_is_string(x))
			json_object_set_new(r->blobs, json_string_value(x), json_string(order));
	return RC_OK;
}

int shred_register_load(struct store *st, struct shred_register *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->records = json_object();
	r->blobs = json_object();
	r->orders = json_object();
	if (!r->records || !r->blobs || !r->orders) {
		shred_register_release(r);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	return store_shredding_each(st, register_add, r, e);
}

json_t *shred_register_fields(const struct shred_register *r, const char *kind, const char *id,
			      int64_t version)
{
	char key[200];

	if (!r->records)
		return NULL;
	record_key(key, sizeof(key), kind, id, version);
	return json_object_get(json_object_get(r->records, key), "fields");
}

int shred_leaf_source(json_t *body, json_t **out, struct err *e)
{
	json_t *records = json_object_get(body, "records");
	uint8_t h[32];
	char hex[65], *text;

	*out = NULL;
	text = json_dumps(records ? records : json_null(),
			  JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	sha256(h, text, strlen(text));
	free(text);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	*out = json_deep_copy(body);
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_del(*out, "records");
	json_object_set_new(*out, "records_sha256", json_string(hex));
	json_object_set_new(*out, "records_count", json_integer((json_int_t)json_array_size(records)));
	return RC_OK;
}
