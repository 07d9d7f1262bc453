/*
 * fuzz_lns: libFuzzer harness for the whole control plane (lns.c,
 * tunnel.c, session.c, transport.c and the codec) with the null data path
 * and a fake clock, network and timer wheel.
 *
 * The input is flags and records: see fuzz_lns_input.h.
 *
 * With FLAG_PROLOGUE, peer A first brings up a tunnel and a session with
 * valid messages (SCCRQ, SCCCN with the challenge answered, ICRQ, ICCN),
 * so that the records start in deep states. REC_FIX_HEADER turns a
 * record's first 12 octets into a valid control header for the peer's
 * tunnel (its server-side id learnt from the SCCRP; Ns and Nr as the
 * peer's transport would have them, plus the record's own Ns and Nr
 * octets as offsets, zero in the seeds, so that mutations make repeats,
 * gaps and odd acknowledgements), so that mutated bodies reach the state
 * machines. OP_NEW_TUNNEL does the same for tunnel 0 (an SCCRQ).
 *
 * Invariants checked (abort on violation): every datagram the LNS sends
 * parses and decodes; limits hold; the data path holds exactly the
 * established tunnels and sessions; a timer that fired is re-armed
 * strictly later; after a shutdown every tunnel goes once the timers have
 * run; lns_free() disarms every timer and leaves the data path empty.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sanitizer/common_interface_defs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "config.h"
#include "dataplane.h"
#include "fuzz_lns_input.h"
#include "header.h"
#include "lac.h"
#include "lns.h"
#include "log.h"
#include "message.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC 1000000ULL
#define START_USEC (1000 * USEC_PER_SEC)
#define MAX_FIRINGS 100000 /* timer firings per input before declaring a loop */
#define TIGHT_MAX_TUNNELS 4
#define TIGHT_MAX_TUNNELS_PER_PEER 2
#define TIGHT_MAX_SESSIONS 4
#define TIGHT_MAX_SESSIONS_PER_TUNNEL 2
#define PEER_A_TUNNEL_ID 1
#define PEER_A_SESSION_ID 1

/* The data path calls that can fail (the others return nothing). */
static const enum dp_null_op dp_failures[] = {
	DP_NULL_TUNNEL_ADD,
	DP_NULL_SESSION_ADD,
	DP_NULL_SESSION_SET_ACCM,
};

static const uint64_t clock_steps[16] = {
	0,
	1 * USEC_PER_MSEC,
	10 * USEC_PER_MSEC,
	100 * USEC_PER_MSEC,
	200 * USEC_PER_MSEC,
	500 * USEC_PER_MSEC,
	1 * USEC_PER_SEC,
	2 * USEC_PER_SEC,
	4 * USEC_PER_SEC,
	8 * USEC_PER_SEC,
	16 * USEC_PER_SEC,
	32 * USEC_PER_SEC,
	60 * USEC_PER_SEC,
	120 * USEC_PER_SEC,
	600 * USEC_PER_SEC,
	3600 * USEC_PER_SEC,
};

/* One simulated LAC, as far as the harness tracks it. */
struct peer {
	struct lns_addr addr;
	uint16_t tunnel_id;  /* the LNS's, from the last SCCRP to this peer */
	uint16_t session_id; /* the LNS's, from the last ICRP */
	uint16_t ns;         /* next Ns the peer sends */
	uint16_t nr;         /* next Ns the peer expects from the LNS */
	uint8_t challenge[L2TP_AVP_MAX_VALUE];
	uint16_t challenge_len; /* 0: the last SCCRP had no Challenge */
};

struct harness {
	struct l2tpsrv_config cfg;
	struct dataplane *dp;
	struct lns *lns;
	uint64_t now;
	struct peer peers[2];
	unsigned int datagrams; /* given to lns_input() */
	unsigned int firings;
	/* the fake timer wheel: deadline by tunnel id, and which ids were used */
	uint64_t deadline[UINT16_MAX + 1];
	bool touched[UINT16_MAX + 1];
	uint16_t touched_ids[UINT16_MAX + 1];
	unsigned int n_touched;
};

