/*
 * Tests of the LNS's dispatch around the state machines (lns.c): tunnel
 * limits, which peer may use a tunnel, IPv6 peers, malformed input and
 * data packets, and shutdown. The fake LAC, io and clock are in
 * lns_harness.c; the tunnel state machine is tested in lns_test.c and
 * lns_stop_test.c.
 */
#include <errno.h>
#include <string.h>

#include "check_tap.h"
#include "lns_harness.h"
#include "writer.h"

#define LAC_TID 0x1234

/* ---- limits and peers ---- */

START_TEST(tunnel_limit)
{
	struct harness *h = h_new();
	struct lac a, b, c;
	struct l2tp_msg m;
	struct rx *r;

	h->cfg.max_tunnels = 2;
	h->cfg.max_tunnels_per_peer = 0;
	h_start(h);
	lac_init(&a, h, 1, 40000, 1);
	lac_init(&b, h, 2, 40000, 2);
	lac_init(&c, h, 3, 40000, 3);
	lac_open_tunnel(&a);
	lac_open_tunnel(&b);
	msg_sccrq(&m, 3, "lac.test", 8);
	lac_send(&c, 0, &m);
	r = lac_expect(&c, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 2);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 2);
	ck_assert_uint_eq(h_counters(h).refused_tunnel_limit, 1);
	ck_assert_uint_eq(h_counters(h).tunnels_failed, 0); /* refused, never taken */
	h_free(h);
}
END_TEST

START_TEST(tunnel_limit_per_peer)
{
	struct harness *h = h_new();
	struct lac a, same_host, other_host;
	struct l2tp_msg m;
	struct rx *r;

	h->cfg.max_tunnels_per_peer = 1;
	h_start(h);
	lac_init(&a, h, 1, 40000, 1);
	lac_init(&same_host, h, 1, 40001, 2);
	lac_init(&other_host, h, 2, 40000, 3);
	lac_open_tunnel(&a);
	msg_sccrq(&m, 2, "lac.test", 8);
	lac_send(&same_host, 0, &m);
	r = lac_expect(&same_host, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	h_expect_nothing(h);
	lac_open_tunnel(&other_host);
	ck_assert_uint_eq(h_counters(h).tunnels, 2);
	ck_assert_uint_eq(h_counters(h).refused_tunnel_limit, 1);
	h_free(h);
}
END_TEST

START_TEST(ipv6_peers)
{
	struct harness *h = h_new();
	struct lns_tunnel_info info;
	struct lac a, same_host;
	struct l2tp_msg m;
	struct rx *r;

	h->cfg.max_tunnels_per_peer = 1;
	h_start(h);
	lac_init_v6(&a, h, 1, 1701, LAC_TID);
	lac_open_tunnel(&a);
	ck_assert(h_tunnel_info(h, a.lns_tid, &info));
	ck_assert_str_eq(info.peer, "[2001:db8::1]:1701");
	lac_init_v6(&same_host, h, 1, 1702, LAC_TID + 1);
	msg_sccrq(&m, LAC_TID + 1, "lac.test", 8);
	lac_send(&same_host, 0, &m);
	r = lac_expect(&same_host, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 1);
	h_free(h);
}
END_TEST

/*
 * RFC 2661 5.3: 0 is never an Assigned Tunnel ID; answering with an SCCRP
 * would address the LAC as tunnel 0. Dropping it, or a StopCCN, will do.
 */
START_TEST(sccrq_assigning_tunnel_zero_is_refused)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, 0);
	msg_sccrq(&m, 0, "lac.test", 8);
	lac_send(&l, 0, &m);
	while ((r = h_pop(h)))
		rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR, -1);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	h_free(h);
}
END_TEST

