#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# report --html in a real browser: a small site enforced on mgr, real
# traffic (used flows, drops), then the page rendered by headless Chromium:
# its DOM (--dump-dom) holds every path of the host and counters equal to
# stats -j; its screenshot is kept as build/artifacts/report.png. Then the
# whole site's page from stats -j files, and the daemon's GET /report.
#
#   netns pc-<pid>-<n>-peer                netns pc-<pid>-<n>-srv (host mgr)
#   192.0.2.20 (desk)                eth0 == eth0  192.0.2.10, portcullis,
#   192.0.2.31 (lin, sshd-like :22)                daemon /report on
#   192.0.2.99 (stranger)                          127.0.0.1
#
# Chromium runs in network and pid namespaces of its own
# (tests/lib/chromium.sh); the DOM is checked by tests/lib/report_dom.py.
#
# Prints TAP. Only documentation addresses; only namespaces it created;
# everything removed on every exit path (tests/net/pair.sh); nothing of
# Chromium stays (its pid namespace dies with it).
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
PC=$PWD/$BUILD/portcullis
ID=pc-$$-$RANDOM
NS_M=$ID-srv
NS_P=$ID-peer
TMP=$(mktemp -d /tmp/portcullis-report.XXXXXX)
SITE=$TMP/site.yaml
ART=$PWD/$BUILD/artifacts
# shellcheck source=tests/net/pair.sh
. tests/net/pair.sh
# shellcheck source=tests/lib/chromium.sh
. tests/lib/chromium.sh

echo "TAP version 13"
tap_need chromium curl jq unshare
pair_site report-test
cat >>"$SITE" <<'EOF'
  - name: lin
    kinds: [linux]
    addresses: [192.0.2.31]
EOF

pair_up 192.0.2.31 192.0.2.99 || { tap FAIL "set up the namespaces and a private bpffs"; tap_end; exit; }
# No IPv6: its neighbour discovery would move counters between two reads.
for ns in srv peer; do
	$ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done

udp_send() { # ns-function src dst port
	"$1" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0)); s.sendto(b"trap", (sys.argv[2], int(sys.argv[3])))
' "$2" "$3" "$4"
}
# TCP servers answering "ok": mgr's GUI port, lin's sshd port.
pair_tcp_server srv 192.0.2.10 22015
pair_tcp_server peer 192.0.2.31 22
check "the test servers listen" eval \
	'wait_socket "$NS_M" tcp 192.0.2.10 22015 && wait_socket "$NS_P" tcp 192.0.2.31 22'

check "attach -c SITE --host mgr eth0" pc attach --cgroup "$CGROUP" -c "$SITE" --host mgr eth0
check "desk -> mgr:22015 (A-1.1)" pair_tcp_client peer 192.0.2.20 192.0.2.10 22015
check "desk -> mgr:22015 again" pair_tcp_client peer 192.0.2.20 192.0.2.10 22015
check "mgr -> lin:22 (A-2.3)" pair_tcp_client srv 192.0.2.10 192.0.2.31 22
check "lin -> mgr:162/udp sent (A-2.12)" udp_send peer 192.0.2.31 192.0.2.10 162
check_not "stranger -> mgr:22015 refused (wrong-peer)" pair_tcp_client peer 192.0.2.99 192.0.2.10 22015
check_not "desk -> mgr:9999 refused (no-rule)" pair_tcp_client peer 192.0.2.20 192.0.2.10 9999
# The UDP datagram is counted when it reaches mgr's XDP hook.
a212() { pc stats -j | jq -e '[.paths[] | select(.path == "A-2.12-snmp-trap" and .direction == "ingress")] | length == 1'; }
check "the trap is counted" wait_until 10 a212

# stats -j before and after the page: the page is compared with both, so
# a counter that moved in between would be seen, not blamed on the page.
check "stats -j" eval 'pc stats -j >"$TMP/stats.json"'
check "report --html (site and host from what is in force)" eval 'pc report --html >"$TMP/report.html"'
check "stats -j after the page" eval 'pc stats -j >"$TMP/stats2.json"'
same_counters() { # a.json b.json, "(other)" left out (ARP moves it)
	local f='[.paths[] | select(.path != "(other)")], .drops'
	[ "$(jq -S "$f" "$1")" = "$(jq -S "$f" "$2")" ]
}
check "no counter moved while the page was made" same_counters "$TMP/stats.json" "$TMP/stats2.json"
check "explain -j: the rules of mgr" eval '"$PC" explain -j -c "$SITE" --host mgr >"$TMP/explain.json"'

mkdir -p "$ART"
check "Chromium renders the page (--dump-dom)" eval \
	'chromium_page "$TMP/chromium" --dump-dom "$TMP/report.html" >"$TMP/dom.html" 2>"$TMP/chrome.log"'
