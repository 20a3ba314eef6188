#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Gateway mode with real traffic: a gateway namespace routes between the
# management segment and a routed appliance segment, and bridges a third
# segment whose two appliances talk through its ports. portcullis runs
# only on the gateway (attach --gateway), first with XDP ingress, then
# with --ingress tc; the same cases run in both.
#
#   $ID-a: mgr 192.0.2.10,        $ID-gw (portcullis --gateway; 192.0.2.99
#                                  too, an address its site entry omits)
#          (and 2001:db8:a::/64, 2001:db8:b::/64 beside a0, b0)
#          cli 192.0.2.20  ---a0--[a0 192.0.2.1    ]
#                                 [b0 198.51.100.1 ]--b0--- $ID-b: bmc 198.51.100.41
#                                 [br0 203.0.113.1 ]
#                                 [ p1   p2        ]
#                                   |     |
#                     $ID-c1: svp 203.0.113.40   $ID-c2: bmc2 203.0.113.41
#
# Every check is one TAP line; traffic is judged by a token echoed back
# over the connection and by the counters, never by timing.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
ID=pcg$$-$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
BPFFS=$TMP/bpffs
PINS=$BPFFS/portcullis
SITE=$TMP/site.yaml
NSS="a b c1 c2 gw"

# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
# shellcheck source=tests/lib/wait.sh
. "$ROOT/tests/lib/wait.sh"
# shellcheck source=tests/lib/cgroup.sh
. "$ROOT/tests/lib/cgroup.sh"
# shellcheck source=tests/lib/netns.sh
. "$ROOT/tests/lib/netns.sh"

in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ID-$ns" "$@"; }
bg_ns() { local ns=$1; shift; (exec nsenter --net="/run/netns/$ID-$ns" "$@" </dev/null >/dev/null 2>>"$TMP/bg.log") & }
pc() { in_ns gw "$PC" "$@" --pin-root "$PINS"; }

