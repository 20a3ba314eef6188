#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn one host's rules (`portcullis explain -j`) into the baselines'
configurations, so that every candidate enforces the same policy as far as
it can express it:

  gen_policy.py xdpfilt    RULES.json           xdp-filter rules file
  gen_policy.py nft-netdev RULES.json TABLE DEV stateless, netdev ingress
  gen_policy.py nft-inet   RULES.json TABLE     conntrack, inet input/output

xdp-filter matches one field at a time (address OR port), so it gets the
ports only: allowing a peer's address would open every port to it. Replies
to the host's own flows are allowed by their source port, as any stateless
filter must. The netdev chain does the same with address AND ports; the inet
chains let conntrack pass replies.
"""
import json
import sys


def ports(ranges):
    """["22"], ["1024-65535"] or ["67", "68"] (explain -j) -> port items."""
    return [p.strip() for p in ranges if p.strip()]


def nft_set(items):
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def families(remote):
    v4 = [a for a in remote if ":" not in a]
    v6 = [a for a in remote if ":" in a]
    return (("ip", v4), ("ip6", v6))


def xdpfilt(rules):
    out = ["# xdp-filter allow list (ports only, see gen_policy.py)"]
    seen = set()
    for r in rules:
        if r["direction"] == "ingress":
            items = [(r["protocol"], "dst", p) for p in ports(r["local_ports"])]
        else:  # replies to the host's own flows come from the remote port
            items = [(r["protocol"], "src", p) for p in ports(r["remote_ports"])]
        for it in items:
            if it not in seen:
                seen.add(it)
                out.append(" ".join(it))
    return "\n".join(out) + "\n"


def match(r, fam, addrs):
    """The nft match for rule r's packets on ingress: those that open an
    ingress flow and the replies of an egress one look alike."""
    lp, rp = nft_set(ports(r["local_ports"])), nft_set(ports(r["remote_ports"]))
    return (f"{fam} saddr {nft_set(addrs)} {r['protocol']} sport {rp} "
            f"{r['protocol']} dport {lp}")


def nft_netdev(rules, table, dev):
    body = [f"table netdev {table} {{", "  chain in {",
            f"    type filter hook ingress device \"{dev}\" priority 0; policy drop;",
            "    ether type arp accept",
            "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, "
            "nd-router-advert } accept"]
    seen = set()
    for r in rules:
        for fam, addrs in families(r["remote"]):
            line = "    " + match(r, fam, addrs) + " accept"
            if addrs and line not in seen:
                seen.add(line)
                body.append(line)
    body += ["    counter", "  }", "}"]
    return "\n".join(body) + "\n"


def nft_inet(rules, table):
    body = [f"table inet {table} {{"]
    for chain, hook, direction, peer, lp, rp in (
            ("in", "input", "ingress", "saddr", "dport", "sport"),
            ("out", "output", "egress", "daddr", "sport", "dport")):
        body += [f"  chain {chain} {{",
                 f"    type filter hook {hook} priority 0; policy drop;",
                 "    ct state established,related accept",
                 "    ct state invalid drop",
                 "    meta l4proto ipv6-icmp accept",
                 f"    {'iif' if hook == 'input' else 'oif'} lo accept"]
        for r in rules:
            if r["direction"] != direction:
                continue
            for fam, addrs in families(r["remote"]):
                if addrs:
                    body.append(
                        f"    {fam} {peer} {nft_set(addrs)} {r['protocol']} "
                        f"{lp} {nft_set(ports(r['local_ports']))} {r['protocol']} "
                        f"{rp} {nft_set(ports(r['remote_ports']))} accept")
        body += ["    counter", "  }"]
    body.append("}")
    return "\n".join(body) + "\n"


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    with open(argv[2]) as f:
        rules = json.load(f)["rules"]
    if argv[1] == "xdpfilt":
        sys.stdout.write(xdpfilt(rules))
    elif argv[1] == "nft-netdev" and len(argv) == 5:
        sys.stdout.write(nft_netdev(rules, argv[3], argv[4]))
    elif argv[1] == "nft-inet" and len(argv) == 4:
        sys.stdout.write(nft_inet(rules, argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
