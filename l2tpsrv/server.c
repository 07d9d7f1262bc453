/*
 * server: sd-event glue for the LNS; see server.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "acct.h"
#include "auth.h"
#include "call.h"
#include "config_reload.h"
#include "control.h"
#include "dae.h"
#include "history.h"
#include "history_feed.h"
#include "ipsec.h"
#include "pppd.h"
#include "lns.h"
#include "log.h"
#include "metrics.h"
#include "mss_clamp.h"
#include "protocol.h"
#include "radius.h"
#include "ppp_pidfiles.h"
#include "server.h"
#include "server_private.h"

/* How long a shutdown waits for peers to acknowledge our StopCCNs. */
#define SHUTDOWN_GRACE_USEC (3 * 1000 * 1000ULL)
#define SHUTDOWN_POLL_USEC (50 * 1000ULL)
#define STATUS_INTERVAL_USEC (5 * 1000 * 1000ULL)
/* Timer slack: acknowledgement delays are a few hundred milliseconds. */
#define TIMER_ACCURACY_USEC 1000
/*
 * Receive buffer of a listening socket: the kernel's default (~200 KiB,
 * a few hundred small datagrams) overflows when hundreds of LACs connect
 * at once, and each drop costs a LAC a retransmission timeout.
 */
#define LISTEN_RCVBUF (4 * 1024 * 1024)
/* Datagrams read per wake-up before giving other sources a turn. */
#define RECV_BATCH 64

/* Each datagram's mark in an SO_MARK control message: Linux 5.19. */
#ifndef SO_RCVMARK
#define SO_RCVMARK 75
#endif


static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- sending ------------------------------------------------------- */

/*
 * Appends a control message to msg's, in buf (zeroed, with room for all of
 * them: CMSG_NXTHDR reads the next header's length).
 */
static void put_cmsg(struct msghdr *msg, uint8_t *buf, int level, int type, const void *data,
		     size_t len)
{
	size_t used = msg->msg_control ? msg->msg_controllen : 0;
	struct cmsghdr *cm = (struct cmsghdr *)(buf + used);

	msg->msg_control = buf;
	msg->msg_controllen = used + CMSG_SPACE(len);
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
}

static void log_send_failed(struct server *srv, const struct lns_addr *addr, int err)
{
	char peer[64];

	if (err != EPERM || !addr->reply_mark || srv->mark_send_failed) {
		log_msg(LOG_DEBUG, "event=send_failed error=\"%s\"", strerror(err));
		return;
	}
	/* Not sent again unmarked: the SA's outbound policy would not match it. */
	srv->mark_send_failed = true;
	lns_sockaddr_string(&addr->peer, peer, sizeof(peer));
	log_msg(LOG_WARNING,
		"peer=%s event=send_failed mark=%#x error=\"%s\" reason=\"sending with the IPsec "
		"SA's mark needs CAP_NET_ADMIN or CAP_NET_RAW (or a firewall refused it); said "
		"once\"",
		peer, addr->reply_mark, strerror(err));
}

