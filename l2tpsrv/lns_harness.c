/*
 * lns_harness: fake clock, io, data path and LACs for the state machine
 * tests; see lns_harness.h.
 */
#include <arpa/inet.h>
#include <check.h>
#include <md5.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "lns_harness.h"
#include "log.h"
#include "reader.h"
#include "writer.h"

/* Timer steps one h_run_until() may take before the test calls it a livelock. */
#define MAX_TIMER_STEPS 100000

struct sent {
	uint64_t at;
	struct lns_addr addr;
	size_t len;
	uint8_t pkt[];
};

/* ---- the fake io ---- */

static void io_send(void *ctx, const struct lns_addr *addr, const uint8_t *pkt, size_t len)
{
	struct harness *h = ctx;
	struct sent *s;

	ck_assert_uint_le(len, L2TP_MAX_PACKET);
	if (h->q_head + h->q_len == h->q_cap) {
		if (h->q_head) {
			memmove(h->q, h->q + h->q_head, h->q_len * sizeof(*h->q));
			h->q_head = 0;
		} else {
			h->q_cap = h->q_cap ? 2 * h->q_cap : 64;
			h->q = realloc(h->q, h->q_cap * sizeof(*h->q));
			ck_assert_ptr_nonnull(h->q);
		}
	}
	s = malloc(sizeof(*s) + len);
	ck_assert_ptr_nonnull(s);
	s->at = h->now;
	s->addr = *addr;
	s->len = len;
	memcpy(s->pkt, pkt, len);
	h->q[h->q_head + h->q_len++] = s;
}

static void io_timer(void *ctx, uint16_t tunnel_id, uint64_t deadline)
{
	struct harness *h = ctx;

	ck_assert_uint_ne(tunnel_id, 0);
	h->deadline[tunnel_id] = deadline;
}

static int io_session_up(void *ctx, const struct lns_call *call)
{
	struct harness *h = ctx;

	if (h->ppp_up_result < 0)
		return h->ppp_up_result;
	h->ppp_up++;
	h->last_up = *call;
	return 0;
}

static void io_session_down(void *ctx, uint16_t tunnel_id, uint16_t session_id,
			    enum lns_end end)
{
	struct harness *h = ctx;

	h->last_down_end = end;
	h->ppp_down++;
	h->last_down_tid = tunnel_id;
	h->last_down_sid = session_id;
}

static int io_admit(void *ctx, const struct lns_addr *addr, struct lns_admission *out)
{
	struct harness *h = ctx;

	h->admit_calls++;
	h->admit_last = *addr;
	if (h->admit_result < 0)
		return h->admit_result;
	out->owner = h->admit_owner;
	out->mark_mask = h->admit_mark_mask;
	out->reply_mark = h->admit_reply_mark;
	return 0;
}

static void io_event(void *ctx, const struct lns_event *ev)
{
	struct harness *h = ctx;
	struct h_event *e;

	ck_assert_ptr_nonnull(ev->peer);
	ck_assert_ptr_nonnull(ev->text);
	if (h->n_events == H_MAX_EVENTS)
		return;
	e = &h->events[h->n_events++];
	*e = (struct h_event){
		.kind = ev->kind,
		.tunnel_id = ev->tunnel_id,
		.session_id = ev->session_id,
		.result = ev->result,
		.error = ev->error,
		.established = ev->established,
		.authenticated = ev->authenticated,
	};
	snprintf(e->text, sizeof(e->text), "%s", ev->text);
}

static const struct lns_io fake_io = {
	.send = io_send,
	.timer = io_timer,
	.session_up = io_session_up,
	.session_down = io_session_down,
	.event = io_event,
};

/* The same with io->admit (h->admit_hook). */
static const struct lns_io fake_io_admit = {
	.send = io_send,
	.timer = io_timer,
	.session_up = io_session_up,
	.session_down = io_session_down,
	.admit = io_admit,
	.event = io_event,
};

