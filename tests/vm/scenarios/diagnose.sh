#!/bin/bash
# diagnose: l2tpctl diagnose on real failures. The standard topology, the
# server's charon with the package's swanctl connections and our plugin,
# l2tpsrv on the kernel data path with pppd; a client charon, xl2tpd and
# pppd make one mistake at a time. After each, l2tpctl diagnose 192.0.2.10
# must name the phase the client reached and the likely cause:
#
#   proposal-mismatch  IKE offers nothing the server allows   IKE (failed), ike-proposal
#   psk-mismatch       another pre-shared key                  IKE (failed), psk-mismatch
#   no-l2tp            IPsec up, then down, no L2TP            ESP (ended), no-l2tp
#   tunnel-secret      l2tpsrv has a tunnel secret, xl2tpd none  SCCCN (failed), tunnel-secret
#   wrong-password     alice with another password             authentication (failed), wrong-password
#   auth-method        the client refuses every PPP method      authentication (failed), auth-method
#   ipcp-stalled       the client refuses IPCP (noip)           authentication (in progress), ipcp
#   success            all of it                               IPCP (connected), connected
#
# l2tpsrv restarts before each case (its history is in memory), so each
# record holds that case alone. The records (l2tpctl diagnose --raw) are
# written to /.vm/out/diagnose/CASE.events: tests/bats/diagnose/ holds them
# as the recorded cases the bats tests replay.
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"

LAC=vpn
PEER=192.0.2.10
OUT=/.vm/out/diagnose
WINDOWS_IKE=aes256-sha1-modp1024,aes128-sha1-modp1024,aes256-sha1-modp2048
WINDOWS_ESP=aes256-sha1,aes128-sha1
story() { printf '  --- %s\n' "$*"; }

