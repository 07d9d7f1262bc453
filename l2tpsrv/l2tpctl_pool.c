/*
 * l2tpctl init's client address pool (l2tpctl_pool.h): what this host's
 * interfaces and routing tables hold, from the kernel, and the first of a
 * few candidate networks that overlaps none of it. IPv4 only: the pool is.
 */
#include "autoconfig.h"

#include "l2tpctl_pool.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NETLINK_BUF_SIZE 32768
/*
 * Routes shorter than this stand in for the default route, not for a
 * network: a VPN client's 0.0.0.0/1 and 128.0.0.0/1 ("def1") would
 * otherwise overlap every candidate.
 */
#define ROUTE_MIN_PREFIX 8

/*
 * Tried in this order: the built-in default first, then networks that few
 * LANs, VPNs or container hosts use.
 */
static const char *const pool_candidates[] = {
	"192.168.42.0/24", "10.42.0.0/24",   "10.43.0.0/24", "172.29.42.0/24",
	"10.44.0.0/24",	   "172.30.42.0/24", "10.45.0.0/24", "192.168.142.0/24",
};

/* --- addresses --- */

static uint32_t prefix_mask(unsigned int prefix)
{
	return prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
}

static struct ipv4_net net_of(uint32_t addr, unsigned int prefix)
{
	uint32_t mask = prefix_mask(prefix);

	return (struct ipv4_net){ addr & mask, (addr & mask) | ~mask, prefix };
}

static bool nets_overlap(const struct ipv4_net *a, const struct ipv4_net *b)
{
	return a->first <= b->last && b->first <= a->last;
}

static bool net_holds(const struct ipv4_net *n, uint32_t addr)
{
	return n->first <= addr && addr <= n->last;
}

static unsigned int mask_prefix(uint32_t mask)
{
	unsigned int n = 0;

	while (n < 32 && (mask & (UINT32_C(1) << (31 - n))))
		n++;
	return n;
}

const char *ipv4_format(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	struct in_addr in = { .s_addr = htonl(addr) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/*
 * A client's address must not be in 0/8, 127/8 or 224/4 (config_ppp.c);
 * n is a /16 or longer, so its first octet says.
 */
static bool usable_for_clients(const struct ipv4_net *n)
{
	unsigned int octet = n->first >> 24;

	return octet != 0 && octet != 127 && octet < 224;
}

/* "A.B.C.D/P" with no host bits set; says what is wrong in why. */
static bool parse_cidr(const char *s, struct ipv4_net *out, char *why, size_t why_len)
{
	char addr[INET_ADDRSTRLEN], *end;
	const char *slash = strchr(s, '/');
	struct in_addr in;
	unsigned long prefix;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !isdigit((unsigned char)slash[1])) {
		snprintf(why, why_len, "not NETWORK/PREFIX");
		return false;
	}
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (inet_pton(AF_INET, addr, &in) != 1 || *end || errno || prefix > 32) {
		snprintf(why, why_len, "not NETWORK/PREFIX");
		return false;
	}
	*out = net_of(ntohl(in.s_addr), (unsigned int)prefix);
	if (out->first != ntohl(in.s_addr)) {
		snprintf(why, why_len, "host bits set");
		return false;
	}
	return true;
}

/*
 * The calls' addresses in net: the server's end at .1, and, as in the
 * built-in default (192.168.42.0/24: 192.168.42.10-250, local 192.168.42.1),
 * a margin at both ends for the network's other hosts in larger networks.
 */
static bool pool_from_net(const struct ipv4_net *net, struct client_pool *p, char *why,
			  size_t why_len)
{
	if (net->prefix < 16 || net->prefix > 29) {
		snprintf(why, why_len, "a /16 to /29 is needed");
		return false;
	}
	if (!usable_for_clients(net)) {
		snprintf(why, why_len, "not an address clients may have");
		return false;
	}
	p->net = *net;
	p->local_ip = net->first + 1;
	p->first = net->prefix <= 24 ? net->first + 10 : net->first + 2;
	p->last = net->prefix <= 24 ? net->last - 5 : net->last - 1;
	return true;
}

bool client_pool_parse(const char *cidr, struct client_pool *p, char *why, size_t why_len)
{
	struct ipv4_net net;

	return parse_cidr(cidr, &net, why, why_len) && pool_from_net(&net, p, why, why_len);
}

/* --- what this host has: interface addresses and routes --- */

void host_nets_free(struct host_nets *hn)
{
	free(hn->v);
	hn->v = NULL;
	hn->n = hn->cap = 0;
}

static struct host_net *host_nets_add(struct host_nets *hn)
{
	if (hn->n == hn->cap) {
		size_t cap = hn->cap ? hn->cap * 2 : 64;
		struct host_net *v = reallocarray(hn->v, cap, sizeof(*v));

		if (!v)
			return NULL;
		hn->v = v;
		hn->cap = cap;
	}
	memset(&hn->v[hn->n], 0, sizeof(hn->v[hn->n]));
	return &hn->v[hn->n++];
}

static int read_addresses(struct host_nets *hn)
{
	struct ifaddrs *ifa_list, *ifa;
	int r = 0;

	if (getifaddrs(&ifa_list) < 0)
		return -errno;
	for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr_in *a = (const void *)ifa->ifa_addr;
		const struct sockaddr_in *m = (const void *)ifa->ifa_netmask;
		struct host_net *h;

		if (!a || !m || a->sin_family != AF_INET)
			continue;
		h = host_nets_add(hn);
		if (!h) {
			r = -ENOMEM;
			break;
		}
		h->addr = ntohl(a->sin_addr.s_addr);
		h->net = net_of(h->addr, mask_prefix(ntohl(m->sin_addr.s_addr)));
		h->ifindex = (int)if_nametoindex(ifa->ifa_name);
		snprintf(h->ifname, sizeof(h->ifname), "%s", ifa->ifa_name);
	}
	freeifaddrs(ifa_list);
	return r;
}