static void io_send(void *ctx, const struct lns_addr *addr, const uint8_t *pkt, size_t len)
{
	struct server *srv = ctx;
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(uint32_t))];
	} control;
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)&addr->peer,
		.msg_namelen = addr->peer_len,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	const struct listener *l;

	if (addr->listener < 0 || (size_t)addr->listener >= srv->n_listeners)
		return;
	l = &srv->listeners[addr->listener];
	memset(&control, 0, sizeof(control));
	/* Answer from the address the peer wrote to, even on a wildcard socket. */
	if (addr->local.ss_family == AF_INET && l->family == AF_INET) {
		struct in_pktinfo pi = {
			.ipi_spec_dst = ((const struct sockaddr_in *)&addr->local)->sin_addr,
		};

		put_cmsg(&msg, control.buf, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	} else if (addr->local.ss_family == AF_INET6 && l->family == AF_INET6) {
		struct in6_pktinfo pi = {
			.ipi6_addr = ((const struct sockaddr_in6 *)&addr->local)->sin6_addr,
		};

		put_cmsg(&msg, control.buf, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
	/* What the tunnel's IPsec SA's outbound policy matches (ipsec_admit()) */
	if (addr->reply_mark)
		put_cmsg(&msg, control.buf, SOL_SOCKET, SO_MARK, &addr->reply_mark,
			 sizeof(addr->reply_mark));
	if (sendmsg(l->fd, &msg, MSG_DONTWAIT) < 0)
		log_send_failed(srv, addr, errno);
}

/* ---- timers -------------------------------------------------------- */

static int on_tunnel_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct timer_slot *slot = userdata;
	struct server *srv = slot->srv;

	lns_timer(srv->lns, now_usec(), (uint16_t)(slot - srv->timers));
	return 0;
}

static void io_timer(void *ctx, uint16_t tunnel_id, uint64_t deadline)
{
	struct server *srv = ctx;
	struct timer_slot *slot = &srv->timers[tunnel_id];
	int r;

	if (deadline == LNS_NO_DEADLINE) {
		if (slot->source)
			sd_event_source_set_enabled(slot->source, SD_EVENT_OFF);
		return;
	}
	if (!slot->source) {
		slot->srv = srv;
		r = sd_event_add_time(srv->event, &slot->source, CLOCK_MONOTONIC, deadline,
				      TIMER_ACCURACY_USEC, on_tunnel_timer, slot);
		if (r < 0)
			log_msg(LOG_ERR, "tunnel=%u event=timer_failed error=\"%s\"", tunnel_id,
				strerror(-r));
		return;
	}
	sd_event_source_set_time(slot->source, deadline);
	sd_event_source_set_enabled(slot->source, SD_EVENT_ONESHOT);
}

/* ---- receiving ----------------------------------------------------- */

/* Our address the datagram was sent to (IP_PKTINFO), and its mark (SO_RCVMARK). */
static void addr_from_cmsg(struct msghdr *msg, const struct listener *l, struct lns_addr *addr)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_MARK &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(addr->mark))) {
			memcpy(&addr->mark, CMSG_DATA(cm), sizeof(addr->mark));
		} else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
			   l->family == AF_INET) {
			struct in_pktinfo pi;
			struct sockaddr_in *in = (struct sockaddr_in *)&addr->local;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			in->sin_family = AF_INET;
			in->sin_addr = pi.ipi_addr;
			addr->local_len = sizeof(*in);
			addr->ifindex = pi.ipi_ifindex;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
			   l->family == AF_INET6) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&addr->local;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			in6->sin6_family = AF_INET6;
			in6->sin6_addr = pi.ipi6_addr;
			addr->local_len = sizeof(*in6);
			addr->ifindex = (int)pi.ipi6_ifindex;
		}
	}
}

/*
 * Reads one datagram from fd (a listener or a tunnel's own socket) into
 * the LNS (control messages) or the userspace data path (data messages);
 * replies leave by listener l, or by the tunnel's own socket once it has
 * one (io_tunnel_send). False when there is nothing more to
 * read now.
 */
static bool read_datagram(struct server *srv, int fd, const struct listener *l)
{
	uint8_t buf[L2TP_MAX_PACKET];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(uint32_t)) +
			    64];
	} control;
	struct lns_addr addr = { .listener = (int)(l - srv->listeners) };
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_name = &addr.peer,
		.msg_namelen = sizeof(addr.peer),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t len = recvmsg(fd, &msg, MSG_DONTWAIT);

	if (len < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_msg(LOG_WARNING, "event=recv_failed error=\"%s\"", strerror(errno));
		return false;
	}
	if (msg.msg_flags & MSG_TRUNC)
		return true; /* larger than any L2TP control message we accept */
	addr.peer_len = msg.msg_namelen;
	addr_from_cmsg(&msg, l, &addr);
	/*
	 * A data message (T bit clear), whichever socket had it: the kernel
	 * gives a datagram to any one of the tunnel sockets connected to its
	 * source (clients behind one NAT), so the data path finds the tunnel
	 * by the header and checks the source and mark against its peer.
	 */
	if (len > 0 && !(buf[0] & 0x80) && srv->dp->ops->data_input) {
		struct dp_source src = {
			.peer = (const struct sockaddr *)&addr.peer,
			.peer_len = addr.peer_len,
			.mark = addr.mark,
		};

		srv->dp->ops->data_input(srv->dp, &src, buf, (size_t)len);
		return true;
	}
	lns_input(srv->lns, now_usec(), &addr, buf, (size_t)len);
	return true;
}