/* _i: 0 another host, 1 another port of the same host. */
START_TEST(another_peer_cannot_use_a_tunnel)
{
	struct harness *h = h_started();
	struct lns_tunnel_info before, after;
	struct lac l, intruder;
	struct l2tp_msg m;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	ck_assert(h_tunnel_info(h, l.lns_tid, &before));
	lac_init(&intruder, h, _i == 0 ? 66 : 1, _i == 0 ? 40000 : 40001, LAC_TID);
	intruder.lns_tid = l.lns_tid;
	intruder.ns = l.ns;
	intruder.nr = l.nr;
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	lac_send(&intruder, 0, &m);
	h_advance(h, SEC);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 1);
	ck_assert(h_tunnel_info(h, l.lns_tid, &after));
	ck_assert_str_eq(after.state, "established");
	ck_assert_uint_eq(after.transport.nr, before.transport.nr);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 0);
	h_free(h);
}
END_TEST

/* ---- io->admit: only peers the server may talk to get an answer ---- */

static unsigned int tunnel_count_fn_calls;

static bool count_tunnel_fn(void *ctx, const struct lns_tunnel_info *info)
{
	(void)ctx;
	(void)info;
	tunnel_count_fn_calls++;
	return true;
}

/* How many tunnels lns_foreach_tunnel() shows. */
static unsigned int tunnels_listed(const struct harness *h)
{
	tunnel_count_fn_calls = 0;
	lns_foreach_tunnel(h->lns, count_tunnel_fn, NULL);
	return tunnel_count_fn_calls;
}

static struct harness *started_with_admit(int result, uint64_t owner)
{
	struct harness *h = h_new();

	h->admit_hook = true;
	h->admit_result = result;
	h->admit_owner = owner;
	h_start(h);
	return h;
}

/* kind (the _i below): 0 a good SCCRQ, 1 one without Host Name, 2 one assigning tunnel 0. */
static void send_sccrq_kind(struct lac *l, int kind)
{
	struct l2tp_msg m;

	msg_sccrq(&m, kind == 2 ? 0 : LAC_TID, "lac.test", 8);
	if (kind == 1)
		m.present &= ~((uint64_t)1 << L2TP_AVP_HOST_NAME);
	lac_send(l, 0, &m);
}

/*
 * A refused SCCRQ gets no datagram at all, not even the StopCCN a bad one
 * gets otherwise; it is counted (refused and dropped) and leaves no tunnel.
 * The same SCCRQ admitted is answered: the silence is the refusal's.
 */
START_TEST(refused_sccrq_gets_no_answer)
{
	struct harness *h = started_with_admit(-EACCES, 42);
	struct lns_counters c;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, _i == 2 ? 0 : LAC_TID);
	send_sccrq_kind(&l, _i);
	h_expect_nothing(h);
	c = h_counters(h);
	ck_assert_uint_eq(c.refused, 1);
	ck_assert_uint_eq(c.packets_dropped, 1);
	ck_assert_uint_eq(c.tunnels, 0);
	ck_assert_uint_eq(tunnels_listed(h), 0);
	/* asked once, with the datagram's addresses */
	ck_assert_uint_eq(h->admit_calls, 1);
	/* the history hears of it: unprotected L2TP, dropped */
	ck_assert_uint_eq(h->n_events, 1);
	ck_assert_int_eq(h->events[0].kind, LNS_EV_REFUSED);
	ck_assert_uint_eq(h->admit_last.peer_len, l.addr.peer_len);
	ck_assert(!memcmp(&h->admit_last.peer, &l.addr.peer, l.addr.peer_len));
	ck_assert(!memcmp(&h->admit_last.local, &l.addr.local, l.addr.local_len));
	ck_assert_int_eq(h->admit_last.listener, l.addr.listener);
	/* nothing comes later either */
	h_advance(h, GIVE_UP);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	/* admitted, the same SCCRQ is answered */
	h->admit_result = 0;
	l.ns = 0;
	send_sccrq_kind(&l, _i);
	r = lac_recv(&l);
	ck_assert_int_eq(r->rc, 0);
	ck_assert_uint_eq(r->m.type, _i == 0 ? L2TP_MSG_SCCRP : L2TP_MSG_STOPCCN);
	h_expect_nothing(h);
	ck_assert_uint_eq(h->admit_calls, 2);
	ck_assert_uint_eq(h_counters(h).refused, 1);
	ck_assert_uint_eq(h_counters(h).tunnels, _i == 0 ? 1 : 0);
	ck_assert_uint_eq(h->n_events, 2);
	ck_assert_int_eq(h->events[1].kind, _i == 0 ? LNS_EV_SCCRQ : LNS_EV_SCCRQ_REJECTED);
	h_free(h);
}
END_TEST

