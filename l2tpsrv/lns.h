/*
 * lns: the L2TP network server's control plane (RFC 2661) without I/O.
 *
 * It owns the tunnels and sessions and their state machines (tunnel.c,
 * session.c). The daemon (server.c) hands it every datagram and every
 * timer expiry and gives it a way to send; the unit tests, the fuzz
 * harness and the benchmark do the same with no sockets at all.
 *
 * Times are CLOCK_MONOTONIC microseconds, passed in by the caller.
 */
#ifndef L2TPSRV_LNS_H
#define L2TPSRV_LNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "dataplane.h"
#include "transport.h"

#define LNS_NO_DEADLINE UINT64_MAX

/* Where a datagram came from and arrived at. */
struct lns_addr {
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct sockaddr_storage local; /* our address it was sent to (for replies) */
	socklen_t local_len;
	int ifindex;                   /* interface it came in on, 0 if unknown */
	int listener;                  /* the server's socket it came in on; replies leave by it */
	/*
	 * Opaque here, like the addresses: the datagram's mark (the server's
	 * SO_MARK: which IPsec SA it came through; 0 for none). A tunnel's
	 * addr has the bits of it io->admit() said are its peer's (mark_mask:
	 * with address and port, they are who the peer is) and the mark its
	 * datagrams leave with (reply_mark); both are 0 in what lns_input() is
	 * given.
	 */
	uint32_t mark;
	uint32_t mark_mask;
	uint32_t reply_mark;
};

/* What io->admit() gives the tunnel an SCCRQ starts. */
struct lns_admission {
	uint64_t owner;      /* the IKE SA that protects the peer, 0 for none */
	uint32_t mark_mask;  /* the bits of the datagrams' mark that name the peer's SA */
	uint32_t reply_mark; /* what everything sent for the tunnel leaves with */
};

/* The ids of an established call, both ends. */
struct lns_call {
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t peer_tunnel_id;
	uint16_t peer_session_id;
};

/* "address:port" ("[v6address]:port"), as logs and l2tpctl show it. */
void lns_sockaddr_string(const struct sockaddr_storage *ss, char *buf, size_t len);

/*
 * Why an established call ended, for accounting (Acct-Terminate-Cause):
 * the first reason to touch a session or its tunnel wins.
 */
enum lns_end {
	LNS_END_ERROR = 0, /* a protocol error or a failure of ours */
	LNS_END_PEER,      /* the LAC's CDN or StopCCN: the user hung up */
	LNS_END_LOST,      /* the peer stopped answering (retransmits, HELLO) */
	LNS_END_ADMIN,     /* lns_close_session() or lns_close_tunnel() */
	LNS_END_SHUTDOWN,  /* lns_shutdown() */
	LNS_END_IPSEC,     /* lns_abort_tunnel(): the IPsec SA went */
	LNS_END_PPP,       /* lns_session_ended(): PPP ended first */
};

/* "error", "peer", ... for logs. */
const char *lns_end_name(enum lns_end end);

/*
 * What happened to a tunnel or call, for the per-peer history (history.h):
 * the steps of its setup and why it failed or ended. The log lines say the
 * same; these are for l2tpctl diagnose.
 */
enum lns_event_kind {
	LNS_EV_REFUSED,        /* an SCCRQ io->admit() refused (no IPsec SA): dropped */
	LNS_EV_SCCRQ,          /* an SCCRQ taken: text is the peer's Host Name */
	LNS_EV_SCCRQ_REJECTED, /* an SCCRQ answered with StopCCN at once: result, error, text */
	LNS_EV_TUNNEL_UP,      /* SCCCN: established; authenticated says with the secret */
	LNS_EV_TUNNEL_STOP,    /* we stop the tunnel (StopCCN): result, error, text */
	LNS_EV_TUNNEL_STOPPED, /* the peer's StopCCN: result, error, text its message */
	LNS_EV_TUNNEL_LOST,    /* the peer stopped acknowledging */
	LNS_EV_CALL,           /* ICRQ (or OCRQ) taken */
	LNS_EV_CALL_REJECTED,  /* ICRQ refused with CDN: result, error, text */
	LNS_EV_CALL_UP,        /* ICCN: the session is established */
	LNS_EV_CALL_STOP,      /* we end the call (CDN): result, error, text */
	LNS_EV_CALL_STOPPED,   /* the peer's CDN: result, error, text its message */
};

