/*
 * Tests of the reliable control transport (RFC 2661 5.8, Appendix A).
 *
 * Two transports are wired together through a simulated network: a queue
 * of datagrams under a fake clock, with deterministic loss (every Nth
 * datagram, or a seeded xorshift), duplication and reordering (jitter).
 * Single-ended tests record what one transport sends and feed it packets
 * by hand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "header.h"
#include "protocol.h"
#include "transport.h"

#define MS 1000ull
#define SEC 1000000ull
#define RUN_FOREVER (UINT64_MAX - 1)
#define MSG_LEN 8 /* a message: its number (4 octets) and filler */
#define TID_A 0x1111
#define TID_B 0x2222

/*
 * For the helpers on the hot path of the long runs: Check's ck_assert()
 * marks each passing point through a pipe, which would dominate them.
 */
#define REQUIRE(cond)                                                               \
	do {                                                                        \
		if (!(cond))                                                        \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);        \
	} while (0)

/* RFC 2661's suggested timers, a short ack delay and a small window. */
static const struct transport_config rfc_cfg = {
	.receive_window = 4,
	.rto_initial_usec = 1 * SEC,
	.rto_max_usec = 8 * SEC,
	.max_retransmits = 5,
	.ack_delay_usec = 100 * MS,
	.max_queued = 64,
};

/* One packet an end sent, as the wire saw it. */
struct wire_pkt {
	uint64_t at;
	uint16_t tunnel_id, session_id, ns, nr;
	size_t body_len;
	uint32_t seq; /* the message number in the body, or UINT32_MAX */
};

struct got_msg {
	uint32_t seq;
	uint16_t session_id;
};

struct net;

struct end {
	struct net *net;
	int idx;
	struct transport *t;
	struct wire_pkt *out;
	size_t n_out, cap_out;
	struct got_msg *got;
	size_t n_got, cap_got;
	unsigned int order_errors; /* delivered a number other than n_got */
	unsigned int failed;
	uint64_t failed_at;
	bool reply;         /* deliver() answers, while next_seq < to_send */
	uint32_t next_seq;  /* number of the next message to send */
	uint32_t to_send;
	uint16_t peer_nr;   /* latest Nr that reached this end */
	unsigned int max_in_flight;
};

struct dgram {
	uint64_t at, order;
	int to;
	size_t len;
	uint8_t *data;
};

struct net {
	bool wired; /* false: only end[0] exists and what it sends is recorded */
	uint64_t now;
	uint64_t latency, jitter;
	unsigned int loss_pct, dup_pct, drop_every;
	unsigned int carried;
	uint32_t rng;
	struct dgram *q;
	size_t n_q, cap_q;
	uint64_t order;
	struct end end[2];
};

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * size);
	REQUIRE(p);
	return p;
}

