/*
 * l2tpbench: a load generator playing many LACs against a running l2tpsrv
 * over real UDP.
 *
 *   l2tpbench [-s ADDRESS:PORT] [-n TOTAL] [-c CONCURRENCY] [--sources N]
 *             [--hold] [--hold-time SECONDS] [--no-stopccn] [--quiet]
 *
 * Each simulated LAC has its own UDP socket, bound to 127.0.0.X:0 with X
 * going round 2..254 (or the first N of them), and does what RFC 2661 section 5 has a LAC do for one
 * incoming call: SCCRQ; on SCCRP, SCCCN and ICRQ; on ICRP, ICCN. Every
 * message is retransmitted until acknowledged (1 s, doubling, 5 times);
 * every message of the LNS is acknowledged, by the next message or by a
 * ZLB. At most CONCURRENCY setups are in flight at once.
 *
 * A setup counts when the ICRP came and the ICCN went; its latency runs
 * from the SCCRQ. Then l2tpbench waits until the LNS has acknowledged every
 * ICCN, so that the sessions are known to be established, and prints:
 *
 *   setups=N failures=N retransmits=N elapsed_s=S setups_per_second=R
 *   latency_ms p50=A p90=B p99=C max=D
 *   iccn_acked=N
 *
 * With --hold, it then prints "holding N sessions" and keeps every tunnel
 * up (answering HELLOs) until SIGTERM or SIGINT, or for --hold-time
 * SECONDS. At the end each tunnel is closed with a StopCCN unless
 * --no-stopccn.
 *
 * It uses the l2tpsrv codec (header.c, message.c and below) to build and
 * parse messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "header.h"
#include "message.h"
#include "writer.h"

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC 1000000ULL
#define RTO_INITIAL_USEC (1 * USEC_PER_SEC)
#define MAX_RETRANSMITS 5
#define ACK_WAIT_USEC (10 * USEC_PER_SEC) /* for the LNS to acknowledge the ICCNs */
#define PKT_MAX 256                       /* our messages are all far smaller */
#define BURST_MAX 2                       /* SCCCN and ICRQ go together */
#define FIRST_HOST 2                      /* 127.0.0.2 .. 127.0.0.254 */
#define N_HOSTS 253 /* default for --sources, and the most */
#define OUR_WINDOW 8
#define OUR_SESSION_ID 1
#define STOPCCN_BATCH 200
#define HOST_NAME "l2tpbench"
#define TX_SPEED 100000000u

enum lac_state {
	LAC_IDLE,
	LAC_WAIT_SCCRP,
	LAC_WAIT_ICRP,
	LAC_UP,     /* ICCN sent: the setup counted */
	LAC_FAILED, /* socket closed */
};

struct lac {
	int fd;
	enum lac_state state;
	uint16_t our_tunnel_id;
	uint16_t tunnel_id;  /* the LNS's */
	uint16_t session_id; /* the LNS's */
	uint16_t ns;         /* next Ns we send */
	uint16_t nr;         /* next Ns we expect */
	bool iccn_acked;
	uint32_t gen;        /* bumped when the burst is acknowledged: stale timers */
	unsigned int retries;
	uint64_t rto;
	uint64_t started;
	/* what we sent last and is not acknowledged yet; its last Ns */
	uint8_t burst[BURST_MAX][PKT_MAX];
	size_t burst_len[BURST_MAX];
	unsigned int n_burst;
	uint16_t burst_last_ns;
};

/* Retransmission timers: a min-heap on deadline, stale entries skipped. */
struct timer {
	uint64_t deadline;
	uint32_t lac;
	uint32_t gen;
};

struct bench {
	struct sockaddr_in server;
	unsigned int total, concurrency;
	unsigned int sources; /* how many source addresses, from 127.0.0.2 */
	bool hold, stopccn, quiet;
	unsigned int hold_seconds; /* 0: until a signal */
	int ep;
	struct lac *lacs;
	unsigned int started, in_flight, up, failed, acked;
	unsigned long retransmits, fail_reports;
	uint64_t *latency; /* usec, one per setup */
	uint64_t t0, t_last_setup;
	struct timer *heap;
	size_t heap_len, heap_cap;
};

static volatile sig_atomic_t stop_requested;

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static bool seq_before(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b) < 0;
}

/* ---- timers -------------------------------------------------------- */

