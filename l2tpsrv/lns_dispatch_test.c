/*
 * Tests of the LNS's dispatch around the state machines (lns.c): tunnel
 * limits, which peer may use a tunnel, IPv6 peers, malformed input and
 * data packets, and shutdown. The fake LAC, io and clock are in
 * lns_harness.c; the tunnel state machine is tested in lns_test.c.
 */
#include <errno.h>
#include <string.h>

#include "check_tap.h"
#include "lns_harness.h"
#include "writer.h"

#define LAC_TID 0x1234
/* RFC timers (1 s doubling to 8 s, 5 retransmissions): 1+2+4+8+8+8 s. */
#define GIVE_UP (31 * SEC)

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

/* ---- robustness ---- */

START_TEST(malformed_datagrams_are_dropped)
{
	struct harness *h = h_started();
	uint8_t pkt[256], body[256];
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
	tcase_add_test(tc, malformed_datagrams_are_dropped);
	tcase_add_test(tc, data_and_unknown_tunnels);
	tcase_add_test(tc, shutdown_stops_every_tunnel);
	tcase_add_test(tc, shutdown_gives_up_on_silent_peers);
	tcase_add_test(tc, shutdown_does_not_wait_for_tunnels_the_lac_stopped);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