const struct h_event *h_event_last(const struct harness *h, enum lns_event_kind kind)
{
	for (size_t i = h->n_events; i > 0; i--)
		if (h->events[i - 1].kind == kind)
			return &h->events[i - 1];
	ck_abort_msg("no event of kind %d", (int)kind);
	return NULL;
}

size_t h_events(const struct harness *h, enum lns_event_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n_events; i++)
		n += h->events[i].kind == kind;
	return n;
}

/* ---- harness ---- */

struct harness *h_new(void)
{
	struct harness *h = calloc(1, sizeof(*h));

	ck_assert_ptr_nonnull(h);
	config_defaults(&h->cfg);
	snprintf(h->cfg.host_name, sizeof(h->cfg.host_name), "%s", H_HOST_NAME);
	h->deadline = malloc((UINT16_MAX + 1) * sizeof(*h->deadline));
	ck_assert_ptr_nonnull(h->deadline);
	for (unsigned int i = 0; i <= UINT16_MAX; i++)
		h->deadline[i] = LNS_NO_DEADLINE;
	h->dp = dataplane_null_new();
	ck_assert_ptr_nonnull(h->dp);
	h->now = H_EPOCH;
	/* LNS_TEST_LOG=1 shows the state machines' log on stderr. */
	log_set_level(getenv("LNS_TEST_LOG") ? LOG_DEBUG : LOG_CRIT);
	return h;
}

struct harness *h_started(void)
{
	struct harness *h = h_new();

	h_start(h);
	return h;
}

struct harness *h_started_with_secret(bool hide)
{
	struct harness *h = h_new();

	memcpy(h->cfg.secret, H_SECRET, strlen(H_SECRET));
	h->cfg.secret_len = strlen(H_SECRET);
	h->cfg.hide_avps = hide;
	h_start(h);
	return h;
}

void h_start(struct harness *h)
{
	ck_assert_ptr_null(h->lns);
	h->lns = lns_new(&h->cfg, h->dp, h->admit_hook ? &fake_io_admit : &fake_io, h);
	ck_assert_ptr_nonnull(h->lns);
}

void h_free(struct harness *h)
{
	if (!h)
		return;
	h->lns = lns_free(h->lns);
	h_drain(h);
	free(h->q);
	dataplane_free(h->dp);
	free(h->deadline);
	free(h);
}

void h_run_until(struct harness *h, uint64_t when)
{
	for (unsigned int steps = 0;; steps++) {
		uint64_t first = LNS_NO_DEADLINE;
		unsigned int id = 0;

		for (unsigned int i = 1; i <= UINT16_MAX; i++) {
			if (h->deadline[i] < first) {
				first = h->deadline[i];
				id = i;
			}
		}
		if (!id || first > when)
			break;
		ck_assert_msg(steps < MAX_TIMER_STEPS, "tunnel %u: timer keeps firing at %llu", id,
			      (unsigned long long)first);
		if (first > h->now)
			h->now = first;
		h->deadline[id] = LNS_NO_DEADLINE; /* fired: no longer armed */
		lns_timer(h->lns, h->now, (uint16_t)id);
	}
	if (when > h->now)
		h->now = when;
}

void h_advance(struct harness *h, uint64_t usec)
{
	h_run_until(h, h->now + usec);
}

size_t h_pending(const struct harness *h)
{
	return h->q_len;
}

static void parse_rx(struct harness *h, struct rx *r)
{
	struct avp_hiding hiding = { .secret = h->cfg.secret, .secret_len = h->cfg.secret_len };

	r->header_rc = l2tp_header_parse(r->raw, r->len, &r->h);
	r->body = NULL;
	r->body_len = 0;
	r->zlb = false;
	r->rc = -1;
	memset(&r->err, 0, sizeof(r->err));
	if (r->header_rc < 0 || !r->h.control)
		return;
	r->body = r->raw + r->h.payload_offset;
	r->body_len = r->h.length - r->h.payload_offset;
	r->zlb = r->body_len == 0;
	if (!r->zlb)
		r->rc = l2tp_msg_decode(r->body, r->body_len, h->cfg.secret_len ? &hiding : NULL,
					&r->m, &r->err);
}

