/*
 * call: one pppd per call, its pool address and its PPP state; see call.h.
 * What a call counts, and its accounting, are call_acct.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "call_private.h"
#include "history_feed.h"
#include "log.h"
#include "pool.h"
#include "ppp_args.h"
#include "pppd.h"

static const char *const ppp_state_names[] = {
	[PPP_STARTING] = "starting",
	[PPP_AUTHENTICATED] = "authenticated",
	[PPP_UP] = "up",
	[PPP_DOWN] = "down",
};

static struct call **find(struct calls *calls, uint16_t tunnel_id, uint16_t session_id)
{
	struct call **pc = &calls->by_tunnel[tunnel_id];

	while (*pc && (*pc)->session_id != session_id)
		pc = &(*pc)->next;
	return pc;
}

/* A stopping call of the pppd sender: its ids may already be a new call's. */
static struct call *find_stopping(struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
				  pid_t sender)
{
	for (struct call *c = calls->stopping; c; c = c->next)
		if (c->tunnel_id == tunnel_id && c->session_id == session_id &&
		    pppd_pid(c->pppd) == sender)
			return c;
	return NULL;
}

static void unlink_from(struct call **head, struct call *c)
{
	for (struct call **pc = head; *pc; pc = &(*pc)->next)
		if (*pc == c) {
			*pc = c->next;
			return;
		}
}

/* The address goes back to the pool; c is freed. */
static void call_free(struct call *c)
{
	if (c->remote_addr && c->addr_in_pool)
		pool_release(c->calls->pool, c->remote_addr);
	sd_event_source_disable_unref(c->acct.interim);
	sd_event_source_disable_unref(c->session_timer);
	sd_event_source_disable_unref(c->idle_timer);
	pppd_free(c->pppd);
	free(c);
}

static void describe_exit(int code, int status, char *why, size_t len)
{
	if (code == CLD_EXITED)
		snprintf(why, len, "pppd exited with status %d", status);
	else
		snprintf(why, len, "pppd killed by signal %d", status);
}

uint64_t call_now_usec(const struct calls *calls)
{
	uint64_t now = 0;

	sd_event_now(calls->event, CLOCK_MONOTONIC, &now);
	return now;
}

void calls_set_history(struct calls *calls, struct history *history)
{
	calls->history = history;
}

/* pppd has been reaped. May free c. */
static void on_pppd_exit(struct pppd *p, int code, int status, bool stopped, void *userdata)
{
	struct call *c = userdata;
	struct calls *calls = c->calls;
	uint16_t tid = c->tunnel_id, sid = c->session_id;
	char why[64];

	describe_exit(code, status, why, sizeof(why));
	call_acct_stop(c, code, status);
	call_count_reaped(c, code, status);
	/* its plugin's DOWN said why already, and one we stopped ends for the call's reason */
	if (c->state != PPP_DOWN && !stopped)
		history_feed_pppd_exit(calls->history, call_now_usec(calls), &c->tunnel_peer, code,
				       status, c->state != PPP_STARTING, c->state == PPP_UP);
	if (stopped) {
		log_msg(LOG_DEBUG, "tunnel=%u session=%u event=pppd_reaped pid=%d reason=\"%s\"",
			tid, sid, (int)pppd_pid(p), why);
		unlink_from(&calls->stopping, c);
		call_free(c);
		return;
	}
	log_msg(LOG_NOTICE, "tunnel=%u session=%u event=pppd_exited pid=%d reason=\"%s\"", tid,
		sid, (int)pppd_pid(p), why);
	if (c->state == PPP_DOWN && c->down.reason[0])
		snprintf(why, sizeof(why), "%s", c->down.reason);
	*find(calls, tid, sid) = c->next;
	call_free(c);
	calls->on_ended(calls->userdata, tid, sid, why);
}

static unsigned int ppp_auth_bits(unsigned int config_auth)
{
	unsigned int bits = 0;

	if (config_auth & CONFIG_AUTH_PAP)
		bits |= PPP_AUTH_PAP;
	if (config_auth & CONFIG_AUTH_CHAP)
		bits |= PPP_AUTH_CHAP;
	if (config_auth & CONFIG_AUTH_MSCHAP)
		bits |= PPP_AUTH_MSCHAP;
	if (config_auth & CONFIG_AUTH_MSCHAP_V2)
		bits |= PPP_AUTH_MSCHAP_V2;
	if (config_auth & CONFIG_AUTH_EAP)
		bits |= PPP_AUTH_EAP;
	return bits;
}

