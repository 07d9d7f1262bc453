# radius.sh: a real FreeRADIUS (Debian's freeradius 3.2) on the standard
# topology's radius host (198.51.100.2), for l2tpsrv on the server
# (198.51.100.1) to talk to. Needs topology.sh, check.sh and ppp.sh.
#
#   radius_start NAME AUTH_PORT [VAR=VALUE]...
#                   tests/radius/freeradius-run on radius, in /run/NAME,
#                   auth on AUTH_PORT and accounting on AUTH_PORT + 1, the
#                   server as its client with RADIUS_SECRET; its users are
#                   ppp.sh's PPP_USERS (same passwords as the client side's
#                   ppp_client_options) but for those RADIUS_USERS_EXTRA
#                   defines (the users file's first match wins), then
#                   RADIUS_USERS_EXTRA; VAR=VALUE
#                   go to its environment (NO_MESSAGE_AUTHENTICATOR=1)
#   radius_log NAME         its log (Login OK / Login incorrect lines)
#   radius_acct NAME EXPR   its accounting records (below)
#   radius_conf_line KIND PORT
#                   "radius_KIND_server = 198.51.100.2:PORT SECRET"

RADIUS_SECRET=vm-radius-secret-not-secret
RADIUS_USERS_EXTRA=

radius_start() {
	local name=$1 port=$2 users
	shift 2
	users=$(awk -v extra="$RADIUS_USERS_EXTRA" '
		BEGIN { n = split(extra, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], w, " "); skip[w[1]] = 1 } }
		!($1 in skip) { printf "%s Cleartext-Password := \"%s\"\n", $1, $2 }' <<<"$PPP_USERS")
	on radius env USERS="$users" USERS_EXTRA="$RADIUS_USERS_EXTRA" "$@" \
		"$L2TPSRV_SRCDIR/tests/radius/freeradius-run" "/run/$name" 198.51.100.2 \
		"$port" $((port + 1)) 198.51.100.1 "$RADIUS_SECRET" >"/run/$name.out" 2>&1 &
	wait_for "FreeRADIUS $name on radius is ready (udp/$port)" 30 \
		on radius grep -qs 'Ready to process requests' "/run/$name/radius.log"
}

radius_log() {
	on radius cat "/run/$1/radius.log"
}

radius_conf_line() {
	echo "radius_$1_server = 198.51.100.2:$2 $RADIUS_SECRET"
}

# radius_acct NAME EXPR: a Python expression over the accounting records
# FreeRADIUS NAME wrote into its detail files, as r: a list of dicts
# (attribute name without its tag -> value, quotes removed), oldest first.
# Prints its value.
radius_acct() {
	on radius sh -c "cat /run/$1/log/radacct/*/detail-* 2>/dev/null" | python3 -c '
import sys
r, cur = [], None
for line in sys.stdin:
    if not line.strip():
        cur = None
    elif not line[0].isspace():
        cur = {}
        r.append(cur)
    elif cur is not None:
        k, _, v = line.strip().partition(" = ")
        cur[k.split(":")[0]] = v.strip("\"")  # tagged ones: Tunnel-Type:0
print(eval("(" + sys.argv[1] + ")"))' "$2"
}

# radius_acct_has NAME EXPR: whether it holds
radius_acct_has() {
	[ "$(radius_acct "$1" "$2")" = True ]
}
