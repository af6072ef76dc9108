/* verify.c - offline verification of bundles, signed checkpoints and tlog-proof files against keys the verifier trusts. */
#include "evidence/bundle.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"
#include "evidence/leaf.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/proof.h"

#define MAX_KEYS 64

/* The verification in progress: where to report, and the first failure. */
struct vctx {
	FILE *report;
	enum verify_result result;
	struct tlog_log *mirror;     /* a copy of the log to check completeness against, or NULL */
	int shredded;                /* fields shredded under retention, in the record being read */
	int shredded_all;            /* and in the whole bundle */
};

static void say(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct vctx *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(v->report, fmt, ap);
	va_end(ap);
	fputc('\n', v->report);
}

static enum verify_result fail(struct vctx *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum verify_result fail(struct vctx *v, const char *fmt, ...)
{
	va_list ap;

	fputs("INVALID: ", v->report);
	va_start(ap, fmt);
	vfprintf(v->report, fmt, ap);
	va_end(ap);
	fputc('\n', v->report);
	v->result = VERIFY_INVALID;
	return VERIFY_INVALID;
}

static int b64_32(const char *s, uint8_t out[32])
{
	size_t n = 0;

	return leaf_hash_text_valid(s) &&
	       sodium_base642bin(out, 32, s, 44, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) ==
		       0 &&
	       n == 32;
}

/* obj has exactly these keys, in this order. */
static int exact_keys(json_t *obj, const char *const *keys)
{
	void *it;
	size_t i = 0;

	if (!json_is_object(obj))
		return 0;
	for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it), i++)
		if (!keys[i] || strcmp(json_object_iter_key(it), keys[i]) != 0)
			return 0;
	return keys[i] == NULL;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/*
 * Check the note's signatures: the trusted log key must have signed; each
 * of `required` (bundle-listed and --witness keys) must have cosigned; and
 * with `strict`, every signature line must be one that verified.
 */
static enum verify_result check_note(struct vctx *v, struct tlog_note *n,
				     const struct tlog_verifier *log,
				     const struct tlog_verifier *required, size_t nreq,
				     const char *const *req_origin, int strict)
{
	size_t i, j;
	int log_ok = 0;

	for (i = 0; i < n->nsigs; i++) {
		const struct tlog_note_sig *s = &n->sigs[i];

		if (s->verified && strcmp(s->name, log->name) == 0 && s->id == log->id)
			log_ok = 1;
		if (strict && !s->verified)
			return fail(v, "the checkpoint carries a signature by '%s' that is neither "
				       "the log's nor a listed witness's", s->name);
	}
	if (!log_ok)
		return fail(v, "the checkpoint is not signed by the log key you trust");
	say(v, "checkpoint signature by the log (%s): ok", log->name);
	for (j = 0; j < nreq; j++) {
		int ok = 0;

		for (i = 0; i < n->nsigs; i++)
			if (n->sigs[i].verified && n->sigs[i].id == required[j].id &&
			    strcmp(n->sigs[i].name, required[j].name) == 0) {
				char t[TIME_TEXT_MAX];

				time_format((int64_t)n->sigs[i].timestamp * 1000, t);
				say(v, "cosigned by witness %s at %s (%s): ok", required[j].name, t,
				    req_origin[j]);
				ok = 1;
			}
		if (!ok)
			return fail(v, "the checkpoint is not cosigned by witness %s",
				    required[j].name);
	}
	return VERIFY_VALID;
}

/* Open a checkpoint note with the log key and the witness keys. */
static enum verify_result open_checkpoint(struct vctx *v, const char *text, size_t len,
					  const struct tlog_verifier *log,
					  const struct tlog_verifier *w, size_t nw,
					  struct tlog_checkpoint *c, struct tlog_note *n)
{
	struct tlog_verifier keys[MAX_KEYS];
	struct err e;
	size_t i, nk = 0;

	err_clear(&e);
	keys[nk++] = *log;
	for (i = 0; i < nw && nk < MAX_KEYS; i++)
		keys[nk++] = w[i];
	if (tlog_checkpoint_open(c, n, text, len, log->name, keys, nk, &e))
		return fail(v, "checkpoint: %s", e.message);
	return VERIFY_VALID;
}

static enum verify_result verify_checkpoint_file(struct vctx *v, const char *data, size_t len,
						 const struct tlog_verifier *log,
						 const struct tlog_verifier *w, size_t nw)
{
	struct tlog_checkpoint c;
	struct tlog_note n;
	const char *origins[MAX_KEYS];
	char root[48];
	size_t i;
	enum verify_result r;

	tlog_note_init(&n);
	say(v, "file: a signed checkpoint");
	r = open_checkpoint(v, data, len, log, w, nw, &c, &n);
	for (i = 0; i < nw && i < MAX_KEYS; i++)
		origins[i] = "given with --witness";
	if (r == VERIFY_VALID)
		r = check_note(v, &n, log, w, nw, origins, 0);
	if (r == VERIFY_VALID) {
		sodium_bin2base64(root, sizeof(root), c.root, sizeof(c.root),
				  sodium_base64_VARIANT_ORIGINAL);
		say(v, "checkpoint of log %s: size %llu, root %s", c.origin,
		    (unsigned long long)c.size, root);
		for (i = 0; i < n.nsigs; i++)
			if (!n.sigs[i].verified)
				say(v, "not checked: a signature by '%s' (no key for it was given)",
				    n.sigs[i].name);
	}
	tlog_note_release(&n);
	return r;
}

