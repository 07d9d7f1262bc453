# ppp-e2e.sh: the whole product on one data path, as scenarios
# ppp-over-esp (kernel) and ppp-userspace run it:
#
#   ppp_e2e DATAPLANE     kernel | userspace
#                         (E2E_PHASES=a: only phase A, as the demo runs it)
#
# Two clients (client 192.0.2.10, client2 192.0.2.11) bring up IKEv1 with
# the proposals Windows 10/11 offers and an ESP transport-mode SA for
# udp/1701, then dial with Debian's xl2tpd and pppd. The server runs charon,
# l2tpsrv and one pppd per call, with users in pppd's chap-secrets and
# pap-secrets.
#
#   A. Embedded defaults (only DATAPLANE chosen): alice with MS-CHAPv2 gets
#      the pool's first address; ping and a TCP transfer cross PPP, the ESP
#      SA counters rise with them, l2tpctl shows the session with user,
#      method, address, interface and bytes; the data path is the one asked
#      for. TCP MSS clamping (mss_clamp, on by default): l2tpsrv logs
#      event=mss_clamp mss=1360, and with the server routing between radius
#      (198.51.100.2, MTU 1500) and alice, radius's SYN reaches the client
#      with MSS 1360, not 1460, and the client's SYN-ACK (advmss 1460)
#      reaches radius with 1360. bob, refusing MS-CHAPv2, is refused and
#      leaves nothing behind. alice hangs up: nothing is left (no pppd, no
#      kernel tunnel or session, no address held).
#   B. ppp_auth = pap chap mschap-v2: alice with CHAP and bob with PAP, both
#      at once with different addresses; l2tpctl kill by user, by address
#      and by session; alice's pppd killed with SIGKILL. After each: nothing
#      of that session left. The restart into B: l2tpsrv deletes its nft
#      table as it stops and adds it as it starts.
#   C. Several sessions in one tunnel, with our own LAC (tests/vm/lac:
#      xl2tpd opens a tunnel per call): alice and carol in one tunnel, each
#      with an address and a ping through its own ppp interface, the kernel
#      (on that path) listing both sessions in one tunnel. carol's pppd on
#      the client ends: her call alone goes (CDN), alice's stays and pings.
#      l2tpctl kill tunnel: the LAC gets StopCCN and ends, nothing is left.

LAC=vpn

esp_in_bytes() { # HOST DST: bytes through the inbound ESP SA(s) to DST
	on "$1" ip -s xfrm state list dst "$2" proto esp |
		awk '/lifetime current:/ { cur = 1; next } cur { sub(/\(bytes\),?/, "", $1); n += $1; cur = 0 } END { print n + 0 }'
}

client_dial() { # HOST USER [PPP OPTION]...
	local host=$1 user=$2
	shift 2
	XL2TPD_FORCE_USERSPACE=$([ "$E2E_DATAPLANE" = kernel ] && echo no || echo yes) \
		XL2TPD_PPP_OPTIONS=$(ppp_client_options "$user" "$@") \
		xl2tpd_start "$host" "$LAC" 192.0.2.1
	xl2tpd_command "$host" "c $LAC"
}

client_stop() { # HOST: xl2tpd and its pppds gone
	kill_on "$1" TERM xl2tpd pppd
	wait_for "xl2tpd and pppd on $1 end" 10 client_gone "$1"
}

client_gone() { ! running_on "$1" xl2tpd pppd; }
l2tpsrv_gone() { ! l2tpsrv_alive server; }
iperf3_listens() { on server ss -ltn | grep -q ':5201 '; }
pppd_count_is() { [ "$(server_pppds server | wc -l)" = "$1" ]; }
pool_in_use_is() { [ "$(pool_in_use server)" = "$1" ]; }
no_kernel_tunnel() { [ -z "$(on server ip l2tp show tunnel)" ]; }
clamp_table_present() { on server nft list table inet l2tpsrv >/dev/null 2>&1; }
clamp_table_gone() { ! clamp_table_present; }
socat_listens() { on client ss -ltn | grep -q '192.168.42.10:5202 '; }

