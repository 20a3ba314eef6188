#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# From audit to enforce with `portcullis advise`, on the HCSM lab
# (topology.sh, daemons.sh, flows.txt) with a site file that has three
# deliberate mistakes, as a first site file often has:
#
#   segment A 192.0.2.0/24 (the lab's, plus two parties of this test)
#   srv .10   cli .20   cli2 .21   lin .31   mon .60   ... the rest of the lab
#    |         |         |          |         |
#    |   HTTP GUI moved to 8080     |         +-- tcp 9100 -> lin (monitoring)
#    |   on srv, not in the site    |
#    +------- cli2: a second management client the site forgot
#
#   1. cli2 (a management client) is missing from hosts:
#   2. the server's HTTP GUI port is 8080; the site says the default 22015
#   3. mon polls lin on tcp 9100 (a site-specific monitoring flow); the
#      site declares mon but not the flow
#
# portcullis runs in audit mode on srv, cli, lin and lin2 while every flow
# of the lab (HTTP on 8080) and the two extra ones happen for real; then
# `advise -j` on each must name each mistake with its exact snippet. With
# the planted site in enforce mode the three flows fail; with the snippets
# merged into the site file (as an operator would paste them) every flow
# passes in enforce mode. Every portcullis command runs in the lab's
# namespaces (nsenter), pins on a private bpffs; nothing is left behind.
set -u
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}

LAB_ID=${LAB_ID:-pca$$-$RANDOM}
ENFORCERS="srv cli lin lin2"
HTTP_PORT=8080

# shellcheck source=tests/lab/harness.sh
. "$LAB_DIR/harness.sh"
# The two parties of this test, on segment A.
LAB_HOSTS="$LAB_HOSTS
cli2 a 21 sw
mon a 60 sw
"

cleanup() {
	trap - EXIT INT TERM
	lab_teardown
}
trap cleanup EXIT
trap 'exit 130' INT TERM
TAP_FD=1

pc_in() { local h=$1; shift; lab_in "$h" "$PC" "$@" --pin-root "$PIN_BASE/$h"; }

# The planted site: the lab's, plus mon (declared, its flow not), without
# cli2 and without the changed HTTP port.
PLANTED=$WORK/planted.yaml
python3 - "$LAB_DIR/site.yaml" "$PLANTED" <<'EOF' || { tap FAIL "write the planted site"; tap_end; exit; }
import sys, yaml
site = yaml.safe_load(open(sys.argv[1]))
site['kinds'] = site.get('kinds', []) + ['monitoring-server']
site['hosts'].append({'name': 'mon', 'kinds': ['monitoring-server'],
                      'addresses': ['192.0.2.60', '2001:db8:a::60']})
yaml.safe_dump(site, open(sys.argv[2], 'w'), sort_keys=False)
EOF

# Every flow of the lab (flows.txt), the HTTP GUI on its new port, and
# the two flows the planted site lacks. Prints "ok|FAIL label" lines.
EXTRA_FLOWS="
planted-1 - cli2 srv https 22016
planted-3 - mon lin tcp 9100
"
run_flows() {
	local row counts ini resp method args fam
	while read -r row counts ini resp method args; do
		case $row in ''|'#'*) continue ;; esac
		[ "$row" = A-1.1 ] && args=$HTTP_PORT
		for fam in $(case $method in tcp|udp) echo 4 6 ;; *) echo 4 ;; esac); do
			case $method in
			tcp|udp) "run_$method" "$fam" "$ini" "$resp" $args ;;
			*) "run_$method" "$ini" "$resp" $args ;;
			esac </dev/null >/dev/null 2>&1
			if [ $? -eq 0 ]; then echo "ok|$row $method $ini -> $resp $args (IPv$fam)"
			else echo "FAIL|$row $method $ini -> $resp $args (IPv$fam)"; fi
		done
	done < <(cat "$LAB_DIR/flows.txt"; echo "$EXTRA_FLOWS")
}

lab_start pcadv || { tap_end; exit; }
wait_until 10 lab_settled || tap FAIL "IPv6 addresses still tentative" "$(lab_tentative)"

