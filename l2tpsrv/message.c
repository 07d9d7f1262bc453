/*
 * message: control messages decoded, checked against RFC 2661 section 6,
 * and encoded; see message.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "avp.h"
#include "message.h"
#include "protocol.h"
#include "reader.h"
#include "writer.h"

#define AVP_BIT(type) ((uint64_t)1 << (type))
/* The first 16 bits of an AVP, as avp.c reads them (4.1). */
#define AVP_RESERVED_BITS 0x3c00
#define AVP_LENGTH_MASK 0x03ff

/*
 * The AVPs each message must and may carry, besides Message Type (every
 * message, first) and Random Vector (any message, 4.4.1).
 */
struct msg_rule {
	bool known;
	uint64_t mandatory;
	uint64_t optional;
};

static const struct msg_rule msg_rules[L2TP_MSG_MAX + 1] = {
	/* 6.1 Start-Control-Connection-Request */
	[L2TP_MSG_SCCRQ] = { true,
		AVP_BIT(L2TP_AVP_PROTOCOL_VERSION) | AVP_BIT(L2TP_AVP_HOST_NAME) |
		AVP_BIT(L2TP_AVP_FRAMING_CAPABILITIES) | AVP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID),
		AVP_BIT(L2TP_AVP_BEARER_CAPABILITIES) | AVP_BIT(L2TP_AVP_RECEIVE_WINDOW_SIZE) |
		AVP_BIT(L2TP_AVP_CHALLENGE) | AVP_BIT(L2TP_AVP_TIE_BREAKER) |
		AVP_BIT(L2TP_AVP_FIRMWARE_REVISION) | AVP_BIT(L2TP_AVP_VENDOR_NAME) },
	/* 6.2 Start-Control-Connection-Reply */
	[L2TP_MSG_SCCRP] = { true,
		AVP_BIT(L2TP_AVP_PROTOCOL_VERSION) | AVP_BIT(L2TP_AVP_FRAMING_CAPABILITIES) |
		AVP_BIT(L2TP_AVP_HOST_NAME) | AVP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID),
		AVP_BIT(L2TP_AVP_BEARER_CAPABILITIES) | AVP_BIT(L2TP_AVP_FIRMWARE_REVISION) |
		AVP_BIT(L2TP_AVP_VENDOR_NAME) | AVP_BIT(L2TP_AVP_RECEIVE_WINDOW_SIZE) |
		AVP_BIT(L2TP_AVP_CHALLENGE) | AVP_BIT(L2TP_AVP_CHALLENGE_RESPONSE) },
	/* 6.3 Start-Control-Connection-Connected */
	[L2TP_MSG_SCCCN] = { true, 0, AVP_BIT(L2TP_AVP_CHALLENGE_RESPONSE) },
	/* 6.4 Stop-Control-Connection-Notification */
	[L2TP_MSG_STOPCCN] = { true,
		AVP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID) | AVP_BIT(L2TP_AVP_RESULT_CODE), 0 },
	/* 6.5 Hello */
	[L2TP_MSG_HELLO] = { true, 0, 0 },
	/* 6.6 Incoming-Call-Request */
	[L2TP_MSG_ICRQ] = { true,
		AVP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID) | AVP_BIT(L2TP_AVP_CALL_SERIAL_NUMBER),
		AVP_BIT(L2TP_AVP_BEARER_TYPE) | AVP_BIT(L2TP_AVP_PHYSICAL_CHANNEL_ID) |
		AVP_BIT(L2TP_AVP_CALLING_NUMBER) | AVP_BIT(L2TP_AVP_CALLED_NUMBER) |
		AVP_BIT(L2TP_AVP_SUB_ADDRESS) },
	/* 6.7 Incoming-Call-Reply */
	[L2TP_MSG_ICRP] = { true, AVP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID), 0 },
	/* 6.8 Incoming-Call-Connected */
	[L2TP_MSG_ICCN] = { true,
		AVP_BIT(L2TP_AVP_TX_CONNECT_SPEED) | AVP_BIT(L2TP_AVP_FRAMING_TYPE),
		AVP_BIT(L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ) |
		AVP_BIT(L2TP_AVP_LAST_SENT_LCP_CONFREQ) |
		AVP_BIT(L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ) | AVP_BIT(L2TP_AVP_PROXY_AUTHEN_TYPE) |
		AVP_BIT(L2TP_AVP_PROXY_AUTHEN_NAME) | AVP_BIT(L2TP_AVP_PROXY_AUTHEN_CHALLENGE) |
		AVP_BIT(L2TP_AVP_PROXY_AUTHEN_ID) | AVP_BIT(L2TP_AVP_PROXY_AUTHEN_RESPONSE) |
		AVP_BIT(L2TP_AVP_PRIVATE_GROUP_ID) | AVP_BIT(L2TP_AVP_RX_CONNECT_SPEED) |
		AVP_BIT(L2TP_AVP_SEQUENCING_REQUIRED) },
	/* 6.9 Outgoing-Call-Request */
	[L2TP_MSG_OCRQ] = { true,
		AVP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID) | AVP_BIT(L2TP_AVP_CALL_SERIAL_NUMBER) |
		AVP_BIT(L2TP_AVP_MINIMUM_BPS) | AVP_BIT(L2TP_AVP_MAXIMUM_BPS) |
		AVP_BIT(L2TP_AVP_BEARER_TYPE) | AVP_BIT(L2TP_AVP_FRAMING_TYPE) |
		AVP_BIT(L2TP_AVP_CALLED_NUMBER),
		AVP_BIT(L2TP_AVP_SUB_ADDRESS) },
	/* 6.10 Outgoing-Call-Reply */
	[L2TP_MSG_OCRP] = { true, AVP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID),
		AVP_BIT(L2TP_AVP_PHYSICAL_CHANNEL_ID) },
	/* 6.11 Outgoing-Call-Connected */
	[L2TP_MSG_OCCN] = { true,
		AVP_BIT(L2TP_AVP_TX_CONNECT_SPEED) | AVP_BIT(L2TP_AVP_FRAMING_TYPE),
		AVP_BIT(L2TP_AVP_RX_CONNECT_SPEED) | AVP_BIT(L2TP_AVP_SEQUENCING_REQUIRED) },
	/* 6.12 Call-Disconnect-Notify */
	[L2TP_MSG_CDN] = { true,
		AVP_BIT(L2TP_AVP_RESULT_CODE) | AVP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID),
		AVP_BIT(L2TP_AVP_Q931_CAUSE_CODE) },
	/* 6.13 WAN-Error-Notify */
	[L2TP_MSG_WEN] = { true, AVP_BIT(L2TP_AVP_CALL_ERRORS), 0 },
	/* 6.14 Set-Link-Info */
	[L2TP_MSG_SLI] = { true, AVP_BIT(L2TP_AVP_ACCM), 0 },
};

