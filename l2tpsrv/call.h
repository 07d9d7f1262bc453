/*
 * call: what the daemon keeps for each established session whose data
 * path carries PPP: its pppd, the address it holds from the pool, and
 * what our pppd plugin reported (user, method, interface, addresses,
 * counters).
 *
 * The address is taken when pppd is started and given back only when
 * that pppd has been reaped, so two live ppp interfaces never share a
 * peer address. A pppd that ends by itself ends its call (on_ended, and
 * the caller sends CDN); calls_stop() ends pppd when the call goes.
 *
 * With RADIUS authentication, the call's pppd asks through the control
 * socket (CTL_AUTH): calls_auth_call() says what the call is for the
 * Access-Request, calls_auth_done() applies the answer. A call keeps its
 * Acct-Session-Id (from its start), and the Class and interim interval of
 * its Access-Accept, for accounting.
 */
#ifndef L2TPSRV_CALL_H
#define L2TPSRV_CALL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "auth.h"
#include "config.h"
#include "ctl_proto.h"
#include "dataplane.h"
#include "lns.h"

struct calls;

/* pppd ended by itself: the call must end, with this reason (for CDN and logs). */
typedef void (*call_ended_fn)(void *userdata, uint16_t tunnel_id, uint16_t session_id,
			      const char *why);

/* cfg and dp must outlive the table. NULL and *err a negative errno. */
struct calls *calls_new(sd_event *event, const struct l2tpsrv_config *cfg, struct dataplane *dp,
			call_ended_fn on_ended, void *userdata, int *err);
/* Every pppd still running gets SIGTERM; nothing is waited for. NULL is fine. */
struct calls *calls_free(struct calls *calls);

/*
 * Starts the call's pppd with an address from the pool. tunnel_fd is the
 * tunnel's UDP socket (the kernel data path attaches PPPoL2TP to it);
 * peer and local are its two ends (l2tpctl shows the peer). 0 or a
 * negative errno (-ENOSPC: pool empty).
 */
int calls_start(struct calls *calls, const struct lns_call *lc, int tunnel_fd,
		const struct sockaddr_storage *peer, const struct sockaddr_storage *local);
/* The call is going: its pppd is asked to end. Unknown ids are fine. */
void calls_stop(struct calls *calls, uint16_t tunnel_id, uint16_t session_id);

/*
 * An event from the pppd plugin of call (tunnel_id, session_id), sent by
 * process sender: -ESRCH when there is no such call, -EPERM when sender
 * is not that call's pppd, -EINVAL for a bad event.
 */
int calls_ppp_event(struct calls *calls, uint16_t tunnel_id, uint16_t session_id, pid_t sender,
		    const struct ctl_ppp_event *ev);

/*
 * The live call (tunnel_id, session_id) whose pppd, sender, asks to
 * authenticate its peer: fills out's ids, ends and Acct-Session-Id (the
 * IKE part is the caller's). -ESRCH when there is no such call, -EPERM
 * when sender is not its pppd.
 */
int calls_auth_call(const struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
		    pid_t sender, struct auth_call *out);
/*
 * RADIUS answered for the call: on an accept, its Framed-IP-Address
 * becomes the call's address (auth_assign_address(); an address another
 * call holds turns the accept into a reject), and the call keeps Class and
 * the interim interval. Logs the outcome (rq's user and method only). A call gone meanwhile turns
 * result into an error.
 */
void calls_auth_done(struct calls *calls, uint16_t tunnel_id, uint16_t session_id, pid_t sender,
		     const struct ctl_auth_request *rq, struct auth_result *result);

/* Fills the PPP part of out (peer, ppp_state ... packets_out); false when no call. */
bool calls_describe(const struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
		    struct ctl_session *out);

/* For tests and l2tpctl: addresses handed out now, and the pool's size. */
unsigned int calls_pool_in_use(const struct calls *calls);
unsigned int calls_pool_size(const struct calls *calls);

#endif
