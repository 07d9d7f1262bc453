/*
 * lns: tables of tunnels and sessions, dispatch of received datagrams,
 * limits, and the administrative interface. The state machines are in
 * tunnel.c and session.c. See lns.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <syslog.h>

#include "header.h"
#include "lns_private.h"
#include "log.h"
#include "sockaddr.h"
#include "writer.h"

/* ---- randomness ------------------------------------------------------- */

void lns_random_bytes(uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);

		if (n > 0)
			done += (size_t)n;
		else if (errno != EINTR)
			abort(); /* no entropy at all: nothing secure can be done */
	}
}

/* Ids need to be hard to guess, not secret: xorshift seeded from getrandom. */
uint32_t lns_random_u32(struct lns *lns)
{
	uint64_t x = lns->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	lns->rng = x;
	return (uint32_t)(x >> 16);
}

/* ---- helpers ---------------------------------------------------------- */

void lns_printable(char *dst, size_t dst_len, const struct l2tp_bytes *b)
{
	size_t i, n = 0;

	for (i = 0; b->ptr && i < b->len && n + 1 < dst_len; i++) {
		uint8_t c = b->ptr[i];

		dst[n++] = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? (char)c : '?';
	}
	dst[n] = '\0';
}

void lns_report(struct lns *lns, const struct lns_event *ev)
{
	if (lns->io.event)
		lns->io.event(lns->io_ctx, ev);
}

const struct avp_hiding *lns_hiding(const struct lns *lns, struct avp_hiding *h)
{
	if (!lns->cfg->secret_len)
		return NULL;
	memset(h, 0, sizeof(*h));
	h->secret = lns->cfg->secret;
	h->secret_len = lns->cfg->secret_len;
	return h;
}

void lns_sockaddr_string(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	sockaddr_string(ss, buf, len);
}

/*
 * Whether a datagram from addr is from the tunnel's peer: the same
 * address, port and (the bits io->admit() named of it) mark. The mark
 * tells apart clients behind one NAT, whose L2TP comes from the same
 * address and port through their own IPsec SAs. (Address and mark, any
 * port, are what "a peer" is for the per-peer limit: struct lns_host.)
 */
static bool is_tunnel_peer(const struct tunnel *t, const struct lns_addr *addr)
{
	return sockaddr_same_host_port(&t->addr.peer, &addr->peer) &&
	       (addr->mark & t->addr.mark_mask) == t->addr.mark;
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 16777619u;
	return h;
}

