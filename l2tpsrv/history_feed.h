/*
 * history_feed: what each layer's events become in the per-peer history
 * (history.h): their phase (enum ctl_phase), whether the phase succeeded,
 * failed or ended, and a detail of KEY=VALUE words that l2tpctl diagnose
 * (l2tpctl_diagnose.h) reads. One function per source:
 *
 *   charon   the plugin's ike-fail, ike-up, child-up, child-down, ike-down
 *            (ipsec.c; the others say nothing new of a client)
 *   lns      tunnel and call setup and teardown (server.c's io->event)
 *   ppp      the calls' pppd plugin reports, pppd's exit, RADIUS's
 *            refusals and an empty address pool (call.c)
 *
 * Free text (a host name, a StopCCN's message, a RADIUS reason) goes in
 * double quotes, with any '"' in it made a '\''. Nothing here is a secret:
 * no key, password or response ever reaches these functions.
 */
#ifndef L2TPSRV_HISTORY_FEED_H
#define L2TPSRV_HISTORY_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "charon_msg.h"
#include "ctl_proto.h"
#include "history.h"
#include "lns.h"

/*
 * A plugin event. remote is the peer's address: the event's own for
 * ike-fail, ike-up and child-up, the IKE SA's (from the peer table, before
 * the event is applied) for child-down and ike-down. ike_up: ike-fail's
 * IKE SA is established (it failed a Quick Mode or CREATE_CHILD_SA).
 * Other events are not recorded.
 */
void history_feed_charon(struct history *h, uint64_t now, const struct charon_event *ev,
			 const struct sockaddr_storage *remote, bool ike_up);

/* A tunnel or call event of the LNS. */
void history_feed_lns(struct history *h, uint64_t now, const struct lns_event *ev);

/*
 * The pppd plugin's report ev (CTL_PPP_AUTH_UP, _IP_UP, _DOWN) of a call
 * with peer. authenticated and ip_up: what the call had reported before
 * (a DOWN's phase depends on how far PPP got).
 */
void history_feed_ppp(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
		      const struct ctl_ppp_event *ev, bool authenticated, bool ip_up);

/*
 * The call's pppd was reaped and had not reported its end (killed, or no
 * plugin): code and status as siginfo_t's (CLD_EXITED and the exit
 * status, or the signal).
 */
void history_feed_pppd_exit(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
			    int code, int status, bool authenticated, bool ip_up);

/*
 * RADIUS did not accept the call's peer: result CTL_AUTH_REJECT or
 * CTL_AUTH_ERROR (no answer); user and method as the peer gave them, why
 * as auth.c says it.
 */
void history_feed_radius(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
			 uint32_t result, const char *user, const char *method, const char *why);

/*
 * The pool had no address for a call of peer: the call fails at ICCN,
 * before PPP starts (here the pool is drawn on when the call connects,
 * not in IPCP).
 */
void history_feed_pool_empty(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
			     unsigned int pool_size);

#endif
