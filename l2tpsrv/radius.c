/*
 * radius: the RADIUS client's transport on sd-event (see radius.h).
 *
 * Each configured server has one connected UDP socket, so the kernel drops
 * datagrams from any other source, and up to 256 requests in flight, one
 * per Identifier. A request owns one timer: it first fires at once, so
 * that the callback is never called from within radius_send(), then once
 * per try. Tries to one server resend the very same datagram (same
 * Identifier and Request Authenticator, as RFC 5080 section 2.2.1 asks);
 * moving to another server encodes a new packet with that server's secret.
 *
 * A response counts only once libfreeradius-radius has checked it against
 * the request (rad_packet_ok, rad_verify) and decoded it (rad_decode);
 * everything else is dropped as if it had not come, and counted.
 */
#include "radius_fr.h"

#include "log.h"
#include "sockaddr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC (1000 * USEC_PER_MSEC)
/* Timers fire within a millisecond of when they are due. */
#define TIMER_ACCURACY_USEC USEC_PER_MSEC
/* At most one drop notice per server in this time. */
#define DROP_NOTICE_INTERVAL_USEC (60 * USEC_PER_SEC)
/* RFC 2865 section 3: a RADIUS packet is at most 4096 octets. */
#define MAX_DATAGRAM 4096
#define HEADER_LEN 20 /* code, identifier, length, authenticator */
#define N_IDS 256
#define N_KINDS 2

struct radius_server {
	struct radius *r;
	const struct radius_server_config *cfg; /* in r->cfg */
	enum radius_kind kind;
	unsigned int index;	/* in the configured order, from 0 */
	int fd;
	bool connected;
	sd_event_source *io;
	struct radius_request *by_id[N_IDS];
	unsigned int next_id;
	uint64_t dead_until;	/* CLOCK_MONOTONIC; dead while now < dead_until */
	uint64_t last_notice;	/* of a dropped response; 0: none yet */
	uint64_t drops_since_notice;
	char text[SOCKADDR_STRING_MAX]; /* its address, for logs */
};

struct radius {
	sd_event *event;
	struct radius_config cfg;
	struct radius_server servers[N_KINDS][RADIUS_MAX_SERVERS];
	size_t n_servers[N_KINDS];
	struct radius_request *requests; /* every pending one */
	struct radius_stats stats;
};

struct radius_request {
	struct radius *r; /* NULL once finished or cancelled */
	struct radius_request *prev, *next;
	enum radius_kind kind;
	struct radius_attrs *attrs;
	radius_done_fn done;
	void *userdata;
	sd_event_source *timer;
	struct radius_server *server; /* the one being tried; NULL before the first */
	RADIUS_PACKET *packet;	      /* as encoded for server */
	unsigned int tries;	      /* datagrams to server */
	uint64_t first_try_usec;      /* the first of them: the round trip's start */
	unsigned int tried;	      /* bit i: server i of its kind was tried */
	bool any_sent;		      /* to any server: TIMEOUT rather than ERROR */
};

static const char *const kind_names[N_KINDS] = {
	[RADIUS_AUTH] = "auth",
	[RADIUS_ACCT] = "acct",
};

const char *radius_result_name(enum radius_result result)
{
	switch (result) {
	case RADIUS_ACCEPT:
		return "accept";
	case RADIUS_REJECT:
		return "reject";
	case RADIUS_CHALLENGE:
		return "challenge";
	case RADIUS_ACCT_OK:
		return "acct-ok";
	case RADIUS_TIMEOUT:
		return "timeout";
	case RADIUS_ERROR:
		return "error";
	}
	return "?";
}

