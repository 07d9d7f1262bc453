/*
 * pppd: one pppd per call, on a PPPoL2TP socket attached to a kernel
 * session (Debian's pppol2tp.so plugin in LNS mode).
 *
 * pppd_spawn() opens and connects the PPPoL2TP socket, starts pppd with it
 * as its only inherited descriptor, and watches the child from the event
 * loop (sd_event_add_child, WEXITED), so no child is left a zombie. The
 * caller hears of an exit it did not ask for through on_exit; after
 * pppd_stop() it hears nothing, and the object frees itself once the child
 * is reaped. Nothing here logs above debug: the caller logs with the
 * tunnel and session.
 */
#ifndef L2TPSRV_PPPD_H
#define L2TPSRV_PPPD_H

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#define PPPD_PATH "/usr/sbin/pppd"
/* After SIGTERM, how long pppd has to end before SIGKILL. */
#define PPPD_KILL_GRACE_USEC (3 * 1000 * 1000ULL)

struct pppd_call {
	int tunnel_fd; /* the tunnel's UDP socket (the kernel tunnel's) */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t peer_tunnel_id;
	uint16_t peer_session_id;
	const char *options_file; /* "file PATH" for pppd, or NULL */
};

struct pppd;

/*
 * pppd ended by itself. code and status are those of siginfo_t
 * (CLD_EXITED and the exit status, or CLD_KILLED/CLD_DUMPED and the
 * signal). The callee owns p and frees it with pppd_free(); it may do so
 * here.
 */
typedef void (*pppd_exit_fn)(struct pppd *p, int code, int status, void *userdata);

/* 0 and *ret, or a negative errno (nothing left running). SIGCHLD must be blocked. */
int pppd_spawn(struct pppd **ret, sd_event *event, const struct pppd_call *call,
	       pppd_exit_fn on_exit, void *userdata);
pid_t pppd_pid(const struct pppd *p);
/*
 * Ends pppd and lets go of p: SIGTERM now, SIGKILL after
 * PPPD_KILL_GRACE_USEC, freed once the child is reaped. on_exit is not
 * called. NULL is fine.
 */
void pppd_stop(struct pppd *p);
/* Frees p once its child has been reaped (after on_exit). NULL is fine; returns NULL. */
struct pppd *pppd_free(struct pppd *p);

#endif