static void heap_push(struct bench *b, uint64_t deadline, uint32_t lac, uint32_t gen)
{
	size_t i;

	if (b->heap_len == b->heap_cap) {
		size_t cap = b->heap_cap ? b->heap_cap * 2 : 1024;
		struct timer *h = realloc(b->heap, cap * sizeof(*h));

		if (!h) {
			perror("l2tpbench: realloc");
			exit(EXIT_FAILURE);
		}
		b->heap = h;
		b->heap_cap = cap;
	}
	i = b->heap_len++;
	while (i > 0 && b->heap[(i - 1) / 2].deadline > deadline) {
		b->heap[i] = b->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	b->heap[i] = (struct timer){ deadline, lac, gen };
}

static struct timer heap_pop(struct bench *b)
{
	struct timer top = b->heap[0], last = b->heap[--b->heap_len];
	size_t i = 0, n = b->heap_len;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && b->heap[c + 1].deadline < b->heap[c].deadline)
			c++;
		if (b->heap[c].deadline >= last.deadline)
			break;
		b->heap[i] = b->heap[c];
		i = c;
	}
	if (n)
		b->heap[i] = last;
	return top;
}

/* ---- sending ------------------------------------------------------- */

static void send_raw(struct bench *b, struct lac *l, const uint8_t *pkt, size_t len)
{
	/* A failed send is a loss: the retransmission covers it. */
	if (sendto(l->fd, pkt, len, MSG_DONTWAIT, (const struct sockaddr *)&b->server,
		   sizeof(b->server)) < 0 && errno != EAGAIN && !b->quiet)
		fprintf(stderr, "l2tpbench: sendto: %s\n", strerror(errno));
}

static size_t build(uint8_t *pkt, const struct lac *l, uint16_t session_id,
		    const struct l2tp_msg *m)
{
	struct writer w;
	size_t off;

	writer_init(&w, pkt, PKT_MAX);
	if (!l2tp_control_header_write(&w, l->tunnel_id, session_id, l->ns, l->nr, &off) ||
	    (m && !l2tp_msg_encode(&w, m, NULL)) || !l2tp_header_finish(&w, off)) {
		fprintf(stderr, "l2tpbench: a message does not fit in %d octets\n", PKT_MAX);
		exit(EXIT_FAILURE);
	}
	return writer_len(&w);
}

static void arm(struct bench *b, struct lac *l, uint64_t now)
{
	heap_push(b, now + l->rto, (uint32_t)(l - b->lacs), l->gen);
}

/* Queues m in the burst being built and sends it; it is retransmitted until acked. */
static void send_reliable(struct bench *b, struct lac *l, uint16_t session_id,
			  const struct l2tp_msg *m)
{
	unsigned int i = l->n_burst++;

	l->burst_len[i] = build(l->burst[i], l, session_id, m);
	l->burst_last_ns = l->ns++;
	send_raw(b, l, l->burst[i], l->burst_len[i]);
}

static void start_burst(struct lac *l)
{
	l->n_burst = 0;
	l->retries = 0;
	l->rto = RTO_INITIAL_USEC;
	l->gen++;
}

static void send_zlb(struct bench *b, struct lac *l)
{
	uint8_t pkt[PKT_MAX];

	send_raw(b, l, pkt, build(pkt, l, 0, NULL));
}

/* ---- the LAC ------------------------------------------------------- */

static void lac_close(struct bench *b, struct lac *l, enum lac_state state)
{
	if (l->state == LAC_WAIT_SCCRP || l->state == LAC_WAIT_ICRP)
		b->in_flight--;
	l->state = state;
	if (state == LAC_FAILED) {
		l->gen++; /* no more retransmissions */
		b->failed++;
		close(l->fd);
		l->fd = -1;
	}
}

static void lac_fail(struct bench *b, struct lac *l, const char *why)
{
	if (!b->quiet && b->fail_reports++ < 5)
		fprintf(stderr, "l2tpbench: LAC %u (tunnel %u) failed: %s\n",
			(unsigned int)(l - b->lacs), l->tunnel_id, why);
	lac_close(b, l, LAC_FAILED);
}

static int lac_socket(const struct bench *b, unsigned int i)
{
	struct sockaddr_in local = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(0x7f000000u | (FIRST_HOST + i % b->sources)),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		perror("l2tpbench: socket");
		exit(EXIT_FAILURE);
	}
	return fd;
}

