# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Real servers and clients for the lab's flows. Each run_* function makes
# one documented flow happen between two namespaces and returns 0 when the
# responder really received it (and, for two-way flows, the initiator got
# the answer). Listeners live only for their flow.

LAB_TIMEOUT=${LAB_TIMEOUT:-3}

# shellcheck source=tests/lib/wait.sh
. "$LAB_DIR/../lib/wait.sh"

# Waits until something in host $1's namespace listens on $2 (tcp|udp)
# port $3, at address $4 when given (then not a listener going away on
# the same port at another address).
wait_listen() {
	wait_socket "$(lab_ns "$1")" "$2" "${4:-}" "$3"
}

# Starts a background process in a namespace, output to BG_LOG; its pid
# goes to $BG. exec: $! is then the server itself, not a subshell around
# it; setsid: its own process group, which stop_bg ends with its children
# (socat's forked ones hold the listening socket too).
bg_in() {
	local host=$1; shift
	(exec setsid nsenter --net="/run/netns/$(lab_ns "$host")" -- "$@" \
		>>"${BG_LOG:-$WORK/bg.log}" 2>&1) &
	BG=$!
}

stop_bg() {
	local p
	for p in "$@"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done
	wait "$@" 2>/dev/null
	return 0
}

bracket() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }

# tcp FAMILY INI RESP PORT [SPORT]: connect, send a token, read it back.
run_tcp() {
	local fam=$1 ini=$2 resp=$3 port=$4 sport=${5:-} addr tok out rc
	addr=$(lab_ip"$fam" "$resp")
	tok="tcp-$ini-$resp-$port-$RANDOM"
	wait_free "$(lab_ns "$resp")" tcp "$addr" "$port" || return 1
	# -t on both ends: wait for the echo after the half-close, not socat's
	# default half second, which a loaded machine overran.
	bg_in "$resp" socat -t "$LAB_TIMEOUT" \
		"TCP$fam-LISTEN:$port,bind=$(bracket "$addr"),reuseaddr,fork" EXEC:cat
	wait_listen "$resp" tcp "$port" "$addr" || { stop_bg "$BG"; return 1; }
	out=$(echo "$tok" | lab_in "$ini" timeout "$LAB_TIMEOUT" socat -T "$LAB_TIMEOUT" \
		-t "$LAB_TIMEOUT" - \
		"TCP$fam:$(bracket "$addr"):$port${sport:+,sourceport=$sport,reuseaddr}" 2>/dev/null)
	rc=$?
	stop_bg "$BG"
	[ "$rc" -eq 0 ] && [ "$out" = "$tok" ]
}

# udp FAMILY INI RESP PORT [SPORT]: a datagram there and its echo back.
run_udp() {
	local fam=$1 ini=$2 resp=$3 port=$4 sport=${5:-} addr tok out
	addr=$(lab_ip"$fam" "$resp")
	tok="udp-$ini-$resp-$port-$RANDOM"
	wait_free "$(lab_ns "$resp")" udp "$addr" "$port" || return 1
	bg_in "$resp" socat -T "$LAB_TIMEOUT" \
		"UDP$fam-LISTEN:$port,bind=$(bracket "$addr"),reuseaddr" EXEC:cat
	wait_listen "$resp" udp "$port" "$addr" || { stop_bg "$BG"; return 1; }
	# The client ends when the echo (token and newline) is back: readbytes.
	out=$(echo "$tok" | lab_in "$ini" timeout "$LAB_TIMEOUT" socat -T "$LAB_TIMEOUT" \
		-t "$LAB_TIMEOUT" - "UDP$fam:$(bracket "$addr"):$port${sport:+,sourceport=$sport,reuseaddr},readbytes=$((${#tok} + 1))" 2>/dev/null)
	stop_bg "$BG"
	[ "$out" = "$tok" ]
}

# One-way datagram to a broadcast (or any) address; the responder captures
# it (tcpdump for port 0, which no socket can bind).
run_oneway() {
	local ini=$1 resp=$2 dst=$3 port=$4 sport=${5:-40009} tok cap log=$WORK/capture.log
	tok="bcast-$ini-$resp-$port-$RANDOM"
	: >"$log"
	BG_LOG=$log bg_in "$resp" tcpdump -l -n -A -i eth0 -c 1 \
		"udp and dst port $port and src port $sport"
	cap=$BG
	# tcpdump says "listening on" once its filter is in place.
	wait_line "$log" "^listening on " || { stop_bg "$cap"; return 1; }
	lab_in "$ini" python3 "$LAB_DIR/rawudp.py" "$dst" "$port" "$sport" "$tok" ||
		{ stop_bg "$cap"; return 1; }
	wait_until "$LAB_TIMEOUT" grep -q "$tok" "$log"
	local rc=$?
	stop_bg "$cap"
	return "$rc"
}

