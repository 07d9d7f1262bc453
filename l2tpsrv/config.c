/*
 * config: reads l2tpsrv.conf into struct l2tpsrv_config (config_dump.c
 * writes one back; config_keys.h is the table of keys both use).
 *
 * Syntax (packaging/l2tpsrv.conf.example documents every key):
 *  - one "key = value" a line; blank lines and lines whose first non-blank
 *    character is '#' are ignored; whitespace around keys and values is
 *    trimmed; LF or CRLF line endings; a leading UTF-8 byte order mark is
 *    skipped;
 *  - a comment may follow a value after whitespace ("max_tunnels = 100  # x").
 *    A '#' glued to an unquoted value ("secret = ab#cd") is an error, so that
 *    a secret is never silently cut short;
 *  - a value may be double-quoted; inside quotes \" and \\ are the only
 *    escapes. Quotes are needed for a '#' or for leading or trailing spaces.
 *
 * Every problem is reported as "name:line: problem" (or "name: problem" when
 * it belongs to no line) quoting the bad input, except that the secret's
 * text never appears in a message. Parsing works on a copy: the caller's
 * struct changes only when the whole text is good.
 */
#include "charon_proto.h"
#include "config.h"
#include "config_keys.h"
#include "config_metrics.h"
#include "config_ppp.h"
#include "config_radius.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#define LINE_MAX_CHARS 4096		/* not counting the "\n" or "\r\n" */
#define FILE_MAX_OCTETS (1024 * 1024)
#define DEFAULT_PORT 1701

#define FIELD(f) offsetof(struct l2tpsrv_config, f), sizeof(((struct l2tpsrv_config *)0)->f)

