#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Ansible role (dist/ansible) on its default path: the package (make
# deb) installed with apt, portcullis.service enabled and started under a
# real systemd, reloaded on a change. The machine (tests/systemd/machine.sh)
# runs sshd; ansible-playbook runs in the peer namespace and reaches it on
# a management link that portcullis does not enforce (eth1, 203.0.113.0/24);
# in the last run over eth0, which the policy does not open to it.
#
#   namespace $ID-srv (the machine)          namespace $ID-peer
#   +-------------------------------+  eth0  +-----------------------+
#   | systemd, sshd, portcullis     |--------| 192.0.2.20 (cli)      |
#   | eth0 192.0.2.10 (srv)         |  eth1  |                       |
#   | eth1 203.0.113.10 (sshd)      |--------| 203.0.113.2 ansible   |
#   +-------------------------------+        +-----------------------+
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
PC=$ROOT/$BUILD/portcullis
CACHE=${PORTCULLIS_CACHE:-/var/cache/portcullis}/systemd-ansible-root.tar.zst
# sshd and what Ansible's modules need (apt installs the .deb).
MACHINE_PACKAGES="openssh-server python3 python3-apt"
ID=pca$$$((RANDOM % 100))
TMP=$(mktemp -d "/tmp/$ID.XXXX")
MROOT=$TMP/root
ANS=$TMP/ansible
# shellcheck source=tests/systemd/machine.sh
. "$ROOT/tests/systemd/machine.sh"
# shellcheck source=tests/lib/ansible.sh
. "$ROOT/tests/lib/ansible.sh"

site() { # FILE HTTP-PORT: the site, with A-1.1's HTTP port
	cat >"$1" <<-EOT
	hosts:
	  - {name: srv, kinds: [management-server], os: windows, addresses: [192.0.2.10]}
	  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}
	parameters: {hcsm-http-port: $2}
	EOT
}

# The machine: root logs in over SSH with the test's key.
configure_root() {
	unpack_root || return 1
	mkdir -p "$ANS/ssh" "$MROOT/root/.ssh" "$MROOT/etc/systemd/system/multi-user.target.wants"
	ssh-keygen -q -t ed25519 -N '' -f "$ANS/ssh/id" || return 1
	install -m 600 "$ANS/ssh/id.pub" "$MROOT/root/.ssh/authorized_keys"
	chmod 700 "$MROOT/root/.ssh"
	ln -sf /lib/systemd/system/ssh.service "$MROOT/etc/systemd/system/multi-user.target.wants/"
}

inventory() { # [ADDRESS]: the machine's, where Ansible reaches it; $IFACES the list
	cat <<-EOT
	all:
	  children:
	    portcullis:
	      hosts:
	        srv:
	          ansible_host: ${1:-203.0.113.10}
	      vars:
	EOT
	ansible_conn_vars "$ANS/ssh/id" "        "
	cat <<-EOT
	        portcullis_install: deb
	        portcullis_deb_src: $DEB
	        portcullis_interfaces: ${IFACES:-[eth0]}
	        portcullis_confirm_seconds: 20
	EOT
}

playbook() { # SITE-FILE [INVENTORY]: from the peer namespace; output in $ANS/run.log
	local start=$SECONDS rc
	ansible_in "$ANS" peer -- -i "${2:-$ANS/inventory.yml}" "$ROOT/dist/ansible/site.yml" \
		-e "portcullis_site_src=$1" >"$ANS/run.log" 2>&1
	rc=$?
	say "ansible-playbook with $(basename "$1"): exit $rc, $((SECONDS - start)) s"
	return "$rc"
}
ran() { grep -q "TASK \[portcullis : $1" "$ANS/run.log"; } # TASK-NAME-START
changed() { sed -n 's/^srv *: .*changed=\([0-9]*\).*/\1/p' "$ANS/run.log"; }

