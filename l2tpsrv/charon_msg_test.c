/*
 * Tests of the charon plugin's record parser (charon_msg.c) against the
 * wire format of charon_proto.h: every event, every field, the escapes,
 * the error texts, and random input that must never crash it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charon_msg.h"
#include "charon_proto.h"
#include "check_tap.h"

/* The IKE and CHILD fields of a realistic child-up (IKEv1, NATed client, XAuth). */
#define IKE_FIELDS                                                                         \
	"ikev=1 local=192.0.2.1 local-port=4500 remote=192.0.2.254 remote-port=4500 "      \
	"nat-local=0 nat-remote=1 remote-id=192.168.1.20 xauth-id=alice "                  \
	"cert=C=CH,%20O=test,%20CN=client"
#define CHILD_FIELDS                                                                       \
	"name=l2tp mode=transport reqid=3 spi-in=c1a2b3c4 spi-out=0000abcd mark-in=0/0 "   \
	"mark-out=2a/ffffffff remote-ports=1701-1701"
#define CHILD_UP "child-up ike=5 child=7 " IKE_FIELDS " " CHILD_FIELDS

static char err[256];

/* Parses a NUL-terminated line (the NUL is not part of the record). */
static int parse(const char *line, struct charon_event *ev)
{
	memset(err, 0, sizeof(err));
	return charon_msg_parse((const uint8_t *)line, strlen(line), ev, err, sizeof(err));
}

static void parse_ok(const char *line, struct charon_event *ev)
{
	int r = parse(line, ev);

	ck_assert_msg(r == 0, "'%s' refused: %s", line, err);
}

/* Asserts that line is refused with exactly the reason want. */
static void refused(const char *line, const char *want)
{
	struct charon_event ev;
	int r = parse(line, &ev);

	ck_assert_msg(r == -EINVAL, "'%.80s' gave %d, expected -EINVAL (%s)", line, r, want);
	ck_assert_msg(!strcmp(err, want), "'%.80s': reason \"%s\", expected \"%s\"", line, err,
		      want);
}

static void assert_v4(const struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	struct in_addr want;

	ck_assert_int_eq(ss->ss_family, AF_INET);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &want), 1);
	ck_assert_uint_eq(sin->sin_addr.s_addr, want.s_addr);
	ck_assert_uint_eq(sin->sin_port, htons(port)); /* network order */
}

static void assert_v6(const struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	struct in6_addr want;

	ck_assert_int_eq(ss->ss_family, AF_INET6);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &want), 1);
	ck_assert(!memcmp(&sin6->sin6_addr, &want, sizeof(want)));
	ck_assert_uint_eq(sin6->sin6_port, htons(port));
}

/* ---- what a good record gives ---- */

/* Every IKE and CHILD field of a full child-up lands in its place. */
START_TEST(child_up_every_field)
{
	struct charon_event ev;

	parse_ok(CHILD_UP, &ev);
	ck_assert_int_eq(ev.kind, CHARON_CHILD_UP);
	ck_assert_uint_eq(ev.ike, 5);
	ck_assert_uint_eq(ev.child, 7);
	ck_assert_uint_eq(ev.new_id, 0);
	ck_assert(ev.ike_sa.has_addresses);
	ck_assert_uint_eq(ev.ike_sa.version, 1);
	assert_v4(&ev.ike_sa.local, "192.0.2.1", 4500);
	assert_v4(&ev.ike_sa.remote, "192.0.2.254", 4500);
	ck_assert(!ev.ike_sa.nat_local);
	ck_assert(ev.ike_sa.nat_remote);
	ck_assert_str_eq(ev.ike_sa.remote_id, "192.168.1.20");
	ck_assert_str_eq(ev.ike_sa.xauth_id, "alice");
	ck_assert_str_eq(ev.ike_sa.eap_id, "");
	ck_assert_str_eq(ev.ike_sa.cert, "C=CH, O=test, CN=client");
	ck_assert_str_eq(ev.child_sa.name, "l2tp");
	ck_assert(ev.child_sa.transport);
	ck_assert_uint_eq(ev.child_sa.reqid, 3);
	ck_assert_uint_eq(ev.child_sa.spi_in, 0xc1a2b3c4u); /* host order */
	ck_assert_uint_eq(ev.child_sa.spi_out, 0x0000abcdu);
	ck_assert_uint_eq(ev.child_sa.mark_in, 0);
	ck_assert_uint_eq(ev.child_sa.mark_in_mask, 0);
	ck_assert_uint_eq(ev.child_sa.mark_out, 0x2a);
	ck_assert_uint_eq(ev.child_sa.mark_out_mask, 0xffffffffu);
	ck_assert_uint_eq(ev.child_sa.port_lo, 1701);
	ck_assert_uint_eq(ev.child_sa.port_hi, 1701);
}
END_TEST

