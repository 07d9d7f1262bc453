/*
 * history_feed: the layers' events as history entries; see history_feed.h.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "history_feed.h"
#include "sockaddr.h"

/* pppd's EXIT_* (pppd.h), those that say where PPP stopped */
enum {
	PPPD_EXIT_OK = 0, /* the peer terminated the link */
	PPPD_EXIT_USER_REQUEST = 5,
	PPPD_EXIT_NEGOTIATION_FAILED = 10,
	PPPD_EXIT_PEER_AUTH_FAILED = 11,
	PPPD_EXIT_IDLE_TIMEOUT = 12,
	PPPD_EXIT_CONNECT_TIME = 13,
	PPPD_EXIT_CALLBACK = 14,
	PPPD_EXIT_PEER_DEAD = 15,
	PPPD_EXIT_HANGUP = 16,
	PPPD_EXIT_LOOPBACK = 17,
	PPPD_EXIT_AUTH_TOPEER_FAILED = 19,
	PPPD_EXIT_TRAFFIC_LIMIT = 20,
	PPPD_EXIT_CNID_AUTH_FAILED = 21,
};

/* Free text for inside double quotes: at most len - 1 bytes, '"' and '\' as '\''. */
static const char *quoted(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; s && *s && n + 1 < len; s++)
		buf[n++] = (*s == '"' || *s == '\\') ? '\'' : *s;
	buf[n] = '\0';
	return buf;
}

/* ---- charon ---- */

/* The phase an ike-fail belongs to: the CHILD_SA's, or IKE's. */
static enum ctl_phase fail_phase(const struct charon_event *ev, bool ike_up)
{
	const char *a = ev->fail.alert;

	if (!strcmp(a, "proposal-child") || !strcmp(a, "ts-mismatch") ||
	    !strcmp(a, "install-failed"))
		return CTL_PHASE_ESP;
	if (!strcmp(a, "peer-notify") && ike_up)
		return CTL_PHASE_ESP;
	return CTL_PHASE_IKE;
}

static void feed_ike_fail(struct history *h, uint64_t now, const struct charon_event *ev,
			  const struct sockaddr_storage *remote, bool ike_up)
{
	char exchange[CHARON_NAME_MAX + 32] = "", notify[CHARON_NAME_MAX + 16] = "";
	char id[64], ike[24] = "";
	const struct charon_fail *f = &ev->fail;

	if (f->exchange[0])
		snprintf(exchange, sizeof(exchange), " exchange=%s%s", f->exchange,
			 f->encrypted ? " encrypted=1" : "");
	if (f->notify[0])
		snprintf(notify, sizeof(notify), " notify=%s", f->notify);
	if (ev->ike)
		snprintf(ike, sizeof(ike), " ike=%u", ev->ike);
	quoted(ev->ike_sa.remote_id, id, sizeof(id));
	history_add(h, now, remote, fail_phase(ev, ike_up),
		    strcmp(f->alert, "dpd-timeout") ? CTL_RESULT_FAIL : CTL_RESULT_DOWN,
		    "alert=%s ikev=%u%s%s nat-local=%d nat-remote=%d port=%u%s%s%s%s", f->alert,
		    ev->ike_sa.version, exchange, notify, ev->ike_sa.nat_local,
		    ev->ike_sa.nat_remote, sockaddr_port(remote), ike, id[0] ? " id=\"" : "", id,
		    id[0] ? "\"" : "");
}

static void feed_ike_up(struct history *h, uint64_t now, const struct charon_event *ev,
			const struct sockaddr_storage *remote)
{
	const struct charon_ike *sa = &ev->ike_sa;
	const char *user = sa->xauth_id[0] ? sa->xauth_id : sa->eap_id;
	char id[64], u[48];

	quoted(sa->remote_id, id, sizeof(id));
	quoted(user, u, sizeof(u));
	history_add(h, now, remote, CTL_PHASE_IKE, CTL_RESULT_OK,
		    "ike=%u ikev=%u nat-local=%d nat-remote=%d port=%u id=\"%s\"%s%s%s%s", ev->ike,
		    sa->version, sa->nat_local, sa->nat_remote, sockaddr_port(remote), id,
		    u[0] ? " user=\"" : "", u, u[0] ? "\"" : "", sa->cert[0] ? " cert=yes" : "");
}

void history_feed_charon(struct history *h, uint64_t now, const struct charon_event *ev,
			 const struct sockaddr_storage *remote, bool ike_up)
{
	if (!h || !remote)
		return;
	switch (ev->kind) {
	case CHARON_IKE_FAIL:
		feed_ike_fail(h, now, ev, remote, ike_up);
		break;
	case CHARON_IKE_UP:
		feed_ike_up(h, now, ev, remote);
		break;
	case CHARON_CHILD_UP:
		history_add(h, now, remote, CTL_PHASE_ESP, CTL_RESULT_OK,
			    "ike=%u child=%u mode=%s ports=%u-%u", ev->ike, ev->child,
			    ev->child_sa.transport ? "transport" : "tunnel", ev->child_sa.port_lo,
			    ev->child_sa.port_hi);
		break;
	case CHARON_CHILD_DOWN:
		history_add(h, now, remote, CTL_PHASE_ESP, CTL_RESULT_DOWN, "ike=%u child=%u",
			    ev->ike, ev->child);
		break;
	case CHARON_IKE_DOWN:
		history_add(h, now, remote, CTL_PHASE_IKE, CTL_RESULT_DOWN, "ike=%u", ev->ike);
		break;
	default:
		break;
	}
}

