/*
 * Tests of natport: the table's text, the kernel-version rule, and, in a
 * network namespace of the test's own, the table, a tunnel's elements and
 * its conntrack entries for real (CAP_SYS_ADMIN, CAP_NET_ADMIN, nf_tables
 * and conntrack; the group is named "... # SKIP why" where that cannot
 * run, as in mss_clamp_test.c). The DNAT of a client's datagrams through
 * an IPsec SA is the VM scenario nat-clients' part.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <nftables/libnftables.h>

#include "check_tap.h"
#include "natport.h"

#define REASON_MAX 200

static char netns_skip[REASON_MAX];

static const uint16_t ports_1701[] = { 1701 };

static struct natport_tunnel tunnel_7(void)
{
	struct natport_tunnel t = {
		.zone = 7,
		.mark_in = 0x11,
		.mark_out = 0x12,
		.listen_port = 1701,
		.port = 40007,
		.peer_port = 1701,
	};

	inet_pton(AF_INET, "127.0.0.1", &t.local);
	inet_pton(AF_INET, "127.0.0.1", &t.peer);
	return t;
}

static const char *render_table(bool guard, const uint16_t *ports, size_t n)
{
	static char buf[NATPORT_BATCH_MAX];
	int r = natport_render_table(guard, ports, n, buf, sizeof(buf));

	ck_assert_int_gt(r, 0);
	ck_assert_uint_eq((size_t)r, strlen(buf));
	return buf;
}

/* ---- text ---------------------------------------------------------- */

START_TEST(the_kernel_rule_is_6_11)
{
	ck_assert(!natport_kernel_finds_by_header("6.1.0-28-amd64"));
	ck_assert(!natport_kernel_finds_by_header("6.10.3"));
	ck_assert(natport_kernel_finds_by_header("6.11.0"));
	ck_assert(natport_kernel_finds_by_header("6.12.107+deb12-amd64"));
	ck_assert(natport_kernel_finds_by_header("7.0.1"));
	ck_assert(!natport_kernel_finds_by_header("5.19.0"));
	ck_assert(!natport_kernel_finds_by_header("garbage"));
	ck_assert(!natport_kernel_finds_by_header(""));
}
END_TEST

START_TEST(the_table_replaces_itself_and_keys_the_maps_by_mark_and_port)
{
	const char *t = render_table(true, ports_1701, 1);

	ck_assert_ptr_eq(strstr(t, "add table inet l2tpsrv_ipsec\ndelete table inet l2tpsrv_ipsec\n"),
			 t);
	ck_assert_ptr_nonnull(strstr(t, "ct zone set meta mark . udp dport map @zone_in counter"));
	ck_assert_ptr_nonnull(strstr(t, "ct zone set meta mark . udp sport map @zone_out counter"));
	ck_assert_ptr_nonnull(strstr(t, "counter dnat ip to meta mark . udp dport map @port_in"));
	ck_assert_ptr_nonnull(strstr(t, "counter snat ip to meta mark . udp sport map @port_out"));
	/* the zones before conntrack (-200), in both directions */
	ck_assert_ptr_nonnull(strstr(t, "hook prerouting priority raw;"));
	ck_assert_ptr_nonnull(strstr(t, "hook output priority raw;"));
	ck_assert_ptr_nonnull(strstr(t, "udp sport { 1701 } rt ipsec missing counter drop"));
}
END_TEST

