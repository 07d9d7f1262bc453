/*
 * Tests of the PPP and address keys of the configuration file: pool,
 * local_ip, dns, ppp_mtu, ppp_mru, ppp_auth, mss_clamp, dataplane.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_test.h"

#define IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct rejected {
	const char *text, *message;
};

static void assert_all_rejected(const struct rejected *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_rejected(cases[i].text, cases[i].message);
}

static void assert_pool(const struct l2tpsrv_config *c, size_t i, uint32_t first, uint32_t last)
{
	ck_assert_uint_gt(c->n_pools, i);
	ck_assert_uint_eq(c->pools[i].first, first);
	ck_assert_uint_eq(c->pools[i].last, last);
}

START_TEST(ppp_defaults_are_as_documented)
{
	struct l2tpsrv_config c;

	config_defaults(&c);
	ck_assert_uint_eq(c.n_pools, 1);
	assert_pool(&c, 0, IPV4(192, 168, 42, 10), IPV4(192, 168, 42, 250));
	ck_assert_uint_eq(c.local_ip, IPV4(192, 168, 42, 1));
	ck_assert_uint_eq(c.n_dns, 0);
	ck_assert_uint_eq(c.ppp_mtu, 1400);
	ck_assert_uint_eq(c.ppp_mru, 1400);
	ck_assert_uint_eq(c.ppp_auth, CONFIG_AUTH_MSCHAP_V2);
	ck_assert(c.mss_clamp);
	ck_assert_int_eq(c.dataplane, CONFIG_DATAPLANE_AUTO);
}
END_TEST

START_TEST(pool_forms)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "pool = 10.0.0.10-10.0.0.20\n"), 0);
	ck_assert_uint_eq(c.n_pools, 1);
	assert_pool(&c, 0, IPV4(10, 0, 0, 10), IPV4(10, 0, 0, 20));
	/* a network: its host addresses, all of them in a /31 or /32 */
	ck_assert_int_eq(parse(&c, "pool = 10.0.1.0/24\n"
				   "pool = 10.0.2.0/30\n"
				   "pool = 10.0.2.4/31\n"
				   "pool = 10.0.2.6/32\n"
				   "pool = 10.1.0.0/16\n"),
			 0);
	ck_assert_uint_eq(c.n_pools, 5);
	assert_pool(&c, 0, IPV4(10, 0, 1, 1), IPV4(10, 0, 1, 254));
	assert_pool(&c, 1, IPV4(10, 0, 2, 1), IPV4(10, 0, 2, 2));
	assert_pool(&c, 2, IPV4(10, 0, 2, 4), IPV4(10, 0, 2, 5));
	assert_pool(&c, 3, IPV4(10, 0, 2, 6), IPV4(10, 0, 2, 6));
	assert_pool(&c, 4, IPV4(10, 1, 0, 1), IPV4(10, 1, 255, 254));
	/* 65536 in one line, a single address, blanks around the separator,
	 * adjacent ranges, a comment */
	ck_assert_int_eq(parse(&c, "pool = 10.0.0.0-10.0.255.255\n"
				   "pool = 10.1.0.0 - 10.1.0.0   # one\n"
				   "pool = 10.1.0.1\t/ 32\n"),
			 0);
	ck_assert_uint_eq(c.n_pools, 3);
	assert_pool(&c, 0, IPV4(10, 0, 0, 0), IPV4(10, 0, 255, 255));
	assert_pool(&c, 1, IPV4(10, 1, 0, 0), IPV4(10, 1, 0, 0));
	assert_pool(&c, 2, IPV4(10, 1, 0, 1), IPV4(10, 1, 0, 1));
}
END_TEST

