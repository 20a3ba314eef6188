#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The attack corpus: every case of tests/attack/cases.txt against a host
# that portcullis protects, once with XDP ingress and once with
# `--ingress tc`; prints TAP.
#
#   netns ID-srv 192.0.2.10      netns ID-out 203.0.113.66
#        2001:db8:a::10               2001:db8:c::66
#            eth0                         eth0
#             |        netns ID-sw         |
#           p-srv ------- br0 ----------- p-out
#                          |
#                        p-lin     <- egress witness: what lin put on the wire
#                          |
#            eth0  netns ID-lin 192.0.2.31 2001:db8:a::31, portcullis
#             `-> nft netdev ingress "dup to wit0" <- ingress witness
#
# The ingress witness is a capture of what passed the ingress hooks: nft's
# netdev ingress hook runs after XDP and after tc ingress, so it sees only
# what portcullis let through in both modes (a capture on eth0 itself
# would do for XDP, but AF_PACKET taps run before tc ingress). Listeners on
# lin's documented and undocumented ports log every connection and
# datagram. For each case: the witness must see nothing of a "drop" case
# (everything of a "pass" case), and the drop counters named must grow.
#
# ATTACK_PENDING names cases (NAME, or MODE:NAME) whose secure behaviour
# needs a fix that is not merged yet: they still run, and print as
# "ok N - # TODO ..." (not counted as failures); docs/security.md says why. ATTACK_MODES ("xdp tc") and ATTACK_ONLY (a regular
# expression over case names) narrow a run by hand.
#
# The packet sender runs in a cgroup of the script's own, where attach puts
# the setsockopt guard (--cgroup: never the machine's root cgroup).
#
# Safety: only namespaces this script creates (names with $$ and $RANDOM),
# documentation addresses, a private bpffs, its own cgroup; everything is
# removed on every exit path.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
HERE=$ROOT/tests/attack
PC=${PC:-$ROOT/$BUILD/portcullis}
PY=/usr/bin/python3
# Cases (NAME, or MODE:NAME for one mode) whose fix is not merged yet.
ATTACK_PENDING=${ATTACK_PENDING-}
MODES=${ATTACK_MODES:-xdp tc}
ONLY=${ATTACK_ONLY:-.}

LIN4=192.0.2.31 SRV4=192.0.2.10 OUT4=203.0.113.66
LIN6=2001:db8:a::31 SRV6=2001:db8:a::10 OUT6=2001:db8:c::66
LINMAC=02:00:00:00:00:31 SRVMAC=02:00:00:00:00:10 OUTMAC=02:00:00:00:00:66
# What passes without a rule (ARP, neighbour discovery, MLD) and the
# echo requests send.py uses to mark the end of each case ("sync").
ND='(icmp6 and (ip6[40] == 130 or ip6[40] == 131 or ip6[40] == 132 or ip6[40] == 133 or ip6[40] == 135 or ip6[40] == 136 or ip6[40] == 143)) or (ip6 and ip6[6] == 0 and dst net ff00::/8)'
SYNC='(icmp and (icmp[0] == 8 or icmp[0] == 0) and icmp[8:4] == 0x73796e63)'
FROM_OUT="(ether src $OUTMAC and not arp and not ($ND))"
FROM_SRV="(ether src $SRVMAC and not arp and not ($ND) and not $SYNC)"

TMP=$(mktemp -d /tmp/portcullis-attack.XXXXXX)
BPFFS=$TMP/bpffs
PINS=$BPFFS/portcullis
SITE=$TMP/site.yaml
ID=
PIDS=()
n=0
fails=0

# shellcheck source=tests/lib/wait.sh
. "$ROOT/tests/lib/wait.sh"
# shellcheck source=tests/lib/cgroup.sh
. "$ROOT/tests/lib/cgroup.sh"
CGROUP=

in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ID-$ns" "$@"; }
pc() { in_ns lin "$PC" "$@" --pin-root "$PINS"; }

