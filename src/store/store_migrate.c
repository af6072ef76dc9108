/* store_migrate.c - moving a deployment's tables from its SQLite database to PostgreSQL, byte for byte, each checked by row count and digest: the SQL of `disputed migrate`. */
#include "store/store_migrate.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/sha256.h"
#include "store/store_pg_int.h"

/* Longest SQL text this file builds (a table's columns, quoted, twice). */
#define MIG_SQL_MAX 8192
/* Rows read back from PostgreSQL per FETCH. */
#define MIG_FETCH_ROWS "1000"
/* Most bytes of one row sent to COPY (a body, a leaf, ...). */
#define MIG_ROW_MAX (256u << 20)

/* The two databases of one migration. */
struct mig {
	sqlite3 *sq;               /* the source, read only */
	struct store_pg *pg;       /* the target, migrated */
	struct migrate_result *out;
};

/* ---- names and SQL ---- */

static int mig_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= MIGRATE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static struct migrate_table *mig_find(struct migrate_result *r, const char *name)
{
	for (int i = 0; i < r->ntables; i++)
		if (strcmp(r->tables[i].name, name) == 0)
			return &r->tables[i];
	return NULL;
}

/* "SELECT c1, c2 ... FROM t" with, when `order`, every column in one order both databases agree on. */
static int mig_select_sql(const struct migrate_table *t, int pg, int order, char *sql, size_t len)
{
	struct buf b;
	int rc = RC_OK;

	buf_init(&b, len - 1);
	rc = buf_appends(&b, "SELECT ");
	for (int i = 0; !rc && i < t->ncols; i++)
		rc = buf_printf(&b, "%s\"%s\"", i ? ", " : "", t->cols[i]);
	if (!rc)
		rc = buf_printf(&b, " FROM \"%s\"", t->name);
	for (int i = 0; !rc && order && i < t->ncols; i++) {
		/* bytes in both: SQLite's BINARY and PostgreSQL's "C" are memcmp; NULLs first in both */
		const char *coll = t->types[i] != MIGRATE_TEXT ? "" : pg ? " COLLATE \"C\"" : " COLLATE BINARY";

		rc = buf_printf(&b, "%s\"%s\"%s%s", i ? ", " : " ORDER BY ", t->cols[i], coll,
				pg ? " NULLS FIRST" : "");
	}
	if (!rc)
		snprintf(sql, len, "%s", b.data);
	buf_release(&b);
	return rc;
}

/* ---- PostgreSQL: statements that are not prepared (catalog, COPY, cursors) ---- */

/* Run `sql` unprepared (its text is built here, or it cannot be prepared); rows into `rows` if wanted. */
static int mig_pg(struct store_pg *pg, const char *sql, struct pg_rows *rows, struct err *e)
{
	PGresult *res = PQexec(pg->conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc;

	if (rows)
		memset(rows, 0, sizeof(*rows));
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = pg_fail(pg, res, "migrate", e);
		PQclear(res);
		return rc;
	}
	if (!rows) {
		PQclear(res);
		return RC_OK;
	}
	rows->res = res;
	rows->nrows = PQntuples(res);
	rows->row = -1;
	return RC_OK;
}

static int mig_pg_type(const char *data_type, char *type)
{
	if (strcmp(data_type, "bigint") == 0)
		*type = MIGRATE_BIGINT;
	else if (strcmp(data_type, "text") == 0)
		*type = MIGRATE_TEXT;
	else if (strcmp(data_type, "bytea") == 0)
		*type = MIGRATE_BYTES;
	else
		return 0;
	return 1;
}

