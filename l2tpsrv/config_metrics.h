/*
 * config_metrics: the metrics keys of l2tpsrv.conf (metrics, checked
 * against metrics_allow_remote), apart from config.c as config_ppp.c and
 * config_radius.c are. Internal to the config parser.
 */
#ifndef L2TPSRV_CONFIG_METRICS_H
#define L2TPSRV_CONFIG_METRICS_H

#include "config_ppp.h"

extern const struct config_split_key config_metrics_address;

/*
 * The check between the keys once the whole text is read: the metrics
 * page, which has no authentication, is served on a loopback address
 * only, unless metrics_allow_remote. False with the problem in why.
 */
bool config_metrics_check(const struct l2tpsrv_config *c, char why[CONFIG_WHY_MAX]);

#endif
