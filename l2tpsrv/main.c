/*
 * l2tpsrv: the L2TP network server (RFC 2661) of an L2TP/IPsec gateway.
 *
 * This is the foundation's skeleton: it builds and links against libsystemd
 * but serves nothing yet. The control plane (tunnels, sessions, reliable
 * delivery) is the next piece of work; until it lands, running the daemon
 * says so and fails rather than pretending to listen.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: l2tpsrv [--version] [--help]\n"
		"L2TP network server (RFC 2661) for L2TP/IPsec gateways.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("l2tpsrv %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
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
	fprintf(stderr, "l2tpsrv: the L2TP control plane is not implemented yet; nothing to serve\n");
	sd_notify(0, "STATUS=not implemented yet");
	return EXIT_FAILURE;
}