static struct harness H;

/* ---- determinism --------------------------------------------------- */

/*
 * lns.c draws tunnel and session ids and challenges from getrandom(); this
 * definition takes the place of glibc's in the harness, so that an input
 * replays the same way every time. Reset for each input.
 */
static uint64_t fake_random_state;

ssize_t getrandom(void *buf, size_t buflen, unsigned int flags)
{
	uint8_t *p = buf;

	(void)flags;
	for (size_t i = 0; i < buflen; i++) {
		fake_random_state = fake_random_state * 6364136223846793005ULL +
				    1442695040888963407ULL;
		p[i] = (uint8_t)(fake_random_state >> 56);
	}
	return (ssize_t)buflen;
}

/* ---- checks -------------------------------------------------------- */

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Reports through the sanitizers' report channel: tests/fuzz/run closes
 * stderr (-close_fd_mask=2) to drop the LNS's log lines, and libFuzzer
 * points that channel at the real stderr.
 */
static void fail(const char *fmt, ...)
{
	char msg[512];
	size_t n;
	va_list ap;

	n = (size_t)snprintf(msg, sizeof(msg), "fuzz_lns: ");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	snprintf(msg + n, sizeof(msg) - n, " (clock %llu us)", (unsigned long long)H.now);
	__sanitizer_report_error_summary(msg);
	abort();
}

static void check_counters(void)
{
	const struct l2tpsrv_config *cfg = &H.cfg;
	struct lns_counters c;

	lns_get_counters(H.lns, &c);
	/* a tunnel takes an SCCRQ, a call an ICRQ or OCRQ: one datagram each at least */
	if (c.tunnels > H.datagrams || c.sessions > H.datagrams)
		fail("%u tunnels and %u sessions from %u datagrams", c.tunnels, c.sessions,
		     H.datagrams);
	if (cfg->max_tunnels && c.tunnels > cfg->max_tunnels)
		fail("more tunnels than max_tunnels");
	if (cfg->max_sessions && c.sessions > cfg->max_sessions)
		fail("more sessions than max_sessions");
	if (dataplane_null_live_tunnels(H.dp) > c.tunnels)
		fail("the data path holds more tunnels than the LNS");
	if (dataplane_null_live_sessions(H.dp) > c.sessions)
		fail("the data path holds more sessions than the LNS");
}

struct census {
	unsigned int tunnels, sessions;
	unsigned long tunnels_established, sessions_established;
};

static bool count_session(void *ctx, const struct lns_session_info *info)
{
	struct census *n = ctx;

	n->sessions++;
	n->sessions_established += strcmp(info->state, "established") == 0;
	return true;
}

static bool count_tunnel(void *ctx, const struct lns_tunnel_info *info)
{
	struct census *n = ctx;
	unsigned int before = n->sessions;

	n->tunnels++;
	n->tunnels_established += strcmp(info->state, "established") == 0;
	if (H.cfg.max_sessions_per_tunnel && info->sessions > H.cfg.max_sessions_per_tunnel)
		fail("tunnel in state %s has more sessions than max_sessions_per_tunnel",
		     info->state);
	lns_foreach_session(H.lns, info->tunnel_id, count_session, n);
	if (n->sessions - before != info->sessions)
		fail("tunnel in state %s lists a wrong number of sessions", info->state);
	return true;
}

/* The tables, the listing and the data path agree. */
static void check_census(void)
{
	struct census n = { 0 };
	struct lns_counters c;

	lns_get_counters(H.lns, &c);
	lns_foreach_tunnel(H.lns, count_tunnel, &n);
	if (n.tunnels != c.tunnels || n.sessions != c.sessions)
		fail("lns_foreach_* and lns_get_counters disagree");
	if (n.tunnels_established != dataplane_null_live_tunnels(H.dp))
		fail("data path tunnels differ from established tunnels");
	if (n.sessions_established != dataplane_null_live_sessions(H.dp))
		fail("data path sessions differ from established sessions");
}

