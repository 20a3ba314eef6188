# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The lab's network: one namespace per HCSM party, two segments joined by
# a router namespace, and a gateway namespace in front of the parties that
# cannot run portcullis. Sourced by lab.sh; every name starts with $LAB_ID
# so that teardown finds everything, whatever state a failed run left.
#
#          segment A: bridge brA in $LAB_ID-sw
#          192.0.2.0/24, 2001:db8:a::/64
#   +-----+-----+-----+-----+-----+-----+-----+-----+------------+----------+
#   srv   cli   lin   smtp  dm    auth  dhcp  out   router .1     gw .2 (eth0)
#   .10   .20   .31   .50   .51   .52   .53   .99   |             gw "uplink"
#                                                   |             (no address)
#          segment B: bridge brB, 198.51.100.0/24,  |
#          2001:db8:b::/64: lin2 .31 ---- router 198.51.100.1 (eth1)
#
#   gateway namespace gw (portcullis --gateway):
#     bridged: bridge br-a = uplink + p-win + p-hv + p-esx: win .32, hv .33 and
#              esx .34 stay in segment A, every frame to them crosses br-a
#     routed:  eth0 192.0.2.2 <-> bridge br-c 203.0.113.1, 2001:db8:c::1,
#              segment C 203.0.113.0/24, 2001:db8:c::/64 with svp .40,
#              bmc .41, hvm .42 on ports p-svp, p-bmc, p-hvm (so frames
#              between two of them cross the gateway too)
#
# "out" has an address the site does not declare: a host outside the site.

# name  segment  last-octet  plugged-into (sw: the switch; gw: the gateway)
# (IPv6 is 2001:db8:<segment>::<octet>)
LAB_HOSTS="
srv a 10 sw
cli a 20 sw
lin a 31 sw
win a 32 gw
hv a 33 gw
esx a 34 gw
svp c 40 gw
bmc c 41 gw
hvm c 42 gw
smtp a 50 sw
dm a 51 sw
auth a 52 sw
dhcp a 53 sw
out a 99 sw
lin2 b 31 sw
"
# The gateway's addresses: routed uplink in segment A, router of segment C.
LAB_GW_A4=192.0.2.2
LAB_GW_A6=2001:db8:a::2
LAB_GW_C4=203.0.113.1
LAB_GW_C6=2001:db8:c::1
# The gateway's interfaces that portcullis judges: every port a forwarded
# packet can come in on.
LAB_GW_IFACES="eth0 uplink p-win p-hv p-esx p-svp p-bmc p-hvm"

lab_ns() { echo "$LAB_ID-$1"; }
lab_in() { local h=$1; shift; nsenter --net="/run/netns/$(lab_ns "$h")" -- "$@"; }
lab_field() { echo "$LAB_HOSTS" | awk -v h="$1" -v f="$2" '$1 == h { print $f }'; }
lab_ip4() {
	local oct
	[ "$1" = gw ] && { echo "$LAB_GW_A4"; return; }
	oct=$(lab_field "$1" 3)
	case $(lab_field "$1" 2) in
	a) echo "192.0.2.$oct" ;;
	b) echo "198.51.100.$oct" ;;
	c) echo "203.0.113.$oct" ;;
	esac
}
lab_ip6() {
	[ "$1" = gw ] && { echo "$LAB_GW_A6"; return; }
	echo "2001:db8:$(lab_field "$1" 2)::$(lab_field "$1" 3)"
}
# True when host $1 sits behind the gateway (bridged or routed).
lab_behind_gw() { [ "$(lab_field "$1" 4)" = gw ]; }

lab_add_ns() {
	local ns
	ns=$(lab_ns "$1")
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv4.ping_group_range="0 2147483647"
}

# lab_port NS BRIDGE PORT HOST IFACE: a veth from port PORT of bridge
# BRIDGE in namespace NS to interface IFACE of host HOST.
lab_port() {
	local ns=$1 br=$2 port=$3 host=$4 ifc=$5
	ip -n "$ns" link add "$port" type veth peer name "$ifc" netns "$(lab_ns "$host")"
	ip -n "$ns" link set "$port" master "$br" up
	ip -n "$(lab_ns "$host")" link set "$ifc" up
}