/* Readable files only: pppd fails on a missing "file" or plugin. */
static const char *if_readable(const char *path)
{
	return path[0] && access(path, R_OK) == 0 ? path : NULL;
}

static int spawn(struct calls *calls, struct call *c, const struct lns_call *lc, int tunnel_fd)
{
	const struct l2tpsrv_config *cfg = calls->cfg;
	struct ppp_args_call pa = {
		.channel_fd = PPPD_CHANNEL_FD,
		.tunnel_id = lc->tunnel_id,
		.session_id = lc->session_id,
		.local_addr = cfg->local_ip,
		.remote_addr = c->remote_addr,
		.n_dns = cfg->n_dns,
		.mtu = cfg->ppp_mtu,
		.mru = cfg->ppp_mru,
		.auth = ppp_auth_bits(cfg->ppp_auth),
		.options_file = if_readable(cfg->pppd_options),
		.plugin = if_readable(cfg->pppd_plugin),
		.control_socket = cfg->control_socket,
		.radius_auth = cfg->radius.n_auth > 0,
	};
	struct pppd_channel channel = {
		.tunnel_fd = tunnel_fd,
		.tunnel_id = lc->tunnel_id,
		.session_id = lc->session_id,
		.peer_tunnel_id = lc->peer_tunnel_id,
		.peer_session_id = lc->peer_session_id,
	};
	char tty[64];
	struct ppp_args args;
	int r;

	for (size_t i = 0; i < cfg->n_dns && i < PPP_ARGS_MAX_DNS; i++)
		pa.dns[i] = cfg->dns[i];
	if (calls->dp->ops->session_tty) {
		r = calls->dp->ops->session_tty(calls->dp, lc->tunnel_id, lc->session_id, tty,
						sizeof(tty));
		if (r < 0)
			return r;
		pa.channel_fd = -1;
		pa.tty = tty;
	}
	r = ppp_args_build(&args, PPPD_PATH, &pa);
	if (r < 0)
		return r;
	return pppd_spawn(&c->pppd, calls->event, pa.tty ? NULL : &channel, args.argv,
			  on_pppd_exit, c);
}

int calls_start(struct calls *calls, const struct lns_call *lc, int tunnel_fd,
		const struct sockaddr_storage *peer, const struct sockaddr_storage *local)
{
	struct call *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->calls = calls;
	c->tunnel_id = lc->tunnel_id;
	c->session_id = lc->session_id;
	c->tunnel_peer = *peer;
	c->tunnel_local = *local;
	lns_sockaddr_string(peer, c->peer, sizeof(c->peer));
	auth_acct_session_id(c->acct_session_id, sizeof(c->acct_session_id),
			     (uint32_t)time(NULL), lc->tunnel_id, lc->session_id);
	r = pool_alloc(calls->pool, &c->remote_addr);
	c->addr_in_pool = r == 0;
	if (r < 0) {
		calls->stats.pool_empty++;
		log_msg(LOG_WARNING, "tunnel=%u session=%u event=pool_empty size=%u",
			lc->tunnel_id, lc->session_id, pool_size(calls->pool));
		history_feed_pool_empty(calls->history, call_now_usec(calls), peer,
					pool_size(calls->pool));
		free(c);
		return r;
	}
	r = spawn(calls, c, lc, tunnel_fd);
	if (r < 0) {
		log_msg(LOG_ERR, "tunnel=%u session=%u event=pppd_failed error=\"%s\"",
			lc->tunnel_id, lc->session_id, strerror(-r));
		call_free(c);
		return r;
	}
	c->next = calls->by_tunnel[lc->tunnel_id];
	calls->by_tunnel[lc->tunnel_id] = c;
	log_msg(LOG_INFO, "tunnel=%u session=%u event=pppd_started pid=%d address=%s", lc->tunnel_id,
		lc->session_id, (int)pppd_pid(c->pppd),
		inet_ntoa((struct in_addr){ htonl(c->remote_addr) }));
	return 0;
}