down() { # removes one mode's namespaces, processes and pins
	local ns
	[ -n "$ID" ] || return 0
	[ "${#PIDS[@]}" -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null
	PIDS=()
	[ -d "$PINS" ] && in_ns lin "$PC" -q detach --all --pin-root "$PINS" >/dev/null 2>&1
	for ns in lin srv out sw; do
		ip netns pids "$ID-$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ID-$ns" 2>/dev/null
	done
	ID=
}
cleanup() {
	trap - EXIT INT TERM
	down
	[ -n "${DRV_PID:-}" ] && kill "$DRV_PID" 2>/dev/null
	cgroup_remove
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

tap() { # tap ok|fail|todo DESCRIPTION [DETAIL...]
	local res=$1 desc=$2; shift 2
	n=$((n + 1))
	case $res in
	ok) echo "ok $n - $desc" ;;
	todo) echo "ok $n - # TODO $desc"; printf '#   %s\n' "$@" ;;
	*) fails=$((fails + 1)); echo "not ok $n - $desc"; printf '#   %s\n' "$@" ;;
	esac
}

trim() { local s=$1; s=${s#"${s%%[! ]*}"}; printf '%s' "${s%"${s##*[! ]}"}"; }

# Placeholders of the table's filters and commands, as values.
expand() {
	local s=$1
	s=${s//FROM_OUT/$FROM_OUT}
	s=${s//FROM_SRV/$FROM_SRV}
	s=${s//LINMAC/$LINMAC}; s=${s//SRVMAC/$SRVMAC}; s=${s//OUTMAC/$OUTMAC}
	s=${s//LIN4/$LIN4}; s=${s//SRV4/$SRV4}; s=${s//OUT4/$OUT4}
	s=${s//LIN6/$LIN6}; s=${s//SRV6/$SRV6}; s=${s//OUT6/$OUT6}
	printf '%s' "$s"
}

# --- the site and the network ---
cat >"$SITE" <<'EOF'
site: attack-lab
hosts:
  - name: srv
    kinds: [management-server]
    os: windows
    addresses: [192.0.2.10, "2001:db8:a::10"]
  - name: lin
    kinds: [linux]
    addresses: [192.0.2.31, "2001:db8:a::31"]
segments: [192.0.2.0/24]
EOF

plug() { # plug HOST MAC: HOST's eth0 on the bridge
	ip -n "$ID-sw" link add "p-$1" type veth peer name eth0 netns "$ID-$1"
	ip -n "$ID-$1" link set eth0 address "$2"
	ip -n "$ID-sw" link set "p-$1" master br0 up
	ip -n "$ID-$1" link set eth0 up
}

up() { # up MODE: the namespaces, witnesses, listeners and portcullis
	local mode=$1 ns i
	ID=pca-$$-$RANDOM
	for ns in lin srv out sw; do
		ip netns add "$ID-$ns" || return 1
		ip -n "$ID-$ns" link set lo up
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	ip -n "$ID-sw" link add br0 type bridge
	ip -n "$ID-sw" link set br0 up
	# Bridged packets are not handed to the sw namespace's netfilter.
	in_ns sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 2>/dev/null
	plug lin "$LINMAC"; plug srv "$SRVMAC"; plug out "$OUTMAC"
	ip -n "$ID-lin" addr add "$LIN4/24" dev eth0
	ip -n "$ID-lin" addr add "$LIN6/64" dev eth0 nodad
	ip -n "$ID-srv" addr add "$SRV4/24" dev eth0
	ip -n "$ID-srv" addr add "$SRV6/64" dev eth0 nodad
	ip -n "$ID-out" addr add "$OUT4/24" dev eth0
	ip -n "$ID-out" addr add "$OUT6/64" dev eth0 nodad
	# One wire, two prefixes: out is on the link, outside the site.
	ip -n "$ID-lin" route add 203.0.113.0/24 dev eth0
	ip -n "$ID-lin" -6 route add 2001:db8:c::/64 dev eth0
	ip -n "$ID-srv" route add 203.0.113.0/24 dev eth0
	ip -n "$ID-out" route add 192.0.2.0/24 dev eth0
	ip -n "$ID-out" -6 route add 2001:db8:a::/64 dev eth0
	# lin takes router advertisements like any host; srv answers every
	# probe with an ICMP error, not rate-limited.
	in_ns lin sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1
	in_ns srv sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	# The ingress witness: nft copies what passed to wit0, a veth whose
	# other end (in sw, no addresses, no bridge) discards it.
	ip -n "$ID-lin" link add wit0 type veth peer name wit1 netns "$ID-sw"
	in_ns lin sysctl -qw net.ipv6.conf.wit0.disable_ipv6=1
	in_ns sw sysctl -qw net.ipv6.conf.wit1.disable_ipv6=1
	ip -n "$ID-lin" link set wit0 up
	ip -n "$ID-sw" link set wit1 up
	in_ns lin nft -f - <<-EOF || return 1
	table netdev witness {
		chain in { type filter hook ingress device eth0 priority 0; dup to wit0; }
	}
	EOF
	: >"$TMP/in.err"; : >"$TMP/out.err"
	in_ns lin tcpdump -i wit0 -Q out -n -U -B 8192 -s 256 -w "$TMP/in-$mode.pcap" 2>"$TMP/in.err" &
	PIDS+=($!)
	in_ns sw tcpdump -i p-lin -Q in -n -U -B 8192 -s 256 -w "$TMP/out-$mode.pcap" 2>"$TMP/out.err" &
	PIDS+=($!)
	: >"$TMP/lin-listen.log"
	in_ns lin "$PY" "$HERE/listen.py" "$TMP/lin-listen.log" tcp:22 tcp:23 tcp:80 tcp:2222 \
		udp:68 udp:4011 udp:5561 udp:9999 >"$TMP/lin-ready" 2>&1 &
	PIDS+=($!)
	in_ns srv "$PY" "$HERE/listen.py" /dev/null tcp:26501 udp:162 >"$TMP/srv-ready" 2>&1 &
	PIDS+=($!)
	for i in $(seq 400); do
		grep -q listening "$TMP/in.err" && grep -q listening "$TMP/out.err" &&
			grep -q ready "$TMP/lin-ready" && grep -q ready "$TMP/srv-ready" && break
		sleep 0.05
	done
	[ "$i" -lt 400 ] || { cat "$TMP/in.err" "$TMP/out.err" "$TMP/lin-ready" "$TMP/srv-ready"; return 1; }
	if [ "$mode" = tc ]; then
		pc attach --cgroup "$CGROUP" -c "$SITE" --host lin --ingress tc eth0 || return 1
	else
		pc attach --cgroup "$CGROUP" -c "$SITE" --host lin eth0 || return 1
	fi
	# Connections the egress ICMP error cases name: srv:41022 -> lin:22.
	for a in "$SRV4 $LIN4" "$SRV6 $LIN6"; do
		# shellcheck disable=SC2086
		set -- $a
		in_ns srv "$PY" -c '
import socket, sys, time
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(3)
s.bind((sys.argv[1], 41022)); s.connect((sys.argv[2], 22))
s.sendall(b"hello"); assert s.recv(10) == b"ok"
print("up", flush=True); time.sleep(3600)
' "$1" "$2" >"$TMP/tracked-$1" 2>&1 &
		PIDS+=($!)
	done
	for i in $(seq 400); do
		[ "$(cat "$TMP/tracked-$SRV4" "$TMP/tracked-$SRV6" 2>/dev/null)" = "up
up" ] && break
		sleep 0.05
	done
	[ "$i" -lt 400 ] || { echo "tracked connections: $(cat "$TMP"/tracked-*)"; return 1; }
	return 0
}

# --- the packet sender (send.py, one scapy process per mode) ---
drv_start() {
	# In the cgroup the setsockopt guard is on (af-packet-bypass).
	coproc DRV { echo "$BASHPID" >"$CGROUP/cgroup.procs" && exec "$PY" -u "$HERE/send.py" "$ID" 2>&1; }
}
drv() { # drv FIELD...: one command, its answer in $DRV_ANSWER
	local IFS=$'\t'
	printf '%s\n' "$*" >&"${DRV[1]}"
	IFS= read -r -t 20 DRV_ANSWER <&"${DRV[0]}" || DRV_ANSWER="error no answer"
	[ "${DRV_ANSWER%% *}" = ok ]
}
drv_stop() {
	eval "exec ${DRV[1]}>&-"
	wait "$DRV_PID" 2>/dev/null
	DRV_PID=
}

# --- the table's shell tools (0: the flow worked / the attack got its way) ---
tcp_flow() { # NS SRC DST PORT
	in_ns "$1" "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(2)
s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(b"hello"); d = s.recv(10); assert d == b"ok", d
' "$2" "$3" "$4"
}
udp_flow() { # NS SRC SPORT DST DPORT: a datagram, and the answer
	in_ns "$1" "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(b"hello", (sys.argv[3], int(sys.argv[4]))); d = s.recv(10); assert d == b"ok", d
' "$2" "$3" "$4" "$5"
}
ping_flow() { in_ns "$1" ping -c 1 -W 2 -q "$2"; }
# lin sends to srv:69 (A-3.4), where nothing listens: srv's port
# unreachable names a flow lin opened and must come back.
icmp_error_real() { # 4|6
	local src=$LIN4 dst=$SRV4
	[ "$1" = 6 ] && src=$LIN6 dst=$SRV6
	in_ns lin "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2)
s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], 69)); s.send(b"\0\1x\0octet\0")
try:
    s.recv(100)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)
' "$src" "$dst"
}
lin_ping_broadcast() { in_ns lin ping -b -c 1 -W 1 -q -I eth0 255.255.255.255; }
# thcping6 waits for an answer that must not come: 1.5 s at most.
thcping6() { local ns=$1; shift; in_ns "$ns" timeout 1.5 atk6-thcping6 "$@"; false; }
# A-3.11: lin:5577 -> srv:26508 (documented), closed; then srv opens the
# same ports the other way. Success: lin answered (connected or refused).
stale_reversed() { # 4|6
	local l=$LIN4 s=$SRV4 srvpid
	[ "$1" = 6 ] && l=$LIN6 s=$SRV6
	in_ns srv "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 26508)); s.listen(1); print("ready", flush=True)
c, _ = s.accept(); s.close(); c.recv(10); c.sendall(b"ok"); c.recv(10); c.close()
' "$s" >"$TMP/stale-ready" 2>&1 &
	srvpid=$!
	for _ in $(seq 400); do grep -q ready "$TMP/stale-ready" && break; sleep 0.05; done
	in_ns lin "$PY" -c '
import socket, struct, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5577)); s.connect((sys.argv[2], 26508))
s.sendall(b"hello"); assert s.recv(10) == b"ok"
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
' "$l" "$s" || { echo "the documented connection lin:5577 -> srv:26508 failed"; kill "$srvpid"; return 2; }
	wait "$srvpid"
	in_ns srv "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(1.5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 26508))
try:
    s.connect((sys.argv[2], 5577))
except ConnectionRefusedError:
    sys.exit(0)
except OSError:
    sys.exit(1)
sys.exit(0)
' "$s" "$l"
}
# A router advertisement from out; success: lin's routes or addresses changed.
ra_outsider() {
	local before after
	before=$(in_ns lin ip -6 route show; in_ns lin ip -6 addr show dev eth0)
	drv send out "Ether(src=OUTMAC,dst='33:33:00:00:00:01')/IPv6(src='fe80::66',dst='ff02::1',hlim=255)/ICMPv6ND_RA(routerlifetime=1800)/ICMPv6NDOptSrcLLAddr(lladdr=OUTMAC)/ICMPv6NDOptPrefixInfo(prefix='2001:db8:bad::',prefixlen=64,validlifetime=3600,preferredlifetime=3600)" ||
		{ echo "send: $DRV_ANSWER"; return 2; }
	sleep 0.3
	after=$(in_ns lin ip -6 route show; in_ns lin ip -6 addr show dev eth0)
	[ "$before" != "$after" ] && diff <(echo "$before") <(echo "$after")
}

# Small and quick: --min-rate keeps nmap from waiting out its own timing
# when nothing answers (3 s a scan without it, 0.3 s with it).
NMAP_OPTS="-n -Pn -T5 --max-retries 1 --min-rate 1000 --initial-rtt-timeout 50ms --max-rtt-timeout 100ms --host-timeout 15s -e eth0"

# Drop counters as "reason/in|out packets" lines.
drops() {
	pc stats -j 2>/dev/null | jq -r '.drops[] | "\(.reason)/\(if .direction == "ingress" then "in" else "out" end) \(.packets)"' | sort
}

# --- one mode: run every case, then judge each from the captures ---
run_mode() {
	local mode=$1 k=0 name from verdict reasons witness cmd tool args rc
	local -a names froms verdicts reasonss witnesses rcs moveds outs
	if ! up "$mode"; then tap fail "$mode: set up the namespaces and attach"; down; return; fi
	tap ok "$mode: attach (lin, $( [ "$mode" = tc ] && echo "tc ingress" || echo "XDP ingress"), TC egress)"
	drv_start
	drv sync 0 || { tap fail "$mode: first sync" "$DRV_ANSWER"; drv_stop; down; return; }
	local before after
	before=$(drops)
	while IFS='|' read -r name from verdict reasons witness cmd <&3; do
		name=$(trim "$name")
		case $name in ''|'#'*) continue ;; esac
		[[ $name =~ $ONLY ]] || continue
		from=$(trim "$from"); verdict=$(trim "$verdict")
		reasons=$(trim "$reasons"); witness=$(trim "$witness"); cmd=$(trim "$cmd")
		tool=${cmd%% *}; args=${cmd#* }
		k=$((k + 1))
		t0=$EPOCHREALTIME
		: >"$TMP/case.out"
		case $tool in
		nmap)
			# shellcheck disable=SC2046,SC2086 # words of the table's command
			in_ns "$from" nmap $NMAP_OPTS $(expand "$args") >"$TMP/case.out" 2>&1
			rc=3 ;;  # nmap's status says nothing about the firewall
		scapy)
			drv send "$from" "$args"; rc=3
			[ "${DRV_ANSWER%% *}" = ok ] || { echo "$DRV_ANSWER" >"$TMP/case.out"; rc=2; } ;;
		sh)
			eval "$(expand "$args")" >"$TMP/case.out" 2>&1 </dev/null
			rc=$? ;;
		esac
		drv sync "$k" || { echo "$DRV_ANSWER" >>"$TMP/case.out"; rc=2; }
		after=$(drops)
		awk -v n="$name" -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%s %.2f\n", n, a - b }' >>"$TMP/times"
		names+=("$name"); froms+=("$from"); verdicts+=("$verdict"); reasonss+=("$reasons")
		witnesses+=("$witness"); rcs+=("$rc")
		moveds+=("$(join -a 2 -e 0 -o 0,1.2,2.2 <(echo "$before") <(echo "$after") |
			awk '$3 > $2 { printf "%s(+%d) ", $1, $3 - $2 }')")
		outs+=("$(tail -3 "$TMP/case.out" | tr '\n' ' ' | cut -c1-300)")
		before=$after
	done 3<"$HERE/cases.txt"
	drv_stop
	# The captures have written the last mark before they are stopped.
	for _ in $(seq 400); do
		sync_times "$TMP/in-$mode.pcap" "$SRV4" | grep -q "^$k " &&
			sync_times "$TMP/out-$mode.pcap" "$LIN4" | grep -q "^$k " && break
		sleep 0.05
	done
	# The listeners: nothing from out, from srv only documented ports.
	local strays
	strays=$(awk -v out4="$OUT4" -v out6="$OUT6" -v s4="$SRV4" -v s6="$SRV6" '
		$3 == out4 || $3 == out6 { print; next }
		($3 == s4 || $3 == s6) && !($1 == "tcp" && $2 == 22) && !($1 == "udp" && ($2 == 68 || $2 == 4011)) { print; next }
		$3 != s4 && $3 != s6 { print }' "$TMP/lin-listen.log" | sort | uniq -c | tr '\n' ';')
	if [ -z "$strays" ]; then tap ok "$mode: lin's listeners heard only documented peers on documented ports"
	else tap fail "$mode: lin's listeners heard undocumented traffic" "$strays"; fi
	down
	judge "$mode"
}

