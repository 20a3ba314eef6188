# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Waiting for events, not for time: each helper polls for a state it can
# see (a listening socket, a line in a file, an established connection)
# and gives up after a bound, saying what it waited for.

# wait_until SECONDS COMMAND...: runs COMMAND until it succeeds.
wait_until() {
	local limit=$1 end; shift
	end=$((${EPOCHREALTIME/./} + limit * 1000000))
	until "$@" >/dev/null 2>&1; do
		if [ "${EPOCHREALTIME/./}" -gt "$end" ]; then
			echo "gave up after ${limit}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# ns_has_socket NETNS SS-OPTIONS ADDR PORT: a socket of the namespace whose
# local address is ADDR:PORT (ss prints the IPv6 wildcard as [::] or *);
# ADDR "" stands for any address.
ns_has_socket() {
	local ns=$1 opts=$2 addr=$3 port=$4 want
	case $addr in
	'') nsenter --net="/run/netns/$ns" ss -H "$opts" "sport = :$port" | grep -q .; return ;;
	*:*) want="[$addr]:$port" ;;
	*) want="$addr:$port" ;;
	esac
	nsenter --net="/run/netns/$ns" ss -H "$opts" "sport = :$port" |
		awk -v w="$want" -v star="*:$port" -v v6any="$([ "$addr" = :: ] && echo 1)" '
			$4 == w || (v6any && $4 == star) { f = 1 } END { exit !f }'
}

# wait_socket NETNS tcp|udp ADDR PORT: until a socket listens there (TCP)
# or is bound there (UDP); one that is going away on the same port at
# another address does not count.
wait_socket() {
	wait_until "${WAIT_LIMIT:-10}" ns_has_socket "$1" "-ln${2:0:1}" "$3" "$4"
}

# wait_connected NETNS REMOTE-ADDR REMOTE-PORT: until a TCP connection to
# there is established in the namespace.
wait_connected() {
	wait_until "${WAIT_LIMIT:-10}" ns_has_socket_peer "$@"
}
ns_has_socket_peer() {
	nsenter --net="/run/netns/$1" ss -Htn state established "dst $2 and dport = :$3" | grep -q .
}

# wait_line FILE REGEX: until a line of FILE matches (grep -E).
wait_line() {
	wait_until "${WAIT_LIMIT:-10}" grep -qE "$2" "$1"
}

# wait_free NETNS tcp|udp ADDR PORT: until no socket listens there (TCP) or
# is bound there (UDP), so that a new server there is the only one.
wait_free() {
	local o=-lnt
	[ "$2" = udp ] && o=-anu
	wait_until "${WAIT_LIMIT:-10}" not ns_has_socket "$1" "$o" "$3" "$4"
}
not() { ! "$@"; }
