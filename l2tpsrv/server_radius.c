/*
 * server_radius: the server's RADIUS side (see server_private.h): the
 * client for authentication and accounting, Accounting-On/Off for the
 * NAS, and RFC 5176 Disconnect/CoA requests matched to our calls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "call.h"
#include "dae.h"
#include "ipsec.h"
#include "lns.h"
#include "log.h"
#include "radius.h"
#include "server_private.h"

static void on_call_peer(void *userdata, uint16_t tunnel_id, struct auth_call *call)
{
	server_call_peer(userdata, tunnel_id, call);
}

/* Accounting-On as we start, Accounting-Off as we stop (RFC 2866 5.1). */
void server_send_acct_nas(struct server *srv, enum acct_status status)
{
	struct acct_record rec = { .status = status };

	sd_event_now(srv->event, CLOCK_MONOTONIC, &rec.event_usec);
	snprintf(rec.call.acct_session_id, sizeof(rec.call.acct_session_id), "%s",
		 srv->acct_nas_session);
	acct_submit(srv->acct, &rec);
}

/* ---- RFC 5176: Disconnect-Request and CoA-Request ---- */

#define DAE_MAX_MATCHES 256

/* A NAS-Identifier or NAS-IP-Address in the request must be ours (RFC 5176 3). */
static bool dae_names_us(const struct server *srv, const struct radius_attrs *attrs)
{
	char id[64];
	uint32_t ip;

	if (radius_attrs_get_string(attrs, "NAS-Identifier", id, sizeof(id)) &&
	    strcmp(id, srv->cfg->radius_nas_identifier[0] ? srv->cfg->radius_nas_identifier
							 : srv->cfg->host_name) != 0)
		return false;
	if (radius_attrs_get_ipv4(attrs, "NAS-IP-Address", &ip) && ip != srv->cfg->radius_nas_ip)
		return false;
	return true;
}

/* A Disconnect-Request changes nothing: Session-Timeout or Idle-Timeout in one is unsupported. */
static bool dae_attrs_supported(enum dae_kind kind, const struct radius_attrs *attrs)
{
	uint32_t v;

	return kind == DAE_COA || (!radius_attrs_get_uint(attrs, "Session-Timeout", &v) &&
				   !radius_attrs_get_uint(attrs, "Idle-Timeout", &v));
}

/* The client's whole VPN connection goes: its IKE SA, through our charon plugin. */
static void terminate_ike(struct server *srv, uint64_t owner)
{
	int r = ipsec_terminate_ike(srv->ipsec, owner, "RADIUS Disconnect-Request");

	if (r < 0)
		log_msg(LOG_WARNING, "event=dae_terminate_ike_failed owner=%llu error=\"%s\"",
			(unsigned long long)owner, strerror(-r));
}

static enum dae_error on_dae(void *userdata, enum dae_kind kind, const struct radius_attrs *attrs)
{
	struct server *srv = userdata;
	static struct call_ids found[DAE_MAX_MATCHES];
	char user[64], session[AUTH_ACCT_SESSION_ID_LEN], addr[INET_ADDRSTRLEN];
	struct calls_match m = { 0 };
	const char *what = kind == DAE_DISCONNECT ? "disconnect" : "coa";
	enum dae_error err = DAE_OK;
	uint32_t timeout = 0, idle = 0;
	bool has_timeout = false, has_idle = false;
	size_t n = 0;

	if (radius_attrs_get_string(attrs, "User-Name", user, sizeof(user)))
		m.user = user;
	if (radius_attrs_get_string(attrs, "Acct-Session-Id", session, sizeof(session)))
		m.acct_session_id = session;
	radius_attrs_get_ipv4(attrs, "Framed-IP-Address", &m.framed_ip);
	has_timeout = radius_attrs_get_uint(attrs, "Session-Timeout", &timeout);
	has_idle = radius_attrs_get_uint(attrs, "Idle-Timeout", &idle);
	if (!dae_names_us(srv, attrs))
		err = DAE_NAS_MISMATCH;
	else if (!m.user && !m.acct_session_id && !m.framed_ip)
		err = DAE_MISSING_ATTRIBUTE;
	else if (!dae_attrs_supported(kind, attrs))
		err = DAE_UNSUPPORTED_ATTRIBUTE;
	else if (kind == DAE_COA && !has_timeout && !has_idle)
		err = DAE_MISSING_ATTRIBUTE; /* nothing to change */
	else if (!srv->calls ||
		 !(n = calls_find(srv->calls, &m, found, DAE_MAX_MATCHES)))
		err = DAE_SESSION_NOT_FOUND;
	inet_ntop(AF_INET, &m.framed_ip, addr, sizeof(addr));
	log_msg(err ? LOG_NOTICE : LOG_INFO,
		"event=dae_%s user=\"%s\" acct_session_id=%s framed_ip=%s sessions=%zu error_cause=%d",
		what, m.user ? m.user : "", m.acct_session_id ? m.acct_session_id : "",
		m.framed_ip ? addr : "", n, (int)err);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		uint16_t tid = found[i].tunnel_id, sid = found[i].session_id;
		uint64_t owner = 0;

