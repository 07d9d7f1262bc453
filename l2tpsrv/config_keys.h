/*
 * config_keys: the table of l2tpsrv.conf's keys, shared by config.c, which
 * reads a file into struct l2tpsrv_config, and config_dump.c, which writes
 * one back as keys (l2tpsrv --check-config).
 *
 * Private to config*.c: nothing else includes this; config.h is the
 * interface. The tables are defined in config.c.
 */
#ifndef L2TPSRV_CONFIG_KEYS_H
#define L2TPSRV_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "config_ppp.h"

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC (1000 * USEC_PER_MSEC)
#define USEC_PER_MIN (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)

enum key_id {
	K_LISTEN,
	K_HOST_NAME,
	K_SECRET,
	K_HIDE_AVPS,
	K_HELLO_INTERVAL,
	K_RETRANSMIT_INITIAL,
	K_RETRANSMIT_MAX,
	K_RETRANSMIT_COUNT,
	K_ACK_DELAY,
	K_RECEIVE_WINDOW,
	K_MAX_TUNNELS,
	K_MAX_SESSIONS,
	K_MAX_TUNNELS_PER_PEER,
	K_MAX_SESSIONS_PER_TUNNEL,
	K_PPPD_OPTIONS,
	K_PPPD_PLUGIN,
	K_POOL,
	K_LOCAL_IP,
	K_DNS,
	K_PPP_MTU,
	K_PPP_MRU,
	K_PPP_AUTH,
	K_MSS_CLAMP,
	K_DATAPLANE,
	K_NAT_DATAPATH,
	K_CONTROL_SOCKET,
	K_CHARON_SOCKET,
	K_ALLOW_UNENCRYPTED,
	K_RADIUS_AUTH_SERVER,
	K_RADIUS_ACCT_SERVER,
	K_RADIUS_TIMEOUT,
	K_RADIUS_RETRIES,
	K_RADIUS_DEAD_TIME,
	K_RADIUS_NAS_IDENTIFIER,
	K_RADIUS_NAS_IP,
	K_RADIUS_ACCT_INTERIM,
	K_RADIUS_DAE_CLIENT,
	K_RADIUS_DAE_PORT,
	K_RADIUS_DAE_TERMINATE_IKE,
	K_METRICS,
	K_METRICS_ALLOW_REMOTE,
	K_LOG_LEVEL,
	N_KEYS
};

enum key_type {
	T_LISTEN,
	T_HOST_NAME,
	T_SECRET,
	T_BOOL,
	T_DURATION,	/* uint64_t microseconds */
	T_DURATION_MS,	/* unsigned int milliseconds */
	T_DURATION_S,	/* unsigned int seconds */
	T_NUMBER,	/* unsigned integer of the field's size */
	T_PATH,
	T_LOG_LEVEL,
	T_SPLIT,	/* parsed and written in a file of its own, see config_split_keys */
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset, size;	/* of the field in struct l2tpsrv_config */
	uint64_t min, max;	/* T_NUMBER; T_DURATION* in microseconds */
};

struct config_log_level {
	const char *name;
	int prio;
};

/* Every key, in the order config_dump() writes them. */
extern const struct key config_keys[N_KEYS];
/* The T_SPLIT keys' own parsers and writers; NULL for the other keys. */
extern const struct config_split_key *const config_split_keys[N_KEYS];
/* log_level's names, most severe first. */
#define CONFIG_N_LOG_LEVELS 5
extern const struct config_log_level config_log_levels[CONFIG_N_LOG_LEVELS];

/* A duration as it reads back: the largest unit that states usec exactly
 * ("90s", "2m"); below a millisecond rounds up. Returns buf. */
const char *config_format_duration(uint64_t usec, char buf[32]);

static inline bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Microseconds in one of what a T_DURATION* field stores. */
static inline uint64_t duration_unit(const struct key *k)
{
	return k->type == T_DURATION_S ? USEC_PER_SEC : k->type == T_DURATION_MS ? USEC_PER_MSEC : 1;
}

#endif
