/*
 * Tests of the per-peer history (history.c): each peer's ring, the bound
 * on peers and who gives way when it is reached; and of what the layers'
 * events become there (history_feed.c), which l2tpctl diagnose reads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "charon_msg.h"
#include "check_tap.h"
#include "history.h"
#include "history_feed.h"

static struct sockaddr_storage addr(const char *a, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, a, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	}
	return ss;
}

static int get(const struct history *h, const char *a, struct history_event *out, size_t max,
	       uint64_t *lost)
{
	struct sockaddr_storage ss = addr(a, 0);

	return history_get(h, &ss, out, max, lost);
}

/* The newest event of a, which must have one. */
static struct history_event last(const struct history *h, const char *a)
{
	struct history_event ev[CTL_HISTORY_EVENTS];
	int n = get(h, a, ev, CTL_HISTORY_EVENTS, NULL);

	ck_assert_int_gt(n, 0);
	return ev[n - 1];
}

static void add(struct history *h, uint64_t now, const char *a, enum ctl_result result,
		const char *detail)
{
	struct sockaddr_storage ss = addr(a, 1701);

	history_add(h, now, &ss, CTL_PHASE_IKE, result, "%s", detail);
}

static void assert_event(struct history_event ev, enum ctl_phase phase, enum ctl_result result,
			 const char *detail)
{
	ck_assert_msg(ev.phase == phase && ev.result == result,
		      "phase %u result %u, expected %u %u (%s)", ev.phase, ev.result, phase,
		      result, ev.detail);
	ck_assert_str_eq(ev.detail, detail);
}

/* ---- the table ---- */

START_TEST(ring_keeps_the_newest_in_order)
{
	struct history *h = history_new(4, 8);
	struct history_event ev[16];
	char d[16];
	uint64_t lost;
	int n;

	for (int i = 0; i < 20; i++) {
		snprintf(d, sizeof(d), "n=%d", i);
		add(h, 1000 + (uint64_t)i, "192.0.2.1", CTL_RESULT_OK, d);
	}
	n = get(h, "192.0.2.1", ev, 16, &lost);
	ck_assert_int_eq(n, 8);
	ck_assert_uint_eq(lost, 12);
	for (int i = 0; i < 8; i++) {
		snprintf(d, sizeof(d), "n=%d", 12 + i);
		ck_assert_str_eq(ev[i].detail, d);
		ck_assert_uint_eq(ev[i].usec, 1012 + (uint64_t)i);
	}
	/* a shorter buffer gets the newest */
	n = get(h, "192.0.2.1", ev, 3, &lost);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(lost, 17);
	ck_assert_str_eq(ev[0].detail, "n=17");
	ck_assert_str_eq(ev[2].detail, "n=19");
	history_free(h);
}
END_TEST

START_TEST(address_is_the_key_port_is_not)
{
	struct history *h = history_new(4, 8);
	struct sockaddr_storage a500 = addr("192.0.2.1", 500), a1701 = addr("192.0.2.1", 1701);
	struct sockaddr_storage v6 = addr("2001:db8::1", 500), other = { .ss_family = AF_UNIX };
	struct history_event ev[8];

	history_add(h, 1, &a500, CTL_PHASE_IKE, CTL_RESULT_OK, "ike");
	history_add(h, 2, &a1701, CTL_PHASE_SCCRQ, CTL_RESULT_OK, "sccrq");
	history_add(h, 3, &v6, CTL_PHASE_IKE, CTL_RESULT_FAIL, "v6");
	history_add(h, 4, &other, CTL_PHASE_IKE, CTL_RESULT_FAIL, "unix");
	ck_assert_int_eq(get(h, "192.0.2.1", ev, 8, NULL), 2);
	ck_assert_str_eq(ev[1].detail, "sccrq");
	ck_assert_int_eq(get(h, "2001:db8::1", ev, 8, NULL), 1);
	ck_assert_int_eq(get(h, "192.0.2.2", ev, 8, NULL), -ENOENT);
	ck_assert_int_eq(get(h, "::ffff:192.0.2.1", ev, 8, NULL), -ENOENT);
	ck_assert_uint_eq(history_peers(h), 2);
	/* an unknown phase is no event */
	history_add(h, 5, &a500, CTL_PHASE_COUNT, CTL_RESULT_OK, "bad");
	ck_assert_int_eq(get(h, "192.0.2.1", ev, 8, NULL), 2);
	history_free(h);
}
END_TEST

