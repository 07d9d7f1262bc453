/*
 * Bus listener of the l2tpsrv plugin, see l2tpsrv_listener.h.
 *
 * Each callback reads what it needs from the SAs into strings, builds the
 * record and pushes it to the link; none waits for I/O. The SAs are checked
 * out by the calling thread throughout, which keeps the records of one SA
 * in order with the replay (which checks them out too).
 */
#include "l2tpsrv_listener.h"

#include <stdarg.h>
#include <stdio.h>

#include <daemon.h>
#include <collections/linked_list.h>
#include <encoding/payloads/ike_header.h>
#include <encoding/payloads/notify_payload.h>
#include <threading/mutex.h>

/** longest identity or certificate subject we report, printed */
#define ID_MAX 1024

/** longest printed address */
#define ADDR_MAX 64

/**
 * Migrations announced by the first children_migrate() call and not yet
 * completed by the second: at most this many (they pair up in one thread
 * at once, so more means some were abandoned)
 */
#define MIGRATIONS_MAX 32

typedef struct private_l2tpsrv_listener_t private_l2tpsrv_listener_t;

/**
 * The IKE fields of a record, printed but not yet encoded. An empty string
 * is a field left out.
 */
typedef struct {
	u_int ikev;
	char local[ADDR_MAX];
	uint16_t local_port;
	char remote[ADDR_MAX];
	uint16_t remote_port;
	bool nat_local;
	bool nat_remote;
	char remote_id[ID_MAX];
	char eap_id[ID_MAX];
	char xauth_id[ID_MAX];
	char cert[ID_MAX];
} ike_info_t;

/**
 * CHILD_SAs about to move to another IKE_SA (IKEv1 reauthentication),
 * between the two children_migrate() calls.
 */
typedef struct {
	/** unique ID of the IKE_SA they move to */
	uint32_t new_unique;
	/** unique IDs of the CHILD_SAs that count */
	uint32_t *children;
	u_int count;
	/** IKE fields of the IKE_SA they leave, for a new one not yet up */
	ike_info_t old;
} migration_t;

struct private_l2tpsrv_listener_t {

	/**
	 * public interface
	 */
	l2tpsrv_listener_t public;

	/**
	 * where records go
	 */
	l2tpsrv_link_t *link;

	/**
	 * only transport-mode CHILD_SAs count
	 */
	bool transport_only;

	/**
	 * UDP port of L2TP at our end
	 */
	uint16_t l2tp_port;

	/**
	 * protects migrations
	 */
	mutex_t *mutex;

	/**
	 * migration_t*, oldest first
	 */
	linked_list_t *migrations;
};

/**
 * snprintf() with strongSwan's printf hooks (%Y, %H, ...). Not declared
 * with the format attribute, as GCC does not know these conversions.
 *
 * @return		FALSE (and buf empty) if the result did not fit
 */
static bool print(char *buf, size_t len, char *fmt, ...)
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
	if (!print(buf, ID_MAX, "%Y", id))
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

/**
 * Read the IKE fields of an IKE_SA.
 *
 * @param local		our endpoint, NULL for the IKE_SA's
 * @param remote	the peer's endpoint, NULL for the IKE_SA's
 */
