/*
 * Tests of the Disconnect/CoA server (dae.h) on loopback: driven by
 * FreeRADIUS's own radclient (freeradius-utils) for what a real Dynamic
 * Authorization Client sends and accepts back, and by datagrams built
 * here, with FreeRADIUS's library, for what radclient will not send (the
 * same datagram twice, a forged Message-Authenticator, garbage).
 *
 * radclient must be installed: without it these tests fail, they do not
 * skip.
 */
#include "radius_fr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_tap.h"
#include "dae.h"
#include "log.h"

#define RADCLIENT "/usr/bin/radclient"
#define SECRET "dae-test-secret"
#define RADCLIENT_TIMEOUT "0.5" /* seconds, one try (-r 1) */
#define RADCLIENT_WAIT_MS 5000	/* for radclient to exit, at most */
#define ANSWER_WAIT_MS 2000	/* for a datagram of ours to be answered */
#define QUIET_MS 200		/* to see that nothing is answered */
#define OUTPUT_MAX 8192

extern char **environ;

/* libfreeradius's own MD5 (md5.c). Its header, freeradius/md5.h, would
 * want OpenSSL's headers too, which libfreeradius-dev does not bring. */
void fr_md5_calc(uint8_t *out, uint8_t const *in, size_t inlen);

static sd_event *ev;
static struct dae *dae;
static uint16_t port;

/* What the handler was given, and what it answers. */
static struct {
	unsigned int calls;
	enum dae_kind kind;
	char user_name[64];
	char session_id[64];
	bool has_session_timeout;
	uint32_t session_timeout;
	bool has_message_authenticator;
	enum dae_error answer;
} handled;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static enum dae_error on_request(void *userdata, enum dae_kind kind,
				 const struct radius_attrs *attrs)
{
	uint8_t ma[AUTH_VECTOR_LEN];

	(void)userdata;
	handled.calls++;
	handled.kind = kind;
	radius_attrs_get_string(attrs, "User-Name", handled.user_name,
				sizeof(handled.user_name));
	radius_attrs_get_string(attrs, "Acct-Session-Id", handled.session_id,
				sizeof(handled.session_id));
	handled.has_session_timeout = radius_attrs_get_uint(attrs, "Session-Timeout",
							    &handled.session_timeout);
	handled.has_message_authenticator =
		radius_attrs_get_octets(attrs, "Message-Authenticator", ma, sizeof(ma)) ==
		AUTH_VECTOR_LEN;
	return handled.answer;
}

/* A UDP port free a moment ago on both IPv4 and IPv6, as dae binds it. */
static uint16_t free_port(void)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	socklen_t len = sizeof(sin6);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), off = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	close(fd);
	return ntohs(sin6.sin6_port);
}

/* One client at IPv4 address addr (dotted quad) with secret. */
static void add_client(struct dae_config *cfg, const char *addr, const char *secret)
{
	struct radius_server_config *c = &cfg->clients[cfg->n_clients++];
	struct sockaddr_in *sin = (struct sockaddr_in *)&c->addr;

	memset(c, 0, sizeof(*c));
	sin->sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	c->addr_len = sizeof(*sin);
	snprintf(c->secret, sizeof(c->secret), "%s", secret);
}

static void start_dae(const char *client_addr)
{
	struct dae_config cfg = { 0 };

	port = free_port();
	cfg.port = port;
	add_client(&cfg, client_addr, SECRET);
	ck_assert_int_eq(dae_new(&dae, ev, &cfg, on_request, NULL), 0);
}

static struct dae_stats stats(void)
{
	struct dae_stats s;

	dae_get_stats(dae, &s);
	return s;
}

static void setup(void)
{
	memset(&handled, 0, sizeof(handled));
	ck_assert_int_ge(sd_event_new(&ev), 0);
	dae = NULL;
}

static void teardown(void)
{
	dae = dae_free(dae);
	ev = sd_event_unref(ev);
}

/* ---- radclient ---------------------------------------------------------- */

