#!/usr/bin/env bats
# l2tpctl diagnose: how far a client got and why it stopped.
#  - the failure cases in diagnose/*.events, in the form "l2tpctl diagnose
#    --raw PEER" prints, read back with --history: each must name the phase
#    reached and the advice for its cause (a file's first line says whether
#    it was recorded from a real client or written by hand);
#  - the real daemon on loopback (null data path, allow_unencrypted), as
#    daemon.bats runs it, with lib/lac.py for the LAC and lib/fake_charon.py
#    in place of our charon plugin: what it records of a client, and of an
#    address it never heard of.

load helpers
load lib/daemon

LAC="python3 $BATS_TEST_DIRNAME/lib/lac.py"
CHARON="python3 $BATS_TEST_DIRNAME/lib/fake_charon.py"
CASES=$BATS_TEST_DIRNAME/diagnose

setup() {
	WORK=$BATS_TEST_TMPDIR
}

teardown() {
	{ exec 4>&-; } 2>/dev/null || true # the fake plugin's connection, if any
	[ -z "${NS_HOLDER:-}" ] || daemon_teardown
}

# replay CASE: l2tpctl diagnose --history on diagnose/CASE.events
replay() {
	run "$L2TPCTL" diagnose --history "$CASES/$1.events"
	echo "$output"
	[ "$status" -eq 0 ]
}

# has LINE: one line of the output is exactly LINE
has() {
	printf '%s\n' "$output" | grep -qxF -- "$1" || { echo "no line: $1" >&2; return 1; }
}

# starts TEXT: one line of the output starts with TEXT
starts() {
	printf '%s\n' "$output" | awk -v p="$1" 'index($0, p) == 1 { f = 1 } END { exit !f }' ||
		{ echo "no line starting: $1" >&2; return 1; }
}

