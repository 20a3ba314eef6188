#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The HCSM lab: a whole site in network namespaces (topology.sh), portcullis
# attached on every Linux-side host (srv, cli, lin, lin2, smtp, dm, auth,
# dhcp) and in gateway
# mode on gw, in front of the parties that cannot run it (win, hv, esx
# bridged, svp, bmc, hvm routed), with one site file; every documented flow
# sent for real (flows.txt), undocumented probes that must fail, and the
# counters that must match.
#
# usage: lab.sh [--report] [--no-enforce] [--gateway-nft]
#   --report      a summary for people (make demo) besides the TAP lines
#   --no-enforce  run without portcullis (shows that the flows themselves work)
#   --gateway-nft gw runs `export --nft --gateway --host gw` (nftables with
#                 br_netfilter) instead of portcullis; only the flows and
#                 probes that cross gw, judged the same way
# LAB_GW_INGRESS=tc: the gateway's ingress on tc instead of XDP.
# LAB_HOOKS=FILE: a file sourced after the lab's own, whose lab_hook_enforce
# brings the enforcement up on the hosts it names in LAB_HOOK_HOSTS
# instead of lab.sh's attach, lab_hook_after runs
# after the probes, and lab_hook_cleanup (optional) before the teardown.
set -u
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
SITE=${LAB_SITE:-$LAB_DIR/site.yaml}
REPORT=0
ENFORCE=1
GW_NFT=0
for a in "$@"; do
	case $a in
	--report) REPORT=1 ;;
	--no-enforce) ENFORCE=0 ;;
	--gateway-nft) GW_NFT=1 ;;
	*) echo "usage: $0 [--report] [--no-enforce] [--gateway-nft]" >&2; exit 2 ;;
	esac
done

# Every Linux-side host of the site enforces its own rules.
ENFORCERS="srv cli lin lin2 smtp dm auth dhcp"
# gw enforces in gateway mode when this portcullis has it.
GATEWAY=0
if [ "$ENFORCE" = 1 ] && { [ "$GW_NFT" = 1 ] || "$PC" attach --help 2>&1 | grep -q -- --gateway; }; then
	GATEWAY=1
	# gw in front of win, hv, esx, svp, bmc, hvm; the router (the DHCP
	# relay between segments A and B) judges what it forwards too.
	ENFORCERS="$ENFORCERS gw router"
	# With the nftables gateway only the flows through gw run: their ends
	# that enforce are srv and cli.
	[ "$GW_NFT" = 0 ] || ENFORCERS="srv cli gw"
fi
# shellcheck source=tests/lab/harness.sh
. "$LAB_DIR/harness.sh"
# shellcheck disable=SC1090
[ -z "${LAB_HOOKS:-}" ] || . "$LAB_HOOKS"

cleanup() {
	trap - EXIT INT TERM
	! declare -F lab_hook_cleanup >/dev/null || lab_hook_cleanup
	lab_teardown
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# TAP for make check; with --report the TAP lines go to a log instead.
exec 4>&1
[ "$REPORT" = 1 ] && exec 4>"$WORK/tap.log"
TAP_FD=4

stats() {
	if [ "$1" = gw ] && [ "$GW_NFT" = 1 ]; then nft_stats; return; fi
	lab_in "$1" "$PC" stats -j --pin-root "$PIN_BASE/$1"
}
# The nftables gateway's named counters in the shape of stats -j: fwd_ID,
# in_ID and out_ID are path ID; dropped_fwd|in|out are drops that nftables
# gives no reason for ("dropped"); echo_* is "(other)".
nft_stats() {
	lab_in gw nft -j list counters table inet portcullis | jq '
		[.nftables[] | .counter? | select(.) | {name, packets}] as $c |
		{ paths: ([$c[] | select(.name | test("^(fwd|in|out)_")) |
			{ path: (.name | sub("^(fwd|in|out)_"; "")), packets }]
			+ [$c[] | select(.name | startswith("echo_")) | { path: "(other)", packets }]),
		  drops: [$c[] | select(.name | startswith("dropped_")) |
			{ reason: "dropped", direction: (.name | sub("^dropped_"; "")), packets }] }'
}

lab_start pclab || { tap_end; exit; }
if wait_until 10 lab_settled; then tap OK "every IPv6 address of the lab is usable (none tentative)"
else tap FAIL "IPv6 addresses still tentative" "$(lab_tentative)"; fi
if [ "$ENFORCE" = 1 ]; then
	[ -z "${LAB_HOOKS:-}" ] || lab_hook_enforce
	for h in $ENFORCERS; do
		case $h in gw|router) continue ;; esac
		case " ${LAB_HOOK_HOSTS:-} " in *" $h "*) continue ;; esac
		if out=$(lab_in "$h" "$PC" attach --cgroup "$CGROUP" -c "$SITE" --pin-root "$PIN_BASE/$h" eth0 2>&1); then
			tap OK "attach on $h (finds its own role from its addresses)"
		else
			tap FAIL "attach on $h" "$out"
		fi
	done
