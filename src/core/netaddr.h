/* netaddr.h - the socket address a server listens on, from "ADDR:PORT" text. */
#ifndef DISPUTED_NETADDR_H
#define DISPUTED_NETADDR_H

#include <sys/socket.h>

#include "core/err.h"

/*
 * Parse `listen` ("127.0.0.1:8061", "[::1]:8061"; a literal address, not a
 * name) into `ss`; *is_v6 says which family it is. RC_INVAL (param
 * "listen") otherwise.
 */
int netaddr_listen(const char *listen, struct sockaddr_storage *ss, int *is_v6,
		   struct err *e) WARN_UNUSED;

#endif
