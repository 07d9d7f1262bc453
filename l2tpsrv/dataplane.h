/*
 * dataplane: what the control plane asks of the packet path.
 *
 * The state machines call these when a tunnel or session comes up or goes
 * away, and when the LAC reports a new ACCM (SLI). Two implementations:
 * the null one here, which records what it was asked (unit tests, fuzzing,
 * the benchmark, and the daemon with "dataplane = null"), and the kernel
 * one (PPPoL2TP), which comes with the data-path work.
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
	 * Its sessions carry PPP frames to a local PPPoL2TP socket: the daemon
	 * starts a pppd on each established session.
	 */
	bool carries_ppp;
	/* Return 0 or a negative errno; the control plane then fails the call. */
	int (*tunnel_add)(struct dataplane *dp, const struct dp_tunnel *t);
	void (*tunnel_del)(struct dataplane *dp, uint16_t tunnel_id);
	int (*session_add)(struct dataplane *dp, const struct dp_session *s);
	void (*session_del)(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id);
	int (*session_set_accm)(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id,
				uint32_t send_accm, uint32_t recv_accm);
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

#endif
