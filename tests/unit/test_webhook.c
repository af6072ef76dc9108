/* test_webhook.c - unit tests of webhooks: signatures, destination checks, backoff, the outbox and delivery to a local receiver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "notify/destination.h"
#include "notify/webhook.h"
#include "store/store.h"
#include "store_fixture.h"

/* A start for the test clock: 2025-09-30T09:00:00Z. */
#define T0 1759222800000LL

/* ---- signatures ---- */

/* Vectors computed independently with Python's hmac module:
 *   hmac.new(secret.encode(), b"%d." % t + body.encode(), hashlib.sha256).hexdigest() */
static void sign_matches_python_hmac(void **state)
{
	static const struct {
		const char *secret;
		int64_t t;
		const char *body;
		const char *want;
	} v[] = {
		{"whsec_Yc5S0m4Jr0aKqk3oQmV8zWcE2m7yXhP1bN6tL9dR4uA", 1759222800,
		 "{\"id\":\"evt_0123456789abcdef01234567\",\"object\":\"event\","
		 "\"type\":\"dispute.created\"}",
		 "t=1759222800,v1=ae5f5d5de96468470a91178bc79bfc35d75652c92f38e908dbaaa2c56411690b"},
		/* a key longer than SHA-256's block is hashed first, as HMAC says */
		{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkk",
		 0, "", "t=0,v1=243c2f8200e1d4ee892e7a7ded377a65e2beb1c64b997c54b8b0f516216d4b0f"},
		{"whsec_x", 1700000000, "{\"a\":\"\xc3\xa9\"}",
		 "t=1700000000,v1=7705527d5f91b8bf0ad688e3ece9717710f52d232059899937ef600988fc181a"},
	};
	char out[WEBHOOK_SIG_MAX];
	size_t i;

	(void)state;
	assert_int_equal(strlen(v[1].secret), 100);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(webhook_sign(v[i].secret, v[i].t, v[i].body, strlen(v[i].body), out),
				 RC_OK);
		assert_string_equal(out, v[i].want);
	}
}

static void sign_refuses_negative_time(void **state)
{
	char out[WEBHOOK_SIG_MAX];

	(void)state;
	assert_int_equal(webhook_sign("whsec_x", -1, "{}", 2, out), RC_INVAL);
	assert_string_equal(out, "");
}

static void sign_covers_every_byte_of_the_body(void **state)
{
	char a[WEBHOOK_SIG_MAX], b[WEBHOOK_SIG_MAX];

	(void)state;
	/* an embedded NUL is part of the body: the length, not strlen, counts */
	assert_int_equal(webhook_sign("whsec_x", 5, "{}\0x", 4, a), RC_OK);
	assert_int_equal(webhook_sign("whsec_x", 5, "{}\0y", 4, b), RC_OK);
	assert_string_not_equal(a, b);
	assert_int_equal(webhook_sign("whsec_y", 5, "{}\0x", 4, b), RC_OK);
	assert_string_not_equal(a, b);
}

/* ---- event types ---- */

