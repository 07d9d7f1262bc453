/*
 * Tests of the RADIUS keys of the configuration file: radius_auth_server,
 * radius_acct_server, radius_timeout, radius_retries, radius_dead_time,
 * radius_nas_identifier, radius_nas_ip.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_test.h"

/* never to appear in a message or the dump */
#define RSECRET "Rad1usSw0rd"

static void assert_server(const struct radius_server_config *s, int family, const char *addr,
			  unsigned int port, const char *secret)
{
	char buf[INET6_ADDRSTRLEN];

	ck_assert_int_eq(s->addr.ss_family, family);
	if (family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&s->addr;

		ck_assert_uint_eq(s->addr_len, sizeof(*sin));
		ck_assert_uint_eq(ntohs(sin->sin_port), port);
		ck_assert_str_eq(inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf)), addr);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&s->addr;

		ck_assert_uint_eq(s->addr_len, sizeof(*sin6));
		ck_assert_uint_eq(ntohs(sin6->sin6_port), port);
		ck_assert_str_eq(inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf)), addr);
	}
	ck_assert_str_eq(s->secret, secret);
}

START_TEST(radius_defaults_are_as_documented)
{
	struct l2tpsrv_config c;

	config_defaults(&c);
	ck_assert_uint_eq(c.radius.n_auth, 0);
	ck_assert_uint_eq(c.radius.n_acct, 0);
	ck_assert_uint_eq(c.radius.timeout_ms, 3000);
	ck_assert_uint_eq(c.radius.retries, 2);
	ck_assert_uint_eq(c.radius.dead_time_s, 30);
	ck_assert_str_eq(c.radius_nas_identifier, c.host_name);
	ck_assert_uint_eq(c.radius_nas_ip, 0);
}
END_TEST

START_TEST(radius_keys_are_accepted)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "radius_auth_server = 192.0.2.10 " RSECRET "\n"
				   "radius_auth_server = [2001:db8::10]:11812 two words  \n"
				   "radius_auth_server = \"192.0.2.11:1645 with # inside\"\n"
				   "radius_auth_server = [2001:db8::11]\t" RSECRET "  # comment\n"
				   "radius_acct_server = 192.0.2.10 acct-" RSECRET "\n"
				   "radius_acct_server = 192.0.2.10:1646 x\n"
				   "radius_timeout = 300ms\n"
				   "radius_retries = 0\n"
				   "radius_dead_time = 2m\n"
				   "radius_nas_identifier = nas-7\n"
				   "radius_nas_ip = 192.0.2.1\n"
				   "radius_acct_interim = 5m\n"
				   "radius_dae_client = 192.0.2.20 dae-" RSECRET "\n"
				   "radius_dae_port = 1700\n"
				   "radius_dae_terminate_ike = no\n"),
			 0);
	ck_assert_uint_eq(c.radius.n_auth, 4);
	assert_server(&c.radius.auth[0], AF_INET, "192.0.2.10", 1812, RSECRET);
	assert_server(&c.radius.auth[1], AF_INET6, "2001:db8::10", 11812, "two words");
	assert_server(&c.radius.auth[2], AF_INET, "192.0.2.11", 1645, "with # inside");
	assert_server(&c.radius.auth[3], AF_INET6, "2001:db8::11", 1812, RSECRET);
	ck_assert_uint_eq(c.radius.n_acct, 2);
	assert_server(&c.radius.acct[0], AF_INET, "192.0.2.10", 1813, "acct-" RSECRET);
	assert_server(&c.radius.acct[1], AF_INET, "192.0.2.10", 1646, "x");
	ck_assert_uint_eq(c.radius.timeout_ms, 300);
	ck_assert_uint_eq(c.radius.retries, 0);
	ck_assert_uint_eq(c.radius.dead_time_s, 120);
	ck_assert_str_eq(c.radius_nas_identifier, "nas-7");
	ck_assert_uint_eq(c.radius_nas_ip, htonl(0xc0000201));
	ck_assert_uint_eq(c.radius_acct_interim_s, 300);
	ck_assert_uint_eq(c.radius_dae.n_clients, 1);
	assert_server(&c.radius_dae.clients[0], AF_INET, "192.0.2.20", 3799, "dae-" RSECRET);
	ck_assert_uint_eq(c.radius_dae.port, 1700);
	ck_assert(!c.radius_dae_terminate_ike);

	/* the longest secret; 0.0.0.0 sends no NAS-IP-Address; no dead time */
	ck_assert_int_eq(parse(&c, "radius_auth_server = 127.0.0.1 "
				   "0123456789012345678901234567890123456789012345678901234567890123"
				   "012345678901234567890123456789012345678901234567890123456789012\n"
				   "radius_nas_ip = 0.0.0.0\n"
				   "radius_dead_time = 0\n"),
			 0);
	ck_assert_uint_eq(strlen(c.radius.auth[0].secret), RADIUS_MAX_SECRET - 1);
	ck_assert_uint_eq(c.radius_nas_ip, 0);
	ck_assert_uint_eq(c.radius.dead_time_s, 0);
}
END_TEST

