/* store_sqlite_funds.c - the SQLite side of the ledger: accounts, append-only entries and legs, holds, receivables, payouts, operation keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

static void copy_text(char *dst, size_t cap, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* ---- parties ---- */

/* One party id found by `sql` (a kept statement, `ref` its one parameter) into `id`: 1 if found. */
static int party_lookup(struct store *st, const char *sql, const char *ref, char id[ID_MAX],
			int *found, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, sql, &s, e);
	int r;

	*found = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, ref);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		if (!t || (size_t)snprintf(id, ID_MAX, "%s", (const char *)t) >= ID_MAX)
			rc = err_set(e, RC_INTERNAL, "bad_record", NULL, "party %s has a bad id", ref);
		else
			*found = 1;
	} else if (r != SQLITE_DONE) {
		rc = sq_fail(st, e, "find party");
	}
	sq_finish(st, s);
	return rc;
}

static int sq_fund_party_id(struct store *st, enum store_kind kind, const char *ref,
			    char id[ID_MAX], struct err *e)
{
	/* by id (its unique index), then by external id (its own): two index probes, no sort */
	static const char *const by_id[] = {"SELECT id FROM merchants WHERE id = ?",
					    "SELECT id FROM consumers WHERE id = ?"};
	static const char *const by_ext[] = {
		"SELECT id FROM merchants WHERE external_id = ? ORDER BY seq DESC LIMIT 1",
		"SELECT id FROM consumers WHERE external_id = ? ORDER BY seq DESC LIMIT 1"};
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
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT seq, owner, name, currency, balance, held "
				  "FROM fund_accounts WHERE owner = ? AND name = ?", &s, e);
	int r;

	if (rc)
		return rc;
	sq_bind_text(s, 1, owner);
	sq_bind_text(s, 2, name);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(s, 0);
		copy_text(out->owner, sizeof(out->owner), s, 1);
		copy_text(out->name, sizeof(out->name), s, 2);
		copy_text(out->currency, sizeof(out->currency), s, 3);
		out->balance = sqlite3_column_int64(s, 4);
		out->held = sqlite3_column_int64(s, 5);
	} else if (r == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no %s account of %s", name, owner);
	} else {
		rc = sq_fail(st, e, "get account");
	}
	sq_finish(st, s);
	return rc;
}

static int sq_fund_account(struct store *st, const char *owner, const char *name,
			   const char *currency, int create, int64_t now, struct store_account *out,
			   struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = account_read(st, owner, name, out, e);
	if (rc != RC_NOTFOUND || !create)
		return rc;
	rc = sq_prep(st, "INSERT INTO fund_accounts (owner, name, currency, created_at) "
			 "VALUES (?, ?, ?, ?)", &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, owner);
	sq_bind_text(s, 2, name);
	sq_bind_text(s, 3, currency);
	sqlite3_bind_int64(s, 4, now);
	rc = sq_step_done(st, s, "insert account", e);
	if (rc)
		return rc;
	return account_read(st, owner, name, out, e);
}

/* ---- entries ---- */

/*
 * The part rows of a new entry (its legs) or hold (what it reserves of each
 * account): each (owner_seq, idx, account_seq, amount) inserted with
 * `insert`, and the account's cached column moved by `update` (amount,
 * account_seq) in the same transaction. A failure marks the transaction
 * failed: half an entry or hold must never commit.
 */
static int insert_parts(struct store *st, const char *insert, const char *update,
			int64_t owner_seq, const struct store_leg *parts, size_t n,
			const char *what, struct err *e)
{
	sqlite3_stmt *s;
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < n && !rc; i++) {
		rc = sq_prep_kept(st, insert, &s, e);
		if (rc)
			break;
		sqlite3_bind_int64(s, 1, owner_seq);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_int64(s, 3, parts[i].account_seq);
		sqlite3_bind_int64(s, 4, parts[i].amount);
		rc = sq_step_done(st, s, what, e);
		if (rc)
			break;
		rc = sq_prep_kept(st, update, &s, e);
		if (rc)
			break;
		sqlite3_bind_int64(s, 1, parts[i].amount);
		sqlite3_bind_int64(s, 2, parts[i].account_seq);
		rc = sq_step_done(st, s, what, e);
	}
	if (rc)
		st->failed = 1;
	return rc;
}