struct rx *h_pop(struct harness *h)
{
	struct sent *s;
	struct rx *r = &h->rx;

	if (!h->q_len)
		return NULL;
	s = h->q[h->q_head++];
	h->q_len--;
	r->at = s->at;
	r->addr = s->addr;
	r->len = s->len;
	memcpy(r->raw, s->pkt, s->len);
	free(s);
	parse_rx(h, r);
	return r;
}

size_t h_drain(struct harness *h)
{
	size_t n = 0;

	while (h_pop(h))
		n++;
	return n;
}

static const char *rx_describe(const struct rx *r)
{
	if (r->header_rc < 0)
		return "a datagram with a bad header";
	if (r->zlb)
		return "a ZLB";
	if (r->rc < 0)
		return r->err.text;
	return l2tp_msg_type_name(r->m.type);
}

void h_expect_nothing(struct harness *h)
{
	if (h->q_len) {
		struct rx *r = h_pop(h);

		ck_abort_msg("expected nothing sent, got %s", rx_describe(r));
	}
}

void h_expect_only_zlbs(struct harness *h)
{
	struct rx *r;

	while ((r = h_pop(h)))
		ck_assert_msg(r->zlb, "expected only ZLBs, got %s", rx_describe(r));
}

uint64_t h_deadline(const struct harness *h, uint16_t tunnel_id)
{
	return h->deadline[tunnel_id];
}

struct lns_counters h_counters(const struct harness *h)
{
	struct lns_counters c;

	lns_get_counters(h->lns, &c);
	return c;
}

struct find_tunnel {
	uint16_t id;
	bool found;
	struct lns_tunnel_info info;
};

static bool find_tunnel_fn(void *ctx, const struct lns_tunnel_info *info)
{
	struct find_tunnel *f = ctx;

	if (info->tunnel_id != f->id)
		return true;
	f->found = true;
	f->info = *info;
	return false;
}

bool h_tunnel_info(const struct harness *h, uint16_t tunnel_id, struct lns_tunnel_info *info)
{
	struct find_tunnel f = { .id = tunnel_id };

	lns_foreach_tunnel(h->lns, find_tunnel_fn, &f);
	if (f.found && info)
		*info = f.info;
	return f.found;
}

const char *h_tunnel_state(const struct harness *h, uint16_t tunnel_id)
{
	struct lns_tunnel_info info;

	return h_tunnel_info(h, tunnel_id, &info) ? info.state : NULL;
}

struct find_session {
	uint16_t id;
	bool found;
	struct lns_session_info info;
};

static bool find_session_fn(void *ctx, const struct lns_session_info *info)
{
	struct find_session *f = ctx;

	if (info->session_id != f->id)
		return true;
	f->found = true;
	f->info = *info;
	return false;
}

bool h_session_info(const struct harness *h, uint16_t tunnel_id, uint16_t session_id,
		    struct lns_session_info *info)
{
	struct find_session f = { .id = session_id };

	lns_foreach_session(h->lns, tunnel_id, find_session_fn, &f);
	if (f.found && info)
		*info = f.info;
	return f.found;
}

unsigned long h_dp(const struct harness *h, enum dp_null_op op)
{
	return dataplane_null_count(h->dp, op);
}

struct dp_null_event h_dp_last(const struct harness *h, enum dp_null_op op)
{
	struct dp_null_event ev;

	for (unsigned int i = 0; dataplane_null_recent(h->dp, i, &ev); i++)
		if (ev.op == op)
			return ev;
	ck_abort_msg("no data path request %d recorded", (int)op);
	return ev;
}

void h_input(struct harness *h, const struct lns_addr *addr, const void *pkt, size_t len)
{
	lns_input(h->lns, h->now, addr, pkt, len);
}

