/*
 * config_reload: what a reload (SIGHUP, l2tpctl reload) may change.
 *
 * A reload loads the file anew into a fresh struct (config_load: an error
 * is refused as "file:line: problem" and the running settings stay), then
 * config_keep_restart_only() puts back the running values of the settings
 * that only a restart can change, and names them, so that the admin is
 * told; everything else (pools, limits, PPP options and authentication,
 * RADIUS servers and timings, accounting interval, log level) applies to
 * the sessions that start after the reload. Live sessions keep what they
 * were started with.
 *
 * Restart only: the sockets and the data path (listen, control_socket,
 * charon_socket, dataplane, allow_unencrypted, mss_clamp), what live
 * tunnels depend on (secret, hide_avps, host_name, hello_interval and the
 * retransmission settings), what RADIUS requests are signed as
 * (radius_nas_identifier, radius_nas_ip), the Disconnect/CoA listener
 * (radius_dae_client, radius_dae_port), the metrics listener (metrics,
 * metrics_allow_remote), and turning RADIUS authentication or accounting
 * on or off (their servers may change while both have some).
 */
#ifndef L2TPSRV_CONFIG_RELOAD_H
#define L2TPSRV_CONFIG_RELOAD_H

#include <stddef.h>

#include "config.h"

/*
 * Copies into next cur's values of the restart-only settings where they
 * differ, and writes their names, space-separated, to changed ("" when
 * none). Returns how many there were.
 */
unsigned int config_keep_restart_only(struct l2tpsrv_config *next,
				      const struct l2tpsrv_config *cur, char *changed,
				      size_t changed_len);

#endif
