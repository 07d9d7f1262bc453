/*
 * Tests of the pppd plugin's report layer, without pppd: reason words for
 * exit codes, the method from LCP's options, string copies, the framing of
 * CTL_PPP_EVENT and CTL_AUTH requests, and the exchange with a fake
 * l2tpsrv control socket (report_test_daemon.c): exact bytes, refusals, a
 * verdict, and a daemon that never answers, closes early or answers
 * garbage. The EAP relay and CTL_EAP are tested in eap_relay_test.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>
#include <pppd/chap-new.h>

#include "check_tap.h"
#include "report.h"
#include "report_test.h"

static struct ctl_ppp_event sample_event(void)
{
	struct ctl_ppp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = CTL_PPP_DOWN;
	ev.exit_status = EXIT_HANGUP;
	report_copy_string(ev.user, sizeof(ev.user), "alice");
	report_copy_string(ev.method, sizeof(ev.method), "mschap-v2");
	report_copy_string(ev.ifname, sizeof(ev.ifname), "ppp3");
	ev.local_addr = 0x0100000a; /* any value: the plugin copies it as is */
	ev.remote_addr = 0x0200000a;
	report_copy_string(ev.reason, sizeof(ev.reason), "hangup");
	ev.bytes_in = 1234567890123ull;
	ev.bytes_out = 42;
	ev.packets_in = 7;
	ev.packets_out = 8;
	ev.connect_time_s = 3600;
	return ev;
}

/* The bytes l2tpsrv expects, built field by field rather than by report_frame(). */
static void expected_bytes(uint8_t out[REPORT_MESSAGE_SIZE], uint16_t tunnel_id,
			   uint16_t session_id, const struct ctl_ppp_event *ev)
{
	struct ctl_request req;

	memset(&req, 0, sizeof(req));
	req.magic = CTL_MAGIC;
	req.version = CTL_VERSION;
	req.command = CTL_PPP_EVENT;
	req.tunnel_id = tunnel_id;
	req.session_id = session_id;
	memcpy(out, &req, sizeof(req));
	memcpy(out + sizeof(req), ev, sizeof(*ev));
}

START_TEST(exit_reasons_name_every_code)
{
	ck_assert_str_eq(report_exit_reason(EXIT_USER_REQUEST), "user request");
	ck_assert_str_eq(report_exit_reason(EXIT_PEER_AUTH_FAILED), "peer authentication failed");
	ck_assert_str_eq(report_exit_reason(EXIT_HANGUP), "hangup");
	ck_assert_str_eq(report_exit_reason(EXIT_IDLE_TIMEOUT), "idle timeout");
	ck_assert_str_eq(report_exit_reason(EXIT_CONNECT_TIME), "connect time limit");
	ck_assert_str_eq(report_exit_reason(EXIT_PEER_DEAD), "peer not responding");
	ck_assert_str_eq(report_exit_reason(EXIT_NEGOTIATION_FAILED), "negotiation failed");
	ck_assert_str_eq(report_exit_reason(EXIT_AUTH_TOPEER_FAILED),
			 "authentication to peer failed");
	for (int code = EXIT_OK; code <= EXIT_CNID_AUTH_FAILED; code++)
		ck_assert_str_ne(report_exit_reason(code), "unknown");
	ck_assert_str_eq(report_exit_reason(-1), "unknown");
	ck_assert_str_eq(report_exit_reason(EXIT_CNID_AUTH_FAILED + 1), "unknown");
	ck_assert_str_eq(report_exit_reason(100000), "unknown");
}
END_TEST

