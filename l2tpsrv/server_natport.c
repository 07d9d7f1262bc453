/*
 * server_natport: where each tunnel's own socket is bound, so that clients
 * behind one NAT (all at NATIP:1701, each in its own marked IPsec SA) can be
 * connected at once; natport.h explains the kernel's side.
 *
 * At start the server picks one way for the marked tunnels, logs it and
 * keeps it:
 *   same-port  every tunnel socket bound to the listen port and connected to
 *              its peer with its SA's mark-out. Right when data never
 *              depends on which of those sockets a datagram reaches: the
 *              userspace data path (it dispatches by header and mark), and
 *              the kernel's from Linux 6.11 (it finds the session by the ids
 *              in the header);
 *   nat-port   a marked IPv4 tunnel's socket on a port of its own, with
 *              natport.h's rules, for the kernel's data path before 6.11.
 * nat_datapath = auto picks by those two facts; same-port or nat-port force
 * one. Unmarked tunnels always take the listen port. If the rules cannot be
 * installed, tunnels fall back to the listen port, and on a kernel that
 * finds tunnels by socket a second tunnel with the address and port pair
 * of a live one is refused rather than let the two clients' data cross.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "lns.h"
#include "log.h"
#include "natport.h"
#include "server_private.h"
#include "sockaddr.h"

_Static_assert(TUNNEL_PATH_SAME_PORT == CTL_PATH_SAME_PORT &&
		       TUNNEL_PATH_NAT_PORT == CTL_PATH_NAT_PORT && TUNNEL_PATH_NONE == CTL_PATH_NONE,
	       "l2tpctl reads enum tunnel_path as CTL_PATH_*");

static size_t listen_ports(const struct server *srv, uint16_t *ports)
{
	size_t n = 0;

	for (size_t i = 0; i < srv->n_listeners; i++) {
		uint16_t p = sockaddr_port(&srv->listeners[i].bound);
		size_t j;

		for (j = 0; j < n && ports[j] != p; j++)
			;
		if (j == n)
			ports[n++] = p;
	}
	return n;
}

void server_natport_start(struct server *srv)
{
	uint16_t ports[CONFIG_MAX_LISTEN];
	size_t n = listen_ports(srv, ports);
	bool kernel_dp = strcmp(srv->dp->ops->name, "kernel") == 0;
	bool guard = !srv->cfg->allow_unencrypted && srv->dp->ops->wants_tunnel_socket;
	struct utsname u;
	const char *why;
	char err[256];
	int r;

	if (uname(&u) < 0)
		strcpy(u.release, "?");
	srv->shared_port_safe = !kernel_dp || natport_kernel_finds_by_header(u.release);
	switch (srv->cfg->nat_datapath) {
	case CONFIG_NAT_DATAPATH_SAME_PORT:
		srv->nat_port = false;
		why = "nat_datapath = same-port";
		break;
	case CONFIG_NAT_DATAPATH_NAT_PORT:
		srv->nat_port = srv->dp->ops->wants_tunnel_socket;
		why = "nat_datapath = nat-port";
		break;
	default:
		srv->nat_port = !srv->shared_port_safe && srv->dp->ops->wants_tunnel_socket;
		why = !kernel_dp ? "the data path dispatches by header and mark"
		      : srv->shared_port_safe
			      ? "the kernel finds L2TP sessions by header (6.11 or later)"
			      : "the kernel finds L2TP tunnels by socket (before 6.11)";
		break;
	}
	if (srv->dp->ops->wants_tunnel_socket) {
		r = natport_install(guard, ports, n, err, sizeof(err));
		if (r < 0) {
			log_msg(LOG_WARNING,
				"event=natport_failed error=\"%s\" reason=\"no nftables table %s:%s%s\"",
				err, NATPORT_TABLE,
				guard ? " unprotected L2TP is not dropped on the way out;" : "",
				srv->shared_port_safe
					? " data messages are not checked against their IPsec SA"
					: " a second client behind one NAT is refused");
			srv->nat_port = false;
		} else {
			srv->natport_table = true;
		}
	} else {
		/* the data path needs no table: not one a killed daemon left either */
		natport_remove(err, sizeof(err));
	}
	/* what a killed daemon's tunnels left in their zones */
	r = natport_forget_all(ports, n);
	if (r > 0)
		log_msg(LOG_INFO, "event=natport_conntrack_flushed entries=%d", r);
	else if (r < 0 && srv->natport_table)
		log_msg(LOG_WARNING, "event=natport_conntrack_failed error=\"%s\"", strerror(-r));
	log_msg(LOG_INFO, "event=nat_datapath mode=%s kernel=%s guard=%s reason=\"%s\"",
		srv->nat_port ? "nat-port" : "same-port", u.release,
		srv->natport_table && guard ? "on" : "off", why);
}