static uint32_t host_hash(const struct sockaddr_storage *a)
{
	uint32_t h = 2166136261u;

	if (a->ss_family == AF_INET)
		return fnv(h, &((const struct sockaddr_in *)a)->sin_addr, 4);
	if (a->ss_family == AF_INET6)
		return fnv(h, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	return h;
}

static unsigned int host_bucket(const struct sockaddr_storage *a)
{
	return host_hash(a) % LNS_PEER_BUCKETS;
}

/* Address, port and the peer's tunnel id: the key of a repeated SCCRQ. */
static unsigned int peer_bucket(const struct sockaddr_storage *a, uint16_t peer_id)
{
	uint16_t port = sockaddr_port(a);
	uint32_t h = fnv(host_hash(a), &port, sizeof(port));

	return fnv(h, &peer_id, sizeof(peer_id)) % LNS_PEER_BUCKETS;
}

static unsigned int session_bucket(uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t k = ((uint32_t)tunnel_id << 16 | session_id) * 2654435761u;

	return (k >> 8) % LNS_SESSION_BUCKETS;
}

/*
 * Anyone can send an SCCRQ: the notices such packets cause are limited to
 * LOG_NOTICES_PER_SECOND, so a flood cannot flood the journal too.
 */
#define LOG_NOTICES_PER_SECOND 20

static bool may_log_notice(struct lns *lns)
{
	if (lns->now - lns->log_window_usec >= 1000000) {
		if (lns->log_suppressed)
			log_msg(LOG_NOTICE, "event=log_suppressed count=%u", lns->log_suppressed);
		lns->log_window_usec = lns->now;
		lns->log_in_window = 0;
		lns->log_suppressed = 0;
	}
	if (lns->log_in_window < LOG_NOTICES_PER_SECOND) {
		lns->log_in_window++;
		return true;
	}
	lns->log_suppressed++;
	return false;
}

/* ---- tables ----------------------------------------------------------- */

struct session *lns_session_find(const struct lns *lns, uint16_t tunnel_id, uint16_t session_id)
{
	struct session *s = lns->sessions[session_bucket(tunnel_id, session_id)];

	while (s && !(s->id == session_id && s->tunnel->id == tunnel_id))
		s = s->hash_next;
	return s;
}

int lns_session_attach(struct lns *lns, struct session *s)
{
	struct tunnel *t = s->tunnel;
	unsigned int b, tries;
	uint16_t id = 0;

	for (tries = 0; tries < 64; tries++) {
		id = (uint16_t)lns_random_u32(lns);
		if (id && !lns_session_find(lns, t->id, id))
			break;
		id = 0;
	}
	if (!id)
		return -EADDRINUSE;
	s->id = id;
	b = session_bucket(t->id, id);
	s->hash_next = lns->sessions[b];
	lns->sessions[b] = s;
	s->prev = NULL;
	s->next = t->sessions;
	if (t->sessions)
		t->sessions->prev = s;
	t->sessions = s;
	t->n_sessions++;
	lns->n_sessions++;
	return 0;
}

void lns_session_detach(struct lns *lns, struct session *s)
{
	struct session **pp = &lns->sessions[session_bucket(s->tunnel->id, s->id)];

	while (*pp && *pp != s)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = s->hash_next;
	if (s->prev)
		s->prev->next = s->next;
	else
		s->tunnel->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->tunnel->n_sessions--;
	lns->n_sessions--;
}

static struct tunnel *find_by_peer(const struct lns *lns, const struct lns_addr *addr,
				   uint16_t peer_id)
{
	struct tunnel *t = lns->by_peer[peer_bucket(&addr->peer, peer_id)];

	while (t && !(t->peer_id == peer_id && is_tunnel_peer(t, addr)))
		t = t->peer_next;
	return t;
}

/* By address and admitted mark (addr's, masked as a tunnel's): the hosts
 * of one address, one per SA behind its NAT, share a bucket. */
static struct lns_host *find_host(const struct lns *lns, const struct lns_addr *addr)
{
	struct lns_host *h = lns->hosts[host_bucket(&addr->peer)];

	while (h && !(h->mark == addr->mark && sockaddr_same_host(&h->addr, &addr->peer)))
		h = h->next;
	return h;
}

static unsigned int tunnels_of_host(const struct lns *lns, const struct lns_addr *addr)
{
	const struct lns_host *h = find_host(lns, addr);

	return h ? h->tunnels : 0;
}

static uint16_t alloc_tunnel_id(struct lns *lns)
{
	for (unsigned int tries = 0; tries < 256; tries++) {
		uint16_t id = (uint16_t)lns_random_u32(lns);

		if (id && !lns->tunnels[id])
			return id;
	}
	for (unsigned int id = 1; id <= UINT16_MAX; id++)
		if (!lns->tunnels[id])
			return (uint16_t)id;
	return 0;
}

static int link_tunnel(struct lns *lns, struct tunnel *t)
{
	struct lns_host *host = find_host(lns, &t->addr);
	unsigned int b;

	if (!host) {
		host = calloc(1, sizeof(*host));
		if (!host)
			return -ENOMEM;
		host->addr = t->addr.peer;
		host->mark = t->addr.mark;
		b = host_bucket(&host->addr);
		host->next = lns->hosts[b];
		lns->hosts[b] = host;
	}
	host->tunnels++;
	t->host = host;
	b = peer_bucket(&t->addr.peer, t->peer_id);
	t->peer_next = lns->by_peer[b];
	lns->by_peer[b] = t;
	lns->tunnels[t->id] = t;
	lns->n_tunnels++;
	return 0;
}

static void unlink_host(struct lns *lns, struct lns_host *host)
{
	struct lns_host **pp = &lns->hosts[host_bucket(&host->addr)];

	if (--host->tunnels)
		return;
	while (*pp && *pp != host)
		pp = &(*pp)->next;
	if (*pp)
		*pp = host->next;
	free(host);
}

static void unlink_tunnel(struct lns *lns, struct tunnel *t)
{
	struct tunnel **pp = &lns->by_peer[peer_bucket(&t->addr.peer, t->peer_id)];

	while (*pp && *pp != t)
		pp = &(*pp)->peer_next;
	if (*pp)
		*pp = t->peer_next;
	unlink_host(lns, t->host);
	lns->tunnels[t->id] = NULL;
	lns->n_tunnels--;
}

/* ---- timers and reaping ---------------------------------------------- */

/*
 * Called after anything touched a tunnel: frees it if its state machine
 * finished with it (never from inside a transport or tunnel callback), or
 * re-arms its timer when the deadline moved.
 */
static void settle(struct lns *lns, struct tunnel *t)
{
	uint64_t deadline;

	if (t->state == TUNNEL_DEAD) {
		if (t->armed_deadline != LNS_NO_DEADLINE)
			lns->io.timer(lns->io_ctx, t->id, LNS_NO_DEADLINE);
		unlink_tunnel(lns, t);
		tunnel_free(t);
		return;
	}
	deadline = tunnel_deadline(t);
	if (deadline != t->armed_deadline) {
		t->armed_deadline = deadline;
		lns->io.timer(lns->io_ctx, t->id, deadline);
	}
}

void lns_timer(struct lns *lns, uint64_t now, uint16_t tunnel_id)
{
	struct tunnel *t = lns->tunnels[tunnel_id];

	lns->now = now;
	if (!t)
		return;
	t->armed_deadline = LNS_NO_DEADLINE; /* the timer fired: it is no longer armed */
	tunnel_timer(t);
	settle(lns, t);
}

/* ---- input ------------------------------------------------------------ */

/*
 * Answers an SCCRQ we will not take with a StopCCN outside of any tunnel
 * (nothing to retransmit it: a repeated SCCRQ gets the answer again).
 */
static void reject_sccrq(struct lns *lns, const struct lns_addr *addr, uint16_t peer_id,
			 uint16_t result, uint16_t error, const char *text)
{
	uint8_t buf[256];
	struct writer w;
	struct l2tp_msg m;
	size_t off;

	l2tp_msg_init(&m, L2TP_MSG_STOPCCN);
	m.assigned_tunnel_id = 0;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m.result_code = result;
	m.has_error_code = error != 0;
	m.error_code = error;
	m.error_message.ptr = (const uint8_t *)text;
	m.error_message.len = (uint16_t)strlen(text);
	l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
	writer_init(&w, buf, sizeof(buf));
	l2tp_control_header_write(&w, peer_id, 0, 0, 1, &off);
	if (l2tp_msg_encode(&w, &m, NULL) && l2tp_header_finish(&w, off))
		lns->io.send(lns->io_ctx, addr, buf, writer_len(&w));
	lns_report(lns, &(struct lns_event){ .kind = LNS_EV_SCCRQ_REJECTED,
					     .peer = &addr->peer,
					     .result = result,
					     .error = error,
					     .text = text });
}

static void log_drop(struct lns *lns, const struct lns_addr *addr, const char *why)
{
	char peer[LNS_PEER_STR_LEN];

	lns->counters.packets_dropped++;
	if (!log_enabled(LOG_DEBUG))
		return;
	lns_sockaddr_string(&addr->peer, peer, sizeof(peer));
	log_msg(LOG_DEBUG, "peer=%s event=drop reason=\"%s\"", peer, why);
}

/* A control message for tunnel id 0: only SCCRQ starts a tunnel. */
static void input_new_tunnel(struct lns *lns, const struct lns_addr *received,
			     const struct l2tp_header *h, const uint8_t *body, size_t len)
{
	struct l2tp_msg *m = malloc(sizeof(*m));
	struct lns_addr a = *received, *addr = &a; /* with the marks admit gives */
	struct lns_admission adm = { 0 };
	struct l2tp_msg_error err;
	struct avp_hiding hiding;
	struct tunnel *t;
	char peer[LNS_PEER_STR_LEN];
	uint16_t id;
	int r;

	/* Nothing is answered to a peer the server must not talk to. */
	if (lns->io.admit && lns->io.admit(lns->io_ctx, received, &adm) < 0) {
		lns->counters.packets_dropped++;
		lns->counters.refused++;
		lns_report(lns, &(struct lns_event){ .kind = LNS_EV_REFUSED,
						     .peer = &addr->peer,
						     .text = "no IPsec SA protects this peer" });
		if (may_log_notice(lns)) {
			lns_sockaddr_string(&addr->peer, peer, sizeof(peer));
			log_msg(LOG_NOTICE, "tunnel=0 peer=%s event=refuse reason=\"no IPsec SA\"",
				peer);
		}
		free(m);
		return;
	}
	a.mark &= adm.mark_mask;
	a.mark_mask = adm.mark_mask;
	a.reply_mark = adm.reply_mark;
	if (!m) {
		log_drop(lns, addr, "out of memory");
		return;
	}
	lns_sockaddr_string(&addr->peer, peer, sizeof(peer));
	r = l2tp_msg_decode(body, len, lns_hiding(lns, &hiding), m, &err);
	if (r == 0 && m->type == L2TP_MSG_STOPCCN) {
		/* A LAC giving up before it learnt our tunnel id (our SCCRP lost) */
		t = find_by_peer(lns, addr, m->assigned_tunnel_id);
		if (t) {
			tunnel_recv(t, h, body, len);
			settle(lns, t);
		} else {
			log_drop(lns, addr, "StopCCN for no tunnel");
		}
		goto out;
	}
	if (r < 0 || m->type != L2TP_MSG_SCCRQ) {
		if (r == -EBADMSG && err.msg_type == L2TP_MSG_SCCRQ &&
		    l2tp_msg_has(m, L2TP_AVP_ASSIGNED_TUNNEL_ID)) {
			if (may_log_notice(lns))
				log_msg(LOG_NOTICE, "tunnel=0 peer=%s event=reject reason=\"%s\"", peer,
				err.text);
			reject_sccrq(lns, addr, m->assigned_tunnel_id, L2TP_STOPCCN_GENERAL_ERROR,
				     err.error_code, err.text);
			lns->counters.packets_dropped++;
		} else {
			log_drop(lns, addr, r < 0 ? "bad message for tunnel 0" : "not an SCCRQ for tunnel 0");
		}
		goto out;
	}
	if (m->assigned_tunnel_id == 0) { /* 0 means "no tunnel yet" (RFC 2661 3.1) */
		if (may_log_notice(lns))
			log_msg(LOG_NOTICE, "tunnel=0 peer=%s event=reject reason=\"%s\"", peer,
				"SCCRQ assigns tunnel id 0");
		reject_sccrq(lns, addr, 0, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE,
			     "Assigned Tunnel ID 0");
		goto out;
	}
	t = find_by_peer(lns, addr, m->assigned_tunnel_id);
	if (t) { /* a repeated SCCRQ: the transport acknowledges it */
		tunnel_recv(t, h, body, len);
		settle(lns, t);
		goto out;
	}
	if (m->protocol_version != 1 || m->protocol_revision != 0) {
		if (may_log_notice(lns))
			log_msg(LOG_NOTICE, "tunnel=0 peer=%s event=reject reason=\"protocol version %u.%u\"",
			peer, m->protocol_version, m->protocol_revision);
		reject_sccrq(lns, addr, m->assigned_tunnel_id, L2TP_STOPCCN_BAD_PROTOCOL_VERSION, 0,
			     "only L2TP version 1.0 (RFC 2661)");
		goto out;
	}
	if (lns->shutting_down) {
		reject_sccrq(lns, addr, m->assigned_tunnel_id, L2TP_STOPCCN_SHUTTING_DOWN, 0,
			     "server is shutting down");
		goto out;
	}
	if ((lns->cfg->max_tunnels && lns->n_tunnels >= lns->cfg->max_tunnels) ||
	    (lns->cfg->max_tunnels_per_peer &&
	     tunnels_of_host(lns, addr) >= lns->cfg->max_tunnels_per_peer)) {
		lns->counters.refused_tunnel_limit++;
		if (may_log_notice(lns))
			log_msg(LOG_WARNING, "tunnel=0 peer=%s event=reject reason=\"tunnel limit\"", peer);
		reject_sccrq(lns, addr, m->assigned_tunnel_id, L2TP_STOPCCN_GENERAL_ERROR,
			     L2TP_ERR_NO_RESOURCES, "tunnel limit reached");
		goto out;
	}
	id = alloc_tunnel_id(lns);
	t = id ? tunnel_new(lns, id, addr, m->assigned_tunnel_id,
			    l2tp_msg_has(m, L2TP_AVP_RECEIVE_WINDOW_SIZE) ? m->receive_window_size : 0)
	       : NULL;
	if (!t) {
		reject_sccrq(lns, addr, m->assigned_tunnel_id, L2TP_STOPCCN_GENERAL_ERROR,
			     L2TP_ERR_NO_RESOURCES, "out of resources");
		goto out;
	}
	if (link_tunnel(lns, t) < 0) {
		tunnel_free(t);
		reject_sccrq(lns, addr, m->assigned_tunnel_id, L2TP_STOPCCN_GENERAL_ERROR,
			     L2TP_ERR_NO_RESOURCES, "out of resources");
		goto out;
	}
	t->armed_deadline = LNS_NO_DEADLINE;
	t->owner = adm.owner;
	tunnel_recv(t, h, body, len);
	settle(lns, t);
out:
	free(m);
}

void lns_input(struct lns *lns, uint64_t now, const struct lns_addr *addr, const uint8_t *pkt,
	       size_t len)
{
	struct l2tp_header h;
	struct tunnel *t;

	lns->now = now;
	if (l2tp_header_parse(pkt, len, &h) < 0) {
		log_drop(lns, addr, "bad header");
		return;
	}
	if (!h.control) {
		/*
		 * The kernel takes the data of the sessions it has; what reaches us
		 * (no data path, or a session not yet or no longer in the kernel)
		 * is dropped.
		 */
		lns->counters.data_packets++;
		return;
	}
	if (h.tunnel_id == 0) {
		input_new_tunnel(lns, addr, &h, pkt + h.payload_offset, h.length - h.payload_offset);
		return;
	}
	t = lns->tunnels[h.tunnel_id];
	if (!t) {
		log_drop(lns, addr, "unknown tunnel");
		return;
	}
	if (!is_tunnel_peer(t, addr)) {
		log_drop(lns, addr, "tunnel belongs to another peer");
		return;
	}
	tunnel_recv(t, &h, pkt + h.payload_offset, h.length - h.payload_offset);
	settle(lns, t);
}

/* ---- administration --------------------------------------------------- */

int lns_close_tunnel(struct lns *lns, uint64_t now, uint16_t tunnel_id)
{
	struct tunnel *t = tunnel_id ? lns->tunnels[tunnel_id] : NULL;

	lns->now = now;
	if (!t)
		return -ENOENT;
	tunnel_set_end(t, LNS_END_ADMIN);
	tunnel_stop(t, L2TP_STOPCCN_GENERAL_CLEAR, 0, "closed by the administrator");
	settle(lns, t);
	return 0;
}

int lns_abort_tunnel(struct lns *lns, uint64_t now, uint16_t tunnel_id, const char *why)
{
	struct tunnel *t = tunnel_id ? lns->tunnels[tunnel_id] : NULL;

	lns->now = now;
	if (!t)
		return -ENOENT;
	tunnel_set_end(t, LNS_END_IPSEC);
	tunnel_abort(t, why);
	settle(lns, t);
	return 0;
}

int lns_tunnel_owner(const struct lns *lns, uint16_t tunnel_id, uint64_t *owner)
{
	const struct tunnel *t = tunnel_id ? lns->tunnels[tunnel_id] : NULL;

	if (!t)
		return -ENOENT;
	*owner = t->owner;
	return 0;
}

int lns_set_tunnel_owner(struct lns *lns, uint16_t tunnel_id, uint64_t owner)
{
	struct tunnel *t = tunnel_id ? lns->tunnels[tunnel_id] : NULL;

	if (!t)
		return -ENOENT;
	t->owner = owner;
	return 0;
}

static int end_session(struct lns *lns, uint64_t now, uint16_t tunnel_id, uint16_t session_id,
		       uint16_t cdn_result, const char *why, enum lns_end end)
{
	struct session *s = lns_session_find(lns, tunnel_id, session_id);
	struct tunnel *t;

	lns->now = now;
	if (!s)
		return -ENOENT;
	t = s->tunnel;
	session_set_end(s, end);
	session_stop(s, cdn_result, 0, why);
	settle(lns, t);
	return 0;
}

int lns_session_ended(struct lns *lns, uint64_t now, uint16_t tunnel_id, uint16_t session_id,
		      uint16_t cdn_result, const char *why)
{
	return end_session(lns, now, tunnel_id, session_id, cdn_result, why, LNS_END_PPP);
}

int lns_close_session(struct lns *lns, uint64_t now, uint16_t tunnel_id, uint16_t session_id)
{
	return end_session(lns, now, tunnel_id, session_id, L2TP_CDN_ADMIN,
			   "closed by the administrator", LNS_END_ADMIN);
}

const char *lns_end_name(enum lns_end end)
{
	switch (end) {
	case LNS_END_ERROR:
		return "error";
	case LNS_END_PEER:
		return "peer";
	case LNS_END_LOST:
		return "lost";
	case LNS_END_ADMIN:
		return "admin";
	case LNS_END_SHUTDOWN:
		return "shutdown";
	case LNS_END_IPSEC:
		return "ipsec";
	case LNS_END_PPP:
		return "ppp";
	}
	return "?";
}

int lns_session_set_accm(struct lns *lns, uint64_t now, uint16_t tunnel_id,
			 uint16_t session_id, uint32_t send_accm, uint32_t recv_accm)
{
	struct session *s = lns_session_find(lns, tunnel_id, session_id);
	struct tunnel *t;
	int r;

	lns->now = now;
	if (!s)
		return -ENOENT;
	t = s->tunnel;
	r = session_send_sli(s, send_accm, recv_accm);
	settle(lns, t);
	return r;
}

void lns_shutdown(struct lns *lns, uint64_t now)
{
	lns->now = now;
	lns->shutting_down = true;
	for (unsigned int id = 1; id <= UINT16_MAX; id++) {
		struct tunnel *t = lns->tunnels[id];

		if (!t)
			continue;
		tunnel_set_end(t, LNS_END_SHUTDOWN);
		tunnel_stop(t, L2TP_STOPCCN_SHUTTING_DOWN, 0, "server is shutting down");
		settle(lns, t);
	}
}

bool lns_is_idle(const struct lns *lns)
{
	for (unsigned int id = 1; id <= UINT16_MAX; id++) {
		const struct tunnel *t = lns->tunnels[id];

		/* STOPPED only holds state to acknowledge repeats: nothing to wait for */
		if (t && t->state != TUNNEL_STOPPED &&
		    (t->state != TUNNEL_STOPPING || !transport_is_idle(t->transport)))
			return false;
	}
	return true;
}

/* ---- lifetime --------------------------------------------------------- */

struct lns *lns_new(const struct l2tpsrv_config *cfg, struct dataplane *dp,
		    const struct lns_io *io, void *io_ctx)
{
	struct lns *lns = calloc(1, sizeof(*lns));

	if (!lns)
		return NULL;
	lns->cfg = cfg;
	lns->dp = dp;
	lns->io = *io;
	lns->io_ctx = io_ctx;
	lns->tcfg = (struct transport_config){
		.receive_window = cfg->receive_window,
		.rto_initial_usec = cfg->retransmit_initial_usec,
		.rto_max_usec = cfg->retransmit_max_usec,
		.max_retransmits = cfg->retransmit_count,
		.ack_delay_usec = cfg->ack_delay_usec,
		.max_queued = 256,
	};
	lns_random_bytes((uint8_t *)&lns->rng, sizeof(lns->rng));
	if (!lns->rng)
		lns->rng = 0x9e3779b97f4a7c15ULL;
	return lns;
}

struct lns *lns_free(struct lns *lns)
{
	if (!lns)
		return NULL;
	for (unsigned int id = 1; id <= UINT16_MAX; id++) {
		struct tunnel *t = lns->tunnels[id];

		if (!t)
			continue;
		t->state = TUNNEL_DEAD;
		settle(lns, t);
	}
	free(lns);
	return NULL;
}

/* ---- inspection ------------------------------------------------------- */

void lns_get_counters(const struct lns *lns, struct lns_counters *c)
{
	*c = lns->counters;
	c->tunnels = lns->n_tunnels;
	c->sessions = lns->n_sessions;
}

void lns_foreach_tunnel(const struct lns *lns,
			bool (*fn)(void *ctx, const struct lns_tunnel_info *info), void *ctx)
{
	for (unsigned int id = 1; id <= UINT16_MAX; id++) {
		const struct tunnel *t = lns->tunnels[id];
		struct lns_tunnel_info info;

		if (!t)
			continue;
		info = (struct lns_tunnel_info){
			.tunnel_id = t->id,
			.peer_tunnel_id = t->peer_id,
			.state = tunnel_state_name(t->state),
			.peer = t->peer_str,
			.peer_addr = &t->addr.peer,
			.owner = t->owner,
			.mark = t->addr.mark,
			.reply_mark = t->addr.reply_mark,
			.host_name = t->host_name,
			.sessions = t->n_sessions,
			.established_usec = t->established_usec,
		};
		transport_get_stats(t->transport, &info.transport);
		if (!fn(ctx, &info))
			return;
	}
}

void lns_foreach_session(const struct lns *lns, uint16_t tunnel_id,
			 bool (*fn)(void *ctx, const struct lns_session_info *info), void *ctx)
{
	const struct tunnel *t = tunnel_id ? lns->tunnels[tunnel_id] : NULL;

	for (const struct session *s = t ? t->sessions : NULL; s; s = s->next) {
		struct lns_session_info info = {
			.tunnel_id = t->id,
			.session_id = s->id,
			.peer_session_id = s->peer_id,
			.state = session_state_name(s->state),
			.call_serial_number = s->call_serial_number,
			.calling_number = s->calling_number,
			.called_number = s->called_number,
			.tx_connect_speed = s->tx_connect_speed,
			.send_accm = s->send_accm,
			.recv_accm = s->recv_accm,
			.wen_count = s->wen_count,
			.established_usec = s->established_usec,
		};

		info.errors.crc_errors = s->errors.crc_errors;
		info.errors.framing_errors = s->errors.framing_errors;
		info.errors.hardware_overruns = s->errors.hardware_overruns;
		info.errors.buffer_overruns = s->errors.buffer_overruns;
		info.errors.timeout_errors = s->errors.timeout_errors;
		info.errors.alignment_errors = s->errors.alignment_errors;
		if (!fn(ctx, &info))
			return;
	}
}

void lns_addr_string(const struct lns_addr *addr, char *buf, size_t len)
{
	lns_sockaddr_string(&addr->peer, buf, len);
}
