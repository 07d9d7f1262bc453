/*
 * dataplane_user: the data path in userspace, for kernels without L2TP.
 * See dataplane.h.
 *
 * Each session gets a pty pair. pppd runs on the slave (session_tty())
 * with its async line discipline; we read HDLC-framed PPP frames (hdlc.h)
 * from the master, strip the framing and send each frame to the peer as an
 * L2TP data message on the tunnel's UDP socket. The other way, the daemon
 * passes the data messages it reads to data_input(), which finds the
 * tunnel by the header's tunnel id, checks that the sender is its peer,
 * frames the PPP frame and writes it to the session's master.
 *
 * We keep the slave open ourselves for the session's life, in raw mode:
 * without an open slave the master reports EPOLLHUP in a loop until pppd
 * opens it, and a slave in the default (cooked) mode would echo frames
 * back to us. pppd sets the modes it wants when it opens the tty.
 *
 * Frames from the peer go through a per-session queue (OUTQ_MAX octets,
 * allocated only while something waits) when the pty cannot take them:
 *  - until pppd has sent its first frame: pppd switches the tty to its PPP
 *    line discipline first, and that switch throws away whatever the tty
 *    held. The LAC's first LCP Configure-Request often arrives while pppd
 *    is still starting; lost, it would cost the LAC's restart timer (3 s)
 *    on every call's bring-up;
 *  - when the pty is full: pppd reads in bursts, and a frame dropped at
 *    once is a TCP loss (iperf3 in the VM: 137 drops, 119 retransmits in
 *    6 s without the queue). The queue drains on EPOLLOUT.
 * A frame that finds the queue full is dropped and counted.
 *
 * Nothing here blocks the daemon: the master and the sends are
 * non-blocking, and a frame that does not fit is dropped and counted, as
 * is every malformed input. Nothing logs above debug.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "dataplane.h"
#include "hdlc.h"
#include "header.h"
#include "log.h"
#include "protocol.h"
#include "reader.h"
#include "sockaddr.h"
#include "writer.h"

/* One read of a pty master, and how many a wake-up may do before the event
 * loop turns to other sources (the source stays readable if more is left). */
#define PTY_READ_LEN (64 * 1024)
#define PTY_READS_PER_WAKEUP 16

/* Encoded octets that may wait for a session's pty: about 45 full frames. */
#define OUTQ_MAX (64 * 1024)

#define SESSION_BUCKETS 4096
#define TTY_PATH_LEN 64

/* RFC 2661 3.1: the flags of the data messages we send: T and L clear (the
 * datagram gives the length), S when the session sequences, version 2. */
#define DATA_FLAG_S 0x0800
/* Flags, tunnel id, session id, Ns, Nr. */
#define DATA_HEADER_MAX 10

struct user_tunnel;
struct dp_user;

struct user_session {
	struct user_session *hash_next; /* u->sessions chain */
	struct user_session *prev, *next; /* the tunnel's list */
	struct user_tunnel *tunnel;
	struct dp_user *u;
	uint16_t id;
	uint16_t peer_id;
	bool sequencing;
	uint16_t ns; /* of the next data message, when sequencing */
	int master;
	int slave;
	sd_event_source *source; /* the master, readable */
	char tty[TTY_PATH_LEN];
	struct hdlc_decoder decoder;
	bool pppd_spoke; /* pppd has sent a frame: it reads the tty now */
	uint8_t *outq;	 /* OUTQ_MAX octets of encoded frames for the pty, or NULL */
	size_t outq_len;
};

struct user_tunnel {
	uint16_t id;
	uint16_t peer_id;
	int fd; /* the daemon's: bound, connected, closed by the daemon */
	/* Who sends its data messages: address and port, and mark under mark_mask */
	struct sockaddr_storage peer;
	uint32_t mark;
	uint32_t mark_mask;
	struct user_session *sessions;
};

struct dp_user {
	struct dataplane dp; /* first: dp_user is a dataplane */
	sd_event *event;
	struct dp_user_counters counters;
	struct user_tunnel *tunnels[UINT16_MAX + 1]; /* by our tunnel id */
	struct user_session *sessions[SESSION_BUCKETS];
	uint8_t rx[PTY_READ_LEN];			  /* a read of a master */
	uint8_t tx[HDLC_ENCODED_MAX(HDLC_MAX_FRAME)]; /* a frame for a master */
};

