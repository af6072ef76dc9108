/* http_int.h - what the server core shares with the resource handlers. */
#ifndef DISPUTED_HTTP_INT_H
#define DISPUTED_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/ids.h"
#include "store/store.h"
#include "tlog/log.h"
#include "cases/calendar.h"
#include "assist/focus.h"
#include "assist/llm.h"
#include "cases/rules.h"
#include "cases/rules_set.h"
#include "cases/vocab.h"
#include "disclose/disclose.h"
#include "evidence/pipeline.h"
#include "evidence/seal.h"

#include <pthread.h>

struct http_req;

/* A handler runs inside a store transaction that commits only if it returns RC_OK. */
typedef int (*http_handler)(struct http_req *r, struct err *e);

/* Roles (enum actor_role, vocab.h), as bits, for a route's access list. */
enum {
	ROLE_PLATFORM = 1 << ACTOR_PLATFORM,
	ROLE_AGENT = 1 << ACTOR_AGENT,
	ROLE_CONSUMER = 1 << ACTOR_CONSUMER,
	ROLE_MERCHANT = 1 << ACTOR_MERCHANT,
	ROLE_COURT = 1 << ACTOR_COURT,
	ROLE_ASSOCIATION = 1 << ACTOR_ASSOCIATION,
	ROLE_REGULATOR = 1 << ACTOR_REGULATOR,
	ROLE_WITNESS = 1 << ACTOR_WITNESS,
	ROLE_PUBLIC = 1 << 15, /* no credentials needed */
};

struct route {
	const char *method;     /* "GET", "POST", "DELETE" */
	const char *pattern;    /* "/v1/orders/{id}/logistics" */
	unsigned roles;         /* who may call it */
	int raw_body;           /* the body is bytes, not JSON (blobs) */
	http_handler handler;
	int rest;               /* the last {param} takes the rest of the path, slashes too */
};

#define HTTP_MAX_PARAMS 2

/*
 * The Content-Security-Policy of the pages under /app/ and of their files:
 * only the server's own scripts, styles, fonts and requests; images also
 * from blob: and data: URLs (a photo picked before it is sent); no inline
 * script or style, no plugins, no <base>, never framed.
 */
#define HTTP_PAGES_CSP                                                                    \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " \
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "          \
	"form-action 'self'; frame-ancestors 'none'"

struct http_server {
	struct MHD_Daemon *daemon;
	struct store *st;
	struct tlog_log *log;            /* the evidence log */
	char log_vkey[600];              /* its verifier key text */
	char web_version[17];            /* the pages' assets version (res_app.c); "" if no pages */
	const struct rules *_Atomic rules; /* the rules version in force at the time of the
					    * latest request (borrowed from rules_set; set by
					    * http_rules_refresh under the store's lock) */
	struct rules_set *rules_set;     /* every published version of the rules (owned) */
	struct calendar *cal;            /* the statutory calendar (owned) */
	struct focus_model *focus;       /* the dispute-focus model of assessments (owned) */
	struct llm_config llm;           /* the optional language model of assessments */
	pthread_t worker;                /* fires timers, seals what is pending */
	int worker_running;
	int idem_ticks;                  /* worker ticks since the last idempotency purge */
	int risk_ticks;                  /* worker ticks since the last risk scan (res_risk.c) */
	int stopping;                    /* tells the worker to finish */
	pthread_mutex_t worker_lock;
	pthread_cond_t worker_wake;
	const char *witness_vkeys[CONFIG_MAX_WITNESSES]; /* configured witnesses' keys (in cfg) */
	size_t nwitness_vkeys;
	const char *data_dir;
	const struct config *cfg;
	int port;
	atomic_int in_flight;    /* requests begun and not yet completed */
	struct pipeline *pipe;   /* the write pipeline (pipeline.h): writes and timers */
	struct store *rd;        /* a reader of st (store_open_reader): credentials, and the
				    seals a queued write's reply shows, without waiting for
				    the pipeline's transaction; NULL to read through st */
};

/*
 * A streamed reply's source (libmicrohttpd's content reader): copy up to
 * `max` bytes from position `pos` (sequential) into `buf`; return how many,
 * or MHD_CONTENT_READER_END_WITH_ERROR to cut the reply short.
 */
