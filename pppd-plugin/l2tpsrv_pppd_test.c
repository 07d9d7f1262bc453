/*
 * Tests of the pppd plugin's report layer, without pppd: reason words for
 * exit codes, the method from LCP's options, string copies, the framing of
 * CTL_PPP_EVENT, CTL_AUTH and CTL_EAP requests, and the exchange with a
 * fake l2tpsrv control socket served by a thread: exact bytes, refusals, a
 * verdict, and a daemon that never answers, closes early or answers
 * garbage. And the pppd-free half of the EAP relay (eap_relay.c): parsing,
 * what to do with each Response, l2tpsrv's answers, Success and Failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>
#include <pppd/chap-new.h>

#include "check_tap.h"
#include "eap_relay.h"
#include "report.h"

/* How the fake daemon answers once it has read one whole request. */
enum fake_answer {
	ANSWER_STATUS,       /* a ctl_reply with .status */
	ANSWER_BAD_MAGIC,    /* a ctl_reply with the wrong magic */
	ANSWER_CLOSE,        /* close without a reply */
	ANSWER_NEVER,        /* keep the connection open, say nothing */
	ANSWER_AFTER_SIGNAL, /* signal the client, then reply with .status */
	ANSWER_THEN_CLOSE,   /* a ctl_reply with .status, then close at once */
};

struct fake_daemon {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	pthread_t thread;
	pthread_t client;
	enum fake_answer answer;
	int32_t status;
	size_t request_size; /* what the client sends before the daemon answers */
	const void *extra;   /* sent after the ctl_reply (CTL_AUTH's verdict) */
	size_t extra_len;
	uint8_t got[2 * EAP_MESSAGE_SIZE];
	size_t got_len; /* everything the client sent, until it closed */
};

static void read_some(struct fake_daemon *d, int fd, size_t want)
{
	while (d->got_len < want) {
		ssize_t n = read(fd, d->got + d->got_len, want - d->got_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		d->got_len += (size_t)n;
	}
}

static void reply(struct fake_daemon *d, int fd, uint32_t magic, int32_t daemon_status)
{
	struct ctl_reply r = { .magic = magic, .status = daemon_status };

	ck_assert_int_eq(write(fd, &r, sizeof(r)), sizeof(r));
	if (d->extra_len)
		ck_assert_int_eq(write(fd, d->extra, d->extra_len), (ssize_t)d->extra_len);
}

static void *fake_serve(void *arg)
{
	struct fake_daemon *d = arg;
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return NULL;
	read_some(d, fd, d->request_size);
	if (d->answer == ANSWER_STATUS || d->answer == ANSWER_THEN_CLOSE)
		reply(d, fd, CTL_MAGIC, d->status);
	if (d->answer == ANSWER_BAD_MAGIC)
		reply(d, fd, ~CTL_MAGIC, 0);
	if (d->answer == ANSWER_AFTER_SIGNAL) {
		pthread_kill(d->client, SIGUSR1);
		usleep(50 * 1000);
		reply(d, fd, CTL_MAGIC, d->status);
	}
	if (d->answer != ANSWER_CLOSE && d->answer != ANSWER_THEN_CLOSE)
		read_some(d, fd, sizeof(d->got)); /* until the client closes */
	close(fd);
	return NULL;
}

static void fake_start(struct fake_daemon *d, enum fake_answer answer, int32_t daemon_status)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/tmp/l2tpsrv_pppd_test.%d.sock", (int)getpid());
	unlink(d->path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->path);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(d->listen_fd, 0);
	ck_assert_int_eq(bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(d->listen_fd, 4), 0);
	d->answer = answer;
	d->status = daemon_status;
	d->request_size = REPORT_MESSAGE_SIZE;
	d->client = pthread_self();
	ck_assert_int_eq(pthread_create(&d->thread, NULL, fake_serve, d), 0);
}

