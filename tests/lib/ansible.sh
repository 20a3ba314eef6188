# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The tests' ansible-playbook: its state (home, temp, control sockets, an
# empty ansible.cfg) under a directory of the test's own, root over SSH
# with the test's key, no host key checking, pipelining.

# ansible_prepare DIR: makes the directories and the empty configuration.
ansible_prepare() {
	mkdir -p "$1/home" "$1/tmp" "$1/cp" && : >"$1/ansible.cfg"
}

# ansible_conn_vars KEY INDENT: the connection variables of an inventory.
ansible_conn_vars() {
	sed "s/^/$2/" <<-EOT
	ansible_user: root
	ansible_ssh_private_key_file: $1
	ansible_ssh_common_args: -F /dev/null -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no
	ansible_python_interpreter: /usr/bin/python3
	ansible_pipelining: true
	EOT
}

# ansible_in DIR RUNNER... -- ARGS...: ansible-playbook ARGS under RUNNER
# (nsenter into the controller's namespace), its state in DIR.
ansible_in() {
	local dir=$1 runner=()
	shift
	while [ "$1" != -- ]; do runner+=("$1"); shift; done
	shift
	"${runner[@]}" env HOME="$dir/home" ANSIBLE_CONFIG="$dir/ansible.cfg" \
		ANSIBLE_HOME="$dir/home" ANSIBLE_LOCAL_TEMP="$dir/tmp" \
		ANSIBLE_SSH_CONTROL_PATH_DIR="$dir/cp" ANSIBLE_NOCOLOR=1 \
		ansible-playbook "$@"
}
