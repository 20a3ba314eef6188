#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A short libFuzzer run over the site parser (make fuzz runs a long one).
# Prints TAP: one case, ok when no crash, leak or hang was found.
set -u
fuzzer=$1
seconds=${FUZZ_SECONDS:-20}
dir=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$dir"/corpus/* "$work"/ 2>/dev/null
cp "$dir"/../../policy/examples/*.yaml "$work"/ 2>/dev/null
echo "1..1"
if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/" "$work" >"$work/log" 2>&1; then
	echo "ok 1 - fuzz_policy: $(grep -o 'Done [0-9]* runs' "$work/log" | tail -1) without a crash"
else
	tail -30 "$work/log"
	echo "not ok 1 - fuzz_policy found a crash, leak or hang"
	exit 1
fi
