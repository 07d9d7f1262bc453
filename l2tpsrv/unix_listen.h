/*
 * unix_listen: a listening unix socket for root only, as the control
 * socket and the charon plugin's socket need it.
 */
#ifndef L2TPSRV_UNIX_LISTEN_H
#define L2TPSRV_UNIX_LISTEN_H

/*
 * Creates path's directory (one level, 0755) if missing, replaces whatever
 * is at path with a socket of type (SOCK_STREAM, SOCK_SEQPACKET) that only
 * its owner may use (0600), non-blocking and close-on-exec, and listens.
 * Returns the socket or a negative errno.
 */
int unix_listen(const char *path, int type, int backlog);

#endif