static struct dp_user *to_user(const struct dataplane *dp)
{
	return (struct dp_user *)dp;
}

static unsigned int session_bucket(uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t key = (uint32_t)tunnel_id << 16 | session_id;

	return (key * 2654435761u) >> 20 & (SESSION_BUCKETS - 1);
}

static struct user_session *session_find(const struct dp_user *u, uint16_t tunnel_id,
					 uint16_t session_id)
{
	struct user_session *s;

	for (s = u->sessions[session_bucket(tunnel_id, session_id)]; s; s = s->hash_next) {
		if (s->tunnel->id == tunnel_id && s->id == session_id)
			return s;
	}
	return NULL;
}

static void session_link(struct dp_user *u, struct user_session *s)
{
	struct user_session **head = &u->sessions[session_bucket(s->tunnel->id, s->id)];
	struct user_tunnel *t = s->tunnel;

	s->hash_next = *head;
	*head = s;
	s->prev = NULL;
	s->next = t->sessions;
	if (t->sessions)
		t->sessions->prev = s;
	t->sessions = s;
}

static void session_unlink(struct dp_user *u, struct user_session *s)
{
	struct user_session **p = &u->sessions[session_bucket(s->tunnel->id, s->id)];

	while (*p && *p != s)
		p = &(*p)->hash_next;
	if (*p)
		*p = s->hash_next;
	if (s->prev)
		s->prev->next = s->next;
	else
		s->tunnel->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

/* Closes what s holds and frees it (s unlinked, or never linked). */
static void session_free(struct user_session *s)
{
	if (s->source) {
		sd_event_source_set_enabled(s->source, SD_EVENT_OFF);
		sd_event_source_unref(s->source);
	}
	if (s->master >= 0)
		close(s->master);
	if (s->slave >= 0)
		close(s->slave);
	free(s->outq);
	free(s);
}

/* Adds the decoder's drops to the totals and starts its count again. */
static void take_decoder_drops(struct dp_user *u, struct hdlc_decoder *d)
{
	u->counters.drop_bad_fcs += d->drops.bad_fcs;
	u->counters.drop_bad_frame += d->drops.too_short + d->drops.too_long + d->drops.aborted;
	d->drops = (struct hdlc_drops){ 0 };
}

/* --- pty to network --- */

/* Sends one PPP frame to the peer as a data message (RFC 2661 3.1, 5.2). */
static void send_frame(struct dp_user *u, struct user_session *s, const uint8_t *frame,
		       size_t len)
{
	uint8_t hdr[DATA_HEADER_MAX];
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	struct writer w;

	writer_init(&w, hdr, sizeof(hdr));
	writer_u16(&w, (uint16_t)((s->sequencing ? DATA_FLAG_S : 0) | L2TP_VERSION));
	writer_u16(&w, s->tunnel->peer_id);
	writer_u16(&w, s->peer_id);
	if (s->sequencing) {
		writer_u16(&w, s->ns);
		writer_u16(&w, 0); /* Nr is reserved in data messages */
	}
	if (!writer_ok(&w)) {
		u->counters.drop_send++;
		return;
	}
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = writer_len(&w) };
	iov[1] = (struct iovec){ .iov_base = (void *)frame, .iov_len = len };
	if (sendmsg(s->tunnel->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		u->counters.drop_send++;
		return;
	}
	if (s->sequencing)
		s->ns++;
	u->counters.from_pty_frames++;
	u->counters.from_pty_bytes += len;
}

/* The master failed (the tty was hung up, say): stop watching it, or it
 * would wake us in a loop. The session stays until session_del. */
static void pty_failed(struct dp_user *u, struct user_session *s, int err)
{
	u->counters.pty_errors++;
	sd_event_source_set_enabled(s->source, SD_EVENT_OFF);
	log_msg(LOG_DEBUG, "dataplane=userspace event=pty_failed tunnel=%u session=%u tty=%s error=%d",
		s->tunnel->id, s->id, s->tty, err);
}

static void flush_outq(struct dp_user *u, struct user_session *s);

/* The master is readable (frames from pppd) or writable (room for the
 * queue). Frees nothing. */
static int on_pty_event(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct user_session *s = userdata;
	struct dp_user *u = s->u;
	const uint8_t *frame;
	struct reader in;
	size_t len;
	ssize_t n;
	int i;

	if (revents & EPOLLOUT)
		flush_outq(u, s);
	if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	for (i = 0; i < PTY_READS_PER_WAKEUP; i++) {
		n = read(fd, u->rx, sizeof(u->rx));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			pty_failed(u, s, n < 0 ? -errno : -EIO);
			break;
		}
		reader_init(&in, u->rx, (size_t)n);
		while (hdlc_decoder_next(&s->decoder, &in, &frame, &len)) {
			send_frame(u, s, frame, len);
			if (!s->pppd_spoke) {
				s->pppd_spoke = true;
				flush_outq(u, s);
			}
		}
		take_decoder_drops(u, &s->decoder);
		/* A short read emptied the master: save the read that would
		 * say EAGAIN (the source is level-triggered). */
		if ((size_t)n < sizeof(u->rx))
			break;
	}
	return 0;
}

