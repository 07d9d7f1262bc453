/*
 * report: what the pppd plugin sends to l2tpsrv, and how; see report.h.
 *
 * Uses pppd's headers for their constants and types only, never pppd's
 * globals, so the unit test links without pppd.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>
#include <pppd/chap-new.h>

#include "report.h"

/* pppd.h defines it only under MAXOCTETS; a pppd built so exits with it. */
#ifndef EXIT_TRAFFIC_LIMIT
#define EXIT_TRAFFIC_LIMIT 20
#endif

void report_copy_string(char *dst, size_t size, const char *src)
{
	size_t len;

	if (size == 0)
		return;
	len = src ? strnlen(src, size - 1) : 0;
	memcpy(dst, src ? src : "", len);
	memset(dst + len, 0, size - len);
}

/* In the words of pppd(8), EXIT STATUS. */
static const char *const exit_reasons[] = {
	[EXIT_OK] = "terminated by peer",
	[EXIT_FATAL_ERROR] = "fatal error",
	[EXIT_OPTION_ERROR] = "option error",
	[EXIT_NOT_ROOT] = "not root",
	[EXIT_NO_KERNEL_SUPPORT] = "no kernel support",
	[EXIT_USER_REQUEST] = "user request",
	[EXIT_LOCK_FAILED] = "lock failed",
	[EXIT_OPEN_FAILED] = "open failed",
	[EXIT_CONNECT_FAILED] = "connect failed",
	[EXIT_PTYCMD_FAILED] = "pty command failed",
	[EXIT_NEGOTIATION_FAILED] = "negotiation failed",
	[EXIT_PEER_AUTH_FAILED] = "peer authentication failed",
	[EXIT_IDLE_TIMEOUT] = "idle timeout",
	[EXIT_CONNECT_TIME] = "connect time limit",
	[EXIT_CALLBACK] = "callback",
	[EXIT_PEER_DEAD] = "peer not responding",
	[EXIT_HANGUP] = "hangup",
	[EXIT_LOOPBACK] = "loopback detected",
	[EXIT_INIT_FAILED] = "init script failed",
	[EXIT_AUTH_TOPEER_FAILED] = "authentication to peer failed",
	[EXIT_TRAFFIC_LIMIT] = "traffic limit",
	[EXIT_CNID_AUTH_FAILED] = "calling number not authorized",
};

const char *report_exit_reason(int exit_code)
{
	size_t n = sizeof(exit_reasons) / sizeof(exit_reasons[0]);

	if (exit_code < 0 || (size_t)exit_code >= n || !exit_reasons[exit_code])
		return "unknown";
	return exit_reasons[exit_code];
}

const char *report_auth_method(const lcp_options *go)
{
	/* auth.c's order: EAP before CHAP before PAP, CHAP's digest by CHAP_DIGEST(). */
	if (go->neg_eap)
		return "eap";
	if (go->neg_chap) {
		int digest = CHAP_DIGEST(go->chap_mdtype);

		if (digest == CHAP_MICROSOFT_V2)
			return "mschap-v2";
		if (digest == CHAP_MICROSOFT)
			return "mschap";
		return "chap";
	}
	if (go->neg_upap)
		return "pap";
	return "";
}

/* One request for the call: a struct ctl_request, then arg (arg_len octets), no gap. */
static size_t frame(uint8_t *out, uint16_t command, uint16_t tunnel_id, uint16_t session_id,
		    const void *arg, size_t arg_len)
{
	struct ctl_request req;

	memset(&req, 0, sizeof(req));
	req.magic = CTL_MAGIC;
	req.version = CTL_VERSION;
	req.command = command;
	req.tunnel_id = tunnel_id;
	req.session_id = session_id;
	memcpy(out, &req, sizeof(req));
	memcpy(out + sizeof(req), arg, arg_len);
	return sizeof(req) + arg_len;
}

