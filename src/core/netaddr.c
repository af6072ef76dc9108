/* netaddr.c - parsing the address a server listens on. */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "core/config.h"

int netaddr_listen(const char *listen, struct sockaddr_storage *ss, int *is_v6,
		   struct err *e)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char addr[128];
	int port;

	memset(ss, 0, sizeof(*ss));
	*is_v6 = 0;
	if (config_split_listen(listen, addr, sizeof(addr), &port))
		return err_set(e, RC_INVAL, "invalid_setting", "listen",
			       "listen must be ADDR:PORT, not %s", listen);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		return RC_OK;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*is_v6 = 1;
		return RC_OK;
	}
	return err_set(e, RC_INVAL, "invalid_setting", "listen",
		       "listen address %s is not an IPv4 or IPv6 address", addr);
}
