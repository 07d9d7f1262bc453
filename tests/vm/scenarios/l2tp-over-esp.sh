#!/bin/bash
# l2tp-over-esp: L2TP/IPsec end to end, as far as it exists. The IPsec SA of
# ipsec-esp (IKEv1 PSK, ESP transport mode for udp/1701), then l2tpsrv on the
# server with no config file at all (embedded defaults: 0.0.0.0:1701) and
# Debian's xl2tpd on the client as the LAC, dialing from udp/1701. Both sides
# must report the tunnel and the call established with the same ids, and a
# capture on the wire must see the whole L2TP exchange as ESP, with no UDP
# 1701 in clear. Then l2tpsrv closes the tunnel: xl2tpd says so, l2tpsrv
# lists nothing and keeps running.
#
# xl2tpd starts the real pppd, which gets no answer (l2tpsrv has only the
# null data path): nothing here depends on PPP (see lib/l2tp.sh).
#
# With L2TPSRV_DEMO set (tests/vm/demo), it also tells the story.
#
# vm-kernels: 6.1 6.12
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"

LAC=vpn
trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
demo() { [ -n "${L2TPSRV_DEMO:-}" ]; }
story() { demo && printf '\n=== %s\n' "$*"; return 0; }

topo_standard
ipsec_l2tp_up

if demo; then
	story "1. IPsec: the client's charon brought up IKEv1 (PSK) and an ESP transport-mode SA for udp/1701"
	on server swanctl --list-sas | grep -vE '^ +(local|remote) +[0-9]'
	charon_log server | grep -o 'l2tpsrv: event=child_up .*' | sed 's/^/our charon plugin heard: /'
fi

# Capture on the wire (the switch between client and server), before
# anything speaks L2TP.
tcpdump -i wan -n -U --immediate-mode -w /run/wire.pcap 'esp or udp port 1701' 2>/run/tcpdump.err &
wait_for "tcpdump listens on the wire" 20 grep -q listening /run/tcpdump.err

l2tpsrv_start server --dataplane null # the control plane only
xl2tpd_start client "$LAC" 192.0.2.1
if demo; then
	story "2. l2tpsrv on the server, no config file (embedded defaults); xl2tpd on the client dials: c $LAC"
	l2tpsrv_log server | grep -E 'event=(listening|ready)'
fi

xl2tpd_command client "c $LAC"
check_within "l2tpsrv: one tunnel, one session, both established" 20 lns_established server
read -r LNS_TID LAC_TID LNS_SID LAC_SID peer host < <(lns_eval server '" ".join(str(v) for v in
	(lambda t, s: (t["id"], t["peer_id"], s["id"], s["peer_id"], t["peer"], t["host_name"]))
	(d["tunnels"][0], d["tunnels"][0]["sessions"][0]))')
check_eq "l2tpsrv: the tunnel's peer is xl2tpd on udp/1701" "192.0.2.10:1701 client" "$peer $host"
check_within "xl2tpd: Connection established, ids matching l2tpsrv's" 10 xl2tpd_log_has client \
	"Connection established to 192\.0\.2\.1, 1701\.  Local: $LAC_TID, Remote: $LNS_TID( |$)"
check_within "xl2tpd: Call established, ids matching l2tpsrv's" 10 xl2tpd_log_has client \
	"Call established with 192\.0\.2\.1, Local: $LAC_SID, Remote: $LNS_SID, Serial: [0-9]+"
lnslog=$(l2tpsrv_log server)
check "l2tpsrv logs the tunnel established" grep -qE \
	"tunnel=$LNS_TID peer=192\.0\.2\.10:1701 event=established peer_tunnel=$LAC_TID .*host=\"client\"" <<<"$lnslog"
check "l2tpsrv logs the session established" grep -qE \
	"tunnel=$LNS_TID session=$LNS_SID peer=192\.0\.2\.10:1701 event=established peer_session=$LAC_SID( |$)" <<<"$lnslog"

