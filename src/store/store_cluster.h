/* store_cluster.h - what several nodes on one database need of the store: the sequencer lock, signals between nodes, seal progress (part of store.h). */
#ifndef DISPUTED_STORE_CLUSTER_H
#define DISPUTED_STORE_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Several `disputed serve` nodes may share one PostgreSQL database (issue
 * 14). Each node's write pipeline commits records with pending seals; one
 * node, the sequencer, holds a lock on the database (store_sequencer_hold),
 * appends the pending seals to the evidence log and records their leaf
 * indexes; the other nodes wait for those indexes (store_signal_wait,
 * store_seal_unindexed) before they acknowledge a write. On SQLite one
 * process holds the database and the log, and these functions say so.
 */

/* What a node tells the others (store_signal) and waits for (store_signal_wait). */
enum store_signal {
	STORE_SIG_SEALS_PENDING,   /* a commit made seals that are not in the log yet */
	STORE_SIG_SEALS_INDEXED,   /* a commit recorded leaf indexes (store_seal_set_index) */
	STORE__SIGNALS
};

/*
 * On PostgreSQL each signal is a NOTIFY channel of the database (empty
 * payload); LISTEN on these to watch a deployment from psql.
 */
#define STORE_CHANNEL_SEALS_PENDING "disputed_seals_pending"
#define STORE_CHANNEL_SEALS_INDEXED "disputed_seals_indexed"

/*
 * On PostgreSQL the sequencer lock is the session advisory lock of this
 * key ("disputed" in ASCII as a big-endian 64-bit integer; pg_locks shows
 * it as classid 1684632432, objid 1970562404, objsubid 1).
 */
#define STORE_SEQUENCER_KEY "7235441203191506276"

/* The most seals store_seal_unindexed looks at in one call. */
#define STORE_UNINDEXED_MAX 4096

/*
 * A backend's members for several nodes. Each does what the store_*
 * function of its name below says.
 */
struct store_cluster_ops {
	int (*shared)(struct store *st);
	int (*sequencer_hold)(struct store *st, int *held, struct err *e);
	int (*sequencer_release)(struct store *st, struct err *e);
	int (*signal)(struct store *st, enum store_signal sig, struct err *e);
	int (*signal_wait)(struct store *st, enum store_signal sig, int timeout_ms, int *got,
			   struct err *e);
	int (*seal_unindexed)(struct store *st, const int64_t *seqs, size_t n, size_t *left,
			      struct err *e);
};

/* Whether several processes may share this store (PostgreSQL: 1; SQLite: 0). No transaction needed. */
static inline int store_shared(struct store *st)
{
	return STORE_OPS(st)->cluster->shared(st);
}

/*
 * Take the evidence log's sequencer lock if it is free, and say whether
 * this store holds it: *held = 1 when it holds it now, 0 when another
 * session does. Outside a transaction (RC_INTERNAL inside one of this
 * thread's).
 *
 * PostgreSQL: pg_try_advisory_lock(STORE_SEQUENCER_KEY) on this store's
 * connection, held while the connection's session lives. Called again, it
 * asks the server whether the session still holds it: when the connection
 * was lost and opened again (the reconnect at the next store_begin, or
 * here), the lock went with the old session and is taken again only if
 * free. A lost connection is RC_DB with *held = 0; the next call
 * reconnects. So a sequencer calls it before each round of work and does
 * that work only when *held is 1.
 * SQLite: *held = 1 always (one process holds the log by its file lock).
 */
static inline WARN_UNUSED int store_sequencer_hold(struct store *st, int *held, struct err *e)
{
	return STORE_OPS(st)->cluster->sequencer_hold(st, held, e);
}

/*
 * Give the sequencer lock up now (PostgreSQL: pg_advisory_unlock), so
 * another node can take it without waiting for this connection to close.
 * Not holding it is no error. SQLite: nothing. Outside a transaction.
 */
static inline WARN_UNUSED int store_sequencer_release(struct store *st, struct err *e)
{
	return STORE_OPS(st)->cluster->sequencer_release(st, e);
}

/*
 * Inside a write transaction: tell the other nodes, once it commits, that
 * it made pending seals (STORE_SIG_SEALS_PENDING) or recorded leaf
 * indexes (STORE_SIG_SEALS_INDEXED). A transaction rolled back tells
 * nothing; several signals of one transaction arrive as one.
 * PostgreSQL: NOTIFY on the signal's channel (STORE_CHANNEL_*), which the
 * store's seal functions never send by themselves. SQLite: nothing.
 */
static inline WARN_UNUSED int store_signal(struct store *st, enum store_signal sig, struct err *e)
{
	return STORE_OPS(st)->cluster->signal(st, sig, e);
}

/*
 * Outside a transaction: wait up to timeout_ms (≥ 0) for `sig`. *got = 1
 * when one came (also one that came since the last wait for it, which
 * returns at once), 0 on timeout. A signal is kept per store until a wait
 * for it returns it, so give each store one waiter: a thread of its own on
 * a store of its own (store_open_reader) waits best.
 *
 * PostgreSQL: the first wait for `sig` on a connection LISTENs on its
 * channel, and from then on the connection collects it; the wait polls
 * the connection's socket without holding the store's lock (other threads
 * may run transactions on the store meanwhile; a signal their statements
 * read in arrives here within 50 ms). Signals of this store's own commits
 * come too. A lost connection is RC_DB ("database_unavailable"): signals
 * may have been missed, and the next call reconnects and LISTENs again.
 * SQLite: sleeps min(timeout_ms, 50) ms and *got = 0 (one process: the
 * caller's own threads tell each other).
 */
static inline WARN_UNUSED int store_signal_wait(struct store *st, enum store_signal sig,
						int timeout_ms, int *got, struct err *e)
{
	return STORE_OPS(st)->cluster->signal_wait(st, sig, timeout_ms, got, e);
}

/*
 * Inside a transaction: how many of seqs[0..n) (seal rows, store_seal_add)
 * have no leaf index yet (store_seal_set_index) into *left; a seq with no
 * row counts as one without, and a seq given twice counts twice. n ≤
 * STORE_UNINDEXED_MAX, else RC_INVAL.
 */
static inline WARN_UNUSED int store_seal_unindexed(struct store *st, const int64_t *seqs, size_t n,
						   size_t *left, struct err *e)
{
	return STORE_OPS(st)->cluster->seal_unindexed(st, seqs, n, left, e);
}

#endif
