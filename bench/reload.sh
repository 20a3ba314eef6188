#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Reload timing (issue 5): the time from `portcullis reload` to the flip
# (the new policy live) and the whole compile-and-load, for the lab site
# and for generated sites, each the median of RUNS reloads, beside the
# same run's `portcullis check` of the same file (parse and validate only)
# as the baseline. Prints a markdown section on stdout.
#
#   bench/reload.sh [SITES...]   default: the lab site and 100,000 hosts
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
RUNS=${RUNS:-5}
ID=pcbr$$
TMP=$(mktemp -d "/tmp/$ID.XXXX")
PINS=$TMP/bpffs/pins # a private bpffs, never the machine's /sys/fs/bpf
# The setsockopt guard goes on a cgroup of the bench's own, never the
# machine's root cgroup (tests/lib/cgroup.sh).
. "$ROOT/tests/lib/wait.sh"
. "$ROOT/tests/lib/cgroup.sh"
CGROUP=
cleanup() {
	nsenter --net="/run/netns/$ID" "$PC" -q detach --all --pin-root "$PINS" >/dev/null 2>&1
	cgroup_remove
	ip netns del "$ID" 2>/dev/null
	mountpoint -q "$TMP/bpffs" && umount "$TMP/bpffs"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cgroup_make "$ID" || exit 1
mkdir "$TMP/bpffs" && mount -t bpf bpf "$TMP/bpffs" || exit 1

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
in_ns() { nsenter --net="/run/netns/$ID" "$@"; }
ms_of() { # ms of one command, wall clock
	local s e
	s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
	echo "scale=1; ($e - $s) / 1000000" | bc
}

ip netns add "$ID"
ip -n "$ID" link add eth0 type veth peer name eth1
ip -n "$ID" addr add 192.0.2.31/24 dev eth0
ip -n "$ID" link set eth0 up
ip -n "$ID" link set eth1 up

cp "$ROOT/tests/lab/site.yaml" "$TMP/lab.yaml"
python3 "$ROOT/bench/gen_site.py" 100000 16 >"$TMP/hosts-100000.yaml"
sites=("$@")
[ ${#sites[@]} -gt 0 ] || sites=("$TMP/lab.yaml" "$TMP/hosts-100000.yaml")

echo
echo "## Reload"
echo
echo "Median of $RUNS reloads each, on a veth in a namespace. *to flip*: from"
echo "the start of \`portcullis reload\` until the new bank is live (read,"
echo "validate, compile, fill the inactive bank, one store); *whole*: the"
echo "command from exec to exit (also the change summary and the record of"
echo "the policy in force). Baseline: \`portcullis check\` of the same file,"
echo "same run (read and validate only)."
echo
echo "| site | rules | check (baseline) | compile | to flip | whole | to flip / check |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for site in "${sites[@]}"; do
	in_ns "$PC" -q attach --cgroup "$CGROUP" -c "$site" --host lin --pin-root "$PINS" eth0 >/dev/null || continue
	: >"$TMP/flip"; : >"$TMP/compile"; : >"$TMP/whole"; : >"$TMP/check"
	for _ in $(seq "$RUNS"); do
		s=$(date +%s%N)
		in_ns "$PC" reload -j -c "$site" --host lin --pin-root "$PINS" >"$TMP/r.json"
		e=$(date +%s%N)
		jq -r .flip_ms "$TMP/r.json" >>"$TMP/flip"
		jq -r .compile_ms "$TMP/r.json" >>"$TMP/compile"
		echo "scale=1; ($e - $s) / 1000000" | bc >>"$TMP/whole"
		ms_of "$PC" check -c "$site" >>"$TMP/check"
	done
	rules=$(jq -r .rule_count "$TMP/r.json")
	check=$(median <"$TMP/check")
	flip=$(median <"$TMP/flip")
	printf '| %s | %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f |\n' \
		"$(basename "$site" .yaml)" "$rules" "$check" "$(median <"$TMP/compile")" \
		"$flip" "$(median <"$TMP/whole")" "$(echo "scale=3; $flip / $check" | bc)"
	in_ns "$PC" -q detach --all --pin-root "$PINS" >/dev/null 2>&1
done
