/*
 * Tests of the address pool.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "config.h"
#include "pool.h"

#define IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct pool *new_pool(const struct config_pool_range *ranges, size_t n)
{
	struct pool *p = pool_new(ranges, n);

	ck_assert_ptr_nonnull(p);
	return p;
}

static uint32_t alloc_one(struct pool *p)
{
	uint32_t addr = 0;

	ck_assert_int_eq(pool_alloc(p, &addr), 0);
	return addr;
}

START_TEST(a_small_pool_runs_out)
{
	static const struct config_pool_range r = { IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 4) };
	struct pool *p = new_pool(&r, 1);
	uint32_t addr = 7;

	ck_assert_uint_eq(pool_size(p), 4);
	ck_assert_uint_eq(pool_in_use(p), 0);
	/* at the start, in ascending order */
	for (uint32_t i = 1; i <= 4; i++) {
		ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, i));
		ck_assert_uint_eq(pool_in_use(p), i);
	}
	ck_assert_int_eq(pool_alloc(p, &addr), -ENOSPC);
	ck_assert_uint_eq(addr, 7);
	ck_assert_uint_eq(pool_in_use(p), 4);
	/* one back, one out again */
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 2)), 0);
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 2));
	ck_assert_int_eq(pool_alloc(p, &addr), -ENOSPC);
	pool_free(p);
}
END_TEST

START_TEST(the_least_recently_released_goes_first)
{
	static const struct config_pool_range r = { IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 6) };
	struct pool *p = new_pool(&r, 1);
	uint32_t a;

	/* a just-freed address waits behind the never-used ones */
	a = alloc_one(p);
	ck_assert_uint_eq(a, IPV4(10, 0, 0, 1));
	ck_assert_int_eq(pool_release(p, a), 0);
	for (uint32_t i = 2; i <= 6; i++)
		ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, i));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 1));
	/* all in use: they come back in the order they were released */
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 5)), 0);
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 1)), 0);
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 3)), 0);
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 6)), 0);
	ck_assert_uint_eq(pool_in_use(p), 2);
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 5));
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 2)), 0);
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 1));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 3));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 6));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 2));
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	pool_free(p);
}
END_TEST

START_TEST(reserve_takes_one_address)
{
	static const struct config_pool_range r = { IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 5) };
	struct pool *p = new_pool(&r, 1);
	uint32_t a;

	/* from the middle, the head and the tail of the free queue */
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 3)), 0);
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 1)), 0);
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 5)), 0);
	ck_assert_uint_eq(pool_in_use(p), 3);
	/* in use, by reserve or by alloc */
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 3)), -EEXIST);
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 2));
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 2)), -EEXIST);
	/* not in the pool */
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 0)), -ERANGE);
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 6)), -ERANGE);
	ck_assert_int_eq(pool_reserve(p, 0), -ERANGE);
	ck_assert_int_eq(pool_reserve(p, UINT32_MAX), -ERANGE);
	ck_assert_uint_eq(pool_in_use(p), 4);
	/* the last free one, then none */
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 4));
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	/* a reserved address is released like an allocated one */
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 5)), 0);
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 3)), 0);
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 5));
	/* and the queue is whole after reserving its only member */
	ck_assert_int_eq(pool_reserve(p, IPV4(10, 0, 0, 3)), 0);
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 1)), 0);
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 1));
	pool_free(p);
}
END_TEST

START_TEST(releasing_what_is_not_allocated_is_reported)
{
	static const struct config_pool_range r = { IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 3) };
	struct pool *p = new_pool(&r, 1);
	uint32_t a;

	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 2)), -ENOENT);
	ck_assert_uint_eq(pool_in_use(p), 0);
	a = alloc_one(p);
	ck_assert_int_eq(pool_release(p, a), 0);
	ck_assert_int_eq(pool_release(p, a), -ENOENT);
	ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 9)), -ERANGE);
	ck_assert_uint_eq(pool_in_use(p), 0);
	/* the queue is untouched: 2, 3, then the released 1 */
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 2));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 3));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 1));
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	pool_free(p);
}
END_TEST

