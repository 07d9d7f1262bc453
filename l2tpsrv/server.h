/*
 * server: the daemon's I/O around the LNS core: UDP sockets, per-tunnel
 * timers, signals and sd_notify, all on one sd-event loop.
 */
#ifndef L2TPSRV_SERVER_H
#define L2TPSRV_SERVER_H

#include "auth.h"
#include "config.h"
#include "dataplane.h"
#include "lns.h"
#include "stats.h"

struct history;
struct server;

/* Where the settings came from, for a reload to read them again the same way. */
struct server_source {
	const char *path;	 /* the config file */
	bool must_exist;	 /* given with -c: its absence is an error */
	bool debug;		 /* --debug: log at debug level whatever log_level says */
	bool mss_clamped;	 /* the MSS clamping table is installed (main.c) */
	bool dataplane_from_cli; /* --dataplane and --allow-unencrypted win over */
	bool unencrypted_from_cli; /* the file, at a reload too */
};

/*
 * Runs until SIGTERM/SIGINT (or a control-socket shutdown): binds the
 * listen addresses, serves, then stops every tunnel (StopCCN) and waits
 * up to a few seconds for the acknowledgements. SIGHUP reloads the
 * settings (server_reload). cfg is the one every layer reads; a reload
 * writes it. Returns 0 or a negative errno (after logging what failed).
 */
int server_run(struct l2tpsrv_config *cfg, struct dataplane *dp, const struct server_source *src);

/*
 * Reads the config file again (config_reload.h says what applies). 0 and
 * what changed in msg, or a negative errno and the error ("file:line:
 * problem") in msg, the running settings untouched. Logged either way.
 */
int server_reload(struct server *srv, char *msg, size_t len);

/* For the control socket: the LNS core, the clock, and a graceful stop. */
struct lns *server_lns(struct server *srv);
uint64_t server_now(void);
/* How tunnel_id's socket is bound: ctl_proto.h's CTL_PATH_*, and its own port (0: none). */
uint8_t server_tunnel_path(const struct server *srv, uint16_t tunnel_id, uint16_t *port);
void server_shutdown(struct server *srv);
/* The IPsec peers and the tunnels' binding to them. */
struct ipsec *server_ipsec(struct server *srv);
/* The calls' pppds, or NULL when the data path carries no PPP. */
struct calls *server_calls(struct server *srv);
/* RADIUS authentication (CTL_AUTH), or NULL when no RADIUS auth server is configured. */
struct auth *server_auth(struct server *srv);
/* What happened to each client lately (CTL_DIAGNOSE). */
const struct history *server_history(struct server *srv);
/*
 * What IPsec knows of tunnel_id's peer, for RADIUS: call's
 * calling_station becomes the IKE SA's outer address (NAT's included, as
 * l2tpctl shows it) and its ike_id the IKE identity. Nothing changes when
 * no IKE SA owns the tunnel.
 */
void server_call_peer(struct server *srv, uint16_t tunnel_id, struct auth_call *call);
/* Every layer's counters as they are now, for l2tpctl stats and the metrics (stats.h). */
void server_stats(struct server *srv, struct stats *out);

#endif
