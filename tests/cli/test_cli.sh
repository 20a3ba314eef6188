#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The command line as an operator uses it: exit codes, JSON shapes, and
# error messages with file:line:column. Each case is one row:
#   name | expected exit | command | jq check on stdout (or grep on stderr)
set -u
BUILD=${BUILD:-build}
PC=${PC:-$BUILD/portcullis}
SITE=policy/examples/site.yaml
# shellcheck source=tests/cli/tap.sh
. "$(dirname "$0")/tap.sh"

# case NAME EXIT JQ-FILTER -- COMMAND...   (filter must print true)
case_json() {
	local name=$1 want=$2 filter=$3; shift 4
	local out rc got
	out=$("$@" 2>"$work/err"); rc=$?
	if [ "$rc" -ne "$want" ]; then
		notok "$name" "exit $rc, want $want" "$(head -3 "$work/err")"; return
	fi
	got=$(printf '%s' "$out" | jq -e "$filter" 2>&1)
	if [ "$got" = "true" ]; then ok "$name"; else notok "$name" "jq: $filter -> $got"; fi
}

# case NAME EXIT REGEX -- COMMAND...   (regex searched in stdout+stderr)
case_text() {
	local name=$1 want=$2 regex=$3; shift 4
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne "$want" ]; then
		notok "$name" "exit $rc, want $want" "$(printf '%s' "$out" | head -3)"; return
	fi
	if printf '%s' "$out" | grep -qE -- "$regex"; then ok "$name"
	else notok "$name" "no match for /$regex/ in:" "$(printf '%s' "$out" | head -5)"; fi
}

site() { printf '%s\n' "$2" > "$work/$1.yaml"; echo "$work/$1.yaml"; }

# --- catalog ---
case_json "catalog -j lists the 49 rows" 0 'length == 49' -- $PC catalog -j
case_json "catalog rows have path, table, row, protocols, initiator, responder, port" 0 \
	'all(.[]; has("path") and has("table") and has("row") and has("protocols") and has("initiator") and has("responder") and has("port"))' -- $PC catalog -j
case_json "catalog: A-2.3 is ssh to linux on 22" 0 \
	'.[] | select(.path == "A-2.3-ssh-linux") | .table == "A-2" and .row == 3 and .protocols == ["tcp"] and .responder.kinds == ["linux"] and .responder.ports == ["22"]' -- $PC catalog -j
case_json "catalog: per table counts 2/14/21/5/5/2" 0 \
	'[group_by(.table)[] | length] == [2, 14, 21, 5, 5, 2]' -- $PC catalog -j
case_json "catalog -c adds site flows and port values" 0 \
	'length == 51 and (.[] | select(.path == "A-2.12-snmp-trap") | .responder.ports == ["22601"])' -- $PC catalog -j -c $SITE
case_text "catalog text has a header and A-6.2" 0 'A-6.2-dhcp-client-request' -- $PC catalog
# "n または m": the nine rows and the SNMP trap port (note 6) show their fallback.
case_json "catalog -j: every 'n or m' row shows its fallback port" 0 \
	'[.[] | select(.fallback != null) | .row] == [12, 5, 6, 11, 12, 13, 18, 19, 20, 21] and (.[] | select(.path == "A-3.11-disk-config-check") | .fallback == 56023 and .responder.fallback == 56023)' -- $PC catalog -j
