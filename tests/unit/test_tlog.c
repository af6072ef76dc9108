/* test_tlog.c - unit tests of the transparency-log library: the independent Go vectors, and properties by construction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/proof.h"
#include "tlog/tiles.h"
#include "tlog/witness.h"

/*
 * The vectors are read in place: ../shared/vectors/tlog from the
 * repository root (where tests run), or $DISPUTED_VECTORS. Their
 * manifest has this many cases; fewer means a file was silently lost.
 */
#define VECTORS_DEFAULT "../shared/vectors/tlog"
#define MANIFEST_ROWS 144

/* ---- reading vectors ---- */

static const char *vec_dir(void)
{
	const char *d = getenv("DISPUTED_VECTORS");

	return d && *d ? d : VECTORS_DEFAULT;
}

/* The bytes of a vector file, NUL-terminated; NULL if it cannot be read. */
static char *vec_read(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *data = NULL;
	long n;

	snprintf(path, sizeof(path), "%s/%s", vec_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		}
		if (data) {
			data[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return data;
}

/* A key file's text without surrounding whitespace. */
static char *vec_key(const char *name)
{
	char *s = vec_read(name, NULL);
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

static void vec_verifier(const char *name, struct tlog_verifier *v)
{
	char *k = vec_key(name);

	assert_non_null(k);
	assert_int_equal(tlog_verifier_parse(v, k, NULL), RC_OK);
	free(k);
}

static void vec_signer(const char *name, struct tlog_signer *s)
{
	char *k = vec_key(name);

	assert_non_null(k);
	assert_int_equal(tlog_signer_parse(s, k, NULL), RC_OK);
	sodium_memzero(k, strlen(k));
	free(k);
}

static int b64_hash(const char *s, uint8_t out[TLOG_HASH_SIZE])
{
	size_t n = 0;

	if (!s || sodium_base642bin(out, TLOG_HASH_SIZE, s, strlen(s), NULL, &n, NULL,
				    sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return n == TLOG_HASH_SIZE ? 0 : -1;
}

static void hex_hash(const char *hex, uint8_t out[TLOG_HASH_SIZE])
{
	size_t n = 0;

	assert_int_equal(sodium_hex2bin(out, TLOG_HASH_SIZE, hex, strlen(hex), NULL, &n, NULL), 0);
	assert_int_equal(n, TLOG_HASH_SIZE);
}

/* ---- trees in memory ---- */

/* Leaf hashes of leaf-<seed>-<i> for i < n (malloc'd n * 32 bytes). */
static uint8_t *seed_leaves(const char *seed, uint64_t n)
{
	uint8_t *h = malloc(n ? n * TLOG_HASH_SIZE : 1);
	char text[128];
	uint64_t i;
	int len;

	assert_non_null(h);
	for (i = 0; i < n; i++) {
		len = snprintf(text, sizeof(text), "leaf-%s-%llu", seed, (unsigned long long)i);
		tlog_leaf_hash(text, (size_t)len, h + i * TLOG_HASH_SIZE);
	}
	return h;
}

/* Leaf hashes of the RFC 6962 reference leaves (hex lines, an empty line an empty leaf). */
static uint8_t *ct_leaves(uint64_t *n)
{
	char *text = vec_read("ct-reference-leaves.hex", NULL), *p, *nl;
	uint8_t *h = malloc(16 * TLOG_HASH_SIZE), bin[64];
	size_t blen;

	assert_non_null(text);
	assert_non_null(h);
	*n = 0;
	for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		assert_true(*n < 16);
		assert_int_equal(sodium_hex2bin(bin, sizeof(bin), p, (size_t)(nl - p), NULL, &blen,
						NULL), 0);
		tlog_leaf_hash(bin, blen, h + *n * TLOG_HASH_SIZE);
		(*n)++;
	}
	free(text);
	return h;
}

/* Every complete subtree hash of a tree, level by level: what tiles store. */
struct mem_tree {
	uint64_t count[64];  /* complete subtrees at each level */
	uint8_t *level[64];  /* their hashes; level[0] are the leaf hashes */
	unsigned reads;      /* get_hash calls, to show proofs read few hashes */
};

static void mem_tree_build(struct mem_tree *t, const uint8_t *leaves, uint64_t n)
{
	unsigned k;
	uint64_t i;

	memset(t, 0, sizeof(*t));
	t->count[0] = n;
	t->level[0] = malloc(n ? n * TLOG_HASH_SIZE : 1);
	assert_non_null(t->level[0]);
	if (n)
		memcpy(t->level[0], leaves, n * TLOG_HASH_SIZE);
	for (k = 1; k < 64 && t->count[k - 1] >= 2; k++) {
		t->count[k] = t->count[k - 1] / 2;
		t->level[k] = malloc(t->count[k] * TLOG_HASH_SIZE);
		assert_non_null(t->level[k]);
		for (i = 0; i < t->count[k]; i++)
			tlog_node_hash(t->level[k - 1] + 2 * i * TLOG_HASH_SIZE,
				       t->level[k - 1] + (2 * i + 1) * TLOG_HASH_SIZE,
				       t->level[k] + i * TLOG_HASH_SIZE);
	}
}

static void mem_tree_free(struct mem_tree *t)
{
	unsigned k;

	for (k = 0; k < 64; k++)
		free(t->level[k]);
	memset(t, 0, sizeof(*t));
}

static int mem_tree_get(void *ctx, uint64_t level, uint64_t index, uint8_t out[TLOG_HASH_SIZE])
{
	struct mem_tree *t = ctx;

	t->reads++;
	if (level >= 64 || index >= t->count[level])
		return RC_NOTFOUND;
	memcpy(out, t->level[level] + index * TLOG_HASH_SIZE, TLOG_HASH_SIZE);
	return RC_OK;
}

static void seed_root(const char *seed, uint64_t n, uint8_t out[TLOG_HASH_SIZE])
{
	struct tlog_frontier f;
	char text[128];
	uint8_t h[TLOG_HASH_SIZE];
	uint64_t i;
	int len;

	tlog_frontier_init(&f);
	for (i = 0; i < n; i++) {
		len = snprintf(text, sizeof(text), "leaf-%s-%llu", seed, (unsigned long long)i);
		tlog_leaf_hash(text, (size_t)len, h);
		assert_int_equal(tlog_frontier_append(&f, h, NULL, NULL), RC_OK);
	}
	tlog_frontier_root(&f, out);
}

/* ---- evaluating one vector ---- */

static int json_proof(json_t *o, struct tlog_proof *p)
{
	json_t *arr = json_object_get(o, "proof"), *v;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) > TLOG_MAX_PROOF)
		return -1;
	p->n = 0;
	json_array_foreach(arr, i, v) {
		if (b64_hash(json_string_value(v), p->hash[p->n]) != 0)
			return -1;
		p->n++;
	}
	return 0;
}

static uint64_t json_u64(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	assert_true(json_integer_value(v) >= 0);
	return (uint64_t)json_integer_value(v);
}

/* 1 if the inclusion case verifies: its leaf data (if any) hashes to its leaf hash, and the proof holds. */
static int eval_inclusion(json_t *o)
{
	uint8_t leaf[TLOG_HASH_SIZE], root[TLOG_HASH_SIZE], h[TLOG_HASH_SIZE], bin[256];
	const char *data = json_string_value(json_object_get(o, "leaf"));
	const char *data64 = json_string_value(json_object_get(o, "leaf_b64"));
	struct tlog_proof p;
	size_t blen = 0;

	if (b64_hash(json_string_value(json_object_get(o, "leaf_hash")), leaf) != 0 ||
	    b64_hash(json_string_value(json_object_get(o, "root")), root) != 0 ||
	    json_proof(o, &p) != 0)
		return 0;
	if (data) {
		tlog_leaf_hash(data, strlen(data), h);
		if (memcmp(h, leaf, TLOG_HASH_SIZE) != 0)
			return 0;
	}
	if (data64) {
		if (sodium_base642bin(bin, sizeof(bin), data64, strlen(data64), NULL, &blen, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0)
			return 0;
		tlog_leaf_hash(bin, blen, h);
		if (memcmp(h, leaf, TLOG_HASH_SIZE) != 0)
			return 0;
	}
	return tlog_verify_inclusion(json_u64(o, "index"), json_u64(o, "size"), leaf, &p, root,
				     NULL) == RC_OK;
}

static int eval_consistency(json_t *o)
{
	uint8_t old_root[TLOG_HASH_SIZE], root[TLOG_HASH_SIZE];
	struct tlog_proof p;

	if (b64_hash(json_string_value(json_object_get(o, "old_root")), old_root) != 0 ||
	    b64_hash(json_string_value(json_object_get(o, "root")), root) != 0 ||
	    json_proof(o, &p) != 0)
		return 0;
	return tlog_verify_consistency(json_u64(o, "old_size"), json_u64(o, "size"), old_root,
				       root, &p, NULL) == RC_OK;
}

static json_t *vec_json(const char *file)
{
	char *text = vec_read(file, NULL);
	json_error_t jerr;
	json_t *j;

	if (!text)
		return NULL;
	j = json_loads(text, 0, &jerr);
	free(text);
	return j;
}

static int proof_equal_json(const struct tlog_proof *p, json_t *o)
{
	struct tlog_proof want;

	return json_proof(o, &want) == 0 && want.n == p->n &&
	       (p->n == 0 || memcmp(want.hash, p->hash, p->n * TLOG_HASH_SIZE) == 0);
}

/*
 * A tree bundle holds: its roots at several sizes, which our root must
 * match; inclusion and consistency proofs, which must verify and which our
 * generator must reproduce byte for byte from the tree's hashes.
 */
static int eval_bundle(const char *file)
{
	json_t *j = vec_json(file), *o, *seed;
	struct tlog_proof p;
	struct mem_tree t;
	uint8_t *leaves, root[TLOG_HASH_SIZE], want[TLOG_HASH_SIZE];
	uint64_t n, size;
	size_t i;
	int ok = 1;

	if (!j)
		return 0;
	size = json_u64(j, "size");
	seed = json_object_get(j, "seed");
	if (json_is_string(seed)) {
		n = size;
		leaves = seed_leaves(json_string_value(seed), n);
	} else {
		leaves = ct_leaves(&n);
	}
	assert_int_equal(n, size);
	mem_tree_build(&t, leaves, n);

	json_array_foreach(json_object_get(j, "roots"), i, o) {
		tlog_root_from_leaves(leaves, json_u64(o, "size"), root);
		if (b64_hash(json_string_value(json_object_get(o, "root")), want) != 0 ||
		    memcmp(root, want, TLOG_HASH_SIZE) != 0) {
			print_message("%s: root of size %llu differs\n", file,
				      (unsigned long long)json_u64(o, "size"));
			ok = 0;
		}
	}
	json_array_foreach(json_object_get(j, "inclusion"), i, o) {
		if (!eval_inclusion(o)) {
			print_message("%s: inclusion[%zu] does not verify\n", file, i);
			ok = 0;
		}
		if (tlog_prove_inclusion(json_u64(o, "index"), json_u64(o, "size"), mem_tree_get,
					 &t, &p, NULL) != RC_OK || !proof_equal_json(&p, o)) {
			print_message("%s: inclusion[%zu] is not what we generate\n", file, i);
			ok = 0;
		}
	}
	json_array_foreach(json_object_get(j, "consistency"), i, o) {
		if (!eval_consistency(o)) {
			print_message("%s: consistency[%zu] does not verify\n", file, i);
			ok = 0;
		}
		if (tlog_prove_consistency(json_u64(o, "old_size"), json_u64(o, "size"),
					   mem_tree_get, &t, &p, NULL) != RC_OK ||
		    !proof_equal_json(&p, o)) {
			print_message("%s: consistency[%zu] is not what we generate\n", file, i);
			ok = 0;
		}
	}
	mem_tree_free(&t);
	free(leaves);
	json_decref(j);
	return ok;
}

struct vec_row {
	char *id, *kind, *file, *vkey, *seed, *expect, *desc; /* the manifest's columns */
};

static int eval_note(const struct vec_row *r)
{
	struct tlog_verifier v;
	struct tlog_note n;
	size_t len;
	char *msg = vec_read(r->file, &len);
	int rc;

	assert_non_null(msg);
	vec_verifier(r->vkey, &v);
	tlog_note_init(&n);
	rc = tlog_note_open(&n, msg, len, &v, 1, NULL);
	tlog_note_release(&n);
	free(msg);
	return rc == RC_OK;
}

/* Signature by the key, strict body, origin = the key's name, root = the seed's leaves' root. */
static int eval_checkpoint(const struct vec_row *r)
{
	struct tlog_checkpoint c;
	struct tlog_verifier v;
	uint8_t root[TLOG_HASH_SIZE];
	size_t len;
	char *msg = vec_read(r->file, &len);
	int rc;

	assert_non_null(msg);
	vec_verifier(r->vkey, &v);
	rc = tlog_checkpoint_open(&c, NULL, msg, len, v.name, &v, 1, NULL);
	free(msg);
	if (rc)
		return 0;
	if (strcmp(r->seed, "-") != 0) {
		assert_true(c.size <= 1000000);
		seed_root(r->seed, c.size, root);
		if (memcmp(root, c.root, TLOG_HASH_SIZE) != 0)
			return 0;
	}
	return 1;
}

static int eval_row(const struct vec_row *r)
{
	json_t *j;
	int ok;

	if (strcmp(r->kind, "note") == 0)
		return eval_note(r);
	if (strcmp(r->kind, "checkpoint") == 0)
		return eval_checkpoint(r);
	if (strcmp(r->kind, "bundle") == 0)
		return eval_bundle(r->file);
	j = vec_json(r->file);
	assert_non_null(j);
	if (strcmp(r->kind, "inclusion") == 0)
		ok = eval_inclusion(j);
	else if (strcmp(r->kind, "consistency") == 0)
		ok = eval_consistency(j);
	else
		fail_msg("unknown vector kind %s", r->kind);
	json_decref(j);
	return ok;
}

/* ---- the manifest ---- */

static struct vec_row *rows;
static size_t nrows;
static char *manifest_text;
static unsigned vec_accepted, vec_rejected;

/* Split the manifest into rows; returns the row count, 0 if unreadable. */
static size_t manifest_load(void)
{
	char *p, *nl, *cols[7];
	size_t cap = 0;
	int c;

	manifest_text = vec_read("manifest.tsv", NULL);
	if (!manifest_text)
		return 0;
	p = strchr(manifest_text, '\n'); /* skip the header */
	if (!p)
		return 0;
	for (p++; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		if (*p == '\0')
			continue;
		for (c = 0; c < 7; c++) {
			cols[c] = p;
			p = strchr(p, '\t');
			if (c < 6) {
				if (!p)
					break;
				*p++ = '\0';
			}
		}
		if (c < 7)
			continue; /* a malformed row; the row count test then fails */
		if (nrows == cap) {
			cap = cap ? 2 * cap : 64;
			rows = realloc(rows, cap * sizeof(*rows));
			if (!rows)
				abort();
		}
		rows[nrows].id = cols[0];
		rows[nrows].kind = cols[1];
		rows[nrows].file = cols[2];
		rows[nrows].vkey = cols[3];
		rows[nrows].seed = cols[4];
		rows[nrows].expect = cols[5];
		rows[nrows].desc = cols[6];
		nrows++;
	}
	return nrows;
}

static void manifest_has_every_case_and_file(void **state)
{
	unsigned kinds[5] = {0}, accept = 0, reject = 0;
	static const char *names[5] = {"note", "checkpoint", "inclusion", "consistency", "bundle"};
	size_t i;
	char *f;
	int k;

	(void)state;
	assert_int_equal(nrows, MANIFEST_ROWS);
	for (i = 0; i < nrows; i++) {
		for (k = 0; k < 5; k++)
			if (strcmp(rows[i].kind, names[k]) == 0)
				kinds[k]++;
		if (strcmp(rows[i].expect, "accept") == 0)
			accept++;
		else if (strcmp(rows[i].expect, "reject") == 0)
			reject++;
		f = vec_read(rows[i].file, NULL);
		assert_non_null(f);
		free(f);
		if (strcmp(rows[i].vkey, "-") != 0) {
			f = vec_read(rows[i].vkey, NULL);
			assert_non_null(f);
			free(f);
		}
	}
	assert_int_equal(kinds[0], 45);
	assert_int_equal(kinds[1], 24);
	assert_int_equal(kinds[2], 34);
	assert_int_equal(kinds[3], 33);
	assert_int_equal(kinds[4], 8);
	assert_int_equal(accept, 52);
	assert_int_equal(reject, 92);
}

static void vector_case(void **state)
{
	const struct vec_row *r = *state;
	int want = strcmp(r->expect, "accept") == 0;
	int got = eval_row(r);

	if (got != want)
		print_message("%s (%s): expected %s, got %s\n", r->id, r->desc, r->expect,
			      got ? "accept" : "reject");
	assert_int_equal(got, want);
	if (want)
		vec_accepted++;
	else
		vec_rejected++;
}

/* ---- Merkle trees ---- */

static void ct_reference_roots_for_sizes_0_to_8(void **state)
{
	/* RFC 6962 reference tree roots, as published with the CT test suite. */
	static const char *known[9] = {
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	};
	json_t *j = vec_json("ct-reference-tree.json"), *o;
	struct tlog_frontier f;
	uint8_t *leaves, root[TLOG_HASH_SIZE], want[TLOG_HASH_SIZE];
	uint64_t n, size;
	size_t i;

	(void)state;
	assert_non_null(j);
	leaves = ct_leaves(&n);
	assert_int_equal(n, 8);
	for (size = 0; size <= 8; size++) {
		hex_hash(known[size], want);
		tlog_root_from_leaves(leaves, size, root);
		assert_memory_equal(root, want, TLOG_HASH_SIZE);
		tlog_frontier_init(&f);
		for (i = 0; i < size; i++)
			assert_int_equal(tlog_frontier_append(&f, leaves + i * TLOG_HASH_SIZE, NULL,
							      NULL), RC_OK);
		tlog_frontier_root(&f, root);
		assert_memory_equal(root, want, TLOG_HASH_SIZE);
	}
	assert_int_equal(json_array_size(json_object_get(j, "roots")), 9);
	json_array_foreach(json_object_get(j, "roots"), i, o) {
		assert_int_equal(b64_hash(json_string_value(json_object_get(o, "root")), root), 0);
		hex_hash(known[json_u64(o, "size")], want);
		assert_memory_equal(root, want, TLOG_HASH_SIZE);
	}
	free(leaves);
	json_decref(j);
}

struct emit_check {
	struct mem_tree *t; /* the reference tree */
	unsigned emitted;   /* hashes emitted so far */
};

static int emit_matches_tree(void *ctx, uint64_t level, uint64_t index,
			     const uint8_t hash[TLOG_HASH_SIZE])
{
	struct emit_check *c = ctx;

	assert_true(index < c->t->count[level]);
	assert_memory_equal(hash, c->t->level[level] + index * TLOG_HASH_SIZE, TLOG_HASH_SIZE);
	c->emitted++;
	return RC_OK;
}

static void frontier_root_equals_list_root_up_to_1000(void **state)
{
	uint8_t *leaves = seed_leaves("fr", 1000), a[TLOG_HASH_SIZE], b[TLOG_HASH_SIZE];
	struct tlog_frontier f, g;
	struct emit_check c;
	struct mem_tree t;
	uint64_t n;

	(void)state;
	mem_tree_build(&t, leaves, 1000);
	c.t = &t;
	c.emitted = 0;
	tlog_frontier_init(&f);
	for (n = 0; n <= 1000; n++) {
		tlog_frontier_root(&f, a);
		tlog_root_from_leaves(leaves, n, b);
		assert_memory_equal(a, b, TLOG_HASH_SIZE);
		/* A frontier rebuilt from stored hashes is the same. */
		assert_int_equal(tlog_frontier_load(&g, n, mem_tree_get, &t, NULL), RC_OK);
		assert_int_equal(g.size, n);
		tlog_frontier_root(&g, a);
		assert_memory_equal(a, b, TLOG_HASH_SIZE);
		assert_int_equal(tlog_tree_root(n, mem_tree_get, &t, a, NULL), RC_OK);
		assert_memory_equal(a, b, TLOG_HASH_SIZE);
		if (n < 1000)
			assert_int_equal(tlog_frontier_append(&f, leaves + n * TLOG_HASH_SIZE,
							      emit_matches_tree, &c), RC_OK);
	}
	/* Every complete subtree of 1000 leaves was emitted exactly once: 1000 + 500 + ... */
	assert_int_equal(c.emitted, 1000 + 500 + 250 + 125 + 62 + 31 + 15 + 7 + 3 + 1);
	mem_tree_free(&t);
	free(leaves);
}

static int emit_fails(void *ctx, uint64_t level, uint64_t index, const uint8_t hash[TLOG_HASH_SIZE])
{
	(void)ctx;
	(void)hash;
	return level == 1 && index == 1 ? RC_IO : RC_OK;
}

static void frontier_append_failing_emit_leaves_it_unchanged(void **state)
{
	uint8_t *leaves = seed_leaves("em", 4), a[TLOG_HASH_SIZE], b[TLOG_HASH_SIZE];
	struct tlog_frontier f;
	int i;

	(void)state;
	tlog_frontier_init(&f);
	for (i = 0; i < 3; i++)
		assert_int_equal(tlog_frontier_append(&f, leaves + i * TLOG_HASH_SIZE, emit_fails,
						      NULL), RC_OK);
	tlog_frontier_root(&f, a);
	/* The fourth leaf completes (1, 1): the emit fails, the frontier keeps 3 leaves. */
	assert_int_equal(tlog_frontier_append(&f, leaves + 3 * TLOG_HASH_SIZE, emit_fails, NULL),
			 RC_IO);
	assert_int_equal(f.size, 3);
	tlog_frontier_root(&f, b);
	assert_memory_equal(a, b, TLOG_HASH_SIZE);
	free(leaves);
}

static void generated_inclusion_proofs_verify_up_to_64(void **state)
{
	uint8_t *leaves = seed_leaves("inc", 64), root[TLOG_HASH_SIZE];
	struct tlog_proof p, q;
	struct mem_tree t;
	uint64_t size, index;
	size_t i;

	(void)state;
	mem_tree_build(&t, leaves, 64);
	for (size = 1; size <= 64; size++) {
		tlog_root_from_leaves(leaves, size, root);
		for (index = 0; index < size; index++) {
			const uint8_t *leaf = leaves + index * TLOG_HASH_SIZE;

			assert_int_equal(tlog_prove_inclusion(index, size, mem_tree_get, &t, &p, NULL),
					 RC_OK);
			assert_int_equal(tlog_verify_inclusion(index, size, leaf, &p, root, NULL),
					 RC_OK);
			/* Another leaf, index, or any flipped bit fails. */
			if (size > 1) {
				assert_int_not_equal(tlog_verify_inclusion(index, size,
					leaves + ((index + 1) % size) * TLOG_HASH_SIZE, &p, root, NULL), RC_OK);
				assert_int_not_equal(tlog_verify_inclusion((index + 1) % size, size,
					leaf, &p, root, NULL), RC_OK);
			}
			for (i = 0; i < p.n; i++) {
				q = p;
				q.hash[i][i % TLOG_HASH_SIZE] ^= 0x40;
				assert_int_not_equal(tlog_verify_inclusion(index, size, leaf, &q, root,
									   NULL), RC_OK);
			}
			/* One hash short or long fails. */
			if (p.n) {
				q = p;
				q.n--;
				assert_int_not_equal(tlog_verify_inclusion(index, size, leaf, &q, root,
									   NULL), RC_OK);
			}
			q = p;
			memcpy(q.hash[q.n++], root, TLOG_HASH_SIZE);
			assert_int_not_equal(tlog_verify_inclusion(index, size, leaf, &q, root, NULL),
					     RC_OK);
		}
		assert_int_not_equal(tlog_prove_inclusion(size, size, mem_tree_get, &t, &p, NULL),
				     RC_OK);
	}
	mem_tree_free(&t);
	free(leaves);
}

static void generated_consistency_proofs_verify_up_to_64(void **state)
{
	uint8_t *leaves = seed_leaves("con", 64), a[TLOG_HASH_SIZE], b[TLOG_HASH_SIZE];
	struct tlog_proof p, q;
	struct mem_tree t;
	uint64_t m, n;
	size_t i;

	(void)state;
	mem_tree_build(&t, leaves, 64);
	for (n = 1; n <= 64; n++) {
		tlog_root_from_leaves(leaves, n, b);
		for (m = 0; m <= n; m++) {
			tlog_root_from_leaves(leaves, m, a);
			assert_int_equal(tlog_prove_consistency(m, n, mem_tree_get, &t, &p, NULL),
					 RC_OK);
			assert_int_equal(tlog_verify_consistency(m, n, a, b, &p, NULL), RC_OK);
			if (m == 0 || m == n) {
				assert_int_equal(p.n, 0);
				continue;
			}
			/* The old root of another size fails, as does any flipped bit. */
			assert_int_not_equal(tlog_verify_consistency(m, n, b, b, &p, NULL), RC_OK);
			for (i = 0; i < p.n; i++) {
				q = p;
				q.hash[i][(i * 7) % TLOG_HASH_SIZE] ^= 0x01;
				assert_int_not_equal(tlog_verify_consistency(m, n, a, b, &q, NULL),
						     RC_OK);
			}
			q = p;
			q.n--;
			assert_int_not_equal(tlog_verify_consistency(m, n, a, b, &q, NULL), RC_OK);
		}
		assert_int_not_equal(tlog_prove_consistency(n + 1, n, mem_tree_get, &t, &p, NULL),
				     RC_OK);
	}
	mem_tree_free(&t);
	free(leaves);
}

/*
 * A proof cut short leads to an inner node, and one run long to a node
 * above the root; claimed as the root, only the RFC's "sn is 0" checks
 * stop them.
 */
static void proofs_cut_short_or_run_long_are_rejected(void **state)
{
	uint8_t *leaves = seed_leaves("cut", 4), h01[TLOG_HASH_SIZE];
	uint8_t h23[TLOG_HASH_SIZE], old_up[TLOG_HASH_SIZE], new_up[TLOG_HASH_SIZE];
	struct tlog_proof p;

	(void)state;
	tlog_node_hash(leaves, leaves + 32, h01);
	p.n = 0;
	assert_int_equal(tlog_verify_inclusion(0, 1, leaves, &p, leaves, NULL), RC_OK);
	assert_int_equal(tlog_verify_inclusion(0, 2, leaves, &p, leaves, NULL), RC_INVAL);
	p.n = 1;
	memcpy(p.hash[0], leaves + 32, 32);
	assert_int_equal(tlog_verify_inclusion(0, 2, leaves, &p, h01, NULL), RC_OK);
	assert_int_equal(tlog_verify_inclusion(0, 4, leaves, &p, h01, NULL), RC_INVAL);
	assert_int_equal(tlog_verify_consistency(1, 2, leaves, h01, &p, NULL), RC_OK);
	assert_int_equal(tlog_verify_consistency(1, 4, leaves, h01, &p, NULL), RC_INVAL);
	/* Nor may a proof run past the root: leaf 0 of size 1 is not under H(x || leaf). */
	tlog_node_hash(p.hash[0], leaves, h01);
	assert_int_equal(tlog_verify_inclusion(0, 1, leaves, &p, h01, NULL), RC_INVAL);
	/* Likewise (3, 4) with one more hash x, claiming H(x || old) and H(x || new). */
	tlog_node_hash(leaves, leaves + 32, h01);
	tlog_node_hash(leaves + 64, leaves + 96, h23);
	p.n = 4;
	memcpy(p.hash[0], leaves + 64, 32);
	memcpy(p.hash[1], leaves + 96, 32);
	memcpy(p.hash[2], h01, 32);
	memcpy(p.hash[3], leaves, 32);
	tlog_node_hash(h01, leaves + 64, old_up);
	tlog_node_hash(h01, h23, new_up);
	p.n = 3;
	assert_int_equal(tlog_verify_consistency(3, 4, old_up, new_up, &p, NULL), RC_OK);
	tlog_node_hash(p.hash[3], old_up, old_up);
	tlog_node_hash(p.hash[3], new_up, new_up);
	p.n = 4;
	assert_int_equal(tlog_verify_consistency(3, 4, old_up, new_up, &p, NULL), RC_INVAL);
	free(leaves);
}

static void proofs_read_few_hashes_and_report_missing_ones(void **state)
{
	uint8_t *leaves = seed_leaves("few", 1000);
	struct tlog_proof p;
	struct mem_tree t;
	struct err e;

	(void)state;
	mem_tree_build(&t, leaves, 1000);
	t.reads = 0;
	assert_int_equal(tlog_prove_inclusion(666, 1000, mem_tree_get, &t, &p, NULL), RC_OK);
	assert_true(t.reads <= 2 * 10);
	t.reads = 0;
	assert_int_equal(tlog_prove_consistency(333, 1000, mem_tree_get, &t, &p, NULL), RC_OK);
	assert_true(t.reads <= 2 * 11);
	/* A store without the hashes of leaves past 999 cannot prove size 1001. */
	err_clear(&e);
	assert_int_equal(tlog_prove_inclusion(0, 1001, mem_tree_get, &t, &p, &e), RC_NOTFOUND);
	assert_string_equal(e.code, "hash_unavailable");
	mem_tree_free(&t);
	free(leaves);
}

/* ---- notes and keys ---- */

static void note_doc_example_verifies_and_signs_identically(void **state)
{
	/* The signer key of the Go note package documentation's example. */
	static const char *skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
	static const char *text = "If you think cryptography is the answer to your problem,\n"
				  "then you don't know what your problem is.\n";
	struct tlog_verifier v, w;
	struct tlog_signer s;
	struct tlog_note n;
	struct buf b;
	char *msg, *vk = vec_key("note-doc.vkey");
	size_t len;

	(void)state;
	msg = vec_read("note-doc.txt", &len);
	assert_non_null(msg);
	assert_non_null(vk);
	vec_verifier("note-doc.vkey", &v);
	assert_string_equal(v.name, "PeterNeumann");
	assert_int_equal(v.id, 0xc74f20a3);
	tlog_note_init(&n);
	assert_int_equal(tlog_note_open(&n, msg, len, &v, 1, NULL), RC_OK);
	assert_string_equal(n.text, text);
	assert_int_equal(n.nsigs, 1);
	assert_true(n.sigs[0].verified);

	assert_int_equal(tlog_signer_parse(&s, skey, NULL), RC_OK);
	tlog_signer_verifier(&s, &w);
	buf_init(&b, 4096);
	assert_int_equal(tlog_verifier_format(&w, &b), RC_OK);
	assert_string_equal(b.data, vk);
	buf_clear(&b);
	assert_int_equal(tlog_note_sign(&b, &s, text, strlen(text), NULL), RC_OK);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, msg, len);
	tlog_signer_clear(&s);
	buf_release(&b);
	tlog_note_release(&n);
	free(msg);
	free(vk);
}

/* Ed25519 is deterministic: our signature of each vector body is the vector's, byte for byte. */
static void signing_reproduces_the_vector_checkpoints(void **state)
{
	static const char *files[] = {"ckpt-0.txt", "ckpt-1.txt", "ckpt-2.txt", "ckpt-3.txt",
				      "ckpt-7.txt", "ckpt-8.txt", "ckpt-1000.txt", "ckpt-65537.txt",
				      "ckpt-7-extension.txt"};
	struct tlog_signer key, wrong, wit;
	struct tlog_checkpoint c;
	struct tlog_note n;
	struct buf b, body;
	char *msg, *want;
	size_t len, wlen, i;

	(void)state;
	vec_signer("key.skey", &key);
	vec_signer("wrong.skey", &wrong);
	vec_signer("witness.skey", &wit);
	buf_init(&b, 1 << 16);
	buf_init(&body, 1 << 16);
	tlog_note_init(&n);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		msg = vec_read(files[i], &len);
		assert_non_null(msg);
		assert_int_equal(tlog_note_parse(&n, msg, len, NULL), RC_OK);
		/* The body re-formats identically... */
		assert_int_equal(tlog_checkpoint_parse(&c, n.text, n.text_len, NULL), RC_OK);
		buf_clear(&body);
		assert_int_equal(tlog_checkpoint_format(&c, &body), RC_OK);
		assert_string_equal(body.data, n.text);
		/* ...and signs identically. */
		buf_clear(&b);
		assert_int_equal(tlog_note_sign(&b, &key, body.data, body.len, NULL), RC_OK);
		assert_int_equal(b.len, len);
		assert_memory_equal(b.data, msg, len);
		free(msg);
	}
	/* The same body by the other key of the same name. */
	want = vec_read("ckpt-7-wrong-signer.txt", &wlen);
	assert_non_null(want);
	assert_int_equal(tlog_note_parse(&n, want, wlen, NULL), RC_OK);
	buf_clear(&b);
	assert_int_equal(tlog_note_sign(&b, &wrong, n.text, n.text_len, NULL), RC_OK);
	assert_memory_equal(b.data, want, wlen);
	free(want);
	/* The witness's plain note signature on the co-signed vector. */
	want = vec_read("ckpt-7-cosigned.txt", &wlen);
	assert_non_null(want);
	assert_int_equal(tlog_note_parse(&n, want, wlen, NULL), RC_OK);
	assert_int_equal(n.nsigs, 2);
	buf_clear(&b);
	assert_int_equal(tlog_note_sig_line(&b, &wit, n.text, n.text_len, NULL), RC_OK);
	assert_int_equal(b.len, strlen(n.sigs[1].line) + 1);
	assert_memory_equal(b.data, n.sigs[1].line, b.len - 1);
	free(want);

	tlog_note_release(&n);
	buf_release(&b);
	buf_release(&body);
	tlog_signer_clear(&key);
	tlog_signer_clear(&wrong);
	tlog_signer_clear(&wit);
}

static void vector_keys_format_back_to_their_text(void **state)
{
	static const char *names[] = {"key", "wrong", "witness"};
	struct tlog_verifier v, w;
	struct tlog_signer s;
	char file[32], *vk, *sk;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 4096);
	for (i = 0; i < 3; i++) {
		snprintf(file, sizeof(file), "%s.vkey", names[i]);
		vk = vec_key(file);
		snprintf(file, sizeof(file), "%s.skey", names[i]);
		sk = vec_key(file);
		assert_non_null(vk);
		assert_non_null(sk);
		assert_int_equal(tlog_verifier_parse(&v, vk, NULL), RC_OK);
		assert_int_equal(tlog_signer_parse(&s, sk, NULL), RC_OK);
		tlog_signer_verifier(&s, &w);
		assert_memory_equal(&v, &w, sizeof(v));
		buf_clear(&b);
		assert_int_equal(tlog_verifier_format(&v, &b), RC_OK);
		assert_string_equal(b.data, vk);
		buf_clear(&b);
		assert_int_equal(tlog_signer_format(&s, &b), RC_OK);
		assert_string_equal(b.data, sk);
		sodium_memzero(b.data, b.len);
		tlog_signer_clear(&s);
		free(vk);
		sodium_memzero(sk, strlen(sk));
		free(sk);
	}
	buf_release(&b);
}

