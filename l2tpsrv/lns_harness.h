/*
 * lns_harness: what the state machine tests (lns_test.c, lns_stop_test.c,
 * lns_dispatch_test.c, session_test.c, secret_test.c) put around one
 * struct lns: a fake clock, a fake io that queues every datagram the LNS
 * sends and records each tunnel's timer, the null data path, and fake LACs
 * that build messages with the real codec and keep their own Ns/Nr.
 *
 * Nothing here is the code under test: the tests assert on what comes out
 * of lns_input() and lns_timer() through the io and the data path only.
 */
#ifndef L2TPSRV_LNS_HARNESS_H
#define L2TPSRV_LNS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avp.h"
#include "config.h"
#include "dataplane.h"
#include "header.h"
#include "lns.h"
#include "message.h"
#include "protocol.h"

#define MS 1000ull
#define SEC 1000000ull
/* The fake clock starts here, well away from zero. */
#define H_EPOCH (1000 * SEC)
#define H_HOST_NAME "lns.test"
#define H_SECRET "s3cr3t-shared"
/*
 * When the transport gives up on an unacknowledged message under the RFC's
 * timers (1 s doubling to 8 s, 5 retransmissions): 1+2+4+8+8+8 s.
 */
#define GIVE_UP (31 * SEC)

/* One datagram the LNS sent, parsed and decoded (with the secret if any). */
struct rx {
	uint64_t at;
	struct lns_addr addr;
	uint8_t raw[L2TP_MAX_PACKET];
	size_t len;
	int header_rc;
	struct l2tp_header h;
	const uint8_t *body;
	size_t body_len;
	bool zlb;
	int rc; /* l2tp_msg_decode() */
	struct l2tp_msg m;
	struct l2tp_msg_error err;
};

struct sent;

/* What the lns told io->event (struct lns_event), kept for the tests. */
#define H_MAX_EVENTS 64
struct h_event {
	enum lns_event_kind kind;
	uint16_t tunnel_id, session_id, result, error;
	bool established, authenticated;
	char text[96];
};

struct harness {
	struct l2tpsrv_config cfg; /* set fields before h_start() */
	struct dataplane *dp;
	struct lns *lns;
	uint64_t now;
	struct sent **q; /* FIFO of what the LNS sent */
	size_t q_head, q_len, q_cap;
	uint64_t *deadline; /* [tunnel id], LNS_NO_DEADLINE when disarmed */
	struct rx rx; /* the last datagram popped */
	/* What the lns told the io of PPP (session_up / session_down). */
	unsigned int ppp_up, ppp_down;
	struct lns_call last_up;
	uint16_t last_down_tid, last_down_sid;
	enum lns_end last_down_end;
	int ppp_up_result; /* what session_up returns; 0 unless a test sets it */
	/*
	 * io->admit, installed only when admit_hook is set before h_start()
	 * (otherwise the lns has none). It returns admit_result (a negative
	 * errno refuses) and gives admit_owner, admit_mark_mask and
	 * admit_reply_mark, and counts its calls.
	 */
	bool admit_hook;
	int admit_result;
	uint64_t admit_owner;
	uint32_t admit_mark_mask;
	uint32_t admit_reply_mark;
	unsigned int admit_calls;
	struct lns_addr admit_last; /* the address of the last call */
	/* io->event's reports, the first H_MAX_EVENTS of them, oldest first */
	struct h_event events[H_MAX_EVENTS];
	size_t n_events;
};

/* A fake LAC at 192.0.2.<host>:<port>. */
struct lac {
	struct harness *h;
	struct lns_addr addr;
	uint16_t tid;     /* the LAC's tunnel id */
	uint16_t lns_tid; /* the LNS's, once the SCCRP came */
	uint16_t ns;      /* next Ns the LAC sends */
	uint16_t nr;      /* next Ns the LAC expects */
	uint16_t window;  /* Receive Window Size it advertises */
	const char *host_name;
	/* For tunnel authentication and hiding; secret_len 0 means none. */
	const uint8_t *secret;
	size_t secret_len;
	bool hide; /* hide what it sends (needs secret) */
	/* addr.mark is what its datagrams carry; these, what ours to it must */
	uint32_t mark_mask, reply_mark;
};

/* ---- harness ---- */

/* Defaults, then test-friendly settings: host name H_HOST_NAME, quiet log. */
struct harness *h_new(void);
/* Creates the lns over h->cfg (change h->cfg first). */
void h_start(struct harness *h);
/* h_new() and h_start(); or with the secret H_SECRET, hiding AVPs or not. */
struct harness *h_started(void);
struct harness *h_started_with_secret(bool hide);
void h_free(struct harness *h);

/* Runs every timer due up to h->now + usec, in deadline order. */
void h_advance(struct harness *h, uint64_t usec);
void h_run_until(struct harness *h, uint64_t when);

/* The newest event of kind the lns reported (fails the test when none). */
const struct h_event *h_event_last(const struct harness *h, enum lns_event_kind kind);
/* How many events of kind the lns reported. */
size_t h_events(const struct harness *h, enum lns_event_kind kind);

/* Datagrams sent and not yet popped. */
size_t h_pending(const struct harness *h);
/* Pops the oldest datagram into h->rx (NULL when none). */
struct rx *h_pop(struct harness *h);
/* Pops and drops everything queued; returns how many. */
size_t h_drain(struct harness *h);

