/*
 * Bus listener of the l2tpsrv plugin, see l2tpsrv_listener.h.
 *
 * Each callback reads what it needs from the SAs into strings, builds the
 * record and pushes it to the link; none waits for I/O. The SAs are checked
 * out by the calling thread throughout, which keeps the records of one SA
 * in order with the replay (which checks them out too).
 */
#include "l2tpsrv_listener.h"
#include "l2tpsrv_ike_info.h"

#include <stdio.h>

#include <daemon.h>
#include <collections/linked_list.h>
#include <threading/mutex.h>

/**
 * Migrations announced by the first children_migrate() call and not yet
 * completed by the second: at most this many (they pair up in one thread
 * at once, so more means some were abandoned)
 */
#define MIGRATIONS_MAX 32

typedef struct private_l2tpsrv_listener_t private_l2tpsrv_listener_t;

/**
 * CHILD_SAs about to move to another IKE_SA (IKEv1 reauthentication),
 * between the two children_migrate() calls.
 */
typedef struct {
	/** unique ID of the IKE_SA they move to */
	uint32_t new_unique;
	/** unique IDs of the CHILD_SAs that count */
	uint32_t *children;
	u_int count;
	/** IKE fields of the IKE_SA they leave, for a new one not yet up */
	ike_info_t old;
} migration_t;

struct private_l2tpsrv_listener_t {

	/**
	 * public interface
	 */
	l2tpsrv_listener_t public;

	/**
	 * where records go
	 */
	l2tpsrv_link_t *link;

	/**
	 * only transport-mode CHILD_SAs count
	 */
	bool transport_only;

	/**
	 * UDP port of L2TP at our end
	 */
	uint16_t l2tp_port;

	/**
	 * protects migrations
	 */
	mutex_t *mutex;

	/**
	 * migration_t*, oldest first
	 */
	linked_list_t *migrations;
};

/**
 * Add the IKE fields of an IKE_SA.
 */
static void add_ike(l2tpsrv_msg_t *msg, ike_sa_t *ike_sa)
{
	ike_info_t info;

	l2tpsrv_ike_info_get(&info, ike_sa, NULL, NULL);
	l2tpsrv_ike_info_add(&info, msg);
}

/**
 * Does a traffic selector carry UDP?
 */
static bool ts_is_udp(traffic_selector_t *ts)
{
	return ts->get_protocol(ts) == IPPROTO_UDP || ts->get_protocol(ts) == 0;
}

/**
 * Does a CHILD_SA count, and which UDP source ports may the peer use?
 */
static bool child_counts(private_l2tpsrv_listener_t *this,
						 child_sa_t *child_sa, uint16_t *low, uint16_t *high)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	bool local = FALSE, remote = FALSE;

	if (this->transport_only &&
		child_sa->get_mode(child_sa) != MODE_TRANSPORT)
	{
		return FALSE;
	}
	enumerator = child_sa->create_ts_enumerator(child_sa, TRUE);
	while (!local && enumerator->enumerate(enumerator, &ts))
	{
		local = ts_is_udp(ts) && ts->get_from_port(ts) <= this->l2tp_port &&
				this->l2tp_port <= ts->get_to_port(ts);
	}
	enumerator->destroy(enumerator);
	if (!local)
	{
		return FALSE;
	}
	*low = 0xffff;
	*high = 0;
	enumerator = child_sa->create_ts_enumerator(child_sa, FALSE);
	while (enumerator->enumerate(enumerator, &ts))
	{
		if (ts_is_udp(ts) && ts->get_from_port(ts) <= ts->get_to_port(ts))
		{
			remote = TRUE;
			*low = min(*low, ts->get_from_port(ts));
			*high = max(*high, ts->get_to_port(ts));
		}
	}
	enumerator->destroy(enumerator);
	return remote;
}

/**
 * charon_proto's name of a mode.
 */
static char *mode_name(ipsec_mode_t mode)
{
	switch (mode)
	{
		case MODE_TRANSPORT:
			return "transport";
		case MODE_TUNNEL:
			return "tunnel";
		case MODE_BEET:
			return "beet";
		case MODE_PASS:
			return "pass";
		case MODE_DROP:
			return "drop";
		default:
			return "none";
	}
}

/**
 * Add the CHILD fields.
 */