if out=$("$PC" check -c "$PLANTED" 2>&1); then tap OK "the planted site is a valid site file"
else tap FAIL "the planted site is a valid site file" "$out"; fi
for h in $ENFORCERS; do
	if out=$(pc_in "$h" attach --mode audit --cgroup "$CGROUP" -c "$PLANTED" eth0 2>&1); then
		tap OK "attach in audit mode on $h"
	else
		tap FAIL "attach in audit mode on $h" "$out"
	fi
done

# --- audit: everything passes, the denied table fills ---
failed=$(run_flows | grep '^FAIL' | cut -d'|' -f2)
if [ -z "$failed" ]; then tap OK "audit mode: every flow of the lab and the planted ones went through"
else tap FAIL "audit mode: flows failed" "$failed"; fi

declare -A ADV
for h in $ENFORCERS; do
	ADV[$h]=$(pc_in "$h" advise -j -c "$PLANTED" 2>"$WORK/advise.err") ||
		tap FAIL "advise -j on $h" "$(cat "$WORK/advise.err")"
	pc_in "$h" advise -c "$PLANTED" >"$WORK/advise-$h.txt" 2>&1
done

# finding HOST ADVICE SNIPPET: advise on HOST has a finding of that kind
# with exactly that snippet; prints its explanation.
finding() {
	jq -e -r --arg a "$2" --arg s "$3" \
		'.findings[] | select(.advice == $a and (.snippet // "" | rtrimstr("\n")) == $s) | .explanation' \
		<<<"${ADV[$1]}" | head -1
}
check_finding() { # DESCRIPTION HOST ADVICE SNIPPET
	local why
	if why=$(finding "$2" "$3" "$4") && [ -n "$why" ]; then
		tap OK "$1 ($2: $why)"
	else
		tap FAIL "$1" "advise on $2 has no $3 finding with the snippet:" "$4" \
			"it said:" "$(cat "$WORK/advise-$2.txt")"
	fi
}

check_finding "mistake 1: cli2, a management client, missing from hosts:" srv missing-host \
	"$(printf 'hosts:\n  - name: host-192-0-2-21\n    kinds: [management-client]\n    addresses: [192.0.2.21]\n')"
check_finding "mistake 2: the HTTP port changed on the server (seen at the server)" srv port-parameter \
	"$(printf 'parameters:\n  hcsm-http-port: %s\n' "$HTTP_PORT")"
check_finding "mistake 2: the same, seen at the client" cli port-parameter \
	"$(printf 'parameters:\n  hcsm-http-port: %s\n' "$HTTP_PORT")"
check_finding "mistake 3: the monitoring flow mon -> lin tcp 9100 missing from flows:" lin new-flow \
	"$(printf '%s\n' 'flows:' '  - id: site-tcp-9100-mon-to-lin' \
		'    purpose: "seen by portcullis advise: tcp 9100 from mon to lin"' \
		'    protocols: [tcp]' \
		'    initiator: { kinds: [monitoring-server], port: auto }' \
		'    responder: { kinds: [linux], port: 9100 }')"

# No other advice with a snippet: the rest of the site is right, and
# advice to add anything else would be wrong.
snippets=$(for h in $ENFORCERS; do jq -c '.findings[] | select(.snippet != null) | .snippet' <<<"${ADV[$h]}"; done | sort -u)
if [ "$(grep -c . <<<"$snippets")" = 3 ]; then tap OK "no other snippet: the three mistakes are all advise would add"
else tap FAIL "only the three planted mistakes get snippets" "$snippets"; fi
# The counts: cli2's HTTPS connection came in on srv as one folded flow.
n=$(jq '[.findings[] | select(.advice == "missing-host") | .flows[]
	| select(.direction == "ingress" and .address == "192.0.2.21"
	         and .local_ports == ["22016"] and .remote_ports == ["32768-65535"])
	| .packets] | add // 0' <<<"${ADV[srv]}")
if [ "$n" -ge 1 ]; then tap OK "cli2's packets to srv:22016 counted on one entry, its port folded ($n packets)"
else tap FAIL "cli2's packets on one folded entry" "${ADV[srv]}"; fi
# Anything else advise found: not a failure, but shown.
for h in $ENFORCERS; do
	jq -r --arg h "$h" '.findings[] | select(.advice != "documented" and .advice != "broadcast") | "\($h): \(.advice): \(.explanation)"' \
		<<<"${ADV[$h]}" | sed 's/^/# /'