static void read_some(int fd, char *out, size_t out_len, size_t *have)
{
	ssize_t n;

	while (*have + 1 < out_len && (n = read(fd, out + *have, out_len - 1 - *have)) > 0)
		*have += (size_t)n;
	out[*have] = '\0';
}

/*
 * Runs radclient -x with input on its stdin ("kind" is disconnect or coa),
 * the event loop turning meanwhile; out gets its stdout and stderr. Returns
 * its exit status.
 */
static int radclient(const char *kind, const char *secret, const char *input, char *out,
		     size_t out_len)
{
	char server[32];
	char *argv[] = { "radclient", "-x", "-r", "1", "-t", RADCLIENT_TIMEOUT, server,
			 (char *)kind, (char *)secret, NULL };
	posix_spawn_file_actions_t actions;
	int in[2], output[2], status = -1;
	size_t have = 0;
	uint64_t end;
	pid_t pid;

	ck_assert_msg(access(RADCLIENT, X_OK) == 0,
		      "%s is not installed: install the Debian package freeradius-utils "
		      "(packaging/install-deps)",
		      RADCLIENT);
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(output, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&actions, output[1], STDERR_FILENO);
	ck_assert_int_eq(posix_spawn(&pid, RADCLIENT, &actions, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&actions);
	close(in[0]);
	close(output[1]);
	/* a few lines: the pipe holds them */
	ck_assert_int_eq(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
	close(in[1]);
	ck_assert_int_eq(fcntl(output[0], F_SETFL, O_NONBLOCK), 0);

	end = now_ms() + RADCLIENT_WAIT_MS;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(output[0]);
			ck_abort_msg("radclient did not exit within %u ms", RADCLIENT_WAIT_MS);
		}
		ck_assert_int_ge(sd_event_run(ev, 10 * 1000), 0);
		read_some(output[0], out, out_len, &have);
	}
	ck_assert_int_eq(fcntl(output[0], F_SETFL, 0), 0);
	read_some(output[0], out, out_len, &have); /* to the end */
	close(output[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* What radclient printed of the answer it got ("" when none). */
static const char *received(const char *out)
{
	const char *r = strstr(out, "Received ");

	return r ? r : "";
}

/* ---- datagrams of our own ----------------------------------------------- */

/* A UDP socket on 127.0.0.1, connected to dae's port. */
static int dae_socket(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				   .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void add_vp(RADIUS_PACKET *p, const char *name, const void *data, size_t len)
{
	VALUE_PAIR *vp = fr_pair_afrom_da(p, dict_attrbyname(name));

	ck_assert_ptr_nonnull(vp);
	fr_pair_value_memcpy(vp, data, len);
	fr_pair_add(&p->vps, vp);
}

/* A request of code for user, signed as a client with secret signs it. */
static size_t signed_request(uint8_t *buf, size_t size, unsigned int code, uint8_t id,
			     const char *user, bool message_authenticator, const char *secret)
{
	static const uint8_t zero[AUTH_VECTOR_LEN];
	RADIUS_PACKET *p = rad_alloc(NULL, code == PW_CODE_ACCESS_REQUEST);
	size_t len;

	ck_assert_ptr_nonnull(p);
	p->code = code;
	p->id = id;
	add_vp(p, "User-Name", user, strlen(user));
	if (message_authenticator)
		add_vp(p, "Message-Authenticator", zero, sizeof(zero));
	ck_assert_int_eq(rad_encode(p, NULL, secret), 0);
	ck_assert_int_eq(rad_sign(p, NULL, secret), 0);
	len = p->data_len;
	ck_assert_uint_le(len, size);
	memcpy(buf, p->data, len);
	rad_free(&p);
	return len;
}

static size_t disconnect_request(uint8_t *buf, size_t size, uint8_t id, const char *user,
				 bool message_authenticator, const char *secret)
{
	return signed_request(buf, size, PW_CODE_DISCONNECT_REQUEST, id, user,
			      message_authenticator, secret);
}

/* The Request Authenticator of a Disconnect/CoA-Request made again
 * (RFC 5176 section 3.4), after the packet was changed. */
static void sign_again(uint8_t *buf, size_t len, const char *secret)
{
	uint8_t text[4096];

	ck_assert_uint_le(len + strlen(secret), sizeof(text));
	memset(buf + 4, 0, AUTH_VECTOR_LEN);
	memcpy(text, buf, len);
	memcpy(text + len, secret, strlen(secret));
	fr_md5_calc(buf + 4, text, len + strlen(secret));
}

/* Where the first attribute of type is in the packet; 0: nowhere. */
static size_t attribute_offset(const uint8_t *p, size_t len, uint8_t type)
{
	for (size_t at = 20; at + 2 <= len && p[at + 1] >= 2; at += p[at + 1])
		if (p[at] == type && at + p[at + 1] <= len)
			return at;
	return 0;
}

/* Runs the loop until fd has a datagram (its length) or ms passed (-1). */
static ssize_t answer_within(int fd, uint8_t *buf, size_t size, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, size, 0);
		if (n >= 0)
			return n;
		ck_assert_int_eq(errno, EAGAIN);
		if (now_ms() >= end)
			return -1;
		ck_assert_int_ge(sd_event_run(ev, 10 * 1000), 0);
	}
}

/* ---- through radclient --------------------------------------------------- */

START_TEST(a_disconnect_request_is_handled_and_acked)
{
	char out[OUTPUT_MAX];
	int status;
	struct dae_stats s;

	start_dae("127.0.0.1");
	status = radclient("disconnect", SECRET,
			   "User-Name = alice\nAcct-Session-Id = \"sess-1\"\n", out, sizeof(out));
	ck_assert_msg(status == 0, "radclient exited %d:\n%s", status, out);
	ck_assert_uint_eq(handled.calls, 1);
	ck_assert_int_eq(handled.kind, DAE_DISCONNECT);
	ck_assert_str_eq(handled.user_name, "alice");
	ck_assert_str_eq(handled.session_id, "sess-1");
	ck_assert(!handled.has_message_authenticator);
	ck_assert_msg(strstr(out, "Received Disconnect-ACK"), "radclient said:\n%s", out);
	/* an ACK carries no Error-Cause, and no Message-Authenticator unasked */
	ck_assert_msg(!strstr(received(out), "Error-Cause"), "radclient said:\n%s", out);
	ck_assert_msg(!strstr(received(out), "Message-Authenticator"), "radclient said:\n%s",
		      out);
	s = stats();
	ck_assert_uint_eq(s.requests, 1);
	ck_assert_uint_eq(s.acks, 1);
	ck_assert_uint_eq(s.naks, 0);
	ck_assert_uint_eq(s.dropped, 0);
	ck_assert_uint_eq(s.repeats, 0);
}
END_TEST

START_TEST(a_session_not_found_is_a_disconnect_nak)
{
	char out[OUTPUT_MAX];
	int status;

	start_dae("127.0.0.1");
	handled.answer = DAE_SESSION_NOT_FOUND;
	status = radclient("disconnect", SECRET, "User-Name = bob\n", out, sizeof(out));
	/* radclient exits 1 on a NAK */
	ck_assert_msg(status == 1, "radclient exited %d:\n%s", status, out);
	ck_assert_uint_eq(handled.calls, 1);
	ck_assert_int_eq(handled.kind, DAE_DISCONNECT);
	ck_assert_str_eq(handled.user_name, "bob");
	ck_assert_msg(strstr(out, "Received Disconnect-NAK"), "radclient said:\n%s", out);
	ck_assert_msg(strstr(received(out), "Error-Cause = Session-Context-Not-Found"),
		      "radclient said:\n%s", out);
	ck_assert_uint_eq(stats().naks, 1);
	ck_assert_uint_eq(stats().acks, 0);
}
END_TEST

START_TEST(a_coa_request_is_handled_and_acked)
{
	char out[OUTPUT_MAX];
	int status;

	start_dae("127.0.0.1");
	status = radclient("coa", SECRET, "User-Name = alice\nSession-Timeout = 3600\n", out,
			   sizeof(out));
	ck_assert_msg(status == 0, "radclient exited %d:\n%s", status, out);
	ck_assert_uint_eq(handled.calls, 1);
	ck_assert_int_eq(handled.kind, DAE_COA);
	ck_assert_str_eq(handled.user_name, "alice");
	ck_assert(handled.has_session_timeout);
	ck_assert_uint_eq(handled.session_timeout, 3600);
	ck_assert_msg(strstr(out, "Received CoA-ACK"), "radclient said:\n%s", out);
	ck_assert_msg(!strstr(received(out), "Error-Cause"), "radclient said:\n%s", out);
	ck_assert_uint_eq(stats().acks, 1);
}
END_TEST

START_TEST(an_unsupported_attribute_is_a_coa_nak)
{
	char out[OUTPUT_MAX];
	int status;

	start_dae("127.0.0.1");
	handled.answer = DAE_UNSUPPORTED_ATTRIBUTE;
	status = radclient("coa", SECRET, "User-Name = alice\nSession-Timeout = 3600\n", out,
			   sizeof(out));
	ck_assert_msg(status == 1, "radclient exited %d:\n%s", status, out);
	ck_assert_uint_eq(handled.calls, 1);
	ck_assert_int_eq(handled.kind, DAE_COA);
	ck_assert_msg(strstr(out, "Received CoA-NAK"), "radclient said:\n%s", out);
	ck_assert_msg(strstr(received(out), "Error-Cause = Unsupported-Attribute"),
		      "radclient said:\n%s", out);
	ck_assert_uint_eq(stats().naks, 1);
}
END_TEST

START_TEST(a_wrong_secret_is_dropped_unanswered)
{
	char out[OUTPUT_MAX];
	int status;
	struct dae_stats s;

	start_dae("127.0.0.1");
	status = radclient("disconnect", "not-the-" SECRET, "User-Name = alice\n", out,
			   sizeof(out));
	ck_assert_msg(status != 0, "radclient exited %d:\n%s", status, out);
	ck_assert_uint_eq(handled.calls, 0);
	ck_assert_msg(strstr(out, "No reply from server"), "radclient said:\n%s", out);
	ck_assert_msg(!strstr(out, "Received "), "radclient said:\n%s", out);
	s = stats();
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(s.requests, 0);
	ck_assert_uint_eq(s.acks + s.naks, 0);
}
END_TEST

START_TEST(an_unknown_client_is_dropped_unanswered)
{
	char out[OUTPUT_MAX];
	int status;
	struct dae_stats s;

	/* radclient sends from 127.0.0.1 */
	start_dae("127.0.0.2");
	status = radclient("disconnect", SECRET, "User-Name = alice\n", out, sizeof(out));
	ck_assert_msg(status != 0, "radclient exited %d:\n%s", status, out);
	ck_assert_uint_eq(handled.calls, 0);
	ck_assert_msg(strstr(out, "No reply from server"), "radclient said:\n%s", out);
	ck_assert_msg(!strstr(out, "Received "), "radclient said:\n%s", out);
	s = stats();
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(s.requests, 0);
}
END_TEST

START_TEST(a_message_authenticator_is_answered_with_one)
{
	char out[OUTPUT_MAX];
	int status;

	start_dae("127.0.0.1");
	/* radclient fills in the value; it checks the one in the answer */
	status = radclient("disconnect", SECRET,
			   "User-Name = alice\nMessage-Authenticator = 0x00\n", out, sizeof(out));
	ck_assert_msg(status == 0, "radclient exited %d:\n%s", status, out);
	ck_assert_uint_eq(handled.calls, 1);
	ck_assert(handled.has_message_authenticator);
	ck_assert_msg(strstr(out, "Received Disconnect-ACK"), "radclient said:\n%s", out);
	ck_assert_msg(strstr(received(out), "Message-Authenticator = 0x"), "radclient said:\n%s",
		      out);
	ck_assert_uint_eq(stats().acks, 1);
}
END_TEST

/* ---- datagrams of our own ------------------------------------------------ */

START_TEST(a_repeated_request_is_answered_from_the_cache)
{
	uint8_t request[512], other[512], first[512], second[512], third[512];
	size_t len, other_len;
	ssize_t n1, n2, n3;
	struct dae_stats s;
	int fd;

	start_dae("127.0.0.1");
	fd = dae_socket();
	len = disconnect_request(request, sizeof(request), 7, "alice", false, SECRET);
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	n1 = answer_within(fd, first, sizeof(first), ANSWER_WAIT_MS);
	ck_assert_int_eq(n1, 20); /* Disconnect-ACK, no attributes */
	ck_assert_uint_eq(first[0], PW_CODE_DISCONNECT_ACK);
	ck_assert_uint_eq(first[1], 7);
	/* the answer to the repeat is the same, even when the handler
	 * would now say otherwise */
	handled.answer = DAE_SESSION_NOT_FOUND;
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	n2 = answer_within(fd, second, sizeof(second), ANSWER_WAIT_MS);
	ck_assert_int_eq(n2, n1);
	ck_assert(memcmp(first, second, (size_t)n1) == 0);
	ck_assert_uint_eq(handled.calls, 1);
	s = stats();
	ck_assert_uint_eq(s.repeats, 1);
	ck_assert_uint_eq(s.requests, 1);
	ck_assert_uint_eq(s.acks, 1);
	ck_assert_uint_eq(s.dropped, 0);

	/* the same Identifier on another request is a new request */
	other_len = disconnect_request(other, sizeof(other), 7, "bob", false, SECRET);
	ck_assert_int_eq(send(fd, other, other_len, 0), (ssize_t)other_len);
	n3 = answer_within(fd, third, sizeof(third), ANSWER_WAIT_MS);
	ck_assert_int_gt(n3, 20);
	ck_assert_uint_eq(third[0], PW_CODE_DISCONNECT_NAK);
	ck_assert_uint_eq(handled.calls, 2);
	ck_assert_str_eq(handled.user_name, "bob");
	ck_assert_uint_eq(stats().repeats, 1);
	close(fd);
}
END_TEST

START_TEST(a_forged_message_authenticator_is_dropped)
{
	uint8_t request[512], buf[512];
	size_t len, ma;
	int fd;

	start_dae("127.0.0.1");
	fd = dae_socket();
	len = disconnect_request(request, sizeof(request), 9, "alice", true, SECRET);
	ma = attribute_offset(request, len, PW_MESSAGE_AUTHENTICATOR);
	ck_assert_uint_gt(ma, 0);
	ck_assert_uint_eq(request[ma + 1], 2 + AUTH_VECTOR_LEN);
	/* a wrong Message-Authenticator under a right Request Authenticator */
	request[ma + 2] ^= 0x01;
	sign_again(request, len, SECRET);
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	ck_assert_int_eq(answer_within(fd, buf, sizeof(buf), QUIET_MS), -1);
	ck_assert_uint_eq(handled.calls, 0);
	ck_assert_uint_eq(stats().dropped, 1);

	/* put right, the same passes: only the Message-Authenticator was wrong */
	request[ma + 2] ^= 0x01;
	sign_again(request, len, SECRET);
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	ck_assert_int_gt(answer_within(fd, buf, sizeof(buf), ANSWER_WAIT_MS), 20);
	ck_assert_uint_eq(buf[0], PW_CODE_DISCONNECT_ACK);
	ck_assert_uint_gt(attribute_offset(buf, (size_t)buf[3] | (size_t)buf[2] << 8,
					   PW_MESSAGE_AUTHENTICATOR),
			  0);
	ck_assert_uint_eq(handled.calls, 1);
	close(fd);
}
END_TEST

START_TEST(what_is_no_request_is_dropped_unanswered)
{
	static const uint8_t garbage[10] = { 0x28, 0x01, 0x00, 0x0a, 0xde, 0xad, 0xbe, 0xef, 0x00,
					     0xff };
	uint8_t ack[20] = { PW_CODE_DISCONNECT_ACK, 2, 0, 20 };
	uint8_t request[512], buf[512];
	size_t len;
	int fd;

	start_dae("127.0.0.1");
	fd = dae_socket();
	ck_assert_int_eq(send(fd, garbage, sizeof(garbage), 0), (ssize_t)sizeof(garbage));
	ck_assert_int_eq(send(fd, ack, sizeof(ack), 0), 20);
	/* other requests, rightly signed with the client's secret */
	len = signed_request(request, sizeof(request), PW_CODE_ACCESS_REQUEST, 1, "alice", true,
			     SECRET);
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	len = signed_request(request, sizeof(request), PW_CODE_ACCOUNTING_REQUEST, 2, "alice",
			     false, SECRET);
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	/* a signed request whose Length says more than came */
	len = disconnect_request(request, sizeof(request), 3, "alice", false, SECRET);
	request[3] = (uint8_t)(len + 10);
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	ck_assert_int_eq(answer_within(fd, buf, sizeof(buf), QUIET_MS), -1);
	ck_assert_uint_eq(handled.calls, 0);
	ck_assert_uint_eq(stats().dropped, 5);
	ck_assert_uint_eq(stats().requests, 0);

	/* and the server still answers */
	len = disconnect_request(request, sizeof(request), 4, "alice", false, SECRET);
	ck_assert_int_eq(send(fd, request, len, 0), (ssize_t)len);
	ck_assert_int_eq(answer_within(fd, buf, sizeof(buf), ANSWER_WAIT_MS), 20);
	ck_assert_uint_eq(buf[0], PW_CODE_DISCONNECT_ACK);
	ck_assert_uint_eq(handled.calls, 1);
	close(fd);
}
END_TEST

START_TEST(configurations_are_checked)
{
	struct dae_config cfg = { .port = free_port() };

	ck_assert_int_eq(dae_new(&dae, ev, &cfg, on_request, NULL), -EINVAL); /* no client */
	add_client(&cfg, "127.0.0.1", SECRET);
	cfg.port = 0;
	ck_assert_int_eq(dae_new(&dae, ev, &cfg, on_request, NULL), -EINVAL);
	ck_assert_ptr_null(dae);
	ck_assert_ptr_null(dae_free(NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dae");
	TCase *radclient_tc = tcase_create("radclient"), *datagrams = tcase_create("datagrams");
	char err[256];

	/* the drop notices are not for the TAP output */
	log_set_level(LOG_ERR);
	if (radius_library_init(NULL, err, sizeof(err)) < 0) {
		printf("Bail out! radius_library_init: %s\n", err);
		return 1;
	}
	tcase_add_checked_fixture(radclient_tc, setup, teardown);
	tcase_set_timeout(radclient_tc, 10);
	tcase_add_test(radclient_tc, a_disconnect_request_is_handled_and_acked);
	tcase_add_test(radclient_tc, a_session_not_found_is_a_disconnect_nak);
	tcase_add_test(radclient_tc, a_coa_request_is_handled_and_acked);
	tcase_add_test(radclient_tc, an_unsupported_attribute_is_a_coa_nak);
	tcase_add_test(radclient_tc, a_wrong_secret_is_dropped_unanswered);
	tcase_add_test(radclient_tc, an_unknown_client_is_dropped_unanswered);
	tcase_add_test(radclient_tc, a_message_authenticator_is_answered_with_one);
	suite_add_tcase(s, radclient_tc);

	tcase_add_checked_fixture(datagrams, setup, teardown);
	tcase_set_timeout(datagrams, 10);
	tcase_add_test(datagrams, a_repeated_request_is_answered_from_the_cache);
	tcase_add_test(datagrams, a_forged_message_authenticator_is_dropped);
	tcase_add_test(datagrams, what_is_no_request_is_dropped_unanswered);
	tcase_add_test(datagrams, configurations_are_checked);
	suite_add_tcase(s, datagrams);
	return check_run_tap(s);
}
