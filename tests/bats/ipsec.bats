#!/usr/bin/env bats
# l2tpsrv's two IPsec locks, on the host (ipsec.h):
#  - the kernel's: every L2TP socket requires ESP (an XFRM socket policy), so
#    plaintext L2TP never reaches the daemon; this host's kernel has XFRM
#    but no ESP, so here plaintext is all there is;
#  - charon's: tunnels belong to the IKE SA our charon plugin announced for
#    their peer, and end when it goes. lib/fake_charon.py plays the plugin
#    (tests/vm runs the real one with real charon and ESP).

load helpers
load lib/daemon

LAC="python3 $BATS_TEST_DIRNAME/lib/lac.py"
CHARON="python3 $BATS_TEST_DIRNAME/lib/fake_charon.py"

# What the plugin says of a client at 127.0.0.1 behind a NAT (NAT-T port 4500).
IKE_5="ikev=1 local=127.0.0.1 local-port=4500 remote=127.0.0.1 remote-port=4500 nat-local=0 nat-remote=1 remote-id=client.example xauth-id=alice cert=C=CH,%20O=l2tpsrv%20test,%20CN=client.example"
CHILD_7="name=l2tp mode=transport reqid=3 spi-in=c1a2b3c4 spi-out=0000abcd mark-in=0/0 mark-out=0/0 remote-ports=1024-65535"

setup() {
	daemon_setup
	mkfifo "$WORK/charon.in"
}

teardown() {
	exec 4>&- 2>/dev/null || true
	daemon_teardown
}

# charon_connect: the fake plugin, fed by what the test writes to fd 4.
charon_connect() {
	$CHARON "$WORK/charon.sock" <"$WORK/charon.in" >"$WORK/charon.out" 3>&- &
	CHARON_PID=$!
	exec 4>"$WORK/charon.in"
	for _ in $(seq 50); do grep -q connected "$WORK/charon.out" && break; sleep 0.1; done
	grep -q connected "$WORK/charon.out"
}

charon_say() { printf '%s\n' "$@" >&4; }

wait_log() { # PATTERN: wait up to 5 s for it in the daemon's log
	for _ in $(seq 50); do grep -q -- "$1" "$WORK/l2tpsrv.log" && return 0; sleep 0.1; done
	echo "not in the log: $1" >&2
	return 1
}

no_tunnels_within() { # SECONDS
	for _ in $(seq $(($1 * 10))); do ctl list | grep -q '^0 tunnels' && return 0; sleep 0.1; done
	return 1
}

lac_setup() { # a LAC with a tunnel and a call, acknowledging for 8 s
	in_ns $LAC 127.0.0.1 1701 setup --hold 8 >"$WORK/lac.out" 3>&- 4>&- &
	LAC_PID=$!
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac.out" && break; sleep 0.1; done
	TID=$(sed -n 's/^tunnel=\([0-9]*\).*/\1/p' "$WORK/lac.out")
	[ -n "$TID" ]
}

without_unencrypted() { sed -i '/^allow_unencrypted/d' "$WORK/l2tpsrv.conf"; }

@test "by default plaintext L2TP gets no answer at all: the kernel drops it before l2tpsrv" {
	without_unencrypted
	daemon_start
	grep -q 'event=ready .*ipsec=required' "$WORK/l2tpsrv.log"
	before=$(in_ns awk '$1 == "XfrmInTmplMismatch" { print $2 }' /proc/net/xfrm_stat)
	run in_ns $LAC 127.0.0.1 1701 probe
	[ "$output" = "reply=none" ]
	# the socket's policy refused it (no ESP on the way in), so l2tpsrv never saw it
	after=$(in_ns awk '$1 == "XfrmInTmplMismatch" { print $2 }' /proc/net/xfrm_stat)
	[ "$after" -gt "$before" ]
	run ctl --json list
	echo "$output" | python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["packets_dropped"] == 0, d'
	daemon_alive
	! grep -q 'event=unencrypted' "$WORK/l2tpsrv.log" || false
}

