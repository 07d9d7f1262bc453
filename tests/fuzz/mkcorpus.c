/*
 * mkcorpus: writes the seed corpora of the fuzz harnesses, built with the
 * l2tpsrv codec so that they stay valid as the codec changes.
 *
 *   mkcorpus CODEC_DIR LNS_DIR
 *
 * CODEC_DIR gets single datagrams (fuzz_codec); LNS_DIR gets inputs in
 * fuzz_lns's record format (see fuzz_lns.c): flags, then records.
 * tests/fuzz/run regenerates the seeds into its working corpus; the
 * committed tests/fuzz/corpus/ is this program's output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_lns_input.h"
#include "lac.h"
#include "message.h"

#define SEED_MAX 4096

static const uint8_t random_vector[L2TP_RANDOM_VECTOR_LEN] = "seed-random-vec";
static const struct avp_hiding hiding = {
	.secret = (const uint8_t *)LAC_SECRET,
	.secret_len = LAC_SECRET_LEN,
	.random_vector = random_vector,
	.random_vector_len = sizeof(random_vector),
};

struct seed {
	uint8_t buf[SEED_MAX];
	size_t len;
};

static const char *codec_dir, *lns_dir;

static void write_seed(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "mkcorpus: cannot write %s: %s\n", path, strerror(errno));
		exit(EXIT_FAILURE);
	}
}

/* A datagram for fuzz_codec. */
static void codec_seed(const char *name, uint16_t tunnel, uint16_t session,
		       const struct l2tp_msg *m, const struct avp_hiding *h)
{
	uint8_t pkt[L2TP_MAX_PACKET];
	size_t len = lac_packet(pkt, sizeof(pkt), tunnel, session, 3, 2, m, h);

	if (!len) {
		fprintf(stderr, "mkcorpus: %s does not encode\n", name);
		exit(EXIT_FAILURE);
	}
	write_seed(codec_dir, name, pkt, len);
}

static void seed_start(struct seed *s, uint8_t flags, uint8_t flags2)
{
	s->buf[0] = flags;
	s->buf[1] = flags2;
	s->len = 2;
}

static void seed_record(struct seed *s, uint8_t ctl, unsigned int op, const uint8_t *body,
			size_t len)
{
	unsigned int word = op << REC_OP_SHIFT | (unsigned int)len;

	if (s->len + 3 + len > sizeof(s->buf)) {
		fprintf(stderr, "mkcorpus: seed too long\n");
		exit(EXIT_FAILURE);
	}
	s->buf[s->len++] = ctl;
	s->buf[s->len++] = (uint8_t)(word >> 8);
	s->buf[s->len++] = (uint8_t)word;
	if (len)
		memcpy(s->buf + s->len, body, len);
	s->len += len;
}

/*
 * A message whose header fuzz_lns fixes up: for the peer's tunnel
 * (REC_FIX_HEADER; Ns is the peer's plus ns_offset), or for tunnel 0 when
 * it is an SCCRQ (OP_NEW_TUNNEL).
 */
static void seed_msg_at(struct seed *s, uint8_t ctl, const struct l2tp_msg *m,
			const struct avp_hiding *h, uint16_t ns_offset)
{
	uint8_t pkt[L2TP_MAX_PACKET];
	size_t len = lac_packet(pkt, sizeof(pkt), 0, 0, ns_offset, 0, m, h);

	if (m->type == L2TP_MSG_SCCRQ)
		seed_record(s, ctl, OP_NEW_TUNNEL, pkt, len);
	else
		seed_record(s, ctl | REC_FIX_HEADER, OP_DATAGRAM, pkt, len);
}

static void seed_msg(struct seed *s, uint8_t ctl, const struct l2tp_msg *m,
		     const struct avp_hiding *h)
{
	seed_msg_at(s, ctl, m, h, 0);
}

/* An outgoing call (RFC 2661 6.9): what a peer acting as LNS would ask. */
static void ocrq(struct l2tp_msg *m)
{
	l2tp_msg_init(m, L2TP_MSG_OCRQ);
	m->assigned_session_id = 5;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->call_serial_number = 77;
	l2tp_msg_set(m, L2TP_AVP_CALL_SERIAL_NUMBER);
	m->minimum_bps = 9600;
	l2tp_msg_set(m, L2TP_AVP_MINIMUM_BPS);
	m->maximum_bps = 100000000;
	l2tp_msg_set(m, L2TP_AVP_MAXIMUM_BPS);
	m->bearer_type = L2TP_BEARER_DIGITAL;
	l2tp_msg_set(m, L2TP_AVP_BEARER_TYPE);
	m->framing_type = L2TP_FRAMING_SYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_TYPE);
	m->called_number.ptr = (const uint8_t *)"5550000";
	m->called_number.len = 7;
	l2tp_msg_set(m, L2TP_AVP_CALLED_NUMBER);
}

