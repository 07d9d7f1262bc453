/*
 * Tests of the configuration file parser: its syntax and the general keys.
 * The PPP and address keys are tested in config_test_ppp.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "check_tap.h"
#include "config.h"
#include "config_test.h"
#include "log.h"

#ifndef EXAMPLE_CONF
#error "define EXAMPLE_CONF as the path of packaging/l2tpsrv.conf.example"
#endif

#define SECRET_WORD "Sw0rdf1sh"

static char *read_text(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	ck_assert_uint_lt(n, sizeof(buf) - 1);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A temporary file holding len octets of text; its path is in path. */
static void write_temp(char path[64], const char *text, size_t len)
{
	int fd;

	snprintf(path, 64, "/tmp/config_test.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void assert_v4(const struct config_listen *l, const char *addr, unsigned int port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&l->addr;
	char buf[INET_ADDRSTRLEN];

	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(l->addr_len, sizeof(*sin));
	ck_assert_uint_eq(ntohs(sin->sin_port), port);
	ck_assert_str_eq(inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf)), addr);
}

static void assert_v6(const struct config_listen *l, const char *addr, unsigned int port)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&l->addr;
	char buf[INET6_ADDRSTRLEN];

	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(l->addr_len, sizeof(*sin6));
	ck_assert_uint_eq(ntohs(sin6->sin6_port), port);
	ck_assert_str_eq(inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf)), addr);
}

START_TEST(defaults_are_as_documented)
{
	struct l2tpsrv_config c;
	char host[256] = "";

	config_defaults(&c);
	ck_assert_uint_eq(c.n_listen, 1);
	assert_v4(&c.listen[0], "0.0.0.0", 1701);
	ck_assert_uint_gt(strlen(c.host_name), 0);
	ck_assert_uint_lt(strlen(c.host_name), CONFIG_MAX_HOST_NAME);
	if (gethostname(host, sizeof(host) - 1) == 0 && host[0] && strlen(host) < 64)
		ck_assert_str_eq(c.host_name, host);
	else
		ck_assert_str_eq(c.host_name, "l2tpsrv");
	ck_assert_uint_eq(c.secret_len, 0);
	ck_assert(!c.hide_avps);
	ck_assert_uint_eq(c.hello_interval_usec, 60000000);
	ck_assert_uint_eq(c.retransmit_initial_usec, 1000000);
	ck_assert_uint_eq(c.retransmit_max_usec, 8000000);
	ck_assert_uint_eq(c.retransmit_count, 5);
	ck_assert_uint_eq(c.ack_delay_usec, 200000);
	ck_assert_uint_eq(c.receive_window, 16);
	ck_assert_uint_eq(c.max_tunnels, 10000);
	ck_assert_uint_eq(c.max_sessions, 20000);
	ck_assert_uint_eq(c.max_tunnels_per_peer, 16);
	ck_assert_uint_eq(c.max_sessions_per_tunnel, 256);
	ck_assert_str_eq(c.pppd_options, "/etc/ppp/options.l2tpsrv");
	ck_assert_str_eq(c.pppd_plugin, CONFIG_DEFAULT_PPPD_PLUGIN);
	ck_assert_str_eq(c.control_socket, "/run/l2tpsrv/control");
	ck_assert_int_eq(c.log_level, LOG_INFO);
}
END_TEST

START_TEST(empty_and_comment_only_texts_give_the_defaults)
{
	static const char *const texts[] = {
		"", "\n\n", "# nothing\n", "   \t\n  # indented comment\n\t\n",
		"# no newline at the end", "\r\n# crlf\r\n",
	};
	struct l2tpsrv_config c;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_int_eq(parse(&c, texts[i]), 0);
		ck_assert(equals_defaults(&c));
		ck_assert_str_eq(err, "");
	}
}
END_TEST

START_TEST(every_key_is_accepted)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "listen = 192.0.2.1\n"
				   "listen = [2001:db8::1]:1702\n"
				   "host_name = gw1.example.net\n"
				   "secret = s3cret\n"
				   "hide_avps = yes\n"
				   "hello_interval = 30s\n"
				   "retransmit_initial = 500ms\n"
				   "retransmit_max = 2m\n"
				   "retransmit_count = 7\n"
				   "ack_delay = 0\n"
				   "receive_window = 1024\n"
				   "max_tunnels = 0\n"
				   "max_sessions = 10000000\n"
				   "max_tunnels_per_peer = 65535\n"
				   "max_sessions_per_tunnel = 1\n"
				   "pppd_options = /etc/l2tpsrv/ppp-options\n"
				   "control_socket = /run/l2tpsrv/ctl.sock\n"
				   "log_level = debug\n"),
			 0);
	ck_assert_uint_eq(c.n_listen, 2);
	assert_v4(&c.listen[0], "192.0.2.1", 1701);
	assert_v6(&c.listen[1], "2001:db8::1", 1702);
	ck_assert_str_eq(c.host_name, "gw1.example.net");
	ck_assert_uint_eq(c.secret_len, 6);
	ck_assert(memcmp(c.secret, "s3cret", 6) == 0);
	ck_assert(c.hide_avps);
	ck_assert_uint_eq(c.hello_interval_usec, 30000000);
	ck_assert_uint_eq(c.retransmit_initial_usec, 500000);
	ck_assert_uint_eq(c.retransmit_max_usec, 120000000);
	ck_assert_uint_eq(c.retransmit_count, 7);
	ck_assert_uint_eq(c.ack_delay_usec, 0);
	ck_assert_uint_eq(c.receive_window, 1024);
	ck_assert_uint_eq(c.max_tunnels, 0);
	ck_assert_uint_eq(c.max_sessions, 10000000);
	ck_assert_uint_eq(c.max_tunnels_per_peer, 65535);
	ck_assert_uint_eq(c.max_sessions_per_tunnel, 1);
	ck_assert_str_eq(c.pppd_options, "/etc/l2tpsrv/ppp-options");
	ck_assert_str_eq(c.control_socket, "/run/l2tpsrv/ctl.sock");
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
}
END_TEST

