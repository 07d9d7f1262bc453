/*
 * Tests of the LNS control connection state machine (tunnel.c) against
 * the null data path, through lns_input() and lns_timer() only; the fake
 * LAC, io and clock are in lns_harness.c. What the tunnel secret does
 * (authentication, hidden AVPs) is tested in secret_test.c, the call state
 * machine in session_test.c, and the dispatch around them (limits, peers,
 * malformed input, shutdown: lns.c) in lns_dispatch_test.c.
 */
#include <errno.h>
#include <string.h>

#include "check_tap.h"
#include "lns_harness.h"
#include "writer.h"

#define LAC_TID 0x1234
/* RFC timers (1 s doubling to 8 s, 5 retransmissions): 1+2+4+8+8+8 s. */
#define GIVE_UP (31 * SEC)

/* ---- establishment ---- */

START_TEST(sccrq_gets_sccrp)
{
	struct harness *h = h_new();
	struct lac l;
	struct l2tp_msg m;
	struct l2tp_avp avp;
	struct rx *r;

	h->cfg.receive_window = 7;
	h_start(h);
	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_SCCRP);
	ck_assert_uint_eq(r->h.tunnel_id, LAC_TID);
	ck_assert_uint_eq(r->h.session_id, 0);
	ck_assert_uint_eq(r->h.ns, 0);
	ck_assert_uint_eq(r->h.nr, 1);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ck_assert_uint_ne(r->m.assigned_tunnel_id, 0);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_PROTOCOL_VERSION));
	ck_assert_uint_eq(r->m.protocol_version, 1);
	ck_assert_uint_eq(r->m.protocol_revision, 0);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_HOST_NAME));
	ck_assert_uint_eq(r->m.host_name.len, strlen(H_HOST_NAME));
	ck_assert(!memcmp(r->m.host_name.ptr, H_HOST_NAME, strlen(H_HOST_NAME)));
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_RECEIVE_WINDOW_SIZE));
	ck_assert_uint_eq(r->m.receive_window_size, 7);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_FRAMING_CAPABILITIES));
	ck_assert(!l2tp_msg_has(&r->m, L2TP_AVP_CHALLENGE));
	ck_assert(!l2tp_msg_has(&r->m, L2TP_AVP_CHALLENGE_RESPONSE));
	ck_assert_uint_eq(r->m.hidden, 0);
	/* Message Type first, with M set (4.4.1) */
	ck_assert(rx_raw_avp(r, L2TP_AVP_MESSAGE_TYPE, &avp));
	ck_assert(avp.mandatory && !avp.hidden && avp.value == r->body + 6);
	ck_assert_str_eq(h_tunnel_state(h, r->m.assigned_tunnel_id), "wait-ctl-conn");
	ck_assert_uint_eq(h_counters(h).tunnels, 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	ck_assert_uint_ne(h_deadline(h, r->m.assigned_tunnel_id), LNS_NO_DEADLINE);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

START_TEST(scccn_establishes_the_tunnel)
{
	struct harness *h = h_started();
	struct lns_tunnel_info info;
	struct dp_null_event ev;
	struct lac l;
	struct rx *r;
	uint64_t t0 = h->now;

	lac_init(&l, h, 1, 40000, LAC_TID);
	l.host_name = "lac-\"one\"";
	lac_open_tunnel(&l);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 1);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 1);
	ev = h_dp_last(h, DP_NULL_TUNNEL_ADD);
	ck_assert_uint_eq(ev.tunnel_id, l.lns_tid);
	ck_assert_uint_eq(ev.peer_id, LAC_TID);
	ck_assert(h_tunnel_info(h, l.lns_tid, &info));
	ck_assert_uint_eq(info.peer_tunnel_id, LAC_TID);
	ck_assert_str_eq(info.host_name, "lac-?one?"); /* quotes made printable */
	ck_assert_str_eq(info.peer, "192.0.2.1:40000");
	ck_assert_uint_eq(info.established_usec, t0);
	ck_assert_uint_eq(info.sessions, 0);
	ck_assert_uint_eq(h_counters(h).tunnels_established, 1);
	/* the SCCCN is acknowledged by a ZLB after the ack delay */
	h_expect_nothing(h);
	h_advance(h, h->cfg.ack_delay_usec);
	r = lac_recv(&l);
	ck_assert(r->zlb);
	ck_assert_uint_eq(r->h.ns, 1);
	ck_assert_uint_eq(r->h.nr, 2);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