# mss_probe_count HOST NAME: packets counted by the mss_probe rule NAME.
mss_probe_count() {
	on "$1" nft list table inet mss_probe |
		awk -v c="comment \"$2\"" 'index($0, c) {
			for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# mss_probe_add HOST DIRECTION: count SYNs (dport) or SYN-ACKs (sport) of
# port 5202 arriving on HOST, those with MSS 1360 and those with another.
mss_probe_add() {
	local flags=$([ "$2" = dport ] && echo "syn / syn,ack" || echo "syn,ack / syn,ack")
	on "$1" nft -f - <<-NFT
	table inet mss_probe {
		chain input {
			type filter hook input priority filter; policy accept;
			tcp $2 5202 tcp flags $flags tcp option maxseg size 1360 counter comment "mss_1360"
			tcp $2 5202 tcp flags $flags tcp option maxseg size != 1360 counter comment "mss_other"
		}
	}
	NFT
}

# The server forwards a TCP connection from radius to alice's address: both
# its SYN (MSS 1460 from radius's MTU 1500) and the client's SYN-ACK (MSS
# 1460, as if from a wider link) must cross the PPP link lowered to 1360.
check_mss_clamp() {
	on server sysctl -qw net.ipv4.ip_forward=1
	on radius ip route add 192.168.42.0/24 via 198.51.100.1
	on client ip route add 198.51.100.0/24 via 192.168.42.1 advmss 1460
	mss_probe_add client dport
	mss_probe_add radius sport
	on client timeout 30 socat -u TCP-LISTEN:5202,bind=192.168.42.10,reuseaddr - >/dev/null 2>&1 &
	wait_for "socat listens on the client" 10 socat_listens
	check "radius: TCP to 192.168.42.10:5202 through the server and PPP" \
		on radius timeout 20 socat -u /dev/null TCP:192.168.42.10:5202,connect-timeout=15
	check_ge "client: radius's SYN arrived with MSS 1360" 1 "$(mss_probe_count client mss_1360)"
	check_eq "client: no SYN arrived with another MSS" 0 "$(mss_probe_count client mss_other)"
	check_ge "radius: the client's SYN-ACK arrived with MSS 1360" 1 \
		"$(mss_probe_count radius mss_1360)"
	check_eq "radius: no SYN-ACK arrived with another MSS" 0 "$(mss_probe_count radius mss_other)"
}

# The session of USER: "TUNNEL SESSION ADDRESS INTERFACE PPPD_PID".
session_of() {
	sessions_eval server "\" \".join(str(x) for x in [(v['tunnel_id'], v['id'], v['ppp']['address'],
		v['ppp']['interface'], v['ppp']['pppd_pid']) for v in s if v['ppp']['user'] == '$1'][0])"
}

user_is_up() { # USER METHOD
	sessions_state server "any(v['ppp']['user'] == '$1' and v['ppp']['method'] == '$2' and
		v['ppp']['state'] == 'up' for v in s)"
}

client_ppp_up() { # HOST: prints the client's address once ppp0 has one
	on "$1" ip -o -4 addr show dev ppp0 2>/dev/null | awk '{ print $4; exit }' | grep .
}

l2tpsrv_restart() { # [ARG]...
	l2tpctl_on server shutdown
	wait_for "l2tpsrv exits" 10 l2tpsrv_gone
	check "server: l2tpsrv removed its MSS clamping table as it stopped" clamp_table_gone
	l2tpsrv_start server "$@"
	check "server: l2tpsrv installed it again as it started" clamp_table_present
}

