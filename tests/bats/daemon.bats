#!/usr/bin/env bats
# The l2tpsrv daemon from outside: configuration checks, start and stop,
# the control socket, a LAC written apart from our codec (lib/lac.py), and
# malformed input. Each test runs the daemon in its own network namespace.

load helpers
load lib/daemon

LAC="python3 $BATS_TEST_DIRNAME/lib/lac.py"

setup() {
	daemon_setup
}

teardown() {
	daemon_teardown
}

@test "--check-config prints the effective settings with the secret masked" {
	cat >>"$WORK/l2tpsrv.conf" <<'EOF2'
secret = "very secret # value"
hide_avps = yes
hello_interval = 30s
EOF2
	run "$L2TPSRV" -c "$WORK/l2tpsrv.conf" --check-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"hello_interval"* ]]
	[[ "$output" == *"hide_avps = yes"* ]]
	[[ "$output" != *"very secret"* ]]
}

@test "--check-config names the file and line of a bad setting" {
	printf 'listen = 127.0.0.1:1701\n\nreceive_window = 0\n' >"$WORK/bad.conf"
	run "$L2TPSRV" -c "$WORK/bad.conf" --check-config
	[ "$status" -ne 0 ]
	[[ "$output" == "$WORK/bad.conf:3: "* ]]
	printf 'recieve_window = 4\n' >"$WORK/bad.conf"
	run "$L2TPSRV" -c "$WORK/bad.conf" --check-config
	[ "$status" -ne 0 ]
	[[ "$output" == "$WORK/bad.conf:1: "*recieve_window* ]]
}

@test "an explicit config file that is missing is an error" {
	run "$L2TPSRV" -c "$WORK/nope.conf" --check-config
	[ "$status" -ne 0 ]
	[[ "$output" == *nope.conf* ]]
}

@test "the daemon starts, answers l2tpctl in text and JSON, and stops on SIGTERM" {
	daemon_start
	run ctl list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "0 tunnels, 0 sessions"* ]]
	run ctl --json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["tunnels"] == [], d'
	daemon_stop
	[ ! -e "$SOCK" ]
	grep -q 'event=shutdown' "$WORK/l2tpsrv.log"
}

@test "dataplane = auto falls back to userspace on a kernel without L2TP" {
	if [ -d /sys/module/l2tp_ppp ] || modprobe -n l2tp_ppp 2>/dev/null; then
		skip "this kernel has PPPoL2TP (the VM scenario ppp-over-esp covers auto there)"
	fi
	sed -i 's/^dataplane = null$/dataplane = auto/' "$WORK/l2tpsrv.conf"
	daemon_start
	grep -q 'event=dataplane_fallback dataplane=userspace reason="no kernel L2TP/PPPoL2TP"' \
		"$WORK/l2tpsrv.log"
	grep -q 'event=ready dataplane=userspace' "$WORK/l2tpsrv.log"
	run ctl --json list
	[ "$status" -eq 0 ]
	[[ "$output" == *'"pool":{"in_use":0,"size":241}'* ]]
	daemon_stop
}

@test "a LAC sets up a tunnel and a call; l2tpctl shows and closes them" {
	daemon_start
	in_ns $LAC 127.0.0.1 1701 setup --hold 6 >"$WORK/lac.out" 3>&- &
	lac=$!
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac.out" && break; sleep 0.1; done
	tid=$(sed -n 's/^tunnel=\([0-9]*\).*/\1/p' "$WORK/lac.out")
	sid=$(sed -n 's/^session=\([0-9]*\)/\1/p' "$WORK/lac.out")
	[ -n "$tid" ]
	[ -n "$sid" ]
	grep -q "host=$(hostname)" "$WORK/lac.out"
	run ctl --json list
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t, = d["tunnels"]
assert t["id"] == int(sys.argv[1]) and t["state"] == "established", t
assert t["host_name"] == "bats-lac" and t["peer_id"] == 4242, t
s, = t["sessions"]
assert s["id"] == int(sys.argv[2]) and s["peer_id"] == 77 and s["state"] == "established", s
assert s["tx_connect_speed"] == 10000000, s
' "$tid" "$sid"
	run ctl close-session "$tid" "$sid"
	[ "$status" -eq 0 ]
	run ctl close-session "$tid" "$sid"
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such tunnel or session"* ]]
	run ctl close-tunnel "$tid"
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do ctl list | grep -q '^0 tunnels' && break; sleep 0.1; done
	run ctl list
	[[ "${lines[0]}" == "0 tunnels, 0 sessions"* ]]
	wait "$lac"
	grep -q '^received=14$' "$WORK/lac.out" # CDN
	grep -q '^received=4$' "$WORK/lac.out"  # StopCCN
	grep -q "tunnel=$tid .*event=established" "$WORK/l2tpsrv.log"
	grep -q "tunnel=$tid session=$sid .*event=established" "$WORK/l2tpsrv.log"
}

