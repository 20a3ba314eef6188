# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The lab's network: one namespace per HCSM party, two segments joined by
# a router namespace. Sourced by lab.sh; every name starts with $LAB_ID so
# that teardown finds everything, whatever state a failed run left.
#
#          segment A: bridge brA in $LAB_ID-sw
#          192.0.2.0/24, 2001:db8:a::/64
#   +-----+-----+-----+-----+-----+-- ... --+-----+-----+
#   srv   cli   lin   win   hv    esx svp bmc hvm smtp dm auth dhcp out
#   .10   .20   .31   .32   .33   .34 .40 .41 .42 .50  .51 .52 .53  .99
#                                                          |
#                                               router .1 (eth0)
#                                               router 198.51.100.1 (eth1)
#                                                          |
#          segment B: bridge brB, 198.51.100.0/24, 2001:db8:b::/64
#                                                        lin2 .31
#
# "out" has an address the site does not declare: a host outside the site.

# name  segment  last-octet  (IPv6 is 2001:db8:<segment>::<octet>)
LAB_HOSTS="
srv a 10
cli a 20
lin a 31
win a 32
hv a 33
esx a 34
svp a 40
bmc a 41
hvm a 42
smtp a 50
dm a 51
auth a 52
dhcp a 53
out a 99
lin2 b 31
"

lab_ns() { echo "$LAB_ID-$1"; }
lab_in() { local h=$1; shift; nsenter --net="/run/netns/$(lab_ns "$h")" -- "$@"; }
lab_ip4() {
	local seg oct
	read -r seg oct < <(echo "$LAB_HOSTS" | awk -v h="$1" '$1 == h { print $2, $3 }')
	if [ "$seg" = a ]; then echo "192.0.2.$oct"; else echo "198.51.100.$oct"; fi
}
lab_ip6() {
	local seg oct
	read -r seg oct < <(echo "$LAB_HOSTS" | awk -v h="$1" '$1 == h { print $2, $3 }')
	echo "2001:db8:$seg::$oct"
}

lab_add_ns() {
	local ns
	ns=$(lab_ns "$1")
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv4.ping_group_range="0 2147483647"
}

# Joins host $1's eth$3 to bridge br$2 of the switch namespace.
lab_plug() {
	local host=$1 seg=$2 idx=${3:-0}
	local sw port
	sw=$(lab_ns sw)
	port="$host-$idx"
	ip -n "$sw" link add "$port" type veth peer name "eth$idx" netns "$(lab_ns "$host")"
	ip -n "$sw" link set "$port" master "br$seg" up
	ip -n "$(lab_ns "$host")" link set "eth$idx" up
}

lab_up() {
	local host seg oct ns gw4 gw6
	lab_add_ns sw
	for seg in a b; do
		ip -n "$(lab_ns sw)" link add "br$seg" type bridge
		ip -n "$(lab_ns sw)" link set "br$seg" up
	done
	while read -r host seg oct; do
		[ -n "$host" ] || continue
		lab_add_ns "$host"
		lab_plug "$host" "$seg"
		ns=$(lab_ns "$host")
		ip -n "$ns" addr add "$(lab_ip4 "$host")/24" dev eth0
		ip -n "$ns" addr add "$(lab_ip6 "$host")/64" dev eth0 nodad
		if [ "$seg" = a ]; then gw4=192.0.2.1; gw6=2001:db8:a::1
		else gw4=198.51.100.1; gw6=2001:db8:b::1; fi
		ip -n "$ns" route add default via "$gw4"
		ip -n "$ns" -6 route add default via "$gw6"
	done <<<"$LAB_HOSTS"

	lab_add_ns router
	lab_plug router a 0
	lab_plug router b 1
	ns=$(lab_ns router)
	ip -n "$ns" addr add 192.0.2.1/24 dev eth0
	ip -n "$ns" addr add 2001:db8:a::1/64 dev eth0 nodad
	ip -n "$ns" addr add 198.51.100.1/24 dev eth1
	ip -n "$ns" addr add 2001:db8:b::1/64 dev eth1 nodad
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
