#!/bin/bash
# radius-acct: l2tpsrv's RADIUS accounting against a real FreeRADIUS, whose
# detail files are the evidence (issue 6). Client as Windows does it (IKEv1
# PSK, ESP, xl2tpd and pppd, kernel data path); RADIUS authenticates too.
#
#   1. Accounting-On when l2tpsrv starts.
#   2. carol: Start (her Framed-IP-Address, Acct-Session-Id as l2tpctl shows
#      it, the IKE identity), an Interim-Update every 10 s, and at hang-up a
#      Stop whose counters match the server's ppp interface (read just
#      before) within 2 %, Class echoed, User-Request.
#   3. alice's server pppd is SIGKILLed: Stop all the same, counters within
#      3 % of the interface's as last read, from the L2TP session's counters.
#   4. The RADIUS server is down when alice hangs up: the Stop waits, and
#      reaches the server started again, Acct-Delay-Time saying how late.
#   5. dave's Session-Timeout: Stop with Session-Timeout.
#   6. radclient's Disconnect-Request: none from an unknown host or with a
#      bad authenticator is heard; NAKs for no such session and another
#      NAS; by Acct-Session-Id it ends alice's session and her IKE SA (Stop
#      Admin-Reset). A CoA-Request's Session-Timeout ends the next one, its
#      Idle-Timeout the one after (the client sends nothing).
#   7. l2tpsrv stops with alice connected: Stop (Admin-Reboot), then
#      Accounting-Off.
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"
. "$VM_LIB/ppp-e2e.sh"
. "$VM_LIB/radius.sh"

E2E_DATAPLANE=kernel
PPP_USERS="alice alice-secret
carol carol-secret
dave dave-secret"
RADIUS_USERS_EXTRA='carol Cleartext-Password := "carol-secret"
	Framed-IP-Address = 192.168.42.200, Class = "gold"
dave Cleartext-Password := "dave-secret"
	Session-Timeout = 10'

story() { printf '  --- %s\n' "$*"; }
# the records of one session (by Acct-Session-Id) and status, as a Python list
recs() { echo "[x for x in r if x.get('Acct-Session-Id') == '$1' and x.get('Acct-Status-Type') == '$2']"; }
acct_field() { # NAME SESSION STATUS FIELD: the field of the last such record
	radius_acct "$1" "$(recs "$2" "$3")[-1].get('$4', '')"
}
acct_count() { radius_acct "$1" "len($(recs "$2" "$3"))"; }
acct_has() { [ "$(acct_count "$1" "$2" "$3")" -ge 1 ]; }
acct_session_of() { sessions_eval server "[v['radius']['acct_session_id'] for v in s if v['ppp']['user'] == '$1'][0]"; }
ppp_counter() { on server cat "/sys/class/net/$1/statistics/$2"; }
# within PCT percent: WANT GOT PCT
near() { python3 -c 'import sys; w, g, p = map(float, sys.argv[1:]); sys.exit(0 if abs(g - w) <= w * p / 100 else 1)' "$@"; }
octets() { # NAME SESSION STATUS in|out: Octets + Gigawords
	local dir=$4
	radius_acct "$1" "(lambda x: int(x.get('Acct-${dir}put-Octets', 0)) + (int(x.get('Acct-${dir}put-Gigawords', 0)) << 32))($(recs "$2" "$3")[-1])"
}
traffic() { on client ping -q -c 200 -i 0.01 -s 1300 -W 5 192.168.42.1 >/dev/null || true; }

