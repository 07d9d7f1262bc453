#!/bin/bash
# radius-auth: l2tpsrv authenticates PPP users against a real FreeRADIUS
# (issue 6). Client as Windows does it (IKEv1 PSK, ESP, Debian's xl2tpd and
# pppd); the server's pppd has no secrets of its own (empty chap-secrets and
# pap-secrets), so only RADIUS can let anyone in.
#
#   1. alice connects with each of PAP, CHAP-MD5, MS-CHAP and MS-CHAPv2 and
#      pings; l2tpctl shows the method; FreeRADIUS logged "Login OK" for
#      each. bob, whose password RADIUS does not share, is refused with
#      each method and leaves nothing behind ("Login incorrect").
#   2. carol gets the Framed-IP-Address RADIUS gives her, outside the
#      default pool's first addresses, and l2tpctl shows it with her method
#      and the Class RADIUS gave.
#   3. dave has Session-Timeout = 10: his session ends by itself.
#   4. The first server in l2tpsrv.conf answers without a
#      Message-Authenticator: its replies are dropped, the second server
#      answers, alice gets in; the first server did receive her request.
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
bob bob-secret
carol carol-secret
dave dave-secret"
# bob is known to RADIUS with another password than his client has
RADIUS_USERS_EXTRA='bob Cleartext-Password := "not-what-bob-types"
carol Cleartext-Password := "carol-secret"
	Framed-IP-Address = 192.168.42.200, Class = "gold"
dave Cleartext-Password := "dave-secret"
	Session-Timeout = 10'

story() { printf '  --- %s\n' "$*"; }
# refuse every method but $1 on the client
only() {
	local m
	for m in pap chap mschap mschap-v2; do [ "$m" = "$1" ] || printf 'refuse-%s\n' "$m"; done
}
radius_logged() { radius_log "$1" | grep -qE "$2"; }
radius_count() { radius_log "$1" | grep -cE "$2"; }
client_refused() { ! running_on client pppd; }

dump_logs() {
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | grep -v 'command=1 status' | tail -60
	echo "--- server: pppd log"
	on server tail -30 /var/log/pppd.log
	echo "--- radius: main log"
	radius_log main | tail -30
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
topo_standard
IPSEC_CLIENT=windows
ipsec_l2tp_up
ppp_server_users server
# No secrets on the server's side: RADIUS or nothing
on server sh -c ': >/etc/ppp/chap-secrets; : >/etc/ppp/pap-secrets'
on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'
radius_start main 1812
radius_start no-ma 1814 NO_MESSAGE_AUTHENTICATOR=1

on server sh -c 'mkdir -p /etc/l2tpsrv && cat >/etc/l2tpsrv/radius.conf' <<CONF
ppp_auth = pap, chap, mschap, mschap-v2
$(radius_conf_line auth 1812)
radius_timeout = 2s
radius_retries = 1
CONF
l2tpsrv_start server -c /etc/l2tpsrv/radius.conf

story "1. alice with every method; bob refused with every method"
for m in pap chap mschap mschap-v2; do
	before=$(radius_count main 'Login OK: \[alice')
	client_dial client alice $(only "$m")
	check_within "alice is up with $m" 40 user_is_up alice "$m"
	check "client: ping through PPP ($m)" on client ping -c 2 -W 5 192.168.42.1
	check_eq "FreeRADIUS: one more Login OK for alice ($m)" $((before + 1)) \
		"$(radius_count main 'Login OK: \[alice')"
	client_stop client
	check_within "server: nothing left after alice's $m session" 15 nothing_left server
done
for m in pap chap mschap mschap-v2; do
	before=$(radius_count main 'Login incorrect.*\[bob')
	n=$(l2tpsrv_log server | grep -c "event=radius_reject user=\"bob\" method=$m ")
	client_dial client bob $(only "$m")
	check_within "bob is refused with $m (his pppd ends)" 40 client_refused
	check_eq "l2tpsrv: RADIUS rejected bob's $m" $((n + 1)) \
		"$(l2tpsrv_log server | grep -c "event=radius_reject user=\"bob\" method=$m ")"
	check_eq "FreeRADIUS: one more Login incorrect for bob ($m)" $((before + 1)) \
		"$(radius_count main 'Login incorrect.*\[bob')"
	check_within "server: nothing left after bob ($m)" 15 nothing_left server
	client_stop client
done

step_done

story "2. carol gets her Framed-IP-Address"
client_dial client carol $(only mschap-v2)
check_within "carol is up" 40 user_is_up carol mschap-v2
check_within "client: ppp0 is 192.168.42.200" 10 ppp_addr_is client ppp0 192.168.42.200 192.168.42.1
check "l2tpctl: carol's address is 192.168.42.200" sessions_state server \
	"any(v['ppp']['user'] == 'carol' and v['ppp']['address'] == '192.168.42.200' for v in s)"
check "client: ping through PPP from 192.168.42.200" on client ping -c 2 -W 5 192.168.42.1
check "l2tpctl show sessions: carol, mschap-v2, 192.168.42.200, Class gold" \
	grep -qE ' carol +mschap-v2 +192\.168\.42\.200 .* gold$' <(l2tpctl_on server show sessions)
client_stop client
check_within "server: nothing left after carol" 15 nothing_left server

step_done

story "3. dave's Session-Timeout (10 s) ends his session"
client_dial client dave $(only mschap-v2)
check_within "dave is up" 40 user_is_up dave mschap-v2
t0=$(date +%s)
check_within "dave's session ends by itself" 30 nothing_left server
took=$(($(date +%s) - t0))
echo "  # dave's session lasted about ${took} s after it was seen up"
check "the session lasted at most the Session-Timeout and a little ($took s)" [ "$took" -le 15 ]
check "server pppd says why" on server grep -q 'Connect time expired' /var/log/pppd.log
client_stop client

step_done

story "4. the first server sends no Message-Authenticator: dropped; the second answers"
on server sh -c 'cat >/etc/l2tpsrv/radius.conf' <<CONF
ppp_auth = pap, chap, mschap, mschap-v2
$(radius_conf_line auth 1814)
$(radius_conf_line auth 1812)
radius_timeout = 2s
radius_retries = 1
CONF
l2tpctl_on server shutdown >/dev/null
wait_for "l2tpsrv exits" 10 l2tpsrv_gone
l2tpsrv_start server -c /etc/l2tpsrv/radius.conf
client_dial client alice $(only mschap-v2)
check_within "alice is up (the second server answered)" 60 user_is_up alice mschap-v2
check "the first server got her request and accepted it" radius_logged no-ma 'Login OK: \[alice'
check "l2tpsrv dropped the reply without Message-Authenticator" \
	grep -qiE 'message.authenticator' <(l2tpsrv_log server)
client_stop client

[ "$CHECK_FAILED" = 0 ] || dump_logs
check_done
