#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# docs/site.schema.json against portcullis itself: every example and test
# site is valid for both, and each bad site below is refused by both (so
# an editor using the schema and `portcullis check` agree). Prints TAP.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
PC=${PC:-$BUILD/portcullis}
SCHEMA=docs/site.schema.json
VALIDATE="/usr/bin/python3 tests/cli/schema_validate.py $SCHEMA"
# shellcheck source=tests/cli/tap.sh
. tests/cli/tap.sh

# agree NAME WANT FILE: WANT is valid or invalid, for the schema and check.
agree() {
	local name=$1 want=$2 file=$3 s c
	if $VALIDATE "$file" >"$work/schema.out" 2>&1; then s=valid; else s=invalid; fi
	if "$PC" -q check -c "$file" >"$work/check.out" 2>&1; then c=valid; else c=invalid; fi
	if [ "$s" = "$want" ] && [ "$c" = "$want" ]; then
		ok "$name: $want for the schema and for check"
	else
		notok "$name: want $want; schema says $s, check says $c" \
			"$(head -2 "$work/schema.out")" "$(head -2 "$work/check.out")"
	fi
}

# Every site file the project ships or tests with.
for f in $(ls policy/examples/*.yaml tests/*/*site*.yaml 2>/dev/null | sort -u); do
	[ -f "$f" ] || continue
	agree "$f" valid "$f"
done

# name | site text. Each must be refused by both.
bad_cases=(
	"unknown top-level key|hostz: []"
	"host without addresses|hosts: [{name: a, kinds: [linux]}]"
	"host with an empty kind list|hosts: [{name: a, kinds: [], addresses: [192.0.2.1]}]"
	"unknown os|hosts: [{name: a, kinds: [linux], os: plan9, addresses: [192.0.2.1]}]"
	"segment narrower than /30|segments: [192.0.2.0/31]"
	"port out of range|parameters: {hcsm-http-port: 70000}"
	"mode that does not exist|settings: {mode: permissive}"
	"misspelt setting|settings: {mdoe: audit}"
	"conntrack timeout of zero|settings: {conntrack: {udp: 0}}"
	"flow without protocols|flows: [{id: s1, purpose: x, initiator: {kinds: [linux], port: auto}, responder: {kinds: [linux], port: 9}}]"
	"flow with a bad protocol|flows: [{id: s1, purpose: x, protocols: [sctp], initiator: {kinds: [linux], port: auto}, responder: {kinds: [management-server], port: 9}}]"
	"flow id with a space|flows: [{id: 's 1', purpose: x, protocols: [tcp], initiator: {kinds: [linux], port: auto}, responder: {kinds: [management-server], port: 9}}]"
	"unknown part|parts: {frobnicator: on}"
	"router that is not link-local|routers: [\"2001:db8::1\"]"
	"ipv6-ra value that does not exist|settings: {ipv6-ra: some}"
	"raw-socket-bypass value that does not exist|settings: {raw-socket-bypass: on}"
	"conntrack table below 1024|settings: {conntrack: {max-connections: 100}}"
)
i=0
for c in "${bad_cases[@]}"; do
	i=$((i + 1))
	printf '%s\n' "${c#*|}" >"$work/bad$i.yaml"
	agree "${c%%|*}" invalid "$work/bad$i.yaml"
done

# RA Guard, table size and the fallback keyword are valid for both.
printf 'routers: ["fe80::1"]\nsettings:\n  ipv6-ra: site-routers\n  raw-socket-bypass: refuse\n  conntrack: {max-connections: 4096}\n' >"$work/ra.yaml"
agree "routers, ipv6-ra and max-connections" valid "$work/ra.yaml"
# The fallback keyword and both-ports lists are valid for both.
printf 'parameters:\n  ftsvc-port: fallback\n  bkressvc-port-26503: [default, fallback]\n' >"$work/fb.yaml"
agree "parameters set to default and fallback" valid "$work/fb.yaml"

echo "1..$n"
[ "$fails" -eq 0 ]
