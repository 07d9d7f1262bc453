/*
 * Tests of the pppd-free half of the EAP relay (eap_relay.c): parsing,
 * what to do with each Response, l2tpsrv's answers, Success and Failure;
 * and of CTL_EAP in the report layer: its framing and the exchange with a
 * fake l2tpsrv control socket (report_test_daemon.c). The rest of the
 * report layer is tested in l2tpsrv_pppd_test.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>

#include "check_tap.h"
#include "eap_relay.h"
#include "report.h"
#include "report_test.h"

/* ---- EAP relay (eap_relay.c) and CTL_EAP ---- */

/* Writes an EAP packet: code, id, the length field len, then data (data_len octets). */
static size_t eap_packet(uint8_t *out, uint8_t code, uint8_t id, uint16_t len, const void *data,
			 size_t data_len)
{
	out[0] = code;
	out[1] = id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	if (data_len)
		memcpy(out + 4, data, data_len);
	return 4 + data_len;
}

/* A Response or Request of type with its data (a string), length field exact. */
static size_t eap_typed(uint8_t *out, uint8_t code, uint8_t id, uint8_t type, const char *data)
{
	uint8_t body[256];
	size_t n = strlen(data);

	body[0] = type;
	memcpy(body + 1, data, n);
	return eap_packet(out, code, id, (uint16_t)(5 + n), body, 1 + n);
}

START_TEST(eap_parse_checks_every_length)
{
	static uint8_t big[CTL_EAP_MAX + 8];
	struct eap_relay_packet p;
	uint8_t pkt[16];

	/* the peer's Identity Response, and padding after it */
	memset(pkt, 0xee, sizeof(pkt));
	eap_packet(pkt, 2, 0x21, 6, "\x01u", 2);
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), 0);
	ck_assert_uint_eq(p.code, 2);
	ck_assert_uint_eq(p.id, 0x21);
	ck_assert_uint_eq(p.len, 6);
	ck_assert_int_eq(p.type, 1);
	ck_assert_int_eq(eap_relay_parse(pkt, 6, &p), 0);
	ck_assert_int_eq(eap_relay_parse(pkt, 5, &p), -EINVAL); /* length field > what came */
	ck_assert_int_eq(eap_relay_parse(pkt, 3, &p), -EINVAL); /* no header */
	ck_assert_int_eq(eap_relay_parse(pkt, 0, &p), -EINVAL);
	eap_packet(pkt, 2, 1, 3, NULL, 0); /* length field below the header */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), -EINVAL);
	eap_packet(pkt, 2, 1, 4, NULL, 0); /* a Response without its Type */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), -EINVAL);
	eap_packet(pkt, 1, 1, 4, NULL, 0); /* a Request, the same */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), -EINVAL);
	eap_packet(pkt, 3, 9, 4, NULL, 0); /* Success and Failure have none */
	ck_assert_int_eq(eap_relay_parse(pkt, sizeof(pkt), &p), 0);
	ck_assert_int_eq(p.type, -1);
	eap_packet(pkt, 4, 9, 4, NULL, 0);
	ck_assert_int_eq(eap_relay_parse(pkt, 4, &p), 0);
	eap_packet(pkt, 5, 9, 4, NULL, 0); /* no such code */
	ck_assert_int_eq(eap_relay_parse(pkt, 4, &p), -EPROTO);
	eap_packet(pkt, 0, 9, 4, NULL, 0);
	ck_assert_int_eq(eap_relay_parse(pkt, 4, &p), -EPROTO);
	/* CTL_EAP_MAX octets and no more, whatever PPP carried */
	eap_packet(big, 2, 1, CTL_EAP_MAX, "\x0d", 1);
	ck_assert_int_eq(eap_relay_parse(big, sizeof(big), &p), 0);
	eap_packet(big, 2, 1, CTL_EAP_MAX + 1, "\x0d", 1);
	ck_assert_int_eq(eap_relay_parse(big, sizeof(big), &p), -EINVAL);
	eap_packet(big, 2, 1, 0xffff, "\x0d", 1);
	ck_assert_int_eq(eap_relay_parse(big, sizeof(big), &p), -EINVAL);
}
END_TEST

