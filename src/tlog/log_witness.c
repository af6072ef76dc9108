/* log_witness.c - the log as a tlog-witness client: submit each new checkpoint, verify and attach the cosignatures. */
#include "tlog/log_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "tlog/tlog_int.h"
#include "tlog/witness.h"

/* Most bytes of a witness's response read. */
#define W_RESP_MAX 65536
/* Waits after a failure: the first, and the longest. */
#define W_BACKOFF_MIN_MS 1000
#define W_BACKOFF_MAX_MS 300000
/* Limits of one request. */
#define W_TIMEOUT_MS 15000
#define W_CONNECT_MS 5000
/* Tries of one submission, counting those that follow a 409. */
#define W_TRIES 3

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t mono_ms(void)
{
	return clock_mono_ns() / 1000000;
}

/* ---- configuration and DIR/witness-state ---- */

/* Read DIR/witness-state: lines "<vkey> <size>". A missing or bad file means sizes 0. */
static void state_load(struct tlog_log *l)
{
	struct buf b;
	const char *p, *end, *sp;
	uint64_t size;
	size_t i;
	long n;

	buf_init(&b, W_RESP_MAX);
	if (log_file_read(l, "witness-state", &b, W_RESP_MAX, NULL) != RC_OK) {
		buf_release(&b);
		return;
	}
	p = b.data;
	end = b.data + b.len;
	while (p < end && (n = tlog_line_len(p, (size_t)(end - p))) >= 0) {
		sp = memchr(p, ' ', (size_t)n);
		if (sp && tlog_parse_u64(sp + 1, (size_t)(p + n - sp - 1), TLOG_MAX_SIZE - 1,
					 &size) == RC_OK) {
			for (i = 0; i < l->nw; i++)
				if (strlen(l->w[i].vkey) == (size_t)(sp - p) &&
				    memcmp(l->w[i].vkey, p, (size_t)(sp - p)) == 0)
					l->w[i].size = size;
		}
		p += n + 1;
	}
	buf_release(&b);
}

static void state_save(struct tlog_log *l)
{
	struct err e;
	struct buf b;
	size_t i;
	int rc = RC_OK;

	buf_init(&b, W_RESP_MAX);
	for (i = 0; i < l->nw && !rc; i++)
		rc = buf_printf(&b, "%s %llu\n", l->w[i].vkey, (unsigned long long)l->w[i].size);
	err_clear(&e);
	if (!rc)
		rc = log_file_replace(l, "witness-state", b.data, b.len, &e);
	if (rc)
		log_event(LOG_WARN, "cannot save the witness state",
			  json_pack("{s:s}", "error", e.message[0] ? e.message : rc_strerror(rc)));
	buf_release(&b);
}

int log_witness_setup(struct tlog_log *l, const struct tlog_witness_conf *conf, size_t n,
		      struct err *e)
{
	struct log_witness *w;
	size_t i, len;
	int rc;

	l->w = calloc(n, sizeof(*l->w));
	if (!l->w)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	l->nw = n;
	for (i = 0; i < n; i++) {
		w = &l->w[i];
		w->done_seq = UINT64_MAX;
		w->backoff_ms = W_BACKOFF_MIN_MS;
		if (!conf[i].url || (strncmp(conf[i].url, "http://", 7) != 0 &&
				     strncmp(conf[i].url, "https://", 8) != 0))
			return err_set(e, RC_INVAL, "invalid_witness", "witness.url",
				       "witness URL %zu is not an http:// or https:// URL", i + 1);
		rc = tlog_verifier_parse(&w->v, conf[i].vkey ? conf[i].vkey : "", e);
		if (rc) {
			char why[sizeof(e->message)];

			snprintf(why, sizeof(why), "%s", e ? e->message : "");
			return err_set(e, rc, "invalid_witness", "witness.vkey",
				       "witness %zu's key: %s", i + 1, why);
		}
		if (w->v.type != TLOG_KEY_COSIG)
			return err_set(e, RC_INVAL, "invalid_witness", "witness.vkey",
				       "witness key %s is not a cosignature/v1 key", w->v.name);
		len = strlen(conf[i].url);
		while (len && conf[i].url[len - 1] == '/')
			len--;
		w->url = malloc(len + sizeof("/add-checkpoint"));
		w->vkey = strdup(conf[i].vkey);
		if (!w->url || !w->vkey)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		memcpy(w->url, conf[i].url, len);
		memcpy(w->url + len, "/add-checkpoint", sizeof("/add-checkpoint"));
	}
	state_load(l);
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot initialise libcurl");
	return RC_OK;
}

