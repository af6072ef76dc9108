/* store_pg_seals.c - the PostgreSQL side of store_seals.h: evidence seals (each record's secret or salts, its leaf until the log holds it, its place in the log and in its order's chain), the walk over every record, kept checkpoints. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_seals.h"

/* Rows read at a time by the walks (seal_each, seal_chain_each, record_each): memory stays bounded. */
#define PGS_PAGE 256

/*
 * A seal row. A second seal of one record, or a second leaf at one place
 * of an order's chain, is "no row inserted" (ON CONFLICT DO NOTHING), so
 * the RC_CONFLICT leaves the transaction usable, as SQLite's failed
 * statement does.
 */
static int pgs_seal_add(struct store *st, const struct store_seal *in, int64_t *seq, struct err *e)
{
	char v_text[PG_I64_TEXT], c_text[PG_I64_TEXT], s_text[PG_I64_TEXT], row_text[PG_I64_TEXT];
	char *secret = NULL, *leaf = NULL;
	const char *p[10];
	struct pg_rows rows;
	int64_t row = 0;
	int rc;

	if (in->has_secret && !(secret = pg_bytea_param(in->secret, sizeof(in->secret))))
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	p[0] = in->kind;
	p[1] = in->record_id;
	p[2] = pg_i64(v_text, in->version);
	p[3] = in->leaf_hash;
	p[4] = in->salts ? in->salts : "";
	p[5] = pg_i64(c_text, in->created_at);
	p[6] = in->chain_order[0] ? in->chain_order : NULL;
	p[7] = in->chain_order[0] ? pg_i64(s_text, in->chain_seq) : NULL;
	p[8] = secret;
	/* the row keeps no leaf: seal_leaves does, for a while */
	rc = pg_query(st->pg, "INSERT INTO seals (kind, record_id, version, leaf, leaf_hash, salts, "
		      "created_at, chain_order, chain_seq, secret) "
		      "VALUES ($1, $2, $3, ''::bytea, $4, $5, $6, $7, $8, $9) "
		      "ON CONFLICT DO NOTHING RETURNING seq", 9, p, &rows, e);
	free(secret);
	if (rc)
		return rc;
	if (pg_step(&rows))
		row = pg_col_int64(&rows, 0);
	else
		rc = err_set(e, RC_CONFLICT, "conflict", NULL,
			     "insert seal: %s %s version %lld is sealed already, or its place "
			     "in its order's chain is taken", in->kind, in->record_id,
			     (long long)in->version);
	pg_rows_clear(&rows);
	if (rc)
		return rc;
	if (seq)
		*seq = row;
	/* the leaf waits beside the row until the log holds it (store_seal_set_index) */
	leaf = pg_bytea_param(in->leaf, in->leaf_len);
	if (!leaf)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	p[0] = pg_i64(row_text, row);
	p[1] = leaf;
	rc = pg_query(st->pg, "INSERT INTO seal_leaves (seq, leaf) VALUES ($1, $2)", 2, p, NULL, e);
	free(leaf);
	return rc;
}

/* A seal's leaf: in seal_leaves while pending; in the row for seals made before that table. */
#define SEAL_COLS "seq, kind, record_id, version, " \
		  "coalesce((SELECT l.leaf FROM seal_leaves l WHERE l.seq = seals.seq), leaf), " \
		  "leaf_hash, salts, " \
		  "coalesce(leaf_index, -1), created_at, coalesce(chain_order, ''), " \
		  "coalesce(chain_seq, -1), secret"

