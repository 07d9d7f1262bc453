/*
 * Tests of the LNS call state machine (session.c) against the null data
 * path, through lns_input() and the administrative calls of lns.h; the
 * fake LAC, io and clock are in lns_harness.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "lns_harness.h"
#include "writer.h"

#define LAC_TID 0x4321
#define PEER_SID 0x0a0b

/* An established tunnel to a fresh harness over cfg's defaults. */
static struct harness *tunnel_up(struct lac *l)
{
	struct harness *h = h_started();

	lac_init(l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(l);
	return h;
}

/* A CDN for the LAC's session peer_sid; asserts result, error and our Assigned Session ID. */
static void expect_cdn(struct lac *l, uint16_t peer_sid, uint16_t our_sid, uint16_t result,
		       int error)
{
	struct rx *r = lac_expect(l, L2TP_MSG_CDN);

	rx_assert_result(r, L2TP_MSG_CDN, result, error);
	ck_assert_uint_eq(r->h.session_id, peer_sid);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_SESSION_ID));
	ck_assert_uint_eq(r->m.assigned_session_id, our_sid);
}

/* ICRQ and its ICRP; returns our session id, left waiting for the ICCN. */
static uint16_t incoming_call(struct lac *l, uint16_t peer_sid)
{
	struct l2tp_msg m;
	struct rx *r;

	msg_icrq(&m, peer_sid, 1);
	lac_send(l, 0, &m);
	r = lac_expect(l, L2TP_MSG_ICRP);
	return r->m.assigned_session_id;
}

START_TEST(icrq_gets_icrp)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct lns_session_info info;
	struct l2tp_msg m;
	struct rx *r;
	uint16_t sid;

	msg_icrq(&m, PEER_SID, 77);
	m.calling_number.ptr = (const uint8_t *)"5550001";
	m.calling_number.len = 7;
	l2tp_msg_set(&m, L2TP_AVP_CALLING_NUMBER);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_ICRP);
	ck_assert_uint_eq(r->h.tunnel_id, LAC_TID);
	ck_assert_uint_eq(r->h.session_id, PEER_SID);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_SESSION_ID));
	sid = r->m.assigned_session_id;
	ck_assert_uint_ne(sid, 0);
	h_expect_nothing(h);
	ck_assert(h_session_info(h, l.lns_tid, sid, &info));
	ck_assert_str_eq(info.state, "wait-connect");
	ck_assert_uint_eq(info.peer_session_id, PEER_SID);
	ck_assert_uint_eq(info.call_serial_number, 77);
	ck_assert_str_eq(info.calling_number, "5550001");
	ck_assert_uint_eq(h_counters(h).sessions, 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_ADD), 0);
	h_free(h);
}
END_TEST

/* _i: Sequencing Required absent (0) or present (1). */
START_TEST(iccn_connects_the_call)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct lns_session_info info;
	struct dp_null_event ev;
	struct l2tp_msg m;
	uint16_t sid = incoming_call(&l, PEER_SID);

	msg_iccn(&m, 64000, _i);
	lac_send(&l, sid, &m);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_ADD), 1);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 1);
	ev = h_dp_last(h, DP_NULL_SESSION_ADD);
	ck_assert_uint_eq(ev.tunnel_id, l.lns_tid);
	ck_assert_uint_eq(ev.session_id, sid);
	ck_assert_uint_eq(ev.peer_id, PEER_SID);
	ck_assert_int_eq(ev.sequencing, _i);
	ck_assert(h_session_info(h, l.lns_tid, sid, &info));
	ck_assert_str_eq(info.state, "established");
	ck_assert_uint_eq(info.tx_connect_speed, 64000);
	ck_assert_uint_eq(info.established_usec, h->now);
	ck_assert_uint_eq(info.send_accm, 0xffffffff);
	ck_assert_uint_eq(info.recv_accm, 0xffffffff);
	ck_assert_uint_eq(h_counters(h).sessions_established, 1);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	h_free(h);
}
END_TEST

