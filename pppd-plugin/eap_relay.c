/*
 * eap_relay: relaying EAP to l2tpsrv, the part without pppd; see
 * eap_relay.h. Every packet from the peer or from l2tpsrv is checked
 * against its length field and CTL_EAP_MAX before it is used.
 */
#include <errno.h>
#include <string.h>

#include "eap_relay.h"

int eap_relay_parse(const uint8_t *pkt, size_t avail, struct eap_relay_packet *p)
{
	memset(p, 0, sizeof(*p));
	if (avail < EAP_RELAY_HEADER_LEN)
		return -EINVAL;
	p->code = pkt[0];
	p->id = pkt[1];
	p->len = (uint16_t)(pkt[2] << 8 | pkt[3]);
	p->type = -1;
	if (p->len < EAP_RELAY_HEADER_LEN || p->len > avail || p->len > CTL_EAP_MAX)
		return -EINVAL;
	switch (p->code) {
	case EAP_RELAY_REQUEST:
	case EAP_RELAY_RESPONSE:
		if (p->len < EAP_RELAY_HEADER_LEN + 1)
			return -EINVAL;
		p->type = pkt[EAP_RELAY_HEADER_LEN];
		return 0;
	case EAP_RELAY_SUCCESS:
	case EAP_RELAY_FAILURE:
		return 0;
	}
	return -EPROTO;
}

uint16_t eap_relay_build(uint8_t out[EAP_RELAY_HEADER_LEN], uint8_t code, uint8_t id)
{
	out[0] = code;
	out[1] = id;
	out[2] = 0;
	out[3] = EAP_RELAY_HEADER_LEN;
	return EAP_RELAY_HEADER_LEN;
}

int eap_relay_identity(const uint8_t *data, size_t data_len, char *user, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', data_len);
	size_t len = nul ? (size_t)(nul - data) : data_len;

	if (size == 0)
		return -EINVAL;
	user[0] = '\0';
	if (len == 0 || len >= size)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (data[i] < 0x20 || data[i] == 0x7f)
			return -EINVAL;
	memcpy(user, data, len);
	user[len] = '\0';
	return 0;
}

uint8_t eap_relay_request_id(const struct eap_relay *r)
{
	return r->request_len >= EAP_RELAY_HEADER_LEN ? r->request[1] : 0;
}

enum eap_relay_action eap_relay_input(struct eap_relay *r, int identify_pending,
				      uint8_t identify_id, const uint8_t *pkt, size_t len,
				      struct eap_relay_packet *p, const char **why)
{
	*why = NULL;
	memset(p, 0, sizeof(*p));
	/* pppd's eap_input() checks and logs what is not a Response. */
	if (len < EAP_RELAY_HEADER_LEN || pkt[0] != EAP_RELAY_RESPONSE)
		return EAP_RELAY_PASS;
	if (eap_relay_parse(pkt, len, p) < 0) {
		*why = "malformed";
		return EAP_RELAY_DROP;
	}
	switch (r->phase) {
	case EAP_RELAY_IDLE:
		if (!identify_pending) {
			*why = "no Request of ours is out";
			return EAP_RELAY_DROP;
		}
		if (p->id != identify_id) {
			*why = "not the identifier of the Identity Request";
			return EAP_RELAY_DROP;
		}
		if (p->type != EAP_RELAY_TYPE_IDENTITY) {
			*why = "not an Identity Response";
			return EAP_RELAY_DROP;
		}
		if (eap_relay_identity(pkt + EAP_RELAY_HEADER_LEN + 1,
				       p->len - EAP_RELAY_HEADER_LEN - 1u, r->user,
				       sizeof(r->user)) < 0) {
			*why = "empty, too long, or with control characters";
			return EAP_RELAY_REFUSE;
		}
		r->rounds = 1;
		return EAP_RELAY_START;
	case EAP_RELAY_WAITING:
		if (p->id != eap_relay_request_id(r)) {
			*why = "not the identifier of the last Request";
			return EAP_RELAY_DROP;
		}
		if (r->rounds >= EAP_RELAY_MAX_ROUNDS) {
			*why = "too many rounds";
			return EAP_RELAY_REFUSE;
		}
		r->rounds++;
		return EAP_RELAY_FORWARD;
	case EAP_RELAY_DONE:
		break;
	}
	*why = "authentication already decided";
	return EAP_RELAY_DROP;
}