done
# Without -c: the site in force (what attach loaded), the same advice.
in_force=$(pc_in srv advise -j | jq -c '[.findings[].snippet]')
if [ "$in_force" = "$(jq -c '[.findings[].snippet]' <<<"${ADV[srv]}")" ]; then
	tap OK "advise without -c judges against the site in force: the same advice"
else tap FAIL "advise without -c: the same advice" "$in_force"; fi
# --since: a day holds every flow; a duration it cannot read is a usage error.
all=$(jq .flow_count <<<"${ADV[srv]}")
day=$(pc_in srv advise -j -c "$PLANTED" --since 1d | jq .flow_count)
if [ "$all" -gt 0 ] && [ "$day" = "$all" ]; then tap OK "advise --since 1d: all $all flows of srv"
else tap FAIL "advise --since 1d" "$day of $all flows"; fi
pc_in srv advise -c "$PLANTED" --since 5x >/dev/null 2>&1
rc=$?
if [ "$rc" = 2 ]; then tap OK "advise --since 5x: a usage error (exit 2)"
else tap FAIL "advise --since 5x exits 2" "exit $rc"; fi
# What an operator reads on the server.
sed 's/^/# /' "$WORK/advise-srv.txt"
if jq -e '.maps.denied_flows.entries > 0' <<<"$(pc_in srv status -j)" >/dev/null; then
	tap OK "status counts the entries of the denied-flow table"
else tap FAIL "status counts the denied-flow table" "$(pc_in srv status -j)"; fi

# --- the planted site in enforce mode: its mistakes are real ---
for h in $ENFORCERS; do
	pc_in "$h" reload -c "$PLANTED" --mode enforce >/dev/null 2>&1 ||
		tap FAIL "reload the planted site in enforce mode on $h"
done
if ! run_https cli2 srv 22016 </dev/null >/dev/null 2>&1 &&
   ! run_http cli srv "$HTTP_PORT" </dev/null >/dev/null 2>&1 &&
   ! run_tcp 4 mon lin 9100 </dev/null >/dev/null 2>&1; then
	tap OK "enforcing the planted site stops the three flows it gets wrong"
else
	tap FAIL "enforcing the planted site stops the three flows it gets wrong"
fi

# --- the snippets merged into the site file, then enforce ---
FIXED=$WORK/fixed.yaml
for h in $ENFORCERS; do jq -c '.findings[] | select(.snippet != null) | .snippet' <<<"${ADV[$h]}"; done |
	python3 -c '
import json, sys, yaml
site = yaml.safe_load(open(sys.argv[1]))
for line in sys.stdin:
    snip = yaml.safe_load(json.loads(line))
    for h in snip.get("hosts", []):
        if h["name"] not in [x["name"] for x in site["hosts"]]:
            site["hosts"].append(h)
    for f in snip.get("flows", []):
        if f["id"] not in [x["id"] for x in site.setdefault("flows", [])]:
            site["flows"].append(f)
    site.setdefault("parameters", {}).update(snip.get("parameters", {}))
yaml.safe_dump(site, open(sys.argv[2], "w"), sort_keys=False)
' "$PLANTED" "$FIXED"
if out=$("$PC" check -c "$FIXED" 2>&1); then tap OK "the site with the snippets merged is valid"
else tap FAIL "the site with the snippets merged is valid" "$out"; fi
diff -u "$PLANTED" "$FIXED" | sed 's/^/# /'
for h in $ENFORCERS; do
	if out=$(pc_in "$h" reload -c "$FIXED" --mode enforce 2>&1); then
		tap OK "reload the merged site in enforce mode on $h"
	else tap FAIL "reload the merged site in enforce mode on $h" "$out"; fi
done
failed=$(run_flows | grep '^FAIL' | cut -d'|' -f2)
if [ -z "$failed" ]; then tap OK "enforce mode with the merged site: every flow of the lab and the three planted ones pass"
else tap FAIL "enforce mode with the merged site: flows failed" "$failed"; fi
for h in $ENFORCERS; do
	mode=$(pc_in "$h" status -j | jq -r .mode)
	[ "$mode" = enforce ] || tap FAIL "$h enforces" "mode $mode"
done

tap_end
