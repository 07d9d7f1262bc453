/*
 * dataplane: what the control plane asks of the packet path.
 *
 * The state machines call these when a tunnel or session comes up or goes
 * away, and when the LAC reports a new ACCM (SLI). Three implementations:
 * the null one here, which records what it was asked (unit tests, fuzzing,
 * the benchmark, and the daemon with "dataplane = null"), the kernel
 * one (PPPoL2TP), and a userspace one (pppd on a pty) for kernels without
 * L2TP.
 */
#ifndef L2TPSRV_DATAPLANE_H
#define L2TPSRV_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct dp_tunnel {
	uint16_t tunnel_id;
	uint16_t peer_tunnel_id;
	const struct sockaddr *peer;
	socklen_t peer_len;
	const struct sockaddr *local;
	socklen_t local_len;
	int fd; /* the tunnel's own UDP socket (bound, connected), or -1 */
	/*
	 * The mark its peer's datagrams carry (the IPsec SA's) and the bits of
	 * it that count; both 0 for a peer whose SA has no mark. With address
	 * and port, they tell apart clients behind one NAT.
	 */
	uint32_t mark;
	uint32_t mark_mask;
};

/* Who sent a data message. */
struct dp_source {
	const struct sockaddr *peer; /* its source address and port */
	socklen_t peer_len;
	uint32_t mark; /* its mark; 0 when unmarked or the kernel gives none (SO_RCVMARK) */
};

struct dp_session {
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t peer_session_id;
	bool sequencing; /* the LAC sent Sequencing Required */
};

struct dataplane;

struct dataplane_ops {
	const char *name;
	/*
	 * The kernel needs a UDP socket per tunnel, bound to our address and
	 * port and connected to the peer: the daemon opens it before
	 * tunnel_add (dp_tunnel.fd) and reads the tunnel's control messages
	 * from it until the tunnel is deleted.
	 */
	bool wants_tunnel_socket;
	/*
	 * Its sessions carry PPP frames to a local pppd, through a PPPoL2TP
	 * socket or the pty of session_tty(): the daemon starts a pppd on
	 * each established session.
	 */
	bool carries_ppp;
	/* Return 0 or a negative errno; the control plane then fails the call. */
	int (*tunnel_add)(struct dataplane *dp, const struct dp_tunnel *t);
	void (*tunnel_del)(struct dataplane *dp, uint16_t tunnel_id);
	int (*session_add)(struct dataplane *dp, const struct dp_session *s);
	void (*session_del)(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id);
	int (*session_set_accm)(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id,
				uint32_t send_accm, uint32_t recv_accm);
	/*
	 * Userspace data paths: a data message (T bit 0) read from any of the
	 * daemon's sockets. Its header's tunnel id says whose it is, and src
	 * must be that tunnel's peer: the socket it came on says nothing, as
	 * the kernel hands a datagram to any one of the sockets connected to
	 * its address and port (clients behind one NAT).
	 */
	void (*data_input)(struct dataplane *dp, const struct dp_source *src, const uint8_t *pkt,
			   size_t len);
	/*
	 * Userspace data paths: the tty pppd is to run on for this (added)
	 * session; its path into path. 0 or -errno. NULL: pppd gets a
	 * PPPoL2TP socket.
	 */
	int (*session_tty)(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id,
			   char *path, size_t size);
	void (*free)(struct dataplane *dp);
};

struct dataplane {
	const struct dataplane_ops *ops;
};

/* NULL is fine; returns NULL. */
struct dataplane *dataplane_free(struct dataplane *dp);

/* --- the null data path --- */

enum dp_null_op {
	DP_NULL_TUNNEL_ADD,
	DP_NULL_TUNNEL_DEL,
	DP_NULL_SESSION_ADD,
	DP_NULL_SESSION_DEL,
	DP_NULL_SESSION_SET_ACCM,
	DP_NULL_N_OPS,
};

struct dp_null_event {
	enum dp_null_op op;
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t peer_id; /* peer tunnel or session id on *_ADD */
	bool sequencing;
	uint32_t send_accm;
	uint32_t recv_accm;
};

#define DP_NULL_HISTORY 64

struct dataplane *dataplane_null_new(void);
/* How many times op was asked, since creation. */
unsigned long dataplane_null_count(const struct dataplane *dp, enum dp_null_op op);
/* Tunnels and sessions added and not deleted. */
unsigned long dataplane_null_live_tunnels(const struct dataplane *dp);
unsigned long dataplane_null_live_sessions(const struct dataplane *dp);
/* The n-th most recent request (0 = last); false when there is none. */
bool dataplane_null_recent(const struct dataplane *dp, unsigned int n, struct dp_null_event *ev);
/* Makes the next `count` calls of op (an add or a set) fail with err (tests of failure paths). */
void dataplane_null_fail_next(struct dataplane *dp, enum dp_null_op op, int err, unsigned int count);

/* --- the kernel data path --- */

/*
 * PPPoL2TP through the kernel's "l2tp" generic netlink family: tunnels on
 * the daemon's per-tunnel UDP sockets, PPP sessions that pppd attaches to.
 * NULL and *err a negative errno when the family cannot be reached
 * (-ENOENT: no l2tp_netlink module).
 */
struct dataplane *dataplane_kernel_new(int *err);

/* --- the userspace data path --- */

/*
 * For kernels without L2TP: pppd runs on a pty per session, in async HDLC
 * framing (hdlc.h), and this data path moves its frames between the pty
 * master and the tunnel's UDP socket on the daemon's event loop. The
 * daemon hands it the data messages it reads (data_input) and starts pppd
 * on session_tty().
 */
typedef struct sd_event sd_event;

struct dp_user_counters {
	uint64_t from_pty_frames;      /* good frames read from ptys and sent to the peer */
	uint64_t from_pty_bytes;       /* their PPP octets */
	uint64_t to_pty_frames;        /* frames of data messages written or queued to ptys */
	uint64_t to_pty_bytes;         /* their PPP octets */
	uint64_t drop_bad_header;      /* data messages with a malformed L2TP header */
	uint64_t drop_unknown_tunnel;  /* ... for no tunnel of ours, or from another peer or SA
					* than the tunnel's */
	uint64_t drop_unknown_session; /* ... for no session of the tunnel */
	uint64_t drop_bad_fcs;         /* frames from ptys with a bad FCS */
	uint64_t drop_bad_frame;       /* frames either way too short, too long or aborted */
	uint64_t drop_pty_full;        /* frames that found their pty and its queue full */
	uint64_t drop_send;            /* frames whose send() to the peer failed */
	uint64_t pty_errors;           /* reads or writes of a pty master that failed */
};

/* NULL when out of memory. Takes a reference to event. */
struct dataplane *dataplane_user_new(sd_event *event);
/* Since creation. dp must be a userspace data path. */
void dataplane_user_get_counters(const struct dataplane *dp, struct dp_user_counters *c);

#endif
