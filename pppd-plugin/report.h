/*
 * report: the parts of the pppd plugin that do not touch pppd's globals, so
 * that they can be tested without pppd: reason words for pppd's exit codes,
 * the authentication method LCP negotiated, the framing of one
 * CTL_PPP_EVENT request, and the exchange with l2tpsrv's control socket.
 *
 * Include after <pppd/pppd.h>, <pppd/fsm.h> and <pppd/lcp.h> (lcp_options);
 * pppd.h typedefs bool, so do not include <stdbool.h> alongside.
 */
#ifndef L2TPSRV_PPPD_REPORT_H
#define L2TPSRV_PPPD_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"

/* How long one report may take in all, connect to reply: pppd waits for it. */
#define REPORT_TIMEOUT_MS 2000

/* One CTL_PPP_EVENT request: a struct ctl_request, then the event, no gap. */
#define REPORT_MESSAGE_SIZE (sizeof(struct ctl_request) + sizeof(struct ctl_ppp_event))

/* pppd loads plugins RTLD_GLOBAL: keep these names out of its symbol table. */
#pragma GCC visibility push(hidden)

/*
 * Copies src (NULL is taken as "") into dst[size], truncating, always
 * NUL-terminating, and zeroing the rest, so the bytes sent are defined.
 */
void report_copy_string(char *dst, size_t size, const char *src);

/* A few words for one of pppd's EXIT_* codes, "unknown" for any other code. */
const char *report_exit_reason(int exit_code);

/*
 * The method the peer was asked to authenticate with, as pppd's auth.c
 * chooses it from what LCP negotiated (lcp_gotoptions[unit]): "eap",
 * "mschap-v2", "mschap", "chap" or "pap"; "" when none was negotiated.
 */
const char *report_auth_method(const lcp_options *go);

/*
 * Writes the CTL_PPP_EVENT request for the call (tunnel_id, session_id)
 * into out, and returns REPORT_MESSAGE_SIZE.
 */
size_t report_frame(uint8_t out[REPORT_MESSAGE_SIZE], uint16_t tunnel_id, uint16_t session_id,
		    const struct ctl_ppp_event *ev);

/*
 * Sends one event to the control socket at path and reads the reply, all
 * within timeout_ms. Returns 0 once a whole reply with CTL_MAGIC has come
 * back, with the daemon's status (0 or a negative errno) in *daemon_status;
 * otherwise a negative errno: -ENAMETOOLONG (path too long for sun_path),
 * -ETIMEDOUT, -ECONNRESET (closed before a whole reply), -EPROTO (wrong
 * magic), or what socket, connect, send or recv failed with. Never raises
 * SIGPIPE; the socket is close-on-exec and is closed before returning.
 */
int report_send(const char *path, uint16_t tunnel_id, uint16_t session_id,
		const struct ctl_ppp_event *ev, int timeout_ms, int32_t *daemon_status);

#pragma GCC visibility pop

#endif