/* The current row of `rows` (SEAL_COLS) into `out`. */
static int seal_row(const struct pg_rows *rows, struct store_seal *out, struct err *e)
{
	const char *t;
	unsigned char *secret;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->seq = pg_col_int64(rows, 0);
	t = pg_col_text(rows, 1);
	snprintf(out->kind, sizeof(out->kind), "%s", t ? t : "");
	t = pg_col_text(rows, 2);
	snprintf(out->record_id, sizeof(out->record_id), "%s", t ? t : "");
	out->version = pg_col_int64(rows, 3);
	t = pg_col_text(rows, 5);
	snprintf(out->leaf_hash, sizeof(out->leaf_hash), "%s", t ? t : "");
	out->leaf_index = pg_col_int64(rows, 7);
	out->created_at = pg_col_int64(rows, 8);
	t = pg_col_text(rows, 9);
	snprintf(out->chain_order, sizeof(out->chain_order), "%s", t ? t : "");
	out->chain_seq = pg_col_int64(rows, 10);
	if (!pg_col_null(rows, 11)) {
		secret = pg_col_bytea(rows, 11, &n);
		if (!secret)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		if (n == sizeof(out->secret)) {
			memcpy(out->secret, secret, sizeof(out->secret));
			out->has_secret = 1;
		}
		free(secret);
	}
	out->leaf = pg_col_bytea(rows, 4, &out->leaf_len);
	out->salts = pg_col_dup(rows, 6);
	if (!out->leaf || !out->salts) {
		store_seal_release(out);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	return RC_OK;
}

/* The one seal `sql` selects (SEAL_COLS) into `out`; `none` is the RC_NOTFOUND message. */
static int seal_one(struct store *st, const char *sql, int nparams, const char *const *p,
		    struct store_seal *out, const char *none, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, nparams, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows))
		rc = seal_row(&rows, out, e);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "%s", none);
	pg_rows_clear(&rows);
	return rc;
}

static int pgs_seal_by_seq(struct store *st, int64_t seq, struct store_seal *out, struct err *e)
{
	char s_text[PG_I64_TEXT], none[64];
	const char *p[] = {pg_i64(s_text, seq)};

	snprintf(none, sizeof(none), "no seal %lld", (long long)seq);
	return seal_one(st, "SELECT " SEAL_COLS " FROM seals WHERE seq = $1", 1, p, out, none, e);
}

static int pgs_seal_get(struct store *st, const char *kind, const char *record_id, int64_t version,
			struct store_seal *out, struct err *e)
{
	char v_text[PG_I64_TEXT], none[160];
	const char *p[] = {kind, record_id, pg_i64(v_text, version)};

	snprintf(none, sizeof(none), "no seal of %s %s", kind, record_id);
	return seal_one(st, "SELECT " SEAL_COLS " FROM seals WHERE kind = $1 AND record_id = $2 "
			"AND version = $3", 3, p, out, none, e);
}

static int pgs_seal_chain_head(struct store *st, const char *order_id, struct store_seal *out,
			       struct err *e)
{
	const char *p[] = {order_id};
	char none[128];

	snprintf(none, sizeof(none), "no chain for order %s", order_id);
	return seal_one(st, "SELECT " SEAL_COLS " FROM seals WHERE chain_order = $1 "
			"ORDER BY chain_seq DESC LIMIT 1", 1, p, out, none, e);
}

/* Row numbers the statement selects (one bigint column) into seqs, at most `limit`. */
static int seq_list(struct store *st, const char *sql, int nparams, const char *const *p,
		    int limit, int64_t *seqs, int *n, struct err *e)
{
	struct pg_rows rows;
	int rc;

	*n = 0;
	if (limit <= 0)
		return RC_OK;
	rc = pg_query(st->pg, sql, nparams, p, &rows, e);
	if (rc)
		return rc;
	while (*n < limit && pg_step(&rows))
		seqs[(*n)++] = pg_col_int64(&rows, 0);
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgs_seal_pending(struct store *st, int limit, int64_t *seqs, int *n, struct err *e)
{
	char l_text[PG_I64_TEXT];
	const char *p[] = {pg_i64(l_text, limit)};

	return seq_list(st, "SELECT seq FROM seals WHERE leaf_index IS NULL ORDER BY seq LIMIT $1",
			1, p, limit, seqs, n, e);
}

static int pgs_seal_pending_before(struct store *st, int64_t before, int limit, int64_t *seqs,
				   int *n, struct err *e)
{
	char b_text[PG_I64_TEXT], l_text[PG_I64_TEXT];
	const char *p[] = {pg_i64(b_text, before), pg_i64(l_text, limit)};

	return seq_list(st, "SELECT seq FROM seals WHERE leaf_index IS NULL AND created_at < $1 "
			"ORDER BY seq LIMIT $2", 2, p, limit, seqs, n, e);
}

/* The indexes of [from, size) no seal holds, computed by the server, at most `cap` of them. */
static int pgs_seal_unrecorded(struct store *st, int64_t from, int64_t size, int64_t *idx, int cap,
			       int *n, struct err *e)
{
	char f_text[PG_I64_TEXT], s_text[PG_I64_TEXT], c_text[PG_I64_TEXT];
	const char *p[] = {pg_i64(f_text, from), pg_i64(s_text, size), pg_i64(c_text, cap)};

	return seq_list(st, "SELECT g FROM generate_series($1::bigint, $2::bigint - 1) AS g "
			"WHERE NOT EXISTS (SELECT 1 FROM seals WHERE leaf_index = g) "
			"ORDER BY g LIMIT $3", 3, p, cap, idx, n, e);
}

static int pgs_seal_pending_by_hash(struct store *st, const char *leaf_hash, int64_t *seq,
				    struct err *e)
{
	const char *p[] = {leaf_hash};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT seq FROM seals WHERE leaf_index IS NULL AND "
			  "leaf_hash = $1 ORDER BY seq LIMIT 1", 1, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows))
		*seq = pg_col_int64(&rows, 0);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no pending seal with that leaf");
	pg_rows_clear(&rows);
	return rc;
}

