/* store_pg_funds.c - the PostgreSQL side of store_funds.h: accounts, append-only entries and legs, holds, receivables, payouts, operation keys. */
#include "store/store_pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Money on PostgreSQL keeps the rules of store_sqlite_funds.c: writers are
 * serial (every write transaction takes PG_WRITE_LOCK first, then runs
 * SERIALIZABLE), so a balance read and the update that follows it cannot
 * interleave with another writer's; the schema's CHECK constraints on
 * balances, holds and receivables stay as the last line, and a statement
 * they refuse fails the whole transaction (RC_CONFLICT), so half an entry
 * or hold never commits.
 */

static void copy_col(char *dst, size_t cap, const struct pg_rows *rows, int col)
{
	const char *t = pg_col_text(rows, col);

	snprintf(dst, cap, "%s", t ? t : "");
}

/* ---- parties ---- */

/* One party id found by `sql` ($1 `ref`) into `id`: *found 1 if found. */
static int party_lookup(struct store *st, const char *sql, const char *ref, char id[ID_MAX],
			int *found, struct err *e)
{
	const char *p[] = {ref};
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, 1, p, &rows, e);

	*found = 0;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		const char *t = pg_col_text(&rows, 0);

		if (!t || (size_t)snprintf(id, ID_MAX, "%s", t) >= ID_MAX)
			rc = err_set(e, RC_INTERNAL, "bad_record", NULL, "party %s has a bad id", ref);
		else
			*found = 1;
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgf_fund_party_id(struct store *st, enum store_kind kind, const char *ref,
			     char id[ID_MAX], struct err *e)
{
	/* by id (its unique index), then by external id (its own) */
	static const char *const by_id[] = {"SELECT id FROM merchants WHERE id = $1",
					    "SELECT id FROM consumers WHERE id = $1"};
	static const char *const by_ext[] = {
		"SELECT id FROM merchants WHERE external_id = $1 ORDER BY seq DESC LIMIT 1",
		"SELECT id FROM consumers WHERE external_id = $1 ORDER BY seq DESC LIMIT 1"};
	int which, found = 0, rc;

	id[0] = '\0';
	if (kind != STORE_MERCHANT && kind != STORE_CONSUMER)
		return err_set(e, RC_INTERNAL, "bad_kind", NULL, "not a party kind");
	which = kind == STORE_CONSUMER;
	rc = party_lookup(st, by_id[which], ref, id, &found, e);
	if (!rc && !found)
		rc = party_lookup(st, by_ext[which], ref, id, &found, e);
	if (!rc && !found)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no party %s", ref);
	return rc;
}

/* ---- accounts ---- */

static int account_read(struct store *st, const char *owner, const char *name,
			struct store_account *out, struct err *e)
{
	const char *p[] = {owner, name};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT seq, owner, name, currency, balance, held "
			  "FROM fund_accounts WHERE owner = $1 AND name = $2", 2, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows)) {
		out->seq = pg_col_int64(&rows, 0);
		copy_col(out->owner, sizeof(out->owner), &rows, 1);
		copy_col(out->name, sizeof(out->name), &rows, 2);
		copy_col(out->currency, sizeof(out->currency), &rows, 3);
		out->balance = pg_col_int64(&rows, 4);
		out->held = pg_col_int64(&rows, 5);
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no %s account of %s", name, owner);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgf_fund_account(struct store *st, const char *owner, const char *name,
			    const char *currency, int create, int64_t now,
			    struct store_account *out, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {owner, name, currency, pg_i64(t, now)};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = account_read(st, owner, name, out, e);
	if (rc != RC_NOTFOUND || !create)
		return rc;
	/* an account made meanwhile is the one read back, as the writer before left it */
	rc = pg_query(st->pg, "INSERT INTO fund_accounts (owner, name, currency, created_at) "
		      "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, p, NULL, e);
	if (rc)
		return rc;
	return account_read(st, owner, name, out, e);
}

/* ---- entries ---- */

/*
 * The part rows of a new entry (its legs) or hold (what it reserves of each
 * account): each ($1 owner_seq, $2 idx, $3 account_seq, $4 amount)
 * inserted with `insert`, and the account's cached column moved by
 * `update` ($1 amount, $2 account_seq) in the same transaction. A failure
 * fails the transaction (PostgreSQL refuses everything after it): half an
 * entry or hold never commits.
 */
static int insert_parts(struct store *st, const char *insert, const char *update,
			int64_t owner_seq, const struct store_leg *parts, size_t n,
			struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT], t4[PG_I64_TEXT];
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < n && !rc; i++) {
		const char *pi[] = {pg_i64(t1, owner_seq), pg_i64(t2, (int64_t)i),
				    pg_i64(t3, parts[i].account_seq), pg_i64(t4, parts[i].amount)};
		const char *pu[] = {t4, t3};

		rc = pg_query(st->pg, insert, 4, pi, NULL, e);
		if (!rc)
			rc = pg_query(st->pg, update, 2, pu, NULL, e);
	}
	if (rc)
		st->pg->failed = 1;
	return rc;
}

