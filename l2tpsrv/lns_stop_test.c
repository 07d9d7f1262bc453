/*
 * Tests of how an LNS control connection (tunnel.c) ends, against the null
 * data path: a StopCCN from the LAC (also before our SCCRP reached it, and
 * crossing ours), lns_close_tunnel(), and lns_abort_tunnel() when the
 * IPsec SA went. The fake LAC, io and clock are in lns_harness.c; the rest
 * of the tunnel's life is tested in lns_test.c.
 */
#include <errno.h>
#include <string.h>

#include "check_tap.h"
#include "lns_harness.h"
#include "writer.h"

#define LAC_TID 0x1234

/* ---- StopCCN and lns_close_tunnel() ---- */

START_TEST(stopccn_from_the_lac)
{
	struct harness *h = h_started();
	uint8_t body[64];
	struct writer w;
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;
	uint64_t t_stop;
	uint16_t stop_ns;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	lac_open_session(&l, 0x11);
	lac_open_session(&l, 0x22);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 2);
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	stop_ns = l.ns;
	lac_send(&l, 0, &m);
	t_stop = h->now;
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 2);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	ck_assert_uint_eq(h->ppp_down, 2);
	ck_assert_int_eq(h->last_down_end, LNS_END_PEER);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 0);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 0);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopped");
	/* acknowledged by a ZLB */
	h_advance(h, h->cfg.ack_delay_usec);
	r = lac_recv(&l);
	ck_assert(r->zlb);
	ck_assert_uint_eq(r->h.nr, (uint16_t)(stop_ns + 1));
	h_expect_nothing(h);
	/* a repeated StopCCN is acknowledged again, at once */
	body_start(&w, body, sizeof(body), &m);
	lac_send_raw(&l, l.lns_tid, 0, stop_ns, l.nr, body, writer_len(&w));
	r = lac_recv(&l);
	ck_assert(r->zlb);
	h_expect_nothing(h);
	/* held for the give-up time, then freed */
	h_run_until(h, t_stop + GIVE_UP - 1);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopped");
	h_run_until(h, t_stop + GIVE_UP);
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/* Nobody takes what we had not got acknowledged when the LAC stopped: no retransmissions. */
START_TEST(stopccn_from_the_lac_ends_our_retransmissions)
{
	struct harness *h = h_started();
	uint8_t body[64];
	struct writer w;
	struct l2tp_msg m;
	struct lac l;
	uint16_t sid, nr_before_sli;
	uint64_t t_stop;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	sid = lac_open_session(&l, 0x11);
	h_advance(h, h->cfg.ack_delay_usec);
	h_drain(h);
	nr_before_sli = l.nr;
	ck_assert_int_eq(lns_session_set_accm(h->lns, h->now, l.lns_tid, sid, 0, 0), 0);
	lac_expect(&l, L2TP_MSG_SLI); /* not acknowledged: */
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	body_start(&w, body, sizeof(body), &m);
	lac_send_raw(&l, l.lns_tid, 0, l.ns, nr_before_sli, body, writer_len(&w));
	t_stop = h->now;
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopped");
	h_run_until(h, t_stop + GIVE_UP - 1);
	h_expect_only_zlbs(h);
	h_run_until(h, t_stop + GIVE_UP);
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	h_free(h);
}
END_TEST

/* RFC 2661 4.4.3: the SCCRP was lost; the LAC's StopCCN goes to tunnel 0 and names its own. */
START_TEST(stopccn_before_the_sccrp_names_the_tunnel_by_its_avp)
{
	struct harness *h = h_started();
	struct lac l, other_port;
	struct l2tp_msg m;
	struct rx *r;
	uint16_t lns_tid;
	uint64_t t_stop;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lns_tid = lac_start_tunnel(&l)->m.assigned_tunnel_id;
	l.lns_tid = 0;
	l.nr = 0; /* as if the SCCRP never came */
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	/* the same from another port of the host is not this LAC's */
	lac_init(&other_port, h, 1, 40001, LAC_TID);
	other_port.ns = 1;
	lac_send(&other_port, 0, &m);
	ck_assert_str_eq(h_tunnel_state(h, lns_tid), "wait-ctl-conn");
	ck_assert_uint_eq(h_counters(h).packets_dropped, 1);
	lac_send(&l, 0, &m);
	t_stop = h->now;
	ck_assert_str_eq(h_tunnel_state(h, lns_tid), "stopped");
	h_advance(h, h->cfg.ack_delay_usec);
	r = lac_recv(&l);
	ck_assert(r->zlb);
	ck_assert_uint_eq(r->h.nr, 2);
	h_run_until(h, t_stop + GIVE_UP);
	ck_assert_ptr_null(h_tunnel_state(h, lns_tid));
	while ((r = h_pop(h)))
		ck_assert_msg(r->zlb || r->m.type == L2TP_MSG_SCCRP, "got %s",
			      l2tp_msg_type_name(r->m.type));
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	h_free(h);
}
END_TEST