static void lac_start(struct bench *b, unsigned int i, uint64_t now)
{
	struct lac *l = &b->lacs[i];
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
	struct l2tp_msg m;

	l->fd = lac_socket(b, i);
	if (epoll_ctl(b->ep, EPOLL_CTL_ADD, l->fd, &ev) < 0) {
		perror("l2tpbench: epoll_ctl");
		exit(EXIT_FAILURE);
	}
	l->our_tunnel_id = (uint16_t)(i % UINT16_MAX + 1);
	l->state = LAC_WAIT_SCCRP;
	l->started = now;
	b->in_flight++;
	b->started++;

	l2tp_msg_init(&m, L2TP_MSG_SCCRQ);
	m.protocol_version = 1;
	m.protocol_revision = 0;
	l2tp_msg_set(&m, L2TP_AVP_PROTOCOL_VERSION);
	m.host_name.ptr = (const uint8_t *)HOST_NAME;
	m.host_name.len = sizeof(HOST_NAME) - 1;
	l2tp_msg_set(&m, L2TP_AVP_HOST_NAME);
	m.framing_capabilities = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	l2tp_msg_set(&m, L2TP_AVP_FRAMING_CAPABILITIES);
	m.assigned_tunnel_id = l->our_tunnel_id;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m.receive_window_size = OUR_WINDOW;
	l2tp_msg_set(&m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	start_burst(l);
	send_reliable(b, l, 0, &m);
	arm(b, l, now);
}

static void on_sccrp(struct bench *b, struct lac *l, const struct l2tp_msg *rp, uint64_t now)
{
	struct l2tp_msg m;

	if (l2tp_msg_has(rp, L2TP_AVP_CHALLENGE)) {
		lac_fail(b, l, "the LNS asks for a secret; l2tpbench has none");
		return;
	}
	l->tunnel_id = rp->assigned_tunnel_id;
	start_burst(l);
	l2tp_msg_init(&m, L2TP_MSG_SCCCN);
	send_reliable(b, l, 0, &m);
	l2tp_msg_init(&m, L2TP_MSG_ICRQ);
	m.assigned_session_id = OUR_SESSION_ID;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m.call_serial_number = (uint32_t)(l - b->lacs);
	l2tp_msg_set(&m, L2TP_AVP_CALL_SERIAL_NUMBER);
	send_reliable(b, l, 0, &m);
	arm(b, l, now);
	l->state = LAC_WAIT_ICRP;
}

static void on_icrp(struct bench *b, struct lac *l, const struct l2tp_msg *rp, uint64_t now)
{
	struct l2tp_msg m;

	l->session_id = rp->assigned_session_id;
	start_burst(l);
	l2tp_msg_init(&m, L2TP_MSG_ICCN);
	m.tx_connect_speed = TX_SPEED;
	l2tp_msg_set(&m, L2TP_AVP_TX_CONNECT_SPEED);
	m.framing_type = L2TP_FRAMING_ASYNC;
	l2tp_msg_set(&m, L2TP_AVP_FRAMING_TYPE);
	send_reliable(b, l, l->session_id, &m);
	arm(b, l, now);
	lac_close(b, l, LAC_UP);
	b->latency[b->up++] = now - l->started;
	b->t_last_setup = now;
}

/* The LNS's Nr acknowledges our burst once it passes the burst's last Ns. */
static void process_nr(struct bench *b, struct lac *l, uint16_t nr)
{
	if (!l->n_burst || !seq_before(l->burst_last_ns, nr))
		return;
	l->n_burst = 0;
	l->gen++;
	if (l->state == LAC_UP && !l->iccn_acked) {
		l->iccn_acked = true;
		b->acked++;
	}
}

static void on_message(struct bench *b, struct lac *l, const struct l2tp_header *h,
		       const uint8_t *body, size_t len, uint64_t now)
{
	static struct l2tp_msg m;
	struct l2tp_msg_error err;
	char why[160];

	if (h->ns != l->nr) {
		send_zlb(b, l); /* a repeat (our ack was lost) or out of order: say where we are */
		return;
	}
	l->nr++;
	if (l2tp_msg_decode(body, len, NULL, &m, &err) < 0) {
		snprintf(why, sizeof(why), "bad message from the LNS: %s", err.text);
		lac_fail(b, l, why);
		return;
	}
	if (m.type == L2TP_MSG_SCCRP && l->state == LAC_WAIT_SCCRP) {
		on_sccrp(b, l, &m, now);
	} else if (m.type == L2TP_MSG_ICRP && l->state == LAC_WAIT_ICRP) {
		on_icrp(b, l, &m, now);
	} else if (m.type == L2TP_MSG_STOPCCN || m.type == L2TP_MSG_CDN) {
		snprintf(why, sizeof(why), "%s result %u error %u \"%.*s\"",
			 l2tp_msg_type_name(m.type), m.result_code, m.error_code,
			 (int)m.error_message.len, (const char *)m.error_message.ptr);
		send_zlb(b, l);
		lac_fail(b, l, why);
	} else {
		send_zlb(b, l); /* HELLO, or anything else: acknowledge */
	}
}

static void on_datagram(struct bench *b, struct lac *l, const uint8_t *pkt, size_t len,
			uint64_t now)
{
	struct l2tp_header h;

	if (l2tp_header_parse(pkt, len, &h) < 0 || !h.control)
		return;
	process_nr(b, l, h.nr);
	if (h.length > h.payload_offset)
		on_message(b, l, &h, pkt + h.payload_offset, h.length - h.payload_offset, now);
}

static void on_readable(struct bench *b, struct lac *l, uint64_t now)
{
	uint8_t pkt[L2TP_MAX_PACKET];

	while (l->fd >= 0) {
		ssize_t n = recv(l->fd, pkt, sizeof(pkt), MSG_DONTWAIT);

		if (n < 0)
			return;
		on_datagram(b, l, pkt, (size_t)n, now);
	}
}

static void run_timers(struct bench *b, uint64_t now)
{
	while (b->heap_len && b->heap[0].deadline <= now) {
		struct timer t = heap_pop(b);
		struct lac *l = &b->lacs[t.lac];

		if (t.gen != l->gen || !l->n_burst || l->fd < 0)
			continue;
		if (l->retries >= MAX_RETRANSMITS) {
			lac_fail(b, l, "no acknowledgement from the LNS");
			continue;
		}
		l->retries++;
		l->rto *= 2;
		for (unsigned int i = 0; i < l->n_burst; i++) {
			send_raw(b, l, l->burst[i], l->burst_len[i]);
			b->retransmits++;
		}
		arm(b, l, now);
	}
}

/* One round: wait for datagrams or the next timer (at most max_wait). */
static void poll_once(struct bench *b, uint64_t max_wait)
{
	struct epoll_event evs[256];
	uint64_t now = now_usec(), wait = max_wait;
	int n;

	if (b->heap_len)
		wait = b->heap[0].deadline > now ? b->heap[0].deadline - now : 0;
	if (wait > max_wait)
		wait = max_wait;
	n = epoll_wait(b->ep, evs, 256, (int)((wait + USEC_PER_MSEC - 1) / USEC_PER_MSEC));
	if (n < 0 && errno != EINTR) {
		perror("l2tpbench: epoll_wait");
		exit(EXIT_FAILURE);
	}
	now = now_usec();
	for (int i = 0; i < n; i++)
		on_readable(b, &b->lacs[evs[i].data.u32], now);
	run_timers(b, now);
}

/* ---- phases -------------------------------------------------------- */

static void run_setups(struct bench *b)
{
	b->t0 = now_usec();
	while ((b->started < b->total || b->in_flight > 0) && !stop_requested) {
		uint64_t now = now_usec();

		while (b->in_flight < b->concurrency && b->started < b->total)
			lac_start(b, b->started, now);
		poll_once(b, 100 * USEC_PER_MSEC);
	}
	/* Until the LNS has acknowledged every ICCN: then every session is up. */
	for (uint64_t end = now_usec() + ACK_WAIT_USEC;
	     b->acked < b->up && now_usec() < end && !stop_requested;)
		poll_once(b, 100 * USEC_PER_MSEC);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double percentile_ms(const uint64_t *sorted, unsigned int n, double p)
{
	unsigned int i;

	if (!n)
		return 0;
	i = (unsigned int)(p / 100.0 * (n - 1) + 0.5);
	return (double)sorted[i] / 1000.0;
}

static void report(struct bench *b)
{
	double secs = (double)(b->t_last_setup - b->t0) / 1e6;
	unsigned int n = b->up;

	qsort(b->latency, n, sizeof(b->latency[0]), cmp_u64);
	printf("setups=%u failures=%u retransmits=%lu elapsed_s=%.3f setups_per_second=%.0f\n", n,
	       b->failed, b->retransmits, secs, secs > 0 ? n / secs : 0.0);
	printf("latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f\n", percentile_ms(b->latency, n, 50),
	       percentile_ms(b->latency, n, 90), percentile_ms(b->latency, n, 99),
	       percentile_ms(b->latency, n, 100));
	printf("iccn_acked=%u\n", b->acked);
	fflush(stdout);
}

static void hold(struct bench *b)
{
	uint64_t end = b->hold_seconds ? now_usec() + b->hold_seconds * USEC_PER_SEC : UINT64_MAX;
	unsigned int held = 0;

	for (unsigned int i = 0; i < b->started; i++)
		held += b->lacs[i].state == LAC_UP;
	printf("holding %u sessions\n", held);
	fflush(stdout);
	while (!stop_requested && now_usec() < end)
		poll_once(b, 500 * USEC_PER_MSEC);
}

/* Closes every tunnel still up with a StopCCN (RFC 2661 5.7), paced. */
static void send_stopccns(struct bench *b)
{
	struct l2tp_msg m;
	unsigned int sent = 0;

	for (unsigned int i = 0; i < b->started; i++) {
		struct lac *l = &b->lacs[i];
		uint8_t pkt[PKT_MAX];

		if (l->fd < 0 || !l->tunnel_id)
			continue;
		l2tp_msg_init(&m, L2TP_MSG_STOPCCN);
		m.assigned_tunnel_id = l->our_tunnel_id;
		l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
		m.result_code = 1; /* general request to clear the control connection */
		l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
		send_raw(b, l, pkt, build(pkt, l, 0, &m));
		if (++sent % STOPCCN_BATCH == 0)
			poll_once(b, 2 * USEC_PER_MSEC); /* let the LNS keep up */
	}
	printf("stopccn_sent=%u\n", sent);
}

/* ---- setup --------------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void raise_nofile(unsigned int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		fprintf(stderr, "l2tpbench: cannot raise RLIMIT_NOFILE to %u: %s\n", need,
			strerror(errno));
		exit(EXIT_FAILURE);
	}
}

static bool parse_server(const char *arg, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(arg, ':');
	unsigned long port;
	char *end;

	if (!colon || (size_t)(colon - arg) >= sizeof(host))
		return false;
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535 || inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return false;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return true;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpbench [-s ADDRESS:PORT] [-n TOTAL] [-c CONCURRENCY]\n"
		   "                 [--sources N] [--hold] [--hold-time SECONDS] [--no-stopccn]\n"
		   "                 [--quiet]\n"
		   "Sets up TOTAL tunnels with one call each against an LNS (default\n"
		   "127.0.0.1:1701), CONCURRENCY at a time (default 200 of 10000), from\n"
		   "N source addresses 127.0.0.2 and up (default 253).\n");
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "total", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "hold", no_argument, NULL, 'H' },
		{ "hold-time", required_argument, NULL, 'T' },
		{ "no-stopccn", no_argument, NULL, 'S' },
		{ "sources", required_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	b->total = 10000;
	b->concurrency = 200;
	b->stopccn = true;
	b->sources = N_HOSTS;
	parse_server("127.0.0.1:1701", &b->server);
	while ((c = getopt_long(argc, argv, "s:n:c:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!parse_server(optarg, &b->server)) {
				fprintf(stderr, "l2tpbench: bad server address '%s'\n", optarg);
				exit(EXIT_FAILURE);
			}
			break;
		case 'n':
			b->total = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			b->concurrency = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'H':
			b->hold = true;
			break;
		case 'T':
			b->hold = true;
			b->hold_seconds = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			b->stopccn = false;
			break;
		case 'a':
			b->sources = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'q':
			b->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			exit(EXIT_FAILURE);
		}
	}
	if (optind < argc || b->total == 0 || b->total > 60000 || b->concurrency == 0 ||
	    b->sources == 0 || b->sources > N_HOSTS) {
		usage(stderr);
		exit(EXIT_FAILURE);
	}
}

int main(int argc, char **argv)
{
	static struct bench b;
	struct sigaction sa = { .sa_handler = on_signal };

	parse_args(&b, argc, argv);
	raise_nofile(b.total + 64);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	b.lacs = calloc(b.total, sizeof(*b.lacs));
	b.latency = calloc(b.total, sizeof(*b.latency));
	b.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!b.lacs || !b.latency || b.ep < 0) {
		perror("l2tpbench");
		return EXIT_FAILURE;
	}
	for (unsigned int i = 0; i < b.total; i++)
		b.lacs[i].fd = -1;
	run_setups(&b);
	report(&b);
	if (b.hold && !stop_requested)
		hold(&b);
	if (b.stopccn)
		send_stopccns(&b);
	return b.failed || b.up < b.total ? EXIT_FAILURE : EXIT_SUCCESS;
}
