#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every command that changes enforcement is a transaction: a failed attach
# leaves the policy in force, the hooks, the pins and the record as they
# were; concurrent reloads each report what they changed.
#
#   namespace $ID-srv                      namespace $ID-peer
#   +-----------------------------+  veth  +-----------------+
#   | eth0 192.0.2.10 portcullis  |--------| eth0 192.0.2.20 |
#   | eth1 (a foreign XDP program)|--------| eth1            |
#   +-----------------------------+        +-----------------+
#
# Pins live on a private bpffs; the record under /run/portcullis is named
# after that pin root and removed by detach. Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
ID=pct$$$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
RECORD=/run/portcullis/$(tr / _ <<<"$PINS")
generation() { pc status -j | jq -r .generation; }
record_sum() { cat "$RECORD.json" "$RECORD.site.yaml" | md5sum; }

# TCP from the peer to srv:PORT: the connection and a token echoed back
# (2: the listener never came up).
tcp_ok() { # PORT
	local tok="t$RANDOM" l out
	(exec nsenter --net="/run/netns/$ID-srv" socat -T3 -t3 "TCP-LISTEN:$1,bind=192.0.2.10,reuseaddr" EXEC:cat </dev/null >/dev/null 2>&1) &
	l=$!
	wait_socket "$ID-srv" tcp 192.0.2.10 "$1" || { kill "$l"; wait "$l"; return 2; }
	out=$(echo "$tok" | peer timeout 5 socat -T3 -t3 - "TCP:192.0.2.10:$1" 2>/dev/null)
	kill "$l" 2>/dev/null; wait "$l" 2>/dev/null
	[ "$out" = "$tok" ]
}
tcp_refused() { tcp_ok "$@"; [ $? = 1 ]; }

