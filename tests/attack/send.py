# SPDX-License-Identifier: GPL-2.0-only
"""Packet sender for tests/attack/attack.sh: one long-lived scapy process
(scapy takes most of a second to import, the corpus sends ~100 attacks).

Reads commands on stdin, one per line, fields separated by tabs, answers
one line ("ok ..." or "error ...") each:

  send  NS EXPR   eval EXPR (scapy, plus the constants below and the
                  helpers of this file) to a packet or a list of packets
                  and send each from eth0 of namespace PREFIX-NS; frames
                  without an Ethernet header get one (sender's MAC, to the
                  MAC of the destination address); NS "wire" sends from
                  the switch's port towards lin
  sync  N         an echo request srv -> lin with identifier N, then one
                  lin -> srv, each waited for on the witness interface that
                  sees it (wit0 in lin for ingress, p-lin in sw for egress),
                  so that everything sent before is behind it in both
                  captures

Sockets are opened inside the namespaces (setns(2) through ctypes: Python
3.11 has no os.setns); nothing is sent anywhere else. Usage:
  send.py PREFIX   (namespaces /run/netns/PREFIX-{lin,srv,out,sw})
"""
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import time

from scapy.all import (  # noqa: F401 (names used by the table's expressions)
    ARP, GRE, ICMP, IP, IPOption_RR, IPv6, IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Dot1Q, Ether,
    ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_RA,
    ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, Raw,
    TCP, UDP, fragment, conf)

conf.verb = 0
PREFIX = sys.argv[1]
CLONE_NEWNET = 0x40000000
LIBC = ctypes.CDLL(None, use_errno=True)

LIN4, SRV4, OUT4 = "192.0.2.31", "192.0.2.10", "203.0.113.66"
LIN6, SRV6, OUT6 = "2001:db8:a::31", "2001:db8:a::10", "2001:db8:c::66"
LINMAC, SRVMAC, OUTMAC = "02:00:00:00:00:31", "02:00:00:00:00:10", "02:00:00:00:00:66"
MACS = {LIN4: LINMAC, LIN6: LINMAC, SRV4: SRVMAC, SRV6: SRVMAC,
        OUT4: OUTMAC, OUT6: OUTMAC}
SENDER_MAC = {"lin": LINMAC, "srv": SRVMAC, "out": OUTMAC}
# The long-lived connection srv:41022 -> lin:22 that attack.sh keeps open.
TRACKED_SPORT = 41022


def enter(ns):
    fd = os.open(f"/run/netns/{PREFIX}-{ns}", os.O_RDONLY)
    try:
        if LIBC.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
    finally:
        os.close(fd)


_socks = {}


def l2sock(ns, iface="eth0", qdisc_bypass=False):
    key = (ns, iface, qdisc_bypass)
    if key not in _socks:
        enter(ns)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        if qdisc_bypass:
            s.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS
        s.bind((iface, 0))
        s.setblocking(False)
        _socks[key] = s
    return _socks[key]


def with_ether(ns, pkt):
    if isinstance(pkt, Ether):
        return pkt
    dst = getattr(pkt, "dst", None)
    return Ether(src=SENDER_MAC[ns], dst=MACS.get(dst, "ff:ff:ff:ff:ff:ff")) / pkt


def qdisc_bypass(pkt):
    """Send from lin with PACKET_QDISC_BYPASS: the frame skips the qdisc
    layer, and with it TC egress (docs/security.md). portcullis' setsockopt
    guard refuses the option (EPERM): then nothing goes out this way."""
    try:
        s = l2sock("lin", qdisc_bypass=True)
    except PermissionError:
        return []
    s.send(bytes(with_ether("lin", pkt)))
    return []


# --- hand-made fragments and headers (the table names them) ---

def _pieces(chain, pieces):
    """pieces: [(offset in 8-byte units, data, more fragments)]; data is
    bytes, a byte count taken from chain at the offset, or None for the
    rest of chain."""
    for off, data, mf in pieces:
        if data is None:
            data = chain[off * 8:]
        elif isinstance(data, int):
            data = chain[off * 8:off * 8 + data]
        yield off, data, mf


_frag_id = [0x4200]


def next_frag_id():
    """Each datagram its own identifier: fragments are matched by it."""
    _frag_id[0] += 1
    return _frag_id[0]


