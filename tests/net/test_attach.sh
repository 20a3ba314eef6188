#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# attach, real traffic, stats, status, detach, and nothing left behind.
#
#   netns pc-<pid>-<n>-peer                  netns pc-<pid>-<n>-srv (host mgr)
#   +---------------------------+            +-----------------------------+
#   | 192.0.2.20  2001:db8::20  | (desk)     |                             |
#   | 192.0.2.11               | (web)      | 192.0.2.10   2001:db8::10   |
#   | 192.0.2.99  2001:db8::99  | (stranger) | portcullis on eth0 (XDP+TC) |
#   |                    eth0 ==+============+== eth0  eth1 (spare, for the |
#   |                    eth1 ==+============+== eth1  qdisc-left-alone case|
#   +---------------------------+            +-----------------------------+
#
# The management server (mgr) runs portcullis with a private bpffs as its
# pin root (tests/net/pair.sh). Prints TAP. Only documentation addresses;
# only namespaces it created; everything is removed on every exit path.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
PC=$PWD/$BUILD/portcullis
PY=$(command -v /usr/bin/python3 || command -v python3)

ID=pc-$$-$RANDOM
NS_M=$ID-srv
NS_P=$ID-peer
TMP=$(mktemp -d /tmp/portcullis-net.XXXXXX)
SITE=$TMP/site.yaml
# shellcheck source=tests/net/pair.sh
. tests/net/pair.sh

in_m() { srv "$@"; }
in_p() { peer "$@"; }
pc() { in_m "$PC" "$@" --pin-root "$PINS"; }

# A TCP server: accepts connections, answers "ok" to each, on ADDR PORT.
tcp_server() { # netns addr port
	nsenter --net=/run/netns/"$1" "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(100); c.sendall(b"ok"); c.close()
 ' "$2" "$3" </dev/null >/dev/null 2>&1 &
	wait_socket "$1" tcp "$2" "$3"
}
# TCP client: prints the answer; fails after 2 seconds.
tcp_client() { # ns src dst port
	"$1" "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(2)
s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(b"hello"); d = s.recv(100); assert d == b"ok", d
' "$2" "$3" "$4"
}
# UDP: the receiver waits 2 seconds for one datagram from SRC.
udp_exchange() { # ns_send src ns_recv dst port
	"$3" "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2)
s.bind((sys.argv[1], int(sys.argv[2])))
print("ready", flush=True)
d, a = s.recvfrom(100); assert d == b"trap", d
' "$4" "$5" >"$TMP/udp.out" &
	local rpid=$!
	wait_line "$TMP/udp.out" '^ready$' || return 1
	"$1" "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 40162)); s.sendto(b"trap", (sys.argv[2], int(sys.argv[3])))
' "$2" "$4" "$5"
	wait $rpid
}

# jq over a JSON file, true when the expression is true.
jq_true() { jq -e "$2" "$1" >/dev/null; }

echo "TAP version 13"
cat >"$SITE" <<'EOF'
site: net-test
hosts:
  - name: mgr
    kinds: [management-server]
    os: linux
    addresses: [192.0.2.10, "2001:db8::10"]
  - name: desk
    kinds: [management-client]
    addresses: [192.0.2.20, "2001:db8::20"]
  - name: web
    kinds: [linux]
    os: linux
    addresses: [192.0.2.11, 192.0.2.12]
EOF

pair_up --spare --srv 2001:db8::10 192.0.2.11 192.0.2.12 192.0.2.99 2001:db8::20 2001:db8::99 ||
	{ tap FAIL "set up the namespaces and a private bpffs"; tap_end; exit; }
# A clsact qdisc that exists before portcullis: it must survive detach.
tc -n "$NS_M" qdisc add dev eth0 clsact

servers() {
	tcp_server "$NS_M" 0.0.0.0 22015 && tcp_server "$NS_M" :: 22016 &&
	tcp_server "$NS_M" 0.0.0.0 2323 && tcp_server "$NS_P" 192.0.2.11 22 &&
	tcp_server "$NS_P" 192.0.2.11 2323
}
check "the test servers listen" servers

# Before attach everything works, so failures later are the firewall's.
check "before attach: undocumented TCP 2323 works" tcp_client in_p 192.0.2.20 192.0.2.10 2323

# An SSH-like connection opened before attach where the server speaks
# first afterwards: it survives only if attach keeps existing connections.
# The server speaks when the test writes to the FIFO "speak", after attach.
mkfifo "$TMP/speak"
nsenter --net=/run/netns/"$NS_P" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.12", 22)); s.listen(1)
c, _ = s.accept(); open(sys.argv[1]).read(); c.sendall(b"late"); c.recv(100)
' "$TMP/speak" </dev/null >/dev/null 2>&1 &
check "the late server listens" wait_socket "$NS_P" tcp 192.0.2.12 22
nsenter --net=/run/netns/"$NS_M" "$PY" -c '
import socket
s = socket.socket(); s.settimeout(20)
s.bind(("192.0.2.10", 0)); s.connect(("192.0.2.12", 22))
d = s.recv(100); assert d == b"late", d
' </dev/null >"$TMP/late.log" 2>&1 &
LATE_CLIENT=$!
check "the connection is open before attach" wait_connected "$NS_M" 192.0.2.12 22

