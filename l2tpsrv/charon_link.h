/*
 * charon_link: the socket our charon plugin connects to (charon_proto.h).
 *
 * It listens, takes one connection at a time from root (a newer one
 * replaces the older), reads its records and hands each parsed event on,
 * and sends it requests. What the events mean is ipsec.c's business.
 */
#ifndef L2TPSRV_CHARON_LINK_H
#define L2TPSRV_CHARON_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "charon_msg.h"

struct charon_link_ops {
	void (*event)(void *ctx, const struct charon_event *ev);
	/* The plugin's connection ended and no other is there: charon is gone. */
	void (*lost)(void *ctx);
};

struct charon_link;

/* Returns 0 or a negative errno (logged). */
int charon_link_new(struct charon_link **out, sd_event *event, const char *path,
		    const struct charon_link_ops *ops, void *ctx);
struct charon_link *charon_link_free(struct charon_link *link);
bool charon_link_connected(const struct charon_link *link);

/*
 * Asks the plugin to delete IKE SA ike_uid and its CHILD_SAs (charon tells
 * the peer); reason goes to charon's log. Returns 0 once the request is
 * sent (ike-down follows), -ENOTCONN without a plugin, -EOPNOTSUPP if its
 * hello did not say requests=1 (an older plugin, or no hello yet), -EINVAL
 * for ike_uid 0, -EMSGSIZE for a reason too long for a record, or send()'s
 * negative errno (-EAGAIN: the plugin is not reading).
 */
int charon_link_terminate_ike(struct charon_link *link, uint32_t ike_uid, const char *reason);

#endif
