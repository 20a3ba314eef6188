#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every test suite and ends with one line: "N passed, N failed".
# Each suite prints TAP ("ok N - name" / "not ok N - name"); a suite that
# crashes or exits non-zero without a failing case counts as one failure.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
failures=()
log_dir=$BUILD/test-logs
mkdir -p "$log_dir"

run_suite() {
	local name=$1; shift
	local log="$log_dir/${name//\//_}.log" rc ok notok
	CMOCKA_MESSAGE_OUTPUT=TAP "$@" >"$log" 2>&1
	rc=$?
	ok=$(grep -cE '^ok ' "$log")
	notok=$(grep -cE '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		notok=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + ok))
	failed=$((failed + notok))
	if [ "$notok" -gt 0 ]; then
		failures+=("$name")
		printf '  FAIL     %-40s %d passed, %d failed (log: %s)\n' "$name" "$ok" "$notok" "$log"
		grep -E '^not ok |^# |ERROR|Sanitizer|runtime error' "$log" | head -20 | sed 's/^/           /'
	else
		printf '  PASS     %-40s %d passed\n' "$name" "$ok"
	fi
}

need_root() {
	[ "$(id -u)" -eq 0 ]
}

# Unit tests, plain and under ASan/UBSan.
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$(basename "$t")" in
	test_prog_*)
		if need_root; then run_suite "prog/$(basename "$t")" "$t"
		else echo "  SKIP     $(basename "$t") (needs root)"; fi ;;
	*) run_suite "unit/$(basename "$t")" "$t" ;;
	esac
done
for t in "$BUILD"/asan/tests/test_*; do
	[ -x "$t" ] || continue
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		run_suite "asan/$(basename "$t")" "$t"
done

# Command-line tests and the short fuzzing run.
for t in tests/cli/test_*.sh; do
	[ -f "$t" ] || continue
	run_suite "cli/$(basename "$t" .sh)" env BUILD="$BUILD" bash "$t"
	if [ -x "$BUILD/asan/portcullis" ]; then
		run_suite "cli-asan/$(basename "$t" .sh)" env BUILD="$BUILD" \
			PC="$BUILD/asan/portcullis" bash "$t"
	fi
done
if [ -x "$BUILD/fuzz/fuzz_policy" ]; then
	run_suite "fuzz/policy" bash tests/fuzz/run.sh "$BUILD/fuzz/fuzz_policy"
fi
for t in tests/net/test_*.sh; do
	[ -f "$t" ] || continue
	if need_root; then run_suite "net/$(basename "$t" .sh)" env BUILD="$BUILD" bash "$t"
	else echo "  SKIP     $(basename "$t") (needs root)"; fi
done

# The attack corpus: scans, forged and evasive packets against a protected
# host, in XDP and tc ingress modes (tests/attack/cases.txt).
if [ -f tests/attack/attack.sh ]; then
	if need_root; then run_suite "attack/corpus" env BUILD="$BUILD" bash tests/attack/attack.sh
	else echo "  SKIP     attack corpus (needs root)"; fi
fi

# The HCSM lab: a whole site in namespaces with real daemons.
if [ -f tests/lab/lab.sh ]; then
	if need_root; then
		run_suite "lab/hcsm" env BUILD="$BUILD" bash tests/lab/lab.sh
		# The gateway as nftables (export --nft --gateway), same flows and probes.
		run_suite "lab/gateway-nft" env BUILD="$BUILD" bash tests/lab/lab.sh --gateway-nft
	else echo "  SKIP     lab (needs root)"; fi
fi

# From audit to enforce: advise finds planted site mistakes in the lab.
if [ -f tests/lab/advise.sh ]; then
	if need_root; then run_suite "lab/advise" env BUILD="$BUILD" bash tests/lab/advise.sh
	else echo "  SKIP     lab advise (needs root)"; fi
fi

[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
