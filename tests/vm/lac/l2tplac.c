/*
 * l2tplac: a LAC with several calls in one tunnel, for the VM scenarios.
 *
 *   l2tplac -s SERVER [-p PORT] -c PPPD_OPTIONS_FILE [-c FILE]...
 *
 * Debian's xl2tpd opens one tunnel per call (and crashes when asked for a
 * second call on a tunnel by its id), so the scenario that checks several
 * sessions in one tunnel needs its own LAC. This one, from udp/1701 to
 * SERVER:PORT (1701), sets up one control connection (SCCRQ, SCCCN) and
 * then one incoming call per -c (ICRQ, ICCN), one after the other. Each
 * call gets the kernel data path as xl2tpd's kernel mode does it: a
 * PPPoL2TP socket for the tunnel (which creates the kernel tunnel on our
 * UDP socket) and one per session, handed to
 *   pppd plugin pppol2tp.so pppol2tp 3 nodetach file FILE
 * It prints, one line each, "tunnel=T peer_tunnel=P" and, per call,
 * "call=N session=S peer_session=P pppd=PID".
 *
 * Then it keeps the tunnel: every message of the LNS is acknowledged; a
 * pppd that exits gets its call closed with CDN ("call=N ended by pppd");
 * a CDN from the LNS stops that call's pppd ("call=N ended by CDN");
 * StopCCN from the LNS ("ended by StopCCN"), or SIGTERM/SIGINT here (which
 * sends StopCCN; "ended by a signal"), stops every pppd and ends l2tplac
 * once they are gone.
 *
 * Reliable delivery is stop-and-wait: one message in flight, retransmitted
 * every second, five times at most; enough for a test bed. It builds and
 * parses messages with the l2tpsrv codec and the fuzz harness's LAC
 * builders (tests/fuzz/lac.c). Linux only, as root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_pppol2tp.h>
#include <linux/if_pppox.h>

#include "header.h"
#include "lac.h"
#include "message.h"

#define MAX_CALLS 8
#define QUEUE_MAX 16
#define PKT_MAX 512
#define RETRANSMIT_MS 1000
#define MAX_RETRANSMITS 5
#define SETUP_TIMEOUT_MS 20000
#define OUR_TUNNEL_ID 4242
#define OUR_WINDOW 8
#define PPPD "/usr/sbin/pppd"

enum call_state { CALL_IDLE, CALL_WAIT_ICRP, CALL_UP, CALL_ENDED };

struct call {
	enum call_state state;
	uint16_t id;	  /* ours */
	uint16_t peer_id; /* the LNS's */
	const char *options;
	int pppox;
	pid_t pppd;
};

/* A message waiting to be sent: built when it reaches the head, so that
 * it carries the Nr of that moment. */
struct pending {
	uint16_t session_id;
	struct l2tp_msg m;
};

struct lac {
	struct sockaddr_in server;
	int fd;		/* the tunnel's UDP socket */
	int tunnel_pppox;
	int sigfd;
	uint16_t peer_tunnel_id;
	bool tunnel_up, stopping;
	uint16_t ns, nr;
	struct pending queue[QUEUE_MAX];
	unsigned int q_head, q_len;
	bool in_flight;
	uint16_t flight_ns;
	uint8_t flight[PKT_MAX];
	size_t flight_len;
	unsigned int retries;
	long long flight_sent_ms;
	struct call calls[MAX_CALLS];
	unsigned int n_calls;
};

static void die(const char *what)
{
	fprintf(stderr, "l2tplac: %s: %s\n", what, strerror(errno));
	exit(EXIT_FAILURE);
}

