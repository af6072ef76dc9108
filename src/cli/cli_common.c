/* cli_common.c - what the subcommands share: data directories, keys, config, serving, importing. */
#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/http.h"
#include "ingest/ingest.h"
#include "notify/webhook.h"
#include "evidence/pipeline.h"
#include "evidence/seal.h"
#include "evidence/sequencer.h"
#include "tlog/keyfile.h"
#include "tlog/log.h"
#include "store/store_pg.h"

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("disputed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_db_path(const char *data_dir, char *out, size_t len)
{
	if ((size_t)snprintf(out, len, "%s/disputed.db", data_dir) >= len)
		return RC_INVAL;
	return RC_OK;
}

static int make_dir(const char *path, struct err *e)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return err_set(e, RC_IO, NULL, NULL, "cannot create %s: %s", path, strerror(errno));
	return RC_OK;
}

int cli_init_data(const char *data_dir, const char *origin, struct err *e)
{
	char db[4200], sub[4200];
	struct store *st = NULL;
	struct stat sb;
	int rc;

	if (cli_db_path(data_dir, db, sizeof(db)))
		return err_set(e, RC_INVAL, NULL, "data", "data directory path is too long");
	if (stat(db, &sb) == 0)
		return err_set(e, RC_CONFLICT, "exists", "data",
			       "%s already holds a disputed database; refusing to overwrite it",
			       data_dir);
	rc = make_dir(data_dir, e);
	if (rc)
		return rc;
	snprintf(sub, sizeof(sub), "%s/blobs", data_dir);
	rc = make_dir(sub, e);
	if (rc)
		return rc;
	snprintf(sub, sizeof(sub), "%s/keys", data_dir);
	rc = make_dir(sub, e);
	if (!rc)
		rc = tlog_keyfile_create(sub, "log", origin, TLOG_KEY_ED25519, e);
	if (rc)
		return rc;
	rc = store_open(db, 1, &st, e);
	if (rc)
		return rc;
	rc = store_begin(st, e);
	if (!rc) {
		char created[TIME_TEXT_MAX];
		int rc2;

		time_format(time_now_ms(), created);
		rc = store_meta_set(st, "origin", origin, e);
		if (!rc)
			rc = store_meta_set(st, "created_at", created, e);
		rc2 = store_end(st, rc == RC_OK, rc ? NULL : e);
		if (!rc)
			rc = rc2;
	}
	store_close(st);
	return rc;
}

int cli_open_store(const char *data_dir, const char *db, struct store **st,
		   struct err *e)
{
	char path[4200], named[4096];
	int rc;

	if (!db || !*db) {
		rc = cli_data_db(data_dir, named, sizeof(named), e);
		if (rc)
			return rc;
		db = named;
	}
	if (store_pg_is_url(db)) {
		rc = store_pg_url_check(db, e);
		return rc ? rc : store_open(db, 0, st, e);
	}
	if (db && strncmp(db, "sqlite:", 7) == 0 && db[7])
		return store_open(db + 7, 0, st, e);
	if (db && *db)
		return err_set(e, RC_INVAL, "invalid_setting", "db",
			       "db must be sqlite:PATH or postgres://…, not %s", db);
	if (cli_db_path(data_dir, path, sizeof(path)))
		return err_set(e, RC_INVAL, NULL, "data", "data directory path is too long");
	return store_open(path, 0, st, e);
}

int cli_key_create(struct store *st, const char *role, const char *name, char *token,
		   struct err *e)
{
	char id[ID_MAX], hash[65];
	int rc;

	id_new(id, "key");
	token_new(token, "dsk");
	token_hash(token, hash);
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_key_insert(st, id, role, name, hash, time_now_ms(), e);
	if (store_end(st, rc == RC_OK, e) && !rc)
		rc = e->rc;
	return rc;
}

void cli_find_shipped(char *setting, size_t size, const char *def)
{
	char exe[4096], cand[4][4300];
	ssize_t n;
	size_t i;

	if (strcmp(setting, def) != 0 || access(setting, R_OK) == 0)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	/* a checkout's build/ and build/san/, an installed bin/, then the system's */
	snprintf(cand[0], sizeof(cand[0]), "%s/../%s", exe, def);
	snprintf(cand[1], sizeof(cand[1]), "%s/../../%s", exe, def);
	snprintf(cand[2], sizeof(cand[2]), "%s/../etc/disputed/%s", exe, def + 4);
	snprintf(cand[3], sizeof(cand[3]), "/etc/disputed/%s", def + 4);
	for (i = 0; i < 4; i++)
		if (access(cand[i], R_OK) == 0 && strlen(cand[i]) < size) {
			snprintf(setting, size, "%s", cand[i]);
			return;
		}
}