/* ICCN with the optional AVPs a Windows or xl2tpd LAC sends. */
static void iccn_full(struct l2tp_msg *m)
{
	lac_iccn(m);
	m->rx_connect_speed = 54000000;
	l2tp_msg_set(m, L2TP_AVP_RX_CONNECT_SPEED);
	l2tp_msg_set(m, L2TP_AVP_SEQUENCING_REQUIRED);
	m->private_group_id.ptr = (const uint8_t *)"group";
	m->private_group_id.len = 5;
	l2tp_msg_set(m, L2TP_AVP_PRIVATE_GROUP_ID);
}

static void codec_seeds(void)
{
	static const uint8_t data[] = { 0x40, 0x02, 0x00, 0x10, 0x12, 0x34, 0x56, 0x78,
					0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };
	static const uint8_t zlb[] = { 0xc8, 0x02, 0x00, 0x0c, 0x12, 0x34, 0x00, 0x00,
				       0x00, 0x04, 0x00, 0x03 };
	struct l2tp_bytes challenge = { .ptr = random_vector, .len = sizeof(random_vector) };
	struct l2tp_msg m;

	lac_sccrq(&m, 7, 8);
	codec_seed("sccrq", 0, 0, &m, NULL);
	m.challenge = challenge;
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE);
	codec_seed("sccrq-hidden", 0, 0, &m, &hiding);
	lac_scccn(&m, hiding.secret, hiding.secret_len, &challenge);
	codec_seed("scccn", 0x1234, 0, &m, NULL);
	lac_icrq(&m, 9, 42);
	codec_seed("icrq", 0x1234, 0, &m, NULL);
	codec_seed("icrq-hidden", 0x1234, 0, &m, &hiding);
	iccn_full(&m);
	codec_seed("iccn", 0x1234, 0x5678, &m, NULL);
	ocrq(&m);
	codec_seed("ocrq", 0x1234, 0, &m, NULL);
	lac_cdn(&m, 9, L2TP_CDN_ADMIN);
	m.has_error_code = true;
	m.error_message.ptr = (const uint8_t *)"bye";
	m.error_message.len = 3;
	codec_seed("cdn", 0x1234, 0x5678, &m, NULL);
	lac_stopccn(&m, 7, L2TP_STOPCCN_GENERAL_CLEAR);
	codec_seed("stopccn", 0x1234, 0, &m, NULL);
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	codec_seed("hello", 0x1234, 0, &m, NULL);
	l2tp_msg_init(&m, L2TP_MSG_SLI);
	m.send_accm = 0xffffffff;
	m.receive_accm = 0x000a0000;
	l2tp_msg_set(&m, L2TP_AVP_ACCM);
	codec_seed("sli-hidden", 0x1234, 0x5678, &m, &hiding);
	l2tp_msg_init(&m, L2TP_MSG_WEN);
	m.call_errors.crc_errors = 3;
	l2tp_msg_set(&m, L2TP_AVP_CALL_ERRORS);
	codec_seed("wen", 0x1234, 0x5678, &m, NULL);
	write_seed(codec_dir, "zlb", zlb, sizeof(zlb));
	write_seed(codec_dir, "data", data, sizeof(data));
}

