/*
 * Tests of the IPsec peer table (peers.c): events built from plugin
 * records with charon_msg_parse(), then which IKE SA, if any, covers an
 * L2TP peer (address and UDP source port, and the datagram's mark).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "charon_msg.h"
#include "check_tap.h"
#include "peers.h"

/* Our end and the IKE fields every event below carries besides the peer's address. */
#define OUR_END "ikev=2 local=198.51.100.1 local-port=4500 remote-port=4500 nat-local=0 "

/* Applies one record (printf-style); it must parse. Returns peers_apply()'s answer. */
static bool apply(struct peers *p, const char *fmt, ...)
{
	char line[1024], err[128];
	struct charon_event ev;
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r = charon_msg_parse((const uint8_t *)line, strlen(line), &ev, err, sizeof(err));
	ck_assert_msg(r == 0, "'%s': %s", line, err);
	return peers_apply(p, &ev);
}

static bool ike_up(struct peers *p, uint32_t ike, const char *remote)
{
	return apply(p, "ike-up ike=%u " OUR_END "remote=%s nat-remote=1 remote-id=peer-%u", ike,
		     remote, ike);
}

/* A transport-mode CHILD_SA for L2TP from the peer's ports lo-hi. */
static bool child_up(struct peers *p, uint32_t ike, uint32_t child, const char *remote,
		     const char *ports)
{
	return apply(p,
		     "child-up ike=%u child=%u " OUR_END "remote=%s nat-remote=1 remote-id=peer-%u "
		     "name=l2tp mode=transport reqid=%u spi-in=%08x spi-out=%08x mark-in=0/0 "
		     "mark-out=0/0 remote-ports=%s",
		     ike, child, remote, ike, child, 0xc0000000u + child, 0x0c000000u + child,
		     ports);
}

/* The same with marks (mark-in=IN, mark-out=OUT: "VALUE/MASK"). */
static bool child_up_marked(struct peers *p, uint32_t ike, uint32_t child, const char *remote,
			    const char *ports, const char *in, const char *out)
{
	return apply(p,
		     "child-up ike=%u child=%u " OUR_END "remote=%s nat-remote=1 remote-id=peer-%u "
		     "name=l2tp mode=transport reqid=%u spi-in=%08x spi-out=%08x mark-in=%s "
		     "mark-out=%s remote-ports=%s",
		     ike, child, remote, ike, child, 0xc0000000u + child, 0x0c000000u + child, in,
		     out, ports);
}

static struct sockaddr_storage addr(const char *a, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, a, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	}
	return ss;
}

/*
 * The uid of the IKE SA that covers a:port with mark, 0 for none; *child
 * (if not NULL) the uid of its CHILD_SA that does.
 */
static uint32_t match_marked(const struct peers *p, const char *a, uint16_t port, uint32_t mark,
			     uint32_t *child)
{
	struct sockaddr_storage ss = addr(a, port);
	const struct peer_child *c = NULL;
	const struct peer_ike *ike = peers_match(p, &ss, mark, &c);

	ck_assert((ike == NULL) == (c == NULL));
	if (child)
		*child = c ? c->uid : 0;
	return ike ? ike->uid : 0;
}

/* The uid of the IKE SA that covers a:port (an unmarked datagram), 0 for none. */
static uint32_t match(const struct peers *p, const char *a, uint16_t port)
{
	return match_marked(p, a, port, 0, NULL);
}

static bool has_child(const struct peers *p, uint32_t ike_uid, uint32_t child)
{
	const struct peer_ike *ike = peers_find(p, ike_uid);

	ck_assert_msg(ike != NULL, "no IKE SA %u", ike_uid);
	for (size_t i = 0; i < ike->n_children; i++)
		if (ike->children[i].uid == child)
			return true;
	return false;
}

static struct peers *new_peers(void)
{
	struct peers *p = peers_new();

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(peers_count_ike(p), 0);
	ck_assert_uint_eq(peers_count_children(p), 0);
	return p;
}

/* ---- cover ---- */

