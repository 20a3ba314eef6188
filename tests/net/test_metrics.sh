#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Metrics: `stats --prometheus` against a real attachment (promtool's
# check, values equal to stats -j and status -j); the daemon's GET /metrics;
# a real Prometheus in the namespace scraping the daemon, its stored
# counters equal to stats -j; the example alert rules checked by promtool.
#
#   netns pc-<pid>-<n>-peer                netns pc-<pid>-<n>-srv (host mgr)
#   192.0.2.20 (desk), 192.0.2.99    eth0 == eth0  192.0.2.10, portcullis,
#   (stranger)                                     daemon /metrics and
#                                                  Prometheus on 127.0.0.1
#
# Prints TAP. Only documentation addresses; only namespaces it created;
# everything removed on every exit path (tests/net/pair.sh).
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
PC=$PWD/$BUILD/portcullis
ID=pc-$$-$RANDOM
NS_M=$ID-srv
TMP=$(mktemp -d /tmp/portcullis-metrics.XXXXXX)
SITE=$TMP/site.yaml
# shellcheck source=tests/net/pair.sh
. tests/net/pair.sh

echo "TAP version 13"
tap_need promtool prometheus curl jq
pair_site metrics-test

pair_up 192.0.2.99 || { tap FAIL "set up the namespaces and a private bpffs"; tap_end; exit; }

# A TCP server on mgr answering "ok"; a client that fails after 2 seconds.
pair_tcp_server srv 0.0.0.0 22015
check "the test server listens" wait_socket "$NS_M" tcp 0.0.0.0 22015
tcp_client() { pair_tcp_client peer "$1" 192.0.2.10 22015; } # SRC

# Compares the Prometheus text with stats -j --all and status -j: every
# path (labelled with host mgr, from the record of attach --host mgr) and
# drop series and every map fill, value for value. The "(other)"
# path (ARP, neighbour discovery) can move between the two reads: left out.
compare() { # prom stats status
	"$PY" - "$@" <<'EOF'
import json, re, sys
series = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    m = re.fullmatch(r'(\w+)(?:\{(.*)\})? (\S+)\n?', line)
    assert m, line
    labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or "")))
    series[(m.group(1), labels)] = float(m.group(3))
stats, status = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
def get(name, **labels):
    return series[(name, tuple(sorted(labels.items())))]
bad = []
def eq(what, got, want):
    if got != want:
        bad.append(f"{what}: {got} != {want}")
for p in stats["paths"]:
    if p["path"] == "(other)":
        continue
    table, row = p["table"] or "", "" if p["row"] is None else str(p["row"])
    l = dict(path=p["path"], table=table, row=row, direction=p["direction"], host="mgr")
    eq(f"packets {l}", get("portcullis_path_packets_total", **l), p["packets"])
    eq(f"bytes {l}", get("portcullis_path_bytes_total", **l), p["bytes"])
for d in stats["drops"]:
    l = dict(reason=d["reason"], direction=d["direction"])
    eq(f"drops {l}", get("portcullis_drops_total", **l), d["packets"])
    eq(f"drop bytes {l}", get("portcullis_drop_bytes_total", **l), d["bytes"])
for name, v in status["maps"].items():
    if name not in ("conntrack", "conntrack_new", "fragments"):  # these move
        eq(f"entries {name}", get("portcullis_map_entries", map=name), v["entries"])
    eq(f"max {name}", get("portcullis_map_max_entries", map=name), v["max"])
for name, v in status["map_memory"]["maps"].items():  # fixed while nothing reloads
    eq(f"memory {name}", get("portcullis_map_memory_bytes", map=name), v)
eq("generation", get("portcullis_policy_generation"), status["generation"])
for t in ("established", "new"):
    eq(f"evictions {t}", get("portcullis_conntrack_evictions_total", table=t),
       status["conntrack"][t]["evicted"])
for i in status["interfaces"]:
    eq(f"ingress {i['name']}", get("portcullis_interface_attached", interface=i["name"], hook="ingress"), 1)
    eq(f"egress {i['name']}", get("portcullis_interface_attached", interface=i["name"], hook="egress"), 1)
get("portcullis_events_suppressed_total")
if not stats["paths"] or not stats["drops"]:
    bad.append("stats -j --all listed no paths or no drops")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# --- a. stats --prometheus -------------------------------------------------
check "attach to eth0" pc attach --cgroup "$CGROUP" -c "$SITE" --host mgr eth0
check "desk -> mgr:22015 (A-1.1)" tcp_client 192.0.2.20
check_not "stranger -> mgr:22015 refused (wrong-peer)" tcp_client 192.0.2.99
check "stats --prometheus" eval 'pc stats --prometheus -c "$SITE" >"$TMP/prom.txt"'
check "stats -j --all and status -j" eval \
	'pc stats -j --all -c "$SITE" >"$TMP/stats.json" && pc status -j >"$TMP/status.json"'
# promtool names lint problems (a counter without _total, no HELP) and
# still exits 0 on some: no output at all is the pass.
promtool_clean() {
	local out
	if out=$(promtool check metrics <"$1" 2>&1) && [ -z "$out" ]; then return 0; fi
	echo "$out"
	return 1
}
check "promtool check metrics finds nothing wrong" promtool_clean "$TMP/prom.txt"
check "every series equals stats -j and status -j" compare "$TMP/prom.txt" "$TMP/stats.json" "$TMP/status.json"
check "A-1.1 ingress counted, with its table and row" grep -qE \
	'^portcullis_path_packets_total\{path="A-1.1-http-gui",table="A-1",row="1",direction="ingress",host="mgr"\} [1-9]' "$TMP/prom.txt"
