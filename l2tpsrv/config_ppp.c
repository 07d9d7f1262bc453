/*
 * config_ppp: the PPP and address keys of l2tpsrv.conf.
 *
 * Addresses are dotted-quad IPv4 only (inet_pton: no shorthand such as
 * "10.1", no leading zeros), kept in host byte order. Every address given
 * to a client or pushed to it must be usable unicast: nothing in 0.0.0.0/8,
 * 127.0.0.0/8 or 224.0.0.0/4, nor 255.255.255.255.
 */
#include "config_ppp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#define DEFAULT_POOL_FIRST IPV4(192, 168, 42, 10)
#define DEFAULT_POOL_LAST IPV4(192, 168, 42, 250)
#define DEFAULT_LOCAL_IP IPV4(192, 168, 42, 1)

/*
 * The default ppp_mtu and ppp_mru. A client's IP packet goes in PPP, in
 * L2TP, in UDP, in ESP (transport mode), perhaps in UDP again for NAT
 * traversal, and the whole must cross a 1500-octet path unfragmented:
 *     1500  path MTU
 *   -   20  outer IPv4 header
 *   -    8  UDP 4500 (NAT-T)
 *   -   60  ESP at most: SPI 4, sequence number 4, AES-CBC IV 16, padding
 *           0..15, pad length and next header 2, ICV 12..16
 *   -    8  UDP 1701
 *   -   16  L2TP data header at most (8 without Ns/Nr and offset, as
 *           clients send it)
 *   -    2  PPP protocol field (4 with address and control)
 *   = 1386 at the very worst, about 1400 as it is met: a 1400-octet packet
 * in an 8-octet L2TP header and a 4-octet PPP header, with AES-CBC and a
 * 16-octet ICV, makes a 1492-octet outer packet (2 octets of padding).
 */
#define DEFAULT_PPP_MTU 1400

/* Addresses never given to or pushed to a client. */
static const struct {
	uint32_t first, last;
	const char *what;
} unusable_blocks[] = {
	{ IPV4(0, 0, 0, 0), IPV4(0, 255, 255, 255), "0.0.0.0/8" },
	{ IPV4(127, 0, 0, 0), IPV4(127, 255, 255, 255), "loopback" },
	{ IPV4(224, 0, 0, 0), IPV4(239, 255, 255, 255), "multicast" },
	{ IPV4(255, 255, 255, 255), IPV4(255, 255, 255, 255), "broadcast" },
};

static const struct {
	const char *name;
	enum config_auth bit;
} auth_methods[] = {
	{ "pap", CONFIG_AUTH_PAP },
	{ "chap", CONFIG_AUTH_CHAP },
	{ "mschap", CONFIG_AUTH_MSCHAP },
	{ "mschap-v2", CONFIG_AUTH_MSCHAP_V2 },
	{ "eap", CONFIG_AUTH_EAP },
};

static const char *const dataplane_names[] = {
	[CONFIG_DATAPLANE_AUTO] = "auto",
	[CONFIG_DATAPLANE_KERNEL] = "kernel",
	[CONFIG_DATAPLANE_USERSPACE] = "userspace",
	[CONFIG_DATAPLANE_NULL] = "null",
};

static const char *const nat_datapath_names[] = {
	[CONFIG_NAT_DATAPATH_AUTO] = "auto",
	[CONFIG_NAT_DATAPATH_SAME_PORT] = "same-port",
	[CONFIG_NAT_DATAPATH_NAT_PORT] = "nat-port",
};

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static const char *format_ipv4(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	snprintf(buf, INET_ADDRSTRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

static bool parse_ipv4(const char *s, size_t len, uint32_t *addr)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr in;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &in) != 1)
		return false;
	*addr = ntohl(in.s_addr);
	return true;
}

/* What makes first..last unusable for clients, or NULL. */
static const char *unusable(uint32_t first, uint32_t last)
{
	for (size_t i = 0; i < N_ELEMENTS(unusable_blocks); i++) {
		if (first <= unusable_blocks[i].last && last >= unusable_blocks[i].first)
			return unusable_blocks[i].what;
	}
	return NULL;
}

