/*
 * Tests of what the tunnel secret does in the LNS (tunnel.c, session.c):
 * tunnel authentication with Challenge and Challenge Response, and hidden
 * AVPs both ways. The expected MD5 values are computed here with libmd,
 * independently of tunnel.c; the fake LAC is in lns_harness.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "lns_harness.h"
#include "reader.h"

#define LAC_TID 0x1234
#define PEER_SID 0x0a0b

/* ---- tunnel authentication (RFC 2661 4.4.3, 5.1.1) ---- */

static const uint8_t lac_challenge[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* SCCRQ with a Challenge; returns the SCCRP's challenge in out. */
static void sccrq_with_challenge(struct lac *l, uint8_t out[16])
{
	uint8_t want[16];
	struct l2tp_msg m;
	struct rx *r;

	msg_sccrq(&m, l->tid, l->host_name, 8);
	m.challenge.ptr = lac_challenge;
	m.challenge.len = sizeof(lac_challenge);
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE);
	lac_send(l, 0, &m);
	r = lac_expect(l, L2TP_MSG_SCCRP);
	l->lns_tid = r->m.assigned_tunnel_id;
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_CHALLENGE_RESPONSE));
	challenge_md5(L2TP_MSG_SCCRP, H_SECRET, strlen(H_SECRET), lac_challenge,
		      sizeof(lac_challenge), want);
	ck_assert(!memcmp(r->m.challenge_response, want, 16));
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_CHALLENGE));
	ck_assert_uint_eq(r->m.challenge.len, 16);
	memcpy(out, r->m.challenge.ptr, 16);
}

START_TEST(secret_answers_and_checks_challenges)
{
	struct harness *h = h_started_with_secret(false);
	uint8_t challenge[16];
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_set_secret(&l, H_SECRET);
	sccrq_with_challenge(&l, challenge);
	msg_scccn(&m);
	challenge_md5(L2TP_MSG_SCCCN, H_SECRET, strlen(H_SECRET), challenge, 16,
		      m.challenge_response);
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	lac_send(&l, 0, &m);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 1);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/* _i: 0 a wrong response, 1 none at all. */
START_TEST(bad_challenge_response_is_not_authorized)
{
	struct harness *h = h_started_with_secret(false);
	uint8_t challenge[16];
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_set_secret(&l, "another secret");
	sccrq_with_challenge(&l, challenge);
	msg_scccn(&m);
	if (_i == 0) {
		challenge_md5(L2TP_MSG_SCCCN, l.secret, l.secret_len, challenge, 16,
			      m.challenge_response);
		l2tp_msg_set(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	}
	lac_send(&l, 0, &m);
	lac_expect_stopccn(&l, L2TP_STOPCCN_NOT_AUTHORIZED, 0);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "stopping");
	/* what l2tpctl diagnose reads as a tunnel secret mismatch */
	ck_assert_int_eq(h_event_last(h, LNS_EV_TUNNEL_STOP)->result, L2TP_STOPCCN_NOT_AUTHORIZED);
	ck_assert(!h_event_last(h, LNS_EV_TUNNEL_STOP)->established);
	ck_assert_str_eq(h_event_last(h, LNS_EV_TUNNEL_STOP)->text,
			 _i == 0 ? "wrong challenge response: secrets differ"
				 : "no challenge response: peer has no secret");
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	ck_assert_uint_eq(h_counters(h).tunnels_established, 0);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

START_TEST(challenge_without_secret_is_not_authorized)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	m.challenge.ptr = lac_challenge;
	m.challenge.len = sizeof(lac_challenge);
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_STOPCCN);
	rx_assert_result(r, L2TP_MSG_STOPCCN, L2TP_STOPCCN_NOT_AUTHORIZED, 0);
	ck_assert_uint_ne(r->m.assigned_tunnel_id, 0);
	l.lns_tid = r->m.assigned_tunnel_id;
	h_expect_nothing(h);
	/* acknowledged: the tunnel goes */
	lac_send_zlb(&l);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_deadline(h, l.lns_tid), LNS_NO_DEADLINE);
	ck_assert_uint_eq(h_dp(h, DP_NULL_TUNNEL_ADD), 0);
	h_expect_nothing(h);
	h_free(h);
}
END_TEST

/* ---- hidden AVPs (RFC 2661 4.3) ---- */

/*
 * Walks a message as sent: Message Type then Random Vector in clear, then
 * every AVP hidden exactly when RFC 2661 lets it be. Returns how many are.
 */
static unsigned int assert_hidden_as_allowed(const struct rx *r)
{
	struct l2tp_avp avp;
	struct reader rd;
	unsigned int hidden = 0;

	reader_init(&rd, r->body, r->body_len);
	ck_assert_int_eq(avp_next(&rd, &avp), 1);
	ck_assert(avp.type == L2TP_AVP_MESSAGE_TYPE && !avp.hidden);
	ck_assert_int_eq(avp_next(&rd, &avp), 1);
	ck_assert(avp.type == L2TP_AVP_RANDOM_VECTOR && !avp.hidden && avp.len >= 1);
	while (avp_next(&rd, &avp) == 1) {
		ck_assert_uint_eq(avp.vendor, 0);
		ck_assert_msg(avp.hidden == avp_may_be_hidden(avp.type), "%s: H=%d",
			      l2tp_avp_type_name(avp.type), avp.hidden);
		hidden += avp.hidden;
	}
	ck_assert_uint_eq(r->m.hidden, hidden); /* h_pop() decoded them with the secret */
	return hidden;
}

/* Decoding without the secret fails. */
static void assert_needs_the_secret(const struct rx *r)
{
	struct l2tp_msg *plain = malloc(sizeof(*plain));
	struct l2tp_msg_error err;

	ck_assert_int_eq(l2tp_msg_decode(r->body, r->body_len, NULL, plain, &err), -EBADMSG);
	free(plain);
}

