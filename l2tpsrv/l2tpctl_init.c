/*
 * l2tpctl init: first-run setup of a fresh gateway.
 *
 *   l2tpctl init [--force] [--user NAME] [--root DIR] [--pool CIDR]
 *
 * Writes three files under ROOT (default /):
 *
 *   etc/swanctl/conf.d/l2tpsrv-secrets.conf  a random IPsec pre-shared key
 *   etc/l2tpsrv/l2tpsrv.conf                 a client address pool that
 *                                            clashes with no address or
 *                                            route of this host
 *   etc/ppp/chap-secrets                     a first PPP user, random password
 *
 * and prints what the clients need. Every file is checked before any is
 * written: an existing file (or, in chap-secrets, an existing line of the
 * user) stops it unless --force. All three are staged as temporary files
 * beside their targets and only then renamed into place, so a failure
 * before the renames leaves no file behind (directories, maybe). The
 * secrets go into the files and to stdout, never to stderr.
 *
 * On a gateway set up already, "l2tpctl add-user" (l2tpctl_add_user.c)
 * adds a user; init's refusal says so. What both write and how is in
 * l2tpctl_setup.c.
 */
#include "autoconfig.h"

#include "l2tpctl_init.h"
#include "l2tpctl_pool.h"
#include "l2tpctl_setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "l2tpctl init"

#define SWANCTL_CONN_FILE SETUP_SECRETS_DIR "/l2tpsrv.conf"
#define CONFIG_DIR "/etc/l2tpsrv"
#define CONFIG_FILE CONFIG_DIR "/l2tpsrv.conf"
#define DEFAULT_USER "vpnuser"

struct init_options {
	bool force;
	const char *user;
	const char *root; /* with no trailing '/': "" for / */
	const char *pool; /* CIDR, or NULL to choose one */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpctl init [--force] [--user NAME] [--root DIR] [--pool CIDR]\n"
		   "  Writes a random IPsec pre-shared key (" SETUP_SECRETS_FILE "),\n"
		   "  " CONFIG_FILE " with a client address pool that clashes with\n"
		   "  nothing on this host, and a first PPP user with a random password\n"
		   "  (" SETUP_CHAP_FILE "), then prints how to set up the clients.\n"
		   "  --force       replace existing files (and the user's line)\n"
		   "  --user NAME   the first user (default " DEFAULT_USER ")\n"
		   "  --root DIR    write below DIR instead of / (image building)\n"
		   "  --pool CIDR   the clients' network, /16 to /29 (default: the first\n"
		   "                of 192.168.42.0/24, 10.42.0.0/24, ... free here)\n"
		   "  On a gateway set up already, add users with l2tpctl add-user.\n");
}

/* --- the files' contents --- */

static void format_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(buf, len, "(unknown time)");
}

static void write_secrets_conf(FILE *f, const char *when, const char *psk)
{
	fprintf(f, "# Written by l2tpctl init on %s.\n"
		   "# The IPsec pre-shared key of the connection l2tp-psk (l2tpsrv.conf\n"
		   "# beside this file): every client uses it. Keep this file mode 0600.\n"
		   "# The key is the string itself, as the clients type it; load it with\n"
		   "# swanctl --load-creds.\n"
		   "\n"
		   "secrets {\n"
		   "\tike-l2tpsrv {\n"
		   "\t\tsecret = \"%s\"\n"
		   "\t}\n"
		   "}\n",
		when, psk);
}

static void write_l2tpsrv_conf(FILE *f, const char *when, const struct client_pool *p)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];

	fprintf(f, "# Written by l2tpctl init on %s.\n", when);
	fprintf(f, "# Every setting not here has its built-in default; l2tpsrv.conf.example\n"
		   "# lists them all. Check a change with: l2tpsrv --check-config\n"
		   "\n");
	fprintf(f, "# The clients' addresses, in %s/%u: a network that no address\n"
		   "# or route of this host overlapped when it was chosen.\n",
		ipv4_format(p->net.first, net), p->net.prefix);
	fprintf(f, "pool = %s-%s\n", ipv4_format(p->first, a), ipv4_format(p->last, b));
	fprintf(f, "# The server's end of every call's PPP link.\n");
	fprintf(f, "local_ip = %s\n", ipv4_format(p->local_ip, a));
}

