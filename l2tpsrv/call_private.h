/*
 * call_private: the calls' objects, shared by call.c (pppd, pool address,
 * PPP state, RADIUS answers, CoA timers) and call_acct.c (counters, the
 * metrics' totals, RADIUS accounting). Nothing outside those two files
 * includes this: every other layer goes through call.h.
 */
#ifndef L2TPSRV_CALL_PRIVATE_H
#define L2TPSRV_CALL_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "call.h"

enum ppp_state {
	PPP_STARTING,      /* pppd runs: LCP, authentication */
	PPP_AUTHENTICATED, /* the plugin reported the user */
	PPP_UP,            /* IPCP is up */
	PPP_DOWN,          /* the plugin reported the end */
};

/*
 * A call's accounting. Its counters are the ppp interface's, read from
 * sysfs (64-bit) at every Interim-Update and when the daemon ends the call
 * (the interface still exists then). A pppd that ends by itself reports
 * its counters as it goes (CTL_PPP_DOWN; 32-bit, widened with the last
 * reading). A pppd killed outright reports nothing and takes its
 * interface with it: then the kernel L2TP session's counters, read through
 * the daemon's own reference to the PPPoL2TP socket, say what passed
 * since the last reading (acct_estimate()).
 */
struct call_acct {
	bool started, stopped;
	uint64_t up_usec, end_usec;   /* CLOCK_MONOTONIC: IPCP up, the end */
	enum acct_cause cause;        /* ACCT_CAUSE_NONE until known */
	struct acct_counters ppp;     /* the interface, at the last reading */
	struct acct_counters l2tp;    /* the L2TP session, at that reading */
	bool have_l2tp;               /* l2tp was read with ppp */
	struct acct_counters final;   /* the interface when the daemon ended the call */
	bool have_final;
	struct auth_call call;        /* ends, IPsec peer, Acct-Session-Id */
	sd_event_source *interim;
};

struct call {
	struct call *next; /* the tunnel's calls, or the stopping list */
	struct calls *calls;
	uint16_t tunnel_id;
	uint16_t session_id;
	struct pppd *pppd;
	uint32_t remote_addr; /* host order; 0 once given back */
	bool addr_in_pool;    /* the pool holds remote_addr for us (not a RADIUS one outside it) */
	enum ppp_state state;
	struct sockaddr_storage tunnel_peer, tunnel_local; /* the tunnel's ends */
	char peer[56];
	char user[64];
	char method[16];
	char ifname[16];
	uint32_t local_addr; /* as the plugin reported, network order */
	struct ctl_ppp_event down; /* the counters at the end */
	/* for RADIUS accounting */
	char acct_session_id[AUTH_ACCT_SESSION_ID_LEN];
	uint8_t radius_class[AUTH_MAX_CLASS];
	size_t radius_class_len;
	uint32_t acct_interim_s; /* the Access-Accept's Acct-Interim-Interval, 0: none */
	bool radius_auth;        /* RADIUS accepted the user */
	bool radius_rejected;    /* RADIUS turned the user down */
	/* for the metrics: how far PPP got, and the most of its counters shown */
	bool authenticated, was_up;
	struct acct_counters seen;
	struct call_acct acct;
	sd_event_source *session_timer; /* a CoA's Session-Timeout */
	/* a CoA's Idle-Timeout: the interface's packet count, checked every few seconds */
	sd_event_source *idle_timer;
	uint32_t idle_s;
	uint64_t idle_packets;   /* in + out at the last change */
	uint64_t idle_since;     /* CLOCK_MONOTONIC of that change */
};

struct calls {
	sd_event *event;
	const struct l2tpsrv_config *cfg;
	struct dataplane *dp;
	struct pool *pool;
	call_ended_fn on_ended;
	void *userdata;
	struct call *stopping; /* asked to end, not reaped yet: they still hold an address */
	struct calls_stats stats; /* the failures, and the traffic of the calls reaped */
	struct acct *acct;     /* NULL: no accounting */
	call_peer_fn peer;
	void *peer_userdata;
	struct history *history; /* NULL: none kept */
	struct call *by_tunnel[UINT16_MAX + 1];
};

/* call.c */
/* CLOCK_MONOTONIC now, as the event loop sees it. */
uint64_t call_now_usec(const struct calls *calls);

/* call_acct.c: the metrics' counters */
/* A reading of c's counters: the totals show at least this much of c. */
void call_observe(struct call *c, const struct acct_counters *now);
/* pppd's counters as its plugin reported them at the end, for the totals. */
void call_observe_reported(struct call *c, const struct ctl_ppp_event *ev);
/* c's pppd has been reaped: its traffic joins the totals, or it failed in a phase. */
void call_count_reaped(struct call *c, int code, int status);

/* call_acct.c: the counters of a ppp interface */
/* One counter of an interface from sysfs; 0 when unreadable. */
uint64_t call_if_counter(const char *ifname, const char *name);
/* The ppp interface's counters (in: what it received, from the client). */
bool call_read_ppp_counters(const char *ifname, struct acct_counters *out);

/* call_acct.c: RADIUS accounting */
/* IPCP is up: Start. */
void call_acct_start(struct call *c);
/* The daemon ends the call: its interface still lives, read it now. */
void call_acct_ending(struct call *c, enum lns_end end);
/* pppd has been reaped (the kernel session still exists): Stop. */
void call_acct_stop(struct call *c, int code, int status);

#endif
