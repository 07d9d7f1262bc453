/*
 * ppp_args: pppd's command line for a call; see ppp_args.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "ppp_args.h"
#include "ppp_pidfiles.h"

/* LCP echo every 30 s, the link dead after 4 unanswered (Debian's defaults too). */
#define LCP_ECHO_INTERVAL "30"
#define LCP_ECHO_FAILURE "4"
/*
 * When pppd ends the link it sends one LCP Terminate-Request and does not
 * wait for the Ack (pppd's default is to wait up to 2 x 3 s). Whenever
 * l2tpsrv stops a pppd the L2TP session is already gone (CDN, StopCCN, the
 * IPsec SA down), so no Ack could come: pppd would sit out the wait and be
 * killed. Its link-down work (ip-down, the plugin's report and accounting)
 * runs before the Terminate-Request either way.
 */
#define LCP_MAX_TERMINATE "0"

static const struct {
	unsigned int bit;
	const char *option;
} auth_options[] = {
	{ PPP_AUTH_PAP, "require-pap" },
	{ PPP_AUTH_CHAP, "require-chap" },
	{ PPP_AUTH_MSCHAP, "require-mschap" },
	{ PPP_AUTH_MSCHAP_V2, "require-mschap-v2" },
	{ PPP_AUTH_EAP, "require-eap" },
};

static bool add(struct ppp_args *a, const char *arg)
{
	if (a->argc >= PPP_ARGS_MAX)
		return false;
	a->argv[a->argc++] = (char *)arg;
	a->argv[a->argc] = NULL;
	return true;
}

/* A formatted argument, kept in a->buf. */
static bool addf(struct ppp_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool addf(struct ppp_args *a, const char *fmt, ...)
{
	size_t room = sizeof(a->buf) - a->used;
	char *s = a->buf + a->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return false;
	a->used += (size_t)n + 1;
	return add(a, s);
}

/* Dotted quad of a host-order address; buf has room for 16. */
static const char *ipv4(uint32_t addr, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
		 addr & 0xff);
	return buf;
}

static bool add_addr(struct ppp_args *a, const char *option, uint32_t addr)
{
	char s[16];

	return add(a, option) && addf(a, "%s", ipv4(addr, s));
}

static bool add_channel(struct ppp_args *a, const struct ppp_args_call *c)
{
	if (c->tty) /* pppd's first argument may name its tty */
		return add(a, c->tty) && add(a, "local") && add(a, "nocrtscts") &&
		       add(a, "nolock");
	return add(a, "plugin") && add(a, "pppol2tp.so") && add(a, "pppol2tp") &&
	       addf(a, "%d", c->channel_fd) && add(a, "pppol2tp_lns_mode") &&
	       add(a, "pppol2tp_tunnel_id") && addf(a, "%u", c->tunnel_id) &&
	       add(a, "pppol2tp_session_id") && addf(a, "%u", c->session_id);
}

static bool add_plugin(struct ppp_args *a, const struct ppp_args_call *c)
{
	if (!c->plugin)
		return true;
	return add(a, "plugin") && add(a, c->plugin) && add(a, "l2tpsrv-socket") &&
	       add(a, c->control_socket) && add(a, "l2tpsrv-tunnel") &&
	       addf(a, "%u", c->tunnel_id) && add(a, "l2tpsrv-session") &&
	       addf(a, "%u", c->session_id) && (!c->radius_auth || add(a, "l2tpsrv-radius"));
}

/* What the server decides, after the admin's options file. */
static bool add_enforced(struct ppp_args *a, const struct ppp_args_call *c)
{
	char local[16], remote[16];
	bool ok = add(a, "auth");

	for (size_t i = 0; ok && i < sizeof(auth_options) / sizeof(auth_options[0]); i++)
		if (c->auth & auth_options[i].bit)
			ok = add(a, auth_options[i].option);
	ok = ok && addf(a, "%s:%s", ipv4(c->local_addr, local), ipv4(c->remote_addr, remote));
	for (size_t i = 0; ok && i < c->n_dns; i++)
		ok = add_addr(a, "ms-dns", c->dns[i]);
	return ok && add(a, "mtu") && addf(a, "%u", c->mtu) && add(a, "mru") &&
	       addf(a, "%u", c->mru) && add(a, "nodefaultroute") && add(a, "noipdefault") &&
	       add(a, "nodetach") && add(a, "linkname") &&
	       addf(a, PPP_LINKNAME_PREFIX "%u-%u", c->tunnel_id, c->session_id);
}

int ppp_args_build(struct ppp_args *a, const char *pppd_path, const struct ppp_args_call *c)
{
	bool ok;

	a->argc = 0;
	a->used = 0;
	a->argv[0] = NULL;
	if ((c->channel_fd >= 0) == (c->tty != NULL) || !c->auth ||
	    (c->auth & ~(unsigned int)(PPP_AUTH_PAP | PPP_AUTH_CHAP | PPP_AUTH_MSCHAP |
				       PPP_AUTH_MSCHAP_V2 | PPP_AUTH_EAP)) ||
	    c->n_dns > PPP_ARGS_MAX_DNS || !c->local_addr || !c->remote_addr ||
	    (c->plugin && !c->control_socket) || (c->radius_auth && !c->plugin))
		return -EINVAL;
	ok = add(a, pppd_path) && add_channel(a, c) && add_plugin(a, c) &&
	     add(a, "lcp-echo-interval") && add(a, LCP_ECHO_INTERVAL) &&
	     add(a, "lcp-echo-failure") && add(a, LCP_ECHO_FAILURE) &&
	     add(a, "lcp-max-terminate") && add(a, LCP_MAX_TERMINATE);
	if (ok && c->options_file)
		ok = add(a, "file") && add(a, c->options_file);
	ok = ok && add_enforced(a, c);
	return ok ? 0 : -ENOSPC;
}