START_TEST(auth_method_follows_pppd_choice)
{
	lcp_options go;
	int digest;

	memset(&go, 0, sizeof(go));
	ck_assert_str_eq(report_auth_method(&go), "");
	go.neg_upap = 1;
	ck_assert_str_eq(report_auth_method(&go), "pap");
	go.neg_chap = 1; /* CHAP is asked for before PAP */
	go.chap_mdtype = MDTYPE_MICROSOFT_V2;
	ck_assert_str_eq(report_auth_method(&go), "mschap-v2");
	go.chap_mdtype = MDTYPE_MICROSOFT;
	ck_assert_str_eq(report_auth_method(&go), "mschap");
	go.chap_mdtype = MDTYPE_MD5;
	ck_assert_str_eq(report_auth_method(&go), "chap");
	/* Several digests allowed: the one pppd asks for, by its CHAP_DIGEST(). */
	go.chap_mdtype = MDTYPE_MD5 | MDTYPE_MICROSOFT_V2;
	digest = CHAP_DIGEST(MDTYPE_MD5 | MDTYPE_MICROSOFT_V2);
	ck_assert_str_eq(report_auth_method(&go), digest == CHAP_MD5 ? "chap" : "mschap-v2");
	go.neg_eap = 1; /* EAP before both */
	ck_assert_str_eq(report_auth_method(&go), "eap");
}
END_TEST

START_TEST(copy_string_truncates_and_zero_fills)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	report_copy_string(buf, sizeof(buf), "ab");
	ck_assert_str_eq(buf, "ab");
	for (size_t i = 2; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
	report_copy_string(buf, sizeof(buf), "0123456789");
	ck_assert_str_eq(buf, "0123456");
	report_copy_string(buf, sizeof(buf), NULL);
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	report_copy_string(buf, 0, "ab");
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(frame_is_request_then_event_without_gap)
{
	struct ctl_ppp_event ev = sample_event();
	uint8_t got[REPORT_MESSAGE_SIZE], want[REPORT_MESSAGE_SIZE];
	uint32_t u32;
	uint16_t u16;

	ck_assert_uint_eq(sizeof(struct ctl_request), 20);
	ck_assert_uint_eq(sizeof(struct ctl_ppp_event), 216);
	ck_assert_uint_eq(report_frame(got, 7, 9, &ev), REPORT_MESSAGE_SIZE);
	expected_bytes(want, 7, 9, &ev);
	ck_assert_mem_eq(got, want, REPORT_MESSAGE_SIZE);
	memcpy(&u32, got, 4);
	ck_assert_uint_eq(u32, CTL_MAGIC);
	memcpy(&u16, got + 6, 2);
	ck_assert_uint_eq(u16, CTL_PPP_EVENT);
	memcpy(&u16, got + 8, 2);
	ck_assert_uint_eq(u16, 7);
	memcpy(&u16, got + 10, 2);
	ck_assert_uint_eq(u16, 9);
	memcpy(&u32, got + 20 + offsetof(struct ctl_ppp_event, kind), 4);
	ck_assert_uint_eq(u32, CTL_PPP_DOWN);
	ck_assert_str_eq((char *)got + 20 + offsetof(struct ctl_ppp_event, user), "alice");
}
END_TEST

START_TEST(send_writes_exact_bytes_and_reads_status)
{
	struct ctl_ppp_event ev = sample_event();
	uint8_t want[REPORT_MESSAGE_SIZE];
	struct fake_daemon d;
	int32_t daemon_status = -1;

	fake_start(&d, ANSWER_STATUS, 0);
	ck_assert_int_eq(report_send(d.path, 300, 65535, &ev, 2000, &daemon_status), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, 0);
	expected_bytes(want, 300, 65535, &ev);
	ck_assert_uint_eq(d.got_len, REPORT_MESSAGE_SIZE); /* and nothing after */
	ck_assert_mem_eq(d.got, want, REPORT_MESSAGE_SIZE);
}
END_TEST

START_TEST(send_passes_back_a_refusal)
{
	struct ctl_ppp_event ev = sample_event();
	struct fake_daemon d;
	int32_t daemon_status = 0;

	fake_start(&d, ANSWER_STATUS, -EPERM);
	ck_assert_int_eq(report_send(d.path, 1, 2, &ev, 2000, &daemon_status), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, -EPERM);
}
END_TEST

START_TEST(send_times_out_when_daemon_never_answers)
{
	struct ctl_ppp_event ev = sample_event();
	struct fake_daemon d;
	struct timespec start;
	int32_t daemon_status = 12345;
	int64_t took;

	fake_start(&d, ANSWER_NEVER, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ck_assert_int_eq(report_send(d.path, 1, 2, &ev, 300, &daemon_status), -ETIMEDOUT);
	took = elapsed_ms(&start);
	fake_stop(&d); /* returns: the client closed its end */
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 1500);
	ck_assert_int_eq(daemon_status, 12345);
	ck_assert_uint_eq(d.got_len, REPORT_MESSAGE_SIZE);
}
END_TEST

START_TEST(send_fails_when_daemon_closes_without_reply)
{
	struct ctl_ppp_event ev = sample_event();
	struct fake_daemon d;
	int32_t daemon_status = 0;

	fake_start(&d, ANSWER_CLOSE, 0);
	ck_assert_int_eq(report_send(d.path, 1, 2, &ev, 2000, &daemon_status), -ECONNRESET);
	fake_stop(&d);
}
END_TEST

START_TEST(send_rejects_reply_with_wrong_magic)
{
	struct ctl_ppp_event ev = sample_event();
	struct fake_daemon d;
	int32_t daemon_status = 0;

	fake_start(&d, ANSWER_BAD_MAGIC, 0);
	ck_assert_int_eq(report_send(d.path, 1, 2, &ev, 2000, &daemon_status), -EPROTO);
	fake_stop(&d);
}
END_TEST

static void on_sigusr1(int sig)
{
	(void)sig;
}

START_TEST(send_retries_after_a_signal)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 }; /* no SA_RESTART: EINTR */
	struct ctl_ppp_event ev = sample_event();
	struct fake_daemon d;
	int32_t daemon_status = -1;

	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	fake_start(&d, ANSWER_AFTER_SIGNAL, 0);
	ck_assert_int_eq(report_send(d.path, 1, 2, &ev, 2000, &daemon_status), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, 0);
}
END_TEST