/*
 * hide_avps hides from the SCCCN on; the SCCRP stays in clear (tunnel.c:
 * a LAC that keys secrets by host name learns ours from it).
 */
START_TEST(hide_avps_hides_what_may_be_hidden)
{
	struct harness *h = h_started_with_secret(true);
	struct l2tp_avp avp;
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_set_secret(&l, H_SECRET);
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_SCCRP);
	ck_assert(!rx_raw_avp(r, L2TP_AVP_RANDOM_VECTOR, &avp));
	ck_assert_uint_eq(r->m.hidden, 0);
	ck_assert(!memcmp(r->m.host_name.ptr, H_HOST_NAME, strlen(H_HOST_NAME)));
	l.lns_tid = r->m.assigned_tunnel_id;
	msg_scccn(&m);
	challenge_md5(L2TP_MSG_SCCCN, H_SECRET, strlen(H_SECRET), r->m.challenge.ptr,
		      r->m.challenge.len, m.challenge_response);
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	lac_send(&l, 0, &m);
	ck_assert_str_eq(h_tunnel_state(h, l.lns_tid), "established");
	/* an ICRP: Assigned Session ID hidden */
	msg_icrq(&m, 0x99, 1);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_ICRP);
	ck_assert_uint_eq(assert_hidden_as_allowed(r), 1);
	ck_assert(rx_raw_avp(r, L2TP_AVP_ASSIGNED_SESSION_ID, &avp) && avp.hidden);
	ck_assert_uint_ne(r->m.assigned_session_id, 0);
	assert_needs_the_secret(r);
	/* a StopCCN: Assigned Tunnel ID hidden, Result Code not */
	lns_close_tunnel(h->lns, h->now, l.lns_tid);
	r = lac_expect(&l, L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(assert_hidden_as_allowed(r), 1);
	ck_assert(rx_raw_avp(r, L2TP_AVP_RESULT_CODE, &avp) && !avp.hidden);
	ck_assert_uint_eq(r->m.assigned_tunnel_id, l.lns_tid);
	assert_needs_the_secret(r);
	h_free(h);
}
END_TEST

START_TEST(hidden_avps_from_the_lac_are_understood)
{
	struct harness *h = h_started_with_secret(false);
	struct lns_tunnel_info info;
	struct l2tp_avp avp;
	struct lac l;
	struct rx *r;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_set_secret(&l, H_SECRET);
	l.hide = true;
	lac_open_tunnel(&l); /* the hidden Assigned Tunnel ID names the SCCRP's header */
	ck_assert(h_tunnel_info(h, l.lns_tid, &info));
	ck_assert_uint_eq(info.peer_tunnel_id, LAC_TID);
	/* the LNS does not hide without hide_avps */
	lac_send_hello(&l);
	lns_close_tunnel(h->lns, h->now, l.lns_tid);
	r = lac_expect(&l, L2TP_MSG_STOPCCN);
	ck_assert(!rx_raw_avp(r, L2TP_AVP_RANDOM_VECTOR, &avp));
	ck_assert_uint_eq(r->m.hidden, 0);
	h_free(h);
}
END_TEST

START_TEST(hidden_avps_without_a_secret_are_dropped)
{
	struct harness *h = h_started();
	struct l2tp_msg m;
	struct lac l;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_set_secret(&l, H_SECRET);
	l.hide = true;
	msg_sccrq(&m, LAC_TID, "lac.test", 8);
	lac_send(&l, 0, &m);
	h_expect_nothing(h);
	ck_assert_uint_eq(h_counters(h).tunnels, 0);
	ck_assert_uint_eq(h_counters(h).packets_dropped, 1);
	h_free(h);
}
END_TEST

START_TEST(hidden_avps_in_calls)
{
	struct harness *h = h_started_with_secret(true);
	struct lns_session_info info;
	struct l2tp_avp avp;
	struct l2tp_msg m;
	struct lac l;
	struct rx *r;
	uint16_t sid;

	lac_init(&l, h, 1, 40000, LAC_TID);
	lac_set_secret(&l, H_SECRET);
	l.hide = true;
	lac_open_tunnel(&l);
	msg_icrq(&m, PEER_SID, 4242);
	lac_send(&l, 0, &m);
	r = lac_expect(&l, L2TP_MSG_ICRP);
	ck_assert_uint_eq(r->h.session_id, PEER_SID); /* the hidden Assigned Session ID was read */
	ck_assert(rx_raw_avp(r, L2TP_AVP_ASSIGNED_SESSION_ID, &avp) && avp.hidden);
	sid = r->m.assigned_session_id;
	ck_assert_uint_ne(sid, 0);
	msg_iccn(&m, 1000000, true);
	lac_send(&l, sid, &m);
	ck_assert(h_session_info(h, l.lns_tid, sid, &info));
	ck_assert_str_eq(info.state, "established");
	ck_assert_uint_eq(info.call_serial_number, 4242);
	ck_assert_uint_eq(info.tx_connect_speed, 1000000);
	ck_assert(h_dp_last(h, DP_NULL_SESSION_ADD).sequencing);
	h_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("secret");

	tcase_add_test(tc, secret_answers_and_checks_challenges);
	tcase_add_loop_test(tc, bad_challenge_response_is_not_authorized, 0, 2);
	tcase_add_test(tc, challenge_without_secret_is_not_authorized);
	tcase_add_test(tc, hide_avps_hides_what_may_be_hidden);
	tcase_add_test(tc, hidden_avps_from_the_lac_are_understood);
	tcase_add_test(tc, hidden_avps_without_a_secret_are_dropped);
	tcase_add_test(tc, hidden_avps_in_calls);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
