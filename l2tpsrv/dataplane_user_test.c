/*
 * Tests of the userspace data path, on real ptys and a UDP socket pair on
 * 127.0.0.1: one socket is the tunnel's (ours), the other plays the LAC.
 * The test opens the session's tty as pppd would and speaks async HDLC on
 * it. No kernel L2TP is needed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "check_tap.h"
#include "dataplane.h"
#include "hdlc.h"
#include "protocol.h"
#include "writer.h"

#define TID 0x1234      /* our tunnel id */
#define PEER_TID 0x4321 /* the LAC's */
#define SID 0x0101
#define PEER_SID 0x0202
#define WAIT_MS 2000

/* An LCP Echo-Request with every kind of octet to escape. */
static const uint8_t lcp_echo[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x07, 0x00, 0x0c,
				    0x7e, 0x7d, 0x00, 0x11, 0x13, 0x20, 0x41, 0xff };

struct fixture {
	sd_event *event;
	struct dataplane *dp;
	int tunnel_fd; /* ours: what the daemon gives tunnel_add */
	int lac_fd;
	struct sockaddr_in lac; /* lac_fd's address: the tunnels' peer */
};

static struct fixture f;

static void udp_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in sb = sa;
	socklen_t len = sizeof(sa);

	*a = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	*b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*a, 0);
	ck_assert_int_ge(*b, 0);
	ck_assert_int_eq(bind(*a, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(bind(*b, (struct sockaddr *)&sb, sizeof(sb)), 0);
	ck_assert_int_eq(getsockname(*a, (struct sockaddr *)&sa, &len), 0);
	len = sizeof(sb);
	ck_assert_int_eq(getsockname(*b, (struct sockaddr *)&sb, &len), 0);
	ck_assert_int_eq(connect(*a, (struct sockaddr *)&sb, sizeof(sb)), 0);
	ck_assert_int_eq(connect(*b, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

/* A tunnel whose peer is the LAC, on fd, for datagrams with mark under mark_mask. */
static void add_tunnel_with(uint16_t tid, int fd, uint32_t mark, uint32_t mark_mask)
{
	struct dp_tunnel t = { .tunnel_id = tid, .peer_tunnel_id = PEER_TID,
			       .peer = (const struct sockaddr *)&f.lac, .peer_len = sizeof(f.lac),
			       .fd = fd, .mark = mark, .mark_mask = mark_mask };

	ck_assert_int_eq(f.dp->ops->tunnel_add(f.dp, &t), 0);
}

/* Tunnel TID on the fixture's socket: the LAC's, unmarked. */
static void add_tunnel(void)
{
	add_tunnel_with(TID, f.tunnel_fd, 0, 0);
}

static void add_session_to(uint16_t tid, uint16_t sid, uint16_t peer_sid, bool sequencing)
{
	struct dp_session s = { .tunnel_id = tid, .session_id = sid,
				.peer_session_id = peer_sid, .sequencing = sequencing };

	ck_assert_int_eq(f.dp->ops->session_add(f.dp, &s), 0);
}

static void add_session(uint16_t sid, uint16_t peer_sid, bool sequencing)
{
	add_session_to(TID, sid, peer_sid, sequencing);
}

static void setup(void)
{
	socklen_t len;

	ck_assert_int_ge(sd_event_new(&f.event), 0);
	f.dp = dataplane_user_new(f.event);
	ck_assert_ptr_nonnull(f.dp);
	udp_pair(&f.tunnel_fd, &f.lac_fd);
	len = sizeof(f.lac);
	ck_assert_int_eq(getsockname(f.lac_fd, (struct sockaddr *)&f.lac, &len), 0);
}

static void teardown(void)
{
	f.dp = dataplane_free(f.dp);
	f.event = sd_event_unref(f.event);
	close(f.tunnel_fd);
	close(f.lac_fd);
}

static unsigned int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Opens the session's tty as pppd does: read-write, not our controlling
 * tty, raw. Non-blocking, so that a test never hangs on it. */
static int open_tty_of(uint16_t tid, uint16_t sid)
{
	char path[64];
	struct termios tio;
	int fd;

	ck_assert_int_eq(f.dp->ops->session_tty(f.dp, tid, sid, path, sizeof(path)), 0);
	ck_assert(strncmp(path, "/dev/pts/", 9) == 0);
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(tcgetattr(fd, &tio), 0);
	cfmakeraw(&tio);
	ck_assert_int_eq(tcsetattr(fd, TCSANOW, &tio), 0);
	return fd;
}

static int open_tty(uint16_t sid)
{
	return open_tty_of(TID, sid);
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
}

/* Writes frame, HDLC-encoded, to the tty (pppd sending). */
static void tty_send(int tty, const uint8_t *frame, size_t len)
{
	uint8_t enc[HDLC_ENCODED_MAX(HDLC_MAX_FRAME)];
	ssize_t n = hdlc_encode(frame, len, enc, sizeof(enc));

	ck_assert_int_gt(n, 0);
	write_all(tty, enc, (size_t)n);
}

/* Runs the event loop until the LAC gets a datagram; its length. */
static size_t lac_recv(uint8_t *buf, size_t cap)
{
	int i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		ssize_t n = recv(f.lac_fd, buf, cap, 0);

		if (n >= 0)
			return (size_t)n;
		ck_assert_int_eq(errno, EAGAIN);
		ck_assert_int_ge(sd_event_run(f.event, 10 * 1000), 0);
	}
	ck_abort_msg("no datagram at the LAC");
	return 0;
}

/* Runs the event loop a little and asserts the LAC got nothing. */
static void lac_gets_nothing(void)
{
	uint8_t buf[64];
	int i;

	for (i = 0; i < 5; i++)
		ck_assert_int_ge(sd_event_run(f.event, 10 * 1000), 0);
	ck_assert_int_eq(recv(f.lac_fd, buf, sizeof(buf), 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

/* Hands pkt to data_input as from from, with mark. */
static void input_from(const struct sockaddr_in *from, uint32_t mark, const uint8_t *pkt,
		       size_t len)
{
	struct dp_source src = { .peer = (const struct sockaddr *)from,
				 .peer_len = sizeof(*from), .mark = mark };

	f.dp->ops->data_input(f.dp, &src, pkt, len);
}

/* The same from the LAC. */
static void input(uint32_t mark, const uint8_t *pkt, size_t len)
{
	input_from(&f.lac, mark, pkt, len);
}

/* The LAC sends pkt; we read it from the fixture's socket (TID's) and hand
 * it to data_input with its source and the given mark, as the daemon does
 * with the datagram's SO_MARK. */
static void lac_send_marked(uint32_t mark, const uint8_t *pkt, size_t len)
{
	uint8_t buf[L2TP_MAX_PACKET];
	struct pollfd pfd = { .fd = f.tunnel_fd, .events = POLLIN };
	struct sockaddr_in from;
	socklen_t from_len = sizeof(from);
	ssize_t n;

	ck_assert_int_eq(send(f.lac_fd, pkt, len, 0), (ssize_t)len);
	ck_assert_int_eq(poll(&pfd, 1, WAIT_MS), 1);
	n = recvfrom(f.tunnel_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert_uint_eq(from_len, sizeof(from));
	input_from(&from, mark, buf, (size_t)n);
}

static void lac_send(const uint8_t *pkt, size_t len)
{
	lac_send_marked(0, pkt, len);
}

/* A data message: flags, tunnel, session, then frame. */
static size_t data_msg(uint8_t *buf, size_t cap, uint16_t flags, uint16_t tid, uint16_t sid,
		       const uint8_t *frame, size_t len)
{
	struct writer w;

	writer_init(&w, buf, cap);
	writer_u16(&w, flags);
	writer_u16(&w, tid);
	writer_u16(&w, sid);
	writer_bytes(&w, frame, len);
	ck_assert(writer_ok(&w));
	return writer_len(&w);
}

/* Reads from the tty until a whole frame is decoded; its length. With
 * pump, runs the loop on the way, so that the data path can write what
 * waits in its queue. */
static size_t tty_recv_frame_with(int tty, struct hdlc_decoder *d, uint8_t *frame, size_t cap,
				  bool pump)
{
	static uint8_t buf[4096];
	const uint8_t *got;
	struct reader in;
	size_t len;
	int i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		struct pollfd pfd = { .fd = tty, .events = POLLIN };
		ssize_t n;

		if (pump)
			ck_assert_int_ge(sd_event_run(f.event, 0), 0);
		if (poll(&pfd, 1, 10) == 0)
			continue;
		/* One octet at a time: never read past the frame. */
		n = read(tty, buf, 1);
		ck_assert_int_eq(n, 1);
		reader_init(&in, buf, 1);
		if (hdlc_decoder_next(d, &in, &got, &len)) {
			ck_assert_uint_le(len, cap);
			memcpy(frame, got, len);
			return len;
		}
		i = 0;
	}
	ck_abort_msg("no frame on the tty");
	return 0;
}

static size_t tty_recv_frame(int tty, struct hdlc_decoder *d, uint8_t *frame, size_t cap)
{
	return tty_recv_frame_with(tty, d, frame, cap, false);
}

/* Reads exactly len octets from the tty. */
static void tty_read_exact(int tty, uint8_t *buf, size_t len)
{
	size_t got = 0;
	int i;

	for (i = 0; got < len && i < WAIT_MS / 10; i++) {
		struct pollfd pfd = { .fd = tty, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 10) == 0)
			continue;
		n = read(tty, buf + got, len - got);
		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
	ck_assert_uint_eq(got, len);
}

static void tty_gets_nothing(int tty)
{
	struct pollfd pfd = { .fd = tty, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, 50), 0);
}

static struct dp_user_counters counters(void)
{
	struct dp_user_counters c;

	dataplane_user_get_counters(f.dp, &c);
	return c;
}

/* pppd sends its first frame (as it does once its line discipline is
 * set): frames for it stop waiting. The frame reaches the LAC. */
static void pppd_speaks(int tty)
{
	uint8_t buf[L2TP_MAX_PACKET];

	tty_send(tty, lcp_echo, sizeof(lcp_echo));
	ck_assert_uint_eq(lac_recv(buf, sizeof(buf)), 6 + sizeof(lcp_echo));
}

START_TEST(a_frame_from_pppd_reaches_the_lac)
{
	uint8_t buf[L2TP_MAX_PACKET];
	size_t n;
	int tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	tty = open_tty(SID);
	tty_send(tty, lcp_echo, sizeof(lcp_echo));
	n = lac_recv(buf, sizeof(buf));
	/* T=0 L=0 S=0, version 2; the peer's ids; the frame as pppd sent it. */
	ck_assert_uint_eq(n, 6 + sizeof(lcp_echo));
	ck_assert_uint_eq(buf[0], 0x00);
	ck_assert_uint_eq(buf[1], 0x02);
	ck_assert_uint_eq(buf[2] << 8 | buf[3], PEER_TID);
	ck_assert_uint_eq(buf[4] << 8 | buf[5], PEER_SID);
	ck_assert_mem_eq(buf + 6, lcp_echo, sizeof(lcp_echo));
	ck_assert_uint_eq(counters().from_pty_frames, 1);
	ck_assert_uint_eq(counters().from_pty_bytes, sizeof(lcp_echo));
	close(tty);
}
END_TEST

START_TEST(sequencing_numbers_the_frames)
{
	uint8_t buf[L2TP_MAX_PACKET];
	size_t n;
	int tty, i;

	add_tunnel();
	add_session(SID, PEER_SID, true);
	tty = open_tty(SID);
	for (i = 0; i < 3; i++) {
		tty_send(tty, lcp_echo, sizeof(lcp_echo));
		n = lac_recv(buf, sizeof(buf));
		ck_assert_uint_eq(n, 10 + sizeof(lcp_echo));
		ck_assert_uint_eq(buf[0], 0x08); /* S */
		ck_assert_uint_eq(buf[1], 0x02);
		ck_assert_uint_eq(buf[2] << 8 | buf[3], PEER_TID);
		ck_assert_uint_eq(buf[4] << 8 | buf[5], PEER_SID);
		ck_assert_uint_eq(buf[6] << 8 | buf[7], i); /* Ns */
		ck_assert_uint_eq(buf[8] << 8 | buf[9], 0); /* Nr */
		ck_assert_mem_eq(buf + 10, lcp_echo, sizeof(lcp_echo));
	}
	close(tty);
}
END_TEST

START_TEST(bad_frames_from_pppd_are_dropped)
{
	uint8_t enc[HDLC_ENCODED_MAX(sizeof(lcp_echo))], buf[L2TP_MAX_PACKET];
	ssize_t n = hdlc_encode(lcp_echo, sizeof(lcp_echo), enc, sizeof(enc));
	int tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	tty = open_tty(SID);
	enc[3] ^= 0x01;
	write_all(tty, enc, (size_t)n);
	write_all(tty, (const uint8_t *)"\x7e\x41\x7e", 3);
	enc[3] ^= 0x01;
	write_all(tty, enc, (size_t)n);
	ck_assert_uint_eq(lac_recv(buf, sizeof(buf)), 6 + sizeof(lcp_echo));
	lac_gets_nothing();
	ck_assert_uint_eq(counters().drop_bad_fcs, 1);
	ck_assert_uint_eq(counters().drop_bad_frame, 1);
	ck_assert_uint_eq(counters().from_pty_frames, 1);
	close(tty);
}
END_TEST

START_TEST(a_data_message_reaches_pppd)
{
	uint8_t msg[64], frame[HDLC_MAX_FRAME], enc[HDLC_ENCODED_MAX(sizeof(lcp_echo))],
		raw[sizeof(enc)];
	struct hdlc_decoder d;
	ssize_t n;
	int tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	/* Before pppd has spoken, the frame waits in the queue (pppd's switch
	 * to its line discipline would flush it from the tty), and nothing
	 * comes back. */
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID, SID, lcp_echo, sizeof(lcp_echo)));
	lac_gets_nothing();
	ck_assert_uint_eq(counters().to_pty_frames, 1);
	tty = open_tty(SID);
	tty_gets_nothing(tty);
	/* pppd speaks: the frame that waited reaches it, exactly, HDLC-encoded. */
	pppd_speaks(tty);
	ck_assert_uint_eq(counters().to_pty_bytes, sizeof(lcp_echo));
	n = hdlc_encode(lcp_echo, sizeof(lcp_echo), enc, sizeof(enc));
	ck_assert_int_gt(n, 0);
	tty_read_exact(tty, raw, (size_t)n);
	ck_assert_mem_eq(raw, enc, (size_t)n);
	tty_gets_nothing(tty);
	/* With S, L and O (two pad octets), decoded. */
	{
		static const uint8_t with_all[] = { 0x4a, 0x02, 0x00, 0x1a, 0x12, 0x34, 0x01, 0x01,
						    0x00, 0x05, 0x00, 0x09, 0x00, 0x02, 0xee, 0xee,
						    0xff, 0x03, 0xc0, 0x21, 0x09, 0x07, 0x00, 0x08,
						    0x7e, 0x7d, 0xaa, 0xbb };

		hdlc_decoder_init(&d);
		lac_send(with_all, sizeof(with_all));
		ck_assert_uint_eq(tty_recv_frame(tty, &d, frame, sizeof(frame)), 10);
		ck_assert_mem_eq(frame, with_all + 16, 10); /* Length trims aa bb */
	}
	ck_assert_uint_eq(counters().to_pty_frames, 2);
	lac_gets_nothing();
	close(tty);
}
END_TEST

START_TEST(malformed_data_messages_are_dropped)
{
	static const uint8_t truncated[] = { 0x00, 0x02, 0x12 };
	/* L says 40 octets; the datagram has 10. */
	static const uint8_t long_l[] = { 0x40, 0x02, 0x00, 0x28, 0x12, 0x34, 0x01, 0x01, 0xff, 0x03 };
	/* O says 8 pad octets; 2 follow. */
	static const uint8_t far_offset[] = { 0x02, 0x02, 0x12, 0x34, 0x01, 0x01, 0x00, 0x08, 0xff, 0x03 };
	/* L smaller than the header. */
	static const uint8_t short_l[] = { 0x40, 0x02, 0x00, 0x04, 0x12, 0x34, 0x01, 0x01, 0xff, 0x03 };
	/* A control message (ZLB) is not data. */
	static const uint8_t zlb[] = { 0xc8, 0x02, 0x00, 0x0c, 0x12, 0x34,
				       0x00, 0x00, 0x00, 0x01, 0x00, 0x02 };
	uint8_t msg[HDLC_MAX_FRAME + 64], big[HDLC_MAX_FRAME + 1];
	struct dp_user_counters c;
	int tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	tty = open_tty(SID);
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID, SID + 1, lcp_echo, sizeof(lcp_echo)));
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID + 1, SID, lcp_echo, sizeof(lcp_echo)));
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0003, TID, SID, lcp_echo, sizeof(lcp_echo)));
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID, SID, lcp_echo, 0));
	memset(big, 0x41, sizeof(big));
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID, SID, big, sizeof(big)));
	lac_send(truncated, sizeof(truncated));
	lac_send(long_l, sizeof(long_l));
	lac_send(far_offset, sizeof(far_offset));
	lac_send(short_l, sizeof(short_l));
	lac_send(zlb, sizeof(zlb));
	/* Tunnel 0 is never one of ours; an empty datagram has no header. */
	input(0, msg, data_msg(msg, sizeof(msg), 0x0002, 0, SID, lcp_echo, sizeof(lcp_echo)));
	input(0, NULL, 0);
	c = counters();
	ck_assert_uint_eq(c.drop_unknown_session, 1);
	ck_assert_uint_eq(c.drop_unknown_tunnel, 2);
	ck_assert_uint_eq(c.drop_bad_header, 7);
	ck_assert_uint_eq(c.drop_bad_frame, 2);
	ck_assert_uint_eq(c.to_pty_frames, 0);
	tty_gets_nothing(tty);
	lac_gets_nothing();
	close(tty);
}
END_TEST

