/*
 * server_private: the server's state, shared by server.c (sockets, timers,
 * lifecycle, reload), server_radius.c (RADIUS, accounting, Disconnect and
 * CoA) and server_natport.c (how tunnel sockets are bound, the nftables
 * table). Private to those three files: every other layer goes through
 * server.h.
 */
#ifndef L2TPSRV_SERVER_PRIVATE_H
#define L2TPSRV_SERVER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "acct.h"
#include "auth.h"
#include "config.h"
#include "lns.h"
#include "natport.h"
#include "server.h"

struct listener {
	int fd;
	int family;
	struct sockaddr_storage bound; /* the configured address and port */
	socklen_t bound_len;
	sd_event_source *source;
};

struct server {
	struct l2tpsrv_config *cfg; /* every layer reads it; server_reload writes it */
	struct server_source src;
	struct dataplane *dp;
	sd_event *event;
	struct lns *lns;
	struct control *control;
	struct ipsec *ipsec;
	struct calls *calls; /* pppd per call, when the data path carries PPP */
	struct radius *radius; /* when RADIUS servers are configured */
	struct auth *auth;     /* when RADIUS authenticates the calls */
	struct acct *acct;     /* when RADIUS accounts for them */
	struct dae *dae;       /* when Disconnect/CoA clients are configured */
	struct metrics *metrics; /* when metrics = ADDRESS:PORT is set */
	uint64_t started_usec;
	struct history *history; /* what happened to each client lately (l2tpctl diagnose) */
	char acct_nas_session[AUTH_ACCT_SESSION_ID_LEN]; /* Accounting-On/Off's */
	bool acct_off_sent;
	struct listener listeners[CONFIG_MAX_LISTEN];
	size_t n_listeners;
	bool rcvmark;          /* the kernel gives each datagram's mark (SO_RCVMARK) */
	/* server_natport.c: how marked tunnels' sockets are bound */
	bool shared_port_safe; /* tunnels may share an address pair (header lookup) */
	bool nat_port;         /* marked tunnels get ports of their own */
	bool natport_table;    /* natport.h's table is installed */
	bool mark_send_failed; /* a marked send failed and was logged (once is enough) */
	uint64_t shutdown_deadline;
	unsigned int last_tunnels, last_sessions;
	/* One timer per tunnel id; a slot's address says which tunnel fired. */
	struct timer_slot {
		struct server *srv;
		sd_event_source *source;
		/* the tunnel's own socket, when the data path wants one */
		int fd;
		int listener;
		sd_event_source *io;
		uint8_t path;               /* enum tunnel_path */
		struct natport_tunnel *nat; /* TUNNEL_PATH_NAT_PORT's rules */
		uint32_t id_mark;           /* its header check's mark (natport.h), or 0 */
	} timers[UINT16_MAX + 1];
};

/* Where a tunnel's own socket is bound (l2tpctl shows it: ctl_proto.h). */
enum tunnel_path {
	TUNNEL_PATH_NONE,      /* no socket of its own */
	TUNNEL_PATH_SAME_PORT, /* the listen port, connected to the peer */
	TUNNEL_PATH_NAT_PORT,  /* a port of its own, natport.h's rules */
};

/*
 * server_natport.c. start: picks how marked tunnels are bound, installs
 * natport.h's table (and its guard) when needed, logs the choice; stop
 * removes the table. attach: binds and connects a new tunnel's socket fd
 * (local: the listen address and port) the picked way; 0 or -errno
 * (-EADDRINUSE: a twin that would mix data). detach: after its socket is
 * closed, removes its rules and conntrack entries.
 */
void server_natport_start(struct server *srv);
void server_natport_stop(struct server *srv);
int server_tunnel_attach(struct server *srv, uint16_t tunnel_id, const struct lns_addr *addr,
			 int fd, const struct sockaddr_storage *local, socklen_t local_len);
void server_tunnel_detach(struct server *srv, uint16_t tunnel_id);

/* server_radius.c: RADIUS servers, accounting and Disconnect/CoA, when configured. */
int server_open_radius(struct server *srv);
/* Accounting-On or -Off for the whole NAS. */
void server_send_acct_nas(struct server *srv, enum acct_status status);

#endif
