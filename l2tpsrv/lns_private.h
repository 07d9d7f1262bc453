/*
 * lns_private: the objects shared by lns.c (tables, dispatch), tunnel.c
 * (control connection state machine) and session.c (call state machine).
 * Nothing outside those three files includes this.
 */
#ifndef L2TPSRV_LNS_PRIVATE_H
#define L2TPSRV_LNS_PRIVATE_H

#include <netinet/in.h>

#include "lns.h"
#include "message.h"

#define LNS_PEER_BUCKETS 4096
#define LNS_SESSION_BUCKETS 16384
#define LNS_PEER_STR_LEN (INET6_ADDRSTRLEN + 8)
#define LNS_NAME_LEN 64
#define LNS_CHALLENGE_LEN 16

enum tunnel_state {
	TUNNEL_IDLE,          /* created for an SCCRQ not yet handled */
	TUNNEL_WAIT_CTL_CONN, /* SCCRP sent, waiting for SCCCN */
	TUNNEL_ESTABLISHED,
	TUNNEL_STOPPING,      /* we sent StopCCN; holding until it is acknowledged */
	TUNNEL_STOPPED,       /* the peer sent StopCCN; holding to acknowledge repeats */
	TUNNEL_DEAD,          /* to be freed by lns.c outside any callback */
};

enum session_state {
	SESSION_WAIT_CONNECT, /* ICRP sent, waiting for ICCN */
	SESSION_ESTABLISHED,
};

struct tunnel;

/*
 * A peer with tunnels, for max_tunnels_per_peer: an address (any port)
 * and the mark its SCCRQs were admitted with (the mark_mask bits: the
 * IPsec SA's, 0 without SA marks). Clients behind one NAT each have a
 * budget of their own when their SAs are marked, and share one when not.
 */
struct lns_host {
	struct lns_host *next;
	struct sockaddr_storage addr;
	uint32_t mark;
	unsigned int tunnels;
};

struct session {
	struct session *hash_next; /* lns->sessions chain */
	struct session *prev, *next; /* the tunnel's list */
	struct tunnel *tunnel;
	uint16_t id;
	uint16_t peer_id;
	enum session_state state;
	bool outgoing;   /* created by OCRQ rather than ICRQ */
	bool dp_added;
	bool ppp_up;     /* io->session_up() took the call; session_down() is owed */
	bool end_set;    /* end is known */
	enum lns_end end;
	bool sequencing;
	uint32_t call_serial_number;
	uint32_t tx_connect_speed;
	uint32_t rx_connect_speed;
	uint32_t framing_type;
	uint32_t send_accm;
	uint32_t recv_accm;
	char calling_number[LNS_NAME_LEN];
	char called_number[LNS_NAME_LEN];
	unsigned int wen_count;
	struct l2tp_call_errors errors;
	uint64_t established_usec;
	uint64_t created_usec;
};

struct tunnel {
	struct tunnel *peer_next; /* lns->by_peer chain (key: address, port, peer id) */
	struct lns_host *host;    /* counts the tunnels of the peer's address and mark */
	struct lns *lns;
	uint16_t id;
	uint16_t peer_id;
	enum tunnel_state state;
	struct lns_addr addr;
	uint64_t owner;            /* io->admit()'s: the IKE SA protecting the peer */
	char peer_str[LNS_PEER_STR_LEN];
	char host_name[LNS_NAME_LEN];
	struct transport *transport;
	struct session *sessions;
	unsigned int n_sessions;
	uint8_t challenge[LNS_CHALLENGE_LEN]; /* what we asked the peer to answer */
	bool challenged;
	bool dp_added;
	bool has_socket;           /* io->tunnel_socket_open() gave us one */
	bool end_set;              /* end is known: its sessions end for it */
	enum lns_end end;
	uint64_t last_rx_usec;
	uint64_t hold_until_usec;  /* STOPPING/STOPPED: when to let go */
	uint64_t established_usec;
	uint64_t armed_deadline;   /* last deadline given to io->timer */
};

