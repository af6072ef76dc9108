/* store_sqlite_seals.c - the SQLite backend's evidence seals (each record's secret or salts, its leaf until the log holds it, its place in the log and in its order's chain) and kept checkpoints. */
#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

static int sq_seal_add(struct store *st, const struct store_seal *in, int64_t *seq, struct err *e)
{
	sqlite3_stmt *s;
	int64_t row;
	int rc = sq_prep_kept(st, "INSERT INTO seals (kind, record_id, version, leaf, leaf_hash, "
				  "salts, created_at, chain_order, chain_seq, secret) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, in->kind);
	sq_bind_text(s, 2, in->record_id);
	sqlite3_bind_int64(s, 3, in->version);
	sqlite3_bind_zeroblob(s, 4, 0); /* the row keeps no leaf: seal_leaves does, for a while */
	sq_bind_text(s, 5, in->leaf_hash);
	sq_bind_text(s, 6, in->salts ? in->salts : "");
	sqlite3_bind_int64(s, 7, in->created_at);
	sq_bind_text(s, 8, in->chain_order[0] ? in->chain_order : NULL);
	if (in->chain_order[0])
		sqlite3_bind_int64(s, 9, in->chain_seq);
	else
		sqlite3_bind_null(s, 9);
	if (in->has_secret)
		sqlite3_bind_blob(s, 10, in->secret, (int)sizeof(in->secret), SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 10);
	rc = sq_step_done(st, s, "insert seal", e);
	if (rc)
		return rc;
	row = sqlite3_last_insert_rowid(st->db);
	if (seq)
		*seq = row;
	/* the leaf waits beside the row until the log holds it (store_seal_set_index) */
	rc = sq_prep_kept(st, "INSERT INTO seal_leaves (seq, leaf) VALUES (?, ?)", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, row);
	sqlite3_bind_blob(s, 2, in->leaf, (int)in->leaf_len, SQLITE_TRANSIENT);
	return sq_step_done(st, s, "insert seal leaf", e);
}

/* A seal's leaf: in seal_leaves while pending; in the row for seals made before that table. */
#define SEAL_COLS "seq, kind, record_id, version, " \
		  "coalesce((SELECT l.leaf FROM seal_leaves l WHERE l.seq = seals.seq), leaf), " \
		  "leaf_hash, salts, " \
		  "coalesce(leaf_index, -1), created_at, coalesce(chain_order, ''), " \
		  "coalesce(chain_seq, -1), secret"

static int seal_row(sqlite3_stmt *s, struct store_seal *out, struct err *e)
{
	const void *leaf = sqlite3_column_blob(s, 4);
	int n = sqlite3_column_bytes(s, 4);

	memset(out, 0, sizeof(*out));
	out->seq = sqlite3_column_int64(s, 0);
	snprintf(out->kind, sizeof(out->kind), "%s", sqlite3_column_text(s, 1));
	snprintf(out->record_id, sizeof(out->record_id), "%s", sqlite3_column_text(s, 2));
	out->version = sqlite3_column_int64(s, 3);
	snprintf(out->leaf_hash, sizeof(out->leaf_hash), "%s", sqlite3_column_text(s, 5));
	out->leaf_index = sqlite3_column_int64(s, 7);
	out->created_at = sqlite3_column_int64(s, 8);
	snprintf(out->chain_order, sizeof(out->chain_order), "%s", sqlite3_column_text(s, 9));
	out->chain_seq = sqlite3_column_int64(s, 10);
	if (sqlite3_column_bytes(s, 11) == (int)sizeof(out->secret)) {
		memcpy(out->secret, sqlite3_column_blob(s, 11), sizeof(out->secret));
		out->has_secret = 1;
	}
	out->leaf = malloc(n > 0 ? (size_t)n : 1);
	out->salts = sq_dup_text(s, 6);
	if (!out->leaf || !out->salts) {
		store_seal_release(out);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	if (n > 0)
		memcpy(out->leaf, leaf, (size_t)n);
	out->leaf_len = (size_t)(n > 0 ? n : 0);
	return RC_OK;
}

static int sq_seal_by_seq(struct store *st, int64_t seq, struct store_seal *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT " SEAL_COLS " FROM seals WHERE seq = ?", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, seq);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = seal_row(s, out, e);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal %lld", (long long)seq);
	sq_finish(st, s);
	return rc;
}

static int sq_seal_get(struct store *st, const char *kind, const char *record_id, int64_t version,
		       struct store_seal *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT " SEAL_COLS " FROM seals WHERE kind = ? AND record_id = ? "
			       "AND version = ?", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, kind);
	sq_bind_text(s, 2, record_id);
	sqlite3_bind_int64(s, 3, version);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = seal_row(s, out, e);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal of %s %s", kind, record_id);
	sq_finish(st, s);
	return rc;
}

