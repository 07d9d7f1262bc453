/*
 * peers: the IPsec peer table, see peers.h.
 *
 * A gateway has as many IKE SAs as clients (thousands at most) and one or
 * two CHILD_SAs each: a list and small arrays are enough. New IKE SAs go
 * to the tail, so the list is oldest first and the last match is the
 * newest.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "peers.h"
#include "sockaddr.h"

struct peers {
	struct peer_ike *head;
	unsigned int generation; /* bumped by each sync-begin */
	unsigned int n_ike;
	unsigned int n_children;
};

struct peers *peers_new(void)
{
	return calloc(1, sizeof(struct peers));
}

static void ike_free(struct peer_ike *ike)
{
	free(ike->children);
	free(ike);
}

void peers_clear(struct peers *p)
{
	while (p->head) {
		struct peer_ike *next = p->head->next;

		ike_free(p->head);
		p->head = next;
	}
	p->n_ike = 0;
	p->n_children = 0;
}

struct peers *peers_free(struct peers *p)
{
	if (p) {
		peers_clear(p);
		free(p);
	}
	return NULL;
}

static struct peer_ike *find(const struct peers *p, uint32_t uid)
{
	struct peer_ike *ike = p->head;

	while (ike && ike->uid != uid)
		ike = ike->next;
	return ike;
}

const struct peer_ike *peers_find(const struct peers *p, uint32_t ike_uid)
{
	return find(p, ike_uid);
}

static struct peer_ike *find_or_add(struct peers *p, uint32_t uid)
{
	struct peer_ike *ike = find(p, uid), **tail;

	if (ike)
		return ike;
	ike = calloc(1, sizeof(*ike));
	if (!ike)
		return NULL;
	ike->uid = uid;
	for (tail = &p->head; *tail; tail = &(*tail)->next)
		;
	*tail = ike;
	p->n_ike++;
	return ike;
}

static void unlink_ike(struct peers *p, struct peer_ike *ike)
{
	struct peer_ike **pp = &p->head;

	while (*pp != ike)
		pp = &(*pp)->next;
	*pp = ike->next;
	p->n_ike--;
	p->n_children -= (unsigned int)ike->n_children;
	ike_free(ike);
}

/* Takes the event's IKE fields when it has them (the addresses at least). */
static void update_ike(struct peer_ike *ike, const struct charon_event *ev, unsigned int gen)
{
	ike->generation = gen;
	if (ev->ike_sa.has_addresses)
		ike->sa = ev->ike_sa;
}

static struct peer_child *find_child(const struct peer_ike *ike, uint32_t uid)
{
	for (size_t i = 0; i < ike->n_children; i++)
		if (ike->children[i].uid == uid)
			return &ike->children[i];
	return NULL;
}

static bool remove_child(struct peers *p, struct peer_ike *ike, uint32_t uid)
{
	struct peer_child *c = find_child(ike, uid);

	if (!c)
		return false;
	*c = ike->children[--ike->n_children];
	p->n_children--;
	return true;
}

