/*
 * writer: builds a packet into a caller's buffer, never past its end.
 *
 * Every write checks capacity first and returns false when the bytes do not
 * fit; the writer then stays failed (writer_ok() is false) so that a caller
 * may build a whole message and check once at the end. Multi-byte values
 * are written in network byte order.
 */
#ifndef L2TPSRV_WRITER_H
#define L2TPSRV_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool failed;
};

void writer_init(struct writer *w, void *buf, size_t cap);
bool writer_ok(const struct writer *w);
size_t writer_len(const struct writer *w);

bool writer_u8(struct writer *w, uint8_t v);
bool writer_u16(struct writer *w, uint16_t v);
bool writer_u32(struct writer *w, uint32_t v);
bool writer_u64(struct writer *w, uint64_t v);
bool writer_bytes(struct writer *w, const void *src, size_t n);
/*
 * Reserves n bytes to be filled in later (a length field, say) and returns
 * their offset in *off.
 */
bool writer_reserve(struct writer *w, size_t n, size_t *off);
/* Writes a 16-bit value at an offset reserved before. */
bool writer_put_u16_at(struct writer *w, size_t off, uint16_t v);

#endif