run_wol() { run_oneway "$1" "$2" "$3" "$4"; }
run_bcast() { run_oneway "$1" "$2" "$3" "$4" "$5"; }

# HCSM's GUI over HTTP: busybox httpd serves, curl fetches.
run_http() {
	local ini=$1 resp=$2 port=$3 addr out
	addr=$(lab_ip4 "$resp")
	mkdir -p "$WORK/www"
	echo "hcsm-gui-$RANDOM" >"$WORK/www/index.html"
	bg_in "$resp" busybox httpd -f -p "$addr:$port" -h "$WORK/www"
	wait_listen "$resp" tcp "$port" "$addr" || { stop_bg "$BG"; return 1; }
	out=$(lab_in "$ini" curl -s -m "$LAB_TIMEOUT" "http://$addr:$port/index.html")
	stop_bg "$BG"
	[ "$out" = "$(cat "$WORK/www/index.html")" ]
}

# HTTPS: openssl s_server with a throwaway certificate, curl fetches.
run_https() {
	local ini=$1 resp=$2 port=$3 addr out
	addr=$(lab_ip4 "$resp")
	[ -f "$WORK/tls.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 1 \
		-subj "/CN=$addr" -keyout "$WORK/tls.key" -out "$WORK/tls.pem" >/dev/null 2>&1
	bg_in "$resp" openssl s_server -quiet -www -accept "$addr:$port" \
		-cert "$WORK/tls.pem" -key "$WORK/tls.key"
	wait_listen "$resp" tcp "$port" "$addr" || { stop_bg "$BG"; return 1; }
	out=$(lab_in "$ini" curl -sk -m "$LAB_TIMEOUT" "https://$addr:$port/")
	stop_bg "$BG"
	grep -q "s_server" <<<"$out"
}

# sshd in host $1's namespace on $2:$3, in the background ($BG): root logs
# in with the key $WORK/ssh/id only. Keys are made on the first call.
sshd_in() {
	local host=$1 addr=$2 port=$3
	if [ ! -f "$WORK/ssh/id" ]; then
		mkdir -p "$WORK/ssh"
		ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/id"
		ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/host"
		cp "$WORK/ssh/id.pub" "$WORK/ssh/authorized_keys"
	fi
	[ -d /run/sshd ] || { mkdir -p /run/sshd && LAB_MADE_RUN_SSHD=1; }
	bg_in "$host" /usr/sbin/sshd -D -e -f /dev/null -h "$WORK/ssh/host" \
		-o "ListenAddress=$(bracket "$addr"):$port" -o PidFile=none -o UsePAM=no \
		-o "AuthorizedKeysFile=$WORK/ssh/authorized_keys" -o StrictModes=no \
		-o PermitRootLogin=prohibit-password -o UseDNS=no
	wait_listen "$host" tcp "$port" "$addr" || { stop_bg "$BG"; return 1; }
}

# Monitoring over SSH: sshd on the managed host, ssh from the server.
run_ssh() {
	local ini=$1 resp=$2 port=$3 addr out
	addr=$(lab_ip4 "$resp")
	sshd_in "$resp" "$addr" "$port" || return 1
	out=$(lab_in "$ini" ssh -F /dev/null -i "$WORK/ssh/id" -p "$port" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout="$LAB_TIMEOUT" -o LogLevel=ERROR \
		"root@$addr" echo ssh-ok 2>/dev/null)
	stop_bg "$BG"
	[ "$out" = ssh-ok ]
}

# SNMP trap from a managed host to snmptrapd on the server. -n: no reverse
# lookup of the sender, whose DNS query the server's own egress drops (the
# trap's line would then wait for the resolver's timeout).
run_snmptrap() {
	local ini=$1 resp=$2 port=$3 addr
	addr=$(lab_ip4 "$resp")
	echo "disableAuthorization yes" >"$WORK/snmptrapd.conf"
	: >"$WORK/traps.log"
	bg_in "$resp" env MIBS= snmptrapd -f -n -C -c "$WORK/snmptrapd.conf" -Lf "$WORK/traps.log" \
		-p "$WORK/snmptrapd.pid" "udp:$addr:$port"
	wait_listen "$resp" udp "$port" "$addr" || { stop_bg "$BG"; return 1; }
	lab_in "$ini" env MIBS= snmptrap -v 2c -c public "$addr:$port" '' \
		1.3.6.1.6.3.1.1.5.1 >/dev/null 2>&1
	wait_until "$LAB_TIMEOUT" grep -q "6.3.1.1.5.1" "$WORK/traps.log"
	local rc=$?
	stop_bg "$BG"
	return "$rc"
}

# E-mail notification: an SMTP exchange with aiosmtpd (Debian's python3,
# which has the package, whatever python3 comes first on PATH).
run_smtp() {
	local ini=$1 resp=$2 port=$3 addr tok
	addr=$(lab_ip4 "$resp")
	tok="hcsm-alert-$RANDOM"
	printf 'Subject: %s\r\n\r\n%s\r\n' "$tok" "$tok" >"$WORK/mail.txt"
	: >"$WORK/smtp.log"
	(exec nsenter --net="/run/netns/$(lab_ns "$resp")" -- /usr/bin/python3 -u \
		"$LAB_DIR/smtpsink.py" "$addr" "$port" >"$WORK/smtp.log" 2>&1) &
	BG=$!
	wait_listen "$resp" tcp "$port" || { stop_bg "$BG"; return 1; }
	lab_in "$ini" curl -s -m "$LAB_TIMEOUT" "smtp://$addr:$port" \
		--mail-from hcsm@example.org --mail-rcpt admin@example.org \
		-T "$WORK/mail.txt" || { stop_bg "$BG"; return 1; }
	# The handler prints the message before it answers the DATA.
	stop_bg "$BG"
	grep -q "$tok" "$WORK/smtp.log"
}

# TFTP from the server's pxemtftp stand-in (dnsmasq answering from port 69).
run_tftp() {
	local ini=$1 resp=$2 addr
	addr=$(lab_ip4 "$resp")
	mkdir -p "$WORK/tftp"
	head -c 3000 /dev/urandom >"$WORK/tftp/boot.bin"
	bg_in "$resp" dnsmasq -k --port=0 --enable-tftp --tftp-root="$WORK/tftp" \
		--tftp-single-port --interface=eth0 \
		--pid-file= --conf-file=/dev/null -u root
	wait_listen "$resp" udp 69 || { stop_bg "$BG"; return 1; }
	rm -f "$WORK/got.bin"
	lab_in "$ini" timeout "$LAB_TIMEOUT" busybox tftp -g -r boot.bin \
		-l "$WORK/got.bin" "$addr" 2>/dev/null
	stop_bg "$BG"
	cmp -s "$WORK/tftp/boot.bin" "$WORK/got.bin"
}

# DHCP: udhcpc on the managed host from 0.0.0.0, dnsmasq on the server
# (pxesvc stand-in), on the external DHCP server, or behind a relay.
run_dhcp() {
	local ini=$1 resp=$2 how=$3 addr relay="" out
	addr=$(lab_ip4 "$resp")
	bg_in "$resp" dnsmasq -k --port=0 --no-ping --listen-address="$addr" \
		--dhcp-range=192.0.2.200,192.0.2.220,255.255.255.0 \
		--dhcp-range=198.51.100.200,198.51.100.220,255.255.255.0 \
		--dhcp-leasefile="$WORK/leases.$resp" --pid-file= --conf-file=/dev/null \
		--dhcp-authoritative
	local server=$BG
	wait_listen "$resp" udp 67 || { stop_bg "$server"; return 1; }
	if [ "$how" = relay ]; then
		bg_in router dnsmasq -k --port=0 --dhcp-relay=198.51.100.1,"$addr" \
			--pid-file= --conf-file=/dev/null --interface=eth1 --except-interface=lo
		relay=$BG
		wait_listen router udp 67 || { stop_bg "$server" "$relay"; return 1; }
	fi
	out=$(lab_in "$ini" timeout 8 busybox udhcpc -i eth0 -f -q -n -t 3 -T 1 \
		-B -s /bin/true 2>&1)
	stop_bg "$server" $relay
	grep -q "lease of .* obtained" <<<"$out"
}