/* Another tunnel socket of ours, connected to the LAC as f.tunnel_fd is. */
static int second_socket(void)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&any, sizeof(any)), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&f.lac, sizeof(f.lac)), 0);
	return fd;
}

/* pppd speaks on a tunnel whose socket the LAC does not hear (not the
 * fixture's): frames for it stop waiting. */
static void pppd_speaks_unheard(int tty)
{
	uint64_t before = counters().from_pty_frames;
	int i;

	tty_send(tty, lcp_echo, sizeof(lcp_echo));
	for (i = 0; i < WAIT_MS / 10 && counters().from_pty_frames == before; i++)
		ck_assert_int_ge(sd_event_run(f.event, 10 * 1000), 0);
	ck_assert_uint_eq(counters().from_pty_frames, before + 1);
}

/* Asserts that the next frame on the tty is lcp_echo. */
static void tty_gets_lcp_echo(int tty)
{
	uint8_t frame[HDLC_MAX_FRAME];
	struct hdlc_decoder d;

	hdlc_decoder_init(&d);
	ck_assert_uint_eq(tty_recv_frame(tty, &d, frame, sizeof(frame)), sizeof(lcp_echo));
	ck_assert_mem_eq(frame, lcp_echo, sizeof(lcp_echo));
}

/* The peer's old tunnel lingers while its new one comes up: both sockets
 * are connected to the same address and port, and a datagram of the new
 * tunnel may arrive on the old one's. The header's tunnel id decides; a
 * tunnel whose peer has another port takes nothing from this one. */