static void put_seq(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get_seq(const uint8_t *b, size_t len)
{
	if (len < 4)
		return UINT32_MAX;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void carry(struct net *n, int to, const uint8_t *pkt, size_t len)
{
	int copies = 1;

	n->carried++;
	if (n->drop_every && n->carried % n->drop_every == 0)
		return;
	if (n->loss_pct && xorshift(&n->rng) % 100 < n->loss_pct)
		return;
	if (n->dup_pct && xorshift(&n->rng) % 100 < n->dup_pct)
		copies = 2;
	while (copies--) {
		struct dgram *d;

		n->q = grow(n->q, &n->cap_q, n->n_q, sizeof(*n->q));
		d = &n->q[n->n_q++];
		d->at = n->now + n->latency + (n->jitter ? xorshift(&n->rng) % n->jitter : 0);
		d->order = n->order++;
		d->to = to;
		d->len = len;
		d->data = malloc(len);
		REQUIRE(d->data);
		memcpy(d->data, pkt, len);
	}
}

static void end_send(void *ctx, const uint8_t *pkt, size_t len)
{
	struct end *e = ctx;
	struct l2tp_header h;
	struct wire_pkt *p;
	size_t body_len;

	REQUIRE(l2tp_header_parse(pkt, len, &h) == 0);
	REQUIRE(h.control && h.length == len);
	body_len = len - h.payload_offset;
	e->out = grow(e->out, &e->cap_out, e->n_out, sizeof(*e->out));
	p = &e->out[e->n_out++];
	*p = (struct wire_pkt){ e->net->now, h.tunnel_id, h.session_id, h.ns, h.nr, body_len,
				get_seq(pkt + h.payload_offset, body_len) };
	if (body_len && (uint16_t)(h.ns + 1 - e->peer_nr) > e->max_in_flight)
		e->max_in_flight = (uint16_t)(h.ns + 1 - e->peer_nr);
	if (e->net->wired)
		carry(e->net, 1 - e->idx, pkt, len);
}

static int send_msg(struct end *e, uint16_t session_id)
{
	uint8_t body[MSG_LEN];
	int r;

	put_seq(body, e->next_seq);
	memset(body + 4, 0xab, MSG_LEN - 4);
	r = transport_send(e->t, e->net->now, session_id, body, sizeof(body));
	if (r == 0)
		e->next_seq++;
	return r;
}

static void end_deliver(void *ctx, uint16_t session_id, const uint8_t *body, size_t len)
{
	struct end *e = ctx;
	uint32_t seq = get_seq(body, len);

	if (seq != e->n_got)
		e->order_errors++;
	e->got = grow(e->got, &e->cap_got, e->n_got, sizeof(*e->got));
	e->got[e->n_got++] = (struct got_msg){ seq, session_id };
	if (e->reply && e->next_seq < e->to_send)
		REQUIRE(send_msg(e, session_id) == 0);
}

static void end_failed(void *ctx)
{
	struct end *e = ctx;

	e->failed++;
	e->failed_at = e->net->now;
}

static const struct transport_ops test_ops = { end_send, end_deliver, end_failed };

static struct net *net_new(const struct transport_config *cfg, bool wired)
{
	struct net *n = calloc(1, sizeof(*n));

	ck_assert_ptr_nonnull(n);
	n->wired = wired;
	n->latency = 10 * MS;
	n->rng = 0x2545f491;
	for (int i = 0; i < (wired ? 2 : 1); i++) {
		struct end *e = &n->end[i];

		e->net = n;
		e->idx = i;
		e->t = transport_new(cfg, &test_ops, e);
		ck_assert_ptr_nonnull(e->t);
		transport_set_peer(e->t, i ? TID_A : TID_B, cfg->receive_window);
	}
	return n;
}

static void net_free(struct net *n)
{
	for (int i = 0; i < 2; i++) {
		ck_assert_ptr_null(transport_free(n->end[i].t));
		free(n->end[i].out);
		free(n->end[i].got);
	}
	for (size_t i = 0; i < n->n_q; i++)
		free(n->q[i].data);
	free(n->q);
	free(n);
}

/* Hands one datagram to an end, as the owner would after parsing it. */
static void inject(struct net *n, int to, const uint8_t *pkt, size_t len)
{
	struct end *e = &n->end[to];
	struct l2tp_header h;

	REQUIRE(l2tp_header_parse(pkt, len, &h) == 0);
	if ((int16_t)(uint16_t)(h.nr - e->peer_nr) > 0)
		e->peer_nr = h.nr;
	transport_recv(e->t, n->now, &h, pkt + h.payload_offset, h.length - h.payload_offset);
}

static void top_up(struct end *e)
{
	while (e->t && !e->reply && e->next_seq < e->to_send) {
		int r = send_msg(e, 0);

		if (r == -ENOBUFS)
			break;
		REQUIRE(r == 0);
	}
}

/* Does the next thing due no later than until; false when nothing is. */
static bool net_step(struct net *n, uint64_t until)
{
	uint64_t at = UINT64_MAX;
	size_t best = SIZE_MAX;
	int tick = -1;
	struct dgram d;

	for (size_t i = 0; i < n->n_q; i++) {
		if (n->q[i].at < at || (best != SIZE_MAX && n->q[i].at == at && n->q[i].order < n->q[best].order)) {
			at = n->q[i].at;
			best = i;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (n->end[i].t && transport_next_deadline(n->end[i].t) < at) {
			at = transport_next_deadline(n->end[i].t);
			tick = i;
		}
	}
	if (at > until)
		return false;
	REQUIRE(at >= n->now);
	n->now = at;
	if (tick >= 0) {
		transport_tick(n->end[tick].t, at);
		return true;
	}
	d = n->q[best];
	n->q[best] = n->q[--n->n_q];
	inject(n, d.to, d.data, d.len);
	free(d.data);
	return true;
}

static void run_until(struct net *n, uint64_t until)
{
	unsigned long steps = 0;

	top_up(&n->end[0]);
	top_up(&n->end[1]);
	while (net_step(n, until)) {
		REQUIRE(++steps < 50000000);
		top_up(&n->end[0]);
		top_up(&n->end[1]);
	}
	if (until != RUN_FOREVER)
		n->now = until;
}

/* Builds a packet from the peer (tunnel TID_A) and hands it to end[0]. */
static void feed(struct net *n, uint16_t ns, uint16_t nr, uint16_t session_id, uint32_t seq,
		 bool zlb)
{
	uint8_t pkt[L2TP_CONTROL_HEADER_LEN + MSG_LEN];
	struct writer w;
	size_t off;

	writer_init(&w, pkt, sizeof(pkt));
	REQUIRE(l2tp_control_header_write(&w, TID_A, session_id, ns, nr, &off));
	if (!zlb) {
		uint8_t body[MSG_LEN] = { 0 };

		put_seq(body, seq);
		REQUIRE(writer_bytes(&w, body, sizeof(body)));
	}
	REQUIRE(l2tp_header_finish(&w, off));
	inject(n, 0, pkt, writer_len(&w));
}

static void feed_msg(struct net *n, uint16_t ns, uint16_t nr)
{
	feed(n, ns, nr, (uint16_t)(ns + 100), ns, false);
}

static void feed_zlb(struct net *n, uint16_t ns, uint16_t nr)
{
	feed(n, ns, nr, 0, 0, true);
}

static void tick_at(struct net *n, uint64_t at)
{
	n->now = at;
	transport_tick(n->end[0].t, at);
}

static struct transport_stats stats(const struct end *e)
{
	struct transport_stats s;

	transport_get_stats(e->t, &s);
	return s;
}

static size_t count_data(const struct end *e)
{
	size_t c = 0;

	for (size_t i = 0; i < e->n_out; i++)
		c += e->out[i].body_len > 0;
	return c;
}

static const struct wire_pkt *last_out(const struct end *e)
{
	ck_assert_uint_gt(e->n_out, 0);
	return &e->out[e->n_out - 1];
}

START_TEST(in_order_exchange_piggybacks_acks)
{
	struct net *n = net_new(&rfc_cfg, true);
	struct end *a = &n->end[0], *b = &n->end[1];
	const struct wire_pkt *zlb;

	a->reply = b->reply = true;
	a->to_send = 10;
	b->to_send = UINT32_MAX;
	ck_assert_int_eq(send_msg(a, 7), 0);
	run_until(n, RUN_FOREVER);

	ck_assert_uint_eq(a->n_got, 10);
	ck_assert_uint_eq(b->n_got, 10);
	ck_assert_uint_eq(a->order_errors + b->order_errors, 0);
	/* B answers every request at once: its acks all ride on the answers */
	ck_assert_uint_eq(b->n_out, 10);
	ck_assert_uint_eq(stats(b).zlb_sent, 0);
	for (size_t i = 0; i < 10; i++) {
		ck_assert_uint_eq(b->out[i].ns, i);
		ck_assert_uint_eq(b->out[i].nr, i + 1);
		ck_assert_uint_eq(b->out[i].tunnel_id, TID_A);
		ck_assert_uint_eq(b->out[i].session_id, 7);
		ck_assert_uint_eq(b->out[i].at, 20 * MS * i + 10 * MS);
	}
	/* each request acks the previous answer; only the last answer needs a ZLB */
	ck_assert_uint_eq(a->n_out, 11);
	for (size_t i = 0; i < 10; i++) {
		ck_assert_uint_eq(a->out[i].ns, i);
		ck_assert_uint_eq(a->out[i].nr, i);
		ck_assert_uint_eq(a->out[i].tunnel_id, TID_B);
	}
	zlb = &a->out[10];
	ck_assert_uint_eq(zlb->body_len, 0);
	ck_assert_uint_eq(zlb->ns, 10);
	ck_assert_uint_eq(zlb->nr, 10);
	ck_assert_uint_eq(zlb->at, 200 * MS + rfc_cfg.ack_delay_usec);
	ck_assert_uint_eq(stats(a).zlb_sent, 1);
	ck_assert_uint_eq(stats(b).zlb_received, 1);
	ck_assert_uint_eq(stats(a).retransmitted + stats(b).retransmitted, 0);
	ck_assert(transport_is_idle(a->t) && transport_is_idle(b->t));
	ck_assert(transport_next_deadline(a->t) == TRANSPORT_NO_DEADLINE);
	ck_assert(transport_next_deadline(b->t) == TRANSPORT_NO_DEADLINE);
	net_free(n);
}
END_TEST

START_TEST(zlb_waits_for_the_ack_delay)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	feed_msg(n, 0, 0);
	ck_assert_uint_eq(e->n_got, 1);
	ck_assert_uint_eq(e->n_out, 0);
	ck_assert_uint_eq(transport_next_deadline(e->t), 100 * MS);
	tick_at(n, 100 * MS - 1);
	ck_assert_uint_eq(e->n_out, 0);
	tick_at(n, 100 * MS);
	ck_assert_uint_eq(e->n_out, 1);
	ck_assert_uint_eq(last_out(e)->body_len, 0);
	ck_assert_uint_eq(last_out(e)->ns, 0);
	ck_assert_uint_eq(last_out(e)->nr, 1);
	ck_assert_uint_eq(last_out(e)->tunnel_id, TID_B);
	ck_assert_uint_eq(last_out(e)->session_id, 0);
	ck_assert(transport_next_deadline(e->t) == TRANSPORT_NO_DEADLINE);
	tick_at(n, 200 * MS);
	ck_assert_uint_eq(e->n_out, 1);
	ck_assert_uint_eq(stats(e).zlb_sent, 1);
	ck_assert_uint_eq(stats(e).ns, 0);

	/* a message sent before the delay runs out carries the ack instead */
	feed_msg(n, 1, 0);
	ck_assert_uint_eq(transport_next_deadline(e->t), 300 * MS);
	n->now = 250 * MS;
	ck_assert_int_eq(send_msg(e, 5), 0);
	ck_assert_uint_eq(e->n_out, 2);
	ck_assert_uint_eq(last_out(e)->nr, 2);
	ck_assert_uint_eq(last_out(e)->ns, 0);
	ck_assert_uint_eq(transport_next_deadline(e->t), 250 * MS + 1 * SEC);
	tick_at(n, 300 * MS);
	ck_assert_uint_eq(e->n_out, 2);
	ck_assert_uint_eq(stats(e).zlb_sent, 1);
	net_free(n);
}
END_TEST

START_TEST(an_answer_from_deliver_carries_the_ack)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	e->reply = true;
	e->to_send = 1;
	feed_msg(n, 0, 0);
	ck_assert_uint_eq(e->n_out, 1);
	ck_assert_uint_eq(last_out(e)->body_len, MSG_LEN);
	ck_assert_uint_eq(last_out(e)->nr, 1);
	ck_assert_uint_eq(last_out(e)->session_id, 100);
	/* only the retransmission timer is left */
	ck_assert_uint_eq(transport_next_deadline(e->t), 1 * SEC);
	feed_zlb(n, 1, 1);
	ck_assert(transport_next_deadline(e->t) == TRANSPORT_NO_DEADLINE);
	ck_assert_uint_eq(stats(e).zlb_sent, 0);
	ck_assert_uint_eq(stats(e).zlb_received, 1);
	net_free(n);
}
END_TEST

START_TEST(one_zlb_acks_several_messages)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	feed_msg(n, 0, 0);
	n->now = 10 * MS;
	feed_msg(n, 1, 0);
	n->now = 20 * MS;
	feed_msg(n, 2, 0);
	ck_assert_uint_eq(e->n_got, 3);
	/* the delay runs from the first unacknowledged message */
	ck_assert_uint_eq(transport_next_deadline(e->t), 100 * MS);
	tick_at(n, 100 * MS);
	ck_assert_uint_eq(e->n_out, 1);
	ck_assert_uint_eq(last_out(e)->body_len, 0);
	ck_assert_uint_eq(last_out(e)->nr, 3);
	ck_assert_uint_eq(stats(e).zlb_sent, 1);
	net_free(n);
}
END_TEST