void calls_stop(struct calls *calls, uint16_t tunnel_id, uint16_t session_id, enum lns_end end)
{
	struct call **pc = find(calls, tunnel_id, session_id);
	struct call *c = *pc;
	struct acct_counters now;

	if (!c)
		return;
	call_acct_ending(c, end);
	if (call_read_ppp_counters(c->ifname, &now)) /* the interface goes with pppd */
		call_observe(c, &now);
	*pc = c->next;
	c->next = calls->stopping;
	calls->stopping = c;
	log_msg(LOG_INFO, "tunnel=%u session=%u event=pppd_stopping pid=%d", tunnel_id, session_id,
		(int)pppd_pid(c->pppd));
	pppd_stop(c->pppd);
}

/* Copies a string from the plugin, printable ASCII only (it goes into logs). */
static void copy_printable(char *dst, size_t len, const char *src, size_t src_len)
{
	size_t i;

	for (i = 0; i + 1 < len && i < src_len && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"' ? src[i] : '?';
	dst[i] = '\0';
}

int calls_ppp_event(struct calls *calls, uint16_t tunnel_id, uint16_t session_id, pid_t sender,
		    const struct ctl_ppp_event *ev)
{
	struct call *c = *find(calls, tunnel_id, session_id);
	char local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN];

	if (!c && ev->kind == CTL_PPP_DOWN) /* told to stop, its link went down */
		c = find_stopping(calls, tunnel_id, session_id, sender);
	if (!c)
		return -ESRCH;
	if (sender != pppd_pid(c->pppd))
		return -EPERM;
	if (ev->kind == CTL_PPP_AUTH_UP || ev->kind == CTL_PPP_IP_UP || ev->kind == CTL_PPP_DOWN)
		history_feed_ppp(calls->history, call_now_usec(calls), &c->tunnel_peer, ev,
				 c->state == PPP_AUTHENTICATED || c->state == PPP_UP,
				 c->state == PPP_UP);
	switch (ev->kind) {
	case CTL_PPP_AUTH_UP:
		copy_printable(c->user, sizeof(c->user), ev->user, sizeof(ev->user));
		copy_printable(c->method, sizeof(c->method), ev->method, sizeof(ev->method));
		c->state = PPP_AUTHENTICATED;
		c->authenticated = true;
		log_msg(LOG_INFO, "tunnel=%u session=%u event=ppp_authenticated user=\"%s\" method=%s",
			tunnel_id, session_id, c->user, c->method);
		return 0;
	case CTL_PPP_IP_UP:
		copy_printable(c->ifname, sizeof(c->ifname), ev->ifname, sizeof(ev->ifname));
		c->local_addr = ev->local_addr;
		c->state = PPP_UP;
		c->was_up = true;
		inet_ntop(AF_INET, &ev->local_addr, local, sizeof(local));
		inet_ntop(AF_INET, &ev->remote_addr, remote, sizeof(remote));
		log_msg(LOG_INFO,
			"tunnel=%u session=%u event=ppp_up user=\"%s\" interface=%s local=%s remote=%s",
			tunnel_id, session_id, c->user, c->ifname, local, remote);
		call_acct_start(c);
		return 0;
	case CTL_PPP_DOWN:
		c->down = *ev;
		copy_printable(c->down.reason, sizeof(c->down.reason), ev->reason,
			       sizeof(ev->reason));
		c->state = PPP_DOWN;
		call_observe_reported(c, ev);
		log_msg(LOG_INFO,
			"tunnel=%u session=%u event=ppp_down user=\"%s\" reason=\"%s\" "
			"bytes_in=%" PRIu64 " bytes_out=%" PRIu64 " seconds=%u",
			tunnel_id, session_id, c->user, c->down.reason, ev->bytes_in, ev->bytes_out,
			ev->connect_time_s);
		return 0;
	}
	return -EINVAL;
}

int calls_auth_call(const struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
		    pid_t sender, struct auth_call *out)
{
	const struct call *c = *find((struct calls *)calls, tunnel_id, session_id);

	if (!c)
		return -ESRCH;
	if (sender != pppd_pid(c->pppd))
		return -EPERM;
	memset(out, 0, sizeof(*out));
	out->tunnel_id = tunnel_id;
	out->session_id = session_id;
	out->peer = c->tunnel_peer;
	out->local = c->tunnel_local;
	snprintf(out->calling_station, sizeof(out->calling_station), "%s", c->peer);
	snprintf(out->acct_session_id, sizeof(out->acct_session_id), "%s", c->acct_session_id);
	return 0;
}

