/*
 * Tests of acct: the Accounting-Request a record becomes (counters and
 * their Gigawords, Acct-Delay-Time, Acct-Authentic, what a Start and an
 * Accounting-On leave out), the counter helpers (acct_widen32,
 * acct_estimate), and the queue: records reaching a real FreeRADIUS on
 * loopback (tests/radius/freeradius-run, its accounting detail files), a
 * Stop kept and retried while no server answers, an unanswered
 * Interim-Update dropped, a full queue, and acct_free with records pending.
 *
 * FreeRADIUS must be installed: without it the "freeradius" case fails, it
 * does not skip. The queue's tries last TIMEOUT_MS, one per server
 * (retries 0), and a failed record waits RETRY_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acct.h"
#include "auth.h"
#include "check_tap.h"
#include "log.h"
#include "radius.h"
#include "radius_test.h"

#define ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MSEC 1000ULL
#define GIGA ((uint64_t)1 << 32)

#define TIMEOUT_MS 100	 /* radius_config.timeout_ms */
#define RETRY_MS 300	 /* acct_new's retry_usec */
#define WAIT_MS 5000	 /* for a queue to empty, at most */
#define NEVER UINT32_MAX /* responder.answer_from */

/* RADIUS attribute types, to read the responder's datagrams */
#define ATTR_ACCT_STATUS_TYPE 40
#define ATTR_ACCT_DELAY_TIME 41
#define CODE_ACCOUNTING_REQUEST 4

static const struct auth_nas nas = { .identifier = "lns-test", .ip = 0 };

static struct freeradius fr;
static char fr_error[1024];

static sd_event *ev;
static struct radius *rc;
static struct acct *ac;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t now_usec(void)
{
	return now_ms() * USEC_PER_MSEC;
}

static void run_for(unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end)
		ck_assert_int_ge(sd_event_run(ev, (end - now_ms()) * 1000), 0);
}

/* Runs the loop until the queue holds want records, for at most max_ms. */
static void run_until_pending(size_t want, unsigned int max_ms)
{
	uint64_t end = now_ms() + max_ms;

	while (acct_pending(ac) != want && now_ms() < end)
		ck_assert_int_ge(sd_event_run(ev, (end - now_ms()) * 1000), 0);
	ck_assert_msg(acct_pending(ac) == want, "%zu records pending after %u ms, not %zu",
		      acct_pending(ac), max_ms, want);
}

static struct acct_stats stats(void)
{
	struct acct_stats s;

	acct_get_stats(ac, &s);
	return s;
}

static struct auth_call sample_call(uint16_t session_id)
{
	struct auth_call call = { .tunnel_id = 7, .session_id = session_id };
	struct sockaddr_in *peer = (struct sockaddr_in *)&call.peer;
	struct sockaddr_in *local = (struct sockaddr_in *)&call.local;

	peer->sin_family = AF_INET;
	peer->sin_addr.s_addr = htonl(ADDR(192, 0, 2, 7));
	peer->sin_port = htons(1701);
	local->sin_family = AF_INET;
	local->sin_addr.s_addr = htonl(ADDR(198, 51, 100, 1));
	local->sin_port = htons(1701);
	snprintf(call.calling_station, sizeof(call.calling_station), "203.0.113.5:4500");
	auth_acct_session_id(call.acct_session_id, sizeof(call.acct_session_id),
			     (uint32_t)getpid(), 7, session_id);
	return call;
}

/* A record of alice's call: a Stop with counters past 4 GiB in. */
static struct acct_record sample_record(enum acct_status status, uint16_t session_id)
{
	struct acct_record r = {
		.status = status,
		.call = sample_call(session_id),
		.framed_ip = htonl(ADDR(10, 9, 0, 7)),
		.class_len = 9,
		.radius_auth = true,
		.counters = { .bytes_in = 5 * GIGA + 1234, .bytes_out = 77,
			      .packets_in = 10, .packets_out = 20 },
		.session_time_s = 3600,
		.cause = status == ACCT_STOP ? ACCT_CAUSE_IDLE_TIMEOUT : ACCT_CAUSE_NONE,
		.event_usec = now_usec(),
	};