uint64_t h_deadline(const struct harness *h, uint16_t tunnel_id);
struct lns_counters h_counters(const struct harness *h);
/* The tunnel's state name, or NULL when the lns has no such tunnel. */
const char *h_tunnel_state(const struct harness *h, uint16_t tunnel_id);
bool h_tunnel_info(const struct harness *h, uint16_t tunnel_id, struct lns_tunnel_info *info);
bool h_session_info(const struct harness *h, uint16_t tunnel_id, uint16_t session_id,
		    struct lns_session_info *info);
unsigned long h_dp(const struct harness *h, enum dp_null_op op);
/* The most recent data path request of op (fails the test when none). */
struct dp_null_event h_dp_last(const struct harness *h, enum dp_null_op op);
/* Feeds one raw datagram, as from addr, at the current time. */
void h_input(struct harness *h, const struct lns_addr *addr, const void *pkt, size_t len);

/* ---- inspecting what the LNS sent ---- */

/* Finds the first AVP of type in the message as sent (no unhiding). */
bool rx_raw_avp(const struct rx *r, uint16_t type, struct l2tp_avp *avp);
/* Asserts a StopCCN or CDN carrying result (and error, when error >= 0). */
void rx_assert_result(const struct rx *r, uint16_t type, uint16_t result, int error);

/* ---- messages ---- */

void msg_sccrq(struct l2tp_msg *m, uint16_t tid, const char *host, uint16_t window);
void msg_scccn(struct l2tp_msg *m);
void msg_stopccn(struct l2tp_msg *m, uint16_t tid, uint16_t result);
void msg_icrq(struct l2tp_msg *m, uint16_t sid, uint32_t serial);
void msg_iccn(struct l2tp_msg *m, uint32_t speed, bool sequencing);
void msg_ocrq(struct l2tp_msg *m, uint16_t sid, uint32_t serial, uint32_t max_bps);
void msg_cdn(struct l2tp_msg *m, uint16_t sid, uint16_t result);
void msg_wen(struct l2tp_msg *m, uint32_t crc, uint32_t framing, uint32_t overruns);
void msg_sli(struct l2tp_msg *m, uint32_t send_accm, uint32_t recv_accm);
/* Encodes m in clear into buf; append more AVPs with avp_write(w, ...). */
void body_start(struct writer *w, uint8_t *buf, size_t cap, const struct l2tp_msg *m);
/* MD5(type || secret || challenge), computed here independently of tunnel.c. */
void challenge_md5(uint8_t type, const void *secret, size_t secret_len, const uint8_t *challenge,
		   size_t len, uint8_t out[16]);

/* ---- the fake LAC ---- */

void lac_init(struct lac *l, struct harness *h, uint8_t host, uint16_t port, uint16_t tid);
/* The same at [2001:db8::<host>]:<port>. */
void lac_init_v6(struct lac *l, struct harness *h, uint8_t host, uint16_t port, uint16_t tid);
void lac_set_secret(struct lac *l, const char *secret);
/* Sends m (Ns l->ns++, Nr l->nr) to the LNS's tunnel (0 before the SCCRP). */
void lac_send(struct lac *l, uint16_t session_id, const struct l2tp_msg *m);
/* The same with a body built by hand (the AVPs only). */
void lac_send_body(struct lac *l, uint16_t session_id, const uint8_t *body, size_t len);
/* Sends with explicit header fields and no bookkeeping. */
void lac_send_raw(struct lac *l, uint16_t tid, uint16_t sid, uint16_t ns, uint16_t nr,
		  const uint8_t *body, size_t len);
/* Acknowledges everything received so far. */
void lac_send_zlb(struct lac *l);
/* Sends m with one more AVP (vendor, type, M bit, 4 octets) after its own. */
void lac_send_with_extra_avp(struct lac *l, uint16_t sid, const struct l2tp_msg *m,
			     uint16_t vendor, uint16_t type, bool mandatory);
/* Sends a message that is only a Message Type AVP (M bit as given). */
void lac_send_bare_type(struct lac *l, uint16_t type, bool mandatory);
void lac_send_hello(struct lac *l);
/*
 * Pops the next datagram, asserts that it went to this LAC (its address,
 * port, and mark under mark_mask) with its reply_mark and names its
 * tunnel, and moves the LAC's Nr past it when it is the next in order.
 */
struct rx *lac_recv(struct lac *l);
/* lac_recv(), skipping ZLBs, and asserts a decoded message of type. */
struct rx *lac_expect(struct lac *l, uint16_t type);
/* A StopCCN for this tunnel (Assigned Tunnel ID ours, session 0) with result and error. */
void lac_expect_stopccn(struct lac *l, uint16_t result, int error);
/* Asserts that nothing but ZLBs is queued (and drops them). */
void h_expect_only_zlbs(struct harness *h);
/* Asserts that nothing at all is queued. */
void h_expect_nothing(struct harness *h);

/* SCCRQ from the LAC's settings; returns the SCCRP and learns the LNS's tunnel id. */
struct rx *lac_start_tunnel(struct lac *l);
/* SCCRQ, SCCRP, SCCCN (with the challenge answered when asked); asserts established. */
void lac_open_tunnel(struct lac *l);
/* ICRQ, ICRP, ICCN; asserts established and returns the LNS's session id. */
uint16_t lac_open_session(struct lac *l, uint16_t peer_sid);

#endif