START_TEST(repeated_sccrq_gets_only_a_zlb)
{
	struct harness *h = h_started();
	uint8_t body[256];
	struct l2tp_msg m;
	struct writer w;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	body_start(&w, body, sizeof(body), &m);
	lac_send_raw(&l, 0, 0, 0, 0, body, writer_len(&w));
	r = lac_recv(&l);
	ck_assert(r->rc == 0 && r->m.type == L2TP_MSG_SCCRP);
	/* the SCCRP was lost: the LAC sends its SCCRQ again */
	lac_send_raw(&l, 0, 0, 0, 0, body, writer_len(&w));
	r = lac_recv(&l);
	ck_assert(r->zlb);
	ck_assert_uint_eq(r->h.ns, 1);
	ck_assert_uint_eq(r->h.nr, 1);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 1);
	h_free(h);
}
END_TEST

START_TEST(protocol_version_2_is_refused)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	m.protocol_version = 2;
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_BAD_PROTOCOL_VERSION, 0);
	ck_assert_uint_eq(r->h.session_id, 0);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	h_free(h);
}
END_TEST

START_TEST(sccrq_without_host_name_is_refused)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	m.present &= ~((uint64_t)1 << L2TP_AVP_HOST_NAME);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR, -1);
	ck_assert_ptr_nonnull(memmem(r->m.error_message.ptr, r->m.error_message.len, "Host Name",
				     9));
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	h_free(h);
}
END_TEST

/* ---- messages out of place ---- */

START_TEST(scccn_when_established_is_an_fsm_error)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	msg_scccn(&m);
	lac_send(&l, 0, &m);
	lac_expect_stopccn(&l, L2TP_STOPCCN_FSM_ERROR, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopping");
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 0);
	h_free(h);
}
END_TEST

/* _i: 0 while waiting for SCCCN, 1 when established. */
START_TEST(sccrp_is_always_an_fsm_error)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	if (_i == 0)
		lac_start_tunnel(&l);
	else
		lac_open_tunnel(&l);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	m.type = L2TP_MSG_SCCRP;
	lac_send(&l, 0, &m);
	lac_expect_stopccn(&l, L2TP_STOPCCN_FSM_ERROR, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopping");
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 0);
	h_free(h);
}
END_TEST

START_TEST(icrq_before_scccn_is_an_fsm_error)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_start_tunnel(&l);
	msg_icrq(&m, 5, 5);
	lac_send(&l, 0, &m);
	lac_expect_stopccn(&l, L2TP_STOPCCN_FSM_ERROR, 0);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	h_free(h);
}
END_TEST

/* ---- unknown AVPs and message types (RFC 2661 4.1, 4.4.1) ---- */

START_TEST(unknown_mandatory_avp_stops_the_tunnel)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	lac_send_with_extra_avp(&l, 0, &m, 9, 1, true);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 0);
	h_free(h);
}
END_TEST

START_TEST(sccrq_with_unknown_mandatory_avp_is_refused)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	lac_send_with_extra_avp(&l, 0, &m, 0, 60, true);
	r = lac_expect(&l, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR,
			 L2TP_ERR_UNKNOWN_MANDATORY_AVP);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	h_free(h);
}
END_TEST

