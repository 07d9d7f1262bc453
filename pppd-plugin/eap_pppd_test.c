/*
 * Tests of eap_pppd.c, the EAP relay's glue to pppd, against a fake of the
 * pppd 2.4.9 it hooks into: eap_states, and an eap_protent whose lowerup,
 * lowerdown and protrej do with es_server.ea_state and pppd's retransmit
 * timer what eap.c's do; output(), timeout() and untimeout(); and
 * auth_peer_fail(), which takes the link down (EAP's lowerdown) as pppd's
 * lcp_close() does. l2tpsrv is a scripted function.
 *
 * Linked with -export-dynamic, so that eap_pppd.c finds eap_states' size
 * in the dynamic symbol table, as it does in pppd's.
 */
/* As eap_pppd.c: the same eap_state layout. */
#define USE_EAPTLS 1
#define CHAPMS 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pppd/pppd.h>
#include <pppd/eap.h>

#include "check_tap.h"
#include "eap_pppd.h"
#include "eap_relay.h"

#define PPP_EAP_PROTOCOL 0xc227
#define UNIT 0

/* ---- the fake pppd ---- */

eap_state eap_states[NUM_PPP];

static int pppd_inputs;      /* packets pppd's eap_input() got */
static int pppd_retransmits; /* Identity Requests pppd's timer resent */

/* pppd's static eap_server_timeout(): resends while eap_server_active(). */
static void pppd_server_timeout(void *arg)
{
	eap_state *esp = arg;

	if (!eap_server_active(esp))
		return;
	pppd_retransmits++;
	timeout(pppd_server_timeout, esp, esp->es_server.ea_timeout, 0);
}

static void pppd_eap_input(int unit, u_char *pkt, int len)
{
	(void)unit;
	(void)pkt;
	(void)len;
	pppd_inputs++;
}

static void pppd_eap_lowerup(int unit)
{
	eap_states[unit].es_client.ea_state = eapClosed;
	eap_states[unit].es_server.ea_state = eapClosed;
}

/* eap.c's eap_lowerdown(), for the server side. */
static void pppd_eap_lowerdown(int unit)
{
	eap_state *esp = &eap_states[unit];

	if (eap_server_active(esp) && esp->es_server.ea_timeout > 0)
		untimeout(pppd_server_timeout, esp);
	esp->es_client.ea_state = esp->es_server.ea_state = eapInitial;
	esp->es_server.ea_requests = 0;
}

/* eap.c's eap_protrej(), for the server side. */
static void pppd_eap_protrej(int unit)
{
	if (eap_server_active(&eap_states[unit]))
		auth_peer_fail(unit, PPP_EAP_PROTOCOL);
	pppd_eap_lowerdown(unit);
}

struct protent eap_protent = {
	.protocol = PPP_EAP_PROTOCOL,
	.input = pppd_eap_input,
	.protrej = pppd_eap_protrej,
	.lowerup = pppd_eap_lowerup,
	.lowerdown = pppd_eap_lowerdown,
	.enabled_flag = 1,
	.name = "EAP",
};

/* What went to the peer. */
#define MAX_SENT 16
static u_char sent[MAX_SENT][PPP_HDRLEN + CTL_EAP_MAX];
static int sent_len[MAX_SENT];
static int n_sent;

void output(int unit, u_char *p, int len)
{
	(void)unit;
	ck_assert_int_lt(n_sent, MAX_SENT);
	ck_assert_int_le(len, (int)sizeof(sent[0]));
	memcpy(sent[n_sent], p, (size_t)len);
	sent_len[n_sent++] = len;
}

/* pppd's callout list, in the order armed (every timer here has the same period). */
struct callout_entry {
	void (*func)(void *);
	void *arg;
	int secs;
};
#define MAX_CALLOUTS 16
static struct callout_entry callouts[MAX_CALLOUTS];
static int n_callouts;

void timeout(void (*func)(void *), void *arg, int secs, int usecs)
{
	(void)usecs;
	ck_assert_int_lt(n_callouts, MAX_CALLOUTS);
	callouts[n_callouts++] = (struct callout_entry){ func, arg, secs };
}