static int on_datagram(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct server *srv = userdata;

	for (size_t i = 0; i < srv->n_listeners; i++) {
		if (srv->listeners[i].fd != fd)
			continue;
		for (int n = 0; n < RECV_BATCH && read_datagram(srv, fd, &srv->listeners[i]); n++)
			;
	}
	return 0;
}

/* A tunnel's own socket. lns_input() may close it (and free this source's
 * tunnel): then nothing more is read from it. */
static int on_tunnel_datagram(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct timer_slot *slot = userdata;
	struct server *srv = slot->srv;
	const struct listener *l = &srv->listeners[slot->listener];

	for (int n = 0; n < RECV_BATCH && slot->io == source && read_datagram(srv, fd, l); n++)
		;
	return 0;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port_be)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port_be;
	else
		((struct sockaddr_in6 *)ss)->sin6_port = port_be;
}

static uint16_t get_port(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
					: ((const struct sockaddr_in6 *)ss)->sin6_port;
}

/* lns_io: the tunnel's own socket: our address and port, connected to the peer. */
static int io_tunnel_socket_open(void *ctx, uint16_t tunnel_id, const struct lns_addr *addr)
{
	struct server *srv = ctx;
	struct timer_slot *slot = &srv->timers[tunnel_id];
	const struct listener *l;
	struct sockaddr_storage local;
	socklen_t local_len;
	int one = 1, fd, r;

	if (addr->listener < 0 || (size_t)addr->listener >= srv->n_listeners)
		return -EINVAL;
	l = &srv->listeners[addr->listener];
	local = l->bound;
	local_len = l->bound_len;
	if (addr->local_len && addr->local.ss_family == l->family) {
		local = addr->local;
		set_port(&local, get_port(&l->bound));
	}
	fd = socket(l->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	/* the tunnel's messages may come here too: with their marks, as on the listener */
	if (srv->rcvmark)
		setsockopt(fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one));
	/*
	 * Before connect(), whose route and XFRM lookups take it: what the
	 * kernel's L2TP sends through this socket matches the tunnel's IPsec
	 * SA's outbound policy. Without the mark it would match none: from a
	 * nat-port socket's own port (which the guard does not watch) it
	 * could leave in clear, so the tunnel does not go on.
	 */
	if (addr->reply_mark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &addr->reply_mark, sizeof(addr->reply_mark)) < 0) {
		r = -errno;
		log_msg(LOG_ERR,
			"tunnel=%u event=mark_failed mark=%#x error=\"%s\" reason=\"SO_MARK needs "
			"CAP_NET_ADMIN; the tunnel's socket would send unmarked\"",
			tunnel_id, addr->reply_mark, strerror(-r));
		close(fd);
		return r;
	}
	r = ipsec_protect_socket(srv->ipsec, fd, l->family);
	if (r == 0)
		r = server_tunnel_attach(srv, tunnel_id, addr, fd, &local, local_len);
	if (r < 0) {
		close(fd);
		server_tunnel_detach(srv, tunnel_id);
		return r;
	}
	slot->srv = srv;
	slot->listener = addr->listener;
	r = sd_event_add_io(srv->event, &slot->io, fd, EPOLLIN, on_tunnel_datagram, slot);
	if (r < 0) {
		close(fd);
		server_tunnel_detach(srv, tunnel_id);
		return r;
	}
	slot->fd = fd;
	return fd;
}