# client_conf IKE ESP PSK: the client's connection "l2tp" (as ipsec_client_up's)
client_conf() {
	on client sh -c 'cat >/etc/swanctl/swanctl.conf' <<-EOF
	connections {
		l2tp {
			version = 1
			remote_addrs = 192.0.2.1
			proposals = $1
			local { auth = psk }
			remote { auth = psk
				id = 192.0.2.1 }
			children {
				l2tp {
					mode = transport
					local_ts = dynamic[udp/1701]
					remote_ts = dynamic[udp/1701]
					esp_proposals = $2
				}
			}
		}
	}
	secrets {
		ike-server { id = 192.0.2.1
			secret = "$3" }
	}
	EOF
	on client swanctl --load-all --noprompt --clear >/dev/null
}
client_initiate() { on client swanctl --initiate --child l2tp --timeout "${1:-30}" >/dev/null 2>&1; }
client_terminate() {
	on client swanctl --terminate --ike l2tp --timeout 20 >/dev/null 2>&1
	wait_for "the client has no IKE SA left" 20 eval '[ -z "$(on client swanctl --list-sas)" ]'
	wait_for "the server has no IKE SA left" 20 eval '[ -z "$(on server swanctl --list-sas)" ]'
}
# fresh_lns [ARG]...: a new l2tpsrv (no history), with ARGs
fresh_lns() {
	kill_on server TERM l2tpsrv
	wait_for "the old l2tpsrv ends" 20 eval '! running_on server l2tpsrv'
	l2tpsrv_start server "$@"
}
dial() { # LINES...: xl2tpd and pppd dial as LAC "vpn", pppd with these option lines
	XL2TPD_FORCE_USERSPACE=no XL2TPD_PPP_OPTIONS=$(printf '%s\n' "$@") xl2tpd_start client "$LAC" 192.0.2.1
	xl2tpd_command client "c $LAC"
}
hangup() {
	kill_on client TERM xl2tpd
	wait_for "xl2tpd and pppd on the client end" 15 eval '! running_on client xl2tpd pppd'
}
diagnosis() { l2tpctl_on server diagnose "$PEER"; }
says() { diagnosis | grep -qxF -- "$1"; } # LINE
says_likely() { diagnosis | grep -q "^likely: $1: "; } # CAUSE
# verdict CASE REACHED CAUSE: wait for the diagnosis, check it, record it
verdict() {
	local name=$1 reached=$2 cause=$3
	local i
	# once a second: l2tpctl under TCG is not quick
	for ((i = 0; i < 60; i++)); do
		says "reached: $reached" && break
		sleep 1
	done
	check "$name: l2tpctl diagnose says: reached: $reached" says "reached: $reached"
	check "$name: l2tpctl diagnose: likely $cause" says_likely "$cause"
	diagnosis | sed 's/^/    | /'
	l2tpctl_on server --raw diagnose "$PEER" >"$OUT/$name.events"
}
client_ppp_up() { on client ip -o -4 addr show dev ppp0 2>/dev/null | grep -q 'peer 192.168.42.1/32'; }
dump_logs() {
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | tail -40
	echo "--- server: charon log"
	charon_log server | tail -30
	echo "--- client: xl2tpd and pppd"
	xl2tpd_log client 2>/dev/null | tail -15
	on client cat /var/log/pppd.log 2>/dev/null | tail -15
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
mkdir -p "$OUT"
topo_standard
ipsec_server_up
ppp_server_users server
charon_start client ''
l2tpsrv_start server
step_done

story "proposal-mismatch: the client offers only AES-128/SHA-256/MODP-3072"
client_conf aes128-sha256-modp3072 "$WINDOWS_ESP" "$IPSEC_PSK"
check "the client's IKE fails" eval '! client_initiate 20'
verdict proposal-mismatch "IKE (failed)" ike-proposal
client_terminate

story "psk-mismatch: the client has another pre-shared key"
fresh_lns
client_conf "$WINDOWS_IKE" "$WINDOWS_ESP" not-the-server-key
check "the client's IKE fails" eval '! client_initiate 20'
verdict psk-mismatch "IKE (failed)" psk-mismatch
client_terminate
step_done

story "no-l2tp: IPsec up and down again, no L2TP"
fresh_lns
client_conf "$WINDOWS_IKE" "$WINDOWS_ESP" "$IPSEC_PSK"
check "the client brings up IKE and ESP" client_initiate
client_terminate
verdict no-l2tp "ESP (ended)" no-l2tp
step_done

story "tunnel-secret: l2tpsrv has a tunnel secret, xl2tpd none"
on server sh -c 'mkdir -p /etc/l2tpsrv && echo "secret = tunnel-secret-not-shared" >/etc/l2tpsrv/secret.conf'
fresh_lns -c /etc/l2tpsrv/secret.conf
check "the client brings up IKE and ESP" client_initiate
dial "$(ppp_client_options alice)"
verdict tunnel-secret "SCCCN (failed)" tunnel-secret
hangup
client_terminate
step_done

story "wrong-password: alice with another password"
fresh_lns
check "the client brings up IKE and ESP" client_initiate
dial "$(PPP_USERS="alice not-alices-password" ppp_client_options alice)"
verdict wrong-password "authentication (failed)" wrong-password
hangup
client_terminate
step_done

story "auth-method: the client refuses every PPP authentication method"
fresh_lns
check "the client brings up IKE and ESP" client_initiate
dial "$(ppp_client_options alice)" refuse-pap refuse-chap refuse-mschap refuse-mschap-v2
verdict auth-method "authentication (failed)" auth-method
hangup
client_terminate
step_done

story "ipcp-stalled: the client authenticates, then refuses IPv4 (IPCP)"
fresh_lns
check "the client brings up IKE and ESP" client_initiate
# The link stays up on IPv6CP alone: l2tpsrv sees no address agreed.
dial "$(ppp_client_options alice)" noip
verdict ipcp-stalled "authentication (in progress)" ipcp
hangup
client_terminate
step_done

story "success: IKE, ESP, L2TP and PPP"
fresh_lns
check "the client brings up IKE and ESP" client_initiate
dial "$(ppp_client_options alice)"
check_within "the client's ppp0 is up" 40 client_ppp_up
verdict success "IPCP (connected)" connected
hangup
client_terminate
check_done
