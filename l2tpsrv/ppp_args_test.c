/*
 * Tests of pppd's command line: the channel, our plugin, the admin's
 * options file, and what the server enforces after it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check_tap.h"
#include "ppp_args.h"

#define ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static struct ppp_args_call kernel_call(void)
{
	return (struct ppp_args_call){
		.channel_fd = 3,
		.tunnel_id = 7,
		.session_id = 9,
		.local_addr = ADDR(192, 168, 42, 1),
		.remote_addr = ADDR(192, 168, 42, 10),
		.mtu = 1400,
		.mru = 1400,
		.auth = PPP_AUTH_MSCHAP_V2,
		.plugin = "/usr/lib/pppd/2.4.9/l2tpsrv.so",
		.control_socket = "/run/l2tpsrv/control",
	};
}

/* The whole command line, space-separated. */
static const char *joined(const struct ppp_args *a)
{
	static char s[2048];
	size_t n = 0;

	s[0] = '\0';
	for (size_t i = 0; i < a->argc; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%s", i ? " " : "", a->argv[i]);
	ck_assert_ptr_null(a->argv[a->argc]);
	return s;
}

/* Index of arg in argv, or -1. */
static int find(const struct ppp_args *a, const char *arg)
{
	for (size_t i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], arg) == 0)
			return (int)i;
	return -1;
}

START_TEST(kernel_channel_and_defaults)
{
	struct ppp_args_call c = kernel_call();
	struct ppp_args a;

	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_str_eq(joined(&a),
			 "/usr/sbin/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_lns_mode "
			 "pppol2tp_tunnel_id 7 pppol2tp_session_id 9 "
			 "plugin /usr/lib/pppd/2.4.9/l2tpsrv.so l2tpsrv-socket /run/l2tpsrv/control "
			 "l2tpsrv-tunnel 7 l2tpsrv-session 9 "
			 "lcp-echo-interval 30 lcp-echo-failure 4 lcp-max-terminate 0 "
			 "auth require-mschap-v2 192.168.42.1:192.168.42.10 mtu 1400 mru 1400 "
			 "nodefaultroute noipdefault nodetach linkname l2tpsrv-7-9");
}
END_TEST

START_TEST(tty_channel_overrides_debian_options)
{
	struct ppp_args_call c = kernel_call();
	struct ppp_args a;

	c.channel_fd = -1;
	c.tty = "/dev/pts/4";
	c.plugin = NULL;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_str_eq(a.argv[1], "/dev/pts/4");
	/* Debian's /etc/ppp/options says crtscts, lock, modem: a pty has no modem lines */
	ck_assert_int_gt(find(&a, "local"), 0);
	ck_assert_int_gt(find(&a, "nocrtscts"), 0);
	ck_assert_int_gt(find(&a, "nolock"), 0);
	ck_assert_int_eq(find(&a, "pppol2tp.so"), -1);
	ck_assert_int_eq(find(&a, "plugin"), -1);
}
END_TEST

START_TEST(options_file_before_enforced)
{
	struct ppp_args_call c = kernel_call();
	struct ppp_args a;
	int file;

	c.options_file = "/etc/ppp/options.l2tpsrv";
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	file = find(&a, "file");
	ck_assert_int_gt(file, 0);
	ck_assert_str_eq(a.argv[file + 1], "/etc/ppp/options.l2tpsrv");
	/* the admin may change LCP echo, not authentication, addresses or MTU */
	ck_assert_int_lt(find(&a, "lcp-echo-interval"), file);
	ck_assert_int_lt(find(&a, "lcp-max-terminate"), file);
	ck_assert_int_gt(find(&a, "auth"), file);
	ck_assert_int_gt(find(&a, "192.168.42.1:192.168.42.10"), file);
	ck_assert_int_gt(find(&a, "mtu"), file);
	ck_assert_int_gt(find(&a, "nodetach"), file);
}
END_TEST

