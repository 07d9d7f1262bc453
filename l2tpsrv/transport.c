/*
 * transport: reliable delivery of control messages on one tunnel; see
 * transport.h. RFC 2661 section 5.8 (Ns, Nr, ZLB, retransmission) and
 * Appendix A (slow start and congestion avoidance).
 *
 * What we send lives in one singly linked list in Ns order: first the
 * messages in flight (sent, unacknowledged), then those waiting for the
 * window. Each is one allocation of header and body; the header is
 * rewritten on every transmission so that it carries the current Nr and
 * peer tunnel id. What arrives ahead of a gap waits in a second list,
 * sorted by Ns. An idle tunnel holds no allocation besides the struct.
 *
 * Acknowledgements: a message received in order arms a delayed ZLB
 * (ack_delay_usec) that anything we send before then makes unnecessary.
 * A duplicate or a message ahead of a gap is acknowledged at once, by a
 * ZLB sent from transport_recv() unless a message waiting for the window
 * went out and carried the Nr.
 *
 * Callbacks (ops) must not free the transport: the owner frees it outside
 * of any transport call. deliver() may call transport_send(); send() must
 * not call back into the transport.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "transport.h"
#include "writer.h"

/* RFC 2661 5.8: without a Receive Window Size AVP the peer's window is 4. */
#define PEER_WINDOW_DEFAULT 4
/* Serial arithmetic orders only numbers less than half the space apart. */
#define WINDOW_MAX 0x7fff
#define BODY_MAX (L2TP_MAX_PACKET - L2TP_CONTROL_HEADER_LEN)

/* One message to send: header (rewritten per transmission) and body. */
struct tx_msg {
	struct tx_msg *next;
	uint16_t ns; /* valid once sent */
	uint16_t session_id;
	uint16_t len; /* header and body */
	uint8_t pkt[];
};

/* One message received ahead of a gap. */
struct rx_msg {
	struct rx_msg *next;
	uint16_t ns;
	uint16_t session_id;
	size_t len;
	uint8_t body[];
};

struct transport {
	struct transport_config cfg;
	struct transport_ops ops;
	void *ctx;
	uint16_t peer_tunnel_id;
	bool ack_pending;      /* the peer has not been sent our current Nr */
	bool failed;
	uint16_t ca_acks;      /* acknowledgements counted in congestion avoidance */
	unsigned int retries;  /* retransmissions of the oldest unacked message */
	uint64_t rto;          /* the current retransmission timeout */
	uint64_t rtx_deadline;
	uint64_t ack_deadline; /* of the delayed ZLB */
	struct tx_msg *tx_head; /* oldest unacked, or first waiting */
	struct tx_msg *tx_tail;
	struct tx_msg *tx_waiting; /* first not yet sent */
	struct rx_msg *rx_ahead;   /* ascending Ns, all after Nr */
	struct transport_stats st;
};

/* RFC 1982 serial arithmetic on 16 bits: a comes before b. */
static inline bool seq_before(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b) < 0;
}

