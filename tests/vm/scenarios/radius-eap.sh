#!/bin/bash
# radius-eap: EAP inside PPP relayed by our pppd plugin, through l2tpsrv, to
# a real FreeRADIUS (issue 6). The server's pppd has no secrets and no
# certificates: only RADIUS can let anyone in. Client as Windows does it
# (IKEv1 PSK, ESP), its pppd the EAP peer.
#
#   1. EAP-MD5 (FreeRADIUS's default type): alice in, bob (wrong password) out.
#   2. EAP-MSCHAPv2 (EAP-Type := MSCHAPv2 for erin and frank): erin in,
#      frank (wrong password) out.
#   3. EAP-TLS (EAP-Type := TLS), certificates made here: tina's chains to
#      the CA FreeRADIUS trusts and gets in; mallory's, from another CA, not.
#   For each: l2tpctl says "eap", FreeRADIUS logged Login OK or incorrect,
#   a refused client's pppd ends and the server keeps nothing.
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"
. "$VM_LIB/ppp-e2e.sh"
. "$VM_LIB/radius.sh"

E2E_DATAPLANE=kernel
PPP_CLIENT_EAP=1
PPP_USERS="alice alice-secret
bob bob-secret
erin erin-secret
frank frank-secret
tina none
mallory none"
RADIUS_USERS_EXTRA='bob Cleartext-Password := "not-what-bob-types"
erin Cleartext-Password := "erin-secret", EAP-Type := MSCHAPv2
frank Cleartext-Password := "not-what-frank-types", EAP-Type := MSCHAPv2
tina EAP-Type := TLS
mallory EAP-Type := TLS'
PKI=/tmp/l2tpsrv-eap-pki # /tmp: every host sees it (each has its own /run)

story() { printf '  --- %s\n' "$*"; }
radius_count() { radius_log main | grep -cE "$1"; }
client_refused() { ! running_on client pppd; }

# CA, SUBJECT, NAME: a key and a certificate NAME.pem signed by CA
make_cert() {
	local ca=$1 cn=$2 name=$3
	openssl req -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
		-subj "/CN=$cn" 2>/dev/null &&
		openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.pem" -CAkey "$PKI/$ca.key" \
			-CAcreateserial -out "$PKI/$name.pem" -days 30 2>/dev/null
}
make_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.pem" \
		-days 30 -subj "/CN=$1" 2>/dev/null
}

# EAP Requests of TYPE (pppd's name: MD5-Challenge, MSCHAPv2, TLS) the client's pppd logged
requests_of() {
	local n
	n=$(on client grep -cE "rcvd \[EAP Request id=0x[0-9a-f]+ $1" /var/log/pppd.log 2>/dev/null)
	echo "${n:-0}"
}

# one login that must succeed, with EAP TYPE: USER TYPE [PPP OPTION]...
login_ok() {
	local user=$1 type=$2 before before_type
	shift 2
	before=$(radius_count "Login OK: \[$user")
	before_type=$(requests_of "$type")
	client_dial client "$user" debug "$@"
	check_within "$user is up with EAP" 60 user_is_up "$user" eap
	check "client pppd: RADIUS asked $user with $type" \
		[ "$(requests_of "$type")" -gt "$before_type" ]
	check "client: ping through PPP ($user)" on client ping -c 2 -W 5 192.168.42.1
	check_eq "FreeRADIUS: one more Login OK for $user" $((before + 1)) \
		"$(radius_count "Login OK: \[$user")"
	client_stop client
	check_within "server: nothing left after $user" 15 nothing_left server
}
rejects_are() { # USER COUNT
	[ "$(l2tpsrv_log server | grep -c "event=radius_reject user=\"$1\" method=eap ")" = "$2" ]
}
login_refused() { # USER [PPP OPTION]...
	local user=$1 before n
	shift
	before=$(radius_count "Login incorrect.*\[$user")
	n=$(l2tpsrv_log server | grep -c "event=radius_reject user=\"$user\" method=eap ")
	client_dial client "$user" "$@"
	check_within "$user is refused (the client's pppd ends)" 60 client_refused
	# client_refused may hold before the client's pppd even started
	check_within "l2tpsrv: RADIUS rejected $user" 30 rejects_are "$user" $((n + 1))
	check_eq "FreeRADIUS: one more Login incorrect for $user" $((before + 1)) \
		"$(radius_count "Login incorrect.*\[$user")"
	check_within "server: nothing left after $user" 15 nothing_left server
	client_stop client
}

dump_logs() {
	echo "--- server: l2tpsrv log"
	l2tpsrv_log server | grep -v 'command=1 status' | tail -40
	echo "--- server: pppd log"
	on server tail -40 /var/log/pppd.log
	echo "--- client: pppd log"
	on client tail -30 /var/log/pppd.log
	echo "--- radius: main log"
	radius_log main | tail -30
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
topo_standard
mkdir -p "$PKI"
# ca, server: the names freeradius-run's EAP_TLS_DIR wants
make_ca ca && make_ca other-ca && make_cert ca radius.test server &&
	make_cert ca tina tina && make_cert other-ca mallory mallory
check "test certificates made" [ -s "$PKI/tina.pem" -a -s "$PKI/mallory.pem" -a -s "$PKI/server.pem" ]
IPSEC_CLIENT=windows
ipsec_l2tp_up
ppp_server_users server
on server sh -c ': >/etc/ppp/chap-secrets; : >/etc/ppp/pap-secrets'
on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'
radius_start main 1812 EAP_TLS_DIR="$PKI"

on server sh -c 'mkdir -p /etc/l2tpsrv && cat >/etc/l2tpsrv/radius.conf' <<CONF
ppp_auth = eap
$(radius_conf_line auth 1812)
radius_timeout = 3s
radius_retries = 1
CONF
l2tpsrv_start server -c /etc/l2tpsrv/radius.conf

story "1. EAP-MD5"
login_ok alice MD5-Challenge
login_refused bob

step_done

story "2. EAP-MSCHAPv2"
login_ok erin MSCHAPv2
login_refused frank

step_done

story "3. EAP-TLS (tina has no password anywhere: only her certificate can let her in)"
login_ok tina TLS ca "$PKI/ca.pem" cert "$PKI/tina.pem" key "$PKI/tina.key"
login_refused mallory ca "$PKI/ca.pem" cert "$PKI/mallory.pem" key "$PKI/mallory.key"

[ "$CHECK_FAILED" = 0 ] || dump_logs
check_done
