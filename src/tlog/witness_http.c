/* witness_http.c - the witness's HTTP endpoint on libmicrohttpd: POST /add-checkpoint with a body cap, logged as JSON lines. */
#include "tlog/witness_server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/netaddr.h"
#include "core/num.h"

#define WITNESS_PATH "/add-checkpoint"
/* How long a stop waits for requests in flight before closing their connections. */
#define WITNESS_DRAIN_MS 5000

struct tlog_witness_http {
	struct MHD_Daemon *daemon;
	struct tlog_witness *w;  /* the witness served; not owned */
	size_t max_body;         /* largest body accepted */
	int port;                /* the port bound */
	atomic_int in_flight;    /* requests begun and not yet completed */
};

/* One request, from its headers to its completion. */
struct wreq {
	struct buf body;    /* the body so far; released once it passes the cap */
	int too_big;        /* the body is (or announced itself) larger than the cap */
	int64_t start_ns;   /* monotonic start time */
};

static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *type,
				 const char *text, size_t len, int allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (allow)
		MHD_add_response_header(resp, "Allow", "POST");
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void log_request(const char *method, const char *path, int status,
			const struct tlog_witness_reply *reply, const struct err *e,
			int64_t start_ns)
{
	double ms = (double)(clock_mono_ns() - start_ns) / 1e6;
	json_t *f = json_pack("{s:s, s:s, s:i, s:f}", "method", method, "path", path, "status",
			      status, "ms", ms);

	if (f && reply && reply->origin[0]) {
		json_object_set_new(f, "origin", json_string(reply->origin));
		json_object_set_new(f, "old", json_integer((json_int_t)reply->old_size));
		json_object_set_new(f, "size", json_integer((json_int_t)reply->size));
	}
	if (f && e && e->rc) {
		json_object_set_new(f, "code", json_string(e->code[0] ? e->code : rc_strerror(e->rc)));
		json_object_set_new(f, "detail", json_string(e->message));
	}
	log_event(status >= 500 ? LOG_ERROR : LOG_INFO, "request", f);
}

/*
 * A checkpoint the log signed that contradicts what the witness cosigned is
 * proof of a split view (the spec lets a witness keep it): log it whole.
 */
static void log_inconsistency(const struct tlog_witness_reply *reply, const struct err *e,
			      const struct buf *body)
{
	if (strcmp(e->code, "inconsistent_checkpoint") != 0 &&
	    strcmp(e->code, "root_mismatch") != 0)
		return;
	log_event(LOG_WARN, "log signed an inconsistent checkpoint",
		  json_pack("{s:s, s:s, s:s%}", "origin", reply->origin, "code", e->code,
			    "request", body->data, body->len));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct tlog_witness_http *h = cls;
	struct wreq *r = *con_cls;
	struct tlog_witness_reply reply;
	struct err e;
	enum MHD_Result ret;
	const char *msg;
	int status;

	(void)version;
	if (!r) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");
		int64_t n;

		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->start_ns = clock_mono_ns();
		buf_init(&r->body, h->max_body);
		if (cl && num_parse_i64(cl, 0, INT64_MAX, &n) == RC_OK && (uint64_t)n > h->max_body)
			r->too_big = 1;
		atomic_fetch_add(&h->in_flight, 1);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* past the cap the rest is read and dropped, so the 413 reaches the client */
		if (buf_feed(&r->body, upload_data, *upload_data_size, &r->too_big))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}

	msg = NULL;
	if (strcmp(url, WITNESS_PATH) != 0) {
		status = 404;
		msg = "not found: a witness serves POST " WITNESS_PATH "\n";
	} else if (strcmp(method, "POST") != 0) {
		status = 405;
		msg = "method not allowed: use POST\n";
	} else if (r->too_big) {
		status = 413;
		msg = "request body too large\n";
	}
	if (msg) {
		log_request(method, url, status, NULL, NULL, r->start_ns);
		return send_text(conn, status, "text/plain; charset=utf-8", msg, strlen(msg),
				 status == 405);
	}

	err_clear(&e);
	tlog_witness_reply_init(&reply);
	if (tlog_witness_add_checkpoint(h->w, r->body.data, r->body.len, (uint64_t)time(NULL),
					&reply, &e))
		log_inconsistency(&reply, &e, &r->body);
	log_request(method, url, reply.status, &reply, &e, r->start_ns);
	ret = send_text(conn, reply.status, reply.type, reply.body.data, reply.body.len, 0);
	tlog_witness_reply_release(&reply);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct tlog_witness_http *h = cls;
	struct wreq *r = *con_cls;

	(void)conn;
	(void)toe;
	if (!r)
		return;
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&h->in_flight, 1);
}

int tlog_witness_http_start(struct tlog_witness *w, const char *listen, unsigned threads,
			    size_t max_body, struct tlog_witness_http **out, struct err *e)
{
	struct tlog_witness_http *h;
	struct sockaddr_storage ss;
	struct sockaddr *sa;
	int port, v6;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	*out = NULL;
	if (netaddr_listen(listen, &ss, &v6, e))
		return e->rc;
	if (v6)
		flags |= MHD_USE_IPv6;
	port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			: ((struct sockaddr_in *)&ss)->sin_port);
	sa = (struct sockaddr *)&ss;
	h = calloc(1, sizeof(*h));
	if (!h)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	atomic_init(&h->in_flight, 0);
	h->w = w;
	h->max_body = max_body ? max_body : TLOG_WITNESS_BODY_MAX;
	h->daemon = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_request, h,
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 1u,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_END);
	if (!h->daemon) {
		free(h);
		return err_set(e, RC_IO, "listen_failed", "listen", "cannot listen on %s", listen);
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : port;
	*out = h;
	return RC_OK;
}

int tlog_witness_http_port(const struct tlog_witness_http *h)
{
	return h->port;
}

void tlog_witness_http_stop(struct tlog_witness_http *h)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	int64_t deadline;

	if (!h)
		return;
	MHD_quiesce_daemon(h->daemon);
	deadline = clock_mono_ns() + (int64_t)WITNESS_DRAIN_MS * 1000000;
	while (atomic_load(&h->in_flight) > 0 && clock_mono_ns() < deadline)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(h->daemon);
	free(h);
}