typedef ssize_t http_stream_read_fn(void *cls, uint64_t pos, char *buf, size_t max);

struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	char path[1024];
	const struct route *route;       /* NULL if nothing matched */
	int path_matched;                /* some route has this path */
	char allow[48];                  /* the methods routes allow on this path */
	char params[HTTP_MAX_PARAMS][256]; /* path parameters, in order */
	struct principal who;            /* valid when authed */
	int authed;
	struct buf body;                 /* request body */
	int too_big;                     /* body passed the cap */
	int64_t start_ns;                /* monotonic start time */
	int64_t now;                     /* ms: the request's time */
	int64_t seals[16];               /* pending seals the handler made (seal.h); more
					  * stay pending for the worker to integrate */
	size_t nseals;
	char request_id[ID_MAX];         /* req_…, echoed in Request-Id */
	/* the response, turned into an MHD response when the handler is done */
	int status;
	char *resp_body;                 /* malloc'd */
	size_t resp_len;
	json_t *resp_json;               /* what resp_body was dumped from (http_reply_json), or NULL:
					  * the seals are added to it, not to a parse of the text */
	const char *resp_type;           /* static string */
	int replayed;                    /* an idempotent replay */
	char secret_of[ID_MAX];          /* the reply shows this resource's secret once:
					  * never stored for replay (server.c) */
	const char *cache_control;       /* static Cache-Control value; NULL means no-store */
	int page_headers;                /* a page or its file: add the pages' security headers */
	char disposition[160];           /* Content-Disposition, if any */
	int verbatim;                    /* send the reply's bytes as they are (no "sealed" added) */
	/* or a streamed reply (http_reply_stream), read as it is sent */
	uint64_t stream_size;
	http_stream_read_fn *stream_read;
	void *stream_cls;                /* owned until the response takes it */
	void (*stream_free)(void *cls);
	/* or a reply from an open file (http_reply_fd), sent with sendfile */
	int have_fd;                     /* resp_fd is open and owned */
	int resp_fd;
	json_t *error_extra;             /* members a 4xx error object carries besides type, code,
					  * message and param (owned; http_reply_error uses it) */
	/* a write handed to the pipeline (server.c), its connection suspended meanwhile */
	struct pipeline_job job;
	int queued;                      /* handed over; the reply waits for job_done */
	atomic_int job_done;             /* the pipeline is done with it */
	int refused;                     /* the reply is a refusal kept for its Idempotency-Key */
	int has_key;                     /* an Idempotency-Key came: idem_key, idem_hash */
	char idem_key[256];
	char idem_hash[65];
	json_t *body_json;               /* the body, parsed before the request was queued */
	int body_parsed;                 /* body_json (or body_err) holds the parse */
	struct err body_err;             /* why the body did not parse */
	struct seal_prep prep;           /* its leaves' commitments, made on this request's thread */
	int outside_done;                /* its step outside the store ran (server.c, outside_steps):
					  * outside_err is its result */
	struct err outside_err;
};

/* Role name to its bit, 0 if unknown. */
unsigned http_role_bit(const char *role);

/* The route table, and its size. */
extern const struct route http_routes[];
extern const size_t http_route_count;

/* Reply with a JSON value (taken). */
int http_reply_json(struct http_req *r, int status, json_t *v);
/* Reply with bytes of a content type (copied). */
int http_reply_bytes(struct http_req *r, int status, const char *type, const void *data,
		     size_t len);
/*
 * Reply with `size` bytes of a content type read from `cls` by `read` as
 * they are sent, in bounded memory: `cls` is taken, and freed with
 * `free_cls` when the reply is done or replaced. Such a reply is sent
 * verbatim.
 */
int http_reply_stream(struct http_req *r, int status, const char *type, uint64_t size,
		      http_stream_read_fn *read, void *cls, void (*free_cls)(void *cls));
/*
 * Reply with the `size` bytes of the open file `fd` (taken: closed when the
 * reply is done or replaced), sent by libmicrohttpd with sendfile where it
 * can. Such a reply is sent verbatim.
 */
