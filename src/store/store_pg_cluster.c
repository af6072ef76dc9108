/* store_pg_cluster.c - the PostgreSQL side of store_cluster.h: the sequencer's advisory lock, NOTIFY/LISTEN between nodes, which seals still wait for a leaf index. */
#include "store/store_pg_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "store/store_cluster.h"

/* Longest a wait polls the socket before it looks at the connection again (store_cluster.h). */
#define PGC_SLICE_MS 50

/* Each signal's channel, by enum store_signal. */
static const char *const channels[STORE__SIGNALS] = {
	[STORE_SIG_SEALS_PENDING] = STORE_CHANNEL_SEALS_PENDING,
	[STORE_SIG_SEALS_INDEXED] = STORE_CHANNEL_SEALS_INDEXED,
};

static int signal_check(enum store_signal sig, struct err *e)
{
	if ((unsigned)sig >= STORE__SIGNALS)
		return err_set(e, RC_INVAL, "bad_value", "signal", "no such signal %d", (int)sig);
	return RC_OK;
}

static int pgc_shared(struct store *st)
{
	(void)st;
	return 1;
}

/* ---- the sequencer lock ---- */

/* Does this session hold the lock? pg_locks shows a bigint key as its halves, objsubid 1. */
static int lock_still_held(struct store *st, int *held, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
			  "AND pid = pg_backend_pid() AND granted AND objsubid = 1 "
			  "AND classid = (" STORE_SEQUENCER_KEY "::bigint >> 32)::oid "
			  "AND objid = (" STORE_SEQUENCER_KEY "::bigint & 4294967295)::oid",
			  0, NULL, &rows, e);

	if (rc)
		return rc;
	*held = pg_step(&rows) && pg_col_int64(&rows, 0) > 0;
	pg_rows_clear(&rows);
	return RC_OK;
}

static int lock_try(struct store *st, int *held, struct err *e)
{
	struct pg_rows rows;
	int rc = pg_query(st->pg, "SELECT pg_try_advisory_lock(" STORE_SEQUENCER_KEY ")", 0, NULL,
			  &rows, e);

	if (rc)
		return rc;
	*held = pg_step(&rows) && strcmp(pg_col_text(&rows, 0) ? pg_col_text(&rows, 0) : "",
					 "t") == 0;
	pg_rows_clear(&rows);
	return RC_OK;
}

static int pgc_sequencer_hold(struct store *st, int *held, struct err *e)
{
	struct pg_cluster *c = &st->cluster;
	int now = 0, rc;

	*held = 0;
	rc = pg_outside_lock(st, e);
	if (rc)
		return rc;
	/* taken by a session the reconnect has since replaced: it went with that session */
	if (c->seq_held && c->seq_session != st->pg->session)
		c->seq_held = 0;
	/* asking once more for a lock held would take it twice (advisory locks stack) */
	rc = c->seq_held ? lock_still_held(st, &now, e) : lock_try(st, &now, e);
	c->seq_held = !rc && now;
	c->seq_session = st->pg->session;
	*held = c->seq_held;
	pg_outside_unlock(st);
	return rc;
}

static int pgc_sequencer_release(struct store *st, struct err *e)
{
	struct pg_cluster *c = &st->cluster;
	int rc;

	/* a failed reconnect has moved pg->session on: the lock counts as gone with the old one */
	rc = pg_outside_lock(st, e);
	if (rc)
		return rc;
	if (c->seq_held && c->seq_session == st->pg->session) {
		rc = pg_query(st->pg, "SELECT pg_advisory_unlock(" STORE_SEQUENCER_KEY ")", 0, NULL,
			      NULL, e);
		/* still held only if the session lives on and the unlock did not run */
		if (!rc || PQstatus(st->pg->conn) != CONNECTION_OK)
			c->seq_held = 0;
	} else {
		c->seq_held = 0;
	}
	pg_outside_unlock(st);
	return rc;
}

/* ---- signals ---- */

static int pgc_signal(struct store *st, enum store_signal sig, struct err *e)
{
	char sql[64];
	int rc = signal_check(sig, e);

	if (rc)
		return rc;
	/* outside a transaction NOTIFY would go at once, before what it announces is visible */
	if (!st->pg->in_tx)
		return err_set(e, RC_INTERNAL, NULL, NULL, "store_signal outside a transaction");
	snprintf(sql, sizeof(sql), "NOTIFY %s", channels[sig]);
	return pg_exec(st->pg, sql, e);
}