static void fake_stop(struct fake_daemon *d)
{
	pthread_join(d->thread, NULL);
	close(d->listen_fd);
	unlink(d->path);
}

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

static int64_t elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
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
static int all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

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

static void auth_start_fake(struct fake_daemon *d, enum fake_answer answer, int32_t status,
			    const struct ctl_auth_reply *verdict)
{
	fake_start(d, answer, status);
	d->request_size = AUTH_MESSAGE_SIZE;
	d->extra = verdict;
	d->extra_len = verdict ? sizeof(*verdict) : 0;
}

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

/* ---- EAP relay (eap_relay.c) and CTL_EAP ---- */

/* Writes an EAP packet: code, id, the length field len, then data (data_len octets). */
static size_t eap_packet(uint8_t *out, uint8_t code, uint8_t id, uint16_t len, const void *data,
			 size_t data_len)
{
	out[0] = code;
	out[1] = id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	if (data_len)
		memcpy(out + 4, data, data_len);
	return 4 + data_len;
}

/* A Response or Request of type with its data (a string), length field exact. */
static size_t eap_typed(uint8_t *out, uint8_t code, uint8_t id, uint8_t type, const char *data)
{
	uint8_t body[256];
	size_t n = strlen(data);

	body[0] = type;
	memcpy(body + 1, data, n);
	return eap_packet(out, code, id, (uint16_t)(5 + n), body, 1 + n);
}

START_TEST(eap_parse_checks_every_length)
{
	static uint8_t big[CTL_EAP_MAX + 8];
	struct eap_relay_packet p;
	uint8_t pkt[16];

	/* the peer's Identity Response, and padding after it */
	memset(pkt, 0xee, sizeof(pkt));
	eap_packet(pkt, 2, 0x21, 6, "\x01u", 2);
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), 0);
	ck_assert_uint_eq(p.code, 2);
	ck_assert_uint_eq(p.id, 0x21);
	ck_assert_uint_eq(p.len, 6);
	ck_assert_int_eq(p.type, 1);
	ck_assert_int_eq(eap_relay_parse(pkt, 6, &p), 0);
	ck_assert_int_eq(eap_relay_parse(pkt, 5, &p), -EINVAL); /* length field > what came */
	ck_assert_int_eq(eap_relay_parse(pkt, 3, &p), -EINVAL); /* no header */
	ck_assert_int_eq(eap_relay_parse(pkt, 0, &p), -EINVAL);
	eap_packet(pkt, 2, 1, 3, NULL, 0); /* length field below the header */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), -EINVAL);
	eap_packet(pkt, 2, 1, 4, NULL, 0); /* a Response without its Type */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), -EINVAL);
	eap_packet(pkt, 1, 1, 4, NULL, 0); /* a Request, the same */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), -EINVAL);
	eap_packet(pkt, 3, 9, 4, NULL, 0); /* Success and Failure have none */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), 0);
	ck_assert_int_eq(p.type, -1);
	eap_packet(pkt, 4, 9, 4, NULL, 0);
	ck_assert_int_eq(eap_relay_parse(pkt, 4, &p), 0);
	eap_packet(pkt, 5, 9, 4, NULL, 0); /* no such code */
	ck_assert_int_eq(eap_relay_parse(pkt, 4, &p), -EPROTO);
	eap_packet(pkt, 0, 9, 4, NULL, 0);
	ck_assert_int_eq(eap_relay_parse(pkt, 4, &p), -EPROTO);
	/* CTL_EAP_MAX octets and no more, whatever PPP carried */
	eap_packet(big, 2, 1, CTL_EAP_MAX, "\x0d", 1);
	ck_assert_int_eq(eap_relay_parse(big, sizeof(big), &p), 0);
	eap_packet(big, 2, 1, CTL_EAP_MAX + 1, "\x0d", 1);
	ck_assert_int_eq(eap_relay_parse(big, sizeof(big), &p), -EINVAL);
	eap_packet(big, 2, 1, 0xffff, "\x0d", 1);
	ck_assert_int_eq(eap_relay_parse(big, sizeof(big), &p), -EINVAL);
}
END_TEST