static int sq_seal_pending(struct store *st, int limit, int64_t *seqs, int *n, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq FROM seals WHERE leaf_index IS NULL ORDER BY seq LIMIT ?",
		      &s, e);

	*n = 0;
	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, limit);
	while (*n < limit && sqlite3_step(s) == SQLITE_ROW)
		seqs[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return RC_OK;
}

static int sq_seal_pending_before(struct store *st, int64_t before, int limit, int64_t *seqs,
				  int *n, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq FROM seals WHERE leaf_index IS NULL AND created_at < ? "
			  "ORDER BY seq LIMIT ?", &s, e);

	*n = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, before);
	sqlite3_bind_int(s, 2, limit);
	while (*n < limit && sqlite3_step(s) == SQLITE_ROW)
		seqs[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return RC_OK;
}

static int sq_seal_unrecorded(struct store *st, int64_t from, int64_t size, int64_t *idx, int cap,
			      int *n, struct err *e)
{
	sqlite3_stmt *s;
	int64_t next = from, got;
	int step = SQLITE_DONE;
	int rc = sq_prep(st, "SELECT leaf_index FROM seals WHERE leaf_index >= ? "
			  "AND leaf_index < ? ORDER BY leaf_index", &s, e);

	*n = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, size);
	while (*n < cap && (step = sqlite3_step(s)) == SQLITE_ROW) {
		got = sqlite3_column_int64(s, 0);
		while (next < got && *n < cap)
			idx[(*n)++] = next++;
		next = got + 1;
	}
	if (*n < cap && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read seals");
	while (!rc && next < size && *n < cap)
		idx[(*n)++] = next++;
	sqlite3_finalize(s);
	return rc;
}

static int sq_seal_pending_by_hash(struct store *st, const char *leaf_hash, int64_t *seq,
				   struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT seq FROM seals WHERE leaf_index IS NULL AND leaf_hash = ? "
			  "ORDER BY seq LIMIT 1", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, leaf_hash);
	if (sqlite3_step(s) == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no pending seal with that leaf");
	sqlite3_finalize(s);
	return rc;
}

/* In-process: a loop over the one-row statement costs no round trips. */
static int sq_seals_by_seq(struct store *st, const int64_t *seqs, size_t n, struct store_seal *out,
			   uint8_t *found, struct err *e)
{
	sqlite3_stmt *s;
	size_t i;
	int rc, step;

	if (n > STORE_SEALS_BATCH_MAX)
		return err_set(e, RC_INVAL, "too_many", "seqs", "%zu seals: at most %d at once", n,
			       STORE_SEALS_BATCH_MAX);
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		found[i] = 0;
	}
	if (n == 0)
		return RC_OK;
	rc = sq_prep_kept(st, "SELECT " SEAL_COLS " FROM seals WHERE seq = ?", &s, e);
	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, seqs[i]);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW) {
			rc = seal_row(s, &out[i], e);
			found[i] = rc == RC_OK;
		} else if (step != SQLITE_DONE) {
			rc = sq_fail(st, e, "read seals");
		}
	}
	sq_finish(st, s);
	for (i = 0; rc && i < n; i++) {
		store_seal_release(&out[i]);
		memset(&out[i], 0, sizeof(out[i]));
		found[i] = 0;
	}
	return rc;
}

