# SPDX-License-Identifier: GPL-2.0-only
"""Listeners for tests/attack/attack.sh, IPv4 and IPv6 on each port.

  listen.py LOG tcp:PORT|udp:PORT...

Logs one line per TCP connection accepted or UDP datagram received:
"tcp PORT PEER-ADDRESS PEER-PORT". TCP: answers "ok" to the first data
and keeps the connection open until the peer closes it. UDP: answers "ok".
"""
import selectors
import socket
import sys

log = open(sys.argv[1], "a", buffering=1)
sel = selectors.DefaultSelector()

for spec in sys.argv[2:]:
    proto, port = spec.split(":")
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", int(port)))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    sel.register(s, selectors.EVENT_READ, (proto, int(port), "listen"))


def peer(a):
    host = a[0][7:] if a[0].startswith("::ffff:") else a[0]
    return f"{host} {a[1]}"


print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        proto, port, role = key.data
        try:
            if proto == "udp":
                d, a = s.recvfrom(2048)
                log.write(f"udp {port} {peer(a)}\n")
                s.sendto(b"ok", a)
            elif role == "listen":
                c, a = s.accept()
                log.write(f"tcp {port} {peer(a)}\n")
                sel.register(c, selectors.EVENT_READ, (proto, port, "conn"))
            else:
                d = s.recv(2048)
                if d:
                    s.sendall(b"ok")
                else:
                    sel.unregister(s)
                    s.close()
        except OSError:
            if role == "conn":
                sel.unregister(s)
                s.close()