START_TEST(eap_build_success_and_failure)
{
	uint8_t out[4];

	ck_assert_uint_eq(eap_relay_build(out, EAP_RELAY_SUCCESS, 0x42), 4);
	ck_assert_mem_eq(out, "\x03\x42\x00\x04", 4);
	ck_assert_uint_eq(eap_relay_build(out, EAP_RELAY_FAILURE, 0xff), 4);
	ck_assert_mem_eq(out, "\x04\xff\x00\x04", 4);
}
END_TEST

START_TEST(eap_identity_is_bounded_and_printable)
{
	uint8_t name[300];
	char user[256];

	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"alice", 5, user, sizeof(user)), 0);
	ck_assert_str_eq(user, "alice");
	/* RFC 4284: options after a NUL */
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"bob\0nai=x", 9, user, sizeof(user)),
			 0);
	ck_assert_str_eq(user, "bob");
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"DOMAIN\\j\xc3\xa9r\xc3\xb4me", 15,
					    user, sizeof(user)),
			 0); /* UTF-8 */
	ck_assert_str_eq(user, "DOMAIN\\j\xc3\xa9r\xc3\xb4me");
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"", 0, user, sizeof(user)), -EINVAL);
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"\0x", 2, user, sizeof(user)),
			 -EINVAL);
	ck_assert_str_eq(user, "");
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"a\nb", 3, user, sizeof(user)),
			 -EINVAL);
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"a\x1b[2J", 5, user, sizeof(user)),
			 -EINVAL);
	ck_assert_int_eq(eap_relay_identity((const uint8_t *)"a\x7f", 2, user, sizeof(user)),
			 -EINVAL);
	ck_assert_str_eq(user, "");
	memset(name, 'n', sizeof(name));
	ck_assert_int_eq(eap_relay_identity(name, 255, user, sizeof(user)), 0);
	ck_assert_uint_eq(strlen(user), 255);
	ck_assert_int_eq(eap_relay_identity(name, 256, user, sizeof(user)), -EINVAL);
	ck_assert_int_eq(eap_relay_identity(name, sizeof(name), user, sizeof(user)), -EINVAL);
}
END_TEST

/* l2tpsrv's answer: result, then an EAP packet (len octets) and a State. */
static void eap_answer(struct ctl_eap_reply *rp, uint32_t result, const uint8_t *eap, size_t len,
		       const char *state)
{
	memset(rp, 0, sizeof(*rp));
	rp->base.result = result;
	rp->eap_len = (uint16_t)len;
	if (len)
		memcpy(rp->eap, eap, len);
	rp->state_len = (uint16_t)strlen(state);
	memcpy(rp->state, state, rp->state_len);
}

