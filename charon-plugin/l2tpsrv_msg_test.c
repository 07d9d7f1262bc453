/*
 * Tests of the charon_proto record builder and request parser
 * (l2tpsrv_msg.c), without charon.
 */
#include "l2tpsrv_msg.h"
#include "../l2tpsrv/check_tap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* a record with a canary right behind it, to catch any overrun */
struct guarded {
	l2tpsrv_msg_t msg;
	unsigned char canary[64];
};

static void guard(struct guarded *g)
{
	memset(g, 0xa5, sizeof(*g));
}

static void check_guard(const struct guarded *g)
{
	size_t i;

	for (i = 0; i < sizeof(g->canary); i++)
	{
		ck_assert_uint_eq(g->canary[i], 0xa5);
	}
	ck_assert_uint_le(g->msg.len, CHARON_MSG_MAX);
	ck_assert_uint_eq(strlen(g->msg.data), g->msg.len);
}

START_TEST(test_plain)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "child-up"));
	ck_assert(l2tpsrv_msg_add_uint(&msg, "ike", 5));
	ck_assert(l2tpsrv_msg_add(&msg, "spi-in", "c1a2b3d4"));
	ck_assert(l2tpsrv_msg_add(&msg, "mark-in", "0/0"));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
					 "child-up ike=5 spi-in=c1a2b3d4 mark-in=0/0");
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), strlen(l2tpsrv_msg_data(&msg)));
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&msg), 0);
}
END_TEST

START_TEST(test_event_only)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "sync-begin"));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg), "sync-begin");
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 10);
}
END_TEST

START_TEST(test_encode_space_percent_equals)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "ike-up"));
	ck_assert(l2tpsrv_msg_add(&msg, "remote-id",
							  "C=CH, O=strongSwan, CN=100% peer"));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
		"ike-up remote-id=C=CH,%20O=strongSwan,%20CN=100%25%20peer");
}
END_TEST

START_TEST(test_encode_bytes)
{
	l2tpsrv_msg_t msg;
	const char value[] = { 'a', '\0', '\t', '\n', 0x7f, (char)0xc3,
						   (char)0xa9, (char)0xff, '!', '~' };

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(l2tpsrv_msg_add_mem(&msg, "v", value, sizeof(value)));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
					 "x v=a%00%09%0A%7F%C3%A9%FF!~");
}
END_TEST

START_TEST(test_empty_value)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(l2tpsrv_msg_add(&msg, "a", ""));
	ck_assert(l2tpsrv_msg_add(&msg, "b", NULL));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg), "x a= b=");
}
END_TEST

START_TEST(test_uint)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(l2tpsrv_msg_add_uint(&msg, "a", 0));
	ck_assert(l2tpsrv_msg_add_uint(&msg, "b", UINT64_MAX));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
					 "x a=0 b=18446744073709551615");
}
END_TEST

START_TEST(test_bad_tokens)
{
	l2tpsrv_msg_t msg;
	char longkey[66];

	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(!l2tpsrv_msg_add(&msg, "a=b", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "a b", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "a%", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, NULL, "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "\xc3\xa9", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, longkey, "1"));
	longkey[64] = '\0';
	ck_assert(l2tpsrv_msg_add(&msg, longkey, "1"));
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&msg), 7);
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 1 + 1 + 64 + 2);
}
END_TEST

START_TEST(test_bad_event)
{
	l2tpsrv_msg_t msg;

	ck_assert(!l2tpsrv_msg_init(&msg, "ike up"));
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 0);
	ck_assert(!l2tpsrv_msg_add(&msg, "a", "1"));
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 0);
	ck_assert(!l2tpsrv_msg_init(&msg, ""));
	ck_assert(!l2tpsrv_msg_init(&msg, NULL));
	ck_assert(!l2tpsrv_msg_init(&msg, "a=b"));
}
END_TEST