START_TEST(cdn_from_the_lac_ends_the_call)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct dp_null_event ev;
	struct l2tp_msg m;
	uint16_t sid = lac_open_session(&l, PEER_SID);
	uint16_t other = lac_open_session(&l, PEER_SID + 1);

	ck_assert_uint_eq(h_events(h, LNS_EV_CALL), 2);
	ck_assert_uint_eq(h_events(h, LNS_EV_CALL_UP), 2);
	ck_assert_uint_eq(h_event_last(h, LNS_EV_CALL_UP)->session_id, other);
	msg_cdn(&m, PEER_SID, L2TP_CDN_LOST_CARRIER);
	lac_send(&l, sid, &m);
	/* the history hears of the end, an established call's */
	ck_assert_uint_eq(h_event_last(h, LNS_EV_CALL_STOPPED)->session_id, sid);
	ck_assert_uint_eq(h_event_last(h, LNS_EV_CALL_STOPPED)->result, L2TP_CDN_LOST_CARRIER);
	ck_assert(h_event_last(h, LNS_EV_CALL_STOPPED)->established);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ev = h_dp_last(h, DP_NULL_SESSION_DEL);
	ck_assert_uint_eq(ev.tunnel_id, l.lns_tid);
	ck_assert_uint_eq(ev.session_id, sid);
	ck_assert(!h_session_info(h, l.lns_tid, sid, NULL));
	ck_assert(h_session_info(h, l.lns_tid, other, NULL));
	ck_assert_uint_eq(h_counters(h).sessions, 1);
	ck_assert_uint_eq(h_counters(h).sessions_failed, 0); /* it was established */
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 0);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h); /* no CDN back */
	/* a CDN for a call that is gone is ignored */
	lac_send(&l, sid, &m);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	h_free(h);
}
END_TEST

START_TEST(cdn_while_waiting_for_iccn)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t sid = incoming_call(&l, PEER_SID);

	msg_cdn(&m, PEER_SID, L2TP_CDN_LOST_CARRIER);
	lac_send(&l, sid, &m);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 0); /* never added */
	ck_assert_uint_eq(h_counters(h).sessions_failed, 1);
	ck_assert(!h_event_last(h, LNS_EV_CALL_STOPPED)->established);
	ck_assert_uint_eq(h_events(h, LNS_EV_CALL_UP), 0);
	h_free(h);
}
END_TEST

/* A LAC that never sends ICCN: the call ends with CDN "timeout" after the give-up time. */
START_TEST(a_call_without_iccn_times_out)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	uint64_t limit = transport_give_up_usec(&(struct transport_config){
		.rto_initial_usec = h->cfg.retransmit_initial_usec,
		.rto_max_usec = h->cfg.retransmit_max_usec,
		.max_retransmits = h->cfg.retransmit_count,
	});
	uint16_t sid = incoming_call(&l, PEER_SID);

	lac_send_zlb(&l); /* the ICRP is acknowledged: only the call is stuck */
	h_advance(h, limit - 1);
	h_expect_nothing(h);
	ck_assert(h_session_info(h, l.lns_tid, sid, NULL));
	h_advance(h, 1);
	expect_cdn(&l, PEER_SID, sid, L2TP_CDN_TIMEOUT, -1);
	ck_assert(!h_session_info(h, l.lns_tid, sid, NULL));
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	ck_assert_uint_eq(h_counters(h).sessions_failed, 1); /* stats.h's "session" phase */
	h_free(h);
}
END_TEST

/* RFC 2661 5.3: before the ICRP, the LAC's CDN names the call by its Assigned Session ID. */
START_TEST(cdn_before_the_icrp_names_the_call_by_its_avp)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t other = incoming_call(&l, PEER_SID + 1);
	uint16_t sid = incoming_call(&l, PEER_SID);

	msg_cdn(&m, PEER_SID, L2TP_CDN_LOST_CARRIER);
	lac_send(&l, 0, &m);
	ck_assert_msg(!h_session_info(h, l.lns_tid, sid, NULL),
		      "the call the CDN named is still there");
	ck_assert(h_session_info(h, l.lns_tid, other, NULL));
	ck_assert_uint_eq(h_counters(h).sessions, 1);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	h_free(h);
}
END_TEST

/* RFC 2661 5.3: 0 is never an Assigned Session ID; no call, a CDN at most. */
START_TEST(icrq_assigning_session_zero_is_refused)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	struct rx *r;

	msg_icrq(&m, 0, 1);
	lac_send(&l, 0, &m);
	h_advance(h, h->cfg.ack_delay_usec);
	while ((r = h_pop(h)))
		if (!r->zlb)
			rx_assert_result(r, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, -1);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	h_free(h);
}
END_TEST