START_TEST(a_tunnel_of_the_same_peer_takes_its_data_from_a_sibling_socket)
{
	enum { TID2 = TID + 1, TID3 = TID + 2 };
	struct sockaddr_in other_port = f.lac;
	struct dp_tunnel t3 = { .tunnel_id = TID3, .peer_tunnel_id = PEER_TID,
				.peer = (const struct sockaddr *)&other_port,
				.peer_len = sizeof(other_port), .fd = second_socket() };
	int fd2 = second_socket();
	uint8_t msg[64];

	other_port.sin_port = htons(ntohs(f.lac.sin_port) ^ 1);
	add_tunnel();
	add_tunnel_with(TID2, fd2, 0, 0);
	ck_assert_int_eq(f.dp->ops->tunnel_add(f.dp, &t3), 0);
	add_session_to(TID2, SID, PEER_SID, false);
	add_session_to(TID3, SID, PEER_SID, false);
	/* on TID's socket (lac_send), for TID2: same peer, taken */
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID2, SID, lcp_echo, sizeof(lcp_echo)));
	ck_assert_uint_eq(counters().to_pty_frames, 1);
	ck_assert_uint_eq(counters().drop_unknown_tunnel, 0);
	/* for TID3, whose peer has another port: refused */
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID3, SID, lcp_echo, sizeof(lcp_echo)));
	ck_assert_uint_eq(counters().to_pty_frames, 1);
	ck_assert_uint_eq(counters().drop_unknown_tunnel, 1);
	f.dp->ops->tunnel_del(f.dp, TID2);
	f.dp->ops->tunnel_del(f.dp, TID3);
	close(fd2);
	close(t3.fd);
}
END_TEST