/* fill the record to exactly CHARON_MSG_MAX: the next byte is refused */
START_TEST(test_exact_fit)
{
	struct guarded g;
	char value[CHARON_MSG_MAX];
	size_t room;

	guard(&g);
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	room = CHARON_MSG_MAX - l2tpsrv_msg_len(&g.msg) - strlen(" v=");

	memset(value, 'a', sizeof(value));
	/* one byte too many: refused, record unchanged */
	ck_assert(!l2tpsrv_msg_add_mem(&g.msg, "v", value, room + 1));
	ck_assert_str_eq(l2tpsrv_msg_data(&g.msg), "x");
	/* exactly enough */
	ck_assert(l2tpsrv_msg_add_mem(&g.msg, "v", value, room));
	ck_assert_uint_eq(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX);
	check_guard(&g);
	/* full: even an empty value does not fit any more */
	ck_assert(!l2tpsrv_msg_add(&g.msg, "a", ""));
	ck_assert_uint_eq(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX);
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&g.msg), 2);
	check_guard(&g);
}
END_TEST

/* a value that fits raw but not encoded is refused whole */
START_TEST(test_encoded_too_long)
{
	struct guarded g;
	char value[CHARON_MSG_MAX];
	size_t room;

	guard(&g);
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	ck_assert(l2tpsrv_msg_add(&g.msg, "ike", "1"));
	room = CHARON_MSG_MAX - l2tpsrv_msg_len(&g.msg) - strlen(" v=");

	memset(value, ' ', sizeof(value));
	ck_assert(!l2tpsrv_msg_add_mem(&g.msg, "v", value, room / 3 + 1));
	ck_assert_str_eq(l2tpsrv_msg_data(&g.msg), "x ike=1");
	ck_assert(l2tpsrv_msg_add_mem(&g.msg, "v", value, room / 3));
	ck_assert_uint_le(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX);
	ck_assert_uint_gt(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX - 3);
	check_guard(&g);
}
END_TEST

/* many pairs: it stops at the limit, each refused pair is counted */
START_TEST(test_many_pairs)
{
	struct guarded g;
	unsigned added = 0, i;

	guard(&g);
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	for (i = 0; i < 2000; i++)
	{
		if (l2tpsrv_msg_add(&g.msg, "key", "\xff\xff value"))
		{
			added++;
		}
		check_guard(&g);
	}
	/* " key=%FF%FF%20value" is 19 bytes */
	ck_assert_uint_eq(added, (CHARON_MSG_MAX - 1) / 19);
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&g.msg), 2000 - added);
	ck_assert_uint_eq(l2tpsrv_msg_len(&g.msg), 1 + added * 19);
}
END_TEST

START_TEST(test_huge_value)
{
	struct guarded g;
	static char value[100000];

	guard(&g);
	memset(value, 0xff, sizeof(value));
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	ck_assert(!l2tpsrv_msg_add_mem(&g.msg, "v", value, sizeof(value)));
	ck_assert_str_eq(l2tpsrv_msg_data(&g.msg), "x");
	check_guard(&g);
}
END_TEST

START_TEST(test_encode_bounds)
{
	char out[8];

	/* size 0: nothing written, full length returned */
	ck_assert_uint_eq(l2tpsrv_msg_encode(NULL, 0, "a b", 3), 5);

	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, sizeof(out), "ab cd", 5), 7);
	ck_assert_str_eq(out, "ab%20cd");

	/* cut short: never a partial %XX, always NUL-terminated */
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, 4, "ab cd", 5), 7);
	ck_assert_str_eq(out, "ab");
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, 6, "ab cd", 5), 7);
	ck_assert_str_eq(out, "ab%20");
	ck_assert_uint_eq((unsigned char)out[6], 'X');
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, 1, "a", 1), 1);
	ck_assert_str_eq(out, "");
}
END_TEST

/* every failure has its own name, a valid token; nothing past the last */
START_TEST(test_fail_names)
{
	l2tpsrv_msg_t msg;
	const char *a, *b;
	int i, j;

	for (i = 0; i < L2TPSRV_FAIL_COUNT; i++)
	{
		a = l2tpsrv_fail_name(i);
		ck_assert_ptr_nonnull(a);
		ck_assert(l2tpsrv_msg_init(&msg, a));
		for (j = 0; j < i; j++)
		{
			b = l2tpsrv_fail_name(j);
			ck_assert_str_ne(a, b);
		}
	}
	ck_assert_ptr_null(l2tpsrv_fail_name(L2TPSRV_FAIL_COUNT));
	ck_assert_ptr_null(l2tpsrv_fail_name((l2tpsrv_fail_t)-1));
	ck_assert_str_eq(l2tpsrv_fail_name(L2TPSRV_FAIL_PROPOSAL_IKE), "proposal-ike");
	ck_assert_str_eq(l2tpsrv_fail_name(L2TPSRV_FAIL_AUTH), "auth-failed");
	ck_assert_str_eq(l2tpsrv_fail_name(L2TPSRV_FAIL_TIMEOUT), "timeout");
	ck_assert_str_eq(l2tpsrv_fail_name(L2TPSRV_FAIL_PARSE), "parse-error");
}
END_TEST

