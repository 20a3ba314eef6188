# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the two-namespace tests: srv (192.0.2.10, portcullis) and peer
# (192.0.2.20 and the addresses given) joined by a veth pair; TAP checks;
# cleanup of namespaces, processes, pins and files on every exit path.
# Set ID, PC, PINS and TMP first; PAIR_CLEANUP may name an extra step.

n=0
fails=0
check() { # check DESCRIPTION COMMAND...
	local desc=$1; shift
	n=$((n + 1))
	if "$@" >"$TMP/out" 2>&1; then echo "ok $n - $desc"
	else fails=$((fails + 1)); echo "not ok $n - $desc"; sed 's/^/#   /' "$TMP/out" | head -8; fi
}
srv() { nsenter --net="/run/netns/$ID-srv" "$@"; }
peer() { nsenter --net="/run/netns/$ID-peer" "$@"; }

pair_cleanup() {
	trap - EXIT INT TERM
	[ -n "${PAIR_CLEANUP:-}" ] && $PAIR_CLEANUP
	nsenter --net="/run/netns/$ID-srv" "$PC" -q detach --all --pin-root "$PINS" >/dev/null 2>&1
	for ns in $ID-srv $ID-peer; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP" "$PINS"
}

pair_up() { # pair_up [PEER-ADDRESS...]: 192.0.2.20 is always there
	local a
	trap pair_cleanup EXIT
	trap 'exit 130' INT TERM
	ip netns add "$ID-srv"
	ip netns add "$ID-peer"
	ip -n "$ID-srv" link add eth0 type veth peer name eth0 netns "$ID-peer"
	ip -n "$ID-srv" addr add 192.0.2.10/24 dev eth0
	for a in 192.0.2.20 "$@"; do ip -n "$ID-peer" addr add "$a/24" dev eth0; done
	for ns in $ID-srv $ID-peer; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
	done
}