START_TEST(whitespace_and_comments_around_values)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "\t max_tunnels\t=\t42 \t# trailing comment\n"
				   "max_sessions=7\n"
				   "host_name = two words   \n"
				   "control_socket = \"/run/with # hash\" # comment\n"
				   "receive_window = \"32\"\n"
				   "hello_interval = # empty means... an error\n"),
			 -EINVAL);
	ck_assert_str_eq(err, NAME ":6: bad duration \"\" for hello_interval");
	ck_assert_int_eq(parse(&c, "\t max_tunnels\t=\t42 \t# trailing comment\n"
				   "max_sessions=7\n"
				   "host_name = two words   \n"
				   "control_socket = \"/run/with # hash\"# comment\n"
				   "receive_window = \"32\"\n"),
			 0);
	ck_assert_uint_eq(c.max_tunnels, 42);
	ck_assert_uint_eq(c.max_sessions, 7);
	ck_assert_str_eq(c.host_name, "two words");
	ck_assert_str_eq(c.control_socket, "/run/with # hash");
	ck_assert_uint_eq(c.receive_window, 32);
}
END_TEST

START_TEST(durations_take_units)
{
	static const struct {
		const char *text;
		uint64_t usec;
	} cases[] = {
		{ "hello_interval = 250ms", 250000 },	 { "hello_interval = 5", 5000000 },
		{ "hello_interval = 5s", 5000000 },	 { "hello_interval = 10m", 600000000 },
		{ "hello_interval = 1h", 3600000000 },	 { "hello_interval = 24h", 86400000000 },
		{ "hello_interval = 0", 0 },		 { "hello_interval = 0ms", 0 },
		{ "hello_interval = 007s", 7000000 },
	};
	struct l2tpsrv_config c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(parse(&c, cases[i].text), 0);
		ck_assert_uint_eq(c.hello_interval_usec, cases[i].usec);
	}
	ck_assert_int_eq(parse(&c, "retransmit_initial = 1ms\nretransmit_max = 1h\n"), 0);
	ck_assert_uint_eq(c.retransmit_initial_usec, 1000);
	ck_assert_uint_eq(c.retransmit_max_usec, 3600000000);
	ck_assert_int_eq(parse(&c, "retransmit_initial = 3s\nretransmit_max = 3000ms\n"), 0);
	ck_assert_int_eq(parse(&c, "ack_delay = 10s"), 0);
	ck_assert_uint_eq(c.ack_delay_usec, 10000000);
}
END_TEST

START_TEST(booleans_and_log_levels)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES", "True" };
	static const char *const no[] = { "no", "false", "off", "0", "No", "OFF" };
	static const struct {
		const char *name;
		int prio;
	} levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },	  { "WARNING", LOG_WARNING },
	};
	struct l2tpsrv_config c;
	char text[128];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "secret = x\nhide_avps = %s\n", yes[i]);
		ck_assert_int_eq(parse(&c, text), 0);
		ck_assert(c.hide_avps);
		snprintf(text, sizeof(text), "hide_avps = %s\n", no[i]);
		ck_assert_int_eq(parse(&c, text), 0);
		ck_assert(!c.hide_avps);
	}
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		snprintf(text, sizeof(text), "log_level = %s", levels[i].name);
		ck_assert_int_eq(parse(&c, text), 0);
		ck_assert_int_eq(c.log_level, levels[i].prio);
	}
}
END_TEST