START_TEST(the_first_server_line_replaces_the_list)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "radius_auth_server = 192.0.2.1 a\n"
				   "radius_auth_server = 192.0.2.2 b\n"),
			 0);
	ck_assert_int_eq(config_parse(&c, NAME, "radius_auth_server = 192.0.2.3 c\n", err,
				      sizeof(err)),
			 0);
	ck_assert_uint_eq(c.radius.n_auth, 1);
	assert_server(&c.radius.auth[0], AF_INET, "192.0.2.3", 1812, "c");
	ck_assert_uint_eq(c.radius.auth[1].addr.ss_family, 0);
	ck_assert_str_eq(c.radius.auth[1].secret, "");
	/* and a text without server lines keeps them */
	ck_assert_int_eq(config_parse(&c, NAME, "radius_retries = 1", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.radius.n_auth, 1);
}
END_TEST

START_TEST(bad_radius_values)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "radius_auth_server = 127.0.0.1:99999 s", NAME ":1: bad port after \"127.0.0.1\" "
							  "in radius_auth_server (1..65535)" },
		{ "radius_acct_server = [::1]:0 s",
		  NAME ":1: bad port after \"[::1]\" in radius_acct_server (1..65535)" },
		{ "\nradius_auth_server = 127.0.0.1",
		  NAME ":2: radius_auth_server 127.0.0.1:1812 has no secret (HOST[:PORT] SECRET)" },
		{ "radius_acct_server = [2001:db8::1]:1646   ",
		  NAME ":1: radius_acct_server [2001:db8::1]:1646 has no secret (HOST[:PORT] SECRET)" },
		{ "radius_auth_server =", NAME ":1: bad address in radius_auth_server (HOST[:PORT] "
					  "SECRET, HOST an IPv4 address or an IPv6 one in brackets)" },
		{ "radius_auth_server = radius.example.net s",
		  NAME ":1: bad address in radius_auth_server (HOST[:PORT] SECRET, HOST an IPv4 "
		       "address or an IPv6 one in brackets)" },
		{ "radius_auth_server = 2001:db8::1 s",
		  NAME ":1: bad address in radius_auth_server: write IPv6 in brackets, as in "
		       "[2001:db8::1]:1812" },
		{ "radius_auth_server = 127.0.0.1 a\nradius_auth_server = 127.0.0.1:1812 b",
		  NAME ":2: duplicate radius_auth_server 127.0.0.1:1812" },
		{ "radius_auth_server = 127.0.0.1 "
		  "0123456789012345678901234567890123456789012345678901234567890123"
		  "0123456789012345678901234567890123456789012345678901234567890123",
		  NAME ":1: radius_auth_server 127.0.0.1:1812: secret too long (at most 127 "
		       "octets)" },
		{ "radius_auth_server = \"127.0.0.1 a\tb\"",
		  NAME ":1: radius_auth_server 127.0.0.1:1812: control character in the secret" },
		{ "radius_timeout = 5ms",
		  NAME ":1: duration \"5ms\" out of range for radius_timeout (10ms..1m)" },
		{ "radius_timeout = 2m",
		  NAME ":1: duration \"2m\" out of range for radius_timeout (10ms..1m)" },
		{ "radius_retries = 11", NAME ":1: number \"11\" out of range for radius_retries "
					 "(0..10)" },
		{ "radius_dead_time = 1500ms", NAME ":1: duration \"1500ms\" for radius_dead_time is "
					       "not a whole number of seconds" },
		{ "radius_dead_time = 2h",
		  NAME ":1: duration \"2h\" out of range for radius_dead_time (0..1h)" },
		{ "radius_nas_ip = 192.0.2", NAME ":1: bad address \"192.0.2\" for radius_nas_ip" },
		{ "radius_nas_ip = ::1", NAME ":1: bad address \"::1\" for radius_nas_ip" },
		{ "radius_nas_identifier = ", NAME ":1: radius_nas_identifier is empty" },
		{ "radius_nas_ip = 192.0.2.1\nradius_nas_ip = 192.0.2.2",
		  NAME ":2: duplicate key \"radius_nas_ip\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].text, cases[i].message);
}
END_TEST

