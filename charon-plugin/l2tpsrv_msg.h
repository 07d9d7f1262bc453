/*
 * Builds one record of the charon_proto wire format (see
 * ../l2tpsrv/charon_proto.h), and parses the requests l2tpsrv sends back:
 *
 *   EVENT KEY=VALUE KEY=VALUE ...
 *
 * Values are percent-encoded here: every byte outside 0x21..0x7e, and every
 * '%', becomes %XX with upper-case hex digits. A record never grows past
 * CHARON_MSG_MAX bytes: a pair that does not fit is left out whole (the
 * record stays well formed) and counted in l2tpsrv_msg_dropped().
 *
 * Plain C, no strongSwan types, so that it builds and is tested without
 * charon; the listeners turn strongSwan objects into strings first, and the
 * plugin turns parsed requests into controller calls.
 */
#ifndef L2TPSRV_MSG_H_
#define L2TPSRV_MSG_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../l2tpsrv/charon_proto.h"

typedef struct l2tpsrv_msg_t l2tpsrv_msg_t;

/**
 * One record under construction. Lives on the stack; no destructor.
 * Treat as opaque: use the functions below.
 */
struct l2tpsrv_msg_t {

	/** the record, NUL-terminated for logging (the NUL is not sent) */
	char data[CHARON_MSG_MAX + 1];

	/** bytes in data, at most CHARON_MSG_MAX */
	size_t len;

	/** pairs refused: no room, or a key that is not a valid token */
	unsigned dropped;
};

/**
 * Start a record with its event name.
 *
 * @param event		event token: 1..64 bytes in 0x21..0x7e, no '=' or '%'
 * @return			FALSE if the event is not a valid token (the record is
 *					then empty and l2tpsrv_msg_len() is 0)
 */
bool l2tpsrv_msg_init(l2tpsrv_msg_t *msg, const char *event);

/**
 * Append KEY=VALUE, encoding the value.
 *
 * @param key		key token: 1..64 bytes in 0x21..0x7e, no '=' or '%'
 * @param value		value bytes, any
 * @param len		number of value bytes
 * @return			FALSE if the pair was left out (no room, bad key, or
 *					the record was not started); the record is unchanged
 */
bool l2tpsrv_msg_add_mem(l2tpsrv_msg_t *msg, const char *key,
						 const void *value, size_t len);

/**
 * Append KEY=VALUE for a NUL-terminated value, see l2tpsrv_msg_add_mem().
 */
bool l2tpsrv_msg_add(l2tpsrv_msg_t *msg, const char *key, const char *value);

/**
 * Append KEY=N in decimal.
 */
bool l2tpsrv_msg_add_uint(l2tpsrv_msg_t *msg, const char *key, uint64_t value);

/**
 * The record's bytes (NUL-terminated; the NUL is not part of the record).
 */
const char *l2tpsrv_msg_data(const l2tpsrv_msg_t *msg);

/**
 * The record's length in bytes, 0 if it was never started.
 */
size_t l2tpsrv_msg_len(const l2tpsrv_msg_t *msg);

/**
 * How many pairs were left out.
 */
unsigned l2tpsrv_msg_dropped(const l2tpsrv_msg_t *msg);

/**
 * Percent-encode len bytes of in into out.
 *
 * Writes at most size bytes and NUL-terminates when size > 0, like
 * snprintf().
 *
 * @return			length of the full encoding, without the NUL; the
 *					output was cut short if it is >= size
 */
size_t l2tpsrv_msg_encode(char *out, size_t size, const void *in, size_t len);

/**
 * Why an IKE or CHILD_SA negotiation failed, as the ike-fail record names
 * it (alert=NAME, see charon_proto.h). The ike-fail listener maps charon's
 * alerts and the IKEv1 error notifies it sees to these.
 */
typedef enum {
	/** the peer's authentication failed here (PSK, certificate) */
	L2TPSRV_FAIL_AUTH,
	/** ours failed: no key or certificate for it, or the peer refused it */
	L2TPSRV_FAIL_LOCAL_AUTH,
	/** no IKE proposal in common */
	L2TPSRV_FAIL_PROPOSAL_IKE,
	/** no ESP proposal in common */
	L2TPSRV_FAIL_PROPOSAL_CHILD,
	/** the peer's traffic selectors match no CHILD_SA config */
	L2TPSRV_FAIL_TS,
	/** the peer stopped answering before the IKE_SA was up */
	L2TPSRV_FAIL_TIMEOUT,
	/** the peer stopped answering an established IKE_SA (DPD) */
	L2TPSRV_FAIL_DPD_TIMEOUT,
	/** a message from the peer could not be parsed (or decrypted) */
	L2TPSRV_FAIL_PARSE,
	/** the peer's certificate: expired, revoked, from no trusted CA, or otherwise refused */
	L2TPSRV_FAIL_CERT_EXPIRED,
	L2TPSRV_FAIL_CERT_REVOKED,
	L2TPSRV_FAIL_CERT_UNTRUSTED,
	L2TPSRV_FAIL_CERT_INVALID,
	/** an authorization hook refused the authenticated peer */
	L2TPSRV_FAIL_AUTHORIZATION,
	/** IKEv1 Main Mode keys not derived: mostly no PSK for the peer here */
	L2TPSRV_FAIL_KEY,
	/** the kernel refused the CHILD_SA's SAs or policies */
	L2TPSRV_FAIL_INSTALL,
	/** the peer sent an error notify (notify=NAME says which) */
	L2TPSRV_FAIL_PEER_NOTIFY,
	L2TPSRV_FAIL_COUNT,
} l2tpsrv_fail_t;

