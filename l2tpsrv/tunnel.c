/*
 * tunnel: the control connection state machine of the LNS (RFC 2661
 * sections 5.1, 5.7 and 7.2), on top of the reliable transport.
 *
 *   IDLE --SCCRQ/SCCRP--> WAIT_CTL_CONN --SCCCN--> ESTABLISHED
 *   any --StopCCN received--> STOPPED --hold time--> DEAD
 *   any --failure or close, StopCCN sent--> STOPPING --acked or hold time--> DEAD
 *   any --peer stops acknowledging--> DEAD
 *
 * Every failure goes through tunnel_stop(). DEAD tunnels are freed by
 * lns.c once no callback is running.
 */
#include <errno.h>
#include <md5.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "lns_private.h"
#include "log.h"
#include "writer.h"

#define OUR_VENDOR_NAME "l2tpsrv"
#define OUR_FIRMWARE_REVISION 0x0010 /* 0.1 */

static const char *const state_names[] = {
	[TUNNEL_IDLE] = "idle",
	[TUNNEL_WAIT_CTL_CONN] = "wait-ctl-conn",
	[TUNNEL_ESTABLISHED] = "established",
	[TUNNEL_STOPPING] = "stopping",
	[TUNNEL_STOPPED] = "stopped",
	[TUNNEL_DEAD] = "dead",
};