/* In the order config_dump() writes them. */
const struct key config_keys[N_KEYS] = {
	[K_LISTEN] = { "listen", T_LISTEN, FIELD(listen), 0, 0 },
	[K_HOST_NAME] = { "host_name", T_HOST_NAME, FIELD(host_name), 0, 0 },
	[K_SECRET] = { "secret", T_SECRET, FIELD(secret), 0, 0 },
	[K_HIDE_AVPS] = { "hide_avps", T_BOOL, FIELD(hide_avps), 0, 0 },
	/* 0 disables HELLOs */
	[K_HELLO_INTERVAL] = { "hello_interval", T_DURATION, FIELD(hello_interval_usec), 0,
			       24 * USEC_PER_HOUR },
	[K_RETRANSMIT_INITIAL] = { "retransmit_initial", T_DURATION,
				   FIELD(retransmit_initial_usec), USEC_PER_MSEC, USEC_PER_HOUR },
	[K_RETRANSMIT_MAX] = { "retransmit_max", T_DURATION, FIELD(retransmit_max_usec),
			       USEC_PER_MSEC, USEC_PER_HOUR },
	[K_RETRANSMIT_COUNT] = { "retransmit_count", T_NUMBER, FIELD(retransmit_count), 1, 32 },
	/* 0 acknowledges at once; the peer's first retransmission is usually 1s away */
	[K_ACK_DELAY] = { "ack_delay", T_DURATION, FIELD(ack_delay_usec), 0, 10 * USEC_PER_SEC },
	[K_RECEIVE_WINDOW] = { "receive_window", T_NUMBER, FIELD(receive_window), 1, 1024 },
	[K_MAX_TUNNELS] = { "max_tunnels", T_NUMBER, FIELD(max_tunnels), 0, 65535 },
	[K_MAX_SESSIONS] = { "max_sessions", T_NUMBER, FIELD(max_sessions), 0, 10000000 },
	[K_MAX_TUNNELS_PER_PEER] = { "max_tunnels_per_peer", T_NUMBER,
				     FIELD(max_tunnels_per_peer), 0, 65535 },
	[K_MAX_SESSIONS_PER_TUNNEL] = { "max_sessions_per_tunnel", T_NUMBER,
					FIELD(max_sessions_per_tunnel), 0, 65535 },
	[K_PPPD_OPTIONS] = { "pppd_options", T_PATH, FIELD(pppd_options), 0, 0 },
	[K_PPPD_PLUGIN] = { "pppd_plugin", T_PATH, FIELD(pppd_plugin), 0, 0 },
	[K_POOL] = { "pool", T_SPLIT, FIELD(pools), 0, 0 },
	[K_LOCAL_IP] = { "local_ip", T_SPLIT, FIELD(local_ip), 0, 0 },
	[K_DNS] = { "dns", T_SPLIT, FIELD(dns), 0, 0 },
	[K_PPP_MTU] = { "ppp_mtu", T_NUMBER, FIELD(ppp_mtu), 576, 1500 },
	[K_PPP_MRU] = { "ppp_mru", T_NUMBER, FIELD(ppp_mru), 576, 1500 },
	[K_PPP_AUTH] = { "ppp_auth", T_SPLIT, FIELD(ppp_auth), 0, 0 },
	[K_MSS_CLAMP] = { "mss_clamp", T_BOOL, FIELD(mss_clamp), 0, 0 },
	[K_DATAPLANE] = { "dataplane", T_SPLIT, FIELD(dataplane), 0, 0 },
	[K_NAT_DATAPATH] = { "nat_datapath", T_SPLIT, FIELD(nat_datapath), 0, 0 },
	[K_CONTROL_SOCKET] = { "control_socket", T_PATH, FIELD(control_socket), 0, 0 },
	[K_CHARON_SOCKET] = { "charon_socket", T_PATH, FIELD(charon_socket), 0, 0 },
	[K_ALLOW_UNENCRYPTED] = { "allow_unencrypted", T_BOOL, FIELD(allow_unencrypted), 0, 0 },
	[K_RADIUS_AUTH_SERVER] = { "radius_auth_server", T_SPLIT, FIELD(radius.auth), 0, 0 },
	[K_RADIUS_ACCT_SERVER] = { "radius_acct_server", T_SPLIT, FIELD(radius.acct), 0, 0 },
	[K_RADIUS_TIMEOUT] = { "radius_timeout", T_DURATION_MS, FIELD(radius.timeout_ms),
			       10 * USEC_PER_MSEC, USEC_PER_MIN },
	[K_RADIUS_RETRIES] = { "radius_retries", T_NUMBER, FIELD(radius.retries), 0, 10 },
	/* 0 never marks a server dead */
	[K_RADIUS_DEAD_TIME] = { "radius_dead_time", T_DURATION_S, FIELD(radius.dead_time_s), 0,
				 USEC_PER_HOUR },
	[K_RADIUS_NAS_IDENTIFIER] = { "radius_nas_identifier", T_HOST_NAME,
				      FIELD(radius_nas_identifier), 0, 0 },
	[K_RADIUS_NAS_IP] = { "radius_nas_ip", T_SPLIT, FIELD(radius_nas_ip), 0, 0 },
	[K_RADIUS_ACCT_INTERIM] = { "radius_acct_interim", T_DURATION_S,
				    FIELD(radius_acct_interim_s), 0, 24 * USEC_PER_HOUR },
	[K_RADIUS_DAE_CLIENT] = { "radius_dae_client", T_SPLIT, FIELD(radius_dae.clients), 0, 0 },
	[K_RADIUS_DAE_PORT] = { "radius_dae_port", T_NUMBER, FIELD(radius_dae.port), 1, 65535 },
	[K_RADIUS_DAE_TERMINATE_IKE] = { "radius_dae_terminate_ike", T_BOOL,
					 FIELD(radius_dae_terminate_ike), 0, 0 },
	[K_METRICS] = { "metrics", T_SPLIT, FIELD(metrics), 0, 0 },
	[K_METRICS_ALLOW_REMOTE] = { "metrics_allow_remote", T_BOOL, FIELD(metrics_allow_remote), 0,
				     0 },
	[K_LOG_LEVEL] = { "log_level", T_LOG_LEVEL, FIELD(log_level), 0, 0 },
};

/* The T_SPLIT keys. */
const struct config_split_key *const config_split_keys[N_KEYS] = {
	[K_POOL] = &config_ppp_pool,
	[K_LOCAL_IP] = &config_ppp_local_ip,
	[K_DNS] = &config_ppp_dns,
	[K_PPP_AUTH] = &config_ppp_auth,
	[K_DATAPLANE] = &config_ppp_dataplane,
	[K_NAT_DATAPATH] = &config_ppp_nat_datapath,
	[K_RADIUS_AUTH_SERVER] = &config_radius_auth_server,
	[K_RADIUS_ACCT_SERVER] = &config_radius_acct_server,
	[K_RADIUS_NAS_IP] = &config_radius_nas_ip,
	[K_RADIUS_DAE_CLIENT] = &config_radius_dae_client,
	[K_METRICS] = &config_metrics_address,
};