status() { m portcullis status -j; }
generation() { status | jq -r '.generation // 0'; }
enforcing() {
	status | jq -e '.attached and .mode == "enforce" and [.interfaces[].name] == ["eth0"]' &&
		! m test -e /run/portcullis/_sys_fs_bpf_portcullis.confirm
}
daemon_up() {
	test "$(m systemctl is-enabled portcullis)" = enabled &&
		test "$(m systemctl is-active portcullis)" = active &&
		m systemctl show -P StatusText portcullis | grep -q '^enforcing'
}
# srv enforces on exactly IFACES (sorted, as JSON), both hooks on each in
# status and in the kernel, no rollback pending.
enforcing_on() { # IFACES-JSON
	local i
	status | jq -e --argjson want "$1" '.attached and .mode == "enforce" and
		([.interfaces[].name] | sort) == $want and
		all(.interfaces[]; .ingress != "missing" and .tc_egress == "attached")' >/dev/null &&
		! m test -e /run/portcullis/_sys_fs_bpf_portcullis.confirm || return 1
	for i in $(jq -r '.[]' <<<"$1"); do
		[ "$(hooks_on "$i")" = "xdp tc" ] || return 1
	done
}
hooks_on() { # IFACE: the portcullis hooks the kernel has on it, "xdp tc" when both
	local hooks=()
	ip -n "$ID-srv" link show dev "$1" | grep -q xdp && hooks+=(xdp)
	tc -n "$ID-srv" filter show dev "$1" egress 2>/dev/null | grep -q bpf && hooks+=(tc)
	echo "${hooks[*]}"
}
snapshot() { echo "$(status | jq -c '{generation, mode, rule_count}') $(m sha256sum /etc/portcullis/site.yaml)"; }

