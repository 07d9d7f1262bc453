/*
 * Tests of l2tpctl diagnose's reading of a history (l2tpctl_diagnose.c):
 * for each way a client stops, the phase it reached and the cause named,
 * with events written as history_feed.c writes them; attempts, SAs that
 * come and go while a session stands, and the raw form read and written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "l2tpctl_diagnose.h"

#define MAX 64

static struct diag_event ev[MAX];
static size_t n_ev;
static struct diagnosis d;

/* Starts a history: each line "AGE_MS PHASE RESULT DETAIL", oldest first. */
static void history(const char *first, ...)
{
	char err[96];
	va_list ap;

	n_ev = 0;
	va_start(ap, first);
	for (const char *line = first; line; line = va_arg(ap, const char *)) {
		ck_assert_uint_lt(n_ev, MAX);
		ck_assert_msg(diag_parse_line(line, &ev[n_ev], err, sizeof(err)), "'%s': %s", line,
			      err);
		n_ev++;
	}
	va_end(ap);
	diagnose(ev, n_ev, &d);
}

/* The verdict: reached, state and the first cause's id. */
static void verdict(int reached, enum diag_state state, const char *cause)
{
	ck_assert_msg(d.reached == reached, "reached %s, expected %s",
		      diag_phase_name(d.reached), diag_phase_name(reached));
	ck_assert_msg(d.state == state, "state %s, expected %s", diag_state_name(d.state),
		      diag_state_name(state));
	ck_assert_uint_ge(d.n_causes, 1);
	ck_assert_str_eq(d.causes[0]->id, cause);
}

static void second_cause(const char *cause)
{
	ck_assert_uint_eq(d.n_causes, 2);
	ck_assert_str_eq(d.causes[1]->id, cause);
}

/* What the client went through before L2TP, IPsec-wise (IKEv1, no NAT). */
#define IKE_UP "60000 ike ok ike=3 ikev=1 nat-local=0 nat-remote=0 port=500 id=\"192.168.1.20\""
#define ESP_UP "59000 esp ok ike=3 child=4 mode=transport ports=1701-1701"
#define L2TP_UP                                                                            \
	"58000 sccrq ok tunnel=7 port=1701 host=\"win10\"", "57900 tunnel ok tunnel=7 auth=none", \
		"57800 icrq ok tunnel=7 session=9", "57700 iccn ok tunnel=7 session=9"
#define AUTH_UP "56000 auth ok user=\"alice\" method=mschap-v2"
#define IP_UP "55900 ipcp ok address=192.168.42.10 local=192.168.42.1 interface=ppp0"

/* ---- IKE ---- */

START_TEST(ike_proposal_mismatch)
{
	history("3000 ike fail alert=proposal-ike ikev=1 notify=NO_PROPOSAL_CHOSEN nat-local=0 "
		"nat-remote=0 port=500 ike=1",
		"2000 ike fail alert=proposal-ike ikev=1 notify=NO_PROPOSAL_CHOSEN nat-local=0 "
		"nat-remote=0 port=500 ike=2",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "ike-proposal");
	ck_assert_ptr_eq(d.stop, &ev[1]);
	ck_assert_uint_eq(d.first, 0);
}
END_TEST

/* charon's signs of a PSK mismatch (see l2tpsrv_ike_fail.c), then its half-open timeout */
START_TEST(psk_mismatch)
{
	history("9000 ike fail alert=parse-error ikev=1 exchange=main-mode encrypted=1 nat-local=0 "
		"nat-remote=0 port=500 ike=3",
		"6000 ike fail alert=parse-error ikev=1 exchange=main-mode encrypted=1 nat-local=0 "
		"nat-remote=0 port=500 ike=3",
		"1000 ike fail alert=timeout ikev=1 nat-local=0 nat-remote=0 port=500 ike=3", NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "psk-mismatch");
	second_cause("ike-auth");
	ck_assert_ptr_eq(d.stop, &ev[0]);
	/* IKEv2's, and IKEv1's when the garbage parsed */
	history("1000 ike fail alert=auth-failed ikev=2 nat-local=0 nat-remote=0 port=4500 ike=3",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "ike-auth");
	/* an unencrypted message that does not parse is something else */
	history("1000 ike fail alert=parse-error ikev=1 exchange=main-mode nat-local=0 "
		"nat-remote=0 port=500",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "ike-malformed");
	history("1000 ike fail alert=parse-error ikev=1 exchange=quick-mode encrypted=1 "
		"nat-local=0 nat-remote=0 port=500",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "ike-malformed");
}
END_TEST

