/*
 * Tests of the control message codec: RFC 2661 section 6's tables,
 * decoding with its errors, hiding, and encoding.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "avp.h"
#include "check_tap.h"
#include "message.h"
#include "protocol.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(str) (const uint8_t *)(str), sizeof(str) - 1

static const uint8_t rv[16] = { 0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
static const uint8_t rv2[5] = { 9, 8, 7, 6, 5 };
static const struct avp_hiding hiding = { S("tunnel secret"), rv, sizeof(rv) };
static const struct avp_hiding hiding2 = { S("tunnel secret"), rv2, sizeof(rv2) };
static const struct avp_hiding secret_only = { S("tunnel secret"), NULL, 0 };

/* Big: one of each, shared by the tests (each runs in its own process). */
static struct l2tp_msg m, d;
static struct l2tp_msg_error err;
static uint8_t buf[L2TP_MAX_PACKET];

/*
 * What RFC 2661 section 6 says each message must and may carry, written
 * out by hand so that message.c's table is tested, not copied.
 */
struct expectation {
	uint16_t type;
	uint16_t must[8];
	uint16_t may[12];
};

static const struct expectation expected[] = {
	{ L2TP_MSG_SCCRQ, /* 6.1 */
	  { L2TP_AVP_PROTOCOL_VERSION, L2TP_AVP_HOST_NAME, L2TP_AVP_FRAMING_CAPABILITIES,
	    L2TP_AVP_ASSIGNED_TUNNEL_ID },
	  { L2TP_AVP_BEARER_CAPABILITIES, L2TP_AVP_RECEIVE_WINDOW_SIZE, L2TP_AVP_CHALLENGE,
	    L2TP_AVP_TIE_BREAKER, L2TP_AVP_FIRMWARE_REVISION, L2TP_AVP_VENDOR_NAME } },
	{ L2TP_MSG_SCCRP, /* 6.2 */
	  { L2TP_AVP_PROTOCOL_VERSION, L2TP_AVP_FRAMING_CAPABILITIES, L2TP_AVP_HOST_NAME,
	    L2TP_AVP_ASSIGNED_TUNNEL_ID },
	  { L2TP_AVP_BEARER_CAPABILITIES, L2TP_AVP_FIRMWARE_REVISION, L2TP_AVP_VENDOR_NAME,
	    L2TP_AVP_RECEIVE_WINDOW_SIZE, L2TP_AVP_CHALLENGE, L2TP_AVP_CHALLENGE_RESPONSE } },
	{ L2TP_MSG_SCCCN, /* 6.3 */ { 0 }, { L2TP_AVP_CHALLENGE_RESPONSE } },
	{ L2TP_MSG_STOPCCN, /* 6.4 */ { L2TP_AVP_ASSIGNED_TUNNEL_ID, L2TP_AVP_RESULT_CODE }, { 0 } },
	{ L2TP_MSG_HELLO, /* 6.5 */ { 0 }, { 0 } },
	{ L2TP_MSG_ICRQ, /* 6.6 */
	  { L2TP_AVP_ASSIGNED_SESSION_ID, L2TP_AVP_CALL_SERIAL_NUMBER },
	  { L2TP_AVP_BEARER_TYPE, L2TP_AVP_PHYSICAL_CHANNEL_ID, L2TP_AVP_CALLING_NUMBER,
	    L2TP_AVP_CALLED_NUMBER, L2TP_AVP_SUB_ADDRESS } },
	{ L2TP_MSG_ICRP, /* 6.7 */ { L2TP_AVP_ASSIGNED_SESSION_ID }, { 0 } },
	{ L2TP_MSG_ICCN, /* 6.8 */
	  { L2TP_AVP_TX_CONNECT_SPEED, L2TP_AVP_FRAMING_TYPE },
	  { L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ, L2TP_AVP_LAST_SENT_LCP_CONFREQ,
	    L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ, L2TP_AVP_PROXY_AUTHEN_TYPE,
	    L2TP_AVP_PROXY_AUTHEN_NAME, L2TP_AVP_PROXY_AUTHEN_CHALLENGE,
	    L2TP_AVP_PROXY_AUTHEN_ID, L2TP_AVP_PROXY_AUTHEN_RESPONSE, L2TP_AVP_PRIVATE_GROUP_ID,
	    L2TP_AVP_RX_CONNECT_SPEED, L2TP_AVP_SEQUENCING_REQUIRED } },
	{ L2TP_MSG_OCRQ, /* 6.9 */
	  { L2TP_AVP_ASSIGNED_SESSION_ID, L2TP_AVP_CALL_SERIAL_NUMBER, L2TP_AVP_MINIMUM_BPS,
	    L2TP_AVP_MAXIMUM_BPS, L2TP_AVP_BEARER_TYPE, L2TP_AVP_FRAMING_TYPE,
	    L2TP_AVP_CALLED_NUMBER },
	  { L2TP_AVP_SUB_ADDRESS } },
	{ L2TP_MSG_OCRP, /* 6.10 */ { L2TP_AVP_ASSIGNED_SESSION_ID }, { L2TP_AVP_PHYSICAL_CHANNEL_ID } },
	{ L2TP_MSG_OCCN, /* 6.11 */
	  { L2TP_AVP_TX_CONNECT_SPEED, L2TP_AVP_FRAMING_TYPE },
	  { L2TP_AVP_RX_CONNECT_SPEED, L2TP_AVP_SEQUENCING_REQUIRED } },
	{ L2TP_MSG_CDN, /* 6.12 */
	  { L2TP_AVP_RESULT_CODE, L2TP_AVP_ASSIGNED_SESSION_ID }, { L2TP_AVP_Q931_CAUSE_CODE } },
	{ L2TP_MSG_WEN, /* 6.13 */ { L2TP_AVP_CALL_ERRORS }, { 0 } },
	{ L2TP_MSG_SLI, /* 6.14 */ { L2TP_AVP_ACCM }, { 0 } },
};

