# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the two-namespace tests: srv (192.0.2.10, portcullis) and peer
# (192.0.2.20 and the addresses given) joined by a veth pair eth0 (and a
# spare pair eth1 on request); a private bpffs for the pins; TAP checks;
# cleanup of namespaces, processes, pins, mounts and files on every exit
# path. Set ID (unique), PC and TMP first; PINS is then a pin root on the
# private bpffs, CGROUP (after pair_up) a cgroup of the test's own for
# attach --cgroup. PAIR_CLEANUP may name an extra cleanup step. pc runs
# portcullis in srv on PINS; pair_site and pair_tcp_* are the small site and
# the TCP ends most of these tests start from.

# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
# shellcheck source=tests/lib/wait.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/wait.sh"
# shellcheck source=tests/lib/cgroup.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/cgroup.sh"
# shellcheck source=tests/lib/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"

BPFFS=$TMP/bpffs
PINS=$BPFFS/portcullis
srv() { nsenter --net="/run/netns/$ID-srv" "$@"; }
peer() { nsenter --net="/run/netns/$ID-peer" "$@"; }
pc() { srv "$PC" "$@" --pin-root "$PINS"; }
PY=${PY:-$(command -v /usr/bin/python3 || command -v python3)}

pair_cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "${PAIR_CLEANUP:-}" ] && $PAIR_CLEANUP
	disown -a # the servers killed below are no news
	[ -d "$PINS" ] && srv "$PC" -q detach --all --pin-root "$PINS" >/dev/null 2>&1
	cgroup_remove
	netns_remove "$ID-srv" "$ID-peer"
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$TMP"
}

# pair_up [--spare] [--srv ADDRESS]... [PEER-ADDRESS...]: 192.0.2.10 (srv)
# and 192.0.2.20 (peer) are always there; IPv6 addresses are /64, no DAD.
pair_up() {
	local a spare=0 srv_addrs="192.0.2.10" peer_addrs="192.0.2.20" ifs=eth0 i ns
	trap pair_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	while [ $# -gt 0 ]; do
		case $1 in
		--spare) spare=1 ;;
		--srv) srv_addrs="$srv_addrs $2"; shift ;;
		*) peer_addrs="$peer_addrs $1" ;;
		esac
		shift
	done
	mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS" || return 1
	cgroup_make "$ID" || return 1
	ip netns add "$ID-srv" && ip netns add "$ID-peer" || return 1
	[ "$spare" = 1 ] && ifs="eth0 eth1"
	for i in $ifs; do
		ip -n "$ID-srv" link add "$i" type veth peer name "$i" netns "$ID-peer" || return 1
	done
	for a in $srv_addrs; do pair_addr "$ID-srv" "$a"; done
	for a in $peer_addrs; do pair_addr "$ID-peer" "$a"; done
	for ns in $ID-srv $ID-peer; do
		for i in lo $ifs; do ip -n "$ns" link set "$i" up || return 1; done
	done
}

pair_addr() { # NETNS ADDRESS, on eth0
	case $2 in
	*:*) ip -n "$1" addr add "$2/64" dev eth0 nodad ;;
	*) ip -n "$1" addr add "$2/24" dev eth0 ;;
	esac
}

# pair_site NAME: writes $SITE, a site called NAME with srv as mgr (a Linux
# management server) and peer's 192.0.2.20 as desk (a management client);
# more hosts can be appended to it.
pair_site() {
	cat >"$SITE" <<EOF
site: $1
hosts:
  - name: mgr
    kinds: [management-server]
    os: linux
    addresses: [192.0.2.10]
  - name: desk
    kinds: [management-client]
    addresses: [192.0.2.20]
EOF
}

# pair_tcp_server NS-FUNCTION ADDRESS PORT: a TCP server in the background
# that answers every connection with "ok".
pair_tcp_server() {
	"$1" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(100); c.sendall(b"ok"); c.close()
' "$2" "$3" </dev/null >/dev/null 2>&1 &
}

# pair_tcp_client NS-FUNCTION SRC DST PORT: true when the server answered;
# fails after 2 seconds.
pair_tcp_client() {
	"$1" "$PY" -c '
import socket, sys
s = socket.socket(); s.settimeout(2)
s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(b"hello"); assert s.recv(100) == b"ok"
' "$2" "$3" "$4"
}