START_TEST(eap_input_takes_the_identity_then_follows_identifiers)
{
	static struct eap_relay r;
	struct ctl_eap_reply rp;
	struct eap_relay_packet p;
	const char *why;
	uint8_t pkt[300], req[64];
	size_t n;

	memset(&r, 0, sizeof(r));
	/* not Responses: pppd's (us as the client) */
	n = eap_typed(pkt, 1, 7, 1, "");
	ck_assert_int_eq(eap_relay_input(&r, 1, 7, pkt, n, &p, &why), EAP_RELAY_PASS);
	n = eap_packet(pkt, 3, 7, 4, NULL, 0);
	ck_assert_int_eq(eap_relay_input(&r, 1, 7, pkt, n, &p, &why), EAP_RELAY_PASS);
	ck_assert_int_eq(eap_relay_input(&r, 1, 7, pkt, 3, &p, &why), EAP_RELAY_PASS);
	/* Responses that do not answer pppd's Identity Request */
	n = eap_typed(pkt, 2, 0x21, 1, "alice");
	ck_assert_int_eq(eap_relay_input(&r, 0, 0x21, pkt, n, &p, &why), EAP_RELAY_DROP);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x20, pkt, n, &p, &why), EAP_RELAY_DROP);
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n - 1, &p, &why), EAP_RELAY_DROP);
	n = eap_typed(pkt, 2, 0x21, 3, "\x04"); /* a Nak */
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_DROP);
	ck_assert_int_eq(r.phase, EAP_RELAY_IDLE);
	/* an identity that cannot be a User-Name */
	n = eap_typed(pkt, 2, 0x21, 1, "al\tice");
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_REFUSE);
	n = eap_typed(pkt, 2, 0x21, 1, "");
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_REFUSE);
	ck_assert_uint_eq(p.id, 0x21);
	/* the identity */
	n = eap_typed(pkt, 2, 0x21, 1, "alice");
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_START);
	ck_assert_ptr_null(why);
	ck_assert_str_eq(r.user, "alice");
	ck_assert_uint_eq(r.rounds, 1);
	ck_assert_uint_eq(p.id, 0x21);
	ck_assert_uint_eq(p.len, n);
	/* RADIUS asks for MD5 with id 0x22 */
	n = eap_typed(req, 1, 0x22, 4, "\x10" "0123456789abcdef");
	eap_answer(&rp, CTL_AUTH_CHALLENGE, req, n, "state-1");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x21, &why), EAP_RELAY_NEXT_REQUEST);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(r.phase, EAP_RELAY_WAITING);
	ck_assert_uint_eq(r.request_len, n);
	ck_assert_mem_eq(r.request, req, n);
	ck_assert_uint_eq(eap_relay_request_id(&r), 0x22);
	ck_assert_uint_eq(r.state_len, 7);
	ck_assert_mem_eq(r.state, "state-1", 7);
	ck_assert_uint_eq(r.sends, 0);
	/* only the Response with the last Request's identifier counts now */
	n = eap_typed(pkt, 2, 0x21, 1, "alice"); /* pppd's Request again: not ours */
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x21, pkt, n, &p, &why), EAP_RELAY_DROP);
	n = eap_typed(pkt, 2, 0x23, 4, "\x10" "fedcba9876543210");
	ck_assert_int_eq(eap_relay_input(&r, 0, 0, pkt, n, &p, &why), EAP_RELAY_DROP);
	n = eap_typed(pkt, 2, 0x22, 4, "\x10" "fedcba9876543210");
	ck_assert_int_eq(eap_relay_input(&r, 0, 0, pkt, n, &p, &why), EAP_RELAY_FORWARD);
	ck_assert_uint_eq(r.rounds, 2);
	ck_assert_str_eq(r.user, "alice");
	/* a conversation that does not end */
	r.rounds = EAP_RELAY_MAX_ROUNDS;
	ck_assert_int_eq(eap_relay_input(&r, 0, 0, pkt, n, &p, &why), EAP_RELAY_REFUSE);
	ck_assert_ptr_nonnull(why);
	/* decided: nothing more */
	eap_relay_fail(&r, 0x22);
	ck_assert_int_eq(r.phase, EAP_RELAY_DONE);
	ck_assert_mem_eq(r.request, "\x04\x22\x00\x04", 4);
	ck_assert_int_eq(eap_relay_input(&r, 1, 0x22, pkt, n, &p, &why), EAP_RELAY_DROP);
}
END_TEST