/* ---- the fake network ---------------------------------------------- */

static struct peer *peer_of(const struct lns_addr *addr)
{
	for (size_t i = 0; i < 2; i++)
		if (addr->peer_len == H.peers[i].addr.peer_len &&
		    !memcmp(&addr->peer, &H.peers[i].addr.peer, addr->peer_len))
			return &H.peers[i];
	return NULL;
}

/* What the LAC learns from a message of the LNS. */
static void observe(struct peer *p, const struct l2tp_header *h, const struct l2tp_msg *m)
{
	if (m->type == L2TP_MSG_SCCRP) {
		p->tunnel_id = m->assigned_tunnel_id;
		p->nr = (uint16_t)(h->ns + 1);
		p->ns = 1; /* the SCCRQ had 0 */
		p->challenge_len = 0;
		if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE)) {
			memcpy(p->challenge, m->challenge.ptr, m->challenge.len);
			p->challenge_len = m->challenge.len;
		}
		return;
	}
	if (h->ns == p->nr)
		p->nr++;
	if (m->type == L2TP_MSG_ICRP || m->type == L2TP_MSG_OCRP)
		p->session_id = m->assigned_session_id;
}

/* io->send: every datagram of the LNS must be a valid control message. */
static void io_send(void *ctx, const struct lns_addr *addr, const uint8_t *pkt, size_t len)
{
	static struct l2tp_msg m;
	struct avp_hiding secret = { .secret = H.cfg.secret, .secret_len = H.cfg.secret_len };
	struct l2tp_msg_error err;
	struct l2tp_header h;
	struct peer *p = peer_of(addr);

	(void)ctx;
	if (!p)
		fail("datagram sent to an address no peer used");
	if (len > L2TP_MAX_PACKET)
		fail("datagram larger than L2TP_MAX_PACKET");
	if (l2tp_header_parse(pkt, len, &h) < 0 || !h.control || h.length != len)
		fail("the LNS sent a datagram with a bad header");
	if (h.length == h.payload_offset)
		return; /* ZLB */
	if (l2tp_msg_decode(pkt + h.payload_offset, h.length - h.payload_offset,
			    H.cfg.secret_len ? &secret : NULL, &m, &err) != 0)
		fail("the LNS sent a message that does not decode: %s", err.text);
	observe(p, &h, &m);
}

/* io->timer: the fake timer wheel. */
static void io_timer(void *ctx, uint16_t tunnel_id, uint64_t deadline)
{
	(void)ctx;
	if (tunnel_id == 0)
		fail("timer armed for tunnel id 0");
	H.deadline[tunnel_id] = deadline;
	if (!H.touched[tunnel_id]) {
		H.touched[tunnel_id] = true;
		H.touched_ids[H.n_touched++] = tunnel_id;
	}
}

static uint64_t earliest_deadline(uint16_t *id)
{
	uint64_t best = LNS_NO_DEADLINE;

	for (unsigned int i = 0; i < H.n_touched; i++) {
		uint16_t t = H.touched_ids[i];

		if (H.deadline[t] < best) {
			best = H.deadline[t];
			*id = t;
		}
	}
	return best;
}

/* Moves the clock to until, firing every timer due on the way, in order. */
static void run_clock(uint64_t until)
{
	uint16_t id = 0;
	uint64_t d;

	while ((d = earliest_deadline(&id)) <= until) {
		if (++H.firings > MAX_FIRINGS)
			fail("timers keep firing: a loop");
		if (d > H.now)
			H.now = d;
		H.deadline[id] = LNS_NO_DEADLINE; /* one-shot, as sd-event's */
		lns_timer(H.lns, H.now, id);
		if (H.deadline[id] <= H.now)
			fail("a timer that fired was re-armed at or before now: busy loop");
		check_counters();
	}
	if (until > H.now)
		H.now = until;
}

