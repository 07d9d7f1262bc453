/*
 * avp: walk, check, write and hide single AVPs; see avp.h.
 */
#include <errno.h>
#include <string.h>

#include <md5.h>

#include "avp.h"
#include "protocol.h"

/* The first 16 bits of an AVP: M, H, four reserved bits, 10-bit Length (4.1). */
#define AVP_FLAG_M 0x8000
#define AVP_FLAG_H 0x4000
#define AVP_RESERVED_BITS 0x3c00
#define AVP_LENGTH_MASK 0x03ff

/* Hiding works on 16-octet blocks, the size of an MD5 digest (4.3). */
#define HIDE_BLOCK MD5_DIGEST_LENGTH
/* A hidden value starts with the 2-octet length of the original value. */
#define HIDDEN_LENGTH_FIELD 2

/*
 * What RFC 2661 section 4.4 says of each IETF attribute: the length of its
 * value in octets (min_len..max_len, the AVP Length less the 6-octet
 * header), whether it may be hidden, and the M bit a sender sets.
 * "string" means any length; "MUST NOT be hidden" is may_hide false.
 */
struct avp_rule {
	bool known;
	uint16_t min_len;
	uint16_t max_len;
	bool may_hide;
	bool mandatory;
};

#define ANY L2TP_AVP_MAX_VALUE

static const struct avp_rule avp_rules[L2TP_AVP_MAX + 1] = {
	/* 4.4.1: AVPs applicable to all control messages */
	[L2TP_AVP_MESSAGE_TYPE] = { true, 2, 2, false, true },
	[L2TP_AVP_RANDOM_VECTOR] = { true, 1, ANY, false, true },
	/* 4.4.2: result code, optional error code, optional message; 3 is refused below */
	[L2TP_AVP_RESULT_CODE] = { true, 2, ANY, false, true },
	/* 4.4.3: control connection management */
	[L2TP_AVP_PROTOCOL_VERSION] = { true, 2, 2, false, true },
	[L2TP_AVP_FRAMING_CAPABILITIES] = { true, 4, 4, true, true },
	[L2TP_AVP_BEARER_CAPABILITIES] = { true, 4, 4, true, true },
	[L2TP_AVP_TIE_BREAKER] = { true, 8, 8, false, false },
	[L2TP_AVP_FIRMWARE_REVISION] = { true, 2, 2, true, false },
	[L2TP_AVP_HOST_NAME] = { true, 1, ANY, false, true },
	[L2TP_AVP_VENDOR_NAME] = { true, 0, ANY, true, false },
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = { true, 2, 2, true, true },
	[L2TP_AVP_RECEIVE_WINDOW_SIZE] = { true, 2, 2, false, true },
	[L2TP_AVP_CHALLENGE] = { true, 1, ANY, true, true },
	[L2TP_AVP_CHALLENGE_RESPONSE] = { true, 16, 16, true, true },
	/* 4.4.4: call management; Q.931 is cause (2), message (1), advisory text */
	[L2TP_AVP_Q931_CAUSE_CODE] = { true, 3, ANY, false, true },
	[L2TP_AVP_ASSIGNED_SESSION_ID] = { true, 2, 2, true, true },
	[L2TP_AVP_CALL_SERIAL_NUMBER] = { true, 4, 4, true, true },
	[L2TP_AVP_MINIMUM_BPS] = { true, 4, 4, true, true },
	[L2TP_AVP_MAXIMUM_BPS] = { true, 4, 4, true, true },
	[L2TP_AVP_BEARER_TYPE] = { true, 4, 4, true, true },
	[L2TP_AVP_FRAMING_TYPE] = { true, 4, 4, true, true },
	[L2TP_AVP_CALLED_NUMBER] = { true, 0, ANY, true, true },
	[L2TP_AVP_CALLING_NUMBER] = { true, 0, ANY, true, true },
	[L2TP_AVP_SUB_ADDRESS] = { true, 0, ANY, true, true },
	[L2TP_AVP_TX_CONNECT_SPEED] = { true, 4, 4, true, true },
	[L2TP_AVP_RX_CONNECT_SPEED] = { true, 4, 4, true, false },
	[L2TP_AVP_PHYSICAL_CHANNEL_ID] = { true, 4, 4, true, false },
	[L2TP_AVP_PRIVATE_GROUP_ID] = { true, 0, ANY, true, false },
	[L2TP_AVP_SEQUENCING_REQUIRED] = { true, 0, 0, false, true },
	/* 4.4.5: proxy LCP and authentication; Proxy Authen ID is reserved (1), ID (1) */
	[L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ] = { true, 0, ANY, true, false },
	[L2TP_AVP_LAST_SENT_LCP_CONFREQ] = { true, 0, ANY, true, false },
	[L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ] = { true, 0, ANY, true, false },
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = { true, 2, 2, true, false },
	[L2TP_AVP_PROXY_AUTHEN_NAME] = { true, 0, ANY, true, false },
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = { true, 1, ANY, true, false },
	[L2TP_AVP_PROXY_AUTHEN_ID] = { true, 2, 2, true, false },
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = { true, 0, ANY, true, false },
	/* 4.4.6: call status; reserved (2) then six counters, or two ACCMs */
	[L2TP_AVP_CALL_ERRORS] = { true, 26, 26, true, true },
	[L2TP_AVP_ACCM] = { true, 10, 10, true, true },
};