# The window as tall as the header and the picture: flows and drops; at
# 0.8 scale, small enough for docs/report.png.
SVG_H=$(report_svg_height "$TMP/report.html")
check "Chromium takes a screenshot" eval \
	'chromium_page "$TMP/chromium" --window-size=1120,$((${SVG_H:-1000} + 170)) --force-device-scale-factor=0.8 \
		--screenshot="$ART/report.png" "$TMP/report.html" >>"$TMP/chrome.log" 2>&1'
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$1")" -gt 20000 ]; }
check "the screenshot is a PNG of a drawn page (kept: $BUILD/artifacts/report.png)" is_png "$ART/report.png"
cp "$TMP/report.html" "$ART/report.html" 2>/dev/null
check "no Chromium process is left" chromium_gone "$TMP/chromium"

# The page Chromium built against stats -j (tests/lib/report_dom.py): every
# path of mgr's rules drawn and no other, every counter equal, the flows
# used and unused.
USES="--use A-1.1-http-gui=used A-2.3-ssh-linux=used A-2.12-snmp-trap=used A-1.2-https-gui=unused A-2.4-https-esxi=no-peer"
dom_check() { # DOM STATS [report_dom.py options]
	local dom=$1 st=$2; shift 2
	"$PY" tests/lib/report_dom.py "$dom" --stats mgr="$st" --rules "$TMP/explain.json" $USES "$@"
}
drops_seen() { jq -e '[.drops[] | select(.packets > 0) | .reason] | index("wrong-peer") and index("no-rule")' "$1"; }
check "stats -j counted the wrong-peer and no-rule drops" drops_seen "$TMP/stats.json"
check "the DOM: every path of mgr, counters equal to stats -j (before the page)" \
	dom_check "$TMP/dom.html" "$TMP/stats.json" --exact
check "the DOM: the same with stats -j after the page" \
	dom_check "$TMP/dom.html" "$TMP/stats2.json" --exact
check "the page has no script and fetches nothing" eval \
	'! grep -qiE "<script|src=\"|href=\"|@import" "$TMP/report.html"'

# --- the whole site from stats -j files -------------------------------------
check "report --html --stats mgr=FILE (the site's page)" eval \
	'"$PC" report --html -c "$SITE" --stats mgr="$TMP/stats.json" >"$TMP/site.html"'
check "Chromium renders the site's page" eval \
	'chromium_page "$TMP/chromium" --dump-dom "$TMP/site.html" >"$TMP/site-dom.html" 2>>"$TMP/chrome.log"'
check "the site's DOM: counters equal to stats -j" dom_check "$TMP/site-dom.html" "$TMP/stats.json"
check "two hosts' reports are summed in the picture" eval \
	'"$PC" report --html -c "$SITE" --stats mgr="$TMP/stats.json" desk="$TMP/stats.json" >"$TMP/two.html"'
twice() {
	local p b
	p=$(jq '.paths[] | select(.path == "A-1.1-http-gui" and .direction == "ingress") | .packets' "$TMP/stats.json")
	b=$(jq '.paths[] | select(.path == "A-1.1-http-gui" and .direction == "ingress") | .bytes' "$TMP/stats.json")
	grep -q "ingress $((2 * p)) pkt, $((2 * b)) B" "$TMP/two.html"
}
check "A-1.1: twice mgr's counters" twice
check_not "report without --html: usage error" "$PC" report --stats "$TMP/stats.json"
check_not "a file that is not stats -j: refused" "$PC" report --html -c "$SITE" --stats "$SITE"
check_not "--host that the site has not: refused" "$PC" report --html -c "$SITE" --host nobody --stats "$TMP/stats.json"

# --- the daemon's GET /report ------------------------------------------------
PORT=9418 # inside the namespace: no other listener can be there
nsenter --net="/run/netns/$NS_M" "$PC" daemon --cgroup "$CGROUP" -c "$SITE" --host mgr --pin-root "$PINS" \
	--metrics "127.0.0.1:$PORT" eth0 </dev/null >"$TMP/daemon.log" 2>&1 &
DAEMON=$!
check "the daemon runs" wait_line "$TMP/daemon.log" 'daemon: running'
check "GET /report answers with HTML" eval \
	'wait_until 10 srv curl -sf -o "$TMP/served.html" "http://127.0.0.1:$PORT/report" &&
	 [ "$(srv curl -s -o /dev/null -w "%{content_type}" "http://127.0.0.1:$PORT/report")" = "text/html; charset=utf-8" ]'
check "stats -j beside it" eval 'pc stats -j >"$TMP/stats3.json"'
check "the served page: every path of mgr, counters equal to stats -j" \
	dom_check "$TMP/served.html" "$TMP/stats3.json" --exact
kill -TERM "$DAEMON" 2>/dev/null
check "SIGTERM ends the daemon" wait "$DAEMON"
tap_end
