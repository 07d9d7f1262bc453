#!/bin/bash
# ipsec-esp: the bed's proof. Two charons, client and server, bring up IKEv1
# with a PSK and an ESP transport-mode CHILD_SA for udp/1701, as Windows and
# macOS clients do. UDP to port 1701 must then cross the wire as ESP only:
# the payload arrives, the inbound SA's counters rise, and a capture on the
# wire sees ESP and no UDP 1701 in clear. UDP to port 1702, which no SA
# covers, must be seen in clear by the same capture: that shows the capture
# would catch plaintext L2TP if ESP were not used.
# The server's charon loads our plugin, whose events must name the SA.
#
# vm-kernels: 6.1 6.12
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/check.sh"

PROBES=10
trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
topo_standard

ipsec_l2tp_up

# Capture on the wire (the switch between client and server).
tcpdump -i wan -n -U -w /run/wire.pcap 'esp or udp port 1701 or udp port 1702' 2>/run/tcpdump.err &
wait_for "tcpdump listens on the wire" 20 grep -q listening /run/tcpdump.err

on server sh -c 'exec socat -u UDP4-RECV:1701 OPEN:/run/recv1701,creat,append' &
on server sh -c 'exec socat -u UDP4-RECV:1702 OPEN:/run/recv1702,creat,append' &
listening() { local l; l=$(on server ss -Hlun); [[ $l == *":1701 "* && $l == *":1702 "* ]]; }
wait_for "server listens on udp/1701 and udp/1702" 20 listening
send() { # PORT: PROBES datagrams from client port PORT to server port PORT
	on client bash -c 'for ((i = 1; i <= $1; i++)); do
		echo "probe-$2-$i" | socat -u - "UDP4-SENDTO:192.0.2.1:$2,sourceport=$2"
	done' send "$PROBES" "$1"
}
send 1701
send 1702
received() { [ "$(on server cat /run/recv1701 /run/recv1702 2>/dev/null | wc -l)" -ge $((2 * PROBES)) ]; }
wait_for "server received the probes" 10 received
# tcpdump -U writes each packet as it comes, but under TCG it may come a
# while after the receiver had it: wait for the capture to hold all probes.
captured() {
	[ "$(tcpdump -r /run/wire.pcap -n 'udp port 1702 or esp' 2>/dev/null | wc -l)" -ge $((2 * PROBES)) ]
}
wait_for "the capture holds the probes" 10 captured
kill %tcpdump 2>/dev/null
wait %tcpdump 2>/dev/null

got1701=$(on server grep -c '^probe-1701-' /run/recv1701)
got1702=$(on server grep -c '^probe-1702-' /run/recv1702)
check_eq "server got every udp/1701 probe" "$PROBES" "$got1701"
check_eq "server got every udp/1702 probe" "$PROBES" "$got1702"

esp=$(tcpdump -r /run/wire.pcap -n 'esp and src 192.0.2.10 and dst 192.0.2.1' 2>/dev/null | wc -l)
clear1701=$(tcpdump -r /run/wire.pcap -n 'udp port 1701' 2>/dev/null | wc -l)
clear1702=$(tcpdump -r /run/wire.pcap -n 'udp port 1702' 2>/dev/null | wc -l)
check_ge "ESP packets client->server on the wire" "$PROBES" "$esp"
check_eq "UDP 1701 in clear on the wire" 0 "$clear1701"
check_ge "the capture sees unprotected UDP (1702) in clear" "$PROBES" "$clear1702"

# The server's inbound SA (dst 192.0.2.1) counted the probes.
in_pkts=$(on server ip -s xfrm state list dst 192.0.2.1 proto esp |
	awk '/lifetime current:/ { cur = 1; next } cur { sub(/\(packets\)/, "", $2); print $2; exit }')
check_ge "server inbound ESP SA packet counter" "$PROBES" "$in_pkts"
in_spi=$(on server ip xfrm state list dst 192.0.2.1 proto esp | awk '/spi/ { print $4; exit }')
mode=$(on server ip xfrm state list dst 192.0.2.1 proto esp | grep -o -m1 'mode [a-z]*' | cut -d' ' -f2)
check_eq "server inbound SA is transport mode" transport "$mode"

if [ -n "${L2TPSRV_DEMO:-}" ]; then
	echo "--- server: swanctl --list-sas"
	on server swanctl --list-sas
	echo "--- server: ip -s xfrm state (inbound; keys masked)"
	on server ip -s xfrm state list dst 192.0.2.1 proto esp |
		sed -E 's/0x[0-9a-f]{16,}/<key>/g'

	echo "--- on the wire between client and server (first packets of each kind)"
	tcpdump -r /run/wire.pcap -n 'esp' 2>/dev/null | head -3
	tcpdump -r /run/wire.pcap -n 'udp' 2>/dev/null | head -3
	echo "--- server: what the l2tpsrv charon plugin heard"
	charon_log server | grep -o 'l2tpsrv: .*'
fi

# Our charon plugin heard the CHILD_SA come up, with the kernel's SPI, and
# go down with its IKE SA (records as it sends them to l2tpsrv, logged at
# cfg level 2; l2tpsrv/charon_proto.h describes them).
on client swanctl --terminate --ike l2tp --timeout 30 >/dev/null
ike_down_logged() { charon_log server | grep -q 'l2tpsrv: ike-down '; }
wait_for "server handled the DELETE" 20 ike_down_logged
log=$(charon_log server)
check "server charon loaded the l2tpsrv plugin" grep -q "loaded plugins:.* l2tpsrv" <<<"$log"
up=$(grep -o 'l2tpsrv: child-up .*' <<<"$log" | head -1)
echo "  plugin said: $up"
check "plugin reports the CHILD_SA up with name, mode, peer" \
	grep -qE "name=l2tp mode=transport .* remote=192\.0\.2\.10 remote-port=500 " <<<"$up"
check_eq "plugin's inbound SPI matches the kernel's" "${in_spi#0x}" \
	"$(grep -o 'spi-in=[0-9a-f]*' <<<"$up" | cut -d= -f2)"
ids=$(grep -oE 'ike=[0-9]+ child=[0-9]+' <<<"$up")
check "plugin reports that CHILD_SA down ($ids)" grep -q "l2tpsrv: child-down $ids\$" <<<"$log"
check "plugin reports its IKE SA down (${ids% *})" grep -q "l2tpsrv: ike-down ${ids% *}\$" <<<"$log"

[ "$CHECK_FAILED" = 0 ] || { echo "--- server charon log"; echo "$log" | tail -40; }
check_done