/* A seq's place in a batch: the batch sorted by seq matches rows back to their places. */
struct seq_pos {
	int64_t seq;   /* the row asked for */
	size_t pos;    /* its place in the caller's seqs */
};

static int seq_pos_cmp(const void *a, const void *b)
{
	const struct seq_pos *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The first place of `by` (n, sorted) whose seq is not below `seq`. */
static size_t seq_pos_first(const struct seq_pos *by, size_t n, int64_t seq)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (by[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Every row of `rows` (SEAL_COLS) into out[] at each place of its seq in `by`. */
static int seals_match(struct pg_rows *rows, const struct seq_pos *by, size_t n,
		       struct store_seal *out, uint8_t *found, struct err *e)
{
	size_t k;
	int64_t seq;
	int rc = RC_OK;

	while (!rc && pg_step(rows)) {
		seq = pg_col_int64(rows, 0);
		for (k = seq_pos_first(by, n, seq); !rc && k < n && by[k].seq == seq; k++) {
			rc = seal_row(rows, &out[by[k].pos], e);
			found[by[k].pos] = rc == RC_OK;
		}
	}
	return rc;
}

/* One statement for all of them: the sequencer's round is a round trip, not one per seal. */
static int pgs_seals_by_seq(struct store *st, const int64_t *seqs, size_t n,
			    struct store_seal *out, uint8_t *found, struct err *e)
{
	struct seq_pos *by = NULL;
	struct pg_rows rows;
	const char *p[1];
	char *list = NULL;
	size_t i;
	int rc;

	if (n > STORE_SEALS_BATCH_MAX)
		return err_set(e, RC_INVAL, "too_many", "seqs", "%zu seals: at most %d at once", n,
			       STORE_SEALS_BATCH_MAX);
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		found[i] = 0;
	}
	if (n == 0)
		return RC_OK;
	by = malloc(n * sizeof(*by));
	list = pg_i64_array(seqs, n);
	if (!by || !list) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		by[i].seq = seqs[i];
		by[i].pos = i;
	}
	qsort(by, n, sizeof(*by), seq_pos_cmp);
	p[0] = list;
	rc = pg_query(st->pg, "SELECT " SEAL_COLS " FROM seals WHERE seq = ANY($1::bigint[])", 1,
		      p, &rows, e);
	if (rc)
		goto out;
	rc = seals_match(&rows, by, n, out, found, e);
	pg_rows_clear(&rows);
	for (i = 0; rc && i < n; i++) {
		store_seal_release(&out[i]);
		memset(&out[i], 0, sizeof(out[i]));
		found[i] = 0;
	}
out:
	free(by);
	free(list);
	return rc;
}

/*
 * All indexes in one statement, all or none. `u` is the batch in order,
 * with the first index each seq is given (idx0) and the first seq each
 * index is given (seq0); `bad` its first entry that would be refused;
 * only when there is none do the seals take their indexes and lose their
 * leaves. A seq with its own index again is no change, as one
 * store_seal_set_index after another would have it.
 */
#define SET_INDEXES_SQL \
	"WITH u AS (SELECT seq, idx, ord, " \
	"first_value(idx) OVER (PARTITION BY seq ORDER BY ord) AS idx0, " \
	"first_value(seq) OVER (PARTITION BY idx ORDER BY ord) AS seq0 " \
	"FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS x(seq, idx, ord)), " \
	"bad AS (SELECT u.seq, u.idx, CASE WHEN s.seq IS NULL THEN 'missing' " \
	"WHEN u.idx0 <> u.idx OR s.leaf_index <> u.idx THEN 'indexed' ELSE 'taken' END AS why " \
	"FROM u LEFT JOIN seals s ON s.seq = u.seq " \
	"WHERE s.seq IS NULL OR u.idx0 <> u.idx OR u.seq0 <> u.seq OR s.leaf_index <> u.idx " \
	"OR EXISTS (SELECT 1 FROM seals t WHERE t.leaf_index = u.idx AND t.seq <> u.seq) " \
	"ORDER BY u.ord LIMIT 1), " \
	"done AS (UPDATE seals SET leaf_index = u.idx, leaf = ''::bytea FROM u " \
	"WHERE seals.seq = u.seq AND NOT EXISTS (SELECT 1 FROM bad) RETURNING seals.seq), " \
	"gone AS (DELETE FROM seal_leaves l USING done WHERE l.seq = done.seq) " \
	"SELECT (SELECT count(*) FROM done), (SELECT count(DISTINCT seq) FROM u), " \
	"b.seq, b.idx, b.why FROM (SELECT 1) AS one LEFT JOIN bad b ON true"

/* The refusal SET_INDEXES_SQL's current row names, if any: store_seal_set_index's errors. */
static int set_indexes_refusal(const struct pg_rows *rows, struct err *e)
{
	long long seq = (long long)pg_col_int64(rows, 2), idx = (long long)pg_col_int64(rows, 3);
	const char *why = pg_col_text(rows, 4);

	if (pg_col_null(rows, 2))
		return RC_OK;
	if (why && strcmp(why, "missing") == 0)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal %lld", seq);
	if (why && strcmp(why, "indexed") == 0)
		return err_set(e, RC_CONFLICT, "conflict", NULL,
			       "record seal index: seal %lld is at another leaf index already",
			       seq);
	return err_set(e, RC_CONFLICT, "conflict", NULL,
		       "record seal index: leaf index %lld of seal %lld is another seal's", idx,
		       seq);
}

static int pgs_seal_set_indexes(struct store *st, const int64_t *seqs, const int64_t *idx,
				size_t n, struct err *e)
{
	char *list = NULL, *at = NULL;
	struct pg_rows rows;
	const char *p[2];
	int rc;

	if (n > STORE_SEALS_BATCH_MAX)
		return err_set(e, RC_INVAL, "too_many", "seqs", "%zu seals: at most %d at once", n,
			       STORE_SEALS_BATCH_MAX);
	if (n == 0)
		return RC_OK;
	list = pg_i64_array(seqs, n);
	at = pg_i64_array(idx, n);
	if (!list || !at) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	p[0] = list;
	p[1] = at;
	rc = pg_query(st->pg, SET_INDEXES_SQL, 2, p, &rows, e);
	if (rc)
		goto out;
	if (!pg_step(&rows))
		rc = err_set(e, RC_DB, "database_error", NULL, "record seal indexes: no answer");
	else
		rc = set_indexes_refusal(&rows, e);
	/* every seal checked is a seal written, unless one went away in between */
	if (!rc && pg_col_int64(&rows, 0) != pg_col_int64(&rows, 1))
		rc = err_set(e, RC_CONFLICT, "conflict", NULL,
			     "record seal indexes: %lld of %lld seals written",
			     (long long)pg_col_int64(&rows, 0), (long long)pg_col_int64(&rows, 1));
	pg_rows_clear(&rows);
out:
	free(list);
	free(at);
	return rc;
}

static int pgs_seal_set_index(struct store *st, int64_t seq, int64_t leaf_index, struct err *e)
{
	return pgs_seal_set_indexes(st, &seq, &leaf_index, 1, e);
}

/*
 * Call `fn` for each seal `sql` selects (SEAL_COLS, then its key as the
 * last column), a page at a time: $1 the key after which the page starts,
 * $2 the page's size, the rest `extra`. A read cut short by the database
 * is an error, never a shorter walk: an audit that stopped early must not
 * read as one that found nothing.
 */
static int seal_pages(struct store *st, const char *sql, const char *first, const char *extra,
		      int (*fn)(void *ctx, const struct store_seal *s), void *ctx, struct err *e)
{
	char key[PG_I64_TEXT], page[PG_I64_TEXT];
	const char *p[] = {first, pg_i64(page, PGS_PAGE), extra};
	struct store_seal one;
	struct pg_rows rows;
	int got, rc = RC_OK;

	do {
		rc = pg_query(st->pg, sql, extra ? 3 : 2, p, &rows, e);
		if (rc)
			return rc;
		got = 0;
		while (!rc && pg_step(&rows)) {
			got++;
			snprintf(key, sizeof(key), "%s", pg_col_text(&rows, 12));
			rc = seal_row(&rows, &one, e);
			if (!rc)
				rc = fn(ctx, &one);
			store_seal_release(&one);
		}
		pg_rows_clear(&rows);
		p[0] = key;
	} while (!rc && got == PGS_PAGE);
	return rc;
}

/* Integrated seals by leaf index, then pending ones by row. */
static int pgs_seal_each(struct store *st, int (*fn)(void *ctx, const struct store_seal *s),
			 void *ctx, struct err *e)
{
	int rc = seal_pages(st, "SELECT " SEAL_COLS ", leaf_index FROM seals "
			    "WHERE leaf_index > $1 ORDER BY leaf_index LIMIT $2",
			    "-9223372036854775808", NULL, fn, ctx, e);

	if (rc)
		return rc;
	return seal_pages(st, "SELECT " SEAL_COLS ", seq FROM seals "
			  "WHERE leaf_index IS NULL AND seq > $1 ORDER BY seq LIMIT $2",
			  "-9223372036854775808", NULL, fn, ctx, e);
}

static int pgs_seal_chain_each(struct store *st, const char *order_id,
			       int (*fn)(void *ctx, const struct store_seal *s), void *ctx,
			       struct err *e)
{
	return seal_pages(st, "SELECT " SEAL_COLS ", chain_seq FROM seals "
			  "WHERE chain_order = $3 AND chain_seq > $1 ORDER BY chain_seq LIMIT $2",
			  "-9223372036854775808", order_id, fn, ctx, e);
}

/* Copy a text column (a leaf hash) into `hash`. */
static void copy_hash(const struct pg_rows *rows, int col, char hash[48])
{
	const char *t = pg_col_text(rows, col);

	snprintf(hash, 48, "%s", t ? t : "");
}

static int pgs_seal_leaf_hash(struct store *st, const char *kind, const char *record_id,
			      int64_t version, char hash[48], struct err *e)
{
	char v_text[PG_I64_TEXT];
	const char *p[] = {kind, record_id, pg_i64(v_text, version)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT leaf_hash FROM seals WHERE kind = $1 AND record_id = $2 "
			  "AND version = $3", 3, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows))
		copy_hash(&rows, 0, hash);
	else
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no seal of %s %s", kind,
			     record_id);
	pg_rows_clear(&rows);
	return rc;
}

