#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Sends one UDP datagram to any port, port 0 included (the kernel's UDP
sockets refuse destination port 0, and Wake-on-LAN rows A-2.9/A-2.10 use it).
usage: rawudp.py DST DPORT [SPORT] [PAYLOAD]"""
import socket
import struct
import sys

dst, dport = sys.argv[1], int(sys.argv[2])
sport = int(sys.argv[3]) if len(sys.argv) > 3 else 40009
payload = (sys.argv[4] if len(sys.argv) > 4 else "magic").encode()
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
# Checksum 0: "none" for IPv4; IPv6 requires one, so the kernel fills it.
if family == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, 7, 6)  # IPV6_CHECKSUM at offset 6
header = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
s.sendto(header + payload, (dst, 0))
