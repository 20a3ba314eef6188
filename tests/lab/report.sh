# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The lab's flow matrix as a page: `portcullis report --html --stats` from
# every enforcer's `stats -j` after the flows and probes, rendered by
# headless Chromium (tests/lib/chromium.sh). Its DOM must draw every path
# of every enforcer, hold each host's counters as stats -j gave them, and
# colour exactly the paths that counted packets (tests/lib/report_dom.py).
# The page and its screenshot stay in build/artifacts/lab-report.{html,png};
# the gateway's page (lab_report_gateway) in build/artifacts/lab-report-gw.html.
# Sourced by lab.sh (stats, tap, PC, SITE, WORK, ENFORCERS are its).

# shellcheck source=tests/lib/chromium.sh
. "$LAB_DIR/../lib/chromium.sh"

lab_report() {
	local h dir=$WORK/report art=$ROOT/$BUILD/artifacts files=() rules=() height
	mkdir -p "$dir/stats" "$dir/rules" "$art" || return
	for h in $ENFORCERS; do
		# The page draws the hosts' own flows; a gateway counts the same
		# paths again on the way (and with --gateway-nft runs nftables).
		case $h in gw|router) continue ;; esac
		if ! stats "$h" >"$dir/stats/$h.json" ||
			! "$PC" explain -j -c "$SITE" --host "$h" >"$dir/rules/$h.json"; then
			tap FAIL "report: stats -j and explain -j of $h"
			return
		fi
		files+=("$h=$dir/stats/$h.json")
		rules+=("$dir/rules/$h.json")
	done
	if "$PC" report --html -c "$SITE" --stats "${files[@]}" >"$art/lab-report.html" 2>"$dir/err"; then
		tap OK "report --html: the site's page from the counters of ${files[*]%%=*}"
	else
		tap FAIL "report --html from the enforcers' stats -j" "$(head -3 "$dir/err")"
		return
	fi
	if ! command -v chromium >/dev/null; then
		tap_skip "chromium is not installed (make deps): the page is not rendered"
		return
	fi
	if chromium_page "$dir/chromium" --dump-dom "$art/lab-report.html" >"$dir/dom.html" 2>"$dir/chromium.log" &&
		"$PYTHON" "$LAB_DIR/../lib/report_dom.py" "$dir/dom.html" --stats "${files[@]}" \
			--rules "${rules[@]}" >"$dir/dom.out" 2>&1; then
		tap OK "the page in Chromium: every enforcer's paths drawn, counters equal to stats -j, the used ones green"
	else
		tap FAIL "the page in Chromium against stats -j" "$(head -8 "$dir/dom.out" "$dir/chromium.log" 2>/dev/null)"
	fi
	height=$(report_svg_height "$art/lab-report.html")
	if chromium_page "$dir/chromium" --window-size=1120,$((${height:-1000} + 170)) \
		--screenshot="$art/lab-report.png" "$art/lab-report.html" >>"$dir/chromium.log" 2>&1 &&
		[ -s "$art/lab-report.png" ] && chromium_gone "$dir/chromium"; then
		tap OK "its screenshot: $BUILD/artifacts/lab-report.png; no Chromium left"
	else
		tap FAIL "a screenshot of the page" "$(tail -3 "$dir/chromium.log")"
	fi
}

# The gateway's own page from its own counters: its flows and those it
# forwards (counted where they come in); a forwarded path that counted
# packets and is not drawn fails report_dom.py.
lab_report_gateway() {
	local dir=$WORK/report art=$ROOT/$BUILD/artifacts
	case " $ENFORCERS " in *" gw "*) ;; *) return ;; esac
	[ "$GW_NFT" = 0 ] || return
	if ! stats gw >"$dir/stats/gw.json" ||
		! "$PC" explain -j --gateway -c "$SITE" --host gw >"$dir/rules/gw.json"; then
		tap FAIL "report: stats -j and explain --gateway -j of gw"
		return
	fi
	if "$PC" report --html -c "$SITE" --host gw --stats "gw=$dir/stats/gw.json" \
		>"$art/lab-report-gw.html" 2>"$dir/err"; then
		tap OK "report --html --host gw: the gateway's page from its counters"
	else
		tap FAIL "report --html --host gw" "$(head -3 "$dir/err")"
		return
	fi
	command -v chromium >/dev/null || return
	if chromium_page "$dir/chromium" --dump-dom "$art/lab-report-gw.html" >"$dir/dom-gw.html" \
		2>>"$dir/chromium.log" &&
		"$PYTHON" "$LAB_DIR/../lib/report_dom.py" "$dir/dom-gw.html" \
			--stats "gw=$dir/stats/gw.json" --rules "$dir/rules/gw.json" >"$dir/dom-gw.out" 2>&1 &&
		chromium_gone "$dir/chromium"; then
		tap OK "gw's page in Chromium: its own and its forward rules' paths drawn, counters equal to its stats -j"
	else
		tap FAIL "gw's page in Chromium against its stats -j" \
			"$(head -8 "$dir/dom-gw.out" "$dir/chromium.log" 2>/dev/null)"
	fi
}
PYTHON=$(command -v /usr/bin/python3 || command -v python3)
lab_report
lab_report_gateway
