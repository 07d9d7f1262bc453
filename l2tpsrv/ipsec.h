/*
 * ipsec: L2TP only from peers IPsec protects.
 *
 * Two locks, one behind the other:
 *   1. Every L2TP socket carries an inbound XFRM socket policy (ESP,
 *      transport mode, required): the kernel drops plaintext L2TP before
 *      we read it, with no firewall rule.
 *   2. charon's IKE and CHILD SAs, as our plugin reports them (peers.h):
 *      an SCCRQ is taken only from a peer with a live CHILD_SA for L2TP,
 *      and the tunnel belongs to that IKE SA from then on. When the SA
 *      goes (or charon does), the tunnel is aborted at once.
 * allow_unencrypted = yes lifts both for troubleshooting, loudly; tunnels
 * from protected peers are still bound to their IKE SA.
 */
#ifndef L2TPSRV_IPSEC_H
#define L2TPSRV_IPSEC_H

#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "history.h"
#include "lns.h"
#include "peers.h"

struct ipsec;

/*
 * Listens for the plugin on cfg->charon_socket; what it reports of each
 * client goes to history too (NULL: nowhere). Returns 0 or a negative
 * errno (logged).
 */
int ipsec_new(struct ipsec **out, sd_event *event, const struct l2tpsrv_config *cfg,
	      struct lns *lns, struct history *history);
struct ipsec *ipsec_free(struct ipsec *ipsec);

/*
 * Puts the ESP-required policy on an L2TP socket (unless unencrypted L2TP
 * is allowed). Returns 0 or a negative errno.
 */
int ipsec_protect_socket(const struct ipsec *ipsec, int fd, int family);

/*
 * lns_io.admit: see lns.h. The IKE SA whose CHILD_SA covers the peer with
 * the datagram's mark (addr->mark, peers_match()) owns the tunnel, which
 * takes the bits of the mark that CHILD_SA's mark-in names and sends with
 * its mark-out.
 */
int ipsec_admit(struct ipsec *ipsec, const struct lns_addr *addr, struct lns_admission *out);

/* The IKE SA a tunnel belongs to (its owner), or NULL. */
const struct peer_ike *ipsec_owner(const struct ipsec *ipsec, uint64_t owner);
const struct peers *ipsec_peers(const struct ipsec *ipsec);
bool ipsec_charon_connected(const struct ipsec *ipsec);

/*
 * Asks charon to delete the IKE SA a tunnel belongs to (its owner) with its
 * CHILD_SAs: the client's whole VPN connection ends, and the ike-down that
 * follows aborts the tunnels it carried. reason goes to charon's log.
 * Returns 0 once asked, -ENOENT if owner is no IKE SA (a tunnel admitted
 * unprotected), or an error of charon_link_terminate_ike() (charon_link.h),
 * among them -ENOTCONN without charon and -EOPNOTSUPP if its plugin takes
 * no requests.
 */
int ipsec_terminate_ike(struct ipsec *ipsec, uint64_t owner, const char *reason);

/* "address:port", the IKE SA's remote end (the NAT's when NATed). */
void ipsec_remote_string(const struct peer_ike *ike, char *buf, size_t len);

#endif