static void generated_key_formats_parses_and_signs(void **state)
{
	static const char *text = "hello\n\nworld\n";
	struct tlog_verifier v, v2, other;
	struct tlog_signer s, s2, s3;
	struct tlog_note n;
	struct buf vk, sk, note;
	struct err e;
	char *bad;

	(void)state;
	assert_int_equal(tlog_key_generate(&s, "example.org/log", TLOG_KEY_ED25519, NULL), RC_OK);
	tlog_signer_verifier(&s, &v);
	assert_int_equal(v.id, tlog_key_id("example.org/log", TLOG_KEY_ED25519, v.pub));
	buf_init(&vk, 4096);
	buf_init(&sk, 4096);
	buf_init(&note, 4096);
	assert_int_equal(tlog_verifier_format(&v, &vk), RC_OK);
	assert_int_equal(tlog_signer_format(&s, &sk), RC_OK);
	assert_int_equal(strncmp(sk.data, "PRIVATE+KEY+example.org/log+", 28), 0);
	assert_int_equal(tlog_verifier_parse(&v2, vk.data, NULL), RC_OK);
	assert_memory_equal(&v, &v2, sizeof(v));
	assert_int_equal(tlog_signer_parse(&s2, sk.data, NULL), RC_OK);
	assert_memory_equal(&s, &s2, sizeof(s));

	/* sign -> verify; a note text may hold blank lines of its own. */
	assert_int_equal(tlog_note_sign(&note, &s2, text, strlen(text), NULL), RC_OK);
	tlog_note_init(&n);
	assert_int_equal(tlog_note_open(&n, note.data, note.len, &v2, 1, NULL), RC_OK);
	assert_string_equal(n.text, text);
	/* A different key of the same name is unknown: not verified. */
	assert_int_equal(tlog_key_generate(&s3, "example.org/log", TLOG_KEY_ED25519, NULL), RC_OK);
	tlog_signer_verifier(&s3, &other);
	err_clear(&e);
	assert_int_equal(tlog_note_open(&n, note.data, note.len, &other, 1, &e), RC_FORBIDDEN);
	assert_string_equal(e.code, "unverified_note");
	/* A changed text fails the known key. */
	note.data[0] = 'j';
	err_clear(&e);
	assert_int_equal(tlog_note_open(&n, note.data, note.len, &v2, 1, &e), RC_FORBIDDEN);
	assert_string_equal(e.code, "invalid_signature");
	note.data[0] = 'h';

	/* A broken key ID, type or name does not parse. */
	bad = strdup(vk.data);
	assert_non_null(bad);
	bad[strlen("example.org/log+")] ^= 1;
	assert_int_equal(tlog_verifier_parse(&v2, bad, NULL), RC_INVAL);
	free(bad);
	assert_int_equal(tlog_verifier_parse(&v2, "exa mple+12345678+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3", NULL), RC_INVAL);
	assert_int_equal(tlog_verifier_parse(&v2, "example.com/evidence-log+513f458+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3", NULL), RC_INVAL);
	assert_int_equal(tlog_verifier_parse(&v2, "example.com/evidence-log+513f4587+AtBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3", NULL), RC_INVAL);
	assert_int_equal(tlog_verifier_parse(&v2, "example.com/evidence-log+513f4587+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4", NULL), RC_INVAL);
	assert_int_equal(tlog_verifier_parse(&v2, "example.com/evidence-log+513f4587+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3\n", NULL), RC_INVAL);
	assert_int_equal(tlog_signer_parse(&s2, vk.data, NULL), RC_INVAL);
	assert_int_equal(tlog_key_generate(&s3, "bad+name", TLOG_KEY_ED25519, NULL), RC_INVAL);
	assert_int_equal(tlog_key_generate(&s3, "bad\xc2\xa0name", TLOG_KEY_ED25519, NULL), RC_INVAL);
	assert_int_equal(tlog_key_generate(&s3, "", TLOG_KEY_ED25519, NULL), RC_INVAL);
	assert_int_equal(tlog_key_generate(&s3, "ok", 0x02, NULL), RC_INVAL);
	/* Notes are only signed with a final newline. */
	assert_int_equal(tlog_note_sign(&note, &s, "no newline", 10, NULL), RC_INVAL);

	tlog_note_release(&n);
	sodium_memzero(sk.data, sk.len);
	buf_release(&vk);
	buf_release(&sk);
	buf_release(&note);
	tlog_signer_clear(&s);
	tlog_signer_clear(&s2);
	tlog_signer_clear(&s3);
}

