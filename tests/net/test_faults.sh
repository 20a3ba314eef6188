#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Enforcement never silently opens and a command from the wrong place
# changes nothing (issue 10): commands run in another network namespace
# refuse to act on the interfaces, which stay enforced.
#
#   namespace $ID-srv (portcullis: srv)   veth   namespace $ID-peer
#   192.0.2.10                        <------->  192.0.2.20 (a client)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
ID=pcf$$
PINS=/sys/fs/bpf/$ID
TMP=$(mktemp -d "/tmp/$ID.XXXX")
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
pair_up
cat >"$TMP/site.yaml" <<EOT
hosts:
  - {name: srv, kinds: [management-server], addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
EOT

status_is() { # status_is FILTER: srv's status -j satisfies the jq filter
	srv "$PC" status -j --pin-root "$PINS" | jq -e "$1"
}
refused_from_peer() { # refused_from_peer REGEX COMMAND...: exit 1 and says REGEX
	local regex=$1 out rc; shift
	out=$(peer "$PC" "$@" --pin-root "$PINS" 2>&1); rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 1 ] && grep -qE -- "$regex" <<<"$out"
}
undocumented_dropped() { # a SYN to port 2222 is dropped as no-rule on srv
	local before after
	before=$(srv "$PC" stats -j --pin-root "$PINS" | jq '[.drops[] | select(.reason == "no-rule" and .direction == "ingress") | .packets] | add // 0')
	peer timeout 2 socat -T1 - TCP:192.0.2.10:2222,connect-timeout=1 </dev/null >/dev/null 2>&1
	after=$(srv "$PC" stats -j --pin-root "$PINS" | jq '[.drops[] | select(.reason == "no-rule" and .direction == "ingress") | .packets] | add // 0')
	echo "no-rule drops: $before -> $after"
	[ "$after" -gt "$before" ]
}

no_netlink_noise() { # COMMAND...: its output has no raw libbpf/netlink lines
	"$@" >"$TMP/noise.out" 2>&1
	cat "$TMP/noise.out"
	! grep -qE 'libbpf: Kernel error message|Cannot find specified filter chain|Exclusivity flag' "$TMP/noise.out"
}
check "attach -v srv says nothing of netlink's expected misses" \
	no_netlink_noise srv "$PC" -v attach --cgroup "$CGROUP" -c "$TMP/site.yaml" --pin-root "$PINS" eth0
check "the record carries srv's namespace; status there probes the hooks" \
	status_is '.interfaces[0].netns == null and .interfaces[0].tc_egress == "attached" and .interfaces[0].ingress == "xdp"'
# The fill of the address maps is the policy in force's own count (the
# loader keeps it), not a walk of both banks: srv's peers are cli's one
# address and 255.255.255.255 (DHCP from the catalog's broadcast rows).
peer_addrs() { srv "$PC" explain -c "$TMP/site.yaml" --host srv -j | jq '[.rules[].remote[]? // empty] | unique | length'; }
check "status counts the addresses of the policy in force ($(peer_addrs) exact)" \
	status_is ".maps.addresses.entries == $(peer_addrs) and .maps.addresses.max == 1048576 and .maps.prefixes.entries == 0"
check "status says what frames that are not IP do" \
	status_is '.non_ip == "link-layer" and (.non_ip_meaning | test("except ARP, 802.1X and LLDP"))'

