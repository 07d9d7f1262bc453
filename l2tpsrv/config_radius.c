/*
 * config_radius: the RADIUS keys of l2tpsrv.conf.
 *
 * A server line is "HOST[:PORT] SECRET": the address up to the first blank,
 * the secret all the rest. Its messages quote nothing of the input but an
 * address that parsed: a line missing its host ("radius_auth_server =
 * s3cret") must not print the secret as a bad address.
 */
#include "config_radius.h"
#include "sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#define DEFAULT_AUTH_PORT 1812
#define DEFAULT_ACCT_PORT 1813
#define DEFAULT_TIMEOUT_MS 3000
#define DEFAULT_RETRIES 2
#define DEFAULT_DEAD_TIME_S 30

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool has_control_char(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	}
	return false;
}

/* HOST[:PORT] of key, v..v + len, into s. Messages quote only an address
 * that parsed, which cannot be the secret. */
static bool parse_server_address(const char *key, const char *v, size_t len,
				 uint16_t default_port, struct radius_server_config *s,
				 char why[CONFIG_WHY_MAX])
{
	struct config_quoted q;
	const char *port;
	size_t port_len;

	switch (config_parse_address(v, len, default_port, &s->addr, &s->addr_len, &port,
				     &port_len)) {
	case CONFIG_ADDRESS_OK:
		return true;
	case CONFIG_ADDRESS_BAD_PORT: /* the address is v up to the ':' */
		snprintf(why, CONFIG_WHY_MAX, "bad port after %s in %s (1..65535)",
			 config_quote(&q, v, (size_t)(port - 1 - v)), key);
		return false;
	case CONFIG_ADDRESS_UNBRACKETED:
		snprintf(why, CONFIG_WHY_MAX,
			 "bad address in %s: write IPv6 in brackets, as in [2001:db8::1]:%u", key,
			 default_port);
		return false;
	case CONFIG_ADDRESS_BAD:
		break;
	}
	snprintf(why, CONFIG_WHY_MAX,
		 "bad address in %s (HOST[:PORT] SECRET, HOST an IPv4 address or an IPv6 "
		 "one in brackets)",
		 key);
	return false;
}

static bool set_server(const char *key, struct radius_server_config *list, size_t *n,
		       uint16_t default_port, bool first, const char *v, size_t len,
		       char why[CONFIG_WHY_MAX])
{
	const char *end = v + len, *host_end = v, *secret;
	struct radius_server_config s;
	char text[SOCKADDR_STRING_MAX];
	size_t secret_len;
	bool ok = false;

	/* the file's first line replaces the list it was loaded over */
	if (first) {
		explicit_bzero(list, RADIUS_MAX_SERVERS * sizeof(*list));
		*n = 0;
	}
	while (host_end < end && !is_blank(*host_end))
		host_end++;
	for (secret = host_end; secret < end && is_blank(*secret); secret++)
		;
	secret_len = (size_t)(end - secret);

	memset(&s, 0, sizeof(s));
	if (!parse_server_address(key, v, (size_t)(host_end - v), default_port, &s, why))
		goto out;
	sockaddr_string(&s.addr, text, sizeof(text));
	if (secret_len == 0) {
		snprintf(why, CONFIG_WHY_MAX, "%s %s has no secret (HOST[:PORT] SECRET)", key,
			 text);
		goto out;
	}
	if (secret_len >= RADIUS_MAX_SECRET) {
		snprintf(why, CONFIG_WHY_MAX, "%s %s: secret too long (at most %d octets)", key,
			 text, RADIUS_MAX_SECRET - 1);
		goto out;
	}
	if (has_control_char(secret, secret_len)) {
		snprintf(why, CONFIG_WHY_MAX, "%s %s: control character in the secret", key, text);
		goto out;
	}
	for (size_t i = 0; i < *n; i++) {
		if (list[i].addr_len == s.addr_len && memcmp(&list[i].addr, &s.addr, s.addr_len) == 0) {
			snprintf(why, CONFIG_WHY_MAX, "duplicate %s %s", key, text);
			goto out;
		}
	}
	if (*n >= RADIUS_MAX_SERVERS) {
		snprintf(why, CONFIG_WHY_MAX, "too many %s lines (at most %d)", key,
			 RADIUS_MAX_SERVERS);
		goto out;
	}
	memcpy(s.secret, secret, secret_len);
	list[(*n)++] = s;
	ok = true;
out:
	explicit_bzero(&s, sizeof(s));
	return ok;
}

