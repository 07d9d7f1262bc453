/*
 * stats: the histogram, the names, and the Prometheus text exposition
 * format 0.0.4 of struct stats; see stats.h.
 */
#include <errno.h>
#include <inttypes.h>

#include "stats.h"

#define USEC_PER_SEC UINT64_C(1000000)

static const struct {
	uint64_t usec;
	const char *le; /* as the bucket's label says it */
} bounds[STATS_HISTOGRAM_BUCKETS] = {
	{ 10000, "0.01" },  { 50000, "0.05" },	  { 100000, "0.1" }, { 500000, "0.5" },
	{ 1000000, "1" },   { 2000000, "2" },	  { 5000000, "5" },
};

static const char *const phase_names[STATS_N_PHASES] = {
	[STATS_PHASE_TUNNEL] = "tunnel",
	[STATS_PHASE_SESSION] = "session",
	[STATS_PHASE_PPP_LCP] = "ppp_lcp",
	[STATS_PHASE_PPP_AUTH] = "ppp_auth",
	[STATS_PHASE_PPP_IPCP] = "ppp_ipcp",
};

static const char *const refusal_names[STATS_N_REFUSALS] = {
	[STATS_REFUSED_NO_IPSEC] = "no_ipsec",
	[STATS_REFUSED_TUNNEL_LIMIT] = "tunnel_limit",
	[STATS_REFUSED_SESSION_LIMIT] = "session_limit",
	[STATS_REFUSED_POOL_EMPTY] = "pool_empty",
};

static const char *const kind_names[STATS_N_RADIUS_KINDS] = {
	[STATS_RADIUS_AUTH] = "auth",
	[STATS_RADIUS_ACCT] = "acct",
};

const char *stats_phase_name(enum stats_phase phase)
{
	return (unsigned int)phase < STATS_N_PHASES ? phase_names[phase] : "?";
}

const char *stats_refusal_name(enum stats_refusal reason)
{
	return (unsigned int)reason < STATS_N_REFUSALS ? refusal_names[reason] : "?";
}

const char *stats_radius_kind_name(enum stats_radius_kind kind)
{
	return (unsigned int)kind < STATS_N_RADIUS_KINDS ? kind_names[kind] : "?";
}

uint64_t stats_histogram_bound_usec(unsigned int i)
{
	return i < STATS_HISTOGRAM_BUCKETS ? bounds[i].usec : UINT64_MAX;
}

void stats_histogram_observe(struct stats_histogram *h, uint64_t usec)
{
	for (unsigned int i = 0; i < STATS_HISTOGRAM_BUCKETS; i++) {
		if (usec <= bounds[i].usec) {
			h->bucket[i]++;
			break;
		}
	}
	h->count++;
	h->sum_usec += usec;
}

/* ---- the exposition ---- */

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP l2tpsrv_%s %s\n# TYPE l2tpsrv_%s %s\n", name, help, name, type);
}

static void sample(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "l2tpsrv_%s %" PRIu64 "\n", name, v);
}

static void labelled(FILE *f, const char *name, const char *label, const char *value,
		     uint64_t v)
{
	fprintf(f, "l2tpsrv_%s{%s=\"%s\"} %" PRIu64 "\n", name, label, value, v);
}

/* Microseconds as seconds, exactly. */
static void seconds(FILE *f, uint64_t usec)
{
	fprintf(f, "%" PRIu64 ".%06" PRIu64, usec / USEC_PER_SEC, usec % USEC_PER_SEC);
}