/* Saturates: a deadline past the end of time is no deadline. */
static uint64_t add_usec(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The timeout after rto: doubled, capped at rto_max_usec. */
static uint64_t rto_next(const struct transport_config *cfg, uint64_t rto)
{
	return rto > cfg->rto_max_usec / 2 ? cfg->rto_max_usec : rto * 2;
}

static bool window_open(const struct transport *t)
{
	uint16_t w = t->st.cwnd < t->st.peer_window ? t->st.cwnd : t->st.peer_window;

	return t->st.unacked < w;
}

/* Writes the header in front of len - 12 octets of body, and sends. */
static void send_packet(struct transport *t, uint8_t *pkt, size_t len, uint16_t session_id,
			uint16_t ns)
{
	struct writer w;
	size_t length_off, body_off;

	writer_init(&w, pkt, len);
	l2tp_control_header_write(&w, t->peer_tunnel_id, session_id, ns, t->st.nr, &length_off);
	writer_reserve(&w, len - L2TP_CONTROL_HEADER_LEN, &body_off);
	if (!l2tp_header_finish(&w, length_off))
		return; /* cannot happen: transport_send() checked the size */
	t->ack_pending = false;
	t->ack_deadline = TRANSPORT_NO_DEADLINE;
	t->ops.send(t->ctx, pkt, len);
}

static void transmit(struct transport *t, struct tx_msg *m)
{
	send_packet(t, m->pkt, m->len, m->session_id, m->ns);
}

/* A ZLB carries the next Ns without taking it (RFC 2661 5.8). */
static void send_zlb(struct transport *t)
{
	uint8_t pkt[L2TP_CONTROL_HEADER_LEN];

	t->st.zlb_sent++;
	send_packet(t, pkt, sizeof(pkt), 0, t->st.ns);
}

/* Sends what waits, in order, while the window allows. */
static void pump(struct transport *t, uint64_t now)
{
	while (t->tx_waiting && window_open(t)) {
		struct tx_msg *m = t->tx_waiting;

		t->tx_waiting = m->next;
		t->st.queued--;
		m->ns = t->st.ns++;
		t->st.unacked++;
		t->st.sent++;
		if (t->st.unacked == 1)
			t->rtx_deadline = add_usec(now, t->rto);
		transmit(t, m);
	}
}

static void append(struct transport *t, struct tx_msg *m)
{
	if (t->tx_tail)
		t->tx_tail->next = m;
	else
		t->tx_head = m;
	t->tx_tail = m;
	if (!t->tx_waiting)
		t->tx_waiting = m;
	t->st.queued++;
}

static void free_oldest(struct transport *t)
{
	struct tx_msg *m = t->tx_head;

	t->tx_head = m->next;
	if (!t->tx_head)
		t->tx_tail = NULL;
	t->st.unacked--;
	free(m);
}

/* Appendix A: slow start below ssthresh, then one more per window of acks. */
static void open_cwnd(struct transport *t)
{
	if (t->st.cwnd >= t->st.peer_window)
		return;
	if (t->st.cwnd < t->st.ssthresh) {
		t->st.cwnd++;
		return;
	}
	if (++t->ca_acks >= t->st.cwnd) {
		t->st.cwnd++;
		t->ca_acks = 0;
	}
}

/* Frees what Nr acknowledges; an Nr beyond what we sent is ignored. */
static void process_nr(struct transport *t, uint64_t now, uint16_t nr)
{
	unsigned int acked = 0;

	if (seq_before(t->st.ns, nr))
		return;
	while (t->st.unacked && seq_before(t->tx_head->ns, nr)) {
		free_oldest(t);
		open_cwnd(t);
		acked++;
	}
	if (!acked)
		return;
	t->retries = 0;
	t->rto = t->cfg.rto_initial_usec;
	t->rtx_deadline = t->st.unacked ? add_usec(now, t->rto) : TRANSPORT_NO_DEADLINE;
}

static void deliver(struct transport *t, uint16_t session_id, const uint8_t *body, size_t len)
{
	t->st.delivered++;
	t->ops.deliver(t->ctx, session_id, body, len);
}

/*
 * Nr moves before deliver() so that an answer sent from it carries the
 * acknowledgement; then whatever waited behind the gap follows.
 */
static void accept_in_order(struct transport *t, uint16_t session_id, const uint8_t *body,
			    size_t len)
{
	t->st.nr++;
	t->ack_pending = true;
	deliver(t, session_id, body, len);
	while (t->rx_ahead && t->rx_ahead->ns == t->st.nr) {
		struct rx_msg *m = t->rx_ahead;

		t->rx_ahead = m->next;
		t->st.nr++;
		t->ack_pending = true;
		deliver(t, m->session_id, m->body, m->len);
		free(m);
	}
}

/* Keeps one copy of a message ahead of a gap, in Ns order. */
static void queue_ahead(struct transport *t, const struct l2tp_header *h, const uint8_t *body,
			size_t len)
{
	struct rx_msg **p = &t->rx_ahead;
	struct rx_msg *m;

	while (*p && seq_before((*p)->ns, h->ns))
		p = &(*p)->next;
	if (*p && (*p)->ns == h->ns) {
		t->st.duplicates++;
		return;
	}
	m = malloc(sizeof(*m) + len);
	if (!m)
		return; /* as if lost: the peer retransmits */
	m->ns = h->ns;
	m->session_id = h->session_id;
	m->len = len;
	if (len)
		memcpy(m->body, body, len);
	m->next = *p;
	*p = m;
	t->st.out_of_order++;
}

/* Handles a message by its Ns. Returns true when it wants a prompt ack. */
static bool process_ns(struct transport *t, const struct l2tp_header *h, const uint8_t *body,
		       size_t len)
{
	uint16_t ahead = (uint16_t)(h->ns - t->st.nr);

	if (ahead == 0) {
		accept_in_order(t, h->session_id, body, len);
		return false;
	}
	if (seq_before(h->ns, t->st.nr)) {
		/* our ack was lost: say again what we have */
		t->st.duplicates++;
		t->ack_pending = true;
		return true;
	}
	if (ahead >= t->cfg.receive_window) {
		t->st.out_of_window++;
		return false;
	}
	queue_ahead(t, h, body, len);
	t->ack_pending = true;
	return true;
}

void transport_recv(struct transport *t, uint64_t now, const struct l2tp_header *h,
		    const uint8_t *body, size_t len)
{
	bool prompt;

	if (t->failed)
		return;
	process_nr(t, now, h->nr);
	if (len == 0) {
		t->st.zlb_received++;
		pump(t, now);
		return;
	}
	prompt = process_ns(t, h, body, len);
	pump(t, now);
	if (!t->ack_pending)
		return;
	if (prompt || t->cfg.ack_delay_usec == 0)
		send_zlb(t);
	else if (t->ack_deadline == TRANSPORT_NO_DEADLINE)
		t->ack_deadline = add_usec(now, t->cfg.ack_delay_usec);
}

int transport_send(struct transport *t, uint64_t now, uint16_t session_id, const uint8_t *body,
		   size_t len)
{
	struct tx_msg *m;

	if (len > BODY_MAX)
		return -EMSGSIZE;
	if (t->failed)
		return -ENOTCONN;
	if ((t->tx_waiting || !window_open(t)) && t->st.queued >= t->cfg.max_queued)
		return -ENOBUFS;
	m = malloc(sizeof(*m) + L2TP_CONTROL_HEADER_LEN + len);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->ns = 0;
	m->session_id = session_id;
	m->len = (uint16_t)(L2TP_CONTROL_HEADER_LEN + len);
	if (len)
		memcpy(m->pkt + L2TP_CONTROL_HEADER_LEN, body, len);
	append(t, m);
	pump(t, now);
	return 0;
}

static void fail(struct transport *t)
{
	t->failed = true;
	t->rtx_deadline = TRANSPORT_NO_DEADLINE;
	t->ack_deadline = TRANSPORT_NO_DEADLINE;
	t->ops.failed(t->ctx);
}

/*
 * Appendix A: a timeout halves ssthresh and closes cwnd to one, so only
 * the oldest message goes again; the peer keeps what followed it within
 * its window, and its next Nr acknowledges all of that at once.
 */
static void retransmit_timeout(struct transport *t, uint64_t now)
{
	if (t->retries >= t->cfg.max_retransmits) {
		fail(t);
		return;
	}
	t->retries++;
	t->st.ssthresh = t->st.cwnd / 2 > 1 ? t->st.cwnd / 2 : 1;
	t->st.cwnd = 1;
	t->ca_acks = 0;
	t->rto = rto_next(&t->cfg, t->rto);
	t->rtx_deadline = add_usec(now, t->rto);
	t->st.retransmitted++;
	transmit(t, t->tx_head);
}

void transport_tick(struct transport *t, uint64_t now)
{
	if (t->failed)
		return;
	if (t->rtx_deadline <= now)
		retransmit_timeout(t, now);
	if (!t->failed && t->ack_deadline <= now)
		send_zlb(t);
}

uint64_t transport_next_deadline(const struct transport *t)
{
	if (t->failed)
		return TRANSPORT_NO_DEADLINE;
	return min_u64(t->rtx_deadline, t->ack_deadline);
}

struct transport *transport_new(const struct transport_config *cfg,
				const struct transport_ops *ops, void *ctx)
{
	struct transport *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.receive_window == 0)
		t->cfg.receive_window = 1;
	if (t->cfg.receive_window > WINDOW_MAX)
		t->cfg.receive_window = WINDOW_MAX;
	if (t->cfg.max_queued > UINT16_MAX) /* counted in a uint16_t */
		t->cfg.max_queued = UINT16_MAX;
	t->ops = *ops;
	t->ctx = ctx;
	t->rto = cfg->rto_initial_usec;
	t->rtx_deadline = TRANSPORT_NO_DEADLINE;
	t->ack_deadline = TRANSPORT_NO_DEADLINE;
	t->st.cwnd = 1;
	t->st.peer_window = PEER_WINDOW_DEFAULT;
	t->st.ssthresh = PEER_WINDOW_DEFAULT;
	return t;
}