START_TEST(bad_values_are_rejected_with_the_input_quoted)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "listen = 192.0.2.300", NAME ":1: bad listen address \"192.0.2.300\"" },
		{ "listen = vpn.example.com", NAME ":1: bad listen address \"vpn.example.com\"" },
		{ "listen =", NAME ":1: bad listen address \"\"" },
		{ "listen = 192.0.2.1:0",
		  NAME ":1: bad port \"0\" in listen \"192.0.2.1:0\" (1..65535)" },
		{ "listen = 192.0.2.1:65536",
		  NAME ":1: bad port \"65536\" in listen \"192.0.2.1:65536\" (1..65535)" },
		{ "listen = 192.0.2.1:", NAME ":1: bad port \"\" in listen \"192.0.2.1:\" (1..65535)" },
		{ "listen = [::]:x", NAME ":1: bad port \"x\" in listen \"[::]:x\" (1..65535)" },
		{ "listen = 2001:db8::1",
		  NAME ":1: bad listen address \"2001:db8::1\": write IPv6 in brackets, "
		       "as in [2001:db8::1]:1701" },
		{ "listen = [2001:db8::1", NAME ":1: bad listen address \"[2001:db8::1\"" },
		{ "listen = [2001:db8::1]1701", NAME ":1: bad listen address \"[2001:db8::1]1701\"" },
		{ "listen = [192.0.2.1]", NAME ":1: bad listen address \"[192.0.2.1]\"" },
		{ "host_name =", NAME ":1: host_name is empty" },
		{ "host_name = 0123456789012345678901234567890123456789012345678901234567890123",
		  NAME ":1: value too long for host_name (at most 63 characters)" },
		{ "host_name = \"a\tb\"", NAME ":1: bad host_name \"a\\x09b\": control character" },
		{ "secret = \"\"", NAME ":1: bad secret: empty" },
		{ "hide_avps = maybe", NAME ":1: bad boolean \"maybe\" for hide_avps (yes or no)" },
		{ "hello_interval = 5 parsecs",
		  NAME ":1: bad duration \"5 parsecs\" for hello_interval" },
		{ "hello_interval = 1.5s", NAME ":1: bad duration \"1.5s\" for hello_interval" },
		{ "hello_interval = -1", NAME ":1: bad duration \"-1\" for hello_interval" },
		{ "hello_interval = 5 s", NAME ":1: bad duration \"5 s\" for hello_interval" },
		{ "hello_interval = s", NAME ":1: bad duration \"s\" for hello_interval" },
		{ "hello_interval = 25h",
		  NAME ":1: duration \"25h\" out of range for hello_interval (0..24h)" },
		{ "hello_interval = 99999999999999999999h",
		  NAME ":1: duration \"99999999999999999999h\" out of range for hello_interval "
		       "(0..24h)" },
		{ "hello_interval = 9999999999999999h",
		  NAME ":1: duration \"9999999999999999h\" out of range for hello_interval "
		       "(0..24h)" },
		{ "retransmit_initial = 0",
		  NAME ":1: duration \"0\" out of range for retransmit_initial (1ms..1h)" },
		{ "retransmit_initial = 2h",
		  NAME ":1: duration \"2h\" out of range for retransmit_initial (1ms..1h)" },
		{ "retransmit_max = 0ms",
		  NAME ":1: duration \"0ms\" out of range for retransmit_max (1ms..1h)" },
		{ "retransmit_count = 0",
		  NAME ":1: number \"0\" out of range for retransmit_count (1..32)" },
		{ "retransmit_count = 33",
		  NAME ":1: number \"33\" out of range for retransmit_count (1..32)" },
		{ "ack_delay = 11s", NAME ":1: duration \"11s\" out of range for ack_delay (0..10s)" },
		{ "ack_delay = 5x", NAME ":1: bad duration \"5x\" for ack_delay" },
		{ "receive_window = 0",
		  NAME ":1: number \"0\" out of range for receive_window (1..1024)" },
		{ "receive_window = 1025",
		  NAME ":1: number \"1025\" out of range for receive_window (1..1024)" },
		{ "receive_window = 0x10", NAME ":1: bad number \"0x10\" for receive_window" },
		{ "receive_window = -1", NAME ":1: bad number \"-1\" for receive_window" },
		{ "receive_window = +1", NAME ":1: bad number \"+1\" for receive_window" },
		{ "receive_window = 99999999999999999999999",
		  NAME ":1: number \"99999999999999999999999\" out of range for receive_window "
		       "(1..1024)" },
		{ "max_tunnels = 65536",
		  NAME ":1: number \"65536\" out of range for max_tunnels (0..65535)" },
		{ "max_sessions = 10000001",
		  NAME ":1: number \"10000001\" out of range for max_sessions (0..10000000)" },
		{ "max_tunnels_per_peer = 65536",
		  NAME ":1: number \"65536\" out of range for max_tunnels_per_peer (0..65535)" },
		{ "max_sessions_per_tunnel = 65536",
		  NAME ":1: number \"65536\" out of range for max_sessions_per_tunnel (0..65535)" },
		{ "max_sessions_per_tunnel =", NAME ":1: bad number \"\" for max_sessions_per_tunnel" },
		{ "control_socket = run/l2tpsrv",
		  NAME ":1: bad control_socket \"run/l2tpsrv\": not an absolute path" },
		{ "control_socket = ", NAME ":1: control_socket is empty" },
		{ "log_level = verbose",
		  NAME ":1: bad log level \"verbose\" for log_level (error, warning, notice, info "
		       "or debug)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].text, cases[i].message);
}
END_TEST

START_TEST(pppd_options_is_an_absolute_path)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "pppd_options = \"/etc/ppp/options l2tp\"\n"), 0);
	ck_assert_str_eq(c.pppd_options, "/etc/ppp/options l2tp");
	assert_rejected("pppd_options = options.l2tpsrv",
			NAME ":1: bad pppd_options \"options.l2tpsrv\": not an absolute path");
	assert_rejected("pppd_options =", NAME ":1: pppd_options is empty");
}
END_TEST

START_TEST(long_values_are_rejected)
{
	char text[512];
	struct l2tpsrv_config c;

	snprintf(text, sizeof(text), "control_socket = /%0107d", 0);
	assert_rejected(text, NAME ":1: value too long for control_socket (at most 107 characters)");
	snprintf(text, sizeof(text), "control_socket = /%0106d", 0);
	ck_assert_int_eq(parse(&c, text), 0);
	ck_assert_uint_eq(strlen(c.control_socket), 107);

	snprintf(text, sizeof(text), "host_name = %063d", 0);
	ck_assert_int_eq(parse(&c, text), 0);
	ck_assert_uint_eq(strlen(c.host_name), 63);

	snprintf(text, sizeof(text), "secret = %0257d", 0);
	assert_rejected(text, NAME ":1: bad secret: too long (at most 256 octets)");
	snprintf(text, sizeof(text), "secret = %0256d", 0);
	ck_assert_int_eq(parse(&c, text), 0);
	ck_assert_uint_eq(c.secret_len, 256);

	/* a long unknown key is quoted only in part */
	snprintf(text, sizeof(text), "%0100d = 1", 0);
	assert_rejected(text, NAME ":1: unknown key "
				   "\"0000000000000000000000000000000000000000000000000000000000000000\"...");
}
END_TEST

