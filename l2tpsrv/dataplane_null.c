/*
 * dataplane_null: a data path that moves no packets and remembers what it
 * was asked to do. See dataplane.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "dataplane.h"

struct dp_null {
	struct dataplane dp; /* first: dp_null is a dataplane */
	unsigned long count[DP_NULL_N_OPS];
	struct dp_null_event history[DP_NULL_HISTORY];
	unsigned long n_events;
	enum dp_null_op fail_op;
	int fail_err;
	unsigned int fail_count;
};

struct dataplane *dataplane_free(struct dataplane *dp)
{
	if (dp)
		dp->ops->free(dp);
	return NULL;
}

static struct dp_null *to_null(const struct dataplane *dp)
{
	return (struct dp_null *)dp;
}

/* Records ev; returns the error the test asked for, or 0. */
static int record(struct dataplane *dp, const struct dp_null_event *ev)
{
	struct dp_null *n = to_null(dp);

	/* Deletions cannot fail (they return nothing): only adds and sets do. */
	if (n->fail_count && n->fail_op == ev->op && ev->op != DP_NULL_TUNNEL_DEL &&
	    ev->op != DP_NULL_SESSION_DEL) {
		n->fail_count--;
		return n->fail_err;
	}
	n->count[ev->op]++;
	n->history[n->n_events % DP_NULL_HISTORY] = *ev;
	n->n_events++;
	return 0;
}

static int null_tunnel_add(struct dataplane *dp, const struct dp_tunnel *t)
{
	struct dp_null_event ev = { .op = DP_NULL_TUNNEL_ADD, .tunnel_id = t->tunnel_id,
				    .peer_id = t->peer_tunnel_id };

	return record(dp, &ev);
}

static void null_tunnel_del(struct dataplane *dp, uint16_t tunnel_id)
{
	struct dp_null_event ev = { .op = DP_NULL_TUNNEL_DEL, .tunnel_id = tunnel_id };

	record(dp, &ev);
}

static int null_session_add(struct dataplane *dp, const struct dp_session *s)
{
	struct dp_null_event ev = { .op = DP_NULL_SESSION_ADD, .tunnel_id = s->tunnel_id,
				    .session_id = s->session_id, .peer_id = s->peer_session_id,
				    .sequencing = s->sequencing };

	return record(dp, &ev);
}

static void null_session_del(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id)
{
	struct dp_null_event ev = { .op = DP_NULL_SESSION_DEL, .tunnel_id = tunnel_id,
				    .session_id = session_id };

	record(dp, &ev);
}

static int null_session_set_accm(struct dataplane *dp, uint16_t tunnel_id, uint16_t session_id,
				 uint32_t send_accm, uint32_t recv_accm)
{
	struct dp_null_event ev = { .op = DP_NULL_SESSION_SET_ACCM, .tunnel_id = tunnel_id,
				    .session_id = session_id, .send_accm = send_accm,
				    .recv_accm = recv_accm };

	return record(dp, &ev);
}

static void null_free(struct dataplane *dp)
{
	free(to_null(dp));
}

static const struct dataplane_ops null_ops = {
	.name = "null",
	.tunnel_add = null_tunnel_add,
	.tunnel_del = null_tunnel_del,
	.session_add = null_session_add,
	.session_del = null_session_del,
	.session_set_accm = null_session_set_accm,
	/* Moves no packets: nothing to take in, no pppd to run. */
	.data_input = NULL,
	.session_tty = NULL,
	.free = null_free,
};

struct dataplane *dataplane_null_new(void)
{
	struct dp_null *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->dp.ops = &null_ops;
	return &n->dp;
}

unsigned long dataplane_null_count(const struct dataplane *dp, enum dp_null_op op)
{
	return op < DP_NULL_N_OPS ? to_null(dp)->count[op] : 0;
}

unsigned long dataplane_null_live_tunnels(const struct dataplane *dp)
{
	const struct dp_null *n = to_null(dp);

	return n->count[DP_NULL_TUNNEL_ADD] - n->count[DP_NULL_TUNNEL_DEL];
}

unsigned long dataplane_null_live_sessions(const struct dataplane *dp)
{
	const struct dp_null *n = to_null(dp);

	return n->count[DP_NULL_SESSION_ADD] - n->count[DP_NULL_SESSION_DEL];
}

bool dataplane_null_recent(const struct dataplane *dp, unsigned int i, struct dp_null_event *ev)
{
	const struct dp_null *n = to_null(dp);

	if (i >= DP_NULL_HISTORY || i >= n->n_events)
		return false;
	*ev = n->history[(n->n_events - 1 - i) % DP_NULL_HISTORY];
	return true;
}

void dataplane_null_fail_next(struct dataplane *dp, enum dp_null_op op, int err,
			      unsigned int count)
{
	struct dp_null *n = to_null(dp);

	n->fail_op = op;
	n->fail_err = err;
	n->fail_count = count;
}