START_TEST(eap_build_success_and_failure)
{
	uint8_t out[4];

	ck_assert_uint_eq(eap_relay_build(out, EAP_RELAY_SUCCESS, 0x42), 4);
	ck_assert_mem_eq(out, "\x03\x42\x00\x04", 4);
	ck_assert_uint_eq(eap_relay_build(out, EAP_RELAY_FAILURE, 0xff), 4);
	ck_assert_mem_eq(out, "\x04\xff\x00\x04", 4);
}
END_TEST

START_TEST(eap_identity_is_bounded_and_printable)
{
	uint8_t name[300];
	char user[256];

	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"alice", 5, user, sizeof(user)), 0);
	ck_assert_str_eq(user, "alice");
	/* RFC 4284: options after a NUL */
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"bob\0nai=x", 9, user, sizeof(user)),
			 0);
	ck_assert_str_eq(user, "bob");
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"DOMAIN\\j\xc3\xa9r\xc3\xb4me", 15,
					    user, sizeof(user)),
			 0); /* UTF-8 */
	ck_assert_str_eq(user, "DOMAIN\\j\xc3\xa9r\xc3\xb4me");
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"", 0, user, sizeof(user)), -EINVAL);
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"\0x", 2, user, sizeof(user)),
			 -EINVAL);
	ck_assert_str_eq(user, "");
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"a\nb", 3, user, sizeof(user)),
			 -EINVAL);
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"a\x1b[2J", 5, user, sizeof(user)),
			 -EINVAL);
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"a\x7f", 2, user, sizeof(user)),
			 -EINVAL);
	ck_assert_str_eq(user, "");
	memset(name, 'n', sizeof(name));
	ck_assert_int_eq(eap_relay_identity(name, 255, user, sizeof(user)), 0);
	ck_assert_uint_eq(strlen(user), 255);
	ck_assert_int_eq(eap_relay_identity(name, 256, user, sizeof(user)), -EINVAL);
	ck_assert_int_eq(eap_relay_identity(name, sizeof(name), user, sizeof(user)), -EINVAL);
}
END_TEST

/* l2tpsrv's answer: result, then an EAP packet (len octets) and a State. */
static void eap_answer(struct ctl_eap_reply *rp, uint32_t result, const uint8_t *eap, size_t len,
		       const char *state)
{
	memset(rp, 0, sizeof(*rp));
	rp->base.result = result;
	rp->eap_len = (uint16_t)len;
	if (len)
		memcpy(rp->eap, eap, len);
	rp->state_len = (uint16_t)strlen(state);
	memcpy(rp->state, state, rp->state_len);
}

