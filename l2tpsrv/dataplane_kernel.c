/*
 * dataplane_kernel: PPPoL2TP in the kernel, driven over the "l2tp" generic
 * netlink family (linux/l2tp.h). See dataplane.h.
 *
 * A tunnel is created on the daemon's own UDP socket for it (dp_tunnel.fd,
 * bound to our address and port, connected to the peer). From then on the
 * kernel takes the data messages of the sessions it knows and hands every
 * other datagram (control messages, data for sessions it does not know) to
 * the socket as before, so the daemon keeps reading control messages from
 * it. Closing that socket deletes the kernel tunnel as well. A session is
 * created here with the PPP pseudowire; pppd then attaches to it through a
 * PPPoL2TP socket naming the tunnel and session ids.
 *
 * Every request asks for an acknowledgement and waits for it, so each call
 * returns the kernel's verdict: 0 or a negative errno. Nothing here logs
 * above debug; the caller logs with the tunnel and session.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "dataplane.h"
#include "log.h"

/*
 * The kernel handles a generic netlink request inside sendmsg(), so its
 * answer is queued before we wait for it: the timeout only bounds the wait
 * for an answer that was lost (receive queue overrun).
 */
#define NL_REPLY_TIMEOUT_MS 2000

/* Our requests are a header and a few small attributes. */
#define NL_REQUEST_SIZE 256

union nl_request {
	struct nlmsghdr align;
	char buf[NL_REQUEST_SIZE];
};

struct dp_kernel {
	struct dataplane dp; /* first: dp_kernel is a dataplane */
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family; /* id of the "l2tp" genl family */
	char *rx;	 /* receive buffer, rx_len bytes */
	size_t rx_len;
};

/* Called for each data message of the answer to a request (not the ack). */
typedef int (*reply_fn)(const struct nlmsghdr *nlh, void *data);

static struct dp_kernel *to_kernel(struct dataplane *dp)
{
	return (struct dp_kernel *)dp;
}

/* A generic netlink request in req: message type, command, version. */
static struct nlmsghdr *genl_request(union nl_request *req, uint16_t type, uint8_t cmd,
				     uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* The kernel's extended ack text, if any, at debug: it says what was refused. */
static void log_extack(const struct nlmsghdr *nlh, const struct nlmsgerr *err)
{
	size_t payload_len = mnl_nlmsg_get_payload_len(nlh);
	size_t off = sizeof(*err);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !log_enabled(LOG_DEBUG))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* Our request is echoed after the header. */
		if (err->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return;
		off += MNL_ALIGN(err->msg.nlmsg_len - sizeof(struct nlmsghdr));
	}
	if (off >= payload_len)
		return;
	mnl_attr_for_each_payload((const void *)((const char *)err + off), payload_len - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			log_msg(LOG_DEBUG, "dataplane=kernel netlink_error=\"%s\"",
				mnl_attr_get_str(attr));
	}
}

/* The verdict of an NLMSG_ERROR message: 0 (an ack) or a negative errno. */
static int ack_verdict(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return -EBADMSG;
	if (err->error > 0)
		return -EPROTO;
	if (err->error < 0)
		log_extack(nlh, err);
	return err->error;
}

/*
 * Walks one datagram of answers to request seq. Returns 0 or a negative
 * errno once the request's ack (or error) is seen, 1 when it is still to
 * come. Messages of another request (a stale answer) are skipped.
 */
static int parse_answers(struct dp_kernel *k, const void *buf, int len, uint32_t seq,
			 reply_fn fn, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int r;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (!mnl_nlmsg_portid_ok(nlh, k->portid) || nlh->nlmsg_seq != seq) {
			log_msg(LOG_DEBUG, "dataplane=kernel skipped netlink message seq=%u portid=%u",
				nlh->nlmsg_seq, nlh->nlmsg_pid);
			continue;
		}
		switch (nlh->nlmsg_type) {
		case NLMSG_ERROR:
			return ack_verdict(nlh);
		case NLMSG_DONE:
			return 0;
		case NLMSG_OVERRUN:
			return -ENOBUFS;
		case NLMSG_NOOP:
			break;
		default:
			if (fn) {
				r = fn(nlh, data);
				if (r < 0)
					return r;
			}
			break;
		}
	}
	/* A datagram holds whole messages: anything left over is malformed. */
	return len > 0 ? -EBADMSG : 1;
}

/*
 * Sends the request nlh and waits for its ack; data messages of the answer
 * go to fn (may be NULL). 0 or a negative errno, the kernel's own when it
 * refused the request.
 */
