/*
 * Tests of the AVP codec: the walker, the size/hiding/M-bit rules of
 * RFC 2661 section 4.4, writing, and hiding (section 4.3).
 */
#include <errno.h>
#include <string.h>

#include "avp.h"
#include "check_tap.h"
#include "protocol.h"

/*
 * Hidden values computed independently of avp.c, by
 * tests/vectors/hidden_avp.py (python3 hashlib); its output, pasted.
 */
/* short: type 9, secret 6 octets, random vector 16 octets, value 2 octets */
static const uint8_t hidden_short[4] = {
	0xbe, 0x6a, 0x1d, 0xed,
};
/* one_block: type 8, secret 28 octets, random vector 7 octets, value 14 octets */
static const uint8_t hidden_one_block[16] = {
	0x38, 0x30, 0x6d, 0x86, 0xbd, 0xe6, 0x2c, 0x8b, 0x8f, 0x9a, 0x2b, 0x44,
	0x26, 0x17, 0x26, 0xbe,
};
/* three_blocks: type 22, secret 1 octets, random vector 16 octets, value 40 octets */
static const uint8_t hidden_three_blocks[42] = {
	0xc3, 0x8b, 0xb8, 0xa3, 0xd6, 0xc0, 0xed, 0xdc, 0x76, 0x5e, 0xee, 0x97,
	0x23, 0xb0, 0xea, 0xe7, 0x46, 0x8c, 0x51, 0x90, 0xd1, 0xdc, 0x7b, 0xe3,
	0xed, 0x87, 0x60, 0xbf, 0xe7, 0x6b, 0x2d, 0x4d, 0xc1, 0x64, 0x63, 0xa4,
	0x25, 0x83, 0x0e, 0x09, 0xb5, 0xc2,
};
/* accm_rv7: type 35, secret 6 octets, random vector 7 octets, value 10 octets */
static const uint8_t hidden_accm_rv7[12] = {
	0xcd, 0x43, 0x1a, 0x79, 0x9b, 0x4d, 0x0a, 0xc3, 0xd9, 0xdb, 0xbe, 0x91,
};
/* padded: type 14, secret 6 octets, random vector 16 octets, value 2 octets, 4 octets of padding */
static const uint8_t hidden_padded[8] = {
	0x3b, 0x5b, 0xe2, 0x5d, 0x13, 0xdb, 0x9f, 0xe0,
};

/* The inputs of the script's cases. */
static const uint8_t rv16[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t rv16_high[16] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
				       0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff };
static const uint8_t rv7[7] = { 1, 2, 3, 4, 5, 6, 7 };
static const uint8_t accm_value[10] = { 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
					0x00, 0x00, 0x00, 0x0a };
#define S(str) (const uint8_t *)(str), sizeof(str) - 1

struct vector {
	const char *name;
	uint16_t type;
	struct avp_hiding h;
	const uint8_t *value;
	size_t value_len;
	const uint8_t *hidden;
	size_t hidden_len;
};

static const struct vector vectors[] = {
	{ "short", L2TP_AVP_ASSIGNED_TUNNEL_ID, { S("secret"), rv16, sizeof(rv16) },
	  (const uint8_t *)"\x00\x2a", 2, hidden_short, sizeof(hidden_short) },
	{ "one_block", L2TP_AVP_VENDOR_NAME,
	  { S("a much longer shared secret!"), rv7, sizeof(rv7) },
	  S("l2tpsrv-vendor"), hidden_one_block, sizeof(hidden_one_block) },
	{ "three_blocks", L2TP_AVP_CALLING_NUMBER, { S("k"), rv16_high, sizeof(rv16_high) },
	  S("0123456789012345678901234567890123456789"), hidden_three_blocks,
	  sizeof(hidden_three_blocks) },
	{ "accm_rv7", L2TP_AVP_ACCM, { S("secret"), rv7, sizeof(rv7) },
	  accm_value, sizeof(accm_value), hidden_accm_rv7, sizeof(hidden_accm_rv7) },
};

/* Assigned Tunnel ID 0x1234 (M), then Sequencing Required (M, H set, empty). */
static const uint8_t two_avps[] = { 0x80, 0x08, 0x00, 0x00, 0x00, 0x09, 0x12, 0x34,
				    0xc0, 0x06, 0x00, 0x00, 0x00, 0x27 };