/* Lists end at the first 0 (Message Type, which is never listed). */
static bool listed(const uint16_t *list, size_t n, uint16_t t)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (list[i] == t)
			return true;
	return false;
}

static bool is_message_type(uint16_t t)
{
	return t >= 1 && t <= L2TP_MSG_MAX && t != 5 && t != 13;
}

/* The first message type that may carry the attribute. */
static uint16_t msg_allowing(uint16_t avp_type)
{
	for (uint16_t t = 1; t <= L2TP_MSG_MAX; t++)
		if (is_message_type(t) && l2tp_msg_allows(t, avp_type))
			return t;
	ck_abort_msg("no message carries %s", l2tp_avp_type_name(avp_type));
	return 0;
}

static const uint8_t tie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t response[16] = { 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
				      0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf };

static struct l2tp_bytes bytes(const char *s)
{
	struct l2tp_bytes b = { (const uint8_t *)s, (uint16_t)strlen(s) };

	return b;
}

/* Gives attribute t a value of its own (Random Vector has no field). */
static void fill(struct l2tp_msg *x, uint16_t t)
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

static bool bytes_eq(struct l2tp_bytes a, struct l2tp_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Whether attribute t has the same value in a and b. */
static bool same(const struct l2tp_msg *a, const struct l2tp_msg *b, uint16_t t)
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

/* A message of the given type with every mandatory attribute but skip. */
static void build(struct l2tp_msg *x, uint16_t type, uint16_t skip)
{
	l2tp_msg_init(x, type);
	for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++)
		if (t != skip && l2tp_msg_requires(type, t))
			fill(x, t);
}

static size_t encode(const struct l2tp_msg *x, const struct avp_hiding *h)
{
	struct writer w;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(l2tp_msg_encode(&w, x, h));
	return writer_len(&w);
}

static unsigned int hideable_count(const struct l2tp_msg *x)
{
	unsigned int n = 0;

	for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++)
		n += l2tp_msg_has(x, t) && avp_may_be_hidden(t);
	return n;
}

/* Encodes x, decodes it back into d and checks every attribute. */
static void check_round_trip(const struct l2tp_msg *x, const struct avp_hiding *h)
{
	size_t len = encode(x, h);

	ck_assert_msg(l2tp_msg_decode(buf, len, h, &d, &err) == 0, "%s: %s",
		      l2tp_msg_type_name(x->type), err.text);
	ck_assert_uint_eq(d.type, x->type);
	ck_assert_uint_eq(d.present, x->present);
	ck_assert_uint_eq(d.unknown_optional, 0);
	ck_assert_uint_eq(d.hidden, h ? hideable_count(x) : 0);
	for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++)
		if (l2tp_msg_has(x, t))
			ck_assert_msg(same(x, &d, t), "%s in %s", l2tp_avp_type_name(t),
				      l2tp_msg_type_name(x->type));
}

START_TEST(tables_match_section_6)
{
	for (size_t i = 0; i < N(expected); i++) {
		const struct expectation *e = &expected[i];

		for (uint16_t t = 0; t < 64; t++) {
			bool must = t == L2TP_AVP_MESSAGE_TYPE || listed(e->must, N(e->must), t);
			bool may = must || t == L2TP_AVP_RANDOM_VECTOR || listed(e->may, N(e->may), t);

			ck_assert_msg(l2tp_msg_requires(e->type, t) == must, "%s requires %s",
				      l2tp_msg_type_name(e->type), l2tp_avp_type_name(t));
			ck_assert_msg(l2tp_msg_allows(e->type, t) == may, "%s allows %s",
				      l2tp_msg_type_name(e->type), l2tp_avp_type_name(t));
		}
	}
	/* unknown and reserved message types neither require nor allow */
	static const uint16_t unknown[] = { 0, 5, 13, 17, 0xffff };
	for (size_t i = 0; i < N(unknown); i++) {
		ck_assert(!l2tp_msg_requires(unknown[i], L2TP_AVP_MESSAGE_TYPE));
		ck_assert(!l2tp_msg_allows(unknown[i], L2TP_AVP_HOST_NAME));
	}
}
END_TEST

START_TEST(round_trips_each_attribute)
{
	uint16_t t = (uint16_t)_i;

	if (t == 20 || t == L2TP_AVP_RANDOM_VECTOR)
		return; /* unassigned; and Random Vector is the hiding's own */
	build(&m, msg_allowing(t), 0);
	fill(&m, t);
	check_round_trip(&m, NULL);
	check_round_trip(&m, &hiding);
	check_round_trip(&m, &hiding2);
}
END_TEST

START_TEST(round_trips_full_messages)
{
	for (uint16_t type = 1; type <= L2TP_MSG_MAX; type++) {
		if (!is_message_type(type))
			continue;
		l2tp_msg_init(&m, type);
		for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++)
			if (t != L2TP_AVP_RANDOM_VECTOR && l2tp_msg_allows(type, t))
				fill(&m, t);
		check_round_trip(&m, NULL);
		check_round_trip(&m, &hiding);
	}
}
END_TEST