START_TEST(eap_input_takes_the_identity_then_follows_identifiers)
{
	static struct eap_relay r;
	struct ctl_eap_reply rp;
	struct eap_relay_packet p;
	const char *why;
	uint8_t pkt[300], req[64];
	size_t n;

	memset(&r, 0, sizeof(r));
	/* not Responses: pppd's (us as the client) */
	n = eap_typed(pkt, 1, 7, 1, "");
	ck_assert_int_eq(eap_relay_input(&r, 1, 7, pkt, n, &p, &why), EAP_RELAY_PASS);
	n = eap_packet(pkt, 3, 7, 4, NULL, 0);
	ck_assert_int_eq(eap_relay_input(&r, 1, 7, pkt, n, &p, &why), EAP_RELAY_PASS);
	ck_assert_int_eq(eap_relay_input(&r, 1, 7, pkt, 3, &p, &why), EAP_RELAY_PASS);
	/* Responses that do not answer pppd's Identity Request */
	n = eap_typed(pkt, 2, 0x21, 1, "alice");
	ck_assert_int_eq(eap_relay_input(&r, 0, 0x21, pkt, n, &p, &why), EAP_RELAY_DROP);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x20, pkt, n, &p, &why), EAP_RELAY_DROP);
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n - 1, &p, &why), EAP_RELAY_DROP);
	n = eap_typed(pkt, 2, 0x21, 3, "\x04"); /* a Nak */
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_DROP);
	ck_assert_int_eq(r.phase, EAP_RELAY_IDLE);
	/* an identity that cannot be a User-Name */
	n = eap_typed(pkt, 2, 0x21, 1, "al\tice");
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_REFUSE);
	n = eap_typed(pkt, 2, 0x21, 1, "");
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_REFUSE);
	ck_assert_uint_eq(p.id, 0x21);
	/* the identity */
	n = eap_typed(pkt, 2, 0x21, 1, "alice");
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_START);
	ck_assert_ptr_null(why);
	ck_assert_str_eq(r.user, "alice");
	ck_assert_uint_eq(r.rounds, 1);
	ck_assert_uint_eq(p.id, 0x21);
	ck_assert_uint_eq(p.len, n);
	/* RADIUS asks for MD5 with id 0x22 */
	n = eap_typed(req, 1, 0x22, 4, "\x10" "0123456789abcdef");
	eap_answer(&rp, CTL_AUTH_CHALLENGE, req, n, "state-1");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x21, &why), EAP_RELAY_NEXT_REQUEST);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(r.phase, EAP_RELAY_WAITING);
	ck_assert_uint_eq(r.request_len, n);
	ck_assert_mem_eq(r.request, req, n);
	ck_assert_uint_eq(eap_relay_request_id(&r), 0x22);
	ck_assert_uint_eq(r.state_len, 7);
	ck_assert_mem_eq(r.state, "state-1", 7);
	ck_assert_uint_eq(r.sends, 0);
	/* only the Response with the last Request's identifier counts now */
	n = eap_typed(pkt, 2, 0x21, 1, "alice"); /* pppd's Request again: not ours */
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_DROP);
	n = eap_typed(pkt, 2, 0x23, 4, "\x10" "fedcba9876543210");
	ck_assert_int_eq(eap_relay_input(&r, 0, 0, pkt, n, &p, &why), EAP_RELAY_DROP);
	n = eap_typed(pkt, 2, 0x22, 4, "\x10" "fedcba9876543210");
	ck_assert_int_eq(eap_relay_input(&r, 0, 0, pkt, n, &p, &why), EAP_RELAY_FORWARD);
	ck_assert_uint_eq(r.rounds, 2);
	ck_assert_str_eq(r.user, "alice");
	/* a conversation that does not end */
	r.rounds = EAP_RELAY_MAX_ROUNDS;
	ck_assert_int_eq(eap_relay_input(&r, 0, 0, pkt, n, &p, &why), EAP_RELAY_REFUSE);
	ck_assert_ptr_nonnull(why);
	/* decided: nothing more */
	eap_relay_fail(&r, 0x22);
	ck_assert_int_eq(r.phase, EAP_RELAY_DONE);
	ck_assert_mem_eq(r.request, "\x04\x22\x00\x04", 4);
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x22, pkt, n, &p, &why), EAP_RELAY_DROP);
}
END_TEST

