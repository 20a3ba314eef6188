# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A machine with a real systemd for the tests of tests/systemd: a minimal
# Debian 12 root (cached as a tarball, built again when its packages
# change), booted with systemd-nspawn inside the test's network namespace
# $ID-srv (tests/net/pair.sh), with its own bpffs on /sys/fs/bpf. Set
# ROOT, PC, ID, TMP, MROOT and CACHE first; MACHINE_PACKAGES names packages
# beyond systemd and the libraries of $PC. m runs a command in the machine.
SOURCES=/etc/apt/sources.list.d/debian.sources
NSPAWN=""
INIT=""

say() { echo "# $*"; }

machine_down() {
	if [ -n "$INIT" ] && kill -0 "$INIT" 2>/dev/null; then
		nsenter -t "$INIT" -a systemctl poweroff --no-block >/dev/null 2>&1
		for _ in $(seq 100); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$INIT" 2>/dev/null # the machine's init: all of it goes
	fi
	if [ -n "$NSPAWN" ]; then
		kill -9 "$NSPAWN" 2>/dev/null
		wait "$NSPAWN" 2>/dev/null
	fi
	# nspawn mounted in its own namespace; none should be on the host.
	grep -q " $MROOT" /proc/self/mountinfo && umount -R -l "$MROOT"
	rm -rf --one-file-system "$MROOT"
}
PAIR_CLEANUP=machine_down
# shellcheck source=tests/net/pair.sh
. "$ROOT/tests/net/pair.sh" # (its bpffs and PINS stay unused: the machine has its own)

m() { nsenter -t "$INIT" -a "$@"; } # a command in the machine
unit_prop() { m systemctl show -P "$2" "$1"; }
journal() { m journalctl -q -b -o cat -u "$1" --no-pager; }
# Entries of portcullis.service whose fields match: jq -e over the array of them.
entries() { # JOURNALCTL-MATCH... JQ-FILTER (the last argument)
	local filter=${!#}
	m journalctl -q -b -u portcullis -o json --no-pager "${@:1:$#-1}" | jq -se "$filter"
}

# ---- the root: cached; built again when the packages it needs change ----
# Libraries of the binary as built here, by package, and systemd itself.
root_packages() {
	{
		echo "systemd systemd-sysv dbus iproute2 ${MACHINE_PACKAGES:-}"
		# dpkg knows /lib/x86_64-linux-gnu/... of merged /usr under either name.
		ldd "$PC" | awk '$2 == "=>" { print $3 }' | while read -r lib; do
			dpkg -S "$lib" "/usr${lib#/usr}" "${lib#/usr}" 2>/dev/null
		done | cut -d: -f1
	} | tr ' ' '\n' | grep . | sort -u
}

build_root() {
	local list=$TMP/packages suite
	root_packages >"$list"
	if [ -s "$CACHE" ] && cmp -s "$list" "$CACHE.packages"; then
		return 0
	fi
	suite=$(awk '/^Suites:/ { print $2; exit }' "$SOURCES")
	say "building the systemd root ($suite, $(wc -l <"$list") packages) into $CACHE"
	mkdir -p "$(dirname "$CACHE")"
	mmdebstrap --variant=minbase --quiet --include="$(paste -sd, "$list")" \
		--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/* "$1"/etc/resolv.conf "$1"/etc/hostname' \
		"$suite" "$TMP/root.tar.zst" "$SOURCES" || return 1
	mv "$TMP/root.tar.zst" "$CACHE" && cp "$list" "$CACHE.packages"
}

# The root unpacked into $MROOT, with the bpffs mount that PID 1 makes at
# boot on a real machine (not in a container).
unpack_root() {
	mkdir -p "$MROOT"
	tar --zstd -xf "$CACHE" -C "$MROOT" || return 1
	# (systemd refuses a .mount unit for an API file system: a service.)
	cat >"$MROOT/etc/systemd/system/bpffs.service" <<-EOT
	[Unit]
	Description=bpffs on /sys/fs/bpf, as PID 1 mounts it outside containers
	DefaultDependencies=no
	Before=sysinit.target portcullis.service
	ConditionPathIsMountPoint=!/sys/fs/bpf
	[Service]
	Type=oneshot
	RemainAfterExit=yes
	ExecStart=/bin/mount -t bpf -o mode=0700 bpf /sys/fs/bpf
	EOT
	mkdir -p "$MROOT/etc/systemd/system/sysinit.target.wants"
	ln -sf /etc/systemd/system/bpffs.service "$MROOT/etc/systemd/system/sysinit.target.wants/"
}

# nspawn joins the namespace the test made (it does not touch the host's
# network). CAP_NET_ADMIN, CAP_BPF, CAP_PERFMON and the bpf syscall are
# not a container's by default.
boot() {
	(exec systemd-nspawn -q -D "$MROOT" -M "$ID" --boot --register=no --keep-unit \
		--network-namespace-path="/run/netns/$ID-srv" \
		--capability=CAP_NET_ADMIN,CAP_BPF,CAP_PERFMON --system-call-filter=bpf \
		--console=passive </dev/null >"$TMP/console.log" 2>&1) &
	NSPAWN=$!
	wait_until 30 pgrep -P "$NSPAWN" || return 1
	INIT=$(pgrep -P "$NSPAWN")
	wait_until 120 sh -c "nsenter -t $INIT -a systemctl is-system-running | grep -qx 'running\|degraded'"
}

# TCP from cli to srv:PORT: the connection and a token echoed back. The
# listener is the host's socat in the machine's namespace.
connects() { # PORT
	local tok="t$RANDOM" l out
	(exec nsenter --net="/run/netns/$ID-srv" socat -T3 \
		"TCP-LISTEN:$1,bind=192.0.2.10,reuseaddr" EXEC:cat </dev/null >/dev/null 2>&1) &
	l=$!
	wait_socket "$ID-srv" tcp 192.0.2.10 "$1"
	out=$(echo "$tok" | peer timeout 3 socat -T2 - "TCP:192.0.2.10:$1" 2>/dev/null)
	kill "$l" 2>/dev/null; wait "$l" 2>/dev/null
	[ "$out" = "$tok" ]
}
dropped() { ! connects "$@"; }