static enum verify_result verify_proof_file(struct vctx *v, const char *data, size_t len,
					    const struct tlog_verifier *log,
					    const struct tlog_verifier *w, size_t nw,
					    const char *entry, size_t entry_len, int have_entry)
{
	struct tlog_proof_file f;
	struct tlog_verifier keys[MAX_KEYS];
	struct tlog_checkpoint c;
	struct tlog_note n;
	const char *origins[MAX_KEYS];
	uint8_t leaf[TLOG_HASH_SIZE];
	struct err e;
	size_t i, nk = 0;
	enum verify_result r = VERIFY_VALID;

	say(v, "file: a c2sp.org/tlog-proof@v1 proof");
	if (!have_entry) {
		say(v, "UNUSABLE: a tlog-proof proves one entry; give its bytes with --entry PATH");
		return VERIFY_UNUSABLE;
	}
	err_clear(&e);
	tlog_proof_file_init(&f);
	tlog_note_init(&n);
	if (tlog_proof_file_parse(&f, data, len, &e)) {
		r = fail(v, "proof: %s", e.message);
		goto out;
	}
	keys[nk++] = *log;
	for (i = 0; i < nw && nk < MAX_KEYS; i++) {
		keys[nk++] = w[i];
		origins[i] = "given with --witness";
	}
	tlog_leaf_hash(entry, entry_len, leaf);
	if (tlog_proof_file_verify(&f, leaf, log->name, keys, nk, &c, &n, &e)) {
		r = fail(v, "%s", e.message);
		goto out;
	}
	r = check_note(v, &n, log, w, nw, origins, 0);
	if (r == VERIFY_VALID)
		say(v, "entry (%zu bytes) is leaf %llu of the tree of size %llu: ok", entry_len,
		    (unsigned long long)f.index, (unsigned long long)c.size);
out:
	tlog_note_release(&n);
	tlog_proof_file_release(&f);
	return r;
}

static const char *const record_kinds[] = {"merchant", "listing", "order", "payment",
					   "logistics", "message", "dispute_event",
					   "disclosure_event", "blob",
					   "ledger_entry", "consumer_flag_event", NULL};

/* True for the types of record that are links of an order's chain. */
static int chained_type(const char *type)
{
	return strcmp(type, "order") == 0 || strcmp(type, "payment") == 0 ||
	       strcmp(type, "logistics") == 0 || strcmp(type, "message") == 0 ||
	       strcmp(type, "dispute_event") == 0 || strcmp(type, "disclosure_event") == 0;
}

/*
 * The head of a record's leaf from its "chain" object (or its absence):
 * {"order","seq","links"} at seq 0, {"order","seq","prev"} after.
 */
static int chain_head(json_t *chain, struct leaf_head *h)
{
	static const char *const first[] = {"order", "seq", "links", NULL};
	static const char *const later[] = {"order", "seq", "prev", NULL};
	json_t *seq = json_object_get(chain, "seq"), *l;
	size_t i;

	if (!chain)
		return 1;
	if (!json_is_integer(seq) || json_integer_value(seq) < 0 ||
	    !json_is_string(json_object_get(chain, "order")))
		return 0;
	h->order = str(chain, "order");
	h->seq = json_integer_value(seq);
	if (h->seq == 0) {
		if (!exact_keys(chain, first) || !json_is_array(json_object_get(chain, "links")))
			return 0;
		h->links = json_object_get(chain, "links");
		json_array_foreach(h->links, i, l)
			if (!leaf_hash_text_valid(json_string_value(l)) ||
			    (i > 0 && strcmp(json_string_value(json_array_get(h->links, i - 1)),
					     json_string_value(l)) >= 0))
				return 0;
		return 1;
	}
	h->prev = str(chain, "prev");
	return exact_keys(chain, later) && leaf_hash_text_valid(h->prev);
}