fi
if [ "$GW_NFT" = 1 ]; then
	# Bridged frames meet the forward chain through br_netfilter.
	if "$PC" export --nft --gateway -c "$SITE" --host gw >"$WORK/gw.nft" 2>"$WORK/err" &&
		lab_in gw sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
			net.bridge.bridge-nf-call-ip6tables=1 >>"$WORK/err" 2>&1 &&
		lab_in gw nft -f "$WORK/gw.nft" >>"$WORK/err" 2>&1; then
		tap OK "gw loads export --nft --gateway --host gw ($(grep -c 'counter name fwd_' "$WORK/gw.nft") forward rule lines)"
	else
		tap FAIL "gw loads export --nft --gateway" "$(head -5 "$WORK/err")"
	fi
elif [ "$GATEWAY" = 1 ]; then
	# shellcheck disable=SC2086 # one argument per interface
	if out=$(lab_in gw "$PC" attach --gateway ${LAB_GW_INGRESS:+--ingress "$LAB_GW_INGRESS"} \
		-c "$SITE" --pin-root "$PIN_BASE/gw" $LAB_GW_IFACES 2>&1); then
		tap OK "attach --gateway on gw (${LAB_GW_INGRESS:-xdp}): $LAB_GW_IFACES"
	else
		tap FAIL "attach --gateway on gw" "$out"
	fi
fi
if [[ " $ENFORCERS " == *" router "* ]]; then
	if out=$(lab_in router "$PC" attach --gateway -c "$SITE" --pin-root "$PIN_BASE/router" \
		eth0 eth1 2>&1); then
		tap OK "attach --gateway on router (its own rules: the DHCP relay's)"
	else
		tap FAIL "attach --gateway on router" "$out"
	fi
fi

# check says where each host is protected: every one somewhere, and where
# the lab really enforces (itself: it runs portcullis here; gateway gw: it
# sits behind gw).
if [ "$GATEWAY" = 1 ] && [ "$GW_NFT" = 0 ]; then
	prot=$("$PC" check -c "$SITE" -j | jq -r '.hosts[] | "\(.name) \(.protected_by | join(","))"')
	wrong=""
	while read -r h by; do
		case $by in
		itself) case " $ENFORCERS " in *" $h "*) ;; *) wrong="$wrong $h(itself?)" ;; esac ;;
		"gateway gw") lab_behind_gw "$h" || wrong="$wrong $h(behind gw?)" ;;
		*) wrong="$wrong $h($by)" ;;
		esac
	done <<<"$prot"
	if [ -z "$wrong" ]; then tap OK "check: every host of the site is protected, where the lab enforces"
	else tap FAIL "check: every host protected where the lab enforces" "not so for:$wrong"; fi
fi

# The enforcers a flow between $1 and $2 meets: its ends that run
# portcullis, and the gateway when one end is behind it.
on_the_way() {
	local h
	for h in "$1" "$2"; do
		case " $ENFORCERS " in *" $h "*) echo "$h" ;; esac
	done
	[ "$GATEWAY" = 1 ] || return 0
	if lab_behind_gw "$1" || lab_behind_gw "$2"; then echo gw; fi
	# Between segment B and the rest: through the router.
	if [ "$(lab_field "$1" 2)" != "$(lab_field "$2" 2)" ] &&
		{ [ "$(lab_field "$1" 2)" = b ] || [ "$(lab_field "$2" 2)" = b ]; }; then
		echo router
	fi
}

