#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# portcullis.service under a real systemd (Debian 12's 252): a minimal
# Debian root with systemd, `make install`ed into, booted with
# systemd-nspawn inside the test's own network namespace.
#
#   namespace $ID-srv (the machine)          namespace $ID-peer
#   +-------------------------------+  veth  +-----------------------+
#   | systemd, portcullis.service   |--------| eth0 192.0.2.20 (cli) |
#   | eth0 192.0.2.10 (srv)         |        +-----------------------+
#   | its own bpffs on /sys/fs/bpf  |
#   +-------------------------------+
# The machine's root is cached as a tarball (first run: mmdebstrap, ~2
# min). Every check is one TAP line; everything goes on every exit path.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=$ROOT/$BUILD/portcullis
CACHE=${PORTCULLIS_CACHE:-/var/cache/portcullis}/systemd-root.tar.zst
SOURCES=/etc/apt/sources.list.d/debian.sources
ID=pcs$$$((RANDOM % 100))
TMP=$(mktemp -d "/tmp/$ID.XXXX")
MROOT=$TMP/root
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

# ---- the root: cached; built again when the packages it needs change ----
# Libraries of the binary as built here, by package, and systemd itself.
root_packages() {
	{
		echo systemd systemd-sysv dbus iproute2
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

# The machine's configuration: what an operator writes, and the bpffs
# mount that PID 1 makes at boot on a real machine (not in a container).
configure_root() {
	mkdir -p "$MROOT"
	tar --zstd -xf "$CACHE" -C "$MROOT" || return 1
	env -u MAKEFLAGS -u MAKELEVEL make -s -C "$ROOT" --no-print-directory install \
		BUILD="$BUILD" DESTDIR="$MROOT" PREFIX=/usr >/dev/null || return 1
	site_port 22015
	echo 'PORTCULLIS_IFACES="eth0"' >"$MROOT/etc/default/portcullis"
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
	mkdir -p "$MROOT/etc/systemd/system/multi-user.target.wants"
	ln -sf /usr/lib/systemd/system/portcullis.service \
		"$MROOT/etc/systemd/system/multi-user.target.wants/portcullis.service"
}

site_port() { # the site, with A-1.1's HTTP port
	cat >"$MROOT/etc/portcullis/site.yaml.new" <<-EOT
	hosts:
	  - {name: srv, kinds: [management-server], os: windows, addresses: [192.0.2.10]}
	  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
	parameters: {hcsm-http-port: $1}
	EOT
	mv "$MROOT/etc/portcullis/site.yaml.new" "$MROOT/etc/portcullis/site.yaml"
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
attached() { m portcullis status -j | jq -e '.attached and (.interfaces[0] | .name == "eth0" and .ingress == "xdp" and .tc_egress == "attached")'; }
generation() { m portcullis status -j | jq -r '.generation // 0'; }
active() { test "$(m systemctl is-active portcullis)" = active || { journal portcullis | tail -4; false; }; }
in_journal() { journal portcullis | grep -q -- "$1"; } # TEXT
# Entries of the unit whose fields match: jq -e over the array of them.
entries() { # JOURNALCTL-MATCH... JQ-FILTER (the last argument)
	local filter=${!#}
	m journalctl -q -b -u portcullis -o json --no-pager "${@:1:$#-1}" | jq -se "$filter"
}

[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
[ -x "$PC" ] || { echo "Bail out! build $PC first"; exit 1; }
pair_up
build_root || { echo "Bail out! no systemd root"; exit 1; }
configure_root || { echo "Bail out! cannot install into the root"; exit 1; }
check "the machine boots to multi-user" boot
say "systemd $(m dpkg-query -W -f '${Version}' systemd) in the machine"

# --- at boot: enabled, ready, before the network ---
check "portcullis.service is active after boot" active
check "its status line comes from sd_notify" sh -c "nsenter -t $INIT -a systemctl show -P StatusText portcullis | grep -q '^enforcing'"
check "READY=1 came before network-pre.target was reached" sh -c \
	"test $(unit_prop portcullis.service ActiveEnterTimestampMonotonic) -gt 0 &&
	 test $(unit_prop portcullis.service ActiveEnterTimestampMonotonic) -le $(unit_prop network-pre.target ActiveEnterTimestampMonotonic)"
check "no ordering cycle at boot" sh -c "! nsenter -t $INIT -a journalctl -b -q --no-pager | grep -i 'ordering cycle'"
check "the hooks are attached (portcullis status -j in the machine)" attached
check "cli reaches the HTTP GUI on 22015 (A-1.1)" connects 22015
check "an undocumented port (9999) is dropped" dropped 9999
check "the denial is a warning in the journal with its fields" wait_until 5 entries -p warning PORTCULLIS_EVENT=denied \
	'any(.[]; .PRIORITY == "4" and .PORTCULLIS_REASON == "no-rule" and .PORTCULLIS_PROTO == "tcp" and
	 .PORTCULLIS_SRC == "192.0.2.20" and .PORTCULLIS_DST == "192.0.2.10" and .PORTCULLIS_DST_PORT == "9999")'

# --- a port change: by the file watch, and by systemctl reload ---
gen=$(generation)
site_port 22115
check "saving the site reloads it (generation $gen -> more)" wait_until 10 sh -c \
	"test \"\$(nsenter -t $INIT -a portcullis status -j | jq -r .generation)\" -gt $gen"
check "the journal says what changed" wait_until 5 in_journal "A-1.1"
check "the policy change is a notice with generation, file and cause" entries PORTCULLIS_EVENT=policy \
	"any(.[]; .PRIORITY == \"5\" and .PORTCULLIS_GENERATION == \"$((gen + 1))\" and
	 .PORTCULLIS_SITE == \"/etc/portcullis/site.yaml\" and .PORTCULLIS_WHO == \"the site file changed\")"
check "and one entry for the path that changed" entries PORTCULLIS_PATH=A-1.1-http-gui \
	'any(.[]; .PORTCULLIS_CHANGE == "changed" and (.PORTCULLIS_DETAIL | contains("22115")))'
check "the new port 22115 passes" connects 22115
check "the old port 22015 is dropped" dropped 22015
gen=$(generation)
check "systemctl reload succeeds" m systemctl reload portcullis
check "it reloaded on SIGHUP (generation $gen -> more)" wait_until 10 sh -c \
	"test \"\$(nsenter -t $INIT -a portcullis status -j | jq -r .generation)\" -gt $gen"
check "RELOADING=1 then READY=1: active again, status names the generation" wait_until 10 sh -c \
	"nsenter -t $INIT -a systemctl is-active portcullis | grep -qx active &&
	 nsenter -t $INIT -a systemctl show -P StatusText portcullis | grep -q 'enforcing generation $((gen + 1))'"
check "the journal has the SIGHUP reload and who sent it" entries PORTCULLIS_EVENT=policy \
	"any(.[]; .PORTCULLIS_GENERATION == \"$((gen + 1))\" and (.PORTCULLIS_WHO | test(\"^SIGHUP from pid [0-9]+ [(]uid 0[)]$\")))"

# --- a flood of denied packets: sampled, the rest counted ---
# 400 datagrams in 0.2 s fall in at most two seconds: 10 entries each.
peer "$ROOT/$BUILD/tools/udpseq" send 192.0.2.10 9998 400 500 192.0.2.20:40998 >/dev/null 2>&1
sleep 1.1 # the next second's packet closes the sampled one
dropped 9999
n9998=$(entries PORTCULLIS_DST_PORT=9998 length)
check "a flood of 400 denied datagrams: sampled, $n9998 entries (1 to 20)" \
	test "$n9998" -ge 1 -a "$n9998" -le 20
check "and one entry counts those left out" wait_until 5 entries PORTCULLIS_EVENT=denied-left-out \
	'any(.[]; (.PORTCULLIS_LEFT_OUT | tonumber) >= 100)'

# --- stop: the enforcement stays ---
check "systemctl stop" m systemctl stop portcullis
check "the unit is inactive, not failed" test "$(m systemctl is-active portcullis)" = inactive
check "the hooks stay attached" attached
check "22115 still passes" connects 22115
check "9999 is still dropped" dropped 9999
check "systemctl start adopts what is pinned" m systemctl start portcullis
check "and the generation goes on" test "$(generation)" -gt "$gen"

# --- kill -9: enforcement stays, Restart=on-failure adopts the pins ---
pid=$(unit_prop portcullis.service MainPID)
gen=$(generation)
check "kill -9 of the daemon (pid $pid in the machine)" m sh -c "kill -9 $pid"
check "9999 is dropped while it is down" dropped 9999
check "systemd restarts it (Restart=on-failure)" wait_until 30 sh -c \
	"test \"\$(nsenter -t $INIT -a systemctl show -P NRestarts portcullis)\" = 1 &&
	 nsenter -t $INIT -a systemctl is-active portcullis | grep -qx active"
check "the new daemon is another process" test "$(unit_prop portcullis.service MainPID)" != "$pid"
check "it adopted the pins (attached, generation $gen -> more)" sh -c \
	"nsenter -t $INIT -a portcullis status -j | jq -e '.attached and .generation > $gen'"
check "22115 passes" connects 22115
check "9999 is dropped" dropped 9999

# --- the units: the template verifies, the exposure score ---
check "systemd-analyze verify: the service and portcullis@eth0" \
	m systemd-analyze verify --man=no portcullis.service portcullis@eth0.service
m systemd-analyze security --no-pager portcullis.service >"$TMP/security" 2>&1
say "$(tail -1 "$TMP/security")"
check "systemd-analyze security: exposure at most 2.0" \
	m systemd-analyze security --no-pager --threshold=20 portcullis.service

tap_end
