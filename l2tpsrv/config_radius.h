/*
 * config_radius: the RADIUS keys of l2tpsrv.conf that need more than
 * config.c's plain types (radius_auth_server, radius_acct_server,
 * radius_nas_ip), and the defaults of every RADIUS key.
 *
 * Internal to the config parser, as config_ppp.h. The servers' secrets
 * never appear in a message nor in the dump.
 */
#ifndef L2TPSRV_CONFIG_RADIUS_H
#define L2TPSRV_CONFIG_RADIUS_H

#include "config_ppp.h"

extern const struct config_split_key config_radius_auth_server;
extern const struct config_split_key config_radius_acct_server;
extern const struct config_split_key config_radius_nas_ip;
extern const struct config_split_key config_radius_dae_client;

/* No servers, timeout 3s, 2 retries, dead time 30s, NAS-Identifier the
 * host name (set host_name first), no NAS-IP-Address. */
void config_radius_defaults(struct l2tpsrv_config *c);

#endif