/* ---- inspecting what the LNS sent ---- */

bool rx_raw_avp(const struct rx *r, uint16_t type, struct l2tp_avp *avp)
{
	struct reader rd;

	reader_init(&rd, r->body, r->body_len);
	while (avp_next(&rd, avp) == 1)
		if (avp->vendor == L2TP_VENDOR_IETF && avp->type == type)
			return true;
	return false;
}

void rx_assert_result(const struct rx *r, uint16_t type, uint16_t result, int error)
{
	ck_assert_msg(r->rc == 0, "undecodable answer: %s", r->err.text);
	ck_assert_msg(r->m.type == type, "expected %s, got %s", l2tp_msg_type_name(type),
		      l2tp_msg_type_name(r->m.type));
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_RESULT_CODE));
	ck_assert_msg(r->m.result_code == result, "%s result %u, expected %u (\"%.*s\")",
		      l2tp_msg_type_name(type), r->m.result_code, result,
		      (int)r->m.error_message.len, (const char *)r->m.error_message.ptr);
	if (error < 0)
		return;
	if (error == 0) {
		ck_assert(!r->m.has_error_code || r->m.error_code == 0);
		return;
	}
	ck_assert_msg(r->m.has_error_code && r->m.error_code == error,
		      "%s error %u, expected %d (\"%.*s\")", l2tp_msg_type_name(type),
		      r->m.error_code, error, (int)r->m.error_message.len,
		      (const char *)r->m.error_message.ptr);
}

/* ---- messages ---- */

static void set_bytes(struct l2tp_bytes *b, const char *s)
{
	b->ptr = (const uint8_t *)s;
	b->len = (uint16_t)strlen(s);
}

void msg_sccrq(struct l2tp_msg *m, uint16_t tid, const char *host, uint16_t window)
{
	l2tp_msg_init(m, L2TP_MSG_SCCRQ);
	m->protocol_version = 1;
	m->protocol_revision = 0;
	l2tp_msg_set(m, L2TP_AVP_PROTOCOL_VERSION);
	m->framing_capabilities = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_CAPABILITIES);
	set_bytes(&m->host_name, host);
	l2tp_msg_set(m, L2TP_AVP_HOST_NAME);
	m->assigned_tunnel_id = tid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	if (window) {
		m->receive_window_size = window;
		l2tp_msg_set(m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	}
}

void msg_scccn(struct l2tp_msg *m)
{
	l2tp_msg_init(m, L2TP_MSG_SCCCN);
}

void msg_stopccn(struct l2tp_msg *m, uint16_t tid, uint16_t result)
{
	l2tp_msg_init(m, L2TP_MSG_STOPCCN);
	m->assigned_tunnel_id = tid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->result_code = result;
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
}

void msg_icrq(struct l2tp_msg *m, uint16_t sid, uint32_t serial)
{
	l2tp_msg_init(m, L2TP_MSG_ICRQ);
	m->assigned_session_id = sid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->call_serial_number = serial;
	l2tp_msg_set(m, L2TP_AVP_CALL_SERIAL_NUMBER);
}

void msg_iccn(struct l2tp_msg *m, uint32_t speed, bool sequencing)
{
	l2tp_msg_init(m, L2TP_MSG_ICCN);
	m->tx_connect_speed = speed;
	l2tp_msg_set(m, L2TP_AVP_TX_CONNECT_SPEED);
	m->framing_type = L2TP_FRAMING_ASYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_TYPE);
	if (sequencing)
		l2tp_msg_set(m, L2TP_AVP_SEQUENCING_REQUIRED);
}

