/*
 * The ike-fail listener of the l2tpsrv plugin: reports failed IKE
 * negotiations to l2tpsrv, for l2tpctl diagnose. A bus listener beside
 * l2tpsrv_listener.h (which reports the SAs that come up and go), on the
 * same link.
 *
 * Failures of a negotiation (charon's alerts, and the IKEv1 error notifies
 * charon sends without an alert) become ike-fail records, which no replay
 * repeats and which are dropped while the link is busy: any stranger can
 * cause them.
 */
#ifndef L2TPSRV_IKE_FAIL_H_
#define L2TPSRV_IKE_FAIL_H_

#include <bus/listeners/listener.h>

#include "l2tpsrv_link.h"

typedef struct l2tpsrv_ike_fail_t l2tpsrv_ike_fail_t;

struct l2tpsrv_ike_fail_t {

	/**
	 * implements listener_t interface
	 */
	listener_t listener;

	/**
	 * Destroy the listener.
	 */
	void (*destroy)(l2tpsrv_ike_fail_t *this);
};

/**
 * Create the ike-fail listener.
 *
 * @param link				where records go
 */
l2tpsrv_ike_fail_t *l2tpsrv_ike_fail_create(l2tpsrv_link_t *link);

#endif /* L2TPSRV_IKE_FAIL_H_ */