static void ike_info_get(ike_info_t *info, ike_sa_t *ike_sa, host_t *local,
						 host_t *remote)
{
	identification_t *other_id, *id;
	certificate_t *cert;

	local = local ?: ike_sa->get_my_host(ike_sa);
	remote = remote ?: ike_sa->get_other_host(ike_sa);

	info->ikev = ike_sa->get_version(ike_sa) == IKEV1 ? 1 : 2;
	print(info->local, sizeof(info->local), "%H", local);
	info->local_port = local->get_port(local);
	print(info->remote, sizeof(info->remote), "%H", remote);
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

/**
 * Add the IKE fields.
 */
static void ike_info_add(ike_info_t *info, l2tpsrv_msg_t *msg)
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

/**
 * Add the IKE fields of an IKE_SA.
 */
static void add_ike(l2tpsrv_msg_t *msg, ike_sa_t *ike_sa)
{
	ike_info_t info;

	ike_info_get(&info, ike_sa, NULL, NULL);
	ike_info_add(&info, msg);
}

/**
 * Does a traffic selector carry UDP?
 */
static bool ts_is_udp(traffic_selector_t *ts)
{
	return ts->get_protocol(ts) == IPPROTO_UDP || ts->get_protocol(ts) == 0;
}

/**
 * Does a CHILD_SA count, and which UDP source ports may the peer use?
 */
static bool child_counts(private_l2tpsrv_listener_t *this,
						 child_sa_t *child_sa, uint16_t *low, uint16_t *high)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	bool local = FALSE, remote = FALSE;

	if (this->transport_only &&
		child_sa->get_mode(child_sa) != MODE_TRANSPORT)
	{
		return FALSE;
	}
	enumerator = child_sa->create_ts_enumerator(child_sa, TRUE);
	while (!local && enumerator->enumerate(enumerator, &ts))
	{
		local = ts_is_udp(ts) && ts->get_from_port(ts) <= this->l2tp_port &&
				this->l2tp_port <= ts->get_to_port(ts);
	}
	enumerator->destroy(enumerator);
	if (!local)
	{
		return FALSE;
	}
	*low = 0xffff;
	*high = 0;
	enumerator = child_sa->create_ts_enumerator(child_sa, FALSE);
	while (enumerator->enumerate(enumerator, &ts))
	{
		if (ts_is_udp(ts) && ts->get_from_port(ts) <= ts->get_to_port(ts))
		{
			remote = TRUE;
			*low = min(*low, ts->get_from_port(ts));
			*high = max(*high, ts->get_to_port(ts));
		}
	}
	enumerator->destroy(enumerator);
	return remote;
}

/**
 * charon_proto's name of a mode.
 */
static char *mode_name(ipsec_mode_t mode)
{
	switch (mode)
	{
		case MODE_TRANSPORT:
			return "transport";
		case MODE_TUNNEL:
			return "tunnel";
		case MODE_BEET:
			return "beet";
		case MODE_PASS:
			return "pass";
		case MODE_DROP:
			return "drop";
		default:
			return "none";
	}
}

/**
 * Add the CHILD fields.
 */
static void add_child(l2tpsrv_msg_t *msg, child_sa_t *child_sa, uint16_t low,
					  uint16_t high)
{
	char buf[32];
	mark_t mark;

	l2tpsrv_msg_add(msg, "name", child_sa->get_name(child_sa));
	l2tpsrv_msg_add(msg, "mode", mode_name(child_sa->get_mode(child_sa)));
	l2tpsrv_msg_add_uint(msg, "reqid", child_sa->get_reqid(child_sa));
	snprintf(buf, sizeof(buf), "%08x", ntohl(child_sa->get_spi(child_sa, TRUE)));
	l2tpsrv_msg_add(msg, "spi-in", buf);
	snprintf(buf, sizeof(buf), "%08x", ntohl(child_sa->get_spi(child_sa, FALSE)));
	l2tpsrv_msg_add(msg, "spi-out", buf);
	mark = child_sa->get_mark(child_sa, TRUE);
	snprintf(buf, sizeof(buf), "%x/%x", mark.value, mark.mask);
	l2tpsrv_msg_add(msg, "mark-in", buf);
	mark = child_sa->get_mark(child_sa, FALSE);
	snprintf(buf, sizeof(buf), "%x/%x", mark.value, mark.mask);
	l2tpsrv_msg_add(msg, "mark-out", buf);
	snprintf(buf, sizeof(buf), "%u-%u", low, high);
	l2tpsrv_msg_add(msg, "remote-ports", buf);
}

/**
 * Start a record: EVENT ike=U.
 */
static void start(l2tpsrv_msg_t *msg, char *event, ike_sa_t *ike_sa)
{
	l2tpsrv_msg_init(msg, event);
	l2tpsrv_msg_add_uint(msg, "ike", ike_sa->get_unique_id(ike_sa));
}

/**
 * Push a record to the link.
 */
