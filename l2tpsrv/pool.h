/*
 * pool: the IPv4 addresses the server hands to calls (the "pool" setting).
 *
 * Addresses are given out least recently released first: the free ones
 * wait in a queue, in ascending order at the start, and a released address
 * goes to its back. So an address just given up is not handed to the next
 * caller at once, while stale ARP entries, conntrack state and routes for
 * its last holder may still be around.
 *
 * Every operation is O(1) (finding an address's range is a binary search
 * over the few ranges); memory is 8 octets an address. Addresses are in
 * host byte order. Not thread-safe.
 */
#ifndef L2TPSRV_POOL_H
#define L2TPSRV_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* At most this many addresses in all. */
#define POOL_MAX_ADDRESSES (UINT32_MAX - 2)

struct pool;

/*
 * A pool of the addresses of ranges[0..n-1] (copied; any order; n may be
 * 0), all free. NULL with errno ENOMEM, or EINVAL when a range ends before
 * it starts, two ranges overlap or there are more than POOL_MAX_ADDRESSES.
 */
struct pool *pool_new(const struct config_pool_range *ranges, size_t n);
/* NULL is fine. Returns NULL. */
struct pool *pool_free(struct pool *p);

/* Takes the free address released longest ago: 0, or -ENOSPC when none is free. */
int pool_alloc(struct pool *p, uint32_t *addr);
/* Takes addr itself (a RADIUS Framed-IP-Address): 0, -EEXIST when it is
 * in use, -ERANGE when it is not in the pool. */
int pool_reserve(struct pool *p, uint32_t addr);
/* Gives addr back: 0, -ENOENT when it is not in use (a double release),
 * -ERANGE when it is not in the pool. */
int pool_release(struct pool *p, uint32_t addr);

bool pool_contains(const struct pool *p, uint32_t addr);
/* Addresses in the pool, in use or not. */
unsigned int pool_size(const struct pool *p);
unsigned int pool_in_use(const struct pool *p);

#endif
