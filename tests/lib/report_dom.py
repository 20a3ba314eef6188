#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Holds the DOM of a `portcullis report --html` page (as Chromium's
--dump-dom wrote it) to the `stats -j` reports it was made from.

usage: report_dom.py DOM --stats HOST=FILE... [--rules FILE...] [--exact]
                     [--use PATH=USE...]

- every line of every stats report ("(other)" aside: ARP moves it) is a
  row of the counters table with the same host, packets and bytes, and
  the table has no other row;
- the picture's counters of each drawn path are the sums over the reports;
  each drop reason has its bar;
- every path of each `explain -j` file (--rules) is drawn (--exact: and no
  other);
- a path with packets in some report is drawn green ("used"), a drawn path
  with none is not; --use PATH=USE asserts one path's colour.
Prints what differs; exits 1 if anything does.
"""
import argparse
import json
import sys
from collections import defaultdict
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.flows = {}       # path -> use
        self.texts = {}       # (path, direction) -> the picture's counter text
        self.drops = set()    # reasons with a bar
        self.rows = []        # the counters table's rows (attributes)
        self.stack = []
        self.flow = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "g" and "flow" in cls:
            self.flows[a["data-path"]] = a["data-use"]
            self.flow = a["data-path"]
        elif tag == "g" and "drop" in cls:
            self.drops.add(a["data-reason"])
        elif tag == "tr" and "count" in cls:
            self.rows.append(a)
        self.stack.append((tag, a))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
        if tag == "g":
            self.flow = None

    def handle_data(self, data):
        if self.flow and self.stack and self.stack[-1][0] == "text":
            d = self.stack[-1][1].get("data-direction")
            if d:
                self.texts[(self.flow, d)] = data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dom")
    ap.add_argument("--stats", nargs="+", required=True, metavar="HOST=FILE")
    ap.add_argument("--rules", nargs="*", default=[])
    ap.add_argument("--exact", action="store_true")
    ap.add_argument("--use", nargs="*", default=[], metavar="PATH=USE")
    args = ap.parse_args()

    dom = Dom()
    with open(args.dom, encoding="utf-8") as f:
        dom.feed(f.read())
    bad = []
    rows = {}
    for r in dom.rows:
        kind = "paths" if "data-path" in r else "drops"
        name = r.get("data-path", r.get("data-reason"))
        if name == "(other)":
            continue
        rows[(r["data-host"], kind, name, r["data-direction"])] = \
            (int(r["data-packets"]), int(r["data-bytes"]))
    want_rows = {}
    sums = defaultdict(lambda: [0, 0])
    moved = set()
    reasons = set()
    for arg in args.stats:
        host, _, file = arg.partition("=")
        with open(file, encoding="utf-8") as f:
            stats = json.load(f)
        for kind, key in (("paths", "path"), ("drops", "reason")):
            for e in stats[kind]:
                if e[key] == "(other)":
                    continue
                want_rows[(host, kind, e[key], e["direction"])] = (e["packets"], e["bytes"])
                if kind == "paths":
                    s = sums[(e[key], e["direction"])]
                    s[0] += e["packets"]
                    s[1] += e["bytes"]
                    if e["packets"]:
                        moved.add(e[key])
                else:
                    reasons.add(e[key])
    for k in sorted(set(rows) | set(want_rows)):
        if rows.get(k) != want_rows.get(k):
            bad.append(f"{' '.join(k)}: page {rows.get(k)}, stats -j {want_rows.get(k)}")
    for path in dom.flows:
        for d in ("ingress", "egress", "forward"):
            p, b = sums.get((path, d), (0, 0))
            want = f"{d} {p} pkt, {b} B"
            # A gateway's forwarded packets have a line of their own, drawn
            # where it forwards the flow: never summed into ingress.
            if d == "forward" and not p and (path, d) not in dom.texts:
                continue
            if dom.texts.get((path, d)) != want:
                bad.append(f"picture {path}: {dom.texts.get((path, d))!r}, want {want!r}")
    for reason in sorted(reasons - dom.drops):
        bad.append(f"no bar for the drop {reason}")
    want_drawn = set()
    for file in args.rules:
        with open(file, encoding="utf-8") as f:
            want_drawn |= {r["path"] for r in json.load(f)["rules"]}
    drawn = set(dom.flows)
    if want_drawn - drawn:
        bad.append(f"paths not drawn: {sorted(want_drawn - drawn)}")
    if args.exact and drawn - want_drawn:
        bad.append(f"paths drawn that the rules do not have: {sorted(drawn - want_drawn)}")
    for path in sorted(moved - drawn):
        bad.append(f"{path} counted packets but is not drawn")
    for path, use in sorted(dom.flows.items()):
        if (use == "used") != (path in moved):
            bad.append(f"{path} is drawn {use}, but its packets are {sums.get((path, 'ingress'))}"
                       f" in, {sums.get((path, 'egress'))} out, {sums.get((path, 'forward'))} forward")
    for u in args.use:
        path, _, use = u.partition("=")
        if dom.flows.get(path) != use:
            bad.append(f"{path} is {dom.flows.get(path)}, want {use}")
    if not dom.flows:
        bad.append("no flow drawn")
    print("\n".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
