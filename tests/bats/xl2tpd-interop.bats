#!/usr/bin/env bats
# l2tpsrv as the LNS against Debian's xl2tpd as the LAC, on loopback in a
# private namespace per test (lib/interop.bash). Both sides must agree:
# l2tpsrv's listing and log, and xl2tpd's log. Every test captures its
# traffic, and neither tshark nor lib/l2tp-avps.py may find fault with
# anything l2tpsrv sent.
#
# The xl2tpd lines checked (xl2tpd 1.3.18, control.c and call.c):
#   "Connection established to 127.0.0.1, 1701.  Local: LAC_TID, Remote: LNS_TID"
#   "Call established with 127.0.0.1, Local: LAC_SID, Remote: LNS_SID, Serial: N"
#   "control_finish: Connection closed to 127.0.0.1, serial N (...)"        CDN received
#   "control_finish: Connection closed to 127.0.0.1, port 1701 (...), ..."  StopCCN received

load helpers
load lib/interop

SECRET=interop-secret

setup() {
	interop_setup
}

teardown() {
	interop_teardown
}

# dial: "c x", then both sides report the tunnel and the call established,
# with the same ids. Sets LNS_TID LNS_SID LAC_TID LAC_SID.
dial() {
	lac_command "c x"
	wait_until 10 lns_established
	LNS_TID=$(lns_eval 'd["tunnels"][0]["id"]')
	LAC_TID=$(lns_eval 'd["tunnels"][0]["peer_id"]')
	LNS_SID=$(lns_eval 'd["tunnels"][0]["sessions"][0]["id"]')
	LAC_SID=$(lns_eval 'd["tunnels"][0]["sessions"][0]["peer_id"]')
	wait_until 5 lac_log_has \
		"Connection established to 127\.0\.0\.1, 1701\.  Local: $LAC_TID, Remote: $LNS_TID "
	wait_until 5 lac_log_has \
		"Call established with 127\.0\.0\.1, Local: $LAC_SID, Remote: $LNS_SID, Serial: [0-9]+"
	lns_log_has "tunnel=$LNS_TID peer=127\.0\.0\.1:1702 event=established peer_tunnel=$LAC_TID host=\"$LAC_HOST\""
	lns_log_has "tunnel=$LNS_TID session=$LNS_SID peer=127\.0\.0\.1:1702 event=established peer_session=$LAC_SID"
}

# check_capture_established [SECRET]: l2tpsrv's SCCRP and ICRP are in the
# capture and nothing it sent is at fault.
check_capture_established() {
	capture_check "${1:-}"
	lns_sent 'l2tp.avp.message_type == 2'  # SCCRP
	lns_sent 'l2tp.avp.message_type == 11' # ICRP
}

@test "xl2tpd: no secret, no hidden AVPs: tunnel and call established on both sides" {
	lns_config
	lns_start
	lac_config
	lac_start
	dial
	lns_log_has "event=established peer_tunnel=$LAC_TID .*auth=none"
	lns_state 'd["tunnels"][0]["host_name"] == "lac-test" and d["tunnels"][0]["peer"] == "127.0.0.1:1702"'
	lns_alive
	check_capture_established
}

@test "xl2tpd: shared secret, each side challenges the other: established" {
	lns_config "secret = $SECRET"
	lns_start
	lac_config "challenge = yes"
	lac_secret "$SECRET"
	lac_start
	dial
	lns_log_has "event=established peer_tunnel=$LAC_TID .*auth=secret"
	lns_alive
	check_capture_established "$SECRET"
	# Both answers are right, checked independently of either implementation:
	# l2tpsrv's in SCCRP (type 2) and xl2tpd's in SCCCN (type 3).
	run capture_avps "$SECRET"
	[ "$status" -eq 0 ]
	[[ "$output" == *"src=1701 msg=2 response=ok"* ]]
	[[ "$output" == *"src=1702 msg=3 response=ok"* ]]
}