/* --- network to pty --- */

/* Watches the master for room (EPOLLOUT) too, or no longer. */
static void want_room(struct user_session *s, bool on)
{
	(void)sd_event_source_set_io_events(s->source, EPOLLIN | (on ? EPOLLOUT : 0));
}

/* Appends len encoded octets to the queue; false when they do not fit. */
static bool outq_append(struct user_session *s, const uint8_t *enc, size_t len)
{
	if (!s->outq)
		s->outq = malloc(OUTQ_MAX);
	if (!s->outq || len > OUTQ_MAX - s->outq_len)
		return false;
	memcpy(s->outq + s->outq_len, enc, len);
	s->outq_len += len;
	return true;
}

/* Writes what the queue holds, as far as the pty takes it (once pppd has
 * spoken), and watches for room while anything is left. */
static void flush_outq(struct dp_user *u, struct user_session *s)
{
	ssize_t n;

	if (!s->pppd_spoke)
		return;
	if (s->outq_len) {
		n = write(s->master, s->outq, s->outq_len);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			u->counters.pty_errors++;
			s->outq_len = 0; /* the pty is gone: so is what waited */
		} else if (n > 0) {
			memmove(s->outq, s->outq + n, s->outq_len - (size_t)n);
			s->outq_len -= (size_t)n;
		}
	}
	if (!s->outq_len) {
		free(s->outq);
		s->outq = NULL;
	}
	want_room(s, s->outq_len > 0);
}

/* Writes one PPP frame to the session's pty, queues it (pppd not ready,
 * pty full, or frames already waiting: order is kept), or drops it. */
static void write_frame(struct dp_user *u, struct user_session *s, const uint8_t *frame,
			size_t len)
{
	ssize_t enc, n = 0;

	enc = hdlc_encode(frame, len, u->tx, sizeof(u->tx));
	if (enc < 0) {
		u->counters.drop_bad_frame++;
		return;
	}
	if (s->pppd_spoke && !s->outq_len) {
		n = write(s->master, u->tx, (size_t)enc);
		if (n == enc) {
			u->counters.to_pty_frames++;
			u->counters.to_pty_bytes += len;
			return;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			u->counters.pty_errors++;
			return;
		}
		if (n < 0)
			n = 0;
	}
	/* The rest of the frame (all of it, or what a short write left). A
	 * rest that does not fit leaves a stub in the pty; pppd drops it by
	 * its FCS, as the next frame starts with a flag. */
	if (!outq_append(s, u->tx + n, (size_t)(enc - n))) {
		u->counters.drop_pty_full++;
		return;
	}
	u->counters.to_pty_frames++;
	u->counters.to_pty_bytes += len;
	if (s->pppd_spoke)
		want_room(s, true);
}

/*
 * Whether src is t's peer: the same address and port, and the mark of its
 * IPsec SA. Clients behind one NAT share the address and port; only the
 * mark tells one's datagrams from another's.
 */
static bool from_tunnel_peer(const struct user_tunnel *t, const struct dp_source *src)
{
	struct sockaddr_storage from = { 0 };

	if (!src->peer || src->peer_len > sizeof(from))
		return false;
	memcpy(&from, src->peer, src->peer_len);
	return sockaddr_same_host_port(&t->peer, &from) && (src->mark & t->mark_mask) == t->mark;
}