START_TEST(walks_avps)
{
	struct reader r;
	struct l2tp_avp avp;

	reader_init(&r, two_avps, sizeof(two_avps));
	ck_assert_int_eq(avp_next(&r, &avp), 1);
	ck_assert(avp.mandatory && !avp.hidden);
	ck_assert_uint_eq(avp.vendor, 0);
	ck_assert_uint_eq(avp.type, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	ck_assert_uint_eq(avp.len, 2);
	ck_assert_ptr_eq(avp.value, two_avps + 6);
	ck_assert_uint_eq(reader_left(&r), 6);
	ck_assert_int_eq(avp_next(&r, &avp), 1);
	ck_assert(avp.mandatory && avp.hidden);
	ck_assert_uint_eq(avp.type, L2TP_AVP_SEQUENCING_REQUIRED);
	ck_assert_uint_eq(avp.len, 0);
	ck_assert_int_eq(avp_next(&r, &avp), 0);
	ck_assert_int_eq(avp_next(&r, &avp), 0);
}
END_TEST

START_TEST(reads_vendor_avps_and_the_longest_length)
{
	static uint8_t p[L2TP_AVP_MAX_LEN];
	struct reader r;
	struct l2tp_avp avp;

	memset(p, 0xee, sizeof(p));
	p[0] = 0x03; /* M and H clear, Length 1023 */
	p[1] = 0xff;
	p[2] = 0x01; /* vendor 311 */
	p[3] = 0x37;
	p[4] = 0x00;
	p[5] = 0x05;
	reader_init(&r, p, sizeof(p));
	ck_assert_int_eq(avp_next(&r, &avp), 1);
	ck_assert(!avp.mandatory && !avp.hidden);
	ck_assert_uint_eq(avp.vendor, 311);
	ck_assert_uint_eq(avp.type, 5);
	ck_assert_uint_eq(avp.len, L2TP_AVP_MAX_VALUE);
	ck_assert_int_eq(avp_next(&r, &avp), 0);
}
END_TEST

START_TEST(length_under_six_is_refused)
{
	uint8_t p[sizeof(two_avps)];
	struct reader r;
	struct l2tp_avp avp;

	for (uint8_t len = 0; len < 6; len++) {
		memcpy(p, two_avps, sizeof(p));
		p[1] = len;
		reader_init(&r, p, sizeof(p));
		ck_assert_int_eq(avp_next(&r, &avp), -EBADMSG);
		/* the header was there, so it is reported; the cursor stays */
		ck_assert_uint_eq(avp.type, L2TP_AVP_ASSIGNED_TUNNEL_ID);
		ck_assert_uint_eq(avp.vendor, 0);
		ck_assert_uint_eq(reader_left(&r), sizeof(p));
	}
}
END_TEST

START_TEST(length_past_the_message_is_refused)
{
	uint8_t p[sizeof(two_avps)];
	struct reader r;
	struct l2tp_avp avp;

	memcpy(p, two_avps, sizeof(p));
	p[1] = 9; /* one more than the 8 there are before the next AVP... */
	reader_init(&r, p, 8);
	ck_assert_int_eq(avp_next(&r, &avp), -EBADMSG);
	ck_assert_uint_eq(avp.type, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	p[1] = 15; /* ...and past the whole buffer */
	reader_init(&r, p, sizeof(p));
	ck_assert_int_eq(avp_next(&r, &avp), -EBADMSG);
	/* the largest Length with a short message */
	p[0] = 0x83;
	p[1] = 0xff;
	reader_init(&r, p, sizeof(p));
	ck_assert_int_eq(avp_next(&r, &avp), -EBADMSG);
}
END_TEST

START_TEST(truncated_avps_are_refused)
{
	struct reader r;
	struct l2tp_avp avp;

	/* every cut inside the first AVP fails; a cut at its end reads it */
	for (size_t n = 1; n < 8; n++) {
		reader_init(&r, two_avps, n);
		ck_assert_int_eq(avp_next(&r, &avp), -EBADMSG);
		ck_assert_uint_eq(reader_left(&r), n);
	}
	/* a cut inside the second AVP fails after the first reads */
	for (size_t n = 9; n < sizeof(two_avps); n++) {
		reader_init(&r, two_avps, n);
		ck_assert_int_eq(avp_next(&r, &avp), 1);
		ck_assert_int_eq(avp_next(&r, &avp), -EBADMSG);
	}
}
END_TEST

START_TEST(reserved_bits_are_reported)
{
	static const uint8_t bits[] = { 0x20, 0x10, 0x08, 0x04 };
	uint8_t p[sizeof(two_avps)];
	struct reader r;
	struct l2tp_avp avp;

	for (size_t i = 0; i < sizeof(bits); i++) {
		memcpy(p, two_avps, sizeof(p));
		p[0] |= bits[i];
		reader_init(&r, p, sizeof(p));
		ck_assert_int_eq(avp_next(&r, &avp), 1);
		ck_assert(avp.reserved_bits);
		ck_assert_uint_eq(avp.type, L2TP_AVP_ASSIGNED_TUNNEL_ID);
		ck_assert_int_eq(avp_next(&r, &avp), 1); /* and the walk goes on */
		ck_assert(!avp.reserved_bits);
	}
}
END_TEST

/* Fixed value sizes, from RFC 2661 section 4.4 (AVP Length less 6). */
static const struct {
	uint16_t type;
	size_t len;
} fixed_sizes[] = {
	{ L2TP_AVP_MESSAGE_TYPE, 2 },         { L2TP_AVP_PROTOCOL_VERSION, 2 },
	{ L2TP_AVP_FRAMING_CAPABILITIES, 4 }, { L2TP_AVP_BEARER_CAPABILITIES, 4 },
	{ L2TP_AVP_TIE_BREAKER, 8 },          { L2TP_AVP_FIRMWARE_REVISION, 2 },
	{ L2TP_AVP_ASSIGNED_TUNNEL_ID, 2 },   { L2TP_AVP_RECEIVE_WINDOW_SIZE, 2 },
	{ L2TP_AVP_CHALLENGE_RESPONSE, 16 },  { L2TP_AVP_ASSIGNED_SESSION_ID, 2 },
	{ L2TP_AVP_CALL_SERIAL_NUMBER, 4 },   { L2TP_AVP_MINIMUM_BPS, 4 },
	{ L2TP_AVP_MAXIMUM_BPS, 4 },          { L2TP_AVP_BEARER_TYPE, 4 },
	{ L2TP_AVP_FRAMING_TYPE, 4 },         { L2TP_AVP_TX_CONNECT_SPEED, 4 },
	{ L2TP_AVP_PHYSICAL_CHANNEL_ID, 4 },  { L2TP_AVP_PROXY_AUTHEN_TYPE, 2 },
	{ L2TP_AVP_PROXY_AUTHEN_ID, 2 },      { L2TP_AVP_CALL_ERRORS, 26 },
	{ L2TP_AVP_ACCM, 10 },                { L2TP_AVP_RX_CONNECT_SPEED, 4 },
	{ L2TP_AVP_SEQUENCING_REQUIRED, 0 },
};

START_TEST(fixed_sizes_are_exact)
{
	for (size_t i = 0; i < sizeof(fixed_sizes) / sizeof(fixed_sizes[0]); i++) {
		uint16_t t = fixed_sizes[i].type;
		size_t len = fixed_sizes[i].len;

		ck_assert_msg(avp_value_len_ok(t, len), "%s %zu", l2tp_avp_type_name(t), len);
		ck_assert_msg(!avp_value_len_ok(t, len + 1), "%s %zu", l2tp_avp_type_name(t),
			      len + 1);
		if (len)
			ck_assert_msg(!avp_value_len_ok(t, len - 1), "%s %zu",
				      l2tp_avp_type_name(t), len - 1);
	}
}
END_TEST

START_TEST(variable_sizes_have_their_minimum)
{
	static const uint16_t at_least_one[] = { L2TP_AVP_HOST_NAME, L2TP_AVP_CHALLENGE,
						 L2TP_AVP_RANDOM_VECTOR,
						 L2TP_AVP_PROXY_AUTHEN_CHALLENGE };
	static const uint16_t any_length[] = {
		L2TP_AVP_VENDOR_NAME, L2TP_AVP_CALLED_NUMBER, L2TP_AVP_CALLING_NUMBER,
		L2TP_AVP_SUB_ADDRESS, L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ,
		L2TP_AVP_LAST_SENT_LCP_CONFREQ, L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ,
		L2TP_AVP_PROXY_AUTHEN_NAME, L2TP_AVP_PROXY_AUTHEN_RESPONSE,
		L2TP_AVP_PRIVATE_GROUP_ID,
	};

	for (size_t i = 0; i < sizeof(at_least_one) / sizeof(at_least_one[0]); i++) {
		ck_assert(!avp_value_len_ok(at_least_one[i], 0));
		ck_assert(avp_value_len_ok(at_least_one[i], 1));
		ck_assert(avp_value_len_ok(at_least_one[i], L2TP_AVP_MAX_VALUE));
		ck_assert(!avp_value_len_ok(at_least_one[i], L2TP_AVP_MAX_VALUE + 1));
	}
	for (size_t i = 0; i < sizeof(any_length) / sizeof(any_length[0]); i++) {
		ck_assert(avp_value_len_ok(any_length[i], 0));
		ck_assert(avp_value_len_ok(any_length[i], 7));
		ck_assert(avp_value_len_ok(any_length[i], L2TP_AVP_MAX_VALUE));
	}
	/* Result Code: code, code + error code, code + error code + message */
	ck_assert(!avp_value_len_ok(L2TP_AVP_RESULT_CODE, 0));
	ck_assert(!avp_value_len_ok(L2TP_AVP_RESULT_CODE, 1));
	ck_assert(avp_value_len_ok(L2TP_AVP_RESULT_CODE, 2));
	ck_assert(!avp_value_len_ok(L2TP_AVP_RESULT_CODE, 3));
	ck_assert(avp_value_len_ok(L2TP_AVP_RESULT_CODE, 4));
	ck_assert(avp_value_len_ok(L2TP_AVP_RESULT_CODE, 5));
	/* Q.931: cause code, cause message, optional advisory */
	ck_assert(!avp_value_len_ok(L2TP_AVP_Q931_CAUSE_CODE, 2));
	ck_assert(avp_value_len_ok(L2TP_AVP_Q931_CAUSE_CODE, 3));
	ck_assert(avp_value_len_ok(L2TP_AVP_Q931_CAUSE_CODE, 30));
}
END_TEST

START_TEST(unknown_types_have_no_rules)
{
	static const uint16_t unknown[] = { 20, 40, 41, 63, 64, 1000, 0xffff };

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ck_assert(!avp_is_known(unknown[i]));
		ck_assert(!avp_value_len_ok(unknown[i], 0));
		ck_assert(!avp_value_len_ok(unknown[i], 4));
		ck_assert(!avp_may_be_hidden(unknown[i]));
		ck_assert(!avp_is_mandatory_on_send(unknown[i]));
	}
	for (uint16_t t = 0; t <= L2TP_AVP_MAX; t++)
		ck_assert_msg(avp_is_known(t) == (t != 20), "type %u", t);
}
END_TEST

static bool type_in(uint16_t t, const uint16_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == t)
			return true;
	return false;
}

