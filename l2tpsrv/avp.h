/*
 * avp: attribute-value pairs (RFC 2661 sections 4.1 to 4.4).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |M|H| rsvd  |      Length       |           Vendor ID           |
 * |         Attribute Type        |        Attribute Value...
 *
 * This layer walks and writes single AVPs, knows each IETF attribute's
 * size rules, and hides/unhides values (section 4.3). What a message must
 * contain is message.c's business.
 */
#ifndef L2TPSRV_AVP_H
#define L2TPSRV_AVP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "writer.h"

#define L2TP_AVP_HEADER_LEN 6
/* The Length field has 10 bits and counts the 6-octet header. */
#define L2TP_AVP_MAX_LEN 1023
#define L2TP_AVP_MAX_VALUE (L2TP_AVP_MAX_LEN - L2TP_AVP_HEADER_LEN)
#define L2TP_VENDOR_IETF 0
/* Length of the Random Vector we send; any length >= 1 is accepted. */
#define L2TP_RANDOM_VECTOR_LEN 16

struct l2tp_avp {
	bool mandatory;       /* M */
	bool hidden;          /* H: value is still hidden; see avp_unhide() */
	bool reserved_bits;   /* a reserved bit was set: treat as unrecognized (4.1) */
	uint16_t vendor;
	uint16_t type;
	const uint8_t *value; /* points into the packet */
	uint16_t len;
};

/* The shared secret and Random Vector that hide values (section 4.3). */
struct avp_hiding {
	const uint8_t *secret;
	size_t secret_len;
	const uint8_t *random_vector;
	size_t random_vector_len;
};

/*
 * Reads the next AVP. Returns 1 and fills *avp, 0 at the end of the
 * message, or -EBADMSG when the AVP's Length is under 6 or runs past the
 * message. On -EBADMSG, avp->type and avp->vendor are filled in when at
 * least the header could be read. An AVP with a reserved bit set is
 * returned with reserved_bits: RFC 2661 4.1 has the receiver treat it as
 * unrecognized (skipped, or fatal with M set).
 */
int avp_next(struct reader *r, struct l2tp_avp *avp);

/*
 * Size rule of an IETF attribute (section 4.4): true when len octets is a
 * valid value length for type. Unknown types return false.
 */
bool avp_value_len_ok(uint16_t type, size_t len);
/* Whether the RFC allows the attribute to be hidden (H bit set). */
bool avp_may_be_hidden(uint16_t type);
/* The M bit the RFC says a sender sets on the attribute. */
bool avp_is_mandatory_on_send(uint16_t type);
/* Whether type is an IETF attribute this codec knows (0..39 but 20). */
bool avp_is_known(uint16_t type);

/*
 * Recovers a hidden value (section 4.3): the first 16-octet block is
 * XORed with MD5(type || secret || random vector), each next block with
 * MD5(secret || previous hidden block). The recovered value starts with its
 * own 2-octet length, which must fit; padding after it is dropped.
 * Writes the value to out (at least len octets) and its length to *out_len.
 * Returns 0, -EINVAL without a secret or random vector, -EBADMSG when the
 * embedded length does not fit.
 */
int avp_unhide(const struct avp_hiding *h, uint16_t type, const uint8_t *hidden, size_t len,
	       uint8_t *out, size_t *out_len);

/* Writes one AVP in clear. */
bool avp_write(struct writer *w, bool mandatory, uint16_t vendor, uint16_t type, const void *value,
	       size_t len);
bool avp_write_u16(struct writer *w, bool mandatory, uint16_t type, uint16_t v);
bool avp_write_u32(struct writer *w, bool mandatory, uint16_t type, uint32_t v);
/* Writes one IETF AVP hidden with h (H bit set, no padding added). */
bool avp_write_hidden(struct writer *w, const struct avp_hiding *h, bool mandatory,
		      uint16_t type, const void *value, size_t len);

#endif
