# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# What every lab test does around its flows: a work directory, a private
# bpffs for the enforcers' pins, a cgroup of its own for the setsockopt
# guard, the namespaces of topology.sh, and all of it gone again on every
# exit path. Sourced by lab.sh and advise.sh after they set LAB_DIR, PC and
# ENFORCERS (the hosts to detach; ENFORCE=0: none); sources topology.sh,
# daemons.sh, tap.sh and cgroup.sh for them.

LAB_ID=${LAB_ID:-pcl$$-$RANDOM}
WORK=$(mktemp -d "/tmp/$LAB_ID.XXXX")
# Every enforcer's pins on a private bpffs, one pin root per host.
PIN_BASE=$WORK/bpffs
LAB_MADE_RUN_SSHD=0
CGROUP=

# shellcheck source=tests/lab/topology.sh
. "$LAB_DIR/topology.sh"
# shellcheck source=tests/lab/daemons.sh
. "$LAB_DIR/daemons.sh"
# shellcheck source=tests/lib/tap.sh
. "$LAB_DIR/../lib/tap.sh"
# shellcheck source=tests/lib/cgroup.sh
. "$LAB_DIR/../lib/cgroup.sh"

# lab_start NAME: the bpffs, the cgroup (NAME-PID-RANDOM) and the
# namespaces; a TAP failure and 1 when one of them cannot be made.
lab_start() {
	mkdir -p "$PIN_BASE" && mount -t bpf bpf "$PIN_BASE" ||
		{ tap FAIL "mount a private bpffs"; return 1; }
	# The setsockopt guard goes on a cgroup of the lab's own, not the machine's.
	cgroup_make "$1-$$-$RANDOM" ||
		{ tap FAIL "make a cgroup for the setsockopt guard"; return 1; }
	lab_up
	# Flows may run in subshells: sshd's directory is made here, once.
	[ -d /run/sshd ] || { mkdir -p /run/sshd && LAB_MADE_RUN_SSHD=1; }
}

# Detaches every enforcer, then removes the cgroup, the namespaces, the
# bpffs, the work directory and what lab_start made in /run.
lab_teardown() {
	local h
	if [ "${ENFORCE:-1}" = 1 ]; then
		for h in $ENFORCERS; do
			lab_in "$h" "$PC" -q detach --all --pin-root "$PIN_BASE/$h" >/dev/null 2>&1
		done
	fi
	cgroup_remove
	lab_down
	mountpoint -q "$PIN_BASE" && umount "$PIN_BASE"
	rm -rf "$WORK"
	[ "$LAB_MADE_RUN_SSHD" = 1 ] && rmdir /run/sshd 2>/dev/null
	return 0
}
