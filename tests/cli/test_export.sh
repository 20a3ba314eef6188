#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# portcullis export: every host and every kind of the lab site and of the
# example site as an nftables ruleset that nft itself accepts (`nft -c`,
# in a throwaway network namespace so that nothing of the host is read or
# touched), and every Windows-capable host and kind as a PowerShell script
# read back and compared rule by rule with `explain -j`.
set -u
BUILD=${BUILD:-build}
PC=${PC:-$BUILD/portcullis}
# shellcheck source=tests/cli/tap.sh
. "$(dirname "$0")/tap.sh"
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

have_nft=1
if ! command -v nft >/dev/null || [ "$(id -u)" -ne 0 ]; then
	have_nft=0 # nft -c needs netlink (root); 'make deps' installs nftables
fi

# nft_check NAME ARGS...: the export for ARGS loads in nft's check mode.
nft_check() {
	local name=$1; shift
	if ! "$PC" export --nft "$@" >"$work/out.nft" 2>"$work/err"; then
		notok "$name" "export failed: $(head -3 "$work/err")"; return
	fi
	if [ "$have_nft" -eq 0 ]; then skip "$name" "no nft or not root"; return; fi
	if unshare --net nft -c -f "$work/out.nft" 2>"$work/err"; then ok "$name"
	else notok "$name" "$(head -5 "$work/err")"; fi
}