static int add_child(struct peers *p, struct peer_ike *ike, uint32_t uid,
		     const struct charon_child *sa, unsigned int gen)
{
	struct peer_child *c = find_child(ike, uid);

	if (!c) {
		if (ike->n_children == ike->cap_children) {
			size_t cap = ike->cap_children ? 2 * ike->cap_children : 2;
			struct peer_child *n = realloc(ike->children, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			ike->children = n;
			ike->cap_children = cap;
		}
		c = &ike->children[ike->n_children++];
		p->n_children++;
		c->uid = uid;
	}
	c->sa = *sa;
	c->generation = gen;
	return 0;
}

/* Moves child uid, wherever it is, under to; false if nobody had it. */
static bool move_child(struct peers *p, uint32_t uid, struct peer_ike *to)
{
	for (struct peer_ike *ike = p->head; ike; ike = ike->next) {
		struct peer_child *c = ike == to ? NULL : find_child(ike, uid);
		struct peer_child copy;

		if (!c)
			continue;
		copy = *c;
		if (add_child(p, to, uid, &copy.sa, p->generation) < 0)
			return false;
		remove_child(p, ike, uid);
		return true;
	}
	return false;
}

static void prune(struct peers *p)
{
	struct peer_ike *ike = p->head, *next;

	for (; ike; ike = next) {
		next = ike->next;
		if (ike->generation != p->generation) {
			unlink_ike(p, ike);
			continue;
		}
		for (size_t i = 0; i < ike->n_children;)
			if (ike->children[i].generation != p->generation)
				remove_child(p, ike, ike->children[i].uid);
			else
				i++;
	}
}

bool peers_apply(struct peers *p, const struct charon_event *ev)
{
	struct peer_ike *ike, *old;

	switch (ev->kind) {
	case CHARON_HELLO:
	case CHARON_IKE_FAIL: /* for the history only (ipsec.c) */
		return false;
	case CHARON_SYNC_BEGIN:
		p->generation++;
		return false;
	case CHARON_SYNC_END:
		prune(p);
		return true;
	case CHARON_IKE_UP:
		ike = find_or_add(p, ev->ike);
		if (!ike)
			return true;
		update_ike(ike, ev, p->generation);
		return false;
	case CHARON_IKE_UPDATE:
		ike = find_or_add(p, ev->ike);
		if (ike)
			update_ike(ike, ev, p->generation);
		return true;
	case CHARON_IKE_DOWN:
		ike = find(p, ev->ike);
		if (ike)
			unlink_ike(p, ike);
		return ike != NULL;
	case CHARON_IKE_REKEY:
		ike = find_or_add(p, ev->new_id);
		if (!ike)
			return true;
		update_ike(ike, ev, p->generation);
		old = find(p, ev->ike);
		if (old && old != ike) {
			while (old->n_children && move_child(p, old->children[0].uid, ike))
				;
			if (!old->n_children) /* else out of memory: keep the rest where it is */
				unlink_ike(p, old);
		}
		return true;
	case CHARON_CHILD_UP:
		ike = find_or_add(p, ev->ike);
		if (!ike)
			return true;
		update_ike(ike, ev, p->generation);
		return add_child(p, ike, ev->child, &ev->child_sa, p->generation) < 0;
	case CHARON_CHILD_DOWN:
		ike = find(p, ev->ike);
		/* charon names the IKE SA it has now; we may have it elsewhere */
		if (ike && remove_child(p, ike, ev->child))
			return true;
		for (ike = p->head; ike; ike = ike->next)
			if (remove_child(p, ike, ev->child))
				return true;
		return false;
	case CHARON_CHILD_REKEY:
		ike = find_or_add(p, ev->ike);
		if (!ike)
			return true;
		update_ike(ike, ev, p->generation);
		if (add_child(p, ike, ev->new_id, &ev->child_sa, p->generation) == 0)
			remove_child(p, ike, ev->child);
		return true;
	case CHARON_CHILD_MIGRATE:
		ike = find_or_add(p, ev->ike);
		if (!ike)
			return true;
		/* the new IKE SA's fields came with its ike-up; take any given here too */
		update_ike(ike, ev, p->generation);
		move_child(p, ev->child, ike);
		/* the IKE SA it left keeps its fields for as long as charon has it */
		return true;
	}
	return false;
}

/* How well a CHILD_SA covering the port fits a datagram's mark (0: not at all). */
enum child_fit {
	FIT_NONE = 0,
	FIT_ANY,  /* by address and port alone: unmarked, or the SA has no mark-in */
	FIT_MARK, /* its mark-in matches the datagram's mark */
};

static enum child_fit child_fit(const struct charon_child *c, uint16_t port, uint32_t mark)
{
	if (port < c->port_lo || port > c->port_hi)
		return FIT_NONE;
	if (!mark || !c->mark_in_mask)
		return FIT_ANY;
	return (mark & c->mark_in_mask) == (c->mark_in & c->mark_in_mask) ? FIT_MARK : FIT_NONE;
}

/* ike's CHILD_SA that fits best (first of equals), with how well in *fit. */
static const struct peer_child *best_child(const struct peer_ike *ike,
					   const struct sockaddr_storage *l2tp_peer, uint32_t mark,
					   enum child_fit *fit)
{
	const struct peer_child *best = NULL;
	uint16_t port = sockaddr_port(l2tp_peer);

	*fit = FIT_NONE;
	/* in transport mode L2TP comes from the IKE peer's (outer) address */
	if (!ike->sa.has_addresses || !sockaddr_same_host(&ike->sa.remote, l2tp_peer))
		return NULL;
	for (size_t i = 0; i < ike->n_children; i++) {
		enum child_fit f = child_fit(&ike->children[i].sa, port, mark);

		if (f > *fit) {
			*fit = f;
			best = &ike->children[i];
		}
	}
	return best;
}

const struct peer_child *peers_covering_child(const struct peer_ike *ike,
					      const struct sockaddr_storage *l2tp_peer,
					      uint32_t mark)
{
	enum child_fit fit;

	return best_child(ike, l2tp_peer, mark, &fit);
}

bool peers_covers(const struct peer_ike *ike, const struct sockaddr_storage *l2tp_peer,
		  uint32_t mark)
{
	return peers_covering_child(ike, l2tp_peer, mark) != NULL;
}

const struct peer_ike *peers_match(const struct peers *p,
				   const struct sockaddr_storage *l2tp_peer, uint32_t mark,
				   const struct peer_child **child)
{
	const struct peer_ike *found = NULL;
	const struct peer_child *found_child = NULL;
	enum child_fit found_fit = FIT_NONE;

	/* oldest first: a later one that fits as well is newer and wins */
	for (const struct peer_ike *ike = p->head; ike; ike = ike->next) {
		enum child_fit fit;
		const struct peer_child *c = best_child(ike, l2tp_peer, mark, &fit);

		if (c && fit >= found_fit) {
			found = ike;
			found_child = c;
			found_fit = fit;
		}
	}
	if (child)
		*child = found_child;
	return found;
}

uint32_t peers_child_mark_out(const struct peer_child *c)
{
	return c->sa.mark_out & c->sa.mark_out_mask;
}

unsigned int peers_count_ike(const struct peers *p)
{
	return p->n_ike;
}

unsigned int peers_count_children(const struct peers *p)
{
	return p->n_children;
}

void peers_foreach(const struct peers *p, bool (*fn)(void *ctx, const struct peer_ike *ike),
		   void *ctx)
{
	for (const struct peer_ike *ike = p->head; ike; ike = ike->next)
		if (!fn(ctx, ike))
			return;
}
