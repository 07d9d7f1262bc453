/*
 * sockaddr: comparing and writing out the IPv4 and IPv6 socket addresses
 * the server keeps in struct sockaddr_storage.
 */
#ifndef L2TPSRV_SOCKADDR_H
#define L2TPSRV_SOCKADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* "192.0.2.1:1701", "[2001:db8::1]:1701" or "?": room for SOCKADDR_STRING_MAX. */
#define SOCKADDR_STRING_MAX (1 + INET6_ADDRSTRLEN + 2 + 5 + 1)

/* The same IP address, ports aside. */
static inline bool sockaddr_same_host(const struct sockaddr_storage *a,
				      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
	return false;
}

/* The port, in host order; 0 for other families. */
static inline uint16_t sockaddr_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)a)->sin_port);
	if (a->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	return 0;
}

/* The same IP address and port. */
static inline bool sockaddr_same_host_port(const struct sockaddr_storage *a,
					   const struct sockaddr_storage *b)
{
	return sockaddr_same_host(a, b) && sockaddr_port(a) == sockaddr_port(b);
}

static inline void sockaddr_string(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
}

#endif