/* The LAC's Receive Window Size (1) holds the OCCN back until the OCRP is acknowledged. */
START_TEST(the_lac_window_is_honoured)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	l.window = 1;
	lac_open_tunnel(&l);
	msg_ocrq(&m, PEER_SID, 9, 64000);
	lac_send(&l, 0, &m);
	lac_expect(&l, L2TP_MSG_OCRP);
	h_expect_nothing(h);
	lac_send_zlb(&l);
	lac_expect(&l, L2TP_MSG_OCCN);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

START_TEST(close_session_sends_cdn)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct dp_null_event ev;
	uint16_t sid = lac_open_session(&l, PEER_SID);

	ck_assert_int_eq(lns_close_session(h->lns, h->now, l.lns_tid, (uint16_t)(sid + 1)),
			 -ENOENT);
	ck_assert_int_eq(lns_close_session(h->lns, h->now, (uint16_t)(l.lns_tid + 1), sid),
			 -ENOENT);
	ck_assert_int_eq(lns_close_session(h->lns, h->now, l.lns_tid, sid), 0);
	expect_cdn(&l, PEER_SID, sid, L2TP_CDN_ADMIN, 0);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ev = h_dp_last(h, DP_NULL_SESSION_DEL);
	ck_assert_uint_eq(ev.session_id, sid);
	ck_assert(!h_session_info(h, l.lns_tid, sid, NULL));
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	ck_assert_int_eq(lns_close_session(h->lns, h->now, l.lns_tid, sid), -ENOENT);
	h_free(h);
}
END_TEST

START_TEST(ocrq_is_answered_and_connected)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct lns_session_info info;
	struct dp_null_event ev;
	struct l2tp_msg m;
	struct rx *r;
	uint16_t sid;

	msg_ocrq(&m, PEER_SID, 9, 64000);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_OCRP);
	ck_assert_uint_eq(r->h.session_id, PEER_SID);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_SESSION_ID));
	sid = r->m.assigned_session_id;
	ck_assert_uint_ne(sid, 0);
	r = lac_expect(&l, L2TP_MSG_OCCN);
	ck_assert_uint_eq(r->h.session_id, PEER_SID);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_TX_CONNECT_SPEED));
	ck_assert_uint_eq(r->m.tx_connect_speed, 64000);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_FRAMING_TYPE));
	ck_assert_uint_eq(r->m.framing_type, L2TP_FRAMING_SYNC);
	h_expect_nothing(h);
	ck_assert(h_session_info(h, l.lns_tid, sid, &info));
	ck_assert_str_eq(info.state, "established");
	ck_assert_uint_eq(info.call_serial_number, 9);
	ck_assert_str_eq(info.called_number, "5551234");
	ev = h_dp_last(h, DP_NULL_SESSION_ADD);
	ck_assert_uint_eq(ev.session_id, sid);
	ck_assert_uint_eq(ev.peer_id, PEER_SID);
	/* an ICCN makes no sense for this call */
	lac_send_zlb(&l);
	msg_iccn(&m, 64000, false);
	lac_send(&l, sid, &m);
	expect_cdn(&l, PEER_SID, sid, L2TP_CDN_GENERAL_ERROR, 0);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 0);
	h_free(h);
}
END_TEST

START_TEST(iccn_when_established_ends_the_call)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t sid = lac_open_session(&l, PEER_SID);

	msg_iccn(&m, 64000, false);
	lac_send(&l, sid, &m);
	expect_cdn(&l, PEER_SID, sid, L2TP_CDN_GENERAL_ERROR, 0);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	h_free(h);
}
END_TEST

START_TEST(iccn_for_an_unknown_session_is_ignored)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t sid = incoming_call(&l, PEER_SID);

	msg_iccn(&m, 64000, false);
	lac_send(&l, (uint16_t)(sid ^ 0x8000), &m);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_ADD), 0);
	ck_assert_uint_eq(h_counters(h).sessions, 1);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	h_free(h);
}
END_TEST