START_TEST(eap_request_carries_response_identity_and_state)
{
	static struct eap_relay r;
	static struct ctl_eap_request rq;
	struct eap_relay_packet p;
	const char *why;
	uint8_t pkt[64];
	size_t n;

	memset(&r, 0, sizeof(r));
	memset(pkt, 0xee, sizeof(pkt));
	n = eap_typed(pkt, 2, 5, 1, "carol@example.org");
	ck_assert_int_eq(eap_relay_input(&r, 1, 5, pkt, sizeof(pkt), &p, &why), EAP_RELAY_START);
	ck_assert_int_eq(eap_relay_request(&r, pkt, &p, &rq), 0);
	ck_assert_str_eq(rq.user, "carol@example.org");
	ck_assert_uint_eq(rq.eap_len, n); /* without the padding */
	ck_assert_mem_eq(rq.eap, pkt, n);
	ck_assert(all_zero(rq.eap + n, sizeof(rq.eap) - n));
	ck_assert_uint_eq(rq.state_len, 0);
	memcpy(r.state, "\x01\x02\x03", 3);
	r.state_len = 3;
	ck_assert_int_eq(eap_relay_request(&r, pkt, &p, &rq), 0);
	ck_assert_uint_eq(rq.state_len, 3);
	ck_assert_mem_eq(rq.state, "\x01\x02\x03", 3);
	ck_assert(all_zero(rq.state + 3, sizeof(rq.state) - 3));
}
END_TEST

