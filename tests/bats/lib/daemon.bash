# Starting and stopping l2tpsrv for bats tests, each test in its own network
# namespace (loopback only), so nothing on the machine is touched.
#
#   daemon_setup            make $WORK, enter a fresh netns for this test
#   daemon_start [ARGS]     start l2tpsrv with $WORK/l2tpsrv.conf; waits for ready
#                           (run through the words of DAEMON_WRAPPER, if set,
#                           which must exec it: radius.bats swaps pppd)
#   daemon_stop             SIGTERM, wait, return its exit status
#   ctl ARGS                l2tpctl on this daemon's socket
#
# bats runs each test in a subshell; "unshare --net" cannot switch the
# current shell, so every command that needs the namespace runs through
# "in_ns", which nsenter's the namespace held open by a sleeper.

L2TPSRV=$BUILDDIR/l2tpsrv/l2tpsrv
L2TPCTL=$BUILDDIR/l2tpsrv/l2tpctl

daemon_setup() {
	WORK=$BATS_TEST_TMPDIR
	# (background processes close fd 3, or bats waits for them)
	unshare --net --fork sh -c 'ip link set lo up; exec sleep 3600' 3>&- &
	NS_HOLDER=$!
	for _ in $(seq 50); do
		[ "$(readlink /proc/$NS_HOLDER/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	NS_PID=$(pgrep -P "$NS_HOLDER" sleep || echo "$NS_HOLDER")
	SOCK=$WORK/control
	# The control plane only: this host's kernel has no PPP for pppd.
	cat >"$WORK/l2tpsrv.conf" <<CONF
listen = 127.0.0.1:1701
control_socket = $SOCK
charon_socket = $WORK/charon.sock
dataplane = null
# plaintext L2TP on loopback: no IPsec here (ipsec.bats tests the locks)
allow_unencrypted = yes
CONF
}

in_ns() {
	nsenter --net=/proc/"$NS_PID"/ns/net -- "$@"
}

daemon_start() {
	nsenter --net=/proc/"$NS_PID"/ns/net -- "${DAEMON_WRAPPER[@]}" \
		"$L2TPSRV" -c "$WORK/l2tpsrv.conf" "$@" 2>"$WORK/l2tpsrv.log" 3>&- &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && grep -q 'event=ready' "$WORK/l2tpsrv.log" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "l2tpsrv did not become ready:" >&2
	cat "$WORK/l2tpsrv.log" >&2
	return 1
}

daemon_alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null
}

daemon_stop() {
	local rc
	kill -TERM "$DAEMON_PID" 2>/dev/null || return 1
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=
	return $rc
}

ctl() {
	"$L2TPCTL" -s "$SOCK" "$@"
}

daemon_teardown() {
	if [ -n "${DAEMON_PID:-}" ]; then
		{ kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null
	fi
	[ -n "${NS_HOLDER:-}" ] && kill "$NS_HOLDER" "$NS_PID" 2>/dev/null
	if [ -n "${BATS_TEST_COMPLETED:-}" ] || [ ! -f "$WORK/l2tpsrv.log" ]; then
		return 0
	fi
	echo "# --- l2tpsrv log ---" >&3
	sed 's/^/# /' "$WORK/l2tpsrv.log" >&3
}