/* Record which witnesses already cosigned the stored checkpoint (as read on open). */
void log_witness_mark(struct tlog_log *l)
{
	struct tlog_note n;
	size_t i, done = 0;

	tlog_note_init(&n);
	if (l->note.len && tlog_note_parse(&n, l->note.data, l->note.len, NULL) == RC_OK) {
		for (i = 0; i < l->nw; i++) {
			if (tlog_note_verify(&n, &l->w[i].v, 1, NULL) != RC_OK)
				continue;
			l->w[i].done_seq = l->seq;
			if (l->w[i].size < l->size)
				l->w[i].size = l->size;
			done++;
		}
	}
	tlog_note_release(&n);
	if (done == l->nw && done && buf_append(&l->witnessed, l->note.data, l->note.len) ==
					     RC_OK) {
		l->witnessed_size = l->size;
		memcpy(l->witnessed_root, l->root, TLOG_HASH_SIZE);
	}
}

void log_witness_release(struct tlog_log *l)
{
	size_t i;

	for (i = 0; i < l->nw; i++) {
		free(l->w[i].url);
		free(l->w[i].vkey);
		if (l->w[i].curl)
			curl_easy_cleanup(l->w[i].curl);
	}
	free(l->w);
	l->w = NULL;
	l->nw = 0;
}

/* ---- one submission ---- */

static size_t w_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;

	if (nmemb && size > SIZE_MAX / nmemb)
		return 0;
	return buf_append(b, ptr, size * nmemb) == RC_OK ? size * nmemb : 0;
}

static int w_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		      curl_off_t ulnow)
{
	struct tlog_log *l = ud;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&l->w_stop) ? 1 : 0;
}