/*
 * ike-fail records as the ike-fail listener builds them; l2tpsrv's
 * charon_msg_test.c parses these very lines.
 */
START_TEST(test_ike_fail)
{
	l2tpsrv_msg_t msg;

	/* a Windows client whose PSK differs: message 5 did not decrypt */
	ck_assert(l2tpsrv_msg_init_ike_fail(&msg, 9, L2TPSRV_FAIL_PARSE));
	l2tpsrv_msg_add(&msg, "exchange", l2tpsrv_exchange_name(2));
	l2tpsrv_msg_add_uint(&msg, "encrypted", 1);
	l2tpsrv_msg_add_uint(&msg, "ikev", 1);
	l2tpsrv_msg_add(&msg, "local", "198.51.100.1");
	l2tpsrv_msg_add_uint(&msg, "local-port", 4500);
	l2tpsrv_msg_add(&msg, "remote", "203.0.113.7");
	l2tpsrv_msg_add_uint(&msg, "remote-port", 4500);
	l2tpsrv_msg_add_uint(&msg, "nat-local", 0);
	l2tpsrv_msg_add_uint(&msg, "nat-remote", 1);
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
		"ike-fail ike=9 alert=parse-error exchange=main-mode encrypted=1 "
		"ikev=1 local=198.51.100.1 local-port=4500 remote=203.0.113.7 "
		"remote-port=4500 nat-local=0 nat-remote=1");

	/* no IKE_SA: no ike=; a notify's name as it is */
	ck_assert(l2tpsrv_msg_init_ike_fail(&msg, 0, L2TPSRV_FAIL_PROPOSAL_CHILD));
	l2tpsrv_msg_add(&msg, "notify", "NO_PROPOSAL_CHOSEN");
	l2tpsrv_msg_add(&msg, "remote", "2001:db8::7");
	l2tpsrv_msg_add(&msg, "remote-id", "C=CH, CN=client");
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
		"ike-fail alert=proposal-child notify=NO_PROPOSAL_CHOSEN "
		"remote=2001:db8::7 remote-id=C=CH,%20CN=client");

	/* not a failure: nothing to send */
	ck_assert(!l2tpsrv_msg_init_ike_fail(&msg, 9, L2TPSRV_FAIL_COUNT));
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 0);
	ck_assert(!l2tpsrv_msg_add(&msg, "remote", "203.0.113.7"));
}
END_TEST

START_TEST(test_exchange_names)
{
	ck_assert_str_eq(l2tpsrv_exchange_name(2), "main-mode");
	ck_assert_str_eq(l2tpsrv_exchange_name(4), "aggressive-mode");
	ck_assert_str_eq(l2tpsrv_exchange_name(5), "informational");
	ck_assert_str_eq(l2tpsrv_exchange_name(32), "quick-mode");
	ck_assert_str_eq(l2tpsrv_exchange_name(34), "ike-sa-init");
	ck_assert_str_eq(l2tpsrv_exchange_name(35), "ike-auth");
	ck_assert_str_eq(l2tpsrv_exchange_name(36), "create-child-sa");
	ck_assert_str_eq(l2tpsrv_exchange_name(37), "informational");
	ck_assert_str_eq(l2tpsrv_exchange_name(0), "other");
	ck_assert_str_eq(l2tpsrv_exchange_name(33), "other");
	ck_assert_str_eq(l2tpsrv_exchange_name(255), "other");
}
END_TEST