START_TEST(several_ranges_in_any_order)
{
	static const struct config_pool_range r[] = {
		{ IPV4(172, 16, 0, 10), IPV4(172, 16, 0, 11) },
		{ IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 2) },
		{ IPV4(10, 0, 0, 3), IPV4(10, 0, 0, 3) }, /* adjacent is fine */
		{ IPV4(255, 255, 255, 254), IPV4(255, 255, 255, 255) },
		{ 0, 0 },
	};
	static const uint32_t order[] = {
		0,
		IPV4(10, 0, 0, 1),
		IPV4(10, 0, 0, 2),
		IPV4(10, 0, 0, 3),
		IPV4(172, 16, 0, 10),
		IPV4(172, 16, 0, 11),
		IPV4(255, 255, 255, 254),
		IPV4(255, 255, 255, 255),
	};
	struct pool *p = new_pool(r, sizeof(r) / sizeof(r[0]));
	uint32_t a;

	ck_assert_uint_eq(pool_size(p), 8);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		ck_assert(pool_contains(p, order[i]));
	ck_assert(!pool_contains(p, 1));
	ck_assert(!pool_contains(p, IPV4(10, 0, 0, 0)));
	ck_assert(!pool_contains(p, IPV4(10, 0, 0, 4)));
	ck_assert(!pool_contains(p, IPV4(172, 16, 0, 9)));
	ck_assert(!pool_contains(p, IPV4(172, 16, 0, 12)));
	ck_assert(!pool_contains(p, IPV4(255, 255, 255, 253)));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		ck_assert_uint_eq(alloc_one(p), order[i]);
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	ck_assert_int_eq(pool_release(p, IPV4(255, 255, 255, 255)), 0);
	ck_assert_int_eq(pool_release(p, 0), 0);
	ck_assert_int_eq(pool_release(p, IPV4(172, 16, 0, 10)), 0);
	ck_assert_uint_eq(alloc_one(p), IPV4(255, 255, 255, 255));
	ck_assert_uint_eq(alloc_one(p), 0);
	ck_assert_uint_eq(alloc_one(p), IPV4(172, 16, 0, 10));
	pool_free(p);
}
END_TEST

START_TEST(a_slash_30_from_the_config)
{
	struct l2tpsrv_config c;
	char err[256];
	struct pool *p;
	uint32_t a;

	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, "t", "pool = 10.1.2.4/30\nlocal_ip = 10.1.2.1\n", err,
				      sizeof(err)),
			 0);
	p = new_pool(c.pools, c.n_pools);
	ck_assert_uint_eq(pool_size(p), 2);
	ck_assert(!pool_contains(p, IPV4(10, 1, 2, 4)));
	ck_assert(!pool_contains(p, IPV4(10, 1, 2, 7)));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 1, 2, 5));
	ck_assert_uint_eq(alloc_one(p), IPV4(10, 1, 2, 6));
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	pool_free(p);

	/* and the default pool */
	config_defaults(&c);
	p = new_pool(c.pools, c.n_pools);
	ck_assert_uint_eq(pool_size(p), 241);
	ck_assert_uint_eq(alloc_one(p), IPV4(192, 168, 42, 10));
	ck_assert(!pool_contains(p, c.local_ip));
	pool_free(p);
}
END_TEST

START_TEST(a_range_of_65536_addresses)
{
	static const struct config_pool_range r = { IPV4(10, 0, 0, 0), IPV4(10, 0, 255, 255) };
	struct pool *p = new_pool(&r, 1);
	uint32_t a;

	ck_assert_uint_eq(pool_size(p), 65536);
	for (uint32_t i = 0; i < 65536; i++)
		ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 0) + i);
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	ck_assert_uint_eq(pool_in_use(p), 65536);
	/* released in descending order, handed out so */
	for (uint32_t i = 65536; i-- > 0;)
		ck_assert_int_eq(pool_release(p, IPV4(10, 0, 0, 0) + i), 0);
	ck_assert_uint_eq(pool_in_use(p), 0);
	for (uint32_t i = 65536; i-- > 0;)
		ck_assert_uint_eq(alloc_one(p), IPV4(10, 0, 0, 0) + i);
	ck_assert(!pool_contains(p, IPV4(10, 1, 0, 0)));
	ck_assert(!pool_contains(p, IPV4(9, 255, 255, 255)));
	pool_free(p);
}
END_TEST

START_TEST(bad_ranges_and_an_empty_pool)
{
	static const struct config_pool_range backwards = { IPV4(10, 0, 0, 2), IPV4(10, 0, 0, 1) };
	static const struct config_pool_range overlap[] = {
		{ IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 9) },
		{ IPV4(10, 0, 0, 9), IPV4(10, 0, 0, 20) },
	};
	static const struct config_pool_range everything[] = {
		{ 0, IPV4(127, 255, 255, 255) },
		{ IPV4(128, 0, 0, 0), UINT32_MAX },
	};
	struct pool *p;
	uint32_t a;

	errno = 0;
	ck_assert_ptr_null(pool_new(&backwards, 1));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(pool_new(overlap, 2));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(pool_new(everything, 2));
	ck_assert_int_eq(errno, EINVAL);

	p = new_pool(NULL, 0);
	ck_assert_uint_eq(pool_size(p), 0);
	ck_assert_int_eq(pool_alloc(p, &a), -ENOSPC);
	ck_assert_int_eq(pool_reserve(p, 0), -ERANGE);
	ck_assert_int_eq(pool_release(p, 0), -ERANGE);
	ck_assert(!pool_contains(p, 0));
	ck_assert_ptr_null(pool_free(p));
	ck_assert_ptr_null(pool_free(NULL));
}
END_TEST

/* --- against a reference model --- */

#define MODEL_MAX 512

/* The obvious implementation: the free addresses in an array, in order. */
struct model {
	uint32_t free[MODEL_MAX];
	size_t n_free;
	bool in_use[MODEL_MAX]; /* by offset in all[] */
	uint32_t all[MODEL_MAX];
	size_t n_all;
};

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static long model_offset(const struct model *m, uint32_t addr)
{
	for (size_t i = 0; i < m->n_all; i++) {
		if (m->all[i] == addr)
			return (long)i;
	}
	return -1;
}