# Joins host $1's eth$3 to bridge br$2 of the switch namespace.
lab_plug() { lab_port "$(lab_ns sw)" "br$2" "$1-${3:-0}" "$1" "eth${3:-0}"; }

lab_bridge() { # NS NAME
	ip -n "$1" link add "$2" type bridge
	ip -n "$1" link set "$2" up
}

lab_up() {
	local host seg oct at ns gw4 gw6
	lab_add_ns sw
	for seg in a b; do lab_bridge "$(lab_ns sw)" "br$seg"; done

	lab_add_ns gw
	ns=$(lab_ns gw)
	lab_bridge "$ns" br-a
	lab_bridge "$ns" br-c
	lab_port "$(lab_ns sw)" bra gw-0 gw eth0
	# The bridged segment's uplink: a port of br-a, no address.
	ip -n "$(lab_ns sw)" link add gw-up type veth peer name uplink netns "$ns"
	ip -n "$(lab_ns sw)" link set gw-up master bra up
	ip -n "$ns" link set uplink master br-a up
	ip -n "$ns" addr add "$LAB_GW_A4/24" dev eth0
	ip -n "$ns" addr add "$LAB_GW_A6/64" dev eth0 nodad
	ip -n "$ns" addr add "$LAB_GW_C4/24" dev br-c
	ip -n "$ns" addr add "$LAB_GW_C6/64" dev br-c nodad
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

	while read -r host seg oct at; do
		[ -n "$host" ] || continue
		lab_add_ns "$host"
		case $at:$seg in
		sw:*) lab_plug "$host" "$seg" ;;
		gw:a) lab_port "$(lab_ns gw)" br-a "p-$host" "$host" eth0 ;;
		gw:c) lab_port "$(lab_ns gw)" br-c "p-$host" "$host" eth0 ;;
		esac
		ns=$(lab_ns "$host")
		ip -n "$ns" addr add "$(lab_ip4 "$host")/24" dev eth0
		ip -n "$ns" addr add "$(lab_ip6 "$host")/64" dev eth0 nodad
		case $seg in
		a) gw4=192.0.2.1; gw6=2001:db8:a::1
		   # Segment C is behind the gateway's routed uplink.
		   ip -n "$ns" route add 203.0.113.0/24 via "$LAB_GW_A4"
		   ip -n "$ns" -6 route add 2001:db8:c::/64 via "$LAB_GW_A6" ;;
		b) gw4=198.51.100.1; gw6=2001:db8:b::1 ;;
		c) gw4=$LAB_GW_C4; gw6=$LAB_GW_C6 ;;
		esac
		ip -n "$ns" route add default via "$gw4"
		ip -n "$ns" -6 route add default via "$gw6"
	done <<<"$LAB_HOSTS"
	ip -n "$(lab_ns gw)" route add default via 192.0.2.1
	ip -n "$(lab_ns gw)" -6 route add default via 2001:db8:a::1

	lab_add_ns router
	lab_plug router a 0
	lab_plug router b 1
	ns=$(lab_ns router)
	ip -n "$ns" addr add 192.0.2.1/24 dev eth0
	ip -n "$ns" addr add 2001:db8:a::1/64 dev eth0 nodad
	ip -n "$ns" addr add 198.51.100.1/24 dev eth1
	ip -n "$ns" addr add 2001:db8:b::1/64 dev eth1 nodad
	ip -n "$ns" route add 203.0.113.0/24 via "$LAB_GW_A4"
	ip -n "$ns" -6 route add 2001:db8:c::/64 via "$LAB_GW_A6"
	# Forward, including directed broadcasts into segment B (A-2 note 5).
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.bc_forwarding=1 \
		net.ipv4.conf.eth0.bc_forwarding=1 net.ipv4.conf.eth1.bc_forwarding=1
}

# IPv6 addresses still tentative (DAD not done), as "namespace: address"
# lines. Addresses are added without DAD, but a tentative one would make
# the first IPv6 flows from it fail.
lab_tentative() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_ID-"); do
		ip -n "$ns" -6 -o addr show tentative | awk -v n="$ns" '{ print n ": " $4 }'
	done
}
lab_settled() { [ -z "$(lab_tentative)" ]; }

# Removes every namespace of this lab, and the processes inside them.
lab_down() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_ID-"); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