size_t report_frame(uint8_t out[REPORT_MESSAGE_SIZE], uint16_t tunnel_id, uint16_t session_id,
		    const struct ctl_ppp_event *ev)
{
	return frame(out, CTL_PPP_EVENT, tunnel_id, session_id, ev, sizeof(*ev));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lets the next blocking call on fd wait no later than deadline_ms. */
static int arm_timeout(int fd, int64_t deadline_ms)
{
	int64_t left = deadline_ms - now_ms();
	struct timeval tv;

	if (left <= 0)
		return -ETIMEDOUT;
	/* left >= 1 ms, so tv is never zero, which would mean "wait forever". */
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/* The result of a blocking call that failed with err: its timeout expired, or err. */
static int blocking_failure(int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS)
		return -ETIMEDOUT;
	return -err;
}

static int connect_until(int fd, const struct sockaddr_un *sa, int64_t deadline_ms)
{
	for (;;) {
		int r = arm_timeout(fd, deadline_ms);

		if (r < 0)
			return r;
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 || errno == EISCONN)
			return 0;
		if (errno != EINTR)
			return blocking_failure(errno);
	}
}

static int send_until(int fd, const uint8_t *p, size_t len, int64_t deadline_ms)
{
	while (len > 0) {
		int r = arm_timeout(fd, deadline_ms);
		ssize_t n;

		if (r < 0)
			return r;
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return blocking_failure(errno);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_until(int fd, uint8_t *p, size_t len, int64_t deadline_ms)
{
	while (len > 0) {
		int r = arm_timeout(fd, deadline_ms);
		ssize_t n;

		if (r < 0)
			return r;
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return blocking_failure(errno);
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int exchange(int fd, const struct sockaddr_un *sa, const uint8_t *msg, size_t len,
		    struct ctl_reply *reply, int64_t deadline_ms)
{
	int r = connect_until(fd, sa, deadline_ms);

	if (r == 0)
		r = send_until(fd, msg, len, deadline_ms);
	if (r == 0)
		r = recv_until(fd, (uint8_t *)reply, sizeof(*reply), deadline_ms);
	return r;
}

static int unix_address(struct sockaddr_un *sa, const char *path)
{
	size_t path_len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (path_len >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, path_len + 1);
	return 0;
}

int report_send(const char *path, uint16_t tunnel_id, uint16_t session_id,
		const struct ctl_ppp_event *ev, int timeout_ms, int32_t *daemon_status)
{
	int64_t deadline_ms = now_ms() + timeout_ms;
	struct sockaddr_un sa;
	uint8_t msg[REPORT_MESSAGE_SIZE];
	struct ctl_reply reply;
	int fd, r;

	r = unix_address(&sa, path);
	if (r < 0)
		return r;
	report_frame(msg, tunnel_id, session_id, ev);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = exchange(fd, &sa, msg, sizeof(msg), &reply, deadline_ms);
	close(fd);
	if (r < 0)
		return r;
	if (reply.magic != CTL_MAGIC)
		return -EPROTO;
	*daemon_status = reply.status;
	return 0;
}

/* Copies a whole string into dst[size] (zero-filled), or fails: never cut. */
static int copy_whole(char *dst, size_t size, const char *src)
{
	if (strnlen(src, size) >= size)
		return -ENAMETOOLONG;
	report_copy_string(dst, size, src);
	return 0;
}

int report_auth_pap(struct ctl_auth_request *rq, const char *user, const char *password)
{
	int r;

	memset(rq, 0, sizeof(*rq));
	rq->method = CTL_AUTH_PAP;
	r = copy_whole(rq->user, sizeof(rq->user), user);
	if (r == 0)
		r = copy_whole(rq->password, sizeof(rq->password), password);
	if (r < 0)
		explicit_bzero(rq, sizeof(*rq));
	return r;
}

int report_auth_chap(struct ctl_auth_request *rq, int digest_code, const char *user, int id,
		     const unsigned char *challenge, const unsigned char *response)
{
	memset(rq, 0, sizeof(*rq));
	switch (digest_code) {
	case CHAP_MD5:
		rq->method = CTL_AUTH_CHAP;
		break;
	case CHAP_MICROSOFT:
		rq->method = CTL_AUTH_MSCHAP;
		break;
	case CHAP_MICROSOFT_V2:
		rq->method = CTL_AUTH_MSCHAP_V2;
		break;
	default:
		return -EINVAL;
	}
	if (challenge[0] > CTL_AUTH_MAX_CHALLENGE || response[0] > CTL_AUTH_MAX_RESPONSE)
		return -EINVAL;
	rq->chap_id = (uint8_t)id;
	rq->challenge_len = challenge[0];
	memcpy(rq->challenge, challenge + 1, challenge[0]);
	rq->response_len = response[0];
	memcpy(rq->response, response + 1, response[0]);
	if (copy_whole(rq->user, sizeof(rq->user), user) < 0) {
		explicit_bzero(rq, sizeof(*rq));
		return -ENAMETOOLONG;
	}
	return 0;
}

size_t report_auth_frame(uint8_t out[AUTH_MESSAGE_SIZE], uint16_t tunnel_id,
			 uint16_t session_id, const struct ctl_auth_request *rq)
{
	return frame(out, CTL_AUTH, tunnel_id, session_id, rq, sizeof(*rq));
}

/* A verdict l2tpsrv may send: a known result, a message within its array. */
static int auth_reply_is_valid(struct ctl_auth_reply *reply, int challenge_ok)
{
	if (reply->result != CTL_AUTH_ACCEPT && reply->result != CTL_AUTH_REJECT &&
	    reply->result != CTL_AUTH_ERROR &&
	    !(challenge_ok && reply->result == CTL_AUTH_CHALLENGE))
		return 0;
	reply->message[sizeof(reply->message) - 1] = '\0';
	return 1;
}

/*
 * One request that waits for a verdict (CTL_AUTH, CTL_EAP): sends msg,
 * reads the struct ctl_reply and, when its status is 0, the answer's
 * answer_len octets. Returns 0 with the daemon's status, or a negative
 * errno; wipes msg.
 */
static int ask(const char *path, uint8_t *msg, size_t msg_len, int timeout_ms,
	       int32_t *daemon_status, void *answer, size_t answer_len)
{
	int64_t deadline_ms = now_ms() + timeout_ms;
	struct sockaddr_un sa;
	struct ctl_reply head;
	int fd, r;

	r = unix_address(&sa, path);
	if (r == 0) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		r = fd < 0 ? -errno : exchange(fd, &sa, msg, msg_len, &head, deadline_ms);
		if (r == 0 && head.magic != CTL_MAGIC)
			r = -EPROTO;
		if (r == 0 && head.status == 0)
			r = recv_until(fd, answer, answer_len, deadline_ms);
		if (fd >= 0)
			close(fd);
	}
	explicit_bzero(msg, msg_len);
	if (r < 0)
		return r;
	*daemon_status = head.status;
	return 0;
}

int report_auth_send(const char *path, uint16_t tunnel_id, uint16_t session_id,
		     const struct ctl_auth_request *rq, int timeout_ms, int32_t *daemon_status,
		     struct ctl_auth_reply *reply)
{
	uint8_t msg[AUTH_MESSAGE_SIZE];
	int32_t st = 0;
	int r;

	report_auth_frame(msg, tunnel_id, session_id, rq);
	r = ask(path, msg, sizeof(msg), timeout_ms, &st, reply, sizeof(*reply));
	if (r == 0 && st == 0 && !auth_reply_is_valid(reply, 0))
		r = -EPROTO;
	if (r < 0)
		return r;
	*daemon_status = st;
	return 0;
}

size_t report_eap_frame(uint8_t out[EAP_MESSAGE_SIZE], uint16_t tunnel_id, uint16_t session_id,
			const struct ctl_eap_request *rq)
{
	return frame(out, CTL_EAP, tunnel_id, session_id, rq, sizeof(*rq));
}

int report_eap_send(const char *path, uint16_t tunnel_id, uint16_t session_id,
		    const struct ctl_eap_request *rq, int timeout_ms, int32_t *daemon_status,
		    struct ctl_eap_reply *reply)
{
	uint8_t msg[EAP_MESSAGE_SIZE];
	int32_t st = 0;
	int r;

	report_eap_frame(msg, tunnel_id, session_id, rq);
	r = ask(path, msg, sizeof(msg), timeout_ms, &st, reply, sizeof(*reply));
	if (r == 0 && st == 0 &&
	    (!auth_reply_is_valid(&reply->base, 1) || reply->eap_len > CTL_EAP_MAX ||
	     reply->state_len > CTL_EAP_STATE_MAX))
		r = -EPROTO;
	if (r < 0)
		return r;
	*daemon_status = st;
	return 0;
}