void msg_ocrq(struct l2tp_msg *m, uint16_t sid, uint32_t serial, uint32_t max_bps)
{
	l2tp_msg_init(m, L2TP_MSG_OCRQ);
	m->assigned_session_id = sid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->call_serial_number = serial;
	l2tp_msg_set(m, L2TP_AVP_CALL_SERIAL_NUMBER);
	m->minimum_bps = 9600;
	l2tp_msg_set(m, L2TP_AVP_MINIMUM_BPS);
	m->maximum_bps = max_bps;
	l2tp_msg_set(m, L2TP_AVP_MAXIMUM_BPS);
	m->bearer_type = L2TP_BEARER_DIGITAL;
	l2tp_msg_set(m, L2TP_AVP_BEARER_TYPE);
	m->framing_type = L2TP_FRAMING_SYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_TYPE);
	set_bytes(&m->called_number, "5551234");
	l2tp_msg_set(m, L2TP_AVP_CALLED_NUMBER);
}

void msg_cdn(struct l2tp_msg *m, uint16_t sid, uint16_t result)
{
	l2tp_msg_init(m, L2TP_MSG_CDN);
	m->assigned_session_id = sid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->result_code = result;
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
}

void msg_wen(struct l2tp_msg *m, uint32_t crc, uint32_t framing, uint32_t overruns)
{
	l2tp_msg_init(m, L2TP_MSG_WEN);
	m->call_errors.crc_errors = crc;
	m->call_errors.framing_errors = framing;
	m->call_errors.hardware_overruns = overruns;
	m->call_errors.buffer_overruns = overruns + 1;
	m->call_errors.timeout_errors = overruns + 2;
	m->call_errors.alignment_errors = overruns + 3;
	l2tp_msg_set(m, L2TP_AVP_CALL_ERRORS);
}

void msg_sli(struct l2tp_msg *m, uint32_t send_accm, uint32_t recv_accm)
{
	l2tp_msg_init(m, L2TP_MSG_SLI);
	m->send_accm = send_accm;
	m->receive_accm = recv_accm;
	l2tp_msg_set(m, L2TP_AVP_ACCM);
}

void body_start(struct writer *w, uint8_t *buf, size_t cap, const struct l2tp_msg *m)
{
	writer_init(w, buf, cap);
	ck_assert(l2tp_msg_encode(w, m, NULL));
}

void challenge_md5(uint8_t type, const void *secret, size_t secret_len, const uint8_t *challenge,
		   size_t len, uint8_t out[16])
{
	MD5_CTX ctx;

	MD5Init(&ctx);
	MD5Update(&ctx, &type, 1);
	MD5Update(&ctx, secret, secret_len);
	MD5Update(&ctx, challenge, len);
	MD5Final(out, &ctx);
}

/* ---- the fake LAC ---- */

void lac_init(struct lac *l, struct harness *h, uint8_t host, uint16_t port, uint16_t tid)
{
	struct sockaddr_in *peer = (struct sockaddr_in *)&l->addr.peer;
	struct sockaddr_in *local = (struct sockaddr_in *)&l->addr.local;

	memset(l, 0, sizeof(*l));
	l->h = h;
	peer->sin_family = AF_INET;
	peer->sin_port = htons(port);
	peer->sin_addr.s_addr = htonl(0xc0000200u | host); /* 192.0.2.host */
	l->addr.peer_len = sizeof(*peer);
	local->sin_family = AF_INET;
	local->sin_port = htons(L2TP_DEFAULT_PORT);
	local->sin_addr.s_addr = htonl(0xc6336401u); /* 198.51.100.1 */
	l->addr.local_len = sizeof(*local);
	l->addr.ifindex = 2;
	l->addr.listener = 7;
	l->tid = tid;
	l->window = 8;
	l->host_name = "lac.test";
}