/* Does a call other than self hold addr (host order)? Pool addresses aside: the pool knows. */
static bool address_held_elsewhere(const struct calls *calls, const struct call *self,
				   uint32_t addr)
{
	for (const struct call *c = calls->stopping; c; c = c->next)
		if (c != self && c->remote_addr == addr)
			return true;
	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		for (const struct call *c = calls->by_tunnel[id]; c; c = c->next)
			if (c != self && c->remote_addr == addr)
				return true;
	return false;
}

/* An accept for c: its Framed-IP-Address, if any, becomes c's address. False: refused. */
static bool take_framed_ip(struct calls *calls, struct call *c, struct auth_result *res)
{
	uint32_t framed = ntohl(res->reply.framed_ip);
	char addr[INET_ADDRSTRLEN];

	if (!framed || framed == c->remote_addr)
		return true;
	inet_ntop(AF_INET, &res->reply.framed_ip, addr, sizeof(addr));
	if (framed == calls->cfg->local_ip) {
		snprintf(res->why, sizeof(res->why), "Framed-IP-Address %s is our own", addr);
		return false;
	}
	if ((!pool_contains(calls->pool, framed) && address_held_elsewhere(calls, c, framed)) ||
	    auth_assign_address(calls->pool, framed, &c->remote_addr, &c->addr_in_pool) < 0) {
		snprintf(res->why, sizeof(res->why), "Framed-IP-Address %s is another call's",
			 addr);
		return false;
	}
	return true;
}

void calls_auth_done(struct calls *calls, uint16_t tunnel_id, uint16_t session_id, pid_t sender,
		     const struct ctl_auth_request *rq, struct auth_result *res)
{
	struct call *c = *find(calls, tunnel_id, session_id);
	char user[64], why[sizeof(res->why)], addr[INET_ADDRSTRLEN];

	copy_printable(user, sizeof(user), rq->user, sizeof(rq->user));
	if (!c || sender != pppd_pid(c->pppd)) {
		res->reply = (struct ctl_auth_reply){ .result = CTL_AUTH_ERROR };
		snprintf(res->why, sizeof(res->why), "the call ended meanwhile");
	} else if (res->reply.result == CTL_AUTH_ACCEPT && !take_framed_ip(calls, c, res)) {
		auth_refuse(rq, res);
	}
	copy_printable(why, sizeof(why), res->why, sizeof(res->why));
	if (c && res->reply.result == CTL_AUTH_REJECT)
		c->radius_rejected = true;
	if (res->reply.result != CTL_AUTH_ACCEPT && c && sender == pppd_pid(c->pppd))
		history_feed_radius(calls->history, call_now_usec(calls), &c->tunnel_peer,
				    res->reply.result, user, auth_method_name(rq->method), why);
	if (res->reply.result != CTL_AUTH_ACCEPT) {
		log_msg(LOG_NOTICE,
			"tunnel=%u session=%u event=radius_%s user=\"%s\" method=%s reason=\"%s\"",
			tunnel_id, session_id,
			res->reply.result == CTL_AUTH_REJECT ? "reject" : "error", user,
			auth_method_name(rq->method), why);
		return;
	}
	if (res->class_dropped)
		log_msg(LOG_NOTICE,
			"tunnel=%u session=%u event=radius_class_dropped user=\"%s\" length=%zu max=%zu",
			tunnel_id, session_id, user, res->class_dropped, sizeof(c->radius_class));
	memcpy(c->radius_class, res->class, res->class_len);
	c->radius_class_len = res->class_len;
	c->acct_interim_s = res->reply.interim_s;
	c->radius_auth = true;
	inet_ntop(AF_INET, &(uint32_t){ htonl(c->remote_addr) }, addr, sizeof(addr));
	log_msg(LOG_INFO,
		"tunnel=%u session=%u event=radius_accept user=\"%s\" method=%s address=%s "
		"from_pool=%s session_timeout=%u idle_timeout=%u class_len=%zu acct_session_id=%s",
		tunnel_id, session_id, user, auth_method_name(rq->method), addr,
		c->addr_in_pool ? "yes" : "no", res->reply.session_timeout_s,
		res->reply.idle_timeout_s, c->radius_class_len, c->acct_session_id);
}

