#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench/run.sh: runs every benchmark and writes docs/benchmarks.md (through
# bench/report.py). Run as root from `make bench`. Takes ~13 minutes.
#
#   namespace A (generator, "srv")        namespace B (receiver, "lin")
#   va 192.0.2.10 2001:db8:a::10 <-veth-> vb 192.0.2.31 2001:db8:a::31
#   02:00:00:00:00:10                     02:00:00:00:00:31
#
# Every candidate is measured in the same run as its baseline, interleaved,
# RUNS times; the report gives medians and ratios. portcullis is one more
# candidate when `portcullis attach` works; otherwise its cells say
# "n/a (datapath not built)". Nothing leaves the namespaces; the namespaces,
# and the pins on a private bpffs under a temporary directory (never the
# machine's /sys/fs/bpf), are removed on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
BB=$BUILD/bench
OUT=$BB/results
RUNS=${RUNS:-5}
REPEAT=${REPEAT:-1000000}
LIVE_SECS=${LIVE_SECS:-2}
# Single 3-second TCP runs spread from 0.74 to 1.18 of the same round's no
# filter on these shared cores (the 15:19 run), far more than the
# judgement costs (1.4% of a CPU): the TCP section takes longer runs, and
# more of them than the others, for its medians.
TCP_SECS=${TCP_SECS:-6}
TCP_RUNS=${TCP_RUNS:-$((RUNS < 5 ? RUNS : 2 * RUNS - 1))}
PC=${PC:-$BUILD/portcullis}
LAB=tests/lab/site.yaml
SCALE_HOSTS=${SCALE_HOSTS:-"10 1000 100000 1000000"}
SCALE_RULES=${SCALE_RULES:-"16 64 256"}
XDPFILT=$(ls /usr/lib/*/bpf/xdpfilt_dny_all.o /usr/lib/bpf/xdpfilt_dny_all.o 2>/dev/null | head -1 || true)

ID=pcbench$$
NA=$ID-a
NB=$ID-b
BENCH_NETNS="$NA $NB"
# The temporary directory, bpffs, cgroup and namespaces (bench/setup.sh).
. bench/setup.sh
PIN=$BPFFS/pins
bench_undo() {
	if [ -n "${PC_UP:-}" ]; then pc_detach_all; fi
	# The BPF run statistics back as they were (section 4 turns them on).
	if [ -n "${BPF_STATS_WAS:-}" ]; then sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_WAS"; fi
}

ina() { nsenter --net=/run/netns/"$NA" "$@"; }
inb() { nsenter --net=/run/netns/"$NB" "$@"; }

[ -n "$XDPFILT" ] || { echo "bench: xdp-filter's BPF object not found (make bench-deps)" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/*.tsv

ip link add va netns "$NA" address 02:00:00:00:00:10 type veth \
	peer vb netns "$NB" address 02:00:00:00:00:31
ina ip addr add 192.0.2.10/24 dev va
ina ip addr add 2001:db8:a::10/64 dev va nodad
inb ip addr add 192.0.2.31/24 dev vb
inb ip addr add 2001:db8:a::31/64 dev vb nodad
ina ip link set va up
inb ip link set vb up

# ---- portcullis as a candidate -------------------------------------------
# The attach command line the datapath is expected to take; adjust here if
# it lands in another shape.
pc_attach() { # NS DEV SITE HOST [ATTACH OPTION...]
	local ns=$1 dev=$2 site=$3 host=$4
	shift 4
	nsenter --net=/run/netns/"$ns" "$PC" -q attach --cgroup "$CGROUP" --pin-root "$PIN/$dev" \
		-c "$site" --host "$host" "$@" "$dev" >/dev/null 2>"$OUT/attach.err"
}
pc_detach() { # NS DEV
	nsenter --net=/run/netns/"$1" "$PC" -q detach --pin-root "$PIN/$2" "$2" \
		>/dev/null 2>&1 || true
	rm -rf "${PIN:?}/$2"
}
pc_detach_all() { pc_detach "$NA" va; pc_detach "$NB" vb; }
# "XDP_ID TC_EGRESS_ID" of what is attached to DEV in NS.
prog_ids() {
	nsenter --net=/run/netns/"$1" bpftool -j net show dev "$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
x = [p["id"] for p in d.get("xdp", [])]
t = [p["id"] for p in d.get("tc", []) if "egress" in p.get("kind", "")]
print(x[0] if x else 0, t[0] if t else 0)'
}
# Bytes of BPF map memory (memlock) of program ID's maps, and of the maps
# its arrays of maps hold (each bank's address hash).
map_memory() {
	bpftool -j prog show id "$1" | python3 -c '
import json, subprocess, sys
def bpftool(*a):
    return json.loads(subprocess.check_output(["bpftool", "-j"] + list(a)))
total = 0
for i in json.load(sys.stdin).get("map_ids", []):
    m = bpftool("map", "show", "id", str(i))
    total += m.get("bytes_memlock", 0)
    if m.get("type") == "array_of_maps":
        for e in bpftool("map", "dump", "id", str(i)):
            inner = int.from_bytes(bytes(int(x, 16) for x in e["value"]), "little")
            total += bpftool("map", "show", "id", str(inner)).get("bytes_memlock", 0)
print(total)'
}
PC_OK=""
if [ -x "$PC" ] && "$PC" attach --help >/dev/null 2>&1; then
	mkdir -p "$PIN"
	if pc_attach "$NB" vb "$LAB" lin; then
		PC_UP=1
		read -r PCX PCT < <(prog_ids "$NB" vb)
		[ "$PCX" != 0 ] && PC_OK=1
		pc_detach "$NB" vb
	fi
fi
log "portcullis: $([ -n "$PC_OK" ] && echo attachable || echo 'n/a (datapath not built)')"
echo "${PC_OK:-0}" > "$OUT/portcullis_ok"

# Policy of the baselines, from the same rules portcullis enforces.
for h in lin srv; do
	"$PC" explain -c "$LAB" --host $h -j > "$OUT/$h.json" || exit 1
done
bench/gen_policy.py xdpfilt "$OUT/lin.json" > "$OUT/xdpfilt.rules"

# ---- 1. per-packet cost ----------------------------------------------------
log "per-packet cost ($RUNS runs x $REPEAT)"
CLASSES=syn,syn-new,answer-new,established,reply,denied-port,wrong-peer,fragment,ipv6-ext,vlan
cands=("empty=obj:$BB/xdp_empty.bpf.o" "xdp-filter=xdpfilt:$XDPFILT:$OUT/xdpfilt.rules")
if [ -n "$PC_OK" ]; then
	pc_attach "$NB" vb "$LAB" lin
	read -r PCX PCT < <(prog_ids "$NB" vb)
	cands+=("portcullis=id:$PCX${PCT:+:$PCT}")
fi
inb "$BB/pktcost" -n "$RUNS" -r "$REPEAT" -i vb -c "$CLASSES" "${cands[@]}" \
	> "$OUT/pktcost.tsv"
[ -z "$PC_OK" ] || pc_detach "$NB" vb

# ---- 1b. profile: what the pieces cost ------------------------------------
# Micro-programs (bench/micro.bpf.c), one piece each, through the same loop
# and in the same run: the prices the report's per-class account uses.
log "profile: micro-programs"
M=$BB/micro.bpf.o
mc=()
for p in m_empty m_jiffies m_ktime m_call m_pcpu m_array32 m_h40_miss m_h40_hit2 m_h16_miss m_h16_hit2; do
	mc+=("$p=obj:$M:$p")
done
inb "$BB/pktcost" -n "$RUNS" -r "$REPEAT" -c syn "${mc[@]}" > "$OUT/profile.tsv"
# Inserts: a new key each run, RUNS x INSERTS below the maps' 262,144
# entries, so neither an eviction nor a full plain hash is priced.
INSERTS=$((200000 / RUNS))
mc=("ins_floor=obj:$M:m_empty")
for p in m_ins40 m_ins16 m_ins16_pcpu_lru m_ins16_hash; do
	mc+=("$p=obj:$M:$p")
done
inb "$BB/pktcost" -n "$RUNS" -r "$INSERTS" -c syn "${mc[@]}" | tail -n +2 >> "$OUT/profile.tsv"

# ---- 2. scaling (portcullis only) ----------------------------------------
if [ -n "$PC_OK" ]; then
	printf 'hosts\trules\tcandidate\tclass\tns_median\tns_min\tns_max\tverdict\tmemlock\n' \
		> "$OUT/scaling.tsv"
	grid=""
	for h in $SCALE_HOSTS; do grid="$grid $h:16"; done
	for r in $SCALE_RULES; do [ "$r" = 16 ] || grid="$grid 1000:$r"; done
	for hr in $grid; do
		h=${hr%:*} r=${hr#*:}
		log "scaling: $h hosts, $r rules"
		bench/gen_site.py "$h" "$r" > "$OUT/site-$h-$r.yaml"
		if ! pc_attach "$NB" vb "$OUT/site-$h-$r.yaml" lin; then
			why=$(tail -1 "$OUT/attach.err" | sed 's/^[^ ]*: //; s/\t/ /g' | cut -c1-80)
			printf '%s\t%s\tportcullis\t-\t-\t-\t-\tattach failed: %s\t-\n' \
				"$h" "$r" "$why" >> "$OUT/scaling.tsv"
			continue
		fi
		read -r PCX PCT < <(prog_ids "$NB" vb)
		mem=$(map_memory "$PCX")
		inb "$BB/pktcost" -n "$RUNS" -r "$REPEAT" -i vb \
			-c syn,established,denied-port,wrong-peer,ipv6-ext,vlan \
			"empty=obj:$BB/xdp_empty.bpf.o" "portcullis=id:$PCX${PCT:+:$PCT}" |
			tail -n +2 | sed "s/^/$h\t$r\t/; s/\$/\t$mem/" >> "$OUT/scaling.tsv"
		pc_detach "$NB" vb
	done
fi

# ---- 3. live packets -------------------------------------------------------
# veth only takes XDP frames when the receiver runs XDP, so the nftables
# candidates get the empty XDP_PASS program in front (cost: the floor).
NFT=pcbench$$
live_setup() { # CANDIDATE
	case $1 in
	xdp-drop) inb "$BB/xdpload" vb "$BB/xdp_drop.bpf.o" >/dev/null ;;
	portcullis) pc_attach "$NB" vb "$LAB" lin ;;
	portcullis-tc)
		inb "$BB/xdpload" vb "$BB/xdp_empty.bpf.o" >/dev/null
		pc_attach "$NB" vb "$LAB" lin --ingress tc ;;
	xdp-filter) inb "$BB/xdpload" vb "$XDPFILT" "$OUT/xdpfilt.rules" >/dev/null ;;
	nft-netdev)
		inb "$BB/xdpload" vb "$BB/xdp_empty.bpf.o" >/dev/null
		bench/gen_policy.py nft-netdev "$OUT/lin.json" "$NFT" vb | inb nft -f - ;;
	nft-inet)
		inb "$BB/xdpload" vb "$BB/xdp_empty.bpf.o" >/dev/null
		bench/gen_policy.py nft-inet "$OUT/lin.json" "$NFT" | inb nft -f - ;;
	esac
}
live_teardown() { # CANDIDATE
	case $1 in
	portcullis | portcullis-tc) pc_detach "$NB" vb ;;
	nft-netdev) inb nft delete table netdev "$NFT" ;;
	nft-inet) inb nft delete table inet "$NFT" ;;
	esac
	inb ip link set dev vb xdp off 2>/dev/null || true
}
rx_packets() { inb ip -s -j link show vb | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'; }
ip_in() { inb awk '/^Ip: [0-9]/ {a=$4} /^Ip6InReceives/ {b=$2} END {print a+b}' /proc/net/snmp /proc/net/snmp6; }
# Packets the inet input chain dropped (its closing counter).
inet_drops() { inb nft -j list chain inet "$NFT" in | python3 -c '
import json, sys
n = 0
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "counter" in e:
            n = e["counter"]["packets"]
print(n)'; }

live_cands="xdp-drop portcullis portcullis-tc xdp-filter nft-netdev nft-inet"
printf 'run\tcandidate\ttraffic\tsent\tseconds\treceived\tdelivered\tdropped\n' > "$OUT/live.tsv"
for run in $(seq "$RUNS"); do
	for c in $live_cands; do
		case $c in portcullis*) [ -n "$PC_OK" ] || continue ;; esac
		log "live: run $run, $c"
		live_setup "$c"
		for t in udp-denied udp-allowed; do
			r0=$(rx_packets) i0=$(ip_in) d0=0
			[ "$c" != nft-inet ] || d0=$(inet_drops)
			read -r sent secs < <(ina "$BB/livegen" -i va -p "$BB/xdp_tx.bpf.o" \
				-c "$t" -t "$LIVE_SECS" -m 02:00:00:00:00:31)
			r1=$(rx_packets) i1=$(ip_in)
			recv=$((r1 - r0))
			if [ "$c" = nft-inet ]; then
				drop=$(($(inet_drops) - d0))
			else
				drop=$((recv - (i1 - i0)))
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$c" "$t" "$sent" \
				"$secs" "$recv" $((recv - drop)) "$drop" >> "$OUT/live.tsv"
		done
		live_teardown "$c"
	done
done

# ---- 4. TCP throughput -----------------------------------------------------
# iperf3 to lin's ssh port 22 (A-2.3: srv may open it), filters on both ends.
# tc's object loader makes its pin directories (tc/globals, ip, xdp) on a
# bpffs: TC_BPF_MNT points it at the bench's own, never /sys/fs/bpf.
tc_empty_on() { # NS DEV: the empty program on clsact ingress and egress
	nsenter --net=/run/netns/"$1" tc qdisc add dev "$2" clsact
	for d in ingress egress; do
		nsenter --net=/run/netns/"$1" env TC_BPF_MNT="$BPFFS" \
			tc filter add dev "$2" "$d" bpf da obj "$BB/tc_empty.bpf.o" sec tc
	done
}
tcp_setup() {
	case $1 in
	xdp-empty)
		inb "$BB/xdpload" vb "$BB/xdp_empty.bpf.o" >/dev/null
		ina "$BB/xdpload" va "$BB/xdp_empty.bpf.o" >/dev/null ;;
	tc-empty)
		tc_empty_on "$NB" vb
		tc_empty_on "$NA" va ;;
	nft-conntrack)
		bench/gen_policy.py nft-inet "$OUT/lin.json" "$NFT" | inb nft -f -
		bench/gen_policy.py nft-inet "$OUT/srv.json" "$NFT" | ina nft -f - ;;
	portcullis)
		pc_attach "$NB" vb "$LAB" lin
		pc_attach "$NA" va "$LAB" srv ;;
	portcullis-tc)
		pc_attach "$NB" vb "$LAB" lin --ingress tc
		pc_attach "$NA" va "$LAB" srv --ingress tc ;;
	esac
}
tcp_teardown() {
	case $1 in
	tc-empty) inb tc qdisc del dev vb clsact; ina tc qdisc del dev va clsact ;;
	nft-conntrack) inb nft delete table inet "$NFT"; ina nft delete table inet "$NFT" ;;
	portcullis | portcullis-tc) pc_detach_all ;;
	xdp-empty) inb ip link set dev vb xdp off; ina ip link set dev va xdp off ;;
	esac
}
# The two ends on fixed CPUs, the same for every candidate: left to the
# scheduler, both ends sometimes share a CPU and sometimes not, which moved
# the throughput without any filter by 15% between runs here (23 Gbit/s
# apart, 20 together), more than any filter costs.
TCP_CPU_CLIENT=${TCP_CPU_CLIENT:-0}
TCP_CPU_SERVER=${TCP_CPU_SERVER:-$(($(nproc) - 1))}
tcp_run() { # SECS: one iperf3 run to lin:22; prints bits/s (0 if it failed)
	inb iperf3 -s -1 -B 192.0.2.31 -p 22 -A "$TCP_CPU_SERVER" >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do
		inb ss -Htln 'sport = :22' | grep -q . && break
		sleep 0.1
	done
	ina iperf3 -c 192.0.2.31 -p 22 -A "$TCP_CPU_CLIENT" -t "$1" -J 2>/dev/null | python3 -c '
import json, sys
try:
    print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))
except Exception:
    print(0)'
	wait "${PIDS[-1]}" 2>/dev/null || true
}
printf 'run\tcandidate\tbits_per_second\n' > "$OUT/tcp.tsv"
tcp_cands="none xdp-empty tc-empty nft-conntrack"
[ -z "$PC_OK" ] || tcp_cands="$tcp_cands portcullis portcullis-tc"
for run in $(seq "$TCP_RUNS"); do
	for c in $tcp_cands; do
		log "tcp: run $run, $c"
		tcp_setup "$c"
		printf '%s\t%s\t%s\n' "$run" "$c" "$(tcp_run "$TCP_SECS")" >> "$OUT/tcp.tsv"
		tcp_teardown "$c"
	done
done

# What each TC program run costs during bulk TCP: one more run of the
# empty hooks and of portcullis with --ingress tc under the kernel's BPF
# run statistics (which add their own clock reads to every run, so these
# runs are not among the throughput runs above).
printf 'candidate\tprogram\truns\tns_per_run\tsecs\n' > "$OUT/tcp_cost.tsv"
tcp_cost_cands=tc-empty
[ -z "$PC_OK" ] || tcp_cost_cands="$tcp_cost_cands portcullis-tc"
BPF_STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
for c in $tcp_cost_cands; do
	log "tcp: program cost, $c"
	tcp_setup "$c"
	sysctl -qw kernel.bpf_stats_enabled=1
	tcp_run "$TCP_SECS" >/dev/null
	for nd in "$NA va" "$NB vb"; do
		# shellcheck disable=SC2086
		set -- $nd
		nsenter --net=/run/netns/"$1" bpftool -j net show dev "$2" | python3 -c '
import json, subprocess, sys
for p in json.load(sys.stdin)[0].get("tc", []):
    s = json.loads(subprocess.check_output(["bpftool", "-j", "prog", "show", "id", str(p["id"])]))
    if s.get("run_cnt"):
        print("%s\t%s %s\t%d\t%.1f\t%s" % (sys.argv[1], sys.argv[2], p["kind"], s["run_cnt"],
                                          s["run_time_ns"] / s["run_cnt"], sys.argv[3]))
' "$c" "$2" "$TCP_SECS" >> "$OUT/tcp_cost.tsv"
	done
	sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_WAS"
	tcp_teardown "$c"
done

# ---- 5. memory -------------------------------------------------------------
# (portcullis only: from the scaling runs, and the lab site here.)
if [ -n "$PC_OK" ]; then
	pc_attach "$NB" vb "$LAB" lin
	read -r PCX PCT < <(prog_ids "$NB" vb)
	printf 'lab site (tests/lab/site.yaml)\t%s\n' "$(map_memory "$PCX")" > "$OUT/memory.tsv"
	# Which maps take it: name and bytes, largest first.
	bpftool -j prog show id "$PCX" | python3 -c '
import json, subprocess, sys
ids = json.load(sys.stdin).get("map_ids", [])
m = [json.loads(subprocess.check_output(["bpftool", "-j", "map", "show", "id", str(i)]))
     for i in ids]
for x in sorted(m, key=lambda x: -x.get("bytes_memlock", 0)):
    print("%s\t%s\t%s" % (x.get("name", "?"), x.get("type", "?"), x.get("bytes_memlock", 0)))
' > "$OUT/maps.tsv"
	pc_detach "$NB" vb
fi

# ---- the machine, and the report -------------------------------------------
{
	echo "cpu	$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)"
	echo "cores	$(nproc)"
	echo "kernel	$(uname -r)"
	echo "memory	$(free -h | awk '/^Mem:/ {print $2}')"
	echo "virt	$(lscpu | sed -n 's/^Hypervisor vendor: *//p')"
	echo "date	$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "runs	$RUNS"
	echo "repeat	$REPEAT"
	echo "live_secs	$LIVE_SECS"
	echo "tcp_secs	$TCP_SECS"
	echo "tcp_runs	$TCP_RUNS"
	echo "tcp_cpus	client on CPU $TCP_CPU_CLIENT, server on CPU $TCP_CPU_SERVER"
	echo "clang	$(clang --version | head -1)"
	echo "xdp_filter	$XDPFILT ($(dpkg-query -W -f='${Version}' xdp-tools))"
	echo "nft	$(nft --version)"
	echo "iperf3	$(iperf3 --version | head -1)"
} > "$OUT/machine.tsv"
python3 bench/report.py "$OUT" > docs/benchmarks.md
log "wrote docs/benchmarks.md; the targets as this run measured them:"
python3 bench/report.py --summary "$OUT"