static int pgs_seal_chain_tip(struct store *st, const char *order_id, int64_t *chain_seq,
			      char hash[48], struct err *e)
{
	const char *p[] = {order_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT chain_seq, leaf_hash FROM seals WHERE chain_order = $1 "
			  "ORDER BY chain_seq DESC LIMIT 1", 1, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*chain_seq = pg_col_int64(&rows, 0);
		copy_hash(&rows, 1, hash);
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no chain for order %s", order_id);
	}
	pg_rows_clear(&rows);
	return rc;
}

/* ---- the walk over every record ---- */

/* A merchant body's seal version (store_merchant_seal_version): its "version" above 1, else 0. */
#define SEAL_VERSION                                                                             \
	"CASE WHEN json_typeof(body::json -> 'version') <> 'number' THEN 0 "                     \
	"WHEN (body::json ->> 'version')::numeric > 1 "                                          \
	"THEN trunc((body::json ->> 'version')::numeric)::bigint ELSE 0 END"

/*
 * One query per kind of record, a page at a time: its key ($1 the key
 * the page starts after, $2 the page's size), id, version, body, then the
 * columns that link it, named as they are in the table (each becomes a
 * member of the record's "links" object). Each kind in the order it was
 * stored, as SQLite's walk (blobs by digest, bytewise).
 */