/* ---- lns ---- */

/* " result=R error=E REASON=\"text\"" */
static void result_words(const struct lns_event *ev, const char *what, char *buf, size_t len)
{
	char text[96];

	snprintf(buf, len, " result=%u error=%u %s=\"%s\"", ev->result, ev->error, what,
		 quoted(ev->text, text, sizeof(text)));
}

void history_feed_lns(struct history *h, uint64_t now, const struct lns_event *ev)
{
	enum ctl_result gone = ev->established ? CTL_RESULT_DOWN : CTL_RESULT_FAIL;
	char words[160], text[80];

	if (!h || !ev->peer)
		return;
	switch (ev->kind) {
	case LNS_EV_REFUSED:
		history_add(h, now, ev->peer, CTL_PHASE_SCCRQ, CTL_RESULT_FAIL,
			    "refused=unprotected port=%u reason=\"%s\"", sockaddr_port(ev->peer),
			    quoted(ev->text, text, sizeof(text)));
		break;
	case LNS_EV_SCCRQ:
		history_add(h, now, ev->peer, CTL_PHASE_SCCRQ, CTL_RESULT_OK,
			    "tunnel=%u port=%u host=\"%s\"", ev->tunnel_id, sockaddr_port(ev->peer),
			    quoted(ev->text, text, sizeof(text)));
		break;
	case LNS_EV_SCCRQ_REJECTED:
		result_words(ev, "reason", words, sizeof(words));
		history_add(h, now, ev->peer, CTL_PHASE_SCCRQ, CTL_RESULT_FAIL, "rejected=1%s",
			    words);
		break;
	case LNS_EV_TUNNEL_UP:
		history_add(h, now, ev->peer, CTL_PHASE_TUNNEL, CTL_RESULT_OK, "tunnel=%u auth=%s",
			    ev->tunnel_id, ev->authenticated ? "secret" : "none");
		break;
	case LNS_EV_TUNNEL_STOP:
	case LNS_EV_TUNNEL_STOPPED:
		result_words(ev, ev->kind == LNS_EV_TUNNEL_STOP ? "reason" : "message", words,
			     sizeof(words));
		history_add(h, now, ev->peer, CTL_PHASE_TUNNEL, gone, "tunnel=%u by=%s%s",
			    ev->tunnel_id, ev->kind == LNS_EV_TUNNEL_STOP ? "server" : "client",
			    words);
		break;
	case LNS_EV_TUNNEL_LOST:
		history_add(h, now, ev->peer, CTL_PHASE_TUNNEL, gone, "tunnel=%u lost=1 reason=\"%s\"",
			    ev->tunnel_id, quoted(ev->text, text, sizeof(text)));
		break;
	case LNS_EV_CALL:
		history_add(h, now, ev->peer, CTL_PHASE_ICRQ, CTL_RESULT_OK, "tunnel=%u session=%u",
			    ev->tunnel_id, ev->session_id);
		break;
	case LNS_EV_CALL_REJECTED:
		result_words(ev, "reason", words, sizeof(words));
		history_add(h, now, ev->peer, CTL_PHASE_ICRQ, CTL_RESULT_FAIL, "tunnel=%u%s",
			    ev->tunnel_id, words);
		break;
	case LNS_EV_CALL_UP:
		history_add(h, now, ev->peer, CTL_PHASE_ICCN, CTL_RESULT_OK, "tunnel=%u session=%u",
			    ev->tunnel_id, ev->session_id);
		break;
	case LNS_EV_CALL_STOP:
	case LNS_EV_CALL_STOPPED:
		result_words(ev, ev->kind == LNS_EV_CALL_STOP ? "reason" : "message", words,
			     sizeof(words));
		history_add(h, now, ev->peer, CTL_PHASE_ICCN, gone, "tunnel=%u session=%u by=%s%s",
			    ev->tunnel_id, ev->session_id,
			    ev->kind == LNS_EV_CALL_STOP ? "server" : "client", words);
		break;
	}
}

/* ---- ppp ---- */

/*
 * Where PPP stood when pppd ended with status, and whether that was a
 * failure there or the end of a session that was up.
 */
static void exit_phase(int status, bool authenticated, bool ip_up, enum ctl_phase *phase,
		       enum ctl_result *result)
{
	/* how far PPP had got: the phase that was under way */
	enum ctl_phase under_way = ip_up ? CTL_PHASE_IPCP
				   : authenticated ? CTL_PHASE_IPCP
						   : CTL_PHASE_LCP;