const struct config_log_level config_log_levels[CONFIG_N_LOG_LEVELS] = {
	{ "error", LOG_ERR },   { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },   { "debug", LOG_DEBUG },
};

struct parser {
	const char *name;
	unsigned int line;
	char *err;
	size_t err_len;
	struct l2tpsrv_config c;	/* the copy being built */
	unsigned int key_line[N_KEYS];	/* line that last set each key; 0: not in this text */
	unsigned int pool_line[CONFIG_MAX_POOL]; /* line that set c.pools[i]; 0: not this text */
	char value[LINE_MAX_CHARS + 1];	/* the current value, unquoted */
	size_t value_len;
};

static const char *quote(struct config_quoted *q, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	q->s[o++] = '"';
	for (size_t i = 0; i < len && i < CONFIG_QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			q->s[o++] = '\\';
			q->s[o++] = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			q->s[o++] = '\\';
			q->s[o++] = 'x';
			q->s[o++] = hex[ch >> 4];
			q->s[o++] = hex[ch & 0xf];
		} else {
			q->s[o++] = (char)ch;
		}
	}
	q->s[o++] = '"';
	if (len > CONFIG_QUOTE_MAX) {
		memcpy(q->s + o, "...", 3);
		o += 3;
	}
	q->s[o] = '\0';
	return q->s;
}

/* quote(), for config_ppp.c */
const char *config_quote(struct config_quoted *q, const char *s, size_t len)
{
	return quote(q, s, len);
}

__attribute__((format(printf, 5, 0))) static void verror(char *err, size_t err_len,
							  const char *name, unsigned int line,
							  const char *fmt, va_list ap)
{
	int n;

	if (!err || err_len == 0)
		return;
	if (!name)
		name = "(config)";
	if (line)
		n = snprintf(err, err_len, "%s:%u: ", name, line);
	else
		n = snprintf(err, err_len, "%s: ", name);
	if (n < 0 || (size_t)n >= err_len)
		return;
	vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
}

__attribute__((format(printf, 5, 6))) static void set_error(char *err, size_t err_len,
							    const char *name, unsigned int line,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, err_len, name, line, fmt, ap);
	va_end(ap);
}

/* Reports a problem on line (0: the whole text) and returns false. */
__attribute__((format(printf, 3, 4))) static bool fail_at(struct parser *p, unsigned int line,
							  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(p->err, p->err_len, p->name, line, fmt, ap);
	va_end(ap);
	return false;
}

/* Reports a problem on the current line and returns false. */
__attribute__((format(printf, 2, 3))) static bool fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(p->err, p->err_len, p->name, p->line, fmt, ap);
	va_end(ap);
	return false;
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	return s;
}

static const char *trim_blanks_right(const char *start, const char *end)
{
	while (end > start && is_blank(end[-1]))
		end--;
	return end;
}

static void *field_of(struct l2tpsrv_config *c, const struct key *k)
{
	return (char *)c + k->offset;
}

static void store_number(void *field, size_t size, uint64_t v)
{
	if (size == sizeof(uint16_t)) {
		uint16_t x = (uint16_t)v;
		memcpy(field, &x, size);
	} else if (size == sizeof(unsigned int)) {
		unsigned int x = (unsigned int)v;
		memcpy(field, &x, size);
	} else {
		memcpy(field, &v, sizeof(v));
	}
}