START_TEST(hiding_follows_the_rfc)
{
	/* Each of these says "MUST NOT be hidden" in section 4.4; all others may be. */
	static const uint16_t never[] = {
		L2TP_AVP_MESSAGE_TYPE,     L2TP_AVP_RESULT_CODE,      L2TP_AVP_PROTOCOL_VERSION,
		L2TP_AVP_TIE_BREAKER,      L2TP_AVP_HOST_NAME,        L2TP_AVP_RECEIVE_WINDOW_SIZE,
		L2TP_AVP_Q931_CAUSE_CODE,  L2TP_AVP_RANDOM_VECTOR,    L2TP_AVP_SEQUENCING_REQUIRED,
	};

	for (uint16_t t = 0; t <= L2TP_AVP_MAX; t++) {
		if (t == 20)
			continue;
		ck_assert_msg(avp_may_be_hidden(t) == !type_in(t, never, sizeof(never) / sizeof(never[0])),
			      "%s", l2tp_avp_type_name(t));
	}
}
END_TEST

START_TEST(m_bits_follow_the_rfc)
{
	/* Each of these says "The M bit ... MUST be set to 0"; all others 1. */
	static const uint16_t clear[] = {
		L2TP_AVP_TIE_BREAKER,
		L2TP_AVP_FIRMWARE_REVISION,
		L2TP_AVP_VENDOR_NAME,
		L2TP_AVP_PHYSICAL_CHANNEL_ID,
		L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ,
		L2TP_AVP_LAST_SENT_LCP_CONFREQ,
		L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ,
		L2TP_AVP_PROXY_AUTHEN_TYPE,
		L2TP_AVP_PROXY_AUTHEN_NAME,
		L2TP_AVP_PROXY_AUTHEN_CHALLENGE,
		L2TP_AVP_PROXY_AUTHEN_ID,
		L2TP_AVP_PROXY_AUTHEN_RESPONSE,
		L2TP_AVP_PRIVATE_GROUP_ID,
		L2TP_AVP_RX_CONNECT_SPEED,
	};

	for (uint16_t t = 0; t <= L2TP_AVP_MAX; t++) {
		if (t == 20)
			continue;
		ck_assert_msg(avp_is_mandatory_on_send(t) == !type_in(t, clear, sizeof(clear) / sizeof(clear[0])),
			      "%s", l2tp_avp_type_name(t));
	}
}
END_TEST

