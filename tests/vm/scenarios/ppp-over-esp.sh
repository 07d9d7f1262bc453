#!/bin/bash
# ppp-over-esp: the whole product on the kernel data path (PPPoL2TP), on
# embedded defaults; see lib/ppp-e2e.sh for what is checked.
#
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"
. "$VM_LIB/ppp-e2e.sh"

ppp_e2e kernel
check_done