/* Brings end[0] to Ns = Nr = 65534 through the public interface. */
static void advance_to_wrap(struct net *n)
{
	struct end *e = &n->end[0];

	for (uint32_t i = 0; i < 65534; i++) {
		REQUIRE(send_msg(e, 0) == 0);
		feed_msg(n, (uint16_t)i, (uint16_t)(i + 1));
	}
	ck_assert_uint_eq(stats(e).ns, 65534);
	ck_assert_uint_eq(stats(e).nr, 65534);
	ck_assert_uint_eq(stats(e).unacked, 0);
	ck_assert_uint_eq(stats(e).cwnd, 4);
}

START_TEST(sequence_numbers_wrap)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];
	size_t before;

	advance_to_wrap(n);
	/* sending across the wrap, and one Nr of 1 acknowledging all three */
	before = e->n_out;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(send_msg(e, 0), 0);
	ck_assert_uint_eq(e->n_out, before + 3);
	ck_assert_uint_eq(e->out[before].ns, 65534);
	ck_assert_uint_eq(e->out[before + 1].ns, 65535);
	ck_assert_uint_eq(e->out[before + 2].ns, 0);
	ck_assert_uint_eq(stats(e).unacked, 3);
	feed_zlb(n, 65534, 1);
	ck_assert_uint_eq(stats(e).unacked, 0);
	ck_assert(transport_is_idle(e->t));

	/* receiving across the wrap, out of order */
	before = e->n_got;
	feed_msg(n, 0, 1);
	feed_msg(n, 65535, 1);
	ck_assert_uint_eq(e->n_got, before);
	ck_assert_uint_eq(stats(e).out_of_order, 2);
	feed_msg(n, 65534, 1);
	ck_assert_uint_eq(e->n_got, before + 3);
	ck_assert_uint_eq(e->got[before].seq, 65534);
	ck_assert_uint_eq(e->got[before + 1].seq, 65535);
	ck_assert_uint_eq(e->got[before + 2].seq, 0);
	ck_assert_uint_eq(stats(e).nr, 1);
	/* 65535 is now behind Nr 1: a duplicate */
	feed_msg(n, 65535, 1);
	ck_assert_uint_eq(stats(e).duplicates, 1);
	ck_assert_uint_eq(e->n_got, before + 3);
	ck_assert_uint_eq(last_out(e)->nr, 1);
	net_free(n);
}
END_TEST

