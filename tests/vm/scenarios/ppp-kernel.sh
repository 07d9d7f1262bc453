#!/bin/bash
# ppp-kernel: one pppd per call. l2tpsrv --dataplane kernel on the server,
# Debian's xl2tpd in its kernel mode on the client as the LAC; no IPsec.
# When the call is established l2tpsrv starts one pppd on a PPPoL2TP socket
# for it (pppol2tp.so in LNS mode, our plugin, the options file at the
# default path /etc/ppp/options.l2tpsrv); the client authenticates with
# MS-CHAPv2 (pppd's chap-secrets), PPP comes up on both sides with the
# server's address and the pool's first one, whatever the options file
# says, and a ping crosses it. Then the two ways a call ends on our
# side: l2tpctl close-session (CDN, pppd stopped, nothing left, no zombie),
# and, after a redial, the server's pppd killed with SIGKILL (l2tpsrv sends
# CDN; the session leaves l2tpsrv and the kernel).
#
# vm-kernels: 6.1 6.12
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"

LAC=vpn
trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT

# noauth and the addresses are what l2tpsrv overrides
SERVER_PPP_OPTIONS='noauth
192.168.77.1:192.168.77.10
nodefaultroute
mtu 1400
mru 1400
lcp-echo-interval 5
logfile /var/log/pppd.log'

l2tpsrv_pid() {
	on server cat /run/l2tpsrv.pid
}

server_has_no_pppd() {
	[ -z "$(server_pppds server)" ]
}

# No child of l2tpsrv is a zombie (or any child at all is left).
no_zombie() {
	! ps -o stat= --ppid "$(l2tpsrv_pid)" | grep -q Z
}

kernel_has_no_session() {
	[ -z "$(on server ip l2tp show session)" ]
}

# The established call's ids as l2tpsrv lists them: TID PEER_TID SID PEER_SID.
call_ids() {
	lns_eval server '" ".join(str(v) for v in
		(lambda t, s: (t["id"], t["peer_id"], s["id"], s["peer_id"]))
		(d["tunnels"][0], d["tunnels"][0]["sessions"][0]))'
}

# Exactly one pppd, for tunnel $1 session $2, giving the client address $3: prints its pid.
the_pppd_for() {
	local pids cmdline
	pids=$(server_pppds server)
	[ "$(wc -w <<<"$pids")" = 1 ] || { echo "pppds: ${pids:-none}" >&2; return 1; }
	cmdline=$(tr '\0' ' ' <"/proc/$pids/cmdline")
	echo "  pppd $pids: $cmdline" >&2
	grep -q "plugin pppol2tp.so pppol2tp 3 pppol2tp_lns_mode pppol2tp_tunnel_id $1 pppol2tp_session_id $2 " \
		<<<"$cmdline" &&
		grep -q "plugin $PPP_PLUGIN_DIR/l2tpsrv.so l2tpsrv-socket /run/l2tpsrv/control l2tpsrv-tunnel $1 l2tpsrv-session $2 " <<<"$cmdline" &&
		grep -q "file /etc/ppp/options.l2tpsrv auth require-mschap-v2 192.168.42.1:$3 " <<<"$cmdline" &&
		grep -q "nodetach linkname l2tpsrv-$1-$2 $" <<<"$cmdline" &&
		echo "$pids"
}

topo_standard
modprobe l2tp_ppp
on server mkdir -p /etc/ppp
on server sh -c 'cat >/etc/ppp/options.l2tpsrv' <<<"$SERVER_PPP_OPTIONS"
ppp_server_users server

# plaintext L2TP between the hosts: no IPsec in this scenario
l2tpsrv_start server --dataplane kernel --allow-unencrypted
check "l2tpsrv runs with the kernel data path" grep -q 'event=ready dataplane=kernel' \
	<(l2tpsrv_log server)
XL2TPD_FORCE_USERSPACE=no XL2TPD_PPP_OPTIONS=$(ppp_client_options alice) \
	xl2tpd_start client "$LAC" 192.0.2.1