		if (kind == DAE_COA) {
			if (has_timeout)
				calls_set_session_timeout(srv->calls, tid, sid, timeout);
			if (has_idle)
				calls_set_idle_timeout(srv->calls, tid, sid, idle);
			continue;
		}
		calls_set_cause(srv->calls, tid, sid, ACCT_CAUSE_ADMIN_RESET);
		if (srv->cfg->radius_dae_terminate_ike && lns_tunnel_owner(srv->lns, tid, &owner) == 0 &&
		    owner)
			terminate_ike(srv, owner);
		lns_close_session(srv->lns, server_now(), tid, sid);
	}
	return DAE_OK;
}

static int open_dae(struct server *srv)
{
	int r;

	if (!srv->cfg->radius_dae.n_clients)
		return 0;
	r = dae_new(&srv->dae, srv->event, &srv->cfg->radius_dae, on_dae, srv);
	if (r < 0) {
		log_msg(LOG_ERR, "event=dae_failed port=%u error=\"%s\"", srv->cfg->radius_dae.port,
			strerror(-r));
		return r;
	}
	log_msg(LOG_INFO, "event=dae_listening port=%u clients=%zu terminate_ike=%s",
		srv->cfg->radius_dae.port, srv->cfg->radius_dae.n_clients,
		srv->cfg->radius_dae_terminate_ike ? "yes" : "no");
	return 0;
}

/* The RADIUS client, and RADIUS authentication and accounting as configured. */
int server_open_radius(struct server *srv)
{
	const struct l2tpsrv_config *cfg = srv->cfg;
	struct auth_nas nas = { .ip = cfg->radius_nas_ip }; /* network order, as auth wants */
	char err[256];
	int r;

	if (!cfg->radius.n_auth && !cfg->radius.n_acct && !cfg->radius_dae.n_clients)
		return 0;
	r = radius_library_init(NULL, err, sizeof(err));
	if (r < 0) {
		log_msg(LOG_ERR, "event=radius_failed error=\"%s\"", err);
		return r;
	}
	r = open_dae(srv);
	if (r < 0)
		return r;
	if (!cfg->radius.n_auth && !cfg->radius.n_acct)
		return 0;
	r = radius_new(&srv->radius, srv->event, &cfg->radius);
	if (r < 0) {
		log_msg(LOG_ERR, "event=radius_failed error=\"%s\"", strerror(-r));
		return r;
	}
	snprintf(nas.identifier, sizeof(nas.identifier), "%s",
		 cfg->radius_nas_identifier[0] ? cfg->radius_nas_identifier : cfg->host_name);
	if (cfg->radius.n_acct) {
		srv->acct = acct_new(srv->event, srv->radius, &nas, ACCT_RETRY_USEC);
		if (!srv->acct)
			return -ENOMEM;
		if (srv->calls)
			calls_set_accounting(srv->calls, srv->acct, on_call_peer, srv);
		auth_acct_session_id(srv->acct_nas_session, sizeof(srv->acct_nas_session),
				     (uint32_t)time(NULL), 0, 0);
		server_send_acct_nas(srv, ACCT_ON);
		log_msg(LOG_INFO, "event=radius_acct servers=%zu interim=%us nas_identifier=\"%s\"",
			cfg->radius.n_acct, cfg->radius_acct_interim_s, nas.identifier);
	}
	if (!cfg->radius.n_auth)
		return 0;
	srv->auth = auth_new(srv->radius, &nas);
	if (!srv->auth)
		return -ENOMEM;
	log_msg(LOG_INFO, "event=radius_auth servers=%zu nas_identifier=\"%s\"",
		cfg->radius.n_auth, nas.identifier);
	return 0;
}