START_TEST(encodes_in_order_with_rfc_bits)
{
	struct reader r;
	struct l2tp_avp avp;
	uint16_t last = 0;
	size_t len;

	build(&m, L2TP_MSG_SCCRP, 0);
	fill(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	fill(&m, L2TP_AVP_FIRMWARE_REVISION);
	fill(&m, L2TP_AVP_VENDOR_NAME);
	len = encode(&m, &hiding);
	reader_init(&r, buf, len);
	/* Message Type first, M set, clear */
	ck_assert_int_eq(avp_next(&r, &avp), 1);
	ck_assert_uint_eq(avp.type, L2TP_AVP_MESSAGE_TYPE);
	ck_assert(avp.mandatory && !avp.hidden);
	ck_assert_uint_eq(avp.len, 2);
	ck_assert_uint_eq(avp.value[1], L2TP_MSG_SCCRP);
	/* then the Random Vector, M set, clear */
	ck_assert_int_eq(avp_next(&r, &avp), 1);
	ck_assert_uint_eq(avp.type, L2TP_AVP_RANDOM_VECTOR);
	ck_assert(avp.mandatory && !avp.hidden);
	ck_assert_uint_eq(avp.len, sizeof(rv));
	ck_assert_mem_eq(avp.value, rv, sizeof(rv));
	/* then ascending, hidden where allowed, M as the RFC says */
	while (avp_next(&r, &avp) == 1) {
		ck_assert_uint_gt(avp.type, last);
		ck_assert_uint_eq(avp.vendor, 0);
		ck_assert(avp.hidden == avp_may_be_hidden(avp.type));
		ck_assert(avp.mandatory == avp_is_mandatory_on_send(avp.type));
		last = avp.type;
	}
	ck_assert_uint_eq(last, L2TP_AVP_CHALLENGE_RESPONSE);
	ck_assert(!avp_is_mandatory_on_send(L2TP_AVP_FIRMWARE_REVISION));
}
END_TEST

START_TEST(encodes_without_a_random_vector_in_clear)
{
	struct reader r;
	struct l2tp_avp avp;

	build(&m, L2TP_MSG_ICRQ, 0);
	/* a secret alone does not hide */
	reader_init(&r, buf, encode(&m, &secret_only));
	while (avp_next(&r, &avp) == 1) {
		ck_assert(!avp.hidden);
		ck_assert_uint_ne(avp.type, L2TP_AVP_RANDOM_VECTOR);
	}
}
END_TEST

START_TEST(encodes_result_codes)
{
	static const uint8_t code_only[] = { 0x80, 0x08, 0, 0, 0, 1, 0, 1 };
	static const uint8_t with_error[] = { 0x80, 0x0a, 0, 0, 0, 1, 0, 2, 0, 6 };
	static const uint8_t with_message[] = { 0x80, 0x0c, 0, 0, 0, 1, 0, 2, 0, 0, 'h', 'i' };
	size_t len;

	build(&m, L2TP_MSG_STOPCCN, L2TP_AVP_RESULT_CODE);
	l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
	m.result_code = 1;
	len = encode(&m, NULL);
	/* Message Type (8), Result Code, Assigned Tunnel ID (8) */
	ck_assert_uint_eq(len, 8 + sizeof(code_only) + 8);
	ck_assert_mem_eq(buf + 8, code_only, sizeof(code_only));
	ck_assert_int_eq(l2tp_msg_decode(buf, len, NULL, &d, &err), 0);
	ck_assert(!d.has_error_code && d.error_message.ptr == NULL);

	m.result_code = 2;
	m.has_error_code = true;
	m.error_code = 6;
	encode(&m, NULL);
	ck_assert_mem_eq(buf + 8, with_error, sizeof(with_error));

	/* a message brings the error code along, even unset */
	m.has_error_code = false;
	m.error_code = 0;
	m.error_message = bytes("hi");
	len = encode(&m, NULL);
	ck_assert_mem_eq(buf + 8, with_message, sizeof(with_message));
	ck_assert_int_eq(l2tp_msg_decode(buf, len, NULL, &d, &err), 0);
	ck_assert(d.has_error_code);
	ck_assert(bytes_eq(d.error_message, bytes("hi")));
}
END_TEST

/* A CDN written out by hand, to pin each field's place in its value. */
static const uint8_t cdn[] = {
	0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e,                   /* CDN */
	0x80, 0x0f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x06,       /* Result 2/6 */
	'o',  'o',  'p',  's',  '!',
	0x80, 0x08, 0x00, 0x00, 0x00, 0x0e, 0x01, 0x02,                   /* session */
	0x80, 0x0c, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x10, 0x45, 'a', 'd', 'v', /* Q.931 */
};

START_TEST(decodes_fields_from_their_places)
{
	ck_assert_int_eq(l2tp_msg_decode(cdn, sizeof(cdn), NULL, &d, &err), 0);
	ck_assert_uint_eq(d.type, L2TP_MSG_CDN);
	ck_assert_uint_eq(d.result_code, 2);
	ck_assert(d.has_error_code);
	ck_assert_uint_eq(d.error_code, 6);
	ck_assert(bytes_eq(d.error_message, bytes("oops!")));
	ck_assert_ptr_eq(d.error_message.ptr, cdn + 18);
	ck_assert_uint_eq(d.assigned_session_id, 0x0102);
	ck_assert_uint_eq(d.q931_cause, 0x10);
	ck_assert_uint_eq(d.q931_msg, 0x45);
	ck_assert(bytes_eq(d.q931_advisory, bytes("adv")));
	ck_assert_uint_eq(d.hidden, 0);
}
END_TEST

START_TEST(decodes_call_status_fields)
{
	static const uint8_t wen[] = {
		0x80, 0x08, 0, 0, 0, 0, 0, 15,
		0x80, 0x20, 0, 0, 0, 34, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
		0, 0, 0, 4, 0, 0, 0, 5, 0x80, 0, 0, 6,
	};
	static const uint8_t sli[] = {
		0x80, 0x08, 0, 0, 0, 0, 0, 16,
		0x80, 0x10, 0, 0, 0, 35, 0, 0, 0xff, 0xff, 0xff, 0xfe, 0x00, 0x0a, 0x00, 0x01,
	};
	static const uint8_t sccrq[] = {
		0x80, 0x08, 0, 0, 0, 0, 0, 1,
		0x80, 0x08, 0, 0, 0, 2, 1, 0,                              /* version 1.0 */
		0x80, 0x07, 0, 0, 0, 7, 'h',                               /* host name */
		0x80, 0x0a, 0, 0, 0, 3, 0, 0, 0, 3,                        /* framing */
		0x80, 0x08, 0, 0, 0, 9, 0xab, 0xcd,                        /* tunnel */
		0x00, 0x0e, 0, 0, 0, 5, 8, 7, 6, 5, 4, 3, 2, 1,            /* tie */
	};

	ck_assert_int_eq(l2tp_msg_decode(wen, sizeof(wen), NULL, &d, &err), 0);
	ck_assert_uint_eq(d.call_errors.crc_errors, 1);
	ck_assert_uint_eq(d.call_errors.framing_errors, 2);
	ck_assert_uint_eq(d.call_errors.hardware_overruns, 3);
	ck_assert_uint_eq(d.call_errors.buffer_overruns, 4);
	ck_assert_uint_eq(d.call_errors.timeout_errors, 5);
	ck_assert_uint_eq(d.call_errors.alignment_errors, 0x80000006);
	ck_assert_int_eq(l2tp_msg_decode(sli, sizeof(sli), NULL, &d, &err), 0);
	ck_assert_uint_eq(d.send_accm, 0xfffffffe);
	ck_assert_uint_eq(d.receive_accm, 0x000a0001);
	ck_assert_int_eq(l2tp_msg_decode(sccrq, sizeof(sccrq), NULL, &d, &err), 0);
	ck_assert_uint_eq(d.protocol_version, 1);
	ck_assert_uint_eq(d.protocol_revision, 0);
	ck_assert_uint_eq(d.assigned_tunnel_id, 0xabcd);
	ck_assert_uint_eq(d.framing_capabilities, 3);
	ck_assert_uint_eq(d.tie_breaker[0], 8);
	ck_assert_uint_eq(d.tie_breaker[7], 1);
	ck_assert(l2tp_msg_has(&d, L2TP_AVP_TIE_BREAKER));
}
END_TEST

/* Values that arrived hidden live in the store; clear ones in the packet. */
START_TEST(hidden_values_live_in_the_store)
{
	size_t len;

	build(&m, L2TP_MSG_SCCRQ, 0);
	fill(&m, L2TP_AVP_VENDOR_NAME);
	len = encode(&m, &hiding);
	ck_assert_int_eq(l2tp_msg_decode(buf, len, &hiding, &d, &err), 0);
	ck_assert(d.vendor_name.ptr >= d.store && d.vendor_name.ptr < d.store + d.store_used);
	ck_assert(d.host_name.ptr >= buf && d.host_name.ptr < buf + len);
	ck_assert(bytes_eq(d.vendor_name, bytes("l2tpsrv")));
}
END_TEST

/* Writes the mandatory AVPs of msg (but skip) and returns the writer. */
static void start(struct writer *w, uint16_t msg, uint16_t skip, const struct avp_hiding *h)
{
	build(&m, msg, skip);
	writer_init(w, buf, sizeof(buf));
	ck_assert(l2tp_msg_encode(w, &m, h));
}

static void check_refused(size_t len, const struct avp_hiding *h, uint16_t msg,
			  uint16_t error_code, uint16_t avp_type)
{
	ck_assert_int_eq(l2tp_msg_decode(buf, len, h, &d, &err), -EBADMSG);
	ck_assert_uint_eq(err.msg_type, msg);
	ck_assert_msg(err.error_code == error_code, "error code %u, not %u: %s", err.error_code,
		      error_code, err.text);
	ck_assert_uint_eq(err.avp_type, avp_type);
	ck_assert(err.text[0] != '\0');
}

static void check_bad_length(uint16_t t, size_t len)
{
	uint8_t zeros[32] = { 0 };
	uint16_t msg = msg_allowing(t);
	char octets[32];
	struct writer w;

	start(&w, msg, t, NULL);
	ck_assert(avp_write(&w, true, 0, t, zeros, len));
	check_refused(writer_len(&w), NULL, msg, L2TP_ERR_BAD_LENGTH, t);
	snprintf(octets, sizeof(octets), "%zu octets", len);
	ck_assert_msg(strstr(err.text, l2tp_avp_type_name(t)) && strstr(err.text, octets),
		      "%s", err.text);
}

START_TEST(fixed_sizes_are_enforced)
{
	static const struct {
		uint16_t type;
		size_t len;
	} sizes[] = {
		{ L2TP_AVP_PROTOCOL_VERSION, 2 },     { L2TP_AVP_FRAMING_CAPABILITIES, 4 },
		{ L2TP_AVP_BEARER_CAPABILITIES, 4 },  { L2TP_AVP_TIE_BREAKER, 8 },
		{ L2TP_AVP_FIRMWARE_REVISION, 2 },    { L2TP_AVP_ASSIGNED_TUNNEL_ID, 2 },
		{ L2TP_AVP_RECEIVE_WINDOW_SIZE, 2 },  { L2TP_AVP_CHALLENGE_RESPONSE, 16 },
		{ L2TP_AVP_ASSIGNED_SESSION_ID, 2 },  { L2TP_AVP_CALL_SERIAL_NUMBER, 4 },
		{ L2TP_AVP_MINIMUM_BPS, 4 },          { L2TP_AVP_MAXIMUM_BPS, 4 },
		{ L2TP_AVP_BEARER_TYPE, 4 },          { L2TP_AVP_FRAMING_TYPE, 4 },
		{ L2TP_AVP_TX_CONNECT_SPEED, 4 },     { L2TP_AVP_PHYSICAL_CHANNEL_ID, 4 },
		{ L2TP_AVP_PROXY_AUTHEN_TYPE, 2 },    { L2TP_AVP_PROXY_AUTHEN_ID, 2 },
		{ L2TP_AVP_CALL_ERRORS, 26 },         { L2TP_AVP_ACCM, 10 },
		{ L2TP_AVP_RX_CONNECT_SPEED, 4 },     { L2TP_AVP_SEQUENCING_REQUIRED, 0 },
	};

	for (size_t i = 0; i < N(sizes); i++) {
		if (sizes[i].len)
			check_bad_length(sizes[i].type, sizes[i].len - 1);
		check_bad_length(sizes[i].type, sizes[i].len + 1);
	}
	/* the minimums and Result Code's hole */
	check_bad_length(L2TP_AVP_HOST_NAME, 0);
	check_bad_length(L2TP_AVP_CHALLENGE, 0);
	check_bad_length(L2TP_AVP_PROXY_AUTHEN_CHALLENGE, 0);
	check_bad_length(L2TP_AVP_Q931_CAUSE_CODE, 2);
	check_bad_length(L2TP_AVP_RESULT_CODE, 1);
	check_bad_length(L2TP_AVP_RESULT_CODE, 3);
}
END_TEST

START_TEST(hidden_sizes_are_enforced)
{
	struct writer w;

	start(&w, L2TP_MSG_ICRQ, L2TP_AVP_ASSIGNED_SESSION_ID, &hiding);
	ck_assert(avp_write_hidden(&w, &hiding, true, L2TP_AVP_ASSIGNED_SESSION_ID, "abc", 3));
	check_refused(writer_len(&w), &hiding, L2TP_MSG_ICRQ, L2TP_ERR_BAD_LENGTH,
		      L2TP_AVP_ASSIGNED_SESSION_ID);
	ck_assert_ptr_nonnull(strstr(err.text, "3 octets"));
}
END_TEST

/* Whether n is where an AVP of the message in whole[0..len) ends. */
static bool at_avp_end(const uint8_t *whole, size_t len, size_t n)
{
	struct reader r;
	struct l2tp_avp avp;

	reader_init(&r, whole, len);
	while (avp_next(&r, &avp) == 1)
		if (len - reader_left(&r) == n)
			return true;
	return false;
}

START_TEST(truncated_messages_are_refused)
{
	static uint8_t whole[L2TP_MAX_PACKET];
	size_t len;
	int rc;

	for (int hide = 0; hide < 2; hide++) {
		l2tp_msg_init(&m, L2TP_MSG_ICCN);
		for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++)
			if (t != L2TP_AVP_RANDOM_VECTOR && l2tp_msg_allows(L2TP_MSG_ICCN, t))
				fill(&m, t);
		len = encode(&m, hide ? &hiding : NULL);
		memcpy(whole, buf, len);
		/* a copy of exactly n octets, so that a sanitizer sees any overread */
		for (size_t n = 0; n < len; n++) {
			uint8_t *cut = malloc(n ? n : 1);

			ck_assert_ptr_nonnull(cut);
			memcpy(cut, whole, n);
			rc = l2tp_msg_decode(cut, n, &hiding, &d, &err);
			free(cut);
			/* a cut between AVPs may leave a complete ICCN, or miss a mandatory one */
			if (n && at_avp_end(whole, len, n))
				ck_assert(rc == 0 || (rc == -EBADMSG && err.error_code == L2TP_ERR_BAD_VALUE));
			else
				ck_assert_msg(rc == -EBADMSG, "cut at %zu of %zu: %d", n, len, rc);
		}
		ck_assert_int_eq(l2tp_msg_decode(whole, len, &hiding, &d, &err), 0);
	}
}
END_TEST