START_TEST(least_recent_goes_when_full)
{
	struct history *h = history_new(3, 4);
	struct history_event ev[4];

	add(h, 1, "192.0.2.1", CTL_RESULT_FAIL, "a");
	add(h, 2, "192.0.2.2", CTL_RESULT_FAIL, "b");
	add(h, 3, "192.0.2.3", CTL_RESULT_FAIL, "c");
	add(h, 4, "192.0.2.1", CTL_RESULT_FAIL, "a again"); /* now .2 is the least recent */
	add(h, 5, "192.0.2.4", CTL_RESULT_FAIL, "d");
	ck_assert_uint_eq(history_peers(h), 3);
	ck_assert_int_eq(get(h, "192.0.2.2", ev, 4, NULL), -ENOENT);
	ck_assert_int_eq(get(h, "192.0.2.1", ev, 4, NULL), 2);
	ck_assert_int_eq(get(h, "192.0.2.3", ev, 4, NULL), 1);
	/* the slot taken over starts empty */
	ck_assert_int_eq(get(h, "192.0.2.4", ev, 4, NULL), 1);
	ck_assert_str_eq(ev[0].detail, "d");
	history_free(h);
}
END_TEST

/* Anyone can make IKE fail: strangers give way before clients that got somewhere. */
START_TEST(strangers_go_before_clients)
{
	struct history *h = history_new(3, 4);
	struct history_event ev[4];
	char a[32];

	add(h, 1, "192.0.2.1", CTL_RESULT_OK, "a client");
	add(h, 2, "192.0.2.2", CTL_RESULT_FAIL, "a stranger");
	add(h, 3, "192.0.2.3", CTL_RESULT_OK, "another client");
	for (int i = 10; i < 200; i++) { /* a scan */
		snprintf(a, sizeof(a), "198.51.100.%d", i);
		add(h, (uint64_t)i, a, CTL_RESULT_FAIL, "scan");
	}
	ck_assert_int_eq(get(h, "192.0.2.1", ev, 4, NULL), 1);
	ck_assert_int_eq(get(h, "192.0.2.3", ev, 4, NULL), 1);
	ck_assert_int_eq(get(h, "192.0.2.2", ev, 4, NULL), -ENOENT);
	ck_assert_int_eq(get(h, "198.51.100.199", ev, 4, NULL), 1);
	ck_assert_int_eq(get(h, "198.51.100.198", ev, 4, NULL), -ENOENT);
	/* when every one got somewhere, the least recent of all goes */
	add(h, 300, "198.51.100.199", CTL_RESULT_OK, "now a client");
	add(h, 301, "192.0.2.9", CTL_RESULT_FAIL, "new");
	ck_assert_int_eq(get(h, "192.0.2.1", ev, 4, NULL), -ENOENT);
	ck_assert_int_eq(get(h, "192.0.2.3", ev, 4, NULL), 1);
	ck_assert_uint_eq(history_peers(h), 3);
	history_free(h);
}
END_TEST

