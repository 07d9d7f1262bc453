#!/usr/bin/env bats
# The libFuzzer harnesses (tests/fuzz/), each for a short run: they build
# with ASan and UBSan, find nothing on the corpus, and run a real number
# of inputs. The long run is "tests/fuzz/run --time 3600".

load helpers

FUZZ_SECONDS=15

# fuzz NAME MIN_RUNS: runs one harness; fails on a finding or too few inputs.
fuzz() {
	command -v clang >/dev/null || skip "clang not installed"
	run "$SRCDIR/tests/fuzz/run" --builddir "$BUILDDIR" --time "$FUZZ_SECONDS" --only "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	runs=$(sed -n "s/^fuzz_$1: Done \([0-9]*\) runs.*/\1/p" <<<"$output")
	[ -n "$runs" ] && [ "$runs" -ge "$2" ]
}

@test "fuzz_codec: header and AVP codec round trips, ${FUZZ_SECONDS}s" {
	fuzz codec 50000
}

@test "fuzz_lns: the control plane with a fake clock, ${FUZZ_SECONDS}s" {
	fuzz lns 2000
}
