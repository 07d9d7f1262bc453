/*
 * control: control socket server; see control.h and ctl_proto.h.
 *
 * One request per connection. The reply is built in memory and written
 * as the socket allows, so a slow client never blocks the server. A
 * CTL_AUTH request waits for RADIUS with its connection open; a client
 * that hangs up first cancels it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "auth.h"
#include "call.h"
#include "control.h"
#include "ctl_proto.h"
#include "history.h"
#include "ipsec.h"
#include "lns.h"
#include "log.h"
#include "server.h"
#include "stats.h"
#include "unix_listen.h"

_Static_assert(CTL_STATS_RTT_BUCKETS == STATS_HISTOGRAM_BUCKETS,
	       "struct ctl_stats_radius carries stats.h's histogram");

struct control {
	struct server *srv;
	sd_event *event;
	int fd;
	sd_event_source *source;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t started_usec;
};

struct client {
	struct control *ctl;
	int fd;
	sd_event_source *source;
	struct ctl_request req;
	union {
		struct ctl_ppp_event ppp;
		struct ctl_match match;
		struct ctl_auth_request auth;
		struct ctl_eap_request eap;
		struct ctl_peer peer;
	} arg; /* what follows the request, for the commands that take one */
	size_t req_len; /* of req and arg together */
	struct auth_request *pending; /* CTL_AUTH sent to RADIUS, not answered yet */
	pid_t sender;                 /* CTL_AUTH: the pppd asking */
	uint8_t *out;
	size_t out_len;
	size_t out_cap;
	size_t out_done;
	bool failed;
};

/* Also cancels a pending CTL_AUTH. */
static void client_free(struct client *c)
{
	auth_cancel(c->pending);
	explicit_bzero(&c->arg, sizeof(c->arg)); /* a PAP password, a CHAP response */
	sd_event_source_disable_unref(c->source);
	close(c->fd);
	free(c->out);
	free(c);
}