/*
 * Clients behind one NAT: their tunnels have the same peer address and
 * port, and each client's datagrams come through its own IPsec SA, with
 * that SA's mark. The kernel hands a datagram to any one of the tunnels'
 * sockets: the header's tunnel id says whose it is, and it must come from
 * that tunnel's peer, mark included, so that no client writes into
 * another's PPP.
 */
START_TEST(clients_behind_one_nat_each_reach_their_own_pppd)
{
	enum { TID_B = TID + 1, MARK_A = 0xa1, MARK_B = 0xa2 };
	struct sockaddr_in other_port = f.lac, other_host = f.lac;
	int fd_b = second_socket(), tty_a, tty_b;
	uint8_t a_msg[64], b_msg[64];
	size_t a_len, b_len;

	other_port.sin_port = htons(ntohs(f.lac.sin_port) ^ 1);
	other_host.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	a_len = data_msg(a_msg, sizeof(a_msg), 0x0002, TID, SID, lcp_echo, sizeof(lcp_echo));
	b_len = data_msg(b_msg, sizeof(b_msg), 0x0002, TID_B, SID, lcp_echo, sizeof(lcp_echo));
	add_tunnel_with(TID, f.tunnel_fd, MARK_A, 0xff);
	add_tunnel_with(TID_B, fd_b, MARK_B, 0xff);
	add_session_to(TID, SID, PEER_SID, false);
	add_session_to(TID_B, SID, PEER_SID, false);
	tty_a = open_tty_of(TID, SID);
	tty_b = open_tty_of(TID_B, SID);
	pppd_speaks(tty_a);
	pppd_speaks_unheard(tty_b);
	/* B's, with B's mark, on A's socket: B's pppd has it */
	lac_send_marked(MARK_B, b_msg, b_len);
	tty_gets_lcp_echo(tty_b);
	/* bits outside the SA's mask are not the SA's: they do not matter */
	lac_send_marked(0x300 | MARK_B, b_msg, b_len);
	tty_gets_lcp_echo(tty_b);
	/* A's, with A's mark, as if on B's socket: A's */
	input(MARK_A, a_msg, a_len);
	tty_gets_lcp_echo(tty_a);
	ck_assert_uint_eq(counters().to_pty_frames, 3);
	/* B's tunnel id with A's mark, or none: A's client (or someone
	 * without an SA) writing into B's PPP */
	lac_send_marked(MARK_A, b_msg, b_len);
	lac_send_marked(0, b_msg, b_len);
	/* B's tunnel id and mark from another port or address */
	input_from(&other_port, MARK_B, b_msg, b_len);
	input_from(&other_host, MARK_B, b_msg, b_len);
	ck_assert_uint_eq(counters().drop_unknown_tunnel, 4);
	ck_assert_uint_eq(counters().to_pty_frames, 3);
	tty_gets_nothing(tty_a);
	tty_gets_nothing(tty_b);
	close(tty_a);
	close(tty_b);
	f.dp->ops->tunnel_del(f.dp, TID_B);
	close(fd_b);
}
END_TEST