/*
 * The socket the message came on does not say whose it is: the tunnels of
 * one peer address and port (clients behind one NAT, or a peer's old
 * tunnel lingering until HELLO ends it) have sockets connected alike, and
 * the kernel hands their datagrams to any one of them. As the kernel's own
 * L2TP does from Linux 6.11, the header's tunnel id decides; the sender
 * must then be that tunnel's peer, or anyone behind the NAT could write
 * into another's PPP.
 */
static void user_data_input(struct dataplane *dp, const struct dp_source *src,
			    const uint8_t *pkt, size_t len)
{
	struct dp_user *u = to_user(dp);
	struct user_tunnel *t;
	struct user_session *s;
	struct l2tp_header h;
	const uint8_t *frame;
	struct reader r;
	size_t frame_len;

	/* Checks the version, L against the datagram, and O's pad. */
	if (l2tp_header_parse(pkt, len, &h) < 0 || h.control) {
		u->counters.drop_bad_header++;
		return;
	}
	t = u->tunnels[h.tunnel_id];
	if (!t || !from_tunnel_peer(t, src)) {
		u->counters.drop_unknown_tunnel++;
		return;
	}
	s = session_find(u, t->id, h.session_id);
	if (!s) {
		u->counters.drop_unknown_session++;
		return;
	}
	/* The frame: from after the header to Length (or the datagram's end). */
	reader_init(&r, pkt, h.length);
	if (!reader_skip(&r, h.payload_offset)) {
		u->counters.drop_bad_header++;
		return;
	}
	frame_len = reader_left(&r);
	if (frame_len < HDLC_MIN_FRAME || frame_len > HDLC_MAX_FRAME ||
	    !reader_bytes(&r, frame_len, &frame)) {
		u->counters.drop_bad_frame++;
		return;
	}
	write_frame(u, s, frame, frame_len);
}

/* --- tunnels and sessions --- */

static int user_tunnel_add(struct dataplane *dp, const struct dp_tunnel *dt)
{
	struct dp_user *u = to_user(dp);
	struct user_tunnel *t;

	if (dt->fd < 0)
		return -EBADF;
	if (!dt->peer || dt->peer_len > sizeof(t->peer))
		return -EINVAL;
	if (u->tunnels[dt->tunnel_id])
		return -EEXIST;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->id = dt->tunnel_id;
	t->peer_id = dt->peer_tunnel_id;
	t->fd = dt->fd;
	memcpy(&t->peer, dt->peer, dt->peer_len);
	t->mark = dt->mark;
	t->mark_mask = dt->mark_mask;
	u->tunnels[t->id] = t;
	log_msg(LOG_DEBUG,
		"dataplane=userspace event=tunnel_added tunnel=%u peer_tunnel=%u fd=%d "
		"mark=%#x/%#x",
		t->id, t->peer_id, t->fd, t->mark, t->mark_mask);
	return 0;
}

static void user_tunnel_del(struct dataplane *dp, uint16_t tunnel_id)
{
	struct dp_user *u = to_user(dp);
	struct user_tunnel *t = u->tunnels[tunnel_id];
	struct user_session *s;

	if (!t)
		return;
	while ((s = t->sessions)) {
		session_unlink(u, s);
		session_free(s);
	}
	u->tunnels[tunnel_id] = NULL;
	free(t);
	log_msg(LOG_DEBUG, "dataplane=userspace event=tunnel_deleted tunnel=%u", tunnel_id);
}

/* Opens s's pty pair: the master non-blocking, the slave in raw mode. */
static int open_pty(struct user_session *s)
{
	struct termios tio;
	int r;

	s->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->master < 0)
		return -errno;
	if (grantpt(s->master) < 0 || unlockpt(s->master) < 0)
		return -errno;
	r = ptsname_r(s->master, s->tty, sizeof(s->tty));
	if (r != 0)
		return -r;
	s->slave = open(s->tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->slave < 0)
		return -errno;
	if (tcgetattr(s->slave, &tio) < 0)
		return -errno;
	cfmakeraw(&tio);
	if (tcsetattr(s->slave, TCSANOW, &tio) < 0)
		return -errno;
	return 0;
}