bool calls_describe(const struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
		    struct ctl_session *out)
{
	const struct call *c = *find((struct calls *)calls, tunnel_id, session_id);

	if (!c)
		return false;
	snprintf(out->peer, sizeof(out->peer), "%s", c->peer);
	snprintf(out->ppp_state, sizeof(out->ppp_state), "%s", ppp_state_names[c->state]);
	snprintf(out->user, sizeof(out->user), "%s", c->user);
	snprintf(out->method, sizeof(out->method), "%s", c->method);
	snprintf(out->ifname, sizeof(out->ifname), "%s", c->ifname);
	out->local_addr = c->local_addr;
	out->remote_addr = htonl(c->remote_addr);
	out->pppd_pid = pppd_pid(c->pppd);
	snprintf(out->acct_session_id, sizeof(out->acct_session_id), "%s", c->acct_session_id);
	out->radius_class_len = (uint16_t)c->radius_class_len;
	memcpy(out->radius_class, c->radius_class, c->radius_class_len);
	out->acct_interim_s = c->acct_interim_s;
	if (c->state == PPP_UP && c->ifname[0]) { /* the server receives what the client sends */
		out->bytes_in = call_if_counter(c->ifname, "rx_bytes");
		out->bytes_out = call_if_counter(c->ifname, "tx_bytes");
		out->packets_in = call_if_counter(c->ifname, "rx_packets");
		out->packets_out = call_if_counter(c->ifname, "tx_packets");
	} else if (c->state == PPP_DOWN) {
		out->bytes_in = c->down.bytes_in;
		out->bytes_out = c->down.bytes_out;
		out->packets_in = c->down.packets_in;
		out->packets_out = c->down.packets_out;
	}
	return true;
}

size_t calls_find(const struct calls *calls, const struct calls_match *m, struct call_ids *out,
		  size_t max)
{
	size_t n = 0;

	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		for (const struct call *c = calls->by_tunnel[id]; c && n < max; c = c->next) {
			if ((m->user && strcmp(m->user, c->user) != 0) ||
			    (m->acct_session_id &&
			     strcmp(m->acct_session_id, c->acct_session_id) != 0) ||
			    (m->framed_ip && (ntohl(m->framed_ip) != c->remote_addr ||
					      c->state != PPP_UP)))
				continue;
			out[n++] = (struct call_ids){ c->tunnel_id, c->session_id };
		}
	return n;
}

void calls_set_cause(struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
		     enum acct_cause cause)
{
	struct call *c = *find(calls, tunnel_id, session_id);

	if (c && c->acct.cause == ACCT_CAUSE_NONE)
		c->acct.cause = cause;
}

/* A CoA's Session-Timeout is over: pppd ends, and on_pppd_exit() ends the call. */
static int on_session_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct call *c = userdata;

	log_msg(LOG_NOTICE, "tunnel=%u session=%u event=session_timeout user=\"%s\"",
		c->tunnel_id, c->session_id, c->user);
	if (c->acct.cause == ACCT_CAUSE_NONE)
		c->acct.cause = ACCT_CAUSE_SESSION_TIMEOUT;
	kill(pppd_pid(c->pppd), SIGTERM);
	return 0;
}

int calls_set_session_timeout(struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
			      uint32_t seconds)
{
	struct call *c = *find(calls, tunnel_id, session_id);
	uint64_t when;

	if (!c)
		return -ESRCH;
	when = call_now_usec(calls) + (uint64_t)seconds * 1000000;
	if (c->session_timer) {
		sd_event_source_set_time(c->session_timer, when);
		return sd_event_source_set_enabled(c->session_timer, SD_EVENT_ONESHOT);
	}
	return sd_event_add_time(calls->event, &c->session_timer, CLOCK_MONOTONIC, when, 100000,
				 on_session_timer, c);
}

/* How often a CoA's Idle-Timeout looks at the interface: a quarter of it, 1..10 s. */
static uint64_t idle_check_usec(uint32_t idle_s)
{
	uint32_t every = idle_s / 4;

	return (uint64_t)(every < 1 ? 1 : every > 10 ? 10 : every) * 1000000;
}