/* A tunnel whose SA has no mark (mark_mask 0) takes its peer's data
 * whatever mark other rules put on it, as before marks. */
START_TEST(an_unmarked_tunnel_takes_any_mark)
{
	static const uint32_t marks[] = { 0, 0xa1, 0xffffffff };
	uint8_t msg[64];
	size_t len = data_msg(msg, sizeof(msg), 0x0002, TID, SID, lcp_echo, sizeof(lcp_echo));
	int tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	tty = open_tty(SID);
	pppd_speaks(tty);
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		lac_send_marked(marks[i], msg, len);
		tty_gets_lcp_echo(tty);
	}
	ck_assert_uint_eq(counters().drop_unknown_tunnel, 0);
	close(tty);
}
END_TEST

START_TEST(random_datagrams_are_each_counted_once)
{
	uint8_t pkt[64];
	uint64_t rng = 0x2545f4914f6cdd1dULL, total;
	struct dp_user_counters c;
	size_t len, j;
	int i, tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	tty = open_tty(SID);
	pppd_speaks(tty);
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < sizeof(pkt); j++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			pkt[j] = (uint8_t)(rng >> 40);
		}
		len = rng % sizeof(pkt);
		/* Often a data header for our session, so as to get further. */
		if (i % 2) {
			pkt[1] = (pkt[1] & 0xf0) | 2;
			pkt[0] &= 0x4f;
		}
		input(0, pkt, len);
	}
	c = counters();
	total = c.to_pty_frames + c.drop_bad_header + c.drop_unknown_tunnel +
		c.drop_unknown_session + c.drop_bad_frame + c.drop_pty_full + c.pty_errors;
	ck_assert_uint_eq(total, 20000);
	close(tty);
}
END_TEST

