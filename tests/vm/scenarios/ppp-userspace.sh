#!/bin/bash
# ppp-userspace: the same on the userspace data path (pppd on a pty, frames
# moved by l2tpsrv), chosen with --dataplane userspace; see lib/ppp-e2e.sh for what is checked.
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"
. "$VM_LIB/ppp-e2e.sh"

ppp_e2e userspace
check_done