START_TEST(send_fails_without_daemon_and_leaks_no_fd)
{
	struct ctl_ppp_event ev = sample_event();
	char long_path[200];
	int32_t daemon_status = 0;
	int before = dup(0), after;

	close(before);
	ck_assert_int_eq(report_send("/nonexistent/l2tpsrv/control", 1, 2, &ev, 2000,
				     &daemon_status),
			 -ENOENT);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	ck_assert_int_eq(report_send(long_path, 1, 2, &ev, 2000, &daemon_status), -ENAMETOOLONG);
	after = dup(0);
	close(after);
	ck_assert_int_eq(after, before);
}
END_TEST

/* ---- CTL_AUTH ---- */

/* pppd's MS-CHAPv2 challenge and response buffers: the length octet first. */
static void mschap2_buffers(unsigned char challenge[1 + 16], unsigned char response[1 + 49])
{
	challenge[0] = 16;
	for (int i = 0; i < 16; i++)
		challenge[1 + i] = (unsigned char)(0xa0 + i);
	response[0] = 49;
	for (int i = 0; i < 49; i++)
		response[1 + i] = (unsigned char)i;
}

/* pppd.h's bool comes without true and false. */
START_TEST(auth_pap_request_holds_whole_credentials)
{
	struct ctl_auth_request rq;
	char long_name[300];

	ck_assert_uint_eq(sizeof(struct ctl_auth_request), 648);
	ck_assert_uint_eq(sizeof(struct ctl_auth_reply), 288);
	ck_assert_int_eq(report_auth_pap(&rq, "alice", "alice-password"), 0);
	ck_assert_uint_eq(rq.method, CTL_AUTH_PAP);
	ck_assert_str_eq(rq.user, "alice");
	ck_assert_str_eq(rq.password, "alice-password");
	ck_assert(all_zero(rq.password + 15, sizeof(rq.password) - 15));
	ck_assert_uint_eq(rq.challenge_len, 0);
	/* a cut name would be someone else's: refused, and nothing left behind */
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	ck_assert_int_eq(report_auth_pap(&rq, long_name, "pw"), -ENAMETOOLONG);
	ck_assert_int_eq(report_auth_pap(&rq, "alice", long_name), -ENAMETOOLONG);
	ck_assert(all_zero(&rq, sizeof(rq)));
	long_name[255] = '\0'; /* pppd's longest name, MAXNAMELEN - 1 */
	ck_assert_int_eq(report_auth_pap(&rq, long_name, "pw"), 0);
}
END_TEST

