/*
 * config_ppp: the PPP and address keys of l2tpsrv.conf (pool, local_ip,
 * dns, ppp_auth, dataplane, and the defaults of those and of ppp_mtu,
 * ppp_mru and mss_clamp), apart from config.c to keep both files short.
 *
 * Internal to the config parser: config.c reads the lines, and reports
 * problems as "file:line: " followed by the text these functions give.
 * What is declared here before the PPP keys is shared with config_radius.c.
 */
#ifndef L2TPSRV_CONFIG_PPP_H
#define L2TPSRV_CONFIG_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "config.h"

#define CONFIG_QUOTE_MAX 64 /* input octets shown in a message */
#define CONFIG_WHY_MAX 640  /* a problem, without "file:line: ": room for two quotes */

/* A piece of input made safe to print: "text", with '"', '\\' and
 * non-printable octets escaped, cut after CONFIG_QUOTE_MAX octets. */
struct config_quoted {
	char s[1 + 4 * CONFIG_QUOTE_MAX + 1 + 3 + 1];
};

/* In config.c. Returns q->s. */
const char *config_quote(struct config_quoted *q, const char *s, size_t len);

enum config_address_result {
	CONFIG_ADDRESS_OK,
	CONFIG_ADDRESS_BAD,	    /* not a numeric address, or bad brackets */
	CONFIG_ADDRESS_UNBRACKETED, /* IPv6 without brackets: "::1:1701" is ambiguous */
	CONFIG_ADDRESS_BAD_PORT,    /* the address is good, the port not 1..65535 */
};

/*
 * In config.c. ADDRESS, ADDRESS:PORT, [V6ADDRESS] or [V6ADDRESS]:PORT
 * (numeric only) into *addr, with default_port unless a port is given. On
 * CONFIG_ADDRESS_BAD_PORT, *port and *port_len say where the port is.
 */
enum config_address_result config_parse_address(const char *v, size_t len,
						uint16_t default_port,
						struct sockaddr_storage *addr,
						socklen_t *addr_len, const char **port,
						size_t *port_len);

/* A key parsed and written in a file of its own (config_ppp.c, config_radius.c). */
struct config_split_key {
	/* May appear on several lines (up to a limit); the first replaces the default. */
	bool repeatable;
	/*
	 * Stores the value v (unquoted, len octets, NUL-terminated) and returns
	 * true, or writes the problem to why and returns false. first: the
	 * key's first line in this text (a list then starts afresh).
	 */
	bool (*set)(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
		    char why[CONFIG_WHY_MAX]);
	/* Writes "key = value" lines that set it back. */
	void (*dump)(const struct l2tpsrv_config *c, FILE *f);
};

extern const struct config_split_key config_ppp_pool;
extern const struct config_split_key config_ppp_local_ip;
extern const struct config_split_key config_ppp_dns;
extern const struct config_split_key config_ppp_auth;
extern const struct config_split_key config_ppp_dataplane;
extern const struct config_split_key config_ppp_nat_datapath;

void config_ppp_defaults(struct l2tpsrv_config *c);

/*
 * The checks between these keys once the whole text is read: local_ip in
 * no pool. pool_line[i] is the line that set c->pools[i] and local_ip_line
 * the one that set local_ip (0: not this text). On a problem, returns
 * false with the line to report it on (0: none) in *line.
 */
bool config_ppp_check(const struct l2tpsrv_config *c, const unsigned int *pool_line,
		      unsigned int local_ip_line, unsigned int *line, char why[CONFIG_WHY_MAX]);

#endif