@test "xl2tpd: wrong secret, l2tpsrv notices: StopCCN result 4, nothing established" {
	lns_config "secret = $SECRET"
	lns_start
	# xl2tpd does not challenge, so only l2tpsrv can find the secrets differ.
	lac_config
	lac_secret "not-$SECRET"
	lac_start
	lac_command "c x"
	wait_until 10 lns_log_has "event=stop state=wait-ctl-conn result=4 "
	# xl2tpd counts the tunnel up once it has sent SCCCN; our StopCCN ends it.
	wait_until 5 lac_log_has "control_finish: Connection closed to 127\.0\.0\.1, port 1701 "
	wait_until 5 lns_empty # freed once xl2tpd acknowledged the StopCCN
	refute lns_log_has "event=established"
	lns_state 'd["tunnels_established"] == 0 and d["sessions_established"] == 0'
	refute lac_log_has "Call established"
	lns_alive
	capture_check "$SECRET"
	lns_sent 'l2tp.avp.message_type == 4 && l2tp.result_code == 4'
}

@test "xl2tpd: wrong secret, xl2tpd notices: l2tpsrv takes its StopCCN, nothing established" {
	lns_config "secret = $SECRET"
	lns_start
	lac_config "challenge = yes"
	lac_secret "not-$SECRET"
	lac_start
	lac_command "c x"
	wait_until 10 lac_log_has "Invalid authentication for host '$LNS_HOST'"
	wait_until 10 lns_log_has "event=stopped_by_peer state=wait-ctl-conn "
	refute lns_log_has "event=established"
	lns_state 'd["tunnels_established"] == 0'
	lns_alive
	capture_check "$SECRET"
	lns_sent 'l2tp.avp.message_type == 2'
}

@test "xl2tpd: secret and xl2tpd's hidden bit (Random Vectors): established" {
	lns_config "secret = $SECRET"
	lns_start
	# xl2tpd 1.3.18's "hidden bit" adds a Random Vector to its messages but
	# hides no AVP (only its TEST_HIDDEN build does): l2tpsrv must take them.
	lac_config "challenge = yes" "hidden bit = yes"
	lac_secret "$SECRET"
	lac_start
	dial
	lns_alive
	check_capture_established "$SECRET"
	[ -n "$(tshark_l2tp 'udp.srcport == 1702 && l2tp.avp.type == 36')" ]
}

@test "l2tpsrv hide_avps: established with xl2tpd; SCCRP clear, later AVPs hidden and right" {
	# xl2tpd reveals hidden AVPs with the secret it looks up by our Host
	# Name, which it reads from the SCCRP itself (control.c): so l2tpsrv
	# sends SCCRP in clear and hides from the next message on. Its hiding
	# is checked with lib/l2tp-avps.py, written from RFC 2661 section 4.3.
	lns_config "secret = $SECRET" "hide_avps = yes"
	lns_start
	lac_config "challenge = yes" "hidden bit = yes"
	lac_secret "$SECRET"
	lac_start
	dial
	run "$L2TPCTL" -s "$WORK/control" close-session "$LNS_TID" "$LNS_SID"
	[ "$status" -eq 0 ]
	wait_until 5 lac_log_has "control_finish: Connection closed to 127\.0\.0\.1, serial "
	lns_alive
	capture_check "$SECRET"
	lns_sent_none 'l2tp.avp.message_type == 2 && l2tp.avp.hidden == 1'
	lns_sent 'l2tp.avp.message_type == 11 && l2tp.avp.hidden == 1'
	run capture_avps "$SECRET"
	[ "$status" -eq 0 ]
	# ICRP (11): the hidden Assigned Session ID is the id l2tpsrv listed;
	# CDN (14): the hidden Assigned Session ID too.
	[[ "$output" == *"src=1701 msg=11 type=14 hidden=1 value=$(printf %04x "$LNS_SID")"* ]]
	[[ "$output" == *"src=1701 msg=14 type=14 hidden=1 value=$(printf %04x "$LNS_SID")"* ]]
	[[ "$output" == *"src=1701 msg=2 response=ok"* ]]
	# Never hidden (RFC 2661 section 4.4): Message Type, Random Vector,
	# Protocol Version, Host Name, Receive Window Size, Result Code.
	refute grep -E "src=1701 msg=[0-9]+ type=(0|36|2|7|10|1) hidden=1" <<<"$output"
}