static void type_valid_accepts_dotted_lowercase(void **state)
{
	static const char *const good[] = {"dispute.created", "dispute.deadline_approaching",
					   "a.b", "dispute.x2.y_z", NULL};
	static const char *const bad[] = {"", "dispute", "Dispute.created", "dispute.",
					  ".created", "dispute..created", "dispute.2x",
					  "dispute.created ", "dispute-created", "dispute.*", "*",
					  NULL};
	char longest[WEBHOOK_TYPE_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_true(webhook_type_valid(good[i]));
	for (i = 0; bad[i]; i++)
		assert_false(webhook_type_valid(bad[i]));
	memset(longest, 'a', sizeof(longest));
	longest[1] = '.';
	longest[WEBHOOK_TYPE_MAX - 1] = '\0';
	assert_true(webhook_type_valid(longest));
	longest[WEBHOOK_TYPE_MAX - 1] = 'a';
	longest[WEBHOOK_TYPE_MAX] = '\0';
	assert_false(webhook_type_valid(longest));
	for (i = 0; webhook_event_types[i]; i++)
		assert_true(webhook_type_valid(webhook_event_types[i]));
}

/* ---- destinations ---- */

static void classify_ipv4(void **state)
{
	static const struct {
		const char *ip;
		enum dest_class c;
	} v[] = {
		{"8.8.8.8", DEST_PUBLIC},           {"1.1.1.1", DEST_PUBLIC},
		{"203.0.113.10", DEST_PUBLIC},      {"172.15.255.255", DEST_PUBLIC},
		{"172.32.0.0", DEST_PUBLIC},        {"100.63.255.255", DEST_PUBLIC},
		{"100.128.0.0", DEST_PUBLIC},       {"192.169.0.1", DEST_PUBLIC},
		{"223.255.255.255", DEST_PUBLIC},   {"11.0.0.1", DEST_PUBLIC},
		{"127.0.0.1", DEST_LOOPBACK},       {"127.255.255.254", DEST_LOOPBACK},
		{"10.0.0.1", DEST_PRIVATE},         {"10.255.255.255", DEST_PRIVATE},
		{"172.16.0.1", DEST_PRIVATE},       {"172.31.255.255", DEST_PRIVATE},
		{"192.168.1.1", DEST_PRIVATE},      {"169.254.169.254", DEST_LINK_LOCAL},
		{"100.64.0.1", DEST_CGNAT},         {"100.127.255.255", DEST_CGNAT},
		{"0.0.0.0", DEST_UNSPECIFIED},      {"0.1.2.3", DEST_UNSPECIFIED},
		{"224.0.0.1", DEST_MULTICAST},      {"239.255.255.250", DEST_MULTICAST},
		{"255.255.255.255", DEST_RESERVED}, {"240.0.0.1", DEST_RESERVED},
		{"192.0.0.170", DEST_RESERVED},     {"198.18.0.1", DEST_RESERVED},
		{"198.19.255.255", DEST_RESERVED},  {"198.20.0.0", DEST_PUBLIC},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int c = dest_classify_text(v[i].ip);

		if (c != (int)v[i].c)
			fail_msg("%s: got %s, want %s", v[i].ip, dest_class_name((enum dest_class)c),
				 dest_class_name(v[i].c));
	}
}

static void classify_ipv6_and_embedded_ipv4(void **state)
{
	static const struct {
		const char *ip;
		enum dest_class c;
	} v[] = {
		{"2001:4860:4860::8888", DEST_PUBLIC},
		{"2606:4700:4700::1111", DEST_PUBLIC},
		{"::1", DEST_LOOPBACK},
		{"::", DEST_UNSPECIFIED},
		{"fe80::1", DEST_LINK_LOCAL},
		{"febf:ffff::1", DEST_LINK_LOCAL},
		{"fec0::1", DEST_UNIQUE_LOCAL},
		{"fc00::1", DEST_UNIQUE_LOCAL},
		{"fd12:3456:789a::1", DEST_UNIQUE_LOCAL},
		{"ff02::1", DEST_MULTICAST},
		{"ff05::1:3", DEST_MULTICAST},
		{"100::1", DEST_RESERVED},
		{"64:ff9b:1::1", DEST_RESERVED},
		/* IPv4-mapped */
		{"::ffff:127.0.0.1", DEST_LOOPBACK},
		{"::ffff:7f00:1", DEST_LOOPBACK},
		{"::ffff:10.1.2.3", DEST_PRIVATE},
		{"::ffff:169.254.169.254", DEST_LINK_LOCAL},
		{"::ffff:100.64.0.1", DEST_CGNAT},
		{"::ffff:0.0.0.0", DEST_UNSPECIFIED},
		{"::ffff:8.8.8.8", DEST_PUBLIC},
		/* IPv4-translated, IPv4-compatible, NAT64, 6to4 */
		{"::ffff:0:192.168.0.1", DEST_PRIVATE},
		{"::127.0.0.1", DEST_LOOPBACK},
		{"::8.8.8.8", DEST_PUBLIC},
		{"64:ff9b::10.0.0.1", DEST_PRIVATE},
		{"64:ff9b::8.8.8.8", DEST_PUBLIC},
		{"2002:7f00:1::1", DEST_LOOPBACK},
		{"2002:c0a8:101::1", DEST_PRIVATE},
		{"2002:808:808::1", DEST_PUBLIC},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int c = dest_classify_text(v[i].ip);

		if (c != (int)v[i].c)
			fail_msg("%s: got %s, want %s", v[i].ip, dest_class_name((enum dest_class)c),
				 dest_class_name(v[i].c));
	}
	assert_int_equal(dest_classify_text("localhost"), -1);
	assert_int_equal(dest_classify_text("1.2.3"), -1);
}

static void resolve_checks_the_url(void **state)
{
	static const struct {
		const char *url;
		const char *code;
	} bad[] = {
		{"", "invalid_url"},
		{"example.com/hook", "invalid_url"},
		{"ftp://203.0.113.1/hook", "invalid_url"},
		{"file:///etc/passwd", "invalid_url"},
		{"gopher://203.0.113.1/", "invalid_url"},
		{"https://203.0.113.1/ho ok", "invalid_url"},
		{"https://203.0.113.1/h\xc3\xa9", "invalid_url"},
		{"https://203.0.113.1/hook#frag", "invalid_url"},
		{"https://203.0.113.1:0/hook", "invalid_url"},
		{"https://203.0.113.1:65536/hook", "invalid_url"},
		{"http://127.0.0.1/hook", "destination_not_allowed"},
		{"http://localhost:8080/hook", "destination_not_allowed"},
		{"http://[::1]/hook", "destination_not_allowed"},
		{"http://[::ffff:192.168.0.1]/hook", "destination_not_allowed"},
		{"http://169.254.169.254/latest/meta-data", "destination_not_allowed"},
		{"http://2130706433/hook", "destination_not_allowed"},
		{"http://0x7f.1/hook", "destination_not_allowed"},
		{"http://0/hook", "destination_not_allowed"},
		{"http://[fd00::1]:8443/hook", "destination_not_allowed"},
		{"http://100.100.100.200/hook", "destination_not_allowed"},
		{"http://224.0.0.251/hook", "destination_not_allowed"},
	};
	char long_url[DEST_URL_MAX + 16];
	struct dest d;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		if (dest_resolve(bad[i].url, 0, &d, &e) != RC_INVAL)
			fail_msg("%s was accepted", bad[i].url);
		if (strcmp(e.code, bad[i].code) != 0 || strcmp(e.param, "url") != 0)
			fail_msg("%s: code %s param %s (%s)", bad[i].url, e.code, e.param, e.message);
	}
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, "https://203.0.113.1/", 20);
	long_url[DEST_URL_MAX + 1] = '\0';
	assert_int_equal(dest_resolve(long_url, 0, &d, &e), RC_INVAL);

	/* public literals pass without DNS; the default port follows the scheme */
	err_clear(&e);
	assert_int_equal(dest_resolve("https://203.0.113.7/hooks?x=1", 0, &d, &e), RC_OK);
	assert_true(d.https);
	assert_int_equal(d.port, 443);
	assert_int_equal(d.naddr, 1);
	assert_string_equal(d.addr[0], "203.0.113.7");
	assert_int_equal(dest_resolve("HTTP://[2001:db8::5]:8080/", 0, &d, &e), RC_OK);
	assert_false(d.https);
	assert_string_equal(d.host, "2001:db8::5");
	assert_int_equal(d.port, 8080);

	/* loopback is allowed only when private destinations are */
	assert_int_equal(dest_resolve("http://127.0.0.1:9/hook", 1, &d, &e), RC_OK);
	assert_string_equal(d.addr[0], "127.0.0.1");
}