struct lns {
	const struct l2tpsrv_config *cfg;
	struct dataplane *dp;
	struct lns_io io;
	void *io_ctx;
	struct transport_config tcfg;
	uint64_t now;
	uint64_t rng;
	bool shutting_down;
	unsigned int n_tunnels;
	unsigned int n_sessions;
	struct lns_counters counters;
	uint64_t log_window_usec;   /* rate limit of notices strangers can cause */
	unsigned int log_in_window;
	unsigned int log_suppressed;
	struct tunnel *by_peer[LNS_PEER_BUCKETS];
	struct lns_host *hosts[LNS_PEER_BUCKETS];
	struct session *sessions[LNS_SESSION_BUCKETS];
	struct tunnel *tunnels[UINT16_MAX + 1]; /* by our tunnel id; [0] unused */
};

/* lns.c */
uint32_t lns_random_u32(struct lns *lns);
void lns_random_bytes(uint8_t *buf, size_t len);
struct session *lns_session_find(const struct lns *lns, uint16_t tunnel_id, uint16_t session_id);
/* Allocates an unused session id and links s into the tables (s->tunnel set). */
int lns_session_attach(struct lns *lns, struct session *s);
void lns_session_detach(struct lns *lns, struct session *s);
/* The hiding context for the tunnel secret, or NULL without one. */
const struct avp_hiding *lns_hiding(const struct lns *lns, struct avp_hiding *h);
/* "address:port" of the peer, for logs. */
void lns_addr_string(const struct lns_addr *addr, char *buf, size_t len);
/* Copies octets from the wire into a printable, quoted-log-safe string. */
void lns_printable(char *dst, size_t dst_len, const struct l2tp_bytes *b);
/* Tells io->event, if there is one, of ev (with the tunnel's peer when ev has none). */
void lns_report(struct lns *lns, const struct lns_event *ev);

/* tunnel.c */
struct tunnel *tunnel_new(struct lns *lns, uint16_t id, const struct lns_addr *addr,
			  uint16_t peer_id, uint16_t peer_window);
void tunnel_free(struct tunnel *t);
const char *tunnel_state_name(enum tunnel_state s);
void tunnel_recv(struct tunnel *t, const struct l2tp_header *h, const uint8_t *body, size_t len);
void tunnel_timer(struct tunnel *t);
uint64_t tunnel_deadline(const struct tunnel *t);
/* Sends StopCCN and holds the state; the one way a tunnel ends on our side. */
void tunnel_stop(struct tunnel *t, uint16_t result, uint16_t error, const char *text);
/* Why the tunnel's sessions end, unless they already know: the first call wins. */
void tunnel_set_end(struct tunnel *t, enum lns_end end);
/* tunnel_stop(), then DEAD at once: the StopCCN goes out once and nothing is held. */
void tunnel_abort(struct tunnel *t, const char *text);
/* Queues a message for the peer; session_id is the peer's (0 for the tunnel). */
int tunnel_send(struct tunnel *t, uint16_t session_id, const struct l2tp_msg *m);

/* session.c */
const char *session_state_name(enum session_state s);
/* A session-level message, decoded, for the session the header names. */
void session_recv(struct tunnel *t, uint16_t session_id, const struct l2tp_msg *m);
/* A session-level message that failed to decode (RFC 2661 4.2: end the session). */
void session_recv_bad(struct tunnel *t, uint16_t session_id, const struct l2tp_msg *m,
		      const struct l2tp_msg_error *err);
/*
 * Calls still waiting for ICCN: the earliest time one of them gives up,
 * and session_expire_waiting() ends those whose time has come (CDN,
 * result 10 "timeout").
 */
uint64_t session_waiting_deadline(const struct tunnel *t);
void session_expire_waiting(struct tunnel *t);
/* Why s ends (else its tunnel's reason, else LNS_END_ERROR): the first call wins. */
void session_set_end(struct session *s, enum lns_end end);
/* Sends CDN, removes the data path, frees s. */
void session_stop(struct session *s, uint16_t result, uint16_t error, const char *text);
int session_send_sli(struct session *s, uint32_t send_accm, uint32_t recv_accm);
/* Frees s without telling the peer (the tunnel is going). */
void session_free(struct session *s);

#endif