/* A usable unicast address for key. */
static bool parse_client_address(const char *key, const char *v, size_t len, uint32_t *addr,
				 char why[CONFIG_WHY_MAX])
{
	struct config_quoted q;
	const char *what;

	if (!parse_ipv4(v, len, addr)) {
		snprintf(why, CONFIG_WHY_MAX, "bad address %s for %s", config_quote(&q, v, len),
			 key);
		return false;
	}
	what = unusable(*addr, *addr);
	if (what) {
		snprintf(why, CONFIG_WHY_MAX, "bad address %s for %s: a %s address",
			 config_quote(&q, v, len), key, what);
		return false;
	}
	return true;
}

/* part (of pool v) as an address */
static bool parse_pool_address(const char *v, size_t len, const char *part, size_t part_len,
			       uint32_t *addr, char why[CONFIG_WHY_MAX])
{
	struct config_quoted q, qp;

	if (parse_ipv4(part, part_len, addr))
		return true;
	snprintf(why, CONFIG_WHY_MAX, "bad address %s in pool %s",
		 config_quote(&qp, part, part_len), config_quote(&q, v, len));
	return false;
}

/* "0".."32" */
static bool parse_prefix_length(const char *s, size_t len, unsigned int *prefix)
{
	unsigned int n = 0;

	if (len == 0 || len > 2)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (unsigned int)(s[i] - '0');
	}
	if (n > 32)
		return false;
	*prefix = n;
	return true;
}

/* NETWORK/PREFIX: the host addresses, all of a /31 or /32. */
static bool parse_cidr(const char *v, size_t len, const char *a, size_t a_len, const char *b,
		       size_t b_len, struct config_pool_range *r, char why[CONFIG_WHY_MAX])
{
	struct config_quoted q, qa;
	char net_text[INET_ADDRSTRLEN];
	unsigned int prefix;
	uint32_t net, host_mask;

	if (!parse_pool_address(v, len, a, a_len, &net, why))
		return false;
	if (!parse_prefix_length(b, b_len, &prefix)) {
		snprintf(why, CONFIG_WHY_MAX, "bad prefix length %s in pool %s (0..32)",
			 config_quote(&qa, b, b_len), config_quote(&q, v, len));
		return false;
	}
	host_mask = prefix == 32 ? 0 : UINT32_MAX >> prefix; /* a shift by 32 is undefined */
	if (net & host_mask) {
		snprintf(why, CONFIG_WHY_MAX, "pool %s has host bits set: the network is %s/%u",
			 config_quote(&q, v, len), format_ipv4(net & ~host_mask, net_text), prefix);
		return false;
	}
	r->first = net;
	r->last = net | host_mask;
	if (prefix < 31) {
		r->first++;
		r->last--;
	}
	return true;
}