void server_natport_stop(struct server *srv)
{
	char err[256];

	if (!srv->natport_table)
		return;
	if (natport_remove(err, sizeof(err)) < 0)
		log_msg(LOG_WARNING, "event=natport_remove_failed error=\"%s\"", err);
	srv->natport_table = false;
}

/* A live tunnel whose socket is on the listen port with this very address pair. */
static int same_port_twin(const struct server *srv, uint16_t self,
			  const struct sockaddr_storage *local, const struct sockaddr_storage *peer)
{
	for (unsigned int id = 1; id <= UINT16_MAX; id++) {
		const struct timer_slot *s = &srv->timers[id];
		struct sockaddr_storage l, p;
		socklen_t ll = sizeof(l), pl = sizeof(p);

		if (id == self || !s->io || s->path != TUNNEL_PATH_SAME_PORT)
			continue;
		if (getsockname(s->fd, (struct sockaddr *)&l, &ll) == 0 &&
		    getpeername(s->fd, (struct sockaddr *)&p, &pl) == 0 && sockaddr_same_host_port(&l, local) &&
		    sockaddr_same_host_port(&p, peer))
			return (int)id;
	}
	return 0;
}

/* The tunnel's SA has a mark of its own (%unique, no mask): keys for natport.h. */
static bool sa_marked(const struct lns_addr *addr)
{
	return addr->mark && addr->mark_mask == UINT32_MAX;
}

static bool wants_nat_port(const struct server *srv, const struct lns_addr *addr)
{
	return srv->nat_port && addr->peer.ss_family == AF_INET && addr->reply_mark &&
	       sa_marked(addr);
}

/* A live nat-port tunnel of the same SA (its mark-in): one port per SA. */
static int nat_port_twin(const struct server *srv, uint16_t self, uint32_t mark_in)
{
	for (unsigned int id = 1; id <= UINT16_MAX; id++)
		if (id != self && srv->timers[id].nat && srv->timers[id].nat->mark_in == mark_in)
			return (int)id;
	return 0;
}

static int attach_nat_port(struct server *srv, uint16_t tunnel_id, const struct lns_addr *addr,
			   int fd, const struct sockaddr_storage *local)
{
	struct timer_slot *slot = &srv->timers[tunnel_id];
	struct natport_tunnel *nt = calloc(1, sizeof(*nt));
	struct sockaddr_in own = *(const struct sockaddr_in *)local;
	socklen_t own_len = sizeof(own);
	char err[256];
	int r;

	if (!nt)
		return -ENOMEM;
	if ((r = nat_port_twin(srv, tunnel_id, addr->mark))) {
		log_msg(LOG_WARNING,
			"tunnel=%u event=nat_collision other_tunnel=%d mark_in=%#x reason=\"the "
			"client's IPsec SA has a tunnel already (a redial while the old one waits "
			"for its HELLO to fail?); one port per SA on this kernel: refused\"",
			tunnel_id, r, addr->mark);
		free(nt);
		return -EADDRINUSE;
	}
	own.sin_port = 0; /* a port of its own, the kernel's pick */
	if (bind(fd, (const struct sockaddr *)&own, sizeof(own)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&own, &own_len) < 0 ||
	    connect(fd, (const struct sockaddr *)&addr->peer, addr->peer_len) < 0) {
		r = -errno;
		free(nt);
		return r;
	}
	nt->zone = tunnel_id;
	nt->mark_in = addr->mark;
	nt->mark_out = addr->reply_mark;
	nt->local = own.sin_addr;
	nt->listen_port = sockaddr_port(local);
	nt->port = ntohs(own.sin_port);
	nt->peer = ((const struct sockaddr_in *)&addr->peer)->sin_addr;
	nt->peer_port = sockaddr_port(&addr->peer);
	r = natport_add(nt, err, sizeof(err));
	if (r < 0) {
		log_msg(LOG_ERR, "tunnel=%u event=natport_failed port=%u mark_in=%#x error=\"%s\"",
			tunnel_id, nt->port, nt->mark_in, err);
		free(nt);
		return r;
	}
	slot->nat = nt;
	slot->path = TUNNEL_PATH_NAT_PORT;
	log_msg(LOG_INFO, "tunnel=%u event=nat_port port=%u zone=%u mark_in=%#x mark_out=%#x",
		tunnel_id, nt->port, nt->zone, nt->mark_in, nt->mark_out);
	return 0;
}