/* Decimal digits only: no sign, no spaces, no hex. -ERANGE past UINT64_MAX. */
static int parse_decimal(const char *s, size_t len, uint64_t *v)
{
	uint64_t n = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned int)(s[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

/* "250ms", "5s", "5" (seconds), "10m", "1h". */
static int parse_duration(const char *s, size_t len, uint64_t *usec)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} units[] = {
		{ "ms", USEC_PER_MSEC }, { "s", USEC_PER_SEC }, { "m", USEC_PER_MIN },
		{ "h", USEC_PER_HOUR },  { "", USEC_PER_SEC },
	};
	size_t digits = 0;
	uint64_t n;
	int r;

	while (digits < len && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (digits == 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (len - digits != strlen(units[i].suffix) ||
		    memcmp(s + digits, units[i].suffix, len - digits) != 0)
			continue;
		r = parse_decimal(s, digits, &n);
		if (r < 0)
			return r;
		if (n > UINT64_MAX / units[i].usec)
			return -ERANGE;
		*usec = n * units[i].usec;
		return 0;
	}
	return -EINVAL;
}

/* See config_keys.h. */
const char *config_format_duration(uint64_t usec, char buf[32])
{
	if (usec == 0)
		snprintf(buf, 32, "0");
	else if (usec % USEC_PER_HOUR == 0)
		snprintf(buf, 32, "%lluh", (unsigned long long)(usec / USEC_PER_HOUR));
	else if (usec % USEC_PER_MIN == 0)
		snprintf(buf, 32, "%llum", (unsigned long long)(usec / USEC_PER_MIN));
	else if (usec % USEC_PER_SEC == 0)
		snprintf(buf, 32, "%llus", (unsigned long long)(usec / USEC_PER_SEC));
	else
		snprintf(buf, 32, "%llums",
			 (unsigned long long)(usec / USEC_PER_MSEC + (usec % USEC_PER_MSEC != 0)));
	return buf;
}

static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	uint64_t n;

	if (parse_decimal(s, len, &n) < 0 || n < 1 || n > 65535)
		return false;
	*port = (uint16_t)n;
	return true;
}

enum config_address_result config_parse_address(const char *v, size_t len,
						uint16_t default_port,
						struct sockaddr_storage *addr,
						socklen_t *addr_len, const char **port,
						size_t *port_len)
{
	char host[INET6_ADDRSTRLEN];
	const char *host_start = v, *host_end, *port_start = NULL, *end = v + len;
	uint16_t n = default_port;
	bool v6 = false;

	if (len > 0 && v[0] == '[') {
		const char *close = memchr(v, ']', len);

		if (!close || (close + 1 < end && close[1] != ':'))
			return CONFIG_ADDRESS_BAD;
		host_start = v + 1;
		host_end = close;
		if (close + 1 < end)
			port_start = close + 2;
		v6 = true;
	} else {
		const char *colon = memchr(v, ':', len);

		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			return CONFIG_ADDRESS_UNBRACKETED;
		host_end = colon ? colon : end;
		if (colon)
			port_start = colon + 1;
	}
	if ((size_t)(host_end - host_start) >= sizeof(host))
		return CONFIG_ADDRESS_BAD;
	memcpy(host, host_start, (size_t)(host_end - host_start));
	host[host_end - host_start] = '\0';

	memset(addr, 0, sizeof(*addr));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return CONFIG_ADDRESS_BAD;
		sin6->sin6_family = AF_INET6;
		*addr_len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)addr;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return CONFIG_ADDRESS_BAD;
		sin->sin_family = AF_INET;
		*addr_len = sizeof(*sin);
	}
	if (port_start && !parse_port(port_start, (size_t)(end - port_start), &n)) {
		*port = port_start;
		*port_len = (size_t)(end - port_start);
		return CONFIG_ADDRESS_BAD_PORT;
	}
	if (v6)
		((struct sockaddr_in6 *)addr)->sin6_port = htons(n);
	else
		((struct sockaddr_in *)addr)->sin_port = htons(n);
	return CONFIG_ADDRESS_OK;
}

static bool parse_listen(struct parser *p, const char *v, size_t len, struct config_listen *l)
{
	struct config_quoted q, qp;
	const char *port = NULL;
	size_t port_len = 0;

	memset(l, 0, sizeof(*l));
	switch (config_parse_address(v, len, DEFAULT_PORT, &l->addr, &l->addr_len, &port,
				     &port_len)) {
	case CONFIG_ADDRESS_OK:
		return true;
	case CONFIG_ADDRESS_UNBRACKETED:
		return fail(p, "bad listen address %s: write IPv6 in brackets, "
			       "as in [2001:db8::1]:1701",
			    quote(&q, v, len));
	case CONFIG_ADDRESS_BAD_PORT:
		return fail(p, "bad port %s in listen %s (1..65535)", quote(&qp, port, port_len),
			    quote(&q, v, len));
	case CONFIG_ADDRESS_BAD:
		break;
	}
	return fail(p, "bad listen address %s", quote(&q, v, len));
}