/* A child-up covers the peer's address from the ports in remote-ports, nothing else. */
START_TEST(child_up_covers_address_and_ports)
{
	struct peers *p = new_peers();
	const struct peer_ike *ike;
	struct sockaddr_storage ss;

	ck_assert(!ike_up(p, 1, "192.0.2.10")); /* nothing lost: no recheck */
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 0); /* an IKE SA alone covers nothing */
	ck_assert(!child_up(p, 1, 10, "192.0.2.10", "1701-1701"));
	ck_assert_uint_eq(peers_count_ike(p), 1);
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1700), 0);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1702), 0);
	ck_assert_uint_eq(match(p, "192.0.2.11", 1701), 0);
	ck_assert_uint_eq(match(p, "::ffff:192.0.2.10", 1701), 0); /* another family */
	/* the IKE SA holds what the child-up said of it */
	ike = peers_find(p, 1);
	ck_assert_ptr_nonnull(ike);
	ck_assert_str_eq(ike->sa.remote_id, "peer-1");
	ck_assert(ike->sa.nat_remote);
	ck_assert_uint_eq(ike->n_children, 1);
	ck_assert_uint_eq(ike->children[0].uid, 10);
	ck_assert_uint_eq(ike->children[0].sa.spi_in, 0xc000000au);
	ss = addr("192.0.2.10", 1701);
	ck_assert(peers_covers(ike, &ss, 0));
	ck_assert(peers_covers(ike, &ss, 0x42)); /* an SA without marks takes any */
	ss = addr("192.0.2.10", 4500);
	ck_assert(!peers_covers(ike, &ss, 0));
	ck_assert_ptr_null(peers_find(p, 2));
	/* a second CHILD_SA with a port range adds to the cover */
	ck_assert(!child_up(p, 1, 11, "192.0.2.10", "1024-65535"));
	ck_assert_uint_eq(peers_count_children(p), 2);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1024), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 65535), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1023), 0);
	/* a repeated child-up updates the CHILD_SA, it does not add one */
	ck_assert(!child_up(p, 1, 11, "192.0.2.10", "2000-2000"));
	ck_assert_uint_eq(peers_count_children(p), 2);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1024), 0);
	ck_assert_uint_eq(match(p, "192.0.2.10", 2000), 1);
	peers_free(p);
}
END_TEST

/* IPv6 peers, and a child-up without remote-ports covering every port. */
START_TEST(ipv6_and_any_port)
{
	struct peers *p = new_peers();

	ck_assert(!apply(p, "child-up ike=3 child=30 " OUR_END "remote=2001:db8::7 mode=transport"));
	ck_assert_uint_eq(match(p, "2001:db8::7", 0), 3);
	ck_assert_uint_eq(match(p, "2001:db8::7", 1701), 3);
	ck_assert_uint_eq(match(p, "2001:db8::7", 65535), 3);
	ck_assert_uint_eq(match(p, "2001:db8::8", 1701), 0);
	ck_assert_uint_eq(match(p, "192.0.2.7", 1701), 0);
	peers_free(p);
}
END_TEST

/* Two IKE SAs covering one address: the one that came last wins, whatever its uid. */
START_TEST(the_newest_ike_sa_wins)
{
	struct peers *p = new_peers();

	child_up(p, 7, 70, "192.0.2.10", "1701-1701");
	child_up(p, 3, 30, "192.0.2.10", "1701-1701");
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 3);
	/* the newest no longer covers that port: the older one does */
	ck_assert(apply(p, "child-down ike=3 child=30"));
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 7);
	/* news of the older one does not make it newer */
	child_up(p, 3, 31, "192.0.2.10", "1701-1701");
	child_up(p, 7, 71, "192.0.2.10", "1701-1701");
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 3);
	peers_free(p);
}
END_TEST

/* ---- marks: clients behind one NAT ---- */

/*
 * Two clients behind one NAT: IKE SAs from the same address, each CHILD_SA
 * covering the same port with its own marks (mark_in = %unique). A marked
 * datagram belongs to the SA whose mark-in it carries, whichever is newer;
 * one with a mark no SA has, to none; an unmarked one goes by address.
 */
