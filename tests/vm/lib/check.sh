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
# says which assertion broke.

CHECK_FAILED=0

check() {
	local desc=$1
	shift
	if "$@"; then
		echo "  ok - $desc"
	else
		echo "  FAIL - $desc (command: $*)"
		CHECK_FAILED=1
	fi
}

check_quiet() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "  ok - $desc"
	else
		echo "$out"
		echo "  FAIL - $desc (command: $*)"
		CHECK_FAILED=1
	fi
}

check_eq() {
	if [ -n "$2" ] && [ "$2" = "$3" ]; then
		echo "  ok - $1"
	else
		echo "  FAIL - $1: want '$2', got '$3'"
		CHECK_FAILED=1
	fi
}

check_ge() {
	if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		echo "  ok - $1 ($3 >= $2)"
	else
		echo "  FAIL - $1: want at least $2, got '$3'"
		CHECK_FAILED=1
	fi
}

wait_for() {
	local desc=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	echo "  FAIL - $desc: not within ${secs}s"
	CHECK_FAILED=1
	return 1
}

check_within() {
	wait_for "$@" && echo "  ok - $1"
}

check_done() {
	return "$CHECK_FAILED"
}

step_done() {
	[ "$CHECK_FAILED" = 0 ] && return
	declare -F dump_logs >/dev/null && dump_logs
	exit 1
}