void lac_init_v6(struct lac *l, struct harness *h, uint8_t host, uint16_t port, uint16_t tid)
{
	struct sockaddr_in6 *peer = (struct sockaddr_in6 *)&l->addr.peer;
	struct sockaddr_in6 *local = (struct sockaddr_in6 *)&l->addr.local;

	lac_init(l, h, host, port, tid);
	memset(&l->addr.peer, 0, sizeof(l->addr.peer));
	memset(&l->addr.local, 0, sizeof(l->addr.local));
	peer->sin6_family = AF_INET6;
	peer->sin6_port = htons(port);
	inet_pton(AF_INET6, "2001:db8::", &peer->sin6_addr);
	peer->sin6_addr.s6_addr[15] = host;
	l->addr.peer_len = sizeof(*peer);
	local->sin6_family = AF_INET6;
	local->sin6_port = htons(L2TP_DEFAULT_PORT);
	inet_pton(AF_INET6, "2001:db8:ffff::1", &local->sin6_addr);
	l->addr.local_len = sizeof(*local);
}

void lac_set_secret(struct lac *l, const char *secret)
{
	l->secret = (const uint8_t *)secret;
	l->secret_len = strlen(secret);
}

void lac_send_raw(struct lac *l, uint16_t tid, uint16_t sid, uint16_t ns, uint16_t nr,
		  const uint8_t *body, size_t len)
{
	uint8_t buf[L2TP_MAX_PACKET];
	struct writer w;
	size_t off;

	writer_init(&w, buf, sizeof(buf));
	ck_assert(l2tp_control_header_write(&w, tid, sid, ns, nr, &off));
	ck_assert(writer_bytes(&w, body, len));
	ck_assert(l2tp_header_finish(&w, off));
	h_input(l->h, &l->addr, buf, writer_len(&w));
}

void lac_send_body(struct lac *l, uint16_t session_id, const uint8_t *body, size_t len)
{
	uint16_t ns = l->ns;

	if (len)
		l->ns++;
	lac_send_raw(l, l->lns_tid, session_id, ns, l->nr, body, len);
}

void lac_send(struct lac *l, uint16_t session_id, const struct l2tp_msg *m)
{
	uint8_t body[L2TP_MAX_PACKET];
	uint8_t rv[L2TP_RANDOM_VECTOR_LEN];
	struct avp_hiding hiding = { .secret = l->secret, .secret_len = l->secret_len,
				     .random_vector = rv, .random_vector_len = sizeof(rv) };
	struct writer w;

	ck_assert(!l->hide || l->secret_len);
	for (size_t i = 0; i < sizeof(rv); i++)
		rv[i] = (uint8_t)(0xa5 ^ (l->ns * 31 + i * 7));
	writer_init(&w, body, sizeof(body));
	ck_assert(l2tp_msg_encode(&w, m, l->hide ? &hiding : NULL));
	lac_send_body(l, session_id, body, writer_len(&w));
}

void lac_send_with_extra_avp(struct lac *l, uint16_t sid, const struct l2tp_msg *m,
			     uint16_t vendor, uint16_t type, bool mandatory)
{
	uint8_t body[512];
	struct writer w;

	body_start(&w, body, sizeof(body), m);
	ck_assert(avp_write(&w, mandatory, vendor, type, "\x01\x02\x03\x04", 4));
	lac_send_body(l, sid, body, writer_len(&w));
}

void lac_send_bare_type(struct lac *l, uint16_t type, bool mandatory)
{
	uint8_t body[16];
	struct writer w;

	writer_init(&w, body, sizeof(body));
	ck_assert(avp_write_u16(&w, mandatory, L2TP_AVP_MESSAGE_TYPE, type));
	lac_send_body(l, 0, body, writer_len(&w));
}

void lac_send_hello(struct lac *l)
{
	struct l2tp_msg m;

	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	lac_send(l, 0, &m);
}

void lac_send_zlb(struct lac *l)
{
	lac_send_body(l, 0, NULL, 0);
}

struct rx *lac_recv(struct lac *l)
{
	struct rx *r = h_pop(l->h);

