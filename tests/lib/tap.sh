# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# TAP for the bash suites: one "ok N - ..." or "not ok N - ..." line per
# case, what went wrong below a failure as "#" lines, tap_end for the plan
# and the exit status. Lines go to file descriptor TAP_FD (default 1); check
# keeps the command's output in TAP_OUT (default $TMP/tap.out).

tap_n=0
tap_fails=0

tap() { # tap OK|FAIL DESCRIPTION [DETAIL...]
	local res=$1 desc=$2; shift 2
	tap_n=$((tap_n + 1))
	if [ "$res" = OK ]; then
		echo "ok $tap_n - $desc" >&"${TAP_FD:-1}"
	else
		tap_fails=$((tap_fails + 1))
		echo "not ok $tap_n - $desc" >&"${TAP_FD:-1}"
		[ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/#   /' >&"${TAP_FD:-1}"
	fi
}

tap_skip() { # tap_skip WHY
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - # SKIP $1" >&"${TAP_FD:-1}"
}

# check DESCRIPTION COMMAND...: ok when COMMAND succeeds. It runs in this
# shell (so `wait` and functions work), its output shown only on failure.
check() {
	local desc=$1 out=${TAP_OUT:-$TMP/tap.out}; shift
	if "$@" >"$out" 2>&1; then tap OK "$desc"
	else tap FAIL "$desc" "$(head -8 "$out")"; fi
}

# check_not DESCRIPTION COMMAND...: ok when COMMAND fails.
check_not() {
	local desc=$1 out=${TAP_OUT:-$TMP/tap.out}; shift
	if "$@" >"$out" 2>&1; then tap FAIL "$desc" "it succeeded:" "$(head -8 "$out")"
	else tap OK "$desc"; fi
}

# tap_need TOOL...: the whole suite is one skip when a tool is missing.
tap_need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null ||
			{ tap_skip "$tool is not installed (make deps)"; tap_end; exit; }
	done
}

tap_end() { # prints the plan; true when no case failed
	echo "1..$tap_n" >&"${TAP_FD:-1}"
	[ "$tap_fails" -eq 0 ]
}
