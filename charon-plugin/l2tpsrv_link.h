/*
 * The link to l2tpsrv: a queue of charon_proto records and a thread that
 * connects to l2tpsrv's unix SOCK_SEQPACKET socket, sends them, and hands
 * the requests l2tpsrv sends back to a receive callback.
 *
 * push() only appends to the queue (under a mutex) and never blocks on I/O,
 * so bus listeners may call it. While no connection is up, records are
 * dropped: every new connection starts with hello and sync-begin, the replay
 * callback (all live state), and sync-end, which covers what was missed.
 * Replay and live records go through the one queue in the order they are
 * pushed, so the records of one SA are in order as long as both are pushed
 * while that SA is checked out.
 */
#ifndef L2TPSRV_LINK_H_
#define L2TPSRV_LINK_H_

#include <library.h>

#include "l2tpsrv_msg.h"

typedef struct l2tpsrv_link_t l2tpsrv_link_t;

/**
 * Replays the live state after (re)connecting, on the link's thread: pushes
 * a record for each live SA and returns the number of CHILD_SAs announced.
 * It runs between sync-begin and sync-end.
 */
typedef u_int (*l2tpsrv_link_replay_t)(void *data);

/**
 * Takes a record l2tpsrv sent, on the link's thread, which sends nothing
 * meanwhile: it must not block (queue a job for anything that might).
 *
 * @param record	the record, not NUL-terminated
 * @param len		its length, 1..CHARON_MSG_MAX
 */
typedef void (*l2tpsrv_link_receive_t)(void *data, const char *record,
									   size_t len);

struct l2tpsrv_link_t {

	/**
	 * Queue a record for l2tpsrv, if connected. Never blocks on I/O.
	 *
	 * @param msg		record to send (copied)
	 */
	void (*push)(l2tpsrv_link_t *this, l2tpsrv_msg_t *msg);

	/**
	 * Queue a record that no replay brings back and that any stranger can
	 * cause at will (ike-fail): it is dropped, rather than the queue
	 * overflowing (which makes the link reconnect and replay), while half
	 * of queue_limit records or more wait. Never blocks on I/O.
	 *
	 * @param msg		record to send (copied)
	 * @return			FALSE if it was dropped (or no connection is up)
	 */
	bool (*push_optional)(l2tpsrv_link_t *this, l2tpsrv_msg_t *msg);

	/**
	 * Start the sender thread. Its hello says requests=1: l2tpsrv may send
	 * requests, which go to the receive callback.
	 *
	 * @param replay	replay callback, see l2tpsrv_link_replay_t
	 * @param receive	receive callback, see l2tpsrv_link_receive_t
	 * @param data		argument of both
	 * @return			FALSE if the thread could not be created
	 */
	bool (*start)(l2tpsrv_link_t *this, l2tpsrv_link_replay_t replay,
				  l2tpsrv_link_receive_t receive, void *data);

	/**
	 * Stop the sender thread (if started), close the socket and free all.
	 */
	void (*destroy)(l2tpsrv_link_t *this);
};

/**
 * Create the link; nothing connects before start().
 *
 * @param path				l2tpsrv's socket
 * @param reconnect_ms		wait between connection attempts, ms
 * @param queue_limit		records queued before the queue is dropped and
 *							the link reconnects (replay not counted)
 * @return					link, NULL if the wakeup eventfd failed
 */
l2tpsrv_link_t *l2tpsrv_link_create(char *path, u_int reconnect_ms,
									u_int queue_limit);

#endif /* L2TPSRV_LINK_H_ */