cleanup() {
	trap - EXIT INT TERM HUP
	disown -a
	[ -d "$PINS" ] && pc -q detach --all >/dev/null 2>&1
	cgroup_remove
	for ns in $NSS; do netns_remove "$ID-$ns"; done
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

setup() {
	mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS" || return 1
	cgroup_make "$ID" || return 1
	for ns in $NSS; do ip netns add "$ID-$ns" || return 1; done
	ip -n "$ID-gw" link add a0 type veth peer name eth0 netns "$ID-a" &&
	ip -n "$ID-gw" link add b0 type veth peer name eth0 netns "$ID-b" &&
	ip -n "$ID-gw" link add p1 type veth peer name eth0 netns "$ID-c1" &&
	ip -n "$ID-gw" link add p2 type veth peer name eth0 netns "$ID-c2" &&
	ip -n "$ID-gw" link add br0 type bridge &&
	ip -n "$ID-gw" link set p1 master br0 && ip -n "$ID-gw" link set p2 master br0 &&
	ip -n "$ID-gw" addr add 192.0.2.1/24 dev a0 &&
	ip -n "$ID-gw" addr add 192.0.2.99/24 dev a0 &&
	ip -n "$ID-gw" addr add 198.51.100.1/24 dev b0 &&
	ip -n "$ID-gw" addr add 203.0.113.1/24 dev br0 &&
	ip -n "$ID-a" addr add 192.0.2.10/24 dev eth0 &&
	ip -n "$ID-a" addr add 192.0.2.20/24 dev eth0 &&
	ip -n "$ID-b" addr add 198.51.100.41/24 dev eth0 &&
	ip -n "$ID-c1" addr add 203.0.113.40/24 dev eth0 &&
	ip -n "$ID-c2" addr add 203.0.113.41/24 dev eth0 || return 1
	ip -n "$ID-gw" addr add 2001:db8:a::1/64 dev a0 nodad &&
	ip -n "$ID-gw" addr add 2001:db8:b::1/64 dev b0 nodad &&
	ip -n "$ID-a" addr add 2001:db8:a::10/64 dev eth0 nodad &&
	ip -n "$ID-a" addr add 2001:db8:a::20/64 dev eth0 nodad &&
	ip -n "$ID-b" addr add 2001:db8:b::41/64 dev eth0 nodad || return 1
	for ns in $NSS; do
		for i in $(ip -n "$ID-$ns" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
			ip -n "$ID-$ns" link set "$i" up || return 1
		done
	done
	ip -n "$ID-a" route add default via 192.0.2.1 &&
	ip -n "$ID-b" route add default via 198.51.100.1 &&
	ip -n "$ID-c1" route add default via 203.0.113.1 &&
	ip -n "$ID-c2" route add default via 203.0.113.1 &&
	ip -n "$ID-a" -6 route add default via 2001:db8:a::1 &&
	ip -n "$ID-b" -6 route add default via 2001:db8:b::1 &&
	in_ns gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || return 1
	# Routes and neighbours settled (IPv6 ones take a moment): every
	# segment answers across the gateway before anything is judged.
	for a in 198.51.100.41 203.0.113.40 203.0.113.41 2001:db8:b::41; do
		wait_until 10 in_ns a ping -c1 -W1 "$a" || return 1
	done
	cat >"$SITE" <<EOT
site: gateway-test
kinds: [router]
hosts:
  - {name: mgr, kinds: [management-server], addresses: [192.0.2.10, "2001:db8:a::10"]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20, "2001:db8:a::20"]}
  - {name: bmc, kinds: [bmc], gateway: gw, addresses: [198.51.100.41, "2001:db8:b::41"]}
  - {name: svp, kinds: [svp], gateway: gw, addresses: [203.0.113.40]}
  - {name: bmc2, kinds: [bmc], gateway: gw, addresses: [203.0.113.41]}
  - {name: gw, kinds: [router],
     addresses: [192.0.2.1, 198.51.100.1, 203.0.113.1, "2001:db8:a::1", "2001:db8:b::1"]}
segments: [192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24]
flows:
  - id: site-gw-ssh
    purpose: management of the gateway
    protocols: [tcp]
    initiator: { kinds: [management-client], port: auto }
    responder: { hosts: [gw], port: 22 }
EOT
}

# socat's spelling of an address: IPv6 in brackets.
br() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }
tcp() { case $1 in *:*) echo TCP6 ;; *) echo TCP4 ;; esac; }
# TCP from FROM-NS (bound to SRC) to DST:PORT in TO-NS: a token echoed back.
tcp_ok() { # FROM-NS SRC TO-NS DST PORT
	local tok="t$RANDOM" l out
	bg_ns "$3" socat -T3 -t3 "$(tcp "$4")-LISTEN:$5,bind=$(br "$4"),reuseaddr" EXEC:cat
	l=$!
	wait_socket "$ID-$3" tcp "$4" "$5" || { kill "$l"; wait "$l"; return 2; }
	out=$(echo "$tok" | in_ns "$1" timeout 5 socat -T2 -t2 - \
		"$(tcp "$4"):$(br "$4"):$5,bind=$(br "$2"),connect-timeout=2" 2>/dev/null)
	kill "$l" 2>/dev/null; wait "$l" 2>/dev/null
	[ "$out" = "$tok" ]
}
tcp_blocked() { tcp_ok "$@"; [ $? = 1 ]; }
# UDP from FROM-NS SRC:SPORT to DST:PORT, answered by the receiver.
udp_ok() { # FROM-NS SRC SPORT TO-NS DST PORT
	local tok="u$RANDOM" l out
	bg_ns "$4" socat -T3 "UDP-LISTEN:$6,bind=$5,reuseaddr" EXEC:cat
	l=$!
	wait_socket "$ID-$4" udp "$5" "$6" || { kill "$l"; wait "$l"; return 2; }
	out=$(echo "$tok" | in_ns "$1" timeout 3 socat -T2 - "UDP:$5:$6,bind=$2:$3" 2>/dev/null)
	kill "$l" 2>/dev/null; wait "$l" 2>/dev/null
	[ "$out" = "$tok" ]
}
packets() { pc stats -j --all | jq -r --arg p "$1" --arg d "$2" \
	'[.paths[] | select(.path == $p and .direction == $d) | .packets] | add // 0'; }