static void pin_names_the_checked_addresses(void **state)
{
	struct dest d;
	char pin[256];

	(void)state;
	memset(&d, 0, sizeof(d));
	snprintf(d.host, sizeof(d.host), "hooks.example.com");
	d.port = 443;
	d.naddr = 2;
	snprintf(d.addr[0], sizeof(d.addr[0]), "203.0.113.7");
	snprintf(d.addr[1], sizeof(d.addr[1]), "2001:db8::7");
	assert_int_equal(dest_pin(&d, pin, sizeof(pin)), RC_OK);
	assert_string_equal(pin, "hooks.example.com:443:203.0.113.7,[2001:db8::7]");
	assert_int_equal(dest_pin(&d, pin, 20), RC_INVAL);
	/* a numeric host needs no pin */
	snprintf(d.host, sizeof(d.host), "203.0.113.7");
	assert_int_equal(dest_pin(&d, pin, sizeof(pin)), RC_OK);
	assert_string_equal(pin, "");
}

/* ---- backoff ---- */

static void backoff_doubles_from_30s_to_6h(void **state)
{
	static const int64_t want[] = {30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360,
				       21600, 21600};
	int i;

	(void)state;
	for (i = 1; i <= 12; i++) {
		int64_t base = want[i - 1] * 1000;

		/* rnd 0 is no jitter; the largest jitter takes off a fifth */
		assert_int_equal(webhook_backoff_ms(i, 0), base);
		assert_int_equal(webhook_backoff_ms(i, (uint32_t)(base / 5)), base - base / 5);
		assert_true(webhook_backoff_ms(i, 0xFFFFFFFFu) >= base - base / 5);
		assert_true(webhook_backoff_ms(i, 0xFFFFFFFFu) <= base);
	}
	/* far past the cap: no overflow, never more than 6 h */
	assert_int_equal(webhook_backoff_ms(1000, 0), WEBHOOK_BACKOFF_MAX_MS);
	assert_int_equal(webhook_backoff_ms(0, 0), WEBHOOK_BACKOFF_BASE_MS);
}

static void backoff_jitter_spreads_retries(void **state)
{
	int64_t lo = INT64_MAX, hi = 0, v;
	int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		v = webhook_backoff_ms(1, randombytes_random());
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_true(lo >= 24000 && hi <= 30000);
	assert_true(hi - lo > 3000); /* not all the same */
}

/* ---- a store, and a receiver on loopback ---- */

/* What the receiver saw of one request. */
struct seen {
	char path[64];
	char content_type[64];
	char event_id[ID_MAX];
	char signature[WEBHOOK_SIG_MAX];
	char body[4096];
	size_t len;
};

