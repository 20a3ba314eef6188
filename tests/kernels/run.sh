#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check-kernels`: boots Debian's own 6.1 and 6.12 cloud kernels in qemu
# (TCG; no /dev/kvm needed) and runs tests/kernels/guest.sh there: attach
# with native XDP, generic XDP and TC ingress, traffic, counters, reload,
# detach, and the BPF_PROG_TEST_RUN suites (build/tests/test_prog_*).
#
# The kernel packages are fetched with apt-get download into a cache
# outside the repository and unpacked with dpkg-deb -x, never installed.
# busybox-static likewise (installing it would remove busybox). Ends with
# "N passed, N failed"; a VM that does not finish in time is a failure.
# Each VM's console is kept in build/test-logs/kernel-RELEASE.log.
#
#   PC_KERNELS="6.1 6.12"   the kernel series to boot
#   PC_KERNEL_CACHE=DIR     where the .debs are kept
#   PC_KERNEL_TIMEOUT=S     seconds one VM may take
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
cd "$ROOT" || exit 1
SERIES=${PC_KERNELS:-6.1 6.12}
CACHE=${PC_KERNEL_CACHE:-/var/cache/portcullis/kernels}
TIMEOUT=${PC_KERNEL_TIMEOUT:-1200}
TMP=$(mktemp -d /tmp/portcullis-kernels.XXXXXX)
QEMU_PID=""

cleanup() {
	trap - EXIT INT TERM
	[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "portcullis: check-kernels: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (apt-get, the cache in $CACHE)"
for f in "$BUILD/portcullis" "$BUILD"/tests/test_prog_datapath; do
	[ -x "$f" ] || die "$f is missing: run make first"
done
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "  DEPS    installing qemu-system-x86"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		qemu-system-x86 >/dev/null || die "cannot install qemu-system-x86"
fi
mkdir -p "$CACHE"

# The archive's package name for a series: the newest one apt knows.
package_of() { # SERIES
	local re
	case $1 in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' ;;
	*) return 1 ;;
	esac
	apt-cache search --names-only "$re" | awk '{ print $1 }' | sort -V | tail -1
}

# A .deb in the cache, downloaded when missing; the cached one when the
# archive cannot be asked (offline re-runs).
deb_of() { # PACKAGE-NAME-OR-GLOB
	local name=$1 have
	have=$(find "$CACHE" -maxdepth 1 -name "${name}_*.deb" | sort -V | tail -1)
	if [ -z "$have" ]; then
		(cd "$CACHE" && apt-get download -o APT::Sandbox::User=root -qq "$name") >&2 || return 1
		have=$(find "$CACHE" -maxdepth 1 -name "${name}_*.deb" | sort -V | tail -1)
	fi
	[ -n "$have" ] && echo "$have"
}

# A file and the shared libraries it needs, at their own paths under DIR.
copy_with_libs() { # DIR FILE...
	local dir=$1 f lib
	shift
	for f in "$@"; do
		install -D -m 755 "$f" "$dir/usr/bin/${f##*/}"
		for lib in $(ldd "$f" | grep -oE '/[^ ]+'); do
			[ -e "$dir$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$dir$lib"
		done
	done
}

# Module names for insmod, dependencies first, from each module's own
# depends= (what depmod writes into modules.dep; the package has no
# modules.dep because depmod runs at install). Plain .ko into DIR/modules.
add_modules() { # KERNEL-MODULE-DIR DIR NAME...
	local kdir=$1 dir=$2 name file deps
	shift 2
	for name in "$@"; do
		grep -qx "$name" "$dir/modules/order" 2>/dev/null && continue
		file=$(find "$kdir" -name "$name.ko" -o -name "$name.ko.xz" -o \
			-name "${name//_/-}.ko" -o -name "${name//_/-}.ko.xz" | head -1)
		[ -n "$file" ] || { echo "no module $name in $kdir" >&2; return 1; }
		case $file in
		*.xz) "$TMP_BUSYBOX" xzcat "$file" >"$dir/modules/$name.ko" ;;
		*) cp "$file" "$dir/modules/$name.ko" ;;
		esac
		deps=$(objcopy -O binary --only-section=.modinfo "$dir/modules/$name.ko" /dev/stdout |
			tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' ')
		# shellcheck disable=SC2086
		[ -z "$deps" ] || add_modules "$kdir" "$dir" $deps || return 1
		echo "$name" >>"$dir/modules/order"
	done
}

