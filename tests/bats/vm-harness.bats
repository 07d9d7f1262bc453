#!/usr/bin/env bats
# The VM harness (tests/vm/run-in-vm) returns the inner script's status and
# output, and fails when the guest cannot boot or does not finish.

load helpers

RUN_IN_VM=

setup() {
	[ -z "${L2TPSRV_NO_VM:-}" ] || skip "VM tests turned off (tests/run-all --no-vm)"
	RUN_IN_VM=$SRCDIR/tests/vm/run-in-vm
	script=$BATS_TEST_TMPDIR/inner.sh
}

@test "vm: a passing script returns 0, its output and files from /.vm/out" {
	cat >"$script" <<-'EOF'
	echo "kernel=$(uname -r)"
	grep -q '^ppp_generic ' /proc/modules && echo "ppp loaded"
	echo result >/.vm/out/file
	EOF
	run "$RUN_IN_VM" --timeout 120 --out "$BATS_TEST_TMPDIR/out" "$script"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kernel="*"-amd64"* ]]
	[[ "$output" == *"ppp loaded"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/out/file")" = result ]
}

@test "vm: a failing script's exit status comes back" {
	printf 'echo failing on purpose\nexit 3\n' >"$script"
	run "$RUN_IN_VM" --timeout 120 "$script"
	[ "$status" -eq 3 ]
	[[ "$output" == *"failing on purpose"* ]]
}

@test "vm: arguments and working directory reach the script" {
	mkdir -p "$BATS_TEST_TMPDIR/wd"
	printf 'echo "args=[$1][$2] pwd=$(pwd)"\n' >"$script"
	cd "$BATS_TEST_TMPDIR/wd"
	run "$RUN_IN_VM" --timeout 120 "$script" "a b" c
	[ "$status" -eq 0 ]
	[[ "$output" == *"args=[a b][c] pwd=$BATS_TEST_TMPDIR/wd"* ]]
}

@test "vm: a guest that cannot boot (garbage kernel) fails" {
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/vmlinuz-garbage"
	echo 'exit 0' >"$script"
	L2TPSRV_VM_KERNEL=$BATS_TEST_TMPDIR/vmlinuz-garbage run "$RUN_IN_VM" --timeout 60 "$script"
	[ "$status" -ne 0 ]
	[[ "$output" == *"without an exit status"* ]]
}

@test "vm: a guest whose root cannot be mounted (no modules) fails" {
	# A real kernel under a name with no /lib/modules: the initramfs has
	# no 9p driver, stage 1 cannot reach the host's root and powers off.
	cp "$(ls /boot/vmlinuz-*[0-9]-amd64 | sort -V | tail -1)" "$BATS_TEST_TMPDIR/vmlinuz-nomods"
	echo 'exit 0' >"$script"
	L2TPSRV_VM_KERNEL=$BATS_TEST_TMPDIR/vmlinuz-nomods run "$RUN_IN_VM" --timeout 120 "$script"
	[ "$status" -eq 125 ]
	[[ "$output" == *"VM-INIT-FAILED"* ]]
}

@test "vm: a script that does not finish is stopped at the timeout" {
	echo 'sleep 600' >"$script"
	run "$RUN_IN_VM" --timeout 25 "$script"
	[ "$status" -eq 124 ]
	[[ "$output" == *"did not finish"* ]]
}
