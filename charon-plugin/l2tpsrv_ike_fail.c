/*
 * The ike-fail listener of the l2tpsrv plugin, see l2tpsrv_ike_fail.h.
 *
 * Like the bus listener, each callback reads what it needs from the SA and
 * the message into strings, builds the record and pushes it to the link
 * without waiting for I/O.
 */
#include "l2tpsrv_ike_fail.h"
#include "l2tpsrv_ike_info.h"

#include <stdarg.h>

#include <daemon.h>
#include <encoding/payloads/ike_header.h>
#include <encoding/payloads/notify_payload.h>

typedef struct private_l2tpsrv_ike_fail_t private_l2tpsrv_ike_fail_t;

struct private_l2tpsrv_ike_fail_t {

	/**
	 * public interface
	 */
	l2tpsrv_ike_fail_t public;

	/**
	 * where records go
	 */
	l2tpsrv_link_t *link;
};

/**
 * Push a record nothing replays (ike-fail): dropped when the link is busy.
 */
static void emit_optional(private_l2tpsrv_ike_fail_t *this, l2tpsrv_msg_t *msg)
{
	if (!this->link->push_optional(this->link, msg))
	{
		DBG2(DBG_CFG, "l2tpsrv: not sent (no link, or busy): %s",
			 l2tpsrv_msg_data(msg));
		return;
	}
	DBG2(DBG_CFG, "l2tpsrv: %s", l2tpsrv_msg_data(msg));
}

/**
 * Push ike-fail for a failure of ike_sa's negotiation (ike_sa may be NULL
 * for a message no IKE_SA took).
 *
 * @param message	the peer's message the failure is about, or NULL: its
 *					addresses win over the IKE_SA's (which may not have
 *					them yet), and it gives exchange= and, in IKEv1,
 *					encrypted=
 * @param notify	the error notify's name, or NULL
 */
static void ike_fail(private_l2tpsrv_ike_fail_t *this, ike_sa_t *ike_sa,
					 l2tpsrv_fail_t fail, message_t *message, char *notify)
{
	ike_info_t info = {};
	l2tpsrv_msg_t msg;
	host_t *local = NULL, *remote = NULL;
	chunk_t packet;

	if (message)
	{
		local = message->get_destination(message);
		remote = message->get_source(message);
	}
	if (ike_sa)
	{
		l2tpsrv_ike_info_get(&info, ike_sa, local, remote);
		remote = remote ?: ike_sa->get_other_host(ike_sa);
	}
	else if (message && local && remote)
	{
		info.ikev = message->get_major_version(message) == IKEV1_MAJOR_VERSION
						? 1 : 2;
		l2tpsrv_print(info.local, sizeof(info.local), "%H", local);
		info.local_port = local->get_port(local);
		l2tpsrv_print(info.remote, sizeof(info.remote), "%H", remote);
		info.remote_port = remote->get_port(remote);
	}
	if (!remote || remote->is_anyaddr(remote) ||
		!l2tpsrv_msg_init_ike_fail(&msg,
							ike_sa ? ike_sa->get_unique_id(ike_sa) : 0, fail))
	{
		return;
	}
	if (message)
	{
		l2tpsrv_msg_add(&msg, "exchange", l2tpsrv_exchange_name(
										message->get_exchange_type(message)));
		if (info.ikev == 1)
		{
			packet = message->get_packet_data(message);
			l2tpsrv_msg_add_uint(&msg, "encrypted",
							l2tpsrv_ikev1_encrypted(packet.ptr, packet.len));
		}
	}
	if (notify)
	{
		l2tpsrv_msg_add(&msg, "notify", notify);
	}
	l2tpsrv_ike_info_add(&info, &msg);
	emit_optional(this, &msg);
}

/**
 * Which failure an alert tells of, for those passed on as ike-fail.
 */