static uint64_t now_usec(const struct radius *r)
{
	uint64_t t;
	struct timespec ts;

	if (sd_event_now(r->event, CLOCK_MONOTONIC, &t) >= 0)
		return t;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- servers ---------------------------------------------------------- */

/* A failed connect (no route yet at boot, say) is retried at each send. */
static void server_connect(struct radius_server *s)
{
	if (s->connected)
		return;
	if (connect(s->fd, (const struct sockaddr *)&s->cfg->addr, s->cfg->addr_len) < 0) {
		log_msg(LOG_DEBUG, "event=radius_connect_failed kind=%s server=%s error=\"%m\"",
			kind_names[s->kind], s->text);
		return;
	}
	s->connected = true;
}

static bool server_is_dead(const struct radius_server *s, uint64_t now)
{
	return now < s->dead_until;
}

static void server_mark_dead(struct radius_server *s, uint64_t now)
{
	if (s->r->cfg.dead_time_s == 0)
		return;
	s->dead_until = now + s->r->cfg.dead_time_s * USEC_PER_SEC;
	log_msg(LOG_DEBUG, "event=radius_server_dead kind=%s server=%s for=%us",
		kind_names[s->kind], s->text, s->r->cfg.dead_time_s);
}

/* Counts a response that is not used (id -1: none could be read), and
 * says so at most once a minute. */
static void server_drop(struct radius_server *s, const char *why, int id)
{
	uint64_t now = now_usec(s->r);

	s->r->stats.dropped++;
	s->r->stats.kinds[s->kind].bad_responses++;
	log_msg(LOG_DEBUG, "event=radius_response_dropped kind=%s server=%s id=%d reason=\"%s\"",
		kind_names[s->kind], s->text, id, why);
	if (s->last_notice && now - s->last_notice < DROP_NOTICE_INTERVAL_USEC) {
		s->drops_since_notice++;
		return;
	}
	log_msg(LOG_NOTICE,
		"event=radius_response_dropped kind=%s server=%s reason=\"%s\" "
		"dropped_before=%llu",
		kind_names[s->kind], s->text, why, (unsigned long long)s->drops_since_notice);
	s->last_notice = now ? now : 1;
	s->drops_since_notice = 0;
}

/* An Identifier for req on s, or -EBUSY when all 256 are in flight. */
static int server_take_id(struct radius_server *s, struct radius_request *req)
{
	for (unsigned int i = 0; i < N_IDS; i++) {
		unsigned int id = (s->next_id + i) % N_IDS;

		if (!s->by_id[id]) {
			s->by_id[id] = req;
			s->next_id = (id + 1) % N_IDS;
			return (int)id;
		}
	}
	return -EBUSY;
}

/* ---- requests ---------------------------------------------------------- */

/* Gives back req's Identifier and packet: the server's answer is no longer wanted. */
static void request_leave_server(struct radius_request *req)
{
	if (req->server && req->packet && req->server->by_id[req->packet->id] == req)
		req->server->by_id[req->packet->id] = NULL;
	rad_free(&req->packet);
}

/* Out of r: nothing of r refers to req, nor req to r. */
static void request_detach(struct radius_request *req)
{
	struct radius *r = req->r;

	request_leave_server(req);
	req->server = NULL;
	req->timer = sd_event_source_disable_unref(req->timer);
	if (req->prev)
		req->prev->next = req->next;
	else
		r->requests = req->next;
	if (req->next)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
	req->r = NULL;
}

static void request_destroy(struct radius_request *req)
{
	radius_attrs_free(req->attrs);
	free(req);
}

/*
 * Calls req's callback, then frees req. The callback may free r (or send or
 * cancel other requests): the caller must not touch r afterwards.
 */
static void request_finish(struct radius_request *req, enum radius_result result,
			   const struct radius_attrs *reply)
{
	request_detach(req);
	req->done(req->userdata, result, reply);
	request_destroy(req);
}

/* The next server to try: the first untried live one, else the first untried. */
static struct radius_server *request_pick_server(const struct radius_request *req, uint64_t now)
{
	struct radius *r = req->r;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < r->n_servers[req->kind]; i++) {
			struct radius_server *s = &r->servers[req->kind][i];

			if (req->tried & (1u << i))
				continue;
			if (pass == 0 && server_is_dead(s, now))
				continue;
			return s;
		}
	}
	return NULL;
}

static RADIUS_PACKET *request_encode(const struct radius_request *req,
				     const struct radius_server *s, int id)
{
	static const uint8_t zero[AUTH_VECTOR_LEN];
	RADIUS_PACKET *packet = rad_alloc(NULL, true);
	VALUE_PAIR *vp;

	if (!packet)
		return NULL;
	packet->id = id;
	packet->code = req->kind == RADIUS_AUTH ? PW_CODE_ACCESS_REQUEST
						: PW_CODE_ACCOUNTING_REQUEST;
	if (req->kind == RADIUS_AUTH) {
		/* first, as the Blast-RADIUS advisories recommend; rad_sign()
		 * computes it */
		vp = fr_pair_afrom_da(packet, dict_attrbyvalue(PW_MESSAGE_AUTHENTICATOR, 0));
		if (!vp)
			goto fail;
		fr_pair_value_memcpy(vp, zero, sizeof(zero));
		fr_pair_add(&packet->vps, vp);
	}
	if (req->attrs->vps) {
		vp = fr_pair_list_copy(packet, req->attrs->vps);
		if (!vp)
			goto fail;
		fr_pair_add(&packet->vps, vp);
	}
	if (rad_encode(packet, NULL, s->cfg->secret) < 0 ||
	    rad_sign(packet, NULL, s->cfg->secret) < 0)
		goto fail;
	return packet;
fail:
	log_msg(LOG_DEBUG, "event=radius_encode_failed kind=%s server=%s error=\"%s\"",
		kind_names[req->kind], s->text, fr_strerror());
	rad_free(&packet);
	return NULL;
}

