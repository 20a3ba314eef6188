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
ID=pcs$$$((RANDOM % 100))
TMP=$(mktemp -d "/tmp/$ID.XXXX")
MROOT=$TMP/root
# shellcheck source=tests/systemd/machine.sh
. "$ROOT/tests/systemd/machine.sh"

# The machine's configuration: what an operator writes.
configure_root() {
	unpack_root || return 1
	env -u MAKEFLAGS -u MAKELEVEL make -s -C "$ROOT" --no-print-directory install \
		BUILD="$BUILD" DESTDIR="$MROOT" PREFIX=/usr >/dev/null || return 1
	site_port 22015
	echo 'PORTCULLIS_IFACES="eth0"' >"$MROOT/etc/default/portcullis"
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

attached() { m portcullis status -j | jq -e '.attached and (.interfaces[0] | .name == "eth0" and .ingress == "xdp" and .tc_egress == "attached")'; }
generation() { m portcullis status -j | jq -r '.generation // 0'; }
active() { test "$(m systemctl is-active portcullis)" = active || { journal portcullis | tail -4; false; }; }
in_journal() { journal portcullis | grep -q -- "$1"; } # TEXT

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