START_TEST(short_and_long_avp_lengths_are_refused)
{
	static const uint8_t under_six[] = { 0x80, 0x05, 0, 0, 0, 14 };
	static const uint8_t past_end[] = { 0x80, 0x14, 0, 0, 0, 22, '1', '2' };
	struct writer w;

	start(&w, L2TP_MSG_ICRQ, 0, NULL);
	writer_bytes(&w, under_six, sizeof(under_six));
	check_refused(writer_len(&w), NULL, L2TP_MSG_ICRQ, L2TP_ERR_BAD_LENGTH, 14);
	start(&w, L2TP_MSG_ICRQ, 0, NULL);
	writer_bytes(&w, past_end, sizeof(past_end));
	check_refused(writer_len(&w), NULL, L2TP_MSG_ICRQ, L2TP_ERR_BAD_LENGTH, 22);
	/* a lone octet after the last AVP */
	start(&w, L2TP_MSG_ICRQ, 0, NULL);
	writer_u8(&w, 0);
	check_refused(writer_len(&w), NULL, L2TP_MSG_ICRQ, L2TP_ERR_BAD_LENGTH, 0);
}
END_TEST

/* RFC 2661 4.1: an AVP with a reserved bit set is treated as unrecognized. */
START_TEST(reserved_bits_make_an_avp_unrecognized)
{
	struct writer w;

	for (int bit = 10; bit < 14; bit++) {
		/* M set: fatal, as an unknown mandatory AVP */
		start(&w, L2TP_MSG_ICRQ, 0, NULL);
		writer_u16(&w, (uint16_t)(0x800a | 1u << bit));
		writer_u16(&w, 0);
		writer_u16(&w, L2TP_AVP_BEARER_TYPE);
		writer_u32(&w, 0);
		check_refused(writer_len(&w), NULL, L2TP_MSG_ICRQ, L2TP_ERR_UNKNOWN_MANDATORY_AVP,
			      L2TP_AVP_BEARER_TYPE);
		/* M clear: skipped, and not taken as a Bearer Type */
		start(&w, L2TP_MSG_ICRQ, 0, NULL);
		writer_u16(&w, (uint16_t)(0x000a | 1u << bit));
		writer_u16(&w, 0);
		writer_u16(&w, L2TP_AVP_BEARER_TYPE);
		writer_u32(&w, 2);
		ck_assert_int_eq(l2tp_msg_decode(buf, writer_len(&w), NULL, &d, &err), 0);
		ck_assert(!l2tp_msg_has(&d, L2TP_AVP_BEARER_TYPE));
		ck_assert_uint_eq(d.unknown_optional, 1);
		ck_assert(l2tp_msg_has(&d, L2TP_AVP_ASSIGNED_SESSION_ID));
	}
	/* on the Message Type AVP itself, before the type is known */
	static const uint8_t first[] = { 0x84, 0x08, 0, 0, 0, 0, 0, 6 };
	memcpy(buf, first, sizeof(first));
	check_refused(sizeof(first), NULL, 0, L2TP_ERR_BAD_VALUE, 0);
}
END_TEST