static void io_tunnel_socket_close(void *ctx, uint16_t tunnel_id)
{
	struct server *srv = ctx;
	struct timer_slot *slot = &srv->timers[tunnel_id];

	if (!slot->io)
		return;
	slot->io = sd_event_source_disable_unref(slot->io);
	close(slot->fd);
	slot->fd = -1;
	server_tunnel_detach(srv, tunnel_id);
}

/* lns_io: a tunnel's control messages leave by its own socket, as its data does. */
static void io_tunnel_send(void *ctx, uint16_t tunnel_id, const struct lns_addr *addr,
			   const uint8_t *pkt, size_t len)
{
	struct server *srv = ctx;
	struct timer_slot *slot = &srv->timers[tunnel_id];

	if (!slot->io) {
		io_send(ctx, addr, pkt, len);
		return;
	}
	if (send(slot->fd, pkt, len, MSG_DONTWAIT) < 0)
		log_send_failed(srv, addr, errno);
}

/* ---- pppd per call -------------------------------------------------- */

/* pppd ended by itself: the call ends too (CDN). */
static void on_call_ended(void *userdata, uint16_t tunnel_id, uint16_t session_id,
			  const char *why)
{
	struct server *srv = userdata;

	lns_session_ended(srv->lns, now_usec(), tunnel_id, session_id, L2TP_CDN_GENERAL_ERROR,
			  why);
}

static int io_session_up(void *ctx, const struct lns_call *lc)
{
	struct server *srv = ctx;
	struct timer_slot *slot = &srv->timers[lc->tunnel_id];
	struct sockaddr_storage peer = { 0 }, local = { 0 };
	socklen_t peer_len = sizeof(peer), local_len = sizeof(local);

	if (!srv->calls)
		return 0;
	if (!slot->io)
		return -EBADF; /* no tunnel socket */
	if (getpeername(slot->fd, (struct sockaddr *)&peer, &peer_len) < 0 ||
	    getsockname(slot->fd, (struct sockaddr *)&local, &local_len) < 0)
		return -errno;
	return calls_start(srv->calls, lc, slot->fd, &peer, &local);
}

/* The call is going: its pppd is told to end (SIGTERM, later SIGKILL). */
static void io_session_down(void *ctx, uint16_t tunnel_id, uint16_t session_id,
			    enum lns_end end)
{
	struct server *srv = ctx;

	if (srv->calls)
		calls_stop(srv->calls, tunnel_id, session_id, end);
}

/* A tunnel or call started, failed or ended: the peer's history has it. */
static void io_event(void *ctx, const struct lns_event *ev)
{
	struct server *srv = ctx;

	history_feed_lns(srv->history, now_usec(), ev);
}

/* Only peers IPsec protects may start a tunnel (ipsec.h). */
static int io_admit(void *ctx, const struct lns_addr *addr, struct lns_admission *out)
{
	struct server *srv = ctx;

	return ipsec_admit(srv->ipsec, addr, out);
}

struct ipsec *server_ipsec(struct server *srv)
{
	return srv->ipsec;
}

struct calls *server_calls(struct server *srv)
{
	return srv->calls;
}

struct auth *server_auth(struct server *srv)
{
	return srv->auth;
}

const struct history *server_history(struct server *srv)
{
	return srv->history;
}

void server_call_peer(struct server *srv, uint16_t tunnel_id, struct auth_call *call)
{
	const struct peer_ike *ike;
	uint64_t owner = 0;

	if (lns_tunnel_owner(srv->lns, tunnel_id, &owner) < 0 ||
	    !(ike = ipsec_owner(srv->ipsec, owner)))
		return;
	ipsec_remote_string(ike, call->calling_station, sizeof(call->calling_station));
	snprintf(call->ike_id, sizeof(call->ike_id), "%.*s", (int)sizeof(call->ike_id) - 1,
		 ike->sa.remote_id);
}

/* ---- counters ------------------------------------------------------ */