START_TEST(test_ikev1_encrypted)
{
	unsigned char header[28];

	memset(header, 0, sizeof(header));
	header[17] = 0x10;	/* version 1.0 */
	header[18] = 2;		/* Identity Protection */
	ck_assert(!l2tpsrv_ikev1_encrypted(header, sizeof(header)));
	header[19] = 0x01;	/* E */
	ck_assert(l2tpsrv_ikev1_encrypted(header, sizeof(header)));
	/* a short datagram is no encrypted message */
	ck_assert(!l2tpsrv_ikev1_encrypted(header, sizeof(header) - 1));
	ck_assert(!l2tpsrv_ikev1_encrypted(NULL, 0));
	/* the other flags (commit, authentication only) do not count */
	header[19] = 0x06;
	ck_assert(!l2tpsrv_ikev1_encrypted(header, sizeof(header)));
}
END_TEST

/* which IKEv1 error notifies become ike-fail, and as what */
START_TEST(test_v1_notify)
{
	l2tpsrv_fail_t fail;

	/* NO_PROPOSAL_CHOSEN we send: Main Mode's, then Quick Mode's */
	ck_assert(l2tpsrv_fail_of_v1_notify(14, true, false, &fail));
	ck_assert_int_eq(fail, L2TPSRV_FAIL_PROPOSAL_IKE);
	ck_assert(l2tpsrv_fail_of_v1_notify(14, true, true, &fail));
	ck_assert_int_eq(fail, L2TPSRV_FAIL_PROPOSAL_CHILD);
	/* INVALID_KEY_INFORMATION: no PSK in Main Mode, a PFS group in Quick Mode */
	ck_assert(l2tpsrv_fail_of_v1_notify(17, true, false, &fail));
	ck_assert_int_eq(fail, L2TPSRV_FAIL_KEY);
	ck_assert_str_eq(l2tpsrv_fail_name(fail), "key-failed");
	ck_assert(l2tpsrv_fail_of_v1_notify(17, true, true, &fail));
	ck_assert_int_eq(fail, L2TPSRV_FAIL_PROPOSAL_CHILD);
	/* INVALID_ID_INFORMATION: Quick Mode's traffic selectors only */
	ck_assert(l2tpsrv_fail_of_v1_notify(18, true, true, &fail));
	ck_assert_int_eq(fail, L2TPSRV_FAIL_TS);
	ck_assert(!l2tpsrv_fail_of_v1_notify(18, true, false, &fail));
	/* those an alert reports already */
	ck_assert(!l2tpsrv_fail_of_v1_notify(24, true, false, &fail));
	ck_assert(!l2tpsrv_fail_of_v1_notify(16, true, false, &fail));
	ck_assert(!l2tpsrv_fail_of_v1_notify(23, true, true, &fail));
	ck_assert(!l2tpsrv_fail_of_v1_notify(1, true, false, &fail));
	/* any error the peer sends */
	ck_assert(l2tpsrv_fail_of_v1_notify(24, false, false, &fail));
	ck_assert_int_eq(fail, L2TPSRV_FAIL_PEER_NOTIFY);
	ck_assert(l2tpsrv_fail_of_v1_notify(8191, false, true, &fail));
	ck_assert_int_eq(fail, L2TPSRV_FAIL_PEER_NOTIFY);
	/* status notifies are no failures: CONNECTED, RESPONDER-LIFETIME, R-U-THERE */
	ck_assert(!l2tpsrv_fail_of_v1_notify(16384, false, true, &fail));
	ck_assert(!l2tpsrv_fail_of_v1_notify(24576, true, true, &fail));
	ck_assert(!l2tpsrv_fail_of_v1_notify(36136, false, true, &fail));
	ck_assert(!l2tpsrv_fail_of_v1_notify(0, false, false, &fail));
}
END_TEST

static char err[128];

/* Parses a NUL-terminated line (the NUL is not part of the record). */
static bool parse(const char *line, l2tpsrv_request_t *req)
{
	memset(err, 0, sizeof(err));
	return l2tpsrv_msg_parse_request(line, strlen(line), req, err,
									 sizeof(err));
}

static void parse_ok(const char *line, l2tpsrv_request_t *req)
{
	ck_assert_msg(parse(line, req), "'%.80s' refused: %s", line, err);
	ck_assert_int_eq(req->kind, L2TPSRV_REQUEST_TERMINATE_IKE);
}

/* line is refused with exactly the reason want */
static void refused(const char *line, const char *want)
{
	l2tpsrv_request_t req;

	ck_assert_msg(!parse(line, &req), "'%.80s' taken", line);
	ck_assert_str_eq(err, want);
}

