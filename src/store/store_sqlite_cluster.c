/* store_sqlite_cluster.c - the SQLite side of store_cluster.h: one process holds the database and the log, so the sequencer is always this one and no node is there to signal. */
#include "store/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <time.h>

#include "store/store_sqlite_int.h"

/* The longest store_signal_wait sleeps: a caller's loop stays responsive. */
#define SQ_WAIT_CAP_MS 50

static int sq_shared(struct store *st)
{
	(void)st;
	return 0;
}

/* The file's lock (the log's writer lock) already makes this process the only sequencer. */
static int sq_sequencer_hold(struct store *st, int *held, struct err *e)
{
	(void)st;
	(void)e;
	*held = 1;
	return RC_OK;
}

static int sq_sequencer_release(struct store *st, struct err *e)
{
	(void)st;
	(void)e;
	return RC_OK;
}

static int sq_signal(struct store *st, enum store_signal sig, struct err *e)
{
	(void)st;
	if ((unsigned)sig >= STORE__SIGNALS)
		return err_set(e, RC_INVAL, "bad_value", "signal", "no such signal %d", (int)sig);
	return RC_OK;
}

static int sq_signal_wait(struct store *st, enum store_signal sig, int timeout_ms, int *got,
			  struct err *e)
{
	struct timespec ts;
	int ms = timeout_ms < SQ_WAIT_CAP_MS ? timeout_ms : SQ_WAIT_CAP_MS;

	(void)st;
	*got = 0;
	if ((unsigned)sig >= STORE__SIGNALS)
		return err_set(e, RC_INVAL, "bad_value", "signal", "no such signal %d", (int)sig);
	if (timeout_ms < 0)
		return err_set(e, RC_INVAL, "bad_value", "timeout_ms", "timeout_ms is negative");
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return RC_OK;
}

/* One lookup by primary key per seq: at most STORE_UNINDEXED_MAX of them, in the transaction. */
static int sq_seal_unindexed(struct store *st, const int64_t *seqs, size_t n, size_t *left,
			     struct err *e)
{
	sqlite3_stmt *s;
	size_t count = 0;
	int rc, step;

	*left = 0;
	if (n > STORE_UNINDEXED_MAX)
		return err_set(e, RC_INVAL, "too_many", "seqs", "%zu seals: at most %d at once", n,
			       STORE_UNINDEXED_MAX);
	if (n == 0)
		return RC_OK;
	rc = sq_prep_kept(st, "SELECT leaf_index IS NOT NULL FROM seals WHERE seq = ?", &s, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, seqs[i]);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW) {
			if (!sqlite3_column_int(s, 0))
				count++;
		} else if (step == SQLITE_DONE) {
			count++; /* no such row: nothing indexed it */
		} else {
			rc = sq_fail(st, e, "read seal index");
			break;
		}
	}
	sq_finish(st, s);
	if (!rc)
		*left = count;
	return rc;
}

const struct store_cluster_ops sq_cluster_ops = {
	.shared = sq_shared,
	.sequencer_hold = sq_sequencer_hold,
	.sequencer_release = sq_sequencer_release,
	.signal = sq_signal,
	.signal_wait = sq_signal_wait,
	.seal_unindexed = sq_seal_unindexed,
};