START_TEST(details_are_printable_and_bounded)
{
	struct history *h = history_new(2, 2);
	char longer[400];

	add(h, 1, "192.0.2.1", CTL_RESULT_OK, "a\nb\tc\x7f\xc3\xa9");
	ck_assert_str_eq(last(h, "192.0.2.1").detail, "a?b?c???");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	add(h, 2, "192.0.2.1", CTL_RESULT_OK, longer);
	ck_assert_uint_eq(strlen(last(h, "192.0.2.1").detail), CTL_HISTORY_DETAIL - 1);
	/* no table: nothing kept, nothing found */
	add(NULL, 3, "192.0.2.1", CTL_RESULT_OK, "x");
	ck_assert_int_eq(get(NULL, "192.0.2.1", NULL, 0, NULL), -ENOENT);
	ck_assert_uint_eq(history_peers(NULL), 0);
	ck_assert_ptr_null(history_free(h));
	ck_assert_ptr_null(history_free(NULL));
	ck_assert_ptr_null(history_new(0, 4));
	ck_assert_ptr_null(history_new(4, 0));
}
END_TEST

/* ---- what the layers' events become ---- */

/* Feeds one plugin record (printf-style); it must parse. */
static void charon(struct history *h, bool ike_up, const char *fmt, ...)
{
	char line[1024], err[128];
	struct charon_event ev;
	struct sockaddr_storage remote = addr("203.0.113.7", 4500);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ck_assert_msg(charon_msg_parse((const uint8_t *)line, strlen(line), &ev, err,
				       sizeof(err)) == 0,
		      "'%s': %s", line, err);
	history_feed_charon(h, 1, &ev, ev.fail.has_remote ? &ev.ike_sa.remote : &remote, ike_up);
}

#define CLIENT "203.0.113.7"
#define IKE_FIELDS                                                                         \
	"ikev=1 local=198.51.100.1 local-port=4500 remote=203.0.113.7 remote-port=4500 "   \
	"nat-local=0 nat-remote=1"

START_TEST(charon_events)
{
	struct history *h = history_new(4, 32);

	/* the PSK mismatch of l2tpsrv_listener.c: an undecryptable Main Mode message */
	charon(h, false, "ike-fail ike=9 alert=parse-error exchange=main-mode encrypted=1 " IKE_FIELDS);
	assert_event(last(h, CLIENT), CTL_PHASE_IKE, CTL_RESULT_FAIL,
		     "alert=parse-error ikev=1 exchange=main-mode encrypted=1 nat-local=0 "
		     "nat-remote=1 port=4500 ike=9");
	charon(h, false, "ike-fail alert=timeout ikev=1 remote=203.0.113.7 remote-port=4500 "
			 "nat-local=1 nat-remote=1 remote-id=C=CH,%%20CN=\"x\"");
	assert_event(last(h, CLIENT), CTL_PHASE_IKE, CTL_RESULT_FAIL,
		     "alert=timeout ikev=1 nat-local=1 nat-remote=1 port=4500 "
		     "id=\"C=CH, CN='x'\"");
	/* Quick Mode's failures are ESP's */
	charon(h, true, "ike-fail ike=9 alert=proposal-child notify=NO_PROPOSAL_CHOSEN " IKE_FIELDS);
	assert_event(last(h, CLIENT), CTL_PHASE_ESP, CTL_RESULT_FAIL,
		     "alert=proposal-child ikev=1 notify=NO_PROPOSAL_CHOSEN nat-local=0 "
		     "nat-remote=1 port=4500 ike=9");
	charon(h, true, "ike-fail ike=9 alert=ts-mismatch " IKE_FIELDS);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_ESP);
	charon(h, true, "ike-fail ike=9 alert=peer-notify notify=INVALID_ID_INFORMATION " IKE_FIELDS);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_ESP);
	charon(h, false, "ike-fail ike=9 alert=peer-notify notify=INVALID_ID_INFORMATION " IKE_FIELDS);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_IKE);
	/* a vanished client ends what was up */
	charon(h, true, "ike-fail ike=9 alert=dpd-timeout " IKE_FIELDS);
	assert_event(last(h, CLIENT), CTL_PHASE_IKE, CTL_RESULT_DOWN,
		     "alert=dpd-timeout ikev=1 nat-local=0 nat-remote=1 port=4500 ike=9");

	charon(h, false, "ike-up ike=9 " IKE_FIELDS " remote-id=192.168.1.20 xauth-id=alice");
	assert_event(last(h, CLIENT), CTL_PHASE_IKE, CTL_RESULT_OK,
		     "ike=9 ikev=1 nat-local=0 nat-remote=1 port=4500 id=\"192.168.1.20\" "
		     "user=\"alice\"");
	charon(h, false, "child-up ike=9 child=3 " IKE_FIELDS " name=l2tp mode=transport reqid=1 "
			 "spi-in=c1a2b3c4 spi-out=0000abcd remote-ports=1701-1701");
	assert_event(last(h, CLIENT), CTL_PHASE_ESP, CTL_RESULT_OK,
		     "ike=9 child=3 mode=transport ports=1701-1701");
	charon(h, false, "child-down ike=9 child=3");
	assert_event(last(h, CLIENT), CTL_PHASE_ESP, CTL_RESULT_DOWN, "ike=9 child=3");
	charon(h, false, "ike-down ike=9");
	assert_event(last(h, CLIENT), CTL_PHASE_IKE, CTL_RESULT_DOWN, "ike=9");
	/* what says nothing new of a client is not recorded */
	charon(h, false, "ike-update ike=9 " IKE_FIELDS);
	charon(h, false, "ike-rekey ike=9 new=10 " IKE_FIELDS);
	charon(h, false, "sync-end");
	assert_event(last(h, CLIENT), CTL_PHASE_IKE, CTL_RESULT_DOWN, "ike=9");
	history_free(h);
}
END_TEST

