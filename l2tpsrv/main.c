/*
 * l2tpsrv: the L2TP network server (RFC 2661) of an L2TP/IPsec gateway.
 *
 * main only reads the command line and the configuration and hands over
 * to server_run(); everything else lives in its own layer.
 */
#include "autoconfig.h" /* PACKAGE_VERSION */

#include <errno.h>
#include <getopt.h>
#include <linux/if_pppox.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "dataplane.h"
#include "log.h"
#include "mss_clamp.h"
#include "server.h"

/* The kernel can carry PPP over L2TP: PPPoL2TP sockets (l2tp_ppp, loaded on demand). */
static bool kernel_has_pppol2tp(void)
{
	int fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static struct dataplane *open_kernel(bool quiet)
{
	struct dataplane *dp;
	int r = kernel_has_pppol2tp() ? 0 : -errno;

	dp = r < 0 ? NULL : dataplane_kernel_new(&r);
	if (!dp && !quiet)
		fprintf(stderr, "l2tpsrv: no kernel L2TP data path: %s%s\n", strerror(-r),
			r == -ENOENT || r == -EAFNOSUPPORT || r == -EPROTONOSUPPORT
				? " (modprobe l2tp_netlink l2tp_ppp)"
				: "");
	return dp;
}

/* The data path the settings ask for; auto takes the kernel's when it can. */
static struct dataplane *open_dataplane(enum config_dataplane want)
{
	struct dataplane *dp = NULL;
	sd_event *event = NULL;

	switch (want) {
	case CONFIG_DATAPLANE_AUTO:
		dp = open_kernel(true);
		if (dp)
			return dp;
		log_msg(LOG_NOTICE, "event=dataplane_fallback dataplane=userspace "
				    "reason=\"no kernel L2TP/PPPoL2TP\"");
		/* fall through */
	case CONFIG_DATAPLANE_USERSPACE:
		if (sd_event_default(&event) >= 0)
			dp = dataplane_user_new(event);
		sd_event_unref(event); /* the data path keeps its own reference */
		break;
	case CONFIG_DATAPLANE_KERNEL:
		return open_kernel(false);
	case CONFIG_DATAPLANE_NULL:
		dp = dataplane_null_new();
		break;
	}
	if (!dp)
		fprintf(stderr, "l2tpsrv: out of memory\n");
	return dp;
}

/* Clamps TCP MSS on the PPP interfaces; a server that cannot clamp still serves. */
static bool install_mss_clamp(uint16_t ppp_mtu)
{
	uint16_t mss = mss_clamp_for_mtu(ppp_mtu);
	char err[256];

	if (mss_clamp_install(mss, err, sizeof(err)) < 0) {
		log_msg(LOG_WARNING, "event=mss_clamp_failed mss=%u error=\"%s\"", mss, err);
		return false;
	}
	log_msg(LOG_INFO, "event=mss_clamp mss=%u", mss);
	return true;
}

static void remove_mss_clamp(void)
{
	char err[256];

	if (mss_clamp_remove(err, sizeof(err)) < 0)
		log_msg(LOG_WARNING, "event=mss_clamp_remove_failed error=\"%s\"", err);
	else
		log_msg(LOG_INFO, "event=mss_clamp_removed");
}

static bool parse_dataplane(const char *s, enum config_dataplane *out)
{
	for (enum config_dataplane d = CONFIG_DATAPLANE_AUTO; d <= CONFIG_DATAPLANE_NULL; d++)
		if (!strcmp(s, config_dataplane_name(d))) {
			*out = d;
			return true;
		}
	return false;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: l2tpsrv [-c FILE] [--check-config [--quiet]] [--dataplane NAME] [--debug]\n"
		"               [--allow-unencrypted]\n"
		"       l2tpsrv --version | --help\n"
		"L2TP network server (RFC 2661) for L2TP/IPsec gateways.\n"
		"\n"
		"  -c, --config FILE   configuration file (default %s;\n"
		"                      a missing default file means embedded defaults)\n"
		"  --check-config      check the configuration, print the effective\n"
		"                      settings (secret masked) and exit\n"
		"  -q, --quiet         with --check-config: print only errors\n"
		"  --dataplane NAME    data path, overriding the config's \"dataplane\":\n"
		"                      auto (kernel if the kernel has L2TP, else\n"
		"                      userspace; the default), kernel (PPPoL2TP),\n"
		"                      userspace (pppd on a pty) or null (no PPP)\n"
		"  -d, --debug         log at debug level\n"
		"  --allow-unencrypted take L2TP that no IPsec SA protects (the config's\n"
		"                      allow_unencrypted = yes): troubleshooting only\n",
		CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_DATAPLANE, OPT_UNENCRYPTED };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "dataplane", required_argument, NULL, OPT_DATAPLANE },
		{ "debug", no_argument, NULL, 'd' },
		{ "allow-unencrypted", no_argument, NULL, OPT_UNENCRYPTED },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	static struct l2tpsrv_config cfg;
	const char *path = CONFIG_DEFAULT_PATH;
	bool explicit_path = false, check_only = false, debug = false, clamped;
	bool unencrypted = false, quiet = false;
	const char *dataplane = NULL;
	enum config_dataplane dp_choice;
	struct server_source src = { 0 };
	struct dataplane *dp;
	char err[512];
	int c, r;

	while ((c = getopt_long(argc, argv, "hVc:dq", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("l2tpsrv %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'c':
			path = optarg;
			explicit_path = true;
			break;
		case OPT_CHECK:
			check_only = true;
			break;
		case OPT_DATAPLANE:
			if (!parse_dataplane(optarg, &dp_choice)) {
				fprintf(stderr,
					"l2tpsrv: unknown data path '%s' (known: auto, kernel, "
					"userspace, null)\n",
					optarg);
				return EXIT_FAILURE;
			}
			dataplane = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case OPT_UNENCRYPTED:
			unencrypted = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "l2tpsrv: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_FAILURE;
	}

	config_defaults(&cfg);
	r = config_load(&cfg, path, explicit_path, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
	if (dataplane)
		cfg.dataplane = dp_choice; /* the command line wins */
	if (unencrypted)
		cfg.allow_unencrypted = true;
	if (check_only) {
		if (!quiet)
			config_dump(&cfg, stdout);
		return EXIT_SUCCESS;
	}
	log_set_level(debug ? LOG_DEBUG : cfg.log_level);

	dp = open_dataplane(cfg.dataplane);
	if (!dp)
		return EXIT_FAILURE;
	/* only the kernel and userspace data paths have PPP interfaces */
	clamped = cfg.mss_clamp && dp->ops->carries_ppp && install_mss_clamp(cfg.ppp_mtu);
	src.path = path;
	src.must_exist = explicit_path;
	src.debug = debug;
	src.mss_clamped = clamped;
	src.dataplane_from_cli = dataplane != NULL;
	src.unencrypted_from_cli = unencrypted;
	r = server_run(&cfg, dp, &src);
	if (clamped)
		remove_mss_clamp();
	dataplane_free(dp);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