struct plan {
	struct init_options opt;
	struct client_pool pool;
	char psk[SETUP_PSK_CHARS + 1];
	char when[64];
	struct out_file secrets_file, config_file;
	struct chap_update chap;
};

static void build_secrets(FILE *f, const void *arg)
{
	const struct plan *p = arg;

	write_secrets_conf(f, p->when, p->psk);
}

static void build_config(FILE *f, const void *arg)
{
	const struct plan *p = arg;

	write_l2tpsrv_conf(f, p->when, &p->pool);
}

/* --- the summary --- */

static void print_files(const struct plan *p)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];

	printf("l2tpctl init wrote:\n");
	printf("  %s\n      the IPsec pre-shared key (mode 0600)\n", p->secrets_file.path);
	printf("  %s\n      client addresses %s-%s, server end %s\n", p->config_file.path,
	       ipv4_format(p->pool.first, a), ipv4_format(p->pool.last, b),
	       ipv4_format(p->pool.local_ip, c));
	printf("  %s\n      the user %s (mode 0600)\n\n", p->chap.file.path, p->opt.user);
}

static void print_next_steps(const struct plan *p)
{
	char conn[PATH_MAX];

	printf("Next, on this server:\n"
	       "  1. swanctl --load-all          (or: systemctl restart strongswan)\n"
	       "  2. systemctl restart l2tpsrv\n"
	       "  3. Let UDP ports 500 and 4500 in (and ESP, IP protocol 50, from\n"
	       "     clients that are not behind NAT).\n");
	snprintf(conn, sizeof(conn), "%s" SWANCTL_CONN_FILE, p->opt.root);
	if (!setup_exists(conn))
		printf("  Note: the IPsec connections are missing: install\n"
		       "     packaging/swanctl/l2tpsrv.conf as %s first.\n",
		       conn);
	printf("\n");
}

static void print_clients(void)
{
	printf("Windows 10/11:\n"
	       "  1. Settings > Network & internet > VPN > Add VPN (Windows 10: Add a VPN\n"
	       "     connection). VPN provider: Windows (built-in); Server name or address:\n"
	       "     the server address; VPN type: \"L2TP/IPsec with pre-shared key\";\n"
	       "     Pre-shared key: the key; Type of sign-in info: User name and\n"
	       "     password; then the user name and password. Save, then Connect.\n"
	       "  2. MS-CHAP v2 must be allowed (it is by default): Control Panel >\n"
	       "     Network Connections (ncpa.cpl) > the VPN's Properties > Security >\n"
	       "     Allow these protocols > Microsoft CHAP Version 2 (MS-CHAP v2).\n"
	       "  3. When the server (or the server and the client) is behind NAT,\n"
	       "     Windows refuses with error 809 until this is set, as administrator,\n"
	       "     followed by a reboot:\n"
	       "     reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent"
	       " /v AssumeUDPEncapsulationContextOnSendRule /t REG_DWORD /d 2 /f\n"
	       "     (the DWORD value AssumeUDPEncapsulationContextOnSendRule = 2 under\n"
	       "     HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent).\n\n");
	printf("macOS:\n"
	       "  System Settings > VPN > Add VPN Configuration > L2TP over IPSec.\n"
	       "  Server address: the server address; Account name: the user name;\n"
	       "  User authentication: Password, the password; Machine authentication:\n"
	       "  Shared secret, the pre-shared key. Create, then switch it on.\n"
	       "  (macOS 12 and older: System Preferences > Network > + > Interface: VPN,\n"
	       "  VPN Type: L2TP over IPSec; the secret under Authentication Settings.)\n\n");
	printf("iPhone, iPad (iOS/iPadOS):\n"
	       "  Settings > General > VPN & Device Management > VPN > Add VPN\n"
	       "  Configuration > Type: L2TP. Server: the server address; Account: the\n"
	       "  user name; Password: the password; Secret: the pre-shared key; Send All\n"
	       "  Traffic: on. Done, then switch it on.\n\n");
	printf("Android:\n"
	       "  Android 11 and older: Settings > Network & internet > VPN > + ; Type:\n"
	       "  L2TP/IPSec PSK; Server address: the server address; IPSec pre-shared\n"
	       "  key: the key (leave L2TP secret and IPSec identifier empty); then the\n"
	       "  user name and password when connecting.\n"
	       "  Android 12 and newer have no built-in L2TP/IPsec client any more (only\n"
	       "  IKEv2): they cannot use this server with the system's VPN settings.\n");
}

