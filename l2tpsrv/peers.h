/*
 * peers: the IPsec peers charon has, as our plugin reports them
 * (charon_msg.h): IKE SAs and, under each, the CHILD_SAs that may carry
 * L2TP. No I/O: the server feeds it events and asks it whether an L2TP
 * peer (address and source port) is protected, and by which IKE SA. With
 * marks (strongSwan's mark_in/mark_out = %unique, set_mark_in = %same),
 * each CHILD_SA marks what it decrypts: the mark tells clients behind one
 * NAT apart, whose L2TP all comes from the same address and port.
 */
#ifndef L2TPSRV_PEERS_H
#define L2TPSRV_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "charon_msg.h"

struct peer_child {
	uint32_t uid;
	unsigned int generation; /* the sync that last saw it */
	struct charon_child sa;
};

struct peer_ike {
	struct peer_ike *next;
	uint32_t uid;
	unsigned int generation;
	struct charon_ike sa; /* has_addresses false until an event gave them */
	struct peer_child *children;
	size_t n_children;
	size_t cap_children;
};

struct peers;

struct peers *peers_new(void);
struct peers *peers_free(struct peers *p); /* NULL is fine; returns NULL */

/*
 * Applies one event. Returns true when some L2TP peer may have lost its
 * cover or changed IKE SA (an SA went, moved, or changed address, or a
 * sync ended): the caller then rechecks its tunnels. -ENOMEM leaves the
 * table as it was and returns true too (the caller rechecks; nothing is
 * covered that was not).
 */
bool peers_apply(struct peers *p, const struct charon_event *ev);
/* Forgets everything (charon is gone). */
void peers_clear(struct peers *p);

const struct peer_ike *peers_find(const struct peers *p, uint32_t ike_uid);
/*
 * The CHILD_SA of ike that covers L2TP from l2tp_peer (address and port)
 * received with mark, or NULL. A marked datagram (mark not 0) came through
 * the CHILD_SA whose mark-in matches it under its mask (set_mark_in =
 * %same); one with no mark-in (mask 0) covers it too, but only when none
 * matches. An unmarked datagram is taken by address and port alone.
 */
const struct peer_child *peers_covering_child(const struct peer_ike *ike,
					      const struct sockaddr_storage *l2tp_peer,
					      uint32_t mark);
/* Does one of ike's CHILD_SAs cover L2TP from l2tp_peer with mark? */
bool peers_covers(const struct peer_ike *ike, const struct sockaddr_storage *l2tp_peer,
		  uint32_t mark);
/*
 * The IKE SA that covers l2tp_peer with mark, or NULL: one whose mark-in
 * matches before one without marks, and of those the newest. *child (if
 * child is not NULL) is the CHILD_SA that covers it.
 */
const struct peer_ike *peers_match(const struct peers *p,
				   const struct sockaddr_storage *l2tp_peer, uint32_t mark,
				   const struct peer_child **child);
/* The mark the CHILD_SA's outbound SA and policy want on a packet (0: none). */
uint32_t peers_child_mark_out(const struct peer_child *c);

unsigned int peers_count_ike(const struct peers *p);
unsigned int peers_count_children(const struct peers *p);
/* Calls fn for each IKE SA, oldest first; stops when fn returns false. */
void peers_foreach(const struct peers *p, bool (*fn)(void *ctx, const struct peer_ike *ike),
		   void *ctx);

#endif