int http_reply_fd(struct http_req *r, int status, const char *type, int fd, uint64_t size);
/* Reply with the error in `e`. */
void http_reply_error(struct http_req *r, const struct err *e);

/* Parse the JSON body, which must be an object. */
int http_body_json(struct http_req *r, json_t **out, struct err *e) WARN_UNUSED;

/* A query argument, or NULL. */
const char *http_query(struct http_req *r, const char *name);

/* ?limit= (1..100, default 20) and ?cursor= into a row number to list after. */
int http_page(struct http_req *r, int *limit, int64_t *after, struct err *e) WARN_UNUSED;

/* {"object":"list","data":items (taken),"next_cursor":…}. */
json_t *http_list(json_t *items, int64_t next);

/* Record in the audit log that the caller was shown `fields` of `object_id`. */
int http_audit(struct http_req *r, const char *object_id, const char *fields,
	       struct err *e) WARN_UNUSED;

/* Keep the pending seals an ingest call made, to integrate after commit. */
void http_keep_seals(struct http_req *r, const int64_t *seals, size_t n);

/* The caller's role is one of `roles`. */
int http_is(struct http_req *r, unsigned roles);

/*
 * Views: what the caller may see of a stored record (disclose_view), as a
 * new reference in *out, with the personal data it reads audit-logged.
 * RC_NOTFOUND if the caller may not see the record.
 */
int http_view(struct http_req *r, enum disclose_kind kind, json_t *record, json_t **out,
	      struct err *e) WARN_UNUSED;
/* As http_view for a merchant, with the platform's flags on it for the roles that see them. */
int http_view_merchant(struct http_req *r, json_t *m, json_t **out, struct err *e) WARN_UNUSED;
/* Whether the caller may see the record at all (RC_NOTFOUND if not); nothing is audited. */
int http_may_see(struct http_req *r, enum disclose_kind kind, json_t *record,
		 struct err *e) WARN_UNUSED;

/*
 * Narrow a list's filter to the records of `kind` the caller may list
 * (disclose_scope_of): a filter naming someone else's records matches nothing.
 */
void http_narrow(struct http_req *r, enum disclose_kind kind, struct store_filter *f);

/* Find an order the caller may see by id or external id (404 otherwise). */
int find_order(struct http_req *r, const char *ref, json_t **order, struct err *e) WARN_UNUSED;

/*
 * The route table's own string for `method` if some route uses it ("GET",
 * "POST", "DELETE"), else NULL: the methods this server knows.
 */
const char *http_method_known(const char *method);

/*
 * Metrics. `route` is a static string (a route pattern or "unmatched");
 * `method` may be anything a client sent: a method no route uses is
 * counted as "OTHER", so the series stay a bounded set.
 */
void metrics_observe(const char *route, const char *method, int status, double seconds);
int metrics_render(struct buf *out) WARN_UNUSED;

/* Handlers. */
int res_healthz(struct http_req *r, struct err *e);
/* GET /app/ and /app/{app_path}: the pages and their assets (res_app.c). */
int res_app(struct http_req *r, struct err *e);
/* Find the pages under `web_dir` and take their assets' version (res_app.c). */
void http_app_init(struct http_server *srv, const char *web_dir);
int res_metrics(struct http_req *r, struct err *e);
int res_token_create(struct http_req *r, struct err *e);
int res_token_revoke(struct http_req *r, struct err *e);
int res_whoami(struct http_req *r, struct err *e);
int res_merchant_create(struct http_req *r, struct err *e);
int res_merchant_list(struct http_req *r, struct err *e);
int res_merchant_get(struct http_req *r, struct err *e);
int res_merchant_update(struct http_req *r, struct err *e);
int res_merchant_version(struct http_req *r, struct err *e);
int res_report_merchant_verification(struct http_req *r, struct err *e);
int res_merchant_flag_set(struct http_req *r, struct err *e);
int res_merchant_flag_clear(struct http_req *r, struct err *e);
int res_blob_create(struct http_req *r, struct err *e);
int res_blob_get(struct http_req *r, struct err *e);
int res_blob_content(struct http_req *r, struct err *e);
int res_listing_create(struct http_req *r, struct err *e);
int res_listing_list(struct http_req *r, struct err *e);
int res_listing_get(struct http_req *r, struct err *e);
int res_listing_version(struct http_req *r, struct err *e);
int res_listing_suspend(struct http_req *r, struct err *e);
int res_listing_reinstate(struct http_req *r, struct err *e);
/*
 * The agent queue (res_queue.c): *priority is 1 for ?sort=priority (staff
 * only: 403 for anyone else), 0 for none or sort=created; 400 for another.
 * http_dispute_queue replies with the page of live disputes matching `f`
 * (none when `nothing`), paged by its own cursor.
 */