#undef ANY

static const struct avp_rule *avp_rule(uint16_t type)
{
	if (type > L2TP_AVP_MAX || !avp_rules[type].known)
		return NULL;
	return &avp_rules[type];
}

bool avp_is_known(uint16_t type)
{
	return avp_rule(type) != NULL;
}

bool avp_value_len_ok(uint16_t type, size_t len)
{
	const struct avp_rule *rule = avp_rule(type);

	if (!rule || len < rule->min_len || len > rule->max_len)
		return false;
	/* 4.4.2: Length 8 (code only), 10 (with error code) or more (with a message) */
	if (type == L2TP_AVP_RESULT_CODE && len == 3)
		return false;
	return true;
}

bool avp_may_be_hidden(uint16_t type)
{
	const struct avp_rule *rule = avp_rule(type);

	return rule && rule->may_hide;
}

bool avp_is_mandatory_on_send(uint16_t type)
{
	const struct avp_rule *rule = avp_rule(type);

	return rule && rule->mandatory;
}

int avp_next(struct reader *r, struct l2tp_avp *avp)
{
	struct reader peek = *r, whole;
	uint16_t bits, len;

	memset(avp, 0, sizeof(*avp));
	if (reader_left(r) == 0)
		return 0;
	if (!reader_u16(&peek, &bits) || !reader_u16(&peek, &avp->vendor) ||
	    !reader_u16(&peek, &avp->type))
		return -EBADMSG;
	avp->mandatory = bits & AVP_FLAG_M;
	avp->hidden = bits & AVP_FLAG_H;
	len = bits & AVP_LENGTH_MASK;
	avp->reserved_bits = bits & AVP_RESERVED_BITS;
	if (len < L2TP_AVP_HEADER_LEN || len > reader_left(r))
		return -EBADMSG;

	/* The one place the message's cursor moves. */
	if (!reader_sub(r, len, &whole) || !reader_skip(&whole, L2TP_AVP_HEADER_LEN))
		return -EBADMSG;
	avp->len = (uint16_t)(len - L2TP_AVP_HEADER_LEN);
	if (!reader_bytes(&whole, avp->len, &avp->value))
		return -EBADMSG;
	return 1;
}

static bool hiding_is_usable(const struct avp_hiding *h)
{
	return h && h->secret && h->secret_len && h->random_vector && h->random_vector_len;
}

/* MD5(attribute type || secret || random vector): the first block's key (4.3). */
static void hide_first_digest(const struct avp_hiding *h, uint16_t type,
			      uint8_t digest[HIDE_BLOCK])
{
	uint8_t type_octets[2] = { (uint8_t)(type >> 8), (uint8_t)type };
	MD5_CTX ctx;

	MD5Init(&ctx);
	MD5Update(&ctx, type_octets, sizeof(type_octets));
	MD5Update(&ctx, h->secret, h->secret_len);
	MD5Update(&ctx, h->random_vector, h->random_vector_len);
	MD5Final(digest, &ctx);
}

