/* ckpt_tool.c - a test tool: signed checkpoints, consistency proofs and add-checkpoint bodies for synthetic trees, and note verification. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/num.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/witness.h"

/*
 * The tree of SIZE leaves is the one whose leaf i holds the bytes
 * "<PREFIX><i>" (PREFIX "leaf-" unless given), so two runs agree on it,
 * and another prefix makes a tree that is not consistent with it. A
 * request whose old size is above SIZE carries an empty proof. The
 * checkpoint's origin is the signer key's name. Everything goes to
 * standard output; exit 0 on success, 1 if a note does not verify, 2 on
 * bad usage or input.
 */

#define TOOL_MAX_LEAVES ((uint64_t)1 << 24)
#define TOOL_FILE_MAX ((size_t)1 << 20)

struct synth_tree {
	uint8_t *leaves; /* size leaf hashes; owned */
	uint64_t size;   /* leaves in the tree */
};

static int usage(void)
{
	fprintf(stderr,
		"usage: ckpt_tool sign SKEY_FILE SIZE [PREFIX]        a signed checkpoint\n"
		"       ckpt_tool root SIZE [PREFIX]                  the base64 root hash\n"
		"       ckpt_tool prove OLD SIZE [PREFIX]             consistency proof lines\n"
		"       ckpt_tool request SKEY_FILE OLD SIZE [PREFIX] an add-checkpoint body\n"
		"       ckpt_tool verify VKEY NOTE_FILE               check a note's signature by VKEY\n");
	return 2;
}

static int fail(const char *what, const struct err *e)
{
	fprintf(stderr, "ckpt_tool: %s%s%s\n", what, e && e->message[0] ? ": " : "",
		e ? e->message : "");
	return 2;
}

static int parse_size(const char *s, uint64_t *out)
{
	int64_t n;

	if (num_parse_i64(s, 0, (int64_t)TOOL_MAX_LEAVES, &n))
		return -1;
	*out = (uint64_t)n;
	return 0;
}

static int tree_build(struct synth_tree *t, uint64_t size, const char *prefix)
{
	char leaf[300];
	uint64_t i;
	int n;

	t->size = size;
	t->leaves = malloc(size ? size * TLOG_HASH_SIZE : 1);
	if (!t->leaves)
		return -1;
	for (i = 0; i < size; i++) {
		n = snprintf(leaf, sizeof(leaf), "%s%llu", prefix, (unsigned long long)i);
		if (n < 0 || (size_t)n >= sizeof(leaf))
			return -1;
		tlog_leaf_hash(leaf, (size_t)n, t->leaves + i * TLOG_HASH_SIZE);
	}
	return 0;
}

/* A tlog_hash_fn: the complete subtree at (level, index), hashed from the leaves. */
static int tree_hash(void *ctx, uint64_t level, uint64_t index, uint8_t out[TLOG_HASH_SIZE])
{
	struct synth_tree *t = ctx;
	uint64_t first, n;

	if (level >= 63)
		return RC_NOTFOUND;
	n = (uint64_t)1 << level;
	first = index * n;
	if (first / n != index || first + n > t->size)
		return RC_NOTFOUND;
	tlog_root_from_leaves(t->leaves + first * TLOG_HASH_SIZE, n, out);
	return RC_OK;
}

/* Read a whole file (at most TOOL_FILE_MAX bytes) into `b`. */
static int read_file(const char *path, struct buf *b)
{
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n)) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

