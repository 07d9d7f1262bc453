#!/usr/bin/env bats
# configure names the fix when a dependency is missing; the built programs
# and scripts behave as documented.

load helpers

# configure refuses to run beside a configured tree: work in a copy.
copy_tree() {
	cp -a "$SRCDIR" "$BATS_TEST_TMPDIR/src"
	rm -f "$BATS_TEST_TMPDIR/src/config.status"
	cd "$BATS_TEST_TMPDIR/src"
}

@test "configure without strongSwan headers names the fetch script" {
	copy_tree
	run ./configure --with-strongswan-headers="$BATS_TEST_TMPDIR/none"
	[ "$status" -ne 0 ]
	[[ "$output" == *"strongSwan headers not found"* ]]
	[[ "$output" == *"packaging/fetch-strongswan-headers"* ]]
}

@test "configure without pppd headers names ppp-dev" {
	copy_tree
	run ./configure --with-pppd-headers="$BATS_TEST_TMPDIR/none"
	[ "$status" -ne 0 ]
	[[ "$output" == *"install the Debian package ppp-dev"* ]]
}

@test "configure reads pppd's version and plugin directory" {
	grep -q "^PPPD_VERSION = 2.4.9$" "$BUILDDIR/pppd-plugin/Makefile"
	grep -q "^pppdplugindir = /usr/lib/pppd/2.4.9$" "$BUILDDIR/pppd-plugin/Makefile"
}

@test "pppd plugin exports pppd_version equal to pppd's" {
	so=$BUILDDIR/pppd-plugin/.libs/l2tpsrv.so
	run nm -D --defined-only "$so"
	[[ "$output" == *" D pppd_version"* ]]
	[[ "$output" == *" T plugin_init"* ]]
	# The exported string is the one in pppd's patchlevel.h.
	strings "$so" | grep -qx "2.4.9"
}

@test "charon plugin exports its constructor" {
	run nm -D --defined-only "$BUILDDIR/charon-plugin/.libs/libstrongswan-l2tpsrv.so"
	[[ "$output" == *" T l2tpsrv_plugin_create"* ]]
}

@test "fetch-strongswan-headers --print-dir follows L2TPSRV_CACHE" {
	run env L2TPSRV_CACHE=/some/cache "$SRCDIR/packaging/fetch-strongswan-headers" --print-dir
	[ "$status" -eq 0 ]
	[ "$output" = /some/cache/strongswan-5.9.8 ]
}

@test "l2tpsrv --version and --help" {
	run "$BUILDDIR/l2tpsrv/l2tpsrv" --version
	[ "$status" -eq 0 ]
	[ "$output" = "l2tpsrv 0.1.0" ]
	run "$BUILDDIR/l2tpsrv/l2tpsrv" --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:* ]]
	run "$BUILDDIR/l2tpsrv/l2tpsrv" --bogus
	[ "$status" -ne 0 ]
}

@test "l2tpsrv refuses unknown options and arguments" {
	run "$BUILDDIR/l2tpsrv/l2tpsrv" --bogus
	[ "$status" -ne 0 ]
	[[ "$output" == *"usage: l2tpsrv"* ]]
	run "$BUILDDIR/l2tpsrv/l2tpsrv" extra
	[ "$status" -ne 0 ]
	[[ "$output" == *"unexpected argument 'extra'"* ]]
	run "$BUILDDIR/l2tpsrv/l2tpsrv" --dataplane bogus
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown data path 'bogus' (known: auto, kernel, userspace, null)"* ]]
}

@test "l2tpsrv --dataplane kernel says plainly when the kernel has no L2TP" {
	if [ -d /sys/module/l2tp_netlink ] || modprobe -n l2tp_netlink 2>/dev/null; then
		skip "this kernel has L2TP (the VM scenario kernel-dataplane covers it)"
	fi
	run "$BUILDDIR/l2tpsrv/l2tpsrv" -c /dev/null --dataplane kernel
	[ "$status" -ne 0 ]
	[[ "$output" == *"no kernel L2TP data path"* ]]
}
