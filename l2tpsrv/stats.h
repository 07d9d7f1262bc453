/*
 * stats: the server's counters in one struct, and their Prometheus text
 * exposition (format 0.0.4) for the metrics endpoint (metrics.h).
 *
 * Each layer counts what it sees in counters of its own, as it already
 * did: the lns (lns_counters: tunnels, sessions, setup failures, refusals),
 * the RADIUS client (radius_stats: requests, answers, round trips), the
 * calls (calls_stats: PPP failures, traffic). The server gathers them into
 * one struct stats (server_stats()), which l2tpctl stats (CTL_STATS) and
 * GET /metrics show; nothing here is global, and nothing here does I/O:
 * stats_write_prometheus() is a pure function of the struct.
 *
 * Counters only grow while the daemon runs; gauges (tunnels, sessions,
 * pool, accounting queue) are what is true now.
 */
#ifndef L2TPSRV_STATS_H
#define L2TPSRV_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where a call's setup failed: the first phase it did not complete. */
enum stats_phase {
	STATS_PHASE_TUNNEL,   /* SCCRQ taken, the tunnel ended before SCCCN */
	STATS_PHASE_SESSION,  /* ICRQ taken, the call ended before ICCN (or its data path/PPP failed) */
	STATS_PHASE_PPP_LCP,  /* pppd ended before the peer authenticated */
	STATS_PHASE_PPP_AUTH, /* the peer failed to authenticate (or RADIUS rejected it) */
	STATS_PHASE_PPP_IPCP, /* authenticated, pppd ended before IPCP was up */
	STATS_N_PHASES
};

/* Why a tunnel or call was refused before any setup began. */
enum stats_refusal {
	STATS_REFUSED_NO_IPSEC,      /* SCCRQ from a peer no IPsec SA protects */
	STATS_REFUSED_TUNNEL_LIMIT,  /* max_tunnels or max_tunnels_per_peer */
	STATS_REFUSED_SESSION_LIMIT, /* max_sessions or max_sessions_per_tunnel */
	STATS_REFUSED_POOL_EMPTY,    /* no address left for the call */
	STATS_N_REFUSALS
};

enum stats_radius_kind {
	STATS_RADIUS_AUTH,
	STATS_RADIUS_ACCT,
	STATS_N_RADIUS_KINDS
};

/* "tunnel", "session", "ppp_lcp", ... as the metrics label them. */
const char *stats_phase_name(enum stats_phase phase);
/* "no_ipsec", "tunnel_limit", "session_limit", "pool_empty". */
const char *stats_refusal_name(enum stats_refusal reason);
/* "auth", "acct". */
const char *stats_radius_kind_name(enum stats_radius_kind kind);

/*
 * A histogram of durations with the fixed upper bounds of
 * stats_histogram_bound_usec() (10ms 50ms 100ms 500ms 1s 2s 5s). bucket[i]
 * counts the observations in (bound i-1, bound i], not cumulatively; those
 * above the last bound are only in count.
 */
#define STATS_HISTOGRAM_BUCKETS 7

struct stats_histogram {
	uint64_t bucket[STATS_HISTOGRAM_BUCKETS];
	uint64_t count;
	uint64_t sum_usec;
};

uint64_t stats_histogram_bound_usec(unsigned int i);
void stats_histogram_observe(struct stats_histogram *h, uint64_t usec);

/* Octets and packets through the calls' PPP links; in = from the clients. */
struct stats_traffic {
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
};

/* One kind of RADIUS request (radius.h). */
struct stats_radius {
	uint64_t requests;      /* radius_send() calls */
	uint64_t responses;     /* valid answers */
	uint64_t timeouts;      /* requests no server answered */
	uint64_t bad_responses; /* answers dropped: authenticator, Message-Authenticator, id, ... */
	uint64_t unsent;        /* requests that could not be sent to any server at all */
	struct stats_histogram rtt; /* first datagram to the server that answered, to its answer */
};

struct stats {
	uint64_t uptime_usec;
	unsigned int tunnels;  /* now, in any state */
	unsigned int sessions;
	uint64_t tunnels_established; /* since start */
	uint64_t sessions_established;
	uint64_t setup_failures[STATS_N_PHASES];
	uint64_t refused[STATS_N_REFUSALS];
	uint64_t packets_dropped; /* control datagrams: malformed, unknown tunnel, ... */
	struct stats_traffic traffic; /* live calls and ended ones */
	struct stats_radius radius[STATS_N_RADIUS_KINDS];
	uint64_t acct_queue;      /* Accounting-Requests not answered yet */
	unsigned int pool_used;   /* addresses handed out now */
	unsigned int pool_size;
};

/*
 * Writes st as Prometheus text (# HELP, # TYPE, then the samples, every
 * name prefixed l2tpsrv_). 0, or -EIO when f failed.
 */
int stats_write_prometheus(const struct stats *st, FILE *f);

#endif