START_TEST(eap_request_carries_response_identity_and_state)
{
	static struct eap_relay r;
	static struct ctl_eap_request rq;
	struct eap_relay_packet p;
	const char *why;
	uint8_t pkt[64];
	size_t n;

	memset(&r, 0, sizeof(r));
	memset(pkt, 0xee, sizeof(pkt));
	n = eap_typed(pkt, 2, 5, 1, "carol@example.org");
	ck_assert_int_eq(eap_relay_input(&r, 1, 5, pkt, sizeof(pkt), &p, &why), EAP_RELAY_START);
	ck_assert_int_eq(eap_relay_request(&r, pkt, &p, &rq), 0);
	ck_assert_str_eq(rq.user, "carol@example.org");
	ck_assert_uint_eq(rq.eap_len, n); /* without the padding */
	ck_assert_mem_eq(rq.eap, pkt, n);
	ck_assert(all_zero(rq.eap + n, sizeof(rq.eap) - n));
	ck_assert_uint_eq(rq.state_len, 0);
	memcpy(r.state, "\x01\x02\x03", 3);
	r.state_len = 3;
	ck_assert_int_eq(eap_relay_request(&r, pkt, &p, &rq), 0);
	ck_assert_uint_eq(rq.state_len, 3);
	ck_assert_mem_eq(rq.state, "\x01\x02\x03", 3);
	ck_assert(all_zero(rq.state + 3, sizeof(rq.state) - 3));
}
END_TEST