/* MD5(secret || previous hidden block): each next block's key (4.3). */
static void hide_next_digest(const struct avp_hiding *h, const uint8_t prev[HIDE_BLOCK],
			     uint8_t digest[HIDE_BLOCK])
{
	MD5_CTX ctx;

	MD5Init(&ctx);
	MD5Update(&ctx, h->secret, h->secret_len);
	MD5Update(&ctx, prev, HIDE_BLOCK);
	MD5Final(digest, &ctx);
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * Recovers block after block into a 16-octet scratch block; the octets
 * past the embedded length field are copied to out only up to the value's
 * own length, so padding never lands in out.
 */
int avp_unhide(const struct avp_hiding *h, uint16_t type, const uint8_t *hidden, size_t len,
	       uint8_t *out, size_t *out_len)
{
	uint8_t digest[HIDE_BLOCK], plain[HIDE_BLOCK];
	size_t off, n, i, value_len = 0, pos;

	if (!hiding_is_usable(h))
		return -EINVAL;
	if (len < HIDDEN_LENGTH_FIELD)
		return -EBADMSG;
	hide_first_digest(h, type, digest);
	for (off = 0; off < len; off += n) {
		n = min_size(HIDE_BLOCK, len - off);
		for (i = 0; i < n; i++)
			plain[i] = hidden[off + i] ^ digest[i];
		if (off == 0) {
			value_len = (size_t)plain[0] << 8 | plain[1];
			if (value_len > len - HIDDEN_LENGTH_FIELD)
				return -EBADMSG;
		}
		for (i = off ? 0 : HIDDEN_LENGTH_FIELD; i < n; i++) {
			pos = off + i - HIDDEN_LENGTH_FIELD;
			if (pos < value_len)
				out[pos] = plain[i];
		}
		if (n == HIDE_BLOCK)
			hide_next_digest(h, hidden + off, digest);
	}
	*out_len = value_len;
	return 0;
}

/* Marks the writer failed for a reason other than space, so that a caller
 * checking writer_ok() once at the end still sees it. */
static bool writer_fail(struct writer *w)
{
	w->failed = true;
	return false;
}

static bool avp_write_header(struct writer *w, bool mandatory, bool hidden, uint16_t vendor,
			     uint16_t type, size_t value_len)
{
	uint16_t bits;

	if (value_len > L2TP_AVP_MAX_VALUE)
		return writer_fail(w);
	bits = (uint16_t)(L2TP_AVP_HEADER_LEN + value_len);
	if (mandatory)
		bits |= AVP_FLAG_M;
	if (hidden)
		bits |= AVP_FLAG_H;
	writer_u16(w, bits);
	writer_u16(w, vendor);
	return writer_u16(w, type);
}

bool avp_write(struct writer *w, bool mandatory, uint16_t vendor, uint16_t type, const void *value,
	       size_t len)
{
	if (len && !value)
		return writer_fail(w);
	if (!avp_write_header(w, mandatory, false, vendor, type, len))
		return false;
	return writer_bytes(w, value, len);
}

bool avp_write_u16(struct writer *w, bool mandatory, uint16_t type, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return avp_write(w, mandatory, L2TP_VENDOR_IETF, type, b, sizeof(b));
}

bool avp_write_u32(struct writer *w, bool mandatory, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return avp_write(w, mandatory, L2TP_VENDOR_IETF, type, b, sizeof(b));
}

/* The i-th octet of the hidden plaintext: the 2-octet length, then the value. */
static uint8_t hidden_plain_octet(const uint8_t *value, size_t len, size_t i)
{
	if (i == 0)
		return (uint8_t)(len >> 8);
	if (i == 1)
		return (uint8_t)len;
	return value[i - HIDDEN_LENGTH_FIELD];
}

bool avp_write_hidden(struct writer *w, const struct avp_hiding *h, bool mandatory,
		      uint16_t type, const void *value, size_t len)
{
	const uint8_t *v = value;
	uint8_t digest[HIDE_BLOCK], block[HIDE_BLOCK];
	size_t total = HIDDEN_LENGTH_FIELD + len, off, n, i;

	if (!hiding_is_usable(h) || (len && !value))
		return writer_fail(w);
	if (!avp_write_header(w, mandatory, true, L2TP_VENDOR_IETF, type, total))
		return false;
	hide_first_digest(h, type, digest);
	for (off = 0; off < total; off += n) {
		n = min_size(HIDE_BLOCK, total - off);
		for (i = 0; i < n; i++)
			block[i] = hidden_plain_octet(v, len, off + i) ^ digest[i];
		if (!writer_bytes(w, block, n))
			return false;
		if (n == HIDE_BLOCK)
			hide_next_digest(h, block, digest);
	}
	return true;
}