static void emit(private_l2tpsrv_listener_t *this, l2tpsrv_msg_t *msg)
{
	if (l2tpsrv_msg_dropped(msg))
	{
		DBG1(DBG_CFG, "l2tpsrv: %u fields left out of a %d-byte record: "
			 "%.128s...", l2tpsrv_msg_dropped(msg), CHARON_MSG_MAX,
			 l2tpsrv_msg_data(msg));
	}
	DBG2(DBG_CFG, "l2tpsrv: %s", l2tpsrv_msg_data(msg));
	this->link->push(this->link, msg);
}

/**
 * Push a record nothing replays (ike-fail): dropped when the link is busy.
 */
static void emit_optional(private_l2tpsrv_listener_t *this, l2tpsrv_msg_t *msg)
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
 * Is an IKE_SA up as far as l2tpsrv is concerned: has it had its ike-up,
 * and no ike-down nor ike-rekey yet?
 */
static bool ike_is_up(ike_sa_t *ike_sa)
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

/**
 * Is a CHILD_SA installed and neither replaced nor on its way out?
 */
static bool child_is_up(child_sa_t *child_sa)
{
	switch (child_sa->get_state(child_sa))
	{
		case CHILD_INSTALLED:
		case CHILD_UPDATING:
		case CHILD_REKEYING:
			return TRUE;
		default:
			return FALSE;
	}
}

/**
 * Push child-up for a CHILD_SA, if it counts.
 *
 * @return		TRUE if it counts
 */
static bool child_up(private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa,
					 child_sa_t *child_sa)
{
	l2tpsrv_msg_t msg;
	uint16_t low, high;

	if (!child_counts(this, child_sa, &low, &high))
	{
		return FALSE;
	}
	start(&msg, "child-up", ike_sa);
	l2tpsrv_msg_add_uint(&msg, "child", child_sa->get_unique_id(child_sa));
	add_child(&msg, child_sa, low, high);
	add_ike(&msg, ike_sa);
	emit(this, &msg);
	return TRUE;
}

/**
 * Push child-down for a CHILD_SA.
 */
static void child_down(private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa,
					   child_sa_t *child_sa)
{
	l2tpsrv_msg_t msg;

	start(&msg, "child-down", ike_sa);
	l2tpsrv_msg_add_uint(&msg, "child", child_sa->get_unique_id(child_sa));
	emit(this, &msg);
}

/**
 * Free a pending migration.
 */
static void migration_destroy(migration_t *migration)
{
	free(migration->children);
	free(migration);
}

/**
 * Take the pending migration to an IKE_SA off the list.
 */