START_TEST(writes_avps)
{
	uint8_t buf[64];
	struct writer w;
	static const uint8_t expect[] = {
		0x80, 0x08, 0x00, 0x00, 0x00, 0x09, 0x12, 0x34,             /* u16, M */
		0x00, 0x0a, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01, 0xc2, 0x00, /* u32 */
		0x80, 0x09, 0x01, 0x37, 0x00, 0x02, 'a',  'b',  'c',        /* vendor */
		0x00, 0x06, 0x00, 0x00, 0x00, 0x27,                         /* empty */
	};

	writer_init(&w, buf, sizeof(buf));
	ck_assert(avp_write_u16(&w, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x1234));
	ck_assert(avp_write_u32(&w, false, L2TP_AVP_TX_CONNECT_SPEED, 115200));
	ck_assert(avp_write(&w, true, 311, 2, "abc", 3));
	ck_assert(avp_write(&w, false, 0, L2TP_AVP_SEQUENCING_REQUIRED, NULL, 0));
	ck_assert_uint_eq(writer_len(&w), sizeof(expect));
	ck_assert_mem_eq(buf, expect, sizeof(expect));
}
END_TEST

START_TEST(writing_checks_sizes)
{
	static uint8_t big[L2TP_AVP_MAX_VALUE + 1];
	static uint8_t buf[2 * L2TP_AVP_MAX_LEN];
	struct writer w;
	struct reader r;
	struct l2tp_avp avp;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(avp_write(&w, false, 0, L2TP_AVP_VENDOR_NAME, big, L2TP_AVP_MAX_VALUE));
	ck_assert_uint_eq(writer_len(&w), L2TP_AVP_MAX_LEN);
	reader_init(&r, buf, writer_len(&w));
	ck_assert_int_eq(avp_next(&r, &avp), 1);
	ck_assert_uint_eq(avp.len, L2TP_AVP_MAX_VALUE);
	/* one octet more does not fit the 10-bit Length; the writer stays failed */
	ck_assert(!avp_write(&w, false, 0, L2TP_AVP_VENDOR_NAME, big, sizeof(big)));
	ck_assert(!writer_ok(&w));
	/* a full writer fails */
	writer_init(&w, buf, 7);
	ck_assert(!avp_write_u16(&w, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 1));
	ck_assert(!writer_ok(&w));
	/* a value pointer is needed for a non-empty value */
	writer_init(&w, buf, sizeof(buf));
	ck_assert(!avp_write(&w, false, 0, L2TP_AVP_VENDOR_NAME, NULL, 3));
	ck_assert(!writer_ok(&w));
}
END_TEST