	snprintf(r.user, sizeof(r.user), "alice");
	memcpy(r.class, "class-one", 9);
	return r;
}

static struct radius_attrs *build(const struct acct_record *r, uint64_t now)
{
	struct radius_attrs *a = radius_attrs_new();

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(acct_build_request(a, &nas, r, now), 0);
	return a;
}

static uint32_t uint_of(const struct radius_attrs *a, const char *name)
{
	uint32_t v = 0;

	ck_assert_msg(radius_attrs_get_uint(a, name, &v), "no %s", name);
	return v;
}

static bool has(const struct radius_attrs *a, const char *name)
{
	char buf[256];

	return radius_attrs_get_string(a, name, buf, sizeof(buf));
}

/* ---- the Accounting-Request --------------------------------------------- */

START_TEST(stop_carries_counters_gigawords_and_cause)
{
	struct acct_record r = sample_record(ACCT_STOP, 9);
	struct radius_attrs *a;
	uint8_t class[32];
	char s[64];
	uint32_t ip = 0;

	/* the event 7.5 s before the try */
	r.event_usec = 92500 * USEC_PER_MSEC;
	a = build(&r, 100 * USEC_PER_SEC);
	ck_assert_uint_eq(uint_of(a, "Acct-Status-Type"), ACCT_STOP);
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Octets"), 1234);
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Gigawords"), 5);
	ck_assert_uint_eq(uint_of(a, "Acct-Output-Octets"), 77);
	ck_assert(!has(a, "Acct-Output-Gigawords"));
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Packets"), 10);
	ck_assert_uint_eq(uint_of(a, "Acct-Output-Packets"), 20);
	ck_assert_uint_eq(uint_of(a, "Acct-Session-Time"), 3600);
	ck_assert_uint_eq(uint_of(a, "Acct-Terminate-Cause"), ACCT_CAUSE_IDLE_TIMEOUT);
	ck_assert_uint_eq(uint_of(a, "Acct-Delay-Time"), 7);
	ck_assert(radius_attrs_get_string(a, "User-Name", s, sizeof(s)));
	ck_assert_str_eq(s, "alice");
	ck_assert(radius_attrs_get_string(a, "Acct-Session-Id", s, sizeof(s)));
	ck_assert_str_eq(s, r.call.acct_session_id);
	ck_assert(radius_attrs_get_ipv4(a, "Framed-IP-Address", &ip));
	ck_assert_uint_eq(ip, htonl(ADDR(10, 9, 0, 7)));
	ck_assert_int_eq(radius_attrs_get_octets(a, "Class", class, sizeof(class)), 9);
	ck_assert(memcmp(class, "class-one", 9) == 0);
	ck_assert_uint_eq(uint_of(a, "Acct-Authentic"), 1); /* RADIUS */
	ck_assert_uint_eq(uint_of(a, "NAS-Port"), 9);
	ck_assert(radius_attrs_get_string(a, "NAS-Identifier", s, sizeof(s)));
	ck_assert_str_eq(s, "lns-test");
	/* nas.ip is 0 */
	ck_assert(!has(a, "NAS-IP-Address"));
	radius_attrs_free(a);
}
END_TEST

START_TEST(gigawords_exactly_and_clamped_counts)
{
	struct acct_record r = sample_record(ACCT_STOP, 9);
	struct radius_attrs *a;

	/* 2^32 exactly: 0 octets and 1 Gigaword; out just below 2^32 */
	r.counters.bytes_in = GIGA;
	r.counters.bytes_out = GIGA - 1;
	r.counters.packets_in = GIGA + 5; /* no Gigawords for packets: at most 2^32 - 1 */
	a = build(&r, r.event_usec);
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Octets"), 0);
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Gigawords"), 1);
	ck_assert_uint_eq(uint_of(a, "Acct-Output-Octets"), UINT32_MAX);
	ck_assert(!has(a, "Acct-Output-Gigawords"));
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Packets"), UINT32_MAX);
	ck_assert_uint_eq(uint_of(a, "Acct-Delay-Time"), 0);
	radius_attrs_free(a);
}
END_TEST