static void add_child(l2tpsrv_msg_t *msg, child_sa_t *child_sa, uint16_t low,
					  uint16_t high)
{
	char buf[32];
	mark_t mark;

	l2tpsrv_msg_add(msg, "name", child_sa->get_name(child_sa));
	l2tpsrv_msg_add(msg, "mode", mode_name(child_sa->get_mode(child_sa)));
	l2tpsrv_msg_add_uint(msg, "reqid", child_sa->get_reqid(child_sa));
	snprintf(buf, sizeof(buf), "%08x", ntohl(child_sa->get_spi(child_sa, TRUE)));
	l2tpsrv_msg_add(msg, "spi-in", buf);
	snprintf(buf, sizeof(buf), "%08x", ntohl(child_sa->get_spi(child_sa, FALSE)));
	l2tpsrv_msg_add(msg, "spi-out", buf);
	mark = child_sa->get_mark(child_sa, TRUE);
	snprintf(buf, sizeof(buf), "%x/%x", mark.value, mark.mask);
	l2tpsrv_msg_add(msg, "mark-in", buf);
	mark = child_sa->get_mark(child_sa, FALSE);
	snprintf(buf, sizeof(buf), "%x/%x", mark.value, mark.mask);
	l2tpsrv_msg_add(msg, "mark-out", buf);
	snprintf(buf, sizeof(buf), "%u-%u", low, high);
	l2tpsrv_msg_add(msg, "remote-ports", buf);
}

/**
 * Start a record: EVENT ike=U.
 */
static void start(l2tpsrv_msg_t *msg, char *event, ike_sa_t *ike_sa)
{
	l2tpsrv_msg_init(msg, event);
	l2tpsrv_msg_add_uint(msg, "ike", ike_sa->get_unique_id(ike_sa));
}

/**
 * Push a record to the link.
 */
static void emit(private_l2tpsrv_listener_t *this, l2tpsrv_msg_t *msg)
{
	if (l2tpsrv_msg_dropped(msg))
	{
		DBG1(DBG_CFG, "l2tpsrv: %u fields left out of a %d-byte record: "
			 "%.128s...", l2tpsrv_msg_dropped(msg), CHARON_MSG_MAX,
			 l2tpsrv_msg_data(msg));
	}
	DBG2(DBG_CFG, "l2tpsrv: %s", l2tpsrv_msg_data(msg));
	this->link->push(this->link, msg);
}

/**
 * Is a CHILD_SA installed and neither replaced nor on its way out?
 */
static bool child_is_up(child_sa_t *child_sa)
{
	switch (child_sa->get_state(child_sa))
	{
		case CHILD_INSTALLED:
		case CHILD_UPDATING:
		case CHILD_REKEYING:
			return TRUE;
		default:
			return FALSE;
	}
}

/**
 * Push child-up for a CHILD_SA, if it counts.
 *
 * @return		TRUE if it counts
 */
static bool child_up(private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa,
					 child_sa_t *child_sa)
{
	l2tpsrv_msg_t msg;
	uint16_t low, high;

	if (!child_counts(this, child_sa, &low, &high))
	{
		return FALSE;
	}
	start(&msg, "child-up", ike_sa);
	l2tpsrv_msg_add_uint(&msg, "child", child_sa->get_unique_id(child_sa));
	add_child(&msg, child_sa, low, high);
	add_ike(&msg, ike_sa);
	emit(this, &msg);
	return TRUE;
}

/**
 * Push child-down for a CHILD_SA.
 */
static void child_down(private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa,
					   child_sa_t *child_sa)
{
	l2tpsrv_msg_t msg;

	start(&msg, "child-down", ike_sa);
	l2tpsrv_msg_add_uint(&msg, "child", child_sa->get_unique_id(child_sa));
	emit(this, &msg);
}

/**
 * Free a pending migration.
 */
static void migration_destroy(migration_t *migration)
{
	free(migration->children);
	free(migration);
}

/**
 * Take the pending migration to an IKE_SA off the list.
 */
