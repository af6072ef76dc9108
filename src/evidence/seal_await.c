/* seal_await.c - several nodes: waiting until the log's sequencer, in whichever process holds it, has sealed a write's records. */
#include "evidence/seal.h"

#include <time.h>

#include "core/timeutil.h"

/* Most seals one store_seal_unindexed call counts. */
#define AWAIT_CHUNK 4096
/* How long to poll between counts without a signal, at most. */
#define AWAIT_POLL_MAX_MS 20
/* How long one wait for the sequencer's signal lasts before counting again. */
#define AWAIT_SIGNAL_MS 100

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

/* How many of seqs[0..n) have no leaf index yet, in one read. */
static int count_unindexed(struct store *st, const int64_t *seqs, size_t n, size_t *left,
			   struct err *e)
{
	size_t i, part;
	int rc, rc2;

	*left = 0;
	rc = store_begin_read(st, e);
	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i += AWAIT_CHUNK) {
		size_t k = n - i < AWAIT_CHUNK ? n - i : AWAIT_CHUNK;

		rc = store_seal_unindexed(st, seqs + i, k, &part, e);
		if (!rc)
			*left += part;
	}
	rc2 = store_end(st, 0, NULL);
	(void)rc2; /* a read: nothing to lose */
	return rc;
}

int seal_await(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
	       int listen, struct err *e)
{
	int64_t deadline = time_now_ms() + SEAL_AWAIT_MS;
	int pause = 1, got, rc;
	size_t left;

	for (;;) {
		rc = count_unindexed(st, seqs, n, &left, e);
		if (rc)
			return rc;
		if (left == 0)
			break;
		if (time_now_ms() >= deadline)
			return err_set(e, RC_INTERNAL, "seal_pending", NULL,
				       "%zu of %zu records are still waiting for the evidence log's "
				       "sequencer after %d s",
				       left, n, SEAL_AWAIT_MS / 1000);
		if (listen) {
			/* a lost connection is counted again after a pause, not failed */
			if (store_signal_wait(st, STORE_SIG_SEALS_INDEXED, AWAIT_SIGNAL_MS, &got, e)) {
				err_clear(e);
				sleep_ms(AWAIT_POLL_MAX_MS);
			}
			continue;
		}
		sleep_ms(pause);
		if (pause < AWAIT_POLL_MAX_MS)
			pause *= 2;
	}
	/* the sequencer's checkpoint covers them now: let the log's reader see it */
	if (log && tlog_log_read_only(log))
		return tlog_log_refresh(log, e);
	return RC_OK;
}