static void write_calls(const struct stats *st, FILE *f)
{
	header(f, "uptime_seconds", "gauge", "Seconds since the server started.");
	fprintf(f, "l2tpsrv_uptime_seconds ");
	seconds(f, st->uptime_usec);
	fputc('\n', f);
	header(f, "tunnels", "gauge", "Tunnels now, in any state.");
	sample(f, "tunnels", st->tunnels);
	header(f, "sessions", "gauge", "Sessions (calls) now, in any state.");
	sample(f, "sessions", st->sessions);
	header(f, "tunnels_established_total", "counter", "Tunnels that reached established.");
	sample(f, "tunnels_established_total", st->tunnels_established);
	header(f, "sessions_established_total", "counter", "Sessions that reached established.");
	sample(f, "sessions_established_total", st->sessions_established);
	header(f, "setup_failures_total", "counter",
	       "Setups that failed, by the first phase they did not complete.");
	for (unsigned int i = 0; i < STATS_N_PHASES; i++)
		labelled(f, "setup_failures_total", "phase", phase_names[i],
			 st->setup_failures[i]);
	header(f, "refused_total", "counter", "Tunnels and sessions refused before any setup.");
	for (unsigned int i = 0; i < STATS_N_REFUSALS; i++)
		labelled(f, "refused_total", "reason", refusal_names[i], st->refused[i]);
	header(f, "control_packets_dropped_total", "counter",
	       "Control datagrams dropped: malformed, unknown tunnel, wrong peer, refused.");
	sample(f, "control_packets_dropped_total", st->packets_dropped);
	header(f, "bytes_total", "counter",
	       "Octets through the sessions' PPP links, ended ones included; in is from the clients.");
	labelled(f, "bytes_total", "direction", "in", st->traffic.bytes_in);
	labelled(f, "bytes_total", "direction", "out", st->traffic.bytes_out);
	header(f, "packets_total", "counter",
	       "Packets through the sessions' PPP links, ended ones included; in is from the clients.");
	labelled(f, "packets_total", "direction", "in", st->traffic.packets_in);
	labelled(f, "packets_total", "direction", "out", st->traffic.packets_out);
	header(f, "pool_addresses", "gauge", "Addresses of the client pool, by state.");
	labelled(f, "pool_addresses", "state", "used", st->pool_used);
	labelled(f, "pool_addresses", "state", "free",
		 st->pool_size > st->pool_used ? st->pool_size - st->pool_used : 0);
}

/* One counter of struct stats_radius, for each kind. */
static void radius_counter(const struct stats *st, FILE *f, const char *name, const char *help,
			   size_t offset)
{
	header(f, name, "counter", help);
	for (unsigned int k = 0; k < STATS_N_RADIUS_KINDS; k++) {
		uint64_t v = *(const uint64_t *)((const char *)&st->radius[k] + offset);

		labelled(f, name, "kind", kind_names[k], v);
	}
}

static void write_rtt(const struct stats *st, FILE *f)
{
	header(f, "radius_rtt_seconds", "histogram",
	       "RADIUS round trips: from the first datagram to the server that answered, to its answer.");
	for (unsigned int k = 0; k < STATS_N_RADIUS_KINDS; k++) {
		const struct stats_histogram *h = &st->radius[k].rtt;
		uint64_t below = 0;

		for (unsigned int i = 0; i < STATS_HISTOGRAM_BUCKETS; i++) {
			below += h->bucket[i];
			fprintf(f, "l2tpsrv_radius_rtt_seconds_bucket{kind=\"%s\",le=\"%s\"} %" PRIu64
				   "\n",
				kind_names[k], bounds[i].le, below);
		}
		fprintf(f, "l2tpsrv_radius_rtt_seconds_bucket{kind=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
			kind_names[k], h->count);
		fprintf(f, "l2tpsrv_radius_rtt_seconds_sum{kind=\"%s\"} ", kind_names[k]);
		seconds(f, h->sum_usec);
		fprintf(f, "\nl2tpsrv_radius_rtt_seconds_count{kind=\"%s\"} %" PRIu64 "\n",
			kind_names[k], h->count);
	}
}

static void write_radius(const struct stats *st, FILE *f)
{
	radius_counter(st, f, "radius_requests_total", "RADIUS requests, by kind.",
		       offsetof(struct stats_radius, requests));
	radius_counter(st, f, "radius_responses_total", "Valid RADIUS answers, by kind.",
		       offsetof(struct stats_radius, responses));
	radius_counter(st, f, "radius_timeouts_total",
		       "RADIUS requests that no server answered, by kind.",
		       offsetof(struct stats_radius, timeouts));
	header(f, "radius_errors_total", "counter",
	       "RADIUS answers dropped as bad (authenticator, Message-Authenticator, Identifier), "
	       "and requests no server could be sent.");
	for (unsigned int k = 0; k < STATS_N_RADIUS_KINDS; k++) {
		fprintf(f, "l2tpsrv_radius_errors_total{kind=\"%s\",reason=\"bad_response\"} %" PRIu64
			   "\n",
			kind_names[k], st->radius[k].bad_responses);
		fprintf(f, "l2tpsrv_radius_errors_total{kind=\"%s\",reason=\"unsent\"} %" PRIu64 "\n",
			kind_names[k], st->radius[k].unsent);
	}
	write_rtt(st, f);
	header(f, "radius_acct_queue", "gauge", "Accounting-Requests not answered yet.");
	sample(f, "radius_acct_queue", st->acct_queue);
}

int stats_write_prometheus(const struct stats *st, FILE *f)
{
	write_calls(st, f);
	write_radius(st, f);
	return ferror(f) || fflush(f) ? -EIO : 0;
}
