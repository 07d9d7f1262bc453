/*
 * config: the daemon's settings, read from /etc/l2tpsrv/l2tpsrv.conf.
 *
 * The file is lines of "key = value"; '#' starts a comment; blank lines
 * are fine. Every setting has an embedded default, so an absent or empty
 * file gives a working server. A bad line is reported as
 * "file:line: problem" and the whole load fails: nothing half-applied.
 */
#ifndef L2TPSRV_CONFIG_H
#define L2TPSRV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "dae.h"
#include "radius.h"

#define CONFIG_DEFAULT_PATH "/etc/l2tpsrv/l2tpsrv.conf"
/* Where the package installs the pppd plugin (configure --with-pppd-plugin-dir). */
#ifndef CONFIG_DEFAULT_PPPD_PLUGIN
#define CONFIG_DEFAULT_PPPD_PLUGIN "/usr/lib/pppd/2.4.9/l2tpsrv.so"
#endif
#define CONFIG_MAX_LISTEN 8
#define CONFIG_MAX_SECRET 256
#define CONFIG_MAX_HOST_NAME 64
#define CONFIG_MAX_POOL 8		/* pool lines */
#define CONFIG_MAX_POOL_LINE 65536	/* addresses in one pool line */
#define CONFIG_MAX_DNS 2

struct config_listen {
	struct sockaddr_storage addr; /* IPv4 or IPv6 address and UDP port */
	socklen_t addr_len;
};

/* Addresses first..last, inclusive, in host byte order. */
struct config_pool_range {
	uint32_t first, last;
};

/* The PPP authentication methods a client may use: a bitmask. */
enum config_auth {
	CONFIG_AUTH_PAP = 1 << 0,
	CONFIG_AUTH_CHAP = 1 << 1,	 /* CHAP with MD5 */
	CONFIG_AUTH_MSCHAP = 1 << 2,	 /* MS-CHAP (version 1) */
	CONFIG_AUTH_MSCHAP_V2 = 1 << 3,
	CONFIG_AUTH_EAP = 1 << 4,
};

/* Which data path carries the calls' PPP frames. */
enum config_dataplane {
	CONFIG_DATAPLANE_AUTO,	    /* kernel when the kernel has it, else userspace */
	CONFIG_DATAPLANE_KERNEL,    /* the kernel's L2TP and PPPoL2TP */
	CONFIG_DATAPLANE_USERSPACE, /* frames through the daemon and a pty */
	CONFIG_DATAPLANE_NULL,	    /* none: control connection only (tests) */
};

/* How tunnels of clients behind one NAT (same address and port) share our port. */
enum config_nat_datapath {
	CONFIG_NAT_DATAPATH_AUTO,      /* same-port where the kernel allows it, else nat-port */
	CONFIG_NAT_DATAPATH_SAME_PORT, /* every tunnel socket on the listen port */
	CONFIG_NAT_DATAPATH_NAT_PORT,  /* marked tunnels on ports of their own (natport.h) */
};