START_TEST(eap_answer_makes_success_or_failure)
{
	static struct eap_relay r;
	struct ctl_eap_reply rp;
	const char *why;
	uint8_t pkt[64];
	size_t n;

	/* an accept with RADIUS's Success, and one without: ours, with the Response's id */
	n = eap_packet(pkt, 3, 0x30, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_SUCCESS);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(r.phase, EAP_RELAY_DONE);
	ck_assert_uint_eq(r.request_len, 4);
	ck_assert_mem_eq(r.request, "\x03\x30\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x31, &why), EAP_RELAY_NEXT_SUCCESS);
	ck_assert_mem_eq(r.request, "\x03\x31\x00\x04", 4);
	/* an accept the peer could not take as one: a failure */
	n = eap_packet(pkt, 4, 0x30, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	ck_assert_mem_eq(r.request, "\x04\x30\x00\x04", 4);
	n = eap_packet(pkt, 3, 0x30, 5, NULL, 0); /* length field beyond eap_len */
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_FAILURE);
	n = eap_packet(pkt, 3, 0x30, 4, "xx", 2); /* eap_len beyond the length field */
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_FAILURE);
	/* rejects: RADIUS's Failure, or ours */
	n = eap_packet(pkt, 4, 0x40, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_REJECT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x41, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_null(why);
	ck_assert_mem_eq(r.request, "\x04\x40\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_REJECT, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x41, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_null(why);
	ck_assert_mem_eq(r.request, "\x04\x41\x00\x04", 4);
	n = eap_packet(pkt, 3, 0x40, 4, NULL, 0); /* a "Success" with a reject */
	eap_answer(&rp, CTL_AUTH_REJECT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x41, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	ck_assert_mem_eq(r.request, "\x04\x41\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_ERROR, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x42, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_mem_eq(r.request, "\x04\x42\x00\x04", 4);
	eap_answer(&rp, 99, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x43, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	/* challenges that are none */
	n = eap_packet(pkt, 3, 0x50, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	ck_assert_mem_eq(r.request, "\x04\x51\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, 0, "s");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	n = eap_typed(pkt, 1, 0x50, 26, "x");
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	rp.eap_len = CTL_EAP_MAX + 1;
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	rp.state_len = CTL_EAP_STATE_MAX + 1;
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_int_eq(r.phase, EAP_RELAY_DONE);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_REQUEST);
	ck_assert_int_eq(r.phase, EAP_RELAY_WAITING);
}
END_TEST

START_TEST(eap_frame_is_request_then_round_without_gap)
{
	static struct ctl_eap_request rq;
	static uint8_t got[EAP_MESSAGE_SIZE];
	struct ctl_request head;

	ck_assert_uint_eq(sizeof(struct ctl_eap_request), 2116);
	ck_assert_uint_eq(sizeof(struct ctl_eap_reply), 2148);
	memset(&rq, 0, sizeof(rq));
	report_copy_string(rq.user, sizeof(rq.user), "alice");
	rq.eap_len = (uint16_t)eap_typed(rq.eap, 2, 1, 1, "alice");
	ck_assert_uint_eq(report_eap_frame(got, 300, 9, &rq), EAP_MESSAGE_SIZE);
	memcpy(&head, got, sizeof(head));
	ck_assert_uint_eq(head.magic, CTL_MAGIC);
	ck_assert_uint_eq(head.version, CTL_VERSION);
	ck_assert_uint_eq(head.command, CTL_EAP);
	ck_assert_uint_eq(head.tunnel_id, 300);
	ck_assert_uint_eq(head.session_id, 9);
	ck_assert_mem_eq(got + sizeof(head), &rq, sizeof(rq));
}
END_TEST

static void eap_start_fake(struct fake_daemon *d, enum fake_answer answer, int32_t status,
			   const struct ctl_eap_reply *answer_body)
{
	fake_start(d, answer, status);
	d->request_size = EAP_MESSAGE_SIZE;
	d->extra = answer_body;
	d->extra_len = answer_body ? sizeof(*answer_body) : 0;
}

static void sample_eap_request(struct ctl_eap_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	report_copy_string(rq->user, sizeof(rq->user), "alice");
	rq->eap_len = (uint16_t)eap_typed(rq->eap, 2, 0x22, 26, "mschapv2 response");
	rq->state_len = 3;
	memcpy(rq->state, "st1", 3);
}

START_TEST(eap_round_trip_brings_the_next_request)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply answer, got;
	static uint8_t want[EAP_MESSAGE_SIZE];
	struct fake_daemon d;
	int32_t daemon_status = -1;
	uint8_t req[32];
	size_t n;

	sample_eap_request(&rq);
	n = eap_typed(req, 1, 0x23, 26, "challenge");
	eap_answer(&answer, CTL_AUTH_CHALLENGE, req, n, "state-2");
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 300, 9, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, 0);
	ck_assert_uint_eq(d.got_len, EAP_MESSAGE_SIZE); /* and nothing after */
	report_eap_frame(want, 300, 9, &rq);
	ck_assert_mem_eq(d.got, want, EAP_MESSAGE_SIZE);
	ck_assert_uint_eq(got.base.result, CTL_AUTH_CHALLENGE);
	ck_assert_uint_eq(got.eap_len, n);
	ck_assert_mem_eq(got.eap, req, n);
	ck_assert_uint_eq(got.state_len, 7);
	ck_assert_mem_eq(got.state, "state-2", 7);
	/* an accept, with what it grants */
	eap_answer(&answer, CTL_AUTH_ACCEPT, (const uint8_t *)"\x03\x23\x00\x04", 4, "");
	answer.base.framed_ip = htonl(0xc0a82a4d);
	answer.base.idle_timeout_s = 600;
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 300, 9, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_uint_eq(got.base.result, CTL_AUTH_ACCEPT);
	ck_assert_uint_eq(got.base.framed_ip, htonl(0xc0a82a4d));
	ck_assert_uint_eq(got.base.idle_timeout_s, 600);
	ck_assert_uint_eq(got.eap_len, 4);
}
END_TEST

START_TEST(eap_refusal_has_no_answer)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply got;
	struct fake_daemon d;
	int32_t daemon_status = 0;

	sample_eap_request(&rq);
	eap_start_fake(&d, ANSWER_STATUS, -EOPNOTSUPP, NULL);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, -EOPNOTSUPP);
}
END_TEST

START_TEST(eap_rejects_garbage_answers)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply answer, got;
	struct ctl_auth_reply verdict = { .result = CTL_AUTH_CHALLENGE }, auth_got;
	struct ctl_auth_request auth_rq;
	struct fake_daemon d;
	int32_t daemon_status = 0;

	sample_eap_request(&rq);
	eap_answer(&answer, 7, NULL, 0, "");
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), -EPROTO);
	fake_stop(&d);
	eap_answer(&answer, CTL_AUTH_CHALLENGE, NULL, 0, "");
	answer.eap_len = CTL_EAP_MAX + 1;
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), -EPROTO);
	fake_stop(&d);
	eap_answer(&answer, CTL_AUTH_CHALLENGE, NULL, 0, "");
	answer.state_len = CTL_EAP_STATE_MAX + 1;
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), -EPROTO);
	fake_stop(&d);
	/* a message without its NUL is cut to fit */
	eap_answer(&answer, CTL_AUTH_REJECT, NULL, 0, "");
	memset(answer.base.message, 'm', sizeof(answer.base.message));
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_uint_eq(strlen(got.base.message), sizeof(got.base.message) - 1);
	/* half an answer, then the daemon hangs up */
	eap_start_fake(&d, ANSWER_THEN_CLOSE, 0, NULL);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got),
			 -ECONNRESET);
	fake_stop(&d);
	/* CTL_AUTH has no challenge */
	ck_assert_int_eq(report_auth_pap(&auth_rq, "alice", "pw"), 0);
	auth_start_fake(&d, ANSWER_STATUS, 0, &verdict);
	ck_assert_int_eq(report_auth_send(d.path, 1, 2, &auth_rq, 2000, &daemon_status, &auth_got),
			 -EPROTO);
	fake_stop(&d);
}
END_TEST

