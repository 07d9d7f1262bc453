/*
 * auth: a call's PPP authentication through RADIUS (CTL_AUTH).
 *
 * The pppd plugin forwards what the peer sent (struct ctl_auth_request);
 * this layer adds what l2tpsrv knows about the call (struct auth_call),
 * sends one Access-Request through radius.h, and turns the answer into the
 * plugin's verdict (struct ctl_auth_reply) plus what the call keeps for
 * accounting (struct auth_result).
 *
 * The Access-Request, after RFC 2865, 2868 and 2548:
 *   User-Name; PAP: User-Password; CHAP: CHAP-Password (Ident, 16-octet
 *   hash) and CHAP-Challenge; MS-CHAP: MS-CHAP-Challenge and
 *   MS-CHAP-Response (Ident, Flags, LM-Response, NT-Response: 50 octets);
 *   MS-CHAPv2: MS-CHAP-Challenge (the 16-octet authenticator challenge)
 *   and MS-CHAP2-Response (Ident, Flags, Peer-Challenge, Reserved,
 *   NT-Response: 50 octets);
 *   NAS-Identifier, NAS-IP-Address (when set), NAS-Port (the session id),
 *   NAS-Port-Type Virtual, Service-Type Framed-User, Framed-Protocol PPP,
 *   Calling-Station-Id (the client's outer address as l2tpctl shows it),
 *   Called-Station-Id (our address), Tunnel-Type L2TP, Tunnel-Medium-Type,
 *   Tunnel-Client-Endpoint, Tunnel-Server-Endpoint, Acct-Session-Id and,
 *   when IKE named the peer, Tunnel-Client-Auth-ID.
 * From an Access-Accept: Framed-IP-Address, Session-Timeout, Idle-Timeout,
 * Framed-MTU, Acct-Interim-Interval, Class, MS-Primary/Secondary-DNS-Server,
 * MS-CHAP2-Success, MS-CHAP-Error, Reply-Message.
 *
 * Nothing here logs: the caller logs the outcome with the call's ids, and
 * never the password or the responses.
 */
#ifndef L2TPSRV_AUTH_H
#define L2TPSRV_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ctl_proto.h"
#include "pool.h"
#include "radius.h"

/* Room for "%08x-%04x%04x" and its NUL, as ctl_session holds it. */
#define AUTH_ACCT_SESSION_ID_LEN sizeof(((struct ctl_session *)0)->acct_session_id)
/* Class octets a call keeps (the first Class, cut to this). */
#define AUTH_MAX_CLASS sizeof(((struct ctl_session *)0)->radius_class)

/* Who we are to the RADIUS server. */
struct auth_nas {
	char identifier[64]; /* NAS-Identifier; "" sends none */
	uint32_t ip;         /* NAS-IP-Address, network order; 0 sends none */
};

/* What l2tpsrv knows about the call being authenticated. */
struct auth_call {
	uint16_t tunnel_id;
	uint16_t session_id;           /* NAS-Port */
	struct sockaddr_storage peer;  /* the tunnel's peer: Tunnel-Client-Endpoint */
	struct sockaddr_storage local; /* our end: Called-Station-Id, Tunnel-Server-Endpoint */
	char calling_station[56];      /* the IKE SA's remote end, else the tunnel's peer */
	char ike_id[128];              /* the IKE identity, "" when none */
	char acct_session_id[AUTH_ACCT_SESSION_ID_LEN];
};

/* CTL_EAP: the EAP packet and State for the plugin (struct ctl_eap_reply's). */
struct auth_eap {
	uint16_t eap_len, state_len;
	uint8_t eap[CTL_EAP_MAX];
	uint8_t state[CTL_EAP_STATE_MAX];
};

/* The verdict and what the call keeps of it. */
struct auth_result {
	struct ctl_auth_reply reply;
	struct auth_eap eap; /* CTL_EAP only */
	uint8_t class[AUTH_MAX_CLASS];
	size_t class_len;
	size_t class_dropped; /* a longer Class's length: not kept, not cut (RFC 2865 5.25) */
	char why[96]; /* for the log: RADIUS's answer, or why l2tpsrv overruled it */
};

/*
 * Called once per auth_start() that returned 0 and was not cancelled, from
 * the event loop. The callee may change result (a reject l2tpsrv decides
 * on) before it answers the plugin; result is only valid during the call.
 */
typedef void (*auth_done_fn)(void *userdata, struct auth_result *result);

