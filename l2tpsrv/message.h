/*
 * message: control messages (RFC 2661 section 6) decoded into a struct,
 * checked against each message's table of mandatory and allowed AVPs
 * before any state machine sees them, and encoded back.
 */
#ifndef L2TPSRV_MESSAGE_H
#define L2TPSRV_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avp.h"
#include "protocol.h"
#include "writer.h"

struct l2tp_bytes {
	const uint8_t *ptr; /* into the packet or the message's store; NULL when absent */
	uint16_t len;
};

struct l2tp_call_errors {
	uint32_t crc_errors;
	uint32_t framing_errors;
	uint32_t hardware_overruns;
	uint32_t buffer_overruns;
	uint32_t timeout_errors;
	uint32_t alignment_errors;
};

/*
 * One control message. An attribute's fields are meaningful when
 * l2tp_msg_has(m, type) is true; to send one, set its fields and call
 * l2tp_msg_set(m, type).
 */
struct l2tp_msg {
	uint16_t type; /* enum l2tp_msg_type */
	uint64_t present; /* bit n: IETF attribute n is present */

	uint16_t result_code;
	bool has_error_code; /* Result Code carries an error code */
	uint16_t error_code;
	struct l2tp_bytes error_message;
	uint8_t protocol_version;
	uint8_t protocol_revision;
	uint32_t framing_capabilities;
	uint32_t bearer_capabilities;
	uint8_t tie_breaker[8];
	uint16_t firmware_revision;
	struct l2tp_bytes host_name;
	struct l2tp_bytes vendor_name;
	uint16_t assigned_tunnel_id;
	uint16_t receive_window_size;
	struct l2tp_bytes challenge;
	uint16_t q931_cause;
	uint8_t q931_msg;
	struct l2tp_bytes q931_advisory;
	uint8_t challenge_response[16];
	uint16_t assigned_session_id;
	uint32_t call_serial_number;
	uint32_t minimum_bps;
	uint32_t maximum_bps;
	uint32_t bearer_type;
	uint32_t framing_type;
	struct l2tp_bytes called_number;
	struct l2tp_bytes calling_number;
	struct l2tp_bytes sub_address;
	uint32_t tx_connect_speed;
	uint32_t physical_channel_id;
	struct l2tp_bytes initial_received_lcp_confreq;
	struct l2tp_bytes last_sent_lcp_confreq;
	struct l2tp_bytes last_received_lcp_confreq;
	uint16_t proxy_authen_type;
	struct l2tp_bytes proxy_authen_name;
	struct l2tp_bytes proxy_authen_challenge;
	uint16_t proxy_authen_id;
	struct l2tp_bytes proxy_authen_response;
	struct l2tp_call_errors call_errors;
	uint32_t send_accm;
	uint32_t receive_accm;
	struct l2tp_bytes private_group_id;
	uint32_t rx_connect_speed;
	/* Sequencing Required has no value: l2tp_msg_has() says it all. */

	unsigned int unknown_optional; /* AVPs skipped: unknown with M clear */
	unsigned int hidden;           /* AVPs that arrived hidden */

	/* Where unhidden values live; l2tp_bytes may point here. */
	uint8_t store[L2TP_MAX_PACKET];
	size_t store_used;
};

static inline bool l2tp_msg_has(const struct l2tp_msg *m, unsigned int avp_type)
{
	return avp_type < 64 && (m->present & ((uint64_t)1 << avp_type));
}

static inline void l2tp_msg_set(struct l2tp_msg *m, unsigned int avp_type)
{
	if (avp_type < 64)
		m->present |= (uint64_t)1 << avp_type;
}

/* Starts an empty message of the given type (Message Type is implied). */
void l2tp_msg_init(struct l2tp_msg *m, uint16_t type);

/* Why a message was refused, for the answer (StopCCN or CDN) and the log. */
struct l2tp_msg_error {
	uint16_t msg_type;   /* 0 when even the Message Type could not be read */
	uint16_t avp_type;   /* the offending attribute, when there is one */
	uint16_t error_code; /* enum l2tp_error_code for the Result Code AVP */
	char text[128];      /* what was wrong, for the log and the Error Message */
};

/*
 * Decodes the AVPs of one control message (the octets after the header)
 * and checks them against RFC 2661 section 6. hiding carries the tunnel
 * secret (random_vector is ignored: the message's own Random Vector AVPs
 * are used), or NULL when the tunnel has none. Returns:
 *   0            a valid message in *m;
 *   -EOPNOTSUPP  an unknown message type with M clear: ignore it (4.4.1);
 *   -EBADMSG     anything else wrong: *err says what and which error code
 *                to report; err->msg_type says whether the tunnel
 *                (tunnel-level or unknown type) or only the session is
 *                concerned (section 4.2).
 */
int l2tp_msg_decode(const uint8_t *body, size_t len, const struct avp_hiding *hiding,
		    struct l2tp_msg *m, struct l2tp_msg_error *err);

/*
 * Encodes m's AVPs: Message Type first, then each present attribute with
 * the M bit the RFC gives it. With hiding (secret and random vector set),
 * a Random Vector AVP is written and every attribute that may be hidden is.
 * Returns false when the writer is full.
 */
bool l2tp_msg_encode(struct writer *w, const struct l2tp_msg *m, const struct avp_hiding *hiding);

/* True when the message may contain the attribute (RFC 2661 section 6). */
bool l2tp_msg_allows(uint16_t msg_type, uint16_t avp_type);
bool l2tp_msg_requires(uint16_t msg_type, uint16_t avp_type);

#endif
