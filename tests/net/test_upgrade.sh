#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A new build over an older build's pins, in place, under traffic: maps the
# older build lacked are created, maps of another definition are built anew
# with their contents carried over (counters by path slot and reason) or
# started empty (a connection table of another layout, said in one line);
# the programs are swapped on the hooks without a gap and only then do the
# pins move. An upgrade that fails before the swap changes nothing.
#
#   namespace $ID-srv                    namespace $ID-peer
#   +------------------+   veth pair    +---------------------------------+
#   | eth0 192.0.2.10  |----------------| eth0 192.0.2.20 cli              |
#   | portcullis: srv  |                |      192.0.2.31 lin (SNMP traps) |
#   +------------------+                +---------------------------------+
#
# "Older pins" are made the way an older build leaves them: a pin removed
# (a map that build did not have) or replaced by bpftool with a map of
# another definition holding known counts. Traffic is judged by sequence
# numbers (tests/tools/udpseq), a TCP stream by its echoes, never by time.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
SEQ=$ROOT/$BUILD/tools/udpseq
ID=pcu$$-$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
SITE=$TMP/site.yaml
BG=""

# shellcheck disable=SC2086 # a list of pids
kill_bg() { [ -n "$BG" ] && kill $BG 2>/dev/null; }
PAIR_CLEANUP=kill_bg
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
srv_bg() { (exec nsenter --net="/run/netns/$ID-srv" "$@" </dev/null 2>>"$TMP/bg.log") & }
peer_bg() { (exec nsenter --net="/run/netns/$ID-peer" "$@" </dev/null >/dev/null 2>>"$TMP/bg.log") & }
MAPS=$PINS/maps
path_packets() { pc stats -j --all | jq -r --arg p "$1" '[.paths[] | select(.path == $p) | .packets] | add // 0'; }
map_def() { bpftool -j map show pinned "$MAPS/$1" | jq -c '[.type, .bytes_key, .bytes_value, .max_entries, .flags]'; }
map_id() { bpftool -j map show pinned "$MAPS/$1" | jq -r .id; }
# The maps of the programs on eth0's hooks (XDP and TC), by id.
hook_map_ids() {
	srv bpftool -j net show dev eth0 |
		jq -r '.[] | (.xdp[]?, .tc[]?) | .id' | sort -u |
		while read -r p; do bpftool -j prog show id "$p" | jq -r '.map_ids[]'; done | sort -u
}
# Every map the programs on the hooks use that has a pin is the pinned one
# (pc_ifaces is userspace's alone; pc_clock and .rodata have no pin).
pins_are_the_hooks_maps() {
	local id name n=0
	for id in $(hook_map_ids); do
		name=$(bpftool -j map show id "$id" | jq -r .name)
		[ -e "$MAPS/$name" ] || continue
		[ "$(map_id "$name")" = "$id" ] || { echo "$name: the hooks use map $id, the pin is map $(map_id "$name")"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 15 ] || { echo "only $n pinned maps among the hooks'"; return 1; }
}
# A pinned map replaced by one of another definition: NAME TYPE KEY VALUE ENTRIES.
replace_pin() {
	rm -f "$MAPS/$1" && bpftool map create "$MAPS/$1" type "$2" key "$3" value "$4" entries "$5" name "$1"
}
le32() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
le64() { echo "$(le32 "$1") 00 00 00 00"; }
# counter NAME KEY PACKETS: one pc_counter (every CPU's slot) in a pinned map.
counter() {
	# shellcheck disable=SC2046
	bpftool map update pinned "$MAPS/$1" key hex $(le32 "$2") value hex $(le64 "$3") $(le64 "$3")
}
# The counter slot of a path, from pc_path_names.
path_slot() {
	bpftool -j map dump pinned "$MAPS/pc_path_names" |
		jq -r --arg p "$1" '.[] | select(.formatted.value.id == $p) | .formatted.key'
}
drop_packets() { pc stats -j --all | jq -r '[.drops[]? | .packets] | add // 0'; }