/* One try: the datagram to req->server, and the timer for its answer. */
static void request_send_try(struct radius_request *req)
{
	struct radius_server *s = req->server;
	struct radius *r = req->r;

	if (req->tries++ == 0)
		req->first_try_usec = now_usec(r);
	server_connect(s);
	if (s->connected && send(s->fd, req->packet->data, req->packet->data_len, 0) >= 0) {
		r->stats.sent++;
		req->any_sent = true;
	} else if (s->connected) {
		/* ECONNREFUSED after an ICMP error, say: the try is lost all the same */
		log_msg(LOG_DEBUG, "event=radius_send_failed kind=%s server=%s id=%d error=\"%m\"",
			kind_names[req->kind], s->text, req->packet->id);
	}
	sd_event_source_set_time_relative(req->timer, r->cfg.timeout_ms * USEC_PER_MSEC);
	sd_event_source_set_enabled(req->timer, SD_EVENT_ONESHOT);
}

/* Starts req on the next server it has not tried; false when none is left. */
static bool request_start_next_server(struct radius_request *req)
{
	struct radius_server *s;
	uint64_t now = now_usec(req->r);

	while ((s = request_pick_server(req, now))) {
		int id;

		req->tried |= 1u << s->index;
		id = server_take_id(s, req);
		if (id < 0) {
			log_msg(LOG_DEBUG, "event=radius_no_free_id kind=%s server=%s",
				kind_names[req->kind], s->text);
			continue;
		}
		req->server = s;
		req->packet = request_encode(req, s, id);
		if (!req->packet) {
			s->by_id[id] = NULL;
			req->server = NULL;
			continue;
		}
		req->tries = 0;
		request_send_try(req);
		return true;
	}
	return false;
}

/* May free req and r (request_finish). */
static int on_request_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct radius_request *req = userdata;
	struct radius *r = req->r;

	if (req->server) {
		if (req->tries < 1 + r->cfg.retries) {
			request_send_try(req);
			return 0;
		}
		log_msg(LOG_DEBUG, "event=radius_server_timeout kind=%s server=%s id=%d tries=%u",
			kind_names[req->kind], req->server->text, req->packet->id, req->tries);
		server_mark_dead(req->server, now_usec(r));
		request_leave_server(req);
		req->server = NULL;
	}
	if (request_start_next_server(req))
		return 0;
	if (!req->any_sent) {
		r->stats.kinds[req->kind].unsent++;
		request_finish(req, RADIUS_ERROR, NULL);
		return 0;
	}
	r->stats.timeouts++;
	r->stats.kinds[req->kind].timeouts++;
	request_finish(req, RADIUS_TIMEOUT, NULL);
	return 0;
}

/* ---- responses ---------------------------------------------------------- */

static bool code_answers(enum radius_kind kind, unsigned int code, enum radius_result *result)
{
	switch (code) {
	case PW_CODE_ACCESS_ACCEPT:
		*result = RADIUS_ACCEPT;
		return kind == RADIUS_AUTH;
	case PW_CODE_ACCESS_REJECT:
		*result = RADIUS_REJECT;
		return kind == RADIUS_AUTH;
	case PW_CODE_ACCESS_CHALLENGE:
		*result = RADIUS_CHALLENGE;
		return kind == RADIUS_AUTH;
	case PW_CODE_ACCOUNTING_RESPONSE:
		*result = RADIUS_ACCT_OK;
		return kind == RADIUS_ACCT;
	default:
		return false;
	}
}

/*
 * Checks one datagram from s against the request its Identifier names; a
 * good one finishes the request, which may free s and r.
 */