START_TEST(wen_is_counted_in_any_state)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct lns_session_info info;
	struct l2tp_msg m;
	uint16_t sid = incoming_call(&l, PEER_SID);

	msg_wen(&m, 1, 2, 3);
	lac_send(&l, sid, &m);
	ck_assert(h_session_info(h, l.lns_tid, sid, &info));
	ck_assert_str_eq(info.state, "wait-connect");
	ck_assert_uint_eq(info.wen_count, 1);
	ck_assert_uint_eq(info.errors.crc_errors, 1);
	msg_iccn(&m, 64000, false);
	lac_send(&l, sid, &m);
	msg_wen(&m, 10, 20, 30);
	lac_send(&l, sid, &m);
	ck_assert(h_session_info(h, l.lns_tid, sid, &info));
	ck_assert_str_eq(info.state, "established");
	ck_assert_uint_eq(info.wen_count, 2);
	ck_assert_uint_eq(info.errors.crc_errors, 10);
	ck_assert_uint_eq(info.errors.framing_errors, 20);
	ck_assert_uint_eq(info.errors.hardware_overruns, 30);
	ck_assert_uint_eq(info.errors.buffer_overruns, 31);
	ck_assert_uint_eq(info.errors.timeout_errors, 32);
	ck_assert_uint_eq(info.errors.alignment_errors, 33);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 1);
	h_free(h);
}
END_TEST

START_TEST(sli_from_the_lac_sets_the_accm)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct lns_session_info info;
	struct dp_null_event ev;
	struct l2tp_msg m;
	uint16_t waiting = incoming_call(&l, PEER_SID + 1);
	uint16_t sid = lac_open_session(&l, PEER_SID);

	msg_sli(&m, 0x000a0000, 0xffff0000);
	lac_send(&l, sid, &m);
	ck_assert(h_session_info(h, l.lns_tid, sid, &info));
	ck_assert_uint_eq(info.send_accm, 0x000a0000);
	ck_assert_uint_eq(info.recv_accm, 0xffff0000);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_SET_ACCM), 1);
	ev = h_dp_last(h, DP_NULL_SESSION_SET_ACCM);
	ck_assert_uint_eq(ev.tunnel_id, l.lns_tid);
	ck_assert_uint_eq(ev.session_id, sid);
	ck_assert_uint_eq(ev.send_accm, 0x000a0000);
	ck_assert_uint_eq(ev.recv_accm, 0xffff0000);
	/* before the ICCN: kept, no data path yet */
	msg_sli(&m, 1, 2);
	lac_send(&l, waiting, &m);
	ck_assert(h_session_info(h, l.lns_tid, waiting, &info));
	ck_assert_uint_eq(info.send_accm, 1);
	ck_assert_uint_eq(info.recv_accm, 2);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_SET_ACCM), 1);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	h_free(h);
}
END_TEST

START_TEST(set_accm_sends_sli)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	uint16_t waiting = incoming_call(&l, PEER_SID + 1);
	uint16_t sid = lac_open_session(&l, PEER_SID);
	struct l2tp_avp avp;
	uint16_t unknown;
	struct rx *r;

	lac_send_zlb(&l);
	h_drain(h);
	ck_assert_int_eq(lns_session_set_accm(h->lns, h->now, l.lns_tid, sid, 0x12345678,
					      0x9abcdef0), 0);
	r = lac_expect(&l, L2TP_MSG_SLI);
	ck_assert_uint_eq(r->h.session_id, PEER_SID);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ACCM));
	ck_assert_uint_eq(r->m.send_accm, 0x12345678);
	ck_assert_uint_eq(r->m.receive_accm, 0x9abcdef0);
	ck_assert(rx_raw_avp(r, L2TP_AVP_ACCM, &avp) && avp.mandatory && avp.len == 10);
	h_expect_nothing(h);
	ck_assert_int_eq(lns_session_set_accm(h->lns, h->now, l.lns_tid, waiting, 1, 2), -EAGAIN);
	unknown = (uint16_t)(sid ^ 0x8000) == waiting ? (uint16_t)(sid ^ 0x4000)
						       : (uint16_t)(sid ^ 0x8000);
	ck_assert_int_eq(lns_session_set_accm(h->lns, h->now, l.lns_tid, unknown, 1, 2), -ENOENT);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