START_TEST(syntax_errors)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "# 1\n\n# 3\n\n\n# 6\nrecieve_window = 32\n",
		  NAME ":7: unknown key \"recieve_window\"" },
		{ "Listen = 192.0.2.1", NAME ":1: unknown key \"Listen\"" },
		{ "host name = x", NAME ":1: unknown key \"host name\"" },
		{ "max_tunnels = 1\nlisten 192.0.2.1\n", NAME ":2: line without \"=\"" },
		{ " = 5", NAME ":1: no key before \"=\"" },
		{ "host_name = \"abc", NAME ":1: no closing quote in value of host_name" },
		{ "host_name = \"abc\\\"", NAME ":1: no closing quote in value of host_name" },
		{ "host_name = \"a\\nb\"",
		  NAME ":1: bad escape \"\\\\n\" in value of host_name (only \\\" and \\\\ are "
		       "allowed)" },
		{ "host_name = \"abc\" def",
		  NAME ":1: text after the closing quote in value of host_name: \"def\"" },
		{ "max_tunnels = 5#x",
		  NAME ":1: \"#\" in unquoted value \"5#x\" of max_tunnels; quote the value, or put "
		       "a space before a comment" },
		{ "secret = a\nsecret = b\n", NAME ":2: duplicate key \"secret\"" },
		{ "max_tunnels = 1\nmax_tunnels = 1\n", NAME ":2: duplicate key \"max_tunnels\"" },
		{ "listen = 192.0.2.1\nlisten = 192.0.2.1:1701\n",
		  NAME ":2: duplicate listen \"192.0.2.1:1701\"" },
		{ "listen = [::]\nlisten = [0::0]:1701\n", NAME ":2: duplicate listen \"[0::0]:1701\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].text, cases[i].message);
}
END_TEST

START_TEST(listen_forms)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "listen = 192.0.2.1\n"
				   "listen = 192.0.2.1:1701x\n"),
			 -EINVAL);
	ck_assert_int_eq(parse(&c, "listen = 192.0.2.1\n"
				   "listen = 192.0.2.2:1701\n"
				   "listen = [2001:db8::1]:1701\n"
				   "listen = [::]\n"
				   "listen = 0.0.0.0:1702\n"
				   "listen = [::ffff:192.0.2.9]:65535\n"
				   "listen = 192.0.2.3:1\n"),
			 0);
	ck_assert_uint_eq(c.n_listen, 7);
	assert_v4(&c.listen[0], "192.0.2.1", 1701);
	assert_v4(&c.listen[1], "192.0.2.2", 1701);
	assert_v6(&c.listen[2], "2001:db8::1", 1701);
	assert_v6(&c.listen[3], "::", 1701);
	assert_v4(&c.listen[4], "0.0.0.0", 1702);
	assert_v6(&c.listen[5], "::ffff:192.0.2.9", 65535);
	assert_v4(&c.listen[6], "192.0.2.3", 1);
}
END_TEST

START_TEST(the_first_listen_replaces_the_default)
{
	struct l2tpsrv_config c, empty;

	ck_assert_int_eq(parse(&c, "listen = 192.0.2.1:1702"), 0);
	ck_assert_uint_eq(c.n_listen, 1);
	assert_v4(&c.listen[0], "192.0.2.1", 1702);
	/* the default itself may be named again */
	ck_assert_int_eq(parse(&c, "listen = 0.0.0.0\nlisten = [::]\n"), 0);
	ck_assert_uint_eq(c.n_listen, 2);
	assert_v4(&c.listen[0], "0.0.0.0", 1701);
	assert_v6(&c.listen[1], "::", 1701);
	/* the list is replaced whole: nothing of the old entries is left behind */
	ck_assert_int_eq(config_parse(&c, NAME, "listen = 192.0.2.7", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_listen, 1);
	assert_v4(&c.listen[0], "192.0.2.7", 1701);
	memset(&empty, 0, sizeof(empty));
	ck_assert(memcmp(&c.listen[1], &empty.listen[1], sizeof(c.listen[1])) == 0);
}
END_TEST

START_TEST(at_most_eight_listen_lines)
{
	char text[1024] = "";
	struct l2tpsrv_config c;

	for (int i = 1; i <= CONFIG_MAX_LISTEN; i++) {
		char line[64];

		snprintf(line, sizeof(line), "listen = 192.0.2.%d\n", i);
		strcat(text, line);
	}
	ck_assert_int_eq(parse(&c, text), 0);
	ck_assert_uint_eq(c.n_listen, CONFIG_MAX_LISTEN);
	strcat(text, "listen = 192.0.2.99\n");
	assert_rejected(text, NAME ":9: too many listen lines (at most 8)");
}
END_TEST

START_TEST(quoted_secrets)
{
	static const char want[] = "a # b \"c\" \\ d ";
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "secret = \"a # b \\\"c\\\" \\\\ d \"  # comment\n"), 0);
	ck_assert_uint_eq(c.secret_len, sizeof(want) - 1);
	ck_assert(memcmp(c.secret, want, sizeof(want) - 1) == 0);
	/* unquoted: inner spaces are kept, outer ones trimmed */
	ck_assert_int_eq(parse(&c, "secret =   two words  \n"), 0);
	ck_assert_uint_eq(c.secret_len, 9);
	ck_assert(memcmp(c.secret, "two words", 9) == 0);
	/* octets beyond ASCII are taken as they are */
	ck_assert_int_eq(parse(&c, "secret = \"\xc3\xa9t\xc3\xa9\"\n"), 0);
	ck_assert_uint_eq(c.secret_len, 5);
}
END_TEST