START_TEST(marks_tell_clients_behind_one_nat_apart)
{
	struct peers *p = new_peers();
	const struct peer_child *c;
	const struct peer_ike *ike;
	struct sockaddr_storage ss = addr("203.0.113.7", 1701);
	uint32_t child;

	child_up_marked(p, 1, 10, "203.0.113.7", "1701-1701", "11/ffffffff", "21/ffffffff");
	child_up_marked(p, 2, 20, "203.0.113.7", "1701-1701", "12/ffffffff", "22/ffffffff");
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, &child), 1);
	ck_assert_uint_eq(child, 10);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x12, &child), 2);
	ck_assert_uint_eq(child, 20);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x13, &child), 0);
	ck_assert_uint_eq(child, 0);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1702, 0x11, NULL), 0); /* the port */
	ck_assert_uint_eq(match_marked(p, "203.0.113.8", 1701, 0x11, NULL), 0); /* the address */
	ck_assert_uint_eq(match(p, "203.0.113.7", 1701), 2); /* unmarked: the newest */
	/* what each sends with */
	ike = peers_match(p, &ss, 0x11, &c);
	ck_assert_uint_eq(peers_child_mark_out(c), 0x21);
	ck_assert(peers_covers(ike, &ss, 0x11));
	ck_assert(!peers_covers(ike, &ss, 0x12));
	ck_assert(peers_covers(ike, &ss, 0));
	ck_assert_ptr_eq(peers_covering_child(ike, &ss, 0x11), c);
	ck_assert_ptr_null(peers_covering_child(ike, &ss, 0x12));
	ike = peers_match(p, &ss, 0x12, &c);
	ck_assert_uint_eq(peers_child_mark_out(c), 0x22);
	/* a third client comes and goes: the others keep their SAs */
	child_up_marked(p, 3, 30, "203.0.113.7", "1701-1701", "13/ffffffff", "23/ffffffff");
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x13, NULL), 3);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, NULL), 1);
	ck_assert(apply(p, "ike-down ike=3"));
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x13, NULL), 0);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x12, NULL), 2);
	peers_free(p);
}
END_TEST

/* Marks match under their masks; an SA's mark-out is its value under its mask. */
START_TEST(marks_match_under_their_masks)
{
	struct peers *p = new_peers();
	const struct peer_child *c;
	struct sockaddr_storage ss = addr("203.0.113.7", 1701);

	child_up_marked(p, 1, 10, "203.0.113.7", "1701-1701", "500/ff00", "1234/ff00");
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x500, NULL), 1);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x5ab, NULL), 1);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x10500, NULL), 1);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x600, NULL), 0);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0xab, NULL), 0);
	ck_assert_ptr_nonnull(peers_match(p, &ss, 0x500, &c));
	ck_assert_uint_eq(peers_child_mark_out(c), 0x1200);
	peers_free(p);
}
END_TEST

/*
 * An SA without marks (mask 0) covers a marked datagram too, but one whose
 * mark-in matches comes first, even when it is the older: marks set by
 * other rules do not lock clients of unmarked SAs out.
 */
START_TEST(a_matching_mark_wins_over_no_mark)
{
	struct peers *p = new_peers();
	uint32_t child;

	child_up_marked(p, 1, 10, "203.0.113.7", "1701-1701", "11/ffffffff", "21/ffffffff");
	child_up(p, 2, 20, "203.0.113.7", "1701-1701"); /* newer, no marks */
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, &child), 1);
	ck_assert_uint_eq(child, 10);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x99, &child), 2);
	ck_assert_uint_eq(child, 20);
	ck_assert_uint_eq(match(p, "203.0.113.7", 1701), 2);
	/* within one IKE SA too */
	child_up(p, 1, 11, "203.0.113.7", "1701-1701");
	ck_assert(apply(p, "ike-down ike=2"));
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, &child), 1);
	ck_assert_uint_eq(child, 10);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x99, &child), 1);
	ck_assert_uint_eq(child, 11);
	peers_free(p);
}
END_TEST

/*
 * What keeps a CHILD_SA (child-rekey with the same marks, ike-rekey,
 * child-migrate) keeps its marks; a child-rekey with other marks moves the
 * cover to them.
 */