/* the records l2tpsrv's charon_msg_test.c checks that it writes */
START_TEST(test_request_from_l2tpsrv)
{
	l2tpsrv_request_t req;

	parse_ok("terminate-ike ike=5 reason=RADIUS%20Disconnect-Request", &req);
	ck_assert_uint_eq(req.ike, 5);
	ck_assert_str_eq(req.reason, "RADIUS Disconnect-Request");
	/* bytes outside 0x20..0x7e become '?' */
	parse_ok("terminate-ike ike=4294967295 "
			 "reason=a=b%20100%25%20\"x\"%09%0A%7F%C3%A9~", &req);
	ck_assert_uint_eq(req.ike, UINT32_MAX);
	ck_assert_str_eq(req.reason, "a=b 100% \"x\"?????~");
	parse_ok("terminate-ike ike=1 reason=", &req);
	ck_assert_uint_eq(req.ike, 1);
	ck_assert_str_eq(req.reason, "");
}
END_TEST

START_TEST(test_request_keys)
{
	l2tpsrv_request_t req;

	/* reason= is optional; keys in any order; unknown ones skipped */
	parse_ok("terminate-ike ike=7", &req);
	ck_assert_uint_eq(req.ike, 7);
	ck_assert_str_eq(req.reason, "");
	parse_ok("terminate-ike future=%zz reason=why ike=8 =x a==", &req);
	ck_assert_uint_eq(req.ike, 8);
	ck_assert_str_eq(req.reason, "why");
	/* the last of a repeated key counts */
	parse_ok("terminate-ike ike=1 reason=a ike=2 reason=b", &req);
	ck_assert_uint_eq(req.ike, 2);
	ck_assert_str_eq(req.reason, "b");
	/* an escaped value is decoded before it is read as a number */
	parse_ok("terminate-ike ike=%31%32", &req);
	ck_assert_uint_eq(req.ike, 12);
	/* raw bytes that should have been escaped are taken, made printable */
	parse_ok("terminate-ike ike=3 reason=\x01\xff", &req);
	ck_assert_str_eq(req.reason, "??");
}
END_TEST

START_TEST(test_request_refused)
{
	static char big[CHARON_MSG_MAX + 1];
	l2tpsrv_request_t req;

	refused("terminate-child ike=1", "unknown request 'terminate-child'");
	refused("hello proto=1", "unknown request 'hello'");
	refused(" terminate-ike ike=1", "unknown request ''");
	refused("a-request-name-well-over-thirty-two-bytes x=1",
			"unknown request 'a-request-name-well-over-thirty-'");
	refused("terminate-ike", "terminate-ike without ike=");
	refused("terminate-ike reason=x", "terminate-ike without ike=");
	refused("terminate-ike IKE=1", "terminate-ike without ike=");
	refused("terminate-ike ike=1 garbage", "'garbage' is not KEY=VALUE");
	refused("terminate-ike ike=1  reason=x", "'' is not KEY=VALUE");
	refused("terminate-ike ike=1 ", "'' is not KEY=VALUE");
	refused("terminate-ike ike=1 reason=%G1", "bad escape in reason");
	refused("terminate-ike ike=1 reason=ab%4", "bad escape in reason");
	refused("terminate-ike ike=1 reason=%", "bad escape in reason");
	refused("terminate-ike ike=1 reason=a%00b", "bad escape in reason");
	refused("", "record of 0 bytes");
	memset(big, 'x', sizeof(big));
	memcpy(big, "terminate-ike ike=1 x=", 22);
	ck_assert(!l2tpsrv_msg_parse_request(big, sizeof(big), &req, err,
										 sizeof(err)));
	ck_assert_str_eq(err, "record of 4097 bytes");
	/* ... and exactly CHARON_MSG_MAX bytes are fine */
	ck_assert(l2tpsrv_msg_parse_request(big, CHARON_MSG_MAX, &req, err,
										sizeof(err)));
	/* a raw NUL is no better than %00 */
	ck_assert(!l2tpsrv_msg_parse_request("terminate-ike ike=1 reason=a\0b",
										 30, &req, err, sizeof(err)));
	ck_assert_str_eq(err, "bad escape in reason");
}
END_TEST

