/*
 * Tests of the RADIUS client (radius.h) against real FreeRADIUS servers on
 * loopback (tests/radius/freeradius-run, started once for the "freeradius"
 * case), and against a responder of the test's own for the answers
 * FreeRADIUS will not give. Tries last TIMEOUT_MS, RETRIES + 1 per server.
 *
 * FreeRADIUS must be installed: without it these tests fail, they do not
 * skip. They run as root (freeradius-run copies /etc/freeradius/3.0).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_tap.h"
#include "log.h"
#include "radius.h"
#include "radius_test.h"

#define TIMEOUT_MS 300
#define RETRIES 1
#define TRIES (1 + RETRIES)
#define SLACK_MS 100	    /* for timing assertions */
#define WAIT_MS 5000	    /* for an answer, at most */
#define NEVER UINT32_MAX /* responder.answer_from */
#define REJECT_DELAY_MS 1000 /* FreeRADIUS's reject_delay */

/* alice's reply items are read back in the tests */
static const char users[] = "alice Cleartext-Password := \"alice-password\"\n"
			    "\tFramed-IP-Address = 10.9.0.7,\n"
			    "\tSession-Timeout = 3600,\n"
			    "\tClass := 0x636c6173732d6f6e65,\n" /* "class-one" */
			    "\tClass += 0x636c6173732d74776f\n"  /* "class-two" */
			    "bob Cleartext-Password := \"bob-password\"\n";

static struct freeradius fr_ma;	   /* answers with a Message-Authenticator */
static struct freeradius fr_no_ma; /* answers without */
static char fr_error[1024];

static sd_event *ev;
static struct radius *rc;

struct outcome {
	unsigned int calls;
	enum radius_result result;
	bool had_reply;
	uint64_t done_ms;
	uint32_t framed_ip, session_timeout;
	bool has_framed_ip, has_session_timeout;
	char reply_message[64];
	uint8_t class0[32], class1[32];
	ssize_t class0_len, class1_len;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_done(void *userdata, enum radius_result result, const struct radius_attrs *reply)
{
	struct outcome *o = userdata;

	o->calls++;
	o->result = result;
	o->done_ms = now_ms();
	o->had_reply = reply != NULL;
	o->has_framed_ip = radius_attrs_get_ipv4(reply, "Framed-IP-Address", &o->framed_ip);
	o->has_session_timeout = radius_attrs_get_uint(reply, "Session-Timeout",
						       &o->session_timeout);
	radius_attrs_get_string(reply, "Reply-Message", o->reply_message,
				sizeof(o->reply_message));
	o->class0_len = radius_attrs_get_octets_nth(reply, "Class", 0, o->class0, sizeof(o->class0));
	o->class1_len = radius_attrs_get_octets_nth(reply, "Class", 1, o->class1, sizeof(o->class1));
}

/* Runs the loop until o is answered, for at most max_ms. */
static void run_until_done(struct outcome *o, unsigned int max_ms)
{
	uint64_t end = now_ms() + max_ms;

	while (o->calls == 0 && now_ms() < end)
		ck_assert_int_ge(sd_event_run(ev, (end - now_ms()) * 1000), 0);
}

static void run_for(unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end)
		ck_assert_int_ge(sd_event_run(ev, (end - now_ms()) * 1000), 0);
}

static void add_server(struct radius_server_config *list, size_t *n, uint16_t port,
		       const char *secret)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&list[*n].addr;

	memset(&list[*n], 0, sizeof(list[*n]));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
	list[*n].addr_len = sizeof(*sin);
	snprintf(list[*n].secret, sizeof(list[*n].secret), "%s", secret);
	(*n)++;
}

static struct radius_config test_config(void)
{
	struct radius_config cfg = { .timeout_ms = TIMEOUT_MS, .retries = RETRIES,
				     .dead_time_s = 30 };

	return cfg;
}

static void new_client(const struct radius_config *cfg)
{
	ck_assert_int_eq(radius_new(&rc, ev, cfg), 0);
}

static struct radius_attrs *pap(const char *user, const char *password)
{
	struct radius_attrs *a = radius_attrs_new();

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(radius_attrs_add(a, "User-Name", user), 0);
	ck_assert_int_eq(radius_attrs_add(a, "User-Password", password), 0);
	ck_assert_int_eq(radius_attrs_add(a, "NAS-Identifier", "radius-test"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "NAS-Port-Type", "Virtual"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Service-Type", "Framed-User"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Framed-Protocol", "PPP"), 0);
	return a;
}