START_TEST(wrap_through_a_lossy_network)
{
	struct transport_config cfg = rfc_cfg;
	struct net *n;
	struct end *a, *b;

	cfg.max_retransmits = 20;
	n = net_new(&cfg, true);
	a = &n->end[0];
	b = &n->end[1];
	n->drop_every = 5;
	n->jitter = 5 * MS;
	a->to_send = 65536 + 10;
	run_until(n, RUN_FOREVER);
	ck_assert_uint_eq(b->n_got, 65536 + 10);
	ck_assert_uint_eq(b->order_errors, 0);
	ck_assert_uint_eq(stats(b).delivered, 65536 + 10);
	ck_assert_uint_eq(stats(a).ns, 10);
	ck_assert_uint_eq(stats(b).nr, 10);
	ck_assert_uint_gt(stats(a).retransmitted, 0);
	ck_assert_uint_eq(a->failed + b->failed, 0);
	ck_assert(transport_is_idle(a->t));
	net_free(n);
}
END_TEST

START_TEST(duplicates_are_acked_and_dropped)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	feed_msg(n, 0, 0);
	ck_assert_uint_eq(transport_next_deadline(e->t), 100 * MS);
	/* a duplicate before the delayed ack: acknowledged at once */
	n->now = 50 * MS;
	feed_msg(n, 0, 0);
	ck_assert_uint_eq(e->n_got, 1);
	ck_assert_uint_eq(e->n_out, 1);
	ck_assert_uint_eq(last_out(e)->body_len, 0);
	ck_assert_uint_eq(last_out(e)->nr, 1);
	ck_assert_uint_eq(last_out(e)->at, 50 * MS);
	ck_assert(transport_next_deadline(e->t) == TRANSPORT_NO_DEADLINE);
	/* and again after it: our ack was lost, say it again */
	n->now = 2 * SEC;
	feed_msg(n, 0, 0);
	ck_assert_uint_eq(e->n_out, 2);
	ck_assert_uint_eq(last_out(e)->nr, 1);
	ck_assert_uint_eq(e->n_got, 1);
	ck_assert_uint_eq(stats(e).duplicates, 2);
	ck_assert_uint_eq(stats(e).delivered, 1);
	ck_assert_uint_eq(stats(e).zlb_sent, 2);
	net_free(n);
}
END_TEST