# A second attach (what a daemon restart does) of the same build leaves both
# hooks alone: the same program ids stay attached, so the driver never sees
# a change; the policy still goes through the maps (a new generation).
hook_ids() { # the XDP and TC egress program ids on srv's eth0
	local x t
	x=$(srv ip -j -d link show dev eth0 | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // 0')
	t=$(srv tc -j filter show dev eth0 egress | jq '[.[] | .options.prog.id // empty][0] // 0')
	echo "$x/$t"
}
ids=$(hook_ids)
check "both hooks have a program ($ids)" test "${ids#0/}" = "$ids" -a "${ids%/0}" = "$ids"
check "attach again with the same build and policy" \
	srv "$PC" attach --cgroup "$CGROUP" -c "$TMP/site.yaml" --pin-root "$PINS" eth0
check "the same programs stay attached ($ids -> $(hook_ids))" test "$(hook_ids)" = "$ids"
check "attach again in audit mode: a new generation, same programs" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' -q attach --cgroup '$CGROUP' -c '$TMP/site.yaml' --mode audit --pin-root '$PINS' eth0 &&
	 nsenter --net=/run/netns/$ID-srv '$PC' status -j --pin-root '$PINS' | jq -e '.generation == 3 and .mode == \"audit\"' &&
	 test \"\$(nsenter --net=/run/netns/$ID-srv ip -j -d link show dev eth0 | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id')\" = '${ids%/*}'"
check "back to enforce" srv "$PC" -q attach --cgroup "$CGROUP" -c "$TMP/site.yaml" --pin-root "$PINS" eth0

# Cases: what an operator runs by mistake in the peer's namespace.
check "detach --all from another namespace refuses and names the right one" \
	refused_from_peer "another network namespace.*ip netns $ID-srv" detach --all
check "detach eth0 from another namespace refuses" \
	refused_from_peer "another network namespace" detach eth0
check "attach from another namespace refuses (same pin root)" \
	refused_from_peer "another network namespace" attach -c "$TMP/site.yaml" --host cli eth0
check "status from another namespace says where the interface is" sh -c \
	"nsenter --net=/run/netns/$ID-peer '$PC' status -j --pin-root '$PINS' | jq -e '.interfaces[0].ingress == \"other-netns\" and (.interfaces[0].netns | test(\"ip netns $ID-srv\"))'"
check "after all of them srv is still enforced on both hooks" \
	status_is '.interfaces[0].tc_egress == "attached" and .interfaces[0].ingress == "xdp" and .generation == 4 and .mode == "enforce"'
check "and an undocumented SYN is still dropped" undocumented_dropped
check "detach in the right namespace works and leaves nothing" \
	srv "$PC" detach --all --pin-root "$PINS"
check "nothing pinned afterwards" test ! -e "$PINS"

# --- Pins removed under a running enforcement (rm -rf of the pin root) ---
# Without a daemon the XDP link dies with its pin, the TC filter stays on
# maps nobody can reach: status must say so (exit 1), detach must find the
# orphan by program name, attach must take over without --force.
our_tc_filter() { srv tc -j filter show dev eth0 egress | jq -e '[.[] | select(.options.bpf_name // "" | startswith("pc_tc_egress"))] | length > 0' >/dev/null; }
orphan_status() {
	local out rc
	out=$(srv "$PC" status -j --pin-root "$PINS" 2>"$TMP/status.err"); rc=$?
	printf '%s\n' "$out"; cat "$TMP/status.err"
	[ "$rc" = 1 ] && jq -e '.attached == false and .orphaned[0].name == "eth0" and .orphaned[0].hooks == "tc egress, tc vlan"' <<<"$out" >/dev/null &&
		grep -q "ingress is NOT enforced" "$TMP/status.err"
}
check "attach again" srv "$PC" -q attach --cgroup "$CGROUP" -c "$TMP/site.yaml" --pin-root "$PINS" eth0
check "rm -rf the pin root" rm -rf "$PINS"
check "status reports the orphaned TC filter and exits 1" orphan_status
check "attach takes its own orphan over without --force" \
	srv "$PC" -q attach --cgroup "$CGROUP" -c "$TMP/site.yaml" --pin-root "$PINS" eth0
check "status is whole again" status_is '.interfaces[0].tc_egress == "attached" and .interfaces[0].ingress == "xdp" and .interfaces[0].tc_vlan == "attached"'
check "our filter is seen on eth0 by its program name" our_tc_filter
check "rm -rf the pin root again" rm -rf "$PINS"
check "detach --all finds the orphan by program name and removes it" \
	srv "$PC" detach --all --pin-root "$PINS"
check_not "no portcullis filter left on eth0" our_tc_filter

# With the daemon, enforcement does not even blink: it holds the maps, the
# XDP link and the setsockopt guard's link, sees the pins go, and pins
# them again.
DAEMON_PID=
kill_daemon() { [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null; }
PAIR_CLEANUP=kill_daemon
start_daemon() {
	(exec nsenter --net="/run/netns/$ID-srv" "$PC" daemon --cgroup "$CGROUP" -c "$TMP/site.yaml" --pin-root "$PINS" eth0 \
		</dev/null >>"$TMP/daemon.log" 2>&1) &
	DAEMON_PID=$!
	for _ in $(seq 200); do grep -q "daemon: running" "$TMP/daemon.log" && return 0; sleep 0.05; done
	cat "$TMP/daemon.log"; return 1
}
pins_back() {
	for _ in $(seq 100); do
		[ -e "$PINS/maps/pc_config" ] && ls "$PINS"/links/xdp-* >/dev/null 2>&1 &&
			grep -q "pinned again" "$TMP/daemon.log" && return 0
		sleep 0.05
	done
	cat "$TMP/daemon.log"; return 1
}
check "the daemon starts and attaches" start_daemon
ids=$(hook_ids)
check "rm -rf the pin root under the daemon" rm -rf "$PINS"
check "the daemon pins everything again and says so" pins_back
check "the same programs stayed attached throughout ($ids -> $(hook_ids))" test "$(hook_ids)" = "$ids"
check "status is whole" status_is '.interfaces[0].tc_egress == "attached" and .interfaces[0].ingress == "xdp"'
check "the setsockopt guard's link is pinned again, on the test's cgroup" \
	status_is ".raw_socket_bypass.hook == \"attached\" and .raw_socket_bypass.cgroup == \"$CGROUP\""
check "an undocumented SYN is still dropped" undocumented_dropped
check "the daemon ends on SIGTERM" sh -c "kill -TERM $DAEMON_PID; for i in \$(seq 50); do kill -0 $DAEMON_PID 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
check "someone removes our TC filter by hand" srv tc filter del dev eth0 egress handle 0x7063 prio 1 bpf
check "detach then prints no raw libbpf errors" \
	no_netlink_noise srv "$PC" detach --all --pin-root "$PINS"

tap_end