START_TEST(acct_authentic_local_and_no_address_nor_class)
{
	struct acct_record r = sample_record(ACCT_STOP, 9);
	struct radius_attrs *a;

	r.radius_auth = false;
	r.framed_ip = 0;
	r.class_len = 0;
	/* an event "later" than now (another clock's reading): no delay, not a wrap */
	a = build(&r, r.event_usec - USEC_PER_SEC);
	ck_assert_uint_eq(uint_of(a, "Acct-Authentic"), 2); /* Local */
	ck_assert(!has(a, "Framed-IP-Address"));
	ck_assert(!has(a, "Class"));
	ck_assert_uint_eq(uint_of(a, "Acct-Delay-Time"), 0);
	radius_attrs_free(a);
}
END_TEST

START_TEST(start_has_no_counters)
{
	struct acct_record r = sample_record(ACCT_START, 9);
	struct radius_attrs *a = build(&r, r.event_usec + 2 * USEC_PER_SEC);

	ck_assert_uint_eq(uint_of(a, "Acct-Status-Type"), ACCT_START);
	ck_assert(has(a, "User-Name"));
	ck_assert(has(a, "Acct-Session-Id"));
	ck_assert_uint_eq(uint_of(a, "NAS-Port"), 9);
	ck_assert(!has(a, "Acct-Input-Octets"));
	ck_assert(!has(a, "Acct-Input-Gigawords"));
	ck_assert(!has(a, "Acct-Output-Octets"));
	ck_assert(!has(a, "Acct-Input-Packets"));
	ck_assert(!has(a, "Acct-Output-Packets"));
	ck_assert(!has(a, "Acct-Session-Time"));
	ck_assert(!has(a, "Acct-Terminate-Cause"));
	ck_assert_uint_eq(uint_of(a, "Acct-Delay-Time"), 2);
	radius_attrs_free(a);
}
END_TEST

START_TEST(interim_has_counters_but_no_cause)
{
	struct acct_record r = sample_record(ACCT_INTERIM, 9);
	struct radius_attrs *a;

	r.cause = ACCT_CAUSE_LOST_CARRIER; /* only a Stop sends it */
	a = build(&r, r.event_usec);
	ck_assert_uint_eq(uint_of(a, "Acct-Status-Type"), ACCT_INTERIM);
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Octets"), 1234);
	ck_assert_uint_eq(uint_of(a, "Acct-Input-Gigawords"), 5);
	ck_assert_uint_eq(uint_of(a, "Acct-Session-Time"), 3600);
	ck_assert(!has(a, "Acct-Terminate-Cause"));
	radius_attrs_free(a);
}
END_TEST

