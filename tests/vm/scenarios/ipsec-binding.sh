#!/bin/bash
# ipsec-binding: IPsec and L2TP as one system (issue 5). Real charon with
# our plugin, l2tpsrv with embedded defaults (ESP required), the kernel data
# path and pppd; clients as Windows does it (IKEv1 PSK, xl2tpd + pppd).
#
#   1. The plugin loads in Debian's charon and logs its version and socket;
#      l2tpsrv, started after charon, gets the SA charon already had (the
#      plugin connects and replays). alice dials: l2tpctl shows her IKE
#      identity and outer address next to her PPP user.
#   2. client2 has no SA and sends plaintext SCCRQs: not one packet goes
#      back to it on the wire, the server's kernel counts the drops
#      (XfrmInTmplMismatch: the socket policy), l2tpsrv serves on.
#   3. The IKE SA is deleted on the server (swanctl --terminate): tunnel,
#      kernel session and pppd are gone within 2 s, the reason logged.
#   4. The client vanishes (no DELETE; the server's DPD finds out): the same,
#      within 2 s of charon declaring the IKE SA dead.
#   5. l2tpsrv restarts under a connected client: the plugin reconnects and
#      replays, and the client dials again over the same IKE SA.
#   6. charon restarts: every L2TP session is torn down; once it is back,
#      the client connects again.
#   7. charon dies (SIGKILL): the plugin's connection closes, and every
#      L2TP session is torn down within 2 s all the same.
#
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"
. "$VM_LIB/ppp-e2e.sh"

LAC_PY=$L2TPSRV_SRCDIR/tests/bats/lib/lac.py
E2E_DATAPLANE=kernel

ms_at_most() { [ "$1" != never ] && [ "$1" -le "$2" ]; }
story() { printf '  --- %s\n' "$*"; }
l2tpsrv_log_has() { l2tpsrv_log server | grep -q -- "$1"; }
l2tpsrv_log_lacks() { ! l2tpsrv_log_has "$1"; }
client_ike_up() { check_quiet "client: IKE and CHILD_SA up again" on client swanctl --initiate --child l2tp --timeout 60; }
charon_gone() { ! running_on "$1" charon; }
# charon -9 leaves its pid file and vici socket behind
client_charon_kill() {
	kill_on client KILL charon
	wait_for "client: charon gone" 10 charon_gone client
	on client rm -f /run/charon.pid /run/charon.vici
}
all_gone() { nothing_left server && lns_empty server; }

# teardown_watch [SHELL_CODE]: in the background, one polling loop inside
# the server's namespace notes (in ms) when it started (and ran SHELL_CODE
# there), when the server's last ESP SA with the client went, and when pppd,
# kernel session and tunnel and the ppp interface were all gone. A loop in
# the guest, because each `on` + python costs a second or more under TCG,
# which would time the test rather than l2tpsrv.
teardown_watch() {
	on server sh -c '
		ms() { echo $(($(date +%s%N) / 1000000)); }
		pid=$(cat /run/l2tpsrv.pid) end=$(($(date +%s) + 60)) sa= gone=
		start=$(ms)
		eval "$1"
		while [ "$(date +%s)" -le "$end" ] && [ -z "$sa" -o -z "$gone" ]; do
			[ -n "$sa" ] || [ -n "$(ip xfrm state list src 192.0.2.10 proto esp)" ] || sa=$(ms)
			if [ -z "$gone" ] && ! pgrep -P "$pid" -x pppd >/dev/null &&
				[ -z "$(ip l2tp show session)$(ip l2tp show tunnel)" ] &&
				! ip -o link show | grep -q ": ppp[0-9]"; then
				gone=$(ms)
			fi
			sleep 0.02
		done
		echo "$start ${sa:-never} ${gone:-never}"' sh "${1:-}" >/run/teardown.watch &
	WATCH=$!
}

# gone_within_2s DESCRIPTION [FROM]: after teardown_watch and the action,
# the L2TP side gone within 2 s of the ESP SA's removal (or before it:
# charon tells the plugin first), or with FROM=start, of the watch's
# SHELL_CODE; then, untimed, l2tpsrv has no tunnel and the pool no address.
gone_within_2s() {
	local desc=$1 from=${2:-sa} start sa gone took
	wait "$WATCH"
	read -r start sa gone </run/teardown.watch
	[ "$from" = start ] && sa=$start
	if [ "$sa" = never ] || [ "$gone" = never ]; then
		took=never
	else
		took=$((gone - sa))
	fi
	echo "  # $desc: $took ms after the $([ "$from" = start ] && echo kill || echo "ESP SA's removal")"
	check "$desc within 2 s (took $took ms)" ms_at_most "$took" 2000
	check_within "$desc: l2tpsrv has no tunnel, the pool no address" 10 all_gone
}

