/*
 * Tests of the charon_proto record builder (l2tpsrv_msg.c), without charon.
 */
#include "l2tpsrv_msg.h"
#include "../l2tpsrv/check_tap.h"

#include <stdint.h>
#include <string.h>

/* a record with a canary right behind it, to catch any overrun */
struct guarded {
	l2tpsrv_msg_t msg;
	unsigned char canary[64];
};

static void guard(struct guarded *g)
{
	memset(g, 0xa5, sizeof(*g));
}

static void check_guard(const struct guarded *g)
{
	size_t i;

	for (i = 0; i < sizeof(g->canary); i++)
	{
		ck_assert_uint_eq(g->canary[i], 0xa5);
	}
	ck_assert_uint_le(g->msg.len, CHARON_MSG_MAX);
	ck_assert_uint_eq(strlen(g->msg.data), g->msg.len);
}

START_TEST(test_plain)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "child-up"));
	ck_assert(l2tpsrv_msg_add_uint(&msg, "ike", 5));
	ck_assert(l2tpsrv_msg_add(&msg, "spi-in", "c1a2b3d4"));
	ck_assert(l2tpsrv_msg_add(&msg, "mark-in", "0/0"));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
					 "child-up ike=5 spi-in=c1a2b3d4 mark-in=0/0");
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), strlen(l2tpsrv_msg_data(&msg)));
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&msg), 0);
}
END_TEST

START_TEST(test_event_only)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "sync-begin"));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg), "sync-begin");
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 10);
}
END_TEST

START_TEST(test_encode_space_percent_equals)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "ike-up"));
	ck_assert(l2tpsrv_msg_add(&msg, "remote-id",
							  "C=CH, O=strongSwan, CN=100% peer"));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
		"ike-up remote-id=C=CH,%20O=strongSwan,%20CN=100%25%20peer");
}
END_TEST

START_TEST(test_encode_bytes)
{
	l2tpsrv_msg_t msg;
	const char value[] = { 'a', '\0', '\t', '\n', 0x7f, (char)0xc3,
						   (char)0xa9, (char)0xff, '!', '~' };

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(l2tpsrv_msg_add_mem(&msg, "v", value, sizeof(value)));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
					 "x v=a%00%09%0A%7F%C3%A9%FF!~");
}
END_TEST

START_TEST(test_empty_value)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(l2tpsrv_msg_add(&msg, "a", ""));
	ck_assert(l2tpsrv_msg_add(&msg, "b", NULL));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg), "x a= b=");
}
END_TEST

START_TEST(test_uint)
{
	l2tpsrv_msg_t msg;

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(l2tpsrv_msg_add_uint(&msg, "a", 0));
	ck_assert(l2tpsrv_msg_add_uint(&msg, "b", UINT64_MAX));
	ck_assert_str_eq(l2tpsrv_msg_data(&msg),
					 "x a=0 b=18446744073709551615");
}
END_TEST

START_TEST(test_bad_tokens)
{
	l2tpsrv_msg_t msg;
	char longkey[66];

	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';

	ck_assert(l2tpsrv_msg_init(&msg, "x"));
	ck_assert(!l2tpsrv_msg_add(&msg, "a=b", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "a b", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "a%", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, NULL, "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, "\xc3\xa9", "1"));
	ck_assert(!l2tpsrv_msg_add(&msg, longkey, "1"));
	longkey[64] = '\0';
	ck_assert(l2tpsrv_msg_add(&msg, longkey, "1"));
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&msg), 7);
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 1 + 1 + 64 + 2);
}
END_TEST

START_TEST(test_bad_event)
{
	l2tpsrv_msg_t msg;

	ck_assert(!l2tpsrv_msg_init(&msg, "ike up"));
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 0);
	ck_assert(!l2tpsrv_msg_add(&msg, "a", "1"));
	ck_assert_uint_eq(l2tpsrv_msg_len(&msg), 0);
	ck_assert(!l2tpsrv_msg_init(&msg, ""));
	ck_assert(!l2tpsrv_msg_init(&msg, NULL));
	ck_assert(!l2tpsrv_msg_init(&msg, "a=b"));
}
END_TEST