START_TEST(certificates)
{
	history("2000 ike fail alert=cert-untrusted ikev=1 nat-local=0 nat-remote=0 port=500 ike=3",
		"1990 ike fail alert=auth-failed ikev=1 nat-local=0 nat-remote=0 port=500 ike=3",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "client-cert");
	history("1990 ike fail alert=local-auth-failed ikev=2 nat-local=0 nat-remote=0 port=500",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "server-auth");
	/* IKEv1 Main Mode's INVALID_KEY_INFORMATION: no PSK for the client here */
	history("1990 ike fail alert=key-failed ikev=1 notify=INVALID_KEY_INFORMATION "
		"nat-local=0 nat-remote=0 port=500 ike=2",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "server-psk");
}
END_TEST

/* Windows' error 809: NAT in the way and the client goes quiet */
START_TEST(timeout_behind_nat)
{
	history("30000 ike fail alert=timeout ikev=1 nat-local=1 nat-remote=1 port=500 ike=5",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "nat-t-809");
	second_cause("ike-timeout");
	history("30000 ike fail alert=timeout ikev=1 nat-local=1 nat-remote=0 port=500 ike=5",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "nat-t-809");
	history("30000 ike fail alert=timeout ikev=1 nat-local=0 nat-remote=0 port=500 ike=5",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "ike-timeout");
	ck_assert_uint_eq(d.n_causes, 1);
}
END_TEST

START_TEST(esp_failures)
{
	history(IKE_UP,
		"59000 esp fail alert=proposal-child ikev=1 notify=NO_PROPOSAL_CHOSEN nat-local=0 "
		"nat-remote=0 port=500 ike=3",
		"30000 ike down ike=3", NULL);
	verdict(CTL_PHASE_ESP, DIAG_FAILED, "esp-proposal");
	history(IKE_UP,
		"59000 esp fail alert=ts-mismatch ikev=1 notify=INVALID_ID_INFORMATION nat-local=0 "
		"nat-remote=0 port=500 ike=3",
		NULL);
	verdict(CTL_PHASE_ESP, DIAG_FAILED, "ts-mismatch");
	history(IKE_UP, "58000 ike down ike=3", NULL);
	verdict(CTL_PHASE_IKE, DIAG_ENDED, "no-child");
}
END_TEST

/* ---- L2TP ---- */

START_TEST(no_l2tp_after_esp)
{
	history(IKE_UP, ESP_UP, "30000 esp down ike=3 child=4", "29990 ike down ike=3", NULL);
	verdict(CTL_PHASE_ESP, DIAG_ENDED, "no-l2tp");
	ck_assert_ptr_eq(d.stop, &ev[2]);
	/* still up: stalled, or under way */
	history(IKE_UP, ESP_UP, NULL);
	verdict(CTL_PHASE_ESP, DIAG_IN_PROGRESS, "no-l2tp");
	ck_assert_ptr_null(d.stop);
}
END_TEST

START_TEST(unprotected_l2tp)
{
	history("5000 sccrq fail refused=unprotected port=1701 "
		"reason=\"no IPsec SA protects this peer\"",
		NULL);
	verdict(CTL_PHASE_SCCRQ, DIAG_FAILED, "unprotected-l2tp");
	history("5000 sccrq fail rejected=1 result=2 error=4 reason=\"tunnel limit reached\"",
		NULL);
	verdict(CTL_PHASE_SCCRQ, DIAG_FAILED, "sccrq-rejected");
}
END_TEST