@test "allow_unencrypted = yes answers plaintext, and says so at start and for every tunnel" {
	daemon_start
	grep -q 'event=ready .*ipsec=optional' "$WORK/l2tpsrv.log"
	grep -q 'level=warning.*event=unencrypted_allowed\|event=unencrypted_allowed' "$WORK/l2tpsrv.log"
	run in_ns $LAC 127.0.0.1 1701 probe
	[ "$output" = "reply=2" ] # SCCRP: the same probe sees answers when there are some
	grep -q 'peer=127.0.0.1:[0-9]* event=unencrypted_tunnel' "$WORK/l2tpsrv.log"
	run "$L2TPSRV" --allow-unencrypted -c "$WORK/l2tpsrv.conf" --check-config
	[[ "$output" == *"allow_unencrypted = yes"* ]]
}

@test "a session shows the IKE identity and outer address of the IKE SA protecting it" {
	daemon_start
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" "sync-end"
	wait_log 'event=charon_synced ike_sas=0 child_sas=0'
	charon_say "child-up ike=5 child=7 $IKE_5 $CHILD_7"
	wait_log 'event=ipsec_up ike=5 child=7 peer=127.0.0.1:4500 nat=yes id="client.example" user="alice"'
	lac_setup
	! grep -q 'event=unencrypted_tunnel' "$WORK/l2tpsrv.log" || false # it is protected
	run ctl --json show sessions
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
s, = json.load(sys.stdin)
i = s["ipsec"]
assert i["ike_sa"] == 5 and i["ike_version"] == 1, i
assert i["remote"] == "127.0.0.1:4500" and i["nat"] is True, i
assert i["id"] == "client.example" and i["user"] == "alice", i
assert i["cert"] == "C=CH, O=l2tpsrv test, CN=client.example", i
'
	run ctl show sessions
	[[ "${lines[1]}" == *"127.0.0.1:4500"*"client.example"* ]]
}

@test "the IKE SA going down ends its tunnels at once, with StopCCN and the reason" {
	daemon_start
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" "child-up ike=5 child=7 $IKE_5 $CHILD_7" "sync-end"
	wait_log 'event=charon_synced'
	lac_setup
	charon_say "child-down ike=9 child=99" # not this peer's
	sleep 0.5
	ctl list | grep -q '^1 tunnels'
	charon_say "ike-down ike=5"
	no_tunnels_within 1
	wait "$LAC_PID"
	grep -q '^received=4$' "$WORK/lac.out" # StopCCN
	grep -q "tunnel=$TID .*event=stop .*reason=\"IPsec SA gone (IKE SA 5 down)\"" "$WORK/l2tpsrv.log"
}

@test "a CHILD_SA going down ends the tunnel unless another IKE SA of the peer covers it" {
	daemon_start
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" "child-up ike=5 child=7 $IKE_5 $CHILD_7" "sync-end"
	wait_log 'event=charon_synced'
	lac_setup
	# a reauthentication: a new IKE SA with its own CHILD_SA, then the old one goes
	charon_say "child-up ike=6 child=8 $IKE_5 $CHILD_7" "ike-down ike=5"
	wait_log "tunnel=$TID event=ipsec_moved ike=5 new_ike=6"
	ctl list | grep -q '^1 tunnels'
	charon_say "child-down ike=6 child=8"
	no_tunnels_within 1
	grep -q "tunnel=$TID .*reason=\"IPsec SA gone (CHILD_SA 8 of IKE SA 6 down)\"" "$WORK/l2tpsrv.log"
}

@test "charon going away ends every tunnel it protected; a new charon's sync ends what it lacks" {
	daemon_start
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" "child-up ike=5 child=7 $IKE_5 $CHILD_7" "sync-end"
	wait_log 'event=charon_synced'
	lac_setup
	exec 4>&- # the plugin's connection closes
	no_tunnels_within 1
	grep -q 'event=charon_lost' "$WORK/l2tpsrv.log"
	grep -q "tunnel=$TID .*reason=\"IPsec SA gone (charon is gone)\"" "$WORK/l2tpsrv.log"
	wait "$LAC_PID"

	# again, and this time a restarted charon replays without that SA
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" "child-up ike=5 child=7 $IKE_5 $CHILD_7" "sync-end"
	lac_setup
	charon_say "sync-begin" "sync-end"
	no_tunnels_within 1
	grep -q "tunnel=$TID .*reason=\"IPsec SA gone (charon no longer has it)\"" "$WORK/l2tpsrv.log"
	daemon_alive
}

