#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Reads back a 'portcullis export --windows' script and compares it rule by
rule with 'portcullis explain -j' for the same host. A small reader of the
PowerShell subset the export writes: commands joined over backtick line
continuations, -Param value pairs, single-quoted strings ('' is a quote),
comma lists. Prints one line per problem and exits 1 if there is any.

    winfw_parse.py SCRIPT EXPLAIN_JSON
"""
import json
import re
import sys

TOKEN = re.compile(r"""\s*(?:('(?:[^']|'')*')|(-\w+(?::\$\w+)?)|(,)|([^\s,']+))""")


def commands(text):
    lines, cur = [], ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") and not cur:
            continue
        if raw.endswith("`"):
            cur += raw[:-1] + " "
            continue
        cur += raw
        if cur.strip():
            lines.append(cur.strip())
        cur = ""
    return lines


def parse_command(line):
    """'Verb-Noun -A x -B 'y','z' -C:$v | Out-Null' -> (verb, {param: value})."""
    line = line.split(" | ")[0]
    verb, _, rest = line.partition(" ")
    params, key, pos = {}, None, 0
    while pos < len(rest):
        m = TOKEN.match(rest, pos)
        if not m or m.end() == pos:
            raise ValueError("cannot read %r at %d" % (rest, pos))
        pos = m.end()
        quoted, flag, comma, bare = m.groups()
        if flag:
            name, _, val = flag[1:].partition(":")
            key = name
            params[key] = [val] if val else []
        elif comma:
            continue
        elif key is None:
            raise ValueError("value before any parameter in %r" % line)
        else:
            params[key].append(quoted[1:-1].replace("''", "'") if quoted else bare)
    return verb, params


def main():
    script = open(sys.argv[1]).read()
    ruleset = json.load(open(sys.argv[2]))
    problems = []
    rules, echo, profile, whatif_param = {}, {}, None, False
    for line in commands(script):
        if line.replace(" ", "").lower() == "param([switch]$whatif)":
            whatif_param = True
            continue
        if not line.startswith(("New-NetFirewallRule", "Set-NetFirewallProfile")):
            continue
        verb, p = parse_command(line)
        if p.get("WhatIf") != ["$WhatIf"]:
            problems.append("%s without -WhatIf:$WhatIf" % verb)
        if verb == "Set-NetFirewallProfile":
            profile = p
            continue
        name = p["Name"][0]
        if p.get("Protocol", [""])[0] in ("ICMPv4", "ICMPv6"):
            echo[(p["Direction"][0], p["Protocol"][0])] = p
            continue
        idx = int(name.rsplit(" ", 1)[1])
        if idx in rules:
            problems.append("two rules named %s" % name)
        rules[idx] = p
    if not whatif_param:
        problems.append("no param([switch]$WhatIf)")
    if not profile or profile.get("DefaultInboundAction") != ["Block"] or \
            profile.get("DefaultOutboundAction") != ["Block"] or \
            sorted(profile.get("Profile", [])) != ["Domain", "Private", "Public"]:
        problems.append("profiles not set to block by default: %r" % profile)

    def ports(p, key):  # no port parameter: any port
        return p.get(key, ["0-65535"])

    for r in ruleset["rules"]:
        i, where = r["rule"], "rule %d (%s %s)" % (r["rule"], r["path"], r["direction"])
        w = rules.pop(i, None)
        if not r["remote"]:
            if w:
                problems.append("%s has no peers but a Windows rule" % where)
            continue
        if not w:
            problems.append("%s: no Windows rule" % where)
            continue
        want = {
            "Direction": ["Inbound" if r["direction"] == "ingress" else "Outbound"],
            "Action": ["Allow"], "Profile": ["Any"], "Enabled": ["True"],
            "Protocol": [r["protocol"].upper()],
            "Group": ["portcullis"],
            "LocalPort": r["local_ports"],
            "RemotePort": r["remote_ports"],
            "RemoteAddress": r["remote"],
        }
        got = dict(w)
        got["LocalPort"] = ports(w, "LocalPort")
        got["RemotePort"] = ports(w, "RemotePort")
        for k, v in want.items():
            if got.get(k) != v:
                problems.append("%s: -%s is %r, explain says %r" % (where, k, got.get(k), v))
        if r["path"] not in w["DisplayName"][0] or r["path"] not in w["Name"][0]:
            problems.append("%s: path id not in the rule's name" % where)
    for i in rules:
        problems.append("Windows rule %d has no rule in explain" % i)
    # settings: icmp-echo: echo requests with every documented peer.
    for proto, types, v6 in (("ICMPv4", "8", False), ("ICMPv6", "128", True)):
        peers = []
        for r in ruleset["rules"]:
            for a in r["remote"]:
                if (":" in a) == v6 and a not in peers:
                    peers.append(a)
        for d in ("Inbound", "Outbound"):
            w = echo.pop((d, proto), None)
            if ruleset.get("icmp_echo", True) and peers:
                if not w:
                    problems.append("no %s %s echo rule" % (d, proto))
                elif w.get("RemoteAddress") != peers or w.get("IcmpType") != [types] or \
                        w.get("Action") != ["Allow"] or w.get("Profile") != ["Any"]:
                    problems.append("%s %s echo rule: %r, peers %r" % (d, proto, w, peers))
            elif w:
                problems.append("%s %s echo rule without documented peers" % (d, proto))
    for k in echo:
        problems.append("unexpected echo rule %r" % (k,))
    for pr in problems:
        print(pr)
    print("%d rules compared" % len(ruleset["rules"]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