START_TEST(accounting_on_names_the_nas_not_a_user)
{
	struct auth_nas with_ip = { .identifier = "lns-test", .ip = htonl(ADDR(198, 51, 100, 1)) };
	struct acct_record r = { .status = ACCT_ON, .event_usec = 50 * USEC_PER_SEC };
	struct radius_attrs *a = radius_attrs_new();
	uint32_t ip = 0;
	char s[64];

	ck_assert_int_eq(acct_build_request(a, &with_ip, &r, 50 * USEC_PER_SEC), 0);
	ck_assert_uint_eq(uint_of(a, "Acct-Status-Type"), ACCT_ON);
	ck_assert(radius_attrs_get_string(a, "NAS-Identifier", s, sizeof(s)));
	ck_assert_str_eq(s, "lns-test");
	ck_assert(radius_attrs_get_ipv4(a, "NAS-IP-Address", &ip));
	ck_assert_uint_eq(ip, htonl(ADDR(198, 51, 100, 1)));
	ck_assert_uint_eq(uint_of(a, "Acct-Delay-Time"), 0);
	ck_assert(!has(a, "User-Name"));
	ck_assert(!has(a, "NAS-Port"));
	ck_assert(!has(a, "Acct-Session-Id")); /* none given */
	ck_assert(!has(a, "Acct-Input-Octets"));
	ck_assert(!has(a, "Acct-Authentic"));
	radius_attrs_free(a);

	r.status = ACCT_OFF;
	a = build(&r, r.event_usec);
	ck_assert_uint_eq(uint_of(a, "Acct-Status-Type"), ACCT_OFF);
	ck_assert(has(a, "NAS-Identifier"));
	ck_assert(!has(a, "NAS-IP-Address"));
	ck_assert(!has(a, "User-Name"));
	radius_attrs_free(a);
}
END_TEST

START_TEST(bad_records_are_refused)
{
	struct acct_record r = sample_record(ACCT_STOP, 9);
	struct radius_attrs *a = radius_attrs_new();

	/* a User-Name without its NUL */
	memset(r.user, 'u', sizeof(r.user));
	ck_assert_int_eq(acct_build_request(a, &nas, &r, r.event_usec), -EINVAL);
	ck_assert(!has(a, "Acct-Status-Type"));
	/* 63 octets and the NUL is fine */
	r.user[sizeof(r.user) - 1] = '\0';
	ck_assert_int_eq(acct_build_request(a, &nas, &r, r.event_usec), 0);
	radius_attrs_free(a);

	a = radius_attrs_new();
	r = sample_record(ACCT_STOP, 9);
	r.status = (enum acct_status)4; /* not one of ours */
	ck_assert_int_eq(acct_build_request(a, &nas, &r, r.event_usec), -EINVAL);
	ck_assert(!has(a, "Acct-Status-Type"));
	r.status = (enum acct_status)0;
	ck_assert_int_eq(acct_build_request(a, &nas, &r, r.event_usec), -EINVAL);
	radius_attrs_free(a);
}
END_TEST

/* ---- counters ------------------------------------------------------------ */

START_TEST(widen32)
{
	ck_assert_uint_eq(acct_widen32(0x10, 0x100000005ULL), 0x100000010ULL);
	/* the low word wrapped since the earlier reading */
	ck_assert_uint_eq(acct_widen32(0x5, 0x1FFFFFFF0ULL), 0x200000005ULL);
	ck_assert_uint_eq(acct_widen32(7, 0), 7);
	/* unchanged */
	ck_assert_uint_eq(acct_widen32(0x5, 0x300000005ULL), 0x300000005ULL);
	ck_assert_uint_eq(acct_widen32(UINT32_MAX, 0), UINT32_MAX);
	/* pppd counts from its link's start: a little below the reading is no wrap */
	ck_assert_uint_eq(acct_widen32(0x100, 0x100000200ULL), 0x100000100ULL);
	ck_assert_uint_eq(acct_widen32(531296, 531402), 531296);
}
END_TEST

START_TEST(estimate_without_a_ratio_takes_the_framing_off)
{
	/* fewer than 100 packets at the reading: no ratio of its own */
	struct acct_counters ppp = { .bytes_in = 800, .bytes_out = 700,
				     .packets_in = 50, .packets_out = 40 };
	struct acct_counters then = { .bytes_in = 1000, .bytes_out = 900,
				      .packets_in = 50, .packets_out = 40 };
	struct acct_counters now = { .bytes_in = 1500, .bytes_out = 930,
				     .packets_in = 60, .packets_out = 50 };
	struct acct_counters out;

	acct_estimate(&ppp, &then, &now, &out);
	ck_assert_uint_eq(out.bytes_in, 800 + 500 - 4 * 10);
	/* 30 octets in 10 packets: less than their framing, so nothing (no wrap) */
	ck_assert_uint_eq(out.bytes_out, 700);
	ck_assert_uint_eq(out.packets_in, 50 + 10);
	ck_assert_uint_eq(out.packets_out, 40 + 10);
}
END_TEST