START_TEST(unknown_mandatory_avp_in_iccn_ends_only_that_call)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t other = lac_open_session(&l, PEER_SID + 1);
	uint16_t sid = incoming_call(&l, PEER_SID);

	msg_iccn(&m, 64000, false);
	lac_send_with_extra_avp(&l, sid, &m, 9, 77, true);
	expect_cdn(&l, PEER_SID, sid, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
	h_expect_nothing(h);
	ck_assert(!h_session_info(h, l.lns_tid, sid, NULL));
	ck_assert(h_session_info(h, l.lns_tid, other, NULL));
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 1);
	ck_assert_uint_eq(dataplane_null_live_tunnels(h->dp), 1);
	h_free(h);
}
END_TEST

START_TEST(icrq_with_unknown_mandatory_avp_is_refused)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;

	msg_icrq(&m, PEER_SID, 1);
	lac_send_with_extra_avp(&l, 0, &m, 0, 61, true);
	expect_cdn(&l, PEER_SID, 0, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	h_free(h);
}
END_TEST

START_TEST(session_limit_per_tunnel)
{
	struct harness *h = h_new();
	struct l2tp_msg m;
	struct lac l;

	h->cfg.max_sessions_per_tunnel = 2;
	h_start(h);
	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_open_tunnel(&l);
	lac_open_session(&l, 1);
	lac_open_session(&l, 2);
	msg_icrq(&m, 3, 3);
	lac_send(&l, 0, &m);
	expect_cdn(&l, 3, 0, L2TP_CDN_NO_RESOURCES_TEMPORARY, -1);
	h_expect_nothing(h);
	ck_assert_str_eq(h_event_last(h, LNS_EV_CALL_REJECTED)->text, "session limit reached");
	ck_assert_uint_eq(h_counters(h).sessions, 2);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_ADD), 2);
	ck_assert_uint_eq(h_counters(h).refused_session_limit, 1);
	ck_assert_uint_eq(h_counters(h).sessions_failed, 0); /* refused, never taken */
	h_free(h);
}
END_TEST

START_TEST(session_limit_overall)
{
	struct harness *h = h_new();
	struct l2tp_msg m;
	struct lac a, b;

	h->cfg.max_sessions = 3;
	h_start(h);
	lac_init(&a, h, 1, 40000, 1);
	lac_init(&b, h, 2, 40000, 2);
	lac_open_tunnel(&a);
	lac_open_tunnel(&b);
	lac_open_session(&a, 1);
	lac_open_session(&a, 2);
	lac_open_session(&b, 1);
	msg_ocrq(&m, 2, 2, 64000);
	lac_send(&b, 0, &m);
	expect_cdn(&b, 2, 0, L2TP_CDN_NO_RESOURCES_TEMPORARY, -1);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).sessions, 3);
	ck_assert_uint_eq(h_counters(h).refused_session_limit, 1);
	h_free(h);
}
END_TEST

START_TEST(data_path_failure_ends_the_call)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t sid = incoming_call(&l, PEER_SID);
	struct rx *r;

	dataplane_null_fail_next(h->dp, DP_NULL_SESSION_ADD, -ENOMEM, 1);
	msg_iccn(&m, 64000, false);
	lac_send(&l, sid, &m);
	expect_cdn(&l, PEER_SID, sid, L2TP_CDN_NO_RESOURCES_TEMPORARY, L2TP_ERR_NO_RESOURCES);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_uint_eq(h_counters(h).sessions_established, 0);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	/* for an outgoing call: OCRP and OCCN, then CDN */
	dataplane_null_fail_next(h->dp, DP_NULL_SESSION_ADD, -ENOMEM, 1);
	msg_ocrq(&m, PEER_SID + 1, 2, 64000);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_OCRP);
	sid = r->m.assigned_session_id;
	lac_expect(&l, L2TP_MSG_OCCN);
	lac_send_zlb(&l);
	expect_cdn(&l, PEER_SID + 1, sid, L2TP_CDN_NO_RESOURCES_TEMPORARY, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	/* the next call works */
	lac_send_zlb(&l);
	lac_open_session(&l, PEER_SID + 2);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 1);
	h_free(h);
}
END_TEST

#define MANY 500