/* Each event name maps to its kind, with the ids it carries, and back to its name. */
START_TEST(every_event_kind)
{
	static const struct {
		const char *line;
		enum charon_event_kind kind;
		uint32_t ike, child, new_id;
	} cases[] = {
		{ "hello proto=1 version=0.3 charon=5.9.8", CHARON_HELLO, 0, 0, 0 },
		{ "sync-begin", CHARON_SYNC_BEGIN, 0, 0, 0 },
		{ "sync-end", CHARON_SYNC_END, 0, 0, 0 },
		{ "ike-up ike=9 " IKE_FIELDS, CHARON_IKE_UP, 9, 0, 0 },
		{ "ike-down ike=9", CHARON_IKE_DOWN, 9, 0, 0 },
		{ "ike-update ike=9 " IKE_FIELDS, CHARON_IKE_UPDATE, 9, 0, 0 },
		{ "ike-rekey ike=9 new=10 " IKE_FIELDS, CHARON_IKE_REKEY, 9, 0, 10 },
		{ CHILD_UP, CHARON_CHILD_UP, 5, 7, 0 },
		{ "child-down ike=5 child=7", CHARON_CHILD_DOWN, 5, 7, 0 },
		{ "child-rekey ike=5 child=7 new=8 " IKE_FIELDS " " CHILD_FIELDS,
		  CHARON_CHILD_REKEY, 5, 7, 8 },
		{ "child-migrate ike=6 child=7", CHARON_CHILD_MIGRATE, 6, 7, 0 },
		{ "child-migrate ike=6 child=7 " IKE_FIELDS, CHARON_CHILD_MIGRATE, 6, 7, 0 },
		{ "ike-fail ike=9 alert=timeout remote=192.0.2.254", CHARON_IKE_FAIL, 9, 0, 0 },
		{ "ike-fail alert=parse-error remote=192.0.2.254", CHARON_IKE_FAIL, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct charon_event ev;
		size_t name_len = strcspn(cases[i].line, " ");

		parse_ok(cases[i].line, &ev);
		ck_assert_int_eq(ev.kind, cases[i].kind);
		ck_assert_uint_eq(ev.ike, cases[i].ike);
		ck_assert_uint_eq(ev.child, cases[i].child);
		ck_assert_uint_eq(ev.new_id, cases[i].new_id);
		ck_assert_uint_eq(strlen(charon_event_name(ev.kind)), name_len);
		ck_assert(!memcmp(charon_event_name(ev.kind), cases[i].line, name_len));
	}
	ck_assert_str_eq(charon_event_name((enum charon_event_kind)0), "?");
	ck_assert_str_eq(charon_event_name((enum charon_event_kind)99), "?");
}
END_TEST

/*
 * ike-fail, in the very lines the plugin's l2tpsrv_msg_test.c checks that
 * it writes: what failed, and the peer's address.
 */
START_TEST(ike_fail_fields)
{
	struct charon_event ev;

	parse_ok("ike-fail ike=9 alert=parse-error exchange=main-mode encrypted=1 "
		 "ikev=1 local=198.51.100.1 local-port=4500 remote=203.0.113.7 "
		 "remote-port=4500 nat-local=0 nat-remote=1",
		 &ev);
	ck_assert_int_eq(ev.kind, CHARON_IKE_FAIL);
	ck_assert_uint_eq(ev.ike, 9);
	ck_assert_str_eq(ev.fail.alert, "parse-error");
	ck_assert_str_eq(ev.fail.exchange, "main-mode");
	ck_assert(ev.fail.encrypted);
	ck_assert_str_eq(ev.fail.notify, "");
	ck_assert(ev.fail.has_remote);
	ck_assert(ev.ike_sa.has_addresses);
	ck_assert_uint_eq(ev.ike_sa.version, 1);
	assert_v4(&ev.ike_sa.remote, "203.0.113.7", 4500);
	ck_assert(!ev.ike_sa.nat_local);
	ck_assert(ev.ike_sa.nat_remote);

	/* no IKE SA, no local address: the remote one is enough */
	parse_ok("ike-fail alert=proposal-child notify=NO_PROPOSAL_CHOSEN "
		 "remote=2001:db8::7 remote-id=C=CH,%20CN=client",
		 &ev);
	ck_assert_uint_eq(ev.ike, 0);
	ck_assert_str_eq(ev.fail.alert, "proposal-child");
	ck_assert_str_eq(ev.fail.notify, "NO_PROPOSAL_CHOSEN");
	ck_assert_str_eq(ev.fail.exchange, "");
	ck_assert(!ev.fail.encrypted);
	ck_assert(ev.fail.has_remote);
	ck_assert(!ev.ike_sa.has_addresses);
	assert_v6(&ev.ike_sa.remote, "2001:db8::7", 0);
	ck_assert_str_eq(ev.ike_sa.remote_id, "C=CH, CN=client");

	/* an alert this l2tpsrv does not know is still taken (diagnose shows it) */
	parse_ok("ike-fail alert=something-new remote=192.0.2.9", &ev);
	ck_assert_str_eq(ev.fail.alert, "something-new");
}
END_TEST

/* hello: proto= and the plugin's version. */
START_TEST(hello_fields)
{
	struct charon_event ev;

	parse_ok("hello proto=1 version=0.3-rc1 charon=5.9.8", &ev);
	ck_assert_uint_eq(ev.proto, 1);
	ck_assert_str_eq(ev.version, "0.3-rc1");
	ck_assert(!ev.requests);
	parse_ok("hello proto=7", &ev);
	ck_assert_uint_eq(ev.proto, 7);
	ck_assert_str_eq(ev.version, "");
	/* the hello of a plugin that takes requests, as its link sends it */
	parse_ok("hello proto=1 version=0.3 charon=5.9.8 requests=1", &ev);
	ck_assert(ev.requests);
	parse_ok("hello proto=1 requests=0", &ev);
	ck_assert(!ev.requests);
	refused("hello proto=1 requests=yes", "bad value for requests");
}
END_TEST

/* Without the optional fields: ikev 0, no addresses, remote-ports the whole range. */
START_TEST(defaults_when_not_given)
{
	struct charon_event ev;

	parse_ok("child-down ike=5 child=7", &ev);
	ck_assert(!ev.ike_sa.has_addresses);
	ck_assert_uint_eq(ev.ike_sa.version, 0);
	ck_assert_int_eq(ev.ike_sa.local.ss_family, 0);
	ck_assert_int_eq(ev.ike_sa.remote.ss_family, 0);
	ck_assert_uint_eq(ev.child_sa.port_lo, 0);
	ck_assert_uint_eq(ev.child_sa.port_hi, 65535);
	ck_assert(!ev.child_sa.transport);
	parse_ok("child-up ike=1 child=2 local=192.0.2.1 remote=192.0.2.2 mode=tunnel", &ev);
	ck_assert(ev.ike_sa.has_addresses);
	assert_v4(&ev.ike_sa.local, "192.0.2.1", 0); /* no port given */
	assert_v4(&ev.ike_sa.remote, "192.0.2.2", 0);
	ck_assert(!ev.child_sa.transport);
	ck_assert_uint_eq(ev.child_sa.port_lo, 0);
	ck_assert_uint_eq(ev.child_sa.port_hi, 65535);
	/* a second parse into the same event starts from scratch */
	parse_ok("sync-end", &ev);
	ck_assert(!ev.ike_sa.has_addresses);
	ck_assert_uint_eq(ev.ike, 0);
	ck_assert_uint_eq(ev.child_sa.port_hi, 65535);
}
END_TEST

/* IPv6 addresses, with ports given before the address they belong to. */
START_TEST(ipv6_addresses)
{
	struct charon_event ev;

	parse_ok("ike-up ike=3 local-port=500 remote-port=1 local=2001:db8::1 "
		 "remote=2001:db8:0:ff::abcd ikev=2",
		 &ev);
	ck_assert(ev.ike_sa.has_addresses);
	ck_assert_uint_eq(ev.ike_sa.version, 2);
	assert_v6(&ev.ike_sa.local, "2001:db8::1", 500);
	assert_v6(&ev.ike_sa.remote, "2001:db8:0:ff::abcd", 1);
	/* v4-mapped is an IPv6 address as far as the record goes */
	parse_ok("ike-up ike=3 local=::ffff:192.0.2.1 local-port=65535 remote=192.0.2.9 "
		 "remote-port=0",
		 &ev);
	assert_v6(&ev.ike_sa.local, "::ffff:192.0.2.1", 65535);
	assert_v4(&ev.ike_sa.remote, "192.0.2.9", 0);
}
END_TEST

/* %XX escapes are undone (upper-case per the spec); '=' in a value is kept as is. */
START_TEST(percent_decoding)
{
	struct charon_event ev;

	parse_ok("ike-up ike=1 local=192.0.2.1 remote=192.0.2.2 "
		 "remote-id=100%25%20sure eap-id=a=b==c xauth-id=%41%7E%7e%2A name=%C3%A9",
		 &ev);
	ck_assert_str_eq(ev.ike_sa.remote_id, "100% sure");
	ck_assert_str_eq(ev.ike_sa.eap_id, "a=b==c");
	ck_assert_str_eq(ev.ike_sa.xauth_id, "A~~*");
	ck_assert_str_eq(ev.child_sa.name, "\xc3\xa9"); /* bytes, not characters */
	/* an escape may stand for any byte but NUL */
	parse_ok("ike-up ike=1 local=192.0.2.1 remote=192.0.2.2 cert=%01%FF%0A", &ev);
	ck_assert_str_eq(ev.ike_sa.cert, "\x01\xff\n");
	/* an escaped value is decoded before it is read as a number or address */
	parse_ok("ike-up ike=%31%32 local=192%2E0.2.1 remote=192.0.2.2", &ev);
	ck_assert_uint_eq(ev.ike, 12);
	assert_v4(&ev.ike_sa.local, "192.0.2.1", 0);
	/* an empty value is an empty string */
	parse_ok("ike-up ike=1 local=192.0.2.1 remote=192.0.2.2 remote-id=", &ev);
	ck_assert_str_eq(ev.ike_sa.remote_id, "");
}
END_TEST

/* Keys it does not know are skipped, whatever they hold; the last of a repeated key wins. */
START_TEST(unknown_keys_are_ignored)
{
	struct charon_event ev;

	parse_ok("child-down future=1 ike=5 x-y-z=%20%25 child=7 =nameless a==", &ev);
	ck_assert_int_eq(ev.kind, CHARON_CHILD_DOWN);
	ck_assert_uint_eq(ev.ike, 5);
	ck_assert_uint_eq(ev.child, 7);
	parse_ok("child-down ike=5 child=7 ike=6", &ev);
	ck_assert_uint_eq(ev.ike, 6);
	/* keys are case-sensitive: IKE= is some other key */
	refused("child-down IKE=5 child=7", "child-down without ike=");
}
END_TEST

/* The longest values that fit their fields (size - 1 bytes) are taken. */
START_TEST(values_up_to_the_field_size)
{
	char line[1024];
	char id[CHARON_ID_MAX], name[CHARON_NAME_MAX];
	struct charon_event ev;

	memset(id, 'i', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(line, sizeof(line), "child-up ike=1 child=2 local=192.0.2.1 remote=192.0.2.2 "
		 "remote-id=%s name=%s", id, name);
	parse_ok(line, &ev);
	ck_assert_str_eq(ev.ike_sa.remote_id, id);
	ck_assert_str_eq(ev.child_sa.name, name);
	/* an escape counts as the one byte it stands for */
	snprintf(line, sizeof(line), "ike-down ike=1 cert=%%25%s", id + 1);
	parse_ok(line, &ev);
	ck_assert_uint_eq(strlen(ev.ike_sa.cert), CHARON_ID_MAX - 1);
	ck_assert_int_eq(ev.ike_sa.cert[0], '%');
}
END_TEST

/* A record of exactly CHARON_MSG_MAX bytes is taken (its padding in an unknown key). */
START_TEST(record_of_the_maximum_size)
{
	static char line[CHARON_MSG_MAX + 2];
	static const char head[] = "ike-down ike=4 pad=";
	struct charon_event ev;

	memcpy(line, head, strlen(head));
	memset(line + strlen(head), 'x', CHARON_MSG_MAX - strlen(head));
	line[CHARON_MSG_MAX] = '\0';
	parse_ok(line, &ev);
	ck_assert_uint_eq(ev.ike, 4);
	line[CHARON_MSG_MAX] = 'x';
	line[CHARON_MSG_MAX + 1] = '\0';
	refused(line, "record of 4097 bytes");
}
END_TEST

/* ---- what it refuses, and why ---- */

/* Events it does not know: the name (up to 32 bytes) in the reason. */
START_TEST(unknown_event)
{
	refused("child-upp ike=1 child=2", "unknown event 'child-upp'");
	refused("CHILD-UP ike=1 child=2", "unknown event 'CHILD-UP'");
	refused("child-up=1", "unknown event 'child-up=1'");
	refused(" sync-begin", "unknown event ''");
	refused("an-event-name-well-over-thirty-two-bytes-long x=1",
		"unknown event 'an-event-name-well-over-thirty-t'");
}
END_TEST

/* Each event without one of the keys needs() asks for, in needs()'s order. */
START_TEST(missing_required_keys)
{
	static const char *const cases[][2] = {
		{ "hello version=1", "hello without proto=" },
		{ "ike-up local=192.0.2.1 remote=192.0.2.2", "ike-up without ike=" },
		{ "ike-up ike=1", "ike-up without local= and remote=" },
		{ "ike-up ike=1 local=192.0.2.1", "ike-up without local= and remote=" },
		{ "ike-up ike=1 remote=192.0.2.2 local-port=500 remote-port=500",
		  "ike-up without local= and remote=" },
		{ "ike-update ike=1 remote=192.0.2.2", "ike-update without local= and remote=" },
		{ "ike-update local=192.0.2.1 remote=192.0.2.2", "ike-update without ike=" },
		{ "ike-down", "ike-down without ike=" },
		{ "ike-down child=3", "ike-down without ike=" },
		{ "ike-rekey new=2 local=192.0.2.1 remote=192.0.2.2", "ike-rekey without ike=" },
		{ "ike-rekey ike=1 local=192.0.2.1 remote=192.0.2.2", "ike-rekey without new=" },
		{ "ike-rekey ike=1 new=2", "ike-rekey without local= and remote=" },
		{ "child-up child=2 local=192.0.2.1 remote=192.0.2.2", "child-up without ike=" },
		{ "child-up ike=1 local=192.0.2.1 remote=192.0.2.2", "child-up without child=" },
		{ "child-up ike=1 child=2", "child-up without local= and remote=" },
		{ "child-up", "child-up without ike=" },
		{ "child-down ike=1", "child-down without child=" },
		{ "child-down child=1", "child-down without ike=" },
		{ "child-rekey ike=1 new=3 local=192.0.2.1 remote=192.0.2.2",
		  "child-rekey without child=" },
		{ "child-rekey ike=1 child=2 local=192.0.2.1 remote=192.0.2.2",
		  "child-rekey without new=" },
		{ "child-rekey ike=1 child=2 new=3", "child-rekey without local= and remote=" },
		{ "child-migrate ike=1", "child-migrate without child=" },
		{ "child-migrate child=1", "child-migrate without ike=" },
		{ "ike-fail remote=192.0.2.2", "ike-fail without alert=" },
		{ "ike-fail ike=1 alert=timeout", "ike-fail without remote=" },
		{ "ike-fail alert=timeout local=192.0.2.1", "ike-fail without remote=" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refused(cases[i][0], cases[i][1]);
}
END_TEST

/* Values that do not say what their key needs: "bad value for KEY". */
START_TEST(bad_values)
{
	static const char *const cases[][2] = {
		{ "ike-down ike=0", "ike" },
		{ "ike-down ike=abc", "ike" },
		{ "ike-down ike=", "ike" },
		{ "ike-down ike=-1", "ike" },
		{ "ike-down ike=+1", "ike" },
		{ "ike-down ike=1x", "ike" },
		{ "ike-down ike=%201", "ike" },
		{ "ike-down ike=4294967296", "ike" },
		{ "child-down ike=1 child=0", "child" },
		{ "ike-rekey ike=1 new=0 local=192.0.2.1 remote=192.0.2.2", "new" },
		{ "hello proto=one", "proto" },
		{ "ike-down ike=1 ikev=3", "ikev" },
		{ "ike-down ike=1 ikev=0", "ikev" },
		{ "ike-down ike=1 local=192.0.2.256", "local" },
		{ "ike-down ike=1 remote=example.org", "remote" },
		{ "ike-down ike=1 remote=2001:db8::1%25eth0", "remote" },
		{ "ike-down ike=1 local-port=65536", "local-port" },
		{ "ike-down ike=1 remote-port=65536", "remote-port" },
		{ "ike-down ike=1 remote-port=-1", "remote-port" },
		{ "ike-down ike=1 nat-local=yes", "nat-local" },
		{ "ike-down ike=1 nat-remote=2", "nat-remote" },
		{ "ike-down ike=1 nat-remote=", "nat-remote" },
		{ "ike-down ike=1 nat-remote=01", "nat-remote" },
		{ "ike-down ike=1 mode=foo", "mode" },
		{ "ike-down ike=1 mode=Transport", "mode" },
		{ "ike-down ike=1 reqid=x", "reqid" },
		{ "ike-down ike=1 spi-in=1234567", "spi-in" },
		{ "ike-down ike=1 spi-in=123456789", "spi-in" },
		{ "ike-down ike=1 spi-in=1234567g", "spi-in" },
		{ "ike-down ike=1 spi-out=", "spi-out" },
		{ "ike-down ike=1 spi-out=-1234567", "spi-out" },
		{ "ike-down ike=1 mark-in=5", "mark-in" },
		{ "ike-down ike=1 mark-in=/ff", "mark-in" },
		{ "ike-down ike=1 mark-in=5/", "mark-in" },
		{ "ike-down ike=1 mark-out=5/xyz", "mark-out" },
		{ "ike-down ike=1 mark-out=100000000/0", "mark-out" },
		{ "ike-down ike=1 remote-ports=9-1", "remote-ports" },
		{ "ike-down ike=1 remote-ports=1701", "remote-ports" },
		{ "ike-down ike=1 remote-ports=-1701", "remote-ports" },
		{ "ike-down ike=1 remote-ports=1701-", "remote-ports" },
		{ "ike-down ike=1 remote-ports=0-65536", "remote-ports" },
		{ "ike-down ike=1 remote-ports=a-b", "remote-ports" },
		{ "ike-fail alert= remote=192.0.2.2", "alert" },
		{ "ike-fail alert=timeout remote=192.0.2.2 encrypted=yes", "encrypted" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "bad value for %s", cases[i][1]);
		refused(cases[i][0], want);
	}
}
END_TEST

/* The edges of the number ranges are taken. */
START_TEST(number_edges)
{
	struct charon_event ev;

	parse_ok("child-up ike=4294967295 child=1 local=192.0.2.1 remote=192.0.2.2 "
		 "remote-port=65535 local-port=0 remote-ports=0-65535 spi-in=ffffffff "
		 "spi-out=00000000 mark-in=ffffffff/FFFFFFFF reqid=4294967295",
		 &ev);
	ck_assert_uint_eq(ev.ike, UINT32_MAX);
	assert_v4(&ev.ike_sa.remote, "192.0.2.2", 65535);
	ck_assert_uint_eq(ev.child_sa.port_lo, 0);
	ck_assert_uint_eq(ev.child_sa.port_hi, 65535);
	ck_assert_uint_eq(ev.child_sa.spi_in, UINT32_MAX);
	ck_assert_uint_eq(ev.child_sa.spi_out, 0);
	ck_assert_uint_eq(ev.child_sa.mark_in, UINT32_MAX);
	ck_assert_uint_eq(ev.child_sa.mark_in_mask, UINT32_MAX);
	ck_assert_uint_eq(ev.child_sa.reqid, UINT32_MAX);
	parse_ok("child-down ike=1 child=1 remote-ports=1024-1024", &ev);
	ck_assert_uint_eq(ev.child_sa.port_lo, 1024);
	ck_assert_uint_eq(ev.child_sa.port_hi, 1024);
}
END_TEST

/* Malformed escapes, and %00: "bad escape in KEY". */
START_TEST(bad_escapes)
{
	refused("ike-down ike=1 remote-id=%G1", "bad escape in remote-id");
	refused("ike-down ike=1 remote-id=%1G", "bad escape in remote-id");
	refused("ike-down ike=1 remote-id=abc%4", "bad escape in remote-id");
	refused("ike-down ike=1 remote-id=abc%", "bad escape in remote-id");
	refused("ike-down ike=1 remote-id=%", "bad escape in remote-id");
	refused("ike-down ike=1 remote-id=a%00b", "bad escape in remote-id");
	refused("ike-down ike=1 cert=%%41", "bad escape in cert");
	/* the escape is checked for keys it does not know too */
	refused("ike-down ike=1 future=%zz", "bad escape in future");
	/* an escape cut by the end of the record, with a hex digit just past its end */
	{
		static const char rec[] = "ike-down ike=1 remote-id=abc%4F";
		struct charon_event ev;

		ck_assert_int_eq(charon_msg_parse((const uint8_t *)rec, sizeof(rec) - 2, &ev, err,
						  sizeof(err)),
				 -EINVAL);
		ck_assert_str_eq(err, "bad escape in remote-id");
	}
	/* a raw NUL inside a value is no better than %00 */
	{
		static const char rec[] = "ike-down ike=1 remote-id=a\0b";
		struct charon_event ev;

		ck_assert_int_eq(charon_msg_parse((const uint8_t *)rec, sizeof(rec) - 1, &ev, err,
						  sizeof(err)),
				 -EINVAL);
		ck_assert_str_eq(err, "bad escape in remote-id");
	}
}
END_TEST

/* Values longer than their field are refused, not cut. */
START_TEST(values_longer_than_their_field)
{
	char line[1024], v[400];

	memset(v, 'r', 300);
	v[300] = '\0';
	snprintf(line, sizeof(line), "ike-up ike=1 local=192.0.2.1 remote=192.0.2.2 remote-id=%s",
		 v);
	refused(line, "bad value for remote-id");
	/* one byte over */
	v[CHARON_ID_MAX] = '\0';
	snprintf(line, sizeof(line), "ike-down ike=1 eap-id=%s", v);
	refused(line, "bad value for eap-id");
	snprintf(line, sizeof(line), "ike-down ike=1 xauth-id=%s", v);
	refused(line, "bad value for xauth-id");
	snprintf(line, sizeof(line), "ike-down ike=1 cert=%s", v);
	refused(line, "bad value for cert");
	v[CHARON_NAME_MAX] = '\0';
	snprintf(line, sizeof(line), "child-down ike=1 child=2 name=%s", v);
	refused(line, "bad value for name");
	snprintf(line, sizeof(line), "hello proto=1 version=%s", v);
	refused(line, "bad value for version");
}
END_TEST

/* Records that are not EVENT KEY=VALUE ...: no '=', stray spaces, empty, too long. */
START_TEST(malformed_records)
{
	static uint8_t big[CHARON_MSG_MAX + 1];
	struct charon_event ev;

	refused("ike-down ike=1 garbage", "'garbage' is not KEY=VALUE");
	refused("ike-down garbage ike=1", "'garbage' is not KEY=VALUE");
	refused("ike-down ike=1  child=2", "'' is not KEY=VALUE"); /* two spaces */
	refused("ike-down ike=1 ", "'' is not KEY=VALUE");          /* trailing space */
	refused("sync-begin ", "'' is not KEY=VALUE");
	refused("ike-down ike=1 a-token-without-equals-of-more-than-32-bytes",
		"'a-token-without-equals-of-more-t' is not KEY=VALUE");
	refused("", "record of 0 bytes");
	memset(big, 'x', sizeof(big));
	memcpy(big, "sync-end", 8);
	ck_assert_int_eq(charon_msg_parse(big, sizeof(big), &ev, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "record of 4097 bytes");
	ck_assert_int_eq(charon_msg_parse(big, 100000, &ev, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "record of 100000 bytes");
}
END_TEST

/* The reason is cut to the caller's buffer, never written past it. */
START_TEST(short_error_buffer)
{
	static const char line[] = "no-such-event";
	char small[8 + 4];
	struct charon_event ev;

	memset(small, '#', sizeof(small));
	ck_assert_int_eq(charon_msg_parse((const uint8_t *)line, strlen(line), &ev, small, 8),
			 -EINVAL);
	ck_assert_str_eq(small, "unknown");
	for (size_t i = 8; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], '#');
}
END_TEST

/* ---- the requests l2tpsrv writes ---- */

static void terminate_is(uint32_t ike, const char *reason, const char *want)
{
	char buf[CHARON_MSG_MAX + 1];
	int len = charon_msg_terminate_ike(buf, sizeof(buf), ike, reason);

	ck_assert_msg(len >= 0, "terminate-ike %u \"%s\" gave %d", ike, reason, len);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(len, (int)strlen(want));
}

/* terminate-ike: the id in decimal, the reason escaped like every value. */
START_TEST(terminate_ike_records)
{
	/* as l2tpsrv_msg_test.c parses it */
	terminate_is(5, "RADIUS Disconnect-Request",
		     "terminate-ike ike=5 reason=RADIUS%20Disconnect-Request");
	terminate_is(UINT32_MAX, "a=b 100% \"x\"\t\n\x7f\xc3\xa9~",
		     "terminate-ike ike=4294967295 reason=a=b%20100%25%20\"x\"%09%0A%7F%C3%A9~");
	terminate_is(1, "", "terminate-ike ike=1 reason=");
	terminate_is(1, NULL, "terminate-ike ike=1 reason=");
}
END_TEST

/* It refuses ike 0 and whatever does not fit, and never writes past size. */
START_TEST(terminate_ike_bounds)
{
	static const char head[] = "terminate-ike ike=7 reason=";
	static char reason[CHARON_MSG_MAX + 1];
	static char buf[CHARON_MSG_MAX + 1 + 16];
	size_t room = CHARON_MSG_MAX - strlen(head);

	ck_assert_int_eq(charon_msg_terminate_ike(buf, sizeof(buf), 0, "x"), -EINVAL);
	/* exactly CHARON_MSG_MAX bytes, then one more */
	memset(reason, 'r', room);
	reason[room] = '\0';
	ck_assert_int_eq(charon_msg_terminate_ike(buf, CHARON_MSG_MAX + 1, 7, reason),
			 CHARON_MSG_MAX);
	ck_assert_uint_eq(strlen(buf), CHARON_MSG_MAX);
	reason[room] = 'r';
	reason[room + 1] = '\0';
	ck_assert_int_eq(charon_msg_terminate_ike(buf, sizeof(buf), 7, reason), -EMSGSIZE);
	/* an escape counts three bytes: one too many, then an exact fit */
	reason[room - 2] = ' ';
	reason[room - 1] = '\0';
	ck_assert_int_eq(charon_msg_terminate_ike(buf, sizeof(buf), 7, reason), -EMSGSIZE);
	reason[room - 3] = ' ';
	reason[room - 2] = '\0';
	ck_assert_int_eq(charon_msg_terminate_ike(buf, sizeof(buf), 7, reason), CHARON_MSG_MAX);
	/* the caller's size holds: the NUL included, nothing written past it */
	for (size_t size = 0; size <= strlen(head) + 6; size++) {
		/* "a b" is "a%20b" */
		int want = size > strlen(head) + 5 ? (int)strlen(head) + 5 : -EMSGSIZE;

		memset(buf, '#', sizeof(buf));
		ck_assert_int_eq(charon_msg_terminate_ike(buf, size, 7, "a b"), want);
		for (size_t i = size; i < sizeof(buf); i++)
			ck_assert_int_eq(buf[i], '#');
	}
}
END_TEST

/* ---- random input ---- */

/* A small fixed-seed generator, the same on every libc. */
static uint32_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* The result is 0 or -EINVAL; a reason comes with -EINVAL; every string stays in its field. */
static void check_outcome(const uint8_t *buf, size_t len, unsigned int *accepted)
{
	struct charon_event ev;
	char e[128];
	int r;

	memset(e, 0x55, sizeof(e));
	r = charon_msg_parse(buf, len, &ev, e, sizeof(e));
	ck_assert_msg(r == 0 || r == -EINVAL, "returned %d", r);
	if (r < 0) {
		ck_assert_uint_gt(strnlen(e, sizeof(e)), 0);
		ck_assert_uint_lt(strnlen(e, sizeof(e)), sizeof(e));
		return;
	}
	(*accepted)++;
	ck_assert(ev.kind >= CHARON_HELLO && ev.kind <= CHARON_IKE_FAIL);
	ck_assert_uint_lt(strnlen(ev.version, sizeof(ev.version)), sizeof(ev.version));
	ck_assert_uint_lt(strnlen(ev.ike_sa.remote_id, CHARON_ID_MAX), CHARON_ID_MAX);
	ck_assert_uint_lt(strnlen(ev.ike_sa.eap_id, CHARON_ID_MAX), CHARON_ID_MAX);
	ck_assert_uint_lt(strnlen(ev.ike_sa.xauth_id, CHARON_ID_MAX), CHARON_ID_MAX);
	ck_assert_uint_lt(strnlen(ev.ike_sa.cert, CHARON_ID_MAX), CHARON_ID_MAX);
	ck_assert_uint_lt(strnlen(ev.child_sa.name, CHARON_NAME_MAX), CHARON_NAME_MAX);
	ck_assert_uint_le(ev.child_sa.port_lo, ev.child_sa.port_hi);
	ck_assert_uint_lt(strnlen(ev.fail.alert, CHARON_NAME_MAX), CHARON_NAME_MAX);
	ck_assert_uint_lt(strnlen(ev.fail.exchange, CHARON_NAME_MAX), CHARON_NAME_MAX);
	ck_assert_uint_lt(strnlen(ev.fail.notify, CHARON_NAME_MAX), CHARON_NAME_MAX);
	if (ev.kind == CHARON_IKE_FAIL)
		ck_assert(ev.fail.alert[0] && ev.fail.has_remote);
	else if (ev.kind != CHARON_HELLO && ev.kind != CHARON_SYNC_BEGIN &&
		 ev.kind != CHARON_SYNC_END)
		ck_assert_uint_ne(ev.ike, 0);
}

/* Random bytes and random edits of a good record: never a crash, only 0 or -EINVAL. */
START_TEST(random_input_never_crashes)
{
	static const char *const seeds[] = {
		CHILD_UP,
		"child-rekey ike=5 child=7 new=8 " IKE_FIELDS " " CHILD_FIELDS,
		"ike-up ike=3 local=2001:db8::1 local-port=500 remote=2001:db8::2 remote-port=500",
		"hello proto=1 version=0.3",
		"child-down ike=5 child=7",
		"ike-fail ike=9 alert=parse-error exchange=main-mode encrypted=1 remote=203.0.113.7",
	};
	static uint8_t buf[CHARON_MSG_MAX + 64];
	static const char alphabet[] = "%=- 0123456789abcdefABCDEFGxz.:/";
	unsigned int accepted = 0;

	rng_state = 0x2545f491u;
	/* random bytes, of every length up to a little past the limit */
	for (int i = 0; i < 2000; i++) {
		size_t len = rnd() % (i % 10 == 0 ? sizeof(buf) : 64);

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		check_outcome(buf, len, &accepted);
	}
	/* random edits of good records, from a few bytes to many */
	for (int i = 0; i < 6000; i++) {
		const char *seed = seeds[rnd() % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t len = strlen(seed);
		int edits = 1 + (int)(rnd() % 8);

		memcpy(buf, seed, len);
		for (int e = 0; e < edits; e++) {
			size_t at = len ? rnd() % len : 0;

			switch (rnd() % 5) {
			case 0: /* any byte */
				if (len)
					buf[at] = (uint8_t)rnd();
				break;
			case 1: /* a byte that matters to the syntax */
				if (len)
					buf[at] = (uint8_t)alphabet[rnd() % (sizeof(alphabet) - 1)];
				break;
			case 2: /* cut */
				len = at;
				break;
			case 3: /* delete one */
				if (len) {
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				}
				break;
			case 4: /* insert a run */
			{
				size_t n = rnd() % 300;

				if (len + n > sizeof(buf))
					n = sizeof(buf) - len;
				memmove(buf + at + n, buf + at, len - at);
				for (size_t k = 0; k < n; k++)
					buf[at + k] = (uint8_t)alphabet[rnd() % (sizeof(alphabet) - 1)];
				len += n;
				break;
			}
			}
		}
		check_outcome(buf, len, &accepted);
	}
	/* the edits kept some records good: the loop did reach past the first checks */
	ck_assert_uint_gt(accepted, 100);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("charon_msg");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("bad");
	TCase *requests = tcase_create("requests");
	TCase *fuzz = tcase_create("fuzz");

	tcase_add_test(good, child_up_every_field);
	tcase_add_test(good, every_event_kind);
	tcase_add_test(good, ike_fail_fields);
	tcase_add_test(good, hello_fields);
	tcase_add_test(good, defaults_when_not_given);
	tcase_add_test(good, ipv6_addresses);
	tcase_add_test(good, percent_decoding);
	tcase_add_test(good, unknown_keys_are_ignored);
	tcase_add_test(good, values_up_to_the_field_size);
	tcase_add_test(good, record_of_the_maximum_size);
	tcase_add_test(good, number_edges);
	suite_add_tcase(s, good);
	tcase_add_test(bad, unknown_event);
	tcase_add_test(bad, missing_required_keys);
	tcase_add_test(bad, bad_values);
	tcase_add_test(bad, bad_escapes);
	tcase_add_test(bad, values_longer_than_their_field);
	tcase_add_test(bad, malformed_records);
	tcase_add_test(bad, short_error_buffer);
	suite_add_tcase(s, bad);
	tcase_add_test(requests, terminate_ike_records);
	tcase_add_test(requests, terminate_ike_bounds);
	suite_add_tcase(s, requests);
	tcase_set_timeout(fuzz, 60);
	tcase_add_test(fuzz, random_input_never_crashes);
	suite_add_tcase(s, fuzz);
	return check_run_tap(s);
}
