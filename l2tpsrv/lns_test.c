/*
 * Tests of the LNS control connection state machine (tunnel.c) against
 * the null data path, through lns_input() and lns_timer() only: its
 * establishment, messages out of place, unknown AVPs and message types,
 * keepalive, setups that fail, and the events it reports; the fake LAC, io
 * and clock are in lns_harness.c. How a tunnel ends (StopCCN either way,
 * lns_close_tunnel(), lns_abort_tunnel()) is tested in lns_stop_test.c,
 * what the tunnel secret does (authentication, hidden AVPs) in
 * secret_test.c, the call state machine in session_test.c, and the
 * dispatch around them (limits, peers, malformed input, shutdown: lns.c)
 * in lns_dispatch_test.c.
 */
#include <errno.h>
#include <string.h>

#include "check_tap.h"
#include "lns_harness.h"
#include "writer.h"

#define LAC_TID 0x1234

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

/* ---- setups that fail ---- */

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