static migration_t *migration_take(private_l2tpsrv_listener_t *this,
								   uint32_t new_unique)
{
	enumerator_t *enumerator;
	migration_t *migration, *found = NULL;

	this->mutex->lock(this->mutex);
	enumerator = this->migrations->create_enumerator(this->migrations);
	while (enumerator->enumerate(enumerator, &migration))
	{
		if (migration->new_unique == new_unique)
		{
			this->migrations->remove_at(this->migrations, enumerator);
			found = migration;
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return found;
}

/**
 * First children_migrate() call, on the IKE_SA the CHILD_SAs leave: note
 * which of them count, and its IKE fields.
 */
static void migration_begin(private_l2tpsrv_listener_t *this, ike_sa_t *old,
							uint32_t new_unique)
{
	enumerator_t *enumerator;
	child_sa_t *child_sa;
	migration_t *migration, *stale;
	uint16_t low, high;

	INIT(migration,
		.new_unique = new_unique,
		.children = calloc(max(old->get_child_count(old), 1),
						   sizeof(uint32_t)),
	);
	enumerator = old->create_child_sa_enumerator(old);
	while (enumerator->enumerate(enumerator, &child_sa))
	{
		if (migration->count < old->get_child_count(old) &&
			child_counts(this, child_sa, &low, &high))
		{
			migration->children[migration->count++] =
											child_sa->get_unique_id(child_sa);
		}
	}
	enumerator->destroy(enumerator);
	if (!migration->count)
	{
		migration_destroy(migration);
		return;
	}
	l2tpsrv_ike_info_get(&migration->old, old, NULL, NULL);

	stale = migration_take(this, new_unique);
	if (stale)
	{
		migration_destroy(stale);
	}
	this->mutex->lock(this->mutex);
	if (this->migrations->get_count(this->migrations) >= MIGRATIONS_MAX &&
		this->migrations->remove_first(this->migrations,
									   (void**)&stale) == SUCCESS)
	{
		DBG1(DBG_CFG, "l2tpsrv: forgot migration of CHILD_SAs to IKE_SA %u",
			 stale->new_unique);
		migration_destroy(stale);
	}
	this->migrations->insert_last(this->migrations, migration);
	this->mutex->unlock(this->mutex);
}

/**
 * Is a CHILD_SA among those noted to migrate?
 */
static bool migration_has(migration_t *migration, uint32_t child)
{
	u_int i;

	for (i = 0; i < migration->count; i++)
	{
		if (migration->children[i] == child)
		{
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Second children_migrate() call, on the IKE_SA the CHILD_SAs joined:
 * push child-migrate for those noted, with the new IKE_SA's IKE fields if
 * it is up, else with the old one's (it is then a reauthentication we
 * initiated, whose new IKE_SA gets its ike-up when established).
 */
static void migration_end(private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa)
{
	enumerator_t *enumerator;
	child_sa_t *child_sa;
	migration_t *migration;
	l2tpsrv_msg_t msg;
	ike_info_t *info, current;
	uint16_t low, high;

	migration = migration_take(this, ike_sa->get_unique_id(ike_sa));
	if (!migration)
	{
		return;
	}
	info = &migration->old;
	if (l2tpsrv_ike_is_up(ike_sa))
	{
		l2tpsrv_ike_info_get(&current, ike_sa, NULL, NULL);
		info = &current;
	}
	enumerator = ike_sa->create_child_sa_enumerator(ike_sa);
	while (enumerator->enumerate(enumerator, &child_sa))
	{
		if (!migration_has(migration, child_sa->get_unique_id(child_sa)) ||
			!child_counts(this, child_sa, &low, &high))
		{
			continue;
		}
		start(&msg, "child-migrate", ike_sa);
		l2tpsrv_msg_add_uint(&msg, "child", child_sa->get_unique_id(child_sa));
		/* not required by charon_proto; lets l2tpsrv take a CHILD_SA it
		 * does not know as if it came up */
		add_child(&msg, child_sa, low, high);
		l2tpsrv_ike_info_add(info, &msg);
		emit(this, &msg);
	}
	enumerator->destroy(enumerator);
	migration_destroy(migration);
}

METHOD(listener_t, ike_updown, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	l2tpsrv_msg_t msg;
	migration_t *migration;

	if (up)
	{
		start(&msg, "ike-up", ike_sa);
		add_ike(&msg, ike_sa);
	}
	else
	{
		start(&msg, "ike-down", ike_sa);
		migration = migration_take(this, ike_sa->get_unique_id(ike_sa));
		if (migration)
		{
			migration_destroy(migration);
		}
	}
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	l2tpsrv_msg_t msg;

	start(&msg, "ike-rekey", old);
	l2tpsrv_msg_add_uint(&msg, "new", new->get_unique_id(new));
	add_ike(&msg, new);
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, ike_update, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, host_t *local,
	host_t *remote)
{
	l2tpsrv_msg_t msg;
	ike_info_t info;

	/* NAT-T's port switch during IKE_AUTH comes before ike-up */
	if (!l2tpsrv_ike_is_up(ike_sa))
	{
		return TRUE;
	}
	start(&msg, "ike-update", ike_sa);
	l2tpsrv_ike_info_get(&info, ike_sa, local, remote);
	l2tpsrv_ike_info_add(&info, &msg);
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, child_updown, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	if (up)
	{
		child_up(this, ike_sa, child_sa);
	}
	else
	{
		child_down(this, ike_sa, child_sa);
	}
	return TRUE;
}

METHOD(listener_t, child_rekey, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, child_sa_t *old,
	child_sa_t *new)
{
	l2tpsrv_msg_t msg;
	uint16_t low, high;

	/* the traffic selectors may change in a rekeying, rarely as it is */
	if (!child_counts(this, old, &low, &high))
	{
		child_up(this, ike_sa, new);
		return TRUE;
	}
	if (!child_counts(this, new, &low, &high))
	{	/* no child_updown() follows for a rekeyed CHILD_SA */
		child_down(this, ike_sa, old);
		return TRUE;
	}
	start(&msg, "child-rekey", ike_sa);
	l2tpsrv_msg_add_uint(&msg, "child", old->get_unique_id(old));
	l2tpsrv_msg_add_uint(&msg, "new", new->get_unique_id(new));
	add_child(&msg, new, low, high);
	add_ike(&msg, ike_sa);
	emit(this, &msg);
	return TRUE;
}

METHOD(listener_t, children_migrate, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, ike_sa_id_t *new,
	uint32_t unique)
{
	/* both calls come from one thread, with the IKE_SA the CHILD_SAs leave
	 * (new set) and then the one they joined (new NULL) as the bus's SA;
	 * see adopt_children_job.c, ike_sa_manager.c's adopt_children_and_vips()
	 * and task_manager_v1.c's queue_ike_reauth() */
	if (!ike_sa)
	{
		return TRUE;
	}
	if (new)
	{
		migration_begin(this, ike_sa, unique);
	}
	else
	{
		migration_end(this, ike_sa);
	}
	return TRUE;
}

METHOD(l2tpsrv_listener_t, replay, u_int,
	private_l2tpsrv_listener_t *this)
{
	enumerator_t *enumerator, *children;
	ike_sa_t *ike_sa;
	child_sa_t *child_sa;
	l2tpsrv_msg_t msg;
	u_int count = 0;

	enumerator = charon->ike_sa_manager->create_enumerator(
											charon->ike_sa_manager, TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		if (!l2tpsrv_ike_is_up(ike_sa))
		{
			continue;
		}
		start(&msg, "ike-up", ike_sa);
		add_ike(&msg, ike_sa);
		emit(this, &msg);

		children = ike_sa->create_child_sa_enumerator(ike_sa);
		while (children->enumerate(children, &child_sa))
		{
			if (child_is_up(child_sa) && child_up(this, ike_sa, child_sa))
			{
				count++;
			}
		}
		children->destroy(children);
	}
	enumerator->destroy(enumerator);
	return count;
}

METHOD(l2tpsrv_listener_t, destroy, void,
	private_l2tpsrv_listener_t *this)
{
	this->migrations->destroy_function(this->migrations,
									   (void*)migration_destroy);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * See header
 */
l2tpsrv_listener_t *l2tpsrv_listener_create(l2tpsrv_link_t *link,
											bool transport_only,
											uint16_t l2tp_port)
{
	private_l2tpsrv_listener_t *this;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
				.ike_rekey = _ike_rekey,
				.ike_update = _ike_update,
				.child_updown = _child_updown,
				.child_rekey = _child_rekey,
				.children_migrate = _children_migrate,
			},
			.replay = _replay,
			.destroy = _destroy,
		},
		.link = link,
		.transport_only = transport_only,
		.l2tp_port = l2tp_port,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.migrations = linked_list_create(),
	);
	return &this->public;
}