START_TEST(deleting_the_session_closes_the_pty)
{
	char path[64];
	uint8_t b;
	unsigned int before;
	ssize_t n;
	int tty;

	add_tunnel();
	before = count_fds();
	add_session(SID, PEER_SID, false);
	ck_assert_int_eq(f.dp->ops->session_tty(f.dp, TID, SID, path, sizeof(path)), 0);
	tty = open_tty(SID);
	f.dp->ops->session_del(f.dp, TID, SID);
	n = read(tty, &b, 1);
	ck_assert(n == 0 || (n < 0 && errno == EIO));
	close(tty);
	ck_assert_int_lt(open(path, O_RDWR | O_NOCTTY | O_CLOEXEC), 0);
	ck_assert_uint_eq(count_fds(), before);
	ck_assert_int_eq(f.dp->ops->session_tty(f.dp, TID, SID, path, sizeof(path)), -ENOENT);
	/* And the tunnel takes its sessions with it. */
	add_session(SID, PEER_SID, false);
	add_session(SID + 1, PEER_SID + 1, true);
	ck_assert_uint_eq(count_fds(), before + 4);
	f.dp->ops->tunnel_del(f.dp, TID);
	ck_assert_uint_eq(count_fds(), before);
	ck_assert_int_eq(f.dp->ops->session_tty(f.dp, TID, SID, path, sizeof(path)), -ENOENT);
	/* Freed with live sessions: closes them too (and ASan sees no leak). */
	add_tunnel();
	add_session(SID, PEER_SID, false);
	f.dp = dataplane_free(f.dp);
	ck_assert_uint_eq(count_fds(), before);
}
END_TEST

START_TEST(an_idle_pty_does_not_wake_the_loop)
{
	int tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	/* No pppd yet: no EPOLLHUP loop. */
	ck_assert_int_eq(sd_event_run(f.event, 0), 0);
	/* pppd came and went. */
	tty = open_tty(SID);
	close(tty);
	ck_assert_int_eq(sd_event_run(f.event, 0), 0);
	ck_assert_uint_eq(counters().pty_errors, 0);
}
END_TEST