START_TEST(out_of_order_is_queued_and_delivered_in_order)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	feed_msg(n, 2, 0);
	ck_assert_uint_eq(e->n_got, 0);
	ck_assert_uint_eq(e->n_out, 1); /* acknowledged at once: still Nr 0 */
	ck_assert_uint_eq(last_out(e)->nr, 0);
	feed_msg(n, 1, 0);
	feed_msg(n, 2, 0); /* kept once */
	ck_assert_uint_eq(e->n_got, 0);
	ck_assert_uint_eq(e->n_out, 3);
	ck_assert_uint_eq(stats(e).out_of_order, 2);
	ck_assert_uint_eq(stats(e).duplicates, 1);
	feed_msg(n, 0, 0);
	ck_assert_uint_eq(e->n_got, 3);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(e->got[i].seq, i);
		ck_assert_uint_eq(e->got[i].session_id, 100 + i);
	}
	ck_assert_uint_eq(stats(e).nr, 3);
	ck_assert_uint_eq(stats(e).delivered, 3);
	/* the gap filled in order: a delayed ack for all three */
	ck_assert_uint_eq(e->n_out, 3);
	tick_at(n, 100 * MS);
	ck_assert_uint_eq(e->n_out, 4);
	ck_assert_uint_eq(last_out(e)->nr, 3);
	net_free(n);
}
END_TEST

START_TEST(beyond_the_window_is_dropped)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	feed_msg(n, 4, 0); /* window 4: Ns 1..3 ahead of 0 fit, 4 does not */
	ck_assert_uint_eq(stats(e).out_of_window, 1);
	ck_assert_uint_eq(stats(e).out_of_order, 0);
	ck_assert_uint_eq(e->n_out, 0);
	feed_msg(n, 3, 0);
	ck_assert_uint_eq(stats(e).out_of_order, 1);
	feed_msg(n, 0, 0);
	feed_msg(n, 1, 0);
	feed_msg(n, 2, 0);
	ck_assert_uint_eq(e->n_got, 4);
	ck_assert_uint_eq(stats(e).nr, 4); /* 4 was not kept */
	feed_msg(n, 4, 0);
	ck_assert_uint_eq(e->n_got, 5);
	ck_assert_uint_eq(e->got[4].seq, 4);
	ck_assert_uint_eq(e->order_errors, 0);
	net_free(n);
}
END_TEST