static void lns_seeds(void)
{
	uint8_t accm[8] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x0a, 0x00, 0x00 };
	struct seed s;
	struct l2tp_msg m;

	/* An established call: HELLO, WEN, SLI, then the LAC hangs up. */
	seed_start(&s, FLAG_PROLOGUE, FLAG2_DP_FAIL_NONE);
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	seed_msg(&s, REC_CLOCK(3) | REC_ACK_AFTER, &m, NULL);
	l2tp_msg_init(&m, L2TP_MSG_WEN);
	m.call_errors.framing_errors = 1;
	l2tp_msg_set(&m, L2TP_AVP_CALL_ERRORS);
	seed_msg(&s, REC_FIX_SESSION, &m, NULL);
	l2tp_msg_init(&m, L2TP_MSG_SLI);
	l2tp_msg_set(&m, L2TP_AVP_ACCM);
	seed_msg(&s, REC_FIX_SESSION | REC_CLOCK(4), &m, NULL);
	lac_cdn(&m, 1, L2TP_CDN_LOST_CARRIER);
	seed_msg(&s, REC_FIX_SESSION | REC_CLOCK(1), &m, NULL);
	lac_stopccn(&m, 1, L2TP_STOPCCN_GENERAL_CLEAR);
	seed_msg(&s, REC_CLOCK(2) | REC_ACK_AFTER, &m, NULL);
	seed_record(&s, REC_CLOCK(12), OP_DATAGRAM, NULL, 0);
	write_seed(lns_dir, "call-and-hangup", s.buf, s.len);

	/* Secret, hidden AVPs both ways; the administrator acts, time passes. */
	seed_start(&s, FLAG_PROLOGUE | FLAG_SECRET | FLAG_HIDE_AVPS,
		   FLAG2_DP_FAIL_NONE | FLAG2_PROLOGUE_HIDDEN);
	seed_record(&s, REC_CLOCK(12), OP_SET_ACCM, accm, sizeof(accm));
	lac_icrq(&m, 2, 2);
	seed_msg(&s, REC_CLOCK(1), &m, &hiding);
	lac_iccn(&m);
	seed_msg(&s, REC_FIX_SESSION | REC_CLOCK(1) | REC_ACK_AFTER, &m, &hiding);
	seed_record(&s, REC_CLOCK(13), OP_SHUTDOWN, NULL, 0);
	write_seed(lns_dir, "secret-hidden", s.buf, s.len);

	/* No prologue: peer B (IPv6) does the whole setup through records. */
	seed_start(&s, 0, FLAG2_DP_FAIL_NONE | FLAG2_PEER_B_IPV6 | FLAG2_SHUTDOWN);
	lac_sccrq(&m, 5, 4);
	seed_msg(&s, REC_PEER_B, &m, NULL);
	lac_scccn(&m, NULL, 0, NULL);
	seed_msg(&s, REC_PEER_B | REC_CLOCK(1), &m, NULL);
	lac_icrq(&m, 3, 7);
	seed_msg(&s, REC_PEER_B | REC_CLOCK(1), &m, NULL);
	lac_iccn(&m);
	seed_msg(&s, REC_PEER_B | REC_FIX_SESSION | REC_CLOCK(1) | REC_ACK_AFTER, &m, NULL);
	write_seed(lns_dir, "peer-b-setup", s.buf, s.len);

	/* Tight limits: more tunnels and calls than allowed; data path failures. */
	seed_start(&s, FLAG_PROLOGUE | FLAG_TIGHT_LIMITS, 1 /* dp_failures[1]: session_add fails */ | FLAG2_SHUTDOWN);
	for (uint16_t i = 0; i < 3; i++) {
		lac_sccrq(&m, (uint16_t)(20 + i), 0);
		seed_msg(&s, REC_PEER_B, &m, NULL);
		lac_icrq(&m, (uint16_t)(30 + i), i);
		seed_msg(&s, REC_CLOCK(1), &m, NULL);
	}
	lac_iccn(&m);
	seed_msg(&s, REC_FIX_SESSION, &m, NULL);
	seed_record(&s, REC_CLOCK(10), OP_DATAGRAM, NULL, 0);
	write_seed(lns_dir, "limits", s.buf, s.len);

	/* An outgoing call; messages out of order; a call during shutdown. */
	seed_start(&s, FLAG_PROLOGUE, FLAG2_DP_FAIL_NONE);
	ocrq(&m);
	seed_msg(&s, REC_CLOCK(1), &m, NULL);
	l2tp_msg_init(&m, L2TP_MSG_WEN);
	l2tp_msg_set(&m, L2TP_AVP_CALL_ERRORS);
	seed_msg_at(&s, REC_FIX_SESSION, &m, NULL, 1);
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	seed_msg(&s, REC_CLOCK(1), &m, NULL);
	seed_record(&s, REC_CLOCK(1), OP_SHUTDOWN, NULL, 0);
	lac_icrq(&m, 9, 9);
	seed_msg_at(&s, REC_CLOCK(1), &m, NULL, 1);
	iccn_full(&m);
	seed_msg_at(&s, REC_FIX_SESSION | REC_ACK_AFTER, &m, NULL, 2);
	write_seed(lns_dir, "outgoing-reordered", s.buf, s.len);

	/* The peer goes silent: retransmissions, give-up. */
	seed_start(&s, FLAG_PROLOGUE, FLAG2_DP_FAIL_NONE);
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	seed_msg(&s, 0, &m, NULL);
	for (int i = 0; i < 6; i++)
		seed_record(&s, REC_CLOCK(i < 3 ? 9 : 14), OP_DATAGRAM, NULL, 0);
	write_seed(lns_dir, "silent-peer", s.buf, s.len);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkcorpus CODEC_DIR LNS_DIR\n");
		return EXIT_FAILURE;
	}
	codec_dir = argv[1];
	lns_dir = argv[2];
	codec_seeds();
	lns_seeds();
	return EXIT_SUCCESS;
}
