/*
 * l2tpctl init's client address pool: this host's IPv4 networks, read from
 * the kernel (interface addresses and every routing table), and the first
 * candidate pool that overlaps none of them. Addresses in host byte order.
 */
#ifndef L2TPCTL_POOL_H
#define L2TPCTL_POOL_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipv4_net {
	uint32_t first, last;
	unsigned int prefix;
};

/* What the calls get: l2tpsrv.conf's pool (first-last) and local_ip. */
struct client_pool {
	struct ipv4_net net;
	uint32_t local_ip, first, last;
};

/* A network this host has: an interface address's or a route's. */
struct host_net {
	struct ipv4_net net;
	bool is_route;
	uint32_t addr; /* the interface address (not for routes) */
	int ifindex;   /* 0 when unknown */
	char ifname[IF_NAMESIZE];
};

struct host_nets {
	struct host_net *v;
	size_t n, cap;
	int default_oif;	 /* the main table's default route's interface, 0: none */
	uint32_t default_src;	 /* its preferred source, 0: none */
	uint32_t default_gw;	 /* its gateway, 0: none */
	uint32_t default_metric;
};

/*
 * Fills hn (zeroed by the caller) from getifaddrs(3) and an rtnetlink
 * dump; on failure, *what says which ("addresses" or "routes").
 * Returns 0 or a negative errno; host_nets_free() either way.
 */
int host_nets_read(struct host_nets *hn, const char **what);
void host_nets_free(struct host_nets *hn);

/* The first of this host's networks that overlaps net, or NULL. */
const struct host_net *host_nets_clash(const struct host_nets *hn, const struct ipv4_net *net);
/* "the address A/P on DEV" or "the route to N/P (dev DEV)" */
void host_net_describe(const struct host_net *h, char *buf, size_t len);
/* The best guess at this server's address (the default route's); 0: none. */
uint32_t host_nets_server_address(const struct host_nets *hn);

/*
 * The pool for the network "A.B.C.D/P" (/16 to /29, no host bits set, no
 * address clients may not have); false with the reason in why.
 */
bool client_pool_parse(const char *cidr, struct client_pool *p, char *why, size_t why_len);
/* The first candidate (192.168.42.0/24, 10.42.0.0/24, ...) that overlaps
 * nothing of hn's; -EADDRINUSE when all do. */
int client_pool_choose(const struct host_nets *hn, struct client_pool *p);

const char *ipv4_format(uint32_t addr, char buf[INET_ADDRSTRLEN]);
/* RFC 1918 or RFC 6598 (carrier-grade NAT) */
bool ipv4_is_private(uint32_t addr);

#endif