static const uint16_t windows[] = { 1, 4, 0 };
static const uint16_t windows_used[] = { 1, 4, 4 };

START_TEST(the_peer_window_is_honoured)
{
	struct transport_config cfg = rfc_cfg;
	struct net *n;
	struct end *a, *b;

	cfg.receive_window = windows_used[_i];
	n = net_new(&cfg, true);
	a = &n->end[0];
	b = &n->end[1];
	transport_set_peer(a->t, TID_B, windows[_i]);
	ck_assert_uint_eq(stats(a).peer_window, windows_used[_i]);
	ck_assert_uint_eq(stats(a).ssthresh, windows_used[_i]);
	a->to_send = 30;
	run_until(n, RUN_FOREVER);
	ck_assert_uint_eq(b->n_got, 30);
	ck_assert_uint_eq(b->order_errors, 0);
	ck_assert_uint_eq(a->max_in_flight, windows_used[_i]);
	ck_assert_uint_eq(stats(a).cwnd, windows_used[_i]);
	ck_assert_uint_eq(stats(a).sent, 30);
	ck_assert_uint_eq(stats(a).retransmitted, 0);
	net_free(n);
}
END_TEST

START_TEST(slow_start_then_congestion_avoidance)
{
	static const uint16_t cwnd_after_ack[] = { 2, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6 };
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];
	uint16_t nr;

	transport_set_peer(e->t, TID_A, 8);
	e->to_send = 40;
	top_up(e);
	ck_assert_uint_eq(e->next_seq, 40);
	ck_assert_uint_eq(stats(e).cwnd, 1);
	ck_assert_uint_eq(stats(e).ssthresh, 8);
	ck_assert_uint_eq(count_data(e), 1);
	/* slow start: one more per ack, up to the peer's window */
	for (nr = 1; nr <= 7; nr++) {
		feed_zlb(n, 0, nr);
		ck_assert_uint_eq(stats(e).cwnd, 1 + nr);
		ck_assert_uint_eq(stats(e).unacked, 1 + nr);
		ck_assert_uint_eq(count_data(e), 1 + 2 * nr);
	}
	feed_zlb(n, 0, 7); /* nothing new acknowledged */
	ck_assert_uint_eq(stats(e).cwnd, 8);
	/* a timeout: ssthresh 8 / 2, cwnd 1, the oldest goes again */
	tick_at(n, transport_next_deadline(e->t));
	ck_assert_uint_eq(n->now, 1 * SEC);
	ck_assert_uint_eq(stats(e).cwnd, 1);
	ck_assert_uint_eq(stats(e).ssthresh, 4);
	ck_assert_uint_eq(stats(e).retransmitted, 1);
	ck_assert_uint_eq(last_out(e)->ns, 7);
	/* slow start to 4, then one more per cwnd acks */
	for (size_t i = 0; i < sizeof(cwnd_after_ack) / sizeof(cwnd_after_ack[0]); i++) {
		int in_flight_left = 8 - (int)(i + 1); /* of the 8 before the timeout */

		feed_zlb(n, 0, (uint16_t)(8 + i));
		ck_assert_uint_eq(stats(e).cwnd, cwnd_after_ack[i]);
		ck_assert_uint_eq(stats(e).unacked, (in_flight_left > cwnd_after_ack[i]
							     ? in_flight_left
							     : cwnd_after_ack[i]));
	}
	ck_assert_uint_eq(stats(e).retransmitted, 1);
	net_free(n);
}
END_TEST