START_TEST(close_tunnel_sends_stopccn)
{
	struct harness *h = h_started();
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	lac_open_session(&l, 0x11);
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, (uint16_t)(l.lns_tid + 1)), -ENOENT);
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, 0), -ENOENT);
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, l.lns_tid), 0);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_CLEAR, 0);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_int_eq(h->last_down_end, LNS_END_ADMIN);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopping");
	ck_assert_uint_ne(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	/* a second close changes nothing */
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, l.lns_tid), 0);
	h_expect_nothing(h);
	lac_send_zlb(&l);
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	ck_assert_uint_eq(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/* ---- lns_abort_tunnel(): the IPsec SA went, the tunnel goes at once ---- */

#define ABORT_WHY "IPsec SA gone"

/* Asserts a StopCCN to l with result 1 (General request to clear) and ABORT_WHY as its message. */
static void expect_abort_stopccn(struct lac *l)
{
	struct rx *r = lac_expect(l, L2TP_MSG_STOPCCN);

	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_CLEAR, 0);
	ck_assert_uint_eq(r->h.session_id, 0);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ck_assert_uint_eq(r->m.assigned_tunnel_id, l->lns_tid);
	ck_assert_uint_eq(r->m.error_message.len, strlen(ABORT_WHY));
	ck_assert(!memcmp(r->m.error_message.ptr, ABORT_WHY, strlen(ABORT_WHY)));
}

/*
 * An established tunnel with a call: one StopCCN, the call's PPP and data
 * path let go, the tunnel freed at once with its timer disarmed, and
 * nothing more later (no retransmission of the StopCCN).
 */
START_TEST(abort_tunnel_stops_once_and_frees_at_once)
{
	struct harness *h = h_started();
	struct lac l;
	uint16_t sid;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	sid = lac_open_session(&l, 0x11);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	ck_assert_uint_eq(h->ppp_up, 1);
	ck_assert_uint_eq(h->ppp_down, 0);
	ck_assert_uint_ne(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE); /* hello or give-up */
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, l.lns_tid, ABORT_WHY), 0);
	expect_abort_stopccn(&l);
	h_expect_nothing(h);
	/* the call went with it */
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_uint_eq(h->last_down_tid, l.lns_tid);
	ck_assert_uint_eq(h->last_down_sid, sid);
	ck_assert_int_eq(h->last_down_end, LNS_END_IPSEC);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 0);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 0);
	/* and the tunnel: gone now, not after a hold time */
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_uint_eq(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	ck_assert(lns_is_idle(h->lns));
	h_advance(h, 2 * GIVE_UP);
	h_expect_nothing(h);
	/* the LAC's answer finds no tunnel, and gets none */
	lac_send_zlb(&l);
	lac_send_hello(&l);
	h_advance(h, SEC);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 2);
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, l.lns_tid, ABORT_WHY), -ENOENT);
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	h_free(h);
}
END_TEST

/* Only the tunnel named goes; ids we do not have (0 among them) are -ENOENT and touch nothing. */
START_TEST(abort_tunnel_touches_only_its_tunnel)
{
	struct harness *h = h_started();
	struct lac a, b;
	uint16_t unused = 1;

	lac_init(&a, h, 1, 40000, 1);
	lac_init(&b, h, 2, 40000, 2);
	lac_open_tunnel(&a);
	lac_open_session(&a, 0x11);
	lac_open_tunnel(&b);
	lac_open_session(&b, 0x22);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	while (unused == a.lns_tid || unused == b.lns_tid)
		unused++;
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, unused, ABORT_WHY), -ENOENT);
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, 0, ABORT_WHY), -ENOENT);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 2);
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, b.lns_tid, ABORT_WHY), 0);
	expect_abort_stopccn(&b);
	h_expect_nothing(h);
	ck_assert_ptr_null(h_tunnel_state(h, b.lns_tid));
	ck_assert_str_eq(h_tunnel_state(h, a.lns_tid), "established");
	ck_assert_uint_eq(h_counters(h).sessions, 1);
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_uint_eq(h->last_down_tid, b.lns_tid);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 1);
	/* a still works */
	lac_send_hello(&a);
	h_advance(h, h->cfg.ack_delay_usec);
	ck_assert(lac_recv(&a)->zlb);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/* A tunnel already stopping (our StopCCN sent) is freed without a second StopCCN. */