START_TEST(unknown_mandatory_avps_are_refused)
{
	static const struct {
		uint16_t vendor, type;
	} unknown[] = { { 0, 20 }, { 0, 40 }, { 0, 1000 }, { 311, 1 }, { 9, 0 }, { 0xffff, 39 } };
	struct writer w;

	for (size_t i = 0; i < N(unknown); i++) {
		start(&w, L2TP_MSG_HELLO, 0, NULL);
		ck_assert(avp_write(&w, true, unknown[i].vendor, unknown[i].type, "xy", 2));
		check_refused(writer_len(&w), NULL, L2TP_MSG_HELLO,
			      L2TP_ERR_UNKNOWN_MANDATORY_AVP, unknown[i].type);
		/* in a session's message too */
		start(&w, L2TP_MSG_CDN, 0, NULL);
		ck_assert(avp_write(&w, true, unknown[i].vendor, unknown[i].type, NULL, 0));
		check_refused(writer_len(&w), NULL, L2TP_MSG_CDN,
			      L2TP_ERR_UNKNOWN_MANDATORY_AVP, unknown[i].type);
	}
}
END_TEST

START_TEST(unknown_optional_avps_are_skipped)
{
	struct writer w;
	size_t len;

	start(&w, L2TP_MSG_ICRQ, 0, NULL);
	ck_assert(avp_write(&w, false, 0, 20, "xy", 2));
	ck_assert(avp_write(&w, false, 0, 1000, NULL, 0));
	ck_assert(avp_write(&w, false, 311, 7, "vendor stuff", 12));
	/* hidden, and no secret needed to skip it */
	ck_assert(avp_write_hidden(&w, &hiding, false, 77, "zz", 2));
	len = writer_len(&w);
	ck_assert_int_eq(l2tp_msg_decode(buf, len, NULL, &d, &err), 0);
	ck_assert_uint_eq(d.unknown_optional, 4);
	ck_assert(same(&m, &d, L2TP_AVP_ASSIGNED_SESSION_ID));
	ck_assert(!l2tp_msg_has(&d, L2TP_AVP_HOST_NAME));
}
END_TEST