site() { # FILE HTTP-PORT
	cat >"$1" <<EOT
hosts:
  - {name: srv, kinds: [management-server], os: windows, addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
parameters: {hcsm-http-port: $2}
EOT
}

pair_up --spare || { tap FAIL "namespaces, veth pairs and a private bpffs"; tap_end; exit 1; }
site "$TMP/a.yaml" 22015
site "$TMP/b.yaml" 22115

# Someone else's XDP program on eth1: the smallest program that passes.
printf '%s\n' '__attribute__((section("xdp"), used)) int pass(void *ctx) { return 2; }' \
	'__attribute__((section("license"), used)) char _license[] = "GPL";' >"$TMP/pass.c"
check "build a foreign XDP program" clang -target bpf -O2 -c "$TMP/pass.c" -o "$TMP/pass.o"
check "attach it to eth1 with iproute2" env TC_BPF_MNT="$BPFFS" \
	nsenter --net="/run/netns/$ID-srv" ip link set dev eth1 xdpgeneric obj "$TMP/pass.o" sec xdp

check "attach a.yaml on eth0" pc attach --cgroup "$CGROUP" -c "$TMP/a.yaml" eth0
check "a.yaml is live: 22015 answers" tcp_ok 22015
gen=$(generation)
sum=$(record_sum)

# --- a failed attach changes nothing ---
# Each case: the interfaces and options, why it fails, whether the foreign
# program is on eth1. The last fails at the second hook, after eth1 was
# hooked: that hook is taken off again.
cases=(
	"eth0 eth1|a foreign XDP program on eth1|foreign"
	"eth1 eth0|the foreign program named first|foreign"
	"eth0 nosuch|an interface that does not exist|foreign"
	"--xdp-mode native eth1 lo|lo has no native XDP, eth1 was hooked first|none"
)
for c in "${cases[@]}"; do
	IFS='|' read -r args why foreign <<<"$c"
	if [ "$foreign" = none ]; then srv ip link set dev eth1 xdpgeneric off; fi
	# shellcheck disable=SC2086
	check "attach b.yaml $args exits 1 ($why)" sh -c \
		"nsenter --net=/run/netns/$ID-srv '$PC' attach --cgroup '$CGROUP' -c '$TMP/b.yaml' $args --pin-root '$PINS'; test \$? = 1"
	check "  the policy generation is still $gen" test "$(generation)" = "$gen"
	check "  the record under /run is unchanged" test "$(record_sum)" = "$sum"
	check "  a.yaml is still live: 22015 answers" tcp_ok 22015
	check "  b.yaml is not: 22115 is refused" tcp_refused 22115
	check "  only eth0 is attached" test "$(pc status -j | jq -c '[.interfaces[].name]')" = '["eth0"]'
	if [ "$foreign" = foreign ]; then
		check "  the foreign program is still on eth1" sh -c \
			"nsenter --net=/run/netns/$ID-srv ip -j link show dev eth1 | jq -e '.[0].xdp' >/dev/null"
	else
		check "  no XDP program left on eth1" sh -c \
			"! nsenter --net=/run/netns/$ID-srv ip -j link show dev eth1 | jq -e '.[0].xdp' >/dev/null"
		check "  one XDP link pinned: eth0's" test "$(ls "$PINS/links" | grep -c "^xdp-")" = 1
	fi
	check "  no TC filter or clsact added on eth1" sh -c \
		"! nsenter --net=/run/netns/$ID-srv tc qdisc show dev eth1 | grep -q clsact"
done
check "reload then finds nothing to change" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' reload -j --pin-root '$PINS' | jq -e '.changed == 0 and .added == 0 and .removed == 0'"

# --- two reloads at once: the second sees what the first put in force ---
exec {lock}<"$PINS"
flock -x "$lock"
for i in 1 2; do
	# (not holding the lock: the fd is closed in the child)
	(exec {lock}<&-; exec nsenter --net="/run/netns/$ID-srv" "$PC" reload -j -c "$TMP/b.yaml" \
		--pin-root "$PINS" >"$TMP/reload$i.json" 2>"$TMP/reload$i.err" </dev/null) &
	eval "r$i=\$!"
done
both_waiting() { [ "$(cat "$TMP"/reload?.err 2>/dev/null | grep -c 'waiting for another')" = 2 ]; }
check "both reloads wait for the lock" wait_until 10 both_waiting
exec {lock}<&-
# shellcheck disable=SC2154
wait "$r1"; rc1=$?; wait "$r2"; rc2=$?
check "both reloads succeed" test "$rc1$rc2" = 00
check "one reload reports A-1.1 changed, the other nothing" test \
	"$(jq -s -c '[.[].changed] | sort' "$TMP/reload1.json" "$TMP/reload2.json")" = "[0,1]"
check "b.yaml is live: 22115 answers" tcp_ok 22115

# --- the record gone (/run is a tmpfs): reload says so, changes nothing ---
mv "$RECORD.json" "$TMP/record.json"
out=$(pc reload 2>&1); rc=$?
check "reload without a record exits 1" test "$rc" = 1
check "  and says there is no record of the policy in force" grep -q "no record of the policy in force" <<<"$out"
mv "$TMP/record.json" "$RECORD.json"

check "detach --all" pc detach --all
check "the record is gone" test ! -e "$RECORD.json"

# --- maps pinned by something else: the kernel's refusal in plain words ---
mkdir -p "$PINS/maps"
bpftool map create "$PINS/maps/pc_config" type array key 4 value 4 entries 1 name pc_config
out=$(pc attach --cgroup "$CGROUP" -c "$TMP/a.yaml" eth0 2>&1); rc=$?
check "attach over a foreign pc_config pin exits 1" test "$rc" = 1
check "  and says the pinned maps do not fit" grep -q "refused the maps pinned under $PINS: they may be from another version" <<<"$out"
check "  eth0 was not touched" sh -c \
	"! nsenter --net=/run/netns/$ID-srv ip -j link show dev eth0 | jq -e '.[0].xdp' >/dev/null"
rm -rf "$PINS"
tap_end