/* Verify one record of a bundle against the checkpoint's tree. */
static enum verify_result verify_record(struct vctx *v, json_t *r, size_t idx,
					const struct tlog_checkpoint *c, int *withheld_out,
					int *disclosed_out, uint8_t leaf[TLOG_HASH_SIZE])
{
	static const char *const keys[] = {"type", "id", "time", "leaf_index", "blobs",
					   "fields", "inclusion_proof", NULL};
	static const char *const chained_keys[] = {"type", "id", "time", "chain", "leaf_index",
						   "blobs", "fields", "inclusion_proof", NULL};
	const char *type = str(r, "type"), *id = str(r, "id"), *t = str(r, "time"), *name;
	const char *prev = NULL;
	json_t *fields = json_object_get(r, "fields"), *blobs = json_object_get(r, "blobs");
	json_t *proof = json_object_get(r, "inclusion_proof"), *commitments = NULL, *f, *b;
	json_t *li = json_object_get(r, "leaf_index");
	char ts[TIME_TEXT_MAX], hex[65];
	struct leaf_head h;
	struct tlog_proof p;
	struct buf enc;
	struct err e;
	size_t i;
	int known = 0;
	enum verify_result res = VERIFY_VALID;

	buf_init(&enc, LEAF_MAX + 1024);
	err_clear(&e);
	memset(&h, 0, sizeof(h));
	if (!(exact_keys(r, keys) || exact_keys(r, chained_keys)) || !type || !id || !t ||
	    !json_is_integer(li) || !json_is_array(blobs) || !json_is_object(fields) ||
	    !json_is_array(proof) || !chain_head(json_object_get(r, "chain"), &h))
		return fail(v, "record %zu is not shaped as the format says", idx);
	for (i = 0; record_kinds[i]; i++)
		known |= strcmp(record_kinds[i], type) == 0;
	if (!known)
		return fail(v, "record %zu has an unknown type '%s'", idx, type);
	if (chained_type(type) != (h.order != NULL))
		return fail(v, "record %zu (%s %s) %s", idx, type, id,
			    h.order ? "is of a type outside every order's chain, yet has a chain"
				    : "belongs to an order's chain but has none");
	if (time_parse(t, &h.time_ms) || (time_format(h.time_ms, ts), strcmp(ts, t) != 0))
		return fail(v, "record %zu (%s %s) has a time not in canonical form", idx, type, id);
	h.type = type;
	h.id = id;
	if (json_integer_value(li) < 0 || (uint64_t)json_integer_value(li) >= c->size)
		return fail(v, "record %zu (%s %s) has leaf index %lld outside the checkpoint's "
			       "tree of size %llu", idx, type, id, (long long)json_integer_value(li),
			    (unsigned long long)c->size);
	json_array_foreach(blobs, i, b) {
		if (!json_is_string(b) || !blob_parse_id(json_string_value(b), hex) ||
		    (prev && strcmp(prev, json_string_value(b)) >= 0))
			return fail(v, "record %zu (%s %s) lists its blobs out of form or order", idx,
				    type, id);
		prev = json_string_value(b);
	}
	commitments = json_object();
	prev = NULL;
	json_object_foreach(fields, name, f) {
		static const char *const disclosed[] = {"value", "salt", NULL};
		static const char *const hidden[] = {"commitment", NULL};
		static const char *const shredded[] = {"commitment", "shredded", NULL};
		uint8_t salt[32], cm[32];
		char b64[48];

		if (!leaf_name_valid(name) || (prev && strcmp(prev, name) >= 0)) {
			res = fail(v, "record %zu (%s %s): field names out of form or order", idx,
				   type, id);
			goto out;
		}
		prev = name;
		if (exact_keys(f, disclosed) && json_is_string(json_object_get(f, "value")) &&
		    b64_32(str(f, "salt"), salt)) {
			json_t *val = json_object_get(f, "value");

			leaf_commit(name, salt, json_string_value(val), json_string_length(val), cm);
			(*disclosed_out)++;
		} else if (exact_keys(f, hidden) && b64_32(str(f, "commitment"), cm)) {
			(*withheld_out)++;
		} else if (exact_keys(f, shredded) && json_is_true(json_object_get(f, "shredded")) &&
			   b64_32(str(f, "commitment"), cm)) {
			v->shredded++;
		} else {
			res = fail(v, "record %zu (%s %s): field %s is neither disclosed (value, salt) "
				      "nor withheld (commitment) nor shredded (commitment, shredded)",
				   idx, type, id, name);
			goto out;
		}
		sodium_bin2base64(b64, sizeof(b64), cm, sizeof(cm), sodium_base64_VARIANT_ORIGINAL);
		json_object_set_new(commitments, name, json_string(b64));
	}
	if (leaf_encode(&h, blobs, commitments, &enc, &e)) {
		res = fail(v, "record %zu (%s %s): %s", idx, type, id, e.message);
		goto out;
	}
	tlog_leaf_hash(enc.data, enc.len, leaf);
	if (json_array_size(proof) > TLOG_MAX_PROOF) {
		res = fail(v, "record %zu (%s %s): inclusion proof too long", idx, type, id);
		goto out;
	}
	p.n = json_array_size(proof);
	json_array_foreach(proof, i, b) {
		if (!b64_32(json_string_value(b), p.hash[i])) {
			res = fail(v, "record %zu (%s %s): inclusion proof hash %zu is not base64 of "
				      "32 bytes", idx, type, id, i);
			goto out;
		}
	}
	if (tlog_verify_inclusion((uint64_t)json_integer_value(li), c->size, leaf, &p, c->root,
				  &e)) {
		res = fail(v, "record %zu (%s %s) at leaf %lld: its fields and proof do not lead to "
			      "the checkpoint's root (changed after sealing?)", idx, type, id,
			   (long long)json_integer_value(li));
		goto out;
	}
out:
	json_decref(commitments);
	buf_release(&enc);
	return res;
}

