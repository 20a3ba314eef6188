#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""report.py RESULTS_DIR > docs/benchmarks.md: the tables of bench/run.sh.
Every figure is a median over the runs and, where it is compared, a ratio
against a baseline measured in the same run."""
import csv
import os
import statistics
import sys

NA = "n/a (datapath not built)"
CLASS_TEXT = {
    "syn": "new allowed flow (TCP SYN srv > lin:22, same SYN repeated)",
    "syn-new": "new allowed flow, fresh source port each packet",
    "established": "established (TCP ACK after the handshake)",
    "reply": "reply (SYN-ACK srv:26508 > lin to lin's own SYN)",
    "denied-port": "denied: undocumented port (TCP 23)",
    "wrong-peer": "denied: documented port, wrong peer (192.0.2.99 > :22)",
    "fragment": "non-first IPv4 fragment, none recorded",
    "ipv6-ext": "IPv6 with hop-by-hop + destination options",
    "vlan": "802.1Q VLAN-tagged SYN",
}


def rows(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def kv(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        return dict(l.rstrip("\n").split("\t", 1) for l in f if "\t" in l)


def fmt_ratio(x):
    return f"{x:.2f}" if x is not None else "-"


def pktcost(d, pc_ok, out):
    r = rows(d, "pktcost.tsv")
    by = {(x["candidate"], x["class"]): x for x in r}
    classes = [x["class"] for x in r if x["candidate"] == "empty"]
    out.append("| packet class | floor ns | xdp-filter ns (verdict) | xdp-filter above floor "
               "| portcullis ns (verdict) | portcullis above floor | ratio | target <= 0.50 |")
    out.append("|---|---|---|---|---|---|---|---|")
    for c in classes:
        f = int(by[("empty", c)]["ns_median"])
        x = by[("xdp-filter", c)]
        xa = int(x["ns_median"]) - f
        cells = [CLASS_TEXT.get(c, c), str(f), f"{x['ns_median']} ({x['verdict']})", str(xa)]
        p = by.get(("portcullis", c))
        if p:
            pa = int(p["ns_median"]) - f
            ratio = pa / xa if xa > 0 else None
            cells += [f"{p['ns_median']} ({p['verdict']})", str(pa), fmt_ratio(ratio),
                      "met" if ratio is not None and ratio <= 0.5 else "**missed**"]
        else:
            cells += [NA, "-", "-", "-"]
        out.append("| " + " | ".join(cells) + " |")


def scaling(d, pc_ok, out):
    r = rows(d, "scaling.tsv")
    if not r:
        out.append(f"portcullis: {NA}.")
        return
    pts = sorted({(int(x["hosts"]), int(x["rules"])) for x in r})
    classes = []
    for x in r:
        if x["class"] not in classes and x["class"] != "-":
            classes.append(x["class"])
    cost = {}
    for hr in pts:
        for c in classes:
            e = [x for x in r if (int(x["hosts"]), int(x["rules"])) == hr and x["class"] == c]
            f = [x for x in e if x["candidate"] == "empty"]
            p = [x for x in e if x["candidate"] == "portcullis"]
            if f and p:
                cost[hr, c] = int(p[0]["ns_median"]) - int(f[0]["ns_median"])
    base = (10, 16) if any(k[0] == (10, 16) for k in cost) else pts[0]
    out.append("Cost above the floor, ns (ratio to the 10 hosts / 16 rules site of the "
               "same run); target: every ratio within 0.90-1.10.")
    out.append("")
    out.append("| hosts | rules | " + " | ".join(classes) + " | map memory |")
    out.append("|---|---|" + "---|" * (len(classes) + 1))
    for hr in pts:
        cells = [f"{hr[0]:,}", str(hr[1])]
        why = [x["verdict"] for x in r if (int(x["hosts"]), int(x["rules"])) == hr
               and x["class"] == "-"]
        if why:  # one failure for the whole site: say it once
            out.append(f"| {cells[0]} | {cells[1]} | {why[0]} |" + " |" * len(classes))
            continue
        for c in classes:
            v, b = cost.get((hr, c)), cost.get((base, c))
            if v is None:
                cells.append("-")
            elif b:
                flag = "" if 0.9 <= v / b <= 1.1 else " **out**"
                cells.append(f"{v} ({v / b:.2f}){flag}")
            else:
                cells.append(str(v))
        mem = [x["memlock"] for x in r if (int(x["hosts"]), int(x["rules"])) == hr]
        cells.append(f"{int(mem[0]) / 2**20:.1f} MiB" if mem and mem[0].isdigit() else "-")
        out.append("| " + " | ".join(cells) + " |")


def live(d, pc_ok, out):
    r = rows(d, "live.tsv")
    runs = sorted({x["run"] for x in r})
    mpps = lambda x, k: int(x[k]) / float(x["seconds"]) / 1e6
    base = {(x["run"], x["traffic"]): x for x in r if x["candidate"] == "xdp-drop"}
    out.append("| receiver | traffic | offered Mpps | received Mpps | delivered Mpps "
               "| dropped Mpps | drop rate / bare XDP_DROP's | target >= 0.90 |")
    out.append("|---|---|---|---|---|---|---|---|")
    for c in ["xdp-drop", "portcullis", "xdp-filter", "nft-netdev", "nft-inet"]:
        for t in ["udp-denied", "udp-allowed"]:
            e = [x for x in r if x["candidate"] == c and x["traffic"] == t]
            if not e:
                out.append(f"| {c} | {t} | {NA} | | | | | |")
                continue
            med = lambda k: statistics.median(mpps(x, k) for x in e)
            ratio, target = "-", "-"
            if t == "udp-denied":
                rs = [mpps(x, "dropped") / mpps(base[x["run"], t], "dropped")
                      for x in e if (x["run"], t) in base]
                if rs:
                    q = statistics.median(rs)
                    ratio = f"{q:.2f}"
                    if c == "portcullis":
                        target = "met" if q >= 0.9 else "**missed**"
            out.append(f"| {c} | {t} | {med('sent'):.2f} | {med('received'):.2f} | "
                       f"{med('delivered'):.2f} | {med('dropped'):.2f} | {ratio} | {target} |")
    out.append("")
    out.append(f"{len(runs)} runs; each figure is the median. udp-denied: UDP srv:40000 > "
               "lin:161 (undocumented); udp-allowed: UDP srv:67 > lin:68 (A-3.8, PXE reply).")


def tcp(d, pc_ok, out):
    r = rows(d, "tcp.tsv")
    base = {x["run"]: float(x["bits_per_second"]) for x in r if x["candidate"] == "none"}
    xe = {x["run"]: float(x["bits_per_second"]) for x in r if x["candidate"] == "xdp-empty"}
    out.append("| filter (both ends) | Gbit/s | ratio to no filter | ratio to xdp-empty "
               "| target >= 0.95 |")
    out.append("|---|---|---|---|---|")
    for c in ["none", "xdp-empty", "nft-conntrack", "portcullis"]:
        e = [x for x in r if x["candidate"] == c]
        if not e:
            out.append(f"| {c} | {NA} | - | - | - |")
            continue
        g = statistics.median(float(x["bits_per_second"]) for x in e) / 1e9
        rs = [float(x["bits_per_second"]) / base[x["run"]] for x in e if base.get(x["run"])]
        q = statistics.median(rs) if rs else None
        target = "-" if c != "portcullis" or q is None else ("met" if q >= 0.95 else "**missed**")
        qx = [float(x["bits_per_second"]) / xe[x["run"]] for x in e if xe.get(x["run"])]
        qx = statistics.median(qx) if qx else None
        out.append(f"| {c} | {g:.2f} | {fmt_ratio(q)} | {fmt_ratio(qx)} | {target} |")


def memory(d, pc_ok, out):
    m = kv(d, "memory.tsv")
    sc = rows(d, "scaling.tsv")
    big = [x for x in sc if x["hosts"] == "1000000" and x["memlock"].isdigit()]
    if not m and not big:
        out.append(f"portcullis: {NA}.")
        return
    out.append("| site | BPF map memory (memlock) |")
    out.append("|---|---|")
    for k, v in m.items():
        out.append(f"| {k} | {int(v) / 2**20:.1f} MiB |")
    if big:
        out.append(f"| 1,000,000 hosts, 16 rules | {int(big[0]['memlock']) / 2**20:.1f} MiB |")


def main(d):
    m = kv(d, "machine.tsv")
    pc_ok = kv(d, "portcullis_ok") or open(os.path.join(d, "portcullis_ok")).read().strip() == "1"
    out = ["# Benchmarks", "",
           "Generated by `sudo make bench` (bench/run.sh, bench/report.py); do not edit by hand.",
           "Benchmarks are not tests: nothing in `make check` depends on them.", "",
           "## Targets", "",
           "- per-packet cost above the floor at most half of xdp-filter's, for every packet class;",
           "- flat within +-10% from 10 to 1,000,000 hosts and from 16 to 256 rules;",
           "- live drop rate at least 90% of the bare XDP_DROP program's;",
           "- TCP throughput at least 95% of no filter's.", "",
           "## Machine", "",
           "| | |", "|---|---|"]
    for k in ["cpu", "cores", "memory", "virt", "kernel", "clang", "xdp_filter", "nft",
              "iperf3", "date", "runs", "repeat", "live_secs", "tcp_secs"]:
        if k in m:
            out.append(f"| {k} | {m[k]} |")
    out += ["", "A shared 2-core VM: absolute figures move between runs; the ratios, each against "
            "a baseline of the same run, are what to compare.", "",
            "## 1. Per-packet cost (BPF_PROG_TEST_RUN)", "",
            f"ns per packet, median of {m.get('runs', '?')} runs of {m.get('repeat', '?')} "
            "repetitions each, candidates interleaved. Floor: an empty XDP_PASS program. "
            "xdp-filter: Debian's `xdpfilt_dny_all.o` (allow list, drop the rest) loaded with "
            "plain libbpf and filled like `xdp-filter port` would, with lin's documented ports "
            "(bench/gen_policy.py); it matches one field at a time, so it cannot tell a wrong "
            "peer or a fragment from an allowed packet (its verdicts show it). Ratio: "
            "portcullis' cost above the floor / xdp-filter's. `syn-new` averages single runs "
            "(a fresh 5-tuple each); its floor includes the timer's own cost, hence the higher "
            "absolute figures.", ""]
    pktcost(d, pc_ok, out)
    out += ["", "## 2. Scaling", ""]
    scaling(d, pc_ok, out)
    out += ["", "Sites from `bench/gen_site.py HOSTS RULES`.", "",
            "## 3. Live packets", "",
            "bench/livegen (BPF_PROG_TEST_RUN, BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX) sends 60-byte "
            "frames (64 on the wire) from namespace A through a veth pair into namespace B, "
            "whose veth runs the receiver. received: the veth's rx counter; delivered: packets "
            "that reached IP (Ip/Ip6 InReceives), or for nft-inet those its input chain did not "
            "drop; dropped: the rest. The nftables receivers have the empty XDP_PASS program "
            "in front, which veth needs to take XDP frames at all. Generator and receiver share "
            "2 cores, so offered load falls as the receiver costs more.", ""]
    live(d, pc_ok, out)
    out += ["", "## 4. TCP throughput", "",
            f"iperf3 srv > lin:22 (A-2.3) over the veth pair, {m.get('tcp_secs', '?')} s a run; "
            "nft-conntrack: lin's and srv's rules in inet input/output chains with "
            "`ct state established,related accept`, on both ends; xdp-empty: the empty XDP_PASS "
            "program on both veth ends, which shows what any XDP program on veth costs here "
            "(veth then takes its XDP path, without GRO aggregation).", ""]
    tcp(d, pc_ok, out)
    out += ["", "## 5. Memory", ""]
    memory(d, pc_ok, out)
    out += ["", "## Rerun", "", "```sh",
            "sudo make bench                       # everything, ~10 min",
            "sudo RUNS=7 LIVE_SECS=3 make bench    # more runs, longer live samples",
            "sudo SCALE_HOSTS='10 1000' make bench # a shorter scaling curve",
            "# one piece by hand (inside a namespace of your own):",
            "build/bench/pktcost -n 5 empty=obj:build/bench/xdp_empty.bpf.o \\",
            "    xdp-filter=xdpfilt:/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o:RULES",
            "```", "", "Raw results: build/bench/results/*.tsv."]
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
