#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Bash completion with plain bash: source the file, set COMP_WORDS and
# COMP_CWORD as bash would, call the function, compare COMPREPLY.
set -u
BUILD=${BUILD:-build}
# shellcheck source=tests/cli/tap.sh
. "$(dirname "$0")/tap.sh"
PC=${PC:-$BUILD/portcullis}
# The completion runs the portcullis on PATH: this one.
mkdir "$work/bin" && ln -s "$(realpath "$PC")" "$work/bin/portcullis"
PATH=$work/bin:$PATH
# shellcheck source=dist/bash-completion/portcullis
. dist/bash-completion/portcullis
site=policy/examples/site.yaml

# Interfaces from a directory of our own: the test knows what is there.
export PORTCULLIS_COMPLETION_NET=$work/net
mkdir -p "$work/net/eth0" "$work/net/eth1" "$work/net/lo"
mkdir -p "$work/pins/a" && : >"$work/pins/file"

# Each row: command line (the word completed last, '' for an empty word) |
# the replies, sorted, separated by spaces ('-' for none) | a case name.
cases=(
"portcullis ch|check|commands by prefix"
"portcullis d|daemon detach|two commands"
"portcullis --ver|--verbose --version|global options"
"portcullis -v st|stats status|a command after a global option"
"portcullis attach --i|--ingress|a command's options"
"portcullis attach --mode |audit enforce|--mode's words from the usage"
"portcullis reload --mode a|audit|--mode by prefix"
"portcullis attach --xdp-mode |generic native|--xdp-mode's words"
"portcullis daemon --ingress |tc xdp|--ingress's words"
"portcullis attach --ingress=|tc xdp|--ingress= (bash splits at =)"
"portcullis explain --direction e|egress|--direction's words"
"portcullis attach eth|eth0 eth1|interfaces"
"portcullis attach -c $site --host hcsm |eth0 eth1 lo|interfaces after options"
"portcullis detach --all l|lo|detach takes interfaces"
"portcullis check |-|check takes no argument"
"portcullis status --pin-root $work/pins/|$work/pins/a|--pin-root: directories"
"portcullis report --html --stats $work/pins/f|$work/pins/file|--stats: files"
"portcullis explain -c $site --host w|web01 web02 win01|--host: the site's hosts"
"portcullis explain --config=$site --host hc|hcsm|--host after --config="
"portcullis explain -c$site --host a|admin-desks|--host after -cSITE"
"portcullis explain -c $site --role li|linux|--role: the site's kinds"
"portcullis explain -c $site --role management-|management-client management-server|--role by prefix"
"portcullis explain -c /nonexistent --host |-|no hosts from a missing site"
"portcullis monitor --count |-|a number: nothing to offer"
"portcullis stats -|--all --config --help --json --pin-root --prometheus -c -h -j|every option of stats"
"portcullis daemon --me|--metrics|the daemon's own options after attach's"
)
# complete LINE: COMPREPLY for LINE as "a b c" (sorted), or "-" for none.
complete_line() {
	local line=$1 last
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *' ' ]] && COMP_WORDS+=('')
	# bash makes '=' a word of its own.
	if [[ ${COMP_WORDS[-1]} == *=* && ${COMP_WORDS[-1]} == --* ]]; then
		last=${COMP_WORDS[-1]}
		unset 'COMP_WORDS[-1]'
		COMP_WORDS+=("${last%%=*}" "=" "${last#*=}")
	fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_portcullis
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	echo "${got:--}"
}
expect() { # expect NAME LINE WANT
	local got
	got=$(complete_line "$2")
	if [ "$got" = "$3" ]; then ok "$1"; else notok "$1" "line: $2" "want: $3" "got:  $got"; fi
}

for row in "${cases[@]}"; do
	IFS='|' read -r line want name <<<"$row"
	expect "$name" "$line" "$want"
done

# Every command's options are exactly those of its --help, whatever they
# are when the test runs.
for cmd in $(portcullis --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p'); do
	want=$(portcullis "$cmd" --help | grep -o -E '^ {2,6}-[^ ]+( --[a-z0-9-]+)?' |
		tr -d ',' | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	expect "$cmd: every option of --help" "portcullis $cmd -" "$want"
done

# Without jq there are no hosts to offer, and no error.
mkdir "$work/nojq"
for t in sed grep head sort tr; do ln -s "$(command -v "$t")" "$work/nojq/$t"; done
ln -s "$(command -v portcullis)" "$work/nojq/portcullis"
got=$(PATH=$work/nojq complete_line "portcullis explain -c $site --host " 2>&1)
if [ "$got" = - ]; then ok "no jq: no hosts, no error"; else notok "no jq: no hosts, no error" "got: $got"; fi
got=$(PATH=$work/nojq complete_line "portcullis explain -c $site --ro" 2>&1)
if [ "$got" = --role ]; then ok "no jq: options still"; else notok "no jq: options still" "got: $got"; fi

echo "1..$n"
[ "$fails" -eq 0 ]
