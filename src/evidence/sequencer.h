/* sequencer.h - several nodes: the one process at a time that appends every node's pending seals to the evidence log. */
#ifndef DISPUTED_SEQUENCER_H
#define DISPUTED_SEQUENCER_H

#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "tlog/log.h"

/*
 * With several `disputed serve` nodes on one shared store (PostgreSQL),
 * every node's write pipeline commits records with their seals pending
 * and waits (evidence/pipeline.h). Every node also runs a sequencer
 * thread; the one whose connection takes the store's sequencer lock
 * (store_sequencer_hold: a PostgreSQL advisory lock) opens the log for
 * writing, reconciles its tail with the store (seal_recover: leaves a dead
 * sequencer appended without recording their indexes are matched, never
 * appended twice), and from then on appends every node's pending seals as
 * they come (store_signal from the writers, or a short poll) and records
 * their indexes, which wakes the waiting nodes. The others try the lock
 * every SEQUENCER_TRY_MS, so when the sequencer dies (its connection
 * closes and PostgreSQL drops the lock) another takes over within about
 * that long. The holder checks it still holds the lock every
 * SEQUENCER_CHECK_MS and before each append, and stops appending at once
 * if it lost it; the log's own file lock keeps two processes that share
 * its directory from appending at once besides.
 */
struct sequencer;

/* How often a node that is not the sequencer tries to become it. */
#define SEQUENCER_TRY_MS 500
/* How often the sequencer checks it still holds the lock while idle. */
#define SEQUENCER_CHECK_MS 500
/* How long the sequencer waits for a writer's signal before looking anyway. */
#define SEQUENCER_POLL_MS 50

struct sequencer_opts {
	struct store *st;   /* the node's store: the sequencer opens a connection of its own from it */
	/* Open the evidence log for writing (RC_CONFLICT: another process still holds its file). */
	int (*open_log)(void *ctx, struct tlog_log **log, struct err *e);
	void *ctx;
};

/* Start the node's sequencer thread ("dsp-sequencer"). */
int sequencer_start(const struct sequencer_opts *o, struct sequencer **out,
		    struct err *e) WARN_UNUSED;

/* Whether this node is the sequencer now. */
int sequencer_leading(struct sequencer *s);

/*
 * Counters of this process's sequencer, for /metrics and the benchmarks:
 * whether it leads now, its appends to the log (each seal_pending round
 * that sealed something: one append per SEAL_PENDING_CHUNK seals) and the
 * seals they integrated, since the process started. Process-wide, like
 * the request counters: a process runs one sequencer at most.
 */
void sequencer_stats(int *leading, uint64_t *appends, uint64_t *sealed);

/* Stop the thread: finish the append in progress, close the log, give up the lock. NULL is a no-op. */
void sequencer_stop(struct sequencer *s);

#endif