/* POST `body` to the witness; `*status` gets the HTTP status, `resp` the response body. */
static int w_post(struct tlog_log *l, struct log_witness *w, const struct buf *body,
		  long *status, struct buf *resp, struct err *e)
{
	struct curl_slist *hdr = NULL;
	CURLcode cc;
	CURL *c;

	if (!w->curl)
		w->curl = curl_easy_init();
	c = w->curl;
	if (!c)
		return err_set(e, RC_NOMEM, NULL, NULL, "cannot make a libcurl handle");
	curl_easy_reset(c);
	hdr = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
	if (!hdr)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	buf_clear(resp);
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, w_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)W_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)W_CONNECT_MS);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, w_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, l);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "disputed-tlog/1");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	cc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK)
		return err_set(e, RC_IO, "witness_unreachable", NULL, "cannot reach %s: %s",
			       w->url, curl_easy_strerror(cc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return RC_OK;
}

/* Verify the cosignature lines of a 200 over checkpoint `body`; append those by `w` to `lines`. */
static int w_cosigs(struct log_witness *w, const struct buf *body, const struct buf *resp,
		    struct buf *lines, struct err *e)
{
	struct tlog_note n;
	struct buf msg;
	size_t i, found = 0;
	int rc;

	tlog_note_init(&n);
	buf_init(&msg, LOG_NOTE_MAX + W_RESP_MAX);
	rc = buf_append(&msg, body->data, body->len);
	if (!rc)
		rc = buf_append(&msg, "\n", 1);
	if (!rc)
		rc = buf_append(&msg, resp->data, resp->len);
	if (rc) {
		rc = err_set(e, rc, NULL, NULL, "cannot hold the witness's response");
		goto out;
	}
	rc = tlog_note_open(&n, msg.data, msg.len, &w->v, 1, e);
	for (i = 0; !rc && i < n.nsigs; i++) {
		if (!n.sigs[i].verified)
			continue;
		rc = buf_printf(lines, "%s\n", n.sigs[i].line);
		found++;
	}
	if (!rc && !found)
		rc = err_set(e, RC_FORBIDDEN, "unverified_note", NULL, "no cosignature by %s",
			     w->v.name);
out:
	tlog_note_release(&n);
	buf_release(&msg);
	return rc;
}

/* Parse a 409's body: the witness's latest size, "<size>\n". */
static int w_size(const struct buf *resp, uint64_t *size)
{
	size_t n = resp->len;

	while (n && (resp->data[n - 1] == '\n' || resp->data[n - 1] == '\r'))
		n--;
	return tlog_parse_u64(resp->data, n, TLOG_MAX_SIZE - 1, size);
}

/* Submit the checkpoint (`note`, text `body`, of `size` leaves) to one witness. */
static int w_submit(struct tlog_log *l, struct log_witness *w, const struct buf *note,
		    const struct buf *body, uint64_t size, struct buf *lines, struct err *e)
{
	struct tlog_proof proof;
	struct buf req, resp;
	uint64_t old, latest;
	long status = 0;
	int tries, rc = RC_OK;

	buf_init(&req, LOG_NOTE_MAX + 8192);
	buf_init(&resp, W_RESP_MAX);
	for (tries = 0; tries < W_TRIES; tries++) {
		old = w->size;
		if (old > size) {
			rc = err_set(e, RC_CONFLICT, "witness_ahead", NULL,
				     "%s has cosigned size %llu, more than the log's %llu", w->url,
				     (unsigned long long)old, (unsigned long long)size);
			break;
		}
		rc = tlog_log_prove_consistency(l, old, size, &proof, e);
		buf_clear(&req);
		if (!rc && tlog_witness_request_format(&req, old, &proof, note->data, note->len))
			rc = err_set(e, RC_INTERNAL, NULL, NULL, "cannot format the request");
		if (!rc)
			rc = w_post(l, w, &req, &status, &resp, e);
		if (rc)
			break;
		if (status == 200) {
			rc = w_cosigs(w, body, &resp, lines, e);
			if (!rc) {
				w->size = size;
				state_save(l);
			}
			break;
		}
		if (status == 409 && w_size(&resp, &latest) == RC_OK && latest != old) {
			w->size = latest; /* what the witness holds; try again from there */
			continue;
		}
		rc = err_set(e, RC_IO, "witness_refused", NULL, "%s answered %ld: %.200s", w->url,
			     status, resp.data);
		break;
	}
	if (tries == W_TRIES)
		rc = err_set(e, RC_IO, "witness_refused", NULL, "%s keeps answering 409", w->url);
	buf_release(&req);
	buf_release(&resp);
	return rc;
}

/*
 * Attach the new cosignature `lines` for checkpoint `seq` (whose note was
 * `note`): to DIR/checkpoint if it is still the latest, and as the
 * witnessed checkpoint if every witness has now cosigned it.
 */
static void w_attach(struct tlog_log *l, uint64_t seq, const struct buf *note,
		     const struct buf *lines, uint64_t size, const uint8_t root[TLOG_HASH_SIZE])
{
	struct buf next;
	struct err e;
	size_t i, done = 0;
	int rc;

	for (i = 0; i < l->nw; i++)
		done += l->w[i].done_seq == seq;
	buf_init(&next, LOG_NOTE_MAX);
	if (buf_append(&next, note->data, note->len) || buf_append(&next, lines->data, lines->len))
		goto out;
	pthread_mutex_lock(&l->ckpt_mu);
	pthread_mutex_lock(&l->st_mu);
	rc = l->seq == seq && l->note.len == note->len &&
	     memcmp(l->note.data, note->data, note->len) == 0;
	pthread_mutex_unlock(&l->st_mu);
	err_clear(&e);
	if (rc && log_file_replace(l, "checkpoint", next.data, next.len, &e) != RC_OK) {
		log_event(LOG_WARN, "cannot attach cosignatures", json_pack("{s:s}", "error",
									 e.message));
		rc = 0;
	}
	pthread_mutex_lock(&l->st_mu);
	if (rc) {
		struct buf t = l->note;

		l->note = next;
		next = t;
	}
	if (done == l->nw) {
		buf_clear(&l->witnessed);
		if (buf_append(&l->witnessed, note->data, note->len) == RC_OK &&
		    buf_append(&l->witnessed, lines->data, lines->len) == RC_OK) {
			l->witnessed_size = size;
			memcpy(l->witnessed_root, root, TLOG_HASH_SIZE);
		} else {
			buf_clear(&l->witnessed);
		}
	}
	pthread_mutex_unlock(&l->st_mu);
	pthread_mutex_unlock(&l->ckpt_mu);
out:
	buf_release(&next);
}

static void *w_main(void *arg)
{
	struct tlog_log *l = arg;
	struct buf note, body, lines;
	struct log_witness *w;
	uint8_t root[TLOG_HASH_SIZE];
	struct timespec ts;
	struct err e;
	int64_t now, wake;
	uint64_t seq, size;
	size_t i;
	int due;

	buf_init(&note, LOG_NOTE_MAX);
	buf_init(&body, LOG_NOTE_MAX);
	buf_init(&lines, LOG_NOTE_MAX);
	pthread_mutex_lock(&l->st_mu);
	while (!atomic_load(&l->w_stop)) {
		seq = l->seq;
		now = mono_ms();
		wake = INT64_MAX;
		due = 0;
		for (i = 0; i < l->nw; i++) {
			w = &l->w[i];
			if (w->done_seq == seq)
				continue;
			if (l->size == 0) {
				w->done_seq = seq; /* nothing to witness in an empty log */
				continue;
			}
			if (w->next_ms > now)
				wake = w->next_ms < wake ? w->next_ms : wake;
			else
				due = 1;
		}
		if (!due) {
			if (wake == INT64_MAX) {
				pthread_cond_wait(&l->w_cv, &l->st_mu);
			} else {
				ts.tv_sec = (time_t)(wake / 1000);
				ts.tv_nsec = (long)(wake % 1000) * 1000000;
				pthread_cond_timedwait(&l->w_cv, &l->st_mu, &ts);
			}
			continue;
		}
		buf_clear(&note);
		buf_clear(&body);
		buf_clear(&lines);
		size = l->size;
		memcpy(root, l->root, TLOG_HASH_SIZE);
		if (buf_append(&note, l->note.data, l->note.len) ||
		    buf_append(&body, l->body.data, l->body.len)) {
			pthread_mutex_unlock(&l->st_mu);
			goto out;
		}
		pthread_mutex_unlock(&l->st_mu);

		for (i = 0; i < l->nw && !atomic_load(&l->w_stop); i++) {
			w = &l->w[i];
			if (w->done_seq == seq || w->next_ms > now)
				continue;
			err_clear(&e);
			if (w_submit(l, w, &note, &body, size, &lines, &e) == RC_OK) {
				w->done_seq = seq;
				w->backoff_ms = W_BACKOFF_MIN_MS;
				continue;
			}
			log_event(LOG_WARN, "witness did not cosign",
				  json_pack("{s:s, s:I, s:s, s:i}", "witness", w->url, "size",
					    (json_int_t)size, "error", e.message, "retry_ms",
					    (int)w->backoff_ms));
			w->next_ms = mono_ms() + w->backoff_ms;
			w->backoff_ms = w->backoff_ms * 2 > W_BACKOFF_MAX_MS ? W_BACKOFF_MAX_MS
									       : w->backoff_ms * 2;
		}
		if (lines.len)
			w_attach(l, seq, &note, &lines, size, root);
		pthread_mutex_lock(&l->st_mu);
	}
	pthread_mutex_unlock(&l->st_mu);
out:
	buf_release(&note);
	buf_release(&body);
	buf_release(&lines);
	return NULL;
}

int log_witness_start(struct tlog_log *l, struct err *e)
{
	if (pthread_create(&l->w_thread, NULL, w_main, l) != 0)
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot start the witness thread");
	l->w_started = 1;
	return RC_OK;
}

void log_witness_stop(struct tlog_log *l)
{
	if (!l->w_started)
		return;
	atomic_store(&l->w_stop, 1);
	pthread_mutex_lock(&l->st_mu);
	pthread_cond_broadcast(&l->w_cv);
	pthread_mutex_unlock(&l->st_mu);
	pthread_join(l->w_thread, NULL);
	l->w_started = 0;
}
