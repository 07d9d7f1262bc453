/*
 * control: the daemon's end of the control socket (ctl_proto.h), used by
 * l2tpctl: list tunnels and sessions, close them, show the counters, tell
 * what happened to a client lately (history.h), stop the server.
 */
#ifndef L2TPSRV_CONTROL_H
#define L2TPSRV_CONTROL_H

#include <systemd/sd-event.h>

struct control;
struct server;

/*
 * Listens on path (a unix stream socket, mode 0600; its directory is
 * created 0755 if missing). Returns 0 or a negative errno, logged.
 */
int control_new(struct control **out, struct server *srv, sd_event *event, const char *path);
/* Closes the socket, removes its path; NULL is fine. */
struct control *control_free(struct control *c);

#endif
