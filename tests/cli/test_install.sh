#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make install` into a staging DESTDIR: the tree, the unit naming the
# installed binary, and configuration kept when it is already there.
# (It installs the plain build; PC does not matter here.)
set -u
BUILD=${BUILD:-build}
# shellcheck source=tests/cli/tap.sh
. "$(dirname "$0")/tap.sh"
check() { # check NAME COMMAND...: the command must succeed
	local name=$1; shift
	if "$@" >"$work/out" 2>&1; then ok "$name"; else notok "$name" "$*" "$(head -3 "$work/out")"; fi
}

inst() { # inst DESTDIR [VAR=VALUE...]
	local dest=$1; shift
	env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory install \
		BUILD="$BUILD" DESTDIR="$dest" "$@" >"$work/make.log" 2>&1
}
unit_exec() { sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$1"; }

# Each row: make variables | binary | unit | man page | docs | bash completion
cases=(
"defaults|/usr/local/sbin/portcullis|/usr/local/lib/systemd/system/portcullis.service|/usr/local/share/man/man8/portcullis.8|/usr/local/share/doc/portcullis/README.md|/usr/local/share/bash-completion/completions/portcullis"
"PREFIX=/usr|/usr/sbin/portcullis|/usr/lib/systemd/system/portcullis.service|/usr/share/man/man8/portcullis.8|/usr/share/doc/portcullis/README.md|/usr/share/bash-completion/completions/portcullis"
"PREFIX=/opt/pc sbindir=/opt/pc/bin mandir=/opt/pc/man unitdir=/lib/systemd/system|/opt/pc/bin/portcullis|/lib/systemd/system/portcullis.service|/opt/pc/man/man8/portcullis.8|/opt/pc/share/doc/portcullis/README.md|/opt/pc/share/bash-completion/completions/portcullis"
)
i=0
for row in "${cases[@]}"; do
	IFS='|' read -r vars bin unit man doc comp <<<"$row"
	i=$((i + 1))
	dest=$work/d$i
	[ "$vars" = defaults ] && vars=
	# shellcheck disable=SC2086 # the variables are words
	if ! inst "$dest" $vars; then
		notok "install ${vars:-(defaults)}" "$(tail -3 "$work/make.log")"
		continue
	fi
	check "${vars:-defaults}: binary at $bin runs" "$dest$bin" check -c "$dest/etc/portcullis/site.yaml"
	check "${vars:-defaults}: unit at $unit" test -f "$dest$unit"
	# @word@ is a placeholder; "#@" a template line (systemd's @sets stay).
	for u in "$dest$unit" "${dest}${unit%.service}@.service"; do
		check "${vars:-defaults}: ${u##*/} has no template left" sh -c "! grep -nE '@[a-z]+@|^#@' '$u'"
		check "${vars:-defaults}: ${u##*/}'s ExecStart is $bin" test "$(unit_exec "$u")" = "$bin"
	done
	check "${vars:-defaults}: the template has the service's hardening" \
		test "$(grep -c '^Protect\|^Capab\|^SystemCall\|^Restrict' "${dest}${unit%.service}@.service")" = \
		"$(grep -c '^Protect\|^Capab\|^SystemCall\|^Restrict' "$dest$unit")"
	check "${vars:-defaults}: unit reads /etc/default/portcullis" \
		grep -qx 'EnvironmentFile=-/etc/default/portcullis' "$dest$unit"
	check "${vars:-defaults}: man page at $man" test -f "$dest$man"
	check "${vars:-defaults}: portcullis-site(5) beside it" \
		test -f "$(dirname "$(dirname "$dest$man")")/man5/portcullis-site.5"
	check "${vars:-defaults}: installed portcullis(8) is the built one" cmp -s "$BUILD/man/portcullis.8" "$dest$man"
	check "${vars:-defaults}: bash completion at $comp" test -f "$dest$comp"
	check "${vars:-defaults}: docs at $doc" test -f "$dest$doc"
	check "${vars:-defaults}: /etc/default/portcullis" grep -q '^PORTCULLIS_IFACES=' "$dest/etc/default/portcullis"
	check "${vars:-defaults}: example site is policy/examples/site.yaml" \
		cmp -s policy/examples/site.yaml "$dest/etc/portcullis/site.yaml"
done

# systemd reads the unit and finds the binary it names (an install under
# a prefix in $work: the paths are real, without DESTDIR).
if command -v systemd-analyze >/dev/null; then
	if inst "" PREFIX="$work/real" sysconfdir="$work/real/etc"; then
		# --man=no: the man page it names is under the prefix, not in man's path.
		check "systemd-analyze verify: the unit and its ExecStart" \
			systemd-analyze verify --man=no "$work/real/lib/systemd/system/portcullis.service"
	else
		notok "install PREFIX=$work/real" "$(tail -3 "$work/make.log")"
	fi
else
	n=$((n + 1)); echo "ok $n - systemd-analyze verify # SKIP no systemd-analyze"
fi

# A second install keeps the operator's configuration and replaces the rest.
dest=$work/d1
echo 'PORTCULLIS_IFACES="eth9"' >"$dest/etc/default/portcullis"
echo '# mine' >>"$dest/etc/portcullis/site.yaml"
printf 'old\n' >"$dest/usr/local/sbin/portcullis"
if inst "$dest"; then
	check "reinstall keeps /etc/default/portcullis" grep -qx 'PORTCULLIS_IFACES="eth9"' "$dest/etc/default/portcullis"
	check "reinstall keeps the site file" grep -qx '# mine' "$dest/etc/portcullis/site.yaml"
	check "reinstall replaces the binary" cmp -s "$BUILD/portcullis" "$dest/usr/local/sbin/portcullis"
else
	notok "reinstall" "$(tail -3 "$work/make.log")"
fi
check "uninstall leaves only the configuration" sh -c \
	"env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory uninstall DESTDIR='$dest' >/dev/null &&
	 [ -z \"\$(find '$dest' -type f ! -path '$dest/etc/*')\" ] && [ -f '$dest/etc/portcullis/site.yaml' ]"

echo "1..$n"
[ "$fails" -eq 0 ]