/* LISTEN on `sig`'s channel unless this session does already. Under the store's lock. */
static int listen_on(struct store *st, enum store_signal sig, struct err *e)
{
	struct pg_cluster *c = &st->cluster;
	char sql[64];
	int rc;

	if (c->listen_session != st->pg->session) {
		/* a new session: it listens to nothing, and what came to the old one is lost */
		c->listening = c->arrived = 0;
		c->listen_session = st->pg->session;
	}
	if (c->listening & (1u << sig))
		return RC_OK;
	snprintf(sql, sizeof(sql), "LISTEN %s", channels[sig]);
	rc = pg_exec(st->pg, sql, e);
	if (!rc)
		c->listening |= 1u << sig;
	return rc;
}

/* Read what the server sent and note the signals among it. Under the store's lock. */
static int collect(struct store *st, struct err *e)
{
	struct pg_cluster *c = &st->cluster;
	PGnotify *n;

	if (!PQconsumeInput(st->pg->conn))
		return pg_fail(st->pg, NULL, "wait for a signal", e);
	while ((n = PQnotifies(st->pg->conn)) != NULL) {
		for (unsigned i = 0; i < STORE__SIGNALS; i++)
			if ((c->listening & (1u << i)) && strcmp(n->relname, channels[i]) == 0)
				c->arrived |= 1u << i;
		PQfreemem(n);
	}
	return RC_OK;
}

/* Wait up to `ms` for `fd` to be readable; an interrupted wait only ends early. */
static void socket_wait(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	(void)poll(&p, 1, ms);
}

static int pgc_signal_wait(struct store *st, enum store_signal sig, int timeout_ms, int *got,
			   struct err *e)
{
	struct pg_cluster *c = &st->cluster;
	int64_t deadline, left;
	unsigned session;
	int fd, rc;

	*got = 0;
	rc = signal_check(sig, e);
	if (rc)
		return rc;
	if (timeout_ms < 0)
		return err_set(e, RC_INVAL, "bad_value", "timeout_ms", "timeout_ms is negative");
	deadline = clock_mono_ns() / 1000000 + timeout_ms;
	rc = pg_outside_lock(st, e);
	if (rc)
		return rc;
	rc = listen_on(st, sig, e);
	while (!rc) {
		rc = collect(st, e);
		if (rc)
			break;
		if (c->arrived & (1u << sig)) {
			c->arrived &= ~(1u << sig);
			*got = 1;
			break;
		}
		left = deadline - clock_mono_ns() / 1000000;
		if (left <= 0)
			break;
		fd = PQsocket(st->pg->conn);
		if (fd < 0) {
			rc = pg_fail(st->pg, NULL, "wait for a signal", e);
			break;
		}
		/* others may use the store meanwhile; what their statements read in, collect finds */
		session = st->pg->session;
		pg_outside_unlock(st);
		socket_wait(fd, left < PGC_SLICE_MS ? (int)left : PGC_SLICE_MS);
		rc = pg_outside_lock(st, e);
		if (rc)
			return rc;
		if (st->pg->session != session)
			rc = err_set(e, RC_DB, "database_unavailable", NULL,
				     "connection to PostgreSQL %s was lost while waiting for a "
				     "signal: signals may have been missed", st->pg->where);
	}
	pg_outside_unlock(st);
	return rc;
}

/* ---- seal progress ---- */

static int pgc_seal_unindexed(struct store *st, const int64_t *seqs, size_t n, size_t *left,
			      struct err *e)
{
	const char *param[1];
	struct pg_rows rows;
	char *list;
	int rc;

	*left = 0;
	if (n > STORE_UNINDEXED_MAX)
		return err_set(e, RC_INVAL, "too_many", "seqs", "%zu seals: at most %d at once", n,
			       STORE_UNINDEXED_MAX);
	if (n == 0)
		return RC_OK;
	/* one array parameter: one statement, whatever n is */
	list = pg_i64_array(seqs, n);
	if (!list)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	param[0] = list;
	/* per element, so a seq given twice counts twice and one with no row counts */
	rc = pg_query(st->pg, "SELECT count(*) FROM unnest($1::bigint[]) AS u(seq) "
		      "WHERE NOT EXISTS (SELECT 1 FROM seals s WHERE s.seq = u.seq "
		      "AND s.leaf_index IS NOT NULL)", 1, param, &rows, e);
	free(list);
	if (rc)
		return rc;
	if (pg_step(&rows))
		*left = (size_t)pg_col_int64(&rows, 0);
	pg_rows_clear(&rows);
	return RC_OK;
}

const struct store_cluster_ops pg_cluster_ops = {
	.shared = pgc_shared,
	.sequencer_hold = pgc_sequencer_hold,
	.sequencer_release = pgc_sequencer_release,
	.signal = pgc_signal,
	.signal_wait = pgc_signal_wait,
	.seal_unindexed = pgc_seal_unindexed,
};
