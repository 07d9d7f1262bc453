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

/*
 * Runs until SIGTERM/SIGINT (or a control-socket shutdown): binds the
 * listen addresses, serves, then stops every tunnel (StopCCN) and waits
 * up to a few seconds for the acknowledgements. Returns 0 or a negative
 * errno (after logging what failed).
 */
int server_run(const struct l2tpsrv_config *cfg, struct dataplane *dp);

struct server;
/* For the control socket: the LNS core, the clock, and a graceful stop. */
struct lns *server_lns(struct server *srv);
uint64_t server_now(void);
void server_shutdown(struct server *srv);
/* The IPsec peers and the tunnels' binding to them. */
struct ipsec *server_ipsec(struct server *srv);
/* The calls' pppds, or NULL when the data path carries no PPP. */
struct calls *server_calls(struct server *srv);
/* RADIUS authentication (CTL_AUTH), or NULL when no RADIUS auth server is configured. */
struct auth *server_auth(struct server *srv);
/*
 * What IPsec knows of tunnel_id's peer, for RADIUS: call's
 * calling_station becomes the IKE SA's outer address (NAT's included, as
 * l2tpctl shows it) and its ike_id the IKE identity. Nothing changes when
 * no IKE SA owns the tunnel.
 */
void server_call_peer(struct server *srv, uint16_t tunnel_id, struct auth_call *call);

#endif