START_TEST(the_secret_is_never_in_a_message)
{
	static const char *const texts[] = {
		"secret = \"" SECRET_WORD,
		"secret = \"" SECRET_WORD "\\q\"",
		"secret = \"" SECRET_WORD "\" " SECRET_WORD,
		"secret = " SECRET_WORD "#x",
		"secret = " SECRET_WORD "\nsecret = " SECRET_WORD "\n",
		"secret = " SECRET_WORD "\nhide_avps = maybe\n",
		"secret " SECRET_WORD "\n",
		SECRET_WORD "\n",
		"secret = " SECRET_WORD
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789",
	};
	struct l2tpsrv_config c;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_int_eq(parse(&c, texts[i]), -EINVAL);
		ck_assert_msg(strncmp(err, NAME ":", strlen(NAME ":")) == 0, "no message: %s", err);
		ck_assert_msg(strstr(err, SECRET_WORD) == NULL, "secret in \"%s\"", err);
		ck_assert_msg(strstr(err, "Sw0") == NULL, "part of the secret in \"%s\"", err);
	}
	assert_rejected("secret = \"" SECRET_WORD, NAME ":1: bad secret: no closing quote");
	assert_rejected("secret = " SECRET_WORD "#x",
			NAME ":1: bad secret: \"#\" in an unquoted value; quote the secret, or put "
			     "a space before a comment");
}
END_TEST

START_TEST(the_secret_is_masked_in_the_dump)
{
	struct l2tpsrv_config c;
	char *s;

	ck_assert_int_eq(parse(&c, "secret = " SECRET_WORD "\nhide_avps = yes\n"), 0);
	s = dump_to_string(&c);
	ck_assert_ptr_null(strstr(s, SECRET_WORD));
	ck_assert_ptr_nonnull(strstr(s, "\n# secret = (set, 9 octets)\n"));
	free(s);

	config_defaults(&c);
	s = dump_to_string(&c);
	ck_assert_ptr_nonnull(strstr(s, "\n# secret = (not set)\n"));
	free(s);
}
END_TEST

START_TEST(the_dump_reads_back)
{
	static const char *const keys[] = {
		"listen",	  "host_name",		"hide_avps",	      "hello_interval",
		"retransmit_initial", "retransmit_max", "retransmit_count",   "ack_delay",
		"receive_window", "max_tunnels",	"max_sessions",	      "max_tunnels_per_peer",
		"max_sessions_per_tunnel", "pppd_options", "pppd_plugin", "pool", "local_ip", "ppp_mtu",
		"ppp_mru", "ppp_auth", "mss_clamp", "dataplane", "nat_datapath", "control_socket", "charon_socket",
		"allow_unencrypted", "radius_timeout", "radius_retries", "radius_dead_time",
		"radius_nas_identifier", "metrics_allow_remote", "log_level",
	};
	struct l2tpsrv_config c, back;
	char *s;

	ck_assert_int_eq(parse(&c, "listen = 192.0.2.1:1702\n"
				   "listen = [2001:db8::5]\n"
				   "host_name = \"gw #1\"\n"
				   "hello_interval = 90s\n"
				   "retransmit_initial = 1500ms\n"
				   "retransmit_max = 1h\n"
				   "ack_delay = 0\n"
				   "max_sessions = 0\n"
				   "control_socket = \"/run/a \\\"b\\\"\"\n"
				   "metrics = [::1]:9101\n"
				   "log_level = notice\n"),
			 0);
	s = dump_to_string(&c);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s = ", keys[i]);
		ck_assert_msg(strstr(s, want) != NULL, "%s missing from the dump", keys[i]);
	}
	ck_assert_ptr_nonnull(strstr(s, "listen = 192.0.2.1:1702\nlisten = [2001:db8::5]:1701\n"));
	ck_assert_ptr_nonnull(strstr(s, "hello_interval = 90s\n"));
	ck_assert_ptr_nonnull(strstr(s, "retransmit_initial = 1500ms\n"));
	config_defaults(&back);
	ck_assert_msg(config_parse(&back, "dump", s, err, sizeof(err)) == 0, "%s", err);
	ck_assert(memcmp(&c, &back, sizeof(c)) == 0);
	free(s);
}
END_TEST

