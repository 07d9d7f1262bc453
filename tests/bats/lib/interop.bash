# l2tpsrv against Debian's xl2tpd as the LAC, for xl2tpd-interop.bats.
#
# Each test gets a private network and mount namespace, held open by a
# sleeping process; every program runs in it through "in_ns_bg". In it:
#   l2tpsrv  127.0.0.1:1701, control socket $WORK/control, log $WORK/l2tpsrv.log
#   xl2tpd   127.0.0.1:1702 (LAC "x", lns = 127.0.0.1:1701), log $WORK/xl2tpd.log
#   tcpdump  all UDP on lo into $WORK/cap.pcap
# so neither the machine's /etc nor anything using port 1701 is touched.
#
# pppd: once a call is up, xl2tpd runs /usr/sbin/pppd on a pty. This host has
# no /dev/ppp, so the real pppd would exit at once and xl2tpd would hang up
# the call. Inside the mount namespace a stand-in is bind-mounted over
# /usr/sbin/pppd: it reads the pty until xl2tpd kills it or closes the pty.
# The LAC's PPP is out of scope here: l2tpsrv runs with the null data path
# and no pppd of its own yet.
#
#   interop_setup              skip without xl2tpd/tshark; namespace, capture
#   lns_config [LINES...]      write l2tpsrv.conf (listen, socket, host name + LINES)
#   lns_start                  start l2tpsrv --debug; wait for event=ready
#   lns_alive                  l2tpsrv is still running
#   lns_json                   l2tpctl --json list
#   lns_eval / lns_state EXPR  a Python expression over that listing d: value / truth
#   lns_established            one tunnel, one session, both established
#   lns_empty                  no tunnel at all
#   lac_config [LINES...]      write xl2tpd.conf ([global] + [lac x] + LINES)
#   lac_secret SECRET          l2tp-secrets line "lac-test lns-test SECRET"
#   lac_start / lac_stop       start xl2tpd -D (waits until listening) / stop it
#   lac_command CMD            write CMD ("c x", "d x") to xl2tpd's control pipe
#   lns_log_has / lac_log_has ERE   a line of l2tpsrv's / xl2tpd's log matches
#   capture_check [SECRET]     stop the capture; no fault in what l2tpsrv sent
#   lns_sent FILTER            l2tpsrv sent a packet matching a tshark FILTER
#   capture_avps SECRET        every AVP captured, hidden ones revealed
#   wait_until SECONDS CMD...  poll CMD every 0.1s until it succeeds
#   refute CMD...              fail if CMD succeeds
#   interop_teardown           stop everything; on failure print logs and capture

L2TPSRV=$BUILDDIR/l2tpsrv/l2tpsrv
L2TPCTL=$BUILDDIR/l2tpsrv/l2tpctl
LNS_HOST=lns-test
LAC_HOST=lac-test

interop_setup() {
	local tool
	for tool in xl2tpd tshark; do
		command -v "$tool" >/dev/null ||
			skip "$tool is not installed (packaging/install-deps installs it)"
	done
	WORK=$BATS_TEST_TMPDIR
	SOCK=$WORK/control
	PIPE=$WORK/xl2tpd-control
	CAP=$WORK/cap.pcap
	: >"$WORK/pppd.pids"
	cat >"$WORK/pppd" <<EOF
#!/bin/sh
# Stand-in for pppd (see tests/bats/lib/interop.bash): lives until killed.
echo \$\$ >>"$WORK/pppd.pids"
echo "pppd stand-in: \$*" >&2
exec cat >/dev/null
EOF
	chmod +x "$WORK/pppd"
	# unshare(1) makes mounts private by default: the bind mount stays inside.
	unshare --net --mount sh -c '
		ip link set lo up &&
		mount --bind "$1/pppd" /usr/sbin/pppd &&
		: >"$1/ns-ready" &&
		exec sleep infinity' sh "$WORK" 3>&- &
	NS_PID=$!
	wait_until 5 test -e "$WORK/ns-ready"
	# --immediate-mode and -U: each packet is in the file as soon as it is
	# seen (dumpcap, stopped, missed the last packets here).
	in_ns_bg tcpdump -i lo -n -U --immediate-mode -Z root -w "$CAP" udp \
		>"$WORK/tcpdump.log" 2>&1 3>&- &
	CAP_PID=$!
	wait_until 5 grep -q "listening on lo" "$WORK/tcpdump.log"
}

# in_ns_bg CMD... &: CMD in the namespace, in the background. exec keeps $!
# the process itself (bash runs a backgrounded function in a subshell).
in_ns_bg() {
	exec nsenter --net=/proc/"$NS_PID"/ns/net --mount=/proc/"$NS_PID"/ns/mnt -- "$@"
}