static migration_t *migration_take(private_l2tpsrv_listener_t *this,
								   uint32_t new_unique)
{
	enumerator_t *enumerator;
	migration_t *migration, *found = NULL;

	this->mutex->lock(this->mutex);
	enumerator = this->migrations->create_enumerator(this->migrations);
	while (enumerator->enumerate(enumerator, &migration))
	{
		if (migration->new_unique == new_unique)
		{
			this->migrations->remove_at(this->migrations, enumerator);
			found = migration;
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return found;
}

/**
 * First children_migrate() call, on the IKE_SA the CHILD_SAs leave: note
 * which of them count, and its IKE fields.
 */
static void migration_begin(private_l2tpsrv_listener_t *this, ike_sa_t *old,
							uint32_t new_unique)
{
	enumerator_t *enumerator;
	child_sa_t *child_sa;
	migration_t *migration, *stale;
	uint16_t low, high;

	INIT(migration,
		.new_unique = new_unique,
		.children = calloc(max(old->get_child_count(old), 1),
						   sizeof(uint32_t)),
	);
	enumerator = old->create_child_sa_enumerator(old);
	while (enumerator->enumerate(enumerator, &child_sa))
	{
		if (migration->count < old->get_child_count(old) &&
			child_counts(this, child_sa, &low, &high))
		{
			migration->children[migration->count++] =
											child_sa->get_unique_id(child_sa);
		}
	}
	enumerator->destroy(enumerator);
	if (!migration->count)
	{
		migration_destroy(migration);
		return;
	}
	ike_info_get(&migration->old, old, NULL, NULL);

	stale = migration_take(this, new_unique);
	if (stale)
	{
		migration_destroy(stale);
	}
	this->mutex->lock(this->mutex);
	if (this->migrations->get_count(this->migrations) >= MIGRATIONS_MAX &&
		this->migrations->remove_first(this->migrations,
									   (void**)&stale) == SUCCESS)
	{
		DBG1(DBG_CFG, "l2tpsrv: forgot migration of CHILD_SAs to IKE_SA %u",
			 stale->new_unique);
		migration_destroy(stale);
	}
	this->migrations->insert_last(this->migrations, migration);
	this->mutex->unlock(this->mutex);
}

/**
 * Is a CHILD_SA among those noted to migrate?
 */
static bool migration_has(migration_t *migration, uint32_t child)
{
	u_int i;

	for (i = 0; i < migration->count; i++)
	{
		if (migration->children[i] == child)
		{
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Second children_migrate() call, on the IKE_SA the CHILD_SAs joined:
 * push child-migrate for those noted, with the new IKE_SA's IKE fields if
 * it is up, else with the old one's (it is then a reauthentication we
 * initiated, whose new IKE_SA gets its ike-up when established).
 */
static void migration_end(private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa)
{
	enumerator_t *enumerator;
	child_sa_t *child_sa;
	migration_t *migration;
	l2tpsrv_msg_t msg;
	ike_info_t *info, current;
	uint16_t low, high;

	migration = migration_take(this, ike_sa->get_unique_id(ike_sa));
	if (!migration)
	{
		return;
	}
	info = &migration->old;
	if (ike_is_up(ike_sa))
	{
		ike_info_get(&current, ike_sa, NULL, NULL);
		info = &current;
	}
	enumerator = ike_sa->create_child_sa_enumerator(ike_sa);
	while (enumerator->enumerate(enumerator, &child_sa))
	{
		if (!migration_has(migration, child_sa->get_unique_id(child_sa)) ||
			!child_counts(this, child_sa, &low, &high))
		{
			continue;
		}
		start(&msg, "child-migrate", ike_sa);
		l2tpsrv_msg_add_uint(&msg, "child", child_sa->get_unique_id(child_sa));
		/* not required by charon_proto; lets l2tpsrv take a CHILD_SA it
		 * does not know as if it came up */
		add_child(&msg, child_sa, low, high);
		ike_info_add(info, &msg);
		emit(this, &msg);
	}
	enumerator->destroy(enumerator);
	migration_destroy(migration);
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
static void ike_fail(private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa,
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
		ike_info_get(&info, ike_sa, local, remote);
		remote = remote ?: ike_sa->get_other_host(ike_sa);
	}
	else if (message && local && remote)
	{
		info.ikev = message->get_major_version(message) == IKEV1_MAJOR_VERSION
						? 1 : 2;
		print(info.local, sizeof(info.local), "%H", local);
		info.local_port = local->get_port(local);
		print(info.remote, sizeof(info.remote), "%H", remote);
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
	ike_info_add(&info, &msg);
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
			*fail = ike_sa && ike_is_up(ike_sa) ? L2TPSRV_FAIL_DPD_TIMEOUT
												: L2TPSRV_FAIL_TIMEOUT;
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
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, alert_t alert,
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
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, message_t *message,
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
		if (l2tpsrv_fail_of_v1_notify(type, !incoming, ike_is_up(ike_sa),
									  &fail))
		{
			print(name, sizeof(name), "%N", notify_type_names, type);
			ike_fail(this, ike_sa, fail, NULL, name);
			break;	/* one record a message */
		}
	}
	enumerator->destroy(enumerator);
	return TRUE;
}

METHOD(listener_t, ike_updown, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	l2tpsrv_msg_t msg;
	migration_t *migration;

	if (up)
	{
		start(&msg, "ike-up", ike_sa);
		add_ike(&msg, ike_sa);
	}
	else
	{
		start(&msg, "ike-down", ike_sa);
		migration = migration_take(this, ike_sa->get_unique_id(ike_sa));
		if (migration)
		{
			migration_destroy(migration);
		}
	}
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	l2tpsrv_msg_t msg;

	start(&msg, "ike-rekey", old);
	l2tpsrv_msg_add_uint(&msg, "new", new->get_unique_id(new));
	add_ike(&msg, new);
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, ike_update, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, host_t *local,
	host_t *remote)
{
	l2tpsrv_msg_t msg;
	ike_info_t info;

	/* NAT-T's port switch during IKE_AUTH comes before ike-up */
	if (!ike_is_up(ike_sa))
	{
		return TRUE;
	}
	start(&msg, "ike-update", ike_sa);
	ike_info_get(&info, ike_sa, local, remote);
	ike_info_add(&info, &msg);
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, child_updown, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	if (up)
	{
		child_up(this, ike_sa, child_sa);
	}
	else
	{
		child_down(this, ike_sa, child_sa);
	}
	return TRUE;
}

METHOD(listener_t, child_rekey, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, child_sa_t *old,
	child_sa_t *new)
{
	l2tpsrv_msg_t msg;
	uint16_t low, high;

	/* the traffic selectors may change in a rekeying, rarely as it is */
	if (!child_counts(this, old, &low, &high))
	{
		child_up(this, ike_sa, new);
		return TRUE;
	}
	if (!child_counts(this, new, &low, &high))
	{	/* no child_updown() follows for a rekeyed CHILD_SA */
		child_down(this, ike_sa, old);
		return TRUE;
	}
	start(&msg, "child-rekey", ike_sa);
	l2tpsrv_msg_add_uint(&msg, "child", old->get_unique_id(old));
	l2tpsrv_msg_add_uint(&msg, "new", new->get_unique_id(new));
	add_child(&msg, new, low, high);
	add_ike(&msg, ike_sa);
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, children_migrate, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, ike_sa_id_t *new,
	uint32_t unique)
{
	/* both calls come from one thread, with the IKE_SA the CHILD_SAs leave
	 * (new set) and then the one they joined (new NULL) as the bus's SA;
	 * see adopt_children_job.c, ike_sa_manager.c's adopt_children_and_vips()
	 * and task_manager_v1.c's queue_ike_reauth() */
	if (!ike_sa)
	{
		return TRUE;
	}
	if (new)
	{
		migration_begin(this, ike_sa, unique);
	}
	else
	{
		migration_end(this, ike_sa);
	}
	return TRUE;
}

METHOD(l2tpsrv_listener_t, replay, u_int,
	private_l2tpsrv_listener_t *this)
{
	enumerator_t *enumerator, *children;
	ike_sa_t *ike_sa;
	child_sa_t *child_sa;
	l2tpsrv_msg_t msg;
	u_int count = 0;

	enumerator = charon->ike_sa_manager->create_enumerator(
											charon->ike_sa_manager, TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		if (!ike_is_up(ike_sa))
		{
			continue;
		}
		start(&msg, "ike-up", ike_sa);
		add_ike(&msg, ike_sa);
		emit(this, &msg);

		children = ike_sa->create_child_sa_enumerator(ike_sa);
		while (children->enumerate(children, &child_sa))
		{
			if (child_is_up(child_sa) && child_up(this, ike_sa, child_sa))
			{
				count++;
			}
		}
		children->destroy(children);
	}
	enumerator->destroy(enumerator);
	return count;
}

METHOD(l2tpsrv_listener_t, destroy, void,
	private_l2tpsrv_listener_t *this)
{
	this->migrations->destroy_function(this->migrations,
									   (void*)migration_destroy);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * See header
 */
l2tpsrv_listener_t *l2tpsrv_listener_create(l2tpsrv_link_t *link,
											bool transport_only,
											uint16_t l2tp_port)
{
	private_l2tpsrv_listener_t *this;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
				.ike_rekey = _ike_rekey,
				.ike_update = _ike_update,
				.child_updown = _child_updown,
				.child_rekey = _child_rekey,
				.children_migrate = _children_migrate,
				.alert = _alert,
				.message = _message_hook,
			},
			.replay = _replay,
			.destroy = _destroy,
		},
		.link = link,
		.transport_only = transport_only,
		.l2tp_port = l2tp_port,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.migrations = linked_list_create(),
	);
	return &this->public;
}