# --- every documented flow ---
declare -A expect   # "host path" -> 1: counters that must move
declare -A touched  # host -> 1: enforcers some flow went through
results=()
# run_flow ROW COUNTS INI RESP METHOD [ARGS...]: one line of flows.txt, over
# IPv4 and IPv6 for tcp and udp; a TAP line and a report line for each.
run_flow() {
	local row=$1 counts=$2 ini=$3 resp=$4 method=$5 fam families=4 label on
	shift 5
	case $method in tcp|udp) families="4 6" ;; esac
	on=$(on_the_way "$ini" "$resp" | tr '\n' ' ')
	for fam in $families; do
		label="$row $method $ini -> $resp${*:+ $*}"
		[ "$method" = tcp ] || [ "$method" = udp ] && label="$label (IPv$fam)"
		case $method in
		tcp|udp) "run_$method" "$fam" "$ini" "$resp" "$@" ;;
		*) "run_$method" "$ini" "$resp" "$@" ;;
		esac </dev/null 2>"$WORK/flow.err"
		if [ $? -eq 0 ]; then tap OK "documented: $label"; results+=("pass|$label|$counts|$on")
		else
			tap FAIL "documented: $label" "the flow did not get through" "$(cat "$WORK/flow.err")"
			results+=("FAIL|$label|$counts|$on")
		fi
	done
}
while read -r row counts ini resp method args <&3; do
	case $row in ''|'#'*) continue ;; esac
	# With the nftables gateway: only what crosses gw.
	[ "$GW_NFT" = 1 ] && ! on_the_way "$ini" "$resp" | grep -qx gw && continue
	# shellcheck disable=SC2086 # args: one word each
	run_flow "$row" "$counts" "$ini" "$resp" "$method" $args
	IFS=, read -r -a paths <<<"$counts"
	for p in "${paths[@]}"; do
		case $p in
		*@a-bcast) for h in gw router; do expect["$h ${p%@*}"]=1; done ;;
		*@*) expect["${p#*@} ${p%@*}"]=1 ;;
		*) for h in $(on_the_way "$ini" "$resp"); do expect["$h $p"]=1; done ;;
		esac
	done
	touched[$ini]=1
	touched[$resp]=1
done 3<"$LAB_DIR/flows.txt"

[ "$ENFORCE" = 1 ] || { tap_end; exit; }

# --- counters: non-zero on exactly the exercised paths ---
for h in $ENFORCERS; do
	# With the nftables gateway only gw's counters are complete.
	[ "$GW_NFT" = 1 ] && [ "$h" != gw ] && continue
	s=$(stats "$h")
	# "(other)" holds ARP, neighbour discovery and echo: no catalog path.
	moved=$(jq -r '[.paths[] | select(.packets > 0 and .path != "(other)") | .path] | unique | .[]' <<<"$s" | sort)
	want=$(for k in "${!expect[@]}"; do [ "${k%% *}" = "$h" ] && echo "${k#* }"; done | sort -u)
	if [ "$moved" = "$want" ]; then
		tap OK "counters on $h: exactly the $(wc -l <<<"$want") exercised paths moved"
	else
		tap FAIL "counters on $h" "moved but not expected: $(comm -23 <(echo "$moved") <(echo "$want") | tr '\n' ' ')" \
			"expected but still: $(comm -13 <(echo "$moved") <(echo "$want") | tr '\n' ' ')"
	fi
done