START_TEST(marks_survive_rekeys_and_moves)
{
	struct peers *p = new_peers();
	uint32_t child;

	child_up_marked(p, 1, 10, "203.0.113.7", "1701-1701", "11/ffffffff", "21/ffffffff");
	child_up_marked(p, 2, 20, "203.0.113.7", "1701-1701", "12/ffffffff", "22/ffffffff");
	ck_assert(apply(p, "child-rekey ike=1 child=10 new=13 " OUR_END "remote=203.0.113.7 "
			   "mode=transport mark-in=11/ffffffff mark-out=21/ffffffff "
			   "remote-ports=1701-1701"));
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, &child), 1);
	ck_assert_uint_eq(child, 13);
	ck_assert(apply(p, "ike-rekey ike=1 new=5 " OUR_END "remote=203.0.113.7"));
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, &child), 5);
	ck_assert_uint_eq(child, 13);
	ck_assert(!ike_up(p, 6, "203.0.113.7"));
	ck_assert(apply(p, "child-migrate ike=6 child=13"));
	ck_assert(apply(p, "ike-down ike=5"));
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, &child), 6);
	ck_assert_uint_eq(child, 13);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x12, NULL), 2);
	/* other marks after a rekey: the old ones are no one's */
	ck_assert(apply(p, "child-rekey ike=6 child=13 new=14 " OUR_END "remote=203.0.113.7 "
			   "mode=transport mark-in=15/ffffffff mark-out=25/ffffffff "
			   "remote-ports=1701-1701"));
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x11, NULL), 0);
	ck_assert_uint_eq(match_marked(p, "203.0.113.7", 1701, 0x15, &child), 6);
	ck_assert_uint_eq(child, 14);
	peers_free(p);
}
END_TEST

/* ---- what takes cover away ---- */

/* child-down removes its CHILD_SA (true: recheck); one nobody has gives false. */
START_TEST(child_down)
{
	struct peers *p = new_peers();

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	child_up(p, 1, 11, "192.0.2.10", "1702-1702");
	ck_assert(!apply(p, "child-down ike=1 child=12"));
	/* charon may name another IKE SA than ours: 10 is found under 1 all the same */
	ck_assert(apply(p, "child-down ike=2 child=10"));
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 0);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1702), 1);
	ck_assert(apply(p, "child-down ike=1 child=11"));
	ck_assert_uint_eq(match(p, "192.0.2.10", 1702), 0);
	ck_assert_uint_eq(peers_count_children(p), 0);
	ck_assert_uint_eq(peers_count_ike(p), 1); /* the IKE SA stays */
	ck_assert(!apply(p, "child-down ike=1 child=11"));
	peers_free(p);
}
END_TEST

/* ike-down takes the IKE SA and all its CHILD_SAs; an unknown one gives false. */
START_TEST(ike_down_takes_its_children)
{
	struct peers *p = new_peers();

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	child_up(p, 1, 11, "192.0.2.10", "1024-65535");
	child_up(p, 2, 20, "192.0.2.20", "1701-1701");
	ck_assert_uint_eq(peers_count_children(p), 3);
	ck_assert(!apply(p, "ike-down ike=9"));
	ck_assert_uint_eq(peers_count_ike(p), 2);
	ck_assert(apply(p, "ike-down ike=1"));
	ck_assert_ptr_null(peers_find(p, 1));
	ck_assert_uint_eq(peers_count_ike(p), 1);
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 0);
	ck_assert_uint_eq(match(p, "192.0.2.10", 5000), 0);
	ck_assert_uint_eq(match(p, "192.0.2.20", 1701), 2);
	ck_assert(!apply(p, "child-down ike=1 child=10")); /* went with it */
	peers_free(p);
}
END_TEST

/* ike-update with a new remote address (MOBIKE, NAT rebinding) moves the cover. */
START_TEST(ike_update_moves_the_cover)
{
	struct peers *p = new_peers();
	const struct peer_ike *ike;

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	ck_assert(apply(p, "ike-update ike=1 " OUR_END "remote=203.0.113.5 nat-remote=0 "
			   "remote-id=moved"));
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 0);
	ck_assert_uint_eq(match(p, "203.0.113.5", 1701), 1);
	ike = peers_find(p, 1);
	ck_assert_str_eq(ike->sa.remote_id, "moved");
	ck_assert(!ike->sa.nat_remote);
	ck_assert_uint_eq(peers_count_children(p), 1);
	/* and to IPv6 */
	ck_assert(apply(p, "ike-update ike=1 " OUR_END "remote=2001:db8::5"));
	ck_assert_uint_eq(match(p, "203.0.113.5", 1701), 0);
	ck_assert_uint_eq(match(p, "2001:db8::5", 1701), 1);
	peers_free(p);
}
END_TEST

/* ---- what moves cover ---- */