static void model_unqueue(struct model *m, uint32_t addr)
{
	for (size_t i = 0; i < m->n_free; i++) {
		if (m->free[i] == addr) {
			memmove(&m->free[i], &m->free[i + 1], (m->n_free - i - 1) * sizeof(m->free[0]));
			m->n_free--;
			return;
		}
	}
	ck_abort_msg("model: %u not free", addr);
}

/* Some address in the pool, or near it: some inside, some just outside. */
static uint32_t pick_address(const struct model *m)
{
	uint32_t a = m->all[rng() % m->n_all];

	switch (rng() % 8) {
	case 0:
		return a - 1;
	case 1:
		return a + 1;
	default:
		return a;
	}
}

START_TEST(random_operations_match_a_model)
{
	static const struct config_pool_range r[] = {
		{ IPV4(10, 9, 0, 250), IPV4(10, 9, 1, 5) },
		{ IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 200) },
		{ IPV4(192, 0, 2, 7), IPV4(192, 0, 2, 7) },
		{ IPV4(10, 0, 0, 202), IPV4(10, 0, 0, 250) },
	};
	struct model *m = calloc(1, sizeof(*m));
	struct pool *p = new_pool(r, sizeof(r) / sizeof(r[0]));
	unsigned int allocs = 0, exhausted = 0, reserves = 0, releases = 0;

	ck_assert_ptr_nonnull(m);
	rng_state = 0x2545f4914f6cdd1dULL + (uint64_t)_i;
	/* the addresses in ascending order, all free */
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		for (uint64_t a = r[i].first; a <= r[i].last; a++)
			m->all[m->n_all++] = (uint32_t)a;
	for (size_t i = 1; i < m->n_all; i++) {
		for (size_t j = i; j > 0 && m->all[j - 1] > m->all[j]; j--) {
			uint32_t t = m->all[j];

			m->all[j] = m->all[j - 1];
			m->all[j - 1] = t;
		}
	}
	memcpy(m->free, m->all, m->n_all * sizeof(m->all[0]));
	m->n_free = m->n_all;
	ck_assert_uint_eq(pool_size(p), m->n_all);

	for (unsigned int op = 0; op < 100000; op++) {
		/* lean towards alloc or release in turns, so the pool fills and empties */
		unsigned int bias = (op / 5000) % 2 ? 3 : 6;
		unsigned int what = rng() % 10;
		uint32_t a = 0;
		long off;
		int r_pool;

		if (what < bias) {
			r_pool = pool_alloc(p, &a);
			if (m->n_free == 0) {
				ck_assert_int_eq(r_pool, -ENOSPC);
				exhausted++;
				continue;
			}
			ck_assert_int_eq(r_pool, 0);
			ck_assert_uint_eq(a, m->free[0]);
			off = model_offset(m, a);
			ck_assert_msg(off >= 0 && !m->in_use[off], "%u handed out twice", a);
			model_unqueue(m, a);
			m->in_use[off] = true;
			allocs++;
		} else if (what < 8) {
			a = pick_address(m);
			off = model_offset(m, a);
			r_pool = pool_release(p, a);
			if (off < 0) {
				ck_assert_int_eq(r_pool, -ERANGE);
			} else if (!m->in_use[off]) {
				ck_assert_int_eq(r_pool, -ENOENT);
			} else {
				ck_assert_int_eq(r_pool, 0);
				m->in_use[off] = false;
				m->free[m->n_free++] = a;
				releases++;
			}
		} else {
			a = pick_address(m);
			off = model_offset(m, a);
			r_pool = pool_reserve(p, a);
			if (off < 0) {
				ck_assert_int_eq(r_pool, -ERANGE);
			} else if (m->in_use[off]) {
				ck_assert_int_eq(r_pool, -EEXIST);
			} else {
				ck_assert_int_eq(r_pool, 0);
				model_unqueue(m, a);
				m->in_use[off] = true;
				reserves++;
			}
		}
		ck_assert_uint_eq(pool_in_use(p), m->n_all - m->n_free);
		ck_assert_int_eq(pool_contains(p, a), model_offset(m, a) >= 0);
	}
	/* every kind of step happened */
	ck_assert_uint_gt(allocs, 1000);
	ck_assert_uint_gt(exhausted, 100);
	ck_assert_uint_gt(reserves, 1000);
	ck_assert_uint_gt(releases, 1000);
	pool_free(p);
	free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_small_pool_runs_out);
	tcase_add_test(tc, the_least_recently_released_goes_first);
	tcase_add_test(tc, reserve_takes_one_address);
	tcase_add_test(tc, releasing_what_is_not_allocated_is_reported);
	tcase_add_test(tc, several_ranges_in_any_order);
	tcase_add_test(tc, a_slash_30_from_the_config);
	tcase_add_test(tc, a_range_of_65536_addresses);
	tcase_add_test(tc, bad_ranges_and_an_empty_pool);
	tcase_add_loop_test(tc, random_operations_match_a_model, 0, 3);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
