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
# The --confirm record and log of this pin root (pair.sh sets PINS).
confirm_files() { echo "/run/portcullis/$(tr / _ <<<"$PINS")"; }
forget_confirm() { rm -f "$(confirm_files)".confirm*; }
PAIR_CLEANUP=forget_confirm
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
pair_up --spare 192.0.2.66
cat >"$TMP/site.yaml" <<EOT
hosts:
  - {name: srv, kinds: [management-server], addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
EOT
# The same and one more client: two paths gain a peer.
sed '$a\  - {name: cli2, kinds: [management-client], addresses: [192.0.2.21]}' \
	"$TMP/site.yaml" >"$TMP/site2.yaml"

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

# --- no peers, no enforcement without asking ---
# srv alone: a site in which no host talks to it.
head -2 "$TMP/site.yaml" >"$TMP/alone.yaml"
refused() { # refused REGEX COMMAND...: exit 1, says REGEX
	local regex=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 1 ] && grep -qE -- "$regex" <<<"$out"
}
check "reload to a site without peers is refused, saying why and what to do" \
	refused "no peer at all.*--allow-empty" pc reload -c "$TMP/alone.yaml"
check "the policy in force is unchanged" test "$(generation)" = "$gen"
check "with --allow-empty it goes through" pc -q reload --allow-empty -c "$TMP/alone.yaml"
check "detach" pc -q detach --all
check "attach --role linux without a site is refused" \
	refused "no peer at all.*without a site file.*--allow-empty" pc attach --role linux eth0
check "nothing is pinned after the refusal" test ! -e "$PINS/maps"
check "the daemon refuses it too, and exits" \
	refused "no peer at all" timeout 10 nsenter --net="/run/netns/$ID-srv" "$PC" daemon --role linux --pin-root "$PINS" eth0
check "audit mode drops nothing: not refused" pc -q attach --role linux --mode audit eth0
check "--allow-empty enforces it" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' -q attach --role linux --allow-empty --pin-root '$PINS' eth0 &&
	 nsenter --net=/run/netns/$ID-srv '$PC' status -j --pin-root '$PINS' | jq -e '.mode == \"enforce\"'"
check "detach" pc -q detach --all

# --- sessions in progress ---
# Long-lived TCP sessions to srv:22016 opened before attach: one from cli
# (allowed by the site), one from 192.0.2.66 (in no site).
srv_bg() { (exec nsenter --net="/run/netns/$ID-srv" "$@" </dev/null >/dev/null 2>>"$TMP/bg.log") & }
peer_bg() { (exec nsenter --net="/run/netns/$ID-peer" "$@" </dev/null >/dev/null 2>>"$TMP/bg.log") & }
session_up() { # FROM-ADDRESS: srv sees it established
	srv ss -Htn state established "sport = :22016 and dst $1" | grep -q .
}
session_port() { srv ss -Htn state established "sport = :22016 and dst $1" | awk '{split($4, a, ":"); print a[2]; exit}'; }
srv_bg socat TCP-LISTEN:22016,bind=192.0.2.10,reuseaddr,fork EXEC:cat
check "a server listens on srv:22016" wait_socket "$ID-srv" tcp 192.0.2.10 22016
peer_bg socat TCP:192.0.2.10:22016,bind=192.0.2.20 EXEC:"sleep 600"
peer_bg socat TCP:192.0.2.10:22016,bind=192.0.2.66 EXEC:"sleep 600"
check "the allowed session is established" wait_until 10 session_up 192.0.2.20
check "the session from 192.0.2.66 is established" wait_until 10 session_up 192.0.2.66
cut_refused() {
	local out rc
	out=$(pc attach -c "$TMP/site.yaml" eth0 2>&1); rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 1 ] && grep -q "would cut 1 management session" <<<"$out" &&
		grep -q "192.0.2.10:22016 <-> 192.0.2.66:" <<<"$out" &&
		grep -q -- "--cut-sessions" <<<"$out" && ! grep -q "192.0.2.20" <<<"$out"
}
check "attach refuses, naming the session from 192.0.2.66 only (exit 1)" cut_refused
check "nothing is attached after the refusal" test ! -e "$PINS/maps"
own_ssh() {
	SSH_CONNECTION="192.0.2.66 $(session_port 192.0.2.66) 192.0.2.10 22016" \
		pc attach -c "$TMP/site.yaml" eth0 2>&1 | grep -q "192.0.2.66:.*your own SSH session"
}
check "the session of \$SSH_CONNECTION is called the operator's own" own_ssh
check "with --cut-sessions attach goes through" pc -q attach -c "$TMP/site.yaml" --cut-sessions eth0
check "the allowed session is still established" session_up 192.0.2.20
check "attach again: the session the policy in force cuts already does not count" \
	pc -q attach -c "$TMP/site.yaml" eth0