/* The disclosed value of a field of a record, or NULL. */
static const char *disclosed(json_t *r, const char *field)
{
	return str(json_object_get(json_object_get(r, "fields"), field), "value");
}

static enum verify_result verify_blob_entry(struct vctx *v, json_t *b, size_t idx,
					    json_t *records)
{
	static const char *const with[] = {"id", "content_type", "size", "content_base64", NULL};
	static const char *const without[] = {"id", "content_type", "size", NULL};
	static const char *const shredded[] = {"id", "content_type", "size", "shredded", NULL};
	const char *id = str(b, "id"), *data = str(b, "content_base64");
	json_t *r, *match = NULL;
	char hex[65], digest[65], size_text[32];
	unsigned char *bin;
	size_t i, n = 0, dlen;

	int gone = exact_keys(b, shredded) && json_is_true(json_object_get(b, "shredded"));

	if (!(exact_keys(b, with) || exact_keys(b, without) || gone) || !id ||
	    !blob_parse_id(id, hex) ||
	    (json_object_get(b, "content_base64") && !data) ||
	    !json_is_string(json_object_get(b, "content_type")) ||
	    !json_is_integer(json_object_get(b, "size")))
		return fail(v, "blob %zu is not shaped as the format says", idx);
	json_array_foreach(records, i, r)
		if (strcmp(str(r, "type"), "blob") == 0 && strcmp(str(r, "id"), id) == 0)
			match = r;
	if (!match)
		return fail(v, "blob %s has no sealed record in the bundle", id);
	snprintf(size_text, sizeof(size_text), "%lld",
		 (long long)json_integer_value(json_object_get(b, "size")));
	if (!disclosed(match, "content_type") || !disclosed(match, "size") ||
	    strcmp(disclosed(match, "content_type"), str(b, "content_type")) != 0 ||
	    strcmp(disclosed(match, "size"), size_text) != 0)
		return fail(v, "blob %s: its type and size differ from its sealed record", id);
	if (gone) {
		say(v, "blob %s (%s, %s bytes): shredded under the platform's retention policy "
		       "(its file destroyed; its digest still binds the records that cite it)", id,
		    str(b, "content_type"), size_text);
		return VERIFY_VALID;
	}
	if (!data) {
		say(v, "blob %s (%s, %s bytes): digest only", id, str(b, "content_type"), size_text);
		return VERIFY_VALID;
	}
	dlen = strlen(data);
	bin = malloc(dlen / 4 * 3 + 3);
	if (!bin)
		return fail(v, "blob %s: out of memory", id);
	if (sodium_base642bin(bin, dlen / 4 * 3 + 3, data, dlen, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(bin);
		return fail(v, "blob %s: content_base64 is not base64", id);
	}
	sha256_hex(bin, n, digest);
	free(bin);
	if (strcmp(digest, hex) != 0 || (long long)n != json_integer_value(json_object_get(b, "size")))
		return fail(v, "blob %s: its content does not match its digest", id);
	say(v, "blob %s (%s, %zu bytes): content matches its digest", id, str(b, "content_type"), n);
	return VERIFY_VALID;
}

/* The record of the bundle with id `id`, or NULL. */
static json_t *record_by_id(json_t *records, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(records, i, r)
		if (strcmp(str(r, "id"), id) == 0)
			return r;
	return NULL;
}

/*
 * A disclosure package's masked renderings (docs/formats.md): each names a
 * record of the bundle and one of its fields, which must be withheld (a
 * commitment); the rendering itself is a disclosed field of the sealed
 * event, so it is bound like any other. *n counts them.
 */
static enum verify_result verify_masked(struct vctx *v, json_t *ev, json_t *records, int *n)
{
	char name[64];
	int k;

	for (k = 0;; k++) {
		const char *rec, *field, *value;
		json_t *target, *f;

		snprintf(name, sizeof(name), "data.masked[%d].record", k);
		rec = disclosed(ev, name);
		snprintf(name, sizeof(name), "data.masked[%d].field", k);
		field = disclosed(ev, name);
		snprintf(name, sizeof(name), "data.masked[%d].value", k);
		value = disclosed(ev, name);
		if (!rec && !field && !value)
			return VERIFY_VALID;
		if (!rec || !field || !value)
			return fail(v, "disclosure event %s: masked rendering %d is not disclosed whole",
				    str(ev, "id"), k);
		target = record_by_id(records, rec);
		f = target ? json_object_get(json_object_get(target, "fields"), field) : NULL;
		if (!f)
			return fail(v, "disclosure event %s: masked rendering %d names %s of %s, "
				       "which the bundle does not hold", str(ev, "id"), k, field, rec);
		if (!json_object_get(f, "commitment"))
			return fail(v, "disclosure event %s: masked rendering %d stands for %s of %s, "
				       "which is disclosed", str(ev, "id"), k, field, rec);
		(*n)++;
	}
}

static void hash_text(const uint8_t h[TLOG_HASH_SIZE], char out[48])
{
	sodium_bin2base64(out, 48, h, TLOG_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
}

/* True if `arr` (an array of strings) holds `s`. */
static int holds(json_t *arr, const char *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), s) == 0)
			return 1;
	return 0;
}