static void server_take_datagram(struct radius_server *s, const uint8_t *data, size_t len)
{
	struct radius_request *req;
	enum radius_result result;
	RADIUS_PACKET *reply;
	decode_fail_t reason = DECODE_FAIL_NONE;
	struct radius_attrs attrs;
	const char *why = NULL;

	if (len < HEADER_LEN) {
		server_drop(s, "shorter than a RADIUS header", -1);
		return;
	}
	req = s->by_id[data[1]];
	if (!req) {
		server_drop(s, "no request with this Identifier (a late duplicate?)", data[1]);
		return;
	}
	if (!code_answers(req->kind, data[0], &result)) {
		server_drop(s, "not an answer to the request's code", data[1]);
		return;
	}

	reply = rad_alloc(NULL, false);
	if (!reply || !(reply->data = talloc_memdup(reply, data, len))) {
		rad_free(&reply);
		return;
	}
	reply->data_len = len;
	reply->sockfd = s->fd;
	fr_sockaddr2ipaddr(&s->cfg->addr, s->cfg->addr_len, &reply->src_ipaddr, &reply->src_port);
	/* an Access-* answer must carry a Message-Authenticator */
	if (!rad_packet_ok(reply, req->kind == RADIUS_AUTH, &reason))
		why = reason == DECODE_FAIL_MA_MISSING ? "no Message-Authenticator" : "malformed";
	else if (rad_verify(reply, req->packet, s->cfg->secret) < 0)
		why = "bad Response Authenticator or Message-Authenticator (wrong secret?)";
	else if (rad_decode(reply, req->packet, s->cfg->secret) != 0)
		why = "attributes do not decode";
	if (why) {
		server_drop(s, why, data[1]);
		rad_free(&reply);
		return;
	}

	s->dead_until = 0;
	s->r->stats.responses++;
	s->r->stats.kinds[req->kind].responses++;
	stats_histogram_observe(&s->r->stats.kinds[req->kind].rtt,
				now_usec(s->r) - req->first_try_usec);
	attrs.ctx = reply;
	attrs.vps = reply->vps;
	request_finish(req, result, &attrs);
	rad_free(&reply);
}

/* One datagram a call: the request it finishes may free s (radius_free). */
static int on_server_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct radius_server *s = userdata;
	uint8_t buf[MAX_DATAGRAM];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0) {
		/* ECONNREFUSED: an ICMP error about an earlier datagram; the
		 * request's timer deals with the lost try */
		if (errno != EAGAIN && errno != EINTR)
			log_msg(LOG_DEBUG, "event=radius_recv_failed kind=%s server=%s error=\"%m\"",
				kind_names[s->kind], s->text);
		return 0;
	}
	if ((size_t)n > sizeof(buf))
		server_drop(s, "longer than 4096 octets", -1);
	else
		server_take_datagram(s, buf, (size_t)n);
	return 0;
}

/* ---- the client ---------------------------------------------------------- */

