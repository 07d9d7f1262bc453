/*
 * l2tpsrv charon plugin, see l2tpsrv_plugin.h.
 */
#include "l2tpsrv_plugin.h"
#include "l2tpsrv_listener.h"

#include <daemon.h>

typedef struct private_l2tpsrv_plugin_t private_l2tpsrv_plugin_t;

struct private_l2tpsrv_plugin_t {

	/**
	 * implements plugin interface
	 */
	l2tpsrv_plugin_t public;

	/**
	 * listener for IKE_SA and CHILD_SA events
	 */
	l2tpsrv_listener_t *listener;
};

METHOD(plugin_t, get_name, char*,
	private_l2tpsrv_plugin_t *this)
{
	return "l2tpsrv";
}

/**
 * Register or unregister the listener.
 */
static bool plugin_cb(private_l2tpsrv_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	if (reg)
	{
		this->listener = l2tpsrv_listener_create();
		charon->bus->add_listener(charon->bus, &this->listener->listener);
	}
	else
	{
		charon->bus->remove_listener(charon->bus, &this->listener->listener);
		this->listener->destroy(this->listener);
		this->listener = NULL;
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