static void lns(struct history *h, enum lns_event_kind kind, bool established, uint16_t result,
		uint16_t error, const char *text)
{
	struct sockaddr_storage peer = addr(CLIENT, 1701);
	struct lns_event ev = {
		.kind = kind,
		.peer = &peer,
		.tunnel_id = 5,
		.session_id = kind >= LNS_EV_CALL && kind != LNS_EV_CALL_REJECTED ? 3 : 0,
		.result = result,
		.error = error,
		.established = established,
		.authenticated = true,
		.text = text,
	};

	history_feed_lns(h, 1, &ev);
}

START_TEST(lns_events)
{
	struct history *h = history_new(4, 32);

	lns(h, LNS_EV_REFUSED, false, 0, 0, "no IPsec SA protects this peer");
	assert_event(last(h, CLIENT), CTL_PHASE_SCCRQ, CTL_RESULT_FAIL,
		     "refused=unprotected port=1701 reason=\"no IPsec SA protects this peer\"");
	lns(h, LNS_EV_SCCRQ, false, 0, 0, "a \"lac\"");
	assert_event(last(h, CLIENT), CTL_PHASE_SCCRQ, CTL_RESULT_OK,
		     "tunnel=5 port=1701 host=\"a 'lac'\"");
	lns(h, LNS_EV_SCCRQ_REJECTED, false, 2, 6, "tunnel limit reached");
	assert_event(last(h, CLIENT), CTL_PHASE_SCCRQ, CTL_RESULT_FAIL,
		     "rejected=1 result=2 error=6 reason=\"tunnel limit reached\"");
	/* a tunnel that never came up failed; one that was up ended */
	lns(h, LNS_EV_TUNNEL_STOP, false, 4, 0, "wrong challenge response: secrets differ");
	assert_event(last(h, CLIENT), CTL_PHASE_TUNNEL, CTL_RESULT_FAIL,
		     "tunnel=5 by=server result=4 error=0 "
		     "reason=\"wrong challenge response: secrets differ\"");
	lns(h, LNS_EV_TUNNEL_UP, false, 0, 0, "lac");
	assert_event(last(h, CLIENT), CTL_PHASE_TUNNEL, CTL_RESULT_OK, "tunnel=5 auth=secret");
	lns(h, LNS_EV_TUNNEL_STOPPED, true, 1, 0, "bye");
	assert_event(last(h, CLIENT), CTL_PHASE_TUNNEL, CTL_RESULT_DOWN,
		     "tunnel=5 by=client result=1 error=0 message=\"bye\"");
	lns(h, LNS_EV_TUNNEL_LOST, false, 0, 0, "the peer stopped acknowledging");
	assert_event(last(h, CLIENT), CTL_PHASE_TUNNEL, CTL_RESULT_FAIL,
		     "tunnel=5 lost=1 reason=\"the peer stopped acknowledging\"");
	lns(h, LNS_EV_CALL, false, 0, 0, "");
	assert_event(last(h, CLIENT), CTL_PHASE_ICRQ, CTL_RESULT_OK, "tunnel=5 session=3");
	lns(h, LNS_EV_CALL_REJECTED, false, 4, 0, "session limit reached");
	assert_event(last(h, CLIENT), CTL_PHASE_ICRQ, CTL_RESULT_FAIL,
		     "tunnel=5 result=4 error=0 reason=\"session limit reached\"");
	lns(h, LNS_EV_CALL_UP, false, 0, 0, "");
	assert_event(last(h, CLIENT), CTL_PHASE_ICCN, CTL_RESULT_OK, "tunnel=5 session=3");
	lns(h, LNS_EV_CALL_STOP, false, 4, 4, "cannot start PPP");
	assert_event(last(h, CLIENT), CTL_PHASE_ICCN, CTL_RESULT_FAIL,
		     "tunnel=5 session=3 by=server result=4 error=4 reason=\"cannot start PPP\"");
	lns(h, LNS_EV_CALL_STOPPED, true, 3, 0, "");
	assert_event(last(h, CLIENT), CTL_PHASE_ICCN, CTL_RESULT_DOWN,
		     "tunnel=5 session=3 by=client result=3 error=0 message=\"\"");
	history_free(h);
}
END_TEST