void server_stats(struct server *srv, struct stats *out)
{
	struct lns_counters lc;
	struct calls_stats cs;
	struct radius_stats rs;

	memset(out, 0, sizeof(*out));
	out->uptime_usec = now_usec() - srv->started_usec;
	lns_get_counters(srv->lns, &lc);
	out->tunnels = lc.tunnels;
	out->sessions = lc.sessions;
	out->tunnels_established = lc.tunnels_established;
	out->sessions_established = lc.sessions_established;
	out->setup_failures[STATS_PHASE_TUNNEL] = lc.tunnels_failed;
	out->setup_failures[STATS_PHASE_SESSION] = lc.sessions_failed;
	out->refused[STATS_REFUSED_NO_IPSEC] = lc.refused;
	out->refused[STATS_REFUSED_TUNNEL_LIMIT] = lc.refused_tunnel_limit;
	out->refused[STATS_REFUSED_SESSION_LIMIT] = lc.refused_session_limit;
	out->packets_dropped = lc.packets_dropped;
	if (srv->calls) {
		calls_get_stats(srv->calls, &cs);
		out->setup_failures[STATS_PHASE_PPP_LCP] = cs.failed_lcp;
		out->setup_failures[STATS_PHASE_PPP_AUTH] = cs.failed_auth;
		out->setup_failures[STATS_PHASE_PPP_IPCP] = cs.failed_ipcp;
		out->refused[STATS_REFUSED_POOL_EMPTY] = cs.pool_empty;
		out->traffic = cs.traffic;
		out->pool_used = calls_pool_in_use(srv->calls);
		out->pool_size = calls_pool_size(srv->calls);
	}
	if (srv->radius) {
		radius_get_stats(srv->radius, &rs);
		out->radius[STATS_RADIUS_AUTH] = rs.kinds[RADIUS_AUTH];
		out->radius[STATS_RADIUS_ACCT] = rs.kinds[RADIUS_ACCT];
	}
	if (srv->acct)
		out->acct_queue = acct_pending(srv->acct);
}

static void on_metrics_stats(void *userdata, struct stats *out)
{
	server_stats(userdata, out);
}

/* The Prometheus endpoint (metrics.h), when the config names an address. */
static int open_metrics(struct server *srv)
{
	const struct config_listen *at = &srv->cfg->metrics;

	if (!at->addr_len)
		return 0;
	return metrics_new(&srv->metrics, srv->event, &at->addr, at->addr_len, on_metrics_stats,
			   srv);
}

/*
 * Asks for each datagram's mark: which IPsec SA it came through, which
 * tells apart clients behind one NAT (ipsec_admit()). Without it (before
 * Linux 5.19) every datagram is unmarked, and is matched to an SA by its
 * address and port alone, as it always was.
 */
static void want_marks(struct server *srv, int fd)
{
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one)) == 0) {
		srv->rcvmark = true;
		return;
	}
	if (srv->n_listeners == 0) /* the first listener says it for all */
		log_msg(LOG_INFO,
			"event=rcvmark_unavailable error=\"%s\" reason=\"the kernel gives no "
			"datagram's mark (SO_RCVMARK, Linux 5.19): L2TP peers are matched to IPsec "
			"SAs by address and port alone\"",
			strerror(errno));
}