static const struct msg_rule *msg_rule(uint16_t msg_type)
{
	if (msg_type > L2TP_MSG_MAX || !msg_rules[msg_type].known)
		return NULL;
	return &msg_rules[msg_type];
}

static bool avp_bit_is_set(uint64_t set, uint16_t avp_type)
{
	return avp_type < 64 && (set & AVP_BIT(avp_type));
}

bool l2tp_msg_requires(uint16_t msg_type, uint16_t avp_type)
{
	const struct msg_rule *rule = msg_rule(msg_type);

	if (!rule)
		return false;
	return avp_type == L2TP_AVP_MESSAGE_TYPE || avp_bit_is_set(rule->mandatory, avp_type);
}

bool l2tp_msg_allows(uint16_t msg_type, uint16_t avp_type)
{
	const struct msg_rule *rule = msg_rule(msg_type);

	if (!rule)
		return false;
	return avp_type == L2TP_AVP_MESSAGE_TYPE || avp_type == L2TP_AVP_RANDOM_VECTOR ||
	       avp_bit_is_set(rule->mandatory | rule->optional, avp_type);
}

void l2tp_msg_init(struct l2tp_msg *m, uint16_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
}

/*
 * How each attribute's value maps onto struct l2tp_msg. Simple values use
 * the generic codecs on the field at off (size for fixed octet arrays);
 * values with structure have codecs of their own.
 */