START_TEST(tunnel_failures)
{
	history(IKE_UP, ESP_UP, "58000 sccrq ok tunnel=7 port=1701 host=\"lac\"",
		"57900 tunnel fail tunnel=7 by=server result=4 error=0 "
		"reason=\"wrong challenge response: secrets differ\"",
		"50000 esp down ike=3 child=4", "49990 ike down ike=3", NULL);
	verdict(CTL_PHASE_TUNNEL, DIAG_FAILED, "tunnel-secret");
	history(IKE_UP, ESP_UP, "58000 sccrq ok tunnel=7 port=1701 host=\"lac\"",
		"28000 tunnel fail tunnel=7 by=server result=2 error=0 "
		"reason=\"no SCCCN from the peer\"",
		NULL);
	verdict(CTL_PHASE_TUNNEL, DIAG_FAILED, "tunnel-setup");
	history(IKE_UP, ESP_UP, "58000 sccrq ok tunnel=7 port=1701 host=\"lac\"",
		"57900 tunnel ok tunnel=7 auth=none",
		"20000 tunnel down tunnel=7 by=client result=1 error=0 message=\"\"", NULL);
	verdict(CTL_PHASE_TUNNEL, DIAG_ENDED, "no-call");
}
END_TEST

START_TEST(call_failures)
{
	history(IKE_UP, ESP_UP, "58000 sccrq ok tunnel=7 port=1701 host=\"win10\"",
		"57900 tunnel ok tunnel=7 auth=none",
		"57800 icrq fail tunnel=7 result=4 error=0 reason=\"session limit reached\"", NULL);
	verdict(CTL_PHASE_ICRQ, DIAG_FAILED, "call-rejected");
	/* the pool, then the call's CDN that only follows from it */
	history(IKE_UP, ESP_UP, "58000 sccrq ok tunnel=7 port=1701 host=\"win10\"",
		"57900 tunnel ok tunnel=7 auth=none", "57800 icrq ok tunnel=7 session=9",
		"57700 iccn fail pool=empty size=241",
		"57700 iccn fail tunnel=7 session=9 by=server result=4 error=4 "
		"reason=\"cannot start PPP\"",
		NULL);
	verdict(CTL_PHASE_ICCN, DIAG_FAILED, "pool-empty");
	/* the null data path: no PPP at all */
	history("58000 sccrq ok tunnel=7 port=34567 host=\"bats-lac\"",
		"57900 tunnel ok tunnel=7 auth=none", "57800 icrq ok tunnel=7 session=9",
		"57700 iccn ok tunnel=7 session=9", NULL);
	verdict(CTL_PHASE_ICCN, DIAG_IN_PROGRESS, "no-ppp");
}
END_TEST

/* ---- PPP ---- */

START_TEST(lcp_failure)
{
	history(IKE_UP, ESP_UP, L2TP_UP,
		"27000 lcp fail exit=10 reason=\"negotiation failed\" method=mschap-v2",
		"27000 iccn down tunnel=7 session=9 by=server result=2 error=0 "
		"reason=\"negotiation failed\"",
		"26000 tunnel down tunnel=7 by=client result=1 error=0 message=\"\"", NULL);
	verdict(CTL_PHASE_LCP, DIAG_FAILED, "lcp");
	/* the client hung up in the middle */
	history(IKE_UP, ESP_UP, L2TP_UP, "50000 lcp fail exit=16 reason=\"hangup\" method=none",
		NULL);
	verdict(CTL_PHASE_LCP, DIAG_FAILED, "ppp-gone");
	history(IKE_UP, ESP_UP, L2TP_UP, "57600 lcp fail exit=2 reason=\"option error\" method=none",
		NULL);
	verdict(CTL_PHASE_LCP, DIAG_FAILED, "pppd-failed");
}
END_TEST