/* FIRST-LAST or NETWORK/PREFIX, blanks allowed around '-' and '/'. */
static bool parse_pool_range(const char *v, size_t len, struct config_pool_range *r,
			     char why[CONFIG_WHY_MAX])
{
	const char *dash = memchr(v, '-', len), *slash = memchr(v, '/', len);
	const char *sep = dash ? dash : slash, *a = v, *b, *a_end, *end = v + len;
	struct config_quoted q;
	uint64_t n;
	const char *what;

	if (!sep || (dash && slash) || memchr(sep + 1, *sep, (size_t)(end - sep - 1))) {
		snprintf(why, CONFIG_WHY_MAX, "bad pool %s (FIRST-LAST or NETWORK/PREFIX)",
			 config_quote(&q, v, len));
		return false;
	}
	for (a_end = sep; a_end > a && is_blank(a_end[-1]); a_end--)
		;
	for (b = sep + 1; b < end && is_blank(*b); b++)
		;
	if (slash) {
		if (!parse_cidr(v, len, a, (size_t)(a_end - a), b, (size_t)(end - b), r, why))
			return false;
	} else {
		if (!parse_pool_address(v, len, a, (size_t)(a_end - a), &r->first, why) ||
		    !parse_pool_address(v, len, b, (size_t)(end - b), &r->last, why))
			return false;
		if (r->last < r->first) {
			snprintf(why, CONFIG_WHY_MAX, "pool %s ends before it starts",
				 config_quote(&q, v, len));
			return false;
		}
	}
	n = (uint64_t)r->last - r->first + 1;
	if (n > CONFIG_MAX_POOL_LINE) {
		snprintf(why, CONFIG_WHY_MAX, "pool %s has %llu addresses (at most %d a line)",
			 config_quote(&q, v, len), (unsigned long long)n, CONFIG_MAX_POOL_LINE);
		return false;
	}
	what = unusable(r->first, r->last);
	if (what) {
		snprintf(why, CONFIG_WHY_MAX, "pool %s holds %s addresses",
			 config_quote(&q, v, len), what);
		return false;
	}
	return true;
}

static bool set_pool(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
		     char why[CONFIG_WHY_MAX])
{
	struct config_pool_range r;
	struct config_quoted q;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	/* the file's first pool replaces the pools it was loaded over */
	if (first) {
		memset(c->pools, 0, sizeof(c->pools));
		c->n_pools = 0;
	}
	if (!parse_pool_range(v, len, &r, why))
		return false;
	for (size_t i = 0; i < c->n_pools; i++) {
		if (r.first <= c->pools[i].last && r.last >= c->pools[i].first) {
			snprintf(why, CONFIG_WHY_MAX, "pool %s overlaps pool %s-%s",
				 config_quote(&q, v, len), format_ipv4(c->pools[i].first, a),
				 format_ipv4(c->pools[i].last, b));
			return false;
		}
	}
	if (c->n_pools >= CONFIG_MAX_POOL) {
		snprintf(why, CONFIG_WHY_MAX, "too many pool lines (at most %d)", CONFIG_MAX_POOL);
		return false;
	}
	c->pools[c->n_pools++] = r;
	return true;
}

static void dump_pool(const struct l2tpsrv_config *c, FILE *f)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	if (c->n_pools == 0)
		fprintf(f, "# pool = (none)\n");
	for (size_t i = 0; i < c->n_pools && i < CONFIG_MAX_POOL; i++)
		fprintf(f, "pool = %s-%s\n", format_ipv4(c->pools[i].first, a),
			format_ipv4(c->pools[i].last, b));
}

static bool set_local_ip(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
			 char why[CONFIG_WHY_MAX])
{
	(void)first; /* a single value */
	return parse_client_address("local_ip", v, len, &c->local_ip, why);
}

static void dump_local_ip(const struct l2tpsrv_config *c, FILE *f)
{
	char a[INET_ADDRSTRLEN];

	fprintf(f, "local_ip = %s\n", format_ipv4(c->local_ip, a));
}

static bool set_dns(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
		    char why[CONFIG_WHY_MAX])
{
	struct config_quoted q;
	uint32_t addr;

	if (first) {
		memset(c->dns, 0, sizeof(c->dns));
		c->n_dns = 0;
	}
	if (!parse_client_address("dns", v, len, &addr, why))
		return false;
	for (size_t i = 0; i < c->n_dns; i++) {
		if (c->dns[i] == addr) {
			snprintf(why, CONFIG_WHY_MAX, "duplicate dns %s", config_quote(&q, v, len));
			return false;
		}
	}
	if (c->n_dns >= CONFIG_MAX_DNS) {
		snprintf(why, CONFIG_WHY_MAX, "too many dns lines (at most %d)", CONFIG_MAX_DNS);
		return false;
	}
	c->dns[c->n_dns++] = addr;
	return true;
}

