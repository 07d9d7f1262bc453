/*
 * l2tpctl stats: prints struct ctl_stats; see l2tpctl_stats.h.
 *
 * One walk over the counters (print_stats) serves both forms: a printer
 * opens and closes groups and writes values, and keeps the path of group
 * names for the text form's dotted names.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "l2tpctl_stats.h"

#define NAME_WIDTH 32
#define MAX_DEPTH 4

struct printer {
	bool json;
	unsigned int depth;
	const char *group[MAX_DEPTH]; /* the open groups' names */
	bool first[MAX_DEPTH + 1];    /* JSON: no member written yet at this depth */
	bool written;                 /* text: a line written */
	bool spaced;                  /* text: a blank line before the next one */
};

/* The name as the text form writes it: the open groups' names, then name. */
static void path(const struct printer *p, const char *name, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < p->depth && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s.", p->group[i]);
	if (at < len)
		snprintf(buf + at, len - at, "%s", name);
}

/* JSON: the comma before a member, and its name. */
static void member(struct printer *p, const char *name)
{
	if (!p->first[p->depth])
		putchar(',');
	p->first[p->depth] = false;
	printf("\"%s\":", name);
}

static void group_open(struct printer *p, const char *name)
{
	if (p->json) {
		member(p, name);
		putchar('{');
	}
	p->group[p->depth++] = name;
	p->first[p->depth] = true;
}

static void group_close(struct printer *p)
{
	p->depth--;
	if (p->json)
		putchar('}');
}

/* Text: a blank line between groups of lines. */
static void section(struct printer *p)
{
	p->spaced = true;
}

static void value(struct printer *p, const char *name, const char *text)
{
	char full[96];

	if (p->json) {
		member(p, name);
		fputs(text, stdout);
		return;
	}
	if (p->spaced && p->written)
		putchar('\n');
	p->spaced = false;
	p->written = true;
	path(p, name, full, sizeof(full));
	printf("%-*s %s\n", NAME_WIDTH, full, text);
}

static void u64(struct printer *p, const char *name, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	value(p, name, text);
}

/* A duration in seconds, to the microsecond or millisecond it is known to. */
static void seconds(struct printer *p, const char *name, uint64_t v, uint64_t per_second)
{
	char text[32];

	if (per_second == 1000)
		snprintf(text, sizeof(text), "%" PRIu64 ".%03" PRIu64, v / 1000, v % 1000);
	else
		snprintf(text, sizeof(text), "%" PRIu64 ".%06" PRIu64, v / 1000000, v % 1000000);
	value(p, name, text);
}

static void print_radius(struct printer *p, const char *kind, const struct ctl_stats_radius *r)
{
	static const char *const le[CTL_STATS_RTT_BUCKETS] = {
		"le_10ms", "le_50ms", "le_100ms", "le_500ms", "le_1s", "le_2s", "le_5s",
	};
	uint64_t below = 0;

	group_open(p, kind);
	u64(p, "requests", r->requests);
	u64(p, "responses", r->responses);
	u64(p, "timeouts", r->timeouts);
	u64(p, "bad_responses", r->bad_responses);
	u64(p, "unsent", r->unsent);
	group_open(p, "rtt");
	u64(p, "count", r->rtt_count);
	seconds(p, "sum_seconds", r->rtt_sum_us, 1000000);
	for (unsigned int i = 0; i < CTL_STATS_RTT_BUCKETS; i++) {
		below += r->rtt_bucket[i]; /* cumulative, as Prometheus's le buckets */
		u64(p, le[i], below);
	}
	group_close(p);
	group_close(p);
}

static void print_stats(struct printer *p, const struct ctl_stats *s)
{
	seconds(p, "uptime_seconds", s->uptime_ms, 1000);
	section(p);
	u64(p, "tunnels", s->tunnels);
	u64(p, "sessions", s->sessions);
	u64(p, "tunnels_established", s->tunnels_established);
	u64(p, "sessions_established", s->sessions_established);
	section(p);
	group_open(p, "setup_failures");
	u64(p, "tunnel", s->failed_tunnel);
	u64(p, "session", s->failed_session);
	u64(p, "ppp_lcp", s->failed_ppp_lcp);
	u64(p, "ppp_auth", s->failed_ppp_auth);
	u64(p, "ppp_ipcp", s->failed_ppp_ipcp);
	group_close(p);
	group_open(p, "refused");
	u64(p, "no_ipsec", s->refused_no_ipsec);
	u64(p, "tunnel_limit", s->refused_tunnel_limit);
	u64(p, "session_limit", s->refused_session_limit);
	u64(p, "pool_empty", s->refused_pool_empty);
	group_close(p);
	u64(p, "control_packets_dropped", s->packets_dropped);
	section(p);
	group_open(p, "traffic");
	u64(p, "bytes_in", s->bytes_in);
	u64(p, "bytes_out", s->bytes_out);
	u64(p, "packets_in", s->packets_in);
	u64(p, "packets_out", s->packets_out);
	group_close(p);
	group_open(p, "pool");
	u64(p, "used", s->pool_used);
	u64(p, "size", s->pool_size);
	group_close(p);
	section(p);
	group_open(p, "radius");
	print_radius(p, "auth", &s->radius_auth);
	section(p);
	print_radius(p, "acct", &s->radius_acct);
	section(p);
	u64(p, "acct_queue", s->acct_queue);
	group_close(p);
}

void l2tpctl_print_stats(const struct ctl_stats *s, bool json)
{
	struct printer p = { .json = json };

	memset(p.first, true, sizeof(p.first));
	if (json)
		putchar('{');
	print_stats(&p, s);
	if (json)
		printf("}\n");
}
