/*
 * header: parse and build the L2TP header; see header.h.
 */
#include <errno.h>
#include <string.h>

#include "header.h"
#include "protocol.h"
#include "reader.h"

#define HDR_T 0x8000
#define HDR_L 0x4000
#define HDR_S 0x0800
#define HDR_O 0x0200
#define HDR_P 0x0100
#define HDR_VERSION 0x000f

int l2tp_header_parse(const uint8_t *buf, size_t len, struct l2tp_header *h)
{
	struct reader r;
	uint16_t flags, offset_size;

	memset(h, 0, sizeof(*h));
	reader_init(&r, buf, len);
	if (!reader_u16(&r, &flags))
		return -EBADMSG;
	h->control = flags & HDR_T;
	h->has_length = flags & HDR_L;
	h->has_sequence = flags & HDR_S;
	h->has_offset = flags & HDR_O;
	h->priority = flags & HDR_P;
	h->version = flags & HDR_VERSION;
	if (h->version != L2TP_VERSION)
		return -EPROTONOSUPPORT;
	if (h->control && (!h->has_length || !h->has_sequence || h->has_offset || h->priority))
		return -EBADMSG;

	h->length = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
	if (h->has_length && !reader_u16(&r, &h->length))
		return -EBADMSG;
	if (h->length > len)
		return -EBADMSG;
	if (!reader_u16(&r, &h->tunnel_id) || !reader_u16(&r, &h->session_id))
		return -EBADMSG;
	if (h->has_sequence && (!reader_u16(&r, &h->ns) || !reader_u16(&r, &h->nr)))
		return -EBADMSG;
	if (h->has_offset) {
		if (!reader_u16(&r, &offset_size) || !reader_skip(&r, offset_size))
			return -EBADMSG;
	}
	h->payload_offset = len - reader_left(&r);
	if (h->payload_offset > h->length)
		return -EBADMSG;
	return 0;
}

bool l2tp_control_header_write(struct writer *w, uint16_t tunnel_id, uint16_t session_id,
			       uint16_t ns, uint16_t nr, size_t *length_off)
{
	writer_u16(w, HDR_T | HDR_L | HDR_S | L2TP_VERSION);
	writer_reserve(w, 2, length_off);
	writer_u16(w, tunnel_id);
	writer_u16(w, session_id);
	writer_u16(w, ns);
	return writer_u16(w, nr);
}

bool l2tp_header_finish(struct writer *w, size_t length_off)
{
	size_t len = writer_len(w);

	if (!writer_ok(w) || len > UINT16_MAX)
		return false;
	return writer_put_u16_at(w, length_off, (uint16_t)len);
}
