#!/bin/bash
# package: the Debian package on a machine booted with systemd as PID 1, as
# an admin uses it. The VM itself is the gateway (its own namespace, 192.0.2.1
# on the wan bridge); a Windows-profile client (IKEv1 PSK, xl2tpd, pppd) sits
# in a namespace behind it. In order:
#
#   1. apt-get install ./l2tpsrv_*.deb: the unit is enabled and running on
#      embedded defaults; AppArmor's charon profiles are loaded.
#   2. l2tpctl init --user alice, l2tpctl add-user bob, metrics turned on,
#      then strongSwan (charon-systemd's unit) and l2tpsrv (restart) through
#      their units: charon loads our plugin, which reports to l2tpsrv.
#   3. The client connects with init's key, user and password: its ppp0
#      gets an address from init's pool and pings the server; journalctl
#      L2TP_USER=alice finds the session's records; the metrics endpoint
#      and l2tpctl stats count the session and its bytes; l2tpctl diagnose
#      says it is connected; AppArmor reported nothing about charon.
#   4. systemctl reload with another pool and a changed limit keeps the
#      session, its address and the process; a broken file is refused with
#      file:line, the old settings stay in force and so does the session;
#      the next call (bob, whom add-user made) gets an address from the
#      new pool.
#   5. systemctl kill -s SIGKILL l2tpsrv: systemd restarts it, the killed
#      call leaves no kernel tunnel, pppd or ppp interface, charon's plugin
#      replays the live SA to the new l2tpsrv, and the client connects
#      again.
#   6. The watchdog (WatchdogSec shortened by a drop-in to keep the test
#      short): a running l2tpsrv is left alone for three periods; a stopped
#      one (SIGSTOP: its event loop hangs) is killed and restarted.
#   7. Our plugin also works in strongswan-starter's charon, whose AppArmor
#      profile enforces.
#   8. apt-get purge: the service is gone and so is every file the package
#      or l2tpctl init created, except init's user line in ppp's own
#      /etc/ppp/chap-secrets.
set -u
. "$VM_LIB/topology.sh"
. "$VM_LIB/strongswan.sh"
. "$VM_LIB/l2tp.sh"
. "$VM_LIB/check.sh"
. "$VM_LIB/ppp.sh"

DEB_DIR=${L2TPSRV_DEB_DIR:-$L2TPSRV_BUILDDIR/tests/out/deb}
W=/tmp/l2tpsrv-package-test # this test's own files (outside the purge check's view)
LAC=vpn
story() { printf '  --- %s (at %ss)\n' "$*" "$SECONDS"; }

