/*
 * reader: a bounds-checked cursor over a received packet.
 *
 * Every read checks that the bytes are there and returns false when they
 * are not, leaving the cursor where it was; nothing else in l2tpsrv indexes
 * a raw packet. Multi-byte values are read in network byte order.
 */
#ifndef L2TPSRV_READER_H
#define L2TPSRV_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reader {
	const uint8_t *pos;
	size_t left;
};

void reader_init(struct reader *r, const void *buf, size_t len);
size_t reader_left(const struct reader *r);

bool reader_u8(struct reader *r, uint8_t *v);
bool reader_u16(struct reader *r, uint16_t *v);
bool reader_u32(struct reader *r, uint32_t *v);
bool reader_u64(struct reader *r, uint64_t *v);
/* Copies n bytes out. */
bool reader_copy(struct reader *r, void *dst, size_t n);
/* Points *out at the next n bytes, which stay in the packet. */
bool reader_bytes(struct reader *r, size_t n, const uint8_t **out);
bool reader_skip(struct reader *r, size_t n);
/* Carves the next n bytes off as a reader of their own. */
bool reader_sub(struct reader *r, size_t n, struct reader *sub);

#endif