dump_logs() {
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | grep -v 'command=1 status' | tail -60
	echo "--- radius: detail records"
	radius_acct main "[(x.get('Acct-Status-Type'), x.get('User-Name'), x.get('Acct-Session-Id')) for x in r]"
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
topo_standard
IPSEC_CLIENT=windows
ipsec_l2tp_up
ppp_server_users server
on server sh -c ': >/etc/ppp/chap-secrets; : >/etc/ppp/pap-secrets'
on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'
radius_start main 1812

on server sh -c 'mkdir -p /etc/l2tpsrv && cat >/etc/l2tpsrv/radius.conf' <<CONF
$(radius_conf_line auth 1812)
$(radius_conf_line acct 1813)
radius_timeout = 1s
radius_retries = 1
radius_acct_interim = 10s
radius_nas_identifier = lns-vm
radius_dae_client = 198.51.100.2 $RADIUS_SECRET
CONF
l2tpsrv_start server -c /etc/l2tpsrv/radius.conf

story "1. Accounting-On as l2tpsrv starts"
check_within "FreeRADIUS has an Accounting-On from lns-vm" 15 radius_acct_has main \
	"any(x.get('Acct-Status-Type') == 'Accounting-On' and x.get('NAS-Identifier') == 'lns-vm' for x in r)"

step_done

story "2. carol: Start, Interim-Update, Stop with her counters"
client_dial client carol
check_within "carol is up" 40 user_is_up carol mschap-v2
sid=$(acct_session_of carol)
ifname=$(session_of carol | awk '{ print $4 }')
echo "  # carol: Acct-Session-Id $sid, server interface $ifname"
check_within "Start for $sid" 15 acct_has main "$sid" Start
check_eq "Start: User-Name" carol "$(acct_field main "$sid" Start User-Name)"
check_eq "Start: Framed-IP-Address" 192.168.42.200 "$(acct_field main "$sid" Start Framed-IP-Address)"
check_eq "Start: Class echoed (\"gold\")" 0x676f6c64 "$(acct_field main "$sid" Start Class)"
ike_id=$(sessions_eval server "[v['ipsec']['id'] for v in s if v['ppp']['user'] == 'carol'][0]")
check "l2tpctl: carol has an IKE identity ($ike_id)" [ -n "$ike_id" ]
check_eq "Start: Tunnel-Client-Auth-ID is the IKE identity" "$ike_id" \
	"$(acct_field main "$sid" Start Tunnel-Client-Auth-Id)"
check_eq "Start: Acct-Authentic" RADIUS "$(acct_field main "$sid" Start Acct-Authentic)"
traffic
check_within "an Interim-Update with her traffic (over 200 kB in)" 25 radius_acct_has main \
	"any(int(x.get('Acct-Input-Octets', 0)) > 200000 for x in $(recs "$sid" Interim-Update))"
traffic
in_before=$(ppp_counter "$ifname" rx_bytes)
out_before=$(ppp_counter "$ifname" tx_bytes)
echo "  # $ifname before hang-up: rx $in_before tx $out_before"
client_stop client
check_within "Stop for $sid" 20 acct_has main "$sid" Stop
in_stop=$(octets main "$sid" Stop In)
out_stop=$(octets main "$sid" Stop Out)
echo "  # Stop: in $in_stop out $out_stop"
check "Stop: Acct-Input-Octets within 2 % of rx_bytes ($in_before)" near "$in_before" "$in_stop" 2
check "Stop: Acct-Output-Octets within 2 % of tx_bytes ($out_before)" near "$out_before" "$out_stop" 2
check_eq "Stop: User-Request" User-Request "$(acct_field main "$sid" Stop Acct-Terminate-Cause)"
check_eq "one Stop only" 1 "$(acct_count main "$sid" Stop)"
t=$(acct_field main "$sid" Stop Acct-Session-Time)
check "Stop: Acct-Session-Time $t s is plausible (5..120)" [ "$t" -ge 5 -a "$t" -le 120 ]
check "l2tpsrv: the counters came from the interface as the call ended" \
	grep -q "event=acct_stop user=\"carol\" cause=User-Request source=interface" <(l2tpsrv_log server)
check_within "server: nothing left after carol" 15 nothing_left server

step_done

story "3. alice's pppd is SIGKILLed: the Stop is sent all the same"
client_dial client alice
check_within "alice is up" 40 user_is_up alice mschap-v2
sid=$(acct_session_of alice)
ifname=$(session_of alice | awk '{ print $4 }')
pid=$(session_of alice | awk '{ print $5 }')
traffic
check_within "an Interim-Update for alice" 25 acct_has main "$sid" Interim-Update
traffic
in_before=$(ppp_counter "$ifname" rx_bytes)
out_before=$(ppp_counter "$ifname" tx_bytes)
echo "  # $ifname before SIGKILL: rx $in_before tx $out_before"
on server kill -KILL "$pid"
check_within "Stop for $sid" 20 acct_has main "$sid" Stop
in_stop=$(octets main "$sid" Stop In)
out_stop=$(octets main "$sid" Stop Out)
echo "  # Stop: in $in_stop out $out_stop"
check "Stop: Acct-Input-Octets within 3 % of rx_bytes ($in_before)" near "$in_before" "$in_stop" 3
check "Stop: Acct-Output-Octets within 3 % of tx_bytes ($out_before)" near "$out_before" "$out_stop" 3
check_eq "Stop: NAS-Error" NAS-Error "$(acct_field main "$sid" Stop Acct-Terminate-Cause)"
check "l2tpsrv: the counters came from the L2TP session" \
	grep -q "event=acct_stop user=\"alice\" cause=NAS-Error source=l2tp" <(l2tpsrv_log server)
client_stop client
check_within "server: nothing left after alice" 15 nothing_left server

step_done

story "4. RADIUS is down when alice hangs up: the Stop waits for it"
client_dial client alice
check_within "alice is up" 40 user_is_up alice mschap-v2
sid=$(acct_session_of alice)
check_within "Start for $sid" 15 acct_has main "$sid" Start
kill_on radius TERM freeradius
wait_for "FreeRADIUS is gone" 10 eval '! running_on radius freeradius'
client_stop client
check_within "l2tpsrv: the Stop failed and waits" 20 \
	grep -q "event=radius_acct_failed status=Stop acct_session_id=$sid" <(l2tpsrv_log server)
sleep 5
radius_start main2 1812
check_within "the Stop reaches the server started again" 30 acct_has main2 "$sid" Stop
d=$(acct_field main2 "$sid" Stop Acct-Delay-Time)
check "Stop: Acct-Delay-Time $d s says it is late (>= 5)" [ "$d" -ge 5 ]
check_eq "Stop: User-Request" User-Request "$(acct_field main2 "$sid" Stop Acct-Terminate-Cause)"
check_within "server: nothing left after alice" 15 nothing_left server

step_done

story "5. dave's Session-Timeout"
client_dial client dave
check_within "dave is up" 40 user_is_up dave mschap-v2
sid=$(acct_session_of dave)
check_within "dave's session ends by itself" 30 nothing_left server
check_within "Stop for $sid" 20 acct_has main2 "$sid" Stop
check_eq "Stop: Session-Timeout" Session-Timeout "$(acct_field main2 "$sid" Stop Acct-Terminate-Cause)"
client_stop client

step_done

story "6. Disconnect-Request and CoA-Request (RFC 5176) from radclient"
dae() { # HOST ADDRESS KIND SECRET ATTRIBUTES...: radclient's output
	local host=$1 to=$2 kind=$3 secret=$4
	shift 4
	printf '%s\n' "$@" | on "$host" radclient -x -r 1 -t 2 "$to:3799" "$kind" "$secret" 2>&1
}
sas_on_server() { on server swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED; }
client_dial client alice
check_within "alice is up" 40 user_is_up alice mschap-v2
sid=$(acct_session_of alice)
out=$(dae client 192.0.2.1 disconnect "$RADIUS_SECRET" "User-Name = alice")
check "no answer to a Disconnect-Request from a host that is no client" \
	grep -q 'No reply from server' <<<"$out"
out=$(dae radius 198.51.100.1 disconnect wrong-secret "User-Name = alice")
check "no answer to one with a bad authenticator" grep -q 'No reply from server' <<<"$out"
check "alice is still up" user_is_up alice mschap-v2
out=$(dae radius 198.51.100.1 disconnect "$RADIUS_SECRET" "User-Name = nobody")
check "Disconnect-NAK, Session-Context-Not-Found, for a user with no session" \
	grep -q 'Error-Cause = Session-Context-Not-Found' <<<"$out"
out=$(dae radius 198.51.100.1 disconnect "$RADIUS_SECRET" "User-Name = alice" "NAS-Identifier = other-nas")
check "Disconnect-NAK, NAS-Identification-Mismatch, for another NAS" \
	grep -q 'Error-Cause = NAS-Identification-Mismatch' <<<"$out"
check_eq "one IKE SA on the server" 1 "$(sas_on_server)"
out=$(dae radius 198.51.100.1 disconnect "$RADIUS_SECRET" "Acct-Session-Id = $sid")
check "Disconnect-ACK for alice's Acct-Session-Id" grep -q 'Received Disconnect-ACK' <<<"$out"
check_within "server: alice's session is gone" 15 nothing_left server
check_within "server: her IKE SA is gone too" 15 eval '[ "$(sas_on_server)" = 0 ]'
check_within "Stop for $sid" 20 acct_has main2 "$sid" Stop
check_eq "Stop: Admin-Reset" Admin-Reset "$(acct_field main2 "$sid" Stop Acct-Terminate-Cause)"
client_stop client
check_quiet "client: IKE again" on client swanctl --initiate --child l2tp --timeout 60
client_dial client alice
check_within "alice is up again" 40 user_is_up alice mschap-v2
sid=$(acct_session_of alice)
out=$(dae radius 198.51.100.1 coa "$RADIUS_SECRET" "Acct-Session-Id = $sid" "Session-Timeout = 5")
check "CoA-ACK for a Session-Timeout of 5 s" grep -q 'Received CoA-ACK' <<<"$out"
check_within "alice's session ends by itself" 30 nothing_left server
check_within "Stop for $sid" 20 acct_has main2 "$sid" Stop
check_eq "Stop: Session-Timeout" Session-Timeout "$(acct_field main2 "$sid" Stop Acct-Terminate-Cause)"
client_stop client
client_dial client alice
check_within "alice is up again" 40 user_is_up alice mschap-v2
sid=$(acct_session_of alice)
out=$(dae radius 198.51.100.1 coa "$RADIUS_SECRET" "User-Name = alice" "Idle-Timeout = 8")
check "CoA-ACK for an Idle-Timeout of 8 s" grep -q 'Received CoA-ACK' <<<"$out"
check_within "alice's idle session ends by itself" 40 nothing_left server
check_within "Stop for $sid" 20 acct_has main2 "$sid" Stop
check_eq "Stop: Idle-Timeout" Idle-Timeout "$(acct_field main2 "$sid" Stop Acct-Terminate-Cause)"
client_stop client

step_done

story "7. l2tpsrv stops with alice connected: Stop, then Accounting-Off"
client_dial client alice
check_within "alice is up" 40 user_is_up alice mschap-v2
sid=$(acct_session_of alice)
l2tpctl_on server shutdown >/dev/null
wait_for "l2tpsrv exits" 20 l2tpsrv_gone
check "Stop for $sid" acct_has main2 "$sid" Stop
check_eq "Stop: Admin-Reboot" Admin-Reboot "$(acct_field main2 "$sid" Stop Acct-Terminate-Cause)"
check "Accounting-Off after that Stop" radius_acct_has main2 \
	"[x.get('Acct-Status-Type') for x in r if x.get('Acct-Status-Type') in ('Stop', 'Accounting-Off')][-1] == 'Accounting-Off'"
client_stop client

[ "$CHECK_FAILED" = 0 ] || dump_logs
check_done