START_TEST(eap_answer_makes_success_or_failure)
{
	static struct eap_relay r;
	struct ctl_eap_reply rp;
	const char *why;
	uint8_t pkt[64];
	size_t n;

	/* an accept with RADIUS's Success, and one without: ours, with the Response's id */
	n = eap_packet(pkt, 3, 0x30, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_SUCCESS);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(r.phase, EAP_RELAY_DONE);
	ck_assert_uint_eq(r.request_len, 4);
	ck_assert_mem_eq(r.request, "\x03\x30\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x31, &why), EAP_RELAY_NEXT_SUCCESS);
	ck_assert_mem_eq(r.request, "\x03\x31\x00\x04", 4);
	/* an accept the peer could not take as one: a failure */
	n = eap_packet(pkt, 4, 0x30, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	ck_assert_mem_eq(r.request, "\x04\x30\x00\x04", 4);
	n = eap_packet(pkt, 3, 0x30, 5, NULL, 0); /* length field beyond eap_len */
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_FAILURE);
	n = eap_packet(pkt, 3, 0x30, 4, "xx", 2); /* eap_len beyond the length field */
	eap_answer(&rp, CTL_AUTH_ACCEPT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x30, &why), EAP_RELAY_NEXT_FAILURE);
	/* rejects: RADIUS's Failure, or ours */
	n = eap_packet(pkt, 4, 0x40, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_REJECT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x41, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_null(why);
	ck_assert_mem_eq(r.request, "\x04\x40\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_REJECT, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x41, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_null(why);
	ck_assert_mem_eq(r.request, "\x04\x41\x00\x04", 4);
	n = eap_packet(pkt, 3, 0x40, 4, NULL, 0); /* a "Success" with a reject */
	eap_answer(&rp, CTL_AUTH_REJECT, pkt, n, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x41, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	ck_assert_mem_eq(r.request, "\x04\x41\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_ERROR, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x42, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_mem_eq(r.request, "\x04\x42\x00\x04", 4);
	eap_answer(&rp, 99, pkt, 0, "");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x43, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	/* challenges that are none */
	n = eap_packet(pkt, 3, 0x50, 4, NULL, 0);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_ptr_nonnull(why);
	ck_assert_mem_eq(r.request, "\x04\x51\x00\x04", 4);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, 0, "s");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	n = eap_typed(pkt, 1, 0x50, 26, "x");
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	rp.eap_len = CTL_EAP_MAX + 1;
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	rp.state_len = CTL_EAP_STATE_MAX + 1;
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_FAILURE);
	ck_assert_int_eq(r.phase, EAP_RELAY_DONE);
	eap_answer(&rp, CTL_AUTH_CHALLENGE, pkt, n, "s");
	ck_assert_int_eq(eap_relay_answer(&r, &rp, 0x51, &why), EAP_RELAY_NEXT_REQUEST);
	ck_assert_int_eq(r.phase, EAP_RELAY_WAITING);
}
END_TEST

START_TEST(eap_frame_is_request_then_round_without_gap)
{
	static struct ctl_eap_request rq;
	static uint8_t got[EAP_MESSAGE_SIZE];
	struct ctl_request head;

	ck_assert_uint_eq(sizeof(struct ctl_eap_request), 2116);
	ck_assert_uint_eq(sizeof(struct ctl_eap_reply), 2148);
	memset(&rq, 0, sizeof(rq));
	report_copy_string(rq.user, sizeof(rq.user), "alice");
	rq.eap_len = (uint16_t)eap_typed(rq.eap, 2, 1, 1, "alice");
	ck_assert_uint_eq(report_eap_frame(got, 300, 9, &rq), EAP_MESSAGE_SIZE);
	memcpy(&head, got, sizeof(head));
	ck_assert_uint_eq(head.magic, CTL_MAGIC);
	ck_assert_uint_eq(head.version, CTL_VERSION);
	ck_assert_uint_eq(head.command, CTL_EAP);
	ck_assert_uint_eq(head.tunnel_id, 300);
	ck_assert_uint_eq(head.session_id, 9);
	ck_assert_mem_eq(got + sizeof(head), &rq, sizeof(rq));
}
END_TEST

static void eap_start_fake(struct fake_daemon *d, enum fake_answer answer, int32_t status,
			   const struct ctl_eap_reply *answer_body)
{
	fake_start(d, answer, status);
	d->request_size = EAP_MESSAGE_SIZE;
	d->extra = answer_body;
	d->extra_len = answer_body ? sizeof(*answer_body) : 0;
}

static void sample_eap_request(struct ctl_eap_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	report_copy_string(rq->user, sizeof(rq->user), "alice");
	rq->eap_len = (uint16_t)eap_typed(rq->eap, 2, 0x22, 26, "mschapv2 response");
	rq->state_len = 3;
	memcpy(rq->state, "st1", 3);
}

START_TEST(eap_round_trip_brings_the_next_request)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply answer, got;
	static uint8_t want[EAP_MESSAGE_SIZE];
	struct fake_daemon d;
	int32_t daemon_status = -1;
	uint8_t req[32];
	size_t n;

	sample_eap_request(&rq);
	n = eap_typed(req, 1, 0x23, 26, "challenge");
	eap_answer(&answer, CTL_AUTH_CHALLENGE, req, n, "state-2");
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 300, 9, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, 0);
	ck_assert_uint_eq(d.got_len, EAP_MESSAGE_SIZE); /* and nothing after */
	report_eap_frame(want, 300, 9, &rq);
	ck_assert_mem_eq(d.got, want, EAP_MESSAGE_SIZE);
	ck_assert_uint_eq(got.base.result, CTL_AUTH_CHALLENGE);
	ck_assert_uint_eq(got.eap_len, n);
	ck_assert_mem_eq(got.eap, req, n);
	ck_assert_uint_eq(got.state_len, 7);
	ck_assert_mem_eq(got.state, "state-2", 7);
	/* an accept, with what it grants */
	eap_answer(&answer, CTL_AUTH_ACCEPT, (const uint8_t *)"\x03\x23\x00\x04", 4, "");
	answer.base.framed_ip = htonl(0xc0a82a4d);
	answer.base.idle_timeout_s = 600;
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 300, 9, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_uint_eq(got.base.result, CTL_AUTH_ACCEPT);
	ck_assert_uint_eq(got.base.framed_ip, htonl(0xc0a82a4d));
	ck_assert_uint_eq(got.base.idle_timeout_s, 600);
	ck_assert_uint_eq(got.eap_len, 4);
}
END_TEST

START_TEST(eap_refusal_has_no_answer)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply got;
	struct fake_daemon d;
	int32_t daemon_status = 0;

	sample_eap_request(&rq);
	eap_start_fake(&d, ANSWER_STATUS, -EOPNOTSUPP, NULL);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_int_eq(daemon_status, -EOPNOTSUPP);
}
END_TEST