void untimeout(void (*func)(void *), void *arg)
{
	for (int i = 0; i < n_callouts; i++)
		if (callouts[i].func == func && callouts[i].arg == arg) {
			memmove(&callouts[i], &callouts[i + 1],
				(size_t)(n_callouts - i - 1) * sizeof(callouts[0]));
			n_callouts--;
			return;
		}
}

/* Timers armed: pppd's own (pppd_server_timeout), or the relay's (any other). */
static int pending(int relay)
{
	int n = 0;

	for (int i = 0; i < n_callouts; i++)
		n += (callouts[i].func == pppd_server_timeout) != relay;
	return n;
}

/* Fires the first timer that is pppd's (relay 0) or the relay's (relay 1). */
static void fire(int relay)
{
	for (int i = 0; i < n_callouts; i++)
		if ((callouts[i].func == pppd_server_timeout) != relay) {
			struct callout_entry c = callouts[i];

			untimeout(c.func, c.arg);
			c.func(c.arg);
			return;
		}
	ck_abort_msg("no such timer");
}

static int fails, successes;
static char success_name[256];

/* auth.c's: lcp_close() on an open link takes the upper layers down at once. */
void auth_peer_fail(int unit, int protocol)
{
	ck_assert_int_eq(protocol, PPP_EAP_PROTOCOL);
	fails++;
	eap_protent.lowerdown(unit);
}

void auth_peer_success(int unit, int protocol, int prot_flavor, char *name, int namelen)
{
	(void)unit;
	ck_assert_int_eq(protocol, PPP_EAP_PROTOCOL);
	ck_assert_int_eq(prot_flavor, 0);
	ck_assert_int_lt(namelen, (int)sizeof(success_name));
	memcpy(success_name, name, (size_t)namelen);
	success_name[namelen] = '\0';
	successes++;
}

/* pppd's log functions: counted, never formatted (pppd's %q is no printf's). */
static int errors;

void error(char *fmt, ...)
{
	(void)fmt;
	errors++;
}

void notice(char *fmt, ...)
{
	(void)fmt;
}

void info(char *fmt, ...)
{
	(void)fmt;
}

void dbglog(char *fmt, ...)
{
	(void)fmt;
}

/* ---- the fake l2tpsrv ---- */

#define MAX_ROUNDS 8
static struct ctl_eap_request asked[MAX_ROUNDS];
static struct ctl_eap_reply answers[MAX_ROUNDS];
static int n_asked, n_answers;
static struct ctl_auth_reply granted;
static int grants;

static void fake_ask(const struct ctl_eap_request *rq, struct ctl_eap_reply *reply)
{
	ck_assert_int_lt(n_asked, MAX_ROUNDS);
	asked[n_asked] = *rq;
	if (n_asked < n_answers) {
		*reply = answers[n_asked];
	} else { /* l2tpsrv could not be asked */
		memset(reply, 0, sizeof(*reply));
		reply->base.result = CTL_AUTH_ERROR;
	}
	n_asked++;
}

static void fake_grant(const struct ctl_auth_reply *g)
{
	granted = *g;
	grants++;
}

/* l2tpsrv's next answer: result, an EAP packet (len octets), a State. */
static struct ctl_eap_reply *answer(uint32_t result, const void *eap, size_t len,
				    const char *state)
{
	struct ctl_eap_reply *rp = &answers[n_answers++];

	memset(rp, 0, sizeof(*rp));
	rp->base.result = result;
	rp->eap_len = (uint16_t)len;
	if (len)
		memcpy(rp->eap, eap, len);
	rp->state_len = (uint16_t)strlen(state);
	memcpy(rp->state, state, rp->state_len);
	return rp;
}

/* ---- the peer ---- */

/* An EAP packet of code, id and type with data, its length field exact. */
static size_t eap(uint8_t *out, uint8_t code, uint8_t id, uint8_t type, const char *data)
{
	size_t n = 5 + strlen(data);

	out[0] = code;
	out[1] = id;
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	out[4] = type;
	memcpy(out + 5, data, n - 5);
	return n;
}