START_TEST(unknown_optional_avps_are_ignored)
{
	struct harness *h = h_started();
	struct lns_tunnel_info info;
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	/* in an SCCRQ: still answered */
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	lac_send_with_extra_avp(&l, 0, &m, 0, 60, false);
	r = lac_expect(&l, L2TP_MSG_SCCRP);
	l.lns_tid = r->m.assigned_tunnel_id;
	msg_scccn(&m);
	lac_send_with_extra_avp(&l, 0, &m, 9, 1, false);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	/* in a HELLO: acknowledged, nothing else */
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	lac_send_with_extra_avp(&l, 0, &m, 9, 1, false);
	h_advance(h, h->cfg.ack_delay_usec);
	r = lac_recv(&l);
	ck_assert(r->zlb);
	ck_assert_uint_eq(r->h.nr, 3);
	h_expect_nothing(h);
	ck_assert(h_tunnel_info(h, l.lns_tid, &info));
	ck_assert_str_eq(info.state, "established");
	ck_assert_uint_eq(info.transport.delivered, 3);
	h_free(h);
}
END_TEST

START_TEST(unknown_message_type_without_m_is_ignored)
{
	struct harness *h = h_started();
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	lac_send_bare_type(&l, 99, false);
	h_advance(h, h->cfg.ack_delay_usec);
	r = lac_recv(&l);
	ck_assert(r->zlb);
	ck_assert_uint_eq(r->h.nr, 3);
	h_expect_nothing(h);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	/* and the tunnel still works */
	lac_send_hello(&l);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	h_free(h);
}
END_TEST

START_TEST(unknown_message_type_with_m_stops_the_tunnel)
{
	struct harness *h = h_started();
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	lac_send_bare_type(&l, 99, true);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopping");
	h_free(h);
}
END_TEST

/* ---- keepalive ---- */

static struct harness *started_with_hello(uint64_t interval)
{
	struct harness *h = h_new();

	h->cfg.hello_interval_usec = interval;
	h_start(h);
	return h;
}

START_TEST(hello_after_an_idle_interval)
{
	struct harness *h = started_with_hello(10 * SEC);
	struct lac l;
	struct rx *r;
	uint64_t t0;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	t0 = h->now;
	h_advance(h, 10 * SEC - 1);
	h_expect_only_zlbs(h);
	h_advance(h, 1);
	r = lac_expect(&l, L2TP_MSG_HELLO);
	ck_assert_uint_eq(r->at, t0 + 10 * SEC);
	ck_assert_uint_eq(r->h.session_id, 0);
	ck_assert_uint_eq(r->h.ns, 1);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

START_TEST(unanswered_hello_ends_the_tunnel)
{
	struct harness *h = started_with_hello(60 * SEC);
	struct lac l;
	struct rx *r;
	uint64_t t_hello;
	unsigned int hellos = 0;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	lac_open_session(&l, 0x55);
	lac_send_zlb(&l); /* acks the ICRP */
	h_advance(h, 60 * SEC);
	r = lac_expect(&l, L2TP_MSG_HELLO);
	t_hello = r->at;
	h_run_until(h, t_hello + GIVE_UP - 1);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	h_run_until(h, t_hello + GIVE_UP);
	ck_assert_ptr_null(h_tunnel_state(h, l.lns_tid));
	while ((r = h_pop(h))) {
		ck_assert_msg(r->rc == 0 && r->m.type == L2TP_MSG_HELLO, "got %s",
			      r->zlb ? "ZLB" : l2tp_msg_type_name(r->m.type));
		ck_assert_uint_eq(r->h.ns, 2);
		hellos++;
	}
	ck_assert_uint_eq(hellos, h->cfg.retransmit_count);
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_int_eq(h->last_down_end, LNS_END_LOST); /* Acct-Terminate-Cause Lost-Carrier */
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ck_assert_uint_eq(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	h_free(h);
}
END_TEST

START_TEST(answered_hello_keeps_the_tunnel)
{
	struct harness *h = started_with_hello(10 * SEC);
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	for (int i = 0; i < 6; i++) {
		uint64_t t = h->now;

		h_advance(h, 10 * SEC);
		r = lac_expect(&l, L2TP_MSG_HELLO);
		ck_assert_uint_eq(r->at, t + 10 * SEC);
		h_expect_nothing(h);
		lac_send_zlb(&l);
	}
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 0);
	h_free(h);
}
END_TEST

/* ---- the end of a tunnel ---- */

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
 * out, once. _i: the LAC's receive window, 8 or 1 (then the SLI fills it:
 * the known bug above).
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

