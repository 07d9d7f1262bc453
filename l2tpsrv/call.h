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
 *
 * Accounting (calls_set_accounting) follows the call: Start at IPCP up,
 * Interim-Updates, and one Stop once its pppd has been reaped, whatever
 * ended it.
 */
#ifndef L2TPSRV_CALL_H
#define L2TPSRV_CALL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "acct.h"
#include "auth.h"
#include "config.h"
#include "ctl_proto.h"
#include "dataplane.h"
#include "history.h"
#include "lns.h"
#include "stats.h"

struct calls;

/* pppd ended by itself: the call must end, with this reason (for CDN and logs). */
typedef void (*call_ended_fn)(void *userdata, uint16_t tunnel_id, uint16_t session_id,
			      const char *why);

/* What IPsec knows of tunnel_id's peer: fills call's calling_station and ike_id. */
typedef void (*call_peer_fn)(void *userdata, uint16_t tunnel_id, struct auth_call *call);

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
/*
 * What PPP reports of each call, how its pppd ends, RADIUS's refusals and
 * an empty pool go to history from now on (history_feed.h); history must
 * outlive the table.
 */
void calls_set_history(struct calls *calls, struct history *history);
/*
 * RADIUS accounting for every call from now on (acct must outlive the
 * table): Start when IPCP is up, Interim-Update every interval (the
 * Access-Accept's, else cfg's radius_acct_interim), Stop when the call's
 * pppd has been reaped, with the counters of the ppp interface (see
 * call_acct.c for where they come from when pppd was killed). peer says who
 * the call's IPsec peer is.
 */
void calls_set_accounting(struct calls *calls, struct acct *acct, call_peer_fn peer,
			  void *userdata);
/*
 * The call is going, for end (its Acct-Terminate-Cause unless one is
 * known): its pppd is asked to end. Unknown ids are fine.
 */
void calls_stop(struct calls *calls, uint16_t tunnel_id, uint16_t session_id, enum lns_end end);

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

/* What a RADIUS Disconnect or CoA names: every field given must match. */
struct calls_match {
	const char *user;            /* NULL: any */
	const char *acct_session_id; /* NULL: any */
	uint32_t framed_ip;          /* network order; 0: any */
};

struct call_ids {
	uint16_t tunnel_id, session_id;
};

/* The live (not stopping) calls m names, at most max of them into out: how many. */
size_t calls_find(const struct calls *calls, const struct calls_match *m, struct call_ids *out,
		  size_t max);
/* The call's Acct-Terminate-Cause, if none is known yet (before it is ended). */
void calls_set_cause(struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
		     enum acct_cause cause);
/*
 * The call ends seconds from now (Session-Timeout, from a CoA-Request):
 * its pppd is told to end, and the call with it. 0, or -ESRCH.
 */
int calls_set_session_timeout(struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
			      uint32_t seconds);

/*
 * The call ends once its ppp interface has passed no packet, either way,
 * for seconds (Idle-Timeout, from a CoA-Request; 0 lifts it). l2tpsrv
 * watches it, pppd does not know: the Access-Accept's Idle-Timeout, which
 * pppd enforces, stays too, and the shorter wins. 0, or -ESRCH.
 */
int calls_set_idle_timeout(struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
			   uint32_t seconds);

/* Calls whose pppd has not been reaped yet, stopping ones included. */
unsigned int calls_live(const struct calls *calls);

/*
 * What the calls count, for the metrics (stats.h). A call whose pppd is
 * reaped before IPCP was up failed in one PPP phase: auth when pppd says
 * the peer failed to authenticate (or RADIUS rejected it), else lcp when
 * the peer never authenticated, else ipcp.
 */
struct calls_stats {
	uint64_t failed_lcp, failed_auth, failed_ipcp;
	uint64_t pool_empty; /* calls refused for want of an address (their session fails too) */
	struct stats_traffic traffic; /* every call's, live and ended */
};

/*
 * Fills out. The live calls' traffic is read from their interfaces now;
 * each call adds at least what it added before, and an ended call what it
 * had at its end, so the totals never go backwards.
 */
void calls_get_stats(struct calls *calls, struct calls_stats *out);

/* For tests and l2tpctl: addresses handed out now, and the pool's size. */
/* Replaces the address pool (a reload): the addresses calls hold stay
 * theirs; those the new ranges contain are taken from them. 0, or
 * -EINVAL/-ENOMEM as pool_new() (the old pool stays). */
int calls_set_pools(struct calls *calls, const struct config_pool_range *ranges, size_t n);
unsigned int calls_pool_in_use(const struct calls *calls);
unsigned int calls_pool_size(const struct calls *calls);

#endif
