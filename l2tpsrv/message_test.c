/*
 * Tests of the control message codec: RFC 2661 section 6's tables, round
 * trips of every attribute and message in clear and hidden, encoding, and
 * decoding fields from their places. What decoding refuses, skips or
 * ignores is tested in message_decode_test.c; the values and helpers both
 * share are in message_fixture.c.
 */
#include "check_tap.h"
#include "message_fixture.h"
#include "writer.h"

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
	tcase_add_test(tc, encoding_fails_cleanly);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
