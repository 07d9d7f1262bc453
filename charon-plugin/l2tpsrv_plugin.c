/*
 * l2tpsrv charon plugin, see l2tpsrv_plugin.h.
 *
 * Reads the settings (documented in l2tpsrv.conf) and wires the layers:
 * the listeners turn bus events into records (the SAs that come up and go,
 * and failed negotiations), the link sends them, and requests the link
 * receives from l2tpsrv become controller calls.
 */
#include "l2tpsrv_plugin.h"
#include "l2tpsrv_ike_fail.h"
#include "l2tpsrv_listener.h"
#include "l2tpsrv_link.h"

#include <daemon.h>
#include <processing/jobs/callback_job.h>

/** defaults of the settings, see l2tpsrv.conf */
#define DEFAULT_L2TP_PORT 1701
#define DEFAULT_RECONNECT_INTERVAL 1
#define MAX_RECONNECT_INTERVAL 3600
#define DEFAULT_QUEUE_LIMIT 10000

typedef struct private_l2tpsrv_plugin_t private_l2tpsrv_plugin_t;

struct private_l2tpsrv_plugin_t {

	/**
	 * implements plugin interface
	 */
	l2tpsrv_plugin_t public;

	/**
	 * link to l2tpsrv
	 */
	l2tpsrv_link_t *link;

	/**
	 * listener for IKE_SA and CHILD_SA events
	 */
	l2tpsrv_listener_t *listener;

	/**
	 * listener for failed IKE negotiations
	 */
	l2tpsrv_ike_fail_t *ike_fail;
};

METHOD(plugin_t, get_name, char*,
	private_l2tpsrv_plugin_t *this)
{
	return "l2tpsrv";
}

/**
 * The link's replay callback.
 */
static u_int replay(private_l2tpsrv_plugin_t *this)
{
	return this->listener->replay(this->listener);
}

/**
 * A terminate-ike request, as a job: the controller checks the IKE_SA out,
 * which may wait, so not on the link's thread (it would hold up records).
 * Without a callback, terminate_ike() only queues the delete (the peer is
 * told) and logs by itself if there is no such IKE_SA; the ike-down that
 * follows is l2tpsrv's answer.
 */
static job_requeue_t terminate_ike(l2tpsrv_request_t *req)
{
	charon->controller->terminate_ike(charon->controller, req->ike, FALSE,
									  NULL, NULL, 0);
	return JOB_REQUEUE_NONE;
}

/**
 * The link's receive callback: a request from l2tpsrv.
 */
static void receive(private_l2tpsrv_plugin_t *this, const char *record,
					size_t len)
{
	l2tpsrv_request_t *req;
	char err[128];

	req = malloc_thing(l2tpsrv_request_t);
	if (!l2tpsrv_msg_parse_request(record, len, req, err, sizeof(err)))
	{
		DBG1(DBG_CFG, "l2tpsrv: ignored a request: %s", err);
		free(req);
		return;
	}
	DBG1(DBG_CFG, "l2tpsrv: deleting IKE_SA with unique ID %u: %s",
		 req->ike, req->reason);
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create((callback_job_cb_t)terminate_ike, req,
										(callback_job_cleanup_t)free, NULL));
}

/**
 * Read a setting that must be an integer in [min, max].
 */
static int get_int_in(char *key, int def, int min, int max)
{
	int value;

	value = lib->settings->get_int(lib->settings, "%s.plugins.l2tpsrv.%s",
								   def, lib->ns, key);
	if (value < min || value > max)
	{
		DBG1(DBG_CFG, "l2tpsrv: %s = %d is not in %d..%d, using %d", key,
			 value, min, max, def);
		return def;
	}
	return value;
}

/**
 * Stop the listeners, then the link (its thread may be replaying through
 * the listener), then free the listeners.
 */
static void stop(private_l2tpsrv_plugin_t *this)
{
	charon->bus->remove_listener(charon->bus, &this->listener->listener);
	charon->bus->remove_listener(charon->bus, &this->ike_fail->listener);
	this->link->destroy(this->link);
	this->listener->destroy(this->listener);
	this->ike_fail->destroy(this->ike_fail);
	this->link = NULL;
	this->listener = NULL;
	this->ike_fail = NULL;
}

/**
 * Create the link and listeners and start them.
 */
static bool start(private_l2tpsrv_plugin_t *this)
{
	char *path;
	bool transport_only;
	u_int reconnect, queue_limit, port;

	path = lib->settings->get_str(lib->settings,
						"%s.plugins.l2tpsrv.socket", CHARON_DEFAULT_SOCKET,
						lib->ns);
	transport_only = lib->settings->get_bool(lib->settings,
						"%s.plugins.l2tpsrv.transport_only", TRUE, lib->ns);
	port = get_int_in("l2tp_port", DEFAULT_L2TP_PORT, 1, 65535);
	reconnect = lib->settings->get_time(lib->settings,
						"%s.plugins.l2tpsrv.reconnect_interval",
						DEFAULT_RECONNECT_INTERVAL, lib->ns);
	queue_limit = get_int_in("queue_limit", DEFAULT_QUEUE_LIMIT, 1, INT_MAX);

	if (reconnect < 1 || reconnect > MAX_RECONNECT_INTERVAL)
	{
		DBG1(DBG_CFG, "l2tpsrv: reconnect_interval = %us is not in 1..%us, "
			 "using %us", reconnect, MAX_RECONNECT_INTERVAL,
			 DEFAULT_RECONNECT_INTERVAL);
		reconnect = DEFAULT_RECONNECT_INTERVAL;
	}

	this->link = l2tpsrv_link_create(path, reconnect * 1000,
									 queue_limit);
	if (!this->link)
	{
		return FALSE;
	}
	this->listener = l2tpsrv_listener_create(this->link, transport_only,
											 port);
	this->ike_fail = l2tpsrv_ike_fail_create(this->link);
	charon->bus->add_listener(charon->bus, &this->listener->listener);
	charon->bus->add_listener(charon->bus, &this->ike_fail->listener);
	if (!this->link->start(this->link, (l2tpsrv_link_replay_t)replay,
						   (l2tpsrv_link_receive_t)receive, this))
	{
		DBG1(DBG_CFG, "l2tpsrv: creating the sender thread failed");
		stop(this);
		return FALSE;
	}
	DBG1(DBG_CFG, "l2tpsrv plugin %s loaded, reporting to %s",
		 L2TPSRV_VERSION, path);
	return TRUE;
}

/**
 * Register or unregister the listeners.
 */
static bool plugin_cb(private_l2tpsrv_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	if (reg)
	{
		return start(this);
	}
	if (this->listener)
	{
		stop(this);
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_l2tpsrv_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "l2tpsrv"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_l2tpsrv_plugin_t *this)
{
	free(this);
}

/*
 * Called by charon's plugin loader (name derived from the plugin name).
 */
plugin_t *l2tpsrv_plugin_create(void);
plugin_t *l2tpsrv_plugin_create()
{
	private_l2tpsrv_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);
	return &this->public.plugin;
}