dry_names() {
	local out rc
	out=$(pc reload -n --allow-empty -c "$TMP/alone.yaml" 2>&1); rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 1 ] && grep -q "would cut tcp 192.0.2.10:22016 <-> 192.0.2.20:" <<<"$out"
}
check "a dry run names the sessions a reload would cut" dry_names
check "a reload that cuts the allowed session is refused" \
	refused "would cut 1 management session" pc reload --allow-empty -c "$TMP/alone.yaml"
check "the same in audit mode is not refused (nothing is cut)" \
	pc -q reload --allow-empty --mode audit -c "$TMP/alone.yaml"
check "enforcing the site again would cut 192.0.2.66's session (audit let it be)" \
	refused "<-> 192.0.2.66:[0-9]+ \(wrong-peer\)" pc reload -c "$TMP/site.yaml" --mode enforce
check "back to the site, enforcing, with --cut-sessions" \
	pc -q reload -c "$TMP/site.yaml" --mode enforce --cut-sessions

# --- --confirm SECONDS ---
in_force() { # SITE: the recorded policy is SITE's (a dry run of it: no change)
	pc reload --dry-run -c "$1" >/dev/null 2>&1
}
gone() { ! kill -0 "$1" 2>/dev/null; }
waiter_pid() { cut -d' ' -f1 "$(confirm_files).confirm"; }
check "nothing to confirm: exit 1" rc_is 1 pc confirm
check "reload --confirm 5 to site2" pc reload --confirm 5 -c "$TMP/site2.yaml"
check "site2 is in force" in_force "$TMP/site2.yaml"
check "without confirm it rolls back to the site within 6 s" wait_until 6 in_force "$TMP/site.yaml"
check "the rollback is logged" grep -q "rolled back to srv" "$(confirm_files).confirm.log"
check "the allowed session survived it" session_up 192.0.2.20
check "confirm after the rollback: exit 1" rc_is 1 pc confirm
check "reload --confirm 5 to site2 again" pc -q reload --confirm 5 -c "$TMP/site2.yaml"
pid=$(waiter_pid)
check "confirm in time: exit 0" pc confirm
check "the waiter ($pid) ends" wait_until 6 gone "$pid"
check "site2 stays in force" in_force "$TMP/site2.yaml"
ifaces_are() { [ "$(pc status -j | jq -c '[.interfaces[].name] | sort')" = "$1" ]; }
check "attach --confirm 3 of the site on eth1 as well" \
	pc -q attach -c "$TMP/site.yaml" --confirm 3 eth1
check "both interfaces are attached, under the site" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' status -j --pin-root '$PINS' | jq -e '[.interfaces[].name] | sort == [\"eth0\", \"eth1\"]' &&
	 nsenter --net=/run/netns/$ID-srv '$PC' reload -n -c '$TMP/site.yaml' --pin-root '$PINS'"
check "without confirm eth1 comes off within 4 s" wait_until 4 ifaces_are '["eth0"]'
check "and site2 is back on eth0" wait_until 4 in_force "$TMP/site2.yaml"
check "detach" pc -q detach --all
# A terminal that goes away takes nothing with it: the command runs in a
# session of its own whose process group gets SIGHUP as soon as it returns,
# as when an SSH connection drops.
hup_session() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid -w bash -c 'trap "" HUP; nsenter --net="/run/netns/$1" "$2" -q attach -c "$3" --cut-sessions \
		--confirm 3 --pin-root "$4" eth0; rc=$?; kill -HUP -- -$$; exit $rc' \
		_ "$ID-srv" "$PC" "$TMP/site.yaml" "$PINS"
}
check "attach --confirm 3 with nothing attached, then its session hung up" hup_session
check "it is attached" test -e "$PINS/maps"
check "without confirm it detaches within 4 s" wait_until 4 not test -e "$PINS/maps"
check "the daemon takes no --confirm" rc_is 2 pc daemon --confirm 5 eth0
check "--dry-run and --confirm together: usage error" rc_is 2 pc reload -n --confirm 5

tap_end