START_TEST(authentication_failures)
{
	history(IKE_UP, ESP_UP, L2TP_UP,
		"50000 auth fail exit=11 reason=\"peer authentication failed\" method=mschap-v2",
		"50000 iccn down tunnel=7 session=9 by=server result=2 error=0 "
		"reason=\"peer authentication failed\"",
		NULL);
	verdict(CTL_PHASE_AUTH, DIAG_FAILED, "wrong-password");
	history(IKE_UP, ESP_UP, L2TP_UP,
		"50000 auth fail exit=11 reason=\"peer authentication failed\" method=none", NULL);
	verdict(CTL_PHASE_AUTH, DIAG_FAILED, "auth-method");
	/* RADIUS's verdict, then pppd's that repeats it */
	history(IKE_UP, ESP_UP, L2TP_UP,
		"50100 auth fail radius=reject user=\"bob\" method=mschap-v2 "
		"reason=\"Access-Reject\"",
		"50000 auth fail exit=11 reason=\"peer authentication failed\" method=mschap-v2",
		NULL);
	verdict(CTL_PHASE_AUTH, DIAG_FAILED, "wrong-password");
	ck_assert_ptr_eq(d.stop, &ev[6]);
	history(IKE_UP, ESP_UP, L2TP_UP,
		"50100 auth fail radius=no-answer user=\"bob\" method=pap reason=\"timeout\"",
		"50000 auth fail exit=11 reason=\"peer authentication failed\" method=pap", NULL);
	verdict(CTL_PHASE_AUTH, DIAG_FAILED, "radius-down");
	history(IKE_UP, ESP_UP, L2TP_UP,
		"50000 auth fail exit=19 reason=\"failed to authenticate ourselves to peer\" "
		"method=none",
		NULL);
	verdict(CTL_PHASE_AUTH, DIAG_FAILED, "server-refused");
}
END_TEST

START_TEST(ipcp_failure)
{
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP,
		"26000 ipcp fail exit=10 reason=\"negotiation failed\" method=mschap-v2 "
		"user=\"alice\"",
		NULL);
	verdict(CTL_PHASE_IPCP, DIAG_FAILED, "ipcp");
	/* authenticated, and nothing more yet */
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, NULL);
	verdict(CTL_PHASE_AUTH, DIAG_IN_PROGRESS, "ipcp");
}
END_TEST

/* ---- success, and what happens to it ---- */

START_TEST(connected)
{
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP, NULL);
	verdict(CTL_PHASE_IPCP, DIAG_CONNECTED, "connected");
	ck_assert_ptr_null(d.stop);
	/* without IPsec (allow_unencrypted) and without authentication */
	history("58000 sccrq ok tunnel=7 port=1701 host=\"lac\"", "57900 tunnel ok tunnel=7 auth=none",
		"57800 icrq ok tunnel=7 session=9", "57700 iccn ok tunnel=7 session=9", IP_UP, NULL);
	verdict(CTL_PHASE_IPCP, DIAG_CONNECTED, "connected");
}
END_TEST

/* Windows reauthenticates after 8 h: a new IKE SA, then the old one goes */
START_TEST(reauthentication_while_connected)
{
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP,
		"3000 ike ok ike=11 ikev=1 nat-local=0 nat-remote=0 port=500 id=\"192.168.1.20\"",
		"2900 esp ok ike=11 child=12 mode=transport ports=1701-1701",
		"2000 esp down ike=3 child=4", "1990 ike down ike=3", NULL);
	verdict(CTL_PHASE_IPCP, DIAG_CONNECTED, "connected");
	/* and a rekeying that fails meanwhile changes nothing */
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP,
		"3000 esp fail alert=proposal-child ikev=1 notify=NO_PROPOSAL_CHOSEN nat-local=0 "
		"nat-remote=0 port=500 ike=3",
		NULL);
	verdict(CTL_PHASE_IPCP, DIAG_CONNECTED, "connected");
	/* the new SAs go too: that is an end */
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP,
		"3000 ike ok ike=11 ikev=1 nat-local=0 nat-remote=0 port=500 id=\"192.168.1.20\"",
		"2000 ike down ike=3", "1000 ike down ike=11", NULL);
	verdict(CTL_PHASE_IPCP, DIAG_ENDED, "ended-by-client");
	ck_assert_ptr_eq(d.stop, &ev[10]);
}
END_TEST