static void deliver(struct peer *p, const uint8_t *pkt, size_t len)
{
	H.datagrams++;
	lns_input(H.lns, H.now, &p->addr, pkt, len);
	check_counters();
}

static void send_msg(struct peer *p, uint16_t session_id, const struct l2tp_msg *m,
		     const struct avp_hiding *hiding)
{
	uint8_t pkt[L2TP_MAX_PACKET];
	size_t len = lac_packet(pkt, sizeof(pkt), p->tunnel_id, session_id, p->ns, p->nr, m,
				hiding);

	if (!len)
		fail("a LAC message does not fit");
	p->ns++;
	deliver(p, pkt, len);
}

static void send_zlb(struct peer *p)
{
	uint8_t pkt[L2TP_CONTROL_HEADER_LEN];

	deliver(p, pkt, lac_zlb(pkt, sizeof(pkt), p->tunnel_id, p->ns, p->nr));
}

static const struct lns_io lns_io = { .send = io_send, .timer = io_timer };

/* ---- setup --------------------------------------------------------- */

static void set_addr(struct sockaddr_storage *ss, socklen_t *len, bool v6, const char *host,
		     uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &in6->sin6_addr);
		*len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		inet_pton(AF_INET, host, &in->sin_addr);
		*len = sizeof(*in);
	}
}

static void init_peer(struct peer *p, bool v6, const char *host, uint16_t port)
{
	memset(p, 0, sizeof(*p));
	set_addr(&p->addr.peer, &p->addr.peer_len, v6, host, port);
	set_addr(&p->addr.local, &p->addr.local_len, v6, v6 ? "2001:db8::fe" : "192.0.2.254",
		 L2TP_DEFAULT_PORT);
	p->addr.ifindex = 1;
	p->addr.listener = 0;
}

static void configure(uint8_t flags)
{
	struct l2tpsrv_config *c = &H.cfg;

	config_defaults(c);
	snprintf(c->host_name, sizeof(c->host_name), "fuzz-lns");
	if (flags & FLAG_SECRET) {
		memcpy(c->secret, LAC_SECRET, LAC_SECRET_LEN);
		c->secret_len = LAC_SECRET_LEN;
		c->hide_avps = flags & FLAG_HIDE_AVPS;
	}
	if (flags & FLAG_TIGHT_LIMITS) {
		c->max_tunnels = TIGHT_MAX_TUNNELS;
		c->max_tunnels_per_peer = TIGHT_MAX_TUNNELS_PER_PEER;
		c->max_sessions = TIGHT_MAX_SESSIONS;
		c->max_sessions_per_tunnel = TIGHT_MAX_SESSIONS_PER_TUNNEL;
	} else {
		c->max_tunnels = 0;
		c->max_tunnels_per_peer = 0;
		c->max_sessions = 0;
		c->max_sessions_per_tunnel = 0;
	}
	if (flags & FLAG_NO_ACK_DELAY)
		c->ack_delay_usec = 0;
	if (flags & FLAG_NO_HELLO)
		c->hello_interval_usec = 0;
	if (flags & FLAG_WINDOW_1)
		c->receive_window = 1;
	if (flags & FLAG_ONE_RETRANSMIT)
		c->retransmit_count = 1;
}

