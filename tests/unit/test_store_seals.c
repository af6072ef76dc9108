/* test_store_seals.c - unit tests of store_seals.h: evidence seals (one at a time and in batches) and kept checkpoints, on SQLite and on a real PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store.h"
#include "store_fixture.h"

/* A seal of `kind` `id` made at `at`, with a secret when `secret`; its row, or -1 with *rc set. */
static int64_t seal_put(struct store *st, const char *kind, const char *id, int64_t version,
			const char *order, int64_t cseq, const char *hash, int64_t at, int secret,
			int *rc)
{
	static const unsigned char leaf[] = {0x00, 'l', 0xff, 0x00, 'f', '\\'};
	struct store_seal row;
	int64_t seq = -1;
	struct err e;

	memset(&row, 0, sizeof(row));
	snprintf(row.kind, sizeof(row.kind), "%s", kind);
	snprintf(row.record_id, sizeof(row.record_id), "%s", id);
	snprintf(row.leaf_hash, sizeof(row.leaf_hash), "%s", hash);
	snprintf(row.chain_order, sizeof(row.chain_order), "%s", order);
	row.version = version;
	row.leaf = (unsigned char *)leaf;
	row.leaf_len = sizeof(leaf);
	row.salts = secret ? NULL : "{\"name\":\"c2FsdA==\"}";
	row.created_at = at;
	row.chain_seq = cseq;
	row.has_secret = secret;
	memset(row.secret, 0xa5, sizeof(row.secret));
	row.secret[0] = 0;
	err_clear(&e);
	*rc = store_seal_add(st, &row, &seq, &e);
	return *rc ? -1 : seq;
}

/* A pending seal of `kind` `id`, at place `cseq` of order `order`'s chain ("" for none). */
static void seal_row_add(struct store *st, const char *kind, const char *id, int64_t version,
			 const char *order, int64_t cseq, const char *hash)
{
	int rc;

	seal_put(st, kind, id, version, order, cseq, hash, 1, 1, &rc);
	assert_int_equal(rc, RC_OK);
}

/* The light reads of a seal (what an order links, where a chain ends) agree with the full ones. */
static void seal_leaf_hash_and_chain_tip_agree_with_the_rows(void **state)
{
	struct store_fixture *f = *state;
	struct store_seal s;
	char hash[48];
	int64_t cseq = -1;
	struct err e;

	fx_begin(f->st);
	seal_row_add(f->st, "listing", "lst_1", 1, "", -1, "L1");
	seal_row_add(f->st, "listing", "lst_1", 2, "", -1, "L2");
	seal_row_add(f->st, "order", "ord_1", 0, "ord_1", 0, "O0");
	seal_row_add(f->st, "payment", "ord_1", 0, "ord_1", 1, "P1");
	seal_row_add(f->st, "order", "ord_2", 0, "ord_2", 0, "Q0");
	assert_int_equal(store_seal_leaf_hash(f->st, "listing", "lst_1", 1, hash, &e), RC_OK);
	assert_string_equal(hash, "L1");
	assert_int_equal(store_seal_leaf_hash(f->st, "listing", "lst_1", 2, hash, &e), RC_OK);
	assert_string_equal(hash, "L2");
	assert_int_equal(store_seal_get(f->st, "listing", "lst_1", 2, &s, &e), RC_OK);
	assert_string_equal(s.leaf_hash, hash);
	store_seal_release(&s);
	assert_int_equal(store_seal_leaf_hash(f->st, "listing", "lst_1", 3, hash, &e),
			 RC_NOTFOUND);
	assert_int_equal(store_seal_chain_tip(f->st, "ord_1", &cseq, hash, &e), RC_OK);
	assert_int_equal(cseq, 1);
	assert_string_equal(hash, "P1");
	assert_int_equal(store_seal_chain_head(f->st, "ord_1", &s, &e), RC_OK);
	assert_int_equal(s.chain_seq, cseq);
	assert_string_equal(s.leaf_hash, hash);
	store_seal_release(&s);
	assert_int_equal(store_seal_chain_tip(f->st, "ord_2", &cseq, hash, &e), RC_OK);
	assert_int_equal(cseq, 0);
	assert_string_equal(hash, "Q0");
	assert_int_equal(store_seal_chain_tip(f->st, "ord_3", &cseq, hash, &e), RC_NOTFOUND);
	fx_commit(f->st);
}


