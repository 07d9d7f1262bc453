/*
 * acct: accounting records, their Accounting-Requests and their queue; see acct.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <syslog.h>
#include <time.h>

#include "acct.h"
#include "log.h"

#define USEC_PER_SEC 1000000ULL
/* acct_estimate(): what an L2TP packet carries beyond the ppp interface's count. */
#define L2TP_PPP_OVERHEAD 4
#define RATIO_MIN_PACKETS 100

const char *acct_cause_name(enum acct_cause c)
{
	static const char *const names[] = {
		[ACCT_CAUSE_USER_REQUEST] = "User-Request",
		[ACCT_CAUSE_LOST_CARRIER] = "Lost-Carrier",
		[ACCT_CAUSE_LOST_SERVICE] = "Lost-Service",
		[ACCT_CAUSE_IDLE_TIMEOUT] = "Idle-Timeout",
		[ACCT_CAUSE_SESSION_TIMEOUT] = "Session-Timeout",
		[ACCT_CAUSE_ADMIN_RESET] = "Admin-Reset",
		[ACCT_CAUSE_ADMIN_REBOOT] = "Admin-Reboot",
		[ACCT_CAUSE_PORT_ERROR] = "Port-Error",
		[ACCT_CAUSE_NAS_ERROR] = "NAS-Error",
		[ACCT_CAUSE_NAS_REQUEST] = "NAS-Request",
	};

	if ((size_t)c < sizeof(names) / sizeof(names[0]) && names[c])
		return names[c];
	return "?";
}

enum acct_cause acct_cause_of_end(enum lns_end end)
{
	switch (end) {
	case LNS_END_PEER:
		return ACCT_CAUSE_USER_REQUEST;
	case LNS_END_LOST:
	case LNS_END_IPSEC: /* DPD, or the SA deleted without a word on L2TP */
		return ACCT_CAUSE_LOST_CARRIER;
	case LNS_END_ADMIN:
		return ACCT_CAUSE_ADMIN_RESET;
	case LNS_END_SHUTDOWN:
		return ACCT_CAUSE_ADMIN_REBOOT;
	case LNS_END_PPP:
		return ACCT_CAUSE_USER_REQUEST;
	case LNS_END_ERROR:
		break;
	}
	return ACCT_CAUSE_NAS_ERROR;
}

/* pppd's EXIT_* (pppd.h) */
enum {
	PPPD_EXIT_OK = 0,
	PPPD_EXIT_USER_REQUEST = 5,
	PPPD_EXIT_IDLE_TIMEOUT = 12,
	PPPD_EXIT_CONNECT_TIME = 13,
	PPPD_EXIT_PEER_DEAD = 15,
	PPPD_EXIT_HANGUP = 16,
	PPPD_EXIT_TRAFFIC_LIMIT = 20,
};

enum acct_cause acct_cause_of_pppd_exit(int code, int status)
{
	if (code != CLD_EXITED)
		return ACCT_CAUSE_NAS_ERROR;
	switch (status) {
	case PPPD_EXIT_OK:
		return ACCT_CAUSE_USER_REQUEST;
	case PPPD_EXIT_USER_REQUEST:
		return ACCT_CAUSE_ADMIN_RESET;
	case PPPD_EXIT_IDLE_TIMEOUT:
		return ACCT_CAUSE_IDLE_TIMEOUT;
	case PPPD_EXIT_CONNECT_TIME:
		return ACCT_CAUSE_SESSION_TIMEOUT;
	case PPPD_EXIT_PEER_DEAD:
	case PPPD_EXIT_HANGUP:
		return ACCT_CAUSE_LOST_CARRIER;
	case PPPD_EXIT_TRAFFIC_LIMIT:
		return ACCT_CAUSE_NAS_REQUEST;
	}
	return ACCT_CAUSE_NAS_ERROR;
}

static const char *status_value(enum acct_status s)
{
	switch (s) {
	case ACCT_START:
		return "Start";
	case ACCT_STOP:
		return "Stop";
	case ACCT_INTERIM:
		return "Interim-Update";
	case ACCT_ON:
		return "Accounting-On";
	case ACCT_OFF:
		return "Accounting-Off";
	}
	return NULL;
}