struct route_attrs {
	uint32_t dst, prefsrc, gateway, priority, table;
	int oif;
};

static void parse_route_attrs(const struct nlmsghdr *nh, const struct rtmsg *rtm,
			      struct route_attrs *ra)
{
	int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	const struct rtattr *rta;

	memset(ra, 0, sizeof(*ra));
	ra->table = rtm->rtm_table;
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		uint32_t v;

		if (RTA_PAYLOAD(rta) != sizeof(v))
			continue;
		memcpy(&v, RTA_DATA(rta), sizeof(v));
		switch (rta->rta_type) {
		case RTA_DST:
			ra->dst = ntohl(v);
			break;
		case RTA_PREFSRC:
			ra->prefsrc = ntohl(v);
			break;
		case RTA_GATEWAY:
			ra->gateway = ntohl(v);
			break;
		case RTA_PRIORITY:
			ra->priority = v;
			break;
		case RTA_TABLE:
			ra->table = v;
			break;
		case RTA_OIF:
			ra->oif = (int)v;
			break;
		}
	}
}

/* One RTM_NEWROUTE of the dump: a network, or the default route. */
static int add_route(struct host_nets *hn, const struct nlmsghdr *nh)
{
	const struct rtmsg *rtm = NLMSG_DATA(nh);
	struct route_attrs ra;
	struct host_net *h;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) || rtm->rtm_family != AF_INET ||
	    rtm->rtm_dst_len > 32)
		return 0;
	parse_route_attrs(nh, rtm, &ra);
	if (rtm->rtm_dst_len == 0) {
		if (ra.table == RT_TABLE_MAIN && rtm->rtm_type == RTN_UNICAST && ra.oif > 0 &&
		    (hn->default_oif == 0 || ra.priority < hn->default_metric)) {
			hn->default_oif = ra.oif;
			hn->default_src = ra.prefsrc;
			hn->default_gw = ra.gateway;
			hn->default_metric = ra.priority;
		}
		return 0;
	}
	if (rtm->rtm_dst_len < ROUTE_MIN_PREFIX)
		return 0;
	h = host_nets_add(hn);
	if (!h)
		return -ENOMEM;
	h->net = net_of(ra.dst, rtm->rtm_dst_len);
	h->is_route = true;
	h->ifindex = ra.oif;
	if (ra.oif <= 0 || !if_indextoname((unsigned int)ra.oif, h->ifname))
		h->ifname[0] = '\0';
	return 0;
}