START_TEST(data_messages_are_checked_by_mark_and_tunnel_id)
{
	const char *t = render_table(false, ports_1701, 1);
	char buf[NATPORT_BATCH_MAX];

	/* Tunnel ID after the flags word (L clear), or after Length (L set) */
	ck_assert_ptr_nonnull(strstr(t, "udp dport { 1701 } meta mark @marks @th,64,2 0 "
					"meta mark . @th,80,16 != @ids counter drop"));
	ck_assert_ptr_nonnull(strstr(t, "udp dport { 1701 } meta mark @marks @th,64,2 1 "
					"meta mark . @th,96,16 != @ids counter drop"));
	ck_assert_int_gt(natport_render_ids(true, 0x11, 7, true, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "add element inet l2tpsrv_ipsec ids { 0x11 . 7 }\n"
			      "add element inet l2tpsrv_ipsec marks { 0x11 }\n");
	ck_assert_int_gt(natport_render_ids(false, 0x11, 7, false, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "delete element inet l2tpsrv_ipsec ids { 0x11 . 7 }\n");
	ck_assert_int_eq(natport_render_ids(true, 0, 7, true, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(natport_render_ids(true, 0x11, 7, true, buf, 50), -ENOSPC);
}
END_TEST

START_TEST(the_guard_covers_every_listen_port_or_is_absent)
{
	static const uint16_t two[] = { 1701, 1702 };

	ck_assert_ptr_nonnull(strstr(render_table(true, two, 2), "udp sport { 1701, 1702 } rt ipsec"));
	ck_assert_ptr_null(strstr(render_table(false, two, 2), "guard"));
	ck_assert_ptr_null(strstr(render_table(true, two, 0), "guard"));
}
END_TEST

START_TEST(a_tunnel_is_four_elements)
{
	struct natport_tunnel t = tunnel_7();
	char buf[NATPORT_BATCH_MAX];

	ck_assert_int_gt(natport_render_add(&t, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "create element inet l2tpsrv_ipsec zone_in { 0x11 . 1701 : 7 }\n"
			      "create element inet l2tpsrv_ipsec zone_out { 0x12 . 40007 : 7 }\n"
			      "create element inet l2tpsrv_ipsec port_in { 0x11 . 1701 : 127.0.0.1 . 40007 }\n"
			      "create element inet l2tpsrv_ipsec port_out { 0x12 . 40007 : 127.0.0.1 . 1701 }\n");
	ck_assert_int_gt(natport_render_del(&t, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "delete element inet l2tpsrv_ipsec zone_in { 0x11 . 1701 }\n"
			      "delete element inet l2tpsrv_ipsec zone_out { 0x12 . 40007 }\n"
			      "delete element inet l2tpsrv_ipsec port_in { 0x11 . 1701 }\n"
			      "delete element inet l2tpsrv_ipsec port_out { 0x12 . 40007 }\n");
	ck_assert_int_eq(natport_render_add(&t, buf, 40), -ENOSPC);
	t.mark_in = 0; /* mark 0 is every unmarked datagram's */
	ck_assert_int_eq(natport_render_add(&t, buf, sizeof(buf)), -EINVAL);
	t.mark_in = 0x11;
	t.zone = 0; /* zone 0 is everybody's */
	ck_assert_int_eq(natport_render_add(&t, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* ---- in a network namespace ---------------------------------------- */

static int nft(const char *cmd, char *out, size_t outlen)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int r = -1;

	if (!ctx)
		return -1;
	if (nft_ctx_buffer_output(ctx) == 0 && nft_ctx_buffer_error(ctx) == 0) {
		r = nft_run_cmd_from_buffer(ctx, cmd);
		if (out)
			snprintf(out, outlen, "%s", nft_ctx_get_output_buffer(ctx));
	}
	nft_ctx_free(ctx);
	return r;
}

START_TEST(install_add_del_remove)
{
	struct natport_tunnel t = tunnel_7();
	char err[256] = "", out[4096];

	if (netns_skip[0])
		return;
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
	ck_assert_msg(natport_install(true, ports_1701, 1, err, sizeof(err)) == 0, "install: %s",
		      err);
	/* a left-over table is replaced, elements and all */
	ck_assert_msg(natport_add(&t, err, sizeof(err)) == 0, "add: %s", err);
	ck_assert_msg(natport_install(true, ports_1701, 1, err, sizeof(err)) == 0, "again: %s", err);
	ck_assert_int_eq(nft("list map inet l2tpsrv_ipsec port_in", out, sizeof(out)), 0);
	ck_assert_ptr_null(strstr(out, "elements"));
	ck_assert_msg(natport_add(&t, err, sizeof(err)) == 0, "add: %s", err);
	ck_assert_int_eq(nft("list map inet l2tpsrv_ipsec port_in", out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "0x00000011 . 1701 : 127.0.0.1 . 40007"), "%s", out);
	ck_assert_int_eq(nft("list map inet l2tpsrv_ipsec zone_out", out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "0x00000012 . 40007 : 7"), "%s", out);
	/* the same mark twice is refused: one SA, one tunnel port */
	ck_assert_int_eq(natport_add(&t, err, sizeof(err)), -EIO);
	ck_assert_msg(natport_del(&t, err, sizeof(err)) == 0, "del: %s", err);
	for (size_t i = 0; i < 4; i++) {
		static const char *const maps[] = { "zone_in", "zone_out", "port_in", "port_out" };
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "list map inet l2tpsrv_ipsec %s", maps[i]);
		ck_assert_int_eq(nft(cmd, out, sizeof(out)), 0);
		ck_assert_msg(!strstr(out, "elements"), "%s", out);
	}
	ck_assert_msg(natport_remove(err, sizeof(err)) == 0, "remove: %s", err);
	ck_assert_int_eq(nft("list tables", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_msg(natport_remove(err, sizeof(err)) == 0, "remove again: %s", err);
}
END_TEST

struct ct_seen {
	unsigned int zoned;   /* entries in zone 7 */
	uint16_t reply_dport; /* of the last one, network order */
	unsigned int plain_4500; /* from our 4500, in no zone and not NATed */
};

static int on_ct(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct ct_seen *seen = data;

	(void)type;
	if (nfct_attr_is_set(ct, ATTR_ZONE) && nfct_get_attr_u16(ct, ATTR_ZONE) == 7) {
		seen->zoned++;
		seen->reply_dport = nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST);
	} else if (nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC) == htons(4500) &&
		   nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST) == htons(4500)) {
		seen->plain_4500++;
	}
	return NFCT_CB_CONTINUE;
}

static struct ct_seen dump_conntrack(void)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	struct ct_seen seen = { 0 };
	uint32_t family = AF_INET;

	ck_assert_ptr_nonnull(h);
	nfct_callback_register(h, NFCT_T_ALL, on_ct, &seen);
	ck_assert_int_eq(nfct_query(h, NFCT_Q_DUMP, &family), 0);
	nfct_close(h);
	return seen;
}

/*
 * The tunnel's socket (its port, the SA's mark-out) sends to the peer: the
 * datagram gets the tunnel's zone and leaves as if from 1701 (the entry's
 * reply comes to 1701); natport_forget() takes the entry away, and
 * natport_forget_all() what a killed daemon left. What leaves another port
 * with the same mark (the ESP-in-UDP datagram from 4500 that carries the
 * tunnel's packet) is neither zoned nor NATed.
 */
START_TEST(the_tunnel_socket_gets_its_zone_and_port_1701_and_forget_clears_it)
{
	struct natport_tunnel t = tunnel_7();
	struct sockaddr_in own = { .sin_family = AF_INET, .sin_port = htons(t.port),
				   .sin_addr = t.local };
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(t.peer_port),
				    .sin_addr = t.peer };
	uint32_t mark = t.mark_out;
	char err[256] = "";
	struct ct_seen seen;
	int fd, esp;

	if (netns_skip[0])
		return;
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
	ck_assert_int_eq(system("ip link set lo up"), 0);
	ck_assert_msg(natport_install(false, ports_1701, 1, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(natport_add(&t, err, sizeof(err)) == 0, "add: %s", err);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&own, sizeof(own)), 0);
	ck_assert_int_eq(sendto(fd, "x", 1, 0, (struct sockaddr *)&peer, sizeof(peer)), 1);
	seen = dump_conntrack();
	ck_assert_uint_eq(seen.zoned, 1);
	ck_assert_uint_eq(ntohs(seen.reply_dport), 1701);
	own.sin_port = htons(4500);
	esp = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(esp, 0);
	ck_assert_int_eq(setsockopt(esp, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), 0);
	ck_assert_int_eq(bind(esp, (struct sockaddr *)&own, sizeof(own)), 0);
	ck_assert_int_eq(sendto(esp, "x", 1, 0, (struct sockaddr *)&peer, sizeof(peer)), 1);
	close(esp);
	seen = dump_conntrack();
	ck_assert_uint_eq(seen.zoned, 1);
	ck_assert_uint_eq(seen.plain_4500, 1);
	ck_assert_int_eq(natport_forget(&t), 1);
	ck_assert_uint_eq(dump_conntrack().zoned, 0);
	ck_assert_int_eq(natport_forget(&t), 0);

	/* again, then the daemon "dies": the start's sweep finds it */
	ck_assert_int_eq(sendto(fd, "x", 1, 0, (struct sockaddr *)&peer, sizeof(peer)), 1);
	ck_assert_uint_eq(dump_conntrack().zoned, 1);
	ck_assert_int_eq(natport_forget_all(ports_1701, 1), 1);
	seen = dump_conntrack();
	ck_assert_uint_eq(seen.zoned, 0);
	ck_assert_uint_eq(seen.plain_4500, 1); /* not ours: it stays */
	close(fd);
}
END_TEST

/* Whether msg, sent with mark to 127.0.0.1:1701, reaches rx there. */
static bool reaches(int rx, uint32_t mark, const uint8_t *msg, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(1701),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t got[64];
	int tx = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n;

	ck_assert_int_ge(tx, 0);
	ck_assert_int_eq(setsockopt(tx, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), 0);
	ck_assert_int_eq(sendto(tx, msg, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
	close(tx);
	n = recv(rx, got, sizeof(got), 0);
	return n == (ssize_t)len && memcmp(got, msg, len) == 0;
}

/*
 * A data message with one of our marks reaches the listen port only when
 * it names a tunnel of that mark, with or without the Length field;
 * control messages, and datagrams with marks we do not know, are not
 * checked; once the mark's last tunnel goes, neither is it.
 */
START_TEST(a_data_message_reaches_us_only_naming_a_tunnel_of_its_mark)
{
	static const uint8_t data_7[] = { 0x00, 0x02, 0x00, 0x07, 0x00, 0x01, 0xff, 0x03 };
	static const uint8_t data_8[] = { 0x00, 0x02, 0x00, 0x08, 0x00, 0x01, 0xff, 0x03 };
	static const uint8_t long_7[] = { 0x40, 0x02, 0x00, 0x0a, 0x00, 0x07, 0x00, 0x01, 0xff, 0x03 };
	static const uint8_t long_8[] = { 0x40, 0x02, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x01, 0xff, 0x03 };
	static const uint8_t ctl_8[] = { 0xc8, 0x02, 0x00, 0x0c, 0x00, 0x08, 0x00, 0x00,
					 0x00, 0x00, 0x00, 0x00 };
	struct sockaddr_in at = { .sin_family = AF_INET, .sin_port = htons(1701),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval wait = { .tv_usec = 200000 };
	char err[256] = "";
	int rx;

	if (netns_skip[0])
		return;
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
	ck_assert_int_eq(system("ip link set lo up"), 0);
	ck_assert_msg(natport_install(false, ports_1701, 1, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(natport_ids_add(0x11, 7, err, sizeof(err)) == 0, "%s", err);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(rx, 0);
	ck_assert_int_eq(setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)), 0);
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&at, sizeof(at)), 0);

	ck_assert(reaches(rx, 0x11, data_7, sizeof(data_7)));
	ck_assert(!reaches(rx, 0x11, data_8, sizeof(data_8)));
	ck_assert(reaches(rx, 0x11, long_7, sizeof(long_7)));
	ck_assert(!reaches(rx, 0x11, long_8, sizeof(long_8)));
	ck_assert(reaches(rx, 0x11, ctl_8, sizeof(ctl_8)));
	ck_assert(reaches(rx, 0x22, data_8, sizeof(data_8)));
	ck_assert(reaches(rx, 0, data_8, sizeof(data_8)));
	/* a second tunnel of the SA: the mark stays while one is left */
	ck_assert_msg(natport_ids_add(0x11, 8, err, sizeof(err)) == 0, "%s", err);
	ck_assert(reaches(rx, 0x11, data_8, sizeof(data_8)));
	ck_assert_msg(natport_ids_del(0x11, 8, false, err, sizeof(err)) == 0, "%s", err);
	ck_assert(!reaches(rx, 0x11, data_8, sizeof(data_8)));
	ck_assert_msg(natport_ids_del(0x11, 7, true, err, sizeof(err)) == 0, "%s", err);
	ck_assert(reaches(rx, 0x11, data_8, sizeof(data_8)));
	close(rx);
}
END_TEST

/* ---- main ---------------------------------------------------------- */

static void probe_netns(char *why, size_t len)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct nfct_handle *h;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (nft("add table inet l2tpsrv_probe\n", NULL, 0) != 0)
			_exit(2);
		h = nfct_open(CONNTRACK, 0);
		_exit(h ? 0 : 3);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		snprintf(why, len, "cannot run a probe process");
	else if (WEXITSTATUS(status) == 1)
		snprintf(why, len, "cannot make a network namespace (needs CAP_SYS_ADMIN)");
	else if (WEXITSTATUS(status) == 2)
		snprintf(why, len, "nft cannot add a table in a new network namespace");
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, len, "no ctnetlink (nf_conntrack_netlink)");
}

int main(void)
{
	static char netns_name[REASON_MAX + 64];
	Suite *s = suite_create("natport");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, the_kernel_rule_is_6_11);
	tcase_add_test(tc, the_table_replaces_itself_and_keys_the_maps_by_mark_and_port);
	tcase_add_test(tc, the_guard_covers_every_listen_port_or_is_absent);
	tcase_add_test(tc, a_tunnel_is_four_elements);
	tcase_add_test(tc, data_messages_are_checked_by_mark_and_tunnel_id);
	suite_add_tcase(s, tc);
	probe_netns(netns_skip, sizeof(netns_skip));
	if (netns_skip[0])
		snprintf(netns_name, sizeof(netns_name), "netns # SKIP %s; skipped", netns_skip);
	else
		snprintf(netns_name, sizeof(netns_name), "netns");
	tc = tcase_create(netns_name);
	tcase_add_test(tc, install_add_del_remove);
	tcase_add_test(tc, the_tunnel_socket_gets_its_zone_and_port_1701_and_forget_clears_it);
	tcase_add_test(tc, a_data_message_reaches_us_only_naming_a_tunnel_of_its_mark);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