@test "every recorded case says whether it was recorded or written by hand, and reads back as it is" {
	for f in "$CASES"/*.events; do
		head -n 1 "$f" | grep -Eq '^# (recorded|hand-written):' || { echo "$f: first line" >&2; false; }
		# --raw prints the same events again (what a recording would be)
		diff <(grep -v '^#' "$f") <("$L2TPCTL" diagnose --raw --history "$f" | grep -v '^#')
		"$L2TPCTL" --json diagnose --history "$f" | python3 -c 'import json, sys; json.load(sys.stdin)'
	done
	[ "$(ls "$CASES"/*.events | wc -l)" -ge 9 ]
}

@test "proposal mismatch: IKE fails, allow the client's proposals" {
	replay proposal-mismatch
	has "reached: IKE (failed)"
	starts "likely: ike-proposal: "
	starts "advice: allow one the client offers in the proposals of l2tpsrv-ikev1"
}

@test "PSK mismatch: IKE fails on an undecryptable Main Mode message, set the same key" {
	replay psk-mismatch
	has "reached: IKE (failed)"
	starts "likely: psk-mismatch: the pre-shared keys differ (likely)"
	starts "advice: give the client exactly the key in /etc/swanctl/conf.d/l2tpsrv-secrets.conf"
	starts "stopped at: ike fail alert=parse-error ikev=1 exchange=main-mode encrypted=1"
}

@test "NAT and a client gone quiet in IKE: Windows error 809, the registry value" {
	replay nat-809
	has "reached: IKE (failed)"
	starts "likely: nat-t-809: "
	starts "advice: on Windows, set the DWORD AssumeUDPEncapsulationContextOnSendRule = 2 under HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent and reboot"
}

@test "no L2TP after ESP: IPsec up, then down without an SCCRQ" {
	replay no-l2tp
	has "reached: ESP (ended)"
	starts "likely: no-l2tp: IPsec was up, but no L2TP SCCRQ reached l2tpsrv"
	starts "advice: set the client to L2TP/IPsec (not IPsec or IKEv2 alone)"
}

@test "tunnel authentication: the SCCCN without the challenge response, the tunnel secret" {
	replay tunnel-secret
	has "reached: SCCCN (failed)"
	starts "likely: tunnel-secret: "
	starts "advice: set the same secret in l2tpsrv.conf (secret =) and on the client, or none"
}

@test "LCP failure: the call is up, PPP's link options are not agreed" {
	replay lcp-failure
	has "reached: LCP (failed)"
	starts "likely: lcp: "
	starts "advice: compare the MRU/MTU, ACCM and authentication protocol in pppd's log"
}

@test "wrong password: authentication fails with the method agreed" {
	replay wrong-password
	has "reached: authentication (failed)"
	starts "likely: wrong-password: the user name or password is wrong"
	starts "advice: check the user's line in /etc/ppp/chap-secrets, or RADIUS"
}

@test "no authentication method in common: the client refuses them all" {
	replay auth-method
	has "reached: authentication (failed)"
	starts "likely: auth-method: "
	starts "advice: let the client use the server's method"
}

@test "IPCP failure: authenticated, but no address agreed" {
	replay ipcp-failure
	has "reached: IPCP (failed)"
	starts "likely: ipcp: "
	starts "advice: see pppd's log (IPCP Conf-Rej, Conf-Nak)"
}

@test "IPCP stalled: authenticated, the client refuses IPv4, the link stays up (recorded)" {
	replay ipcp-stalled
	has "reached: authentication (in progress)"
	starts "likely: ipcp: "
}

@test "success: the session reached IPCP" {
	replay success
	has "reached: IPCP (connected)"
	starts "likely: connected: the session reached IPCP"
	run "$L2TPCTL" --json diagnose --history "$CASES/success.events" 203.0.113.99
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["peer"] == "203.0.113.99" and d["state"] == "connected" and d["reached"] == "ipcp", d
assert [c["id"] for c in d["causes"]] == ["connected"], d
assert len(d["events"]) == 8 and d["events"][-1]["phase"] == "ipcp", d
'
}

@test "bad input: a malformed events file, an argument that is no address" {
	printf '# hand-written\n100 ike ok x=1\n200 ppp ok\n' >"$WORK/bad.events"
	run "$L2TPCTL" diagnose --history "$WORK/bad.events"
	[ "$status" -eq 1 ]
	[ "$output" = "l2tpctl: $WORK/bad.events: line 3: unknown phase 'ppp'" ]
	run "$L2TPCTL" diagnose --history "$WORK/nope.events"
	[ "$status" -eq 1 ]
	run "$L2TPCTL" -s "$WORK/none" diagnose not-an-address
	[ "$status" -eq 1 ]
	[[ "$output" == *"'not-an-address' is not an IPv4 or IPv6 address"* ]]
	run "$L2TPCTL" --raw list
	[ "$status" -eq 1 ]
	run "$L2TPCTL" --raw --json diagnose --history "$CASES/success.events"
	[ "$status" -eq 1 ]
}

# ---- the daemon ----

charon_connect() {
	mkfifo "$WORK/charon.in"
	$CHARON "$WORK/charon.sock" <"$WORK/charon.in" >"$WORK/charon.out" 3>&- &
	exec 4>"$WORK/charon.in"
	for _ in $(seq 50); do grep -q connected "$WORK/charon.out" && break; sleep 0.1; done
	grep -q connected "$WORK/charon.out"
	charon_say "hello proto=1 version=test" "sync-begin" "sync-end"
	wait_log 'event=charon_synced'
}

charon_say() { printf '%s\n' "$@" >&4; }

wait_log() { # PATTERN: wait up to 5 s for it in the daemon's log
	for _ in $(seq 50); do grep -q -- "$1" "$WORK/l2tpsrv.log" && return 0; sleep 0.1; done
	echo "not in the log: $1" >&2
	return 1
}

lac_setup() { # a LAC from 127.0.0.1 with a tunnel and a call, acknowledging for 6 s
	in_ns $LAC 127.0.0.1 1701 setup --hold 6 >"$WORK/lac.out" 3>&- 4>&- &
	LAC_PID=$!
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac.out" && break; sleep 0.1; done
	grep -q '^session=' "$WORK/lac.out"
}

@test "the daemon: a LAC's tunnel and call from 127.0.0.1 reach ICCN; an unknown peer has no record" {
	daemon_setup
	daemon_start
	run ctl diagnose 127.0.0.1
	[ "$status" -eq 1 ]
	[[ "$output" == "l2tpctl: no record of 127.0.0.1: "* ]]
	lac_setup
	run ctl diagnose 127.0.0.1
	echo "$output"
	[ "$status" -eq 0 ]
	has "reached: ICCN (in progress)"
	starts "likely: no-ppp: " # the null data path runs no PPP
	run ctl --raw diagnose 127.0.0.1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# recorded: l2tpctl diagnose --raw 127.0.0.1 (l2tpctl $(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$BUILDDIR/autoconfig.h"))" ]
	has "# peer 127.0.0.1"
	[[ "$output" =~ [0-9]+\ sccrq\ ok\ tunnel=[0-9]+\ port=[0-9]+\ host=\"bats-lac\" ]]
	[[ "$output" =~ [0-9]+\ tunnel\ ok\ tunnel=[0-9]+\ auth=none ]]
	[[ "$output" =~ [0-9]+\ icrq\ ok\ tunnel=[0-9]+\ session=[0-9]+ ]]
	[[ "$output" =~ [0-9]+\ iccn\ ok\ tunnel=[0-9]+\ session=[0-9]+ ]]
	# a recording reads back as the same verdict
	printf '%s\n' "$output" >"$WORK/recorded.events"
	run "$L2TPCTL" diagnose --history "$WORK/recorded.events"
	has "reached: ICCN (in progress)"
	[[ "${lines[0]}" == "peer 127.0.0.1: 4 events"* ]]
	run ctl diagnose 127.0.0.9
	[ "$status" -eq 1 ]
	[[ "$output" == "l2tpctl: no record of 127.0.0.9: l2tpsrv has heard nothing of that address lately"* ]]
	run ctl diagnose ::1
	[ "$status" -eq 1 ]
	[[ "$output" == "l2tpctl: no record of ::1: "* ]]
	wait "$LAC_PID"
}

@test "the daemon: the charon plugin's ike-fail and IKE and CHILD SAs land in the peer's history" {
	daemon_setup
	daemon_start
	charon_connect
	# a client whose PSK differs (l2tpsrv_ike_fail.c's ike-fail), at another address
	charon_say "ike-fail ike=3 alert=parse-error exchange=main-mode encrypted=1 ikev=1 local=127.0.0.1 local-port=500 remote=127.0.0.5 remote-port=500 nat-local=0 nat-remote=0"
	wait_log 'event=ipsec_failed ike=3 peer=127.0.0.5:500 alert="parse-error" exchange="main-mode"'
	run ctl diagnose 127.0.0.5
	echo "$output"
	has "reached: IKE (failed)"
	starts "likely: psk-mismatch: "
	# IPsec for 127.0.0.1, then L2TP inside it
	charon_say "ike-up ike=5 ikev=1 local=127.0.0.1 local-port=4500 remote=127.0.0.1 remote-port=4500 nat-local=0 nat-remote=1 remote-id=client.example" \
		"child-up ike=5 child=7 ikev=1 local=127.0.0.1 local-port=4500 remote=127.0.0.1 remote-port=4500 nat-local=0 nat-remote=1 name=l2tp mode=transport reqid=3 spi-in=c1a2b3c4 spi-out=0000abcd mark-in=0/0 mark-out=0/0 remote-ports=1024-65535"
	wait_log 'event=ipsec_up ike=5 child=7'
	lac_setup
	run ctl --json diagnose 127.0.0.1
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["reached"] == "iccn" and d["state"] == "in progress", d
ev = [(e["phase"], e["result"]) for e in d["events"]]
assert ev == [("ike", "ok"), ("esp", "ok"), ("sccrq", "ok"), ("tunnel", "ok"), ("icrq", "ok"), ("iccn", "ok")], ev
assert d["events"][0]["detail"] == "ike=5 ikev=1 nat-local=0 nat-remote=1 port=4500 id=\"client.example\"", d
'
	# the IKE SA goes: the tunnel is aborted, and that is where the history ends
	charon_say "ike-down ike=5"
	wait_log 'reason="IPsec SA gone (IKE SA 5 down)"'
	run ctl --raw diagnose 127.0.0.1
	echo "$output"
	[[ "${lines[-1]}" =~ ^[0-9]+\ tunnel\ down\ tunnel=[0-9]+\ by=server\ result=1\ error=0\ reason=\"IPsec\ SA\ gone\ \(IKE\ SA\ 5\ down\)\"$ ]]
	[[ "${lines[-2]}" =~ ^[0-9]+\ ike\ down\ ike=5$ ]]
	run ctl diagnose 127.0.0.1
	has "reached: ICCN (ended)"
	wait "$LAC_PID"
}

@test "the daemon: an SA a sync replays is recorded once, for a client it has no record of" {
	daemon_setup
	daemon_start
	mkfifo "$WORK/charon.in"
	$CHARON "$WORK/charon.sock" <"$WORK/charon.in" >"$WORK/charon.out" 3>&- &
	exec 4>"$WORK/charon.in"
	for _ in $(seq 50); do grep -q connected "$WORK/charon.out" && break; sleep 0.1; done
	# l2tpsrv (re)started after this client's SAs came up: it learns them
	# from the sync, and diagnose must not say the client never got there
	local child="child-up ike=8 child=9 ikev=1 local=127.0.0.1 local-port=500 remote=127.0.0.6 remote-port=500 nat-local=0 nat-remote=0 remote-id=127.0.0.6 name=l2tp mode=transport reqid=4 spi-in=c1a2b3c5 spi-out=0000abce mark-in=0/0 mark-out=0/0 remote-ports=1701-1701"
	charon_say "hello proto=1 version=test" "sync-begin" "$child" "sync-end"
	wait_log 'event=charon_synced'
	run ctl --json diagnose 127.0.0.6
	echo "$output"
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ev = [(e["phase"], e["result"]) for e in d["events"]]
assert ev == [("ike", "ok"), ("esp", "ok")], ev
assert d["reached"] == "esp", d
'
	# the same SA in the next sync (charon's plugin reconnected) is no news
	charon_say "sync-begin" "$child" "sync-end"
	for _ in $(seq 50); do [ "$(grep -c 'event=charon_synced' "$WORK/l2tpsrv.log")" -ge 2 ] && break; sleep 0.1; done
	[ "$(grep -c 'event=charon_synced' "$WORK/l2tpsrv.log")" -ge 2 ]
	run ctl --raw diagnose 127.0.0.6
	echo "$output"
	[ "$(printf '%s\n' "$output" | grep -vc '^#')" -eq 2 ]
}
