/* leaf.c - evidence leaf encoding, field flattening and salted commitments. */
#include "evidence/leaf.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"

#define FIELD_TAG "disputed-field/v1"
#define B64_32 45 /* sodium_base64_ENCODED_LEN(32, ORIGINAL) */

int leaf_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 200)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '[' || c == ']'))
			return 0;
	}
	return 1;
}

/*
 * Decimal text of `v` into t (at least 21 bytes), as "%lld" writes it; its
 * length. (By hand rather than with snprintf: flattening runs on the
 * writer's thread for every field of every record.)
 */
static size_t dec_text(long long v, char *t)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char rev[24];
	size_t n = 0, k = 0;

	do {
		rev[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		t[k++] = '-';
	while (n)
		t[k++] = rev[--n];
	t[k] = '\0';
	return k;
}

#define NAME_FULL ((size_t)-1)

/*
 * name[len..] = sep and then `part` (plen bytes), within cap: the new
 * length, or NAME_FULL if it does not fit.
 */
static size_t name_append(char *name, size_t len, size_t cap, const char *sep, const char *part,
			  size_t plen)
{
	size_t slen = strlen(sep);

	if (len + slen + plen >= cap)
		return NAME_FULL;
	memcpy(name + len, sep, slen);
	memcpy(name + len + slen, part, plen);
	name[len + slen + plen] = '\0';
	return len + slen + plen;
}

static int flatten(json_t *v, char *name, size_t len, size_t cap, json_t *out,
		   struct err *e)
{
	const char *key;
	json_t *child;
	char idx[24];
	size_t i, n, k;
	int rc;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, key, child) {
			n = name_append(name, len, cap, len ? "." : "", key, strlen(key));
			if (n == NAME_FULL)
				return err_set(e, RC_INVAL, "field_name", NULL, "field name too long");
			rc = flatten(child, name, n, cap, out, e);
			if (rc)
				return rc;
		}
		name[len] = '\0';
		return RC_OK;
	case JSON_ARRAY:
		json_array_foreach(v, i, child) {
			k = dec_text((long long)i, idx);
			idx[k++] = ']';
			n = name_append(name, len, cap, "[", idx, k);
			if (n == NAME_FULL)
				return err_set(e, RC_INVAL, "field_name", NULL, "field name too long");
			rc = flatten(child, name, n, cap, out, e);
			if (rc)
				return rc;
		}
		name[len] = '\0';
		return RC_OK;
	case JSON_NULL:
		return RC_OK;
	case JSON_STRING:
		json_object_set_new(out, name, json_stringn(json_string_value(v),
							     json_string_length(v)));
		break;
	case JSON_INTEGER: {
		char t[32];

		k = dec_text((long long)json_integer_value(v), t);
		json_object_set_new(out, name, json_stringn(t, k));
		break;
	}
	case JSON_TRUE:
	case JSON_FALSE:
		json_object_set_new(out, name, json_string(json_is_true(v) ? "true" : "false"));
		break;
	default:
		return err_set(e, RC_INVAL, "field_type", name, "field %s is not representable",
			       name);
	}
	if (!leaf_name_valid(name))
		return err_set(e, RC_INVAL, "field_name", name, "field name %s is not allowed",
			       name);
	return RC_OK;
}

