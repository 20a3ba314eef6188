#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Differential test of gateway mode: the same random and crafted first
# packets of forwarded connections (tests/net/gateway_packets.py, one seed)
# go through a gateway namespace twice, judged once by portcullis
# (`attach --gateway`, XDP) and once by the nftables ruleset of `export
# --nft --gateway`; after every batch both must have passed the same
# number of packets on every path and dropped the same number.
#
#   netns <id>-p (sender) eth0 ==veth== ga  netns <id>-g  gc ==veth== eth0 netns <id>-s
#                                           (gateway: every destination
#                                           leaves on gc, a device route)
#
# Prints TAP. Only documentation addresses; only namespaces it created;
# everything is removed on every exit path. Needs root, nft and scapy.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
PC=$PWD/$BUILD/portcullis
SITE=tests/lab/site.yaml
PACKETS=${GW_DIFF_PACKETS:-6000}
BATCH=${GW_DIFF_BATCH:-200}
SEED=${GW_DIFF_SEED:-1}
PY=/usr/bin/python3 # Debian's, with python3-scapy

ID=pcgd-$$-$RANDOM
NP=$ID-p NG=$ID-g NS=$ID-s
TMP=$(mktemp -d /tmp/portcullis-gwdiff.XXXXXX)
PIN=$TMP/bpffs
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
ing() { nsenter --net=/run/netns/"$NG" "$@"; }
# shellcheck source=tests/lib/wait.sh
. tests/lib/wait.sh
# shellcheck source=tests/lib/cgroup.sh
. tests/lib/cgroup.sh
CGROUP=