/* A StopCCN for tunnel 0 (our SCCRP was lost) is asked about too: refused, it is dropped. */
START_TEST(refused_stopccn_for_tunnel_zero_is_dropped)
{
	struct harness *h = started_with_admit(0, 5);
	struct l2tp_msg m;
	struct lac l;
	uint16_t lns_tid;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lns_tid = lac_start_tunnel(&l)->m.assigned_tunnel_id;
	l.lns_tid = 0;
	l.nr = 0;
	h->admit_result = -EACCES;
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	lac_send(&l, 0, &m);
	h_expect_nothing(h);
	ck_assert_uint_eq(h->admit_calls, 2);
	ck_assert_uint_eq(h_counters(h).refused, 1);
	ck_assert_str_eq(h_tunnel_state(h, lns_tid), "wait-ctl-conn");
	h_free(h);
}
END_TEST

static void assert_peer_addr(const struct lns_tunnel_info *info, const struct lac *l)
{
	ck_assert_ptr_nonnull(info->peer_addr);
	ck_assert_int_eq(info->peer_addr->ss_family, l->addr.peer.ss_family);
	ck_assert(!memcmp(info->peer_addr, &l->addr.peer, l->addr.peer_len));
}

/*
 * The owner io->admit gives goes with the tunnel (lns_foreach_tunnel shows
 * it, and the peer's address); lns_set_tunnel_owner() changes it. Only
 * tunnel 0 messages are asked about.
 */