static int open_text(const char *msg, const struct tlog_verifier *v)
{
	struct tlog_note n;
	int rc;

	tlog_note_init(&n);
	rc = tlog_note_open(&n, msg, strlen(msg), v, 1, NULL);
	tlog_note_release(&n);
	return rc;
}

static void malformed_notes_are_rejected(void **state)
{
	static const char *sig = "\xe2\x80\x94 example.com/evidence-log UT9Fh5m4KeVY8h6aR+/XgDgqUE3sgfESdCUrNRiBV9OE4Jl/J9MFPYb0+YtHytC05SCuQmHseeRUIMAVrtK/Wm2oOAM=\n";
	static const char *body = "example.com/evidence-log\n7\n9yHCmIZxU40j3nSfpxNMaao1vsAfVY7gtgrIgec7Fro=\n";
	struct tlog_verifier v;
	struct buf b;
	int i;

	(void)state;
	vec_verifier("key.vkey", &v);
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_printf(&b, "%s\n%s", body, sig), RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_OK);
	/* No blank line; a hyphen for the em dash; no final newline; a tab. */
	buf_clear(&b);
	assert_int_equal(buf_printf(&b, "%s%s", body, sig), RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_INVAL);
	buf_clear(&b);
	assert_int_equal(buf_printf(&b, "%s\n- %s", body, sig + 4), RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_INVAL);
	buf_clear(&b);
	assert_int_equal(buf_printf(&b, "%s\n%.*s", body, (int)strlen(sig) - 1, sig), RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_INVAL);
	buf_clear(&b);
	assert_int_equal(buf_printf(&b, "%s\t\n%s", body, sig), RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_INVAL);
	/* Invalid UTF-8, a signature of four bytes, unpadded base64, an empty name. */
	buf_clear(&b);
	assert_int_equal(buf_printf(&b, "caf\xe9\n\n%s", sig), RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_INVAL);
	assert_int_equal(open_text("x\n\n\xe2\x80\x94 n AAAAAA==\n", &v), RC_INVAL);
	assert_int_equal(open_text("x\n\n\xe2\x80\x94 n AAAAAAA\n", &v), RC_INVAL);
	assert_int_equal(open_text("x\n\n\xe2\x80\x94  AAAAAAA=\n", &v), RC_INVAL);
	/* Unknown signatures alone leave the note unverified. */
	assert_int_equal(open_text("x\n\n\xe2\x80\x94 n AAAAAAA=\n", &v), RC_FORBIDDEN);
	/* Past the signature limit. */
	buf_clear(&b);
	assert_int_equal(buf_printf(&b, "%s\n%s", body, sig), RC_OK);
	for (i = 0; i < TLOG_NOTE_MAX_SIGS; i++)
		assert_int_equal(buf_appends(&b, "\xe2\x80\x94 other AAAAAAA=\n"), RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_TOOBIG);
	/* A bad signature by the known key spoils a good one. */
	buf_clear(&b);
	assert_int_equal(buf_printf(&b, "%s\n%s%.*sA=\n", body, sig, (int)strlen(sig) - 3, sig),
			 RC_OK);
	assert_int_equal(open_text(b.data, &v), RC_FORBIDDEN);
	buf_release(&b);
}