static int64_t seal_ok(struct store *st, const char *kind, const char *id, const char *order,
		       int64_t cseq, const char *hash, int64_t at)
{
	int rc;
	int64_t seq = seal_put(st, kind, id, 0, order, cseq, hash, at, 1, &rc);

	assert_int_equal(rc, RC_OK);
	return seq;
}

/* A seal reads back as it was added; a second of one record, or at one chain place, conflicts. */
static void seal_round_trips_and_a_second_is_conflict(void **state)
{
	static const unsigned char leaf[] = {0x00, 'l', 0xff, 0x00, 'f', '\\'};
	struct store_fixture *f = *state;
	unsigned char secret[32];
	struct store_seal s;
	int64_t a, b;
	struct err e;
	int rc;

	memset(secret, 0xa5, sizeof(secret));
	secret[0] = 0;
	fx_begin(f->st);
	a = seal_put(f->st, "listing", "lst_1", 3, "ord_9", 0, "H1", 123, 1, &rc);
	assert_int_equal(rc, RC_OK);
	b = seal_put(f->st, "merchant", "mer_1", 0, "", -1, "H2", 124, 0, &rc);
	assert_int_equal(rc, RC_OK);
	assert_true(b > a);
	/* the same record again, and another at ord_9's place 0: conflicts the transaction survives */
	assert_int_equal(seal_put(f->st, "listing", "lst_1", 3, "", -1, "H3", 125, 1, &rc), -1);
	assert_int_equal(rc, RC_CONFLICT);
	assert_int_equal(seal_put(f->st, "order", "ord_9", 0, "ord_9", 0, "H4", 125, 1, &rc), -1);
	assert_int_equal(rc, RC_CONFLICT);
	seal_ok(f->st, "order", "ord_9", "ord_9", 1, "H5", 126);
	fx_commit(f->st);

	fx_begin(f->st);
	assert_int_equal(store_seal_by_seq(f->st, a, &s, &e), RC_OK);
	assert_int_equal(s.seq, a);
	assert_string_equal(s.kind, "listing");
	assert_string_equal(s.record_id, "lst_1");
	assert_int_equal(s.version, 3);
	assert_int_equal(s.leaf_len, sizeof(leaf));
	assert_memory_equal(s.leaf, leaf, sizeof(leaf));
	assert_string_equal(s.leaf_hash, "H1");
	assert_string_equal(s.salts, "");
	assert_true(s.has_secret);
	assert_memory_equal(s.secret, secret, sizeof(secret));
	assert_int_equal(s.leaf_index, -1);
	assert_int_equal(s.created_at, 123);
	assert_string_equal(s.chain_order, "ord_9");
	assert_int_equal(s.chain_seq, 0);
	store_seal_release(&s);
	assert_int_equal(store_seal_get(f->st, "merchant", "mer_1", 0, &s, &e), RC_OK);
	assert_int_equal(s.seq, b);
	assert_false(s.has_secret);
	assert_string_equal(s.salts, "{\"name\":\"c2FsdA==\"}");
	assert_string_equal(s.chain_order, "");
	assert_int_equal(s.chain_seq, -1);
	store_seal_release(&s);
	assert_int_equal(store_seal_by_seq(f->st, b + 100, &s, &e), RC_NOTFOUND);
	assert_string_equal(e.code, "not_found");
	assert_int_equal(store_seal_get(f->st, "listing", "lst_1", 4, &s, &e), RC_NOTFOUND);
	assert_int_equal(store_seal_chain_head(f->st, "ord_8", &s, &e), RC_NOTFOUND);
	fx_commit(f->st);
}