@test "l2tpctl kill tunnel closes the tunnel with StopCCN, its session with it" {
	daemon_start
	in_ns $LAC 127.0.0.1 1701 setup --hold 6 >"$WORK/lac.out" 3>&- &
	lac=$!
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac.out" && break; sleep 0.1; done
	tid=$(sed -n 's/^tunnel=\([0-9]*\).*/\1/p' "$WORK/lac.out")
	[ -n "$tid" ]
	run ctl kill tunnel $((tid + 1))
	[ "$status" -ne 0 ]
	run ctl kill tunnel "$tid"
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do ctl list | grep -q '^0 tunnels' && break; sleep 0.1; done
	run ctl list
	[[ "${lines[0]}" == "0 tunnels, 0 sessions"* ]]
	wait "$lac"
	grep -q '^received=4$' "$WORK/lac.out" # StopCCN
	grep -q "tunnel=$tid event=kill by=control sessions=1" "$WORK/l2tpsrv.log"
}

@test "an unknown mandatory AVP in SCCRQ is answered with StopCCN, error 8" {
	daemon_start
	run in_ns $LAC 127.0.0.1 1701 bad-avp
	[ "$status" -eq 0 ]
	[ "$output" = "result=2 error=8" ]
	run ctl list
	[[ "${lines[0]}" == "0 tunnels, 0 sessions"* ]]
}

rss_kib() {
	awk '/^VmRSS/ { print $2 }' /proc/"$1"/status
}

@test "malformed datagrams never crash the daemon and leave its memory flat" {
	daemon_start
	pid=$DAEMON_PID
	run in_ns $LAC 127.0.0.1 1701 garbage 2000
	[ "$status" -eq 0 ]
	before=$(rss_kib "$pid")
	run in_ns $LAC 127.0.0.1 1701 garbage 20000
	[ "$status" -eq 0 ]
	after=$(rss_kib "$pid")
	daemon_alive
	echo "# rss before=${before}KiB after=${after}KiB" >&3
	[ $((after - before)) -lt 1024 ]
	# and it still serves a well-behaved LAC (from another address: the
	# garbage may have used up 127.0.0.1's half-open tunnels, by design)
	LAC_SOURCE=127.0.0.2 run in_ns $LAC 127.0.0.1 1701 setup
	[ "$status" -eq 0 ]
	[[ "$output" == *session=* ]]
}

@test "reload: new limits apply to new tunnels, the live tunnel stays, a bad file is refused" {
	daemon_start
	in_ns $LAC 127.0.0.1 1701 setup --hold 8 >"$WORK/lac.out" 3>&- &
	lac=$!
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac.out" && break; sleep 0.1; done
	tid=$(sed -n 's/^tunnel=\([0-9]*\).*/\1/p' "$WORK/lac.out")
	[ -n "$tid" ]
	cp "$WORK/l2tpsrv.conf" "$WORK/good.conf"

	# an error: refused with file:line, by l2tpctl and by SIGHUP, nothing changes
	printf 'max_tunnels = 1\nreceive_window = 0\n' >>"$WORK/l2tpsrv.conf"
	run ctl reload
	[ "$status" -ne 0 ]
	[[ "$output" == "l2tpctl: reload refused: $WORK/l2tpsrv.conf:8: "* ]]
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 50); do [ "$(grep -c event=reload_refused "$WORK/l2tpsrv.log")" = 2 ] && break; sleep 0.1; done
	[ "$(grep -c 'event=reload_refused error=".*l2tpsrv.conf:8: ' "$WORK/l2tpsrv.log")" = 2 ]
	daemon_alive
	# the old limits stand: a second tunnel is taken
	in_ns $LAC 127.0.0.1 1701 setup >"$WORK/lac2.out" 3>&-
	grep -q '^session=' "$WORK/lac2.out"

	# a good one: the limit holds for new tunnels, the live one keeps going;
	# a setting only a restart can change is named and left as it was
	cp "$WORK/good.conf" "$WORK/l2tpsrv.conf"
	printf 'max_tunnels = 1\nhello_interval = 5s\n' >>"$WORK/l2tpsrv.conf"
	run ctl reload
	[ "$status" -eq 0 ]
	[[ "$output" == "reloaded $WORK/l2tpsrv.conf; these changes wait for a restart: hello_interval" ]]
	grep -q 'event=reload config=.* restart_needed="hello_interval"' "$WORK/l2tpsrv.log"
	run in_ns $LAC 127.0.0.1 1701 setup
	[[ "$output" != *session=* ]]
	grep -q 'event=reject reason="tunnel limit"' "$WORK/l2tpsrv.log"
	run ctl --json list
	echo "$output" | python3 -c '
import json, sys
ts = json.load(sys.stdin)["tunnels"]
assert [t["state"] for t in ts if t["id"] == int(sys.argv[1])] == ["established"], ts
' "$tid"
	wait "$lac"
	# SIGHUP does the same as l2tpctl reload
	cp "$WORK/good.conf" "$WORK/l2tpsrv.conf"
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 50); do [ "$(grep -c 'event=reload config' "$WORK/l2tpsrv.log")" = 2 ] && break; sleep 0.1; done
	[ "$(grep -c 'event=reload config' "$WORK/l2tpsrv.log")" = 2 ]
	in_ns $LAC 127.0.0.1 1701 setup >"$WORK/lac3.out" 3>&-
	grep -q '^session=' "$WORK/lac3.out"
}