static int add_u32(struct radius_attrs *a, const char *name, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v > UINT32_MAX ? (uint64_t)UINT32_MAX : v);
	return radius_attrs_add(a, name, buf);
}

/* Octets as a 32-bit count and its Gigawords (RFC 2869 section 5.1). */
static int add_octets(struct radius_attrs *a, const char *name, const char *giga, uint64_t v)
{
	int r = add_u32(a, name, v & UINT32_MAX);

	if (r == 0 && v >> 32)
		r = add_u32(a, giga, v >> 32);
	return r;
}

static int add_session(struct radius_attrs *a, const struct auth_nas *nas,
		       const struct acct_record *rec)
{
	char ip[INET_ADDRSTRLEN];
	int r;

	r = radius_attrs_add_octets(a, "User-Name", rec->user, strnlen(rec->user, sizeof(rec->user)));
	if (r == 0)
		r = auth_add_call_attrs(a, nas, &rec->call);
	if (r == 0 && rec->framed_ip)
		r = radius_attrs_add(a, "Framed-IP-Address",
				     inet_ntop(AF_INET, &rec->framed_ip, ip, sizeof(ip)));
	if (r == 0 && rec->class_len)
		r = radius_attrs_add_octets(a, "Class", rec->class, rec->class_len);
	if (r == 0)
		r = radius_attrs_add(a, "Acct-Authentic", rec->radius_auth ? "RADIUS" : "Local");
	if (r == 0 && rec->status != ACCT_START) {
		const struct acct_counters *c = &rec->counters;

		r = add_octets(a, "Acct-Input-Octets", "Acct-Input-Gigawords", c->bytes_in);
		if (r == 0)
			r = add_octets(a, "Acct-Output-Octets", "Acct-Output-Gigawords",
				       c->bytes_out);
		if (r == 0)
			r = add_u32(a, "Acct-Input-Packets", c->packets_in);
		if (r == 0)
			r = add_u32(a, "Acct-Output-Packets", c->packets_out);
		if (r == 0)
			r = add_u32(a, "Acct-Session-Time", rec->session_time_s);
	}
	if (r == 0 && rec->status == ACCT_STOP && rec->cause != ACCT_CAUSE_NONE)
		r = add_u32(a, "Acct-Terminate-Cause", rec->cause);
	return r;
}

int acct_build_request(struct radius_attrs *attrs, const struct auth_nas *nas,
		       const struct acct_record *rec, uint64_t now_usec)
{
	const char *status = status_value(rec->status);
	uint64_t delay = now_usec > rec->event_usec ? (now_usec - rec->event_usec) / USEC_PER_SEC : 0;
	char ip[INET_ADDRSTRLEN];
	int r;

	if (!status || !memchr(rec->user, '\0', sizeof(rec->user)) ||
	    !memchr(rec->call.acct_session_id, '\0', sizeof(rec->call.acct_session_id)))
		return -EINVAL;
	r = radius_attrs_add(attrs, "Acct-Status-Type", status);
	if (r == 0 && (rec->status == ACCT_ON || rec->status == ACCT_OFF)) {
		if (nas->identifier[0])
			r = radius_attrs_add_octets(attrs, "NAS-Identifier", nas->identifier,
						    strlen(nas->identifier));
		if (r == 0 && nas->ip)
			r = radius_attrs_add(attrs, "NAS-IP-Address",
					     inet_ntop(AF_INET, &nas->ip, ip, sizeof(ip)));
		if (r == 0 && rec->call.acct_session_id[0])
			r = radius_attrs_add_octets(attrs, "Acct-Session-Id",
						    rec->call.acct_session_id,
						    strlen(rec->call.acct_session_id));
	} else if (r == 0) {
		r = add_session(attrs, nas, rec);
	}
	if (r == 0)
		r = add_u32(attrs, "Acct-Delay-Time", delay);
	return r;
}