START_TEST(retransmission_backs_off_and_is_capped)
{
	/* 1 + 5 sends: after 1, 2, 4, 8 and 8 (capped) seconds, failing 8 s later */
	static const uint64_t send_at[] = { 0, 1 * SEC, 3 * SEC, 7 * SEC, 15 * SEC, 23 * SEC };
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	ck_assert_int_eq(send_msg(e, 9), 0);
	for (size_t i = 1; i < sizeof(send_at) / sizeof(send_at[0]); i++) {
		ck_assert_uint_eq(transport_next_deadline(e->t), send_at[i]);
		tick_at(n, send_at[i] - 1);
		ck_assert_uint_eq(e->n_out, i);
		if (i == 2)
			feed_msg(n, 0, 0); /* Nr 1 rides on later copies */
		tick_at(n, send_at[i]);
		ck_assert_uint_eq(count_data(e), i + 1);
		ck_assert_uint_eq(last_out(e)->ns, 0);
		ck_assert_uint_eq(last_out(e)->seq, 0);
		ck_assert_uint_eq(last_out(e)->session_id, 9);
		ck_assert_uint_eq(last_out(e)->nr, i >= 2 ? 1 : 0);
		ck_assert_uint_eq(last_out(e)->at, send_at[i]);
	}
	ck_assert_uint_eq(stats(e).retransmitted, 5);
	ck_assert_uint_eq(stats(e).sent, 1);
	ck_assert_uint_eq(transport_next_deadline(e->t), 31 * SEC);
	ck_assert_uint_eq(transport_give_up_usec(&rfc_cfg), 31 * SEC);
	tick_at(n, 31 * SEC - 1);
	ck_assert_uint_eq(e->failed, 0);
	tick_at(n, 31 * SEC);
	ck_assert_uint_eq(e->failed, 1);
	ck_assert_uint_eq(count_data(e), 6);
	net_free(n);
}
END_TEST

START_TEST(an_ack_resets_the_backoff)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	ck_assert_int_eq(send_msg(e, 0), 0);
	ck_assert_int_eq(send_msg(e, 0), 0);
	tick_at(n, 1 * SEC);
	tick_at(n, 3 * SEC);
	ck_assert_uint_eq(transport_next_deadline(e->t), 7 * SEC);
	n->now = 4 * SEC;
	feed_zlb(n, 0, 1);
	/* the second message goes, with the initial timeout again */
	ck_assert_uint_eq(stats(e).unacked, 1);
	ck_assert_uint_eq(last_out(e)->ns, 1);
	ck_assert_uint_eq(transport_next_deadline(e->t), 5 * SEC);
	tick_at(n, 5 * SEC);
	ck_assert_uint_eq(transport_next_deadline(e->t), 7 * SEC);
	ck_assert_uint_eq(stats(e).retransmitted, 3);
	net_free(n);
}
END_TEST

/* A black hole: failure once, exactly at transport_give_up_usec(). */
static const struct transport_config give_up_cfgs[] = {
	{ 4, 1 * SEC, 8 * SEC, 5, 100 * MS, 64 },   /* 1+2+4+8+8+8 = 31 s */
	{ 4, 500 * MS, 2 * SEC, 3, 100 * MS, 64 },  /* 0.5+1+2+2 = 5.5 s */
	{ 4, 3 * SEC, 2 * SEC, 2, 100 * MS, 64 },   /* 3+2+2 = 7 s */
	{ 4, 1 * SEC, 64 * SEC, 0, 100 * MS, 64 },  /* 1 s */
};
static const uint64_t give_up_at[] = { 31 * SEC, 5500 * MS, 7 * SEC, 1 * SEC };

START_TEST(failure_comes_once_at_give_up)
{
	const struct transport_config *cfg = &give_up_cfgs[_i];
	struct net *n = net_new(cfg, true);
	struct end *a = &n->end[0];

	ck_assert_uint_eq(transport_give_up_usec(cfg), give_up_at[_i]);
	n->now = 2 * SEC;
	n->loss_pct = 100;
	ck_assert_int_eq(send_msg(a, 0), 0);
	ck_assert_int_eq(send_msg(a, 0), 0);
	run_until(n, RUN_FOREVER);
	ck_assert_uint_eq(a->failed, 1);
	ck_assert_uint_eq(a->failed_at, 2 * SEC + give_up_at[_i]);
	ck_assert_uint_eq(count_data(a), 1 + cfg->max_retransmits);
	ck_assert(transport_next_deadline(a->t) == TRANSPORT_NO_DEADLINE);
	transport_tick(a->t, 1000 * SEC);
	ck_assert_uint_eq(a->failed, 1);
	ck_assert_uint_eq(count_data(a), 1 + cfg->max_retransmits);
	ck_assert_int_eq(send_msg(a, 0), -ENOTCONN);
	net_free(n);
}
END_TEST

START_TEST(an_nr_beyond_what_was_sent_is_ignored)
{
	struct net *n = net_new(&rfc_cfg, false);
	struct end *e = &n->end[0];

	ck_assert_int_eq(send_msg(e, 0), 0); /* Ns 0; the next is 1 */
	feed_msg(n, 0, 5);
	ck_assert_uint_eq(stats(e).unacked, 1);
	ck_assert_uint_eq(stats(e).cwnd, 1);
	ck_assert_uint_eq(e->n_got, 1); /* the rest of the packet still counts */
	feed_zlb(n, 1, 2);
	ck_assert_uint_eq(stats(e).unacked, 1);
	feed_zlb(n, 1, 1);
	ck_assert_uint_eq(stats(e).unacked, 0);
	ck_assert_uint_eq(stats(e).cwnd, 2);
	ck_assert(transport_is_idle(e->t));
	net_free(n);
}
END_TEST

