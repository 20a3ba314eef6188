#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Reloads on port changes: atomic, no lost or wrong packets, counters kept;
# the daemon (file watch, SIGHUP, bad files, SIGKILL and restart, SIGTERM).
#
#   namespace $ID-srv                    namespace $ID-peer
#   +------------------+   veth pair    +---------------------------------+
#   | eth0 192.0.2.10  |----------------| eth0 192.0.2.20 cli              |
#   | portcullis: srv  |                |      192.0.2.21 cli2 (added later)|
#   +------------------+                |      192.0.2.31 lin, .32 win     |
#                                       +---------------------------------+
# Every check is one TAP line. Traffic is judged by its own sequence numbers
# (tests/tools/udpseq) and by the counters, never by timing.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
SEQ=$ROOT/$BUILD/tools/udpseq
RELOADS=${RELOADS:-1000}
ID=pcr$$-$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
SITE=$TMP/site.yaml
DAEMON_PID=""

kill_daemon() { [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null; }
PAIR_CLEANUP=kill_daemon
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
# Background processes: exec, so that $! is the process itself, and their
# output kept off the test's own stdout.
srv_bg() { (exec nsenter --net="/run/netns/$ID-srv" "$@" </dev/null 2>>"$TMP/bg.log") & }
peer_bg() { (exec nsenter --net="/run/netns/$ID-peer" "$@" </dev/null >/dev/null 2>>"$TMP/bg.log") & }
generation() { pc status -j | jq -r .generation; }
path_packets() { pc stats -j --all | jq -r --arg p "$1" '[.paths[] | select(.path == $p) | .packets] | add // 0'; }
counted_above() { [ "$(path_packets "$1")" -gt "$2" ]; } # PATH PACKETS

# TCP from a peer address to srv: the connection and a token echoed back.
tcp_ok() { # FROM PORT
	local tok="t$RANDOM"
	srv_bg socat -T3 -t3 "TCP-LISTEN:$2,bind=192.0.2.10,reuseaddr" EXEC:cat >/dev/null
	local l=$!
	wait_socket "$ID-srv" tcp 192.0.2.10 "$2" || { kill "$l"; wait "$l"; return 2; }
	local out
	# -t: wait for the echo after sending, not socat's default half second.
	out=$(echo "$tok" | peer timeout 5 socat -T3 -t3 - "TCP:192.0.2.10:$2,bind=$1" 2>/dev/null)
	kill "$l" 2>/dev/null; wait "$l" 2>/dev/null
	[ "$out" = "$tok" ]
}
tcp_refused() { tcp_ok "$@"; [ $? = 1 ]; }
tcp_out_ok() { # srv -> peer address:port
	local tok="t$RANDOM"
	peer_bg socat -T3 -t3 "TCP-LISTEN:$2,bind=$1,reuseaddr" EXEC:cat
	local l=$!
	wait_socket "$ID-peer" tcp "$1" "$2" || { kill "$l"; wait "$l"; return 2; }
	local out
	out=$(echo "$tok" | srv timeout 5 socat -T3 -t3 - "TCP:$1:$2" 2>/dev/null)
	kill "$l" 2>/dev/null; wait "$l" 2>/dev/null
	[ "$out" = "$tok" ]
}
tcp_out_refused() { tcp_out_ok "$@"; [ $? = 1 ]; }
# UDP datagrams from a peer address to srv:PORT, counted by the receiver.
udp_count() { # FROM PORT COUNT -> prints how many arrived
	srv_bg "$SEQ" recv 192.0.2.10 "$2" 700 >"$TMP/recv.json"
	local r=$!
	wait_socket "$ID-srv" udp 192.0.2.10 "$2" || { kill "$r"; wait "$r"; echo "no receiver"; return; }
	peer "$SEQ" send 192.0.2.10 "$2" "$3" 200 "$1:0" >/dev/null 2>&1
	wait "$r"
	jq -r .received "$TMP/recv.json"
}

write_site() { # extra YAML appended to the hosts
	cat >"$SITE.new" <<EOT
hosts:
  - {name: srv, kinds: [management-server], os: windows, addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
  - {name: lin, kinds: [linux], addresses: [192.0.2.31]}
  - {name: win, kinds: [windows], addresses: [192.0.2.32]}
$1
EOT
	mv "$SITE.new" "$SITE" # a rename over the file, as editors do
}

# --- the two namespaces ---
pair_up 192.0.2.21 192.0.2.31 192.0.2.32 || { tap FAIL "set up the namespaces"; tap_end; exit; }

write_site ""
check "attach srv" pc attach --cgroup "$CGROUP" -c "$SITE" eth0
check "the client reaches 22015" tcp_ok 192.0.2.20 22015
before=$(path_packets A-1.1-http-gui)

# --- port changes: clients follow, counters continue ---
write_site "parameters: {hcsm-http-port: 22115}"
check "reload with hcsm-http-port 22115 reports A-1.1 changed" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' reload -j --pin-root '$PINS' >'$TMP/reload.json' && jq -e '.changes[] | select(.path == \"A-1.1-http-gui\" and .change == \"changed\")' '$TMP/reload.json'"
check "reload -j in docs/json.md's words: host, role, rule_count, *_ms" jq -e \
	'.host == "srv" and .role == null and (.rule_count | type) == "number"
	 and (.compile_ms | type) == "number" and (.flip_ms | type) == "number" and .flip_ms >= .compile_ms' "$TMP/reload.json"
check "the old port 22015 is refused" tcp_refused 192.0.2.20 22015
check "the new port 22115 is accepted" tcp_ok 192.0.2.20 22115
check "A-1.1's counters carried on (before: $before)" test "$(path_packets A-1.1-http-gui)" -gt "$before"

write_site "parameters: {hcsm-http-port: 22115, snmp-trap-port: 22601}"
check "reload: SNMP trap 162 -> 22601" pc reload
check "a trap to 162 is refused" test "$(udp_count 192.0.2.31 162 5)" = 0
check "a trap to 22601 arrives" test "$(udp_count 192.0.2.31 22601 5)" = 5

write_site "parameters: {hcsm-http-port: 22115, snmp-trap-port: 22601, windows-ephemeral-ports: 50000-50100}"
check "reload: Windows ephemeral range 50000-50100" pc reload
check "WMI to 49152 is refused now" tcp_out_refused 192.0.2.32 49152
check "WMI to 50050 passes" tcp_out_ok 192.0.2.32 50050

check "cli2 (192.0.2.21) is no client yet" tcp_refused 192.0.2.21 22115
write_site "  - {name: cli2, kinds: [management-client], addresses: [192.0.2.21]}
parameters: {hcsm-http-port: 22115, snmp-trap-port: 22601, windows-ephemeral-ports: 50000-50100}"
check "reload: a host added to a role reports new peers" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' reload -j --pin-root '$PINS' | jq -e '.changes[] | select(.path == \"A-1.1-http-gui\") | .detail | contains(\"+192.0.2.21\")'"
check "cli2 reaches 22115" tcp_ok 192.0.2.21 22115
write_site "parameters: {hcsm-http-port: 22115, snmp-trap-port: 22601, windows-ephemeral-ports: 50000-50100}"
check "reload: the host removed again" pc reload
check "cli2 is refused again" tcp_refused 192.0.2.21 22115

check "lin reaches ftsvc 26508 (Deployment Manager on)" tcp_ok 192.0.2.31 26508
dm=$(path_packets A-3.11-disk-config-check)
write_site "parameters: {hcsm-http-port: 22115, snmp-trap-port: 22601, windows-ephemeral-ports: 50000-50100}
parts: {deployment-manager: off}"
# 19 of A-3's 21 rows: rows 1 and 7 need a separate DHCP server (note 1).
check "reload: Deployment Manager off removes its 19 paths, all of A-3" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' reload -j --pin-root '$PINS' |
	 jq -e '.removed == 19 and ([.changes[] | select(.change == \"removed\") | .path | startswith(\"A-3.\")] | all)'"
check "ftsvc 26508 is refused" tcp_refused 192.0.2.31 26508
check "the removed path stays in stats with its last value ($dm)" test "$(path_packets A-3.11-disk-config-check)" = "$dm"

# --- a bad file changes nothing ---
gen=$(generation)
cp "$SITE" "$TMP/good.yaml"
printf 'hosts:\n  - {name: srv, kinds: [management-srever], addresses: [192.0.2.10]}\n' >"$SITE"
check "a bad file is refused with file:line:column" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' reload --pin-root '$PINS' 2>&1 | grep -q 'site.yaml:2:25: error: unknown kind .management-srever.; did you mean .management-server.'"
check "and nothing changed (generation $gen)" test "$(generation)" = "$gen"
check "the client still reaches 22115" tcp_ok 192.0.2.20 22115
cp "$TMP/good.yaml" "$SITE"

# --- established flows are judged again, or kept when the site says so ---
# srv answers the first datagram: only a flow the host answered has a
# connection entry (an inbound packet leaves a stamp, the answer makes the
# entry), and only an entry is kept.
recheck() { # SETTING -> datagrams that arrived of 40, port 22601 closed half-way
	write_site "parameters: {hcsm-http-port: 22115, snmp-trap-port: 22601}
settings: {on-reload: $1}"
	pc reload >/dev/null || return 1
	srv_bg "$SEQ" recv 192.0.2.10 22601 1500 answer >"$TMP/recv.json"
	local r=$! base
	wait_socket "$ID-srv" udp 192.0.2.10 22601 || { echo "no receiver"; return 1; }
	base=$(path_packets A-2.12-snmp-trap)
	peer_bg "$SEQ" send 192.0.2.10 22601 40 50000 192.0.2.31:40162
	local s=$!
	# The flow is under way once srv counted some of it.
	wait_until 10 counted_above A-2.12-snmp-trap $((base + 4)) || { echo "the flow did not start"; return 1; }
	write_site "parameters: {hcsm-http-port: 22115, snmp-trap-port: 162}
settings: {on-reload: $1}"
	pc reload >/dev/null
	wait "$s"; wait "$r"
	jq -r .received "$TMP/recv.json"
}
got=$(recheck recheck)
check "recheck: a flow the new policy refuses is cut at its next packet ($got of 40)" \
	test "$got" -gt 0 -a "$got" -lt 40
got=$(recheck keep-established)
check "keep-established: the flow goes on to the end ($got of 40)" test "$got" = 40

# --- under load: many reloads, no allowed packet lost, no denied one through ---
write_site "parameters: {hcsm-http-port: 22015}"
cp "$SITE" "$TMP/a.yaml"
write_site "parameters: {hcsm-http-port: 22115}"
cp "$SITE" "$TMP/b.yaml"
pc reload -c "$TMP/a.yaml" >/dev/null
srv_bg "$SEQ" recv 192.0.2.10 162 2000 >"$TMP/allowed.json"
ra=$!
srv_bg "$SEQ" recv 192.0.2.10 9999 2000 >"$TMP/denied.json"
rd=$!
both_listen() { ns_has_socket "$ID-srv" -lnu 192.0.2.10 162 && ns_has_socket "$ID-srv" -lnu 192.0.2.10 9999; }
check "the load's receivers are ready" wait_until 10 both_listen
peer_bg "$SEQ" send 192.0.2.10 162 2000000 250 192.0.2.31:40001
sa=$!
peer_bg "$SEQ" send 192.0.2.10 9999 2000000 250 192.0.2.31:40002
sd=$!
last=0
monotonic=1
bad_reloads=0
printf 'hosts: [\n' >"$TMP/bad.yaml"
bad_refused=0
bad_tries=0
for i in $(seq 1 "$RELOADS"); do
	if [ $((i % 2)) = 1 ]; then f=$TMP/b.yaml; else f=$TMP/a.yaml; fi
	pc -q reload -c "$f" >/dev/null || bad_reloads=$((bad_reloads + 1))
	# Now and then a bad file, under the same load: refused, nothing changes.
	if [ $((i % 100)) = 50 ]; then
		g=$(generation)
		bad_tries=$((bad_tries + 1))
		if ! pc -q reload -c "$TMP/bad.yaml" 2>"$TMP/bad.err" &&
		   grep -q "bad.yaml:[0-9]*:[0-9]*: error" "$TMP/bad.err" && [ "$(generation)" = "$g" ]; then
			bad_refused=$((bad_refused + 1))
		fi
	fi
	if [ $((i % 100)) = 0 ]; then
		now=$(path_packets A-2.12-snmp-trap)
		[ "$now" -ge "$last" ] || monotonic=0
		last=$now
	fi
done
kill "$sa" "$sd" 2>/dev/null; wait "$sa" "$sd" 2>/dev/null
wait "$ra" "$rd"
check "$RELOADS reloads all succeeded" test "$bad_reloads" = 0
check "bad files under load were refused with their position, nothing changed ($bad_refused of $bad_tries)" \
	test "$bad_refused" = "$bad_tries" -a "$bad_tries" -gt 0
check "the allowed flow lost nothing across $RELOADS reloads ($(jq -c . "$TMP/allowed.json"))" \
	jq -e '.received > 1000 and .missing == 0' "$TMP/allowed.json"
check "the denied flow got nothing through ($(jq -c . "$TMP/denied.json"))" jq -e '.received == 0' "$TMP/denied.json"
check "the path's counters only went up" test "$monotonic" = 1
check "the generation counted every reload" test "$(generation)" -gt "$RELOADS"

# --- the daemon ---
pc -q detach --all >/dev/null
write_site "parameters: {hcsm-http-port: 22015}"
start_daemon() {
	(exec nsenter --net="/run/netns/$ID-srv" "$PC" daemon --cgroup "$CGROUP" -c "$SITE" --pin-root "$PINS" eth0 \
		</dev/null >>"$TMP/daemon.log" 2>&1) &
	DAEMON_PID=$!
	# This daemon's line: a restarted one appends to the same log.
	wait_line "$TMP/daemon.log" "daemon: running \(pid $DAEMON_PID\)"
}
generation_above() { [ "$(generation)" -gt "$1" ]; }
wait_generation_above() { wait_until 10 generation_above "$1"; }
check "the daemon starts and attaches" start_daemon
gen=$(generation)
write_site "parameters: {hcsm-http-port: 22115}"
check "saving the file (rename over it) reloads" wait_generation_above "$gen"
check "the daemon logged what changed" grep -q "changed  A-1.1-http-gui" "$TMP/daemon.log"
check "the new port works" tcp_ok 192.0.2.20 22115
gen=$(generation)
echo "hosts: [" >"$SITE"
check "a bad file is logged with its position" wait_line "$TMP/daemon.log" "site.yaml:[0-9]+:[0-9]+: error"
check "and the last good policy stays (generation $gen)" test "$(generation)" = "$gen"
check "the port of the last good policy still works" tcp_ok 192.0.2.20 22115
write_site "parameters: {hcsm-http-port: 22115}"
gen=$(generation)
hup_reloads() { kill -HUP "$DAEMON_PID" && wait_generation_above "$1"; }
check "SIGHUP reloads" hup_reloads "$gen"

# SIGKILL under traffic: enforcement lives in the kernel, nothing is lost.
srv_bg "$SEQ" recv 192.0.2.10 162 1500 >"$TMP/allowed.json"
ra=$!
check "the receiver is ready" wait_socket "$ID-srv" udp 192.0.2.10 162
base=$(path_packets A-2.12-snmp-trap)
peer_bg "$SEQ" send 192.0.2.10 162 4000 500 192.0.2.31:40003
sa=$!
check "the traffic flows" wait_until 10 counted_above A-2.12-snmp-trap "$base"
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=""
check "after SIGKILL the undocumented stays refused" tcp_refused 192.0.2.20 22999
check "a restarted daemon adopts the pinned state" start_daemon
wait "$sa"; wait "$ra"
check "no datagram lost while the daemon died and came back ($(jq -c . "$TMP/allowed.json"))" \
	jq -e '.received == 4000 and .missing == 0' "$TMP/allowed.json"
daemon_ends() { kill -TERM "$DAEMON_PID" && wait_until 10 not kill -0 "$DAEMON_PID"; }
check "SIGTERM ends the daemon cleanly" daemon_ends
DAEMON_PID=""
check "and enforcement stays in place" tcp_refused 192.0.2.20 22999
check "documented traffic still flows" tcp_ok 192.0.2.20 22115
check "detach leaves no state behind" sh -c "nsenter --net=/run/netns/$ID-srv '$PC' detach --all --pin-root '$PINS' && ! ls /run/portcullis/ 2>/dev/null | grep -q '$ID'"

tap_end
