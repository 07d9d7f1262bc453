/*
 * eap_pppd: with l2tpsrv-radius, the peer's EAP authentication (require-eap)
 * is relayed to RADIUS through l2tpsrv, one CTL_EAP round per EAP Response
 * (RFC 3579's pass-through: pppd does not run the EAP method, RADIUS does,
 * so EAP-MD5, EAP-MSCHAPv2, EAP-TLS, PEAP ... all work alike).
 *
 * Why it is done this way: pppd 2.4.9 has hooks for PAP and CHAP checks
 * (pap_auth_hook, chap_verify_hook) but none for EAP as authenticator; its
 * eap.c runs the methods itself, from its secrets files. So at plugin init
 * we take over eap_protent.input (pppd dispatches received packets through
 * protocols[], which points at eap_protent) and pass everything through to
 * pppd's eap_input() except the peer's Responses to us as authenticator,
 * and only once l2tpsrv-radius was given (options are parsed after
 * plugin_init). A Response is never given to pppd then: pppd must not
 * authenticate the peer from its own files.
 *
 * pppd itself still starts the conversation: link_established() calls
 * eap_authpeer(), which sends an Identity Request (es_server.ea_state
 * eapIdentify, identifier es_server.ea_id) and arms its static
 * eap_server_timeout(), which resends it while eap_server_active() (state
 * eapIdentify..eapMD5Chall). We cannot cancel that timer (its function is
 * static), so when the peer's Identity Response comes we neutralise it
 * instead: the state leaves the active range (eapBadAuth while we relay,
 * then eapOpen on success, eapBadAuth on failure, as eap.c's own
 * eap_send_success/failure leave it), and the timer, when it fires, does
 * nothing. From then on the conversation is ours: we send what RADIUS
 * sends (output()), retransmit the last Request every ea_timeout seconds
 * (pppd's eap-restart) up to ea_maxrequests sends (eap-max-sreq) with our
 * own timer, and end with auth_peer_success() or auth_peer_fail().
 *
 * The same wrapping for eap_protent.lowerup, lowerdown and protrej: they
 * cancel our timer and forget the conversation. pppd's eap_lowerdown()
 * cancels its timer only in an active state, so before calling it we put
 * the state back to eapIdentify when the conversation was ours (it then
 * sets eapInitial). pppd's eap_protrej() fails the peer only in an active
 * state: eapIdentify again while our conversation is undecided.
 *
 * The layout of pppd's eap_state depends on how pppd was built (USE_EAPTLS,
 * CHAPMS, as Debian's is); we build for that, and check at init that
 * pppd's eap_states has the size we expect (its symbol's size, dladdr1()).
 * When it does not, l2tpsrv-radius rejects every EAP peer rather than
 * touch memory we do not know.
 *
 * Everything that does not need pppd is in eap_relay.c, unit-tested; here
 * is only what touches pppd's globals. Only code, identifier, type and
 * length of EAP packets are logged, never their data.
 */

/* How Debian builds pppd 2.4.9 (pppd/Makefile.linux): eap.h's layout depends on it. */
#define USE_EAPTLS 1
#define CHAPMS 1

#include <dlfcn.h>
#include <link.h>
#include <string.h>

#include <pppd/pppd.h>
#include <pppd/eap.h>

#include "eap_pppd.h"
#include "eap_relay.h"

#ifndef PPP_EAP
#define PPP_EAP 0xc227 /* not in the C library's net/ppp_defs.h */
#endif

/* Where pppd's state is parked while we relay: outside eap_server_active(). */
#define PARKED eapBadAuth

static eap_pppd_ask_fn *ask_l2tpsrv;
static eap_pppd_grant_fn *grant;
static bool enabled;   /* l2tpsrv-radius */
static bool layout_ok; /* eap_states is laid out as we were built for */

/* pppd's own handlers, which we call for everything that is not ours. */
static void (*pppd_input)(int unit, u_char *pkt, int len);
static void (*pppd_lowerup)(int unit);
static void (*pppd_lowerdown)(int unit);
static void (*pppd_protrej)(int unit);