/* A local HTTP receiver (libmicrohttpd) answering with scripted statuses. */
struct receiver {
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t lock;
	int statuses[16];      /* the answer to request i; after the last, the last again */
	int nstatuses;
	int n;                 /* requests completed */
	int64_t advance_ms;    /* moves the test clock this far at the first request (then 0) */
	struct seen seen[16];  /* the first 16 */
};

/* One request being read. */
struct rx {
	char body[4096];
	size_t len;
};

static enum MHD_Result rx_handler(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_len, void **ptr)
{
	struct receiver *r = cls;
	struct rx *x = *ptr;
	struct MHD_Response *resp;
	const char *h;
	enum MHD_Result ret;
	int status, i;

	(void)method;
	(void)version;
	if (!x) {
		x = calloc(1, sizeof(*x));
		*ptr = x;
		return x ? MHD_YES : MHD_NO;
	}
	if (*upload_len) {
		size_t n = *upload_len;

		if (n > sizeof(x->body) - 1 - x->len)
			n = sizeof(x->body) - 1 - x->len;
		memcpy(x->body + x->len, upload, n);
		x->len += n;
		*upload_len = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&r->lock);
	i = r->n;
	status = r->statuses[i < r->nstatuses ? i : r->nstatuses - 1];
	if (i < 16) {
		struct seen *s = &r->seen[i];

		snprintf(s->path, sizeof(s->path), "%s", url);
		h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
		snprintf(s->content_type, sizeof(s->content_type), "%s", h ? h : "");
		h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Disputed-Event-Id");
		snprintf(s->event_id, sizeof(s->event_id), "%s", h ? h : "");
		h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Disputed-Signature");
		snprintf(s->signature, sizeof(s->signature), "%s", h ? h : "");
		memcpy(s->body, x->body, x->len + 1);
		s->len = x->len;
	}
	r->n++;
	if (r->advance_ms) {
		clock_advance(r->advance_ms);
		r->advance_ms = 0;
	}
	pthread_mutex_unlock(&r->lock);
	resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void rx_done(void *cls, struct MHD_Connection *c, void **ptr,
		    enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)c;
	(void)code;
	free(*ptr);
	*ptr = NULL;
}

static void receiver_start(struct receiver *r, const int *statuses, int n)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	memcpy(r->statuses, statuses, sizeof(int) * (size_t)n);
	r->nstatuses = n;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
				NULL, rx_handler, r, MHD_OPTION_SOCK_ADDR, &sa,
				MHD_OPTION_NOTIFY_COMPLETED, rx_done, NULL, MHD_OPTION_END);
	assert_non_null(r->d);
	info = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	r->port = info->port;
}

static int receiver_count(struct receiver *r)
{
	int n;

	pthread_mutex_lock(&r->lock);
	n = r->n;
	pthread_mutex_unlock(&r->lock);
	return n;
}

static void receiver_stop(struct receiver *r)
{
	MHD_stop_daemon(r->d);
	pthread_mutex_destroy(&r->lock);
}

struct fixture {
	struct store_fixture *sf;  /* the store on SQLite or PostgreSQL (store_fixture.h) */
	struct store *st;          /* sf->st */
	struct receiver rx;
	int have_rx;
};

/* A fixture around the store `store_setup_fn` opens. */
static int setup_with(void **state, int (*store_setup_fn)(void **))
{
	struct fixture *f = calloc(1, sizeof(*f));
	void *sf = NULL;

	assert_non_null(f);
	store_setup_fn(&sf);
	f->sf = sf;
	f->st = f->sf->st;
	clock_use_test(T0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, store_setup);
}

static int setup_pg(void **state)
{
	return setup_with(state, store_setup_pg);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	void *sf = f->sf;

	webhook_worker_stop();
	if (f->have_rx)
		receiver_stop(&f->rx);
	if (f->sf->pg_name[0])
		store_teardown_pg(&sf);
	else
		store_teardown(&sf);
	free(f);
	return 0;
}

static void add_endpoint(struct fixture *f, const char *id, const char *url, const char *events,
			 const char *secret)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_insert(f->st, id, url, events, secret,
						       clock_now_ms(), &e), RC_OK);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
}

static void emit(struct fixture *f, const char *type, const char *dispute_id, int commit)
{
	json_t *obj = json_pack("{s:s, s:s, s:s}", "object", "dispute", "id", dispute_id,
				"state", "awaiting_merchant");
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(webhook_emit(f->st, type, obj, clock_now_ms(), &e), RC_OK);
	assert_int_equal(store_end(f->st, commit, &e), RC_OK);
	json_decref(obj);
}

/*
 * The first column of the first row of `sql`, read on a connection of its
 * own, into `out` (`size` bytes); -1 when there is no row, 0 for NULL, 1
 * for a value.
 */
