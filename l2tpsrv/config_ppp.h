/*
 * config_ppp: the PPP and address keys of l2tpsrv.conf (pool, local_ip,
 * dns, ppp_auth, dataplane, and the defaults of those and of ppp_mtu,
 * ppp_mru and mss_clamp), apart from config.c to keep both files short.
 *
 * Internal to the config parser: config.c reads the lines, and reports
 * problems as "file:line: " followed by the text these functions give.
 */
#ifndef L2TPSRV_CONFIG_PPP_H
#define L2TPSRV_CONFIG_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

struct config_ppp_key {
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

extern const struct config_ppp_key config_ppp_pool;
extern const struct config_ppp_key config_ppp_local_ip;
extern const struct config_ppp_key config_ppp_dns;
extern const struct config_ppp_key config_ppp_auth;
extern const struct config_ppp_key config_ppp_dataplane;

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