uint64_t acct_widen32(uint32_t low, uint64_t earlier)
{
	uint64_t v = (earlier & ~(uint64_t)UINT32_MAX) | low;

	/* the value nearest earlier: a little below it is a count of its own, not a wrap */
	if (v + ((uint64_t)1 << 31) < earlier)
		v += (uint64_t)1 << 32;
	else if (v > earlier + ((uint64_t)1 << 31) && v >= ((uint64_t)1 << 32))
		v -= (uint64_t)1 << 32;
	return v;
}

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* What the ppp interface counted of l2tp's delta: scaled, or less the framing. */
static uint64_t ppp_part(uint64_t delta, uint64_t delta_packets, uint64_t ppp, uint64_t l2tp,
			 uint64_t l2tp_packets)
{
	if (l2tp_packets >= RATIO_MIN_PACKETS && l2tp > 0 && ppp <= l2tp)
		return (uint64_t)((long double)delta * ppp / l2tp);
	return delta > L2TP_PPP_OVERHEAD * delta_packets ? delta - L2TP_PPP_OVERHEAD * delta_packets
							  : 0;
}

void acct_estimate(const struct acct_counters *ppp, const struct acct_counters *then,
		   const struct acct_counters *now, struct acct_counters *out)
{
	uint64_t din = since(now->bytes_in, then->bytes_in);
	uint64_t dout = since(now->bytes_out, then->bytes_out);
	uint64_t dpin = since(now->packets_in, then->packets_in);
	uint64_t dpout = since(now->packets_out, then->packets_out);

	out->bytes_in = ppp->bytes_in + ppp_part(din, dpin, ppp->bytes_in, then->bytes_in,
						 then->packets_in);
	out->bytes_out = ppp->bytes_out + ppp_part(dout, dpout, ppp->bytes_out, then->bytes_out,
						   then->packets_out);
	out->packets_in = ppp->packets_in + dpin;
	out->packets_out = ppp->packets_out + dpout;
}

/* ---- the queue ---- */

struct acct_item {
	struct acct_item *prev, *next;
	struct acct *acct;
	struct acct_record rec;
	struct radius_request *req; /* in flight */
	uint64_t not_before;        /* after a failure: when to try again */
	bool failed_once;
};

struct acct {
	sd_event *event;
	struct radius *radius;
	struct auth_nas nas;
	struct acct_item *head, *tail;
	size_t n_items, n_in_flight;
	sd_event_source *timer;
	struct acct_stats stats;
	uint64_t retry_usec;
};

static uint64_t now_usec(const struct acct *a)
{
	uint64_t now = 0;

	sd_event_now(a->event, CLOCK_MONOTONIC, &now);
	return now;
}

static void item_remove(struct acct *a, struct acct_item *it)
{
	if (it->prev)
		it->prev->next = it->next;
	else
		a->head = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		a->tail = it->prev;
	a->n_items--;
	free(it);
}

static void pump(struct acct *a);

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	pump(userdata);
	return 0;
}