static int db_value(struct fixture *f, const char *sql, char *out, size_t size)
{
	int got = -1;

	out[0] = '\0';
	if (f->sf->pg_name[0]) {
		PGconn *c = PQconnectdb(f->sf->url);
		PGresult *r;

		assert_int_equal(PQstatus(c), CONNECTION_OK);
		r = PQexec(c, sql);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		if (PQntuples(r) > 0) {
			got = !PQgetisnull(r, 0, 0);
			snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
		}
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_open_v2(f->sf->path, &db, SQLITE_OPEN_READONLY, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
		if (sqlite3_step(s) == SQLITE_ROW) {
			got = sqlite3_column_type(s, 0) != SQLITE_NULL;
			if (got)
				snprintf(out, size, "%s", sqlite3_column_text(s, 0));
		}
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	return got;
}

/* One integer from the database: -1 for no row, -2 for NULL. */
static int64_t db_int(struct fixture *f, const char *sql)
{
	char v[64];
	int got = db_value(f, sql, v, sizeof(v));

	return got < 0 ? -1 : got == 0 ? -2 : strtoll(v, NULL, 10);
}

/* One text value from the database (static buffer), or "" for none or NULL. */
static const char *db_text(struct fixture *f, const char *sql)
{
	static char out[4096];

	db_value(f, sql, out, sizeof(out));
	return out;
}

static int run_once(struct fixture *f, int allow_private)
{
	struct webhook_conf conf = {.allow_private = allow_private, .timeout_ms = 5000};
	struct err e;
	int n = -1;

	err_clear(&e);
	assert_int_equal(webhook_run_once(f->st, &conf, 16, &n, &e), RC_OK);
	return n;
}

/* ---- the outbox ---- */

static void emit_queues_one_delivery_per_subscriber(void **state)
{
	struct fixture *f = *state;
	json_t *ev;
	json_error_t je;
	struct err e;

	add_endpoint(f, "whe_000000000000000000000001", "https://203.0.113.1/a",
		     "[\"dispute.created\"]", "whsec_a");
	add_endpoint(f, "whe_000000000000000000000002", "https://203.0.113.2/b", "[\"*\"]",
		     "whsec_b");
	add_endpoint(f, "whe_000000000000000000000003", "https://203.0.113.3/c",
		     "[\"dispute.decided\",\"dispute.resolved\"]", "whsec_c");
	add_endpoint(f, "whe_000000000000000000000004", "https://203.0.113.4/d", "[\"*\"]",
		     "whsec_d");
	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_disable(f->st, "whe_000000000000000000000004",
							clock_now_ms(), &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_disable(f->st, "whe_000000000000000000000004",
							clock_now_ms(), &e), RC_NOTFOUND);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);

	emit(f, "dispute.created", "dsp_000000000000000000000001", 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries"), 2);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries WHERE endpoint_id IN "
				   "('whe_000000000000000000000001','whe_000000000000000000000002') "
				   "AND attempts = 0 AND next_at = 1759222800000"), 2);

	ev = json_loads(db_text(f, "SELECT body FROM outbox"), 0, &je);
	assert_non_null(ev);
	assert_true(id_is(json_string_value(json_object_get(ev, "id")), "evt"));
	assert_string_equal(json_string_value(json_object_get(ev, "object")), "event");
	assert_string_equal(json_string_value(json_object_get(ev, "type")), "dispute.created");
	assert_string_equal(json_string_value(json_object_get(ev, "created_at")),
			    "2025-09-30T09:00:00Z");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_object_get(ev, "data"), "object"), "id")),
			    "dsp_000000000000000000000001");
	json_decref(ev);

	emit(f, "dispute.decided", "dsp_000000000000000000000001", 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries"), 4);
	/* a type nobody but "*" wants */
	emit(f, "dispute.withdrawn", "dsp_000000000000000000000001", 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries"), 5);
}

static void emit_rolled_back_leaves_nothing(void **state)
{
	struct fixture *f = *state;

	add_endpoint(f, "whe_000000000000000000000001", "https://203.0.113.1/a", "[\"*\"]",
		     "whsec_a");
	emit(f, "dispute.created", "dsp_000000000000000000000001", 0);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries"), 0);
}

static void emit_refuses_bad_types_and_objects(void **state)
{
	struct fixture *f = *state;
	json_t *obj = json_object(), *arr = json_array();
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(webhook_emit(f->st, "Dispute.Created", obj, T0, &e), RC_INVAL);
	assert_int_equal(webhook_emit(f->st, "dispute", obj, T0, &e), RC_INVAL);
	assert_int_equal(webhook_emit(f->st, NULL, obj, T0, &e), RC_INVAL);
	assert_int_equal(webhook_emit(f->st, "dispute.created", arr, T0, &e), RC_INVAL);
	assert_int_equal(webhook_emit(f->st, "dispute.created", NULL, T0, &e), RC_INVAL);
	/* any well-formed type is accepted, known to endpoints or not */
	assert_int_equal(webhook_emit(f->st, "dispute.something_new", obj, T0, &e), RC_OK);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
	assert_int_equal(db_int(f, "SELECT count(*) FROM outbox"), 1);
	json_decref(obj);
	json_decref(arr);
}

/* ---- delivery ---- */

static void endpoint_url(struct fixture *f, char *out, size_t size)
{
	snprintf(out, size, "http://127.0.0.1:%d/hook", f->rx.port);
}

static void delivery_is_signed_retried_and_delivered(void **state)
{
	static const int statuses[] = {500, 204};
	struct fixture *f = *state;
	const char *secret = "whsec_Yc5S0m4Jr0aKqk3oQmV8zWcE2m7yXhP1bN6tL9dR4uA";
	char url[128], sig[WEBHOOK_SIG_MAX], evt[ID_MAX];
	struct seen *s;
	long long t;
	int64_t next;

	receiver_start(&f->rx, statuses, 2);
	f->have_rx = 1;
	endpoint_url(f, url, sizeof(url));
	add_endpoint(f, "whe_000000000000000000000001", url, "[\"dispute.created\"]", secret);
	emit(f, "dispute.created", "dsp_000000000000000000000001", 1);
	snprintf(evt, sizeof(evt), "%.*s", (int)sizeof(evt) - 1, db_text(f, "SELECT id FROM outbox"));

	/* first attempt: the receiver fails it */
	assert_int_equal(run_once(f, 1), 1);
	assert_int_equal(receiver_count(&f->rx), 1);
	assert_int_equal(db_int(f, "SELECT attempts FROM deliveries"), 1);
	assert_int_equal(db_int(f, "SELECT last_status FROM deliveries"), 500);
	assert_int_equal(db_int(f, "SELECT delivered_at FROM deliveries"), -2);
	next = db_int(f, "SELECT next_at FROM deliveries");
	assert_true(next >= T0 + 24000 && next <= T0 + 30000);

	/* nothing is due until the clock reaches next_at */
	assert_int_equal(run_once(f, 1), 0);
	clock_advance(next - T0 - 1);
	assert_int_equal(run_once(f, 1), 0);
	clock_advance(1);
	assert_int_equal(run_once(f, 1), 1);
	assert_int_equal(receiver_count(&f->rx), 2);
	assert_int_equal(db_int(f, "SELECT attempts FROM deliveries"), 2);
	assert_int_equal(db_int(f, "SELECT last_status FROM deliveries"), 204);
	assert_int_equal(db_int(f, "SELECT delivered_at FROM deliveries"), next);
	assert_int_equal(run_once(f, 1), 0);

	/* what the receiver got: the stored body, signed with the secret */
	s = &f->rx.seen[1];
	assert_string_equal(s->path, "/hook");
	assert_string_equal(s->content_type, "application/json");
	assert_string_equal(s->event_id, evt);
	assert_string_equal(s->body, db_text(f, "SELECT body FROM outbox"));
	assert_int_equal(sscanf(s->signature, "t=%lld,", &t), 1);
	assert_int_equal(t, next / 1000);
	assert_int_equal(webhook_sign(secret, t, s->body, s->len, sig), RC_OK);
	assert_string_equal(s->signature, sig);
	/* the failed attempt was signed with its own time */
	assert_int_equal(sscanf(f->rx.seen[0].signature, "t=%lld,", &t), 1);
	assert_int_equal(t, T0 / 1000);
}

static void delivery_to_loopback_refused_unless_allowed(void **state)
{
	static const int statuses[] = {200};
	struct fixture *f = *state;
	char url[128];

	receiver_start(&f->rx, statuses, 1);
	f->have_rx = 1;
	endpoint_url(f, url, sizeof(url));
	add_endpoint(f, "whe_000000000000000000000001", url, "[\"*\"]", "whsec_a");
	emit(f, "dispute.updated", "dsp_000000000000000000000001", 1);
	assert_int_equal(run_once(f, 0), 1);
	assert_int_equal(receiver_count(&f->rx), 0);
	assert_int_equal(db_int(f, "SELECT attempts FROM deliveries"), 1);
	assert_int_equal(db_int(f, "SELECT last_status FROM deliveries"), -2);
	assert_non_null(strstr(db_text(f, "SELECT last_error FROM deliveries"), "loopback"));
	assert_int_equal(db_int(f, "SELECT delivered_at FROM deliveries"), -2);
}

static void delivery_given_up_after_max_attempts(void **state)
{
	static const int statuses[] = {503};
	struct fixture *f = *state;
	char url[128];
	int i;

	receiver_start(&f->rx, statuses, 1);
	f->have_rx = 1;
	endpoint_url(f, url, sizeof(url));
	add_endpoint(f, "whe_000000000000000000000001", url, "[\"*\"]", "whsec_a");
	emit(f, "dispute.resolved", "dsp_000000000000000000000001", 1);
	for (i = 1; i <= WEBHOOK_MAX_ATTEMPTS; i++) {
		assert_int_equal(run_once(f, 1), 1);
		assert_int_equal(db_int(f, "SELECT attempts FROM deliveries"), i);
		clock_advance(WEBHOOK_BACKOFF_MAX_MS);
	}
	assert_int_equal(receiver_count(&f->rx), WEBHOOK_MAX_ATTEMPTS);
	assert_true(db_int(f, "SELECT failed_at FROM deliveries") > T0);
	assert_int_equal(db_int(f, "SELECT delivered_at FROM deliveries"), -2);
	assert_int_equal(run_once(f, 1), 0);
}

static void disabled_endpoint_gets_nothing_more(void **state)
{
	static const int statuses[] = {500};
	struct fixture *f = *state;
	char url[128];
	struct err e;

	receiver_start(&f->rx, statuses, 1);
	f->have_rx = 1;
	endpoint_url(f, url, sizeof(url));
	add_endpoint(f, "whe_000000000000000000000001", url, "[\"*\"]", "whsec_a");
	emit(f, "dispute.created", "dsp_000000000000000000000001", 1);
	assert_int_equal(run_once(f, 1), 1);
	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), RC_OK);
	assert_int_equal(store_webhook_endpoint_disable(f->st, "whe_000000000000000000000001",
							clock_now_ms(), &e), RC_OK);
	assert_int_equal(store_end(f->st, 1, &e), RC_OK);
	assert_string_equal(db_text(f, "SELECT last_error FROM deliveries"), "endpoint disabled");
	clock_advance(WEBHOOK_BACKOFF_MAX_MS);
	assert_int_equal(run_once(f, 1), 0);
	emit(f, "dispute.created", "dsp_000000000000000000000002", 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries"), 1);
	assert_int_equal(receiver_count(&f->rx), 1);
}

