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
    "answer-new": "lin's SYN-ACK answering a fresh SYN (TC egress)",
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


# Targets (issue 14), as ratios to xdp-filter's cost above the floor.
CLASS_TARGET = 1.0
CLASS_STRETCH = 0.5
FRESH_TARGET = 1.5
LIVE_TARGET = 0.9


def class_ratios(d):
    """{class: (floor, xdp-filter above, portcullis above or None)} of pktcost.tsv."""
    r = rows(d, "pktcost.tsv")
    by = {(x["candidate"], x["class"]): x for x in r}
    res = {}
    for x in r:
        if x["candidate"] != "empty":
            continue
        c, f = x["class"], float(x["ns_median"])
        xa = round(float(by[("xdp-filter", c)]["ns_median"]) - f, 1)
        p = by.get(("portcullis", c))
        res[c] = (f, xa, round(float(p["ns_median"]) - f, 1) if p else None)
    return res


def answer_new(d):
    """portcullis' ns per packet of the answer-new class (TC egress), or None."""
    for x in rows(d, "pktcost.tsv"):
        if x["candidate"] == "portcullis" and x["class"] == "answer-new":
            return float(x["ns_median"])
    return None


def target_of(c):
    return FRESH_TARGET if c == "syn-new" else CLASS_TARGET