def frags4(src, dst, proto, chain, pieces):
    """IPv4 fragments of one datagram whose payload is chain (bytes)."""
    ident = next_frag_id()
    return [IP(src=src, dst=dst, id=ident, proto=proto, frag=off,
               flags="MF" if mf else 0) / Raw(data)
            for off, data, mf in _pieces(chain, pieces)]


def frags6(src, dst, nh, chain, pieces):
    """IPv6 fragments of one datagram: chain is the fragmentable part,
    nh its first next-header value."""
    ident = next_frag_id()
    return [IPv6(src=src, dst=dst) /
            IPv6ExtHdrFragment(nh=nh, offset=off, m=int(mf), id=ident) /
            Raw(data)
            for off, data, mf in _pieces(chain, pieces)]


def tcp_bytes(src, dst, sport, dport, flags="S", payload=b""):
    """A TCP segment with its checksum computed for src/dst."""
    ip = IPv6(src=src, dst=dst) if ":" in src else IP(src=src, dst=dst)
    return bytes((ip / TCP(sport=sport, dport=dport, flags=flags) / payload)[TCP])


def destopt(nh, size):
    """A destination-options header of size bytes (a multiple of 8),
    padded with one PadN option."""
    return bytes([nh, size // 8 - 1, 1, size - 4]) + bytes(size - 4)


def ext_chain(n, last):
    """n destination-options headers in a row, then last."""
    pkt = last
    for _ in range(n):
        pkt = IPv6ExtHdrDestOpt() / pkt
    return pkt


def env():
    names = {k: v for k, v in globals().items() if not k.startswith("_")}
    return names


def send(ns, expr):
    pkts = eval(expr, env())  # the table is ours: tests/attack/cases.txt
    if not isinstance(pkts, list):
        pkts = [pkts]
    # "wire": straight onto lin's link from the switch side, for frames a
    # bridge would not forward (an Ethernet multicast source).
    s = l2sock("sw", "p-lin") if ns == "wire" else l2sock(ns)
    refused = 0
    for p in pkts:
        try:
            s.send(bytes(with_ether(ns, p)))
        except OSError as e:  # ENOBUFS: dropped by the sender's TC egress
            if e.errno != errno.ENOBUFS:
                raise
            refused += 1
    return f"{len(pkts)} sent" + (f", {refused} refused at egress" if refused else "")


def drain(s):
    while True:
        try:
            s.recv(65535)
        except BlockingIOError:
            return


def wait_echo(s, ident, src, deadline):
    """True when an IPv4 echo request from src with identifier ident is
    read (the witness sees both ways: the source tells them apart)."""
    want = socket.inet_aton(src)
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        try:
            f = s.recv(65535)
        except BlockingIOError:
            continue
        if len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 1 and \
                f[26:30] == want:
            ihl = (f[14] & 15) * 4
            icmp = 14 + ihl
            if len(f) >= icmp + 8 and f[icmp] == 8 and \
                    struct.unpack("!H", f[icmp + 4:icmp + 6])[0] == ident:
                return True
    return False


def sync(n):
    ident = 0x5000 + n % 0x1000
    wit_in = l2sock("lin", "wit0")
    wit_out = l2sock("sw", "p-lin")
    # Two identifiers: one echo exchange per direction (the same one
    # both ways would make the second reply look unsolicited).
    for src_ns, frm, to, wit, ident in (("srv", SRV4, LIN4, wit_in, ident),
                                        ("lin", LIN4, SRV4, wit_out, ident + 0x1000)):
        pkt = IP(src=frm, dst=to) / ICMP(id=ident, seq=n & 0xffff) / b"sync"
        l2sock(src_ns).send(bytes(with_ether(src_ns, pkt)))
        if not wait_echo(wit, ident, frm, time.monotonic() + 3):
            return f"error sync {n}: the echo {frm} -> {to} was not seen"
    return "ok"


def main():
    for line in sys.stdin:
        f = line.rstrip("\n").split("\t")
        try:
            if f[0] == "send":
                ans = f"ok {send(f[1], f[2])}"
            elif f[0] == "sync":
                ans = sync(int(f[1]))
            elif f[0] == "drain":
                for k, s in _socks.items():
                    if k[1] != "eth0":
                        drain(s)
                ans = "ok"
            else:
                ans = f"error unknown command {f[0]}"
        except Exception as e:  # reported, the run goes on
            ans = f"error {type(e).__name__}: {e}".replace("\n", " ")
        print(ans, flush=True)


if __name__ == "__main__":
    main()
