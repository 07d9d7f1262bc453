/*
 * l2tpsrv's pppd plugin, loaded into each pppd that l2tpsrv starts for a
 * call, as "plugin l2tpsrv.so l2tpsrv-socket PATH l2tpsrv-tunnel T
 * l2tpsrv-session S".
 *
 * It tells l2tpsrv what only pppd knows, so that l2tpctl can show it and
 * l2tpsrv's log lines can name it:
 *
 *   AUTH_UP  the peer authenticated: its name and the method LCP negotiated
 *   IP_UP    IPCP is up: the interface and both addresses
 *   DOWN     pppd is exiting: why (its exit status, in words), the link's
 *            counters and connect time, and whatever of the above is known
 *            (not authenticated: the method LCP agreed on, if any)
 *
 * Each event is one CTL_PPP_EVENT request on l2tpsrv's control socket
 * (ctl_proto.h), the socket l2tpctl uses, so the daemon needs no second
 * listener, and the plugin no token: the daemon reads the sender's pid with
 * SO_PEERCRED and accepts an event only from the pppd it started for that
 * call. (So pppd must keep its pid: l2tpsrv runs it with nodetach.)
 *
 * pppd waits while a notifier runs, so a report gives up after
 * REPORT_TIMEOUT_MS, and a failed report is logged and otherwise ignored:
 * it never stops pppd. Without l2tpsrv-socket the plugin does nothing.
 *
 * With "l2tpsrv-radius" (l2tpsrv adds it when RADIUS authenticates), the
 * plugin also takes over pppd's PAP and CHAP checks (pap_auth_hook,
 * chap_verify_hook; CHAP with MD5, MS-CHAP and MS-CHAPv2): it forwards
 * what the peer sent to l2tpsrv (CTL_AUTH) and waits, up to
 * AUTH_TIMEOUT_MS, for l2tpsrv's verdict after RADIUS; no answer is a
 * reject. An accept may set the peer's address (ip_choose_hook, and
 * allowed_address_hook lets the peer have it), the connect time limit,
 * the idle limit, the MTU and the DNS servers offered. pppd's secrets
 * files are not read then (pap_check_hook, chap_check_hook). EAP goes to
 * RADIUS the same way, one CTL_EAP round per EAP Response, whatever the
 * method; pppd has no hook for it: see eap_pppd.c.
 *
 * pppd_version must match pppd's own, or pppd refuses the plugin.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/un.h>

#include <pppd/pppd.h>
#include <pppd/patchlevel.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>
#include <pppd/ipcp.h>
#include <pppd/chap-new.h>

#include "ctl_proto.h"
#include "eap_pppd.h"
#include "report.h"

char pppd_version[] = VERSION;

/*
 * The control socket of the l2tpsrv that started this pppd. pppd cuts a
 * string option silently to upper_limit, so this holds one byte more than
 * sun_path: a path too long for sun_path stays too long, and is refused.
 */