	ck_assert_msg(r != NULL, "LAC %u: expected a datagram, got none", l->tid);
	ck_assert_uint_eq(r->addr.peer_len, l->addr.peer_len);
	ck_assert_msg(!memcmp(&r->addr.peer, &l->addr.peer, l->addr.peer_len),
		      "LAC %u: datagram sent to another peer", l->tid);
	ck_assert_msg(!memcmp(&r->addr.local, &l->addr.local, l->addr.local_len),
		      "LAC %u: datagram sent from another local address", l->tid);
	ck_assert_msg(r->addr.mark == (l->addr.mark & l->mark_mask),
		      "LAC %u: datagram for mark %#x, not %#x", l->tid, r->addr.mark,
		      l->addr.mark & l->mark_mask);
	ck_assert_msg(r->addr.reply_mark == l->reply_mark,
		      "LAC %u: datagram sent with mark %#x, not %#x", l->tid, r->addr.reply_mark,
		      l->reply_mark);
	ck_assert_int_eq(r->header_rc, 0);
	ck_assert(r->h.control);
	ck_assert_uint_eq(r->h.tunnel_id, l->tid);
	if (!r->zlb && r->h.ns == l->nr)
		l->nr++;
	return r;
}

struct rx *lac_expect(struct lac *l, uint16_t type)
{
	struct rx *r;

	do
		r = lac_recv(l);
	while (r->zlb);
	ck_assert_msg(r->rc == 0, "LAC %u: undecodable %s: %s", l->tid,
		      l2tp_msg_type_name(r->err.msg_type), r->err.text);
	ck_assert_msg(r->m.type == type, "LAC %u: expected %s, got %s", l->tid,
		      l2tp_msg_type_name(type), l2tp_msg_type_name(r->m.type));
	return r;
}

void lac_expect_stopccn(struct lac *l, uint16_t result, int error)
{
	struct rx *r = lac_expect(l, L2TP_MSG_STOPCCN);

	rx_assert_result(r, L2TP_MSG_STOPCCN, result, error);
	ck_assert_uint_eq(r->h.session_id, 0);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ck_assert_uint_eq(r->m.assigned_tunnel_id, l->lns_tid);
}

struct rx *lac_start_tunnel(struct lac *l)
{
	struct l2tp_msg m;
	struct rx *r;

	msg_sccrq(&m, l->tid, l->host_name, l->window);
	lac_send(l, 0, &m);
	r = lac_expect(l, L2TP_MSG_SCCRP);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_TUNNEL_ID));
	l->lns_tid = r->m.assigned_tunnel_id;
	ck_assert_uint_ne(l->lns_tid, 0);
	return r;
}

void lac_open_tunnel(struct lac *l)
{
	struct rx *r = lac_start_tunnel(l);
	struct l2tp_msg m;

	msg_scccn(&m);
	if (l2tp_msg_has(&r->m, L2TP_AVP_CHALLENGE)) {
		ck_assert_msg(l->secret_len, "the LNS asks for a secret the LAC does not have");
		challenge_md5(L2TP_MSG_SCCCN, l->secret, l->secret_len, r->m.challenge.ptr,
			      r->m.challenge.len, m.challenge_response);
		l2tp_msg_set(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	}
	lac_send(l, 0, &m);
	ck_assert_str_eq(h_tunnel_state(l->h, l->lns_tid), "established");
}

uint16_t lac_open_session(struct lac *l, uint16_t peer_sid)
{
	struct lns_session_info info;
	struct l2tp_msg m;
	struct rx *r;
	uint16_t sid;

	msg_icrq(&m, peer_sid, peer_sid * 3u);
	lac_send(l, 0, &m);
	r = lac_expect(l, L2TP_MSG_ICRP);
	ck_assert_uint_eq(r->h.session_id, peer_sid);
	ck_assert(l2tp_msg_has(&r->m, L2TP_AVP_ASSIGNED_SESSION_ID));
	sid = r->m.assigned_session_id;
	ck_assert_uint_ne(sid, 0);
	msg_iccn(&m, 100000000, false);
	lac_send(l, sid, &m);
	ck_assert(h_session_info(l->h, l->lns_tid, sid, &info));
	ck_assert_str_eq(info.state, "established");
	ck_assert_uint_eq(info.peer_session_id, peer_sid);
	return sid;
}