@test "teardown from l2tpsrv: close-session, then close-tunnel; xl2tpd follows" {
	lns_config
	lns_start
	lac_config
	lac_start
	dial
	run "$L2TPCTL" -s "$SOCK" close-session "$LNS_TID" "$LNS_SID"
	[ "$status" -eq 0 ]
	wait_until 5 lac_log_has \
		"control_finish: Connection closed to 127\.0\.0\.1, serial [0-9]+ \(closed by the administrator\)"
	wait_until 5 lns_state 'd["tunnels"][0]["state"] == "established" and d["tunnels"][0]["sessions"] == []'
	run "$L2TPCTL" -s "$SOCK" close-tunnel "$LNS_TID"
	[ "$status" -eq 0 ]
	wait_until 5 lac_log_has \
		"control_finish: Connection closed to 127\.0\.0\.1, port 1701 .*Local: $LAC_TID, Remote: $LNS_TID"
	# xl2tpd acknowledges the StopCCN, so there is nothing to hold.
	wait_until 3 lns_empty
	lns_log_has "tunnel=$LNS_TID .*event=freed"
	lns_alive
	check_capture_established
	lns_sent "l2tp.avp.message_type == 14 && l2tp.session == $LAC_SID && l2tp.result_code == 3" # CDN
	lns_sent "l2tp.avp.message_type == 4 && l2tp.tunnel == $LAC_TID && l2tp.result_code == 1" # StopCCN
}

@test "teardown from xl2tpd: d x; l2tpsrv drops the session, then the tunnel" {
	# After a StopCCN the receiver holds the tunnel for a full retransmission
	# cycle (RFC 2661 section 5.7; 31s with the defaults): shorten the cycle.
	lns_config "retransmit_initial = 250ms" "retransmit_max = 1s" "retransmit_count = 2"
	lns_start
	lac_config
	lac_start
	dial
	lac_command "d x"
	wait_until 5 lns_state 'all(t["sessions"] == [] for t in d["tunnels"])'
	wait_until 10 lns_empty
	lns_log_has "tunnel=$LNS_TID peer=127\.0\.0\.1:1702 event=stopped_by_peer state=established result=1 "
	lns_log_has "tunnel=$LNS_TID .*event=freed"
	lac_log_has "Disconnecting from 127\.0\.0\.1, Local: $LAC_TID, Remote: $LNS_TID"
	lns_alive
	check_capture_established
}

@test "l2tpsrv survives failures and teardowns both ways, answers, and exits cleanly" {
	lns_config "secret = $SECRET" \
		"retransmit_initial = 250ms" "retransmit_max = 1s" "retransmit_count = 2"
	lns_start
	# A LAC with the wrong secret is refused.
	lac_config
	lac_secret "not-$SECRET"
	lac_start
	lac_command "c x"
	wait_until 10 lns_log_has "event=stop state=wait-ctl-conn result=4 "
	wait_until 5 lns_empty
	lac_stop
	# The right secret: up, hung up by xl2tpd; up again, closed by l2tpsrv.
	lac_config "challenge = yes"
	lac_secret "$SECRET"
	lac_start
	dial
	lac_command "d x"
	wait_until 10 lns_empty
	dial
	"$L2TPCTL" -s "$SOCK" close-tunnel "$LNS_TID"
	wait_until 5 lns_empty
	lns_alive
	run "$L2TPCTL" -s "$SOCK" list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 tunnels, 0 sessions (since start: 2 tunnels, 2 sessions established)" ]
	lac_stop
	check_capture_established "$SECRET"
	# SIGTERM: a clean exit.
	kill -TERM "$LNS_PID"
	rc=0
	wait "$LNS_PID" || rc=$?
	LNS_PID=
	[ "$rc" -eq 0 ]
	lns_log_has "event=shutdown"
}
