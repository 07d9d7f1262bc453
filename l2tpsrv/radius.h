/*
 * radius: a RADIUS client on the daemon's sd-event loop.
 *
 * l2tpsrv, not pppd, talks to the RADIUS servers: it knows every session's
 * end (even a SIGKILLed pppd's), keeps the secrets out of pppd's command
 * line, and shares one view of which server is dead among all sessions.
 * The pppd plugin asks it over the control socket (auth.c).
 *
 * Packets are encoded, signed and verified by FreeRADIUS's own protocol
 * library, libfreeradius-radius (Debian libfreeradius-dev), not by code of
 * ours. radcli (libradcli-dev 1.2.11), the first choice, cannot add a
 * Message-Authenticator to an Access-Request without EAP-Message nor check
 * one in a response (CVE-2024-3596, Blast-RADIUS), and blocks its caller.
 * What is ours here is the transport: one UDP socket per server, retries,
 * failover and dead-server bookkeeping on sd-event.
 *
 * Rules kept here, whatever the caller does:
 *   - every Access-Request carries a Message-Authenticator;
 *   - an Access-Accept/Reject/Challenge without a valid
 *     Message-Authenticator, or any response whose Response Authenticator
 *     does not verify, or whose Identifier or source is not the request's,
 *     is dropped (counted, logged once per server and minute) as if it had
 *     not come: the request times out or another server answers;
 *   - secrets are never logged.
 *
 * Servers are tried in their configured order. A request goes to the first
 * server not marked dead, timeout_ms per try, 1 + retries tries, then to the
 * next server; a server that let a request time out is marked dead for
 * dead_time_s and skipped while any live one remains (when all are dead,
 * they are all tried again in order).
 */
#ifndef L2TPSRV_RADIUS_H
#define L2TPSRV_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "stats.h"

#define RADIUS_MAX_SERVERS 4
#define RADIUS_MAX_SECRET 128

struct radius_server_config {
	struct sockaddr_storage addr; /* IPv4 or IPv6, with the port */
	socklen_t addr_len;
	char secret[RADIUS_MAX_SECRET]; /* NUL-terminated, never logged */
};

struct radius_config {
	struct radius_server_config auth[RADIUS_MAX_SERVERS];
	size_t n_auth; /* 0: no RADIUS authentication (pppd's own files) */
	struct radius_server_config acct[RADIUS_MAX_SERVERS];
	size_t n_acct; /* 0: no accounting */
	unsigned int timeout_ms;  /* one try; default 3000 */
	unsigned int retries;     /* more tries per server; default 2 */
	unsigned int dead_time_s; /* default 30 */
};

/* Attribute lists: requests are built with them, replies read with them. */
struct radius_attrs;

struct radius_attrs *radius_attrs_new(void);
void radius_attrs_free(struct radius_attrs *a);
/*
 * Adds attribute NAME (as FreeRADIUS's dictionary spells it, vendor ones
 * included: "MS-CHAP2-Response") with VALUE in FreeRADIUS's text syntax
 * (numbers, dotted quads, enumeration names, 0x... for octets). Returns 0,
 * -ENOENT for an unknown name, -EINVAL for a value that does not parse.
 *
 * Stricter than FreeRADIUS's own parser, as radius_attrs.c explains: a
 * string attribute takes VALUE as it is (no backslash escapes: "DOM\user"
 * stays); a number is decimal up to the type's maximum, or a value name
 * ("Framed-User"); an address is numeric (no DNS); octets are "0x" and hex
 * digits, or else the text's own octets. Also -ENOENT for FreeRADIUS's
 * internal attributes, which never go on the wire (Cleartext-Password),
 * -EMSGSIZE for a value that one attribute cannot carry (253 octets, 247 in
 * a vendor's, 128 for User-Password), -EOPNOTSUPP for types l2tpsrv has no
 * use for (prefixes, TLVs, ...).
 */
int radius_attrs_add(struct radius_attrs *a, const char *name, const char *value);
/* The same with a string or octets attribute's value as it is: for text
 * from a peer (User-Name) and binary (MS-CHAP2-Response); -EINVAL for an
 * attribute of another type. */
int radius_attrs_add_octets(struct radius_attrs *a, const char *name, const void *data,
			    size_t len);