static int attach_same_port(struct server *srv, uint16_t tunnel_id, const struct lns_addr *addr,
			    int fd, const struct sockaddr_storage *local, socklen_t local_len)
{
	struct timer_slot *slot = &srv->timers[tunnel_id];
	char peer[64];
	int twin;

	if (!srv->shared_port_safe && (twin = same_port_twin(srv, tunnel_id, local, &addr->peer))) {
		lns_sockaddr_string(&addr->peer, peer, sizeof(peer));
		log_msg(LOG_WARNING,
			"tunnel=%u peer=%s event=nat_collision other_tunnel=%d reason=\"another "
			"client behind the same NAT has a tunnel from this address and port; this "
			"kernel finds L2TP tunnels by socket, so the two would mix their data: "
			"refused (needs marked SAs and the nftables table, or Linux 6.11)\"",
			tunnel_id, peer, twin);
		return -EADDRINUSE;
	}
	if (bind(fd, (const struct sockaddr *)local, local_len) < 0 ||
	    connect(fd, (const struct sockaddr *)&addr->peer, addr->peer_len) < 0)
		return -errno;
	slot->path = TUNNEL_PATH_SAME_PORT;
	return 0;
}

/*
 * The header check's elements of a marked tunnel (natport.h). Without them
 * its data would be dropped once another tunnel put the mark in the set:
 * a failure fails the attach.
 */
static int ids_attach(struct server *srv, uint16_t tunnel_id, const struct lns_addr *addr)
{
	char err[256];
	int r;

	if (!srv->natport_table || !sa_marked(addr))
		return 0;
	r = natport_ids_add(addr->mark, tunnel_id, err, sizeof(err));
	if (r < 0) {
		log_msg(LOG_ERR, "tunnel=%u event=natport_failed mark=%#x error=\"%s\"", tunnel_id,
			addr->mark, err);
		return r;
	}
	srv->timers[tunnel_id].id_mark = addr->mark;
	return 0;
}

static void ids_detach(struct server *srv, uint16_t tunnel_id)
{
	struct timer_slot *slot = &srv->timers[tunnel_id];
	bool last = true;
	char err[256];

	if (!slot->id_mark)
		return;
	for (unsigned int id = 1; id <= UINT16_MAX && last; id++)
		last = id == tunnel_id || srv->timers[id].id_mark != slot->id_mark;
	if (natport_ids_del(slot->id_mark, tunnel_id, last, err, sizeof(err)) < 0)
		log_msg(LOG_WARNING, "tunnel=%u event=natport_remove_failed error=\"%s\"", tunnel_id,
			err);
	slot->id_mark = 0;
}

int server_tunnel_attach(struct server *srv, uint16_t tunnel_id, const struct lns_addr *addr,
			 int fd, const struct sockaddr_storage *local, socklen_t local_len)
{
	int r = wants_nat_port(srv, addr)
			? attach_nat_port(srv, tunnel_id, addr, fd, local)
			: attach_same_port(srv, tunnel_id, addr, fd, local, local_len);

	return r < 0 ? r : ids_attach(srv, tunnel_id, addr);
}

void server_tunnel_detach(struct server *srv, uint16_t tunnel_id)
{
	struct timer_slot *slot = &srv->timers[tunnel_id];
	char err[256];
	int r;

	ids_detach(srv, tunnel_id);
	if (slot->nat) {
		if (natport_del(slot->nat, err, sizeof(err)) < 0)
			log_msg(LOG_WARNING, "tunnel=%u event=natport_remove_failed error=\"%s\"",
				tunnel_id, err);
		r = natport_forget(slot->nat);
		if (r < 0)
			log_msg(LOG_WARNING,
				"tunnel=%u event=natport_conntrack_failed error=\"%s\"", tunnel_id,
				strerror(-r));
		else
			log_msg(LOG_DEBUG, "tunnel=%u event=natport_released port=%u entries=%d",
				tunnel_id, slot->nat->port, r);
		free(slot->nat);
		slot->nat = NULL;
	}
	slot->path = TUNNEL_PATH_NONE;
}

uint8_t server_tunnel_path(const struct server *srv, uint16_t tunnel_id, uint16_t *port)
{
	const struct timer_slot *slot = &srv->timers[tunnel_id];

	*port = slot->nat ? slot->nat->port : 0;
	return slot->path;
}