START_TEST(avps_out_of_place_are_ignored)
{
	struct writer w;

	/* a Tie Breaker (M clear) and a Host Name (M set) in an ICRQ */
	start(&w, L2TP_MSG_ICRQ, 0, NULL);
	ck_assert(avp_write(&w, false, 0, L2TP_AVP_TIE_BREAKER, tie, 8));
	ck_assert(avp_write(&w, true, 0, L2TP_AVP_HOST_NAME, "h", 1));
	/* a second Message Type does not change the message */
	ck_assert(avp_write_u16(&w, true, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO));
	ck_assert_int_eq(l2tp_msg_decode(buf, writer_len(&w), NULL, &d, &err), 0);
	ck_assert_uint_eq(d.type, L2TP_MSG_ICRQ);
	ck_assert_uint_eq(d.unknown_optional, 3);
	ck_assert(!l2tp_msg_has(&d, L2TP_AVP_TIE_BREAKER));
	ck_assert(!l2tp_msg_has(&d, L2TP_AVP_HOST_NAME));
}
END_TEST

START_TEST(duplicates_keep_the_last)
{
	struct writer w;

	start(&w, L2TP_MSG_ICRP, 0, NULL);
	ck_assert(avp_write_u16(&w, true, L2TP_AVP_ASSIGNED_SESSION_ID, 77));
	ck_assert_int_eq(l2tp_msg_decode(buf, writer_len(&w), NULL, &d, &err), 0);
	ck_assert_uint_eq(d.assigned_session_id, 77);
}
END_TEST