struct attr_codec {
	bool (*decode)(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c);
	bool (*encode)(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c);
	size_t off;
	size_t size;
};

static void *field(struct l2tp_msg *m, const struct attr_codec *c)
{
	return (uint8_t *)m + c->off;
}

static const void *cfield(const struct l2tp_msg *m, const struct attr_codec *c)
{
	return (const uint8_t *)m + c->off;
}

static bool get_u16(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	return reader_u16(v, field(m, c));
}

static bool put_u16(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	return writer_u16(v, *(const uint16_t *)cfield(m, c));
}

static bool get_u32(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	return reader_u32(v, field(m, c));
}

static bool put_u32(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	return writer_u32(v, *(const uint32_t *)cfield(m, c));
}

static bool get_array(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	return reader_copy(v, field(m, c), c->size);
}

static bool put_array(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	return writer_bytes(v, cfield(m, c), c->size);
}

/* The rest of the value, left where it is (packet or store). */
static bool get_rest(struct reader *v, struct l2tp_bytes *b)
{
	b->len = (uint16_t)reader_left(v);
	return reader_bytes(v, b->len, &b->ptr);
}

static bool put_rest(struct writer *v, const struct l2tp_bytes *b)
{
	if (b->len && !b->ptr)
		return false;
	return writer_bytes(v, b->ptr, b->len);
}

static bool get_bytes(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	return get_rest(v, field(m, c));
}

static bool put_bytes(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	return put_rest(v, cfield(m, c));
}

static bool get_nothing(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	return reader_left(v) == 0;
}

static bool put_nothing(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	return true;
}

/* 4.4.2: Result Code (2), then optionally Error Code (2), then a message. */
static bool get_result_code(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	if (!reader_u16(v, &m->result_code))
		return false;
	if (reader_left(v) == 0)
		return true;
	m->has_error_code = true;
	if (!reader_u16(v, &m->error_code))
		return false;
	if (reader_left(v) == 0)
		return true;
	return get_rest(v, &m->error_message);
}

static bool put_result_code(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	writer_u16(v, m->result_code);
	if (m->has_error_code || m->error_message.len)
		writer_u16(v, m->error_code);
	return put_rest(v, &m->error_message);
}

/* 4.4.3: Ver (1), Rev (1). */
static bool get_protocol_version(struct reader *v, struct l2tp_msg *m,
				 const struct attr_codec *c)
{
	return reader_u8(v, &m->protocol_version) && reader_u8(v, &m->protocol_revision);
}

static bool put_protocol_version(struct writer *v, const struct l2tp_msg *m,
				 const struct attr_codec *c)
{
	writer_u8(v, m->protocol_version);
	return writer_u8(v, m->protocol_revision);
}

/* 4.4.4: Cause Code (2), Cause Msg (1), Advisory Msg (the rest). */
static bool get_q931(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	return reader_u16(v, &m->q931_cause) && reader_u8(v, &m->q931_msg) &&
	       get_rest(v, &m->q931_advisory);
}

static bool put_q931(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	writer_u16(v, m->q931_cause);
	writer_u8(v, m->q931_msg);
	return put_rest(v, &m->q931_advisory);
}

/* 4.4.6: Reserved (2), then six 32-bit counters in this order. */
static bool get_call_errors(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	struct l2tp_call_errors *e = &m->call_errors;

	return reader_skip(v, 2) && reader_u32(v, &e->crc_errors) &&
	       reader_u32(v, &e->framing_errors) && reader_u32(v, &e->hardware_overruns) &&
	       reader_u32(v, &e->buffer_overruns) && reader_u32(v, &e->timeout_errors) &&
	       reader_u32(v, &e->alignment_errors);
}