START_TEST(hide_avps_needs_a_secret)
{
	struct l2tpsrv_config c;

	assert_rejected("# x\nhide_avps = yes\n", NAME ":2: hide_avps needs a secret");
	ck_assert_int_eq(parse(&c, "hide_avps = yes\nsecret = x\n"), 0);
	ck_assert(c.hide_avps);
	/* set before the text was read: no line to name */
	config_defaults(&c);
	c.hide_avps = true;
	ck_assert_int_eq(config_parse(&c, NAME, "", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ": hide_avps needs a secret");
}
END_TEST

START_TEST(retransmit_max_is_not_below_retransmit_initial)
{
	struct l2tpsrv_config c;

	assert_rejected("retransmit_max = 2s\nretransmit_initial = 4s\n",
			NAME ":2: retransmit_max (2s) is less than retransmit_initial (4s)");
	assert_rejected("retransmit_initial = 4s\n\nretransmit_max = 2500ms\n",
			NAME ":3: retransmit_max (2500ms) is less than retransmit_initial (4s)");
	/* against the default retransmit_max of 8s */
	assert_rejected("retransmit_initial = 10s\n",
			NAME ":1: retransmit_max (8s) is less than retransmit_initial (10s)");
	config_defaults(&c);
	c.retransmit_initial_usec = 20000000;
	ck_assert_int_eq(config_parse(&c, NAME, "# nothing", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ": retransmit_max (8s) is less than retransmit_initial (20s)");
}
END_TEST

#define NOT_LOOPBACK " is not a loopback address: the metrics page has no authentication " \
			  "(metrics_allow_remote = yes serves it there)"
#define FORMS "(ADDRESS:PORT, as in 127.0.0.1:9101 or [::1]:9101)"

START_TEST(metrics_listens_on_loopback_unless_allowed)
{
	struct l2tpsrv_config c;
	char *s;

	config_defaults(&c);
	ck_assert_uint_eq(c.metrics.addr_len, 0); /* off */
	ck_assert(!c.metrics_allow_remote);
	ck_assert_int_eq(parse(&c, "metrics = 127.0.0.1:9101\n"), 0);
	assert_v4(&c.metrics, "127.0.0.1", 9101);
	ck_assert_int_eq(parse(&c, "metrics = [::1]:9101\n"), 0);
	assert_v6(&c.metrics, "::1", 9101);
	ck_assert_int_eq(parse(&c, "metrics = 127.7.0.1:80\n"), 0);
	/* anywhere else, only when allowed; named on the later of the two lines */
	assert_rejected("# x\nmetrics = 0.0.0.0:9101\n", NAME ":2: metrics 0.0.0.0:9101" NOT_LOOPBACK);
	assert_rejected("metrics = [2001:db8::1]:9101\nmetrics_allow_remote = no\n",
			NAME ":2: metrics [2001:db8::1]:9101" NOT_LOOPBACK);
	assert_rejected("metrics = [::ffff:192.0.2.1]:9101\n",
			NAME ":1: metrics [::ffff:192.0.2.1]:9101" NOT_LOOPBACK);
	ck_assert_int_eq(parse(&c, "metrics_allow_remote = yes\nmetrics = 192.0.2.1:9101\n"), 0);
	assert_v4(&c.metrics, "192.0.2.1", 9101);
	ck_assert(c.metrics_allow_remote);
	/* what is not ADDRESS:PORT */
	assert_rejected("metrics = 127.0.0.1\n", NAME ":1: metrics \"127.0.0.1\" has no port " FORMS);
	assert_rejected("metrics = localhost:9101\n",
			NAME ":1: bad metrics address \"localhost:9101\" " FORMS);
	assert_rejected("metrics = ::1:9101\n", NAME ":1: bad metrics address \"::1:9101\": write "
						  "IPv6 in brackets, as in 127.0.0.1:9101 or [::1]:9101");
	assert_rejected("metrics = 127.0.0.1:0\n",
			NAME ":1: bad port \"0\" in metrics \"127.0.0.1:0\" (1..65535)");
	assert_rejected("metrics = 127.0.0.1:1\nmetrics = 127.0.0.1:2\n",
			NAME ":2: duplicate key \"metrics\"");
	/* the dump */
	ck_assert_int_eq(parse(&c, "metrics = [::1]:9101\n"), 0);
	s = dump_to_string(&c);
	ck_assert_ptr_nonnull(strstr(s, "\nmetrics = [::1]:9101\nmetrics_allow_remote = no\n"));
	free(s);
	config_defaults(&c);
	s = dump_to_string(&c);
	ck_assert_ptr_nonnull(strstr(s, "\n# metrics = (off)\nmetrics_allow_remote = no\n"));
	free(s);
}
END_TEST

START_TEST(crlf_line_endings_and_a_byte_order_mark)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "\xef\xbb\xbf# from Windows\r\n"
				   "listen = 192.0.2.1:1702\r\n"
				   "secret = \"x y\"\r\n"
				   "hide_avps = yes\r\n"
				   "max_tunnels = 5\r\n"
				   "host_name = gw\r\n"
				   "\r\n"),
			 0);
	assert_v4(&c.listen[0], "192.0.2.1", 1702);
	ck_assert_uint_eq(c.secret_len, 3);
	ck_assert(memcmp(c.secret, "x y", 3) == 0);
	ck_assert(c.hide_avps);
	ck_assert_uint_eq(c.max_tunnels, 5);
	ck_assert_str_eq(c.host_name, "gw");
	assert_rejected("\r\n\r\nbogus = 1\r\n", NAME ":3: unknown key \"bogus\"");
}
END_TEST

