/*
 * Bus listener of the l2tpsrv plugin: turns IKE_SA and CHILD_SA events into
 * charon_proto records (../l2tpsrv/charon_proto.h) and pushes them to the
 * link. It also replays the live state when the link (re)connects.
 *
 * A CHILD_SA counts (gets child-up, child-rekey, child-migrate) when it is
 * in transport mode (unless transport_only is off) and its local traffic
 * selectors cover UDP (or any protocol) port l2tp_port and its remote ones
 * UDP (or any protocol). child-down is sent for every CHILD_SA.
 *
 * Failures of a negotiation are another listener's: l2tpsrv_ike_fail.h.
 */
#ifndef L2TPSRV_LISTENER_H_
#define L2TPSRV_LISTENER_H_

#include <bus/listeners/listener.h>

#include "l2tpsrv_link.h"

typedef struct l2tpsrv_listener_t l2tpsrv_listener_t;

struct l2tpsrv_listener_t {

	/**
	 * implements listener_t interface
	 */
	listener_t listener;

	/**
	 * Push ike-up and child-up for every live IKE_SA and CHILD_SA that
	 * counts. Checks out each IKE_SA in turn: call it from a thread that
	 * holds none, and not from a listener callback.
	 *
	 * @return			number of CHILD_SAs announced
	 */
	u_int (*replay)(l2tpsrv_listener_t *this);

	/**
	 * Destroy the listener.
	 */
	void (*destroy)(l2tpsrv_listener_t *this);
};

/**
 * Create the listener.
 *
 * @param link				where records go
 * @param transport_only	only transport-mode CHILD_SAs count
 * @param l2tp_port			the UDP port of L2TP at our end
 */
l2tpsrv_listener_t *l2tpsrv_listener_create(l2tpsrv_link_t *link,
											bool transport_only,
											uint16_t l2tp_port);

#endif /* L2TPSRV_LISTENER_H_ */