def pktcost(d, pc_ok, out):
    r = rows(d, "pktcost.tsv")
    by = {(x["candidate"], x["class"]): x for x in r}
    out.append("| packet class | floor ns | xdp-filter ns (verdict) | xdp-filter above floor "
               "| portcullis ns (verdict) | portcullis above floor | ratio | target | "
               "stretch <= 0.50 |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for c, (f, xa, pa) in class_ratios(d).items():
        x = by[("xdp-filter", c)]
        cells = [CLASS_TEXT.get(c, c), str(f), f"{x['ns_median']} ({x['verdict']})", str(xa)]
        t = target_of(c)
        if pa is not None:
            p = by[("portcullis", c)]
            ratio = pa / xa if xa > 0 else None
            ok = ratio is not None and ratio <= t
            cells += [f"{p['ns_median']} ({p['verdict']})", str(pa), fmt_ratio(ratio),
                      f"<= {t:.2f}: " + ("met" if ok else "**missed**"),
                      "-" if c == "syn-new" else
                      ("met" if ratio is not None and ratio <= CLASS_STRETCH else "not yet")]
        else:
            cells += [NA, "-", "-", "-", "-"]
        out.append("| " + " | ".join(cells) + " |")


# What each class pays for in portcullis' XDP ingress path (read from
# bpf/pipeline.h, bpf/conntrack.h and bpf/counters.h; keep in step with
# them): arrays include the two of the policy in force and pc_lport_used
# (every TCP/UDP packet), per-CPU lookups the clock cache, the counters,
# the event budget and the denied-flow budget; calls are the ones not
# inlined (pc_judge, pc_addr_get; pc_ct_seen_op is not on an ingress
# packet's path: an opening SYN's stamp is inline). A dropped packet within
# the denied-flow budget also looks up (and adds to, atomically) its
# flow's entry in the denied-flow table (bpf/denied.h, for `advise`): not
# in a repeated packet's account. Prices come from the profile of the same
# run. An opening SYN (syn, syn-new, ipv6-ext, vlan) is judged by its rules
# and peer (the address hash, a hit) and stamps (an array store): no
# connection table is asked on ingress, and nothing is inserted there. A
# wrong peer's SYN stops at the address hash (a miss). An established
# connection's packet is passed by pc_established (pipeline.h) before
# pc_judge: one hash hit, no port rows, no call; its key is built in a
# per-CPU scratch value.
PIECES = {
    "syn": [("array", 7), ("pcpu", 2), ("jiffies", 1), ("h40_hit", 1), ("call", 2)],
    "syn-new": [("array", 7), ("pcpu", 2), ("jiffies", 1), ("h40_hit", 1), ("call", 2)],
    "established": [("array", 3), ("pcpu", 3), ("jiffies", 1), ("h40_hit", 1)],
    "reply": [("array", 7), ("pcpu", 2), ("jiffies", 1), ("h40_hit", 1), ("call", 1)],
    "denied-port": [("array", 3), ("pcpu", 4), ("jiffies", 1)],
    "wrong-peer": [("array", 7), ("pcpu", 5), ("jiffies", 2), ("h40_miss", 1), ("call", 2)],
    "fragment": [("array", 3), ("pcpu", 5), ("jiffies", 2), ("h40_miss", 1), ("call", 1)],
    "ipv6-ext": [("array", 7), ("pcpu", 2), ("jiffies", 1), ("h40_hit", 1), ("call", 2)],
    "vlan": [("array", 7), ("pcpu", 2), ("jiffies", 1), ("h40_hit", 1), ("call", 2)],
}
PIECE_TEXT = {
    "jiffies": "`bpf_jiffies64()` (pc_now's clock check; the clock is read once a jiffy)",
    "ktime": "`bpf_ktime_get_ns()` (not on any path: pc_now caches it per jiffy)",
    "call": "a BPF-to-BPF call and its return (pc_judge, pc_addr_get, pc_denied_record)",
    "pcpu": "per-CPU array lookup + add (a counter)",
    "array": "array lookup of a 32-byte value (a port row's mask, inlined)",
    "h40_miss": "hash lookup, 40-byte key (struct pc_ct_key), miss",
    "h40_hit": "hash lookup, 40-byte key, hit",
    "h16_miss": "hash lookup, 16-byte key (an IPv4-only key), miss",
    "h16_hit": "hash lookup, 16-byte key, hit",
    "ins40": "LRU hash insert, 40-byte key (a new connection), table not full",
    "ins16": "LRU hash insert, 16-byte key",
    "ins16_pcpu_lru": "LRU hash insert, 16-byte key, per-CPU LRU lists",
    "ins16_hash": "plain preallocated hash insert, 16-byte key (no eviction)",
}


def prices(d):
    """ns of each piece above its floor, from profile.tsv."""
    r = {x["candidate"]: float(x["ns_median"]) for x in rows(d, "profile.tsv")}
    if "m_empty" not in r:
        return {}
    e, ie = r["m_empty"], r.get("ins_floor", r["m_empty"])
    p = {"jiffies": r["m_jiffies"] - e, "ktime": r["m_ktime"] - e, "pcpu": r["m_pcpu"] - e,
         "array": r["m_array32"] - e, "h40_miss": r["m_h40_miss"] - e,
         "h40_hit": (r["m_h40_hit2"] - e) / 2, "h16_miss": r["m_h16_miss"] - e,
         "h16_hit": (r["m_h16_hit2"] - e) / 2}
    if "m_call" in r:
        p["call"] = r["m_call"] - e
    for k in ["ins40", "ins16", "ins16_pcpu_lru", "ins16_hash"]:
        if "m_" + k in r:
            p[k] = r["m_" + k] - ie
    return {k: max(v, 0) for k, v in p.items()}


def profile(d, pc_ok, out):
    p = prices(d)
    if not p:
        out.append("(no profile in this run)")
        return
    out.append("| piece | ns above the floor |")
    out.append("|---|---|")
    for k, t in PIECE_TEXT.items():
        if k in p:
            out.append(f"| {t} | {p[k]:.0f} |")
    out.append("")
    out.append("What each class pays for on portcullis' XDP ingress path (from bpf/pipeline.h "
               "and bpf/conntrack.h), priced with the table above, against what it measured "
               "in section 1; the rest is parsing, zeroing struct pc_pkt and the logic between "
               "lookups. The keys of the address table, the fragment table and the "
               "denied-flow table (24, 40 and 24 bytes) are priced as 40-byte ones; a "
               "dropped packet's record in the denied-flow table (bpf/denied.h) is one "
               "lookup hit plus an atomic add, not priced.")
    out.append("")
    out.append("| class | hash lookups and inserts, arrays, helpers | priced ns | measured ns "
               "above floor | xdp-filter above floor |")
    out.append("|---|---|---|---|---|")
    cr = class_ratios(d)
    for c, pieces in PIECES.items():
        if c not in cr:
            continue
        f, xa, pa = cr[c]
        priced = sum(p.get(k, 0) * n for k, n in pieces)
        what = ", ".join(f"{n} x {k}" for k, n in pieces)
        out.append(f"| {c} | {what} | {priced:.0f} | {pa if pa is not None else '-'} | {xa} |")


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
                cost[hr, c] = round(float(p[0]["ns_median"]) - float(f[0]["ns_median"]), 1)
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
    for c in ["xdp-drop", "portcullis", "portcullis-tc", "xdp-filter", "nft-netdev", "nft-inet"]:
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
                    if c.startswith("portcullis"):
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
    te = {x["run"]: float(x["bits_per_second"]) for x in r if x["candidate"] == "tc-empty"}
    out.append("| filter (both ends) | Gbit/s | ratio to no filter | ratio to xdp-empty "
               "| ratio to tc-empty | target >= 0.95 |")
    out.append("|---|---|---|---|---|---|")
    for c in ["none", "xdp-empty", "tc-empty", "nft-conntrack", "portcullis", "portcullis-tc"]:
        e = [x for x in r if x["candidate"] == c]
        if not e:
            out.append(f"| {c} | {NA} | - | - | - | - |")
            continue
        g = statistics.median(float(x["bits_per_second"]) for x in e) / 1e9
        rs = [float(x["bits_per_second"]) / base[x["run"]] for x in e if base.get(x["run"])]
        q = statistics.median(rs) if rs else None
        target = "-" if not c.startswith("portcullis") or q is None else \
            ("met" if q >= 0.95 else "**missed**")
        qx = [float(x["bits_per_second"]) / xe[x["run"]] for x in e if xe.get(x["run"])]
        qx = statistics.median(qx) if qx else None
        qt = [float(x["bits_per_second"]) / te[x["run"]] for x in e if te.get(x["run"])]
        qt = statistics.median(qt) if qt else None
        out.append(f"| {c} | {g:.2f} | {fmt_ratio(q)} | {fmt_ratio(qx)} | {fmt_ratio(qt)} "
                   f"| {target} |")


def map_sizes(d):
    p = os.path.join(d, "maps.tsv")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [l.rstrip("\n").split("\t") for l in f if l.count("\t") == 2]


def memory(d, pc_ok, out):
    m = kv(d, "memory.tsv")
    sc = rows(d, "scaling.tsv")
    big = [x for x in sc if x["hosts"] == "1000000" and x["memlock"].isdigit()]
    if not m and not big:
        out.append(f"portcullis: {NA}.")
        return
    out.append("| site | BPF map memory (memlock) | target |")
    out.append("|---|---|---|")
    mib = lambda v: int(v) / 2**20
    verdict = lambda v, t: f"<= {t} MiB: " + ("met" if mib(v) <= t else "**missed**")
    for k, v in m.items():
        out.append(f"| {k} | {mib(v):.1f} MiB | {verdict(v, 16)} |")
    if big:
        v = big[0]["memlock"]
        out.append(f"| 1,000,000 hosts, 16 rules | {mib(v):.1f} MiB | {verdict(v, 128)} |")
    maps = map_sizes(d)
    if maps:
        out.append("")
        out.append("The lab site's maps, largest first (those of 1 MiB or more): " +
                   ", ".join(f"{n} ({t}) {mib(b):.1f} MiB" for n, t, b in maps
                             if int(b) >= 2**20) + ".")


def live_ratio(d, cand="portcullis"):
    r = rows(d, "live.tsv")
    mpps = lambda x: int(x["dropped"]) / float(x["seconds"]) / 1e6
    base = {x["run"]: mpps(x) for x in r
            if x["candidate"] == "xdp-drop" and x["traffic"] == "udp-denied"}
    rs = [mpps(x) / base[x["run"]] for x in r if x["candidate"] == cand
          and x["traffic"] == "udp-denied" and base.get(x["run"])]
    return (statistics.median(rs), statistics.median(base.values())) if rs else (None, None)


def summary(d):
    """The targets of issue 14 as this run measured them (also printed by run.sh)."""
    out = ["| measure (this run, this machine) | ratio | target | |", "|---|---|---|---|"]
    for c, (f, xa, pa) in class_ratios(d).items():
        if pa is None or xa <= 0:
            continue
        t, q = target_of(c), pa / xa
        out.append(f"| {c}: portcullis {pa} ns / xdp-filter {xa} ns above the floor | "
                   f"{q:.2f} | <= {t:.2f} | {'met' if q <= t else '**missed**'} |")
    q, _ = live_ratio(d)
    if q is not None:
        out.append(f"| live drop rate / bare XDP_DROP's | {q:.2f} | >= {LIVE_TARGET:.2f} | "
                   f"{'met' if q >= LIVE_TARGET else '**missed**'} |")
    return out


def tcp_cost_by_candidate(d):
    """candidate -> (ns a TC program run, ms of program time a second of the run)."""
    r = rows(d, "tcp_cost.tsv")
    out = {}
    for c in sorted({x["candidate"] for x in r}):
        e = [x for x in r if x["candidate"] == c]
        runs = sum(int(x["runs"]) for x in e)
        ns = sum(int(x["runs"]) * float(x["ns_per_run"]) for x in e)
        secs = float(e[0]["secs"]) if e else 0
        if runs and secs:
            out[c] = (ns / runs, ns / secs / 1e6)
    return out


def tcp_cost(d, out):
    r = rows(d, "tcp_cost.tsv")
    if not r:
        return
    out += ["", "What each TC program run cost during one more run of each, under the "
            "kernel's BPF run statistics (`kernel.bpf_stats_enabled`, which add two clock "
            "reads to every run: an empty program measures that overhead and the hook's "
            "call):", "",
            "| candidate | program | runs | ns a run |", "|---|---|---|---|"]
    for x in r:
        out.append(f"| {x['candidate']} | {x['program']} | {x['runs']} | "
                   f"{float(x['ns_per_run']):.0f} |")
    for c, (ns, ms) in tcp_cost_by_candidate(d).items():
        out.append("")
        out.append(f"{c}: {ns:.0f} ns a run on average, {ms:.1f} ms of program time a "
                   f"second of the run ({ms / 10:.1f}% of one CPU).")


def tcp_tc_limit(d):
    """What section 4 says of bulk TCP with --ingress tc, from its own runs."""
    r = rows(d, "tcp.tsv")
    base = {x["run"]: float(x["bits_per_second"]) for x in r if x["candidate"] == "none"}

    def ratios(c):
        return [float(x["bits_per_second"]) / base[x["run"]]
                for x in r if x["candidate"] == c and base.get(x["run"])]
    pt, te = ratios("portcullis-tc"), ratios("tc-empty")
    if not pt or not te:
        return "- TCP throughput with `--ingress tc`: not measured in this run."
    q = statistics.median(pt)
    cost = tcp_cost_by_candidate(d)
    said = ""
    if "portcullis-tc" in cost and "tc-empty" in cost:
        (pn, pm), (en, em) = cost["portcullis-tc"], cost["tc-empty"]
        said = (f" In this run's profile (section 4) a TC program run of portcullis cost "
                f"{pn:.0f} ns against {en:.0f} ns for the empty program, {pm / 10:.1f}% of one "
                f"CPU against {em / 10:.1f}%: the judgement itself takes "
                f"{(pm - em) / 10:.1f}% of a CPU, less than the spread of single runs.")
    return (
        f"- TCP throughput with `--ingress tc` ({'met' if q >= 0.95 else 'missed'} "
        f"here: {q:.2f} of no filter, runs from {min(pt):.2f} to {max(pt):.2f}). The "
        f"hooks alone, an empty program on clsact ingress and egress of both ends "
        f"(tc-empty), give {statistics.median(te):.2f} (runs {min(te):.2f} to "
        f"{max(te):.2f}).{said} What an established packet pays: the parse, the policy's "
        "generation and settings, and one element of a per-CPU array, the cache of "
        "established connections (bpf/ctcache.h); the connection table's hash is asked "
        "once a clock tick a connection and CPU. Before the cache, the hash lookup was "
        "most of the judgement here: in bulk TCP its bucket, element and the kernel's "
        "lookup code are out of the CPU caches by the next packet (payload copies sweep "
        "them), and bpf_stats measured 160-220 ns a run against 135-155 with the cache "
        "(tc-empty 67; outside this run, same machine). Earlier steps: a frame whose "
        "headers are in the skb's linear part is not pulled (bpf/portcullis.bpf.c, "
        "pc_tc_headers_linear; pulling cost bulk TCP about a twentieth), the idle stamp "
        "is renewed once it is 10 ms old (pc_ct_touch), and an established packet does "
        "not call pc_judge (pc_established). The iperf3 ends are on fixed CPUs: left to "
        "the scheduler, runs fell in two groups by whether both ends shared a CPU "
        "(throughput without any filter 15% apart), which made earlier medians move "
        "between 0.93 and 0.99 on the same code.")


def limits(d):
    p, cr = prices(d), class_ratios(d)
    out = []
    missed = [c for c, (f, xa, pa) in cr.items()
              if pa is not None and xa > 0 and pa / xa > target_of(c)]
    if "syn-new" in cr and p.get("ins40") is not None:
        f, xa, pa = cr["syn-new"]
        ans = answer_new(d)
        out.append(
            f"- Fresh flow ({'missed' if 'syn-new' in missed else 'met'} here). A new "
            "connection must be recorded, or its replies could not be told from packets "
            "nobody asked for, and recording it is one insert into an LRU hash: "
            f"{p['ins40']:.0f} ns in the profile with the 40-byte key, "
            f"{p.get('ins16', 0):.0f} ns with a 16-byte IPv4 key, "
            f"{p.get('ins16_pcpu_lru', 0):.0f} ns with per-CPU LRU lists, "
            f"{p.get('ins16_hash', 0):.0f} ns for a plain preallocated hash. 1.5 x "
            f"xdp-filter's fresh flow is {1.5 * xa:.0f} ns here, "
            f"{'less' if 1.5 * xa < p['ins40'] else 'not much more'} than the insert "
            "alone, so the ingress packet no longer inserts: an allowed SYN (or UDP "
            "request) of no known connection leaves a stamp in an array (bpf/conntrack.h, "
            "pc_ct_seen: one store), and the host's own answer on TC egress, if it finds "
            "the stamp and the rules in force allow the connection, creates the entry; "
            "a SYN or UDP flood from documented peers fills no table, and the host "
            "cannot answer what nobody sent it (without a stamp its SYN-ACK or reply is "
            "no-conntrack, as before)." +
            (f" The insert moved to the host's answer: `answer-new` (lin's SYN-ACK to a "
             f"fresh SYN, on the TC egress program, single runs) costs {ans} ns a packet "
             "on portcullis, timer included (xdp-filter has no egress program)."
             if ans is not None else ""))
    for c in missed:
        if c == "syn-new":
            continue
        f, xa, pa = cr[c]
        pieces = PIECES.get(c, [])
        priced = sum(p.get(k, 0) * n for k, n in pieces)
        out.append(f"- {c}: {pa} ns above the floor against xdp-filter's {xa}; its lookups "
                   f"and helpers price at {priced:.0f} ns (profile), the rest is parsing and "
                   "logic.")
    drops = [c for c in ("denied-port", "wrong-peer", "fragment") if c in cr and p]
    if drops:
        out.append(
            "- Every dropped packet (denied port, wrong peer, fragment, the live flood) may "
            "also record its flow in the denied-flow table for `advise` (bpf/denied.h: "
            "pc_denied_record, a 24-byte-key LRU hash lookup, an insert the first time, an "
            f"atomic add; about one hash hit, {p['h40_hit']:.0f} ns in the profile): at most "
            "2,000 drops a second per CPU are recorded, past that a drop only bumps a "
            "per-CPU counter (`unrecorded`), so a flood such as this section's repeated "
            "packets pays an array lookup, not the hash (nor a call: the budget is "
            "checked inline, one clock read for it and the event ring's).")
    if "wrong-peer" in cr and p:
        f, xa, pa = cr["wrong-peer"]
        out.append(
            f"- Wrong peer ({pa} ns against {xa}): an opening SYN is judged by its rules "
            "and peer before any connection table, so besides the denied-flow record it "
            f"pays one hash miss, the address table's ({p['h40_miss']:.0f} ns in the "
            "profile); a cheaper first test of the remote address (e.g. a bitmap of "
            "hashed peer addresses, an array lookup) belongs to the address tables "
            "(classify.h).")
    q, base = live_ratio(d)
    if q is not None and "denied-port" in cr:
        f, xa, pa = cr["denied-port"]
        frame = 1e3 / base if base else 0
        out.append(
            f"- Live drop rate ({q:.2f}, {'met' if q >= LIVE_TARGET else 'missed'}). "
            f"Generator, veth and receiver share 2 cores: the bare XDP_DROP program drops "
            f"{base:.2f} Mpps, ~{frame:.0f} ns a frame all told, so every ns the receiver "
            "spends is offered load lost. A denied port costs portcullis "
            f"{pa} ns above the floor (section 1), which alone predicts "
            f"{frame / (frame + pa):.2f} at this rate; its ~{pa:.0f} ns are parsing, one "
            "lookup in pc_lport_used (no port row of the protocol holds the local port, "
            "so the answer is no-rule before pc_judge is called: a BPF-to-BPF call costs "
            f"{p.get('call', 0):.0f} ns in the profile), the drop counter, and one clock "
            "read for the event and denied-flow budgets; to reach 0.90 it has to stay "
            "under "
            f"{frame / 9:.0f} ns. How busy the machine is moves this ratio more than "
            "anything in the program.")
    out += [
        "- TCP throughput with XDP ingress: veth's XDP path (any XDP program, even the "
        "empty one) gives up GRO, so bulk TCP drops to ~0.3 of no filter before "
        "portcullis judges a single packet. `attach --ingress tc` judges ingress on "
        "clsact ingress instead (same pc_process(), after GRO): see portcullis-tc in "
        "sections 3 and 4.",
        tcp_tc_limit(d),
        "- Map memory (section 5): a port's rules are a 16-bit class id (pc_lport/pc_rport, "
        "1.5 MiB each for both banks) and a class's rules one of at most 8,192 masks per "
        "bank (pc_masks); each bank's address hash is a map of its own in pc_addr (an "
        "array of maps), made by the loader sized to the policy and swapped in with the "
        "bank when the policy's size changes (a reload of the same size empties and "
        "reuses it), let go after the flip when large: 80 bytes an address (16-byte keys, "
        "IPv4 as ::ffff:a.b.c.d) plus buckets for twice the addresses, so a wrong peer's "
        "lookup costs the same at 1,000,000 addresses as at 10. The connection tables are "
        "the rest: preallocated LRU maps, 65,536 + 16,384 entries by default "
        "(conntrack.max-connections), ~10 MiB.",
        "- A 16-byte IPv4 connection key instead of the 40-byte one for both families "
        "saves what the profile shows between the 40- and 16-byte rows per lookup (a few "
        "ns) at the price of a second pair of tables that userspace seeds, counts and "
        "sizes; not done in this round.",
    ]
    return out


def main(d):
    m = kv(d, "machine.tsv")
    pc_ok = kv(d, "portcullis_ok") or open(os.path.join(d, "portcullis_ok")).read().strip() == "1"
    out = ["# Benchmarks", "",
           "Generated by `make bench` (bench/run.sh, bench/report.py); do not edit by hand.",
           "Benchmarks are not tests: nothing in `make check` depends on them.",
           "Every ratio below is this machine's (see Machine): helper-call and hash costs",
           "differ between hosts, so a ratio holds only where it was measured; run",
           "`make bench` on yours.", "",
           "## Targets (issue 14)", "",
           "- per-packet cost above the floor at most xdp-filter's (ratio <= 1.00), for "
           "every packet class of section 1; stretch goal <= 0.50;",
           "- a fresh flow (new 5-tuple each packet) at most 1.5 x xdp-filter's;",
           "- live drop rate at least 90% of the bare XDP_DROP program's;",
           "- map memory: the lab site <= 16 MiB, 1,000,000 hosts <= 128 MiB;",
           "- flat within +-10% from 10 to 1,000,000 hosts and from 16 to 256 rules;",
           "- TCP throughput at least 95% of no filter's (with `--ingress tc`).", "",
           "## Summary", ""] + summary(d) + ["",
           "## Machine", "",
           "| | |", "|---|---|"]
    for k in ["cpu", "cores", "memory", "virt", "kernel", "clang", "xdp_filter", "nft",
              "iperf3", "date", "runs", "repeat", "live_secs", "tcp_secs", "tcp_runs",
              "tcp_cpus"]:
        if k in m:
            out.append(f"| {k} | {m[k]} |")
    out += ["", "cpu is /proc/cpuinfo's model name. A shared 2-core VM: absolute figures move "
            "between runs (other work shares the cores); the ratios, each against a baseline "
            "of the same run, are what to compare, and they are this machine's.", "",
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
    ans = answer_new(d)
    if ans is not None:
        out += ["", f"`answer-new`, on portcullis' TC egress program: {ans} ns per packet "
                "(single runs, timer included): lin's SYN-ACK answering a fresh SYN, which "
                "creates the connection's entry. The insert moved here, to the host's own "
                "answer: an ingress packet only leaves a stamp (see the limits below)."]
    out += ["", "### Profile: what the pieces cost, and what each class pays for", "",
            "Micro-programs (bench/micro.bpf.c), one piece each, through the same "
            "BPF_PROG_TEST_RUN loop in the same run, floor subtracted: a hit is half of two "
            "hits on one key; inserts put a new key each time into a table that does not "
            "fill within the run.", ""]
    profile(d, pc_ok, out)
    out += ["", "## 2. Scaling", ""]
    scaling(d, pc_ok, out)
    out += ["", "Sites from `bench/gen_site.py HOSTS RULES`.", "",
            "## 3. Live packets", "",
            "bench/livegen (BPF_PROG_TEST_RUN, BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX) sends 60-byte "
            "frames (64 on the wire) from namespace A through a veth pair into namespace B, "
            "whose veth runs the receiver. received: the veth's rx counter; delivered: packets "
            "that reached IP (Ip/Ip6 InReceives), or for nft-inet those its input chain did not "
            "drop; dropped: the rest. The nftables receivers have the empty XDP_PASS program "
            "in front, which veth needs to take XDP frames at all, and so has portcullis-tc "
            "(`attach --ingress tc`: the same judgement on clsact ingress). Generator and receiver share "
            "2 cores, so offered load falls as the receiver costs more.", ""]
    live(d, pc_ok, out)
    out += ["", "## 4. TCP throughput", "",
            f"iperf3 srv > lin:22 (A-2.3) over the veth pair, {m.get('tcp_secs', '?')} s a run, "
            f"{m.get('tcp_runs', m.get('runs', '?'))} runs, candidates interleaved, "
            f"{m.get('tcp_cpus', 'iperf3 ends where the scheduler put them')} for every "
            "candidate; ratios are "
            "medians of each run's ratio to the same run's no filter; "
            "nft-conntrack: lin's and srv's rules in inet input/output chains with "
            "`ct state established,related accept`, on both ends; xdp-empty: the empty XDP_PASS "
            "program on both veth ends, which shows what any XDP program on veth costs here "
            "(veth then takes its XDP path, without GRO aggregation); tc-empty: an empty "
            "program on clsact ingress and egress of both ends, what the hooks `attach "
            "--ingress tc` uses cost with no judgement in them; portcullis-tc: "
            "`attach --ingress tc` on both ends (ingress judged on clsact ingress, after GRO; "
            "egress on TC as always).", ""]
    tcp(d, pc_ok, out)
    tcp_cost(d, out)
    out += ["", "## 5. Memory", ""]
    memory(d, pc_ok, out)
    out += ["", "## What limits the targets still missed", "",
            "From the profile above (same run) where it says so; the rest written by hand "
            "in bench/report.py.", ""]
    out += limits(d)
    out += ["", "## Rerun", "", "```sh",
            "sudo make bench                       # everything, ~15 min",
            "sudo RUNS=7 LIVE_SECS=3 make bench    # more runs, longer live samples",
            "sudo SCALE_HOSTS='10 1000' make bench # a shorter scaling curve",
            "# one piece by hand (inside a namespace of your own):",
            "build/bench/pktcost -n 5 empty=obj:build/bench/xdp_empty.bpf.o \\",
            "    xdp-filter=xdpfilt:/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o:RULES",
            "# one piece of the profile (bench/micro.bpf.c):",
            "build/bench/pktcost -c syn floor=obj:build/bench/micro.bpf.o:m_empty \\",
            "    h40=obj:build/bench/micro.bpf.o:m_h40_miss",
            "```", "", "Raw results: build/bench/results/*.tsv."]
    print("\n".join(out))


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        print("\n".join(summary(sys.argv[2])))
    else:
        main(sys.argv[1])
