/* store_migrate.h - moving a deployment's records from its SQLite database to PostgreSQL (`disputed migrate`). */
#ifndef DISPUTED_STORE_MIGRATE_H
#define DISPUTED_STORE_MIGRATE_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

/* Most tables one schema may have, and columns one table. */
#define MIGRATE_TABLES_MAX 128
#define MIGRATE_COLS_MAX 32
/* Longest table or column name. */
#define MIGRATE_NAME_MAX 64

/* How a column's values are rendered, copied and compared. */
enum migrate_type {
	MIGRATE_BIGINT = 'I', /* 64-bit integer */
	MIGRATE_TEXT = 'T',   /* UTF-8 text, byte for byte */
	MIGRATE_BYTES = 'B',  /* bytes (SQLite BLOB, PostgreSQL BYTEA) */
};

/* One table as both databases hold it, and what moving it found. */
struct migrate_table {
	char name[MIGRATE_NAME_MAX];                   /* table name ([a-z0-9_]) */
	int ncols;                                     /* columns */
	char cols[MIGRATE_COLS_MAX][MIGRATE_NAME_MAX]; /* column names, PostgreSQL's order */
	char types[MIGRATE_COLS_MAX];                  /* enum migrate_type of each */
	char identity[MIGRATE_NAME_MAX];               /* its identity column, "" if none */
	int64_t rows;                                  /* rows copied */
	int64_t rows_back;                             /* rows PostgreSQL holds after the copy */
	uint8_t digest[32];                            /* SHA-256 of SQLite's rows */
	uint8_t digest_back[32];                       /* SHA-256 of PostgreSQL's rows */
};

/* What one migration did. */
struct migrate_result {
	int schema_version;                            /* both databases' */
	int ntables;                                   /* tables, in the order copied */
	struct migrate_table tables[MIGRATE_TABLES_MAX];
};

/*
 * Copy every table of the SQLite database at `sqlite_path` (opened read
 * only, read in one snapshot) into the PostgreSQL database at `url`: the
 * PostgreSQL schema migrated first, both at the same version, the target
 * holding no deployment (no row in any table); the tables in the order of
 * their foreign keys, inside ONE transaction, by COPY; identity sequences
 * moved past the copied values (and past SQLite's AUTOINCREMENT counters);
 * then each table checked, row count and a SHA-256 over a canonical
 * rendering of its rows in one order (migrate_digest_*), read back from
 * PostgreSQL inside the same transaction. Only when every table matches is
 * the transaction committed; otherwise nothing stays in PostgreSQL.
 * `out` holds what was moved (also on a failed check, to show which table
 * differs). RC_CONFLICT for a target with a deployment, RC_INVAL for
 * schemas that differ or values PostgreSQL cannot hold as they are,
 * RC_DB for a check that failed.
 */
int migrate_sqlite_to_pg(const char *sqlite_path, const char *url, struct migrate_result *out,
			 struct err *e) WARN_UNUSED;

#endif