static void fail(const char *why)
{
	fprintf(stderr, "l2tplac: %s\n", why);
	exit(EXIT_FAILURE);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the control connection ---------------------------------------- */

static void send_raw(struct lac *l, const uint8_t *pkt, size_t len)
{
	if (send(l->fd, pkt, len, 0) < 0 && errno != ECONNREFUSED)
		die("send");
}

static void send_zlb(struct lac *l)
{
	uint8_t pkt[PKT_MAX];
	size_t n = lac_zlb(pkt, sizeof(pkt), l->peer_tunnel_id, l->ns, l->nr);

	send_raw(l, pkt, n);
}

/* Sends the queue's head if nothing is in flight. */
static void pump(struct lac *l)
{
	struct pending *p;

	if (l->in_flight || !l->q_len)
		return;
	p = &l->queue[l->q_head];
	l->flight_len = lac_packet(l->flight, sizeof(l->flight), l->peer_tunnel_id, p->session_id,
				   l->ns, l->nr, &p->m, NULL);
	if (!l->flight_len)
		fail("a message does not fit");
	l->q_head = (l->q_head + 1) % QUEUE_MAX;
	l->q_len--;
	l->flight_ns = l->ns++;
	l->in_flight = true;
	l->retries = 0;
	l->flight_sent_ms = now_ms();
	send_raw(l, l->flight, l->flight_len);
}

static void enqueue(struct lac *l, uint16_t session_id, const struct l2tp_msg *m)
{
	if (l->q_len == QUEUE_MAX)
		fail("too many messages waiting");
	l->queue[(l->q_head + l->q_len) % QUEUE_MAX] = (struct pending){ session_id, *m };
	l->q_len++;
	pump(l);
}

static bool seq_before(uint16_t a, uint16_t b)
{
	return (int16_t)(a - b) < 0;
}

static void on_ack(struct lac *l, uint16_t nr)
{
	if (l->in_flight && seq_before(l->flight_ns, nr)) {
		l->in_flight = false;
		pump(l);
	}
}

static void retransmit_if_due(struct lac *l)
{
	if (!l->in_flight || now_ms() - l->flight_sent_ms < RETRANSMIT_MS)
		return;
	if (++l->retries > MAX_RETRANSMITS)
		fail("the LNS acknowledges nothing");
	l->flight_sent_ms = now_ms();
	send_raw(l, l->flight, l->flight_len);
}

/* --- calls and their pppd ------------------------------------------ */

static int pppox_connect(const struct lac *l, uint16_t session_id, uint16_t peer_session_id)
{
	struct sockaddr_pppol2tp sa = {
		.sa_family = AF_PPPOX,
		.sa_protocol = PX_PROTO_OL2TP,
		.pppol2tp = {
			.fd = l->fd,
			.addr = l->server,
			.s_tunnel = OUR_TUNNEL_ID,
			.s_session = session_id,
			.d_tunnel = l->peer_tunnel_id,
			.d_session = peer_session_id,
		},
	};
	int s = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);

	if (s < 0)
		die("socket(AF_PPPOX)");
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect(PPPoL2TP)");
	return s;
}

static void start_pppd(struct lac *l, struct call *c, unsigned int n)
{
	c->pppox = pppox_connect(l, c->id, c->peer_id);
	c->pppd = fork();
	if (c->pppd < 0)
		die("fork");
	if (c->pppd == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(c->pppox, 3) < 0) /* dup2 clears close-on-exec */
			_exit(127);
		execl(PPPD, PPPD, "plugin", "pppol2tp.so", "pppol2tp", "3", "nodetach", "file",
		      c->options, (char *)NULL);
		_exit(127);
	}
	close(c->pppox);
	c->pppox = -1;
	printf("call=%u session=%u peer_session=%u pppd=%d\n", n, c->id, c->peer_id, (int)c->pppd);
	fflush(stdout);
}

static void call_end(struct lac *l, struct call *c, bool send_cdn, const char *by)
{
	struct l2tp_msg m;

	if (c->state == CALL_ENDED)
		return;
	if (send_cdn) {
		lac_cdn(&m, c->id, 3 /* Call disconnected for administrative reasons */);
		enqueue(l, c->peer_id, &m);
	}
	if (c->pppd > 0)
		kill(c->pppd, SIGTERM);
	c->state = CALL_ENDED;
	printf("call=%u ended by %s\n", (unsigned int)(c - l->calls) + 1, by);
	fflush(stdout);
}

static struct call *call_by_id(struct lac *l, uint16_t id)
{
	for (unsigned int i = 0; i < l->n_calls; i++)
		if (l->calls[i].id == id)
			return &l->calls[i];
	return NULL;
}

/* Starts the next call waiting, if the tunnel is up and none is in setup. */
static void next_call(struct lac *l)
{
	struct l2tp_msg m;

	for (unsigned int i = 0; i < l->n_calls; i++) {
		if (l->calls[i].state == CALL_WAIT_ICRP)
			return;
	}
	for (unsigned int i = 0; i < l->n_calls; i++) {
		struct call *c = &l->calls[i];

		if (c->state != CALL_IDLE)
			continue;
		lac_icrq(&m, c->id, i + 1);
		enqueue(l, 0, &m);
		c->state = CALL_WAIT_ICRP;
		return;
	}
}

static void stop_tunnel(struct lac *l, bool send_stopccn)
{
	struct l2tp_msg m;

	if (l->stopping)
		return;
	l->stopping = true;
	if (send_stopccn && l->tunnel_up) {
		lac_stopccn(&m, OUR_TUNNEL_ID, 6 /* shutting down */);
		enqueue(l, 0, &m);
	}
	for (unsigned int i = 0; i < l->n_calls; i++)
		call_end(l, &l->calls[i], false, send_stopccn ? "a signal" : "StopCCN");
}

/* --- messages from the LNS ------------------------------------------ */