static char l2tpsrv_socket[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
/* l2tpsrv's ids of the call, which name it in each request; 0: not given. */
static int l2tpsrv_tunnel;
static int l2tpsrv_session;

/* What this pppd has learned about its call; every event carries all of it. */
static struct ctl_ppp_event call_state;
static bool counters_taken;
static bool down_reported;

static int enable_radius_auth(char **argv);

static option_t l2tpsrv_options[] = {
	{
		.name = "l2tpsrv-socket",
		.type = o_string,
		.addr = l2tpsrv_socket,
		.description = "Path of l2tpsrv's control socket",
		.flags = OPT_PRIO | OPT_STATIC,
		.upper_limit = sizeof(l2tpsrv_socket),
	},
	{
		.name = "l2tpsrv-tunnel",
		.type = o_int,
		.addr = &l2tpsrv_tunnel,
		.description = "l2tpsrv's tunnel id of this call",
		.flags = OPT_PRIO | OPT_LIMITS,
		.lower_limit = 1,
		.upper_limit = 65535,
	},
	{
		.name = "l2tpsrv-session",
		.type = o_int,
		.addr = &l2tpsrv_session,
		.description = "l2tpsrv's session id of this call",
		.flags = OPT_PRIO | OPT_LIMITS,
		.lower_limit = 1,
		.upper_limit = 65535,
	},
	{
		.name = "l2tpsrv-radius",
		.type = o_special_noarg,
		.addr = (void *)enable_radius_auth,
		.description = "Authenticate the peer through l2tpsrv (RADIUS)",
	},
	{ .name = NULL },
};

/* Whether to report; says once why not when the socket came without the ids. */
static bool reporting_enabled(void)
{
	static bool complained;

	if (!l2tpsrv_socket[0])
		return 0;
	if (l2tpsrv_tunnel && l2tpsrv_session)
		return 1;
	if (!complained)
		error("l2tpsrv: l2tpsrv-socket needs l2tpsrv-tunnel and l2tpsrv-session: "
		      "not reporting to l2tpsrv");
	complained = 1;
	return 0;
}

static const char *event_name(uint32_t kind)
{
	switch (kind) {
	case CTL_PPP_AUTH_UP:
		return "auth-up";
	case CTL_PPP_IP_UP:
		return "ip-up";
	case CTL_PPP_DOWN:
		return "down";
	}
	return "unknown";
}

/* strerror() of a daemon's negative errno, whatever number it sent. */
static const char *daemon_error_text(int32_t daemon_status)
{
	return strerror(daemon_status > INT32_MIN ? -daemon_status : EINVAL);
}

/* Sends call_state as a kind event; logs a failure, never stops pppd. */
static void report(uint32_t kind)
{
	struct ctl_ppp_event ev = call_state;
	int32_t daemon_status = 0;
	int r;

	ev.kind = kind;
	r = report_send(l2tpsrv_socket, (uint16_t)l2tpsrv_tunnel, (uint16_t)l2tpsrv_session, &ev,
			REPORT_TIMEOUT_MS, &daemon_status);
	if (r < 0)
		error("l2tpsrv: tunnel=%d session=%d event=%s: cannot report to %s: %s",
		      l2tpsrv_tunnel, l2tpsrv_session, event_name(kind), l2tpsrv_socket,
		      strerror(-r));
	else if (daemon_status < 0)
		warn("l2tpsrv: tunnel=%d session=%d event=%s: l2tpsrv refused it: %s",
		     l2tpsrv_tunnel, l2tpsrv_session, event_name(kind),
		     daemon_error_text(daemon_status));
	else
		dbglog("l2tpsrv: tunnel=%d session=%d event=%s reported", l2tpsrv_tunnel,
		       l2tpsrv_session, event_name(kind));
}

/* The peer has authenticated (only called when pppd required it to). */
static void on_auth_up(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	if (!reporting_enabled())
		return;
	report_copy_string(call_state.user, sizeof(call_state.user), peer_authname);
	report_copy_string(call_state.method, sizeof(call_state.method),
			   report_auth_method(&lcp_gotoptions[0]));
	report(CTL_PPP_AUTH_UP);
}

static void on_ip_up(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	if (!reporting_enabled())
		return;
	report_copy_string(call_state.ifname, sizeof(call_state.ifname), ifname);
	call_state.local_addr = ipcp_gotoptions[0].ouraddr; /* both in network order */
	call_state.remote_addr = ipcp_hisoptions[0].hisaddr;
	report(CTL_PPP_IP_UP);
}

/* pppd's status when IPCP went down, the link's first reason to end. */
static int down_status, down_status_taken;

/* Copies pppd's link counters into call_state, if pppd holds valid ones. */
static void take_counters(void)
{
	if (!link_stats_valid)
		return;
	call_state.bytes_in = link_stats.bytes_in;
	call_state.bytes_out = link_stats.bytes_out;
	call_state.packets_in = link_stats.pkts_in;
	call_state.packets_out = link_stats.pkts_out;
	call_state.connect_time_s = link_connect_time;
	counters_taken = 1;
}

/*
 * IPCP went down, and the interface still exists: read its counters now.
 * By exit, pppd has cleared link_stats_valid (print_link_stats()) and the
 * interface may be gone.
 */
static void on_ip_down(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	if (!reporting_enabled())
		return;
	update_link_stats(ifunit);
	take_counters();
	/*
	 * Why the link is going, as pppd says it now: later events overwrite
	 * status (the kernel session deleted after our own LCP Terminate turns
	 * "connect time expired" into "hangup"), so the first word is kept.
	 */
	if (!down_status_taken) {
		down_status = status;
		down_status_taken = 1;
	}
}

/* pppd is exiting (die()) with exit_code, which is what the process returns. */
static void on_pppd_exit(void *arg, int exit_code)
{
	(void)arg;
	if (!reporting_enabled() || down_reported)
		return;
	down_reported = 1;
	if (!counters_taken)
		take_counters();
	call_state.exit_status = down_status_taken ? down_status : exit_code;
	report_copy_string(call_state.reason, sizeof(call_state.reason),
			   report_exit_reason(call_state.exit_status));
	/*
	 * Never authenticated: say which method LCP agreed on, "" when the peer
	 * refused every one we asked for (auth.c's "peer refused to
	 * authenticate"), so that l2tpctl diagnose tells a wrong password from
	 * a method the client will not use. LCP leaves its options as they
	 * were when it went down.
	 */
	if (!call_state.method[0])
		report_copy_string(call_state.method, sizeof(call_state.method),
				   report_auth_method(&lcp_gotoptions[0]));
	report(CTL_PPP_DOWN);
}

/* ---- authentication through l2tpsrv (l2tpsrv-radius) ---- */

/* The peer's address as RADIUS gave it (network order); 0: the command line's. */
static u_int32_t radius_addr;

/* Tells pppd it need not look for secrets: l2tpsrv has them. */
static int radius_has_secrets(void)
{
	return 1;
}

/* Takes what an accept grants; the connect and idle limits start when IPCP is up. */
static void apply_grants(const struct ctl_auth_reply *rp)
{
	if (rp->framed_ip)
		radius_addr = rp->framed_ip;
	if (rp->session_timeout_s)
		maxconnect = (int)rp->session_timeout_s;
	if (rp->idle_timeout_s)
		idle_time_limit = (int)rp->idle_timeout_s;
	if (rp->dns[0] || rp->dns[1]) {
		ipcp_allowoptions[0].dnsaddr[0] = rp->dns[0] ? rp->dns[0] : rp->dns[1];
		ipcp_allowoptions[0].dnsaddr[1] = rp->dns[1] ? rp->dns[1] : rp->dns[0];
	}
	/* the link is up (LCP set its MTU); RADIUS may only lower it */
	if (rp->framed_mtu >= 576 && (int)rp->framed_mtu < netif_get_mtu(ifunit))
		netif_set_mtu(ifunit, (int)rp->framed_mtu);
}

/*
 * Logs how asking l2tpsrv about user went: r and daemon_status as
 * report_auth_send() and report_eap_send() return them, then the result.
 * True when there is a verdict to take.
 */
static bool log_verdict(int r, int32_t daemon_status, uint32_t result, const char *user)
{
	if (r < 0)
		error("l2tpsrv: tunnel=%d session=%d: cannot ask l2tpsrv to authenticate %q: %s",
		      l2tpsrv_tunnel, l2tpsrv_session, user, strerror(-r));
	else if (daemon_status < 0)
		error("l2tpsrv: tunnel=%d session=%d: l2tpsrv refused to authenticate %q: %s",
		      l2tpsrv_tunnel, l2tpsrv_session, user, daemon_error_text(daemon_status));
	else if (result == CTL_AUTH_ERROR)
		error("l2tpsrv: tunnel=%d session=%d: no answer from RADIUS for %q",
		      l2tpsrv_tunnel, l2tpsrv_session, user);
	else if (result == CTL_AUTH_REJECT)
		notice("l2tpsrv: RADIUS rejected %q", user);
	return r == 0 && daemon_status == 0;
}

/*
 * Asks l2tpsrv about the peer's credentials in rq, and wipes them. True
 * when l2tpsrv accepted; *reply holds the verdict either way (an error
 * when l2tpsrv could not be asked).
 */
static bool ask_l2tpsrv(struct ctl_auth_request *rq, struct ctl_auth_reply *reply)
{
	int32_t daemon_status = 0;
	int r = -ENOTCONN;

	memset(reply, 0, sizeof(*reply));
	reply->result = CTL_AUTH_ERROR;
	if (reporting_enabled())
		r = report_auth_send(l2tpsrv_socket, (uint16_t)l2tpsrv_tunnel,
				     (uint16_t)l2tpsrv_session, rq, AUTH_TIMEOUT_MS, &daemon_status,
				     reply);
	if (!log_verdict(r, daemon_status, reply->result, rq->user)) {
		memset(reply, 0, sizeof(*reply));
		reply->result = CTL_AUTH_ERROR;
	}
	explicit_bzero(rq, sizeof(*rq));
	if (reply->result != CTL_AUTH_ACCEPT)
		return 0;
	apply_grants(reply);
	return 1;
}

/* One round of an EAP conversation (eap_pppd.c); the relay checks the answer. */
static void ask_l2tpsrv_eap(const struct ctl_eap_request *rq, struct ctl_eap_reply *reply)
{
	int32_t daemon_status = 0;
	int r = -ENOTCONN;

	memset(reply, 0, sizeof(*reply));
	reply->base.result = CTL_AUTH_ERROR;
	if (reporting_enabled())
		r = report_eap_send(l2tpsrv_socket, (uint16_t)l2tpsrv_tunnel,
				    (uint16_t)l2tpsrv_session, rq, AUTH_TIMEOUT_MS, &daemon_status,
				    reply);
	if (!log_verdict(r, daemon_status, reply->base.result, rq->user)) {
		memset(reply, 0, sizeof(*reply));
		reply->base.result = CTL_AUTH_ERROR;
	}
}

static int radius_pap_auth(char *user, char *passwd, char **msgp, struct wordlist **paddrs,
			   struct wordlist **popts)
{
	static char message[sizeof(((struct ctl_auth_reply *)0)->message)];
	struct ctl_auth_request rq;
	struct ctl_auth_reply reply;
	bool ok = 0;

	(void)paddrs; /* none: allowed_address_hook decides */
	(void)popts;
	memset(&reply, 0, sizeof(reply));
	if (report_auth_pap(&rq, user, passwd) < 0) /* wipes rq */
		error("l2tpsrv: PAP name or password too long for l2tpsrv: rejected");
	else
		ok = ask_l2tpsrv(&rq, &reply);
	report_copy_string(message, sizeof(message), reply.message);
	*msgp = message;
	return ok;
}

static int radius_chap_verify(char *name, char *ourname, int id,
			      struct chap_digest_type *digest, unsigned char *challenge,
			      unsigned char *response, char *message, int message_space)
{
	struct ctl_auth_request rq;
	struct ctl_auth_reply reply;
	bool ok = 0;
	int r;

	(void)ourname;
	memset(&reply, 0, sizeof(reply));
	r = report_auth_chap(&rq, digest->code, name, id, challenge, response);
	if (r < 0)
		error("l2tpsrv: CHAP response (digest %d) l2tpsrv cannot take: %s: rejected",
		      digest->code, strerror(-r));
	else
		ok = ask_l2tpsrv(&rq, &reply);
	if (message_space > 0)
		report_copy_string(message, (size_t)message_space, reply.message);
	return ok;
}

/* IPCP asks which address the peer gets: RADIUS's, if it named one. */
static void radius_choose_ip(u_int32_t *addrp)
{
	if (radius_addr)
		*addrp = radius_addr;
}

/* Only the address the peer was given: l2tpsrv's pool's, or RADIUS's. */
static int radius_allowed_address(u_int32_t addr)
{
	u_int32_t given = radius_addr ? radius_addr : ipcp_wantoptions[0].hisaddr;

	return given != 0 && addr == given;
}

/* The option "l2tpsrv-radius": from now on l2tpsrv authenticates. */
static int enable_radius_auth(char **argv)
{
	(void)argv;
	pap_check_hook = radius_has_secrets;
	pap_auth_hook = radius_pap_auth;
	chap_check_hook = radius_has_secrets;
	chap_verify_hook = radius_chap_verify;
	ip_choose_hook = radius_choose_ip;
	allowed_address_hook = radius_allowed_address;
	eap_pppd_enable(ask_l2tpsrv_eap, apply_grants);
	return 1;
}

void plugin_init(void);

void plugin_init(void)
{
	add_options(l2tpsrv_options);
	/* passes everything to pppd until l2tpsrv-radius is parsed */
	eap_pppd_install();
	/* Options are parsed after this: each notifier checks reporting_enabled(). */
	add_notifier(&auth_up_notifier, on_auth_up, NULL);
	add_notifier(&ip_up_notifier, on_ip_up, NULL);
	add_notifier(&ip_down_notifier, on_ip_down, NULL);
	add_notifier(&exitnotify, on_pppd_exit, NULL);
}