void cli_find_web(char *setting, size_t size)
{
	char exe[4096], cand[4][4300], pages[4400];
	ssize_t n;
	size_t i;

	if (strcmp(setting, "web") != 0 || access("web/pages", R_OK) == 0)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	/* a checkout's build/ and build/san/, an installed bin/, then the system's */
	snprintf(cand[0], sizeof(cand[0]), "%s/../web", exe);
	snprintf(cand[1], sizeof(cand[1]), "%s/../../web", exe);
	snprintf(cand[2], sizeof(cand[2]), "%s/../share/disputed/web", exe);
	snprintf(cand[3], sizeof(cand[3]), "/usr/share/disputed/web");
	for (i = 0; i < 4; i++) {
		if ((size_t)snprintf(pages, sizeof(pages), "%s/pages", cand[i]) >= sizeof(pages))
			continue;
		if (access(pages, R_OK) == 0 && strlen(cand[i]) < size) {
			snprintf(setting, size, "%s", cand[i]);
			return;
		}
	}
}

int cli_load_config(struct config *cfg, const char *file, const char *data_dir,
		    struct err *e)
{
	char path[4200];
	int rc;

	config_defaults(cfg);
	if (!file)
		file = getenv("DISPUTED_CONFIG");
	if (file) {
		rc = config_load_file(cfg, file, 1, e);
	} else if (data_dir) {
		snprintf(path, sizeof(path), "%s/disputed.conf", data_dir);
		rc = config_load_file(cfg, path, 0, e);
	} else {
		rc = RC_OK;
	}
	if (!rc)
		rc = config_load_env(cfg, e);
	if (!rc && data_dir)
		snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", data_dir);
	if (!rc && !cfg->data_dir[0])
		rc = err_set(e, RC_INVAL, "required", "data",
			     "no data directory: give --data DIR or set DISPUTED_DATA");
	if (!rc) {
		cli_find_shipped(cfg->rules_path, sizeof(cfg->rules_path), "etc/rules.ini");
		cli_find_shipped(cfg->calendar_dir, sizeof(cfg->calendar_dir), "etc/calendar");
		cli_find_shipped(cfg->focus_model, sizeof(cfg->focus_model), "etc/focus.model");
		cli_find_web(cfg->web_dir, sizeof(cfg->web_dir));
		log_set_level((enum log_level)cfg->log_level);
	}
	return rc;
}

/*
 * How stale a node's view of the log may be when the sequencer is another
 * process (several nodes): a reader re-reads the checkpoint past it.
 */
#define FOLLOW_MS 20

/*
 * Open the data directory's evidence log: for writing, with the configured
 * batches and witnesses, or (`follow`) read-only, following another
 * process's appends.
 */
static int open_log_as(const struct config *cfg, int follow, struct tlog_log **log,
		       struct err *e)
{
	struct tlog_witness_conf wc[CONFIG_MAX_WITNESSES];
	struct tlog_log_opts o;
	struct tlog_signer signer;
	char keys[4200];
	int i, rc;

	snprintf(keys, sizeof(keys), "%s/keys", cfg->data_dir);
	rc = tlog_keyfile_read_signer(keys, "log", &signer, e);
	if (rc)
		return rc;
	memset(&o, 0, sizeof(o));
	o.dir = cfg->data_dir;
	o.signer = &signer;
	o.batch_max = (unsigned)cfg->log_batch_max;
	o.batch_ms = (unsigned)cfg->log_batch_ms;
	for (i = 0; i < cfg->nwitness_url && i < CONFIG_MAX_WITNESSES; i++) {
		wc[i].url = cfg->witness_url[i];
		wc[i].vkey = cfg->witness_vkey[i];
	}
	o.witnesses = wc;
	o.nwitnesses = (size_t)i;
	if (follow) {
		o.read_only = 1;
		o.follow_ms = FOLLOW_MS;
	}
	rc = tlog_log_open(&o, log, e);
	tlog_signer_clear(&signer);
	if (rc == RC_CONFLICT)
		err_set(e, rc, "log_locked", NULL,
			"another process holds the evidence log in %s (is a server running?)",
			cfg->data_dir);
	return rc;
}

static int open_log(const struct config *cfg, struct tlog_log **log, struct err *e)
{
	return open_log_as(cfg, 0, log, e);
}

/* The sequencer's way to the log (evidence/sequencer.h). */
static int open_log_for_sequencer(void *ctx, struct tlog_log **log, struct err *e)
{
	return open_log_as(ctx, 0, log, e);
}

/*
 * The node's log: on a store of its own, open for writing and reconciled
 * with the store before any thread can seal; on a shared store (several
 * nodes), read-only and following, with a sequencer thread that appends
 * for every node while it holds the store's lock.
 */
static int serve_log(struct config *cfg, struct store *st, struct tlog_log **log,
		     struct sequencer **seq)
{
	struct err e;
	int64_t matched = 0;