static void send_ok(enum radius_kind kind, struct radius_attrs *a, struct outcome *o,
		    struct radius_request **handle)
{
	ck_assert_int_eq(radius_send(rc, kind, a, on_done, o, handle), 0);
	/* never from within radius_send */
	ck_assert_uint_eq(o->calls, 0);
}

/* A client of the one server of kind at 127.0.0.1:port, timed as cfg says. */
static void new_client_of(struct radius_config cfg, enum radius_kind kind, uint16_t port,
			  const char *secret)
{
	if (kind == RADIUS_AUTH)
		add_server(cfg.auth, &cfg.n_auth, port, secret);
	else
		add_server(cfg.acct, &cfg.n_acct, port, secret);
	new_client(&cfg);
}

/* Sends a and runs the loop until it is answered, once. */
static void ask(enum radius_kind kind, struct radius_attrs *a, struct outcome *o)
{
	send_ok(kind, a, o, NULL);
	run_until_done(o, WAIT_MS);
	ck_assert_uint_eq(o->calls, 1);
}

static struct radius_stats stats(void)
{
	struct radius_stats s;

	radius_get_stats(rc, &s);
	return s;
}

static void setup(void)
{
	ck_assert_int_ge(sd_event_new(&ev), 0);
	rc = NULL;
}

static void teardown(void)
{
	rc = radius_free(rc);
	ev = sd_event_unref(ev);
}

static void start_servers(void)
{
	if (freeradius_start(&fr_ma, true, users, fr_error, sizeof(fr_error)))
		freeradius_start(&fr_no_ma, false, users, fr_error, sizeof(fr_error));
}

static void stop_servers(void)
{
	freeradius_stop(&fr_ma);
	freeradius_stop(&fr_no_ma);
}

static void require_freeradius(void)
{
	ck_assert_msg(fr_error[0] == '\0', "%s", fr_error);
}

/* ---- against FreeRADIUS ------------------------------------------------ */

START_TEST(pap_accept_carries_the_reply_attributes)
{
	struct radius_config cfg = test_config();
	struct outcome o = { 0 };
	struct radius_stats s;

	require_freeradius();
	/* FreeRADIUS's client has require_message_authenticator = yes: an
	 * accept proves that the request carried a valid one */
	new_client_of(cfg, RADIUS_AUTH, fr_ma.auth_port, TEST_SECRET);
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &o);
	ck_assert_str_eq(radius_result_name(o.result), "accept");
	ck_assert(o.had_reply);
	ck_assert(o.has_framed_ip);
	ck_assert_uint_eq(o.framed_ip, htonl(0x0a090007));
	ck_assert(o.has_session_timeout);
	ck_assert_uint_eq(o.session_timeout, 3600);
	ck_assert_int_eq(o.class0_len, 9);
	ck_assert(memcmp(o.class0, "class-one", 9) == 0);
	ck_assert_int_eq(o.class1_len, 9);
	ck_assert(memcmp(o.class1, "class-two", 9) == 0);
	s = stats();
	ck_assert_uint_eq(s.requests, 1);
	ck_assert_uint_eq(s.sent, 1);
	ck_assert_uint_eq(s.responses, 1);
	ck_assert_uint_eq(s.dropped, 0);
	ck_assert_uint_eq(s.timeouts, 0);
}
END_TEST

START_TEST(pap_reject_of_a_wrong_password)
{
	struct radius_config cfg = test_config();
	struct outcome o = { 0 };

	require_freeradius();
	/* FreeRADIUS holds an Access-Reject back for reject_delay (1s) */
	cfg.timeout_ms = REJECT_DELAY_MS + TIMEOUT_MS;
	cfg.retries = 0;
	new_client_of(cfg, RADIUS_AUTH, fr_ma.auth_port, TEST_SECRET);
	ask(RADIUS_AUTH, pap("bob", "not-bobs-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_REJECT);
	ck_assert(o.had_reply);
	ck_assert(!o.has_framed_ip);
	ck_assert_int_eq(o.class0_len, -1);
	ck_assert_uint_eq(stats().responses, 1);
}
END_TEST

START_TEST(answers_without_a_message_authenticator_are_dropped)
{
	struct radius_config cfg = test_config();
	struct outcome o = { 0 };
	struct radius_stats s;

	require_freeradius();
	new_client_of(cfg, RADIUS_AUTH, fr_no_ma.auth_port, TEST_SECRET);
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_TIMEOUT);
	ck_assert(!o.had_reply);
	s = stats();
	ck_assert_uint_eq(s.sent, TRIES);
	ck_assert_uint_ge(s.dropped, 1); /* an Access-Accept, each time */
	ck_assert_uint_eq(s.responses, 0);
	ck_assert_uint_eq(s.timeouts, 1);
}
END_TEST

START_TEST(a_wrong_secret_gets_no_accept)
{
	struct radius_config cfg = test_config();
	struct outcome o = { 0 };

	require_freeradius();
	/* FreeRADIUS drops the request, whose Message-Authenticator it cannot
	 * verify; the responder's case below has answers to drop */
	new_client_of(cfg, RADIUS_AUTH, fr_ma.auth_port, "not-the-" TEST_SECRET);
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_TIMEOUT);
	ck_assert_uint_eq(stats().responses, 0);
}
END_TEST