/* ike-rekey: NEW takes OLD's CHILD_SAs and fields, OLD is gone. */
START_TEST(ike_rekey_moves_the_children)
{
	struct peers *p = new_peers();
	const struct peer_ike *ike;

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	child_up(p, 1, 11, "192.0.2.10", "4000-4001");
	child_up(p, 2, 20, "192.0.2.20", "1701-1701");
	ck_assert(apply(p, "ike-rekey ike=1 new=5 " OUR_END "remote=192.0.2.10 remote-id=rekeyed"));
	ck_assert_ptr_null(peers_find(p, 1));
	ike = peers_find(p, 5);
	ck_assert_ptr_nonnull(ike);
	ck_assert_str_eq(ike->sa.remote_id, "rekeyed");
	ck_assert_uint_eq(ike->n_children, 2);
	ck_assert(has_child(p, 5, 10));
	ck_assert(has_child(p, 5, 11));
	ck_assert_uint_eq(ike->children[0].uid == 10 ? ike->children[0].sa.spi_in
						       : ike->children[1].sa.spi_in,
			  0xc000000au); /* the CHILD_SAs kept what they were */
	ck_assert_uint_eq(peers_count_ike(p), 2);
	ck_assert_uint_eq(peers_count_children(p), 3);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 5);
	ck_assert_uint_eq(match(p, "192.0.2.10", 4001), 5);
	ck_assert_uint_eq(match(p, "192.0.2.20", 1701), 2);
	ck_assert(!has_child(p, 2, 10));
	/* the children now go with the new IKE SA */
	ck_assert(!apply(p, "ike-down ike=1"));
	ck_assert(apply(p, "ike-down ike=5"));
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 0);
	peers_free(p);
}
END_TEST

/* child-rekey: NEW replaces OLD under the IKE SA; the cover stays (with NEW's fields). */
START_TEST(child_rekey_replaces_the_child)
{
	struct peers *p = new_peers();
	const struct peer_ike *ike;

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	child_up(p, 1, 11, "192.0.2.10", "3000-3000");
	ck_assert(apply(p, "child-rekey ike=1 child=10 new=12 " OUR_END "remote=192.0.2.10 "
			   "mode=transport spi-in=deadbeef spi-out=0badf00d remote-ports=1701-1701"));
	ck_assert(!has_child(p, 1, 10));
	ck_assert(has_child(p, 1, 12));
	ck_assert(has_child(p, 1, 11));
	ck_assert_uint_eq(peers_count_children(p), 2);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 3000), 1);
	ike = peers_find(p, 1);
	for (size_t i = 0; i < ike->n_children; i++)
		if (ike->children[i].uid == 12)
			ck_assert_uint_eq(ike->children[i].sa.spi_in, 0xdeadbeefu);
	/* the old uid is gone for good */
	ck_assert(!apply(p, "child-down ike=1 child=10"));
	ck_assert(apply(p, "child-down ike=1 child=12"));
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 0);
	peers_free(p);
}
END_TEST

/*
 * IKEv1 reauthentication: a second IKE SA U2 comes up, adopts the CHILD_SA
 * (child-migrate), and the first one goes; the CHILD_SA stays covered.
 */
START_TEST(child_migrate_survives_the_old_ike_sa)
{
	struct peers *p = new_peers();
	const struct peer_ike *u2;

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	ck_assert(!ike_up(p, 2, "192.0.2.10"));
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 1); /* U2 has no CHILD_SA yet */
	ck_assert(apply(p, "child-migrate ike=2 child=10"));
	ck_assert(!has_child(p, 1, 10));
	ck_assert(has_child(p, 2, 10));
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 2);
	ck_assert(apply(p, "ike-down ike=1"));
	ck_assert_ptr_null(peers_find(p, 1));
	ck_assert_uint_eq(peers_count_ike(p), 1);
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 2);
	u2 = peers_find(p, 2);
	ck_assert_str_eq(u2->sa.remote_id, "peer-2");
	ck_assert_uint_eq(u2->children[0].sa.spi_in, 0xc000000au);
	/* migrating it again to where it is changes nothing; an unknown child moves nothing */
	ck_assert(apply(p, "child-migrate ike=2 child=10"));
	ck_assert(apply(p, "child-migrate ike=2 child=99"));
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(peers_find(p, 2)->n_children, 1);
	peers_free(p);
}
END_TEST

/* ---- sync ---- */

