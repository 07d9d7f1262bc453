#!/bin/bash
# client-profiles: one server, as the package configures it, accepts every
# client profile of packaging/swanctl/clients/. The server's charon runs
# packaging/swanctl/l2tpsrv.conf as it is (with the test PSK in place of the
# secrets example's placeholder, and a test CA's certificates where that
# file expects them) and our plugin; l2tpsrv runs on embedded defaults. For
# each profile in turn, a client charon brings up IKEv1 and the CHILD_SA,
# Debian's xl2tpd and pppd dial as alice, and:
#
#   - the server's SAs are on the expected connection (l2tp-psk or
#     l2tp-cert) with exactly the IKE and ESP algorithms expected for what
#     that profile offers (the server's strongest that the client has), in
#     transport mode, with NAT-T (port 4500, ESP in UDP) only behind NAT;
#   - the client's ppp0 gets an address from the pool, and l2tpsrv has the
#     call from the profile's L2TP source port (1701, or a random one for
#     macOS/iOS and Android) with that address;
#   - a ping crosses PPP and the server's inbound ESP SA counts it;
#   - after the hang-up and the IKE SA's deletion nothing is left on either
#     side: no SA, no policy, no tunnel, no pppd, no address held.
#
# Profiles: windows-psk, windows-cert (machine certificate), macos (L2TP
# from udp/50123), android (MODP 1024 only, L2TP from udp/50124),
# networkmanager, and windows-psk again from behind a NAT router
# (natclient1 behind 192.0.2.254), which must come through NAT-T.
#
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"
. "$VM_LIB/profiles.sh"

PKI=/tmp/l2tpsrv-pki
IKE_WINDOWS=AES_CBC-256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048
IKE_SHA256=AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
IKE_MODP1024=AES_CBC-256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024
ESP_SHA1=ESP:AES_CBC-256/HMAC_SHA1_96
ESP_SHA256=ESP:AES_CBC-256/HMAC_SHA2_256_128

story() { printf '  --- %s\n' "$*"; }
no_server_sa() { [ -z "$(on server swanctl --list-sas)" ] && [ -z "$(on server ip xfrm state)" ]; }
# charon's policies select udp; l2tpsrv's socket policy selects nothing
no_l2tp_policy() { [ -z "$(on "$1" ip xfrm policy list proto udp)" ]; }
client_clean() { [ -z "$(on "$1" ip xfrm state)" ] && no_l2tp_policy "$1"; }
no_server_rekeying() { ! on server swanctl --list-sas | grep -qE 'rekeying in|reauth in'; }
client_pool_address() { # HOST: ppp0's address if the pool's, peer 192.168.42.1
	on "$1" ip -o -4 addr show dev ppp0 2>/dev/null | awk '$6 == "192.168.42.1/32" { print $4 }' |
		grep -E '^192\.168\.42\.([1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|250)$'
}
client_has_pool_address() { client_pool_address "$1" >/dev/null; }
client_gone() { ! running_on "$1" xl2tpd pppd; }
l2tp_hung_up() { lns_empty server && nothing_left server; }

