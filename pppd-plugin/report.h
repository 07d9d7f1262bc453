/*
 * report: the parts of the pppd plugin that do not touch pppd's globals, so
 * that they can be tested without pppd: reason words for pppd's exit codes,
 * the authentication method LCP negotiated, the framing of one
 * CTL_PPP_EVENT, CTL_AUTH or CTL_EAP request, and the exchange with
 * l2tpsrv's control socket.
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

/*
 * How long one authentication may take in all: l2tpsrv asks RADIUS, which
 * may mean several tries and servers. pppd waits (its hooks must return the
 * verdict): no LCP echo is answered meanwhile, which the peer's echo
 * failure limit (lcp-echo-interval 30 x lcp-echo-failure 4 here) outlasts.
 */
#define AUTH_TIMEOUT_MS 30000

/* One CTL_AUTH request: a struct ctl_request, then the credentials, no gap. */
#define AUTH_MESSAGE_SIZE (sizeof(struct ctl_request) + sizeof(struct ctl_auth_request))

/* One CTL_EAP request: a struct ctl_request, then the EAP round, no gap. */
#define EAP_MESSAGE_SIZE (sizeof(struct ctl_request) + sizeof(struct ctl_eap_request))

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

/*
 * A CTL_AUTH request for PAP: -ENAMETOOLONG when user or password would
 * not fit whole (a cut name would be another user's).
 */
int report_auth_pap(struct ctl_auth_request *rq, const char *user, const char *password);

/*
 * A CTL_AUTH request for a CHAP response, from what pppd's chap_verify_hook
 * gets: its digest code (CHAP_MD5, CHAP_MICROSOFT, CHAP_MICROSOFT_V2), the
 * peer's name, the CHAP Identifier, and challenge and response each with
 * its length in its first octet. -EINVAL for another digest or a length
 * over CTL_AUTH_MAX_CHALLENGE or CTL_AUTH_MAX_RESPONSE, -ENAMETOOLONG for
 * a name that does not fit whole.
 */
int report_auth_chap(struct ctl_auth_request *rq, int digest_code, const char *user, int id,
		     const unsigned char *challenge, const unsigned char *response);

/* Writes the CTL_AUTH request for the call into out, and returns AUTH_MESSAGE_SIZE. */
size_t report_auth_frame(uint8_t out[AUTH_MESSAGE_SIZE], uint16_t tunnel_id,
			 uint16_t session_id, const struct ctl_auth_request *rq);

/*
 * Asks l2tpsrv to authenticate the peer, as report_send() sends an event,
 * waiting up to timeout_ms for RADIUS's verdict. Returns 0 with the
 * daemon's status in *daemon_status and, when that is 0, the verdict in
 * *reply (its message NUL-terminated); otherwise a negative errno as
 * report_send(), or -EPROTO for a verdict that is none. Wipes the copy of
 * the credentials it sent.
 */
int report_auth_send(const char *path, uint16_t tunnel_id, uint16_t session_id,
		     const struct ctl_auth_request *rq, int timeout_ms, int32_t *daemon_status,
		     struct ctl_auth_reply *reply);

/* Writes the CTL_EAP request for the call into out, and returns EAP_MESSAGE_SIZE. */
size_t report_eap_frame(uint8_t out[EAP_MESSAGE_SIZE], uint16_t tunnel_id, uint16_t session_id,
			const struct ctl_eap_request *rq);

/*
 * One round of an EAP conversation through l2tpsrv, as report_auth_send():
 * 0 with the daemon's status in *daemon_status and, when that is 0, its
 * answer in *reply (message NUL-terminated, eap_len and state_len within
 * their arrays: otherwise -EPROTO; the EAP packet itself is not checked
 * here); or a negative errno. Wipes the copy of the Response it sent.
 */
int report_eap_send(const char *path, uint16_t tunnel_id, uint16_t session_id,
		    const struct ctl_eap_request *rq, int timeout_ms, int32_t *daemon_status,
		    struct ctl_eap_reply *reply);

#pragma GCC visibility pop

#endif