/* ---- checkpoints ---- */

static int parse_body(const char *text)
{
	struct tlog_checkpoint c;

	return tlog_checkpoint_parse(&c, text, strlen(text), NULL);
}

static void checkpoint_bodies_are_parsed_strictly(void **state)
{
	static const char *root = "9yHCmIZxU40j3nSfpxNMaao1vsAfVY7gtgrIgec7Fro=";
	struct tlog_checkpoint c, d;
	char text[512];
	struct buf b;

	(void)state;
	snprintf(text, sizeof(text), "example.com/log\n7\n%s\next one\next two\n", root);
	assert_int_equal(tlog_checkpoint_parse(&c, text, strlen(text), NULL), RC_OK);
	assert_string_equal(c.origin, "example.com/log");
	assert_int_equal(c.size, 7);
	assert_string_equal(c.ext, "ext one\next two\n");
	buf_init(&b, 4096);
	assert_int_equal(tlog_checkpoint_format(&c, &b), RC_OK);
	assert_string_equal(b.data, text);
	assert_int_equal(tlog_checkpoint_parse(&d, b.data, b.len, NULL), RC_OK);
	assert_memory_equal(&c, &d, sizeof(c));

	snprintf(text, sizeof(text), "o\n0\n%s\n", root);
	assert_int_equal(parse_body(text), RC_OK);
	snprintf(text, sizeof(text), "o\n9223372036854775807\n%s\n", root);
	assert_int_equal(parse_body(text), RC_OK);
	snprintf(text, sizeof(text), "o\n9223372036854775808\n%s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n07\n%s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n00\n%s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n+7\n%s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n7 \n%s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n\n%s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "\n7\n%s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n7\n%.43s\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n7\n%sAAAA\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n7\n%s", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n7\n%s\n\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	snprintf(text, sizeof(text), "o\n7\n%s\next\n\nmore\n", root);
	assert_int_equal(parse_body(text), RC_INVAL);
	assert_int_equal(parse_body("o\n7\n"), RC_INVAL);
	assert_int_equal(parse_body("o\n"), RC_INVAL);
	assert_int_equal(parse_body(""), RC_INVAL);
	buf_release(&b);
}

/* ---- cosignatures ---- */

static void cosignatures_sign_verify_and_reject_tampering(void **state)
{
	static const char *body = "example.com/evidence-log\n7\n9yHCmIZxU40j3nSfpxNMaao1vsAfVY7gtgrIgec7Fro=\n";
	struct tlog_verifier keys[2], as_plain;
	struct tlog_signer log, wit;
	struct tlog_note n;
	struct buf note, line, msg;
	uint8_t raw[4 + TLOG_COSIG_SIG_LEN];
	size_t rawlen;
	struct err e;
	const char *b64;

	(void)state;
	vec_signer("key.skey", &log);
	tlog_signer_verifier(&log, &keys[0]);
	assert_int_equal(tlog_key_generate(&wit, "witness.example/w2", TLOG_KEY_COSIG, NULL), RC_OK);
	tlog_signer_verifier(&wit, &keys[1]);
	assert_int_equal(keys[1].id, tlog_key_id("witness.example/w2", 0x04, wit.pub));

	buf_init(&note, 1 << 16);
	buf_init(&line, 1 << 16);
	buf_init(&msg, 1 << 16);
	assert_int_equal(tlog_note_sign(&note, &log, body, strlen(body), NULL), RC_OK);
	assert_int_equal(tlog_cosig_sign(&line, &wit, body, strlen(body), 1679315147, NULL), RC_OK);

	/* The line: key ID, big-endian time, then an Ed25519 signature of the v1 message. */
	b64 = strchr(line.data + 4, ' ') + 1;
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), b64, strlen(b64) - 1, NULL, &rawlen,
					   NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(rawlen, 76);
	assert_int_equal((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3],
			 keys[1].id);
	assert_memory_equal(raw + 4, "\x00\x00\x00\x00\x64\x18\x50\xcb", 8);
	assert_int_equal(tlog_cosig_message(&msg, 1679315147, body, strlen(body)), RC_OK);
	assert_string_equal(msg.data, "cosignature/v1\ntime 1679315147\n"
				      "example.com/evidence-log\n7\n9yHCmIZxU40j3nSfpxNMaao1vsAfVY7gtgrIgec7Fro=\n");
	assert_int_equal(crypto_sign_verify_detached(raw + 12, (const uint8_t *)msg.data, msg.len,
						     wit.pub), 0);

	/* Log signature plus cosignature: both verify, the time is read back. */
	assert_int_equal(buf_append(&note, line.data, line.len), RC_OK);
	tlog_note_init(&n);
	assert_int_equal(tlog_note_open(&n, note.data, note.len, keys, 2, NULL), RC_OK);
	assert_int_equal(n.nsigs, 2);
	assert_true(n.sigs[0].verified && n.sigs[1].verified);
	assert_int_equal(n.sigs[1].timestamp, 1679315147);
	assert_int_equal(tlog_note_open(&n, note.data, note.len, &keys[1], 1, NULL), RC_OK);
	assert_int_equal(tlog_cosig_verify(&keys[1], n.text, n.text_len, n.sigs[1].sig,
					   n.sigs[1].sig_len, NULL, NULL), RC_OK);
	/* The same public key as a plain Ed25519 key has another key ID: unknown. */
	assert_int_equal(tlog_verifier_set(&as_plain, keys[1].name, TLOG_KEY_ED25519, keys[1].pub,
					   NULL), RC_OK);
	assert_int_not_equal(as_plain.id, keys[1].id);
	assert_int_equal(tlog_note_open(&n, note.data, note.len, &as_plain, 1, NULL), RC_FORBIDDEN);

	/* Tampering: another time, another text, a flipped signature bit. */
	raw[11] ^= 1;
	assert_int_not_equal(tlog_cosig_verify(&keys[1], body, strlen(body), raw + 4, 72, NULL,
					       NULL), RC_OK);
	raw[11] ^= 1;
	assert_int_equal(tlog_cosig_verify(&keys[1], body, strlen(body), raw + 4, 72, NULL, NULL),
			 RC_OK);
	assert_int_not_equal(tlog_cosig_verify(&keys[1], "example.com/evidence-log\n8\n9yHCmIZxU40j3nSfpxNMaao1vsAfVY7gtgrIgec7Fro=\n",
					       strlen(body), raw + 4, 72, NULL, NULL), RC_OK);
	raw[40] ^= 0x10;
	err_clear(&e);
	assert_int_equal(tlog_cosig_verify(&keys[1], body, strlen(body), raw + 4, 72, NULL, &e),
			 RC_FORBIDDEN);
	assert_string_equal(e.code, "invalid_signature");
	assert_int_not_equal(tlog_cosig_verify(&keys[1], body, strlen(body), raw + 4, 71, NULL,
					       NULL), RC_OK);
	/* Only checkpoints are cosigned, only with cosigner keys, only at sane times. */
	assert_int_equal(tlog_cosig_sign(&line, &wit, "hello\n", 6, 1, NULL), RC_INVAL);
	assert_int_equal(tlog_cosig_sign(&line, &log, body, strlen(body), 1, NULL), RC_INVAL);
	assert_int_equal(tlog_cosig_sign(&line, &wit, body, strlen(body), (uint64_t)1 << 63, NULL),
			 RC_INVAL);
	assert_int_equal(tlog_note_sign(&line, &wit, body, strlen(body), NULL), RC_INVAL);

	tlog_note_release(&n);
	buf_release(&note);
	buf_release(&line);
	buf_release(&msg);
	tlog_signer_clear(&log);
	tlog_signer_clear(&wit);
}