static int print_summary(const struct plan *p, const struct host_nets *hn)
{
	print_files(p);
	setup_print_credentials(hn, "every client", p->psk, NULL, p->opt.user, p->chap.password);
	print_next_steps(p);
	print_clients();
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -EIO;
}

/* --- the steps --- */

static int parse_options(int argc, char **argv, struct init_options *o, char *root_buf,
			 size_t root_len)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "user", required_argument, NULL, 'u' },
		{ "root", required_argument, NULL, 'r' },
		{ "pool", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/";
	int c;

	*o = (struct init_options){ .user = DEFAULT_USER };
	optind = 0; /* glibc: start over at argv[1] */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->force = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'p':
			o->pool = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	if (!setup_user_is_valid(o->user)) {
		fprintf(stderr, PROG ": --user %s: " SETUP_USER_RULE "\n", o->user);
		return -EINVAL;
	}
	o->root = root_buf;
	return setup_root_arg(PROG, root, root_buf, root_len);
}

/*
 * Whether path holds settings: a file of nothing but comments and blank
 * lines (the package's l2tpsrv.conf, every line commented out) holds none,
 * and init may write it without --force. Unreadable or large: settings.
 */
static bool has_settings(const char *path)
{
	char line[1024];
	bool any = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return errno != ENOENT;
	while (!any && fgets(line, sizeof(line), f)) {
		const char *c = line + strspn(line, " \t\r\n");

		any = *c != '\0' && *c != '#';
	}
	fclose(f);
	return any;
}

/* Reads chap-secrets and refuses to replace anything without --force. */
static int check_existing(struct plan *p)
{
	const bool force = p->opt.force;
	bool set_up = false;
	int conflicts = 0, r;

	r = chap_update_read(&p->chap, p->opt.root, p->opt.user);
	if (r < 0) {
		fprintf(stderr, PROG ": %s: %s\n", p->chap.file.path, strerror(-r));
		return r;
	}
	if (!force && setup_exists(p->secrets_file.path)) {
		fprintf(stderr, PROG ": %s: exists; use --force to replace it\n",
			p->secrets_file.path);
		set_up = true;
		conflicts++;
	}
	if (!force && has_settings(p->config_file.path)) {
		fprintf(stderr, PROG ": %s: exists; use --force to replace it\n",
			p->config_file.path);
		set_up = true;
		conflicts++;
	}
	if (!force && chap_update_has_user(&p->chap)) {
		fprintf(stderr, PROG ": %s: the user %s exists; use --force to replace"
				" that user's line\n", p->chap.file.path, p->opt.user);
		conflicts++;
	}
	if (!conflicts)
		return 0;
	fprintf(stderr, PROG ": nothing written\n");
	if (set_up)
		fprintf(stderr, PROG ": this gateway is set up already; to add a user with the same"
				" pre-shared key and pool: l2tpctl add-user NAME%s%s\n"
				PROG ": (--force starts over, with a new pre-shared key for every"
				" client)\n",
			p->opt.root[0] ? " --root " : "", p->opt.root);
	return -EEXIST;
}

