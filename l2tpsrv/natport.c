/*
 * natport: the table "inet l2tpsrv_ipsec" and the conntrack entries of the
 * per-tunnel ports; see natport.h.
 *
 * Four maps, one per hook that needs the tunnel, keyed by a mark and our
 * port: the zone of what comes in (mark-in . 1701) and of what goes out
 * (mark-out . the tunnel's port), where the peer's datagrams go (our
 * address . the tunnel's port) and what the tunnel's go out as (our
 * address . 1701). The port is part of the key because the mark is not
 * L2TP's alone: the ESP-in-UDP datagram that carries a tunnel's packet
 * leaves with the same mark, from 4500, and must be neither zoned nor
 * NATed. A key no map knows matches no rule: datagrams of other SAs,
 * unmarked ones and everything else pass untouched. The zones are set at
 * raw priority, before conntrack; the NAT at the usual dstnat and srcnat
 * priorities; the guard after srcnat, when the source port is the one the
 * peer sees.
 *
 * Two sets hold the header check: the marks of our SAs, and each tunnel's
 * mark . tunnel id. A data message that carries one of those marks and
 * names a tunnel id that its SA has no tunnel with is dropped before the
 * kernel's L2TP sees it.
 *
 * Conntrack entries go through libnetfilter_conntrack (ctnetlink), one
 * exact tuple at a time for a tunnel, and by a dump at start for what a
 * killed daemon left.
 */
#include "natport.h"
#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#define TABLE "inet " NATPORT_TABLE

#define REPLACE_PREFIX NFT_REPLACE_PREFIX(TABLE)

bool natport_kernel_finds_by_header(const char *release)
{
	unsigned int major = 0, minor = 0;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 11);
}

/* "{ 1701, 1702 }" */
static int render_ports(const uint16_t *ports, size_t n, char *buf, size_t size)
{
	size_t off = 0;
	int w;

	for (size_t i = 0; i < n; i++) {
		w = snprintf(buf + off, size - off, "%s%u", i ? ", " : "{ ", ports[i]);
		if (w < 0 || (size_t)w >= size - off)
			return -ENOSPC;
		off += (size_t)w;
	}
	w = snprintf(buf + off, size - off, " }");
	return w < 0 || (size_t)w >= size - off ? -ENOSPC : 0;
}

int natport_render_table(bool guard, const uint16_t *listen_ports, size_t n, char *buf,
			 size_t size)
{
	char ports[256] = "", guard_chain[512] = "", ids_chain[640] = "";
	int w;

	if (n > 0 && render_ports(listen_ports, n, ports, sizeof(ports)) < 0)
		return -ENOSPC;
	if (guard && n > 0) {
		w = snprintf(guard_chain, sizeof(guard_chain),
			     "\tchain guard {\n"
			     "\t\ttype filter hook postrouting priority srcnat + 200; policy accept;\n"
			     "\t\tudp sport %s rt ipsec missing counter drop\n"
			     "\t}\n",
			     ports);
		if (w < 0 || (size_t)w >= sizeof(guard_chain))
			return -ENOSPC;
	}
	if (n > 0) {
		/*
		 * A data message (T bit clear) with one of our marks must name a
		 * tunnel of that mark's SA: its Tunnel ID follows the flags word,
		 * or the Length field when the L bit is set (RFC 2661 3.1).
		 */
		w = snprintf(ids_chain, sizeof(ids_chain),
			     "\tchain ids_pre {\n"
			     "\t\ttype filter hook prerouting priority raw; policy accept;\n"
			     "\t\tudp dport %s meta mark @marks @th,64,2 0 "
			     "meta mark . @th,80,16 != @ids counter drop\n"
			     "\t\tudp dport %s meta mark @marks @th,64,2 1 "
			     "meta mark . @th,96,16 != @ids counter drop\n"
			     "\t}\n",
			     ports, ports);
		if (w < 0 || (size_t)w >= sizeof(ids_chain))
			return -ENOSPC;
	}
	w = snprintf(buf, size,
		     REPLACE_PREFIX
		     "table " TABLE " {\n"
		     "\tmap zone_in { typeof meta mark . udp dport : ct zone; }\n"
		     "\tmap zone_out { typeof meta mark . udp sport : ct zone; }\n"
		     "\tmap port_in { typeof meta mark . udp dport : ip daddr . udp dport; }\n"
		     "\tmap port_out { typeof meta mark . udp sport : ip saddr . udp sport; }\n"
		     "\tset marks { typeof meta mark; }\n"
		     "\tset ids { typeof meta mark . @th,80,16; }\n"
		     "\tchain zone_pre {\n"
		     "\t\ttype filter hook prerouting priority raw; policy accept;\n"
		     "\t\tmeta l4proto udp ct zone set meta mark . udp dport map @zone_in counter\n"
		     "\t}\n"
		     "\tchain zone_output {\n"
		     "\t\ttype filter hook output priority raw; policy accept;\n"
		     "\t\tmeta l4proto udp ct zone set meta mark . udp sport map @zone_out counter\n"
		     "\t}\n"
		     "\tchain port_pre {\n"
		     "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		     "\t\tmeta nfproto ipv4 meta l4proto udp counter dnat ip to meta mark . udp dport map @port_in\n"
		     "\t}\n"
		     "\tchain port_post {\n"
		     "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		     "\t\tmeta nfproto ipv4 meta l4proto udp counter snat ip to meta mark . udp sport map @port_out\n"
		     "\t}\n"
		     "%s%s"
		     "}\n",
		     ids_chain, guard_chain);
	if (w < 0 || (size_t)w >= size)
		return -ENOSPC;
	return w;
}