/* Pending seals are listed oldest first, by age and by leaf hash; indexed ones leave the list and their leaf. */
static void pending_seals_are_found_and_leave_once_indexed(void **state)
{
	struct store_fixture *f = *state;
	int64_t s1, s2, s3, seqs[10], idx[10];
	struct store_seal s;
	struct err e;
	int n = -1;

	fx_begin(f->st);
	s1 = seal_ok(f->st, "message", "msg_1", "", -1, "H1", 10);
	s2 = seal_ok(f->st, "message", "msg_2", "", -1, "H2", 20);
	s3 = seal_ok(f->st, "message", "msg_3", "", -1, "H3", 30);
	assert_int_equal(store_seal_pending(f->st, 10, seqs, &n, &e), RC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(seqs[0], s1);
	assert_int_equal(seqs[1], s2);
	assert_int_equal(seqs[2], s3);
	assert_int_equal(store_seal_pending(f->st, 2, seqs, &n, &e), RC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_seal_pending_before(f->st, 25, 10, seqs, &n, &e), RC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[1], s2);
	assert_int_equal(store_seal_pending_by_hash(f->st, "H2", &seqs[0], &e), RC_OK);
	assert_int_equal(seqs[0], s2);

	assert_int_equal(store_seal_set_index(f->st, s2, 0, &e), RC_OK);
	assert_int_equal(store_seal_pending(f->st, 10, seqs, &n, &e), RC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[0], s1);
	assert_int_equal(seqs[1], s3);
	assert_int_equal(store_seal_pending_by_hash(f->st, "H2", &seqs[0], &e), RC_NOTFOUND);
	assert_int_equal(store_seal_by_seq(f->st, s2, &s, &e), RC_OK);
	assert_int_equal(s.leaf_index, 0);
	assert_int_equal(s.leaf_len, 0);
	assert_non_null(s.leaf);
	store_seal_release(&s);

	assert_int_equal(store_seal_unrecorded(f->st, 0, 4, idx, 10, &n, &e), RC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[2], 3);
	assert_int_equal(store_seal_set_index(f->st, s1, 2, &e), RC_OK);
	assert_int_equal(store_seal_unrecorded(f->st, 0, 4, idx, 10, &n, &e), RC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 3);
	assert_int_equal(store_seal_unrecorded(f->st, 0, 4, idx, 1, &n, &e), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(idx[0], 1);
	assert_int_equal(store_seal_unrecorded(f->st, 2, 3, idx, 10, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_seal_unrecorded(f->st, 3, 3, idx, 10, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	fx_commit(f->st);
}

/* Walks of seals: note each seal's hash; stop with 7 at "STOP". */
static int note_seal(void *ctx, const struct store_seal *s)
{
	json_array_append_new(ctx, json_string(s->leaf_hash));
	return strcmp(s->leaf_hash, "STOP") == 0 ? 7 : 0;
}

/* store_seal_each goes in leaf index order, pending last; a chain in its order; both page through many. */
static void seal_walks_go_in_log_then_chain_order(void **state)
{
	struct store_fixture *f = *state;
	json_t *seen = json_array();
	int64_t a, b, c, seq[300];
	char id[32], hash[32];
	struct err e;
	int i;

	fx_begin(f->st);
	a = seal_ok(f->st, "payment", "ord_1", "ord_1", 1, "A", 1);
	b = seal_ok(f->st, "order", "ord_1", "ord_1", 0, "B", 1);
	c = seal_ok(f->st, "merchant", "mer_1", "", -1, "C", 1);
	seal_ok(f->st, "listing", "lst_1", "", -1, "D", 1);
	assert_int_equal(store_seal_set_index(f->st, a, 5, &e), RC_OK);
	assert_int_equal(store_seal_set_index(f->st, c, 2, &e), RC_OK);
	assert_int_equal(store_seal_set_index(f->st, b, 7, &e), RC_OK);
	assert_int_equal(store_seal_each(f->st, note_seal, seen, &e), RC_OK);
	assert_int_equal(json_array_size(seen), 4);
	assert_string_equal(json_string_value(json_array_get(seen, 0)), "C");
	assert_string_equal(json_string_value(json_array_get(seen, 1)), "A");
	assert_string_equal(json_string_value(json_array_get(seen, 2)), "B");
	assert_string_equal(json_string_value(json_array_get(seen, 3)), "D");
	json_array_clear(seen);
	assert_int_equal(store_seal_chain_each(f->st, "ord_1", note_seal, seen, &e), RC_OK);
	assert_int_equal(json_array_size(seen), 2);
	assert_string_equal(json_string_value(json_array_get(seen, 0)), "B");
	assert_string_equal(json_string_value(json_array_get(seen, 1)), "A");

	/* a long chain, indexed in reverse: every seal once, in order, across pages */
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "evt_%03d", i);
		snprintf(hash, sizeof(hash), i == 299 ? "STOP" : "h%03d", i);
		seq[i] = seal_ok(f->st, "message", id, "ord_2", i, hash, 1);
	}
	for (i = 0; i < 300; i++)
		assert_int_equal(store_seal_set_index(f->st, seq[i], 1000 - i, &e), RC_OK);
	json_array_clear(seen);
	assert_int_equal(store_seal_chain_each(f->st, "ord_2", note_seal, seen, &e), 7);
	assert_int_equal(json_array_size(seen), 300);
	assert_string_equal(json_string_value(json_array_get(seen, 0)), "h000");
	assert_string_equal(json_string_value(json_array_get(seen, 298)), "h298");
	json_array_clear(seen);
	/* by index: C, A, B, then STOP (701) before the rest, which stops the walk */
	assert_int_equal(store_seal_each(f->st, note_seal, seen, &e), 7);
	assert_int_equal(json_array_size(seen), 4);
	assert_string_equal(json_string_value(json_array_get(seen, 3)), "STOP");
	fx_commit(f->st);
	json_decref(seen);
}

/* Checkpoints: note "size root note"; stop with 9 past size 100. */
static int note_checkpoint(void *ctx, int64_t size, const char *root, const char *note)
{
	json_array_append_new(ctx, json_sprintf("%lld %s %s", (long long)size, root, note));
	return size > 100 ? 9 : 0;
}

/* A checkpoint is kept once per size (its note refreshed for the same root), listed smallest first. */
static void checkpoints_kept_once_by_size_smallest_first(void **state)
{
	struct store_fixture *f = *state;
	json_t *seen = json_array();
	struct err e;

	fx_begin(f->st);
	assert_int_equal(store_checkpoint_add(f->st, 5, "R5", "n1", 1, &e), RC_OK);
	assert_int_equal(store_checkpoint_add(f->st, 2, "R2", "m1", 2, &e), RC_OK);
	assert_int_equal(store_checkpoint_add(f->st, 5, "R5", "n2", 3, &e), RC_OK);
	assert_int_equal(store_checkpoint_add(f->st, 5, "Rx", "n3", 4, &e), RC_OK);
	assert_int_equal(store_checkpoint_each(f->st, note_checkpoint, seen, &e), RC_OK);
	assert_int_equal(json_array_size(seen), 2);
	assert_string_equal(json_string_value(json_array_get(seen, 0)), "2 R2 m1");
	assert_string_equal(json_string_value(json_array_get(seen, 1)), "5 R5 n2");
	assert_int_equal(store_checkpoint_add(f->st, 200, "R200", "x", 5, &e), RC_OK);
	assert_int_equal(store_checkpoint_add(f->st, 300, "R300", "y", 6, &e), RC_OK);
	json_array_clear(seen);
	assert_int_equal(store_checkpoint_each(f->st, note_checkpoint, seen, &e), 9);
	assert_int_equal(json_array_size(seen), 3);
	fx_commit(f->st);
	json_decref(seen);
}

/* ---- batches: what the sequencer reads and records a round at a time ---- */

/* Does the message of `e` name seal `seq`? */
static int names_seq(const struct err *e, int64_t seq)
{
	char t[32];

	snprintf(t, sizeof(t), "seal %lld", (long long)seq);
	return strstr(e->message, t) != NULL;
}

/* Is seal `seq` still pending, with its leaf? */
static void assert_pending(struct store *st, int64_t seq)
{
	struct store_seal s;
	struct err e;

	assert_int_equal(store_seal_by_seq(st, seq, &s, &e), RC_OK);
	assert_int_equal(s.leaf_index, -1);
	assert_int_equal(s.leaf_len, 6);
	store_seal_release(&s);
}

/* Seals come back in the order asked, a missing one zeroed and unfound, a repeated one twice. */
static void seals_by_seq_answer_in_the_order_asked(void **state)
{
	struct store_fixture *f = *state;
	struct store_seal out[6];
	uint8_t found[6];
	int64_t a, b, c, ask[6];
	struct err e;

	fx_begin(f->st);
	a = seal_ok(f->st, "message", "msg_1", "", -1, "HA", 1);
	b = seal_ok(f->st, "message", "msg_2", "", -1, "HB", 2);
	c = seal_ok(f->st, "message", "msg_3", "", -1, "HC", 3);
	assert_int_equal(store_seal_set_index(f->st, b, 4, &e), RC_OK);
	ask[0] = c;
	ask[1] = c + 1000;
	ask[2] = a;
	ask[3] = c;
	ask[4] = b;
	ask[5] = -1;
	memset(found, 7, sizeof(found));
	assert_int_equal(store_seals_by_seq(f->st, ask, 6, out, found, &e), RC_OK);
	assert_int_equal(found[0], 1);
	assert_int_equal(found[1], 0);
	assert_int_equal(found[2], 1);
	assert_int_equal(found[3], 1);
	assert_int_equal(found[4], 1);
	assert_int_equal(found[5], 0);
	assert_int_equal(out[0].seq, c);
	assert_string_equal(out[0].leaf_hash, "HC");
	assert_int_equal(out[0].created_at, 3);
	assert_int_equal(out[0].leaf_len, 6);
	assert_memory_equal(out[0].leaf, "\0l\xff\0f\\", 6);
	assert_true(out[0].has_secret);
	assert_int_equal(out[1].seq, 0);
	assert_null(out[1].leaf);
	assert_null(out[1].salts);
	assert_int_equal(out[2].seq, a);
	assert_string_equal(out[2].record_id, "msg_1");
	/* a seq asked twice: two copies, each the caller's to release */
	assert_int_equal(out[3].seq, c);
	assert_ptr_not_equal(out[3].leaf, out[0].leaf);
	assert_memory_equal(out[3].leaf, out[0].leaf, 6);
	assert_int_equal(out[4].seq, b);
	assert_int_equal(out[4].leaf_index, 4);
	assert_int_equal(out[4].leaf_len, 0);
	assert_int_equal(out[5].seq, 0);
	for (int i = 0; i < 6; i++)
		store_seal_release(&out[i]);
	fx_commit(f->st);
}

/* n = 0 reads nothing; past STORE_SEALS_BATCH_MAX is RC_INVAL; a full batch reads them all. */
static void seals_by_seq_take_none_to_the_most_and_no_more(void **state)
{
	struct store_fixture *f = *state;
	size_t n = STORE_SEALS_BATCH_MAX, i;
	struct store_seal *out = calloc(n + 1, sizeof(*out));
	uint8_t *found = calloc(n + 1, 1);
	int64_t *ask = calloc(n + 1, sizeof(*ask)), seq[40];
	char id[32];
	struct err e;

	assert_non_null(out);
	assert_non_null(found);
	assert_non_null(ask);
	fx_begin(f->st);
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "msg_%zu", i);
		seq[i] = seal_ok(f->st, "message", id, "", -1, id, (int64_t)i);
	}
	assert_int_equal(store_seals_by_seq(f->st, ask, 0, out, found, &e), RC_OK);
	assert_int_equal(store_seals_by_seq(f->st, ask, n + 1, out, found, &e), RC_INVAL);
	assert_int_equal(store_seal_set_indexes(f->st, ask, ask, n + 1, &e), RC_INVAL);
	/* the most at once: every seal many times over, backwards */
	for (i = 0; i < n; i++)
		ask[i] = seq[39 - i % 40];
	assert_int_equal(store_seals_by_seq(f->st, ask, n, out, found, &e), RC_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(found[i], 1);
		assert_int_equal(out[i].seq, ask[i]);
		snprintf(id, sizeof(id), "msg_%zu", 39 - i % 40);
		assert_string_equal(out[i].leaf_hash, id);
		store_seal_release(&out[i]);
	}
	fx_commit(f->st);
	free(out);
	free(found);
	free(ask);
}

/* A batch of indexes is recorded, the leaves forgotten; a seal's own index again is no change. */
static void set_indexes_records_them_all(void **state)
{
	struct store_fixture *f = *state;
	int64_t seq[3], idx[3] = {12, 10, 11}, pending[4];
	struct store_seal s;
	struct err e;
	int n = -1;

	fx_begin(f->st);
	seq[0] = seal_ok(f->st, "message", "msg_1", "", -1, "H1", 1);
	seq[1] = seal_ok(f->st, "message", "msg_2", "", -1, "H2", 1);
	seq[2] = seal_ok(f->st, "message", "msg_3", "", -1, "H3", 1);
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 0, &e), RC_OK);
	assert_int_equal(store_seal_pending(f->st, 4, pending, &n, &e), RC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 3, &e), RC_OK);
	fx_commit(f->st);

	fx_begin(f->st);
	assert_int_equal(store_seal_pending(f->st, 4, pending, &n, &e), RC_OK);
	assert_int_equal(n, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_seal_by_seq(f->st, seq[i], &s, &e), RC_OK);
		assert_int_equal(s.leaf_index, idx[i]);
		assert_int_equal(s.leaf_len, 0);
		store_seal_release(&s);
	}
	/* again, and one of them twice: where they are already */
	seq[2] = seq[0];
	idx[2] = idx[0];
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 3, &e), RC_OK);
	assert_int_equal(store_seal_set_index(f->st, seq[1], idx[1], &e), RC_OK);
	fx_commit(f->st);
}