START_TEST(long_lines)
{
	static char text[4200];
	struct l2tpsrv_config c;

	memset(text, ' ', 4096);
	text[0] = '#';
	strcpy(text + 4096, "\r\nmax_tunnels = 3\n");
	ck_assert_int_eq(parse(&c, text), 0);
	ck_assert_uint_eq(c.max_tunnels, 3);
	memset(text, ' ', 4097);
	text[0] = '#';
	strcpy(text + 4097, "\nmax_tunnels = 3\n");
	assert_rejected(text, NAME ":1: line too long (more than 4096 characters)");
	memmove(text + 16, text, 4097 + 18);
	memcpy(text, "max_tunnels = 1\n", 16);
	assert_rejected(text, NAME ":2: line too long (more than 4096 characters)");
}
END_TEST

START_TEST(nothing_is_half_applied)
{
	struct l2tpsrv_config c, before;

	assert_rejected("listen = 192.0.2.1\n"
			"secret = x\n"
			"hide_avps = yes\n"
			"max_tunnels = 5\n"
			"log_level = debug\n"
			"receive_window = 0\n",
			NAME ":6: number \"0\" out of range for receive_window (1..1024)");
	/* loading over something other than the defaults keeps that, too */
	ck_assert_int_eq(parse(&c, "max_tunnels = 9\nsecret = k\n"), 0);
	memcpy(&before, &c, sizeof(c));
	ck_assert_int_eq(config_parse(&c, NAME, "max_sessions = 1\nlisten = [::]\nbad\n", err,
				      sizeof(err)),
			 -EINVAL);
	ck_assert(memcmp(&c, &before, sizeof(c)) == 0);
	/* and a good parse over it changes only what the text names */
	ck_assert_int_eq(config_parse(&c, NAME, "max_sessions = 1\n", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.max_sessions, 1);
	ck_assert_uint_eq(c.max_tunnels, 9);
	ck_assert_uint_eq(c.secret_len, 1);
}
END_TEST

START_TEST(a_missing_or_short_error_buffer_is_fine)
{
	struct l2tpsrv_config c;
	char small[8];

	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, NAME, "bogus = 1", NULL, 0), -EINVAL);
	ck_assert_int_eq(config_parse(&c, NAME, "bogus = 1", small, sizeof(small)), -EINVAL);
	ck_assert_str_eq(small, "l2tpsrv");
	ck_assert(equals_defaults(&c));
}
END_TEST

START_TEST(load_reads_a_file)
{
	static const char text[] = "# test\nmax_tunnels = 12\nsecret = \"s e c\"\n";
	struct l2tpsrv_config c;
	char path[64];

	write_temp(path, text, sizeof(text) - 1);
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.max_tunnels, 12);
	ck_assert_uint_eq(c.secret_len, 5);
	unlink(path);
}
END_TEST

START_TEST(load_reports_errors_with_the_path)
{
	static const char bad[] = "max_tunnels = 12\nmax_sessions = many\n";
	static const char nul[] = "max_tunnels = 12\nsecret = a\0b\n";
	struct l2tpsrv_config c;
	char path[64], want[256];

	write_temp(path, bad, sizeof(bad) - 1);
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: bad number \"many\" for max_sessions", path);
	ck_assert_str_eq(err, want);
	ck_assert(equals_defaults(&c));
	unlink(path);

	write_temp(path, nul, sizeof(nul) - 1);
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: NUL byte", path);
	ck_assert_str_eq(err, want);
	ck_assert(equals_defaults(&c));
	unlink(path);

	ck_assert_int_eq(config_load(&c, "/tmp", false, err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "/tmp: Is a directory");
	ck_assert(equals_defaults(&c));
}
END_TEST

START_TEST(load_of_a_missing_file)
{
	static const char *const path = "/nonexistent-l2tpsrv-test/l2tpsrv.conf";
	struct l2tpsrv_config c;

	config_defaults(&c);
	strcpy(err, "untouched");
	ck_assert_int_eq(config_load(&c, path, false, err, sizeof(err)), 0);
	ck_assert(equals_defaults(&c));
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent-l2tpsrv-test/l2tpsrv.conf: No such file or directory");
	ck_assert(equals_defaults(&c));
}
END_TEST

START_TEST(load_refuses_a_huge_file)
{
	struct l2tpsrv_config c;
	char path[64], want[128];
	char *text = malloc(1024 * 1024 + 1);

	ck_assert_ptr_nonnull(text);
	memset(text, '\n', 1024 * 1024 + 1);
	write_temp(path, text, 1024 * 1024 + 1);
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: file too large (more than 1048576 octets)", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	/* exactly the limit is fine */
	write_temp(path, text, 1024 * 1024);
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), 0);
	unlink(path);
	free(text);
}
END_TEST

/* text with "#key = ..." lines made live, but for host_name, secret, dns,
 * the RADIUS servers, DAE clients and metrics (keys with no default to
 * show) unless all */
static char *uncomment(const char *text, bool all)
{
	static char out[65536];
	size_t o = 0;

	while (*text) {
		size_t len = strcspn(text, "\n");
		bool live = text[0] == '#' && text[1] >= 'a' && text[1] <= 'z' &&
			    (all || (strncmp(text, "#host_name ", 11) != 0 &&
				     strncmp(text, "#secret ", 8) != 0 &&
				     strncmp(text, "#dns ", 5) != 0 &&
				     strncmp(text, "#radius_auth_server ", 20) != 0 &&
				     strncmp(text, "#radius_acct_server ", 20) != 0 &&
				     strncmp(text, "#radius_dae_client ", 19) != 0 &&
				     strncmp(text, "#radius_nas_identifier ", 23) != 0 &&
				     strncmp(text, "#metrics ", 9) != 0));

		len += text[len] == '\n';
		ck_assert_uint_lt(o + len, sizeof(out));
		memcpy(out + o, text + live, len - live);
		o += len - live;
		text += len;
	}
	out[o] = '\0';
	return out;
}