START_TEST(many_sessions_in_one_tunnel)
{
	struct harness *h = h_new();
	uint8_t *seen = calloc(UINT16_MAX + 1, 1);
	struct lns_tunnel_info info;
	struct l2tp_msg m;
	struct lac l;

	h->cfg.max_sessions_per_tunnel = 0;
	h_start(h);
	lac_init(&l, h, 1, 40000, LAC_TID);
	l.window = 16;
	lac_open_tunnel(&l);
	for (unsigned int i = 1; i <= MANY; i++) {
		uint16_t sid = lac_open_session(&l, (uint16_t)i);

		ck_assert_msg(!seen[sid], "session id %u given twice", sid);
		seen[sid] = 1;
	}
	ck_assert_uint_eq(h_counters(h).sessions, MANY);
	ck_assert_uint_eq(h_counters(h).sessions_established, MANY);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), MANY);
	ck_assert(h_tunnel_info(h, l.lns_tid, &info));
	ck_assert_uint_eq(info.sessions, MANY);
	/* the StopCCN takes every call with it */
	msg_stopccn(&m, LAC_TID, L2TP_STOPCCN_GENERAL_CLEAR);
	lac_send(&l, 0, &m);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), MANY);
	ck_assert_uint_eq(dataplane_null_live_sessions(h->dp), 0);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_DEL), 1);
	h_advance(h, h->cfg.ack_delay_usec);
	h_expect_only_zlbs(h);
	free(seen);
	h_free(h);
}
END_TEST

START_TEST(closing_the_tunnel_drops_its_calls_without_cdn)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);

	lac_open_session(&l, 1);
	lac_open_session(&l, 2);
	incoming_call(&l, 3);
	lac_send_zlb(&l);
	ck_assert_int_eq(lns_close_tunnel(h->lns, h->now, l.lns_tid), 0);
	lac_expect_stopccn(&l, L2TP_STOPCCN_GENERAL_CLEAR, 0);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 2);
	ck_assert_uint_eq(h_counters(h).sessions, 0);
	h_free(h);
}
END_TEST

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Mutated messages on a live tunnel: whatever comes back must be well formed. */
START_TEST(mutated_messages_get_well_formed_answers)
{
	struct harness *h = h_started();
	uint32_t seed = 0x2661;
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	for (int round = 0; round < 200; round++) {
		uint8_t body[256];
		struct writer w;
		size_t len;

		lac_init(&l, h, (uint8_t)(1 + round % 200), (uint16_t)(30000 + round),
			 (uint16_t)(round + 1));
		lac_open_tunnel(&l);
		msg_icrq(&m, 7, 7);
		body_start(&w, body, sizeof(body), &m);
		len = writer_len(&w);
		for (int k = 0; k < 4; k++)
			body[xorshift(&seed) % len] ^= (uint8_t)(1u << (xorshift(&seed) % 8));
		len -= xorshift(&seed) % 3;
		lac_send_body(&l, (uint16_t)(xorshift(&seed) % 3), body, len);
		h_advance(h, h->cfg.ack_delay_usec);
		while ((r = h_pop(h))) {
			ck_assert_int_eq(r->header_rc, 0);
			ck_assert(r->zlb || r->rc == 0);
		}
		lns_close_tunnel(h->lns, h->now, l.lns_tid);
		h_drain(h);
	}
	h_free(h);
}
END_TEST

/* The io attaches PPP once the data path holds the call, and lets go when it ends. */
START_TEST(ppp_follows_the_call)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t sid = lac_open_session(&l, PEER_SID);

	ck_assert_uint_eq(h->ppp_up, 1);
	ck_assert_uint_eq(h->last_up.tunnel_id, l.lns_tid);
	ck_assert_uint_eq(h->last_up.session_id, sid);
	ck_assert_uint_eq(h->last_up.peer_tunnel_id, LAC_TID);
	ck_assert_uint_eq(h->last_up.peer_session_id, PEER_SID);
	ck_assert_uint_eq(h->ppp_down, 0);
	msg_cdn(&m, PEER_SID, L2TP_CDN_LOST_CARRIER);
	lac_send(&l, sid, &m);
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_uint_eq(h->last_down_tid, l.lns_tid);
	ck_assert_uint_eq(h->last_down_sid, sid);
	ck_assert_int_eq(h->last_down_end, LNS_END_PEER);
	h_free(h);
}
END_TEST