START_TEST(session_ends)
{
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP,
		"2000 ipcp down exit=0 reason=\"terminated by peer\" method=mschap-v2 "
		"user=\"alice\"",
		"1990 iccn down tunnel=7 session=9 by=server result=2 error=0 "
		"reason=\"terminated by peer\"",
		"1900 tunnel down tunnel=7 by=client result=1 error=0 message=\"\"",
		"1800 esp down ike=3 child=4", "1790 ike down ike=3", NULL);
	verdict(CTL_PHASE_IPCP, DIAG_ENDED, "ended-by-client");
	ck_assert_ptr_eq(d.stop, &ev[8]);
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP,
		"2000 ipcp down exit=12 reason=\"idle timeout\" method=mschap-v2 user=\"alice\"",
		"1990 iccn down tunnel=7 session=9 by=server result=2 error=0 "
		"reason=\"idle timeout\"",
		NULL);
	verdict(CTL_PHASE_IPCP, DIAG_ENDED, "ended-by-server");
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP,
		"2000 ike down alert=dpd-timeout ikev=1 nat-local=0 nat-remote=0 port=500 ike=3",
		"1990 esp down ike=3 child=4", "1980 ike down ike=3",
		"1970 tunnel down tunnel=7 by=server result=1 error=0 "
		"reason=\"IPsec SA gone (IKE SA 3 down)\"",
		"1900 ipcp down exit=5 reason=\"user request\" method=mschap-v2 user=\"alice\"", NULL);
	verdict(CTL_PHASE_IPCP, DIAG_ENDED, "client-vanished");
}
END_TEST

/* The last attempt is what counts: a new one starts with IPsec after an end. */
START_TEST(attempts)
{
	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP,
		"2000 ipcp down exit=0 reason=\"terminated by peer\" method=mschap-v2",
		"1800 esp down ike=3 child=4", "1790 ike down ike=3",
		"1000 ike fail alert=proposal-ike ikev=1 notify=NO_PROPOSAL_CHOSEN nat-local=0 "
		"nat-remote=0 port=500 ike=20",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "ike-proposal");
	ck_assert_uint_eq(d.first, 11);
	/* a failure overcome: the client was fixed and came back */
	history("90000 ike fail alert=timeout ikev=1 nat-local=1 nat-remote=1 port=500 ike=1",
		IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP, NULL);
	verdict(CTL_PHASE_IPCP, DIAG_CONNECTED, "connected");
	/* a wrong password, then a new attempt that gets no further than IKE */
	history(IKE_UP, ESP_UP, L2TP_UP,
		"50000 auth fail exit=11 reason=\"peer authentication failed\" method=mschap-v2",
		"50000 iccn down tunnel=7 session=9 by=server result=2 error=0 "
		"reason=\"peer authentication failed\"",
		"49000 tunnel down tunnel=7 by=client result=1 error=0 message=\"\"",
		"40000 ike ok ike=30 ikev=1 nat-local=0 nat-remote=0 port=500 id=\"192.168.1.20\"",
		NULL);
	verdict(CTL_PHASE_IKE, DIAG_IN_PROGRESS, "no-child");
	ck_assert_uint_eq(d.first, 9);
	/* a second L2TP attempt inside the same IPsec SA */
	history(IKE_UP, ESP_UP, "58000 sccrq ok tunnel=7 port=1701 host=\"lac\"",
		"57900 tunnel fail tunnel=7 by=server result=4 error=0 "
		"reason=\"wrong challenge response: secrets differ\"",
		"50000 sccrq ok tunnel=8 port=1701 host=\"lac\"", NULL);
	verdict(CTL_PHASE_SCCRQ, DIAG_IN_PROGRESS, "tunnel-setup");
	ck_assert_uint_eq(d.first, 4);
	/* hours apart */
	history("9000000 ike fail alert=auth-failed ikev=1 nat-local=0 nat-remote=0 port=500",
		"1000 ike fail alert=timeout ikev=1 nat-local=0 nat-remote=0 port=500", NULL);
	verdict(CTL_PHASE_IKE, DIAG_FAILED, "ike-timeout");
	ck_assert_uint_eq(d.first, 1);
}
END_TEST