static void cosignature_spec_example_has_the_v1_layout(void **state)
{
	/* From c2sp.org/tlog-cosignature: a witness line over the spec's checkpoint. */
	static const char *msg =
		"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
		"\xe2\x80\x94 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
		"\xe2\x80\x94 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
	struct tlog_checkpoint c;
	struct tlog_note n;
	uint64_t t = 0;
	int i;

	(void)state;
	tlog_note_init(&n);
	assert_int_equal(tlog_note_parse(&n, msg, strlen(msg), NULL), RC_OK);
	assert_int_equal(tlog_checkpoint_parse(&c, n.text, n.text_len, NULL), RC_OK);
	assert_int_equal(c.size, 20852163);
	assert_int_equal(n.nsigs, 2);
	assert_string_equal(n.sigs[1].name, "witness.example.com/w1");
	assert_int_equal(n.sigs[1].sig_len, TLOG_COSIG_SIG_LEN);
	for (i = 0; i < 8; i++)
		t = t << 8 | n.sigs[1].sig[i];
	assert_int_equal(t, 1679315147); /* the "time" of the spec's signed message */
	tlog_note_release(&n);
}

/* ---- tiles ---- */

static void tile_paths_follow_the_spec(void **state)
{
	static const struct {
		int level;
		uint64_t index;
		unsigned width;
		const char *path;
	} cases[] = {
		{0, 1234067, 256, "tile/0/x001/x234/067"},
		{0, 0, 256, "tile/0/000"},
		{1, 67, 256, "tile/1/067"},
		{2, 1000, 256, "tile/2/x001/000"},
		{0, 273, 112, "tile/0/273.p/112"},
		{1, 1, 17, "tile/1/001.p/17"},
		{63, 999999, 1, "tile/63/x999/999.p/1"},
		{TLOG_TILE_ENTRIES, 1234067, 256, "tile/entries/x001/x234/067"},
		{TLOG_TILE_ENTRIES, 5, 255, "tile/entries/005.p/255"},
		{0, 9223372036854775807ull, 256, "tile/0/x009/x223/x372/x036/x854/x775/807"},
	};
	static const char *bad[] = {
		"tile/00/000", "tile/64/000", "tile/-1/000", "tile/0/0", "tile/0/0000",
		"tile/0/x000/001", "tile/0/x001", "tile/0/x001/", "tile/0/001/002",
		"tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/07", "tile/0/000.p/",
		"tile/0/000.q/1", "tile/0/000/", "tiles/0/000", "tile/data/000",
		"tile/0/x1/000", "tile/0/x009/x223/x372/x036/x854/x775/808", "tile/0/00a", "",
	};
	char path[TLOG_TILE_PATH_MAX];
	struct tlog_tile t, u;
	size_t i;
	uint64_t n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t.level = cases[i].level;
		t.index = cases[i].index;
		t.width = cases[i].width;
		assert_int_equal(tlog_tile_path(&t, path), RC_OK);
		assert_string_equal(path, cases[i].path);
		assert_int_equal(tlog_tile_parse_path(&u, cases[i].path, NULL), RC_OK);
		assert_int_equal(u.level, t.level);
		assert_true(u.index == t.index);
		assert_int_equal(u.width, t.width);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tlog_tile_parse_path(&u, bad[i], NULL) != RC_INVAL)
			fail_msg("tile path \"%s\" was accepted", bad[i]);
	/* Round trips over many indexes. */
	for (n = 0; n < 3000000; n += 997) {
		t.level = (int)(n % 5);
		t.index = n;
		t.width = (unsigned)(n % 256) + 1;
		assert_int_equal(tlog_tile_path(&t, path), RC_OK);
		assert_int_equal(tlog_tile_parse_path(&u, path, NULL), RC_OK);
		assert_true(u.level == t.level && u.index == t.index && u.width == t.width);
	}
	t.width = 0;
	assert_int_equal(tlog_tile_path(&t, path), RC_INVAL);
}

