/*
 * history: what happened lately to each client, by its outer IP address,
 * for l2tpctl diagnose (CTL_DIAGNOSE): which phase of IKE, ESP, L2TP and
 * PPP it reached, and what each layer said when a phase failed or ended.
 *
 * A bounded table: at most max_peers addresses, each with a ring of its
 * last max_events events (the daemon's: CTL_HISTORY_PEERS and
 * CTL_HISTORY_EVENTS). When the table is full, a new address takes the
 * place of the one heard of least recently among those that never got
 * anything right (anyone can make IKE fail from anywhere, so such strangers
 * must not push out the clients that did connect); only when every address
 * got somewhere does the least recent of all go.
 *
 * Events are keyed by address only: the L2TP peer's address is the IKE
 * peer's (behind a NAT both are the NAT's). The server owns the table and
 * hands it to the layers that feed it (history_feed.h says what each of
 * their events becomes). No I/O, no logging; details are printable ASCII,
 * and no layer puts a secret in one.
 */
#ifndef L2TPSRV_HISTORY_H
#define L2TPSRV_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ctl_proto.h"


struct history_event {
	uint64_t usec;      /* CLOCK_MONOTONIC */
	uint8_t phase;      /* enum ctl_phase */
	uint8_t result;     /* enum ctl_result */
	char detail[CTL_HISTORY_DETAIL];
};

struct history;

/* NULL on allocation failure. A peer's ring is allocated when it first appears. */
struct history *history_new(size_t max_peers, size_t max_events);
/* NULL is fine; returns NULL. */
struct history *history_free(struct history *h);

/*
 * Records an event for peer's address (the port does not count; an
 * address of another family than AF_INET or AF_INET6 is ignored). detail
 * is printf-style; bytes outside 0x20..0x7e become '?', and it is cut to
 * CTL_HISTORY_DETAIL - 1 bytes. h NULL is fine (no history kept).
 */
void history_add(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
		 enum ctl_phase phase, enum ctl_result result, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * The events recorded for peer's address, oldest first: at most max into
 * out. Returns how many, or -ENOENT when the address has no record;
 * *lost (may be NULL) says how many older ones the ring no longer holds.
 */
int history_get(const struct history *h, const struct sockaddr_storage *peer,
		struct history_event *out, size_t max, uint64_t *lost);

/* Addresses with a record now. */
size_t history_peers(const struct history *h);

#endif