static void dump_dns(const struct l2tpsrv_config *c, FILE *f)
{
	char a[INET_ADDRSTRLEN];

	if (c->n_dns == 0)
		fprintf(f, "# dns = (none)\n");
	for (size_t i = 0; i < c->n_dns && i < CONFIG_MAX_DNS; i++)
		fprintf(f, "dns = %s\n", format_ipv4(c->dns[i], a));
}

/* The bit of method s, or 0. */
static unsigned int auth_method(const char *s, size_t len)
{
	for (size_t i = 0; i < N_ELEMENTS(auth_methods); i++) {
		const char *name = auth_methods[i].name;

		if (strlen(name) == len && strncasecmp(s, name, len) == 0)
			return auth_methods[i].bit;
	}
	return 0;
}

/* Methods separated by commas, blanks or both: "pap, chap", "pap chap". */
static bool set_auth(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
		     char why[CONFIG_WHY_MAX])
{
	const char *s = v, *end = v + len;
	struct config_quoted q, qm;
	bool want_method = true; /* at the start or after a comma */
	unsigned int bits = 0;

	(void)first; /* a single value */
	while (s < end) {
		const char *m = s;
		unsigned int bit;

		if (is_blank(*s)) {
			s++;
			continue;
		}
		if (*s == ',') {
			if (want_method)
				goto empty_method;
			want_method = true;
			s++;
			continue;
		}
		while (s < end && *s != ',' && !is_blank(*s))
			s++;
		bit = auth_method(m, (size_t)(s - m));
		if (!bit) {
			snprintf(why, CONFIG_WHY_MAX,
				 "bad method %s in ppp_auth %s (pap, chap, mschap, mschap-v2 or eap)",
				 config_quote(&qm, m, (size_t)(s - m)), config_quote(&q, v, len));
			return false;
		}
		if (bits & bit) {
			snprintf(why, CONFIG_WHY_MAX, "duplicate method %s in ppp_auth %s",
				 config_quote(&qm, m, (size_t)(s - m)), config_quote(&q, v, len));
			return false;
		}
		bits |= bit;
		want_method = false;
	}
	if (bits == 0) {
		snprintf(why, CONFIG_WHY_MAX,
			 "ppp_auth is empty (one or more of pap, chap, mschap, mschap-v2, eap)");
		return false;
	}
	if (want_method)
		goto empty_method;
	c->ppp_auth = bits;
	return true;
empty_method:
	snprintf(why, CONFIG_WHY_MAX, "empty method in ppp_auth %s", config_quote(&q, v, len));
	return false;
}

static void dump_auth(const struct l2tpsrv_config *c, FILE *f)
{
	const char *sep = "";

	if (c->ppp_auth == 0) {
		fprintf(f, "# ppp_auth = (none)\n");
		return;
	}
	fprintf(f, "ppp_auth = ");
	for (size_t i = 0; i < N_ELEMENTS(auth_methods); i++) {
		if (c->ppp_auth & auth_methods[i].bit) {
			fprintf(f, "%s%s", sep, auth_methods[i].name);
			sep = ", ";
		}
	}
	fputc('\n', f);
}

const char *config_dataplane_name(enum config_dataplane d)
{
	if ((size_t)d >= N_ELEMENTS(dataplane_names))
		return "?";
	return dataplane_names[d];
}

const char *config_nat_datapath_name(enum config_nat_datapath d)
{
	if ((size_t)d >= N_ELEMENTS(nat_datapath_names))
		return "?";
	return nat_datapath_names[d];
}

/* One of names (case aside) into *index, or false with why. */
static bool set_choice(const char *const *names, size_t n, unsigned int *index, const char *key,
		       const char *v, size_t len, char why[CONFIG_WHY_MAX])
{
	struct config_quoted q;
	char list[128] = "";

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(v, names[i]) == 0) {
			*index = (unsigned int)i;
			return true;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i == 0 ? "" : i + 1 < n ? ", " : " or ", names[i]);
	}
	snprintf(why, CONFIG_WHY_MAX, "bad %s %s (%s)", key, config_quote(&q, v, len), list);
	return false;
}

