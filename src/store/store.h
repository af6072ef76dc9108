/* store.h - the storage interface: the only way the rest of disputed reaches the database. */
#ifndef DISPUTED_STORE_H
#define DISPUTED_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ids.h"

/*
 * A store is one database opened by one process. Every use of it happens
 * between store_begin and store_end: that takes the store's lock (so a
 * store may be shared by threads, one transaction at a time) and a
 * database transaction, so reads see one consistent state and a failed
 * request writes nothing. Records are kept as JSON bodies beside the
 * columns needed to find them; bodies go in and come out as jansson values.
 *
 * The interface is split by concern: this file (opening, transactions,
 * savepoints, settings) includes the rest, so a caller includes only
 * store.h: store_access.h, store_records.h, store_seals.h,
 * store_disputes.h, store_funds.h, store_disclosures.h,
 * store_webhooks.h, store_risk.h, store_retention.h, store_cluster.h.
 *
 * A backend fills in the interface: its handle (struct store, which each
 * backend defines) begins with a struct store_head pointing at its
 * struct store_ops, a table of function pointers per concern, and every
 * store_* function below and in those headers is a one-line wrapper that
 * calls the member of its name. Backends: SQLite (store_sqlite*.c, the
 * embedded default); PostgreSQL (store_pg*.c: opening, transactions,
 * access and records so far; the other concerns' members return
 * RC_UNSUPPORTED until built, docs/postgres.md).
 */
struct store;

/* The kinds of record the platform pushes. */
enum store_kind {
	STORE_MERCHANT,
	STORE_CONSUMER,
	STORE_LISTING,
	STORE_ORDER,
	STORE_LOGISTICS,
	STORE_MESSAGE,
	STORE_DISPUTE,       /* only as the owner of blobs (store_blob_ref) */
	STORE__KINDS
};

/*
 * The rules every backend keeps (the callers count on them; the
 * members of the ops tables do what their store_* functions say):
 *
 * - Transactions. Every call happens between begin (or begin_read) and
 *   end on the same thread, but those that say otherwise (open,
 *   open_reader, close, schema_version, and secure_delete and compact,
 *   which run outside one); end commits all of it or nothing. A statement that fails marks the
 *   transaction failed, and end(commit) of a failed transaction rolls
 *   back and returns RC_DB. begin on a thread that already holds the
 *   store's transaction is RC_INTERNAL ("nested_transaction"), never a
 *   deadlock. Savepoints nest up to STORE_SAVEPOINT_MAX.
 * - Isolation. A transaction sees one consistent state, and writers are
 *   serializable with respect to each other: the money invariants
 *   (store_funds.h: no lost update, no account below zero) and the
 *   once-only rules (idempotency keys, timers fired once, deliveries
 *   claimed once) must hold with any number of transactions at once. A
 *   backend that detects conflicts (PostgreSQL's serialization failures)
 *   retries inside or reports RC_CONFLICT, never a half-applied write.
 * - Errors. RC_NOTFOUND when the thing asked for does not exist;
 *   RC_CONFLICT when a unique key or a state check refuses the write (with
 *   the code and param the function names, e.g. "duplicate_external_id");
 *   RC_DB for the database's own failures (its message in the err, which
 *   no client is shown); RC_NOMEM when out of memory. A function that
 *   fails part-way may have written: the caller rolls back (store_end(st,
 *   0, …) or to a savepoint), and a failure inside the database marks the
 *   transaction failed so that it cannot commit.
 * - Paging. Every list takes a limit it never exceeds, so every answer is
 *   bounded. A paged list also takes `after` (the key of the previous
 *   page's last row, 0 for the first page) and sets *next to its own last
 *   row's key when more rows follow, else 0; rows come in the order its
 *   function names (by seq, oldest first, unless it says otherwise), and
 *   a row written meanwhile never makes a page repeat or skip one.
 * - Bodies. JSON bodies come back as new references the caller owns,
 *   member order as stored; strings handed in are copied.
 */

/* What every backend's struct store begins with. */
struct store_head {
	const struct store_ops *ops;  /* the backend's table; never NULL */
	uint64_t serial;              /* store_serial */
	uint64_t undone;              /* store_undone; atomic */
};