static bool set_listen(struct parser *p, const char *v, size_t len)
{
	struct l2tpsrv_config *c = &p->c;
	struct config_listen l;
	struct config_quoted q;

	/* the file's first listen replaces the list it was loaded over */
	if (p->key_line[K_LISTEN] == 0) {
		memset(c->listen, 0, sizeof(c->listen));
		c->n_listen = 0;
	}
	if (!parse_listen(p, v, len, &l))
		return false;
	for (size_t i = 0; i < c->n_listen; i++) {
		if (c->listen[i].addr_len == l.addr_len &&
		    memcmp(&c->listen[i].addr, &l.addr, l.addr_len) == 0)
			return fail(p, "duplicate listen %s", quote(&q, v, len));
	}
	if (c->n_listen >= CONFIG_MAX_LISTEN)
		return fail(p, "too many listen lines (at most %d)", CONFIG_MAX_LISTEN);
	c->listen[c->n_listen++] = l;
	return true;
}

static bool has_control_char(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return true;
	}
	return false;
}

/* host_name and the paths: text of 1..size-1 octets, no control characters. */
static bool set_text(struct parser *p, const struct key *k, const char *v, size_t len)
{
	struct config_quoted q;

	if (len == 0)
		return fail(p, "%s is empty", k->name);
	if (len >= k->size)
		return fail(p, "value too long for %s (at most %zu characters)", k->name,
			    k->size - 1);
	if (has_control_char(v, len))
		return fail(p, "bad %s %s: control character", k->name, quote(&q, v, len));
	if (k->type == T_PATH && v[0] != '/')
		return fail(p, "bad %s %s: not an absolute path", k->name, quote(&q, v, len));
	memset(field_of(&p->c, k), 0, k->size);
	memcpy(field_of(&p->c, k), v, len);
	return true;
}

/* Never quotes the value. */
static bool set_secret(struct parser *p, const char *v, size_t len)
{
	if (len == 0)
		return fail(p, "bad secret: empty");
	if (len > CONFIG_MAX_SECRET)
		return fail(p, "bad secret: too long (at most %d octets)", CONFIG_MAX_SECRET);
	memset(p->c.secret, 0, sizeof(p->c.secret));
	memcpy(p->c.secret, v, len);
	p->c.secret_len = len;
	return true;
}

static bool set_bool(struct parser *p, const struct key *k, const char *v, size_t len)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool *field = field_of(&p->c, k);
	struct config_quoted q;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*field = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*field = false;
			return true;
		}
	}
	return fail(p, "bad boolean %s for %s (yes or no)", quote(&q, v, len), k->name);
}

static bool set_duration(struct parser *p, const struct key *k, const char *v, size_t len)
{
	char lo[32], hi[32];
	struct config_quoted q;
	uint64_t usec;
	int r;

	r = parse_duration(v, len, &usec);
	if (r == -EINVAL)
		return fail(p, "bad duration %s for %s", quote(&q, v, len), k->name);
	if (r < 0 || usec < k->min || usec > k->max)
		return fail(p, "duration %s out of range for %s (%s..%s)", quote(&q, v, len),
			    k->name, config_format_duration(k->min, lo),
			    config_format_duration(k->max, hi));
	if (usec % duration_unit(k))
		return fail(p, "duration %s for %s is not a whole number of %s",
			    quote(&q, v, len), k->name,
			    k->type == T_DURATION_S ? "seconds" : "milliseconds");
	store_number(field_of(&p->c, k), k->size, usec / duration_unit(k));
	return true;
}

static bool set_number(struct parser *p, const struct key *k, const char *v, size_t len)
{
	struct config_quoted q;
	uint64_t n;
	int r;

	r = parse_decimal(v, len, &n);
	if (r == -EINVAL)
		return fail(p, "bad number %s for %s", quote(&q, v, len), k->name);
	if (r < 0 || n < k->min || n > k->max)
		return fail(p, "number %s out of range for %s (%llu..%llu)", quote(&q, v, len),
			    k->name, (unsigned long long)k->min, (unsigned long long)k->max);
	store_number(field_of(&p->c, k), k->size, n);
	return true;
}