@test "bad records from the plugin are logged and change nothing" {
	daemon_start
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" "child-up ike=5 child=7 $IKE_5 $CHILD_7" "sync-end"
	charon_say "child-up ike=5" "bogus x=1" "ike-down ike=abc" "ike-down"
	wait_log 'event=charon_bad_message error="ike-down without ike="'
	grep -q 'event=charon_bad_message error="child-up without child="' "$WORK/l2tpsrv.log"
	grep -qF "event=charon_bad_message error=\"unknown event 'bogus'\"" "$WORK/l2tpsrv.log"
	lac_setup # still protected: ike 5 was not taken down by the bad ike-down
	! grep -q 'event=unencrypted_tunnel' "$WORK/l2tpsrv.log" || false
	daemon_alive
}

# Two clients behind one NAT: one address, L2TP from the same port range,
# each through its own CHILD_SA with its own marks (mark_in/mark_out =
# %unique, set_mark_in = %same). Here nftables marks each LAC's datagrams as
# the decrypting SA would (the LACs differ in source port only so that it
# can tell them apart: both SAs cover every port), and counts the marks on
# what l2tpsrv sends back.
CHILD_A="name=l2tp mode=transport reqid=3 spi-in=c1a2b3c4 spi-out=0000abcd mark-in=a1/ffffffff mark-out=b1/ffffffff remote-ports=1024-65535"
CHILD_B="name=l2tp mode=transport reqid=4 spi-in=c1a2b3c5 spi-out=0000abce mark-in=a2/ffffffff mark-out=b2/ffffffff remote-ports=1024-65535"

marks_nft() {
	in_ns nft -f - <<'NFT'
table inet t {
	counter to_a { }
	counter to_a_marked { }
	counter to_b { }
	counter to_b_marked { }
	counter to_c { }
	counter to_c_unmarked { }
	counter to_pair { }
	counter to_pair_marked { }
	chain decrypted {
		type filter hook prerouting priority -150; policy accept;
		udp dport 1701 udp sport 40001 meta mark set 0xa1
		udp dport 1701 udp sport 40002 meta mark set 0xa2
		udp dport 1701 udp sport 40003 meta mark set 0xa3
		udp dport 1701 udp sport 40005 ip dscp cs1 meta mark set 0xa1
		udp dport 1701 udp sport 40005 ip dscp cs2 meta mark set 0xa2
	}
	chain sent {
		type filter hook output priority 0; policy accept;
		udp sport 1701 udp dport 40001 counter name to_a
		udp sport 1701 udp dport 40001 meta mark 0xb1 counter name to_a_marked
		udp sport 1701 udp dport 40002 counter name to_b
		udp sport 1701 udp dport 40002 meta mark 0xb2 counter name to_b_marked
		udp sport 1701 udp dport 40003 counter name to_c
		udp sport 1701 udp dport 40003 meta mark 0 counter name to_c_unmarked
		udp sport 1701 udp dport 40005 counter name to_pair
		udp sport 1701 udp dport 40005 meta mark { 0xb1, 0xb2 } counter name to_pair_marked
	}
}
NFT
}

nft_packets() { # COUNTER
	in_ns nft list counter inet t "$1" | sed -n 's/.*packets \([0-9]*\) .*/\1/p'
}

lac_from() { # PORT: a LAC at 127.0.0.1:PORT with a tunnel and a call, acknowledging for 8 s
	LAC_PORT=$1 in_ns $LAC 127.0.0.1 1701 setup --hold 8 >"$WORK/lac-$1.out" 3>&- 4>&- &
	for _ in $(seq 50); do grep -q '^session=' "$WORK/lac-$1.out" && return 0; sleep 0.1; done
	echo "LAC from port $1 got no session:" >&2
	cat "$WORK/lac-$1.out" >&2
	return 1
}

