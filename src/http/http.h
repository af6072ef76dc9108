/* http.h - the HTTP API server: start, stop, and the list of routes it serves. */
#ifndef DISPUTED_HTTP_H
#define DISPUTED_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/err.h"
#include "store/store.h"
#include "tlog/log.h"

struct http_server;

/*
 * Start serving the API on cfg->listen with cfg->threads worker threads.
 * `st`, `log` and `data_dir` must outlive the server; `log` is the open
 * evidence log (its writer) that sealed records go into. On success *out
 * is the running server.
 */
int http_server_start(const struct config *cfg, struct store *st, struct tlog_log *log,
		      const char *data_dir, struct http_server **out, struct err *e) WARN_UNUSED;

/* The port actually bound (useful when cfg->listen asked for port 0). */
int http_server_port(const struct http_server *srv);

/* Stop accepting, finish requests in flight, and free the server. NULL is a no-op. */
void http_server_stop(struct http_server *srv);

/* Print "METHOD PATH" for every route the server registers, one per line. */
void http_routes_print(FILE *f);

#endif