write_site() {
	cat >"$SITE" <<EOT
hosts:
  - {name: srv, kinds: [management-server], os: windows, addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
  - {name: lin, kinds: [linux], addresses: [192.0.2.31]}
EOT
}

# Traffic across one upgrade: an allowed and a denied UDP flow, and a TCP
# stream that must keep echoing.
traffic_start() {
	rm -f "$TMP/stop" "$TMP/started"
	srv_bg "$SEQ" recv 192.0.2.10 162 1500 >"$TMP/allowed.json"
	RA=$!
	srv_bg "$SEQ" recv 192.0.2.10 9999 1500 >"$TMP/denied.json"
	RD=$!
	srv_bg socat "TCP-LISTEN:22015,bind=192.0.2.10,reuseaddr" EXEC:cat
	RT=$!
	wait_socket "$ID-srv" udp 192.0.2.10 162 && wait_socket "$ID-srv" udp 192.0.2.10 9999 &&
		wait_socket "$ID-srv" tcp 192.0.2.10 22015 || return 1
	peer_bg "$SEQ" send 192.0.2.10 162 2000000 200 192.0.2.31:40001
	SA=$!
	peer_bg "$SEQ" send 192.0.2.10 9999 2000000 200 192.0.2.31:40002
	SD=$!
	# The stream: a line, its echo, until told to stop; fails on a lost echo.
	(exec nsenter --net="/run/netns/$ID-peer" "$PY" -c '
import os, socket, sys
s = socket.create_connection(("192.0.2.10", 22015), timeout=3, source_address=("192.0.2.20", 0))
n = 0
started = False
while not os.path.exists(sys.argv[1]) or n < 20:
    s.sendall(b"line %d\n" % n); want = b"line %d\n" % n; got = b""
    while len(got) < len(want):
        d = s.recv(100); assert d, "closed"; got += d
    assert got == want, got; n += 1
    if not started:
        open(sys.argv[2], "w").close(); started = True
print(n)
' "$TMP/stop" "$TMP/started" >"$TMP/stream.out" 2>>"$TMP/bg.log") &
	ST=$!
	BG="$RA $RD $RT $SA $SD $ST"
	wait_until 10 test -e "$TMP/started"
}
traffic_stop() {
	touch "$TMP/stop"
	wait "$ST"; STREAM_RC=$?
	kill "$SA" "$SD" 2>/dev/null; wait "$SA" "$SD" 2>/dev/null
	wait "$RA" "$RD"
	kill "$RT" 2>/dev/null; wait "$RT" 2>/dev/null
	BG=""
}
traffic_checks() { # PREFIX: what the traffic across one command must show
	check "$1the allowed flow lost nothing ($(jq -c . "$TMP/allowed.json"))" \
		jq -e '.received > 10 and .missing == 0' "$TMP/allowed.json"
	check "$1the denied flow got nothing through ($(jq -c . "$TMP/denied.json"))" \
		jq -e '.received == 0' "$TMP/denied.json"
	check "$1the TCP stream kept echoing ($(cat "$TMP/stream.out") lines)" test "$STREAM_RC" = 0
}

# --- the older build's pins, one way per case ---
older_missing() { rm -f "$MAPS/pc_lport_used" "$MAPS/pc_ct_seen"; }
older_drops() { # pc_drops of another size, with counts of its own
	replace_pin pc_drops percpu_array 4 16 8 || return 1
	counter pc_drops 2 1000000
}
older_path_stats() { # pc_path_stats of another size, A-1.1's slot counted
	local slot
	slot=$(path_slot A-1.1-http-gui)
	[ -n "$slot" ] || return 1
	replace_pin pc_path_stats percpu_array 4 16 $((2 * slot + 2)) || return 1
	counter pc_path_stats $((2 * slot)) 1000000
}
older_mixed() { older_missing && older_drops; }
older_ct() { # the connection table in another layout: it starts empty
	replace_pin pc_ct lru_hash 40 48 4096 && replace_pin pc_ct_new lru_hash 40 48 4096
}
want_none() { true; }
want_drops() { [ "$(drop_packets)" -ge 1000000 ]; }
want_path() { [ "$(path_packets A-1.1-http-gui)" -ge 1000000 ]; }
want_ct_note() { grep -q "pc_ct.*starts empty" "$TMP/up.err"; }

# --- set up, attach the "older build" ---
pair_up 192.0.2.31 || { tap FAIL "set up the namespaces"; tap_end; exit; }
write_site
check "attach srv" pc attach --cgroup "$CGROUP" -c "$SITE" eth0
declare -A DEF
for m in "$MAPS"/pc_*; do DEF[${m##*/}]=$(map_def "${m##*/}"); done
# The pins whose definition is not this build's (or that are missing).
differing() {
	local m
	for m in "${!DEF[@]}"; do [ "$(map_def "$m" 2>/dev/null)" = "${DEF[$m]}" ] || printf '%s ' "$m"; done
}
# eth0's XDP link, by its pin (bpftool lists every namespace's links).
xdp_link_id() {
	bpftool -j link show pinned "$PINS/links/xdp-$(srv ip -j link show eth0 | jq -r '.[0].ifindex')" | jq -r .id
}
xdp_link=$(xdp_link_id)

# name | older pins | upgrade by | what was carried
CASES="
missing-maps     older_missing     attach want_none
drops-resized    older_drops       reload want_drops
paths-resized    older_path_stats  attach want_path
ct-other-layout  older_ct          reload want_ct_note
daemon-start     older_mixed       daemon want_drops
"
while read -r name older by want; do
	[ -n "$name" ] || continue
	check "$name: make the older build's pins" "$older"
	changed=$(differing)
	check "$name: the pins differ from this build's ($changed)" test -n "$changed"
	check "$name: traffic runs" traffic_start
	if [ "$by" = daemon ]; then # the package's restart: a daemon's start,
		# with the capabilities portcullis.service leaves it (no CAP_SYS_ADMIN)
		: >"$TMP/up.err"
		(exec nsenter --net="/run/netns/$ID-srv" setpriv --bounding-set=-all,+bpf,+net_admin,+perfmon \
			"$PC" daemon --cgroup "$CGROUP" -c "$SITE" \
			--pin-root "$PINS" eth0 </dev/null >/dev/null 2>"$TMP/up.err") &
		dpid=$!
		check "$name: the daemon starts" wait_line "$TMP/up.err" "daemon: running \(pid $dpid\)"
		kill "$dpid"; wait "$dpid"
	elif [ "$by" = attach ]; then
		check "$name: attach upgrades in place" sh -c "nsenter --net=/run/netns/$ID-srv '$PC' attach --pin-root '$PINS' --cgroup '$CGROUP' -c '$SITE' eth0 2>'$TMP/up.err'"
	else
		check "$name: reload upgrades in place" sh -c "nsenter --net=/run/netns/$ID-srv '$PC' reload --pin-root '$PINS' 2>'$TMP/up.err'"
	fi
	traffic_stop
	check "$name: it said so" grep -q "upgraded in place" "$TMP/up.err"
	traffic_checks "$name: "
	check "$name: carried over" "$want"
	bad=$(differing)
	check "$name: every pin has this build's definition ($bad)" test -z "$bad"
	check "$name: the hooks' programs use the pinned maps" pins_are_the_hooks_maps
	check "$name: the XDP link was updated, not replaced ($xdp_link)" test "$(xdp_link_id)" = "$xdp_link"
	check_not "$name: a second reload has nothing to upgrade" sh -c \
		"nsenter --net=/run/netns/$ID-srv '$PC' reload --pin-root '$PINS' 2>&1 | grep 'upgraded in place'"
done <<<"$CASES"

# --- a record of an older build (no "build"): reload takes the programs
# over through the object, then records this build ---
RECORD=/run/portcullis/$(echo "$PINS" | tr / _).json
check "the record names this build" jq -e '.build | length == 16' "$RECORD"
jq 'del(.build)' "$RECORD" >"$TMP/rec.json" && cat "$TMP/rec.json" >"$RECORD"
check "traffic runs" traffic_start
check "reload over an older build's record" pc reload
traffic_stop
traffic_checks ""
check "the record names this build again" jq -e '.build | length == 16' "$RECORD"
check "the hooks' programs use the pinned maps" pins_are_the_hooks_maps

# --- an upgrade that fails changes nothing: before the swap, or after it
# (the older programs are put back) ---
hook_progs() { srv bpftool -j net show dev eth0 | jq -c '[.[] | (.xdp[]?, .tc[]?) | .id]'; }
older_drops
before=$(map_id pc_config)
progs=$(hook_progs)
check "traffic runs" traffic_start
check_not "an upgrade whose setsockopt guard fails after the swap fails" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' attach --pin-root '$PINS' --cgroup '$TMP/no-such-cgroup' -c '$SITE' eth0 2>'$TMP/up.err'"
traffic_stop
check "it says why ($(head -1 "$TMP/up.err"))" grep -q "no-such-cgroup" "$TMP/up.err"
check "the older programs are back on the hooks" test "$(hook_progs)" = "$progs"
check "the older pins are untouched" test "$(map_def pc_drops)" != "${DEF[pc_drops]}" -a "$(map_id pc_config)" = "$before"
traffic_checks ""
pc reload --dry-run >"$TMP/dry.out" 2>&1
check "reload --dry-run over older pins changes nothing" test "$(map_def pc_drops)" != "${DEF[pc_drops]}" \
	-a "$(map_id pc_config)" = "$before" -a "$(hook_progs)" = "$progs"
check_not "an upgrade run from another namespace is refused" sh -c \
	"nsenter --net=/run/netns/$ID-peer '$PC' reload --pin-root '$PINS' 2>'$TMP/up.err'"
check "it says why" grep -q "another network namespace" "$TMP/up.err"
check "the older pins are untouched" test "$(map_def pc_drops)" != "${DEF[pc_drops]}" -a "$(map_id pc_config)" = "$before"
check "the older build's programs are still on the hooks" test "$(hook_progs)" = "$progs"
check "and upgrades once run where it belongs" pc reload

tap_end
