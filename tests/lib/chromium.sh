# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Headless Chromium for the tests, leaving nothing behind: as root it needs
# --no-sandbox; its profile, cache and temporary files go under a directory
# of the caller's; it runs in a network namespace of its own with no
# interface up (a file:// page needs none, and nothing can reach out) and
# in a pid namespace that dies with it (unshare --kill-child), bounded by
# timeout.

# chromium_page DIR [CHROMIUM-OPTION...] FILE: --dump-dom, --screenshot=...
chromium_page() {
	local dir=$1 n=$(($# - 1)) args=("$@")
	mkdir -p "$dir/home" || return 1
	timeout "${CHROMIUM_LIMIT:-120}" unshare --net --pid --fork --kill-child --mount-proc \
		env HOME="$dir/home" XDG_CONFIG_HOME="$dir/home" XDG_CACHE_HOME="$dir/home" \
		TMPDIR="$dir/home" \
		chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$dir/profile" --hide-scrollbars "${args[@]:1:n-1}" \
		"file://$(realpath "${args[n]}")"
}

# chromium_gone DIR: no Chromium process of that profile is running.
chromium_gone() {
	! pgrep -f -- "--user-data-dir=$1/profile" >/dev/null
}

# The height of the picture of a report page (the <svg class="matrix">), so
# that a screenshot holds the whole of it.
report_svg_height() {
	grep -o 'class="matrix" width="[0-9]*" height="[0-9]*"' "$1" | grep -o '[0-9]*"$' | tr -d '"'
}