/* The target's tables (all but schema_migrations) and their columns, from its catalog. */
static int mig_pg_tables(struct mig *m, struct err *e)
{
	struct migrate_result *r = m->out;
	struct pg_rows rows;
	int rc;

	rc = mig_pg(m->pg, "SELECT c.table_name, c.column_name, c.data_type, c.is_identity "
			   "FROM information_schema.columns c JOIN information_schema.tables t "
			   "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
			   "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
			   "AND c.table_name <> 'schema_migrations' "
			   "ORDER BY c.table_name, c.ordinal_position", &rows, e);
	if (rc)
		return rc;
	while (!rc && pg_step(&rows)) {
		const char *tn = pg_col_text(&rows, 0), *cn = pg_col_text(&rows, 1);
		struct migrate_table *t = mig_find(r, tn);

		if (!mig_name_ok(tn) || !mig_name_ok(cn)) {
			rc = err_set(e, RC_INVAL, "schema_mismatch", "to",
				     "the target has a table or column named unlike disputed's: %s.%s",
				     tn, cn);
			break;
		}
		if (!t) {
			if (r->ntables >= MIGRATE_TABLES_MAX) {
				rc = err_set(e, RC_TOOBIG, NULL, "to", "more than %d tables",
					     MIGRATE_TABLES_MAX);
				break;
			}
			t = &r->tables[r->ntables++];
			snprintf(t->name, sizeof(t->name), "%s", tn);
		}
		if (t->ncols >= MIGRATE_COLS_MAX) {
			rc = err_set(e, RC_TOOBIG, NULL, "to", "table %s has more than %d columns",
				     tn, MIGRATE_COLS_MAX);
			break;
		}
		if (!mig_pg_type(pg_col_text(&rows, 2), &t->types[t->ncols])) {
			rc = err_set(e, RC_INVAL, "schema_mismatch", "to",
				     "column %s.%s is %s: disputed's schema has only bigint, text "
				     "and bytea", tn, cn, pg_col_text(&rows, 2));
			break;
		}
		if (strcmp(pg_col_text(&rows, 3), "YES") == 0)
			snprintf(t->identity, sizeof(t->identity), "%s", cn);
		snprintf(t->cols[t->ncols++], MIGRATE_NAME_MAX, "%s", cn);
	}
	pg_rows_clear(&rows);
	return rc;
}

/* A foreign key of the target's: table `from` references table `to` (indexes in the result). */
struct mig_edge {
	int from, to;
};

/* Order the tables so that every table comes after those its foreign keys name. */
static int mig_pg_order(struct mig *m, struct err *e)
{
	struct mig_edge edges[MIGRATE_TABLES_MAX * 8];
	struct migrate_result *r = m->out;
	struct migrate_table *sorted;
	int placed[MIGRATE_TABLES_MAX] = {0}, nedges = 0, n = 0, progress = 1;
	struct pg_rows rows;
	int rc;

	rc = mig_pg(m->pg, "SELECT DISTINCT conrelid::regclass::text, confrelid::regclass::text "
			   "FROM pg_constraint WHERE contype = 'f' "
			   "AND connamespace = current_schema()::regnamespace", &rows, e);
	if (rc)
		return rc;
	while (pg_step(&rows) && nedges < (int)(sizeof(edges) / sizeof(edges[0]))) {
		struct migrate_table *a = mig_find(r, pg_col_text(&rows, 0));
		struct migrate_table *b = mig_find(r, pg_col_text(&rows, 1));

		if (a && b && a != b)
			edges[nedges++] = (struct mig_edge){(int)(a - r->tables), (int)(b - r->tables)};
	}
	pg_rows_clear(&rows);
	sorted = calloc(MIGRATE_TABLES_MAX, sizeof(*sorted));
	if (!sorted)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	while (n < r->ntables && progress) {
		progress = 0;
		for (int i = 0; i < r->ntables; i++) {
			int ready = !placed[i];

			for (int k = 0; ready && k < nedges; k++)
				if (edges[k].from == i && !placed[edges[k].to])
					ready = 0;
			if (ready) {
				sorted[n++] = r->tables[i];
				placed[i] = 1;
				progress = 1;
			}
		}
	}
	if (n < r->ntables)
		rc = err_set(e, RC_INVAL, "schema_mismatch", "to",
			     "the target's foreign keys form a cycle: no order to copy in");
	else
		memcpy(r->tables, sorted, sizeof(sorted[0]) * (size_t)n);
	free(sorted);
	return rc;
}