build_initramfs() { # KERNEL-TREE OUT
	local tree=$1 out=$2 r=$TMP/root a
	rm -rf "$r"
	mkdir -p "$r"/{bin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,var,modules,tests}
	cp "$TMP_BUSYBOX" "$r/bin/busybox"
	mknod -m 600 "$r/dev/console" c 5 1 # the kernel opens it before /init runs
	for a in $("$r/bin/busybox" --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	copy_with_libs "$r" "$BUILD/portcullis" "$(command -v ip)" "$(command -v tc)" \
		"$(command -v bpftool)" "$(command -v jq)" "$(command -v setarch)"
	for a in "$BUILD"/tests/test_prog_*; do
		case $a in *.d) continue ;; esac
		copy_with_libs "$r" "$a"
		mv "$r/usr/bin/${a##*/}" "$r/tests/"
	done
	add_modules "$tree/lib/modules" "$r" veth sch_ingress cls_bpf || return 1
	install -m 755 tests/kernels/guest.sh "$r/init"
	(cd "$r" && find . | "$TMP_BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip -1 >"$out"
}

# Reads the VM's TAP from its serial log and prints it, each line named by
# the kernel; counts into passed/failed.
passed=0
failed=0
report() { # RELEASE LOG RC SECONDS
	local rel=$1 log=$2 rc=$3 secs=$4 ok notok plan
	tr -d '\r' <"$log" >"$log.txt"
	grep -E '^(ok|not ok) |^# |^#   ' "$log.txt" | grep -v '^# portcullis-kernel-done' |
		sed -E "s/^(ok|not ok) ([0-9]+) - /\1 \2 - $rel: /"
	ok=$(grep -cE '^ok ' "$log.txt")
	notok=$(grep -cE '^not ok ' "$log.txt")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log.txt" | tail -1)
	if ! grep -q '^# portcullis-kernel-done' "$log.txt"; then
		notok=$((notok + 1))
		echo "not ok - $rel: the VM did not finish (exit $rc after ${secs}s; timeout ${TIMEOUT}s); last lines:"
		tail -15 "$log.txt" | sed 's/^/#   /'
	elif [ "$plan" != $((ok + notok)) ]; then
		echo "not ok - $rel: plan 1..$plan but $((ok + notok)) results"
		notok=$((notok + 1))
	fi
	echo "# $rel: $ok passed, $notok failed in ${secs}s"
	passed=$((passed + ok))
	failed=$((failed + notok))
}

BUSYBOX_DEB=$(deb_of busybox-static) || die "cannot fetch busybox-static"
TMP_BUSYBOX=$TMP/busybox
dpkg-deb --fsys-tarfile "$BUSYBOX_DEB" | tar -xO ./bin/busybox >"$TMP_BUSYBOX"
chmod 755 "$TMP_BUSYBOX"

for s in $SERIES; do
	glob="linux-image-${s}[.-]*-cloud-amd64-unsigned_*.deb"
	pkg=$(package_of "$s")
	deb=""
	[ -n "$pkg" ] && deb=$(deb_of "$pkg")
	if [ -n "$deb" ]; then # the newest: older ones of the series go
		find "$CACHE" -maxdepth 1 -name "$glob" ! -path "$deb" -delete
	else # apt knows none or cannot fetch it: a cached one will do
		deb=$(find "$CACHE" -maxdepth 1 -name "$glob" | sort -V | tail -1)
	fi
	if [ -z "$deb" ]; then
		echo "not ok - $s: no linux-image package for it (apt-cache search, $CACHE)"
		failed=$((failed + 1))
		continue
	fi
	tree=$TMP/kernel-$s
	mkdir -p "$tree"
	dpkg-deb -x "$deb" "$tree"
	vmlinuz=$(find "$tree/boot" -name 'vmlinuz-*' | head -1)
	rel=${vmlinuz##*/vmlinuz-}
	echo "# $rel: ${deb##*/}"
	if ! build_initramfs "$tree" "$TMP/initrd-$s.gz"; then
		echo "not ok - $rel: cannot build the initramfs"
		failed=$((failed + 1))
		continue
	fi
	start=$(date +%s)
	nice -n 10 timeout "$TIMEOUT" qemu-system-x86_64 -m 1024 -smp 1 -nographic -nic none \
		-no-reboot -kernel "$vmlinuz" -initrd "$TMP/initrd-$s.gz" \
		-append 'console=ttyS0 panic=-1 quiet loglevel=3' \
		</dev/null >"$TMP/serial-$s.log" 2>&1 &
	QEMU_PID=$!
	wait "$QEMU_PID"
	rc=$?
	QEMU_PID=""
	report "$rel" "$TMP/serial-$s.log" "$rc" $(($(date +%s) - start))
	# The whole console, boot included, for when a line is not enough.
	mkdir -p "$BUILD/test-logs" && cp "$TMP/serial-$s.log.txt" "$BUILD/test-logs/kernel-$rel.log"
	rm -rf "$tree"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
