#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# No lockout (issue 11): reload --dry-run changes nothing and says whether
# there is something to do; a policy with no peer at all, or one that would
# cut a management session in progress, is refused unless asked for;
# --confirm rolls back unless `portcullis confirm` comes in time.
#
#   namespace $ID-srv (portcullis: srv)   veth   namespace $ID-peer
#   192.0.2.10                        <------->  192.0.2.20 cli (allowed)
#                                                192.0.2.66 (in no site)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
ID=pcl$$-$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
# A session of the test's own must not count as the operator's.
unset SSH_CONNECTION
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
pair_up 192.0.2.66
cat >"$TMP/site.yaml" <<EOT
hosts:
  - {name: srv, kinds: [management-server], addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
EOT
# The same and one more client: two paths gain a peer.
sed '$a\  - {name: cli2, kinds: [management-client], addresses: [192.0.2.21]}' \
	"$TMP/site.yaml" >"$TMP/site2.yaml"

pc() { srv "$PC" "$@" --pin-root "$PINS"; }
generation() { pc status -j | jq -r .generation; }
rc_is() { # rc_is CODE COMMAND...: COMMAND exits with CODE
	local want=$1 rc; shift
	"$@"; rc=$?
	echo "exit $rc (want $want)"
	[ "$rc" = "$want" ]
}

# --- reload --dry-run ---
check "attach srv" pc -q attach -c "$TMP/site.yaml" eth0
gen=$(generation)
check "dry run of the same policy: exit 0 (no change)" rc_is 0 pc reload --dry-run
check "dry run of a changed site: exit 1 (changes)" rc_is 1 pc reload --dry-run -c "$TMP/site2.yaml"
check "its JSON names the changed paths and says dry_run" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' reload -n -j -c '$TMP/site2.yaml' --pin-root '$PINS' |
	 jq -e '.dry_run == true and .changed == 2 and ([.changes[].path] | index(\"A-1.1-http-gui\") != null)'"
check "its text says nothing changed" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' reload -n -c '$TMP/site2.yaml' --pin-root '$PINS' | grep -q 'reload --dry-run: srv: generation $gen in force, nothing changed.*2 changed'"
check "dry run of audit mode: exit 1 (the mode changes)" rc_is 1 pc reload -n --mode audit
check "after the dry runs the generation is still $gen" test "$(generation)" = "$gen"
check "and the record still has the first site (a dry run of the same: exit 0)" \
	rc_is 0 pc reload --dry-run
check "usage errors stay 2" rc_is 2 pc reload --dry-run --host srv --role linux

tap_end