check "wrong-peer drops on ingress counted" grep -qE \
	'^portcullis_drops_total\{reason="wrong-peer",direction="ingress"\} [1-9]' "$TMP/prom.txt"
check "HELP and TYPE for every family" sh -c \
	'[ "$(grep -c "^# HELP" "$1")" -eq "$(grep -c "^# TYPE" "$1")" ] && [ "$(grep -c "^# TYPE" "$1")" -ge 11 ]' _ "$TMP/prom.txt"
check_not "stats --prometheus with nothing attached fails" \
	srv "$PC" stats --prometheus --pin-root "$TMP/none"

[ -n "${METRICS_KEEP:-}" ] && cp "$TMP/prom.txt" "$METRICS_KEEP"

# --- b. the daemon's GET /metrics --------------------------------------------
MPORT=9417 # inside the namespace: no other listener can be there
URL=http://127.0.0.1:$MPORT
check "daemon --metrics with no ADDR:PORT: usage error, nothing attached" sh -c \
	'nsenter --net="/run/netns/$1" "$2" daemon --metrics 9417 --pin-root "$3/none" eth0; [ $? -eq 2 ] && [ ! -e "$3/none" ]' \
	_ "$NS_M" "$PC" "$TMP"
# nsenter execs the daemon: $! is the daemon's pid, for SIGTERM below.
nsenter --net="/run/netns/$NS_M" "$PC" daemon --cgroup "$CGROUP" -c "$SITE" --host mgr --pin-root "$PINS" \
	--metrics "127.0.0.1:$MPORT" eth0 </dev/null >"$TMP/daemon.log" 2>&1 &
DAEMON=$!
check "the daemon adopts the attachment and runs" wait_line "$TMP/daemon.log" 'daemon: running'
check "GET /metrics answers" wait_until 10 srv curl -sf -o "$TMP/scrape.txt" "$URL/metrics"
check "the scrape passes promtool check metrics" promtool_clean "$TMP/scrape.txt"
check "stats -j --all and status -j again" eval \
	'pc stats -j --all -c "$SITE" >"$TMP/stats2.json" && pc status -j >"$TMP/status2.json"'
check "the scrape equals stats -j and status -j" compare "$TMP/scrape.txt" "$TMP/stats2.json" "$TMP/status2.json"
http_code() { srv curl -s -o /dev/null -w "%{http_code}" "$@"; }
check "another path: 404" test "$(http_code "$URL/other")" = 404
check "POST /metrics: 405" test "$(http_code -d x "$URL/metrics")" = 405

# --- c. a real Prometheus scraping the daemon --------------------------------
RULES=dist/prometheus/portcullis.rules.yml
check "promtool check rules $RULES" promtool check rules "$RULES"
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$PWD/$RULES"]
scrape_configs:
  - job_name: portcullis
    static_configs:
      - targets: ["127.0.0.1:$MPORT"]
EOF
PROM=http://127.0.0.1:9090
srv prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address=127.0.0.1:9090 </dev/null >"$TMP/prometheus.log" 2>&1 &
# query EXPR: the first value of an instant query, or nothing.
query() {
	srv curl -sfG "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
query_is() { [ "$(query "$1")" = "$2" ]; }
# stored EXPR VALUE: Prometheus has VALUE for EXPR (within 30 s of scrapes).
stored() {
	wait_until 30 query_is "$1" "$2" || { echo "Prometheus has '$(query "$1")', want '$2'"; false; }
}
# api_true PATH JQ: the JSON at PATH of Prometheus' API satisfies JQ (30 s).
api_ok() { srv curl -sf "$PROM/api/v1/$1" | jq -e "$2"; }
api_true() { wait_until 30 api_ok "$@"; }
check "Prometheus scrapes the daemon (up == 1)" stored 'up{job="portcullis"}' 1
check "more traffic: desk -> mgr:22015" tcp_client 192.0.2.20
check_not "more traffic: stranger refused" tcp_client 192.0.2.99
check "stats -j after the traffic" eval 'pc stats -j -c "$SITE" >"$TMP/stats3.json"'
val() { jq "$1" "$TMP/stats3.json"; }
A11=$(val '.paths[] | select(.path == "A-1.1-http-gui" and .direction == "ingress") | .packets')
A11B=$(val '.paths[] | select(.path == "A-1.1-http-gui" and .direction == "egress") | .bytes')
WP=$(val '.drops[] | select(.reason == "wrong-peer" and .direction == "ingress") | .packets')
check "Prometheus: A-1.1 ingress packets = stats -j ($A11)" \
	stored 'portcullis_path_packets_total{path="A-1.1-http-gui",direction="ingress"}' "$A11"
check "Prometheus: A-1.1 egress bytes = stats -j ($A11B)" \
	stored 'portcullis_path_bytes_total{path="A-1.1-http-gui",direction="egress"}' "$A11B"
check "Prometheus: wrong-peer ingress drops = stats -j ($WP)" \
	stored 'portcullis_drops_total{reason="wrong-peer",direction="ingress"}' "$WP"
check "Prometheus: both hooks on eth0 attached" stored 'sum(portcullis_interface_attached{interface="eth0"})' 2
check "Prometheus: the example rules load and evaluate" \
	api_true rules '[.data.groups[].rules[] | select(.health == "ok")] | length == 3'
check "Prometheus: PortcullisWrongPeerDrops pending" \
	api_true alerts 'any(.data.alerts[]; .labels.alertname == "PortcullisWrongPeerDrops")'

kill -TERM "$DAEMON" 2>/dev/null
check "SIGTERM ends the daemon cleanly" wait "$DAEMON"
check "it said so" grep -q 'exiting; enforcement stays' "$TMP/daemon.log"
check_not "the metrics port is closed after it" srv curl -sf -o /dev/null "$URL/metrics"
tap_end
