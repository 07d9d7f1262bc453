/*
 * eap_pppd: the peer's EAP authentication relayed to RADIUS through
 * l2tpsrv, the glue to pppd's EAP code; see eap_pppd.c.
 *
 * Include after <pppd/pppd.h>.
 */
#ifndef L2TPSRV_PPPD_EAP_PPPD_H
#define L2TPSRV_PPPD_EAP_PPPD_H

#include "ctl_proto.h"

/*
 * One CTL_EAP round with l2tpsrv: *reply gets the answer, or a
 * CTL_AUTH_ERROR when l2tpsrv could not be asked (logged by the caller).
 */
typedef void eap_pppd_ask_fn(const struct ctl_eap_request *rq, struct ctl_eap_reply *reply);
/* Applies what an accept grants (address, limits, MTU, DNS), as for CTL_AUTH. */
typedef void eap_pppd_grant_fn(const struct ctl_auth_reply *grant);

#pragma GCC visibility push(hidden)

/*
 * Puts the relay in front of pppd's EAP input (eap_protent), passing
 * everything through until eap_pppd_enable(). Call once, from
 * plugin_init(): options are parsed after it.
 */
void eap_pppd_install(void);

/* From the option l2tpsrv-radius on: the peer's EAP Responses go to l2tpsrv. */
void eap_pppd_enable(eap_pppd_ask_fn *ask, eap_pppd_grant_fn *grant);

#pragma GCC visibility pop

#endif
