#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench/gateway.sh: forwarded traffic through a gateway namespace, with
# portcullis in gateway mode (XDP, and tc ingress) against the same gateway
# with no filter and with the equivalent nftables forward ruleset
# (`portcullis export --nft --gateway`). Prints a markdown section; with
# -o FILE it replaces that section in FILE (or appends it). Run as root
# from `make bench-gateway` or `make bench`. Takes ~3 minutes.
#
#   ns C ("srv")                 ns G ("gw")                   ns S ("hv")
#   ca 192.0.2.10 <-veth-> ga 192.0.2.2 | gc 203.0.113.1 <-veth-> sc 192.0.2.33/32
#
# hv sits behind the gateway's routed side on a host route. TCP: iperf3
# srv -> hv:135 (A-2.1, tcp and udp 135). Packet rate: iperf3 UDP with
# 18-byte payloads (64-byte frames on the wire) as fast as it can send,
# counted as they arrive at hv. Generator, gateway and receiver share the
# machine's cores: what the gateway spends per packet is what the rate
# loses. Only documentation addresses; the namespaces and the private
# bpffs are removed on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
BB=$BUILD/bench
PC=${PC:-$BUILD/portcullis}
SITE=tests/lab/site.yaml
RUNS=${RUNS:-5}
UDP_SECS=${UDP_SECS:-3}
TCP_SECS=${TCP_SECS:-3}
OUTFILE=
[ "${1:-}" = -o ] && OUTFILE=$2
HEADING="## Gateway: forwarded traffic"

ID=pcgw$$-$RANDOM
NC=$ID-c NG=$ID-g NS=$ID-s
BENCH_NETNS="$NC $NG $NS"
# The temporary directory, bpffs, cgroup and namespaces (bench/setup.sh).
. bench/setup.sh
PIN=$BPFFS
bench_undo() { ing "$PC" -q detach --all --pin-root "$PIN/gw" >/dev/null 2>&1; }

inc() { nsenter --net=/run/netns/"$NC" "$@"; }
ing() { nsenter --net=/run/netns/"$NG" "$@"; }
ins() { nsenter --net=/run/netns/"$NS" "$@"; }

for t in iperf3 nft "$PC" "$BB/xdpload"; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (make bench-deps bench-build)" >&2; exit 1; }
done
ip link add ca netns "$NC" address 02:00:00:00:00:10 type veth peer ga netns "$NG" address 02:00:00:00:00:02
ip link add gc netns "$NG" address 02:00:00:00:01:01 type veth peer sc netns "$NS" address 02:00:00:00:00:41
inc ip addr add 192.0.2.10/24 dev ca
ing ip addr add 192.0.2.2/24 dev ga
ing ip addr add 203.0.113.1/24 dev gc
ins ip addr add 192.0.2.33/32 dev sc
for l in "$NC ca" "$NG ga" "$NG gc" "$NS sc"; do
	read -r n d <<<"$l"
	ip -n "$n" link set "$d" up
done
inc ip route add 192.0.2.33/32 via 192.0.2.2
ing ip route add 192.0.2.33/32 dev gc
ins ip route add 203.0.113.1/32 dev sc
ins ip route add default via 203.0.113.1
ing sysctl -qw net.ipv4.ip_forward=1
# No neighbour resolution in the measured path.
inc ip neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev ca nud permanent
ing ip neigh replace 192.0.2.10 lladdr 02:00:00:00:00:10 dev ga nud permanent
ing ip neigh replace 192.0.2.33 lladdr 02:00:00:00:00:41 dev gc nud permanent
ins ip neigh replace 203.0.113.1 lladdr 02:00:00:00:01:01 dev sc nud permanent

"$PC" export --nft --gateway -c "$SITE" --host gw >"$TMP/gw.nft"
NFT_RULES=$(grep -c 'counter name fwd_' "$TMP/gw.nft")

setup() { # CANDIDATE
	case $1 in
	portcullis) ing "$PC" -q attach --gateway --cgroup "$CGROUP" -c "$SITE" --host gw \
		--pin-root "$PIN/gw" ga gc ;;
	portcullis-tc) ing "$PC" -q attach --gateway --ingress tc --cgroup "$CGROUP" -c "$SITE" \
		--host gw --pin-root "$PIN/gw" ga gc ;;
	nft) ing nft -f "$TMP/gw.nft" ;;
	xdp-empty) for d in ga gc; do ing "$BB/xdpload" "$d" "$BB/xdp_empty.bpf.o"; done ;;
	esac >/dev/null
}
teardown() {
	case $1 in
	portcullis | portcullis-tc) ing "$PC" -q detach --all --pin-root "$PIN/gw" >/dev/null ;;
	nft) ing nft delete table inet portcullis ;;
	xdp-empty) for d in ga gc; do ing ip link set dev "$d" xdp off; done ;;
	esac
}
# iperf3 ARGS...: one client run to hv:135 against a one-shot server;
# prints the JSON "end" object's FIELD (bits_per_second for TCP, packets
# received per second for UDP).
iperf() {
	local field=$1 tries=0; shift
	ins iperf3 -s -1 -B 192.0.2.33 -p 135 >/dev/null 2>&1 &
	PIDS+=($!)
	until ins ss -Htln 'sport = :135' | grep -q .; do
		sleep 0.1; tries=$((tries + 1)); [ "$tries" -lt 50 ] || break
	done
	inc iperf3 -c 192.0.2.33 -p 135 "$@" -J 2>/dev/null | python3 -c '
import json, sys
try:
    e = json.load(sys.stdin)["end"]
    if sys.argv[1] == "bps":
        print(int(e["sum_received"]["bits_per_second"]))
    else:
        s = e["sum"]
        print(int((s["packets"] - s["lost_packets"]) / s["seconds"]))
except Exception:
    print(0)' "$field"
	wait "${PIDS[-1]}" 2>/dev/null || true
}