cleanup() {
	set +e
	trap - EXIT
	ing "$PC" -q detach --all --pin-root "$PIN/gw" >/dev/null 2>&1
	cgroup_remove
	for ns in "$NP" "$NG" "$NS"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	mountpoint -q "$PIN" && umount "$PIN"
	[ -n "${GW_DIFF_KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! "$PY" -c 'import scapy' 2>/dev/null; then
	echo "1..0 # SKIP needs root, nft and python3-scapy"
	exit 0
fi
mkdir -p "$PIN" && mount -t bpf bpf "$PIN"
cgroup_make "$ID" || exit 1

for ns in "$NP" "$NG" "$NS"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip -n "$NP" link add eth0 type veth peer name ga netns "$NG"
ip -n "$NG" link add gc type veth peer name eth0 netns "$NS"
# No traffic of the sender's own (router solicitations, MLD) into ga.
ip netns exec "$NP" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
for l in "$NP eth0" "$NG ga" "$NG gc" "$NS eth0"; do
	read -r ns dev <<<"$l"
	ip -n "$ns" link set "$dev" up
done
ing sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.ga.rp_filter=0
ip -n "$NG" route add default dev gc
ip -n "$NG" -6 route add default dev gc
GA_MAC=$(ip -n "$NG" -j link show ga | jq -r '.[0].address')

"$PC" explain --gateway -j -c "$SITE" --host gw >"$TMP/rules.json"
"$PC" export --nft --gateway -c "$SITE" --host gw >"$TMP/gw.nft"
OWN=$(jq -r '.hosts[] | select(.name == "gw") | .addresses | join(",")' \
	<("$PC" check -j -c "$SITE"))

# Counters now, as "path packets" lines and one "(dropped) packets" line:
# what came in, forwarded (direction forward) or to the gateway (ingress;
# a broadcast the forward rules refuse is judged as the gateway's own).
bpf_counts() {
	ing "$PC" stats -j --pin-root "$PIN/gw" | jq -r '
		def came_in: .direction == "ingress" or .direction == "forward";
		([.paths | group_by(.path)[] | map(select(came_in)) |
			select(length > 0 and .[0].path != "(other)") |
			{path: .[0].path, packets: (map(.packets) | add)} | select(.packets > 0) |
			"\(.path) \(.packets)"][]),
		"(dropped) \([.drops[] | select(came_in) | .packets] | add // 0)"'
}
nft_counts() {
	ing nft -j list counters table inet portcullis | jq -r '
		[.nftables[] | .counter? | select(.)] as $c |
		([$c[] | select((.name | startswith("fwd_")) and .packets > 0) |
			"\(.name | ltrimstr("fwd_")) \(.packets)"][]),
		"(dropped) \([$c[] | select(.name == "dropped_fwd") | .packets] | add // 0)"'
}
total() { awk '{ s += $2 } END { print s + 0 }' <<<"$1"; }
counted() { [ "$(total "$($1)")" -ge "$2" ]; }

# run JUDGE OUT: sends every batch, waits until the judge has counted all
# of it (each packet ends on exactly one counter), keeps its counters.
run() {
	local judge=$1 out=$2 sent=0 line gen
	: >"$out"
	coproc GEN { nsenter --net=/run/netns/"$NP" "$PY" tests/net/gateway_packets.py \
		"$TMP/rules.json" "$SEED" "$PACKETS" "$BATCH" eth0 "$GA_MAC" "$OWN"; }
	gen=$GEN_PID
	while read -r line <&"${GEN[0]}"; do
		sent=$((sent + ${line#batch }))
		if ! WAIT_LIMIT=10 wait_until 10 counted "$judge" "$sent"; then
			echo "# $judge counted $(total "$($judge)") of $sent packets" >&2
		fi
		{ echo "== $sent"; $judge | sort; } >>"$out"
		echo next >&"${GEN[1]}"
	done
	wait "$gen" 2>/dev/null
}

if ing "$PC" -q attach --gateway --cgroup "$CGROUP" -c "$SITE" --host gw \
	--pin-root "$PIN/gw" ga gc >"$TMP/err" 2>&1; then
	ok "attach --gateway on the gateway namespace"
else notok "attach --gateway" "$(head -3 "$TMP/err")"; fi
run bpf_counts "$TMP/bpf.txt"
ing "$PC" -q detach --all --pin-root "$PIN/gw" >/dev/null 2>&1

if ing nft -f "$TMP/gw.nft" 2>"$TMP/err"; then ok "nft -f loads export --nft --gateway"
else notok "nft -f loads export --nft --gateway" "$(head -3 "$TMP/err")"; fi
run nft_counts "$TMP/nft.txt" 2>"$TMP/nft.err"

sent=$(grep -c '^== ' "$TMP/bpf.txt")
passed=$(awk '$1 != "(dropped)" && $1 != "==" { s = $2 } END { print s + 0 }' "$TMP/bpf.txt")
if [ -s "$TMP/bpf.txt" ] && cmp -s "$TMP/bpf.txt" "$TMP/nft.txt"; then
	ok "portcullis and nftables agree on every path after each of $sent batches ($PACKETS packets, seed $SEED)"
else
	notok "portcullis and nftables disagree (seed $SEED)" \
		"$(diff "$TMP/bpf.txt" "$TMP/nft.txt" | head -12)" "$(cat "$TMP/bpf.err" "$TMP/nft.err")"
fi
# The test must be able to fail: both passed and dropped some.
drops=$(awk '$1 == "(dropped)" { d = $2 } END { print d + 0 }' "$TMP/bpf.txt")
paths=$(awk '$1 != "(dropped)" && $1 != "==" { print $1 }' "$TMP/bpf.txt" | sort -u | wc -l)
if [ "$drops" -gt 0 ] && [ "$paths" -gt 5 ]; then
	ok "the packets passed on $paths paths and $drops were dropped"
else notok "too few verdicts to compare" "paths $paths, dropped $drops, last $passed"; fi

# The judge must see a wrong ruleset: a port moved by one, a source set
# that lost its first address, a forward rule of the wrong protocol.
mutants=(
	's/tcp dport 443 tcp sport 1024-65535/tcp dport 444 tcp sport 1024-65535/'
	'0,/^\(\t*elements = { \)[^,]*, /s//\1/'
	's/meta l4proto udp udp dport 623 udp sport/meta l4proto tcp tcp dport 623 tcp sport/'
)
PACKETS=1000
for m in "${mutants[@]}"; do
	sed "$m" "$TMP/gw.nft" >"$TMP/mutant.nft"
	if cmp -s "$TMP/gw.nft" "$TMP/mutant.nft"; then notok "mutant '$m' changed nothing"; continue; fi
	if ! ing nft -f "$TMP/mutant.nft" 2>"$TMP/err"; then
		notok "mutant '$m' does not load" "$(head -3 "$TMP/err")"; continue
	fi
	run nft_counts "$TMP/mutant.txt" 2>/dev/null
	head -c "$(wc -c <"$TMP/mutant.txt")" "$TMP/bpf.txt" >"$TMP/bpf-head.txt"
	if cmp -s "$TMP/bpf-head.txt" "$TMP/mutant.txt"; then
		notok "the differential test misses mutant '$m'"
	else ok "the differential test sees mutant '$m'"; fi
done

echo "1..$n"
[ "$failed" -eq 0 ]