static int open_listener(struct server *srv, const struct config_listen *cl)
{
	struct listener *l = &srv->listeners[srv->n_listeners];
	int family = cl->addr.ss_family, one = 1, rcvbuf = LISTEN_RCVBUF, fd, r;
	char where[64];

	lns_sockaddr_string(&cl->addr, where, sizeof(where));
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* FORCE passes net.core.rmem_max when we may (CAP_NET_ADMIN); otherwise the capped size */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (family == AF_INET)
		r = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	else
		r = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	if (r < 0 || bind(fd, (const struct sockaddr *)&cl->addr, cl->addr_len) < 0)
		goto fail;
	want_marks(srv, fd);
	r = ipsec_protect_socket(srv->ipsec, fd, family);
	if (r < 0) {
		log_msg(LOG_ERR,
			"event=listen_failed address=%s error=\"cannot require ESP on the socket: %s "
			"(the kernel needs XFRM and xfrm_user; allow_unencrypted = yes skips this, "
			"for troubleshooting only)\"",
			where, strerror(-r));
		close(fd);
		return r;
	}
	r = sd_event_add_io(srv->event, &l->source, fd, EPOLLIN, on_datagram, srv);
	if (r < 0) {
		errno = -r;
		goto fail;
	}
	l->fd = fd;
	l->family = family;
	l->bound = cl->addr;
	l->bound_len = cl->addr_len;
	srv->n_listeners++;
	log_msg(LOG_INFO, "event=listening address=%s", where);
	return 0;
fail:
	r = -errno;
	log_msg(LOG_ERR, "event=listen_failed address=%s error=\"%s\"", where, strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}

/* ---- lifecycle ----------------------------------------------------- */

static int on_shutdown_poll(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct server *srv = userdata;
	uint64_t now = now_usec();

	if (now >= srv->shutdown_deadline) {
		if (srv->acct && acct_pending(srv->acct))
			log_msg(LOG_WARNING, "event=shutdown_timeout acct_pending=%zu",
				acct_pending(srv->acct));
		return sd_event_exit(srv->event, 0);
	}
	/* the peers have our StopCCNs, every pppd is reaped (its Stop queued) */
	if (lns_is_idle(srv->lns) && (!srv->calls || calls_live(srv->calls) == 0)) {
		if (!srv->acct)
			return sd_event_exit(srv->event, 0);
		/*
		 * Accounting-Off last (RFC 2866's order): only once every
		 * session's Stop has been answered, or the deadline ends the wait.
		 */
		if (!srv->acct_off_sent && acct_pending(srv->acct) == 0) {
			srv->acct_off_sent = true;
			server_send_acct_nas(srv, ACCT_OFF);
		} else if (srv->acct_off_sent && acct_pending(srv->acct) == 0) {
			return sd_event_exit(srv->event, 0);
		}
	}
	sd_event_source_set_time(source, now + SHUTDOWN_POLL_USEC);
	return sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
}

void server_shutdown(struct server *srv)
{
	uint64_t now = now_usec();

	if (srv->shutdown_deadline)
		return;
	sd_notify(0, "STOPPING=1\nSTATUS=Stopping tunnels");
	log_msg(LOG_INFO, "event=shutdown");
	srv->shutdown_deadline = now + SHUTDOWN_GRACE_USEC;
	if (srv->acct) /* pppd's grace, then one round of every accounting server */
		srv->shutdown_deadline += PPPD_KILL_GRACE_USEC +
			(uint64_t)srv->cfg->radius.timeout_ms * 1000 *
				(srv->cfg->radius.retries + 1) * srv->cfg->radius.n_acct;
	lns_shutdown(srv->lns, now);
	sd_event_add_time(srv->event, NULL, CLOCK_MONOTONIC, now, TIMER_ACCURACY_USEC,
			  on_shutdown_poll, srv);
}

static int on_signal(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata)
{
	server_shutdown(userdata);
	return 0;
}

/* ---- reload -------------------------------------------------------- */

#define SAME(a, b, field) (memcmp(&(a)->field, &(b)->field, sizeof((a)->field)) == 0)

/* Applies what must be done beyond the config struct itself: the RADIUS
 * client, the pool, the MSS clamp. RADIUS refuses a bad list before it
 * changes anything, and the pool (whose ranges config_load checked) fails
 * only for memory, so a refused reload leaves things as they were. */
static int apply_reload(struct server *srv, const struct l2tpsrv_config *next, char *msg,
			size_t len)
{
	const struct l2tpsrv_config *cur = srv->cfg;
	char err[256];
	int r;

	if (srv->radius && !SAME(next, cur, radius)) {
		r = radius_set_config(srv->radius, &next->radius);
		if (r == -EINVAL) {
			snprintf(msg, len, "%s: RADIUS servers: %s", srv->src.path, strerror(-r));
			return r;
		}
	}
	if (srv->calls && (!SAME(next, cur, pools) || !SAME(next, cur, n_pools))) {
		r = calls_set_pools(srv->calls, next->pools, next->n_pools);
		if (r < 0) {
			snprintf(msg, len, "%s: pool: %s", srv->src.path, strerror(-r));
			return r;
		}
	}
	if (srv->src.mss_clamped && next->ppp_mtu != cur->ppp_mtu) {
		uint16_t mss = mss_clamp_for_mtu(next->ppp_mtu);

		if (mss_clamp_install(mss, err, sizeof(err)) < 0)
			log_msg(LOG_WARNING, "event=mss_clamp_failed mss=%u error=\"%s\"", mss, err);
		else
			log_msg(LOG_INFO, "event=mss_clamp mss=%u", mss);
	}
	return 0;
}

int server_reload(struct server *srv, char *msg, size_t len)
{
	struct l2tpsrv_config *next = malloc(sizeof(*next));
	char changed[512];
	unsigned int n = 0;
	int r;

	if (!next) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	sd_notify(0, "RELOADING=1\nSTATUS=Reloading the configuration");
	config_defaults(next);
	r = config_load(next, srv->src.path, srv->src.must_exist, msg, len);
	if (r >= 0) {
		if (srv->src.dataplane_from_cli)
			next->dataplane = srv->cfg->dataplane;
		if (srv->src.unencrypted_from_cli)
			next->allow_unencrypted = true;
		n = config_keep_restart_only(next, srv->cfg, changed, sizeof(changed));
		r = apply_reload(srv, next, msg, len);
	}
	if (r < 0) {
		log_msg(LOG_ERR, "event=reload_refused error=\"%s\"", msg);
	} else {
		*srv->cfg = *next;
		log_set_level(srv->src.debug ? LOG_DEBUG : srv->cfg->log_level);
		if (n)
			snprintf(msg, len, "reloaded %s; these changes wait for a restart: %s",
				 srv->src.path, changed);
		else
			snprintf(msg, len, "reloaded %s", srv->src.path);
		log_msg(LOG_NOTICE, "event=reload config=\"%s\" restart_needed=\"%s\"",
			srv->src.path, n ? changed : "");
	}
	explicit_bzero(next, sizeof(*next)); /* the secrets */
	free(next);
	sd_notify(0, "READY=1");
	srv->last_tunnels = UINT_MAX; /* on_status says it again */
	return r < 0 ? r : 0;
}

/* log.c's L2TP_USER for a session's messages that do not name the user */
static bool user_of_session(void *ctx, unsigned int tunnel, unsigned int session, char *user,
			    size_t len)
{
	struct server *srv = ctx;
	struct ctl_session s;

	if (!srv->calls || tunnel > UINT16_MAX || session > UINT16_MAX ||
	    !calls_describe(srv->calls, (uint16_t)tunnel, (uint16_t)session, &s) || !s.user[0])
		return false;
	snprintf(user, len, "%.*s", (int)sizeof(s.user), s.user);
	return true;
}

static int on_sighup(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata)
{
	char msg[1024];

	server_reload(userdata, msg, sizeof(msg));
	return 0;
}

static int on_status(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct server *srv = userdata;
	struct lns_counters c;

	lns_get_counters(srv->lns, &c);
	if (c.tunnels != srv->last_tunnels || c.sessions != srv->last_sessions) {
		sd_notifyf(0, "STATUS=%u tunnels, %u sessions", c.tunnels, c.sessions);
		srv->last_tunnels = c.tunnels;
		srv->last_sessions = c.sessions;
	}
	sd_event_source_set_time(source, usec + STATUS_INTERVAL_USEC);
	return sd_event_source_set_enabled(source, SD_EVENT_ON);
}

struct lns *server_lns(struct server *srv)
{
	return srv->lns;
}

uint64_t server_now(void)
{
	return now_usec();
}

static void server_free(struct server *srv)
{
	log_set_user_lookup(NULL, NULL);
	metrics_free(srv->metrics);
	control_free(srv->control);
	dae_free(srv->dae);
	acct_free(srv->acct); /* logs what it could not send */
	radius_free(srv->radius); /* pending requests die with it, their callbacks uncalled */
	auth_free(srv->auth);
	ipsec_free(srv->ipsec);
	lns_free(srv->lns);
	calls_free(srv->calls);
	history_free(srv->history);
	server_natport_stop(srv);
	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		sd_event_source_disable_unref(srv->timers[id].source);
	for (size_t i = 0; i < srv->n_listeners; i++) {
		sd_event_source_disable_unref(srv->listeners[i].source);
		close(srv->listeners[i].fd);
	}
	sd_event_unref(srv->event);
	free(srv);
}

int server_run(struct l2tpsrv_config *cfg, struct dataplane *dp, const struct server_source *src)
{
	static const struct lns_io io = {
		.send = io_send,
		.timer = io_timer,
		.tunnel_socket_open = io_tunnel_socket_open,
		.tunnel_socket_close = io_tunnel_socket_close,
		.tunnel_send = io_tunnel_send,
		.session_up = io_session_up,
		.session_down = io_session_down,
		.admit = io_admit,
		.event = io_event,
	};
	struct server *srv = calloc(1, sizeof(*srv));
	sigset_t mask;
	int r;

	if (!srv)
		return -ENOMEM;
	srv->cfg = cfg;
	srv->src = *src;
	srv->dp = dp;
	srv->started_usec = now_usec();
	r = sd_event_default(&srv->event);
	if (r < 0)
		goto out;
	srv->history = history_new(CTL_HISTORY_PEERS, CTL_HISTORY_EVENTS);
	if (!srv->history) {
		r = -ENOMEM;
		goto out;
	}
	srv->lns = lns_new(cfg, dp, &io, srv);
	if (!srv->lns) {
		r = -ENOMEM;
		goto out;
	}
	if (dp->ops->carries_ppp) {
		/* pppds of an l2tpsrv that was killed may have left theirs */
		ppp_pidfiles_remove_stale(PPP_PIDFILES_DIR);
		srv->calls = calls_new(srv->event, cfg, dp, on_call_ended, srv, &r);
		if (!srv->calls)
			goto out;
		calls_set_history(srv->calls, srv->history);
	}
	r = ipsec_new(&srv->ipsec, srv->event, cfg, srv->lns, srv->history);
	if (r < 0)
		goto out;
	r = server_open_radius(srv);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < cfg->n_listen; i++) {
		r = open_listener(srv, &cfg->listen[i]);
		if (r < 0)
			goto out;
	}
	server_natport_start(srv);
	r = control_new(&srv->control, srv, srv->event, cfg->control_socket);
	if (r < 0)
		goto out;
	r = open_metrics(srv);
	if (r < 0)
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD); /* for sd_event_add_child() */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sd_event_add_signal(srv->event, NULL, SIGTERM, on_signal, srv);
	sd_event_add_signal(srv->event, NULL, SIGINT, on_signal, srv);
	sd_event_add_signal(srv->event, NULL, SIGHUP, on_sighup, srv);
	/* WatchdogSec= in the unit: the loop itself pings, so a hung loop is caught */
	sd_event_set_watchdog(srv->event, true);
	log_set_user_lookup(user_of_session, srv);
	sd_event_add_time(srv->event, NULL, CLOCK_MONOTONIC, now_usec() + STATUS_INTERVAL_USEC,
			  TIMER_ACCURACY_USEC * 1000, on_status, srv);
	sd_notify(0, "READY=1\nSTATUS=0 tunnels, 0 sessions");
	log_msg(LOG_INFO, "event=ready dataplane=%s control=%s charon=%s ipsec=%s", dp->ops->name,
		cfg->control_socket, cfg->charon_socket,
		cfg->allow_unencrypted ? "optional" : "required");
	r = sd_event_loop(srv->event);
out:
	if (r < 0)
		log_msg(LOG_ERR, "event=server_failed error=\"%s\"", strerror(-r));
	server_free(srv);
	return r < 0 ? r : 0;
}