static bool set_log_level(struct parser *p, const char *v, size_t len)
{
	struct config_quoted q;

	for (size_t i = 0; i < CONFIG_N_LOG_LEVELS; i++) {
		if (strcasecmp(v, config_log_levels[i].name) == 0) {
			p->c.log_level = config_log_levels[i].prio;
			return true;
		}
	}
	return fail(p, "bad log level %s for log_level (error, warning, notice, info or debug)",
		    quote(&q, v, len));
}

static bool set_ppp(struct parser *p, const struct key *k, const char *v, size_t len)
{
	size_t id = (size_t)(k - config_keys);
	char why[CONFIG_WHY_MAX];

	if (!config_split_keys[id]->set(&p->c, p->key_line[id] == 0, v, len, why))
		return fail(p, "%s", why);
	if (id == K_POOL)
		p->pool_line[p->c.n_pools - 1] = p->line;
	return true;
}

static bool set_value(struct parser *p, const struct key *k)
{
	const char *v = p->value;
	size_t len = p->value_len;

	switch (k->type) {
	case T_LISTEN:
		return set_listen(p, v, len);
	case T_HOST_NAME:
	case T_PATH:
		return set_text(p, k, v, len);
	case T_SECRET:
		return set_secret(p, v, len);
	case T_BOOL:
		return set_bool(p, k, v, len);
	case T_DURATION:
	case T_DURATION_MS:
	case T_DURATION_S:
		return set_duration(p, k, v, len);
	case T_NUMBER:
		return set_number(p, k, v, len);
	case T_LOG_LEVEL:
		return set_log_level(p, v, len);
	case T_SPLIT:
		return set_ppp(p, k, v, len);
	}
	return fail(p, "internal error: key %s has no type", k->name);
}

/* Whether a value of k holds a secret, which no message may quote. */
static bool holds_secret(const struct key *k)
{
	return k->type == T_SECRET || k == &config_keys[K_RADIUS_AUTH_SERVER] ||
	       k == &config_keys[K_RADIUS_ACCT_SERVER];
}

/*
 * Reads the value of key k from s..end (the text after '=') into p->value:
 * a quoted string, or unquoted text up to a comment, blanks trimmed. Input
 * is quoted in messages only when k holds no secret.
 */
static bool read_value(struct parser *p, const struct key *k, const char *s, const char *end)
{
	bool hide = holds_secret(k);
	const char *name = k->name;
	struct config_quoted q;
	size_t n = 0;

	s = skip_blanks(s, end);
	if (s < end && *s == '"') {
		for (s++;; s++) {
			if (s == end)
				return hide ? fail(p, "bad %s: no closing quote", name)
					    : fail(p, "no closing quote in value of %s", name);
			if (*s == '"')
				break;
			if (*s == '\\') {
				if (s + 1 == end || (s[1] != '"' && s[1] != '\\'))
					return hide ? fail(p, "bad %s: bad escape (only \\\" "
							      "and \\\\ are allowed)",
							   name)
						    : fail(p, "bad escape %s in value of %s "
							      "(only \\\" and \\\\ are allowed)",
							   quote(&q, s, s + 1 < end ? 2 : 1), name);
				s++;
			}
			p->value[n++] = *s;
		}
		s = skip_blanks(s + 1, end);
		if (s < end && *s != '#')
			return hide ? fail(p, "bad %s: text after the closing quote", name)
				    : fail(p, "text after the closing quote in value of %s: %s", name,
					   quote(&q, s, (size_t)(end - s)));
	} else {
		const char *start = s;

		for (; s < end && *s != '#'; s++)
			;
		if (s < end && s > start && !is_blank(s[-1])) {
			const char *vend = trim_blanks_right(start, end);

			return hide ? fail(p, "bad %s: \"#\" in an unquoted value; quote the "
					      "%s, or put a space before a comment",
					   name, k->type == T_SECRET ? "secret" : "value")
				    : fail(p, "\"#\" in unquoted value %s of %s; quote the value, or "
					      "put a space before a comment",
					   quote(&q, start, (size_t)(vend - start)), name);
		}
		s = trim_blanks_right(start, s);
		n = (size_t)(s - start);
		memcpy(p->value, start, n);
	}
	p->value[n] = '\0';
	p->value_len = n;
	return true;
}