static void peer_sends(const uint8_t *pkt, size_t len)
{
	static u_char buf[CTL_EAP_MAX + 64];

	memcpy(buf, pkt, len);
	eap_protent.input(UNIT, buf, (int)len);
}

static void peer_sends_identity(uint8_t id, const char *name)
{
	uint8_t pkt[300];

	peer_sends(pkt, eap(pkt, 2, id, 1, name));
}

/* The packet sent i-th went to the peer as EAP, and is these octets. */
static void assert_sent(int i, const void *eap_packet, size_t len)
{
	ck_assert_int_gt(n_sent, i);
	ck_assert_int_eq(sent_len[i], PPP_HDRLEN + (int)len);
	ck_assert_mem_eq(sent[i], "\xff\x03\xc2\x27", 4);
	ck_assert_mem_eq(sent[i] + PPP_HDRLEN, eap_packet, len);
}

/* pppd's link_established(): lowerup, then eap_authpeer()'s Identity Request. */
static void link_up(uint8_t identity_id)
{
	eap_state *esp = &eap_states[UNIT];

	eap_protent.lowerup(UNIT);
	esp->es_server.ea_id = identity_id;
	esp->es_server.ea_state = eapIdentify;
	timeout(pppd_server_timeout, esp, esp->es_server.ea_timeout, 0);
}

static void setup(void)
{
	/* pppd's handlers again: with CK_FORK=no, tests share one process */
	eap_protent.input = pppd_eap_input;
	eap_protent.protrej = pppd_eap_protrej;
	eap_protent.lowerup = pppd_eap_lowerup;
	eap_protent.lowerdown = pppd_eap_lowerdown;
	pppd_inputs = pppd_retransmits = n_sent = n_callouts = 0;
	fails = successes = errors = grants = n_asked = n_answers = 0;
	memset(eap_states, 0, sizeof(eap_states));
	eap_states[UNIT].es_server.ea_timeout = 3;     /* eap-restart */
	eap_states[UNIT].es_server.ea_maxrequests = 3; /* eap-max-sreq */
	eap_pppd_install();
	link_up(0x21);
}

static void enable(void)
{
	eap_pppd_enable(fake_ask, fake_grant);
}

/* ---- tests ---- */

START_TEST(passes_everything_through_until_enabled)
{
	uint8_t pkt[64];

	ck_assert_ptr_ne(eap_protent.input, pppd_eap_input); /* installed */
	peer_sends_identity(0x21, "alice");
	ck_assert_int_eq(pppd_inputs, 1);
	enable();
	ck_assert_int_eq(errors, 0); /* eap_states' size was found right */
	/* what is not a Response is pppd's: us as the client */
	peer_sends(pkt, eap(pkt, 1, 7, 1, ""));
	peer_sends((const uint8_t *)"\x03\x07\x00\x04", 4);
	peer_sends((const uint8_t *)"\x04\x07\x00\x04", 4);
	peer_sends((const uint8_t *)"\x02\x07", 2);
	ck_assert_int_eq(pppd_inputs, 5);
	ck_assert_int_eq(n_asked, 0);
	/* a Response never is, once l2tpsrv authenticates */
	peer_sends_identity(0x21, "alice");
	ck_assert_int_eq(pppd_inputs, 5);
	ck_assert_int_eq(n_asked, 1);
}
END_TEST