struct lns_event {
	enum lns_event_kind kind;
	const struct sockaddr_storage *peer;
	uint16_t tunnel_id;
	uint16_t session_id; /* ours, 0 for tunnel events */
	uint16_t result;     /* Result Code, when the kind has one */
	uint16_t error;
	bool established;    /* the tunnel or call was established before this */
	bool authenticated;  /* LNS_EV_TUNNEL_UP: the peer answered our challenge */
	const char *text;    /* printable, may be "" */
};

struct lns_io {
	/* Sends one datagram to addr->peer from addr->local. */
	void (*send)(void *ctx, const struct lns_addr *addr, const uint8_t *pkt, size_t len);
	/*
	 * Arms (or with LNS_NO_DEADLINE, disarms) the one timer of a tunnel.
	 * When it fires, call lns_timer(). A tunnel's timer is disarmed before
	 * the tunnel is freed.
	 */
	void (*timer)(void *ctx, uint16_t tunnel_id, uint64_t deadline);
	/*
	 * Only when the data path wants_tunnel_socket: opens the tunnel's own
	 * UDP socket (on our address in addr->local, and the listener's port
	 * or, for nat-port, a port of its own; connected to addr->peer) and
	 * returns it, or a negative errno; and
	 * closes it once the data path has let go of the tunnel.
	 */
	int (*tunnel_socket_open)(void *ctx, uint16_t tunnel_id, const struct lns_addr *addr);
	void (*tunnel_socket_close)(void *ctx, uint16_t tunnel_id);
	/*
	 * Optional (NULL: send is used): sends one of the tunnel's datagrams
	 * while it has its own socket, by that socket, which may be bound to
	 * another port than the listener's (natport.h).
	 */
	void (*tunnel_send)(void *ctx, uint16_t tunnel_id, const struct lns_addr *addr,
			    const uint8_t *pkt, size_t len);
	/*
	 * Optional (NULL: skipped). session_up: a call is established and
	 * the data path holds its session; attach PPP to it. A negative errno
	 * ends the call (CDN) and session_down is not called for it.
	 * session_down: an established call is going (the data path session
	 * is deleted right after); let go of its PPP, which ends for end. Neither may call back
	 * into the lns; use lns_session_ended() later, from the event loop.
	 */
	int (*session_up)(void *ctx, const struct lns_call *call);
	void (*session_down)(void *ctx, uint16_t tunnel_id, uint16_t session_id,
			     enum lns_end end);
	/*
	 * Optional (NULL: everyone may). Asked for every control message
	 * for tunnel 0 (SCCRQ, or a StopCCN before our tunnel id was known),
	 * before anything is decoded or answered: 0 takes it, and what it
	 * fills in (zeroed first) goes with the tunnel: from the answer to
	 * this message on, everything sent for it leaves with reply_mark, and
	 * only datagrams whose mark has the same mark_mask bits as this one's
	 * are its peer's. A negative errno drops it without a word.
	 */
	int (*admit)(void *ctx, const struct lns_addr *addr, struct lns_admission *out);
	/*
	 * Optional (NULL: not told). A tunnel or call lifecycle event
	 * (struct lns_event), as it happens. Must not call back into the lns.
	 */
	void (*event)(void *ctx, const struct lns_event *ev);
};

struct lns;

/*
 * cfg and dp must outlive the lns; dp is not freed by lns_free().
 * Returns NULL on allocation failure.
 */
struct lns *lns_new(const struct l2tpsrv_config *cfg, struct dataplane *dp,
		    const struct lns_io *io, void *io_ctx);
/* Frees every tunnel and session at once, without telling the peers. */
struct lns *lns_free(struct lns *lns);

/* One received UDP datagram (control or data). */
void lns_input(struct lns *lns, uint64_t now, const struct lns_addr *addr, const uint8_t *pkt,
	       size_t len);
/* The tunnel's timer fired. */
void lns_timer(struct lns *lns, uint64_t now, uint16_t tunnel_id);

/* Administrative actions. Return 0 or -ENOENT. */
int lns_close_tunnel(struct lns *lns, uint64_t now, uint16_t tunnel_id);
int lns_close_session(struct lns *lns, uint64_t now, uint16_t tunnel_id, uint16_t session_id);
/*
 * The session's PPP ended on our side (pppd exited): sends CDN with
 * cdn_result (RFC 2661 section 4.4.2) and the text why, and frees the
 * session. lns_close_session() is this with result 3 (administrative).
 * Returns 0 or -ENOENT.
 */