struct tile_count {
	unsigned full[4];    /* full tiles per level */
	unsigned partial[4]; /* partial tiles per level */
	unsigned width[4];   /* width of the last partial tile per level */
};

static int tile_counter(void *ctx, const struct tlog_tile *t)
{
	struct tile_count *c = ctx;

	assert_true(t->level >= 0 && t->level < 4);
	if (t->width == TLOG_TILE_WIDTH) {
		c->full[t->level]++;
	} else {
		c->partial[t->level]++;
		c->width[t->level] = t->width;
	}
	return RC_OK;
}

static void new_tiles_match_the_spec_examples(void **state)
{
	struct tile_count c;

	(void)state;
	/* "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial
	 * level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width
	 * 17, and one partial level 2 tile of width 1." */
	memset(&c, 0, sizeof(c));
	assert_int_equal(tlog_tiles_new(0, 70000, tile_counter, &c), RC_OK);
	assert_int_equal(c.full[0], 273);
	assert_int_equal(c.partial[0], 1);
	assert_int_equal(c.width[0], 112);
	assert_int_equal(c.full[1], 1);
	assert_int_equal(c.partial[1], 1);
	assert_int_equal(c.width[1], 17);
	assert_int_equal(c.full[2], 0);
	assert_int_equal(c.partial[2], 1);
	assert_int_equal(c.width[2], 1);
	assert_int_equal(c.full[3] + c.partial[3], 0);
	assert_int_equal(tlog_tile_width(0, 273, 70000), 112);
	assert_int_equal(tlog_tile_width(0, 272, 70000), 256);
	assert_int_equal(tlog_tile_width(0, 274, 70000), 0);
	assert_int_equal(tlog_tile_width(1, 1, 70000), 17);
	assert_int_equal(tlog_tile_width(2, 0, 70000), 1);
	assert_int_equal(tlog_tile_width(3, 0, 70000), 0);
	assert_int_equal(tlog_tile_width(TLOG_TILE_ENTRIES, 273, 70000), 112);
	/* "a tree of size 256 will be represented by a full level 0 tile and a partial
	 * level 1 tile of width 1." */
	memset(&c, 0, sizeof(c));
	assert_int_equal(tlog_tiles_new(0, 256, tile_counter, &c), RC_OK);
	assert_int_equal(c.full[0], 1);
	assert_int_equal(c.partial[0], 0);
	assert_int_equal(c.partial[1], 1);
	assert_int_equal(c.width[1], 1);
	/* Growing 70000 -> 70001 rewrites only the right edge of level 0. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(tlog_tiles_new(70000, 70001, tile_counter, &c), RC_OK);
	assert_int_equal(c.full[0] + c.partial[0], 1);
	assert_int_equal(c.width[0], 113);
	assert_int_equal(c.full[1] + c.partial[1] + c.partial[2], 0);
}

/* Tiles of a tree, stored by level and index, as a log would publish them. */
struct tile_store {
	struct mem_tree *t;  /* where the hashes come from */
	uint8_t *data[3];    /* per tile level: 8 KiB per tile index */
	unsigned width[3][512]; /* width written so far per tile */
};

static int tile_writer(void *ctx, const struct tlog_tile *t)
{
	struct tile_store *s = ctx;

	assert_true(t->level < 3 && t->index < 512);
	assert_int_equal(tlog_tile_build(t, mem_tree_get, s->t,
					 s->data[t->level] + t->index * 8192, NULL), RC_OK);
	s->width[t->level][t->index] = t->width;
	return RC_OK;
}

static void tiles_hold_every_hash_of_the_tree(void **state)
{
	uint8_t *leaves = seed_leaves("tile", 70000), h[TLOG_HASH_SIZE];
	static const uint64_t steps[] = {1, 255, 256, 257, 65535, 65536, 69999, 70000};
	struct tile_store s;
	struct tlog_tile t;
	struct mem_tree tree;
	unsigned first, count, k;
	uint64_t level, index, old = 0;
	size_t i;

	(void)state;
	mem_tree_build(&tree, leaves, 70000);
	memset(&s, 0, sizeof(s));
	s.t = &tree;
	for (k = 0; k < 3; k++) {
		s.data[k] = calloc(512, 8192);
		assert_non_null(s.data[k]);
	}
	/* Publish while growing, as a sequencer does. */
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(tlog_tiles_new(old, steps[i], tile_writer, &s), RC_OK);
		old = steps[i];
	}
	/* Every complete subtree hash can be read back from its tile. */
	for (level = 0; level < 17; level++)
		for (index = 0; index < tree.count[level]; index += 1 + index / 3) {
			tlog_tile_for_hash(level, index, &t, &first, &count);
			assert_true(t.level < 3);
			assert_int_equal(t.level, (int)(level / 8));
			assert_true(s.width[t.level][t.index] >= t.width);
			t.width = s.width[t.level][t.index];
			assert_int_equal(tlog_tile_hash(&t, s.data[t.level] + t.index * 8192,
							(size_t)t.width * 32, level, index, h), RC_OK);
			assert_memory_equal(h, tree.level[level] + index * 32, 32);
		}
	/* The wrong tile, or a short one, is refused. */
	tlog_tile_for_hash(3, 5, &t, &first, &count);
	assert_int_equal(first, 40);
	assert_int_equal(count, 8);
	t.index++;
	assert_int_equal(tlog_tile_hash(&t, s.data[0], 48 * 32, 3, 5, h), RC_INVAL);
	t.index--;
	t.width = 47;
	assert_int_equal(tlog_tile_hash(&t, s.data[0], 47 * 32, 3, 5, h), RC_INVAL);
	for (k = 0; k < 3; k++)
		free(s.data[k]);
	mem_tree_free(&tree);
	free(leaves);
}

