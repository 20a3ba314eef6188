#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The man pages: mandoc finds nothing to say about them, and portcullis(8)
# lists exactly the commands and options that --help lists (both ways).
set -u
BUILD=${BUILD:-build}
PC=${PC:-$BUILD/portcullis}
# shellcheck source=tests/cli/tap.sh
. "$(dirname "$0")/tap.sh"
man8=$BUILD/man/portcullis.8
man5=$BUILD/man/portcullis-site.5

# A troff section as plain words: escapes and fonts gone.
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g'; }
# The lines of a page from the line matching START to the next .SS or .SH.
section() { awk -v start="$2" '$0 == start { on = 1; next } on && /^\.S[SH] / { exit } on' "$1"; }
# The option names of a --help text, one a line, sorted ("-c", "--config").
help_opts() {
	grep -E '^ {2,6}-' | sed -E 's/^ +//; s/ {2,}.*//; s/ [A-Z][A-Z.]*$//; s/, /\n/; s/ [A-Z][A-Z.]*$//' |
		sed -E 's/ .*//' | sort -u
}
# The option names of a man page section (the lines after each .TP).
man_opts() {
	awk 'prev == ".TP" { print } { prev = $0 }' | plain |
		sed -E 's/, /\n/; s/ .*//' | sed -E 's/ .*//' | sort -u
}
same() { # same NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else
		notok "$1" "--help: $(echo "$2" | tr '\n' ' ')" "man:    $(echo "$3" | tr '\n' ' ')"; fi
}

for page in "$man8" "$man5"; do
	if [ ! -s "$page" ]; then notok "$page was built"; continue; fi
	out=$(mandoc -Tlint "$page" 2>&1); rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok "mandoc -Tlint: $page"
	else notok "mandoc -Tlint: $page" "$(echo "$out" | head -5)"; fi
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$out" ]; then ok "man --warnings: $page"
	else notok "man --warnings: $page" "$(echo "$out" | head -5)"; fi
	if grep -q '@[A-Z]*@' "$page"; then notok "no template left in $page" "$(grep -n '@[A-Z]*@' "$page")"
	else ok "no template left in $page"; fi
done

same "portcullis(8) names the version" "portcullis $("$PC" --version | cut -d' ' -f2)" \
	"$(sed -n 's/^\.TH PORTCULLIS 8 [^ ]* "\([^"]*\)".*/\1/p' "$man8")"

# The global options, and the commands: the same in --help and the page.
same "global options: --help and OPTIONS agree" "$("$PC" --help | sed -n '/^Options:/,/^$/p' | help_opts)" \
	"$(section "$man8" '.SH OPTIONS' | man_opts)"
commands=$("$PC" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
same "commands: --help and COMMANDS agree" "$(echo "$commands" | sort)" \
	"$(sed -n 's/^\.SS portcullis \([a-z]*\)$/\1/p' "$man8" | sort)"
if [ "$(echo "$commands" | wc -l)" -lt 10 ]; then notok "--help lists the commands" "$commands"; fi

# Every command's options: the same in its --help and its part of the page.
for cmd in $commands; do
	same "$cmd: options of --help and the man page agree" "$("$PC" "$cmd" --help | help_opts)" \
		"$(section "$man8" ".SS portcullis $cmd" | man_opts)"
done

# portcullis-site(5) documents every key the site file's schema knows.
keys=$(jq -r '(.properties, .definitions.settings.properties,
	.definitions.settings.properties.conntrack.properties, .definitions.host.properties,
	.definitions.flow.properties, .definitions.endpoint.properties) | keys[]' docs/site.schema.json | sort -u)
if [ "$(echo "$keys" | wc -l)" -lt 30 ]; then notok "the schema's keys are found" "$keys"; fi
for key in $keys; do
	if plain <"$man5" | grep -q -- "\\b$key\\b"; then ok "portcullis-site(5) documents '$key'"
	else notok "portcullis-site(5) documents '$key'"; fi
done

# The example of portcullis-site(5) is a site file portcullis accepts.
section "$man5" '.SH EXAMPLES' | grep -v '^\.' | plain >"$work/example.yaml"
if out=$("$PC" check -c "$work/example.yaml" 2>&1) && grep -q '^hosts:' "$work/example.yaml"; then
	ok "portcullis-site(5)'s example passes portcullis check"
else notok "portcullis-site(5)'s example passes portcullis check" "$(echo "$out" | head -3)"; fi

echo "1..$n"
[ "$fails" -eq 0 ]
