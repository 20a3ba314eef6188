// SPDX-License-Identifier: GPL-2.0-only
/*
 * Numbered UDP datagrams, to prove that no packet of a flow was lost or let
 * through while the policy changed under it. The sender numbers each
 * datagram; the receiver reports which numbers arrived, as JSON:
 *
 *   udpseq send ADDR PORT COUNT [INTERVAL_US] [[SRCADDR:]SPORT]
 *   udpseq recv ADDR PORT IDLE_MS [answer] -> {"received":N,"first":a,
 *                                          "last":b,"missing":M,"duplicates":D}
 *
 * The receiver stops after IDLE_MS without a datagram (after the first).
 * With answer it sends one datagram back to the first one's sender, so
 * that the flow is a connection its host answered (a firewall tracks it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 10000000u

static int resolve(const char *addr, const char *port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	long p = strtol(port, NULL, 10);

	memset(ss, 0, sizeof(*ss));
	if (p < 0 || p > 65535)
		return -1;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)p);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_storage dst, src;
	socklen_t len, slen;
	unsigned long count, interval = 100;
	int fd;

	if (argc < 5 || resolve(argv[2], argv[3], &dst, &len))
		return 2;
	count = strtoul(argv[4], NULL, 10);
	if (count == 0 || count > MAX_COUNT)
		return 2;
	if (argc > 5)
		interval = strtoul(argv[5], NULL, 10);
	fd = socket(dst.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	if (argc > 6) {
		const char *any = dst.ss_family == AF_INET ? "0.0.0.0" : "::";
		char *colon = strrchr(argv[6], ':');
		int one = 1;

		/* "192.0.2.31:40001" binds an address as well as a port. */
		if (colon && dst.ss_family == AF_INET) {
			*colon = '\0';
			any = argv[6];
			argv[6] = colon + 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (resolve(any, argv[6], &src, &slen) ||
		    bind(fd, (struct sockaddr *)&src, slen) < 0) {
			perror("udpseq: bind");
			return 1;
		}
	}
	for (uint64_t seq = 0; seq < count; seq++) {
		uint64_t be = htobe64(seq);

		/* A full socket buffer is not the firewall's loss: retry. */
		while (sendto(fd, &be, sizeof(be), 0, (struct sockaddr *)&dst, len) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("udpseq: sendto");
				return 1;
			}
			sleep_us(100);
		}
		if (interval)
			sleep_us((long)interval);
	}
	close(fd);
	return 0;
}

static int do_recv(int argc, char **argv)
{
	uint64_t received = 0, dups = 0, first = UINT64_MAX, last = 0;
	int answer = argc > 5 && strcmp(argv[5], "answer") == 0;
	struct sockaddr_storage me, peer;
	socklen_t plen;
	unsigned char *seen;
	socklen_t len;
	int fd, idle, one = 1, rcvbuf = 4 << 20;

	if (argc < 5 || resolve(argv[2], argv[3], &me, &len))
		return 2;
	idle = atoi(argv[4]);
	seen = calloc(MAX_COUNT / 8 + 1, 1);
	fd = socket(me.ss_family, SOCK_DGRAM, 0);
	if (!seen || fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&me, len) < 0) {
		perror("udpseq: bind");
		return 1;
	}
	/* Ready: the caller may start the sender now. */
	fprintf(stderr, "udpseq: listening\n");
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t be, seq;

		if (poll(&p, 1, idle) <= 0)
			break;
		plen = sizeof(peer);
		if (recvfrom(fd, &be, sizeof(be), 0, (struct sockaddr *)&peer, &plen) !=
		    sizeof(be))
			continue;
		if (answer && !received && !dups &&
		    sendto(fd, &be, sizeof(be), 0, (struct sockaddr *)&peer, plen) < 0)
			perror("udpseq: answer");
		seq = be64toh(be);
		if (seq >= MAX_COUNT)
			continue;
		if (seen[seq / 8] & (1u << (seq % 8))) {
			dups++;
			continue;
		}
		seen[seq / 8] |= 1u << (seq % 8);
		received++;
		if (seq < first)
			first = seq;
		if (seq > last)
			last = seq;
	}
	printf("{\"received\": %" PRIu64 ", \"first\": %" PRId64 ", \"last\": %" PRIu64
	       ", \"missing\": %" PRIu64 ", \"duplicates\": %" PRIu64 "}\n",
	       received, received ? (int64_t)first : -1, last,
	       received ? last - first + 1 - received : 0, dups);
	free(seen);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "send") == 0)
		return do_send(argc, argv);
	if (argc > 1 && strcmp(argv[1], "recv") == 0)
		return do_recv(argc, argv);
	fprintf(stderr, "usage: udpseq send ADDR PORT COUNT [INTERVAL_US] [[SRCADDR:]SPORT]\n"
			"       udpseq recv ADDR PORT IDLE_MS [answer]\n");
	return 2;
}
