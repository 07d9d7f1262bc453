/*
 * call_acct: what a call counts, and where its counts go: the ppp
 * interface's counters (sysfs), the L2TP session's and pppd's, the metrics'
 * totals and failed phases (calls_get_stats), and RADIUS accounting (Start,
 * Interim-Update, Stop); see call.h and call_private.h.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "call_private.h"
#include "log.h"
#include "pppd.h"

/* ---- the metrics' counters ---- */

/* pppd's EXIT_PEER_AUTH_FAILED (pppd.h) */
#define PPPD_EXIT_PEER_AUTH_FAILED 11

static void keep_max(uint64_t *kept, uint64_t v)
{
	if (v > *kept)
		*kept = v;
}

/* A reading of c's counters: the totals show at least this much of c. */
void call_observe(struct call *c, const struct acct_counters *now)
{
	keep_max(&c->seen.bytes_in, now->bytes_in);
	keep_max(&c->seen.bytes_out, now->bytes_out);
	keep_max(&c->seen.packets_in, now->packets_in);
	keep_max(&c->seen.packets_out, now->packets_out);
}

static void add_traffic(struct stats_traffic *sum, const struct acct_counters *c)
{
	sum->bytes_in += c->bytes_in;
	sum->bytes_out += c->bytes_out;
	sum->packets_in += c->packets_in;
	sum->packets_out += c->packets_out;
}

/* c's pppd has been reaped with code and status: its traffic joins the totals, and a
 * call that never had IPCP up counts as failed in the phase it reached. */
void call_count_reaped(struct call *c, int code, int status)
{
	struct calls_stats *st = &c->calls->stats;
	int pppd_status = c->state == PPP_DOWN ? c->down.exit_status
			  : code == CLD_EXITED ? status
					       : -1;

	add_traffic(&st->traffic, &c->seen);
	if (c->was_up)
		return;
	if (c->radius_rejected || pppd_status == PPPD_EXIT_PEER_AUTH_FAILED)
		st->failed_auth++;
	else if (!c->authenticated)
		st->failed_lcp++;
	else
		st->failed_ipcp++;
}

/* Adds the calls of list to out: each as much as it has shown, or has now. */
static void add_live_traffic(struct call *list, struct stats_traffic *out)
{
	struct acct_counters now;

	for (struct call *c = list; c; c = c->next) {
		if (c->state == PPP_UP && call_read_ppp_counters(c->ifname, &now))
			call_observe(c, &now);
		add_traffic(out, &c->seen);
	}
}

void calls_get_stats(struct calls *calls, struct calls_stats *out)
{
	*out = calls->stats;
	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		add_live_traffic(calls->by_tunnel[id], &out->traffic);
	add_live_traffic(calls->stopping, &out->traffic);
}

/* ---- accounting ---- */

#define CALL_MIN_INTERIM_S 10

/* One counter of an interface from sysfs; 0 when unreadable. */
uint64_t call_if_counter(const char *ifname, const char *name)
{
	char path[128], buf[32];
	uint64_t v = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		v = strtoull(buf, NULL, 10);
	}
	return v;
}

/* The ppp interface's counters (in: what it received, from the client). */
bool call_read_ppp_counters(const char *ifname, struct acct_counters *out)
{
	char path[96];

	if (!ifname[0])
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	if (access(path, F_OK) < 0)
		return false;
	out->bytes_in = call_if_counter(ifname, "rx_bytes");
	out->bytes_out = call_if_counter(ifname, "tx_bytes");
	out->packets_in = call_if_counter(ifname, "rx_packets");
	out->packets_out = call_if_counter(ifname, "tx_packets");
	return true;
}

static bool read_l2tp_counters(const struct call *c, struct acct_counters *out)
{
	struct pppd_channel_stats st;

	if (pppd_channel_stats(c->pppd, &st) < 0)
		return false;
	out->bytes_in = st.rx_bytes;
	out->bytes_out = st.tx_bytes;
	out->packets_in = st.rx_packets;
	out->packets_out = st.tx_packets;
	return true;
}

/* A reading of the interface, with the L2TP session's at the same time. */
static void take_reading(struct call *c)
{
	struct acct_counters ppp, l2tp;

	if (!call_read_ppp_counters(c->ifname, &ppp))
		return;
	c->acct.ppp = ppp;
	c->acct.have_l2tp = read_l2tp_counters(c, &l2tp);
	if (c->acct.have_l2tp)
		c->acct.l2tp = l2tp;
}

static void submit(struct call *c, enum acct_status status, const struct acct_counters *ctr,
		   uint64_t when)
{
	struct acct_record rec = {
		.status = status,
		.call = c->acct.call,
		.framed_ip = htonl(c->remote_addr),
		.class_len = c->radius_class_len,
		.radius_auth = c->radius_auth,
		.cause = status == ACCT_STOP ? c->acct.cause : ACCT_CAUSE_NONE,
		.event_usec = when,
	};

	snprintf(rec.user, sizeof(rec.user), "%s", c->user);
	memcpy(rec.class, c->radius_class, c->radius_class_len);
	if (ctr)
		rec.counters = *ctr;
	if (status != ACCT_START && when > c->acct.up_usec)
		rec.session_time_s = (uint32_t)((when - c->acct.up_usec) / 1000000);
	acct_submit(c->calls->acct, &rec);
}