int leaf_fields(json_t *body, const char *const *skip, json_t **out, struct err *e)
{
	char name[256];
	const char *key;
	json_t *v, *copy;
	size_t i;
	int rc;

	*out = NULL;
	if (!json_is_object(body))
		return err_set(e, RC_INVAL, "field_type", NULL, "a record must be an object");
	copy = json_object();
	*out = json_object();
	if (!copy || !*out) {
		json_decref(copy);
		json_decref(*out);
		*out = NULL;
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	json_object_foreach(body, key, v) {
		for (i = 0; skip && skip[i]; i++)
			if (strcmp(skip[i], key) == 0)
				break;
		if (!skip || !skip[i])
			json_object_set(copy, key, v);
	}
	name[0] = '\0';
	rc = flatten(copy, name, 0, sizeof(name), *out, e);
	json_decref(copy);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

void leaf_commit(const char *name, const uint8_t salt[LEAF_SALT_SIZE], const char *value,
		 size_t value_len, uint8_t out[32])
{
	static const unsigned char zero = 0;
	const struct sha256_part parts[] = {
		{FIELD_TAG, strlen(FIELD_TAG)}, {&zero, 1}, {name, strlen(name)}, {&zero, 1},
		{salt, LEAF_SALT_SIZE}, {value, value_len},
	};

	sha256_parts(out, parts, sizeof(parts) / sizeof(parts[0]));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int leaf_hash_text_valid(const char *s)
{
	uint8_t bin[32];
	size_t n = 0, i;

	if (!s || strlen(s) != 44 || s[43] != '=')
		return 0;
	/* the alphabet itself: the decoder below is lenient with bytes past ASCII */
	for (i = 0; i < 43; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '/'))
			return 0;
	return sodium_base642bin(bin, sizeof(bin), s, 44, NULL, &n, NULL,
				 sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       n == sizeof(bin);
}

/* True if `s` may stand on a leaf line: 1..200 printable ASCII bytes, no space. */
static int token_valid(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > 200)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

/* Append the line `word` `a` (and " " `b` when b is not NULL), as buf_printf would, without it. */
static int put_line(struct buf *out, const char *word, const char *a, const char *b)
{
	int rc = buf_appends(out, word);

	if (!rc)
		rc = buf_appends(out, a);
	if (!rc && b) {
		rc = buf_append(out, " ", 1);
		if (!rc)
			rc = buf_appends(out, b);
	}
	return rc ? rc : buf_append(out, "\n", 1);
}

/* The order, seq, prev and link lines of a leaf's head. */
static int encode_chain(const struct leaf_head *h, struct buf *out, struct err *e)
{
	const char **links = NULL;
	size_t n = 0, i;
	json_t *v;
	int rc;

	if (!h->order)
		return h->prev || json_array_size(h->links)
			       ? err_set(e, RC_INVAL, "invalid_chain", NULL,
					 "a leaf outside a chain has no prev or link lines")
			       : RC_OK;
	if (!token_valid(h->order) || h->seq < 0 || (h->seq == 0) != (h->prev == NULL) ||
	    (h->prev && !leaf_hash_text_valid(h->prev)) || (h->seq > 0 && json_array_size(h->links)))
		return err_set(e, RC_INVAL, "invalid_chain", NULL, "bad chain lines in leaf");
	rc = buf_printf(out, "order %s\nseq %lld\n", h->order, (long long)h->seq);
	if (!rc && h->prev)
		rc = put_line(out, "prev ", h->prev, NULL);
	if (rc || json_array_size(h->links) == 0)
		return rc;
	links = calloc(json_array_size(h->links), sizeof(*links));
	if (!links)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_array_foreach(h->links, i, v) {
		if (!leaf_hash_text_valid(json_string_value(v))) {
			free(links);
			return err_set(e, RC_INVAL, "invalid_chain", NULL, "bad link in leaf");
		}
		links[n++] = json_string_value(v);
	}
	qsort(links, n, sizeof(*links), cmp_str);
	for (i = 0; i < n && !rc; i++)
		if (i == 0 || strcmp(links[i], links[i - 1]) != 0)
			rc = put_line(out, "link ", links[i], NULL);
	free(links);
	return rc;
}

/*
 * leaf_encode; `made` says the commitments were just made here (commit_all),
 * so their text needs no check, only their names.
 */
static int encode(const struct leaf_head *h, json_t *blobs, json_t *commitments, int made,
		  struct buf *out, struct err *e)
{
	const char **names = NULL, **digests = NULL, *key;
	char ts[TIME_TEXT_MAX], hex[65];
	size_t nb = 0, nf = 0, i;
	json_t *v;
	int rc = RC_OK;

	buf_clear(out);
	if (!token_valid(h->type) || !token_valid(h->id))
		return err_set(e, RC_INVAL, "invalid_leaf", NULL, "bad type or id in leaf");
	if (json_object_size(commitments) == 0)
		return err_set(e, RC_INVAL, "no_fields", NULL, "a leaf needs at least one field");
	names = calloc(json_object_size(commitments), sizeof(*names));
	digests = calloc(json_array_size(blobs) + 1, sizeof(*digests));
	if (!names || !digests) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	json_array_foreach(blobs, i, v) {
		if (!json_is_string(v) || !blob_parse_id(json_string_value(v), hex)) {
			rc = err_set(e, RC_INVAL, "invalid_blob", NULL, "bad blob id in leaf");
			goto out;
		}
		digests[nb++] = json_string_value(v);
	}
	json_object_foreach(commitments, key, v) {
		if (!leaf_name_valid(key) || (!made && !leaf_hash_text_valid(json_string_value(v)))) {
			rc = err_set(e, RC_INVAL, "field_name", key, "bad field %s in leaf", key);
			goto out;
		}
		names[nf++] = key;
	}
	qsort(digests, nb, sizeof(*digests), cmp_str);
	qsort(names, nf, sizeof(*names), cmp_str);
	time_format(h->time_ms, ts);
	rc = buf_printf(out, "%s\ntype %s\nid %s\ntime %s\n", LEAF_MAGIC, h->type, h->id, ts);
	if (rc == RC_OK) {
		rc = encode_chain(h, out, e);
		if (rc && rc != RC_TOOBIG)
			goto out;
	}
	for (i = 0; i < nb && !rc; i++)
		if (i == 0 || strcmp(digests[i], digests[i - 1]) != 0)
			rc = put_line(out, "blob ", digests[i], NULL);
	for (i = 0; i < nf && !rc; i++)
		rc = put_line(out, "field ", names[i],
			      json_string_value(json_object_get(commitments, names[i])));
	if (rc == RC_TOOBIG || (!rc && out->len > LEAF_MAX))
		rc = err_set(e, RC_TOOBIG, "record_too_large", NULL,
			     "the record has too many fields to seal in one leaf (64 KiB)");
	else if (rc)
		rc = err_set(e, rc, NULL, NULL, "cannot encode leaf");
out:
	free(names);
	free(digests);
	return rc;
}

int leaf_encode(const struct leaf_head *h, json_t *blobs, json_t *commitments,
		struct buf *out, struct err *e)
{
	return encode(h, blobs, commitments, 0, out, e);
}

#define SALT_TAG "disputed-salt/v1"
#define SALT_KDF_CONTEXT "dspsalt1"   /* crypto_kdf_CONTEXTBYTES: 8 */

_Static_assert(crypto_kdf_KEYBYTES == LEAF_SECRET_SIZE, "a secret is a crypto_kdf key");
_Static_assert(LEAF_SALT_SIZE >= crypto_kdf_BYTES_MIN && LEAF_SALT_SIZE <= crypto_kdf_BYTES_MAX,
	       "a salt is a crypto_kdf subkey");

/*
 * The subkey ids of the field names a thread met last, by a hash of the
 * name: a record's names repeat from record to record ("items[0].quantity"),
 * so most salts skip the SHA-256 of their name. A slot holds one name; a
 * name too long for it is hashed every time.
 */
#define SUBKEY_SLOTS 128
#define SUBKEY_NAME_MAX 48

struct subkey_slot {
	char name[SUBKEY_NAME_MAX];
	uint64_t id;
};

static _Thread_local struct subkey_slot subkey_cache[SUBKEY_SLOTS];

static uint64_t salt_subkey_hash(const char *name);

/* A field's subkey id: the first 8 bytes of SHA-256(SALT_TAG 0x00 name), little-endian. */
static uint64_t salt_subkey_id(const char *name)
{
	size_t n = strlen(name);
	uint32_t h = 2166136261u;
	struct subkey_slot *slot;
	size_t i;

	if (n == 0 || n >= SUBKEY_NAME_MAX)
		return salt_subkey_hash(name);
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	slot = &subkey_cache[h % SUBKEY_SLOTS];
	if (strcmp(slot->name, name) != 0) {
		slot->id = salt_subkey_hash(name);
		memcpy(slot->name, name, n + 1);
	}
	return slot->id;
}

static uint64_t salt_subkey_hash(const char *name)
{
	static const unsigned char zero = 0;
	const struct sha256_part parts[] = {
		{SALT_TAG, strlen(SALT_TAG)}, {&zero, 1}, {name, strlen(name)}};
	uint8_t d[SHA256_SIZE];
	uint64_t id = 0;
	int i;

	sha256_parts(d, parts, sizeof(parts) / sizeof(parts[0]));
	for (i = 7; i >= 0; i--)
		id = (id << 8) | d[i];
	return id;
}

void leaf_salt(const uint8_t secret[LEAF_SECRET_SIZE], const char *name,
	       uint8_t salt[LEAF_SALT_SIZE])
{
	/* cannot fail: the sizes are checked above */
	(void)crypto_kdf_derive_from_key(salt, LEAF_SALT_SIZE, salt_subkey_id(name),
					 SALT_KDF_CONTEXT, secret);
}

int leaf_salts(const uint8_t secret[LEAF_SECRET_SIZE], json_t *names, json_t **salts,
	       struct err *e)
{
	uint8_t salt[LEAF_SALT_SIZE];
	char b64[B64_32];
	const char *name;
	json_t *v;
	int rc = RC_OK;

	*salts = json_object();
	if (!*salts)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_foreach(names, name, v) {
		leaf_salt(secret, name, salt);
		sodium_bin2base64(b64, sizeof(b64), salt, sizeof(salt),
				  sodium_base64_VARIANT_ORIGINAL);
		if (json_object_set_new(*salts, name, json_string(b64))) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	sodium_memzero(salt, sizeof(salt));
	sodium_memzero(b64, sizeof(b64));
	if (rc) {
		json_decref(*salts);
		*salts = NULL;
	}
	return rc;
}

/*
 * The commitment `known` (leaf_commitments' object; may be NULL) made to
 * field `name` with this very value `v`, or NULL.
 */
static json_t *known_commitment(json_t *known, const char *name, json_t *v)
{
	json_t *a = json_object_get(known, name), *kv = json_array_get(a, 0);

	if (!kv || json_string_length(kv) != json_string_length(v) ||
	    memcmp(json_string_value(kv), json_string_value(v), json_string_length(v)) != 0)
		return NULL;
	return json_array_get(a, 1);
}

/*
 * Commit to every field of `fields` into `commitments`: under its salt
 * derived from `secret` when that is not NULL (taking the commitment from
 * `known` where it holds one to the same name and value under the same
 * secret), else under its salt in `salts` (which must name exactly the
 * fields).
 */
static int commit_all(json_t *fields, json_t *salts, const uint8_t *secret, json_t *known,
		      json_t *commitments, struct err *e)
{
	uint8_t salt[LEAF_SALT_SIZE], c[32];
	const char *name;
	char b64[B64_32];
	json_t *v;
	int rc = RC_OK;

	json_object_foreach(fields, name, v) {
		size_t slen = 0;
		json_t *made = secret ? known_commitment(known, name, v) : NULL;

		if (made) {
			json_object_set(commitments, name, made);
			continue;
		}
		if (secret) {
			leaf_salt(secret, name, salt);
		} else {
			const char *s = json_string_value(json_object_get(salts, name));

			if (!s || sodium_base642bin(salt, sizeof(salt), s, strlen(s), NULL, &slen,
						    NULL, sodium_base64_VARIANT_ORIGINAL) ||
			    slen != sizeof(salt)) {
				rc = err_set(e, RC_INVAL, "field_mismatch", name,
					     "no valid salt for field %s", name);
				break;
			}
		}
		leaf_commit(name, salt, json_string_value(v), json_string_length(v), c);
		sodium_bin2base64(b64, sizeof(b64), c, sizeof(c), sodium_base64_VARIANT_ORIGINAL);
		json_object_set_new(commitments, name, json_string(b64));
	}
	sodium_memzero(salt, sizeof(salt));
	if (!rc && !secret && json_object_size(salts) != json_object_size(fields))
		rc = err_set(e, RC_INVAL, "field_mismatch", NULL,
			     "salts kept for fields the record no longer has");
	return rc;
}

int leaf_commitments(const uint8_t secret[LEAF_SECRET_SIZE], json_t *fields, json_t **out,
		     struct err *e)
{
	uint8_t salt[LEAF_SALT_SIZE], c[32];
	const char *name;
	char b64[B64_32];
	json_t *v, *pair;
	int rc = RC_OK;

	*out = json_object();
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_object_foreach(fields, name, v) {
		if (!json_is_string(v))
			continue;
		leaf_salt(secret, name, salt);
		leaf_commit(name, salt, json_string_value(v), json_string_length(v), c);
		sodium_bin2base64(b64, sizeof(b64), c, sizeof(c), sodium_base64_VARIANT_ORIGINAL);
		pair = json_pack("[O, s]", v, b64);
		if (!pair || json_object_set_new(*out, name, pair)) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	sodium_memzero(salt, sizeof(salt));
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int leaf_seal(const struct leaf_head *h, json_t *fields, json_t *blobs,
	      const uint8_t secret[LEAF_SECRET_SIZE], struct buf *out, struct err *e)
{
	return leaf_seal_known(h, fields, blobs, secret, NULL, out, e);
}

int leaf_seal_known(const struct leaf_head *h, json_t *fields, json_t *blobs,
		    const uint8_t secret[LEAF_SECRET_SIZE], json_t *known, struct buf *out,
		    struct err *e)
{
	json_t *commitments = json_object();
	int rc;

	if (!commitments)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = commit_all(fields, NULL, secret, known, commitments, e);
	if (!rc)
		rc = encode(h, blobs, commitments, 1, out, e);
	json_decref(commitments);
	return rc;
}

int leaf_rebuild(const struct leaf_head *h, json_t *fields, json_t *blobs, json_t *salts,
		 struct buf *out, struct err *e)
{
	json_t *commitments = json_object();
	int rc;

	if (!commitments)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = commit_all(fields, salts, NULL, NULL, commitments, e);
	if (!rc)
		rc = encode(h, blobs, commitments, 1, out, e);
	json_decref(commitments);
	return rc;
}

/* Take one line starting with `prefix` from [*p, end); *val is its rest. */
static int take_line(const char **p, const char *end, const char *prefix, char *val,
		     size_t cap)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t plen = strlen(prefix), n;

	if (!nl || (size_t)(nl - *p) < plen || memcmp(*p, prefix, plen) != 0)
		return 0;
	n = (size_t)(nl - *p) - plen;
	if (n >= cap || memchr(*p + plen, '\0', n))
		return 0;
	memcpy(val, *p + plen, n);
	val[n] = '\0';
	*p = nl + 1;
	return 1;
}

int leaf_decode(const char *data, size_t len, json_t **out, struct err *e)
{
	const char *p = data, *end = data + len;
	char line[512], type[64], id[256], ts[64], order[256] = "", prev[64] = "";
	json_t *blobs = json_array(), *fields = json_object(), *links = json_array(), *leaf = NULL;
	struct leaf_head h;
	long long seq = 0;
	struct buf again;
	int rc = RC_INVAL;

	*out = NULL;
	memset(&h, 0, sizeof(h));
	buf_init(&again, LEAF_MAX);
	if (!blobs || !fields || !links)
		goto bad;
	if (!take_line(&p, end, "", line, sizeof(line)) || strcmp(line, LEAF_MAGIC) != 0)
		goto bad;
	if (!take_line(&p, end, "type ", type, sizeof(type)) ||
	    !take_line(&p, end, "id ", id, sizeof(id)) ||
	    !take_line(&p, end, "time ", ts, sizeof(ts)) || time_parse(ts, &h.time_ms))
		goto bad;
	if (take_line(&p, end, "order ", order, sizeof(order))) {
		char *stop = NULL;

		if (!take_line(&p, end, "seq ", line, sizeof(line)))
			goto bad;
		seq = strtoll(line, &stop, 10);
		if (!*line || *stop || seq < 0)
			goto bad;
		if (take_line(&p, end, "prev ", prev, sizeof(prev)))
			h.prev = prev;
		while (take_line(&p, end, "link ", line, sizeof(line)))
			json_array_append_new(links, json_string(line));
		h.order = order;
		h.seq = seq;
		h.links = links;
	}
	while (take_line(&p, end, "blob ", line, sizeof(line)))
		json_array_append_new(blobs, json_string(line));
	while (p < end && take_line(&p, end, "field ", line, sizeof(line))) {
		char *sp = strchr(line, ' ');

		if (!sp)
			goto bad;
		*sp = '\0';
		json_object_set_new(fields, line, json_string(sp + 1));
	}
	if (p != end)
		goto bad;
	/* canonical: encoding the decoded parts gives the same bytes (seq without leading zeros) */
	h.type = type;
	h.id = id;
	if (leaf_encode(&h, blobs, fields, &again, NULL) || again.len != len ||
	    memcmp(again.data, data, len) != 0)
		goto bad;
	leaf = json_pack("{s:s, s:s, s:s, s:O, s:O}", "type", type, "id", id, "time", ts,
			 "blobs", blobs, "fields", fields);
	if (!leaf)
		goto bad;
	if (h.order) {
		json_object_set_new(leaf, "order", json_string(order));
		json_object_set_new(leaf, "seq", json_integer(seq));
		if (h.prev)
			json_object_set_new(leaf, "prev", json_string(prev));
		else
			json_object_set(leaf, "links", links);
	}
	*out = leaf;
	rc = RC_OK;
bad:
	buf_release(&again);
	json_decref(blobs);
	json_decref(fields);
	json_decref(links);
	if (rc)
		return err_set(e, RC_INVAL, "invalid_leaf", NULL, "not a canonical evidence leaf");
	return RC_OK;
}

void leaf_head_of(json_t *decoded, struct leaf_head *h)
{
	memset(h, 0, sizeof(*h));
	h->type = json_string_value(json_object_get(decoded, "type"));
	h->id = json_string_value(json_object_get(decoded, "id"));
	if (time_parse(json_string_value(json_object_get(decoded, "time")), &h->time_ms))
		h->time_ms = 0;
	h->order = json_string_value(json_object_get(decoded, "order"));
	h->seq = json_integer_value(json_object_get(decoded, "seq"));
	h->prev = json_string_value(json_object_get(decoded, "prev"));
	h->links = json_object_get(decoded, "links");
}
