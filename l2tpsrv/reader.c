/*
 * reader: a bounds-checked cursor over a received packet, see reader.h.
 */
#include "reader.h"

#include <string.h>

void reader_init(struct reader *r, const void *buf, size_t len)
{
	r->pos = buf;
	r->left = buf ? len : 0;
}

size_t reader_left(const struct reader *r)
{
	return r->left;
}

bool reader_bytes(struct reader *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return false;
	*out = r->pos;
	r->pos += n;
	r->left -= n;
	return true;
}

bool reader_skip(struct reader *r, size_t n)
{
	const uint8_t *ignored;

	return reader_bytes(r, n, &ignored);
}

bool reader_copy(struct reader *r, void *dst, size_t n)
{
	const uint8_t *p;

	if (!reader_bytes(r, n, &p))
		return false;
	if (n)
		memcpy(dst, p, n);
	return true;
}

bool reader_sub(struct reader *r, size_t n, struct reader *sub)
{
	const uint8_t *p;

	if (!reader_bytes(r, n, &p))
		return false;
	sub->pos = p;
	sub->left = n;
	return true;
}

bool reader_u8(struct reader *r, uint8_t *v)
{
	const uint8_t *p;

	if (!reader_bytes(r, 1, &p))
		return false;
	*v = p[0];
	return true;
}

bool reader_u16(struct reader *r, uint16_t *v)
{
	const uint8_t *p;

	if (!reader_bytes(r, 2, &p))
		return false;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return true;
}

bool reader_u32(struct reader *r, uint32_t *v)
{
	const uint8_t *p;

	if (!reader_bytes(r, 4, &p))
		return false;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	     (uint32_t)p[2] << 8 | p[3];
	return true;
}

bool reader_u64(struct reader *r, uint64_t *v)
{
	struct reader save = *r;
	uint32_t hi, lo;

	if (!reader_u32(r, &hi) || !reader_u32(r, &lo)) {
		*r = save;
		return false;
	}
	*v = (uint64_t)hi << 32 | lo;
	return true;
}
