/* store_sqlite_ckpt.c - the WAL checkpointed by a thread of its own, so that a commit need not copy the log into the database on the writer's time. */
#include "store/store_sqlite_int.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>

/*
 * Frames in the WAL after a commit that ask for a checkpoint (SQLite's own
 * default for its automatic one), and the many more at which the writer,
 * finding the checkpointer behind (a long reader holding old frames, a
 * slow disk), checkpoints itself as SQLite would, so that the WAL stays
 * bounded whatever happens to the thread.
 */
#define CKPT_FRAMES 1000
#define CKPT_BACKSTOP_FRAMES (16 * CKPT_FRAMES)
/*
 * Frames past which the WAL, though copied all but its last few, has not
 * started over (a commit came between the thread's checkpoint and the
 * next transaction): the writer then copies those few itself.
 */
#define CKPT_RESTART_FRAMES (4 * CKPT_FRAMES)
#define CKPT_IDLE_MS 1000

struct sq_ckpt {
	pthread_t thread;
	sqlite3 *db;             /* the checkpointer's own connection */
	pthread_mutex_t mu;      /* guards pending and stop; never held over a checkpoint */
	pthread_cond_t cv;
	int pending;             /* a commit left CKPT_FRAMES or more in the WAL not yet copied */
	int copied;              /* frames of the WAL the last checkpoint had copied */
	int tried;               /* the writer copied the last few since (CKPT_RESTART_FRAMES) */
	int stop;
	pthread_mutex_t running; /* held over each checkpoint; sq_ckpt_hold takes it */
};

static void *ckpt_main(void *arg)
{
	struct sq_ckpt *c = arg;
	struct timespec until;
	int log, done;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		if (!c->pending) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += CKPT_IDLE_MS / 1000;
			(void)pthread_cond_timedwait(&c->cv, &c->mu, &until);
			continue;
		}
		c->pending = 0;
		pthread_mutex_unlock(&c->mu);
		/*
		 * PASSIVE: copies what no reader still needs and never waits for
		 * the writer, which goes on appending meanwhile; the next commit
		 * after a complete one starts the WAL over from its head.
		 */
		pthread_mutex_lock(&c->running);
		if (sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
					      &done) != SQLITE_OK)
			done = 0;
		pthread_mutex_unlock(&c->running);
		pthread_mutex_lock(&c->mu);
		c->copied = done > 0 ? done : 0;
		c->tried = 0;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/*
 * The writer connection's WAL hook, run after each commit with the frames
 * the WAL holds. The thread is asked for a checkpoint when CKPT_FRAMES of
 * them are new since the last one copied, not whenever the WAL holds that
 * many: a long WAL would then take a checkpoint, and its fsyncs, after
 * every commit. The WAL starts over from its head at the first
 * transaction after a checkpoint that copied it whole; under a steady
 * stream of commits one always comes between, so past CKPT_RESTART_FRAMES
 * the writer copies the last few frames itself, once, as SQLite's own
 * checkpoint does. Far behind (CKPT_BACKSTOP_FRAMES), it checkpoints as
 * SQLite would, so that the WAL stays bounded whatever the thread does.
 */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sq_ckpt *c = arg;
	int log, done, fresh, self;

	pthread_mutex_lock(&c->mu);
	if (frames < c->copied) {
		c->copied = 0; /* the WAL started over from its head */
		c->tried = 0;
	}
	fresh = frames - c->copied;
	self = fresh >= CKPT_BACKSTOP_FRAMES ||
	       (frames >= CKPT_RESTART_FRAMES && fresh < CKPT_FRAMES && !c->tried);
	if (self) {
		c->tried = 1;
		pthread_mutex_unlock(&c->mu);
		if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &done) !=
		    SQLITE_OK)
			done = 0;
		pthread_mutex_lock(&c->mu);
		c->copied = done > 0 ? done : 0;
	} else if (fresh >= CKPT_FRAMES) {
		c->pending = 1;
		pthread_cond_signal(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

static void ckpt_free(struct sq_ckpt *c)
{
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->running);
	free(c);
}

int sq_ckpt_start(struct store *st, struct err *e)
{
	const char *path = sqlite3_db_filename(st->db, "main");
	sigset_t all, was;
	struct sq_ckpt *c;
	char *msg = NULL;
	int started;

	if (!path || !path[0])
		return RC_OK; /* an in-memory store has no WAL */
	c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->running, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA synchronous = FULL", NULL, NULL, &msg) != SQLITE_OK) {
		int rc = err_set(e, RC_DB, "database_error", NULL, "cannot open the checkpointer's connection: %s",
				 msg ? msg : c->db ? sqlite3_errmsg(c->db) : "out of memory");

		sqlite3_free(msg);
		ckpt_free(c);
		return rc;
	}
	/*
	 * Every signal blocked in the thread: the store may be opened before
	 * the program blocks the ones it takes with sigwait (serve), and a
	 * SIGTERM delivered here would end the process unhandled.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	started = pthread_create(&c->thread, NULL, ckpt_main, c) == 0;
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (!started) {
		ckpt_free(c);
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the checkpointer");
	}
	pthread_setname_np(c->thread, "dsp-checkpoint"); /* named from here: it is, once started */
	st->ckpt = c;
	/* replaces SQLite's automatic checkpoint on the writer's connection */
	sqlite3_wal_hook(st->db, on_commit, c);
	return RC_OK;
}

void sq_ckpt_stop(struct store *st)
{
	struct sq_ckpt *c = st->ckpt;

	if (!c)
		return;
	sqlite3_wal_autocheckpoint(st->db, CKPT_FRAMES); /* SQLite's own again */
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	ckpt_free(c);
	st->ckpt = NULL;
}

void sq_ckpt_hold(struct store *st)
{
	if (st->ckpt)
		pthread_mutex_lock(&st->ckpt->running);
}

void sq_ckpt_release(struct store *st)
{
	if (st->ckpt)
		pthread_mutex_unlock(&st->ckpt->running);
}