/*
 * Completeness: the records of the order's chain are all of one chain, that
 * of the bundle's order, at places 0..k each once, each naming the leaf
 * hash of the one before; the order's leaf links every merchant and listing
 * record of the bundle and nothing else; every blob record is referred to.
 * `hashes[i]` is the leaf hash of record i.
 */
static enum verify_result verify_chain(struct vctx *v, const char *order, json_t *records,
				       uint8_t (*hashes)[TLOG_HASH_SIZE])
{
	size_t n = json_array_size(records), i, j, count = 0, chain_len;
	size_t *at = NULL;   /* at[seq] = record index + 1 */
	json_t *r, *links = NULL, *b, *c;
	char text[48];
	enum verify_result res = VERIFY_VALID;

	at = calloc(n + 1, sizeof(*at));
	if (!at)
		return fail(v, "out of memory");
	json_array_foreach(records, i, r) {
		const char *o;
		json_int_t seq;

		c = json_object_get(r, "chain");
		if (!c)
			continue;
		o = str(c, "order");
		seq = json_integer_value(json_object_get(c, "seq"));
		if (strcmp(o, order) != 0) {
			res = fail(v, "record %zu (%s %s) is sealed as part of order %s, not of this "
				      "bundle's order %s: it was moved", i, str(r, "type"),
				   str(r, "id"), o, order);
			goto out;
		}
		if ((size_t)seq >= n || at[seq]) {
			res = fail(v, "record %zu (%s %s) claims place %lld of the order's chain, %s",
				   i, str(r, "type"), str(r, "id"), (long long)seq,
				   (size_t)seq >= n ? "beyond the records the bundle holds"
						    : "which another record holds");
			goto out;
		}
		at[seq] = i + 1;
		count++;
	}
	for (i = 0; i < count; i++) {
		if (!at[i]) {
			res = fail(v, "the order's chain has no record at place %zu (of %zu): a record "
				      "was left out or removed", i, count);
			goto out;
		}
		r = json_array_get(records, at[i] - 1);
		c = json_object_get(r, "chain");
		if (i == 0) {
			if (strcmp(str(r, "type"), "order") != 0 || strcmp(str(r, "id"), order) != 0) {
				res = fail(v, "the order's chain does not begin with order %s", order);
				goto out;
			}
			links = json_object_get(c, "links");
			continue;
		}
		hash_text(hashes[at[i - 1] - 1], text);
		if (strcmp(str(c, "prev"), text) != 0) {
			res = fail(v, "record %s %s at place %zu of the chain does not follow the record "
				      "at place %zu: a record between them was removed or replaced",
				   str(r, "type"), str(r, "id"), i, i - 1);
			goto out;
		}
	}
	if (!links) {
		res = fail(v, "the bundle does not hold the chain of order %s", order);
		goto out;
	}
	chain_len = count;
	count = 0;
	json_array_foreach(records, i, r) {
		const char *type = str(r, "type");

		if (strcmp(type, "merchant") != 0 && strcmp(type, "listing") != 0)
			continue;
		hash_text(hashes[i], text);
		if (!holds(links, text)) {
			res = fail(v, "record %zu (%s %s) is not one the order's leaf links", i, type,
				   str(r, "id"));
			goto out;
		}
		count++;
	}
	if (count != json_array_size(links)) {
		res = fail(v, "the order's leaf links %zu merchant and listing records; the bundle "
			      "holds %zu", json_array_size(links), count);
		goto out;
	}
	json_array_foreach(records, i, r) {
		int referred = 0;

		if (strcmp(str(r, "type"), "blob") != 0)
			continue;
		json_array_foreach(records, j, b)
			if (strcmp(str(b, "type"), "blob") != 0 &&
			    holds(json_object_get(b, "blobs"), str(r, "id")))
				referred = 1;
		if (!referred) {
			res = fail(v, "blob record %s is referred to by no record of the bundle",
				   str(r, "id"));
			goto out;
		}
	}
	say(v, "chain of order %s: %zu records at places 0..%zu, each bound to the one before, "
	       "the order linking %zu merchant and listing records: complete up to place %zu",
	    order, chain_len, chain_len - 1, count, chain_len - 1);
out:
	free(at);
	return res;
}

