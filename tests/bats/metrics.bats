#!/usr/bin/env bats
# The metrics endpoint (metrics = ADDRESS:PORT: GET /metrics, Prometheus
# text) and l2tpctl stats, from outside: the daemon in its own network
# namespace on the null data path, driven by lib/lac.py and scraped with
# python3's urllib; for the PPP phases, the userspace data path with
# lib/fake_pppd.py in pppd's place (as radius.bats does).

load helpers
load lib/daemon

LAC="python3 $BATS_TEST_DIRNAME/lib/lac.py"
FAKE_PPPD=$BATS_TEST_DIRNAME/lib/fake_pppd.py
PORT=9101

setup() {
	daemon_setup
}

teardown() {
	# SIGTERM: the daemon ends its (fake) pppds on the way out
	[ -n "${DAEMON_PID:-}" ] && daemon_stop
	daemon_teardown
}

# http METHOD PATH: the status code on the first line, then the body.
http() {
	in_ns python3 -c '
import sys, urllib.error, urllib.request
rq = urllib.request.Request(sys.argv[2], method=sys.argv[1], data=b"x=1" if sys.argv[1] == "POST" else None)
try:
    with urllib.request.urlopen(rq, timeout=5) as r:
        print(r.status)
        print(r.headers["Content-Type"])
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
    print(e.headers["Content-Type"])
' "$1" "http://127.0.0.1:$PORT$2"
}

# scrape: GET /metrics into $WORK/metrics.txt; fails unless 200.
scrape() {
	http GET /metrics >"$WORK/metrics.txt"
	[ "$(head -1 "$WORK/metrics.txt")" = 200 ]
}

# metric 'NAME{LABELS}': its value in the last scrape (empty when absent).
metric() {
	awk -v n="$1" '$1 == n { print $2 }' "$WORK/metrics.txt"
}

