/*
 * header: the L2TP header (RFC 2661 section 3.1), parsed and built.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
 * |           Tunnel ID           |           Session ID          |
 * |             Ns (opt)          |             Nr (opt)          |
 * |      Offset Size (opt)        |    Offset pad... (opt)
 */
#ifndef L2TPSRV_HEADER_H
#define L2TPSRV_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "writer.h"

/* A control header is always 12 octets: T, L and S set, O and P clear. */
#define L2TP_CONTROL_HEADER_LEN 12

struct l2tp_header {
	bool control;      /* T: control message */
	bool has_length;   /* L */
	bool has_sequence; /* S */
	bool has_offset;   /* O */
	bool priority;     /* P */
	uint8_t version;
	uint16_t length;   /* the packet's length: the Length field, or the datagram's */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns;
	uint16_t nr;
	size_t payload_offset; /* where the message (AVPs or PPP frame) starts */
};

/*
 * Parses the header of one datagram. Returns 0, or:
 *  -EPROTONOSUPPORT  the version is not 2 (RFC 2661 3.1: discard; the
 *                    version field is still filled in for the log);
 *  -EBADMSG          the header is truncated, its Length is larger than the
 *                    datagram or smaller than the header, or a control
 *                    message lacks L or S or has O or P set (RFC 2661 3.1).
 * Octets after Length are ignored, as the Length field says where the
 * packet ends.
 */
int l2tp_header_parse(const uint8_t *buf, size_t len, struct l2tp_header *h);

/*
 * Starts a control message: writes the 12-octet header with a zero Length
 * and returns the Length field's offset in *length_off. Call
 * l2tp_header_finish() once the AVPs are written.
 */
bool l2tp_control_header_write(struct writer *w, uint16_t tunnel_id, uint16_t session_id,
			       uint16_t ns, uint16_t nr, size_t *length_off);
/* Patches the Length field with everything written since the header. */
bool l2tp_header_finish(struct writer *w, size_t length_off);

#endif
