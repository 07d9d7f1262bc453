/*
 * writer: builds a packet into a caller's buffer, see writer.h.
 */
#include "writer.h"

#include <string.h>

void writer_init(struct writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->failed = false;
}

bool writer_ok(const struct writer *w)
{
	return !w->failed;
}

size_t writer_len(const struct writer *w)
{
	return w->len;
}

bool writer_reserve(struct writer *w, size_t n, size_t *off)
{
	if (w->failed || n > w->cap - w->len) {
		w->failed = true;
		return false;
	}
	*off = w->len;
	w->len += n;
	return true;
}

bool writer_bytes(struct writer *w, const void *src, size_t n)
{
	size_t off;

	if (!writer_reserve(w, n, &off))
		return false;
	if (n)
		memcpy(w->buf + off, src, n);
	return true;
}

bool writer_u8(struct writer *w, uint8_t v)
{
	return writer_bytes(w, &v, 1);
}

bool writer_u16(struct writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return writer_bytes(w, b, sizeof(b));
}

bool writer_u32(struct writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	return writer_bytes(w, b, sizeof(b));
}

bool writer_u64(struct writer *w, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	return writer_bytes(w, b, sizeof(b));
}

bool writer_put_u16_at(struct writer *w, size_t off, uint16_t v)
{
	if (w->failed || off > w->len || w->len - off < 2)
		return false;
	w->buf[off] = (uint8_t)(v >> 8);
	w->buf[off + 1] = (uint8_t)v;
	return true;
}
