#!/usr/bin/env bats
# RADIUS authentication of the calls (auth.h, CTL_AUTH), from outside: a
# real FreeRADIUS (tests/radius/freeradius-run), the real daemon on the
# userspace data path, and lib/fake_pppd.py in pppd's place (bind-mounted
# over /usr/sbin/pppd in the daemon's own mount namespace: this host's
# kernel has no PPP). The fake asks as our pppd plugin does; tests/vm runs
# the real pppd and plugin (scenario radius-auth).

load helpers
load lib/daemon

LAC="python3 $BATS_TEST_DIRNAME/lib/lac.py"
FAKE_PPPD=$BATS_TEST_DIRNAME/lib/fake_pppd.py
FREERADIUS_RUN=$SRCDIR/tests/radius/freeradius-run
SECRET=bats-radius-secret

setup() {
	command -v freeradius >/dev/null || skip "FreeRADIUS is not installed"
	daemon_setup
	# FreeRADIUS may read its files as freerad: a directory anyone can enter
	FR_DIR=$(mktemp -d /tmp/l2tpsrv-bats-radius.XXXXXX)
	chmod 755 "$FR_DIR"
	printf '#!/bin/sh\nexec python3 %s "$@"\n' "$FAKE_PPPD" >"$WORK/pppd"
	chmod 755 "$WORK/pppd"
	: >"$WORK/l2tpsrv.so" # any readable file: only the fake pppd is given it
	sed -i 's/^dataplane = null$/dataplane = userspace/' "$WORK/l2tpsrv.conf"
	cat >>"$WORK/l2tpsrv.conf" <<CONF
mss_clamp = no
ppp_auth = pap
pppd_plugin = $WORK/l2tpsrv.so
radius_timeout = 3s
radius_retries = 0
CONF
}

teardown() {
	# SIGTERM: the daemon ends its (fake) pppds on the way out
	[ -n "${DAEMON_PID:-}" ] && daemon_stop
	[ -n "${FR_PID:-}" ] && { kill "$FR_PID"; wait "$FR_PID"; } 2>/dev/null
	[ -n "${SILENT_PID:-}" ] && { kill "$SILENT_PID"; wait "$SILENT_PID"; } 2>/dev/null
	[ -n "${FR_DIR:-}" ] && rm -rf "$FR_DIR"
	daemon_teardown
}

# in_ns, but as one process (nsenter execs): $! is the command's own pid.
ns_exec() {
	exec nsenter --net=/proc/"$NS_PID"/ns/net -- "$@"
}

# radius_start USERS: FreeRADIUS on 127.0.0.1:1812 in the test's namespace.
radius_start() {
	echo "radius_auth_server = 127.0.0.1:1812 $SECRET" >>"$WORK/l2tpsrv.conf"
	(ns_exec env USERS="$1" "$FREERADIUS_RUN" "$FR_DIR" 127.0.0.1 1812 1813 127.0.0.1 \
		"$SECRET") >"$WORK/freeradius.out" 2>&1 3>&- &
	FR_PID=$!
	for _ in $(seq 150); do
		grep -qs 'Ready to process requests' "$FR_DIR/radius.log" && return 0
		sleep 0.1
	done
	cat "$WORK/freeradius.out" "$FR_DIR/radius.log" >&2
	return 1
}

# The daemon, with the fake in pppd's place: in a mount namespace of its own.
fake_pppd_daemon_start() {
	DAEMON_WRAPPER=(unshare --mount sh -c 'mount --bind "$0" /usr/sbin/pppd && exec "$@"'
		"$WORK/pppd")
	daemon_start
}

# call N: a LAC's tunnel with one call, held 8 s; waits until its pppd has
# had an answer and the LAC has written the ids ($WORK/lacN.out).
call() {
	local before
	before=$(answers)
	in_ns $LAC 127.0.0.1 1701 setup --hold 8 >"$WORK/lac$1.out" 3>&- &
	for _ in $(seq 100); do
		[ "$(answers)" -gt "$before" ] && grep -q '^session=' "$WORK/lac$1.out" && return 0
		sleep 0.1
	done
	cat "$WORK/lac$1.out" "$WORK/fake-pppd.out" >&2
	return 1
}

# How many answers (or give-ups) the fake pppds have had.
answers() {
	cat "$WORK/fake-pppd.out" 2>/dev/null | grep -cE '^(status|gave_up)' || true
}

ids() {
	echo "$(sed -n 's/^tunnel=\([0-9]*\).*/\1/p' "$WORK/lac$1.out")" \
		"$(sed -n 's/^session=\([0-9]*\)/\1/p' "$WORK/lac$1.out")"
}

# ask_as_another TUNNEL SESSION: CTL_AUTH for the call, from a process that is not its pppd.
ask_as_another() {
	python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import fake_pppd
fake_pppd.authenticate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), "carol", "carol-pw", 5, sys.stdout)' \
		"$BATS_TEST_DIRNAME/lib" "$SOCK" "$1" "$2"
}