CANDS="none xdp-empty nft portcullis portcullis-tc"
printf 'run\tcandidate\tbits_per_second\n' >"$TMP/tcp.tsv"
printf 'run\tcandidate\tpackets_per_second\n' >"$TMP/live.tsv"
for run in $(seq "$RUNS"); do
	for c in $CANDS; do
		log "gateway: run $run, $c"
		setup "$c"
		printf '%s\t%s\t%s\n' "$run" "$c" "$(iperf bps -t "$TCP_SECS")" >>"$TMP/tcp.tsv"
		printf '%s\t%s\t%s\n' "$run" "$c" \
			"$(iperf pps -u -b 0 -l 18 -t "$UDP_SECS")" >>"$TMP/live.tsv"
		teardown "$c"
	done
done

python3 - "$TMP" "$NFT_RULES" "$RUNS" "$HEADING" >"$TMP/section.md" <<'EOF'
import csv, statistics, sys, platform, subprocess
tmp, nft_rules, runs, heading = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def rows(name):
    with open(f"{tmp}/{name}") as f:
        return list(csv.DictReader(f, delimiter="\t"))
def med(vals):
    return statistics.median(vals) if vals else 0
cands = ["none", "xdp-empty", "nft", "portcullis", "portcullis-tc"]
what = {
    "none": "no filter (plain forwarding)",
    "xdp-empty": "no filter, the empty XDP_PASS program on both ports (what XDP on veth costs)",
    "nft": f"nftables forward chain (`export --nft --gateway`, {nft_rules} rule lines, conntrack)",
    "portcullis": "portcullis `attach --gateway` (XDP ingress)",
    "portcullis-tc": "portcullis `attach --gateway --ingress tc`",
}
tcp = {c: med([int(r["bits_per_second"]) for r in rows("tcp.tsv") if r["candidate"] == c]) for c in cands}
pps = {c: med([int(r["packets_per_second"]) for r in rows("live.tsv") if r["candidate"] == c]) for c in cands}
def lscpu(key):
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for l in out.splitlines():
        if l.startswith(key + ":"):
            return l.split(":", 1)[1].strip()
    return "?"
print(heading)
print()
print(f"Generated by bench/gateway.sh (`make bench-gateway`) on {lscpu('Model name')}, "
      f"{lscpu('CPU(s)')} cores, {lscpu('Hypervisor vendor')} VM, kernel {platform.release()}; "
      f"median of {runs} runs, candidates interleaved. The ratios are this machine's: "
      "run it on yours.")
print()
print("Three namespaces, srv -> gateway -> hv, routed (bench/gateway.sh), the gateway "
      "judging with the lab site (tests/lab/site.yaml). TCP: iperf3 srv -> hv:135 (A-2.1). "
      "Packet rate: iperf3 UDP srv -> hv:135 with 18-byte payloads (64-byte frames), sent "
      "as fast as iperf3 can, counted as they arrive at hv (one flow: after its first "
      "packet every candidate finds it in its connection table; nftables sees one-way UDP "
      "as `ct state new` until a reply, so it walks the rule chain for each). Generator, "
      "gateway and receiver share the machine's cores, so what the gateway spends per "
      "packet shows as a lower rate. With XDP on veth the kernel gives up GRO/TSO "
      "aggregation across the gateway, which the TCP figure of the XDP row pays. "
      "iperf3 sends only some 50,000 small packets/s here, so the packet rate is "
      "bound by the sender and the rows differ by what the gateway takes from the "
      "shared cores; on a machine shared with other jobs expect +-10% between runs.")
print()
print("| gateway | TCP Gbit/s | ratio to no filter | 64-byte packets/s forwarded | ratio to no filter |")
print("|---|---|---|---|---|")
for c in cands:
    t = tcp[c] / 1e9
    rt = tcp[c] / tcp["none"] if tcp["none"] else 0
    rp = pps[c] / pps["none"] if pps["none"] else 0
    print(f"| {what[c]} | {t:.2f} | {rt:.2f} | {pps[c]:,.0f} | {rp:.2f} |")
print()
if tcp["nft"] and pps["nft"]:
    for c in ("portcullis", "portcullis-tc"):
        print(f"- {what[c]} against nftables: TCP {tcp[c] / tcp['nft']:.2f}x, "
              f"packet rate {pps[c] / pps['nft']:.2f}x.")
    print()
EOF

if [ -n "$OUTFILE" ]; then
	# Replace the section (from its heading to the next "## "), or append.
	python3 - "$OUTFILE" "$TMP/section.md" "$HEADING" <<'EOF'
import sys
path, sec, heading = sys.argv[1:4]
old = open(path).read().split("\n") if __import__("os").path.exists(path) else []
new = open(sec).read().rstrip("\n").split("\n")
out, skip = [], False
for l in old:
    if l == heading:
        skip = True
        continue
    if skip and l.startswith("## "):
        skip = False
    if not skip:
        out.append(l)
while out and out[-1] == "":
    out.pop()
open(path, "w").write("\n".join(out + [""] + new) + "\n")
EOF
	log "wrote the gateway section of $OUTFILE"
else
	cat "$TMP/section.md"
fi