int natport_render_ids(bool add, uint32_t mark, uint16_t tunnel_id, bool with_mark, char *buf,
		       size_t size)
{
	const char *verb = add ? "add" : "delete";
	int w;

	if (!mark || !tunnel_id)
		return -EINVAL;
	w = snprintf(buf, size, "%s element " TABLE " ids { %#x . %u }\n", verb, mark, tunnel_id);
	if (w >= 0 && (size_t)w < size && with_mark)
		w += snprintf(buf + w, size - (size_t)w, "%s element " TABLE " marks { %#x }\n", verb,
			      mark);
	if (w < 0 || (size_t)w >= size)
		return -ENOSPC;
	return w;
}

/* The elements of t, for add or delete (which names only the keys). */
static int render_elements(const struct natport_tunnel *t, const char *verb, bool values,
			   char *buf, size_t size)
{
	char local[INET_ADDRSTRLEN];
	char v_zone[16] = "", v_in[48] = "", v_out[48] = "";
	int w;

	/* mark 0 is every unmarked datagram's */
	if (!t->zone || !t->port || !t->listen_port || !t->mark_in || !t->mark_out)
		return -EINVAL;
	inet_ntop(AF_INET, &t->local, local, sizeof(local));
	if (values) {
		snprintf(v_zone, sizeof(v_zone), " : %u", t->zone);
		snprintf(v_in, sizeof(v_in), " : %s . %u", local, t->port);
		snprintf(v_out, sizeof(v_out), " : %s . %u", local, t->listen_port);
	}
	/* in: the peer's mark . our listen port; out: our mark . the tunnel's port */
	w = snprintf(buf, size,
		     "%s element " TABLE " zone_in { %#x . %u%s }\n"
		     "%s element " TABLE " zone_out { %#x . %u%s }\n"
		     "%s element " TABLE " port_in { %#x . %u%s }\n"
		     "%s element " TABLE " port_out { %#x . %u%s }\n",
		     verb, t->mark_in, t->listen_port, v_zone, verb, t->mark_out, t->port, v_zone,
		     verb, t->mark_in, t->listen_port, v_in, verb, t->mark_out, t->port, v_out);
	if (w < 0 || (size_t)w >= size)
		return -ENOSPC;
	return w;
}

int natport_render_add(const struct natport_tunnel *t, char *buf, size_t size)
{
	/* create, not add: a mark that has a tunnel port already is refused */
	return render_elements(t, "create", true, buf, size);
}

int natport_render_del(const struct natport_tunnel *t, char *buf, size_t size)
{
	return render_elements(t, "delete", false, buf, size);
}

int natport_install(bool guard, const uint16_t *listen_ports, size_t n, char *err, size_t errlen)
{
	char batch[NATPORT_BATCH_MAX];
	int r = natport_render_table(guard, listen_ports, n, batch, sizeof(batch));

	if (r < 0) {
		nft_error(err, errlen, "ruleset too long");
		return r;
	}
	return nft_batch(batch, err, errlen);
}

int natport_remove(char *err, size_t errlen)
{
	return nft_batch(REPLACE_PREFIX, err, errlen);
}

static int run_elements(int r, const char *batch, char *err, size_t errlen)
{
	if (r < 0) {
		nft_error(err, errlen, r == -EINVAL ? "no zone, port, mark or tunnel id" : "batch too long");
		return r;
	}
	return nft_batch(batch, err, errlen);
}

int natport_add(const struct natport_tunnel *t, char *err, size_t errlen)
{
	char batch[NATPORT_BATCH_MAX];

	return run_elements(natport_render_add(t, batch, sizeof(batch)), batch, err, errlen);
}

int natport_del(const struct natport_tunnel *t, char *err, size_t errlen)
{
	char batch[NATPORT_BATCH_MAX];

	return run_elements(natport_render_del(t, batch, sizeof(batch)), batch, err, errlen);
}