START_TEST(eap_gives_up_at_its_timeout)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply got;
	struct fake_daemon d;
	struct timespec start;
	int32_t daemon_status = 0;
	int64_t took;

	sample_eap_request(&rq);
	eap_start_fake(&d, ANSWER_NEVER, 0, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 300, &daemon_status, &got),
			 -ETIMEDOUT);
	took = elapsed_ms(&start);
	fake_stop(&d);
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 1500);
	ck_assert_uint_eq(d.got_len, EAP_MESSAGE_SIZE);
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
	suite_add_tcase(s, pure);
	tcase_add_test(socket_tc, send_writes_exact_bytes_and_reads_status);
	tcase_add_test(socket_tc, send_passes_back_a_refusal);
	tcase_add_test(socket_tc, send_times_out_when_daemon_never_answers);
	tcase_add_test(socket_tc, send_fails_when_daemon_closes_without_reply);
	tcase_add_test(socket_tc, send_rejects_reply_with_wrong_magic);
	tcase_add_test(socket_tc, send_retries_after_a_signal);
	tcase_add_test(socket_tc, send_fails_without_daemon_and_leaks_no_fd);
	tcase_add_test(pure, auth_pap_request_holds_whole_credentials);
	tcase_add_test(pure, auth_chap_request_from_pppd_buffers);
	tcase_add_test(socket_tc, auth_round_trip_brings_the_verdict);
	tcase_add_test(socket_tc, auth_refusal_has_no_verdict);
	tcase_add_test(socket_tc, auth_rejects_garbage_verdicts);
	tcase_add_test(socket_tc, auth_gives_up_at_its_timeout);
	tcase_add_test(pure, eap_parse_checks_every_length);
	tcase_add_test(pure, eap_build_success_and_failure);
	tcase_add_test(pure, eap_identity_is_bounded_and_printable);
	tcase_add_test(pure, eap_input_takes_the_identity_then_follows_identifiers);
	tcase_add_test(pure, eap_request_carries_response_identity_and_state);
	tcase_add_test(pure, eap_answer_makes_success_or_failure);
	tcase_add_test(pure, eap_frame_is_request_then_round_without_gap);
	tcase_add_test(socket_tc, eap_round_trip_brings_the_next_request);
	tcase_add_test(socket_tc, eap_refusal_has_no_answer);
	tcase_add_test(socket_tc, eap_rejects_garbage_answers);
	tcase_add_test(socket_tc, eap_gives_up_at_its_timeout);
	suite_add_tcase(s, socket_tc);
	return s;
}

int main(void)
{
	return check_run_tap(report_suite());
}
