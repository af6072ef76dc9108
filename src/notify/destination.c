/* destination.c - webhook URL checks: parse with libcurl, resolve, and refuse non-public addresses. */
#include "notify/destination.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/num.h"

static const char *const class_names[DEST__CLASSES] = {
	[DEST_PUBLIC] = "public",
	[DEST_LOOPBACK] = "loopback",
	[DEST_PRIVATE] = "private",
	[DEST_LINK_LOCAL] = "link-local",
	[DEST_CGNAT] = "carrier-grade NAT",
	[DEST_UNIQUE_LOCAL] = "unique-local",
	[DEST_UNSPECIFIED] = "unspecified",
	[DEST_MULTICAST] = "multicast",
	[DEST_RESERVED] = "reserved",
};

const char *dest_class_name(enum dest_class c)
{
	if ((unsigned)c >= DEST__CLASSES)
		return "unknown";
	return class_names[c];
}

/* One IPv4 block: the address `net` (host order) with `bits` leading bits. */
static const struct {
	uint32_t net;
	int bits;
	enum dest_class cls;
} v4_blocks[] = {
	{0x00000000u, 8, DEST_UNSPECIFIED},   /* 0.0.0.0/8 "this network" */
	{0x0A000000u, 8, DEST_PRIVATE},       /* 10.0.0.0/8 */
	{0x64400000u, 10, DEST_CGNAT},        /* 100.64.0.0/10 */
	{0x7F000000u, 8, DEST_LOOPBACK},      /* 127.0.0.0/8 */
	{0xA9FE0000u, 16, DEST_LINK_LOCAL},   /* 169.254.0.0/16 */
	{0xAC100000u, 12, DEST_PRIVATE},      /* 172.16.0.0/12 */
	{0xC0000000u, 24, DEST_RESERVED},     /* 192.0.0.0/24 protocol assignments */
	{0xC0A80000u, 16, DEST_PRIVATE},      /* 192.168.0.0/16 */
	{0xC6120000u, 15, DEST_RESERVED},     /* 198.18.0.0/15 benchmarking */
	{0xE0000000u, 4, DEST_MULTICAST},     /* 224.0.0.0/4 */
	{0xF0000000u, 4, DEST_RESERVED},      /* 240.0.0.0/4, 255.255.255.255 */
};

static enum dest_class classify_v4(const unsigned char b[4])
{
	uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	size_t i;

	for (i = 0; i < sizeof(v4_blocks) / sizeof(v4_blocks[0]); i++) {
		uint32_t mask = 0xFFFFFFFFu << (32 - v4_blocks[i].bits);

		if ((a & mask) == v4_blocks[i].net)
			return v4_blocks[i].cls;
	}
	return DEST_PUBLIC;
}

/* True if the first `n` bytes of `b` are zero. */
static int zeros(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static enum dest_class classify_v6(const unsigned char b[16])
{
	static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
	static const unsigned char nat64_local[6] = {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01};

	if (zeros(b, 15) && b[15] == 0)
		return DEST_UNSPECIFIED;
	if (zeros(b, 15) && b[15] == 1)
		return DEST_LOOPBACK;
	/* ::ffff:a.b.c.d (mapped) */
	if (zeros(b, 10) && b[10] == 0xff && b[11] == 0xff)
		return classify_v4(b + 12);
	/* ::ffff:0:a.b.c.d (translated) */
	if (zeros(b, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
		return classify_v4(b + 12);
	/* ::a.b.c.d (compatible, deprecated) */
	if (zeros(b, 12))
		return classify_v4(b + 12);
	/* 64:ff9b::a.b.c.d (NAT64 well-known prefix) */
	if (memcmp(b, nat64, sizeof(nat64)) == 0)
		return classify_v4(b + 12);
	/* 64:ff9b:1::/48 (NAT64 local-use prefix) */
	if (memcmp(b, nat64_local, sizeof(nat64_local)) == 0)
		return DEST_RESERVED;
	/* 2002:aabb:ccdd::/48 (6to4) */
	if (b[0] == 0x20 && b[1] == 0x02)
		return classify_v4(b + 2);
	/* 100::/64 (discard only) */
	if (b[0] == 0x01 && b[1] == 0x00 && zeros(b + 2, 6))
		return DEST_RESERVED;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return DEST_LINK_LOCAL;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return DEST_UNIQUE_LOCAL; /* site-local, deprecated */
	if ((b[0] & 0xfe) == 0xfc)
		return DEST_UNIQUE_LOCAL;
	if (b[0] == 0xff)
		return DEST_MULTICAST;
	return DEST_PUBLIC;
}

enum dest_class dest_classify(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return classify_v4((const unsigned char *)&in->sin_addr);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		return classify_v6(in6->sin6_addr.s6_addr);
	}
	return DEST_RESERVED;
}

int dest_classify_text(const char *ip)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		return (int)classify_v4(b);
	if (inet_pton(AF_INET6, ip, b) == 1)
		return (int)classify_v6(b);
	return -1;
}

/* Copy URL part `what` of `u` into out; RC_INVAL if it is missing or too long. */
static int url_part(CURLU *u, CURLUPart what, unsigned flags, char *out, size_t size)
{
	char *p = NULL;
	int rc = RC_INVAL;

	if (curl_url_get(u, what, &p, flags) == CURLUE_OK && p && *p &&
	    (size_t)snprintf(out, size, "%s", p) < size)
		rc = RC_OK;
	curl_free(p);
	return rc;
}

/* Parse and check the URL's form; fill scheme, host and port of `d`. */
static int parse_url(const char *url, struct dest *d, struct err *e)
{
	char scheme[16], port[8], *frag = NULL, *user = NULL, *pass = NULL, *opts = NULL;
	size_t i, n = strlen(url);
	CURLU *u;
	int rc = RC_OK;
	int64_t p;

	if (n == 0 || n > DEST_URL_MAX)
		return err_set(e, RC_INVAL, "invalid_url", "url",
			       "url must be 1 to %d bytes", DEST_URL_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] < 0x21 || (unsigned char)url[i] > 0x7e)
			return err_set(e, RC_INVAL, "invalid_url", "url",
				       "url must be printable ASCII without spaces (write an "
				       "international domain name in punycode)");
	u = curl_url();
	if (!u)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    url_part(u, CURLUPART_SCHEME, 0, scheme, sizeof(scheme))) {
		rc = err_set(e, RC_INVAL, "invalid_url", "url",
			     "url must be an absolute http or https URL");
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		rc = err_set(e, RC_INVAL, "invalid_url", "url",
			     "url must use http or https, not %s", scheme);
		goto out;
	}
	d->https = strcasecmp(scheme, "https") == 0;
	if (url_part(u, CURLUPART_HOST, 0, d->host, sizeof(d->host))) {
		rc = err_set(e, RC_INVAL, "invalid_url", "url", "url must name a host");
		goto out;
	}
	/* credentials in the URL would be stored and shown back with the endpoint */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_OPTIONS, &opts, 0) == CURLUE_OK) {
		rc = err_set(e, RC_INVAL, "invalid_url", "url",
			     "url must not carry credentials (user:password@): the "
			     "webhook signature authenticates each delivery");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		rc = err_set(e, RC_INVAL, "invalid_url", "url", "url must not have a fragment");
		goto out;
	}
	if (url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, port, sizeof(port)) ||
	    num_parse_i64(port, 1, 65535, &p)) {
		rc = err_set(e, RC_INVAL, "invalid_url", "url", "url has an invalid port");
		goto out;
	}
	d->port = (int)p;
	/* libcurl gives an IPv6 host in brackets; the resolver wants it bare */
	n = strlen(d->host);
	if (d->host[0] == '[' && n >= 2 && d->host[n - 1] == ']') {
		memmove(d->host, d->host + 1, n - 2);
		d->host[n - 2] = '\0';
	}