# until_metric 'NAME{LABELS}' VALUE: scrapes until it has VALUE (5 s at most).
until_metric() {
	for _ in $(seq 50); do
		scrape && [ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "$1 is $(metric "$1"), not $2" >&2
	return 1
}

@test "GET /metrics follows a tunnel; other paths are 404, other methods 405; l2tpctl stats agrees" {
	echo "metrics = 127.0.0.1:$PORT" >>"$WORK/l2tpsrv.conf"
	daemon_start
	grep -q "event=metrics_listening address=127.0.0.1:$PORT path=/metrics" "$WORK/l2tpsrv.log"
	scrape
	[ "$(sed -n 2p "$WORK/metrics.txt")" = "text/plain; version=0.0.4; charset=utf-8" ]
	grep -qx '# TYPE l2tpsrv_tunnels gauge' "$WORK/metrics.txt"
	[ "$(metric l2tpsrv_tunnels)" = 0 ]
	[ "$(metric l2tpsrv_tunnels_established_total)" = 0 ]
	[ "$(metric 'l2tpsrv_setup_failures_total{phase="tunnel"}')" = 0 ]
	[ "$(metric 'l2tpsrv_radius_rtt_seconds_bucket{kind="auth",le="+Inf"}')" = 0 ]

	in_ns $LAC 127.0.0.1 1701 setup --hold 6 >"$WORK/lac.out" 3>&- &
	lac=$!
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac.out" && break; sleep 0.1; done
	grep -q '^session=' "$WORK/lac.out"
	scrape
	[ "$(metric l2tpsrv_tunnels)" = 1 ]
	[ "$(metric l2tpsrv_sessions)" = 1 ]
	[ "$(metric l2tpsrv_tunnels_established_total)" = 1 ]
	[ "$(metric l2tpsrv_sessions_established_total)" = 1 ]

	# l2tpctl stats, text and JSON, says the same
	run ctl stats
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\ntunnels                          1\n'* ]]
	[[ "$output" == *$'\ntunnels_established              1\n'* ]]
	[[ "$output" == *$'\nsetup_failures.tunnel            0\n'* ]]
	run ctl --json stats
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = dict(l.rsplit(" ", 1) for l in open(sys.argv[1]).read().splitlines()[2:] if not l.startswith("#"))
assert d["tunnels"] == int(m["l2tpsrv_tunnels"]) == 1, d
assert d["sessions"] == int(m["l2tpsrv_sessions"]) == 1, d
assert d["tunnels_established"] == int(m["l2tpsrv_tunnels_established_total"]), d
assert d["sessions_established"] == int(m["l2tpsrv_sessions_established_total"]), d
for p in ("tunnel", "session", "ppp_lcp", "ppp_auth", "ppp_ipcp"):
    assert d["setup_failures"][p] == int(m["l2tpsrv_setup_failures_total{phase=\"%s\"}" % p]), p
for k in ("auth", "acct"):
    assert d["radius"][k]["requests"] == int(m["l2tpsrv_radius_requests_total{kind=\"%s\"}" % k])
    assert d["radius"][k]["rtt"]["le_5s"] == int(m["l2tpsrv_radius_rtt_seconds_bucket{kind=\"%s\",le=\"5\"}" % k])
assert d["traffic"]["bytes_in"] == int(m["l2tpsrv_bytes_total{direction=\"in\"}"])
assert d["uptime_seconds"] > 0
' "$WORK/metrics.txt"

	run http GET /nope
	[ "${lines[0]}" = 404 ]
	run http GET /
	[ "${lines[0]}" = 404 ]
	run http POST /metrics
	[ "${lines[0]}" = 405 ]
	run http HEAD /metrics
	[ "${lines[0]}" = 200 ]
	wait "$lac"
	daemon_alive
}

@test "a tunnel given up before its SCCCN counts as a failed setup; a tunnel over the limit as refused" {
	cat >>"$WORK/l2tpsrv.conf" <<CONF
metrics = 127.0.0.1:$PORT
retransmit_initial = 100ms
retransmit_max = 100ms
retransmit_count = 1
max_tunnels = 1
CONF
	daemon_start
	run in_ns $LAC 127.0.0.1 1701 probe # SCCRQ, SCCRP, and nothing more
	[ "$output" = "reply=2" ]
	until_metric 'l2tpsrv_setup_failures_total{phase="tunnel"}' 1
	until_metric l2tpsrv_tunnels 0 # its StopCCN held no longer
	[ "$(metric l2tpsrv_tunnels_established_total)" = 0 ]
	in_ns $LAC 127.0.0.1 1701 setup --hold 4 >"$WORK/lac.out" 3>&- &
	lac=$!
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac.out" && break; sleep 0.1; done
	LAC_SOURCE=127.0.0.2 run in_ns $LAC 127.0.0.1 1701 probe
	[ "$output" = "reply=4" ] # StopCCN
	scrape
	[ "$(metric 'l2tpsrv_refused_total{reason="tunnel_limit"}')" = 1 ]
	[ "$(metric 'l2tpsrv_setup_failures_total{phase="tunnel"}')" = 1 ]
	[ "$(metric l2tpsrv_tunnels_established_total)" = 1 ]
	run ctl --json stats
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["setup_failures"]["tunnel"] == 1 and d["refused"]["tunnel_limit"] == 1, d
'
	wait "$lac"
}

@test "without a metrics line nothing listens on TCP" {
	daemon_start
	run in_ns ss -Hltn
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run http GET /metrics
	[ "$status" -ne 0 ]
	[[ "$output" == *"Connection refused"* ]]
	run grep event=metrics "$WORK/l2tpsrv.log"
	[ "$status" -ne 0 ]
}

@test "a metrics address that is not loopback is refused with file:line, unless allowed" {
	printf 'metrics = 0.0.0.0:%s\n' "$PORT" >>"$WORK/l2tpsrv.conf"
	line=$(wc -l <"$WORK/l2tpsrv.conf")
	run "$L2TPSRV" -c "$WORK/l2tpsrv.conf" --check-config
	[ "$status" -ne 0 ]
	[ "$output" = "$WORK/l2tpsrv.conf:$line: metrics 0.0.0.0:$PORT is not a loopback address: the metrics page has no authentication (metrics_allow_remote = yes serves it there)" ]
	run daemon_start
	[ "$status" -ne 0 ]
	echo 'metrics_allow_remote = yes' >>"$WORK/l2tpsrv.conf"
	run "$L2TPSRV" -c "$WORK/l2tpsrv.conf" --check-config
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\nmetrics = 0.0.0.0:9101\nmetrics_allow_remote = yes\n'* ]]
}

@test "reload leaves the metrics address for a restart" {
	echo "metrics = 127.0.0.1:$PORT" >>"$WORK/l2tpsrv.conf"
	daemon_start
	sed -i "s/^metrics = .*/metrics = 127.0.0.1:$((PORT + 1))/" "$WORK/l2tpsrv.conf"
	run ctl reload
	[ "$status" -eq 0 ]
	[ "$output" = "reloaded $WORK/l2tpsrv.conf; these changes wait for a restart: metrics" ]
	scrape
}

# The userspace data path with the fake pppd: it reports and exits as
# $WORK/fake-pppd.events says, once per call.
fake_pppd_daemon_start() {
	printf '#!/bin/sh\nexec python3 %s "$@"\n' "$FAKE_PPPD" >"$WORK/pppd"
	chmod 755 "$WORK/pppd"
	: >"$WORK/l2tpsrv.so" # any readable file: only the fake pppd is given it
	sed -i 's/^dataplane = null$/dataplane = userspace/' "$WORK/l2tpsrv.conf"
	cat >>"$WORK/l2tpsrv.conf" <<CONF
mss_clamp = no
pppd_plugin = $WORK/l2tpsrv.so
metrics = 127.0.0.1:$PORT
CONF
	DAEMON_WRAPPER=(unshare --mount sh -c 'mount --bind "$0" /usr/sbin/pppd && exec "$@"'
		"$WORK/pppd")
	daemon_start
}

# call EVENTS NAME VALUE: a call whose pppd does EVENTS; waits until NAME is VALUE.
call() {
	printf '%b' "$1" >"$WORK/fake-pppd.events"
	in_ns $LAC 127.0.0.1 1701 setup >>"$WORK/lac.out" 3>&-
	until_metric "$2" "$3"
}

@test "calls whose pppd ends before IPCP count by PPP phase; an ended call's traffic stays counted" {
	fake_pppd_daemon_start
	call 'exit 10\n' 'l2tpsrv_setup_failures_total{phase="ppp_lcp"}' 1
	call 'exit 11\n' 'l2tpsrv_setup_failures_total{phase="ppp_auth"}' 1
	call 'auth carol\nexit 10\n' 'l2tpsrv_setup_failures_total{phase="ppp_ipcp"}' 1
	call 'auth carol\nup\ndown 1000 2000 10 20 16\nexit 16\n' 'l2tpsrv_bytes_total{direction="in"}' 1000
	until_metric l2tpsrv_sessions 0
	[ "$(metric 'l2tpsrv_bytes_total{direction="out"}')" = 2000 ]
	[ "$(metric 'l2tpsrv_packets_total{direction="in"}')" = 10 ]
	[ "$(metric 'l2tpsrv_packets_total{direction="out"}')" = 20 ]
	[ "$(metric 'l2tpsrv_setup_failures_total{phase="ppp_lcp"}')" = 1 ]
	[ "$(metric 'l2tpsrv_setup_failures_total{phase="ppp_auth"}')" = 1 ]
	[ "$(metric 'l2tpsrv_setup_failures_total{phase="ppp_ipcp"}')" = 1 ]
	[ "$(metric l2tpsrv_sessions_established_total)" = 4 ]
	[ "$(metric 'l2tpsrv_pool_addresses{state="used"}')" = 0 ]
	[ "$(metric 'l2tpsrv_pool_addresses{state="free"}')" = 241 ]
	run ctl --json stats
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["traffic"] == {"bytes_in": 1000, "bytes_out": 2000, "packets_in": 10, "packets_out": 20}, d
assert d["setup_failures"]["ppp_auth"] == 1 and d["pool"] == {"used": 0, "size": 241}, d
'
}