/* Run an INSERT … RETURNING seq with `np` parameters into *seq. */
static int insert_seq(struct store *st, const char *sql, int np, const char *const *p,
		      int64_t *seq, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, sql, np, p, &rows, e);

	if (rc)
		return rc;
	if (pg_step(&rows))
		*seq = pg_col_int64(&rows, 0);
	else
		rc = err_set(e, RC_DB, "database_error", NULL, "an insert returned no row");
	pg_rows_clear(&rows);
	return rc;
}

static int pgf_fund_entry_insert(struct store *st, const char *id, const char *kind,
				 const char *dispute_id, int64_t created_at, json_t *body,
				 const struct store_leg *legs, size_t n, struct err *e)
{
	char t[PG_I64_TEXT];
	char *text = pg_dump(body);
	int64_t seq = 0;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {id, kind, dispute_id, pg_i64(t, created_at), text};

		rc = insert_seq(st, "INSERT INTO fund_entries (id, kind, dispute_id, created_at, "
				"body) VALUES ($1, $2, $3, $4, $5) RETURNING seq", 5, p, &seq, e);
	}
	free(text);
	if (rc)
		return rc;
	return insert_parts(st, "INSERT INTO fund_legs (entry_seq, idx, account_seq, amount) "
			    "VALUES ($1, $2, $3, $4)",
			    "UPDATE fund_accounts SET balance = balance + $1 WHERE seq = $2", seq,
			    legs, n, e);
}

static int pgf_fund_entry_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT body FROM fund_entries WHERE id = $1", 1, p, &rows, e);

	*body = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows))
		*body = pg_col_json(&rows, 0);
	pg_rows_clear(&rows);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no ledger entry %s", id);
	return rc;
}

static int pgf_fund_entry_list(struct store *st, const char *owner, const char *account,
			       int64_t after, int limit, json_t **items, int64_t *next,
			       struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {pg_i64(t1, after), owner, account, pg_i64(t2, (int64_t)limit + 1)};
	struct pg_rows rows;
	int rc;

	*items = NULL;
	*next = 0;
	rc = pg_query(st->pg, "SELECT e.seq, e.body FROM fund_entries AS e WHERE e.seq > $1 AND "
		      "EXISTS (SELECT 1 FROM fund_legs AS l JOIN fund_accounts AS a "
		      "ON a.seq = l.account_seq WHERE l.entry_seq = e.seq AND a.owner = $2 "
		      "AND ($3::text IS NULL OR a.name = $3::text)) ORDER BY e.seq LIMIT $4",
		      4, p, &rows, e);
	if (rc)
		return rc;
	return pg_page(&rows, limit, items, next, e);
}

/* ---- holds ---- */

static int pgf_fund_hold_insert(struct store *st, const char *id, const char *merchant_id,
				const char *dispute_id, int64_t requested, int64_t amount,
				int64_t now, json_t *body, const struct store_leg *parts, size_t n,
				struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT];
	char *text = pg_dump(body);
	int64_t seq = 0;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {id, merchant_id, dispute_id, pg_i64(t1, requested),
				   pg_i64(t2, amount), pg_i64(t3, now), text};

		rc = insert_seq(st, "INSERT INTO fund_holds (id, merchant_id, dispute_id, requested, "
				"amount, state, created_at, body) VALUES ($1, $2, $3, $4, $5, "
				"'active', $6, $7) RETURNING seq", 7, p, &seq, e);
	}
	free(text);
	if (rc)
		return rc;
	return insert_parts(st, "INSERT INTO fund_hold_parts (hold_seq, idx, account_seq, amount) "
			    "VALUES ($1, $2, $3, $4)",
			    "UPDATE fund_accounts SET held = held + $1 WHERE seq = $2", seq, parts, n,
			    e);
}