START_TEST(auth_chap_request_from_pppd_buffers)
{
	unsigned char challenge[1 + 65], response[1 + 65];
	struct ctl_auth_request rq;

	mschap2_buffers(challenge, response);
	ck_assert_int_eq(report_auth_chap(&rq, CHAP_MICROSOFT_V2, "DOMAIN\\bob", 0x42, challenge,
					  response),
			 0);
	ck_assert_uint_eq(rq.method, CTL_AUTH_MSCHAP_V2);
	ck_assert_str_eq(rq.user, "DOMAIN\\bob");
	ck_assert_uint_eq(rq.chap_id, 0x42);
	ck_assert_uint_eq(rq.challenge_len, 16);
	ck_assert_mem_eq(rq.challenge, challenge + 1, 16);
	ck_assert_uint_eq(rq.response_len, 49);
	ck_assert_mem_eq(rq.response, response + 1, 49);
	ck_assert(all_zero(rq.password, sizeof(rq.password)));
	ck_assert_int_eq(report_auth_chap(&rq, CHAP_MD5, "u", 1, challenge, response), 0);
	ck_assert_uint_eq(rq.method, CTL_AUTH_CHAP);
	ck_assert_int_eq(report_auth_chap(&rq, CHAP_MICROSOFT, "u", 1, challenge, response), 0);
	ck_assert_uint_eq(rq.method, CTL_AUTH_MSCHAP);
	ck_assert_int_eq(report_auth_chap(&rq, 0x42, "u", 1, challenge, response), -EINVAL);
	challenge[0] = 65; /* over pppd's MAX_CHALLENGE_LEN */
	ck_assert_int_eq(report_auth_chap(&rq, CHAP_MD5, "u", 1, challenge, response), -EINVAL);
	challenge[0] = 16;
	response[0] = 65;
	ck_assert_int_eq(report_auth_chap(&rq, CHAP_MD5, "u", 1, challenge, response), -EINVAL);
}
END_TEST

START_TEST(auth_round_trip_brings_the_verdict)
{
	unsigned char challenge[1 + 16], response[1 + 49];
	struct ctl_auth_reply verdict = {
		.result = CTL_AUTH_ACCEPT,
		.framed_ip = htonl(0xc0a82a4d),
		.session_timeout_s = 60,
		.dns = { htonl(0x0a000035), 0 },
	}, got;
	struct ctl_auth_request rq;
	uint8_t want[AUTH_MESSAGE_SIZE];
	struct fake_daemon d;
	int32_t daemon_status = -1;
	uint16_t u16;

	snprintf(verdict.message, sizeof(verdict.message),
		 "S=407A5589115FD0D6209F510FE9C04566932CDA56");
	mschap2_buffers(challenge, response);
	ck_assert_int_eq(report_auth_chap(&rq, CHAP_MICROSOFT_V2, "User", 7, challenge, response),
			 0);
	auth_start_fake(&d, ANSWER_STATUS, 0, &verdict);
	ck_assert_int_eq(report_auth_send(d.path, 300, 9, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, 0);
	ck_assert_uint_eq(d.got_len, AUTH_MESSAGE_SIZE); /* and nothing after */
	ck_assert_uint_eq(report_auth_frame(want, 300, 9, &rq), AUTH_MESSAGE_SIZE);
	ck_assert_mem_eq(d.got, want, AUTH_MESSAGE_SIZE);
	memcpy(&u16, d.got + 6, 2);
	ck_assert_uint_eq(u16, CTL_AUTH);
	ck_assert_mem_eq(d.got + 20 + offsetof(struct ctl_auth_request, response), response + 1, 49);
	ck_assert_uint_eq(got.result, CTL_AUTH_ACCEPT);
	ck_assert_uint_eq(got.framed_ip, verdict.framed_ip);
	ck_assert_uint_eq(got.session_timeout_s, 60);
	ck_assert_uint_eq(got.dns[0], verdict.dns[0]);
	ck_assert_str_eq(got.message, "S=407A5589115FD0D6209F510FE9C04566932CDA56");
}
END_TEST

START_TEST(auth_refusal_has_no_verdict)
{
	struct ctl_auth_reply got;
	struct ctl_auth_request rq;
	struct fake_daemon d;
	int32_t daemon_status = 0;

	ck_assert_int_eq(report_auth_pap(&rq, "alice", "pw"), 0);
	auth_start_fake(&d, ANSWER_STATUS, -EPERM, NULL);
	ck_assert_int_eq(report_auth_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, -EPERM);
}
END_TEST

START_TEST(auth_rejects_garbage_verdicts)
{
	struct ctl_auth_reply verdict = { .result = 7 }, got;
	struct ctl_auth_request rq;
	struct fake_daemon d;
	int32_t daemon_status = 0;

	ck_assert_int_eq(report_auth_pap(&rq, "alice", "pw"), 0);
	auth_start_fake(&d, ANSWER_STATUS, 0, &verdict);
	ck_assert_int_eq(report_auth_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), -EPROTO);
	fake_stop(&d);
	/* a message without its NUL is cut to fit */
	verdict.result = CTL_AUTH_REJECT;
	memset(verdict.message, 'm', sizeof(verdict.message));
	auth_start_fake(&d, ANSWER_STATUS, 0, &verdict);
	ck_assert_int_eq(report_auth_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_uint_eq(strlen(got.message), sizeof(got.message) - 1);
	/* the header alone, then the daemon hangs up */
	auth_start_fake(&d, ANSWER_THEN_CLOSE, 0, NULL);
	ck_assert_int_eq(report_auth_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got),
			 -ECONNRESET);
	fake_stop(&d);
}
END_TEST