static void worker_thread_delivers_after_commit(void **state)
{
	static const int statuses[] = {200};
	struct fixture *f = *state;
	struct webhook_conf conf = {.allow_private = 1, .poll_ms = 5000};
	char url[128];
	struct err e;
	int i;

	receiver_start(&f->rx, statuses, 1);
	f->have_rx = 1;
	endpoint_url(f, url, sizeof(url));
	add_endpoint(f, "whe_000000000000000000000001", url, "[\"dispute.created\"]", "whsec_a");
	err_clear(&e);
	assert_int_equal(webhook_worker_start(f->st, &conf, &e), RC_OK);
	assert_int_equal(webhook_worker_start(f->st, &conf, &e), RC_CONFLICT);
	/* an emit wakes the worker (long before its 5 s poll) */
	usleep(100 * 1000);
	emit(f, "dispute.created", "dsp_000000000000000000000001", 1);
	for (i = 0; i < 300 && db_int(f, "SELECT count(*) FROM deliveries WHERE delivered_at "
					 "IS NOT NULL") < 1; i++)
		usleep(10 * 1000);
	assert_true(i < 300);
	assert_int_equal(receiver_count(&f->rx), 1);
	webhook_worker_stop();
	webhook_worker_stop();
	/* after a stop, a pass run by hand still works */
	emit(f, "dispute.created", "dsp_000000000000000000000002", 1);
	assert_int_equal(run_once(f, 1), 1);
	assert_int_equal(receiver_count(&f->rx), 2);
}

