/*
 * history: the per-peer table of recent events; see history.h.
 *
 * An array searched from end to end: a few hundred addresses, and an event
 * per step of a client's connection, cost less to scan than to hash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "sockaddr.h"

struct history_peer {
	bool used;
	bool proven;                /* an event once said "ok": a client, not a stranger */
	struct sockaddr_storage addr; /* port 0 */
	uint64_t last_touch;        /* h->clock when last heard of */
	uint64_t total;             /* events ever recorded; the ring holds the last ones */
	struct history_event *ring; /* max_events, allocated on first use, kept for reuse */
};

struct history {
	size_t max_peers, max_events;
	uint64_t clock; /* counts events: orders the peers by recency */
	size_t n_used;
	struct history_peer *peers;
};

struct history *history_new(size_t max_peers, size_t max_events)
{
	struct history *h;

	if (!max_peers || !max_events)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->peers = calloc(max_peers, sizeof(*h->peers));
	if (!h->peers) {
		free(h);
		return NULL;
	}
	h->max_peers = max_peers;
	h->max_events = max_events;
	return h;
}

struct history *history_free(struct history *h)
{
	if (!h)
		return NULL;
	for (size_t i = 0; i < h->max_peers; i++)
		free(h->peers[i].ring);
	free(h->peers);
	free(h);
	return NULL;
}

/* The address without its port; false for a family we do not keep. */
static bool key_of(const struct sockaddr_storage *peer, struct sockaddr_storage *key)
{
	memset(key, 0, sizeof(*key));
	if (peer->ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)key;

		in->sin_family = AF_INET;
		in->sin_addr = ((const struct sockaddr_in *)peer)->sin_addr;
		return true;
	}
	if (peer->ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)key;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = ((const struct sockaddr_in6 *)peer)->sin6_addr;
		return true;
	}
	return false;
}

static struct history_peer *find(const struct history *h, const struct sockaddr_storage *key)
{
	for (size_t i = 0; i < h->max_peers; i++)
		if (h->peers[i].used && sockaddr_same_host(&h->peers[i].addr, key))
			return &h->peers[i];
	return NULL;
}

/*
 * The slot for a new address: a free one, else the least recently heard
 * of among the strangers, else the least recently heard of at all.
 */
static struct history_peer *victim(struct history *h)
{
	struct history_peer *stranger = NULL, *any = NULL;

	for (size_t i = 0; i < h->max_peers; i++) {
		struct history_peer *p = &h->peers[i];

		if (!p->used)
			return p;
		if (!any || p->last_touch < any->last_touch)
			any = p;
		if (!p->proven && (!stranger || p->last_touch < stranger->last_touch))
			stranger = p;
	}
	return stranger ? stranger : any;
}

static struct history_peer *find_or_take(struct history *h, const struct sockaddr_storage *key)
{
	struct history_peer *p = find(h, key);

	if (p)
		return p;
	p = victim(h);
	if (!p->ring) {
		p->ring = calloc(h->max_events, sizeof(*p->ring));
		if (!p->ring)
			return NULL;
	}
	if (!p->used)
		h->n_used++;
	p->used = true;
	p->proven = false;
	p->addr = *key;
	p->total = 0;
	return p;
}

void history_add(struct history *h, uint64_t now, const struct sockaddr_storage *peer,
		 enum ctl_phase phase, enum ctl_result result, const char *fmt, ...)
{
	struct sockaddr_storage key;
	struct history_peer *p;
	struct history_event *ev;
	va_list ap;

	if (!h || !key_of(peer, &key) || (unsigned int)phase >= CTL_PHASE_COUNT)
		return;
	p = find_or_take(h, &key);
	if (!p)
		return;
	ev = &p->ring[p->total % h->max_events];
	ev->usec = now;
	ev->phase = (uint8_t)phase;
	ev->result = (uint8_t)result;
	va_start(ap, fmt);
	vsnprintf(ev->detail, sizeof(ev->detail), fmt, ap);
	va_end(ap);
	for (char *c = ev->detail; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	p->total++;
	p->last_touch = ++h->clock;
	p->proven = p->proven || result == CTL_RESULT_OK;
}

int history_get(const struct history *h, const struct sockaddr_storage *peer,
		struct history_event *out, size_t max, uint64_t *lost)
{
	struct sockaddr_storage key;
	const struct history_peer *p;
	uint64_t held, first;
	size_t n = 0;

	if (lost)
		*lost = 0;
	if (!h || !key_of(peer, &key) || !(p = find(h, &key)))
		return -ENOENT;
	held = p->total < h->max_events ? p->total : h->max_events;
	/* the newest max of them, when out is shorter than the ring */
	if (held > max)
		held = max;
	first = p->total - held;
	for (uint64_t i = first; i < p->total; i++)
		out[n++] = p->ring[i % h->max_events];
	if (lost)
		*lost = first;
	return (int)n;
}

size_t history_peers(const struct history *h)
{
	return h ? h->n_used : 0;
}
