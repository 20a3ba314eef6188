#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# PID 1 of the test VM (busybox sh): load, attach (native XDP, generic XDP,
# TC ingress), count, reload, detach and the BPF_PROG_TEST_RUN suites on the
# kernel the VM booted. TAP on the serial console; tests/kernels/run.sh reads
# it. The last line is "# portcullis-kernel-done", then the VM powers off.
#
#   namespace srv                        namespace peer
#   +------------------------+  veth    +------------------------+
#   | eth0 192.0.2.10        |----------| eth0 192.0.2.20 (cli)  |
#   | portcullis (srv)       |          |                        |
#   | answers on 22015,      |          |                        |
#   |   22115 and 22999      |          |                        |
#   +------------------------+          +------------------------+
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck disable=SC3040 # busybox ash has it
set -o pipefail # a check's pipeline fails when its first command does
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /run
ln -s /run /var/run # where ip netns keeps its namespaces
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
# attach puts its setsockopt guard on the cgroup2 root: this VM's own.
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# shellcheck disable=SC3045 # busybox ash has it
ulimit -l unlimited
exec >/dev/console 2>&1

# busybox's shell runs its own applets before anything on PATH (and so does
# its nsenter): iproute2's ip and tc by their paths, wherever they run.
ip() { /usr/bin/ip "$@"; }
tc() { /usr/bin/tc "$@"; }
PINS=/sys/fs/bpf/pc-vm
SITE=/tmp/site.yaml
LOG=/tmp/log
n=0
fails=0
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	n=$((n + 1))
	if "$@" >"$LOG" 2>&1; then echo "ok $n - $d"
	else fails=$((fails + 1)); echo "not ok $n - $d"; tail -8 "$LOG" | sed 's/^/#   /'; fi
}
finish() {
	echo "1..$n"
	echo "# portcullis-kernel-done $fails"
	sync
	poweroff -f
}
srv() { nsenter --net=/run/netns/srv "$@"; }
peer() { nsenter --net=/run/netns/peer "$@"; }
pc() { srv portcullis "$@" --pin-root "$PINS"; }

echo "# kernel $(uname -r)"
while read -r m; do
	check "insmod $m" insmod "/modules/$m.ko"
done </modules/order

