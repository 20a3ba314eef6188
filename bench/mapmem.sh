#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Map memory (issue 14): what `portcullis status` reports as the kernel
# accounts it (fdinfo memlock, the per-bank address maps included) for
# the lab site (host lin) and for generated sites of SIZES hosts
# (bench/gen_site.py HOSTS 16 1), attached in the namespaces and on the
# private bpffs of tests/net/pair.sh. Prints "site<TAB>bytes<TAB>largest
# maps" lines; the targets: the lab site <= 16 MiB, 1,000,000 hosts
# <= 128 MiB.
#
#   sudo bench/mapmem.sh          SIZES="1000000" BUILD=build
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
SIZES=${SIZES:-1000000}
ID=pcmm$$-$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
[ "$(id -u)" = 0 ] || { echo "mapmem.sh: needs root" >&2; exit 1; }
# shellcheck source=tests/net/pair.sh
. "$ROOT/tests/net/pair.sh"
pair_up >/dev/null || exit 1

# measure NAME SITE: attach lin's rules, print the status' map memory.
measure() {
	srv "$PC" -q detach --all --pin-root "$PINS" >/dev/null 2>&1
	if ! srv "$PC" -q attach --cgroup "$CGROUP" -c "$2" --host lin \
		--pin-root "$PINS" eth0 >/dev/null 2>"$TMP/err"; then
		cat "$TMP/err" >&2
		printf '%s\tfail\n' "$1"
		return
	fi
	srv "$PC" status -j --pin-root "$PINS" | python3 -c '
import json, sys
m = json.load(sys.stdin)["map_memory"]
top = sorted(m["maps"].items(), key=lambda kv: -kv[1])[:4]
print("%s\t%d\t%s" % (sys.argv[1], m["bytes"],
      ", ".join("%s %.1f MiB" % (k, v / 2**20) for k, v in top)))' "$1"
}

measure "lab site (tests/lab/site.yaml)" "$ROOT/tests/lab/site.yaml"
for n in $SIZES; do
	python3 "$ROOT/bench/gen_site.py" "$n" 16 1 >"$TMP/site.yaml"
	measure "$n hosts, 16 rules" "$TMP/site.yaml"
done