/* Collects, for verify_in_log, the leaves of one order that a copy of the log holds. */
struct order_leaves {
	struct vctx *v;
	const char *order;
	json_t *records;
	uint8_t (*hashes)[TLOG_HASH_SIZE];
	uint64_t size;               /* the bundle's checkpoint size */
	size_t found, later;         /* leaves of the order within it, and after it */
	enum verify_result res;
};

static int order_leaf(void *ctx, uint64_t index, const void *data, size_t len)
{
	struct order_leaves *o = ctx;
	json_t *leaf = NULL;
	uint8_t h[TLOG_HASH_SIZE];
	struct err ignore;
	size_t i;
	int in_bundle = 0;

	if (leaf_decode(data, len, &leaf, &ignore))
		return RC_OK;   /* not an evidence leaf: no order's */
	if (!str(leaf, "order") || strcmp(str(leaf, "order"), o->order) != 0) {
		json_decref(leaf);
		return RC_OK;
	}
	if (index >= o->size) {
		o->later++;
		json_decref(leaf);
		return RC_OK;
	}
	tlog_leaf_hash(data, len, h);
	for (i = 0; i < json_array_size(o->records); i++)
		if (memcmp(o->hashes[i], h, sizeof(h)) == 0)
			in_bundle = 1;
	if (!in_bundle) {
		o->res = fail(o->v, "leaf %llu of the log (%s %s, place %lld of order %s's chain) is "
				    "within the bundle's checkpoint but not in the bundle: the bundle "
				    "is incomplete", (unsigned long long)index, str(leaf, "type"),
			      str(leaf, "id"), (long long)json_integer_value(json_object_get(leaf, "seq")),
			      o->order);
		json_decref(leaf);
		return RC_INVAL;
	}
	o->found++;
	json_decref(leaf);
	return RC_OK;
}

static void mirror_problem(void *ctx, const char *where, const char *what)
{
	say(ctx, "log copy: %s: %s", where, what);
}

/*
 * With a copy of the log (--log): the copy is intact and signed by the
 * trusted key, its tree extends the bundle's checkpoint, and every leaf of
 * the bundle's order up to the checkpoint's size is a record of the bundle.
 */
static enum verify_result verify_in_log(struct vctx *v, const char *order, json_t *records,
					uint8_t (*hashes)[TLOG_HASH_SIZE],
					const struct tlog_checkpoint *c, size_t chain_len)
{
	struct order_leaves o = {v, order, records, hashes, c->size, 0, 0, VERIFY_VALID};
	uint8_t root[TLOG_HASH_SIZE];
	uint64_t size = 0, problems = 0;
	struct tlog_proof p;
	struct err e;
	int rc;

	err_clear(&e);
	if (tlog_log_checkpoint(v->mirror, &size, root, NULL, &e))
		return fail(v, "log copy: %s", e.message);
	if (tlog_log_audit(v->mirror, mirror_problem, v, &problems, &e) || problems)
		return fail(v, "the log copy is not intact (%llu problems): it cannot show the "
			       "bundle complete", (unsigned long long)problems);
	if (size < c->size)
		return fail(v, "the log copy (size %llu) is older than the bundle's checkpoint "
			       "(size %llu)", (unsigned long long)size, (unsigned long long)c->size);
	if (tlog_log_prove_consistency(v->mirror, c->size, size, &p, &e) ||
	    tlog_verify_consistency(c->size, size, c->root, root, &p, &e))
		return fail(v, "the log copy is not consistent with the bundle's checkpoint: %s",
			    e.message);
	say(v, "log copy: signed tree of size %llu, intact, consistent with the bundle's "
	       "checkpoint", (unsigned long long)size);
	rc = tlog_log_each_entry(v->mirror, size, order_leaf, &o, &e);
	if (o.res != VERIFY_VALID)
		return o.res;
	if (rc)
		return fail(v, "the log copy cannot be read: %s", e.message);
	if (o.found != chain_len)
		return fail(v, "the log holds %zu leaves of order %s within the bundle's checkpoint; "
			       "the bundle's chain has %zu", o.found, order, chain_len);
	say(v, "complete: the log holds %zu leaves of order %s within the bundle's checkpoint, "
	       "all of them in the bundle%s", o.found, order,
	    o.later ? "" : "; none after it");
	if (o.later)
		say(v, "note: the order has %zu later records, after the bundle's checkpoint", o.later);
	return VERIFY_VALID;
}