check "attach to eth0 and eth1" pc attach --cgroup "$CGROUP" -c "$SITE" --host mgr eth0 eth1
# Now the server speaks first (bounded: the server may have died).
timeout 10 sh -c 'echo late >"$1"' _ "$TMP/speak"
late_client_ok() { wait "$LATE_CLIENT" || { cat "$TMP/late.log"; return 1; }; }
check "attach to a missing interface: plain words" sh -c "nsenter --net=/run/netns/$NS_M '$PC' attach --cgroup '$CGROUP' -c '$SITE' --host mgr --pin-root '$PINS' nosuch0 2>&1 | grep -q 'nosuch0: the interface does not exist'"
mkdir -p "$TMP/plain"
check "a pin root off bpffs: plain words" sh -c "nsenter --net=/run/netns/$NS_M '$PC' attach --cgroup '$CGROUP' -c '$SITE' --host mgr --pin-root '$TMP/plain/pc' eth0 2>&1 | grep -q 'bpffs not mounted'"
check "a connection opened before attach, server speaking first, survives" late_client_ok
check "status -j" eval 'pc status -j >"$TMP/status.json"'
check "status: generation 1, enforce, 2 interfaces" jq_true "$TMP/status.json" \
	'.generation == 1 and .mode == "enforce" and (.interfaces | length) == 2'
check "status: rule_count an integer, attached_at seconds since the epoch" jq_true "$TMP/status.json" \
	"(.rule_count | type) == \"number\" and all(.interfaces[]; .attached_at > $(date +%s) - 3600 and .attached_at <= $(date +%s) + 1)"
check "status: both hooks in place on eth0" jq_true "$TMP/status.json" \
	'.interfaces[] | select(.name == "eth0") | (.xdp == "native" or .xdp == "generic") and .tc_egress == "attached" and .qdisc_created == false'
check "status: clsact on eth1 was added by portcullis" jq_true "$TMP/status.json" \
	'.interfaces[] | select(.name == "eth1") | .qdisc_created == true'