# Sync timestamps of a capture: "seq time" lines (the seq is the case's k).
sync_times() { # PCAP SOURCE
	tcpdump -r "$1" -tt -n "src host $2 and icmp[0] == 8 and $SYNC" 2>/dev/null |
		sed -n 's/^\([0-9.]*\) .* seq \([0-9]*\),.*/\2 \1/p'
}

judge() {
	local mode=$1 i k pcap lo hi seen want miss detail res pending desc
	local -A t_in t_out
	while read -r k t; do t_in[$k]=$t; done < <(sync_times "$TMP/in-$mode.pcap" "$SRV4")
	while read -r k t; do t_out[$k]=$t; done < <(sync_times "$TMP/out-$mode.pcap" "$LIN4")
	for i in "${!names[@]}"; do
		k=$((i + 1))
		if [ "${froms[$i]}" = lin ]; then
			pcap=$TMP/out-$mode.pcap; lo=${t_out[$((k - 1))]:-}; hi=${t_out[$k]:-}
		else
			pcap=$TMP/in-$mode.pcap; lo=${t_in[$((k - 1))]:-}; hi=${t_in[$k]:-}
		fi
		detail=()
		if [ -z "$lo" ] || [ -z "$hi" ]; then
			seen=-1; detail+=("no sync marks around the case in the capture")
		else
			seen=$(tcpdump -r "$pcap" -tt -n "$(expand "${witnesses[$i]}")" 2>"$TMP/filter.err" |
				awk -v lo="$lo" -v hi="$hi" '$1 > lo && $1 < hi' | tee "$TMP/seen" | wc -l)
			[ -s "$TMP/filter.err" ] && grep -v '^reading from' "$TMP/filter.err" | grep -q . &&
				{ seen=-1; detail+=("filter: $(grep -v '^reading from' "$TMP/filter.err" | head -1)"); }
		fi
		res=ok
		if [ "${verdicts[$i]}" = pass ]; then
			[ "$seen" -gt 0 ] || { res=fail; detail+=("the witness did not see it"); }
			[ "${rcs[$i]}" = 0 ] || [ "${rcs[$i]}" = 3 ] || { res=fail; detail+=("the flow failed: ${outs[$i]}"); }
			desc="$mode: ${names[$i]} passes (seen $seen)"
		else
			[ "$seen" -eq 0 ] || { res=fail; detail+=("the witness saw $seen: $(head -2 "$TMP/seen" | cut -c1-160 | tr '\n' ' ')"); }
			[ "${rcs[$i]}" = 0 ] && { res=fail; detail+=("it got its way: ${outs[$i]}"); }
			[ "${rcs[$i]}" = 2 ] && { res=fail; detail+=("the attack did not run: ${outs[$i]}"); }
			miss=""
			for want in ${reasonss[$i]}; do
				[ "$want" = - ] && continue
				[[ " ${moveds[$i]}" == *" $want("* ]] || miss="$miss $want"
			done
			[ -z "$miss" ] || { res=fail; detail+=("counters that did not grow:$miss" "output: ${outs[$i]}"); }
			desc="$mode: ${names[$i]} stopped: ${moveds[$i]% }"
		fi
		pending=0
		[[ " $ATTACK_PENDING " == *" ${names[$i]} "* ]] && pending=1
		[[ " $ATTACK_PENDING " == *" $mode:${names[$i]} "* ]] && pending=1
		if [ "$pending" = 1 ]; then
			if [ "$res" = ok ]; then tap todo "$mode: ${names[$i]}: now secure, take it out of ATTACK_PENDING"
			else tap todo "$mode: ${names[$i]}: pending a fix (ATTACK_PENDING)" "${detail[@]}"; fi
		elif [ "$res" = ok ]; then tap ok "$desc"
		else tap fail "$mode: ${names[$i]} (expected ${verdicts[$i]} ${reasonss[$i]})" "${detail[@]}" "counters: ${moveds[$i]}"
		fi
	done
}

echo "TAP version 13"
for tool in nmap nft tcpdump jq atk6-thcping6; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (make deps)"; exit 0; }
done
"$PY" -c 'import scapy' 2>/dev/null || { echo "1..0 # SKIP python3-scapy is not installed (make deps)"; exit 0; }
if ! { mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS"; }; then echo "not ok 1 - mount a private bpffs"; exit 1; fi
if ! cgroup_make "pca-$$-$RANDOM"; then echo "not ok 1 - make a cgroup for the setsockopt guard"; exit 1; fi
started=$SECONDS
for mode in $MODES; do run_mode "$mode"; done
echo "# $n checks in $((SECONDS - started)) s; slowest cases (s): $(sort -k2 -rn "$TMP/times" | head -8 | tr '\n' ' ')"
echo "1..$n"
[ "$fails" -eq 0 ]