static bool is_repeatable(size_t id)
{
	return id == K_LISTEN || (config_split_keys[id] && config_split_keys[id]->repeatable);
}

static const struct key *find_key(const char *s, size_t len)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strlen(config_keys[i].name) == len && memcmp(config_keys[i].name, s, len) == 0)
			return &config_keys[i];
	}
	return NULL;
}

/* One line, without its "\n". */
static bool parse_line(struct parser *p, const char *s, size_t len)
{
	const char *end, *eq, *key_end;
	const struct key *k;
	struct config_quoted q;
	size_t id;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > LINE_MAX_CHARS)
		return fail(p, "line too long (more than %d characters)", LINE_MAX_CHARS);
	end = s + len;
	s = skip_blanks(s, end);
	if (s == end || *s == '#')
		return true;
	/* The line is not quoted: it may be a secret with a missing "=". */
	eq = memchr(s, '=', (size_t)(end - s));
	if (!eq)
		return fail(p, "line without \"=\"");
	key_end = trim_blanks_right(s, eq);
	if (key_end == s)
		return fail(p, "no key before \"=\"");
	k = find_key(s, (size_t)(key_end - s));
	if (!k)
		return fail(p, "unknown key %s", quote(&q, s, (size_t)(key_end - s)));
	id = (size_t)(k - config_keys);
	if (p->key_line[id] && !is_repeatable(id))
		return fail(p, "duplicate key \"%s\"", k->name);
	if (!read_value(p, k, eq + 1, end) || !set_value(p, k))
		return false;
	p->key_line[id] = p->line;
	return true;
}

static unsigned int later_line(const struct parser *p, enum key_id a, enum key_id b)
{
	return p->key_line[a] > p->key_line[b] ? p->key_line[a] : p->key_line[b];
}

/* Rules between keys, once the whole text is read. */
static bool check_settings(struct parser *p)
{
	const struct l2tpsrv_config *c = &p->c;
	char a[32], b[32], why[CONFIG_WHY_MAX];
	unsigned int line = 0;

	if (c->hide_avps && c->secret_len == 0)
		return fail_at(p, later_line(p, K_HIDE_AVPS, K_SECRET), "hide_avps needs a secret");
	if (c->retransmit_max_usec < c->retransmit_initial_usec)
		return fail_at(p, later_line(p, K_RETRANSMIT_INITIAL, K_RETRANSMIT_MAX),
			       "retransmit_max (%s) is less than retransmit_initial (%s)",
			       config_format_duration(c->retransmit_max_usec, a),
			       config_format_duration(c->retransmit_initial_usec, b));
	if (!config_ppp_check(c, p->pool_line, p->key_line[K_LOCAL_IP], &line, why))
		return fail_at(p, line, "%s", why);
	if (!config_metrics_check(c, why))
		return fail_at(p, later_line(p, K_METRICS, K_METRICS_ALLOW_REMOTE), "%s", why);
	return true;
}

/*
 * radius_nas_identifier follows host_name: a text that sets host_name and
 * not it moves it along, unless it was set apart from host_name before
 * (old: the settings the text was loaded over).
 */
static void follow_host_name(struct parser *p, const struct l2tpsrv_config *old)
{
	if (p->key_line[K_HOST_NAME] && !p->key_line[K_RADIUS_NAS_IDENTIFIER] &&
	    strcmp(old->radius_nas_identifier, old->host_name) == 0)
		memcpy(p->c.radius_nas_identifier, p->c.host_name, sizeof(p->c.host_name));
}

int config_parse(struct l2tpsrv_config *c, const char *name, const char *text, char *err,
		 size_t err_len)
{
	struct parser *p;
	int r = -EINVAL;

	if (err && err_len)
		err[0] = '\0';
	p = calloc(1, sizeof(*p));
	if (!p) {
		set_error(err, err_len, name, 0, "out of memory");
		return -ENOMEM;
	}
	p->name = name;
	p->err = err;
	p->err_len = err_len;
	memcpy(&p->c, c, sizeof(p->c));

	if (strncmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		p->line++;
		if (!parse_line(p, text, len))
			goto out;
		text += len;
		if (*text)
			text++;
	}
	if (!check_settings(p))
		goto out;
	follow_host_name(p, c);
	memcpy(c, &p->c, sizeof(*c));
	r = 0;
out:
	explicit_bzero(p, sizeof(*p)); /* it held the secret */
	free(p);
	return r;
}