out:
	curl_free(frag);
	curl_free(user);
	curl_free(pass);
	curl_free(opts);
	curl_url_cleanup(u);
	return rc;
}

int dest_resolve(const char *url, int allow_private, struct dest *out, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	int rc, gai;

	memset(out, 0, sizeof(*out));
	rc = parse_url(url, out, e);
	if (rc)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", out->port);
	gai = getaddrinfo(out->host, port, &hints, &res);
	if (gai != 0)
		return err_set(e, RC_INVAL, "invalid_url", "url", "url host %s does not resolve: %s",
			       out->host, gai_strerror(gai));
	for (ai = res; ai; ai = ai->ai_next) {
		char text[INET6_ADDRSTRLEN];
		const void *a;
		enum dest_class c;

		if (ai->ai_family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			a = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
		else
			continue;
		if (!inet_ntop(ai->ai_family, a, text, sizeof(text)))
			continue;
		c = dest_classify(ai->ai_addr);
		if (c != DEST_PUBLIC && !allow_private) {
			if (strcmp(out->host, text) == 0)
				rc = err_set(e, RC_INVAL, "destination_not_allowed", "url",
					     "url host %s is a %s address: webhooks may only be "
					     "sent to public addresses",
					     text, dest_class_name(c));
			else
				rc = err_set(e, RC_INVAL, "destination_not_allowed", "url",
					     "url host %s resolves to %s, a %s address: webhooks "
					     "may only be sent to public addresses",
					     out->host, text, dest_class_name(c));
			goto out;
		}
		if (out->naddr < DEST_ADDRS_MAX) {
			int i, seen = 0;

			/* one entry per address, not per socket type */
			for (i = 0; i < out->naddr; i++)
				seen |= strcmp(out->addr[i], text) == 0;
			if (!seen)
				memcpy(out->addr[out->naddr++], text, sizeof(text));
		}
	}
	if (out->naddr == 0)
		rc = err_set(e, RC_INVAL, "invalid_url", "url",
			     "url host %s has no IPv4 or IPv6 address", out->host);
out:
	freeaddrinfo(res);
	return rc;
}

int dest_pin(const struct dest *d, char *out, size_t size)
{
	unsigned char b[16];
	size_t used;
	int i, n;

	if (size == 0)
		return RC_INVAL;
	out[0] = '\0';
	/* libcurl connects to a numeric host without asking the resolver */
	if (inet_pton(AF_INET, d->host, b) == 1 || inet_pton(AF_INET6, d->host, b) == 1)
		return RC_OK;
	n = snprintf(out, size, "%s:%d:", d->host, d->port);
	if (n < 0 || (size_t)n >= size)
		return RC_INVAL;
	used = (size_t)n;
	for (i = 0; i < d->naddr; i++) {
		n = snprintf(out + used, size - used, strchr(d->addr[i], ':') ? "%s[%s]" : "%s%s",
			     i ? "," : "", d->addr[i]);
		if (n < 0 || (size_t)n >= size - used)
			return RC_INVAL;
		used += (size_t)n;
	}
	return RC_OK;
}