/* The hold's parts, in order, into out->parts (at most two). */
static int hold_parts(struct store *st, struct store_hold *out, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, out->seq)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT account_seq, amount FROM fund_hold_parts "
			  "WHERE hold_seq = $1 ORDER BY idx", 1, p, &rows, e);

	if (rc)
		return rc;
	while (out->nparts < 2 && pg_step(&rows)) {
		out->parts[out->nparts].account_seq = pg_col_int64(&rows, 0);
		out->parts[out->nparts].amount = pg_col_int64(&rows, 1);
		out->nparts++;
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgf_fund_hold_get(struct store *st, const char *id, struct store_hold *out,
			     struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pg_query(st->pg, "SELECT seq, id, merchant_id, dispute_id, requested, amount, state, "
		      "body FROM fund_holds WHERE id = $1", 1, p, &rows, e);
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		out->seq = pg_col_int64(&rows, 0);
		copy_col(out->id, sizeof(out->id), &rows, 1);
		copy_col(out->merchant_id, sizeof(out->merchant_id), &rows, 2);
		copy_col(out->dispute_id, sizeof(out->dispute_id), &rows, 3);
		out->requested = pg_col_int64(&rows, 4);
		out->amount = pg_col_int64(&rows, 5);
		copy_col(out->state, sizeof(out->state), &rows, 6);
		out->body = pg_col_json(&rows, 7);
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no hold %s", id);
	}
	pg_rows_clear(&rows);
	if (!rc)
		rc = hold_parts(st, out, e);
	if (rc)
		store_hold_release(out);
	return rc;
}

static int pgf_fund_hold_active_for(struct store *st, const char *merchant_id,
				    const char *dispute_id, char id[ID_MAX], int *found,
				    struct err *e)
{
	const char *p[] = {merchant_id, dispute_id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT id FROM fund_holds WHERE merchant_id = $1 "
			  "AND dispute_id = $2 AND state = 'active' ORDER BY seq LIMIT 1", 2, p,
			  &rows, e);

	*found = 0;
	id[0] = '\0';
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		copy_col(id, ID_MAX, &rows, 0);
		*found = 1;
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgf_fund_hold_close(struct store *st, const char *id, const char *state, int64_t now,
			       struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT], t3[PG_I64_TEXT];
	const char *p[] = {state, pg_i64(t1, now), id};
	struct store_hold h;
	size_t i;
	int rc;

	rc = pgf_fund_hold_get(st, id, &h, e);
	if (rc)
		return rc;
	store_hold_release(&h);
	if (strcmp(h.state, "active") != 0)
		return err_set(e, RC_CONFLICT, "hold_closed", NULL, "hold %s was already %s", id,
			       h.state);
	rc = pg_query(st->pg, "UPDATE fund_holds SET state = $1, closed_at = $2 "
		      "WHERE id = $3 AND state = 'active'", 3, p, NULL, e);
	for (i = 0; i < h.nparts && !rc; i++) {
		const char *pu[] = {pg_i64(t2, -h.parts[i].amount),
				    pg_i64(t3, h.parts[i].account_seq)};

		rc = pg_query(st->pg, "UPDATE fund_accounts SET held = held + $1 WHERE seq = $2",
			      2, pu, NULL, e);
	}
	if (rc)
		st->pg->failed = 1;
	return rc;
}

/* ---- receivables ---- */

static int pgf_fund_receivable_insert(struct store *st, const char *id, const char *merchant_id,
				      const char *dispute_id, const char *entry_id, int64_t amount,
				      int64_t now, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	const char *p[] = {id, merchant_id, dispute_id, entry_id, pg_i64(t1, amount),
			   pg_i64(t2, now)};

	return pg_query(st->pg, "INSERT INTO fund_receivables (id, merchant_id, dispute_id, "
			"entry_id, amount, created_at) VALUES ($1, $2, $3, $4, $5, $6)", 6, p,
			NULL, e);
}

static int pgf_fund_receivable_open(struct store *st, const char *merchant_id,
				    struct store_receivable *out, int max, int *n, struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {merchant_id, pg_i64(t, max)};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT id, amount, recovered FROM fund_receivables "
			  "WHERE merchant_id = $1 AND recovered < amount ORDER BY seq LIMIT $2", 2,
			  p, &rows, e);

	*n = 0;
	if (rc)
		return rc;
	while (*n < max && pg_step(&rows)) {
		copy_col(out[*n].id, sizeof(out[*n].id), &rows, 0);
		out[*n].amount = pg_col_int64(&rows, 1);
		out[*n].recovered = pg_col_int64(&rows, 2);
		(*n)++;
	}
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgf_fund_receivable_recover(struct store *st, const char *id, int64_t amount,
				       struct err *e)
{
	char t[PG_I64_TEXT];
	const char *p[] = {pg_i64(t, amount), id};

	return pg_query(st->pg, "UPDATE fund_receivables SET recovered = recovered + $1 "
			"WHERE id = $2", 2, p, NULL, e);
}