START_TEST(many_frames_arrive_in_order)
{
	enum { FRAMES = 300 };
	static uint8_t stream[FRAMES * HDLC_ENCODED_MAX(1400)], frame[1400], buf[L2TP_MAX_PACKET];
	size_t len = 0, sent = 0, got = 0, n;
	ssize_t w;
	int tty, i;

	add_tunnel();
	add_session(SID, PEER_SID, true);
	tty = open_tty(SID);
	/* Frames of 2..1400 octets, numbered in their first two and filled
	 * with the low octet of the number. */
	for (i = 0; i < FRAMES; i++) {
		n = 2 + (size_t)(i * 37) % 1399;
		memset(frame, i, n);
		frame[0] = (uint8_t)(i >> 8);
		frame[1] = (uint8_t)i;
		w = hdlc_encode(frame, n, stream + len, sizeof(stream) - len);
		ck_assert_int_gt(w, 0);
		len += (size_t)w;
	}
	/* As much as the pty takes at once, while the loop drains it. */
	for (i = 0; got < FRAMES && i < WAIT_MS; i++) {
		if (sent < len) {
			w = write(tty, stream + sent, len - sent);
			ck_assert(w > 0 || errno == EAGAIN);
			if (w > 0)
				sent += (size_t)w;
		}
		ck_assert_int_ge(sd_event_run(f.event, 1000), 0);
		while ((w = recv(f.lac_fd, buf, sizeof(buf), 0)) > 0) {
			n = 2 + (got * 37) % 1399;
			ck_assert_uint_eq((size_t)w, 10 + n);
			ck_assert_uint_eq(buf[6] << 8 | buf[7], got); /* Ns */
			ck_assert_uint_eq(buf[10] << 8 | buf[11], got);
			ck_assert_uint_eq(buf[10 + n - 1], (uint8_t)got);
			got++;
		}
	}
	ck_assert_uint_eq(got, FRAMES);
	ck_assert_uint_eq(counters().from_pty_frames, FRAMES);
	close(tty);
}
END_TEST

START_TEST(many_messages_reach_pppd_in_order)
{
	enum { MESSAGES = 200 };
	uint8_t msg[L2TP_MAX_PACKET], frame[1400], got[HDLC_MAX_FRAME];
	struct hdlc_decoder d;
	size_t n;
	int tty, i;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	tty = open_tty(SID);
	pppd_speaks(tty);
	hdlc_decoder_init(&d);
	for (i = 0; i < MESSAGES; i++) {
		n = 2 + (size_t)(i * 53) % 1399;
		memset(frame, 0x7e, n);
		frame[0] = (uint8_t)(i >> 8);
		frame[1] = (uint8_t)i;
		lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID, SID, frame, n));
		ck_assert_uint_eq(tty_recv_frame(tty, &d, got, sizeof(got)), n);
		ck_assert_mem_eq(got, frame, n);
	}
	ck_assert_uint_eq(counters().to_pty_frames, MESSAGES);
	close(tty);
}
END_TEST

START_TEST(a_full_pty_drops_instead_of_blocking)
{
	uint8_t frame[1400];
	struct dp_user_counters c;
	int i, tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	tty = open_tty(SID);
	pppd_speaks(tty);
	memset(frame, 0x7d, sizeof(frame));
	frame[0] = 0xff, frame[1] = 0x03;
	/* Nobody reads the tty: it fills up. */
	for (i = 0; i < 2000 && counters().drop_pty_full == 0; i++) {
		uint8_t msg[L2TP_MAX_PACKET];
		size_t n = data_msg(msg, sizeof(msg), 0x0002, TID, SID, frame, sizeof(frame));

		input(0, msg, n);
	}
	c = counters();
	ck_assert_uint_gt(c.drop_pty_full, 0);
	ck_assert_uint_gt(c.to_pty_frames, 0);
	ck_assert_uint_eq(c.pty_errors, 0);
	close(tty);
}
END_TEST

/* Frames wait in order, before pppd speaks and while the pty is full; the
 * queue is bounded, and what does not fit is dropped and counted. */