@test "marks tell clients behind one NAT apart: each tunnel is its SA's and sends with its mark" {
	marks_nft
	daemon_start
	! grep -q 'event=rcvmark_unavailable' "$WORK/l2tpsrv.log" || false
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" "sync-end"
	wait_log 'event=charon_synced'
	charon_say "child-up ike=5 child=7 $IKE_5 $CHILD_A" "child-up ike=6 child=8 $IKE_5 $CHILD_B"
	wait_log 'event=ipsec_up ike=6 child=8 .* mark_in=a2/ffffffff mark_out=b2/ffffffff'
	lac_from 40001
	lac_from 40002
	lac_from 40003 # a mark no SA has
	run ctl --json list
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
t = {x["peer"]: x for x in json.load(sys.stdin)["tunnels"]}
a, b, c = t["127.0.0.1:40001"], t["127.0.0.1:40002"], t["127.0.0.1:40003"]
assert (a["ike_sa"], a["mark_in"], a["mark_out"]) == (5, 0xa1, 0xb1), a
assert (b["ike_sa"], b["mark_in"], b["mark_out"]) == (6, 0xa2, 0xb2), b
assert a["sessions"][0]["ipsec"]["ike_sa"] == 5, a
assert b["sessions"][0]["ipsec"]["ike_sa"] == 6, b
# no SA has its mark: no IPsec SA claims it (allowed here only as unencrypted)
assert (c["ike_sa"], c["mark_in"], c["mark_out"]) == (0, 0, 0), c
assert "ipsec" not in c["sessions"][0] or not c["sessions"][0]["ipsec"], c
'
	grep -q 'peer=127.0.0.1:40003 event=unencrypted_tunnel' "$WORK/l2tpsrv.log"
	! grep -q 'peer=127.0.0.1:4000[12] event=unencrypted_tunnel' "$WORK/l2tpsrv.log" || false
	run ctl show tunnels
	[[ "$output" == *"peer 127.0.0.1:40001 "*" ike 5 mark-in 0xa1 mark-out 0xb1"* ]]
	# every datagram to each LAC (SCCRP, ICRP, acks) left with its SA's outbound mark
	[ "$(nft_packets to_a)" -ge 3 ]
	[ "$(nft_packets to_a_marked)" -eq "$(nft_packets to_a)" ]
	[ "$(nft_packets to_b)" -ge 3 ]
	[ "$(nft_packets to_b_marked)" -eq "$(nft_packets to_b)" ]
	[ "$(nft_packets to_c)" -ge 3 ]
	[ "$(nft_packets to_c_unmarked)" -eq "$(nft_packets to_c)" ]

	# a rekey that keeps the marks keeps the tunnel; one that changes them ends it
	# (here the outbound one: what the tunnel sends with would match no policy)
	charon_say "child-rekey ike=5 child=7 new=9 $IKE_5 ${CHILD_A/c1a2b3c4/c1a2b3d4}"
	charon_say "child-rekey ike=6 child=8 new=10 $IKE_5 ${CHILD_B/b2\/ffffffff/b4\/ffffffff}"
	wait_log 'event=ipsec_marks_changed ike=6 child=8 new=10 .* mark_out=b2/ffffffff new_mark_out=b4/ffffffff'
	for _ in $(seq 10); do ctl list | grep -q '^2 tunnels' && break; sleep 0.1; done
	run ctl --json list
	echo "$output" | python3 -c '
import json, sys
t = {x["peer"]: x for x in json.load(sys.stdin)["tunnels"]}
assert "127.0.0.1:40002" not in t, t
assert t["127.0.0.1:40001"]["ike_sa"] == 5, t
'
	grep -q 'peer=127.0.0.1:40002 .*event=stop .*reason="IPsec SA changed (child-rekey of IKE SA 6)"' \
		"$WORK/l2tpsrv.log"
	# its StopCCN went out with the mark it had
	[ "$(nft_packets to_b_marked)" -eq "$(nft_packets to_b)" ]
}

