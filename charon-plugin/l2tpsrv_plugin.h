/*
 * l2tpsrv charon plugin: tells l2tpsrv which peers have a live ESP
 * transport-mode CHILD_SA for L2TP, so that it accepts L2TP only from them.
 */
#ifndef L2TPSRV_PLUGIN_H_
#define L2TPSRV_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct l2tpsrv_plugin_t l2tpsrv_plugin_t;

struct l2tpsrv_plugin_t {

	/**
	 * implements plugin interface
	 */
	plugin_t plugin;
};

#endif /* L2TPSRV_PLUGIN_H_ */