static int sq_fund_entry_insert(struct store *st, const char *id, const char *kind,
				const char *dispute_id, int64_t created_at, json_t *body,
				const struct store_leg *legs, size_t n, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int64_t seq;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep_kept(st, "INSERT INTO fund_entries (id, kind, dispute_id, created_at, body) "
			      "VALUES (?, ?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, kind);
		sq_bind_text(s, 3, dispute_id);
		sqlite3_bind_int64(s, 4, created_at);
		sq_bind_text(s, 5, text);
		rc = sq_step_done(st, s, "insert entry", e);
	}
	free(text);
	if (rc)
		return rc;
	seq = sqlite3_last_insert_rowid(st->db);
	return insert_parts(st, "INSERT INTO fund_legs (entry_seq, idx, account_seq, amount) "
				"VALUES (?, ?, ?, ?)",
			    "UPDATE fund_accounts SET balance = balance + ? WHERE seq = ?", seq, legs,
			    n, "insert leg", e);
}

static int sq_fund_entry_get(struct store *st, const char *id, json_t **body, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body FROM fund_entries WHERE id = ?", &s, e);

	*body = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*body = sq_col_json(s, 0);
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no ledger entry %s", id);
	sqlite3_finalize(s);
	return rc;
}

static int sq_fund_entry_list(struct store *st, const char *owner, const char *account,
			      int64_t after, int limit, json_t **items, int64_t *next,
			      struct err *e)
{
	sqlite3_stmt *s;
	int64_t last = 0;
	int rc, n = 0, r;

	*items = NULL;
	*next = 0;
	rc = sq_prep(st, "SELECT e.seq, e.body FROM fund_entries AS e WHERE e.seq > ?1 AND "
			 "EXISTS (SELECT 1 FROM fund_legs AS l JOIN fund_accounts AS a "
			 "ON a.seq = l.account_seq WHERE l.entry_seq = e.seq AND a.owner = ?2 "
			 "AND (?3 IS NULL OR a.name = ?3)) ORDER BY e.seq LIMIT ?4", &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sq_bind_text(s, 2, owner);
	sq_bind_text(s, 3, account);
	sqlite3_bind_int(s, 4, limit + 1);
	*items = json_array();
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *b;

		if (n == limit) {
			*next = last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		b = sq_col_json(s, 1);
		if (!b || json_array_append_new(*items, b)) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		n++;
	}
	if (!rc && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = sq_fail(st, e, "list entries");
	sqlite3_finalize(s);
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}

/* ---- holds ---- */

static int add_held(struct store *st, int64_t account_seq, int64_t amount, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE fund_accounts SET held = held + ? WHERE seq = ?", &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, amount);
	sqlite3_bind_int64(s, 2, account_seq);
	return sq_step_done(st, s, "update held", e);
}

static int sq_fund_hold_insert(struct store *st, const char *id, const char *merchant_id,
			       const char *dispute_id, int64_t requested, int64_t amount,
			       int64_t now, json_t *body, const struct store_leg *parts, size_t n,
			       struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int64_t seq;
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO fund_holds (id, merchant_id, dispute_id, requested, amount, "
			 "state, created_at, body) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, merchant_id);
		sq_bind_text(s, 3, dispute_id);
		sqlite3_bind_int64(s, 4, requested);
		sqlite3_bind_int64(s, 5, amount);
		sqlite3_bind_int64(s, 6, now);
		sq_bind_text(s, 7, text);
		rc = sq_step_done(st, s, "insert hold", e);
	}
	free(text);
	if (rc)
		return rc;
	seq = sqlite3_last_insert_rowid(st->db);
	return insert_parts(st, "INSERT INTO fund_hold_parts (hold_seq, idx, account_seq, amount) "
				"VALUES (?, ?, ?, ?)",
			    "UPDATE fund_accounts SET held = held + ? WHERE seq = ?", seq, parts, n,
			    "insert hold part", e);
}

static int sq_fund_hold_get(struct store *st, const char *id, struct store_hold *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc, r;

	memset(out, 0, sizeof(*out));
	rc = sq_prep(st, "SELECT seq, id, merchant_id, dispute_id, requested, amount, state, body "
			 "FROM fund_holds WHERE id = ?", &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(s, 0);
		copy_text(out->id, sizeof(out->id), s, 1);
		copy_text(out->merchant_id, sizeof(out->merchant_id), s, 2);
		copy_text(out->dispute_id, sizeof(out->dispute_id), s, 3);
		out->requested = sqlite3_column_int64(s, 4);
		out->amount = sqlite3_column_int64(s, 5);
		copy_text(out->state, sizeof(out->state), s, 6);
		out->body = sq_col_json(s, 7);
	} else if (r == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no hold %s", id);
	} else {
		rc = sq_fail(st, e, "get hold");
	}
	sqlite3_finalize(s);
	if (rc)
		return rc;
	rc = sq_prep(st, "SELECT account_seq, amount FROM fund_hold_parts WHERE hold_seq = ? "
			 "ORDER BY idx", &s, e);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, out->seq);
	while ((r = sqlite3_step(s)) == SQLITE_ROW && out->nparts < 2) {
		out->parts[out->nparts].account_seq = sqlite3_column_int64(s, 0);
		out->parts[out->nparts].amount = sqlite3_column_int64(s, 1);
		out->nparts++;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = sq_fail(st, e, "get hold parts");
	sqlite3_finalize(s);
out:
	if (rc)
		store_hold_release(out);
	return rc;
}

static int sq_fund_hold_active_for(struct store *st, const char *merchant_id,
				   const char *dispute_id, char id[ID_MAX], int *found,
				   struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT id FROM fund_holds WHERE merchant_id = ? "
				  "AND dispute_id = ? AND state = 'active' ORDER BY seq LIMIT 1",
			      &s, e);
	int r;

	*found = 0;
	id[0] = '\0';
	if (rc)
		return rc;
	sq_bind_text(s, 1, merchant_id);
	sq_bind_text(s, 2, dispute_id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		copy_text(id, ID_MAX, s, 0);
		*found = 1;
	} else if (r != SQLITE_DONE) {
		rc = sq_fail(st, e, "find hold");
	}
	sq_finish(st, s);
	return rc;
}

static int sq_fund_hold_close(struct store *st, const char *id, const char *state, int64_t now,
			      struct err *e)
{
	struct store_hold h;
	sqlite3_stmt *s;
	size_t i;
	int rc;