[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
command -v ansible-playbook >/dev/null || { echo "1..0 # SKIP no ansible-playbook (make deps)"; exit 0; }
DEB=$(compgen -G "$ROOT/$BUILD/deb/portcullis_*.deb" | head -1)
[ -f "$DEB" ] || { echo "Bail out! no package: make deb first"; exit 1; }
pair_up --spare
if ! ip -n "$ID-srv" addr add 203.0.113.10/24 dev eth1 ||
	! ip -n "$ID-peer" addr add 203.0.113.2/24 dev eth1; then
	echo "Bail out! no management link"; exit 1
fi
build_root || { echo "Bail out! no systemd root"; exit 1; }
configure_root || { echo "Bail out! cannot configure the root"; exit 1; }
ansible_prepare "$ANS"
inventory >"$ANS/inventory.yml"
site "$ANS/site.yaml" 22015
check "the machine boots to multi-user" boot
check "its sshd listens (on the management link too)" wait_socket "$ID-srv" tcp "" 22
check "portcullis is not installed before the run" not m test -e /usr/sbin/portcullis

# --- run 1: installed, attached in audit mode, enforce confirmed, daemon ---
check "run 1: ansible-playbook" playbook "$ANS/site.yaml"
check "run 1: the package is installed (dpkg)" m dpkg-query -W portcullis
check "run 1: attached in audit mode first, then enforce with --confirm, confirmed" \
	sh -c "grep -q 'Attach in audit mode' $ANS/run.log && grep -q 'Reload in enforce mode' $ANS/run.log &&
		grep -q 'Keep the new policy' $ANS/run.log"
check "run 1: srv enforces on eth0, no rollback pending" enforcing
check "run 1: portcullis.service enabled, active, ready (Type=notify)" daemon_up
check "run 1: the daemon's options keep enforce mode" m grep -q -- '--mode enforce' /etc/default/portcullis
check "cli reaches the HTTP GUI on 22015 (A-1.1)" connects 22015
check "an undocumented port (9999) is dropped" dropped 9999

# --- run 2: nothing to do ---
check "run 2: the same site again" playbook "$ANS/site.yaml"
check "run 2: changes nothing (changed=0)" test "$(changed)" = 0

# --- run 3: a port change reloads the daemon ---
gen=$(generation)
pid=$(unit_prop portcullis.service MainPID)
site "$ANS/site.yaml" 22115
check "run 3: the site with hcsm-http-port 22115" playbook "$ANS/site.yaml"
check "run 3: the daemon reloaded it (generation $gen -> more)" \
	test "$(generation)" -gt "$gen"
check "run 3: the reload is a notice of the daemon in the journal" wait_until 5 entries \
	PORTCULLIS_EVENT=policy "any(.[]; (.PORTCULLIS_GENERATION | tonumber) > $gen)"
check "run 3: still enabled, active, ready" daemon_up
check "run 3: the new port 22115 passes" connects 22115
check "run 3: the old port 22015 is dropped" dropped 22015
check "run 3: the same daemon (reloaded, not restarted: no new options)" \
	test "$(unit_prop portcullis.service MainPID)" = "$pid"
before=$(snapshot)

# --- run 4: a bad site file stops the run before anything changes ---
sed 's/^hosts:$/hosts: [/' "$ANS/site.yaml" >"$ANS/bad.yaml"
check_not "run 4: a site file with a syntax error fails the run" playbook "$ANS/bad.yaml"
check_not "run 4: it stopped before the site file would be put in place" ran "Put the site file in place"
check "run 4: policy, generation and site file unchanged" test "$(snapshot)" = "$before"
check "run 4: the daemon is still active" daemon_up

# --- runs 6-8: the interface list (eth2, a veth, beside eth0): an
# interface added is attached and the daemon restarted on the list; one
# taken off is detached (the daemon's restart alone would not), then a run
# with the same list changes nothing.
check "runs 6-8: a second interface in the machine (eth2, a veth pair)" \
	sh -c "ip -n $ID-srv link add eth2 type veth peer name eth2p && ip -n $ID-srv link set eth2 up &&
		ip -n $ID-srv link set eth2p up"
pid=$(unit_prop portcullis.service MainPID)
IFACES="[eth0, eth2]" inventory >"$ANS/inventory.yml"
check "run 6: eth2 added to the list" playbook "$ANS/site.yaml"
check "run 6: srv enforces on eth0 and eth2, confirmed" enforcing_on '["eth0","eth2"]'
check "run 6: the daemon's options name both" m grep -qx 'PORTCULLIS_IFACES="eth0 eth2"' /etc/default/portcullis
check "run 6: the daemon restarted on them (a new process)" \
	test "$(unit_prop portcullis.service MainPID)" != "$pid"
check "run 6: still enabled, active, ready" daemon_up
inventory >"$ANS/inventory.yml"
check "run 7: eth2 taken off the list" playbook "$ANS/site.yaml"
check "run 7: srv enforces on eth0 alone" enforcing_on '["eth0"]'
check "run 7: eth2's XDP program and TC filter are gone" test -z "$(hooks_on eth2)"
check "run 7: still enabled, active, ready" daemon_up
check "run 8: the same list again" playbook "$ANS/site.yaml"
check "run 8: changes nothing (changed=0)" test "$(changed)" = 0
check "run 8: srv enforces on eth0 alone" enforcing_on '["eth0"]'

# --- run 5: Ansible over the enforced link, from a peer the site does not
# let in over SSH: the switch to enforce is refused, the host stays in audit.
check "run 5: (nothing attached, the daemon stopped)" \
	sh -c "nsenter -t $INIT -a systemctl stop portcullis && nsenter -t $INIT -a portcullis detach --all"
inventory 192.0.2.10 >"$ANS/inband.yml"
check_not "run 5: Ansible over eth0 (cli -> srv:22, no such flow): the run fails" \
	playbook "$ANS/site.yaml" "$ANS/inband.yml"
check "run 5: enforce was refused: it would cut Ansible's own SSH session" \
	grep -q "your own SSH session" "$ANS/run.log"
check "run 5: srv was attached in audit mode and stays there" \
	sh -c "nsenter -t $INIT -a portcullis status -j | jq -e '.attached and .mode == \"audit\"'"
check "run 5: Ansible still gets in (a new connection over eth0)" \
	peer ssh -F /dev/null -i "$ANS/ssh/id" -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 root@192.0.2.10 true

tap_end