/* Set up a new store's head: its table, and a serial no other store of this process has. */
void store_head_init(struct store_head *h, const struct store_ops *ops);

/* The backend's table of a store (of any backend). */
#define STORE_OPS(st) (((const struct store_head *)(const void *)(st))->ops)

/* Count a transaction or savepoint of `st` that kept nothing it wrote (store_undone). */
static inline void store_note_undone(struct store *st)
{
	__atomic_add_fetch(&((struct store_head *)(void *)st)->undone, 1, __ATOMIC_RELAXED);
}

struct store_access_ops;
struct store_records_ops;
struct store_seals_ops;
struct store_disputes_ops;
struct store_funds_ops;
struct store_disclosures_ops;
struct store_webhooks_ops;
struct store_risk_ops;
struct store_consumer_flags_ops;
struct store_retention_ops;
struct store_cluster_ops;

/*
 * A backend: opening, transactions and settings (each member as the
 * store_* function of its name below says), then one table per concern.
 */
struct store_ops {
	const char *name;             /* "sqlite", … */
	int (*open_reader)(struct store *st, struct store **out, struct err *e);
	int (*begin_read)(struct store *st, struct err *e);
	void (*close)(struct store *st);
	int (*schema_version)(struct store *st);
	int (*begin)(struct store *st, struct err *e);
	int (*end)(struct store *st, int commit, struct err *e);
	int (*begin_lazy)(struct store *st, struct err *e);
	int (*savepoint)(struct store *st, struct err *e);
	int (*savepoint_end)(struct store *st, int keep, struct err *e);
	int (*failed)(struct store *st);
	int (*meta_get)(struct store *st, const char *key, char **out, struct err *e);
	int (*meta_set)(struct store *st, const char *key, const char *value, struct err *e);
	const struct store_access_ops *access;               /* store_access.h */
	const struct store_records_ops *records;             /* store_records.h */
	const struct store_seals_ops *seals;                 /* store_seals.h */
	const struct store_disputes_ops *disputes;           /* store_disputes.h */
	const struct store_funds_ops *funds;                 /* store_funds.h */
	const struct store_disclosures_ops *disclosures;     /* store_disclosures.h */
	const struct store_webhooks_ops *webhooks;           /* store_webhooks.h */
	const struct store_risk_ops *risk;                   /* store_risk.h */
	const struct store_consumer_flags_ops *consumer_flags; /* store_risk.h */
	const struct store_retention_ops *retention;         /* store_retention.h */
	const struct store_cluster_ops *cluster;             /* store_cluster.h */
};

/*
 * Open (with `create`, make) the database at `path`, apply pending schema
 * migrations and return the handle in *out. Creating fails with
 * RC_CONFLICT if the file exists; opening fails with RC_NOTFOUND if it
 * does not. `path` chooses the backend: "postgres://…" or
 * "postgresql://…" is PostgreSQL (the database must exist; `create`
 * refuses one that already holds a deployment; store_pg_int.h says how
 * its writers stay serializable), "sqlite:PATH" or any other path is a
 * SQLite file.
 */
int store_open(const char *path, int create, struct store **out, struct err *e) WARN_UNUSED;

/*
 * A second connection to the database of `st`, for reads that should not
 * wait for its writer: inside store_begin_read transactions it sees the
 * last commit (SQLite's WAL lets readers and the one writer go on at
 * once). It has a lock of its own, and is closed with store_close, before
 * `st`. The schema must be current (store_open of `st` migrated it).
 */
static inline WARN_UNUSED int store_open_reader(struct store *st, struct store **out, struct err *e)
{
	return STORE_OPS(st)->open_reader(st, out, e);
}

/*
 * Take the store's lock and start a read-only transaction (a deferred
 * BEGIN, which takes no write lock): for a reader (store_open_reader). End
 * it with store_end(st, 0, …).
 */
static inline WARN_UNUSED int store_begin_read(struct store *st, struct err *e)
{
	return STORE_OPS(st)->begin_read(st, e);
}

/* Close the store. NULL is a no-op. */
static inline void store_close(struct store *st)
{
	if (st)
		STORE_OPS(st)->close(st);
}

