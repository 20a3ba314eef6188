// SPDX-License-Identifier: GPL-2.0-only
/* Packet builder and the benchmark's packet classes (see pkt.h). */
#include "pkt.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <string.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_ACK 0x10

static const uint8_t def_dmac[6] = {0x02, 0, 0, 0, 0, 0x31};
static const uint8_t def_smac[6] = {0x02, 0, 0, 0, 0, 0x10};

static uint32_t csum_add(uint32_t sum, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (; n > 1; n -= 2, b += 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (n)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	uint8_t saddr[16], daddr[16];
	int v6 = strchr(s->src, ':') != NULL;
	size_t alen = v6 ? 16 : 4, off = 0, l3, l4, l4len, len;
	int af = v6 ? AF_INET6 : AF_INET;

	if (inet_pton(af, s->src, saddr) != 1 || inet_pton(af, s->dst, daddr) != 1)
		return 0;
	l4len = s->proto == IPPROTO_TCP ? 20 : 8;
	len = 14 + (s->vlan ? 4 : 0) + (v6 ? 40 + (s->v6_ext ? 16 : 0) +
		(s->frag ? 8 : 0) : 20) + l4len;
	if (len < s->min_len)
		len = s->min_len;
	if (len > cap)
		return 0;
	memset(buf, 0, len);

	memcpy(buf, s->dmac ? s->dmac : def_dmac, 6);
	memcpy(buf + 6, s->smac ? s->smac : def_smac, 6);
	off = 12;
	if (s->vlan) {
		put16(buf + off, ETH_P_8021Q);
		put16(buf + off + 2, s->vlan & 0xfff);
		off += 4;
	}
	put16(buf + off, v6 ? ETH_P_IPV6 : ETH_P_IP);
	off += 2;
	l3 = off;

	if (!v6) {
		uint8_t *ip = buf + l3;

		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(len - l3));
		put16(ip + 4, 0x1234);
		if (s->frag == FRAG_FIRST)
			put16(ip + 6, 0x2000);          /* MF */
		else if (s->frag == FRAG_LATER)
			put16(ip + 6, 185);             /* offset 1480 */
		ip[8] = 64;
		ip[9] = s->proto;
		memcpy(ip + 12, saddr, 4);
		memcpy(ip + 16, daddr, 4);
		memcpy(ip + 10, (uint16_t[]){csum_fold(csum_add(0, ip, 20))}, 2);
		l4 = l3 + 20;
	} else {
		uint8_t *ip = buf + l3, *nh = ip + 6;

		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(len - l3 - 40));
		ip[7] = 64;
		memcpy(ip + 8, saddr, 16);
		memcpy(ip + 24, daddr, 16);
		l4 = l3 + 40;
		if (s->v6_ext) {
			/* Hop-by-hop then destination options, each 8 bytes of
			 * PadN: the walk a real parser has to do. */
			*nh = 0;                        /* hop-by-hop */
			buf[l4 + 1] = 0;
			buf[l4 + 2] = 1, buf[l4 + 3] = 4;
			nh = buf + l4;
			*nh = 60;                       /* dest options */
			l4 += 8;
			buf[l4 + 1] = 0;
			buf[l4 + 2] = 1, buf[l4 + 3] = 4;
			nh = buf + l4;
			l4 += 8;
		}
		if (s->frag) {
			*nh = 44;
			nh = buf + l4;
			if (s->frag == FRAG_FIRST)
				put16(buf + l4 + 2, 1);         /* M */
			else
				put16(buf + l4 + 2, 1480);      /* offset, M=0 */
			memcpy(buf + l4 + 4, "\x12\x34\x56\x78", 4);
			l4 += 8;
		}
		*nh = s->proto;
	}

	{
		uint8_t *th = buf + l4;
		size_t seglen = len - l4;
		uint32_t sum;

		put16(th, s->sport);
		put16(th + 2, s->dport);
		if (s->proto == IPPROTO_TCP) {
			put16(th + 4, 0x0100);          /* seq */
			th[12] = 5 << 4;
			th[13] = s->tcp_flags;
			put16(th + 14, 65535);
		} else {
			put16(th + 4, (uint16_t)seglen);
		}
		if (s->frag == FRAG_LATER)
			return len;                     /* payload, no L4 header */
		sum = csum_add(0, saddr, alen);
		sum = csum_add(sum, daddr, alen);
		sum += s->proto + (uint32_t)seglen;
		sum = csum_add(sum, th, seglen);
		memcpy(th + (s->proto == IPPROTO_TCP ? 16 : 6),
		       (uint16_t[]){csum_fold(sum)}, 2);
	}
	return len;
}

