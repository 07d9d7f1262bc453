/*
 * dae: RADIUS Dynamic Authorization (RFC 5176): Disconnect-Request and
 * CoA-Request on a UDP port (3799), from configured clients only.
 *
 * A datagram from an address that is no configured client, or whose
 * Request Authenticator (or Message-Authenticator, when it has one) does
 * not verify with that client's secret, is dropped without an answer and
 * counted, as RFC 5176 section 3 asks. A verified request goes to the
 * handler, whose answer becomes an ACK, or a NAK with its Error-Cause.
 * The answer to a repeated request (same client, Identifier and
 * authenticator) is sent again without asking the handler twice.
 *
 * Packets are verified, decoded and signed by FreeRADIUS's library, as in
 * radius.c; the socket, the clients and the answers are ours.
 */
#ifndef L2TPSRV_DAE_H
#define L2TPSRV_DAE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

#include "radius.h"

#define DAE_DEFAULT_PORT 3799

/* Error-Cause values (RFC 5176 section 3.6) */
enum dae_error {
	DAE_OK = 0, /* ACK */
	DAE_UNSUPPORTED_ATTRIBUTE = 401,
	DAE_MISSING_ATTRIBUTE = 402,
	DAE_NAS_MISMATCH = 403,
	DAE_INVALID_REQUEST = 404,
	DAE_SESSION_NOT_FOUND = 503,
	DAE_RESOURCES_UNAVAILABLE = 506,
};

enum dae_kind {
	DAE_DISCONNECT, /* Disconnect-Request: ACK 41, NAK 42 */
	DAE_COA,        /* CoA-Request: ACK 44, NAK 45 */
};

struct dae_config {
	uint16_t port;                                   /* 0: no DAE at all */
	struct radius_server_config clients[RADIUS_MAX_SERVERS]; /* addr's port ignored */
	size_t n_clients;
};

/* A verified request: DAE_OK or the Error-Cause of the NAK. */
typedef enum dae_error (*dae_handler_fn)(void *userdata, enum dae_kind kind,
					 const struct radius_attrs *attrs);

struct dae;

struct dae_stats {
	uint64_t requests; /* verified, answered */
	uint64_t acks, naks;
	uint64_t dropped;  /* unknown client, bad authenticator, malformed */
	uint64_t repeats;  /* answered again from the cache */
};

/* Binds the port (IPv4 and IPv6, any address). radius_library_init() first. */
int dae_new(struct dae **out, sd_event *event, const struct dae_config *cfg, dae_handler_fn fn,
	    void *userdata);
struct dae *dae_free(struct dae *d);
void dae_get_stats(const struct dae *d, struct dae_stats *out);

#endif
