/*
 * l2tpsrv: the L2TP network server (RFC 2661) of an L2TP/IPsec gateway.
 *
 * main only reads the command line and the configuration and hands over
 * to server_run(); everything else lives in its own layer.
 */
#include "autoconfig.h" /* PACKAGE_VERSION */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "dataplane.h"
#include "log.h"
#include "server.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: l2tpsrv [-c FILE] [--check-config] [--dataplane kernel|null] [--debug]\n"
		"       l2tpsrv --version | --help\n"
		"L2TP network server (RFC 2661) for L2TP/IPsec gateways.\n"
		"\n"
		"  -c, --config FILE   configuration file (default %s;\n"
		"                      a missing default file means embedded defaults)\n"
		"  --check-config      check the configuration, print the effective\n"
		"                      settings (secret masked) and exit\n"
		"  --dataplane NAME    data path: null (control plane only, the default)\n"
		"                      or kernel (PPPoL2TP, one pppd per call)\n"
		"  -d, --debug         log at debug level\n",
		CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_DATAPLANE };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "dataplane", required_argument, NULL, OPT_DATAPLANE },
		{ "debug", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	static struct l2tpsrv_config cfg;
	const char *path = CONFIG_DEFAULT_PATH;
	bool explicit_path = false, check_only = false, debug = false;
	const char *dataplane = "null";
	struct dataplane *dp;
	char err[512];
	int c, r;

	while ((c = getopt_long(argc, argv, "hVc:d", opts, NULL)) != -1) {
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
			if (strcmp(optarg, "null") != 0 && strcmp(optarg, "kernel") != 0) {
				fprintf(stderr,
					"l2tpsrv: unknown data path '%s' (known: kernel, null)\n",
					optarg);
				return EXIT_FAILURE;
			}
			dataplane = optarg;
			break;
		case 'd':
			debug = true;
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
	if (check_only) {
		config_dump(&cfg, stdout);
		return EXIT_SUCCESS;
	}
	log_set_level(debug ? LOG_DEBUG : cfg.log_level);

	if (!strcmp(dataplane, "kernel")) {
		dp = dataplane_kernel_new(&r);
		if (!dp) {
			fprintf(stderr, "l2tpsrv: no kernel L2TP data path: %s%s\n", strerror(-r),
				r == -ENOENT ? " (modprobe l2tp_netlink l2tp_ppp)" : "");
			return EXIT_FAILURE;
		}
	} else {
		dp = dataplane_null_new();
		if (!dp) {
			fprintf(stderr, "l2tpsrv: out of memory\n");
			return EXIT_FAILURE;
		}
	}
	r = server_run(&cfg, dp);
	dataplane_free(dp);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
