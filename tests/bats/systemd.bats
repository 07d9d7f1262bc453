#!/usr/bin/env bats
# systemd/l2tpsrv.service as systemd reads it: what the unit promises
# (notify, watchdog, reload through l2tpctl, restart) and its hardening
# score. The unit running under systemd is the VM's business.

load helpers

UNIT=$SRCDIR/systemd/l2tpsrv.service

prop() { # KEY: the unit's value of KEY, as systemd-analyze parses the file
	grep -E "^$1=" "$UNIT" | cut -d= -f2-
}

@test "the unit is Type=notify with a watchdog, restarts on failure, reloads with l2tpctl" {
	[ "$(prop Type)" = notify ]
	[ "$(prop WatchdogSec)" = 30s ]
	[ "$(prop Restart)" = on-failure ]
	[ "$(prop ExecReload)" = "/usr/sbin/l2tpctl reload" ]
	[ "$(prop RuntimeDirectory)" = l2tpsrv ]
	grep -q '^After=.*strongswan.service' "$UNIT"
}

@test "systemd-analyze security scores the unit 5.0 or better" {
	cd "$BATS_TEST_TMPDIR"
	run systemd-analyze security --offline=true --no-pager "$UNIT"
	echo "$output" | tail -3
	score=$(echo "$output" | sed -n 's/.*Overall exposure level for l2tpsrv.service: \([0-9.]*\).*/\1/p')
	[ -n "$score" ]
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 5.0 else 1)' "$score"
	# what pppd needs is still there
	grep -q '^DeviceAllow=/dev/ppp rw' "$UNIT"
	grep -q '^CapabilityBoundingSet=.*CAP_NET_ADMIN' "$UNIT"
	grep -q '^RestrictAddressFamilies=.*AF_PPPOX' "$UNIT"
}