/* Handles one datagram of the dump; 1 when it held NLMSG_DONE. */
static int route_dump_part(struct host_nets *hn, const void *buf, ssize_t n, uint32_t seq)
{
	const struct nlmsghdr *nh;

	for (nh = buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
		int r;

		if (nh->nlmsg_seq != seq)
			continue;
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EPROTO;
			return e->error < 0 ? e->error : -EPROTO;
		}
		if (nh->nlmsg_type != RTM_NEWROUTE)
			continue;
		r = add_route(hn, nh);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Every IPv4 route of every table, through an rtnetlink dump. */
static int read_routes(struct host_nets *hn)
{
	const uint32_t seq = 1;
	struct {
		struct nlmsghdr nh;
		struct rtmsg rtm;
	} rq = {
		.nh = { .nlmsg_len = sizeof(rq), .nlmsg_type = RTM_GETROUTE,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq },
		.rtm = { .rtm_family = AF_INET },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char *buf = malloc(NETLINK_BUF_SIZE);
	int fd, r = 0;

	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 ||
	    sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		r = -errno;
	while (r == 0) {
		ssize_t n = recv(fd, buf, NETLINK_BUF_SIZE, MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || n > NETLINK_BUF_SIZE) {
			r = n < 0 ? -errno : n == 0 ? -EPROTO : -EMSGSIZE;
			break;
		}
		r = route_dump_part(hn, buf, n, seq);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return r < 0 ? r : 0;
}

int host_nets_read(struct host_nets *hn, const char **what)
{
	int r;

	*what = "addresses";
	r = read_addresses(hn);
	if (r == 0) {
		*what = "routes";
		r = read_routes(hn);
	}
	return r;
}

const struct host_net *host_nets_clash(const struct host_nets *hn, const struct ipv4_net *net)
{
	for (size_t i = 0; i < hn->n; i++)
		if (nets_overlap(&hn->v[i].net, net))
			return &hn->v[i];
	return NULL;
}

void host_net_describe(const struct host_net *h, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];
	const char *dev = h->ifname[0] ? h->ifname : "?";

	if (h->is_route)
		snprintf(buf, len, "the route to %s/%u (dev %s)", ipv4_format(h->net.first, a),
			 h->net.prefix, dev);
	else
		snprintf(buf, len, "the address %s/%u on %s", ipv4_format(h->addr, a),
			 h->net.prefix, dev);
}

static bool is_loopback_or_link_local(uint32_t a)
{
	return (a >> 24) == 127 || (a >> 16) == ((169u << 8) | 254);
}

/*
 * The address of the interface holding the default route: the route's
 * preferred source, else that interface's address in the gateway's network,
 * else its first address that is neither loopback nor link-local. 0: none.
 */
uint32_t host_nets_server_address(const struct host_nets *hn)
{
	uint32_t other = 0;

	if (hn->default_src)
		return hn->default_src;
	for (size_t i = 0; hn->default_oif && i < hn->n; i++) {
		const struct host_net *h = &hn->v[i];

		if (h->is_route || h->ifindex != hn->default_oif ||
		    is_loopback_or_link_local(h->addr))
			continue;
		if (net_holds(&h->net, hn->default_gw))
			return h->addr;
		if (!other)
			other = h->addr;
	}
	return other;
}

bool ipv4_is_private(uint32_t a)
{
	return (a >> 24) == 10 ||			/* 10.0.0.0/8 */
	       (a >> 20) == ((172u << 4) | 1) ||	/* 172.16.0.0/12 */
	       (a >> 16) == ((192u << 8) | 168) ||	/* 192.168.0.0/16 */
	       (a >> 22) == ((100u << 2) | 1);		/* 100.64.0.0/10 */
}

int client_pool_choose(const struct host_nets *hn, struct client_pool *p)
{
	for (size_t i = 0; i < sizeof(pool_candidates) / sizeof(pool_candidates[0]); i++) {
		char why[64];

		if (!client_pool_parse(pool_candidates[i], p, why, sizeof(why)))
			return -EINVAL; /* a bad table entry */
		if (!host_nets_clash(hn, &p->net))
			return 0;
	}
	return -EADDRINUSE;
}
