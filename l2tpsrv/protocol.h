/*
 * protocol: the numbers of RFC 2661 (L2TP version 2), and their names.
 *
 * Nothing here parses or builds; the codec (header.c, avp.c, message.c)
 * and the state machines use these names instead of bare numbers.
 */
#ifndef L2TPSRV_PROTOCOL_H
#define L2TPSRV_PROTOCOL_H

#include <stdint.h>

#define L2TP_VERSION 2
#define L2TP_DEFAULT_PORT 1701
/* The largest L2TP datagram we build or accept (a UDP payload). */
#define L2TP_MAX_PACKET 4096

/* Control message types: RFC 2661 section 3.2. */
enum l2tp_msg_type {
	L2TP_MSG_SCCRQ = 1,
	L2TP_MSG_SCCRP = 2,
	L2TP_MSG_SCCCN = 3,
	L2TP_MSG_STOPCCN = 4,
	/* 5 is reserved */
	L2TP_MSG_HELLO = 6,
	L2TP_MSG_OCRQ = 7,
	L2TP_MSG_OCRP = 8,
	L2TP_MSG_OCCN = 9,
	L2TP_MSG_ICRQ = 10,
	L2TP_MSG_ICRP = 11,
	L2TP_MSG_ICCN = 12,
	/* 13 is reserved */
	L2TP_MSG_CDN = 14,
	L2TP_MSG_WEN = 15,
	L2TP_MSG_SLI = 16,
	L2TP_MSG_MAX = 16,
};

/* Attribute types of the IETF vendor (0): RFC 2661 section 4.4. */
enum l2tp_avp_type {
	L2TP_AVP_MESSAGE_TYPE = 0,
	L2TP_AVP_RESULT_CODE = 1,
	L2TP_AVP_PROTOCOL_VERSION = 2,
	L2TP_AVP_FRAMING_CAPABILITIES = 3,
	L2TP_AVP_BEARER_CAPABILITIES = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE_REVISION = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_ASSIGNED_TUNNEL_ID = 9,
	L2TP_AVP_RECEIVE_WINDOW_SIZE = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931_CAUSE_CODE = 12,
	L2TP_AVP_CHALLENGE_RESPONSE = 13,
	L2TP_AVP_ASSIGNED_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL_NUMBER = 15,
	L2TP_AVP_MINIMUM_BPS = 16,
	L2TP_AVP_MAXIMUM_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	/* 20 is not assigned */
	L2TP_AVP_CALLED_NUMBER = 21,
	L2TP_AVP_CALLING_NUMBER = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_CONNECT_SPEED = 24,
	L2TP_AVP_PHYSICAL_CHANNEL_ID = 25,
	L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ = 26,
	L2TP_AVP_LAST_SENT_LCP_CONFREQ = 27,
	L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ = 28,
	L2TP_AVP_PROXY_AUTHEN_TYPE = 29,
	L2TP_AVP_PROXY_AUTHEN_NAME = 30,
	L2TP_AVP_PROXY_AUTHEN_CHALLENGE = 31,
	L2TP_AVP_PROXY_AUTHEN_ID = 32,
	L2TP_AVP_PROXY_AUTHEN_RESPONSE = 33,
	L2TP_AVP_CALL_ERRORS = 34,
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP_ID = 37,
	L2TP_AVP_RX_CONNECT_SPEED = 38,
	L2TP_AVP_SEQUENCING_REQUIRED = 39,
	L2TP_AVP_MAX = 39,
};

/* Result codes of StopCCN: RFC 2661 section 4.4.2. */
enum l2tp_stopccn_result {
	L2TP_STOPCCN_GENERAL_CLEAR = 1,
	L2TP_STOPCCN_GENERAL_ERROR = 2,
	L2TP_STOPCCN_ALREADY_EXISTS = 3,
	L2TP_STOPCCN_NOT_AUTHORIZED = 4,
	L2TP_STOPCCN_BAD_PROTOCOL_VERSION = 5,
	L2TP_STOPCCN_SHUTTING_DOWN = 6,
	L2TP_STOPCCN_FSM_ERROR = 7,
};

/* Result codes of CDN: RFC 2661 section 4.4.2. */
enum l2tp_cdn_result {
	L2TP_CDN_LOST_CARRIER = 1,
	L2TP_CDN_GENERAL_ERROR = 2,
	L2TP_CDN_ADMIN = 3,
	L2TP_CDN_NO_RESOURCES_TEMPORARY = 4,
	L2TP_CDN_NO_RESOURCES_PERMANENT = 5,
	L2TP_CDN_INVALID_DESTINATION = 6,
	L2TP_CDN_NO_CARRIER = 7,
	L2TP_CDN_BUSY = 8,
	L2TP_CDN_NO_DIAL_TONE = 9,
	L2TP_CDN_TIMEOUT = 10,
	L2TP_CDN_BAD_FRAMING = 11,
};

/* General error codes: RFC 2661 section 4.4.2. */
enum l2tp_error_code {
	L2TP_ERR_NONE = 0,
	L2TP_ERR_NO_CONTROL_CONNECTION = 1,
	L2TP_ERR_BAD_LENGTH = 2,
	L2TP_ERR_BAD_VALUE = 3,
	L2TP_ERR_NO_RESOURCES = 4,
	L2TP_ERR_BAD_SESSION_ID = 5,
	L2TP_ERR_VENDOR = 6,
	L2TP_ERR_TRY_ANOTHER = 7,
	L2TP_ERR_UNKNOWN_MANDATORY_AVP = 8,
};

/* Framing and bearer bits: RFC 2661 sections 4.4.3 and 4.4.5. */
#define L2TP_FRAMING_SYNC 0x1
#define L2TP_FRAMING_ASYNC 0x2
#define L2TP_BEARER_DIGITAL 0x1
#define L2TP_BEARER_ANALOG 0x2

/* Names for logs; "unknown" for numbers outside the RFC. */
const char *l2tp_msg_type_name(unsigned int type);
const char *l2tp_avp_type_name(unsigned int type);

/*
 * Messages that belong to the control connection as a whole rather than
 * to one session (RFC 2661 section 3.2: "Control Connection Management").
 */
static inline int l2tp_msg_is_tunnel_level(unsigned int type)
{
	return type == L2TP_MSG_SCCRQ || type == L2TP_MSG_SCCRP || type == L2TP_MSG_SCCCN ||
	       type == L2TP_MSG_STOPCCN || type == L2TP_MSG_HELLO;
}

/*
 * Messages about one call. Anything else, unknown types included, concerns
 * the control connection (RFC 2661 4.4.1: an unknown mandatory message
 * type clears the tunnel).
 */
static inline int l2tp_msg_is_session_level(unsigned int type)
{
	return (type >= L2TP_MSG_OCRQ && type <= L2TP_MSG_ICCN) || type == L2TP_MSG_CDN ||
	       type == L2TP_MSG_WEN || type == L2TP_MSG_SLI;
}

#endif