# The last pppd l2tpsrv stopped reported its link down with the counters
# (so its accounting ran) and ended by itself, not by SIGKILL.
pppd_ended_well() {
	local ids pid
	ids=$(l2tpsrv_log server | grep 'event=pppd_stopping' | tail -1)
	pid=${ids##*pid=}
	ids=${ids%% event=*}
	check "l2tpsrv logs the stopped call's PPP down, with byte counters ($ids)" \
		l2tpsrv_log_has "$ids event=ppp_down user=\"alice\" .*bytes_in=[1-9][0-9]* bytes_out=[1-9]"
	check_within "its pppd $pid exits by itself, not killed" 5 \
		l2tpsrv_log_has "event=pppd_reaped pid=$pid code=1 status=[0-9]*\$"
}

alice_up() { # dial as alice from client; PPP up and pinging
	client_dial client alice
	wait_for "client: ppp0 has an address" 40 client_ppp_up client
	check "client: ping through PPP/L2TP/ESP" on client ping -c 2 -W 5 192.168.42.1
}

ike_sa_of_alice() {
	sessions_eval server "[v['ipsec']['ike_sa'] for v in s if v['ppp']['user'] == 'alice'][0]"
}

dump_logs() {
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | tail -60
	echo "--- server: charon log"
	charon_log server | grep -i 'l2tpsrv\|error\|fail\|delet\|dpd' | tail -40
	echo "--- server: pppd log"
	on server tail -40 /var/log/pppd.log
	echo "--- client: xl2tpd log"
	xl2tpd_log client | tail -20
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
topo_standard
topo_host client2
topo_attach client2 eth0 192.0.2.11/24 wan
IPSEC_CLIENT=windows
ipsec_server_up
# DPD that notices a vanished client in seconds, not minutes (step 4)
on server sed -i -e 's/dpd_delay *=.*/dpd_delay = 2s/' -e 's/dpd_timeout *=.*/dpd_timeout = 6s/' \
	/etc/swanctl/conf.d/l2tpsrv.conf 2>/dev/null
on server swanctl --load-conns >/dev/null
ipsec_client_up client
ppp_server_users server
on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'

story "1. the plugin in Debian's charon; l2tpsrv started after charon gets the SA it had"
check "charon: the plugin logs its version and socket" \
	grep -qE 'l2tpsrv plugin [0-9.]+ loaded, reporting to /run/l2tpsrv/charon.sock' \
	<(charon_log server)
l2tpsrv_start server
check "l2tpsrv requires IPsec (embedded defaults)" l2tpsrv_log_has 'event=ready .*ipsec=required'
check_within "the plugin connects and replays the client's SA" 20 \
	l2tpsrv_log_has 'event=charon_synced ike_sas=1 child_sas=1'
alice_up
check "l2tpctl: alice's session shows her IKE identity and outer address" \
	sessions_state server "any(v['ppp']['user'] == 'alice' and v['ipsec'] and
		v['ipsec']['id'] == '192.0.2.10' and v['ipsec']['remote'] == '192.0.2.10:500' and
		v['ipsec']['ike_version'] == 1 for v in s)"
check "l2tpctl show sessions: the outer address and IKE identity on alice's line" \
	grep -qE '192\.0\.2\.10:500 +192\.0\.2\.10 +alice' <(l2tpctl_on server show sessions)

step_done

story "2. plaintext SCCRQs from client2, which has no SA: no answer on the wire"
xfrm_tmpl_mismatch() { on server awk '$1 == "XfrmInTmplMismatch" { print $2 }' /proc/net/xfrm_stat; }
before=$(xfrm_tmpl_mismatch)
tcpdump -i wan -n -U -w /run/plain.pcap 'host 192.0.2.11' 2>/run/tcpdump.err &
wait_for "tcpdump listens on the wire" 20 grep -q listening /run/tcpdump.err
replies=$(for i in 1 2 3; do
	on client2 env LAC_SOURCE=192.0.2.11 python3 "$LAC_PY" 192.0.2.1 1701 probe
done | sort | uniq -c)
check_eq "client2: no answer to any of 3 SCCRQs" "3 reply=none" "$(echo $replies)"
captured() { [ "$(tcpdump -r /run/plain.pcap -n 'src host 192.0.2.11 and udp dst port 1701' 2>/dev/null | wc -l)" -ge 3 ]; }
wait_for "the capture holds the SCCRQs" 10 captured
kill %tcpdump 2>/dev/null
wait %tcpdump 2>/dev/null
check_eq "wire: client2's 3 plaintext SCCRQs crossed it" 3 \
	"$(tcpdump -r /run/plain.pcap -n 'src host 192.0.2.11 and udp dst port 1701' 2>/dev/null | wc -l)"
check_eq "wire: not one IP packet from the server to client2" 0 \
	"$(tcpdump -r /run/plain.pcap -n 'ip and src host 192.0.2.1 and dst host 192.0.2.11' 2>/dev/null | wc -l)"
check_ge "server: the kernel dropped them (XfrmInTmplMismatch)" $((before + 3)) "$(xfrm_tmpl_mismatch)"
check "server: l2tpsrv never saw them" l2tpsrv_log_lacks 'peer=192.0.2.11'
check "l2tpsrv is still running" l2tpsrv_alive server
check "client: alice still pings" on client ping -c 2 -W 5 192.168.42.1

step_done

story "3. the IKE SA deleted on the server: L2TP goes with it"
ike=$(ike_sa_of_alice)
teardown_watch
check_quiet "server: swanctl --terminate --ike-id $ike" \
	on server swanctl --terminate --ike-id "$ike" --timeout 10
gone_within_2s "server: tunnel, kernel session and pppd gone"
check "l2tpsrv logs why" l2tpsrv_log_has "event=stop .*reason=\"IPsec SA gone (.*IKE SA $ike\\b"
pppd_ended_well
client_stop client

step_done

story "4. the client vanishes without a word: DPD, then L2TP goes"
client_ike_up
alice_up
ike=$(ike_sa_of_alice)
teardown_watch
client_charon_kill
kill_on client KILL xl2tpd pppd
on client ip link set eth0 down
ike_down_seen() { l2tpsrv_log_has "event=ipsec_down ike=$ike"; }
wait_for "server: DPD declares the client's IKE SA dead" 40 ike_down_seen
gone_within_2s "server: tunnel, kernel session and pppd gone after the IKE SA"
check "l2tpsrv logs why" l2tpsrv_log_has "event=stop .*reason=\"IPsec SA gone (IKE SA $ike down)\""
pppd_ended_well
on client ip link set eth0 up

step_done

story "5. l2tpsrv restarts under a connected client"
ipsec_client_up client
alice_up
l2tpctl_on server shutdown >/dev/null
wait_for "l2tpsrv exits" 10 l2tpsrv_gone
client_stop client
l2tpsrv_start server
check_within "the plugin reconnects and replays the client's SA" 20 \
	l2tpsrv_log_has 'event=charon_synced ike_sas=1 child_sas=1'
alice_up
check "l2tpctl: the redialled session is bound to the replayed IKE SA" \
	sessions_state server "any(v['ppp']['user'] == 'alice' and v['ipsec'] and
		v['ipsec']['id'] == '192.0.2.10' for v in s)"

step_done

story "6. charon restarts: every L2TP session is torn down"
teardown_watch
kill_on server TERM charon
gone_within_2s "server: tunnel, kernel session and pppd gone with charon"
check "l2tpsrv logs why" l2tpsrv_log_has 'reason="IPsec SA gone (\(charon is gone\|.*IKE SA [0-9]* down\))"'
pppd_ended_well
wait_for "server: charon exits" 20 charon_gone server
client_stop client
client_charon_kill
ipsec_server_up
check_within "the plugin of the new charon connects; it has no SA yet" 20 \
	l2tpsrv_log_has 'event=charon_synced ike_sas=0 child_sas=0'
ipsec_client_up client
alice_up

step_done

story "7. charon dies (SIGKILL, no event at all): L2TP goes with it"
teardown_watch 'kill -9 "$(cat /run/charon.pid)"'
gone_within_2s "server: tunnel, kernel session and pppd gone with charon's death" start
check "l2tpsrv logs why" l2tpsrv_log_has 'event=stop .*reason="IPsec SA gone (charon is gone)"'
pppd_ended_well
client_stop client

[ "$CHECK_FAILED" = 0 ] || dump_logs
check_done
