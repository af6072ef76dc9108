/* destination.h - where a webhook may be sent: URL checks and the address classes refused against request forgery. */
#ifndef DISPUTED_DESTINATION_H
#define DISPUTED_DESTINATION_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "core/err.h"

/*
 * A webhook URL names a host that disputed connects to from inside the
 * platform's network. So that a client cannot make the server reach its
 * own loopback interface, the platform's private network or a cloud
 * metadata service (server-side request forgery), the host is resolved and
 * every address it resolves to must be public, unless the configuration
 * allows private destinations. The check is made when an endpoint is
 * created and again before every delivery (DNS answers change), and the
 * delivery connects only to addresses that were checked.
 */

/* Longest webhook URL accepted, in bytes. */
#define DEST_URL_MAX 2048
/* Most resolved addresses kept for a destination. */
#define DEST_ADDRS_MAX 8

/* What kind of address an IP address is; only DEST_PUBLIC is allowed by default. */
enum dest_class {
	DEST_PUBLIC = 0,   /* globally routable */
	DEST_LOOPBACK,     /* 127/8, ::1 */
	DEST_PRIVATE,      /* RFC 1918: 10/8, 172.16/12, 192.168/16 */
	DEST_LINK_LOCAL,   /* 169.254/16, fe80::/10 (cloud metadata lives here) */
	DEST_CGNAT,        /* 100.64/10, shared address space (RFC 6598) */
	DEST_UNIQUE_LOCAL, /* fc00::/7, and deprecated site-local fec0::/10 */
	DEST_UNSPECIFIED,  /* 0.0.0.0/8, :: */
	DEST_MULTICAST,    /* 224/4, ff00::/8 */
	DEST_RESERVED,     /* 192.0.0/24, 198.18/15, 240/4 (with broadcast), 100::/64, 64:ff9b:1::/48 */
	DEST__CLASSES
};

/* Lowercase name of a class ("loopback", "private", …). Never NULL. */
const char *dest_class_name(enum dest_class c);

/*
 * The class of an AF_INET or AF_INET6 address. An IPv6 address that
 * carries an IPv4 address (IPv4-mapped ::ffff:0:0/96, IPv4-translated
 * ::ffff:0:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) has the class of the IPv4 address it carries, so
 * ::ffff:127.0.0.1 is loopback. Any other family is DEST_RESERVED.
 */
enum dest_class dest_classify(const struct sockaddr *sa);

/* The class of a numeric address in text ("10.0.0.1", "::1"); -1 if it is not one. */
int dest_classify_text(const char *ip);

/* A URL's destination, resolved and checked. */
struct dest {
	int https;                   /* 1 for https, 0 for http */
	char host[256];              /* the URL's host as libcurl reads it; IPv6 without brackets */
	int port;                    /* explicit or the scheme's default */
	int naddr;                   /* addresses in addr, 1..DEST_ADDRS_MAX */
	char addr[DEST_ADDRS_MAX][INET6_ADDRSTRLEN]; /* checked addresses, resolver's order */
};

/*
 * Check `url` as a webhook destination: an absolute http or https URL of
 * printable ASCII with a host, at most DEST_URL_MAX bytes, without a
 * fragment. Then resolve the host; every address it resolves to must be
 * DEST_PUBLIC unless `allow_private`. On success *out holds the addresses
 * (the first DEST_ADDRS_MAX), which a delivery must connect to and only
 * to. Fails with RC_INVAL and param "url": code "invalid_url" for a
 * malformed URL or a host that does not resolve, "destination_not_allowed"
 * for a refused address (the message names it and its class). Resolution
 * may block for as long as the system resolver takes.
 */
int dest_resolve(const char *url, int allow_private, struct dest *out,
		 struct err *e) WARN_UNUSED;

/*
 * Write the CURLOPT_RESOLVE entry that pins `d`'s host and port to its
 * checked addresses ("host:port:addr,[v6addr]"), or the empty string when
 * the host is itself a numeric address (libcurl then resolves nothing).
 * RC_INVAL if `out` is too small.
 */
int dest_pin(const struct dest *d, char *out, size_t size) WARN_UNUSED;

#endif