phase_a() {
	local out before after tid sid addr ifname pid
	story "A. embedded defaults: MS-CHAPv2 required, pool 192.168.42.10-250, server 192.168.42.1"
	client_dial client alice
	check_within "client: ppp0 is 192.168.42.10 peer 192.168.42.1" 40 \
		ppp_addr_is client ppp0 192.168.42.10 192.168.42.1
	check_within "l2tpctl: alice is up with mschap-v2" 10 user_is_up alice mschap-v2
	check "client: ping -c 3 192.168.42.1 through PPP/L2TP/ESP" \
		on client ping -c 3 -W 5 192.168.42.1
	check "l2tpsrv clamps TCP MSS to ppp_mtu - 40" \
		grep -q "event=mss_clamp mss=1360" <(l2tpsrv_log server)
	check_mss_clamp
	on server iperf3 -s -1 -B 192.168.42.1 >/dev/null 2>&1 &
	wait_for "iperf3 listens" 10 iperf3_listens
	before=$(esp_in_bytes server 192.0.2.1)
	check_quiet "client: a 4 MB TCP transfer through PPP (iperf3)" \
		on client timeout 120 iperf3 -c 192.168.42.1 -n 4M
	after=$(esp_in_bytes server 192.0.2.1)
	# 4 MiB of payload; well over 3.5 MB whatever the counter includes
	check_ge "server: inbound ESP SA bytes rose with the transfer" 3500000 $((after - before))
	read -r tid sid addr ifname pid < <(session_of alice)
	echo "  alice: tunnel $tid session $sid address $addr interface $ifname pppd $pid"
	check_eq "l2tpctl: alice has the pool's first address" 192.168.42.10 "$addr"
	check "l2tpctl: alice's interface exists on the server" on server ip link show "$ifname"
	check "l2tpctl: bytes in >= 3.5 MB (read from $ifname)" sessions_state server \
		"[v for v in s if v['ppp']['user'] == 'alice'][0]['ppp']['bytes_in'] >= 3500000"
	check "l2tpctl: the peer is the client's outer address" sessions_state server \
		"s[0]['peer'] == '192.0.2.10:1701'"
	check "l2tpctl: pool has one address in use" test "$(pool_in_use server)" = 1
	if [ "$E2E_DATAPLANE" = kernel ]; then
		check "kernel: ip l2tp lists the tunnel" grep -q "^Tunnel $tid," \
			<(on server ip l2tp show tunnel)
		check "kernel: ip l2tp lists the session" grep -q "^Session $sid in tunnel $tid" \
			<(on server ip l2tp show session)
	else
		check "kernel: no L2TP session (userspace data path)" \
			test -z "$(on server ip l2tp show session)"
		check "server: pppd runs on a pty" grep -q "/dev/pts/" "/proc/$pid/cmdline"
	fi
	story "l2tpctl show sessions"
	l2tpctl_on server show sessions | sed 's/^/    /'
	if [ -n "${L2TPSRV_DEMO:-}" ]; then
		story "the client pings the server's PPP address, through PPP, L2TP and ESP"
		on client ping -c 3 192.168.42.1 | sed 's/^/    /'
		story "l2tpctl list"
		l2tpctl_on server list | sed 's/^/    /'
	fi

	# bob offers no MS-CHAPv2: refused, and nothing of his call stays.
	client_dial client2 bob refuse-mschap-v2
	check_within "client2: bob is refused (peer refused to authenticate)" 40 \
		on client2 grep -q "peer refused to authenticate" /var/log/pppd.log
	check_within "l2tpsrv: only alice's session left" 10 sessions_state server \
		"len(s) == 1 and s[0]['ppp']['user'] == 'alice'"
	check_within "server: only alice's pppd left" 10 pppd_count_is 1
	check "l2tpctl: still one address in use" test "$(pool_in_use server)" = 1
	client_stop client2

	# alice hangs up.
	xl2tpd_command client "d $LAC"
	check_within "server: nothing left after the client hangs up" 15 nothing_left server
	if [ "$E2E_DATAPLANE" = kernel ]; then # xl2tpd's kernel mode also ends the tunnel
		check_within "l2tpsrv: no tunnel left" 10 lns_empty server
		check_within "kernel: no L2TP tunnel left" 10 no_kernel_tunnel
	fi
	client_stop client
}