static void out_append(struct client *c, const void *p, size_t n)
{
	if (c->failed)
		return;
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap * 2 : 4096;
		uint8_t *b;

		while (cap < c->out_len + n)
			cap *= 2;
		b = realloc(c->out, cap);
		if (!b) {
			c->failed = true;
			return;
		}
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

/* Copies what fits; the rest is cut off (long identities in a fixed-size reply). */
static void copy_string(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint64_t age_ms(uint64_t now, uint64_t since)
{
	return since ? (now - since) / 1000 : 0;
}

/* Sessions one kill ends at most (a whole tunnel has at most 65535). */
#define CTL_MAX_KILL 65535

struct list_ctx {
	struct client *c;
	struct server *srv;
	struct lns *lns;
	struct calls *calls;
	uint64_t now;
	uint32_t n_tunnels, n_sessions;
	bool sessions_pass;
	uint64_t owner; /* of the tunnel whose sessions are being listed */
	const struct ctl_match *match; /* CTL_KILL: only these sessions, collected in killed */
	struct lns_call *killed;
};

static bool session_matches(const struct ctl_match *m, const struct ctl_session *s)
{
	switch (m->by) {
	case CTL_MATCH_SESSION:
		return s->tunnel_id == m->tunnel_id && s->session_id == m->session_id;
	case CTL_MATCH_TUNNEL:
		return s->tunnel_id == m->tunnel_id;
	case CTL_MATCH_USER:
		return s->user[0] && strncmp(s->user, m->user, sizeof(s->user)) == 0;
	case CTL_MATCH_ADDR:
		return s->remote_addr && s->remote_addr == m->addr;
	}
	return false;
}

/* Who IPsec says the session's peer is. */
static void describe_ipsec(const struct list_ctx *lc, struct ctl_session *r)
{
	const struct peer_ike *ike = ipsec_owner(server_ipsec(lc->srv), lc->owner);

	if (!ike)
		return;
	r->ike_sa = ike->uid;
	r->ike_version = ike->sa.version;
	r->ike_nat = ike->sa.nat_remote;
	ipsec_remote_string(ike, r->ike_remote, sizeof(r->ike_remote));
	copy_string(r->ike_id, sizeof(r->ike_id), ike->sa.remote_id);
	copy_string(r->ike_user, sizeof(r->ike_user),
		    ike->sa.xauth_id[0] ? ike->sa.xauth_id : ike->sa.eap_id);
	copy_string(r->ike_cert, sizeof(r->ike_cert), ike->sa.cert);
}

static bool add_session(void *ctx, const struct lns_session_info *i)
{
	struct list_ctx *lc = ctx;
	struct ctl_session r = {
		.tunnel_id = i->tunnel_id,
		.session_id = i->session_id,
		.peer_session_id = i->peer_session_id,
		.call_serial_number = i->call_serial_number,
		.tx_connect_speed = i->tx_connect_speed,
		.send_accm = i->send_accm,
		.recv_accm = i->recv_accm,
		.wen_count = i->wen_count,
		.crc_errors = i->errors.crc_errors,
		.framing_errors = i->errors.framing_errors,
		.hardware_overruns = i->errors.hardware_overruns,
		.buffer_overruns = i->errors.buffer_overruns,
		.timeout_errors = i->errors.timeout_errors,
		.alignment_errors = i->errors.alignment_errors,
		.age_ms = age_ms(lc->now, i->established_usec),
	};

	copy_string(r.state, sizeof(r.state), i->state);
	copy_string(r.calling_number, sizeof(r.calling_number), i->calling_number);
	copy_string(r.called_number, sizeof(r.called_number), i->called_number);
	if (lc->calls)
		calls_describe(lc->calls, i->tunnel_id, i->session_id, &r);
	describe_ipsec(lc, &r);
	if (lc->match && !session_matches(lc->match, &r))
		return true;
	if (lc->n_sessions >= CTL_MAX_KILL && lc->match)
		return false;
	out_append(lc->c, &r, sizeof(r));
	if (lc->match)
		lc->killed[lc->n_sessions] = (struct lns_call){ .tunnel_id = r.tunnel_id,
								 .session_id = r.session_id };
	lc->n_sessions++;
	return true;
}

static bool add_tunnel(void *ctx, const struct lns_tunnel_info *i)
{
	struct list_ctx *lc = ctx;
	struct ctl_tunnel r = {
		.tunnel_id = i->tunnel_id,
		.peer_tunnel_id = i->peer_tunnel_id,
		.sessions = i->sessions,
		.age_ms = age_ms(lc->now, i->established_usec),
		.sent = i->transport.sent,
		.retransmitted = i->transport.retransmitted,
		.delivered = i->transport.delivered,
		.duplicates = i->transport.duplicates,
		.out_of_order = i->transport.out_of_order,
		.cwnd = i->transport.cwnd,
		.peer_window = i->transport.peer_window,
		.unacked = i->transport.unacked,
		.queued = i->transport.queued,
		.mark = i->mark,
		.reply_mark = i->reply_mark,
	};
	const struct peer_ike *ike = ipsec_owner(server_ipsec(lc->srv), i->owner);

	if (lc->sessions_pass || lc->match) {
		lc->owner = i->owner;
		lns_foreach_session(lc->lns, i->tunnel_id, add_session, lc);
		return true;
	}
	copy_string(r.state, sizeof(r.state), i->state);
	copy_string(r.peer, sizeof(r.peer), i->peer);
	copy_string(r.host_name, sizeof(r.host_name), i->host_name);
	r.ike_sa = ike ? ike->uid : 0;
	r.path = server_tunnel_path(lc->srv, i->tunnel_id, &r.path_port);
	out_append(lc->c, &r, sizeof(r));
	lc->n_tunnels++;
	return true;
}

/* Ends every session m matches; they are listed in the reply. A tunnel
 * goes as a whole (StopCCN), sessions or none: an admin who kills a
 * tunnel wants the peer gone, not an empty tunnel left behind. */
static int32_t kill_matching(struct list_ctx *lc, const struct ctl_match *m,
			     struct ctl_reply *reply)
{
	int32_t r;

	if (m->by < CTL_MATCH_SESSION || m->by > CTL_MATCH_ADDR ||
	    memchr(m->user, '\0', sizeof(m->user)) == NULL)
		return -EINVAL;
	lc->killed = calloc(CTL_MAX_KILL, sizeof(*lc->killed));
	if (!lc->killed)
		return -ENOMEM;
	lc->match = m;
	lns_foreach_tunnel(lc->lns, add_tunnel, lc);
	if (m->by == CTL_MATCH_TUNNEL) {
		r = lns_close_tunnel(lc->lns, lc->now, m->tunnel_id);
		if (r == 0)
			log_msg(LOG_INFO, "tunnel=%u event=kill by=control sessions=%u",
				m->tunnel_id, lc->n_sessions);
		free(lc->killed);
		reply->n_sessions = lc->n_sessions;
		return r;
	}
	for (uint32_t i = 0; i < lc->n_sessions; i++) {
		log_msg(LOG_INFO, "tunnel=%u session=%u event=kill by=control",
			lc->killed[i].tunnel_id, lc->killed[i].session_id);
		lns_close_session(lc->lns, lc->now, lc->killed[i].tunnel_id,
				  lc->killed[i].session_id);
	}
	free(lc->killed);
	reply->n_sessions = lc->n_sessions;
	return lc->n_sessions ? 0 : -ENOENT;
}

/* The pppd plugin's report: only from the call's own pppd (SO_PEERCRED). */
static int32_t ppp_event(struct client *c)
{
	struct calls *calls = server_calls(c->ctl->srv);
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (!calls)
		return -ESRCH;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	return calls_ppp_event(calls, c->req.tunnel_id, c->req.session_id, cred.pid, &c->arg.ppp);
}

/* An IPv4 or IPv6 address, no port; false for anything else. */
static bool parse_peer(const struct ctl_peer *p, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!memchr(p->addr, '\0', sizeof(p->addr)))
		return false;
	if (inet_pton(AF_INET, p->addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, p->addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

/*
 * CTL_DIAGNOSE: a struct ctl_history (whatever the status), then the
 * peer's events, oldest first, their times made ages.
 */
static int32_t diagnose(struct client *c, uint64_t now)
{
	struct history_event ev[CTL_HISTORY_EVENTS];
	struct ctl_history hdr = { 0 };
	struct sockaddr_storage peer;
	uint64_t lost = 0;
	int n;

	if (!parse_peer(&c->arg.peer, &peer)) {
		out_append(c, &hdr, sizeof(hdr));
		return -EINVAL;
	}
	inet_ntop(peer.ss_family,
		  peer.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&peer)->sin_addr
					    : (const void *)&((struct sockaddr_in6 *)&peer)->sin6_addr,
		  hdr.peer, sizeof(hdr.peer));
	n = history_get(server_history(c->ctl->srv), &peer, ev, CTL_HISTORY_EVENTS, &lost);
	if (n < 0) {
		out_append(c, &hdr, sizeof(hdr));
		return n;
	}
	hdr.n_events = (uint32_t)n;
	hdr.n_lost = lost > UINT32_MAX ? UINT32_MAX : (uint32_t)lost;
	out_append(c, &hdr, sizeof(hdr));
	for (int i = 0; i < n; i++) {
		struct ctl_history_event e = {
			.age_ms = now > ev[i].usec ? (now - ev[i].usec) / 1000 : 0,
			.phase = ev[i].phase,
			.result = ev[i].result,
		};

		copy_string(e.detail, sizeof(e.detail), ev[i].detail);
		out_append(c, &e, sizeof(e));
	}
	return 0;
}

/* run_request's word for "the answer comes later" (CTL_AUTH). */
#define CTL_PENDING 1

static void send_reply(struct client *c, struct ctl_reply *reply);

/* One EAP round answered: a Challenge goes back as it is; a verdict is the call's too. */
static void answer_eap(struct client *c, struct auth_result *result)
{
	struct ctl_auth_request rq = { .method = CTL_AUTH_EAP }; /* what calls_auth_done logs */
	struct ctl_eap_reply out;

	if (result->reply.result == CTL_AUTH_CHALLENGE) {
		log_msg(LOG_DEBUG, "tunnel=%u session=%u event=radius_challenge eap_len=%u",
			c->req.tunnel_id, c->req.session_id, result->eap.eap_len);
	} else {
		memcpy(rq.user, c->arg.eap.user, sizeof(rq.user));
		calls_auth_done(server_calls(c->ctl->srv), c->req.tunnel_id, c->req.session_id,
				c->sender, &rq, result);
	}
	memset(&out, 0, sizeof(out));
	out.base = result->reply;
	out.eap_len = result->eap.eap_len;
	out.state_len = result->eap.state_len;
	memcpy(out.eap, result->eap.eap, sizeof(out.eap));
	memcpy(out.state, result->eap.state, sizeof(out.state));
	out_append(c, &out, sizeof(out));
}

/* RADIUS answered c's CTL_AUTH or CTL_EAP: the call takes what it was granted, the plugin hears it. */
static void on_auth_done(void *userdata, struct auth_result *result)
{
	struct client *c = userdata;
	struct ctl_reply reply = { .magic = CTL_MAGIC };

	c->pending = NULL;
	if (c->req.command == CTL_EAP) {
		answer_eap(c, result);
	} else {
		calls_auth_done(server_calls(c->ctl->srv), c->req.tunnel_id, c->req.session_id,
				c->sender, &c->arg.auth, result);
		out_append(c, &result->reply, sizeof(result->reply));
	}
	send_reply(c, &reply);
	if (c->failed)
		client_free(c);
}

/*
 * CTL_AUTH and CTL_EAP: only from the call's own pppd (SO_PEERCRED), only
 * with RADIUS configured.
 */
static int32_t start_auth(struct client *c)
{
	struct auth *auth = server_auth(c->ctl->srv);
	struct calls *calls = server_calls(c->ctl->srv);
	bool eap = c->req.command == CTL_EAP;
	struct auth_call call;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int r;

	if (!auth || !calls)
		return -EOPNOTSUPP;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	r = calls_auth_call(calls, c->req.tunnel_id, c->req.session_id, cred.pid, &call);
	if (r < 0)
		return r;
	server_call_peer(c->ctl->srv, c->req.tunnel_id, &call);
	c->sender = cred.pid;
	if (eap) {
		r = auth_start_eap(auth, &c->arg.eap, &call, on_auth_done, c, &c->pending);
	} else {
		r = auth_start(auth, &c->arg.auth, &call, on_auth_done, c, &c->pending);
		/* the request holds them now; only user, method and challenge are needed again */
		explicit_bzero(c->arg.auth.password, sizeof(c->arg.auth.password));
		explicit_bzero(c->arg.auth.response, sizeof(c->arg.auth.response));
	}
	if (r < 0)
		return r;
	log_msg(LOG_DEBUG, "tunnel=%u session=%u event=radius_request method=%s",
		c->req.tunnel_id, c->req.session_id,
		eap ? "eap" : auth_method_name(c->arg.auth.method));
	return CTL_PENDING;
}

static void radius_to_ctl(const struct stats_radius *in, struct ctl_stats_radius *out)
{
	out->requests = in->requests;
	out->responses = in->responses;
	out->timeouts = in->timeouts;
	out->bad_responses = in->bad_responses;
	out->unsent = in->unsent;
	out->rtt_count = in->rtt.count;
	out->rtt_sum_us = in->rtt.sum_usec;
	for (unsigned int i = 0; i < CTL_STATS_RTT_BUCKETS; i++)
		out->rtt_bucket[i] = in->rtt.bucket[i];
}

/* CTL_STATS: the counters, as the metrics show them. */
static void append_stats(struct client *c)
{
	struct ctl_stats out = { 0 };
	struct stats st;

	server_stats(c->ctl->srv, &st);
	out.uptime_ms = st.uptime_usec / 1000;
	out.tunnels = st.tunnels;
	out.sessions = st.sessions;
	out.tunnels_established = st.tunnels_established;
	out.sessions_established = st.sessions_established;
	out.failed_tunnel = st.setup_failures[STATS_PHASE_TUNNEL];
	out.failed_session = st.setup_failures[STATS_PHASE_SESSION];
	out.failed_ppp_lcp = st.setup_failures[STATS_PHASE_PPP_LCP];
	out.failed_ppp_auth = st.setup_failures[STATS_PHASE_PPP_AUTH];
	out.failed_ppp_ipcp = st.setup_failures[STATS_PHASE_PPP_IPCP];
	out.refused_no_ipsec = st.refused[STATS_REFUSED_NO_IPSEC];
	out.refused_tunnel_limit = st.refused[STATS_REFUSED_TUNNEL_LIMIT];
	out.refused_session_limit = st.refused[STATS_REFUSED_SESSION_LIMIT];
	out.refused_pool_empty = st.refused[STATS_REFUSED_POOL_EMPTY];
	out.packets_dropped = st.packets_dropped;
	out.bytes_in = st.traffic.bytes_in;
	out.bytes_out = st.traffic.bytes_out;
	out.packets_in = st.traffic.packets_in;
	out.packets_out = st.traffic.packets_out;
	radius_to_ctl(&st.radius[STATS_RADIUS_AUTH], &out.radius_auth);
	radius_to_ctl(&st.radius[STATS_RADIUS_ACCT], &out.radius_acct);
	out.acct_queue = st.acct_queue;
	out.pool_used = st.pool_used;
	out.pool_size = st.pool_size;
	out_append(c, &out, sizeof(out));
}

static int32_t run_request(struct client *c, struct ctl_reply *reply)
{
	const struct ctl_request *rq = &c->req;
	struct server *srv = c->ctl->srv;
	struct lns *lns = server_lns(srv);
	uint64_t now = server_now();
	struct list_ctx lc = {
		.c = c, .srv = srv, .lns = lns, .calls = server_calls(srv), .now = now
	};

	switch (rq->command) {
	case CTL_LIST:
		lns_foreach_tunnel(lns, add_tunnel, &lc);
		lc.sessions_pass = true;
		lns_foreach_tunnel(lns, add_tunnel, &lc);
		reply->n_tunnels = lc.n_tunnels;
		reply->n_sessions = lc.n_sessions;
		return 0;
	case CTL_CLOSE_TUNNEL:
		return lns_close_tunnel(lns, now, rq->tunnel_id);
	case CTL_CLOSE_SESSION:
		return lns_close_session(lns, now, rq->tunnel_id, rq->session_id);
	case CTL_SET_ACCM:
		return lns_session_set_accm(lns, now, rq->tunnel_id, rq->session_id, rq->arg[0],
					    rq->arg[1]);
	case CTL_SHUTDOWN:
		server_shutdown(srv);
		return 0;
	case CTL_PPP_EVENT:
		return ppp_event(c);
	case CTL_KILL:
		return kill_matching(&lc, &c->arg.match, reply);
	case CTL_AUTH:
	case CTL_EAP:
		return start_auth(c);
	case CTL_RELOAD: {
		struct ctl_text t = { 0 };
		int r = server_reload(srv, t.text, sizeof(t.text));

		out_append(c, &t, sizeof(t));
		return r;
	}
	case CTL_STATS:
		append_stats(c);
		return 0;
	case CTL_DIAGNOSE:
		return diagnose(c, now);
	}
	return -EOPNOTSUPP;
}

/* Writes the reply header before what run_request appended, and sends it all. */
static void send_reply(struct client *c, struct ctl_reply *reply)
{
	struct lns_counters counters;

	lns_get_counters(server_lns(c->ctl->srv), &counters);
	reply->uptime_ms = (server_now() - c->ctl->started_usec) / 1000;
	reply->tunnels_established = counters.tunnels_established;
	reply->sessions_established = counters.sessions_established;
	reply->packets_dropped = counters.packets_dropped;
	if (server_calls(c->ctl->srv)) {
		reply->pool_in_use = calls_pool_in_use(server_calls(c->ctl->srv));
		reply->pool_size = calls_pool_size(server_calls(c->ctl->srv));
	}
	/* The reply header goes first: records were appended after a gap for it. */
	if (c->out_len >= sizeof(*reply) && !c->failed)
		memcpy(c->out, reply, sizeof(*reply));
	log_msg(LOG_DEBUG, "event=control command=%u status=%d", c->req.command, reply->status);
	sd_event_source_set_io_events(c->source, EPOLLOUT);
}

static void answer(struct client *c)
{
	struct ctl_reply reply = { .magic = CTL_MAGIC };

	if (c->req.magic != CTL_MAGIC || c->req.version != CTL_VERSION)
		reply.status = -EPROTO;
	else
		reply.status = run_request(c, &reply);
	if (reply.status == CTL_PENDING) {
		/* nothing more to read: readable now means the client hung up */
		sd_event_source_set_io_events(c->source, EPOLLIN | EPOLLRDHUP);
		return;
	}
	send_reply(c, &reply);
}

/* How much a request of this command is, with what follows it. */
static size_t request_size(const struct client *c)
{
	if (c->req_len < sizeof(c->req))
		return sizeof(c->req);
	switch (c->req.command) {
	case CTL_PPP_EVENT:
		return sizeof(c->req) + sizeof(c->arg.ppp);
	case CTL_KILL:
		return sizeof(c->req) + sizeof(c->arg.match);
	case CTL_AUTH:
		return sizeof(c->req) + sizeof(c->arg.auth);
	case CTL_EAP:
		return sizeof(c->req) + sizeof(c->arg.eap);
	case CTL_DIAGNOSE:
		return sizeof(c->req) + sizeof(c->arg.peer);
	}
	return sizeof(c->req);
}

/* The next byte of the request (c->req, then c->arg) goes here. */
static uint8_t *request_cursor(struct client *c)
{
	if (c->req_len < sizeof(c->req))
		return (uint8_t *)&c->req + c->req_len;
	return (uint8_t *)&c->arg + (c->req_len - sizeof(c->req));
}

static int on_client(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct client *c = userdata;
	ssize_t n;

	if (c->pending) {
		uint8_t byte;

		n = read(fd, &byte, 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		log_msg(LOG_INFO, "tunnel=%u session=%u event=radius_cancelled reason=\"%s\"",
			c->req.tunnel_id, c->req.session_id,
			n == 0 ? "pppd gave up waiting" : "pppd sent more than its request");
		client_free(c); /* cancels the RADIUS request */
		return 0;
	}
	if (c->req_len < request_size(c)) {
		size_t want = request_size(c) - c->req_len;

		if (c->req_len < sizeof(c->req))
			want = sizeof(c->req) - c->req_len; /* then the size is known */
		n = read(fd, request_cursor(c), want);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			client_free(c); /* closed before a whole request: nothing to answer */
			return 0;
		}
		c->req_len += (size_t)n;
		if (c->req_len == request_size(c)) {
			struct ctl_reply placeholder = { 0 };

			out_append(c, &placeholder, sizeof(placeholder));
			answer(c);
			if (c->failed) {
				client_free(c);
				return 0;
			}
		}
		return 0;
	}
	n = write(fd, c->out + c->out_done, c->out_len - c->out_done);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0 || (c->out_done += (size_t)n) == c->out_len)
		client_free(c);
	return 0;
}

static int on_accept(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct control *ctl = userdata;
	struct client *c;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->ctl = ctl;
	c->fd = cfd;
	if (sd_event_add_io(ctl->event, &c->source, cfd, EPOLLIN, on_client, c) < 0) {
		close(cfd);
		free(c);
	}
	return 0;
}

int control_new(struct control **out, struct server *srv, sd_event *event, const char *path)
{
	struct control *ctl;
	int r;

	*out = NULL;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->srv = srv;
	ctl->event = event;
	ctl->started_usec = server_now();
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	ctl->fd = unix_listen(path, SOCK_STREAM, 16);
	r = ctl->fd;
	if (r >= 0)
		r = sd_event_add_io(event, &ctl->source, ctl->fd, EPOLLIN, on_accept, ctl);
	if (r < 0) {
		log_msg(LOG_ERR, "event=control_failed path=%s error=\"%s\"", path, strerror(-r));
		if (ctl->fd >= 0)
			close(ctl->fd);
		free(ctl);
		return r;
	}
	*out = ctl;
	return 0;
}

struct control *control_free(struct control *ctl)
{
	if (!ctl)
		return NULL;
	sd_event_source_disable_unref(ctl->source);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
	return NULL;
}
