/*
 * transport: reliable delivery of control messages on one tunnel
 * (RFC 2661 section 5.8 and Appendix A).
 *
 * It numbers what it sends (Ns), acknowledges what it receives (Nr,
 * piggybacked or as a delayed ZLB), retransmits with exponential backoff,
 * honours the peer's Receive Window Size under a slow-start/congestion-
 * avoidance window, drops duplicates (acknowledging them) and queues
 * out-of-order messages within our window. It knows nothing of what the
 * messages mean.
 *
 * There is no clock or timer inside: every call takes the current time
 * (CLOCK_MONOTONIC, microseconds), and the owner arms one timer for
 * transport_next_deadline() and calls transport_tick() when it fires.
 */
#ifndef L2TPSRV_TRANSPORT_H
#define L2TPSRV_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "header.h"

#define TRANSPORT_NO_DEADLINE UINT64_MAX

struct transport_config {
	uint16_t receive_window;      /* ours, advertised in SCCRP (>= 1) */
	uint64_t rto_initial_usec;    /* first retransmission timeout (RFC: 1 s) */
	uint64_t rto_max_usec;        /* cap on the backoff (RFC: at least 8 s) */
	unsigned int max_retransmits; /* then the peer is gone (RFC: 5) */
	uint64_t ack_delay_usec;      /* wait for a message to piggyback on before a ZLB */
	unsigned int max_queued;      /* messages waiting for the window; then -ENOBUFS */
};

struct transport_ops {
	/* Sends one datagram. A failed send is treated as a loss. */
	void (*send)(void *ctx, const uint8_t *pkt, size_t len);
	/*
	 * Hands over one control message, in Ns order, exactly once. body is
	 * what follows the header. The callback may call transport_send()
	 * (an answer then carries the acknowledgement) but must not free the
	 * transport: the owner frees it outside of any transport call.
	 */
	void (*deliver)(void *ctx, uint16_t session_id, const uint8_t *body, size_t len);
	/* max_retransmits reached without an acknowledgement. Called once. */
	void (*failed)(void *ctx);
};

struct transport_stats {
	uint64_t sent;            /* messages sent for the first time */
	uint64_t retransmitted;
	uint64_t delivered;
	uint64_t duplicates;
	uint64_t out_of_order;    /* queued ahead of a gap */
	uint64_t out_of_window;   /* dropped */
	uint64_t zlb_sent;
	uint64_t zlb_received;
	uint16_t cwnd;
	uint16_t ssthresh;
	uint16_t peer_window;
	uint16_t unacked;         /* sent, not yet acknowledged */
	uint16_t queued;          /* waiting for the window */
	uint16_t ns;              /* next Ns we send */
	uint16_t nr;              /* next Ns we expect */
};

struct transport;

struct transport *transport_new(const struct transport_config *cfg,
				const struct transport_ops *ops, void *ctx);
/* Drops everything unsent or unacknowledged; NULL is fine. Returns NULL. */
struct transport *transport_free(struct transport *t);

/*
 * Sets the peer's tunnel id (header of everything sent) and its Receive
 * Window Size (0 means the AVP was absent: RFC default 4).
 */
void transport_set_peer(struct transport *t, uint16_t peer_tunnel_id, uint16_t peer_window);

/*
 * Queues one control message (body: the AVPs) for reliable delivery and
 * sends it when the window allows. Returns 0 or -ENOBUFS / -EMSGSIZE.
 */
int transport_send(struct transport *t, uint64_t now, uint16_t session_id, const uint8_t *body,
		   size_t len);

/*
 * Takes one received control packet (header parsed; body after it, empty
 * for a ZLB): processes Nr, then delivers, queues or drops by Ns.
 */
void transport_recv(struct transport *t, uint64_t now, const struct l2tp_header *h,
		    const uint8_t *body, size_t len);

/*
 * The peer cleared the connection (StopCCN): drops every message not yet
 * acknowledged, since nobody will take it, and stops retransmitting.
 * What arrives is still acknowledged.
 */
void transport_abandon(struct transport *t);

/* Does what is due at now: retransmissions, the delayed ZLB, failure. */
void transport_tick(struct transport *t, uint64_t now);
/* When transport_tick() has something to do, or TRANSPORT_NO_DEADLINE. */
uint64_t transport_next_deadline(const struct transport *t);

/* True when everything sent has been acknowledged and nothing waits. */
bool transport_is_idle(const struct transport *t);
/* The longest a message may go unacknowledged before failed(): the sum of all timeouts. */
uint64_t transport_give_up_usec(const struct transport_config *cfg);
void transport_get_stats(const struct transport *t, struct transport_stats *s);

#endif
