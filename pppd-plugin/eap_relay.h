/*
 * eap_relay: the pppd-free half of relaying the peer's EAP authentication
 * to RADIUS through l2tpsrv (CTL_EAP): parsing and checking EAP packets,
 * deciding what to do with each Response the peer sends, turning
 * l2tpsrv's answer into the next packet for the peer, and building EAP
 * Success/Failure. eap_pppd.c is the glue to pppd (why and how: see
 * there); this part touches none of pppd's globals, so the unit test
 * links without pppd.
 *
 * Nothing here logs: the glue logs code, identifier, type and length,
 * never an EAP payload.
 */
#ifndef L2TPSRV_PPPD_EAP_RELAY_H
#define L2TPSRV_PPPD_EAP_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"

/* RFC 3748's codes and the one type we read; named apart from pppd's eap.h. */
#define EAP_RELAY_REQUEST 1
#define EAP_RELAY_RESPONSE 2
#define EAP_RELAY_SUCCESS 3
#define EAP_RELAY_FAILURE 4
#define EAP_RELAY_TYPE_IDENTITY 1
#define EAP_RELAY_HEADER_LEN 4 /* code, identifier, length */

/*
 * Rounds relayed in one conversation, the Identity Response included. An
 * EAP-TLS or PEAP handshake with long certificate chains takes a few dozen;
 * more means the peer and RADIUS are going round in circles.
 */
#define EAP_RELAY_MAX_ROUNDS 100

/* pppd loads plugins RTLD_GLOBAL: keep these names out of its symbol table. */
#pragma GCC visibility push(hidden)

/* An EAP packet's header, as eap_relay_parse() read it. */
struct eap_relay_packet {
	uint8_t code;
	uint8_t id;
	uint16_t len; /* the length field: the packet, header included */
	int type;     /* Request/Response: its Type; Success/Failure: -1 */
};

/*
 * Reads the EAP packet at pkt, avail octets being what PPP carried (which
 * may hold padding after it). 0, or -EINVAL when avail cannot hold a
 * header, when the length field is below 4, above avail or above
 * CTL_EAP_MAX, or for a Request or Response without its Type octet;
 * -EPROTO for a code RFC 3748 does not define.
 */
int eap_relay_parse(const uint8_t *pkt, size_t avail, struct eap_relay_packet *p);

/* Writes a 4-octet EAP Success or Failure into out; returns its length. */
uint16_t eap_relay_build(uint8_t out[EAP_RELAY_HEADER_LEN], uint8_t code, uint8_t id);

/*
 * Takes the name an Identity Response carries (data: the octets after the
 * Type, data_len of them) into user[size]: up to a NUL (RFC 4284 puts
 * options after one), then at least 1 and at most size - 1 octets, no
 * control character (C0 or DEL; UTF-8 is let through). -EINVAL otherwise,
 * with user "".
 */
int eap_relay_identity(const uint8_t *data, size_t data_len, char *user, size_t size);

enum eap_relay_phase {
	EAP_RELAY_IDLE = 0, /* pppd owns the conversation: its Identity Request is out */
	EAP_RELAY_WAITING,  /* ours: request is out, the peer's Response awaited */
	EAP_RELAY_DONE,     /* ours, decided: Success or Failure sent */
};

/* One conversation, from the peer's Identity Response on. */
struct eap_relay {
	enum eap_relay_phase phase;
	unsigned rounds;                   /* Responses relayed so far */
	unsigned sends;                    /* times request has been sent */
	char user[256];                    /* the identity: User-Name, peer_authname */
	uint16_t request_len;              /* the last packet for the peer */
	uint16_t state_len;                /* the last Access-Challenge's State */
	uint8_t request[CTL_EAP_MAX];
	uint8_t state[CTL_EAP_STATE_MAX];
};

/* What to do with a packet the peer sent, when l2tpsrv authenticates. */
enum eap_relay_action {
	EAP_RELAY_PASS,    /* not a Response: for pppd (us as the client) */
	EAP_RELAY_DROP,    /* a Response to ignore */
	EAP_RELAY_START,   /* the Identity Response to pppd's Request: r->user is set */
	EAP_RELAY_FORWARD, /* the Response to our last Request */
	EAP_RELAY_REFUSE,  /* the conversation cannot go on: send Failure */
};

/*
 * Decides about the EAP packet pkt (len octets of PPP payload) for r:
 * identify_pending says pppd's Identity Request, with identifier
 * identify_id, is out and ours is not (pppd's es_server.ea_state is
 * eapIdentify). *p gets the header when the packet is a Response that
 * parsed; *why a few words when the action is DROP or REFUSE. START
 * fills r->user and counts a round, FORWARD counts a round; neither
 * changes r->phase.
 */
enum eap_relay_action eap_relay_input(struct eap_relay *r, int identify_pending,
				      uint8_t identify_id, const uint8_t *pkt, size_t len,
				      struct eap_relay_packet *p, const char **why);

/*
 * The CTL_EAP request relaying the Response pkt (header p, from
 * eap_relay_input()) with r's identity and State. -ENAMETOOLONG when the
 * identity does not fit (it always does when eap_relay_input() set it).
 */
int eap_relay_request(const struct eap_relay *r, const uint8_t *pkt,
		      const struct eap_relay_packet *p, struct ctl_eap_request *rq);

/* What l2tpsrv's answer makes of the conversation. */
enum eap_relay_next {
	EAP_RELAY_NEXT_REQUEST, /* send r->request, a new Request; phase WAITING */
	EAP_RELAY_NEXT_SUCCESS, /* send r->request, the Success; phase DONE */
	EAP_RELAY_NEXT_FAILURE, /* send r->request, the Failure; phase DONE */
};

/*
 * Takes l2tpsrv's answer rp to the Response with identifier response_id.
 * CTL_AUTH_CHALLENGE with a well-formed Request becomes the next Request,
 * its State kept for the next round. CTL_AUTH_ACCEPT becomes RADIUS's
 * Success, or one built with response_id when it sent none; an accept
 * with an EAP packet that is not a well-formed Success is a Failure (the
 * peer would not take it as a success). Anything else is a Failure:
 * RADIUS's when it sent a well-formed one, else one built with
 * response_id. "Well-formed": eap_relay_parse() takes it and its length
 * field is rp->eap_len. Sets r->request, r->sends to 0, and r->phase;
 * *why says why an answer was not taken as it came, else is NULL.
 */
enum eap_relay_next eap_relay_answer(struct eap_relay *r, const struct ctl_eap_reply *rp,
				     uint8_t response_id, const char **why);

/* Ends the conversation with a Failure with identifier id in r->request. */
void eap_relay_fail(struct eap_relay *r, uint8_t id);

/* The identifier of the packet in r->request (0 when none). */
uint8_t eap_relay_request_id(const struct eap_relay *r);

#pragma GCC visibility pop

#endif