/* sync-end prunes exactly what the sync did not announce again: IKE SAs and CHILD_SAs. */
START_TEST(sync_prunes_what_was_not_announced)
{
	struct peers *p = new_peers();

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	child_up(p, 1, 11, "192.0.2.10", "5000-5000");
	child_up(p, 2, 20, "192.0.2.20", "1701-1701");
	child_up(p, 3, 30, "192.0.2.30", "1701-1701");
	ike_up(p, 4, "192.0.2.40");
	ck_assert_uint_eq(peers_count_ike(p), 4);
	ck_assert_uint_eq(peers_count_children(p), 4);
	ck_assert(!apply(p, "hello proto=1 version=test"));
	ck_assert(!apply(p, "sync-begin"));
	/* nothing goes before the sync ends */
	ck_assert_uint_eq(peers_count_ike(p), 4);
	ck_assert_uint_eq(match(p, "192.0.2.20", 1701), 2);
	ck_assert(!child_up(p, 1, 10, "192.0.2.10", "1701-1701"));
	ck_assert(!child_up(p, 3, 30, "192.0.2.30", "1701-1701"));
	ck_assert(!child_up(p, 6, 60, "192.0.2.60", "1701-1701")); /* new to us */
	ck_assert(apply(p, "sync-end"));
	ck_assert_uint_eq(peers_count_ike(p), 3);
	ck_assert_uint_eq(peers_count_children(p), 3);
	ck_assert_ptr_null(peers_find(p, 2));
	ck_assert_ptr_null(peers_find(p, 4));
	ck_assert(has_child(p, 1, 10));
	ck_assert(!has_child(p, 1, 11));
	ck_assert_uint_eq(peers_find(p, 1)->n_children, 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 1);
	ck_assert_uint_eq(match(p, "192.0.2.10", 5000), 0);
	ck_assert_uint_eq(match(p, "192.0.2.20", 1701), 0);
	ck_assert_uint_eq(match(p, "192.0.2.30", 1701), 3);
	ck_assert_uint_eq(match(p, "192.0.2.60", 1701), 6);
	/* a second sync that announces nothing leaves nothing */
	ck_assert(!apply(p, "sync-begin"));
	ck_assert(apply(p, "sync-end"));
	ck_assert_uint_eq(peers_count_ike(p), 0);
	ck_assert_uint_eq(peers_count_children(p), 0);
	ck_assert_uint_eq(match(p, "192.0.2.10", 1701), 0);
	peers_free(p);
}
END_TEST

/* What happens during a sync (an IKE SA coming up after sync-begin) is not pruned. */
START_TEST(events_during_a_sync_count_as_announced)
{
	struct peers *p = new_peers();

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	apply(p, "sync-begin");
	ike_up(p, 2, "192.0.2.20");
	child_up(p, 3, 30, "192.0.2.30", "1701-1701");
	apply(p, "sync-end");
	ck_assert_ptr_null(peers_find(p, 1));
	ck_assert_ptr_nonnull(peers_find(p, 2));
	ck_assert_ptr_nonnull(peers_find(p, 3));
	ck_assert_uint_eq(peers_count_ike(p), 2);
	ck_assert_uint_eq(peers_count_children(p), 1);
	peers_free(p);
}
END_TEST

/* ---- the table as a whole ---- */

/* peers_clear forgets everything; the table works again afterwards. */
START_TEST(clear_empties_the_table)
{
	struct peers *p = new_peers();

	child_up(p, 1, 10, "192.0.2.10", "1701-1701");
	child_up(p, 2, 20, "192.0.2.20", "1701-1701");
	child_up(p, 2, 21, "192.0.2.20", "1702-1702");
	peers_clear(p);
	ck_assert_uint_eq(peers_count_ike(p), 0);
	ck_assert_uint_eq(peers_count_children(p), 0);
	ck_assert_ptr_null(peers_find(p, 1));
	ck_assert_uint_eq(match(p, "192.0.2.20", 1701), 0);
	peers_clear(p); /* twice is fine */
	child_up(p, 2, 20, "192.0.2.20", "1701-1701");
	ck_assert_uint_eq(peers_count_ike(p), 1);
	ck_assert_uint_eq(peers_count_children(p), 1);
	ck_assert_uint_eq(match(p, "192.0.2.20", 1701), 2);
	ck_assert_ptr_null(peers_free(p));
	ck_assert_ptr_null(peers_free(NULL));
}
END_TEST

