# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# What the namespace benches (run.sh, gateway.sh) set up first and remove
# on every exit path: a temporary directory TMP, a private bpffs on
# BPFFS=$TMP/bpffs for the pins (never the machine's /sys/fs/bpf), a cgroup
# of the bench's own for the setsockopt guard (CGROUP, tests/lib/cgroup.sh),
# and the namespaces named in BENCH_NETNS, made here. Set ID and
# BENCH_NETNS before sourcing; background processes go into PIDS;
# bench_undo, when the bench defines it, detaches what it attached (it
# runs first on the way out).

log() { printf '  %-8s %s\n' BENCH "$*" >&2; }

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }

TMP=$(mktemp -d "/tmp/$ID.XXXX")
BPFFS=$TMP/bpffs
PIDS=()
. tests/lib/wait.sh
. tests/lib/cgroup.sh
. tests/lib/netns.sh
CGROUP=

bench_cleanup() {
	local p
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	! declare -F bench_undo >/dev/null || bench_undo
	cgroup_remove
	# shellcheck disable=SC2086
	netns_remove $BENCH_NETNS
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS" || exit 1
cgroup_make "$ID" || exit 1
for n in $BENCH_NETNS; do ip netns add "$n"; ip -n "$n" link set lo up; done
