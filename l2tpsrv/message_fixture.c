/*
 * The control message codec tests' shared values and helpers: see
 * message_fixture.h.
 */
#include <string.h>

#include <check.h>

#include "message_fixture.h"
#include "writer.h"

const uint8_t rv[16] = { 0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
			 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
const uint8_t rv2[5] = { 9, 8, 7, 6, 5 };
const struct avp_hiding hiding = { S("tunnel secret"), rv, sizeof(rv) };
const struct avp_hiding hiding2 = { S("tunnel secret"), rv2, sizeof(rv2) };
const struct avp_hiding secret_only = { S("tunnel secret"), NULL, 0 };

struct l2tp_msg m, d;
struct l2tp_msg_error err;
uint8_t buf[L2TP_MAX_PACKET];

bool is_message_type(uint16_t t)
{
	return t >= 1 && t <= L2TP_MSG_MAX && t != 5 && t != 13;
}

uint16_t msg_allowing(uint16_t avp_type)
{
	for (uint16_t t = 1; t <= L2TP_MSG_MAX; t++)
		if (is_message_type(t) && l2tp_msg_allows(t, avp_type))
			return t;
	ck_abort_msg("no message carries %s", l2tp_avp_type_name(avp_type));
	return 0;
}

const uint8_t tie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t response[16] = { 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
				      0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf };

struct l2tp_bytes bytes(const char *s)
{
	struct l2tp_bytes b = { (const uint8_t *)s, (uint16_t)strlen(s) };

	return b;
}

void fill(struct l2tp_msg *x, uint16_t t)
{
	switch (t) {
	case L2TP_AVP_RESULT_CODE:
		x->result_code = L2TP_STOPCCN_GENERAL_ERROR;
		x->has_error_code = true;
		x->error_code = L2TP_ERR_VENDOR;
		x->error_message = bytes("vendor trouble");
		break;
	case L2TP_AVP_PROTOCOL_VERSION:
		x->protocol_version = 1;
		x->protocol_revision = 0;
		break;
	case L2TP_AVP_FRAMING_CAPABILITIES: x->framing_capabilities = 3; break;
	case L2TP_AVP_BEARER_CAPABILITIES: x->bearer_capabilities = 2; break;
	case L2TP_AVP_TIE_BREAKER: memcpy(x->tie_breaker, tie, 8); break;
	case L2TP_AVP_FIRMWARE_REVISION: x->firmware_revision = 0x0102; break;
	case L2TP_AVP_HOST_NAME: x->host_name = bytes("lac.example.net"); break;
	case L2TP_AVP_VENDOR_NAME: x->vendor_name = bytes("l2tpsrv"); break;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID: x->assigned_tunnel_id = 0x1234; break;
	case L2TP_AVP_RECEIVE_WINDOW_SIZE: x->receive_window_size = 8; break;
	case L2TP_AVP_CHALLENGE: x->challenge = bytes("a challenge of some length"); break;
	case L2TP_AVP_Q931_CAUSE_CODE:
		x->q931_cause = 16;
		x->q931_msg = 0x45;
		x->q931_advisory = bytes("normal clearing");
		break;
	case L2TP_AVP_CHALLENGE_RESPONSE: memcpy(x->challenge_response, response, 16); break;
	case L2TP_AVP_ASSIGNED_SESSION_ID: x->assigned_session_id = 0x4321; break;
	case L2TP_AVP_CALL_SERIAL_NUMBER: x->call_serial_number = 0xdeadbeef; break;
	case L2TP_AVP_MINIMUM_BPS: x->minimum_bps = 9600; break;
	case L2TP_AVP_MAXIMUM_BPS: x->maximum_bps = 100000000; break;
	case L2TP_AVP_BEARER_TYPE: x->bearer_type = L2TP_BEARER_ANALOG; break;
	case L2TP_AVP_FRAMING_TYPE: x->framing_type = L2TP_FRAMING_SYNC; break;
	case L2TP_AVP_CALLED_NUMBER: x->called_number = bytes("5551234"); break;
	case L2TP_AVP_CALLING_NUMBER: x->calling_number = bytes("+44 20 7946 0958 extension 1234"); break;
	case L2TP_AVP_SUB_ADDRESS: x->sub_address = bytes("7"); break;
	case L2TP_AVP_TX_CONNECT_SPEED: x->tx_connect_speed = 115200; break;
	case L2TP_AVP_PHYSICAL_CHANNEL_ID: x->physical_channel_id = 42; break;
	case L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ:
		x->initial_received_lcp_confreq = bytes("\x01\x04\x05\xdc");
		break;
	case L2TP_AVP_LAST_SENT_LCP_CONFREQ: x->last_sent_lcp_confreq = bytes("\x03\x04\xc0\x23"); break;
	case L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ:
		x->last_received_lcp_confreq = bytes("\x05\x06\x11\x22\x33\x44");
		break;
	case L2TP_AVP_PROXY_AUTHEN_TYPE: x->proxy_authen_type = 2; break;
	case L2TP_AVP_PROXY_AUTHEN_NAME: x->proxy_authen_name = bytes("user@example.net"); break;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE: x->proxy_authen_challenge = bytes("0123456789abcdef"); break;
	case L2TP_AVP_PROXY_AUTHEN_ID: x->proxy_authen_id = 0x0007; break;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE: x->proxy_authen_response = bytes("fedcba9876543210"); break;
	case L2TP_AVP_CALL_ERRORS: {
		struct l2tp_call_errors e = { 1, 2, 3, 4, 5, 0xfffffff6 };

		x->call_errors = e;
		break;
	}
	case L2TP_AVP_ACCM:
		x->send_accm = 0xffffffff;
		x->receive_accm = 0x000a0000;
		break;
	case L2TP_AVP_PRIVATE_GROUP_ID: x->private_group_id = bytes("group 7"); break;
	case L2TP_AVP_RX_CONNECT_SPEED: x->rx_connect_speed = 57600; break;
	case L2TP_AVP_SEQUENCING_REQUIRED: break;
	default: ck_abort_msg("no value for type %u", t);
	}
	l2tp_msg_set(x, t);
}

bool bytes_eq(struct l2tp_bytes a, struct l2tp_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool same(const struct l2tp_msg *a, const struct l2tp_msg *b, uint16_t t)
{
	switch (t) {
	case L2TP_AVP_RESULT_CODE:
		return a->result_code == b->result_code && a->has_error_code == b->has_error_code &&
		       a->error_code == b->error_code && bytes_eq(a->error_message, b->error_message);
	case L2TP_AVP_PROTOCOL_VERSION:
		return a->protocol_version == b->protocol_version &&
		       a->protocol_revision == b->protocol_revision;
	case L2TP_AVP_FRAMING_CAPABILITIES: return a->framing_capabilities == b->framing_capabilities;
	case L2TP_AVP_BEARER_CAPABILITIES: return a->bearer_capabilities == b->bearer_capabilities;
	case L2TP_AVP_TIE_BREAKER: return memcmp(a->tie_breaker, b->tie_breaker, 8) == 0;
	case L2TP_AVP_FIRMWARE_REVISION: return a->firmware_revision == b->firmware_revision;
	case L2TP_AVP_HOST_NAME: return bytes_eq(a->host_name, b->host_name);
	case L2TP_AVP_VENDOR_NAME: return bytes_eq(a->vendor_name, b->vendor_name);
	case L2TP_AVP_ASSIGNED_TUNNEL_ID: return a->assigned_tunnel_id == b->assigned_tunnel_id;
	case L2TP_AVP_RECEIVE_WINDOW_SIZE: return a->receive_window_size == b->receive_window_size;
	case L2TP_AVP_CHALLENGE: return bytes_eq(a->challenge, b->challenge);
	case L2TP_AVP_Q931_CAUSE_CODE:
		return a->q931_cause == b->q931_cause && a->q931_msg == b->q931_msg &&
		       bytes_eq(a->q931_advisory, b->q931_advisory);
	case L2TP_AVP_CHALLENGE_RESPONSE:
		return memcmp(a->challenge_response, b->challenge_response, 16) == 0;
	case L2TP_AVP_ASSIGNED_SESSION_ID: return a->assigned_session_id == b->assigned_session_id;
	case L2TP_AVP_CALL_SERIAL_NUMBER: return a->call_serial_number == b->call_serial_number;
	case L2TP_AVP_MINIMUM_BPS: return a->minimum_bps == b->minimum_bps;
	case L2TP_AVP_MAXIMUM_BPS: return a->maximum_bps == b->maximum_bps;
	case L2TP_AVP_BEARER_TYPE: return a->bearer_type == b->bearer_type;
	case L2TP_AVP_FRAMING_TYPE: return a->framing_type == b->framing_type;
	case L2TP_AVP_CALLED_NUMBER: return bytes_eq(a->called_number, b->called_number);
	case L2TP_AVP_CALLING_NUMBER: return bytes_eq(a->calling_number, b->calling_number);
	case L2TP_AVP_SUB_ADDRESS: return bytes_eq(a->sub_address, b->sub_address);
	case L2TP_AVP_TX_CONNECT_SPEED: return a->tx_connect_speed == b->tx_connect_speed;
	case L2TP_AVP_PHYSICAL_CHANNEL_ID: return a->physical_channel_id == b->physical_channel_id;
	case L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ:
		return bytes_eq(a->initial_received_lcp_confreq, b->initial_received_lcp_confreq);
	case L2TP_AVP_LAST_SENT_LCP_CONFREQ:
		return bytes_eq(a->last_sent_lcp_confreq, b->last_sent_lcp_confreq);
	case L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ:
		return bytes_eq(a->last_received_lcp_confreq, b->last_received_lcp_confreq);
	case L2TP_AVP_PROXY_AUTHEN_TYPE: return a->proxy_authen_type == b->proxy_authen_type;
	case L2TP_AVP_PROXY_AUTHEN_NAME: return bytes_eq(a->proxy_authen_name, b->proxy_authen_name);
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE:
		return bytes_eq(a->proxy_authen_challenge, b->proxy_authen_challenge);
	case L2TP_AVP_PROXY_AUTHEN_ID: return a->proxy_authen_id == b->proxy_authen_id;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE:
		return bytes_eq(a->proxy_authen_response, b->proxy_authen_response);
	case L2TP_AVP_CALL_ERRORS:
		return memcmp(&a->call_errors, &b->call_errors, sizeof(a->call_errors)) == 0;
	case L2TP_AVP_ACCM:
		return a->send_accm == b->send_accm && a->receive_accm == b->receive_accm;
	case L2TP_AVP_PRIVATE_GROUP_ID: return bytes_eq(a->private_group_id, b->private_group_id);
	case L2TP_AVP_RX_CONNECT_SPEED: return a->rx_connect_speed == b->rx_connect_speed;
	case L2TP_AVP_SEQUENCING_REQUIRED: return true;
	default: return false;
	}
}

void build(struct l2tp_msg *x, uint16_t type, uint16_t skip)
{
	l2tp_msg_init(x, type);
	for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++)
		if (t != skip && l2tp_msg_requires(type, t))
			fill(x, t);
}

size_t encode(const struct l2tp_msg *x, const struct avp_hiding *h)
{
	struct writer w;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(l2tp_msg_encode(&w, x, h));
	return writer_len(&w);
}