START_TEST(estimate_with_a_ratio_scales)
{
	/* ppp counted 9000 of L2TP's 10000 octets over 200 packets: 0.9 */
	struct acct_counters ppp = { .bytes_in = 9000, .bytes_out = 4500,
				     .packets_in = 190, .packets_out = 150 };
	struct acct_counters then = { .bytes_in = 10000, .bytes_out = 5000,
				      .packets_in = 200, .packets_out = 100 };
	struct acct_counters now = { .bytes_in = 11000, .bytes_out = 7000,
				     .packets_in = 210, .packets_out = 120 };
	struct acct_counters out;

	acct_estimate(&ppp, &then, &now, &out);
	ck_assert_uint_eq(out.bytes_in, 9000 + 900);
	ck_assert_uint_eq(out.bytes_out, 4500 + 1800);
	ck_assert_uint_eq(out.packets_in, 190 + 10);
	ck_assert_uint_eq(out.packets_out, 150 + 20);
}
END_TEST

START_TEST(estimate_of_counters_that_went_back)
{
	/* L2TP counters below the earlier reading (a new session): no delta */
	struct acct_counters ppp = { .bytes_in = 9000, .packets_in = 190 };
	struct acct_counters then = { .bytes_in = 10000, .packets_in = 200 };
	struct acct_counters now = { .bytes_in = 10, .packets_in = 1 };
	struct acct_counters out;

	acct_estimate(&ppp, &then, &now, &out);
	ck_assert_uint_eq(out.bytes_in, 9000);
	ck_assert_uint_eq(out.packets_in, 190);
	ck_assert_uint_eq(out.bytes_out, 0);
	ck_assert_uint_eq(out.packets_out, 0);
}
END_TEST

START_TEST(cause_names)
{
	ck_assert_str_eq(acct_cause_name(ACCT_CAUSE_LOST_CARRIER), "Lost-Carrier");
	ck_assert_str_eq(acct_cause_name(ACCT_CAUSE_USER_REQUEST), "User-Request");
	ck_assert_str_eq(acct_cause_name(ACCT_CAUSE_IDLE_TIMEOUT), "Idle-Timeout");
	ck_assert_str_eq(acct_cause_name(ACCT_CAUSE_NAS_REQUEST), "NAS-Request");
	ck_assert_str_eq(acct_cause_name(ACCT_CAUSE_NONE), "?");
	ck_assert_str_eq(acct_cause_name((enum acct_cause)11), "?");
	ck_assert_str_eq(acct_cause_name((enum acct_cause)-1), "?");
}
END_TEST

/* ---- the queue ------------------------------------------------------------ */

static void setup(void)
{
	ck_assert_int_ge(sd_event_new(&ev), 0);
	rc = NULL;
	ac = NULL;
}

static void teardown(void)
{
	ac = acct_free(ac);
	rc = radius_free(rc);
	ev = sd_event_unref(ev);
}

