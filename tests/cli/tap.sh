# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# What the command-line tests share: TAP lines counted, a scratch directory
# ($work) removed on exit.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