struct auth;
struct auth_request;

/* radius must outlive the auth. NULL when out of memory. */
struct auth *auth_new(struct radius *radius, const struct auth_nas *nas);
/* Requests still pending must have been cancelled. NULL is fine; returns NULL. */
struct auth *auth_free(struct auth *a);

/*
 * Sends the Access-Request for rq (checked with auth_request_is_valid:
 * -EINVAL otherwise) on behalf of call; done follows. *handle, if not
 * NULL, cancels it until done is called. 0 or a negative errno.
 */
int auth_start(struct auth *a, const struct ctl_auth_request *rq, const struct auth_call *call,
	       auth_done_fn done, void *userdata, struct auth_request **handle);
/*
 * One round of an EAP conversation (CTL_EAP, checked with
 * auth_eap_request_is_valid): the Access-Request carries the peer's
 * Response in EAP-Message attributes (253 octets each) and the last
 * Access-Challenge's State; done gets CTL_AUTH_CHALLENGE with the next
 * Request in result->eap, or the verdict (result->eap: RADIUS's EAP
 * Success or Failure).
 */
int auth_start_eap(struct auth *a, const struct ctl_eap_request *rq, const struct auth_call *call,
		   auth_done_fn done, void *userdata, struct auth_request **handle);
/* done will not be called. */
void auth_cancel(struct auth_request *req);

/* --- the pieces, pure, for the tests --- */

/* A known method, NUL-terminated strings, lengths within bounds and as the method needs. */
bool auth_request_is_valid(const struct ctl_auth_request *rq);
/* "pap", "chap", "mschap", "mschap-v2", "eap", or "?" */
const char *auth_method_name(uint32_t method);
/*
 * user NUL-terminated and not empty; eap an EAP Response (code 2) whose
 * length field is eap_len (4..CTL_EAP_MAX); state_len within bounds.
 */
bool auth_eap_request_is_valid(const struct ctl_eap_request *rq);
int auth_build_eap_request(struct radius_attrs *attrs, const struct auth_nas *nas,
			   const struct ctl_eap_request *rq, const struct auth_call *call);
/*
 * The answer to an EAP round: CHALLENGE needs an EAP Request in the
 * EAP-Message attributes (else it is a reject); ACCEPT reads the grants as
 * auth_read_reply() does. EAP-Message attributes that do not make one EAP
 * packet of their length are not passed on (the plugin makes its own
 * Success or Failure; a Challenge without one is a reject).
 */
void auth_read_eap_reply(enum radius_result r, const struct radius_attrs *reply,
			 struct auth_result *out);
/* Fills attrs with the Access-Request's attributes. 0 or a negative errno. */
int auth_build_request(struct radius_attrs *attrs, const struct auth_nas *nas,
		       const struct ctl_auth_request *rq, const struct auth_call *call);
/*
 * Where the call comes from and goes to (RFC 2865, RFC 2868): every
 * attribute of the list above from NAS-Identifier on; accounting sends
 * them too. 0 or a negative errno.
 */
int auth_add_call_attrs(struct radius_attrs *attrs, const struct auth_nas *nas,
			const struct auth_call *call);
/* The verdict for rq from RADIUS's answer (reply NULL for TIMEOUT and ERROR). */
void auth_read_reply(enum radius_result r, const struct radius_attrs *reply,
		     const struct ctl_auth_request *rq, struct auth_result *out);
/*
 * Turns result into a reject l2tpsrv decides on (result->why says why):
 * nothing granted, and for MS-CHAP a Failure message for the peer.
 */
void auth_refuse(const struct ctl_auth_request *rq, struct auth_result *result);
/* Unique per call and daemon run: the call's start (unix seconds), tunnel and session. */
void auth_acct_session_id(char *buf, size_t len, uint32_t start, uint16_t tunnel_id,
			  uint16_t session_id);

/*
 * Moves a call to the Framed-IP-Address framed (host order). *addr is the
 * call's address now, *in_pool whether the pool holds it for the call.
 * framed already the call's: nothing changes. In the pool and free: taken,
 * the old one released. Outside every pool: the call uses it, the old one
 * is released. Returns 0, or -EEXIST when framed is in the pool and in use
 * (nothing changes). Whether another call uses an address outside the
 * pools is the caller's to check.
 */
int auth_assign_address(struct pool *pool, uint32_t framed, uint32_t *addr, bool *in_pool);

#endif
