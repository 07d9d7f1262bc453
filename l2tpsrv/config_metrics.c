/*
 * config_metrics: "metrics = ADDRESS:PORT" (or [V6ADDRESS]:PORT), where the
 * metrics page is served; see config_metrics.h.
 */
#include "config_metrics.h"
#include "sockaddr.h"

#include <netinet/in.h>
#include <string.h>

#define EXAMPLE "as in 127.0.0.1:9101 or [::1]:9101"

static bool set_address(struct l2tpsrv_config *c, bool first, const char *v, size_t len,
			char why[CONFIG_WHY_MAX])
{
	struct config_quoted q, qp;
	struct config_listen l = { 0 };
	const char *port = NULL;
	size_t port_len = 0;

	(void)first; /* a single value */
	switch (config_parse_address(v, len, 0, &l.addr, &l.addr_len, &port, &port_len)) {
	case CONFIG_ADDRESS_OK:
		break;
	case CONFIG_ADDRESS_UNBRACKETED:
		snprintf(why, CONFIG_WHY_MAX, "bad metrics address %s: write IPv6 in brackets, %s",
			 config_quote(&q, v, len), EXAMPLE);
		return false;
	case CONFIG_ADDRESS_BAD_PORT:
		snprintf(why, CONFIG_WHY_MAX, "bad port %s in metrics %s (1..65535)",
			 config_quote(&qp, port, port_len), config_quote(&q, v, len));
		return false;
	case CONFIG_ADDRESS_BAD:
	default:
		snprintf(why, CONFIG_WHY_MAX, "bad metrics address %s (ADDRESS:PORT, %s)",
			 config_quote(&q, v, len), EXAMPLE);
		return false;
	}
	if (sockaddr_port(&l.addr) == 0) {
		snprintf(why, CONFIG_WHY_MAX, "metrics %s has no port (ADDRESS:PORT, %s)",
			 config_quote(&q, v, len), EXAMPLE);
		return false;
	}
	c->metrics = l;
	return true;
}

static void dump_address(const struct l2tpsrv_config *c, FILE *f)
{
	char text[SOCKADDR_STRING_MAX];

	if (!c->metrics.addr_len) {
		fprintf(f, "# metrics = (off)\n");
		return;
	}
	sockaddr_string(&c->metrics.addr, text, sizeof(text));
	fprintf(f, "metrics = %s\n", text);
}

const struct config_split_key config_metrics_address = { false, set_address, dump_address };

/* 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104. */
static bool is_loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	if (a->ss_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)a)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(in6) ||
		       (IN6_IS_ADDR_V4MAPPED(in6) && in6->s6_addr[12] == 127);
	}
	return false;
}

bool config_metrics_check(const struct l2tpsrv_config *c, char why[CONFIG_WHY_MAX])
{
	char text[SOCKADDR_STRING_MAX];

	if (!c->metrics.addr_len || c->metrics_allow_remote || is_loopback(&c->metrics.addr))
		return true;
	sockaddr_string(&c->metrics.addr, text, sizeof(text));
	snprintf(why, CONFIG_WHY_MAX,
		 "metrics %s is not a loopback address: the metrics page has no "
		 "authentication (metrics_allow_remote = yes serves it there)",
		 text);
	return false;
}