# wait_until SECONDS CMD...: true as soon as CMD is; says what it waited for if not.
wait_until() {
	local deadline=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do
		if [ "$(date +%s%N)" -ge "$deadline" ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

lns_config() {
	{
		echo "listen = 127.0.0.1:1701"
		echo "control_socket = $SOCK"
		echo "host_name = $LNS_HOST"
		echo "dataplane = null" # the control plane only: no PPP on this host
		echo "charon_socket = $WORK/charon.sock"
		echo "allow_unencrypted = yes" # plaintext L2TP on loopback: no IPsec here
		printf '%s\n' "$@"
	} >"$WORK/l2tpsrv.conf"
}

lns_start() {
	in_ns_bg "$L2TPSRV" -c "$WORK/l2tpsrv.conf" --debug 2>"$WORK/l2tpsrv.log" 3>&- &
	LNS_PID=$!
	wait_until 5 grep -q "event=ready" "$WORK/l2tpsrv.log"
}

# refute CMD...: fails if CMD succeeds ("! CMD" would not fail a bats test).
refute() {
	if "$@"; then
		echo "unexpectedly true: $*" >&2
		return 1
	fi
}

lns_alive() {
	kill -0 "$LNS_PID" 2>/dev/null
}

# lns_json: the daemon's listing (l2tpctl --json list).
lns_json() {
	"$L2TPCTL" -s "$SOCK" --json list
}

# lns_eval EXPRESSION: the value of a Python expression over the listing d.
lns_eval() {
	lns_json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval("(" + sys.argv[1] + ")"))' "$1"
}

# lns_state EXPRESSION: true if the Python expression holds for the listing d.
lns_state() {
	[ "$(lns_eval "$1")" = True ]
}

lns_established() {
	lns_state 'len(d["tunnels"]) == 1 and d["tunnels"][0]["state"] == "established" and
		len(d["tunnels"][0]["sessions"]) == 1 and d["tunnels"][0]["sessions"][0]["state"] == "established"'
}

lns_empty() {
	lns_state 'd["tunnels"] == []'
}

lns_log_has() {
	grep -qE -- "$1" "$WORK/l2tpsrv.log"
}

# lac_config [LINES...]: xl2tpd.conf; LINES go into the [lac x] section.
lac_config() {
	{
		echo "[global]"
		echo "port = 1702"
		echo "listen-addr = 127.0.0.1"
		echo "auth file = $WORK/l2tp-secrets"
		echo "force userspace = yes"
		echo "debug tunnel = yes"
		echo "debug state = yes"
		echo "debug avp = yes"
		echo
		echo "[lac x]"
		echo "lns = 127.0.0.1:1701"
		echo "hostname = $LAC_HOST"
		printf '%s\n' "$@"
	} >"$WORK/xl2tpd.conf"
	[ -e "$WORK/l2tp-secrets" ] || : >"$WORK/l2tp-secrets"
}

# lac_secret SECRET: xl2tpd's tunnel secret for us=lac-test, them=lns-test.
lac_secret() {
	echo "$LAC_HOST $LNS_HOST $1" >"$WORK/l2tp-secrets"
	chmod 600 "$WORK/l2tp-secrets"
}

lac_start() {
	local started
	started=$(lac_listening)
	echo "--- xl2tpd start" >>"$WORK/xl2tpd.log"
	in_ns_bg xl2tpd -D -c "$WORK/xl2tpd.conf" -p "$WORK/xl2tpd.pid" -C "$PIPE" \
		>>"$WORK/xl2tpd.log" 2>&1 3>&- &
	LAC_PID=$!
	# It logs this line after opening the control pipe (the log is shared
	# by every xl2tpd of the test: wait for one more).
	wait_until 5 lac_listening_more_than "$started"
}

# lac_listening: how many xl2tpd of this test have started listening.
lac_listening() {
	touch "$WORK/xl2tpd.log"
	grep -c "Listening on IP address 127.0.0.1, port 1702" "$WORK/xl2tpd.log" || true
}

lac_listening_more_than() {
	[ "$(lac_listening)" -gt "$1" ]
}

lac_stop() {
	stop_pid "$LAC_PID" TERM
	LAC_PID=
}

lac_log_has() {
	grep -qE -- "$1" "$WORK/xl2tpd.log"
}

# lac_command CMD: one request on xl2tpd's control pipe ("c x" dials, "d x" hangs up).
lac_command() {
	timeout 5 sh -c 'echo "$1" >"$2"' sh "$1" "$PIPE"
}

# stop_pid PID SIGNAL: signal, then wait up to 5s, then SIGKILL.
stop_pid() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -"$2" "$pid" 2>/dev/null || return 0
	wait_until 5 eval "! kill -0 $pid 2>/dev/null" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

capture_stop() {
	stop_pid "$CAP_PID" TERM
	CAP_PID=
}

# tshark_l2tp FILTER [ARGS...]: the capture's packets matching FILTER, one line
# each; fails if tshark does (a bad filter must not look like "no packets").
tshark_l2tp() {
	local filter=$1
	shift
	tshark -n -r "$CAP" -d udp.port==1702,l2tp -Y "$filter" "$@" 2>"$WORK/tshark.err" || {
		cat "$WORK/tshark.err" >&2
		return 1
	}
}

# From l2tpsrv: UDP source port 1701 (xl2tpd uses 1702).
FROM_LNS='l2tp && ip.src == 127.0.0.1 && udp.srcport == 1701'

# capture_check [SECRET]: the capture holds L2TP sent by l2tpsrv, and neither
# tshark nor lib/l2tp-avps.py (which reveals hidden AVPs with SECRET and
# checks AVP sizes) finds fault with any of it.
capture_check() {
	local fields bad
	capture_stop
	# One line per packet: frame, expert severities, malformed (if so).
	fields=$(tshark_l2tp "$FROM_LNS" -T fields -e frame.number -e _ws.expert.severity \
		-e _ws.malformed) || return 1
	if [ -z "$fields" ]; then
		echo "no L2TP packet from l2tpsrv in the capture" >&2
		return 1
	fi
	# 8388608 is the severity "error" (PI_ERROR).
	bad=$(awk -F '\t' '$2 ~ /8388608/ || $3 != "" { printf " %s", $1 }' <<<"$fields")
	if [ -n "$bad" ]; then
		echo "tshark finds fault with what l2tpsrv sent (frames$bad):" >&2
		tshark_l2tp "$FROM_LNS && (_ws.malformed || _ws.expert.severity == error)" -O l2tp >&2
		return 1
	fi
	bad=$(capture_avps "${1:-}" | grep "src=1701 .*error=" || true)
	if [ -n "$bad" ]; then
		echo "lib/l2tp-avps.py finds fault with what l2tpsrv sent:" >&2
		echo "$bad" >&2
		return 1
	fi
}

# lns_sent FILTER: l2tpsrv sent at least one L2TP packet that matches FILTER.
lns_sent() {
	local out
	out=$(tshark_l2tp "$FROM_LNS && ($1)") || return 1
	[ -n "$out" ] || {
		echo "l2tpsrv sent no packet matching: $1" >&2
		return 1
	}
}

# lns_sent_none FILTER: tshark read the capture and found no packet from
# l2tpsrv matching FILTER (`refute lns_sent` would also pass if tshark failed).
lns_sent_none() {
	local out
	out=$(tshark_l2tp "$FROM_LNS && ($1)") || return 1
	[ -z "$out" ] || {
		echo "l2tpsrv sent a packet matching: $1" >&2
		return 1
	}
}

# capture_avps SECRET: every AVP in the capture, hidden ones revealed (lib/l2tp-avps.py).
capture_avps() {
	tshark_l2tp l2tp -T fields -e frame.number -e udp.srcport -e udp.payload |
		python3 "$BATS_TEST_DIRNAME/lib/l2tp-avps.py" "$1"
}

interop_teardown() {
	local pid f
	# l2tpsrv first: it closes its tunnels with StopCCN, which xl2tpd acknowledges.
	stop_pid "${LNS_PID:-}" TERM
	stop_pid "${LAC_PID:-}" TERM
	while read -r pid; do # stand-ins xl2tpd left behind, if still themselves
		[ "$(readlink "/proc/$pid/exe")" = /usr/bin/cat ] && stop_pid "$pid" TERM
	done <"${WORK:-/nonexistent}/pppd.pids" 2>/dev/null
	stop_pid "${CAP_PID:-}" TERM
	stop_pid "${NS_PID:-}" TERM
	if [ -n "${BATS_TEST_COMPLETED:-}" ] || [ -z "${WORK:-}" ]; then
		return 0
	fi
	for f in l2tpsrv.log xl2tpd.log; do
		[ -f "$WORK/$f" ] || continue
		echo "# --- $f ---" >&3
		sed 's/^/# /' "$WORK/$f" >&3
	done
	if [ -f "$CAP" ]; then
		echo "# --- capture ---" >&3
		tshark -n -r "$CAP" -d udp.port==1702,l2tp 2>/dev/null | sed 's/^/# /' >&3
	fi
}
