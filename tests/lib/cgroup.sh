# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A cgroup v2 directory of the test's own for portcullis' setsockopt guard
# (attach --cgroup "$CGROUP"), so that no test ever puts it on the
# machine's root cgroup. cgroup_make NAME sets CGROUP; cgroup_remove kills
# what runs in it and removes it (call it after detach).

cgroup_make() {
	local root
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$root" ] || { echo "no cgroup2 filesystem mounted" >&2; return 1; }
	CGROUP=$root/$1
	mkdir "$CGROUP"
}

cgroup_empty() { [ ! -s "$CGROUP/cgroup.procs" ]; }

cgroup_remove() {
	[ -n "${CGROUP:-}" ] && [ -d "$CGROUP" ] || return 0
	xargs -r kill -9 <"$CGROUP/cgroup.procs" 2>/dev/null
	wait_until 5 cgroup_empty
	rmdir "$CGROUP"
}

# in_cgroup COMMAND...: runs COMMAND as a process of $CGROUP.
in_cgroup() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROUP" "$@"
}