START_TEST(relays_a_conversation_to_success)
{
	eap_state *esp = &eap_states[UNIT];
	uint8_t identity[64], req[64], resp[64];
	size_t identity_len, req_len, resp_len;
	struct ctl_eap_reply *accept;

	enable();
	req_len = eap(req, 1, 0x22, 4, "\x10" "0123456789abcdef");
	answer(CTL_AUTH_CHALLENGE, req, req_len, "state-1");
	accept = answer(CTL_AUTH_ACCEPT, NULL, 0, "");
	accept->base.framed_ip = 0x4d2aa8c0;
	accept->base.session_timeout_s = 3600;

	identity_len = eap(identity, 2, 0x21, 1, "alice");
	peer_sends(identity, identity_len);
	ck_assert_int_eq(n_asked, 1);
	ck_assert_str_eq(asked[0].user, "alice");
	ck_assert_uint_eq(asked[0].eap_len, identity_len);
	ck_assert_mem_eq(asked[0].eap, identity, identity_len);
	ck_assert_uint_eq(asked[0].state_len, 0);
	/* the conversation is ours: pppd's timer, when it fires, does nothing */
	ck_assert(!eap_server_active(esp));
	ck_assert_int_eq(esp->es_server.ea_state, eapBadAuth);
	ck_assert_int_eq(pending(0), 1);
	fire(0);
	ck_assert_int_eq(pppd_retransmits, 0);
	ck_assert_int_eq(pending(0), 0);
	/* RADIUS's Request went out, with a timer to resend it */
	ck_assert_int_eq(n_sent, 1);
	assert_sent(0, req, req_len);
	ck_assert_int_eq(pending(1), 1);
	ck_assert_int_eq(callouts[0].secs, 3);

	resp_len = eap(resp, 2, 0x22, 4, "\x10" "fedcba9876543210");
	peer_sends(resp, resp_len);
	ck_assert_int_eq(n_asked, 2);
	ck_assert_str_eq(asked[1].user, "alice");
	ck_assert_mem_eq(asked[1].eap, resp, resp_len);
	ck_assert_uint_eq(asked[1].state_len, 7);
	ck_assert_mem_eq(asked[1].state, "state-1", 7);
	/* accepted: our Success (RADIUS sent none), then pppd is told */
	ck_assert_int_eq(n_sent, 2);
	assert_sent(1, "\x03\x22\x00\x04", 4);
	ck_assert_int_eq(successes, 1);
	ck_assert_str_eq(success_name, "alice");
	ck_assert_int_eq(grants, 1);
	ck_assert_uint_eq(granted.framed_ip, 0x4d2aa8c0);
	ck_assert_uint_eq(granted.session_timeout_s, 3600);
	ck_assert_int_eq(esp->es_server.ea_state, eapOpen);
	ck_assert_int_eq(n_callouts, 0);
	ck_assert_int_eq(fails, 0);
	/* decided: a late Response changes nothing */
	peer_sends(resp, resp_len);
	ck_assert_int_eq(n_asked, 2);
	ck_assert_int_eq(n_sent, 2);
	ck_assert_int_eq(successes, 1);
}
END_TEST

START_TEST(resends_the_request_then_gives_up)
{
	eap_state *esp = &eap_states[UNIT];
	uint8_t req[64];
	size_t req_len;

	enable();
	req_len = eap(req, 1, 0x22, 26, "mschapv2 challenge");
	answer(CTL_AUTH_CHALLENGE, req, req_len, "");
	peer_sends_identity(0x21, "alice");
	ck_assert_int_eq(n_sent, 1);
	fire(1);
	fire(1); /* eap-max-sreq 3: sent three times */
	ck_assert_int_eq(n_sent, 3);
	assert_sent(1, req, req_len);
	assert_sent(2, req, req_len);
	ck_assert_int_eq(fails, 0);
	fire(1);
	ck_assert_int_eq(n_sent, 4);
	assert_sent(3, "\x04\x22\x00\x04", 4);
	ck_assert_int_eq(fails, 1);
	/* the link went down: both timers gone, pppd's state reset */
	ck_assert_int_eq(n_callouts, 0);
	ck_assert_int_eq(esp->es_server.ea_state, eapInitial);
	ck_assert_int_eq(successes, 0);
	ck_assert_int_eq(n_asked, 1);
}
END_TEST