/* ---- payouts ---- */

static int pgf_fund_payout_insert(struct store *st, const char *id, const char *consumer_id,
				  int64_t amount, const char *currency, const char *entry_id,
				  int64_t now, json_t *body, struct err *e)
{
	char t1[PG_I64_TEXT], t2[PG_I64_TEXT];
	char *text = pg_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {id, consumer_id, pg_i64(t1, amount), currency, entry_id,
				   pg_i64(t2, now), text};

		rc = pg_query(st->pg, "INSERT INTO payouts (id, consumer_id, amount, currency, "
			      "state, entry_id, created_at, updated_at, body) VALUES ($1, $2, $3, "
			      "$4, 'requested', $5, $6, $6, $7)", 7, p, NULL, e);
	}
	free(text);
	return rc;
}

static int pgf_fund_payout_get(struct store *st, const char *id, json_t **body, char state[12],
			       struct err *e)
{
	const char *p[] = {id};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT body, state FROM payouts WHERE id = $1", 1, p, &rows, e);

	*body = NULL;
	state[0] = '\0';
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		*body = pg_col_json(&rows, 0);
		copy_col(state, 12, &rows, 1);
	}
	pg_rows_clear(&rows);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no payout %s", id);
	return rc;
}

static int pgf_fund_payout_close(struct store *st, const char *id, const char *state,
				 const char *closing_entry_id, int64_t now, json_t *body,
				 struct err *e)
{
	char t[PG_I64_TEXT];
	char *text = pg_dump(body);
	struct pg_rows rows;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {state, closing_entry_id, pg_i64(t, now), text, id};

		rc = pg_query(st->pg, "UPDATE payouts SET state = $1, closing_entry_id = $2, "
			      "updated_at = $3, body = $4 WHERE id = $5 AND state = 'requested'",
			      5, p, &rows, e);
	}
	free(text);
	if (rc)
		return rc;
	if (pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_CONFLICT, "payout_closed", NULL,
			     "payout %s is no longer requested", id);
	pg_rows_clear(&rows);
	return rc;
}

/* ---- operation keys ---- */