START_TEST(admitted_tunnel_carries_its_owner)
{
	struct harness *h = started_with_admit(0, 42);
	struct lns_tunnel_info info;
	struct lac a, b;
	uint16_t unused = 1;

	lac_init(&a, h, 1, 40000, 1);
	lac_open_tunnel(&a);
	ck_assert_uint_eq(h->admit_calls, 1); /* the SCCRQ, not the SCCCN */
	ck_assert(h_tunnel_info(h, a.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 42);
	assert_peer_addr(&info, &a);
	ck_assert_str_eq(info.peer, "192.0.2.1:40000");
	h->admit_owner = 7;
	lac_init_v6(&b, h, 2, 1701, 2);
	lac_open_tunnel(&b);
	ck_assert(h_tunnel_info(h, b.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 7);
	assert_peer_addr(&info, &b);
	ck_assert(h_tunnel_info(h, a.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 42);
	/* another IKE SA takes over a's peer */
	ck_assert_int_eq(lns_set_tunnel_owner(h->lns, a.lns_tid, 43), 0);
	ck_assert(h_tunnel_info(h, a.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 43);
	ck_assert(h_tunnel_info(h, b.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 7);
	ck_assert_int_eq(lns_set_tunnel_owner(h->lns, b.lns_tid, 0), 0);
	ck_assert(h_tunnel_info(h, b.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 0);
	while (unused == a.lns_tid || unused == b.lns_tid)
		unused++;
	ck_assert_int_eq(lns_set_tunnel_owner(h->lns, unused, 9), -ENOENT);
	ck_assert_int_eq(lns_set_tunnel_owner(h->lns, 0, 9), -ENOENT);
	/* messages for a tunnel of ours are not asked about */
	lac_send_hello(&a);
	lac_send_hello(&b);
	ck_assert_uint_eq(h->admit_calls, 2);
	ck_assert_uint_eq(h_counters(h).refused, 0);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 0);
	ck_assert_str_eq(h_tunnel_state(h, a.lns_tid), "established");
	h_free(h);
}
END_TEST

/* Lets the acknowledgement delay pass; everything sent must be for l (lac_recv() checks). */
static void settle_for(struct lac *l)
{
	h_advance(l->h, l->h->cfg.ack_delay_usec);
	while (h_pending(l->h))
		lac_recv(l);
}

/* l sends m to tunnel_id as the tunnel's peer would; it must be dropped. */
static void assert_dropped(struct lac *l, uint16_t tunnel_id, const struct l2tp_msg *m)
{
	struct harness *h = l->h;
	uint64_t dropped = h_counters(h).packets_dropped;
	struct lns_tunnel_info before, after;
	struct lac as_peer = *l;

	ck_assert(h_tunnel_info(h, tunnel_id, &before));
	as_peer.lns_tid = tunnel_id;
	as_peer.ns = (uint16_t)before.transport.nr;
	lac_send(&as_peer, 0, m);
	h_advance(h, SEC);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).packets_dropped, dropped + 1);
	ck_assert(h_tunnel_info(h, tunnel_id, &after));
	ck_assert_str_eq(after.state, before.state);
	ck_assert_uint_eq(after.transport.nr, before.transport.nr);
}

/*
 * Two clients behind one NAT: the same address, port and tunnel id, told
 * apart by the mark of the IPsec SA each came through (the bits admit
 * names). Each SCCRQ is a tunnel of its own, which the other client cannot
 * use; admit's reply mark goes on every datagram of its tunnel (lac_recv
 * checks), from the SCCRP to the StopCCN, and on the StopCCN that rejects
 * an SCCRQ.
 */
START_TEST(marks_tell_clients_behind_one_nat_apart)
{
	struct harness *h = started_with_admit(0, 5);
	struct lns_tunnel_info info;
	struct lac a, b, bad;
	struct l2tp_msg m;
	uint16_t b_tid;
	struct rx *r;

	h->cfg.max_tunnels_per_peer = 0;
	h->admit_mark_mask = 0xff;
	lac_init(&a, h, 1, 1701, LAC_TID);
	a.addr.mark = 0x30a; /* bits outside the SA's mask: not the SA's, not the peer's */
	a.mark_mask = 0xff;
	a.reply_mark = 0xa0;
	h->admit_reply_mark = 0xa0;
	lac_open_tunnel(&a);
	settle_for(&a);
	ck_assert_uint_eq(h->admit_last.mark, 0x30a); /* asked with the datagram's mark */
	lac_init(&b, h, 1, 1701, LAC_TID);
	b.addr.mark = 0xb;
	b.mark_mask = 0xff;
	b.reply_mark = 0xb0;
	h->admit_owner = 6;
	h->admit_reply_mark = 0xb0;
	lac_open_tunnel(&b); /* not taken for a's repeated SCCRQ */
	settle_for(&b);
	ck_assert_uint_eq(h->admit_last.mark, 0xb);
	ck_assert_uint_ne(a.lns_tid, b.lns_tid);
	ck_assert_uint_eq(h_counters(h).tunnels, 2);
	ck_assert(h_tunnel_info(h, a.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 5);
	ck_assert_uint_eq(info.mark, 0xa);
	ck_assert_uint_eq(info.reply_mark, 0xa0);
	ck_assert(h_tunnel_info(h, b.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 6);
	ck_assert_uint_eq(info.mark, 0xb);
	ck_assert_uint_eq(info.reply_mark, 0xb0);
	/* each keeps its own: a HELLO's ack, with other bits outside the mask */
	a.addr.mark = 0x40a;
	lac_send_hello(&a);
	settle_for(&a);
	lac_send_hello(&b);
	settle_for(&b);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 0);
	/* b cannot stop a's tunnel, nor a b's */
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	assert_dropped(&b, a.lns_tid, &m);
	assert_dropped(&a, b.lns_tid, &m);
	b_tid = b.lns_tid;
	/* for tunnel 0 (its SCCRP lost), b's StopCCN reaches b's tunnel, not a's */
	b.lns_tid = 0;
	lac_send(&b, 0, &m);
	b.lns_tid = b_tid;
	settle_for(&b);
	ck_assert_str_eq(h_tunnel_state(h, a.lns_tid), "established");
	ck_assert_str_eq(h_tunnel_state(h, b.lns_tid), "stopped");
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, a.lns_tid), 0);
	lac_expect_stopccn(&a, L2TP_STOPCCN_GENERAL_CLEAR, -1);
	settle_for(&a);
	/* a rejected SCCRQ's StopCCN goes out with the mark admit gave */
	lac_init(&bad, h, 1, 1701, LAC_TID + 1);
	bad.addr.mark = 0xc;
	bad.mark_mask = 0xff;
	bad.reply_mark = 0xc0;
	h->admit_reply_mark = 0xc0;
	msg_sccrq(&m, LAC_TID + 1, "lac.test", 8);
	m.protocol_version = 2;
	lac_send(&bad, 0, &m);
	r = lac_expect(&bad, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_BAD_PROTOCOL_VERSION, -1);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/*
 * A tunnel admit names no mark bits for (its SA has no marks) is its
 * peer's whatever marks other rules put on the datagrams, as without marks.
 */
START_TEST(other_marks_do_not_matter_without_sa_marks)
{
	struct harness *h = started_with_admit(0, 5);
	struct lns_tunnel_info info;
	struct lac l;

	lac_init(&l, h, 1, 1701, LAC_TID);
	l.addr.mark = 0x77;
	lac_open_tunnel(&l);
	settle_for(&l);
	ck_assert(h_tunnel_info(h, l.lns_tid, &info));
	ck_assert_uint_eq(info.mark, 0);
	ck_assert_uint_eq(info.reply_mark, 0);
	l.addr.mark = 0;
	lac_send_hello(&l);
	settle_for(&l);
	l.addr.mark = 0x99;
	lac_send_hello(&l);
	settle_for(&l);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 0);
	ck_assert_uint_eq(h_counters(h).tunnels, 1);
	h_free(h);
}
END_TEST

/* An SCCRQ from l, for a tunnel of its own, refused for the tunnel limit. */
static void assert_over_the_limit(struct lac *l)
{
	struct l2tp_msg m;
	struct rx *r;

	msg_sccrq(&m, l->tid, "lac.test", 8);
	lac_send(l, 0, &m);
	r = lac_expect(l, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	h_expect_nothing(l->h);
}

/*
 * max_tunnels_per_peer: clients behind one NAT, each through its own
 * marked IPsec SA, are peers of their own, each with its own budget; a
 * peer is an address (any port) and the mark admit names (bits outside
 * the SA's mask do not count). Unmarked, one address is still one peer.
 */
START_TEST(tunnel_limit_per_peer_counts_each_sa_of_one_address)
{
	struct harness *h = started_with_admit(0, 5);
	struct lac a, b, a_again, plain, plain_again;

	h->cfg.max_tunnels_per_peer = 1;
	h->admit_mark_mask = 0xff;
	lac_init(&a, h, 1, 1701, LAC_TID);
	a.addr.mark = 0x10a;
	a.mark_mask = 0xff;
	lac_open_tunnel(&a);
	settle_for(&a);
	lac_init(&b, h, 1, 1701, LAC_TID + 1);
	b.addr.mark = 0xb;
	b.mark_mask = 0xff;
	lac_open_tunnel(&b);
	settle_for(&b);
	ck_assert_uint_eq(h_counters(h).tunnels, 2);
	/* a's SA again, from another port, other bits outside the mask: over a's budget */
	lac_init(&a_again, h, 1, 1702, LAC_TID + 2);
	a_again.addr.mark = 0x20a;
	a_again.mark_mask = 0xff;
	assert_over_the_limit(&a_again);
	ck_assert_uint_eq(h_counters(h).refused_tunnel_limit, 1);
	/* a's tunnel gone, its budget is free again */
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, a.lns_tid), 0);
	lac_expect_stopccn(&a, L2TP_STOPCCN_GENERAL_CLEAR, -1);
	lac_send_zlb(&a);
	h_advance(h, GIVE_UP);
	h_expect_nothing(h);
	ck_assert_ptr_null(h_tunnel_state(h, a.lns_tid));
	a_again.ns = a_again.nr = 0;
	lac_open_tunnel(&a_again);
	settle_for(&a_again);
	/* without SA marks, the address's tunnels share one budget, whatever their marks */
	h->admit_mark_mask = 0;
	lac_init(&plain, h, 1, 1703, LAC_TID + 3);
	plain.addr.mark = 0x77;
	lac_open_tunnel(&plain);
	settle_for(&plain);
	lac_init(&plain_again, h, 1, 1704, LAC_TID + 4);
	plain_again.addr.mark = 0x78;
	assert_over_the_limit(&plain_again);
	ck_assert_uint_eq(h_counters(h).tunnels, 3);
	ck_assert_uint_eq(h_counters(h).refused_tunnel_limit, 2);
	h_free(h);
}
END_TEST

/* Without io->admit everyone may, and no tunnel has an owner. */
START_TEST(without_admit_there_is_no_owner)
{
	struct harness *h = h_started();
	struct lns_tunnel_info info;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	ck_assert(h_tunnel_info(h, l.lns_tid, &info));
	ck_assert_uint_eq(info.owner, 0);
	assert_peer_addr(&info, &l);
	ck_assert_uint_eq(h->admit_calls, 0);
	ck_assert_uint_eq(h_counters(h).refused, 0);
	h_free(h);
}
END_TEST

/* ---- robustness ---- */

START_TEST(malformed_datagrams_are_dropped)
{
	struct harness *h = h_started();
	uint8_t pkt[256] = { 0 }, body[256];
	struct l2tp_msg m;
	struct writer w;
	struct lac l;
	uint64_t dropped = 0;
	size_t off, len;

	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	body_start(&w, body, sizeof(body), &m);
	writer_init(&w, pkt, sizeof(pkt));
	ck_assert(l2tp_control_header_write(&w, 0, 0, 0, 0, &off));
	len = L2TP_CONTROL_HEADER_LEN;
	/* every truncation of a header */
	for (size_t n = 0; n < len; n++) {
		h_input(h, &l.addr, pkt, n);
		ck_assert_uint_eq(h_counters(h).packets_dropped, ++dropped);
	}
	/* a ZLB for tunnel 0 */
	ck_assert(l2tp_header_finish(&w, off));
	h_input(h, &l.addr, pkt, len);
	ck_assert_uint_eq(h_counters(h).packets_dropped, ++dropped);
	/* an SCCRQ cut inside its AVPs, Length kept honest */
	lac_send_raw(&l, 0, 0, 0, 0, body, 20);
	ck_assert_uint_eq(h_counters(h).packets_dropped, ++dropped);
	/* version 3 */
	pkt[1] = 0x03;
	h_input(h, &l.addr, pkt, len);
	ck_assert_uint_eq(h_counters(h).packets_dropped, ++dropped);
	/* noise */
	for (unsigned int i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 37 + 11);
	h_input(h, &l.addr, pkt, sizeof(pkt));
	ck_assert_uint_eq(h_counters(h).packets_dropped, ++dropped);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_counters(h).data_packets, 0);
	h_free(h);
}
END_TEST