@test "RADIUS lets a call's PAP peer in: its Framed-IP-Address, Class and Acct-Session-Id show in l2tpctl" {
	radius_start 'carol Cleartext-Password := "carol-pw"
	Framed-IP-Address = 192.168.42.77, Session-Timeout = 60, Class = 0x6162'
	echo "carol carol-pw" >"$WORK/fake-pppd.creds"
	fake_pppd_daemon_start
	call 1
	grep -q '^argv=.* l2tpsrv-session [0-9]* l2tpsrv-radius ' "$WORK/fake-pppd.out"
	grep -q '^result=1 framed_ip=192.168.42.77 session_timeout=60 message=$' "$WORK/fake-pppd.out"
	run ctl --json list
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, re, sys
d = json.load(sys.stdin)
assert d["pool"]["in_use"] == 1, d["pool"]   # 192.168.42.77, the pool address went back
s, = d["tunnels"][0]["sessions"]
assert s["ppp"]["address"] == "192.168.42.77", s["ppp"]
r = s["radius"]
assert r["class"] == "6162", r
assert re.fullmatch("[0-9a-f]{8}-[0-9a-f]{8}", r["acct_session_id"]), r
'
	# the text listing: the Class, as text since it is printable
	run ctl show sessions
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *" CLASS" ]]
	echo "${lines[1]}"
	[[ "${lines[1]}" =~ " 192.168.42.77 ".*" ab"$ ]]
	grep -q 'event=radius_accept user="carol" method=pap address=192.168.42.77 from_pool=yes session_timeout=60' \
		"$WORK/l2tpsrv.log"
	grep -q 'Login OK: \[carol\]' "$FR_DIR/radius.log"
	# l2tpsrv, not pppd, sent it: the call's end as NAS-Port, the peer as Calling-Station-Id
	read -r tid sid < <(ids 1)
	grep -q "Login OK: \[carol\] (from client test port $sid cli 127.0.0.1:" "$FR_DIR/radius.log"
}

@test "RADIUS rejects a wrong password, and l2tpsrv an address another call holds" {
	radius_start 'carol Cleartext-Password := "carol-pw"
	Framed-IP-Address = 192.168.42.77'
	echo "carol wrong" >"$WORK/fake-pppd.creds"
	fake_pppd_daemon_start
	call 1
	grep -q '^result=2 framed_ip=0.0.0.0 ' "$WORK/fake-pppd.out"
	grep -q 'event=radius_reject user="carol" method=pap reason="reject"' "$WORK/l2tpsrv.log"
	# and l2tpctl diagnose reads it from the client's history (call.c's)
	run ctl diagnose 127.0.0.1
	[[ "$output" == *$'\nreached: authentication (failed)\n'* ]]
	[[ "$output" == *$'\nstopped at: auth fail radius=reject user="carol" method=pap reason="reject"\n'* ]]
	[[ "$output" == *$'\nlikely: wrong-password: '* ]]
	echo "carol carol-pw" >"$WORK/fake-pppd.creds"
	call 2
	call 3 # the same user again, while the first still holds 192.168.42.77
	[ "$(grep -c '^result=1 framed_ip=192.168.42.77 ' "$WORK/fake-pppd.out")" -eq 1 ]
	[ "$(grep -c '^result=2 ' "$WORK/fake-pppd.out")" -eq 2 ]
	grep -q 'event=radius_reject user="carol" method=pap reason="Framed-IP-Address 192.168.42.77 is another call.s"' \
		"$WORK/l2tpsrv.log"
	run ctl --json list
	[[ "$output" == *'"pool":{"in_use":3,'* ]] # .77 and the two refused calls' own
}

@test "a pppd that stops waiting cancels its RADIUS request; no answer at all is an error" {
	# a server that reads and never answers
	(ns_exec python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 1812)); time.sleep(60)') 3>&- &
	SILENT_PID=$!
	echo "radius_auth_server = 127.0.0.1:1812 $SECRET" >>"$WORK/l2tpsrv.conf"
	echo "carol carol-pw 0.5" >"$WORK/fake-pppd.creds"
	fake_pppd_daemon_start
	call 1
	grep -q '^gave_up$' "$WORK/fake-pppd.out"
	for _ in $(seq 20); do grep -q 'event=radius_cancelled' "$WORK/l2tpsrv.log" && break; sleep 0.1; done
	grep -q 'event=radius_cancelled reason="pppd gave up waiting"' "$WORK/l2tpsrv.log"
	! grep -q 'event=radius_error' "$WORK/l2tpsrv.log" || false
	echo "carol carol-pw" >"$WORK/fake-pppd.creds"
	call 2 # 3 s, one try: then the verdict is an error, which pppd takes as a reject
	grep -q '^result=3 ' "$WORK/fake-pppd.out"
	grep -q 'event=radius_error user="carol" method=pap reason="timeout"' "$WORK/l2tpsrv.log"
}

@test "only the call's own pppd may ask, and only when RADIUS is configured" {
	radius_start 'carol Cleartext-Password := "carol-pw"'
	echo "carol carol-pw" >"$WORK/fake-pppd.creds"
	fake_pppd_daemon_start
	call 1
	read -r tid sid < <(ids 1)
	run ask_as_another "$tid" "$sid"
	[ "$output" = "status=-1" ] # -EPERM
	run ask_as_another 1 1
	[ "$output" = "status=-3" ] # -ESRCH: no such call
	daemon_stop
	sed -i '/^radius_auth_server/d' "$WORK/l2tpsrv.conf"
	: >"$WORK/fake-pppd.out"
	fake_pppd_daemon_start
	in_ns $LAC 127.0.0.1 1701 setup --hold 3 >"$WORK/lac2.out" 3>&- &
	for _ in $(seq 50); do
		grep -qs '^argv=' "$WORK/fake-pppd.out" && grep -q '^session=' "$WORK/lac2.out" && break
		sleep 0.1
	done
	grep -q '^argv=.* l2tpsrv-session [0-9]* lcp-echo-interval' "$WORK/fake-pppd.out"
	! grep -q 'l2tpsrv-radius' "$WORK/fake-pppd.out" || false
	read -r tid sid < <(ids 2)
	run ask_as_another "$tid" "$sid"
	[ "$output" = "status=-95" ] # -EOPNOTSUPP
}