/* A worker on a store of its own (another node's), running passes until none is due. */
struct node {
	const char *where;          /* path or URL of the shared database */
	pthread_barrier_t *start;   /* the nodes begin at once */
	int sent;                   /* attempts this node made */
	int rc;
};

static void *node_run(void *arg)
{
	struct webhook_conf conf = {.allow_private = 1, .timeout_ms = 5000};
	struct node *nd = arg;
	struct store *st = NULL;
	struct err e;
	int n = 1;

	err_clear(&e);
	nd->rc = store_open(nd->where, 0, &st, &e);
	pthread_barrier_wait(nd->start);
	while (!nd->rc && n > 0) {
		nd->rc = webhook_run_once(st, &conf, 3, &n, &e);
		nd->sent += n;
	}
	store_close(st);
	return NULL;
}

/* Two nodes' workers on one database at once: every event reaches the receiver once. */
static void two_workers_deliver_each_event_once(void **state)
{
	static const int statuses[] = {200};
	struct fixture *f = *state;
	struct node a = {.where = f->sf->pg_name[0] ? f->sf->url : f->sf->path}, b;
	pthread_barrier_t start;
	pthread_t ta, tb;
	char url[128], dsp[ID_MAX];
	int i, j;

	receiver_start(&f->rx, statuses, 1);
	f->have_rx = 1;
	endpoint_url(f, url, sizeof(url));
	add_endpoint(f, "whe_000000000000000000000001", url, "[\"*\"]", "whsec_a");
	for (i = 0; i < 12; i++) {
		snprintf(dsp, sizeof(dsp), "dsp_%024d", i + 1);
		emit(f, "dispute.created", dsp, 1);
	}
	pthread_barrier_init(&start, NULL, 2);
	a.start = &start;
	b = a;
	assert_int_equal(pthread_create(&ta, NULL, node_run, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, node_run, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(a.rc, RC_OK);
	assert_int_equal(b.rc, RC_OK);
	assert_int_equal(a.sent + b.sent, 12);
	assert_int_equal(receiver_count(&f->rx), 12);
	for (i = 0; i < 12; i++)
		for (j = i + 1; j < 12; j++)
			assert_string_not_equal(f->rx.seen[i].event_id, f->rx.seen[j].event_id);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries WHERE attempts = 1 "
				   "AND delivered_at IS NOT NULL"), 12);
}