START_TEST(nothing_to_say)
{
	diagnose(ev, 0, &d);
	ck_assert_int_eq(d.reached, -1);
	ck_assert_int_eq(d.state, DIAG_UNKNOWN);
	ck_assert_str_eq(d.causes[0]->id, "unknown");
	history("1000 ike down ike=3", NULL);
	ck_assert_int_eq(d.state, DIAG_UNKNOWN);
}
END_TEST

/* ---- details and the raw form ---- */

START_TEST(detail_values)
{
	const char *detail = "a=1 reason=\"x b=2 y\" b=3 bare c= d=\"unterminated";
	char v[16];

	ck_assert(diag_detail_value(detail, "a", v, sizeof(v)));
	ck_assert_str_eq(v, "1");
	ck_assert(diag_detail_value(detail, "reason", v, sizeof(v)));
	ck_assert_str_eq(v, "x b=2 y");
	ck_assert(diag_detail_value(detail, "b", v, sizeof(v)));
	ck_assert_str_eq(v, "3"); /* not the b= inside the quotes */
	ck_assert(diag_detail_value(detail, "c", v, sizeof(v)));
	ck_assert_str_eq(v, "");
	ck_assert(diag_detail_value(detail, "d", v, sizeof(v)));
	ck_assert_str_eq(v, "unterminated");
	ck_assert(!diag_detail_value(detail, "bare", v, sizeof(v)));
	ck_assert(!diag_detail_value(detail, "x", v, sizeof(v)));
	ck_assert(!diag_detail_value(detail, "", v, sizeof(v)));
	ck_assert(diag_detail_value("long=abcdefghijklmnopqrstuvwxyz", "long", v, 8));
	ck_assert_str_eq(v, "abcdefg");
	ck_assert(!diag_detail_value("", "a", v, sizeof(v)));
}
END_TEST

START_TEST(raw_lines)
{
	struct diag_event e;
	char err[96];

	ck_assert(diag_parse_line("12 ipcp ok address=10.0.0.2 local=10.0.0.1", &e, err,
				  sizeof(err)));
	ck_assert_uint_eq(e.age_ms, 12);
	ck_assert_int_eq(e.phase, CTL_PHASE_IPCP);
	ck_assert_int_eq(e.result, CTL_RESULT_OK);
	ck_assert_str_eq(e.detail, "address=10.0.0.2 local=10.0.0.1");
	ck_assert(diag_parse_line("0 esp down", &e, err, sizeof(err)));
	ck_assert_str_eq(e.detail, "");
	ck_assert(!diag_parse_line("12 ppp ok x=1", &e, err, sizeof(err)));
	ck_assert_str_eq(err, "unknown phase 'ppp'");
	ck_assert(!diag_parse_line("12 ike up x=1", &e, err, sizeof(err)));
	ck_assert_str_eq(err, "unknown result 'up' (ok, fail, down)");
	ck_assert(!diag_parse_line("-12 ike ok", &e, err, sizeof(err)));
	ck_assert(!diag_parse_line("ike ok", &e, err, sizeof(err)));
	ck_assert_str_eq(err, "not AGE_MS PHASE RESULT DETAIL");
	ck_assert(!diag_parse_line("", &e, err, sizeof(err)));
	for (int p = 0; p < CTL_PHASE_COUNT; p++) {
		enum ctl_phase back;

		ck_assert(diag_phase_parse(diag_phase_name(p), &back));
		ck_assert_int_eq(back, p);
	}
}
END_TEST