/*
 * An index another seal holds, a seal the log holds elsewhere, a seq
 * given two indexes or an index given two seqs, a seq with no seal: the
 * batch is refused naming the first offender, and writes nothing.
 */
static void set_indexes_refuses_taken_or_indexed_and_writes_nothing(void **state)
{
	struct store_fixture *f = *state;
	int64_t a, b, c, seq[3], idx[3];
	struct err e;

	fx_begin(f->st);
	a = seal_ok(f->st, "message", "msg_1", "", -1, "H1", 1);
	b = seal_ok(f->st, "message", "msg_2", "", -1, "H2", 1);
	c = seal_ok(f->st, "message", "msg_3", "", -1, "H3", 1);
	assert_int_equal(store_seal_set_index(f->st, a, 5, &e), RC_OK);

	/* 5 is a's */
	seq[0] = b, idx[0] = 6, seq[1] = c, idx[1] = 5;
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 2, &e), RC_CONFLICT);
	assert_string_equal(e.code, "conflict");
	assert_true(names_seq(&e, c));
	assert_int_equal(store_seal_set_index(f->st, c, 5, &e), RC_CONFLICT);
	assert_true(names_seq(&e, c));
	/* a is at 5 already */
	seq[0] = b, idx[0] = 6, seq[1] = a, idx[1] = 7;
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 2, &e), RC_CONFLICT);
	assert_true(names_seq(&e, a));
	assert_int_equal(store_seal_set_index(f->st, a, 7, &e), RC_CONFLICT);
	/* within the batch: b at two places, then 6 for b and c */
	seq[0] = b, idx[0] = 6, seq[1] = b, idx[1] = 8;
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 2, &e), RC_CONFLICT);
	assert_true(names_seq(&e, b));
	seq[0] = b, idx[0] = 6, seq[1] = c, idx[1] = 6;
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 2, &e), RC_CONFLICT);
	assert_true(names_seq(&e, c));
	/* no such seal */
	seq[0] = b, idx[0] = 6, seq[1] = c + 1000, idx[1] = 9, seq[2] = c, idx[2] = 5;
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 3, &e), RC_NOTFOUND);
	assert_true(names_seq(&e, c + 1000));
	/* nothing written, and the transaction commits */
	assert_pending(f->st, b);
	assert_pending(f->st, c);
	fx_commit(f->st);

	fx_begin(f->st);
	assert_pending(f->st, b);
	assert_pending(f->st, c);
	seq[0] = b, idx[0] = 6, seq[1] = c, idx[1] = 7;
	assert_int_equal(store_seal_set_indexes(f->st, seq, idx, 2, &e), RC_OK);
	fx_commit(f->st);
}

