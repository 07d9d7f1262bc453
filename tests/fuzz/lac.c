/*
 * lac: LAC-side messages for the fuzz harness and the seed generator;
 * see lac.h.
 */
#include <md5.h>
#include <string.h>

#include "header.h"
#include "lac.h"
#include "writer.h"

#define LAC_HOST_NAME "fuzz-lac"
#define LAC_CALLING_NUMBER "5551234"
#define LAC_TX_SPEED 100000000u

size_t lac_packet(uint8_t *buf, size_t cap, uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
		  uint16_t nr, const struct l2tp_msg *m, const struct avp_hiding *hiding)
{
	struct writer w;
	size_t off;

	writer_init(&w, buf, cap);
	if (!l2tp_control_header_write(&w, tunnel_id, session_id, ns, nr, &off) ||
	    !l2tp_msg_encode(&w, m, hiding) || !l2tp_header_finish(&w, off))
		return 0;
	return writer_len(&w);
}

size_t lac_zlb(uint8_t *buf, size_t cap, uint16_t tunnel_id, uint16_t ns, uint16_t nr)
{
	struct writer w;
	size_t off;

	writer_init(&w, buf, cap);
	if (!l2tp_control_header_write(&w, tunnel_id, 0, ns, nr, &off) ||
	    !l2tp_header_finish(&w, off))
		return 0;
	return writer_len(&w);
}

void lac_sccrq(struct l2tp_msg *m, uint16_t our_tunnel_id, uint16_t window)
{
	l2tp_msg_init(m, L2TP_MSG_SCCRQ);
	m->protocol_version = 1;
	m->protocol_revision = 0;
	l2tp_msg_set(m, L2TP_AVP_PROTOCOL_VERSION);
	m->host_name.ptr = (const uint8_t *)LAC_HOST_NAME;
	m->host_name.len = sizeof(LAC_HOST_NAME) - 1;
	l2tp_msg_set(m, L2TP_AVP_HOST_NAME);
	m->framing_capabilities = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_CAPABILITIES);
	m->assigned_tunnel_id = our_tunnel_id;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	if (window) {
		m->receive_window_size = window;
		l2tp_msg_set(m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	}
}

void lac_scccn(struct l2tp_msg *m, const uint8_t *secret, size_t secret_len,
	       const struct l2tp_bytes *challenge)
{
	uint8_t type = L2TP_MSG_SCCCN;
	MD5_CTX ctx;

	l2tp_msg_init(m, L2TP_MSG_SCCCN);
	if (!challenge || !challenge->ptr)
		return;
	MD5Init(&ctx);
	MD5Update(&ctx, &type, 1);
	MD5Update(&ctx, secret, secret_len);
	MD5Update(&ctx, challenge->ptr, challenge->len);
	MD5Final(m->challenge_response, &ctx);
	l2tp_msg_set(m, L2TP_AVP_CHALLENGE_RESPONSE);
}

void lac_icrq(struct l2tp_msg *m, uint16_t our_session_id, uint32_t serial)
{
	l2tp_msg_init(m, L2TP_MSG_ICRQ);
	m->assigned_session_id = our_session_id;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->call_serial_number = serial;
	l2tp_msg_set(m, L2TP_AVP_CALL_SERIAL_NUMBER);
	m->calling_number.ptr = (const uint8_t *)LAC_CALLING_NUMBER;
	m->calling_number.len = sizeof(LAC_CALLING_NUMBER) - 1;
	l2tp_msg_set(m, L2TP_AVP_CALLING_NUMBER);
}

void lac_iccn(struct l2tp_msg *m)
{
	l2tp_msg_init(m, L2TP_MSG_ICCN);
	m->tx_connect_speed = LAC_TX_SPEED;
	l2tp_msg_set(m, L2TP_AVP_TX_CONNECT_SPEED);
	m->framing_type = L2TP_FRAMING_ASYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_TYPE);
}

void lac_cdn(struct l2tp_msg *m, uint16_t our_session_id, uint16_t result)
{
	l2tp_msg_init(m, L2TP_MSG_CDN);
	m->assigned_session_id = our_session_id;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->result_code = result;
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
}

void lac_stopccn(struct l2tp_msg *m, uint16_t our_tunnel_id, uint16_t result)
{
	l2tp_msg_init(m, L2TP_MSG_STOPCCN);
	m->assigned_tunnel_id = our_tunnel_id;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->result_code = result;
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
}