phase_b() {
	local tid sid addr ifname pid a2 n
	story "B. ppp_auth = pap chap mschap-v2; two clients at once; kill by user, address, session, SIGKILL"
	on server sh -c 'mkdir -p /etc/l2tpsrv && cat >/etc/l2tpsrv/e2e.conf' <<-EOF
	ppp_auth = pap, chap, mschap-v2
	dataplane = $E2E_DATAPLANE
	EOF
	l2tpsrv_restart -c /etc/l2tpsrv/e2e.conf
	client_dial client alice refuse-mschap-v2 refuse-mschap refuse-pap
	client_dial client2 bob refuse-mschap-v2 refuse-mschap refuse-chap
	check_within "l2tpctl: alice is up with chap" 40 user_is_up alice chap
	check_within "l2tpctl: bob is up with pap" 40 user_is_up bob pap
	check_within "client: ppp0 up" 10 client_ppp_up client
	check_within "client2: ppp0 up" 10 client_ppp_up client2
	check "the two clients have different addresses" test \
		"$(client_ppp_up client)" != "$(client_ppp_up client2)"
	check "client: ping through PPP" on client ping -c 2 -W 5 192.168.42.1
	check "client2: ping through PPP" on client2 ping -c 2 -W 5 192.168.42.1
	check "l2tpctl: two addresses in use" test "$(pool_in_use server)" = 2

	# kill by user.
	check "l2tpctl kill user alice" l2tpctl_on server kill user alice
	check_within "l2tpctl: only bob left" 15 sessions_state server \
		"len(s) == 1 and s[0]['ppp']['user'] == 'bob'"
	check_within "server: one pppd left" 10 pppd_count_is 1
	check_within "l2tpctl: one address in use" 10 pool_in_use_is 1
	check "client2: bob still pings" on client2 ping -c 1 -W 5 192.168.42.1

	# kill by address.
	read -r tid sid addr ifname pid < <(session_of bob)
	check "l2tpctl kill ip $addr" l2tpctl_on server kill ip "$addr"
	check_within "server: nothing left after kill ip" 15 nothing_left server

	# kill by session id, then SIGKILL a pppd.
	client_stop client
	client_dial client alice refuse-mschap-v2 refuse-mschap refuse-pap
	check_within "l2tpctl: alice is up again" 40 user_is_up alice chap
	read -r tid sid addr ifname pid < <(session_of alice)
	check "l2tpctl kill session $tid $sid" l2tpctl_on server kill session "$tid" "$sid"
	check_within "server: nothing left after kill session" 15 nothing_left server
	xl2tpd_command client "c $LAC"
	check_within "l2tpctl: alice is up once more" 40 user_is_up alice chap
	read -r tid sid addr ifname pid < <(session_of alice)
	check "kill -9 alice's pppd $pid" on server kill -9 "$pid"
	check_within "server: nothing left after SIGKILL" 15 nothing_left server
	check "l2tpsrv logged the CDN for the killed pppd" grep -q \
		"tunnel=$tid session=$sid .*event=stop .*reason=\"pppd killed by signal 9\"" \
		<(l2tpsrv_log server)
	n=$(ps -o stat= --ppid "$(on server cat /run/l2tpsrv.pid)" | grep -c Z)
	check_eq "server: no zombie child of l2tpsrv" 0 "$n"
	check "l2tpsrv is still running" l2tpsrv_alive server
}

lac_log_has() { on client grep -qE -- "$1" /var/log/l2tplac.log; }
lac_gone() { ! running_on client l2tplac; }
both_up() { # alice and carol, whatever method ppp_auth let them use
	sessions_state server "sorted(v['ppp']['user'] for v in s if v['ppp']['state'] == 'up') ==
		['alice', 'carol']"
}

# The client's ppp interface whose address is ADDRESS.
client_ppp_if() {
	on client ip -o -4 addr show | awk -v a="$1" '$4 == a { print $2 }'
}