START_TEST(every_auth_method_and_dns)
{
	struct ppp_args_call c = kernel_call();
	struct ppp_args a;

	c.auth = PPP_AUTH_PAP | PPP_AUTH_CHAP | PPP_AUTH_MSCHAP | PPP_AUTH_MSCHAP_V2;
	c.dns[0] = ADDR(10, 0, 0, 53);
	c.dns[1] = ADDR(9, 9, 9, 9);
	c.n_dns = 2;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_ptr_nonnull(strstr(joined(&a), "auth require-pap require-chap require-mschap "
						  "require-mschap-v2 192.168.42.1:192.168.42.10 "
						  "ms-dns 10.0.0.53 ms-dns 9.9.9.9 mtu"));
	c.auth = PPP_AUTH_EAP;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_int_gt(find(&a, "require-eap"), 0);
	ck_assert_int_eq(find(&a, "require-mschap-v2"), -1);
	c.auth = PPP_AUTH_PAP;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_int_gt(find(&a, "require-pap"), 0);
	ck_assert_int_eq(find(&a, "require-mschap-v2"), -1);
	ck_assert_int_eq(find(&a, "require-chap"), -1);
}
END_TEST

START_TEST(bad_calls_refused)
{
	struct ppp_args_call c = kernel_call();
	struct ppp_args a;

	c.auth = 0;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
	c = kernel_call();
	c.auth = 1 << 7;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
	c = kernel_call();
	c.tty = "/dev/pts/1"; /* both channels */
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
	c = kernel_call();
	c.channel_fd = -1; /* neither */
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
	c = kernel_call();
	c.remote_addr = 0;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
	c = kernel_call();
	c.n_dns = 3;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
	c = kernel_call();
	c.control_socket = NULL;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
}
END_TEST

START_TEST(radius_auth_adds_the_plugin_flag)
{
	struct ppp_args_call c = kernel_call();
	struct ppp_args a;
	int session;

	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_int_eq(find(&a, "l2tpsrv-radius"), -1);
	c.radius_auth = true;
	c.options_file = "/etc/ppp/options.l2tpsrv";
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_ptr_nonnull(strstr(joined(&a), "plugin /usr/lib/pppd/2.4.9/l2tpsrv.so "
						  "l2tpsrv-socket /run/l2tpsrv/control "
						  "l2tpsrv-tunnel 7 l2tpsrv-session 9 l2tpsrv-radius "
						  "lcp-echo-interval"));
	/* a plugin option: after the plugin is loaded, before the admin's file */
	session = find(&a, "l2tpsrv-session");
	ck_assert_int_eq(find(&a, "l2tpsrv-radius"), session + 2);
	ck_assert_int_lt(find(&a, "l2tpsrv-radius"), find(&a, "file"));
	/* still the server's address and methods: RADIUS may change them only through the plugin */
	ck_assert_int_gt(find(&a, "192.168.42.1:192.168.42.10"), find(&a, "file"));
	ck_assert_int_gt(find(&a, "require-mschap-v2"), find(&a, "file"));
	/* without the plugin pppd would check its own secrets files: refused */
	c.plugin = NULL;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), -EINVAL);
}
END_TEST

START_TEST(too_long_is_enospc)
{
	static char long_path[2000];
	struct ppp_args_call c = kernel_call();
	struct ppp_args a;

	memset(long_path, 'x', sizeof(long_path) - 1);
	c.options_file = long_path; /* pointed at, not copied: fits */
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	c.options_file = NULL;
	c.tty = long_path; /* also pointed at */
	c.channel_fd = -1;
	ck_assert_int_eq(ppp_args_build(&a, "/usr/sbin/pppd", &c), 0);
	ck_assert_uint_le(a.used, sizeof(a.buf));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ppp_args");
	TCase *tc = tcase_create("ppp_args");

	tcase_add_test(tc, kernel_channel_and_defaults);
	tcase_add_test(tc, tty_channel_overrides_debian_options);
	tcase_add_test(tc, options_file_before_enforced);
	tcase_add_test(tc, every_auth_method_and_dns);
	tcase_add_test(tc, bad_calls_refused);
	tcase_add_test(tc, radius_auth_adds_the_plugin_flag);
	tcase_add_test(tc, too_long_is_enospc);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