static int on_idle_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct call *c = userdata;
	struct acct_counters now;
	uint64_t packets;

	if (call_read_ppp_counters(c->ifname, &now)) {
		packets = now.packets_in + now.packets_out;
		if (packets != c->idle_packets) {
			c->idle_packets = packets;
			c->idle_since = usec;
		} else if (usec >= c->idle_since + (uint64_t)c->idle_s * 1000000) {
			log_msg(LOG_NOTICE, "tunnel=%u session=%u event=idle_timeout user=\"%s\" idle=%us",
				c->tunnel_id, c->session_id, c->user, c->idle_s);
			if (c->acct.cause == ACCT_CAUSE_NONE)
				c->acct.cause = ACCT_CAUSE_IDLE_TIMEOUT;
			kill(pppd_pid(c->pppd), SIGTERM);
			return 0;
		}
	}
	sd_event_source_set_time(source, usec + idle_check_usec(c->idle_s));
	return sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
}

int calls_set_idle_timeout(struct calls *calls, uint16_t tunnel_id, uint16_t session_id,
			   uint32_t seconds)
{
	struct call *c = *find(calls, tunnel_id, session_id);
	struct acct_counters now = { 0 };
	uint64_t t;

	if (!c)
		return -ESRCH;
	t = call_now_usec(calls);
	c->idle_s = seconds;
	call_read_ppp_counters(c->ifname, &now);
	c->idle_packets = now.packets_in + now.packets_out;
	c->idle_since = t;
	if (!seconds) {
		c->idle_timer = sd_event_source_disable_unref(c->idle_timer);
		return 0;
	}
	if (c->idle_timer) {
		sd_event_source_set_time(c->idle_timer, t + idle_check_usec(seconds));
		return sd_event_source_set_enabled(c->idle_timer, SD_EVENT_ONESHOT);
	}
	return sd_event_add_time(calls->event, &c->idle_timer, CLOCK_MONOTONIC,
				 t + idle_check_usec(seconds), 100000, on_idle_timer, c);
}

unsigned int calls_live(const struct calls *calls)
{
	unsigned int n = 0;

	for (const struct call *c = calls->stopping; c; c = c->next)
		n++;
	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		for (const struct call *c = calls->by_tunnel[id]; c; c = c->next)
			n++;
	return n;
}

unsigned int calls_pool_in_use(const struct calls *calls)
{
	return pool_in_use(calls->pool);
}

unsigned int calls_pool_size(const struct calls *calls)
{
	return pool_size(calls->pool);
}

struct calls *calls_new(sd_event *event, const struct l2tpsrv_config *cfg, struct dataplane *dp,
			call_ended_fn on_ended, void *userdata, int *err)
{
	struct calls *calls = calloc(1, sizeof(*calls));

	if (!calls) {
		*err = -ENOMEM;
		return NULL;
	}
	calls->pool = pool_new(cfg->pools, cfg->n_pools);
	if (!calls->pool) {
		free(calls);
		*err = -ENOMEM;
		return NULL;
	}
	calls->event = event;
	calls->cfg = cfg;
	calls->dp = dp;
	calls->on_ended = on_ended;
	calls->userdata = userdata;
	return calls;
}

/* Gives the addresses every call (live or stopping) holds to pool p. */
static void reserve_held(struct calls *calls, struct pool *p, struct call *list)
{
	for (struct call *c = list; c; c = c->next) {
		c->addr_in_pool = c->remote_addr && pool_reserve(p, c->remote_addr) == 0;
	}
}

int calls_set_pools(struct calls *calls, const struct config_pool_range *ranges, size_t n)
{
	struct pool *p = pool_new(ranges, n);

	if (!p)
		return -errno;
	/* An address outside the new pool stays with its call until the call
	 * ends, and is then not given out again (addr_in_pool false). */
	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		reserve_held(calls, p, calls->by_tunnel[id]);
	reserve_held(calls, p, calls->stopping);
	pool_free(calls->pool);
	calls->pool = p;
	return 0;
}

static void free_list(struct call *c)
{
	while (c) {
		struct call *next = c->next;

		call_free(c); /* pppd_free: SIGTERM, no longer watched */
		c = next;
	}
}

struct calls *calls_free(struct calls *calls)
{
	if (!calls)
		return NULL;
	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		free_list(calls->by_tunnel[id]);
	free_list(calls->stopping);
	pool_free(calls->pool);
	free(calls);
	return NULL;
}