# nft_shape NAME ARGS...: one rule line per compiled rule and address
# family of its peers, each counting on its path's counter, in the chain
# of its direction and addressing.
nft_shape() {
	local name=$1; shift
	local want got
	"$PC" export --nft "$@" >"$work/out.nft" 2>/dev/null &&
		"$PC" explain -j "$@" >"$work/rules.json" 2>/dev/null || {
		notok "$name" "export or explain failed"; return; }
	want=$(jq -r '.rules[] | . as $r | ([.remote[] | if test(":") then "ip6" else "ip" end] | unique[]) as $f |
		(if $r.direction == "egress" then "output" else
			(if $r.local_addressing == "unicast" then "in_ucast"
			 elif $r.local_addressing == "broadcast" then "in_bcast"
			 else "in_ucast in_bcast" end) end | split(" ")[]) as $c |
		"\($c) \($f) \($r.protocol) \(if $r.direction == "egress" then "out" else "in" end)_\($r.path)"' \
		"$work/rules.json" | sort)
	got=$(awk '/^\tchain /{c=$2} /meta l4proto/{for(i=1;i<=NF;i++){if($i=="ip"||$i=="ip6")f=$i; if($i=="name")cn=$(i+1)} print c, f, $3, cn}' \
		"$work/out.nft" | sort)
	if [ "$want" = "$got" ]; then ok "$name"
	else notok "$name" "$(diff <(echo "$want") <(echo "$got") | head -8)"; fi
}

# nft_fwd_shape NAME ARGS...: the forward chain's rule lines are explain
# --gateway -j's forward rules, in order: one per rule and address family
# that both its initiators and its destinations have, with its protocol,
# ports and path counter.
nft_fwd_shape() {
	local name=$1; shift
	local want got
	"$PC" export --nft --gateway "$@" >"$work/out.nft" 2>/dev/null &&
		"$PC" explain --gateway -j "$@" >"$work/rules.json" 2>/dev/null || {
		notok "$name" "export or explain failed"; return; }
	want=$(jq -r '.rules[] | select(.forward) | . as $r |
		def fams(a): [a[] | if test(":") then "ip6" else "ip" end];
		("ip", "ip6") as $f | select((fams($r.remote) | index($f)) != null and
			(fams($r.local) | index($f)) != null) |
		"\($f) \($r.protocol) \($r.local_ports | join(",") | sub("^any$"; "0-65535")) \($r.remote_ports | join(",") | sub("^any$"; "0-65535")) fwd_\($r.path)"' \
		"$work/rules.json")
	got=$(awk '/^\tchain /{c=$2} c == "fwd_rules" && /meta l4proto/ {
		d = "0-65535"; s = "0-65535"
		for (i = 1; i <= NF; i++) {
			if ($i == "dport") d = $(i + 1)
			if ($i == "sport") s = $(i + 1)
			if ($i == "saddr") f = $(i - 1)
			if ($i == "name") n = $(i + 1)
		}
		print f, $3, d, s, n }' "$work/out.nft")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "$name ($(wc -l <<<"$want") lines)"
	else notok "$name" "$(diff <(echo "$want") <(echo "$got") | head -8)"; fi
}

# win_check NAME ARGS...: the script says what explain -j says.
win_check() {
	local name=$1; shift
	if ! "$PC" export --windows "$@" >"$work/out.ps1" 2>"$work/err" ||
		! "$PC" explain -j "$@" >"$work/rules.json" 2>>"$work/err"; then
		notok "$name" "$(head -3 "$work/err")"; return
	fi
	if python3 tests/cli/winfw_parse.py "$work/out.ps1" "$work/rules.json" >"$work/cmp"; then
		ok "$name ($(tail -1 "$work/cmp"))"
	else notok "$name" "$(head -8 "$work/cmp")"; fi
}

kinds() { # every kind a host of the site holds or a catalog row names
	{ "$PC" check -c "$1" -j | jq -r '.hosts[].kinds[]'
	  "$PC" catalog -j | jq -r '.[] | .initiator.kinds[], .responder.kinds[]'; } | sort -u
}

for site in tests/lab/site.yaml policy/examples/site.yaml; do
	for h in $("$PC" check -c "$site" -j | jq -r '.hosts[].name'); do
		nft_check "nft -c accepts $site --host $h" -c "$site" --host "$h"
		nft_shape "nft rules of $site --host $h are explain's" -c "$site" --host "$h"
	done
	for k in $(kinds "$site"); do
		nft_check "nft -c accepts $site --role $k" -c "$site" --role "$k"
	done
	# Windows-capable: Windows hosts, Hyper-V, management clients, and a
	# management server that runs on Windows.
	for h in $("$PC" check -c "$site" -j | jq -r '.hosts[] | select(.kinds | any(. == "windows" or . == "hyper-v" or . == "management-client" or . == "management-server")) | .name'); do
		win_check "windows script of $site --host $h matches explain" -c "$site" --host "$h"
	done
	for k in windows hyper-v management-client management-server; do
		win_check "windows script of $site --role $k matches explain" -c "$site" --role "$k"
	done
done
nft_check "nft -c accepts the catalog alone (--role linux, no peers)" --role linux
# Gateway mode: the forward chain with the gateway's own rules (the lab's
# gw, named with --host or by its hosts' gateway: fields), and alone (the
# example site names no gateway).
nft_check "nft -c accepts the lab's gateway export (--gateway, gw found)" --gateway -c tests/lab/site.yaml
nft_check "nft -c accepts the lab's gateway export with its own rules (--host gw)" \
	--gateway -c tests/lab/site.yaml --host gw
nft_check "nft -c accepts the example site's gateway export" --gateway -c policy/examples/site.yaml
for args in "--host gw" "" "--host router"; do
	# shellcheck disable=SC2086
	nft_fwd_shape "nft forward rules of the lab's gateway${args:+ $args} are explain --gateway's" \
		-c tests/lab/site.yaml $args
done
nft_fwd_shape "nft forward rules of the example site's gateway are explain --gateway's" \
	-c policy/examples/site.yaml
"$PC" export --nft --gateway -c policy/examples/site.yaml >"$work/g.nft"
"$PC" export --nft --gateway -c tests/lab/site.yaml >"$work/gh.nft"
if grep -q 'hook forward' "$work/g.nft" && ! grep -q 'hook input' "$work/g.nft"; then
	ok "--gateway, no gateway host: a forward chain, input and output untouched"
else notok "--gateway, no gateway host: a forward chain only" "$(grep hook "$work/g.nft")"; fi
if [ "$(grep -c 'hook ' "$work/gh.nft")" -eq 3 ]; then ok "--gateway on the lab (gw named by its hosts): forward, input and output chains"
else notok "--gateway on the lab: three base chains" "$(grep hook "$work/gh.nft")"; fi
# One counter per forwarded path, each rule counting on its own path's.
got=$(grep -o 'counter name fwd_[^ ]*' "$work/g.nft" | sort -u | sed 's/counter name fwd_//')
want=$(grep -o '^	counter fwd_[^ ]*' "$work/g.nft" | sed 's/^	counter fwd_//' | sort -u)
if [ -n "$got" ] && [ "$got" = "$want" ]; then ok "every fwd_ counter is declared and used ($(wc -l <<<"$got") paths)"
else notok "fwd_ counters declared and used" "$(diff <(echo "$want") <(echo "$got") | head -5)"; fi

# The readers must see a wrong script: a changed port, a lost rule.
"$PC" export --windows -c tests/lab/site.yaml --host win >"$work/w.ps1"
"$PC" explain -j -c tests/lab/site.yaml --host win >"$work/w.json"
sed '0,/-LocalPort 135 /s//-LocalPort 136 /' "$work/w.ps1" >"$work/bad1.ps1"
awk '/^New-NetFirewallRule/ && !done {skip=1; done=1} skip && /Out-Null/ {skip=0; next} !skip' \
	"$work/w.ps1" >"$work/bad2.ps1"
sed 's/-DefaultOutboundAction Block/-DefaultOutboundAction Allow/' "$work/w.ps1" >"$work/bad3.ps1"
for bad in bad1 bad2 bad3; do
	if cmp -s "$work/w.ps1" "$work/$bad.ps1"; then notok "mutation $bad changed nothing" ""
	elif python3 tests/cli/winfw_parse.py "$work/$bad.ps1" "$work/w.json" >/dev/null; then
		notok "windows reader misses mutation $bad" ""
	else ok "windows reader sees mutation $bad"; fi
done

# Usage errors.
for args in "" "--nft --windows" "--nft --host srv --role linux" "--nft extra" \
	"--nft --gateway --role linux" "--windows --gateway"; do
	# shellcheck disable=SC2086
	"$PC" export $args -c tests/lab/site.yaml >/dev/null 2>"$work/err"; rc=$?
	if [ "$rc" -eq 2 ] && grep -q '^portcullis export: ' "$work/err"; then ok "usage error: export $args"
	else notok "usage error: export $args" "exit $rc" "$(head -2 "$work/err")"; fi
done
"$PC" export --nft -c tests/lab/site.yaml --host nosuch >/dev/null 2>"$work/err"; rc=$?
if [ "$rc" -eq 1 ] && grep -q "no host 'nosuch'" "$work/err"; then ok "unknown host: exit 1"
else notok "unknown host: exit 1" "exit $rc" "$(head -2 "$work/err")"; fi
"$PC" export --nft --gateway -c tests/lab/site.yaml --host nosuch >/dev/null 2>"$work/err"; rc=$?
if [ "$rc" -eq 1 ] && grep -q "no host 'nosuch'" "$work/err"; then ok "unknown gateway host: exit 1"
else notok "unknown gateway host: exit 1" "exit $rc" "$(head -2 "$work/err")"; fi

echo "1..$n"
[ "$fails" -eq 0 ]
