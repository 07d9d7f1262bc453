# l2tp.sh: l2tpsrv (the LNS) and Debian's xl2tpd (the LAC) on hosts of the
# test VM. Needs topology.sh and check.sh. Everything a daemon writes stays
# in its host's own /etc, /run and /var/log.
#
#   l2tpsrv_start HOST [ARG]...
#                           l2tpsrv --debug [ARG]... on HOST with no config
#                           file at all (embedded defaults: 0.0.0.0:1701,
#                           control socket /run/l2tpsrv/control), log
#                           /var/log/l2tpsrv.log; waits for event=ready
#   l2tpsrv_alive HOST      that l2tpsrv is still running
#   l2tpsrv_log HOST        print its log
#   l2tpctl_on HOST ARG...  l2tpctl on HOST (its default socket)
#   lns_eval HOST EXPR      a Python expression over HOST's listing
#                           (l2tpctl --json list) as d: its value
#   lns_state HOST EXPR     ... true if it holds
#   lns_established HOST    one tunnel and one session, both established
#   lns_empty HOST          no tunnel at all
#   xl2tpd_start HOST NAME LNS
#                           xl2tpd -D on HOST as the LAC "NAME" for the LNS at
#                           address LNS, from udp/1701 to udp/1701; log
#                           /var/log/xl2tpd.log; waits until it listens
#                           XL2TPD_FORCE_USERSPACE=no gives xl2tpd's kernel
#                           mode; XL2TPD_PPP_OPTIONS replaces the pppd options
#   xl2tpd_command HOST CMD a request on its control pipe ("c NAME", "d NAME")
#   xl2tpd_log HOST         print its log
#   xl2tpd_log_has HOST ERE a line of its log matches
#
# xl2tpd starts the real /usr/sbin/pppd for a call (the VM has /dev/ppp).
# l2tpsrv has only the null data path, so that pppd never hears an answer:
# the options below keep it quiet and alive for a minute and a half (30 LCP
# Configure-Requests, 3 s apart) and out of the host's routes; it logs to
# /var/log/pppd.log. Nothing here depends on PPP.

L2TPSRV_PPP_OPTIONS='noauth
nodefaultroute
noipdefault
noccp
lcp-max-configure 30
logfile /var/log/pppd.log'

l2tpsrv_start() {
	local host=$1
	shift
	# No file at the default path: the embedded defaults apply. The host's
	# /etc is its own, so removing one that the machine has changes nothing else.
	on "$host" rm -f /etc/l2tpsrv/l2tpsrv.conf
	# An earlier l2tpsrv's log would satisfy the wait below at once
	on "$host" rm -f /var/log/l2tpsrv.log
	on "$host" sh -c 'echo $$ >/run/l2tpsrv.pid
		exec "$@" 2>/var/log/l2tpsrv.log' l2tpsrv \
		"$L2TPSRV_BUILDDIR/l2tpsrv/l2tpsrv" --debug "$@" &
	wait_for "l2tpsrv on $host is ready" 20 \
		on "$host" grep -qs 'event=ready' /var/log/l2tpsrv.log
}

l2tpsrv_alive() {
	local pid
	pid=$(on "$1" cat /run/l2tpsrv.pid 2>/dev/null) || return 1
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$L2TPSRV_BUILDDIR/l2tpsrv/l2tpsrv" ]
}

l2tpsrv_log() {
	on "$1" cat /var/log/l2tpsrv.log
}

l2tpctl_on() {
	local host=$1
	shift
	on "$host" "$L2TPSRV_BUILDDIR/l2tpsrv/l2tpctl" "$@"
}

lns_eval() {
	l2tpctl_on "$1" --json list | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval("(" + sys.argv[1] + ")"))' "$2"
}

lns_state() {
	[ "$(lns_eval "$1" "$2")" = True ]
}

lns_established() {
	lns_state "$1" 'len(d["tunnels"]) == 1 and d["tunnels"][0]["state"] == "established" and
		len(d["tunnels"][0]["sessions"]) == 1 and d["tunnels"][0]["sessions"][0]["state"] == "established"'
}

lns_empty() {
	lns_state "$1" 'd["tunnels"] == []'
}

xl2tpd_start() {
	local host=$1 name=$2 lns=$3
	on "$host" sh -c 'mkdir -p /etc/xl2tpd /run/xl2tpd && cat >/etc/xl2tpd/xl2tpd.conf' <<-EOF
	[global]
	port = 1701
	force userspace = ${XL2TPD_FORCE_USERSPACE:-yes}
	debug tunnel = yes
	debug state = yes

	[lac $name]
	lns = $lns
	pppoptfile = /etc/xl2tpd/options.$name
	autodial = no
	redial = no
	EOF
	on "$host" sh -c 'cat >"/etc/xl2tpd/options.$1"' sh "$name" \
		<<<"${XL2TPD_PPP_OPTIONS:-$L2TPSRV_PPP_OPTIONS}"
	# An earlier xl2tpd's log would satisfy the wait below at once
	on "$host" rm -f /var/log/xl2tpd.log
	on "$host" sh -c 'exec xl2tpd -D -c /etc/xl2tpd/xl2tpd.conf -p /run/xl2tpd/xl2tpd.pid \
		-C /run/xl2tpd/l2tp-control >/var/log/xl2tpd.log 2>&1' &
	wait_for "xl2tpd on $host listens on udp/1701" 20 \
		xl2tpd_log_has "$host" 'Listening on IP address .*, port 1701'
}

xl2tpd_command() {
	on "$1" timeout 5 sh -c 'echo "$1" >/run/xl2tpd/l2tp-control' sh "$2"
}

xl2tpd_log() {
	on "$1" cat /var/log/xl2tpd.log
}

xl2tpd_log_has() {
	on "$1" grep -qE -- "$2" /var/log/xl2tpd.log
}
