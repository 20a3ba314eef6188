#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The nftables export for real: `portcullis export --nft` for host srv of
# the lab site, loaded with `nft -f` in srv's namespace; documented flows
# pass, undocumented ones do not; then the same ruleset is a second,
# independent judge of random and crafted packets next to the reference
# classifier (build/tools/export_diff): both must agree on every packet.
#
#   netns <id>-peer                              netns <id>-srv
#   +-----------------------------------+        +------------------------------+
#   | 192.0.2.20  2001:db8:a::20  (cli) |        | 192.0.2.10/24                |
#   | 192.0.2.31  2001:db8:a::31  (lin) |        | 2001:db8:a::10/64            |
#   | 192.0.2.99  2001:db8:a::99 (none) |        | nft: table inet portcullis   |
#   | 192.0.2.1   2001:db8:a::1 (router)|        | (export --nft --host srv)    |
#   |                              eth0 =+========+= eth0                        |
#   +-----------------------------------+        +------------------------------+
#
# Prints TAP. Only documentation addresses; only namespaces it created;
# everything is removed on every exit path. Needs root and nft.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
PC=$PWD/$BUILD/portcullis
DIFF=$PWD/$BUILD/tools/export_diff
SITE=tests/lab/site.yaml
PACKETS=${EXPORT_DIFF_PACKETS:-100000}

ID=pcx-$$-$RANDOM
NS_S=$ID-srv
NS_P=$ID-peer
TMP=$(mktemp -d /tmp/portcullis-export.XXXXXX)
PIDS=""
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@" >"$TMP/out" 2>&1; then ok "$d"; else notok "$d"; tail -5 "$TMP/out" | sed 's/^/#   /'; fi
}
check_not() {
	local d=$1; shift
	if "$@" >"$TMP/out" 2>&1; then notok "$d"; sed 's/^/#   /' "$TMP/out" | head -3; else ok "$d"; fi
}

in_s() { nsenter --net=/run/netns/"$NS_S" "$@"; }
in_p() { nsenter --net=/run/netns/"$NS_P" "$@"; }

cleanup() {
	set +e
	trap - EXIT
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for ns in "$NS_S" "$NS_P"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! command -v socat >/dev/null; then
	echo "1..0 # SKIP needs root, nft and socat"
	exit 0
fi

ip netns add "$NS_S"
ip netns add "$NS_P"
ip -n "$NS_S" link add eth0 type veth peer name eth0 netns "$NS_P"
ip -n "$NS_S" addr add 192.0.2.10/24 dev eth0
ip -n "$NS_S" addr add 2001:db8:a::10/64 dev eth0 nodad
for a in 20 31 99 1; do
	ip -n "$NS_P" addr add "192.0.2.$a/24" dev eth0
	ip -n "$NS_P" addr add "2001:db8:a::$a/64" dev eth0 nodad
done
for ns in "$NS_S" "$NS_P"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done
# A gateway nobody holds: packets off the segment (egress probes, replies
# to spoofed sources) leave srv and die unanswered, never come back as
# ICMP errors that would land on srv's counters.
ip -n "$NS_S" route add default via 192.0.2.253
ip -n "$NS_S" -6 route add default via 2001:db8:a::fd
# Sources from other segments come in over eth0 too (the differential
# test sends them): no reverse-path filter.
in_s sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf.eth0.rp_filter=0

"$PC" export --nft -c "$SITE" --host srv >"$TMP/srv.nft"
# A table of someone else's must survive the load, twice.
in_s nft add table inet other
check "nft -f loads the export in srv's namespace" in_s nft -f "$TMP/srv.nft"
check "a second load replaces it (no duplicate table)" in_s nft -f "$TMP/srv.nft"
check "another table is left alone" in_s nft list table inet other
check "policy drop on input and output" \
	bash -c "[ \"\$(nsenter --net=/run/netns/$NS_S nft -j list ruleset | jq '[.nftables[] | .chain? | select(.table == \"portcullis\" and .policy == \"drop\")] | length')\" = 2 ]"

# Servers: srv's GUI (22015) and an undocumented port (22), both families;
# the SNMP trap receiver (udp 162) on srv; an ssh server on lin and cli.
serve_tcp() { # NS PORT
	nsenter --net=/run/netns/"$1" socat TCP6-LISTEN:"$2",ipv6only=0,reuseaddr,fork SYSTEM:'echo ok' \
		>/dev/null 2>&1 &
	PIDS="$PIDS $!"
}
serve_tcp "$NS_S" 22015
serve_tcp "$NS_S" 22
serve_tcp "$NS_P" 22
in_s socat -u UDP6-RECV:162,ipv6only=0 OPEN:"$TMP/traps",creat,append >/dev/null 2>&1 &
PIDS="$PIDS $!"
for port in 22015 22; do
	for t in $(seq 50); do in_s ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
done

connect() { # NS FROM TO PORT [SRCPORT]: reads "ok" from a TCP server
	local bind=$2
	[ -n "${5:-}" ] && bind="$2:$5"
	case $3 in *:*) bind="[${2}]${5:+:$5}"; [ -z "${5:-}" ] && bind="[$2]" ;; esac
	nsenter --net=/run/netns/"$1" timeout 5 socat -T2 - \
		"TCP:$3:$4,bind=$bind,connect-timeout=2" </dev/null | grep -qx ok
}
trap_from() { # FROM [SRCPORT]: an SNMP trap datagram from FROM to srv
	local to=192.0.2.10
	case $1 in *:*) to=[2001:db8:a::10] ;; esac
	echo "trap-from-$1" | in_p socat -u - "UDP:$to:162,bind=$(case $1 in *:*) echo "[$1]";; *) echo "$1";; esac):${2:-40000}"
}