START_TEST(data_and_unknown_tunnels)
{
	struct harness *h = h_started();
	static const uint8_t data[] = { 0x40, 0x02, 0x00, 0x0c, 0x12, 0x34, 0x00, 0x01,
					0xff, 0x03, 0xc0, 0x21 };
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	h_input(h, &l.addr, data, sizeof(data));
	ck_assert_uint_eq(h_counters(h).data_packets, 1);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 0);
	l.lns_tid = 4242;
	lac_send_hello(&l);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 1);
	l.lns_tid = 0;
	msg_scccn(&m); /* not an SCCRQ, for tunnel 0 */
	lac_send(&l, 0, &m);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 2);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	h_free(h);
}
END_TEST

/* ---- shutdown ---- */

START_TEST(shutdown_stops_every_tunnel)
{
	struct harness *h = h_started();
	struct lac a, b, c, late;
	struct lac *lacs[] = { &a, &b, &c };
	struct l2tp_msg m;
	struct rx *r;

	lac_init(&a, h, 1, 40000, 1);
	lac_init(&b, h, 2, 40000, 2);
	lac_init(&c, h, 3, 40000, 3);
	lac_open_tunnel(&a);
	lac_open_session(&a, 0x10);
	lac_open_tunnel(&b);
	msg_sccrq(&m, 3, "lac.test", 8); /* c waits for its SCCCN */
	lac_send(&c, 0, &m);
	r = lac_expect(&c, L2TP_MSG_SCCRP);
	c.lns_tid = r->m.assigned_tunnel_id;
	lac_send_zlb(&c);
	h_expect_nothing(h);
	ck_assert(!lns_is_idle(h->lns));
	lns_shutdown(h->lns, h->now);
	ck_assert_uint_eq(h->ppp_down, 1); /* a's call */
	ck_assert_int_eq(h->last_down_end, LNS_END_SHUTDOWN);
	/* one StopCCN each, in an order (tunnel ids are random) not ours to assume */
	for (int i = 0; i < 3; i++) {
		struct lac *to = NULL;

		r = h_pop(h);
		ck_assert_ptr_nonnull(r);
		for (int k = 0; k < 3; k++)
			if (lacs[k]->tid == r->h.tunnel_id)
				to = lacs[k];
		ck_assert_ptr_nonnull(to);
		ck_assert(!memcmp(&r->addr.peer, &to->addr.peer, to->addr.peer_len));
		rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_SHUTTING_DOWN, 0);
		ck_assert_uint_eq(r->m.assigned_tunnel_id, to->lns_tid);
		to->nr++;
	}
	h_expect_nothing(h);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 0);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 0);
	ck_assert(!lns_is_idle(h->lns));
	lac_send_zlb(&a);
	lac_send_zlb(&b);
	ck_assert(!lns_is_idle(h->lns));
	lac_send_zlb(&c);
	ck_assert(lns_is_idle(h->lns));
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	/* no new tunnels */
	lac_init(&late, h, 4, 40000, 4);
	msg_sccrq(&m, 4, "lac.test", 8);
	lac_send(&late, 0, &m);
	r = lac_expect(&late, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_SHUTTING_DOWN, 0);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert(lns_is_idle(h->lns));
	h_free(h);
}
END_TEST

