/* pipeline.h - the one write pipeline: queued work applied in batches, one transaction, one log append and one commit per batch. */
#ifndef DISPUTED_PIPELINE_H
#define DISPUTED_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "tlog/log.h"

/*
 * Every write that seals records (HTTP writes, `disputed import`, the
 * timers) goes through a pipeline. Callers do what needs no store (parse,
 * check, hash) on their own threads, then queue the rest as a job. One
 * writer thread takes everything queued, up to PIPELINE_BATCH_MAX jobs,
 * opens ONE store transaction and runs each job's `apply` inside a
 * savepoint of its own: a job that fails is rolled back to its savepoint
 * and fails alone, with its own error, and the others go on (a batch of
 * replayable jobs tries without savepoints first: pipeline_job). The writer
 * then commits once (one fsync) and hands the batch to the sealer thread,
 * which integrates the batch's pending seals into the log with one append
 * (one log fsync for the batch, seal_wait) while the writer applies the
 * next batch. Their leaf indexes are then recorded by the writer's open
 * transaction, which commits anyway (no wait for the store's one write
 * transaction, whose pages it has just written), or, when the writer has
 * none open, by the sealer with a commit that needs no fsync of its own
 * (seal_recover finds them again after a crash). A job is done (its
 * `done` called) only when its records are durable in the store, its
 * leaves in the log and their indexes recorded; one that made no seal is
 * done at the commit.
 *
 * Why the leaves go to the log after the commit and not inside the
 * transaction: a crash between the log's append and the commit would leave
 * leaves in the log that no record claims, which the audit rightly calls
 * tampering. Stored first, a record's seal is at worst pending after a
 * crash, and the log's tail is reconciled with the store by seal_recover.
 *
 * Without a log (an import while a server holds it) jobs are done at the
 * commit and their seals stay pending for whoever holds the log.
 *
 * Several nodes (a read-only `log` that follows another process's
 * appends; store_shared): the writer's commit signals the log's sequencer
 * (evidence/sequencer.h), wherever it runs, that seals are pending, and
 * the sealer waits on a connection of its own until the sequencer has
 * recorded their indexes (seal_await) before the jobs are done: a write is
 * acknowledged when sealed, whichever node took it.
 */
struct pipeline;
struct seal_prep;

/* Most jobs in one batch (one transaction). */
#define PIPELINE_BATCH_MAX 1024
/* Most jobs queued and not yet taken; pipeline_submit waits for room past it. */
#define PIPELINE_QUEUE_MAX 8192

struct pipeline_job {
	/*
	 * The work, run on the writer thread inside the job's savepoint of the
	 * batch's open transaction (or none, for `replayable` jobs). RC_OK keeps what it wrote; anything else
	 * rolls it back and is the job's result. It sets `seals`/`nseals` to
	 * the pending seals it made (memory the caller keeps until `done`).
	 */
	int (*apply)(struct pipeline_job *j, struct store *st, struct err *e);
	/*
	 * Called once, on a pipeline thread, when the job's result is in `rc`
	 * and `err`; the job may be freed from then on. NULL for jobs waited
	 * for with pipeline_run.
	 */
	void (*done)(struct pipeline_job *j);
	void *ctx;                /* the caller's */
	/*
	 * Leaves prepared by the caller's thread (seal.h, seal_prep; NULL for
	 * none): the seals `apply` makes take their secrets and the
	 * commitments made ahead from it. The caller keeps and releases it.
	 */
	struct seal_prep *prep;
	/*
	 * Set when `apply` may run again after its transaction was rolled
	 * back: it keeps nothing of a run but what it wrote to the store (or
	 * wrote idempotently elsewhere). A batch of only such jobs runs first
	 * with no savepoint at all, which spares the store a copy of every
	 * page each job touches; if one of them fails, the batch is rolled
	 * back and runs again, each job in its savepoint as above, and the
	 * next few batches go in savepoints at once, so that jobs failing
	 * often cost at most one batch run twice in several.
	 */
	int replayable;
	const int64_t *seals;     /* set by apply */
	size_t nseals;
	int rc;                   /* the result: RC_OK when durable and sealed */
	struct err err;           /* its error */
	/* the pipeline's own */
	struct pipeline_job *next;
	void *waiter;
	int64_t queued_ns, taken_ns, committed_ns; /* when it was queued, taken, committed (0: not yet) */
};

/*
 * Start the writer and sealer threads over `st` and `log` (NULL: none;
 * seals stay pending). `log`, opened for writing, must have been
 * reconciled with the store (seal_recover) before; a read-only `log`
 * (several nodes) makes the pipeline wait for the sequencer instead.
 */
int pipeline_start(struct store *st, struct tlog_log *log, struct pipeline **out,
		   struct err *e) WARN_UNUSED;

/*
 * Finish every job queued, then stop the threads. Jobs submitted once it
 * has begun fail at once with RC_INTERNAL (code "pipeline_stopped"), so a
 * request that comes late during a shutdown gets an error, not a wait.
 * NULL is a no-op.
 */
void pipeline_stop(struct pipeline *p);

/* Free a stopped pipeline (pipeline_stop first). NULL is a no-op. */
void pipeline_free(struct pipeline *p);

/*
 * Queue `j` (apply and done set; the job must live until done), waiting
 * while PIPELINE_QUEUE_MAX jobs are queued. Never fails: a job that cannot
 * run gets its error through done.
 */
void pipeline_submit(struct pipeline *p, struct pipeline_job *j);

/* Queue `j` (done must be NULL) and wait until it is done; returns j->rc, its error in *e. */
int pipeline_run(struct pipeline *p, struct pipeline_job *j, struct err *e) WARN_UNUSED;

/*
 * Counters since start, for metrics and benchmarks: how writes were
 * grouped, and where their time went. The jobs' seconds are summed over
 * the jobs (each its own wait; over the jobs done, a mean); the threads'
 * are each thread's wall time in that step (over a run, its share).
 */
struct pipeline_stats {
	uint64_t batches;           /* transactions committed */
	uint64_t batches_replayed;  /* batches of replayable jobs run again in savepoints */
	uint64_t jobs;              /* jobs done, whatever their result */
	double job_queued_s;        /* queued until its batch was taken */
	double job_batch_s;         /* taken until its batch's commit returned */
	double job_sealing_s;       /* committed until done: sealed, or failed */
	uint64_t appends;           /* the sealer's appends to the log */
	uint64_t recorded_by_writer; /* of them, recorded by the writer's next commit */
	double writer_apply_s;      /* the writer running the jobs (their savepoints, the seals taken) */
	double writer_record_s;     /* the writer recording appended batches' indexes */
	double writer_commit_s;     /* the writer committing: the WAL's write and fsync */
	double sealer_append_s;     /* the sealer appending to the log: its writes and fsyncs */
	double sealer_lock_s;       /* the sealer waiting for the store to record indexes itself */
	double sealer_record_s;     /* the sealer recording them (when the writer was not in a transaction) */
};

void pipeline_stats(struct pipeline *p, struct pipeline_stats *out);

#endif