/* Where the log holds seal `seq`'s leaf (-1 for nowhere yet); RC_NOTFOUND for no seal. */
static int seal_index_of(struct store *st, int64_t seq, int64_t *at, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT leaf_index FROM seals WHERE seq = ?", &s, e), step;

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, seq);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*at = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 0);
	else if (step == SQLITE_DONE)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal %lld", (long long)seq);
	else
		rc = sq_fail(st, e, "read seal index");
	sq_finish(st, s);
	return rc;
}

/*
 * One seal's index, refused as store_seal_set_index says; may have written
 * when it fails. The update touches only a seal with no index or this
 * one, so the common case is one statement; which refusal it was is read
 * after.
 */
static int seal_set_one(struct store *st, int64_t seq, int64_t leaf_index, struct err *e)
{
	sqlite3_stmt *s;
	int64_t at = -1;
	int rc = sq_prep_kept(st, "UPDATE seals SET leaf_index = ?1, leaf = X'' WHERE seq = ?2 "
			       "AND (leaf_index IS NULL OR leaf_index = ?1)", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, leaf_index);
	sqlite3_bind_int64(s, 2, seq);
	rc = sq_step_done(st, s, "update seal", e);
	if (rc == RC_CONFLICT) /* leaf_index is UNIQUE */
		return err_set(e, RC_CONFLICT, "conflict", NULL,
			       "record seal index: leaf index %lld of seal %lld is another seal's",
			       (long long)leaf_index, (long long)seq);
	if (rc)
		return rc;
	if (sqlite3_changes(st->db) == 0) {
		rc = seal_index_of(st, seq, &at, e);
		return rc ? rc : err_set(e, RC_CONFLICT, "conflict", NULL,
					 "record seal index: seal %lld is at another leaf "
					 "index already", (long long)seq);
	}
	rc = sq_prep_kept(st, "DELETE FROM seal_leaves WHERE seq = ?", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, seq);
	return sq_step_done(st, s, "forget seal leaf", e);
}

/*
 * One seal after another inside a savepoint, undone when one is refused:
 * within the batch, a seq's second index or an index's second seq then
 * meets the first as a seal's or the table's would.
 */
static int sq_seal_set_indexes(struct store *st, const int64_t *seqs, const int64_t *idx,
			       size_t n, struct err *e)
{
	size_t i;
	int rc, rc2;

	if (n > STORE_SEALS_BATCH_MAX)
		return err_set(e, RC_INVAL, "too_many", "seqs", "%zu seals: at most %d at once", n,
			       STORE_SEALS_BATCH_MAX);
	if (n == 0)
		return RC_OK;
	rc = store_savepoint(st, e);
	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i++)
		rc = seal_set_one(st, seqs[i], idx[i], e);
	rc2 = store_savepoint_end(st, rc == RC_OK, rc ? NULL : e);
	return rc ? rc : rc2;
}

static int sq_seal_set_index(struct store *st, int64_t seq, int64_t leaf_index, struct err *e)
{
	return sq_seal_set_indexes(st, &seq, &leaf_index, 1, e);
}

/*
 * Call `fn` for each seal row `s` gives (a statement selecting SEAL_COLS),
 * then finalize it. A read cut short by the database is an error, never a
 * shorter walk: an audit that stopped early must not read as one that
 * found nothing.
 */
static int seal_rows(struct store *st, sqlite3_stmt *s,
		     int (*fn)(void *ctx, const struct store_seal *s), void *ctx, struct err *e)
{
	struct store_seal one;
	int step, rc = RC_OK;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		rc = seal_row(s, &one, e);
		if (!rc)
			rc = fn(ctx, &one);
		store_seal_release(&one);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read seals");
	sqlite3_finalize(s);
	return rc;
}

static int sq_seal_each(struct store *st, int (*fn)(void *ctx, const struct store_seal *s),
			void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT " SEAL_COLS " FROM seals "
			  "ORDER BY leaf_index IS NULL, leaf_index, seq", &s, e);

	return rc ? rc : seal_rows(st, s, fn, ctx, e);
}