static int read_signer(const char *path, struct tlog_signer *s, struct err *e)
{
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	if (read_file(path, &b)) {
		buf_release(&b);
		return err_set(e, RC_IO, NULL, NULL, "cannot read %s", path);
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	rc = tlog_signer_parse(s, b.data, e);
	sodium_memzero(b.data, b.len);
	buf_release(&b);
	return rc;
}

/* Append the checkpoint of `t`, signed by `s`, to `out`. */
static int sign_checkpoint(struct buf *out, const struct tlog_signer *s,
			   const struct synth_tree *t, struct err *e)
{
	struct tlog_checkpoint c;
	struct buf text;
	int rc;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", s->name);
	c.size = t->size;
	tlog_root_from_leaves(t->leaves, t->size, c.root);
	buf_init(&text, 4096);
	rc = tlog_checkpoint_format(&c, &text);
	if (!rc)
		rc = tlog_note_sign(out, s, text.data, text.len, e);
	buf_release(&text);
	return rc;
}

static int cmd_verify(const char *vkey, const char *path)
{
	struct tlog_verifier v;
	struct tlog_note n;
	struct err e;
	struct buf b;
	size_t i;
	int rc;

	err_clear(&e);
	if (tlog_verifier_parse(&v, vkey, &e))
		return fail("bad verifier key", &e);
	buf_init(&b, TOOL_FILE_MAX);
	if (read_file(path, &b)) {
		buf_release(&b);
		return fail("cannot read the note", NULL);
	}
	tlog_note_init(&n);
	rc = tlog_note_open(&n, b.data, b.len, &v, 1, &e);
	if (rc == RC_OK) {
		for (i = 0; i < n.nsigs; i++)
			if (n.sigs[i].verified)
				printf("verified %s timestamp %llu\n", n.sigs[i].name,
				       (unsigned long long)n.sigs[i].timestamp);
	} else {
		printf("not verified: %s\n", e.message);
	}
	tlog_note_release(&n);
	buf_release(&b);
	return rc == RC_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct synth_tree t = {NULL, 0};
	struct tlog_signer s;
	struct tlog_proof p;
	struct buf out, ckpt;
	uint64_t old = 0, size = 0;
	const char *prefix = "leaf-";
	struct err e;
	size_t i;
	int rc = 2, have_signer = 0;

	if (sodium_init() < 0)
		return 2;
	err_clear(&e);
	buf_init(&out, (size_t)1 << 24);
	buf_init(&ckpt, (size_t)1 << 20);
	if (argc == 4 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(argv[2], argv[3]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "sign") == 0) {
		if (parse_size(argv[3], &size))
			return usage();
		if (argc == 5)
			prefix = argv[4];
	} else if ((argc == 3 || argc == 4) && strcmp(argv[1], "root") == 0) {
		if (parse_size(argv[2], &size))
			return usage();
		if (argc == 4)
			prefix = argv[3];
	} else if ((argc == 4 || argc == 5) && strcmp(argv[1], "prove") == 0) {
		if (parse_size(argv[2], &old) || parse_size(argv[3], &size))
			return usage();
		if (argc == 5)
			prefix = argv[4];
	} else if ((argc == 5 || argc == 6) && strcmp(argv[1], "request") == 0) {
		if (parse_size(argv[3], &old) || parse_size(argv[4], &size))
			return usage();
		if (argc == 6)
			prefix = argv[5];
	} else {
		return usage();
	}
	if (tree_build(&t, size, prefix)) {
		rc = fail("cannot build the tree", NULL);
		goto out;
	}
	if (strcmp(argv[1], "sign") == 0 || strcmp(argv[1], "request") == 0) {
		if (read_signer(argv[2], &s, &e)) {
			rc = fail("cannot read the signer key", &e);
			goto out;
		}
		have_signer = 1;
		if (sign_checkpoint(&ckpt, &s, &t, &e)) {
			rc = fail("cannot sign", &e);
			goto out;
		}
	}
	if (strcmp(argv[1], "sign") == 0) {
		fwrite(ckpt.data, 1, ckpt.len, stdout);
	} else if (strcmp(argv[1], "root") == 0) {
		uint8_t root[TLOG_HASH_SIZE];
		char b64[64];

		tlog_root_from_leaves(t.leaves, t.size, root);
		sodium_bin2base64(b64, sizeof(b64), root, sizeof(root),
				  sodium_base64_VARIANT_ORIGINAL);
		printf("%s\n", b64);
	} else {
		/* an old size above the checkpoint's gets an empty proof: a request to refuse */
		p.n = 0;
		if (old <= size && tlog_prove_consistency(old, size, tree_hash, &t, &p, &e)) {
			rc = fail("cannot prove consistency", &e);
			goto out;
		}
		if (strcmp(argv[1], "prove") == 0) {
			for (i = 0; i < p.n; i++) {
				char b64[64];

				sodium_bin2base64(b64, sizeof(b64), p.hash[i], TLOG_HASH_SIZE,
						  sodium_base64_VARIANT_ORIGINAL);
				printf("%s\n", b64);
			}
		} else {
			if (tlog_witness_request_format(&out, old, &p, ckpt.data, ckpt.len)) {
				rc = fail("cannot format the request", NULL);
				goto out;
			}
			fwrite(out.data, 1, out.len, stdout);
		}
	}
	rc = fflush(stdout) == 0 ? 0 : 2;
out:
	if (have_signer)
		tlog_signer_clear(&s);
	free(t.leaves);
	buf_release(&out);
	buf_release(&ckpt);
	return rc;
}