drops() { pc stats -j --all | jq -r --arg r "$1" --arg d "${2:-ingress}" \
	'[.drops[] | select(.reason == $r and .direction == $d) | .packets] | add // 0'; }
# One UDP datagram the gateway itself sends from SRC (through TC egress
# before sendto returns).
gw_send() { echo x | in_ns gw socat -u - "UDP:$2:$3,bind=$1"; }
more() { [ "$1" -gt "$2" ]; }
# monitored NAME COMMAND...: COMMAND with `monitor -j` reading the event ring
# for up to 8 s or 3 events, into $TMP/NAME.json.
monitored() {
	local name=$1 mon; shift
	(exec nsenter --net="/run/netns/$ID-gw" "$PC" monitor -j --count 3 --seconds 8 \
		--pin-root "$PINS" >"$TMP/$name.json" 2>"$TMP/$name.err") &
	mon=$!
	wait_line "$TMP/$name.err" watching || { kill "$mon"; wait "$mon"; return 1; }
	"$@"
	wait "$mon"
}
# events NAME DESTINATION DIRECTION: the monitor saw drops to DESTINATION,
# every one in DIRECTION.
events() { jq -e -s --arg d "$2" --arg dir "$3" \
	'[.[] | select(.destination == $d)] | length > 0 and all(.direction == $dir)' "$TMP/$1.json"; }
gateway_status() { pc status -j | jq -e '.gateway == true'; }

run_cases() { # MODE
	local m=$1 before
	check "$m: routed: mgr to bmc's web (A-2.5)" tcp_ok a 192.0.2.10 b 198.51.100.41 443
	check "$m: routed: cli to bmc's console (A-5.4)" tcp_ok a 192.0.2.20 b 198.51.100.41 443
	before=$(drops wrong-peer forward)
	check "$m: routed: cli to bmc's ssh is stopped" \
		monitored fwd tcp_blocked a 192.0.2.20 b 198.51.100.41 22
	check "$m: ... counted as wrong-peer, direction forward" more "$(drops wrong-peer forward)" "$before"
	check "$m: ... monitor shows it as forward, not as the gateway's ingress" \
		events fwd 198.51.100.41:22 forward
	before=$(drops no-rule forward)
	check "$m: routed: mgr to bmc's telnet is stopped" tcp_blocked a 192.0.2.10 b 198.51.100.41 23
	check "$m: ... counted as no-rule, direction forward" more "$(drops no-rule forward)" "$before"
	check "$m: IPv6 routed: mgr to bmc's web (A-2.5)" tcp_ok a 2001:db8:a::10 b 2001:db8:b::41 443
	check "$m: IPv6 routed: cli to bmc's ssh is stopped" tcp_blocked a 2001:db8:a::20 b 2001:db8:b::41 22
	check "$m: routed: bmc's RMCP to mgr and its answer (A-2.7)" udp_ok b 198.51.100.41 623 a 192.0.2.10 50623
	check "$m: routed into the bridge: mgr to bmc2's web" tcp_ok a 192.0.2.10 c2 203.0.113.41 443
	check "$m: routed into the bridge: cli to svp's console (A-5.2)" tcp_ok a 192.0.2.20 c1 203.0.113.40 443
	before=$(drops wrong-peer forward)
	check "$m: bridged: svp to bmc2's web is stopped at the bridge port" \
		tcp_blocked c1 203.0.113.40 c2 203.0.113.41 443
	check "$m: ... counted as wrong-peer, direction forward" more "$(drops wrong-peer forward)" "$before"
	check "$m: bridged: bmc2 to svp's ssh is stopped" tcp_blocked c2 203.0.113.41 c1 203.0.113.40 22
	check "$m: own: cli to the gateway's ssh (its host rules)" tcp_ok a 192.0.2.20 gw 192.0.2.1 22
	before=$(drops wrong-peer)
	check "$m: own: mgr to the gateway's ssh is stopped" \
		monitored own tcp_blocked a 192.0.2.10 gw 192.0.2.1 22
	check "$m: ... counted as wrong-peer on ingress" more "$(drops wrong-peer)" "$before"
	check "$m: ... monitor shows it on ingress" events own 192.0.2.1:22 ingress
	before=$(drops no-rule egress)
	check "$m: own, from an address its entry does not list: judged by its host rules" \
		gw_send 192.0.2.99 198.51.100.41 623
	check "$m: ... dropped at egress as no-rule" more "$(drops no-rule egress)" "$before"
	check "$m: counters: A-2.5 in direction forward" more "$(packets A-2.5-ssl-svp-bmc forward)" 0
	check "$m: counters: forwarded packets are not the gateway's own ingress" \
		test "$(packets A-2.5-ssl-svp-bmc ingress)" = 0
	check "$m: counters: the gateway's ssh both ways" \
		more "$(( $(packets site-gw-ssh ingress) * $(packets site-gw-ssh egress) ))" 0
	check "$m: counters: forwarded packets are not counted again on egress" \
		test "$(packets A-2.5-ssl-svp-bmc egress)" = 0
}