static bool put_call_errors(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	const struct l2tp_call_errors *e = &m->call_errors;

	writer_u16(v, 0);
	writer_u32(v, e->crc_errors);
	writer_u32(v, e->framing_errors);
	writer_u32(v, e->hardware_overruns);
	writer_u32(v, e->buffer_overruns);
	writer_u32(v, e->timeout_errors);
	return writer_u32(v, e->alignment_errors);
}

/* 4.4.6: Reserved (2), Send ACCM (4), Receive ACCM (4). */
static bool get_accm(struct reader *v, struct l2tp_msg *m, const struct attr_codec *c)
{
	return reader_skip(v, 2) && reader_u32(v, &m->send_accm) &&
	       reader_u32(v, &m->receive_accm);
}

static bool put_accm(struct writer *v, const struct l2tp_msg *m, const struct attr_codec *c)
{
	writer_u16(v, 0);
	writer_u32(v, m->send_accm);
	return writer_u32(v, m->receive_accm);
}

#define U16(f) { get_u16, put_u16, offsetof(struct l2tp_msg, f), 0 }
#define U32(f) { get_u32, put_u32, offsetof(struct l2tp_msg, f), 0 }
#define BYTES(f) { get_bytes, put_bytes, offsetof(struct l2tp_msg, f), 0 }
#define ARRAY(f) { get_array, put_array, offsetof(struct l2tp_msg, f), \
		   sizeof(((struct l2tp_msg *)0)->f) }
#define OWN(name) { get_##name, put_##name, 0, 0 }

/* Message Type (0) and Random Vector (36) are handled by the walk itself. */
static const struct attr_codec attr_codecs[L2TP_AVP_MAX + 1] = {
	[L2TP_AVP_RESULT_CODE] = OWN(result_code),
	[L2TP_AVP_PROTOCOL_VERSION] = OWN(protocol_version),
	[L2TP_AVP_FRAMING_CAPABILITIES] = U32(framing_capabilities),
	[L2TP_AVP_BEARER_CAPABILITIES] = U32(bearer_capabilities),
	[L2TP_AVP_TIE_BREAKER] = ARRAY(tie_breaker),
	[L2TP_AVP_FIRMWARE_REVISION] = U16(firmware_revision),
	[L2TP_AVP_HOST_NAME] = BYTES(host_name),
	[L2TP_AVP_VENDOR_NAME] = BYTES(vendor_name),
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = U16(assigned_tunnel_id),
	[L2TP_AVP_RECEIVE_WINDOW_SIZE] = U16(receive_window_size),
	[L2TP_AVP_CHALLENGE] = BYTES(challenge),
	[L2TP_AVP_Q931_CAUSE_CODE] = OWN(q931),
	[L2TP_AVP_CHALLENGE_RESPONSE] = ARRAY(challenge_response),
	[L2TP_AVP_ASSIGNED_SESSION_ID] = U16(assigned_session_id),
	[L2TP_AVP_CALL_SERIAL_NUMBER] = U32(call_serial_number),
	[L2TP_AVP_MINIMUM_BPS] = U32(minimum_bps),
	[L2TP_AVP_MAXIMUM_BPS] = U32(maximum_bps),
	[L2TP_AVP_BEARER_TYPE] = U32(bearer_type),
	[L2TP_AVP_FRAMING_TYPE] = U32(framing_type),
	[L2TP_AVP_CALLED_NUMBER] = BYTES(called_number),
	[L2TP_AVP_CALLING_NUMBER] = BYTES(calling_number),
	[L2TP_AVP_SUB_ADDRESS] = BYTES(sub_address),
	[L2TP_AVP_TX_CONNECT_SPEED] = U32(tx_connect_speed),
	[L2TP_AVP_PHYSICAL_CHANNEL_ID] = U32(physical_channel_id),
	[L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ] = BYTES(initial_received_lcp_confreq),
	[L2TP_AVP_LAST_SENT_LCP_CONFREQ] = BYTES(last_sent_lcp_confreq),
	[L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ] = BYTES(last_received_lcp_confreq),
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = U16(proxy_authen_type),
	[L2TP_AVP_PROXY_AUTHEN_NAME] = BYTES(proxy_authen_name),
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = BYTES(proxy_authen_challenge),
	/* the whole 2 octets: reserved (1), then the ID (1) */
	[L2TP_AVP_PROXY_AUTHEN_ID] = U16(proxy_authen_id),
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = BYTES(proxy_authen_response),
	[L2TP_AVP_CALL_ERRORS] = OWN(call_errors),
	[L2TP_AVP_ACCM] = OWN(accm),
	[L2TP_AVP_PRIVATE_GROUP_ID] = BYTES(private_group_id),
	[L2TP_AVP_RX_CONNECT_SPEED] = U32(rx_connect_speed),
	[L2TP_AVP_SEQUENCING_REQUIRED] = OWN(nothing),
};