START_TEST(frames_wait_in_a_bounded_queue)
{
	enum { FRAMES = 160, LEN = 600 }; /* 96,000 octets: more than the queue */
	uint8_t msg[L2TP_MAX_PACKET], frame[LEN], got[HDLC_MAX_FRAME];
	struct dp_user_counters c;
	struct hdlc_decoder d;
	int i, tty;

	add_tunnel();
	add_session(SID, PEER_SID, false);
	memset(frame, 0x55, sizeof(frame));
	frame[0] = 0xff, frame[1] = 0x03;
	for (i = 0; i < FRAMES; i++) {
		frame[2] = (uint8_t)(i >> 8), frame[3] = (uint8_t)i;
		lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID, SID, frame, sizeof(frame)));
	}
	c = counters();
	ck_assert_uint_gt(c.drop_pty_full, 0); /* they do not all fit */
	ck_assert_uint_gt(c.to_pty_frames, 50); /* most do */
	ck_assert_uint_eq(c.to_pty_frames + c.drop_pty_full, FRAMES);
	tty = open_tty(SID);
	tty_gets_nothing(tty);
	pppd_speaks(tty);
	/* The first ones, in order, though the pty takes far less at once. */
	hdlc_decoder_init(&d);
	for (i = 0; (uint64_t)i < c.to_pty_frames; i++) {
		ck_assert_uint_eq(tty_recv_frame_with(tty, &d, got, sizeof(got), true), sizeof(frame));
		ck_assert_uint_eq(got[2] << 8 | got[3], i);
	}
	tty_gets_nothing(tty);
	/* Then straight through again. */
	frame[2] = 0xaa;
	lac_send(msg, data_msg(msg, sizeof(msg), 0x0002, TID, SID, frame, sizeof(frame)));
	ck_assert_uint_eq(tty_recv_frame(tty, &d, got, sizeof(got)), sizeof(frame));
	ck_assert_uint_eq(got[2], 0xaa);
	ck_assert_uint_eq(counters().drop_pty_full, c.drop_pty_full);
	close(tty);
}
END_TEST

START_TEST(requests_are_checked)
{
	struct dp_tunnel t = { .tunnel_id = TID, .peer_tunnel_id = PEER_TID,
			       .peer = (const struct sockaddr *)&f.lac, .peer_len = sizeof(f.lac),
			       .fd = f.tunnel_fd };
	struct dp_tunnel no_fd = { .tunnel_id = TID + 1, .fd = -1 };
	struct dp_tunnel no_peer = { .tunnel_id = TID + 1, .fd = f.tunnel_fd };
	struct dp_session s = { .tunnel_id = TID, .session_id = SID, .peer_session_id = PEER_SID };
	char path[64];

	ck_assert_str_eq(f.dp->ops->name, "userspace");
	ck_assert(f.dp->ops->wants_tunnel_socket && f.dp->ops->carries_ppp);
	ck_assert_int_eq(f.dp->ops->session_add(f.dp, &s), -ENOENT);
	ck_assert_int_eq(f.dp->ops->tunnel_add(f.dp, &no_fd), -EBADF);
	ck_assert_int_eq(f.dp->ops->tunnel_add(f.dp, &no_peer), -EINVAL);
	ck_assert_int_eq(f.dp->ops->tunnel_add(f.dp, &t), 0);
	ck_assert_int_eq(f.dp->ops->tunnel_add(f.dp, &t), -EEXIST);
	ck_assert_int_eq(f.dp->ops->session_add(f.dp, &s), 0);
	ck_assert_int_eq(f.dp->ops->session_add(f.dp, &s), -EEXIST);
	ck_assert_int_eq(f.dp->ops->session_set_accm(f.dp, TID, SID, 0, 0xffffffff), 0);
	ck_assert_int_eq(f.dp->ops->session_tty(f.dp, TID, SID, path, 5), -ERANGE);
	ck_assert_int_eq(f.dp->ops->session_tty(f.dp, TID, SID + 1, path, sizeof(path)), -ENOENT);
	/* Deleting what is not there is fine. */
	f.dp->ops->session_del(f.dp, TID, SID + 1);
	f.dp->ops->tunnel_del(f.dp, TID + 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dataplane_user");
	TCase *tc = tcase_create("dataplane_user");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, a_frame_from_pppd_reaches_the_lac);
	tcase_add_test(tc, a_tunnel_of_the_same_peer_takes_its_data_from_a_sibling_socket);
	tcase_add_test(tc, clients_behind_one_nat_each_reach_their_own_pppd);
	tcase_add_test(tc, an_unmarked_tunnel_takes_any_mark);
	tcase_add_test(tc, sequencing_numbers_the_frames);
	tcase_add_test(tc, bad_frames_from_pppd_are_dropped);
	tcase_add_test(tc, a_data_message_reaches_pppd);
	tcase_add_test(tc, malformed_data_messages_are_dropped);
	tcase_add_test(tc, random_datagrams_are_each_counted_once);
	tcase_add_test(tc, deleting_the_session_closes_the_pty);
	tcase_add_test(tc, an_idle_pty_does_not_wake_the_loop);
	tcase_add_test(tc, many_frames_arrive_in_order);
	tcase_add_test(tc, many_messages_reach_pppd_in_order);
	tcase_add_test(tc, a_full_pty_drops_instead_of_blocking);
	tcase_add_test(tc, frames_wait_in_a_bounded_queue);
	tcase_add_test(tc, requests_are_checked);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