START_TEST(reject_sends_the_failure_radius_sent)
{
	enable();
	answer(CTL_AUTH_REJECT, "\x04\x21\x00\x04", 4, "");
	peer_sends_identity(0x21, "mallory");
	ck_assert_int_eq(n_sent, 1);
	assert_sent(0, "\x04\x21\x00\x04", 4);
	ck_assert_int_eq(fails, 1);
	ck_assert_int_eq(successes, 0);
	ck_assert_int_eq(grants, 0);
	ck_assert_int_eq(n_callouts, 0);
}
END_TEST

START_TEST(no_answer_from_l2tpsrv_fails_the_peer)
{
	enable();
	peer_sends_identity(0x21, "alice");
	ck_assert_int_eq(n_asked, 1);
	assert_sent(0, "\x04\x21\x00\x04", 4);
	ck_assert_int_eq(fails, 1);
}
END_TEST

START_TEST(accept_without_a_success_fails_the_peer)
{
	uint8_t req[16];

	enable();
	answer(CTL_AUTH_ACCEPT, req, eap(req, 1, 0x22, 4, "x"), "");
	peer_sends_identity(0x21, "alice");
	assert_sent(0, "\x04\x21\x00\x04", 4);
	ck_assert_int_eq(fails, 1);
	ck_assert_int_eq(successes, 0);
	ck_assert_int_eq(grants, 0);
}
END_TEST

START_TEST(drops_responses_that_are_not_ours)
{
	eap_state *esp = &eap_states[UNIT];
	uint8_t pkt[64], req[64];
	size_t req_len;

	enable();
	peer_sends_identity(0x20, "alice");                       /* not pppd's id */
	peer_sends(pkt, eap(pkt, 2, 0x21, 3, "\x1a"));            /* a Nak */
	peer_sends((const uint8_t *)"\x02\x21\x01\x00\x01x", 6); /* length field 256 */
	ck_assert_int_eq(n_asked, 0);
	ck_assert_int_eq(n_sent, 0);
	ck_assert_int_eq(esp->es_server.ea_state, eapIdentify); /* pppd's still */
	/* answered once: pppd's Identity Request is no longer out */
	req_len = eap(req, 1, 0x22, 4, "\x10" "0123456789abcdef");
	answer(CTL_AUTH_CHALLENGE, req, req_len, "");
	peer_sends_identity(0x21, "alice");
	peer_sends_identity(0x21, "alice");
	peer_sends(pkt, eap(pkt, 2, 0x23, 4, "\x10" "fedcba9876543210"));
	ck_assert_int_eq(n_asked, 1);
	ck_assert_int_eq(n_sent, 1);
	ck_assert_int_eq(pending(1), 1);
	ck_assert_int_eq(fails + successes, 0);
}
END_TEST

START_TEST(no_response_before_pppd_asks)
{
	enable();
	eap_states[UNIT].es_server.ea_state = eapClosed; /* LCP up, no Request yet */
	peer_sends_identity(0x21, "alice");
	ck_assert_int_eq(n_asked, 0);
	ck_assert_int_eq(pppd_inputs, 0);
}
END_TEST

START_TEST(refuses_an_identity_at_once)
{
	enable();
	peer_sends_identity(0x21, "al\x01ice");
	ck_assert_int_eq(n_asked, 0);
	assert_sent(0, "\x04\x21\x00\x04", 4);
	ck_assert_int_eq(fails, 1);
	ck_assert_int_eq(n_callouts, 0); /* pppd's timer too: lowerdown saw its state */
}
END_TEST

START_TEST(lowerdown_cancels_both_timers_and_forgets)
{
	eap_state *esp = &eap_states[UNIT];
	uint8_t req[64];
	size_t req_len;

	enable();
	req_len = eap(req, 1, 0x22, 13, "\x20");
	answer(CTL_AUTH_CHALLENGE, req, req_len, "state-1");
	peer_sends_identity(0x21, "alice");
	ck_assert_int_eq(pending(0), 1);
	ck_assert_int_eq(pending(1), 1);
	eap_protent.lowerdown(UNIT);
	ck_assert_int_eq(n_callouts, 0);
	ck_assert_int_eq(esp->es_server.ea_state, eapInitial);
	ck_assert_int_eq(fails, 0);
	/* LCP again: a new conversation, nothing of the old one */
	link_up(0x30);
	answer(CTL_AUTH_ACCEPT, NULL, 0, "");
	peer_sends_identity(0x30, "bob");
	ck_assert_int_eq(n_asked, 2);
	ck_assert_str_eq(asked[1].user, "bob");
	ck_assert_uint_eq(asked[1].state_len, 0);
	assert_sent(1, "\x03\x30\x00\x04", 4);
	ck_assert_int_eq(successes, 1);
	ck_assert_str_eq(success_name, "bob");
}
END_TEST