START_TEST(failover_to_the_secondary_then_the_dead_primary_is_skipped)
{
	struct radius_config cfg = test_config();
	struct outcome first = { 0 }, second = { 0 };
	uint64_t start, sent;

	require_freeradius();
	/* nothing listens on the primary; each has its own secret, so an
	 * accept from the secondary shows the packet was made anew for it */
	add_server(cfg.auth, &cfg.n_auth, free_udp_port(), "primary-secret");
	add_server(cfg.auth, &cfg.n_auth, fr_ma.auth_port, TEST_SECRET);
	new_client(&cfg);

	start = now_ms();
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &first);
	ck_assert_int_eq(first.result, RADIUS_ACCEPT);
	ck_assert_uint_ge(first.done_ms - start, TRIES * TIMEOUT_MS - SLACK_MS);
	ck_assert_uint_lt(first.done_ms - start, TRIES * TIMEOUT_MS + TIMEOUT_MS);

	sent = stats().sent;
	start = now_ms();
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &second);
	ck_assert_int_eq(second.result, RADIUS_ACCEPT);
	ck_assert_uint_lt(second.done_ms - start, TIMEOUT_MS / 2);
	ck_assert_uint_eq(stats().sent, sent + 1);
}
END_TEST

/* A reload: a request waiting on a silent server starts over on the new
 * list at once, and is answered by the server that list names. */
START_TEST(a_new_server_list_takes_over_pending_requests)
{
	struct radius_config cfg = test_config(), next = test_config();
	struct outcome o = { 0 };
	uint64_t start;

	require_freeradius();
	add_server(cfg.auth, &cfg.n_auth, free_udp_port(), "old-secret");
	new_client(&cfg);
	start = now_ms();
	send_ok(RADIUS_AUTH, pap("alice", "alice-password"), &o, NULL);
	run_for(TIMEOUT_MS / 2); /* sent to the silent one, waiting */
	ck_assert_uint_eq(o.calls, 0);
	ck_assert_uint_eq(stats().sent, 1);
	add_server(next.auth, &next.n_auth, fr_ma.auth_port, TEST_SECRET);
	ck_assert_int_eq(radius_set_config(rc, &next), 0);
	run_until_done(&o, WAIT_MS);
	ck_assert_uint_eq(o.calls, 1);
	ck_assert_int_eq(o.result, RADIUS_ACCEPT);
	/* well before the old server's tries would have run out */
	ck_assert_uint_lt(o.done_ms - start, TIMEOUT_MS + TIMEOUT_MS / 2);
	/* a list that is not one is refused, and the running one stays */
	next.timeout_ms = 0;
	ck_assert_int_eq(radius_set_config(rc, &next), -EINVAL);
	memset(&o, 0, sizeof(o));
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_ACCEPT);
}
END_TEST