#define T(name, su, td) cmocka_unit_test_setup_teardown(name, su, td)
#define SEALS_TESTS(su, td)                                                                      \
	T(seal_leaf_hash_and_chain_tip_agree_with_the_rows, su, td),                             \
	T(seal_round_trips_and_a_second_is_conflict, su, td),                                    \
	T(pending_seals_are_found_and_leave_once_indexed, su, td),                               \
	T(seal_walks_go_in_log_then_chain_order, su, td),                                        \
	T(checkpoints_kept_once_by_size_smallest_first, su, td),                                 \
	T(seals_by_seq_answer_in_the_order_asked, su, td),                                       \
	T(seals_by_seq_take_none_to_the_most_and_no_more, su, td),                               \
	T(set_indexes_records_them_all, su, td),                                                 \
	T(set_indexes_refuses_taken_or_indexed_and_writes_nothing, su, td)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {SEALS_TESTS(store_setup, store_teardown)};
	const struct CMUnitTest pg_tests[] = {SEALS_TESTS(store_setup_pg, store_teardown_pg)};
	int failed = cmocka_run_group_tests_name("seals on SQLite", sqlite_tests, NULL, NULL);

	if (!store_test_pg()) {
		printf("seals on PostgreSQL: skipped, DISPUTED_TEST_PG is not set (make unit "
		       "starts a cluster: tests/e2e/pg_cluster.py run -- ...)\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("seals on PostgreSQL", pg_tests, NULL, NULL);
}