# Documented: the GUI from the management client, IPv4 and IPv6.
check "cli -> srv:22015 tcp (A-1.1) passes" connect "$NS_P" 192.0.2.20 192.0.2.10 22015
check "cli -> srv:22015 tcp over IPv6 passes" connect "$NS_P" 2001:db8:a::20 "[2001:db8:a::10]" 22015
# Undocumented: a stranger, a wrong port, a source port below the range.
check_not "stranger 192.0.2.99 -> srv:22015 is dropped" connect "$NS_P" 192.0.2.99 192.0.2.10 22015
check_not "stranger 2001:db8:a::99 -> srv:22015 is dropped" connect "$NS_P" 2001:db8:a::99 "[2001:db8:a::10]" 22015
check_not "cli -> srv:22 (no such flow) is dropped" connect "$NS_P" 192.0.2.20 192.0.2.10 22
check_not "cli -> srv:22015 from port 1000 (< 1024) is dropped" connect "$NS_P" 192.0.2.20 192.0.2.10 22015 1000
# srv as initiator: ssh to a Linux host, not to the client.
check "srv -> lin:22 tcp (A-2.3) passes" connect "$NS_S" 192.0.2.10 192.0.2.31 22
check "srv -> lin:22 over IPv6 passes" connect "$NS_S" 2001:db8:a::10 "[2001:db8:a::31]" 22
check_not "srv -> cli:22 is dropped" connect "$NS_S" 192.0.2.10 192.0.2.20 22
# UDP: SNMP traps from managed hosts reach srv, others' do not.
trap_from 192.0.2.31 40000
trap_from 2001:db8:a::31 40001
trap_from 192.0.2.99 40002
trap_from 192.0.2.31 161
for t in $(seq 30); do [ "$(wc -l <"$TMP/traps" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
sleep 0.3 # a datagram that was let through by mistake has arrived by now
check "lin -> srv:162 udp (A-2.12) arrives" grep -qx "trap-from-192.0.2.31" "$TMP/traps"
check "lin -> srv:162 udp over IPv6 arrives" grep -qx "trap-from-2001:db8:a::31" "$TMP/traps"
check_not "stranger -> srv:162 udp does not arrive" grep -q "trap-from-192.0.2.99" "$TMP/traps"
check "lin -> srv:162 from port 161 does not arrive (one datagram of lin only)" \
	test "$(grep -c "trap-from-192.0.2.31" "$TMP/traps")" -eq 1
check_not "srv -> cli:162 udp is refused at srv (EPERM)" \
	in_s socat -u - "UDP:192.0.2.20:162" <<<"x"
# Echo with documented peers (settings: icmp-echo on by default).
check "cli pings srv" in_p ping -c1 -W2 -I 192.0.2.20 192.0.2.10
check_not "the stranger's ping is dropped" in_p ping -c1 -W1 -I 192.0.2.99 192.0.2.10
# The counters of the paths moved.
counter() { in_s nft -j list counter inet portcullis "$1" | jq '.nftables[1].counter.packets'; }
check "counter in_A-1.1-http-gui counted both connections" test "$(counter in_A-1.1-http-gui)" -ge 2
check "counter in_A-2.12-snmp-trap counted lin's traps" test "$(counter in_A-2.12-snmp-trap)" -ge 2
check "counter out_A-2.3-ssh-linux counted srv's ssh" test "$(counter out_A-2.3-ssh-linux)" -ge 2
check "counter dropped_in counted the strangers" test "$(counter dropped_in)" -ge 3

# The differential test: no servers, so no connection but the packets'.
for p in $PIDS; do kill "$p" 2>/dev/null; done
PIDS=""
in_s nft -f "$TMP/srv.nft" # fresh counters
if [ -n "${EXPORT_DEBUG:-}" ]; then # EXPORT_DEBUG=FILE: trace what is dropped
	h=$(in_s nft -a list chain inet portcullis input | awk '/counter name "?dropped_in"? drop # handle/ && !/invalid/ {print $NF}')
	in_s nft insert rule inet portcullis input position "$h" meta nftrace set 1
	in_s nft insert rule inet portcullis input ct state invalid meta nftrace set 1
	in_s nft monitor trace >"$EXPORT_DEBUG" 2>&1 &
	PIDS="$PIDS $!"
	sleep 0.3
fi
if "$DIFF" -c "$SITE" --host srv --host-ns /run/netns/"$NS_S" --peer-ns /run/netns/"$NS_P" \
	--ingress "$PACKETS" --egress $((PACKETS / 5)) --seed "${EXPORT_DIFF_SEED:-1}" >"$TMP/diff" 2>&1; then
	ok "nft and the reference classifier agree: $(tail -1 "$TMP/diff")"
else
	notok "nft and the reference classifier disagree: $(tail -1 "$TMP/diff")"
	grep '^#' "$TMP/diff" | head -20
fi
grep -E '^# (ingress|egress):' "$TMP/diff"

# The judge must see a wrong ruleset: a port moved by one, the limited
# broadcast taken for unicast, the GUI's IPv6 peer widened to its /64.
mutants=(
	's/tcp dport 22015 tcp sport 1024-65535/tcp dport 22014 tcp sport 1024-65535/'
	'/ip daddr 255.255.255.255 goto in_bcast/d'
	's/^\(\t*elements = { \)2001:db8:a::20 }/\12001:db8:a::\/64 }/'
)
for m in "${mutants[@]}"; do
	sed "$m" "$TMP/srv.nft" >"$TMP/mutant.nft"
	if cmp -s "$TMP/srv.nft" "$TMP/mutant.nft"; then notok "mutant '$m' changed nothing"; continue; fi
	in_s nft -f "$TMP/mutant.nft"
	if "$DIFF" -c "$SITE" --host srv --host-ns /run/netns/"$NS_S" --peer-ns /run/netns/"$NS_P" \
		--ingress 5000 --egress 1000 --seed 2 >"$TMP/diff" 2>&1; then
		notok "the differential test misses mutant '$m': $(tail -1 "$TMP/diff")"
	else
		ok "the differential test sees mutant '$m': $(tail -1 "$TMP/diff")"
	fi
done

echo "1..$n"
[ "$failed" -eq 0 ]