START_TEST(the_first_avp_must_be_message_type)
{
	struct writer w;

	/* nothing at all */
	check_refused(0, NULL, 0, L2TP_ERR_BAD_LENGTH, 0);
	/* a Host Name first */
	writer_init(&w, buf, sizeof(buf));
	avp_write(&w, true, 0, L2TP_AVP_HOST_NAME, "h", 1);
	avp_write_u16(&w, true, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
	check_refused(writer_len(&w), NULL, 0, L2TP_ERR_BAD_VALUE, L2TP_AVP_HOST_NAME);
	/* a vendor's type 0 */
	writer_init(&w, buf, sizeof(buf));
	avp_write_u16(&w, true, 0, L2TP_MSG_HELLO);
	buf[3] = 9;
	check_refused(writer_len(&w), NULL, 0, L2TP_ERR_BAD_VALUE, 0);
	/* hidden */
	writer_init(&w, buf, sizeof(buf));
	avp_write_hidden(&w, &hiding, true, L2TP_AVP_MESSAGE_TYPE, "\x00\x06", 2);
	check_refused(writer_len(&w), &hiding, 0, L2TP_ERR_BAD_VALUE, 0);
	/* of the wrong size */
	writer_init(&w, buf, sizeof(buf));
	avp_write(&w, true, 0, L2TP_AVP_MESSAGE_TYPE, "\x00\x06\x00", 3);
	check_refused(writer_len(&w), NULL, 0, L2TP_ERR_BAD_LENGTH, 0);
}
END_TEST

START_TEST(unknown_message_types)
{
	static const uint16_t unknown[] = { 0, 5, 13, 17, 0x1234, 0xffff };
	struct writer w;

	for (size_t i = 0; i < N(unknown); i++) {
		writer_init(&w, buf, sizeof(buf));
		avp_write_u16(&w, false, L2TP_AVP_MESSAGE_TYPE, unknown[i]);
		avp_write(&w, true, 0, L2TP_AVP_HOST_NAME, "h", 1);
		ck_assert_int_eq(l2tp_msg_decode(buf, writer_len(&w), NULL, &d, &err),
				 -EOPNOTSUPP);
		ck_assert_uint_eq(err.msg_type, unknown[i]);
		writer_init(&w, buf, sizeof(buf));
		avp_write_u16(&w, true, L2TP_AVP_MESSAGE_TYPE, unknown[i]);
		check_refused(writer_len(&w), NULL, unknown[i], L2TP_ERR_UNKNOWN_MANDATORY_AVP,
			      L2TP_AVP_MESSAGE_TYPE);
	}
	/* a known type with M clear is decoded as usual */
	writer_init(&w, buf, sizeof(buf));
	avp_write_u16(&w, false, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
	ck_assert_int_eq(l2tp_msg_decode(buf, writer_len(&w), NULL, &d, &err), 0);
}
END_TEST

START_TEST(hidden_avps_need_a_secret_and_a_vector)
{
	struct writer w;
	size_t len;

	build(&m, L2TP_MSG_ICRQ, 0);
	len = encode(&m, &hiding);
	check_refused(len, NULL, L2TP_MSG_ICRQ, L2TP_ERR_BAD_VALUE, L2TP_AVP_ASSIGNED_SESSION_ID);
	check_refused(len, &(struct avp_hiding){ S(""), NULL, 0 }, L2TP_MSG_ICRQ,
		      L2TP_ERR_BAD_VALUE, L2TP_AVP_ASSIGNED_SESSION_ID);
	/* the Random Vector passed in is ignored: the message's own is needed */
	len = encode(&m, NULL);
	writer_init(&w, buf + len, sizeof(buf) - len);
	ck_assert(avp_write_hidden(&w, &hiding, false, L2TP_AVP_PHYSICAL_CHANNEL_ID,
				   "\0\0\0\1", 4));
	check_refused(len + writer_len(&w), &hiding, L2TP_MSG_ICRQ, L2TP_ERR_BAD_VALUE,
		      L2TP_AVP_PHYSICAL_CHANNEL_ID);
	ck_assert_ptr_nonnull(strstr(err.text, "before any Random Vector"));
}
END_TEST

START_TEST(attributes_that_must_not_be_hidden)
{
	struct writer w;

	start(&w, L2TP_MSG_SCCRQ, L2TP_AVP_HOST_NAME, &hiding);
	ck_assert(avp_write_hidden(&w, &hiding, true, L2TP_AVP_HOST_NAME, "h", 1));
	check_refused(writer_len(&w), &hiding, L2TP_MSG_SCCRQ, L2TP_ERR_BAD_VALUE,
		      L2TP_AVP_HOST_NAME);
	/* nor the Random Vector */
	start(&w, L2TP_MSG_HELLO, 0, NULL);
	ck_assert(avp_write_hidden(&w, &hiding, true, L2TP_AVP_RANDOM_VECTOR, rv, 16));
	check_refused(writer_len(&w), &hiding, L2TP_MSG_HELLO, L2TP_ERR_BAD_VALUE,
		      L2TP_AVP_RANDOM_VECTOR);
	/* and an empty Random Vector is the wrong size */
	start(&w, L2TP_MSG_HELLO, 0, NULL);
	ck_assert(avp_write(&w, true, 0, L2TP_AVP_RANDOM_VECTOR, NULL, 0));
	check_refused(writer_len(&w), &hiding, L2TP_MSG_HELLO, L2TP_ERR_BAD_LENGTH,
		      L2TP_AVP_RANDOM_VECTOR);
}
END_TEST

START_TEST(each_random_vector_hides_what_follows)
{
	struct writer w;

	/* ICRQ: Message Type, RV 1, hidden session ID, RV 2, hidden serial number */
	l2tp_msg_init(&m, L2TP_MSG_ICRQ);
	writer_init(&w, buf, sizeof(buf));
	avp_write_u16(&w, true, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRQ);
	avp_write(&w, true, 0, L2TP_AVP_RANDOM_VECTOR, rv, sizeof(rv));
	avp_write_hidden(&w, &hiding, true, L2TP_AVP_ASSIGNED_SESSION_ID, "\x12\x34", 2);
	avp_write(&w, true, 0, L2TP_AVP_RANDOM_VECTOR, rv2, sizeof(rv2));
	avp_write_hidden(&w, &hiding2, true, L2TP_AVP_CALL_SERIAL_NUMBER, "\0\0\0\x63", 4);
	ck_assert(writer_ok(&w));
	ck_assert_int_eq(l2tp_msg_decode(buf, writer_len(&w), &secret_only, &d, &err), 0);
	ck_assert_uint_eq(d.assigned_session_id, 0x1234);
	ck_assert_uint_eq(d.call_serial_number, 99);
	ck_assert_uint_eq(d.hidden, 2);
	ck_assert(!l2tp_msg_has(&d, L2TP_AVP_RANDOM_VECTOR));
}
END_TEST

START_TEST(a_wrong_secret_does_not_decode)
{
	const struct avp_hiding wrong = { S("tunnel secreT"), NULL, 0 };
	size_t len;
	int rc;

	build(&m, L2TP_MSG_ICRQ, 0);
	fill(&m, L2TP_AVP_CALLING_NUMBER);
	len = encode(&m, &hiding);
	rc = l2tp_msg_decode(buf, len, &wrong, &d, &err);
	if (rc == 0)
		ck_assert(!same(&m, &d, L2TP_AVP_ASSIGNED_SESSION_ID) ||
			  !same(&m, &d, L2TP_AVP_CALLING_NUMBER) ||
			  !same(&m, &d, L2TP_AVP_CALL_SERIAL_NUMBER));
	else
		ck_assert_int_eq(rc, -EBADMSG);
}
END_TEST

static void check_missing(uint16_t msg, uint16_t t)
{
	char text[128];

	build(&m, msg, t);
	check_refused(encode(&m, NULL), NULL, msg, L2TP_ERR_BAD_VALUE, t);
	snprintf(text, sizeof(text), "%s without %s", l2tp_msg_type_name(msg),
		 l2tp_avp_type_name(t));
	ck_assert_str_eq(err.text, text);
}

START_TEST(missing_mandatory_avps_from_the_table)
{
	for (uint16_t msg = 1; msg <= L2TP_MSG_MAX; msg++) {
		if (!is_message_type(msg))
			continue;
		build(&m, msg, 0);
		ck_assert_int_eq(l2tp_msg_decode(buf, encode(&m, NULL), NULL, &d, &err), 0);
		for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++)
			if (l2tp_msg_requires(msg, t))
				check_missing(msg, t);
	}
}
END_TEST

START_TEST(missing_mandatory_avps_by_hand)
{
	ck_assert_str_eq(l2tp_msg_type_name(L2TP_MSG_SCCRQ), "SCCRQ");
	check_missing(L2TP_MSG_SCCRQ, L2TP_AVP_PROTOCOL_VERSION);
	check_missing(L2TP_MSG_SCCRQ, L2TP_AVP_HOST_NAME);
	ck_assert_str_eq(err.text, "SCCRQ without Host Name");
	check_missing(L2TP_MSG_SCCRQ, L2TP_AVP_FRAMING_CAPABILITIES);
	check_missing(L2TP_MSG_SCCRQ, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	check_missing(L2TP_MSG_ICRQ, L2TP_AVP_ASSIGNED_SESSION_ID);
	check_missing(L2TP_MSG_ICRQ, L2TP_AVP_CALL_SERIAL_NUMBER);
	check_missing(L2TP_MSG_ICCN, L2TP_AVP_TX_CONNECT_SPEED);
	check_missing(L2TP_MSG_ICCN, L2TP_AVP_FRAMING_TYPE);
	check_missing(L2TP_MSG_CDN, L2TP_AVP_RESULT_CODE);
	check_missing(L2TP_MSG_CDN, L2TP_AVP_ASSIGNED_SESSION_ID);
	check_missing(L2TP_MSG_STOPCCN, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	check_missing(L2TP_MSG_STOPCCN, L2TP_AVP_RESULT_CODE);
	/* a bare HELLO and a bare SCCCN are complete */
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	ck_assert_int_eq(l2tp_msg_decode(buf, encode(&m, NULL), NULL, &d, &err), 0);
	l2tp_msg_init(&m, L2TP_MSG_SCCCN);
	ck_assert_int_eq(l2tp_msg_decode(buf, encode(&m, NULL), NULL, &d, &err), 0);
}
END_TEST

START_TEST(encoding_fails_cleanly)
{
	static uint8_t small[L2TP_MAX_PACKET];
	struct writer w;
	size_t len;

	build(&m, L2TP_MSG_SCCRQ, 0);
	len = encode(&m, &hiding);
	for (size_t cap = 0; cap < len; cap++) {
		writer_init(&w, small, cap);
		ck_assert(!l2tp_msg_encode(&w, &m, &hiding));
	}
	writer_init(&w, small, len);
	ck_assert(l2tp_msg_encode(&w, &m, &hiding));
	/* a value that breaks its size rule, or that has no octets to point at */
	m.host_name.len = 0;
	writer_init(&w, small, sizeof(small));
	ck_assert(!l2tp_msg_encode(&w, &m, NULL));
	m.host_name.ptr = NULL;
	m.host_name.len = 3;
	writer_init(&w, small, sizeof(small));
	ck_assert(!l2tp_msg_encode(&w, &m, NULL));
	/* an attribute the codec has no field for */
	build(&m, L2TP_MSG_HELLO, 0);
	l2tp_msg_set(&m, 20);
	writer_init(&w, small, sizeof(small));
	ck_assert(!l2tp_msg_encode(&w, &m, NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("message");
	TCase *tc = tcase_create("message");

	tcase_add_test(tc, tables_match_section_6);
	tcase_add_loop_test(tc, round_trips_each_attribute, 1, L2TP_AVP_MAX + 1);
	tcase_add_test(tc, round_trips_full_messages);
	tcase_add_test(tc, encodes_in_order_with_rfc_bits);
	tcase_add_test(tc, encodes_without_a_random_vector_in_clear);
	tcase_add_test(tc, encodes_result_codes);
	tcase_add_test(tc, decodes_fields_from_their_places);
	tcase_add_test(tc, decodes_call_status_fields);
	tcase_add_test(tc, hidden_values_live_in_the_store);
	tcase_add_test(tc, fixed_sizes_are_enforced);
	tcase_add_test(tc, hidden_sizes_are_enforced);
	tcase_add_test(tc, truncated_messages_are_refused);
	tcase_add_test(tc, short_and_long_avp_lengths_are_refused);
	tcase_add_test(tc, reserved_bits_make_an_avp_unrecognized);
	tcase_add_test(tc, unknown_mandatory_avps_are_refused);
	tcase_add_test(tc, unknown_optional_avps_are_skipped);
	tcase_add_test(tc, avps_out_of_place_are_ignored);
	tcase_add_test(tc, duplicates_keep_the_last);
	tcase_add_test(tc, the_first_avp_must_be_message_type);
	tcase_add_test(tc, unknown_message_types);
	tcase_add_test(tc, hidden_avps_need_a_secret_and_a_vector);
	tcase_add_test(tc, attributes_that_must_not_be_hidden);
	tcase_add_test(tc, each_random_vector_hides_what_follows);
	tcase_add_test(tc, a_wrong_secret_does_not_decode);
	tcase_add_test(tc, missing_mandatory_avps_from_the_table);
	tcase_add_test(tc, missing_mandatory_avps_by_hand);
	tcase_add_test(tc, encoding_fails_cleanly);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