	err_clear(&e);
	*seq = NULL;
	if (store_shared(st)) {
		struct sequencer_opts so = {st, open_log_for_sequencer, cfg};

		if (open_log_as(cfg, 1, log, &e))
			return cli_fail("cannot open the evidence log: %s", e.message);
		if (sequencer_start(&so, seq, &e)) {
			tlog_log_close(*log);
			return cli_fail("cannot start the log's sequencer: %s", e.message);
		}
		return 0;
	}
	if (open_log(cfg, log, &e))
		return cli_fail("cannot open the evidence log: %s", e.message);
	if (seal_recover(st, *log, &matched, &e)) {
		tlog_log_close(*log);
		return cli_fail("cannot recover the seals of the evidence log: %s", e.message);
	}
	if (matched)
		log_event(LOG_INFO, "recovered seals already in the log",
			  json_pack("{s:I}", "count", (json_int_t)matched));
	return 0;
}

int cli_serve_until_signal(struct config *cfg, struct store *st)
{
	struct webhook_conf wconf = {.allow_private = cfg->webhook_allow_private};
	struct http_server *srv = NULL;
	struct tlog_log *log = NULL;
	struct sequencer *seq = NULL;
	struct err e;
	sigset_t set;
	int sig = 0;

	err_clear(&e);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* before any thread starts, so that every thread leaves these signals to sigwait */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (serve_log(cfg, st, &log, &seq))
		return 1;
	if (http_server_start(cfg, st, log, cfg->data_dir, &srv, &e)) {
		sequencer_stop(seq);
		tlog_log_close(log);
		return cli_fail("%s", e.message);
	}
	if (webhook_worker_start(st, &wconf, &e)) {
		http_server_stop(srv);
		sequencer_stop(seq);
		tlog_log_close(log);
		return cli_fail("%s", e.message);
	}
	log_event(LOG_INFO, "listening",
		  json_pack("{s:s, s:i, s:s}", "listen", cfg->listen, "port",
			    http_server_port(srv), "data", cfg->data_dir));
	sigwait(&set, &sig);
	log_event(LOG_INFO, "stopping", json_pack("{s:s}", "signal", strsignal(sig)));
	webhook_worker_stop();
	http_server_stop(srv);
	sequencer_stop(seq);
	if (!seq && seal_close_mark(st, log, &e))
		log_event(LOG_WARN, "cannot keep where the next recovery starts",
			  json_pack("{s:s}", "detail", e.message));
	tlog_log_close(log);
	log_event(LOG_INFO, "stopped", NULL);
	return 0;
}

int cli_log_take(const char *data_dir, struct store *st, struct tlog_log **log,
		 int64_t *matched, struct err *e)
{
	struct tlog_log_opts o;
	struct tlog_signer signer;
	char keys[4200];
	int rc;

	*log = NULL;
	*matched = 0;
	snprintf(keys, sizeof(keys), "%s/keys", data_dir);
	rc = tlog_keyfile_read_signer(keys, "log", &signer, e);
	if (rc)
		return rc;
	memset(&o, 0, sizeof(o));
	o.dir = data_dir;
	o.signer = &signer;
	rc = tlog_log_open(&o, log, e);
	tlog_signer_clear(&signer);
	if (rc == RC_CONFLICT) {
		*log = NULL;
		err_clear(e);
		return RC_OK;
	}
	if (rc)
		return rc;
	rc = seal_recover(st, *log, matched, e);
	if (rc) {
		tlog_log_close(*log);
		*log = NULL;
	}
	return rc;
}

int cli_seal_pending(const char *data_dir, struct store *st, int64_t *count, int *deferred,
		     struct err *e)
{
	struct tlog_log *log;
	int64_t matched;
	int rc;

	*count = 0;
	*deferred = 0;
	rc = cli_log_take(data_dir, st, &log, &matched, e);
	if (rc)
		return rc;
	if (!log) {
		*deferred = 1;
		return RC_OK;
	}
	rc = seal_pending(st, log, INT64_MAX, count, e);
	if (!rc)
		*count += matched;
	if (!rc) {
		struct err ignore; /* only where the next start's recovery begins */

		err_clear(&ignore);
		if (seal_close_mark(st, log, &ignore))
			log_event(LOG_WARN, "cannot keep where the next recovery starts",
				  json_pack("{s:s}", "detail", ignore.message));
	}
	tlog_log_close(log);
	return rc;
}

/* What an import's lines share: counts, the first failure that stops it. */
struct import_run {
	pthread_mutex_t mu;
	const char *name;      /* the file, for messages */
	struct tlog_log *log;  /* where the lines are sealed as they are written; NULL: later */
	int64_t imported;
	int64_t rejected;
	int64_t sealed;        /* leaves the imported lines' seals put into the log */
	int stopped;           /* a line failed for a reason of the server's (5xx) */
	struct err fatal;      /* that failure */
};