static void dump_servers(const char *key, const struct radius_server_config *list, size_t n,
			 FILE *f)
{
	char text[SOCKADDR_STRING_MAX];

	/* commented out: the secrets are not written */
	if (n == 0)
		fprintf(f, "# %s = (none)\n", key);
	for (size_t i = 0; i < n && i < RADIUS_MAX_SERVERS; i++) {
		sockaddr_string(&list[i].addr, text, sizeof(text));
		fprintf(f, "# %s = %s (secret set, %zu octets)\n", key, text,
			strnlen(list[i].secret, RADIUS_MAX_SECRET));
	}
}

static bool set_auth_server(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
			    char why[CONFIG_WHY_MAX])
{
	return set_server("radius_auth_server", c->radius.auth, &c->radius.n_auth,
			  DEFAULT_AUTH_PORT, first, v, len, why);
}

static void dump_auth_server(const struct l2tpsrv_config *c, FILE *f)
{
	dump_servers("radius_auth_server", c->radius.auth, c->radius.n_auth, f);
}

static bool set_acct_server(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
			    char why[CONFIG_WHY_MAX])
{
	return set_server("radius_acct_server", c->radius.acct, &c->radius.n_acct,
			  DEFAULT_ACCT_PORT, first, v, len, why);
}

static void dump_acct_server(const struct l2tpsrv_config *c, FILE *f)
{
	dump_servers("radius_acct_server", c->radius.acct, c->radius.n_acct, f);
}

static bool set_dae_client(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
			   char why[CONFIG_WHY_MAX])
{
	return set_server("radius_dae_client", c->radius_dae.clients, &c->radius_dae.n_clients,
			  DAE_DEFAULT_PORT, first, v, len, why);
}

static void dump_dae_client(const struct l2tpsrv_config *c, FILE *f)
{
	dump_servers("radius_dae_client", c->radius_dae.clients, c->radius_dae.n_clients, f);
}

/* A dotted quad; 0.0.0.0 sends none. */
static bool set_nas_ip(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
		       char why[CONFIG_WHY_MAX])
{
	char buf[INET_ADDRSTRLEN];
	struct config_quoted q;
	struct in_addr in;

	(void)first; /* a single value */
	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &in) != 1)
		goto bad;
	c->radius_nas_ip = in.s_addr;
	return true;
bad:
	snprintf(why, CONFIG_WHY_MAX, "bad address %s for radius_nas_ip", config_quote(&q, v, len));
	return false;
}

static void dump_nas_ip(const struct l2tpsrv_config *c, FILE *f)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in = { .s_addr = c->radius_nas_ip };

	if (c->radius_nas_ip == 0)
		fprintf(f, "# radius_nas_ip = (not sent)\n");
	else
		fprintf(f, "radius_nas_ip = %s\n", inet_ntop(AF_INET, &in, a, sizeof(a)));
}

const struct config_split_key config_radius_auth_server = { true, set_auth_server,
							    dump_auth_server };
const struct config_split_key config_radius_acct_server = { true, set_acct_server,
							    dump_acct_server };
const struct config_split_key config_radius_dae_client = { true, set_dae_client,
							   dump_dae_client };
const struct config_split_key config_radius_nas_ip = { false, set_nas_ip, dump_nas_ip };

void config_radius_defaults(struct l2tpsrv_config *c)
{
	memset(&c->radius, 0, sizeof(c->radius));
	c->radius.timeout_ms = DEFAULT_TIMEOUT_MS;
	c->radius.retries = DEFAULT_RETRIES;
	c->radius.dead_time_s = DEFAULT_DEAD_TIME_S;
	c->radius_dae.port = DAE_DEFAULT_PORT;
	c->radius_dae_terminate_ike = true;
	memset(c->radius_nas_identifier, 0, sizeof(c->radius_nas_identifier));
	snprintf(c->radius_nas_identifier, sizeof(c->radius_nas_identifier), "%s", c->host_name);
	c->radius_nas_ip = 0;
}