static enum verify_result verify_bundle(struct vctx *v, const char *data, size_t len,
					const struct tlog_verifier *log,
					const struct tlog_verifier *w, size_t nw)
{
	static const char *const keys[] = {"format", "order", "log", "checkpoint", "witnesses",
					   "records", "blobs", NULL};
	static const char *const log_keys[] = {"origin", "vkey", NULL};
	struct tlog_verifier all_w[MAX_KEYS], required[MAX_KEYS];
	const char *origins[MAX_KEYS];
	struct tlog_checkpoint c;
	struct tlog_note n;
	json_t *b, *records, *x, *wl;
	json_error_t je;
	struct buf trusted;
	char *again = NULL;
	uint8_t (*hashes)[TLOG_HASH_SIZE] = NULL;
	size_t i, j, nall = 0, nreq = 0;
	int withheld = 0, shown = 0, have_order = 0, have_payment = 0, masked = 0;
	enum verify_result r = VERIFY_VALID;

	say(v, "file: an evidence bundle");
	tlog_note_init(&n);
	buf_init(&trusted, 4096);
	b = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!b)
		return fail(v, "not valid JSON (%s, line %d)", je.text, je.line);
	again = json_dumps(b, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!again || strlen(again) + 1 != len || memcmp(again, data, len - 1) != 0 ||
	    data[len - 1] != '\n') {
		r = fail(v, "the file is not in the bundle's canonical form: it was changed after "
			    "it was made");
		goto out;
	}
	if (!exact_keys(b, keys) || strcmp(str(b, "format") ? str(b, "format") : "",
					   BUNDLE_FORMAT) != 0 ||
	    !str(b, "order") || !exact_keys(json_object_get(b, "log"), log_keys) ||
	    !str(json_object_get(b, "log"), "origin") || !str(json_object_get(b, "log"), "vkey") ||
	    !str(b, "checkpoint") || !json_is_array(json_object_get(b, "witnesses")) ||
	    !json_is_array(json_object_get(b, "records")) ||
	    !json_is_array(json_object_get(b, "blobs"))) {
		r = fail(v, "not shaped as a %s bundle", BUNDLE_FORMAT);
		goto out;
	}
	if (tlog_verifier_format(log, &trusted) ||
	    strcmp(str(json_object_get(b, "log"), "vkey"), trusted.data) != 0) {
		r = fail(v, "the bundle names log key %s, not the key you trust (%s)",
			 str(json_object_get(b, "log"), "vkey"), trusted.data);
		goto out;
	}
	if (strcmp(str(json_object_get(b, "log"), "origin"), log->name) != 0) {
		r = fail(v, "the bundle names origin %s, not the trusted key's %s",
			 str(json_object_get(b, "log"), "origin"), log->name);
		goto out;
	}
	say(v, "log key: %s (the key you trust)", trusted.data);
	/* witnesses: those the bundle lists and those given on the command line */
	json_array_foreach(json_object_get(b, "witnesses"), i, x) {
		struct err e;

		err_clear(&e);
		if (nall >= MAX_KEYS || !json_is_string(x) ||
		    tlog_verifier_parse(&all_w[nall], json_string_value(x), &e) ||
		    all_w[nall].type != TLOG_KEY_COSIG) {
			r = fail(v, "witness %zu of the bundle is not a cosignature key", i);
			goto out;
		}
		required[nreq] = all_w[nall];
		origins[nreq++] = "key listed in the bundle";
		nall++;
	}
	for (i = 0; i < nw && nall < MAX_KEYS && nreq < MAX_KEYS; i++) {
		for (j = 0; j < nreq; j++)
			if (required[j].id == w[i].id && strcmp(required[j].name, w[i].name) == 0 &&
			    memcmp(required[j].pub, w[i].pub, 32) == 0)
				break;
		if (j < nreq) {
			origins[j] = "the key you gave with --witness";
			continue;
		}
		all_w[nall++] = w[i];
		required[nreq] = w[i];
		origins[nreq++] = "the key you gave with --witness";
	}
	wl = json_object_get(b, "checkpoint");
	r = open_checkpoint(v, json_string_value(wl), json_string_length(wl), log, all_w, nall,
			    &c, &n);
	if (r == VERIFY_VALID)
		r = check_note(v, &n, log, required, nreq, origins, 1);
	if (r != VERIFY_VALID)
		goto out;
	{
		char root[48];

		sodium_bin2base64(root, sizeof(root), c.root, sizeof(c.root),
				  sodium_base64_VARIANT_ORIGINAL);
		say(v, "checkpoint: tree size %llu, root %s", (unsigned long long)c.size, root);
	}
	records = json_object_get(b, "records");
	if (json_array_size(records) == 0) {
		r = fail(v, "the bundle has no records");
		goto out;
	}
	hashes = calloc(json_array_size(records), sizeof(*hashes));
	if (!hashes) {
		r = fail(v, "out of memory");
		goto out;
	}
	json_array_foreach(records, i, x) {
		int wh = 0, sh = 0;

		v->shredded = 0;
		r = verify_record(v, x, i, &c, &wh, &sh, hashes[i]);
		if (r != VERIFY_VALID)
			goto out;
		for (j = 0; j < i; j++)
			if (json_integer_value(json_object_get(json_array_get(records, j),
							       "leaf_index")) ==
			    json_integer_value(json_object_get(x, "leaf_index"))) {
				r = fail(v, "records %zu and %zu are the same leaf", j, i);
				goto out;
			}
		withheld += wh;
		shown += sh;
		if (strcmp(str(x, "id"), str(b, "order")) == 0) {
			have_order |= strcmp(str(x, "type"), "order") == 0;
			have_payment |= strcmp(str(x, "type"), "payment") == 0;
		}
		v->shredded_all += v->shredded;
		if (v->shredded)
			say(v, "record %s %s: leaf %lld, %d fields disclosed, %d withheld, %d shredded "
			       "under the platform's retention policy, included in the checkpoint: ok",
			    str(x, "type"), str(x, "id"),
			    (long long)json_integer_value(json_object_get(x, "leaf_index")), sh, wh,
			    v->shredded);
		else
			say(v, "record %s %s: leaf %lld, %d fields disclosed, %d withheld, included "
			       "in the checkpoint: ok", str(x, "type"), str(x, "id"),
			    (long long)json_integer_value(json_object_get(x, "leaf_index")), sh, wh);
	}
	if (!have_order || !have_payment) {
		r = fail(v, "the bundle names order %s but does not hold its order and payment "
			    "records", str(b, "order"));
		goto out;
	}
	r = verify_chain(v, str(b, "order"), records, hashes);
	if (r != VERIFY_VALID)
		goto out;
	if (v->mirror) {
		size_t chain_len = 0;

		json_array_foreach(records, i, x)
			chain_len += json_object_get(x, "chain") != NULL;
		r = verify_in_log(v, str(b, "order"), records, hashes, &c, chain_len);
		if (r != VERIFY_VALID)
			goto out;
	}
	json_array_foreach(json_object_get(b, "blobs"), i, x) {
		r = verify_blob_entry(v, x, i, records);
		if (r != VERIFY_VALID)
			goto out;
	}
	json_array_foreach(records, i, x) {
		if (strcmp(str(x, "type"), "disclosure_event") != 0)
			continue;
		r = verify_masked(v, x, records, &masked);
		if (r != VERIFY_VALID)
			goto out;
	}
	if (masked)
		say(v, "masked renderings: %d, each standing for a withheld field of a record of "
		       "the bundle, sealed in its disclosure event", masked);
	if (v->shredded_all)
		say(v, "shredded: %d fields of this order's records were shredded under the "
		       "platform's retention policy: their values and salts are destroyed, their "
		       "commitments still bind each leaf", v->shredded_all);
	say(v, "VALID: %zu records of order %s, %d fields disclosed and %d withheld, all bound "
	       "to the log's signed checkpoint", json_array_size(records), str(b, "order"), shown,
	    withheld);