/* Writes v hidden and checks the AVP against the script's octets. */
static void check_hides_as_script(const struct vector *v)
{
	uint8_t buf[128];
	struct writer w;
	struct reader r;
	struct l2tp_avp avp;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(avp_write_hidden(&w, &v->h, true, v->type, v->value, v->value_len));
	ck_assert_uint_eq(writer_len(&w), L2TP_AVP_HEADER_LEN + v->hidden_len);
	reader_init(&r, buf, writer_len(&w));
	ck_assert_int_eq(avp_next(&r, &avp), 1);
	ck_assert(avp.mandatory && avp.hidden);
	ck_assert_uint_eq(avp.type, v->type);
	ck_assert_uint_eq(avp.len, v->hidden_len);
	ck_assert_msg(memcmp(avp.value, v->hidden, v->hidden_len) == 0, "%s", v->name);
}

START_TEST(hides_as_the_script_does)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		check_hides_as_script(&vectors[i]);
}
END_TEST

START_TEST(unhides_the_script_vectors)
{
	uint8_t out[64];
	size_t out_len;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];

		ck_assert_int_eq(avp_unhide(&v->h, v->type, v->hidden, v->hidden_len, out,
					    &out_len), 0);
		ck_assert_uint_eq(out_len, v->value_len);
		ck_assert_msg(memcmp(out, v->value, v->value_len) == 0, "%s", v->name);
	}
}
END_TEST