# What the admin sees: the packaged l2tpctl, the units.
mainpid() { systemctl show -p MainPID --value l2tpsrv; }
nrestarts() { systemctl show -p NRestarts --value l2tpsrv; }
active() { [ "$(systemctl is-active "$1")" = active ]; }
sessions_json() { l2tpctl --json show sessions; }
# HOST: ppp0's address if it is in 192.168.42.0/24 (init's pool here), peer LOCAL_IP
client_address() {
	on client ip -o -4 addr show dev ppp0 2>/dev/null |
		awk -v peer="$LOCAL_IP/32" '$6 == peer { sub(/\/.*/, "", $4); print $4 }'
}
client_up() { [ -n "$(client_address)" ]; }
in_new_pool() { # the client's address is in 192.168.42.100-150 (step 4's pool)
	local a
	a=$(client_address)
	[[ "$a" =~ ^192\.168\.42\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 100 ] && [ "${BASH_REMATCH[1]}" -le 150 ]
}
one_session_of() { # USER: l2tpctl shows exactly one session, of USER, up
	sessions_json | python3 -c 'import json, sys
s = json.load(sys.stdin)
sys.exit(not (len(s) == 1 and s[0]["ppp"]["user"] == sys.argv[1] and s[0]["ppp"]["state"] == "up"))' "$1"
}
no_session() { [ "$(sessions_json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 0 ]; }
no_kernel_tunnel() { [ -z "$(ip l2tp show tunnel)" ]; }
no_ppp_if() { ! ip -o link show | grep -q ': ppp[0-9]'; }
# pppds of the server (the client's run in the same pid namespace)
server_pppds() { comm -23 <(pgrep -x pppd | sort) <(pids_on client pppd | sort); }
no_pppd() { [ -z "$(server_pppds)" ]; }
plugin_hellos() { journalctl -q -o cat -u l2tpsrv L2TP_EVENT=charon_hello | wc -l; }
# The kernel's AppArmor records about anything of ours (the plugin, its socket)
no_apparmor_records() {
	local r
	r=$(journalctl -q -k -o cat | grep 'apparmor=' | grep 'l2tpsrv')
	[ -z "$r" ] || { echo "$r"; return 1; }
}
client_dial() {
	xl2tpd_start client "$LAC" 192.0.2.1
	xl2tpd_command client "c $LAC"
	check_within "the client's ppp0 gets an address from the pool, peer $LOCAL_IP" 60 client_up
}
client_hangup() {
	kill_on client TERM xl2tpd
	wait_for "xl2tpd and pppd on the client end" 15 eval '! running_on client xl2tpd pppd'
}
ping_server() { on client ping -c 3 -W 5 "$LOCAL_IP" >/dev/null; }
# /metrics says one session, and bytes in both directions
metrics_show_session() {
	python3 - <<-'PY'
	import re, sys, urllib.request
	text = urllib.request.urlopen("http://127.0.0.1:9101/metrics", timeout=10).read().decode()
	value = lambda name: float(re.search("^" + re.escape(name) + " (\\S+)$", text, re.M).group(1))
	ok = value("l2tpsrv_sessions") == 1 and \
		value('l2tpsrv_bytes_total{direction="in"}') > 0 and value('l2tpsrv_bytes_total{direction="out"}') > 0
	print(text if not ok else "", end="")
	sys.exit(not ok)
	PY
}
# Paths under the directories where a package's maintainer scripts or the
# admin's tools leave files, for the purge check (what the package itself
# installs is checked against dpkg -L). What the system changes meanwhile
# (logs, caches, dpkg's and apt's databases, systemd's state, strongSwan's
# runtime files and pppd's database, the test's namespaces) is left out.
snapshot() {
	find /etc /var /run /srv /opt /usr/local -xdev \( -regex '/var/\(log\|cache\|tmp\|lib/\(dpkg\|apt\|systemd\|ucf\|man-db\|PackageKit\)\)' \
		-o -regex '/run/\(systemd\|user\|netns\|topo\|udev\|log\|lock\|mount\|credentials\|dbus\|sshd\|charon\..*\|starter\..*\|pppd2\.tdb\)' \
		-o -regex '/etc/\(ld\.so\.cache\|apparmor\.d/cache\)' \) -prune -o -print 2>/dev/null | sort
}
dump_logs() {
	echo "--- systemctl status l2tpsrv strongswan"
	systemctl status --no-pager -l l2tpsrv strongswan 2>&1 | tail -40
	echo "--- journal (l2tpsrv, strongswan), last 80 lines"
	journalctl -q --no-pager -u l2tpsrv -u strongswan -u strongswan-starter | tail -80
	echo "--- client xl2tpd and pppd"
	xl2tpd_log client | tail -20
	on client cat /var/log/pppd.log 2>/dev/null | tail -20
}

trap 'kill $(jobs -p) 2>/dev/null; topo_down' EXIT
rm -rf "$W" && mkdir -p "$W"

check_eq "systemd is PID 1" systemd "$(cat /proc/1/comm)"
deb=$(ls "$DEB_DIR"/l2tpsrv_*.deb 2>/dev/null | head -1)
check "the package to install is there ($DEB_DIR: tests/package/build-deb --out DIR makes it)" \
	test -n "$deb"
step_done

# The gateway: this VM's namespace, 192.0.2.1 on the wan switch; one client.
topo_host client
topo_switch wan
ip addr add 192.0.2.1/24 dev wan
topo_attach client eth0 192.0.2.10/24 wan
before=$(snapshot)
echo "  (file list: $(wc -l <<<"$before") paths, at ${SECONDS}s)"

story "1. install"
check_quiet "apt-get install ./$(basename "$deb")" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb"
dpkg -L l2tpsrv | sort >$W/files
check_eq "the unit is enabled" enabled "$(systemctl is-enabled l2tpsrv)"
check_within "l2tpsrv is running (Type=notify: it said READY=1)" 20 active l2tpsrv
check "AppArmor's profile for strongswan-starter's charon is loaded, enforcing" \
	grep -qx '/usr/lib/ipsec/charon (enforce)' /sys/kernel/security/apparmor/profiles
step_done

story "2. l2tpctl init, then strongSwan and l2tpsrv through their units"
check_quiet "l2tpctl init --user alice" sh -c 'l2tpctl init --user alice >"$1"' sh "$W/init.out"
check "its instructions include Windows' NAT-T registry value" \
	grep -q AssumeUDPEncapsulationContextOnSendRule $W/init.out
check_quiet "l2tpctl add-user bob" sh -c 'l2tpctl add-user bob >"$1"' sh "$W/add-user.out"
PSK=$(sed -n 's/^[[:space:]]*secret = "\(.*\)"$/\1/p' /etc/swanctl/conf.d/l2tpsrv-secrets.conf)
PASSWORD=$(awk '$1 == "alice" { print $3 }' /etc/ppp/chap-secrets)
BOB_PASSWORD=$(awk '$1 == "bob" { print $3 }' /etc/ppp/chap-secrets)
check "add-user printed bob's password, and left the key as it was" eval \
	'grep -qF "$BOB_PASSWORD" "$W/add-user.out" && grep -qF "$PSK" /etc/swanctl/conf.d/l2tpsrv-secrets.conf'
echo "metrics = 127.0.0.1:9101" >>/etc/l2tpsrv/l2tpsrv.conf
LOCAL_IP=$(sed -n 's/^local_ip = //p' /etc/l2tpsrv/l2tpsrv.conf)
check "init wrote a key, alice's password and the server's PPP address" \
	test ${#PSK} -ge 40 -a ${#PASSWORD} -ge 12 -a -n "$LOCAL_IP"
check "the key is printed for the admin, not logged" grep -qF "$PSK" $W/init.out
check_quiet "systemctl start strongswan (charon-systemd, loads swanctl's config)" \
	systemctl start strongswan
check_quiet "systemctl restart l2tpsrv" systemctl restart l2tpsrv
check "charon-systemd loaded our plugin" \
	grep -q 'l2tpsrv plugin .* loaded, reporting to' <(journalctl -q -o cat -u strongswan)
check_within "the plugin reports to l2tpsrv (a charon_hello in its journal)" 20 \
	eval '[ "$(plugin_hellos)" -ge 1 ]'
check "swanctl has the package's connections" \
	grep -q '^l2tp-psk: IKEv1' <(swanctl --list-conns)
step_done

story "3. a Windows client connects"
IPSEC_PSK=$PSK IPSEC_CLIENT=windows ipsec_client_up client
PPP_USERS="alice $PASSWORD"
XL2TPD_FORCE_USERSPACE=no XL2TPD_PPP_OPTIONS=$(ppp_client_options alice) client_dial
check_within "l2tpctl shows alice's session, up" 10 one_session_of alice
check "the client pings the server's end through PPP, L2TP and ESP" ping_server
check "journalctl L2TP_USER=alice finds the session's records" \
	test "$(journalctl -q -o cat L2TP_USER=alice | wc -l)" -ge 2
check "... each of them about alice" \
	eval '! journalctl -q -o json L2TP_USER=alice | grep -qv "\"L2TP_USER\":\"alice\""'
check "no record in the journal holds the key or the password" \
	eval '! journalctl -q -o cat | grep -qF -e "$PSK" -e "$PASSWORD"'
check "the metrics endpoint counts the session and its bytes" metrics_show_session
check "l2tpctl stats counts it too" \
	eval 'l2tpctl --json stats | python3 -c "import json, sys; d = json.load(sys.stdin); sys.exit(not (d[\"sessions\"] == 1))"'
check "l2tpctl diagnose 192.0.2.10: connected" \
	grep -qx 'reached: IPCP (connected)' <(l2tpctl diagnose 192.0.2.10)
check_quiet "AppArmor (charon-systemd's profile complains) said nothing about l2tpsrv" no_apparmor_records
step_done

story "4. systemctl reload"
pid=$(mainpid)
alice_address=$(client_address)
sed -i 's/^pool = .*/pool = 192.168.42.100-192.168.42.150/' /etc/l2tpsrv/l2tpsrv.conf
echo "max_sessions = 100" >>/etc/l2tpsrv/l2tpsrv.conf
check_quiet "systemctl reload l2tpsrv (another pool, max_sessions = 100)" systemctl reload l2tpsrv
check_eq "the same process runs" "$pid" "$(mainpid)"
check_eq "alice keeps her address, outside the new pool" "$alice_address" "$(client_address)"
check "the reload is in the journal" \
	grep -q 'event=reload ' <(journalctl -q -o cat -u l2tpsrv)
check "alice's session is still up" one_session_of alice
check "and carries traffic" ping_server
line=$(($(wc -l </etc/l2tpsrv/l2tpsrv.conf) + 1))
echo "max_sessions = lots" >>/etc/l2tpsrv/l2tpsrv.conf
check "systemctl reload with a broken file fails" eval '! systemctl reload l2tpsrv 2>$W/reload.err'
check "... naming the file and line" \
	grep -q "/etc/l2tpsrv/l2tpsrv.conf:$line:" <(cat $W/reload.err; journalctl -q -o cat -u l2tpsrv)
check "l2tpsrv still runs, the same process" eval 'active l2tpsrv && [ "$(mainpid)" = "$pid" ]'
check "alice's session is still up and carries traffic" eval 'one_session_of alice && ping_server'
sed -i '$d' /etc/l2tpsrv/l2tpsrv.conf
check_quiet "the repaired file reloads" systemctl reload l2tpsrv
client_hangup
PPP_USERS="bob $BOB_PASSWORD"
XL2TPD_FORCE_USERSPACE=no XL2TPD_PPP_OPTIONS=$(ppp_client_options bob) client_dial
check_within "l2tpctl shows bob's session (add-user's user, no restart needed)" 10 one_session_of bob
check "bob's address is from the reloaded pool" in_new_pool
step_done

story "5. SIGKILL: systemd restarts l2tpsrv, the client connects again"
# A shorter watchdog for step 6, in force from this restart on.
mkdir -p /run/systemd/system/l2tpsrv.service.d
printf '[Service]\nWatchdogSec=5s\nTimeoutAbortSec=3s\n' >/run/systemd/system/l2tpsrv.service.d/test.conf
systemctl daemon-reload
pid=$(mainpid)
hellos=$(plugin_hellos)
check_quiet "systemctl kill -s SIGKILL l2tpsrv" systemctl kill -s SIGKILL l2tpsrv
check_within "systemd restarts it (a new process, NRestarts=1)" 30 \
	eval 'active l2tpsrv && [ "$(mainpid)" != "$pid" ] && [ "$(mainpid)" != 0 ] && [ "$(nrestarts)" = 1 ]'
check_within "the killed call leaves no pppd, kernel tunnel or ppp interface" 15 \
	eval 'no_pppd && no_kernel_tunnel && no_ppp_if'
check_within "charon's plugin reconnects to the new l2tpsrv" 20 \
	eval '[ "$(plugin_hellos)" -gt "$hellos" ]'
client_hangup
check "the client's IKE SA outlived it all" grep -q 'ESTABLISHED' <(on client swanctl --list-sas)
XL2TPD_FORCE_USERSPACE=no XL2TPD_PPP_OPTIONS=$(ppp_client_options bob) client_dial
check_within "l2tpctl shows bob's new session" 10 one_session_of bob
check "it carries traffic" ping_server
step_done

story "6. the watchdog"
pid=$(mainpid)
check_eq "the drop-in's WatchdogUSec is in force" 5s "$(systemctl show -p WatchdogUSec --value l2tpsrv)"
sleep 16
check_eq "a running l2tpsrv feeds it: the same process after three periods" "$pid" "$(mainpid)"
kill -STOP "$pid"
check_within "a hung one (SIGSTOP) is killed and restarted (NRestarts=2)" 40 \
	eval 'active l2tpsrv && [ "$(mainpid)" != "$pid" ] && [ "$(nrestarts)" = 2 ]'
check "systemd says why" grep -q 'Watchdog timeout' <(journalctl -q -o cat -u l2tpsrv)
client_hangup
rm -rf /run/systemd/system/l2tpsrv.service.d
systemctl daemon-reload
step_done

story "7. strongswan-starter's charon, AppArmor enforcing"
hellos=$(plugin_hellos)
check_quiet "systemctl stop strongswan" systemctl stop strongswan
check_quiet "systemctl start strongswan-starter" systemctl start strongswan-starter
check_within "its charon loads our plugin, which reports to l2tpsrv" 30 \
	eval '[ "$(plugin_hellos)" -gt "$hellos" ]'
check_quiet "AppArmor (charon's profile enforces) said nothing about l2tpsrv" no_apparmor_records
check_quiet "systemctl stop strongswan-starter" systemctl stop strongswan-starter
step_done

story "8. apt-get purge"
check_quiet "apt-get purge l2tpsrv" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q l2tpsrv
check "l2tpsrv's unit is gone" eval '! systemctl cat l2tpsrv >/dev/null 2>&1'
check "no l2tpsrv or pppd runs" eval '! pgrep -x l2tpsrv && no_pppd'
# prints what is left, fails if anything is
package_files_left() {
	! while read -r f; do
		[ ! -d "$f" ] && { [ -e "$f" ] || [ -L "$f" ]; } && echo "$f"
	done <"$W/files" | grep .
}
paths_added() { ! comm -13 <(echo "$before") <(snapshot) | grep .; }
check_quiet "none of the package's files is left" package_files_left
check_quiet "nothing else is left either (no path added since before the install)" paths_added
check "init's user stays in ppp's chap-secrets (ppp's file, the admin's users)" \
	grep -q '^alice ' /etc/ppp/chap-secrets
check_done
