/*
 * metrics: the Prometheus endpoint. GET /metrics answers the server's
 * counters (stats.h) in the text exposition format 0.0.4; any other path
 * is 404, any method but GET and HEAD 405.
 *
 * HTTP is libmicrohttpd's, run without threads of its own: its epoll
 * descriptor is one sd-event source and its timeout one timer, and
 * MHD_run() is called from the event loop, so the counters are read on
 * the loop's thread, as every layer writes them, without locks. The page
 * has no authentication: config.c allows only a loopback address unless
 * metrics_allow_remote.
 */
#ifndef L2TPSRV_METRICS_H
#define L2TPSRV_METRICS_H

#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "stats.h"

struct metrics;

/* Fills out with the counters as they are now (server_stats()). */
typedef void (*metrics_stats_fn)(void *userdata, struct stats *out);

/*
 * Listens on addr (TCP) and serves the counters stats gives. 0, or a
 * negative errno, logged with the address.
 */
int metrics_new(struct metrics **out, sd_event *event, const struct sockaddr_storage *addr,
		socklen_t addr_len, metrics_stats_fn stats, void *userdata);
/* Closes the socket and every connection. NULL is fine; returns NULL. */
struct metrics *metrics_free(struct metrics *m);

#endif