/* fill the record to exactly CHARON_MSG_MAX: the next byte is refused */
START_TEST(test_exact_fit)
{
	struct guarded g;
	char value[CHARON_MSG_MAX];
	size_t room;

	guard(&g);
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	room = CHARON_MSG_MAX - l2tpsrv_msg_len(&g.msg) - strlen(" v=");

	memset(value, 'a', sizeof(value));
	/* one byte too many: refused, record unchanged */
	ck_assert(!l2tpsrv_msg_add_mem(&g.msg, "v", value, room + 1));
	ck_assert_str_eq(l2tpsrv_msg_data(&g.msg), "x");
	/* exactly enough */
	ck_assert(l2tpsrv_msg_add_mem(&g.msg, "v", value, room));
	ck_assert_uint_eq(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX);
	check_guard(&g);
	/* full: even an empty value does not fit any more */
	ck_assert(!l2tpsrv_msg_add(&g.msg, "a", ""));
	ck_assert_uint_eq(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX);
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&g.msg), 2);
	check_guard(&g);
}
END_TEST

/* a value that fits raw but not encoded is refused whole */
START_TEST(test_encoded_too_long)
{
	struct guarded g;
	char value[CHARON_MSG_MAX];
	size_t room;

	guard(&g);
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	ck_assert(l2tpsrv_msg_add(&g.msg, "ike", "1"));
	room = CHARON_MSG_MAX - l2tpsrv_msg_len(&g.msg) - strlen(" v=");

	memset(value, ' ', sizeof(value));
	ck_assert(!l2tpsrv_msg_add_mem(&g.msg, "v", value, room / 3 + 1));
	ck_assert_str_eq(l2tpsrv_msg_data(&g.msg), "x ike=1");
	ck_assert(l2tpsrv_msg_add_mem(&g.msg, "v", value, room / 3));
	ck_assert_uint_le(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX);
	ck_assert_uint_gt(l2tpsrv_msg_len(&g.msg), CHARON_MSG_MAX - 3);
	check_guard(&g);
}
END_TEST

/* many pairs: it stops at the limit, each refused pair is counted */
START_TEST(test_many_pairs)
{
	struct guarded g;
	unsigned added = 0, i;

	guard(&g);
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	for (i = 0; i < 2000; i++)
	{
		if (l2tpsrv_msg_add(&g.msg, "key", "\xff\xff value"))
		{
			added++;
		}
		check_guard(&g);
	}
	/* " key=%FF%FF%20value" is 19 bytes */
	ck_assert_uint_eq(added, (CHARON_MSG_MAX - 1) / 19);
	ck_assert_uint_eq(l2tpsrv_msg_dropped(&g.msg), 2000 - added);
	ck_assert_uint_eq(l2tpsrv_msg_len(&g.msg), 1 + added * 19);
}
END_TEST

START_TEST(test_huge_value)
{
	struct guarded g;
	static char value[100000];

	guard(&g);
	memset(value, 0xff, sizeof(value));
	ck_assert(l2tpsrv_msg_init(&g.msg, "x"));
	ck_assert(!l2tpsrv_msg_add_mem(&g.msg, "v", value, sizeof(value)));
	ck_assert_str_eq(l2tpsrv_msg_data(&g.msg), "x");
	check_guard(&g);
}
END_TEST

START_TEST(test_encode_bounds)
{
	char out[8];

	/* size 0: nothing written, full length returned */
	ck_assert_uint_eq(l2tpsrv_msg_encode(NULL, 0, "a b", 3), 5);

	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, sizeof(out), "ab cd", 5), 7);
	ck_assert_str_eq(out, "ab%20cd");

	/* cut short: never a partial %XX, always NUL-terminated */
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, 4, "ab cd", 5), 7);
	ck_assert_str_eq(out, "ab");
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, 6, "ab cd", 5), 7);
	ck_assert_str_eq(out, "ab%20");
	ck_assert_uint_eq((unsigned char)out[6], 'X');
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(l2tpsrv_msg_encode(out, 1, "a", 1), 1);
	ck_assert_str_eq(out, "");
}
END_TEST

static Suite *msg_suite(void)
{
	Suite *s = suite_create("l2tpsrv_msg");
	TCase *tc = tcase_create("msg");

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_event_only);
	tcase_add_test(tc, test_encode_space_percent_equals);
	tcase_add_test(tc, test_encode_bytes);
	tcase_add_test(tc, test_empty_value);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_bad_tokens);
	tcase_add_test(tc, test_bad_event);
	tcase_add_test(tc, test_exact_fit);
	tcase_add_test(tc, test_encoded_too_long);
	tcase_add_test(tc, test_many_pairs);
	tcase_add_test(tc, test_huge_value);
	tcase_add_test(tc, test_encode_bounds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(msg_suite());
}