int natport_ids_add(uint32_t mark, uint16_t tunnel_id, char *err, size_t errlen)
{
	char batch[NATPORT_BATCH_MAX];

	/* "add" of a mark already there is no error: the SA's other tunnels */
	return run_elements(natport_render_ids(true, mark, tunnel_id, true, batch, sizeof(batch)),
			    batch, err, errlen);
}

int natport_ids_del(uint32_t mark, uint16_t tunnel_id, bool last_of_mark, char *err,
		    size_t errlen)
{
	char batch[NATPORT_BATCH_MAX];

	return run_elements(
		natport_render_ids(false, mark, tunnel_id, last_of_mark, batch, sizeof(batch)), batch,
		err, errlen);
}

/* ---- conntrack ----------------------------------------------------- */

/* Destroys the UDP entry whose original direction is src:sport -> dst:dport in zone. */
static int destroy_one(struct nfct_handle *h, uint16_t zone, struct in_addr src, uint16_t sport,
		       struct in_addr dst, uint16_t dport)
{
	struct nf_conntrack *ct = nfct_new();
	int r;

	if (!ct)
		return -ENOMEM;
	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
	nfct_set_attr_u32(ct, ATTR_IPV4_SRC, src.s_addr);
	nfct_set_attr_u32(ct, ATTR_IPV4_DST, dst.s_addr);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_UDP);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(sport));
	nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(dport));
	nfct_set_attr_u16(ct, ATTR_ZONE, zone);
	r = nfct_query(h, NFCT_Q_DESTROY, ct) == 0 ? 1 : (errno == ENOENT ? 0 : -errno);
	nfct_destroy(ct);
	return r;
}

int natport_forget(const struct natport_tunnel *t)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	int n = 0, r;

	if (!h)
		return -errno;
	const struct {
		uint16_t zone;
		struct in_addr src;
		uint16_t sport;
		struct in_addr dst;
		uint16_t dport;
	} tuples[] = {
		/* we spoke first in the zone (SNAT to listen_port), or the peer did (DNAT) */
		{ t->zone, t->local, t->port, t->peer, t->peer_port },
		{ t->zone, t->peer, t->peer_port, t->local, t->listen_port },
		/* the SCCRQ and whatever else came before the zone existed */
		{ 0, t->peer, t->peer_port, t->local, t->listen_port },
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(tuples) / sizeof(tuples[0]); i++) {
		r = destroy_one(h, tuples[i].zone, tuples[i].src, tuples[i].sport, tuples[i].dst,
				tuples[i].dport);
		if (r > 0)
			n += r;
		else if (r < 0 && !err)
			err = r;
	}
	nfct_close(h);
	return err ? err : n;
}

#define FORGET_ALL_MAX 4096

struct forget_all {
	const uint16_t *ports;
	size_t n_ports;
	struct nf_conntrack *found[FORGET_ALL_MAX];
	size_t n_found;
};

static bool is_listen_port(const struct forget_all *fa, uint16_t port_be)
{
	for (size_t i = 0; i < fa->n_ports; i++)
		if (htons(fa->ports[i]) == port_be)
			return true;
	return false;
}

static int on_dumped(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct forget_all *fa = data;

	(void)type;
	if (!nfct_attr_is_set(ct, ATTR_ZONE) || nfct_get_attr_u16(ct, ATTR_ZONE) == 0 ||
	    nfct_get_attr_u8(ct, ATTR_L4PROTO) != IPPROTO_UDP)
		return NFCT_CB_CONTINUE;
	/* ours: the peer wrote to our port, or (after our SNAT) its replies do */
	if (!is_listen_port(fa, nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)) &&
	    !is_listen_port(fa, nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST)))
		return NFCT_CB_CONTINUE;
	if (fa->n_found < FORGET_ALL_MAX)
		fa->found[fa->n_found++] = nfct_clone(ct);
	return NFCT_CB_CONTINUE;
}

int natport_forget_all(const uint16_t *listen_ports, size_t n)
{
	struct forget_all *fa = calloc(1, sizeof(*fa));
	struct nfct_handle *h;
	uint32_t family = AF_INET;
	int gone = 0, r = 0;

	if (!fa)
		return -ENOMEM;
	fa->ports = listen_ports;
	fa->n_ports = n;
	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		r = -errno;
		goto out;
	}
	nfct_callback_register(h, NFCT_T_ALL, on_dumped, fa);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0)
		r = -errno;
	nfct_callback_unregister(h);
	/* destroyed after the dump: the handle answers one query at a time */
	for (size_t i = 0; i < fa->n_found; i++) {
		if (!fa->found[i])
			continue;
		if (nfct_query(h, NFCT_Q_DESTROY, fa->found[i]) == 0)
			gone++;
		nfct_destroy(fa->found[i]);
	}
	nfct_close(h);
out:
	free(fa);
	return r < 0 ? r : gone;
}