/* Peer A: SCCRQ, SCCCN, ICRQ, ICCN, all valid; the tunnel and call must be up. */
static void prologue(bool hidden)
{
	static const uint8_t rv[L2TP_RANDOM_VECTOR_LEN] = "prologue-vector";
	struct avp_hiding hiding = {
		.secret = H.cfg.secret,
		.secret_len = H.cfg.secret_len,
		.random_vector = rv,
		.random_vector_len = sizeof(rv),
	};
	const struct avp_hiding *hide = hidden && H.cfg.secret_len ? &hiding : NULL;
	struct peer *a = &H.peers[0];
	struct l2tp_bytes challenge = { .ptr = a->challenge, .len = 0 };
	struct lns_counters c;
	struct l2tp_msg m;

	lac_sccrq(&m, PEER_A_TUNNEL_ID, 0);
	send_msg(a, 0, &m, hide);
	if (!a->tunnel_id)
		fail("prologue: no SCCRP for a valid SCCRQ");
	challenge.len = a->challenge_len;
	lac_scccn(&m, H.cfg.secret, H.cfg.secret_len, a->challenge_len ? &challenge : NULL);
	send_msg(a, 0, &m, hide);
	lac_icrq(&m, PEER_A_SESSION_ID, 1);
	send_msg(a, 0, &m, hide);
	if (!a->session_id)
		fail("prologue: no ICRP for a valid ICRQ");
	lac_iccn(&m);
	send_msg(a, a->session_id, &m, hide);
	lns_get_counters(H.lns, &c);
	if (c.tunnels_established != 1 || c.sessions_established != 1)
		fail("prologue: the tunnel or the session did not come up");
}

static void start(const uint8_t *data, size_t size)
{
	uint8_t flags = size > 0 ? data[0] : 0, flags2 = size > 1 ? data[1] : 0;
	unsigned int op = flags2 & FLAG2_DP_FAIL_OP;

	fake_random_state = 0x6c327470;
	H.now = START_USEC;
	H.datagrams = 0;
	H.firings = 0;
	configure(flags);
	init_peer(&H.peers[0], false, "192.0.2.1", L2TP_DEFAULT_PORT);
	if (flags2 & FLAG2_PEER_B_IPV6)
		init_peer(&H.peers[1], true, "2001:db8::2", L2TP_DEFAULT_PORT);
	else
		init_peer(&H.peers[1], false, "192.0.2.1", L2TP_DEFAULT_PORT + 1);
	H.dp = dataplane_null_new();
	if (!H.dp)
		abort();
	H.lns = lns_new(&H.cfg, H.dp, &lns_io, NULL);
	if (!H.lns)
		abort();
	if (flags & FLAG_PROLOGUE)
		prologue(flags2 & FLAG2_PROLOGUE_HIDDEN);
	if (op < sizeof(dp_failures) / sizeof(dp_failures[0]))
		dataplane_null_fail_next(H.dp, dp_failures[op], -ENOMEM,
					 ((flags2 & FLAG2_DP_FAIL_COUNT) >> 3) + 1);
}

/* ---- records ------------------------------------------------------- */

static uint32_t get_u32(const uint8_t *p, size_t len, size_t off)
{
	uint32_t v = 0;

	for (size_t i = off; i < off + 4; i++)
		v = v << 8 | (i < len ? p[i] : 0);
	return v;
}

/* A datagram whose header is made valid for tunnel 0: an SCCRQ, say. */
static void new_tunnel(struct peer *p, const uint8_t *body, size_t len)
{
	static uint8_t pkt[L2TP_MAX_PACKET * 2];

	if (len < L2TP_CONTROL_HEADER_LEN) {
		deliver(p, body, len);
		return;
	}
	memcpy(pkt, body, len);
	lac_zlb(pkt, L2TP_CONTROL_HEADER_LEN, 0, 0, 0);
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	deliver(p, pkt, len);
}

static void datagram(struct peer *p, uint8_t ctl, const uint8_t *body, size_t len)
{
	static uint8_t pkt[L2TP_MAX_PACKET * 2];
	uint16_t ns_off, nr_off;

	if (!(ctl & REC_FIX_HEADER)) {
		deliver(p, body, len);
		return;
	}
	if (len < L2TP_CONTROL_HEADER_LEN) {
		send_zlb(p);
		return;
	}
	/* The record's Ns and Nr octets are offsets from what the peer would send. */
	ns_off = (uint16_t)(body[8] << 8 | body[9]);
	nr_off = (uint16_t)(body[10] << 8 | body[11]);
	memcpy(pkt, body, len);
	lac_zlb(pkt, L2TP_CONTROL_HEADER_LEN, p->tunnel_id, (uint16_t)(p->ns + ns_off),
		(uint16_t)(p->nr + nr_off));
	pkt[2] = (uint8_t)(len >> 8); /* Length: the whole record */
	pkt[3] = (uint8_t)len;
	if (ctl & REC_FIX_SESSION) {
		pkt[6] = (uint8_t)(p->session_id >> 8);
		pkt[7] = (uint8_t)p->session_id;
	} else {
		pkt[6] = body[6];
		pkt[7] = body[7];
	}
	if (len > L2TP_CONTROL_HEADER_LEN && ns_off == 0)
		p->ns++;
	deliver(p, pkt, len);
}