START_TEST(shutdown_gives_up_on_silent_peers)
{
	struct harness *h = h_started();
	struct lac l;
	uint64_t t0;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	t0 = h->now;
	lns_shutdown(h->lns, t0);
	lac_expect_stopccn(&l, L2TP_STOPCCN_SHUTTING_DOWN, 0);
	h_run_until(h, t0 + GIVE_UP - 1);
	ck_assert(!lns_is_idle(h->lns));
	h_run_until(h, t0 + GIVE_UP);
	ck_assert(lns_is_idle(h->lns));
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	h_free(h);
}
END_TEST

/* A tunnel the LAC had stopped owes no StopCCN: it does not hold up lns_is_idle(). */
START_TEST(shutdown_does_not_wait_for_tunnels_the_lac_stopped)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	lac_send(&l, 0, &m);
	lns_shutdown(h->lns, h->now);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h); /* our ack of their StopCCN; no StopCCN of ours */
	ck_assert(lns_is_idle(h->lns));
	h_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lns_dispatch");
	TCase *tc = tcase_create("dispatch");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tunnel_limit);
	tcase_add_test(tc, tunnel_limit_per_peer);
	tcase_add_test(tc, ipv6_peers);
	tcase_add_test(tc, sccrq_assigning_tunnel_zero_is_refused);
	tcase_add_loop_test(tc, another_peer_cannot_use_a_tunnel, 0, 2);
	tcase_add_loop_test(tc, refused_sccrq_gets_no_answer, 0, 3);
	tcase_add_test(tc, refused_stopccn_for_tunnel_zero_is_dropped);
	tcase_add_test(tc, admitted_tunnel_carries_its_owner);
	tcase_add_test(tc, marks_tell_clients_behind_one_nat_apart);
	tcase_add_test(tc, other_marks_do_not_matter_without_sa_marks);
	tcase_add_test(tc, tunnel_limit_per_peer_counts_each_sa_of_one_address);
	tcase_add_test(tc, without_admit_there_is_no_owner);
	tcase_add_test(tc, malformed_datagrams_are_dropped);
	tcase_add_test(tc, data_and_unknown_tunnels);
	tcase_add_test(tc, shutdown_stops_every_tunnel);
	tcase_add_test(tc, shutdown_gives_up_on_silent_peers);
	tcase_add_test(tc, shutdown_does_not_wait_for_tunnels_the_lac_stopped);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