START_TEST(unhiding_drops_padding)
{
	const struct avp_hiding h = { S("secret"), rv16, sizeof(rv16) };
	uint8_t out[sizeof(hidden_padded)];
	size_t out_len;

	memset(out, 0, sizeof(out));
	ck_assert_int_eq(avp_unhide(&h, L2TP_AVP_ASSIGNED_SESSION_ID, hidden_padded,
				    sizeof(hidden_padded), out, &out_len), 0);
	ck_assert_uint_eq(out_len, 2);
	ck_assert_uint_eq(out[0], 0x01);
	ck_assert_uint_eq(out[1], 0x02);
	/* the padding was not copied out */
	ck_assert_uint_eq(out[2], 0);
}
END_TEST

/* With the wrong key material, unhiding fails or yields another value. */
static void check_does_not_recover(const struct vector *v, const struct avp_hiding *h,
				   uint16_t type)
{
	uint8_t out[64];
	size_t out_len = 0;
	int rc = avp_unhide(h, type, v->hidden, v->hidden_len, out, &out_len);

	if (rc == 0)
		ck_assert(out_len != v->value_len || memcmp(out, v->value, out_len) != 0);
	else
		ck_assert_int_eq(rc, -EBADMSG);
}

START_TEST(wrong_keys_do_not_recover_the_value)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		struct avp_hiding h = v->h;

		h.secret = (const uint8_t *)"wrong";
		h.secret_len = 5;
		check_does_not_recover(v, &h, v->type);
		h = v->h;
		h.random_vector = rv16_high;
		h.random_vector_len = 7;
		check_does_not_recover(v, &h, v->type);
		/* the attribute type is part of the first key */
		check_does_not_recover(v, &v->h, (uint16_t)(v->type + 1));
	}
	/* the short case is known to fail on its embedded length */
	{
		const struct avp_hiding h = { S("secreT"), rv16, sizeof(rv16) };
		uint8_t out[4];
		size_t out_len;

		ck_assert_int_eq(avp_unhide(&h, L2TP_AVP_ASSIGNED_TUNNEL_ID, hidden_short,
					    sizeof(hidden_short), out, &out_len), -EBADMSG);
	}
}
END_TEST

START_TEST(unhiding_needs_keys_and_a_length)
{
	const struct vector *v = &vectors[1];
	struct avp_hiding h = v->h;
	uint8_t out[64];
	size_t out_len;

	ck_assert_int_eq(avp_unhide(NULL, v->type, v->hidden, v->hidden_len, out, &out_len),
			 -EINVAL);
	h.secret = NULL;
	ck_assert_int_eq(avp_unhide(&h, v->type, v->hidden, v->hidden_len, out, &out_len),
			 -EINVAL);
	h = v->h;
	h.secret_len = 0;
	ck_assert_int_eq(avp_unhide(&h, v->type, v->hidden, v->hidden_len, out, &out_len),
			 -EINVAL);
	h = v->h;
	h.random_vector = NULL;
	ck_assert_int_eq(avp_unhide(&h, v->type, v->hidden, v->hidden_len, out, &out_len),
			 -EINVAL);
	/* fewer than the 2 octets of the embedded length */
	ck_assert_int_eq(avp_unhide(&v->h, v->type, v->hidden, 1, out, &out_len), -EBADMSG);
	ck_assert_int_eq(avp_unhide(&v->h, v->type, v->hidden, 0, out, &out_len), -EBADMSG);
	/* the embedded length (14) does not fit a cut hidden value */
	ck_assert_int_eq(avp_unhide(&v->h, v->type, v->hidden, 15, out, &out_len), -EBADMSG);
	ck_assert_int_eq(avp_unhide(&v->h, v->type, v->hidden, 8, out, &out_len), -EBADMSG);
}
END_TEST

