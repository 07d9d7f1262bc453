/*
 * The IKE fields of a charon_proto record (../l2tpsrv/charon_proto.h):
 * what the records say of an IKE_SA (version, both endpoints, NAT, the
 * peer's identities and certificate), read from strongSwan objects into
 * strings and then added to a record. Shared by the bus listener
 * (l2tpsrv_listener.h) and the ike-fail listener (l2tpsrv_ike_fail.h).
 */
#ifndef L2TPSRV_IKE_INFO_H_
#define L2TPSRV_IKE_INFO_H_

#include <sa/ike_sa.h>

#include "l2tpsrv_msg.h"

/** longest identity or certificate subject we report, printed */
#define ID_MAX 1024

/** longest printed address */
#define ADDR_MAX 64

/**
 * The IKE fields of a record, printed but not yet encoded. An empty string
 * is a field left out.
 */
typedef struct {
	u_int ikev;
	char local[ADDR_MAX];
	uint16_t local_port;
	char remote[ADDR_MAX];
	uint16_t remote_port;
	bool nat_local;
	bool nat_remote;
	char remote_id[ID_MAX];
	char eap_id[ID_MAX];
	char xauth_id[ID_MAX];
	char cert[ID_MAX];
} ike_info_t;

/**
 * snprintf() with strongSwan's printf hooks (%Y, %H, ...). Not declared
 * with the format attribute, as GCC does not know these conversions.
 *
 * @return		FALSE (and buf empty) if the result did not fit
 */
bool l2tpsrv_print(char *buf, size_t len, char *fmt, ...);

/**
 * Read the IKE fields of an IKE_SA.
 *
 * @param local		our endpoint, NULL for the IKE_SA's
 * @param remote	the peer's endpoint, NULL for the IKE_SA's
 */
void l2tpsrv_ike_info_get(ike_info_t *info, ike_sa_t *ike_sa, host_t *local,
						  host_t *remote);

/**
 * Add the IKE fields.
 */
void l2tpsrv_ike_info_add(ike_info_t *info, l2tpsrv_msg_t *msg);

/**
 * Is an IKE_SA up as far as l2tpsrv is concerned: has it had its ike-up,
 * and no ike-down nor ike-rekey yet?
 */
bool l2tpsrv_ike_is_up(ike_sa_t *ike_sa);

#endif /* L2TPSRV_IKE_INFO_H_ */