# --- undocumented probes: each must fail, and be dropped by an enforcer ---
drops() { # prints "host/reason/direction packets" for every enforcer
	local h
	for h in $ENFORCERS; do
		stats "$h" | jq -r --arg h "$h" '.drops[] | "\($h)/\(.reason)/\(.direction) \(.packets)"'
	done | sort
}
probe() { # probe DESCRIPTION EXPECTED-HOST EXPECTED-REASON COMMAND...
	local desc=$1 want_host=$2 want_reason=$3; shift 3
	local before after where
	# nftables gives no reason for a drop.
	[ "$GW_NFT" = 1 ] && [ "$want_host" = gw ] && want_reason=dropped
	before=$(drops)
	# A probe waits 1s, not LAB_TIMEOUT: one that would get through but
	# late still fails below, as no drop counter moved for it.
	if LAB_TIMEOUT=1 "$@" </dev/null >/dev/null 2>&1; then
		tap FAIL "undocumented: $desc" "it got through"
		results+=("probe|GOT THROUGH|$desc|")
		return
	fi
	after=$(drops)
	# Counters that moved during the probe: where it was stopped, and why.
	where=$(join -a 2 -e 0 -o 0,1.2,2.2 <(echo "$before") <(echo "$after") |
		awk '$3 > $2 { print $1 }' | tr '\n' ' ')
	where=${where% }
	if grep -q "$want_host/$want_reason/" <<<"$where"; then
		tap OK "undocumented: $desc: stopped at $where"
	else
		tap FAIL "undocumented: $desc" "stopped at '$where', expected $want_host/$want_reason"
	fi
	results+=("probe|blocked|$desc|$where")
}
[ "$GW_NFT" = 0 ] && {
probe "client to managed host ssh (cli -> lin:22; it may ssh to gw)" cli wrong-peer run_tcp 4 cli lin 22
probe "managed host to client (lin -> cli:22015)" lin no-rule run_tcp 4 lin cli 22015
probe "server to a neighbouring port (srv -> lin:23)" srv no-rule run_tcp 4 srv lin 23
probe "UDP to a TCP-only port (srv -> lin udp:22)" srv no-rule run_udp 4 srv lin 22
probe "documented source port as a key (srv:22015 -> lin:2222)" srv no-rule run_tcp 4 srv lin 2222 22015
probe "a host outside the site (out -> srv:22015)" srv wrong-peer run_tcp 4 out srv 22015
probe "wrong direction (lin opens srv:22015, it is no client)" lin no-rule run_tcp 4 lin srv 22015
probe "outside host to a managed host over IPv6 (out -> lin:22)" lin wrong-peer run_tcp 6 out lin 22
}
if [ "$GATEWAY" = 1 ]; then
	# Behind the gateway: from outside, between the parties behind it,
	# across its bridge and across its routes, IPv4 and IPv6.
	probe "outside host to a BMC over the route (out -> bmc:22)" gw wrong-peer run_tcp 4 out bmc 22
	probe "outside host to an SVP, IPv6 (out -> svp:8080)" gw no-rule run_tcp 6 out svp 8080
	probe "outside host to a bridged ESXi (out -> esx:443)" gw wrong-peer run_tcp 4 out esx 443
	probe "SVP to BMC in segment C (svp -> bmc:22)" gw wrong-peer run_tcp 4 svp bmc 22
	probe "BMC to HVM, IPv6 (bmc -> hvm:23401)" gw wrong-peer run_tcp 6 bmc hvm 23401
	probe "Windows to ESXi across the bridge (win -> esx:443)" gw wrong-peer run_tcp 4 win esx 443
	probe "Hyper-V to Windows WinRM, IPv6 (hv -> win:5985)" gw wrong-peer run_tcp 6 hv win 5985
	probe "ESXi to SVP, bridged then routed (esx -> svp:443)" gw wrong-peer run_tcp 4 esx svp 443
	probe "Windows to a BMC's RMCP (win -> bmc udp:623)" gw wrong-peer run_udp 4 win bmc 623
	probe "SVP to a managed host (svp -> lin:22)" gw wrong-peer run_tcp 4 svp lin 22
	probe "ESXi sends no SNMP traps in the table (esx -> srv udp:162)" gw wrong-peer run_udp 4 esx srv 162
	probe "outside host to the gateway itself (out -> gw:22)" gw wrong-peer run_tcp 4 out gw 22
	[ "$GW_NFT" = 1 ] ||
		probe "outside host across the router into segment B (out -> lin2:22)" router wrong-peer run_tcp 4 out lin2 22
fi
[ -z "${LAB_HOOKS:-}" ] || lab_hook_after

# The site's page from every enforcer's counters, in Chromium (report.sh).
# shellcheck source=tests/lab/report.sh
. "$LAB_DIR/report.sh"

