/*
 * ppp_args: the command line of one call's pppd, built from the call and
 * the settings. Pure: no I/O, so the tests check every argument.
 *
 * The order matters because pppd takes the last value of an option:
 *   1. the channel (Debian's pppol2tp.so on an inherited PPPoL2TP socket,
 *      or a pty for the userspace data path) and our plugin;
 *   2. defaults an admin may change: LCP echo for dead peers;
 *   3. the admin's options file ("file PATH"), when there is one;
 *   4. what the server decides and nobody may undo: authentication
 *      required with exactly the configured methods, the addresses from
 *      our pool, DNS, MTU/MRU, no default route, nodetach and a linkname.
 * /etc/ppp/options, which pppd always reads first, is overridden the
 * same way (Debian's has "auth crtscts lock modem").
 */
#ifndef L2TPSRV_PPP_ARGS_H
#define L2TPSRV_PPP_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The PPP authentication methods a call may use (a bitmask). */
enum ppp_auth {
	PPP_AUTH_PAP = 1 << 0,
	PPP_AUTH_CHAP = 1 << 1,      /* CHAP with MD5 */
	PPP_AUTH_MSCHAP = 1 << 2,    /* MS-CHAPv1 */
	PPP_AUTH_MSCHAP_V2 = 1 << 3,
	PPP_AUTH_EAP = 1 << 4,       /* pppd's EAP, or relayed to RADIUS by our plugin */
};

#define PPP_ARGS_MAX_DNS 2

struct ppp_args_call {
	/* Exactly one of: channel_fd >= 0 (PPPoL2TP socket number inside pppd) or tty. */
	int channel_fd;
	const char *tty;
	uint16_t tunnel_id;
	uint16_t session_id;
	uint32_t local_addr; /* host order */
	uint32_t remote_addr;
	uint32_t dns[PPP_ARGS_MAX_DNS];
	size_t n_dns;
	unsigned int mtu;
	unsigned int mru;
	unsigned int auth; /* enum ppp_auth bits; 0 is refused (-EINVAL) */
	const char *options_file; /* or NULL */
	const char *plugin;       /* our pppd plugin's path, or NULL */
	const char *control_socket;
	/*
	 * RADIUS authenticates the peer: the plugin's "l2tpsrv-radius" hands
	 * pppd's PAP and CHAP checks to l2tpsrv (CTL_AUTH) instead of pppd's
	 * secrets files. Needs the plugin (-EINVAL without), or pppd would
	 * quietly check its own files.
	 */
	bool radius_auth;
};

#define PPP_ARGS_MAX 64

struct ppp_args {
	char *argv[PPP_ARGS_MAX + 1]; /* NULL-terminated, pointing into buf or at literals */
	size_t argc;
	char buf[1024];
	size_t used;
};

/* 0, or -EINVAL (bad call) or -ENOSPC (does not fit). */
int ppp_args_build(struct ppp_args *a, const char *pppd_path, const struct ppp_args_call *c);

#endif