struct l2tpsrv_config {
	/* listen = ADDRESS[:PORT] | [V6ADDRESS]:PORT, repeatable. Default 0.0.0.0:1701. */
	struct config_listen listen[CONFIG_MAX_LISTEN];
	size_t n_listen;
	/* host_name = NAME: our Host Name AVP. Default: the system's host name. */
	char host_name[CONFIG_MAX_HOST_NAME];
	/* secret = TEXT: tunnel secret (authentication and hidden AVPs). Default none. */
	uint8_t secret[CONFIG_MAX_SECRET];
	size_t secret_len; /* 0: no secret */
	/* hide_avps = yes|no: hide the AVPs we send (needs a secret). Default no. */
	bool hide_avps;
	/* hello_interval = DURATION: idle time before a HELLO; 0 sends none. Default 60s. */
	uint64_t hello_interval_usec;
	/* retransmit_initial = DURATION (default 1s), retransmit_max = DURATION
	 * (default 8s), retransmit_count = N (default 5). */
	uint64_t retransmit_initial_usec;
	uint64_t retransmit_max_usec;
	unsigned int retransmit_count;
	/* ack_delay = DURATION: wait before a ZLB acknowledgement. Default 200ms. */
	uint64_t ack_delay_usec;
	/* receive_window = 1..1024: our Receive Window Size. Default 16. */
	uint16_t receive_window;
	/* max_tunnels (default 10000), max_sessions (default 20000),
	 * max_tunnels_per_peer (default 16), max_sessions_per_tunnel (default 256);
	 * 0 means no limit (up to what the 16-bit ids allow). */
	unsigned int max_tunnels;
	unsigned int max_sessions;
	unsigned int max_tunnels_per_peer;
	unsigned int max_sessions_per_tunnel;
	/* pppd_options = PATH: the options file each call's pppd reads ("file PATH"),
	 * used only when it exists. Default /etc/ppp/options.l2tpsrv. */
	char pppd_options[256];
	/* pppd_plugin = PATH: our pppd plugin, which reports each call's user,
	 * address and counters; used only when it exists. Default
	 * CONFIG_DEFAULT_PPPD_PLUGIN. */
	char pppd_plugin[256];
	/* pool = FIRST-LAST | NETWORK/PREFIX, repeatable: the addresses given to
	 * clients, at most 65536 a line, no overlaps. Default
	 * 192.168.42.10-192.168.42.250. */
	struct config_pool_range pools[CONFIG_MAX_POOL];
	size_t n_pools;
	/* local_ip = ADDRESS: our end of every call's PPP link, outside the
	 * pools. Default 192.168.42.1. Host byte order. */
	uint32_t local_ip;
	/* dns = ADDRESS, repeatable: DNS servers pushed to clients (ms-dns).
	 * Default none. Host byte order. */
	uint32_t dns[CONFIG_MAX_DNS];
	size_t n_dns;
	/* ppp_mtu, ppp_mru = 576..1500. Default 1400 each. */
	uint16_t ppp_mtu;
	uint16_t ppp_mru;
	/* ppp_auth = LIST of pap, chap, mschap, mschap-v2, eap. Default mschap-v2. */
	unsigned int ppp_auth; /* enum config_auth bits; never 0 */
	/* mss_clamp = yes|no: clamp TCP MSS on the PPP interfaces. Default yes.
	 * Applied by mss_clamp.c (nftables) on the kernel and userspace paths. */
	bool mss_clamp;
	/* dataplane = auto|kernel|userspace|null. Default auto. */
	enum config_dataplane dataplane;
	/* nat_datapath = auto|same-port|nat-port. Default auto. */
	enum config_nat_datapath nat_datapath;
	/* control_socket = PATH. Default /run/l2tpsrv/control. */
	char control_socket[108];
	/* charon_socket = PATH: where our charon plugin reports IPsec SAs.
	 * Default /run/l2tpsrv/charon.sock (charon_proto.h). */
	char charon_socket[108];
	/* allow_unencrypted = yes|no: take L2TP that no IPsec SA protects
	 * (no ESP socket policy, no peer check). For troubleshooting only;
	 * logged loudly at start and for every such tunnel. Default no. */
	bool allow_unencrypted;
	/* RADIUS (radius.h; config_radius.c parses these):
	 * radius_auth_server = HOST[:PORT] SECRET and radius_acct_server =
	 * HOST[:PORT] SECRET, each repeatable up to RADIUS_MAX_SERVERS, in order
	 * of preference; HOST an IPv4 or [IPv6] address, PORT 1812 and 1813 by
	 * default, SECRET the rest of the value (1..127 octets, never logged nor
	 * quoted in an error). Default none: no RADIUS.
	 * radius_timeout = DURATION (one try, default 3s), radius_retries = N
	 * (more tries per server, 0..10, default 2), radius_dead_time = DURATION
	 * (whole seconds, default 30s; 0 never marks a server dead). */
	struct radius_config radius;
	/* radius_nas_identifier = TEXT: our NAS-Identifier. Default: host_name
	 * (and it follows host_name when only that is set). */
	char radius_nas_identifier[CONFIG_MAX_HOST_NAME];
	/* radius_nas_ip = IPV4: our NAS-IP-Address, network byte order. Default
	 * 0.0.0.0: not sent. */
	uint32_t radius_nas_ip;
	/* radius_acct_interim = DURATION: Interim-Update interval when the
	 * Access-Accept names none (Acct-Interim-Interval wins). Default 0: none.
	 * Intervals under 10s, from here or RADIUS, are raised to 10s. */
	unsigned int radius_acct_interim_s;
	/* RFC 5176 Dynamic Authorization (dae.h): radius_dae_client = HOST
	 * SECRET, repeatable up to RADIUS_MAX_SERVERS, the only addresses whose
	 * Disconnect-Request and CoA-Request are heard (a :PORT is ignored);
	 * default none, and nothing listens. radius_dae_port = N, default
	 * 3799; a CoA-Request may set Session-Timeout and Idle-Timeout.
	 * radius_dae_terminate_ike = yes|no: a Disconnect-Request also
	 * deletes the client's IKE SA (through our charon plugin); default yes. */
	struct dae_config radius_dae;
	bool radius_dae_terminate_ike;
	/* metrics = ADDRESS:PORT | [V6ADDRESS]:PORT: serve the counters to
	 * Prometheus over HTTP there (GET /metrics, metrics.h). Default none:
	 * nothing listens. A loopback address only, unless metrics_allow_remote
	 * = yes (default no): the page has no authentication. */
	struct config_listen metrics; /* addr_len 0: off */
	bool metrics_allow_remote;
	/* log_level = error|warning|notice|info|debug. Default info. */
	int log_level; /* syslog priority */
};

/* Fills c with the embedded defaults. */
void config_defaults(struct l2tpsrv_config *c);

/*
 * Loads path over c (call config_defaults() first). A missing file is an
 * error only when must_exist. On failure returns a negative errno, writes
 * "path:line: problem" (or "path: problem") to err, and leaves c as the
 * defaults were: nothing half-applied.
 */
int config_load(struct l2tpsrv_config *c, const char *path, bool must_exist, char *err,
		size_t err_len);
/* The same for text already in memory; name is used in messages. */
int config_parse(struct l2tpsrv_config *c, const char *name, const char *text, char *err,
		 size_t err_len);

/* "auto", "kernel", "userspace" or "null" ("?" for anything else). */
const char *config_dataplane_name(enum config_dataplane d);
const char *config_nat_datapath_name(enum config_nat_datapath d);

/* Writes the effective settings as a config file would, secret masked. */
void config_dump(const struct l2tpsrv_config *c, FILE *f);

#endif