static bool set_dataplane(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
			  char why[CONFIG_WHY_MAX])
{
	unsigned int i;

	(void)first; /* a single value */
	if (!set_choice(dataplane_names, N_ELEMENTS(dataplane_names), &i, "dataplane", v, len, why))
		return false;
	c->dataplane = (enum config_dataplane)i;
	return true;
}

static void dump_dataplane(const struct l2tpsrv_config *c, FILE *f)
{
	fprintf(f, "dataplane = %s\n", config_dataplane_name(c->dataplane));
}

static bool set_nat_datapath(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
			     char why[CONFIG_WHY_MAX])
{
	unsigned int i;

	(void)first;
	if (!set_choice(nat_datapath_names, N_ELEMENTS(nat_datapath_names), &i, "nat_datapath", v,
			len, why))
		return false;
	c->nat_datapath = (enum config_nat_datapath)i;
	return true;
}

static void dump_nat_datapath(const struct l2tpsrv_config *c, FILE *f)
{
	fprintf(f, "nat_datapath = %s\n", config_nat_datapath_name(c->nat_datapath));
}

const struct config_split_key config_ppp_pool = { true, set_pool, dump_pool };
const struct config_split_key config_ppp_local_ip = { false, set_local_ip, dump_local_ip };
const struct config_split_key config_ppp_dns = { true, set_dns, dump_dns };
const struct config_split_key config_ppp_auth = { false, set_auth, dump_auth };
const struct config_split_key config_ppp_dataplane = { false, set_dataplane, dump_dataplane };
const struct config_split_key config_ppp_nat_datapath = { false, set_nat_datapath,
							  dump_nat_datapath };

void config_ppp_defaults(struct l2tpsrv_config *c)
{
	memset(c->pools, 0, sizeof(c->pools));
	c->pools[0].first = DEFAULT_POOL_FIRST;
	c->pools[0].last = DEFAULT_POOL_LAST;
	c->n_pools = 1;
	c->local_ip = DEFAULT_LOCAL_IP;
	memset(c->dns, 0, sizeof(c->dns));
	c->n_dns = 0;
	c->ppp_mtu = DEFAULT_PPP_MTU;
	c->ppp_mru = DEFAULT_PPP_MTU;
	c->ppp_auth = CONFIG_AUTH_MSCHAP_V2;
	c->mss_clamp = true;
	c->dataplane = CONFIG_DATAPLANE_AUTO;
}

bool config_ppp_check(const struct l2tpsrv_config *c, const unsigned int *pool_line,
		      unsigned int local_ip_line, unsigned int *line, char why[CONFIG_WHY_MAX])
{
	char ip[INET_ADDRSTRLEN], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	for (size_t i = 0; i < c->n_pools && i < CONFIG_MAX_POOL; i++) {
		const struct config_pool_range *r = &c->pools[i];

		if (c->local_ip < r->first || c->local_ip > r->last)
			continue;
		format_ipv4(c->local_ip, ip);
		format_ipv4(r->first, a);
		format_ipv4(r->last, b);
		/* on the later of the two lines */
		if (pool_line[i] > local_ip_line) {
			*line = pool_line[i];
			if (local_ip_line)
				snprintf(why, CONFIG_WHY_MAX,
					 "pool %s-%s contains local_ip %s (line %u)", a, b, ip,
					 local_ip_line);
			else
				snprintf(why, CONFIG_WHY_MAX,
					 "pool %s-%s contains local_ip %s; set local_ip to an "
					 "address outside the pools",
					 a, b, ip);
		} else {
			*line = local_ip_line;
			if (pool_line[i])
				snprintf(why, CONFIG_WHY_MAX,
					 "local_ip %s is inside pool %s-%s (line %u)", ip, a, b,
					 pool_line[i]);
			else
				snprintf(why, CONFIG_WHY_MAX, "local_ip %s is inside pool %s-%s",
					 ip, a, b);
		}
		return false;
	}
	return true;
}
