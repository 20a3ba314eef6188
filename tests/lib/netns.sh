# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# netns_remove NS...: ends what runs in each network namespace, then
# removes it; quiet about one already gone (a teardown on any exit path).

netns_remove() {
	local ns
	for ns in "$@"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