static const struct walk_query {
	const char *kind;
	const char *sql;
	const char *const cols[5];
} queries[] = {
	{"merchant", "SELECT seq, id, " SEAL_VERSION ", body FROM merchants "
		     "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {NULL}},
	{"merchant", "SELECT seq, id, CASE WHEN version > 1 THEN version ELSE 0 END, body "
		     "FROM merchant_versions WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {NULL}},
	{"listing", "SELECT seq, id, version, body, merchant_id FROM listings "
		    "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"merchant_id", NULL}},
	{"order", "SELECT seq, id, 0, body, merchant_id, consumer_id FROM orders "
		  "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"merchant_id", "consumer_id", NULL}},
	{"logistics", "SELECT seq, id, 0, body, order_id FROM logistics_events "
		      "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"order_id", NULL}},
	{"message", "SELECT seq, id, 0, body, order_id FROM messages "
		    "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"order_id", NULL}},
	{"dispute_event", "SELECT seq, id, 0, body, dispute_id FROM dispute_events "
			  "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"dispute_id", NULL}},
	{"disclosure_event", "SELECT seq, id, 0, body, order_id FROM disclosure_events "
			     "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"order_id", NULL}},
	{"dispute", "SELECT seq, id, 0, body, order_id, merchant_id, consumer_id, state "
		    "FROM disputes WHERE seq > $1::bigint ORDER BY seq LIMIT $2",
	 {"order_id", "merchant_id", "consumer_id", "state", NULL}},
	{"consumer_flag_event", "SELECT seq, id, 0, body, consumer_id FROM consumer_flag_events "
				"WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"consumer_id", NULL}},
	{"blob", "SELECT digest, 'sha256:' || digest, 0, json_build_object('id', "
		 "'sha256:' || digest, 'content_type', content_type, 'size', size, "
		 "'created_at', created_at)::text FROM blobs "
		 "WHERE digest COLLATE \"C\" > $1 ORDER BY digest COLLATE \"C\" LIMIT $2", {NULL}},
	{"shredding", "SELECT seq, id, 0, body, order_id FROM shreddings "
		      "WHERE seq > $1::bigint ORDER BY seq LIMIT $2", {"order_id", NULL}},
};

/* An order's item rows: [{"listing_id", "listing_version"}] in index order. */
static int order_items(struct store *st, const char *order_id, json_t **out, struct err *e)
{
	const char *p[] = {order_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT listing_id, listing_version FROM order_items "
			  "WHERE order_id = $1 ORDER BY idx", 1, p, &rows, e);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_array();
	while (*out && pg_step(&rows))
		json_array_append_new(*out, json_pack("{s:s, s:I}", "listing_id",
						      pg_col_text(&rows, 0), "listing_version",
						      (json_int_t)pg_col_int64(&rows, 1)));
	pg_rows_clear(&rows);
	if (!*out)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	return rc;
}

/* The record on the current row of `rows` (q's columns) to `fn`. */
static int walk_row(struct store *st, const struct walk_query *q, const struct pg_rows *rows,
		    int (*fn)(void *ctx, const struct store_record_ref *r), void *ctx,
		    struct err *e)
{
	struct store_record_ref r;
	json_t *items = NULL;
	int rc = RC_OK;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.kind = q->kind;
	r.id = pg_col_text(rows, 1);
	r.version = pg_col_int64(rows, 2);
	r.body = pg_col_json(rows, 3);
	r.links = json_object();
	for (i = 0; q->cols[i] && r.links; i++)
		json_object_set_new(r.links, q->cols[i],
				    pg_col_null(rows, (int)i + 4)
					    ? json_null()
					    : json_string(pg_col_text(rows, (int)i + 4)));
	if (!r.links || !r.id)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	else if (strcmp(q->kind, "order") == 0) {
		rc = order_items(st, r.id, &items, e);
		if (!rc)
			json_object_set_new(r.links, "items", items);
	}
	if (!rc)
		rc = fn(ctx, &r);
	json_decref(r.body);
	json_decref(r.links);
	return rc;
}

static int walk_one(struct store *st, const struct walk_query *q,
		    int (*fn)(void *ctx, const struct store_record_ref *r), void *ctx,
		    struct err *e)
{
	char page[PG_I64_TEXT], *key = strdup(strcmp(q->kind, "blob") == 0 ? "" : "0");
	const char *p[2];
	struct pg_rows rows;
	int got, rc = RC_OK;

	do {
		if (!key)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		p[0] = key;
		p[1] = pg_i64(page, PGS_PAGE);
		rc = pg_query(st->pg, q->sql, 2, p, &rows, e);
		if (rc)
			break;
		got = 0;
		while (!rc && pg_step(&rows)) {
			got++;
			rc = walk_row(st, q, &rows, fn, ctx, e);
		}
		if (!rc && got > 0) {
			free(key);
			rows.row = rows.nrows - 1;
			key = pg_col_dup(&rows, 0);
		}
		pg_rows_clear(&rows);
	} while (!rc && got == PGS_PAGE);
	free(key);
	return rc;
}

static int pgs_record_each(struct store *st, int (*fn)(void *ctx, const struct store_record_ref *r),
			   void *ctx, struct err *e)
{
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]) && !rc; i++)
		rc = walk_one(st, &queries[i], fn, ctx, e);
	return rc;
}

/* ---- checkpoints ---- */

static int pgs_checkpoint_add(struct store *st, int64_t size, const char *root_b64,
			      const char *note, int64_t now, struct err *e)
{
	char s_text[PG_I64_TEXT], n_text[PG_I64_TEXT];
	const char *p[] = {pg_i64(s_text, size), root_b64, note, pg_i64(n_text, now)};

	return pg_query(st->pg, "INSERT INTO checkpoints (size, root, note, created_at) "
			"VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO UPDATE SET note = excluded.note "
			"WHERE excluded.root = checkpoints.root", 4, p, NULL, e);
}

static int pgs_checkpoint_each(struct store *st,
			       int (*fn)(void *ctx, int64_t size, const char *root,
					 const char *note),
			       void *ctx, struct err *e)
{
	char k_text[PG_I64_TEXT], page[PG_I64_TEXT];
	const char *p[] = {"-9223372036854775808", pg_i64(page, PGS_PAGE)};
	struct pg_rows rows;
	int64_t last = 0;
	int got, rc;

	do {
		rc = pg_query(st->pg, "SELECT size, root, note FROM checkpoints WHERE size > $1 "
			      "ORDER BY size LIMIT $2", 2, p, &rows, e);
		if (rc)
			return rc;
		got = 0;
		while (!rc && pg_step(&rows)) {
			got++;
			last = pg_col_int64(&rows, 0);
			rc = fn(ctx, last, pg_col_text(&rows, 1), pg_col_text(&rows, 2));
		}
		pg_rows_clear(&rows);
		p[0] = pg_i64(k_text, last);
	} while (!rc && got == PGS_PAGE);
	return rc;
}

const struct store_seals_ops pg_seals_ops = {
	.seal_add = pgs_seal_add,
	.seal_chain_head = pgs_seal_chain_head,
	.seal_chain_each = pgs_seal_chain_each,
	.seal_by_seq = pgs_seal_by_seq,
	.seal_leaf_hash = pgs_seal_leaf_hash,
	.seal_chain_tip = pgs_seal_chain_tip,
	.seal_get = pgs_seal_get,
	.seal_pending = pgs_seal_pending,
	.seal_pending_before = pgs_seal_pending_before,
	.seal_unrecorded = pgs_seal_unrecorded,
	.seal_pending_by_hash = pgs_seal_pending_by_hash,
	.seal_set_index = pgs_seal_set_index,
	.seals_by_seq = pgs_seals_by_seq,
	.seal_set_indexes = pgs_seal_set_indexes,
	.seal_each = pgs_seal_each,
	.record_each = pgs_record_each,
	.checkpoint_add = pgs_checkpoint_add,
	.checkpoint_each = pgs_checkpoint_each,
};