START_TEST(a_full_queue_gives_enobufs)
{
	struct transport_config cfg = rfc_cfg;
	struct net *n;
	struct end *e;
	static uint8_t big[L2TP_MAX_PACKET];

	cfg.max_queued = 3;
	n = net_new(&cfg, false);
	e = &n->end[0];
	ck_assert_int_eq(transport_send(e->t, 0, 1, big, sizeof(big) - 11), -EMSGSIZE);
	ck_assert_int_eq(transport_send(e->t, 0, 1, big, sizeof(big) - 12), 0);
	ck_assert_uint_eq(last_out(e)->body_len, L2TP_MAX_PACKET - 12);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(send_msg(e, 0), 0);
	ck_assert_int_eq(send_msg(e, 0), -ENOBUFS);
	ck_assert_uint_eq(stats(e).queued, 3);
	ck_assert_uint_eq(stats(e).unacked, 1);
	ck_assert(!transport_is_idle(e->t));
	feed_zlb(n, 0, 1); /* cwnd 2: two leave the queue */
	ck_assert_uint_eq(stats(e).unacked, 2);
	ck_assert_uint_eq(stats(e).queued, 1);
	ck_assert_int_eq(send_msg(e, 0), 0);
	ck_assert_int_eq(send_msg(e, 0), 0);
	ck_assert_int_eq(send_msg(e, 0), -ENOBUFS);
	/* freed with messages in flight, waiting, and received ahead */
	feed_msg(n, 2, 0);
	ck_assert_ptr_null(transport_free(NULL));
	net_free(n);
}
END_TEST

/* 1000 messages each way through 20% loss, 10% duplication and reordering. */
START_TEST(soak_through_a_bad_network)
{
	struct transport_config cfg = rfc_cfg;
	struct net *n;
	struct transport_stats sa, sb;

	cfg.max_retransmits = 20;
	n = net_new(&cfg, true);
	n->rng = 0x9e3779b9u ^ (uint32_t)_i * 0x85ebca6bu;
	n->loss_pct = 20;
	n->dup_pct = 10;
	n->jitter = 30 * MS;
	n->end[0].to_send = n->end[1].to_send = 1000;
	run_until(n, RUN_FOREVER);
	sa = stats(&n->end[0]);
	sb = stats(&n->end[1]);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(n->end[i].n_got, 1000);
		ck_assert_uint_eq(n->end[i].order_errors, 0);
		ck_assert_uint_eq(n->end[i].failed, 0);
		ck_assert_uint_le(n->end[i].max_in_flight, 4);
		ck_assert(transport_is_idle(n->end[i].t));
	}
	ck_assert_uint_eq(sa.delivered, 1000);
	ck_assert_uint_eq(sb.delivered, 1000);
	ck_assert_uint_eq(sa.sent, 1000);
	ck_assert_uint_eq(sa.ns, 1000);
	ck_assert_uint_eq(sb.nr, 1000);
	/* the network did what it was asked to */
	ck_assert_uint_gt(sa.retransmitted + sb.retransmitted, 100);
	ck_assert_uint_gt(sa.duplicates + sb.duplicates, 100);
	ck_assert_uint_gt(sa.out_of_order + sb.out_of_order, 10);
	net_free(n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("transport");
	TCase *tc = tcase_create("transport");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, in_order_exchange_piggybacks_acks);
	tcase_add_test(tc, zlb_waits_for_the_ack_delay);
	tcase_add_test(tc, an_answer_from_deliver_carries_the_ack);
	tcase_add_test(tc, one_zlb_acks_several_messages);
	tcase_add_test(tc, sequence_numbers_wrap);
	tcase_add_test(tc, wrap_through_a_lossy_network);
	tcase_add_test(tc, duplicates_are_acked_and_dropped);
	tcase_add_test(tc, out_of_order_is_queued_and_delivered_in_order);
	tcase_add_test(tc, beyond_the_window_is_dropped);
	tcase_add_loop_test(tc, the_peer_window_is_honoured, 0, 3);
	tcase_add_test(tc, slow_start_then_congestion_avoidance);
	tcase_add_test(tc, retransmission_backs_off_and_is_capped);
	tcase_add_test(tc, an_ack_resets_the_backoff);
	tcase_add_loop_test(tc, failure_comes_once_at_give_up, 0, 4);
	tcase_add_test(tc, an_nr_beyond_what_was_sent_is_ignored);
	tcase_add_test(tc, a_full_queue_gives_enobufs);
	tcase_add_loop_test(tc, soak_through_a_bad_network, 0, 4);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