#define SRV "192.0.2.10"
#define LIN "192.0.2.31"

static const struct pkt_spec syn_in = {
	.src = SRV, .dst = LIN, .proto = IPPROTO_TCP, .sport = 40000,
	.dport = 22, .tcp_flags = TH_SYN,
};
static const struct pkt_spec synack_out = {
	.src = LIN, .dst = SRV, .proto = IPPROTO_TCP, .sport = 22,
	.dport = 40000, .tcp_flags = TH_SYN | TH_ACK,
};
/* lin opens a Deployment Manager connection to srv:26508. */
static const struct pkt_spec syn_out = {
	.src = LIN, .dst = SRV, .proto = IPPROTO_TCP, .sport = 40001,
	.dport = 26508, .tcp_flags = TH_SYN,
};

const struct pkt_class pkt_classes[] = {
	{"syn", "new allowed flow: TCP SYN srv:40000 > lin:22 (A-2.3), same SYN repeated",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_TCP, .sport = 40000,
	  .dport = 22, .tcp_flags = TH_SYN}, NULL, NULL},
	{"syn-new", "new allowed flow, a fresh source port each packet (single runs)",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_TCP, .sport = 40000,
	  .dport = 22, .tcp_flags = TH_SYN}, NULL, NULL},
	/* Timed on TC egress; bench/pktcost.c sends its SYN in first. */
	{"answer-new", "lin's SYN-ACK lin:22 > srv to a fresh SYN (TC egress), a fresh port each",
	 {.src = LIN, .dst = SRV, .proto = IPPROTO_TCP, .sport = 22,
	  .dport = 40000, .tcp_flags = TH_SYN | TH_ACK}, NULL, NULL},
	{"established", "established: TCP ACK srv:40000 > lin:22 after the handshake",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_TCP, .sport = 40000,
	  .dport = 22, .tcp_flags = TH_ACK}, &syn_in, &synack_out},
	{"reply", "reply: TCP SYN-ACK srv:26508 > lin:40001 to lin's own SYN",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_TCP, .sport = 26508,
	  .dport = 40001, .tcp_flags = TH_SYN | TH_ACK}, NULL, &syn_out},
	{"denied-port", "denied: TCP SYN srv:40000 > lin:23 (undocumented port)",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_TCP, .sport = 40000,
	  .dport = 23, .tcp_flags = TH_SYN}, NULL, NULL},
	{"wrong-peer", "denied: TCP SYN 192.0.2.99:40000 > lin:22 (not a peer)",
	 {.src = "192.0.2.99", .dst = LIN, .proto = IPPROTO_TCP, .sport = 40000,
	  .dport = 22, .tcp_flags = TH_SYN}, NULL, NULL},
	{"fragment", "non-first IPv4 fragment srv > lin, UDP, none recorded",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_UDP, .sport = 40000,
	  .dport = 5561, .frag = FRAG_LATER}, NULL, NULL},
	{"ipv6-ext", "IPv6 TCP SYN srv > lin:22 behind hop-by-hop + dest options",
	 {.src = "2001:db8:a::10", .dst = "2001:db8:a::31", .proto = IPPROTO_TCP,
	  .sport = 40000, .dport = 22, .tcp_flags = TH_SYN, .v6_ext = 1},
	 NULL, NULL},
	{"vlan", "802.1Q VLAN 100: TCP SYN srv:40000 > lin:22",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_TCP, .sport = 40000,
	  .dport = 22, .tcp_flags = TH_SYN, .vlan = 100}, NULL, NULL},
	/* For live traffic: UDP flows that need no handshake. */
	/* A unicast UDP flow into lin (A-2.11 on 5561 is broadcast only). */
	{"udp-allowed", "UDP srv:67 > lin:68 (A-3.8, PXE reply)",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_UDP, .sport = 67,
	  .dport = 68}, NULL, NULL},
	/* 161: below the UDP range xdp-filter must open for TFTP replies. */
	{"udp-denied", "UDP srv:40000 > lin:161 (undocumented port)",
	 {.src = SRV, .dst = LIN, .proto = IPPROTO_UDP, .sport = 40000,
	  .dport = 161}, NULL, NULL},
};
const size_t pkt_nclasses = sizeof(pkt_classes) / sizeof(pkt_classes[0]);

const struct pkt_class *pkt_class_find(const char *name)
{
	for (size_t i = 0; i < pkt_nclasses; i++)
		if (!strcmp(pkt_classes[i].name, name))
			return &pkt_classes[i];
	return NULL;
}
