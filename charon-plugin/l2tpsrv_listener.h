/*
 * Bus listener of the l2tpsrv plugin: hears IKE_SA and CHILD_SA up/down
 * events. For now it logs them (group CFG, level 1) with the facts l2tpsrv
 * will need; sending them to l2tpsrv comes with the peer table.
 */
#ifndef L2TPSRV_LISTENER_H_
#define L2TPSRV_LISTENER_H_

#include <bus/listeners/listener.h>

typedef struct l2tpsrv_listener_t l2tpsrv_listener_t;

struct l2tpsrv_listener_t {

	/**
	 * implements listener_t interface
	 */
	listener_t listener;

	/**
	 * Destroy the listener.
	 */
	void (*destroy)(l2tpsrv_listener_t *this);
};

/**
 * Create the listener.
 */
l2tpsrv_listener_t *l2tpsrv_listener_create(void);

#endif /* L2TPSRV_LISTENER_H_ */
