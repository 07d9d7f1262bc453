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

#define CONFIG_DEFAULT_PATH "/etc/l2tpsrv/l2tpsrv.conf"
#define CONFIG_MAX_LISTEN 8
#define CONFIG_MAX_SECRET 256
#define CONFIG_MAX_HOST_NAME 64

struct config_listen {
	struct sockaddr_storage addr; /* IPv4 or IPv6 address and UDP port */
	socklen_t addr_len;
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
	/* control_socket = PATH. Default /run/l2tpsrv/control. */
	char control_socket[108];
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

/* Writes the effective settings as a config file would, secret masked. */
void config_dump(const struct l2tpsrv_config *c, FILE *f);

#endif