static int transact(struct dp_kernel *k, struct nlmsghdr *nlh, reply_fn fn, void *data)
{
	uint32_t seq = ++k->seq;
	ssize_t n;
	int r;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(k->nl, k->rx, k->rx_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: the timeout; ENOSPC: a truncated datagram. */
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		r = parse_answers(k, k->rx, (int)n, seq, fn, data);
		if (r <= 0)
			return r;
	}
}

/* CTRL_CMD_GETFAMILY's answer: the family id. */
static int family_id_from(const struct nlmsghdr *nlh, void *data)
{
	uint16_t *id = data;
	const struct nlattr *attr;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CTRL_ATTR_FAMILY_ID)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return -EBADMSG;
		*id = mnl_attr_get_u16(attr);
	}
	return 0;
}

/*
 * The id of the "l2tp" family. The kernel loads l2tp_netlink for this
 * request when it can; when the module is missing (or modules cannot be
 * loaded and it is not built in) the answer is -ENOENT.
 */
static int resolve_family(struct dp_kernel *k)
{
	union nl_request req;
	struct nlmsghdr *nlh = genl_request(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	uint16_t id = 0;
	int r;

	if (!mnl_attr_put_strz_check(nlh, sizeof(req), CTRL_ATTR_FAMILY_NAME, L2TP_GENL_NAME))
		return -EMSGSIZE;
	r = transact(k, nlh, family_id_from, &id);
	if (r < 0)
		return r;
	if (id == 0)
		return -EBADMSG;
	k->family = id;
	return 0;
}

static struct nlmsghdr *l2tp_request(struct dp_kernel *k, union nl_request *req, uint8_t cmd)
{
	return genl_request(req, k->family, cmd, L2TP_GENL_VERSION);
}

static int kernel_tunnel_add(struct dataplane *dp, const struct dp_tunnel *t)
{
	struct dp_kernel *k = to_kernel(dp);
	union nl_request req;
	struct nlmsghdr *nlh = l2tp_request(k, &req, L2TP_CMD_TUNNEL_CREATE);
	int r;

	if (t->fd < 0)
		return -EBADF;
	if (!mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_CONN_ID, t->tunnel_id) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_PEER_CONN_ID, t->peer_tunnel_id) ||
	    !mnl_attr_put_u8_check(nlh, sizeof(req), L2TP_ATTR_PROTO_VERSION, 2) ||
	    !mnl_attr_put_u16_check(nlh, sizeof(req), L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_FD, (uint32_t)t->fd))
		return -EMSGSIZE;
	r = transact(k, nlh, NULL, NULL);
	log_msg(LOG_DEBUG, "tunnel=%u dataplane=kernel event=tunnel_create peer_tunnel=%u fd=%d r=%d",
		t->tunnel_id, t->peer_tunnel_id, t->fd, r);
	return r;
}

/*
 * Deletion returns nothing: an error here means the kernel has no such
 * tunnel any more (closing its socket deletes it too), so it is only
 * noted at debug. The kernel deletes the tunnel's sessions with it.
 */
static void kernel_tunnel_del(struct dataplane *dp, uint16_t tunnel_id)
{
	struct dp_kernel *k = to_kernel(dp);
	union nl_request req;
	struct nlmsghdr *nlh = l2tp_request(k, &req, L2TP_CMD_TUNNEL_DELETE);
	int r = -EMSGSIZE;

	if (mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_CONN_ID, tunnel_id))
		r = transact(k, nlh, NULL, NULL);
	log_msg(LOG_DEBUG, "tunnel=%u dataplane=kernel event=tunnel_delete r=%d", tunnel_id, r);
}

/*
 * The PPP pseudowire (the only one L2TPv2 has), in LNS mode: the kernel then
 * leaves the choice of data sequencing to us (RFC 2661 section 5.4) and
 * does not follow the LAC's. Sequencing Required (ICCN, RFC 2661 section 4.4.4)
 * means sequence numbers on every data message in both directions: we send
 * them, and drop data messages without them.
 */