/* A pppd plugin report of kind with exit status and method. */
static void ppp(struct history *h, uint32_t kind, int exit_status, const char *method,
		bool authenticated, bool ip_up)
{
	struct sockaddr_storage peer = addr(CLIENT, 1701);
	struct ctl_ppp_event ev = { .kind = kind, .exit_status = exit_status };

	snprintf(ev.user, sizeof(ev.user), "%s", authenticated ? "alice" : "");
	snprintf(ev.method, sizeof(ev.method), "%s", method);
	snprintf(ev.ifname, sizeof(ev.ifname), "ppp0");
	snprintf(ev.reason, sizeof(ev.reason), "reason %d", exit_status);
	inet_pton(AF_INET, "10.0.0.1", &ev.local_addr);
	inet_pton(AF_INET, "10.0.0.20", &ev.remote_addr);
	history_feed_ppp(h, 1, &peer, &ev, authenticated, ip_up);
}

START_TEST(ppp_events)
{
	struct history *h = history_new(4, 32);
	struct sockaddr_storage peer = addr(CLIENT, 1701);

	ppp(h, CTL_PPP_AUTH_UP, 0, "mschap-v2", true, false);
	assert_event(last(h, CLIENT), CTL_PHASE_AUTH, CTL_RESULT_OK,
		     "user=\"alice\" method=mschap-v2");
	ppp(h, CTL_PPP_IP_UP, 0, "mschap-v2", true, false);
	assert_event(last(h, CLIENT), CTL_PHASE_IPCP, CTL_RESULT_OK,
		     "address=10.0.0.20 local=10.0.0.1 interface=ppp0");
	/* the end of a session that was up */
	ppp(h, CTL_PPP_DOWN, 16, "mschap-v2", true, true);
	assert_event(last(h, CLIENT), CTL_PHASE_IPCP, CTL_RESULT_DOWN,
		     "exit=16 reason=\"reason 16\" method=mschap-v2 user=\"alice\"");
	/* EXIT_PEER_AUTH_FAILED: a wrong password, or no method agreed at all */
	ppp(h, CTL_PPP_DOWN, 11, "mschap-v2", false, false);
	assert_event(last(h, CLIENT), CTL_PHASE_AUTH, CTL_RESULT_FAIL,
		     "exit=11 reason=\"reason 11\" method=mschap-v2");
	ppp(h, CTL_PPP_DOWN, 11, "", false, false);
	assert_event(last(h, CLIENT), CTL_PHASE_AUTH, CTL_RESULT_FAIL,
		     "exit=11 reason=\"reason 11\" method=none");
	/* EXIT_NEGOTIATION_FAILED is pppd's word until IP is up: LCP's, or IPCP's */
	ppp(h, CTL_PPP_DOWN, 10, "mschap-v2", false, false);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_LCP);
	ck_assert_int_eq(last(h, CLIENT).result, CTL_RESULT_FAIL);
	ppp(h, CTL_PPP_DOWN, 10, "mschap-v2", true, false);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_IPCP);
	ck_assert_int_eq(last(h, CLIENT).result, CTL_RESULT_FAIL);
	/* a hang-up before IP was up fails the phase under way */
	ppp(h, CTL_PPP_DOWN, 16, "", false, false);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_LCP);
	ck_assert_int_eq(last(h, CLIENT).result, CTL_RESULT_FAIL);
	/* pppd could not run: an option or the kernel */
	ppp(h, CTL_PPP_DOWN, 2, "", false, false);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_LCP);
	ppp(h, CTL_PPP_DOWN, 19, "", false, false);
	ck_assert_int_eq(last(h, CLIENT).phase, CTL_PHASE_AUTH);

	history_feed_pppd_exit(h, 1, &peer, CLD_KILLED, 9, false, false);
	assert_event(last(h, CLIENT), CTL_PHASE_LCP, CTL_RESULT_FAIL,
		     "signal=9 reason=\"pppd killed\"");
	history_feed_pppd_exit(h, 1, &peer, CLD_EXITED, 11, false, false);
	assert_event(last(h, CLIENT), CTL_PHASE_AUTH, CTL_RESULT_FAIL,
		     "exit=11 reason=\"pppd exited unreported\"");
	history_feed_pppd_exit(h, 1, &peer, CLD_EXITED, 5, true, true);
	ck_assert_int_eq(last(h, CLIENT).result, CTL_RESULT_DOWN);

	history_feed_radius(h, 1, &peer, CTL_AUTH_REJECT, "bob", "mschap-v2", "Access-Reject");
	assert_event(last(h, CLIENT), CTL_PHASE_AUTH, CTL_RESULT_FAIL,
		     "radius=reject user=\"bob\" method=mschap-v2 reason=\"Access-Reject\"");
	history_feed_radius(h, 1, &peer, CTL_AUTH_ERROR, "bob", "pap", "no answer");
	assert_event(last(h, CLIENT), CTL_PHASE_AUTH, CTL_RESULT_FAIL,
		     "radius=no-answer user=\"bob\" method=pap reason=\"no answer\"");
	history_feed_pool_empty(h, 1, &peer, 241);
	assert_event(last(h, CLIENT), CTL_PHASE_ICCN, CTL_RESULT_FAIL, "pool=empty size=241");
	history_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, ring_keeps_the_newest_in_order);
	tcase_add_test(tc, address_is_the_key_port_is_not);
	tcase_add_test(tc, least_recent_goes_when_full);
	tcase_add_test(tc, strangers_go_before_clients);
	tcase_add_test(tc, details_are_printable_and_bounded);
	suite_add_tcase(s, tc);
	tc = tcase_create("feed");
	tcase_add_test(tc, charon_events);
	tcase_add_test(tc, lns_events);
	tcase_add_test(tc, ppp_events);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