	rc = sq_fund_hold_get(st, id, &h, e);
	if (rc)
		return rc;
	store_hold_release(&h);
	if (strcmp(h.state, "active") != 0)
		return err_set(e, RC_CONFLICT, "hold_closed", NULL, "hold %s was already %s", id,
			       h.state);
	rc = sq_prep(st, "UPDATE fund_holds SET state = ?, closed_at = ? "
			 "WHERE id = ? AND state = 'active'", &s, e);
	if (rc)
		return rc;
	sq_bind_text(s, 1, state);
	sqlite3_bind_int64(s, 2, now);
	sq_bind_text(s, 3, id);
	rc = sq_step_done(st, s, "close hold", e);
	for (i = 0; i < h.nparts && !rc; i++)
		rc = add_held(st, h.parts[i].account_seq, -h.parts[i].amount, e);
	if (rc)
		st->failed = 1;
	return rc;
}

/* ---- receivables ---- */

static int sq_fund_receivable_insert(struct store *st, const char *id, const char *merchant_id,
				     const char *dispute_id, const char *entry_id, int64_t amount,
				     int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "INSERT INTO fund_receivables (id, merchant_id, dispute_id, entry_id, "
			     "amount, created_at) VALUES (?, ?, ?, ?, ?, ?)", &s, e);

	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sq_bind_text(s, 2, merchant_id);
	sq_bind_text(s, 3, dispute_id);
	sq_bind_text(s, 4, entry_id);
	sqlite3_bind_int64(s, 5, amount);
	sqlite3_bind_int64(s, 6, now);
	return sq_step_done(st, s, "insert receivable", e);
}

static int sq_fund_receivable_open(struct store *st, const char *merchant_id,
				   struct store_receivable *out, int max, int *n, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT id, amount, recovered FROM fund_receivables "
				  "WHERE merchant_id = ? AND recovered < amount "
				  "ORDER BY seq LIMIT ?", &s, e);
	int r;

	*n = 0;
	if (rc)
		return rc;
	sq_bind_text(s, 1, merchant_id);
	sqlite3_bind_int(s, 2, max);
	while ((r = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		copy_text(out[*n].id, sizeof(out[*n].id), s, 0);
		out[*n].amount = sqlite3_column_int64(s, 1);
		out[*n].recovered = sqlite3_column_int64(s, 2);
		(*n)++;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = sq_fail(st, e, "list receivables");
	sq_finish(st, s);
	return rc;
}

static int sq_fund_receivable_recover(struct store *st, const char *id, int64_t amount,
				      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "UPDATE fund_receivables SET recovered = recovered + ? WHERE id = ?",
			 &s, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, amount);
	sq_bind_text(s, 2, id);
	return sq_step_done(st, s, "recover receivable", e);
}