/* ---- SQLite: the source's tables must be the target's ---- */

static int mig_sq_columns(struct mig *m, const struct migrate_table *t, struct err *e)
{
	char sql[MIG_SQL_MAX];
	sqlite3_stmt *s;
	int n = 0, rc = RC_OK;

	snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s')", t->name);
	if (sqlite3_prepare_v2(m->sq, sql, -1, &s, NULL) != SQLITE_OK)
		return err_set(e, RC_DB, "database_error", "from", "reading table %s: %s",
			       t->name, sqlite3_errmsg(m->sq));
	while (!rc && sqlite3_step(s) == SQLITE_ROW) {
		const char *cn = (const char *)sqlite3_column_text(s, 0);
		int found = 0;

		for (int i = 0; cn && i < t->ncols; i++)
			found |= strcmp(t->cols[i], cn) == 0;
		if (!found)
			rc = err_set(e, RC_INVAL, "schema_mismatch", "from",
				     "column %s.%s of the SQLite database is not in PostgreSQL's",
				     t->name, cn ? cn : "?");
		n++;
	}
	sqlite3_finalize(s);
	if (!rc && n != t->ncols)
		rc = err_set(e, RC_INVAL, "schema_mismatch", "from",
			     "table %s has %d columns in SQLite, %d in PostgreSQL", t->name, n,
			     t->ncols);
	return rc;
}