# Packets a path counted on a host, both directions ("-" if not enforcing).
declare -A final
ALL_ENFORCERS=$ENFORCERS
if [ "$GATEWAY" = 1 ]; then
	# srv and cli as the Windows machines they mostly are, without a
	# portcullis of their own: the gateway alone stands between them and
	# the parties behind it, and still passes their documented flows.
	for h in srv cli; do
		[ "$REPORT" = 1 ] && final[$h]=$(stats "$h")
		lab_in "$h" "$PC" -q detach --all --pin-root "$PIN_BASE/$h" >/dev/null 2>&1
	done
	ENFORCERS=$(for h in $ENFORCERS; do case $h in srv|cli) ;; *) echo "$h" ;; esac; done | tr '\n' ' ')
	run_flow "A-2.2 (gw alone)" A-2.2-winrm-windows srv win tcp 5985
	run_flow "A-2.8 (gw alone)" A-2.8-rmcp-to-bmc srv bmc udp 623
	run_flow "A-5.4 (gw alone)" A-5.4-bmc-console-https cli bmc https 443
	probe "gateway alone: client to a BMC's SSH (cli -> bmc:22)" gw wrong-peer run_tcp 4 cli bmc 22
	probe "gateway alone: client to Windows DCOM (cli -> win:135)" gw wrong-peer run_tcp 4 cli win 135
	probe "gateway alone: server to an SVP's SSH (srv -> svp:22)" gw wrong-peer run_tcp 4 srv svp 22
	probe "gateway alone: server to ESXi 8443 (srv -> esx:8443)" gw no-rule run_tcp 4 srv esx 8443
	probe "gateway alone: server to HVM 23402, IPv6 (srv -> hvm:23402)" gw no-rule run_tcp 6 srv hvm 23402
fi
if [ "$REPORT" = 1 ]; then
	for h in $ENFORCERS; do final[$h]=$(stats "$h"); done
fi
path_packets() {
	[ -n "${final[$1]:-}" ] || { echo "-"; return; }
	jq -r --arg p "$2" '[.paths[] | select(.path == $p) | .packets] | add // 0' <<<"${final[$1]}"
}

# "gw/wrong-peer/ingress ..." as "by gw (gateway): wrong-peer, ingress; ..."
stopper() {
	local w out="" h r d
	for w in $1; do
		IFS=/ read -r h r d <<<"$w"
		[ "$h" = gw ] && h="gw (gateway)"
		out="${out:+$out; }$h: $r, $d"
	done
	echo "${out:+by $out}"
}

if [ "$REPORT" = 1 ]; then
	echo
	echo "portcullis HCSM lab: enforcing on $ALL_ENFORCERS with $(basename "$SITE")"
	[ "$GATEWAY" = 1 ] && echo "gw: gateway mode on $LAB_GW_IFACES, for $(echo "$LAB_HOSTS" | awk '$4 == "gw" { printf "%s ", $1 }')" &&
		echo "router: gateway mode on eth0 (segment A) and eth1 (segment B), the DHCP relay's own rules for itself"
	echo
	echo "Documented flows (every one must pass; packets counted on its path at each enforcer on its way)"
	printf '  %-6s %-46s %s\n' RESULT FLOW "COUNTED ON"
	for r in "${results[@]}"; do
		IFS='|' read -r res label counts ends <<<"$r"
		[ "$res" = probe ] && continue
		where=""
		IFS=, read -r -a paths <<<"$counts"
		for p in "${paths[@]}"; do
			hosts=$ends
			case $p in *@*) hosts="$ends ${p#*@}" ;; esac
			[ "${p#*@}" = a-bcast ] && hosts="gw router"
			for h in $(printf '%s\n' $hosts | awk '!seen[$0]++'); do
				case $p in *@a-bcast) ;; *@*) [ "${p#*@}" = "$h" ] || continue ;; esac
				case " $ALL_ENFORCERS " in *" $h "*) ;; *) continue ;; esac
				where="$where ${p%@*}@$h=$(path_packets "$h" "${p%@*}")"
			done
		done
		printf '  %-6s %-46s%s\n' "$res" "$label" "$where"
	done
	echo
	echo "Undocumented probes (every one must be stopped; which enforcer stopped it, why, which way)"
	for r in "${results[@]}"; do
		IFS='|' read -r kind res desc where <<<"$r"
		[ "$kind" = probe ] || continue
		printf '  %-12s %-64s %s\n' "$res" "$desc" "$(stopper "$where")"
	done
	echo
	for h in $ALL_ENFORCERS; do
		printf 'Drops on %-7s' "$h"
		jq -r '[.drops[] | select(.packets > 0) | "\(.reason)/\(.direction)=\(.packets)"] | join("  ")' <<<"${final[$h]}"
	done
	echo
	if [ "$tap_fails" -eq 0 ]; then
		echo "RESULT: all $tap_n checks passed: every documented flow works, every probe was stopped."
	else
		echo "RESULT: $tap_fails of $tap_n checks FAILED:"
		grep -A3 '^not ok' "$WORK/tap.log"
	fi
	exit $((tap_fails > 0))
fi

tap_end