/* ---- payouts ---- */

static int sq_fund_payout_insert(struct store *st, const char *id, const char *consumer_id,
				 int64_t amount, const char *currency, const char *entry_id,
				 int64_t now, json_t *body, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "INSERT INTO payouts (id, consumer_id, amount, currency, state, entry_id, "
			 "created_at, updated_at, body) VALUES (?, ?, ?, ?, 'requested', ?, ?, ?, ?)",
		     &s, e);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sq_bind_text(s, 2, consumer_id);
		sqlite3_bind_int64(s, 3, amount);
		sq_bind_text(s, 4, currency);
		sq_bind_text(s, 5, entry_id);
		sqlite3_bind_int64(s, 6, now);
		sqlite3_bind_int64(s, 7, now);
		sq_bind_text(s, 8, text);
		rc = sq_step_done(st, s, "insert payout", e);
	}
	free(text);
	return rc;
}

static int sq_fund_payout_get(struct store *st, const char *id, json_t **body, char state[12],
			      struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT body, state FROM payouts WHERE id = ?", &s, e);

	*body = NULL;
	state[0] = '\0';
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*body = sq_col_json(s, 0);
		copy_text(state, 12, s, 1);
	}
	if (!*body)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no payout %s", id);
	sqlite3_finalize(s);
	return rc;
}

static int sq_fund_payout_close(struct store *st, const char *id, const char *state,
				const char *closing_entry_id, int64_t now, json_t *body,
				struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(body);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep(st, "UPDATE payouts SET state = ?, closing_entry_id = ?, updated_at = ?, "
			 "body = ? WHERE id = ? AND state = 'requested'", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, state);
		sq_bind_text(s, 2, closing_entry_id);
		sqlite3_bind_int64(s, 3, now);
		sq_bind_text(s, 4, text);
		sq_bind_text(s, 5, id);
		rc = sq_step_done(st, s, "close payout", e);
	}
	free(text);
	if (!rc && sqlite3_changes(st->db) == 0)
		rc = err_set(e, RC_CONFLICT, "payout_closed", NULL, "payout %s is no longer requested",
			     id);
	return rc;
}

/* ---- operation keys ---- */

static int sq_fund_op_get(struct store *st, const char *key, char hash[65], json_t **result,
			  struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep_kept(st, "SELECT request_hash, result FROM fund_ops WHERE key = ?", &s, e);
	int r;

	*result = NULL;
	if (rc)
		return rc;
	sq_bind_text(s, 1, key);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		copy_text(hash, 65, s, 0);
		*result = sq_col_json(s, 1);
		if (!*result)
			rc = err_set(e, RC_INTERNAL, "bad_record", NULL, "stored result is not JSON");
	} else if (r == SQLITE_DONE) {
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "no operation %s", key);
	} else {
		rc = sq_fail(st, e, "get operation");
	}
	sq_finish(st, s);
	return rc;
}

static int sq_fund_op_put(struct store *st, const char *key, const char *hash, json_t *result,
			  int64_t now, struct err *e)
{
	sqlite3_stmt *s;
	char *text = sq_dump(result);
	int rc;

	if (!text)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = sq_prep_kept(st, "INSERT INTO fund_ops (key, request_hash, result, created_at) "
			      "VALUES (?, ?, ?, ?)", &s, e);
	if (!rc) {
		sq_bind_text(s, 1, key);
		sq_bind_text(s, 2, hash);
		sq_bind_text(s, 3, text);
		sqlite3_bind_int64(s, 4, now);
		rc = sq_step_done(st, s, "insert operation", e);
	}
	free(text);
	return rc;
}

/* ---- the audit's walk ---- */

static int walk_entries(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT e.id, count(l.idx), coalesce(sum(l.amount), 0), "
			     "count(DISTINCT a.currency) FROM fund_entries AS e "
			     "LEFT JOIN fund_legs AS l ON l.entry_seq = e.seq "
			     "LEFT JOIN fund_accounts AS a ON a.seq = l.account_seq "
			     "GROUP BY e.seq ORDER BY e.seq", &s, e);
	int r;

	if (rc)
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_entry_check c = {
			(const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1),
			sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)};

		rc = w->entry(w->ctx, &c);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = sq_fail(st, e, "walk entries");
	sqlite3_finalize(s);
	return rc;
}