static int pgf_fund_op_get(struct store *st, const char *key, char hash[65], json_t **result,
			   struct err *e)
{
	const char *p[] = {key};
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT request_hash, result FROM fund_ops WHERE key = $1", 1, p,
			  &rows, e);

	*result = NULL;
	if (rc)
		return rc;
	if (pg_step(&rows)) {
		copy_col(hash, 65, &rows, 0);
		*result = pg_col_json(&rows, 1);
		if (!*result)
			rc = err_set(e, RC_INTERNAL, "bad_record", NULL, "stored result is not JSON");
	} else {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no operation %s", key);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgf_fund_op_put(struct store *st, const char *key, const char *hash, json_t *result,
			   int64_t now, struct err *e)
{
	char t[PG_I64_TEXT];
	char *text = pg_dump(result);
	struct pg_rows rows;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	{
		const char *p[] = {key, hash, text, pg_i64(t, now)};

		/* a key stored already is a conflict that leaves the transaction usable, as on SQLite */
		rc = pg_query(st->pg, "INSERT INTO fund_ops (key, request_hash, result, created_at) "
			      "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, p, &rows, e);
	}
	free(text);
	if (rc)
		return rc;
	if (pg_rows_changed(&rows) == 0)
		rc = err_set(e, RC_CONFLICT, "conflict", NULL,
			     "insert operation: the result of %s is stored already", key);
	pg_rows_clear(&rows);
	return rc;
}

/* ---- the audit's walk ---- */

static int walk_entries(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT e.id, count(l.idx), coalesce(sum(l.amount), 0), "
			  "count(DISTINCT a.currency) FROM fund_entries AS e "
			  "LEFT JOIN fund_legs AS l ON l.entry_seq = e.seq "
			  "LEFT JOIN fund_accounts AS a ON a.seq = l.account_seq "
			  "GROUP BY e.seq ORDER BY e.seq", 0, NULL, &rows, e);

	while (!rc && pg_step(&rows)) {
		struct store_entry_check c = {pg_col_text(&rows, 0), pg_col_int64(&rows, 1),
					      pg_col_int64(&rows, 2), pg_col_int64(&rows, 3)};

		rc = w->entry(w->ctx, &c);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int walk_accounts(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT a.seq, a.owner, a.name, a.currency, a.balance, a.held, "
			  "(SELECT coalesce(sum(l.amount), 0) FROM fund_legs AS l "
			  " WHERE l.account_seq = a.seq), "
			  "(SELECT coalesce(sum(p.amount), 0) FROM fund_hold_parts AS p "
			  " JOIN fund_holds AS h ON h.seq = p.hold_seq "
			  " WHERE p.account_seq = a.seq AND h.state = 'active'), "
			  "(SELECT coalesce(sum(r.amount - r.recovered), 0) FROM fund_receivables AS r "
			  " WHERE r.merchant_id = a.owner) "
			  "FROM fund_accounts AS a ORDER BY a.seq", 0, NULL, &rows, e);

	while (!rc && pg_step(&rows)) {
		struct store_account a;
		struct store_account_check c;

		memset(&a, 0, sizeof(a));
		a.seq = pg_col_int64(&rows, 0);
		copy_col(a.owner, sizeof(a.owner), &rows, 1);
		copy_col(a.name, sizeof(a.name), &rows, 2);
		copy_col(a.currency, sizeof(a.currency), &rows, 3);
		a.balance = pg_col_int64(&rows, 4);
		a.held = pg_col_int64(&rows, 5);
		c.a = &a;
		c.legs_sum = pg_col_int64(&rows, 6);
		c.parts_sum = pg_col_int64(&rows, 7);
		c.outstanding = pg_col_int64(&rows, 8);
		rc = w->account(w->ctx, &c);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int walk_holds(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT h.id, h.state, h.requested, h.amount, "
			  "(SELECT coalesce(sum(p.amount), 0) FROM fund_hold_parts AS p "
			  " WHERE p.hold_seq = h.seq), "
			  "(SELECT count(*) FROM fund_hold_parts AS p WHERE p.hold_seq = h.seq) "
			  "FROM fund_holds AS h ORDER BY h.seq", 0, NULL, &rows, e);

	while (!rc && pg_step(&rows)) {
		struct store_hold_check c = {pg_col_text(&rows, 0), pg_col_text(&rows, 1),
					     pg_col_int64(&rows, 2), pg_col_int64(&rows, 3),
					     pg_col_int64(&rows, 4), pg_col_int64(&rows, 5)};

		rc = w->hold(w->ctx, &c);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int walk_payouts(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT id, state, entry_id, closing_entry_id FROM payouts "
			  "ORDER BY seq", 0, NULL, &rows, e);

	while (!rc && pg_step(&rows)) {
		struct store_payout_check c = {pg_col_text(&rows, 0), pg_col_text(&rows, 1),
					       pg_col_text(&rows, 2), pg_col_text(&rows, 3)};

		rc = w->payout(w->ctx, &c);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int walk_receivables(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT id, merchant_id, amount, recovered FROM fund_receivables "
			  "ORDER BY seq", 0, NULL, &rows, e);

	while (!rc && pg_step(&rows)) {
		struct store_receivable_check c = {pg_col_text(&rows, 0), pg_col_text(&rows, 1),
						   pg_col_int64(&rows, 2), pg_col_int64(&rows, 3)};

		rc = w->receivable(w->ctx, &c);
	}
	pg_rows_clear(&rows);
	return rc;
}

static int pgf_fund_walk(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	int rc = RC_OK;

	if (w->entry)
		rc = walk_entries(st, w, e);
	if (!rc && w->account)
		rc = walk_accounts(st, w, e);
	if (!rc && w->hold)
		rc = walk_holds(st, w, e);
	if (!rc && w->payout)
		rc = walk_payouts(st, w, e);
	if (!rc && w->receivable)
		rc = walk_receivables(st, w, e);
	return rc;
}

const struct store_funds_ops pg_funds_ops = {
	.fund_party_id = pgf_fund_party_id,
	.fund_account = pgf_fund_account,
	.fund_entry_insert = pgf_fund_entry_insert,
	.fund_entry_get = pgf_fund_entry_get,
	.fund_entry_list = pgf_fund_entry_list,
	.fund_hold_insert = pgf_fund_hold_insert,
	.fund_hold_get = pgf_fund_hold_get,
	.fund_hold_active_for = pgf_fund_hold_active_for,
	.fund_hold_close = pgf_fund_hold_close,
	.fund_receivable_insert = pgf_fund_receivable_insert,
	.fund_receivable_open = pgf_fund_receivable_open,
	.fund_receivable_recover = pgf_fund_receivable_recover,
	.fund_payout_insert = pgf_fund_payout_insert,
	.fund_payout_get = pgf_fund_payout_get,
	.fund_payout_close = pgf_fund_payout_close,
	.fund_op_get = pgf_fund_op_get,
	.fund_op_put = pgf_fund_op_put,
	.fund_walk = pgf_fund_walk,
};
