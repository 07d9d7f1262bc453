#!/bin/bash
# kernel-dataplane: l2tpsrv --dataplane kernel on the server, Debian's xl2tpd
# (userspace) on the client as the LAC; no IPsec. Once the tunnel and the call
# are up, the server's kernel must hold them ("ip l2tp show tunnel/session"
# with l2tpsrv's ids and the peer's), and the PPP frames of the client's pppd
# must reach the kernel's session rather than l2tpsrv. Control messages must
# still reach l2tpsrv through the tunnel socket the kernel now owns: l2tpctl
# close-session, then close-tunnel, go out as CDN and StopCCN, and xl2tpd's
# ZLB acknowledgements come back. After close-tunnel the kernel holds no
# tunnel and l2tpsrv keeps running.
#
# l2tpsrv starts a pppd for the call (the client authenticates as a user of
# lib/ppp.sh); ppp-kernel checks PPP itself. Here only the
# kernel's view counts: the client's PPP frames reach the kernel's session.
#
# vm-kernels: 6.1 6.12
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"

LAC=vpn
trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT

# Data messages the server's kernel received for session $2 of tunnel $1
# (l2tp_debugfs: "nr/ns tx pkts/bytes/errs rx pkts/bytes/errs" under the session).
kernel_session_rx() {
	on server cat /sys/kernel/debug/l2tp/tunnels | awk -v t="$1" -v s="$2" '
		$1 == "TUNNEL" { in_t = ($2 == t) }
		in_t && $1 == "SESSION" { in_s = ($2 == s ",") }
		in_t && in_s && $2 == "tx" && $4 == "rx" { split($5, rx, "/"); print rx[1]; exit }'
}

kernel_session_has_data() {
	[ "$(kernel_session_rx "$1" "$2")" -ge 1 ] 2>/dev/null
}

kernel_has_no_session() {
	[ -z "$(on server ip l2tp show session)" ]
}

kernel_has_no_tunnel() {
	[ -z "$(on server ip l2tp show tunnel)" ]
}

# On the wire: a ZLB from the client acknowledging our message $1 (CDN, StopCCN).
zlb_acknowledges() {
	tcpdump -r /run/wire.pcap -n 2>/dev/null | awk -v msg="$1" '
		/192\.0\.2\.1\.1701 > 192\.0\.2\.10\.1701:/ && index($0, "*MSGTYPE(" msg ")") &&
		    match($0, /Ns=[0-9]+/) { want = substr($0, RSTART + 3, RLENGTH - 3) + 1 }
		want != "" && /192\.0\.2\.10\.1701 > 192\.0\.2\.1\.1701:/ && / ZLB/ &&
		    match($0, /Nr=[0-9]+/) && substr($0, RSTART + 3, RLENGTH - 3) == want { found = 1 }
		END { exit !found }'
}

topo_standard
on server mkdir -p /etc/ppp
on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'
ppp_server_users server
modprobe l2tp_debugfs
on server mount -t debugfs debugfs /sys/kernel/debug

tcpdump -i wan -n -U --immediate-mode -w /run/wire.pcap 'udp port 1701' 2>/run/tcpdump.err &
wait_for "tcpdump listens on the wire" 20 grep -q listening /run/tcpdump.err

# plaintext L2TP between the hosts: no IPsec in this scenario
l2tpsrv_start server --dataplane kernel --allow-unencrypted
check "l2tpsrv runs with the kernel data path" grep -q 'event=ready dataplane=kernel' \
	<(l2tpsrv_log server)
XL2TPD_PPP_OPTIONS=$(ppp_client_options alice) xl2tpd_start client "$LAC" 192.0.2.1
xl2tpd_command client "c $LAC"
check_within "l2tpsrv: one tunnel, one session, both established" 20 lns_established server
read -r LNS_TID LAC_TID LNS_SID LAC_SID < <(lns_eval server '" ".join(str(v) for v in
	(lambda t, s: (t["id"], t["peer_id"], s["id"], s["peer_id"]))
	(d["tunnels"][0], d["tunnels"][0]["sessions"][0]))')
echo "  l2tpsrv: tunnel $LNS_TID (peer $LAC_TID), session $LNS_SID (peer $LAC_SID)"