static int make_contents(struct plan *p)
{
	int r;

	format_now(p->when, sizeof(p->when));
	r = setup_make_psk(p->psk);
	if (r == 0)
		r = chap_update_build(&p->chap, CHAP_REPLACE_LINES);
	if (r == 0)
		r = out_file_build(&p->secrets_file, build_secrets, p);
	if (r == 0)
		r = out_file_build(&p->config_file, build_config, p);
	if (r == -ENOMEM)
		fprintf(stderr, PROG ": out of memory\n");
	else if (r < 0)
		fprintf(stderr, PROG ": getrandom: %s\n", strerror(-r));
	return r;
}

/* Stages all three files, then renames them into place. */
static int write_files(struct plan *p)
{
	static const char *const dirs[] = { SETUP_SECRETS_DIR, CONFIG_DIR, SETUP_CHAP_DIR };
	struct out_file *const files[] = { &p->secrets_file, &p->config_file, &p->chap.file };

	return setup_write_files(PROG, p->opt.root, dirs, files, 3);
}

/* --pool: refused when it overlaps anything of this host's, unless --force. */
static int choose_given_pool(const struct host_nets *hn, const struct init_options *o,
			     struct client_pool *p)
{
	const struct host_net *clash;
	char why[64], what[96];

	if (!client_pool_parse(o->pool, p, why, sizeof(why))) {
		fprintf(stderr, PROG ": --pool %s: %s\n", o->pool, why);
		return -EINVAL;
	}
	clash = host_nets_clash(hn, &p->net);
	if (!clash)
		return 0;
	host_net_describe(clash, what, sizeof(what));
	fprintf(stderr, PROG ": --pool %s: overlaps %s%s\n", o->pool, what,
		o->force ? " (taken anyway: --force)" : "; use --force to take it anyway");
	return o->force ? 0 : -EEXIST;
}

static int choose_free_pool(const struct host_nets *hn, struct client_pool *p)
{
	int r = client_pool_choose(hn, p);

	if (r < 0)
		fprintf(stderr, PROG ": every candidate pool (192.168.42.0/24, 10.42.0.0/24, ...)"
				" overlaps this host's addresses or routes: give one with --pool\n");
	return r;
}

static int prepare(struct plan *p, const struct host_nets *hn)
{
	int r;

	if ((r = out_file_set_path(&p->secrets_file, p->opt.root, SETUP_SECRETS_FILE, 0600)) < 0 ||
	    (r = out_file_set_path(&p->config_file, p->opt.root, CONFIG_FILE, 0644)) < 0) {
		fprintf(stderr, PROG ": --root %s: path too long\n", p->opt.root);
		return r;
	}
	r = setup_check_root(PROG, p->opt.root);
	if (r == 0)
		r = check_existing(p);
	if (r == 0)
		r = p->opt.pool ? choose_given_pool(hn, &p->opt, &p->pool)
				: choose_free_pool(hn, &p->pool);
	if (r == 0)
		r = make_contents(p);
	return r;
}

int l2tpctl_init(int argc, char **argv)
{
	struct plan plan = { 0 }, *p = &plan;
	struct host_nets hn = { 0 };
	char root[PATH_MAX];
	int r;

	r = parse_options(argc, argv, &p->opt, root, sizeof(root));
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	r = setup_read_host_nets(PROG, &hn);
	if (r == 0)
		r = prepare(p, &hn);
	if (r == 0)
		r = write_files(p);
	if (r == 0 && print_summary(p, &hn) < 0) {
		fprintf(stderr, PROG ": could not print the summary; the key and password are in"
				" %s and %s\n", p->secrets_file.path, p->chap.file.path);
		r = -EIO;
	}
	out_file_free(&p->secrets_file);
	out_file_free(&p->config_file);
	chap_update_free(&p->chap);
	explicit_bzero(p->psk, sizeof(p->psk));
	host_nets_free(&hn);
	return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