int http_dispute_sort(struct http_req *r, int *priority, struct err *e) WARN_UNUSED;
int http_dispute_queue(struct http_req *r, const struct store_dispute_filter *f, int nothing,
		       struct err *e) WARN_UNUSED;
int res_order_create(struct http_req *r, struct err *e);
int res_order_list(struct http_req *r, struct err *e);
int res_order_get(struct http_req *r, struct err *e);
int res_logistics_create(struct http_req *r, struct err *e);
int res_logistics_list(struct http_req *r, struct err *e);
int res_message_create(struct http_req *r, struct err *e);
int res_message_list(struct http_req *r, struct err *e);
int res_consumer_get(struct http_req *r, struct err *e);
int res_consumer_signals(struct http_req *r, struct err *e);
int res_consumer_flag_set(struct http_req *r, struct err *e);
int res_consumer_flag_clear(struct http_req *r, struct err *e);
int res_consumer_flag_appeal(struct http_req *r, struct err *e);
int res_consumer_flag_decide(struct http_req *r, struct err *e);
int res_audit_list(struct http_req *r, struct err *e);
int res_report_compliance(struct http_req *r, struct err *e);
int res_log_checkpoint(struct http_req *r, struct err *e);
int res_log_tile(struct http_req *r, struct err *e);
int res_order_bundle(struct http_req *r, struct err *e);
int res_dispute_create(struct http_req *r, struct err *e);
int res_dispute_list(struct http_req *r, struct err *e);
int res_dispute_get(struct http_req *r, struct err *e);
int res_dispute_events(struct http_req *r, struct err *e);
int res_dispute_assessment(struct http_req *r, struct err *e);
/* Legal holds (res_legal_holds.c): staff only; retention never shreds a held order. */
int res_legal_hold_create(struct http_req *r, struct err *e);
int res_legal_hold_list(struct http_req *r, struct err *e);
int res_legal_hold_lift(struct http_req *r, struct err *e);

/*
 * Risk (res_risk.c, src/risk/): a merchant's figures, the ranked list,
 * alerts, repeated_fraud proposals.
 */
int res_merchant_risk(struct http_req *r, struct err *e);
int res_risk_merchants(struct http_req *r, struct err *e);
int res_alert_list(struct http_req *r, struct err *e);
int res_alert_get(struct http_req *r, struct err *e);
int res_proposal_list(struct http_req *r, struct err *e);
int res_proposal_dismiss(struct http_req *r, struct err *e);
/*
 * A flag request's optional "proposal" (an open proposal of this flag for
 * this merchant) and "evidence" (ids of disputes against it), checked
 * before anything is written: *proposal (new reference or NULL) and
 * *evidence ({"proposal","disputes"}, new reference, or NULL when neither
 * was given). 404 param proposal for none; 409 proposal_mismatch or
 * proposal_closed; 400 invalid_evidence naming the item.
 */
int http_flag_evidence(struct http_req *r, const char *merchant_id, const char *flag,
		       json_t *in, json_t **proposal, json_t **evidence,
		       struct err *e) WARN_UNUSED;
/* After the flag is set: keep its evidence and mark the proposal confirmed. */
int http_flag_confirm(struct http_req *r, const char *merchant_id, const char *flag,
		      const char *reason, json_t *proposal, json_t *evidence,
		      struct err *e) WARN_UNUSED;
