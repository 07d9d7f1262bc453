/*
 * natport: the nftables table "inet l2tpsrv_ipsec" — the guard that keeps
 * L2TP from leaving unprotected, and the per-tunnel port that lets several
 * clients behind one NAT share NATIP:1701 on kernels that find a data
 * packet's L2TP tunnel by the socket it arrived on.
 *
 * Why a per-tunnel port. Two Windows PCs behind one NAT both send L2TP from
 * NATIP:1701 to our 1701, each inside its own IPsec SA. Our swanctl profile
 * gives every CHILD_SA its own marks (mark_in/mark_out = %unique,
 * set_mark_in = %same): decrypted datagrams carry the SA's mark-in, and what
 * we send must carry its mark-out to match that SA's outbound policy. Up to
 * Linux 6.10 the kernel's L2TP hands a data packet to the tunnel of the
 * socket it arrived on, and delivers every packet of one address/port pair
 * to the first connected socket: two tunnels from NATIP:1701 collide. So
 * each such tunnel gets a socket bound to a port of its own, connected to
 * NATIP:1701 with the SA's mark-out, and this table, keyed by the marks and
 * our port (mark-in . 1701 coming in, mark-out . the tunnel's port going
 * out; not the mark alone, which the ESP-in-UDP datagram keeps):
 *   - gives the tunnel's packets a conntrack zone of their own (the tunnel
 *     id), before conntrack sees them, in both directions: the clients'
 *     identical address/port pairs are then different connections;
 *   - DNATs the client's datagrams (its mark-in) to the tunnel's port, and
 *     SNATs the tunnel socket's (its mark-out) back to our 1701. The SNAT
 *     also covers the case where we speak first in the zone (our ZLB after
 *     the SCCCN), so there is no window in which the rules are half there.
 *     The kernel looks the IPsec policy up again after the NAT, with the
 *     address and port the peer sees.
 * A tunnel's rules are map elements: added when its socket is opened,
 * deleted when it is closed, with the zone's conntrack entries.
 *
 * The header check: from Linux 6.11 the kernel's L2TP takes a data message
 * for the session its header names, whatever socket and SA it came
 * through, so a client behind the same NAT that guessed another's tunnel
 * and session ids could inject frames into that session. A data message
 * that carries one of our SAs' marks must name a tunnel of that SA: sets of
 * the marks and of mark . tunnel id pairs, filled per tunnel (ids_add/del),
 * and a prerouting rule that drops the rest. Unmarked datagrams (an SA
 * without marks) are not checked.
 *
 * The guard: an outbound datagram from our L2TP port that no IPsec policy
 * took (`rt ipsec missing`) is dropped. Marked outbound policies match only
 * packets with their mark, so an unmarked or late packet (a StopCCN after
 * charon removed the SA) would otherwise leave in clear.
 *
 * Install and remove replace the whole table in one transaction, as
 * mss_clamp.h does, so a table left by a killed daemon is simply replaced.
 * Nothing here logs.
 */
#ifndef L2TPSRV_NATPORT_H
#define L2TPSRV_NATPORT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NATPORT_TABLE "l2tpsrv_ipsec" /* family inet */
/* More than any render function writes. */
#define NATPORT_BATCH_MAX 4096

/* One tunnel on a port of its own. */
struct natport_tunnel {
	uint16_t zone;           /* its conntrack zone: the tunnel id, never 0 */
	uint32_t mark_in;        /* its SA's mark-in: what the peer's datagrams carry */
	uint32_t mark_out;       /* its SA's mark-out: what its socket sends with */
	struct in_addr local;    /* our address the peer writes to */
	uint16_t listen_port;    /* and our port there (host order, as all ports here) */
	uint16_t port;           /* the tunnel socket's own port */
	struct in_addr peer;     /* the peer: the NAT's address */
	uint16_t peer_port;      /* and port */
};

/*
 * Whether the running kernel (its uname release, "6.1.0-28-amd64") finds a
 * data packet's L2TP session by the ids in its header whatever socket it
 * came in on (Linux 6.11 and later): then tunnels may share an address
 * and port pair, each on its own socket.
 */
bool natport_kernel_finds_by_header(const char *release);

/*
 * The batches, NUL-terminated in buf; their length, or -ENOSPC. The table:
 * the maps and chains, with the guard for UDP from listen_ports (n of
 * them; none: no guard) when guard is set.
 */
int natport_render_table(bool guard, const uint16_t *listen_ports, size_t n, char *buf,
			 size_t size);
int natport_render_add(const struct natport_tunnel *t, char *buf, size_t size);
int natport_render_del(const struct natport_tunnel *t, char *buf, size_t size);

/* Through libnftables; 0 or a negative errno with a message in err (nft.h). */
int natport_install(bool guard, const uint16_t *listen_ports, size_t n, char *err, size_t errlen);
int natport_remove(char *err, size_t errlen);
int natport_add(const struct natport_tunnel *t, char *err, size_t errlen);
int natport_del(const struct natport_tunnel *t, char *err, size_t errlen);

/*
 * The header check's elements: tunnel_id (ours, the one the peer's header
 * carries) under mark (its SA's mark-in); add puts the mark in the marks
 * set too (no error if it is there), del takes it out only when
 * last_of_mark (no other tunnel of ours has that mark).
 */
int natport_render_ids(bool add, uint32_t mark, uint16_t tunnel_id, bool with_mark, char *buf,
		       size_t size);
int natport_ids_add(uint32_t mark, uint16_t tunnel_id, char *err, size_t errlen);
int natport_ids_del(uint32_t mark, uint16_t tunnel_id, bool last_of_mark, char *err,
		    size_t errlen);
/*
 * Removes the conntrack entries t's packets may have made: both directions
 * in its zone, and the unzoned one of its first datagrams (which came
 * before the tunnel had a zone). How many went, or a negative errno.
 */
int natport_forget(const struct natport_tunnel *t);

/*
 * Removes every zoned UDP conntrack entry to or from one of our listen
 * ports: what a killed daemon's tunnels left (a new tunnel with the same id
 * would otherwise find its zone holding the old NAT). How many went, or a
 * negative errno.
 */
int natport_forget_all(const uint16_t *listen_ports, size_t n);

#endif
