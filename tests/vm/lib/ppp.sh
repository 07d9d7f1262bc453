# ppp.sh: PPP sessions end to end, L2TP/IPsec as Windows and macOS clients
# do it: the client's charon, Debian's xl2tpd as the LAC and its pppd as the
# PPP client; on the server charon, l2tpsrv and one pppd per call. Needs
# topology.sh, strongswan.sh, l2tp.sh and check.sh.
#
#   ppp_server_users        the test users in the server's chap-secrets and
#                           pap-secrets (pppd's own files: the embedded
#                           default, no RADIUS); our pppd plugin where the
#                           package installs it
#   ppp_client_options USER [OPTION]...
#                           pppd options for the client's calls, as
#                           XL2TPD_PPP_OPTIONS wants them; EAP refused
#                           unless PPP_CLIENT_EAP=1
#   sessions_eval HOST EXPR a Python expression over l2tpctl --json show
#                           sessions as s (a list): its value
#   sessions_state HOST EXPR   ... true if it holds
#   pool_in_use HOST        addresses the server's pool has handed out
#   server_pppds HOST       the pids of l2tpsrv's pppd children
#   nothing_left HOST       no pppd, no kernel L2TP session, no address held
#   ppp_addr_is HOST IF LOCAL PEER

PPP_PLUGIN_DIR=/usr/lib/pppd/2.4.9
# name secret: the users the server knows, and what each password is
PPP_USERS="alice alice-secret
bob bob-secret
carol carol-secret"

ppp_server_users() {
	local host=$1
	cp "$L2TPSRV_BUILDDIR/pppd-plugin/.libs/l2tpsrv.so" "$PPP_PLUGIN_DIR/l2tpsrv.so"
	awk '{ print $1 " * " $2 " *" }' <<<"$PPP_USERS" | on "$host" sh -c 'umask 077
		cat >/etc/ppp/chap-secrets
		cp /etc/ppp/chap-secrets /etc/ppp/pap-secrets'
}

ppp_client_options() {
	local user=$1 secret
	shift
	secret=$(awk -v u="$user" '$1 == u { print $2 }' <<<"$PPP_USERS")
	printf '%s\n' "name $user" "password ${secret:-wrong-secret}" noauth nodefaultroute \
		noipdefault noccp "logfile /var/log/pppd.log" "$@"
	# EAP only where a scenario asks for it (PPP_CLIENT_EAP=1)
	[ "${PPP_CLIENT_EAP:-0}" = 1 ] || echo refuse-eap
}

sessions_eval() {
	l2tpctl_on "$1" --json show sessions | python3 -c 'import json, sys
s = json.load(sys.stdin)
print(eval("(" + sys.argv[1] + ")"))' "$2"
}

sessions_state() {
	[ "$(sessions_eval "$1" "$2")" = True ]
}

pool_in_use() {
	lns_eval "$1" 'd["pool"]["in_use"]'
}

server_pppds() {
	pgrep -P "$(on "$1" cat /run/l2tpsrv.pid)" -x pppd
}

nothing_left() {
	local host=$1
	[ -z "$(server_pppds "$host")" ] &&
		[ -z "$(on "$host" ip l2tp show session)" ] &&
		[ "$(pool_in_use "$host")" = 0 ] &&
		! on "$host" ip -o link show | grep -q ': ppp[0-9]'
}

ppp_addr_is() { # HOST IF LOCAL PEER
	on "$1" ip -o -4 addr show dev "$2" 2>/dev/null | grep -q "inet $3 peer $4/32"
}