write_site() { # the HCSM http port
	cat >"$SITE" <<EOT
hosts:
  - {name: srv, kinds: [management-server], os: windows, addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
parameters: {hcsm-http-port: $1}
EOT
}

# TCP to srv:PORT from the client; the server answers "ok".
reaches() { [ "$(peer nc -w 3 192.0.2.10 "$1" </dev/null 2>/dev/null)" = ok ]; }
refused() { ! reaches "$1"; }
path_packets() { # PATH DIRECTION
	pc stats -j | jq -e --arg p "$1" --arg d "$2" \
		'[.paths[] | select(.path == $p and .direction == $d) | .packets] | add > 0'
}
drop_packets() { # REASON DIRECTION
	pc stats -j | jq -e --arg r "$1" --arg d "$2" \
		'[.drops[] | select(.reason == $r and .direction == $d) | .packets] | add > 0'
}

pair_up() {
	ip netns add srv && ip netns add peer &&
	ip -n srv link add eth0 type veth peer name eth0 netns peer &&
	ip -n srv addr add 192.0.2.10/24 dev eth0 &&
	ip -n peer addr add 192.0.2.20/24 dev eth0 &&
	for ns in srv peer; do
		ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up || return 1
	done
}
check "two namespaces joined by a veth pair" pair_up
printf '#!/bin/sh\necho ok\n' >/tmp/answer
chmod +x /tmp/answer
for port in 22015 22115 22999; do
	srv nc -ll -p "$port" -e /tmp/answer </dev/null >/dev/null 2>&1 &
done
for _ in $(seq 50); do srv netstat -ltn | grep -q ':22999 ' && break; sleep 0.1; done
both_reach() { reaches 22015 && reaches 22999; }
check "without portcullis the client reaches 22015 and 22999" both_reach

# What the kernel shows on eth0: link (XDP) and clsact filters.
hooks() {
	srv /usr/bin/ip link show dev eth0 && srv /usr/bin/tc filter show dev eth0 ingress &&
		srv /usr/bin/tc filter show dev eth0 egress
}
has_hook() { out=$(hooks) && echo "$out" | grep -q "$1"; }
lacks_hook() { out=$(hooks) && ! echo "$out" | grep -q "$1"; }
counted_both_ways() { path_packets A-1.1-http-gui ingress && path_packets A-1.1-http-gui egress; }
no_pins() { [ ! -e "$PINS" ] || [ -z "$(ls -A "$PINS")" ]; }

# A kernel below the floor: setarch makes uname say 2.6.
too_old() {
	write_site 22015
	if out=$(srv setarch x86_64 --uname-2.6 portcullis attach -c "$SITE" --pin-root "$PINS" eth0 2>&1); then
		echo "attach succeeded: $out"
		return 1
	fi
	echo "$out"
	[ "$(echo "$out" | wc -l)" = 1 ] &&
		echo "$out" | grep -q '^portcullis: Linux 2\.6\.[^ ]* is too old: portcullis needs Linux 5\.12 or later' &&
		lacks_hook 'xdp\|bpf' && no_pins
}
check "attach on a kernel that says 2.6: one sentence, nothing attached" too_old

# One pass per ingress hook.
# The setsockopt hook on this VM's cgroup2 root, pc_tc_vlan on clsact ingress.
guards() {
	pc status -j | jq -e '.raw_socket_bypass.hook == "attached" and
		.raw_socket_bypass.cgroup == "/sys/fs/cgroup" and .interfaces[0].tc_vlan == "attached"'
}
run_hook() { # NAME HOOK HOOK-AS-SHOWN ATTACH-OPTION...
	name=$1 hook=$2 shown=$3
	shift 3
	write_site 22015
	check "$name: attach $*" pc attach -c "$SITE" "$@" eth0
	check "$name: ip/tc show $hook on eth0" has_hook "$shown"
	check "$name: egress on clsact (pc_tc_egress)" has_hook pc_tc_egress
	check "$name: the setsockopt hook and pc_tc_vlan are in place" guards
	[ "$name" = tc ] && check "$name: no XDP program on eth0" lacks_hook xdp
	check "$name: the documented flow passes (cli -> 22015)" reaches 22015
	check "$name: an undocumented one is dropped (cli -> 22999)" refused 22999
	check "$name: stats -j counts A-1.1-http-gui ingress and egress" counted_both_ways
	check "$name: stats -j counts the drop as no-rule ingress" drop_packets no-rule ingress
	if [ "$name" = native ]; then
		write_site 22115
		check "$name: reload with hcsm-http-port 22115" pc reload
		check "$name: the new port 22115 passes" reaches 22115
		check "$name: the old port 22015 is dropped" refused 22015
		check "$name: A-1.1-http-gui counted across the reload" counted_both_ways
	fi
	check "$name: detach" pc detach --all
	check "$name: no hook left on eth0" lacks_hook 'xdp\|bpf'
	check "$name: no pins left" no_pins
	check "$name: 22015 and 22999 reachable again" both_reach
}
run_hook native "native XDP" 'mtu [0-9]* xdp ' --xdp-mode native
run_hook generic "generic XDP" 'mtu [0-9]* xdpgeneric ' --xdp-mode generic
run_hook tc "pc_tc_ingress on clsact ingress" pc_tc_ingress --ingress tc

# The BPF_PROG_TEST_RUN suites, on this kernel's verifier and datapath.
for t in /tests/test_prog_*; do
	name=${t##*/}
	if CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$LOG" 2>&1; then
		n=$((n + 1)); echo "ok $n - $name ($(grep -c '^ok ' "$LOG") cases)"
	else
		n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $name"
		grep -E '^not ok|^# ' "$LOG" | head -12 | sed 's/^/#   /'
	fi
	grep -E '^# (verifier|stack: pc_xdp_ingress)' "$LOG"
done
finish