START_TEST(tunnel_data_path_failure_stops_the_tunnel)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_start_tunnel(&l);
	dataplane_null_fail_next(h->dp, DP_NULL_TUNNEL_ADD, -ENOMEM, 1);
	msg_scccn(&m);
	lac_send(&l, 0, &m);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(h_counters(h).tunnels_established, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 0);
	h_free(h);
}
END_TEST

START_TEST(no_scccn_gives_up_with_stopccn)
{
	struct harness *h = h_started();
	struct lac l;
	uint64_t t0;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_start_tunnel(&l);
	lac_send_zlb(&l); /* SCCRP acknowledged, but no SCCCN follows */
	t0 = h->now;
	h_run_until(h, t0 + GIVE_UP - 1);
	h_expect_nothing(h);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "wait-ctl-conn");
	h_run_until(h, t0 + GIVE_UP);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_ERROR, -1);
	h_expect_nothing(h);
	lac_send_zlb(&l);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	h_free(h);
}
END_TEST

START_TEST(silent_lac_is_given_up)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;
	uint64_t t0 = h->now;
	unsigned int sccrps = 0;

	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	lac_send(&l, 0, &m);
	h_run_until(h, t0 + GIVE_UP);
	while ((r = h_pop(h))) {
		ck_assert(r->rc == 0 && r->m.type == L2TP_MSG_SCCRP);
		ck_assert_uint_eq(r->h.ns, 0);
		sccrps++;
	}
	ck_assert_uint_eq(sccrps, 1 + h->cfg.retransmit_count);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_counters(h).tunnels_failed, 1);
	h_free(h);
}
END_TEST

/*
 * stats.h's "tunnel" phase: a tunnel taken with an SCCRQ that ends before
 * its SCCCN counts once, however it ends and however long it is held;
 * an established one that ends does not count.
 */
START_TEST(tunnels_ended_before_scccn_count_as_failed_setups)
{
	struct harness *h = h_started();
	struct lac silent, stopping, established;
	struct l2tp_msg m;

	lac_init(&silent, h, 1, 40000, 1);
	lac_init(&stopping, h, 2, 40000, 2);
	lac_init(&established, h, 3, 40000, 3);
	lac_start_tunnel(&silent);
	lac_send_zlb(&silent); /* SCCRP acknowledged, no SCCCN follows */
	lac_start_tunnel(&stopping);
	msg_stopccn(&m, 2, L2TP_STOPCCN_GENERAL_CLEAR);
	lac_send(&stopping, 0, &m);
	ck_assert_uint_eq(h_counters(h).tunnels_failed, 1);
	lac_open_tunnel(&established);
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, established.lns_tid), 0);
	ck_assert_uint_eq(h_counters(h).tunnels_failed, 1);
	h_advance(h, 2 * GIVE_UP); /* the silent one is given up; all are freed */
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_counters(h).tunnels_failed, 2);
	ck_assert_uint_eq(h_counters(h).tunnels_established, 1);
	h_free(h);
}
END_TEST

/* ---- what the tunnel's life tells io->event (the per-peer history) ---- */

