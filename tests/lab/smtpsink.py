#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The lab's mail server: Debian's aiosmtpd, printing every message it
accepts. It is given its name: left to itself it resolves the machine's
name on every connection, which waits on DNS where /etc/hosts lacks it.
usage: smtpsink.py ADDR PORT"""
import asyncio
import sys

from aiosmtpd.handlers import Debugging
from aiosmtpd.smtp import SMTP


async def serve(addr, port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Debugging(sys.stdout), hostname="smtp.lab.example"),
        addr, port)
    async with server:
        await server.serve_forever()


asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