int lns_session_ended(struct lns *lns, uint64_t now, uint16_t tunnel_id, uint16_t session_id,
		      uint16_t cdn_result, const char *why);
/* PPP negotiated a new ACCM for the session: tell the LAC (SLI). */
int lns_session_set_accm(struct lns *lns, uint64_t now, uint16_t tunnel_id,
			 uint16_t session_id, uint32_t send_accm, uint32_t recv_accm);
/*
 * The tunnel's protection went away (its IPsec SA): sends StopCCN (result
 * 1, why as the message) once, ends its sessions and frees it at once,
 * waiting for no acknowledgement: the peer can no longer be reached
 * safely. Returns 0 or -ENOENT.
 */
int lns_abort_tunnel(struct lns *lns, uint64_t now, uint16_t tunnel_id, const char *why);
/* The IKE SA that protects the tunnel's peer (0: none). Returns 0 or -ENOENT. */
int lns_tunnel_owner(const struct lns *lns, uint16_t tunnel_id, uint64_t *owner);
/* Another IKE SA now protects the tunnel's peer. Returns 0 or -ENOENT. */
int lns_set_tunnel_owner(struct lns *lns, uint16_t tunnel_id, uint64_t owner);

/*
 * Stops every tunnel (StopCCN, result "shutting down") and refuses new
 * ones. lns_is_idle() becomes true once every StopCCN we sent was acknowledged or
 * given up on.
 */
void lns_shutdown(struct lns *lns, uint64_t now);
bool lns_is_idle(const struct lns *lns);

/* --- what the control socket shows --- */

struct lns_tunnel_info {
	uint16_t tunnel_id;
	uint16_t peer_tunnel_id;
	const char *state;
	const char *peer;      /* "address:port" */
	const struct sockaddr_storage *peer_addr;
	uint64_t owner;        /* from io->admit(), 0 for none */
	uint32_t mark;         /* its SCCRQ's mark (the mark_mask bits): its messages have it */
	uint32_t reply_mark;   /* from io->admit(): what it sends with */
	const char *host_name; /* the peer's Host Name, printable */
	unsigned int sessions;
	uint64_t established_usec; /* 0 when not established yet */
	struct transport_stats transport;
};

struct lns_session_info {
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t peer_session_id;
	const char *state;
	uint32_t call_serial_number;
	const char *calling_number; /* printable, may be "" */
	const char *called_number;
	uint32_t tx_connect_speed;
	uint32_t send_accm;   /* as set by the last SLI, 0xffffffff by default */
	uint32_t recv_accm;
	unsigned int wen_count;
	struct {
		uint32_t crc_errors, framing_errors, hardware_overruns, buffer_overruns,
			timeout_errors, alignment_errors;
	} errors; /* from the last WEN */
	uint64_t established_usec;
};

struct lns_counters {
	unsigned int tunnels;
	unsigned int sessions;
	uint64_t tunnels_established; /* since start */
	uint64_t sessions_established;
	uint64_t packets_dropped;     /* malformed, unknown tunnel, wrong peer, refused */
	uint64_t refused;             /* tunnel 0 messages io->admit() refused */
	uint64_t data_packets;        /* data messages seen in user space */
	/* setups that failed (stats.h's phases "tunnel" and "session") */
	uint64_t tunnels_failed;      /* SCCRQ taken, the tunnel ended before SCCCN */
	uint64_t sessions_failed;     /* ICRQ or OCRQ taken, the call ended before established */
	uint64_t refused_tunnel_limit;  /* SCCRQs refused: max_tunnels, max_tunnels_per_peer */
	uint64_t refused_session_limit; /* calls refused: max_sessions, max_sessions_per_tunnel */
};

void lns_get_counters(const struct lns *lns, struct lns_counters *c);
/* Calls fn for each tunnel, in tunnel id order; stops when fn returns false. */
void lns_foreach_tunnel(const struct lns *lns,
			bool (*fn)(void *ctx, const struct lns_tunnel_info *info), void *ctx);
void lns_foreach_session(const struct lns *lns, uint16_t tunnel_id,
			 bool (*fn)(void *ctx, const struct lns_session_info *info), void *ctx);

#endif
