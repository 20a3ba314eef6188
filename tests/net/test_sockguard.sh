#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The setsockopt guard (docs/security.md, "Transmission that skips TC
# egress"): attach puts a cgroup/setsockopt program on the cgroup --cgroup
# names; its processes get EPERM for PACKET_QDISC_BYPASS and the AF_XDP
# ring options, counted as raw-bypass; other options pass untouched (also
# those longer than a page); processes outside the cgroup are not
# affected; settings: raw-socket-bypass: allow lets them through; detach
# removes the hook. BPF_PROG_TEST_RUN does not run cgroup sockopt
# programs, so this runs real setsockopt calls.
#
# Safety: a cgroup of the test's own (tests/lib/cgroup.sh), never the
# machine's root; namespaces, pins and the cgroup go on every exit path.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=${PC:-$ROOT/$BUILD/portcullis}
PY=/usr/bin/python3
ID=pcg$$-$RANDOM
TMP=$(mktemp -d "/tmp/$ID.XXXX")
# shellcheck source=tests/net/pair.sh
. "$(dirname "$0")/pair.sh"
pair_up || { tap FAIL "set up the namespaces and the cgroup"; tap_end; exit; }
cat >"$TMP/site.yaml" <<EOT
hosts:
  - {name: srv, kinds: [management-server], addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
EOT
{ cat "$TMP/site.yaml"; printf 'settings:\n  raw-socket-bypass: allow\n'; } >"$TMP/allow.yaml"

# sockopt.py CASE: prints what setsockopt said: "ok" or the errno's name.
cat >"$TMP/sockopt.py" <<'EOT'
import errno, socket, struct, sys
case = sys.argv[1]
try:
    if case == "qdisc-bypass":
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        s.setsockopt(263, 20, 1)             # SOL_PACKET, PACKET_QDISC_BYPASS
    elif case == "packet-other":
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        s.setsockopt(263, 8, 1)              # PACKET_AUXDATA
        assert s.getsockopt(263, 8) == 1
    elif case in ("xdp-umem", "xdp-tx-ring"):
        s = socket.socket(44, socket.SOCK_RAW, 0)  # AF_XDP
        if case == "xdp-umem":               # a bogus area: EINVAL at best
            s.setsockopt(283, 4, struct.pack("QQIII", 0, 4096, 2048, 0, 0))
        else:
            s.setsockopt(283, 3, 64)
    elif case == "long-option":              # optlen above a page
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lo" + b"\0" * 5000)
        got = s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16)
        assert got.rstrip(b"\0") == b"lo", got
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOT
inside() { in_cgroup nsenter --net="/run/netns/$ID-srv" "$PY" "$TMP/sockopt.py" "$1"; }
outside() { srv "$PY" "$TMP/sockopt.py" "$1"; }
said() { # said WANT COMMAND...: the script's answer is WANT
	local got
	got=$("${@:2}" 2>&1)
	[ "$got" = "$1" ] || { echo "said: $got, not $1"; return 1; }
}
not_eperm() { local got; got=$("$@" 2>&1); echo "$got"; [ "$got" != EPERM ]; }
refused() { # the raw-bypass counter (egress)
	pc stats -j | jq '[.drops[] | select(.reason == "raw-bypass" and .direction == "egress") | .packets] | add // 0'
}
xdp_sockets() { srv "$PY" -c 'import socket; socket.socket(44, socket.SOCK_RAW, 0)' 2>/dev/null; }

check "before attach: PACKET_QDISC_BYPASS in the cgroup works" said ok inside qdisc-bypass
check "attach --cgroup (the test's own cgroup)" pc attach --cgroup "$CGROUP" -c "$TMP/site.yaml" eth0
check "status shows the hook on the test's cgroup" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' status -j --pin-root '$PINS' | jq -e '.raw_socket_bypass | .hook == \"attached\" and .setting == \"refuse\" and .cgroup == \"$CGROUP\"'"
check "the link is pinned under the pin root" test -e "$PINS/links/setsockopt"

# Cases: what a process inside the cgroup gets, option by option.
check "in the cgroup: PACKET_QDISC_BYPASS is refused (EPERM)" said EPERM inside qdisc-bypass
check "in the cgroup: another AF_PACKET option passes and takes effect" said ok inside packet-other
check "in the cgroup: an option longer than a page passes and takes effect" said ok inside long-option
if xdp_sockets; then
	check "in the cgroup: XDP_UMEM_REG is refused (EPERM)" said EPERM inside xdp-umem
	check "in the cgroup: XDP_TX_RING is refused (EPERM)" said EPERM inside xdp-tx-ring
	check "outside the cgroup: XDP_TX_RING is not refused" not_eperm outside xdp-tx-ring
else
	tap_skip "no AF_XDP sockets in this kernel"
	tap_skip "no AF_XDP sockets in this kernel"
	tap_skip "no AF_XDP sockets in this kernel"
fi
check "outside the cgroup: PACKET_QDISC_BYPASS works" said ok outside qdisc-bypass
n=$(refused)
check "refusals are counted as raw-bypass on egress ($n)" test "${n:-0}" -ge 2

# The setting: allow lets them through (a reload is enough), refuse again.
check "reload with raw-socket-bypass: allow" pc -q reload -c "$TMP/allow.yaml"
check "allow: PACKET_QDISC_BYPASS in the cgroup works" said ok inside qdisc-bypass
check "status says allow" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' status -j --pin-root '$PINS' | jq -e '.raw_socket_bypass.setting == \"allow\"'"
check "reload back to refuse" pc -q reload -c "$TMP/site.yaml"
check "refuse again: EPERM" said EPERM inside qdisc-bypass
check "attach again without --cgroup keeps the test's cgroup" pc -q attach -c "$TMP/site.yaml" eth0
check "... so the guard is still there" said EPERM inside qdisc-bypass
check "status still names the test's cgroup" sh -c \
	"nsenter --net=/run/netns/$ID-srv '$PC' status -j --pin-root '$PINS' | jq -e '.raw_socket_bypass.cgroup == \"$CGROUP\"'"

check "detach" pc -q detach --all
check "after detach: PACKET_QDISC_BYPASS in the cgroup works again" said ok inside qdisc-bypass
check "after detach: nothing pinned" test ! -e "$PINS"
tap_end