static void entry_bundles_round_trip(void **state)
{
	static uint8_t big[TLOG_ENTRY_MAX + 1];
	const uint8_t *p, *entry;
	size_t left, elen;
	struct buf b;

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 1 << 20);
	assert_int_equal(tlog_bundle_append(&b, "first", 5), RC_OK);
	assert_int_equal(tlog_bundle_append(&b, "", 0), RC_OK);
	assert_int_equal(tlog_bundle_append(&b, big, TLOG_ENTRY_MAX), RC_OK);
	assert_int_equal(tlog_bundle_append(&b, big, TLOG_ENTRY_MAX + 1), RC_TOOBIG);
	assert_int_equal(b.len, 2 + 5 + 2 + 2 + TLOG_ENTRY_MAX);
	assert_memory_equal(b.data, "\x00\x05" "first\x00\x00\xff\xff", 11);
	p = (const uint8_t *)b.data;
	left = b.len;
	assert_int_equal(tlog_bundle_next(&p, &left, &entry, &elen), RC_OK);
	assert_int_equal(elen, 5);
	assert_memory_equal(entry, "first", 5);
	assert_int_equal(tlog_bundle_next(&p, &left, &entry, &elen), RC_OK);
	assert_int_equal(elen, 0);
	assert_int_equal(tlog_bundle_next(&p, &left, &entry, &elen), RC_OK);
	assert_int_equal(elen, TLOG_ENTRY_MAX);
	assert_int_equal(tlog_bundle_next(&p, &left, &entry, &elen), RC_NOTFOUND);
	/* Truncated in the length or in the data. */
	p = (const uint8_t *)b.data;
	left = 1;
	assert_int_equal(tlog_bundle_next(&p, &left, &entry, &elen), RC_INVAL);
	p = (const uint8_t *)b.data;
	left = 6;
	assert_int_equal(tlog_bundle_next(&p, &left, &entry, &elen), RC_INVAL);
	buf_release(&b);
}

/* ---- proof files ---- */

static void proof_files_round_trip_and_verify(void **state)
{
	static const char *example =
		"c2sp.org/tlog-proof@v1\n"
		"extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
		"index 73894\n"
		"gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
		"B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
		"EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
		"RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
		"AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
		"\n"
		"example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n"
		"\xe2\x80\x94 example.com/fancylog hI2DJw==\n";
	uint8_t *leaves = seed_leaves("v1", 7);
	struct tlog_proof_file f;
	struct tlog_checkpoint c;
	struct tlog_verifier v;
	struct tlog_proof p;
	struct mem_tree t;
	struct buf b;
	char *ckpt;
	size_t clen;
	struct err e;

	(void)state;
	tlog_proof_file_init(&f);
	assert_int_equal(tlog_proof_file_parse(&f, example, strlen(example), NULL), RC_OK);
	assert_int_equal(f.index, 73894);
	assert_int_equal(f.proof.n, 5);
	assert_int_equal(f.extra_len, 39);
	assert_memory_equal(f.extra, "age-v1.2.1-darwin-arm64.tar.gz", 30);
	assert_string_equal(f.checkpoint, strstr(example, "example.com/fancylog\n"));
	buf_init(&b, 1 << 16);
	assert_int_equal(tlog_proof_file_format(&b, f.extra, f.extra_len, f.index, &f.proof,
						f.checkpoint, f.checkpoint_len), RC_OK);
	assert_string_equal(b.data, example);

	/* Leaf 4 of the seven-leaf vector tree, in the vector's signed checkpoint. */
	ckpt = vec_read("ckpt-7.txt", &clen);
	assert_non_null(ckpt);
	vec_verifier("key.vkey", &v);
	mem_tree_build(&t, leaves, 7);
	assert_int_equal(tlog_prove_inclusion(4, 7, mem_tree_get, &t, &p, NULL), RC_OK);
	buf_clear(&b);
	assert_int_equal(tlog_proof_file_format(&b, NULL, 0, 4, &p, ckpt, clen), RC_OK);
	assert_int_equal(strncmp(b.data, "c2sp.org/tlog-proof@v1\nindex 4\n", 31), 0);
	assert_int_equal(tlog_proof_file_parse(&f, b.data, b.len, NULL), RC_OK);
	assert_null(f.extra);
	assert_int_equal(tlog_proof_file_verify(&f, leaves + 4 * 32, v.name, &v, 1, &c, NULL,
						NULL), RC_OK);
	assert_int_equal(c.size, 7);
	err_clear(&e);
	assert_int_equal(tlog_proof_file_verify(&f, leaves + 3 * 32, v.name, &v, 1, &c, NULL, &e),
			 RC_INVAL);
	assert_string_equal(e.code, "invalid_proof");
	assert_int_not_equal(tlog_proof_file_verify(&f, leaves + 4 * 32, "other", &v, 1, &c, NULL,
						    NULL), RC_OK);

	/* Malformed files. */
	assert_int_equal(tlog_proof_file_parse(&f, "c2sp.org/tlog-proof@v2\nindex 1\n\nx\n", 33, NULL), RC_INVAL);
	assert_int_equal(tlog_proof_file_parse(&f, "c2sp.org/tlog-proof@v1\nindex 01\n\nx\n", 34, NULL), RC_INVAL);
	assert_int_equal(tlog_proof_file_parse(&f, "c2sp.org/tlog-proof@v1\nextra \nindex 1\n\nx\n", 40, NULL), RC_INVAL);
	assert_int_equal(tlog_proof_file_parse(&f, "c2sp.org/tlog-proof@v1\nindex 1\n\n", 32, NULL), RC_INVAL);
	assert_int_equal(tlog_proof_file_parse(&f, "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx\n", 38, NULL), RC_INVAL);
	assert_int_equal(tlog_proof_file_parse(&f, "c2sp.org/tlog-proof@v1\nindex 1\n", 31, NULL), RC_INVAL);

	tlog_proof_file_release(&f);
	mem_tree_free(&t);
	buf_release(&b);
	free(ckpt);
	free(leaves);
}

