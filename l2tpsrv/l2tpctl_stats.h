/*
 * l2tpctl stats: the server's counters (CTL_STATS, struct ctl_stats) as
 * aligned "name value" lines in groups, or as one JSON object whose
 * members nest as the names' dots say ("radius.auth.requests" is
 * {"radius":{"auth":{"requests":...}}}).
 */
#ifndef L2TPCTL_STATS_H
#define L2TPCTL_STATS_H

#include <stdbool.h>

#include "ctl_proto.h"

void l2tpctl_print_stats(const struct ctl_stats *s, bool json);

#endif