START_TEST(accounting_start_reaches_the_detail_file)
{
	struct radius_config cfg = test_config();
	struct outcome o = { 0 };
	struct radius_attrs *a = radius_attrs_new();
	char session_id[64];

	require_freeradius();
	snprintf(session_id, sizeof(session_id), "l2tpsrv-test-%ld-%llu", (long)getpid(),
		 (unsigned long long)now_ms());
	ck_assert_int_eq(radius_attrs_add(a, "Acct-Status-Type", "Start"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Acct-Session-Id", session_id), 0);
	ck_assert_int_eq(radius_attrs_add(a, "User-Name", "alice"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "NAS-Identifier", "radius-test"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Framed-IP-Address", "10.9.0.7"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Acct-Delay-Time", "0"), 0);
	new_client_of(cfg, RADIUS_ACCT, fr_ma.acct_port, TEST_SECRET);
	/* no auth server: an Access-Request has nowhere to go */
	ck_assert_int_eq(radius_send(rc, RADIUS_AUTH, pap("alice", "x"), on_done, &o, NULL),
			 -ENOENT);
	ask(RADIUS_ACCT, a, &o);
	ck_assert_str_eq(radius_result_name(o.result), "acct-ok");
	ck_assert_msg(freeradius_detail_contains(&fr_ma, session_id),
		      "%s is not in the detail files under %s/log/radacct", session_id, fr_ma.dir);
	ck_assert_uint_eq(stats().requests, 1);
}
END_TEST

START_TEST(a_cancelled_request_is_never_answered)
{
	struct radius_config cfg = test_config();
	struct outcome before_send = { 0 }, in_flight = { 0 };
	struct radius_request *handle = NULL;

	require_freeradius();
	new_client_of(cfg, RADIUS_AUTH, fr_ma.auth_port, TEST_SECRET);

	send_ok(RADIUS_AUTH, pap("alice", "alice-password"), &before_send, &handle);
	ck_assert_ptr_nonnull(handle);
	radius_cancel(handle);
	run_for(TRIES * TIMEOUT_MS + SLACK_MS);
	ck_assert_uint_eq(before_send.calls, 0);
	ck_assert_uint_eq(stats().sent, 0);

	send_ok(RADIUS_AUTH, pap("alice", "alice-password"), &in_flight, &handle);
	while (stats().sent == 0)
		ck_assert_int_ge(sd_event_run(ev, WAIT_MS * 1000ULL), 0);
	radius_cancel(handle);
	run_for(TRIES * TIMEOUT_MS + SLACK_MS);
	ck_assert_uint_eq(in_flight.calls, 0);
	/* FreeRADIUS's accept came for an Identifier given back */
	ck_assert_uint_eq(stats().dropped, 1);
	ck_assert_uint_eq(stats().timeouts, 0);
}
END_TEST

START_TEST(freeing_the_client_cancels_pending_requests)
{
	struct radius_config cfg = test_config();
	struct outcome a = { 0 }, b = { 0 }, c = { 0 };

	require_freeradius();
	add_server(cfg.auth, &cfg.n_auth, fr_ma.auth_port, TEST_SECRET);
	add_server(cfg.acct, &cfg.n_acct, free_udp_port(), TEST_SECRET);
	new_client(&cfg);
	send_ok(RADIUS_AUTH, pap("alice", "alice-password"), &a, NULL);
	ck_assert_int_ge(sd_event_run(ev, 0), 0); /* sent */
	send_ok(RADIUS_AUTH, pap("bob", "bob-password"), &b, NULL);
	send_ok(RADIUS_ACCT, pap("bob", "bob-password"), &c, NULL);
	rc = radius_free(rc);
	run_for(TRIES * TIMEOUT_MS + SLACK_MS);
	ck_assert_uint_eq(a.calls + b.calls + c.calls, 0);
}
END_TEST

/* ---- against the responder --------------------------------------------- */

static struct responder responder(const char *secret, unsigned int answer_from)
{
	struct responder rs = { .fd = -1, .secret = secret, .answer_from = answer_from,
				.with_message_authenticator = true };

	return rs;
}

/* Where the first attribute of type is in the RADIUS packet p; 0: nowhere. */
static size_t attribute_offset(const uint8_t *p, size_t len, uint8_t type)
{
	for (size_t at = 20; at + 2 <= len && p[at + 1] >= 2; at += p[at + 1]) {
		if (p[at] == type && at + p[at + 1] <= len)
			return at;
	}
	return 0;
}

/* The length (type and length octets included) of that attribute; 0: none. */
static size_t find_attribute(const uint8_t *p, size_t len, uint8_t type)
{
	size_t at = attribute_offset(p, len, type);

	return at ? p[at + 1] : 0;
}

static bool has_attribute(const uint8_t *p, size_t len, uint8_t type)
{
	return attribute_offset(p, len, type) != 0;
}

START_TEST(tries_resend_the_same_datagram)
{
	struct radius_config cfg = test_config();
	struct responder rs = responder(TEST_SECRET, 1);
	struct outcome o = { 0 };
	uint64_t start;

	responder_start(&rs, ev);
	new_client_of(cfg, RADIUS_AUTH, rs.port, TEST_SECRET);
	start = now_ms();
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_ACCEPT);
	ck_assert_str_eq(o.reply_message, "from the responder");
	ck_assert_uint_ge(o.done_ms - start, TIMEOUT_MS - SLACK_MS);
	ck_assert_uint_eq(rs.received, 2);
	/* same Identifier, Request Authenticator and all */
	ck_assert_uint_eq(rs.first_len, rs.last_len);
	ck_assert(memcmp(rs.first, rs.last, rs.first_len) == 0);
	/* an Access-Request, its Message-Authenticator first */
	ck_assert_uint_eq(rs.first[0], 1);
	ck_assert_uint_eq(rs.first[20], 80);
	ck_assert_uint_eq(rs.first[21], 18);
	responder_stop(&rs);
}
END_TEST

/* "DOMAIN\user" as Windows clients send it: the backslash must stay. */
START_TEST(a_backslash_in_the_user_name_stays)
{
	struct radius_config cfg = test_config();
	struct responder rs = responder(TEST_SECRET, 0);
	struct outcome o = { 0 };
	static const char user[] = "DOM\\carol";

	responder_start(&rs, ev);
	new_client_of(cfg, RADIUS_AUTH, rs.port, TEST_SECRET);
	ask(RADIUS_AUTH, pap(user, "carol-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_ACCEPT);
	ck_assert_uint_eq(find_attribute(rs.first, rs.first_len, 1), 2 + strlen(user));
	ck_assert(memcmp(rs.first + attribute_offset(rs.first, rs.first_len, 1) + 2, user,
			 strlen(user)) == 0);
	responder_stop(&rs);
}
END_TEST

START_TEST(answers_signed_with_another_secret_are_dropped)
{
	struct radius_config cfg = test_config();
	struct responder rs = responder("another-secret", 0);
	struct outcome o = { 0 };

	responder_start(&rs, ev);
	new_client_of(cfg, RADIUS_AUTH, rs.port, TEST_SECRET);
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_TIMEOUT);
	ck_assert_uint_eq(rs.received, TRIES);
	ck_assert_uint_eq(stats().dropped, TRIES);
	ck_assert_uint_eq(stats().responses, 0);
	responder_stop(&rs);
}
END_TEST

START_TEST(answers_with_another_identifier_are_dropped)
{
	struct radius_config cfg = test_config();
	struct responder rs = responder(TEST_SECRET, 0);
	struct outcome o = { 0 };

	rs.id_offset = 1;
	responder_start(&rs, ev);
	new_client_of(cfg, RADIUS_AUTH, rs.port, TEST_SECRET);
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &o);
	ck_assert_int_eq(o.result, RADIUS_TIMEOUT);
	ck_assert_uint_eq(stats().dropped, TRIES);
	responder_stop(&rs);
}
END_TEST

START_TEST(accounting_answers_need_no_message_authenticator)
{
	struct radius_config cfg = test_config();
	struct responder rs = responder(TEST_SECRET, 0);
	struct radius_attrs *a = radius_attrs_new();
	struct outcome o = { 0 };

	rs.with_message_authenticator = false;
	responder_start(&rs, ev);
	ck_assert_int_eq(radius_attrs_add(a, "Acct-Status-Type", "Stop"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Acct-Session-Id", "s1"), 0);
	new_client_of(cfg, RADIUS_ACCT, rs.port, TEST_SECRET);
	ask(RADIUS_ACCT, a, &o);
	ck_assert_int_eq(o.result, RADIUS_ACCT_OK);
	/* an Accounting-Request, without a Message-Authenticator */
	ck_assert_uint_eq(rs.first[0], 4);
	ck_assert(has_attribute(rs.first, rs.first_len, 44)); /* Acct-Session-Id */
	ck_assert(!has_attribute(rs.first, rs.first_len, 80));
	responder_stop(&rs);
}
END_TEST

START_TEST(when_all_servers_are_dead_they_are_tried_in_order)
{
	struct radius_config cfg = test_config();
	struct responder one = responder(TEST_SECRET, NEVER), two = responder(TEST_SECRET, NEVER);
	struct outcome first = { 0 }, second = { 0 };

	responder_start(&one, ev);
	responder_start(&two, ev);
	add_server(cfg.auth, &cfg.n_auth, one.port, TEST_SECRET);
	add_server(cfg.auth, &cfg.n_auth, two.port, TEST_SECRET);
	new_client(&cfg);
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &first);
	ck_assert_int_eq(first.result, RADIUS_TIMEOUT);
	ck_assert_uint_eq(one.received, TRIES);
	ck_assert_uint_eq(two.received, TRIES);

	one.answer_from = one.received;
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &second);
	ck_assert_int_eq(second.result, RADIUS_ACCEPT);
	ck_assert_uint_eq(one.received, TRIES + 1);
	ck_assert_uint_eq(two.received, TRIES);
	responder_stop(&one);
	responder_stop(&two);
}
END_TEST

static void free_the_client(void *userdata, enum radius_result result,
			    const struct radius_attrs *reply)
{
	on_done(userdata, result, reply);
	rc = radius_free(rc);
}

START_TEST(the_callback_may_free_the_client)
{
	struct radius_config cfg = test_config();
	struct responder rs = responder(TEST_SECRET, 0);
	struct outcome o = { 0 }, pending = { 0 };

	responder_start(&rs, ev);
	new_client_of(cfg, RADIUS_AUTH, rs.port, TEST_SECRET);
	ck_assert_int_eq(radius_send(rc, RADIUS_AUTH, pap("alice", "alice-password"),
				     free_the_client, &o, NULL),
			 0);
	ck_assert_int_ge(sd_event_run(ev, WAIT_MS * 1000ULL), 0); /* sent */
	send_ok(RADIUS_AUTH, pap("bob", "bob-password"), &pending, NULL);
	run_until_done(&o, WAIT_MS);
	ck_assert_uint_eq(o.calls, 1);
	ck_assert_int_eq(o.result, RADIUS_ACCEPT);
	ck_assert_ptr_null(rc);
	run_for(TRIES * TIMEOUT_MS + SLACK_MS);
	ck_assert_uint_eq(pending.calls, 0);
	responder_stop(&rs);
}
END_TEST

/*
 * The counters by kind (for the metrics): an answered request adds one
 * round trip, from its first datagram to the server that answered (a
 * retry's wait included); a request no server answers adds a timeout and
 * no round trip; answers that do not verify are bad responses.
 */
START_TEST(round_trips_and_timeouts_are_counted_by_kind)
{
	struct radius_config cfg = test_config();
	struct responder auth = responder(TEST_SECRET, 1), acct = responder(TEST_SECRET, 0);
	struct radius_attrs *a = radius_attrs_new();
	struct outcome first = { 0 }, second = { 0 };
	const struct stats_radius *k;
	struct radius_stats st;

	responder_start(&auth, ev);
	responder_start(&acct, ev);
	add_server(cfg.auth, &cfg.n_auth, auth.port, TEST_SECRET);
	add_server(cfg.acct, &cfg.n_acct, acct.port, "not-the-" TEST_SECRET);
	new_client(&cfg);
	ask(RADIUS_AUTH, pap("alice", "alice-password"), &first); /* the second try is answered */
	ck_assert_int_eq(first.result, RADIUS_ACCEPT);
	ck_assert_int_eq(radius_attrs_add(a, "Acct-Status-Type", "Start"), 0);
	ask(RADIUS_ACCT, a, &second); /* answered, but with a secret the client does not share */
	ck_assert_int_eq(second.result, RADIUS_TIMEOUT);

	st = stats();
	k = &st.kinds[RADIUS_AUTH];
	ck_assert_uint_eq(k->requests, 1);
	ck_assert_uint_eq(k->responses, 1);
	ck_assert_uint_eq(k->timeouts, 0);
	ck_assert_uint_eq(k->bad_responses, 0);
	ck_assert_uint_eq(k->rtt.count, 1);
	ck_assert_uint_ge(k->rtt.sum_usec, (TIMEOUT_MS - SLACK_MS) * 1000ULL);
	ck_assert_uint_lt(k->rtt.sum_usec, (TIMEOUT_MS + TIMEOUT_MS) * 1000ULL);
	/* 300 ms and a bit: in the (0.1 s, 0.5 s] bucket */
	ck_assert_uint_eq(k->rtt.bucket[3], 1);
	k = &st.kinds[RADIUS_ACCT];
	ck_assert_uint_eq(k->requests, 1);
	ck_assert_uint_eq(k->responses, 0);
	ck_assert_uint_eq(k->timeouts, 1);
	ck_assert_uint_eq(k->bad_responses, TRIES);
	ck_assert_uint_eq(k->rtt.count, 0);
	ck_assert_uint_eq(st.timeouts, 1);
	responder_stop(&auth);
	responder_stop(&acct);
}
END_TEST

START_TEST(requests_are_checked)
{
	struct radius_config cfg = test_config();
	struct outcome o = { 0 };

	new_client_of(cfg, RADIUS_AUTH, free_udp_port(), TEST_SECRET);
	/* attrs are taken in every case (ASan would see a leak) */
	ck_assert_int_eq(radius_send(rc, RADIUS_ACCT, pap("a", "b"), on_done, &o, NULL), -ENOENT);
	ck_assert_int_eq(radius_send(rc, RADIUS_AUTH, pap("a", "b"), NULL, &o, NULL), -EINVAL);
	ck_assert_int_eq(radius_send(rc, RADIUS_AUTH, NULL, on_done, &o, NULL), -EINVAL);
	ck_assert_int_eq(radius_send(NULL, RADIUS_AUTH, pap("a", "b"), on_done, &o, NULL), -EINVAL);
	run_for(10);
	ck_assert_uint_eq(o.calls, 0);
	ck_assert_uint_eq(stats().requests, 0);
	cfg.timeout_ms = 0;
	ck_assert_int_eq(radius_new(&rc, ev, &cfg), -EINVAL);
	radius_cancel(NULL);
	ck_assert_ptr_null(radius_free(NULL));
}
END_TEST

/* ---- attribute lists ---------------------------------------------------- */

START_TEST(attributes_round_trip)
{
	struct radius_attrs *a = radius_attrs_new();
	static const uint8_t response[50] = { 0x01, 0x00, 0xaa, [49] = 0x55 };
	uint8_t buf[64];
	char s[64];
	uint32_t u;

	ck_assert_int_eq(radius_attrs_add(a, "User-Name", "DOM\\carol"), 0);
	ck_assert(radius_attrs_get_string(a, "User-Name", s, sizeof(s)));
	ck_assert_str_eq(s, "DOM\\carol");
	ck_assert(radius_attrs_get_string(a, "User-Name", s, 4));
	ck_assert_str_eq(s, "DOM");
	ck_assert_int_eq(radius_attrs_add(a, "Service-Type", "Framed-User"), 0);
	ck_assert(radius_attrs_get_uint(a, "Service-Type", &u));
	ck_assert_uint_eq(u, 2);
	ck_assert(radius_attrs_get_string(a, "Service-Type", s, sizeof(s)));
	ck_assert_str_eq(s, "Framed-User");
	ck_assert_int_eq(radius_attrs_add(a, "Session-Timeout", "4294967295"), 0);
	ck_assert(radius_attrs_get_uint(a, "Session-Timeout", &u));
	ck_assert_uint_eq(u, UINT32_MAX);
	ck_assert_int_eq(radius_attrs_add(a, "Framed-IP-Address", "192.0.2.7"), 0);
	ck_assert(radius_attrs_get_ipv4(a, "Framed-IP-Address", &u));
	ck_assert_uint_eq(u, htonl(0xc0000207));
	/* octets in hex, or raw; vendor attributes by their name */
	ck_assert_int_eq(radius_attrs_add(a, "Class", "0x00ff"), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Class", "raw"), 0);
	ck_assert_int_eq(radius_attrs_get_octets(a, "Class", buf, sizeof(buf)), 2);
	ck_assert(memcmp(buf, "\x00\xff", 2) == 0);
	ck_assert_int_eq(radius_attrs_get_octets_nth(a, "Class", 1, buf, sizeof(buf)), 3);
	ck_assert(memcmp(buf, "raw", 3) == 0);
	ck_assert_int_eq(radius_attrs_get_octets_nth(a, "Class", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(radius_attrs_get_octets(a, "Class", buf, 1), -ENOSPC);
	ck_assert_int_eq(radius_attrs_add_octets(a, "MS-CHAP2-Response", response,
						 sizeof(response)),
			 0);
	ck_assert_int_eq(radius_attrs_get_octets(a, "MS-CHAP2-Response", buf, sizeof(buf)), 50);
	ck_assert(memcmp(buf, response, sizeof(response)) == 0);
	ck_assert_int_eq(radius_attrs_add(a, "MS-CHAP-Challenge", "0x00112233445566778899aabbccddeeff"),
			 0);
	ck_assert_int_eq(radius_attrs_get_octets(a, "MS-CHAP-Challenge", buf, sizeof(buf)), 16);
	ck_assert_uint_eq(buf[15], 0xff);
	/* absent, unknown, of another type */
	ck_assert(!radius_attrs_get_string(a, "Reply-Message", s, sizeof(s)));
	ck_assert(!radius_attrs_get_uint(a, "Not-An-Attribute", &u));
	ck_assert(!radius_attrs_get_ipv4(a, "User-Name", &u));
	ck_assert(!radius_attrs_get_uint(NULL, "User-Name", &u));
	ck_assert_int_eq(radius_attrs_get_octets(a, "Session-Timeout", buf, sizeof(buf)), -EINVAL);
	radius_attrs_free(a);
	radius_attrs_free(NULL);
}
END_TEST

START_TEST(bad_attributes_are_refused)
{
	struct radius_attrs *a = radius_attrs_new();
	char long_password[130];

	memset(long_password, 'p', sizeof(long_password) - 1);
	long_password[sizeof(long_password) - 1] = '\0';
	ck_assert_int_eq(radius_attrs_add(a, "Not-An-Attribute", "x"), -ENOENT);
	ck_assert_int_eq(radius_attrs_add_octets(a, "Not-An-Attribute", "x", 1), -ENOENT);
	/* FreeRADIUS's own, never on the wire */
	ck_assert_int_eq(radius_attrs_add(a, "Cleartext-Password", "x"), -ENOENT);
	/* no wrapping around, no sign */
	ck_assert_int_eq(radius_attrs_add(a, "Session-Timeout", "4294967296"), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(a, "Session-Timeout", "-1"), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(a, "Session-Timeout", "12abc"), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(a, "Session-Timeout", ""), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(a, "Service-Type", "No-Such-Value"), -EINVAL);
	/* no DNS for an address */
	ck_assert_int_eq(radius_attrs_add(a, "Framed-IP-Address", "localhost"), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(a, "Framed-IP-Address", "10.1"), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(a, "Class", "0xzz"), -EINVAL);
	ck_assert_int_eq(radius_attrs_add_octets(a, "Session-Timeout", "\0\0\0\1", 4), -EINVAL);
	/* what would not fit in one attribute */
	ck_assert_int_eq(radius_attrs_add(a, "User-Password", long_password), -EMSGSIZE);
	ck_assert_int_eq(radius_attrs_add_octets(a, "Class", long_password, 129), 0);
	ck_assert_int_eq(radius_attrs_add_octets(a, "Class", NULL, 254), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(a, NULL, "x"), -EINVAL);
	ck_assert_int_eq(radius_attrs_add(NULL, "User-Name", "x"), -EINVAL);
	radius_attrs_free(a);
}
END_TEST

START_TEST(result_names)
{
	ck_assert_str_eq(radius_result_name(RADIUS_ACCEPT), "accept");
	ck_assert_str_eq(radius_result_name(RADIUS_REJECT), "reject");
	ck_assert_str_eq(radius_result_name(RADIUS_CHALLENGE), "challenge");
	ck_assert_str_eq(radius_result_name(RADIUS_ACCT_OK), "acct-ok");
	ck_assert_str_eq(radius_result_name(RADIUS_TIMEOUT), "timeout");
	ck_assert_str_eq(radius_result_name(RADIUS_ERROR), "error");
	ck_assert_str_eq(radius_result_name((enum radius_result)99), "?");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("radius");
	TCase *attrs = tcase_create("attrs"), *transport = tcase_create("transport");
	TCase *fr = tcase_create("freeradius");
	char err[256];

	/* the drop notices are not for the TAP output */
	log_set_level(LOG_WARNING);
	if (radius_library_init(NULL, err, sizeof(err)) < 0) {
		printf("Bail out! radius_library_init: %s\n", err);
		return 1;
	}
	tcase_add_test(attrs, attributes_round_trip);
	tcase_add_test(attrs, bad_attributes_are_refused);
	tcase_add_test(attrs, result_names);
	suite_add_tcase(s, attrs);

	tcase_add_checked_fixture(transport, setup, teardown);
	tcase_set_timeout(transport, 20);
	tcase_add_test(transport, tries_resend_the_same_datagram);
	tcase_add_test(transport, a_backslash_in_the_user_name_stays);
	tcase_add_test(transport, answers_signed_with_another_secret_are_dropped);
	tcase_add_test(transport, answers_with_another_identifier_are_dropped);
	tcase_add_test(transport, accounting_answers_need_no_message_authenticator);
	tcase_add_test(transport, when_all_servers_are_dead_they_are_tried_in_order);
	tcase_add_test(transport, the_callback_may_free_the_client);
	tcase_add_test(transport, round_trips_and_timeouts_are_counted_by_kind);
	tcase_add_test(transport, requests_are_checked);
	suite_add_tcase(s, transport);

	tcase_add_unchecked_fixture(fr, start_servers, stop_servers);
	tcase_add_checked_fixture(fr, setup, teardown);
	tcase_set_timeout(fr, 20);
	tcase_add_test(fr, pap_accept_carries_the_reply_attributes);
	tcase_add_test(fr, pap_reject_of_a_wrong_password);
	tcase_add_test(fr, answers_without_a_message_authenticator_are_dropped);
	tcase_add_test(fr, a_wrong_secret_gets_no_accept);
	tcase_add_test(fr, failover_to_the_secondary_then_the_dead_primary_is_skipped);
	tcase_add_test(fr, a_new_server_list_takes_over_pending_requests);
	tcase_add_test(fr, accounting_start_reaches_the_detail_file);
	tcase_add_test(fr, a_cancelled_request_is_never_answered);
	tcase_add_test(fr, freeing_the_client_cancels_pending_requests);
	suite_add_tcase(s, fr);
	return check_run_tap(s);
}