/* --raw's output reads back as the same events; the peer comes along */
START_TEST(raw_round_trip)
{
	static struct diag_event back[MAX];
	char *buf = NULL, peer[64] = "unset", err[96];
	size_t len = 0;
	FILE *f;
	int n;

	history(IKE_UP, ESP_UP, L2TP_UP, AUTH_UP, IP_UP, NULL);
	f = open_memstream(&buf, &len);
	diag_print_raw(f, "recorded: a test", "203.0.113.7", ev, n_ev);
	fclose(f);
	ck_assert_msg(!strncmp(buf, "# recorded: a test\n# peer 203.0.113.7\n", 38), "%s", buf);
	f = fmemopen(buf, len, "r");
	n = diag_read_raw(f, back, MAX, peer, sizeof(peer), err, sizeof(err));
	fclose(f);
	ck_assert_int_eq(n, (int)n_ev);
	ck_assert_str_eq(peer, "203.0.113.7");
	for (size_t i = 0; i < n_ev; i++) {
		ck_assert_uint_eq(back[i].age_ms, ev[i].age_ms);
		ck_assert_int_eq(back[i].phase, ev[i].phase);
		ck_assert_int_eq(back[i].result, ev[i].result);
		ck_assert_str_eq(back[i].detail, ev[i].detail);
	}
	/* more lines than room: the newest are kept */
	f = fmemopen(buf, len, "r");
	n = diag_read_raw(f, back, 3, peer, sizeof(peer), err, sizeof(err));
	fclose(f);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(back[2].detail, ev[n_ev - 1].detail);
	free(buf);

	buf = strdup("# recorded by hand\n\n1000 ike ok ike=1\n2000 bogus ok\n");
	f = fmemopen(buf, strlen(buf), "r");
	ck_assert_int_eq(diag_read_raw(f, back, MAX, peer, sizeof(peer), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 4: unknown phase 'bogus'");
	fclose(f);
	free(buf);
}
END_TEST

/* the text says the phase, the cause and its advice, in lines scripts can pick */
START_TEST(text_and_json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	history("9000 ike fail alert=parse-error ikev=1 exchange=main-mode encrypted=1 nat-local=0 "
		"nat-remote=0 port=500 ike=3",
		NULL);
	f = open_memstream(&buf, &len);
	diag_print_text(f, "203.0.113.7", ev, n_ev, &d);
	fclose(f);
	ck_assert_msg(strstr(buf, "\nreached: IKE (failed)\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "\nlikely: psk-mismatch: "), "%s", buf);
	ck_assert_msg(strstr(buf, "\nadvice: give the client exactly the key"), "%s", buf);
	ck_assert_msg(strstr(buf, "\nor: ike-auth: "), "%s", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	diag_print_json(f, "203.0.113.7", ev, n_ev, &d);
	fclose(f);
	ck_assert_msg(strstr(buf, "\"state\":\"failed\",\"reached\":\"ike\""), "%s", buf);
	ck_assert_msg(strstr(buf, "\"id\":\"psk-mismatch\""), "%s", buf);
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("l2tpctl_diagnose");
	TCase *tc = tcase_create("phases");

	tcase_add_test(tc, ike_proposal_mismatch);
	tcase_add_test(tc, psk_mismatch);
	tcase_add_test(tc, certificates);
	tcase_add_test(tc, timeout_behind_nat);
	tcase_add_test(tc, esp_failures);
	tcase_add_test(tc, no_l2tp_after_esp);
	tcase_add_test(tc, unprotected_l2tp);
	tcase_add_test(tc, tunnel_failures);
	tcase_add_test(tc, call_failures);
	tcase_add_test(tc, lcp_failure);
	tcase_add_test(tc, authentication_failures);
	tcase_add_test(tc, ipcp_failure);
	suite_add_tcase(s, tc);
	tc = tcase_create("sessions");
	tcase_add_test(tc, connected);
	tcase_add_test(tc, reauthentication_while_connected);
	tcase_add_test(tc, session_ends);
	tcase_add_test(tc, attempts);
	tcase_add_test(tc, nothing_to_say);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, detail_values);
	tcase_add_test(tc, raw_lines);
	tcase_add_test(tc, raw_round_trip);
	tcase_add_test(tc, text_and_json);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