START_TEST(abort_a_stopping_tunnel_sends_nothing_more)
{
	struct harness *h = h_started();
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	lac_open_session(&l, 0x11);
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, l.lns_tid), 0);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_CLEAR, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopping");
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_int_eq(h->last_down_end, LNS_END_ADMIN);
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, l.lns_tid, ABORT_WHY), 0);
	h_expect_nothing(h);
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	ck_assert_uint_eq(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	h_advance(h, 2 * GIVE_UP);
	h_expect_nothing(h); /* the first StopCCN is not retransmitted either */
	h_free(h);
}
END_TEST

/* Before the SCCCN (our SCCRP not yet acknowledged): the StopCCN still goes out, once. */
START_TEST(abort_a_tunnel_waiting_for_scccn)
{
	struct harness *h = h_started();
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_start_tunnel(&l);
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, l.lns_tid, ABORT_WHY), 0);
	expect_abort_stopccn(&l);
	h_expect_nothing(h);
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	ck_assert_uint_eq(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	h_advance(h, 2 * GIVE_UP);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/*
 * With a message of ours unacknowledged (an SLI): the StopCCN still goes
 * out, once. _i: the LAC's receive window, 8 or 1 (then the SLI fills it,
 * and the StopCCN must still not wait behind it).
 */
START_TEST(abort_with_a_message_unacknowledged)
{
	struct harness *h = h_started();
	struct lac l;
	uint16_t sid;

	lac_init(&l, h, 1, 40000, LAC_TID);
	l.window = _i ? 1 : 8;
	lac_open_tunnel(&l);
	sid = lac_open_session(&l, 0x11);
	h_advance(h, h->cfg.ack_delay_usec);
	h_drain(h);
	ck_assert_int_eq(lns_session_set_accm(h->lns, h->now, l.lns_tid, sid, 0, 0), 0);
	lac_expect(&l, L2TP_MSG_SLI); /* and the LAC does not acknowledge it */
	ck_assert_int_eq(lns_abort_tunnel(h->lns, h->now, l.lns_tid, ABORT_WHY), 0);
	expect_abort_stopccn(&l);
	h_expect_nothing(h);
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	h_advance(h, 2 * GIVE_UP);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/* The LAC answers our StopCCN with its own, acknowledging ours in it. */
START_TEST(stopccn_crossing_ours_is_acknowledged)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;
	uint16_t their_ns;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, l.lns_tid), 0);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_CLEAR, 0);
	their_ns = l.ns;
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	lac_send(&l, 0, &m);
	h_advance(h, h->cfg.ack_delay_usec);
	r = h_pop(h);
	ck_assert_msg(r != NULL, "the LAC's StopCCN was never acknowledged");
	ck_assert(r->zlb);
	ck_assert_uint_eq(r->h.nr, (uint16_t)(their_ns + 1));
	h_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lns stop");
	TCase *tc = tcase_create("tunnel end");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stopccn_from_the_lac);
	tcase_add_test(tc, stopccn_from_the_lac_ends_our_retransmissions);
	tcase_add_test(tc, stopccn_before_the_sccrp_names_the_tunnel_by_its_avp);
	tcase_add_test(tc, close_tunnel_sends_stopccn);
	tcase_add_test(tc, abort_tunnel_stops_once_and_frees_at_once);
	tcase_add_test(tc, abort_tunnel_touches_only_its_tunnel);
	tcase_add_test(tc, abort_a_stopping_tunnel_sends_nothing_more);
	tcase_add_test(tc, abort_a_tunnel_waiting_for_scccn);
	tcase_add_loop_test(tc, abort_with_a_message_unacknowledged, 0, 2);
	tcase_add_test(tc, stopccn_crossing_ours_is_acknowledged);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
