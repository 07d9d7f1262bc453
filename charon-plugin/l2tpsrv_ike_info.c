/*
 * The IKE fields of a record, see l2tpsrv_ike_info.h.
 */
#include "l2tpsrv_ike_info.h"

#include <stdarg.h>
#include <stdio.h>

#include <daemon.h>

/*
 * See header
 */
bool l2tpsrv_print(char *buf, size_t len, char *fmt, ...)
{
	va_list args;
	int ret;

	va_start(args, fmt);
	ret = vsnprintf(buf, len, fmt, args);
	va_end(args);
	if (ret < 0 || (size_t)ret >= len)
	{
		buf[0] = '\0';
		return FALSE;
	}
	return TRUE;
}

/**
 * Print an identity into buf, leaving it empty for none or %any.
 */
static void print_id(char *buf, identification_t *id, char *what,
					 ike_sa_t *ike_sa)
{
	buf[0] = '\0';
	if (!id || id->get_type(id) == ID_ANY)
	{
		return;
	}
	if (!l2tpsrv_print(buf, ID_MAX, "%Y", id))
	{
		DBG1(DBG_CFG, "l2tpsrv: %s of IKE_SA %u longer than %d bytes, "
			 "left out", what, ike_sa->get_unique_id(ike_sa), ID_MAX - 1);
	}
}

/**
 * The last non-%any value of an identity rule in the peer's completed
 * authentication rounds, like ike_sa_t.get_other_eap_id() does, but for
 * the one rule only (get_other_eap_id() falls back to the XAuth and IKE
 * identities, which we report on their own).
 */
static identification_t *get_other_auth_id(ike_sa_t *ike_sa, auth_rule_t rule)
{
	identification_t *id = NULL, *current;
	enumerator_t *enumerator;
	auth_cfg_t *auth;

	enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, FALSE);
	while (enumerator->enumerate(enumerator, &auth))
	{
		current = auth->get(auth, rule);
		if (current && current->get_type(current) != ID_ANY)
		{
			id = current;
		}
	}
	enumerator->destroy(enumerator);
	return id;
}

/**
 * The peer's certificate from its first round that used one.
 */
static certificate_t *get_other_cert(ike_sa_t *ike_sa)
{
	certificate_t *cert = NULL;
	enumerator_t *enumerator;
	auth_cfg_t *auth;

	enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, FALSE);
	while (!cert && enumerator->enumerate(enumerator, &auth))
	{
		cert = auth->get(auth, AUTH_RULE_SUBJECT_CERT);
	}
	enumerator->destroy(enumerator);
	return cert;
}

/*
 * See header
 */
void l2tpsrv_ike_info_get(ike_info_t *info, ike_sa_t *ike_sa, host_t *local,
						  host_t *remote)
{
	identification_t *other_id, *id;
	certificate_t *cert;

	local = local ?: ike_sa->get_my_host(ike_sa);
	remote = remote ?: ike_sa->get_other_host(ike_sa);

	info->ikev = ike_sa->get_version(ike_sa) == IKEV1 ? 1 : 2;
	l2tpsrv_print(info->local, sizeof(info->local), "%H", local);
	info->local_port = local->get_port(local);
	l2tpsrv_print(info->remote, sizeof(info->remote), "%H", remote);
	info->remote_port = remote->get_port(remote);
	info->nat_local = ike_sa->has_condition(ike_sa, COND_NAT_HERE);
	info->nat_remote = ike_sa->has_condition(ike_sa, COND_NAT_THERE);

	other_id = ike_sa->get_other_id(ike_sa);
	print_id(info->remote_id, other_id, "remote-id", ike_sa);

	id = get_other_auth_id(ike_sa, AUTH_RULE_EAP_IDENTITY);
	if (id && other_id && id->equals(id, other_id))
	{
		id = NULL;
	}
	print_id(info->eap_id, id, "eap-id", ike_sa);

	id = get_other_auth_id(ike_sa, AUTH_RULE_XAUTH_IDENTITY);
	print_id(info->xauth_id, id, "xauth-id", ike_sa);

	cert = get_other_cert(ike_sa);
	print_id(info->cert, cert ? cert->get_subject(cert) : NULL, "cert",
			 ike_sa);
}

/**
 * Add an optional string field.
 */
static void add_opt(l2tpsrv_msg_t *msg, const char *key, const char *value)
{
	if (value[0])
	{
		l2tpsrv_msg_add(msg, key, value);
	}
}

/*
 * See header
 */
void l2tpsrv_ike_info_add(ike_info_t *info, l2tpsrv_msg_t *msg)
{
	l2tpsrv_msg_add_uint(msg, "ikev", info->ikev);
	add_opt(msg, "local", info->local);
	l2tpsrv_msg_add_uint(msg, "local-port", info->local_port);
	add_opt(msg, "remote", info->remote);
	l2tpsrv_msg_add_uint(msg, "remote-port", info->remote_port);
	l2tpsrv_msg_add_uint(msg, "nat-local", info->nat_local);
	l2tpsrv_msg_add_uint(msg, "nat-remote", info->nat_remote);
	/* identities last: they are the long ones */
	add_opt(msg, "remote-id", info->remote_id);
	add_opt(msg, "eap-id", info->eap_id);
	add_opt(msg, "xauth-id", info->xauth_id);
	add_opt(msg, "cert", info->cert);
}

/*
 * See header
 */
bool l2tpsrv_ike_is_up(ike_sa_t *ike_sa)
{
	switch (ike_sa->get_state(ike_sa))
	{
		case IKE_ESTABLISHED:
		case IKE_REKEYING:
			return TRUE;
		default:
			return FALSE;
	}
}