START_TEST(lowerup_forgets_the_last_conversation)
{
	enable();
	answer(CTL_AUTH_ACCEPT, NULL, 0, "");
	peer_sends_identity(0x21, "alice");
	ck_assert_int_eq(successes, 1);
	link_up(0x40); /* without a lowerdown seen by the relay */
	answer(CTL_AUTH_ACCEPT, NULL, 0, "");
	peer_sends_identity(0x40, "alice");
	ck_assert_int_eq(successes, 2);
}
END_TEST

START_TEST(protocol_reject_fails_an_undecided_peer_only)
{
	uint8_t req[64];

	enable();
	answer(CTL_AUTH_CHALLENGE, req, eap(req, 1, 0x22, 4, "\x10" "0123456789abcdef"), "");
	peer_sends_identity(0x21, "alice");
	eap_protent.protrej(UNIT);
	ck_assert_int_eq(fails, 1);
	ck_assert_int_eq(n_callouts, 0);
	/* after a success, a Protocol-Reject takes nothing back */
	link_up(0x30);
	answer(CTL_AUTH_ACCEPT, NULL, 0, "");
	peer_sends_identity(0x30, "alice");
	ck_assert_int_eq(successes, 1);
	eap_protent.protrej(UNIT);
	ck_assert_int_eq(fails, 1);
	ck_assert_int_eq(eap_states[UNIT].es_server.ea_state, eapInitial);
}
END_TEST

START_TEST(a_long_request_goes_out_whole)
{
	static uint8_t req[CTL_EAP_MAX];
	struct ctl_eap_reply *rp;

	enable();
	memset(req, 0xab, sizeof(req));
	req[0] = 1;
	req[1] = 0x22;
	req[2] = CTL_EAP_MAX >> 8;
	req[3] = CTL_EAP_MAX & 0xff;
	req[4] = 13; /* EAP-TLS */
	rp = answer(CTL_AUTH_CHALLENGE, req, sizeof(req), "");
	memset(rp->state, 's', CTL_EAP_STATE_MAX);
	rp->state_len = CTL_EAP_STATE_MAX;
	peer_sends_identity(0x21, "host/client.example.org");
	assert_sent(0, req, sizeof(req));
	ck_assert_int_eq(fails, 0);
}
END_TEST

static Suite *eap_pppd_suite(void)
{
	Suite *s = suite_create("pppd plugin EAP relay glue");
	TCase *tc = tcase_create("fake pppd");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, passes_everything_through_until_enabled);
	tcase_add_test(tc, relays_a_conversation_to_success);
	tcase_add_test(tc, resends_the_request_then_gives_up);
	tcase_add_test(tc, reject_sends_the_failure_radius_sent);
	tcase_add_test(tc, no_answer_from_l2tpsrv_fails_the_peer);
	tcase_add_test(tc, accept_without_a_success_fails_the_peer);
	tcase_add_test(tc, drops_responses_that_are_not_ours);
	tcase_add_test(tc, no_response_before_pppd_asks);
	tcase_add_test(tc, refuses_an_identity_at_once);
	tcase_add_test(tc, lowerdown_cancels_both_timers_and_forgets);
	tcase_add_test(tc, lowerup_forgets_the_last_conversation);
	tcase_add_test(tc, protocol_reject_fails_an_undecided_peer_only);
	tcase_add_test(tc, a_long_request_goes_out_whole);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(eap_pppd_suite());
}
