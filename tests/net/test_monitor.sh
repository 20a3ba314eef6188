#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# portcullis monitor: denied packets reach userspace with their reason, and
# a flood is rate-limited in the kernel.
#
#   namespace $ID-srv (portcullis: srv)   veth   namespace $ID-peer
#   192.0.2.10                        <------->  192.0.2.20 (a client)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
SEQ=$ROOT/$BUILD/tools/udpseq
ID=pcm$$-$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
pair_up || { tap FAIL "set up the namespaces"; tap_end; exit; }
cat >"$TMP/site.yaml" <<EOT
hosts:
  - {name: srv, kinds: [management-server], addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
EOT
# monitor says nothing when it starts reading; its open ring buffer map
# (map_type 27, BPF_MAP_TYPE_RINGBUF) in /proc shows that it does. Events
# sent before that would wait in the ring, but the --seconds clock runs.
reads_ring() { grep -qs '^map_type:[[:space:]]*27$' /proc/"$1"/fdinfo/*; }

check "attach srv" srv "$PC" attach --cgroup "$CGROUP" -c "$TMP/site.yaml" --pin-root "$PINS" eth0

# One undocumented TCP connection attempt: the monitor shows it.
(exec nsenter --net="/run/netns/$ID-srv" "$PC" monitor -j --count 1 --seconds 5 \
	--pin-root "$PINS" >"$TMP/one.json" 2>/dev/null) &
mon=$!
check "the monitor reads the event ring" wait_until 10 reads_ring "$mon"
peer timeout 2 socat -T1 - TCP:192.0.2.10:2222,sourceport=40123 </dev/null >/dev/null 2>&1
wait "$mon"
check "a denied SYN is reported with its reason, addresses and ports" jq -e -s \
	'.[0] | .reason == "no-rule" and .direction == "ingress" and .verdict == "drop"
	 and .protocol == "tcp" and .source == "192.0.2.20:40123" and .destination == "192.0.2.10:2222"' \
	"$TMP/one.json"

# A flood of 5,000 undocumented datagrams in well under a second: the
# kernel reports at most PC_EVENTS_PER_SEC a second per CPU.
(exec nsenter --net="/run/netns/$ID-srv" "$PC" monitor -j --seconds 3 \
	--pin-root "$PINS" >"$TMP/flood.json" 2>/dev/null) &
mon=$!
check "the monitor reads the event ring again" wait_until 10 reads_ring "$mon"
peer "$SEQ" send 192.0.2.10 9999 5000 0 >/dev/null 2>&1
wait "$mon"
shown=$(wc -l <"$TMP/flood.json")
cpus=$(nproc)
check "a flood is rate-limited: $shown of 5000 reported (at most $((200 * 2 * cpus)))" \
	test "$shown" -gt 0 -a "$shown" -le $((200 * 2 * cpus))
check "every reported one is denied for no rule, nearly all of them the flood's" jq -e -s \
	'all(.[]; .reason == "no-rule") and ([.[] | select(.destination == "192.0.2.10:9999")] | length) >= (length - 5)' \
	"$TMP/flood.json"
check "the drop counters still count all of them" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' stats -j --pin-root '$PINS' | jq -e '[.drops[] | select(.reason == \"no-rule\") | .packets] | add >= 5000'"
# --count N prints N, and drops queued before the start are history: 40
# denied datagrams to 9997 wait in the ring, then monitor starts, then 20
# more to 9996: exactly 3 lines, all of the second burst.
norule() { srv "$PC" stats -j --pin-root "$PINS" | jq '[.drops[] | select(.reason == "no-rule") | .packets] | add // 0'; }
before=$(norule)
peer "$SEQ" send 192.0.2.10 9997 40 0 >/dev/null 2>&1
# The veth hands frames to XDP asynchronously: wait until all 40 are judged.
for _ in $(seq 100); do [ "$(norule)" -ge $((before + 40)) ] && break; sleep 0.05; done
(exec nsenter --net="/run/netns/$ID-srv" "$PC" monitor -j --count 3 --seconds 5 \
	--pin-root "$PINS" >"$TMP/count.json" 2>"$TMP/count.err") &
mon=$!
for _ in $(seq 100); do grep -q "watching" "$TMP/count.err" && break; sleep 0.05; done
peer "$SEQ" send 192.0.2.10 9996 20 0 >/dev/null 2>&1
wait "$mon"
check "monitor --count 3 prints exactly 3, none from before it started ($(wc -l <"$TMP/count.json") lines)" jq -e -s \
	'length == 3 and all(.[]; .destination == "192.0.2.10:9996")' "$TMP/count.json"
unattached() {
	local out rc
	out=$("$PC" monitor --pin-root "$BPFFS/none" 2>&1); rc=$?
	[ "$rc" = 1 ] && grep -q "nothing is attached there" <<<"$out"
}
check "monitor without anything attached: plain words, exit 1" unattached
check "detach removes the event maps too" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' detach --all --pin-root '$PINS' && test ! -e '$PINS'"

tap_end