case_text "catalog text shows the fallback beside the port" 0 '\$ftsvc-port=26508 or 56023' -- $PC catalog
f=$(site fallback 'parameters:
  ftsvc-port: fallback
  bkressvc-port-26503: [default, fallback]')
case_json "a site says the fallback is in force, or accepts both" 0 \
	'(.[] | select(.path == "A-3.11-disk-config-check") | .responder.ports == ["56023"]) and (.[] | select(.path == "A-3.5-pxe-bkressvc-26503") | .responder.ports == ["26503", "56030"])' -- $PC catalog -j -c "$f"
f=$(site nofallback 'parameters:
  alert-port: fallback')
case_text "a port without a fallback cannot be set to it" 1 "nofallback.yaml:2:15: error: parameter 'alert-port' has no fallback port" -- $PC check -c "$f"

# --- check ---
case_text "check of the example site" 0 '^policy ok: catalog hcsm \(49 flows\), site example-lab' -- $PC check -c $SITE
case_json "check -j: 14 hosts, web01 has 32 rules" 0 \
	'(.hosts | length) == 14 and (.hosts[] | select(.name == "web01") | .rule_count) == 32' -- $PC check -j -c $SITE
case_json "check -j: rows the wire cannot tell apart are named, with the row they count on" 0 \
	'(.hosts[] | select(.name == "hcsm") | .shadowed) as $s
	 | ($s | any(.path == "A-3.12-snapshot" and .counts_on == "A-3.11-disk-config-check"))
	 and ($s | any(.path == "A-3.8-pxe-reply-68" and .counts_on == "A-3.7-pxe-dhcp-reply-broadcast"))
	 and ($s | length) == 9
	 and (.hosts[] | select(.name == "admin-desks") | .shadowed) == []' -- $PC check -j -c $SITE
case_json "check -j: frames that are not IP are dropped by default but for the link layer" 0 \
	'.settings.non_ip == "link-layer" and (.settings.non_ip_meaning | test("except ARP, 802.1X and LLDP"))' -- $PC check -j
case_text "check says what non-IP frames do" 0 'non-ip=link-layer \(frames that are not IP are dropped' -- $PC check
case_json "check -j without a site: all parts on" 0 '.parts == {"deployment-manager": true, "separate-dhcp-server": true}' -- $PC check -j
f=$(site misspelt 'hosts:
  - name: a
    kinds: [linux]
    adresses: [192.0.2.1]')
case_text "misspelt key: file:line:col and a suggestion" 1 \
	"misspelt.yaml:4:5: error: unknown key 'adresses' in a host; did you mean 'addresses'\\?" -- $PC check -c "$f"
f=$(site badaddr 'hosts:
  - name: a
    kinds: [linux]
    addresses: [192.0.2.300]')
case_text "bad address is reported where it is" 1 "badaddr.yaml:4:17: error: bad address '192.0.2.300'" -- $PC check -c "$f"
f=$(site badport 'parameters:
  hcsm-http-port: 70000')
case_text "port out of range" 1 "badport.yaml:2:19: error: parameter 'hcsm-http-port': '70000' is out of range" -- $PC check -c "$f"
f=$(site badkind 'hosts:
  - name: a
    kinds: [linx]
    addresses: [192.0.2.1]')
case_text "unknown kind with a suggestion" 1 "badkind.yaml:3:13: error: unknown kind 'linx'; did you mean 'linux'\\?" -- $PC check -c "$f"
f=$(site farkind "hosts:
  - {name: a, kinds: [zzzzzzzz], addresses: [192.0.2.1]}")
case_text "unknown kind, nothing near: the built-in kinds listed" 1 "unknown kind 'zzzzzzzz' \\(kinds: management-server, .*, dhcp-server, or one the site declares" -- $PC check -c "$f"
f=$(site shared 'hosts:
  - name: a
    kinds: [linux]
    addresses: [198.51.100.7]
  - name: b
    kinds: [windows]
    addresses: [198.51.100.7]')
case_text "same address in hosts of two roles: a warning with both" 0 \
	"shared.yaml:5:5: host 'b' \\(windows\\) and host 'a' \\(linux, line 2\\) both list 198.51.100.7" -- $PC check -c "$f"
case_json "check -j lists shared addresses" 0 \
	'.shared_addresses == [{"address": "198.51.100.7", "host_names": ["a", "b"]}]' -- $PC check -j -c "$f"
# Twenty more Linux hosts in front of the example's: a pair's host list
# names sixteen, then counts the rest.
f=$work/many.yaml
awk '{ print } /^hosts:/ { for (i = 0; i < 20; i++)
	printf "  - {name: extra%d, kinds: [linux], addresses: [198.51.100.%d]}\n", i, 100 + i }' \
	$SITE > "$f"
case_text "check names sixteen hosts of a pair, then how many more" 0 \
	"A-3.21-backup-bkressvc counts on A-3.19-restore-bkressvc \\(extra0, extra1, .*, extra15 and 10 more\\)" -- $PC check -c "$f"
case_text "missing site file" 1 "cannot read the site file" -- $PC check -c "$work/nope.yaml"
f=$(site yamlerr 'hosts: [a, b')
case_text "YAML syntax error has a position" 1 "yamlerr.yaml:[0-9]+:[0-9]+: error: not valid YAML" -- $PC check -c "$f"

# --- explain ---
case_json "explain --role linux without a site: exactly the flows touching a Linux host" 0 \
	'([.rules[].path] | unique) as $p | ($p | length) == 28
	 and ($p | map(select(test("^A-2[.](3|9|10|11|12)-"))) | length) == 5
	 and ($p | map(select(startswith("A-3."))) | length) == 21
	 and ($p | map(select(startswith("A-6."))) | length) == 2' -- $PC explain --role linux -j
case_json "explain --role linux: rules have the documented fields" 0 \
	'all(.rules[]; has("path") and has("direction") and has("protocol") and has("local_ports") and has("remote_ports") and has("remote"))' -- $PC explain --role linux -j
case_json "explain --role linux: ssh is ingress tcp 22 from the server" 0 \
	'.rules[] | select(.path == "A-2.3-ssh-linux") | .direction == "ingress" and .protocol == "tcp" and .local_ports == ["22"] and .remote_ports == ["1024-65535"] and .remote_kinds == ["management-server"]' -- $PC explain --role linux -j
case_json "explain --host web01: ssh only from the server's addresses" 0 \
	'.rules[] | select(.path == "A-2.3-ssh-linux") | .remote == ["192.0.2.10", "2001:db8:0:1::10"]' -- $PC explain -c $SITE --host web01 -j
case_json "packet: client to server 22015 passes on A-1.1" 0 \
	'.verdict == "pass" and .path == "A-1.1-http-gui" and .direction == "ingress"' -- \
	$PC explain -c $SITE --host hcsm -j --packet 'tcp 192.0.2.70:40000 > 192.0.2.10:22015'
case_json "packet: ssh from a client to a managed host is a wrong peer" 0 \
	'.verdict == "drop" and .reason == "wrong-peer" and .path == null' -- \
	$PC explain -c $SITE --host web01 -j --packet 'tcp 192.0.2.70:40000 > 198.51.100.11:22'
case_json "packet: an undocumented port has no rule" 0 \
	'.verdict == "drop" and .reason == "no-rule"' -- \
	$PC explain -c $SITE --host web01 -j --packet 'tcp 192.0.2.10:40000 > 198.51.100.11:2222'
case_json "packet: DHCP discover from 0.0.0.0 to the Windows server" 0 \
	'.verdict == "pass" and .path == "A-3.1-pxe-dhcp-request"' -- \
	$PC explain -c $SITE --host hcsm -j --packet 'udp 0.0.0.0:68 > 255.255.255.255:67'
case_json "packet: WoL directed broadcast from the server" 0 \
	'.verdict == "pass" and .path == "A-2.11-wol-magicsend" and .direction == "egress"' -- \
	$PC explain -c $SITE --host hcsm -j --packet 'udp 192.0.2.10:50000 > 198.51.100.255:5561'
case_json "packet: IPv6 ssh from the server" 0 \
	'.verdict == "pass" and .path == "A-2.3-ssh-linux"' -- \
	$PC explain -c $SITE --host web01 -j --packet 'tcp [2001:db8:0:1::10]:40000 > [2001:db8:0:2::11]:22'
case_text "packet text says why it is dropped" 0 "why: +path A-2.3-ssh-linux has ingress tcp local port 22, but 192.0.2.70 is not one of its peers" -- \
	$PC explain -c $SITE --host web01 --packet 'tcp 192.0.2.70:40000 > 198.51.100.11:22'

# --- gateway mode: check's protection, explain --gateway ---
gw=$(site gw 'kinds: [router]
hosts:
  - {name: mgr, kinds: [management-server], addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
  - {name: bmc, kinds: [bmc], gateway: gw, addresses: [198.51.100.41]}
  - {name: svp, kinds: [svp], addresses: [198.51.100.40]}
  - {name: gw, kinds: [router], addresses: [192.0.2.1, 198.51.100.1]}')
case_json "check: protected_by per host (itself, gateway, nowhere)" 0 \
	'[.hosts[] | {(.name): .protected_by}] | add == {"mgr": ["itself"], "cli": [], "bmc": ["gateway gw"], "svp": [], "gw": ["itself"]}' -- \
	$PC check -j -c "$gw"
case_json "check: a row between two unprotected hosts is listed, one behind a gateway is not" 0 \
	'([.unenforced_rows[] | select(.path == "A-5.1-svp-console-http")] == [{"path": "A-5.1-svp-console-http", "pair_count": 1, "initiator_host": "cli", "responder_host": "svp"}])
	 and ([.unenforced_rows[] | select(.path == "A-5.3-bmc-console-http")] == [])' -- $PC check -j -c "$gw"
case_json "check: the gateway's management is not declared" 0 \
	'.gateways == [{"name": "gw", "behind_count": 1, "management_declared": false}]' -- $PC check -j -c "$gw"
case_text "check says so in words" 0 "gateway gw: no TCP flow reaches it" -- $PC check -c "$gw"
case_json "explain --gateway: a forwarded packet passes on its path" 0 \
	'.gateway == true and .host == "gw" and .direction == "forward" and .verdict == "pass" and .path == "A-5.4-bmc-console-https"' -- \
	$PC explain -c "$gw" --gateway -j --packet 'tcp 192.0.2.20:40000 > 198.51.100.41:443'
case_json "explain --gateway: the wrong initiator is wrong-peer" 0 \
	'.verdict == "drop" and .reason == "wrong-peer" and (.explanation | test("not one of its initiators"))' -- \
	$PC explain -c "$gw" --gateway -j --packet 'tcp 192.0.2.20:40000 > 198.51.100.41:22'
case_json "explain --gateway: the gateway's own address: its host rules" 0 \
	'.direction == "ingress" and .verdict == "drop" and has("gateway") == false' -- \
	$PC explain -c "$gw" --gateway -j --packet 'tcp 192.0.2.20:40000 > 192.0.2.1:22'
case_json "explain --gateway -j: forward rules have local addresses" 0 \
	'[.rules[] | select(.forward)] | length > 0 and all(.[]; (.local | type) == "array" and .direction == "ingress")' -- \
	$PC explain -c "$gw" --gateway -j
case_text "explain --gateway --role is a usage error" 2 'give --host, not --role' -- $PC explain -c "$gw" --gateway --role bmc

# --- one vocabulary (docs/json.md): a key has one type in every command ---
case_json "path/table/row: string, string, integer in every catalog row" 0 \
	'all(.[]; (.path | type) == "string" and (.table | type) == "string" and (.row | type) == "number")' -- $PC catalog -j
case_json "path/table/row: the same types in every rule explain shows" 0 \
	'all(.rules[]; (.path | type) == "string" and (.table | type) == "string" and (.row | type) == "number")' -- $PC explain -c $SITE --host web01 -j
case_json "packet: path, table and row beside each other, row an integer" 0 \
	'.path == "A-2.3-ssh-linux" and .table == "A-2" and .row == 3 and (.rule | type) == "number"' -- \
	$PC explain -c $SITE --host web01 -j --packet 'tcp 192.0.2.10:40000 > 198.51.100.11:22'
case_json "packet dropped: path, table, row and rule are null" 0 \
	'.path == null and .table == null and .row == null and .rule == null' -- \
	$PC explain -c $SITE --host web01 -j --packet 'tcp 192.0.2.10:40000 > 198.51.100.11:2222'
# Every path explain and check name is a path id of the catalog.
catalog_paths=$($PC catalog -j -c $SITE | jq -c '[.[].path]')
case_json "explain's paths are catalog path ids" 0 \
	"[.rules[].path] - $catalog_paths == []" -- $PC explain -c $SITE --host hcsm -j
case_json "check's shadowed paths and counts_on are catalog path ids" 0 \
	"[.hosts[].shadowed[] | .path, .counts_on] - $catalog_paths == []" -- $PC check -j -c $SITE
case_json "protocol: one string per rule; protocols: an array per catalog flow" 0 \
	'all(.rules[]; (.protocol | type) == "string")' -- $PC explain --role linux -j
case_json "protocols is an array of tcp/udp in every catalog flow" 0 \
	'all(.[]; (.protocols | type) == "array" and all(.protocols[]; . == "tcp" or . == "udp"))' -- $PC catalog -j
case_json "parts: a map name -> bool in check" 0 \
	'(.parts | type) == "object" and all(.parts[]; type == "boolean")' -- $PC check -j -c $SITE
case_json "parts: a map name -> bool in every catalog flow, the flow's own parts" 0 \
	'all(.[]; (.parts | type) == "object" and all(.parts[]; type == "boolean"))
	 and (.[] | select(.path == "A-3.1-pxe-dhcp-request") | .parts | keys | length) > 0' -- $PC catalog -j
f=$(site nodm 'parts:
  deployment-manager: false')
case_json "catalog parts say a part the site switched off is off" 0 \
	'[.[] | .parts["deployment-manager"] | select(. != null)] | length > 0 and all(. == false)' -- $PC catalog -j -c "$f"
case_json "...ports keys are arrays of port-range strings (catalog)" 0 \
	'all(.[]; (.responder.ports | type) == "array" and (.initiator.ports | type) == "array")' -- $PC catalog -j
case_json "...ports keys are arrays of port-range strings (explain)" 0 \
	'all(.rules[]; (.local_ports | type) == "array" and (.remote_ports | type) == "array" and all(.local_ports[], .remote_ports[]; type == "string"))' -- $PC explain --role linux -j
case_json "initiator: an endpoint object in the catalog; explain's rules say initiator_side" 0 \
	'all(.[]; (.initiator | type) == "object" and (.responder | type) == "object")' -- $PC catalog -j
case_json "initiator_side is local on egress, remote on ingress" 0 \
	'all(.rules[]; .initiator_side == (if .direction == "egress" then "local" else "remote" end)) and all(.rules[]; has("initiator") | not)' -- $PC explain -c $SITE --host hcsm -j
case_json "explain --host: host is the name, role is null" 0 \
	'.host == "web01" and .role == null' -- $PC explain -c $SITE --host web01 -j
case_json "explain --role: role is the kind, host is null" 0 \
	'.role == "linux" and .host == null' -- $PC explain --role linux -j
case_json "explain --role --packet: the same two keys" 0 \
	'.role == "linux" and .host == null' -- $PC explain --role linux -j --packet 'tcp 192.0.2.10:40000 > 198.51.100.11:22'
case_json "hosts: check's array of host objects; host_names: arrays of names" 0 \
	'all(.hosts[]; type == "object" and (.name | type) == "string") and all(.shared_addresses[]; (.host_names | type) == "array")' -- $PC check -j -c $SITE
f=$(site hostflow 'hosts:
  - {name: a, kinds: [linux], addresses: [192.0.2.1]}
  - {name: b, kinds: [linux], addresses: [192.0.2.2]}
flows:
  - {id: s1, purpose: x, protocols: [tcp], initiator: {hosts: [a], port: auto}, responder: {hosts: [b], port: 9}}')
case_json "a site flow's endpoint names its hosts in host_names" 0 \
	'.[] | select(.path == "s1") | .initiator.host_names == ["a"] and .responder.host_names == ["b"] and (has("hosts") | not)' -- $PC catalog -j -c "$f"
case_json "counts end in _count and are integers" 0 \
	'([.catalog_flow_count, .site_flow_count, .enabled_flow_count] | all(type == "number"))
	 and all(.hosts[]; (.rule_count | type) == "number" and (.flow_count | type) == "number")' -- $PC check -j -c $SITE

# --- exit codes: 0 ok, 1 not in the policy / policy or system error,
# 2 usage error, 3 dropped (explain --packet --exit-verdict) ---
f=$(site badstats 'hosts: [a, b')
DROP='tcp 192.0.2.10:40000 > 198.51.100.11:2222'
PASS='tcp 192.0.2.10:40000 > 198.51.100.11:22'
#         name                                     exit  stdout+stderr        command
case_text "exit: --host not in the policy"            1 "no host 'nosuch'"    -- $PC explain -c $SITE --host nosuch
case_text "exit: --role not in the policy"            1 "unknown kind 'nosuch'" -- $PC explain -c $SITE --role nosuch
case_text "exit: stats -c with a broken site file"    1 "badstats.yaml:[0-9]+:[0-9]+: error" -- $PC stats -c "$f" --pin-root "$work/none"
case_text "exit: stats with nothing attached"         1 "no counters"         -- $PC stats --pin-root "$work/none"
case_text "exit: check of a broken site file"         1 "not valid YAML"      -- $PC check -c "$f"
case_text "exit: --exit-verdict, packet passes"       0 "verdict: +pass"      -- $PC explain -c $SITE --host web01 --exit-verdict --packet "$PASS"
case_text "exit: --exit-verdict, packet dropped"      3 "verdict: +drop"      -- $PC explain -c $SITE --host web01 --exit-verdict --packet "$DROP"
case_json "exit: --exit-verdict -j, packet dropped"   3 '.verdict == "drop"'  -- $PC explain -c $SITE --host web01 -j --exit-verdict --packet "$DROP"
case_text "exit: dropped without --exit-verdict"      0 "verdict: +drop"      -- $PC explain -c $SITE --host web01 --packet "$DROP"
case_text "exit: --exit-verdict without --packet"     2 "needs --packet"      -- $PC explain -c $SITE --host web01 --exit-verdict
case_text "exit: --host and --role together"          2 "not both"            -- $PC explain --host a --role linux

# --- usage errors ---
case_text "unknown command exits 2" 2 "unknown command 'frobnicate'" -- $PC frobnicate
case_text "unknown option exits 2" 2 "unknown option '--bogus'" -- $PC catalog --bogus
case_text "missing option value exits 2" 2 "option '-c' needs a value" -- $PC check -c
case_text "bad --packet exits 2" 2 "bad --packet" -- $PC explain --role linux --packet 'icmp 1.2.3.4 > 5.6.7.8'
case_text "host and role together exit 2" 2 "give --host or --role, not both" -- $PC explain --host a --role linux
case_text "unknown host exits 1" 1 "no host 'nosuch'" -- $PC explain -c $SITE --host nosuch
for cmd in catalog check explain attach detach status reload daemon monitor stats export; do
	case_text "$cmd --help" 0 "^Usage: portcullis $cmd" -- $PC $cmd --help
	case_text "$cmd --help lists --help" 0 "^  -h, --help  +this text" -- $PC $cmd --help
done
case_text "daemon --help lists attach's options" 0 "^      --xdp-mode MODE" -- $PC daemon --help
case_text "daemon --help lists its own --metrics after them" 0 "^      --metrics ADDR:PORT" -- $PC daemon --help
case_text "attach --help does not list the daemon's --metrics" 0 "^absent$" -- \
	sh -c "$PC attach --help | grep -q -e --metrics || echo absent"
case_text "stats --help lists --prometheus" 0 "^      --prometheus" -- $PC stats --help
case_text "stats -j --prometheus: one or the other" 2 "give -j or --prometheus, not both" -- $PC stats -j --prometheus
case_text "the man page lists the daemon's own options too" 0 "^\\\\fB\\\\-\\\\-metrics" -- $PC --help-man
case_text "a bad --mode names the choices" 2 "--mode is enforce or audit, not 'x'" -- $PC reload --mode x
case_text "a bad --ingress names the choices" 2 "--ingress is xdp or tc, not 'x'" -- $PC daemon --ingress x eth0
case_text "the man page's command options come from the same tables" 0 "^\\\\fB\\\\-\\\\-xdp\\\\-mode" -- $PC --help-man
case_text "portcullis --help lists commands" 0 "explain +show the rules" -- $PC --help

echo "1..$n"
[ "$fails" -eq 0 ]