static int mig_sq_tables(struct mig *m, struct err *e)
{
	sqlite3_stmt *s;
	int n = 0, rc = RC_OK;

	if (sqlite3_prepare_v2(m->sq, "SELECT name FROM sqlite_master WHERE type = 'table' "
				      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", -1, &s, NULL) != SQLITE_OK)
		return err_set(e, RC_DB, "database_error", "from", "reading the SQLite schema: %s",
			       sqlite3_errmsg(m->sq));
	while (!rc && sqlite3_step(s) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(s, 0);
		struct migrate_table *t = tn ? mig_find(m->out, tn) : NULL;

		if (!t)
			rc = err_set(e, RC_INVAL, "schema_mismatch", "from",
				     "table %s of the SQLite database is not in PostgreSQL's",
				     tn ? tn : "?");
		else
			rc = mig_sq_columns(m, t, e);
		n++;
	}
	sqlite3_finalize(s);
	if (!rc && n != m->out->ntables)
		rc = err_set(e, RC_INVAL, "schema_mismatch", "from",
			     "the SQLite database has %d tables, PostgreSQL %d", n, m->out->ntables);
	return rc;
}

static int mig_sq_version(struct mig *m, int *version, struct err *e)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(m->sq, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return err_set(e, RC_DB, "database_error", "from", "reading the SQLite schema: %s",
			       sqlite3_errmsg(m->sq));
	*version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	return RC_OK;
}

/* ---- the target holds no deployment ---- */

static int mig_target_empty(struct mig *m, struct err *e)
{
	char sql[MIG_SQL_MAX];
	struct pg_rows rows;
	int rc, any;

	for (int i = 0; i < m->out->ntables; i++) {
		const char *tn = m->out->tables[i].name;

		snprintf(sql, sizeof(sql), "SELECT 1 FROM \"%s\" LIMIT 1", tn);
		rc = mig_pg(m->pg, sql, &rows, e);
		if (rc)
			return rc;
		any = pg_step(&rows);
		pg_rows_clear(&rows);
		if (any)
			return err_set(e, RC_CONFLICT, "exists", "to",
				       "the PostgreSQL database already holds a disputed deployment "
				       "(table %s has rows); refusing to migrate into it", tn);
	}
	return RC_OK;
}

/* ---- copying ---- */

/* Append `n` bytes as COPY's text format escapes them. */
static int mig_copy_text(struct buf *b, const char *s, size_t n)
{
	int rc = RC_OK;

	for (size_t i = 0; !rc && i < n; i++) {
		switch (s[i]) {
		case '\\': rc = buf_appends(b, "\\\\"); break;
		case '\n': rc = buf_appends(b, "\\n"); break;
		case '\r': rc = buf_appends(b, "\\r"); break;
		case '\t': rc = buf_appends(b, "\\t"); break;
		default: rc = buf_append(b, s + i, 1); break;
		}
	}
	return rc;
}

/* One SQLite value as a COPY field of a column of type `type`. */
static int mig_copy_field(struct buf *b, const struct migrate_table *t, int col,
			  sqlite3_stmt *s, struct err *e)
{
	int vt = sqlite3_column_type(s, col);
	const char *p;
	size_t n;
	int rc;

	if (vt == SQLITE_NULL)
		return buf_appends(b, "\\N");
	if (t->types[col] == MIGRATE_BIGINT) {
		if (vt != SQLITE_INTEGER)
			return err_set(e, RC_INVAL, "bad_value", "from",
				       "%s.%s holds a value that is not an integer", t->name,
				       t->cols[col]);
		return buf_printf(b, "%" PRId64, (int64_t)sqlite3_column_int64(s, col));
	}
	if (vt != SQLITE_TEXT && vt != SQLITE_BLOB)
		return err_set(e, RC_INVAL, "bad_value", "from", "%s.%s holds a number where %s is "
			       "kept", t->name, t->cols[col], t->types[col] == MIGRATE_TEXT ? "text" : "bytes");
	p = vt == SQLITE_BLOB ? sqlite3_column_blob(s, col) : (const char *)sqlite3_column_text(s, col);
	n = (size_t)sqlite3_column_bytes(s, col);
	if (t->types[col] == MIGRATE_TEXT) {
		if (vt != SQLITE_TEXT || memchr(p, '\0', n))
			return err_set(e, RC_INVAL, "bad_value", "from",
				       "%s.%s holds bytes that PostgreSQL's text cannot keep as they are",
				       t->name, t->cols[col]);
		return mig_copy_text(b, p, n);
	}
	rc = buf_appends(b, "\\\\x");
	for (size_t i = 0; !rc && i < n; i++)
		rc = buf_printf(b, "%02x", (unsigned char)p[i]);
	return rc;
}

static int mig_put(struct mig *m, const char *data, size_t n, struct err *e)
{
	if (PQputCopyData(m->pg->conn, data, (int)n) != 1)
		return err_set(e, RC_DB, "database_error", "to", "COPY to PostgreSQL %s: %s",
			       m->pg->where, PQerrorMessage(m->pg->conn));
	return RC_OK;
}

/* End the COPY (with `fail`, abort it) and take its result. */
static int mig_copy_end(struct mig *m, const char *fail, struct err *e)
{
	PGresult *res;
	int rc = RC_OK;

	if (PQputCopyEnd(m->pg->conn, fail) != 1)
		rc = err_set(e, RC_DB, "database_error", "to", "ending COPY: %s",
			     PQerrorMessage(m->pg->conn));
	while ((res = PQgetResult(m->pg->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !rc && !fail)
			rc = pg_fail(m->pg, res, "COPY", e);
		else if (PQresultStatus(res) != PGRES_COMMAND_OK)
			m->pg->failed = 1;
		PQclear(res);
	}
	return rc;
}

static int mig_copy_rows(struct mig *m, struct migrate_table *t, sqlite3_stmt *s, struct err *e)
{
	struct buf b;
	int step, rc = RC_OK;

	buf_init(&b, MIG_ROW_MAX);
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		buf_clear(&b);
		for (int i = 0; !rc && i < t->ncols; i++) {
			if (i)
				rc = buf_appends(&b, "\t");
			if (!rc)
				rc = mig_copy_field(&b, t, i, s, e);
		}
		if (!rc)
			rc = buf_appends(&b, "\n");
		if (rc && !e->rc)
			rc = err_set(e, rc, NULL, "from", "a row of %s is too big to copy", t->name);
		if (!rc)
			rc = mig_put(m, b.data, b.len, e);
		t->rows++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = err_set(e, RC_DB, "database_error", "from", "reading %s: %s", t->name,
			     sqlite3_errmsg(m->sq));
	buf_release(&b);
	return rc;
}

static int mig_copy_table(struct mig *m, struct migrate_table *t, struct err *e)
{
	char sql[MIG_SQL_MAX], copy[MIG_SQL_MAX];
	sqlite3_stmt *s;
	PGresult *res;
	int rc;

	t->rows = 0;
	rc = mig_select_sql(t, 0, 0, sql, sizeof(sql));
	if (rc)
		return err_set(e, rc, NULL, NULL, "table %s: SQL too long", t->name);
	if (sqlite3_prepare_v2(m->sq, sql, -1, &s, NULL) != SQLITE_OK)
		return err_set(e, RC_DB, "database_error", "from", "reading %s: %s", t->name,
			       sqlite3_errmsg(m->sq));
	/* "COPY t (c1, ...) FROM STDIN": the select list after SELECT, up to FROM */
	snprintf(copy, sizeof(copy), "COPY \"%s\" (%.*s) FROM STDIN", t->name,
		 (int)(strstr(sql, " FROM ") - (sql + 7)), sql + 7);
	res = PQexec(m->pg->conn, copy);
	if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pg_fail(m->pg, res, "COPY", e);
		PQclear(res);
		sqlite3_finalize(s);
		return rc;
	}
	PQclear(res);
	rc = mig_copy_rows(m, t, s, e);
	sqlite3_finalize(s);
	if (rc) {
		(void)mig_copy_end(m, "migrate: the source could not be read", e);
		m->pg->failed = 1;
		return rc;
	}
	return mig_copy_end(m, NULL, e);
}

/* SQLite's AUTOINCREMENT counter of `table`, 0 if it has none. */
static int64_t mig_sq_autoincrement(struct mig *m, const char *table)
{
	sqlite3_stmt *s;
	int64_t v = 0;

	if (sqlite3_prepare_v2(m->sq, "SELECT seq FROM sqlite_sequence WHERE name = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return 0; /* no AUTOINCREMENT table at all */
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Move the identity sequence past the copied values: the next row gets a new one. */
static int mig_identity(struct mig *m, const struct migrate_table *t, struct err *e)
{
	char sql[MIG_SQL_MAX];

	if (!t->identity[0])
		return RC_OK;
	snprintf(sql, sizeof(sql),
		 "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), "
		 "GREATEST((SELECT max(\"%s\") FROM \"%s\"), %" PRId64 ", 0) + 1, false)",
		 t->name, t->identity, t->identity, t->name, mig_sq_autoincrement(m, t->name));
	return mig_pg(m->pg, sql, NULL, e);
}

/* ---- the check: a digest of each side's rows ---- */

static void mig_hash_u64(struct sha256_ctx *c, uint64_t v)
{
	uint8_t be[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		be[i] = (uint8_t)(v & 0xff);
	sha256_update(c, be, sizeof(be));
}

/*
 * The canonical rendering of one value, the same from both databases:
 * a tag ('N' null, 'I' integer, 'T' text, 'B' bytes) then for an integer
 * its 8 bytes big-endian, for text and bytes their length (8 bytes
 * big-endian) and the bytes themselves.
 */
static void mig_hash_value(struct sha256_ctx *c, char tag, int64_t v, const void *p, size_t n)
{
	sha256_update(c, &tag, 1);
	if (tag == 'I')
		mig_hash_u64(c, (uint64_t)v);
	if (tag == 'T' || tag == 'B') {
		mig_hash_u64(c, n);
		sha256_update(c, p, n);
	}
}

/* The digest of the table's rows in SQLite, in the order of every column. */
static int mig_sq_digest(struct mig *m, struct migrate_table *t, struct err *e)
{
	char sql[MIG_SQL_MAX];
	struct sha256_ctx c;
	sqlite3_stmt *s;
	int step;

	if (mig_select_sql(t, 0, 1, sql, sizeof(sql)) ||
	    sqlite3_prepare_v2(m->sq, sql, -1, &s, NULL) != SQLITE_OK)
		return err_set(e, RC_DB, "database_error", "from", "reading %s: %s", t->name,
			       sqlite3_errmsg(m->sq));
	sha256_init(&c);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < t->ncols; i++) {
			int vt = sqlite3_column_type(s, i);
			const void *p = vt == SQLITE_BLOB ? sqlite3_column_blob(s, i)
							  : (const void *)sqlite3_column_text(s, i);

			if (vt == SQLITE_NULL)
				mig_hash_value(&c, 'N', 0, NULL, 0);
			else if (t->types[i] == MIGRATE_BIGINT)
				mig_hash_value(&c, 'I', sqlite3_column_int64(s, i), NULL, 0);
			else
				mig_hash_value(&c, t->types[i], 0, p,
					       (size_t)sqlite3_column_bytes(s, i));
		}
	}
	sqlite3_finalize(s);
	sha256_final(&c, t->digest);
	if (step != SQLITE_DONE)
		return err_set(e, RC_DB, "database_error", "from", "reading %s: %s", t->name,
			       sqlite3_errmsg(m->sq));
	return RC_OK;
}

static int mig_pg_hash_rows(const struct migrate_table *t, struct pg_rows *rows,
			    struct sha256_ctx *c, int64_t *count, struct err *e)
{
	while (pg_step(rows)) {
		(*count)++;
		for (int i = 0; i < t->ncols; i++) {
			const char *v = pg_col_text(rows, i);
			unsigned char *bytes;
			size_t n;

			if (!v) {
				mig_hash_value(c, 'N', 0, NULL, 0);
			} else if (t->types[i] == MIGRATE_BIGINT) {
				mig_hash_value(c, 'I', pg_col_int64(rows, i), NULL, 0);
			} else if (t->types[i] == MIGRATE_TEXT) {
				mig_hash_value(c, 'T', 0, v, strlen(v));
			} else {
				bytes = pg_col_bytea(rows, i, &n);
				if (!bytes)
					return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
				mig_hash_value(c, 'B', 0, bytes, n);
				free(bytes);
			}
		}
	}
	return RC_OK;
}

/* The digest of the table's rows as PostgreSQL holds them now, read by a cursor in the same order. */
static int mig_pg_digest(struct mig *m, struct migrate_table *t, struct err *e)
{
	char sql[MIG_SQL_MAX], decl[MIG_SQL_MAX + 64];
	struct sha256_ctx c;
	struct pg_rows rows;
	int rc;

	if (mig_select_sql(t, 1, 1, sql, sizeof(sql)))
		return err_set(e, RC_INTERNAL, NULL, NULL, "table %s: SQL too long", t->name);
	snprintf(decl, sizeof(decl), "DECLARE migrate_check NO SCROLL CURSOR FOR %s", sql);
	rc = mig_pg(m->pg, decl, NULL, e);
	if (rc)
		return rc;
	t->rows_back = 0;
	sha256_init(&c);
	for (;;) {
		int got;

		rc = mig_pg(m->pg, "FETCH " MIG_FETCH_ROWS " FROM migrate_check", &rows, e);
		if (!rc)
			rc = mig_pg_hash_rows(t, &rows, &c, &t->rows_back, e);
		got = rows.nrows;
		pg_rows_clear(&rows);
		if (rc) {
			sha256_release(&c);
			return rc;
		}
		if (got == 0)
			break;
	}
	sha256_final(&c, t->digest_back);
	return mig_pg(m->pg, "CLOSE migrate_check", NULL, e);
}

static int mig_check(struct mig *m, struct migrate_table *t, struct err *e)
{
	int rc = mig_sq_digest(m, t, e);

	if (!rc)
		rc = mig_pg_digest(m, t, e);
	if (rc)
		return rc;
	if (t->rows_back != t->rows)
		return err_set(e, RC_DB, "check_failed", "to",
			       "table %s: %" PRId64 " rows copied but PostgreSQL holds %" PRId64
			       "; nothing was kept", t->name, t->rows, t->rows_back);
	if (memcmp(t->digest, t->digest_back, sizeof(t->digest)) != 0)
		return err_set(e, RC_DB, "check_failed", "to",
			       "table %s: its rows in PostgreSQL differ from SQLite's (SHA-256 "
			       "of the rows); nothing was kept", t->name);
	return RC_OK;
}

/* ---- the whole move ---- */

/* Everything inside the one PostgreSQL transaction (and the one SQLite snapshot). */
static int mig_move(struct mig *m, struct err *e)
{
	int rc = mig_target_empty(m, e);

	for (int i = 0; !rc && i < m->out->ntables; i++)
		rc = mig_copy_table(m, &m->out->tables[i], e);
	for (int i = 0; !rc && i < m->out->ntables; i++)
		rc = mig_identity(m, &m->out->tables[i], e);
	for (int i = 0; !rc && i < m->out->ntables; i++)
		rc = mig_check(m, &m->out->tables[i], e);
	return rc;
}

static int mig_open_sqlite(const char *path, sqlite3 **sq, struct err *e)
{
	char uri[4300];

	*sq = NULL;
	if ((size_t)snprintf(uri, sizeof(uri), "file:%s?mode=ro", path) >= sizeof(uri))
		return err_set(e, RC_INVAL, NULL, "from", "database path is too long");
	if (sqlite3_open_v2(uri, sq, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		int rc = err_set(e, RC_IO, NULL, "from", "cannot open %s read-only: %s", path,
				 *sq ? sqlite3_errmsg(*sq) : "out of memory");

		sqlite3_close(*sq);
		*sq = NULL;
		return rc;
	}
	sqlite3_busy_timeout(*sq, 5000);
	return RC_OK;
}

static int mig_versions(struct mig *m, struct err *e)
{
	int sv = -1, rc = mig_sq_version(m, &sv, e);

	if (rc)
		return rc;
	m->out->schema_version = store_pg_schema_version(m->pg);
	if (sv != m->out->schema_version)
		return err_set(e, RC_INVAL, "schema_mismatch", "from",
			       "the SQLite database is at schema version %d, PostgreSQL at %d: "
			       "open the data directory once with this disputed (any command, "
			       "e.g. `disputed key list`) so both are current, then migrate",
			       sv, m->out->schema_version);
	return RC_OK;
}

int migrate_sqlite_to_pg(const char *sqlite_path, const char *url, struct migrate_result *out,
			 struct err *e)
{
	struct mig m = {NULL, NULL, out};
	int rc, rc2;

	memset(out, 0, sizeof(*out));
	rc = mig_open_sqlite(sqlite_path, &m.sq, e);
	if (!rc)
		rc = store_pg_open(url, &m.pg, e);
	if (!rc)
		rc = mig_versions(&m, e);
	if (!rc)
		rc = mig_pg_tables(&m, e);
	if (!rc)
		rc = mig_pg_order(&m, e);
	if (!rc)
		rc = mig_sq_tables(&m, e);
	/* one snapshot of the source for the copy and the check */
	if (!rc && sqlite3_exec(m.sq, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL,
				NULL) != SQLITE_OK)
		rc = err_set(e, RC_DB, "database_error", "from", "reading %s: %s", sqlite_path,
			     sqlite3_errmsg(m.sq));
	if (!rc)
		rc = pg_begin(m.pg, PG_SERIALIZABLE, e);
	if (!rc) {
		rc = mig_move(&m, e);
		rc2 = pg_end(m.pg, rc == RC_OK, e);
		if (!rc)
			rc = rc2;
	}
	if (m.sq)
		sqlite3_exec(m.sq, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(m.sq);
	store_pg_close(m.pg);
	return rc;
}