/* Scan for early warnings and proposals at `now`, inside a transaction. */
int http_risk_scan(struct http_server *srv, int64_t now, struct err *e) WARN_UNUSED;
/* The worker's periodic scan (real clock only). */
void http_risk_sweep(struct http_server *srv);

/*
 * Assessments (res_assess.c): queue a dispute (or an order's live dispute)
 * to be assessed again, inside the request's transaction; make and record
 * one now, outside any transaction; the worker's sweep of the queue.
 */
int http_assess_queue(struct http_req *r, const char *dispute_id, struct err *e) WARN_UNUSED;
int http_assess_queue_order(struct http_req *r, const char *order_id,
			    struct err *e) WARN_UNUSED;
int http_assess_run(struct http_server *srv, const char *dispute_id, json_t **out,
		    struct err *e) WARN_UNUSED;
void http_assess_sweep(struct http_server *srv);
int res_dispute_responses(struct http_req *r, struct err *e);
int res_dispute_accept_offer(struct http_req *r, struct err *e);
int res_dispute_escalate(struct http_req *r, struct err *e);
int res_dispute_withdraw(struct http_req *r, struct err *e);
int res_dispute_external(struct http_req *r, struct err *e);
int res_dispute_decision(struct http_req *r, struct err *e);
int res_dispute_appeal(struct http_req *r, struct err *e);
int res_dispute_messages(struct http_req *r, struct err *e);
int res_dispute_executed(struct http_req *r, struct err *e);
int res_dispute_waive_appeal(struct http_req *r, struct err *e);
int res_dispute_confirm_return(struct http_req *r, struct err *e);
int res_dispute_counter(struct http_req *r, struct err *e);
int res_disclosure_create(struct http_req *r, struct err *e);
int res_disclosure_list(struct http_req *r, struct err *e);
int res_disclosure_get(struct http_req *r, struct err *e);
int res_disclosure_approve(struct http_req *r, struct err *e);
int res_disclosure_refuse(struct http_req *r, struct err *e);
int res_disclosure_package(struct http_req *r, struct err *e);
/*
 * The consumer took `dispute` to `body_kind` (court, association): open the
 * disclosure they take with them (*out, new). Inside the request's
 * transaction; its seals are kept for the reply.
 */
int res_disclosure_for_external(struct http_req *r, json_t *dispute, const char *body_kind,
				json_t **out, struct err *e) WARN_UNUSED;
int res_rules(struct http_req *r, struct err *e);
int res_rules_version(struct http_req *r, struct err *e);
int res_rules_publish(struct http_req *r, struct err *e);

/*
 * Inside a store transaction: take the rules versions published since
 * (by this server or `disputed rules publish`) and set srv->rules to the
 * one in force at `now`.
 */
int http_rules_refresh(struct http_server *srv, int64_t now, struct err *e) WARN_UNUSED;
int res_test_clock(struct http_req *r, struct err *e);

/* The background worker: timers (on the real clock) and pending seals. */
int http_worker_start(struct http_server *srv, struct err *e) WARN_UNUSED;
void http_worker_stop(struct http_server *srv);
int res_log_proof(struct http_req *r, struct err *e);
/* True for the handlers of the log's read API, which run outside any store transaction. */
int res_log_storeless(http_handler h);
int res_webhook_endpoint_create(struct http_req *r, struct err *e);
int res_webhook_endpoint_resolve(struct http_req *r, struct err *e);
int res_webhook_endpoint_list(struct http_req *r, struct err *e);
int res_webhook_endpoint_delete(struct http_req *r, struct err *e);
int res_funds_credit(struct http_req *r, struct err *e);
int res_funds_guarantee(struct http_req *r, struct err *e);
int res_funds_hold(struct http_req *r, struct err *e);
int res_funds_hold_release(struct http_req *r, struct err *e);
int res_funds_transfer(struct http_req *r, struct err *e);
int res_funds_advance(struct http_req *r, struct err *e);
int res_funds_accounts(struct http_req *r, struct err *e);
int res_funds_entries(struct http_req *r, struct err *e);
int res_payout_create(struct http_req *r, struct err *e);
int res_payout_confirm(struct http_req *r, struct err *e);
int res_payout_fail(struct http_req *r, struct err *e);

#endif