static uint64_t interim_usec(const struct call *c)
{
	unsigned int s = c->acct_interim_s ? c->acct_interim_s
					   : c->calls->cfg->radius_acct_interim_s;

	if (s && s < CALL_MIN_INTERIM_S)
		s = CALL_MIN_INTERIM_S;
	return (uint64_t)s * 1000000;
}

static int on_interim(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct call *c = userdata;

	take_reading(c);
	submit(c, ACCT_INTERIM, &c->acct.ppp, usec);
	sd_event_source_set_time(source, usec + interim_usec(c));
	return sd_event_source_set_enabled(source, SD_EVENT_ON);
}

/* IPCP is up: Start. */
void call_acct_start(struct call *c)
{
	struct calls *calls = c->calls;
	uint64_t now = call_now_usec(calls), every;

	if (!calls->acct || c->acct.started)
		return;
	c->acct.started = true;
	c->acct.up_usec = now;
	c->acct.call = (struct auth_call){
		.tunnel_id = c->tunnel_id,
		.session_id = c->session_id,
		.peer = c->tunnel_peer,
		.local = c->tunnel_local,
	};
	snprintf(c->acct.call.calling_station, sizeof(c->acct.call.calling_station), "%s",
		 c->peer);
	snprintf(c->acct.call.acct_session_id, sizeof(c->acct.call.acct_session_id), "%s",
		 c->acct_session_id);
	if (calls->peer)
		calls->peer(calls->peer_userdata, c->tunnel_id, &c->acct.call);
	take_reading(c); /* LCP, authentication and IPCP are not the user's traffic */
	submit(c, ACCT_START, NULL, now);
	every = interim_usec(c);
	if (every)
		sd_event_add_time(calls->event, &c->acct.interim, CLOCK_MONOTONIC, now + every,
				  1000 * 1000, on_interim, c);
}

/* The daemon ends the call: its interface still lives, read it now. */
void call_acct_ending(struct call *c, enum lns_end end)
{
	if (!c->acct.started)
		return;
	if (c->acct.cause == ACCT_CAUSE_NONE)
		c->acct.cause = acct_cause_of_end(end);
	c->acct.end_usec = call_now_usec(c->calls);
	c->acct.interim = sd_event_source_disable_unref(c->acct.interim);
	c->acct.have_final = call_read_ppp_counters(c->ifname, &c->acct.final);
}

/* A reading of pppd's, 32-bit but for a pppd that counts wider, widened with an earlier one. */
static uint64_t widen(uint64_t reported, uint64_t earlier)
{
	return reported > UINT32_MAX ? reported : acct_widen32((uint32_t)reported, earlier);
}

/* pppd's counters as its plugin reported them at the end, for the totals. */
void call_observe_reported(struct call *c, const struct ctl_ppp_event *ev)
{
	struct acct_counters reported = {
		.bytes_in = widen(ev->bytes_in, c->seen.bytes_in),
		.bytes_out = widen(ev->bytes_out, c->seen.bytes_out),
		.packets_in = widen(ev->packets_in, c->seen.packets_in),
		.packets_out = widen(ev->packets_out, c->seen.packets_out),
	};

	call_observe(c, &reported);
}

/* pppd has been reaped (the kernel session still exists): Stop. */
void call_acct_stop(struct call *c, int code, int status)
{
	const struct acct_counters *base;
	struct acct_counters ctr, l2tp;
	bool reported = c->state == PPP_DOWN;

	if (!c->acct.started || c->acct.stopped)
		return;
	c->acct.stopped = true;
	c->acct.interim = sd_event_source_disable_unref(c->acct.interim);
	if (!c->acct.end_usec)
		c->acct.end_usec = call_now_usec(c->calls);
	if (c->acct.cause == ACCT_CAUSE_NONE)
		c->acct.cause = reported ? acct_cause_of_pppd_exit(CLD_EXITED, c->down.exit_status)
					 : acct_cause_of_pppd_exit(code, status);
	base = &c->acct.ppp;
	if (c->acct.have_final) {
		ctr = c->acct.final;
	} else if (reported) {
		ctr.bytes_in = widen(c->down.bytes_in, base->bytes_in);
		ctr.bytes_out = widen(c->down.bytes_out, base->bytes_out);
		ctr.packets_in = widen(c->down.packets_in, base->packets_in);
		ctr.packets_out = widen(c->down.packets_out, base->packets_out);
	} else if (c->acct.have_l2tp && read_l2tp_counters(c, &l2tp)) {
		acct_estimate(&c->acct.ppp, &c->acct.l2tp, &l2tp, &ctr);
	} else {
		ctr = c->acct.ppp;
	}
	log_msg(LOG_INFO,
		"tunnel=%u session=%u event=acct_stop user=\"%s\" cause=%s source=%s "
		"bytes_in=%" PRIu64 " bytes_out=%" PRIu64 " acct_session_id=%s",
		c->tunnel_id, c->session_id, c->user, acct_cause_name(c->acct.cause),
		c->acct.have_final ? "interface" : reported ? "pppd" : "l2tp", ctr.bytes_in,
		ctr.bytes_out, c->acct_session_id);
	call_observe(c, &ctr);
	submit(c, ACCT_STOP, &ctr, c->acct.end_usec);
}

void calls_set_accounting(struct calls *calls, struct acct *acct, call_peer_fn peer,
			  void *userdata)
{
	calls->acct = acct;
	calls->peer = peer;
	calls->peer_userdata = userdata;
}