/* The first NAME in a; false when there is none (or a is NULL). Strings are
 * truncated to fit and NUL-terminated (other types come in FreeRADIUS's
 * text form); octets (or a string's octets) return their length (-1: none,
 * -ENOSPC: longer than len, -EINVAL: of another type). */
bool radius_attrs_get_string(const struct radius_attrs *a, const char *name, char *buf,
			     size_t len);
bool radius_attrs_get_uint(const struct radius_attrs *a, const char *name, uint32_t *out);
bool radius_attrs_get_ipv4(const struct radius_attrs *a, const char *name,
			   uint32_t *out /* network order */);
ssize_t radius_attrs_get_octets(const struct radius_attrs *a, const char *name, void *buf,
				size_t len);
/* The n-th (from 0) NAME's octets, for repeated ones such as Class. */
ssize_t radius_attrs_get_octets_nth(const struct radius_attrs *a, const char *name,
				    unsigned int n, void *buf, size_t len);

enum radius_kind {
	RADIUS_AUTH, /* Access-Request to the auth servers */
	RADIUS_ACCT, /* Accounting-Request to the accounting servers */
};

enum radius_result {
	RADIUS_ACCEPT,    /* Access-Accept */
	RADIUS_REJECT,    /* Access-Reject */
	RADIUS_CHALLENGE, /* Access-Challenge (EAP) */
	RADIUS_ACCT_OK,   /* Accounting-Response */
	RADIUS_TIMEOUT,   /* no server gave a valid answer in time */
	RADIUS_ERROR,     /* could not send at all (no server configured, ...) */
};

/* "accept", "reject", ... for logs. */
const char *radius_result_name(enum radius_result r);

/*
 * Called exactly once per request, from the event loop (never from within
 * radius_send). reply holds the response's attributes (NULL for TIMEOUT and
 * ERROR) and is only valid during the call.
 */
typedef void (*radius_done_fn)(void *userdata, enum radius_result result,
			       const struct radius_attrs *reply);

struct radius;
struct radius_request;

/* Counters, for logs, l2tpctl and metrics. */
struct radius_stats {
	uint64_t requests;  /* radius_send calls */
	uint64_t sent;      /* datagrams, retries included */
	uint64_t responses; /* valid responses */
	uint64_t dropped;   /* responses dropped (bad authenticator, no or bad
			     * Message-Authenticator, wrong id or source) */
	uint64_t timeouts;  /* requests no server answered */
	/*
	 * The same by enum radius_kind (dropped is bad_responses there), and
	 * requests that could not be sent at all (RADIUS_ERROR). A round trip
	 * runs from the first datagram to the server that answered (its
	 * retries included) to the valid answer.
	 */
	struct stats_radius kinds[2];
};

/*
 * Must run once per process before anything else here: loads FreeRADIUS's
 * dictionaries from dict_dir (NULL: /usr/share/freeradius). On failure
 * writes why to err. Later calls do nothing and return 0.
 */
int radius_library_init(const char *dict_dir, char *err, size_t err_len);

/* -ENOPKG before radius_library_init(); -EINVAL for a bad cfg (a server
 * without a secret, timeout_ms 0, ...). A server that cannot be connected
 * to yet (no route at boot) is retried at each request. */
int radius_new(struct radius **out, sd_event *event, const struct radius_config *cfg);
/* Replaces the servers and timings (a reload). Requests in flight start
 * over on the new servers; dead marks are forgotten. -EINVAL for a bad
 * cfg (nothing changed); another negative errno when a server's socket
 * could not be opened (the others are in use, that one is skipped). */
int radius_set_config(struct radius *r, const struct radius_config *cfg);
/* Pending requests are cancelled: their callbacks are not called. */
struct radius *radius_free(struct radius *r);

/*
 * Sends a request of kind with attrs (which it takes, in every case).
 * Adds what the protocol needs (Message-Authenticator to Access-Requests;
 * Acct-Delay-Time is the caller's). On success *handle, if not NULL, can
 * cancel it until done is called. Returns -ENOENT when no server of that
 * kind is configured.
 */
int radius_send(struct radius *r, enum radius_kind kind, struct radius_attrs *attrs,
		radius_done_fn done, void *userdata, struct radius_request **handle);
/* The callback will not be called. */
void radius_cancel(struct radius_request *req);

void radius_get_stats(const struct radius *r, struct radius_stats *out);

#endif