/* The radius client of one accounting server, 127.0.0.1:port, and the queue on it. */
static void new_acct(uint16_t port)
{
	struct radius_config cfg = { .timeout_ms = TIMEOUT_MS, .retries = 0, .dead_time_s = 30,
				     .n_acct = 1 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&cfg.acct[0].addr;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
	cfg.acct[0].addr_len = sizeof(*sin);
	snprintf(cfg.acct[0].secret, sizeof(cfg.acct[0].secret), "%s", TEST_SECRET);
	ck_assert_int_eq(radius_new(&rc, ev, &cfg), 0);
	ac = acct_new(ev, rc, &nas, RETRY_MS * USEC_PER_MSEC);
	ck_assert_ptr_nonnull(ac);
}

static struct responder responder(unsigned int answer_from)
{
	struct responder rs = { .fd = -1, .secret = TEST_SECRET, .answer_from = answer_from };

	return rs;
}

/* The value of the 4-octet attribute type in the RADIUS packet p; false: none. */
static bool datagram_uint(const uint8_t *p, size_t len, uint8_t type, uint32_t *out)
{
	for (size_t at = 20; at + 2 <= len && p[at + 1] >= 2; at += p[at + 1]) {
		if (p[at] == type && p[at + 1] == 6 && at + 6 <= len) {
			*out = (uint32_t)p[at + 2] << 24 | (uint32_t)p[at + 3] << 16 |
			       (uint32_t)p[at + 4] << 8 | p[at + 5];
			return true;
		}
	}
	return false;
}

static void start_server(void)
{
	freeradius_start(&fr, true, NULL, fr_error, sizeof(fr_error));
}

static void stop_server(void)
{
	freeradius_stop(&fr);
}

static void require_freeradius(void)
{
	ck_assert_msg(fr_error[0] == '\0', "%s", fr_error);
}

static void detail_has(const char *text)
{
	ck_assert_msg(freeradius_detail_contains(&fr, text),
		      "\"%s\" is not in the detail files under %s/log/radacct", text, fr.dir);
}

START_TEST(start_and_stop_reach_the_detail_file)
{
	struct acct_record start = sample_record(ACCT_START, 11);
	struct acct_record stop = sample_record(ACCT_STOP, 11);
	struct acct_stats s;
	char line[96];

	require_freeradius();
	new_acct(fr.acct_port);
	ck_assert_int_eq(acct_submit(ac, &start), 0);
	ck_assert_int_eq(acct_submit(ac, &stop), 0);
	ck_assert_uint_eq(acct_pending(ac), 2);
	run_until_pending(0, WAIT_MS);
	s = stats();
	ck_assert_uint_eq(s.queued, 2);
	ck_assert_uint_eq(s.sent, 2);
	ck_assert_uint_eq(s.retried, 0);
	ck_assert_uint_eq(s.dropped, 0);

	snprintf(line, sizeof(line), "\tAcct-Session-Id = \"%s\"\n", stop.call.acct_session_id);
	detail_has(line);
	detail_has("\tAcct-Status-Type = Start\n");
	detail_has("\tAcct-Status-Type = Stop\n");
	/* only the Stop has counters */
	detail_has("\tAcct-Input-Octets = 1234\n");
	detail_has("\tAcct-Input-Gigawords = 5\n");
	detail_has("\tAcct-Output-Octets = 77\n");
	detail_has("\tAcct-Input-Packets = 10\n");
	detail_has("\tAcct-Output-Packets = 20\n");
	detail_has("\tAcct-Session-Time = 3600\n");
	detail_has("\tAcct-Terminate-Cause = Idle-Timeout\n");
	detail_has("\tAcct-Authentic = RADIUS\n");
	detail_has("\tUser-Name = \"alice\"\n");
	detail_has("\tFramed-IP-Address = 10.9.0.7\n");
	detail_has("\tNAS-Port = 11\n");
	ck_assert(!freeradius_detail_contains(&fr, "Acct-Output-Gigawords"));
}
END_TEST

START_TEST(a_stop_is_retried_until_a_server_answers)
{
	struct responder rs = responder(NEVER);
	struct acct_record stop = sample_record(ACCT_STOP, 12);
	struct acct_stats s;
	uint32_t v = 0;

	responder_start(&rs, ev);
	new_acct(rs.port);
	ck_assert_int_eq(acct_submit(ac, &stop), 0);
	/* tries near 0, 400 and 800 ms, each lost */
	run_for(1100);
	ck_assert_uint_eq(acct_pending(ac), 1);
	s = stats();
	ck_assert_uint_ge(s.retried, 2);
	ck_assert_uint_eq(s.sent, 0);
	ck_assert_uint_eq(s.dropped, 0);
	/* each failed try was one datagram; a last one may be in flight */
	ck_assert_uint_ge(rs.received, s.retried);
	ck_assert_uint_le(rs.received, s.retried + 1);
	/* the first try: made when the Stop was new */
	ck_assert(datagram_uint(rs.first, rs.first_len, ATTR_ACCT_DELAY_TIME, &v));
	ck_assert_uint_eq(v, 0);

	rs.answer_from = 0;
	run_until_pending(0, WAIT_MS);
	s = stats();
	ck_assert_uint_eq(s.queued, 1);
	ck_assert_uint_eq(s.sent, 1);
	ck_assert_uint_eq(s.dropped, 0);
	/* one datagram per try: those that failed, and the one answered */
	ck_assert_uint_eq(rs.received, s.retried + 1);
	/* the answered try, rebuilt: the same Stop, over a second late */
	ck_assert_uint_eq(rs.last[0], CODE_ACCOUNTING_REQUEST);
	ck_assert(datagram_uint(rs.last, rs.last_len, ATTR_ACCT_STATUS_TYPE, &v));
	ck_assert_uint_eq(v, ACCT_STOP);
	ck_assert(datagram_uint(rs.last, rs.last_len, ATTR_ACCT_DELAY_TIME, &v));
	ck_assert_uint_ge(v, 1);
	ck_assert_uint_le(v, WAIT_MS / 1000 + 2);
	responder_stop(&rs);
}
END_TEST

START_TEST(an_unanswered_interim_is_dropped)
{
	struct responder rs = responder(NEVER);
	struct acct_record interim = sample_record(ACCT_INTERIM, 13);
	struct acct_stats s;

	responder_start(&rs, ev);
	new_acct(rs.port);
	ck_assert_int_eq(acct_submit(ac, &interim), 0);
	ck_assert_uint_eq(acct_pending(ac), 1);
	run_until_pending(0, WAIT_MS);
	/* and not sent again later */
	run_for(2 * RETRY_MS);
	s = stats();
	ck_assert_uint_eq(s.queued, 1);
	ck_assert_uint_eq(s.sent, 0);
	ck_assert_uint_eq(s.retried, 0);
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(rs.received, 1);
	responder_stop(&rs);
}
END_TEST

START_TEST(a_full_queue_drops_interims_then_refuses)
{
	struct responder rs = responder(NEVER);
	struct acct_record stop = sample_record(ACCT_STOP, 14);
	struct acct_record interim = sample_record(ACCT_INTERIM, 14);
	struct acct_stats s;

	responder_start(&rs, ev);
	new_acct(rs.port);
	/* no loop runs here: ACCT_IN_FLIGHT_MAX wait in radius, the rest queued */
	ck_assert_int_eq(acct_submit(ac, &interim), 0);
	for (size_t i = 1; i < ACCT_IN_FLIGHT_MAX; i++)
		ck_assert_int_eq(acct_submit(ac, &stop), 0);
	/* the oldest Interim waiting (not the one in flight) is the one to go */
	ck_assert_int_eq(acct_submit(ac, &interim), 0);
	while (acct_pending(ac) < ACCT_QUEUE_MAX)
		ck_assert_int_eq(acct_submit(ac, &stop), 0);
	s = stats();
	ck_assert_uint_eq(s.dropped, 0);
	ck_assert_int_eq(acct_submit(ac, &stop), 0);
	ck_assert_uint_eq(acct_pending(ac), ACCT_QUEUE_MAX);
	s = stats();
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(s.queued, ACCT_QUEUE_MAX + 1);
	/* Stops and an Interim in flight only: no room */
	ck_assert_int_eq(acct_submit(ac, &interim), -ENOBUFS);
	ck_assert_int_eq(acct_submit(ac, &stop), -ENOBUFS);
	ck_assert_uint_eq(acct_pending(ac), ACCT_QUEUE_MAX);
	s = stats();
	ck_assert_uint_eq(s.dropped, 3);
	ck_assert_uint_eq(s.queued, ACCT_QUEUE_MAX + 1);
	responder_stop(&rs);
}
END_TEST

START_TEST(freeing_cancels_pending_records)
{
	struct responder rs = responder(NEVER);
	struct acct_record stop = sample_record(ACCT_STOP, 15);
	struct acct_record start = sample_record(ACCT_START, 16);
	struct radius_stats before, after;
	uint64_t end;

	responder_start(&rs, ev);
	new_acct(rs.port);
	/* one waiting for its retry ... */
	ck_assert_int_eq(acct_submit(ac, &stop), 0);
	end = now_ms() + WAIT_MS;
	while (stats().retried == 0 && now_ms() < end)
		ck_assert_int_ge(sd_event_run(ev, (end - now_ms()) * 1000), 0);
	ck_assert_uint_eq(stats().retried, 1);
	/* ... and one in flight */
	ck_assert_int_eq(acct_submit(ac, &start), 0);
	while (rs.received < 2 && now_ms() < end)
		ck_assert_int_ge(sd_event_run(ev, (end - now_ms()) * 1000), 0);
	ck_assert_uint_eq(rs.received, 2);
	ck_assert_uint_eq(acct_pending(ac), 2);
	radius_get_stats(rc, &before);

	ac = acct_free(ac);
	ck_assert_ptr_null(ac);
	/* past the in-flight try's timeout and the retry: neither comes */
	run_for(TIMEOUT_MS + 2 * RETRY_MS);
	radius_get_stats(rc, &after);
	ck_assert_uint_eq(rs.received, 2);
	ck_assert_uint_eq(after.requests, before.requests);
	ck_assert_uint_eq(after.timeouts, before.timeouts);
	ck_assert_uint_eq(acct_pending(NULL), 0);
	ck_assert_ptr_null(acct_free(NULL));
	responder_stop(&rs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acct");
	TCase *request = tcase_create("request"), *counters = tcase_create("counters");
	TCase *queue = tcase_create("queue"), *server = tcase_create("freeradius");
	char err[256];

	/* the queue's warnings are not for the TAP output */
	log_set_level(LOG_CRIT);
	if (radius_library_init(NULL, err, sizeof(err)) < 0) {
		printf("Bail out! radius_library_init: %s\n", err);
		return 1;
	}
	tcase_add_test(request, stop_carries_counters_gigawords_and_cause);
	tcase_add_test(request, gigawords_exactly_and_clamped_counts);
	tcase_add_test(request, acct_authentic_local_and_no_address_nor_class);
	tcase_add_test(request, start_has_no_counters);
	tcase_add_test(request, interim_has_counters_but_no_cause);
	tcase_add_test(request, accounting_on_names_the_nas_not_a_user);
	tcase_add_test(request, bad_records_are_refused);
	suite_add_tcase(s, request);

	tcase_add_test(counters, widen32);
	tcase_add_test(counters, estimate_without_a_ratio_takes_the_framing_off);
	tcase_add_test(counters, estimate_with_a_ratio_scales);
	tcase_add_test(counters, estimate_of_counters_that_went_back);
	tcase_add_test(counters, cause_names);
	suite_add_tcase(s, counters);

	tcase_add_checked_fixture(queue, setup, teardown);
	tcase_set_timeout(queue, 20);
	tcase_add_test(queue, a_stop_is_retried_until_a_server_answers);
	tcase_add_test(queue, an_unanswered_interim_is_dropped);
	tcase_add_test(queue, a_full_queue_drops_interims_then_refuses);
	tcase_add_test(queue, freeing_cancels_pending_records);
	suite_add_tcase(s, queue);

	tcase_add_unchecked_fixture(server, start_server, stop_server);
	tcase_add_checked_fixture(server, setup, teardown);
	tcase_set_timeout(server, 30);
	tcase_add_test(server, start_and_stop_reach_the_detail_file);
	suite_add_tcase(s, server);
	return check_run_tap(s);
}
