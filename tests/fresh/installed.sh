#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The installed package enforces: run inside the fresh root after
# `apt install ./portcullis_*.deb`, with /usr/sbin/portcullis only. Two
# namespaces joined by a veth (documentation addresses), a site file,
# attach with the installed binary, a documented connection passes, an
# undocumented one is dropped and counted, detach leaves nothing. Its own
# cgroup for the setsockopt guard; everything removed on every exit path.
set -eu
PC=${PC:-/usr/sbin/portcullis}
ID=pcfresh$$
TMP=$(mktemp -d)
PINS=$TMP/bpffs/portcullis
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)/$ID
cleanup() {
	set +e
	nsenter --net=/run/netns/$ID-a "$PC" -q detach --all --pin-root "$PINS" >/dev/null 2>&1
	ip netns pids $ID-a 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns pids $ID-b 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del $ID-a 2>/dev/null
	ip netns del $ID-b 2>/dev/null
	umount "$TMP/bpffs" 2>/dev/null
	rmdir "$CG" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
a() { nsenter --net=/run/netns/$ID-a "$@"; }
b() { nsenter --net=/run/netns/$ID-b "$@"; }

ip netns add $ID-a
ip netns add $ID-b
ip -n $ID-a link add eth0 type veth peer name eth0 netns $ID-b
ip -n $ID-a addr add 192.0.2.10/24 dev eth0
ip -n $ID-b addr add 192.0.2.20/24 dev eth0
for ns in $ID-a $ID-b; do ip -n $ns link set lo up; ip -n $ns link set eth0 up; done
mkdir -p "$TMP/bpffs" "$CG"
mount -t bpf bpf "$TMP/bpffs"
cat >"$TMP/site.yaml" <<EOT
hosts:
  - {name: srv, kinds: [management-server], addresses: [192.0.2.10]}
  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
EOT
a socat TCP-LISTEN:22015,bind=192.0.2.10,fork,reuseaddr SYSTEM:'echo ok' &
a socat TCP-LISTEN:2222,bind=192.0.2.10,fork,reuseaddr SYSTEM:'echo ok' &
for _ in $(seq 100); do
	a ss -ltn | grep -q ':2222 ' && a ss -ltn | grep -q ':22015 ' && break
	sleep 0.1
done
a "$PC" attach -c "$TMP/site.yaml" --host srv --cgroup "$CG" --pin-root "$PINS" eth0
test "$(b socat -T3 - TCP:192.0.2.10:22015,connect-timeout=3 </dev/null)" = ok
echo "installed portcullis: the documented flow (A-1.1, 22015) passes"
if b socat -T2 - TCP:192.0.2.10:2222,connect-timeout=2 </dev/null >/dev/null 2>&1; then
	echo "installed portcullis: an undocumented port got through" >&2
	exit 1
fi
a "$PC" stats -j --pin-root "$PINS" |
	jq -e '[.drops[] | select(.reason == "no-rule" and .direction == "ingress") | .packets] | add > 0' >/dev/null
echo "installed portcullis: the undocumented port (2222) is dropped and counted"
a "$PC" detach --all --pin-root "$PINS"
test ! -e "$PINS"
echo "installed portcullis: detach leaves nothing pinned"