const char *tunnel_state_name(enum tunnel_state s)
{
	return s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

static bool is_closing(const struct tunnel *t)
{
	return t->state == TUNNEL_STOPPING || t->state == TUNNEL_STOPPED ||
	       t->state == TUNNEL_DEAD;
}

/* Challenge Response: MD5(message type octet || secret || challenge), 4.4.3. */
static void challenge_response(const struct lns *lns, uint8_t msg_type, const uint8_t *challenge,
			       size_t len, uint8_t out[16])
{
	MD5_CTX ctx;

	MD5Init(&ctx);
	MD5Update(&ctx, &msg_type, 1);
	MD5Update(&ctx, lns->cfg->secret, lns->cfg->secret_len);
	MD5Update(&ctx, challenge, len);
	MD5Final(out, &ctx);
}

static bool equal_in_constant_time(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* Tunnel teardown on our side: sessions and data path go, no CDNs (StopCCN covers them). */
static void drop_sessions_and_data_path(struct tunnel *t)
{
	struct lns *lns = t->lns;

	while (t->sessions)
		session_free(t->sessions);
	if (t->dp_added) {
		lns->dp->ops->tunnel_del(lns->dp, t->id);
		t->dp_added = false;
	}
	if (t->has_socket) {
		lns->io.tunnel_socket_close(lns->io_ctx, t->id);
		t->has_socket = false;
	}
}

/* The kernel's data path reads the tunnel's own socket: open it first. */
static int open_tunnel_socket(struct tunnel *t)
{
	struct lns *lns = t->lns;
	int fd;

	if (!lns->dp->ops->wants_tunnel_socket)
		return -1;
	fd = lns->io.tunnel_socket_open(lns->io_ctx, t->id, &t->addr);
	if (fd >= 0)
		t->has_socket = true;
	return fd;
}

int tunnel_send(struct tunnel *t, uint16_t session_id, const struct l2tp_msg *m)
{
	const struct l2tpsrv_config *cfg = t->lns->cfg;
	uint8_t body[L2TP_MAX_PACKET];
	uint8_t rv[L2TP_RANDOM_VECTOR_LEN];
	struct avp_hiding hiding, *h = NULL;
	struct writer w;
	int r;

	/*
	 * SCCRP stays in clear: a LAC that keys its secrets by host name learns
	 * ours from this very message, so it can unhide AVPs only from the next
	 * one on (xl2tpd 1.3 fails the tunnel otherwise).
	 */
	if (cfg->hide_avps && cfg->secret_len && m->type != L2TP_MSG_SCCRP) {
		lns_random_bytes(rv, sizeof(rv));
		hiding = (struct avp_hiding){ .secret = cfg->secret,
					      .secret_len = cfg->secret_len,
					      .random_vector = rv,
					      .random_vector_len = sizeof(rv) };
		h = &hiding;
	}
	writer_init(&w, body, sizeof(body));
	if (!l2tp_msg_encode(&w, m, h))
		return -EMSGSIZE;
	r = transport_send(t->transport, t->lns->now, session_id, body, writer_len(&w));
	if (r < 0)
		log_msg(LOG_WARNING, "tunnel=%u peer=%s event=send_failed msg=%s error=%d", t->id,
			t->peer_str, l2tp_msg_type_name(m->type), r);
	return r;
}

/* The tunnel is ending: counted as a failed setup when it never got its SCCCN. */
static void count_failed_setup(const struct tunnel *t)
{
	if (t->state == TUNNEL_IDLE || t->state == TUNNEL_WAIT_CTL_CONN)
		t->lns->counters.tunnels_failed++;
}

void tunnel_set_end(struct tunnel *t, enum lns_end end)
{
	if (t->end_set)
		return;
	t->end = end;
	t->end_set = true;
}

void tunnel_stop(struct tunnel *t, uint16_t result, uint16_t error, const char *text)
{
	struct l2tp_msg m;

	if (is_closing(t))
		return;
	log_msg(LOG_NOTICE,
		"tunnel=%u peer=%s event=stop state=%s result=%u error=%u sessions=%u reason=\"%s\"",
		t->id, t->peer_str, tunnel_state_name(t->state), result, error, t->n_sessions,
		text);
	count_failed_setup(t);
	lns_report(t->lns, &(struct lns_event){ .kind = LNS_EV_TUNNEL_STOP,
						.peer = &t->addr.peer,
						.tunnel_id = t->id,
						.result = result,
						.error = error,
						.established = t->state == TUNNEL_ESTABLISHED,
						.text = text });
	drop_sessions_and_data_path(t);
	l2tp_msg_init(&m, L2TP_MSG_STOPCCN);
	m.assigned_tunnel_id = t->id;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m.result_code = result;
	m.has_error_code = error != 0;
	m.error_code = error;
	m.error_message.ptr = (const uint8_t *)text;
	m.error_message.len = (uint16_t)strnlen(text, 255);
	l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
	tunnel_send(t, 0, &m);
	t->state = TUNNEL_STOPPING;
	t->hold_until_usec = t->lns->now + transport_give_up_usec(&t->lns->tcfg);
}

void tunnel_abort(struct tunnel *t, const char *text)
{
	/* what is unacknowledged will never be: make room for the StopCCN to leave now */
	if (!is_closing(t))
		transport_abandon(t->transport);
	tunnel_stop(t, L2TP_STOPCCN_GENERAL_CLEAR, 0, text);
	drop_sessions_and_data_path(t); /* already done unless it was closing */
	t->state = TUNNEL_DEAD;
}

/* The one failure path for a message that makes no sense now. */
static void fsm_error(struct tunnel *t, const struct l2tp_msg *m)
{
	char text[96];

	snprintf(text, sizeof(text), "received %s in state %s", l2tp_msg_type_name(m->type),
		 tunnel_state_name(t->state));
	tunnel_stop(t, L2TP_STOPCCN_FSM_ERROR, 0, text);
}

static void on_sccrq(struct tunnel *t, const struct l2tp_msg *rq)
{
	struct lns *lns = t->lns;
	struct l2tp_msg m;

	lns_printable(t->host_name, sizeof(t->host_name), &rq->host_name);
	log_msg(LOG_INFO, "tunnel=%u peer=%s event=sccrq peer_tunnel=%u host=\"%s\" window=%u",
		t->id, t->peer_str, t->peer_id, t->host_name, rq->receive_window_size);
	lns_report(lns, &(struct lns_event){ .kind = LNS_EV_SCCRQ,
					     .peer = &t->addr.peer,
					     .tunnel_id = t->id,
					     .text = t->host_name });
	if (l2tp_msg_has(rq, L2TP_AVP_CHALLENGE) && !lns->cfg->secret_len) {
		tunnel_stop(t, L2TP_STOPCCN_NOT_AUTHORIZED, 0,
			    "peer asks for tunnel authentication; no secret is configured");
		return;
	}
	l2tp_msg_init(&m, L2TP_MSG_SCCRP);
	m.protocol_version = 1;
	m.protocol_revision = 0;
	l2tp_msg_set(&m, L2TP_AVP_PROTOCOL_VERSION);
	m.framing_capabilities = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	l2tp_msg_set(&m, L2TP_AVP_FRAMING_CAPABILITIES);
	m.host_name.ptr = (const uint8_t *)lns->cfg->host_name;
	m.host_name.len = (uint16_t)strlen(lns->cfg->host_name);
	l2tp_msg_set(&m, L2TP_AVP_HOST_NAME);
	m.vendor_name.ptr = (const uint8_t *)OUR_VENDOR_NAME;
	m.vendor_name.len = sizeof(OUR_VENDOR_NAME) - 1;
	l2tp_msg_set(&m, L2TP_AVP_VENDOR_NAME);
	m.firmware_revision = OUR_FIRMWARE_REVISION;
	l2tp_msg_set(&m, L2TP_AVP_FIRMWARE_REVISION);
	m.assigned_tunnel_id = t->id;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m.receive_window_size = lns->cfg->receive_window;
	l2tp_msg_set(&m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	if (lns->cfg->secret_len) {
		lns_random_bytes(t->challenge, sizeof(t->challenge));
		t->challenged = true;
		m.challenge.ptr = t->challenge;
		m.challenge.len = sizeof(t->challenge);
		l2tp_msg_set(&m, L2TP_AVP_CHALLENGE);
	}
	if (l2tp_msg_has(rq, L2TP_AVP_CHALLENGE)) {
		challenge_response(lns, L2TP_MSG_SCCRP, rq->challenge.ptr, rq->challenge.len,
				   m.challenge_response);
		l2tp_msg_set(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	}
	t->state = TUNNEL_WAIT_CTL_CONN;
	tunnel_send(t, 0, &m);
}

static void on_scccn(struct tunnel *t, const struct l2tp_msg *m)
{
	struct lns *lns = t->lns;
	uint8_t want[16];
	struct dp_tunnel dpt = {
		.tunnel_id = t->id,
		.peer_tunnel_id = t->peer_id,
		.peer = (const struct sockaddr *)&t->addr.peer,
		.peer_len = t->addr.peer_len,
		.local = (const struct sockaddr *)&t->addr.local,
		.local_len = t->addr.local_len,
		.mark = t->addr.mark,
		.mark_mask = t->addr.mark_mask,
	};
	int r;

	if (t->challenged) {
		challenge_response(lns, L2TP_MSG_SCCCN, t->challenge, sizeof(t->challenge), want);
		if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE) ||
		    !equal_in_constant_time(want, m->challenge_response, sizeof(want))) {
			tunnel_stop(t, L2TP_STOPCCN_NOT_AUTHORIZED, 0,
				    l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE)
					    ? "wrong challenge response: secrets differ"
					    : "no challenge response: peer has no secret");
			return;
		}
	}
	dpt.fd = open_tunnel_socket(t);
	r = lns->dp->ops->wants_tunnel_socket && dpt.fd < 0 ? dpt.fd
							   : lns->dp->ops->tunnel_add(lns->dp, &dpt);
	if (r < 0) {
		log_msg(LOG_ERR, "tunnel=%u peer=%s event=data_path_failed error=\"%s\"", t->id,
			t->peer_str, strerror(-r));
		tunnel_stop(t, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			    "cannot set up the data path");
		return;
	}
	t->dp_added = true;
	t->state = TUNNEL_ESTABLISHED;
	t->established_usec = lns->now;
	lns->counters.tunnels_established++;
	log_msg(LOG_INFO, "tunnel=%u peer=%s event=established peer_tunnel=%u host=\"%s\" auth=%s",
		t->id, t->peer_str, t->peer_id, t->host_name, t->challenged ? "secret" : "none");
	lns_report(lns, &(struct lns_event){ .kind = LNS_EV_TUNNEL_UP,
					     .peer = &t->addr.peer,
					     .tunnel_id = t->id,
					     .authenticated = t->challenged,
					     .text = t->host_name });
}

static void on_stopccn(struct tunnel *t, const struct l2tp_msg *m)
{
	char text[128];

	lns_printable(text, sizeof(text), &m->error_message);
	log_msg(LOG_NOTICE,
		"tunnel=%u peer=%s event=stopped_by_peer state=%s result=%u error=%u sessions=%u message=\"%s\"",
		t->id, t->peer_str, tunnel_state_name(t->state), m->result_code, m->error_code,
		t->n_sessions, text);
	lns_report(t->lns, &(struct lns_event){ .kind = LNS_EV_TUNNEL_STOPPED,
						.peer = &t->addr.peer,
						.tunnel_id = t->id,
						.result = m->result_code,
						.error = m->error_code,
						.established = t->state == TUNNEL_ESTABLISHED,
						.text = text });
	tunnel_set_end(t, LNS_END_PEER);
	count_failed_setup(t);
	drop_sessions_and_data_path(t);
	transport_abandon(t->transport);
	t->state = TUNNEL_STOPPED;
	t->hold_until_usec = t->lns->now + transport_give_up_usec(&t->lns->tcfg);
}

static void on_tunnel_message(struct tunnel *t, const struct l2tp_msg *m)
{
	switch (m->type) {
	case L2TP_MSG_SCCRQ:
		if (t->state != TUNNEL_IDLE)
			break;
		on_sccrq(t, m);
		return;
	case L2TP_MSG_SCCCN:
		if (t->state != TUNNEL_WAIT_CTL_CONN)
			break;
		on_scccn(t, m);
		return;
	case L2TP_MSG_STOPCCN:
		on_stopccn(t, m);
		return;
	case L2TP_MSG_HELLO:
		if (t->state != TUNNEL_ESTABLISHED)
			break;
		return; /* the transport acknowledges it; that is all */
	}
	fsm_error(t, m);
}

/* transport callback: one in-order control message. Must not free t. */
static void deliver(void *ctx, uint16_t session_id, const uint8_t *body, size_t len)
{
	struct tunnel *t = ctx;
	struct l2tp_msg_error err;
	struct avp_hiding hiding;
	struct l2tp_msg *m = malloc(sizeof(*m));
	int r;

	if (!m) {
		tunnel_stop(t, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES, "out of memory");
		return;
	}
	r = l2tp_msg_decode(body, len, lns_hiding(t->lns, &hiding), m, &err);
	if (is_closing(t)) {
		/* only acknowledgements now; the transport has done that */
	} else if (r == -EOPNOTSUPP) {
		log_msg(LOG_DEBUG, "tunnel=%u peer=%s event=ignored reason=\"%s\"", t->id,
			t->peer_str, "unknown optional message type");
	} else if (r < 0) {
		log_msg(LOG_NOTICE, "tunnel=%u session=%u peer=%s event=bad_message msg=%s reason=\"%s\"",
			t->id, session_id, t->peer_str, l2tp_msg_type_name(err.msg_type), err.text);
		if (!l2tp_msg_is_session_level(err.msg_type))
			tunnel_stop(t, L2TP_STOPCCN_GENERAL_ERROR, err.error_code, err.text);
		else
			session_recv_bad(t, session_id, m, &err);
	} else if (l2tp_msg_is_tunnel_level(m->type)) {
		on_tunnel_message(t, m);
	} else if (t->state != TUNNEL_ESTABLISHED) {
		fsm_error(t, m);
	} else {
		session_recv(t, session_id, m);
	}
	free(m);
}

/* transport callback: the peer stopped acknowledging. Must not free t. */
static void peer_gone(void *ctx)
{
	struct tunnel *t = ctx;

	if (t->state != TUNNEL_STOPPING && t->state != TUNNEL_STOPPED) {
		log_msg(LOG_NOTICE, "tunnel=%u peer=%s event=peer_gone state=%s sessions=%u", t->id,
			t->peer_str, tunnel_state_name(t->state), t->n_sessions);
		lns_report(t->lns,
			   &(struct lns_event){ .kind = LNS_EV_TUNNEL_LOST,
						.peer = &t->addr.peer,
						.tunnel_id = t->id,
						.established = t->state == TUNNEL_ESTABLISHED,
						.text = "the peer stopped acknowledging" });
	}
	tunnel_set_end(t, LNS_END_LOST);
	count_failed_setup(t);
	drop_sessions_and_data_path(t);
	t->state = TUNNEL_DEAD;
}

static void send_datagram(void *ctx, const uint8_t *pkt, size_t len)
{
	struct tunnel *t = ctx;

	if (t->has_socket && t->lns->io.tunnel_send)
		t->lns->io.tunnel_send(t->lns->io_ctx, t->id, &t->addr, pkt, len);
	else
		t->lns->io.send(t->lns->io_ctx, &t->addr, pkt, len);
}

static const struct transport_ops transport_ops = {
	.send = send_datagram,
	.deliver = deliver,
	.failed = peer_gone,
};

/*
 * Our StopCCN was acknowledged and we owe no acknowledgement ourselves:
 * nothing is left to hold.
 */
static void finish_stopping(struct tunnel *t)
{
	if (t->state == TUNNEL_STOPPING && transport_is_idle(t->transport) &&
	    transport_next_deadline(t->transport) == TRANSPORT_NO_DEADLINE)
		t->state = TUNNEL_DEAD;
}

void tunnel_recv(struct tunnel *t, const struct l2tp_header *h, const uint8_t *body, size_t len)
{
	if (t->state == TUNNEL_DEAD)
		return;
	t->last_rx_usec = t->lns->now;
	transport_recv(t->transport, t->lns->now, h, body, len);
	finish_stopping(t);
}

static void send_hello(struct tunnel *t)
{
	struct l2tp_msg m;

	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	log_msg(LOG_DEBUG, "tunnel=%u peer=%s event=hello", t->id, t->peer_str);
	tunnel_send(t, 0, &m);
	t->last_rx_usec = t->lns->now; /* next HELLO one interval from now */
}

static uint64_t hello_deadline(const struct tunnel *t)
{
	uint64_t interval = t->lns->cfg->hello_interval_usec;

	return interval ? t->last_rx_usec + interval : LNS_NO_DEADLINE;
}

static uint64_t state_deadline(const struct tunnel *t)
{
	const struct lns *lns = t->lns;

	switch (t->state) {
	case TUNNEL_IDLE:
	case TUNNEL_WAIT_CTL_CONN:
		return t->last_rx_usec + transport_give_up_usec(&lns->tcfg);
	case TUNNEL_ESTABLISHED: {
		uint64_t hello = hello_deadline(t), calls = session_waiting_deadline(t);

		return hello < calls ? hello : calls;
	}
	case TUNNEL_STOPPING:
	case TUNNEL_STOPPED:
		return t->hold_until_usec;
	case TUNNEL_DEAD:
		break;
	}
	return LNS_NO_DEADLINE;
}

uint64_t tunnel_deadline(const struct tunnel *t)
{
	uint64_t a = transport_next_deadline(t->transport), b = state_deadline(t);

	return a < b ? a : b;
}

void tunnel_timer(struct tunnel *t)
{
	uint64_t now = t->lns->now;

	transport_tick(t->transport, now);
	finish_stopping(t);
	if (t->state == TUNNEL_DEAD || now < state_deadline(t))
		return;
	switch (t->state) {
	case TUNNEL_IDLE:
	case TUNNEL_WAIT_CTL_CONN:
		tunnel_stop(t, L2TP_STOPCCN_GENERAL_ERROR, 0, "no SCCCN from the peer");
		break;
	case TUNNEL_ESTABLISHED:
		session_expire_waiting(t);
		if (now >= hello_deadline(t))
			send_hello(t);
		break;
	case TUNNEL_STOPPING:
	case TUNNEL_STOPPED:
		t->state = TUNNEL_DEAD;
		break;
	case TUNNEL_DEAD:
		break;
	}
}

struct tunnel *tunnel_new(struct lns *lns, uint16_t id, const struct lns_addr *addr,
			  uint16_t peer_id, uint16_t peer_window)
{
	struct tunnel *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->lns = lns;
	t->id = id;
	t->peer_id = peer_id;
	t->addr = *addr;
	t->state = TUNNEL_IDLE;
	t->last_rx_usec = lns->now;
	t->armed_deadline = LNS_NO_DEADLINE;
	lns_addr_string(addr, t->peer_str, sizeof(t->peer_str));
	t->transport = transport_new(&lns->tcfg, &transport_ops, t);
	if (!t->transport) {
		free(t);
		return NULL;
	}
	transport_set_peer(t->transport, peer_id, peer_window);
	return t;
}

void tunnel_free(struct tunnel *t)
{
	if (!t)
		return;
	drop_sessions_and_data_path(t);
	log_msg(LOG_DEBUG, "tunnel=%u peer=%s event=freed", t->id, t->peer_str);
	transport_free(t->transport);
	free(t);
}