static struct eap_relay relay;
static int relay_unit;
/* One packet for the peer with its PPP header; outpacket_buf holds only PPP_MRU. */
static u_char frame[PPP_HDRLEN + CTL_EAP_MAX];

static const char *code_name(uint8_t code)
{
	switch (code) {
	case EAP_RELAY_REQUEST:
		return "Request";
	case EAP_RELAY_RESPONSE:
		return "Response";
	case EAP_RELAY_SUCCESS:
		return "Success";
	case EAP_RELAY_FAILURE:
		return "Failure";
	}
	return "?";
}

static void send_packet(int unit)
{
	u_char *outp = frame;

	MAKEHEADER(outp, PPP_EAP);
	memcpy(outp, relay.request, relay.request_len);
	dbglog("l2tpsrv: EAP %s id=%d len=%d to the peer", code_name(relay.request[0]),
	       relay.request[1], relay.request_len);
	output(unit, frame, PPP_HDRLEN + relay.request_len);
}

static void retransmit(void *arg);

/* Sends the Request in relay, and arms its retransmission. */
static void send_request(int unit)
{
	int secs = eap_states[unit].es_server.ea_timeout;

	send_packet(unit);
	relay.sends++;
	if (secs > 0)
		TIMEOUT(retransmit, &relay, secs);
}

/* Sends the Success or Failure in relay and tells pppd; relay may be reset after. */
static void finish(int unit, bool ok)
{
	char user[sizeof(relay.user)];

	UNTIMEOUT(retransmit, &relay);
	eap_states[unit].es_server.ea_state = ok ? eapOpen : eapBadAuth;
	send_packet(unit);
	/* auth_peer_* may take the link down, and lowerdown resets relay. */
	memcpy(user, relay.user, sizeof(user));
	user[sizeof(user) - 1] = '\0';
	if (!ok) {
		error("l2tpsrv: EAP authentication of %q failed", user);
		auth_peer_fail(unit, PPP_EAP);
		return;
	}
	notice("l2tpsrv: EAP authentication of %q succeeded", user);
	auth_peer_success(unit, PPP_EAP, 0, user, (int)strlen(user));
}

static void retransmit(void *arg)
{
	int max = eap_states[relay_unit].es_server.ea_maxrequests;

	(void)arg;
	if (relay.phase != EAP_RELAY_WAITING)
		return;
	if (max > 0 && relay.sends >= (unsigned)max) {
		error("l2tpsrv: EAP: no Response to Request id=%d after %u sends",
		      eap_relay_request_id(&relay), relay.sends);
		eap_relay_fail(&relay, eap_relay_request_id(&relay));
		finish(relay_unit, 0);
		return;
	}
	send_request(relay_unit);
}

/* Relays the Response pkt (header p) to l2tpsrv, and acts on its answer. */
static void relay_round(int unit, const u_char *pkt, const struct eap_relay_packet *p)
{
	struct ctl_eap_request rq;
	struct ctl_eap_reply reply;
	enum eap_relay_next next;
	const char *why;

	memset(&reply, 0, sizeof(reply));
	reply.base.result = CTL_AUTH_ERROR;
	dbglog("l2tpsrv: EAP Response id=%d type=%d len=%d from %q: round %u", p->id, p->type,
	       p->len, relay.user, relay.rounds);
	if (eap_relay_request(&relay, pkt, p, &rq) == 0)
		ask_l2tpsrv(&rq, &reply);
	explicit_bzero(&rq, sizeof(rq));
	next = eap_relay_answer(&relay, &reply, p->id, &why);
	if (why)
		error("l2tpsrv: EAP: l2tpsrv answered %s for %q: rejected", why, relay.user);
	if (next == EAP_RELAY_NEXT_REQUEST) {
		send_request(unit);
		return;
	}
	if (next == EAP_RELAY_NEXT_SUCCESS)
		grant(&reply.base);
	finish(unit, next == EAP_RELAY_NEXT_SUCCESS);
}

