/*
 * pppd: one pppd per call, on a PPPoL2TP socket attached to a kernel
 * session (Debian's pppol2tp.so plugin in LNS mode).
 *
 * pppd_spawn() opens and connects the PPPoL2TP socket (kernel data path),
 * starts pppd with it as its only inherited descriptor (keeping a
 * reference of its own, for the session's counters), and watches the
 * child from the event loop (sd_event_add_child, WEXITED), so no child is
 * left a zombie. With no channel (userspace data path) pppd inherits no
 * descriptor and opens the tty its command line names. The caller hears
 * of every exit through on_exit, once, when the child has been reaped:
 * whether pppd ended by itself or after pppd_stop(). Nothing here logs
 * above debug: the caller logs with the tunnel and session.
 */
#ifndef L2TPSRV_PPPD_H
#define L2TPSRV_PPPD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#define PPPD_PATH "/usr/sbin/pppd"
/* After SIGTERM, how long pppd has to end before SIGKILL. */
#define PPPD_KILL_GRACE_USEC (3 * 1000 * 1000ULL)

/* The descriptor number pppd finds its PPPoL2TP socket under. */
#define PPPD_CHANNEL_FD 3

/* The kernel session pppd attaches to through a PPPoL2TP socket. */
struct pppd_channel {
	int tunnel_fd; /* the tunnel's UDP socket (the kernel tunnel's) */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t peer_tunnel_id;
	uint16_t peer_session_id;
};

struct pppd;

/*
 * pppd has ended and been reaped. code and status are those of siginfo_t
 * (CLD_EXITED and the exit status, or CLD_KILLED/CLD_DUMPED and the
 * signal); stopped says pppd_stop() had asked for it. The callee owns p
 * and frees it with pppd_free(); it may do so here.
 */
typedef void (*pppd_exit_fn)(struct pppd *p, int code, int status, bool stopped,
			     void *userdata);

/*
 * Starts argv[0] with argv (NULL-terminated). channel: the PPPoL2TP
 * session to hand over as PPPD_CHANNEL_FD, or NULL. 0 and *ret, or a
 * negative errno (nothing left running). SIGCHLD must be blocked.
 */
int pppd_spawn(struct pppd **ret, sd_event *event, const struct pppd_channel *channel,
	       char *const argv[], pppd_exit_fn on_exit, void *userdata);
pid_t pppd_pid(const struct pppd *p);

/*
 * The kernel session's own counters (PPPIOCGL2TPSTATS), from the daemon's
 * reference to pppd's PPPoL2TP socket: readable after pppd died, while the
 * kernel session lives. They count PPP frames (framing and LCP included),
 * rx from the peer. 0, -EBADF without a channel, or -errno (the session
 * was deleted: -ENOTCONN/-EBADF).
 */
struct pppd_channel_stats {
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
};
int pppd_channel_stats(const struct pppd *p, struct pppd_channel_stats *out);
/* Closes the daemon's reference (pppd_free does too). */
void pppd_release_channel(struct pppd *p);
/*
 * Asks pppd to end: SIGTERM now, SIGKILL after PPPD_KILL_GRACE_USEC.
 * on_exit follows once the child is reaped. A second call does nothing.
 */
void pppd_stop(struct pppd *p);
/*
 * Frees p. A child not reaped yet gets SIGTERM and is no longer watched
 * (the daemon is going). NULL is fine; returns NULL.
 */
struct pppd *pppd_free(struct pppd *p);

#endif