/* Schema version after migrations. */
static inline int store_schema_version(struct store *st)
{
	return STORE_OPS(st)->schema_version(st);
}

/* Take the store's lock and start a transaction. */
static inline WARN_UNUSED int store_begin(struct store *st, struct err *e)
{
	return STORE_OPS(st)->begin(st, e);
}

/*
 * Commit (if `commit` and nothing failed) or roll back, then release the
 * lock. Returns the commit's result; a rollback always returns RC_OK. When
 * this thread holds no transaction (its store_begin failed), nothing
 * happens: a rollback returns RC_OK, a commit RC_DB.
 */
static inline WARN_UNUSED int store_end(struct store *st, int commit, struct err *e)
{
	int rc = STORE_OPS(st)->end(st, commit, e);

	if (!commit || rc != RC_OK)
		store_note_undone(st);
	return rc;
}

/*
 * How many times a transaction or savepoint of `st` ended without keeping
 * what it wrote (rolled back, or a commit that failed). A thread that
 * keeps aside what it read of records that never change once written (a
 * seal's leaf hash) can trust it while the count has not moved: all it
 * saw was committed, or is still in its open transaction.
 */
static inline uint64_t store_undone(struct store *st)
{
	return __atomic_load_n(&((struct store_head *)(void *)st)->undone, __ATOMIC_RELAXED);
}

/* Which store of this process `st` is: never the same for two, even one opened where another was. */
static inline uint64_t store_serial(struct store *st)
{
	return ((const struct store_head *)(const void *)st)->serial;
}

/*
 * store_begin, for a transaction whose commit (store_end) does not wait
 * for the disk: it is in the WAL, visible to every later transaction and
 * kept when the process dies, and becomes durable with the next one that
 * commits normally. A power loss before then may lose it, so use it only
 * for what recovery rebuilds (a seal's leaf index: seal_recover). Chosen
 * at the beginning: SQLite cannot change how a transaction commits once
 * it is open.
 */
static inline WARN_UNUSED int store_begin_lazy(struct store *st, struct err *e)
{
	return STORE_OPS(st)->begin_lazy(st, e);
}

/* The most savepoints open at once inside one transaction. */
#define STORE_SAVEPOINT_MAX 8

/*
 * Savepoints inside the open transaction (the write pipeline runs each
 * request in one): store_savepoint opens one (RC_INTERNAL past
 * STORE_SAVEPOINT_MAX); store_savepoint_end releases the newest, keeping
 * what was written since it opened (`keep`), or rolls back to it, which
 * also forgets a statement that failed since, so the transaction can still
 * commit. Keeping a savepoint in which a statement failed rolls it back
 * and returns RC_DB.
 */
static inline WARN_UNUSED int store_savepoint(struct store *st, struct err *e)
{
	return STORE_OPS(st)->savepoint(st, e);
}
static inline WARN_UNUSED int store_savepoint_end(struct store *st, int keep, struct err *e)
{
	int rc = STORE_OPS(st)->savepoint_end(st, keep, e);

	if (!keep || rc != RC_OK)
		store_note_undone(st);
	return rc;
}

/*
 * Whether a statement failed inside this thread's open transaction since
 * it began (or since the savepoint rolled back to last), so that it can
 * no longer commit: 0 when none did or no transaction is open here.
 */
static inline int store_failed(struct store *st)
{
	return STORE_OPS(st)->failed(st);
}

/* Settings kept in the database (origin name, …). *out is malloc'd. */
static inline WARN_UNUSED int store_meta_get(struct store *st, const char *key, char **out,
					     struct err *e)
{
	return STORE_OPS(st)->meta_get(st, key, out, e);
}
static inline WARN_UNUSED int store_meta_set(struct store *st, const char *key, const char *value,
					     struct err *e)
{
	return STORE_OPS(st)->meta_set(st, key, value, e);
}

#include "store/store_access.h"
#include "store/store_records.h"
#include "store/store_seals.h"
#include "store/store_disputes.h"
#include "store/store_funds.h"
#include "store/store_disclosures.h"
#include "store/store_webhooks.h"
#include "store/store_risk.h"
#include "store/store_retention.h"
#include "store/store_cluster.h"

#endif