START_TEST(the_first_pool_replaces_the_default)
{
	struct l2tpsrv_config c;
	char text[1024] = "";

	/* the default itself may be named again */
	ck_assert_int_eq(parse(&c, "pool = 192.168.42.10-192.168.42.250\n"), 0);
	ck_assert(equals_defaults(&c));
	/* loaded over earlier pools: replaced whole */
	ck_assert_int_eq(parse(&c, "pool = 10.0.0.1-10.0.0.5\npool = 10.0.1.1-10.0.1.5\n"), 0);
	ck_assert_int_eq(config_parse(&c, NAME, "pool = 10.0.2.0/24", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_pools, 1);
	assert_pool(&c, 0, IPV4(10, 0, 2, 1), IPV4(10, 0, 2, 254));
	ck_assert_uint_eq(c.pools[1].first, 0);
	ck_assert_uint_eq(c.pools[1].last, 0);
	/* and a text without pool lines keeps them */
	ck_assert_int_eq(config_parse(&c, NAME, "ppp_mtu = 1300", err, sizeof(err)), 0);
	assert_pool(&c, 0, IPV4(10, 0, 2, 1), IPV4(10, 0, 2, 254));

	for (int i = 1; i <= CONFIG_MAX_POOL; i++) {
		char line[64];

		snprintf(line, sizeof(line), "pool = 10.0.%d.0/24\n", i);
		strcat(text, line);
	}
	ck_assert_int_eq(parse(&c, text), 0);
	ck_assert_uint_eq(c.n_pools, CONFIG_MAX_POOL);
	strcat(text, "pool = 10.0.99.0/24\n");
	assert_rejected(text, NAME ":9: too many pool lines (at most 8)");
}
END_TEST

START_TEST(bad_pools)
{
	static const struct rejected cases[] = {
		{ "pool =", NAME ":1: bad pool \"\" (FIRST-LAST or NETWORK/PREFIX)" },
		{ "pool = 10.0.0.1", NAME ":1: bad pool \"10.0.0.1\" (FIRST-LAST or NETWORK/PREFIX)" },
		{ "pool = 10.0.0.1-10.0.0.2-10.0.0.3",
		  NAME ":1: bad pool \"10.0.0.1-10.0.0.2-10.0.0.3\" (FIRST-LAST or NETWORK/PREFIX)" },
		{ "pool = 10.0.0.0/24-10.0.1.0",
		  NAME ":1: bad pool \"10.0.0.0/24-10.0.1.0\" (FIRST-LAST or NETWORK/PREFIX)" },
		{ "pool = 10.0.0.0/24/8",
		  NAME ":1: bad pool \"10.0.0.0/24/8\" (FIRST-LAST or NETWORK/PREFIX)" },
		{ "pool = 10.0.0.300-10.0.1.1",
		  NAME ":1: bad address \"10.0.0.300\" in pool \"10.0.0.300-10.0.1.1\"" },
		{ "pool = 10.0.0.1-",
		  NAME ":1: bad address \"\" in pool \"10.0.0.1-\"" },
		{ "pool = 10.0.0.1-10.0.1",
		  NAME ":1: bad address \"10.0.1\" in pool \"10.0.0.1-10.0.1\"" },
		{ "pool = 10.0.0.01-10.0.0.9",
		  NAME ":1: bad address \"10.0.0.01\" in pool \"10.0.0.01-10.0.0.9\"" },
		{ "pool = vpn/24", NAME ":1: bad address \"vpn\" in pool \"vpn/24\"" },
		{ "pool = 10.0.0.0/33",
		  NAME ":1: bad prefix length \"33\" in pool \"10.0.0.0/33\" (0..32)" },
		{ "pool = 10.0.0.0/", NAME ":1: bad prefix length \"\" in pool \"10.0.0.0/\" (0..32)" },
		{ "pool = 10.0.0.0/-1",
		  NAME ":1: bad pool \"10.0.0.0/-1\" (FIRST-LAST or NETWORK/PREFIX)" },
		{ "pool = 10.0.0.0/024",
		  NAME ":1: bad prefix length \"024\" in pool \"10.0.0.0/024\" (0..32)" },
		{ "pool = 10.0.0.5/24",
		  NAME ":1: pool \"10.0.0.5/24\" has host bits set: the network is 10.0.0.0/24" },
		{ "pool = 10.0.0.9-10.0.0.1", NAME ":1: pool \"10.0.0.9-10.0.0.1\" ends before it starts" },
		{ "pool = 10.0.0.0-10.1.0.0",
		  NAME ":1: pool \"10.0.0.0-10.1.0.0\" has 65537 addresses (at most 65536 a line)" },
		{ "pool = 10.0.0.0/15",
		  NAME ":1: pool \"10.0.0.0/15\" has 131070 addresses (at most 65536 a line)" },
		{ "pool = 0.0.0.0/0",
		  NAME ":1: pool \"0.0.0.0/0\" has 4294967294 addresses (at most 65536 a line)" },
		{ "pool = 127.0.0.1-127.0.0.9",
		  NAME ":1: pool \"127.0.0.1-127.0.0.9\" holds loopback addresses" },
		{ "pool = 126.255.255.250-127.0.0.1",
		  NAME ":1: pool \"126.255.255.250-127.0.0.1\" holds loopback addresses" },
		{ "pool = 0.0.0.0/24", NAME ":1: pool \"0.0.0.0/24\" holds 0.0.0.0/8 addresses" },
		{ "pool = 224.0.0.0/24", NAME ":1: pool \"224.0.0.0/24\" holds multicast addresses" },
		{ "pool = 255.255.255.255/32",
		  NAME ":1: pool \"255.255.255.255/32\" holds broadcast addresses" },
		{ "pool = 10.0.0.0/24\npool = 10.0.0.200-10.0.1.5\n",
		  NAME ":2: pool \"10.0.0.200-10.0.1.5\" overlaps pool 10.0.0.1-10.0.0.254" },
		{ "pool = 10.0.0.0/24\n# x\npool = 10.0.0.0/24\n",
		  NAME ":3: pool \"10.0.0.0/24\" overlaps pool 10.0.0.1-10.0.0.254" },
		{ "pool = 10.0.5.0/24\npool = 10.0.0.0/16\n",
		  NAME ":2: pool \"10.0.0.0/16\" overlaps pool 10.0.5.1-10.0.5.254" },
		{ "pool = 10.0.0.1-10.0.0.1\npool = 10.0.0.0/31\n",
		  NAME ":2: pool \"10.0.0.0/31\" overlaps pool 10.0.0.1-10.0.0.1" },
		{ "pool = \"10.0.0.1\t-x\"", NAME ":1: bad address \"x\" in pool \"10.0.0.1\\x09-x\"" },
	};

	assert_all_rejected(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(local_ip_and_dns)
{
	static const struct rejected cases[] = {
		{ "local_ip =", NAME ":1: bad address \"\" for local_ip" },
		{ "local_ip = 10.0.0", NAME ":1: bad address \"10.0.0\" for local_ip" },
		{ "local_ip = 10.0.0.1/24", NAME ":1: bad address \"10.0.0.1/24\" for local_ip" },
		{ "local_ip = ::1", NAME ":1: bad address \"::1\" for local_ip" },
		{ "local_ip = 127.0.0.1",
		  NAME ":1: bad address \"127.0.0.1\" for local_ip: a loopback address" },
		{ "local_ip = 0.0.0.0",
		  NAME ":1: bad address \"0.0.0.0\" for local_ip: a 0.0.0.0/8 address" },
		{ "local_ip = 10.0.0.1\nlocal_ip = 10.0.0.1\n", NAME ":2: duplicate key \"local_ip\"" },
		{ "dns = dns.google", NAME ":1: bad address \"dns.google\" for dns" },
		{ "dns = 224.0.0.251", NAME ":1: bad address \"224.0.0.251\" for dns: a multicast address" },
		{ "dns = 255.255.255.255",
		  NAME ":1: bad address \"255.255.255.255\" for dns: a broadcast address" },
		{ "dns = 9.9.9.9\ndns = 9.9.9.9\n", NAME ":2: duplicate dns \"9.9.9.9\"" },
		{ "dns = 9.9.9.9\ndns = 1.1.1.1\ndns = 8.8.8.8\n",
		  NAME ":3: too many dns lines (at most 2)" },
	};
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "local_ip = 10.9.8.7\n"), 0);
	ck_assert_uint_eq(c.local_ip, IPV4(10, 9, 8, 7));
	ck_assert_int_eq(parse(&c, "dns = 192.168.42.1\n"), 0);
	ck_assert_uint_eq(c.n_dns, 1);
	ck_assert_uint_eq(c.dns[0], IPV4(192, 168, 42, 1));
	ck_assert_int_eq(parse(&c, "dns = 9.9.9.9\ndns = 149.112.112.112  # quad9\n"), 0);
	ck_assert_uint_eq(c.n_dns, 2);
	ck_assert_uint_eq(c.dns[0], IPV4(9, 9, 9, 9));
	ck_assert_uint_eq(c.dns[1], IPV4(149, 112, 112, 112));
	/* the first dns line of a text replaces the list it was loaded over */
	ck_assert_int_eq(config_parse(&c, NAME, "dns = 1.1.1.1", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_dns, 1);
	ck_assert_uint_eq(c.dns[0], IPV4(1, 1, 1, 1));
	ck_assert_uint_eq(c.dns[1], 0);
	assert_all_rejected(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(local_ip_is_outside_the_pools)
{
	static const struct rejected cases[] = {
		/* against the default pool */
		{ "local_ip = 192.168.42.20\n",
		  NAME ":1: local_ip 192.168.42.20 is inside pool 192.168.42.10-192.168.42.250" },
		/* a pool over the default local_ip */
		{ "# x\npool = 192.168.42.0/24\n",
		  NAME ":2: pool 192.168.42.1-192.168.42.254 contains local_ip 192.168.42.1; set "
		       "local_ip to an address outside the pools" },
		/* both in the text: on the later line, naming the other */
		{ "pool = 10.0.0.0/24\nlocal_ip = 10.0.0.7\n",
		  NAME ":2: local_ip 10.0.0.7 is inside pool 10.0.0.1-10.0.0.254 (line 1)" },
		{ "local_ip = 10.0.0.7\n\npool = 10.0.0.0/24\n",
		  NAME ":3: pool 10.0.0.1-10.0.0.254 contains local_ip 10.0.0.7 (line 1)" },
		{ "local_ip = 10.0.0.1\npool = 10.1.0.0/24\npool = 10.0.0.0/31\npool = 10.2.0.0/24\n",
		  NAME ":3: pool 10.0.0.0-10.0.0.1 contains local_ip 10.0.0.1 (line 1)" },
		{ "pool = 10.0.0.0-10.0.0.255\nlocal_ip = 10.0.0.255\n",
		  NAME ":2: local_ip 10.0.0.255 is inside pool 10.0.0.0-10.0.0.255 (line 1)" },
	};
	struct l2tpsrv_config c;

	assert_all_rejected(cases, sizeof(cases) / sizeof(cases[0]));
	/* just outside, or a CIDR pool's network and broadcast addresses */
	ck_assert_int_eq(parse(&c, "pool = 192.168.42.2-192.168.42.254\n"), 0);
	ck_assert_int_eq(parse(&c, "local_ip = 192.168.42.251\n"), 0);
	ck_assert_int_eq(parse(&c, "pool = 10.0.0.0/24\nlocal_ip = 10.0.0.0\n"), 0);
	ck_assert_int_eq(parse(&c, "pool = 10.0.0.0/24\nlocal_ip = 10.0.0.255\n"), 0);
	/* set before the text was read: no line to name */
	config_defaults(&c);
	c.local_ip = IPV4(192, 168, 42, 50);
	ck_assert_int_eq(config_parse(&c, NAME, "", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ": local_ip 192.168.42.50 is inside pool "
				  "192.168.42.10-192.168.42.250");
	/* a pool from before, the local_ip in this text */
	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, NAME, "local_ip = 192.168.42.10", err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, NAME ":1: local_ip 192.168.42.10 is inside pool "
				  "192.168.42.10-192.168.42.250");
}
END_TEST

START_TEST(mtu_mru_and_mss_clamp)
{
	static const struct rejected cases[] = {
		{ "ppp_mtu = 575", NAME ":1: number \"575\" out of range for ppp_mtu (576..1500)" },
		{ "ppp_mtu = 1501", NAME ":1: number \"1501\" out of range for ppp_mtu (576..1500)" },
		{ "ppp_mru = 0", NAME ":1: number \"0\" out of range for ppp_mru (576..1500)" },
		{ "ppp_mru = 65536", NAME ":1: number \"65536\" out of range for ppp_mru (576..1500)" },
		{ "ppp_mru = 1400 bytes", NAME ":1: bad number \"1400 bytes\" for ppp_mru" },
		{ "ppp_mtu = 1400\nppp_mtu = 1400\n", NAME ":2: duplicate key \"ppp_mtu\"" },
		{ "mss_clamp = maybe", NAME ":1: bad boolean \"maybe\" for mss_clamp (yes or no)" },
	};
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, "ppp_mtu = 576\nppp_mru = 1500\nmss_clamp = no\n"), 0);
	ck_assert_uint_eq(c.ppp_mtu, 576);
	ck_assert_uint_eq(c.ppp_mru, 1500);
	ck_assert(!c.mss_clamp);
	ck_assert_int_eq(parse(&c, "ppp_mtu = 1500\nppp_mru = 576\nmss_clamp = yes\n"), 0);
	ck_assert_uint_eq(c.ppp_mtu, 1500);
	ck_assert_uint_eq(c.ppp_mru, 576);
	ck_assert(c.mss_clamp);
	assert_all_rejected(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(ppp_auth_lists)
{
	static const struct {
		const char *text;
		unsigned int auth;
	} good[] = {
		{ "ppp_auth = pap", CONFIG_AUTH_PAP },
		{ "ppp_auth = chap", CONFIG_AUTH_CHAP },
		{ "ppp_auth = mschap", CONFIG_AUTH_MSCHAP },
		{ "ppp_auth = mschap-v2", CONFIG_AUTH_MSCHAP_V2 },
		{ "ppp_auth = MSCHAP-V2", CONFIG_AUTH_MSCHAP_V2 },
		{ "ppp_auth = mschap-v2, pap", CONFIG_AUTH_MSCHAP_V2 | CONFIG_AUTH_PAP },
		{ "ppp_auth = chap mschap-v2", CONFIG_AUTH_CHAP | CONFIG_AUTH_MSCHAP_V2 },
		{ "ppp_auth = eap", CONFIG_AUTH_EAP },
		{ "ppp_auth = pap,chap ,\tmschap  mschap-v2 # all",
		  CONFIG_AUTH_PAP | CONFIG_AUTH_CHAP | CONFIG_AUTH_MSCHAP | CONFIG_AUTH_MSCHAP_V2 },
	};
	static const struct rejected cases[] = {
		{ "ppp_auth =", NAME ":1: ppp_auth is empty (one or more of pap, chap, mschap, "
				"mschap-v2, eap)" },
		{ "ppp_auth = \" \"", NAME ":1: ppp_auth is empty (one or more of pap, chap, mschap, "
				      "mschap-v2, eap)" },
		{ "ppp_auth = ,", NAME ":1: empty method in ppp_auth \",\"" },
		{ "ppp_auth = pap,,chap", NAME ":1: empty method in ppp_auth \"pap,,chap\"" },
		{ "ppp_auth = pap, ,chap", NAME ":1: empty method in ppp_auth \"pap, ,chap\"" },
		{ "ppp_auth = ,pap", NAME ":1: empty method in ppp_auth \",pap\"" },
		{ "ppp_auth = pap,", NAME ":1: empty method in ppp_auth \"pap,\"" },
		{ "ppp_auth = tls",
		  NAME ":1: bad method \"tls\" in ppp_auth \"tls\" (pap, chap, mschap, mschap-v2 or "
		       "eap)" },
		{ "ppp_auth = pap mschapv2",
		  NAME ":1: bad method \"mschapv2\" in ppp_auth \"pap mschapv2\" (pap, chap, mschap, "
		       "mschap-v2 or eap)" },
		{ "ppp_auth = pap;chap",
		  NAME ":1: bad method \"pap;chap\" in ppp_auth \"pap;chap\" (pap, chap, mschap, "
		       "mschap-v2 or eap)" },
		{ "ppp_auth = pap, chap, PAP",
		  NAME ":1: duplicate method \"PAP\" in ppp_auth \"pap, chap, PAP\"" },
		{ "ppp_auth = pap\nppp_auth = chap\n", NAME ":2: duplicate key \"ppp_auth\"" },
	};
	struct l2tpsrv_config c;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(parse(&c, good[i].text) == 0, "%s: %s", good[i].text, err);
		ck_assert_uint_eq(c.ppp_auth, good[i].auth);
	}
	assert_all_rejected(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(dataplanes)
{
	static const struct {
		const char *text;
		enum config_dataplane dp;
	} good[] = {
		{ "dataplane = auto", CONFIG_DATAPLANE_AUTO },
		{ "dataplane = kernel", CONFIG_DATAPLANE_KERNEL },
		{ "dataplane = userspace", CONFIG_DATAPLANE_USERSPACE },
		{ "dataplane = null", CONFIG_DATAPLANE_NULL },
		{ "dataplane = Kernel", CONFIG_DATAPLANE_KERNEL },
	};
	struct l2tpsrv_config c;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(parse(&c, good[i].text), 0);
		ck_assert_int_eq(c.dataplane, good[i].dp);
	}
	ck_assert_str_eq(config_dataplane_name(CONFIG_DATAPLANE_AUTO), "auto");
	ck_assert_str_eq(config_dataplane_name(CONFIG_DATAPLANE_KERNEL), "kernel");
	ck_assert_str_eq(config_dataplane_name(CONFIG_DATAPLANE_USERSPACE), "userspace");
	ck_assert_str_eq(config_dataplane_name(CONFIG_DATAPLANE_NULL), "null");
	ck_assert_str_eq(config_dataplane_name((enum config_dataplane)99), "?");
	assert_rejected("dataplane = dpdk",
			NAME ":1: bad dataplane \"dpdk\" (auto, kernel, userspace or null)");
	assert_rejected("dataplane =", NAME ":1: bad dataplane \"\" (auto, kernel, userspace or null)");
	assert_rejected("dataplane = null\ndataplane = kernel\n",
			NAME ":2: duplicate key \"dataplane\"");
}
END_TEST

START_TEST(nat_datapaths)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, ""), 0);
	ck_assert_int_eq(c.nat_datapath, CONFIG_NAT_DATAPATH_AUTO);
	ck_assert_int_eq(parse(&c, "nat_datapath = same-port"), 0);
	ck_assert_int_eq(c.nat_datapath, CONFIG_NAT_DATAPATH_SAME_PORT);
	ck_assert_int_eq(parse(&c, "nat_datapath = NAT-port"), 0);
	ck_assert_int_eq(c.nat_datapath, CONFIG_NAT_DATAPATH_NAT_PORT);
	ck_assert_str_eq(config_nat_datapath_name(CONFIG_NAT_DATAPATH_NAT_PORT), "nat-port");
	ck_assert_str_eq(config_nat_datapath_name((enum config_nat_datapath)7), "?");
	assert_rejected("nat_datapath = conntrack",
			NAME ":1: bad nat_datapath \"conntrack\" (auto, same-port or nat-port)");
}
END_TEST

START_TEST(ppp_keys_in_the_dump)
{
	struct l2tpsrv_config c;
	char *s;

	config_defaults(&c);
	s = dump_to_string(&c);
	ck_assert_msg(strstr(s, "\npool = 192.168.42.10-192.168.42.250\n"
				"local_ip = 192.168.42.1\n"
				"# dns = (none)\n"
				"ppp_mtu = 1400\n"
				"ppp_mru = 1400\n"
				"ppp_auth = mschap-v2\n"
				"mss_clamp = yes\n"
				"dataplane = auto\n") != NULL,
		      "%s", s);
	free(s);

	ck_assert_int_eq(parse(&c, "pool = 10.0.0.0/24\n"
				   "pool = 10.0.9.7-10.0.9.7\n"
				   "local_ip = 10.0.1.1\n"
				   "dns = 10.0.1.53\n"
				   "dns = 9.9.9.9\n"
				   "ppp_mtu = 1280\n"
				   "ppp_mru = 1300\n"
				   "ppp_auth = mschap-v2 chap pap\n"
				   "mss_clamp = no\n"
				   "dataplane = kernel\n"),
			 0);
	s = dump_to_string(&c);
	ck_assert_msg(strstr(s, "\npool = 10.0.0.1-10.0.0.254\n"
				"pool = 10.0.9.7-10.0.9.7\n"
				"local_ip = 10.0.1.1\n"
				"dns = 10.0.1.53\n"
				"dns = 9.9.9.9\n"
				"ppp_mtu = 1280\n"
				"ppp_mru = 1300\n"
				"ppp_auth = pap, chap, mschap-v2\n"
				"mss_clamp = no\n"
				"dataplane = kernel\n") != NULL,
		      "%s", s);
	free(s);
}
END_TEST

/* text parses, and its dump parses back to the same settings */
static void assert_dump_reads_back(const char *text)
{
	struct l2tpsrv_config c, back;
	char *s;

	ck_assert_msg(parse(&c, text) == 0, "%s", err);
	s = dump_to_string(&c);
	config_defaults(&back);
	ck_assert_msg(config_parse(&back, "dump", s, err, sizeof(err)) == 0, "%s: %s", err, s);
	ck_assert_msg(memcmp(&c, &back, sizeof(c)) == 0, "%s", s);
	free(s);
}

START_TEST(the_ppp_dump_reads_back)
{
	assert_dump_reads_back("");
	assert_dump_reads_back("pool = 10.0.0.0/31\n"
			       "pool = 10.0.1.0/24\n"
			       "pool = 10.0.2.5-10.0.2.9\n"
			       "pool = 172.16.0.0-172.16.255.255\n"
			       "local_ip = 10.0.0.2\n"
			       "dns = 10.0.0.2\n"
			       "dns = 192.0.2.53\n"
			       "ppp_mtu = 576\n"
			       "ppp_mru = 1500\n"
			       "ppp_auth = mschap, pap, mschap-v2, chap\n"
			       "mss_clamp = off\n"
			       "dataplane = userspace\n");
	assert_dump_reads_back("dns = 192.0.2.53\nppp_auth = chap\ndataplane = null\n");
}
END_TEST

START_TEST(ppp_keys_are_not_half_applied)
{
	assert_rejected("pool = 10.0.0.0/24\n"
			"local_ip = 10.0.1.1\n"
			"dns = 9.9.9.9\n"
			"ppp_mtu = 1280\n"
			"ppp_auth = pap\n"
			"mss_clamp = no\n"
			"dataplane = kernel\n"
			"ppp_mru = 9000\n",
			NAME ":8: number \"9000\" out of range for ppp_mru (576..1500)");
	/* a pool list half built when the bad line comes */
	assert_rejected("pool = 10.0.0.0/24\npool = 10.0.0.1-10.0.0.2\n",
			NAME ":2: pool \"10.0.0.1-10.0.0.2\" overlaps pool 10.0.0.1-10.0.0.254");
	/* and a failure found only after the whole text */
	assert_rejected("dns = 9.9.9.9\nppp_auth = pap\npool = 192.168.42.0/24\n",
			NAME ":3: pool 192.168.42.1-192.168.42.254 contains local_ip 192.168.42.1; "
			     "set local_ip to an address outside the pools");
}
END_TEST

void config_test_add_ppp(TCase *tc)
{
	tcase_add_test(tc, ppp_defaults_are_as_documented);
	tcase_add_test(tc, pool_forms);
	tcase_add_test(tc, the_first_pool_replaces_the_default);
	tcase_add_test(tc, bad_pools);
	tcase_add_test(tc, local_ip_and_dns);
	tcase_add_test(tc, local_ip_is_outside_the_pools);
	tcase_add_test(tc, mtu_mru_and_mss_clamp);
	tcase_add_test(tc, ppp_auth_lists);
	tcase_add_test(tc, dataplanes);
	tcase_add_test(tc, nat_datapaths);
	tcase_add_test(tc, ppp_keys_in_the_dump);
	tcase_add_test(tc, the_ppp_dump_reads_back);
	tcase_add_test(tc, ppp_keys_are_not_half_applied);
}