START_TEST(at_most_four_servers_of_each_kind)
{
	struct l2tpsrv_config c;
	char text[1024] = "";

	for (int i = 1; i <= RADIUS_MAX_SERVERS; i++) {
		char line[96];

		snprintf(line, sizeof(line), "radius_auth_server = 192.0.2.%d " RSECRET "\n"
					     "radius_acct_server = 192.0.2.%d " RSECRET "\n",
			 i, i);
		strcat(text, line);
	}
	ck_assert_int_eq(parse(&c, text), 0);
	ck_assert_uint_eq(c.radius.n_auth, RADIUS_MAX_SERVERS);
	ck_assert_uint_eq(c.radius.n_acct, RADIUS_MAX_SERVERS);
	strcat(text, "radius_acct_server = 192.0.2.99 " RSECRET "\n");
	assert_rejected(text, NAME ":9: too many radius_acct_server lines (at most 4)");
	ck_assert_ptr_null(strstr(err, RSECRET));
}
END_TEST

START_TEST(server_secrets_are_never_in_a_message)
{
	static const char *const texts[] = {
		/* no host: the secret alone must not come back as a bad address */
		"radius_auth_server = " RSECRET,
		"radius_auth_server = " RSECRET " more",
		"radius_acct_server = 127.0.0.1:" RSECRET,
		"radius_auth_server = 127.0.0.1:" RSECRET " x",
		"radius_auth_server = [::1" RSECRET " x",
		"radius_auth_server = 127.0.0.1 " RSECRET "#x",
		"radius_auth_server = \"127.0.0.1 " RSECRET,
		"radius_auth_server = \"127.0.0.1 " RSECRET "\\q\"",
		"radius_auth_server = \"127.0.0.1 " RSECRET "\" trailing",
		"radius_auth_server = 127.0.0.1 " RSECRET "\nradius_auth_server = 127.0.0.1 " RSECRET,
		"radius_auth_server = 127.0.0.1 " RSECRET "\x01",
		"radius_auth_server = 127.0.0.1 " RSECRET "0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789012345678",
		"radius_auth_server = 127.0.0.1 " RSECRET "\nradius_nas_ip = x",
	};
	struct l2tpsrv_config c;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_int_eq(parse(&c, texts[i]), -EINVAL);
		ck_assert_msg(strncmp(err, NAME ":", strlen(NAME ":")) == 0, "no message: %s", err);
		ck_assert_msg(strstr(err, RSECRET) == NULL, "secret in \"%s\"", err);
		ck_assert_msg(strstr(err, "Sw0") == NULL, "part of the secret in \"%s\"", err);
	}
	assert_rejected("radius_auth_server = 127.0.0.1 " RSECRET "#x",
			NAME ":1: bad radius_auth_server: \"#\" in an unquoted value; quote the "
			     "value, or put a space before a comment");
}
END_TEST