static bool fail_of_alert(alert_t alert, ike_sa_t *ike_sa, l2tpsrv_fail_t *fail)
{
	switch (alert)
	{
		case ALERT_PEER_AUTH_FAILED:
			*fail = L2TPSRV_FAIL_AUTH;
			return TRUE;
		case ALERT_LOCAL_AUTH_FAILED:
			*fail = L2TPSRV_FAIL_LOCAL_AUTH;
			return TRUE;
		case ALERT_PROPOSAL_MISMATCH_IKE:
			*fail = L2TPSRV_FAIL_PROPOSAL_IKE;
			return TRUE;
		case ALERT_PROPOSAL_MISMATCH_CHILD:
			*fail = L2TPSRV_FAIL_PROPOSAL_CHILD;
			return TRUE;
		case ALERT_TS_MISMATCH:
			*fail = L2TPSRV_FAIL_TS;
			return TRUE;
		case ALERT_PEER_INIT_UNREACHABLE:
		case ALERT_HALF_OPEN_TIMEOUT:
			*fail = L2TPSRV_FAIL_TIMEOUT;
			return TRUE;
		case ALERT_RETRANSMIT_SEND_TIMEOUT:
			/* on an established IKE_SA, DPD's (dpd_timeout_job.c, or our
			 * DPD request retransmitted in vain) */
			*fail = ike_sa && l2tpsrv_ike_is_up(ike_sa)
						? L2TPSRV_FAIL_DPD_TIMEOUT : L2TPSRV_FAIL_TIMEOUT;
			return TRUE;
		case ALERT_PARSE_ERROR_HEADER:
		case ALERT_PARSE_ERROR_BODY:
			*fail = L2TPSRV_FAIL_PARSE;
			return TRUE;
		case ALERT_CERT_EXPIRED:
			*fail = L2TPSRV_FAIL_CERT_EXPIRED;
			return TRUE;
		case ALERT_CERT_REVOKED:
			*fail = L2TPSRV_FAIL_CERT_REVOKED;
			return TRUE;
		case ALERT_CERT_NO_ISSUER:
		case ALERT_CERT_UNTRUSTED_ROOT:
			*fail = L2TPSRV_FAIL_CERT_UNTRUSTED;
			return TRUE;
		case ALERT_CERT_VALIDATION_FAILED:
		case ALERT_CERT_EXCEEDED_PATH_LEN:
		case ALERT_CERT_POLICY_VIOLATION:
			*fail = L2TPSRV_FAIL_CERT_INVALID;
			return TRUE;
		case ALERT_AUTHORIZATION_FAILED:
			*fail = L2TPSRV_FAIL_AUTHORIZATION;
			return TRUE;
		case ALERT_INSTALL_CHILD_SA_FAILED:
		case ALERT_INSTALL_CHILD_POLICY_FAILED:
			*fail = L2TPSRV_FAIL_INSTALL;
			return TRUE;
		default:
			return FALSE;
	}
}

/*
 * A PSK mismatch on an IKEv1 Main Mode responder, in charon 5.9.8: the
 * keys of messages 5 and 6 come from the PSK (SKEYID = prf(PSK, Ni | Nr)),
 * so with different PSKs we decrypt the peer's message 5 (ID, HASH_I) into
 * garbage. encrypted_payload.c's parse() then mostly finds a payload length
 * beyond the data ("invalid ID_V1 payload length, decryption failed?") and
 * returns PARSE_ERROR (or VERIFY_ERROR), and task_manager_v1.c's
 * parse_message() raises ALERT_PARSE_ERROR_BODY, sends PAYLOAD_MALFORMED and
 * keeps the half-open IKE_SA (it is CONNECTING), which the half-open timeout
 * ends later (ALERT_HALF_OPEN_TIMEOUT). Only when the garbage happens to
 * parse does main_mode.c's process_r() get as far as verify_auth(), fail
 * the HASH_I check and raise ALERT_PEER_AUTH_FAILED. So a PSK mismatch
 * shows as parse-error exchange=main-mode encrypted=1 (then timeout), rarely
 * as auth-failed; l2tpctl diagnose reads both as "PSK mismatch (likely)".
 * IKEv2 checks the PSK in IKE_AUTH: ALERT_PEER_AUTH_FAILED, auth-failed.
 */
METHOD(listener_t, alert, bool,
	private_l2tpsrv_ike_fail_t *this, ike_sa_t *ike_sa, alert_t alert,
	va_list args)
{
	message_t *message = NULL;
	l2tpsrv_fail_t fail;

	if (!fail_of_alert(alert, ike_sa, &fail))
	{
		return TRUE;
	}
	if (alert == ALERT_PARSE_ERROR_HEADER || alert == ALERT_PARSE_ERROR_BODY)
	{
		message = va_arg(args, message_t*);
	}
	ike_fail(this, ike_sa, fail, message, NULL);
	return TRUE;
}

/*
 * IKEv1's proposal and traffic selector mismatches raise no alert in charon
 * 5.9.8: main_mode.c and quick_mode.c only send NO_PROPOSAL_CHOSEN or
 * INVALID_ID_INFORMATION (send_notify()). We see that notify go out here,
 * and error notifies the peer sends us. IKEv2 has alerts for all of these.
 */
METHOD(listener_t, message_hook, bool,
	private_l2tpsrv_ike_fail_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	notify_type_t type;
	l2tpsrv_fail_t fail;
	char name[64];

	if (!plain || !ike_sa ||
		message->get_major_version(message) != IKEV1_MAJOR_VERSION)
	{
		return TRUE;
	}
	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV1_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		type = notify->get_notify_type(notify);
		if (l2tpsrv_fail_of_v1_notify(type, !incoming,
									  l2tpsrv_ike_is_up(ike_sa), &fail))
		{
			l2tpsrv_print(name, sizeof(name), "%N", notify_type_names, type);
			ike_fail(this, ike_sa, fail, NULL, name);
			break;	/* one record a message */
		}
	}
	enumerator->destroy(enumerator);
	return TRUE;
}

METHOD(l2tpsrv_ike_fail_t, destroy, void,
	private_l2tpsrv_ike_fail_t *this)
{
	free(this);
}

/*
 * See header
 */
l2tpsrv_ike_fail_t *l2tpsrv_ike_fail_create(l2tpsrv_link_t *link)
{
	private_l2tpsrv_ike_fail_t *this;

	INIT(this,
		.public = {
			.listener = {
				.alert = _alert,
				.message = _message_hook,
			},
			.destroy = _destroy,
		},
		.link = link,
	);
	return &this->public;
}