/**
 * The wire name of a failure ("proposal-ike"), NULL for none.
 */
const char *l2tpsrv_fail_name(l2tpsrv_fail_t fail);

/**
 * Start an ike-fail record: "ike-fail [ike=U] alert=NAME"; the caller adds
 * the IKE fields and the optional exchange=, encrypted=, notify=.
 *
 * @param ike		the IKE_SA's unique ID, 0 for none (left out)
 * @return			FALSE if fail is not a failure (the record is empty)
 */
bool l2tpsrv_msg_init_ike_fail(l2tpsrv_msg_t *msg, uint32_t ike,
							   l2tpsrv_fail_t fail);

/**
 * The name of an ISAKMP/IKEv2 exchange type (RFC 2408 3.1, RFC 7296 3.1) as
 * an ike-fail record gives it ("main-mode", "quick-mode", "ike-auth", ...),
 * "other" for one not named here.
 */
const char *l2tpsrv_exchange_name(unsigned exchange_type);

/**
 * Was an IKEv1 message sent encrypted: its Flags octet (RFC 2408 3.1, the
 * 20th of the header) has the E bit? FALSE for less than a header.
 *
 * @param packet	the message as received, from the ISAKMP header on
 */
bool l2tpsrv_ikev1_encrypted(const void *packet, size_t len);

/**
 * Which failure an IKEv1 error notify stands for, when no alert tells of it
 * already (charon 5.9.8 raises no alert for IKEv1 proposal or traffic
 * selector mismatches; it only sends the notify).
 *
 * @param type		the Notify Message Type (RFC 2408 3.14.1)
 * @param outgoing	we send it (else the peer sent it)
 * @param ike_up	the IKE_SA is established (a Quick Mode failure)
 * @param fail		the failure, if any
 * @return			FALSE for a notify to leave out: not an error, or one
 *					an alert reports already (AUTHENTICATION_FAILED,
 *					PAYLOAD_MALFORMED, INVALID_HASH_INFORMATION and the
 *					other parse failures we send)
 */
bool l2tpsrv_fail_of_v1_notify(unsigned type, bool outgoing, bool ike_up,
							   l2tpsrv_fail_t *fail);

/** longest reason kept from a request, with its NUL (see charon_proto.h) */
#define L2TPSRV_REASON_MAX 256

/**
 * What l2tpsrv asks.
 */
typedef enum {
	/** terminate-ike: delete an IKE_SA and its CHILD_SAs */
	L2TPSRV_REQUEST_TERMINATE_IKE = 1,
} l2tpsrv_request_kind_t;

typedef struct l2tpsrv_request_t l2tpsrv_request_t;

/**
 * One request from l2tpsrv, parsed.
 */
struct l2tpsrv_request_t {

	/** what it asks */
	l2tpsrv_request_kind_t kind;

	/** ike=: the IKE_SA's unique ID, never 0 */
	uint32_t ike;

	/** reason=, decoded, made printable (bytes outside 0x20..0x7e become
	 *  '?') and cut to fit; empty if not given */
	char reason[L2TPSRV_REASON_MAX];
};

/**
 * Parse one record from l2tpsrv. Keys it does not know are ignored; of a
 * repeated key, the last counts.
 *
 * @param buf		the record (no NUL needed)
 * @param len		its length in bytes
 * @param req		the request, if parsed
 * @param err		why not, if refused: NUL-terminated, cut to err_len
 * @param err_len	size of err, > 0
 * @return			FALSE if refused: an unknown request, ike= missing or
 *					not a decimal 1..4294967295, a pair without '=', a bad
 *					escape, or a record of 0 or over CHARON_MSG_MAX bytes
 */
bool l2tpsrv_msg_parse_request(const void *buf, size_t len,
							   l2tpsrv_request_t *req, char *err,
							   size_t err_len);

#endif /* L2TPSRV_MSG_H_ */