static void record(uint8_t ctl, unsigned int op, const uint8_t *body, size_t len)
{
	struct peer *p = &H.peers[ctl & REC_PEER_B ? 1 : 0];

	run_clock(H.now + clock_steps[ctl >> 4]);
	switch (op) {
	case OP_CLOSE_TUNNEL:
		lns_close_tunnel(H.lns, H.now, p->tunnel_id);
		break;
	case OP_CLOSE_SESSION:
		lns_close_session(H.lns, H.now, p->tunnel_id, p->session_id);
		break;
	case OP_SET_ACCM:
		lns_session_set_accm(H.lns, H.now, p->tunnel_id, p->session_id,
				     get_u32(body, len, 0), get_u32(body, len, 4));
		break;
	case OP_SHUTDOWN:
		lns_shutdown(H.lns, H.now);
		break;
	case OP_CLOSE_ANY_TUNNEL:
		lns_close_tunnel(H.lns, H.now, (uint16_t)(get_u32(body, len, 0) >> 16));
		break;
	case OP_NEW_TUNNEL:
		new_tunnel(p, body, len);
		break;
	default:
		datagram(p, ctl, body, len);
		break;
	}
	check_counters();
	if (ctl & REC_ACK_AFTER && p->tunnel_id)
		send_zlb(p);
}

/* Shutdown: every tunnel must be gone once the timers have run out. */
static void shutdown_and_drain(void)
{
	struct lns_counters c;
	uint16_t id;

	lns_shutdown(H.lns, H.now);
	while (earliest_deadline(&id) != LNS_NO_DEADLINE)
		run_clock(H.deadline[id]);
	lns_get_counters(H.lns, &c);
	if (c.tunnels != 0 || !lns_is_idle(H.lns))
		fail("tunnels left after a shutdown and all timers");
}

static void finish(void)
{
	check_census();
	H.lns = lns_free(H.lns);
	for (unsigned int i = 0; i < H.n_touched; i++) {
		uint16_t id = H.touched_ids[i];

		if (H.deadline[id] != LNS_NO_DEADLINE)
			fail("lns_free() left a timer armed");
		H.touched[id] = false;
	}
	H.n_touched = 0;
	if (dataplane_null_live_tunnels(H.dp) || dataplane_null_live_sessions(H.dp))
		fail("lns_free() left tunnels or sessions in the data path");
	H.dp = dataplane_free(H.dp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *level = getenv("FUZZ_LNS_LOG");

	(void)argc;
	(void)argv;
	/* Log at debug level: the log lines quote what peers send. tests/fuzz/run
	 * sends them to /dev/null (-close_fd_mask=2); FUZZ_LNS_LOG=quiet stops them. */
	log_set_level(level && !strcmp(level, "quiet") ? LOG_EMERG : LOG_DEBUG);
	for (unsigned int id = 0; id <= UINT16_MAX; id++)
		H.deadline[id] = LNS_NO_DEADLINE;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 2;

	start(data, size);
	while (pos + 3 <= size) {
		uint8_t ctl = data[pos];
		unsigned int word = (unsigned int)data[pos + 1] << 8 | data[pos + 2];
		size_t len = word & REC_LEN_MAX;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		record(ctl, word >> REC_OP_SHIFT, data + pos, len);
		pos += len;
	}
	if (size > 1 && data[1] & FLAG2_SHUTDOWN)
		shutdown_and_drain();
	finish();
	return 0;
}