int eap_relay_request(const struct eap_relay *r, const uint8_t *pkt,
		      const struct eap_relay_packet *p, struct ctl_eap_request *rq)
{
	size_t user_len = strnlen(r->user, sizeof(r->user));

	memset(rq, 0, sizeof(*rq));
	if (user_len >= sizeof(rq->user) || p->len > CTL_EAP_MAX ||
	    r->state_len > CTL_EAP_STATE_MAX)
		return -ENAMETOOLONG;
	memcpy(rq->user, r->user, user_len);
	rq->eap_len = p->len;
	memcpy(rq->eap, pkt, p->len);
	rq->state_len = r->state_len;
	memcpy(rq->state, r->state, r->state_len);
	return 0;
}

void eap_relay_fail(struct eap_relay *r, uint8_t id)
{
	r->request_len = eap_relay_build(r->request, EAP_RELAY_FAILURE, id);
	r->sends = 0;
	r->phase = EAP_RELAY_DONE;
}

/* Whether rp->eap is one whole packet with code. */
static int answer_is(const struct ctl_eap_reply *rp, uint8_t code)
{
	struct eap_relay_packet p;

	return rp->eap_len <= CTL_EAP_MAX && eap_relay_parse(rp->eap, rp->eap_len, &p) == 0 &&
	       p.len == rp->eap_len && p.code == code;
}

/* Takes rp->eap (checked by answer_is()) as the packet for the peer. */
static void take_packet(struct eap_relay *r, const struct ctl_eap_reply *rp,
			enum eap_relay_phase phase)
{
	memcpy(r->request, rp->eap, rp->eap_len);
	r->request_len = rp->eap_len;
	r->sends = 0;
	r->phase = phase;
}

enum eap_relay_next eap_relay_answer(struct eap_relay *r, const struct ctl_eap_reply *rp,
				     uint8_t response_id, const char **why)
{
	*why = NULL;
	switch (rp->base.result) {
	case CTL_AUTH_CHALLENGE:
		if (!answer_is(rp, EAP_RELAY_REQUEST)) {
			*why = "a challenge without a well-formed EAP Request";
			break;
		}
		if (rp->state_len > CTL_EAP_STATE_MAX) {
			*why = "a challenge with a State too long";
			break;
		}
		take_packet(r, rp, EAP_RELAY_WAITING);
		memcpy(r->state, rp->state, rp->state_len);
		r->state_len = rp->state_len;
		return EAP_RELAY_NEXT_REQUEST;
	case CTL_AUTH_ACCEPT:
		if (rp->eap_len == 0) {
			r->request_len = eap_relay_build(r->request, EAP_RELAY_SUCCESS, response_id);
			r->sends = 0;
			r->phase = EAP_RELAY_DONE;
			return EAP_RELAY_NEXT_SUCCESS;
		}
		if (answer_is(rp, EAP_RELAY_SUCCESS)) {
			take_packet(r, rp, EAP_RELAY_DONE);
			return EAP_RELAY_NEXT_SUCCESS;
		}
		*why = "an accept whose EAP packet is not a well-formed Success";
		break;
	case CTL_AUTH_REJECT:
	case CTL_AUTH_ERROR:
		if (answer_is(rp, EAP_RELAY_FAILURE)) {
			take_packet(r, rp, EAP_RELAY_DONE);
			return EAP_RELAY_NEXT_FAILURE;
		}
		if (rp->eap_len)
			*why = "a reject whose EAP packet is not a well-formed Failure";
		break;
	default:
		*why = "an unknown result";
		break;
	}
	eap_relay_fail(r, response_id);
	return EAP_RELAY_NEXT_FAILURE;
}