START_TEST(test_request_bad_ids)
{
	static const char *const ids[] = {
		"0", "00", "", "-1", "+1", "1x", "x", " 1", "%201", "0x1", "%00",
		"4294967296", "99999999999", "00000000001", "1%",
	};
	char line[64];
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
	{
		snprintf(line, sizeof(line), "terminate-ike ike=%s", ids[i]);
		refused(line, "bad value for ike");
	}
}
END_TEST

/* the reason is cut to L2TPSRV_REASON_MAX - 1 bytes, an escape counting one */
START_TEST(test_request_long_reason)
{
	char line[1024], want[L2TPSRV_REASON_MAX];
	l2tpsrv_request_t req;
	int n;

	n = snprintf(line, sizeof(line), "terminate-ike ike=9 reason=%%25");
	memset(line + n, 'r', 600);
	line[n + 600] = '\0';
	parse_ok(line, &req);
	want[0] = '%';
	memset(want + 1, 'r', sizeof(want) - 2);
	want[sizeof(want) - 1] = '\0';
	ck_assert_str_eq(req.reason, want);
	ck_assert_uint_eq(req.ike, 9);
}
END_TEST

/* A small fixed-seed generator, the same on every libc. */
static uint32_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* random edits of a good request: taken or refused with a reason, and a
 * taken one has an ID and a printable reason that fits */
START_TEST(test_request_random)
{
	static const char seed[] = "terminate-ike ike=42 reason=RADIUS%20DM";
	static const char alphabet[] = "%= 0123456789abcdefABCDEFGxz";
	char buf[128];
	l2tpsrv_request_t req;
	unsigned taken = 0, i, k;
	size_t len, at, r;

	rng_state = 0x2545f491u;
	for (i = 0; i < 20000; i++)
	{
		len = strlen(seed);
		memcpy(buf, seed, len);
		for (k = 1 + rnd() % 4; k > 0; k--)
		{
			at = rnd() % len;
			switch (rnd() % 3)
			{
				case 0:
					buf[at] = (char)rnd();
					break;
				case 1:
					buf[at] = alphabet[rnd() % (sizeof(alphabet) - 1)];
					break;
				case 2:
					len = at ? at : len;
					break;
			}
		}
		memset(err, 0x55, sizeof(err));
		if (!l2tpsrv_msg_parse_request(buf, len, &req, err, sizeof(err)))
		{
			ck_assert_uint_gt(strnlen(err, sizeof(err)), 0);
			ck_assert_uint_lt(strnlen(err, sizeof(err)), sizeof(err));
			continue;
		}
		taken++;
		ck_assert_uint_ne(req.ike, 0);
		ck_assert_uint_lt(strnlen(req.reason, sizeof(req.reason)),
						  sizeof(req.reason));
		for (r = 0; req.reason[r]; r++)
		{
			ck_assert(req.reason[r] >= 0x20 && req.reason[r] <= 0x7e);
		}
	}
	ck_assert_uint_gt(taken, 100);
}
END_TEST

static Suite *msg_suite(void)
{
	Suite *s = suite_create("l2tpsrv_msg");
	TCase *tc = tcase_create("msg");

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_event_only);
	tcase_add_test(tc, test_encode_space_percent_equals);
	tcase_add_test(tc, test_encode_bytes);
	tcase_add_test(tc, test_empty_value);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_bad_tokens);
	tcase_add_test(tc, test_bad_event);
	tcase_add_test(tc, test_exact_fit);
	tcase_add_test(tc, test_encoded_too_long);
	tcase_add_test(tc, test_many_pairs);
	tcase_add_test(tc, test_huge_value);
	tcase_add_test(tc, test_encode_bounds);
	suite_add_tcase(s, tc);
	tc = tcase_create("ike-fail");
	tcase_add_test(tc, test_fail_names);
	tcase_add_test(tc, test_ike_fail);
	tcase_add_test(tc, test_exchange_names);
	tcase_add_test(tc, test_ikev1_encrypted);
	tcase_add_test(tc, test_v1_notify);
	suite_add_tcase(s, tc);
	tc = tcase_create("request");
	tcase_add_test(tc, test_request_from_l2tpsrv);
	tcase_add_test(tc, test_request_keys);
	tcase_add_test(tc, test_request_refused);
	tcase_add_test(tc, test_request_bad_ids);
	tcase_add_test(tc, test_request_long_reason);
	tcase_add_test(tc, test_request_random);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(msg_suite());
}