static int kernel_session_add(struct dataplane *dp, const struct dp_session *s)
{
	struct dp_kernel *k = to_kernel(dp);
	union nl_request req;
	struct nlmsghdr *nlh = l2tp_request(k, &req, L2TP_CMD_SESSION_CREATE);
	int r;

	if (!mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_CONN_ID, s->tunnel_id) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_SESSION_ID, s->session_id) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_PEER_SESSION_ID,
				    s->peer_session_id) ||
	    !mnl_attr_put_u16_check(nlh, sizeof(req), L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP) ||
	    !mnl_attr_put_u8_check(nlh, sizeof(req), L2TP_ATTR_LNS_MODE, 1))
		return -EMSGSIZE;
	if (s->sequencing &&
	    (!mnl_attr_put_u8_check(nlh, sizeof(req), L2TP_ATTR_SEND_SEQ, 1) ||
	     !mnl_attr_put_u8_check(nlh, sizeof(req), L2TP_ATTR_RECV_SEQ, 1)))
		return -EMSGSIZE;
	r = transact(k, nlh, NULL, NULL);
	log_msg(LOG_DEBUG,
		"tunnel=%u session=%u dataplane=kernel event=session_create peer_session=%u "
		"sequencing=%s r=%d",
		s->tunnel_id, s->session_id, s->peer_session_id, s->sequencing ? "yes" : "no", r);
	return r;
}

/* As for tunnels: the session may be gone already (with its tunnel). */
static void kernel_session_del(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id)
{
	struct dp_kernel *k = to_kernel(dp);
	union nl_request req;
	struct nlmsghdr *nlh = l2tp_request(k, &req, L2TP_CMD_SESSION_DELETE);
	int r = -EMSGSIZE;

	if (mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_CONN_ID, tunnel_id) &&
	    mnl_attr_put_u32_check(nlh, sizeof(req), L2TP_ATTR_SESSION_ID, session_id))
		r = transact(k, nlh, NULL, NULL);
	log_msg(LOG_DEBUG, "tunnel=%u session=%u dataplane=kernel event=session_delete r=%d",
		tunnel_id, session_id, r);
}

/*
 * Nothing to do. The ACCM of Set-Link-Info (RFC 2661 sections 6.14 and
 * 4.4.6) matters to async HDLC framing between the LAC and the dial-in
 * user; PPPoL2TP carries synchronous PPP frames and has no ACCM to set.
 * pppd negotiates the ACCM end to end in LCP, and the LAC's framing
 * follows it.
 */
static int kernel_session_set_accm(struct dataplane *dp, uint16_t tunnel_id,
				   uint16_t session_id, uint32_t send_accm, uint32_t recv_accm)
{
	return 0;
}

static void kernel_free(struct dataplane *dp)
{
	struct dp_kernel *k = to_kernel(dp);

	if (k->nl)
		mnl_socket_close(k->nl);
	free(k->rx);
	free(k);
}

static const struct dataplane_ops kernel_ops = {
	.name = "kernel",
	.wants_tunnel_socket = true,
	.carries_ppp = true,
	.tunnel_add = kernel_tunnel_add,
	.tunnel_del = kernel_tunnel_del,
	.session_add = kernel_session_add,
	.session_del = kernel_session_del,
	.session_set_accm = kernel_session_set_accm,
	/* The kernel takes the data messages itself; pppd attaches with PPPoL2TP. */
	.data_input = NULL,
	.session_tty = NULL,
	.free = kernel_free,
};

/* Opens and binds the netlink socket; 0 or a negative errno. */
static int open_socket(struct dp_kernel *k)
{
	struct timeval tv = { .tv_sec = NL_REPLY_TIMEOUT_MS / 1000,
			      .tv_usec = NL_REPLY_TIMEOUT_MS % 1000 * 1000 };
	int one = 1;
	int fd;

	k->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!k->nl)
		return -errno;
	if (mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	k->portid = mnl_socket_get_portid(k->nl);
	fd = mnl_socket_get_fd(k->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	/* Optional, for the debug log: the kernel's reason with an error, and
	 * acks without a copy of the request. Older kernels lack them. */
	(void)mnl_socket_setsockopt(k->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(k->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

struct dataplane *dataplane_kernel_new(int *err)
{
	struct dp_kernel *k = calloc(1, sizeof(*k));
	int r;

	if (!k) {
		*err = -ENOMEM;
		return NULL;
	}
	k->dp.ops = &kernel_ops;
	k->rx_len = MNL_SOCKET_BUFFER_SIZE;
	k->rx = malloc(k->rx_len);
	if (!k->rx) {
		r = -ENOMEM;
		goto fail;
	}
	r = open_socket(k);
	if (r < 0)
		goto fail;
	r = resolve_family(k);
	if (r < 0)
		goto fail;
	log_msg(LOG_DEBUG, "dataplane=kernel event=opened genl_family=%u portid=%u", k->family,
		k->portid);
	return &k->dp;
fail:
	kernel_free(&k->dp);
	*err = r;
	return NULL;
}
