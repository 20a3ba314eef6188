#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Ansible rollout (dist/ansible) with the real ansible-playbook against
# the HCSM lab (tests/lab): its enforcing hosts (srv, cli, lin, lin2) run
# sshd in their namespaces on a management network that portcullis does not
# enforce (eth1, 2001:db8:f::/64: 203.0.113.0/24 is the lab's segment C),
# and the playbook runs in a controller namespace there (ctl). lab.sh runs
# the lab with this file as its hooks:
#
#   run 1: nothing attached -> every host attached in audit mode, then
#          enforce with --confirm, confirmed from a new connection
#   then   lab.sh's documented flows, counters and undocumented probes
#   run 2: the same site again: nothing changes
#   run 3: the HTTP port changed in the site: every host reloads (new
#          generation), the new port passes, the old one is dropped
#   run 4: a bad site file (a syntax error; a site without lin2): the run
#          stops before any host changes (policy, generation, site file)
#   runs 5-9: lin2's portcullis_interfaces changed (a veth eth2 beside
#          eth0): an interface added is attached (confirmed), one taken off
#          detached (its hooks gone, the other still enforced), a swap of
#          the whole list never passes through nothing attached; a second
#          run with the same list changes nothing
#   run 10: lin2's list empty (a template that rendered to nothing): the run
#          fails in the check, nothing changes anywhere
#   runs 11-12: empty with portcullis_detach_all: lin2 detached from all;
#          then [eth0] again: attached afresh (audit, then enforce)
#
# The hosts share this machine's file system and kernel, so each has its
# own site file, binary and pin root (on the lab's private bpffs), and no
# systemd: portcullis_service_manager=none (the commands, run directly).
set -u
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	ROOT=$(cd "$(dirname "$0")/../.." && pwd)
	[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
	command -v ansible-playbook >/dev/null ||
		{ echo "1..0 # SKIP no ansible-playbook (make deps installs ansible-core)"; exit 0; }
	LAB_HOOKS=$(realpath "$0") exec bash "$ROOT/tests/lab/lab.sh"
fi

# ---- sourced by lab.sh from here on ($WORK, $PIN_BASE, $ENFORCERS, ...) ----
# The hosts Ansible brings up (lab.sh attaches the lab's other enforcers).
LAB_HOOK_HOSTS="srv cli lin lin2"
ANS=$WORK/ansible
# shellcheck source=tests/lib/ansible.sh
. "$LAB_DIR/../lib/ansible.sh"
TAP_OUT=$WORK/tap.out # check's output (tests/lib/tap.sh)
export TAP_OUT
CONFIRM=20 # seconds; the lab's flows take longer, so a rollback would show
SSHDS=()
declare -A IFACES # a host's portcullis_interfaces when not the group's [eth0]
declare -A DETACH_ALL # a host's portcullis_detach_all when set

# The management network: bridge brM, eth1 of every enforcer, ctl's eth0.
mgmt_ip() { # HOST
	local i=10 h
	for h in $LAB_HOOK_HOSTS; do
		[ "$h" = "$1" ] && { echo "2001:db8:f::$i"; return; }
		i=$((i + 1))
	done
}
mgmt_up() {
	local h
	ip -n "$(lab_ns sw)" link add brM type bridge &&
		ip -n "$(lab_ns sw)" link set brM up || return 1
	lab_add_ns ctl
	lab_plug ctl M 0
	ip -n "$(lab_ns ctl)" addr add 2001:db8:f::2/64 dev eth0 nodad || return 1
	for h in $LAB_HOOK_HOSTS; do
		lab_plug "$h" M 1
		ip -n "$(lab_ns "$h")" addr add "$(mgmt_ip "$h")/64" dev eth1 nodad || return 1
		sshd_in "$h" "$(mgmt_ip "$h")" 22 || return 1
		SSHDS+=("$BG")
	done
}

# The inventory: per host its own paths; the lab's cgroup for the guard.
inventory() {
	local h
	echo "all:"
	echo "  children:"
	echo "    portcullis:"
	echo "      hosts:"
	for h in $LAB_HOOK_HOSTS; do
		mkdir -p "$ANS/hosts/$h" "$ANS/remote/$h"
		cat <<-EOT
		        $h:
		          ansible_host: $(mgmt_ip "$h")
		          ansible_remote_tmp: $ANS/remote/$h
		          portcullis_site_path: $ANS/hosts/$h/site.yaml
		          portcullis_bin: $ANS/hosts/$h/portcullis
		          portcullis_pin_root: $PIN_BASE/$h
		EOT
		[ -z "${IFACES[$h]:-}" ] || echo "          portcullis_interfaces: ${IFACES[$h]}"
		[ -z "${DETACH_ALL[$h]:-}" ] || echo "          portcullis_detach_all: ${DETACH_ALL[$h]}"
	done
	echo "      vars:"
	ansible_conn_vars "$WORK/ssh/id" "        "
	cat <<-EOT
	        ansible_ssh_transfer_method: piped
	        portcullis_install: binary
	        portcullis_binary_src: $PC
	        portcullis_service_manager: none
	        portcullis_interfaces: [eth0]
	        portcullis_cgroup: $CGROUP
	        portcullis_confirm_seconds: $CONFIRM
	EOT
}

# playbook SITE-FILE: the site playbook from ctl's namespace; its output in
# $ANS/run.log, its exit status returned.
playbook() {
	local start=$SECONDS
	ansible_in "$ANS" lab_in ctl -- -i "$ANS/inventory.yml" "$ROOT/dist/ansible/site.yml" \
		-e "portcullis_site_src=$1" >"$ANS/run.log" 2>&1
	local rc=$?
	echo "# ansible-playbook with $(basename "$1"): exit $rc, $((SECONDS - start)) s" >&"${TAP_FD:-1}"
	return "$rc"
}
# The play recap's count of changed tasks on a host.
changed_on() { sed -n "s/^$1 *: .*changed=\([0-9]*\).*/\1/p" "$ANS/run.log"; }
ran_log() { tail -25 "$ANS/run.log"; }

status() { lab_in "$1" "$PC" status -j --pin-root "$PIN_BASE/$1"; }
generation() { status "$1" | jq -r '.generation // 0'; }
enforcing() { # HOST: attached on eth0 in enforce mode, no rollback pending
	status "$1" | jq -e '.attached and .mode == "enforce" and
		([.interfaces[].name] == ["eth0"])' >/dev/null &&
		[ ! -e "/run/portcullis/$(tr / _ <<<"$PIN_BASE/$1").confirm" ]
}
# What is in force on every host: generation, mode, rules, the site file.
snapshot() {
	local h
	for h in $LAB_HOOK_HOSTS; do
		status "$h" | jq -c --arg h "$h" '{host: $h, generation, mode, rule_count}'
		sha256sum "$ANS/hosts/$h/site.yaml"
	done
}

lab_hook_enforce() {
	local h out
	ansible_prepare "$ANS"
	cp "$SITE" "$ANS/site.yaml"
	if mgmt_up; then tap OK "management network: sshd on eth1 of $LAB_HOOK_HOSTS, the controller in ctl"
	else tap FAIL "management network with sshd in the namespaces"; return; fi
	inventory >"$ANS/inventory.yml"
	check "ansible-playbook --syntax-check of the site playbook" ansible_in "$ANS" lab_in ctl -- \
		--syntax-check -i "$ANS/inventory.yml" "$ROOT/dist/ansible/site.yml"
	if command -v yamllint >/dev/null; then
		check "yamllint of dist/ansible" yamllint -s -c "$ROOT/dist/ansible/.yamllint" "$ROOT/dist/ansible"
	else
		tap_skip "yamllint not installed"
	fi

	if playbook "$ANS/site.yaml"; then tap OK "run 1: ansible-playbook brings up every host"
	else tap FAIL "run 1: ansible-playbook" "$(ran_log)"; fi
	RUN1_END=$SECONDS
	for h in $LAB_HOOK_HOSTS; do
		out=$(grep -c -e "TASK \[portcullis : Attach in audit mode\]" \
			-e "TASK \[portcullis : Reload in enforce mode\]" \
			-e "TASK \[portcullis : Keep the new policy" "$ANS/run.log")
		if enforcing "$h" && [ "$(generation "$h")" = 2 ] && [ "$out" = 3 ]; then
			tap OK "run 1: $h enforces, after audit (generation 1) then enforce (2), confirmed"
		else
			tap FAIL "run 1: $h enforces after audit, confirmed" "$(status "$h")" "$(ran_log)"
		fi
	done
	snapshot >"$ANS/run1.snapshot"
}

lab_hook_after() {
	local h new
	# The lab's flows ran under the policy of run 1; had it not been
	# confirmed, it would have been rolled back meanwhile.
	[ $((SECONDS - RUN1_END)) -gt "$CONFIRM" ] || sleep $((CONFIRM + 1 - (SECONDS - RUN1_END)))
	snapshot >"$ANS/now.snapshot"
	check "after the confirm time: every host enforces the same policy (no rollback)" \
		diff "$ANS/run1.snapshot" "$ANS/now.snapshot"

	if playbook "$ANS/site.yaml" && [ "$(changed_on srv)$(changed_on cli)$(changed_on lin)$(changed_on lin2)" = 0000 ]; then
		tap OK "run 2: the same site again changes nothing (changed=0 on every host)"
	else
		tap FAIL "run 2: the same site again changes nothing" "$(ran_log)"
	fi
	snapshot >"$ANS/now.snapshot"
	check "run 2: generations as they were" diff "$ANS/run1.snapshot" "$ANS/now.snapshot"

	# --- a changed port: A-1.1's HTTP GUI moves from 22015 to 22115 ---
	{ cat "$SITE"; printf 'parameters:\n  hcsm-http-port: 22115\n'; } >"$ANS/site.yaml"
	declare -A gen
	for h in $LAB_HOOK_HOSTS; do gen[$h]=$(generation "$h"); done
	if playbook "$ANS/site.yaml"; then tap OK "run 3: the site with hcsm-http-port 22115"
	else tap FAIL "run 3: the site with hcsm-http-port 22115" "$(ran_log)"; fi
	for h in $LAB_HOOK_HOSTS; do
		new=$(generation "$h")
		if [ "$new" -gt "${gen[$h]}" ] && enforcing "$h" && cmp -s "$ANS/site.yaml" "$ANS/hosts/$h/site.yaml"; then
			tap OK "run 3: $h reloaded the new site (generation ${gen[$h]} -> $new), confirmed"
		else
			tap FAIL "run 3: $h reloaded the new site" "generation ${gen[$h]} -> $new" "$(status "$h")"
		fi
	done
	if run_http cli srv 22115 </dev/null 2>/dev/null; then tap OK "run 3: the new port passes (cli -> srv:22115, HTTP GUI)"
	else tap FAIL "run 3: the new port passes (cli -> srv:22115)"; fi
	probe "run 3: the old port after the change (cli -> srv:22015)" cli no-rule run_tcp 4 cli srv 22015
	snapshot >"$ANS/run3.snapshot"

	# --- bad site files: the run stops before any host changes ---
	sed 's/^hosts:$/hosts: [/' "$ANS/site.yaml" >"$ANS/bad-syntax.yaml"
	# Valid, but without lin2: only lin2 cannot find itself in it.
	awk '/^  - name: lin2$/ { skip = 1; next } skip && /^  - name:/ { skip = 0 } !skip' \
		"$ANS/site.yaml" >"$ANS/bad-lin2.yaml"
	check "the site without lin2 is a valid site file (only lin2's check fails)" \
		"$PC" check -c "$ANS/bad-lin2.yaml"
	for bad in bad-syntax bad-lin2; do
		if playbook "$ANS/$bad.yaml"; then
			tap FAIL "run 4 ($bad): the run fails" "$(ran_log)"
		elif grep -q "TASK \[portcullis : Put the site file in place" "$ANS/run.log"; then
			tap FAIL "run 4 ($bad): the run stops in the check play" "$(ran_log)"
		else
			tap OK "run 4 ($bad): the run fails in the check, before the site file is put anywhere"
		fi
		snapshot >"$ANS/now.snapshot"
		check "run 4 ($bad): every host's policy, generation and site file unchanged" \
			diff "$ANS/run3.snapshot" "$ANS/now.snapshot"
	done
	check "run 4 (bad-lin2): the failure is lin2's check" grep -q "fatal: \[lin2\]" "$ANS/run.log"
	lab_hook_interfaces
}

# The portcullis hooks the kernel has on HOST's IFACE: "xdp tc", "xdp", "tc"
# or nothing.
hooks_on() {
	local ns hooks=()
	ns=$(lab_ns "$1")
	ip -n "$ns" link show dev "$2" | grep -q xdp && hooks+=(xdp)
	tc -n "$ns" filter show dev "$2" egress 2>/dev/null | grep -q bpf && hooks+=(tc)
	echo "${hooks[*]}"
}
# HOST is in enforce mode on exactly IFACES (sorted, as JSON), each with
# both hooks in place (status and the kernel agree), no rollback pending.
enforcing_on() { # HOST IFACES-JSON
	local i
	status "$1" | jq -e --argjson want "$2" '.attached and .mode == "enforce" and
		([.interfaces[].name] | sort) == $want and
		all(.interfaces[]; .ingress != "missing" and .tc_egress == "attached")' >/dev/null &&
		[ ! -e "/run/portcullis/$(tr / _ <<<"$PIN_BASE/$1").confirm" ] || return 1
	for i in $(jq -r '.[]' <<<"$2"); do
		[ "$(hooks_on "$1" "$i")" = "xdp tc" ] || return 1
	done
}
# iface_run N LIST DESCRIPTION: lin2's list set to LIST, the site playbook run;
# every host but lin2 unchanged (changed=0), lin2's changes in $LIN2_CHANGED.
iface_run() {
	IFACES[lin2]=$2
	inventory >"$ANS/inventory.yml"
	if playbook "$ANS/site.yaml" && [ "$(changed_on srv)$(changed_on cli)$(changed_on lin)" = 000 ]; then
		tap OK "run $1: lin2's interfaces $2 ($3): the run passes, no other host changes"
	else
		tap FAIL "run $1: lin2's interfaces $2 ($3)" "$(ran_log)"
	fi
	LIN2_CHANGED=$(changed_on lin2)
}

# --- lin2's interface list: added, taken off, swapped ---
lab_hook_interfaces() {
	local gen out
	if ip -n "$(lab_ns lin2)" link add eth2 type veth peer name eth2p && ip -n "$(lab_ns lin2)" link set eth2 up &&
		ip -n "$(lab_ns lin2)" link set eth2p up; then
		tap OK "lin2: a second interface to enforce on (eth2, a veth pair with eth2p)"
	else
		tap FAIL "lin2: a veth pair eth2, eth2p"; return
	fi
	gen=$(generation lin2)

	iface_run 5 "[eth0, eth2]" "eth2 added"
	out=$(grep -c -e "TASK \[portcullis : Attach in enforce mode\]" \
		-e "TASK \[portcullis : Keep the new policy" "$ANS/run.log")
	if enforcing_on lin2 '["eth0","eth2"]' && [ "$out" = 2 ] && [ "$(generation lin2)" = $((gen + 1)) ]; then
		tap OK "run 5: eth2 attached on lin2 beside eth0, in enforce mode, confirmed (generation $gen -> $((gen + 1)))"
	else
		tap FAIL "run 5: eth2 attached on lin2 beside eth0, confirmed" "$(status lin2)" "$(ran_log)"
	fi
	gen=$(generation lin2)
	iface_run 6 "[eth0, eth2]" "the same list again"
	if [ "$LIN2_CHANGED" = 0 ] && enforcing_on lin2 '["eth0","eth2"]' && [ "$(generation lin2)" = "$gen" ]; then
		tap OK "run 6: the same list again changes nothing on lin2 (changed=0, generation $gen)"
	else
		tap FAIL "run 6: the same list again changes nothing on lin2" "changed=$LIN2_CHANGED" "$(status lin2)"
	fi

	iface_run 7 "[eth2]" "eth0 taken off"
	if enforcing_on lin2 '["eth2"]' && [ -z "$(hooks_on lin2 eth0)" ] && [ "$(generation lin2)" = "$gen" ]; then
		tap OK "run 7: eth0 detached from lin2 (no XDP, no TC filter), eth2 still enforced"
	else
		tap FAIL "run 7: eth0 detached from lin2, eth2 still enforced" \
			"eth0 hooks: $(hooks_on lin2 eth0)" "$(status lin2)" "$(ran_log)"
	fi
	iface_run 8 "[eth2]" "the same list again"
	if [ "$LIN2_CHANGED" = 0 ] && enforcing_on lin2 '["eth2"]'; then
		tap OK "run 8: the same list again changes nothing on lin2 (changed=0)"
	else
		tap FAIL "run 8: the same list again changes nothing on lin2" "changed=$LIN2_CHANGED" "$(status lin2)"
	fi

	# The whole list swapped: eth0 attached before eth2 is detached, so
	# the policy goes on (generation up by one, not a fresh attach's 1).
	iface_run 9 "[eth0]" "the whole list swapped"
	if enforcing_on lin2 '["eth0"]' && [ -z "$(hooks_on lin2 eth2)" ] &&
		[ "$(generation lin2)" = $((gen + 1)) ]; then
		tap OK "run 9: lin2 back on eth0 alone, eth2 detached, generation $gen -> $((gen + 1))"
	else
		tap FAIL "run 9: lin2 swapped to eth0 alone" "eth2 hooks: $(hooks_on lin2 eth2)" "$(status lin2)" "$(ran_log)"
	fi

	# An empty list would detach everything: refused unless said so.
	snapshot >"$ANS/run9.snapshot"
	IFACES[lin2]="[]"
	inventory >"$ANS/inventory.yml"
	if playbook "$ANS/site.yaml"; then
		tap FAIL "run 10: lin2's interfaces [] (no portcullis_detach_all): the run fails" "$(ran_log)"
	elif grep -q "fatal: \[lin2\]" "$ANS/run.log" && grep -q "portcullis_interfaces is empty" "$ANS/run.log" &&
		! grep -q "TASK \[portcullis : Put the site file in place" "$ANS/run.log"; then
		tap OK "run 10: lin2's interfaces []: refused in the check (portcullis_interfaces is empty), before any host changes"
	else
		tap FAIL "run 10: lin2's interfaces []: refused in the check" "$(ran_log)"
	fi
	snapshot >"$ANS/now.snapshot"
	check "run 10: every host's policy, generation and site file unchanged" \
		diff "$ANS/run9.snapshot" "$ANS/now.snapshot"
	check "run 10: lin2 still enforces on eth0" enforcing_on lin2 '["eth0"]'

	DETACH_ALL[lin2]=true
	iface_run 11 "[]" "with portcullis_detach_all: true"
	if status lin2 | jq -e '.attached == false' >/dev/null && [ -z "$(hooks_on lin2 eth0)" ]; then
		tap OK "run 11: portcullis_detach_all: lin2 detached from every interface"
	else
		tap FAIL "run 11: portcullis_detach_all detaches lin2" "eth0 hooks: $(hooks_on lin2 eth0)" "$(status lin2)" "$(ran_log)"
	fi
	unset 'DETACH_ALL[lin2]'
	iface_run 12 "[eth0]" "attached again"
	check "run 12: lin2 enforces on eth0 again" enforcing_on lin2 '["eth0"]'
}

# The sshds, and the rollback records of --confirm (detach removes the pins
# and the policy record, not the log of the waiter).
lab_hook_cleanup() {
	local h
	[ ${#SSHDS[@]} -eq 0 ] || stop_bg "${SSHDS[@]}"
	for h in $LAB_HOOK_HOSTS; do
		rm -f "/run/portcullis/$(tr / _ <<<"$PIN_BASE/$h")".confirm*
	done
}