START_TEST(radius_keys_in_the_dump)
{
	struct l2tpsrv_config c, back;
	char *s;

	ck_assert_int_eq(parse(&c, "radius_auth_server = 192.0.2.10 " RSECRET "\n"
				   "radius_auth_server = [2001:db8::1]:1645 " RSECRET "\n"
				   "radius_timeout = 1500ms\n"
				   "radius_dead_time = 90s\n"
				   "radius_nas_ip = 192.0.2.1\n"
				   "radius_acct_interim = 5m\n"
				   "radius_dae_client = 192.0.2.20 dae-" RSECRET "\n"
				   "radius_dae_port = 1700\n"
				   "radius_dae_terminate_ike = no\n"),
			 0);
	s = dump_to_string(&c);
	ck_assert_ptr_null(strstr(s, RSECRET));
	ck_assert_ptr_nonnull(strstr(s, "\n# radius_auth_server = 192.0.2.10:1812 (secret set, 11 "
					"octets)\n# radius_auth_server = [2001:db8::1]:1645 (secret "
					"set, 11 octets)\n# radius_acct_server = (none)\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nradius_timeout = 1500ms\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nradius_retries = 2\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nradius_dead_time = 90s\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nradius_nas_ip = 192.0.2.1\n"));
	free(s);

	/* without servers (their secrets are not written) it reads back */
	ck_assert_int_eq(parse(&c, "radius_timeout = 250ms\n"
				   "radius_retries = 10\n"
				   "radius_dead_time = 0\n"
				   "radius_nas_identifier = \"nas #1\"\n"),
			 0);
	s = dump_to_string(&c);
	ck_assert_ptr_nonnull(strstr(s, "\n# radius_nas_ip = (not sent)\n"));
	config_defaults(&back);
	ck_assert_msg(config_parse(&back, "dump", s, err, sizeof(err)) == 0, "%s", err);
	ck_assert(memcmp(&c, &back, sizeof(c)) == 0);
	free(s);
}
END_TEST

START_TEST(the_nas_identifier_follows_host_name)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "host_name = gw1\n"), 0);
	ck_assert_str_eq(c.radius_nas_identifier, "gw1");
	ck_assert_int_eq(parse(&c, "radius_nas_identifier = nas7\nhost_name = gw1\n"), 0);
	ck_assert_str_eq(c.radius_nas_identifier, "nas7");
	ck_assert_str_eq(c.host_name, "gw1");
	/* loaded over settings where it was set apart: it stays */
	ck_assert_int_eq(config_parse(&c, NAME, "host_name = gw2\n", err, sizeof(err)), 0);
	ck_assert_str_eq(c.radius_nas_identifier, "nas7");
	/* and where it was not: it follows */
	ck_assert_int_eq(parse(&c, "host_name = gw1\n"), 0);
	ck_assert_int_eq(config_parse(&c, NAME, "host_name = gw2\n", err, sizeof(err)), 0);
	ck_assert_str_eq(c.radius_nas_identifier, "gw2");
}
END_TEST

void config_test_add_radius(TCase *tc)
{
	tcase_add_test(tc, radius_defaults_are_as_documented);
	tcase_add_test(tc, radius_keys_are_accepted);
	tcase_add_test(tc, the_first_server_line_replaces_the_list);
	tcase_add_test(tc, bad_radius_values);
	tcase_add_test(tc, at_most_four_servers_of_each_kind);
	tcase_add_test(tc, server_secrets_are_never_in_a_message);
	tcase_add_test(tc, radius_keys_in_the_dump);
	tcase_add_test(tc, the_nas_identifier_follows_host_name);
}