static void drop_tx(struct transport *t)
{
	while (t->tx_head) {
		struct tx_msg *m = t->tx_head;

		t->tx_head = m->next;
		free(m);
	}
	t->tx_tail = NULL;
	t->tx_waiting = NULL;
	t->st.unacked = 0;
	t->st.queued = 0;
	t->retries = 0;
	t->rtx_deadline = TRANSPORT_NO_DEADLINE;
}

void transport_abandon(struct transport *t)
{
	drop_tx(t);
}

struct transport *transport_free(struct transport *t)
{
	if (!t)
		return NULL;
	drop_tx(t);
	while (t->rx_ahead) {
		struct rx_msg *m = t->rx_ahead;

		t->rx_ahead = m->next;
		free(m);
	}
	free(t);
	return NULL;
}

void transport_set_peer(struct transport *t, uint16_t peer_tunnel_id, uint16_t peer_window)
{
	uint16_t w = peer_window ? peer_window : PEER_WINDOW_DEFAULT;

	if (w > WINDOW_MAX)
		w = WINDOW_MAX;
	t->peer_tunnel_id = peer_tunnel_id;
	t->st.peer_window = w;
	t->st.ssthresh = w;
	if (t->st.cwnd > w)
		t->st.cwnd = w;
}

bool transport_is_idle(const struct transport *t)
{
	return t->st.unacked == 0 && t->st.queued == 0;
}

uint64_t transport_give_up_usec(const struct transport_config *cfg)
{
	uint64_t sends = (uint64_t)cfg->max_retransmits + 1;
	uint64_t total = 0, rto = cfg->rto_initial_usec;

	while (sends > 0) {
		uint64_t next = rto_next(cfg, rto);

		if (next == rto) { /* capped: the rest are all alike */
			if (rto && sends > UINT64_MAX / rto)
				return UINT64_MAX;
			return add_usec(total, rto * sends);
		}
		total = add_usec(total, rto);
		rto = next;
		sends--;
	}
	return total;
}

void transport_get_stats(const struct transport *t, struct transport_stats *s)
{
	*s = t->st;
}
