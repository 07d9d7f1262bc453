/*
 * hdlc: PPP in HDLC-like framing, the async (octet-stuffed) form of
 * RFC 1662, as pppd's async tty line discipline (N_PPP) reads and writes it.
 *
 * The userspace data path (dataplane_user.c) runs pppd on a pty and moves
 * its frames to and from L2TP data messages. We use async HDLC rather than
 * pppd's "sync" mode on purpose: a pty is a byte stream and does not keep
 * the boundaries of the writes made to it, so only the 0x7E flags can
 * delimit frames reliably.
 *
 * Encoding: an opening flag, the frame with 0x7E, 0x7D and every octet
 * below 0x20 escaped (0x7D, then the octet XOR 0x20), the FCS-16
 * (RFC 1662 appendix C: complemented, least significant octet first,
 * escaped too) and a closing flag. Escaping every control character is the
 * default ACCM, which pppd's receiver requires until LCP is done and
 * accepts after, so the ACCM the peer negotiates never matters here.
 *
 * Decoding is a stream: a read may end in the middle of a frame or hold
 * several, so the decoder keeps its state between calls. Unescaped control
 * characters are taken as data (a receive ACCM of zero): pppd stops
 * escaping them once LCP has agreed on an ACCM with the peer. Frames with
 * a bad FCS, shorter than HDLC_MIN_FRAME, longer than HDLC_MAX_FRAME or
 * aborted (0x7D 0x7E, RFC 1662 4.2) are dropped and counted.
 *
 * Pure code: no I/O, no allocation, no logging.
 */
#ifndef L2TPSRV_HDLC_H
#define L2TPSRV_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "reader.h"

#define HDLC_FLAG 0x7e
#define HDLC_ESCAPE 0x7d
#define HDLC_ESCAPE_BIT 0x20

/* RFC 1662 appendix C.2: the initial FCS, and what the FCS of a frame
 * followed by its own (complemented) FCS comes to. */
#define HDLC_FCS_INIT 0xffff
#define HDLC_FCS_GOOD 0xf0b8
#define HDLC_FCS_LEN 2

/* The largest PPP frame (address to information, without the FCS) either
 * way; well above pppd's largest MRU over L2TP. */
#define HDLC_MAX_FRAME 2048
/* The smallest: a compressed protocol field alone. */
#define HDLC_MIN_FRAME 1

/* Room hdlc_encode() needs for a frame of len octets: two flags, and every
 * octet of the frame and its FCS escaped. */
#define HDLC_ENCODED_MAX(len) (2 * ((size_t)(len) + HDLC_FCS_LEN) + 2)

/* FCS-16 of len octets, continuing from fcs (HDLC_FCS_INIT to start). */
uint16_t hdlc_fcs16(uint16_t fcs, const uint8_t *buf, size_t len);

/*
 * Encodes one frame into out. Returns the encoded length, or -ENOBUFS when
 * cap is below HDLC_ENCODED_MAX(len) (nothing is written then).
 */
ssize_t hdlc_encode(const uint8_t *frame, size_t len, uint8_t *out, size_t cap);

/* Frames the decoder dropped, since hdlc_decoder_init(). */
struct hdlc_drops {
	uint64_t bad_fcs;
	uint64_t too_short;
	uint64_t too_long;
	uint64_t aborted;
};

struct hdlc_decoder {
	size_t len;    /* octets of the frame (and its FCS) so far */
	uint16_t fcs;  /* their FCS */
	bool escaped;  /* the last octet was 0x7D */
	bool tossing;  /* the frame overflowed: dropping it up to the next flag */
	struct hdlc_drops drops;
	uint8_t buf[HDLC_MAX_FRAME + HDLC_FCS_LEN];
};

void hdlc_decoder_init(struct hdlc_decoder *d);

/*
 * Consumes octets of in up to and including the flag that closes the next
 * good frame, and returns true with *frame (inside d, valid until the next
 * call) and *len set to that frame without its FCS. Returns false once in
 * is used up without completing one. Call it until it returns false:
 *
 *	reader_init(&in, buf, n);
 *	while (hdlc_decoder_next(&d, &in, &frame, &len))
 *		use(frame, len);
 */
bool hdlc_decoder_next(struct hdlc_decoder *d, struct reader *in, const uint8_t **frame,
		       size_t *len);

#endif