static void on_message(struct lac *l, const struct l2tp_header *h, const uint8_t *body, size_t len)
{
	static struct l2tp_msg m;
	struct l2tp_msg_error err;
	struct l2tp_msg out;
	struct call *c;

	if (h->ns != l->nr) {
		send_zlb(l); /* a repeat: our acknowledgement was lost */
		return;
	}
	l->nr++;
	if (l2tp_msg_decode(body, len, NULL, &m, &err) < 0) {
		fprintf(stderr, "l2tplac: a message we cannot read: %s\n", err.text);
		send_zlb(l);
		return;
	}
	if (m.type == L2TP_MSG_SCCRP && !l->tunnel_up) {
		l->peer_tunnel_id = m.assigned_tunnel_id;
		lac_scccn(&out, NULL, 0, NULL);
		enqueue(l, 0, &out);
		l->tunnel_up = true;
		l->tunnel_pppox = pppox_connect(l, 0, 0); /* creates the kernel tunnel */
		printf("tunnel=%u peer_tunnel=%u\n", OUR_TUNNEL_ID, l->peer_tunnel_id);
		fflush(stdout);
		next_call(l);
	} else if (m.type == L2TP_MSG_ICRP && (c = call_by_id(l, h->session_id)) &&
		   c->state == CALL_WAIT_ICRP) {
		c->peer_id = m.assigned_session_id;
		lac_iccn(&out);
		enqueue(l, c->peer_id, &out);
		c->state = CALL_UP;
		start_pppd(l, c, (unsigned int)(c - l->calls) + 1);
		next_call(l);
	} else if (m.type == L2TP_MSG_CDN && (c = call_by_id(l, h->session_id))) {
		send_zlb(l);
		call_end(l, c, false, "CDN");
	} else if (m.type == L2TP_MSG_STOPCCN) {
		send_zlb(l);
		stop_tunnel(l, false);
	} else {
		send_zlb(l); /* HELLO, or anything else */
	}
}

static void on_readable(struct lac *l)
{
	uint8_t pkt[L2TP_MAX_PACKET];
	struct l2tp_header h;
	ssize_t n;

	while ((n = recv(l->fd, pkt, sizeof(pkt), MSG_DONTWAIT)) >= 0) {
		if (l2tp_header_parse(pkt, (size_t)n, &h) < 0 || !h.control)
			continue;
		on_ack(l, h.nr);
		if (h.length > h.payload_offset)
			on_message(l, &h, pkt + h.payload_offset, h.length - h.payload_offset);
	}
	if (errno != EAGAIN && errno != ECONNREFUSED)
		die("recv");
}

static void on_signal(struct lac *l)
{
	struct signalfd_siginfo si;
	pid_t pid;
	int status;

	if (read(l->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
		stop_tunnel(l, true);
		return;
	}
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned int i = 0; i < l->n_calls; i++) {
			struct call *c = &l->calls[i];

			if (c->pppd != pid)
				continue;
			c->pppd = 0;
			call_end(l, c, !l->stopping, "pppd");
		}
	}
}

static bool done(const struct lac *l)
{
	if (!l->stopping || l->in_flight || l->q_len)
		return false;
	for (unsigned int i = 0; i < l->n_calls; i++)
		if (l->calls[i].pppd > 0)
			return false;
	return true;
}

static void open_socket(struct lac *l)
{
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(1701) };

	l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		die("socket");
	/* No SO_REUSEADDR: another LAC on the port is an error, not a share. */
	if (bind(l->fd, (struct sockaddr *)&local, sizeof(local)) < 0)
		die("bind udp/1701");
	if (connect(l->fd, (struct sockaddr *)&l->server, sizeof(l->server)) < 0)
		die("connect");
}

static void usage(void)
{
	fprintf(stderr, "usage: l2tplac -s SERVER [-p PORT] -c PPPD_OPTIONS_FILE [-c FILE]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct lac l = { .tunnel_pppox = -1 };
	struct l2tp_msg m;
	sigset_t mask;
	long long setup_deadline;
	int opt;

	l.server.sin_family = AF_INET;
	l.server.sin_port = htons(1701);
	while ((opt = getopt(argc, argv, "s:p:c:")) != -1) {
		switch (opt) {
		case 's':
			if (inet_pton(AF_INET, optarg, &l.server.sin_addr) != 1)
				usage();
			break;
		case 'p':
			l.server.sin_port = htons((uint16_t)atoi(optarg));
			break;
		case 'c':
			if (l.n_calls == MAX_CALLS)
				usage();
			l.calls[l.n_calls] = (struct call){ .id = (uint16_t)(100 + l.n_calls),
							    .options = optarg, .pppox = -1 };
			l.n_calls++;
			break;
		default:
			usage();
		}
	}
	if (!l.server.sin_addr.s_addr || !l.n_calls || optind != argc)
		usage();

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	l.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l.sigfd < 0)
		die("signalfd");
	open_socket(&l);

	lac_sccrq(&m, OUR_TUNNEL_ID, OUR_WINDOW);
	enqueue(&l, 0, &m);
	setup_deadline = now_ms() + SETUP_TIMEOUT_MS;
	while (!done(&l)) {
		struct pollfd pfd[2] = { { .fd = l.fd, .events = POLLIN },
					 { .fd = l.sigfd, .events = POLLIN } };

		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			die("poll");
		if (pfd[0].revents)
			on_readable(&l);
		if (pfd[1].revents)
			on_signal(&l);
		retransmit_if_due(&l);
		if (!l.tunnel_up && now_ms() > setup_deadline)
			fail("no SCCRP from the LNS");
	}
	if (l.tunnel_pppox >= 0)
		close(l.tunnel_pppox);
	return EXIT_SUCCESS;
}