/* One line, queued in the write pipeline. */
struct import_line {
	struct pipeline_job job;
	struct import_run *run;
	json_t *v;             /* the line, parsed on the reading thread */
	int64_t lineno;
	const char *data_dir;
	int64_t now;
	int64_t seals[INGEST_MAX_SEALS];
	struct seal_prep prep; /* its leaves' commitments, made on the reading thread */
};

/* The pipeline's part of a line: validate and store it (replayable: pipeline_job). */
static int import_apply(struct pipeline_job *j, struct store *st, struct err *e)
{
	struct import_line *l = j->ctx;
	struct ingest_ctx c = {.st = st, .data_dir = l->data_dir, .now = l->now};
	json_t *out = NULL;
	int rc = ingest_record(&c, l->v, &out, e);

	json_decref(out);
	if (rc)
		return rc;
	memcpy(l->seals, c.seals, c.nseals * sizeof(c.seals[0]));
	j->seals = l->seals;
	j->nseals = c.nseals;
	return RC_OK;
}

/* A line is done: count it, or say why it was rejected. */
static void import_done(struct pipeline_job *j)
{
	struct import_line *l = j->ctx;
	struct import_run *run = l->run;

	pthread_mutex_lock(&run->mu);
	if (!j->rc) {
		run->imported++;
		run->sealed += run->log ? (int64_t)j->nseals : 0;
	} else if (rc_http_status(j->rc) >= 500) {
		if (!run->stopped)
			run->fatal = j->err;
		run->stopped = 1;
	} else {
		fprintf(stderr, "%s: line %lld: %s%s%s\n", run->name, (long long)l->lineno,
			j->err.param, j->err.param[0] ? ": " : "", j->err.message);
		run->rejected++;
	}
	pthread_mutex_unlock(&run->mu);
	seal_prep_release(&l->prep);
	json_decref(l->v);
	free(l);
}

/*
 * Lines are read and parsed here, and go through the write pipeline
 * (pipeline.h): many lines to a transaction, with no savepoint until one
 * is rejected; then that batch runs again, each line in a savepoint of
 * its own, so a rejected line writes nothing and the others go on. With the
 * log, the pipeline's sealer appends each committed batch's leaves while
 * the writer writes the next (a line is done once sealed); without, their
 * seals stay pending for whoever holds the log (cli_seal_pending).
 */
int cli_import_stream(struct store *st, const char *data_dir, struct tlog_log *log, FILE *in,
		      const char *name, int64_t *imported, int64_t *rejected, int64_t *sealed,
		      struct err *e)
{
	struct import_run run;
	struct pipeline *pipe = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0;
	int rc, stopped = 0;

	*imported = 0;
	*rejected = 0;
	*sealed = 0;
	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.mu, NULL);
	run.name = name;
	run.log = log;
	rc = pipeline_start(st, log, &pipe, e);
	if (rc) {
		pthread_mutex_destroy(&run.mu);
		return rc;
	}
	while (!stopped && (n = getline(&line, &cap, in)) >= 0) {
		struct import_line *l;
		json_error_t je;
		json_t *v;
		size_t i = 0;

		lineno++;
		while (i < (size_t)n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
					 line[i] == '\n'))
			i++;
		if (i == (size_t)n || line[i] == '#')
			continue;
		v = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
		if (!v) {
			pthread_mutex_lock(&run.mu);
			fprintf(stderr, "%s: line %lld: %s\n", name, (long long)lineno,
				json_error_code(&je) == json_error_invalid_utf8
					? "not valid UTF-8"
					: je.text);
			run.rejected++;
			pthread_mutex_unlock(&run.mu);
			continue;
		}
		l = calloc(1, sizeof(*l));
		if (!l) {
			json_decref(v);
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		l->run = &run;
		l->v = v;
		l->lineno = lineno;
		l->data_dir = data_dir;
		l->now = time_now_ms();
		l->job.apply = import_apply;
		l->job.done = import_done;
		l->job.replayable = 1; /* import_apply keeps nothing but what it stores */
		l->job.ctx = l;
		/* the leaves' commitments here, on this thread, not on the writer's */
		ingest_prepare_line(v, &l->prep);
		l->job.prep = &l->prep;
		pipeline_submit(pipe, &l->job);
		pthread_mutex_lock(&run.mu);
		stopped = run.stopped;
		pthread_mutex_unlock(&run.mu);
	}
	/* every queued line is done before the pipeline stops */
	pipeline_free(pipe);
	free(line);
	*imported = run.imported;
	*rejected = run.rejected;
	*sealed = run.sealed;
	if (!rc && run.stopped) {
		*e = run.fatal;
		rc = run.fatal.rc;
	}
	pthread_mutex_destroy(&run.mu);
	return rc;
}