static int walk_accounts(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT a.seq, a.owner, a.name, a.currency, a.balance, a.held, "
			     "(SELECT coalesce(sum(l.amount), 0) FROM fund_legs AS l "
			     " WHERE l.account_seq = a.seq), "
			     "(SELECT coalesce(sum(p.amount), 0) FROM fund_hold_parts AS p "
			     " JOIN fund_holds AS h ON h.seq = p.hold_seq "
			     " WHERE p.account_seq = a.seq AND h.state = 'active'), "
			     "(SELECT coalesce(sum(r.amount - r.recovered), 0) FROM fund_receivables AS r "
			     " WHERE r.merchant_id = a.owner) "
			     "FROM fund_accounts AS a ORDER BY a.seq", &s, e);
	int r;

	if (rc)
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_account a;
		struct store_account_check c;

		memset(&a, 0, sizeof(a));
		a.seq = sqlite3_column_int64(s, 0);
		copy_text(a.owner, sizeof(a.owner), s, 1);
		copy_text(a.name, sizeof(a.name), s, 2);
		copy_text(a.currency, sizeof(a.currency), s, 3);
		a.balance = sqlite3_column_int64(s, 4);
		a.held = sqlite3_column_int64(s, 5);
		c.a = &a;
		c.legs_sum = sqlite3_column_int64(s, 6);
		c.parts_sum = sqlite3_column_int64(s, 7);
		c.outstanding = sqlite3_column_int64(s, 8);
		rc = w->account(w->ctx, &c);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = sq_fail(st, e, "walk accounts");
	sqlite3_finalize(s);
	return rc;
}

static int walk_holds(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT h.id, h.state, h.requested, h.amount, "
			     "(SELECT coalesce(sum(p.amount), 0) FROM fund_hold_parts AS p "
			     " WHERE p.hold_seq = h.seq), "
			     "(SELECT count(*) FROM fund_hold_parts AS p WHERE p.hold_seq = h.seq) "
			     "FROM fund_holds AS h ORDER BY h.seq", &s, e);
	int r;

	if (rc)
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_hold_check c = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
			sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5)};

		rc = w->hold(w->ctx, &c);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = sq_fail(st, e, "walk holds");
	sqlite3_finalize(s);
	return rc;
}

static int walk_payouts(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT id, state, entry_id, closing_entry_id FROM payouts "
			     "ORDER BY seq", &s, e);
	int r;

	if (rc)
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_payout_check c = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3)};

		rc = w->payout(w->ctx, &c);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = sq_fail(st, e, "walk payouts");
	sqlite3_finalize(s);
	return rc;
}

static int walk_receivables(struct store *st, const struct store_fund_walk *w, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, "SELECT id, merchant_id, amount, recovered FROM fund_receivables "
			     "ORDER BY seq", &s, e);
	int r;

	if (rc)
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_receivable_check c = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)};

		rc = w->receivable(w->ctx, &c);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = sq_fail(st, e, "walk receivables");
	sqlite3_finalize(s);
	return rc;
}

static int sq_fund_walk(struct store *st, const struct store_fund_walk *w, struct err *e)
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

const struct store_funds_ops sq_funds_ops = {
	.fund_party_id = sq_fund_party_id,
	.fund_account = sq_fund_account,
	.fund_entry_insert = sq_fund_entry_insert,
	.fund_entry_get = sq_fund_entry_get,
	.fund_entry_list = sq_fund_entry_list,
	.fund_hold_insert = sq_fund_hold_insert,
	.fund_hold_get = sq_fund_hold_get,
	.fund_hold_active_for = sq_fund_hold_active_for,
	.fund_hold_close = sq_fund_hold_close,
	.fund_receivable_insert = sq_fund_receivable_insert,
	.fund_receivable_open = sq_fund_receivable_open,
	.fund_receivable_recover = sq_fund_receivable_recover,
	.fund_payout_insert = sq_fund_payout_insert,
	.fund_payout_get = sq_fund_payout_get,
	.fund_payout_close = sq_fund_payout_close,
	.fund_op_get = sq_fund_op_get,
	.fund_op_put = sq_fund_op_put,
	.fund_walk = sq_fund_walk,
};