static void arm(struct acct *a, uint64_t when)
{
	if (!a->timer) {
		sd_event_add_time(a->event, &a->timer, CLOCK_MONOTONIC, when, 100 * 1000, on_timer,
				  a);
		return;
	}
	sd_event_source_set_time(a->timer, when);
	sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

static void on_done(void *userdata, enum radius_result result, const struct radius_attrs *reply)
{
	struct acct_item *it = userdata;
	struct acct *a = it->acct;

	(void)reply;
	it->req = NULL;
	a->n_in_flight--;
	if (result == RADIUS_ACCT_OK) {
		a->stats.sent++;
		log_msg(it->failed_once ? LOG_NOTICE : LOG_DEBUG,
			"event=radius_acct_sent status=%s acct_session_id=%s delay=%" PRIu64,
			status_value(it->rec.status), it->rec.call.acct_session_id,
			(uint64_t)(since(now_usec(a), it->rec.event_usec) / USEC_PER_SEC));
		item_remove(a, it);
	} else if (it->rec.status == ACCT_INTERIM) {
		a->stats.dropped++;
		log_msg(LOG_WARNING,
			"event=radius_acct_failed status=Interim-Update acct_session_id=%s result=%s "
			"retry=no",
			it->rec.call.acct_session_id, radius_result_name(result));
		item_remove(a, it);
	} else {
		a->stats.retried++;
		if (!it->failed_once)
			log_msg(LOG_WARNING,
				"event=radius_acct_failed status=%s acct_session_id=%s result=%s "
				"retry_in=%llus",
				status_value(it->rec.status), it->rec.call.acct_session_id,
				radius_result_name(result), (unsigned long long)(a->retry_usec / USEC_PER_SEC));
		it->failed_once = true;
		it->not_before = now_usec(a) + a->retry_usec;
	}
	pump(a);
}

/* Sends what may go now, oldest first; arms the timer for the next retry. */
static void pump(struct acct *a)
{
	uint64_t now = now_usec(a), next = UINT64_MAX;
	struct acct_item *it, *nx;

	for (it = a->head; it && a->n_in_flight < ACCT_IN_FLIGHT_MAX; it = nx) {
		struct radius_attrs *attrs;
		int r;

		nx = it->next;
		if (it->req)
			continue;
		if (it->not_before > now) {
			if (it->not_before < next)
				next = it->not_before;
			continue;
		}
		attrs = radius_attrs_new();
		r = attrs ? acct_build_request(attrs, &a->nas, &it->rec, now) : -ENOMEM;
		if (r == -EINVAL) { /* a record that can never be sent */
			radius_attrs_free(attrs);
			log_msg(LOG_ERR, "event=radius_acct_dropped status=%s error=\"bad record\"",
				status_value(it->rec.status) ? status_value(it->rec.status) : "?");
			a->stats.dropped++;
			item_remove(a, it);
			continue;
		}
		if (r == 0) {
			r = radius_send(a->radius, RADIUS_ACCT, attrs, on_done, it, &it->req);
			attrs = NULL; /* radius_send took them */
		}
		radius_attrs_free(attrs);
		if (r == 0) {
			a->n_in_flight++;
			continue;
		}
		/* out of memory, say: not sent, but not lost */
		log_msg(LOG_ERR, "event=radius_acct_failed status=%s acct_session_id=%s error=\"%s\"",
			status_value(it->rec.status), it->rec.call.acct_session_id, strerror(-r));
		it->not_before = now + a->retry_usec;
		if (it->not_before < next)
			next = it->not_before;
	}
	if (next != UINT64_MAX)
		arm(a, next);
}

/* Room for one more: the oldest Interim-Update waiting gives way. */
static bool make_room(struct acct *a)
{
	if (a->n_items < ACCT_QUEUE_MAX)
		return true;
	for (struct acct_item *it = a->head; it; it = it->next)
		if (it->rec.status == ACCT_INTERIM && !it->req) {
			a->stats.dropped++;
			item_remove(a, it);
			return true;
		}
	return false;
}

int acct_submit(struct acct *a, const struct acct_record *rec)
{
	struct acct_item *it;

	if (!make_room(a) || !(it = calloc(1, sizeof(*it)))) {
		a->stats.dropped++;
		log_msg(LOG_ERR, "event=radius_acct_dropped status=%s acct_session_id=%s queued=%zu",
			status_value(rec->status) ? status_value(rec->status) : "?",
			rec->call.acct_session_id, a->n_items);
		return -ENOBUFS;
	}
	it->acct = a;
	it->rec = *rec;
	it->prev = a->tail;
	if (a->tail)
		a->tail->next = it;
	else
		a->head = it;
	a->tail = it;
	a->n_items++;
	a->stats.queued++;
	pump(a);
	return 0;
}

size_t acct_pending(const struct acct *a)
{
	return a ? a->n_items : 0;
}

void acct_get_stats(const struct acct *a, struct acct_stats *out)
{
	*out = a->stats;
}

struct acct *acct_new(sd_event *event, struct radius *radius, const struct auth_nas *nas,
		      uint64_t retry_usec)
{
	struct acct *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->event = sd_event_ref(event);
	a->radius = radius;
	a->nas = *nas;
	a->retry_usec = retry_usec;
	return a;
}

struct acct *acct_free(struct acct *a)
{
	size_t stops = 0;

	if (!a)
		return NULL;
	for (struct acct_item *it = a->head; it; it = it->next)
		stops += it->rec.status == ACCT_STOP;
	if (a->n_items)
		log_msg(LOG_WARNING, "event=radius_acct_lost records=%zu stops=%zu", a->n_items,
			stops);
	while (a->head) {
		if (a->head->req)
			radius_cancel(a->head->req);
		item_remove(a, a->head);
	}
	sd_event_source_disable_unref(a->timer);
	sd_event_unref(a->event);
	free(a);
	return NULL;
}