xl2tpd_command client "c $LAC"
check_within "l2tpsrv: one tunnel, one session, both established" 20 lns_established server
read -r LNS_TID LAC_TID LNS_SID LAC_SID < <(call_ids)
echo "  l2tpsrv: tunnel $LNS_TID (peer $LAC_TID), session $LNS_SID (peer $LAC_SID)"
check "xl2tpd uses its kernel mode" xl2tpd_log_has client 'Using l2tp kernel support'

check_within "server: ppp0 is 192.168.42.1 peer 192.168.42.10" 30 \
	ppp_addr_is server ppp0 192.168.42.1 192.168.42.10
check_within "client: ppp0 is 192.168.42.10 peer 192.168.42.1" 10 \
	ppp_addr_is client ppp0 192.168.42.10 192.168.42.1
check "client: ping -c 3 192.168.42.1 through PPP" on client ping -c 3 -W 5 192.168.42.1
check "l2tpctl: the session is established" lns_established server
PPPD=$(the_pppd_for "$LNS_TID" "$LNS_SID" 192.168.42.10)
check "server: exactly one pppd, for tunnel $LNS_TID session $LNS_SID" test -n "$PPPD"
check "l2tpsrv logged the pppd" grep -q \
	"tunnel=$LNS_TID session=$LNS_SID event=pppd_started pid=$PPPD address=192.168.42.10" \
	<(l2tpsrv_log server)

# (a) l2tpctl close-session: CDN, pppd stopped and reaped, kernel session gone.
check "l2tpctl close-session $LNS_TID $LNS_SID" l2tpctl_on server close-session "$LNS_TID" "$LNS_SID"
check_within "server: the call's pppd is gone" 5 server_has_no_pppd
check "server: no zombie child of l2tpsrv" no_zombie
check_within "kernel: no session left" 5 kernel_has_no_session
check_within "l2tpsrv: no session left" 5 \
	lns_state server 'len(d["tunnels"]) == 1 and d["tunnels"][0]["sessions"] == []'
check_within "xl2tpd: the call closed by l2tpsrv" 10 xl2tpd_log_has client \
	"control_finish: Connection closed to 192\.0\.2\.1, serial [0-9]+ \(closed by the administrator\)"

# (b) redial, then SIGKILL the server's pppd: l2tpsrv ends the call with CDN.
xl2tpd_command client "c $LAC"
check_within "l2tpsrv: the redialled call is established" 20 lns_established server
read -r LNS_TID LAC_TID LNS_SID LAC_SID < <(call_ids)
echo "  l2tpsrv: tunnel $LNS_TID (peer $LAC_TID), session $LNS_SID (peer $LAC_SID)"
check_within "server: ppp0 is up again" 30 ppp_addr_is server ppp0 192.168.42.1 192.168.42.11
PPPD=$(the_pppd_for "$LNS_TID" "$LNS_SID" 192.168.42.11)
check "server: exactly one pppd, for tunnel $LNS_TID session $LNS_SID" test -n "$PPPD"
check "kill -9 the server's pppd $PPPD" kill -9 "$PPPD"
check_within "l2tpsrv: the session is gone" 10 \
	lns_state server 'len(d["tunnels"]) == 1 and d["tunnels"][0]["sessions"] == []'
check "l2tpsrv logged the exit and the CDN" grep -q \
	"tunnel=$LNS_TID session=$LNS_SID peer=[^ ]* event=stop state=established result=2 error=0 reason=\"pppd killed by signal 9\"" \
	<(l2tpsrv_log server)
check_within "xl2tpd: the call closed by l2tpsrv" 10 xl2tpd_log_has client \
	"control_finish: Connection closed to 192\.0\.2\.1, serial [0-9]+ \(pppd killed by signal 9\)"
check_within "kernel: no session left" 5 kernel_has_no_session
check "server: no pppd" server_has_no_pppd
check "server: no zombie child of l2tpsrv" no_zombie
check "l2tpsrv is still running" l2tpsrv_alive server

if [ "$CHECK_FAILED" != 0 ]; then
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | tail -60
	echo "--- server: pppd log"
	on server cat /var/log/pppd.log | tail -40
	echo "--- client: xl2tpd log"
	xl2tpd_log client | tail -60
	echo "--- client: pppd log"
	on client cat /var/log/pppd.log | tail -40
fi
check_done
