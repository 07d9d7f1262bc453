/*
 * Tests of the bounds-checked packet reader.
 */
#include "check_tap.h"
#include "reader.h"

static const uint8_t pkt[] = { 0xc8, 0x02, 0x00, 0x14, 0x12, 0x34, 0x56, 0x78,
			       0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

START_TEST(reads_in_network_order)
{
	struct reader r;
	uint8_t b;
	uint16_t w;
	uint32_t d;
	uint64_t q;

	reader_init(&r, pkt, sizeof(pkt));
	ck_assert(reader_u8(&r, &b));
	ck_assert_uint_eq(b, 0xc8);
	ck_assert(reader_u8(&r, &b));
	ck_assert_uint_eq(b, 0x02);
	ck_assert(reader_u16(&r, &w));
	ck_assert_uint_eq(w, 0x0014);
	ck_assert(reader_u32(&r, &d));
	ck_assert_uint_eq(d, 0x12345678);
	ck_assert(reader_u64(&r, &q));
	ck_assert(q == 0x0102030405060708ULL);
	ck_assert_uint_eq(reader_left(&r), 0);
}
END_TEST

START_TEST(short_reads_fail_and_leave_the_cursor)
{
	struct reader r;
	uint16_t w;
	uint32_t d;
	uint64_t q;
	uint8_t b;

	reader_init(&r, pkt, 3);
	ck_assert(!reader_u32(&r, &d));
	ck_assert_uint_eq(reader_left(&r), 3);
	ck_assert(reader_u16(&r, &w));
	ck_assert(!reader_u16(&r, &w));
	ck_assert_uint_eq(reader_left(&r), 1);
	ck_assert(reader_u8(&r, &b));
	ck_assert(!reader_u8(&r, &b));

	/* A u64 that fails half way must not move the cursor either. */
	reader_init(&r, pkt, 7);
	ck_assert(!reader_u64(&r, &q));
	ck_assert_uint_eq(reader_left(&r), 7);
}
END_TEST

START_TEST(sub_reader_is_bounded)
{
	struct reader r, sub;
	uint32_t d;
	uint8_t b;

	reader_init(&r, pkt, sizeof(pkt));
	ck_assert(reader_skip(&r, 4));
	ck_assert(reader_sub(&r, 2, &sub));
	ck_assert_uint_eq(reader_left(&r), sizeof(pkt) - 6);
	ck_assert(!reader_u32(&sub, &d));
	ck_assert(reader_u8(&sub, &b));
	ck_assert_uint_eq(b, 0x12);
	ck_assert(reader_u8(&sub, &b));
	ck_assert_uint_eq(b, 0x34);
	ck_assert(!reader_u8(&sub, &b));
	/* The parent goes on after the carved part. */
	ck_assert(reader_u8(&r, &b));
	ck_assert_uint_eq(b, 0x56);
	ck_assert(!reader_sub(&r, sizeof(pkt), &sub));
}
END_TEST

START_TEST(huge_lengths_do_not_wrap)
{
	struct reader r;
	const uint8_t *p = NULL;
	uint8_t out[4];

	reader_init(&r, pkt, sizeof(pkt));
	ck_assert(!reader_bytes(&r, SIZE_MAX, &p));
	ck_assert(p == NULL);
	ck_assert(!reader_skip(&r, SIZE_MAX - 1));
	ck_assert(!reader_copy(&r, out, sizeof(pkt) + 1));
	ck_assert_uint_eq(reader_left(&r), sizeof(pkt));
	ck_assert(reader_copy(&r, out, sizeof(out)));
	ck_assert_mem_eq(out, pkt, sizeof(out));
}
END_TEST

START_TEST(null_buffer_is_empty)
{
	struct reader r;
	uint8_t b;

	reader_init(&r, NULL, 100);
	ck_assert_uint_eq(reader_left(&r), 0);
	ck_assert(!reader_u8(&r, &b));
	ck_assert(reader_skip(&r, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, reads_in_network_order);
	tcase_add_test(tc, short_reads_fail_and_leave_the_cursor);
	tcase_add_test(tc, sub_reader_is_bounded);
	tcase_add_test(tc, huge_lengths_do_not_wrap);
	tcase_add_test(tc, null_buffer_is_empty);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