START_TEST(events_of_a_tunnel_up_then_stopped_by_the_lac)
{
	struct harness *h = h_started();
	const struct h_event *e;
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	ck_assert_uint_eq(h->n_events, 2);
	e = &h->events[0];
	ck_assert_int_eq(e->kind, LNS_EV_SCCRQ);
	ck_assert_uint_eq(e->tunnel_id, l.lns_tid);
	ck_assert_str_eq(e->text, "lac.test");
	e = &h->events[1];
	ck_assert_int_eq(e->kind, LNS_EV_TUNNEL_UP);
	ck_assert(!e->authenticated);
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	lac_send(&l, 0, &m);
	e = h_event_last(h, LNS_EV_TUNNEL_STOPPED);
	ck_assert(e->established);
	ck_assert_uint_eq(e->result, L2TP_STOPCCN_GENERAL_CLEAR);
	ck_assert_uint_eq(h->n_events, 3);
	/* its end is told once, not again when the tunnel is freed */
	h_advance(h, GIVE_UP);
	ck_assert_uint_eq(h->n_events, 3);
	h_free(h);
}
END_TEST

START_TEST(events_of_a_tunnel_that_never_comes_up)
{
	struct harness *h = h_started();
	const struct h_event *e;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_start_tunnel(&l);
	lac_send_zlb(&l);
	h_advance(h, GIVE_UP);
	e = h_event_last(h, LNS_EV_TUNNEL_STOP);
	ck_assert(!e->established);
	ck_assert_uint_eq(e->result, L2TP_STOPCCN_GENERAL_ERROR);
	ck_assert_str_eq(e->text, "no SCCCN from the peer");
	ck_assert_uint_eq(h_events(h, LNS_EV_TUNNEL_UP), 0);
	h_free(h);
}
END_TEST

START_TEST(events_of_a_tunnel_whose_lac_goes_silent)
{
	struct harness *h = h_started();
	const struct h_event *e;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	/* a HELLO unanswered, retransmitted until the transport gives up */
	h_advance(h, h->cfg.hello_interval_usec + GIVE_UP);
	e = h_event_last(h, LNS_EV_TUNNEL_LOST);
	ck_assert(e->established);
	ck_assert_uint_eq(e->tunnel_id, l.lns_tid);
	h_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lns");
	TCase *tc = tcase_create("tunnel");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sccrq_gets_sccrp);
	tcase_add_test(tc, scccn_establishes_the_tunnel);
	tcase_add_test(tc, repeated_sccrq_gets_only_a_zlb);
	tcase_add_test(tc, protocol_version_2_is_refused);
	tcase_add_test(tc, sccrq_without_host_name_is_refused);
	tcase_add_test(tc, scccn_when_established_is_an_fsm_error);
	tcase_add_loop_test(tc, sccrp_is_always_an_fsm_error, 0, 2);
	tcase_add_test(tc, icrq_before_scccn_is_an_fsm_error);
	tcase_add_test(tc, unknown_mandatory_avp_stops_the_tunnel);
	tcase_add_test(tc, sccrq_with_unknown_mandatory_avp_is_refused);
	tcase_add_test(tc, unknown_optional_avps_are_ignored);
	tcase_add_test(tc, unknown_message_type_without_m_is_ignored);
	tcase_add_test(tc, unknown_message_type_with_m_stops_the_tunnel);
	tcase_add_test(tc, hello_after_an_idle_interval);
	tcase_add_test(tc, unanswered_hello_ends_the_tunnel);
	tcase_add_test(tc, answered_hello_keeps_the_tunnel);
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
	tcase_add_test(tc, tunnel_data_path_failure_stops_the_tunnel);
	tcase_add_test(tc, no_scccn_gives_up_with_stopccn);
	tcase_add_test(tc, silent_lac_is_given_up);
	tcase_add_test(tc, tunnels_ended_before_scccn_count_as_failed_setups);
	tcase_add_test(tc, events_of_a_tunnel_up_then_stopped_by_the_lac);
	tcase_add_test(tc, events_of_a_tunnel_that_never_comes_up);
	tcase_add_test(tc, events_of_a_tunnel_whose_lac_goes_silent);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