START_TEST(the_example_file_parses_to_the_defaults)
{
	static const char *const keys[] = {
		"listen",	  "host_name",		"secret",	      "hide_avps",
		"hello_interval", "retransmit_initial", "retransmit_max",     "retransmit_count",
		"ack_delay",	  "receive_window",	"max_tunnels",	      "max_sessions",
		"max_tunnels_per_peer", "max_sessions_per_tunnel", "pppd_options", "pppd_plugin", "pool",
		"local_ip",	  "dns",		"ppp_mtu",	      "ppp_mru",
		"ppp_auth",	  "mss_clamp",		"dataplane",	      "nat_datapath",
		"control_socket",
		"charon_socket", "allow_unencrypted", "radius_auth_server", "radius_acct_server",
		"radius_timeout", "radius_retries", "radius_dead_time", "radius_nas_identifier",
		"radius_nas_ip", "radius_acct_interim", "radius_dae_client", "radius_dae_port",
		"radius_dae_terminate_ike", "metrics", "metrics_allow_remote", "log_level",
	};
	struct l2tpsrv_config c;
	const char *text, *live;

	config_defaults(&c);
	ck_assert_msg(config_load(&c, EXAMPLE_CONF, true, err, sizeof(err)) == 0, "%s", err);
	ck_assert(equals_defaults(&c));

	/* every key is documented as "#key = default" */
	text = read_text(EXAMPLE_CONF);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n#%s = ", keys[i]);
		ck_assert_msg(strstr(text, want) != NULL, "%s is not in the example", keys[i]);
	}
	/* the documented defaults, made live, are the built-in ones (but for
	 * host_name, secret, dns, the RADIUS servers and NAS-Identifier, which
	 * have none to show) */
	live = uncomment(text, false);
	ck_assert_ptr_nonnull(strstr(live, "\nmax_sessions_per_tunnel = 256\n"));
	ck_assert_msg(parse(&c, live) == 0, "%s", err);
	ck_assert(equals_defaults(&c));
	/* and the examples of those parse as well */
	live = uncomment(text, true);
	ck_assert_msg(parse(&c, live) == 0, "%s", err);
	ck_assert_str_eq(c.host_name, "vpn-gw1");
	ck_assert_uint_eq(c.secret_len, strlen("correct horse # battery staple"));
	ck_assert_uint_eq(c.n_dns, 1);
	ck_assert_uint_eq(c.dns[0], c.local_ip);
	ck_assert_uint_eq(c.radius.n_auth, 1);
	ck_assert_uint_eq(c.radius.n_acct, 1);
	ck_assert_str_eq(c.radius.acct[0].secret, "s3cret-shared-with-radius");
	ck_assert_uint_eq(c.radius_dae.n_clients, 1);
	ck_assert_uint_eq(c.radius_dae.port, 3799);
	ck_assert(c.radius_dae_terminate_ike);
	ck_assert_str_eq(c.radius_nas_identifier, "vpn-gw1");
	assert_v4(&c.metrics, "127.0.0.1", 9101);
	ck_assert(!c.metrics_allow_remote);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, defaults_are_as_documented);
	tcase_add_test(tc, empty_and_comment_only_texts_give_the_defaults);
	tcase_add_test(tc, every_key_is_accepted);
	tcase_add_test(tc, whitespace_and_comments_around_values);
	tcase_add_test(tc, durations_take_units);
	tcase_add_test(tc, booleans_and_log_levels);
	tcase_add_test(tc, bad_values_are_rejected_with_the_input_quoted);
	tcase_add_test(tc, pppd_options_is_an_absolute_path);
	tcase_add_test(tc, long_values_are_rejected);
	tcase_add_test(tc, syntax_errors);
	tcase_add_test(tc, listen_forms);
	tcase_add_test(tc, the_first_listen_replaces_the_default);
	tcase_add_test(tc, at_most_eight_listen_lines);
	tcase_add_test(tc, quoted_secrets);
	tcase_add_test(tc, the_secret_is_never_in_a_message);
	tcase_add_test(tc, the_secret_is_masked_in_the_dump);
	tcase_add_test(tc, the_dump_reads_back);
	tcase_add_test(tc, hide_avps_needs_a_secret);
	tcase_add_test(tc, retransmit_max_is_not_below_retransmit_initial);
	tcase_add_test(tc, metrics_listens_on_loopback_unless_allowed);
	tcase_add_test(tc, crlf_line_endings_and_a_byte_order_mark);
	tcase_add_test(tc, long_lines);
	tcase_add_test(tc, nothing_is_half_applied);
	tcase_add_test(tc, a_missing_or_short_error_buffer_is_fine);
	tcase_add_test(tc, load_reads_a_file);
	tcase_add_test(tc, load_reports_errors_with_the_path);
	tcase_add_test(tc, load_of_a_missing_file);
	tcase_add_test(tc, load_refuses_a_huge_file);
	tcase_add_test(tc, the_example_file_parses_to_the_defaults);
	config_test_add_ppp(tc);
	config_test_add_radius(tc);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
