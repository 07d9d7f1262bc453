/*
 * pool: the IPv4 addresses handed to calls.
 *
 * The addresses are numbered 0..size-1 in ascending order (the ranges are
 * sorted and do not overlap), so an address's index is its offset in its
 * range plus the range's base. The free ones form a doubly linked queue
 * threaded through two arrays indexed the same way: alloc takes the head,
 * release appends at the tail, and reserve unlinks from anywhere, each in
 * O(1). An address in use is marked by prev[i] == IN_USE.
 */
#include "pool.h"

#include <errno.h>
#include <stdlib.h>

#define NIL UINT32_MAX		  /* no neighbour: an end of the free queue */
#define IN_USE (UINT32_MAX - 1)	  /* in prev[]: the address is allocated */

struct pool_range {
	uint32_t first, last;	/* addresses, inclusive */
	uint32_t base;		/* index of first */
};

struct pool {
	uint32_t size;
	uint32_t in_use;
	uint32_t head, tail;	/* of the free queue, or NIL */
	uint32_t *next, *prev;	/* [size] */
	size_t n_ranges;
	struct pool_range ranges[]; /* sorted by first */
};

static int compare_ranges(const void *a, const void *b)
{
	const struct pool_range *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

struct pool *pool_new(const struct config_pool_range *ranges, size_t n)
{
	struct pool *p;
	uint64_t total = 0;

	if (n > (SIZE_MAX - sizeof(*p)) / sizeof(p->ranges[0])) {
		errno = ENOMEM;
		return NULL;
	}
	p = calloc(1, sizeof(*p) + n * sizeof(p->ranges[0]));
	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (ranges[i].last < ranges[i].first)
			goto invalid;
		p->ranges[i].first = ranges[i].first;
		p->ranges[i].last = ranges[i].last;
	}
	p->n_ranges = n;
	if (n > 1)
		qsort(p->ranges, n, sizeof(p->ranges[0]), compare_ranges);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && p->ranges[i].first <= p->ranges[i - 1].last)
			goto invalid;
		p->ranges[i].base = (uint32_t)total;
		total += (uint64_t)p->ranges[i].last - p->ranges[i].first + 1;
		if (total > POOL_MAX_ADDRESSES)
			goto invalid;
	}
	p->size = (uint32_t)total;
	if (total > SIZE_MAX / sizeof(uint32_t)) {
		pool_free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->next = malloc((total ? (size_t)total : 1) * sizeof(uint32_t));
	p->prev = malloc((total ? (size_t)total : 1) * sizeof(uint32_t));
	if (!p->next || !p->prev) {
		pool_free(p);
		errno = ENOMEM;
		return NULL;
	}
	/* all free, queued in ascending order */
	for (uint32_t i = 0; i < p->size; i++) {
		p->prev[i] = i == 0 ? NIL : i - 1;
		p->next[i] = i + 1 == p->size ? NIL : i + 1;
	}
	p->head = p->size ? 0 : NIL;
	p->tail = p->size ? p->size - 1 : NIL;
	return p;
invalid:
	free(p);
	errno = EINVAL;
	return NULL;
}

struct pool *pool_free(struct pool *p)
{
	if (!p)
		return NULL;
	free(p->next);
	free(p->prev);
	free(p);
	return NULL;
}

/* The range holding addr, or NULL. */
static const struct pool_range *range_of_address(const struct pool *p, uint32_t addr)
{
	size_t lo = 0, hi = p->n_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pool_range *r = &p->ranges[mid];

		if (addr < r->first)
			hi = mid;
		else if (addr > r->last)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* The range holding index i (< size). */
static const struct pool_range *range_of_index(const struct pool *p, uint32_t i)
{
	size_t lo = 0, hi = p->n_ranges - 1;

	/* the last range whose base is at most i */
	while (lo < hi) {
		size_t mid = hi - (hi - lo) / 2;

		if (p->ranges[mid].base <= i)
			lo = mid;
		else
			hi = mid - 1;
	}
	return &p->ranges[lo];
}

static bool index_of(const struct pool *p, uint32_t addr, uint32_t *i)
{
	const struct pool_range *r = range_of_address(p, addr);

	if (!r)
		return false;
	*i = r->base + (addr - r->first);
	return true;
}

static uint32_t address_of(const struct pool *p, uint32_t i)
{
	const struct pool_range *r = range_of_index(p, i);

	return r->first + (i - r->base);
}

static void unlink_free(struct pool *p, uint32_t i)
{
	uint32_t prev = p->prev[i], next = p->next[i];

	if (prev == NIL)
		p->head = next;
	else
		p->next[prev] = next;
	if (next == NIL)
		p->tail = prev;
	else
		p->prev[next] = prev;
	p->prev[i] = IN_USE;
	p->next[i] = NIL;
	p->in_use++;
}

int pool_alloc(struct pool *p, uint32_t *addr)
{
	uint32_t i = p->head;

	if (i == NIL)
		return -ENOSPC;
	unlink_free(p, i);
	*addr = address_of(p, i);
	return 0;
}

int pool_reserve(struct pool *p, uint32_t addr)
{
	uint32_t i;

	if (!index_of(p, addr, &i))
		return -ERANGE;
	if (p->prev[i] == IN_USE)
		return -EEXIST;
	unlink_free(p, i);
	return 0;
}

int pool_release(struct pool *p, uint32_t addr)
{
	uint32_t i;

	if (!index_of(p, addr, &i))
		return -ERANGE;
	if (p->prev[i] != IN_USE)
		return -ENOENT;
	p->prev[i] = p->tail;
	p->next[i] = NIL;
	if (p->tail == NIL)
		p->head = i;
	else
		p->next[p->tail] = i;
	p->tail = i;
	p->in_use--;
	return 0;
}

bool pool_contains(const struct pool *p, uint32_t addr)
{
	return range_of_address(p, addr) != NULL;
}

unsigned int pool_size(const struct pool *p)
{
	return p->size;
}

unsigned int pool_in_use(const struct pool *p)
{
	return p->in_use;
}