START_TEST(auth_gives_up_at_its_timeout)
{
	struct ctl_auth_reply got;
	struct ctl_auth_request rq;
	struct fake_daemon d;
	struct timespec start;
	int32_t daemon_status = 0;
	int64_t took;

	ck_assert_int_ge(AUTH_TIMEOUT_MS, 10000); /* RADIUS: retries, a second server */
	ck_assert_int_eq(report_auth_pap(&rq, "alice", "pw"), 0);
	auth_start_fake(&d, ANSWER_NEVER, 0, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ck_assert_int_eq(report_auth_send(d.path, 1, 2, &rq, 300, &daemon_status, &got),
			 -ETIMEDOUT);
	took = elapsed_ms(&start);
	fake_stop(&d); /* returns: the client hung up, which tells l2tpsrv to cancel */
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 1500);
	ck_assert_uint_eq(d.got_len, AUTH_MESSAGE_SIZE);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("pppd plugin report");
	TCase *pure = tcase_create("pure");
	TCase *socket_tc = tcase_create("socket");

	tcase_add_test(pure, exit_reasons_name_every_code);
	tcase_add_test(pure, auth_method_follows_pppd_choice);
	tcase_add_test(pure, copy_string_truncates_and_zero_fills);
	tcase_add_test(pure, frame_is_request_then_event_without_gap);
	tcase_add_test(pure, auth_pap_request_holds_whole_credentials);
	tcase_add_test(pure, auth_chap_request_from_pppd_buffers);
	suite_add_tcase(s, pure);
	tcase_add_test(socket_tc, send_writes_exact_bytes_and_reads_status);
	tcase_add_test(socket_tc, send_passes_back_a_refusal);
	tcase_add_test(socket_tc, send_times_out_when_daemon_never_answers);
	tcase_add_test(socket_tc, send_fails_when_daemon_closes_without_reply);
	tcase_add_test(socket_tc, send_rejects_reply_with_wrong_magic);
	tcase_add_test(socket_tc, send_retries_after_a_signal);
	tcase_add_test(socket_tc, send_fails_without_daemon_and_leaks_no_fd);
	tcase_add_test(socket_tc, auth_round_trip_brings_the_verdict);
	tcase_add_test(socket_tc, auth_refusal_has_no_verdict);
	tcase_add_test(socket_tc, auth_rejects_garbage_verdicts);
	tcase_add_test(socket_tc, auth_gives_up_at_its_timeout);
	suite_add_tcase(s, socket_tc);
	return s;
}

int main(void)
{
	return check_run_tap(report_suite());
}