if demo; then
	story "3. The tunnel and the call are up on both sides, with the same ids"
	xl2tpd_log client | grep -oE '(Connection|Call) established .*' | sed 's/^/xl2tpd:  /'
	grep -E 'event=established' <<<"$lnslog" | sed 's/^/l2tpsrv: /'
	echo "--- server: l2tpctl list"
	l2tpctl_on server list
	echo "(xl2tpd has started pppd for the call; l2tpsrv's data path is null yet, so no PPP answers it)"
fi

# Teardown from l2tpsrv: StopCCN, which xl2tpd acknowledges.
check "l2tpctl close-tunnel $LNS_TID" l2tpctl_on server close-tunnel "$LNS_TID"
check_within "xl2tpd: the tunnel closed by l2tpsrv" 10 xl2tpd_log_has client \
	"control_finish: Connection closed to 192\.0\.2\.1, port 1701 .*Local: $LAC_TID, Remote: $LNS_TID"
check_within "l2tpsrv: no tunnel left" 10 lns_empty server
check_eq "l2tpctl list after the teardown" \
	"0 tunnels, 0 sessions (since start: 1 tunnels, 1 sessions established)" \
	"$(l2tpctl_on server list | head -1)"
check "l2tpsrv logs the tunnel freed" grep -qE "tunnel=$LNS_TID .*event=freed" <(l2tpsrv_log server)
check "l2tpsrv is still running" l2tpsrv_alive server
check_quiet "l2tpsrv still answers" l2tpctl_on server list

if demo; then
	story "4. Teardown from the server: l2tpctl close-tunnel $LNS_TID"
	xl2tpd_log client | grep -oE 'control_finish: Connection closed to .*' | sed 's/^/xl2tpd:  /'
	echo "--- server: l2tpctl list"
	l2tpctl_on server list
fi

sleep 0.5 # the capture's last packets
kill %tcpdump 2>/dev/null
wait %tcpdump 2>/dev/null

esp_in=$(tcpdump -r /run/wire.pcap -n 'esp and src 192.0.2.10 and dst 192.0.2.1' 2>/dev/null | wc -l)
esp_out=$(tcpdump -r /run/wire.pcap -n 'esp and src 192.0.2.1 and dst 192.0.2.10' 2>/dev/null | wc -l)
clear1701=$(tcpdump -r /run/wire.pcap -n 'udp port 1701' 2>/dev/null | wc -l)
# Client to server at least SCCRQ, SCCCN, ICRQ, ICCN; back at least SCCRP,
# ICRP, StopCCN.
check_ge "ESP packets client->server on the wire" 4 "$esp_in"
check_ge "ESP packets server->client on the wire" 3 "$esp_out"
check_eq "UDP 1701 in clear on the wire" 0 "$clear1701"
# What the capture saw as ESP went through the server's SA for udp/1701.
in_pkts=$(on server ip -s xfrm state list dst 192.0.2.1 proto esp |
	awk '/lifetime current:/ { cur = 1; next } cur { sub(/\(packets\)/, "", $2); print $2; exit }')
check_ge "server inbound ESP SA packet counter" "$esp_in" "$in_pkts"

if demo; then
	story "5. On the wire, from before the dial to after the teardown"
	echo "ESP client->server: $esp_in packets, ESP server->client: $esp_out packets, UDP 1701 in clear: $clear1701"
	tcpdump -r /run/wire.pcap -n 2>/dev/null | head -4
	echo "..."
fi

if [ "$CHECK_FAILED" != 0 ]; then
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | tail -60
	echo "--- client: xl2tpd log"
	xl2tpd_log client | tail -60
	echo "--- client: pppd log"
	on client cat /var/log/pppd.log 2>/dev/null | tail -20
	echo "--- the wire"
	tcpdump -r /run/wire.pcap -n 2>/dev/null | head -40
fi
check_done