struct walk {
	uint32_t seen[8];
	size_t n;
	size_t stop_after; /* 0: never */
};

static bool walk_fn(void *ctx, const struct peer_ike *ike)
{
	struct walk *w = ctx;

	ck_assert_uint_lt(w->n, 8);
	w->seen[w->n++] = ike->uid;
	return w->stop_after == 0 || w->n < w->stop_after;
}

/* peers_foreach: oldest first (the order they came, not their uids); stops on false. */
START_TEST(foreach_oldest_first)
{
	struct peers *p = new_peers();
	struct walk w = { 0 };

	peers_foreach(p, walk_fn, &w);
	ck_assert_uint_eq(w.n, 0);
	ike_up(p, 30, "192.0.2.30");
	child_up(p, 10, 100, "192.0.2.10", "1701-1701");
	ike_up(p, 20, "192.0.2.20");
	ike_up(p, 40, "192.0.2.40");
	ike_up(p, 30, "192.0.2.31"); /* an update keeps its place */
	peers_foreach(p, walk_fn, &w);
	ck_assert_uint_eq(w.n, 4);
	ck_assert_uint_eq(w.seen[0], 30);
	ck_assert_uint_eq(w.seen[1], 10);
	ck_assert_uint_eq(w.seen[2], 20);
	ck_assert_uint_eq(w.seen[3], 40);
	/* take one out of the middle */
	apply(p, "ike-down ike=10");
	w = (struct walk){ .stop_after = 2 };
	peers_foreach(p, walk_fn, &w);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_uint_eq(w.seen[0], 30);
	ck_assert_uint_eq(w.seen[1], 20);
	peers_free(p);
}
END_TEST

/* Many IKE SAs with several CHILD_SAs each: counts and lookups stay right as they grow. */
START_TEST(many_peers)
{
	struct peers *p = new_peers();
	char a[32];

	for (uint32_t i = 1; i <= 300; i++) {
		snprintf(a, sizeof(a), "10.0.%u.%u", i / 256, i % 256);
		for (uint32_t c = 0; c < 5; c++) {
			char ports[16];

			snprintf(ports, sizeof(ports), "%u-%u", 1000 + c, 1000 + c);
			child_up(p, i, i * 10 + c, a, ports);
		}
	}
	ck_assert_uint_eq(peers_count_ike(p), 300);
	ck_assert_uint_eq(peers_count_children(p), 1500);
	ck_assert_uint_eq(match(p, "10.0.1.44", 1004), 300);
	ck_assert_uint_eq(match(p, "10.0.0.7", 1000), 7);
	ck_assert_uint_eq(match(p, "10.0.0.7", 1005), 0);
	for (uint32_t i = 1; i <= 300; i += 2)
		ck_assert(apply(p, "ike-down ike=%u", i));
	ck_assert_uint_eq(peers_count_ike(p), 150);
	ck_assert_uint_eq(peers_count_children(p), 750);
	ck_assert_uint_eq(match(p, "10.0.0.7", 1000), 0);
	ck_assert_uint_eq(match(p, "10.0.0.8", 1000), 8);
	peers_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("peers");
	TCase *tc = tcase_create("peers");

	tcase_add_test(tc, child_up_covers_address_and_ports);
	tcase_add_test(tc, ipv6_and_any_port);
	tcase_add_test(tc, the_newest_ike_sa_wins);
	tcase_add_test(tc, marks_tell_clients_behind_one_nat_apart);
	tcase_add_test(tc, marks_match_under_their_masks);
	tcase_add_test(tc, a_matching_mark_wins_over_no_mark);
	tcase_add_test(tc, marks_survive_rekeys_and_moves);
	tcase_add_test(tc, child_down);
	tcase_add_test(tc, ike_down_takes_its_children);
	tcase_add_test(tc, ike_update_moves_the_cover);
	tcase_add_test(tc, ike_rekey_moves_the_children);
	tcase_add_test(tc, child_rekey_replaces_the_child);
	tcase_add_test(tc, child_migrate_survives_the_old_ike_sa);
	tcase_add_test(tc, sync_prunes_what_was_not_announced);
	tcase_add_test(tc, events_during_a_sync_count_as_announced);
	tcase_add_test(tc, clear_empties_the_table);
	tcase_add_test(tc, foreach_oldest_first);
	tcase_add_test(tc, many_peers);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
