#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check-fresh`: `make demo` and `make check` in a fresh Debian 12 root
# that holds what a new machine of ours has, as a new user would run them
# (root, no sudo, a clean clone of HEAD, or of FRESH_REV); then `make deb`,
# the package installed with apt and the installed `portcullis check`. The
# root is built once from the archive and cached as a .tar.zst outside the
# repo (FRESH_CACHE).
#
# The mirror comes from this machine's own apt sources at run time, so no
# file here names it. Mounts live in a private mount namespace and go away
# with it; the trap still kills what it started and unmounts in reverse.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${FRESH_CACHE:-/var/cache/portcullis/fresh-root.tar.zst}
MACHINE_LIST=${FRESH_MACHINE_LIST:-/work/.library/env/packages/installed-cpp.txt}
LIST_COPY=$REPO/tests/fresh/machine-packages.txt
SOURCES=/etc/apt/sources.list.d/debian.sources
HOST_TOOLS="mmdebstrap zstd git util-linux"

say() { printf 'portcullis: check-fresh: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }
now() { date +%s; }

# Bash reads a script as it runs it: everything is in functions, so that a
# change to this file during a run cannot change the run.

# ---- inside the private mount namespace: `check-fresh.sh --inside ROOT` ----
inside() {
	ROOT=$1
	mounted=()
	child=
	cleanup() {
		local rc=$? i pid
		trap - EXIT INT TERM
		[ -z "$child" ] || kill -TERM -- "-$child" 2>/dev/null || true
		# Anything still running in the root was started from here.
		for pid in $(ls /proc | grep -E '^[0-9]+$'); do
			[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOT" ] &&
				kill -KILL "$pid" 2>/dev/null || true
		done
		for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
			umount -l "${mounted[i]}" 2>/dev/null || true
		done
		exit "$rc"
	}
	trap cleanup EXIT INT TERM
	mnt() { # mnt TARGET ARGS...: mount and remember for the cleanup
		local target=$1; shift
		mkdir -p "$target"
		mount "$@" "$target"
		mounted+=("$target")
	}
	hostname vm
	mnt "$ROOT" --bind "$ROOT" # ip netns exec wants / to be a mount point
	mnt "$ROOT/proc" -t proc proc
	mnt "$ROOT/sys" -t sysfs sysfs
	# cgroup2, as a machine's init mounts it: the tests put portcullis'
	# setsockopt guard on a cgroup of their own, never on the root.
	mnt "$ROOT/sys/fs/cgroup" -t cgroup2 cgroup2
	mnt "$ROOT/dev" -t devtmpfs devtmpfs
	mnt "$ROOT/dev/pts" -t devpts -o newinstance,ptmxmode=0666 devpts
	mnt "$ROOT/dev/shm" -t tmpfs tmpfs
	mnt "$ROOT/run" -t tmpfs tmpfs
	mnt "$ROOT/tmp" -t tmpfs -o mode=1777 tmpfs
	# /sys/fs/bpf stays unmounted: portcullis mounts its own bpffs.

	run_in_root() { # run_in_root NAME COMMAND: timed, in its own group
		local name=$1 start rc
		start=$(now)
		set +e
		setsid chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root TERM=dumb sh -c "cd /root/portcullis && $2" &
		child=$!
		wait "$child"
		rc=$?
		set -e
		child=
		say "$name: exit $rc after $(($(now) - start)) s"
		return "$rc"
	}
	status=0
	run_in_root "make demo" "make demo" || status=1
	run_in_root "make check" "make check" || status=1
	# The package as an operator installs it, then the installed command.
	run_in_root "make deb, apt install, portcullis check" \
		"make deb && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		./build/deb/portcullis_*_\$(dpkg --print-architecture).deb >/dev/null &&
		grep -qx 'ExecStart=/usr/sbin/portcullis .*' /lib/systemd/system/portcullis.service &&
		/usr/sbin/portcullis check -c /etc/portcullis/site.yaml" || status=1
	run_in_root "the installed portcullis enforces" "sh tests/fresh/installed.sh" || status=1
	exit "$status"
}

# ---- on the host ----------------------------------------------------------
# The packages of a new machine: its list when this machine has one, else
# the copy in the repo. Not from Debian: cloud CLIs, kubectl, the nodejs
# build; also anything apt does not know here.
packages() {
	if [ -r "$MACHINE_LIST" ]; then
		awk -F'\t' '$1 == "apt" { sub(/:[a-z0-9]+$/, "", $2); print $2 }' \
			"$MACHINE_LIST" |
			grep -vxE 'google-cloud-cli.*|kubectl|nodejs' | sort -u |
			xargs apt-cache madison 2>/dev/null | awk '{ print $1 }' | sort -u
	else
		cat "$LIST_COPY"
	fi
}

# One "deb URI SUITE COMPONENTS" line per suite of each deb822 stanza.
mirrors() {
	awk '
	function flush(  n, s, i) {
		if (types ~ /(^| )deb( |$)/ && uris != "") {
			n = split(suites, s, " ")
			for (i = 1; i <= n; i++) print "deb " uris " " s[i] " " comps
		}
		types = uris = suites = comps = ""
	}
	/^[ \t]*$/ { flush(); next }
	/^#/ { next }
	/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
	/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
	/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
	/^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
	END { flush() }' "$SOURCES"
}

main() {
	[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, chroot, mounts)"
	[ -r "$SOURCES" ] || die "no $SOURCES to take the archive from"

	missing=
	for p in $HOST_TOOLS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		say "installing$missing"
		apt-get -o DPkg::Lock::Timeout=600 update -qq
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
			install -y -qq --no-install-recommends $missing >/dev/null
	fi

	list=$(mktemp)
	ROOT=
	new=
	inner=
	cleanup_host() {
		local rc=$?
		trap - EXIT INT TERM
		if [ -n "$inner" ] && kill -TERM "$inner" 2>/dev/null; then
			wait "$inner" || true
		fi
		rm -f "$list" ${new:+"$new"}
		# The mounts were in the namespace that is gone; --one-file-system
		# guards against any that were not.
		[ -z "$ROOT" ] || rm -rf --one-file-system "$ROOT"
		if [ "$rc" -eq 0 ]; then say "PASS"; else say "FAIL (exit $rc)"; fi
		exit "$rc"
	}
	trap cleanup_host EXIT INT TERM

	packages >"$list"
	[ -s "$list" ] || cp "$LIST_COPY" "$list" # apt's lists may be missing here
	[ -s "$list" ] || die "no packages for the fresh root"

	# A cache built from another list is built again.
	if [ ! -s "$CACHE" ] || ! cmp -s "$list" "$CACHE.packages"; then
		say "building the fresh root ($(wc -l <"$list") packages, 5-15 min)"
		mkdir -p "$(dirname "$CACHE")"
		start=$(now)
		mapfile -t mirror_lines < <(mirrors)
		new=${CACHE%.tar.zst}.new.tar.zst
		[ "${#mirror_lines[@]}" -gt 0 ] || die "no deb entries in $SOURCES"
		mmdebstrap --variant=minbase --quiet \
			--include="$(paste -sd, "$list")" \
			--customize-hook='echo "Acquire::Check-Valid-Until \"false\";" > "$1/etc/apt/apt.conf.d/90check-valid-until"' \
			--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/* "$1"/etc/resolv.conf "$1"/etc/hosts "$1"/etc/hostname' \
			bookworm "$new" "${mirror_lines[@]}"
		mv "$new" "$CACHE"
		new=
		install -m 644 "$list" "$CACHE.packages"
		say "fresh root built in $(($(now) - start)) s: $CACHE ($(du -h "$CACHE" | cut -f1))"
	fi

	ROOT=$(mktemp -d /var/tmp/portcullis-fresh.XXXXXX)
	chmod 755 "$ROOT"
	start=$(now)
	tar -C "$ROOT" --zstd --numeric-owner -xpf "$CACHE"
	say "fresh root unpacked in $(($(now) - start)) s"

	# What a new machine has: the archive, a resolver, its name, and no
	# service that starts on install (mmdebstrap keeps its own policy-rc.d
	# only while it installs).
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	cp "$SOURCES" "$ROOT/etc/apt/sources.list.d/"
	cp -a /var/lib/apt/lists/. "$ROOT/var/lib/apt/lists/"
	rm -f "$ROOT/var/lib/apt/lists/lock"
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
	echo vm >"$ROOT/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.0.1 vm\n' >"$ROOT/etc/hosts"

	git clone -q "$REPO" "$ROOT/root/portcullis"
	# FRESH_REV: another commit (e.g. one before a fix, to see it fail).
	[ -z "${FRESH_REV:-}" ] || git -C "$ROOT/root/portcullis" checkout -q "$FRESH_REV"
	say "testing $(git -C "$ROOT/root/portcullis" log -1 --format='%h %s' | cut -c1-60)"

	# In the background, so that a signal here reaches the trap at once
	# and the trap can stop the run (which then unmounts) before cleaning.
	unshare --mount --uts --propagation private -- "$0" --inside "$ROOT" &
	inner=$!
	local rc=0
	wait "$inner" || rc=$?
	inner=
	return "$rc"
}

if [ "${1:-}" = --inside ]; then inside "$2"; else main; fi
exit