ETH0_IF=$(in_m ip -j link show dev eth0 | jq '.[0].ifindex')
check "XDP link pinned" test -e "$PINS/links/xdp-$ETH0_IF"
XDP_ID=$(in_m ip -j link show dev eth0 | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // 0')
TC_ID=$(in_m tc -j filter show dev eth0 egress | jq '[.[] | .options.prog.id? // empty][0] // 0')
check "an XDP program is on eth0 (id $XDP_ID)" test "$XDP_ID" -gt 0
check "a TC egress program is on eth0 (id $TC_ID)" test "$TC_ID" -gt 0

check "GUI: desk -> mgr:22015 (A-1.1) over TCP" tcp_client in_p 192.0.2.20 192.0.2.10 22015
check "GUI: desk -> mgr:22016 over IPv6 (A-1.2, needs neighbour discovery)" \
	tcp_client in_p 2001:db8::20 2001:db8::10 22016
check "SSH: mgr -> web:22 (A-2.3), reply through conntrack" tcp_client in_m 192.0.2.10 192.0.2.11 22
check "SNMP trap: web -> mgr:162/udp (A-2.12)" udp_exchange in_p 192.0.2.11 in_m 192.0.2.10 162
check "ping from mgr to a documented peer" in_m ping -c 1 -W 2 -q 192.0.2.11
check_not "undocumented: desk -> mgr:2323 refused" tcp_client in_p 192.0.2.20 192.0.2.10 2323
check_not "wrong peer: stranger -> mgr:22015 refused" tcp_client in_p 192.0.2.99 192.0.2.10 22015
check_not "wrong peer over IPv6: stranger -> mgr:22016 refused" tcp_client in_p 2001:db8::99 2001:db8::10 22016
check_not "undocumented egress: mgr -> web:2323 refused" tcp_client in_m 192.0.2.10 192.0.2.11 2323
check_not "ping from a stranger refused" in_p ping -c 1 -W 1 -q -I 192.0.2.99 192.0.2.10

check "stats -j" sh -c "'$PC' stats -j --pin-root '$PINS' -c '$SITE' >'$TMP/stats.json'"
check "stats: A-1.1 counted both ways" jq_true "$TMP/stats.json" \
	'[.paths[] | select(.path == "A-1.1-http-gui" and .packets > 0 and .bytes > 0) | .direction] | sort == ["egress", "ingress"]'
check "stats: A-2.3 counted both ways with table row" jq_true "$TMP/stats.json" \
	'[.paths[] | select(.path == "A-2.3-ssh-linux" and .packets > 0 and .table == "A-2" and .row == 3) | .direction] | sort == ["egress", "ingress"]'
check "stats: path, table, row as docs/json.md says (row an integer, or null off the policy)" jq_true "$TMP/stats.json" \
	'all(.paths[]; (.path | type) == "string" and ((.row | type) == "number" and (.table | type) == "string" or .row == null and .table == null))'
check "stats: A-2.12 counted on ingress" jq_true "$TMP/stats.json" \
	'any(.paths[]; .path == "A-2.12-snmp-trap" and .direction == "ingress" and .packets >= 1)'
check "stats: no-rule drops on ingress (desk -> 2323)" jq_true "$TMP/stats.json" \
	'any(.drops[]; .reason == "no-rule" and .direction == "ingress" and .packets > 0)'
check "stats: wrong-peer drops on ingress (stranger)" jq_true "$TMP/stats.json" \
	'any(.drops[]; .reason == "wrong-peer" and .direction == "ingress" and .packets > 0)'
check "stats: no-rule drops on egress (mgr -> 2323)" jq_true "$TMP/stats.json" \
	'any(.drops[]; .reason == "no-rule" and .direction == "egress" and .packets > 0)'

# A second attach is a reload: generation 2, the links stay.
check "attach again (reload) in audit mode" pc attach --cgroup "$CGROUP" -c "$SITE" --host mgr --mode audit eth0 eth1
"$PC" status -j --pin-root "$PINS" >"$TMP/status2.json" 2>>"$TMP/log"
check "status: generation 2, audit" jq_true "$TMP/status2.json" '.generation == 2 and .mode == "audit"'
check "audit mode: undocumented desk -> mgr:2323 passes" tcp_client in_p 192.0.2.20 192.0.2.10 2323
check "enforce again" pc attach --cgroup "$CGROUP" -c "$SITE" --host mgr eth0 eth1
check "pc_tc_vlan is on clsact ingress of eth0, XDP ingress" sh -c \
	"nsenter --net=/run/netns/$NS_M tc filter show dev eth0 ingress | grep -q pc_tc_vlan && nsenter --net=/run/netns/$NS_M '$PC' status -j --pin-root '$PINS' | jq -e '.interfaces[] | select(.name == \"eth0\") | .tc_vlan == \"attached\"' >/dev/null"
check_not "enforce: desk -> mgr:2323 refused again" tcp_client in_p 192.0.2.20 192.0.2.10 2323

# Someone else's XDP program: attach refuses it without --force. (iproute2
# keeps its pins in our private bpffs: TC_BPF_MNT.)
if in_m ip link set dev eth1 xdpgeneric off 2>/dev/null && \
   check "detach eth1" pc detach eth1 && \
   TC_BPF_MNT=$BPFFS in_m ip link set dev eth1 xdpgeneric obj "$BUILD/bpf/portcullis.bpf.o" sec xdp >>"$TMP/log" 2>&1; then
	check_not "attach refuses a foreign XDP program" pc attach --cgroup "$CGROUP" -c "$SITE" --host mgr eth1
	check "the foreign program is still there" sh -c "in_m() { nsenter --net=/run/netns/$NS_M \"\$@\"; }; in_m ip -j link show dev eth1 | jq -e '.[0].xdp' >/dev/null"
	check "attach --force replaces it" pc attach --cgroup "$CGROUP" -c "$SITE" --host mgr --force eth1
else
	tap_skip "iproute2 cannot load a foreign XDP program here"
fi

check "detach --all" pc detach --all
check "nothing pinned: the pin root is gone" test ! -e "$PINS"
check "no XDP program on eth0" sh -c "! nsenter --net=/run/netns/$NS_M ip -j link show dev eth0 | jq -e '.[0].xdp' >/dev/null"
# The kernel frees a program after an RCU grace period: wait for it.
check "the XDP program $XDP_ID no longer exists" wait_until 10 not bpftool prog show id "$XDP_ID"
check "the TC program $TC_ID no longer exists" wait_until 10 not bpftool prog show id "$TC_ID"
check "no TC filter left on eth0 egress" sh -c "test -z \"\$(nsenter --net=/run/netns/$NS_M tc filter show dev eth0 egress)\""
check "no TC filter left on eth0 ingress (pc_tc_vlan)" sh -c "test -z \"\$(nsenter --net=/run/netns/$NS_M tc filter show dev eth0 ingress)\""
check "the clsact qdisc that was there before stays on eth0" sh -c "nsenter --net=/run/netns/$NS_M tc qdisc show dev eth0 | grep -q clsact"
check "the clsact qdisc portcullis added is gone from eth1" sh -c "! nsenter --net=/run/netns/$NS_M tc qdisc show dev eth1 | grep -q clsact"
check "no BPF link left on eth0" sh -c "! bpftool -j link show | jq -e --argjson i $ETH0_IF '.[] | select(.type == \"xdp\" and .ifindex == \$i)' >/dev/null"
check "traffic flows again after detach" tcp_client in_p 192.0.2.20 192.0.2.10 2323
check "status after detach: not attached" sh -c "'$PC' status -j --pin-root '$PINS' | jq -e '.attached == false' >/dev/null"

tap_end
