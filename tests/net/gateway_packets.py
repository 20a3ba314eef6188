# SPDX-License-Identifier: GPL-2.0-only
"""Random and crafted first packets of forwarded connections for
test_gateway_nft_diff.sh, the same ones for every judge (a seed).

  gateway_packets.py RULES.json SEED COUNT BATCH IFACE DSTMAC OWN,OWN,...

RULES.json is `explain --gateway -j`. Sources are every forward rule's
initiators and strangers, destinations every rule's destinations and
strangers (never the gateway's own addresses, 0.0.0.0 or a limited
broadcast: the kernel drops or delivers those before the forward hook);
ports are the rules' edges, one off them, and random ones; TCP SYN or
UDP, IPv4 and IPv6; every packet has a 5-tuple of its own, and none is
the reverse of another's. Sends them out
of IFACE in batches of BATCH and, after each batch, reads one line on
standard input (the caller's "counted") before going on.
"""
import ipaddress
import json
import logging
import random
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, TCP, UDP, Ether, conf, sendp  # noqa: E402

rules_path, seed, count, batch, iface, dmac, own = sys.argv[1:8]
count, batch = int(count), int(batch)
own = set(own.split(","))
rnd = random.Random(int(seed))
conf.verb = 0

rules = [r for r in json.load(open(rules_path))["rules"] if r.get("forward")]
STRANGERS = ["192.0.2.99", "198.51.100.77", "203.0.113.99", "2001:db8:a::99", "2001:db8:c::99"]


def usable(a, as_dst):
    if "/" in a or a in own or a in ("0.0.0.0", "255.255.255.255"):
        return False
    ip = ipaddress.ip_address(a)
    return not (ip.is_multicast or (not as_dst and str(ip).endswith(".255")))


srcs = sorted({a for r in rules for a in r["remote"] if usable(a, False)} | set(STRANGERS))
dsts = sorted({a for r in rules for a in r["local"] if usable(a, True)} | set(STRANGERS))


def ranges(spec):
    out = []
    for s in spec:
        lo, _, hi = s.partition("-")
        out.append((int(lo), int(hi or lo)))
    return out


def edge(rngs):
    lo, hi = rnd.choice(rngs)
    return min(65535, max(1, rnd.choice([lo, hi, lo - 1, hi + 1, rnd.randint(lo, hi)])))


seen = set()


def packet():
    while True:
        r = rnd.choice(rules)
        fam6 = rnd.random() < 0.4
        pick = [a for a in (srcs if rnd.random() < 0.8 else STRANGERS) if (":" in a) == fam6]
        src = rnd.choice([a for a in r["remote"] if a in srcs and (":" in a) == fam6] or pick)
        dpool = [a for a in r["local"] if a in dsts and (":" in a) == fam6]
        dst = rnd.choice(dpool if dpool and rnd.random() < 0.7 else
                         [a for a in dsts if (":" in a) == fam6])
        proto = r["protocol"] if rnd.random() < 0.8 else rnd.choice(["tcp", "udp"])
        dport = edge(ranges(r["local_ports"])) if rnd.random() < 0.85 else rnd.randint(1, 65535)
        sport = edge(ranges(r["remote_ports"])) if rnd.random() < 0.85 else rnd.randint(1, 65535)
        # Neither this 5-tuple nor its reverse again: a packet must
        # never be a reply to an earlier one (both judges pass replies
        # through their connection tables, counted differently).
        key, rev = (src, dst, proto, sport, dport), (dst, src, proto, dport, sport)
        if src != dst and key not in seen and rev not in seen:
            seen.update((key, rev))
            break
    l3 = IPv6(src=src, dst=dst) if fam6 else IP(src=src, dst=dst)
    l4 = TCP(sport=sport, dport=dport, flags="S") if proto == "tcp" else UDP(sport=sport, dport=dport)
    return Ether(dst=dmac) / l3 / l4


sent = 0
while sent < count:
    n = min(batch, count - sent)
    sendp([packet() for _ in range(n)], iface=iface)
    sent += n
    print(f"batch {n}", flush=True)
    if not sys.stdin.readline():
        break
