/*
 * Tests of the capacity-checked packet writer.
 */
#include "check_tap.h"
#include "reader.h"
#include "writer.h"

#include <string.h>

START_TEST(writes_in_network_order)
{
	static const uint8_t want[] = { 0xc8, 0x02, 0x00, 0x14, 0x12, 0x34,
					0x56, 0x78, 0x01, 0x02, 0x03, 0x04,
					0x05, 0x06, 0x07, 0x08, 'a', 'b' };
	uint8_t buf[sizeof(want)];
	struct writer w;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(writer_u8(&w, 0xc8));
	ck_assert(writer_u8(&w, 0x02));
	ck_assert(writer_u16(&w, 0x0014));
	ck_assert(writer_u32(&w, 0x12345678));
	ck_assert(writer_u64(&w, 0x0102030405060708ULL));
	ck_assert(writer_bytes(&w, "ab", 2));
	ck_assert(writer_ok(&w));
	ck_assert_uint_eq(writer_len(&w), sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

START_TEST(overflow_fails_and_sticks)
{
	uint8_t buf[8];
	struct writer w;

	memset(buf, 0xee, sizeof(buf));
	writer_init(&w, buf, 5);
	ck_assert(writer_u32(&w, 0x01020304));
	ck_assert(!writer_u16(&w, 0xaaaa));
	ck_assert(!writer_ok(&w));
	/* Once failed, even a write that would fit is refused. */
	ck_assert(!writer_u8(&w, 0xbb));
	ck_assert_uint_eq(writer_len(&w), 4);
	/* Nothing was written past the capacity. */
	ck_assert_uint_eq(buf[4], 0xee);
	ck_assert_uint_eq(buf[5], 0xee);
}
END_TEST

START_TEST(huge_write_does_not_wrap)
{
	uint8_t buf[8];
	struct writer w;
	size_t off;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(writer_u8(&w, 1));
	ck_assert(!writer_reserve(&w, SIZE_MAX, &off));
	ck_assert(!writer_ok(&w));
}
END_TEST

START_TEST(reserve_then_fill_length)
{
	uint8_t buf[16];
	struct writer w;
	struct reader r;
	size_t off;
	uint16_t len, v;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(writer_reserve(&w, 2, &off));
	ck_assert(writer_u16(&w, 0xbeef));
	ck_assert(writer_put_u16_at(&w, off, (uint16_t)writer_len(&w)));
	/* A put that reaches past what was written is refused. */
	ck_assert(!writer_put_u16_at(&w, 3, 0));
	ck_assert(!writer_put_u16_at(&w, SIZE_MAX, 0));

	reader_init(&r, buf, writer_len(&w));
	ck_assert(reader_u16(&r, &len));
	ck_assert_uint_eq(len, 4);
	ck_assert(reader_u16(&r, &v));
	ck_assert_uint_eq(v, 0xbeef);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, writes_in_network_order);
	tcase_add_test(tc, overflow_fails_and_sticks);
	tcase_add_test(tc, huge_write_does_not_wrap);
	tcase_add_test(tc, reserve_then_fill_length);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