static int user_session_add(struct dataplane *dp, const struct dp_session *ds)
{
	struct dp_user *u = to_user(dp);
	struct user_tunnel *t = u->tunnels[ds->tunnel_id];
	struct user_session *s;
	int r;

	if (!t)
		return -ENOENT;
	if (session_find(u, ds->tunnel_id, ds->session_id))
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->tunnel = t;
	s->u = u;
	s->id = ds->session_id;
	s->peer_id = ds->peer_session_id;
	s->sequencing = ds->sequencing;
	s->master = -1;
	s->slave = -1;
	hdlc_decoder_init(&s->decoder);
	r = open_pty(s);
	if (r < 0)
		goto fail;
	r = sd_event_add_io(u->event, &s->source, s->master, EPOLLIN, on_pty_event, s);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_description(s->source, "l2tp-pty");
	session_link(u, s);
	log_msg(LOG_DEBUG,
		"dataplane=userspace event=session_added tunnel=%u session=%u peer_session=%u "
		"sequencing=%d tty=%s",
		t->id, s->id, s->peer_id, s->sequencing, s->tty);
	return 0;
fail:
	log_msg(LOG_DEBUG, "dataplane=userspace event=session_add_failed tunnel=%u session=%u error=%d",
		t->id, s->id, r);
	session_free(s);
	return r;
}

static void user_session_del(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id)
{
	struct dp_user *u = to_user(dp);
	struct user_session *s = session_find(u, tunnel_id, session_id);

	if (!s)
		return;
	session_unlink(u, s);
	session_free(s);
	log_msg(LOG_DEBUG, "dataplane=userspace event=session_deleted tunnel=%u session=%u",
		tunnel_id, session_id);
}

/* The ACCM only matters on the pty, where we always escape every control
 * character and take unescaped ones as data (hdlc.h). */
static int user_session_set_accm(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id,
				 uint32_t send_accm, uint32_t recv_accm)
{
	return 0;
}

static int user_session_tty(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id,
			    char *path, size_t size)
{
	const struct user_session *s = session_find(to_user(dp), tunnel_id, session_id);
	size_t len;

	if (!s)
		return -ENOENT;
	len = strlen(s->tty);
	if (len >= size)
		return -ERANGE;
	memcpy(path, s->tty, len + 1);
	return 0;
}

static void user_free(struct dataplane *dp)
{
	struct dp_user *u = to_user(dp);
	size_t i;

	for (i = 0; i <= UINT16_MAX; i++) {
		if (u->tunnels[i])
			user_tunnel_del(dp, (uint16_t)i);
	}
	log_msg(LOG_INFO,
		"dataplane=userspace event=counters from_pty_frames=%llu to_pty_frames=%llu "
		"drop_pty_full=%llu drop_send=%llu drop_bad_fcs=%llu drop_bad_frame=%llu "
		"drop_bad_header=%llu drop_unknown_tunnel=%llu drop_unknown_session=%llu "
		"pty_errors=%llu",
		(unsigned long long)u->counters.from_pty_frames,
		(unsigned long long)u->counters.to_pty_frames,
		(unsigned long long)u->counters.drop_pty_full,
		(unsigned long long)u->counters.drop_send,
		(unsigned long long)u->counters.drop_bad_fcs,
		(unsigned long long)u->counters.drop_bad_frame,
		(unsigned long long)u->counters.drop_bad_header,
		(unsigned long long)u->counters.drop_unknown_tunnel,
		(unsigned long long)u->counters.drop_unknown_session,
		(unsigned long long)u->counters.pty_errors);
	sd_event_unref(u->event);
	free(u);
}

static const struct dataplane_ops user_ops = {
	.name = "userspace",
	.wants_tunnel_socket = true,
	.carries_ppp = true,
	.tunnel_add = user_tunnel_add,
	.tunnel_del = user_tunnel_del,
	.session_add = user_session_add,
	.session_del = user_session_del,
	.session_set_accm = user_session_set_accm,
	.data_input = user_data_input,
	.session_tty = user_session_tty,
	.free = user_free,
};

struct dataplane *dataplane_user_new(sd_event *event)
{
	struct dp_user *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->dp.ops = &user_ops;
	u->event = sd_event_ref(event);
	return &u->dp;
}

void dataplane_user_get_counters(const struct dataplane *dp, struct dp_user_counters *c)
{
	*c = to_user(dp)->counters;
}