tunnels=$(on server ip l2tp show tunnel)
sessions=$(on server ip l2tp show session)
echo "--- server: ip l2tp show tunnel"
echo "$tunnels"
echo "--- server: ip l2tp show session"
echo "$sessions"
check_eq "kernel: one tunnel" 1 "$(grep -c '^Tunnel ' <<<"$tunnels")"
check "kernel: tunnel $LNS_TID over UDP" grep -qx "Tunnel $LNS_TID, encap UDP" <<<"$tunnels"
check "kernel: the tunnel's peer tunnel is $LAC_TID" grep -qx "  Peer tunnel $LAC_TID" <<<"$tunnels"
check "kernel: the tunnel runs from 192.0.2.1 to 192.0.2.10" \
	grep -qx "  From 192.0.2.1 to 192.0.2.10" <<<"$tunnels"
check "kernel: the tunnel's UDP ports are 1701/1701" \
	grep -qx "  UDP source / dest ports: 1701/1701" <<<"$tunnels"
check_eq "kernel: one session" 1 "$(grep -c '^Session ' <<<"$sessions")"
check "kernel: session $LNS_SID in tunnel $LNS_TID" \
	grep -qx "Session $LNS_SID in tunnel $LNS_TID" <<<"$sessions"
check "kernel: the session's peer is session $LAC_SID in tunnel $LAC_TID" \
	grep -qx "  Peer session $LAC_SID, tunnel $LAC_TID" <<<"$sessions"

# The client's pppd sends an LCP Configure-Request every 3 s.
check_within "kernel: the session receives the client's PPP frames" 15 \
	kernel_session_has_data "$LNS_TID" "$LNS_SID"

# Control messages still reach l2tpsrv: a CDN goes out, xl2tpd's ZLB comes back.
check "l2tpctl close-session $LNS_TID $LNS_SID" l2tpctl_on server close-session "$LNS_TID" "$LNS_SID"
check_within "xl2tpd: the call closed by l2tpsrv" 10 xl2tpd_log_has client \
	"control_finish: Connection closed to 192\.0\.2\.1, serial [0-9]+ \(closed by the administrator\)"
check_within "l2tpsrv: the CDN acknowledged, no session left, nothing retransmitted" 10 \
	lns_state server 'len(d["tunnels"]) == 1 and d["tunnels"][0]["sessions"] == [] and
		d["tunnels"][0]["transport"]["unacked"] == 0 and d["tunnels"][0]["transport"]["retransmitted"] == 0'
check_within "on the wire: xl2tpd's ZLB acknowledges the CDN" 5 zlb_acknowledges CDN
check_within "kernel: no session left" 5 kernel_has_no_session
check "kernel: the tunnel stays" grep -qx "Tunnel $LNS_TID, encap UDP" <(on server ip l2tp show tunnel)

check "l2tpctl close-tunnel $LNS_TID" l2tpctl_on server close-tunnel "$LNS_TID"
check_within "xl2tpd: the tunnel closed by l2tpsrv" 10 xl2tpd_log_has client \
	"control_finish: Connection closed to 192\.0\.2\.1, port 1701 .*Local: $LAC_TID, Remote: $LNS_TID"
check_within "on the wire: xl2tpd's ZLB acknowledges the StopCCN" 5 zlb_acknowledges StopCCN
check_within "l2tpsrv: no tunnel left" 10 lns_empty server
check_within "kernel: no tunnel left (ip l2tp show tunnel is empty)" 10 kernel_has_no_tunnel
check "l2tpsrv is still running" l2tpsrv_alive server
check_quiet "l2tpsrv still answers" l2tpctl_on server list

if [ "$CHECK_FAILED" != 0 ]; then
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | tail -60
	echo "--- server: kernel l2tp state"
	on server cat /sys/kernel/debug/l2tp/tunnels
	echo "--- client: xl2tpd log"
	xl2tpd_log client | tail -60
	echo "--- the wire"
	tcpdump -r /run/wire.pcap -n 2>/dev/null | grep -v 'LCP' | head -40
fi
kill %tcpdump 2>/dev/null
wait %tcpdump 2>/dev/null
check_done