# The userspace data path (a socket per tunnel, pppd on a pty), with
# lib/fake_pppd.py standing in for pppd; then the daemon, and charon with
# the SAs of CHILD_A and CHILD_B.
userspace_with_marked_sas() {
	printf '#!/bin/sh\nexec python3 %s "$@"\n' "$BATS_TEST_DIRNAME/lib/fake_pppd.py" >"$WORK/pppd"
	chmod 755 "$WORK/pppd"
	: >"$WORK/l2tpsrv.so" # any readable file: only the fake pppd is given it
	sed -i 's/^dataplane = null$/dataplane = userspace/' "$WORK/l2tpsrv.conf"
	printf 'mss_clamp = no\npppd_plugin = %s\n' "$WORK/l2tpsrv.so" >>"$WORK/l2tpsrv.conf"
	DAEMON_WRAPPER=(unshare --mount sh -c 'mount --bind "$0" /usr/sbin/pppd && exec "$@"'
		"$WORK/pppd")
	daemon_start
	charon_connect
	charon_say "hello proto=1 version=test" "sync-begin" \
		"child-up ike=5 child=7 $IKE_5 $CHILD_A" "child-up ike=6 child=8 $IKE_5 $CHILD_B" "sync-end"
	wait_log 'event=charon_synced'
}

@test "a tunnel's own socket has its SA's outbound mark, and takes its messages with their marks" {
	marks_nft
	userspace_with_marked_sas
	# the ICRQ and ICCN come to the tunnel's socket once it is there: with their marks
	lac_from 40001
	lac_from 40002
	run in_ns ss -uanpe
	echo "$output"
	echo "$output" | grep -q '127.0.0.1:1701 *127.0.0.1:40001 .*fwmark:0xb1'
	echo "$output" | grep -q '127.0.0.1:1701 *127.0.0.1:40002 .*fwmark:0xb2'
	[ "$(nft_packets to_a_marked)" -eq "$(nft_packets to_a)" ]
	[ "$(nft_packets to_b_marked)" -eq "$(nft_packets to_b)" ]
	! grep -q 'reason="tunnel belongs to another peer"' "$WORK/l2tpsrv.log" || false
	daemon_stop # SIGTERM: the fake pppds go with it
}

# Two clients behind one NAT from the very same address and port (lib/lac.py
# nat-pair: one socket, each client's datagrams with its own TOS, which
# nftables marks as the client's SA would): the kernel hands their datagrams
# to either tunnel's socket, yet each client's PPP frames reach its own
# pppd, and a frame one sends with the other's tunnel and session ids
# reaches nobody.
@test "clients behind one NAT on one port: each one's data reaches its own pppd only" {
	marks_nft
	: >"$WORK/fake-pppd.tty" # the fake pppds speak on their ttys and keep what comes
	userspace_with_marked_sas
	LAC_PORT=40005 in_ns $LAC 127.0.0.1 1701 nat-pair --hold 8 >"$WORK/lac-pair.out" 3>&- 4>&- &
	for _ in $(seq 50); do grep -q '^data=sent' "$WORK/lac-pair.out" && break; sleep 0.1; done
	cat "$WORK/lac-pair.out"
	A=$(sed -n 's/^a_tunnel=\([0-9]*\).*/\1/p' "$WORK/lac-pair.out")
	B=$(sed -n 's/^b_tunnel=\([0-9]*\).*/\1/p' "$WORK/lac-pair.out")
	[ -n "$A" ]
	[ -n "$B" ]
	[ "$A" != "$B" ]
	# b-last was sent last: once it and from-a are in, every frame went where it went
	for _ in $(seq 50); do
		grep -qa from-a "$WORK/fake-pppd-tty.$A" 2>/dev/null &&
			grep -qa b-last "$WORK/fake-pppd-tty.$B" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.3
	grep -qa from-a "$WORK/fake-pppd-tty.$A"
	grep -qa from-b "$WORK/fake-pppd-tty.$B"
	grep -qa b-last "$WORK/fake-pppd-tty.$B"
	# ("! cmd" alone does not fail a bats test)
	! grep -qa -e from-b -e a-as-b -e b-last "$WORK/fake-pppd-tty.$A" || false
	! grep -qa -e from-a -e a-as-b "$WORK/fake-pppd-tty.$B" || false
	# both tunnels' sockets connected to that one address and port, each with its SA's mark
	run in_ns ss -uanpe
	echo "$output"
	echo "$output" | grep -q '127.0.0.1:1701 *127.0.0.1:40005 .*fwmark:0xb1'
	echo "$output" | grep -q '127.0.0.1:1701 *127.0.0.1:40005 .*fwmark:0xb2'
	[ "$(nft_packets to_pair)" -ge 6 ]
	[ "$(nft_packets to_pair_marked)" -eq "$(nft_packets to_pair)" ]
	daemon_stop
}