#undef U16
#undef U32
#undef BYTES
#undef ARRAY
#undef OWN

static const struct attr_codec *attr_codec(unsigned int avp_type)
{
	if (avp_type > L2TP_AVP_MAX || !attr_codecs[avp_type].decode)
		return NULL;
	return &attr_codecs[avp_type];
}

/* ---- decoding ---- */

struct decoder {
	struct l2tp_msg *m;
	struct l2tp_msg_error *err;
	/* the tunnel secret and the latest Random Vector of this message */
	struct avp_hiding hiding;
};

static int decode_fail(struct decoder *d, uint16_t error_code, uint16_t avp_type,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int decode_fail(struct decoder *d, uint16_t error_code, uint16_t avp_type,
		       const char *fmt, ...)
{
	va_list ap;

	d->err->error_code = error_code;
	d->err->avp_type = avp_type;
	va_start(ap, fmt);
	vsnprintf(d->err->text, sizeof(d->err->text), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* avp_next() refused the AVP at *before: its Length was wrong. */
static int decode_fail_malformed(struct decoder *d, const struct reader *before,
				 const struct l2tp_avp *avp)
{
	struct reader peek = *before;
	uint16_t bits = 0;

	reader_u16(&peek, &bits);
	return decode_fail(d, L2TP_ERR_BAD_LENGTH, avp->type,
			   "AVP length %u with %zu octets left", (unsigned int)(bits & AVP_LENGTH_MASK),
			   reader_left(before));
}

/* 4.4.1: the Message Type AVP comes first and says what the rest must be. */
static int decode_message_type(struct decoder *d, struct reader *r)
{
	struct reader before = *r, value;
	struct l2tp_avp avp;
	uint16_t type;
	int rc;

	rc = avp_next(r, &avp);
	if (rc == 0)
		return decode_fail(d, L2TP_ERR_BAD_LENGTH, 0, "control message without AVPs");
	if (rc < 0)
		return decode_fail_malformed(d, &before, &avp);
	if (avp.vendor != L2TP_VENDOR_IETF || avp.type != L2TP_AVP_MESSAGE_TYPE ||
	    avp.reserved_bits)
		return decode_fail(d, L2TP_ERR_BAD_VALUE, avp.type,
				   "first AVP is vendor %u type %u, not Message Type", avp.vendor,
				   avp.type);
	if (avp.hidden)
		return decode_fail(d, L2TP_ERR_BAD_VALUE, avp.type, "hidden Message Type AVP");
	reader_init(&value, avp.value, avp.len);
	if (!avp_value_len_ok(avp.type, avp.len) || !reader_u16(&value, &type))
		return decode_fail(d, L2TP_ERR_BAD_LENGTH, avp.type,
				   "Message Type AVP with a value of %u octets", avp.len);
	d->m->type = type;
	d->err->msg_type = type;
	if (msg_rule(type))
		return 0;
	if (!avp.mandatory) {
		snprintf(d->err->text, sizeof(d->err->text), "unknown message type %u ignored", type);
		return -EOPNOTSUPP;
	}
	return decode_fail(d, L2TP_ERR_UNKNOWN_MANDATORY_AVP, avp.type,
			   "unknown message type %u with the M bit set", type);
}

/* 4.1: an AVP we do not know is skipped unless its M bit is set. */
static int decode_unknown(struct decoder *d, const struct l2tp_avp *avp)
{
	if (avp->mandatory)
		return decode_fail(d, L2TP_ERR_UNKNOWN_MANDATORY_AVP, avp->type,
				   "unknown mandatory AVP vendor %u type %u", avp->vendor,
				   avp->type);
	d->m->unknown_optional++;
	return 0;
}

/* 4.3: a Random Vector hides the AVPs after it, up to the next one. */
static int decode_random_vector(struct decoder *d, const struct l2tp_avp *avp)
{
	if (avp->hidden)
		return decode_fail(d, L2TP_ERR_BAD_VALUE, avp->type, "hidden Random Vector AVP");
	if (!avp_value_len_ok(avp->type, avp->len))
		return decode_fail(d, L2TP_ERR_BAD_LENGTH, avp->type,
				   "Random Vector AVP with a value of %u octets", avp->len);
	d->hiding.random_vector = avp->value;
	d->hiding.random_vector_len = avp->len;
	return 0;
}

/* Gives the AVP's value in clear: in the packet, or unhidden into m->store. */
static int reveal(struct decoder *d, const struct l2tp_avp *avp, const uint8_t **value,
		  size_t *len)
{
	struct l2tp_msg *m = d->m;
	const char *name = l2tp_avp_type_name(avp->type);
	uint8_t *out = m->store + m->store_used;

	*value = avp->value;
	*len = avp->len;
	if (!avp->hidden)
		return 0;
	if (!avp_may_be_hidden(avp->type))
		return decode_fail(d, L2TP_ERR_BAD_VALUE, avp->type, "hidden %s AVP", name);
	if (!d->hiding.secret)
		return decode_fail(d, L2TP_ERR_BAD_VALUE, avp->type,
				   "hidden %s AVP but the tunnel has no secret", name);
	if (!d->hiding.random_vector)
		return decode_fail(d, L2TP_ERR_BAD_VALUE, avp->type,
				   "hidden %s AVP before any Random Vector", name);
	if (sizeof(m->store) - m->store_used < avp->len)
		return decode_fail(d, L2TP_ERR_BAD_LENGTH, avp->type,
				   "hidden %s AVP: message too long", name);
	if (avp_unhide(&d->hiding, avp->type, avp->value, avp->len, out, len) < 0)
		return decode_fail(d, L2TP_ERR_BAD_VALUE, avp->type,
				   "hidden %s AVP does not unhide (wrong secret?)", name);
	m->store_used += *len;
	m->hidden++;
	*value = out;
	return 0;
}

static int decode_known(struct decoder *d, const struct l2tp_avp *avp)
{
	const struct attr_codec *c = attr_codec(avp->type);
	const char *name = l2tp_avp_type_name(avp->type);
	const uint8_t *value;
	struct reader v;
	size_t len;
	int rc;

	rc = reveal(d, avp, &value, &len);
	if (rc < 0)
		return rc;
	reader_init(&v, value, len);
	if (!avp_value_len_ok(avp->type, len) || !c || !c->decode(&v, d->m, c))
		return decode_fail(d, L2TP_ERR_BAD_LENGTH, avp->type,
				   "%s AVP with a value of %zu octets", name, len);
	l2tp_msg_set(d->m, avp->type);
	return 0;
}

static int decode_avp(struct decoder *d, const struct l2tp_avp *avp)
{
	if (avp->vendor != L2TP_VENDOR_IETF || !avp_is_known(avp->type) || avp->reserved_bits)
		return decode_unknown(d, avp);
	if (avp->type == L2TP_AVP_RANDOM_VECTOR)
		return decode_random_vector(d, avp);
	/* Known but out of place (a second Message Type too): not stored. */
	if (avp->type == L2TP_AVP_MESSAGE_TYPE || !l2tp_msg_allows(d->m->type, avp->type)) {
		d->m->unknown_optional++;
		return 0;
	}
	return decode_known(d, avp);
}

static int check_mandatory(struct decoder *d)
{
	uint16_t t;

	for (t = 1; t <= L2TP_AVP_MAX; t++) {
		if (l2tp_msg_requires(d->m->type, t) && !l2tp_msg_has(d->m, t))
			return decode_fail(d, L2TP_ERR_BAD_VALUE, t, "%s without %s",
					   l2tp_msg_type_name(d->m->type), l2tp_avp_type_name(t));
	}
	return 0;
}

int l2tp_msg_decode(const uint8_t *body, size_t len, const struct avp_hiding *hiding,
		    struct l2tp_msg *m, struct l2tp_msg_error *err)
{
	struct decoder d = { .m = m, .err = err };
	struct reader r, before;
	struct l2tp_avp avp;
	int rc;

	memset(err, 0, sizeof(*err));
	l2tp_msg_init(m, 0);
	if (hiding && hiding->secret && hiding->secret_len) {
		d.hiding.secret = hiding->secret;
		d.hiding.secret_len = hiding->secret_len;
	}
	reader_init(&r, body, len);
	rc = decode_message_type(&d, &r);
	if (rc < 0)
		return rc;
	for (;;) {
		before = r;
		rc = avp_next(&r, &avp);
		if (rc == 0)
			break;
		if (rc < 0)
			return decode_fail_malformed(&d, &before, &avp);
		rc = decode_avp(&d, &avp);
		if (rc < 0)
			return rc;
	}
	return check_mandatory(&d);
}

/* ---- encoding ---- */

static bool writer_fail(struct writer *w)
{
	w->failed = true;
	return false;
}

static bool encode_attr(struct writer *w, const struct l2tp_msg *m, uint16_t type,
			const struct avp_hiding *hide)
{
	const struct attr_codec *c = attr_codec(type);
	bool mandatory = avp_is_mandatory_on_send(type);
	uint8_t buf[L2TP_AVP_MAX_VALUE];
	struct writer v;

	writer_init(&v, buf, sizeof(buf));
	if (!c || !c->encode(&v, m, c) || !writer_ok(&v) ||
	    !avp_value_len_ok(type, writer_len(&v)))
		return writer_fail(w);
	if (hide && avp_may_be_hidden(type))
		return avp_write_hidden(w, hide, mandatory, type, buf, writer_len(&v));
	return avp_write(w, mandatory, L2TP_VENDOR_IETF, type, buf, writer_len(&v));
}

bool l2tp_msg_encode(struct writer *w, const struct l2tp_msg *m, const struct avp_hiding *hiding)
{
	const struct avp_hiding *hide = NULL;
	uint16_t t;

	if (hiding && hiding->secret && hiding->secret_len && hiding->random_vector &&
	    hiding->random_vector_len)
		hide = hiding;
	/* 4.4.1: Message Type first and never hidden; then the Random Vector. */
	avp_write_u16(w, avp_is_mandatory_on_send(L2TP_AVP_MESSAGE_TYPE), L2TP_AVP_MESSAGE_TYPE,
		      m->type);
	if (hide)
		avp_write(w, avp_is_mandatory_on_send(L2TP_AVP_RANDOM_VECTOR), L2TP_VENDOR_IETF,
			  L2TP_AVP_RANDOM_VECTOR, hide->random_vector, hide->random_vector_len);
	for (t = 1; t < 64; t++) {
		if (t == L2TP_AVP_RANDOM_VECTOR || !l2tp_msg_has(m, t))
			continue;
		if (!encode_attr(w, m, t, hide))
			return false;
	}
	return writer_ok(w);
}
