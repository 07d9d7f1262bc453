/*
 * Tests of the L2TP header codec.
 */
#include <errno.h>
#include <string.h>

#include "check_tap.h"
#include "header.h"
#include "protocol.h"

/* A ZLB from RFC 2661's layout: T L S, version 2, length 12, tid 0x1234,
 * sid 0, Ns 3, Nr 7. */
static const uint8_t zlb[] = { 0xc8, 0x02, 0x00, 0x0c, 0x12, 0x34, 0x00, 0x00,
			       0x00, 0x03, 0x00, 0x07 };

START_TEST(parses_a_control_header)
{
	struct l2tp_header h;

	ck_assert_int_eq(l2tp_header_parse(zlb, sizeof(zlb), &h), 0);
	ck_assert(h.control && h.has_length && h.has_sequence);
	ck_assert(!h.has_offset && !h.priority);
	ck_assert_uint_eq(h.version, 2);
	ck_assert_uint_eq(h.length, 12);
	ck_assert_uint_eq(h.tunnel_id, 0x1234);
	ck_assert_uint_eq(h.session_id, 0);
	ck_assert_uint_eq(h.ns, 3);
	ck_assert_uint_eq(h.nr, 7);
	ck_assert_uint_eq(h.payload_offset, 12);
}
END_TEST

START_TEST(builds_what_it_parses)
{
	uint8_t buf[64];
	struct writer w;
	struct l2tp_header h;
	size_t off;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(l2tp_control_header_write(&w, 0xbeef, 0x0102, 65535, 1, &off));
	ck_assert(writer_bytes(&w, "\x80\x08\x00\x00\x00\x00\x00\x06", 8));
	ck_assert(l2tp_header_finish(&w, off));
	ck_assert_uint_eq(writer_len(&w), 20);
	ck_assert_int_eq(l2tp_header_parse(buf, writer_len(&w), &h), 0);
	ck_assert_uint_eq(h.length, 20);
	ck_assert_uint_eq(h.tunnel_id, 0xbeef);
	ck_assert_uint_eq(h.session_id, 0x0102);
	ck_assert_uint_eq(h.ns, 65535);
	ck_assert_uint_eq(h.nr, 1);
	ck_assert_uint_eq(h.payload_offset, 12);
}
END_TEST

START_TEST(a_full_writer_fails_the_header)
{
	uint8_t buf[8];
	struct writer w;
	size_t off;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(!l2tp_control_header_write(&w, 1, 2, 3, 4, &off));
	ck_assert(!l2tp_header_finish(&w, 0));
}
END_TEST

START_TEST(other_versions_are_not_supported)
{
	uint8_t v3[sizeof(zlb)], v1[sizeof(zlb)];
	struct l2tp_header h;

	memcpy(v3, zlb, sizeof(zlb));
	v3[1] = 0x03;
	ck_assert_int_eq(l2tp_header_parse(v3, sizeof(v3), &h), -EPROTONOSUPPORT);
	ck_assert_uint_eq(h.version, 3);
	memcpy(v1, zlb, sizeof(zlb));
	v1[1] = 0x01;
	ck_assert_int_eq(l2tp_header_parse(v1, sizeof(v1), &h), -EPROTONOSUPPORT);
}
END_TEST

START_TEST(control_bits_are_enforced)
{
	uint8_t p[sizeof(zlb)];
	struct l2tp_header h;
	static const uint8_t bad_flags[] = { 0x88, 0xc0, 0xca, 0xc9 }; /* no L, no S, O, P */

	for (size_t i = 0; i < sizeof(bad_flags); i++) {
		memcpy(p, zlb, sizeof(zlb));
		p[0] = bad_flags[i];
		ck_assert_int_eq(l2tp_header_parse(p, sizeof(p), &h), -EBADMSG);
	}
}
END_TEST

START_TEST(lengths_are_checked)
{
	uint8_t p[sizeof(zlb) + 4];
	struct l2tp_header h;

	/* every truncation fails */
	for (size_t n = 0; n < sizeof(zlb); n++)
		ck_assert_int_eq(l2tp_header_parse(zlb, n, &h), -EBADMSG);
	/* Length beyond the datagram */
	memcpy(p, zlb, sizeof(zlb));
	p[3] = 13;
	ck_assert_int_eq(l2tp_header_parse(p, sizeof(zlb), &h), -EBADMSG);
	/* Length shorter than the header */
	p[3] = 8;
	ck_assert_int_eq(l2tp_header_parse(p, sizeof(zlb), &h), -EBADMSG);
	/* trailing octets after Length are ignored */
	p[3] = 12;
	ck_assert_int_eq(l2tp_header_parse(p, sizeof(p), &h), 0);
	ck_assert_uint_eq(h.length, 12);
}
END_TEST

START_TEST(data_headers_with_offset)
{
	/* data: L and O set, no S; offset size 2 then 2 pad octets, then payload */
	static const uint8_t d[] = { 0x42, 0x02, 0x00, 0x0e, 0x00, 0x05, 0x00, 0x06,
				     0x00, 0x02, 0xaa, 0xbb, 0xff, 0x03 };
	struct l2tp_header h;

	ck_assert_int_eq(l2tp_header_parse(d, sizeof(d), &h), 0);
	ck_assert(!h.control && h.has_offset && !h.has_sequence);
	ck_assert_uint_eq(h.tunnel_id, 5);
	ck_assert_uint_eq(h.session_id, 6);
	ck_assert_uint_eq(h.payload_offset, 12);
	/* an offset past the end fails */
	ck_assert_int_eq(l2tp_header_parse(d, 11, &h), -EBADMSG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("header");
	TCase *tc = tcase_create("header");

	tcase_add_test(tc, parses_a_control_header);
	tcase_add_test(tc, builds_what_it_parses);
	tcase_add_test(tc, a_full_writer_fails_the_header);
	tcase_add_test(tc, other_versions_are_not_supported);
	tcase_add_test(tc, control_bits_are_enforced);
	tcase_add_test(tc, lengths_are_checked);
	tcase_add_test(tc, data_headers_with_offset);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