	*phase = under_way;
	*result = ip_up ? CTL_RESULT_DOWN : CTL_RESULT_FAIL;
	switch (status) {
	case PPPD_EXIT_PEER_AUTH_FAILED:
	case PPPD_EXIT_AUTH_TOPEER_FAILED:
	case PPPD_EXIT_CNID_AUTH_FAILED:
		*phase = CTL_PHASE_AUTH;
		*result = CTL_RESULT_FAIL;
		break;
	case PPPD_EXIT_NEGOTIATION_FAILED: /* pppd's status until a network protocol is up */
	case PPPD_EXIT_LOOPBACK:
		*result = CTL_RESULT_FAIL;
		break;
	case PPPD_EXIT_OK:
	case PPPD_EXIT_USER_REQUEST:
	case PPPD_EXIT_IDLE_TIMEOUT:
	case PPPD_EXIT_CONNECT_TIME:
	case PPPD_EXIT_CALLBACK:
	case PPPD_EXIT_PEER_DEAD:
	case PPPD_EXIT_HANGUP:
	case PPPD_EXIT_TRAFFIC_LIMIT:
		break; /* the end of the session, or of the phase under way */
	default: /* pppd could not run at all (options, kernel, plugin) */
		*phase = CTL_PHASE_LCP;
		*result = CTL_RESULT_FAIL;
		break;
	}
}

void history_feed_ppp(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
		      const struct ctl_ppp_event *ev, bool authenticated, bool ip_up)
{
	char user[sizeof(ev->user)], method[sizeof(ev->method)], ifname[sizeof(ev->ifname)];
	char reason[sizeof(ev->reason)], local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN];
	enum ctl_phase phase;
	enum ctl_result result;

	if (!h || !peer)
		return;
	/* the plugin's strings are NUL-terminated within their arrays, or cut here */
	snprintf(user, sizeof(user), "%.*s", (int)sizeof(ev->user) - 1, ev->user);
	snprintf(method, sizeof(method), "%.*s", (int)sizeof(ev->method) - 1, ev->method);
	snprintf(ifname, sizeof(ifname), "%.*s", (int)sizeof(ev->ifname) - 1, ev->ifname);
	snprintf(reason, sizeof(reason), "%.*s", (int)sizeof(ev->reason) - 1, ev->reason);
	switch (ev->kind) {
	case CTL_PPP_AUTH_UP:
		history_add(h, now, peer, CTL_PHASE_AUTH, CTL_RESULT_OK, "user=\"%s\" method=%s",
			    quoted(user, user, sizeof(user)), method[0] ? method : "none");
		break;
	case CTL_PPP_IP_UP:
		inet_ntop(AF_INET, &ev->local_addr, local, sizeof(local));
		inet_ntop(AF_INET, &ev->remote_addr, remote, sizeof(remote));
		history_add(h, now, peer, CTL_PHASE_IPCP, CTL_RESULT_OK,
			    "address=%s local=%s interface=%s", remote, local,
			    ifname[0] ? ifname : "-");
		break;
	case CTL_PPP_DOWN:
		exit_phase(ev->exit_status, authenticated, ip_up, &phase, &result);
		history_add(h, now, peer, phase, result, "exit=%d reason=\"%s\" method=%s%s%s%s",
			    (int)ev->exit_status, quoted(reason, reason, sizeof(reason)),
			    method[0] ? method : "none", user[0] ? " user=\"" : "",
			    quoted(user, user, sizeof(user)), user[0] ? "\"" : "");
		break;
	default:
		break;
	}
}

void history_feed_pppd_exit(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
			    int code, int status, bool authenticated, bool ip_up)
{
	enum ctl_phase phase = ip_up || authenticated ? CTL_PHASE_IPCP : CTL_PHASE_LCP;
	enum ctl_result result = ip_up ? CTL_RESULT_DOWN : CTL_RESULT_FAIL;

	if (!h || !peer)
		return;
	if (code != CLD_EXITED) {
		history_add(h, now, peer, phase, result, "signal=%d reason=\"pppd killed\"", status);
		return;
	}
	exit_phase(status, authenticated, ip_up, &phase, &result);
	history_add(h, now, peer, phase, result, "exit=%d reason=\"pppd exited unreported\"",
		    status);
}

void history_feed_radius(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
			 uint32_t result, const char *user, const char *method, const char *why)
{
	char u[48], w[96];

	if (!h || !peer)
		return;
	history_add(h, now, peer, CTL_PHASE_AUTH, CTL_RESULT_FAIL,
		    "radius=%s user=\"%s\" method=%s reason=\"%s\"",
		    result == CTL_AUTH_REJECT ? "reject" : "no-answer", quoted(user, u, sizeof(u)),
		    method && method[0] ? method : "none", quoted(why, w, sizeof(w)));
}

void history_feed_pool_empty(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
			     unsigned int pool_size)
{
	if (!h || !peer)
		return;
	history_add(h, now, peer, CTL_PHASE_ICCN, CTL_RESULT_FAIL, "pool=empty size=%u",
		    pool_size);
}