static int sq_seal_chain_head(struct store *st, const char *order_id, struct store_seal *out,
			      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT " SEAL_COLS " FROM seals WHERE chain_order = ? "
			       "ORDER BY chain_seq DESC LIMIT 1", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, order_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = seal_row(s, out, e);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no chain for order %s", order_id);
	sq_finish(st, s);
	return rc;
}

/* Copy a text column (a leaf hash) into `hash`. */
static void copy_hash(sqlite3_stmt *s, int col, char hash[48])
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(hash, 48, "%s", t ? (const char *)t : "");
}

static int sq_seal_leaf_hash(struct store *st, const char *kind, const char *record_id,
			     int64_t version, char hash[48], struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT leaf_hash FROM seals WHERE kind = ? AND record_id = ? "
			       "AND version = ?", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, kind);
	sq_bind_text(s, 2, record_id);
	sqlite3_bind_int64(s, 3, version);
	if (sqlite3_step(s) == SQLITE_ROW)
		copy_hash(s, 0, hash);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal of %s %s", kind,
			     record_id);
	sq_finish(st, s);
	return rc;
}

static int sq_seal_chain_tip(struct store *st, const char *order_id, int64_t *chain_seq,
			     char hash[48], struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT chain_seq, leaf_hash FROM seals WHERE chain_order = ? "
			       "ORDER BY chain_seq DESC LIMIT 1", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, order_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*chain_seq = sqlite3_column_int64(s, 0);
		copy_hash(s, 1, hash);
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no chain for order %s", order_id);
	}
	sq_finish(st, s);
	return rc;
}

static int sq_seal_chain_each(struct store *st, const char *order_id,
			      int (*fn)(void *ctx, const struct store_seal *s), void *ctx,
			      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT " SEAL_COLS " FROM seals WHERE chain_order = ? "
			  "ORDER BY chain_seq", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, order_id);
	return seal_rows(st, s, fn, ctx, e);
}

static int sq_checkpoint_add(struct store *st, int64_t size, const char *root_b64, const char *note,
			     int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO checkpoints (size, root, note, created_at) "
			  "VALUES (?, ?, ?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note "
			  "WHERE excluded.root = checkpoints.root", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, size);
	sq_bind_text(s, 2, root_b64);
	sq_bind_text(s, 3, note);
	sqlite3_bind_int64(s, 4, now);
	return sq_step_done(st, s, "insert checkpoint", e);
}

static int sq_checkpoint_each(struct store *st,
			      int (*fn)(void *ctx, int64_t size, const char *root, const char *note),
			      void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int step = SQLITE_DONE;
	int rc = sq_prep(st, "SELECT size, root, note FROM checkpoints ORDER BY size", &s, e);

	if (rc)
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		rc = fn(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2));
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(st, e, "read checkpoints");
	sqlite3_finalize(s);
	return rc;
}

const struct store_seals_ops sq_seals_ops = {
	.seal_add = sq_seal_add,
	.seal_chain_head = sq_seal_chain_head,
	.seal_chain_each = sq_seal_chain_each,
	.seal_by_seq = sq_seal_by_seq,
	.seal_leaf_hash = sq_seal_leaf_hash,
	.seal_chain_tip = sq_seal_chain_tip,
	.seal_get = sq_seal_get,
	.seal_pending = sq_seal_pending,
	.seal_pending_before = sq_seal_pending_before,
	.seal_unrecorded = sq_seal_unrecorded,
	.seal_pending_by_hash = sq_seal_pending_by_hash,
	.seal_set_index = sq_seal_set_index,
	.seals_by_seq = sq_seals_by_seq,
	.seal_set_indexes = sq_seal_set_indexes,
	.seal_each = sq_seal_each,
	.record_each = sq_record_each,
	.checkpoint_add = sq_checkpoint_add,
	.checkpoint_each = sq_checkpoint_each,
};