START_TEST(hiding_round_trips_every_length)
{
	static uint8_t value[L2TP_AVP_MAX_VALUE], out[L2TP_AVP_MAX_VALUE];
	static uint8_t buf[L2TP_AVP_MAX_LEN];
	const struct avp_hiding h = { S("round trip"), rv7, sizeof(rv7) };
	const size_t max = L2TP_AVP_MAX_VALUE - 2;
	struct writer w;
	struct reader r;
	struct l2tp_avp avp;
	size_t out_len;

	for (size_t i = 0; i < sizeof(value); i++)
		value[i] = (uint8_t)(i * 7 + 3);
	for (size_t len = 0; len <= max; len += (len < 80 ? 1 : 61)) {
		writer_init(&w, buf, sizeof(buf));
		ck_assert(avp_write_hidden(&w, &h, false, L2TP_AVP_PROXY_AUTHEN_NAME, value, len));
		reader_init(&r, buf, writer_len(&w));
		ck_assert_int_eq(avp_next(&r, &avp), 1);
		ck_assert(avp.hidden && !avp.mandatory);
		ck_assert_uint_eq(avp.len, len + 2);
		ck_assert_int_eq(avp_unhide(&h, avp.type, avp.value, avp.len, out, &out_len), 0);
		ck_assert_uint_eq(out_len, len);
		ck_assert(len == 0 || memcmp(out, value, len) == 0);
	}
	writer_init(&w, buf, sizeof(buf));
	ck_assert(avp_write_hidden(&w, &h, false, L2TP_AVP_PROXY_AUTHEN_NAME, value, max));
	ck_assert_uint_eq(writer_len(&w), L2TP_AVP_MAX_LEN);
}
END_TEST

START_TEST(hidden_writing_checks_its_input)
{
	static uint8_t value[L2TP_AVP_MAX_VALUE];
	static uint8_t buf[2 * L2TP_AVP_MAX_LEN];
	const struct avp_hiding h = { S("secret"), rv16, sizeof(rv16) };
	struct avp_hiding no_rv = h;
	struct writer w;

	/* the embedded length makes 1016 octets too many */
	writer_init(&w, buf, sizeof(buf));
	ck_assert(!avp_write_hidden(&w, &h, true, L2TP_AVP_CALLED_NUMBER, value,
				    L2TP_AVP_MAX_VALUE - 1));
	ck_assert(!writer_ok(&w));
	writer_init(&w, buf, sizeof(buf));
	ck_assert(!avp_write_hidden(&w, NULL, true, L2TP_AVP_CALLED_NUMBER, value, 4));
	ck_assert(!writer_ok(&w));
	no_rv.random_vector_len = 0;
	writer_init(&w, buf, sizeof(buf));
	ck_assert(!avp_write_hidden(&w, &no_rv, true, L2TP_AVP_CALLED_NUMBER, value, 4));
	ck_assert(!writer_ok(&w));
	/* a full writer */
	writer_init(&w, buf, 10);
	ck_assert(!avp_write_hidden(&w, &h, true, L2TP_AVP_CALLED_NUMBER, value, 4));
	ck_assert(!writer_ok(&w));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("avp");
	TCase *tc = tcase_create("avp");

	tcase_add_test(tc, walks_avps);
	tcase_add_test(tc, reads_vendor_avps_and_the_longest_length);
	tcase_add_test(tc, length_under_six_is_refused);
	tcase_add_test(tc, length_past_the_message_is_refused);
	tcase_add_test(tc, truncated_avps_are_refused);
	tcase_add_test(tc, reserved_bits_are_reported);
	tcase_add_test(tc, fixed_sizes_are_exact);
	tcase_add_test(tc, variable_sizes_have_their_minimum);
	tcase_add_test(tc, unknown_types_have_no_rules);
	tcase_add_test(tc, hiding_follows_the_rfc);
	tcase_add_test(tc, m_bits_follow_the_rfc);
	tcase_add_test(tc, writes_avps);
	tcase_add_test(tc, writing_checks_sizes);
	tcase_add_test(tc, hides_as_the_script_does);
	tcase_add_test(tc, unhides_the_script_vectors);
	tcase_add_test(tc, unhiding_drops_padding);
	tcase_add_test(tc, wrong_keys_do_not_recover_the_value);
	tcase_add_test(tc, unhiding_needs_keys_and_a_length);
	tcase_add_test(tc, hiding_round_trips_every_length);
	tcase_add_test(tc, hidden_writing_checks_its_input);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