static void relay_input(int unit, u_char *pkt, int len)
{
	eap_state *esp = &eap_states[unit];
	struct eap_relay_packet p;
	enum eap_relay_action action;
	const char *why;

	if (!enabled || len < EAP_RELAY_HEADER_LEN || pkt[0] != EAP_RELAY_RESPONSE) {
		pppd_input(unit, pkt, len);
		return;
	}
	if (!layout_ok) {
		error("l2tpsrv: EAP: this pppd's EAP state is not the one the plugin was "
		      "built for: cannot relay EAP, peer rejected");
		auth_peer_fail(unit, PPP_EAP);
		return;
	}
	relay_unit = unit;
	action = eap_relay_input(&relay, esp->es_server.ea_state == eapIdentify,
				 esp->es_server.ea_id, pkt, (size_t)len, &p, &why);
	switch (action) {
	case EAP_RELAY_PASS: /* not a Response: cannot happen, checked above */
		pppd_input(unit, pkt, len);
		return;
	case EAP_RELAY_DROP:
		dbglog("l2tpsrv: EAP Response id=%d type=%d len=%d ignored: %s", p.id, p.type,
		       p.len, why);
		return;
	case EAP_RELAY_REFUSE:
		error("l2tpsrv: EAP Response id=%d type=%d len=%d: %s", p.id, p.type, p.len, why);
		eap_relay_fail(&relay, p.id);
		finish(unit, 0);
		return;
	case EAP_RELAY_START:
		/* From now on ours: pppd's Identity retransmissions stop. */
		esp->es_server.ea_state = PARKED;
		info("l2tpsrv: EAP identity %q: relaying to RADIUS through l2tpsrv", relay.user);
		break;
	case EAP_RELAY_FORWARD:
		UNTIMEOUT(retransmit, &relay);
		break;
	}
	relay_round(unit, pkt, &p);
}

/* Forgets our conversation, if there was one, and lets pppd's lowerdown cancel its timer. */
static void forget(int unit)
{
	if (relay.phase == EAP_RELAY_IDLE)
		return;
	UNTIMEOUT(retransmit, &relay);
	if (layout_ok)
		eap_states[unit].es_server.ea_state = eapIdentify;
	explicit_bzero(&relay, sizeof(relay));
}

static void relay_lowerup(int unit)
{
	UNTIMEOUT(retransmit, &relay);
	explicit_bzero(&relay, sizeof(relay));
	pppd_lowerup(unit);
}

static void relay_lowerdown(int unit)
{
	forget(unit);
	pppd_lowerdown(unit);
}

static void relay_protrej(int unit)
{
	bool undecided = relay.phase == EAP_RELAY_WAITING;

	UNTIMEOUT(retransmit, &relay);
	explicit_bzero(&relay, sizeof(relay));
	/*
	 * pppd fails the peer in an active state only: as if its own Request
	 * were out while ours is; a decided conversation stays decided.
	 */
	if (undecided && layout_ok)
		eap_states[unit].es_server.ea_state = eapIdentify;
	pppd_protrej(unit);
}

/* Whether pppd's eap_states is as big as the eap_state we were compiled with. */
static bool layout_matches(void)
{
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (!dladdr1((void *)eap_states, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym ||
	    info.dli_saddr != (void *)eap_states)
		return 0;
	return sym->st_size == sizeof(eap_states[0]) * NUM_PPP;
}

void eap_pppd_install(void)
{
	pppd_input = eap_protent.input;
	pppd_lowerup = eap_protent.lowerup;
	pppd_lowerdown = eap_protent.lowerdown;
	pppd_protrej = eap_protent.protrej;
	eap_protent.input = relay_input;
	eap_protent.lowerup = relay_lowerup;
	eap_protent.lowerdown = relay_lowerdown;
	eap_protent.protrej = relay_protrej;
	layout_ok = layout_matches();
}

void eap_pppd_enable(eap_pppd_ask_fn *ask, eap_pppd_grant_fn *grant_fn)
{
	ask_l2tpsrv = ask;
	grant = grant_fn;
	enabled = 1;
	if (!layout_ok)
		error("l2tpsrv: this pppd's EAP state is not the one the plugin was built for: "
		      "EAP peers will be rejected");
}
