#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A walk through the policy commands on the example site: what a Linux
# managed host allows, and the verdict on documented and undocumented packets.
set -eu
PC=${PC:-build/portcullis}
SITE=policy/examples/site.yaml

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$PC" check -c "$SITE"
step "$PC" explain -c "$SITE" --host web01
for pkt in \
	'tcp 192.0.2.10:40000 > 198.51.100.11:22' \
	'tcp 192.0.2.70:40000 > 198.51.100.11:22' \
	'tcp 192.0.2.10:40000 > 198.51.100.11:2222' \
	'udp 198.51.100.11:40000 > 192.0.2.10:22601'; do
	step "$PC" explain -c "$SITE" --host web01 --packet "$pkt"
done