phase_c() {
	local tid ctid a_addr c_addr a_if c_if c_pid
	story "C. several sessions in one tunnel (our own LAC): alice and carol"
	# udp/1701 on the client is the LAC's now. xl2tpd's tunnels of the
	# phases before may linger on the server until HELLO ends them, and a
	# lingering tunnel from the same address and port takes the new
	# tunnel's data on its socket (issue 8's collision): a fresh l2tpsrv.
	client_stop client
	client_stop client2
	on server sh -c 'mkdir -p /etc/l2tpsrv && cat >/etc/l2tpsrv/e2e.conf' <<-EOF
	ppp_auth = pap, chap, mschap-v2
	dataplane = $E2E_DATAPLANE
	EOF
	l2tpsrv_restart -c /etc/l2tpsrv/e2e.conf
	for u in alice carol; do
		ppp_client_options "$u" | on client sh -c 'cat >"/etc/ppp/lac-$1"' sh "$u"
	done
	on client sh -c 'exec "$1" -s 192.0.2.1 -c /etc/ppp/lac-alice -c /etc/ppp/lac-carol \
		>/var/log/l2tplac.log 2>&1' sh "$L2TPSRV_BUILDDIR/l2tpsrv/l2tplac" &
	check_within "l2tpctl: alice and carol are up" 60 both_up
	read -r tid _ a_addr _ _ < <(session_of alice)
	read -r ctid _ c_addr _ _ < <(session_of carol)
	check_eq "l2tpsrv: carol's session is in alice's tunnel" "$tid" "$ctid"
	check "l2tpsrv: that tunnel holds the two sessions" lns_state server \
		"[len(t['sessions']) for t in d['tunnels'] if t['id'] == $tid] == [2]"
	check "alice and carol have different addresses" test "$a_addr" != "$c_addr"
	wait_for "client: both ppp interfaces have their address" 20 \
		eval '[ -n "$(client_ppp_if "$a_addr")" ] && [ -n "$(client_ppp_if "$c_addr")" ]'
	a_if=$(client_ppp_if "$a_addr")
	c_if=$(client_ppp_if "$c_addr")
	check "client: ping through alice's $a_if" on client ping -c 2 -W 5 -I "$a_if" 192.168.42.1
	check "client: ping through carol's $c_if" on client ping -c 2 -W 5 -I "$c_if" 192.168.42.1
	if [ "$E2E_DATAPLANE" = kernel ]; then
		check "kernel: two sessions in tunnel $tid" test \
			"$(on server ip l2tp show session | grep -c "in tunnel $tid\$")" = 2
	fi

	# carol's pppd on the client ends: her call alone goes.
	c_pid=$(on client sed -n 's/^call=2 .*pppd=\([0-9]*\)$/\1/p' /var/log/l2tplac.log)
	check "client: carol's pppd ($c_pid) ends" on client kill "$c_pid"
	check_within "LAC: carol's call closed with CDN" 15 lac_log_has '^call=2 ended by pppd'
	check_within "l2tpsrv: only alice left, in the same tunnel" 15 sessions_state server \
		"[v['ppp']['user'] for v in s] == ['alice'] and s[0]['tunnel_id'] == $tid"
	check_within "server: one pppd left" 10 pppd_count_is 1
	check "client: alice still pings" on client ping -c 2 -W 5 -I "$a_if" 192.168.42.1

	check "l2tpctl kill tunnel $tid" l2tpctl_on server kill tunnel "$tid"
	check_within "LAC: StopCCN received, the LAC ends" 20 lac_gone
	check "LAC: alice's call ended by StopCCN" lac_log_has '^call=1 ended by StopCCN'
	check_within "server: nothing left after kill tunnel" 15 nothing_left server
	check_within "l2tpsrv: tunnel $tid is gone" 10 lns_state server \
		"all(t['id'] != $tid for t in d['tunnels'])"
}

ppp_e2e() {
	E2E_DATAPLANE=$1
	trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
	topo_standard
	topo_host client2
	topo_attach client2 eth0 192.0.2.11/24 wan
	IPSEC_CLIENT=windows
	ipsec_server_up
	ipsec_client_up client
	ipsec_client_up client2
	ppp_server_users server
	# pppd logs to syslog, which the VM has not: to a file instead
	on server sh -c 'echo "logfile /var/log/pppd.log" >/etc/ppp/options.l2tpsrv'
	if [ "$E2E_DATAPLANE" = kernel ]; then
		l2tpsrv_start server # embedded defaults: the kernel data path when there is one
	else
		l2tpsrv_start server --dataplane "$E2E_DATAPLANE"
	fi
	check "l2tpsrv runs the $E2E_DATAPLANE data path" \
		grep -q "event=ready dataplane=$E2E_DATAPLANE" <(l2tpsrv_log server)
	case ${E2E_PHASES:-abc} in *a*) phase_a ;; esac
	case ${E2E_PHASES:-abc} in *b*) phase_b ;; esac
	case ${E2E_PHASES:-abc} in *c*) phase_c ;; esac
	if [ "$CHECK_FAILED" != 0 ]; then
		echo "--- server: l2tpsrv log"
		l2tpsrv_log server | tail -80
		echo "--- server: pppd log"
		on server tail -60 /var/log/pppd.log
		for h in client client2; do
			echo "--- $h: xl2tpd log"
			xl2tpd_log "$h" | tail -30
			echo "--- $h: pppd log"
			on "$h" cat /var/log/pppd.log 2>/dev/null | tail -30
		done
	fi
}

story() { printf '  --- %s\n' "$*"; }
