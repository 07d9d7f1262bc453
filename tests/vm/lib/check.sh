# check.sh: assertions for scenarios in the test VM.
#
#   check DESCRIPTION CMD [ARG]...   run CMD; record a failure if it fails
#   check_quiet DESCRIPTION CMD [ARG]...
#                                    the same, but CMD's output is shown
#                                    only if it fails
#   check_eq DESCRIPTION WANT GOT    (an empty WANT always fails)
#   check_ge DESCRIPTION MIN GOT
#   wait_for DESCRIPTION SECONDS CMD [ARG]...
#                                    poll CMD every 0.1 s until it succeeds;
#                                    a failed check if it never does
#   check_within DESCRIPTION SECONDS CMD [ARG]...
#                                    the same, and "ok" when it does
#   check_done                       exit 1 if any check failed, else 0
#   step_done                        between a scenario's steps: if a check
#                                    failed, run the scenario's dump_logs
#                                    (when it has one) and exit 1, since
#                                    later steps build on earlier ones
#
# Each check prints "  ok - ..." or "  FAIL - ...", so a scenario's output
# says which assertion broke; check_done and step_done repeat the failures
# last, where a summary that shows only the output's tail (CI's) sees them.

CHECK_FAILED=0
CHECK_FAILURES=()

check_fail() { # MESSAGE: print and record one failed assertion
	echo "  FAIL - $1"
	CHECK_FAILURES+=("$1")
	CHECK_FAILED=1
}

check_summary() {
	[ "${#CHECK_FAILURES[@]}" = 0 ] && return
	echo "  --- ${#CHECK_FAILURES[@]} failed check(s) in this scenario:"
	printf '  FAIL - %s\n' "${CHECK_FAILURES[@]}"
}

check() {
	local desc=$1
	shift
	if "$@"; then
		echo "  ok - $desc"
	else
		check_fail "$desc (command: $*)"
	fi
}

check_quiet() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "  ok - $desc"
	else
		echo "$out"
		check_fail "$desc (command: $*)"
	fi
}

check_eq() {
	if [ -n "$2" ] && [ "$2" = "$3" ]; then
		echo "  ok - $1"
	else
		check_fail "$1: want '$2', got '$3'"
	fi
}

check_ge() {
	if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		echo "  ok - $1 ($3 >= $2)"
	else
		check_fail "$1: want at least $2, got '$3'"
	fi
}

wait_for() {
	local desc=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	check_fail "$desc: not within ${secs}s"
	return 1
}

check_within() {
	wait_for "$@" && echo "  ok - $1"
}

check_done() {
	check_summary
	return "$CHECK_FAILED"
}

step_done() {
	[ "$CHECK_FAILED" = 0 ] && return
	declare -F dump_logs >/dev/null && dump_logs
	check_summary
	exit 1
}
