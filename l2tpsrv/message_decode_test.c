/*
 * Tests of what the control message decoder refuses, skips or ignores:
 * sizes, truncation, AVP lengths and reserved bits, unknown attributes and
 * message types, attributes out of place or repeated, hiding without its
 * secret or vector, and missing mandatory attributes (RFC 2661 4.1, 4.3,
 * section 6). The codec's tables, round trips and encoding are tested in
 * message_test.c; the values and helpers both share are in
 * message_fixture.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "message_fixture.h"
#include "writer.h"

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

int main(void)
{
	Suite *s = suite_create("message decode");
	TCase *tc = tcase_create("decode");

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
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