static unsigned int line_of(const char *text, size_t pos)
{
	unsigned int line = 1;

	for (size_t i = 0; i < pos; i++)
		line += text[i] == '\n';
	return line;
}

int config_load(struct l2tpsrv_config *c, const char *path, bool must_exist, char *err,
		size_t err_len)
{
	const char *nul;
	char *buf;
	size_t len = 0, n;
	FILE *f;
	int r;

	if (err && err_len)
		err[0] = '\0';
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r == -ENOENT && !must_exist)
			return 0;
		set_error(err, err_len, path, 0, "%s", strerror(-r));
		return r;
	}
	/* one allocation, so no stray copy of the secret is left behind by realloc */
	buf = malloc(FILE_MAX_OCTETS + 2);
	if (!buf) {
		fclose(f);
		set_error(err, err_len, path, 0, "out of memory");
		return -ENOMEM;
	}
	do {
		n = fread(buf + len, 1, FILE_MAX_OCTETS + 1 - len, f);
		len += n;
	} while (n > 0 && len <= FILE_MAX_OCTETS);
	if (ferror(f)) {
		r = errno ? -errno : -EIO;
		set_error(err, err_len, path, 0, "%s", strerror(-r));
	} else if (len > FILE_MAX_OCTETS) {
		r = -EFBIG;
		set_error(err, err_len, path, 0, "file too large (more than %d octets)",
			  FILE_MAX_OCTETS);
	} else if ((nul = memchr(buf, '\0', len))) {
		r = -EINVAL;
		set_error(err, err_len, path, line_of(buf, (size_t)(nul - buf)), "NUL byte");
	} else {
		buf[len] = '\0';
		r = config_parse(c, path, buf, err, err_len);
	}
	fclose(f);
	explicit_bzero(buf, len);
	free(buf);
	return r;
}

static void default_host_name(char *name, size_t size)
{
	char buf[256] = "";

	if (gethostname(buf, sizeof(buf) - 1) < 0 || buf[0] == '\0' || strlen(buf) >= size ||
	    has_control_char(buf, strlen(buf)))
		snprintf(buf, sizeof(buf), "l2tpsrv");
	snprintf(name, size, "%s", buf);
}

void config_defaults(struct l2tpsrv_config *c)
{
	struct sockaddr_in *any = (struct sockaddr_in *)&c->listen[0].addr;

	/* all zero first, padding included, so two defaults compare equal with memcmp */
	memset(c, 0, sizeof(*c));
	any->sin_family = AF_INET;
	any->sin_port = htons(DEFAULT_PORT);
	any->sin_addr.s_addr = htonl(INADDR_ANY);
	c->listen[0].addr_len = sizeof(*any);
	c->n_listen = 1;
	default_host_name(c->host_name, sizeof(c->host_name));
	c->hide_avps = false;
	c->hello_interval_usec = 60 * USEC_PER_SEC;
	c->retransmit_initial_usec = 1 * USEC_PER_SEC;
	c->retransmit_max_usec = 8 * USEC_PER_SEC;
	c->retransmit_count = 5;
	c->ack_delay_usec = 200 * USEC_PER_MSEC;
	c->receive_window = 16;
	c->max_tunnels = 10000;
	c->max_sessions = 20000;
	c->max_tunnels_per_peer = 16;
	c->max_sessions_per_tunnel = 256;
	snprintf(c->pppd_options, sizeof(c->pppd_options), "/etc/ppp/options.l2tpsrv");
	snprintf(c->pppd_plugin, sizeof(c->pppd_plugin), "%s", CONFIG_DEFAULT_PPPD_PLUGIN);
	config_ppp_defaults(c);
	snprintf(c->control_socket, sizeof(c->control_socket), "/run/l2tpsrv/control");
	snprintf(c->charon_socket, sizeof(c->charon_socket), "%s", CHARON_DEFAULT_SOCKET);
	c->allow_unencrypted = false;
	config_radius_defaults(c);
	c->log_level = LOG_INFO;
}