out:
	free(hashes);
	free(again);
	buf_release(&trusted);
	tlog_note_release(&n);
	json_decref(b);
	return r;
}

enum verify_result verify_file(const char *data, size_t len, const struct tlog_verifier *vkey,
			       const struct tlog_verifier *witnesses, size_t nwitnesses,
			       const char *entry, size_t entry_len, int have_entry, FILE *report)
{
	return verify_file_in_log(data, len, vkey, witnesses, nwitnesses, entry, entry_len,
				  have_entry, NULL, report);
}

enum verify_result verify_file_in_log(const char *data, size_t len,
				      const struct tlog_verifier *vkey,
				      const struct tlog_verifier *witnesses, size_t nwitnesses,
				      const char *entry, size_t entry_len, int have_entry,
				      struct tlog_log *mirror, FILE *report)
{
	struct vctx v = {report, VERIFY_VALID, mirror, 0, 0};
	enum verify_result r;
	size_t i = 0;

	if (len == 0) {
		say(&v, "UNUSABLE: the file is empty");
		return VERIFY_UNUSABLE;
	}
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r'))
		i++;
	if (len >= strlen(TLOG_PROOF_HEADER) &&
	    memcmp(data, TLOG_PROOF_HEADER, strlen(TLOG_PROOF_HEADER)) == 0)
		r = verify_proof_file(&v, data, len, vkey, witnesses, nwitnesses, entry, entry_len,
				      have_entry);
	else if ((i < len && data[i] == '{') || memmem(data, len, BUNDLE_FORMAT,
							 strlen(BUNDLE_FORMAT)))
		r = verify_bundle(&v, data, len, vkey, witnesses, nwitnesses);
	else if (memchr(data, '\n', len) && memmem(data, len, "\n\n", 2))
		r = verify_checkpoint_file(&v, data, len, vkey, witnesses, nwitnesses);
	else {
		say(&v, "UNUSABLE: not a bundle, a signed checkpoint or a tlog-proof file");
		return VERIFY_UNUSABLE;
	}
	return r;
}