START_TEST(eap_rejects_garbage_answers)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply answer, got;
	struct ctl_auth_reply verdict = { .result = CTL_AUTH_CHALLENGE }, auth_got;
	struct ctl_auth_request auth_rq;
	struct fake_daemon d;
	int32_t daemon_status = 0;

	sample_eap_request(&rq);
	eap_answer(&answer, 7, NULL, 0, "");
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), -EPROTO);
	fake_stop(&d);
	eap_answer(&answer, CTL_AUTH_CHALLENGE, NULL, 0, "");
	answer.eap_len = CTL_EAP_MAX + 1;
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), -EPROTO);
	fake_stop(&d);
	eap_answer(&answer, CTL_AUTH_CHALLENGE, NULL, 0, "");
	answer.state_len = CTL_EAP_STATE_MAX + 1;
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), -EPROTO);
	fake_stop(&d);
	/* a message without its NUL is cut to fit */
	eap_answer(&answer, CTL_AUTH_REJECT, NULL, 0, "");
	memset(answer.base.message, 'm', sizeof(answer.base.message));
	eap_start_fake(&d, ANSWER_STATUS, 0, &answer);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got), 0);
	fake_stop(&d);
	ck_assert_uint_eq(strlen(got.base.message), sizeof(got.base.message) - 1);
	/* half an answer, then the daemon hangs up */
	eap_start_fake(&d, ANSWER_THEN_CLOSE, 0, NULL);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 2000, &daemon_status, &got),
			 -ECONNRESET);
	fake_stop(&d);
	/* CTL_AUTH has no challenge */
	ck_assert_int_eq(report_auth_pap(&auth_rq, "alice", "pw"), 0);
	auth_start_fake(&d, ANSWER_STATUS, 0, &verdict);
	ck_assert_int_eq(report_auth_send(d.path, 1, 2, &auth_rq, 2000, &daemon_status, &auth_got),
			 -EPROTO);
	fake_stop(&d);
}
END_TEST

START_TEST(eap_gives_up_at_its_timeout)
{
	static struct ctl_eap_request rq;
	static struct ctl_eap_reply got;
	struct fake_daemon d;
	struct timespec start;
	int32_t daemon_status = 0;
	int64_t took;

	sample_eap_request(&rq);
	eap_start_fake(&d, ANSWER_NEVER, 0, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ck_assert_int_eq(report_eap_send(d.path, 1, 2, &rq, 300, &daemon_status, &got),
			 -ETIMEDOUT);
	took = elapsed_ms(&start);
	fake_stop(&d);
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 1500);
	ck_assert_uint_eq(d.got_len, EAP_MESSAGE_SIZE);
}
END_TEST

static Suite *eap_relay_suite(void)
{
	Suite *s = suite_create("pppd plugin EAP relay");
	TCase *pure = tcase_create("pure");
	TCase *socket_tc = tcase_create("socket");

	tcase_add_test(pure, eap_parse_checks_every_length);
	tcase_add_test(pure, eap_build_success_and_failure);
	tcase_add_test(pure, eap_identity_is_bounded_and_printable);
	tcase_add_test(pure, eap_input_takes_the_identity_then_follows_identifiers);
	tcase_add_test(pure, eap_request_carries_response_identity_and_state);
	tcase_add_test(pure, eap_answer_makes_success_or_failure);
	tcase_add_test(pure, eap_frame_is_request_then_round_without_gap);
	suite_add_tcase(s, pure);
	tcase_add_test(socket_tc, eap_round_trip_brings_the_next_request);
	tcase_add_test(socket_tc, eap_refusal_has_no_answer);
	tcase_add_test(socket_tc, eap_rejects_garbage_answers);
	tcase_add_test(socket_tc, eap_gives_up_at_its_timeout);
	suite_add_tcase(s, socket_tc);
	return s;
}

int main(void)
{
	return check_run_tap(eap_relay_suite());
}