# profile NAME HOST CONNECTION L2TP_PORT PEER SERVER_CONNECTION LOCAL_PORT IKE MODE ESP
#   PEER: the address and port l2tpsrv sees the call from; LOCAL_PORT, IKE,
#   MODE and ESP: what server_sa_summary must print after SERVER_CONNECTION.
profile() {
	local name=$1 host=$2 conn=$3 port=$4 peer=$5 want
	local outer=${peer%:*} before after
	shift 5
	want="$*"
	story "$name: $conn from $host, L2TP from udp/$port"
	check_quiet "$name: $host brings up IKE and the CHILD_SA" \
		on "$host" swanctl --initiate --ike "$conn" --child l2tp --timeout 60
	check_eq "$name: the server's SAs (connection, port, IKE, mode, ESP)" \
		"$want" "$(server_sa_summary "$outer")"

	profile_dial "$host" "$port" alice
	check_within "$name: $host's ppp0 has an address from the pool, peer 192.168.42.1" 40 \
		client_has_pool_address "$host"
	check "$name: l2tpsrv has the one call, from $peer, with that address" sessions_state server \
		"[(v['state'], v['peer'], v['ppp']['address']) for v in s] ==
		[('established', '$peer', '$(client_pool_address "$host")')]"
	before=$(esp_bytes_from server "$outer")
	check "$name: ping 192.168.42.1 through PPP, L2TP and ESP" \
		on "$host" ping -c 5 -W 5 192.168.42.1
	after=$(esp_bytes_from server "$outer")
	check_ge "$name: the server's inbound ESP SA counted the pings (bytes)" 420 $((after - before))
	profile_extra_checks "$name" "$outer"

	xl2tpd_command "$host" "d $PROFILE_LAC"
	check_within "$name: the server has no tunnel, session, pppd or address left" 15 l2tp_hung_up
	kill_on "$host" TERM xl2tpd
	wait_for "$name: xl2tpd and pppd on $host end" 10 client_gone "$host"
	check_quiet "$name: $host deletes the IKE SA" \
		on "$host" swanctl --terminate --ike "$conn" --timeout 30
	check_within "$name: the server has no IKE or ESP SA left" 15 no_server_sa
	check "$name: the server has no IPsec policy for L2TP left" no_l2tp_policy server
	check "$name: $host has no ESP SA and no IPsec policy for L2TP left" client_clean "$host"
}

# What only some profiles show.
profile_extra_checks() {
	local name=$1 outer=$2
	case $name in
	windows-psk)
		check "$name: the server took Windows' 1 h quick mode lifetime" \
			grep -q 'received 3600s lifetime' <(charon_log server)
		check "$name: the server schedules no rekeying or reauthentication" no_server_rekeying
		;;
	windows-cert)
		check "$name: the server authenticated the client's certificate" \
			grep -q "remote '$PKI_DN, CN=windows-client' @ $outer\[" \
			<(on server swanctl --list-sas)
		;;
	windows-nat)
		check "$name: the server's ESP SA from the NAT router is ESP in UDP" \
			grep -q 'encap type espinudp' <(on server ip xfrm state list src "$outer" proto esp)
		;;
	esac
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
topo_standard
topo_nat 1

check_quiet "a test CA, server and Windows certificates (pki, RSA 2048)" pki_make "$PKI"
pki_server_install server "$PKI"
ipsec_server_up
ppp_server_users server
# pppd logs to syslog, which the VM has not: to a file instead
on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'
l2tpsrv_start server
profile_clients_up client "$PKI"
profile_clients_up natclient1 "$PKI"

profile windows-psk client windows-psk 1701 192.0.2.10:1701 \
	l2tp-psk 500 "$IKE_WINDOWS" TRANSPORT "$ESP_SHA1"
profile windows-cert client windows-cert 1701 192.0.2.10:1701 \
	l2tp-cert 500 "$IKE_WINDOWS" TRANSPORT "$ESP_SHA1"
profile macos client macos 50123 192.0.2.10:50123 \
	l2tp-psk 500 "$IKE_SHA256" TRANSPORT "$ESP_SHA256"
profile android client android 50124 192.0.2.10:50124 \
	l2tp-psk 500 "$IKE_MODP1024" TRANSPORT "$ESP_SHA1"
profile networkmanager client networkmanager 1701 192.0.2.10:1701 \
	l2tp-psk 500 "$IKE_SHA256" TRANSPORT "$ESP_SHA1"
profile windows-nat natclient1 windows-psk 1701 192.0.2.254:1701 \
	l2tp-psk 4500 "$IKE_WINDOWS" TRANSPORT-in-UDP "$ESP_SHA1"

if [ "$CHECK_FAILED" != 0 ]; then
	echo "--- server: charon log"
	charon_log server | tail -80
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | tail -40
	for h in client natclient1; do
		echo "--- $h: charon log"
		charon_log "$h" | tail -30
		echo "--- $h: xl2tpd log"
		xl2tpd_log "$h" 2>/dev/null | tail -20
	done
fi
check_done