/* ---- witness requests ---- */

static void witness_requests_parse_and_check_like_the_spec(void **state)
{
	static const char *example =
		"old 20852014\n"
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
		"jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
		"5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
		"/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
		"\n"
		"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
		"\xe2\x80\x94 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
		"\xe2\x80\x94 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";
	uint8_t *leaves = seed_leaves("v1", 1000), root333[32], root1000[32];
	struct tlog_witness_request r;
	struct tlog_verifier v, w;
	struct tlog_proof p, none;
	struct mem_tree t;
	struct buf body;
	char *ckpt;
	size_t clen;
	int status;
	struct err e;

	(void)state;
	tlog_witness_request_init(&r);
	assert_int_equal(tlog_witness_request_parse(&r, example, strlen(example), NULL), RC_OK);
	assert_int_equal(r.old_size, 20852014);
	assert_int_equal(r.proof.n, 4);
	assert_string_equal(r.ckpt.origin, "example.com/behind-the-sofa");
	assert_int_equal(r.ckpt.size, 20852163);
	assert_int_equal(r.note.nsigs, 2);

	/* Our own log of 1000 vector leaves, from 333 to 1000. */
	ckpt = vec_read("ckpt-1000.txt", &clen);
	assert_non_null(ckpt);
	vec_verifier("key.vkey", &v);
	vec_verifier("wrong.vkey", &w);
	mem_tree_build(&t, leaves, 1000);
	tlog_root_from_leaves(leaves, 333, root333);
	tlog_root_from_leaves(leaves, 1000, root1000);
	assert_int_equal(tlog_prove_consistency(333, 1000, mem_tree_get, &t, &p, NULL), RC_OK);
	buf_init(&body, 1 << 16);
	assert_int_equal(tlog_witness_request_format(&body, 333, &p, ckpt, clen), RC_OK);
	assert_int_equal(tlog_witness_request_parse(&r, body.data, body.len, NULL), RC_OK);
	assert_int_equal(tlog_witness_check(&r, &v, 1, 333, root333, &status, NULL), RC_OK);
	assert_int_equal(status, 200);
	assert_int_equal(tlog_witness_check(&r, &w, 1, 333, root333, &status, NULL), RC_FORBIDDEN);
	assert_int_equal(status, 403);
	err_clear(&e);
	assert_int_equal(tlog_witness_check(&r, &v, 1, 300, root333, &status, &e), RC_CONFLICT);
	assert_int_equal(status, 409);
	assert_string_equal(e.code, "old_size_mismatch");
	r.proof.hash[2][0] ^= 1;
	assert_int_equal(tlog_witness_check(&r, &v, 1, 333, root333, &status, NULL), RC_INVAL);
	assert_int_equal(status, 422);
	/* The same checkpoint again; with another root at the same size. */
	none.n = 0;
	buf_clear(&body);
	assert_int_equal(tlog_witness_request_format(&body, 1000, &none, ckpt, clen), RC_OK);
	assert_int_equal(tlog_witness_request_parse(&r, body.data, body.len, NULL), RC_OK);
	assert_int_equal(tlog_witness_check(&r, &v, 1, 1000, root1000, &status, NULL), RC_OK);
	assert_int_equal(status, 200);
	assert_int_equal(tlog_witness_check(&r, &v, 1, 1000, root333, &status, NULL), RC_CONFLICT);
	assert_int_equal(status, 409);
	/* Old size above the checkpoint's. */
	buf_clear(&body);
	assert_int_equal(tlog_witness_request_format(&body, 1001, &none, ckpt, clen), RC_OK);
	assert_int_equal(tlog_witness_request_parse(&r, body.data, body.len, NULL), RC_OK);
	assert_int_equal(tlog_witness_check(&r, &v, 1, 1001, root1000, &status, NULL), RC_INVAL);
	assert_int_equal(status, 400);
	/* A first checkpoint, from size 0. */
	buf_clear(&body);
	assert_int_equal(tlog_witness_request_format(&body, 0, &none, ckpt, clen), RC_OK);
	assert_int_equal(tlog_witness_request_parse(&r, body.data, body.len, NULL), RC_OK);
	assert_int_equal(tlog_witness_check(&r, &v, 1, 0, NULL, &status, NULL), RC_OK);
	assert_int_equal(status, 200);
	/* Malformed bodies. */
	assert_int_equal(tlog_witness_request_parse(&r, "old 01\n\nx\n", 10, NULL), RC_INVAL);
	assert_int_equal(tlog_witness_request_parse(&r, "old 0\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\n", 51, NULL), RC_INVAL);
	buf_clear(&body);
	assert_int_equal(tlog_witness_request_format(&body, 333, &p, "not a note\n", 11), RC_OK);
	assert_int_equal(tlog_witness_request_parse(&r, body.data, body.len, NULL), RC_INVAL);
	p.n = 64;
	assert_int_equal(tlog_witness_request_format(&body, 333, &p, ckpt, clen), RC_INVAL);

	tlog_witness_request_release(&r);
	mem_tree_free(&t);
	buf_release(&body);
	free(ckpt);
	free(leaves);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(manifest_has_every_case_and_file),
		cmocka_unit_test(ct_reference_roots_for_sizes_0_to_8),
		cmocka_unit_test(frontier_root_equals_list_root_up_to_1000),
		cmocka_unit_test(frontier_append_failing_emit_leaves_it_unchanged),
		cmocka_unit_test(generated_inclusion_proofs_verify_up_to_64),
		cmocka_unit_test(generated_consistency_proofs_verify_up_to_64),
		cmocka_unit_test(proofs_cut_short_or_run_long_are_rejected),
		cmocka_unit_test(proofs_read_few_hashes_and_report_missing_ones),
		cmocka_unit_test(note_doc_example_verifies_and_signs_identically),
		cmocka_unit_test(signing_reproduces_the_vector_checkpoints),
		cmocka_unit_test(vector_keys_format_back_to_their_text),
		cmocka_unit_test(generated_key_formats_parses_and_signs),
		cmocka_unit_test(malformed_notes_are_rejected),
		cmocka_unit_test(checkpoint_bodies_are_parsed_strictly),
		cmocka_unit_test(cosignatures_sign_verify_and_reject_tampering),
		cmocka_unit_test(cosignature_spec_example_has_the_v1_layout),
		cmocka_unit_test(tile_paths_follow_the_spec),
		cmocka_unit_test(new_tiles_match_the_spec_examples),
		cmocka_unit_test(tiles_hold_every_hash_of_the_tree),
		cmocka_unit_test(entry_bundles_round_trip),
		cmocka_unit_test(proof_files_round_trip_and_verify),
		cmocka_unit_test(witness_requests_parse_and_check_like_the_spec),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), i;
	struct CMUnitTest *tests;
	int failed;

	if (sodium_init() < 0)
		return 1;
	manifest_load();
	tests = calloc(nfixed + nrows, sizeof(*tests));
	if (!tests)
		return 1;
	memcpy(tests, fixed, sizeof(fixed));
	/* One test case per manifest row, named by its id. */
	for (i = 0; i < nrows; i++) {
		tests[nfixed + i].name = rows[i].id;
		tests[nfixed + i].test_func = vector_case;
		tests[nfixed + i].initial_state = &rows[i];
	}
	failed = _cmocka_run_group_tests("tlog", tests, nfixed + nrows, NULL, NULL);
	printf("tlog vectors (%s): %u accepted and %u rejected as expected, of %zu\n", vec_dir(),
	       vec_accepted, vec_rejected, nrows);
	free(tests);
	free(rows);
	free(manifest_text);
	return failed;
}