/*
 * A claim whose lease runs short before its request could end is given
 * back unsent, due at once, and goes out in the next pass.
 */
static void claim_too_short_for_a_request_goes_back(void **state)
{
	static const int statuses[] = {200};
	struct fixture *f = *state;
	char url[128];

	receiver_start(&f->rx, statuses, 1);
	f->have_rx = 1;
	/* the first request takes (by the test clock) the whole lease */
	f->rx.advance_ms = WEBHOOK_LEASE_MS;
	endpoint_url(f, url, sizeof(url));
	add_endpoint(f, "whe_000000000000000000000001", url, "[\"*\"]", "whsec_a");
	emit(f, "dispute.created", "dsp_000000000000000000000001", 1);
	emit(f, "dispute.created", "dsp_000000000000000000000002", 1);
	assert_int_equal(run_once(f, 1), 1);
	assert_int_equal(receiver_count(&f->rx), 1);
	assert_int_equal(db_int(f, "SELECT count(*) FROM deliveries WHERE delivered_at IS NOT NULL"),
			 1);
	/* the second: no attempt, due now rather than when its lease would end */
	assert_int_equal(db_int(f, "SELECT attempts FROM deliveries WHERE delivered_at IS NULL"), 0);
	assert_int_equal(db_int(f, "SELECT next_at FROM deliveries WHERE delivered_at IS NULL"),
			 T0 + WEBHOOK_LEASE_MS);
	assert_int_equal(run_once(f, 1), 1);
	assert_int_equal(receiver_count(&f->rx), 2);
	assert_int_equal(run_once(f, 1), 0);
}

/* The tests that open a store, with the fixture `su`/`td`. */
#define STORED(su, td)                                                                     \
	cmocka_unit_test_setup_teardown(emit_queues_one_delivery_per_subscriber, su, td),  \
	cmocka_unit_test_setup_teardown(emit_rolled_back_leaves_nothing, su, td),          \
	cmocka_unit_test_setup_teardown(emit_refuses_bad_types_and_objects, su, td),       \
	cmocka_unit_test_setup_teardown(delivery_is_signed_retried_and_delivered, su, td), \
	cmocka_unit_test_setup_teardown(delivery_to_loopback_refused_unless_allowed, su, td), \
	cmocka_unit_test_setup_teardown(delivery_given_up_after_max_attempts, su, td),     \
	cmocka_unit_test_setup_teardown(disabled_endpoint_gets_nothing_more, su, td),      \
	cmocka_unit_test_setup_teardown(worker_thread_delivers_after_commit, su, td),       \
	cmocka_unit_test_setup_teardown(two_workers_deliver_each_event_once, su, td),      \
	cmocka_unit_test_setup_teardown(claim_too_short_for_a_request_goes_back, su, td)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sign_matches_python_hmac),
		cmocka_unit_test(sign_refuses_negative_time),
		cmocka_unit_test(sign_covers_every_byte_of_the_body),
		cmocka_unit_test(type_valid_accepts_dotted_lowercase),
		cmocka_unit_test(classify_ipv4),
		cmocka_unit_test(classify_ipv6_and_embedded_ipv4),
		cmocka_unit_test(resolve_checks_the_url),
		cmocka_unit_test(pin_names_the_checked_addresses),
		cmocka_unit_test(backoff_doubles_from_30s_to_6h),
		cmocka_unit_test(backoff_jitter_spreads_retries),
		STORED(setup, teardown),
	};
	const struct CMUnitTest pg_tests[] = {
		STORED(setup_pg, teardown),
	};
	int failed;

	if (sodium_init() < 0)
		return 1;
	failed = cmocka_run_group_tests_name("webhooks on SQLite", tests, NULL, NULL);
	if (!store_test_pg()) {
		printf("webhooks on PostgreSQL: skipped, DISPUTED_TEST_PG is not set\n");
		return failed;
	}
	return failed + cmocka_run_group_tests_name("webhooks on PostgreSQL", pg_tests, NULL, NULL);
}