/* PPP that cannot start ends the call: CDN result 4, data path freed, no session_down. */
START_TEST(ppp_that_cannot_start_ends_the_call)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	struct l2tp_msg m;
	uint16_t sid = incoming_call(&l, PEER_SID);

	h->ppp_up_result = -EIO;
	msg_iccn(&m, 100000000, false);
	lac_send(&l, sid, &m);
	expect_cdn(&l, PEER_SID, sid, L2TP_CDN_NO_RESOURCES_TEMPORARY, L2TP_ERR_NO_RESOURCES);
	ck_assert(!h_session_info(h, l.lns_tid, sid, NULL));
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_ADD), 1);
	ck_assert_uint_eq(h_dp(h, DP_NULL_SESSION_DEL), 1);
	ck_assert_uint_eq(h->ppp_down, 0);
	/* a call that never came up failed (at ICCN, for the history) */
	ck_assert(!h_event_last(h, LNS_EV_CALL_STOP)->established);
	ck_assert_str_eq(h_event_last(h, LNS_EV_CALL_STOP)->text, "cannot start PPP");
	ck_assert_uint_eq(h_events(h, LNS_EV_CALL_UP), 0);
	h_free(h);
}
END_TEST

/* pppd exited: the server ends the call with the result and reason it gives. */
START_TEST(session_ended_sends_cdn_with_the_reason)
{
	struct lac l;
	struct harness *h = tunnel_up(&l);
	uint16_t sid = lac_open_session(&l, PEER_SID);
	struct rx *r;

	h_drain(h);
	ck_assert_int_eq(lns_session_ended(h->lns, h->now, l.lns_tid, sid, L2TP_CDN_GENERAL_ERROR,
					   "pppd exited with status 1"),
			 0);
	r = lac_expect(&l, L2TP_MSG_CDN);
	rx_assert_result(r, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, -1);
	ck_assert_uint_eq(r->m.error_message.len, strlen("pppd exited with status 1"));
	ck_assert(!memcmp(r->m.error_message.ptr, "pppd exited with status 1",
			  r->m.error_message.len));
	ck_assert(!h_session_info(h, l.lns_tid, sid, NULL));
	ck_assert_uint_eq(h->ppp_down, 1);
	ck_assert_int_eq(h->last_down_end, LNS_END_PPP);
	ck_assert_int_eq(lns_session_ended(h->lns, h->now, l.lns_tid, sid, 2, "again"), -ENOENT);
	h_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("session");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, icrq_gets_icrp);
	tcase_add_loop_test(tc, iccn_connects_the_call, 0, 2);
	tcase_add_test(tc, cdn_from_the_lac_ends_the_call);
	tcase_add_test(tc, cdn_while_waiting_for_iccn);
	tcase_add_test(tc, a_call_without_iccn_times_out);
	tcase_add_test(tc, ppp_follows_the_call);
	tcase_add_test(tc, ppp_that_cannot_start_ends_the_call);
	tcase_add_test(tc, session_ended_sends_cdn_with_the_reason);
	tcase_add_test(tc, cdn_before_the_icrp_names_the_call_by_its_avp);
	tcase_add_test(tc, icrq_assigning_session_zero_is_refused);
	tcase_add_test(tc, the_lac_window_is_honoured);
	tcase_add_test(tc, close_session_sends_cdn);
	tcase_add_test(tc, ocrq_is_answered_and_connected);
	tcase_add_test(tc, iccn_when_established_ends_the_call);
	tcase_add_test(tc, iccn_for_an_unknown_session_is_ignored);
	tcase_add_test(tc, wen_is_counted_in_any_state);
	tcase_add_test(tc, sli_from_the_lac_sets_the_accm);
	tcase_add_test(tc, set_accm_sends_sli);
	tcase_add_test(tc, unknown_mandatory_avp_in_iccn_ends_only_that_call);
	tcase_add_test(tc, icrq_with_unknown_mandatory_avp_is_refused);
	tcase_add_test(tc, session_limit_per_tunnel);
	tcase_add_test(tc, session_limit_overall);
	tcase_add_test(tc, data_path_failure_ends_the_call);
	tcase_add_test(tc, many_sessions_in_one_tunnel);
	tcase_add_test(tc, closing_the_tunnel_drops_its_calls_without_cdn);
	tcase_add_test(tc, mutated_messages_get_well_formed_answers);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