static int server_open(struct radius *r, enum radius_kind kind, unsigned int index)
{
	struct radius_server *s = &r->servers[kind][index];
	const struct radius_server_config *cfg =
		kind == RADIUS_AUTH ? &r->cfg.auth[index] : &r->cfg.acct[index];
	int err;

	s->r = r;
	s->cfg = cfg;
	s->kind = kind;
	s->index = index;
	sockaddr_string(&cfg->addr, s->text, sizeof(s->text));
	if ((cfg->addr.ss_family != AF_INET && cfg->addr.ss_family != AF_INET6) ||
	    cfg->secret[0] == '\0' || !memchr(cfg->secret, '\0', sizeof(cfg->secret)))
		return -EINVAL;
	s->fd = socket(cfg->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	err = sd_event_add_io(r->event, &s->io, s->fd, EPOLLIN, on_server_readable, s);
	if (err < 0)
		return err;
	server_connect(s);
	return 0;
}

static void server_close(struct radius_server *s)
{
	s->io = sd_event_source_disable_unref(s->io);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int radius_new(struct radius **out, sd_event *event, const struct radius_config *cfg)
{
	struct radius *r;
	int err = 0;

	if (!out || !event || !cfg || cfg->n_auth > RADIUS_MAX_SERVERS ||
	    cfg->n_acct > RADIUS_MAX_SERVERS || cfg->timeout_ms == 0)
		return -EINVAL;
	if (!radius_library_ready())
		return -ENOPKG;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->event = sd_event_ref(event);
	r->cfg = *cfg;
	for (size_t k = 0; k < N_KINDS; k++) {
		for (size_t i = 0; i < RADIUS_MAX_SERVERS; i++)
			r->servers[k][i].fd = -1;
	}
	r->n_servers[RADIUS_AUTH] = cfg->n_auth;
	r->n_servers[RADIUS_ACCT] = cfg->n_acct;
	for (size_t k = 0; k < N_KINDS && err >= 0; k++) {
		for (size_t i = 0; i < r->n_servers[k] && err >= 0; i++)
			err = server_open(r, (enum radius_kind)k, (unsigned int)i);
	}
	if (err < 0) {
		radius_free(r);
		return err;
	}
	*out = r;
	return 0;
}

struct radius *radius_free(struct radius *r)
{
	if (!r)
		return NULL;
	while (r->requests)
		radius_cancel(r->requests);
	for (size_t k = 0; k < N_KINDS; k++) {
		for (size_t i = 0; i < RADIUS_MAX_SERVERS; i++)
			server_close(&r->servers[k][i]);
	}
	sd_event_unref(r->event);
	explicit_bzero(r, sizeof(*r)); /* the secrets */
	free(r);
	return NULL;
}

int radius_set_config(struct radius *r, const struct radius_config *cfg)
{
	int err = 0;

	if (!r || !cfg || cfg->n_auth > RADIUS_MAX_SERVERS || cfg->n_acct > RADIUS_MAX_SERVERS ||
	    cfg->timeout_ms == 0)
		return -EINVAL;
	/* Requests in flight start over on the new servers, from the first,
	 * at once: an answer to a datagram already sent is no longer heard. */
	for (struct radius_request *req = r->requests; req; req = req->next) {
		request_leave_server(req);
		req->server = NULL;
		req->tried = 0;
		req->tries = 0;
		sd_event_source_set_time_relative(req->timer, 0);
		sd_event_source_set_enabled(req->timer, SD_EVENT_ONESHOT);
	}
	for (size_t k = 0; k < N_KINDS; k++) {
		for (size_t i = 0; i < RADIUS_MAX_SERVERS; i++) {
			server_close(&r->servers[k][i]);
			r->servers[k][i] = (struct radius_server){ .fd = -1 };
		}
	}
	explicit_bzero(&r->cfg, sizeof(r->cfg)); /* the old secrets */
	r->cfg = *cfg;
	r->n_servers[RADIUS_AUTH] = cfg->n_auth;
	r->n_servers[RADIUS_ACCT] = cfg->n_acct;
	for (size_t k = 0; k < N_KINDS; k++) {
		for (size_t i = 0; i < r->n_servers[k]; i++) {
			int e = server_open(r, (enum radius_kind)k, (unsigned int)i);

			if (e < 0) { /* a try to it fails, and the next server is tried */
				log_msg(LOG_ERR, "event=radius_server_failed kind=%s server=%s "
						 "error=\"%s\"",
					kind_names[k], r->servers[k][i].text, strerror(-e));
				server_close(&r->servers[k][i]);
				err = err ? err : e;
			}
		}
	}
	return err;
}

int radius_send(struct radius *r, enum radius_kind kind, struct radius_attrs *attrs,
		radius_done_fn done, void *userdata, struct radius_request **handle)
{
	struct radius_request *req;
	int err;

	if (!r || !attrs || !done || (kind != RADIUS_AUTH && kind != RADIUS_ACCT)) {
		radius_attrs_free(attrs);
		return -EINVAL;
	}
	if (r->n_servers[kind] == 0) {
		radius_attrs_free(attrs);
		return -ENOENT;
	}
	req = calloc(1, sizeof(*req));
	if (!req) {
		radius_attrs_free(attrs);
		return -ENOMEM;
	}
	/* at once, but from the event loop */
	err = sd_event_add_time_relative(r->event, &req->timer, CLOCK_MONOTONIC, 0,
					 TIMER_ACCURACY_USEC, on_request_timer, req);
	if (err < 0) {
		radius_attrs_free(attrs);
		free(req);
		return err;
	}
	/* ours to add, once and signed */
	fr_pair_delete_by_num(&attrs->vps, PW_MESSAGE_AUTHENTICATOR, 0, TAG_ANY);
	req->r = r;
	req->kind = kind;
	req->attrs = attrs;
	req->done = done;
	req->userdata = userdata;
	req->next = r->requests;
	if (r->requests)
		r->requests->prev = req;
	r->requests = req;
	r->stats.requests++;
	r->stats.kinds[kind].requests++;
	if (handle)
		*handle = req;
	return 0;
}

void radius_cancel(struct radius_request *req)
{
	/* no r: finishing (its callback is running), nothing to cancel */
	if (!req || !req->r)
		return;
	request_detach(req);
	request_destroy(req);
}

void radius_get_stats(const struct radius *r, struct radius_stats *out)
{
	*out = r->stats;
}
