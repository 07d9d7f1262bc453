/*
 * lac: the LAC's side of a call, as the fuzz harness and the seed corpus
 * generator play it against the LNS: the messages of RFC 2661 section 5.1
 * (SCCRQ, SCCCN) and 5.2.1 (ICRQ, ICCN), built with the l2tpsrv codec.
 */
#ifndef L2TPSRV_FUZZ_LAC_H
#define L2TPSRV_FUZZ_LAC_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"

/* The secret a harness configures when it wants authentication and hiding. */
#define LAC_SECRET "fuzz-secret"
#define LAC_SECRET_LEN (sizeof(LAC_SECRET) - 1)

/*
 * Writes one control packet (12-octet header, then m's AVPs, hidden with
 * hiding when it is not NULL). Returns its length, or 0 when it does not
 * fit in cap.
 */
size_t lac_packet(uint8_t *buf, size_t cap, uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
		  uint16_t nr, const struct l2tp_msg *m, const struct avp_hiding *hiding);
/* A ZLB acknowledgement: a header alone (RFC 2661 5.8). */
size_t lac_zlb(uint8_t *buf, size_t cap, uint16_t tunnel_id, uint16_t ns, uint16_t nr);

void lac_sccrq(struct l2tp_msg *m, uint16_t our_tunnel_id, uint16_t window);
/*
 * SCCCN; when the SCCRP carried a Challenge, answers it with
 * MD5(3 || secret || challenge) (section 4.4.3).
 */
void lac_scccn(struct l2tp_msg *m, const uint8_t *secret, size_t secret_len,
	       const struct l2tp_bytes *challenge);
void lac_icrq(struct l2tp_msg *m, uint16_t our_session_id, uint32_t serial);
void lac_iccn(struct l2tp_msg *m);
void lac_cdn(struct l2tp_msg *m, uint16_t our_session_id, uint16_t result);
void lac_stopccn(struct l2tp_msg *m, uint16_t our_tunnel_id, uint16_t result);

#endif