if ! setup; then
	tap FAIL "set up the namespaces"
	tap_end
	exit
fi
check "check: bmc is protected by gateway gw" \
	sh -c "'$PC' check -c '$SITE' | grep -q '^bmc .*gateway gw\$'"
check "explain --gateway: cli to bmc's console passes on A-5.4" \
	sh -c "'$PC' explain -c '$SITE' --gateway --host gw -j --packet 'tcp 192.0.2.20:40000 > 198.51.100.41:443' |
		jq -e '.verdict == \"pass\" and .path == \"A-5.4-bmc-console-https\"'"
check "explain --gateway: cli to bmc's ssh is dropped as wrong-peer" \
	sh -c "'$PC' explain -c '$SITE' --gateway --host gw -j --packet 'tcp 192.0.2.20:40000 > 198.51.100.41:22' |
		jq -e '.verdict == \"drop\" and .reason == \"wrong-peer\"'"
# The controls: without portcullis the probes below connect.
check "no filter yet: cli reaches bmc's ssh" tcp_ok a 192.0.2.20 b 198.51.100.41 22
check "no filter yet: cli reaches bmc's ssh over IPv6" tcp_ok a 2001:db8:a::20 b 2001:db8:b::41 22
check "no filter yet: svp reaches bmc2's web across the bridge" tcp_ok c1 203.0.113.40 c2 203.0.113.41 443
# A gateway whose own rules have no peer would lock itself out: refused.
grep -v "site-gw-ssh\|purpose: management of\|protocols: \[tcp\]\|initiator: { kinds: \[management-client\]\|responder: { hosts: \[gw\]\|^flows:" \
	"$SITE" >"$TMP/no-own.yaml"
refused_no_peer() { ! pc attach --gateway -c "$TMP/no-own.yaml" --cgroup "$CGROUP" a0 2>"$TMP/err" &&
	grep -q "no peer at all" "$TMP/err"; }
check "attach --gateway refuses a gateway nobody can reach" refused_no_peer
check "attach --gateway (XDP) on the routed ports and the bridge ports" \
	pc attach --gateway -c "$SITE" --cgroup "$CGROUP" a0 b0 p1 p2
run_cases xdp
check "status says gateway mode" gateway_status
check "reload keeps gateway mode" pc reload
check "... status still says so" gateway_status
run_cases xdp-reloaded
check "detach" pc detach --all
check "attach --gateway --ingress tc" \
	pc attach --gateway --ingress tc -c "$SITE" --cgroup "$CGROUP" a0 b0 p1 p2
run_cases tc
tap_end
